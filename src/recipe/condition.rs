//! Step-level `ConditionExpressions` (DataBrew reference §3.1).
//!
//! Semantics (decisions.md, "Conditions and types"):
//! * All conditions of a step are ANDed; a row where a condition cannot be evaluated (null)
//!   does not satisfy it, except `IS_NOT` (a missing value is not any of the given values).
//! * `IS` / `IS_NOT` take a JSON list (`["a","b"]`) or a single value; comparisons are numeric
//!   on numeric columns and textual otherwise. `STARTS_WITH` and friends take plain text.
//! * `IS_BETWEEN` takes `{"GREATER_THAN_EQUAL": lo, "LESS_THAN_EQUAL": hi}` or `[lo, hi]`;
//!   both bounds inclusive.
//! * `IS_MISSING`: null, or the empty string in a text column.
//! * `IS_INVALID` (datacook decision): typed columns only hold valid values, so it never holds
//!   there; on a text column it holds where the value is present but does not convert to the
//!   data type named by `Value` (`int`, `double`, `boolean`, `date`, …). Without a `Value`
//!   nothing is invalid.

use polars::prelude::*;

use super::RawCondition;
use super::node::{Node, NodeKind, Pos};
use super::params::json_scalar_text;
use crate::error::did_you_mean;
use crate::types::convert;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondOp {
    Is,
    IsNot,
    IsBetween,
    Contains,
    NotContains,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    LessThan,
    LessThanEqual,
    GreaterThan,
    GreaterThanEqual,
    IsInvalid,
    IsMissing,
}

pub const CONDITION_NAMES: &[&str] = &[
    "IS",
    "IS_NOT",
    "IS_BETWEEN",
    "CONTAINS",
    "NOT_CONTAINS",
    "STARTS_WITH",
    "NOT_STARTS_WITH",
    "ENDS_WITH",
    "NOT_ENDS_WITH",
    "LESS_THAN",
    "LESS_THAN_EQUAL",
    "GREATER_THAN",
    "GREATER_THAN_EQUAL",
    "IS_INVALID",
    "IS_MISSING",
];

