//! Splitting one column into several (reference §2.8).
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! the parts replace the source column, in its place, as text
//! columns `<sourceColumn>_1`, `<sourceColumn>_2`, … (the console's names); a name that exists
//! already is an error. Every split of a row gives the same number of columns: parts a value
//! does not have are null (position splits: empty text past the end of a value), and a null value
//! gives nulls. Delimiters are literal text, matched
//! left to right; `includeInSplit: true` keeps a delimiter at the end of the part before it
//! (SPLIT_COLUMN_BETWEEN_DELIMITER: at the edges of the middle part). Positions count
//! characters from 0. `limit` (1 to 20, default 1) is how many splits, so `limit + 1` columns.
//! SPLIT_COLUMN_WITH_INTERVALS cuts at `startPosition` and then every `interval` characters;
//! how many columns that makes depends on the longest value, so, as with ONE_HOT_ENCODING,
//! the columns are known once the data is read (at most 100).

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, p, require_column,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "split and merge";

/// Splits one value into exactly `n` parts.
type Splitter = Arc<dyn Fn(&str) -> Vec<Option<String>> + Send + Sync>;

const LIMIT: ParamSpec = ParamSpec::def(
    "limit",
    ParamKind::Integer,
    "1",
    "How many splits (1-20): limit + 1 columns.",
);

params! {
    struct Single {
        source: String = p::SOURCE_COLUMN,
        pattern: String = ParamSpec::req("pattern", ParamKind::Text, "The delimiter (literal text)."),
        limit: i64 = LIMIT,
        include: bool = ParamSpec::def("includeInSplit", ParamKind::Bool, "false", "Keep the delimiter at the end of the part before it."),
    }
}

params! {
    struct Multiple {
        source: String = p::SOURCE_COLUMN,
        options: serde_json::Value = ParamSpec::req(
            "patternOptions",
            ParamKind::Json,
            "The delimiters: [{\"pattern\": \",\", \"includeInSplit\": true}, …].",
        ),
        limit: i64 = LIMIT,
        pattern: Option<String> = ParamSpec::opt("pattern", ParamKind::Text, "Written by the console; patternOptions holds the delimiters."),
        include: Option<bool> = ParamSpec::opt("includeInSplit", ParamKind::Bool, "Written by the console; see patternOptions."),
    }
}

params! {
    struct Between {
        source: String = p::SOURCE_COLUMN,
        first: serde_json::Value = ParamSpec::req("patternOption1", ParamKind::Json, "The first delimiter: {\"pattern\": \"(\", \"includeInSplit\": false}."),
        second: serde_json::Value = ParamSpec::req("patternOption2", ParamKind::Json, "The second delimiter, found after the first."),
    }
}

params! {
    struct Positions {
        source: String = p::SOURCE_COLUMN,
        start: i64 = ParamSpec::req("startPosition", ParamKind::Integer, "First character of the middle part, from 0."),
        end: i64 = ParamSpec::req("endPosition", ParamKind::Integer, "The character after the middle part."),
    }
}

params! {
    struct Intervals {
        source: String = p::SOURCE_COLUMN,
        start: i64 = ParamSpec::def("startPosition", ParamKind::Integer, "0", "The first cut (0: none before the first interval)."),
        interval: i64 = ParamSpec::req("interval", ParamKind::Integer, "Characters per part after startPosition."),
    }
}

