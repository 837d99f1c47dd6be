//! Invalid values (reference §2.4): values present in a column that do not convert to
//! `columnDataType`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * A value is invalid when it is present (not null, not empty text) and does not convert to
//!   `columnDataType` the way CHANGE_DATA_TYPE converts (`number` is a double). Missing values
//!   are never invalid.
//! * REMOVE_INVALID deletes the rows holding an invalid value (where the conditions hold).
//! * The REPLACE_WITH_* steps convert the column to `columnDataType` and put their value where
//!   it was invalid: the AVERAGE, MEDIAN or SUM of the valid values; their MODE (ties by
//!   `modeType`; MOST_FREQUENT takes the smallest); null; the LAST_VALID value above (in row
//!   order); or the CUSTOM `value` (which must convert). REPLACE_WITH_EMPTY keeps the column as
//!   text and puts empty text there. Missing values stay missing. AVERAGE, MEDIAN, MODE and SUM
//!   take `number` when `columnDataType` is not given.
//! * `advancedDataType` (SSN, Email, …) needs AWS's detectors and is not supported: a step
//!   giving it fails validation rather than judge validity differently.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::missing::{custom_literal, pick_mode, tied_modes};
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, json_f64, p, require_column, scalar_f64, scalar_u64,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec};
use crate::types::{TYPE_NAMES, convert, parse_type};

const FAMILY: &str = "invalid values";

const TYPE_REQUIRED: ParamSpec = ParamSpec::req(
    "columnDataType",
    ParamKind::Choice(TYPE_NAMES),
    "The type values must convert to.",
);
const TYPE_NUMBER: ParamSpec = ParamSpec::def(
    "columnDataType",
    ParamKind::Choice(TYPE_NAMES),
    "number",
    "The type values must convert to.",
);
const ADVANCED: ParamSpec = ParamSpec::opt(
    "advancedDataType",
    ParamKind::Text,
    "Not supported: judging SSN, Email, … needs AWS's detectors.",
);

params! {
    struct Typed {
        source: String = p::SOURCE_COLUMN,
        dtype: String = TYPE_REQUIRED,
        advanced: Option<String> = ADVANCED,
    }
}

params! {
    struct Numeric {
        source: String = p::SOURCE_COLUMN,
        dtype: String = TYPE_NUMBER,
        advanced: Option<String> = ADVANCED,
    }
}

params! {
    struct WithMode {
        source: String = p::SOURCE_COLUMN,
        dtype: String = TYPE_NUMBER,
        mode: String = p::MODE_TYPE,
        advanced: Option<String> = ADVANCED,
    }
}

params! {
    struct Custom {
        source: String = p::SOURCE_COLUMN,
        dtype: String = TYPE_REQUIRED,
        value: String = ParamSpec::req("value", ParamKind::Text, "The replacement; it must convert to columnDataType."),
        advanced: Option<String> = ADVANCED,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Replace {
    Remove,
    Average,
    Median,
    Sum,
    Mode(String),
    Null,
    Empty,
    LastValid,
    Custom(String),
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "REMOVE_INVALID",
            "Delete rows whose value does not convert to columnDataType.",
            Typed::SPECS,
            |_| Replace::Remove,
        ),
        spec(
            "REPLACE_WITH_AVERAGE",
            "Invalid values become the average of the valid ones.",
            Numeric::SPECS,
            |_| Replace::Average,
        ),
        spec(
            "REPLACE_WITH_MEDIAN",
            "Invalid values become the median of the valid ones.",
            Numeric::SPECS,
            |_| Replace::Median,
        ),
        spec(
            "REPLACE_WITH_SUM",
            "Invalid values become the sum of the valid ones.",
            Numeric::SPECS,
            |_| Replace::Sum,
        ),
        spec(
            "REPLACE_WITH_MODE",
            "Invalid values become the most frequent valid value (ties by modeType).",
            WithMode::SPECS,
            |p| Replace::Mode(WithMode::read(p).mode),
        ),
        spec(
            "REPLACE_WITH_MOST_FREQUENT",
            "Invalid values become the most frequent valid value.",
            Typed::SPECS,
            |_| Replace::Mode("NONE".into()),
        ),
        spec(
            "REPLACE_WITH_NULL",
            "Invalid values become null.",
            Typed::SPECS,
            |_| Replace::Null,
        ),
        spec(
            "REPLACE_WITH_EMPTY",
            "Invalid values become empty text (the column stays text).",
            Typed::SPECS,
            |_| Replace::Empty,
        ),
        spec(
            "REPLACE_WITH_LAST_VALID",
            "Invalid values become the last valid value above.",
            Typed::SPECS,
            |_| Replace::LastValid,
        ),
        spec(
            "REPLACE_WITH_CUSTOM",
            "Invalid values become a given value.",
            Custom::SPECS,
            |p| Replace::Custom(Custom::read(p).value),
        ),
    ]
}

/// Every step reads the column, its type and `advancedDataType` alike (Typed's fields; the
/// planner has filled in a declared default type); `replace` reads what is particular to it.
fn spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    replace: fn(&crate::recipe::params::Params) -> Replace,
) -> OpSpec {
    OpSpec {
        name,
        family: FAMILY,
        summary,
        params,
        conditions: if name == "REMOVE_INVALID" {
            Conditions::RowFilter
        } else {
            Conditions::InPlace
        },
        scope: if name == "REPLACE_WITH_LAST_VALID" {
            Scope::WholeDataset
        } else {
            Scope::RowLocal
        },
        status: Status::Supported,
        build: Build::Closure(Arc::new(move |p| {
            let t = Typed::read(p);
            build(t.source, &t.dtype, t.advanced, replace(p))
        })),
    }
}

