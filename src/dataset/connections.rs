//! Named database connections, the way a Glue connection names one, so a DataBrew
//! `GlueConnectionName` finds it. A connections file (`connections.yaml` beside the dataset
//! file or in the datasets folder, or `--connections FILE`):
//!
//! ```yaml
//! connections:
//!   warehouse:
//!     kind: postgres          # postgres | redshift | mysql (MariaDB too)
//!     host: 127.0.0.1
//!     port: 5432
//!     database: test
//!     user: postgres
//!     password_env: WAREHOUSE_PASSWORD   # the password itself never lives in a file
//!     # url_env: WAREHOUSE_URL           # or a whole connection URL from the environment
//!     # tls: disable | prefer | require | verify-full  (default prefer)
//!     # ca_file: certs/warehouse-ca.pem  # verify-full: trust this CA too (relative to this file)
//!     # connect_timeout_s: 10
//! ```
//!
//! Credentials come only from the environment and are never printed: every message from a
//! database passes through [`Connection::redact`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Diagnostic, Error, Location, Result, did_you_mean};
use crate::recipe::node::Node;
use crate::recipe::params::normalise_key;

pub const FILE_NAME: &str = "connections.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Postgres,
    /// PostgreSQL's protocol without `COPY … TO STDOUT`: read through a cursor.
    Redshift,
    /// MySQL and MariaDB.
    Mysql,
}

impl DbKind {
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Postgres => "postgres",
            DbKind::Redshift => "redshift",
            DbKind::Mysql => "mysql",
        }
    }

    fn parse(s: &str) -> Option<DbKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => DbKind::Postgres,
            "redshift" => DbKind::Redshift,
            "mysql" | "mariadb" => DbKind::Mysql,
            _ => return None,
        })
    }

    fn default_port(self) -> u16 {
        match self {
            DbKind::Postgres => 5432,
            DbKind::Redshift => 5439,
            DbKind::Mysql => 3306,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    /// TLS when the server offers it, without verifying its certificate (libpq's `prefer`).
    Prefer,
    /// TLS, without verifying the server's certificate (libpq's `require`).
    Require,
    /// TLS with the certificate verified against the public roots (and `ca_file`) and the
    /// host name (libpq's `verify-full`).
    VerifyFull,
}

/// A connection as the file describes it, with the secret read from the environment.
#[derive(Clone)]
pub struct Connection {
    pub name: String,
    pub kind: DbKind,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: Option<String>,
    pub tls: Tls,
    /// More trusted certificates (PEM) for `verify-full`.
    pub ca_file: Option<PathBuf>,
    pub connect_timeout: Duration,
    /// The file that defined it, for messages.
    pub defined_in: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl Connection {
    /// `warehouse (postgres://postgres@127.0.0.1:5432/test)`: never the password.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}://{}@{}:{}/{})",
            self.name,
            self.kind.name(),
            self.user,
            self.host,
            self.port,
            self.database
        )
    }

    /// `text` with the password masked: as itself, URL-encoded, and as the password part of
    /// any `scheme://user:password@` (however it was encoded).
    pub fn redact(&self, text: &str) -> String {
        let text = mask_url_passwords(text);
        match &self.password {
            Some(p) if !p.is_empty() => text
                .replace(p.as_str(), "***")
                .replace(&percent_encode(p), "***"),
            _ => text,
        }
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn mask_url_passwords(text: &str) -> String {
    static URL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = URL.get_or_init(|| {
        regex::Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@").expect("valid regex")
    });
    re.replace_all(text, "${1}***@").to_string()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where connections are looked up: `--connections FILE`, else `connections.yaml` beside
/// the dataset file, else in the datasets folder.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFiles {
    pub explicit: Option<PathBuf>,
    pub datasets_dir: PathBuf,
}

impl ConnectionFiles {
    /// The connection `name`, for a dataset file in `beside` (if any).
    pub fn find(&self, name: &str, beside: Option<&Path>) -> Result<Connection> {
        let mut candidates = Vec::new();
        match &self.explicit {
            Some(f) => candidates.push(f.clone()),
            None => {
                if let Some(dir) = beside {
                    candidates.push(dir.join(FILE_NAME));
                }
                candidates.push(self.datasets_dir.join(FILE_NAME));
            }
        }
        let mut known = Vec::new();
        for file in &candidates {
            if !file.is_file() {
                if self.explicit.is_some() {
                    return Err(Error::invalid(format!(
                        "connections file '{}' not found",
                        file.display()
                    )));
                }
                continue;
            }
            let entries = read_file(file)?;
            if let Some((_, node)) = entries.iter().find(|(n, _)| n == name) {
                return connection(name, node, &file.display().to_string());
            }
            known.extend(entries.into_iter().map(|(n, _)| n));
        }
        let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        Err(Error::invalid_with_help(
            format!("unknown connection '{name}'"),
            did_you_mean(name, known.iter().map(String::as_str)).unwrap_or_else(|| {
                if known.is_empty() {
                    format!(
                        "define it in a connections file ({}), or pass --connections FILE",
                        looked.join(" or ")
                    )
                } else {
                    format!("known connections: {}", known.join(", "))
                }
            }),
        ))
    }
}

/// The `connections:` map of a file: names and their nodes.
fn read_file(path: &Path) -> Result<Vec<(String, Node)>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(format!("cannot read connections file '{file}': {e}")))?;
    let root = crate::recipe::load::parse_document(&text, &file)?;
    let map = root
        .field(&["connections"])
        .and_then(Node::as_map)
        .ok_or_else(|| {
            Error::Invalid(vec![
                Diagnostic::error("a connections file holds a `connections:` map of names")
                    .at(Some(at(&file, &root))),
            ])
        })?;
    Ok(map
        .iter()
        .filter_map(|(k, v)| Some((k.scalar_text()?, v.clone())))
        .collect())
}

