//! The check-expression language of DataBrew rulesets (reference §5.2), parsed into an AST.
//!
//! ```text
//! expr      := or
//! or        := and ("or" and)*
//! and       := not ("and" not)*
//! not       := ("not" | "!") not | "(" expr ")" | condition
//! condition := [value] "==" | "!=" | "=" | "<" | "<=" | ">" | ">=" value
//!            | [value] ["not" | "!"] "in" value
//!            | [value] ["not" | "!"] ("starts_with" | "ends_with" | "contains" | "matches") value
//!            | [value] ["not" | "!"] ("is_between" | "is between") value "and" value
//!            | [value] ("is_missing" | "is_not_missing")                       (datacook)
//! value     := ":var" | `column` | 'text' | "text" | number
//!            | "length" "(" value ")" | "AGG" "(" [value ","] STAT ["," value] ")"
//! ```
//! Keywords are case-insensitive. `:var` is replaced from the rule's substitution map: a value
//! in backticks names a column, anything else is a literal (a JSON list for `in`). A
//! condition without a left-hand value applies to each column the rule's ColumnSelectors
//! pick. Inline columns in backticks and quoted literals are a datacook extension (DataBrew's
//! character whitelist forbids them, which is why it substitutes everything).

use std::fmt;

/// 1-based character position in the expression.
pub type Pos = usize;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The column picked by ColumnSelectors.
    Implicit,
    Column(String),
    Text(String),
    List(Vec<String>),
    Length(Box<Value>),
    Agg(Agg),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agg {
    pub column: Option<Box<Value>>,
    pub stat: String,
    pub param: Option<Box<Value>>,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    StartsWith,
    EndsWith,
    Contains,
    Matches,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Compare(Value, CmpOp, Value),
    In {
        value: Value,
        list: Value,
        negated: bool,
    },
    Text {
        value: Value,
        op: TextOp,
        pattern: Value,
        negated: bool,
    },
    Between {
        value: Value,
        low: Value,
        high: Value,
        negated: bool,
    },
    Missing {
        value: Value,
        negated: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cond(Cond, Pos),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "position {}: {}", self.pos, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Bang,
    Op(CmpOp),
    Word(String),
    Var(String),
    Column(String),
    Text(String),
    Number(String),
}

fn lex(src: &str) -> Result<Vec<(Tok, Pos)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |m: &str, p: usize| ParseError {
        message: m.to_string(),
        pos: p + 1,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => out.push((Tok::LParen, start + 1)),
            ')' => out.push((Tok::RParen, start + 1)),
            ',' => out.push((Tok::Comma, start + 1)),
            '=' => {
                if chars.get(i + 1) == Some(&'=') {
                    i += 1;
                }
                out.push((Tok::Op(CmpOp::Eq), start + 1));
            }
            '!' => {
                if chars.get(i + 1) == Some(&'=') {
                    i += 1;
                    out.push((Tok::Op(CmpOp::Ne), start + 1));
                } else {
                    out.push((Tok::Bang, start + 1));
                }
            }
            '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                if c == '<' && chars.get(i + 1) == Some(&'>') {
                    i += 1;
                    out.push((Tok::Op(CmpOp::Ne), start + 1));
                } else {
                    if eq {
                        i += 1;
                    }
                    let op = match (c, eq) {
                        ('<', false) => CmpOp::Lt,
                        ('<', true) => CmpOp::Le,
                        ('>', false) => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    out.push((Tok::Op(op), start + 1));
                }
            }
            '`' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '`')
                    .ok_or_else(|| err("unclosed ` in a column name", start))?;
                out.push((
                    Tok::Column(chars[i + 1..i + 1 + end].iter().collect()),
                    start + 1,
                ));
                i += end + 1;
            }
            '\'' | '"' => {
                let mut text = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(err("unclosed quote", start)),
                        Some(q) if *q == c => {
                            if chars.get(j + 1) == Some(&c) {
                                text.push(c);
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        Some(ch) => text.push(*ch),
                    }
                    j += 1;
                }
                out.push((Tok::Text(text), start + 1));
                i = j;
            }
            ':' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j == i + 1 {
                    return Err(err("expected a variable name after ':'", start));
                }
                out.push((Tok::Var(chars[i..j].iter().collect()), start + 1));
                i = j;
                continue;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                out.push((Tok::Number(chars[i..j].iter().collect()), start + 1));
                i = j;
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                out.push((Tok::Word(chars[i..j].iter().collect()), start + 1));
                i = j;
                continue;
            }
            other => return Err(err(&format!("unexpected character '{other}'"), start)),
        }
        i += 1;
    }
    Ok(out)
}

