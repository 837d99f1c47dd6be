//! Computing a profile from mergeable per-column accumulators.
//!
//! Each profiled column is reduced to a table of its distinct values with their counts — an
//! accumulator that merges by adding counts, which Polars' streaming engine builds per chunk on
//! every core and merges. All the tables, the dataset's duplicate-row count and the sums behind
//! the correlations come out of one streaming pass over the data (the plans share one scan);
//! a file's integer keys are counted by sorting instead, chosen on its first rows.
//! Every statistic then follows exactly from the tables: counts, distinct and unique values,
//! entropy, mode, most common values, smallest and largest values, sum, mean, variance,
//! moments, exact quantiles (by rank over the sorted distinct values), the median absolute
//! deviation, z-score outliers and the bins of both distributions.
//!
//! Conventions follow [`crate::stats`]: present values only (missing = null or empty text;
//! a float's NaN is not measured), text measured by its length (in characters), sample standard
//! deviation and variance, quantiles interpolated linearly between closest ranks, population
//! skewness and excess kurtosis. Ties (mode, most common values) go to the smaller value, so a
//! profile is deterministic.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

use super::config::{ColumnPlan, Kind, ProfileConfig};
use crate::error::Result;
use crate::recipe::condition::row_keys;

/// One profiled column: its name, type, kind and statistics plan.
pub struct Target {
    pub name: String,
    pub dtype: DataType,
    pub kind: Kind,
    pub plan: ColumnPlan,
}

/// DataBrew's type name for a Polars type, or None when it does not profile it.
pub fn type_name(dtype: &DataType) -> Option<(&'static str, Kind)> {
    Some(match dtype {
        DataType::Int8 => ("byte", Kind::Numeric),
        DataType::Int16 => ("short", Kind::Numeric),
        DataType::Int32 | DataType::UInt8 | DataType::UInt16 => ("int", Kind::Numeric),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ("long", Kind::Numeric),
        DataType::Float32 => ("float", Kind::Numeric),
        DataType::Float64 => ("double", Kind::Numeric),
        DataType::String => ("string", Kind::Text),
        DataType::Boolean => ("boolean", Kind::Boolean),
        _ => return None,
    })
}

pub fn targets(schema: &Schema, config: &ProfileConfig) -> Vec<Target> {
    schema
        .iter()
        .filter(|(n, _)| config.profiles(n))
        .filter_map(|(n, d)| {
            let (_, kind) = type_name(d)?;
            Some(Target {
                name: n.to_string(),
                dtype: d.clone(),
                kind,
                plan: config.column_plan(n, kind),
            })
        })
        .collect()
}

fn num(v: Option<f64>) -> Json {
    v.filter(|x| x.is_finite()).map_or(Json::Null, |x| {
        if x.fract() == 0.0 && x.abs() < 9e15 {
            json!(x as i64)
        } else {
            json!(x)
        }
    })
}

/// A JSON value for a cell of the original column (integers exact).
fn any_json(v: &AnyValue) -> Json {
    match v {
        AnyValue::Null => Json::Null,
        AnyValue::Boolean(b) => json!(b),
        AnyValue::String(s) => json!(s),
        AnyValue::StringOwned(s) => json!(s.as_str()),
        AnyValue::Int8(_) | AnyValue::Int16(_) | AnyValue::Int32(_) | AnyValue::Int64(_) => {
            v.extract::<i64>().map_or(Json::Null, |i| json!(i))
        }
        AnyValue::UInt8(_) | AnyValue::UInt16(_) | AnyValue::UInt32(_) | AnyValue::UInt64(_) => {
            v.extract::<u64>().map_or(Json::Null, |i| json!(i))
        }
        other => num(other.extract::<f64>()),
    }
}

/// Measured values (numbers, or text lengths) with their counts, ascending.
#[derive(Debug, Default)]
struct Measures {
    values: Vec<f64>,
    counts: Vec<u64>,
    /// How many values (the sum of `counts`), and their sum.
    n: u64,
    sum: f64,
}

impl Measures {
    fn new(values: Vec<f64>, counts: Vec<u64>) -> Self {
        let n = counts.iter().sum();
        let sum = values.iter().zip(&counts).map(|(v, c)| v * *c as f64).sum();
        Measures {
            values,
            counts,
            n,
            sum,
        }
    }

    fn n(&self) -> u64 {
        self.n
    }

