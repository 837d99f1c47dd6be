//! BOOLEAN_OPERATION and CASE_OPERATION (reference §2.7, expression language §3.2): a new
//! column at the end, computed per row from conditions over columns, literals and dataset
//! aggregates.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * A comparison of a numeric column with a quoted number compares numbers; with a date or
//!   timestamp column, quoted ISO 8601 text is a date. Text compares by code point.
//! * A condition that cannot be decided (a null value) counts as false: BOOLEAN_OPERATION takes
//!   its false value, CASE_OPERATION tries the next `when`.
//! * `isMissing` holds for null and empty text; `isValid(v, type)` for a present value that is,
//!   or converts to, the DataBrew type; `contains`, `startsWith`, `endsWith` take literal text,
//!   `matches` a regular expression searched in the value.
//! * `withExpressions` declares aggregates over the whole column (`sum`, `avg`/`mean`,
//!   `median`, `min`, `max`, `count`, `count(distinct …)`, `stddev`, `variance` (sample) —
//!   computed as GROUP_BY computes them (src/ops/aggregate.rs) —
//!   `mean_absolute_deviation`, `standard_error_of_mean`), referenced as `` `:name` ``. They are
//!   computed before the step, as its statistics, and written to the run report.
//! * BOOLEAN_OPERATION's true and false values may also be bare text (`It is true.`, as in
//!   DataBrew's example): anything that is not a value and has no backtick or quote is text.
//! * The result's type is the common type of the possible values (text and a number → text);
//!   CASE_OPERATION without `else` gives null where no `when` holds.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, check_regex, require_column, require_new_column,
};
use crate::recipe::expression::{self, Aggregate, Case, Cmp, Cond, Function, ParseError, Value};
use crate::recipe::params::{ParamKind, ParamSpec};

const FAMILY: &str = "flags";

const WITH: ParamSpec = ParamSpec::opt(
    "withExpressions",
    ParamKind::Json,
    "Aggregates: [{\"name\": \"avg\", \"value\": \"avg(`x`)\", \"type\": \"aggregate\"}], used as `:avg`.",
);
const TARGET: ParamSpec =
    ParamSpec::req("targetColumn", ParamKind::Column, "Name of the new column.");

params! {
    struct BooleanOperation {
        condition: String = ParamSpec::req("valueExpression", ParamKind::Text, "The condition, e.g. `age` >= 18 and !isMissing(`name`)."),
        if_true: String = ParamSpec::req("trueValueExpression", ParamKind::Text, "Value where it holds: 'text', a number, `column` or `:aggregate`."),
        if_false: String = ParamSpec::req("falseValueExpression", ParamKind::Text, "Value where it does not."),
        with: Option<serde_json::Value> = WITH,
        target: String = TARGET,
    }
}

params! {
    struct CaseOperation {
        case: String = ParamSpec::req("valueExpression", ParamKind::Text, "case when <condition> then <value> … [else <value>] end"),
        with: Option<serde_json::Value> = WITH,
        target: String = TARGET,
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "BOOLEAN_OPERATION",
            "New column: one value where a condition holds, another where not.",
            BooleanOperation::SPECS,
            Arc::new(|p| {
                let b = BooleanOperation::read(p);
                let cond = parsed(expression::parse_condition(&b.condition), "valueExpression")?;
                let t = parsed(constant_or_value(&b.if_true), "trueValueExpression")?;
                let f = parsed(constant_or_value(&b.if_false), "falseValueExpression")?;
                Ok(Box::new(Conditional {
                    case: Case {
                        branches: vec![(cond, t)],
                        otherwise: Some(f),
                    },
                    aggregates: aggregates(b.with.as_ref())?,
                    target: b.target,
                }))
            }),
        ),
        spec(
            "CASE_OPERATION",
            "New column: the value of the first `when` that holds.",
            CaseOperation::SPECS,
            Arc::new(|p| {
                let c = CaseOperation::read(p);
                Ok(Box::new(Conditional {
                    case: parsed(expression::parse_case(&c.case), "valueExpression")?,
                    aggregates: aggregates(c.with.as_ref())?,
                    target: c.target,
                }))
            }),
        ),
    ]
}

