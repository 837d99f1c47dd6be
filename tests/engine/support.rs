//! Helpers shared by the operation tests.

#![allow(dead_code)]

use datacook::Error;
use datacook::dataset::{MemoryDatasets, NoDatasets, Resolver};
use datacook::job::{StepReport, run_on_frame};
use polars::prelude::*;

/// Run datacook-YAML `steps` (the text after `steps:`) over `df`.
pub fn run(steps: &str, df: DataFrame) -> DataFrame {
    run_with(steps, df, &NoDatasets).0
}

/// Like [`run`], also returning the per-step reports.
pub fn run_report(steps: &str, df: DataFrame) -> (DataFrame, Vec<StepReport>) {
    run_with(steps, df, &NoDatasets)
}

pub fn run_with(
    steps: &str,
    df: DataFrame,
    datasets: &dyn Resolver,
) -> (DataFrame, Vec<StepReport>) {
    match try_run_with(steps, df, datasets) {
        Ok(r) => r,
        Err(e) => panic!("recipe failed:\n{e}"),
    }
}

/// Run and expect an error.
pub fn run_err(steps: &str, df: DataFrame) -> Error {
    match try_run_with(steps, df, &NoDatasets) {
        Ok((out, _)) => panic!("expected an error, got\n{out}"),
        Err(e) => e,
    }
}

pub fn try_run_with(
    steps: &str,
    df: DataFrame,
    datasets: &dyn Resolver,
) -> Result<(DataFrame, Vec<StepReport>), Error> {
    let recipe = format!("name: test\nsteps:\n{steps}");
    run_on_frame(&recipe, "test.yaml", df, datasets)
}

/// Run a DataBrew JSON recipe over `df`.
pub fn run_json(recipe: &str, df: DataFrame) -> Result<DataFrame, Error> {
    run_on_frame(recipe, "test.json", df, &NoDatasets).map(|r| r.0)
}

pub fn datasets(named: Vec<(&str, DataFrame)>) -> MemoryDatasets {
    MemoryDatasets(named.into_iter().map(|(n, d)| (n.to_string(), d)).collect())
}

/// Assert two frames are equal (names, types, values; nulls equal), with a readable diff.
#[track_caller]
pub fn assert_frame_eq(actual: &DataFrame, expected: &DataFrame) {
    assert_eq!(
        actual.get_column_names(),
        expected.get_column_names(),
        "column names differ\nactual:\n{actual}\nexpected:\n{expected}"
    );
    assert_eq!(
        actual.schema(),
        expected.schema(),
        "column types differ\nactual:\n{actual}\nexpected:\n{expected}"
    );
    assert!(
        actual.equals_missing(expected),
        "values differ\nactual:\n{actual}\nexpected:\n{expected}"
    );
}

/// The error's full text (all diagnostics).
pub fn message(e: &Error) -> String {
    e.to_string()
}

/// The full error text of a failing recipe.
pub fn error_text(steps: &str, df: DataFrame) -> String {
    message(&run_err(steps, df))
}

/// The error text of a failing recipe, checked to name the step and operation.
#[track_caller]
pub fn err_in_step(steps: &str, df: DataFrame, step: &str) -> String {
    let msg = message(&run_err(steps, df));
    assert!(msg.contains(step), "error does not name '{step}':\n{msg}");
    msg
}

#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "expected {p:?} in:\n{text}");
    }
}

#[track_caller]
pub fn assert_contains(msg: &str, part: &str) {
    assert!(msg.contains(part), "expected '{part}' in:\n{msg}");
}

#[track_caller]
pub fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// A step report's statistics.
pub type Stats = serde_json::Map<String, serde_json::Value>;

/// A numeric statistic from a step report (panics with the whole map when absent).
#[track_caller]
pub fn num(stats: &Stats, key: &str) -> f64 {
    stats
        .get(key)
        .and_then(|v| v.as_f64())
        .unwrap_or_else(|| panic!("no numeric stat '{key}' in {stats:?}"))
}
