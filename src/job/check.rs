//! The data-quality gate: a dataset (optionally through a recipe) checked against a ruleset.
//! Exit codes: 0 every enabled rule, metric and flag passes; 1 any fails; 2 invalid ruleset,
//! recipe or arguments; 3 the data could not be read. An incomplete check never passes.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use super::prepare::{Input, prepare};
use super::run::Counting;
use crate::error::{Diagnostic, Result};
use crate::progress::Progress;
use crate::quality::eval::{self, Evaluation};
use crate::quality::report;
use crate::quality::ruleset::{self, Ruleset};
use crate::sink::{self, Compression, OutputFormat};

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub input: Input,
    pub rules: PathBuf,
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub good: Option<PathBuf>,
    pub bad: Option<PathBuf>,
    pub progress: bool,
}

pub struct CheckOutcome {
    pub ruleset: Ruleset,
    pub evaluation: Evaluation,
    pub warnings: Vec<Diagnostic>,
    pub summary: String,
    pub report: serde_json::Value,
}

fn now_iso() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub fn check(opts: &CheckOptions) -> Result<CheckOutcome> {
    let started = Instant::now();
    let started_on = now_iso();
    let progress = Progress::new(opts.progress);
    let ruleset = ruleset::load_file(&opts.rules)?;
    // The gate reports rules, not the steps' row counts: a join costs no pass of its own.
    let prepared = prepare(&opts.input, Counting::Never, &progress)?;
    let mut warnings = prepared.warnings.clone();
    warnings.extend(ruleset.warnings.iter().cloned());
    warnings.extend(eval::validate(&ruleset, &prepared.schema)?);

    // Flag columns (DQ_Flag) first: rules and metrics may read them.
    let flags = eval::flag_columns(&ruleset, &prepared.schema)?;
    let mut flagged = prepared.lf.clone().with_columns(flags);
    let schema = flagged.collect_schema()?.as_ref().clone();

    progress.message("checking".into());
    let evaluation = eval::evaluate(&ruleset, &flagged, &schema)?;

    if opts.good.is_some() || opts.bad.is_some() {
        progress.message("writing good and bad records".into());
        let bad = eval::bad_row_predicate(&ruleset, &schema)?;
        for (path, keep) in [(&opts.good, bad.clone().not()), (&opts.bad, bad)] {
            if let Some(path) = path {
                let format = OutputFormat::from_path(path).unwrap_or(OutputFormat::Csv);
                sink::write_frame(
                    flagged.clone().filter(keep),
                    &path.display().to_string(),
                    format,
                    Compression::None,
                    prepared.catalogue.connections(),
                )?;
            }
        }
    }
    progress.finish();

    let summary = report::terminal(&ruleset, &evaluation);
    let location = opts.input.dataset.clone();
    let report = report::json(&ruleset, &evaluation, &location, &started_on, &now_iso());
    if let Some(p) = &opts.json {
        super::write_text(
            p,
            &format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            ),
        )?;
    }
    if let Some(p) = &opts.junit {
        super::write_text(
            p,
            &report::junit(&ruleset, &evaluation, started.elapsed().as_secs_f64()),
        )?;
    }
    if let Some(p) = &opts.markdown {
        super::write_text(p, &report::markdown(&ruleset, &evaluation))?;
    }
    Ok(CheckOutcome {
        ruleset,
        evaluation,
        warnings,
        summary,
        report,
    })
}
