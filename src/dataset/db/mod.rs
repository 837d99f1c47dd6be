//! Databases reached like JDBC: PostgreSQL (binary COPY), Redshift (a cursor), MySQL and
//! MariaDB (the binary protocol, streamed). A dataset names a connection and a table or a
//! query; with `partition`, N key ranges are read on N connections at once.

pub mod builder;
pub mod mysql;
pub mod postgres;

use polars::prelude::*;

use super::connections::{Connection, DbKind};
use super::report::{ColumnType, SourceNote, TypeOrigin};
use super::source::{Opened, Peeked, ReadOptions, Source, SourceInfo};
use crate::error::{Error, Result, did_you_mean};

/// What to read.
#[derive(Debug, Clone)]
pub enum Relation {
    /// A table, optionally schema-qualified; names are quoted, never interpolated.
    Table {
        schema: Option<String>,
        name: String,
    },
    /// A query, read as a subquery.
    Query(String),
}

impl Relation {
    /// `public.students` or `"My Schema"."T"` → schema and name, quotes removed.
    pub fn table(text: &str) -> std::result::Result<Relation, String> {
        let parts = split_identifier(text)?;
        match parts.as_slice() {
            [name] => Ok(Relation::Table {
                schema: None,
                name: name.clone(),
            }),
            [schema, name] => Ok(Relation::Table {
                schema: Some(schema.clone()),
                name: name.clone(),
            }),
            _ => Err(format!(
                "'{text}' is not a table name: use `table` or `schema.table`"
            )),
        }
    }

    fn describe(&self) -> String {
        match self {
            Relation::Table {
                schema: Some(s),
                name,
            } => format!("{s}.{name}"),
            Relation::Table { schema: None, name } => name.clone(),
            Relation::Query(q) => {
                let one_line = q.split_whitespace().collect::<Vec<_>>().join(" ");
                if one_line.chars().count() > 60 {
                    format!("({}…)", one_line.chars().take(60).collect::<String>())
                } else {
                    format!("({one_line})")
                }
            }
        }
    }
}

/// Split `a.b` on dots outside double (or back) quotes; quotes removed, doubled quotes kept
/// as one.
fn split_identifier(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '`') => quote = Some(c),
            (Some(q), c) if c == q => {
                if chars.peek() == Some(&q) {
                    chars.next();
                    if let Some(p) = parts.last_mut() {
                        p.push(q);
                    }
                } else {
                    quote = None;
                }
            }
            (None, '.') => parts.push(String::new()),
            (_, c) => {
                if let Some(p) = parts.last_mut() {
                    p.push(c)
                }
            }
        }
    }
    if quote.is_some() || parts.iter().any(String::is_empty) {
        return Err(format!("'{text}' is not a valid table name"));
    }
    Ok(parts)
}

/// Read N key ranges of `column` on N connections at once.
#[derive(Debug, Clone)]
pub struct Partition {
    pub column: String,
    pub count: usize,
}

/// A table or query over a named connection.
#[derive(Debug, Clone)]
pub struct DatabaseSource {
    pub connection: Connection,
    pub relation: Relation,
    pub partition: Option<Partition>,
}

/// A column as read from the database: its name, Polars type, and a note on how the
/// database type was mapped when that loses something or is not obvious.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    pub name: String,
    pub dtype: DataType,
    pub db_type: String,
    pub note: Option<String>,
}

impl ColumnPlan {
    fn describe(plans: &[ColumnPlan]) -> Vec<ColumnType> {
        plans
            .iter()
            .map(|p| ColumnType {
                column: p.name.clone(),
                dtype: p.dtype.to_string(),
                source: TypeOrigin::Database,
                note: p.note.clone(),
            })
            .collect()
    }

    fn schema(plans: &[ColumnPlan]) -> Schema {
        plans
            .iter()
            .map(|p| Field::new(p.name.as_str().into(), p.dtype.clone()))
            .collect()
    }
}

/// Counts of values a reader could not represent (they became null).
#[derive(Debug, Default, Clone)]
pub struct Lossy {
    pub entries: Vec<(String, String, u64)>,
}

impl Lossy {
    pub fn add(&mut self, column: &str, what: &str) {
        match self
            .entries
            .iter_mut()
            .find(|(c, w, _)| c == column && w == what)
        {
            Some(e) => e.2 += 1,
            None => self.entries.push((column.into(), what.into(), 1)),
        }
    }

    pub fn merge(&mut self, other: Lossy) {
        for (c, w, n) in other.entries {
            match self
                .entries
                .iter_mut()
                .find(|(c2, w2, _)| *c2 == c && *w2 == w)
            {
                Some(e) => e.2 += n,
                None => self.entries.push((c, w, n)),
            }
        }
    }

    fn notes(&self) -> Vec<SourceNote> {
        self.entries
            .iter()
            .map(|(column, what, count)| SourceNote {
                kind: "value_not_representable".into(),
                description: format!("{what}, read as null"),
                place: Some(column.clone()),
                count: *count,
                lines: Vec::new(),
                repair: false,
            })
            .collect()
    }
}

