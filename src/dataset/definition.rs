//! Dataset definitions: a name, a source, type pins. Read from a dataset file (datacook YAML,
//! or DataBrew's dataset JSON), or made from a bare data location.

use std::path::Path;

use polars::prelude::*;

use super::connections::ConnectionFiles;
use super::csv::{CsvOptions, Encoding, Escape};
use super::db::{DatabaseSource, Partition, Relation};
use super::files::FileSource;
use super::pins::Pins;
use super::report::ReadReport;
use super::s3::S3Source;
use super::source::{Format, Opened, ReadOptions, Source, SourceInfo};
use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::recipe::node::{Node, NodeKind};
use crate::recipe::params::normalise_key;

/// Where a dataset's data lives.
pub enum SourceDef {
    Files(FileSource),
    S3(S3Source),
    Database(Box<DatabaseSource>),
}

impl SourceDef {
    pub fn source(&self) -> &dyn Source {
        match self {
            SourceDef::Files(f) => f,
            SourceDef::S3(s) => s,
            SourceDef::Database(d) => d.as_ref(),
        }
    }
}

/// A dataset: its name, where its data is, and its type pins.
pub struct DatasetDef {
    pub name: String,
    pub source: SourceDef,
    pub pins: Pins,
    pub warnings: Vec<Diagnostic>,
}

/// A dataset's schema, known without reading its data.
pub struct DatasetSchema {
    pub schema: Schema,
    pub report: ReadReport,
}

/// A dataset ready to be read: the lazy scan, its schema, and what reading found.
pub struct Loaded {
    pub lf: LazyFrame,
    pub schema: Schema,
    pub report: ReadReport,
    /// Numeric columns the source kept in memory as it read them (see [`DatasetDef::load_holding`]).
    pub held: Option<DataFrame>,
    /// Temporary files the scan reads.
    _keep: Vec<Box<dyn std::any::Any>>,
}

/// At most this many connections read one dataset at once.
const MAX_PARTITIONS: usize = 64;

const FIELDS: &[&str] = &[
    "name",
    "description",
    "path",
    "format",
    "csv",
    "types",
    "strict",
    "connection",
    "table",
    "query",
    "partition",
];

