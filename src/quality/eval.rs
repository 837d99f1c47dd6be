//! Evaluating rulesets against data: every rule, metric and flag becomes a Polars expression,
//! and all of them are computed in one pass over the data.
//!
//! Semantics (reference §5 and datacook decisions):
//! * Row-level checks count the rows that satisfy the check; a row where the check cannot be
//!   evaluated (a null) does not satisfy it. The count (or percentage of all rows) is compared
//!   with the rule's threshold; without one, every row must pass.
//! * Aggregate checks compare statistics (`AGG(...)`) with values; they pass or fail as a
//!   whole. A threshold on an aggregate rule is ignored with a warning.
//! * With ColumnSelectors the rule runs once per selected column and fails if any column fails.
//! * Literals compare as numbers against numeric columns and as text otherwise; `matches`
//!   searches the regular expression anywhere in the value (like FLAG_COLUMN_FROM_PATTERN).
//! * A metric's fraction is numerator rows / denominator rows (all rows by default); its
//!   threshold compares the percentage (or the numerator count).

use polars::prelude::*;
use serde::Serialize;

use super::expr::{self, CmpOp, Cond, Expr as Check, TextOp, Value};
use super::ruleset::{Flag, Rule, Ruleset, Selector, Threshold};
use crate::error::{Diagnostic, Error, Result, did_you_mean};
use crate::recipe::condition::typed_literal;
use crate::stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Succeeded,
    Failed,
    Disabled,
}

impl Status {
    pub fn from_pass(ok: bool) -> Self {
        if ok {
            Status::Succeeded
        } else {
            Status::Failed
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Status::Succeeded => "PASS",
            Status::Failed => "FAIL",
            Status::Disabled => "SKIP",
        }
    }
}

/// One rule applied to one column (or to the dataset when it has no selectors).
#[derive(Debug, Clone, Serialize)]
pub struct ColumnResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub status: Status,
    /// Row-level: rows satisfying the check, rows failing it, all rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
    /// Aggregate: each statistic the check computed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, Option<f64>)>,
    /// A few failing rows (row-level), as `column=value` lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failing_rows: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub name: String,
    pub check: String,
    pub aggregate: bool,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    pub columns: Vec<ColumnResult>,
    #[serde(skip)]
    pub definition: serde_json::Value,
}

impl RuleResult {
    /// Rows failing the check, summed over columns (row-level rules).
    pub fn failed_count(&self) -> Option<u64> {
        if self.aggregate || self.status == Status::Disabled {
            return None;
        }
        Some(self.columns.iter().filter_map(|c| c.failed).sum())
    }

