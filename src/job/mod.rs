//! Jobs: the recipe job (dataset → recipe → output) and the data-quality gate.

pub mod check;
pub mod prepare;
pub mod run;

pub use run::{ExecuteResult, RunOptions, RunReport, StepReport, execute, run, run_on_frame};

/// Write a report file, creating its folder.
pub fn write_text(path: &std::path::Path, text: &str) -> crate::Result<()> {
    crate::sink::ensure_parent_dir(path)?;
    std::fs::write(path, text)
        .map_err(|e| crate::Error::runtime(format!("cannot write '{}': {e}", path.display())))
}
