//! Text: cleaning and formatting in place (reference §2.9) and the text functions that write a
//! new column (§2.18).
//!
//! Rules common to the family (datacook's decisions; README, "Decisions beyond the spec"):
//! * A text operation reads any column as text (numbers as written, dates ISO 8601); an
//!   in-place one leaves the column as text.
//! * Missing values stay missing: null stays null, empty text stays empty (no prefix is added
//!   to nothing).
//! * Positions count characters (not bytes) from 0; a range `startPosition..endPosition`
//!   includes the start and excludes the end, like a Python slice.
//! * Patterns are regular expressions (Rust syntax: no look-around, no back-references; an
//!   unsupported pattern is a validation error naming the parameter).

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::{
    Accepts, Def, ExprFn, Operand, binary_spec, derive_spec, in_place_spec, one_input,
    text_in_place_spec, unary_spec,
};
use super::{OpError, OpResult, OpSpec, check_regex, p};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const CLEANING: &str = "text cleaning";
const FUNCTIONS: &str = "text functions";

pub fn specs() -> Vec<OpSpec> {
    let mut specs = cleaning();
    specs.extend(functions());
    specs
}

fn cleaning() -> Vec<OpSpec> {
    vec![
        text_in_place_spec("UPPER_CASE", "Upper-case the text in place.", |c| {
            c.str().to_uppercase()
        }),
        text_in_place_spec("LOWER_CASE", "Lower-case the text in place.", |c| {
            c.str().to_lowercase()
        }),
        text_in_place_spec(
            "CAPITAL_CASE",
            "First letter of every word upper case, the rest lower case.",
            |c| map_text(c, |s| Some(capital_case(s))),
        ),
        text_in_place_spec(
            "SENTENCE_CASE",
            "First letter of every sentence upper case, the rest lower case.",
            |c| map_text(c, |s| Some(sentence_case(s))),
        ),
        text_in_place_spec("ADD_DOUBLE_QUOTES", "Wrap the text in \"…\".", |c| {
            wrap(c, "\"", "\"")
        }),
        text_in_place_spec("ADD_SINGLE_QUOTES", "Wrap the text in '…'.", |c| {
            wrap(c, "'", "'")
        }),
        in_place_spec(
            Def {
                name: "ADD_PREFIX",
                family: CLEANING,
                summary: "Put a text before every value.",
                params: Affix::SPECS,
            },
            Accepts::Text,
            |p| {
                let a = Affix::read(p);
                Ok(Arc::new(move |c| wrap(c, &a.pattern, "")))
            },
        ),
        in_place_spec(
            Def {
                name: "ADD_SUFFIX",
                family: CLEANING,
                summary: "Put a text after every value.",
                params: Affix::SPECS,
            },
            Accepts::Text,
            |p| {
                let a = Affix::read(p);
                Ok(Arc::new(move |c| wrap(c, "", &a.pattern)))
            },
        ),
        in_place_spec(
            Def {
                name: "REPLACE_TEXT",
                family: CLEANING,
                summary: "Replace every match of a regular expression with a value.",
                params: ReplaceText::SPECS,
            },
            Accepts::Text,
            |p| {
                let r = ReplaceText::read(p);
                let re = compiled(&r.pattern, "pattern")?;
                Ok(Arc::new(move |c| {
                    let (re, value) = (re.clone(), r.value.clone());
                    // Empty text stays empty: `^` matches nothing to replace there.
                    map_text(c, move |s| {
                        Some(match s.is_empty() {
                            true => String::new(),
                            false => re.replace_all(s, regex::NoExpand(&value)).into_owned(),
                        })
                    })
                }))
            },
        ),
        in_place_spec(
            Def {
                name: "REPLACE_BETWEEN_DELIMITERS",
                family: CLEANING,
                summary: "Replace the text between two delimiters (kept) with a value.",
                params: ReplaceBetweenDelimiters::SPECS,
            },
            Accepts::Text,
            |p| {
                let r = ReplaceBetweenDelimiters::read(p);
                let re = between(&r.start, &r.end)?;
                Ok(Arc::new(move |c| {
                    let (re, value) = (re.clone(), r.value.clone());
                    map_text(c, move |s| {
                        if s.is_empty() {
                            return Some(String::new());
                        }
                        let replaced = re.replace_all(s, |caps: &regex::Captures| {
                            format!("{}{value}{}", &caps[START], &caps[END])
                        });
                        Some(replaced.into_owned())
                    })
                }))
            },
        ),
        in_place_spec(
            Def {
                name: "REPLACE_BETWEEN_POSITIONS",
                family: CLEANING,
                summary: "Replace the characters startPosition..endPosition with a value.",
                params: ReplaceBetweenPositions::SPECS,
            },
            Accepts::Text,
            |p| {
                let r = ReplaceBetweenPositions::read(p);
                let (start, end) = positions(r.start, r.end)?;
                Ok(Arc::new(move |c| {
                    let head = c.clone().str().slice(lit(0), lit(start));
                    let tail = c.clone().str().slice(lit(end), lit(NULL));
                    keep_missing(c, concat_str([head, lit(r.value.clone()), tail], "", false))
                }))
            },
        ),
        in_place_spec(
            Def {
                name: "REMOVE_COMBINED",
                family: CLEANING,
                summary: "Remove characters by class (letters, numbers, punctuation, quotes, whitespace, custom).",
                params: RemoveCombined::SPECS,
            },
            Accepts::Text,
            |p| {
                let r = Arc::new(RemoveCombined::read(p));
                Ok(Arc::new(move |c| {
                    let r = r.clone();
                    map_text(c, move |s| Some(r.apply(s)))
                }))
            },
        ),
        in_place_spec(
            Def {
                name: "NUMBER_FORMAT",
                family: CLEANING,
                summary: "Write numbers as text with decimals, separators and a unit.",
                params: NumberFormat::SPECS,
            },
            Accepts::Number,
            |p| {
                let f = Arc::new(number_format(p)?);
                Ok(Arc::new(move |c| {
                    let f = f.clone();
                    c.cast(DataType::Float64).map(
                        move |column| {
                            let ca = column.f64()?;
                            let out: StringChunked =
                                ca.iter().map(|v| v.map(|v| f.format(v))).collect();
                            Ok(out.with_name(ca.name().clone()).into_column())
                        },
                        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
                    )
                }))
            },
        ),
        derive_spec(
            Def {
                name: "EXTRACT_PATTERN",
                family: CLEANING,
                summary: "New column: the first match of a regular expression (null if none).",
                params: ExtractPattern::SPECS,
            },
            |p| {
                let e = ExtractPattern::read(p);
                check_regex(&e.pattern, "pattern")?;
                let input = Operand::column(e.source, "sourceColumn");
                Ok((
                    vec![(input, Accepts::Text)],
                    Arc::new(move |mut c: Vec<Expr>| {
                        c.remove(0).str().extract(lit(e.pattern.clone()), 0)
                    }),
                ))
            },
        ),
        derive_spec(
            Def {
                name: "EXTRACT_BETWEEN_DELIMITERS",
                family: CLEANING,
                summary: "New column: the text between the first start delimiter and the next end delimiter.",
                params: ExtractBetweenDelimiters::SPECS,
            },
            |p| {
                let e = ExtractBetweenDelimiters::read(p);
                let re = between(&e.start, &e.end)?;
                let input = Operand::column(e.source, "sourceColumn");
                Ok((
                    vec![(input, Accepts::Text)],
                    Arc::new(move |mut c: Vec<Expr>| {
                        let re = re.clone();
                        map_text(c.remove(0), move |s| {
                            re.captures(s).map(|caps| caps[MIDDLE].to_string())
                        })
                    }),
                ))
            },
        ),
        derive_spec(
            Def {
                name: "EXTRACT_BETWEEN_POSITIONS",
                family: CLEANING,
                summary: "New column: the characters startPosition..endPosition.",
                params: ExtractBetweenPositions::SPECS,
            },
            |p| {
                let e = ExtractBetweenPositions::read(p);
                let (start, end) = positions(e.start, e.end)?;
                let input = Operand::column(e.source, "sourceColumn");
                Ok((
                    vec![(input, Accepts::Text)],
                    Arc::new(move |mut c: Vec<Expr>| {
                        c.remove(0).str().slice(lit(start), lit(end - start))
                    }),
                ))
            },
        ),
    ]
}

