//! Detecting a CSV file's dialect when the dataset does not state it: the delimiter, the
//! quote character, how quotes are escaped, whether the first row is a header, and preamble
//! lines (titles, comments, blank lines) before the table. Read from a sample of the file's
//! start (64 KiB); options the dataset states always win and are never second-guessed.
//!
//! * **Delimiter and quote**: every candidate pair (`,` `;` tab `|` space and any other
//!   punctuation byte in the sample; `"` or `'`) splits the sample's lines, quote-aware; the
//!   pair under which the most lines agree on one field count (of at least two) wins, ties
//!   going to the more usual delimiter (`,` tab `;` `|` space, then others) and to `"`. `'`
//!   is a candidate only where a field quoted with it holds the delimiter.
//! * **Preamble**: leading lines that are blank, start with `#`, or split into at most half
//!   the table's field count (a title) are skipped.
//! * **Escape**: backslash escapes when `\"` appears inside quoted fields and `""` never does.
//! * **Header**: the first row is data, not a header, only when in every column holding only
//!   numbers its value is a number of the same kind within the range of the values below
//!   (give or take their mean spacing; at least four rows below), no text column has values
//!   of one length under a cell of another, and the row is not consecutive numbers (years);
//!   otherwise (and when nothing tells) it is a header, as DataBrew assumes. A header of years
//!   (`region,2019,2020`) over other numbers stays a header.

use serde::Serialize;

use super::csv::{ColType, CsvOptions, Escape, classify};

/// How many bytes of the file's start are read.
pub const SAMPLE_BYTES: usize = 64 << 10;
/// How many of the sample's lines are looked at.
const SAMPLE_LINES: usize = 500;

/// A first row is taken for data only with at least this many rows below it.
const MIN_ROWS_FOR_NO_HEADER: usize = 4;

/// Delimiters in the order ties are broken.
const PREFERRED: &[u8] = b",\t;| ";

/// The dialect a file is read with, and which parts were detected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DialectReport {
    pub delimiter: String,
    pub quote: String,
    pub escape: Escape,
    pub header: bool,
    pub skip_rows: u64,
    /// The options detected from the file (the others were stated or are the defaults).
    pub detected: Vec<&'static str>,
}

impl DialectReport {
    /// A `csv:` block stating the detected options, to pin them in the dataset file.
    pub fn pin_hint(&self) -> Option<String> {
        if self.detected.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        for d in &self.detected {
            parts.push(match *d {
                "delimiter" => format!("delimiter: {:?}", self.delimiter),
                "quote" => format!("quote: {:?}", self.quote),
                "escape" => format!("escape: {}", serde_plain(&self.escape)),
                "header" => format!("header: {}", self.header),
                _ => format!("skip_rows: {}", self.skip_rows),
            });
        }
        Some(format!("csv: {{{}}}", parts.join(", ")))
    }
}

/// `doubled` or `backslash`, as a dataset file writes it.
pub fn serde_plain(e: &Escape) -> &'static str {
    match e {
        Escape::Doubled => "doubled",
        Escape::Backslash => "backslash",
    }
}

fn shown(b: u8) -> String {
    match b {
        b'\t' => "\\t".into(),
        b => (b as char).to_string(),
    }
}

/// The options with what the dataset does not state detected from `sample` (the file's
/// first bytes), and the report of the dialect.
pub fn resolve(opts: &CsvOptions, sample: &[u8]) -> (CsvOptions, DialectReport) {
    if opts.strict {
        // A strict dataset is read exactly as stated (defaults where it states nothing).
        return (opts.clone(), report(opts, Vec::new()));
    }
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(sample);
    let lines: Vec<&[u8]> = sample
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .take(SAMPLE_LINES)
        .collect();
    // A sample cut mid-line: its last line is partial.
    let lines = if sample.len() >= SAMPLE_BYTES && lines.len() > 1 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    let mut out = opts.clone();
    let mut detected = Vec::new();
    let stated = opts.stated;
    let quotes: Vec<u8> = if stated.quote {
        vec![opts.quote]
    } else {
        vec![b'"', b'\'']
    };
    let delimiters: Vec<u8> = if stated.delimiter {
        vec![opts.delimiter]
    } else {
        candidates(lines)
    };
    let skip = stated.skip_rows.then_some(opts.skip_rows as usize);
    let mut best: Option<(Score, u8, u8)> = None;
    for &q in &quotes {
        for &d in &delimiters {
            // `'` quotes only where some field needs them (it holds the delimiter): a
            // stray `"` or an apostrophe is no evidence.
            if !stated.quote && q == b'\'' && !quotes_delimiters(lines, d, q) {
                continue;
            }
            let score = score(lines, d, q, skip);
            if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                best = Some((score, d, q));
            }
        }
    }
    if let Some((score, d, q)) = best
        && score.agreeing > 0
    {
        if !stated.delimiter && d != opts.delimiter {
            out.delimiter = d;
            detected.push("delimiter");
        }
        if !stated.quote && q != opts.quote {
            out.quote = q;
            detected.push("quote");
        }
    }
    if !stated.escape && backslash_escaped(lines, out.quote, out.delimiter) {
        out.escape = Escape::Backslash;
        detected.push("escape");
    }
    let width = modal_width(lines, out.delimiter, out.quote);
    if !stated.skip_rows
        && let Some(width) = width
    {
        let preamble = preamble(lines, out.delimiter, out.quote, width);
        if preamble > 0 {
            out.skip_rows = preamble as u64;
            detected.push("skip_rows");
        }
    }
    if !stated.header {
        let table = lines.get(out.skip_rows as usize..).unwrap_or(&[]);
        if !has_header(table, out.delimiter, out.quote) {
            out.header = false;
            detected.push("header");
        }
    }
    let report = report(&out, detected);
    (out, report)
}

