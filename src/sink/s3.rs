//! S3 outputs. The output is written to a local temporary file first, then uploaded in parts:
//! S3 makes an object visible only when its upload completes, so readers see the previous
//! object until then, and a run killed mid-upload leaves it intact (a failed upload is
//! aborted). A partitioned output replaces each object the same way, then deletes the
//! objects under the prefix that the run did not write; a reader listing the prefix during
//! the run may see some partitions old and some new, never a partial object. Only a prefix
//! that is empty or that an earlier run wrote (it holds `.datacook-partitions`) is replaced.

use std::collections::HashSet;

use polars::prelude::*;

use super::{Sink, WriteOptions, Written, write_file, write_partitions};
use crate::error::{Error, Result};
use crate::s3::{Bucket, S3Url};

pub struct S3Sink {
    pub url: S3Url,
}

impl Sink for S3Sink {
    fn describe(&self) -> String {
        self.url.to_string()
    }

    fn write(&self, lf: LazyFrame, opts: &WriteOptions) -> Result<Written> {
        super::check_compression(opts.format, opts.compression)?;
        let bucket = Bucket::open(&self.url.bucket)?;
        let lf = super::writable(lf, opts.format)?;
        if opts.partition_by.is_empty() {
            self.write_one(&bucket, lf, opts)
        } else {
            self.write_partitioned(&bucket, lf, opts)
        }
    }
}

impl S3Sink {
    fn write_one(&self, bucket: &Bucket, lf: LazyFrame, opts: &WriteOptions) -> Result<Written> {
        let temp = tempfile::Builder::new()
            .prefix(".datacook-upload-")
            .tempfile()
            .map_err(|e| Error::runtime(format!("cannot create a temporary file: {e}")))?
            .into_temp_path();
        let bytes = write_file(lf, &temp, opts, &self.url.to_string())?;
        crate::runtime::block_on(bucket.upload(&temp, &self.url.key))?;
        Ok(Written {
            location: self.describe(),
            bytes: Some(bytes),
            files: Vec::new(),
        })
    }

    fn write_partitioned(
        &self,
        bucket: &Bucket,
        lf: LazyFrame,
        opts: &WriteOptions,
    ) -> Result<Written> {
        let staging = tempfile::Builder::new()
            .prefix(".datacook-partitions-")
            .tempdir()
            .map_err(|e| Error::runtime(format!("cannot create a temporary folder: {e}")))?;
        let (files, bytes) = write_partitions(lf, staging.path(), opts, &self.url.to_string())?;
        let prefix = format!("{}/", self.url.key.trim_end_matches('/'));
        let marker = format!("{prefix}{}", super::file::PARTITIONS_MARKER);
        crate::runtime::block_on(async {
            let old = bucket.list(&prefix).await?;
            // Only a prefix an earlier run wrote (it holds the marker) is replaced.
            if !old.is_empty() && !old.iter().any(|m| m.location.as_ref() == marker) {
                return Err(Error::invalid_with_help(
                    format!(
                        "{} holds objects datacook did not write; a partitioned output replaces \
                         everything under its prefix",
                        self.url
                    ),
                    "choose a new prefix for the output",
                ));
            }
            let mut written = HashSet::new();
            for rel in &files {
                let key = format!("{prefix}{rel}");
                bucket.upload(&staging.path().join(rel), &key).await?;
                written.insert(key);
            }
            bucket
                .put(&marker, b"written by datacook\n".to_vec())
                .await?;
            written.insert(marker.clone());
            for meta in old {
                let key = meta.location.to_string();
                if !written.contains(&key) {
                    bucket.delete(&key).await?;
                }
            }
            Ok::<(), Error>(())
        })?;
        Ok(Written {
            location: self.describe(),
            bytes: Some(bytes),
            files,
        })
    }
}

/// Put a small text object (a report) in one request: it appears whole.
pub fn put_text(url: &S3Url, text: &str) -> Result<()> {
    let bucket = Bucket::open(&url.bucket)?;
    crate::runtime::block_on(bucket.put(&url.key, text.as_bytes().to_vec()))
}
