//! Table outputs: `db://CONNECTION/schema.table`.
//!
//! `replace` (the default) and `create` load the rows into a staging table
//! (`<table>__datacook_staging_<hash>`) and swap it in inside one transaction — PostgreSQL renames
//! it over the old table in a transaction, MySQL/MariaDB with one atomic `RENAME TABLE` — so
//! a reader sees the old table or the new one, never a half-written one. A killed run leaves
//! the old table intact; the next run drops the staging table it left. `append` adds the rows
//! to the table (creating it if missing) in one transaction. Concurrent runs to one table
//! take turns (an advisory lock). PostgreSQL loads with binary `COPY … FROM STDIN`,
//! MySQL/MariaDB with `LOAD DATA LOCAL INFILE` (the server must allow `local_infile`).
//!
//! Column types follow the frame: Boolean → boolean, integers → smallint/integer/bigint
//! (UInt64 → numeric(20)), Float32/64 → real/double, String → text, Binary → bytea/longblob,
//! Date → date, Datetime → timestamp (timestamptz when it has a zone), Time → time,
//! Duration → interval/time, Decimal(p, s) → numeric(p, s); other types are written as text.

use bytes::{BufMut, Bytes, BytesMut};
use futures::SinkExt;
use polars::prelude::*;

use super::{Sink, TableMode, WriteOptions, Written};
use crate::dataset::connections::{Connection, DbKind};
use crate::dataset::db::{Relation, db_error, qualified, quote_ident};
use crate::error::{Error, Result};

/// Rows encoded per chunk sent to the server.
const CHUNK_ROWS: usize = 20_000;

pub struct TableSink {
    connection: Connection,
    schema: Option<String>,
    name: String,
}

impl TableSink {
    pub fn new(connection: Connection, table: &str) -> Result<TableSink> {
        match Relation::table(table).map_err(Error::invalid)? {
            Relation::Table { schema, name } => Ok(TableSink {
                connection,
                schema,
                name,
            }),
            Relation::Query(_) => Err(Error::invalid("a table output needs a table name")),
        }
    }

    fn shown(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// `name` in the output table's schema, quoted with `q`.
    fn table_name(&self, name: &str, q: char) -> String {
        qualified(self.schema.as_deref(), name, q)
    }

    /// `--mode create` on a table that exists.
    fn already_exists(&self) -> Error {
        db_error(
            &self.connection,
            "cannot write to",
            &format!("table '{}' already exists", self.shown()),
            Some("use --mode replace or --mode append, or another table".into()),
            true,
        )
    }
}

impl Sink for TableSink {
    fn describe(&self) -> String {
        format!("db://{}/{}", self.connection.name, self.shown())
    }

