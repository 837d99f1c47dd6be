//! Datasets: where the data lives and how to read it.
//!
//! A dataset file (`datasets/NAME.yaml`) names its source, optional column type pins and
//! options:
//!
//! ```yaml
//! name: students
//! path: students.csv     # a file or glob, relative to this file
//! format: csv            # csv | parquet | jsonl | json (default: from the extension)
//! csv:
//!   delimiter: ","
//!   header: true         # false: columns are named Column_1..Column_N
//!   encoding: utf-8      # or latin1
//! types:                 # optional pins: DataBrew's type names (string, int, long, double, …)
//!   student_id: string
//! strict: false          # true: a malformed row is an error naming its line
//! ```
//!
//! A plain data location works as a dataset too. JOIN and UNION find their other datasets by
//! name through the [`Catalogue`] (`--datasets-dir`, `--with NAME=LOCATION`), or read them
//! from the location the recipe gives.
//!
//! Every source implements [`Source`]; type pins apply after every source, the same way for
//! the schema ([`DatasetDef::peek`]) and the data ([`DatasetDef::load`]).

pub mod catalogue;
pub mod connections;
pub mod csv;
pub mod db;
pub mod definition;
pub mod files;
pub mod held;
mod pins;
pub mod report;
pub mod s3;
pub mod sniff;
pub mod source;
mod tls;

use std::collections::BTreeMap;
use std::fmt;

use polars::prelude::*;

pub use catalogue::{Catalogue, Depth};
pub use definition::{DatasetDef, DatasetSchema, Loaded, SourceDef};
pub use report::{ColumnNotes, ColumnType, ReadReport, SourceNote, TypeOrigin, column_notes};
pub use source::{Format, Source};

use crate::error::did_you_mean;

/// How an operation names another dataset: by name, by where its data is, or both (a
/// DataBrew UNION lists names and input locations side by side). A known name wins; an
/// unknown one falls back to the location.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatasetRef {
    pub name: Option<String>,
    pub input: Option<InputRef>,
}

/// Where another dataset's data is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InputRef {
    /// A path or URL: `s3://bucket/key`, or a local file.
    Location(String),
    /// A table or query over a named connection (DataBrew's `DatabaseInputDefinition`).
    Database {
        connection: String,
        table: Option<String>,
        query: Option<String>,
    },
}

impl fmt::Display for InputRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputRef::Location(l) => write!(f, "{l}"),
            InputRef::Database {
                connection, table, ..
            } => match table {
                Some(t) => write!(f, "{connection}/{t}"),
                None => write!(f, "{connection} (query)"),
            },
        }
    }
}

impl fmt::Display for DatasetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.input) {
            (Some(n), _) => write!(f, "{n}"),
            (None, Some(i)) => write!(f, "{i}"),
            (None, None) => write!(f, "(unnamed)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolveError {
    pub message: String,
    pub help: Option<String>,
}

/// Access to the other datasets a recipe refers to (JOIN, UNION).
pub trait Resolver {
    fn schema(&self, dataset: &DatasetRef) -> std::result::Result<Schema, ResolveError>;
    fn scan(&self, dataset: &DatasetRef) -> std::result::Result<LazyFrame, ResolveError>;
}

/// A resolver that knows no datasets (recipes without JOIN/UNION).
pub struct NoDatasets;

impl Resolver for NoDatasets {
    fn schema(&self, d: &DatasetRef) -> std::result::Result<Schema, ResolveError> {
        Err(ResolveError {
            message: format!("unknown dataset '{d}'"),
            help: Some("no datasets are available here".into()),
        })
    }

    fn scan(&self, d: &DatasetRef) -> std::result::Result<LazyFrame, ResolveError> {
        self.schema(d).map(|_| LazyFrame::default())
    }
}

/// In-memory datasets by name (tests, embedding).
#[derive(Default)]
pub struct MemoryDatasets(pub BTreeMap<String, DataFrame>);

impl Resolver for MemoryDatasets {
    fn schema(&self, d: &DatasetRef) -> std::result::Result<Schema, ResolveError> {
        self.get(d).map(|df| df.schema().as_ref().clone())
    }

    fn scan(&self, d: &DatasetRef) -> std::result::Result<LazyFrame, ResolveError> {
        self.get(d).map(|df| df.clone().lazy())
    }
}

impl MemoryDatasets {
    fn get(&self, d: &DatasetRef) -> std::result::Result<&DataFrame, ResolveError> {
        let keys = [d.name.clone(), d.input.as_ref().map(|i| i.to_string())];
        if let Some(df) = keys.iter().flatten().find_map(|k| self.0.get(k)) {
            return Ok(df);
        }
        let key = d.to_string();
        Err(ResolveError {
            message: format!("unknown dataset '{key}'"),
            help: did_you_mean(&key, self.0.keys().map(String::as_str)).or_else(|| {
                Some(format!(
                    "known datasets: {}",
                    self.0.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            }),
        })
    }
}
