//! The expression language of BOOLEAN_OPERATION and CASE_OPERATION (reference §3.2), parsed
//! into an AST with character positions.
//!
//! ```text
//! case      := "case" ("when" condition "then" value)+ ["else" value] "end"
//! condition := and ("or" and)*
//! and       := not ("and" not)*
//! not       := ("!" | "not") not | "(" condition ")" | function | comparison
//! function  := name "(" value ("," value)* ")"
//!              name: contains, matches, startsWith, endsWith, isBetween, isMissing, isValid
//! comparison:= value [("<" | "<=" | ">" | ">=" | "=" | "==" | "!=" | "<>") value]
//! value     := `column` | `:aggregate` | 'text' | "text" | number | TRUE | FALSE | NULL
//! ```
//! Keywords and function names are case-insensitive. A comparison without an operator is a
//! boolean column or literal. `:name` refers to an aggregate declared in `withExpressions`.

/// 1-based character position in the expression.
pub type Pos = usize;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Column(String, Pos),
    Aggregate(String, Pos),
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Or(Box<Cond>, Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Compare(Value, Cmp, Value),
    /// A boolean column or literal on its own.
    Truth(Value),
    Call {
        name: Function,
        args: Vec<Value>,
        pos: Pos,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Contains,
    Matches,
    StartsWith,
    EndsWith,
    IsBetween,
    IsMissing,
    IsValid,
}

impl Function {
    const ALL: [(&'static str, Function, usize); 7] = [
        ("contains", Function::Contains, 2),
        ("matches", Function::Matches, 2),
        ("startswith", Function::StartsWith, 2),
        ("endswith", Function::EndsWith, 2),
        ("isbetween", Function::IsBetween, 3),
        ("ismissing", Function::IsMissing, 1),
        ("isvalid", Function::IsValid, 2),
    ];

    fn lookup(name: &str) -> Option<(Function, usize)> {
        let lower = name.to_ascii_lowercase();
        Self::ALL
            .iter()
            .find(|(n, _, _)| *n == lower)
            .map(|(_, f, arity)| (*f, *arity))
    }
}

/// `case when … then … else … end`: the (condition, value) pairs and the default.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub branches: Vec<(Cond, Value)>,
    pub otherwise: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Column(String),
    Text(String),
    Number(f64),
    Word(String),
    Op(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<(Token, Pos)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let quoted = |i: usize, close: char| -> Result<(String, usize), ParseError> {
            let mut j = i + 1;
            let mut s = String::new();
            while j < chars.len() {
                if chars[j] == close {
                    // A doubled quote inside text is one quote.
                    if close != '`' && chars.get(j + 1) == Some(&close) {
                        s.push(close);
                        j += 2;
                        continue;
                    }
                    return Ok((s, j + 1));
                }
                s.push(chars[j]);
                j += 1;
            }
            Err(ParseError {
                message: format!("unterminated {close}"),
                pos,
            })
        };
        match c {
            '`' => {
                let (s, next) = quoted(i, '`')?;
                out.push((Token::Column(s), pos));
                i = next;
            }
            '\'' | '"' => {
                let (s, next) = quoted(i, c)?;
                out.push((Token::Text(s), pos));
                i = next;
            }
            '(' | ')' | ',' => {
                out.push((
                    Token::Op(match c {
                        '(' => "(",
                        ')' => ")",
                        _ => ",",
                    }),
                    pos,
                ));
                i += 1;
            }
            '<' | '>' | '=' | '!' | '&' | '|' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = ["<=", ">=", "==", "!=", "<>", "&&", "||"]
                    .into_iter()
                    .find(|o| *o == two);
                let (op, len) = match op {
                    Some(o) => (o, 2),
                    None => match c {
                        '<' => ("<", 1),
                        '>' => (">", 1),
                        '=' => ("=", 1),
                        '!' => ("!", 1),
                        _ => {
                            return Err(ParseError {
                                message: format!("unexpected '{c}'"),
                                pos,
                            });
                        }
                    },
                };
                out.push((Token::Op(op), pos));
                i += len;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
                || c == '.' =>
            {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_digit()
                        || chars[j] == '.'
                        || chars[j] == 'e'
                        || chars[j] == 'E')
                {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let n = text.parse::<f64>().map_err(|_| ParseError {
                    message: format!("'{text}' is not a number"),
                    pos,
                })?;
                out.push((Token::Number(n), pos));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                out.push((Token::Word(chars[i..j].iter().collect()), pos));
                i = j;
            }
            other => {
                return Err(ParseError {
                    message: format!("unexpected '{other}'"),
                    pos,
                });
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Token, Pos)>,
    at: usize,
    end: Pos,
}

impl Parser {
    fn new(src: &str) -> Result<Parser, ParseError> {
        Ok(Parser {
            tokens: tokenize(src)?,
            at: 0,
            end: src.chars().count() + 1,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn pos(&self) -> Pos {
        self.tokens
            .get(self.at)
            .map(|(_, p)| *p)
            .unwrap_or(self.end)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            message: message.into(),
            pos: self.pos(),
        })
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token::Op(o)) if *o == op)
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        if self.is_word(word) {
            self.at += 1;
            Ok(())
        } else {
            self.error(format!("expected '{word}'"))
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), ParseError> {
        if self.is_op(op) {
            self.at += 1;
            Ok(())
        } else {
            self.error(format!("expected '{op}'"))
        }
    }

    fn done(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => self.error("unexpected text after the end of the expression"),
        }
    }

    fn or(&mut self) -> Result<Cond, ParseError> {
        let mut left = self.and()?;
        while self.is_word("or") || self.is_op("||") {
            self.at += 1;
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, ParseError> {
        let mut left = self.not()?;
        while self.is_word("and") || self.is_op("&&") {
            self.at += 1;
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, ParseError> {
        if self.is_op("!") || self.is_word("not") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.is_op("(") {
            self.at += 1;
            let inner = self.or()?;
            self.expect_op(")")?;
            return Ok(inner);
        }
        if let Some(Token::Word(w)) = self.peek().cloned()
            && let Some((name, arity)) = Function::lookup(&w)
            && matches!(self.tokens.get(self.at + 1), Some((Token::Op("("), _)))
        {
            let pos = self.pos();
            self.at += 2;
            let mut args = vec![self.value()?];
            while self.is_op(",") {
                self.at += 1;
                args.push(self.value()?);
            }
            self.expect_op(")")?;
            if args.len() != arity {
                return Err(ParseError {
                    message: format!("{w} takes {arity} argument(s), found {}", args.len()),
                    pos,
                });
            }
            return Ok(Cond::Call { name, args, pos });
        }
        let left = self.value()?;
        let cmp = match self.peek() {
            Some(Token::Op(op)) => match *op {
                "<" => Some(Cmp::Lt),
                "<=" => Some(Cmp::Le),
                ">" => Some(Cmp::Gt),
                ">=" => Some(Cmp::Ge),
                "=" | "==" => Some(Cmp::Eq),
                "!=" | "<>" => Some(Cmp::Ne),
                _ => None,
            },
            _ => None,
        };
        match cmp {
            Some(cmp) => {
                self.at += 1;
                Ok(Cond::Compare(left, cmp, self.value()?))
            }
            None => Ok(Cond::Truth(left)),
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        let pos = self.pos();
        let Some(token) = self.peek().cloned() else {
            return self.error("expected a value");
        };
        let value = match token {
            Token::Column(c) => match c.strip_prefix(':') {
                Some(agg) => Value::Aggregate(agg.to_string(), pos),
                None => Value::Column(c, pos),
            },
            Token::Text(t) => Value::Text(t),
            Token::Number(n) => Value::Number(n),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Token::Word(w) if w.eq_ignore_ascii_case("null") => Value::Null,
            Token::Word(w) => {
                return self.error(format!(
                    "'{w}' is not a value: write columns in backticks (`{w}`) and text in quotes ('{w}')"
                ));
            }
            Token::Op(o) => return self.error(format!("expected a value, found '{o}'")),
        };
        self.at += 1;
        Ok(value)
    }
}

/// A condition (BOOLEAN_OPERATION's `valueExpression`).
pub fn parse_condition(src: &str) -> Result<Cond, ParseError> {
    let mut p = Parser::new(src)?;
    let cond = p.or()?;
    p.done()?;
    Ok(cond)
}

/// A value (BOOLEAN_OPERATION's true and false expressions).
pub fn parse_value(src: &str) -> Result<Value, ParseError> {
    let mut p = Parser::new(src)?;
    let value = p.value()?;
    p.done()?;
    Ok(value)
}

/// `case when … then … [else …] end` (CASE_OPERATION's `valueExpression`).
pub fn parse_case(src: &str) -> Result<Case, ParseError> {
    let mut p = Parser::new(src)?;
    p.expect_word("case")?;
    let mut branches = Vec::new();
    while p.is_word("when") {
        p.at += 1;
        let cond = p.or()?;
        p.expect_word("then")?;
        branches.push((cond, p.value()?));
    }
    if branches.is_empty() {
        return p.error("expected 'when'");
    }
    let otherwise = if p.is_word("else") {
        p.at += 1;
        Some(p.value()?)
    } else {
        None
    };
    p.expect_word("end")?;
    p.done()?;
    Ok(Case {
        branches,
        otherwise,
    })
}

/// `sum(`col`)`, `count(distinct `col`)`: a `withExpressions` aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub function: String,
    pub distinct: bool,
    pub column: String,
}

pub fn parse_aggregate(src: &str) -> Result<Aggregate, ParseError> {
    let mut p = Parser::new(src)?;
    let function = match p.peek() {
        Some(Token::Word(w)) => w.to_ascii_lowercase(),
        _ => return p.error("expected an aggregate function such as sum(`column`)"),
    };
    p.at += 1;
    p.expect_op("(")?;
    let distinct = p.is_word("distinct");
    if distinct {
        p.at += 1;
    }
    let column = match p.peek() {
        Some(Token::Column(c)) => c.clone(),
        _ => return p.error("expected a column in backticks"),
    };
    p.at += 1;
    p.expect_op(")")?;
    p.done()?;
    Ok(Aggregate {
        function,
        distinct,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_databrew_examples() {
        let case = parse_case(
            "case when `c11` < `c2` then 'r1' when `c2` < 'v2' then 'r2' else 'high' end",
        )
        .unwrap();
        assert_eq!(case.branches.len(), 2);
        assert_eq!(case.otherwise, Some(Value::Text("high".into())));
        let cond = parse_condition("contains(`name`, 'x') and !isMissing(`age`) or `age` >= :avg");
        assert!(
            cond.is_err(),
            "an aggregate reference goes in backticks: {cond:?}"
        );
        let cond =
            parse_condition("contains(`name`, 'x') and !isMissing(`age`) or `age` >= `:avg`")
                .unwrap();
        assert!(matches!(cond, Cond::Or(..)));
        assert_eq!(
            parse_aggregate("count(distinct `winner`)").unwrap(),
            Aggregate {
                function: "count".into(),
                distinct: true,
                column: "winner".into()
            }
        );
    }

    #[test]
    fn errors_say_where() {
        let e = parse_condition("`a` > ").unwrap_err();
        assert_eq!(e.pos, 7);
        let e = parse_case("case when `a` then 1").unwrap_err();
        assert!(e.message.contains("'end'"), "{e:?}");
        let e = parse_condition("isBetween(`a`, 1)").unwrap_err();
        assert!(e.message.contains("takes 3"), "{e:?}");
        let e = parse_value("name").unwrap_err();
        assert!(e.message.contains("backticks"), "{e:?}");
    }
}
