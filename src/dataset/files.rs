//! Local files: CSV (checked, repaired and typed without losing information by
//! [`super::csv`]), Parquet, JSON Lines and JSON documents. A path may be a glob; every file
//! it matches is one part of the dataset.

use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::csv::{self, ColType, CsvError, CsvOptions, Inspection};
use super::held::{Held, HoldRequest};
use super::report::{ColumnType, SourceNote, TypeOrigin};
use super::sniff::{DialectReport, SAMPLE_BYTES};
use super::source::{Format, Opened, Peeked, ReadOptions, Source, SourceInfo};
use crate::error::{Diagnostic, Error, Location, Result};

/// How many rows `validate` reads from a CSV file to tell its types.
const PEEK_ROWS: u64 = 1000;

/// A file to read, and the name reports give it (an S3 object read through a local copy is
/// reported by its URL).
#[derive(Debug, Clone)]
pub struct LocalFile {
    pub shown: String,
    pub path: PathBuf,
}

impl LocalFile {
    pub fn new(path: PathBuf) -> LocalFile {
        LocalFile {
            shown: path.display().to_string(),
            path,
        }
    }
}

/// Files on the local disk.
#[derive(Debug, Clone)]
pub struct FileSource {
    /// The path or glob as written.
    pub pattern: String,
    pub files: Vec<LocalFile>,
    pub format: Format,
    pub csv: CsvOptions,
}

impl FileSource {
    /// The files `pattern` names (relative to `base`), read as `format`.
    pub fn new(pattern: &str, base: &Path, format: Format, csv: CsvOptions) -> Result<FileSource> {
        Ok(FileSource {
            pattern: pattern.to_string(),
            files: expand(pattern, base)?
                .into_iter()
                .map(LocalFile::new)
                .collect(),
            format,
            csv,
        })
    }
}

impl Source for FileSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: "files",
            location: self.pattern.clone(),
            format: Some(self.format),
        }
    }

    fn peek(&self, as_text: &[String]) -> Result<Peeked> {
        peek_files(&self.files, self.format, &self.csv, as_text)
    }

    fn open(&self, read: &ReadOptions) -> Result<Opened> {
        open_files(&self.files, self.format, &self.csv, read)
    }
}

/// The schema of local files: a CSV's header and first rows, or the file's own schema.
pub(crate) fn peek_files(
    files: &[LocalFile],
    format: Format,
    opts: &CsvOptions,
    as_text: &[String],
) -> Result<Peeked> {
    match (format, files.first()) {
        (Format::Csv, Some(first)) => {
            let (opts, dialect) = dialect_of(first, opts)?;
            let ins =
                csv::peek_schema(&first.path, &opts, PEEK_ROWS).map_err(|e| csv_error(first, e))?;
            let evidence = describe_evidence(&ins, None);
            let (schema, columns) = csv_schema(&ins.headers, &ins.types, &evidence, as_text);
            Ok(Peeked {
                schema,
                columns,
                dialect: Some(dialect),
            })
        }
        _ => {
            let read = ReadOptions {
                as_text: as_text.to_vec(),
                ..ReadOptions::default()
            };
            let mut opened = open_files(files, format, opts, &read)?;
            let schema = opened.lf.collect_schema()?.as_ref().clone();
            Ok(Peeked {
                schema,
                columns: opened.columns,
                dialect: None,
            })
        }
    }
}