    fn weighted(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.values
            .iter()
            .zip(&self.counts)
            .map(|(v, c)| f(*v) * *c as f64)
            .sum()
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Σ (v − mean)^k / n: the population central moment.
    fn moment(&self, k: i32) -> Option<f64> {
        let mean = self.mean()?;
        Some(self.weighted(|v| (v - mean).powi(k)) / self.n() as f64)
    }

    fn variance(&self) -> Option<f64> {
        let n = self.n();
        let mean = self.mean()?;
        (n > 1).then(|| self.weighted(|v| (v - mean).powi(2)) / (n - 1) as f64)
    }

    /// Running totals of the counts: `cumulative[i]` values are at rank < cumulative[i].
    fn cumulative(&self) -> Vec<u64> {
        self.counts
            .iter()
            .scan(0u64, |acc, c| {
                *acc += c;
                Some(*acc)
            })
            .collect()
    }

    /// Linear interpolation between closest ranks (numpy's default).
    fn quantile(&self, p: f64) -> Option<f64> {
        self.quantiles(&[p]).pop().flatten()
    }

    /// Several quantiles over one set of running totals.
    fn quantiles(&self, ps: &[f64]) -> Vec<Option<f64>> {
        let n = self.n();
        if n == 0 {
            return vec![None; ps.len()];
        }
        let cumulative = self.cumulative();
        let at_rank = |r: u64| {
            let i = cumulative.partition_point(|c| *c <= r);
            self.values[i.min(self.values.len() - 1)]
        };
        ps.iter()
            .map(|p| {
                let h = (n - 1) as f64 * p;
                let lo = h.floor() as u64;
                let (a, b) = (at_rank(lo), at_rank((lo + 1).min(n - 1)));
                Some(a + (h - lo as f64) * (b - a))
            })
            .collect()
    }

    /// Median of |x − median|: the deviations below and above the median are each sorted
    /// already, so merging them keeps this linear.
    fn mad(&self, median: f64) -> Option<f64> {
        let split = self.values.partition_point(|v| *v < median);
        let below = (0..split)
            .rev()
            .map(|i| (median - self.values[i], self.counts[i]));
        let above = (split..self.values.len()).map(|i| (self.values[i] - median, self.counts[i]));
        let (mut below, mut above) = (below.peekable(), above.peekable());
        let (mut values, mut counts) = (Vec::new(), Vec::new());
        loop {
            let next = match (below.peek(), above.peek()) {
                (Some(b), Some(a)) if b.0 <= a.0 => below.next(),
                (Some(_), Some(_)) => above.next(),
                (Some(_), None) => below.next(),
                (None, Some(_)) => above.next(),
                (None, None) => break,
            };
            if let Some((d, c)) = next {
                values.push(d);
                counts.push(c);
            }
        }
        Measures::new(values, counts).quantile(0.5)
    }

    /// The most frequent value; ties go to the smaller.
    fn mode(&self) -> Option<f64> {
        let max = *self.counts.iter().max()?;
        self.values
            .iter()
            .zip(&self.counts)
            .find(|(_, c)| **c == max)
            .map(|(v, _)| *v)
    }

    /// Counts per equal-width bin over [lo, hi] of `f(value)`.
    fn bins(&self, lo: f64, hi: f64, k: usize, f: impl Fn(f64) -> f64) -> Vec<u64> {
        let mut out = vec![0u64; k];
        let width = (hi - lo) / k as f64;
        for (v, c) in self.values.iter().zip(&self.counts) {
            let idx = if width > 0.0 {
                (((f(*v) - lo) / width).floor().max(0.0) as usize).min(k - 1)
            } else {
                0
            };
            out[idx] += c;
        }
        out
    }
}

/// A column's accumulator, read back: the distinct values with their counts.
struct Table {
    /// The present values and their counts (columns: the value, `count`).
    present: DataFrame,
    /// The smallest and largest present values, as they are.
    min: Json,
    max: Json,
    missing: u64,
    /// Present values (as they are) with counts, and how many appear once.
    distinct: u64,
    unique: u64,
    entropy: f64,
    measures: Measures,
}

/// The Shannon entropy (natural log) of a distribution given by its counts. The counts come
/// in no set order (a group-by's); summed in count order, the entropy is the same in every
/// run, to the last digit.
fn entropy(counts: &mut [u64]) -> f64 {
    counts.sort_unstable();
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|c| {
            let p = *c as f64 / n as f64;
            -p * p.ln()
        })
        .sum()
}

