//! Data science (reference §2.14) beyond the mappings, and the outlier rescaling of §2.6:
//! SCALE (NORMALIZATION), BINARIZATION, BUCKETIZATION, SKEWNESS, RESCALE_OUTLIERS_WITH_Z_SCORE,
//! RESCALE_OUTLIERS_WITH_SKEW. Each writes a new double (or text) column after its source.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * Statistics (min, max, mean, sample sd, percentiles) are computed over the whole column's
//!   present values at run time and written to the run report; with conditions the new column
//!   is null where they do not hold, the statistics still use every row.
//! * SCALE: MIN_MAX → (x − min)/(max − min); SCALE_BETWEEN → lowerBound + (upperBound −
//!   lowerBound)·(x − min)/(max − min); MEAN_NORMALIZATION → (x − mean)/(max − min); Z_SCORE →
//!   (x − mean)/sd. A column with no spread (max = min, sd = 0, fewer than two values) scales
//!   to 0 (SCALE_BETWEEN: lowerBound).
//! * BINARIZATION: 1 when x > threshold, else 0 (flip: 1 when x ≤ threshold); an int column.
//! * BUCKETIZATION: `splits` are n + 1 ascending bounds (`-Infinity`/`Infinity` allowed) for n
//!   `bucketNames`; bucket i holds splits[i] ≤ x < splits[i+1], the last one also its upper
//!   bound; a value outside every bucket is null. With `percentage` p instead, the bounds are
//!   the column's 0, p, 2p, … 100th percentiles (p from 1 to 100; equal-frequency buckets, the
//!   last one may be smaller; the number of names must match; bounds that coincide leave an
//!   empty bucket).
//! * SKEWNESS / RESCALE_OUTLIERS_WITH_SKEW: ROOT → the `value`-th root (default 2; negative
//!   values keep their sign for odd roots, else null), LOG → log base `value` (default e; x ≤ 0
//!   → null), SQUARE → x². RESCALE_OUTLIERS_WITH_Z_SCORE standardises the whole column as
//!   SCALE Z_SCORE does; their `outlierStrategy` and `threshold` are accepted, and do not
//!   change the result (the whole column is rescaled).

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::{Accepts, Def, ExprFn, Operand, TARGET, derive_spec};
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, json_f64, p, require_new_column, require_numeric, scalar_f64, schema_insert_after,
    select_insert_after,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "data science";

