//! Window functions over the current row order (reference §2.20), each writing a new column
//! after its source, and the rolling replacements of §2.4 (in place).
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * PREV / NEXT take the value `numRows` rows above / below (default 1); null past the edges.
//! * ROLLING_* read the window from `numRowsBefore` rows above to `numRowsAfter` rows below the
//!   row (both default 0; at most 1000 each), truncated at the edges, over the numbers in it
//!   (nulls ignored). A window without a number gives null (ROLLING_COUNT_A: 0). Types, the
//!   population VARIANCE / STANDARD_DEVIATION and the MODE / KTH tie rules are those of the row
//!   aggregates. ROLLING_STDEV is the spelling of DataBrew's example for
//!   ROLLING_STANDARD_DEVIATION.
//! * FILL fills a missing value (null, empty text) with the nearest present value above
//!   within `numRowsBefore` rows, else the nearest below within `numRowsAfter` rows.
//! * ROW_NUMBER numbers rows from 1 within each group of `groupByColumns` (all rows when
//!   none), in the order of `orderByColumns` (ascending, nulls last; ties and no order keep the
//!   current row order). The row order of the dataset does not change.
//! * SESSION numbers sessions from 1 within each group of `groupByColumns`, in the order of
//!   `orderByColumns` (default: the timestamp `sourceColumn` itself): a row starts a new
//!   session when more than `value` `units` passed since the previous row of its group (a month
//!   counts as 30 days, a quarter 91, a year 365). A row
//!   without a time is its own session. The row order of the dataset does not change.
//! * REPLACE_WITH_ROLLING_AVERAGE / _SUM replace every value, in place, by the average / sum
//!   of the `period` rows ending at the row (fewer at the start), nulls ignored.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::rowwise::{Reduce, kth_largest, mode_of, row_numbers, variance};
use super::shape::{
    Accepts, Def, ExprFn, Operand, TARGET, derive_spec, in_place_spec, whole_dataset,
};
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status, p,
    require_column, require_new_column,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "window functions";
const MAX_WINDOW: i64 = 1000;

const BEFORE: ParamSpec = ParamSpec::def(
    "numRowsBefore",
    ParamKind::Integer,
    "0",
    "Rows above the current row in the window.",
);
const AFTER: ParamSpec = ParamSpec::def(
    "numRowsAfter",
    ParamKind::Integer,
    "0",
    "Rows below the current row in the window.",
);

