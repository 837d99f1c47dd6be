//! Rulesets: DataBrew's (JSON or YAML, reference §5.1) and datacook's own YAML form, which
//! adds scorecard metrics and composite flags.
//!
//! ```yaml
//! name: patients-scorecard
//! rules:                                  # DataBrew rules (PascalCase keys work too)
//!   - name: Birth year present
//!     checkExpression: ":col == :val"
//!     substitutionMap: {":col": "`BIRTHDATE_flagged`", ":val": "Yes"}
//!     threshold: {value: 90, type: GREATER_THAN_OR_EQUAL, unit: PERCENTAGE}
//! metrics:                                # datacook: fractions of rows
//!   - name: "% Drivers Missing"
//!     numerator: "`DRIVERS_flagged` == 'Yes'"
//!     denominator: "`DRIVERS_flagged` is_not_missing"   # default: every row
//!     threshold: {value: 40, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
//! flags:                                  # datacook: a Valid/Invalid column per row
//!   - name: DQ_Flag
//!     invalidWhen: "`DRIVERS_flagged` == 'Yes' or `Patient_flagged` == 'Yes'"
//!     threshold: {value: 50, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
//! ```

use std::path::Path;

use serde::Serialize;

use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::recipe::node::{Node, NodeKind};
use crate::recipe::params::normalise_key;
pub use crate::selector::Selector;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThresholdType {
    GreaterThanOrEqual,
    LessThanOrEqual,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Unit {
    Count,
    Percentage,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Threshold {
    #[serde(rename = "Value")]
    pub value: f64,
    #[serde(rename = "Type")]
    pub kind: ThresholdType,
    #[serde(rename = "Unit")]
    pub unit: Unit,
}

impl Threshold {
    /// Without a threshold every row must pass (reference §5.2, INF).
    pub const ALL_ROWS: Threshold = Threshold {
        value: 100.0,
        kind: ThresholdType::GreaterThanOrEqual,
        unit: Unit::Percentage,
    };

    /// Whether a count of rows, or their percentage, meets the threshold (an undefined
    /// percentage never does).
    pub fn passes(&self, count: u64, percentage: Option<f64>) -> bool {
        match self.unit {
            Unit::Count => self.holds(count as f64),
            Unit::Percentage => percentage.is_some_and(|p| self.holds(p)),
        }
    }

    pub fn holds(&self, measured: f64) -> bool {
        match self.kind {
            ThresholdType::GreaterThanOrEqual => measured >= self.value,
            ThresholdType::LessThanOrEqual => measured <= self.value,
            ThresholdType::GreaterThan => measured > self.value,
            ThresholdType::LessThan => measured < self.value,
        }
    }

    pub fn symbol(&self) -> &'static str {
        match self.kind {
            ThresholdType::GreaterThanOrEqual => ">=",
            ThresholdType::LessThanOrEqual => "<=",
            ThresholdType::GreaterThan => ">",
            ThresholdType::LessThan => "<",
        }
    }

    pub fn describe(&self) -> String {
        match self.unit {
            Unit::Percentage => format!(
                "{} {}%",
                self.symbol(),
                crate::recipe::node::format_float(self.value)
            ),
            Unit::Count => format!(
                "{} {}",
                self.symbol(),
                crate::recipe::node::format_float(self.value)
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub check: String,
    pub substitutions: Vec<(String, String)>,
    pub threshold: Option<Threshold>,
    pub selectors: Vec<Selector>,
    pub disabled: bool,
    pub location: Location,
    /// The rule as written, for the validation report's `definition`.
    pub definition: serde_json::Value,
}

impl Rule {
    pub fn substitution(&self, var: &str) -> Option<String> {
        self.substitutions
            .iter()
            .find(|(k, _)| k == var)
            .map(|(_, v)| v.clone())
    }
}

/// A fraction of rows: `numerator` rows over `denominator` rows (all rows by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub numerator: String,
    pub denominator: Option<String>,
    pub threshold: Option<Threshold>,
    pub location: Location,
}

/// A per-row Valid/Invalid column: invalid where `invalid_when` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub name: String,
    pub invalid_when: String,
    pub valid: String,
    pub invalid: String,
    pub threshold: Option<Threshold>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ruleset {
    pub file: String,
    pub name: String,
    pub description: Option<String>,
    pub rules: Vec<Rule>,
    pub metrics: Vec<Metric>,
    pub flags: Vec<Flag>,
    pub warnings: Vec<Diagnostic>,
}

pub fn load_file(path: &Path) -> Result<Ruleset> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(format!("cannot read ruleset '{}': {e}", path.display())))?;
    load_str(&text, &path.display().to_string())
}

pub fn load_str(text: &str, file: &str) -> Result<Ruleset> {
    let loc = |n: &Node| Location {
        file: file.to_string(),
        line: n.pos.line,
        column: n.pos.col,
    };
    let root = crate::recipe::load::parse_document(text, file)?;
    let Some(entries) = root.as_map() else {
        return Err(Error::Invalid(vec![
            Diagnostic::error("a ruleset is a map with `Rules` (or `rules`, `metrics`, `flags`)")
                .at(Some(loc(&root))),
        ]));
    };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut set = Ruleset {
        file: file.to_string(),
        name: stem,
        description: None,
        rules: Vec::new(),
        metrics: Vec::new(),
        flags: Vec::new(),
        warnings: Vec::new(),
    };
    for (k, v) in entries {
        let key = k.as_str().map(normalise_key).unwrap_or_default();
        match key.as_str() {
            "name" => set.name = v.scalar_text().unwrap_or(set.name),
            "description" => set.description = v.scalar_text(),
            "targetArn" | "tags" => {}
            "rules" => each(v, &mut errors, &loc, |n, errs| {
                if let Some(r) = read_rule(n, errs, &mut warnings, &loc) {
                    set.rules.push(r);
                }
            }),
            "metrics" => each(v, &mut errors, &loc, |n, errs| {
                if let Some(m) = read_metric(n, errs, &loc) {
                    set.metrics.push(m);
                }
            }),
            "flags" => each(v, &mut errors, &loc, |n, errs| {
                if let Some(f) = read_flag(n, errs, &loc) {
                    set.flags.push(f);
                }
            }),
            other => warnings.push(
                Diagnostic::warning(format!("unknown ruleset field '{other}' is ignored"))
                    .at(Some(loc(k)))
                    .with_help(did_you_mean(
                        other,
                        ["name", "description", "rules", "metrics", "flags"],
                    )),
            ),
        }
    }
    if set.rules.is_empty() && set.metrics.is_empty() && set.flags.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error("the ruleset has no rules, metrics or flags").at(Some(loc(&root))),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    set.warnings = warnings;
    Ok(set)
}

fn each(
    v: &Node,
    errors: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Location,
    mut f: impl FnMut(&Node, &mut Vec<Diagnostic>),
) {
    match v.as_list() {
        Some(items) => {
            for item in items {
                f(item, errors);
            }
        }
        None => errors.push(
            Diagnostic::error(format!("expected a list, found {}", v.type_name())).at(Some(loc(v))),
        ),
    }
}

/// The text under the first of `names` in a map node.
fn text(n: &Node, names: &[&str]) -> Option<String> {
    n.field(names).and_then(Node::scalar_text)
}

fn read_rule(
    n: &Node,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Location,
) -> Option<Rule> {
    if n.as_map().is_none() {
        errors.push(Diagnostic::error("a rule must be a map").at(Some(loc(n))));
        return None;
    }
    let name = text(n, &["name"]);
    let check = text(n, &["checkExpression", "check"]);
    let (Some(name), Some(check)) = (name, check) else {
        errors
            .push(Diagnostic::error("a rule needs `Name` and `CheckExpression`").at(Some(loc(n))));
        return None;
    };
    let mut substitutions = Vec::new();
    if let Some(s) = n.field(&["substitutionMap", "substitutions"]) {
        match &s.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    substitutions.push((
                        k.scalar_text().unwrap_or_default(),
                        v.scalar_text().unwrap_or_else(|| v.to_json().to_string()),
                    ));
                }
            }
            NodeKind::List(items) => {
                for item in items {
                    match (text(item, &["valueReference"]), item.field(&["value"])) {
                        (Some(r), Some(v)) => substitutions.push((
                            r,
                            v.scalar_text().unwrap_or_else(|| v.to_json().to_string()),
                        )),
                        _ => errors.push(
                            Diagnostic::error("a substitution needs ValueReference and Value")
                                .at(Some(loc(item))),
                        ),
                    }
                }
            }
            _ => errors.push(
                Diagnostic::error("SubstitutionMap must be a map or a list").at(Some(loc(s))),
            ),
        }
    }
    for (k, _) in &substitutions {
        if !k.starts_with(':') {
            warnings.push(
                Diagnostic::warning(format!("substitution variable '{k}' should start with ':'"))
                    .at(Some(loc(n))),
            );
        }
    }
    let threshold = n
        .field(&["threshold"])
        .and_then(|t| read_threshold(t, errors, loc));
    let selectors = n
        .field(&["columnSelectors", "columns"])
        .map(|s| Selector::read_list(s, errors, &|n| Some(loc(n))))
        .unwrap_or_default();
    let disabled = matches!(
        n.field(&["disabled"]).map(|d| &d.kind),
        Some(NodeKind::Bool(true))
    ) || text(n, &["disabled"]).is_some_and(|d| d.eq_ignore_ascii_case("true"));
    Some(Rule {
        name,
        check,
        substitutions,
        threshold,
        selectors,
        disabled,
        location: loc(n),
        definition: n.to_json(),
    })
}

