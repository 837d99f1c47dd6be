//! The recipe job: read the dataset, check the recipe against its schema, compile every step
//! into one lazy plan (running the small statistics queries steps need on the full data),
//! then write the output atomically and report what each step did.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use polars::prelude::*;
use serde::Serialize;

use super::input::Input;
use crate::dataset::{ReadReport, Resolver};
use crate::error::{Diagnostic, Error, Result};
use crate::ops::{ApplyCtx, REMOVED, ROWS, Stats};
use crate::plan::{self, Plan};
use crate::progress::Progress;
use crate::recipe;
use crate::recipe::condition::combine;
use crate::sink::{self, Compression, Destination, OutputFormat, TableMode, WriteOptions};

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The dataset and the recipe (a run needs one).
    pub input: Input,
    /// A path, `s3://bucket/key` or `db://CONNECTION/schema.table`.
    pub output: String,
    pub format: Option<OutputFormat>,
    pub compression: Compression,
    /// Hive-style `col=value/` folders (files and S3 only).
    pub partition_by: Vec<String>,
    /// What a table output does with the table already there.
    pub mode: TableMode,
    pub progress: bool,
}

/// What one step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: usize,
    pub operation: String,
    pub rows_in: Option<u64>,
    pub rows_out: Option<u64>,
    /// Time spent preparing the step: its statistics queries and row counts. The steps run
    /// fused in one plan, whose time is `timing.execute_ms`.
    pub duration_ms: f64,
    pub stats: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputReport {
    pub path: String,
    /// Absent for a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<OutputFormat>,
    pub compression: Compression,
    pub rows: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partition_by: Vec<String>,
    /// The files of a partitioned output.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub read_ms: f64,
    pub plan_ms: f64,
    pub execute_ms: f64,
    pub total_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub datacook_version: &'static str,
    pub recipe: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipe_name: Option<String>,
    pub dataset: ReadReport,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary_datasets: Vec<ReadReport>,
    pub steps: Vec<StepReport>,
    /// The clock and seed NOW, TODAY and the random operations saw.
    pub clock: crate::clock::Settings,
    pub output: OutputReport,
    pub warnings: Vec<Diagnostic>,
    pub timing: Timing,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Load and compile a recipe; structural problems are `Error::Invalid`, warnings returned.
pub fn load_plan(path: &std::path::Path) -> Result<(Plan, Vec<Diagnostic>)> {
    let (recipe, mut warnings) = recipe::load_file(path)?;
    let (plan, diags) = plan::compile(recipe);
    warnings.extend(diags.iter().filter(|d| !d.is_error()).cloned());
    match plan {
        Some(p) => Ok((p, warnings)),
        None => {
            let mut all = diags;
            all.sort_by_key(|d| d.step);
            Err(Error::Invalid(all))
        }
    }
}

/// The schema errors of a plan, with the warnings found before them, in step order (a
/// warning often explains an error: a misspelt parameter leaves a required one missing).
pub fn invalid_with_warnings(warnings: &[Diagnostic], errors: Vec<Diagnostic>) -> Error {
    let mut all: Vec<Diagnostic> = warnings.iter().cloned().chain(errors).collect();
    all.sort_by_key(|d| d.step);
    Error::Invalid(all)
}

pub struct ExecuteResult {
    pub lf: LazyFrame,
    pub steps: Vec<StepReport>,
    /// Rows after the last step, when known.
    pub rows: Option<u64>,
    /// The held input columns statistics were computed on.
    pub held_used: Vec<String>,
}

/// The data a plan starts from.
pub struct ExecuteInput {
    pub lf: LazyFrame,
    /// The row count, when known.
    pub rows: Option<u64>,
    /// Input columns already in memory, every row (see [`batch_statistics`]).
    pub held: Option<DataFrame>,
}

/// When a step cannot tell how many rows it gives (a join, a filter without statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Count them at once, in a pass of their own.
    Now,
    /// When only row-preserving steps follow, leave it to whoever reads the whole output: the
    /// recipe job counts the rows it writes, saving a pass over the data. The steps left
    /// uncounted are the first whose `rows_out` is unknown and those after it.
    AtOutput,
    /// Not at all (unless a later step's statistics count them): no one reads the steps' row
    /// counts (the quality gate).
    Never,
}

