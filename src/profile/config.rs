//! Profile configuration (reference §4.1): which columns, which statistics, and their
//! parameters. DataBrew's `ProfileConfiguration` (JSON or YAML, PascalCase or camelCase keys):
//!
//! ```yaml
//! ProfileColumns: [{Name: age}, {Regex: "^health"}]
//! DatasetStatisticsConfiguration:
//!   IncludedStatistics: [DUPLICATE_ROWS_COUNT, CORRELATION]
//!   Overrides: [{Statistic: CORRELATION, Parameters: {columnNumber: "ALL"}}]
//! ColumnStatisticsConfigurations:
//!   - Selectors: [{Regex: ".*"}]
//!     Statistics:
//!       IncludedStatistics: [MEAN, MEDIAN, VALUE_DISTRIBUTION]
//!       Overrides: [{Statistic: VALUE_DISTRIBUTION, Parameters: {binNumber: "10"}}]
//! ```
//! When several column configurations match a column, the last one's `IncludedStatistics`
//! wins; overrides accumulate. `["NONE"]` includes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::recipe::node::Node;
use crate::recipe::params::normalise_key;
pub use crate::selector::Selector;

/// All column statistics, in DataBrew's order.
pub const COLUMN_STATISTICS: &[&str] = &[
    "DISTINCT_VALUES_COUNT",
    "UNIQUE_VALUES_COUNT",
    "MISSING_VALUES_COUNT",
    "MOST_COMMON_VALUES",
    "ENTROPY",
    "MIN",
    "MAX",
    "MEAN",
    "MEDIAN",
    "MODE",
    "STANDARD_DEVIATION",
    "VARIANCE",
    "SUM",
    "RANGE",
    "INTER_QUARTILE_RANGE",
    "PERCENTILES",
    "MEDIAN_ABSOLUTE_DEVIATION",
    "SKEWNESS",
    "KURTOSIS",
    "ZEROS_COUNT",
    "MINIMUM_VALUES",
    "MAXIMUM_VALUES",
    "OUTLIER_DETECTION",
    "VALUE_DISTRIBUTION",
    "Z_SCORE_DISTRIBUTION",
];

pub const DATASET_STATISTICS: &[&str] = &["DUPLICATE_ROWS_COUNT", "CORRELATION"];

/// DataBrew's default statistics for booleans.
const BOOLEAN_DEFAULT: &[&str] = &[
    "MOST_COMMON_VALUES",
    "DISTINCT_VALUES_COUNT",
    "UNIQUE_VALUES_COUNT",
    "MISSING_VALUES_COUNT",
    "ENTROPY",
];

