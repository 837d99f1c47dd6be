//! The shapes most operations share, written once:
//!
//! * [`MapInPlace`] — change one column in place (UPPER_CASE, ADD_PREFIX, REPLACE_TEXT…); with
//!   conditions, only the rows where they hold change.
//! * [`Derive`] — a new column computed from columns or literal values (`sourceColumn | value`
//!   inputs), placed right after its first source column, or at the end when it has none (the
//!   functions: UPPER, ADD, YEAR, COALESCE…); with conditions, the new column is null where they
//!   do not hold.
//!
//! Both are one Polars expression. The output schema is the schema Polars gives that same
//! expression over the input schema, so what validation promises is what execution produces.
//!
//! The `*_spec` constructors turn a name, a summary and an expression into a registry entry,
//! so that a one-column operation is a few lines in its family's file.

use std::sync::Arc;

use polars::prelude::*;

use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    require_column, require_new_column, schema_insert_after, select_insert_after, type_label,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};
use crate::types::convert;

/// What an operand must be. Text operations read any column as text (numbers as written);
/// numeric ones need a numeric column or a literal that is a number; date ones read dates,
/// timestamps and ISO 8601 text (text that does not parse is null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    Text,
    Number,
    Date,
    Any,
}

impl Accepts {
    fn describe(self) -> &'static str {
        match self {
            Accepts::Text => "text",
            Accepts::Number => "a number",
            Accepts::Date => "a date or timestamp",
            Accepts::Any => "a value",
        }
    }
}

/// One input of a function: a column, or a literal value (DataBrew's `sourceColumn | value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column { name: String, param: &'static str },
    Value { text: String, param: &'static str },
}

impl Operand {
    /// The operand given as `column_param` or `value_param`; exactly one of them.
    pub fn read(
        p: &Params,
        column_param: &'static str,
        value_param: &'static str,
    ) -> OpResult<Operand> {
        match (p.text(column_param), p.text(value_param)) {
            (Some(name), None) => Ok(Operand::Column {
                name,
                param: column_param,
            }),
            (None, Some(text)) => Ok(Operand::Value {
                text,
                param: value_param,
            }),
            (Some(_), Some(_)) => Err(OpError::new(format!(
                "give {column_param} or {value_param}, not both"
            ))
            .param(value_param)),
            (None, None) => Err(OpError::new(format!(
                "needs {column_param} (a column) or {value_param} (a literal value)"
            ))
            .help(format!(
                "add `{column_param}: <column>` or `{value_param}: <value>`"
            ))),
        }
    }

    pub fn column(name: impl Into<String>, param: &'static str) -> Operand {
        Operand::Column {
            name: name.into(),
            param,
        }
    }

    fn column_name(&self) -> Option<&str> {
        match self {
            Operand::Column { name, .. } => Some(name),
            Operand::Value { .. } => None,
        }
    }

    /// The operand as an expression of the kind `accepts` asks for, or an error naming the
    /// parameter.
    pub fn expr(&self, schema: &Schema, accepts: Accepts, op: &str) -> OpResult<Expr> {
        match self {
            Operand::Column { name, param } => {
                let dtype = require_column(schema, name, param)?;
                column_as(name, &dtype, accepts).ok_or_else(|| {
                    let e = OpError::new(format!(
                        "{op} needs {}, but column '{name}' is {}",
                        accepts.describe(),
                        type_label(&dtype)
                    ))
                    .param(param)
                    .help("convert it first with CHANGE_DATA_TYPE");
                    if accepts == Accepts::Number {
                        e.not_numeric(name)
                    } else {
                        e
                    }
                })
            }
            Operand::Value { text, param } => literal_as(text, accepts).ok_or_else(|| {
                OpError::new(format!(
                    "{op} needs {}, but {param} is '{text}'",
                    accepts.describe()
                ))
                .param(param)
            }),
        }
    }
}

fn column_as(name: &str, dtype: &DataType, accepts: Accepts) -> Option<Expr> {
    let c = col(name);
    match accepts {
        Accepts::Any => Some(c),
        // Null: a column without values, or a type only the data tells (a JSON_TO_STRUCTS
        // field, checked again at run time); it reads as anything.
        Accepts::Number if *dtype == DataType::Null => Some(c),
        Accepts::Text if *dtype == DataType::String => Some(c),
        // A struct reads as its JSON text (EXTRACT_VALUE follows paths in it).
        Accepts::Text if matches!(dtype, DataType::Struct(_)) => Some(c.struct_().json_encode()),
        Accepts::Text => Some(c.cast(DataType::String)),
        Accepts::Number if dtype.is_primitive_numeric() || dtype.is_decimal() => Some(c),
        Accepts::Number => None,
        Accepts::Date => date_expr(c, dtype),
    }
}