fn read_table(name: &str, dtype: &DataType, frame: DataFrame) -> Result<Table> {
    let value = col(name);
    let count = col("count").cast(DataType::UInt64);
    let is_missing = crate::stats::missing(name, dtype);
    let missing = frame
        .clone()
        .lazy()
        .filter(is_missing.clone())
        .select([count.clone().sum().alias("missing")])
        .collect()?;
    // The present values, filtered once for every statistic and list below.
    let present = frame.lazy().filter(is_missing.not()).collect()?;
    let summary = present
        .clone()
        .lazy()
        .select([
            count
                .clone()
                .eq(lit(1u64))
                .sum()
                .cast(DataType::UInt64)
                .alias("unique"),
            value.clone().min().alias("min"),
            value.clone().max().alias("max"),
        ])
        .collect()?;
    let mut counts: Vec<u64> = present
        .column("count")?
        .cast(&DataType::UInt64)?
        .u64()?
        .into_no_null_iter()
        .collect();
    let entropy = entropy(&mut counts);
    // The measured values, ascending: the values themselves, or text lengths.
    let measured = match dtype {
        DataType::String => present
            .clone()
            .lazy()
            .group_by([value.str().len_chars().cast(DataType::Float64).alias("m")])
            .agg([count.sum().alias("count")]),
        _ => {
            let m = value.cast(DataType::Float64);
            present
                .clone()
                .lazy()
                .select([m.alias("m"), count])
                .filter(col("m").is_not_nan())
        }
    }
    .sort(["m"], SortMultipleOptions::default())
    .collect()?;
    let values: Vec<f64> = measured.column("m")?.f64()?.into_no_null_iter().collect();
    let measure_counts: Vec<u64> = measured
        .column("count")?
        .u64()?
        .into_no_null_iter()
        .collect();
    let u = |c: &str| crate::ops::scalar_u64(&summary, c).unwrap_or(0);
    let exact = |c: &str| {
        summary
            .column(c)
            .ok()
            .and_then(|col| col.get(0).ok().map(|v| any_json(&v)))
            .unwrap_or(Json::Null)
    };
    Ok(Table {
        min: exact("min"),
        max: exact("max"),
        missing: crate::ops::scalar_u64(&missing, "missing").unwrap_or(0),
        distinct: present.height() as u64,
        unique: u("unique"),
        entropy: entropy.max(0.0),
        measures: Measures::new(values, measure_counts),
        present,
    })
}

