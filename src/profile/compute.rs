//! Computing a profile: two passes over the data, each one Polars query whose reductions the
//! streaming engine runs per chunk on every core and merges (counts, sums, moments, min/max,
//! distinct-value tables). The first pass gathers what needs nothing else (counts, min, max,
//! mean, sd, distinct values, duplicate rows); the second what needs the first (exact
//! quantiles, median absolute deviation, moments around the mean, z-score outliers, the bins
//! of the value and z-score distributions, most common values, correlations).
//!
//! Statistics follow [`crate::stats`]: present values only, text measured by its length,
//! sample standard deviation, linearly interpolated quantiles, population skewness and excess
//! kurtosis. Ties (mode, most common values) go to the smaller value, so a profile is
//! deterministic.

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

use super::config::{ColumnPlan, Kind, ProfileConfig};
use crate::error::Result;
use crate::stats::{measured, missing};

/// One profiled column: its name, DataBrew type name, kind and statistics plan.
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

fn key(i: usize, stat: &str) -> String {
    format!("{i}:{stat}")
}

fn f(df: &DataFrame, name: &str) -> Option<f64> {
    crate::ops::scalar_f64(df, name).filter(|v| v.is_finite())
}

fn num(v: Option<f64>) -> Json {
    v.map_or(Json::Null, |x| {
        if x.fract() == 0.0 && x.abs() < 9e15 {
            json!(x as i64)
        } else {
            json!(x)
        }
    })
}

/// A JSON value for a cell of the original column.
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
        other => match other.extract::<f64>() {
            Some(x) => num(Some(x)),
            None => json!(other.to_string()),
        },
    }
}