/// DataBrew's default statistics for text (measured on lengths where numeric).
const STRING_DEFAULT: &[&str] = &[
    "MOST_COMMON_VALUES",
    "DISTINCT_VALUES_COUNT",
    "UNIQUE_VALUES_COUNT",
    "MISSING_VALUES_COUNT",
    "ENTROPY",
    "MIN",
    "MAX",
    "MEAN",
    "MODE",
    "STANDARD_DEVIATION",
    "MEDIAN",
    "OUTLIER_DETECTION",
    "VALUE_DISTRIBUTION",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Numeric,
    Text,
    Boolean,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statistics {
    /// None: DataBrew's defaults for the column's type.
    pub included: Option<Vec<String>>,
    /// statistic → parameter → value
    pub overrides: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileConfig {
    pub columns: Vec<Selector>,
    pub dataset: Statistics,
    pub column_configs: Vec<(Vec<Selector>, Statistics)>,
    pub warnings: Vec<Diagnostic>,
}

/// The resolved statistics and parameters for one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    pub included: Vec<String>,
    pub params: BTreeMap<String, BTreeMap<String, String>>,
}

impl ColumnPlan {
    pub fn has(&self, stat: &str) -> bool {
        self.included.iter().any(|s| s == stat)
    }

    /// A numeric parameter, with its DataBrew default.
    pub fn param(&self, stat: &str, name: &str, default: f64) -> f64 {
        self.params
            .get(stat)
            .and_then(|p| p.get(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(default)
    }

    /// A sample size parameter; "ALL" means every value.
    pub fn sample(&self, stat: &str, default: usize) -> usize {
        match self.params.get(stat).and_then(|p| p.get("sampleSize")) {
            Some(v) if v.eq_ignore_ascii_case("ALL") => usize::MAX,
            Some(v) => v.trim().parse().unwrap_or(default),
            None => default,
        }
    }
}

impl ProfileConfig {
    pub fn profiles(&self, column: &str) -> bool {
        self.columns.is_empty() || self.columns.iter().any(|s| s.matches(column))
    }

    pub fn column_plan(&self, column: &str, kind: Kind) -> ColumnPlan {
        let mut included: Option<Vec<String>> = None;
        let mut params = BTreeMap::new();
        for (selectors, stats) in &self.column_configs {
            if selectors.is_empty() || selectors.iter().any(|s| s.matches(column)) {
                if stats.included.is_some() {
                    included = stats.included.clone();
                }
                for (stat, p) in &stats.overrides {
                    params
                        .entry(stat.clone())
                        .or_insert_with(BTreeMap::new)
                        .extend(p.clone());
                }
            }
        }
        let defaults: Vec<String> = match kind {
            Kind::Numeric => COLUMN_STATISTICS.iter().map(|s| s.to_string()).collect(),
            Kind::Text => STRING_DEFAULT.iter().map(|s| s.to_string()).collect(),
            Kind::Boolean => BOOLEAN_DEFAULT.iter().map(|s| s.to_string()).collect(),
        };
        let applicable = |s: &String| match kind {
            Kind::Numeric => true,
            Kind::Text => STRING_DEFAULT.contains(&s.as_str()),
            Kind::Boolean => BOOLEAN_DEFAULT.contains(&s.as_str()),
        };
        let included = match included {
            None => defaults,
            Some(list) if list.iter().any(|s| s == "NONE") => Vec::new(),
            Some(list) => list.into_iter().filter(applicable).collect(),
        };
        ColumnPlan { included, params }
    }

    pub fn dataset_has(&self, stat: &str) -> bool {
        match &self.dataset.included {
            None => true,
            Some(list) => list.iter().any(|s| s == stat),
        }
    }

    pub fn dataset_param(&self, stat: &str, name: &str) -> Option<String> {
        self.dataset.overrides.get(stat)?.get(name).cloned()
    }
}

pub fn load_file(path: &Path) -> Result<ProfileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(format!(
            "cannot read profile configuration '{}': {e}",
            path.display()
        ))
    })?;
    load_str(&text, &path.display().to_string())
}

