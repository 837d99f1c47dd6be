//! Parameter specifications and typed parameter values.
//!
//! DataBrew carries every parameter as a string (lists and maps JSON-encoded inside the
//! string); datacook YAML may use typed values. Both load through [`ParamKind`] into the same
//! [`Value`], so operations never see the difference.

use std::collections::BTreeMap;

use serde::Serialize;

use super::node::{Node, NodeKind, Pos};

/// What a parameter holds; drives parsing, `datacook ops` and the error messages.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ParamKind {
    /// Free text (also numbers or booleans written as text).
    Text,
    /// The name of one column.
    Column,
    /// A list of column names: a JSON list (`"[\"a\",\"b\"]"`) or a YAML list.
    Columns,
    /// A list of dataset names, written like [`ParamKind::Columns`].
    Datasets,
    Bool,
    Number,
    Integer,
    /// One of a fixed set of words (matched case-insensitively).
    Choice(&'static [&'static str]),
    /// A map from text to text (`categoryMap`).
    TextMap,
    /// Any JSON structure (`joinKeys`, `expressions`, `datasetsColumns`).
    Json,
}

impl ParamKind {
    pub fn describe(&self) -> String {
        match self {
            ParamKind::Text => "text".into(),
            ParamKind::Column => "column name".into(),
            ParamKind::Columns => "list of column names".into(),
            ParamKind::Datasets => "list of dataset names".into(),
            ParamKind::Bool => "boolean".into(),
            ParamKind::Number => "number".into(),
            ParamKind::Integer => "integer".into(),
            ParamKind::Choice(c) => format!("one of {}", c.join(" | ")),
            ParamKind::TextMap => "map of text to text".into(),
            ParamKind::Json => "JSON value".into(),
        }
    }
}

/// One parameter an operation accepts.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
    /// Default value as DataBrew would write it, for documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'static str>,
    pub doc: &'static str,
}

impl ParamSpec {
    pub const fn req(name: &'static str, kind: ParamKind, doc: &'static str) -> Self {
        ParamSpec {
            name,
            kind,
            required: true,
            default: None,
            doc,
        }
    }

    pub const fn opt(name: &'static str, kind: ParamKind, doc: &'static str) -> Self {
        ParamSpec {
            name,
            kind,
            required: false,
            default: None,
            doc,
        }
    }

    pub const fn def(
        name: &'static str,
        kind: ParamKind,
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            kind,
            required: false,
            default: Some(default),
            doc,
        }
    }
}

/// A parsed parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Bool(bool),
    Number(f64),
    Integer(i64),
    List(Vec<String>),
    Map(Vec<(String, String)>),
    Json(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub value: Value,
    pub pos: Pos,
}

/// The typed parameters of one step, keyed by the spec's name.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<&'static str, Param>,
}

impl Params {
    pub fn insert(&mut self, name: &'static str, param: Param) {
        self.values.insert(name, param);
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn pos(&self, name: &str) -> Option<Pos> {
        self.values.get(name).map(|p| p.pos)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).map(|p| &p.value)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::Text(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(super::node::format_float(*n)),
            Value::Integer(i) => Some(i.to_string()),
            _ => None,
        }
    }

    pub fn bool_or(&self, name: &str, default: bool) -> bool {
        match self.get(name) {
            Some(Value::Bool(b)) => *b,
            _ => default,
        }
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            Value::Number(n) => Some(*n),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        match self.get(name)? {
            Value::List(l) => Some(l.clone()),
            _ => None,
        }
    }

    pub fn map(&self, name: &str) -> Option<Vec<(String, String)>> {
        match self.get(name)? {
            Value::Map(m) => Some(m.clone()),
            _ => None,
        }
    }

    pub fn json(&self, name: &str) -> Option<&serde_json::Value> {
        match self.get(name)? {
            Value::Json(j) => Some(j),
            _ => None,
        }
    }
}

/// Parse one parameter node according to its kind. Errors are plain messages; the caller adds
/// the location.
pub fn parse_value(kind: ParamKind, node: &Node) -> Result<Value, String> {
    match kind {
        ParamKind::Text | ParamKind::Column => scalar(node).map(Value::Text),
        ParamKind::Bool => parse_bool(node),
        ParamKind::Number => parse_number(node),
        ParamKind::Integer => parse_integer(node),
        ParamKind::Choice(choices) => parse_choice(node, choices),
        ParamKind::Columns | ParamKind::Datasets => parse_columns(node),
        ParamKind::TextMap => parse_text_map(node),
        ParamKind::Json => parse_json(node).map(Value::Json),
    }
}

fn scalar(node: &Node) -> Result<String, String> {
    node.scalar_text()
        .ok_or_else(|| format!("expected text, found {}", node.type_name()))
}

fn parse_bool(node: &Node) -> Result<Value, String> {
    if let NodeKind::Bool(b) = node.kind {
        return Ok(Value::Bool(b));
    }
    let text = scalar(node)?;
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" => Ok(Value::Bool(true)),
        "false" | "no" => Ok(Value::Bool(false)),
        _ => Err(format!("expected true or false, found '{text}'")),
    }
}