fn report(opts: &CsvOptions, detected: Vec<&'static str>) -> DialectReport {
    DialectReport {
        delimiter: shown(opts.delimiter),
        quote: shown(opts.quote),
        escape: opts.escape,
        header: opts.header,
        skip_rows: opts.skip_rows,
        detected,
    }
}

/// How well a delimiter and quote fit: how many lines agree on the usual field count, then
/// how usual the delimiter and quote are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    agreeing: usize,
    preference: usize,
}

fn score(lines: &[&[u8]], d: u8, q: u8, skip: Option<usize>) -> Score {
    let lines = &lines[skip.unwrap_or(0).min(lines.len())..];
    let counts: Vec<Option<usize>> = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| split(l, d, q).map(|f| f.len()))
        .collect();
    let mut tally: std::collections::BTreeMap<usize, usize> = Default::default();
    for c in counts.iter().flatten().filter(|c| **c >= 2) {
        *tally.entry(*c).or_default() += 1;
    }
    let agreeing = tally.values().copied().max().unwrap_or(0);
    // A space or an unusual byte is the delimiter only if it splits every line but blank
    // and `#` ones alike: a column of names, dates or times is not split on it.
    let strong = matches!(d, b',' | b'\t' | b';' | b'|');
    let every = || {
        let width = tally.iter().max_by_key(|(_, n)| **n).map(|(w, _)| *w);
        lines
            .iter()
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
            .all(|l| split(l, d, q).map(|f| f.len()) == width)
    };
    let agreeing = if strong || every() { agreeing } else { 0 };
    let rank = PREFERRED
        .iter()
        .position(|p| *p == d)
        .unwrap_or(PREFERRED.len());
    Score {
        agreeing,
        preference: (PREFERRED.len() + 1 - rank) * 2 + usize::from(q == b'"'),
    }
}

/// Delimiter candidates: the usual ones, and any other punctuation byte in the sample.
fn candidates(lines: &[&[u8]]) -> Vec<u8> {
    let mut seen = [false; 256];
    for l in lines {
        for &b in *l {
            seen[b as usize] = true;
        }
    }
    let mut out: Vec<u8> = PREFERRED.to_vec();
    for b in 0u8..=127 {
        let other_punctuation = (b.is_ascii_punctuation() || (b.is_ascii_control() && b != b'\r'))
            && !b"\"'.-_\n\r\t".contains(&b)
            && !PREFERRED.contains(&b);
        if other_punctuation && seen[b as usize] {
            out.push(b);
        }
    }
    out
}

/// The fields of one line, quote-aware; None when a quote stays open (the record goes on over
/// the next line). Inside quotes both `qq` and `\q` stand for one quote: the splitter serves
/// the guesses made before the escape style is known.
fn split(line: &[u8], d: u8, q: u8) -> Option<Vec<Vec<u8>>> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    let mut at_start = true;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if quoted {
            if b == q {
                if line.get(i + 1) == Some(&q) {
                    field.push(q);
                    i += 1;
                } else {
                    quoted = false;
                }
            } else if b == b'\\' && line.get(i + 1) == Some(&q) {
                field.push(q);
                i += 1;
            } else {
                field.push(b);
            }
        } else if b == d {
            fields.push(std::mem::take(&mut field));
            at_start = true;
            i += 1;
            continue;
        } else if b == q && at_start {
            quoted = true;
        } else {
            field.push(b);
        }
        at_start = false;
        i += 1;
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// Whether some line has a field quoted with `q` that holds the delimiter `d`.
fn quotes_delimiters(lines: &[&[u8]], d: u8, q: u8) -> bool {
    lines.iter().any(|l| {
        let mut quoted = false;
        let mut at_start = true;
        for &b in l.iter() {
            if quoted {
                if b == q {
                    quoted = false;
                } else if b == d {
                    return true;
                }
            } else if b == q && at_start {
                quoted = true;
            }
            at_start = b == d;
        }
        false
    })
}

