//! Random values (RANDOM, RANDOM_BETWEEN of §2.16; REPLACE_WITH_RANDOM_BETWEEN,
//! REPLACE_WITH_RANDOM_DATE_BETWEEN and SHUFFLE_ROWS of §2.15).
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! every random value is a function of the run's seed
//! (`--seed N`, else random and recorded in the run report), the step's target and the row's
//! position, so a run with the same seed and input repeats exactly.
//! * RANDOM: a double in [0, 1) per row, new column at the end.
//! * RANDOM_BETWEEN / REPLACE_WITH_RANDOM_BETWEEN: both bounds included; integers (long) when
//!   both bounds are integers, else doubles in [lowerBound, upperBound).
//!   REPLACE_WITH_RANDOM_BETWEEN replaces every present value of each of `sourceColumns`.
//! * REPLACE_WITH_RANDOM_DATE_BETWEEN: a timestamp between `startDate` and `endDate` (both
//!   included, whole seconds) for every present value.
//! * The REPLACE_WITH_RANDOM_* steps keep a text column text (the draws as text, timestamps as
//!   `YYYY-MM-DD HH:MM:SS`), so the values they keep (missing ones, rows where the conditions do
//!   not hold) keep their meaning; a floating-point column takes integer draws as doubles, an
//!   integer column becomes double for decimal draws; other columns take the draws' type
//!   (long, double or timestamp), their kept values converted.
//! * SHUFFLE_ROWS moves the values of `sourceColumns` to other rows with one shared
//!   permutation (the listed columns keep their values together), within each group of
//!   `groupByColumns` when given; other columns stay.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    require_column, require_new_column,
};
use crate::clock::{mix, unit};
use crate::recipe::params::{ParamKind, ParamSpec};

const ROW: &str = "__datacook_random_row";
const KEY: &str = "__datacook_random_key";

params! {
    struct Random {
        target: String = ParamSpec::def("targetColumn", ParamKind::Column, "random", "Name of the new column (added at the end)."),
    }
}

params! {
    struct RandomBetween {
        lower: String = ParamSpec::req("lowerBound", ParamKind::Text, "The smallest value."),
        upper: String = ParamSpec::req("upperBound", ParamKind::Text, "The largest value."),
        target: String = ParamSpec::def("targetColumn", ParamKind::Column, "random", "Name of the new column (added at the end)."),
    }
}

const SOURCES: ParamSpec = ParamSpec::req(
    "sourceColumns",
    ParamKind::Columns,
    "The columns to change, e.g. [\"a\", \"b\"].",
);

params! {
    struct ReplaceBetween {
        sources: Vec<String> = SOURCES,
        lower: String = ParamSpec::req("lowerBound", ParamKind::Text, "The smallest value."),
        upper: String = ParamSpec::req("upperBound", ParamKind::Text, "The largest value."),
    }
}

params! {
    struct ReplaceDates {
        sources: Vec<String> = SOURCES,
        start: String = ParamSpec::req("startDate", ParamKind::Text, "The earliest time (ISO 8601)."),
        end: String = ParamSpec::req("endDate", ParamKind::Text, "The latest time (ISO 8601)."),
    }
}

params! {
    struct Shuffle {
        sources: Vec<String> = SOURCES,
        groups: Option<Vec<String>> = ParamSpec::opt("groupByColumns", ParamKind::Columns, "Shuffle within groups of these columns."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "RANDOM",
            "math functions",
            "A random double in [0, 1) per row.",
            Random::SPECS,
            Conditions::NewColumn,
            Scope::RowLocal,
            |p| {
                Ok(Box::new(RandomStep::new_column(
                    Random::read(p).target,
                    Draw::Unit,
                )))
            },
        ),
        spec(
            "RANDOM_BETWEEN",
            "math functions",
            "A random number between the bounds (both included).",
            RandomBetween::SPECS,
            Conditions::NewColumn,
            Scope::RowLocal,
            |p| {
                let r = RandomBetween::read(p);
                Ok(Box::new(RandomStep::new_column(
                    r.target,
                    between(&r.lower, &r.upper)?,
                )))
            },
        ),
        spec(
            "REPLACE_WITH_RANDOM_BETWEEN",
            "pii",
            "Replace values with random numbers between the bounds.",
            ReplaceBetween::SPECS,
            Conditions::InPlace,
            Scope::RowLocal,
            |p| {
                let r = ReplaceBetween::read(p);
                Ok(Box::new(RandomStep::replace(
                    r.sources,
                    between(&r.lower, &r.upper)?,
                )))
            },
        ),
        spec(
            "REPLACE_WITH_RANDOM_DATE_BETWEEN",
            "pii",
            "Replace values with random times between startDate and endDate.",
            ReplaceDates::SPECS,
            Conditions::InPlace,
            Scope::RowLocal,
            |p| {
                let r = ReplaceDates::read(p);
                let start = time(&r.start, "startDate")?;
                let end = time(&r.end, "endDate")?;
                if end < start {
                    return Err(OpError::new("endDate is before startDate").param("endDate"));
                }
                Ok(Box::new(RandomStep::replace(
                    r.sources,
                    Draw::Time(start, end),
                )))
            },
        ),
        spec(
            "SHUFFLE_ROWS",
            "pii",
            "Move the values of columns to other rows (one permutation, optionally within groups).",
            Shuffle::SPECS,
            Conditions::Unsupported,
            Scope::WholeDataset,
            |p| {
                let s = Shuffle::read(p);
                Ok(Box::new(ShuffleRows {
                    sources: s.sources,
                    groups: s.groups.unwrap_or_default(),
                }))
            },
        ),
    ]
}