    fn write(&self, lf: LazyFrame, opts: &WriteOptions) -> Result<Written> {
        if !opts.partition_by.is_empty() {
            return Err(Error::invalid_with_help(
                "--partition-by writes folders of files, not tables",
                "write to a path or an s3:// prefix to partition",
            ));
        }
        let frame = crate::types::collect_streaming(lf)
            .map_err(|e| Error::runtime(format!("computing the output failed: {e}")))?;
        let frame = prepare_frame(frame, self.connection.kind)?;
        crate::runtime::block_on(async {
            match self.connection.kind {
                DbKind::Postgres => self.write_postgres(&frame, opts.mode).await,
                DbKind::Mysql => self.write_mysql(&frame, opts.mode).await,
                DbKind::Redshift => Err(Error::invalid_with_help(
                    format!(
                        "{}: datacook cannot write Redshift tables (Redshift has no COPY from \
                         a client)",
                        self.describe()
                    ),
                    "write the output to s3:// and load it with Redshift's COPY",
                )),
            }
        })?;
        Ok(Written {
            location: self.describe(),
            bytes: None,
            files: Vec::new(),
        })
    }
}

/// Cast the columns to the types the table will hold: lists stay lists in PostgreSQL (as
/// arrays) when their items have a column type, else they are written as JSON text.
fn prepare_frame(frame: DataFrame, kind: DbKind) -> Result<DataFrame> {
    let scalar = |d: &DataType| -> Option<DataType> {
        Some(match d {
            DataType::Int8 | DataType::UInt8 => DataType::Int16,
            DataType::UInt16 => DataType::Int32,
            DataType::UInt32 => DataType::Int64,
            DataType::UInt64 if kind != DbKind::Mysql => DataType::Decimal(20, 0),
            DataType::Datetime(_, tz) => DataType::Datetime(TimeUnit::Microseconds, tz.clone()),
            DataType::Duration(_) => DataType::Duration(TimeUnit::Microseconds),
            DataType::Boolean
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64
            | DataType::String
            | DataType::Binary
            | DataType::Date
            | DataType::Time
            | DataType::Decimal(_, _) => d.clone(),
            _ => return None,
        })
    };
    let mut exprs = Vec::new();
    let mut as_json = Vec::new();
    for (name, dtype) in frame.schema().iter() {
        let c = col(name.as_str());
        match (dtype, scalar(dtype)) {
            // Casting to the type a column already has would drop a time zone here.
            (_, Some(t)) if t == *dtype => exprs.push(c),
            (_, Some(t)) => exprs.push(c.cast(t)),
            (DataType::List(inner), None) if kind != DbKind::Mysql => match scalar(inner) {
                Some(t) => exprs.push(c.cast(DataType::List(Box::new(t)))),
                None => {
                    as_json.push(name.to_string());
                    exprs.push(c);
                }
            },
            _ => {
                as_json.push(name.to_string());
                exprs.push(c);
            }
        }
    }
    let mut out = frame
        .lazy()
        .select(exprs)
        .collect()
        .map_err(|e| Error::runtime(format!("preparing the output failed: {e}")))?;
    for name in as_json {
        let text: StringChunked = out
            .column(&name)?
            .as_materialized_series()
            .iter()
            .map(|v| super::value_text(&v))
            .collect();
        out.with_column(text.with_name(name.as_str().into()).into_column())?;
    }
    out.rechunk_mut_par();
    Ok(out)
}

/// The frame's columns as a table definition (`"name" type`) and as a column list, quoted
/// as `kind` quotes.
fn column_lists(frame: &DataFrame, kind: DbKind) -> (Vec<String>, Vec<String>) {
    let q = if kind == DbKind::Mysql { '`' } else { '"' };
    frame
        .schema()
        .iter()
        .map(|(n, d)| {
            let name = quote_ident(n, q);
            (format!("{name} {}", sql_type(d, kind)), name)
        })
        .unzip()
}

fn sql_type(dtype: &DataType, kind: DbKind) -> String {
    let pg = kind != DbKind::Mysql;
    match dtype {
        DataType::Boolean => if pg { "boolean" } else { "tinyint(1)" }.into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => if pg { "integer" } else { "int" }.into(),
        DataType::Int64 => "bigint".into(),
        DataType::UInt64 => "bigint unsigned".into(),
        DataType::Float32 => if pg { "real" } else { "float" }.into(),
        DataType::Float64 => if pg { "double precision" } else { "double" }.into(),
        DataType::Binary => if pg { "bytea" } else { "longblob" }.into(),
        DataType::Date => "date".into(),
        DataType::Datetime(_, None) => if pg { "timestamp" } else { "datetime(6)" }.into(),
        DataType::Datetime(_, Some(_)) => if pg {
            "timestamptz"
        } else {
            "timestamp(6) NULL"
        }
        .into(),
        DataType::Time => if pg { "time" } else { "time(6)" }.into(),
        DataType::Duration(_) => if pg { "interval" } else { "time(6)" }.into(),
        DataType::Decimal(p, s) => format!("{}({p}, {s})", if pg { "numeric" } else { "decimal" }),
        DataType::List(inner) if pg => format!("{}[]", sql_type(inner, kind)),
        _ => if pg { "text" } else { "longtext" }.into(),
    }
}

// ---- PostgreSQL -------------------------------------------------------------------------------

impl TableSink {
    fn failed(&self, doing: &str, e: &tokio_postgres::Error) -> Error {
        let message = match e.as_db_error() {
            Some(d) => d.message().to_string(),
            None => e.to_string(),
        };
        let invalid = e.code().is_some_and(|c| c.code().starts_with("42"));
        db_error(&self.connection, doing, &message, None, invalid)
    }