/// The field count most lines share (at least two).
fn modal_width(lines: &[&[u8]], d: u8, q: u8) -> Option<usize> {
    let mut tally: std::collections::BTreeMap<usize, usize> = Default::default();
    for l in lines.iter().filter(|l| !l.is_empty()) {
        if let Some(f) = split(l, d, q)
            && f.len() >= 2
        {
            *tally.entry(f.len()).or_default() += 1;
        }
    }
    tally
        .into_iter()
        .max_by_key(|(w, n)| (*n, *w))
        .map(|(w, _)| w)
}

/// Leading lines that are not part of the table: blank, `#` comments, or titles that split
/// into at most half the table's fields (counting delimiters inside quotes too, so a header
/// with a stray quote is not taken for a title).
fn preamble(lines: &[&[u8]], d: u8, q: u8, width: usize) -> usize {
    let title_width = (width / 2).max(1);
    lines
        .iter()
        .take_while(|l| {
            let raw_fields = l.iter().filter(|b| **b == d).count() + 1;
            // `#,Name,Total` is a header with a column named `#`, not a comment.
            let named_hash = d != b' ' && l.get(1) == Some(&d) && raw_fields == width;
            let comment = l.starts_with(b"#") && !named_hash;
            l.iter().all(u8::is_ascii_whitespace)
                || comment
                || (raw_fields <= title_width
                    && split(l, d, q).is_none_or(|f| f.len() <= title_width))
        })
        .count()
        .min(lines.len().saturating_sub(1))
}

/// Backslash escapes: `\"` followed by more text inside the sample, and never `""` other
/// than an empty field. (`"C:\"` ends in a backslash: no evidence.)
fn backslash_escaped(lines: &[&[u8]], q: u8, d: u8) -> bool {
    let mut backslashed = 0;
    let mut doubled = 0;
    for l in lines {
        for i in 1..l.len() {
            if l[i] != q {
                continue;
            }
            if l[i - 1] == b'\\' {
                if l.get(i + 1).is_some_and(|n| *n != d && *n != b'\r') {
                    backslashed += 1;
                }
            } else if l[i - 1] == q {
                let before = if i >= 2 { Some(l[i - 2]) } else { None };
                let after = l.get(i + 1).copied();
                let empty_field = before.is_none_or(|b| !b.is_ascii_alphanumeric())
                    && after.is_none_or(|a| !a.is_ascii_alphanumeric());
                if !empty_field {
                    doubled += 1;
                }
            }
        }
    }
    backslashed > 0 && doubled == 0
}

