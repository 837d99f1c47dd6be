//! Outliers: REMOVE_OUTLIERS, REPLACE_OUTLIERS, FLAG_OUTLIERS.
//!
//! Detection (decisions.md, "Outliers"), over the non-null values of the whole column at run
//! time:
//! * `Z_SCORE`: z = (x − mean) / sd with the sample sd (n − 1); outlier iff |z| > threshold.
//!   Fewer than two values, or sd = 0: no outliers.
//! * `MODIFIED_Z_SCORE`: m = 0.6745 · (x − median) / MAD, MAD = median(|x − median|);
//!   outlier iff |m| > threshold. MAD = 0: no outliers.
//! * `IQR`: outlier iff x < Q1 − threshold · IQR or x > Q3 + threshold · IQR.
//! * Medians and quantiles interpolate linearly between closest ranks (numpy's default).
//! * Nulls are never outliers.
//! * `trimValue: true` acts only on outliers that also lie below the `minValue`-th or above
//!   the `maxValue`-th percentile (defaults 5 and 95, a datacook choice).
//!
//! Actions: `removeType: DELETE_ROWS` removes the rows, `CLEAR` sets the cells to null.
//! REPLACE_OUTLIERS computes AVERAGE / MEDIAN / SUM / MAX / MODE over the values the detection
//! rule does *not* call outliers, before any trimming (datacook decision: an outlier should not
//! pull its own replacement);
//! `WINSORIZE_VALUES` caps outliers at the `minValue`/`maxValue` percentiles; `REPLACE_WITH_EMPTY`
//! on a numeric column means null. Integer columns round the replacement half away from zero.

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    json_f64, numeric_literal, p, require_new_column, require_numeric, scalar_f64, scalar_u64,
    schema_insert_after, select_insert_after,
};
use crate::recipe::params::{ParamKind, ParamSpec};

const STRATEGIES: &[&str] = &["Z_SCORE", "MODIFIED_Z_SCORE", "IQR"];
const REPLACE_TYPES: &[&str] = &[
    "WINSORIZE_VALUES",
    "REPLACE_WITH_CUSTOM",
    "REPLACE_WITH_EMPTY",
    "REPLACE_WITH_NULL",
    "REPLACE_WITH_MODE",
    "REPLACE_WITH_AVERAGE",
    "REPLACE_WITH_MEDIAN",
    "REPLACE_WITH_SUM",
    "REPLACE_WITH_MAX",
];

const STRATEGY: ParamSpec = ParamSpec::def(
    "outlierStrategy",
    ParamKind::Choice(STRATEGIES),
    "Z_SCORE",
    "How outliers are detected.",
);
const THRESHOLD: ParamSpec = ParamSpec::def(
    "threshold",
    ParamKind::Number,
    "3",
    "A value is an outlier when its score exceeds this.",
);
const MIN_VALUE: ParamSpec = ParamSpec::def(
    "minValue",
    ParamKind::Number,
    "5",
    "Lower percentile (0-100) for trimValue and WINSORIZE_VALUES.",
);
const MAX_VALUE: ParamSpec = ParamSpec::def(
    "maxValue",
    ParamKind::Number,
    "95",
    "Upper percentile (0-100) for trimValue and WINSORIZE_VALUES.",
);

params! {
    struct RemoveOutliers {
        source: String = p::SOURCE_COLUMN,
        strategy: String = STRATEGY,
        threshold: f64 = THRESHOLD,
        remove_type: String = ParamSpec::def(
            "removeType",
            ParamKind::Choice(&["DELETE_ROWS", "CLEAR"]),
            "DELETE_ROWS",
            "DELETE_ROWS removes the rows; CLEAR sets the outlier cells to null.",
        ),
        trim: bool = ParamSpec::def(
            "trimValue",
            ParamKind::Bool,
            "false",
            "Act only on outliers outside the [minValue, maxValue] percentile band.",
        ),
        min: f64 = MIN_VALUE,
        max: f64 = MAX_VALUE,
    }
}

