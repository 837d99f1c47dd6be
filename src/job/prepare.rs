//! The data a job works on: a dataset, read (and repaired) lazily, optionally run through a
//! recipe. Shared by the recipe job, the profile job and the quality gate.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use polars::prelude::*;

use super::run::{StepReport, execute, invalid_with_warnings, load_plan};
use crate::dataset::{Catalogue, Loaded, ReadReport, column_notes};
use crate::error::{Diagnostic, Result};
use crate::progress::Progress;

#[derive(Debug, Clone)]
pub struct Input {
    pub dataset: String,
    pub recipe: Option<PathBuf>,
    pub datasets_dir: PathBuf,
    pub with: Vec<(String, PathBuf)>,
}

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
pub fn prepare(input: &Input, progress: &Progress) -> Result<Prepared> {
    let plan = match &input.recipe {
        Some(r) => Some(load_plan(r)?),
        None => None,
    };
    let catalogue = Catalogue::new(input.datasets_dir.clone(), input.with.clone(), true);
    let def = catalogue.main_dataset(&input.dataset)?;
    let mut warnings = def.warnings.clone();
    progress.message(format!("reading {}", def.pattern));
    let read_start = Instant::now();
    let loaded = def.load()?;
    let read_time = read_start.elapsed();

    let plan_start = Instant::now();
    let (lf, rows, steps, recipe_name) = match plan {
        Some((plan, plan_warnings)) => {
            warnings.extend(plan_warnings);
            let planned = plan
                .check_explained(
                    &loaded.schema,
                    &catalogue,
                    &column_notes(&loaded.report.columns),
                )
                .map_err(|errors| invalid_with_warnings(&warnings, errors))?;
            let executed = execute(
                &plan,
                loaded.lf.clone(),
                loaded.report.rows,
                &planned,
                &catalogue,
                progress,
            )?;
            (
                executed.lf,
                executed.rows,
                executed.steps,
                plan.recipe.name.clone(),
            )
        }
        None => (loaded.lf.clone(), loaded.report.rows, Vec::new(), None),
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
        warnings,
        read_time,
        plan_time: plan_start.elapsed(),
        catalogue,
        _loaded: loaded,
    })
}