/// A date, timestamp or ISO 8601 text as a timestamp (text that does not parse is null).
fn date_expr(c: Expr, dtype: &DataType) -> Option<Expr> {
    let timestamp = DataType::Datetime(TimeUnit::Microseconds, None);
    match dtype {
        DataType::Datetime(_, _) => Some(c),
        DataType::Date | DataType::Null => Some(c.cast(timestamp)),
        DataType::String => Some(convert(c, dtype, &timestamp)),
        _ => None,
    }
}

fn literal_as(text: &str, accepts: Accepts) -> Option<Expr> {
    match accepts {
        Accepts::Text | Accepts::Any => Some(lit(text.to_string())),
        Accepts::Number => {
            let t = text.trim();
            if let Ok(i) = t.parse::<i64>() {
                Some(lit(i))
            } else {
                t.parse::<f64>().ok().filter(|f| f.is_finite()).map(lit)
            }
        }
        // A literal must be a date: converted (and checked) now, not per row.
        Accepts::Date => {
            super::missing::custom_literal(text, &DataType::Datetime(TimeUnit::Microseconds, None))
                .ok()
        }
    }
}

/// An empty frame of `schema` to plan on, with each of `names` that only the data will name
/// (behind ONE_HOT_ENCODING, PIVOT, …) added with its placeholder's type.
pub fn planning_frame<'a>(schema: &Schema, names: impl IntoIterator<Item = &'a str>) -> LazyFrame {
    DataFrame::empty_with_schema(&planning_schema(schema, names)).lazy()
}

/// The schema a `select` of `exprs` gives over an empty frame of `schema`: a step's planned
/// output. `what` says what the step failed to do in an error ("cannot unnest").
pub fn selected_schema(schema: &Schema, exprs: Vec<Expr>, what: &str) -> OpResult<Schema> {
    let out = DataFrame::empty_with_schema(schema)
        .lazy()
        .select(exprs)
        .collect_schema()
        .map_err(|e| OpError::new(format!("{what}: {e}")))?;
    Ok(out.as_ref().clone())
}

/// `schema` with each of `names` that only the data will name added (at the end) with its
/// placeholder's type.
pub fn planning_schema<'a>(schema: &Schema, names: impl IntoIterator<Item = &'a str>) -> Schema {
    let mut schema = schema.clone();
    for name in names {
        if !schema.contains(name)
            && let Some(t) = crate::types::dynamic_type(&schema, name)
        {
            schema.with_column(name.into(), t);
        }
    }
    schema
}

