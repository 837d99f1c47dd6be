//! PostgreSQL and Redshift. PostgreSQL is read with binary COPY
//! (`COPY (SELECT …) TO STDOUT (FORMAT binary)`) decoded straight into column builders;
//! Redshift, which speaks the protocol but has no `COPY … TO STDOUT`, through a cursor
//! fetched in batches.
//!
//! Types (each round-tripped in a test with its nulls):
//!
//! | PostgreSQL | Polars |
//! |---|---|
//! | smallint, integer, bigint | Int16, Int32, Int64 |
//! | real, double precision | Float32, Float64 |
//! | numeric(p, s), p ≤ 38 | Decimal(p, s) |
//! | numeric without precision, or p > 38 | text (exact; pin it to read numbers) |
//! | text, varchar, char, name, enums, uuid, json, jsonb | String (jsonb as PostgreSQL normalises it) |
//! | boolean | Boolean |
//! | date | Date |
//! | timestamp / timestamptz | Datetime(µs) / Datetime(µs, UTC) |
//! | time | Time |
//! | interval | text, ISO 8601 (`P1Y2M3DT4H5M6S`): months have no fixed length |
//! | bytea | Binary |
//! | one-dimensional arrays of the types above | List (a multidimensional array is flattened) |
//! | anything else (inet, money, geometry, …) | its text |
//!
//! `infinity` dates and timestamps and NaN/infinite numerics have no Polars value: they are
//! read as null and counted in the read report.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use polars::prelude::*;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{Kind, Type};
use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage};

use super::builder::Builder;
use super::{
    ColumnPlan, DatabaseSource, Fetched, Lossy, Relation, assemble, checked_partition, db_error,
    join_all_or_abort, missing_table_error, quote_ident, range_filters,
};
use crate::dataset::connections::{Connection, DbKind, Tls};
use crate::error::{Error, Result};

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const EPOCH_DAYS: i32 = 10_957;
const EPOCH_MICROS: i64 = 946_684_800_000_000;
/// Rows per cursor fetch (Redshift).
const FETCH_ROWS: usize = 10_000;

/// How a column's values are decoded.
#[derive(Debug, Clone, PartialEq)]
enum PgKind {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric { scale: usize },
    Text,
    Jsonb,
    Bytea,
    Uuid,
    Date,
    Timestamp,
    Time,
    Array(Box<PgKind>),
}

#[derive(Debug, Clone)]
struct PgColumn {
    plan: ColumnPlan,
    kind: PgKind,
    /// Read as its text (`::text`) instead of decoded.
    as_text: bool,
}

// ---- connecting ---------------------------------------------------------------------------

/// Connect, honouring the connection's TLS mode. `prefer` and `require` encrypt without
/// verifying the server's certificate, as libpq's modes of the same names do.
pub(crate) async fn connect(conn: &Connection) -> Result<Client> {
    let mut config = Config::new();
    config
        .host(&conn.host)
        .port(conn.port)
        .user(&conn.user)
        .dbname(&conn.database)
        .application_name("datacook")
        .connect_timeout(conn.connect_timeout)
        .keepalives_idle(Duration::from_secs(30));
    if let Some(p) = &conn.password {
        config.password(p);
    }
    let tls_error = |e: &tokio_postgres::Error| e.to_string().contains("TLS");
    let client = match conn.tls {
        Tls::Disable => {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            connect_with(conn, &config, NoTls).await
        }
        Tls::Require => {
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            connect_with(conn, &config, tls_connector()).await
        }
        Tls::VerifyFull => {
            let tls = crate::dataset::tls::verified_client_config(conn.ca_file.as_deref())
                .map_err(|m| db_error(conn, "cannot connect to", &m, None, true))?;
            config.ssl_mode(tokio_postgres::config::SslMode::Require);
            connect_with(
                conn,
                &config,
                tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            )
            .await
        }
        Tls::Prefer => {
            config.ssl_mode(tokio_postgres::config::SslMode::Prefer);
            match connect_with(conn, &config, tls_connector()).await {
                Err(ConnectError::Pg(e)) if tls_error(&e) => {
                    config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                    connect_with(conn, &config, NoTls).await
                }
                other => other,
            }
        }
    }
    .map_err(|e| connect_error(conn, e))?;
    client
        .batch_execute(
            "SET intervalstyle = 'iso_8601'; SET TIME ZONE 'UTC'; SET extra_float_digits = 3",
        )
        .await
        .map_err(|e| pg_error(conn, "cannot set up the session on", &e))?;
    Ok(client)
}

