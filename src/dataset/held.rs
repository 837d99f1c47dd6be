//! Numeric columns kept in memory while the CSV inspection reads them, so that the statistics
//! a recipe needs over them take no pass of their own over the file (`job::run`).
//!
//! Only columns the inspection types as integers or floats are held, and only while the
//! values of every held column of the file fit an allowance of memory; past it, or at the
//! first value of any held column that does not parse as a number, nothing is held and the
//! statistics stream as before. (A column of texts that parse as numbers but that the
//! inspection types as text, such as "007", is held to the end and then dropped.) Values are
//! parsed as Polars parses them from the same text: an integer exactly, a decimal number
//! rounded correctly to the nearest f64 (both are exact rules, so they agree).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use polars::prelude::*;
use polars_arrow::bitmap::MutableBitmap;

use super::csv::{ColType, plain_int};
use crate::error::{Error, Result};

/// The environment variable that puts a number of bytes in place of the quarter of the
/// available memory held columns may take; `0` holds none, so every statistic streams.
pub const HOLD_BYTES_VAR: &str = "DATACOOK_HOLD_BYTES";

/// The most memory held columns may take: a quarter of the memory this process may still
/// use (the system's available memory, or less where a cgroup limits it), since statistics
/// over the held values need about as much again (a median sorts a copy), unless
/// [`HOLD_BYTES_VAR`] says otherwise.
pub fn hold_limit() -> Result<usize> {
    if let Ok(text) = std::env::var(HOLD_BYTES_VAR) {
        return text.trim().parse::<usize>().map_err(|_| {
            Error::invalid_with_help(
                format!("{HOLD_BYTES_VAR} is '{text}', not a number of bytes"),
                format!("set {HOLD_BYTES_VAR} to a whole number of bytes (0 holds nothing)"),
            )
        });
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| meminfo_field(&m, "MemAvailable:"))
        .unwrap_or(0);
    let room = cgroup_room().map_or(available, |r| r.min(available));
    Ok(room / 4)
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

/// Where one cgroup hierarchy keeps its memory controls.
struct MemoryFiles {
    base: &'static str,
    limits: &'static [&'static str],
    usage: &'static str,
    /// The `memory.stat` field counting page cache the kernel can take back.
    reclaimable: &'static str,
}

const V2: MemoryFiles = MemoryFiles {
    base: "/sys/fs/cgroup",
    limits: &["memory.max", "memory.high"],
    usage: "memory.current",
    reclaimable: "inactive_file",
};

const V1: MemoryFiles = MemoryFiles {
    base: "/sys/fs/cgroup/memory",
    limits: &["memory.limit_in_bytes"],
    usage: "memory.usage_in_bytes",
    reclaimable: "total_inactive_file",
};

/// The memory this process's cgroups (v2, or v1's memory hierarchy) still allow it: the
/// least room under any limit from its own cgroup up to the root, counting reclaimable page
/// cache as room.
fn cgroup_room() -> Option<usize> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut room: Option<usize> = None;
    for line in own.lines() {
        // "ID:controllers:path"; v2's line is "0::path".
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let files = match controllers {
            "" => &V2,
            c if c.split(',').any(|x| x == "memory") => &V1,
            _ => continue,
        };
        let base = std::path::Path::new(files.base);
        let mut dir = base.join(path.trim().trim_start_matches('/'));
        while dir.starts_with(base) {
            if let Some(left) = room_in(&dir, files) {
                room = Some(room.map_or(left, |r| r.min(left)));
            }
            if !dir.pop() {
                break;
            }
        }
    }
    room
}