fn at(file: &str, n: &Node) -> Location {
    Location {
        file: file.to_string(),
        line: n.pos.line,
        column: n.pos.col,
    }
}

const FIELDS: &[&str] = &[
    "kind",
    "host",
    "port",
    "database",
    "user",
    "password_env",
    "url_env",
    "tls",
    "ca_file",
    "connect_timeout_s",
];

/// One connection's entry, its secret read from the environment.
fn connection(name: &str, node: &Node, file: &str) -> Result<Connection> {
    let mut errors = Vec::new();
    let Some(entries) = node.as_map() else {
        return Err(Error::Invalid(vec![
            Diagnostic::error(format!("connection '{name}' must be a map"))
                .at(Some(at(file, node))),
        ]));
    };
    let text = |key: &str| -> Option<(String, &Node)> {
        entries
            .iter()
            .find(|(k, _)| {
                k.as_str()
                    .is_some_and(|k| k == key || normalise_key(k) == key)
            })
            .and_then(|(_, v)| Some((v.scalar_text()?, v)))
    };
    for (k, _) in entries {
        let key = k.as_str().unwrap_or_default();
        if key == "password" {
            errors.push(
                Diagnostic::error("a password never lives in a file")
                    .at(Some(at(file, k)))
                    .with_help(Some(
                        "name an environment variable that holds it: `password_env: MY_PASSWORD`"
                            .into(),
                    )),
            );
        } else if !FIELDS.contains(&key) {
            errors.push(
                Diagnostic::error(format!("unknown connection field '{key}'"))
                    .at(Some(at(file, k)))
                    .with_help(did_you_mean(key, FIELDS.iter().copied())),
            );
        }
    }
    let kind = match text("kind") {
        Some((k, n)) => match DbKind::parse(&k) {
            Some(kind) => Some(kind),
            None => {
                errors.push(
                    Diagnostic::error(format!("unknown connection kind '{k}'"))
                        .at(Some(at(file, n)))
                        .with_help(Some("use postgres, redshift or mysql".into())),
                );
                None
            }
        },
        None => {
            errors.push(
                Diagnostic::error(format!("connection '{name}' has no `kind`"))
                    .at(Some(at(file, node)))
                    .with_help(Some("add `kind: postgres` (or redshift, mysql)".into())),
            );
            None
        }
    };
    let tls = match text("tls").map(|(t, n)| (t.to_ascii_lowercase(), n)) {
        None => Tls::Prefer,
        Some((t, n)) => match t.as_str() {
            "disable" => Tls::Disable,
            "prefer" => Tls::Prefer,
            "require" => Tls::Require,
            "verify-full" | "verify_full" => Tls::VerifyFull,
            _ => {
                errors.push(
                    Diagnostic::error(format!("unknown tls mode '{t}'"))
                        .at(Some(at(file, n)))
                        .with_help(Some("use disable, prefer, require or verify-full".into())),
                );
                Tls::Prefer
            }
        },
    };
    let number = |key: &str, errors: &mut Vec<Diagnostic>| -> Option<u64> {
        let (v, n) = text(key)?;
        match v.parse::<u64>() {
            Ok(x) => Some(x),
            Err(_) => {
                errors.push(
                    Diagnostic::error(format!("`{key}` must be a whole number"))
                        .at(Some(at(file, n))),
                );
                None
            }
        }
    };
    let port = number("port", &mut errors);
    if let (Some(p), Some((_, n))) = (port, text("port"))
        && p > u16::MAX as u64
    {
        errors.push(Diagnostic::error(format!("port {p} is above 65535")).at(Some(at(file, n))));
    }
    let timeout = number("connect_timeout_s", &mut errors).unwrap_or(10);
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let env = |var: &str, n: &Node| -> Result<String> {
        std::env::var(var).map_err(|_| {
            Error::Invalid(vec![
                Diagnostic::error(format!(
                    "connection '{name}' reads its secret from ${var}, which is not set"
                ))
                .at(Some(at(file, n)))
                .with_help(Some(format!("export {var}=… before running"))),
            ])
        })
    };
    let mut conn = Connection {
        name: name.to_string(),
        kind,
        host: text("host").map_or_else(|| "127.0.0.1".into(), |(h, _)| h),
        port: port.map_or(kind.default_port(), |p| p as u16),
        database: text("database").map(|(d, _)| d).unwrap_or_default(),
        user: text("user").map(|(u, _)| u).unwrap_or_default(),
        password: None,
        tls,
        ca_file: text("ca_file")
            .map(|(f, _)| Path::new(file).parent().unwrap_or(Path::new(".")).join(f)),
        connect_timeout: Duration::from_secs(timeout.max(1)),
        defined_in: file.to_string(),
    };
    if let Some((var, n)) = text("url_env") {
        let url = env(&var, n)?;
        apply_url(&mut conn, &url).map_err(|m| {
            Error::Invalid(vec![
                Diagnostic::error(format!("${var} is not a connection URL: {m}"))
                    .at(Some(at(file, n))),
            ])
        })?;
    }
    if let Some((var, n)) = text("password_env") {
        conn.password = Some(env(&var, n)?);
    }
    Ok(conn)
}