enum ConnectError {
    Pg(tokio_postgres::Error),
    Timeout,
}

async fn connect_with<T>(
    conn: &Connection,
    config: &Config,
    tls: T,
) -> std::result::Result<Client, ConnectError>
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    // The socket connect has its own timeout; this one bounds TLS and authentication too.
    let limit = conn.connect_timeout.saturating_mul(2);
    let (client, connection) = tokio::time::timeout(limit, config.connect(tls))
        .await
        .map_err(|_| ConnectError::Timeout)?
        .map_err(ConnectError::Pg)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

fn connect_error(conn: &Connection, e: ConnectError) -> Error {
    let message = match e {
        ConnectError::Timeout => format!(
            "no answer within {:?}",
            conn.connect_timeout.saturating_mul(2)
        ),
        ConnectError::Pg(e) => describe(&e),
    };
    let help = if message.contains("certificate") {
        Some(format!(
            "the server's certificate is not trusted: name its CA in `ca_file`, or use \
             `tls: require` to encrypt without verifying ({})",
            conn.defined_in
        ))
    } else if message.contains("password") || message.contains("authentication") {
        Some(format!(
            "check the user and the password in the environment variable the connection \
             names ({})",
            conn.defined_in
        ))
    } else {
        Some(format!(
            "check that the server runs and that host and port in {} are right",
            conn.defined_in
        ))
    };
    db_error(conn, "cannot connect to", &message, help, false)
}

fn tls_connector() -> tokio_postgres_rustls::MakeRustlsConnect {
    tokio_postgres_rustls::MakeRustlsConnect::new(crate::dataset::tls::unverified_client_config())
}

/// An error's message with its cause (tokio-postgres' own text is only the error's kind).
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A query error: the dataset's table or query is wrong (exit 2) when PostgreSQL says so
/// (syntax, undefined objects, permissions), else a runtime failure.
fn pg_error(conn: &Connection, doing: &str, e: &tokio_postgres::Error) -> Error {
    let invalid = e
        .code()
        .is_some_and(|c| c.code().starts_with("42") || c.code().starts_with("22"));
    let help = e
        .as_db_error()
        .and_then(|d| d.hint().or(d.detail()).map(str::to_string));
    db_error(conn, doing, &describe(e), help, invalid)
}

fn quote(ident: &str) -> String {
    quote_ident(ident, '"')
}

fn base_query(relation: &Relation) -> String {
    super::base_query(relation, '"')
}

// ---- types ------------------------------------------------------------------------------

