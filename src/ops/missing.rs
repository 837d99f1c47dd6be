//! Missing values: FILL_WITH_AVERAGE, _MEDIAN, _MODE, _MOST_FREQUENT, _SUM, _CUSTOM, _EMPTY,
//! _NULL, _LAST_VALID.
//!
//! Missing = null, or the empty string in a text column. Statistics are computed at run time
//! on the full input over the non-missing values (decisions.md). Filling an integer column
//! with a mean or median rounds half away from zero and keeps the integer type; float columns
//! take the exact value. With conditions, only missing cells in rows where the conditions hold
//! are filled; the statistic still uses the whole column.

use polars::prelude::*;

use super::SourceOnly;
use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, json_f64, numeric_literal, p, require_column, require_numeric, scalar_f64, scalar_u64,
    type_label,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec, Params};

params! {
    struct FillMode {
        source: String = p::SOURCE_COLUMN,
        mode: String = p::MODE_TYPE,
    }
}

params! {
    struct FillCustom {
        source: String = p::SOURCE_COLUMN,
        value: String = ParamSpec::req("value", ParamKind::Text, "The value to fill with."),
        column_type: Option<String> = p::COLUMN_DATA_TYPE,
    }
}

params! {
    struct FillTyped {
        source: String = p::SOURCE_COLUMN,
        column_type: Option<String> = p::COLUMN_DATA_TYPE,
    }
}

pub static SPECS: &[OpSpec] = &[
    fill_spec(
        "FILL_WITH_AVERAGE",
        "Fill missing values with the column mean.",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_MEDIAN",
        "Fill missing values with the column median.",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_MODE",
        "Fill missing values with the most frequent value; ties broken by modeType.",
        FillMode::SPECS,
    ),
    fill_spec(
        "FILL_WITH_MOST_FREQUENT",
        "Fill missing values with the most frequent value (smallest on ties).",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_SUM",
        "Fill missing values with the column sum.",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_CUSTOM",
        "Fill missing values with a given value.",
        FillCustom::SPECS,
    ),
    fill_spec(
        "FILL_WITH_EMPTY",
        "Fill missing values of a text column with the empty string.",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_NULL",
        "Set the column's values to null (where the conditions hold).",
        SourceOnly::SPECS,
    ),
    fill_spec(
        "FILL_WITH_LAST_VALID",
        "Fill missing values with the last valid value above (current row order).",
        FillTyped::SPECS,
    ),
];

const fn fill_spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
) -> OpSpec {
    OpSpec {
        name,
        family: "missing values",
        summary,
        params,
        conditions: Conditions::InPlace,
        // Forward fill reads the rows above; the others need only column statistics.
        scope: if matches!(name.as_bytes(), b"FILL_WITH_LAST_VALID") {
            Scope::WholeDataset
        } else {
            Scope::RowLocal
        },
        status: Status::Supported,
        build: Build::Fn(build),
    }
}

/// How a FILL_WITH_* step picks its value.
#[derive(Debug, Clone, PartialEq)]
pub enum FillKind {
    Average,
    Median,
    /// Mode with a tie rule (FILL_WITH_MOST_FREQUENT is `Mode("NONE")`).
    Mode(String),
    Sum,
    Custom(String),
    Empty,
    Null,
    LastValid,
}

pub struct Fill {
    source: String,
    kind: FillKind,
    op: &'static str,
}

/// Build a FILL_WITH_* operation from its name and parameters.
pub fn build(op: &'static str, p: &Params) -> OpResult<Box<dyn Operation>> {
    let kind = match op {
        "FILL_WITH_AVERAGE" => FillKind::Average,
        "FILL_WITH_MEDIAN" => FillKind::Median,
        "FILL_WITH_MODE" => FillKind::Mode(FillMode::read(p).mode),
        "FILL_WITH_MOST_FREQUENT" => FillKind::Mode("NONE".into()),
        "FILL_WITH_SUM" => FillKind::Sum,
        "FILL_WITH_CUSTOM" => FillKind::Custom(FillCustom::read(p).value),
        "FILL_WITH_EMPTY" => FillKind::Empty,
        "FILL_WITH_NULL" => FillKind::Null,
        "FILL_WITH_LAST_VALID" => FillKind::LastValid,
        other => {
            return Err(OpError::new(format!(
                "internal: unknown fill operation {other}"
            )));
        }
    };
    Ok(Box::new(Fill {
        // Every FILL_WITH_* step declares sourceColumn first.
        source: SourceOnly::read(p).source,
        kind,
        op,
    }))
}