params! {
    struct At {
        source: String = p::SOURCE_COLUMN,
        position: i64 = ParamSpec::req("position", ParamKind::Integer, "How many characters go into the first (FROM_START) or last (FROM_END) part."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "SPLIT_COLUMN_SINGLE_DELIMITER",
            "Split at a delimiter, up to limit times.",
            Single::SPECS,
            |p| {
                let s = Single::read(p);
                let limit = limit(s.limit)?;
                if s.pattern.is_empty() {
                    return Err(OpError::new("pattern is empty").param("pattern"));
                }
                let delimiters = vec![(s.pattern, s.include)];
                Ok((
                    s.source,
                    limit + 1,
                    Arc::new(move |v| by_delimiters(v, &delimiters, limit)),
                ))
            },
        ),
        spec(
            "SPLIT_COLUMN_MULTIPLE_DELIMITER",
            "Split at any of several delimiters, up to limit times.",
            Multiple::SPECS,
            |p| {
                let m = Multiple::read(p);
                let limit = limit(m.limit)?;
                let delimiters = delimiter_list(&m.options)?;
                Ok((
                    m.source,
                    limit + 1,
                    Arc::new(move |v| by_delimiters(v, &delimiters, limit)),
                ))
            },
        ),
        spec(
            "SPLIT_COLUMN_BETWEEN_DELIMITER",
            "Three parts: before the first delimiter, between, after the second.",
            Between::SPECS,
            |p| {
                let b = Between::read(p);
                let first = delimiter(&b.first, "patternOption1")?;
                let second = delimiter(&b.second, "patternOption2")?;
                Ok((b.source, 3, Arc::new(move |v| between(v, &first, &second))))
            },
        ),
        spec(
            "SPLIT_COLUMN_BETWEEN_POSITIONS",
            "Three parts: before startPosition, up to endPosition, the rest.",
            Positions::SPECS,
            |p| {
                let s = Positions::read(p);
                if s.start < 0 || s.end < s.start {
                    return Err(OpError::new(format!(
                        "need 0 ≤ startPosition ≤ endPosition, found {} and {}",
                        s.start, s.end
                    ))
                    .param("endPosition"));
                }
                let cuts = [s.start as usize, s.end as usize];
                Ok((s.source, 3, Arc::new(move |v| at_chars(v, &cuts))))
            },
        ),
        spec(
            "SPLIT_COLUMN_FROM_START",
            "Two parts: the first `position` characters, and the rest.",
            At::SPECS,
            |p| {
                let a = At::read(p);
                let n = position(a.position)?;
                Ok((a.source, 2, Arc::new(move |v| at_chars(v, &[n]))))
            },
        ),
        spec(
            "SPLIT_COLUMN_FROM_END",
            "Two parts: all but the last `position` characters, and those.",
            At::SPECS,
            |p| {
                let a = At::read(p);
                let n = position(a.position)?;
                Ok((
                    a.source,
                    2,
                    Arc::new(move |v| {
                        let len = v.chars().count();
                        at_chars(v, &[len.saturating_sub(n)])
                    }),
                ))
            },
        ),
    ]
}

/// Most parts SPLIT_COLUMN_WITH_INTERVALS makes.
const MAX_PARTS: usize = 100;

pub fn interval_spec() -> OpSpec {
    OpSpec {
        name: "SPLIT_COLUMN_WITH_INTERVALS",
        family: FAMILY,
        summary: "Cut at startPosition, then every `interval` characters.",
        params: Intervals::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Closure(Arc::new(|p| {
            let i = Intervals::read(p);
            let start = position(i.start).map_err(|e| e.param("startPosition"))?;
            if i.interval < 1 {
                return Err(OpError::new(format!(
                    "interval must be 1 or more, found {}",
                    i.interval
                ))
                .param("interval"));
            }
            Ok(Box::new(SplitIntervals {
                source: i.source,
                start,
                interval: i.interval as usize,
            }))
        })),
    }
}

pub struct SplitIntervals {
    source: String,
    start: usize,
    interval: usize,
}

impl SplitIntervals {
    /// The cut positions for values of at most `longest` characters.
    fn cuts(&self, longest: usize) -> Vec<usize> {
        let mut cuts = Vec::new();
        if self.start > 0 && self.start < longest {
            cuts.push(self.start);
        }
        let mut at = self.start + self.interval;
        while at < longest {
            cuts.push(at);
            at += self.interval;
        }
        cuts
    }
}

impl Operation for SplitIntervals {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        let placeholder = format!("{}_{}", self.source, super::mapping::DYNAMIC_SUFFIX);
        let mut out = Schema::with_capacity(input.len());
        for (name, dtype) in input.iter() {
            if name.as_str() == self.source {
                out.with_column(placeholder.as_str().into(), DataType::String);
            } else {
                out.with_column(name.clone(), dtype.clone());
            }
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let text = col(self.source.as_str()).cast(DataType::String);
        let longest = ctx.aggregate(
            &lf,
            Stats {
                exprs: vec![(
                    "longest",
                    text.str().len_chars().max().cast(DataType::UInt64),
                )],
                reads: vec![self.source.clone()],
            },
        )?;
        let longest = super::scalar_u64(&longest, "longest").unwrap_or(0) as usize;
        let cuts = self.cuts(longest);
        if cuts.len() + 1 > MAX_PARTS {
            return Err(OpError::data(format!(
                "'{}' would split into {} columns; at most {MAX_PARTS}",
                self.source,
                cuts.len() + 1
            ))
            .param("interval")
            .help("use a longer interval"));
        }
        let parts = cuts.len() + 1;
        ctx.record("columns", parts);
        let split: Splitter = Arc::new(move |v| at_chars(v, &cuts));
        let step = Split {
            source: self.source.clone(),
            parts,
            split,
        };
        step.schema(
            &ctx.schema,
            &SchemaCtx {
                datasets: ctx.datasets,
            },
        )?;
        step.apply(lf, ctx)
    }

    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        input.get(&self.source)?;
        let text = col(self.source.as_str()).cast(DataType::String);
        Some(Stats {
            exprs: vec![(
                "longest",
                text.str().len_chars().max().cast(DataType::UInt64),
            )],
            reads: vec![self.source.clone()],
        })
    }
}