    /// "measured vs threshold", for people.
    pub fn measured(&self) -> String {
        self.columns
            .iter()
            .map(|c| {
                let prefix = c
                    .column
                    .as_ref()
                    .map(|n| format!("{n}: "))
                    .unwrap_or_default();
                if self.aggregate {
                    let vals: Vec<String> = c
                        .values
                        .iter()
                        .map(|(k, v)| format!("{k} = {}", v.map_or("null".into(), fmt_num)))
                        .collect();
                    format!("{prefix}{}", vals.join(", "))
                } else {
                    format!(
                        "{prefix}{} of {} rows pass ({}%)",
                        c.passed.unwrap_or(0),
                        c.passed.unwrap_or(0) + c.failed.unwrap_or(0),
                        c.percentage.map_or("-".into(), fmt_pct)
                    )
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricResult {
    pub name: String,
    pub numerator: u64,
    pub denominator: u64,
    pub fraction: Option<f64>,
    pub percentage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    pub status: Status,
    /// For flags: the Valid/Invalid column it adds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag_column: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub rows: u64,
    pub rules: Vec<RuleResult>,
    pub metrics: Vec<MetricResult>,
    pub flags: Vec<MetricResult>,
}

impl Evaluation {
    pub fn passed(&self) -> bool {
        self.rules.iter().all(|r| r.status != Status::Failed)
            && self.metrics.iter().all(|m| m.status != Status::Failed)
            && self.flags.iter().all(|m| m.status != Status::Failed)
    }
}

pub fn fmt_num(v: f64) -> String {
    crate::display::number(v, 6)
}

pub fn fmt_pct(v: f64) -> String {
    crate::display::number(v, 2)
}

/// A typed operand while compiling a check.
#[derive(Clone)]
enum Operand {
    Column {
        expr: Expr,
        dtype: DataType,
        name: String,
    },
    Literal(String),
    List(Vec<String>),
    Scalar(Expr, String),
}

struct Compiler<'a> {
    schema: &'a Schema,
    rule: &'a str,
    column: Option<&'a str>,
    /// Prefix making the names of this rule's statistics unique in the shared query.
    prefix: String,
    /// Statistics computed by AGG(...): (label for the report, column name, expression).
    aggs: Vec<(String, String, Expr)>,
}

/// Results inside the compiler; the diagnostic is boxed to keep them small.
type CResult<T> = std::result::Result<T, Box<Diagnostic>>;

fn err(rule: &str, pos: usize, message: String, help: Option<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(format!("rule '{rule}': position {pos}: {message}")).with_help(help))
}

impl Compiler<'_> {
    fn operand(&mut self, v: &Value, pos: usize) -> CResult<Operand> {
        match v {
            Value::Implicit => match self.column {
                Some(c) => self.column_operand(c, pos),
                None => Err(err(
                    self.rule,
                    pos,
                    "this condition names no column".into(),
                    Some(
                        "add ColumnSelectors to the rule, or name the column (:col > :val)".into(),
                    ),
                )),
            },
            Value::Column(c) => self.column_operand(c, pos),
            Value::Text(t) => Ok(Operand::Literal(t.clone())),
            Value::List(l) => Ok(Operand::List(l.clone())),
            Value::Length(inner) => match self.operand(inner, pos)? {
                Operand::Column { expr, name, .. } => Ok(Operand::Column {
                    expr: expr
                        .cast(DataType::String)
                        .str()
                        .len_chars()
                        .cast(DataType::Int64),
                    dtype: DataType::Int64,
                    name: format!("length({name})"),
                }),
                _ => Err(err(
                    self.rule,
                    pos,
                    "length(...) takes a column".into(),
                    None,
                )),
            },
            Value::Agg(a) => {
                let param = match &a.param {
                    Some(p) => match self.operand(p, a.pos)? {
                        Operand::Literal(t) => Some(t.trim().parse::<f64>().map_err(|_| {
                            err(self.rule, a.pos, format!("'{t}' is not a number"), None)
                        })?),
                        _ => {
                            return Err(err(
                                self.rule,
                                a.pos,
                                "the statistic's parameter must be a number".into(),
                                None,
                            ));
                        }
                    },
                    None => None,
                };
                let (stat_expr, label) = if stats::DATASET_STATS.contains(&a.stat.as_str()) {
                    let e = stats::dataset_stat(&a.stat, self.schema).unwrap_or(lit(NULL));
                    (e, a.stat.clone())
                } else if stats::COLUMN_STATS.contains(&a.stat.as_str()) {
                    let column = match &a.column {
                        Some(c) => match self.operand(c, a.pos)? {
                            Operand::Column { name, .. } => name,
                            _ => {
                                return Err(err(
                                    self.rule,
                                    a.pos,
                                    "AGG's first argument must be a column".into(),
                                    None,
                                ));
                            }
                        },
                        None => match self.column {
                            Some(c) => c.to_string(),
                            None => {
                                return Err(err(
                                    self.rule,
                                    a.pos,
                                    format!("{} needs a column", a.stat),
                                    Some("write AGG(:col, STAT) or add ColumnSelectors".into()),
                                ));
                            }
                        },
                    };
                    let dtype = self.column_type(&column, a.pos)?;
                    let e =
                        stats::column_stat(&column, &dtype, &a.stat, param).unwrap_or(lit(NULL));
                    (e, format!("{}({column})", a.stat))
                } else {
                    let all: Vec<&str> = stats::COLUMN_STATS
                        .iter()
                        .chain(stats::DATASET_STATS)
                        .copied()
                        .collect();
                    return Err(err(
                        self.rule,
                        a.pos,
                        format!("unknown statistic '{}'", a.stat),
                        did_you_mean(&a.stat, all.iter().copied()),
                    ));
                };
                let alias = format!("{}{}", self.prefix, self.aggs.len());
                self.aggs.push((
                    label.clone(),
                    alias.clone(),
                    stat_expr.alias(alias.as_str()),
                ));
                Ok(Operand::Scalar(col(alias.as_str()), label))
            }
        }
    }

    fn column_type(&self, name: &str, pos: usize) -> CResult<DataType> {
        self.schema.get(name).cloned().ok_or_else(|| {
            err(
                self.rule,
                pos,
                format!("column '{name}' not found"),
                crate::ops::column_help(self.schema, name),
            )
        })
    }

    fn column_operand(&self, name: &str, pos: usize) -> CResult<Operand> {
        let dtype = self.column_type(name, pos)?;
        Ok(Operand::Column {
            expr: col(name),
            dtype,
            name: name.to_string(),
        })
    }

    /// A column and a literal: the literal takes the column's type, as in recipe conditions
    /// (exact integers, booleans).
    fn column_and_literal(
        &self,
        column: Expr,
        dtype: &DataType,
        name: &str,
        literal: &str,
        pos: usize,
    ) -> CResult<(Expr, Expr)> {
        let numeric = dtype.is_primitive_numeric();
        if numeric && literal.trim().parse::<f64>().is_err() {
            return Err(err(
                self.rule,
                pos,
                format!("'{literal}' is not a number, but '{name}' is numeric"),
                None,
            ));
        }
        let column = if numeric || *dtype == DataType::Boolean {
            column
        } else {
            column.cast(DataType::String)
        };
        Ok((column, typed_literal(dtype, literal)))
    }

    /// The two sides as comparable expressions: numbers when either side is numeric.
    fn pair(&self, a: Operand, b: Operand, pos: usize) -> CResult<(Expr, Expr)> {
        match (&a, &b) {
            (Operand::Column { expr, dtype, name }, Operand::Literal(t)) => {
                return self.column_and_literal(expr.clone(), dtype, name, t, pos);
            }
            (Operand::Literal(t), Operand::Column { expr, dtype, name }) => {
                let (c, l) = self.column_and_literal(expr.clone(), dtype, name, t, pos)?;
                return Ok((l, c));
            }
            _ => {}
        }
        let numeric = |o: &Operand| match o {
            Operand::Column { dtype, .. } => dtype.is_primitive_numeric(),
            Operand::Scalar(..) => true,
            _ => false,
        };
        let as_number = |o: Operand, other_name: &str| -> CResult<Expr> {
            match o {
                Operand::Literal(t) => t.trim().parse::<f64>().map(lit).map_err(|_| {
                    err(
                        self.rule,
                        pos,
                        format!("'{t}' is not a number, but {other_name} is numeric"),
                        None,
                    )
                }),
                Operand::Column { expr, .. } => Ok(expr.cast(DataType::Float64)),
                Operand::Scalar(e, _) => Ok(e),
                Operand::List(_) => Err(err(
                    self.rule,
                    pos,
                    "a list cannot be compared".into(),
                    None,
                )),
            }
        };
        let as_text = |o: Operand| -> CResult<Expr> {
            match o {
                Operand::Literal(t) => Ok(lit(t)),
                Operand::Column { expr, .. } => Ok(expr.cast(DataType::String)),
                Operand::Scalar(e, _) => Ok(e.cast(DataType::String)),
                Operand::List(_) => Err(err(
                    self.rule,
                    pos,
                    "a list cannot be compared".into(),
                    None,
                )),
            }
        };
        let name_of = |o: &Operand| match o {
            Operand::Column { name, .. } => format!("'{name}'"),
            Operand::Scalar(_, label) => label.clone(),
            _ => "the other side".into(),
        };
        let both_literal_numbers = matches!((&a, &b), (Operand::Literal(x), Operand::Literal(y))
            if x.trim().parse::<f64>().is_ok() && y.trim().parse::<f64>().is_ok());
        if numeric(&a) || numeric(&b) || both_literal_numbers {
            let (na, nb) = (name_of(&b), name_of(&a));
            Ok((as_number(a, &na)?, as_number(b, &nb)?))
        } else {
            Ok((as_text(a)?, as_text(b)?))
        }
    }

    fn cond(&mut self, c: &Cond, pos: usize) -> CResult<Expr> {
        Ok(match c {
            Cond::Compare(a, op, b) => {
                let (a, b) = (self.operand(a, pos)?, self.operand(b, pos)?);
                let (x, y) = self.pair(a, b, pos)?;
                match op {
                    CmpOp::Eq => x.eq(y),
                    CmpOp::Ne => x.neq(y),
                    CmpOp::Lt => x.lt(y),
                    CmpOp::Le => x.lt_eq(y),
                    CmpOp::Gt => x.gt(y),
                    CmpOp::Ge => x.gt_eq(y),
                }
            }
            Cond::In {
                value,
                list,
                negated,
            } => {
                let v = self.operand(value, pos)?;
                let items = match self.operand(list, pos)? {
                    Operand::List(l) => l,
                    Operand::Literal(t) => vec![t],
                    _ => {
                        return Err(err(
                            self.rule,
                            pos,
                            "`in` takes a list such as [\"S\",\"M\"]".into(),
                            None,
                        ));
                    }
                };
                let mut any = lit(false);
                for item in items {
                    let (x, y) = self.pair(v.clone(), Operand::Literal(item), pos)?;
                    any = any.or(x.eq(y));
                }
                if *negated { any.not() } else { any }
            }
            Cond::Text {
                value,
                op,
                pattern,
                negated,
            } => {
                let v = match self.operand(value, pos)? {
                    Operand::Column { expr, .. } => expr.cast(DataType::String),
                    Operand::Literal(t) => lit(t),
                    _ => return Err(err(self.rule, pos, "text tests take a column".into(), None)),
                };
                let p = match self.operand(pattern, pos)? {
                    Operand::Literal(t) => t,
                    _ => {
                        return Err(err(
                            self.rule,
                            pos,
                            "the pattern must be a value".into(),
                            None,
                        ));
                    }
                };
                let test = match op {
                    TextOp::StartsWith => v.str().starts_with(lit(p)),
                    TextOp::EndsWith => v.str().ends_with(lit(p)),
                    TextOp::Contains => v.str().contains_literal(lit(p)),
                    TextOp::Matches => {
                        regex::Regex::new(&p).map_err(|e| {
                            err(
                                self.rule,
                                pos,
                                format!("invalid regular expression: {e}"),
                                None,
                            )
                        })?;
                        v.str().contains(lit(p), true)
                    }
                };
                if *negated { test.not() } else { test }
            }
            Cond::Between {
                value,
                low,
                high,
                negated,
            } => {
                let v = self.operand(value, pos)?;
                let low = self.operand(low, pos)?;
                let high = self.operand(high, pos)?;
                let (x, lo) = self.pair(v.clone(), low, pos)?;
                let (_, hi) = self.pair(v, high, pos)?;
                let test = x.clone().gt_eq(lo).and(x.lt_eq(hi));
                if *negated { test.not() } else { test }
            }
            Cond::Missing { value, negated } => {
                let test = match self.operand(value, pos)? {
                    Operand::Column { name, dtype, .. } => stats::missing(&name, &dtype),
                    _ => {
                        return Err(err(
                            self.rule,
                            pos,
                            "is_missing takes a column".into(),
                            None,
                        ));
                    }
                };
                if *negated { test.not() } else { test }
            }
        })
    }

    fn check(&mut self, e: &Check) -> CResult<Expr> {
        Ok(match e {
            Check::And(a, b) => self.check(a)?.and(self.check(b)?),
            Check::Or(a, b) => self.check(a)?.or(self.check(b)?),
            Check::Not(a) => self.check(a)?.not(),
            // Nulls stay null through and/or/not (Kleene logic); only the whole check turns
            // them into "does not hold", so `not (x > 1)` does not pass a null x.
            Check::Cond(c, pos) => self.cond(c, *pos)?,
        })
    }
}

/// A row predicate from an expression with inline columns (metrics, flags).
pub fn row_predicate(text: &str, owner: &str, schema: &Schema) -> CResult<Expr> {
    let parsed = expr::parse(text, &|_| None).map_err(|e| err(owner, e.pos, e.message, None))?;
    if parsed.has_agg() {
        return Err(err(
            owner,
            1,
            "a row predicate cannot use AGG(...)".into(),
            None,
        ));
    }
    let mut c = Compiler {
        schema,
        rule: owner,
        column: None,
        prefix: String::new(),
        aggs: Vec::new(),
    };
    Ok(c.check(&parsed)?.fill_null(lit(false)))
}

/// Columns a rule applies to: its selectors, or none (the expression names them).
fn rule_columns(rule: &Rule, schema: &Schema) -> CResult<Vec<Option<String>>> {
    if rule.selectors.is_empty() {
        return Ok(vec![None]);
    }
    let mut out = Vec::new();
    for s in &rule.selectors {
        match s {
            Selector::Name(n) => {
                if !schema.contains(n) {
                    return Err(Box::new(
                        Diagnostic::error(format!(
                            "rule '{}': selected column '{n}' not found",
                            rule.name
                        ))
                        .with_help(crate::ops::column_help(schema, n)),
                    ));
                }
                out.push(Some(n.clone()));
            }
            Selector::Regex(re) => {
                let matched: Vec<Option<String>> = schema
                    .iter_names()
                    .filter(|n| re.is_match(n))
                    .map(|n| Some(n.to_string()))
                    .collect();
                if matched.is_empty() {
                    return Err(Box::new(Diagnostic::error(format!(
                        "rule '{}': no column matches /{}/",
                        rule.name,
                        re.as_str()
                    ))));
                }
                out.extend(matched);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(c.clone()));
    Ok(out)
}

/// One column's compiled check: its pass expression and the aggregates it reads.
type Part = (Option<String>, Expr, Vec<(String, String, Expr)>);

/// A compiled rule: one part per column.
struct Compiled {
    aggregate: bool,
    parts: Vec<Part>,
}

fn compile_rule(
    rule: &Rule,
    index: usize,
    schema: &Schema,
    warnings: &mut Vec<Diagnostic>,
) -> CResult<Compiled> {
    let at = |d: Box<Diagnostic>| Box::new(d.at(Some(rule.location.clone())));
    let parsed = expr::parse(&rule.check, &|v| rule.substitution(v))
        .map_err(|e| at(err(&rule.name, e.pos, e.message, None)))?;
    let aggregate = parsed.has_agg();
    if aggregate && !parsed.all_agg() {
        return Err(at(err(
            &rule.name,
            1,
            "aggregate (AGG) and row-level conditions cannot be mixed in one rule".into(),
            Some("split it into two rules".into()),
        )));
    }
    if !rule.selectors.is_empty() && !parsed.has_implicit() {
        warnings.push(
            Diagnostic::warning(format!(
                "rule '{}' has ColumnSelectors but its check names its columns; the selectors are ignored",
                rule.name
            ))
            .at(Some(rule.location.clone())),
        );
    }
    if aggregate && rule.threshold.is_some() {
        warnings.push(
            Diagnostic::warning(format!(
                "rule '{}': a threshold applies to row-level checks only; it is ignored",
                rule.name
            ))
            .at(Some(rule.location.clone())),
        );
    }
    let columns = if parsed.has_implicit() {
        rule_columns(rule, schema).map_err(at)?
    } else {
        vec![None]
    };
    let mut parts = Vec::new();
    for (j, column) in columns.into_iter().enumerate() {
        let mut c = Compiler {
            schema,
            rule: &rule.name,
            column: column.as_deref(),
            prefix: format!("__a{index}_{j}_"),
            aggs: Vec::new(),
        };
        let pass = c.check(&parsed).map_err(at)?.fill_null(lit(false));
        let aggs = c.aggs;
        parts.push((column, pass, aggs));
    }
    Ok(Compiled { aggregate, parts })
}

/// Check every rule, metric and flag against the schema; all problems at once. Rules and
/// metrics also see the flag columns.
pub fn validate(ruleset: &Ruleset, input: &Schema) -> Result<Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut with_flags = input.clone();
    for f in &ruleset.flags {
        with_flags.with_column(f.name.as_str().into(), DataType::String);
    }
    let schema = &with_flags;
    for (i, rule) in ruleset
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.disabled)
    {
        if let Err(d) = compile_rule(rule, i, schema, &mut warnings) {
            errors.push(*d);
        }
    }
    for m in &ruleset.metrics {
        for text in std::iter::once(&m.numerator).chain(m.denominator.iter()) {
            if let Err(d) = row_predicate(text, &m.name, schema) {
                errors.push(d.at(Some(m.location.clone())));
            }
        }
    }
    for f in &ruleset.flags {
        if let Err(d) = row_predicate(&f.invalid_when, &f.name, input) {
            errors.push(d.at(Some(f.location.clone())));
        }
    }
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The per-row flag columns (`DQ_Flag`: Valid/Invalid) of a ruleset.
pub fn flag_columns(ruleset: &Ruleset, schema: &Schema) -> Result<Vec<Expr>> {
    ruleset
        .flags
        .iter()
        .map(|f| {
            let invalid = row_predicate(&f.invalid_when, &f.name, schema)
                .map_err(|d| Error::Invalid(vec![d.at(Some(f.location.clone()))]))?;
            Ok(when(invalid)
                .then(lit(f.invalid.clone()))
                .otherwise(lit(f.valid.clone()))
                .alias(f.name.as_str()))
        })
        .collect()
}

/// Where a flag column (added by [`flag_columns`]) says Invalid.
fn flag_is_invalid(f: &Flag) -> Expr {
    col(f.name.as_str()).eq(lit(f.invalid.clone()))
}

/// A row is bad when any flag is invalid; without flags, when it fails any enabled
/// row-level rule. `schema` is that of the frame with the flag columns added.
pub fn bad_row_predicate(ruleset: &Ruleset, schema: &Schema) -> Result<Expr> {
    let mut bad = lit(false);
    if !ruleset.flags.is_empty() {
        for f in &ruleset.flags {
            bad = bad.or(flag_is_invalid(f));
        }
        return Ok(bad);
    }
    let mut warnings = Vec::new();
    for (i, rule) in ruleset
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.disabled)
    {
        let compiled =
            compile_rule(rule, i, schema, &mut warnings).map_err(|d| Error::Invalid(vec![*d]))?;
        if compiled.aggregate {
            continue;
        }
        for (_, pass, _) in compiled.parts {
            bad = bad.or(pass.not());
        }
    }
    Ok(bad)
}

/// Evaluate the whole ruleset over `lf` in one pass (plus one small query per failing
/// row-level rule, for sample rows).
pub fn evaluate(ruleset: &Ruleset, lf: &LazyFrame, schema: &Schema) -> Result<Evaluation> {
    let mut warnings = Vec::new();
    let mut exprs = vec![len().cast(DataType::UInt64).alias("__rows")];
    let mut compiled = Vec::new();
    for (i, rule) in ruleset.rules.iter().enumerate() {
        if rule.disabled {
            compiled.push(None);
            continue;
        }
        let c =
            compile_rule(rule, i, schema, &mut warnings).map_err(|d| Error::Invalid(vec![*d]))?;
        for (j, (_, pass, aggs)) in c.parts.iter().enumerate() {
            if c.aggregate {
                // The aggregates become columns of the one-row result; the check reads them.
                for (_, _, a) in aggs {
                    exprs.push(a.clone());
                }
            } else {
                exprs.push(
                    pass.clone()
                        .cast(DataType::UInt64)
                        .sum()
                        .alias(format!("__r{i}_{j}")),
                );
            }
        }
        compiled.push(Some(c));
    }
    for (i, m) in ruleset.metrics.iter().enumerate() {
        let num =
            row_predicate(&m.numerator, &m.name, schema).map_err(|d| Error::Invalid(vec![*d]))?;
        let (num, den) = match &m.denominator {
            Some(d) => {
                let den =
                    row_predicate(d, &m.name, schema).map_err(|d| Error::Invalid(vec![*d]))?;
                (num.and(den.clone()), den.cast(DataType::UInt64).sum())
            }
            None => (num, len().cast(DataType::UInt64)),
        };
        exprs.push(
            num.cast(DataType::UInt64)
                .sum()
                .alias(format!("__m{i}_num")),
        );
        exprs.push(den.alias(format!("__m{i}_den")));
    }
    for (i, f) in ruleset.flags.iter().enumerate() {
        exprs.push(
            flag_is_invalid(f)
                .cast(DataType::UInt64)
                .sum()
                .alias(format!("__f{i}")),
        );
    }
    // In memory: statistics over filtered values (UNIQUE_VALUES_COUNT, ENTROPY) are not
    // reliable on the streaming engine of this Polars version.
    let df = lf.clone().select(exprs).collect()?;
    let u = |name: &str| crate::ops::scalar_u64(&df, name).unwrap_or(0);
    let rows = u("__rows");

    let mut rules = Vec::new();
    for (i, (rule, c)) in ruleset.rules.iter().zip(compiled).enumerate() {
        let Some(c) = c else {
            rules.push(RuleResult {
                name: rule.name.clone(),
                check: rule.check.clone(),
                aggregate: false,
                status: Status::Disabled,
                threshold: rule.threshold,
                columns: Vec::new(),
                definition: rule.definition.clone(),
            });
            continue;
        };
        let mut columns = Vec::new();
        for (j, (column, pass, aggs)) in c.parts.into_iter().enumerate() {
            if c.aggregate {
                let mut one_row: Vec<Column> = Vec::new();
                for (_, n, _) in &aggs {
                    one_row.push(df.column(n)?.clone());
                }
                let frame = DataFrame::new_infer_height(one_row)?;
                let ok = frame
                    .lazy()
                    .select([pass.alias("ok")])
                    .collect()?
                    .column("ok")?
                    .get(0)?
                    .extract_bool()
                    .unwrap_or(false);
                columns.push(ColumnResult {
                    column,
                    status: Status::from_pass(ok),
                    passed: None,
                    failed: None,
                    percentage: None,
                    values: aggs
                        .iter()
                        .map(|(label, n, _)| (label.clone(), crate::ops::scalar_f64(&df, n)))
                        .collect(),
                    failing_rows: Vec::new(),
                });
            } else {
                let passed = u(&format!("__r{i}_{j}"));
                let failed = rows - passed;
                let pct = (rows > 0).then(|| passed as f64 * 100.0 / rows as f64);
                let threshold = rule.threshold.unwrap_or(Threshold::ALL_ROWS);
                // No rows: every row passes.
                let ok = threshold.passes(passed, pct.or(Some(100.0)));
                let failing_rows = if ok || failed == 0 {
                    Vec::new()
                } else {
                    sample_rows(lf, pass.not(), 5)?
                };
                columns.push(ColumnResult {
                    column,
                    status: Status::from_pass(ok),
                    passed: Some(passed),
                    failed: Some(failed),
                    percentage: pct,
                    values: Vec::new(),
                    failing_rows,
                });
            }
        }
        let status = Status::from_pass(columns.iter().all(|c| c.status == Status::Succeeded));
        rules.push(RuleResult {
            name: rule.name.clone(),
            check: rule.check.clone(),
            aggregate: c.aggregate,
            status,
            threshold: if c.aggregate {
                None
            } else {
                Some(rule.threshold.unwrap_or(Threshold::ALL_ROWS))
            },
            columns,
            definition: rule.definition.clone(),
        });
    }
    let metrics = ruleset
        .metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            fraction_result(
                m.name.clone(),
                u(&format!("__m{i}_num")),
                u(&format!("__m{i}_den")),
                m.threshold,
                None,
            )
        })
        .collect();
    let flags = ruleset
        .flags
        .iter()
        .enumerate()
        .map(|(i, f)| {
            fraction_result(
                f.name.clone(),
                u(&format!("__f{i}")),
                rows,
                f.threshold,
                Some(f),
            )
        })
        .collect();
    Ok(Evaluation {
        rows,
        rules,
        metrics,
        flags,
    })
}

