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