type Make = fn(&Params) -> OpResult<(String, usize, Splitter)>;

fn spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    make: Make,
) -> OpSpec {
    OpSpec {
        name,
        family: FAMILY,
        summary,
        params,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(Arc::new(move |p| {
            let (source, parts, split) = make(p)?;
            Ok(Box::new(Split {
                source,
                parts,
                split,
            }))
        })),
    }
}

fn limit(n: i64) -> OpResult<usize> {
    if !(1..=20).contains(&n) {
        return Err(OpError::new(format!("limit must be from 1 to 20, found {n}")).param("limit"));
    }
    Ok(n as usize)
}

fn position(n: i64) -> OpResult<usize> {
    usize::try_from(n).map_err(|_| {
        OpError::new(format!("position must be 0 or more, found {n}")).param("position")
    })
}

/// `{"pattern": ",", "includeInSplit": true}` (includeInSplit may be text, as DataBrew writes).
fn delimiter(json: &serde_json::Value, param: &'static str) -> OpResult<(String, bool)> {
    let pattern = json
        .get("pattern")
        .and_then(|p| p.as_str())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            OpError::new(format!("{param} needs a non-empty \"pattern\""))
                .param(param)
                .help(r#"write {"pattern": ",", "includeInSplit": false}"#)
        })?;
    let include = match json.get("includeInSplit") {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    Ok((pattern.to_string(), include))
}

fn delimiter_list(json: &serde_json::Value) -> OpResult<Vec<(String, bool)>> {
    let items = json.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
        OpError::new("patternOptions must be a non-empty list of delimiters")
            .param("patternOptions")
    })?;
    items
        .iter()
        .map(|d| delimiter(d, "patternOptions"))
        .collect()
}

/// Split at the leftmost delimiter (the longest when several start at the same place), up to
/// `limit` times.
fn by_delimiters(value: &str, delimiters: &[(String, bool)], limit: usize) -> Vec<Option<String>> {
    let mut parts = Vec::with_capacity(limit + 1);
    let mut rest = value;
    while parts.len() < limit {
        let found = delimiters
            .iter()
            .filter_map(|(d, include)| rest.find(d.as_str()).map(|at| (at, d.len(), *include)))
            .min_by_key(|(at, len, _)| (*at, usize::MAX - len));
        let Some((at, len, include)) = found else {
            break;
        };
        let end = if include { at + len } else { at };
        parts.push(Some(rest[..end].to_string()));
        rest = &rest[at + len..];
    }
    parts.push(Some(rest.to_string()));
    parts.resize(limit + 1, None);
    parts
}

fn between(value: &str, first: &(String, bool), second: &(String, bool)) -> Vec<Option<String>> {
    let Some(a) = value.find(first.0.as_str()) else {
        return vec![Some(value.to_string()), None, None];
    };
    let after_first = a + first.0.len();
    let middle_start = if first.1 { a } else { after_first };
    let Some(b) = value[after_first..]
        .find(second.0.as_str())
        .map(|b| b + after_first)
    else {
        return vec![
            Some(value[..a].to_string()),
            Some(value[middle_start..].to_string()),
            None,
        ];
    };
    let after_second = b + second.0.len();
    let middle_end = if second.1 { after_second } else { b };
    vec![
        Some(value[..a].to_string()),
        Some(value[middle_start..middle_end].to_string()),
        Some(value[after_second..].to_string()),
    ]
}