params! {
    struct Shift {
        source: String = p::SOURCE_COLUMN,
        rows: i64 = ParamSpec::def("numRows", ParamKind::Integer, "1", "How many rows away."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct Rolling {
        source: String = p::SOURCE_COLUMN,
        before: i64 = BEFORE,
        after: i64 = AFTER,
        target: Option<String> = TARGET,
    }
}

params! {
    struct RollingMode {
        source: String = p::SOURCE_COLUMN,
        before: i64 = BEFORE,
        after: i64 = AFTER,
        mode: String = p::MODE_TYPE,
        target: Option<String> = TARGET,
    }
}

params! {
    struct RollingK {
        source: String = p::SOURCE_COLUMN,
        before: i64 = BEFORE,
        after: i64 = AFTER,
        k: i64 = p::K,
        target: Option<String> = TARGET,
    }
}

params! {
    struct Period {
        source: String = p::SOURCE_COLUMN,
        period: i64 = ParamSpec::req("period", ParamKind::Integer, "How many rows, ending at the current one."),
        column_type: Option<String> = p::COLUMN_DATA_TYPE,
    }
}

params! {
    struct SessionParams {
        source: String = p::SOURCE_COLUMN,
        units: String = ParamSpec::def(
            "units",
            ParamKind::Choice(super::dates::UNITS),
            "MINUTES",
            "Unit of the gap.",
        ),
        gap: f64 = ParamSpec::req("value", ParamKind::Number, "A longer gap than this starts a new session."),
        groups: Option<Vec<String>> = ParamSpec::opt("groupByColumns", ParamKind::Columns, "Sessions within groups of these columns."),
        order: Option<Vec<String>> = ParamSpec::opt("orderByColumns", ParamKind::Columns, "The order of the rows (default the time column)."),
        target: String = ParamSpec::def("targetColumn", ParamKind::Column, "session", "Name of the new column (added at the end)."),
    }
}

params! {
    struct RowNumber {
        groups: Option<Vec<String>> = ParamSpec::opt("groupByColumns", ParamKind::Columns, "Number rows within groups of these columns."),
        order: Option<Vec<String>> = ParamSpec::opt("orderByColumns", ParamKind::Columns, "Number rows in the order of these columns."),
        target: String = ParamSpec::def("targetColumn", ParamKind::Column, "row_number", "Name of the new column (added at the end)."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    let mut specs = vec![
        shift_spec("PREV", "The value numRows rows above.", 1),
        shift_spec("NEXT", "The value numRows rows below.", -1),
        rolling(
            "ROLLING_SUM",
            "Sum over the window.",
            Rolling::SPECS,
            true,
            |_| Ok(Arc::new(|v| Some(v.iter().sum()))),
        ),
        rolling(
            "ROLLING_AVERAGE",
            "Average over the window.",
            Rolling::SPECS,
            false,
            |_| Ok(Arc::new(|v| Some(v.iter().sum::<f64>() / v.len() as f64))),
        ),
        rolling(
            "ROLLING_MIN",
            "Smallest value in the window.",
            Rolling::SPECS,
            true,
            |_| Ok(Arc::new(|v| v.iter().copied().reduce(f64::min))),
        ),
        rolling(
            "ROLLING_MAX",
            "Largest value in the window.",
            Rolling::SPECS,
            true,
            |_| Ok(Arc::new(|v| v.iter().copied().reduce(f64::max))),
        ),
        rolling(
            "ROLLING_VARIANCE",
            "Population variance over the window.",
            Rolling::SPECS,
            false,
            |_| Ok(Arc::new(|v| Some(variance(v)))),
        ),
        rolling(
            "ROLLING_MODE",
            "Most frequent value in the window; ties by modeType.",
            RollingMode::SPECS,
            false,
            |p| {
                let mode = RollingMode::read(p).mode;
                Ok(Arc::new(move |v| mode_of(v, &mode)))
            },
        ),
        rolling(
            "ROLLING_KTH_LARGEST",
            "The k-th largest value in the window, duplicates counted.",
            RollingK::SPECS,
            true,
            |p| Ok(kth_largest(k_param(p)?, false)),
        ),
        rolling(
            "ROLLING_KTH_LARGEST_UNIQUE",
            "The k-th largest distinct value in the window.",
            RollingK::SPECS,
            true,
            |p| Ok(kth_largest(k_param(p)?, true)),
        ),
        whole_dataset(derive_spec(
            Def {
                name: "ROLLING_COUNT_A",
                family: FAMILY,
                summary: "Number of present values in the window.",
                params: Rolling::SPECS,
            },
            |p| {
                let r = Rolling::read(p);
                let (before, after) = window(r.before, r.after)?;
                Ok((
                    vec![(Operand::column(r.source, "sourceColumn"), Accepts::Any)],
                    Arc::new(move |mut e: Vec<Expr>| {
                        let c = present_or_null(e.remove(0));
                        shifted(c, before, after)
                            .into_iter()
                            .map(|s| s.is_not_null().cast(DataType::Int64))
                            .reduce(|a, b| a + b)
                            .unwrap_or(lit(0i64))
                    }) as ExprFn,
                ))
            },
        )),
        whole_dataset(derive_spec(
            Def {
                name: "FILL",
                family: FAMILY,
                summary: "A missing value takes the nearest present value in the window (above first).",
                params: Rolling::SPECS,
            },
            |p| {
                let r = Rolling::read(p);
                let (before, after) = window(r.before, r.after)?;
                Ok((
                    vec![(Operand::column(r.source, "sourceColumn"), Accepts::Any)],
                    Arc::new(move |mut e: Vec<Expr>| {
                        let c = present_or_null(e.remove(0));
                        let mut order = vec![c.clone()];
                        order.extend((1..=before).map(|k| c.clone().shift(lit(k))));
                        order.extend((1..=after).map(|k| c.clone().shift(lit(-k))));
                        coalesce(&order)
                    }) as ExprFn,
                ))
            },
        )),
        rolling_replace("REPLACE_WITH_ROLLING_AVERAGE", false),
        rolling_replace("REPLACE_WITH_ROLLING_SUM", true),
        OpSpec {
            name: "SESSION",
            family: FAMILY,
            summary: "Session number: a new session after a gap longer than value units.",
            params: SessionParams::SPECS,
            conditions: Conditions::NewColumn,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Fn(|_, p| {
                let s = SessionParams::read(p);
                let micros = super::dates::nominal_micros(&s.units);
                if !(s.gap >= 0.0 && s.gap.is_finite()) {
                    return Err(
                        OpError::new(format!("value must be 0 or more, found {}", s.gap))
                            .param("value"),
                    );
                }
                Ok(Box::new(RowNumbers {
                    groups: s.groups.unwrap_or_default(),
                    order: s.order.unwrap_or_else(|| vec![s.source.clone()]),
                    target: s.target,
                    session: Some((s.source, s.gap * micros)),
                }))
            }),
        },
        OpSpec {
            name: "ROW_NUMBER",
            family: FAMILY,
            summary: "Row number from 1 within groups, in an order (new column at the end).",
            params: RowNumber::SPECS,
            conditions: Conditions::NewColumn,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Fn(|_, p| {
                let r = RowNumber::read(p);
                Ok(Box::new(RowNumbers {
                    groups: r.groups.unwrap_or_default(),
                    order: r.order.unwrap_or_default(),
                    target: r.target,
                    session: None,
                }))
            }),
        },
    ];
    // DataBrew's own example spells it ROLLING_STDEV; both run.
    for name in ["ROLLING_STANDARD_DEVIATION", "ROLLING_STDEV"] {
        specs.push(rolling(
            name,
            "Population standard deviation over the window.",
            Rolling::SPECS,
            false,
            |_| Ok(Arc::new(|v| Some(variance(v).sqrt()))),
        ));
    }
    specs
}

fn shift_spec(name: &'static str, summary: &'static str, direction: i64) -> OpSpec {
    whole_dataset(derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params: Shift::SPECS,
        },
        move |p| {
            let s = Shift::read(p);
            let n = bounded(s.rows, "numRows")?;
            Ok((
                vec![(Operand::column(s.source, "sourceColumn"), Accepts::Any)],
                Arc::new(move |mut e: Vec<Expr>| e.remove(0).shift(lit(n * direction))) as ExprFn,
            ))
        },
    ))
}

/// A rolling numeric window: `make` returns the reduction over the window's numbers.
fn rolling(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    keeps_integers: bool,
    make: fn(&Params) -> OpResult<Reduce>,
) -> OpSpec {
    whole_dataset(derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params,
        },
        move |p| {
            let reduce = make(p)?;
            let r = Rolling::read(p);
            let (before, after) = window(r.before, r.after)?;
            Ok((
                vec![(Operand::column(r.source, "sourceColumn"), Accepts::Number)],
                Arc::new(move |mut e: Vec<Expr>| {
                    row_numbers(
                        shifted(e.remove(0), before, after),
                        reduce.clone(),
                        false,
                        keeps_integers,
                    )
                }) as ExprFn,
            ))
        },
    ))
}