/// Whether the table's first row is a header (see the module doc). Only clear evidence makes
/// it data: in every column that holds only numbers below it, the first row holds a number of
/// the same kind (integer or not) within the range of the values below.
fn has_header(table: &[&[u8]], d: u8, q: u8) -> bool {
    let rows: Vec<Vec<Vec<u8>>> = table
        .iter()
        .filter(|l| !l.is_empty())
        .take(51)
        .filter_map(|l| split(l, d, q))
        .collect();
    let Some((first, rest)) = rows.split_first() else {
        return true;
    };
    // Too few rows to tell, or a header written twice.
    if rest.len() < MIN_ROWS_FOR_NO_HEADER || rest.first() == Some(first) {
        return true;
    }
    let number = |v: &[u8]| -> Option<(ColType, f64)> {
        let kind = classify(v);
        matches!(kind, ColType::Integer | ColType::Float)
            .then(|| {
                std::str::from_utf8(v)
                    .ok()?
                    .parse::<f64>()
                    .ok()
                    .map(|x| (kind, x))
            })
            .flatten()
    };
    // Consecutive whole numbers across the row (2019, 2020, 2021) are years, named columns.
    let whole: Vec<i64> = first
        .iter()
        .filter_map(|c| std::str::from_utf8(c).ok()?.parse::<i64>().ok())
        .collect();
    if whole.len() >= 2 && whole.windows(2).all(|w| w[1] == w[0] + 1) {
        return true;
    }
    // A text column whose values all have one length, under a cell of another length.
    for (j, cell) in first.iter().enumerate() {
        let values: Vec<&Vec<u8>> = rest.iter().filter_map(|r| r.get(j)).collect();
        let lengths: std::collections::BTreeSet<usize> = values.iter().map(|v| v.len()).collect();
        let text = values.iter().all(|v| number(v).is_none());
        if text && lengths.len() == 1 && !lengths.contains(&cell.len()) {
            return true;
        }
    }
    let mut numeric_columns = 0;
    for (j, cell) in first.iter().enumerate() {
        let values: Vec<(ColType, f64)> = rest
            .iter()
            .filter_map(|r| r.get(j))
            .filter(|v| !v.is_empty())
            .map(|v| number(v))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        if values.is_empty() {
            continue;
        }
        numeric_columns += 1;
        let Some((kind, x)) = number(cell) else {
            return true;
        };
        let same_kind = values.iter().all(|(k, _)| *k == kind);
        let lo = values.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
        let hi = values
            .iter()
            .map(|(_, v)| *v)
            .fold(f64::NEG_INFINITY, f64::max);
        // Within the values' range, give or take their mean spacing.
        let spacing = (hi - lo) / (values.len().max(2) - 1) as f64;
        if !same_kind || x < lo - spacing || x > hi + spacing {
            return true;
        }
    }
    numeric_columns == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> DialectReport {
        resolve(&CsvOptions::default(), text.as_bytes()).1
    }

    #[test]
    fn delimiters_quotes_preambles_and_headers_are_detected() {
        let semi = detect("name;price\nA;1,5\nB;2,25\n");
        assert_eq!((semi.delimiter.as_str(), semi.header), (";", true));
        let tab = detect("a\tb\tc\n1\t2\t3\n4\t5\t6\n");
        assert_eq!(tab.delimiter, "\\t");
        let single = detect("id,name\n1,'Smith, Jo'\n2,'Lee, Al'\n");
        assert_eq!(
            (single.delimiter.as_str(), single.quote.as_str()),
            (",", "'")
        );
        let apostrophe = detect("id,name\n1,O'Brien\n2,D'Arcy\n");
        assert_eq!(apostrophe.quote, "\"");
        let titled = detect("Sales report\n\n# exported 2024\nid,v\n1,2\n3,4\n");
        assert_eq!(titled.skip_rows, 3);
        assert_eq!(titled.detected, vec!["skip_rows"]);
        let headless = detect("1,2.5,x\n2,3.5,y\n3,4.5,z\n4,5.5,w\n5,6.5,v\n");
        assert!(!headless.header);
        let text_only = detect("a,b\nx,y\n");
        assert!(text_only.header);
        let years = detect("region,2019,2020\nNorth,1.5,2.5\nSouth,3.5,4\n");
        assert!(years.header);
        let year_ints = detect("region,2019,2020\nNorth,1,2\nSouth,3,4\n");
        assert!(year_ints.header);
        let thousands = detect("country,2019,2020\nA,1500,2500\nB,3000,4000\n");
        assert!(thousands.header);
        let cities = detect("city\nNew York\nLos Angeles\nSan Francisco\n");
        assert!(cities.detected.is_empty(), "{cities:?}");
        let times = detect("at\n10:00:01\n11:30:00\n");
        assert!(times.detected.is_empty(), "{times:?}");
        let hash_header = detect("#,Name,Total\n1,Bulbasaur,318\n2,Ivysaur,405\n");
        assert_eq!((hash_header.skip_rows, hash_header.header), (0, true));
        let windows = detect("id,path\n1,\"C:\\Users\\\"\n2,\"D:\\\"\n");
        assert_eq!(windows.escape, Escape::Doubled);
        let escaped = detect("id,q\n1,\"say \\\"hi\\\"\"\n2,\"x\"\n");
        assert_eq!(escaped.escape, Escape::Backslash);
        let doubled = detect("id,q\n1,\"say \"\"hi\"\"\"\n2,\"\"\n");
        assert_eq!(doubled.escape, Escape::Doubled);
        let plain = detect("school_id,name\n1,x\n2,y\n");
        assert!(plain.detected.is_empty());
        assert_eq!(plain.pin_hint(), None);
    }

    #[test]
    fn stated_options_are_never_second_guessed() {
        let opts = CsvOptions {
            stated: super::super::csv::Stated {
                delimiter: true,
                header: true,
                ..Default::default()
            },
            ..CsvOptions::default()
        };
        let (out, report) = resolve(&opts, b"1;2;3\n4;5;6\n");
        assert_eq!((out.delimiter, out.header), (b',', true));
        assert!(report.detected.is_empty());
    }
}