fn read_threshold(
    t: &Node,
    errors: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Location,
) -> Option<Threshold> {
    let value = text(t, &["value"]).and_then(|v| v.trim().parse::<f64>().ok());
    let Some(value) = value.filter(|v| *v >= 0.0) else {
        errors.push(
            Diagnostic::error("a threshold needs a `Value`, a number of 0 or more")
                .at(Some(loc(t))),
        );
        return None;
    };
    let kind = match text(t, &["type"])
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        None | Some("GREATER_THAN_OR_EQUAL") => ThresholdType::GreaterThanOrEqual,
        Some("LESS_THAN_OR_EQUAL") => ThresholdType::LessThanOrEqual,
        Some("GREATER_THAN") => ThresholdType::GreaterThan,
        Some("LESS_THAN") => ThresholdType::LessThan,
        Some(other) => {
            errors.push(
                Diagnostic::error(format!("unknown threshold type '{other}'"))
                    .at(Some(loc(t)))
                    .with_help(Some(
                        "use GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, GREATER_THAN or LESS_THAN"
                            .into(),
                    )),
            );
            return None;
        }
    };
    let unit = match text(t, &["unit"])
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        None | Some("PERCENTAGE") => Unit::Percentage,
        Some("COUNT") => Unit::Count,
        Some(other) => {
            errors.push(
                Diagnostic::error(format!("unknown threshold unit '{other}'"))
                    .at(Some(loc(t)))
                    .with_help(Some("use COUNT or PERCENTAGE".into())),
            );
            return None;
        }
    };
    Some(Threshold { value, kind, unit })
}

