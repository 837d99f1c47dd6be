//! MySQL and MariaDB, through `mysql_async` (rustls, no OpenSSL): the binary protocol,
//! rows streamed into column builders as they arrive.
//!
//! Types:
//!
//! | MySQL / MariaDB | Polars |
//! |---|---|
//! | tinyint(1), boolean, bit(1) | Boolean |
//! | tinyint, smallint, year | Int16, Int32, Int16 |
//! | mediumint, int / int unsigned | Int32 / Int64 |
//! | bigint / bigint unsigned | Int64 / UInt64 |
//! | float, double | Float32, Float64 |
//! | decimal(p, s), p ≤ 38 | Decimal(p, s); above 38 digits, exact text |
//! | date, datetime | Date, Datetime(µs) |
//! | timestamp | Datetime(µs, UTC) (the session runs in UTC) |
//! | time | Duration(µs): MySQL's TIME spans −838 to 838 hours |
//! | char, varchar, text, enum, set, json | String (JSON as stored) |
//! | binary, varbinary, blob, geometry | Binary |
//! | bit(n > 1) | UInt64 |
//!
//! Zero dates (`0000-00-00`) and dates with a zero month or day have no calendar value:
//! they are read as null and counted in the read report.

use futures::TryStreamExt;
use mysql_async::consts::{ColumnFlags, ColumnType};
use mysql_async::prelude::*;
use mysql_async::{Conn, DriverError, OptsBuilder, Row, SslOpts, Value};
use polars::prelude::*;

use super::builder::Builder;
use super::postgres::parse_decimal;
use super::{
    ColumnPlan, DatabaseSource, Fetched, Lossy, Relation, assemble, checked_partition, db_error,
    join_all_or_abort, missing_table_error, quote_ident, range_filters,
};
use crate::dataset::connections::{Connection, Tls};
use crate::error::{Error, Result};

/// The character set number MySQL gives binary strings.
const BINARY_CHARSET: u16 = 63;

#[derive(Debug, Clone, Copy, PartialEq)]
enum MyKind {
    Bool,
    Int,
    Float,
    Decimal { scale: usize },
    Bit,
    Text,
    Binary,
    Date,
    Datetime,
    Time,
}

#[derive(Debug, Clone)]
struct MyColumn {
    plan: ColumnPlan,
    kind: MyKind,
}

// ---- connecting ---------------------------------------------------------------------------

fn options(conn: &Connection, tls: bool) -> OptsBuilder {
    let verify = conn.tls == Tls::VerifyFull;
    let mut opts = OptsBuilder::default()
        .ip_or_hostname(conn.host.clone())
        .tcp_port(conn.port)
        .user(Some(conn.user.clone()))
        .pass(conn.password.clone())
        .db_name((!conn.database.is_empty()).then(|| conn.database.clone()))
        .prefer_socket(false)
        .tcp_keepalive(Some(std::time::Duration::from_secs(30)))
        .init(vec!["SET time_zone = '+00:00'"]);
    if tls && verify {
        let roots = conn.ca_file.iter().map(|p| p.clone().into()).collect();
        opts = opts.ssl_opts(Some(SslOpts::default().with_root_certs(roots)));
    } else if tls {
        opts = opts.ssl_opts(Some(
            SslOpts::default()
                .with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true),
        ));
    }
    opts
}

/// Connect within the connection's timeout (the driver has none of its own). `prefer`
/// falls back to an unencrypted connection when the server offers no TLS.
pub(crate) async fn connect(conn: &Connection) -> Result<Conn> {
    let attempt = |tls: bool| async move {
        tokio::time::timeout(
            conn.connect_timeout.saturating_mul(2),
            Conn::new(options(conn, tls)),
        )
        .await
    };
    let result = match conn.tls {
        Tls::Disable => attempt(false).await,
        Tls::Require | Tls::VerifyFull => attempt(true).await,
        Tls::Prefer => match attempt(true).await {
            Ok(Err(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer))) => {
                attempt(false).await
            }
            other => other,
        },
    };
    match result {
        Err(_) => Err(db_error(
            conn,
            "cannot connect to",
            &format!(
                "no answer within {:?}",
                conn.connect_timeout.saturating_mul(2)
            ),
            Some(format!(
                "check that the server runs and that host and port in {} are right",
                conn.defined_in
            )),
            false,
        )),
        Ok(Err(e)) => {
            let auth =
                matches!(&e, mysql_async::Error::Server(s) if s.code == 1045 || s.code == 1698);
            let help = if auth {
                format!(
                    "check the user and the password in the environment variable the \
                     connection names ({})",
                    conn.defined_in
                )
            } else {
                format!(
                    "check that the server runs and that host and port in {} are right",
                    conn.defined_in
                )
            };
            Err(db_error(
                conn,
                "cannot connect to",
                &describe(&e),
                Some(help),
                false,
            ))
        }
        Ok(Ok(c)) => Ok(c),
    }
}