/// Fill in the row counts left uncounted from step `first` on (the rows it gives, which every
/// later step keeps), now that they are known to be `rows`.
fn fill_uncounted(steps: &mut [StepReport], first: usize, rows: u64) {
    for (i, step) in steps.iter_mut().enumerate().skip(first) {
        if i > first {
            step.rows_in = Some(rows);
        }
        step.rows_out = Some(rows);
    }
}

/// Add every step to the plan, in order. `rows` is the input row count when known.
///
/// `planned` holds each step's output schema as [`Plan::check`] computed it; with it, the
/// statistics of consecutive steps are computed together in one pass over the data, or with
/// none when `held` (input columns already in memory, every row) holds what they read.
pub fn execute(
    plan: &Plan,
    input: ExecuteInput,
    planned: &[Schema],
    datasets: &dyn Resolver,
    counting: Counting,
    progress: &Progress,
) -> Result<ExecuteResult> {
    let ExecuteInput {
        mut lf,
        mut rows,
        mut held,
    } = input;
    let mut held_used = Vec::new();
    let mut uncounted_from = None;
    let mut reports = Vec::new();
    let mut prefetched: BTreeMap<usize, DataFrame> = BTreeMap::new();
    let total = plan.steps.len();
    for (index, step) in plan.steps.iter().enumerate() {
        progress.message(format!("step {}/{total} {}", step.number, step.spec.name));
        let start = Instant::now();
        let schema = lf.collect_schema()?.as_ref().clone();
        // Behind ONE_HOT_ENCODING or JSON_TO_STRUCTS the plan held placeholders for what only the data
        // names; check such a step again, against the real columns.
        if index > 0 && crate::types::plans_unknowns(&planned[index - 1]) {
            recheck(step, &schema, datasets)?;
        }
        let condition = crate::recipe::condition::combine(&step.conditions, &schema);
        if !prefetched.contains_key(&index) {
            prefetched.extend(batch_statistics(
                plan,
                index,
                &lf,
                &schema,
                planned,
                &mut held,
                &mut held_used,
            )?);
        }
        let mut ctx = ApplyCtx::new(schema, condition, datasets);
        ctx.rows_in = rows;
        ctx.prefetched = prefetched.remove(&index);
        let out = step.op.apply(lf.clone(), &mut ctx).map_err(|e| {
            let d = step.diagnostic(&e);
            if e.runtime && e.message.starts_with("data processing failed") {
                Error::runtime(d.to_string())
            } else {
                Error::Invalid(vec![d])
            }
        })?;
        #[cfg(debug_assertions)]
        assert_planned_schema(step, &out, planned.get(index))?;
        held = match (held, held_past(step)) {
            (Some(h), Some(written)) => Some(h.drop_many(written)),
            _ => None,
        };
        // A later step's statistics counted the rows an earlier step left uncounted.
        if let (Some(first), Some(known)) = (uncounted_from, ctx.rows_in) {
            fill_uncounted(&mut reports, first, known);
            uncounted_from = None;
        }
        let rows_in = ctx.rows_in.or(rows);
        let mut rows_out = if step.op.preserves_rows() {
            rows_in
        } else {
            ctx.rows_out
        };
        if rows_out.is_none() && uncounted_from.is_none() {
            let leave_uncounted = match counting {
                Counting::Now => false,
                Counting::AtOutput => plan.steps[index + 1..]
                    .iter()
                    .all(|s| s.op.preserves_rows()),
                Counting::Never => true,
            };
            if leave_uncounted {
                uncounted_from = Some(index);
            } else {
                rows_out = crate::ops::count_rows(out.clone())?;
            }
        }
        reports.push(StepReport {
            step: step.number,
            operation: step.spec.name.to_string(),
            rows_in,
            rows_out,
            duration_ms: ms(start.elapsed()),
            stats: ctx.stats,
            warnings: ctx.warnings,
        });
        rows = rows_out;
        lf = out;
    }
    Ok(ExecuteResult {
        lf,
        steps: reports,
        rows,
        held_used,
    })
}

