//! Jobs: the recipe job (dataset → recipe → output) and the data-quality gate.

pub mod check;
pub mod input;
pub mod prepare;
pub mod run;

pub use run::{
    Counting, ExecuteResult, RunOptions, RunReport, StepReport, execute, run, run_on_frame,
};

/// Write a report to a file (creating its folder) or an S3 object, whole.
pub fn write_text(path: &std::path::Path, text: &str) -> crate::Result<()> {
    crate::sink::write_text(path, text)
}