/// Local files as one lazy frame.
pub(crate) fn open_files(
    files: &[LocalFile],
    format: Format,
    opts: &CsvOptions,
    read: &ReadOptions,
) -> Result<Opened> {
    let mut opened = match format {
        Format::Csv => return open_csv(files, opts, read),
        Format::Parquet | Format::Jsonl => {
            let paths = files
                .iter()
                .map(|f| PlRefPath::new(f.path.display().to_string()))
                .collect();
            Opened::lazy(scan_in_place(paths, format).map_err(|e| read_error(files, e))?)
        }
        Format::Json => {
            let frames = files.iter().map(read_json).collect::<Result<Vec<_>>>()?;
            let rows = frames.iter().map(|df| df.height() as u64).sum();
            let mut opened = Opened::lazy(concat(
                frames.into_iter().map(DataFrame::lazy).collect::<Vec<_>>(),
                UnionArgs::default(),
            )?);
            opened.rows = Some(rows);
            opened
        }
    };
    let schema = opened
        .lf
        .collect_schema()
        .map_err(|e| read_error(files, e))?;
    opened.columns = ColumnType::from_schema(&schema, TypeOrigin::File);
    opened.files = files.iter().map(|f| f.shown.clone()).collect();
    Ok(opened)
}

/// Parquet or JSON Lines files (local paths or S3 URLs), scanned by Polars where they are.
pub(crate) fn scan_in_place(paths: Vec<PlRefPath>, format: Format) -> PolarsResult<LazyFrame> {
    match format {
        Format::Parquet => LazyFrame::scan_parquet_files(paths.into(), ScanArgsParquet::default()),
        _ => LazyJsonLineReader::new_paths(paths.into()).finish(),
    }
}

impl Opened {
    /// A lazy frame with nothing yet known about it.
    pub fn lazy(lf: LazyFrame) -> Opened {
        Opened {
            lf,
            rows: None,
            files: Vec::new(),
            columns: Vec::new(),
            notes: Vec::new(),
            dialect: None,
            keep: Vec::new(),
            held: None,
        }
    }
}

/// The options a dataset's CSV files are read with: what the dataset states, the rest
/// detected from the first file's start.
fn dialect_of(first: &LocalFile, opts: &CsvOptions) -> Result<(CsvOptions, DialectReport)> {
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    std::fs::File::open(&first.path)
        .and_then(|f| f.take(SAMPLE_BYTES as u64).read_to_end(&mut sample))
        .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", first.shown)))?;
    Ok(super::sniff::resolve(opts, &sample))
}

fn read_error(files: &[LocalFile], e: PolarsError) -> Error {
    let shown = match files {
        [one] => one.shown.clone(),
        _ => format!("{} files", files.len()),
    };
    Error::runtime(format!("cannot read '{shown}': {e}"))
}

