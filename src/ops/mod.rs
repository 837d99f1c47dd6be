//! Operations, keyed by their DataBrew names.
//!
//! Each operation is a params struct built from the step's typed [`Params`], plus `schema`
//! (output schema from input schema, before any data is read) and `apply` (adds the step to the
//! lazy plan, computing the statistics it needs on the full input). [`REGISTRY`] holds the
//! metadata that drives parsing, validation and `datacook ops`.

pub mod aggregate;
pub mod columns;
pub mod combine;
pub mod conditional;
pub mod dates;
pub mod declare;
pub mod flags;
pub mod group;
pub mod invalid;
pub mod json;
pub mod lancaster;
pub mod mapping;
pub mod math;
pub mod missing;
pub mod nest;
pub mod outliers;
pub mod phone;
pub mod pii;
pub mod random;
pub mod rows;
pub mod rowwise;
pub mod schema;
pub mod science;
pub mod shape;
pub mod split;
pub mod text;
pub mod tokenize;
pub mod unsupported;
pub mod web;
pub mod window;

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use polars::prelude::*;
use serde::Serialize;

use crate::dataset::Resolver;
use crate::error::did_you_mean;
use crate::recipe::params::{ParamSpec, Params};

/// How a step's `ConditionExpressions` act on this operation (decisions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conditions {
    /// Not meaningful (column moves, joins): conditions are a validation error.
    Unsupported,
    /// Rows are removed only where the conditions hold.
    RowFilter,
    /// The column changes only where the conditions hold; other rows keep their value.
    InPlace,
    /// The new column is null where the conditions do not hold.
    NewColumn,
    /// `REMOVE_VALUES`: the conditions are the whole point and must be present.
    Required,
}

/// Builds an operation from its name and typed parameters.
pub type BuildFn = fn(&'static str, &Params) -> Result<Box<dyn Operation>, OpError>;

/// A builder that carries its operation's behaviour (a shared shape with one expression).
pub type BuildClosure = Arc<dyn Fn(&Params) -> OpResult<Box<dyn Operation>> + Send + Sync>;

/// How an operation is built from its typed parameters.
#[derive(Clone)]
pub enum Build {
    Fn(BuildFn),
    Closure(BuildClosure),
}

/// Which rows an operation's output row depends on: what streaming and a scale-out engine
/// can split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Row i of the output depends only on row i of the input (and on dataset-level
    /// statistics gathered before, requested through [`Operation::stats`]).
    RowLocal,
    /// The output depends on other rows: sort, dedupe, window, group, pivot, join.
    WholeDataset,
}

/// Whether datacook runs an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "kebab-case")]
pub enum Status {
    Supported,
    /// Listed so that `datacook ops` and validation can say why it cannot run.
    Unsupported(&'static str),
}

/// Static description of an operation.
#[derive(Clone, Serialize)]
pub struct OpSpec {
    pub name: &'static str,
    pub family: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    pub conditions: Conditions,
    pub scope: Scope,
    #[serde(flatten)]
    pub status: Status,
    #[serde(skip)]
    pub build: Build,
}

impl OpSpec {
    /// An operation DataBrew documents that datacook cannot run, with the reason.
    pub const fn unsupported(
        name: &'static str,
        family: &'static str,
        reason: &'static str,
    ) -> OpSpec {
        OpSpec {
            name,
            family,
            summary: reason,
            params: &[],
            conditions: Conditions::Unsupported,
            scope: Scope::WholeDataset,
            status: Status::Unsupported(reason),
            build: Build::Fn(|name, _| Err(OpError::new(format!("{name} cannot run in datacook")))),
        }
    }

    pub fn build(&'static self, params: &Params) -> OpResult<Box<dyn Operation>> {
        match &self.build {
            Build::Fn(f) => f(self.name, params),
            Build::Closure(f) => f(params),
        }
    }
}

/// A problem with one step, to be located by the planner (step, operation, file:line).
#[derive(Debug, Clone, PartialEq)]
pub struct OpError {
    pub message: String,
    /// The parameter at fault, so the error can point at its line.
    pub param: Option<&'static str>,
    pub help: Option<String>,
    /// The data made the step impossible (e.g. too many distinct values), not the recipe text.
    pub runtime: bool,
    /// The column at fault, so the planner can say where the problem comes from (which
    /// earlier step removed it, or which value made it text).
    pub column: Option<ColumnIssue>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnIssue {
    /// The step's input lacks the column.
    Missing(String),
    /// The step needs numbers; the column is not numeric.
    NotNumeric(String),
}

impl OpError {
    pub fn new(message: impl Into<String>) -> Self {
        OpError {
            message: message.into(),
            param: None,
            help: None,
            runtime: false,
            column: None,
        }
    }