/// `[{value, count}]` of the present values, sorted by count (ties: smaller value first) or
/// by value.
fn top(
    table: &Table,
    name: &str,
    dtype: &DataType,
    limit: usize,
    by_count: bool,
    descending: bool,
) -> Result<Vec<Json>> {
    let present = table.present.clone().lazy();
    let present = if dtype.is_float() {
        present.filter(col(name).is_not_nan())
    } else {
        present
    };
    let sorted = if by_count {
        present.sort_by_exprs(
            [col("count"), col(name)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
    } else {
        present.sort(
            [name],
            SortMultipleOptions::default().with_order_descending(descending),
        )
    };
    let limited = if limit == usize::MAX {
        sorted
    } else {
        sorted.limit(limit as IdxSize)
    };
    let df = limited.collect()?;
    let (values, counts) = (df.column(name)?, df.column("count")?);
    Ok((0..df.height())
        .filter_map(|i| {
            let v = values.get(i).ok()?;
            let n = counts.get(i).ok()?.extract::<u64>()?;
            Some(json!({"value": any_json(&v), "count": n}))
        })
        .collect())
}

/// Rows profiled, duplicate rows (when computed), and one JSON object per column.
pub type Profiled = (u64, Option<u64>, Vec<Map<String, Json>>);

/// Profile every target column, in one streaming pass over the data.
///
/// `file_rows` is the row count when `source` reads a file's rows as they are (no recipe, no
/// random sample): then integer key columns may be counted by sorting ([`mostly_distinct`]).
pub fn profile(
    source: &LazyFrame,
    schema: &Schema,
    config: &ProfileConfig,
    targets: &[Target],
    file_rows: Option<u64>,
) -> Result<Profiled> {
    let sorted = match file_rows {
        Some(rows) => mostly_distinct(source, targets, rows)?,
        None => Vec::new(),
    };
    let mut plans: Vec<DslPlan> = Vec::new();
    for t in targets {
        let column = source.clone().select([col(t.name.as_str())]);
        plans.push(match sorted.contains(&t.name) {
            true => column.logical_plan,
            false => {
                column
                    .group_by([col(t.name.as_str())])
                    .agg([len().alias("count")])
                    .logical_plan
            }
        });
    }
    let correlated = correlation_columns(config, targets)?;
    let mut dataset = vec![len().cast(DataType::UInt64).alias("__rows")];
    for (i, a) in correlated.iter().enumerate() {
        for (j, b) in correlated.iter().enumerate().skip(i + 1) {
            dataset.extend(pair_sums(a, b, &pair_tag(i, j)));
        }
    }
    let duplicates_wanted = config.dataset_has("DUPLICATE_ROWS_COUNT") && !schema.is_empty();
    if duplicates_wanted {
        // Rows are compared through a 64-bit hash in this pass; when some hash repeats, the
        // rows behind repeated hashes are compared exactly (see `exact_duplicates`).
        plans.push(repeated_hashes(source, schema).logical_plan);
    }
    plans.push(source.clone().select(dataset).logical_plan);
    let mut frames =
        LazyFrame::collect_all_with_engine(plans, Engine::Streaming, OptFlags::default())?;
    let dataset = frames.pop().unwrap_or_default();
    let rows = crate::ops::scalar_u64(&dataset, "__rows").unwrap_or(0);
    let duplicates = match duplicates_wanted {
        true => Some(exact_duplicates(
            source,
            schema,
            repeated(frames.pop().unwrap_or_default())?,
        )?),
        false => None,
    };

    let correlations = correlation_matrix(&dataset, &correlated);
    let mut out = Vec::new();
    for (t, frame) in targets.iter().zip(frames) {
        let frame = match sorted.contains(&t.name) {
            true => table_by_sorting(frame, &t.name)?,
            false => frame,
        };
        let table = read_table(&t.name, &t.dtype, frame)?;
        out.push(column_json(t, &table, &correlated, &correlations)?);
    }
    Ok((rows, duplicates, out))
}

/// Rows sampled from the data's start to tell which integer columns are mostly distinct, and
/// the fewest that tell anything.
const SAMPLE_ROWS: IdxSize = 100_000;
const MIN_SAMPLE_ROWS: u64 = 1000;

/// The integer columns whose first rows are mostly distinct values (a key, an id): their
/// table of distinct values is built by sorting the column (the column, then its values
/// sorted: 16 bytes a row at most), where Polars' streaming hash table took about 90 bytes a
/// distinct key. Either way the table is exact; the sample only guesses which way is cheaper
/// (a key that repeats later, such as a foreign key, costs more sorted). The sorted columns
/// stay within the memory held columns may take ([`crate::dataset::held::hold_limit`]).
fn mostly_distinct(source: &LazyFrame, targets: &[Target], rows: u64) -> Result<Vec<String>> {
    let fit = crate::dataset::held::hold_limit()? as u64 / rows.saturating_mul(16).max(1);
    let integers: Vec<&Target> = targets
        .iter()
        .filter(|t| t.dtype == DataType::Int64)
        .collect();
    if integers.is_empty() {
        return Ok(Vec::new());
    }
    let mut exprs = vec![len().cast(DataType::UInt64).alias("__rows")];
    for (i, t) in integers.iter().enumerate() {
        exprs.push(
            col(t.name.as_str())
                .n_unique()
                .cast(DataType::UInt64)
                .alias(format!("__{i}")),
        );
    }
    let sample = crate::types::collect_streaming(source.clone().limit(SAMPLE_ROWS).select(exprs))?;
    let sampled = crate::ops::scalar_u64(&sample, "__rows").unwrap_or(0);
    Ok(integers
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let distinct = crate::ops::scalar_u64(&sample, &format!("__{i}")).unwrap_or(0);
            sampled >= MIN_SAMPLE_ROWS && distinct * 2 > sampled
        })
        .map(|(_, t)| t.name.clone())
        .take(fit as usize)
        .collect())
}

/// The table of distinct values and counts (columns `name` and `count`, as a group-by gives
/// it, missing values as a null value) of an integer column, by sorting its values.
fn table_by_sorting(frame: DataFrame, name: &str) -> Result<DataFrame> {
    let (nulls, mut all) = {
        let column = frame.column(name)?.i64()?;
        let values: Vec<i64> = column.iter().flatten().collect();
        (column.null_count(), values)
    };
    drop(frame);
    all.sort_unstable();
    let (mut values, mut counts): (Vec<i64>, Vec<IdxSize>) = (Vec::new(), Vec::new());
    for run in all.chunk_by(|a, b| a == b) {
        values.push(run[0]);
        counts.push(run.len() as IdxSize);
    }
    drop(all);
    let mut values = Int64Chunked::from_vec(name.into(), values);
    if nulls > 0 {
        values.append(&Int64Chunked::full_null(name.into(), 1))?;
        counts.push(nulls as IdxSize);
    }
    Ok(DataFrame::new_infer_height(vec![
        values.into_column(),
        IdxCa::from_vec("count".into(), counts).into_column(),
    ])?)
}

