//! The real servers the source and sink tests talk to: PostgreSQL and MariaDB (already
//! running on every development and CI machine) and the S3-compatible server that
//! `scripts/with-s3.sh` starts. Environment variables point the tests at other servers; a
//! server the tests expect but cannot reach fails the test, with the reason.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt;
use object_store::ObjectStoreExt;

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

pub struct Server {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: String,
}

pub fn postgres() -> Server {
    Server {
        host: env_or("DATACOOK_TEST_PG_HOST", "127.0.0.1"),
        port: env_or("DATACOOK_TEST_PG_PORT", "5432").parse().unwrap(),
        user: env_or("DATACOOK_TEST_PG_USER", "postgres"),
        database: env_or("DATACOOK_TEST_PG_DATABASE", "test"),
    }
}

pub fn mariadb() -> Server {
    Server {
        host: env_or("DATACOOK_TEST_MYSQL_HOST", "127.0.0.1"),
        port: env_or("DATACOOK_TEST_MYSQL_PORT", "3306").parse().unwrap(),
        user: env_or("DATACOOK_TEST_MYSQL_USER", "root"),
        database: env_or("DATACOOK_TEST_MYSQL_DATABASE", "test"),
    }
}

/// A name no other test (or test run) uses: `prefix_PID_N`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A connections file naming `warehouse` (PostgreSQL), `redshift` (the same server, read
/// through a cursor as datacook reads Redshift) and `maria` (MariaDB), plus `extra` YAML.
pub fn write_connections(dir: &Path, extra: &str) -> String {
    let pg = postgres();
    let my = mariadb();
    let text = format!(
        "connections:\n  warehouse:\n    kind: postgres\n    host: {}\n    port: {}\n    database: {}\n    user: {}\n  redshift:\n    kind: redshift\n    host: {}\n    port: {}\n    database: {}\n    user: {}\n  maria:\n    kind: mysql\n    host: {}\n    port: {}\n    database: {}\n    user: {}\n{extra}",
        pg.host,
        pg.port,
        pg.database,
        pg.user,
        pg.host,
        pg.port,
        pg.database,
        pg.user,
        my.host,
        my.port,
        my.database,
        my.user
    );
    let path = dir.join("connections.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// ---- PostgreSQL ---------------------------------------------------------------------------

async fn pg_client() -> tokio_postgres::Client {
    let s = postgres();
    let mut config = tokio_postgres::Config::new();
    config
        .host(&s.host)
        .port(s.port)
        .user(&s.user)
        .dbname(&s.database);
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {}:{} is not reachable ({e}); start it (scripts/ensure-databases.sh)",
                s.host, s.port
            )
        });
    tokio::spawn(connection);
    client
}

/// Run SQL statements on PostgreSQL.
pub fn pg_exec(sql: &str) {
    runtime().block_on(async {
        pg_client()
            .await
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    })
}

/// Load CSV text (with a header) into a PostgreSQL table with `COPY … (FORMAT csv)`.
pub fn pg_copy_csv(table: &str, csv: &str) {
    use futures::SinkExt;
    runtime().block_on(async {
        let client = pg_client().await;
        let sink = client
            .copy_in::<_, bytes::Bytes>(&format!(
                "COPY {table} FROM STDIN (FORMAT csv, HEADER true)"
            ))
            .await
            .unwrap();
        futures::pin_mut!(sink);
        sink.send(bytes::Bytes::from(csv.to_string()))
            .await
            .unwrap();
        sink.as_mut().finish().await.unwrap();
    })
}

/// Rows of a query, every value as text (`NULL` for null).
pub fn pg_rows(sql: &str) -> Vec<Vec<String>> {
    runtime().block_on(async {
        let client = pg_client().await;
        let mut out = Vec::new();
        for m in client.simple_query(sql).await.unwrap() {
            if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
                out.push(
                    (0..r.len())
                        .map(|i| r.get(i).unwrap_or("NULL").to_string())
                        .collect(),
                );
            }
        }
        out
    })
}

// ---- MariaDB ------------------------------------------------------------------------------

async fn my_conn() -> mysql_async::Conn {
    let s = mariadb();
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname(s.host.clone())
        .tcp_port(s.port)
        .user(Some(s.user.clone()))
        .db_name(Some(s.database.clone()))
        .prefer_socket(false);
    mysql_async::Conn::new(opts).await.unwrap_or_else(|e| {
        panic!(
            "MariaDB at {}:{} is not reachable ({e}); start it (scripts/ensure-databases.sh)",
            s.host, s.port
        )
    })
}