impl Operation for Fill {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let dtype = require_column(input, &self.source, "sourceColumn")?;
        match &self.kind {
            FillKind::Average | FillKind::Median | FillKind::Sum => {
                require_numeric(input, &self.source, "sourceColumn", self.op).map_err(|e| {
                    e.help("use FILL_WITH_MOST_FREQUENT or FILL_WITH_CUSTOM for text columns")
                })?;
            }
            FillKind::Mode(t) if t == "AVERAGE" => {
                require_numeric(input, &self.source, "modeType", "modeType AVERAGE")
                    .map_err(|e| e.help("use MINIMUM, MAXIMUM or NONE"))?;
            }
            FillKind::Empty if dtype != DataType::String => {
                return Err(OpError::new(format!(
                    "FILL_WITH_EMPTY fills text columns, but '{}' is {}",
                    self.source,
                    type_label(&dtype)
                ))
                .param("sourceColumn")
                .help("use FILL_WITH_CUSTOM with a value of the column's type"));
            }
            FillKind::Custom(v) => {
                let _ = custom_literal(v, &dtype)?;
            }
            _ => {}
        }
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let is_missing = missing(&self.source, &dtype);
        let c = col(self.source.as_str());
        let new = match &self.kind {
            FillKind::Null => {
                let nulls = ctx.in_place(&self.source, lit(NULL).cast(dtype.clone()));
                return Ok(lf.with_column(nulls.alias(self.source.as_str())));
            }
            FillKind::LastValid => {
                let df = ctx.aggregate(&lf, self.request(&dtype))?;
                ctx.record("values_missing", scalar_u64(&df, "missing").unwrap_or(0));
                let present = when(is_missing.clone())
                    .then(lit(NULL).cast(dtype.clone()))
                    .otherwise(c.clone());
                // Nothing above a leading missing value: it stays as it was ("" stays "").
                present
                    .fill_null_with_strategy(FillNullStrategy::Forward(None))
                    .fill_null(c.clone())
            }
            FillKind::Empty => lit(""),
            FillKind::Custom(v) => custom_literal(v, &dtype)?,
            FillKind::Average | FillKind::Median | FillKind::Sum => {
                let df = ctx.aggregate(&lf, self.request(&dtype))?;
                ctx.record("values_missing", scalar_u64(&df, "missing").unwrap_or(0));
                let value = scalar_f64(&df, "value")
                    .filter(|_| scalar_u64(&df, "present").unwrap_or(0) > 0);
                let Some(value) = value else {
                    ctx.record("value", serde_json::Value::Null);
                    ctx.warnings.push(format!(
                        "'{}' has no values; nothing to fill with",
                        self.source
                    ));
                    return Ok(lf);
                };
                let key = match self.kind {
                    FillKind::Average => "mean",
                    FillKind::Median => "median",
                    _ => "sum",
                };
                ctx.record(key, json_f64(value));
                let literal = numeric_literal(value, &dtype);
                if dtype.is_integer() {
                    ctx.record("value", json_f64(value.round()));
                }
                literal
            }
            FillKind::Mode(tie) => match self.mode(&lf, ctx, &dtype, tie)? {
                Some(v) => v,
                None => return Ok(lf),
            },
        };
        let filled = ctx.in_place(&self.source, when(is_missing).then(new).otherwise(c));
        Ok(lf.with_column(filled.alias(self.source.as_str())))
    }

    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        let request = self.request(&super::column_type(input, &self.source)?);
        (!request.exprs.is_empty()).then_some(request)
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.source.clone()])
    }
}

impl Fill {
    /// The aggregates behind the fill value: the statistic over the present values, and the
    /// counts of missing and present values.
    /// The statistics the fill needs (none for the kinds that need none).
    fn request(&self, dtype: &DataType) -> Stats {
        let src = self.source.as_str();
        let is_missing = missing(src, dtype);
        let missing_count = ("missing", is_missing.clone().sum());
        let exprs = match self.kind {
            FillKind::LastValid => vec![missing_count],
            FillKind::Average | FillKind::Median | FillKind::Sum => {
                // Aggregates skip nulls, a number's only missing value: no filtered copy.
                let present = match dtype {
                    DataType::String => col(src).filter(is_missing.clone().not()),
                    _ => col(src),
                };
                let stat = match self.kind {
                    FillKind::Average => present.mean(),
                    FillKind::Median => present.median(),
                    _ => present.sum().cast(DataType::Float64),
                };
                vec![
                    ("value", stat),
                    missing_count,
                    ("present", is_missing.not().sum()),
                ]
            }
            _ => vec![],
        };
        Stats {
            exprs,
            reads: vec![self.source.clone()],
        }
    }

