//! Datasets in S3: one object, every object under a prefix ending in `/`, or a glob, read as
//! one dataset. CSV and JSON objects are copied to local temporary files (streamed) and then
//! read exactly as local files are (CSV checked, repaired and typed); Parquet and JSON Lines
//! objects are scanned in place by Polars (projection pushdown: a JOIN reads only the columns
//! it needs).

use polars::prelude::*;

use super::csv::CsvOptions;
use super::files::{LocalFile, open_files, peek_files, scan_in_place};
use super::report::{ColumnType, TypeOrigin};
use super::source::{Format, Opened, Peeked, ReadOptions, Source, SourceInfo};
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

    /// Parquet or JSON Lines objects, scanned where they are.
    fn scan(&self, keys: &[(String, u64)]) -> Result<(LazyFrame, Vec<String>, Schema)> {
        let urls: Vec<String> = keys
            .iter()
            .map(|(k, _)| self.url.object(k).to_string())
            .collect();
        let read_error = |e: PolarsError| {
            Error::runtime(crate::s3::redact(&format!("cannot read {}: {e}", self.url)))
        };
        let paths = urls.iter().map(|u| PlRefPath::new(u.as_str())).collect();
        let mut lf = scan_in_place(paths, self.format).map_err(read_error)?;
        let schema = lf.collect_schema().map_err(read_error)?.as_ref().clone();
        Ok((lf, urls, schema))
    }

    /// Copy objects into a temporary folder, as local files named after their objects.
    fn download(
        &self,
        bucket: &Bucket,
        keys: &[(String, u64)],
    ) -> Result<(tempfile::TempDir, Vec<LocalFile>)> {
        let dir = tempfile::Builder::new()
            .prefix(".datacook-s3-")
            .tempdir()
            .map_err(|e| Error::runtime(format!("cannot create a temporary folder: {e}")))?;
        let mut files = Vec::new();
        for (i, (key, _)) in keys.iter().enumerate() {
            let path = dir.path().join(format!("{i:05}"));
            crate::runtime::block_on(bucket.download(key, &path))?;
            files.push(LocalFile {
                shown: self.url.object(key).to_string(),
                path,
            });
        }
        Ok((dir, files))
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
                let temp = tempfile::Builder::new()
                    .prefix(".datacook-s3-head-")
                    .tempfile()
                    .map(|f| f.into_temp_path())
                    .map_err(|e| Error::runtime(format!("cannot create a temporary file: {e}")))?;
                std::fs::write(&temp, whole)
                    .map_err(|e| Error::runtime(format!("cannot write a temporary file: {e}")))?;
                let file = LocalFile {
                    shown: self.url.object(key).to_string(),
                    path: temp.to_path_buf(),
                };
                peek_files(&[file], Format::Csv, &self.csv, as_text)
            }
            Format::Json => {
                let (_dir, files) = self.download(&bucket, &keys[..1])?;
                peek_files(&files, Format::Json, &self.csv, as_text)
            }
            Format::Parquet | Format::Jsonl => {
                let (_, _, schema) = self.scan(&keys)?;
                Ok(Peeked {
                    columns: ColumnType::from_schema(&schema, TypeOrigin::File),
                    schema,
                    dialect: None,
                })
            }
        }
    }

    fn open(&self, read: &ReadOptions) -> Result<Opened> {
        let (bucket, keys) = self.objects()?;
        match self.format {
            Format::Csv | Format::Json => {
                let (dir, files) = self.download(&bucket, &keys)?;
                let mut opened = open_files(&files, self.format, &self.csv, read)?;
                opened.keep.push(Box::new(dir));
                Ok(opened)
            }
            Format::Parquet | Format::Jsonl => {
                let (lf, urls, schema) = self.scan(&keys)?;
                let mut opened = Opened::lazy(lf);
                opened.columns = ColumnType::from_schema(&schema, TypeOrigin::File);
                opened.files = urls;
                Ok(opened)
            }
        }
    }
}