    async fn write_postgres(&self, frame: &DataFrame, mode: TableMode) -> Result<()> {
        let conn = &self.connection;
        let client = crate::dataset::db::postgres::connect(conn).await?;
        let target = self.table_name(&self.name, '"');
        let staging = self.table_name(&side_name(&self.name, "staging"), '"');
        // Another run writing this table goes first; after 10 minutes this one gives up.
        client
            .batch_execute("SET lock_timeout = '600s'")
            .await
            .map_err(|e| self.failed("cannot lock the output table in", &e))?;
        client
            .query("SELECT pg_advisory_lock(hashtext($1))", &[&target])
            .await
            .map_err(|e| self.failed("cannot lock the output table in", &e))?;
        let exists: bool = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&target])
            .await
            .map_err(|e| self.failed("cannot look the output table up in", &e))?
            .get(0);
        let (columns, names) = column_lists(frame, DbKind::Postgres);
        match (mode, exists) {
            (TableMode::Create, true) => return Err(self.already_exists()),
            (TableMode::Append, true) => {
                self.check_append_columns(&client, &target, frame).await?;
                // Load a temporary table of the frame's own types, then let PostgreSQL convert
                // into the table's (assignment casts: a value that does not fit is an error).
                let temp = quote_ident("datacook_append", '"');
                client
                    .batch_execute(&format!(
                        "BEGIN; CREATE TEMP TABLE {temp} ({}) ON COMMIT DROP",
                        columns.join(", ")
                    ))
                    .await
                    .map_err(|e| self.failed("cannot write to", &e))?;
                let appended = async {
                    copy_in(&client, &temp, &names, frame).await?;
                    client
                        .batch_execute(&format!(
                            "INSERT INTO {target} ({cols}) SELECT {cols} FROM {temp}; COMMIT",
                            cols = names.join(", ")
                        ))
                        .await
                        .map(|_| ())
                }
                .await;
                if let Err(e) = appended {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(self.failed("cannot append to the table in", &e));
                }
            }
            _ => {
                client
                    .batch_execute(&format!(
                        "DROP TABLE IF EXISTS {staging}; CREATE TABLE {staging} ({})",
                        columns.join(", ")
                    ))
                    .await
                    .map_err(|e| self.failed("cannot create the staging table in", &e))?;
                copy_in(&client, &staging, &names, frame)
                    .await
                    .map_err(|e| self.failed("cannot load the staging table in", &e))?;
                client
                    .batch_execute(&format!(
                        "BEGIN; DROP TABLE IF EXISTS {target}; ALTER TABLE {staging} RENAME TO {}; COMMIT",
                        quote_ident(&self.name, '"')
                    ))
                    .await
                    .map_err(|e| self.failed("cannot swap the new table in on", &e))?;
            }
        }
        let _ = client
            .query("SELECT pg_advisory_unlock(hashtext($1))", &[&target])
            .await;
        Ok(())
    }
}

impl TableSink {
    /// Appending needs every column of the frame in the table.
    async fn check_append_columns(
        &self,
        client: &tokio_postgres::Client,
        target: &str,
        frame: &DataFrame,
    ) -> Result<()> {
        let statement = client
            .prepare(&format!("SELECT * FROM {target}"))
            .await
            .map_err(|e| self.failed("cannot read the output table's columns in", &e))?;
        let columns: Vec<&str> = statement.columns().iter().map(|c| c.name()).collect();
        match frame
            .get_column_names()
            .into_iter()
            .find(|n| !columns.contains(&n.as_str()))
        {
            None => Ok(()),
            Some(missing) => Err(db_error(
                &self.connection,
                "cannot append to",
                &format!("table '{}' has no column '{missing}'", self.shown()),
                crate::error::did_you_mean(missing, columns.iter().copied())
                    .or_else(|| Some("use --mode replace to replace the table".into())),
                true,
            )),
        }
    }
}

