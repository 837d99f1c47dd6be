//! One trait for every place data can come from: local files, S3, PostgreSQL/Redshift,
//! MySQL/MariaDB. A source tells its schema without reading the data, opens the data as a
//! lazy frame, and describes itself for the run report (never with credentials).

use std::any::Any;

use polars::prelude::*;
use serde::Serialize;

use super::report::{ColumnType, SourceNote};
use super::sniff::DialectReport;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Parquet,
    /// JSON Lines: one object per line.
    Jsonl,
    /// One JSON document: an array of objects.
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Format::Csv,
            "parquet" => Format::Parquet,
            "jsonl" | "ndjson" | "json-lines" | "json_lines" => Format::Jsonl,
            "json" => Format::Json,
            _ => return None,
        })
    }

    /// The format a file name implies (`x.csv.gz` is CSV).
    pub fn from_path(p: &str) -> Option<Format> {
        let lower = p.to_ascii_lowercase();
        let lower = lower.trim_end_matches(".gz").trim_end_matches(".zst");
        let file = lower.rsplit('/').next().unwrap_or(lower);
        let (_, ext) = file.rsplit_once('.')?;
        Format::parse(ext)
    }
}

/// Where a source's data is, for reports and messages.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// `files`, `s3`, `postgres`, `redshift`, `mysql`.
    pub kind: &'static str,
    /// A path or glob, an S3 URL, `connection/schema.table` or `connection (query)`.
    pub location: String,
    pub format: Option<Format>,
}

/// A schema known without reading the data.
pub struct Peeked {
    pub schema: Schema,
    pub columns: Vec<ColumnType>,
    /// How a CSV source reads its files.
    pub dialect: Option<DialectReport>,
}

/// A source opened for reading.
pub struct Opened {
    pub lf: LazyFrame,
    /// The row count, when the source knew it without a pass over the data.
    pub rows: Option<u64>,
    /// The files or objects read.
    pub files: Vec<String>,
    pub columns: Vec<ColumnType>,
    pub notes: Vec<SourceNote>,
    /// How a CSV source read its files.
    pub dialect: Option<DialectReport>,
    /// Whatever must live as long as the lazy frame (temporary files it reads).
    pub keep: Vec<Box<dyn Any>>,
    /// The columns [`ReadOptions::hold`] asked for, already in memory, every row.
    pub held: Option<DataFrame>,
}

/// How to open a source.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Columns the dataset pins: a source that can read them as their text does (CSV), so
    /// that the pin converts every value itself.
    pub as_text: Vec<String>,
    /// Numeric columns worth keeping in memory (for statistics over them): a CSV source
    /// keeps those it can while it inspects the file, up to `hold_limit` bytes in all.
    pub hold: Vec<String>,
    pub hold_limit: usize,
}

pub trait Source {
    fn info(&self) -> SourceInfo;

    /// The schema, reading no more than the source needs to tell the types: a CSV's header
    /// and first rows, a table's catalog entry, Parquet metadata. `as_text` names columns the
    /// dataset pins: a source that can read them as their text does (CSV), so that the pin
    /// converts every value itself.
    fn peek(&self, as_text: &[String]) -> Result<Peeked>;

    /// The data as a lazy frame, with what reading found.
    fn open(&self, read: &ReadOptions) -> Result<Opened>;
}