fn spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    build: super::BuildClosure,
) -> OpSpec {
    OpSpec {
        name,
        family: FAMILY,
        summary,
        params,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(build),
    }
}

/// A true/false value: an expression value, or — as DataBrew's own example writes
/// `It is true.` — bare text without backticks or quotes, taken as written.
fn constant_or_value(src: &str) -> Result<Value, ParseError> {
    expression::parse_value(src).or_else(|e| {
        let bare = !src.contains('`') && !src.trim_start().starts_with(['\'', '"']);
        if bare {
            Ok(Value::Text(src.trim().to_string()))
        } else {
            Err(e)
        }
    })
}

fn parsed<T>(r: Result<T, ParseError>, param: &'static str) -> OpResult<T> {
    r.map_err(|e| {
        OpError::new(format!("{param}: {} (at character {})", e.message, e.pos)).param(param)
    })
}

fn aggregates(json: Option<&serde_json::Value>) -> OpResult<HashMap<String, Aggregate>> {
    let Some(json) = json else {
        return Ok(HashMap::new());
    };
    let items = json
        .as_array()
        .ok_or_else(|| OpError::new("withExpressions must be a list").param("withExpressions"))?;
    let most = super::numbered_stats().len();
    if items.len() > most {
        return Err(OpError::new(format!(
            "at most {most} aggregates per step, found {}",
            items.len()
        ))
        .param("withExpressions"));
    }
    items
        .iter()
        .map(|item| {
            let field = |k: &str| item.get(k).and_then(|v| v.as_str());
            let name = field("name").ok_or_else(|| {
                OpError::new("an aggregate needs a name").param("withExpressions")
            })?;
            let value = field("value").unwrap_or_default();
            let agg = parsed(expression::parse_aggregate(value), "withExpressions")?;
            Ok((name.to_string(), agg))
        })
        .collect()
}

pub struct Conditional {
    case: Case,
    aggregates: HashMap<String, Aggregate>,
    target: String,
}

impl Conditional {
    /// The `withExpressions` aggregates as one statistics request (in name order).
    fn request(&self, schema: &Schema) -> OpResult<(Vec<String>, Stats)> {
        let c = Compiler {
            schema,
            aggregates: &self.aggregates,
            computed: None,
        };
        let mut names: Vec<String> = self.aggregates.keys().cloned().collect();
        names.sort();
        let exprs = names
            .iter()
            .zip(super::numbered_stats())
            .map(|(n, stat)| Ok((*stat, c.aggregate(n)?)))
            .collect::<OpResult<Vec<_>>>()?;
        let reads = self.aggregates.values().map(|a| a.column.clone()).collect();
        Ok((names, Stats { exprs, reads }))
    }

    fn expr(&self, schema: &Schema, computed: Option<&HashMap<String, Expr>>) -> OpResult<Expr> {
        let c = Compiler {
            schema,
            aggregates: &self.aggregates,
            computed,
        };
        let mut out = match &self.case.otherwise {
            Some(v) => c.value(v)?,
            None => lit(NULL),
        };
        for (cond, value) in self.case.branches.iter().rev() {
            out = when(c.cond(cond)?.fill_null(lit(false)))
                .then(c.value(value)?)
                .otherwise(out);
        }
        Ok(out)
    }
}