/// The Polars type, decoding and note for a column of type `ty` with modifier `typmod`.
fn column_for(name: &str, ty: &Type, typmod: i32, kind: DbKind) -> PgColumn {
    let text = |note: Option<String>| PgColumn {
        plan: ColumnPlan {
            name: name.to_string(),
            dtype: DataType::String,
            db_type: ty.name().to_string(),
            note,
        },
        kind: PgKind::Text,
        as_text: true,
    };
    let native = |kind: PgKind, dtype: DataType| PgColumn {
        plan: ColumnPlan {
            name: name.to_string(),
            dtype,
            db_type: ty.name().to_string(),
            note: None,
        },
        kind,
        as_text: false,
    };
    if let Kind::Enum(_) = ty.kind() {
        return native(PgKind::Text, DataType::String);
    }
    if let Kind::Array(elem) = ty.kind() {
        if kind == DbKind::Redshift {
            return text(None);
        }
        let inner = column_for(name, elem, -1, kind);
        return match inner.kind {
            PgKind::Array(_) | PgKind::Numeric { .. } => text(None),
            _ if inner.as_text => text(None),
            k => native(
                PgKind::Array(Box::new(k)),
                DataType::List(Box::new(inner.plan.dtype)),
            ),
        };
    }
    match *ty {
        Type::BOOL => native(PgKind::Bool, DataType::Boolean),
        Type::INT2 => native(PgKind::Int2, DataType::Int16),
        Type::INT4 => native(PgKind::Int4, DataType::Int32),
        Type::INT8 => native(PgKind::Int8, DataType::Int64),
        Type::FLOAT4 => native(PgKind::Float4, DataType::Float32),
        Type::FLOAT8 => native(PgKind::Float8, DataType::Float64),
        Type::NUMERIC => {
            let (precision, scale) = if typmod >= 4 {
                (
                    ((typmod - 4) >> 16) as usize,
                    ((typmod - 4) & 0xffff) as usize,
                )
            } else {
                (0, 0)
            };
            if (1..=38).contains(&precision) && scale <= precision {
                native(
                    PgKind::Numeric { scale },
                    DataType::Decimal(precision, scale),
                )
            } else {
                text(Some(
                    "numeric without a precision of at most 38 digits, read as its exact \
                     text; pin it (`types: {col: double}`) to read it as numbers"
                        .replace("col", name),
                ))
            }
        }
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON | Type::UNKNOWN => {
            native(PgKind::Text, DataType::String)
        }
        Type::JSONB => native(PgKind::Jsonb, DataType::String),
        Type::UUID => native(PgKind::Uuid, DataType::String),
        Type::BYTEA => native(PgKind::Bytea, DataType::Binary),
        Type::DATE => native(PgKind::Date, DataType::Date),
        Type::TIMESTAMP => native(
            PgKind::Timestamp,
            DataType::Datetime(TimeUnit::Microseconds, None),
        ),
        Type::TIMESTAMPTZ => native(
            PgKind::Timestamp,
            DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        ),
        Type::TIME => native(PgKind::Time, DataType::Time),
        Type::INTERVAL => text(Some("interval, read as ISO 8601 text".into())),
        _ => text(Some(format!("{}, read as its text", ty.name()))),
    }
}

// ---- reading -------------------------------------------------------------------------------

/// The columns of the dataset's table or query, from the server's description of it.
pub async fn columns(src: &DatabaseSource) -> Result<Vec<ColumnPlan>> {
    let client = connect(&src.connection).await?;
    Ok(describe_columns(&client, src)
        .await?
        .into_iter()
        .map(|c| c.plan)
        .collect())
}

async fn describe_columns(client: &Client, src: &DatabaseSource) -> Result<Vec<PgColumn>> {
    let conn = &src.connection;
    let sql = format!(
        "SELECT * FROM ({}) AS datacook_q",
        base_query(&src.relation)
    );
    let statement = match client.prepare(&sql).await {
        Ok(s) => s,
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => {
            return Err(missing_table(client, src, &e).await);
        }
        Err(e) => return Err(pg_error(conn, "cannot read the dataset's query from", &e)),
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for c in statement.columns() {
        if !seen.insert(c.name().to_string()) {
            return Err(Error::invalid_with_help(
                format!(
                    "the query of {} returns two columns named '{}'",
                    conn.name,
                    c.name()
                ),
                "give each column its own name (`AS other_name`)",
            ));
        }
        out.push(column_for(
            c.name(),
            c.type_(),
            c.type_modifier(),
            conn.kind,
        ));
    }
    Ok(out)
}

async fn missing_table(client: &Client, src: &DatabaseSource, e: &tokio_postgres::Error) -> Error {
    if let Relation::Query(_) = src.relation {
        return pg_error(&src.connection, "cannot read the dataset's query from", e);
    }
    let known: Vec<String> = client
        .query(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            &[],
        )
        .await
        .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect())
        .unwrap_or_default();
    missing_table_error(&src.connection, &src.relation, &known)
}