impl DatasetDef {
    /// A dataset that is just a data file (or glob), named after the file.
    pub fn from_location(location: &str) -> Result<DatasetDef> {
        let format = Format::from_path(location).ok_or_else(|| {
            Error::invalid_with_help(
                format!("cannot tell the format of '{location}' from its extension"),
                "use .csv, .parquet, .jsonl or .json, or write a dataset file with `format:`",
            )
        })?;
        let mut csv = CsvOptions::default();
        if location.to_ascii_lowercase().ends_with(".tsv") {
            csv.delimiter = b'\t';
            csv.stated.delimiter = true;
        }
        let stem = Path::new(location)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| location.to_string());
        Ok(DatasetDef {
            name: stem,
            source: located(location, Path::new("."), format, csv)?,
            pins: Pins::default(),
            warnings: Vec::new(),
        })
    }

    /// A table or query over a named connection (a DataBrew `DatabaseInputDefinition`).
    pub fn from_database(
        connection: &str,
        table: Option<&str>,
        query: Option<&str>,
        connections: &ConnectionFiles,
    ) -> Result<DatasetDef> {
        let relation = match (table, query) {
            (_, Some(q)) => Relation::Query(q.to_string()),
            (Some(t), None) => Relation::table(t).map_err(Error::invalid)?,
            (None, None) => {
                return Err(Error::invalid(
                    "a database input needs DatabaseTableName or QueryString",
                ));
            }
        };
        let connection = connections.find(connection, None)?;
        Ok(DatasetDef {
            name: table.unwrap_or(&connection.name).to_string(),
            source: SourceDef::Database(Box::new(DatabaseSource {
                connection,
                relation,
                partition: None,
            })),
            pins: Pins::default(),
            warnings: Vec::new(),
        })
    }

    /// Read a dataset file: datacook YAML (or the same keys in JSON), or DataBrew's dataset
    /// JSON (`describe-dataset`).
    pub fn from_file(path: &Path, connections: &ConnectionFiles) -> Result<DatasetDef> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid(format!("cannot read dataset file '{file}': {e}")))?;
        let root = crate::recipe::load::parse_document(&text, &file)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        Parser {
            file,
            base: path.parent().unwrap_or(Path::new(".")),
            connections,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
        .definition(&root, name)
    }

    fn info(&self) -> SourceInfo {
        self.source.source().info()
    }

    /// Whether the data is CSV files, local or on S3 (downloaded, then inspected like local
    /// ones), which [`DatasetDef::load_holding`] can hold columns of.
    pub fn reads_csv_files(&self) -> bool {
        match &self.source {
            SourceDef::Files(f) => f.format == Format::Csv,
            SourceDef::S3(s) => s.format == Format::Csv,
            SourceDef::Database(_) => false,
        }
    }

    /// Where the data is, for progress messages.
    pub fn describe(&self) -> String {
        self.info().location
    }

    fn empty_report(&self) -> ReadReport {
        let info = self.info();
        ReadReport {
            dataset: self.name.clone(),
            source: info.kind,
            location: info.location,
            format: info.format,
            files: Vec::new(),
            rows: None,
            dialect: None,
            columns: Vec::new(),
            notes: Vec::new(),
            in_memory: Vec::new(),
        }
    }

    /// The schema, pins applied, reading no more than the source needs to tell the types.
    pub fn peek(&self) -> Result<DatasetSchema> {
        let peeked = self.source.source().peek(&self.pins.columns())?;
        let mut report = self.empty_report();
        report.columns = peeked.columns;
        report.dialect = peeked.dialect;
        let schema = self
            .pins
            .apply_to_schema(&self.name, &peeked.schema, &mut report.columns)?;
        Ok(DatasetSchema { schema, report })
    }

    /// The data as a lazy frame, pins applied. The row count is known when the source
    /// knew it, or after a counting pass.
    pub fn load(&self) -> Result<Loaded> {
        self.load_holding(&[], 0)
    }

    /// [`DatasetDef::load`], keeping the numeric columns `hold` names in memory as the source
    /// reads them, where it can (a CSV file, while they take at most `limit` bytes).
    pub fn load_holding(&self, hold: &[String], limit: usize) -> Result<Loaded> {
        let read = ReadOptions {
            as_text: self.pins.columns(),
            hold: hold.to_vec(),
            hold_limit: limit,
        };
        let Opened {
            mut lf,
            rows,
            files,
            mut columns,
            notes,
            dialect,
            keep,
            held,
        } = self.source.source().open(&read)?;
        let read_error =
            |e: PolarsError| Error::runtime(format!("cannot read '{}': {e}", self.describe()));
        let raw = lf.collect_schema().map_err(read_error)?.as_ref().clone();
        let schema = self.pins.apply_to_schema(&self.name, &raw, &mut columns)?;
        let lf = self.pins.apply(&self.name, lf, &raw)?;
        let rows = match rows {
            Some(r) => Some(r),
            None => crate::types::count_rows(lf.clone()).map_err(read_error)?,
        };
        let mut report = self.empty_report();
        report.files = files;
        report.rows = rows;
        report.columns = columns;
        report.notes = notes;
        report.dialect = dialect;
        Ok(Loaded {
            lf,
            schema,
            report,
            held,
            _keep: keep,
        })
    }
}

/// The source for a path or URL: S3, or local files relative to `base`.
fn located(location: &str, base: &Path, format: Format, csv: CsvOptions) -> Result<SourceDef> {
    match crate::s3::S3Url::parse(location) {
        Some(url) => Ok(SourceDef::S3(S3Source { url, format, csv })),
        None if crate::s3::S3Url::is_s3(location) => Err(Error::invalid(format!(
            "'{location}' is not an S3 location: use s3://bucket/key"
        ))),
        None => FileSource::new(location, base, format, csv).map(SourceDef::Files),
    }
}

