//! Datasets: where the data lives and how to read it.
//!
//! A dataset file (`datasets/NAME.yaml`) names a path or glob (relative to the file), a
//! format, CSV options, optional column type pins and `strict`:
//!
//! ```yaml
//! name: students
//! path: students.csv
//! format: csv            # csv | parquet | jsonl | json (default: from the extension)
//! csv:
//!   delimiter: ","
//!   header: true         # false: columns are named Column_1..Column_N
//!   encoding: utf-8      # or latin1
//! types:                 # optional pins: string, int, long, double, boolean, date, timestamp
//!   student_id: string
//! strict: false          # true: a malformed row is an error naming its line
//! ```
//!
//! A plain data file path works as a dataset too. JOIN and UNION find their other datasets by
//! name through the [`Catalogue`] (`--datasets-dir`, `--with NAME=PATH`).

pub mod csv;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use self::csv::{ColType, CsvError, CsvOptions, Encoding};
use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::recipe::node::{Node, NodeKind};
use crate::recipe::params::normalise_key;

/// How an operation names another dataset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DatasetRef {
    Name(String),
    Location(String),
}

impl fmt::Display for DatasetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetRef::Name(n) => write!(f, "{n}"),
            DatasetRef::Location(l) => write!(f, "{l}"),
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
        let key = d.to_string();
        self.0.get(&key).ok_or_else(|| ResolveError {
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
    fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Format::Csv,
            "parquet" => Format::Parquet,
            "jsonl" | "ndjson" | "json-lines" | "json_lines" => Format::Jsonl,
            "json" => Format::Json,
            _ => return None,
        })
    }

    fn from_path(p: &str) -> Option<Format> {
        let lower = p.to_ascii_lowercase();
        let lower = lower.trim_end_matches(".gz").trim_end_matches(".zst");
        let ext = lower.rsplit('.').next()?;
        Format::parse(ext)
    }
}

/// A dataset definition, resolved to files.
#[derive(Debug, Clone)]
pub struct DatasetDef {
    pub name: String,
    /// The path or glob as written.
    pub pattern: String,
    pub files: Vec<PathBuf>,
    pub format: Format,
    pub csv: CsvOptions,
    /// Column type pins, as written.
    pub types: Vec<(String, String)>,
    pub warnings: Vec<Diagnostic>,
}

const PIN_TYPES: &[&str] = &[
    "string",
    "int",
    "integer",
    "long",
    "double",
    "float",
    "boolean",
    "date",
    "timestamp",
];