fn describe(e: &mysql_async::Error) -> String {
    match e {
        mysql_async::Error::Server(s) => s.message.clone(),
        other => other.to_string(),
    }
}

/// Syntax errors and unknown tables or columns are the dataset's fault (exit 2).
fn my_error(conn: &Connection, doing: &str, e: &mysql_async::Error) -> Error {
    let invalid = matches!(e, mysql_async::Error::Server(s) if matches!(s.code, 1054 | 1064 | 1146 | 1049 | 1142 | 1143));
    db_error(conn, doing, &describe(e), None, invalid)
}

fn quote(ident: &str) -> String {
    quote_ident(ident, '`')
}

fn base_query(relation: &Relation) -> String {
    super::base_query(relation, '`')
}

// ---- types ------------------------------------------------------------------------------

fn column_for(c: &mysql_async::Column) -> MyColumn {
    let name = c.name_str().to_string();
    let unsigned = c.flags().contains(ColumnFlags::UNSIGNED_FLAG);
    let binary = c.character_set() == BINARY_CHARSET;
    let plan = |dtype: DataType, db_type: &str, note: Option<String>| ColumnPlan {
        name: name.clone(),
        dtype,
        db_type: db_type.to_string(),
        note,
    };
    let (kind, plan) = match c.column_type() {
        ColumnType::MYSQL_TYPE_TINY if c.column_length() == 1 => {
            (MyKind::Bool, plan(DataType::Boolean, "tinyint(1)", None))
        }
        ColumnType::MYSQL_TYPE_TINY => (MyKind::Int, plan(DataType::Int16, "tinyint", None)),
        ColumnType::MYSQL_TYPE_YEAR => (MyKind::Int, plan(DataType::Int16, "year", None)),
        ColumnType::MYSQL_TYPE_SHORT => (MyKind::Int, plan(DataType::Int32, "smallint", None)),
        ColumnType::MYSQL_TYPE_INT24 => (MyKind::Int, plan(DataType::Int32, "mediumint", None)),
        ColumnType::MYSQL_TYPE_LONG if unsigned => {
            (MyKind::Int, plan(DataType::Int64, "int unsigned", None))
        }
        ColumnType::MYSQL_TYPE_LONG => (MyKind::Int, plan(DataType::Int32, "int", None)),
        ColumnType::MYSQL_TYPE_LONGLONG if unsigned => {
            (MyKind::Int, plan(DataType::UInt64, "bigint unsigned", None))
        }
        ColumnType::MYSQL_TYPE_LONGLONG => (MyKind::Int, plan(DataType::Int64, "bigint", None)),
        ColumnType::MYSQL_TYPE_FLOAT => (MyKind::Float, plan(DataType::Float32, "float", None)),
        ColumnType::MYSQL_TYPE_DOUBLE => (MyKind::Float, plan(DataType::Float64, "double", None)),
        ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => {
            let scale = c.decimals() as usize;
            let precision = (c.column_length() as usize)
                .saturating_sub(usize::from(scale > 0))
                .saturating_sub(usize::from(!unsigned));
            if (1..=38).contains(&precision) {
                (
                    MyKind::Decimal { scale },
                    plan(DataType::Decimal(precision, scale), "decimal", None),
                )
            } else {
                (
                    MyKind::Text,
                    plan(
                        DataType::String,
                        "decimal",
                        Some(format!(
                            "decimal of more than 38 digits, read as its exact text; pin it \
                             (`types: {{{name}: double}}`) to read it as numbers"
                        )),
                    ),
                )
            }
        }
        ColumnType::MYSQL_TYPE_BIT if c.column_length() == 1 => {
            (MyKind::Bit, plan(DataType::Boolean, "bit(1)", None))
        }
        ColumnType::MYSQL_TYPE_BIT => (MyKind::Bit, plan(DataType::UInt64, "bit", None)),
        ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE => {
            (MyKind::Date, plan(DataType::Date, "date", None))
        }
        ColumnType::MYSQL_TYPE_DATETIME | ColumnType::MYSQL_TYPE_DATETIME2 => (
            MyKind::Datetime,
            plan(
                DataType::Datetime(TimeUnit::Microseconds, None),
                "datetime",
                None,
            ),
        ),
        ColumnType::MYSQL_TYPE_TIMESTAMP | ColumnType::MYSQL_TYPE_TIMESTAMP2 => (
            MyKind::Datetime,
            plan(
                DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
                "timestamp",
                None,
            ),
        ),
        ColumnType::MYSQL_TYPE_TIME | ColumnType::MYSQL_TYPE_TIME2 => (
            MyKind::Time,
            plan(DataType::Duration(TimeUnit::Microseconds), "time", None),
        ),
        ColumnType::MYSQL_TYPE_GEOMETRY => {
            (MyKind::Binary, plan(DataType::Binary, "geometry", None))
        }
        ColumnType::MYSQL_TYPE_TINY_BLOB
        | ColumnType::MYSQL_TYPE_MEDIUM_BLOB
        | ColumnType::MYSQL_TYPE_LONG_BLOB
        | ColumnType::MYSQL_TYPE_BLOB
        | ColumnType::MYSQL_TYPE_STRING
        | ColumnType::MYSQL_TYPE_VAR_STRING
        | ColumnType::MYSQL_TYPE_VARCHAR
            if binary =>
        {
            (MyKind::Binary, plan(DataType::Binary, "binary", None))
        }
        _ => (MyKind::Text, plan(DataType::String, "text", None)),
    };
    MyColumn { plan, kind }
}

