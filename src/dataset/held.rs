//! Numeric columns kept in memory while the CSV inspection reads them, so that the statistics
//! a recipe needs over them take no pass of their own over the file (`job::run`).
//!
//! Only columns the inspection types as integers or floats are held, and only while the
//! values of every held column of the file fit an allowance of memory; past it, or at the
//! first value that is not a number, a column is let go and its statistics stream as before.
//! Values are parsed as Polars parses them from the same text: a plain integer exactly, a
//! decimal number rounded correctly to the nearest f64 (both are exact rules, so they agree).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use polars::prelude::*;
use polars_arrow::bitmap::MutableBitmap;

use super::csv::ColType;

/// The environment variable that sets the most memory (bytes) held columns may take;
/// `0` holds none, so every statistic streams.
pub const HOLD_BYTES_VAR: &str = "DATACOOK_HOLD_BYTES";

/// The most memory held columns may take: a quarter of the memory this process may still
/// use (the system's available memory, or less where a cgroup limits it), since statistics
/// over the held values need about as much again (a median sorts a copy), unless
/// [`HOLD_BYTES_VAR`] says otherwise.
pub fn hold_limit() -> usize {
    if let Some(bytes) = std::env::var(HOLD_BYTES_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return bytes;
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| meminfo_field(&m, "MemAvailable:"))
        .unwrap_or(0);
    let room = cgroup_room().map_or(available, |r| r.min(available));
    room / 4
}

/// A `/proc/meminfo` field, in bytes.
fn meminfo_field(meminfo: &str, field: &str) -> Option<usize> {
    let line = meminfo.lines().find(|l| l.starts_with(field))?;
    let kib: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The memory this process's cgroups (v2, or v1's memory hierarchy) still allow it: the
/// least room under any limit from its own cgroup up to the root.
fn cgroup_room() -> Option<usize> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut room: Option<usize> = None;
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (base, limit, usage) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max", "memory.current"),
            c if c.split(',').any(|x| x == "memory") => (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            ),
            _ => continue,
        };
        let base = std::path::Path::new(base);
        let mut dir = base.join(path.trim().trim_start_matches('/'));
        while dir.starts_with(base) {
            let read = |f: &str| -> Option<usize> {
                std::fs::read_to_string(dir.join(f))
                    .ok()?
                    .trim()
                    .parse()
                    .ok()
            };
            // v2 writes "max" where there is no limit, which does not parse.
            if let (Some(max), Some(used)) = (read(limit), read(usage)) {
                let left = max.saturating_sub(used);
                room = Some(room.map_or(left, |r| r.min(left)));
            }
            if !dir.pop() {
                break;
            }
        }
    }
    room
}

/// The memory every range reading one file may use for held values, together.
#[derive(Debug)]
pub struct Allowance {
    limit: usize,
    used: AtomicUsize,
    exceeded: AtomicBool,
}

impl Allowance {
    pub fn new(limit: usize) -> Arc<Allowance> {
        Arc::new(Allowance {
            limit,
            used: AtomicUsize::new(0),
            exceeded: AtomicBool::new(false),
        })
    }

    /// Take `bytes` more; false once the allowance is spent (for every range).
    fn take(&self, bytes: usize) -> bool {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used > self.limit {
            self.exceeded.store(true, Ordering::Relaxed);
        }
        !self.exceeded.load(Ordering::Relaxed)
    }

    fn exceeded(&self) -> bool {
        self.exceeded.load(Ordering::Relaxed)
    }
}

/// What to hold: the columns' positions in the header, and the memory (bytes) they may take.
#[derive(Debug, Clone, Default)]
pub struct HoldRequest {
    pub columns: Vec<usize>,
    pub limit: usize,
}

#[derive(Debug, Clone)]
enum Values {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

/// The values one range of the file gave a column, in order.
#[derive(Clone)]
struct Part {
    values: Values,
    /// Empty while every value is present.
    valid: MutableBitmap,
}

impl Part {
    fn new() -> Part {
        Part {
            values: Values::Ints(Vec::new()),
            valid: MutableBitmap::new(),
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            Values::Ints(v) => v.len(),
            Values::Floats(v) => v.len(),
        }
    }

    /// The memory the values take (a vector's spare capacity, never written, is not).
    fn bytes(&self) -> usize {
        self.len() * 8 + self.valid.len() / 8
    }

    fn make_floats(&mut self) {
        if let Values::Ints(v) = &mut self.values {
            self.values = Values::Floats(std::mem::take(v).into_iter().map(|i| i as f64).collect());
        }
    }

    fn push_int(&mut self, n: i64) {
        match &mut self.values {
            Values::Ints(v) => v.push(n),
            Values::Floats(v) => v.push(n as f64),
        }
        if !self.valid.is_empty() {
            self.valid.push(true);
        }
    }

    fn push_float(&mut self, x: f64) {
        self.make_floats();
        if let Values::Floats(v) = &mut self.values {
            v.push(x);
        }
        if !self.valid.is_empty() {
            self.valid.push(true);
        }
    }

    fn push_null(&mut self) {
        if self.valid.is_empty() {
            self.valid.extend_constant(self.len(), true);
        }
        match &mut self.values {
            Values::Ints(v) => v.push(0),
            Values::Floats(v) => v.push(0.0),
        }
        self.valid.push(false);
    }

    /// Take one field's text; false when it is not a number.
    #[inline]
    fn take(&mut self, v: &[u8]) -> bool {
        if v.is_empty() {
            self.push_null();
        } else if let Some(n) = plain_int(v) {
            self.push_int(n);
        } else {
            // Anything else the inspection calls a number is a decimal ASCII text that
            // Rust parses to the nearest f64, as Polars does; what it calls text (and a
            // number here) makes the column text, and the held values are dropped then.
            match std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
            {
                Some(x) => self.push_float(x),
                None => return false,
            }
        }
        true
    }

