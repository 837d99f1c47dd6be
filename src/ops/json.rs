//! JSON_TO_STRUCTS (reference §2.1): JSON text becomes typed structs, with one schema merged
//! over every row ("the most generic schema", as DataBrew says).
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * The schema is inferred from the rows where the step's conditions hold, in a statistics
//!   pass before the step runs. Types merge to the most general one: an integer and a decimal
//!   give a decimal (Float64); an object's fields are the union of every row's, in the order
//!   they are first seen; a list's elements merge the same way; values of conflicting kinds (a
//!   number here, text or an object there) give text, and a value that is not text is then
//!   kept as its JSON. A field that is only ever null is text.
//! * `unnestLevel` (default 1) objects deep become structs; deeper objects stay JSON text.
//!   Lists do not count as a level. A nested object without fields stays JSON text (`{}`).
//! * Null, empty text, text that is not JSON, and JSON that is not an object give a null
//!   struct; the run report counts the present values that were not objects (`not_objects`).
//!   Where the conditions do not hold the struct is null.
//! * `removeSourceColumn: true` replaces the source column with the struct (same name and
//!   place); otherwise the struct is a new column `<source>_struct` right after the source.
//! * Before the data is read, the plan knows the column is a struct but not its fields:
//!   `datacook validate` shows it as a struct of fields known once the data is read, and the
//!   fields UNNEST_STRUCT takes from it as `<prefix>.<value>` placeholders.

use std::collections::BTreeMap;
use std::sync::Arc;

use polars::prelude::*;
use serde_json::Value;

use super::declare::params;
use super::nest::{Selection, unnest_level};
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, require_column, restrict, type_label,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec, Params};
use crate::types::unknown_struct;

params! {
    struct JsonToStructsParams {
        sources: Option<Vec<String>> = ParamSpec::opt("sourceColumns", ParamKind::Columns, "The JSON text columns to convert."),
        selector: Option<String> = ParamSpec::opt("regexColumnSelector", ParamKind::Text, "Or: convert the text columns whose names match."),
        remove: bool = ParamSpec::def("removeSourceColumn", ParamKind::Bool, "false", "Replace the source with the struct (else a new column <source>_struct after it)."),
        levels: i64 = ParamSpec::def("unnestLevel", ParamKind::Integer, "1", "How many levels of objects become structs; deeper ones stay JSON text."),
    }
}

/// The most sources one step converts: each takes two numbered statistics.
const MAX_SOURCES: usize = 64;
/// The most fields (at every level) a merged struct may have: objects whose keys vary from
/// row to row (ids, dates as keys) are maps of data, not records.
const MAX_FIELDS: usize = 1000;
/// A present value that is not a JSON object, in the per-row type signatures.
const NOT_OBJECT: &str = "!";

pub fn specs() -> Vec<OpSpec> {
    vec![OpSpec {
        name: "JSON_TO_STRUCTS",
        family: "basic",
        summary: "JSON text becomes typed structs, one schema merged over all rows.",
        params: JsonToStructsParams::SPECS,
        conditions: Conditions::NewColumn,
        // Row i needs only row i and the schema gathered before, like SCALE's statistics.
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(Arc::new(|p: &Params| {
            let j = JsonToStructsParams::read(p);
            Ok(Box::new(JsonToStructs {
                sources: Selection::read(j.sources, j.selector)?,
                remove: j.remove,
                levels: unnest_level(j.levels)?,
            }) as Box<dyn Operation>)
        })),
    }]
}

pub struct JsonToStructs {
    sources: Selection,
    remove: bool,
    levels: usize,
}

impl JsonToStructs {
    /// The text columns to convert. While `planning`, a column of a type only the data tells
    /// (null: a JSON_TO_STRUCTS field) may be text.
    fn selected(&self, schema: &Schema, planning: bool) -> OpResult<Vec<String>> {
        let chosen = match &self.sources {
            Selection::Columns(c) => {
                for s in c {
                    let t = require_column(schema, s, "sourceColumns")?;
                    let unknown = planning && t == DataType::Null;
                    if t != DataType::String && !unknown {
                        return Err(OpError::new(format!(
                            "'{s}' is {}, not JSON text",
                            type_label(&t)
                        ))
                        .param("sourceColumns"));
                    }
                }
                c.clone()
            }
            Selection::Matching(re) => schema
                .iter()
                .filter(|(n, t)| re.is_match(n) && **t == DataType::String)
                .map(|(n, _)| n.to_string())
                .collect(),
        };
        if chosen.len() > MAX_SOURCES {
            return Err(OpError::new(format!(
                "{} columns selected; one JSON_TO_STRUCTS step converts at most {MAX_SOURCES}",
                chosen.len()
            ))
            .param(self.sources.param())
            .help("split the columns over several steps"));
        }
        Ok(chosen)
    }