/// The name of a staging (or previous) table beside `name`: short enough for PostgreSQL's
/// 63 and MySQL's 64 bytes, and the same for every run to one table, so the next run finds
/// what a killed one left.
fn side_name(name: &str, role: &str) -> String {
    let mut keep = String::new();
    for c in name.chars() {
        if keep.len() + c.len_utf8() > 30 {
            break;
        }
        keep.push(c);
    }
    format!("{keep}__datacook_{role}_{:08x}", fnv1a(name) as u32)
}

/// A stable hash (FNV-1a): the same on every machine and run.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Binary `COPY table (columns) FROM STDIN`, the frame encoded in chunks.
async fn copy_in(
    client: &tokio_postgres::Client,
    table: &str,
    names: &[String],
    frame: &DataFrame,
) -> std::result::Result<u64, tokio_postgres::Error> {
    let sink = client
        .copy_in::<_, Bytes>(&format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            names.join(", ")
        ))
        .await?;
    futures::pin_mut!(sink);
    let mut buf = BytesMut::with_capacity(1 << 20);
    buf.put_slice(b"PGCOPY\n\xff\r\n\0");
    buf.put_i32(0);
    buf.put_i32(0);
    let columns = frame.columns();
    let height = frame.height();
    let mut start = 0;
    while start < height {
        let end = (start + CHUNK_ROWS).min(height);
        for row in start..end {
            buf.put_i16(columns.len() as i16);
            for c in columns {
                encode_pg(c, row, &mut buf);
            }
        }
        sink.send(buf.split().freeze()).await?;
        start = end;
    }
    buf.put_i16(-1);
    sink.send(buf.split().freeze()).await?;
    sink.as_mut().finish().await
}

/// Days and microseconds between 1970-01-01 and PostgreSQL's 2000-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

fn encode_pg(c: &Column, row: usize, buf: &mut BytesMut) {
    let value = c.get(row).unwrap_or(AnyValue::Null);
    encode_pg_value(&value, buf);
}

/// One value as a binary COPY field: its length, then its bytes (-1 for null).
fn encode_pg_value(value: &AnyValue, buf: &mut BytesMut) {
    let mut field = |bytes: &[u8]| {
        buf.put_i32(bytes.len() as i32);
        buf.put_slice(bytes);
    };
    match value {
        AnyValue::Null => buf.put_i32(-1),
        AnyValue::Boolean(b) => field(&[*b as u8]),
        AnyValue::Int16(v) => field(&v.to_be_bytes()),
        AnyValue::Int32(v) => field(&v.to_be_bytes()),
        AnyValue::Int64(v) => field(&v.to_be_bytes()),
        AnyValue::Float32(v) => field(&v.to_be_bytes()),
        AnyValue::Float64(v) => field(&v.to_be_bytes()),
        AnyValue::String(s) => field(s.as_bytes()),
        AnyValue::StringOwned(s) => field(s.as_bytes()),
        AnyValue::Binary(b) => field(b),
        AnyValue::BinaryOwned(b) => field(b),
        AnyValue::Date(d) => field(&(d - PG_EPOCH_DAYS).to_be_bytes()),
        AnyValue::Datetime(t, _, _) | AnyValue::DatetimeOwned(t, _, _) => {
            field(&(t - PG_EPOCH_MICROS).to_be_bytes())
        }
        AnyValue::Time(ns) => field(&(ns / 1000).to_be_bytes()),
        AnyValue::Duration(us, _) => {
            let mut v = Vec::with_capacity(16);
            v.extend(us.to_be_bytes());
            v.extend(0i32.to_be_bytes());
            v.extend(0i32.to_be_bytes());
            field(&v)
        }
        AnyValue::Decimal(unscaled, _, scale) => field(&numeric_binary(*unscaled, *scale)),
        AnyValue::List(items) => {
            let mut array = BytesMut::new();
            encode_pg_array(items, &mut array);
            field(&array)
        }
        other => field(other.to_string().as_bytes()),
    }
}

/// A one-dimensional array: dimensions, null flag, item type, then the items as fields.
fn encode_pg_array(items: &Series, buf: &mut BytesMut) {
    let empty = items.is_empty();
    buf.put_i32(if empty { 0 } else { 1 });
    buf.put_i32((items.null_count() > 0) as i32);
    buf.put_u32(pg_oid(items.dtype()));
    if !empty {
        buf.put_i32(items.len() as i32);
        buf.put_i32(1);
    }
    for v in items.iter() {
        encode_pg_value(&v, buf);
    }
}