    pub fn param(mut self, name: &'static str) -> Self {
        self.param = Some(name);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn not_numeric(mut self, column: &str) -> Self {
        self.column = Some(ColumnIssue::NotNumeric(column.to_string()));
        self
    }

    pub fn data(message: impl Into<String>) -> Self {
        OpError {
            runtime: true,
            ..OpError::new(message)
        }
    }
}

impl From<PolarsError> for OpError {
    fn from(e: PolarsError) -> Self {
        OpError::data(format!("data processing failed: {e}"))
    }
}

pub type OpResult<T> = Result<T, OpError>;

pub trait Operation: Send + Sync {
    /// The output schema of this step, given its input schema.
    fn schema(&self, input: &Schema, ctx: &SchemaCtx) -> OpResult<Schema>;
    /// Add this step to the plan.
    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame>;
    /// Whether the step keeps every row (so its row count is known without counting).
    fn preserves_rows(&self) -> bool {
        true
    }
    /// The one-row aggregates `apply` will ask for (through [`ApplyCtx::aggregate`]), so the
    /// executor can compute the statistics of several steps in one pass over the data.
    fn stats(&self, _input: &Schema, _condition: Option<&Expr>) -> Option<Stats> {
        None
    }
    /// The columns this step changes or adds; `None` when that is not known.
    fn writes(&self) -> Option<Vec<String>> {
        None
    }
    /// For a row filter: the name of the statistic (in its own [`Stats`]) that counts the rows
    /// it removes.
    fn removed_rows(&self) -> Option<&'static str> {
        None
    }
    /// Statistics over a superset of this step's rows — the rows before an earlier filter —
    /// from which `apply` can still decide exactly when the filter removed few rows. The
    /// executor adds the removed count as [`REMOVED`].
    fn superset_stats(&self, _input: &Schema) -> Option<Stats> {
        None
    }
}

/// In a superset statistics frame: how many rows the filter in between removed.
pub const REMOVED: &str = "__datacook_removed";

/// Named one-row aggregates a step needs, and the input columns they read.
pub struct Stats {
    pub exprs: Vec<(&'static str, Expr)>,
    pub reads: Vec<String>,
}

/// Names for a step's numbered statistics (percentile bounds, `withExpressions` aggregates):
/// [`Stats`] names are static, so they come from one table; at most this many per step.
pub fn numbered_stats() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        (0..128)
            .map(|i| &*Box::leak(format!("stat{i}").into_boxed_str()))
            .collect()
    });
    &NAMES
}

/// What `schema` may consult besides the input schema.
pub struct SchemaCtx<'a> {
    pub datasets: &'a dyn Resolver,
}

/// What `apply` may use: the step's condition mask, other datasets, and a place to record the
/// statistics the step computed.
pub struct ApplyCtx<'a> {
    pub schema: Schema,
    pub condition: Option<Expr>,
    pub datasets: &'a dyn Resolver,
    pub stats: serde_json::Map<String, serde_json::Value>,
    pub warnings: Vec<String>,
    /// Rows entering the step, when a statistics query has counted them.
    pub rows_in: Option<u64>,
    /// Rows leaving the step, when the step knows (e.g. rows in − outliers removed).
    pub rows_out: Option<u64>,
    pub query_time: std::time::Duration,
    /// This step's statistics, already computed together with other steps'.
    pub prefetched: Option<DataFrame>,
}

impl<'a> ApplyCtx<'a> {
    pub fn new(schema: Schema, condition: Option<Expr>, datasets: &'a dyn Resolver) -> Self {
        ApplyCtx {
            schema,
            condition,
            datasets,
            stats: Default::default(),
            warnings: Vec::new(),
            rows_in: None,
            rows_out: None,
            query_time: Default::default(),
            prefetched: None,
        }
    }