/// Read the dataset: one binary COPY (or cursor), or one per key range in parallel.
pub async fn read(src: &DatabaseSource) -> Result<(Vec<ColumnPlan>, Fetched)> {
    let conn = &src.connection;
    let client = connect(conn).await?;
    let columns = Arc::new(describe_columns(&client, src).await?);
    let plans: Vec<ColumnPlan> = columns.iter().map(|c| c.plan.clone()).collect();
    let select = |filter: &str| {
        let exprs: Vec<String> = columns
            .iter()
            .map(|c| {
                let q = format!("datacook_q.{}", quote(&c.plan.name));
                if c.as_text { format!("{q}::text") } else { q }
            })
            .collect();
        let list = exprs.join(", ");
        format!(
            "SELECT {list} FROM ({}) AS datacook_q{filter}",
            base_query(&src.relation)
        )
    };
    let filters = partition_filters(&client, src, &columns).await?;
    let partitions = filters.len().max(1);
    let results = if filters.is_empty() {
        vec![read_one(&client, conn, &columns, &select("")).await?]
    } else {
        // Every partition reads the same snapshot of the data (not Redshift's cursors).
        let snapshot = match conn.kind {
            DbKind::Redshift => None,
            _ => Some(export_snapshot(&client, conn).await?),
        };
        let mut tasks = Vec::new();
        for filter in filters {
            let (conn, columns, sql) = (conn.clone(), columns.clone(), select(&filter));
            let snapshot = snapshot.clone();
            tasks.push(tokio::spawn(async move {
                let client = connect(&conn).await?;
                if let Some(id) = snapshot {
                    client
                        .batch_execute(&format!(
                            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{id}'"
                        ))
                        .await
                        .map_err(|e| pg_error(&conn, "cannot share the read's snapshot on", &e))?;
                }
                read_one(&client, &conn, &columns, &sql).await
            }));
        }
        let results = join_all_or_abort(tasks).await;
        let _ = client.batch_execute("COMMIT").await;
        results?
    };
    Ok((plans, assemble(results, partitions)?))
}

/// Open a read-only transaction and export its snapshot for the partition readers.
async fn export_snapshot(client: &Client, conn: &Connection) -> Result<String> {
    client
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(|e| pg_error(conn, "cannot start the read on", &e))?;
    let id: String = client
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .map_err(|e| pg_error(conn, "cannot share the read's snapshot on", &e))?
        .get(0);
    if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::runtime(format!("unexpected snapshot id '{id}'")));
    }
    Ok(id)
}

/// `WHERE` clauses splitting the key column's range, none when the read is not partitioned
/// (or there is nothing to split).
async fn partition_filters(
    client: &Client,
    src: &DatabaseSource,
    columns: &[PgColumn],
) -> Result<Vec<String>> {
    let plans: Vec<&ColumnPlan> = columns.iter().map(|c| &c.plan).collect();
    let Some(p) = checked_partition(src, &plans)? else {
        return Ok(Vec::new());
    };
    let key = format!("datacook_q.{}", quote(&p.column));
    let bounds = format!(
        "SELECT min({key})::int8, max({key})::int8 FROM ({}) AS datacook_q",
        base_query(&src.relation)
    );
    let row = client.query_one(&bounds, &[]).await.map_err(|e| {
        pg_error(
            &src.connection,
            "cannot find the partition column's range in",
            &e,
        )
    })?;
    Ok(
        match (row.get::<_, Option<i64>>(0), row.get::<_, Option<i64>>(1)) {
            (Some(min), Some(max)) => range_filters(&key, min, max, p.count),
            _ => Vec::new(),
        },
    )
}

async fn read_one(
    client: &Client,
    conn: &Connection,
    columns: &[PgColumn],
    sql: &str,
) -> Result<(Vec<Builder>, Lossy)> {
    match conn.kind {
        DbKind::Redshift => read_cursor(client, conn, columns, sql).await,
        _ => read_copy(client, conn, columns, sql).await,
    }
}

async fn read_copy(
    client: &Client,
    conn: &Connection,
    columns: &[PgColumn],
    sql: &str,
) -> Result<(Vec<Builder>, Lossy)> {
    let failed = |e: &tokio_postgres::Error| pg_error(conn, "reading failed from", e);
    let stream = client
        .copy_out(&format!("COPY ({sql}) TO STDOUT (FORMAT binary)"))
        .await
        .map_err(|e| failed(&e))?;
    futures::pin_mut!(stream);
    let mut decoder = CopyDecoder::new(columns);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| failed(&e))?;
        decoder
            .feed(&chunk)
            .map_err(|m| db_error(conn, "reading failed from", &m, None, false))?;
    }
    if !decoder.done {
        return Err(db_error(
            conn,
            "reading failed from",
            "the server ended the copy before its end marker",
            None,
            false,
        ));
    }
    Ok((decoder.builders, decoder.lossy))
}