fn fraction_result(
    name: String,
    numerator: u64,
    denominator: u64,
    threshold: Option<Threshold>,
    flag: Option<&Flag>,
) -> MetricResult {
    let fraction = (denominator > 0).then(|| numerator as f64 / denominator as f64);
    let percentage = fraction.map(|f| f * 100.0);
    let status = match threshold {
        None => Status::Succeeded,
        // An undefined fraction (no denominator rows) never passes a threshold.
        Some(t) => Status::from_pass(t.passes(numerator, percentage)),
    };
    MetricResult {
        name,
        numerator,
        denominator,
        fraction,
        percentage,
        threshold,
        status,
        flag_column: flag.map(|f| f.name.clone()),
    }
}

/// The first `n` rows where `pred` holds, as `col=value, …` lines.
fn sample_rows(lf: &LazyFrame, pred: Expr, n: u32) -> Result<Vec<String>> {
    let df = lf.clone().filter(pred).limit(n as IdxSize).collect()?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut out = Vec::new();
    for i in 0..df.height() {
        let mut cells = Vec::new();
        for (c, name) in df.columns().iter().zip(&names) {
            let v = c.get(i)?;
            let text = match v {
                AnyValue::Null => String::new(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                other => other.to_string(),
            };
            cells.push(format!("{name}={text}"));
        }
        out.push(cells.join(", "));
    }
    Ok(out)
}