/// Run SQL statements on MariaDB.
pub fn my_exec(sql: &str) {
    use mysql_async::prelude::*;
    runtime().block_on(async {
        let mut c = my_conn().await;
        c.query_drop(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        c.disconnect().await.unwrap();
    })
}

/// Rows of a query, every value as text (`NULL` for null).
pub fn my_rows(sql: &str) -> Vec<Vec<String>> {
    use mysql_async::prelude::*;
    runtime().block_on(async {
        let mut c = my_conn().await;
        let rows: Vec<mysql_async::Row> = c.query(sql).await.unwrap();
        c.disconnect().await.unwrap();
        rows.into_iter()
            .map(|r| {
                r.unwrap()
                    .into_iter()
                    .map(|v| match v {
                        mysql_async::Value::NULL => "NULL".to_string(),
                        mysql_async::Value::Bytes(b) => String::from_utf8_lossy(&b).to_string(),
                        other => other.as_sql(true),
                    })
                    .collect()
            })
            .collect()
    })
}

// ---- S3 -----------------------------------------------------------------------------------

/// The S3 endpoint `scripts/with-s3.sh` started (or the one AWS_ENDPOINT_URL names).
pub fn s3_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!(
            "the S3 tests need an S3-compatible server: run them with `make test` \
             (scripts/with-s3.sh starts one) or set AWS_ENDPOINT_URL"
        )
    })
}

/// Create a bucket named after the test (path-style `PUT /bucket`).
pub fn s3_bucket(prefix: &str) -> String {
    let name = unique(prefix).replace('_', "-").to_lowercase();
    let endpoint = s3_endpoint();
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority)
        .unwrap_or_else(|e| panic!("the S3 server at {endpoint} is not reachable: {e}"));
    write!(
        stream,
        "PUT /{name} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "creating bucket {name}: {answer}"
    );
    name
}

fn store(bucket: &str) -> object_store::aws::AmazonS3 {
    object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_allow_http(true)
        .with_region("us-east-1")
        .build()
        .unwrap()
}

pub fn s3_put(bucket: &str, key: &str, data: &[u8]) {
    runtime().block_on(async {
        store(bucket)
            .put(&key.into(), data.to_vec().into())
            .await
            .unwrap_or_else(|e| panic!("put s3://{bucket}/{key}: {e}"));
    })
}

pub fn s3_get(bucket: &str, key: &str) -> Option<Vec<u8>> {
    runtime().block_on(async {
        match store(bucket).get(&key.into()).await {
            Ok(r) => Some(r.bytes().await.unwrap().to_vec()),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => panic!("get s3://{bucket}/{key}: {e}"),
        }
    })
}

/// Every key in the bucket, sorted.
pub fn s3_keys(bucket: &str) -> Vec<String> {
    runtime().block_on(async {
        let s = store(bucket);
        let mut keys: Vec<String> = object_store::ObjectStore::list(&s, None)
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .unwrap();
        keys.sort();
        keys
    })
}

/// Statements run when the test ends, however it ends (a failed assertion included), so a
/// failing test leaves no table or user behind.
pub struct Cleanup {
    sql: String,
    postgres: bool,
}

impl Cleanup {
    pub fn postgres(sql: &str) -> Cleanup {
        Cleanup {
            sql: sql.to_string(),
            postgres: true,
        }
    }

    pub fn mysql(sql: &str) -> Cleanup {
        Cleanup {
            sql: sql.to_string(),
            postgres: false,
        }
    }

    /// Drop `table` on the named test connection (`warehouse` is PostgreSQL, `maria` MariaDB).
    pub fn table(connection: &str, table: &str) -> Cleanup {
        let drop = format!("DROP TABLE IF EXISTS {table}");
        match connection {
            "warehouse" => Cleanup::postgres(&drop),
            "maria" => Cleanup::mysql(&drop),
            other => panic!("no test connection '{other}'"),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let sql = self.sql.clone();
        let postgres = self.postgres;
        // Never panic while unwinding: report and go on.
        let done = std::panic::catch_unwind(move || {
            if postgres {
                pg_exec(&sql)
            } else {
                my_exec(&sql)
            }
        });
        if done.is_err() {
            eprintln!("cleanup failed: {}", self.sql);
        }
    }
}