/// Cut at character positions (clamped to the value's length).
fn at_chars(value: &str, cuts: &[usize]) -> Vec<Option<String>> {
    let bytes_at = |n: usize| {
        value
            .char_indices()
            .nth(n)
            .map(|(i, _)| i)
            .unwrap_or(value.len())
    };
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for &cut in cuts {
        let to = bytes_at(cut).max(from);
        parts.push(Some(value[from..to].to_string()));
        from = to;
    }
    parts.push(Some(value[from..].to_string()));
    parts
}

pub struct Split {
    source: String,
    parts: usize,
    split: Splitter,
}

impl Split {
    fn names(&self) -> Vec<String> {
        (1..=self.parts)
            .map(|i| format!("{}_{i}", self.source))
            .collect()
    }
}

impl Operation for Split {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        let names = self.names();
        if let Some(taken) = names.iter().find(|n| input.contains(n)) {
            return Err(OpError::new(format!("column '{taken}' already exists"))
                .param("sourceColumn")
                .help("RENAME or DELETE it first: the parts are named <sourceColumn>_1, _2, …"));
        }
        let mut out = Schema::with_capacity(input.len() + names.len());
        for (name, dtype) in input.iter() {
            if name.as_str() == self.source {
                for n in &names {
                    out.with_column(n.as_str().into(), DataType::String);
                }
            } else {
                out.with_column(name.clone(), dtype.clone());
            }
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let text = if dtype == DataType::String {
            col(self.source.as_str())
        } else {
            col(self.source.as_str()).cast(DataType::String)
        };
        // Each value is split once, into a struct of its parts; the parts become the columns.
        const PARTS: &str = "__datacook_parts";
        let names = self.names();
        let fields: Vec<Field> = names
            .iter()
            .map(|n| Field::new(n.as_str().into(), DataType::String))
            .collect();
        let split = self.split.clone();
        let part_names = names.clone();
        let parts = text.map(
            move |column| {
                let ca = column.str()?;
                let mut builders: Vec<Vec<Option<String>>> =
                    vec![Vec::with_capacity(ca.len()); part_names.len()];
                for v in ca.iter() {
                    let pieces = v.map(|v| split(v));
                    for (i, b) in builders.iter_mut().enumerate() {
                        b.push(pieces.as_ref().and_then(|p| p.get(i).cloned().flatten()));
                    }
                }
                let series: Vec<Series> = builders
                    .into_iter()
                    .zip(&part_names)
                    .map(|(b, n)| Series::new(n.as_str().into(), b))
                    .collect();
                Ok(
                    StructChunked::from_series(PARTS.into(), ca.len(), series.iter())?
                        .into_series()
                        .into_column(),
                )
            },
            move |_, _| Ok(Field::new(PARTS.into(), DataType::Struct(fields.clone()))),
        );
        let mut exprs = Vec::with_capacity(ctx.schema.len() + self.parts);
        for name in ctx.schema.iter_names() {
            if name.as_str() != self.source {
                exprs.push(col(name.as_str()));
                continue;
            }
            for part in &names {
                exprs.push(
                    col(PARTS)
                        .struct_()
                        .field_by_name(part)
                        .alias(part.as_str()),
                );
            }
        }
        Ok(lf.with_column(parts.alias(PARTS)).select(exprs))
    }

    fn writes(&self) -> Option<Vec<String>> {
        let mut w = self.names();
        w.push(self.source.clone());
        Some(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|x| x.map(String::from)).collect()
    }

    #[test]
    fn delimiters_positions_and_between() {
        let comma = vec![(",".to_string(), false)];
        assert_eq!(
            by_delimiters("a,b,c", &comma, 1),
            s(&[Some("a"), Some("b,c")])
        );
        assert_eq!(by_delimiters("a", &comma, 2), s(&[Some("a"), None, None]));
        let kept = vec![(",".to_string(), true), ("; ".to_string(), false)];
        assert_eq!(
            by_delimiters("a; b,c", &kept, 2),
            s(&[Some("a"), Some("b,"), Some("c")])
        );
        assert_eq!(at_chars("héllo", &[2]), s(&[Some("hé"), Some("llo")]));
        assert_eq!(
            at_chars("ab", &[1, 5]),
            s(&[Some("a"), Some("b"), Some("")])
        );
        let open = ("(".to_string(), false);
        let close = (")".to_string(), true);
        assert_eq!(
            between("f(x) + 1", &open, &close),
            s(&[Some("f"), Some("x)"), Some(" + 1")])
        );
        assert_eq!(
            between("none", &open, &close),
            s(&[Some("none"), None, None])
        );
    }
}