/// Fill a connection from `scheme://user:password@host:port/database`; never echoes the
/// URL, which holds the password.
fn apply_url(conn: &mut Connection, url: &str) -> std::result::Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("expected scheme://user:password@host:port/database")?;
    if let Some(kind) = DbKind::parse(scheme) {
        conn.kind = kind;
    } else {
        return Err(format!("unknown scheme '{scheme}'"));
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let (credentials, host_port) = match authority.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, authority),
    };
    if let Some(c) = credentials {
        let (user, password) = c.split_once(':').unwrap_or((c, ""));
        conn.user = percent_decode(user);
        if !password.is_empty() {
            conn.password = Some(percent_decode(password));
        }
    }
    let bracketed = host_port.starts_with('[') && host_port.ends_with(']');
    let (host, port) = match host_port.rsplit_once(':').filter(|_| !bracketed) {
        Some((h, p)) => (
            h,
            Some(p.parse::<u16>().map_err(|_| "the port is not a number")?),
        ),
        None => (host_port, None),
    };
    if !host.is_empty() {
        conn.host = host.trim_matches(['[', ']']).to_string();
    }
    conn.port = port.unwrap_or(conn.kind.default_port());
    if !database.is_empty() {
        conn.database = percent_decode(database);
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            let v = (h * 16 + l) as u8;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Connection {
        Connection {
            name: "w".into(),
            kind: DbKind::Postgres,
            host: "localhost".into(),
            port: 5432,
            database: String::new(),
            user: String::new(),
            password: None,
            tls: Tls::Prefer,
            ca_file: None,
            connect_timeout: Duration::from_secs(10),
            defined_in: String::new(),
        }
    }

    #[test]
    fn urls_fill_every_part_and_decode_the_password() {
        let mut c = blank();
        apply_url(
            &mut c,
            "mysql://app:p%40ss%3Aword@db.example:3307/shop?ssl=1",
        )
        .unwrap();
        assert_eq!(c.kind, DbKind::Mysql);
        assert_eq!(
            (c.user.as_str(), c.host.as_str(), c.port),
            ("app", "db.example", 3307)
        );
        assert_eq!(c.database, "shop");
        assert_eq!(c.password.as_deref(), Some("p@ss:word"));
        assert!(apply_url(&mut blank(), "nonsense").is_err());
        let mut v6 = blank();
        apply_url(&mut v6, "postgres://u@[::1]/db").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 5432));
    }

    #[test]
    fn redaction_masks_plain_and_encoded_passwords() {
        let mut c = blank();
        c.password = Some("s3cr/et".into());
        assert_eq!(
            c.redact("failed for postgres://u:s3cr%2Fet@h and s3cr/et"),
            "failed for postgres://u:***@h and ***"
        );
        assert!(!format!("{c:?}").contains("s3cr"));
        // However the URL spelled it.
        assert_eq!(
            c.redact("mysql://u:s3cr%2fet@h/db failed"),
            "mysql://u:***@h/db failed"
        );
    }
}