params! {
    struct ReplaceOutliers {
        source: String = p::SOURCE_COLUMN,
        strategy: String = STRATEGY,
        threshold: f64 = THRESHOLD,
        replace_type: String = ParamSpec::req(
            "replaceType",
            ParamKind::Choice(REPLACE_TYPES),
            "What to replace outliers with.",
        ),
        mode: String = ParamSpec::def(
            "modeType",
            ParamKind::Choice(&["MIN", "MAX", "AVERAGE"]),
            "MIN",
            "Tie-break for REPLACE_WITH_MODE.",
        ),
        value: Option<f64> = ParamSpec::opt(
            "value",
            ParamKind::Number,
            "The value for REPLACE_WITH_CUSTOM.",
        ),
        trim: Option<bool> = ParamSpec::opt(
            "trimValue",
            ParamKind::Bool,
            "Act only on outliers outside the percentile band (default true for \
             REPLACE_WITH_NULL, REPLACE_WITH_MODE and WINSORIZE_VALUES, else false).",
        ),
        min: f64 = MIN_VALUE,
        max: f64 = MAX_VALUE,
    }
}

params! {
    struct FlagOutliers {
        source: String = p::SOURCE_COLUMN,
        target: Option<String> = ParamSpec::opt(
            "targetColumn",
            ParamKind::Column,
            "Name of the flag column (default <sourceColumn>_outlier).",
        ),
        strategy: String = STRATEGY,
        threshold: f64 = THRESHOLD,
        true_string: String = p::TRUE_STRING,
        false_string: String = p::FALSE_STRING,
    }
}

/// What every outlier step reads: the column, the detection rule, and the trimming band of
/// the steps that have one.
struct Detection {
    source: String,
    strategy: String,
    threshold: f64,
    /// `trimValue` as given (None: the action's default).
    trim: Option<bool>,
    band: Option<(f64, f64)>,
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "REMOVE_OUTLIERS",
        family: "outliers",
        summary: "Delete the rows holding outliers, or clear the outlier cells.",
        params: RemoveOutliers::SPECS,
        conditions: Conditions::RowFilter,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let r = RemoveOutliers::read(p);
            let action = if r.remove_type == "CLEAR" {
                Action::Clear
            } else {
                Action::DeleteRows
            };
            let detection = Detection {
                source: r.source,
                strategy: r.strategy,
                threshold: r.threshold,
                trim: Some(r.trim),
                band: Some((r.min, r.max)),
            };
            Ok(Box::new(OutlierStep::new(detection, action)?))
        }),
    },
    OpSpec {
        name: "REPLACE_OUTLIERS",
        family: "outliers",
        summary: "Replace outlier values in place.",
        params: ReplaceOutliers::SPECS,
        conditions: Conditions::InPlace,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let r = ReplaceOutliers::read(p);
            if r.replace_type == "REPLACE_WITH_CUSTOM" && r.value.is_none() {
                return Err(OpError::new("REPLACE_WITH_CUSTOM needs a 'value'")
                    .param("replaceType")
                    .help("add `value: \"0\"`"));
            }
            let action = Action::Replace {
                kind: r.replace_type,
                mode: r.mode,
                value: r.value,
            };
            let detection = Detection {
                source: r.source,
                strategy: r.strategy,
                threshold: r.threshold,
                trim: r.trim,
                band: Some((r.min, r.max)),
            };
            Ok(Box::new(OutlierStep::new(detection, action)?))
        }),
    },
    OpSpec {
        name: "FLAG_OUTLIERS",
        family: "outliers",
        summary: "Add a flag column telling which values are outliers.",
        params: FlagOutliers::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let f = FlagOutliers::read(p);
            let action = Action::Flag {
                target: f.target.unwrap_or_else(|| format!("{}_outlier", f.source)),
                true_string: f.true_string,
                false_string: f.false_string,
            };
            let detection = Detection {
                source: f.source,
                strategy: f.strategy,
                threshold: f.threshold,
                trim: None,
                band: None,
            };
            Ok(Box::new(OutlierStep::new(detection, action)?))
        }),
    },
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Strategy {
    ZScore,
    ModifiedZScore,
    Iqr,
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    DeleteRows,
    Clear,
    Replace {
        kind: String,
        mode: String,
        value: Option<f64>,
    },
    Flag {
        target: String,
        true_string: String,
        false_string: String,
    },
}

impl Action {
    fn default_trim(&self) -> bool {
        matches!(self, Action::Replace { kind, .. }
            if matches!(kind.as_str(), "REPLACE_WITH_NULL" | "REPLACE_WITH_MODE" | "WINSORIZE_VALUES"))
    }
}