/// PostgreSQL's type id for the items of an array column.
fn pg_oid(dtype: &DataType) -> u32 {
    match dtype {
        DataType::Boolean => 16,
        DataType::Int16 => 21,
        DataType::Int32 => 23,
        DataType::Int64 => 20,
        DataType::Float32 => 700,
        DataType::Float64 => 701,
        DataType::Binary => 17,
        DataType::Date => 1082,
        DataType::Datetime(_, None) => 1114,
        DataType::Datetime(_, Some(_)) => 1184,
        DataType::Time => 1083,
        DataType::Duration(_) => 1186,
        DataType::Decimal(_, _) => 1700,
        _ => 25,
    }
}

/// An integer scaled by 10^scale in PostgreSQL's binary numeric format.
fn numeric_binary(unscaled: i128, scale: usize) -> Vec<u8> {
    let negative = unscaled < 0;
    let digits = unscaled.unsigned_abs().to_string();
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    // Integer part in groups of four from the right, fraction from the left.
    let int_pad = int.len().div_ceil(4) * 4;
    let int = format!("{int:0>int_pad$}");
    let frac_pad = frac.len().div_ceil(4) * 4;
    let frac = format!("{frac:0<frac_pad$}");
    let group = |s: &str| -> Vec<i16> {
        s.as_bytes()
            .chunks(4)
            .map(|c| {
                std::str::from_utf8(c)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0)
            })
            .collect()
    };
    let int_groups = group(&int);
    let mut groups: Vec<i16> = int_groups.clone();
    groups.extend(group(&frac));
    let mut weight = int_groups.len() as i16 - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let mut out = Vec::with_capacity(8 + 2 * groups.len());
    out.extend((groups.len() as i16).to_be_bytes());
    out.extend(weight.to_be_bytes());
    out.extend(
        if negative && !groups.is_empty() {
            0x4000u16
        } else {
            0
        }
        .to_be_bytes(),
    );
    out.extend((scale as u16).to_be_bytes());
    for g in groups {
        out.extend(g.to_be_bytes());
    }
    out
}

// ---- MySQL / MariaDB --------------------------------------------------------------------------

impl TableSink {
    fn my_failed(&self, doing: &str, e: &mysql_async::Error) -> Error {
        let (message, invalid) = match e {
            mysql_async::Error::Server(s) => (
                s.message.clone(),
                matches!(s.code, 1050 | 1054 | 1064 | 1146 | 1142),
            ),
            other => (other.to_string(), false),
        };
        let help = message.contains("local").then(|| {
            "the server must allow LOAD DATA LOCAL INFILE (SET GLOBAL local_infile = 1)".to_string()
        });
        db_error(&self.connection, doing, &message, help, invalid)
    }