fn rolling_replace(name: &'static str, sum: bool) -> OpSpec {
    let summary = if sum {
        "Replace every value by the sum of the `period` rows ending at it."
    } else {
        "Replace every value by the average of the `period` rows ending at it."
    };
    whole_dataset(in_place_spec(
        Def {
            name,
            family: "invalid values",
            summary,
            params: Period::SPECS,
        },
        Accepts::Number,
        move |p| {
            let period = Period::read(p).period;
            if !(1..=MAX_WINDOW).contains(&period) {
                return Err(OpError::new(format!(
                    "period must be from 1 to {MAX_WINDOW}, found {period}"
                ))
                .param("period"));
            }
            let reduce: Reduce = if sum {
                Arc::new(|v| Some(v.iter().sum()))
            } else {
                Arc::new(|v| Some(v.iter().sum::<f64>() / v.len() as f64))
            };
            Ok(Arc::new(move |c| {
                row_numbers(shifted(c, period - 1, 0), reduce.clone(), false, sum)
            }))
        },
    ))
}

/// The column and its copies shifted to cover rows `before` above to `after` below.
fn shifted(c: Expr, before: i64, after: i64) -> Vec<Expr> {
    (-after..=before)
        .map(|k| {
            if k == 0 {
                c.clone()
            } else {
                c.clone().shift(lit(k))
            }
        })
        .collect()
}