pub struct OutlierStep {
    source: String,
    strategy: Strategy,
    threshold: f64,
    trim: bool,
    percentiles: (f64, f64),
    action: Action,
}

/// The statistics the detector needs, either as aggregate expressions (to count outliers in
/// the statistics query itself) or as literals (for the final plan).
struct Stats {
    n: Expr,
    center: Expr,
    spread: Expr,
    q1: Expr,
    q3: Expr,
    p_lo: Expr,
    p_hi: Expr,
}

const NAMES: [&str; 7] = ["n", "center", "spread", "q1", "q3", "p_lo", "p_hi"];

impl OutlierStep {
    fn new(d: Detection, action: Action) -> OpResult<Self> {
        let threshold = d.threshold;
        if !(threshold >= 0.0 && threshold.is_finite()) {
            return Err(
                OpError::new(format!("threshold must be 0 or more, found {threshold}"))
                    .param("threshold"),
            );
        }
        // FLAG_OUTLIERS has no band: it does not trim.
        let (lo, hi) = d.band.unwrap_or((0.0, 100.0));
        if !(0.0..=100.0).contains(&lo) || !(0.0..=100.0).contains(&hi) || lo >= hi {
            return Err(OpError::new(format!(
                "minValue and maxValue are percentiles with 0 ≤ minValue < maxValue ≤ 100, found {lo} and {hi}"
            ))
            .param(if (0.0..=100.0).contains(&lo) { "maxValue" } else { "minValue" }));
        }
        let strategy = match d.strategy.as_str() {
            "MODIFIED_Z_SCORE" => Strategy::ModifiedZScore,
            "IQR" => Strategy::Iqr,
            _ => Strategy::ZScore,
        };
        let trim = d.trim.unwrap_or_else(|| action.default_trim());
        Ok(OutlierStep {
            source: d.source,
            strategy,
            threshold,
            trim,
            percentiles: (lo, hi),
            action,
        })
    }

    fn values(&self) -> Expr {
        col(self.source.as_str()).cast(DataType::Float64)
    }

    /// Every statistic the detector needs, and the number of outliers it acts on, in one
    /// aggregate query.
    fn request(&self, condition: Option<&Expr>) -> super::Stats {
        let agg = self.aggregate_stats();
        let pred = self.predicate(self.values(), &agg);
        let count = super::restrict(pred, condition).sum();
        super::Stats {
            exprs: vec![
                (NAMES[0], agg.n),
                (NAMES[1], agg.center),
                (NAMES[2], agg.spread),
                (NAMES[3], agg.q1),
                (NAMES[4], agg.q3),
                (NAMES[5], agg.p_lo),
                (NAMES[6], agg.p_hi),
                ("outliers", count),
            ],
            reads: vec![self.source.clone()],
        }
    }

    fn aggregate_stats(&self) -> Stats {
        let x = self.values().drop_nulls();
        let q = |v: f64| x.clone().quantile(lit(v), QuantileMethod::Linear);
        let (center, spread) = match self.strategy {
            Strategy::ZScore => (x.clone().mean(), x.clone().std(1)),
            Strategy::ModifiedZScore => (
                x.clone().median(),
                (x.clone() - x.clone().median()).abs().median(),
            ),
            Strategy::Iqr => (lit(0.0), lit(0.0)),
        };
        // Only the quantiles this step uses: each costs a selection over the column.
        let iqr = self.strategy == Strategy::Iqr;
        let band = self.trim || self.winsorizes();
        let unused = || lit(NULL).cast(DataType::Float64);
        Stats {
            n: x.clone().count().cast(DataType::Float64),
            center,
            spread,
            q1: if iqr { q(0.25) } else { unused() },
            q3: if iqr { q(0.75) } else { unused() },
            p_lo: if band {
                q(self.percentiles.0 / 100.0)
            } else {
                unused()
            },
            p_hi: if band {
                q(self.percentiles.1 / 100.0)
            } else {
                unused()
            },
        }
    }

    fn winsorizes(&self) -> bool {
        matches!(&self.action, Action::Replace { kind, .. } if kind == "WINSORIZE_VALUES")
    }

    fn literal_stats(values: &[Option<f64>; 7]) -> Stats {
        let l = |i: usize| lit(values[i].unwrap_or(f64::NAN));
        Stats {
            n: l(0),
            center: l(1),
            spread: l(2),
            q1: l(3),
            q3: l(4),
            p_lo: l(5),
            p_hi: l(6),
        }
    }