/// Parse a check expression; `vars` resolves `:name` to the text of its substitution.
pub fn parse(src: &str, vars: &dyn Fn(&str) -> Option<String>) -> Result<Expr, ParseError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        i: 0,
        end: src.chars().count() + 1,
        vars,
    };
    let e = p.or()?;
    if let Some((t, pos)) = p.tokens.get(p.i) {
        return Err(ParseError {
            message: format!("unexpected {} after a complete condition", describe(t)),
            pos: *pos,
        });
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Bang => "'!'".into(),
        Tok::Op(o) => format!("'{}'", o.symbol()),
        Tok::Word(w) => format!("'{w}'"),
        Tok::Var(v) => format!("'{v}'"),
        Tok::Column(c) => format!("`{c}`"),
        Tok::Text(t) => format!("'{t}'"),
        Tok::Number(n) => n.clone(),
    }
}

struct Parser<'a> {
    tokens: Vec<(Tok, Pos)>,
    i: usize,
    end: Pos,
    vars: &'a dyn Fn(&str) -> Option<String>,
}

const TEXT_OPS: &[(&str, TextOp)] = &[
    ("starts_with", TextOp::StartsWith),
    ("ends_with", TextOp::EndsWith),
    ("contains", TextOp::Contains),
    ("matches", TextOp::Matches),
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> Pos {
        self.tokens.get(self.i).map_or(self.end, |(_, p)| *p)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            message: message.into(),
            pos: self.pos(),
        })
    }

    fn word_is(&self, offset: usize, w: &str) -> bool {
        matches!(self.tokens.get(self.i + offset), Some((Tok::Word(x), _)) if x.eq_ignore_ascii_case(w))
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.word_is(0, "or") {
            self.i += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.not()?;
        while self.word_is(0, "and") {
            self.i += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        let negation = matches!(self.peek(), Some(Tok::Bang)) || self.word_is(0, "not");
        // `not in` / `!starts_with` with an implicit column are conditions, not negations.
        if negation && !self.negated_keyword_follows() {
            self.i += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if matches!(self.peek(), Some(Tok::LParen)) {
            self.i += 1;
            let e = self.or()?;
            if !matches!(self.peek(), Some(Tok::RParen)) {
                return self.error("expected ')'");
            }
            self.i += 1;
            return Ok(e);
        }
        let pos = self.pos();
        Ok(Expr::Cond(self.condition()?, pos))
    }

    /// After `!`/`not`: is the next word a condition keyword (`in`, `starts_with`, …)?
    fn negated_keyword_follows(&self) -> bool {
        self.word_is(1, "in")
            || self.word_is(1, "is_between")
            || TEXT_OPS.iter().any(|(w, _)| self.word_is(1, w))
    }

    fn starts_condition_keyword(&self) -> bool {
        matches!(self.peek(), Some(Tok::Op(_)) | Some(Tok::Bang))
            || self.word_is(0, "not")
            || self.word_is(0, "in")
            || self.word_is(0, "is_between")
            || (self.word_is(0, "is") && self.word_is(1, "between"))
            || self.word_is(0, "is_missing")
            || self.word_is(0, "is_not_missing")
            || TEXT_OPS.iter().any(|(w, _)| self.word_is(0, w))
    }

    fn condition(&mut self) -> Result<Cond, ParseError> {
        let left = if self.starts_condition_keyword() {
            Value::Implicit
        } else {
            self.value()?
        };
        if let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            self.i += 1;
            let right = self.value()?;
            return Ok(Cond::Compare(left, op, right));
        }
        let negated = if matches!(self.peek(), Some(Tok::Bang)) || self.word_is(0, "not") {
            self.i += 1;
            true
        } else {
            false
        };
        if self.word_is(0, "in") {
            self.i += 1;
            let list = self.value()?;
            return Ok(Cond::In {
                value: left,
                list,
                negated,
            });
        }
        if let Some((_, op)) = TEXT_OPS.iter().find(|(w, _)| self.word_is(0, w)) {
            self.i += 1;
            let pattern = self.value()?;
            return Ok(Cond::Text {
                value: left,
                op: *op,
                pattern,
                negated,
            });
        }
        if self.word_is(0, "is_between") || (self.word_is(0, "is") && self.word_is(1, "between")) {
            self.i += if self.word_is(0, "is_between") { 1 } else { 2 };
            let low = self.value()?;
            if !self.word_is(0, "and") {
                return self.error("expected 'and' between the two bounds of is_between");
            }
            self.i += 1;
            let high = self.value()?;
            return Ok(Cond::Between {
                value: left,
                low,
                high,
                negated,
            });
        }
        if !negated && (self.word_is(0, "is_missing") || self.word_is(0, "is_not_missing")) {
            let negated = self.word_is(0, "is_not_missing");
            self.i += 1;
            return Ok(Cond::Missing {
                value: left,
                negated,
            });
        }
        self.error(
            "expected a comparison (==, !=, <, <=, >, >=), in, starts_with, ends_with, \
             contains, matches, is_between or is_missing",
        )
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        let pos = self.pos();
        let Some((tok, _)) = self.tokens.get(self.i).cloned() else {
            return self.error("expected a value, found the end of the expression");
        };
        self.i += 1;
        match tok {
            Tok::Column(c) => Ok(Value::Column(c)),
            Tok::Text(t) => Ok(Value::Text(t)),
            Tok::Number(n) => Ok(Value::Text(n)),
            Tok::Var(v) => match (self.vars)(&v) {
                Some(s) => Ok(substitution(&s)),
                None => Err(ParseError {
                    message: format!("'{v}' is not in the substitution map"),
                    pos,
                }),
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("length") => {
                self.expect_lparen()?;
                let inner = if matches!(self.peek(), Some(Tok::RParen)) {
                    Value::Implicit
                } else {
                    self.value()?
                };
                self.expect_rparen()?;
                Ok(Value::Length(Box::new(inner)))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("agg") => self.agg(pos),
            other => Err(ParseError {
                message: format!("expected a value, found {}", describe(&other)),
                pos,
            }),
        }
    }

    fn expect_lparen(&mut self) -> Result<(), ParseError> {
        if !matches!(self.peek(), Some(Tok::LParen)) {
            return self.error("expected '('");
        }
        self.i += 1;
        Ok(())
    }

    fn expect_rparen(&mut self) -> Result<(), ParseError> {
        if !matches!(self.peek(), Some(Tok::RParen)) {
            return self.error("expected ')'");
        }
        self.i += 1;
        Ok(())
    }

    /// `AGG(STAT)`, `AGG(:col, STAT)`, `AGG(STAT, :param)`, `AGG(:col, STAT, :param)`.
    fn agg(&mut self, pos: Pos) -> Result<Value, ParseError> {
        self.expect_lparen()?;
        let mut column = None;
        if !matches!(self.peek(), Some(Tok::Word(_))) {
            column = Some(Box::new(self.value()?));
            if !matches!(self.peek(), Some(Tok::Comma)) {
                return self.error("expected ',' and a statistic name");
            }
            self.i += 1;
        }
        let stat = match self.tokens.get(self.i) {
            Some((Tok::Word(w), _)) => w.to_ascii_uppercase(),
            _ => return self.error("expected a statistic name such as MEAN or ROWS_COUNT"),
        };
        self.i += 1;
        let mut param = None;
        if matches!(self.peek(), Some(Tok::Comma)) {
            self.i += 1;
            param = Some(Box::new(self.value()?));
        }
        self.expect_rparen()?;
        Ok(Value::Agg(Agg {
            column,
            stat,
            param,
            pos,
        }))
    }
}

/// A substitution value: `` `name` `` is a column, a JSON list is a list, anything else text
/// (surrounding double quotes are dropped, as some exports carry them).
pub fn substitution(s: &str) -> Value {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('`') && t.ends_with('`') {
        return Value::Column(t[1..t.len() - 1].to_string());
    }
    if t.starts_with('[')
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(t)
    {
        return Value::List(
            items
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        );
    }
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        return Value::Text(t[1..t.len() - 1].to_string());
    }
    Value::Text(s.to_string())
}

impl Expr {
    /// Whether any condition uses an aggregate.
    pub fn has_agg(&self) -> bool {
        self.values().iter().any(|v| v.has_agg())
    }

    /// Whether every condition is an aggregate comparison (no row-level value).
    pub fn all_agg(&self) -> bool {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => a.all_agg() && b.all_agg(),
            Expr::Not(a) => a.all_agg(),
            Expr::Cond(c, _) => cond_values(c).iter().all(|v| v.is_scalar()),
        }
    }

    fn values(&self) -> Vec<&Value> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut v = a.values();
                v.extend(b.values());
                v
            }
            Expr::Not(a) => a.values(),
            Expr::Cond(c, _) => cond_values(c),
        }
    }

    /// Whether a condition leaves its column implicit (rules with ColumnSelectors).
    pub fn has_implicit(&self) -> bool {
        self.values().iter().any(|v| v.has_implicit())
    }
}