    async fn write_mysql(&self, frame: &DataFrame, mode: TableMode) -> Result<()> {
        use mysql_async::prelude::*;
        let conn = &self.connection;
        let mut db = crate::dataset::db::mysql::connect(conn).await?;
        let target = self.table_name(&self.name, '`');
        let staging = self.table_name(&side_name(&self.name, "staging"), '`');
        let old = self.table_name(&side_name(&self.name, "old"), '`');
        let lock = format!("datacook:{:016x}", fnv1a(&self.describe()));
        let locked: Option<Option<i64>> = db
            .exec_first("SELECT GET_LOCK(?, 600)", (lock.clone(),))
            .await
            .map_err(|e| self.my_failed("cannot lock the output table in", &e))?;
        if locked.flatten() != Some(1) {
            return Err(db_error(
                conn,
                "cannot lock the output table in",
                "another run held the lock on it for 10 minutes",
                None,
                false,
            ));
        }
        let (schema_sql, table_sql) = match &self.schema {
            Some(s) => ("?".to_string(), vec![s.clone(), self.name.clone()]),
            None => ("DATABASE()".to_string(), vec![self.name.clone()]),
        };
        let exists: Option<u64> = db
            .exec_first(
                format!(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = {schema_sql} AND table_name = ?"
                ),
                table_sql,
            )
            .await
            .map_err(|e| self.my_failed("cannot look the output table up in", &e))?;
        let exists = exists.unwrap_or(0) > 0;
        let (columns, names) = column_lists(frame, DbKind::Mysql);
        match (mode, exists) {
            (TableMode::Create, true) => return Err(self.already_exists()),
            (TableMode::Append, true) => {
                db.query_drop("START TRANSACTION")
                    .await
                    .map_err(|e| self.my_failed("cannot write to", &e))?;
                if let Err(e) = load_data(&mut db, &target, &names, frame).await {
                    let _ = db.query_drop("ROLLBACK").await;
                    return Err(self.my_failed("cannot append to the table in", &e));
                }
                db.query_drop("COMMIT")
                    .await
                    .map_err(|e| self.my_failed("cannot append to the table in", &e))?;
            }
            _ => {
                db.query_drop(format!("DROP TABLE IF EXISTS {staging}, {old}"))
                    .await
                    .map_err(|e| self.my_failed("cannot drop an old staging table in", &e))?;
                db.query_drop(format!("CREATE TABLE {staging} ({})", columns.join(", ")))
                    .await
                    .map_err(|e| self.my_failed("cannot create the staging table in", &e))?;
                load_data(&mut db, &staging, &names, frame)
                    .await
                    .map_err(|e| self.my_failed("cannot load the staging table in", &e))?;
                let swap = if exists {
                    format!("RENAME TABLE {target} TO {old}, {staging} TO {target}")
                } else {
                    format!("RENAME TABLE {staging} TO {target}")
                };
                db.query_drop(swap)
                    .await
                    .map_err(|e| self.my_failed("cannot swap the new table in on", &e))?;
                db.query_drop(format!("DROP TABLE IF EXISTS {old}"))
                    .await
                    .map_err(|e| self.my_failed("cannot drop the previous table in", &e))?;
            }
        }
        let _ = db.exec_drop("SELECT RELEASE_LOCK(?)", (lock,)).await;
        let _ = db.disconnect().await;
        Ok(())
    }
}

/// `LOAD DATA LOCAL INFILE` from the frame, encoded as tab-separated text in chunks.
async fn load_data(
    db: &mut mysql_async::Conn,
    table: &str,
    names: &[String],
    frame: &DataFrame,
) -> std::result::Result<(), mysql_async::Error> {
    use mysql_async::prelude::*;
    let frame = frame.clone();
    let height = frame.height();
    let chunks = futures::stream::unfold(0usize, move |start| {
        let frame = frame.clone();
        async move {
            if start >= height {
                return None;
            }
            let end = (start + CHUNK_ROWS).min(height);
            let mut buf = BytesMut::with_capacity(1 << 20);
            for row in start..end {
                for (i, c) in frame.columns().iter().enumerate() {
                    if i > 0 {
                        buf.put_u8(b'\t');
                    }
                    encode_tsv(c, row, &mut buf);
                }
                buf.put_u8(b'\n');
            }
            Some((Ok(buf.freeze()), end))
        }
    });
    db.set_infile_handler(async move { Ok(Box::pin(chunks) as mysql_async::InfileData) });
    // CHARACTER SET binary: the bytes go in as they are (text is UTF-8 already; blobs raw).
    db.query_drop(format!(
        "LOAD DATA LOCAL INFILE 'datacook' INTO TABLE {table} CHARACTER SET binary \
         FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({})",
        names.join(", ")
    ))
    .await?;
    // A local load turns bad values into warnings and goes on: any warning fails the load.
    if db.get_warnings() > 0 {
        let warnings: Vec<(String, u16, String)> =
            db.query("SHOW WARNINGS LIMIT 3").await.unwrap_or_default();
        let text: Vec<String> = warnings.into_iter().map(|(_, _, m)| m).collect();
        return Err(mysql_async::Error::Other(
            format!(
                "the server changed values while loading them: {}",
                text.join("; ")
            )
            .into(),
        ));
    }
    Ok(())
}

