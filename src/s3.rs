//! S3 and S3-compatible stores, through `object_store` (the version Polars uses). Endpoint,
//! region and credentials come from the standard AWS environment variables
//! (`AWS_ENDPOINT_URL` for S3-compatible stores, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); transient errors are retried with backoff.

use std::path::Path as LocalPath;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{BackoffConfig, ObjectMeta, ObjectStore, ObjectStoreExt, RetryConfig};
use tokio::io::AsyncWriteExt;

use crate::error::{Error, Result};

/// `s3://bucket/key`: a key, a prefix ending in `/`, or a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub key: String,
}

impl S3Url {
    pub fn parse(url: &str) -> Option<S3Url> {
        let rest = url
            .strip_prefix("s3://")
            .or_else(|| url.strip_prefix("s3a://"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return None;
        }
        Some(S3Url {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    pub fn is_s3(url: &str) -> bool {
        url.starts_with("s3://") || url.starts_with("s3a://")
    }

    pub fn object(&self, key: &str) -> S3Url {
        S3Url {
            bucket: self.bucket.clone(),
            key: key.to_string(),
        }
    }

    fn is_glob(&self) -> bool {
        self.key.contains(['*', '?', '['])
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// A connection to one bucket.
pub struct Bucket {
    pub name: String,
    store: Arc<AmazonS3>,
}

impl Bucket {
    pub fn open(name: &str) -> Result<Bucket> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .unwrap_or_default();
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(name)
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(2),
                    base: 2.0,
                },
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
            });
        if endpoint.starts_with("http://") {
            builder = builder.with_allow_http(true);
        }
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            builder = builder.with_region("us-east-1");
        }
        let store = builder
            .build()
            .map_err(|e| Error::invalid(redact(&format!("cannot use S3 bucket '{name}': {e}"))))?;
        Ok(Bucket {
            name: name.to_string(),
            store: Arc::new(store),
        })
    }

    fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.name)
    }

    /// The objects a location names: the object itself, every object under a prefix
    /// ending in `/`, or the objects a glob matches. None found is an error naming it.
    pub async fn resolve(&self, url: &S3Url) -> Result<Vec<ObjectMeta>> {
        if !url.is_glob() && !url.key.ends_with('/') && !url.key.is_empty() {
            return match self.store.head(&Path::from(url.key.as_str())).await {
                Ok(meta) => Ok(vec![meta]),
                Err(object_store::Error::NotFound { .. }) => Err(self.not_found(url).await),
                Err(e) => Err(self.error(&format!("cannot read {url}"), e)),
            };
        }
        let fixed = match url.key.find(['*', '?', '[']) {
            Some(i) => &url.key[..url.key[..i].rfind('/').map_or(0, |j| j + 1)],
            None => url.key.as_str(),
        };
        let pattern = glob::Pattern::new(&url.key)
            .map_err(|e| Error::invalid(format!("invalid glob '{url}': {e}")))?;
        let prefix = (!fixed.is_empty()).then(|| Path::from(fixed.trim_end_matches('/')));
        let listed: Vec<ObjectMeta> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(|e| self.listing_error(url, e))?;
        let mut objects: Vec<ObjectMeta> = listed
            .into_iter()
            .filter(|m| m.size > 0 && !m.location.as_ref().ends_with('/'))
            .filter(|m| {
                let key = m.location.as_ref();
                if url.is_glob() {
                    pattern.matches_with(
                        key,
                        glob::MatchOptions {
                            require_literal_separator: true,
                            ..Default::default()
                        },
                    )
                } else {
                    key.starts_with(fixed)
                }
            })
            .collect();
        objects.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
        if objects.is_empty() {
            return Err(Error::runtime(format!("no S3 object matches {url}")));
        }
        Ok(objects)
    }

    async fn not_found(&self, url: &S3Url) -> Error {
        match self.store.list(None).next().await {
            Some(Err(_)) => Error::runtime(format!(
                "S3 bucket '{}' does not exist (or cannot be listed)",
                self.name
            )),
            _ => Error::runtime(format!("S3 object {url} not found")),
        }
    }

    fn listing_error(&self, url: &S3Url, e: object_store::Error) -> Error {
        let text = e.to_string();
        if text.contains("NoSuchBucket") || text.contains("404") {
            Error::runtime(format!("S3 bucket '{}' does not exist", self.name))
        } else {
            self.error(&format!("cannot list {url}"), e)
        }
    }

    pub fn error(&self, doing: &str, e: object_store::Error) -> Error {
        Error::runtime(redact(&format!("{doing}: {e}")))
    }

    /// Copy an object into a local file, streaming.
    pub async fn download(&self, key: &str, to: &LocalPath) -> Result<u64> {
        let failed = |e| self.error(&format!("cannot read {}", self.url(key)), e);
        let mut stream = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(failed)?
            .into_stream();
        let mut file = tokio::fs::File::create(to)
            .await
            .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", to.display())))?;
        let mut bytes = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|e| self.error(&format!("cannot read {}", self.url(key)), e))?;
            bytes += chunk.len() as u64;
            file.write_all(&chunk)
                .await
                .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", to.display())))?;
        }
        file.flush()
            .await
            .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", to.display())))?;
        Ok(bytes)
    }

    /// The first `len` bytes of an object (or all of it, if smaller).
    pub async fn head_bytes(&self, key: &str, size: u64, len: u64) -> Result<bytes::Bytes> {
        self.store
            .get_range(&Path::from(key), 0..size.min(len))
            .await
            .map_err(|e| self.error(&format!("cannot read {}", self.url(key)), e))
    }

    pub async fn get_all(&self, key: &str) -> Result<bytes::Bytes> {
        let failed = |e| self.error(&format!("cannot read {}", self.url(key)), e);
        self.store
            .get(&Path::from(key))
            .await
            .map_err(failed)?
            .bytes()
            .await
            .map_err(failed)
    }

    /// Upload a local file as one object, in parts: the object appears only once every
    /// part is there, so a reader never sees a partial one and a killed upload leaves the
    /// previous object as it was.
    pub async fn upload(&self, from: &LocalPath, key: &str) -> Result<()> {
        let target = Path::from(key);
        let failed = |e| self.error(&format!("cannot write {}", self.url(key)), e);
        let upload = self.store.put_multipart(&target).await.map_err(failed)?;
        let mut writer = object_store::WriteMultipart::new(upload);
        let mut file = match tokio::fs::File::open(from).await {
            Ok(f) => f,
            Err(e) => {
                let _ = writer.abort().await;
                return Err(Error::runtime(format!(
                    "cannot read '{}': {e}",
                    from.display()
                )));
            }
        };
        let mut buf = vec![0u8; 8 << 20];
        loop {
            let n = match tokio::io::AsyncReadExt::read(&mut file, &mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(Error::runtime(format!(
                        "cannot read '{}': {e}",
                        from.display()
                    )));
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = writer.wait_for_capacity(4).await {
                let _ = writer.abort().await;
                return Err(failed(e));
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(failed)?;
        Ok(())
    }

    /// Put a small object in one request.
    pub async fn put(&self, key: &str, data: Vec<u8>) -> Result<()> {
        self.store
            .put(&Path::from(key), object_store::PutPayload::from(data))
            .await
            .map(|_| ())
            .map_err(|e| self.error(&format!("cannot write {}", self.url(key)), e))
    }

    pub async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let p = (!prefix.is_empty()).then(|| Path::from(prefix.trim_end_matches('/')));
        self.store
            .list(p.as_ref())
            .try_collect()
            .await
            .map_err(|e| self.error(&format!("cannot list {}", self.url(prefix)), e))
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        self.store
            .delete(&Path::from(key))
            .await
            .map_err(|e| self.error(&format!("cannot delete {}", self.url(key)), e))
    }
}

/// A message with the AWS secrets of the environment masked.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for var in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        if let Ok(secret) = std::env::var(var)
            && secret.len() >= 4
        {
            out = out.replace(&secret, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_bucket_and_key() {
        let u = S3Url::parse("s3://data/patients/2024/*.csv").unwrap();
        assert_eq!(
            (u.bucket.as_str(), u.key.as_str()),
            ("data", "patients/2024/*.csv")
        );
        assert!(u.is_glob());
        assert_eq!(u.to_string(), "s3://data/patients/2024/*.csv");
        assert_eq!(S3Url::parse("s3://b").unwrap().key, "");
        assert_eq!(S3Url::parse("s3:///k"), None);
        assert_eq!(S3Url::parse("/tmp/x"), None);
    }
}
