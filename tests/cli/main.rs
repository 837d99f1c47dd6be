//! End-to-end tests of the `datacook` binary: the two walkthroughs on the bundled data, exit
//! codes and messages for bad input, atomic outputs, and the CSV reader against damaged files.

mod support;

mod check;
mod clock;
mod consistency;
mod csv_damage;
mod csv_dialects;
mod datasets;
mod errors;
mod memory;
mod outputs;
mod pii;
mod profile;
mod walkthroughs;