/// A 64-bit hash of each row; empty text and null hash alike (as DELETE_DUPLICATE_ROWS
/// compares them).
fn row_hash(schema: &Schema) -> Expr {
    as_struct(row_keys(schema)).hash(0x5eed, 0xda7a, 0xc00c, 0x0b5e)
}

/// Every row's hash (column `__hash`), for [`repeated`].
fn repeated_hashes(source: &LazyFrame, schema: &Schema) -> LazyFrame {
    source.clone().select([row_hash(schema).alias("__hash")])
}

/// The hashes that occur more than once, found by sorting them: eight bytes a row, where a
/// table of the distinct hashes would take several times that.
fn repeated(hashes: DataFrame) -> Result<DataFrame> {
    let mut all: Vec<u64> = hashes
        .column("__hash")?
        .u64()?
        .into_no_null_iter()
        .collect();
    drop(hashes);
    all.sort_unstable();
    let out: Vec<u64> = all
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() > 1)
        .map(|run| run[0])
        .collect();
    Ok(DataFrame::new_infer_height(vec![
        UInt64Chunked::from_vec("__hash".into(), out).into_column(),
    ])?)
}

/// Rows repeating an earlier row, counted exactly among the rows whose hash repeats (almost
/// always the true duplicates, so few rows are compared in full).
fn exact_duplicates(source: &LazyFrame, schema: &Schema, repeated: DataFrame) -> Result<u64> {
    if repeated.height() == 0 {
        return Ok(0);
    }
    let hashes = repeated.column("__hash")?.as_materialized_series().clone();
    let keys = row_keys(schema);
    let names: Vec<Expr> = schema.iter_names().map(|n| col(n.as_str())).collect();
    let groups = source
        .clone()
        .filter(row_hash(schema).is_in(lit(hashes).implode(false), false))
        .select(keys)
        .group_by(names)
        .agg([len().cast(DataType::UInt64).alias("__n")])
        .select([(col("__n") - lit(1u64)).sum().alias("__dups")])
        .collect()?;
    Ok(crate::ops::scalar_u64(&groups, "__dups").unwrap_or(0))
}

/// The sums behind a Pearson correlation, over the rows where both values are present
/// (elementwise, so they stream: a value counts as 0 where its partner is missing).
fn pair_sums(a: &str, b: &str, prefix: &str) -> Vec<Expr> {
    // x + 0·y is null where y is: sums over these skip rows missing either value.
    let (xa, yb) = (
        col(a).cast(DataType::Float64),
        col(b).cast(DataType::Float64),
    );
    let x = xa.clone() + yb.clone() * lit(0.0);
    let y = yb + xa * lit(0.0);
    let tag = |s: &str| format!("{prefix}{s}");
    vec![
        x.clone().count().cast(DataType::Float64).alias(tag("n")),
        x.clone().sum().alias(tag("x")),
        y.clone().sum().alias(tag("y")),
        (x.clone() * x.clone()).sum().alias(tag("xx")),
        (y.clone() * y.clone()).sum().alias(tag("yy")),
        (x * y).sum().alias(tag("xy")),
    ]
}

/// The prefix of a column pair's sums: by position, since names may hold any character.
fn pair_tag(i: usize, j: usize) -> String {
    format!("__corr:{i}:{j}:")
}

fn correlation_matrix(
    dataset: &DataFrame,
    columns: &[String],
) -> BTreeMap<(String, String), Option<f64>> {
    let mut out = BTreeMap::new();
    for (i, a) in columns.iter().enumerate() {
        for (j, b) in columns.iter().enumerate().skip(i + 1) {
            let prefix = pair_tag(i, j);
            let g = |s: &str| crate::ops::scalar_f64(dataset, &format!("{prefix}{s}"));
            let r = match (g("n"), g("x"), g("y"), g("xx"), g("yy"), g("xy")) {
                (Some(n), Some(x), Some(y), Some(xx), Some(yy), Some(xy)) if n > 1.0 => {
                    let cov = n * xy - x * y;
                    let den = ((n * xx - x * x) * (n * yy - y * y)).sqrt();
                    (den > 0.0).then(|| (cov / den).clamp(-1.0, 1.0))
                }
                _ => None,
            };
            out.insert((a.clone(), b.clone()), r);
        }
    }
    out
}

