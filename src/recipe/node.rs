//! A small document tree with source positions, shared by the JSON and YAML loaders so that
//! every later error can point at a line and column.

/// 1-based line and column of a node in its source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub pos: Pos,
    /// The scalar exactly as written (YAML plain scalars), so `01234` can still be read as text.
    pub raw: Option<String>,
}

impl Node {
    /// The value of the first of `names` in this map, keys compared after
    /// [`normalise_key`](crate::recipe::params::normalise_key) (PascalCase as camelCase).
    pub fn field(&self, names: &[&str]) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| {
                k.as_str()
                    .map(crate::recipe::params::normalise_key)
                    .is_some_and(|k| names.contains(&k.as_str()))
            })
            .map(|(_, v)| v)
    }

    pub fn new(kind: NodeKind, pos: Pos) -> Self {
        Node {
            kind,
            pos,
            raw: None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::List(l) => Some(l),
            _ => None,
        }
    }

    /// The scalar rendered as text, the way DataBrew's all-string parameters carry it.
    pub fn scalar_text(&self) -> Option<String> {
        if let Some(raw) = &self.raw {
            return Some(raw.clone());
        }
        match &self.kind {
            NodeKind::Null => None,
            NodeKind::Bool(b) => Some(b.to_string()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(format_float(*f)),
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::List(_) | NodeKind::Map(_) => None,
        }
    }

    /// A short description of the node's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::List(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }

    /// Convert to a serde_json value (used for JSON-encoded parameters given as raw structures).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::from(*i),
            NodeKind::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::List(l) => Value::Array(l.iter().map(Node::to_json).collect()),
            NodeKind::Map(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Look a key up in a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// Shortest text that reads back as the same float; integral values keep no fraction.
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
