//! What reading a dataset found, whatever its source: rows, column types and how each was
//! decided, and notes (CSV repairs are one kind of note).

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;

use super::sniff::DialectReport;
use super::source::Format;

/// How a column got its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeOrigin {
    /// Inferred from every value (CSV).
    Inferred,
    /// No value to infer a type from: read as text, or as numbers when a step needs them.
    NoValues,
    /// Pinned by the dataset's `types:`.
    Pinned,
    /// Stated by the file (Parquet, JSON).
    File,
    /// Stated by the database's catalog.
    Database,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnType {
    pub column: String,
    #[serde(rename = "type")]
    pub dtype: String,
    pub source: TypeOrigin,
    /// Why a column holding numbers was read as text ("line 41 holds '1 7'"), or how a
    /// source type was mapped ("numeric without precision, read as text").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ColumnType {
    /// Every column of a schema, as the source stated it.
    pub fn from_schema(schema: &Schema, source: TypeOrigin) -> Vec<ColumnType> {
        schema
            .iter()
            .map(|(n, d)| ColumnType {
                column: n.to_string(),
                dtype: d.to_string(),
                source,
                note: None,
            })
            .collect()
    }
}

/// Column name → why it was read as text although it holds numbers.
pub type ColumnNotes = BTreeMap<String, String>;

pub fn column_notes(columns: &[ColumnType]) -> ColumnNotes {
    columns
        .iter()
        .filter_map(|c| Some((c.column.clone(), c.note.clone()?)))
        .collect()
}

/// Something a source noticed while reading: a CSV repair, values it could not represent.
#[derive(Debug, Clone, Serialize)]
pub struct SourceNote {
    /// `short_row_padded`, `zero_date`, …
    pub kind: String,
    pub description: String,
    /// The file, object or column it is about.
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub count: u64,
    /// The first few line numbers (1-based) where it happened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<u64>,
    /// The data was changed to be read (a repair), rather than only described.
    pub repair: bool,
}

/// What reading a dataset found.
#[derive(Debug, Clone, Serialize)]
pub struct ReadReport {
    pub dataset: String,
    /// `files`, `s3`, `postgres`, `redshift` or `mysql`.
    pub source: &'static str,
    /// Where the data is: a path or glob, an S3 URL, `connection/table` (never credentials).
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The files or objects read, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// A CSV source's dialect: delimiter, quote, escape, header, preamble, and which of these
    /// were detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<DialectReport>,
    pub columns: Vec<ColumnType>,
    pub notes: Vec<SourceNote>,
    /// Numeric columns kept in memory as the file was read, so the recipe's first
    /// statistics over them took no pass of their own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub in_memory: Vec<String>,
}

impl ReadReport {
    /// Columns with no value to infer a type from.
    pub fn untyped_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| c.source == TypeOrigin::NoValues)
            .map(|c| c.column.clone())
            .collect()
    }

    /// Lines for the run summary: repairs, then other notes.
    pub fn summary_lines(&self) -> Vec<String> {
        self.notes
            .iter()
            .map(|n| {
                let lines = if n.lines.is_empty() {
                    String::new()
                } else {
                    let l: Vec<String> = n.lines.iter().map(u64::to_string).collect();
                    format!(" (lines {})", l.join(", "))
                };
                let place = n
                    .place
                    .as_ref()
                    .filter(|_| !n.repair)
                    .map(|p| format!(" in {p}"))
                    .unwrap_or_default();
                let label = if n.repair { "repaired" } else { "note" };
                format!("{label}: {} × {}{place}{lines}", n.count, n.description)
            })
            .collect()
    }
}