/// Debug builds (and so every test) check that a step's plan yields exactly the schema
/// validation promised for it. Steps behind ONE_HOT_ENCODING, whose columns only the data
/// names, are skipped.
#[cfg(debug_assertions)]
fn assert_planned_schema(
    step: &crate::plan::Step,
    out: &LazyFrame,
    planned: Option<&Schema>,
) -> Result<()> {
    let Some(planned) = planned else {
        return Ok(());
    };
    let actual = out.clone().collect_schema()?;
    if crate::types::plans_unknowns(planned) {
        // Columns only the data names: a real column that was planned, or stands where a
        // placeholder stood, has the planned type (a column derived from one the plan could
        // not name, such as a rename of it, is not checked); every planned real column is there.
        for (name, dtype) in actual.iter() {
            let expected = planned
                .get(name)
                .cloned()
                .or_else(|| crate::types::dynamic_type(planned, name));
            if let Some(expected) = expected {
                assert!(
                    crate::types::fits_plan(&expected, dtype),
                    "step {} ({}): column '{name}' was planned as {expected}, is {dtype}",
                    step.number,
                    step.spec.name
                );
            }
        }
        for name in planned
            .iter_names()
            .filter(|n| !crate::ops::is_placeholder(n))
        {
            assert!(
                actual.contains(name),
                "step {} ({}): planned column '{name}' is missing",
                step.number,
                step.spec.name
            );
        }
        return Ok(());
    }
    assert_eq!(
        actual.as_ref(),
        planned,
        "step {} ({}): the planned schema differs from the schema the step produces",
        step.number,
        step.spec.name
    );
    Ok(())
}

/// [`Plan::check`]'s checks of one step, against the schema it really sees.
fn recheck(step: &crate::plan::Step, schema: &Schema, datasets: &dyn Resolver) -> Result<()> {
    for c in &step.conditions {
        if let Err((msg, help)) = c.check(schema) {
            return Err(Error::Invalid(vec![
                Diagnostic::error(msg)
                    .at(Some(step.location.clone()))
                    .in_step(step.number, step.spec.name)
                    .with_help(help),
            ]));
        }
    }
    step.op
        .schema(schema, &crate::ops::SchemaCtx { datasets })
        .map_err(|e| Error::Invalid(vec![step.diagnostic(&e)]))?;
    Ok(())
}

/// A step in a statistics batch: its index, its request, and the batched filter (index,
/// removed-rows statistic) it sits behind, if any.
type Member<'a> = (usize, Stats, Option<(usize, &'a str)>);