/// Where the data is, as the keys said it.
#[derive(Default)]
struct Place<'n> {
    path: Option<(String, &'n Node)>,
    connection: Option<(String, &'n Node)>,
    table: Option<(String, &'n Node)>,
    query: Option<(String, &'n Node)>,
    partition: Option<Partition>,
}

/// Reads a dataset file's document, collecting every problem.
struct Parser<'a> {
    file: String,
    base: &'a Path,
    connections: &'a ConnectionFiles,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn loc(&self, n: &Node) -> Option<Location> {
        Some(Location {
            file: self.file.clone(),
            line: n.pos.line,
            column: n.pos.col,
        })
    }

    fn error(&mut self, message: impl Into<String>, at: &Node) {
        let d = Diagnostic::error(message).at(self.loc(at));
        self.errors.push(d);
    }

    fn definition(mut self, root: &Node, mut name: String) -> Result<DatasetDef> {
        let Some(entries) = root.as_map() else {
            return Err(Error::Invalid(vec![
                Diagnostic::error("a dataset file is a map with at least `path:`")
                    .at(self.loc(root)),
            ]));
        };
        let mut place = Place::default();
        let mut format = None;
        let mut csv = CsvOptions::default();
        let mut pins = Pins::default();
        for (k, v) in entries {
            let key = k.as_str().map(normalise_key).unwrap_or_default();
            match key.as_str() {
                "name" => name = v.scalar_text().unwrap_or(name),
                "description" | "tags" | "createDate" | "createdBy" | "lastModifiedDate"
                | "lastModifiedBy" | "resourceArn" | "source" => {}
                "path" | "location" => self.text_into(v, &mut place.path, "path"),
                "connection" => self.text_into(v, &mut place.connection, "connection"),
                "table" => self.text_into(v, &mut place.table, "table"),
                "query" => self.text_into(v, &mut place.query, "query"),
                "partition" => place.partition = self.partition(v),
                "input" => self.databrew_input(v, &mut place),
                "format" => match v.scalar_text().as_deref().and_then(Format::parse) {
                    Some(f) => format = Some(f),
                    None => {
                        let d = Diagnostic::error(format!(
                            "unknown format {:?}",
                            v.scalar_text().unwrap_or_default()
                        ))
                        .at(self.loc(v))
                        .with_help(Some("use csv, parquet, jsonl or json".into()));
                        self.errors.push(d);
                    }
                },
                "formatOptions" => self.databrew_format_options(v, &mut csv),
                "strict" => match v.kind {
                    NodeKind::Bool(b) => csv.strict = b,
                    _ => self.error("`strict` must be true or false", v),
                },
                "csv" => self.csv_options(v, &mut csv),
                "types" => self.pins(v, &mut pins),
                other => {
                    let w =
                        Diagnostic::warning(format!("unknown dataset field '{other}' is ignored"))
                            .at(self.loc(k))
                            .with_help(did_you_mean(other, FIELDS.iter().copied()));
                    self.warnings.push(w);
                }
            }
        }
        let source = self.source(root, place, format, csv);
        if !self.errors.is_empty() {
            return Err(Error::Invalid(self.errors));
        }
        Ok(DatasetDef {
            name,
            source: source?,
            pins,
            warnings: self.warnings,
        })
    }

    fn text_into<'n>(&mut self, v: &'n Node, slot: &mut Option<(String, &'n Node)>, what: &str) {
        match v.scalar_text() {
            Some(t) => *slot = Some((t, v)),
            None => self.error(format!("`{what}` must be text"), v),
        }
    }

    /// The source the collected keys describe.
    fn source(
        &mut self,
        root: &Node,
        place: Place,
        format: Option<Format>,
        csv: CsvOptions,
    ) -> Result<SourceDef> {
        let missing = || Error::Invalid(Vec::new());
        if let Some((connection, cnode)) = &place.connection {
            let relation = match (&place.table, &place.query) {
                (Some(_), Some((_, q))) => {
                    self.error("give either `table` or `query`, not both", q);
                    return Err(missing());
                }
                (Some((t, tnode)), None) => match Relation::table(t) {
                    Ok(r) => r,
                    Err(m) => {
                        self.error(m, tnode);
                        return Err(missing());
                    }
                },
                (None, Some((q, _))) => Relation::Query(q.clone()),
                (None, None) => {
                    let d = Diagnostic::error("a database dataset needs `table` or `query`")
                        .at(self.loc(cnode))
                        .with_help(Some("add `table: schema.table`".into()));
                    self.errors.push(d);
                    return Err(missing());
                }
            };
            let connection = self
                .connections
                .find(connection, Some(self.base))
                .map_err(|e| self.at(e, cnode))?;
            return Ok(SourceDef::Database(Box::new(DatabaseSource {
                connection,
                relation,
                partition: place.partition,
            })));
        }
        if let Some((_, n)) = place.table.as_ref().or(place.query.as_ref()) {
            let d = Diagnostic::error("`table` and `query` need a `connection`")
                .at(self.loc(n))
                .with_help(Some("add `connection: NAME` (see connections.yaml)".into()));
            self.errors.push(d);
            return Err(missing());
        }
        let Some((pattern, pnode)) = place.path else {
            let d = Diagnostic::error("the dataset has no `path` (or `connection` and `table`)")
                .at(self.loc(root));
            self.errors.push(d);
            return Err(missing());
        };
        let Some(format) = format.or_else(|| Format::from_path(&pattern)) else {
            let d = Diagnostic::error(format!("cannot tell the format of '{pattern}'"))
                .at(self.loc(pnode))
                .with_help(Some("add `format: csv` (or parquet, jsonl, json)".into()));
            self.errors.push(d);
            return Err(missing());
        };
        located(&pattern, self.base, format, csv).map_err(|e| self.at(e, pnode))
    }

    /// `e` located at `n` (its diagnostics had no place of their own).
    fn at(&self, e: Error, n: &Node) -> Error {
        match e {
            Error::Invalid(mut d) => {
                for x in &mut d {
                    if x.location.is_none() {
                        x.location = self.loc(n);
                    }
                }
                Error::Invalid(d)
            }
            other => other,
        }
    }

    fn partition(&mut self, v: &Node) -> Option<Partition> {
        let column = v.field(&["column"]).and_then(Node::scalar_text);
        let count = v
            .field(&["count"])
            .and_then(Node::scalar_text)
            .and_then(|c| c.parse::<usize>().ok());
        match (column, count) {
            (Some(column), Some(count)) if (1..=MAX_PARTITIONS).contains(&count) => {
                Some(Partition { column, count })
            }
            _ => {
                let d =
                    Diagnostic::error("`partition` needs a `column` and a `count` of at least 1")
                        .at(self.loc(v))
                        .with_help(Some("e.g. `partition: {column: id, count: 4}`".into()));
                self.errors.push(d);
                None
            }
        }
    }

    /// DataBrew's `Input`: `S3InputDefinition {Bucket, Key}` or `DatabaseInputDefinition
    /// {GlueConnectionName, DatabaseTableName | QueryString}`.
    fn databrew_input<'n>(&mut self, v: &'n Node, place: &mut Place<'n>) {
        if let Some(s3) = v.field(&["s3InputDefinition"]) {
            let bucket = s3.field(&["bucket"]).and_then(Node::scalar_text);
            let key = s3.field(&["key"]).and_then(Node::scalar_text);
            match (bucket, key) {
                (Some(b), Some(k)) => place.path = Some((format!("s3://{b}/{k}"), s3)),
                _ => self.error("S3InputDefinition needs Bucket and Key", s3),
            }
        } else if let Some(db) = v.field(&["databaseInputDefinition"]) {
            match db
                .field(&["glueConnectionName"])
                .and_then(Node::scalar_text)
            {
                Some(c) => place.connection = Some((c, db)),
                None => self.error("DatabaseInputDefinition needs GlueConnectionName", db),
            }
            if let Some(t) = db.field(&["databaseTableName"]) {
                self.text_into(t, &mut place.table, "DatabaseTableName");
            }
            if let Some(q) = db.field(&["queryString"]) {
                self.text_into(q, &mut place.query, "QueryString");
            }
        } else {
            let d = Diagnostic::error(
                "this Input cannot be read here: datacook reads S3InputDefinition and \
                 DatabaseInputDefinition",
            )
            .at(self.loc(v))
            .with_help(Some(
                "for a Data Catalog table, point `path` at its files instead".into(),
            ));
            self.errors.push(d);
        }
    }

    /// DataBrew's `FormatOptions`: `Csv {Delimiter, HeaderRow}`, `Json {MultiLine}`.
    fn databrew_format_options(&mut self, v: &Node, csv: &mut CsvOptions) {
        if let Some(c) = v.field(&["csv"]) {
            self.csv_options(c, csv);
        }
    }

    fn pins(&mut self, v: &Node, pins: &mut Pins) {
        let Some(entries) = v.as_map() else {
            self.error("`types` must map column names to types", v);
            return;
        };
        for (c, t) in entries {
            let (Some(c), Some(t)) = (c.scalar_text(), t.scalar_text()) else {
                continue;
            };
            match crate::types::parse_type(&t) {
                Some(dtype) => pins.push(c, dtype),
                None => {
                    let d = Diagnostic::error(format!("unknown type '{t}' for column '{c}'"))
                        .at(self.loc(v))
                        .with_help(Some(format!(
                            "types are {}",
                            crate::types::TYPE_NAMES.join(", ")
                        )));
                    self.errors.push(d);
                }
            }
        }
    }

    fn csv_options(&mut self, v: &Node, csv: &mut CsvOptions) {
        let Some(entries) = v.as_map() else {
            self.error("`csv` must be a map", v);
            return;
        };
        for (k, v) in entries {
            let key = k.as_str().map(normalise_key).unwrap_or_default();
            match key.as_str() {
                "delimiter" => match v.scalar_text().as_deref() {
                    Some("\n" | "\r") => {
                        self.error("`delimiter` cannot be a line break", v);
                    }
                    Some(d) if d.len() == 1 => {
                        csv.delimiter = d.as_bytes()[0];
                        csv.stated.delimiter = true;
                    }
                    Some(d) if d == "\\t" || d == "tab" => {
                        csv.delimiter = b'\t';
                        csv.stated.delimiter = true;
                    }
                    _ => self.error("`delimiter` must be exactly one character", v),
                },
                "quote" => match v.scalar_text() {
                    Some(q) if q == "\"" || q == "'" => {
                        csv.quote = q.as_bytes()[0];
                        csv.stated.quote = true;
                    }
                    _ => self.error("`quote` must be \" or '", v),
                },
                "escape" => match v.scalar_text().map(|e| e.to_ascii_lowercase()).as_deref() {
                    Some("doubled" | "double") => {
                        csv.escape = Escape::Doubled;
                        csv.stated.escape = true;
                    }
                    Some("backslash") => {
                        csv.escape = Escape::Backslash;
                        csv.stated.escape = true;
                    }
                    _ => {
                        let d = Diagnostic::error("unknown escape")
                            .at(self.loc(v))
                            .with_help(Some("use doubled (\"\") or backslash (\\\")".into()));
                        self.errors.push(d);
                    }
                },
                "skipRows" | "skip_rows" => {
                    match v.scalar_text().and_then(|n| n.parse::<u64>().ok()) {
                        Some(n) => {
                            csv.skip_rows = n;
                            csv.stated.skip_rows = true;
                        }
                        None => self.error("`skip_rows` must be a whole number", v),
                    }
                }
                "header" | "headerRow" => match v.kind {
                    NodeKind::Bool(b) => {
                        csv.header = b;
                        csv.stated.header = true;
                    }
                    _ => self.error("`header` must be true or false", v),
                },
                "encoding" => match v.scalar_text().map(|s| s.to_ascii_lowercase()).as_deref() {
                    Some("utf-8" | "utf8") => csv.encoding = Encoding::Utf8,
                    Some("latin1" | "latin-1" | "iso-8859-1") => csv.encoding = Encoding::Latin1,
                    _ => {
                        let d = Diagnostic::error("unknown encoding")
                            .at(self.loc(v))
                            .with_help(Some("use utf-8 or latin1".into()));
                        self.errors.push(d);
                    }
                },
                other => {
                    let w = Diagnostic::warning(format!("unknown csv option '{other}' is ignored"))
                        .at(self.loc(k))
                        .with_help(did_you_mean(
                            other,
                            [
                                "delimiter",
                                "quote",
                                "escape",
                                "header",
                                "skip_rows",
                                "encoding",
                            ],
                        ));
                    self.warnings.push(w);
                }
            }
        }
    }
}