/// The type Polars gives `expr` over a frame of `schema`: the one source of an expression
/// step's output type.
pub fn expr_dtype(schema: &Schema, expr: Expr) -> OpResult<DataType> {
    let names: Vec<PlSmallStr> = (&expr)
        .into_iter()
        .filter_map(|e| match e {
            Expr::Column(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let out = planning_frame(schema, names.iter().map(PlSmallStr::as_str))
        .select([expr.alias("__datacook_out")])
        .collect_schema()
        .map_err(|e| OpError::new(format!("cannot compute this step: {e}")))?;
    Ok(out.get("__datacook_out").cloned().unwrap_or(DataType::Null))
}

/// An expression over the operands, in the order given.
pub type ExprFn = Arc<dyn Fn(Vec<Expr>) -> Expr + Send + Sync>;

/// A new column computed from operands.
pub struct Derive {
    pub op: &'static str,
    pub operands: Vec<(Operand, Accepts)>,
    pub target: String,
    pub f: ExprFn,
}

impl Derive {
    fn exprs(&self, schema: &Schema) -> OpResult<Vec<Expr>> {
        self.operands
            .iter()
            .map(|(o, a)| o.expr(schema, *a, self.op))
            .collect()
    }

    fn anchor(&self) -> Option<&str> {
        self.operands.iter().find_map(|(o, _)| o.column_name())
    }

    fn value(&self, schema: &Schema) -> OpResult<Expr> {
        Ok((self.f)(self.exprs(schema)?))
    }
}

impl Operation for Derive {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let value = self.value(input)?;
        require_new_column(input, &self.target, "targetColumn")?;
        let dtype = expr_dtype(input, value)?;
        let new = [(self.target.clone(), dtype)];
        Ok(match self.anchor() {
            Some(anchor) => schema_insert_after(input, anchor, &new),
            None => {
                let mut out = input.clone();
                out.with_column(self.target.as_str().into(), new[0].1.clone());
                out
            }
        })
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let value = ctx
            .new_column(self.value(&ctx.schema)?)
            .alias(self.target.as_str());
        Ok(match self.anchor() {
            Some(anchor) => select_insert_after(lf, &ctx.schema, anchor, vec![value]),
            None => lf.with_column(value),
        })
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}

/// One column changed in place.
pub struct MapInPlace {
    pub op: &'static str,
    pub column: String,
    pub accepts: Accepts,
    pub f: Arc<dyn Fn(Expr) -> Expr + Send + Sync>,
}

impl MapInPlace {
    fn value(&self, schema: &Schema) -> OpResult<Expr> {
        let input = Operand::column(self.column.clone(), "sourceColumn");
        Ok((self.f)(input.expr(schema, self.accepts, self.op)?))
    }
}

impl Operation for MapInPlace {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let dtype = expr_dtype(input, self.value(input)?)?;
        let mut out = input.clone();
        out.with_column(self.column.as_str().into(), dtype);
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let new = self.value(&ctx.schema)?;
        let value = match &ctx.condition {
            Some(c) => {
                let dtype = expr_dtype(&ctx.schema, new.clone())?;
                when(c.clone())
                    .then(new)
                    .otherwise(col(self.column.as_str()).cast(dtype))
            }
            None => new,
        };
        Ok(lf.with_column(value.alias(self.column.as_str())))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.column.clone()])
    }
}

// ---- registry entries --------------------------------------------------------------------

pub const SOURCE: ParamSpec = ParamSpec::opt(
    "sourceColumn",
    ParamKind::Column,
    "The input column (give this or value).",
);
pub const VALUE: ParamSpec = ParamSpec::opt(
    "value",
    ParamKind::Text,
    "A literal input instead of a column.",
);
pub const SOURCE_1: ParamSpec = ParamSpec::opt(
    "sourceColumn1",
    ParamKind::Column,
    "The first input column (give this or value1).",
);
pub const VALUE_1: ParamSpec = ParamSpec::opt(
    "value1",
    ParamKind::Text,
    "A literal first input instead of a column.",
);
pub const SOURCE_2: ParamSpec = ParamSpec::opt(
    "sourceColumn2",
    ParamKind::Column,
    "The second input column (give this or value2).",
);
pub const VALUE_2: ParamSpec = ParamSpec::opt(
    "value2",
    ParamKind::Text,
    "A literal second input instead of a column.",
);
pub const TARGET: ParamSpec = ParamSpec::opt(
    "targetColumn",
    ParamKind::Column,
    "Name of the new column (default <sourceColumn>_<operation>, in lower case).",
);

/// The new column's name: `targetColumn`, else `<first source column>_<operation>` (or the
/// operation's name alone when every input is a literal), in lower case.
pub fn target_name(p: &Params, op: &str, operands: &[&Operand]) -> String {
    p.text("targetColumn").unwrap_or_else(|| {
        let suffix = op.to_ascii_lowercase();
        match operands.iter().find_map(|o| o.column_name()) {
            Some(source) => format!("{source}_{suffix}"),
            None => suffix,
        }
    })
}

/// Describes a registry entry; the `*_spec` functions add the build.
pub struct Def {
    pub name: &'static str,
    pub family: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
}

fn spec(def: Def, conditions: Conditions, scope: Scope, build: super::BuildClosure) -> OpSpec {
    OpSpec {
        name: def.name,
        family: def.family,
        summary: def.summary,
        params: def.params,
        conditions,
        scope,
        status: Status::Supported,
        build: Build::Closure(build),
    }
}

/// An in-place change of `sourceColumn`. `make` reads the other parameters and returns the
/// expression over the column (read as `accepts` asks).
pub fn in_place_spec(
    def: Def,
    accepts: Accepts,
    make: impl Fn(&Params) -> OpResult<Arc<dyn Fn(Expr) -> Expr + Send + Sync>> + Send + Sync + 'static,
) -> OpSpec {
    let op = def.name;
    spec(
        def,
        Conditions::InPlace,
        Scope::RowLocal,
        Arc::new(move |p| {
            Ok(Box::new(MapInPlace {
                op,
                column: p.text("sourceColumn").unwrap_or_default(),
                accepts,
                f: make(p)?,
            }))
        }),
    )
}