/// Compute the statistics of step `first` together with those of the following steps that
/// can share its pass over the data: every step in between keeps all rows and changes no
/// column a later request reads. Past one row filter that counts what it removes, a step may
/// join with statistics over the rows before the filter if it can check from the count that
/// they are exact (ONE_HOT_ENCODING's levels); otherwise the filter ends the batch (aggregates
/// behind it would need the filtered columns held in memory). Returns one frame per step, as
/// [`ApplyCtx::aggregate`] would have.
///
/// `held`, the columns the source kept in memory as it read them, serves the batch when it
/// holds every column the batch reads, as the step sees it: then the statistics are computed
/// in memory, with no pass over the data. It is let go at the first step with statistics.
fn batch_statistics(
    plan: &Plan,
    first: usize,
    lf: &LazyFrame,
    input: &Schema,
    planned: &[Schema],
    held: &mut Option<DataFrame>,
    used: &mut Vec<String>,
) -> Result<BTreeMap<usize, DataFrame>> {
    let members = batch_members(plan, first, input, planned);
    if members.is_empty() {
        return Ok(BTreeMap::new());
    }
    let reads = batch_reads(plan, &members);
    let held = held.take().filter(|h| {
        reads
            .iter()
            .all(|r| input.get(r).is_some_and(|t| h.schema().get(r) == Some(t)))
    });
    if members.len() < 2 && held.is_none() {
        return Ok(BTreeMap::new());
    }
    let mut exprs = vec![len().cast(DataType::UInt64).alias(ROWS)];
    for (j, request, _) in &members {
        for (name, e) in &request.exprs {
            exprs.push(e.clone().alias(format!("{j}:{name}")));
        }
    }
    // Over the held columns, in Polars' in-memory engine (on both cores; the frame is dropped
    // after). Should an expression reach further than its step said it reads, the pass over
    // the data computes it (and reports any error the data itself causes).
    let df = match held.map(|h| h.lazy().select(exprs.clone()).collect()) {
        Some(Ok(df)) => {
            used.extend(reads);
            df
        }
        _ => crate::ops::collect_streaming(lf.clone().select(exprs))?,
    };
    let mut out = BTreeMap::new();
    for (j, request, behind) in members {
        let mut columns = vec![df.column(ROWS)?.clone()];
        if let Some((f, stat)) = behind {
            // The step's own rows are those the filter kept.
            let removed = df
                .column(&format!("{f}:{stat}"))?
                .cast(&DataType::UInt64)?
                .take_materialized_series();
            let all = df.column(ROWS)?.as_materialized_series().clone();
            columns[0] = (&all - &removed)?.with_name(ROWS.into()).into();
            columns.push(removed.with_name(REMOVED.into()).into());
        }
        for (name, _) in &request.exprs {
            columns.push(
                df.column(&format!("{j}:{name}"))?
                    .clone()
                    .with_name((*name).into()),
            );
        }
        out.insert(j, DataFrame::new_infer_height(columns)?);
    }
    Ok(out)
}

/// Every column a batch reads: its statistics' columns and its steps' condition columns.
fn batch_reads(plan: &Plan, members: &[Member]) -> Vec<String> {
    let mut reads: Vec<String> = Vec::new();
    for (j, request, _) in members {
        let conditions = plan.steps[*j].conditions.iter().map(|c| &c.target);
        for r in request.reads.iter().chain(conditions) {
            if !reads.contains(r) {
                reads.push(r.clone());
            }
        }
    }
    reads
}

/// The input columns the recipe's first statistics read, when they are all numbers: what is
/// worth holding in memory as the data is first read ([`batch_statistics`]). `input` is the
/// recipe's input schema, `planned` each step's output schema.
pub fn first_statistics_reads(plan: &Plan, input: &Schema, planned: &[Schema]) -> Vec<String> {
    let mut written: HashSet<String> = HashSet::new();
    for (first, step) in plan.steps.iter().enumerate() {
        let schema = match first {
            0 => input,
            _ => match planned.get(first - 1) {
                Some(s) => s,
                None => return Vec::new(),
            },
        };
        let members = batch_members(plan, first, schema, planned);
        if !members.is_empty() {
            let reads = batch_reads(plan, &members);
            let numeric = |r: &String| {
                !written.contains(r)
                    && matches!(input.get(r), Some(DataType::Int64 | DataType::Float64))
            };
            return match reads.iter().all(numeric) {
                true => reads,
                false => Vec::new(),
            };
        }
        match held_past(step) {
            Some(w) => written.extend(w),
            None => return Vec::new(),
        }
    }
    Vec::new()
}

/// Past `step`, held input columns are still the next step's input, except the columns it
/// writes (returned), when it keeps every row and says what it writes; otherwise `None`.
fn held_past(step: &crate::plan::Step) -> Option<Vec<String>> {
    step.op.preserves_rows().then(|| step.op.writes()).flatten()
}

