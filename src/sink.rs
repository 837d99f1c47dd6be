//! Writing outputs: CSV, Parquet or JSON Lines, optionally compressed, always atomically.
//!
//! The output is written to a hidden temporary file in the destination directory and renamed
//! over the final path only when complete (decisions.md, "Jobs and outputs"): readers never
//! see a half-written file, and a failed or killed run leaves the previous output untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use polars::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

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

const TEMP_SUFFIX: &str = ".datacook-tmp";

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

/// Write `lf` to `path` atomically and return the number of bytes written.
pub fn write_atomic(
    lf: LazyFrame,
    path: &Path,
    format: OutputFormat,
    compression: Compression,
) -> Result<u64> {
    check_compression(format, compression)?;
    let dir = ensure_parent_dir(path)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| Error::invalid(format!("'{}' is not a file path", path.display())))?;
    remove_stale_temps(&dir, &file_name);
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?
        .into_temp_path();

    let target = SinkDestination::File {
        target: SinkTarget::Path(PlRefPath::new(temp.display().to_string())),
    };
    let file_format = file_format(format, compression);
    let args = UnifiedSinkArgs {
        sync_on_close: polars::io::utils::sync_on_close::SyncOnCloseType::All,
        ..Default::default()
    };
    lf.sink(target, file_format, args)
        .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
        .map_err(|e| Error::runtime(format!("writing '{}' failed: {e}", path.display())))?;
    let bytes = std::fs::metadata(&temp).map(|m| m.len()).unwrap_or(0);
    temp.persist(path).map_err(|e| {
        Error::runtime(format!(
            "cannot move the output into place at '{}': {}",
            path.display(),
            e.error
        ))
    })?;
    Ok(bytes)
}

fn file_format(format: OutputFormat, compression: Compression) -> FileWriteFormat {
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

/// Temporary files of runs that were killed long ago (a live run's file is recent).
fn remove_stale_temps(dir: &Path, file_name: &str) {
    let prefix = format!(".{file_name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if name.starts_with(&prefix) && name.ends_with(TEMP_SUFFIX) && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