    /// The step's statistics: one-row aggregates over its input (the full data, at run time),
    /// computed now or already computed in a batch with other steps. The row count comes
    /// along for free and is recorded as `rows_in`.
    pub fn aggregate(&mut self, lf: &LazyFrame, stats: Stats) -> OpResult<DataFrame> {
        let start = Instant::now();
        let df = match self.prefetched.take() {
            Some(df) => df,
            None => {
                let mut exprs: Vec<Expr> =
                    stats.exprs.into_iter().map(|(n, e)| e.alias(n)).collect();
                exprs.push(len().cast(DataType::UInt64).alias(ROWS));
                collect_streaming(lf.clone().select(exprs))?
            }
        };
        if let Ok(rows) = df.column(ROWS) {
            self.rows_in = rows.get(0).ok().and_then(|v| v.extract::<u64>());
        }
        self.query_time += start.elapsed();
        Ok(df)
    }

    /// Run any query (e.g. distinct values) over the step's input.
    pub fn query(&mut self, lf: LazyFrame) -> OpResult<DataFrame> {
        let start = Instant::now();
        let df = collect_streaming(lf)?;
        self.query_time += start.elapsed();
        Ok(df)
    }

    /// [`count_rows`], timed like [`ApplyCtx::query`].
    pub fn count_rows(&mut self, lf: LazyFrame) -> OpResult<Option<u64>> {
        let start = Instant::now();
        let rows = count_rows(lf)?;
        self.query_time += start.elapsed();
        Ok(rows)
    }

    /// `pred` restricted to the rows where the step's conditions hold.
    pub fn where_conditions(&self, pred: Expr) -> Expr {
        restrict(pred, self.condition.as_ref())
    }

    /// New value for an in-place change: applied only where the conditions hold.
    pub fn in_place(&self, column: &str, new: Expr) -> Expr {
        match &self.condition {
            Some(c) => when(c.clone()).then(new).otherwise(col(column)),
            None => new,
        }
    }

    /// A derived column: null where the conditions do not hold.
    pub fn new_column(&self, expr: Expr) -> Expr {
        match &self.condition {
            Some(c) => when(c.clone()).then(expr).otherwise(lit(NULL)),
            None => expr,
        }
    }

    pub fn record(&mut self, key: &str, value: impl Into<serde_json::Value>) {
        self.stats.insert(key.to_string(), value.into());
    }
}

/// The row count that comes with every statistics query.
pub const ROWS: &str = "__datacook_rows";

/// Run a query on the streaming engine: it reads the input in batches, so statistics over a
/// large file need neither the whole file in memory nor more than one pass.
pub use crate::types::{collect_streaming, count_rows};

/// Every operation datacook knows, supported or not, family by family.
pub static REGISTRY: LazyLock<Vec<OpSpec>> = LazyLock::new(|| {
    let families: [&[OpSpec]; 7] = [
        columns::SPECS,
        rows::SPECS,
        missing::SPECS,
        outliers::SPECS,
        mapping::SPECS,
        flags::SPECS,
        combine::SPECS,
    ];
    let mut all: Vec<OpSpec> = families.iter().flat_map(|f| f.iter().cloned()).collect();
    all.extend(rows::duplicate_flag_specs());
    all.extend(text::specs());
    all.extend(math::specs());
    all.extend(dates::specs());
    all.extend(rowwise::specs());
    all.extend(web::specs());
    all.extend(window::specs());
    all.extend(split::specs());
    all.push(split::interval_spec());
    all.extend(science::specs());
    all.extend(random::specs());
    all.extend(pii::specs());
    all.extend(group::specs());
    all.extend(conditional::specs());
    all.extend(invalid::specs());
    all.extend(nest::specs());
    all.extend(json::specs());
    all.extend(tokenize::specs());
    all.extend(phone::specs());
    all.extend(unsupported::SPECS.iter().cloned());
    all
});

pub fn all() -> impl Iterator<Item = &'static OpSpec> {
    REGISTRY.iter()
}

pub fn lookup(name: &str) -> Option<&'static OpSpec> {
    all().find(|s| s.name == name)
}