fn functions() -> Vec<OpSpec> {
    let f = FUNCTIONS;
    vec![
        unary_spec("UPPER", f, "Upper-case text.", Accepts::Text, |c| {
            c.str().to_uppercase()
        }),
        unary_spec("LOWER", f, "Lower-case text.", Accepts::Text, |c| {
            c.str().to_lowercase()
        }),
        unary_spec(
            "PROPER",
            f,
            "Capital case: first letter of every word upper case.",
            Accepts::Text,
            |c| map_text(c, |s| Some(capital_case(s))),
        ),
        unary_spec(
            "TRIM",
            f,
            "Remove leading and trailing whitespace.",
            Accepts::Text,
            |c| c.str().strip_chars(lit(NULL)),
        ),
        unary_spec(
            "REMOVE_WHITESPACE",
            f,
            "Remove every whitespace character.",
            Accepts::Text,
            |c| c.str().replace_all(lit(r"\s+"), lit(""), false),
        ),
        unary_spec(
            "REMOVE_SYMBOLS",
            f,
            "Keep only letters (accented too), digits and whitespace.",
            Accepts::Text,
            |c| {
                c.str()
                    .replace_all(lit(r"[^\p{L}\p{N}\s]+"), lit(""), false)
            },
        ),
        unary_spec(
            "LEN",
            f,
            "Length of the text in characters.",
            Accepts::Text,
            |c| c.str().len_chars().cast(DataType::Int64),
        ),
        unary_spec(
            "UNICODE",
            f,
            "Code point of the first character (null for empty text).",
            Accepts::Text,
            |c| map_text_to_int(c, |s| s.chars().next().map(|ch| ch as i64)),
        ),
        unary_spec(
            "CHAR",
            f,
            "The character with the given code point.",
            Accepts::Number,
            char_of,
        ),
        derive_spec(
            Def {
                name: "LEFT",
                family: f,
                summary: "The first `position` characters.",
                params: WithPosition::SPECS,
            },
            |p| {
                let n = count(WithPosition::read(p).position, "position")?;
                one_input(p, Accepts::Text, move |c| c.str().head(lit(n)))
            },
        ),
        derive_spec(
            Def {
                name: "RIGHT",
                family: f,
                summary: "The last `position` characters.",
                params: WithPosition::SPECS,
            },
            |p| {
                let n = count(WithPosition::read(p).position, "position")?;
                one_input(p, Accepts::Text, move |c| c.str().tail(lit(n)))
            },
        ),
        derive_spec(
            Def {
                name: "SUBSTRING",
                family: f,
                summary: "The characters startPosition..endPosition.",
                params: Substring::SPECS,
            },
            |p| {
                let s = Substring::read(p);
                let (start, end) = positions(s.start, s.end)?;
                one_input(p, Accepts::Text, move |c| {
                    c.str().slice(lit(start), lit(end - start))
                })
            },
        ),
        derive_spec(
            Def {
                name: "REPEAT_STRING",
                family: f,
                summary: "The text repeated `count` times.",
                params: Repeat::SPECS,
            },
            |p| {
                let n = count(Repeat::read(p).count, "count")?;
                if n > MAX_REPEAT {
                    return Err(OpError::new(format!(
                        "count must be at most {MAX_REPEAT}, found {n}"
                    ))
                    .param("count"));
                }
                one_input(p, Accepts::Text, move |c| {
                    map_text(c, move |s| Some(s.repeat(n as usize)))
                })
            },
        ),
        derive_spec(
            Def {
                name: "STARTS_WITH",
                family: f,
                summary: "True when the text starts with a match of the pattern.",
                params: WithPattern::SPECS,
            },
            |p| matches_at(p, |pattern| format!("^(?:{pattern})")),
        ),
        derive_spec(
            Def {
                name: "ENDS_WITH",
                family: f,
                summary: "True when the text ends with a match of the pattern.",
                params: WithPattern::SPECS,
            },
            |p| matches_at(p, |pattern| format!("(?:{pattern})$")),
        ),
        derive_spec(
            Def {
                name: "FIND",
                family: f,
                summary: "Where the pattern first matches, from `position` on (0-based; null if nowhere).",
                params: Find::SPECS,
            },
            |p| find(p, false),
        ),
        derive_spec(
            Def {
                name: "RIGHT_FIND",
                family: f,
                summary: "Where the pattern last matches, ignoring the last `position` characters.",
                params: Find::SPECS,
            },
            |p| find(p, true),
        ),
        derive_spec(
            Def {
                name: "EXTRACT_VALUE",
                family: CLEANING,
                summary: "New column: the value at a path (`user`.`id`) inside JSON text.",
                params: ExtractValue::SPECS,
            },
            |p| {
                let e = ExtractValue::read(p);
                let path = json_path(&e.path)?;
                // DataBrew's paths start with the column itself (`age`.`name` on column age).
                let inner = match path.first() {
                    Some(PathStep::Key(k)) if *k == e.source && path.len() > 1 => {
                        Some(path[1..].to_vec())
                    }
                    _ => None,
                };
                let input = Operand::column(e.source, "sourceColumn");
                Ok((
                    vec![(input, Accepts::Text)],
                    Arc::new(move |mut c: Vec<Expr>| {
                        let (path, inner) = (path.clone(), inner.clone());
                        map_text(c.remove(0), move |s| {
                            // Parsed once; the path without its leading column is the fallback.
                            let json: serde_json::Value = serde_json::from_str(s).ok()?;
                            follow(&json, &path)
                                .or_else(|| inner.as_ref().and_then(|i| follow(&json, i)))
                        })
                    }),
                ))
            },
        ),
        binary_spec(
            "EXACT",
            f,
            "True when the two texts are equal (case-sensitive).",
            Accepts::Text,
            |a, b| a.eq(b),
        ),
        binary_spec(
            "STRING_GREATER_THAN",
            f,
            "True when the first text sorts after the second (by code point).",
            Accepts::Text,
            |a, b| a.gt(b),
        ),
        binary_spec(
            "STRING_GREATER_THAN_EQUAL",
            f,
            "True when the first text sorts after or equals the second.",
            Accepts::Text,
            |a, b| a.gt_eq(b),
        ),
        binary_spec(
            "STRING_LESS_THAN",
            f,
            "True when the first text sorts before the second (by code point).",
            Accepts::Text,
            |a, b| a.lt(b),
        ),
        binary_spec(
            "STRING_LESS_THAN_EQUAL",
            f,
            "True when the first text sorts before or equals the second.",
            Accepts::Text,
            |a, b| a.lt_eq(b),
        ),
    ]
}

