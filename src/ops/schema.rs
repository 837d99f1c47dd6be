//! A JSON Schema for recipe files (`datacook schema`), generated from the operations'
//! declarations, so editors complete operation and parameter names, show each parameter's
//! documentation and default, and flag a missing required parameter.
//!
//! It accepts what the loader accepts: a DataBrew JSON/YAML export (a list of steps, or one
//! step) with `Action` / `ConditionExpressions`, and datacook YAML (`name`, `steps`, each step
//! with `operation`, `parameters`, `conditions`). Parameter values may be DataBrew strings or
//! typed values.

use serde_json::{Map, Value, json};

use super::{OpSpec, Status, all};
use crate::recipe::params::{ParamKind, ParamSpec};

pub fn recipe_schema() -> Value {
    let supported: Vec<&OpSpec> = all().filter(|s| s.status == Status::Supported).collect();
    let names: Vec<&str> = supported.iter().map(|s| s.name).collect();
    let mut parameters = Map::new();
    for spec in &supported {
        parameters.insert(spec.name.to_string(), parameters_schema(spec));
    }
    let by_operation = |operation_key: &str| -> Vec<Value> {
        supported
            .iter()
            .map(|s| {
                json!({
                    "if": {"properties": {operation_key: {"const": s.name}}, "required": [operation_key]},
                    "then": {"properties": {parameters_key(operation_key): {"$ref": format!("#/$defs/parameters/{}", s.name)}}}
                })
            })
            .collect()
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "datacook recipe (DataBrew JSON/YAML export or datacook YAML)",
        "oneOf": [
            {"type": "array", "items": {"$ref": "#/$defs/databrewStep"}},
            {"$ref": "#/$defs/databrewStep"},
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "version": {"type": ["string", "number"]},
                    "steps": {"type": "array", "items": {"anyOf": [
                        {"$ref": "#/$defs/datacookStep"},
                        {"$ref": "#/$defs/databrewStep"}
                    ]}}
                },
                "required": ["steps"]
            }
        ],
        "$defs": {
            "operation": {"enum": names},
            "databrewStep": {
                "type": "object",
                "anyOf": [{"required": ["Action"]}, {"required": ["RecipeAction"]}, {"required": ["RecipeStep"]}],
                "properties": {
                    "Action": {"$ref": "#/$defs/action"},
                    "RecipeAction": {"$ref": "#/$defs/action"},
                    "RecipeStep": {"$ref": "#/$defs/databrewStep"},
                    "ConditionExpressions": {"type": "array", "items": {"$ref": "#/$defs/condition"}}
                }
            },
            "action": {
                "type": "object",
                "properties": {
                    "Operation": {"$ref": "#/$defs/operation"},
                    "Parameters": {"type": "object"}
                },
                "required": ["Operation"],
                "allOf": by_operation("Operation")
            },
            "datacookStep": {
                "type": "object",
                "properties": {
                    "operation": {"$ref": "#/$defs/operation"},
                    "parameters": {"type": "object"},
                    "conditions": {"type": "array", "items": {"$ref": "#/$defs/condition"}}
                },
                "required": ["operation"],
                "allOf": by_operation("operation")
            },
            "condition": {
                "type": "object",
                "properties": {
                    "Condition": {"type": "string"}, "Value": {}, "TargetColumn": {"type": "string"},
                    "condition": {"type": "string"}, "value": {}, "targetColumn": {"type": "string"}
                }
            },
            "parameters": parameters
        }
    })
}

fn parameters_key(operation_key: &str) -> &'static str {
    if operation_key == "Operation" {
        "Parameters"
    } else {
        "parameters"
    }
}

fn parameters_schema(spec: &OpSpec) -> Value {
    let mut properties = Map::new();
    for p in spec.params {
        properties.insert(p.name.to_string(), parameter(p));
    }
    let required: Vec<&str> = spec
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    json!({
        "type": "object",
        "description": spec.summary,
        "properties": properties,
        "required": required
    })
}

/// One parameter: its typed form, or DataBrew's string encoding of it.
fn parameter(p: &ParamSpec) -> Value {
    let typed = match p.kind {
        ParamKind::Text | ParamKind::Column => json!({"type": "string"}),
        ParamKind::Columns | ParamKind::Datasets => {
            json!({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]})
        }
        ParamKind::Bool => json!({"anyOf": [
            {"type": "boolean"},
            {"enum": ["true", "false", "TRUE", "FALSE", "True", "False", "yes", "no"]}
        ]}),
        ParamKind::Number => json!({"anyOf": [{"type": "number"}, {"type": "string"}]}),
        ParamKind::Integer => {
            json!({"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^-?[0-9]+$"}]})
        }
        ParamKind::Choice(choices) => json!({"enum": choices}),
        ParamKind::TextMap => json!({"anyOf": [{"type": "object"}, {"type": "string"}]}),
        ParamKind::Json => json!({}),
    };
    let mut out = typed.as_object().cloned().unwrap_or_default();
    out.insert("description".into(), Value::String(p.doc.to_string()));
    if let Some(d) = p.default {
        out.insert("default".into(), Value::String(d.to_string()));
    }
    Value::Object(out)
}