/// Inspect (and, where needed, repair) every CSV file, then scan them with the types the
/// inspection found.
fn open_csv(files: &[LocalFile], opts: &CsvOptions, read: &ReadOptions) -> Result<Opened> {
    let as_text = read.as_text.as_slice();
    // Each file's dialect is its own (one part may have a preamble, another not); the
    // report shows the first file's.
    let mut dialects = Vec::new();
    for f in files {
        dialects.push(dialect_of(f, opts)?);
    }
    let Some((_, dialect)) = dialects.first().cloned() else {
        return Err(Error::invalid("the dataset has no files"));
    };
    let mut headers: Option<Vec<String>> = None;
    let mut inspections = Vec::new();
    let mut hold = hold_request(files, &dialects, read);
    for (f, (opts, _)) in files.iter().zip(&dialects) {
        let ins = csv::inspect(&f.path, opts, &hold).map_err(|e| csv_error(f, e))?;
        // The files share the limit; one that holds nothing ends the holding.
        hold.limit = ins
            .held
            .as_ref()
            .map_or(0, |h| hold.limit.saturating_sub(h.bytes()));
        match &headers {
            None => headers = Some(ins.headers.clone()),
            Some(h) if *h != ins.headers => {
                return Err(Error::invalid_with_help(
                    format!(
                        "'{}' has different columns than '{}'",
                        f.shown, files[0].shown
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
    for (f, ins) in files.iter().zip(&inspections) {
        for (t, u) in types.iter_mut().zip(&ins.types) {
            *t = t.merge(*u);
        }
        let shown = (files.len() > 1).then_some(f.shown.as_str());
        for (e, found) in evidence.iter_mut().zip(describe_evidence(ins, shown)) {
            if e.is_none() {
                *e = found;
            }
        }
        rows += ins.rows;
    }
    let (schema, columns) = csv_schema(&headers, &types, &evidence, as_text);
    let held = held_frame(&mut inspections, &headers, &types, &schema);
    let schema = Arc::new(schema);
    let mut opened = Opened::lazy(LazyFrame::default());
    opened.rows = Some(rows);
    opened.held = held;
    opened.columns = columns;
    opened.dialect = Some(dialect);
    opened.files = files.iter().map(|f| f.shown.clone()).collect();
    let mut frames = Vec::new();
    for ((f, ins), (opts, _)) in files.iter().zip(&inspections).zip(&dialects) {
        for (kind, stat) in &ins.repairs.0 {
            opened.notes.push(SourceNote {
                kind: serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                description: kind.describe().to_string(),
                place: Some(f.shown.clone()),
                count: stat.count,
                lines: stat.lines.clone(),
                repair: true,
            });
        }
        let (path, has_header, separator) = if ins.needs_rewrite {
            let tmp = tempfile::Builder::new()
                .prefix(".datacook-repaired-")
                .suffix(".csv")
                .tempfile()
                .map_err(|e| Error::runtime(format!("cannot create a temporary file: {e}")))?
                .into_temp_path();
            csv::rewrite(&f.path, opts, ins, &tmp).map_err(|e| csv_error(f, e))?;
            let p = tmp.to_path_buf();
            opened.keep.push(Box::new(tmp));
            (p, true, b',')
        } else {
            (f.path.clone(), opts.header, opts.delimiter)
        };
        let lf = LazyCsvReader::new(PlRefPath::new(path.display().to_string()))
            .with_has_header(has_header)
            .with_separator(separator)
            .with_schema(Some(schema.clone()))
            .with_missing_is_null(true)
            .with_raise_if_empty(false)
            .finish()
            .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", f.shown)))?;
        frames.push(lf);
    }
    opened.lf = if frames.len() == 1 {
        frames.pop().unwrap_or_default()
    } else {
        concat(frames, UnionArgs::default())?
    };
    Ok(opened)
}

/// Held values may take this much memory whatever the files' size.
const HOLD_FLOOR_BYTES: usize = 16 << 20;

/// Where the columns `read` asks to hold are in the files' header (the text-read ones are
/// not held; every file has the first one's header, or the dataset is refused), and the
/// memory all the files' held values may take together.
fn hold_request(
    files: &[LocalFile],
    dialects: &[(CsvOptions, DialectReport)],
    read: &ReadOptions,
) -> HoldRequest {
    let (Some(first), Some((opts, _))) = (files.first(), dialects.first()) else {
        return HoldRequest::default();
    };
    if read.hold.is_empty() || read.hold_limit == 0 {
        return HoldRequest::default();
    }
    // Held values and the statistics over them (about as much again) stay below the input's
    // size, as when the job streams (or a few MiB, next to the process's own 50).
    let size: u64 = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .sum();
    let limit = read
        .hold_limit
        .min((size as usize / 2).max(HOLD_FLOOR_BYTES));
    // A header the peek cannot find (blank lines before it) holds nothing; the inspection
    // reports what is wrong, if anything.
    let Ok(head) = csv::peek_schema(&first.path, opts, 1) else {
        return HoldRequest::default();
    };
    let columns = head
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| read.hold.contains(h) && !read.as_text.contains(h))
        .map(|(i, _)| i)
        .collect();
    HoldRequest { columns, limit }
}

/// The columns every file's inspection held, file after file, typed as the scan reads them
/// (`types`, merged over the files); none unless every file held them.
fn held_frame(
    inspections: &mut [Inspection],
    headers: &[String],
    types: &[ColType],
    schema: &Schema,
) -> Option<DataFrame> {
    let held: Vec<(Held, u64)> = inspections
        .iter_mut()
        .map(|ins| Some((ins.held.take()?, ins.rows)))
        .collect::<Option<_>>()?;
    let mut all: Option<DataFrame> = None;
    for (h, rows) in held {
        let columns: Vec<Column> = h
            .into_columns(headers, types)
            .into_iter()
            .filter(|c| schema.get(c.name()) == Some(c.dtype()) && c.len() as u64 == rows)
            .collect();
        let frame = DataFrame::new_infer_height(columns).ok()?;
        all = Some(match all {
            None => frame,
            Some(mut all) => {
                all.vstack_mut_owned(frame).ok()?;
                all
            }
        });
    }
    all.filter(|df| df.width() > 0)
}

/// The Polars schema of a CSV: the inferred types, with `as_text` columns read as text.
/// A column without a single value is text, marked as having no values: a step that needs
/// numbers reads it as numbers instead (see `job::input`).
fn csv_schema(
    headers: &[String],
    types: &[ColType],
    evidence: &[Option<String>],
    as_text: &[String],
) -> (Schema, Vec<ColumnType>) {
    let mut schema = Schema::with_capacity(headers.len());
    let mut columns = Vec::new();
    for ((h, t), why_text) in headers.iter().zip(types).zip(evidence) {
        let text = as_text.contains(h);
        let dtype = match t {
            _ if text => DataType::String,
            ColType::Integer => DataType::Int64,
            ColType::Float => DataType::Float64,
            ColType::Boolean => DataType::Boolean,
            ColType::Empty | ColType::Text => DataType::String,
        };
        columns.push(ColumnType {
            column: h.clone(),
            dtype: dtype.to_string(),
            source: if *t == ColType::Empty {
                TypeOrigin::NoValues
            } else {
                TypeOrigin::Inferred
            },
            note: why_text.clone().filter(|_| dtype == DataType::String),
        });
        schema.with_column(h.as_str().into(), dtype);
    }
    (schema, columns)
}

fn csv_error(file: &LocalFile, e: CsvError) -> Error {
    match e {
        CsvError::Io(io) => Error::runtime(format!("cannot read '{}': {io}", file.shown)),
        CsvError::Malformed { .. } | CsvError::Empty | CsvError::TooBroken(_) => {
            Error::Invalid(vec![Diagnostic::error(format!("{}: {e}", file.shown)).at(
                match &e {
                    CsvError::Malformed { line, .. } => Some(Location {
                        file: file.shown.clone(),
                        line: *line as usize,
                        column: 1,
                    }),
                    _ => None,
                },
            )])
        }
    }
}

/// "line 41 holds '1 7'" per column (naming the file when the dataset has several).
fn describe_evidence(ins: &Inspection, file: Option<&str>) -> Vec<Option<String>> {
    ins.text_evidence
        .iter()
        .map(|e| {
            let e = e.as_ref()?;
            Some(match file {
                Some(f) => format!("line {} of {f} holds '{}'", e.line, e.value),
                None => format!("line {} holds '{}'", e.line, e.value),
            })
        })
        .collect()
}

/// A JSON file: an array of objects, or one object per line (what `run --format json`
/// writes), whichever it turns out to be.
fn read_json(file: &LocalFile) -> Result<DataFrame> {
    let bytes = std::fs::read(&file.path)
        .map_err(|e| Error::runtime(format!("cannot read '{}': {e}", file.shown)))?;
    read_json_bytes(&bytes, &file.shown)
}

fn read_json_bytes(bytes: &[u8], shown: &str) -> Result<DataFrame> {
    let read = |format| {
        JsonReader::new(std::io::Cursor::new(bytes))
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
            format!("{shown}: invalid JSON: {e}"),
            "a JSON dataset is an array of objects, or one object per line (JSON Lines)",
        )
    })
}

/// Expand a path or glob relative to `base`; at least one file must match.
pub fn expand(pattern: &str, base: &Path) -> Result<Vec<PathBuf>> {
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
