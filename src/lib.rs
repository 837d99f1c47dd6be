//! datacook: AWS Glue DataBrew-compatible data preparation recipes over Polars.
//!
//! The data path runs one way: a recipe file is parsed into a typed model with source
//! positions ([`recipe`]), compiled and checked against the input schema ([`plan`]), and
//! turned into one Polars lazy plan by the operations ([`ops`]); datasets are read by
//! [`dataset`] and outputs written atomically by [`sink`]. [`job`] ties them together.

pub mod clock;
pub mod dataset;
pub mod display;
pub mod error;
pub mod job;
pub mod ops;
pub mod plan;
pub mod profile;
pub mod progress;
pub mod quality;
pub mod recipe;
pub mod runtime;
pub mod s3;
pub mod selector;
pub mod sink;
pub mod stats;
pub mod types;

pub use error::{Diagnostic, Error, Result};
