//! YAML → [`Node`] with positions, via `saphyr` (maintained, YAML 1.2, reports line and column).

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::node::{Node, NodeKind, Pos};

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

/// Parse the first document of a YAML file. An empty file is an empty list.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| YamlError {
        message: e.info().to_string(),
        pos: Pos {
            line: e.marker().line(),
            col: e.marker().col() + 1,
        },
    })?;
    let chars: Vec<char> = text.chars().collect();
    match docs.into_iter().next() {
        Some(doc) => convert(&doc, &chars),
        None => Ok(Node::new(NodeKind::List(vec![]), Pos { line: 1, col: 1 })),
    }
}

fn convert(y: &MarkedYaml, src: &[char]) -> Result<Node, YamlError> {
    let pos = Pos {
        line: y.span.start.line(),
        col: y.span.start.col() + 1,
    };
    let node = match &y.data {
        YamlData::Value(scalar) => scalar_node(scalar, pos, raw_text(y, src)),
        YamlData::Representation(text, _, _) => {
            let mut n = Node::new(NodeKind::Str(text.to_string()), pos);
            n.raw = Some(text.to_string());
            n
        }
        YamlData::Sequence(items) => Node::new(
            NodeKind::List(
                items
                    .iter()
                    .map(|i| convert(i, src))
                    .collect::<Result<_, _>>()?,
            ),
            pos,
        ),
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map.iter() {
                entries.push((convert(k, src)?, convert(v, src)?));
            }
            Node::new(NodeKind::Map(entries), pos)
        }
        YamlData::Tagged(_, inner) => convert(inner, src)?,
        YamlData::Alias(_) => {
            return Err(YamlError {
                message: "YAML aliases are not supported in recipes".into(),
                pos,
            });
        }
        YamlData::BadValue => {
            return Err(YamlError {
                message: "invalid YAML value".into(),
                pos,
            });
        }
    };
    Ok(node)
}

/// The source text of a resolved plain scalar (`01234` resolves to 1234 but may mean text).
fn raw_text(y: &MarkedYaml, src: &[char]) -> Option<String> {
    let (start, end) = (y.span.start.index(), y.span.end.index());
    (start < end && end <= src.len()).then(|| src[start..end].iter().collect::<String>())
}

fn scalar_node(scalar: &Scalar, pos: Pos, raw: Option<String>) -> Node {
    let (kind, raw) = match scalar {
        Scalar::Null => (NodeKind::Null, None),
        Scalar::Boolean(b) => (NodeKind::Bool(*b), raw),
        Scalar::Integer(i) => (NodeKind::Int(*i), raw),
        Scalar::FloatingPoint(f) => (NodeKind::Float(f.into_inner()), raw),
        Scalar::String(s) => (NodeKind::Str(s.to_string()), None),
    };
    Node { kind, pos, raw }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_types() {
        let n =
            parse("name: x\nsteps:\n  - operation: DELETE\n    parameters:\n      threshold: 3\n")
                .unwrap();
        let step = &n.get("steps").unwrap().as_list().unwrap()[0];
        let op = step.get("operation").unwrap();
        assert_eq!(op.as_str(), Some("DELETE"));
        assert_eq!(op.pos, Pos { line: 3, col: 16 });
        let t = step.get("parameters").unwrap().get("threshold").unwrap();
        assert_eq!(t.kind, NodeKind::Int(3));
    }

    #[test]
    fn plain_scalars_keep_their_text() {
        let n = parse(
            "value: 01234
other: 2.50
",
        )
        .unwrap();
        assert_eq!(
            n.get("value").unwrap().scalar_text().as_deref(),
            Some("01234")
        );
        assert_eq!(
            n.get("other").unwrap().scalar_text().as_deref(),
            Some("2.50")
        );
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.pos.line >= 1);
    }
}