/// The numeric columns correlated: the first `columnNumber` (default 10, "ALL") or those
/// the `columnSelectors` parameter picks.
fn correlation_columns(config: &ProfileConfig, targets: &[Target]) -> Result<Vec<String>> {
    if !config.dataset_has("CORRELATION") {
        return Ok(Vec::new());
    }
    let numeric: Vec<&Target> = targets.iter().filter(|t| t.kind == Kind::Numeric).collect();
    if let Some(text) = config.dataset_param("CORRELATION", "columnSelectors") {
        let list = crate::recipe::load::parse_document(&text, "CORRELATION columnSelectors")?;
        let mut errors = Vec::new();
        let selectors = super::config::Selector::read_list(&list, &mut errors, &|_| None);
        if !errors.is_empty() {
            return Err(crate::Error::Invalid(errors));
        }
        return Ok(numeric
            .iter()
            .filter(|t| selectors.iter().any(|s| s.matches(&t.name)))
            .map(|t| t.name.clone())
            .collect());
    }
    let limit = match config.dataset_param("CORRELATION", "columnNumber") {
        Some(v) if v.eq_ignore_ascii_case("ALL") => usize::MAX,
        Some(v) => v.trim().parse().unwrap_or(10),
        None => 10,
    };
    Ok(numeric.iter().take(limit).map(|t| t.name.clone()).collect())
}

