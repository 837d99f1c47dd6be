//! Datasets in S3: one object, every object under a prefix ending in `/`, or a glob, read as
//! one dataset. CSV objects are copied to local temporary files (streamed) and then checked,
//! repaired and typed exactly as local files are; Parquet and JSON Lines objects are scanned
//! in place by Polars (projection pushdown: a JOIN reads only the columns it needs).

use polars::prelude::*;

use super::csv::CsvOptions;
use super::files::{LocalFile, open_files, peek_files, read_json_bytes};
use super::report::{ColumnType, TypeOrigin};
use super::source::{Format, Opened, Peeked, Source, SourceInfo};
use crate::error::{Error, Result};
use crate::s3::{Bucket, S3Url};

/// How much of a CSV object `validate` reads to tell its types.
const PEEK_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone)]
pub struct S3Source {
    pub url: S3Url,
    pub format: Format,
    pub csv: CsvOptions,
}

impl S3Source {
    fn objects(&self) -> Result<(Bucket, Vec<(String, u64)>)> {
        let bucket = Bucket::open(&self.url.bucket)?;
        let objects = crate::runtime::block_on(bucket.resolve(&self.url))?;
        let keys = objects
            .into_iter()
            .map(|m| (m.location.to_string(), m.size))
            .collect();
        Ok((bucket, keys))
    }

    fn urls(&self, keys: &[(String, u64)]) -> Vec<String> {
        keys.iter()
            .map(|(k, _)| self.url.object(k).to_string())
            .collect()
    }

    fn scan(&self, urls: &[String]) -> Result<LazyFrame> {
        let paths: Vec<PlRefPath> = urls.iter().map(|u| PlRefPath::new(u.as_str())).collect();
        let read_error = |e: PolarsError| {
            Error::runtime(crate::s3::redact(&format!("cannot read {}: {e}", self.url)))
        };
        match self.format {
            Format::Parquet => {
                LazyFrame::scan_parquet_files(paths.into(), ScanArgsParquet::default())
                    .map_err(read_error)
            }
            _ => LazyJsonLineReader::new_paths(paths.into())
                .finish()
                .map_err(read_error),
        }
    }

    fn read_error(&self, e: PolarsError) -> Error {
        Error::runtime(crate::s3::redact(&format!("cannot read {}: {e}", self.url)))
    }

    fn read_json(&self, bucket: &Bucket, keys: &[(String, u64)]) -> Result<DataFrame> {
        let mut frames = Vec::new();
        for (key, _) in keys {
            let bytes = crate::runtime::block_on(bucket.get_all(key))?;
            frames.push(read_json_bytes(&bytes, &self.url.object(key).to_string())?.lazy());
        }
        Ok(concat(frames, UnionArgs::default())?.collect()?)
    }
}

impl Source for S3Source {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: "s3",
            location: self.url.to_string(),
            format: Some(self.format),
        }
    }

    fn peek(&self, as_text: &[String]) -> Result<Peeked> {
        let (bucket, keys) = self.objects()?;
        match self.format {
            Format::Csv => {
                let (key, size) = &keys[0];
                let head = crate::runtime::block_on(bucket.head_bytes(key, *size, PEEK_BYTES))?;
                // Whole lines only: a cut last line would look like a short row.
                let whole = if (*size as usize) > head.len() {
                    match memchr::memrchr(b'\n', &head) {
                        Some(i) => &head[..=i],
                        None => &head[..],
                    }
                } else {
                    &head[..]
                };
                let temp = temp_file()?;
                std::fs::write(&temp, whole)
                    .map_err(|e| Error::runtime(format!("cannot write a temporary file: {e}")))?;
                let file = LocalFile {
                    shown: self.url.object(key).to_string(),
                    path: temp.to_path_buf(),
                };
                peek_files(&[file], Format::Csv, &self.csv, as_text)
            }
            Format::Json => {
                let df = self.read_json(&bucket, &keys[..1])?;
                Ok(Peeked {
                    schema: df.schema().as_ref().clone(),
                    columns: ColumnType::from_schema(df.schema(), TypeOrigin::File),
                    dialect: None,
                })
            }
            Format::Parquet | Format::Jsonl => {
                let mut lf = self.scan(&self.urls(&keys))?;
                let schema = lf.collect_schema().map_err(|e| self.read_error(e))?;
                Ok(Peeked {
                    columns: ColumnType::from_schema(&schema, TypeOrigin::File),
                    schema: schema.as_ref().clone(),
                    dialect: None,
                })
            }
        }
    }

    fn open(&self, as_text: &[String]) -> Result<Opened> {
        let (bucket, keys) = self.objects()?;
        let urls = self.urls(&keys);
        match self.format {
            Format::Csv => {
                let dir = tempfile::Builder::new()
                    .prefix(".datacook-s3-")
                    .tempdir()
                    .map_err(|e| {
                        Error::runtime(format!("cannot create a temporary folder: {e}"))
                    })?;
                let mut files = Vec::new();
                for (i, (key, _)) in keys.iter().enumerate() {
                    let path = dir.path().join(format!("{i:05}.csv"));
                    crate::runtime::block_on(bucket.download(key, &path))?;
                    files.push(LocalFile {
                        shown: self.url.object(key).to_string(),
                        path,
                    });
                }
                let mut opened = open_files(&files, Format::Csv, &self.csv, as_text)?;
                opened.keep.push(Box::new(dir));
                Ok(opened)
            }
            Format::Json => {
                let df = self.read_json(&bucket, &keys)?;
                let mut opened = Opened::lazy(df.clone().lazy());
                opened.rows = Some(df.height() as u64);
                opened.columns = ColumnType::from_schema(df.schema(), TypeOrigin::File);
                opened.files = urls;
                Ok(opened)
            }
            Format::Parquet | Format::Jsonl => {
                let mut lf = self.scan(&urls)?;
                let schema = lf.collect_schema().map_err(|e| self.read_error(e))?;
                let mut opened = Opened::lazy(lf);
                opened.columns = ColumnType::from_schema(&schema, TypeOrigin::File);
                opened.files = urls;
                Ok(opened)
            }
        }
    }
}

fn temp_file() -> Result<tempfile::TempPath> {
    tempfile::Builder::new()
        .prefix(".datacook-s3-head-")
        .suffix(".csv")
        .tempfile()
        .map(|f| f.into_temp_path())
        .map_err(|e| Error::runtime(format!("cannot create a temporary file: {e}")))
}
