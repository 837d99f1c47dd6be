//! Writing outputs: local files, S3 objects and database tables, each behind [`Sink`], and
//! each replaced whole or not at all ("replace output files for each job run"):
//!
//! * a local file is written aside and renamed over the old one (a partitioned output, a
//!   folder, is swapped in with one atomic exchange);
//! * an S3 object is uploaded in parts and appears only once complete;
//! * a table is loaded into a staging table and swapped in inside one transaction.

pub mod file;
pub mod s3;
pub mod table;

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::dataset::connections::ConnectionFiles;
use crate::error::{Error, Result};
use crate::s3::S3Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Csv,
    Parquet,
    /// JSON Lines: one object per row.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
    /// Parquet only.
    Snappy,
}

impl OutputFormat {
    /// The format implied by a file name (`out.csv.gz` is CSV).
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let name = name
            .trim_end_matches(".gz")
            .trim_end_matches(".zst")
            .trim_end_matches(".snappy");
        match name.rsplit('.').next()? {
            "csv" => Some(OutputFormat::Csv),
            "parquet" => Some(OutputFormat::Parquet),
            "json" | "jsonl" | "ndjson" => Some(OutputFormat::Json),
            _ => None,
        }
    }
}

/// How a table output treats the table already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum TableMode {
    /// Replace the table's rows (and columns) with the output, atomically.
    #[default]
    Replace,
    /// Add the output's rows to the table (created if missing), in one transaction.
    Append,
    /// Create the table; fail if it exists (DataBrew's `DatabaseOutputMode: NEW_TABLE`).
    Create,
}

/// Snappy exists for Parquet only.
pub fn check_compression(format: OutputFormat, compression: Compression) -> Result<()> {
    if compression == Compression::Snappy && format != OutputFormat::Parquet {
        return Err(Error::invalid_with_help(
            "snappy compression is available for Parquet output only",
            "use --compression gzip or zstd for CSV and JSON",
        ));
    }
    Ok(())
}

/// How to write.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub format: OutputFormat,
    pub compression: Compression,
    /// Hive-style `col=value/` folders, one level per column.
    pub partition_by: Vec<String>,
    pub mode: TableMode,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub location: String,
    /// Bytes written (files and objects; a table has none to tell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The files or objects of a partitioned output.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// Somewhere an output can go.
pub trait Sink {
    /// Where, for messages (never credentials).
    fn describe(&self) -> String;
    /// Write the frame, replacing what was there only once the new output is complete.
    fn write(&self, lf: LazyFrame, opts: &WriteOptions) -> Result<Written>;
}

/// An output location as given on the command line: a path, `s3://bucket/key`, or
/// `db://CONNECTION/schema.table`.
#[derive(Debug, Clone)]
pub enum Destination {
    File(PathBuf),
    S3(S3Url),
    Table { connection: String, table: String },
}

impl Destination {
    pub fn parse(text: &str) -> Result<Destination> {
        if let Some(rest) = text.strip_prefix("db://") {
            return match rest.split_once('/') {
                Some((c, t)) if !c.is_empty() && !t.is_empty() => Ok(Destination::Table {
                    connection: c.to_string(),
                    table: t.to_string(),
                }),
                _ => Err(Error::invalid_with_help(
                    format!("'{text}' is not a table output"),
                    "write db://CONNECTION/schema.table (the connection named in connections.yaml)",
                )),
            };
        }
        if S3Url::is_s3(text) {
            return match S3Url::parse(text) {
                Some(u) if !u.key.is_empty() => Ok(Destination::S3(u)),
                _ => Err(Error::invalid_with_help(
                    format!("'{text}' is not an S3 object"),
                    "write s3://bucket/key",
                )),
            };
        }
        Ok(Destination::File(PathBuf::from(text)))
    }

    /// The format a file or object name implies.
    pub fn implied_format(&self) -> Option<OutputFormat> {
        match self {
            Destination::File(p) => OutputFormat::from_path(p),
            Destination::S3(u) => OutputFormat::from_path(Path::new(&u.key)),
            Destination::Table { .. } => Some(OutputFormat::Parquet),
        }
    }

    pub fn is_table(&self) -> bool {
        matches!(self, Destination::Table { .. })
    }