fn read_metric(
    n: &Node,
    errors: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Location,
) -> Option<Metric> {
    let (Some(name), Some(numerator)) = (text(n, &["name"]), text(n, &["numerator", "where"]))
    else {
        errors.push(Diagnostic::error("a metric needs `name` and `numerator`").at(Some(loc(n))));
        return None;
    };
    Some(Metric {
        name,
        numerator,
        denominator: text(n, &["denominator", "of"]),
        threshold: n
            .field(&["threshold"])
            .and_then(|t| read_threshold(t, errors, loc)),
        location: loc(n),
    })
}

fn read_flag(
    n: &Node,
    errors: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Location,
) -> Option<Flag> {
    let (Some(name), Some(invalid_when)) = (
        text(n, &["name"]),
        text(n, &["invalidWhen", "invalid_when"]),
    ) else {
        errors.push(Diagnostic::error("a flag needs `name` and `invalidWhen`").at(Some(loc(n))));
        return None;
    };
    Some(Flag {
        name,
        invalid_when,
        valid: text(n, &["valid", "validValue"]).unwrap_or_else(|| "Valid".into()),
        invalid: text(n, &["invalid", "invalidValue"]).unwrap_or_else(|| "Invalid".into()),
        threshold: n
            .field(&["threshold"])
            .and_then(|t| read_threshold(t, errors, loc)),
        location: loc(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_databrew_json_rulesets() {
        let json = r#"{
  "Name": "rs",
  "TargetArn": "arn:aws:databrew:x",
  "Rules": [
    {"Name": "len", "CheckExpression": "LENGTH(:col1) > :val1",
     "SubstitutionMap": {":col1": "`name`", ":val1": "3"},
     "Threshold": {"Value": 95, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}},
    {"Name": "cf", "CheckExpression": "> :v", "Disabled": true,
     "SubstitutionMap": [{"ValueReference": ":v", "Value": "0"}],
     "ColumnSelectors": [{"Name": "a"}, {"Regex": "^b"}]}
  ]
}"#;
        let rs = load_str(json, "rs.json").unwrap();
        assert_eq!(rs.name, "rs");
        assert_eq!(rs.rules.len(), 2);
        assert_eq!(rs.rules[0].substitution(":col1").as_deref(), Some("`name`"));
        assert_eq!(
            rs.rules[0].threshold,
            Some(Threshold {
                value: 95.0,
                kind: ThresholdType::GreaterThanOrEqual,
                unit: Unit::Percentage
            })
        );
        assert!(rs.rules[1].disabled);
        assert_eq!(
            rs.rules[1].selectors,
            vec![
                Selector::Name("a".into()),
                Selector::Regex(regex::Regex::new("^b").unwrap())
            ]
        );
        assert_eq!(rs.rules[1].substitution(":v").as_deref(), Some("0"));
        assert_eq!(rs.rules[1].location.line, 8);
    }

    #[test]
    fn reads_metrics_and_flags() {
        let yaml = "name: s\nmetrics:\n  - name: m\n    numerator: \"`a` == 'x'\"\n    threshold: {value: 5, type: LESS_THAN, unit: PERCENTAGE}\nflags:\n  - name: DQ_Flag\n    invalidWhen: \"`a` == 'x'\"\n";
        let rs = load_str(yaml, "s.yaml").unwrap();
        assert_eq!(rs.metrics[0].numerator, "`a` == 'x'");
        assert!(rs.metrics[0].threshold.unwrap().holds(4.9));
        assert!(!rs.metrics[0].threshold.unwrap().holds(5.0));
        assert_eq!(rs.flags[0].invalid, "Invalid");
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let yaml = "rules:\n  - name: x\n  - name: y\n    check: \"> :v\"\n    threshold: {value: 5, type: MORE}\n";
        let Err(Error::Invalid(d)) = load_str(yaml, "bad.yaml") else {
            panic!()
        };
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].location.as_ref().unwrap().line, 2);
        assert!(d[1].message.contains("unknown threshold type 'MORE'"));
    }

    #[test]
    fn threshold_boundaries() {
        let t = Threshold {
            value: 95.0,
            kind: ThresholdType::GreaterThanOrEqual,
            unit: Unit::Percentage,
        };
        assert!(t.holds(96.4));
        assert!(t.holds(95.0));
        assert!(!Threshold { value: 100.0, ..t }.holds(96.4));
    }
}
