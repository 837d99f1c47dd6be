//! The one way every command reaches its data: resolve the main dataset and the ones JOIN
//! and UNION name through one catalogue, apply type pins, check the recipe against the
//! schema. `validate` stops at the schema; `run`, `check` and `profile` go on to the data.
//! What `validate` accepts is what `run` accepts.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use polars::prelude::*;

use super::run::{invalid_with_warnings, load_plan};
use crate::dataset::{Catalogue, DatasetDef, Depth, Loaded, ReadReport, column_notes};
use crate::error::{Diagnostic, Result};
use crate::plan::{Checked, Plan};
use crate::progress::Progress;

/// What a command reads: a dataset, optionally through a recipe.
#[derive(Debug, Clone)]
pub struct Input {
    /// A dataset file, a data location or a dataset name.
    pub dataset: String,
    pub recipe: Option<PathBuf>,
    pub datasets_dir: PathBuf,
    /// `--with NAME=LOCATION`.
    pub with: Vec<(String, String)>,
    /// `--connections FILE`, instead of `connections.yaml` beside the dataset file or in the
    /// datasets folder.
    pub connections: Option<PathBuf>,
}

/// The main dataset and the recipe, resolved: nothing read yet.
pub struct Resolved {
    pub def: DatasetDef,
    pub plan: Option<Plan>,
    pub catalogue: Catalogue,
    pub warnings: Vec<Diagnostic>,
}

/// Load the recipe (if any) and find the main dataset.
pub fn resolve(input: &Input, depth: Depth) -> Result<Resolved> {
    let mut warnings = Vec::new();
    let plan = match &input.recipe {
        Some(r) => {
            let (plan, w) = load_plan(r)?;
            warnings.extend(w);
            Some(plan)
        }
        None => None,
    };
    let catalogue = Catalogue::new(input.datasets_dir.clone(), input.with.clone(), depth)
        .with_connections_file(input.connections.clone());
    let def = catalogue.main_dataset(&input.dataset)?;
    warnings.extend(def.warnings.iter().cloned());
    Ok(Resolved {
        def,
        plan,
        catalogue,
        warnings,
    })
}

impl Resolved {
    /// Check the recipe against the dataset's schema (and the schemas of the datasets it
    /// joins). Columns with no values take the type their steps need.
    pub fn check(&self, schema: &Schema, report: &ReadReport) -> Result<Option<Checked>> {
        let Some(plan) = &self.plan else {
            return Ok(None);
        };
        plan.check_input(
            schema,
            &self.catalogue,
            &column_notes(&report.columns),
            &report.untyped_columns(),
        )
        .map(Some)
        .map_err(|errors| invalid_with_warnings(&self.warnings, errors))
    }
}

/// What `validate` learns: the recipe fits the dataset's schema, and the output schema.
pub struct Validated {
    pub steps: usize,
    pub warnings: Vec<Diagnostic>,
    /// The output schema, when a dataset was given.
    pub output: Option<Schema>,
    pub dataset: Option<ReadReport>,
}

/// Check a recipe, and with a dataset, against its schema, reading no data.
pub fn validate(recipe: PathBuf, input: Option<Input>) -> Result<Validated> {
    let Some(input) = input else {
        let (plan, warnings) = load_plan(&recipe)?;
        return Ok(Validated {
            steps: plan.steps.len(),
            warnings,
            output: None,
            dataset: None,
        });
    };
    let resolved = resolve(&input, Depth::Schema)?;
    let peeked = resolved.def.peek()?;
    let checked = resolved.check(&peeked.schema, &peeked.report)?;
    let output = match &checked {
        Some(c) => c.schemas.last().cloned().unwrap_or_else(|| c.input.clone()),
        None => peeked.schema.clone(),
    };
    Ok(Validated {
        steps: resolved.plan.as_ref().map_or(0, |p| p.steps.len()),
        warnings: resolved.warnings,
        output: Some(output),
        dataset: Some(peeked.report),
    })
}

/// The main dataset, read lazily, with the recipe checked against it.
pub struct Opened {
    pub resolved: Resolved,
    pub loaded: Loaded,
    pub checked: Option<Checked>,
    pub read_time: Duration,
}

/// The numeric columns of a CSV dataset that the recipe's first statistics read (known
/// from the schema of the file's first rows), and the memory they may take: held in memory as
/// the file is inspected, they spare the statistics a pass of their own.
fn columns_to_hold(resolved: &Resolved) -> Result<(Vec<String>, usize)> {
    // A wrong DATACOOK_HOLD_BYTES is an error whatever the job reads.
    let limit = crate::dataset::held::hold_limit()?;
    let nothing = Ok((Vec::new(), 0));
    let Some(plan) = &resolved.plan else {
        return nothing;
    };
    if limit == 0 || !resolved.def.reads_csv_files() {
        return nothing;
    }
    // A file the peek cannot read fails the load just after, with the full read's message.
    let Ok(peeked) = resolved.def.peek() else {
        return nothing;
    };
    match resolved.check(&peeked.schema, &peeked.report) {
        Ok(Some(checked)) => Ok((
            super::run::first_statistics_reads(plan, &checked.input, &checked.schemas),
            limit,
        )),
        _ => nothing,
    }
}

/// Read the main dataset and check the recipe against it; columns that had no values and
/// that a step needs as numbers are cast.
pub fn open(input: &Input, progress: &Progress) -> Result<Opened> {
    let resolved = resolve(input, Depth::Data)?;
    progress.message(format!("reading {}", resolved.def.describe()));
    let start = Instant::now();
    let (hold, limit) = columns_to_hold(&resolved)?;
    let mut loaded = resolved.def.load_holding(&hold, limit)?;
    let read_time = start.elapsed();
    let checked = resolved.check(&loaded.schema, &loaded.report)?;
    if let Some(c) = &checked
        && !c.retyped.is_empty()
    {
        let casts: Vec<Expr> = c
            .retyped
            .iter()
            .map(|n| col(n.as_str()).cast(DataType::Float64))
            .collect();
        loaded.lf = loaded.lf.clone().with_columns(casts);
        loaded.schema = c.input.clone();
        for column in &mut loaded.report.columns {
            if c.retyped.contains(&column.column) {
                column.dtype = DataType::Float64.to_string();
            }
        }
    }
    Ok(Opened {
        resolved,
        loaded,
        checked,
        read_time,
    })
}