    /// The sink for this destination; a table's connection is looked up in `connections`
    /// (and in `connections.yaml` in `beside`, the main dataset file's folder).
    pub fn sink(
        &self,
        connections: &ConnectionFiles,
        beside: Option<&Path>,
    ) -> Result<Box<dyn Sink>> {
        Ok(match self {
            Destination::File(p) => Box::new(file::FileSink { path: p.clone() }),
            Destination::S3(u) => Box::new(s3::S3Sink { url: u.clone() }),
            Destination::Table { connection, table } => Box::new(table::TableSink::new(
                connections.find(connection, beside)?,
                table,
            )?),
        })
    }
}

/// Write `lf` to `location` (a path or `s3://` URL) in `format`, replacing it whole; the
/// number of bytes written.
pub fn write_frame(
    lf: LazyFrame,
    location: &str,
    format: OutputFormat,
    compression: Compression,
    connections: &ConnectionFiles,
) -> Result<u64> {
    let opts = WriteOptions {
        format,
        compression,
        partition_by: Vec::new(),
        mode: TableMode::Replace,
    };
    let sink = Destination::parse(location)?.sink(connections, None)?;
    Ok(sink.write(lf, &opts)?.bytes.unwrap_or(0))
}

/// Write a report (JSON, JUnit, Markdown, HTML) to a local file or an S3 object, whole.
pub fn write_text(location: &Path, text: &str) -> Result<()> {
    let shown = location.display().to_string();
    match Destination::parse(&shown)? {
        Destination::S3(url) => s3::put_text(&url, text),
        Destination::File(path) => file::write_text_atomic(&path, text),
        Destination::Table { .. } => Err(Error::invalid(format!(
            "'{shown}': reports go to files or S3, not tables"
        ))),
    }
}

/// The folder `path` goes in (`.` for a bare file name), created if missing.
pub fn ensure_parent_dir(path: &Path) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::runtime(format!("cannot create '{}': {e}", dir.display())))?;
    Ok(dir)
}

/// Polars' description of a file format.
pub(crate) fn file_format(format: OutputFormat, compression: Compression) -> FileWriteFormat {
    let external = match compression {
        Compression::Gzip => ExternalCompression::Gzip { level: None },
        Compression::Zstd => ExternalCompression::Zstd { level: None },
        _ => ExternalCompression::Uncompressed,
    };
    match format {
        OutputFormat::Csv => FileWriteFormat::Csv(CsvWriterOptions {
            compression: external,
            check_extension: false,
            ..Default::default()
        }),
        OutputFormat::Json => FileWriteFormat::NDJson(NDJsonWriterOptions {
            compression: external,
            check_extension: false,
        }),
        OutputFormat::Parquet => FileWriteFormat::Parquet(Arc::new(ParquetWriteOptions {
            compression: match compression {
                Compression::None => ParquetCompression::Uncompressed,
                Compression::Gzip => ParquetCompression::Gzip(None),
                Compression::Zstd => ParquetCompression::Zstd(None),
                Compression::Snappy => ParquetCompression::Snappy,
            },
            statistics: StatisticsOptions::default(),
            row_group_size: None,
            data_page_size: None,
            key_value_metadata: None,
            arrow_schema: None,
            compat_level: None,
        })),
    }
}

/// The frame with the columns the format's writer cannot hold turned into text: binary
/// values as `\x`-prefixed hex (PostgreSQL's notation), and in CSV, lists as JSON arrays and
/// structs as JSON objects.
/// Parquet holds every type as it is, except a struct without fields.
pub(crate) fn writable(mut lf: LazyFrame, format: OutputFormat) -> Result<LazyFrame> {
    let schema = lf.collect_schema()?;
    if format == OutputFormat::Parquet {
        let empty = DataType::Struct(Vec::new());
        if let Some((name, _)) = schema
            .iter()
            .find(|(_, d)| d.contains_dtype_recursive(&empty))
        {
            return Err(Error::invalid_with_help(
                format!(
                    "column '{name}' holds a struct without fields (JSON_TO_STRUCTS found no \
                     JSON object with fields), which Parquet cannot store"
                ),
                "write CSV or JSON, or DELETE the column first",
            ));
        }
        return Ok(lf);
    }
    let needs_text =
        |d: &DataType| *d == DataType::Binary || (format == OutputFormat::Csv && d.is_nested());
    let columns: Vec<String> = schema
        .iter()
        .filter(|(_, d)| needs_text(d))
        .map(|(n, _)| n.to_string())
        .collect();
    if columns.is_empty() {
        return Ok(lf);
    }
    let mut df = crate::types::collect_streaming(lf)?;
    for name in columns {
        let text: StringChunked = df
            .column(&name)?
            .as_materialized_series()
            .iter()
            .map(|v| value_text(&v))
            .collect();
        df.with_column(text.with_name(name.as_str().into()).into_column())?;
    }
    Ok(df.lazy())
}