fn parse_number(node: &Node) -> Result<Value, String> {
    match node.kind {
        NodeKind::Int(i) => return Ok(Value::Number(i as f64)),
        NodeKind::Float(f) => return Ok(Value::Number(f)),
        _ => {}
    }
    let text = scalar(node)?;
    let t = text.trim();
    let parsed = match t {
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok().filter(|f| !f.is_nan()),
    };
    parsed
        .map(Value::Number)
        .ok_or_else(|| format!("expected a number, found '{text}'"))
}

fn parse_integer(node: &Node) -> Result<Value, String> {
    if let NodeKind::Int(i) = node.kind {
        return Ok(Value::Integer(i));
    }
    let text = scalar(node)?;
    text.trim()
        .parse::<i64>()
        .map(Value::Integer)
        .map_err(|_| format!("expected an integer, found '{text}'"))
}

fn parse_choice(node: &Node, choices: &[&str]) -> Result<Value, String> {
    let text = scalar(node)?;
    choices
        .iter()
        .find(|c| c.eq_ignore_ascii_case(text.trim()))
        .map(|c| Value::Text(c.to_string()))
        .ok_or_else(|| {
            format!(
                "'{text}' is not one of {}{}",
                choices.join(", "),
                crate::error::did_you_mean(&text, choices.iter().copied())
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            )
        })
}

/// A JSON structure: given as a raw list/map node, or JSON-encoded inside a string.
fn parse_json(node: &Node) -> Result<serde_json::Value, String> {
    match &node.kind {
        NodeKind::Str(s) => {
            serde_json::from_str(s).map_err(|e| format!("expected JSON inside the string: {e}"))
        }
        _ => Ok(node.to_json()),
    }
}

fn parse_columns(node: &Node) -> Result<Value, String> {
    if let NodeKind::Str(s) = &node.kind
        && !s.trim_start().starts_with('[')
    {
        // A single bare column name.
        return Ok(Value::List(vec![s.clone()]));
    }
    let json = parse_json(node)?;
    let items = json
        .as_array()
        .ok_or_else(|| "expected a list of column names".to_string())?;
    items
        .iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s.clone()),
            other => Err(format!("expected a column name, found {other}")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::List)
}

fn parse_text_map(node: &Node) -> Result<Value, String> {
    let json = parse_json(node)?;
    let obj = json
        .as_object()
        .ok_or_else(|| "expected a map such as {\"M\": \"1\"}".to_string())?;
    obj.iter()
        .map(|(k, v)| json_scalar_text(v).map(|t| (k.clone(), t)))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Map)
}

/// Render a JSON scalar as DataBrew text (`"1"`, `1` and `1.0`-as-written all give text).
pub fn json_scalar_text(v: &serde_json::Value) -> Result<String, String> {
    match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("expected text, found {other}")),
    }
}

/// `SourceColumn` → `sourceColumn`: CloudFormation writes PascalCase keys.
pub fn normalise_key(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Node {
        Node::new(NodeKind::Str(text.into()), Pos::default())
    }

    #[test]
    fn databrew_strings_and_typed_values_agree() {
        assert_eq!(
            parse_value(ParamKind::Bool, &s("TRUE")),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            parse_value(
                ParamKind::Bool,
                &Node::new(NodeKind::Bool(false), Pos::default())
            ),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            parse_value(ParamKind::Number, &s("3")),
            Ok(Value::Number(3.0))
        );
        assert_eq!(
            parse_value(ParamKind::Number, &s("-Infinity")),
            Ok(Value::Number(f64::NEG_INFINITY))
        );
        assert_eq!(
            parse_value(ParamKind::Columns, &s(r#"["a","b"]"#)),
            Ok(Value::List(vec!["a".into(), "b".into()]))
        );
        let list = Node::new(NodeKind::List(vec![s("a"), s("b")]), Pos::default());
        assert_eq!(
            parse_value(ParamKind::Columns, &list),
            Ok(Value::List(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            parse_value(ParamKind::TextMap, &s(r#"{"M":"1","F":2}"#)),
            Ok(Value::Map(vec![
                ("M".into(), "1".into()),
                ("F".into(), "2".into())
            ]))
        );
    }

    #[test]
    fn rejects_wrong_types_with_a_reason() {
        assert_eq!(
            parse_value(ParamKind::Number, &s("three")),
            Err("expected a number, found 'three'".into())
        );
        let e = parse_value(ParamKind::Choice(&["Z_SCORE", "IQR"]), &s("Z_SCOR")).unwrap_err();
        assert!(e.contains("did you mean 'Z_SCORE'"), "{e}");
        assert_eq!(
            parse_value(ParamKind::Choice(&["Z_SCORE", "IQR"]), &s("iqr")),
            Ok(Value::Text("IQR".into()))
        );
    }

    #[test]
    fn pascal_case_keys_are_normalised() {
        assert_eq!(normalise_key("SourceColumn"), "sourceColumn");
        assert_eq!(normalise_key("sourceColumn"), "sourceColumn");
    }
}