/// What a reader returns: the frame and what it could not represent.
pub struct Fetched {
    pub frame: DataFrame,
    pub lossy: Lossy,
    pub partitions: usize,
}

impl Source for DatabaseSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            kind: self.connection.kind.name(),
            location: format!("{}/{}", self.connection.name, self.relation.describe()),
            format: None,
        }
    }

    fn peek(&self, _as_text: &[String]) -> Result<Peeked> {
        let plans = crate::runtime::block_on(async {
            match self.connection.kind {
                DbKind::Postgres | DbKind::Redshift => postgres::columns(self).await,
                DbKind::Mysql => mysql::columns(self).await,
            }
        })?;
        Ok(Peeked {
            schema: ColumnPlan::schema(&plans),
            columns: ColumnPlan::describe(&plans),
            dialect: None,
        })
    }

    fn open(&self, _read: &ReadOptions) -> Result<Opened> {
        let (plans, fetched) = crate::runtime::block_on(async {
            match self.connection.kind {
                DbKind::Postgres | DbKind::Redshift => postgres::read(self).await,
                DbKind::Mysql => mysql::read(self).await,
            }
        })?;
        let mut notes = fetched.lossy.notes();
        if fetched.partitions > 1 {
            notes.push(SourceNote {
                kind: "partitioned_read".into(),
                description: format!(
                    "read in {} key ranges of '{}' on as many connections",
                    fetched.partitions,
                    self.partition
                        .as_ref()
                        .map(|p| p.column.as_str())
                        .unwrap_or_default()
                ),
                place: None,
                count: fetched.partitions as u64,
                lines: Vec::new(),
                repair: false,
            });
        }
        let rows = fetched.frame.height() as u64;
        Ok(Opened {
            lf: fetched.frame.lazy(),
            rows: Some(rows),
            files: Vec::new(),
            columns: ColumnPlan::describe(&plans),
            notes,
            dialect: None,
            keep: Vec::new(),
            held: None,
        })
    }
}

/// `ident` quoted with `q` (`"` for PostgreSQL, `` ` `` for MySQL), the quote doubled inside.
pub(crate) fn quote_ident(ident: &str, q: char) -> String {
    format!("{q}{}{q}", ident.replace(q, &format!("{q}{q}")))
}

/// `schema.name` (or `name`), each part quoted with `q`.
pub(crate) fn qualified(schema: Option<&str>, name: &str, q: char) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote_ident(s, q), quote_ident(name, q)),
        None => quote_ident(name, q),
    }
}

/// The query a relation reads: its table, or the dataset's own query (a newline ends a
/// trailing `--` comment before the subquery around it closes).
pub(crate) fn base_query(relation: &Relation, q: char) -> String {
    match relation {
        Relation::Table { schema, name } => {
            format!("SELECT * FROM {}", qualified(schema.as_deref(), name, q))
        }
        Relation::Query(query) => format!("{}\n", query.trim().trim_end_matches(';')),
    }
}

/// The partition a read is split by, its key checked against the relation's columns (it must
/// be an integer); None when the read is not split.
pub(crate) fn checked_partition<'a>(
    src: &'a DatabaseSource,
    plans: &[&ColumnPlan],
) -> Result<Option<&'a Partition>> {
    let Some(p) = &src.partition else {
        return Ok(None);
    };
    let conn = &src.connection;
    let Some(column) = plans.iter().find(|c| c.name == p.column) else {
        return Err(db_error(
            conn,
            "cannot partition the read from",
            &format!("column '{}' not found", p.column),
            did_you_mean(&p.column, plans.iter().map(|c| c.name.as_str())),
            true,
        ));
    };
    if !column.dtype.is_integer() {
        return Err(db_error(
            conn,
            "cannot partition the read from",
            &format!(
                "partition column '{}' is {}, not an integer",
                p.column, column.db_type
            ),
            Some("partition on an integer key, such as the table's id".into()),
            true,
        ));
    }
    Ok((p.count > 1).then_some(p))
}

/// `WHERE` clauses splitting the values `min..=max` of `key` (a quoted column) into `count`
/// ranges: the first also takes NULL keys, the first and last are open-ended.
pub(crate) fn range_filters(key: &str, min: i64, max: i64, count: usize) -> Vec<String> {
    let parts = ranges(min, max, count);
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, (lo, hi))| match i {
            0 if last == 0 => String::new(),
            0 => format!(" WHERE {key} < {hi} OR {key} IS NULL"),
            i if i == last => format!(" WHERE {key} >= {lo}"),
            _ => format!(" WHERE {key} >= {lo} AND {key} < {hi}"),
        })
        .collect()
}