params! {
    struct Affix {
        source: String = p::SOURCE_COLUMN,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "The text to add."),
    }
}

params! {
    struct ReplaceText {
        source: String = p::SOURCE_COLUMN,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "Regular expression to replace."),
        value: String = ParamSpec::def("value", ParamKind::Text, "", "The replacement (as written; `$` is not special)."),
    }
}

params! {
    struct ReplaceBetweenDelimiters {
        source: String = p::SOURCE_COLUMN,
        start: String = ParamSpec::req("startPattern", ParamKind::Text, "Regular expression for the start delimiter."),
        end: String = ParamSpec::req("endPattern", ParamKind::Text, "Regular expression for the end delimiter."),
        value: String = ParamSpec::def("value", ParamKind::Text, "", "The replacement."),
    }
}

const START_POSITION: ParamSpec = ParamSpec::req(
    "startPosition",
    ParamKind::Integer,
    "First character, counted from 0.",
);
const END_POSITION: ParamSpec = ParamSpec::req(
    "endPosition",
    ParamKind::Integer,
    "The character after the last one, counted from 0.",
);

params! {
    struct ReplaceBetweenPositions {
        source: String = p::SOURCE_COLUMN,
        start: i64 = START_POSITION,
        end: i64 = END_POSITION,
        value: String = ParamSpec::def("value", ParamKind::Text, "", "The replacement."),
    }
}