    fn target(&self, source: &str) -> String {
        match self.remove {
            true => source.to_string(),
            false => format!("{source}_struct"),
        }
    }

    /// The output columns, given each source's struct expression.
    fn output(&self, schema: &Schema, mut structs: BTreeMap<String, Expr>) -> OpResult<Vec<Expr>> {
        let mut out = Vec::with_capacity(schema.len() + structs.len());
        for name in schema.iter_names() {
            let Some(new) = structs.remove(name.as_str()) else {
                out.push(col(name.as_str()));
                continue;
            };
            let target = self.target(name);
            if !self.remove {
                super::require_new_column(schema, &target, self.sources.param())?;
                out.push(col(name.as_str()));
            }
            out.push(new.alias(target.as_str()));
        }
        Ok(out)
    }
}

impl Operation for JsonToStructs {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let named = self.sources.named();
        let input = &super::shape::planning_schema(input, named.iter().map(String::as_str));
        let structs = self
            .selected(input, true)?
            .into_iter()
            .map(|s| (s, lit(NULL).cast(unknown_struct())))
            .collect();
        super::shape::selected_schema(input, self.output(input, structs)?, "cannot convert")
    }

    fn stats(&self, input: &Schema, condition: Option<&Expr>) -> Option<Stats> {
        let sources = self.selected(input, false).ok()?;
        Some(self.request(sources, condition))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let sources = self.selected(&ctx.schema, false)?;
        let request = self.request(sources.clone(), ctx.condition.as_ref());
        let df = ctx.aggregate(&lf, request)?;
        let names = super::numbered_stats();
        let mut structs = BTreeMap::new();
        let mut not_objects = 0;
        for (i, s) in sources.iter().enumerate() {
            let merged = df
                .column(names[2 * i])?
                .list()?
                .get_as_series(0)
                .map(|sigs| merged_type(&sigs))
                .transpose()?
                .unwrap_or_else(|| JsonType::Object(Vec::new()));
            let fields = merged.field_count();
            if fields > MAX_FIELDS {
                return Err(OpError::data(format!(
                    "the objects in '{s}' have {fields} different fields; a struct takes at most {MAX_FIELDS}"
                ))
                .param(self.sources.param())
                .help("keys that vary from row to row are data, not fields: keep the column as text and take values with EXTRACT_VALUE"));
            }
            not_objects += super::scalar_u64(&df, names[2 * i + 1]).unwrap_or(0);
            let (dtype, output) = (merged.dtype(), merged.dtype());
            let convert = col(s.as_str()).map(
                move |c| to_structs(c.str()?, &dtype).map(IntoColumn::into_column),
                move |_, f| Ok(Field::new(f.name().clone(), output.clone())),
            );
            structs.insert(s.clone(), ctx.new_column(convert));
        }
        ctx.record("not_objects", not_objects);
        Ok(lf.select(self.output(&ctx.schema, structs)?))
    }

    fn writes(&self) -> Option<Vec<String>> {
        match (&self.sources, self.remove) {
            (Selection::Columns(c), true) => Some(c.clone()),
            (_, false) => Some(Vec::new()),
            _ => None,
        }
    }
}

impl JsonToStructs {
    /// Each source's distinct type signatures and its count of values that are not objects.
    fn request(&self, sources: Vec<String>, condition: Option<&Expr>) -> Stats {
        let names = super::numbered_stats();
        let mut exprs = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            // Only the rows the conditions select are parsed.
            let present = restrict(missing(s, &DataType::String).not(), condition);
            let signatures = signature_of(col(s.as_str()).filter(present), self.levels);
            exprs.push((
                names[2 * i],
                signatures.clone().unique_stable().implode(true),
            ));
            exprs.push((
                names[2 * i + 1],
                signatures.eq(lit(NOT_OBJECT)).sum().cast(DataType::UInt64),
            ));
        }
        Stats {
            exprs,
            reads: sources,
        }
    }
}