pub fn suggest(name: &str) -> Option<String> {
    did_you_mean(name, all().map(|s| s.name))
}

// ---- helpers shared by operations -------------------------------------------------------

/// The type of `name` in `schema`, or a "column not found; did you mean" error on `param`.
pub fn require_column(schema: &Schema, name: &str, param: &'static str) -> OpResult<DataType> {
    match column_type(schema, name) {
        Some(dtype) => Ok(dtype),
        None => {
            let mut e = OpError::new(format!("column '{name}' not found")).param(param);
            e.help = column_help(schema, name);
            e.column = Some(ColumnIssue::Missing(name.to_string()));
            Err(e)
        }
    }
}

pub use crate::types::type_label;
pub use crate::types::{column_help, column_type, is_placeholder};

pub fn require_numeric(
    schema: &Schema,
    name: &str,
    param: &'static str,
    op: &str,
) -> OpResult<DataType> {
    let dtype = require_column(schema, name, param)?;
    // Null: a type only the data tells (a JSON_TO_STRUCTS field); the run checks it again.
    if !dtype.is_primitive_numeric() && dtype != DataType::Null {
        return Err(OpError::new(format!(
            "{op} needs a numeric column, but '{name}' is {}",
            type_label(&dtype)
        ))
        .param(param)
        .help("convert it first with CHANGE_DATA_TYPE")
        .not_numeric(name));
    }
    Ok(dtype)
}

/// Fail when `names` (the columns a step would output) repeat one.
pub fn no_repeats<'a>(
    names: impl IntoIterator<Item = &'a str>,
    param: &'static str,
) -> OpResult<()> {
    let mut seen = std::collections::HashSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(OpError::new(format!("'{n}' is named twice"))
                .param(param)
                .help("each output column needs its own name"));
        }
    }
    Ok(())
}

/// Fail when a step would create a column that already exists.
pub fn require_new_column(schema: &Schema, name: &str, param: &'static str) -> OpResult<()> {
    if schema.contains(name) {
        return Err(OpError::new(format!("column '{name}' already exists"))
            .param(param)
            .help("choose another targetColumn, or DELETE the existing column first"));
    }
    Ok(())
}

/// Insert `new` fields right after `anchor` (decisions.md: "Placement of new columns"). An
/// anchor that exists only once the data is seen (a one-hot column) puts them at the end for
/// now; the run places them exactly.
pub fn schema_insert_after(schema: &Schema, anchor: &str, new: &[(String, DataType)]) -> Schema {
    let mut out = Schema::with_capacity(schema.len() + new.len());
    let mut placed = false;
    for (name, dtype) in schema.iter() {
        out.with_column(name.clone(), dtype.clone());
        if name.as_str() == anchor {
            placed = true;
            for (n, d) in new {
                out.with_column(n.as_str().into(), d.clone());
            }
        }
    }
    if !placed {
        for (n, d) in new {
            out.with_column(n.as_str().into(), d.clone());
        }
    }
    out
}

/// Project the frame with `new` columns inserted right after `anchor`.
pub fn select_insert_after(
    lf: LazyFrame,
    schema: &Schema,
    anchor: &str,
    new: Vec<Expr>,
) -> LazyFrame {
    let mut exprs = Vec::with_capacity(schema.len() + new.len());
    let mut new = Some(new);
    for name in schema.iter_names() {
        exprs.push(col(name.as_str()));
        if name.as_str() == anchor
            && let Some(n) = new.take()
        {
            exprs.extend(n);
        }
    }
    lf.select(exprs)
}

/// Replace the column `name` in place (same position).
pub fn replace_column(lf: LazyFrame, name: &str, expr: Expr) -> LazyFrame {
    lf.with_column(expr.alias(name))
}

/// `pattern` compiled, or an error for `param` unless it is a regular expression the engine
/// runs (Rust's regex syntax: no look-around, no back-references).
pub fn check_regex(pattern: &str, param: &'static str) -> OpResult<regex::Regex> {
    regex::Regex::new(pattern).map_err(|e| {
        OpError::new(format!("invalid regular expression: {}", regex_message(&e)))
            .param(param)
            .help("look-around and back-references are not supported; rewrite the pattern without them")
    })
}

