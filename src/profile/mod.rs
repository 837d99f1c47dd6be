//! Profile jobs: every column statistic of a DataBrew profile (reference §4), on the full data
//! by default, as DataBrew-shaped JSON plus a terminal summary.

pub mod compute;
pub mod config;
pub mod html;

use std::path::PathBuf;
use std::time::Instant;

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

use crate::error::{Diagnostic, Error, Result};
use crate::job::prepare::{Input, prepare};
use crate::progress::Progress;

/// Which rows to profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    Full,
    First(usize),
    Random { size: usize, seed: u64 },
}

impl Sample {
    /// `first:N`, `random:N` or `random:N:SEED`.
    pub fn parse(s: &str) -> std::result::Result<Sample, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let size = |t: &str| {
            t.parse::<usize>()
                .map_err(|_| format!("'{t}' is not a row count"))
        };
        match parts.as_slice() {
            ["full"] => Ok(Sample::Full),
            ["first", n] => Ok(Sample::First(size(n)?)),
            ["random", n] => Ok(Sample::Random {
                size: size(n)?,
                seed: 0,
            }),
            ["random", n, seed] => Ok(Sample::Random {
                size: size(n)?,
                seed: seed
                    .parse()
                    .map_err(|_| format!("'{seed}' is not a seed"))?,
            }),
            _ => Err(format!(
                "expected first:N, random:N or random:N:SEED, found '{s}'"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProfileOptions {
    pub input: Input,
    pub output: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub sample: Sample,
    pub config: Option<PathBuf>,
    pub progress: bool,
}

pub struct ProfileOutcome {
    pub json: Json,
    pub summary: String,
    pub warnings: Vec<Diagnostic>,
}

/// `size` distinct row numbers below `rows`, chosen by a seeded generator (Floyd's algorithm),
/// so a random sample is the same on every run with the same seed.
fn random_rows(rows: u64, size: usize, seed: u64) -> Vec<u32> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let size = (size as u64).min(rows);
    let mut chosen = std::collections::BTreeSet::new();
    for j in rows - size..rows {
        let t = next() % (j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().map(|v| v as u32).collect()
}

fn sampled(lf: LazyFrame, sample: Sample, rows: Option<u64>) -> Result<LazyFrame> {
    Ok(match sample {
        Sample::Full => lf,
        Sample::First(n) => lf.limit(n as IdxSize),
        Sample::Random { size, seed } => {
            let rows = match rows {
                Some(r) => r,
                None => crate::ops::count_rows(lf.clone())?.unwrap_or(0),
            };
            let picked = Series::new("picked".into(), random_rows(rows, size, seed));
            lf.with_row_index("__datacook_row", None)
                .filter(col("__datacook_row").is_in(lit(picked).implode(false), false))
                .drop(by_name(["__datacook_row"], true, false))
        }
    })
}

pub fn profile(opts: &ProfileOptions) -> Result<ProfileOutcome> {
    let started = Instant::now();
    let progress = Progress::new(opts.progress);
    let config = match &opts.config {
        Some(p) => config::load_file(p)?,
        None => config::ProfileConfig::default(),
    };
    let prepared = prepare(&opts.input, crate::job::Counting::Now, &progress)?;
    let mut warnings = prepared.warnings.clone();
    warnings.extend(config.warnings.iter().cloned());
    let lf = sampled(prepared.lf.clone(), opts.sample, prepared.rows)?;
    let targets = compute::targets(&prepared.schema, &config);
    let skipped: Vec<String> = prepared
        .schema
        .iter()
        .filter(|(n, d)| config.profiles(n) && compute::type_name(d).is_none())
        .map(|(n, d)| format!("{n} ({d})"))
        .collect();
    if !skipped.is_empty() {
        warnings.push(Diagnostic::warning(format!(
            "columns of types DataBrew does not profile are skipped: {}",
            skipped.join(", ")
        )));
    }
    progress.message("profiling".into());
    let file_rows = match (&opts.input.recipe, &opts.sample) {
        (None, Sample::Full | Sample::First(_)) => prepared.rows,
        _ => None,
    };
    let (rows, duplicates, columns) =
        compute::profile(&lf, &prepared.schema, &config, &targets, file_rows).map_err(
            |e| match e {
                Error::Runtime(m) => Error::Runtime(format!("profiling failed: {m}")),
                other => other,
            },
        )?;
    progress.finish();

    let mut doc = Map::new();
    doc.insert(
        "defaultProfileConfiguration".into(),
        default_configuration(),
    );
    doc.insert("datasetConfigurationOverride".into(), json!({}));
    doc.insert("sampleSize".into(), json!(rows));
    if let Some(d) = duplicates {
        doc.insert("duplicateRowsCount".into(), json!(d));
    }
    doc.insert(
        "columns".into(),
        Json::Array(columns.into_iter().map(Json::Object).collect()),
    );
    doc.insert(
        "datacook".into(),
        json!({
            "formatVersion": 1,
            "version": env!("CARGO_PKG_VERSION"),
            "input": {
                "dataset": prepared.dataset.dataset,
                "source": prepared.dataset.source,
                "location": prepared.dataset.location,
                "dialect": prepared.dataset.dialect,
                "files": prepared.dataset.files.iter().map(|f| file_identity(f)).collect::<Vec<_>>(),
                "rows": prepared.rows,
                "recipe": opts.input.recipe.as_ref().map(|p| p.display().to_string()),
                "sample": format!("{:?}", opts.sample),
            },
            "durationMs": (started.elapsed().as_secs_f64() * 1e3).round(),
        }),
    );
    let json = Json::Object(doc);
    let summary = summary(&json);
    if let Some(p) = &opts.output {
        crate::job::write_text(
            p,
            &format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            ),
        )?;
    }
    if let Some(p) = &opts.html {
        let title = format!("Profile of {}", prepared.dataset.dataset);
        crate::job::write_text(p, &html::report(&json, &title))?;
    }
    Ok(ProfileOutcome {
        json,
        summary,
        warnings,
    })
}

/// A file's path, size and modification time, so two profiles show whether they read the
/// same input.
fn file_identity(path: &str) -> Json {
    let meta = std::fs::metadata(path).ok();
    let modified = meta
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| chrono::DateTime::from_timestamp(d.as_secs() as i64, 0))
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    json!({"path": path, "bytes": meta.map(|m| m.len()), "modified": modified})
}

/// DataBrew's default configuration block, as its profiles carry it.
fn default_configuration() -> Json {
    let stats = |list: &[&str]| json!(list);
    json!({
        "datasetConfiguration": {
            "includedStatistics": ["CORRELATION", "DUPLICATE_ROWS_COUNT"],
            "parameters": {"CORRELATION": {"columnNumber": "10"}}
        },
        "columnConfiguration": {
            "numericColumn": {"includedStatistics": stats(config::COLUMN_STATISTICS), "parameters": {
                "MOST_COMMON_VALUES": {"sampleSize": "50"},
                "MINIMUM_VALUES": {"sampleSize": "5"},
                "MAXIMUM_VALUES": {"sampleSize": "5"},
                "OUTLIER_DETECTION": {"threshold": "3", "sampleSize": "50"},
                "VALUE_DISTRIBUTION": {"binNumber": "20"},
                "Z_SCORE_DISTRIBUTION": {"binNumber": "20"}
            }}
        }
    })
}

/// One row per column: type, missing %, distinct, min / mean / max, outliers.
pub fn summary(profile: &Json) -> String {
    let rows = profile["sampleSize"].as_u64().unwrap_or(0);
    let mut out = format!(
        "{rows} rows, {} duplicate rows\n{:<24} {:<8} {:>9} {:>10} {:>12} {:>12} {:>12} {:>9}\n",
        profile["duplicateRowsCount"]
            .as_u64()
            .map_or("-".into(), |d| d.to_string()),
        "column",
        "type",
        "missing%",
        "distinct",
        "min",
        "mean",
        "max",
        "outliers"
    );
    let cell = |v: &Json| crate::display::value(v, 4, "-");
    for c in profile["columns"].as_array().into_iter().flatten() {
        let missing = c["missingValuesCount"].as_f64().unwrap_or(0.0);
        let pct = if rows > 0 {
            missing * 100.0 / rows as f64
        } else {
            0.0
        };
        out.push_str(&format!(
            "{:<24} {:<8} {:>8.2}% {:>10} {:>12} {:>12} {:>12} {:>9}\n",
            c["name"].as_str().unwrap_or(""),
            c["type"].as_str().unwrap_or(""),
            pct,
            cell(&c["distinctValuesCount"]),
            cell(&c["min"]),
            cell(&c["mean"]),
            cell(&c["max"]),
            cell(&c["zScoreOutliersCount"]),
        ));
    }
    out
}