/// A JSON value's type, as the rows merge it.
#[derive(Clone, Debug, PartialEq)]
enum JsonType {
    Null,
    Bool,
    Int,
    Float,
    /// Strings, objects deeper than `unnestLevel`, and values of conflicting kinds.
    Text,
    List(Box<JsonType>),
    Object(Vec<(String, JsonType)>),
}

impl JsonType {
    fn of(v: &Value, depth: usize, levels: usize) -> JsonType {
        match v {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Bool,
            Value::Number(n) if n.is_i64() => JsonType::Int,
            Value::Number(_) => JsonType::Float,
            Value::String(_) => JsonType::Text,
            Value::Array(items) => JsonType::List(Box::new(
                items
                    .iter()
                    .map(|i| JsonType::of(i, depth, levels))
                    .fold(JsonType::Null, JsonType::merge),
            )),
            Value::Object(fields) if depth < levels && !fields.is_empty() => JsonType::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), JsonType::of(v, depth + 1, levels)))
                    .collect(),
            ),
            Value::Object(_) => JsonType::Text,
        }
    }

    fn merge(self, other: JsonType) -> JsonType {
        use JsonType::*;
        match (self, other) {
            (Null, t) | (t, Null) => t,
            (Int, Float) | (Float, Int) => Float,
            (List(a), List(b)) => List(Box::new(a.merge(*b))),
            (Object(mut a), Object(b)) => {
                let mut index: std::collections::HashMap<String, usize> = a
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect();
                for (k, t) in b {
                    match index.get(&k) {
                        Some(&i) => a[i].1 = std::mem::replace(&mut a[i].1, Null).merge(t),
                        None => {
                            index.insert(k.clone(), a.len());
                            a.push((k, t));
                        }
                    }
                }
                Object(a)
            }
            (a, b) if a == b => a,
            _ => Text,
        }
    }

    /// How many fields the type has, at every level.
    fn field_count(&self) -> usize {
        match self {
            JsonType::Object(fields) => fields.iter().map(|(_, t)| 1 + t.field_count()).sum(),
            JsonType::List(t) => t.field_count(),
            _ => 0,
        }
    }

    fn dtype(&self) -> DataType {
        match self {
            JsonType::Null | JsonType::Text => DataType::String,
            JsonType::Bool => DataType::Boolean,
            JsonType::Int => DataType::Int64,
            JsonType::Float => DataType::Float64,
            JsonType::List(t) => DataType::List(Box::new(t.dtype())),
            JsonType::Object(fields) => DataType::Struct(
                fields
                    .iter()
                    .map(|(k, t)| Field::new(k.as_str().into(), t.dtype()))
                    .collect(),
            ),
        }
    }

    /// A compact text form, so that rows of one shape count once in the statistics pass.
    fn signature(&self) -> Value {
        match self {
            JsonType::Null => "null".into(),
            JsonType::Bool => "bool".into(),
            JsonType::Int => "int".into(),
            JsonType::Float => "float".into(),
            JsonType::Text => "text".into(),
            JsonType::List(t) => Value::Array(vec![t.signature()]),
            JsonType::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, t)| (k.clone(), t.signature()))
                    .collect(),
            ),
        }
    }

    fn from_signature(v: &Value) -> Option<JsonType> {
        Some(match v {
            Value::String(s) => match s.as_str() {
                "null" => JsonType::Null,
                "bool" => JsonType::Bool,
                "int" => JsonType::Int,
                "float" => JsonType::Float,
                "text" => JsonType::Text,
                _ => return None,
            },
            Value::Array(t) => JsonType::List(Box::new(JsonType::from_signature(t.first()?)?)),
            Value::Object(fields) => JsonType::Object(
                fields
                    .iter()
                    .map(|(k, t)| Some((k.clone(), JsonType::from_signature(t)?)))
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }
}

/// Each row's type signature: the text form of its JSON object's type, [`NOT_OBJECT`] for
/// present text that is not a JSON object, null for null.
fn signature_of(c: Expr, levels: usize) -> Expr {
    c.map(
        move |column| {
            let ca = column.str()?;
            let out: StringChunked = ca
                .iter()
                .map(|v| {
                    v.map(|s| match serde_json::from_str::<Value>(s) {
                        Ok(Value::Object(fields)) if fields.is_empty() => "{}".to_string(),
                        Ok(v @ Value::Object(_)) => {
                            JsonType::of(&v, 0, levels).signature().to_string()
                        }
                        _ => NOT_OBJECT.to_string(),
                    })
                })
                .collect();
            Ok(out.with_name(ca.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::String)),
    )
}

fn merged_type(signatures: &Series) -> OpResult<JsonType> {
    let mut merged = JsonType::Object(Vec::new());
    for s in signatures
        .str()?
        .iter()
        .flatten()
        .filter(|s| *s != NOT_OBJECT)
    {
        let t = serde_json::from_str(s)
            .ok()
            .and_then(|v| JsonType::from_signature(&v))
            .ok_or_else(|| OpError::new(format!("unreadable JSON type signature {s}")))?;
        merged = merged.merge(t);
        if merged.field_count() > MAX_FIELDS {
            break; // too many to make a struct of: the step says so
        }
    }
    Ok(merged)
}

/// The texts as structs of `dtype` (a struct type; deeper objects are text in it).
fn to_structs(ca: &StringChunked, dtype: &DataType) -> PolarsResult<Series> {
    let values: Vec<AnyValue> = ca
        .iter()
        .map(|v| match v.map(serde_json::from_str::<Value>) {
            Some(Ok(v @ Value::Object(_))) => any_value(&v, dtype),
            _ => AnyValue::Null,
        })
        .collect();
    Series::from_any_values_and_dtype(ca.name().clone(), &values, dtype, false)
}

/// One JSON value as a value of `dtype`, which the merged schema guarantees it fits (text
/// takes any value, as its JSON when it is not a string).
fn any_value(v: &Value, dtype: &DataType) -> AnyValue<'static> {
    match (dtype, v) {
        (_, Value::Null) => AnyValue::Null,
        (DataType::Boolean, Value::Bool(b)) => AnyValue::Boolean(*b),
        (DataType::Int64, Value::Number(n)) => n.as_i64().map_or(AnyValue::Null, AnyValue::Int64),
        (DataType::Float64, Value::Number(n)) => {
            n.as_f64().map_or(AnyValue::Null, AnyValue::Float64)
        }
        (DataType::String, Value::String(s)) => AnyValue::StringOwned(s.as_str().into()),
        (DataType::String, other) => AnyValue::StringOwned(other.to_string().into()),
        (DataType::List(inner), Value::Array(items)) => {
            let values: Vec<AnyValue> = items.iter().map(|i| any_value(i, inner)).collect();
            Series::from_any_values_and_dtype(PlSmallStr::EMPTY, &values, inner, false)
                .map_or(AnyValue::Null, AnyValue::List)
        }
        (DataType::Struct(fields), Value::Object(map)) => AnyValue::StructOwned(Box::new((
            fields
                .iter()
                .map(|f| {
                    map.get(f.name().as_str())
                        .map_or(AnyValue::Null, |v| any_value(v, f.dtype()))
                })
                .collect(),
            fields.to_vec(),
        ))),
        _ => AnyValue::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(rows: &[&str], levels: usize) -> JsonType {
        rows.iter()
            .map(|r| JsonType::of(&serde_json::from_str(r).unwrap(), 0, levels))
            .fold(JsonType::Object(Vec::new()), JsonType::merge)
    }

    #[test]
    fn types_merge_to_the_most_general() {
        let t = merged(
            &[
                r#"{"a": 1, "b": "x", "c": [1]}"#,
                r#"{"a": 2.5, "b": 3, "d": null}"#,
                r#"{"c": [2.0, null], "e": {"f": 1}}"#,
            ],
            1,
        );
        assert_eq!(
            t.dtype(),
            DataType::Struct(vec![
                Field::new("a".into(), DataType::Float64),
                Field::new("b".into(), DataType::String),
                Field::new("c".into(), DataType::List(Box::new(DataType::Float64))),
                Field::new("d".into(), DataType::String),
                Field::new("e".into(), DataType::String),
            ])
        );
    }

    #[test]
    fn merging_stops_past_the_field_limit() {
        let signatures: Vec<String> = (0..MAX_FIELDS + 50)
            .map(|i| format!(r#"{{"key{i}": "int"}}"#))
            .collect();
        let merged = merged_type(&Series::new("s".into(), signatures)).unwrap();
        assert_eq!(merged.field_count(), MAX_FIELDS + 1);
    }

    #[test]
    fn signatures_read_back() {
        let t = merged(&[r#"{"a": {"b": [true]}, "c": "x"}"#], 3);
        assert_eq!(JsonType::from_signature(&t.signature()), Some(t));
    }
}