impl Operation for Conditional {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        // Every declared aggregate is computed, referenced or not: check them all now.
        self.request(input)?;
        let dtype = super::shape::expr_dtype(input, self.expr(input, None)?)?;
        require_new_column(input, &self.target, "targetColumn")?;
        let mut out = input.clone();
        out.with_column(self.target.as_str().into(), normalise(dtype));
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        // The aggregates are computed first, as statistics, and recorded in the run report.
        let mut computed = HashMap::new();
        if !self.aggregates.is_empty() {
            let (names, request) = self.request(&ctx.schema)?;
            let df = ctx.aggregate(&lf, request)?;
            for (name, stat) in names.iter().zip(super::numbered_stats()) {
                let column = df.column(stat)?;
                let value = column.get(0)?.into_static();
                ctx.record(&format!("aggregate_{name}"), value.to_string());
                computed.insert(
                    name.clone(),
                    lit(Scalar::new(column.dtype().clone(), value)),
                );
            }
        }
        let e = self.expr(&ctx.schema, Some(&computed))?;
        let dtype = normalise(super::shape::expr_dtype(&ctx.schema, e.clone())?);
        Ok(lf.with_column(ctx.new_column(e.cast(dtype)).alias(self.target.as_str())))
    }

    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        if self.aggregates.is_empty() {
            return None;
        }
        self.request(input).ok().map(|(_, s)| s)
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}

/// An all-null result is text.
fn normalise(dtype: DataType) -> DataType {
    if dtype == DataType::Null {
        DataType::String
    } else {
        dtype
    }
}

struct Compiler<'a> {
    schema: &'a Schema,
    aggregates: &'a HashMap<String, Aggregate>,
    /// The aggregates' values, once computed.
    computed: Option<&'a HashMap<String, Expr>>,
}