impl CondOp {
    fn from_name(name: &str) -> Option<Self> {
        use CondOp::*;
        Some(match name {
            "IS" => Is,
            "IS_NOT" => IsNot,
            "IS_BETWEEN" => IsBetween,
            "CONTAINS" => Contains,
            "NOT_CONTAINS" => NotContains,
            "STARTS_WITH" => StartsWith,
            "NOT_STARTS_WITH" => NotStartsWith,
            "ENDS_WITH" => EndsWith,
            "NOT_ENDS_WITH" => NotEndsWith,
            "LESS_THAN" => LessThan,
            "LESS_THAN_EQUAL" => LessThanEqual,
            "GREATER_THAN" => GreaterThan,
            "GREATER_THAN_EQUAL" => GreaterThanEqual,
            "IS_INVALID" => IsInvalid,
            "IS_MISSING" => IsMissing,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub op: CondOp,
    pub name: String,
    pub target: String,
    /// IS/IS_NOT: the values; IS_BETWEEN: [low, high]; others: at most one value.
    pub values: Vec<String>,
    pub pos: Pos,
}

/// A condition problem: message and optional help.
pub type CondError = (String, Option<String>);

pub fn parse(raw: &RawCondition) -> Result<Condition, CondError> {
    let name = raw.condition.trim().to_ascii_uppercase();
    let op = CondOp::from_name(&name).ok_or_else(|| {
        (
            format!("unknown condition '{}'", raw.condition),
            did_you_mean(&name, CONDITION_NAMES.iter().copied())
                .or_else(|| Some(format!("conditions are {}", CONDITION_NAMES.join(", ")))),
        )
    })?;
    let values = match op {
        CondOp::IsMissing => Vec::new(),
        CondOp::IsInvalid => raw
            .value
            .as_ref()
            .and_then(Node::scalar_text)
            .into_iter()
            .collect(),
        CondOp::Is | CondOp::IsNot => list_values(required(raw, &name)?)?,
        CondOp::IsBetween => between_values(required(raw, &name)?)?,
        _ => vec![
            required(raw, &name)?
                .scalar_text()
                .ok_or_else(|| (format!("{name} needs a single value"), None))?,
        ],
    };
    Ok(Condition {
        op,
        name,
        target: raw.target_column.clone(),
        values,
        pos: raw.pos,
    })
}

fn required<'a>(raw: &'a RawCondition, name: &str) -> Result<&'a Node, CondError> {
    raw.value
        .as_ref()
        .filter(|v| !matches!(v.kind, NodeKind::Null))
        .ok_or_else(|| (format!("condition {name} needs a 'Value'"), None))
}

fn list_values(node: &Node) -> Result<Vec<String>, CondError> {
    let json = match &node.kind {
        NodeKind::Str(s) if s.trim_start().starts_with('[') => {
            match serde_json::from_str::<serde_json::Value>(s) {
                Ok(v) => v,
                // Plain text that happens to start with '[' (e.g. "[TEST] Bob").
                Err(_) => return Ok(vec![s.clone()]),
            }
        }
        NodeKind::List(_) => node.to_json(),
        _ => {
            return Ok(vec![node.scalar_text().ok_or_else(|| {
                (
                    format!("expected a value, found {}", node.type_name()),
                    None,
                )
            })?]);
        }
    };
    json.as_array()
        .ok_or_else(|| ("expected a list of values".to_string(), None))?
        .iter()
        .map(|v| json_scalar_text(v).map_err(|e| (e, None)))
        .collect()
}

fn between_values(node: &Node) -> Result<Vec<String>, CondError> {
    let json = match &node.kind {
        NodeKind::Str(s) => serde_json::from_str(s).map_err(|_| {
            (
                format!("IS_BETWEEN needs two bounds, found '{s}'"),
                Some(
                    r#"write {"GREATER_THAN_EQUAL": "1", "LESS_THAN_EQUAL": "9"} or ["1", "9"]"#
                        .into(),
                ),
            )
        })?,
        _ => node.to_json(),
    };
    let bounds = match &json {
        serde_json::Value::Array(items) if items.len() == 2 => {
            vec![items[0].clone(), items[1].clone()]
        }
        serde_json::Value::Object(map) => {
            let find = |keys: &[&str]| {
                map.iter()
                    .find(|(k, _)| keys.iter().any(|want| k.eq_ignore_ascii_case(want)))
                    .map(|(_, v)| v.clone())
            };
            match (
                find(&["GREATER_THAN_EQUAL", "lower", "min", "start"]),
                find(&["LESS_THAN_EQUAL", "upper", "max", "end"]),
            ) {
                (Some(lo), Some(hi)) => vec![lo, hi],
                _ => {
                    return Err((
                        "IS_BETWEEN needs GREATER_THAN_EQUAL and LESS_THAN_EQUAL bounds".into(),
                        None,
                    ));
                }
            }
        }
        _ => {
            return Err((
                "IS_BETWEEN needs two bounds".into(),
                Some(r#"write {"GREATER_THAN_EQUAL": "1", "LESS_THAN_EQUAL": "9"}"#.into()),
            ));
        }
    };
    bounds
        .iter()
        .map(|v| json_scalar_text(v).map_err(|e| (e, None)))
        .collect()
}

impl Condition {
    /// Check the condition against the step's input schema.
    pub fn check(&self, schema: &Schema) -> Result<(), CondError> {
        let dtype = crate::types::column_type(schema, &self.target).ok_or_else(|| {
            (
                format!("condition column '{}' not found", self.target),
                crate::types::column_help(schema, &self.target),
            )
        })?;
        let dtype = &dtype;
        if dtype.is_primitive_numeric() && self.compares_values() {
            for v in &self.values {
                if v.trim().parse::<f64>().is_err() {
                    return Err((
                        format!(
                            "{} compares numbers, but '{v}' is not a number (column '{}' is {})",
                            self.name,
                            self.target,
                            crate::types::type_label(dtype)
                        ),
                        None,
                    ));
                }
            }
        }
        if self.op == CondOp::IsInvalid
            && let Some(t) = self.values.first()
            && invalid_check_dtype(t).is_none()
        {
            return Err((
                format!("IS_INVALID: unknown data type '{t}'"),
                Some("use int, long, double, boolean, date or timestamp".into()),
            ));
        }
        Ok(())
    }

    fn compares_values(&self) -> bool {
        matches!(
            self.op,
            CondOp::Is
                | CondOp::IsNot
                | CondOp::IsBetween
                | CondOp::LessThan
                | CondOp::LessThanEqual
                | CondOp::GreaterThan
                | CondOp::GreaterThanEqual
        )
    }

    /// A boolean expression that is true exactly where the condition holds (never null).
    pub fn to_expr(&self, schema: &Schema) -> Expr {
        let dtype = schema
            .get(self.target.as_str())
            .cloned()
            .unwrap_or(DataType::String);
        let c = col(self.target.as_str());
        let numeric = dtype.is_primitive_numeric();
        let value = |s: &str| typed_literal(&dtype, s);
        let operand = if numeric || dtype == DataType::Boolean {
            c.clone()
        } else {
            c.clone().cast(DataType::String)
        };
        let text = c.clone().cast(DataType::String);
        let first = self.values.first().cloned().unwrap_or_default();
        let expr = match self.op {
            CondOp::Is => any_equal(&operand, &self.values, &value),
            CondOp::IsNot => any_equal(&operand, &self.values, &value)
                .fill_null(lit(false))
                .not(),
            CondOp::IsBetween => operand
                .clone()
                .gt_eq(value(&self.values[0]))
                .and(operand.lt_eq(value(&self.values[1]))),
            CondOp::Contains => text.str().contains_literal(lit(first)),
            CondOp::NotContains => text.str().contains_literal(lit(first)).not(),
            CondOp::StartsWith => text.str().starts_with(lit(first)),
            CondOp::NotStartsWith => text.str().starts_with(lit(first)).not(),
            CondOp::EndsWith => text.str().ends_with(lit(first)),
            CondOp::NotEndsWith => text.str().ends_with(lit(first)).not(),
            CondOp::LessThan => operand.lt(value(&first)),
            CondOp::LessThanEqual => operand.lt_eq(value(&first)),
            CondOp::GreaterThan => operand.gt(value(&first)),
            CondOp::GreaterThanEqual => operand.gt_eq(value(&first)),
            CondOp::IsMissing => missing(&self.target, &dtype),
            CondOp::IsInvalid => match (dtype == DataType::String, self.values.first()) {
                (true, Some(t)) => match invalid_check_dtype(t) {
                    Some(to) => c
                        .clone()
                        .is_not_null()
                        .and(c.clone().neq(lit("")))
                        .and(convert(c, &DataType::String, &to).is_null()),
                    None => lit(false),
                },
                _ => lit(false),
            },
        };
        expr.fill_null(lit(false))
    }
}

/// A condition's value as a literal to compare with a column of type `dtype`: an exact
/// integer, a number, a boolean, or text.
pub fn typed_literal(dtype: &DataType, s: &str) -> Expr {
    if dtype.is_integer()
        && let Ok(i) = s.trim().parse::<i64>()
    {
        // Exact: large integers do not survive a trip through f64.
        lit(i)
    } else if dtype.is_primitive_numeric() {
        lit(s.trim().parse::<f64>().unwrap_or(f64::NAN))
    } else if *dtype == DataType::Boolean {
        lit(s.trim().eq_ignore_ascii_case("true"))
    } else {
        lit(s.to_string())
    }
}

fn any_equal(operand: &Expr, values: &[String], value: &dyn Fn(&str) -> Expr) -> Expr {
    values
        .iter()
        .map(|v| operand.clone().eq(value(v)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false))
}

/// The type a value must convert to for `IS_INVALID` with this DataBrew type name: any
/// integer for the integer names, any number for the others that are numeric.
fn invalid_check_dtype(name: &str) -> Option<DataType> {
    let dtype = crate::types::parse_type(name)?;
    Some(if dtype.is_integer() {
        DataType::Int64
    } else if dtype.is_float() || dtype.is_decimal() {
        DataType::Float64
    } else {
        dtype
    })
}

pub use crate::types::{empty_as_null, missing};

/// Every column of a schema through [`empty_as_null`]: the keys rows compare by.
pub fn row_keys(schema: &Schema) -> Vec<Expr> {
    schema
        .iter()
        .map(|(n, d)| empty_as_null(n.as_str(), d))
        .collect()
}

/// AND all conditions into one mask, or `None` when the step has none.
pub fn combine(conditions: &[Condition], schema: &Schema) -> Option<Expr> {
    conditions
        .iter()
        .map(|c| c.to_expr(schema))
        .reduce(|a, b| a.and(b))
}