params! {
    struct Scale {
        source: String = p::SOURCE_COLUMN,
        strategy: String = ParamSpec::def(
            "strategy",
            ParamKind::Choice(&["MIN_MAX", "SCALE_BETWEEN", "MEAN_NORMALIZATION", "Z_SCORE"]),
            "MIN_MAX",
            "How to scale.",
        ),
        lower: f64 = ParamSpec::def("lowerBound", ParamKind::Number, "0", "SCALE_BETWEEN: the smallest value maps here."),
        upper: f64 = ParamSpec::def("upperBound", ParamKind::Number, "1", "SCALE_BETWEEN: the largest value maps here."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct Binarize {
        source: String = p::SOURCE_COLUMN,
        threshold: f64 = ParamSpec::req("threshold", ParamKind::Number, "Values above it become 1."),
        flip: bool = ParamSpec::def("flip", ParamKind::Bool, "false", "Values at or below the threshold become 1 instead."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct Bucketize {
        source: String = p::SOURCE_COLUMN,
        names: Vec<String> = ParamSpec::req("bucketNames", ParamKind::Columns, "The names of the buckets, in order."),
        splits: Option<Vec<String>> = ParamSpec::opt("splits", ParamKind::Columns, "n + 1 ascending bounds for n buckets (\"-Infinity\", \"Infinity\" allowed)."),
        percentage: Option<f64> = ParamSpec::opt("percentage", ParamKind::Number, "Instead of splits: bounds every p percent of the rows."),
        target: Option<String> = TARGET,
    }
}

const SKEW_FUNCTION: ParamSpec = ParamSpec::req(
    "skewFunction",
    ParamKind::Choice(&["ROOT", "LOG", "SQUARE"]),
    "The transform.",
);
const SKEW_VALUE: ParamSpec = ParamSpec::opt(
    "value",
    ParamKind::Number,
    "ROOT: the root's degree (default 2); LOG: the base (default e).",
);
const STRATEGY: ParamSpec = ParamSpec::opt(
    "outlierStrategy",
    ParamKind::Choice(&["Z_SCORE", "MODIFIED_Z_SCORE", "IQR"]),
    "Accepted; the whole column is rescaled.",
);
const THRESHOLD: ParamSpec = ParamSpec::opt(
    "threshold",
    ParamKind::Number,
    "Accepted; the whole column is rescaled.",
);

params! {
    struct Skew {
        source: String = p::SOURCE_COLUMN,
        function: String = SKEW_FUNCTION,
        value: Option<f64> = SKEW_VALUE,
        target: Option<String> = TARGET,
    }
}

params! {
    struct RescaleSkew {
        source: String = p::SOURCE_COLUMN,
        function: String = SKEW_FUNCTION,
        value: Option<f64> = SKEW_VALUE,
        strategy: Option<String> = STRATEGY,
        threshold: Option<f64> = THRESHOLD,
        target: Option<String> = TARGET,
    }
}

params! {
    struct RescaleZ {
        source: String = p::SOURCE_COLUMN,
        strategy: Option<String> = STRATEGY,
        threshold: Option<f64> = THRESHOLD,
        target: Option<String> = TARGET,
    }
}

pub fn specs() -> Vec<OpSpec> {
    let mut specs = Vec::new();
    for name in ["SCALE", "NORMALIZATION"] {
        specs.push(stats_spec(
            name,
            "Scale a numeric column (MIN_MAX, SCALE_BETWEEN, MEAN_NORMALIZATION, Z_SCORE).",
            Scale::SPECS,
            |name, p| {
                let s = Scale::read(p);
                let strategy = match s.strategy.as_str() {
                    "SCALE_BETWEEN" => Scaling::Between(s.lower, s.upper),
                    "MEAN_NORMALIZATION" => Scaling::MeanNormalization,
                    "Z_SCORE" => Scaling::ZScore,
                    _ => Scaling::Between(0.0, 1.0),
                };
                Ok(WithStats::new(
                    name,
                    s.source,
                    s.target,
                    Rule::Scale(strategy),
                ))
            },
        ));
    }
    specs.push(stats_spec(
        "RESCALE_OUTLIERS_WITH_Z_SCORE",
        "New column: the whole column standardised, (x − mean)/sd.",
        RescaleZ::SPECS,
        |name, p| {
            let r = RescaleZ::read(p);
            Ok(WithStats::new(
                name,
                r.source,
                r.target,
                Rule::Scale(Scaling::ZScore),
            ))
        },
    ));
    specs.push(stats_spec(
        "BUCKETIZATION",
        "New column: the name of the bucket each value falls in.",
        Bucketize::SPECS,
        |name, p| {
            let b = Bucketize::read(p);
            let rule = match (b.splits, b.percentage) {
                (Some(splits), None) => Rule::Buckets(bounds(&splits, b.names.len())?, b.names),
                (None, Some(pct)) => {
                    if !(1.0..=100.0).contains(&pct) {
                        return Err(OpError::new(format!(
                            "percentage must be from 1 to 100, found {pct}"
                        ))
                        .param("percentage"));
                    }
                    let buckets = percentiles(pct).len() - 1;
                    if b.names.len() != buckets {
                        return Err(OpError::new(format!(
                            "percentage {pct} makes {buckets} buckets, but bucketNames has {} names",
                            b.names.len()
                        ))
                        .param("bucketNames"));
                    }
                    Rule::Percentages(pct, b.names)
                }
                _ => {
                    return Err(OpError::new("give splits or percentage (exactly one)")
                        .param("bucketNames")
                        .help(r#"e.g. splits: '["-Infinity", "0", "Infinity"]' for two buckets"#));
                }
            };
            Ok(WithStats::new(name, b.source, b.target, rule))
        },
    ));
    specs.push(derive_spec(
        Def {
            name: "BINARIZATION",
            family: FAMILY,
            summary: "New column: 1 above the threshold, else 0 (flip swaps them).",
            params: Binarize::SPECS,
        },
        |p| {
            let b = Binarize::read(p);
            Ok((
                vec![(Operand::column(b.source, "sourceColumn"), Accepts::Number)],
                Arc::new(move |mut e: Vec<Expr>| {
                    let x = e.remove(0);
                    let above = x.clone().gt(lit(b.threshold));
                    let one = if b.flip { above.not() } else { above };
                    when(x.is_null())
                        .then(lit(NULL).cast(DataType::Int32))
                        .otherwise(one.cast(DataType::Int32))
                }) as ExprFn,
            ))
        },
    ));
    specs.push(derive_spec(
        Def {
            name: "SKEWNESS",
            family: FAMILY,
            summary: "New column: a root, logarithm or square to reduce skew.",
            params: Skew::SPECS,
        },
        |p| {
            let s = Skew::read(p);
            skew(s.source, &s.function, s.value)
        },
    ));
    specs.push(derive_spec(
        Def {
            name: "RESCALE_OUTLIERS_WITH_SKEW",
            family: "outliers",
            summary: "New column: the whole column transformed by a root, logarithm or square.",
            params: RescaleSkew::SPECS,
        },
        |p| {
            let s = RescaleSkew::read(p);
            skew(s.source, &s.function, s.value)
        },
    ));
    specs
}

fn stats_spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    make: fn(&'static str, &Params) -> OpResult<WithStats>,
) -> OpSpec {
    OpSpec {
        name,
        family: if name == "RESCALE_OUTLIERS_WITH_Z_SCORE" {
            "outliers"
        } else {
            FAMILY
        },
        summary,
        params,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(Arc::new(move |p| Ok(Box::new(make(name, p)?)))),
    }
}

fn skew(
    source: String,
    function: &str,
    value: Option<f64>,
) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> {
    let f: ExprFn = match function {
        "SQUARE" => Arc::new(|mut e: Vec<Expr>| {
            let x = e.remove(0).cast(DataType::Float64);
            x.clone() * x
        }),
        "LOG" => {
            let base = value.unwrap_or(std::f64::consts::E);
            if !(base > 0.0 && base != 1.0) {
                return Err(OpError::new(format!(
                    "a logarithm's base must be above 0 and not 1, found {base}"
                ))
                .param("value"));
            }
            Arc::new(move |mut e: Vec<Expr>| {
                let x = e.remove(0).cast(DataType::Float64);
                when(x.clone().gt(lit(0.0)))
                    .then(x.log(lit(base)))
                    .otherwise(lit(NULL).cast(DataType::Float64))
            })
        }
        _ => {
            let degree = value.unwrap_or(2.0);
            if !(degree >= 1.0 && degree.fract() == 0.0) {
                return Err(OpError::new(format!(
                    "a root's degree must be a whole number from 1, found {degree}"
                ))
                .param("value"));
            }
            let odd = degree as i64 % 2 == 1;
            Arc::new(move |mut e: Vec<Expr>| {
                let x = e.remove(0).cast(DataType::Float64);
                let root = x.clone().abs().pow(lit(1.0 / degree));
                let negative = x.clone().lt(lit(0.0));
                if odd {
                    when(negative)
                        .then(root.clone() * lit(-1.0))
                        .otherwise(root)
                } else {
                    when(negative)
                        .then(lit(NULL).cast(DataType::Float64))
                        .otherwise(root)
                }
            })
        }
    };
    Ok((
        vec![(Operand::column(source, "sourceColumn"), Accepts::Number)],
        f,
    ))
}

/// `splits` as ascending bounds, one more than the bucket names.
fn bounds(splits: &[String], names: usize) -> OpResult<Vec<f64>> {
    let values = splits
        .iter()
        .map(|s| match s.trim() {
            "-Infinity" => Ok(f64::NEG_INFINITY),
            "Infinity" | "+Infinity" => Ok(f64::INFINITY),
            t => t
                .parse::<f64>()
                .map_err(|_| OpError::new(format!("split '{s}' is not a number")).param("splits")),
        })
        .collect::<OpResult<Vec<f64>>>()?;
    if values.len() != names + 1 {
        return Err(OpError::new(format!(
            "{} splits for {names} bucket names: give one more split than names",
            values.len()
        ))
        .param("splits"));
    }
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(OpError::new("splits must be in ascending order").param("splits"));
    }
    Ok(values)
}

#[derive(Clone, Copy)]
enum Scaling {
    Between(f64, f64),
    MeanNormalization,
    ZScore,
}

enum Rule {
    Scale(Scaling),
    Buckets(Vec<f64>, Vec<String>),
    Percentages(f64, Vec<String>),
}

/// A new column after the source, computed from the value and column statistics.
pub struct WithStats {
    op: &'static str,
    source: String,
    target: String,
    rule: Rule,
}

impl WithStats {
    fn new(op: &'static str, source: String, target: Option<String>, rule: Rule) -> WithStats {
        let suffix = op.to_ascii_lowercase();
        WithStats {
            target: target.unwrap_or_else(|| format!("{source}_{suffix}")),
            op,
            source,
            rule,
        }
    }

    fn out_type(&self) -> DataType {
        match self.rule {
            Rule::Scale(_) => DataType::Float64,
            _ => DataType::String,
        }
    }

    fn request(&self) -> Stats {
        let x = col(self.source.as_str()).cast(DataType::Float64);
        let exprs = match &self.rule {
            Rule::Scale(_) => vec![
                ("min", x.clone().min()),
                ("max", x.clone().max()),
                ("mean", x.clone().mean()),
                ("sd", x.std(1)),
            ],
            Rule::Buckets(..) => Vec::new(),
            Rule::Percentages(pct, _) => percentiles(*pct)
                .into_iter()
                .enumerate()
                .map(|(i, q)| {
                    (
                        super::numbered_stats()[i],
                        x.clone().quantile(lit(q / 100.0), QuantileMethod::Linear),
                    )
                })
                .collect(),
        };
        Stats {
            exprs,
            reads: vec![self.source.clone()],
        }
    }

    fn value(&self, stats: Option<&DataFrame>, ctx: &mut ApplyCtx) -> Expr {
        let x = col(self.source.as_str()).cast(DataType::Float64);
        let get = |name: &str| stats.and_then(|df| scalar_f64(df, name));
        match &self.rule {
            Rule::Scale(scaling) => {
                let (min, max, mean, sd) = (get("min"), get("max"), get("mean"), get("sd"));
                for (k, v) in [("min", min), ("max", max), ("mean", mean), ("sd", sd)] {
                    ctx.record(k, json_f64(v.unwrap_or(f64::NAN)));
                }
                let range = match (min, max) {
                    (Some(lo), Some(hi)) if hi > lo => Some((lo, hi - lo)),
                    _ => None,
                };
                let spread = match scaling {
                    Scaling::ZScore => sd.filter(|s| *s > 0.0).map(|s| (mean.unwrap_or(0.0), s)),
                    Scaling::MeanNormalization => range.map(|(_, r)| (mean.unwrap_or(0.0), r)),
                    Scaling::Between(..) => range,
                };
                let unit = match spread {
                    Some((center, width)) => (x.clone() - lit(center)) / lit(width),
                    None => x.clone() * lit(0.0),
                };
                match scaling {
                    Scaling::Between(a, b) => lit(*a) + lit(b - a) * unit,
                    _ => unit,
                }
            }
            Rule::Buckets(bounds, names) => bucket(x, bounds, names),
            Rule::Percentages(pct, names) => {
                // Bounds that coincide leave an empty bucket; names keep their places.
                let bounds: Vec<f64> = (0..percentiles(*pct).len())
                    .map(|i| get(super::numbered_stats()[i]).unwrap_or(f64::NAN))
                    .collect();
                ctx.record(
                    "bounds",
                    bounds.iter().map(|b| json_f64(*b)).collect::<Vec<_>>(),
                );
                bucket(x, &bounds, names)
            }
        }
    }
}

/// 0, p, 2p, …, 100.
fn percentiles(pct: f64) -> Vec<f64> {
    let mut out: Vec<f64> = (0..)
        .map(|i| i as f64 * pct)
        .take_while(|q| *q < 100.0)
        .collect();
    out.push(100.0);
    out
}

fn bucket(x: Expr, bounds: &[f64], names: &[String]) -> Expr {
    let mut expr = lit(NULL).cast(DataType::String);
    let n = bounds.len().saturating_sub(1).min(names.len());
    for i in (0..n).rev() {
        let (lo, hi) = (bounds[i], bounds[i + 1]);
        let upper = if i + 1 == n {
            x.clone().lt_eq(lit(hi))
        } else {
            x.clone().lt(lit(hi))
        };
        expr = when(x.clone().gt_eq(lit(lo)).and(upper))
            .then(lit(names[i].clone()))
            .otherwise(expr);
    }
    expr
}

impl Operation for WithStats {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_numeric(input, &self.source, "sourceColumn", self.op)?;
        require_new_column(input, &self.target, "targetColumn")?;
        Ok(schema_insert_after(
            input,
            &self.source,
            &[(self.target.clone(), self.out_type())],
        ))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        require_numeric(&ctx.schema, &self.source, "sourceColumn", self.op)?;
        let request = self.request();
        let stats = if request.exprs.is_empty() {
            None
        } else {
            Some(ctx.aggregate(&lf, request)?)
        };
        let value = self.value(stats.as_ref(), ctx).cast(self.out_type());
        let value = ctx.new_column(value).alias(self.target.as_str());
        Ok(select_insert_after(
            lf,
            &ctx.schema,
            &self.source,
            vec![value],
        ))
    }

    fn stats(&self, _: &Schema, _: Option<&Expr>) -> Option<Stats> {
        let request = self.request();
        (!request.exprs.is_empty()).then_some(request)
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}
