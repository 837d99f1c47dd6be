//! Jobs: the recipe job (dataset → recipe → output).

pub mod run;

pub use run::{ExecuteResult, RunOptions, RunReport, StepReport, execute, run, run_on_frame};