fn list_f64(df: &DataFrame, column: &str) -> Vec<f64> {
    df.column(column)
        .ok()
        .and_then(|c| c.list().ok()?.get_as_series(0))
        .and_then(|s| s.cast(&DataType::Float64).ok())
        .map(|s| {
            s.f64()
                .map(|ca| ca.into_no_null_iter().collect())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// The distinct present values of a column with their counts: the most common first (ties:
/// smaller value first), or by value.
fn value_table(data: &LazyFrame, name: &str, dtype: &DataType) -> Result<DataFrame> {
    Ok(data
        .clone()
        .select([col(name)])
        .filter(missing(name, dtype).not())
        .group_by([col(name)])
        .agg([len().cast(DataType::UInt64).alias("count")])
        .collect()?)
}

/// `[{value, count}]` for the first `limit` rows of `table` sorted by `by`.
fn top(
    table: &DataFrame,
    name: &str,
    limit: usize,
    by_count: bool,
    descending: bool,
) -> Result<Vec<Json>> {
    let sorted = if by_count {
        table.clone().lazy().sort_by_exprs(
            [col("count"), col(name)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
    } else {
        table.clone().lazy().sort(
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

/// Equal-width bins of `x` over [lo, hi]: the counts per bin index.
fn bins(x: Expr, lo: f64, hi: f64, n: usize) -> Expr {
    let width = (hi - lo) / n as f64;
    let index = if width > 0.0 {
        ((x - lit(lo)) / lit(width))
            .floor()
            .clip(lit(0.0), lit((n - 1) as f64))
    } else {
        x * lit(0.0)
    };
    index
        .cast(DataType::Int64)
        .value_counts(false, false, "count", false)
        .implode(true)
}

fn bucket_counts(df: &DataFrame, column: &str, n: usize) -> Vec<u64> {
    let mut counts = vec![0u64; n];
    if let Ok(c) = df.column(column)
        && let Ok(list) = c.list()
        && let Some(inner) = list.get_as_series(0)
        && let Ok(st) = inner.struct_()
    {
        let fields = st.fields_as_series();
        if fields.len() == 2 {
            for i in 0..fields[0].len() {
                let idx = fields[0].get(i).ok().and_then(|v| v.extract::<i64>());
                let cnt = fields[1].get(i).ok().and_then(|v| v.extract::<u64>());
                if let (Some(idx), Some(cnt)) = (idx, cnt)
                    && idx >= 0
                    && (idx as usize) < n
                {
                    counts[idx as usize] += cnt;
                }
            }
        }
    }
    counts
}

/// Rows profiled, duplicate rows (when computed), and one JSON object per column.
pub type Profiled = (u64, Option<u64>, Vec<Map<String, Json>>);

/// Profile every target column; `columns` of the result follow the schema order.
pub fn profile(
    source: &LazyFrame,
    schema: &Schema,
    config: &ProfileConfig,
    targets: &[Target],
) -> Result<Profiled> {
    // Read the data once; both passes and the value tables work on it in memory.
    let data = source.clone().collect()?.lazy();
    let lf = &data;
    // ---- pass 1 -------------------------------------------------------------------------
    let mut first = vec![len().cast(DataType::UInt64).alias("__rows")];
    if config.dataset_has("DUPLICATE_ROWS_COUNT")
        && let Some(e) = crate::stats::dataset_stat("DUPLICATE_ROWS_COUNT", schema)
    {
        first.push(e.alias("__duplicates"));
    }
    for (i, t) in targets.iter().enumerate() {
        let n = t.name.as_str();
        let present = col(n).filter(missing(n, &t.dtype).not());
        first.push(
            missing(n, &t.dtype)
                .sum()
                .cast(DataType::Float64)
                .alias(key(i, "missing")),
        );
        first.push(
            present
                .clone()
                .n_unique()
                .cast(DataType::Float64)
                .alias(key(i, "distinct")),
        );
        let counts = present.clone().unique_counts().cast(DataType::Float64);
        first.push(
            counts
                .clone()
                .eq(lit(1.0))
                .sum()
                .cast(DataType::Float64)
                .alias(key(i, "unique")),
        );
        let p = counts.clone() / counts.sum();
        first.push(
            ((p.clone() * p.log(lit(std::f64::consts::E))).sum() * lit(-1.0))
                .alias(key(i, "entropy")),
        );
        if t.kind != Kind::Boolean {
            let m = measured(n, &t.dtype);
            first.push(m.clone().count().cast(DataType::Float64).alias(key(i, "n")));
            first.push(m.clone().min().alias(key(i, "min")));
            first.push(m.clone().max().alias(key(i, "max")));
            if t.dtype.is_integer() {
                // Exact extremes: integers beyond 2^53 do not survive f64.
                first.push(present.clone().min().alias(key(i, "min_exact")));
                first.push(present.clone().max().alias(key(i, "max_exact")));
            }
            first.push(m.clone().mean().alias(key(i, "mean")));
            first.push(m.clone().std(1).alias(key(i, "sd")));
            first.push(m.clone().var(1).alias(key(i, "var")));
            first.push(m.clone().sum().alias(key(i, "sum")));
            first.push(
                m.eq(lit(0.0))
                    .sum()
                    .cast(DataType::Float64)
                    .alias(key(i, "zeros")),
            );
        }
    }
    let one = lf.clone().select(first).collect()?;
    let rows = crate::ops::scalar_u64(&one, "__rows").unwrap_or(0);
    let duplicates = crate::ops::scalar_u64(&one, "__duplicates");

    // ---- pass 2 -------------------------------------------------------------------------
    let mut second: Vec<Expr> = vec![len().alias("__rows")];
    for (i, t) in targets.iter().enumerate() {
        let n = t.name.as_str();
        let plan = &t.plan;
        if t.kind == Kind::Boolean {
            continue;
        }
        let m = measured(n, &t.dtype);
        let (Some(mean), Some(min), Some(max)) = (
            f(&one, &key(i, "mean")),
            f(&one, &key(i, "min")),
            f(&one, &key(i, "max")),
        ) else {
            continue;
        };
        let sd = f(&one, &key(i, "sd")).unwrap_or(0.0);
        let q = |p: f64| m.clone().quantile(lit(p), QuantileMethod::Linear);
        second.push(q(0.5).alias(key(i, "median")));
        second.push(q(0.05).alias(key(i, "p5")));
        second.push(q(0.25).alias(key(i, "p25")));
        second.push(q(0.75).alias(key(i, "p75")));
        second.push(q(0.95).alias(key(i, "p95")));
        second.push(
            (m.clone() - m.clone().median())
                .abs()
                .median()
                .alias(key(i, "mad")),
        );
        second.push(
            m.clone()
                .mode(false)
                .min()
                .cast(DataType::Float64)
                .alias(key(i, "mode")),
        );
        let centred = m.clone() - lit(mean);
        second.push(centred.clone().pow(2).mean().alias(key(i, "m2")));
        second.push(centred.clone().pow(3).mean().alias(key(i, "m3")));
        second.push(centred.pow(4).mean().alias(key(i, "m4")));
        if sd > 0.0 {
            let z = (m.clone() - lit(mean)) / lit(sd);
            let t_out = plan.param("OUTLIER_DETECTION", "threshold", 3.0);
            let outliers = z.clone().abs().gt(lit(t_out));
            second.push(
                outliers
                    .clone()
                    .sum()
                    .cast(DataType::Float64)
                    .alias(key(i, "z_count")),
            );
            second.push(
                m.clone()
                    .filter(outliers.clone())
                    .sort_by(
                        [z.clone().abs().filter(outliers)],
                        SortMultipleOptions::default().with_order_descending(true),
                    )
                    .head(Some(plan.sample("OUTLIER_DETECTION", 50)))
                    .implode(true)
                    .alias(key(i, "z_sample")),
            );
            if let Some(mild) = plan
                .params
                .get("OUTLIER_DETECTION")
                .and_then(|p| p.get("mildThreshold"))
                .and_then(|v| v.parse::<f64>().ok())
            {
                second.push(
                    z.clone()
                        .abs()
                        .gt(lit(mild))
                        .and(z.clone().abs().lt_eq(lit(t_out)))
                        .sum()
                        .cast(DataType::Float64)
                        .alias(key(i, "z_mild")),
                );
            }
            let zbins = plan
                .param("Z_SCORE_DISTRIBUTION", "binNumber", 20.0)
                .max(1.0) as usize;
            second
                .push(bins(z, (min - mean) / sd, (max - mean) / sd, zbins).alias(key(i, "z_bins")));
        }
        let vbins = plan.param("VALUE_DISTRIBUTION", "binNumber", 20.0).max(1.0) as usize;
        second.push(bins(m.clone(), min, max, vbins).alias(key(i, "v_bins")));
    }
    let correlated = correlation_columns(config, targets);
    for (a, ca) in correlated.iter().enumerate() {
        for cb in correlated.iter().skip(a + 1) {
            second.push(
                pearson_corr(
                    col(ca.as_str()).cast(DataType::Float64),
                    col(cb.as_str()).cast(DataType::Float64),
                )
                .alias(format!("corr:{ca}:{cb}")),
            );
        }
    }
    let two = lf.clone().select(second).collect()?;

    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let mut c = column_json(i, t, &one, &two, &correlated);
        value_lists(lf, t, &mut c)?;
        out.push(c);
    }
    Ok((rows, duplicates, out))
}

/// Most common, smallest and largest values with their counts.
fn value_lists(data: &LazyFrame, t: &Target, c: &mut Map<String, Json>) -> Result<()> {
    let plan = &t.plan;
    let wants_min_max =
        t.kind == Kind::Numeric && (plan.has("MINIMUM_VALUES") || plan.has("MAXIMUM_VALUES"));
    if !plan.has("MOST_COMMON_VALUES") && !wants_min_max {
        return Ok(());
    }
    let table = value_table(data, &t.name, &t.dtype)?;
    let mut lists = Vec::new();
    if plan.has("MOST_COMMON_VALUES") {
        lists.push((
            "mostCommonValues",
            top(
                &table,
                &t.name,
                plan.sample("MOST_COMMON_VALUES", 50),
                true,
                false,
            )?,
        ));
    }
    if t.kind == Kind::Numeric && plan.has("MINIMUM_VALUES") {
        lists.push((
            "minimumValues",
            top(
                &table,
                &t.name,
                plan.sample("MINIMUM_VALUES", 5),
                false,
                false,
            )?,
        ));
    }
    if t.kind == Kind::Numeric && plan.has("MAXIMUM_VALUES") {
        lists.push((
            "maximumValues",
            top(
                &table,
                &t.name,
                plan.sample("MAXIMUM_VALUES", 5),
                false,
                true,
            )?,
        ));
    }
    // Keep DataBrew's attribute order: insert after the entries they follow.
    let mut ordered = Map::new();
    for (k, v) in std::mem::take(c) {
        ordered.insert(k.clone(), v);
        let after = match k.as_str() {
            "entropy" => Some("mostCommonValues"),
            "mode" => Some("minimumValues"),
            _ => None,
        };
        if let Some(name) = after {
            for (n, list) in lists.iter_mut() {
                if *n == name || (name == "minimumValues" && *n == "maximumValues") {
                    ordered.insert(n.to_string(), Json::Array(std::mem::take(list)));
                }
            }
        }
    }
    for (n, list) in lists {
        if !ordered.contains_key(n) {
            ordered.insert(n.to_string(), Json::Array(list));
        }
    }
    *c = ordered;
    Ok(())
}

/// The numeric columns correlated: the first `columnNumber` (default 10, "ALL") or those
/// the `columnSelectors` parameter picks.
fn correlation_columns(config: &ProfileConfig, targets: &[Target]) -> Vec<String> {
    if !config.dataset_has("CORRELATION") {
        return Vec::new();
    }
    let numeric: Vec<&Target> = targets.iter().filter(|t| t.kind == Kind::Numeric).collect();
    if let Some(sel) = config.dataset_param("CORRELATION", "columnSelectors")
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&sel)
    {
        let selectors: Vec<super::config::Selector> = items
            .iter()
            .filter_map(|i| {
                let get = |k: &str| {
                    i.get(k)
                        .or_else(|| i.get(k.to_ascii_lowercase()))
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                };
                get("Name")
                    .map(super::config::Selector::Name)
                    .or_else(|| get("Regex").map(super::config::Selector::Regex))
            })
            .collect();
        return numeric
            .iter()
            .filter(|t| selectors.iter().any(|s| s.matches(&t.name)))
            .map(|t| t.name.clone())
            .collect();
    }
    let limit = match config.dataset_param("CORRELATION", "columnNumber") {
        Some(v) if v.eq_ignore_ascii_case("ALL") => usize::MAX,
        Some(v) => v.trim().parse().unwrap_or(10),
        None => 10,
    };
    numeric.iter().take(limit).map(|t| t.name.clone()).collect()
}

fn column_json(
    i: usize,
    t: &Target,
    one: &DataFrame,
    two: &DataFrame,
    correlated: &[String],
) -> Map<String, Json> {
    let plan = &t.plan;
    let mut c = Map::new();
    let g1 = |s: &str| f(one, &key(i, s));
    let g2 = |s: &str| f(two, &key(i, s));
    let put = |c: &mut Map<String, Json>, stat: &str, name: &str, v: Json| {
        if plan.has(stat) {
            c.insert(name.to_string(), v);
        }
    };
    c.insert("name".into(), json!(t.name));
    c.insert(
        "type".into(),
        json!(type_name(&t.dtype).map_or("unknown", |x| x.0)),
    );
    if correlated.contains(&t.name) {
        let mut corr = Map::new();
        for other in correlated {
            let v = if *other == t.name {
                Some(1.0)
            } else {
                f(two, &format!("corr:{}:{}", t.name, other))
                    .or_else(|| f(two, &format!("corr:{}:{}", other, t.name)))
            };
            corr.insert(other.clone(), num(v));
        }
        c.insert("correlations".into(), Json::Object(corr));
    }
    c.insert("columnConfigurationOverride".into(), json!({}));
    put(
        &mut c,
        "DISTINCT_VALUES_COUNT",
        "distinctValuesCount",
        num(g1("distinct")),
    );
    put(
        &mut c,
        "UNIQUE_VALUES_COUNT",
        "uniqueValuesCount",
        num(g1("unique")),
    );
    put(
        &mut c,
        "ENTROPY",
        "entropy",
        num(g1("entropy").or(Some(0.0))),
    );
    put(
        &mut c,
        "MISSING_VALUES_COUNT",
        "missingValuesCount",
        num(g1("missing")),
    );
    if t.kind == Kind::Boolean {
        return c;
    }
    let (m2, m3, m4) = (g2("m2"), g2("m3"), g2("m4"));
    let moment_ratio = |num_: Option<f64>, power: f64, minus: f64| match (num_, m2) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b.powf(power) - minus),
        _ => None,
    };
    put(
        &mut c,
        "KURTOSIS",
        "kurtosis",
        num(moment_ratio(m4, 2.0, 3.0)),
    );
    let exact = |s: &str, fallback: Json| {
        one.column(&key(i, s))
            .ok()
            .and_then(|c| c.get(0).ok().map(|v| any_json(&v)))
            .unwrap_or(fallback)
    };
    put(&mut c, "MAX", "max", exact("max_exact", num(g1("max"))));
    put(&mut c, "MEAN", "mean", num(g1("mean")));
    put(&mut c, "MIN", "min", exact("min_exact", num(g1("min"))));
    put(
        &mut c,
        "SKEWNESS",
        "skewness",
        num(moment_ratio(m3, 1.5, 0.0)),
    );
    put(
        &mut c,
        "STANDARD_DEVIATION",
        "standardDeviation",
        num(g1("sd")),
    );
    put(&mut c, "SUM", "sum", num(g1("sum")));
    put(&mut c, "ZEROS_COUNT", "zerosCount", num(g1("zeros")));
    put(&mut c, "VARIANCE", "variance", num(g1("var")));
    put(
        &mut c,
        "RANGE",
        "range",
        num(g1("max").zip(g1("min")).map(|(a, b)| a - b)),
    );
    for (p, name) in [
        ("p5", "percentile5"),
        ("p25", "percentile25"),
        ("p75", "percentile75"),
        ("p95", "percentile95"),
    ] {
        put(&mut c, "PERCENTILES", name, num(g2(p)));
    }
    put(&mut c, "MEDIAN", "median", num(g2("median")));
    put(
        &mut c,
        "INTER_QUARTILE_RANGE",
        "interquartileRange",
        num(g2("p75").zip(g2("p25")).map(|(a, b)| a - b)),
    );
    put(&mut c, "MODE", "mode", num(g2("mode")));
    if let (Some(min), Some(max)) = (g1("min"), g1("max")) {
        let n = plan.param("VALUE_DISTRIBUTION", "binNumber", 20.0).max(1.0) as usize;
        let counts = bucket_counts(two, &key(i, "v_bins"), n);
        put(
            &mut c,
            "VALUE_DISTRIBUTION",
            "valueDistribution",
            Json::Array(buckets(min, max, &counts, false, t.dtype.is_integer())),
        );
    }
    // No spread (or no rows): nothing is an outlier.
    let z_count = g2("z_count").or(Some(0.0));
    put(
        &mut c,
        "OUTLIER_DETECTION",
        "zScoreOutliersCount",
        num(z_count),
    );
    put(
        &mut c,
        "OUTLIER_DETECTION",
        "zScoreOutliersSample",
        json!(
            list_f64(two, &key(i, "z_sample"))
                .into_iter()
                .map(|v| num(Some(v)))
                .collect::<Vec<_>>()
        ),
    );
    if let Some(mild) = g2("z_mild") {
        put(
            &mut c,
            "OUTLIER_DETECTION",
            "zScoreMildOutliersCount",
            num(Some(mild)),
        );
    }
    if let (Some(min), Some(max), Some(mean), Some(sd)) =
        (g1("min"), g1("max"), g1("mean"), g1("sd"))
        && sd > 0.0
    {
        let n = plan
            .param("Z_SCORE_DISTRIBUTION", "binNumber", 20.0)
            .max(1.0) as usize;
        let counts = bucket_counts(two, &key(i, "z_bins"), n);
        put(
            &mut c,
            "Z_SCORE_DISTRIBUTION",
            "zScoreDistribution",
            Json::Array(buckets(
                (min - mean) / sd,
                (max - mean) / sd,
                &counts,
                true,
                false,
            )),
        );
    }
    put(
        &mut c,
        "MEDIAN_ABSOLUTE_DEVIATION",
        "medianAbsoluteDeviation",
        num(g2("mad")),
    );
    c
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
