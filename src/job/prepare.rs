//! The data a job works on: a dataset, read (and repaired) lazily, optionally run through a
//! recipe. Shared by the recipe job, the profile job and the quality gate.

use std::time::{Duration, Instant};

use polars::prelude::*;

pub use super::input::Input;
use super::input::open;
use super::run::{Counting, StepReport, execute};
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
    /// Whether the input was read into memory once (see [`fits_in_memory`]) instead of being
    /// streamed in a pass per statistics query and one for the output.
    pub in_memory: bool,
    /// The first step whose output rows are counted as the output is written (see
    /// [`Counting::AtOutput`]).
    pub uncounted_from: Option<usize>,
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
    let loaded = opened.loaded;
    let mut in_memory = false;
    let (lf, rows, steps, recipe_name, uncounted_from) = match (&resolved.plan, &opened.checked) {
        (Some(plan), Some(checked)) => {
            let mut input = loaded.lf.clone();
            if reads_twice(plan, checked) && fits_in_memory(&loaded.schema, loaded.report.rows) {
                progress.message("reading the input into memory".to_string());
                input = input.collect()?.lazy();
                in_memory = true;
            }
            let executed = execute(
                plan,
                input,
                loaded.report.rows,
                &checked.schemas,
                &resolved.catalogue,
                counting,
                progress,
            )?;
            (
                executed.lf,
                executed.rows,
                executed.steps,
                plan.recipe.name.clone(),
                executed.uncounted_from,
            )
        }
        _ => (
            loaded.lf.clone(),
            loaded.report.rows,
            Vec::new(),
            None,
            None,
        ),
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
        uncounted_from,
        in_memory,
        read_time: opened.read_time,
        plan_time: plan_start.elapsed(),
        catalogue: resolved.catalogue,
        _loaded: loaded,
    })
}

/// Whether some step gathers statistics before the output is written, so that streaming would
/// read the input more than once.
fn reads_twice(plan: &crate::plan::Plan, checked: &crate::plan::Checked) -> bool {
    let inputs = std::iter::once(&checked.input).chain(&checked.schemas);
    plan.steps
        .iter()
        .zip(inputs)
        .any(|(step, schema)| step.op.stats(schema, None).is_some())
}

/// Whether the input, held as Polars columns, takes at most the memory budget: a quarter of
/// the memory available when the job starts (`MemAvailable`), or `DATACOOK_MEMORY_LIMIT`
/// (bytes, with an optional K, M or G). The estimate counts 8 bytes a number, 1 a boolean and
/// 32 a text (Polars' 16-byte view plus its text); an input of unknown row count is streamed.
pub fn fits_in_memory(schema: &Schema, rows: Option<u64>) -> bool {
    let Some(rows) = rows else { return false };
    let row_bytes: u64 = schema
        .iter_values()
        .map(|d| match d {
            DataType::Boolean => 1,
            DataType::String | DataType::Binary => 32,
            d if d.is_nested() => 64,
            _ => 8,
        })
        .sum();
    rows.saturating_mul(row_bytes) <= memory_budget()
}

fn memory_budget() -> u64 {
    if let Ok(limit) = std::env::var("DATACOOK_MEMORY_LIMIT") {
        return parse_size(&limit).unwrap_or(0);
    }
    let available_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    available_kib * 1024 / 4
}

/// `512M`, `2G`, `1000`.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], t[i..].to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let scale = match unit.trim_end_matches('B').trim_end_matches('I') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    number.trim().parse::<u64>().ok().map(|n| n * scale)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_with_units() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5G"), None);
    }
}