async fn read_cursor(
    client: &Client,
    conn: &Connection,
    columns: &[PgColumn],
    sql: &str,
) -> Result<(Vec<Builder>, Lossy)> {
    let failed = |e: &tokio_postgres::Error| pg_error(conn, "reading failed from", e);
    client
        .batch_execute(&format!(
            "BEGIN; DECLARE datacook_cursor NO SCROLL CURSOR FOR {sql}"
        ))
        .await
        .map_err(|e| failed(&e))?;
    let mut builders: Vec<Builder> = columns
        .iter()
        .map(|c| Builder::new(&c.plan.name, &c.plan.dtype, FETCH_ROWS))
        .collect();
    let mut lossy = Lossy::default();
    loop {
        let messages = client
            .simple_query(&format!("FETCH FORWARD {FETCH_ROWS} FROM datacook_cursor"))
            .await
            .map_err(|e| failed(&e))?;
        let mut rows = 0;
        for m in messages {
            if let SimpleQueryMessage::Row(row) = m {
                rows += 1;
                for (i, c) in columns.iter().enumerate() {
                    match row.get(i) {
                        None => builders[i].push_null(),
                        Some(v) => decode_text(c, v, &mut builders[i], &mut lossy)
                            .map_err(|m| db_error(conn, "reading failed from", &m, None, false))?,
                    }
                }
            }
        }
        if rows == 0 {
            break;
        }
    }
    client
        .batch_execute("CLOSE datacook_cursor; COMMIT")
        .await
        .map_err(|e| failed(&e))?;
    Ok((builders, lossy))
}

/// Decodes the binary COPY stream, whose messages may split rows anywhere.
struct CopyDecoder<'a> {
    columns: &'a [PgColumn],
    builders: Vec<Builder>,
    carry: Vec<u8>,
    header: bool,
    done: bool,
    lossy: Lossy,
}

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