    /// True where the value is an outlier to act on (never null).
    fn predicate(&self, x: Expr, s: &Stats) -> Expr {
        let outlier = self.detected(x.clone(), s);
        if self.trim {
            outlier
                .and(x.clone().lt(s.p_lo.clone()).or(x.gt(s.p_hi.clone())))
                .fill_null(lit(false))
        } else {
            outlier
        }
    }

    /// True where the detection rule calls the value an outlier, before trimming.
    fn detected(&self, x: Expr, s: &Stats) -> Expr {
        let t = lit(self.threshold);
        let outlier = match self.strategy {
            Strategy::ZScore => when(
                s.n.clone()
                    .gt_eq(lit(2.0))
                    .and(s.spread.clone().gt(lit(0.0))),
            )
            .then(
                ((x.clone() - s.center.clone()) / s.spread.clone())
                    .abs()
                    .gt(t),
            )
            .otherwise(lit(false)),
            Strategy::ModifiedZScore => when(s.spread.clone().gt(lit(0.0)))
                .then(
                    (lit(0.6745) * (x.clone() - s.center.clone()) / s.spread.clone())
                        .abs()
                        .gt(t),
                )
                .otherwise(lit(false)),
            Strategy::Iqr => {
                let iqr = s.q3.clone() - s.q1.clone();
                x.clone()
                    .lt(s.q1.clone() - t.clone() * iqr.clone())
                    .or(x.clone().gt(s.q3.clone() + t * iqr))
            }
        };
        outlier.fill_null(lit(false))
    }

    fn record_stats(&self, ctx: &mut ApplyCtx, v: &[Option<f64>; 7]) {
        let f = |o: Option<f64>| o.map(json_f64).unwrap_or(serde_json::Value::Null);
        ctx.record(
            "strategy",
            match self.strategy {
                Strategy::ZScore => "Z_SCORE",
                Strategy::ModifiedZScore => "MODIFIED_Z_SCORE",
                Strategy::Iqr => "IQR",
            },
        );
        ctx.record("threshold", json_f64(self.threshold));
        ctx.record(
            "values",
            v[0].map_or(serde_json::Value::Null, |n| (n as u64).into()),
        );
        match self.strategy {
            Strategy::ZScore => {
                ctx.record("mean", f(v[1]));
                ctx.record("sd", f(v[2]));
            }
            Strategy::ModifiedZScore => {
                ctx.record("median", f(v[1]));
                ctx.record("mad", f(v[2]));
            }
            Strategy::Iqr => {
                ctx.record("q1", f(v[3]));
                ctx.record("q3", f(v[4]));
            }
        }
        if self.trim
            || matches!(&self.action, Action::Replace { kind, .. } if kind == "WINSORIZE_VALUES")
        {
            ctx.record("percentile_low", f(v[5]));
            ctx.record("percentile_high", f(v[6]));
        }
    }

    /// The replacement for REPLACE_OUTLIERS, computed over non-outlier values.
    fn replacement(
        &self,
        lf: &LazyFrame,
        ctx: &mut ApplyCtx,
        pred: &Expr,
        dtype: &DataType,
        stats: &[Option<f64>; 7],
    ) -> OpResult<Expr> {
        let Action::Replace { kind, mode, value } = &self.action else {
            return Ok(lit(NULL));
        };
        let x = col(self.source.as_str());
        let null = || lit(NULL).cast(dtype.clone());
        let kept = self
            .values()
            .filter(pred.clone().not().and(x.clone().is_not_null()));
        let value = match kind.as_str() {
            "REPLACE_WITH_NULL" | "REPLACE_WITH_EMPTY" => return Ok(null()),
            "REPLACE_WITH_CUSTOM" => *value,
            "WINSORIZE_VALUES" => {
                let lo = numeric_literal(stats[5].unwrap_or(f64::NAN), dtype);
                let hi = numeric_literal(stats[6].unwrap_or(f64::NAN), dtype);
                return Ok(when(x.clone().lt(lo.clone()))
                    .then(lo)
                    .when(x.clone().gt(hi.clone()))
                    .then(hi)
                    .otherwise(x));
            }
            "REPLACE_WITH_AVERAGE" => single_value(lf, ctx, kept.mean())?,
            "REPLACE_WITH_MEDIAN" => single_value(lf, ctx, kept.median())?,
            "REPLACE_WITH_SUM" => single_value(lf, ctx, kept.sum())?,
            "REPLACE_WITH_MAX" => single_value(lf, ctx, kept.max())?,
            _ => {
                let counts = ctx.query(
                    lf.clone()
                        .select([kept.alias("v")])
                        .group_by([col("v")])
                        .agg([len().alias("count")])
                        .filter(col("count").eq(col("count").max()))
                        .sort(["v"], SortMultipleOptions::default()),
                )?;
                let s = counts.column("v")?.as_materialized_series().clone();
                match mode.as_str() {
                    _ if s.is_empty() => None,
                    "MAX" => s.get(s.len() - 1)?.extract::<f64>(),
                    "AVERAGE" => s.mean(),
                    _ => s.get(0)?.extract::<f64>(),
                }
            }
        };
        ctx.record(
            "replacement",
            value.map(json_f64).unwrap_or(serde_json::Value::Null),
        );
        Ok(match value {
            Some(v) => numeric_literal(v, dtype),
            None => null(),
        })
    }
}