impl DatasetDef {
    /// A dataset that is just a data file.
    pub fn from_data_file(path: &Path) -> Result<DatasetDef> {
        let text = path.display().to_string();
        let format = Format::from_path(&text).ok_or_else(|| {
            Error::invalid_with_help(
                format!("cannot tell the format of '{text}' from its extension"),
                "use .csv, .parquet, .jsonl or .json, or write a dataset file with `format:`",
            )
        })?;
        let mut csv = CsvOptions::default();
        if text.to_ascii_lowercase().ends_with(".tsv") {
            csv.delimiter = b'\t';
        }
        Ok(DatasetDef {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| text.clone()),
            pattern: text.clone(),
            files: expand(&text, Path::new("."))?,
            format,
            csv,
            types: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// Read a dataset file (`*.yaml`).
    pub fn from_yaml_file(path: &Path) -> Result<DatasetDef> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid(format!("cannot read dataset file '{file}': {e}")))?;
        let loc = |n: &Node| {
            Some(Location {
                file: file.clone(),
                line: n.pos.line,
                column: n.pos.col,
            })
        };
        let root = crate::recipe::yaml::parse(&text).map_err(|e| {
            Error::Invalid(vec![
                Diagnostic::error(format!("invalid YAML: {}", e.message)).at(Some(Location {
                    file: file.clone(),
                    line: e.pos.line,
                    column: e.pos.col,
                })),
            ])
        })?;
        let Some(entries) = root.as_map() else {
            return Err(Error::Invalid(vec![
                Diagnostic::error("a dataset file is a map with at least `path:`").at(loc(&root)),
            ]));
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut pattern: Option<(String, &Node)> = None;
        let mut format = None;
        let mut csv = CsvOptions::default();
        let mut types = Vec::new();
        for (k, v) in entries {
            let key = k.as_str().map(normalise_key).unwrap_or_default();
            match key.as_str() {
                "name" => name = v.scalar_text().unwrap_or(name),
                "description" => {}
                "path" | "location" => match v.scalar_text() {
                    Some(p) => pattern = Some((p, v)),
                    None => errors.push(Diagnostic::error("`path` must be text").at(loc(v))),
                },
                "format" => match v.scalar_text().as_deref().and_then(Format::parse) {
                    Some(f) => format = Some(f),
                    None => errors.push(
                        Diagnostic::error(format!(
                            "unknown format {:?}",
                            v.scalar_text().unwrap_or_default()
                        ))
                        .at(loc(v))
                        .with_help(Some("use csv, parquet, jsonl or json".into())),
                    ),
                },
                "strict" => match v.kind {
                    NodeKind::Bool(b) => csv.strict = b,
                    _ => {
                        errors.push(Diagnostic::error("`strict` must be true or false").at(loc(v)))
                    }
                },
                "csv" => read_csv_options(v, &mut csv, &mut errors, &mut warnings, &loc),
                "types" => match v.as_map() {
                    Some(pins) => {
                        for (c, t) in pins {
                            let (Some(c), Some(t)) = (c.scalar_text(), t.scalar_text()) else {
                                continue;
                            };
                            if PIN_TYPES.contains(&t.to_ascii_lowercase().as_str()) {
                                types.push((c, t.to_ascii_lowercase()));
                            } else {
                                errors.push(
                                    Diagnostic::error(format!(
                                        "unknown type '{t}' for column '{c}'"
                                    ))
                                    .at(loc(v))
                                    .with_help(Some(format!("types are {}", PIN_TYPES.join(", ")))),
                                );
                            }
                        }
                    }
                    None => errors.push(
                        Diagnostic::error("`types` must map column names to types").at(loc(v)),
                    ),
                },
                other => warnings.push(
                    Diagnostic::warning(format!("unknown dataset field '{other}' is ignored"))
                        .at(loc(k))
                        .with_help(did_you_mean(
                            other,
                            [
                                "name",
                                "description",
                                "path",
                                "format",
                                "csv",
                                "types",
                                "strict",
                            ],
                        )),
                ),
            }
        }
        let Some((pattern, pnode)) = pattern else {
            errors.push(Diagnostic::error("the dataset has no `path`").at(loc(&root)));
            return Err(Error::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let format = match format.or_else(|| Format::from_path(&pattern)) {
            Some(f) => f,
            None => {
                return Err(Error::Invalid(vec![
                    Diagnostic::error(format!("cannot tell the format of '{pattern}'"))
                        .at(loc(pnode))
                        .with_help(Some("add `format: csv` (or parquet, jsonl, json)".into())),
                ]));
            }
        };
        let files = expand(&pattern, base).map_err(|e| match e {
            Error::Invalid(mut d) => {
                for x in &mut d {
                    x.location = loc(pnode);
                }
                Error::Invalid(d)
            }
            other => other,
        })?;
        Ok(DatasetDef {
            name,
            pattern,
            files,
            format,
            csv,
            types,
            warnings,
        })
    }

    /// The schema, from the header and the first rows only (for `validate`), with the notes
    /// on columns read as text.
    pub fn peek_schema(&self) -> Result<(Schema, ColumnNotes)> {
        match self.format {
            Format::Csv => {
                let ins = csv::peek_schema(&self.files[0], &self.csv, 1000)
                    .map_err(|e| self.csv_error(&self.files[0], e))?;
                let evidence = describe_evidence(&ins, None);
                let (schema, columns) = self.csv_schema(&ins.headers, &ins.types, &evidence);
                Ok((schema, column_notes(&columns)))
            }
            _ => Ok((self.open()?.schema, ColumnNotes::new())),
        }
    }

    fn csv_error(&self, file: &Path, e: CsvError) -> Error {
        match e {
            CsvError::Io(io) => Error::runtime(format!("cannot read '{}': {io}", file.display())),
            CsvError::Malformed { .. } | CsvError::Empty | CsvError::TooBroken(_) => {
                Error::Invalid(vec![
                    Diagnostic::error(format!("{}: {e}", file.display())).at(match &e {
                        CsvError::Malformed { line, .. } => Some(Location {
                            file: file.display().to_string(),
                            line: *line as usize,
                            column: 1,
                        }),
                        _ => None,
                    }),
                ])
            }
        }
    }

    /// Polars schema for a CSV: inferred types, with pinned columns read as text (they are
    /// converted in the plan, so a bad value becomes null instead of failing the read).
    fn csv_schema(
        &self,
        headers: &[String],
        types: &[ColType],
        evidence: &[Option<String>],
    ) -> (Schema, Vec<ColumnType>) {
        let mut schema = Schema::with_capacity(headers.len());
        let mut described = Vec::new();
        for ((h, t), why_text) in headers.iter().zip(types).zip(evidence) {
            let pinned = self
                .types
                .iter()
                .find(|(c, _)| c == h)
                .map(|(_, t)| t.clone());
            let dtype = match (&pinned, t) {
                (Some(_), _) => DataType::String,
                (None, ColType::Integer) => DataType::Int64,
                (None, ColType::Float) => DataType::Float64,
                (None, ColType::Boolean) => DataType::Boolean,
                (None, _) => DataType::String,
            };
            described.push(ColumnType {
                column: h.clone(),
                dtype: match &pinned {
                    Some(p) => pin_dtype(p).to_string(),
                    None => dtype.to_string(),
                },
                source: if pinned.is_some() {
                    "pinned"
                } else {
                    "inferred"
                },
                note: why_text.clone().filter(|_| dtype == DataType::String),
            });
            schema.with_column(h.as_str().into(), dtype);
        }
        (schema, described)
    }

    /// Read the whole dataset lazily: inspect (and repair) CSV files, then scan.
    pub fn load(&self) -> Result<Loaded> {
        let mut loaded = self.open()?;
        if loaded.report.rows.is_none() {
            // Parquet answers from its metadata; JSON Lines needs a pass, as any reader would.
            loaded.report.rows = crate::ops::count_rows(loaded.lf.clone())
                .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", self.pattern)))?;
        }
        Ok(loaded)
    }

    /// The dataset as a lazy frame and its schema, without reading the data beyond what CSV
    /// inspection needs; the row count only where that already gave it.
    fn open(&self) -> Result<Loaded> {
        let mut report = ReadReport {
            dataset: self.name.clone(),
            files: self.files.iter().map(|f| f.display().to_string()).collect(),
            format: self.format,
            rows: None,
            columns: Vec::new(),
            repairs: Vec::new(),
            rewritten: false,
        };
        let mut temp = Vec::new();
        let lf = match self.format {
            Format::Csv => self.load_csv(&mut report, &mut temp)?,
            Format::Parquet => {
                let paths: Vec<PlRefPath> = self
                    .files
                    .iter()
                    .map(|f| PlRefPath::new(f.display().to_string()))
                    .collect();
                LazyFrame::scan_parquet_files(paths.into(), ScanArgsParquet::default())
                    .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", self.pattern)))?
            }
            Format::Jsonl => {
                let paths: Vec<PlRefPath> = self
                    .files
                    .iter()
                    .map(|f| PlRefPath::new(f.display().to_string()))
                    .collect();
                LazyJsonLineReader::new_paths(paths.into())
                    .finish()
                    .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", self.pattern)))?
            }
            Format::Json => {
                let frames = self
                    .files
                    .iter()
                    .map(|f| read_json(f))
                    .collect::<Result<Vec<_>>>()?;
                report.rows = Some(frames.iter().map(|df| df.height() as u64).sum());
                concat(
                    frames.into_iter().map(DataFrame::lazy).collect::<Vec<_>>(),
                    UnionArgs::default(),
                )?
            }
        };
        let lf = self.apply_pins(lf)?;
        let mut lf = lf;
        let schema = lf
            .collect_schema()
            .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", self.pattern)))?
            .as_ref()
            .clone();
        if report.columns.is_empty() {
            report.columns = schema
                .iter()
                .map(|(n, d)| ColumnType {
                    column: n.to_string(),
                    dtype: d.to_string(),
                    source: "file",
                    note: None,
                })
                .collect();
        }
        Ok(Loaded {
            lf,
            schema,
            report,
            _temp: temp,
        })
    }

    fn load_csv(
        &self,
        report: &mut ReadReport,
        temp: &mut Vec<tempfile::TempPath>,
    ) -> Result<LazyFrame> {
        let mut frames = Vec::new();
        let mut headers: Option<Vec<String>> = None;
        let mut inspections = Vec::new();
        for f in &self.files {
            let ins = csv::inspect(f, &self.csv).map_err(|e| self.csv_error(f, e))?;
            match &headers {
                None => headers = Some(ins.headers.clone()),
                Some(h) if *h != ins.headers => {
                    return Err(Error::invalid_with_help(
                        format!(
                            "'{}' has different columns than '{}'",
                            f.display(),
                            self.files[0].display()
                        ),
                        "all files of one dataset must share the header",
                    ));
                }
                _ => {}
            }
            inspections.push(ins);
        }
        let headers = headers.unwrap_or_default();
        let mut types = vec![ColType::Empty; headers.len()];
        let mut evidence = vec![None; headers.len()];
        let mut rows = 0;
        for (f, ins) in self.files.iter().zip(&inspections) {
            for (t, u) in types.iter_mut().zip(&ins.types) {
                *t = t.merge(*u);
            }
            let file = (self.files.len() > 1).then_some(f.as_path());
            for (e, found) in evidence.iter_mut().zip(describe_evidence(ins, file)) {
                if e.is_none() {
                    *e = found;
                }
            }
            rows += ins.rows;
        }
        let (schema, described) = self.csv_schema(&headers, &types, &evidence);
        report.columns = described;
        report.rows = Some(rows);
        let schema = Arc::new(schema);
        for (f, ins) in self.files.iter().zip(&inspections) {
            for (kind, stat) in &ins.repairs.0 {
                report.repairs.push(RepairReport {
                    file: f.display().to_string(),
                    kind: *kind,
                    description: kind.describe(),
                    count: stat.count,
                    lines: stat.lines.clone(),
                });
            }
            let (path, has_header, separator) = if ins.needs_rewrite {
                let tmp = tempfile::Builder::new()
                    .prefix(".datacook-repaired-")
                    .suffix(".csv")
                    .tempfile()
                    .map_err(|e| Error::runtime(format!("cannot create a temporary file: {e}")))?
                    .into_temp_path();
                csv::rewrite(f, &self.csv, ins, &tmp).map_err(|e| self.csv_error(f, e))?;
                report.rewritten = true;
                let p = tmp.to_path_buf();
                temp.push(tmp);
                (p, true, b',')
            } else {
                (f.clone(), self.csv.header, self.csv.delimiter)
            };
            let lf = LazyCsvReader::new(PlRefPath::new(path.display().to_string()))
                .with_has_header(has_header)
                .with_separator(separator)
                .with_schema(Some(schema.clone()))
                .with_missing_is_null(true)
                .with_raise_if_empty(false)
                .finish()
                .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", f.display())))?;
            frames.push(lf);
        }
        if frames.len() == 1 {
            return Ok(frames.pop().unwrap_or_default());
        }
        Ok(concat(frames, UnionArgs::default())?)
    }

    /// Convert pinned columns (read as text) to their declared types.
    fn apply_pins(&self, mut lf: LazyFrame) -> Result<LazyFrame> {
        if self.types.is_empty() {
            return Ok(lf);
        }
        let schema = lf.collect_schema()?;
        let mut exprs = Vec::new();
        for (c, t) in &self.types {
            let Some(current) = schema.get(c.as_str()) else {
                return Err(Error::invalid_with_help(
                    format!(
                        "dataset '{}' pins the type of '{c}', which is not a column",
                        self.name
                    ),
                    did_you_mean(c, schema.iter_names().map(|n| n.as_str()))
                        .unwrap_or_else(|| "check the `types:` section".into()),
                ));
            };
            let target = pin_dtype(t);
            let e = crate::ops::columns::convert(col(c.as_str()), current, &target);
            exprs.push(e.alias(c.as_str()));
        }
        Ok(lf.with_columns(exprs))
    }
}

/// A JSON file: an array of objects, or one object per line (what `run --format json`
/// writes), whichever it turns out to be.
fn read_json(path: &Path) -> Result<DataFrame> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", path.display())))?;
    let read = |format| {
        JsonReader::new(std::io::Cursor::new(&bytes))
            .with_json_format(format)
            .finish()
    };
    let as_document = read(JsonFormat::Json);
    let starts_with_object = bytes.trim_ascii_start().first() == Some(&b'{');
    match as_document {
        Err(_) if starts_with_object => read(JsonFormat::JsonLines),
        other => other,
    }
    .map_err(|e| {
        Error::invalid_with_help(
            format!("{}: invalid JSON: {e}", path.display()),
            "a JSON dataset is an array of objects, or one object per line (JSON Lines)",
        )
    })
}

/// "line 41 holds '1 7'" per column (naming the file when the dataset has several).
fn describe_evidence(ins: &csv::Inspection, file: Option<&Path>) -> Vec<Option<String>> {
    ins.text_evidence
        .iter()
        .map(|e| {
            let e = e.as_ref()?;
            Some(match file {
                Some(f) => format!("line {} of {} holds '{}'", e.line, f.display(), e.value),
                None => format!("line {} holds '{}'", e.line, e.value),
            })
        })
        .collect()
}

fn pin_dtype(t: &str) -> DataType {
    match t {
        "int" | "integer" | "long" => DataType::Int64,
        "double" | "float" => DataType::Float64,
        "boolean" => DataType::Boolean,
        "date" => DataType::Date,
        "timestamp" => DataType::Datetime(TimeUnit::Microseconds, None),
        _ => DataType::String,
    }
}

fn read_csv_options(
    v: &Node,
    csv: &mut CsvOptions,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
    loc: &dyn Fn(&Node) -> Option<Location>,
) {
    let Some(entries) = v.as_map() else {
        errors.push(Diagnostic::error("`csv` must be a map").at(loc(v)));
        return;
    };
    for (k, v) in entries {
        let key = k.as_str().map(normalise_key).unwrap_or_default();
        match key.as_str() {
            "delimiter" => match v.scalar_text() {
                Some(d) if d.len() == 1 => csv.delimiter = d.as_bytes()[0],
                Some(d) if d == "\\t" || d == "tab" => csv.delimiter = b'\t',
                _ => errors.push(
                    Diagnostic::error("`delimiter` must be exactly one character").at(loc(v)),
                ),
            },
            "header" | "headerRow" => match v.kind {
                NodeKind::Bool(b) => csv.header = b,
                _ => errors.push(Diagnostic::error("`header` must be true or false").at(loc(v))),
            },
            "encoding" => match v.scalar_text().map(|s| s.to_ascii_lowercase()).as_deref() {
                Some("utf-8" | "utf8") => csv.encoding = Encoding::Utf8,
                Some("latin1" | "latin-1" | "iso-8859-1") => csv.encoding = Encoding::Latin1,
                _ => errors.push(
                    Diagnostic::error("unknown encoding")
                        .at(loc(v))
                        .with_help(Some("use utf-8 or latin1".into())),
                ),
            },
            other => warnings.push(
                Diagnostic::warning(format!("unknown csv option '{other}' is ignored"))
                    .at(loc(k))
                    .with_help(did_you_mean(other, ["delimiter", "header", "encoding"])),
            ),
        }
    }
}

/// Expand a path or glob relative to `base`; at least one file must match.
fn expand(pattern: &str, base: &Path) -> Result<Vec<PathBuf>> {
    if pattern.starts_with("s3://") {
        return Err(Error::invalid_with_help(
            format!("'{pattern}': S3 datasets are not supported yet"),
            "download the file and point the dataset at the local copy",
        ));
    }
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    };
    let text = full.display().to_string();
    if !text.contains(['*', '?', '[']) {
        if full.is_file() {
            return Ok(vec![full]);
        }
        if full.is_dir() {
            return Err(Error::invalid_with_help(
                format!("data path '{text}' is a directory"),
                format!("to read every file in it, use a glob: `path: {pattern}/*.csv`"),
            ));
        }
        return Err(Error::invalid_with_help(
            format!("data file '{text}' not found"),
            "check the dataset's `path` (relative to the dataset file)",
        ));
    }
    let mut files: Vec<PathBuf> = glob::glob(&text)
        .map_err(|e| Error::invalid(format!("invalid glob '{pattern}': {e}")))?
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::invalid(format!("no file matches '{text}'")));
    }
    Ok(files)
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnType {
    pub column: String,
    #[serde(rename = "type")]
    pub dtype: String,
    /// inferred, pinned, or file (typed formats).
    pub source: &'static str,
    /// Why a column holding numbers was read as text ("line 41 holds '1 7'").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Column name → why it was read as text although it holds numbers.
pub type ColumnNotes = BTreeMap<String, String>;

pub fn column_notes(columns: &[ColumnType]) -> ColumnNotes {
    columns
        .iter()
        .filter_map(|c| Some((c.column.clone(), c.note.clone()?)))
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    pub file: String,
    pub kind: csv::RepairKind,
    pub description: &'static str,
    pub count: u64,
    pub lines: Vec<u64>,
}

/// What reading a dataset found: its rows, column types and repairs.
#[derive(Debug, Clone, Serialize)]
pub struct ReadReport {
    pub dataset: String,
    pub files: Vec<String>,
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    pub columns: Vec<ColumnType>,
    pub repairs: Vec<RepairReport>,
    /// The file needed repairs and was read through a normalised copy.
    pub rewritten: bool,
}

/// A dataset ready to be read: the lazy scan, its schema, and what reading found.
pub struct Loaded {
    pub lf: LazyFrame,
    pub schema: Schema,
    pub report: ReadReport,
    _temp: Vec<tempfile::TempPath>,
}

/// Names → dataset definitions: `--with NAME=PATH` first, then `<dir>/NAME.yaml` (or any
/// dataset file in `<dir>` whose `name:` matches), then data files in `<dir>` by stem.
pub struct Catalogue {
    dir: PathBuf,
    overrides: Vec<(String, PathBuf)>,
    /// Read datasets fully (run) or only their schema (validate).
    full: bool,
    loaded: RefCell<BTreeMap<String, Loaded>>,
}

impl Catalogue {
    pub fn new(dir: PathBuf, overrides: Vec<(String, PathBuf)>, full: bool) -> Self {
        Catalogue {
            dir,
            overrides,
            full,
            loaded: RefCell::new(BTreeMap::new()),
        }
    }

    /// The main dataset from the command line: a dataset file, a data file, or a name.
    pub fn main_dataset(&self, spec: &str) -> Result<DatasetDef> {
        let path = Path::new(spec);
        if path.is_file() {
            return if is_yaml(path) {
                DatasetDef::from_yaml_file(path)
            } else {
                DatasetDef::from_data_file(path)
            };
        }
        if path.is_dir() {
            return Err(Error::invalid_with_help(
                format!("dataset '{spec}' is a directory"),
                "give a data file, or a dataset file whose `path` is a glob (`path: dir/*.csv`)",
            ));
        }
        let looks_like_path =
            spec.contains(['/', '\\']) || Format::from_path(spec).is_some() || is_yaml(path);
        if looks_like_path {
            return Err(Error::invalid_with_help(
                format!("dataset file '{spec}' not found"),
                "give a dataset file (datasets/NAME.yaml), a data file, or a dataset name",
            ));
        }
        self.by_name(spec)
            .map_err(|e| Error::invalid_with_help(e.message, e.help.unwrap_or_default()))
    }

    fn by_name(&self, name: &str) -> std::result::Result<DatasetDef, ResolveError> {
        let invalid = |e: Error| ResolveError {
            message: e.to_string(),
            help: None,
        };
        if let Some((_, p)) = self.overrides.iter().find(|(n, _)| n == name) {
            return if is_yaml(p) {
                DatasetDef::from_yaml_file(p)
            } else {
                DatasetDef::from_data_file(p)
            }
            .map_err(invalid);
        }
        let direct = self.dir.join(format!("{name}.yaml"));
        if direct.is_file() {
            return DatasetDef::from_yaml_file(&direct).map_err(invalid);
        }
        for f in self.dataset_files() {
            if let Ok(def) = DatasetDef::from_yaml_file(&f)
                && def.name == name
            {
                return Ok(def);
            }
        }
        let known = self.known_names();
        Err(ResolveError {
            message: format!("unknown dataset '{name}'"),
            help: did_you_mean(name, known.iter().map(String::as_str)).or_else(|| {
                Some(if known.is_empty() {
                    format!(
                        "no datasets in '{}'; pass --datasets-dir or --with {name}=PATH",
                        self.dir.display()
                    )
                } else {
                    format!("known datasets: {}", known.join(", "))
                })
            }),
        })
    }

    fn dataset_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| is_yaml(p))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    pub fn known_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.overrides.iter().map(|(n, _)| n.clone()).collect();
        for f in self.dataset_files() {
            if let Ok(def) = DatasetDef::from_yaml_file(&f) {
                names.push(def.name);
            }
        }
        names.sort();
        names.dedup();
        names
    }

    fn definition(&self, d: &DatasetRef) -> std::result::Result<DatasetDef, ResolveError> {
        match d {
            DatasetRef::Name(n) => self.by_name(n),
            DatasetRef::Location(l) => {
                let local = Path::new(l);
                let path = if local.is_file() {
                    local.to_path_buf()
                } else {
                    // An S3 key whose file name matches a data file next to the datasets.
                    let file_name = l.rsplit('/').next().unwrap_or(l);
                    let candidate = self.dir.join(file_name);
                    if l.starts_with("s3://") && candidate.is_file() {
                        candidate
                    } else {
                        return Err(ResolveError {
                            message: format!("cannot find the dataset at '{l}'"),
                            help: Some("name it with secondaryDatasetName, or map it with --with NAME=PATH".into()),
                        });
                    }
                };
                DatasetDef::from_data_file(&path).map_err(|e| ResolveError {
                    message: e.to_string(),
                    help: None,
                })
            }
        }
    }

    fn ensure_loaded(&self, d: &DatasetRef) -> std::result::Result<(), ResolveError> {
        let key = d.to_string();
        if self.loaded.borrow().contains_key(&key) {
            return Ok(());
        }
        let def = self.definition(d)?;
        let loaded = def.load().map_err(|e| ResolveError {
            message: format!("cannot read dataset '{key}': {e}"),
            help: None,
        })?;
        self.loaded.borrow_mut().insert(key, loaded);
        Ok(())
    }

    /// Read reports of the secondary datasets read so far.
    pub fn reports(&self) -> Vec<ReadReport> {
        self.loaded
            .borrow()
            .values()
            .map(|l| l.report.clone())
            .collect()
    }
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

impl Resolver for Catalogue {
    fn schema(&self, d: &DatasetRef) -> std::result::Result<Schema, ResolveError> {
        if !self.full {
            let def = self.definition(d)?;
            return def.peek_schema().map(|(s, _)| s).map_err(|e| ResolveError {
                message: format!("cannot read dataset '{d}': {e}"),
                help: None,
            });
        }
        self.ensure_loaded(d)?;
        Ok(self.loaded.borrow()[&d.to_string()].schema.clone())
    }

    fn scan(&self, d: &DatasetRef) -> std::result::Result<LazyFrame, ResolveError> {
        self.ensure_loaded(d)?;
        Ok(self.loaded.borrow()[&d.to_string()].lf.clone())
    }
}