impl<'a> CopyDecoder<'a> {
    fn new(columns: &'a [PgColumn]) -> Self {
        CopyDecoder {
            builders: columns
                .iter()
                .map(|c| Builder::new(&c.plan.name, &c.plan.dtype, 1024))
                .collect(),
            columns,
            carry: Vec::new(),
            header: false,
            done: false,
            lossy: Lossy::default(),
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> std::result::Result<(), String> {
        if self.carry.is_empty() {
            let used = self.consume(chunk)?;
            self.carry.extend_from_slice(&chunk[used..]);
        } else {
            let mut buf = std::mem::take(&mut self.carry);
            buf.extend_from_slice(chunk);
            let used = self.consume(&buf)?;
            buf.drain(..used);
            self.carry = buf;
        }
        Ok(())
    }

    /// Decode every whole row in `buf`; returns the bytes used.
    fn consume(&mut self, buf: &[u8]) -> std::result::Result<usize, String> {
        let mut pos = 0;
        if !self.header {
            if buf.len() < SIGNATURE.len() + 8 {
                return Ok(0);
            }
            if &buf[..SIGNATURE.len()] != SIGNATURE {
                return Err("the server did not send binary COPY data".into());
            }
            let ext = be_i32(&buf[15..19]).max(0) as usize;
            if buf.len() < 19 + ext {
                return Ok(0);
            }
            pos = 19 + ext;
            self.header = true;
        }
        while !self.done {
            if buf.len() < pos + 2 {
                return Ok(pos);
            }
            let fields = be_i16(&buf[pos..pos + 2]);
            if fields == -1 {
                self.done = true;
                return Ok(buf.len());
            }
            if fields as usize != self.columns.len() {
                return Err(format!(
                    "a row has {fields} fields, expected {}",
                    self.columns.len()
                ));
            }
            // Only decode a row once all of it is here.
            let mut end = pos + 2;
            for _ in 0..fields {
                if buf.len() < end + 4 {
                    return Ok(pos);
                }
                let len = be_i32(&buf[end..end + 4]);
                end += 4 + len.max(0) as usize;
                if buf.len() < end {
                    return Ok(pos);
                }
            }
            let mut at = pos + 2;
            for (i, column) in self.columns.iter().enumerate() {
                let len = be_i32(&buf[at..at + 4]);
                at += 4;
                if len < 0 {
                    self.builders[i].push_null();
                    continue;
                }
                let value = &buf[at..at + len as usize];
                at += len as usize;
                decode_binary(
                    &column.kind,
                    &column.plan.name,
                    value,
                    &mut self.builders[i],
                    &mut self.lossy,
                )?;
            }
            pos = end;
        }
        Ok(buf.len())
    }
}

/// Whether days since 1970 make a date chrono (and so Polars' writers) can show.
fn date_in_range(days: i64) -> bool {
    i32::try_from(days + 719_163)
        .ok()
        .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
        .is_some()
}

fn be_i16(b: &[u8]) -> i16 {
    i16::from_be_bytes([b[0], b[1]])
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_i64(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_be_bytes(a)
}

fn need(v: &[u8], n: usize, name: &str) -> std::result::Result<(), String> {
    if v.len() < n {
        Err(format!(
            "column '{name}': a value is {} bytes, expected {n}",
            v.len()
        ))
    } else {
        Ok(())
    }
}

/// One value of PostgreSQL's binary format into its builder.
fn decode_binary(
    kind: &PgKind,
    name: &str,
    v: &[u8],
    b: &mut Builder,
    lossy: &mut Lossy,
) -> std::result::Result<(), String> {
    match kind {
        PgKind::Bool => {
            need(v, 1, name)?;
            b.push_bool(v[0] != 0)
        }
        PgKind::Int2 => {
            need(v, 2, name)?;
            b.push_i64(be_i16(v) as i64)
        }
        PgKind::Int4 => {
            need(v, 4, name)?;
            b.push_i64(be_i32(v) as i64)
        }
        PgKind::Int8 => {
            need(v, 8, name)?;
            b.push_i64(be_i64(v))
        }
        PgKind::Float4 => {
            need(v, 4, name)?;
            b.push_f64(f32::from_bits(be_i32(v) as u32) as f64)
        }
        PgKind::Float8 => {
            need(v, 8, name)?;
            b.push_f64(f64::from_bits(be_i64(v) as u64))
        }
        PgKind::Numeric { scale } => match numeric_to_unscaled(v, *scale)? {
            Some(x) => b.push_decimal(x),
            None => {
                lossy.add(name, "NaN or infinite numeric");
                b.push_null()
            }
        },
        PgKind::Text => match std::str::from_utf8(v) {
            Ok(s) => b.push_str(s),
            Err(_) => b.push_str(&String::from_utf8_lossy(v)),
        },
        PgKind::Jsonb => {
            need(v, 1, name)?;
            b.push_str(&String::from_utf8_lossy(&v[1..]))
        }
        PgKind::Bytea => b.push_bytes(v),
        PgKind::Uuid => {
            need(v, 16, name)?;
            b.push_str(&format_uuid(v))
        }
        PgKind::Date => {
            need(v, 4, name)?;
            match be_i32(v) {
                i32::MAX | i32::MIN => {
                    lossy.add(name, "infinite date");
                    b.push_null()
                }
                d if !date_in_range(d as i64 + EPOCH_DAYS as i64) => {
                    lossy.add(name, "date beyond year 262142");
                    b.push_null()
                }
                d => b.push_date(d + EPOCH_DAYS),
            }
        }
        PgKind::Timestamp => {
            need(v, 8, name)?;
            match be_i64(v) {
                i64::MAX | i64::MIN => {
                    lossy.add(name, "infinite timestamp");
                    b.push_null()
                }
                t if chrono::DateTime::from_timestamp_micros(t.saturating_add(EPOCH_MICROS))
                    .is_none() =>
                {
                    lossy.add(name, "timestamp beyond year 262142");
                    b.push_null()
                }
                t => b.push_micros(t + EPOCH_MICROS),
            }
        }
        PgKind::Time => {
            need(v, 8, name)?;
            match be_i64(v) {
                t if (0..86_400_000_000).contains(&t) => b.push_micros(t),
                _ => {
                    lossy.add(name, "time of 24:00:00");
                    b.push_null()
                }
            }
        }
        PgKind::Array(elem) => {
            let items = decode_array(elem, name, v, b, lossy)?;
            b.push_list(items)
        }
    }
    Ok(())
}

/// A binary array (any number of dimensions, flattened) as a Series of its elements.
fn decode_array(
    elem: &PgKind,
    name: &str,
    v: &[u8],
    list: &Builder,
    lossy: &mut Lossy,
) -> std::result::Result<Series, String> {
    let Builder::List(_, _, inner) = list else {
        return Err(format!("column '{name}' is not a list"));
    };
    need(v, 12, name)?;
    let ndim = be_i32(&v[0..4]).max(0) as usize;
    let mut at = 12;
    let mut count: usize = if ndim == 0 { 0 } else { 1 };
    for _ in 0..ndim {
        need(&v[at..], 8, name)?;
        count = count.saturating_mul(be_i32(&v[at..at + 4]).max(0) as usize);
        at += 8;
    }
    // Each item takes at least its 4-byte length: a count beyond that is not believed.
    let count = count.min(v.len().saturating_sub(at) / 4);
    let mut items = Builder::new(name, inner, count);
    for _ in 0..count {
        need(&v[at..], 4, name)?;
        let len = be_i32(&v[at..at + 4]);
        at += 4;
        if len < 0 {
            items.push_null();
            continue;
        }
        let len = len as usize;
        need(&v[at..], len, name)?;
        decode_binary(elem, name, &v[at..at + len], &mut items, lossy)?;
        at += len;
    }
    items.finish().map_err(|e| e.to_string())
}

/// A binary numeric as an integer scaled by 10^scale (digits beyond the scale dropped);
/// None for NaN and ±Infinity.
fn numeric_to_unscaled(v: &[u8], scale: usize) -> std::result::Result<Option<i128>, String> {
    let overflow = || "a numeric value does not fit its declared precision".to_string();
    if v.len() < 8 {
        return Err("a numeric value is shorter than its header".into());
    }
    let ndigits = be_i16(&v[0..2]).max(0) as usize;
    let weight = be_i16(&v[2..4]) as i32;
    let sign = u16::from_be_bytes([v[4], v[5]]);
    if matches!(sign, 0xC000 | 0xD000 | 0xF000) {
        return Ok(None);
    }
    if v.len() < 8 + 2 * ndigits {
        return Err("a numeric value is shorter than its digits".into());
    }
    let mut total: i128 = 0;
    for i in 0..ndigits {
        let digit = be_i16(&v[8 + 2 * i..10 + 2 * i]) as i128;
        let exponent = 4 * (weight - i as i32) + scale as i32;
        let term = if exponent >= 0 {
            10i128
                .checked_pow(exponent as u32)
                .and_then(|p| digit.checked_mul(p))
                .ok_or_else(overflow)?
        } else if exponent > -5 {
            digit / 10i128.pow((-exponent) as u32)
        } else {
            0
        };
        total = total.checked_add(term).ok_or_else(overflow)?;
    }
    Ok(Some(if sign == 0x4000 { -total } else { total }))
}

fn format_uuid(v: &[u8]) -> String {
    let hex: String = v[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// One value in PostgreSQL's text format (a Redshift cursor) into its builder.
fn decode_text(
    column: &PgColumn,
    v: &str,
    b: &mut Builder,
    lossy: &mut Lossy,
) -> std::result::Result<(), String> {
    let name = &column.plan.name;
    let bad = || format!("column '{name}': cannot read '{v}'");
    match &column.kind {
        PgKind::Bool => b.push_bool(matches!(v, "t" | "true")),
        PgKind::Int2 | PgKind::Int4 | PgKind::Int8 => b.push_i64(v.parse().map_err(|_| bad())?),
        PgKind::Float4 | PgKind::Float8 => b.push_f64(v.parse().map_err(|_| bad())?),
        PgKind::Numeric { scale } => match parse_decimal(v, *scale) {
            Some(x) => b.push_decimal(x),
            None => {
                lossy.add(name, "NaN or infinite numeric");
                b.push_null()
            }
        },
        PgKind::Text | PgKind::Jsonb | PgKind::Uuid => b.push_str(v),
        PgKind::Bytea => match v.strip_prefix("\\x") {
            Some(hex) if hex.len() % 2 == 0 => {
                let bytes: std::result::Result<Vec<u8>, _> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
                    .collect();
                b.push_bytes(&bytes.map_err(|_| bad())?)
            }
            _ => b.push_bytes(v.as_bytes()),
        },
        PgKind::Date => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => b.push_date(
                (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
                    as i32,
            ),
            Err(_) => {
                lossy.add(name, unreadable_time("date", v));
                b.push_null()
            }
        },
        PgKind::Timestamp => {
            let plain = v.trim_end_matches("+00");
            match chrono::NaiveDateTime::parse_from_str(plain, "%Y-%m-%d %H:%M:%S%.f") {
                Ok(t) => b.push_micros(t.and_utc().timestamp_micros()),
                Err(_) => {
                    lossy.add(name, unreadable_time("timestamp", v));
                    b.push_null()
                }
            }
        }
        PgKind::Time => match chrono::NaiveTime::parse_from_str(v, "%H:%M:%S%.f") {
            Ok(t) => {
                use chrono::Timelike;
                let micros = t.num_seconds_from_midnight() as i64 * 1_000_000
                    + (t.nanosecond() / 1000) as i64;
                if micros < 86_400_000_000 {
                    b.push_micros(micros)
                } else {
                    lossy.add(name, "time of 24:00:00");
                    b.push_null()
                }
            }
            Err(_) => {
                lossy.add(name, "time of 24:00:00");
                b.push_null()
            }
        },
        PgKind::Array(_) => b.push_str(v),
    }
    Ok(())
}

/// Why a date or timestamp in text form has no value: the same words as the binary reader's.
fn unreadable_time(what: &str, v: &str) -> &'static str {
    match (what, v.trim_start_matches('-') == "infinity") {
        ("date", true) => "infinite date",
        ("date", false) => "date outside what can be read (BC)",
        (_, true) => "infinite timestamp",
        (_, false) => "timestamp outside what can be read (BC)",
    }
}

/// `-12.345` as an integer scaled by 10^scale; None for NaN and infinities.
pub(crate) fn parse_decimal(text: &str, scale: usize) -> Option<i128> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut digits = String::with_capacity(int.len() + scale);
    digits.push_str(int);
    let kept: String = frac.chars().take(scale).collect();
    digits.push_str(&kept);
    digits.extend(std::iter::repeat_n('0', scale - kept.len()));
    let value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ndigits: i16, weight: i16, sign: u16, dscale: u16, digits: &[i16]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(ndigits.to_be_bytes());
        v.extend(weight.to_be_bytes());
        v.extend(sign.to_be_bytes());
        v.extend(dscale.to_be_bytes());
        for d in digits {
            v.extend(d.to_be_bytes());
        }
        v
    }

    #[test]
    fn binary_numerics_scale_exactly() {
        // The server's own encodings of these values.
        let n = |v: Vec<u8>, s| numeric_to_unscaled(&v, s).unwrap();
        assert_eq!(n(numeric(2, 0, 0, 2, &[123, 4500]), 2), Some(12345));
        assert_eq!(n(numeric(1, -1, 0x4000, 3, &[10]), 3), Some(-1));
        assert_eq!(n(numeric(1, 1, 0, 0, &[1]), 0), Some(10000));
        assert_eq!(n(numeric(2, 0, 0, 2, &[1, 5000]), 4), Some(15000));
        assert_eq!(n(numeric(0, 0, 0, 0, &[]), 2), Some(0));
        assert_eq!(n(numeric(0, 0, 0xC000, 0, &[]), 2), None);
        assert_eq!(n(numeric(0, 0, 0xD000, 32, &[]), 2), None);
        // 38 nines in 10 groups fit Decimal(38, 0).
        let mut groups = vec![99i16];
        groups.extend(std::iter::repeat_n(9999i16, 9));
        assert_eq!(
            n(numeric(10, 9, 0, 0, &groups), 0),
            Some(10i128.pow(38) - 1)
        );
        assert!(numeric_to_unscaled(&numeric(1, 10, 0, 0, &[9999]), 0).is_err());
    }

    #[test]
    fn text_decimals_scale_exactly() {
        assert_eq!(parse_decimal("-12.345", 2), Some(-1234));
        assert_eq!(parse_decimal("7", 3), Some(7000));
        assert_eq!(parse_decimal(".5", 1), Some(5));
        assert_eq!(parse_decimal("NaN", 2), None);
        assert_eq!(parse_decimal("", 2), None);
    }

    #[test]
    fn uuids_render_hyphenated() {
        let bytes: Vec<u8> = (0u8..16).collect();
        assert_eq!(format_uuid(&bytes), "00010203-0405-0607-0809-0a0b0c0d0e0f");
    }
}