/// The steps whose statistics share step `first`'s pass (see [`batch_statistics`]); empty
/// when step `first` has none.
fn batch_members<'p>(
    plan: &'p Plan,
    first: usize,
    input: &Schema,
    planned: &[Schema],
) -> Vec<Member<'p>> {
    let steps = &plan.steps;
    let condition_of = |i: usize, schema: &Schema| combine(&steps[i].conditions, schema);
    let Some(request) = steps[first]
        .op
        .stats(input, condition_of(first, input).as_ref())
    else {
        return Vec::new();
    };
    let mut members: Vec<Member> = vec![(first, request, None)];
    let mut written: HashSet<String> = HashSet::new();
    let mut filter: Option<(usize, &str)> = None;
    for j in first + 1..steps.len() {
        let prev = &steps[j - 1];
        let Some(step_input) = planned.get(j - 1) else {
            break;
        };
        if !prev.op.preserves_rows() {
            // Past one batched filter, a step may still join with statistics over the rows
            // before it (superset statistics), when it can check they are exact.
            match prev.op.removed_rows() {
                Some(stat) if filter.is_none() && members.iter().any(|m| m.0 == j - 1) => {
                    filter = Some((j - 1, stat));
                }
                _ => break,
            }
        }
        match prev.op.writes() {
            Some(w) => written.extend(w),
            None => break,
        }
        let own = steps[j]
            .op
            .stats(step_input, condition_of(j, step_input).as_ref());
        let request = match (filter, own) {
            (_, None) => continue,
            (None, Some(r)) => r,
            (Some(_), Some(_)) => match steps[j].op.superset_stats(step_input) {
                Some(s) if steps[j].conditions.is_empty() => s,
                _ => break,
            },
        };
        let mut reads = request
            .reads
            .iter()
            .chain(steps[j].conditions.iter().map(|c| &c.target));
        if !reads.all(|r| input.contains(r) && !written.contains(r)) {
            break;
        }
        members.push((j, request, filter));
    }
    members
}

/// The recipe job.
pub fn run(opts: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let progress = Progress::new(opts.progress);
    let destination = Destination::parse(&opts.output)?;
    let format = match opts.format.or_else(|| destination.implied_format()) {
        Some(f) => f,
        None => {
            return Err(Error::invalid_with_help(
                format!("cannot tell the output format of '{}'", opts.output),
                "use --format csv|parquet|json, or an output name ending in .csv, .parquet or .json",
            ));
        }
    };
    // Before reading anything: a wrong option should not cost a pass over the data.
    sink::check_compression(format, opts.compression)?;
    if destination.is_table() && !opts.partition_by.is_empty() {
        return Err(Error::invalid_with_help(
            "--partition-by writes folders of files, not tables",
            "write to a path or an s3:// prefix to partition",
        ));
    }
    let mut prepared = super::prepare::prepare(&opts.input, Counting::AtOutput, &progress)?;
    let warnings = prepared.warnings.clone();
    for c in &opts.partition_by {
        if !prepared.schema.contains(c) {
            return Err(Error::invalid_with_help(
                format!("--partition-by names '{c}', which the output does not have"),
                crate::error::did_you_mean(c, prepared.schema.iter_names().map(|n| n.as_str()))
                    .unwrap_or_else(|| "name an output column".into()),
            ));
        }
    }
    let dataset_file = std::path::Path::new(&opts.input.dataset);
    let beside = dataset_file
        .is_file()
        .then(|| dataset_file.parent())
        .flatten();
    let sink = destination.sink(prepared.catalogue.connections(), beside)?;

    progress.message(format!("writing {}", sink.describe()));
    let exec_start = Instant::now();
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = match prepared.rows {
        Some(_) => None,
        None => counting_rows(prepared.lf.clone(), &prepared.schema, counter.clone()),
    };
    let counts = counting.is_some();
    let written = sink.write(
        counting.unwrap_or_else(|| prepared.lf.clone()),
        &WriteOptions {
            format,
            compression: opts.compression,
            partition_by: opts.partition_by.clone(),
            mode: opts.mode,
        },
    )?;
    let exec_time = exec_start.elapsed();
    progress.finish();

    let rows_out = prepared.rows.or_else(|| {
        let counted = counts.then(|| counter.load(std::sync::atomic::Ordering::Relaxed))?;
        if let Some(first) = prepared.steps.iter().position(|s| s.rows_out.is_none()) {
            fill_uncounted(&mut prepared.steps, first, counted);
        }
        Some(counted)
    });
    Ok(RunReport {
        datacook_version: env!("CARGO_PKG_VERSION"),
        recipe: opts
            .input
            .recipe
            .as_ref()
            .map(|r| r.display().to_string())
            .unwrap_or_default(),
        recipe_name: prepared.recipe_name.clone(),
        dataset: prepared.dataset.clone(),
        secondary_datasets: prepared.secondary_datasets(),
        steps: prepared.steps.clone(),
        clock: crate::clock::get(),
        output: OutputReport {
            path: written.location,
            format: (!destination.is_table()).then_some(format),
            compression: opts.compression,
            rows: rows_out,
            bytes: written.bytes,
            partition_by: opts.partition_by.clone(),
            files: written.files,
        },
        warnings,
        timing: Timing {
            read_ms: ms(prepared.read_time),
            plan_ms: ms(prepared.plan_time),
            execute_ms: ms(exec_time),
            total_ms: ms(started.elapsed()),
        },
    })
}

