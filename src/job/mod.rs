//! Jobs: the recipe job (dataset → recipe → output) and the data-quality gate.

pub mod check;
pub mod prepare;
pub mod run;

pub use run::{ExecuteResult, RunOptions, RunReport, StepReport, execute, run, run_on_frame};