type Make = fn(&crate::recipe::params::Params) -> OpResult<Box<dyn Operation>>;

fn spec(
    name: &'static str,
    family: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    conditions: Conditions,
    scope: Scope,
    make: Make,
) -> OpSpec {
    OpSpec {
        name,
        family,
        summary,
        params,
        conditions,
        scope,
        status: Status::Supported,
        build: Build::Closure(Arc::new(make)),
    }
}

fn between(lower: &str, upper: &str) -> OpResult<Draw> {
    let ints = (lower.trim().parse::<i64>(), upper.trim().parse::<i64>());
    if let (Ok(lo), Ok(hi)) = ints {
        if hi < lo {
            return Err(OpError::new("upperBound is below lowerBound").param("upperBound"));
        }
        return Ok(Draw::Integer(lo, hi));
    }
    let number = |t: &str, param: &'static str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| OpError::new(format!("{param} is not a number: '{t}'")).param(param))
    };
    let (lo, hi) = (number(lower, "lowerBound")?, number(upper, "upperBound")?);
    if hi < lo {
        return Err(OpError::new("upperBound is below lowerBound").param("upperBound"));
    }
    Ok(Draw::Real(lo, hi))
}

fn time(text: &str, param: &'static str) -> OpResult<i64> {
    crate::clock::parse_now(text).map_err(|e| OpError::new(e).param(param))
}

#[derive(Clone, Copy)]
enum Draw {
    Unit,
    Integer(i64, i64),
    Real(f64, f64),
    /// Microseconds; whole seconds are drawn.
    Time(i64, i64),
}

impl Draw {
    fn dtype(&self) -> DataType {
        match self {
            Draw::Integer(..) => DataType::Int64,
            Draw::Time(..) => DataType::Datetime(TimeUnit::Microseconds, None),
            _ => DataType::Float64,
        }
    }

    /// The random values for rows `0..n` of the column salted by `salt`.
    fn column(self, rows: &IdxCa, salt: u64) -> Series {
        let seed = crate::clock::get().seed;
        let bits = move |row: IdxSize| mix(seed ^ salt ^ mix(row as u64));
        match self {
            Draw::Unit => rows
                .into_no_null_iter()
                .map(|r| Some(unit(bits(r))))
                .collect::<Float64Chunked>()
                .into_series(),
            Draw::Real(lo, hi) => rows
                .into_no_null_iter()
                .map(|r| Some(lo + (hi - lo) * unit(bits(r))))
                .collect::<Float64Chunked>()
                .into_series(),
            Draw::Integer(lo, hi) => {
                let span = (hi as i128 - lo as i128 + 1) as u128;
                rows.into_no_null_iter()
                    .map(|r| Some((lo as i128 + (bits(r) as u128 % span) as i128) as i64))
                    .collect::<Int64Chunked>()
                    .into_series()
            }
            Draw::Time(start, end) => {
                let (s, e) = (start.div_euclid(1_000_000), end.div_euclid(1_000_000));
                let span = (e - s + 1) as u64;
                let micros: Int64Chunked = rows
                    .into_no_null_iter()
                    .map(|r| Some((s + (bits(r) % span) as i64) * 1_000_000))
                    .collect();
                micros
                    .into_series()
                    .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                    .unwrap_or_else(|_| Series::new_null(PlSmallStr::EMPTY, rows.len()))
            }
        }
    }
}