/// `lf` with a counter of the rows that pass through it on their way to a sink (its first
/// column is passed through an elementwise function that counts them); None for a frame
/// without columns, which has nothing to count on.
fn counting_rows(
    lf: LazyFrame,
    schema: &Schema,
    counter: Arc<std::sync::atomic::AtomicU64>,
) -> Option<LazyFrame> {
    let first = schema.iter_names().next()?;
    Some(lf.with_column(col(first.clone()).map(
        move |c| {
            counter.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(c)
        },
        |_, f| Ok(f.clone()),
    )))
}

impl RunReport {
    /// The human summary printed after a run.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let fmt_rows = |r: Option<u64>| r.map_or("?".to_string(), |r| r.to_string());
        out.push_str(&format!(
            "dataset {} ({} rows, {} columns)\n",
            self.dataset.dataset,
            fmt_rows(self.dataset.rows),
            self.dataset.columns.len()
        ));
        if let Some(pin) = self.dataset.dialect.as_ref().and_then(|d| d.pin_hint()) {
            out.push_str(&format!("  detected CSV dialect ({pin} pins it)\n"));
        }
        for line in self.dataset.summary_lines() {
            out.push_str(&format!("  {line}\n"));
        }
        for s in &self.steps {
            let stats: Vec<String> = s
                .stats
                .iter()
                .map(|(k, v)| format!("{k}={}", compact(v)))
                .collect();
            let line = format!(
                "step {:>2} {:<26} {:>9} → {:<9} {:>8.1} ms  {}",
                s.step,
                s.operation,
                fmt_rows(s.rows_in),
                fmt_rows(s.rows_out),
                s.duration_ms,
                stats.join(" ")
            );
            out.push_str(line.trim_end());
            out.push('\n');
            for w in &s.warnings {
                out.push_str(&format!("         warning: {w}\n"));
            }
        }
        let size = match (self.output.bytes, self.output.files.len()) {
            (Some(b), 0) => format!(", {b} bytes"),
            (Some(b), n) => format!(", {n} files, {b} bytes"),
            (None, _) => String::new(),
        };
        out.push_str(&format!(
            "wrote {} ({} rows{size}) in {:.1} ms\n",
            self.output.path,
            fmt_rows(self.output.rows),
            self.timing.total_ms
        ));
        out
    }
}

fn compact(v: &serde_json::Value) -> String {
    crate::display::value(v, 6, "null")
}