params! {
    struct ExtractPattern {
        source: String = p::SOURCE_COLUMN,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "Regular expression to extract."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct ExtractBetweenDelimiters {
        source: String = p::SOURCE_COLUMN,
        start: String = ParamSpec::req("startPattern", ParamKind::Text, "Regular expression for the start delimiter."),
        end: String = ParamSpec::req("endPattern", ParamKind::Text, "Regular expression for the end delimiter."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct ExtractBetweenPositions {
        source: String = p::SOURCE_COLUMN,
        start: i64 = START_POSITION,
        end: i64 = END_POSITION,
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct WithPosition {
        source: Option<String> = super::shape::SOURCE,
        value: Option<String> = super::shape::VALUE,
        position: i64 = ParamSpec::req("position", ParamKind::Integer, "How many characters."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct Substring {
        source: Option<String> = super::shape::SOURCE,
        value: Option<String> = super::shape::VALUE,
        start: i64 = START_POSITION,
        end: i64 = END_POSITION,
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct Repeat {
        source: Option<String> = super::shape::SOURCE,
        value: Option<String> = super::shape::VALUE,
        count: i64 = ParamSpec::req("count", ParamKind::Integer, "How many times."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct WithPattern {
        source: Option<String> = super::shape::SOURCE,
        value: Option<String> = super::shape::VALUE,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "Regular expression."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct Find {
        source: Option<String> = super::shape::SOURCE,
        value: Option<String> = super::shape::VALUE,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "Regular expression."),
        position: i64 = ParamSpec::def("position", ParamKind::Integer, "0", "FIND: start here; RIGHT_FIND: skip this many characters at the end."),
        ignore_case: bool = ParamSpec::def("ignoreCase", ParamKind::Bool, "false", "Match regardless of case."),
        target: Option<String> = super::shape::TARGET,
    }
}

params! {
    struct ExtractValue {
        source: String = p::SOURCE_COLUMN,
        path: String = ParamSpec::req("path", ParamKind::Text, "Keys (and [index]es) to follow, e.g. `user`.`id` or `items`[0]."),
        target: Option<String> = super::shape::TARGET,
    }
}

/// FIND / RIGHT_FIND: the 0-based character index of the first match at or after
/// `position` (RIGHT_FIND: of the last match that ends before the last `position`
/// characters); null when there is none.
fn find(
    p: &crate::recipe::params::Params,
    from_right: bool,
) -> OpResult<(Vec<(Operand, Accepts)>, super::shape::ExprFn)> {
    let f = Find::read(p);
    let skip = count(f.position, "position")? as usize;
    let pattern = if f.ignore_case {
        format!("(?i){}", f.pattern)
    } else {
        f.pattern.clone()
    };
    check_regex(&pattern, "pattern")?;
    let re =
        regex::Regex::new(&pattern).map_err(|e| OpError::new(e.to_string()).param("pattern"))?;
    one_input(p, Accepts::Text, move |c| {
        let re = re.clone();
        c.map(
            move |column| {
                let ca = column.str()?;
                let out: Int64Chunked = ca
                    .iter()
                    .map(|v| v.and_then(|s| find_in(&re, s, skip, from_right)))
                    .collect();
                Ok(out.with_name(ca.name().clone()).into_column())
            },
            |_, field| Ok(Field::new(field.name().clone(), DataType::Int64)),
        )
    })
}

fn find_in(re: &regex::Regex, s: &str, skip: usize, from_right: bool) -> Option<i64> {
    let char_index = |byte: usize| s[..byte].chars().count() as i64;
    if from_right {
        let total = s.chars().count();
        let end = s
            .char_indices()
            .nth(total.saturating_sub(skip))
            .map(|(b, _)| b)
            .unwrap_or(s.len());
        let end = if skip > total { 0 } else { end };
        // The rightmost start of a match, overlapping ones included.
        let hay = &s[..end];
        hay.char_indices()
            .rev()
            .find(|(at, _)| re.find_at(hay, *at).is_some_and(|m| m.start() == *at))
            .map(|(at, _)| char_index(at))
    } else {
        let start = s.char_indices().nth(skip).map(|(b, _)| b)?;
        re.find_at(s, start).map(|m| char_index(m.start()))
    }
}

/// One step of an EXTRACT_VALUE path.
#[derive(Clone, Debug, PartialEq)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// `` `user`.`id` ``, `user.id`, `` `items`[0].`name` ``.
fn json_path(path: &str) -> OpResult<Vec<PathStep>> {
    let bad = || {
        OpError::new(format!("cannot read the path '{path}'"))
            .param("path")
            .help(
                "write keys in backticks joined by dots, with [n] for list items: `user`.`ids`[0]",
            )
    };
    let mut steps = Vec::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('`') {
            let end = r.find('`').ok_or_else(bad)?;
            steps.push(PathStep::Key(r[..end].to_string()));
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            steps.push(PathStep::Index(r[..end].trim().parse().map_err(|_| bad())?));
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            steps.push(PathStep::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    if steps.is_empty() {
        return Err(bad());
    }
    Ok(steps)
}

/// The value at `path` in JSON: text as it is, other scalars as written, lists and objects as
/// compact JSON; null when the path leads nowhere.
fn follow(json: &serde_json::Value, path: &[PathStep]) -> Option<String> {
    let mut v = json;
    for step in path {
        v = match step {
            PathStep::Key(k) => v.get(k.as_str())?,
            PathStep::Index(i) => v.get(*i)?,
        };
    }
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

params! {
    struct NumberFormat {
        source: String = p::SOURCE_COLUMN,
        decimals: i64 = ParamSpec::def("decimalPlaces", ParamKind::Integer, "2", "Digits after the decimal separator (0-15)."),
        decimal: String = ParamSpec::def("numericDecimalSeparator", ParamKind::Text, ".", "`.` or `,`."),
        thousands: Option<String> = ParamSpec::opt("numericThousandSeparator", ParamKind::Text, "None, `,`, ` `, `.` or `\\`."),
        unit: Option<String> = ParamSpec::opt("numericAbbreviatedUnit", ParamKind::Choice(&["THOUSAND", "MILLION", "BILLION", "TRILLION"]), "Divide by this unit first."),
        abbreviation: Option<String> = ParamSpec::opt("numericUnitAbbreviation", ParamKind::Text, "Text after the number (default K, M, B, T with a unit)."),
    }
}

/// NUMBER_FORMAT: the value (divided by `numericAbbreviatedUnit`) rounded half away from zero
/// to `decimalPlaces`, with the separators given and the unit's abbreviation after it
/// (`1234567.891`, 2 places, `,` thousands, MILLION → `1.23M`). Missing values stay missing;
/// the column becomes text.
pub struct NumberFormatter {
    decimals: usize,
    decimal: String,
    thousands: String,
    divisor: f64,
    suffix: String,
}

fn number_format(p: &crate::recipe::params::Params) -> OpResult<NumberFormatter> {
    let n = NumberFormat::read(p);
    if !(0..=15).contains(&n.decimals) {
        return Err(OpError::new(format!(
            "decimalPlaces must be from 0 to 15, found {}",
            n.decimals
        ))
        .param("decimalPlaces"));
    }
    if ![".", ","].contains(&n.decimal.as_str()) {
        return Err(OpError::new(format!(
            "numericDecimalSeparator must be . or , (found '{}')",
            n.decimal
        ))
        .param("numericDecimalSeparator"));
    }
    let thousands = match n.thousands.as_deref() {
        None | Some("") | Some("null") => String::new(),
        Some("\\\\") => "\\".to_string(),
        Some(t @ ("," | " " | "." | "\\")) => t.to_string(),
        Some(other) => {
            return Err(OpError::new(format!(
                "numericThousandSeparator must be , or a space, . or \\ (found '{other}')"
            ))
            .param("numericThousandSeparator"));
        }
    };
    if !thousands.is_empty() && thousands == n.decimal {
        return Err(
            OpError::new("the thousands and decimal separators are the same")
                .param("numericThousandSeparator"),
        );
    }
    let (divisor, default_suffix) = match n.unit.as_deref() {
        Some("THOUSAND") => (1e3, "K"),
        Some("MILLION") => (1e6, "M"),
        Some("BILLION") => (1e9, "B"),
        Some("TRILLION") => (1e12, "T"),
        _ => (1.0, ""),
    };
    Ok(NumberFormatter {
        decimals: n.decimals as usize,
        decimal: n.decimal,
        thousands,
        divisor,
        suffix: n
            .abbreviation
            .filter(|a| a != "null")
            .unwrap_or_else(|| default_suffix.to_string()),
    })
}

impl NumberFormatter {
    pub fn format(&self, value: f64) -> String {
        let scaled = value / self.divisor;
        let factor = 10f64.powi(self.decimals as i32);
        let rounded = (scaled.abs() * factor).round() / factor;
        let text = format!("{rounded:.*}", self.decimals);
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::new();
        for (i, d) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(&self.thousands);
            }
            grouped.push(d);
        }
        let sign = if scaled < 0.0 && rounded != 0.0 {
            "-"
        } else {
            ""
        };
        let fraction = if fraction.is_empty() {
            String::new()
        } else {
            format!("{}{fraction}", self.decimal)
        };
        format!("{sign}{grouped}{fraction}{}", self.suffix)
    }
}

const fn flag(name: &'static str, doc: &'static str) -> ParamSpec {
    ParamSpec::def(name, ParamKind::Bool, "false", doc)
}

params! {
    /// REMOVE_COMBINED's options. They apply in a fixed order: custom value, custom
    /// characters, letters, numbers, special characters, punctuation, quotes, whitespace; then
    /// the leading-and-trailing trims; then collapsing whitespace runs into one space.
    struct RemoveCombined {
        source: String = p::SOURCE_COLUMN,
        custom_value: bool = flag("removeCustomValue", "Remove every occurrence of customValue."),
        custom_value_text: Option<String> = ParamSpec::opt("customValue", ParamKind::Text, "The text removeCustomValue removes."),
        custom_chars: bool = flag("removeCustomCharacters", "Remove every character of customCharacters."),
        custom_chars_text: Option<String> = ParamSpec::opt("customCharacters", ParamKind::Text, "The characters removeCustomCharacters removes."),
        chars_to_remove: Option<String> = ParamSpec::opt("charsToRemove", ParamKind::Text, "Same as customCharacters (CloudFormation's name)."),
        letters: bool = flag("removeLetters", "Remove the letters A-Z and a-z."),
        numbers: bool = flag("removeNumbers", "Remove the digits 0-9."),
        special: bool = flag("removeSpecialCharacters", "Remove ASCII punctuation and symbols."),
        punctuation: bool = flag("removeAllPunctuation", "Remove . ! , and ?"),
        quotes: bool = flag("removeAllQuotes", "Remove ' \" and `."),
        whitespace: bool = flag("removeAllWhitespace", "Remove every whitespace character."),
        edge_punctuation: bool = flag("removeLeadingAndTrailingPunctuation", "Remove punctuation at the start and end."),
        edge_quotes: bool = flag("removeLeadingAndTrailingQuotes", "Remove quotes at the start and end."),
        edge_whitespace: bool = flag("removeLeadingAndTrailingWhitespace", "Remove whitespace at the start and end."),
        collapse: bool = flag("collapseConsecutiveWhitespace", "Turn every run of whitespace into one space."),
    }
}

const PUNCTUATION: &[char] = &['.', '!', ',', '?'];
const QUOTES: &[char] = &['\'', '"', '`'];

impl RemoveCombined {
    fn apply(&self, s: &str) -> String {
        let mut out = s.to_string();
        if self.custom_value
            && let Some(v) = self.custom_value_text.as_deref().filter(|v| !v.is_empty())
        {
            out = out.replace(v, "");
        }
        if self.custom_chars {
            let chars: Vec<char> = self
                .custom_chars_text
                .iter()
                .chain(self.chars_to_remove.iter())
                .flat_map(|t| t.chars())
                .collect();
            out.retain(|c| !chars.contains(&c));
        }
        out.retain(|c| {
            !(self.letters && c.is_ascii_alphabetic()
                || self.numbers && c.is_ascii_digit()
                || self.special && c.is_ascii_punctuation()
                || self.punctuation && PUNCTUATION.contains(&c)
                || self.quotes && QUOTES.contains(&c)
                || self.whitespace && c.is_whitespace())
        });
        loop {
            let before = out.len();
            if self.edge_whitespace {
                out = out.trim().to_string();
            }
            if self.edge_punctuation {
                out = out.trim_matches(|c| PUNCTUATION.contains(&c)).to_string();
            }
            if self.edge_quotes {
                out = out.trim_matches(|c| QUOTES.contains(&c)).to_string();
            }
            if out.len() == before {
                break;
            }
        }
        if self.collapse {
            out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        out
    }
}

// ---- helpers -----------------------------------------------------------------------------

/// REPEAT_STRING's largest count (a guard against runaway memory).
const MAX_REPEAT: i64 = 10_000;

/// A count parameter: 0 or more.
fn count(n: i64, param: &'static str) -> OpResult<i64> {
    if n < 0 {
        return Err(OpError::new(format!("{param} must be 0 or more, found {n}")).param(param));
    }
    Ok(n)
}

/// A `startPosition..endPosition` range: 0 ≤ start ≤ end.
fn positions(start: i64, end: i64) -> OpResult<(i64, i64)> {
    count(start, "startPosition")?;
    if end < start {
        return Err(OpError::new(format!(
            "endPosition ({end}) is before startPosition ({start})"
        ))
        .param("endPosition"));
    }
    Ok((start, end))
}

/// `(start)(between)(end)`, non-greedy, checked.
/// Group names of [`between`], unlikely in a user's pattern.
const START: &str = "datacook_start";
const MIDDLE: &str = "datacook_middle";
const END: &str = "datacook_end";

/// `start`, the shortest text up to `end` (across line breaks), `end`: named groups, so groups
/// inside the user's patterns do not shift them.
fn between(start: &str, end: &str) -> OpResult<regex::Regex> {
    check_regex(start, "startPattern")?;
    check_regex(end, "endPattern")?;
    compiled(
        &format!("(?s)(?P<{START}>{start})(?P<{MIDDLE}>.*?)(?P<{END}>{end})"),
        "startPattern",
    )
}

/// A checked regular expression.
fn compiled(pattern: &str, param: &'static str) -> OpResult<regex::Regex> {
    check_regex(pattern, param)?;
    regex::Regex::new(pattern).map_err(|e| OpError::new(e.to_string()).param(param))
}

/// Missing (null or empty) stays as it was; other values become `new`.
fn keep_missing(c: Expr, new: Expr) -> Expr {
    when(c.clone().eq(lit(""))).then(lit("")).otherwise(new)
}

fn wrap(c: Expr, before: &str, after: &str) -> Expr {
    keep_missing(
        c.clone(),
        concat_str(
            [lit(before.to_string()), c, lit(after.to_string())],
            "",
            false,
        ),
    )
}

/// STARTS_WITH / ENDS_WITH: whether the text matches `pattern` anchored by `anchor`.
fn matches_at(
    p: &Params,
    anchor: fn(&str) -> String,
) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> {
    let pattern = WithPattern::read(p).pattern;
    check_regex(&pattern, "pattern")?;
    let anchored = anchor(&pattern);
    one_input(p, Accepts::Text, move |c| {
        c.str().contains(lit(anchored.clone()), true)
    })
}

/// Apply a Rust function to every non-null text; `None` gives null.
pub fn map_text(c: Expr, f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Expr {
    c.map(
        move |column| {
            let ca = column.str()?;
            let out: StringChunked = ca.iter().map(|v| v.and_then(&f)).collect();
            Ok(out.with_name(ca.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

pub fn map_text_to_int(c: Expr, f: fn(&str) -> Option<i64>) -> Expr {
    c.map(
        move |column| {
            let ca = column.str()?;
            let out: Int64Chunked = ca.iter().map(|v| v.and_then(f)).collect();
            Ok(out.with_name(ca.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Int64)),
    )
}

/// CHAR: the character of a code point; not a valid code point (negative, a surrogate, a
/// fraction) → null.
fn char_of(c: Expr) -> Expr {
    c.cast(DataType::Float64).map(
        |column| {
            let ca = column.f64()?;
            let out: StringChunked = ca
                .iter()
                .map(|v| {
                    v.filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64)
                        .and_then(|f| char::from_u32(f as u32))
                        .map(|ch| ch.to_string())
                })
                .collect();
            Ok(out.with_name(ca.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

/// CAPITAL_CASE / PROPER: a letter is upper-cased when it starts a word — at the start of the
/// text or after a character that is neither a letter, a digit nor an apostrophe — and
/// lower-cased otherwise (`o'neil mcdonald-smith` → `O'neil Mcdonald-Smith`).
pub fn capital_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if in_word {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        in_word = c.is_alphanumeric() || c == '\'';
    }
    out
}

/// SENTENCE_CASE: the first letter of the text and the first letter after `.`, `!` or `?`
/// are upper-cased; every other letter is lower-cased (`hello. WORLD` → `Hello. World`).
pub fn sentence_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphanumeric() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.extend(c.to_lowercase());
            if matches!(c, '.' | '!' | '?') {
                start = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn json_paths_and_finding() {
        let path = json_path("`user`.`ids`[1]").unwrap();
        assert_eq!(
            path,
            vec![
                PathStep::Key("user".into()),
                PathStep::Key("ids".into()),
                PathStep::Index(1)
            ]
        );
        assert_eq!(json_path("a.b").unwrap().len(), 2);
        assert_eq!(
            follow(&json(r#"{"user":{"ids":[3,4]}}"#), &path).as_deref(),
            Some("4")
        );
        assert_eq!(follow(&json(r#"{"user":{}}"#), &path), None);
        // Text that is not JSON gives null: tests/cases/text.yaml, EXTRACT_VALUE.
        let re = regex::Regex::new("l").unwrap();
        assert_eq!(find_in(&re, "héllo", 0, false), Some(2));
        assert_eq!(find_in(&re, "héllo", 3, false), Some(3));
        assert_eq!(find_in(&re, "héllo", 0, true), Some(3));
        assert_eq!(find_in(&re, "héllo", 2, true), Some(2));
        assert_eq!(find_in(&re, "héllo", 9, false), None);
    }

    #[test]
    fn numbers_format_with_separators_and_units() {
        let f = |decimals, decimal: &str, thousands: &str, divisor, suffix: &str| NumberFormatter {
            decimals,
            decimal: decimal.into(),
            thousands: thousands.into(),
            divisor,
            suffix: suffix.into(),
        };
        assert_eq!(f(2, ".", ",", 1.0, "").format(1234567.891), "1,234,567.89");
        assert_eq!(f(1, ",", ".", 1.0, "").format(-1234.55), "-1.234,6");
        assert_eq!(f(2, ".", "", 1e6, "M").format(1234567.891), "1.23M");
        assert_eq!(f(0, ".", " ", 1.0, "").format(999.5), "1 000");
        assert_eq!(f(0, ".", ",", 1.0, "").format(-0.4), "0");
    }

    #[test]
    fn capital_and_sentence_case() {
        assert_eq!(
            capital_case("o'neil mcDONALD-smith 3rd"),
            "O'neil Mcdonald-Smith 3rd"
        );
        assert_eq!(
            sentence_case("hello. WORLD! yes? no"),
            "Hello. World! Yes? No"
        );
        assert_eq!(sentence_case("  ÉTÉ chaud"), "  Été chaud");
    }
}