// ---- reading -------------------------------------------------------------------------------

pub async fn columns(src: &DatabaseSource) -> Result<Vec<ColumnPlan>> {
    let mut conn = connect(&src.connection).await?;
    let cols = describe_columns(&mut conn, src).await?;
    let _ = conn.disconnect().await;
    Ok(cols.into_iter().map(|c| c.plan).collect())
}

async fn describe_columns(conn: &mut Conn, src: &DatabaseSource) -> Result<Vec<MyColumn>> {
    let sql = format!(
        "SELECT * FROM ({}) AS datacook_q",
        base_query(&src.relation)
    );
    let statement = match conn.prep(sql.as_str()).await {
        Ok(s) => s,
        Err(mysql_async::Error::Server(e)) if e.code == 1146 => {
            return Err(missing_table(conn, src, &e.message).await);
        }
        Err(e) => {
            return Err(my_error(
                &src.connection,
                "cannot read the dataset's query from",
                &e,
            ));
        }
    };
    let columns: Vec<MyColumn> = statement.columns().iter().map(column_for).collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = columns.iter().find(|c| !seen.insert(c.plan.name.clone())) {
        return Err(Error::invalid_with_help(
            format!(
                "the query of {} returns two columns named '{}'",
                src.connection.name, dup.plan.name
            ),
            "give each column its own name (`AS other_name`)",
        ));
    }
    let _ = conn.close(statement).await;
    Ok(columns)
}

async fn missing_table(conn: &mut Conn, src: &DatabaseSource, message: &str) -> Error {
    if let Relation::Query(_) = src.relation {
        let doing = "cannot read the dataset's query from";
        return db_error(&src.connection, doing, message, None, true);
    }
    let known: Vec<String> = conn
        .query(
            "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables \
             WHERE table_schema = DATABASE() ORDER BY 1",
        )
        .await
        .unwrap_or_default();
    missing_table_error(&src.connection, &src.relation, &known)
}

pub async fn read(src: &DatabaseSource) -> Result<(Vec<ColumnPlan>, Fetched)> {
    let connection = &src.connection;
    let mut conn = connect(connection).await?;
    let columns = std::sync::Arc::new(describe_columns(&mut conn, src).await?);
    let plans: Vec<ColumnPlan> = columns.iter().map(|c| c.plan.clone()).collect();
    let select = |filter: &str| {
        format!(
            "SELECT * FROM ({}) AS datacook_q{filter}",
            base_query(&src.relation)
        )
    };
    let filters = partition_filters(&mut conn, src, &columns).await?;
    let partitions = filters.len().max(1);
    let results = if filters.is_empty() {
        let r = read_one(&mut conn, connection, &columns, &select("")).await?;
        let _ = conn.disconnect().await;
        vec![r]
    } else {
        let _ = conn.disconnect().await;
        let mut tasks = Vec::new();
        for filter in filters {
            let (c, columns, sql) = (connection.clone(), columns.clone(), select(&filter));
            tasks.push(tokio::spawn(async move {
                let mut conn = connect(&c).await?;
                let r = read_one(&mut conn, &c, &columns, &sql).await;
                let _ = conn.disconnect().await;
                r
            }));
        }
        join_all_or_abort(tasks).await?
    };
    Ok((plans, assemble(results, partitions)?))
}