impl Compiler<'_> {
    fn column_type(&self, v: &Value) -> Option<DataType> {
        match v {
            Value::Column(c, _) => super::column_type(self.schema, c),
            _ => None,
        }
    }

    fn value(&self, v: &Value) -> OpResult<Expr> {
        Ok(match v {
            Value::Column(c, _) => {
                require_column(self.schema, c, "valueExpression")?;
                col(c.as_str())
            }
            Value::Aggregate(name, _) => match self.computed.and_then(|c| c.get(name)) {
                Some(value) => value.clone(),
                None => self.aggregate(name)?,
            },
            Value::Text(t) => lit(t.clone()),
            // Typed, so a whole number is a long whatever it meets (Polars would narrow it).
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
                lit(*n as i64).cast(DataType::Int64)
            }
            Value::Number(n) => lit(*n).cast(DataType::Float64),
            Value::Bool(b) => lit(*b),
            Value::Null => lit(NULL),
        })
    }

    /// A value to compare with `other`: quoted numbers next to numeric columns are numbers,
    /// quoted dates next to date columns are dates.
    fn operand(&self, v: &Value, other: &Value) -> OpResult<Expr> {
        if let (Value::Text(t), Some(dtype)) = (v, self.column_type(other)) {
            if dtype.is_primitive_numeric() {
                if let Ok(n) = t.trim().parse::<f64>() {
                    return Ok(lit(n));
                }
            } else if dtype.is_temporal() {
                return Ok(crate::types::convert(
                    lit(t.clone()),
                    &DataType::String,
                    &dtype,
                ));
            }
        }
        self.value(v)
    }

    fn aggregate(&self, name: &str) -> OpResult<Expr> {
        let a = self.aggregates.get(name).ok_or_else(|| {
            OpError::new(format!("no aggregate named '{name}' in withExpressions"))
                .param("withExpressions")
        })?;
        let dtype = require_column(self.schema, &a.column, "withExpressions")?;
        let shared = match (a.function.as_str(), a.distinct) {
            ("count", true) => Some("COUNT_DISTINCT"),
            ("count", false) => Some("COUNT"),
            ("min", _) => Some("MIN"),
            ("max", _) => Some("MAX"),
            ("sum", _) => Some("SUM"),
            ("avg" | "mean", _) => Some("MEAN"),
            ("median", _) => Some("MEDIAN"),
            ("stddev", _) => Some("STANDARD_DEVIATION"),
            ("variance", _) => Some("VARIANCE"),
            _ => None,
        };
        if let Some(function) = shared {
            return super::aggregate::aggregate(function, &a.column, &dtype, None)
                .map_err(|e| e.param("withExpressions"));
        }
        let x = col(a.column.as_str()).cast(DataType::Float64);
        Ok(match a.function.as_str() {
            "mean_absolute_deviation" => (x.clone() - x.mean()).abs().mean(),
            "standard_error_of_mean" => x.clone().std(1) / x.count().cast(DataType::Float64).sqrt(),
            other => {
                return Err(OpError::new(format!("aggregate '{other}' is not supported"))
                    .param("withExpressions")
                    .help("use sum, avg, mean, median, min, max, count, stddev, variance, mean_absolute_deviation or standard_error_of_mean"));
            }
        })
    }

    fn text(&self, v: &Value) -> OpResult<Expr> {
        let e = self.value(v)?;
        Ok(match self.column_type(v) {
            Some(DataType::String) | None => e,
            Some(_) => e.cast(DataType::String),
        })
    }

    fn literal_text<'v>(&self, v: &'v Value, what: &str) -> OpResult<&'v str> {
        match v {
            Value::Text(t) => Ok(t),
            _ => Err(
                OpError::new(format!("{what} takes quoted text as its second argument"))
                    .param("valueExpression"),
            ),
        }
    }

    fn cond(&self, c: &Cond) -> OpResult<Expr> {
        Ok(match c {
            Cond::Or(a, b) => self.cond(a)?.or(self.cond(b)?),
            Cond::And(a, b) => self.cond(a)?.and(self.cond(b)?),
            Cond::Not(a) => self.cond(a)?.not(),
            Cond::Truth(v) => self.value(v)?.cast(DataType::Boolean),
            Cond::Compare(a, op, b) => {
                let (x, y) = (self.operand(a, b)?, self.operand(b, a)?);
                match op {
                    Cmp::Lt => x.lt(y),
                    Cmp::Le => x.lt_eq(y),
                    Cmp::Gt => x.gt(y),
                    Cmp::Ge => x.gt_eq(y),
                    Cmp::Eq => x.eq(y),
                    Cmp::Ne => x.neq(y),
                }
            }
            Cond::Call { name, args, .. } => match name {
                Function::Contains => {
                    let t = self.literal_text(&args[1], "contains")?;
                    self.text(&args[0])?
                        .str()
                        .contains_literal(lit(t.to_string()))
                }
                Function::StartsWith => {
                    let t = self.literal_text(&args[1], "startsWith")?;
                    self.text(&args[0])?.str().starts_with(lit(t.to_string()))
                }
                Function::EndsWith => {
                    let t = self.literal_text(&args[1], "endsWith")?;
                    self.text(&args[0])?.str().ends_with(lit(t.to_string()))
                }
                Function::Matches => {
                    let t = self.literal_text(&args[1], "matches")?;
                    check_regex(t, "valueExpression")?;
                    self.text(&args[0])?
                        .str()
                        .contains(lit(t.to_string()), true)
                }
                Function::IsBetween => {
                    let x = self.operand(&args[0], &args[1])?;
                    let lo = self.operand(&args[1], &args[0])?;
                    let hi = self.operand(&args[2], &args[0])?;
                    x.clone().gt_eq(lo).and(x.lt_eq(hi))
                }
                Function::IsMissing => {
                    let e = self.value(&args[0])?;
                    match self.column_type(&args[0]) {
                        Some(DataType::String) => e.clone().is_null().or(e.eq(lit(""))),
                        _ => e.is_null(),
                    }
                }
                Function::IsValid => {
                    let t = self.literal_text(&args[1], "isValid")?;
                    let to = crate::types::parse_type(t).ok_or_else(|| {
                        OpError::new(format!("unknown type '{t}' in isValid"))
                            .param("valueExpression")
                            .help(format!(
                                "use one of {}",
                                crate::types::TYPE_NAMES.join(", ")
                            ))
                    })?;
                    let from = self.column_type(&args[0]).unwrap_or(DataType::String);
                    let e = self.value(&args[0])?;
                    let present = if from == DataType::String {
                        e.clone().is_not_null().and(e.clone().neq(lit("")))
                    } else {
                        e.clone().is_not_null()
                    };
                    present.and(crate::types::convert(e, &from, &to).is_not_null())
                }
            },
        })
    }
}
