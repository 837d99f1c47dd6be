//! Data quality: rulesets (DataBrew's checks plus datacook's scorecard metrics and flags),
//! their evaluation, and the reports a CI gate needs.

pub mod eval;
pub mod expr;
pub mod report;
pub mod ruleset;