/// The results of the partition readers in order; the first failure stops the others.
pub(crate) async fn join_all_or_abort<T: Send + 'static>(
    tasks: Vec<tokio::task::JoinHandle<Result<T>>>,
) -> Result<Vec<T>> {
    let mut results = Vec::new();
    let mut tasks = tasks.into_iter();
    while let Some(task) = tasks.next() {
        let outcome = task
            .await
            .map_err(|e| Error::runtime(format!("a partition reader failed: {e}")))
            .and_then(|r| r);
        match outcome {
            Ok(r) => results.push(r),
            Err(e) => {
                for rest in tasks {
                    rest.abort();
                }
                return Err(e);
            }
        }
    }
    Ok(results)
}

/// The partitions' columns stacked in key order, and what they could not represent.
pub(crate) fn assemble(
    parts: Vec<(Vec<builder::Builder>, Lossy)>,
    partitions: usize,
) -> Result<Fetched> {
    let mut lossy = Lossy::default();
    let mut frame: Option<DataFrame> = None;
    for (builders, l) in parts {
        lossy.merge(l);
        let part = builder::finish_frame(builders)?;
        match &mut frame {
            None => frame = Some(part),
            Some(f) => {
                f.vstack_mut_owned(part)?;
            }
        }
    }
    let mut frame = frame.unwrap_or_default();
    frame.rechunk_mut_par();
    Ok(Fetched {
        frame,
        lossy,
        partitions,
    })
}

/// "table 'x' not found", with the closest of the database's tables (`known`, as
/// `schema.table`) or the list of them.
pub(crate) fn missing_table_error(
    conn: &Connection,
    relation: &Relation,
    known: &[String],
) -> Error {
    let wanted = relation.describe();
    let name = match relation {
        Relation::Table { name, .. } => name.as_str(),
        Relation::Query(_) => wanted.as_str(),
    };
    let help = suggest_table(&wanted, name, known).or_else(|| {
        Some(if known.is_empty() {
            format!("database '{}' has no tables", conn.database)
        } else {
            format!("tables: {}", known.join(", "))
        })
    });
    db_error(
        conn,
        "cannot read from",
        &format!("table '{wanted}' not found"),
        help,
        true,
    )
}

/// "did you mean 'public.students'?" for a misspelt `schema.table` or bare table name.
fn suggest_table(wanted: &str, name: &str, known: &[String]) -> Option<String> {
    let close = |k: &String| {
        let table = k.split_once('.').map_or(k.as_str(), |(_, t)| t);
        did_you_mean(wanted, [k.as_str()]).is_some() || did_you_mean(name, [table]).is_some()
    };
    known
        .iter()
        .find(|k| close(k))
        .map(|k| format!("did you mean '{k}'?"))
}

/// Key ranges `[lo, hi)` splitting `[min, max]` into `count` parts (the last one closed).
pub fn ranges(min: i64, max: i64, count: usize) -> Vec<(i64, i64)> {
    let count = count.max(1) as i128;
    let span = (max as i128 - min as i128 + 1).max(1);
    let step = ((span + count - 1) / count).max(1);
    let mut out = Vec::new();
    let mut lo = min as i128;
    while lo <= max as i128 {
        let hi = (lo + step).min(max as i128 + 1);
        out.push((lo as i64, hi.min(i64::MAX as i128) as i64));
        lo = hi;
    }
    if out.is_empty() {
        out.push((min, max));
    }
    out
}

/// An error from a database, its message redacted, as a person should read it.
pub fn db_error(
    conn: &Connection,
    doing: &str,
    message: &str,
    help: Option<String>,
    invalid: bool,
) -> Error {
    let message = conn.redact(&format!("{doing} {}: {message}", conn.describe()));
    let help = help.map(|h| conn.redact(&h));
    if invalid {
        match help {
            Some(h) => Error::invalid_with_help(message, h),
            None => Error::invalid(message),
        }
    } else {
        match help {
            Some(h) => Error::runtime(format!("{message}\n  help: {h}")),
            None => Error::runtime(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_split_on_dots_outside_quotes() {
        let t = |s: &str| match Relation::table(s) {
            Ok(Relation::Table { schema, name }) => (schema, name),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(t("students"), (None, "students".into()));
        assert_eq!(
            t("public.students"),
            (Some("public".into()), "students".into())
        );
        assert_eq!(
            t(r#""My Schema"."a.""b""#),
            (Some("My Schema".into()), r#"a."b"#.into())
        );
        assert_eq!(t("`db`.`t`"), (Some("db".into()), "t".into()));
        assert!(Relation::table("a.b.c").is_err());
        assert!(Relation::table("\"open").is_err());
        assert!(Relation::table("a..b").is_err());
    }

    #[test]
    fn ranges_cover_every_key_once() {
        assert_eq!(ranges(1, 10, 4), vec![(1, 4), (4, 7), (7, 10), (10, 11)]);
        assert_eq!(ranges(5, 5, 3), vec![(5, 6)]);
        assert_eq!(ranges(-3, 2, 2), vec![(-3, 0), (0, 3)]);
        let wide = ranges(i64::MIN, i64::MAX, 2);
        assert_eq!(wide.first().unwrap().0, i64::MIN);
        assert_eq!(wide.len(), 2);
    }
}