fn build(
    source: String,
    type_name: &str,
    advanced: Option<String>,
    replace: Replace,
) -> OpResult<Box<dyn Operation>> {
    if let Some(a) = advanced.filter(|a| !a.trim().is_empty()) {
        return Err(OpError::new(format!(
            "advancedDataType '{a}' is not supported: judging it needs AWS's detectors"
        ))
        .param("advancedDataType")
        .help("remove advancedDataType to judge values by columnDataType"));
    }
    let to = parse_type(type_name).unwrap_or(DataType::Float64);
    if let Replace::Custom(v) = &replace {
        // The same check, and literal, as FILL_WITH_CUSTOM's.
        let _valid = custom_literal(v, &to)?;
    }
    if matches!(replace, Replace::Average | Replace::Median | Replace::Sum)
        && !(to.is_primitive_numeric() || to.is_decimal())
    {
        return Err(OpError::new(format!(
            "an average, median or sum needs a numeric columnDataType, found {type_name}"
        ))
        .param("columnDataType"));
    }
    Ok(Box::new(InvalidValues {
        source,
        to,
        replace,
    }))
}

pub struct InvalidValues {
    source: String,
    to: DataType,
    replace: Replace,
}

impl InvalidValues {
    fn converted(&self, from: &DataType) -> Expr {
        convert(col(self.source.as_str()), from, &self.to)
    }

    fn invalid(&self, from: &DataType) -> Expr {
        missing(&self.source, from)
            .not()
            .and(self.converted(from).is_null())
    }

    fn out_type(&self, from: &DataType) -> DataType {
        match self.replace {
            Replace::Remove => from.clone(),
            Replace::Empty => DataType::String,
            _ => self.to.clone(),
        }
    }

    /// Statistics: the invalid values where the conditions hold, and the replacement value.
    fn request(&self, from: &DataType, condition: Option<&Expr>) -> Stats {
        let valid = self.converted(from).cast(DataType::Float64);
        let invalid = super::restrict(self.invalid(from), condition);
        let mut exprs = vec![("invalid", invalid.sum())];
        match self.replace {
            Replace::Average => exprs.push(("value", valid.mean())),
            Replace::Median => exprs.push(("value", valid.median())),
            Replace::Sum => exprs.push(("value", valid.sum())),
            _ => {}
        }
        Stats {
            exprs,
            reads: vec![self.source.clone()],
        }
    }

    /// The most frequent valid value, ties broken by `tie`.
    fn mode(
        &self,
        lf: &LazyFrame,
        ctx: &mut ApplyCtx,
        from: &DataType,
        tie: &str,
    ) -> OpResult<Option<Expr>> {
        let Some((values, _)) = tied_modes(ctx, lf, self.converted(from))? else {
            return Ok(None);
        };
        // Averaged ties round for an integer column, as FILL_WITH_MODE's do.
        Ok(Some(pick_mode(&values, tie, &self.to)?.0))
    }
}

impl Operation for InvalidValues {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let from = require_column(input, &self.source, "sourceColumn")?;
        let mut out = input.clone();
        out.with_column(self.source.as_str().into(), self.out_type(&from));
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let from = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let invalid = self.invalid(&from);
        let request = self.request(&from, ctx.condition.as_ref());
        let df = ctx.aggregate(&lf, request)?;
        let count = scalar_u64(&df, "invalid").unwrap_or(0);
        ctx.record("values_invalid", count);
        let converted = self.converted(&from);
        let with: Expr = match &self.replace {
            Replace::Remove => {
                ctx.rows_out = ctx.rows_in.map(|n| n.saturating_sub(count));
                return Ok(lf.filter(ctx.where_conditions(invalid).not()));
            }
            Replace::Average | Replace::Median | Replace::Sum => {
                let v = scalar_f64(&df, "value");
                ctx.record("value", json_f64(v.unwrap_or(f64::NAN)));
                match v {
                    Some(v) if self.to.is_integer() => lit(v.round() as i64).cast(self.to.clone()),
                    Some(v) => lit(v).cast(self.to.clone()),
                    None => lit(NULL).cast(self.to.clone()),
                }
            }
            Replace::Mode(tie) => self
                .mode(&lf, ctx, &from, tie)?
                .unwrap_or_else(|| lit(NULL).cast(self.to.clone())),
            Replace::Null => lit(NULL).cast(self.to.clone()),
            Replace::Custom(v) => custom_literal(v, &self.to)?,
            Replace::LastValid => converted
                .clone()
                .fill_null_with_strategy(FillNullStrategy::Forward(None)),
            Replace::Empty => {
                let text = col(self.source.as_str()).cast(DataType::String);
                let new = when(invalid.clone()).then(lit("")).otherwise(text);
                return Ok(
                    lf.with_column(ctx.in_place(&self.source, new).alias(self.source.as_str()))
                );
            }
        };
        let new = when(invalid).then(with).otherwise(converted);
        let value = match &ctx.condition {
            Some(c) => when(c.clone()).then(new).otherwise(self.converted(&from)),
            None => new,
        };
        Ok(lf.with_column(value.alias(self.source.as_str())))
    }

    fn preserves_rows(&self) -> bool {
        self.replace != Replace::Remove
    }

    fn removed_rows(&self) -> Option<&'static str> {
        (self.replace == Replace::Remove).then_some("invalid")
    }

    fn stats(&self, input: &Schema, condition: Option<&Expr>) -> Option<Stats> {
        Some(self.request(&super::column_type(input, &self.source)?, condition))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.source.clone()])
    }
}
