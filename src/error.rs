//! Errors and diagnostics meant for people: every problem says where it is (file:line:col,
//! step, operation) and, where we can, how to fix it.

use std::fmt;

use serde::Serialize;

/// A position in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a recipe, dataset or command line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// 1-based step number in the recipe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            step: None,
            operation: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn in_step(mut self, step: usize, operation: &str) -> Self {
        self.step = Some(step);
        self.operation = Some(operation.to_string());
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}")?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        match (self.step, &self.operation) {
            (Some(step), Some(op)) => write!(f, " in step {step} ({op})")?,
            (Some(step), None) => write!(f, " in step {step}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in the library, grouped by the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The recipe, dataset, ruleset or arguments are wrong (exit 2).
    #[error("{}", render_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
    /// The input could not be read, the output could not be written, … (exit 3).
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(vec![Diagnostic::error(message)])
    }

    pub fn invalid_with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Invalid(vec![
            Diagnostic::error(message).with_help(Some(help.into())),
        ])
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Error::Runtime(message.into())
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Runtime(_) => 3,
        }
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Invalid(d) => d.clone(),
            Error::Runtime(m) => vec![Diagnostic::error(m.clone())],
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Runtime(format!("data processing failed: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Suggest the closest candidate to a misspelt name ("did you mean 'age'?").
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wrong_lower = wrong.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand.to_lowercase() == wrong_lower {
            return Some(format!("did you mean '{cand}'? (names are case-sensitive)"));
        }
        let d = levenshtein(&wrong_lower, &cand.to_lowercase());
        let limit = (wrong.chars().count().max(cand.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| format!("did you mean '{c}'?"))
}

/// Edit distance counting a swap of neighbours as one edit (optimal string alignment).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && *ca == b[j - 1] && a[i - 1] == *cb {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("agee", ["age", "marks"]).as_deref(),
            Some("did you mean 'age'?")
        );
        assert_eq!(did_you_mean("zzz", ["age", "marks"]), None);
        assert_eq!(
            did_you_mean("nmae", ["name", "age"]).as_deref(),
            Some("did you mean 'name'?")
        );
        assert_eq!(
            did_you_mean("patient", ["PATIENT"]).as_deref(),
            Some("did you mean 'PATIENT'? (names are case-sensitive)")
        );
    }

    #[test]
    fn renders_step_and_location() {
        let d = Diagnostic::error("column 'agee' not found")
            .at(Some(Location {
                file: "r.yaml".into(),
                line: 4,
                column: 7,
            }))
            .in_step(2, "FILL_WITH_MEDIAN")
            .with_help(Some("did you mean 'age'?".into()));
        assert_eq!(
            d.to_string(),
            "error at r.yaml:4:7 in step 2 (FILL_WITH_MEDIAN): column 'agee' not found\n  help: did you mean 'age'?"
        );
    }
}
