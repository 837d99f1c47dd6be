//! Operation tests: small frames in, exact frames out, through the whole engine (recipe text
//! → plan → schema check → lazy plan → collect). One module per operation family.

mod support;

mod cases;
mod columns;
mod combine;
mod conditions;
mod flags;
mod mapping;
mod missing;
mod outliers;
mod profile;
mod quality;
mod recipes;
mod rows;