pub fn load_str(text: &str, file: &str) -> Result<ProfileConfig> {
    let loc = |n: &Node| {
        Some(Location {
            file: file.to_string(),
            line: n.pos.line,
            column: n.pos.col,
        })
    };
    let root = crate::recipe::load::parse_document(text, file)?;
    // Accept both the bare configuration and {Configuration: {...}} from a job definition.
    let root = root.field(&["configuration"]).unwrap_or(&root);
    let mut errors = Vec::new();
    let mut config = ProfileConfig::default();
    let Some(entries) = root.as_map() else {
        return Err(Error::invalid(format!(
            "{file}: a profile configuration is a map"
        )));
    };
    for (k, v) in entries {
        match k.as_str().map(normalise_key).unwrap_or_default().as_str() {
            "profileColumns" => config.columns = Selector::read_list(v, &mut errors, &loc),
            "datasetStatisticsConfiguration" => {
                config.dataset = statistics(v, DATASET_STATISTICS, &mut errors, &loc)
            }
            "columnStatisticsConfigurations" => {
                for item in v.as_list().unwrap_or_default() {
                    let sel = item
                        .field(&["selectors"])
                        .map(|s| Selector::read_list(s, &mut errors, &loc))
                        .unwrap_or_default();
                    let stats = item
                        .field(&["statistics"])
                        .map(|s| statistics(s, COLUMN_STATISTICS, &mut errors, &loc))
                        .unwrap_or_default();
                    config.column_configs.push((sel, stats));
                }
            }
            "entityDetectorConfiguration" => config.warnings.push(
                Diagnostic::warning("PII entity detection is not supported yet; ignored")
                    .at(loc(k)),
            ),
            other => config.warnings.push(
                Diagnostic::warning(format!(
                    "unknown profile configuration field '{other}' is ignored"
                ))
                .at(loc(k))
                .with_help(did_you_mean(
                    other,
                    [
                        "ProfileColumns",
                        "DatasetStatisticsConfiguration",
                        "ColumnStatisticsConfigurations",
                    ],
                )),
            ),
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(Error::Invalid(errors))
    }
}

fn statistics(
    v: &Node,
    known: &[&str],
    errors: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Option<Location>,
) -> Statistics {
    let mut out = Statistics::default();
    let check = |name: &str, n: &Node, errors: &mut Vec<Diagnostic>| {
        if name != "NONE" && !known.contains(&name) {
            errors.push(
                Diagnostic::error(format!("unknown statistic '{name}'"))
                    .at(loc(n))
                    .with_help(did_you_mean(name, known.iter().copied())),
            );
        }
    };
    if let Some(list) = v.field(&["includedStatistics"]) {
        let mut included = Vec::new();
        for item in list.as_list().unwrap_or_default() {
            let name = item.scalar_text().unwrap_or_default().to_ascii_uppercase();
            check(&name, item, errors);
            included.push(name);
        }
        out.included = Some(included);
    }
    if let Some(list) = v.field(&["overrides"]) {
        for item in list.as_list().unwrap_or_default() {
            let stat = item
                .field(&["statistic"])
                .and_then(Node::scalar_text)
                .unwrap_or_default()
                .to_ascii_uppercase();
            check(&stat, item, errors);
            let params: BTreeMap<String, String> = item
                .field(&["parameters"])
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter_map(|(k, v)| Some((k.scalar_text()?, v.scalar_text()?)))
                .collect();
            out.overrides.entry(stat).or_default().extend(params);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_databrew_per_type_sets() {
        let c = ProfileConfig::default();
        assert_eq!(c.column_plan("x", Kind::Numeric).included.len(), 25);
        assert_eq!(c.column_plan("x", Kind::Text).included.len(), 13);
        assert_eq!(c.column_plan("x", Kind::Boolean).included.len(), 5);
        assert!(c.dataset_has("CORRELATION"));
    }

    #[test]
    fn last_matching_configuration_wins_and_overrides_accumulate() {
        let yaml = "ProfileColumns: [{Name: a}, {Regex: '^b'}]\nColumnStatisticsConfigurations:\n  - Selectors: [{Regex: '.*'}]\n    Statistics:\n      IncludedStatistics: [MEAN, MEDIAN]\n      Overrides: [{Statistic: VALUE_DISTRIBUTION, Parameters: {binNumber: '10'}}]\n  - Selectors: [{Name: b1}]\n    Statistics:\n      IncludedStatistics: [MAX]\nDatasetStatisticsConfiguration:\n  IncludedStatistics: [DUPLICATE_ROWS_COUNT]\n";
        let c = load_str(yaml, "c.yaml").unwrap();
        assert!(c.profiles("a") && c.profiles("b1") && !c.profiles("c"));
        assert_eq!(
            c.column_plan("a", Kind::Numeric).included,
            vec!["MEAN", "MEDIAN"]
        );
        assert_eq!(c.column_plan("b1", Kind::Numeric).included, vec!["MAX"]);
        assert_eq!(
            c.column_plan("b1", Kind::Numeric)
                .param("VALUE_DISTRIBUTION", "binNumber", 20.0),
            10.0
        );
        assert!(!c.dataset_has("CORRELATION"));
    }

    #[test]
    fn unknown_statistics_are_errors_with_suggestions() {
        let yaml = "ColumnStatisticsConfigurations:\n  - Statistics:\n      IncludedStatistics: [MEDAIN]\n";
        let Err(Error::Invalid(d)) = load_str(yaml, "c.yaml") else {
            panic!()
        };
        assert_eq!(d[0].help.as_deref(), Some("did you mean 'MEDIAN'?"));
    }
}