/// Run a recipe (given as text) over an in-memory frame: parse, check against the frame's
/// schema, execute, collect. `file` names the recipe in messages and picks JSON or YAML by
/// its extension. Used by tests and by programs embedding datacook.
pub fn run_on_frame(
    recipe_text: &str,
    file: &str,
    df: DataFrame,
    datasets: &dyn Resolver,
) -> Result<(DataFrame, Vec<StepReport>)> {
    let (recipe, _) = recipe::load_str(recipe_text, file)?;
    let (plan, diags) = plan::compile(recipe);
    let Some(plan) = plan else {
        return Err(Error::Invalid(diags));
    };
    let planned = plan.check(df.schema(), datasets).map_err(Error::Invalid)?;
    let rows = df.height() as u64;
    let input = ExecuteInput {
        lf: df.lazy(),
        rows: Some(rows),
        held: None,
    };
    let executed = execute(
        &plan,
        input,
        &planned,
        datasets,
        Counting::Now,
        &Progress::hidden(),
    )?;
    let out = executed.lf.collect()?;
    #[cfg(debug_assertions)]
    if let Some(last) = planned.last()
        && !crate::types::plans_unknowns(last)
    {
        assert_eq!(
            out.schema().as_ref(),
            last,
            "the output frame's schema differs from the planned one"
        );
    }
    Ok((out, executed.steps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::NoDatasets;

    /// Run `steps` (YAML) on `df`, with `held` as the columns held in memory: the output and
    /// the held columns the statistics used.
    fn run_holding(steps: &str, df: DataFrame, held: DataFrame) -> (DataFrame, Vec<String>) {
        let text = format!("name: t\nsteps:\n{steps}");
        let (recipe, _) = recipe::load_str(&text, "t.yaml").unwrap();
        let plan = plan::compile(recipe).0.unwrap();
        let planned = plan.check(df.schema(), &NoDatasets).unwrap();
        let input = ExecuteInput {
            rows: Some(df.height() as u64),
            lf: df.lazy(),
            held: Some(held),
        };
        let hidden = Progress::hidden();
        let out = execute(&plan, input, &planned, &NoDatasets, Counting::Now, &hidden).unwrap();
        (out.lf.collect().unwrap(), out.held_used)
    }

    /// The held frame here holds other values than the data, so whether a statistic used it
    /// shows in the output: it serves the statistics only while it is still their input.
    #[test]
    fn held_columns_serve_statistics_only_while_they_are_the_steps_input() {
        let df = df!("a" => [Some(1i64), None, Some(3), Some(5), Some(5)],
                     "b" => ["x", "y", "x", "z", "z"])
        .unwrap();
        let held = df!("a" => [Some(100i64), None, Some(100), Some(100), Some(100)]).unwrap();
        let median = "  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: a}\n";
        let a = |out: &DataFrame| -> Vec<Option<i64>> {
            out.column("a").unwrap().i64().unwrap().iter().collect()
        };
        let (out, used) = run_holding(median, df.clone(), held.clone());
        assert_eq!(
            a(&out)[1],
            Some(100),
            "the held column is the median's input"
        );
        assert_eq!(used, ["a"]);

        let dedupe = "  - operation: DELETE_DUPLICATE_ROWS\n    parameters: {}\n";
        let (out, used) = run_holding(&format!("{dedupe}{median}"), df.clone(), held.clone());
        assert_eq!(
            a(&out),
            [Some(1), Some(3), Some(3), Some(5)],
            "the median of 1, 3, 5"
        );
        assert!(used.is_empty(), "rows were dropped before the median");

        let fill =
            "  - operation: FILL_WITH_CUSTOM\n    parameters: {sourceColumn: a, value: '7'}\n";
        let (out, used) = run_holding(&format!("{fill}{median}"), df, held);
        assert_eq!(a(&out), [Some(1), Some(7), Some(3), Some(5), Some(5)]);
        assert!(used.is_empty(), "the column was written before the median");
    }
}