fn column_json(
    t: &Target,
    table: &Table,
    correlated: &[String],
    correlations: &BTreeMap<(String, String), Option<f64>>,
) -> Result<Map<String, Json>> {
    let plan = &t.plan;
    let name = t.name.as_str();
    let m = &table.measures;
    let mut c = Map::new();
    let put = |c: &mut Map<String, Json>, stat: &str, key: &str, v: Json| {
        if plan.has(stat) {
            c.insert(key.to_string(), v);
        }
    };
    c.insert("name".into(), json!(name));
    c.insert(
        "type".into(),
        json!(type_name(&t.dtype).map_or("unknown", |x| x.0)),
    );
    if correlated.iter().any(|x| x == name) {
        let mut corr = Map::new();
        for other in correlated {
            let r = if other == name {
                Some(1.0)
            } else {
                correlations
                    .get(&(name.to_string(), other.clone()))
                    .or_else(|| correlations.get(&(other.clone(), name.to_string())))
                    .copied()
                    .flatten()
            };
            corr.insert(other.clone(), num(r));
        }
        c.insert("correlations".into(), Json::Object(corr));
    }
    c.insert("columnConfigurationOverride".into(), json!({}));
    put(
        &mut c,
        "DISTINCT_VALUES_COUNT",
        "distinctValuesCount",
        json!(table.distinct),
    );
    put(
        &mut c,
        "UNIQUE_VALUES_COUNT",
        "uniqueValuesCount",
        json!(table.unique),
    );
    put(&mut c, "ENTROPY", "entropy", num(Some(table.entropy)));
    if plan.has("MOST_COMMON_VALUES") {
        let mcv = top(
            table,
            name,
            &t.dtype,
            plan.sample("MOST_COMMON_VALUES", 50),
            true,
            false,
        )?;
        c.insert("mostCommonValues".into(), Json::Array(mcv));
    }
    put(
        &mut c,
        "MISSING_VALUES_COUNT",
        "missingValuesCount",
        json!(table.missing),
    );
    if t.kind == Kind::Boolean {
        return Ok(c);
    }
    let mean = m.mean();
    let m2 = m.moment(2);
    let ratio = |k: i32, power: f64, minus: f64| match (m.moment(k), m2) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b.powf(power) - minus),
        _ => None,
    };
    let variance = m.variance();
    let sd = variance.map(f64::sqrt);
    let (min, max) = (m.values.first().copied(), m.values.last().copied());
    // Integers: the extremes as they are (beyond 2^53 an f64 would round them).
    let extreme = |exact: &Json, fallback: Option<f64>| -> Result<Json> {
        Ok(if t.dtype.is_integer() {
            exact.clone()
        } else {
            num(fallback)
        })
    };
    put(&mut c, "KURTOSIS", "kurtosis", num(ratio(4, 2.0, 3.0)));
    if plan.has("MAX") {
        c.insert("max".into(), extreme(&table.max, max)?);
    }
    put(&mut c, "MEAN", "mean", num(mean));
    if plan.has("MIN") {
        c.insert("min".into(), extreme(&table.min, min)?);
    }
    put(&mut c, "SKEWNESS", "skewness", num(ratio(3, 1.5, 0.0)));
    put(&mut c, "STANDARD_DEVIATION", "standardDeviation", num(sd));
    put(&mut c, "SUM", "sum", num(Some(m.sum)));
    let zeros: u64 = m
        .values
        .iter()
        .zip(&m.counts)
        .filter(|(v, _)| **v == 0.0)
        .map(|(_, c)| c)
        .sum();
    put(&mut c, "ZEROS_COUNT", "zerosCount", json!(zeros));
    put(&mut c, "VARIANCE", "variance", num(variance));
    put(
        &mut c,
        "RANGE",
        "range",
        num(max.zip(min).map(|(a, b)| a - b)),
    );
    let q = m.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]);
    for (v, key) in q.iter().zip([
        "percentile5",
        "percentile25",
        "",
        "percentile75",
        "percentile95",
    ]) {
        if !key.is_empty() {
            put(&mut c, "PERCENTILES", key, num(*v));
        }
    }
    put(&mut c, "MEDIAN", "median", num(q[2]));
    put(
        &mut c,
        "INTER_QUARTILE_RANGE",
        "interquartileRange",
        num(q[3].zip(q[1]).map(|(a, b)| a - b)),
    );
    put(&mut c, "MODE", "mode", num(m.mode()));
    if t.kind == Kind::Numeric {
        if plan.has("MINIMUM_VALUES") {
            c.insert(
                "minimumValues".into(),
                Json::Array(top(
                    table,
                    name,
                    &t.dtype,
                    plan.sample("MINIMUM_VALUES", 5),
                    false,
                    false,
                )?),
            );
        }
        if plan.has("MAXIMUM_VALUES") {
            c.insert(
                "maximumValues".into(),
                Json::Array(top(
                    table,
                    name,
                    &t.dtype,
                    plan.sample("MAXIMUM_VALUES", 5),
                    false,
                    true,
                )?),
            );
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        let k = plan.param("VALUE_DISTRIBUTION", "binNumber", 20.0).max(1.0) as usize;
        let counts = m.bins(lo, hi, k, |v| v);
        put(
            &mut c,
            "VALUE_DISTRIBUTION",
            "valueDistribution",
            Json::Array(buckets(lo, hi, &counts, false, t.dtype.is_integer())),
        );
    }
    let threshold = plan.param("OUTLIER_DETECTION", "threshold", 3.0);
    let z = |v: f64| match (mean, sd) {
        (Some(mu), Some(s)) if s > 0.0 => Some((v - mu) / s),
        _ => None,
    };
    let mut outliers: Vec<(f64, f64, u64)> = m
        .values
        .iter()
        .zip(&m.counts)
        .filter_map(|(v, c)| {
            z(*v)
                .filter(|z| z.abs() > threshold)
                .map(|z| (z.abs(), *v, *c))
        })
        .collect();
    outliers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
    let sample_size = plan.sample("OUTLIER_DETECTION", 50);
    let sample: Vec<Json> = outliers
        .iter()
        .flat_map(|(_, v, c)| std::iter::repeat_n(num(Some(*v)), *c as usize))
        .take(sample_size)
        .collect();
    put(
        &mut c,
        "OUTLIER_DETECTION",
        "zScoreOutliersCount",
        json!(outliers.iter().map(|o| o.2).sum::<u64>()),
    );
    put(
        &mut c,
        "OUTLIER_DETECTION",
        "zScoreOutliersSample",
        Json::Array(sample),
    );
    if let Some(mild) = plan
        .params
        .get("OUTLIER_DETECTION")
        .and_then(|p| p.get("mildThreshold"))
        .and_then(|v| v.parse::<f64>().ok())
    {
        let count: u64 = m
            .values
            .iter()
            .zip(&m.counts)
            .filter(|(v, _)| z(**v).is_some_and(|z| z.abs() > mild && z.abs() <= threshold))
            .map(|(_, c)| c)
            .sum();
        put(
            &mut c,
            "OUTLIER_DETECTION",
            "zScoreMildOutliersCount",
            json!(count),
        );
    }
    if let (Some(lo), Some(hi), Some(mu), Some(s)) = (min, max, mean, sd)
        && s > 0.0
    {
        let k = plan
            .param("Z_SCORE_DISTRIBUTION", "binNumber", 20.0)
            .max(1.0) as usize;
        let (zlo, zhi) = ((lo - mu) / s, (hi - mu) / s);
        let counts = m.bins(zlo, zhi, k, |v| (v - mu) / s);
        put(
            &mut c,
            "Z_SCORE_DISTRIBUTION",
            "zScoreDistribution",
            Json::Array(buckets(zlo, zhi, &counts, true, false)),
        );
    }
    put(
        &mut c,
        "MEDIAN_ABSOLUTE_DEVIATION",
        "medianAbsoluteDeviation",
        num(q[2].and_then(|median| m.mad(median))),
    );
    Ok(c)
}

