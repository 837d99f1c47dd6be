//! The data a job works on: a dataset, read (and repaired) lazily, optionally run through a
//! recipe. Shared by the recipe job, the profile job and the quality gate.

use std::time::{Duration, Instant};

use polars::prelude::*;

pub use super::input::Input;
use super::input::open;
use super::run::{Counting, ExecuteInput, StepReport, execute};
use crate::dataset::{Catalogue, Loaded, ReadReport};
use crate::error::{Diagnostic, Result};
use crate::progress::Progress;

pub struct Prepared {
    pub lf: LazyFrame,
    pub schema: Schema,
    pub rows: Option<u64>,
    pub dataset: ReadReport,
    pub recipe_name: Option<String>,
    pub steps: Vec<StepReport>,
    pub warnings: Vec<Diagnostic>,
    pub read_time: Duration,
    pub plan_time: Duration,
    pub catalogue: Catalogue,
    /// Keeps repaired temporary copies alive while the plan runs.
    _loaded: Loaded,
}

impl Prepared {
    pub fn secondary_datasets(&self) -> Vec<ReadReport> {
        self.catalogue.reports()
    }
}

/// Read the dataset and, given a recipe, add its steps to the plan (computing their
/// statistics); nothing is written.
pub fn prepare(input: &Input, counting: Counting, progress: &Progress) -> Result<Prepared> {
    let opened = open(input, progress)?;
    let plan_start = Instant::now();
    let resolved = opened.resolved;
    let mut loaded = opened.loaded;
    let (lf, rows, steps, recipe_name) = match (&resolved.plan, &opened.checked) {
        (Some(plan), Some(checked)) => {
            let input = ExecuteInput {
                lf: loaded.lf.clone(),
                rows: loaded.report.rows,
                held: loaded.held.take(),
            };
            let executed = execute(
                plan,
                input,
                &checked.schemas,
                &resolved.catalogue,
                counting,
                progress,
            )?;
            loaded.report.in_memory = executed.held_used;
            (
                executed.lf,
                executed.rows,
                executed.steps,
                plan.recipe.name.clone(),
            )
        }
        _ => (loaded.lf.clone(), loaded.report.rows, Vec::new(), None),
    };
    let mut lf = lf;
    let schema = lf.collect_schema()?.as_ref().clone();
    Ok(Prepared {
        lf,
        schema,
        rows,
        dataset: loaded.report.clone(),
        recipe_name,
        steps,
        warnings: resolved.warnings,
        read_time: opened.read_time,
        plan_time: plan_start.elapsed(),
        catalogue: resolved.catalogue,
        _loaded: loaded,
    })
}