/// Empty text as null, so FILL treats it as missing.
fn present_or_null(c: Expr) -> Expr {
    when(c.clone().cast(DataType::String).eq(lit("")))
        .then(lit(NULL))
        .otherwise(c)
}

fn bounded(n: i64, param: &'static str) -> OpResult<i64> {
    if !(0..=MAX_WINDOW).contains(&n) {
        return Err(
            OpError::new(format!("{param} must be from 0 to {MAX_WINDOW}, found {n}")).param(param),
        );
    }
    Ok(n)
}

fn window(before: i64, after: i64) -> OpResult<(i64, i64)> {
    Ok((
        bounded(before, "numRowsBefore")?,
        bounded(after, "numRowsAfter")?,
    ))
}

fn k_param(p: &Params) -> OpResult<usize> {
    super::rowwise::k_of(RollingK::read(p).k)
}

/// ROW_NUMBER and SESSION: see the module rules.
pub struct RowNumbers {
    groups: Vec<String>,
    order: Vec<String>,
    target: String,
    /// SESSION: the time column and the longest gap within a session, in microseconds.
    session: Option<(String, f64)>,
}

const INDEX: &str = "__datacook_row";

impl Operation for RowNumbers {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        for g in &self.groups {
            require_column(input, g, "groupByColumns")?;
        }
        for o in &self.order {
            require_column(input, o, "orderByColumns")?;
        }
        if let Some((time, _)) = &self.session {
            let t = require_column(input, time, "sourceColumn")?;
            if !matches!(t, DataType::Date | DataType::Datetime(_, _)) {
                return Err(OpError::new(format!(
                    "SESSION needs a date or timestamp column, but '{time}' is {}",
                    super::type_label(&t)
                ))
                .param("sourceColumn")
                .help("convert it first with CHANGE_DATA_TYPE to timestamp"));
            }
        }
        require_new_column(input, &self.target, "targetColumn")?;
        let mut out = input.clone();
        out.with_column(self.target.as_str().into(), DataType::Int64);
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let columns: Vec<Expr> = ctx.schema.iter_names().map(|n| col(n.as_str())).collect();
        let number = match &self.session {
            None => col(INDEX).cum_count(false).cast(DataType::Int64),
            Some((time, gap)) => {
                let t = col(time.as_str())
                    .cast(DataType::Datetime(TimeUnit::Microseconds, None))
                    .cast(DataType::Int64);
                let previous = t.clone().shift(lit(1));
                let starts = previous
                    .clone()
                    .is_null()
                    .or(t.clone().is_null())
                    .or((t - previous).cast(DataType::Float64).gt(lit(*gap)));
                starts.cast(DataType::Int64).cum_sum(false)
            }
        };
        let number = if self.groups.is_empty() {
            number
        } else {
            number.over(
                self.groups
                    .iter()
                    .map(|g| col(g.as_str()))
                    .collect::<Vec<_>>(),
            )?
        };
        let mut keys: Vec<Expr> = self.groups.iter().map(|g| col(g.as_str())).collect();
        keys.extend(self.order.iter().map(|o| col(o.as_str())));
        keys.push(col(INDEX));
        let n = keys.len();
        let numbered = lf
            .with_row_index(INDEX, None)
            .sort_by_exprs(
                keys,
                SortMultipleOptions::default()
                    .with_nulls_last(true)
                    .with_maintain_order(true)
                    .with_order_descending_multi(vec![false; n]),
            )
            .with_column(number.alias(self.target.as_str()))
            .sort([INDEX], SortMultipleOptions::default());
        let target = ctx
            .new_column(col(self.target.as_str()))
            .alias(self.target.as_str());
        let mut out = columns;
        out.push(target);
        Ok(numbered.select(out))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}