fn regex_message(e: &regex::Error) -> String {
    e.to_string()
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("syntax error")
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

declare::params! {
    /// The parameters of an operation on one column and nothing else.
    pub struct SourceOnly {
        source: String = p::SOURCE_COLUMN,
    }
}

/// Parameter spec constants shared by many operations.
pub mod p {
    use crate::recipe::params::{ParamKind, ParamSpec};

    pub const SOURCE_COLUMN: ParamSpec =
        ParamSpec::req("sourceColumn", ParamKind::Column, "The column to work on.");
    pub const TARGET_COLUMN: ParamSpec =
        ParamSpec::req("targetColumn", ParamKind::Column, "Name of the new column.");
    pub const TRUE_STRING: ParamSpec = ParamSpec::def(
        "trueString",
        ParamKind::Text,
        "True",
        "Flag value when the test holds.",
    );
    pub const FALSE_STRING: ParamSpec = ParamSpec::def(
        "falseString",
        ParamKind::Text,
        "False",
        "Flag value when the test does not hold.",
    );
    /// How FILL_WITH_MODE, the row and rolling MODE and REPLACE_WITH_MODE break ties.
    pub const MODE_TYPE: ParamSpec = ParamSpec::def(
        "modeType",
        ParamKind::Choice(&["MINIMUM", "MAXIMUM", "AVERAGE", "NONE"]),
        "NONE",
        "Tie-break: MINIMUM, MAXIMUM, AVERAGE of the tied values, or NONE (smallest).",
    );
    /// k of the KTH_LARGEST operations.
    pub const K: ParamSpec = ParamSpec::req("value", ParamKind::Integer, "k: 1 is the largest.");
    pub const COLUMN_DATA_TYPE: ParamSpec = ParamSpec::opt(
        "columnDataType",
        ParamKind::Text,
        "Data type of the column as DataBrew names it (informational).",
    );
}

/// `pred` restricted to the rows where `condition` (if any) holds.
pub fn restrict(pred: Expr, condition: Option<&Expr>) -> Expr {
    match condition {
        Some(c) => pred.and(c.clone()),
        None => pred,
    }
}

/// How many rows a frame has, in one streaming pass (sources that know it answer at once).
/// A scalar from a one-row frame as f64 (None for null or missing column).
pub fn scalar_f64(df: &DataFrame, name: &str) -> Option<f64> {
    df.column(name)
        .ok()?
        .get(0)
        .ok()
        .and_then(|v| v.extract::<f64>())
}

pub fn scalar_u64(df: &DataFrame, name: &str) -> Option<u64> {
    df.column(name)
        .ok()?
        .get(0)
        .ok()
        .and_then(|v| v.extract::<u64>())
}

/// A literal of the column's numeric type: integers round half away from zero
/// (decisions.md, "Statistics used by steps").
pub fn numeric_literal(value: f64, dtype: &DataType) -> Expr {
    if dtype.is_integer() {
        lit(value.round() as i64).cast(dtype.clone())
    } else {
        lit(value).cast(dtype.clone())
    }
}

/// JSON for a statistic (NaN/inf become null).
pub fn json_f64(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod registry_tests {
    use super::*;
    use crate::recipe::node::{Node, NodeKind, Pos};
    use crate::recipe::params::parse_value;

    /// The planner fills defaults in by parsing them: each must parse as its own kind.
    #[test]
    fn every_declared_default_parses() {
        for spec in all() {
            for p in spec.params {
                if let Some(d) = p.default {
                    let node = Node::new(NodeKind::Str(d.into()), Pos::default());
                    assert!(
                        parse_value(p.kind, &node).is_ok(),
                        "{}: default '{d}' of {} is not a {}",
                        spec.name,
                        p.name,
                        p.kind.describe()
                    );
                }
            }
        }
    }

    #[test]
    fn names_and_parameters_are_unique() {
        let mut names: Vec<&str> = all().map(|s| s.name).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "an operation is registered twice");
        for spec in all() {
            let mut params: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
            let n = params.len();
            params.sort();
            params.dedup();
            assert_eq!(params.len(), n, "{} declares a parameter twice", spec.name);
        }
    }
}