/// A value as text for a text-only format: None for null.
pub(crate) fn value_text(v: &AnyValue) -> Option<String> {
    match v {
        AnyValue::Null => None,
        AnyValue::Binary(b) => Some(hex(b)),
        AnyValue::BinaryOwned(b) => Some(hex(b)),
        other => Some(json_value(other).to_string()),
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("\\x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn json_value(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::String(s) => Value::String(s.to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Binary(b) => Value::String(hex(b)),
        AnyValue::BinaryOwned(b) => Value::String(hex(b)),
        AnyValue::List(items) => Value::Array(items.iter().map(|x| json_value(&x)).collect()),
        AnyValue::Struct(_, _, fields) => Value::Object(
            fields
                .iter()
                .zip(v._iter_struct_av())
                .map(|(f, x)| (f.name().to_string(), json_value(&x)))
                .collect(),
        ),
        AnyValue::StructOwned(payload) => Value::Object(
            payload
                .1
                .iter()
                .zip(payload.0.iter())
                .map(|(f, x)| (f.name().to_string(), json_value(x)))
                .collect(),
        ),
        other => match other.extract::<i64>() {
            Some(i) if other.is_integer() => Value::from(i),
            _ => match other.extract::<f64>() {
                Some(f) if other.is_float() => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                _ => Value::String(other.to_string().trim_matches('"').to_string()),
            },
        },
    }
}

/// Write `lf` to the local file `path` (not synced: the caller syncs what it keeps); the bytes
/// written. `shown` names the output in errors.
pub(crate) fn write_file(
    lf: LazyFrame,
    path: &Path,
    opts: &WriteOptions,
    shown: &str,
) -> Result<u64> {
    let target = SinkDestination::File {
        target: SinkTarget::Path(PlRefPath::new(path.display().to_string())),
    };
    // Polars' sink ignores `sync_on_close` for local files.
    lf.sink(
        target,
        file_format(opts.format, opts.compression),
        UnifiedSinkArgs::default(),
    )
    .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
    .map_err(|e| Error::runtime(format!("writing {shown} failed: {e}")))?;
    Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
}

/// Write Hive-style partitions of `lf` into the local folder `dir`; the files written
/// (relative, `/`-separated, sorted) and their bytes. `shown` names the output in errors.
pub(crate) fn write_partitions(
    lf: LazyFrame,
    dir: &Path,
    opts: &WriteOptions,
    shown: &str,
) -> Result<(Vec<String>, u64)> {
    let keys: Vec<Expr> = opts.partition_by.iter().map(|c| col(c.as_str())).collect();
    lf.sink(
        SinkDestination::Partitioned {
            base_path: PlRefPath::new(dir.display().to_string()),
            file_path_provider: None,
            partition_strategy: PartitionStrategy::Keyed {
                keys,
                include_keys: false,
                keys_pre_grouped: false,
            },
            max_rows_per_file: 0,
            approximate_bytes_per_file: 0,
        },
        file_format(opts.format, opts.compression),
        UnifiedSinkArgs {
            mkdir: true,
            ..Default::default()
        },
    )
    .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
    .map_err(|e| Error::runtime(format!("writing {shown} failed: {e}")))?;
    let mut files = Vec::new();
    let mut bytes = 0;
    collect_files(dir, dir, &mut files, &mut bytes);
    files.sort();
    Ok((files, bytes))
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>, bytes: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(root, &p, out, bytes);
        } else if let Ok(rel) = p.strip_prefix(root) {
            *bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(rel.to_string_lossy().into_owned());
        }
    }
}
