//! A JSON parser that keeps line and column for every value (serde_json does not), so recipe
//! errors in DataBrew JSON exports can point at the offending step.

use super::node::{Node, NodeKind, Pos};

#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub message: String,
    pub pos: Pos,
}

pub fn parse(text: &str) -> Result<Node, JsonError> {
    let mut p = Parser {
        chars: text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .chars()
            .collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.i < p.chars.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

const MAX_DEPTH: usize = 256;

impl Parser {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn err(&self, message: &str) -> JsonError {
        JsonError {
            message: message.to_string(),
            pos: self.pos(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, c: char) -> Result<(), JsonError> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("expected '{c}'")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        let pos = self.pos();
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some('"') => Ok(Node::new(NodeKind::Str(self.string()?), pos)),
            Some('t') => self.keyword("true", NodeKind::Bool(true)),
            Some('f') => self.keyword("false", NodeKind::Bool(false)),
            Some('n') => self.keyword("null", NodeKind::Null),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
            None => Err(self.err("unexpected end of file")),
        }
    }

    fn keyword(&mut self, word: &str, kind: NodeKind) -> Result<Node, JsonError> {
        let pos = self.pos();
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(self.err(&format!("expected '{word}'")));
            }
            self.bump();
        }
        Ok(Node::new(kind, pos))
    }

    fn number(&mut self) -> Result<Node, JsonError> {
        let pos = self.pos();
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit() || "+-.eE".contains(c)) {
            self.bump();
        }
        let text: String = self.chars[start..self.i].iter().collect();
        let kind = if let Ok(i) = text.parse::<i64>() {
            NodeKind::Int(i)
        } else if let Ok(f) = text.parse::<f64>() {
            NodeKind::Float(f)
        } else {
            return Err(JsonError {
                message: format!("invalid number '{text}'"),
                pos,
            });
        };
        let mut node = Node::new(kind, pos);
        node.raw = Some(text);
        Ok(node)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err("unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('/') => out.push('/'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => out.push(self.unicode_escape()?),
                    _ => return Err(self.err("invalid escape in string")),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bump() == Some('\\') && self.bump() == Some('u') {
                let lo = self.hex4()?;
                let code = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                return char::from_u32(code).ok_or_else(|| self.err("invalid surrogate pair"));
            }
            return Err(self.err("unpaired surrogate in \\u escape"));
        }
        char::from_u32(hi).ok_or_else(|| self.err("invalid \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Node, JsonError> {
        let pos = self.pos();
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Node::new(NodeKind::List(items), pos));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(']') => break,
                _ => return Err(self.err("expected ',' or ']' in array")),
            }
        }
        Ok(Node::new(NodeKind::List(items), pos))
    }

    fn object(&mut self, depth: usize) -> Result<Node, JsonError> {
        let pos = self.pos();
        self.expect('{')?;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Node::new(NodeKind::Map(entries), pos));
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            if self.peek() != Some('"') {
                return Err(self.err("expected a quoted key"));
            }
            let key = Node::new(NodeKind::Str(self.string()?), key_pos);
            self.skip_ws();
            self.expect(':')?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some('}') => break,
                _ => return Err(self.err("expected ',' or '}' in object")),
            }
        }
        Ok(Node::new(NodeKind::Map(entries), pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions() {
        let n = parse("[\n  {\"Action\": {\"Operation\": \"DELETE\"}}\n]").unwrap();
        let step = &n.as_list().unwrap()[0];
        assert_eq!(step.pos, Pos { line: 2, col: 3 });
        let op = step.get("Action").unwrap().get("Operation").unwrap();
        assert_eq!(op.as_str(), Some("DELETE"));
        assert_eq!(op.pos, Pos { line: 2, col: 28 });
    }

    #[test]
    fn decodes_escapes_and_numbers() {
        let n = parse(r#"{"a": "[\"x\",\"y\"]", "b": 3, "c": -1.5e2, "d": "\u00e9"}"#).unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some(r#"["x","y"]"#));
        assert_eq!(n.get("b").unwrap().kind, NodeKind::Int(3));
        assert_eq!(n.get("c").unwrap().kind, NodeKind::Float(-150.0));
        assert_eq!(n.get("d").unwrap().as_str(), Some("é"));
    }

    #[test]
    fn reports_error_position() {
        let e = parse("[\n {\"a\": }\n]").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, col: 8 });
        assert!(parse("").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("\"abc").is_err());
    }
}