fn escape_tsv(bytes: &[u8], buf: &mut BytesMut) {
    for &b in bytes {
        match b {
            b'\\' => buf.put_slice(b"\\\\"),
            b'\t' => buf.put_slice(b"\\t"),
            b'\n' => buf.put_slice(b"\\n"),
            b'\r' => buf.put_slice(b"\\r"),
            0 => buf.put_slice(b"\\0"),
            _ => buf.put_u8(b),
        }
    }
}

fn encode_tsv(c: &Column, row: usize, buf: &mut BytesMut) {
    let value = c.get(row).unwrap_or(AnyValue::Null);
    let mut text = |s: &str| buf.put_slice(s.as_bytes());
    match value {
        AnyValue::Null => text("\\N"),
        AnyValue::Boolean(b) => text(if b { "1" } else { "0" }),
        AnyValue::Float32(v) if !v.is_finite() => text("\\N"),
        AnyValue::Float64(v) if !v.is_finite() => text("\\N"),
        AnyValue::String(s) => escape_tsv(s.as_bytes(), buf),
        AnyValue::StringOwned(s) => escape_tsv(s.as_bytes(), buf),
        AnyValue::Binary(b) => escape_tsv(b, buf),
        AnyValue::BinaryOwned(b) => escape_tsv(&b, buf),
        AnyValue::Datetime(t, _, _) | AnyValue::DatetimeOwned(t, _, _) => {
            match chrono::DateTime::from_timestamp_micros(t) {
                Some(dt) => text(&dt.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
                None => text("\\N"),
            }
        }
        AnyValue::Duration(us, _) => text(&mysql_time(us)),
        AnyValue::Time(ns) => text(&mysql_time(ns / 1000)),
        AnyValue::Int16(v) => text(&v.to_string()),
        AnyValue::Int32(v) => text(&v.to_string()),
        AnyValue::Int64(v) => text(&v.to_string()),
        AnyValue::UInt64(v) => text(&v.to_string()),
        // Rust's shortest text that reads back as the same number.
        AnyValue::Float32(v) => text(&v.to_string()),
        AnyValue::Float64(v) => text(&v.to_string()),
        AnyValue::Date(d) => match d
            .checked_add(719_163)
            .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
        {
            Some(date) => text(&date.format("%Y-%m-%d").to_string()),
            None => text("\\N"),
        },
        AnyValue::Decimal(unscaled, _, scale) => text(&decimal_text(unscaled, scale)),
        other => escape_tsv(other.to_string().trim_matches('"').as_bytes(), buf),
    }
}

/// An integer scaled by 10^scale as decimal text (`-12.34`).
fn decimal_text(unscaled: i128, scale: usize) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Microseconds as MySQL's `[-]HHH:MM:SS.ffffff`.
fn mysql_time(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let us = us.unsigned_abs();
    let secs = us / 1_000_000;
    format!(
        "{sign}{}:{:02}:{:02}.{:06}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        us % 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerics_encode_as_postgres_does() {
        // The server's own encodings (see the reader's tests).
        let n = |v: i128, s| numeric_binary(v, s);
        assert_eq!(
            n(12345, 2),
            vec![0, 2, 0, 0, 0, 0, 0, 2, 0, 123, 0x11, 0x94]
        );
        assert_eq!(n(-1, 3), vec![0, 1, 0xff, 0xff, 0x40, 0, 0, 3, 0, 10]);
        assert_eq!(n(10000, 0), vec![0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(n(0, 2), vec![0, 0, 0, 0, 0, 0, 0, 2]);
    }

    #[test]
    fn decimals_and_side_tables_are_named_exactly() {
        assert_eq!(decimal_text(-1234, 2), "-12.34");
        assert_eq!(decimal_text(5, 3), "0.005");
        assert_eq!(decimal_text(42, 0), "42");
        let long = "a".repeat(70);
        let staging = side_name(&long, "staging");
        assert!(staging.len() <= 63, "{staging}");
        assert_ne!(
            side_name(&long, "staging"),
            side_name(&format!("{long}b"), "staging")
        );
        assert_eq!(side_name("t", "old"), side_name("t", "old"));
    }

    #[test]
    fn times_render_as_mysql_reads_them() {
        assert_eq!(mysql_time(3_723_000_001), "1:02:03.000001");
        assert_eq!(mysql_time(-3_018_599_000_000), "-838:29:59.000000");
    }
}