    /// The mode as a literal, with ties broken by `tie` (decisions.md: NONE and
    /// MOST_FREQUENT take the smallest tied value, lexicographic for text).
    fn mode(
        &self,
        lf: &LazyFrame,
        ctx: &mut ApplyCtx,
        dtype: &DataType,
        tie: &str,
    ) -> OpResult<Option<Expr>> {
        let src = self.source.as_str();
        let present = when(missing(src, dtype).not())
            .then(col(src))
            .otherwise(lit(NULL));
        let Some((values, count)) = tied_modes(ctx, lf, present)? else {
            ctx.warnings.push(format!(
                "'{}' has no values; nothing to fill with",
                self.source
            ));
            return Ok(None);
        };
        ctx.record("mode_count", count);
        ctx.record("tied_values", values.len());
        let (literal, shown) = pick_mode(&values, tie, dtype)?;
        ctx.record("mode", shown);
        Ok(Some(literal))
    }
}

/// The most frequent non-null values of `values` (an expression over `lf`), ascending, and how
/// often each occurs; `None` when there are none. FILL_WITH_MODE and REPLACE_WITH_MODE break
/// their ties on this.
pub fn tied_modes(
    ctx: &mut ApplyCtx,
    lf: &LazyFrame,
    values: Expr,
) -> OpResult<Option<(Series, u64)>> {
    let counts = ctx.query(
        lf.clone()
            .select([values.alias("v")])
            .drop_nulls(None)
            .group_by([col("v")])
            .agg([len().alias("n")])
            .filter(col("n").eq(col("n").max()))
            .sort(["v"], SortMultipleOptions::default()),
    )?;
    if counts.height() == 0 {
        return Ok(None);
    }
    let count = counts.column("n")?.get(0)?.extract::<u64>().unwrap_or(0);
    Ok(Some((
        counts.column("v")?.as_materialized_series().clone(),
        count,
    )))
}

/// The value the tie rule `tie` takes among the tied modes (ascending, from [`tied_modes`]):
/// MAXIMUM the largest, AVERAGE their mean (for a numeric `dtype`; rounded for integers),
/// otherwise the smallest. As a literal of `dtype`, and as the report shows it.
pub fn pick_mode(
    values: &Series,
    tie: &str,
    dtype: &DataType,
) -> OpResult<(Expr, serde_json::Value)> {
    let pick = match tie {
        "MAXIMUM" => values.get(values.len() - 1)?,
        "AVERAGE" if dtype.is_primitive_numeric() => {
            let mean = values.cast(&DataType::Float64)?.mean().unwrap_or(f64::NAN);
            return Ok((numeric_literal(mean, dtype), json_f64(mean)));
        }
        _ => values.get(0)?,
    };
    let shown = match &pick {
        AnyValue::String(s) => serde_json::Value::from(*s),
        v => v
            .extract::<f64>()
            .map(json_f64)
            .unwrap_or_else(|| serde_json::Value::from(v.to_string())),
    };
    Ok((lit(Scalar::new(dtype.clone(), pick.into_static())), shown))
}

/// `text` through `convert` (an expression over a text column), evaluated once: for a literal
/// that a per-row conversion would give every row.
pub fn convert_once(text: &str, convert: impl FnOnce(Expr) -> Expr) -> OpResult<AnyValue<'static>> {
    let frame = DataFrame::new(1, vec![Column::new("v".into(), [text])])?;
    let converted = frame
        .lazy()
        .select([convert(col("v")).alias("v")])
        .collect()?;
    Ok(converted.column("v")?.get(0)?.into_static())
}

/// The custom fill value converted to the column's type the way CHANGE_DATA_TYPE converts
/// text (same formats, exact integers), or an error when it does not convert.
pub fn custom_literal(value: &str, dtype: &DataType) -> OpResult<Expr> {
    if *dtype == DataType::String {
        return Ok(lit(value.to_string()));
    }
    match convert_once(value, |v| {
        crate::types::convert(v, &DataType::String, dtype)
    })? {
        AnyValue::Null => Err(OpError::new(format!(
            "value '{value}' is not a valid {}",
            type_label(dtype)
        ))
        .param("value")
        .help(format!(
            "give a value of the column's type ({})",
            type_label(dtype)
        ))),
        v => Ok(lit(Scalar::new(dtype.clone(), v.into_static()))),
    }
}