/// The room under one cgroup's own limits, if it has any.
fn room_in(dir: &std::path::Path, files: &MemoryFiles) -> Option<usize> {
    let number = |f: &str| -> Option<usize> {
        std::fs::read_to_string(dir.join(f))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    // v2 writes "max" where there is no limit, which does not parse.
    let limit = files.limits.iter().filter_map(|f| number(f)).min()?;
    let used = number(files.usage)?;
    let reclaimable = std::fs::read_to_string(dir.join("memory.stat"))
        .ok()
        .and_then(|stat| stat_field(&stat, files.reclaimable))
        .unwrap_or(0);
    Some(limit.saturating_sub(used.saturating_sub(reclaimable)))
}

/// A `memory.stat` field ("name value" lines).
fn stat_field(stat: &str, field: &str) -> Option<usize> {
    stat.lines().find_map(|l| {
        let (name, value) = l.split_once(' ')?;
        (name == field).then(|| value.trim().parse().ok())?
    })
}

/// The memory every range reading one file may use for held values, together.
#[derive(Debug)]
pub struct Allowance {
    limit: usize,
    used: AtomicUsize,
    given_up: AtomicBool,
}

impl Allowance {
    pub fn new(limit: usize) -> Arc<Allowance> {
        Arc::new(Allowance {
            limit,
            used: AtomicUsize::new(0),
            given_up: AtomicBool::new(false),
        })
    }

    /// Count `bytes` more; false once the allowance is spent (for every range).
    fn charge(&self, bytes: usize) -> bool {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used > self.limit {
            self.give_up();
        }
        !self.given_up()
    }

    /// Stop every range holding (one met a value that is not a number, or the memory ran out).
    fn give_up(&self) {
        self.given_up.store(true, Ordering::Relaxed);
    }

    fn given_up(&self) -> bool {
        self.given_up.load(Ordering::Relaxed)
    }
}

/// What to hold: the columns' positions in the header, and the memory (bytes) they may take.
#[derive(Debug, Clone, Default)]
pub struct HoldRequest {
    pub columns: Vec<usize>,
    pub limit: usize,
}

enum Values {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

/// The values one range of the file gave a column, in order.
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

    /// Add one field's value; false when its text is not a number.
    #[inline]
    fn push_field(&mut self, v: &[u8]) -> bool {
        if v.is_empty() {
            self.push_null();
        } else if let Some(n) = plain_int(v).or_else(|| long_int(v)) {
            self.push_int(n);
        } else if let Ok(x) = fast_float2::parse::<f64, _>(v) {
            // Polars' own parser. Text the inspection calls text but that parses ("+5", "007",
            // "inf") makes the column text, and then it is not held.
            self.push_float(x);
        } else {
            return false;
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

/// A 19-digit integer that fits in i64 (the inspection types such a column as integers).
fn long_int(v: &[u8]) -> Option<i64> {
    if v.len() < 19 {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// One held column: its position, the values earlier ranges gave it, and this range's.
struct HeldColumn {
    index: usize,
    done: Vec<Part>,
    current: Part,
}

/// About how much memory (bytes) a range holds between two counts against the allowance.
const CHARGE_BYTES: usize = 1 << 20;

/// The held columns of one range of the file (or of the whole file).
pub struct Held {
    columns: Vec<HeldColumn>,
    allowance: Arc<Allowance>,
    charged: usize,
    /// Rows to take before the next count, and how many that is each time.
    rows_to_charge: usize,
    rows_per_charge: usize,
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
        if columns.is_empty() || allowance.given_up() {
            return None;
        }
        let rows_per_charge = (CHARGE_BYTES / (8 * columns.len())).max(1);
        Some(Held {
            columns: columns
                .iter()
                .map(|&index| HeldColumn {
                    index,
                    done: Vec::new(),
                    current: Part::new(),
                })
                .collect(),
            allowance: allowance.clone(),
            charged: 0,
            rows_to_charge: rows_per_charge,
            rows_per_charge,
        })
    }

    /// Add one row's fields (`field(i)` is `None` past the end of a short row, read as
    /// missing); false when nothing can be held any more.
    #[inline]
    pub fn push_row<'a>(&mut self, field: impl Fn(usize) -> Option<&'a [u8]>) -> bool {
        for c in &mut self.columns {
            if !c.current.push_field(field(c.index).unwrap_or_default()) {
                self.allowance.give_up();
                return false;
            }
        }
        self.rows_to_charge -= 1;
        self.rows_to_charge > 0 || self.charge()
    }

    fn charge(&mut self) -> bool {
        self.rows_to_charge = self.rows_per_charge;
        let bytes: usize = self
            .columns
            .iter()
            .flat_map(|c| c.done.iter().chain([&c.current]))
            .map(Part::bytes)
            .sum();
        let more = bytes.saturating_sub(self.charged);
        self.charged = bytes;
        self.allowance.charge(more)
    }

    /// Append the next range's values.
    pub fn merge(&mut self, next: Held) {
        for (c, n) in self.columns.iter_mut().zip(next.columns) {
            let current = std::mem::replace(&mut c.current, n.current);
            c.done.push(current);
            c.done.extend(n.done);
        }
        self.charged += next.charged;
    }

    /// The memory the values take, as last counted (all of it once finished).
    pub fn bytes(&self) -> usize {
        self.charged
    }

    /// The values, when every range could hold them all.
    pub fn finish(mut self) -> Option<Held> {
        (self.charge() && !self.allowance.given_up()).then_some(self)
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
            let mut parts = c.done;
            parts.push(c.current);
            out.extend(joined(parts, name, &dtype));
        }
        out
    }
}

/// One column of the parts, in order, as one contiguous array: a float sum then adds the
/// values in the same order however many ranges the file was read in. Parts after the first
/// are copied (each freed once copied), so joining takes one column's memory more at most.
fn joined(mut parts: Vec<Part>, name: &str, dtype: &DataType) -> Option<Column> {
    if parts.len() == 1 {
        return parts.pop()?.into_column(name, dtype);
    }
    let total: usize = parts.iter().map(Part::len).sum();
    let nulls = parts.iter().any(|p| !p.valid.is_empty());
    let mut valid = MutableBitmap::with_capacity(if nulls { total } else { 0 });
    let mut join_validity = |part_valid: MutableBitmap, len: usize| {
        if nulls && part_valid.is_empty() {
            valid.extend_constant(len, true);
        } else if nulls {
            valid.extend_from_bitmap(&part_valid.into());
        }
    };
    let series = match dtype {
        DataType::Int64 => {
            let mut values: Vec<i64> = Vec::with_capacity(total);
            for part in parts {
                let Values::Ints(v) = part.values else {
                    return None;
                };
                join_validity(part.valid, v.len());
                values.extend_from_slice(&v);
            }
            let valid = nulls.then(|| valid.into());
            Int64Chunked::from_vec_validity(name.into(), values, valid).into_series()
        }
        DataType::Float64 => {
            let mut values: Vec<f64> = Vec::with_capacity(total);
            for part in parts {
                let len = part.len();
                join_validity(part.valid, len);
                match part.values {
                    Values::Floats(v) => values.extend_from_slice(&v),
                    Values::Ints(v) => values.extend(v.into_iter().map(|i| i as f64)),
                }
            }
            let valid = nulls.then(|| valid.into());
            Float64Chunked::from_vec_validity(name.into(), values, valid).into_series()
        }
        _ => return None,
    };
    Some(series.into_column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_and_memory_stat_fields_are_read() {
        let m = "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(meminfo_field(m, "MemAvailable:"), Some(20_000_000 * 1024));
        assert_eq!(meminfo_field(m, "SwapFree:"), None);
        let stat = "active_file 10\ninactive_file 4096\ntotal_inactive_file 8192\n";
        assert_eq!(stat_field(stat, "inactive_file"), Some(4096));
        assert_eq!(stat_field(stat, "total_inactive_file"), Some(8192));
        assert_eq!(stat_field(stat, "file"), None);
    }

    #[test]
    fn a_cgroup_room_is_its_limit_less_what_it_cannot_reclaim() {
        let dir = tempfile::tempdir().unwrap();
        let put = |f: &str, text: &str| std::fs::write(dir.path().join(f), text).unwrap();
        put("memory.max", "1000000\n");
        put("memory.high", "max\n");
        put("memory.current", "600000\n");
        put("memory.stat", "anon 400000\ninactive_file 200000\n");
        assert_eq!(room_in(dir.path(), &V2), Some(600_000));
        put("memory.high", "700000\n");
        assert_eq!(room_in(dir.path(), &V2), Some(300_000));
        put("memory.max", "max\n");
        put("memory.high", "max\n");
        assert_eq!(room_in(dir.path(), &V2), None, "no limit");
    }

    /// Memory is counted as the rows come, not only at the end: a range stops holding once
    /// the allowance is spent, and so do the others sharing it.
    #[test]
    fn holding_stops_for_every_range_once_the_allowance_is_spent() {
        let allowance = Allowance::new(2 * CHARGE_BYTES + CHARGE_BYTES / 2);
        let mut one = Held::new(&[0], &allowance).unwrap();
        let mut other = Held::new(&[0], &allowance).unwrap();
        let rows = CHARGE_BYTES / 8;
        let row = |_: usize| Some(&b"12"[..]);
        assert!((0..2 * rows).all(|_| one.push_row(row)), "2 MiB fit");
        assert!((0..rows - 1).all(|_| other.push_row(row)));
        assert!(!other.push_row(row), "the third MiB does not");
        assert!(
            !(0..rows).all(|_| one.push_row(row)),
            "the other range stops too"
        );
        assert!(one.finish().is_none());
        assert!(Held::new(&[0], &allowance).is_none());
    }

    /// Ranges merge in file order, into one contiguous column per held column, and what the
    /// last rows of every range took is counted when the read finishes.
    #[test]
    fn ranges_merge_in_order_and_count_at_the_end() {
        let read = |limit: usize| {
            let allowance = Allowance::new(limit);
            let mut all = Held::new(&[0], &allowance).unwrap();
            let texts = [["1", "", "3"], ["4.5", "5", "6"], ["", "8", "9"]];
            for (i, range) in texts.iter().enumerate() {
                let mut held = Held::new(&[0], &allowance).unwrap();
                for t in range {
                    assert!(held.push_row(|_| Some(t.as_bytes())));
                }
                match i {
                    0 => all = held,
                    _ => all.merge(held),
                }
            }
            all.finish()
        };
        assert!(read(9 * 8 - 1).is_none(), "nine values take 72 bytes");
        let held = read(9 * 8 + 8).unwrap();
        let columns = held.into_columns(&["x".to_string()], &[ColType::Float]);
        let x = columns[0].f64().unwrap();
        assert_eq!(x.chunks().len(), 1, "one contiguous array");
        let x: Vec<Option<f64>> = x.iter().collect();
        let expected = [
            Some(1.0),
            None,
            Some(3.0),
            Some(4.5),
            Some(5.0),
            Some(6.0),
            None,
            Some(8.0),
            Some(9.0),
        ];
        assert_eq!(x, expected);
    }

    #[test]
    fn a_value_that_is_not_a_number_stops_every_range() {
        let allowance = Allowance::new(usize::MAX);
        let mut one = Held::new(&[0], &allowance).unwrap();
        let other = Held::new(&[0], &allowance).unwrap();
        assert!(one.push_row(|_| Some(&b"1.5"[..])));
        assert!(!one.push_row(|_| Some(&b"yes"[..])));
        assert!(other.finish().is_none());
    }

    #[test]
    fn long_integers_and_missing_values_are_held() {
        let allowance = Allowance::new(usize::MAX);
        let mut held = Held::new(&[0, 1], &allowance).unwrap();
        for (a, b) in [
            ("9223372036854775807", "1"),
            ("-9223372036854775808", ""),
            ("1", "2.5"),
        ] {
            let fields = [a.as_bytes(), b.as_bytes()];
            assert!(held.push_row(|i| fields.get(i).copied()));
        }
        assert!(
            held.push_row(|i| (i == 0).then_some(&b"7"[..])),
            "a short row"
        );
        let types = [ColType::Integer, ColType::Float];
        let names = ["a".to_string(), "b".to_string()];
        let columns = held.finish().unwrap().into_columns(&names, &types);
        let a: Vec<Option<i64>> = columns[0].i64().unwrap().iter().collect();
        assert_eq!(a, [Some(i64::MAX), Some(i64::MIN), Some(1), Some(7)]);
        let b: Vec<Option<f64>> = columns[1].f64().unwrap().iter().collect();
        assert_eq!(b, [Some(1.0), None, Some(2.5), None]);
    }
}