fn single_value(lf: &LazyFrame, ctx: &mut ApplyCtx, agg: Expr) -> OpResult<Option<f64>> {
    let df = ctx.query(lf.clone().select([agg.alias("v")]))?;
    Ok(scalar_f64(&df, "v"))
}

impl Operation for OutlierStep {
    fn preserves_rows(&self) -> bool {
        !matches!(self.action, Action::DeleteRows)
    }

    fn stats(&self, _: &Schema, condition: Option<&Expr>) -> Option<super::Stats> {
        Some(self.request(condition))
    }

    fn removed_rows(&self) -> Option<&'static str> {
        matches!(self.action, Action::DeleteRows).then_some("outliers")
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(match &self.action {
            Action::DeleteRows => vec![],
            Action::Clear | Action::Replace { .. } => vec![self.source.clone()],
            Action::Flag { target, .. } => vec![target.clone()],
        })
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_numeric(input, &self.source, "sourceColumn", "outlier detection")?;
        if let Action::Flag { target, .. } = &self.action {
            require_new_column(input, target, "targetColumn")?;
            return Ok(schema_insert_after(
                input,
                &self.source,
                &[(target.clone(), DataType::String)],
            ));
        }
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_numeric(
            &ctx.schema,
            &self.source,
            "sourceColumn",
            "outlier detection",
        )?;
        let request = self.request(ctx.condition.as_ref());
        let df = ctx.aggregate(&lf, request)?;
        let values: [Option<f64>; 7] = NAMES.map(|n| scalar_f64(&df, n));
        let outliers = scalar_u64(&df, "outliers").unwrap_or(0);
        self.record_stats(ctx, &values);
        ctx.record("outliers", outliers);

        let pred = self.predicate(self.values(), &Self::literal_stats(&values));
        let acted = ctx.where_conditions(pred.clone());
        let x = col(self.source.as_str());
        Ok(match &self.action {
            Action::DeleteRows => {
                ctx.record("rows_removed", outliers);
                ctx.rows_out = ctx.rows_in.map(|r| r.saturating_sub(outliers));
                lf.filter(acted.not())
            }
            Action::Clear => {
                ctx.record("values_cleared", outliers);
                lf.with_column(
                    when(acted)
                        .then(lit(NULL).cast(dtype.clone()))
                        .otherwise(x)
                        .alias(self.source.as_str()),
                )
            }
            Action::Replace { .. } => {
                let detected = self.detected(self.values(), &Self::literal_stats(&values));
                let replacement = self.replacement(&lf, ctx, &detected, &dtype, &values)?;
                ctx.record("values_replaced", outliers);
                lf.with_column(
                    when(acted)
                        .then(replacement)
                        .otherwise(x)
                        .alias(self.source.as_str()),
                )
            }
            Action::Flag {
                target,
                true_string,
                false_string,
            } => {
                let flag = ctx
                    .new_column(
                        when(pred)
                            .then(lit(true_string.clone()))
                            .otherwise(lit(false_string.clone())),
                    )
                    .alias(target.as_str());
                select_insert_after(lf, &ctx.schema, &self.source, vec![flag])
            }
        })
    }
}