fn cond_values(c: &Cond) -> Vec<&Value> {
    match c {
        Cond::Compare(a, _, b) => vec![a, b],
        Cond::In { value, list, .. } => vec![value, list],
        Cond::Text { value, pattern, .. } => vec![value, pattern],
        Cond::Between {
            value, low, high, ..
        } => vec![value, low, high],
        Cond::Missing { value, .. } => vec![value],
    }
}

impl Value {
    fn has_agg(&self) -> bool {
        match self {
            Value::Agg(_) => true,
            Value::Length(v) => v.has_agg(),
            _ => false,
        }
    }

    /// Literals and aggregates: values that do not vary by row.
    fn is_scalar(&self) -> bool {
        matches!(self, Value::Agg(_) | Value::Text(_) | Value::List(_))
    }

    fn has_implicit(&self) -> bool {
        match self {
            Value::Implicit => true,
            Value::Length(v) => v.has_implicit(),
            Value::Agg(a) => a.column.is_none(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            ":col" => Some("`age`".into()),
            ":col1" => Some("`name`".into()),
            ":val" => Some("18".into()),
            ":val2" => Some("65".into()),
            ":list" => Some(r#"["S","M","L"]"#.into()),
            ":p" => Some("A".into()),
            _ => None,
        }
    }

    fn p(s: &str) -> Expr {
        parse(s, &vars).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn col(c: &str) -> Value {
        Value::Column(c.into())
    }

    fn text(t: &str) -> Value {
        Value::Text(t.into())
    }

    #[test]
    fn parses_comparisons_and_substitutions() {
        assert_eq!(
            p(":col > :val"),
            Expr::Cond(Cond::Compare(col("age"), CmpOp::Gt, text("18")), 1)
        );
        assert_eq!(
            p("> :val"),
            Expr::Cond(Cond::Compare(Value::Implicit, CmpOp::Gt, text("18")), 1)
        );
        assert_eq!(
            p("`age` = 3"),
            Expr::Cond(Cond::Compare(col("age"), CmpOp::Eq, text("3")), 1)
        );
    }

    #[test]
    fn parses_between_lists_and_text_tests() {
        assert_eq!(
            p(":col is_between :val and :val2"),
            Expr::Cond(
                Cond::Between {
                    value: col("age"),
                    low: text("18"),
                    high: text("65"),
                    negated: false
                },
                1
            )
        );
        assert!(matches!(
            p(":col IS BETWEEN :val AND :val2"),
            Expr::Cond(Cond::Between { .. }, _)
        ));
        assert_eq!(
            p(":col1 not in :list"),
            Expr::Cond(
                Cond::In {
                    value: col("name"),
                    list: Value::List(vec!["S".into(), "M".into(), "L".into()]),
                    negated: true
                },
                1
            )
        );
        assert!(matches!(
            p(":col1 !starts_with :p"),
            Expr::Cond(
                Cond::Text {
                    negated: true,
                    op: TextOp::StartsWith,
                    ..
                },
                _
            )
        ));
        assert!(matches!(
            p("length(:col1) <= :val"),
            Expr::Cond(Cond::Compare(Value::Length(_), CmpOp::Le, _), _)
        ));
    }

    #[test]
    fn parses_boolean_structure_with_between_and() {
        let e =
            p("(:col1 starts_with :p or :col1 ends_with :p) and :col is_between :val and :val2");
        let Expr::And(left, right) = e else { panic!() };
        assert!(matches!(*left, Expr::Or(_, _)));
        assert!(matches!(*right, Expr::Cond(Cond::Between { .. }, _)));
        assert!(matches!(p("not :col > :val"), Expr::Not(_)));
    }

    #[test]
    fn parses_aggregates() {
        let e = p("AGG(:col, QUANTILE, :val) > :val2");
        let Expr::Cond(Cond::Compare(Value::Agg(a), _, _), _) = e else {
            panic!()
        };
        assert_eq!(a.stat, "QUANTILE");
        assert_eq!(a.column.as_deref(), Some(&col("age")));
        assert!(p("AGG(ROWS_COUNT) > :val").all_agg());
        assert!(p("AGG(MEAN) is_between :val and :val2").has_implicit());
        assert!(!p(":col > :val").has_agg());
    }

    #[test]
    fn errors_have_positions() {
        let e = parse(":col > ", &vars).unwrap_err();
        assert_eq!(e.pos, 8);
        let e = parse(":col >> :val", &vars).unwrap_err();
        assert_eq!(e.pos, 7);
        let e = parse(":nope > :val", &vars).unwrap_err();
        assert_eq!(
            (e.pos, e.message.as_str()),
            (1, "':nope' is not in the substitution map")
        );
        let e = parse(":col is_between :val :val2", &vars).unwrap_err();
        assert!(e.message.contains("expected 'and'"), "{e}");
        let e = parse("(:col > :val", &vars).unwrap_err();
        assert!(e.message.contains("expected ')'"), "{e}");
        assert!(parse(":col ~ :val", &vars).is_err());
    }
}