/// `WHERE` clauses splitting the key column's range, none when the read is not partitioned
/// (or there is nothing to split).
async fn partition_filters(
    conn: &mut Conn,
    src: &DatabaseSource,
    columns: &[MyColumn],
) -> Result<Vec<String>> {
    let plans: Vec<&ColumnPlan> = columns.iter().map(|c| &c.plan).collect();
    let Some(p) = checked_partition(src, &plans)? else {
        return Ok(Vec::new());
    };
    let key = format!("datacook_q.{}", quote(&p.column));
    let bounds = format!(
        "SELECT CAST(MIN({key}) AS SIGNED), CAST(MAX({key}) AS SIGNED) FROM ({}) AS datacook_q",
        base_query(&src.relation)
    );
    let row: Option<(Option<i64>, Option<i64>)> = conn.query_first(bounds).await.map_err(|e| {
        my_error(
            &src.connection,
            "cannot find the partition column's range in",
            &e,
        )
    })?;
    Ok(match row {
        Some((Some(min), Some(max))) => range_filters(&key, min, max, p.count),
        _ => Vec::new(),
    })
}

async fn read_one(
    conn: &mut Conn,
    c: &Connection,
    columns: &[MyColumn],
    sql: &str,
) -> Result<(Vec<Builder>, Lossy)> {
    let failed = |e: &mysql_async::Error| my_error(c, "reading failed from", e);
    let mut builders: Vec<Builder> = columns
        .iter()
        .map(|col| Builder::new(&col.plan.name, &col.plan.dtype, 1024))
        .collect();
    let mut lossy = Lossy::default();
    let mut result = conn.exec_iter(sql, ()).await.map_err(|e| failed(&e))?;
    if let Some(mut stream) = result.stream::<Row>().await.map_err(|e| failed(&e))? {
        while let Some(row) = stream.try_next().await.map_err(|e| failed(&e))? {
            for (i, value) in row.unwrap().into_iter().enumerate() {
                let Some(column) = columns.get(i) else {
                    break;
                };
                decode(column, value, &mut builders[i], &mut lossy)
                    .map_err(|m| db_error(c, "reading failed from", &m, None, false))?;
            }
        }
    }
    Ok((builders, lossy))
}

fn decode(
    column: &MyColumn,
    value: Value,
    b: &mut Builder,
    lossy: &mut Lossy,
) -> std::result::Result<(), String> {
    let name = &column.plan.name;
    match (column.kind, value) {
        (_, Value::NULL) => b.push_null(),
        (MyKind::Bool, Value::Int(i)) => b.push_bool(i != 0),
        (MyKind::Bit, Value::Bytes(bytes)) => {
            let v = bytes.iter().fold(0u64, |acc, x| (acc << 8) | *x as u64);
            match b {
                Builder::Bool(_) => b.push_bool(v != 0),
                _ => b.push_u64(v),
            }
        }
        (_, Value::Int(i)) => b.push_i64(i),
        (_, Value::UInt(u)) => b.push_u64(u),
        (_, Value::Float(f)) => b.push_f64(f as f64),
        (_, Value::Double(d)) => b.push_f64(d),
        (MyKind::Decimal { scale }, Value::Bytes(bytes)) => {
            match parse_decimal(&String::from_utf8_lossy(&bytes), scale) {
                Some(x) => b.push_decimal(x),
                None => return Err(format!("column '{name}': a decimal that is not a number")),
            }
        }
        (MyKind::Binary, Value::Bytes(bytes)) => b.push_bytes(&bytes),
        (_, Value::Bytes(bytes)) => match String::from_utf8(bytes) {
            Ok(s) => b.push_str(&s),
            Err(e) => b.push_str(&String::from_utf8_lossy(e.as_bytes())),
        },
        (kind, Value::Date(y, m, d, h, i, s, us)) => {
            let date = chrono::NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32);
            match (date, kind) {
                (None, _) => {
                    lossy.add(name, "zero date (0000-00-00 or a zero month or day)");
                    b.push_null()
                }
                (Some(date), MyKind::Date) => b.push_date(
                    (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                        .num_days() as i32,
                ),
                (Some(date), _) => {
                    let t = date
                        .and_hms_micro_opt(h as u32, i as u32, s as u32, us)
                        .ok_or_else(|| format!("column '{name}': an invalid time of day"))?;
                    b.push_micros(t.and_utc().timestamp_micros())
                }
            }
        }
        (_, Value::Time(negative, days, h, i, s, us)) => {
            let micros = ((days as i64 * 24 + h as i64) * 3600 + i as i64 * 60 + s as i64)
                * 1_000_000
                + us as i64;
            b.push_micros(if negative { -micros } else { micros })
        }
    }
    Ok(())
}