/// A new column from operands read by `make`, which returns them with the expression.
pub fn derive_spec(
    def: Def,
    make: impl Fn(&Params) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> + Send + Sync + 'static,
) -> OpSpec {
    let op = def.name;
    spec(
        def,
        Conditions::NewColumn,
        Scope::RowLocal,
        Arc::new(move |p| {
            let (operands, f) = make(p)?;
            let target = target_name(p, op, &operands.iter().map(|(o, _)| o).collect::<Vec<_>>());
            Ok(Box::new(Derive {
                op,
                operands,
                target,
                f,
            }))
        }),
    )
}

/// The operands and expression of a one-input function: `sourceColumn | value`, read as
/// `accepts` asks, and `f` over it.
pub fn one_input(
    p: &Params,
    accepts: Accepts,
    f: impl Fn(Expr) -> Expr + Send + Sync + 'static,
) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> {
    one_input_named(p, ("sourceColumn", "value"), accepts, f)
}

/// [`one_input`] with the input's parameter names (DataBrew spells some `sourceColumn1 | value1`).
pub fn one_input_named(
    p: &Params,
    (column_param, value_param): (&'static str, &'static str),
    accepts: Accepts,
    f: impl Fn(Expr) -> Expr + Send + Sync + 'static,
) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> {
    let input = Operand::read(p, column_param, value_param)?;
    Ok((
        vec![(input, accepts)],
        Arc::new(move |mut e: Vec<Expr>| f(e.remove(0))),
    ))
}

/// The same entry, marked as needing the whole dataset (windows, duplicates).
pub fn whole_dataset(mut spec: OpSpec) -> OpSpec {
    spec.scope = Scope::WholeDataset;
    spec
}

/// Parameters of a one-input function: `sourceColumn | value`, `targetColumn`.
pub const UNARY: &[ParamSpec] = &[SOURCE, VALUE, TARGET];
/// Parameters of a two-input function: `sourceColumn1 | value1`, `sourceColumn2 | value2`,
/// `targetColumn`.
pub const BINARY: &[ParamSpec] = &[SOURCE_1, VALUE_1, SOURCE_2, VALUE_2, TARGET];

/// A one-input function (`sourceColumn | value` → new `targetColumn`).
pub fn unary_spec(
    name: &'static str,
    family: &'static str,
    summary: &'static str,
    accepts: Accepts,
    f: fn(Expr) -> Expr,
) -> OpSpec {
    derive_spec(
        Def {
            name,
            family,
            summary,
            params: UNARY,
        },
        move |p| {
            let input = Operand::read(p, "sourceColumn", "value")?;
            Ok((
                vec![(input, accepts)],
                Arc::new(move |mut e: Vec<Expr>| f(e.remove(0))),
            ))
        },
    )
}

/// A two-input function (`sourceColumn1 | value1`, `sourceColumn2 | value2` → new
/// `targetColumn`).
pub fn binary_spec(
    name: &'static str,
    family: &'static str,
    summary: &'static str,
    accepts: Accepts,
    f: fn(Expr, Expr) -> Expr,
) -> OpSpec {
    derive_spec(
        Def {
            name,
            family,
            summary,
            params: BINARY,
        },
        move |p| {
            let a = Operand::read(p, "sourceColumn1", "value1")?;
            let b = Operand::read(p, "sourceColumn2", "value2")?;
            Ok((
                vec![(a, accepts), (b, accepts)],
                Arc::new(move |mut e: Vec<Expr>| {
                    let b = e.remove(1);
                    f(e.remove(0), b)
                }),
            ))
        },
    )
}

/// An in-place text change of `sourceColumn` with no other parameter.
pub fn text_in_place_spec(
    name: &'static str,
    summary: &'static str,
    f: fn(Expr) -> Expr,
) -> OpSpec {
    in_place_spec(
        Def {
            name,
            family: "text cleaning",
            summary,
            params: &[super::p::SOURCE_COLUMN],
        },
        Accepts::Text,
        move |_| Ok(Arc::new(f)),
    )
}