/// The type of a column whose values are replaced by `draw`s: text stays text and a
/// floating-point column takes integer draws as doubles, so the values kept (missing ones, rows
/// where the conditions do not hold) keep their meaning; an integer column becomes double for
/// decimal draws; other columns take the draws' type (long, double or timestamp).
fn replaced_type(column: &DataType, draw: Draw) -> DataType {
    let drawn = draw.dtype();
    match (column, &drawn) {
        (DataType::String, _) => DataType::String,
        (c, DataType::Int64 | DataType::Float64) if c.is_float() => DataType::Float64,
        (c, DataType::Float64) if c.is_integer() => DataType::Float64,
        _ => drawn,
    }
}

/// A stable salt per column name, so two random columns of one run differ.
fn salt(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn random_expr(draw: Draw, column: &str) -> Expr {
    let salt = salt(column);
    let dtype = draw.dtype();
    col(ROW).map(
        move |c| {
            let rows = c.idx()?;
            Ok(draw.column(rows, salt).into_column())
        },
        move |_, f| Ok(Field::new(f.name().clone(), dtype.clone())),
    )
}

/// RANDOM, RANDOM_BETWEEN (a new column) and the REPLACE_WITH_RANDOM_* steps (in place).
pub struct RandomStep {
    targets: Vec<String>,
    new_column: bool,
    draw: Draw,
}

impl RandomStep {
    fn new_column(target: String, draw: Draw) -> Self {
        RandomStep {
            targets: vec![target],
            new_column: true,
            draw,
        }
    }

    fn replace(sources: Vec<String>, draw: Draw) -> Self {
        RandomStep {
            targets: sources,
            new_column: false,
            draw,
        }
    }
}

impl Operation for RandomStep {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let mut out = input.clone();
        for t in &self.targets {
            let dtype = if self.new_column {
                require_new_column(input, t, "targetColumn")?;
                self.draw.dtype()
            } else {
                replaced_type(&require_column(input, t, "sourceColumns")?, self.draw)
            };
            out.with_column(t.as_str().into(), dtype);
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let mut exprs = Vec::new();
        for t in &self.targets {
            let value = random_expr(self.draw, t);
            let value = if self.new_column {
                ctx.new_column(value)
            } else {
                let dtype = require_column(&ctx.schema, t, "sourceColumns")?;
                let present = crate::recipe::condition::missing(t, &dtype).not();
                let out = replaced_type(&dtype, self.draw);
                let value = match (&out, self.draw) {
                    (DataType::String, Draw::Time(..)) => value.dt().to_string("%Y-%m-%d %H:%M:%S"),
                    _ => value.cast(out.clone()),
                };
                when(ctx.where_conditions(present))
                    .then(value)
                    .otherwise(col(t.as_str()).cast(out))
            };
            exprs.push(value.alias(t.as_str()));
        }
        Ok(lf
            .with_row_index(ROW, None)
            .with_columns(exprs)
            .drop(Selector::ByName {
                names: Arc::new([PlSmallStr::from(ROW)]),
                strict: true,
            }))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(self.targets.clone())
    }
}

/// SHUFFLE_ROWS: see the module rules.
pub struct ShuffleRows {
    sources: Vec<String>,
    groups: Vec<String>,
}

impl Operation for ShuffleRows {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        for s in &self.sources {
            require_column(input, s, "sourceColumns")?;
        }
        for g in &self.groups {
            require_column(input, g, "groupByColumns")?;
        }
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let key = random_expr(Draw::Unit, &self.sources.join("\u{1f}")).alias(KEY);
        let shuffled: Vec<Expr> = self
            .sources
            .iter()
            .map(|s| {
                let moved = col(s.as_str()).sort_by([col(KEY)], SortMultipleOptions::default());
                let moved = if self.groups.is_empty() {
                    Ok(moved)
                } else {
                    moved.over(
                        self.groups
                            .iter()
                            .map(|g| col(g.as_str()))
                            .collect::<Vec<_>>(),
                    )
                };
                moved.map(|m| m.alias(s.as_str()))
            })
            .collect::<PolarsResult<_>>()?;
        let columns: Vec<Expr> = ctx.schema.iter_names().map(|n| col(n.as_str())).collect();
        Ok(lf
            .with_row_index(ROW, None)
            .with_column(key)
            .with_columns(shuffled)
            .select(columns))
    }

    fn preserves_rows(&self) -> bool {
        true
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(self.sources.clone())
    }
}