/// `[{bucket: [lo, hi], count}]`, equal-width; the last upper bound is "inf" (and, for
/// z-scores, the first lower bound "-inf"), as DataBrew writes them.
fn buckets(lo: f64, hi: f64, counts: &[u64], open_low: bool, integer: bool) -> Vec<Json> {
    if hi <= lo {
        // One value only: a single bucket holds everything.
        let low = if open_low {
            json!("-inf")
        } else {
            num(Some(lo))
        };
        return vec![json!({"bucket": [low, "inf"], "count": counts.iter().sum::<u64>()})];
    }
    let n = counts.len();
    let width = (hi - lo) / n as f64;
    let edge = |v: f64| {
        if integer {
            num(Some(v.round()))
        } else {
            num(Some(v))
        }
    };
    (0..n)
        .map(|k| {
            let low = if k == 0 && open_low {
                json!("-inf")
            } else {
                edge(lo + width * k as f64)
            };
            let high = if k == n - 1 {
                json!("inf")
            } else {
                edge(lo + width * (k + 1) as f64)
            };
            json!({"bucket": [low, high], "count": counts[k]})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the profile's entropy changed in its last digit from run to run.
    #[test]
    fn entropy_does_not_depend_on_the_order_of_the_counts() {
        let counts: Vec<u64> = (1..=60).map(|i| i * i * 7919 % 100_003 + 1).collect();
        let naive = |c: &[u64]| -> f64 {
            let n: u64 = c.iter().sum();
            c.iter()
                .map(|&k| -(k as f64 / n as f64) * (k as f64 / n as f64).ln())
                .sum()
        };
        let mut reversed = counts.clone();
        reversed.reverse();
        let mut rotated = counts.clone();
        rotated.rotate_left(17);
        let orders = [counts, reversed, rotated];
        let sums: Vec<f64> = orders.iter().map(|c| naive(c)).collect();
        assert!(
            sums.windows(2).any(|w| w[0] != w[1]),
            "the orders must sum apart"
        );
        let entropies: Vec<f64> = orders.map(|mut c| entropy(&mut c)).to_vec();
        assert!(entropies.windows(2).all(|w| w[0] == w[1]), "{entropies:?}");
    }

    /// The table a sort builds is the table a group-by builds, missing values included.
    #[test]
    fn a_table_by_sorting_is_the_group_by_table() {
        let values = [
            Some(5i64),
            None,
            Some(-2),
            Some(5),
            Some(7),
            None,
            Some(5),
            Some(-2),
        ];
        let frame = df!("x" => values).unwrap();
        let sort_by = |df: DataFrame| {
            df.lazy()
                .sort(["x"], SortMultipleOptions::default().with_nulls_last(true))
                .collect()
                .unwrap()
        };
        let grouped = frame
            .clone()
            .lazy()
            .group_by([col("x")])
            .agg([len().alias("count")])
            .collect()
            .unwrap();
        let sorted = table_by_sorting(frame, "x").unwrap();
        assert_eq!(sorted.schema(), grouped.schema());
        assert_eq!(sort_by(sorted.clone()), sort_by(grouped));
        let counts: Vec<IdxSize> = sorted
            .column("count")
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(counts, [2, 3, 1, 2], "-2, 5, 7, then the missing values");
    }

    /// A key is counted by sorting; a column of few values, text and floats by a group-by; and
    /// nothing is sorted that would not fit the memory held columns may take.
    #[test]
    fn mostly_distinct_integer_columns_are_sorted() {
        let n = 3000i64;
        let frame = df!(
            "id" => (0..n).collect::<Vec<_>>(),
            "group" => (0..n).map(|i| i % 3).collect::<Vec<_>>(),
            "x" => (0..n).map(|i| i as f64).collect::<Vec<_>>(),
            "t" => (0..n).map(|i| i.to_string()).collect::<Vec<_>>()
        )
        .unwrap();
        let targets = targets(frame.schema(), &ProfileConfig::default());
        let sorted = mostly_distinct(&frame.clone().lazy(), &targets, n as u64).unwrap();
        assert_eq!(sorted, ["id"]);
        let too_many = mostly_distinct(&frame.lazy(), &targets, u64::MAX / 8).unwrap();
        assert!(too_many.is_empty(), "16 bytes a row would not fit");
    }

    #[test]
    fn repeated_hashes_are_found_by_sorting() {
        let hashes = DataFrame::new_infer_height(vec![
            UInt64Chunked::from_vec(
                "__hash".into(),
                vec![5, 1, 5, 2, 2, 2, 3, u64::MAX, u64::MAX],
            )
            .into_column(),
        ])
        .unwrap();
        let out = repeated(hashes).unwrap();
        let found: Vec<u64> = out
            .column("__hash")
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(found, [2, 5, u64::MAX]);
    }
}