    /// The values as a Polars column of `dtype` (the buffers move, nothing is copied).
    fn into_column(self, name: &str, dtype: &DataType) -> Option<Column> {
        let valid = (!self.valid.is_empty()).then(|| self.valid.into());
        let series = match (self.values, dtype) {
            (Values::Ints(v), DataType::Int64) => {
                Int64Chunked::from_vec_validity(name.into(), v, valid).into_series()
            }
            (values, DataType::Float64) => {
                let v = match values {
                    Values::Floats(v) => v,
                    Values::Ints(v) => v.into_iter().map(|i| i as f64).collect(),
                };
                Float64Chunked::from_vec_validity(name.into(), v, valid).into_series()
            }
            _ => return None,
        };
        Some(series.into_column())
    }
}

/// An integer as `csv::is_plain_int` recognises it: up to 18 digits, optionally negative,
/// without a leading zero (so it always fits in i64).
#[inline]
fn plain_int(v: &[u8]) -> Option<i64> {
    let (negative, digits) = match v.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty()
        || digits.len() > 18
        || (digits[0] == b'0' && (digits.len() > 1 || negative))
    {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + d as i64;
    }
    Some(if negative { -n } else { n })
}

/// One held column: its position and its values, range by range.
#[derive(Clone)]
struct HeldColumn {
    index: usize,
    parts: Vec<Part>,
}

/// How often (in rows) a range counts its held memory against the allowance.
const CHARGE_EVERY: u32 = 1 << 16;

/// The held columns of one range of the file (or of the whole file).
#[derive(Clone)]
pub struct Held {
    columns: Vec<HeldColumn>,
    allowance: Arc<Allowance>,
    charged: usize,
    rows: u32,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let columns: Vec<usize> = self.columns.iter().map(|c| c.index).collect();
        write!(
            f,
            "Held {{ columns: {columns:?}, bytes: {} }}",
            self.charged
        )
    }
}

impl Held {
    /// Hold `columns`, every range of one read sharing `allowance`.
    pub fn new(columns: &[usize], allowance: &Arc<Allowance>) -> Option<Held> {
        if columns.is_empty() || allowance.exceeded() {
            return None;
        }
        Some(Held {
            columns: columns
                .iter()
                .map(|&index| HeldColumn {
                    index,
                    parts: vec![Part::new()],
                })
                .collect(),
            allowance: allowance.clone(),
            charged: 0,
            rows: 0,
        })
    }

    /// Take one row's fields (`field(i)` is `None` past the end of a short row, read as
    /// missing); false when the values cannot be held any more.
    #[inline]
    pub fn take<'a>(&mut self, field: impl Fn(usize) -> Option<&'a [u8]>) -> bool {
        for c in &mut self.columns {
            let part = c.parts.last_mut().expect("a held column has a part");
            if !part.take(field(c.index).unwrap_or_default()) {
                return false;
            }
        }
        self.rows += 1;
        self.rows < CHARGE_EVERY || self.charge()
    }

    fn charge(&mut self) -> bool {
        self.rows = 0;
        let bytes: usize = self
            .columns
            .iter()
            .flat_map(|c| &c.parts)
            .map(Part::bytes)
            .sum();
        let more = bytes.saturating_sub(self.charged);
        self.charged = bytes;
        self.allowance.take(more)
    }

    /// Append the next range's values.
    pub fn merge(&mut self, next: Held) {
        for (c, n) in self.columns.iter_mut().zip(next.columns) {
            c.parts.extend(n.parts);
        }
        self.charged += next.charged;
    }

    /// Whether the values are still good to use (no range ran out of memory).
    pub fn complete(&mut self) -> bool {
        self.charge() && !self.allowance.exceeded()
    }

    /// The held columns as Polars columns, named from `headers`, for those the inspection
    /// typed as numbers (`Int64` for integers, `Float64` for floats).
    pub fn into_columns(self, headers: &[String], types: &[ColType]) -> Vec<Column> {
        let mut out = Vec::new();
        for c in self.columns {
            let (Some(name), Some(ty)) = (headers.get(c.index), types.get(c.index)) else {
                continue;
            };
            let dtype = match ty {
                ColType::Integer => DataType::Int64,
                ColType::Float => DataType::Float64,
                _ => continue,
            };
            out.extend(joined(c.parts, name, &dtype));
        }
        out
    }
}

/// One column of the parts, in order (chunks side by side, not copied).
fn joined(parts: Vec<Part>, name: &str, dtype: &DataType) -> Option<Column> {
    let mut column: Option<Column> = None;
    for part in parts {
        let next = part.into_column(name, dtype)?;
        column = Some(match column {
            None => next,
            Some(mut all) => {
                all.append_owned(next).ok()?;
                all
            }
        });
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_fields_are_read_in_bytes() {
        let m = "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(meminfo_field(m, "MemAvailable:"), Some(20_000_000 * 1024));
        assert_eq!(meminfo_field(m, "SwapFree:"), None);
    }

    #[test]
    fn plain_integers_parse_exactly_and_others_do_not() {
        assert_eq!(plain_int(b"0"), Some(0));
        assert_eq!(plain_int(b"-17"), Some(-17));
        assert_eq!(
            plain_int(b"999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        for text in [
            "",
            "-",
            "-0",
            "007",
            "1.5",
            "1e3",
            "+5",
            "1234567890123456789",
            "12a",
        ] {
            assert_eq!(plain_int(text.as_bytes()), None, "{text}");
        }
    }
}
