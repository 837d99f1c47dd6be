//! Reading CSV without losing information, and recovering what can be recovered.
//!
//! One streaming pass ([`inspect`]) tokenises the file the way RFC 4180 says, leniently:
//! it counts rows, infers column types by datacook's rules and notes every repair with line
//! numbers. Clean files then go straight to Polars' fast reader with the inferred schema;
//! files that need repairs are first rewritten ([`rewrite`]) into a normalised temporary CSV
//! (UTF-8, LF, every row with the header's field count), which Polars reads instead.
//!
//! Rules (decisions.md, "Values"):
//! * a column is integer only if every value is a plain integer without leading zeros that
//!   fits in i64; float only if every value is a plain decimal number; boolean only if every
//!   value is true/false; everything else (dates, `01234`, `+5`, ` 42`) stays text;
//! * a row with too few fields is padded with missing values, one with too many keeps its
//!   first fields; stray quotes are kept as literal characters; an unterminated quote is
//!   treated as a literal quote; blank lines are skipped; bytes that are not UTF-8 are
//!   decoded as Latin-1. Every repair is counted, with the first line numbers.
//! * `strict: true` turns any malformed row (ragged, stray or unterminated quote, invalid
//!   UTF-8) into an error naming its line.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;

use super::held::{Allowance, Held, HoldRequest};

/// How many line numbers a repair keeps as examples.
const EXAMPLE_LINES: usize = 5;
const MAX_QUOTE_RETRIES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Latin1,
}

/// How a quote character is written inside a quoted field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Escape {
    /// `""` (RFC 4180).
    Doubled,
    /// `\"`.
    Backslash,
}

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub quote: u8,
    pub escape: Escape,
    pub header: bool,
    /// Lines before the header (titles, comments, blank lines), skipped.
    pub skip_rows: u64,
    pub encoding: Encoding,
    pub strict: bool,
    /// The options the dataset states; the others may be detected ([`super::sniff`]).
    pub stated: Stated,
}

/// Which dialect options a dataset file states (explicit options always win).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stated {
    pub delimiter: bool,
    pub quote: bool,
    pub escape: bool,
    pub header: bool,
    pub skip_rows: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            escape: Escape::Doubled,
            header: true,
            skip_rows: 0,
            encoding: Encoding::Utf8,
            strict: false,
            stated: Stated::default(),
        }
    }
}

impl CsvOptions {
    /// How the tokenizer reads records.
    fn dialect(&self) -> Dialect {
        Dialect {
            delim: self.delimiter,
            quote: self.quote,
            backslash: self.escape == Escape::Backslash,
            skip_lines: self.skip_rows,
        }
    }

    /// Whether Polars can read the file as it is (it knows only `"` quotes doubled, and
    /// reads from the first line).
    fn polars_readable(&self) -> bool {
        self.quote == b'"' && self.escape == Escape::Doubled && self.skip_rows == 0
    }
}

/// What the tokenizer needs of the options.
#[derive(Debug, Clone, Copy)]
struct Dialect {
    delim: u8,
    quote: u8,
    backslash: bool,
    skip_lines: u64,
}

/// The inferred type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColType {
    /// No value seen yet (an all-missing column ends up as text).
    Empty,
    Boolean,
    Integer,
    Float,
    Text,
}

impl ColType {
    pub(crate) fn merge(self, value: ColType) -> ColType {
        use ColType::*;
        match (self, value) {
            (a, Empty) => a,
            (Empty, b) => b,
            (a, b) if a == b => a,
            (Integer, Float) | (Float, Integer) => Float,
            _ => Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// A row with fewer fields than the header, padded with missing values.
    ShortRowPadded,
    /// A row with more fields than the header; the extra fields were dropped.
    LongRowTruncated,
    /// A quote inside a field that is not properly quoted, kept as a character.
    StrayQuote,
    /// A quote that is never closed, read as a literal character.
    UnterminatedQuote,
    /// Bytes that are not UTF-8, decoded as Latin-1.
    InvalidUtf8,
    /// Empty lines, skipped.
    BlankLine,
    /// Lines ending in a bare carriage return (old Mac style), read as line ends.
    CarriageReturnLineEnd,
    /// Header names that were empty or repeated, renamed.
    HeaderRenamed,
    /// A quote that opened a field but closed before its text ended, swallowing delimiters
    /// (`"2021,Alice,"VIP",Paris`): the line was read again with it as a character.
    QuoteSwallowedDelimiters,
    /// The header row again (right after it, or among the data), skipped.
    RepeatedHeader,
    /// After a blank line, a row that reads like a header of another width: a second table,
    /// not read.
    SecondTable,
}

impl RepairKind {
    /// Repairs that make a row malformed (an error in strict mode).
    pub fn is_malformed_row(self) -> bool {
        matches!(
            self,
            RepairKind::ShortRowPadded
                | RepairKind::LongRowTruncated
                | RepairKind::StrayQuote
                | RepairKind::UnterminatedQuote
                | RepairKind::InvalidUtf8
                | RepairKind::QuoteSwallowedDelimiters
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            RepairKind::ShortRowPadded => "row with too few fields, padded with missing values",
            RepairKind::LongRowTruncated => "row with too many fields, extra fields dropped",
            RepairKind::StrayQuote => "stray quote kept as a character",
            RepairKind::UnterminatedQuote => "unterminated quote read as a character",
            RepairKind::InvalidUtf8 => "text that is not UTF-8, decoded as Latin-1",
            RepairKind::BlankLine => "blank line skipped",
            RepairKind::CarriageReturnLineEnd => "bare carriage-return line end",
            RepairKind::HeaderRenamed => "empty or repeated header name renamed",
            RepairKind::QuoteSwallowedDelimiters => {
                "quote that swallowed delimiters read as a character"
            }
            RepairKind::RepeatedHeader => "repeated header row skipped",
            RepairKind::SecondTable => {
                "second table after a blank line not read (only the first is)"
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepairStat {
    pub count: u64,
    /// The first few line numbers (1-based) where it happened.
    pub lines: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repairs(pub BTreeMap<RepairKind, RepairStat>);

impl Repairs {
    fn add(&mut self, kind: RepairKind, line: u64) {
        let stat = self.0.entry(kind).or_default();
        stat.count += 1;
        if stat.lines.len() < EXAMPLE_LINES && stat.lines.last() != Some(&line) {
            stat.lines.push(line);
        }
    }

    /// Add the repairs of a later part of the file, whose lines start after `line_offset`.
    fn absorb(&mut self, later: Repairs, line_offset: u64) {
        for (kind, stat) in later.0 {
            let mine = self.0.entry(kind).or_default();
            mine.count += stat.count;
            let room = EXAMPLE_LINES.saturating_sub(mine.lines.len());
            mine.lines
                .extend(stat.lines.into_iter().take(room).map(|l| l + line_offset));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first malformed-row repair, for strict mode.
    pub fn first_malformed(&self) -> Option<(RepairKind, u64)> {
        self.0
            .iter()
            .filter(|(k, _)| k.is_malformed_row())
            .filter_map(|(k, s)| s.lines.first().map(|l| (*k, *l)))
            .min_by_key(|(_, l)| *l)
    }
}

/// What one pass over the file found.
#[derive(Debug)]
pub struct Inspection {
    pub headers: Vec<String>,
    pub types: Vec<ColType>,
    /// For each text column that also holds numbers: the first value that is not one.
    pub text_evidence: Vec<Option<TextEvidence>>,
    pub rows: u64,
    pub repairs: Repairs,
    /// Polars cannot read the file as it is; it must be rewritten first.
    pub needs_rewrite: bool,
    /// Literal quotes at these byte offsets (unterminated quotes, quotes that swallowed
    /// delimiters), for the rewrite pass.
    literal_quotes: Vec<u64>,
    /// Records skipped: repeated header rows (their lines).
    skipped: Vec<u64>,
    /// The line where a second table starts; nothing from it on is read.
    table_end: Option<u64>,
    /// Quotes that swallowed delimiters, to read again as characters: (offset, line).
    swallow_candidates: Vec<(u64, u64)>,
    /// The widths of the records on watched lines (where quotes were read again).
    watched: BTreeMap<u64, usize>,
    /// The width most rows have.
    usual_width: Option<usize>,
    /// The numeric columns asked for, in memory, when they fit the allowance.
    pub held: Option<Held>,
}

#[derive(Debug)]
pub enum CsvError {
    Io(std::io::Error),
    Empty,
    /// Strict mode: the first malformed row.
    Malformed {
        line: u64,
        kind: RepairKind,
        detail: String,
    },
    TooBroken(String),
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvError::Io(e) => write!(f, "{e}"),
            CsvError::Empty => write!(f, "the file is empty (no header row)"),
            CsvError::Malformed { line, detail, .. } => write!(f, "line {line}: {detail}"),
            CsvError::TooBroken(m) => write!(f, "{m}"),
        }
    }
}

impl From<std::io::Error> for CsvError {
    fn from(e: std::io::Error) -> Self {
        CsvError::Io(e)
    }
}

/// One record as the tokenizer hands it out.
struct Record<'a> {
    buf: &'a [u8],
    /// Field `i` is `buf[starts[i]..ends[i]]`.
    starts: &'a [usize],
    ends: &'a [usize],
    line: u64,
    /// Whether the single field of a one-field record was quoted (`""` is not a blank line).
    first_quoted: bool,
    /// Where the first quoted field holding a delimiter opened: the quote that may have
    /// swallowed delimiters, if the record comes out short.
    swallow: Option<u64>,
}

impl Record<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn field(&self, i: usize) -> &[u8] {
        &self.buf[self.starts[i]..self.ends[i]]
    }

    fn is_blank(&self) -> bool {
        self.ends.len() == 1 && self.ends[0] == 0 && !self.first_quoted
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    QuoteInQuoted,
    /// After a backslash in a quoted field (backslash escapes).
    EscapeInQuoted,
    AfterCr,
}

/// A streaming, lenient RFC 4180 tokenizer.
struct Tokenizer<'q> {
    delim: u8,
    quote: u8,
    backslash: bool,
    state: State,
    field: Vec<u8>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    line: u64,
    record_line: u64,
    first_quoted: bool,
    swallow: Option<u64>,
    /// The quoted field being read holds a delimiter.
    quoted_delim: bool,
    offset: u64,
    quote_offset: u64,
    literal_quotes: &'q [u64],
    special: [bool; 256],
    /// Use [`Tokenizer::simple_records`] where it applies (off only to test it against the
    /// state machine).
    fast_path: bool,
}

/// Where [`Tokenizer::simple_records`] is in a field that opened with a quote.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Open,
    ClosedAt(usize),
}

/// What the tokenizer noticed besides records.
enum Event {
    StrayQuote(u64),
    /// A quote read as a character: its line and offset.
    LiteralQuote(u64, u64),
    BareCr(u64),
}

impl<'q> Tokenizer<'q> {
    fn new(dialect: Dialect, literal_quotes: &'q [u64]) -> Self {
        let mut special = [false; 256];
        for b in special_bytes(dialect.delim, dialect.quote) {
            special[b as usize] = true;
        }
        Tokenizer {
            delim: dialect.delim,
            quote: dialect.quote,
            backslash: dialect.backslash,
            state: State::StartField,
            field: Vec::with_capacity(1024),
            starts: Vec::with_capacity(64),
            ends: Vec::with_capacity(64),
            line: 1,
            record_line: 1,
            first_quoted: false,
            swallow: None,
            quoted_delim: false,
            offset: 0,
            quote_offset: 0,
            literal_quotes,
            special,
            // The fast path knows no backslash escapes.
            fast_path: !dialect.backslash,
        }
    }

    fn end_field(&mut self) {
        self.starts.push(self.ends.last().copied().unwrap_or(0));
        self.ends.push(self.field.len());
    }

    fn emit(
        &mut self,
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        let rec = Record {
            buf: &self.field,
            starts: &self.starts,
            ends: &self.ends,
            line: self.record_line,
            first_quoted: self.first_quoted,
            swallow: self.swallow,
        };
        on_record(&rec)?;
        self.field.clear();
        self.starts.clear();
        self.ends.clear();
        self.first_quoted = false;
        self.swallow = None;
        self.record_line = self.line;
        Ok(())
    }

    /// Feed a chunk of bytes.
    fn feed(
        &mut self,
        chunk: &[u8],
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<(), CsvError> {
        let mut i = 0;
        let n = chunk.len();
        while i < n {
            if self.fast_path
                && self.state == State::StartField
                && self.ends.is_empty()
                && self.field.is_empty()
                && self.literal_quotes.is_empty()
            {
                // The record where the fast path stops needs the state machine.
                i = self.simple_records(chunk, i, on_record)?;
                if i == n {
                    break;
                }
            }
            let b = chunk[i];
            let abs = self.offset + i as u64;
            match self.state {
                State::Unquoted | State::StartField if !self.special[b as usize] => {
                    // Fast path: copy the run of ordinary bytes.
                    let start = i;
                    while i < n && !self.special[chunk[i] as usize] {
                        i += 1;
                    }
                    self.field.extend_from_slice(&chunk[start..i]);
                    self.state = State::Unquoted;
                    continue;
                }
                State::StartField => {
                    if b == self.quote {
                        if self.literal_quotes.binary_search(&abs).is_ok() {
                            on_event(Event::LiteralQuote(self.line, abs));
                            self.field.push(b);
                            self.state = State::Unquoted;
                        } else {
                            if self.ends.is_empty() {
                                self.first_quoted = true;
                            }
                            self.quote_offset = abs;
                            self.quoted_delim = false;
                            self.state = State::Quoted;
                        }
                    } else {
                        self.line_or_delim(b, on_record)?;
                    }
                }
                State::Unquoted => {
                    if b == self.quote {
                        on_event(Event::StrayQuote(self.line));
                        self.field.push(b);
                    } else {
                        self.line_or_delim(b, on_record)?;
                    }
                }
                State::Quoted => {
                    if b == self.quote {
                        self.state = State::QuoteInQuoted;
                    } else if b == b'\\' && self.backslash {
                        self.state = State::EscapeInQuoted;
                    } else {
                        if b == b'\n' {
                            self.line += 1;
                        } else if b == self.delim {
                            self.quoted_delim = true;
                        }
                        self.field.push(b);
                    }
                }
                State::EscapeInQuoted => {
                    if b == b'\n' {
                        self.line += 1;
                    }
                    self.field.push(b);
                    self.state = State::Quoted;
                }
                State::QuoteInQuoted => {
                    if b == self.quote && !self.backslash {
                        self.field.push(b);
                        self.state = State::Quoted;
                    } else if b == self.delim || b == b'\n' || b == b'\r' {
                        self.line_or_delim(b, on_record)?;
                    } else {
                        // The quote closed before the field's text ended: if the field held
                        // a delimiter, the quote may have swallowed it.
                        if self.quoted_delim && self.swallow.is_none() {
                            self.swallow = Some(self.quote_offset);
                        }
                        on_event(Event::StrayQuote(self.line));
                        self.field.push(self.quote);
                        self.field.push(b);
                        self.state = State::Unquoted;
                    }
                }
                State::AfterCr => {
                    self.state = State::StartField;
                    if b == b'\n' {
                        self.line += 1;
                        self.record_line = self.line;
                    } else {
                        on_event(Event::BareCr(self.line));
                        self.line += 1;
                        self.record_line = self.line;
                        continue; // reprocess b as the start of a field
                    }
                }
            }
            i += 1;
        }
        self.offset += n as u64;
        Ok(())
    }

    /// The fast path for common records: on one line, fields unquoted or quoted without
    /// escaped quotes or line breaks, ending in '\n' or "\r\n" inside this chunk. It finds the
    /// delimiters, quotes and line ends 64 bytes at a time ([`special_mask`]) and reads fields
    /// in place, without copying. Returns where the first record it did not read starts
    /// (`from` when it read none): that record needs the state machine, or ends beyond the
    /// chunk.
    fn simple_records(
        &mut self,
        chunk: &[u8],
        from: usize,
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    ) -> Result<usize, CsvError> {
        let mut record_start = from;
        let mut field_start = from;
        let mut first_quoted = false;
        let mut quote = Quote::None;
        let mut block = from;
        'blocks: while block < chunk.len() {
            let bytes = &chunk[block..chunk.len().min(block + 64)];
            let mut mask = special_mask(bytes, self.delim, self.quote);
            while mask != 0 {
                let at = block + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                // The '\n' of a "\r\n" that ended the last record.
                if at < record_start {
                    continue;
                }
                let b = chunk[at];
                if quote == Quote::Open {
                    if b == self.quote {
                        quote = Quote::ClosedAt(at);
                    } else if b == b'\n' || b == b'\r' {
                        break 'blocks; // a line break inside quotes
                    }
                    continue;
                }
                if b == self.quote {
                    if at != field_start || quote != Quote::None {
                        break 'blocks; // a stray or doubled quote
                    }
                    first_quoted |= self.ends.is_empty();
                    quote = Quote::Open;
                    continue;
                }
                // A delimiter or a line end closes the field.
                let (start, end) = match quote {
                    Quote::ClosedAt(close) if at == close + 1 => (field_start + 1, close),
                    Quote::ClosedAt(_) => break 'blocks, // text after the closing quote
                    _ => (field_start, at),
                };
                let next = if b == self.delim {
                    None
                } else if b == b'\n' {
                    Some(at + 1)
                } else if chunk.get(at + 1) == Some(&b'\n') {
                    Some(at + 2)
                } else {
                    break 'blocks; // a bare '\r', or one ending the chunk
                };
                self.starts.push(start - record_start);
                self.ends.push(end - record_start);
                (field_start, quote) = (at + 1, Quote::None);
                if let Some(next) = next {
                    self.emit_in_place(&chunk[record_start..at], first_quoted, on_record)?;
                    (record_start, field_start, first_quoted) = (next, next, false);
                }
            }
            block += 64;
        }
        self.starts.clear();
        self.ends.clear();
        Ok(record_start)
    }

    /// Hand out a record [`Tokenizer::simple_records`] read in place.
    fn emit_in_place(
        &mut self,
        line: &[u8],
        first_quoted: bool,
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        let rec = Record {
            buf: line,
            starts: &self.starts,
            ends: &self.ends,
            line: self.record_line,
            first_quoted,
            swallow: None,
        };
        on_record(&rec)?;
        self.starts.clear();
        self.ends.clear();
        self.line += 1;
        self.record_line = self.line;
        Ok(())
    }

    /// `b` is a delimiter or a line end (outside quotes), or an ordinary byte.
    fn line_or_delim(
        &mut self,
        b: u8,
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        if b == self.delim {
            self.end_field();
            self.state = State::StartField;
        } else if b == b'\n' {
            self.end_field();
            self.line += 1;
            self.emit(on_record)?;
            self.state = State::StartField;
        } else if b == b'\r' {
            self.end_field();
            // The record ends here; AfterCr decides whether a '\n' follows.
            self.emit(on_record)?;
            self.state = State::AfterCr;
        } else {
            self.field.push(b);
            self.state = State::Unquoted;
        }
        Ok(())
    }

    /// End of input: the last record (no final newline), or an unterminated quote.
    fn finish(
        &mut self,
        on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<Option<u64>, CsvError> {
        match self.state {
            State::Quoted | State::EscapeInQuoted => Ok(Some(self.quote_offset)),
            State::StartField if self.field.is_empty() && self.ends.is_empty() => Ok(None),
            State::AfterCr => {
                on_event(Event::BareCr(self.line));
                Ok(None)
            }
            _ => {
                self.end_field();
                self.emit(on_record)?;
                Ok(None)
            }
        }
    }
}

/// The bytes that end or open a field's plain run: the delimiter, the quote and line ends.
fn special_bytes(delim: u8, quote: u8) -> [u8; 4] {
    [delim, quote, b'\n', b'\r']
}

/// Bit `i` set where `block[i]` (at most 64 bytes) is one of the [`special_bytes`].
fn special_mask(block: &[u8], delim: u8, quote: u8) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Ok(block) = <&[u8; 64]>::try_from(block) {
        return special_mask_sse2(block, special_bytes(delim, quote));
    }
    special_mask_bytewise(block, delim, quote)
}

fn special_mask_bytewise(block: &[u8], delim: u8, quote: u8) -> u64 {
    let special = special_bytes(delim, quote);
    block.iter().enumerate().fold(0, |mask, (i, b)| {
        mask | (u64::from(special.contains(b)) << i)
    })
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn special_mask_sse2(block: &[u8; 64], needles: [u8; 4]) -> u64 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is enabled (the cfg); the four unaligned 16-byte loads stay inside the
    // 64-byte block.
    unsafe {
        let [a, b, c, d] = needles.map(|n| _mm_set1_epi8(n as i8));
        let mut mask = 0u64;
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                _mm_or_si128(_mm_cmpeq_epi8(v, c), _mm_cmpeq_epi8(v, d)),
            );
            mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        }
        mask
    }
}

/// Where the CSV bytes come from: a file, or (for a peek at its first rows) memory.
#[derive(Clone, Copy)]
enum Source<'a> {
    File(&'a Path),
    Bytes(&'a [u8]),
}

impl<'a> Source<'a> {
    /// A reader positioned at byte `start`.
    fn open_at(self, start: u64) -> Result<Box<dyn Read + 'a>, CsvError> {
        Ok(match self {
            Source::File(path) => {
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(start))?;
                Box::new(file)
            }
            Source::Bytes(bytes) => Box::new(bytes.get(start as usize..).unwrap_or_default()),
        })
    }
}

/// Run the tokenizer over a source once. Returns the offset of an unterminated quote, if the
/// input ends inside one (the caller then retries with that quote read as a literal).
fn tokenize_once(
    source: Source,
    dialect: Dialect,
    literal_quotes: &[u64],
    on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Option<u64>, CsvError> {
    match tokenize_range(
        source,
        dialect,
        literal_quotes,
        0,
        None,
        on_record,
        on_event,
    )? {
        RangeEnd::Finished { unterminated } => Ok(unterminated),
        RangeEnd::Boundary { .. } => Ok(None),
    }
}

/// How a tokenized byte range ended.
enum RangeEnd {
    /// The range ran to the end of the file.
    Finished { unterminated: Option<u64> },
    /// The range stopped at `end`; `clean` when that is a record boundary (outside quotes),
    /// having consumed `lines` line ends.
    Boundary { clean: bool, lines: u64 },
}

/// Tokenize bytes `start..end` of a source (`end: None` = to its end). From the start of the
/// source, the dialect's preamble lines are skipped (line numbers still count them).
fn tokenize_range(
    source: Source,
    dialect: Dialect,
    literal_quotes: &[u64],
    start: u64,
    end: Option<u64>,
    on_record: &mut dyn FnMut(&Record) -> Result<(), CsvError>,
    on_event: &mut dyn FnMut(Event),
) -> Result<RangeEnd, CsvError> {
    let mut tok = Tokenizer::new(dialect, literal_quotes);
    let mut start = start;
    let mut first = start == 0;
    if first && dialect.skip_lines > 0 {
        let Some(after) = offset_after_lines(source, dialect.skip_lines)? else {
            return Err(CsvError::Empty);
        };
        start = after;
        first = false;
        tok.line = dialect.skip_lines + 1;
        tok.record_line = tok.line;
    }
    let length = end.map_or(u64::MAX, |e| e.saturating_sub(start));
    let mut reader = source.open_at(start)?.take(length);
    tok.offset = start;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut chunk = &buf[..n];
        if first {
            first = false;
            if chunk.starts_with(b"\xef\xbb\xbf") {
                chunk = &chunk[3..];
                tok.offset += 3;
            }
        }
        tok.feed(chunk, on_record, on_event)?;
    }
    if end.is_some() {
        let clean = tok.state == State::StartField && tok.field.is_empty() && tok.ends.is_empty();
        // Lines are counted from the start of the source (a skipped preamble included).
        return Ok(RangeEnd::Boundary {
            clean,
            lines: tok.line - 1,
        });
    }
    Ok(RangeEnd::Finished {
        unterminated: tok.finish(on_record, on_event)?,
    })
}

/// The byte offset just after the first `lines` line ends (the preamble), None when the
/// source has fewer lines.
fn offset_after_lines(source: Source, lines: u64) -> Result<Option<u64>, CsvError> {
    let mut reader = source.open_at(0)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut pos, mut seen) = (0u64, 0u64);
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        for i in memchr::memchr_iter(b'\n', &buf[..n]) {
            seen += 1;
            if seen == lines {
                return Ok(Some(pos + i as u64 + 1));
            }
        }
        pos += n as u64;
    }
}

/// Classify one field for type inference.
pub(crate) fn classify(v: &[u8]) -> ColType {
    if v.is_empty() {
        return ColType::Empty;
    }
    if v.eq_ignore_ascii_case(b"true") || v.eq_ignore_ascii_case(b"false") {
        return ColType::Boolean;
    }
    let digits = if v[0] == b'-' { &v[1..] } else { v };
    let int_end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if int_end == 0
        || (int_end > 1 && digits[0] == b'0')
        || (v[0] == b'-' && int_end == 1 && digits[0] == b'0' && digits.len() == 1)
    {
        return ColType::Text;
    }
    if int_end == digits.len() {
        // Up to 18 digits always fit in i64; 19 may; more never do.
        let fits = int_end <= 18
            || (int_end == 19
                && std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                    .is_some());
        return if fits {
            ColType::Integer
        } else {
            ColType::Text
        };
    }
    // Decimal fraction and/or exponent.
    let mut rest = &digits[int_end..];
    let mut significant = int_end;
    if rest[0] == b'.' {
        let frac = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if frac == 0 {
            return ColType::Text;
        }
        significant += frac;
        rest = &rest[1 + frac..];
    }
    if !rest.is_empty() {
        if rest[0] != b'e' && rest[0] != b'E' {
            return ColType::Text;
        }
        let mut exp = &rest[1..];
        if exp.first().is_some_and(|b| *b == b'+' || *b == b'-') {
            exp = &exp[1..];
        }
        if exp.is_empty() || exp.len() > 3 || !exp.iter().all(u8::is_ascii_digit) {
            return ColType::Text;
        }
    }
    if significant > 17 {
        return ColType::Text; // would not survive a round trip through f64
    }
    ColType::Float
}

/// The offending value, shortened for a message.
fn evidence(v: &[u8], line: u64, latin1: bool) -> TextEvidence {
    const MAX_CHARS: usize = 40;
    let text = decode(v, latin1).0;
    let value = match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    };
    TextEvidence { line, value }
}

fn decode(bytes: &[u8], latin1: bool) -> (String, bool) {
    if !latin1 && let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), false);
    }
    (bytes.iter().map(|&b| b as char).collect(), !latin1)
}

/// Whether a record reads like a header: two or more fields, all text, none empty, none
/// repeated.
fn looks_like_header(rec: &Record) -> bool {
    let fields: Vec<&[u8]> = (0..rec.len()).map(|i| rec.field(i)).collect();
    let text = |f: &&[u8]| !f.is_empty() && classify(f) == ColType::Text;
    let distinct = fields
        .iter()
        .enumerate()
        .all(|(i, f)| !fields[..i].contains(f));
    fields.len() >= 2 && fields.iter().all(text) && distinct
}

/// Header names: empty ones become `Column_<n>`, repeated ones get `_2`, `_3`, …
fn unique_headers(raw: Vec<String>, line: u64, repairs: &mut Repairs) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let mut name = if name.is_empty() {
            repairs.add(RepairKind::HeaderRenamed, line);
            format!("Column_{}", i + 1)
        } else {
            name
        };
        if out.contains(&name) {
            repairs.add(RepairKind::HeaderRenamed, line);
            let base = name.clone();
            let mut k = 2;
            while out.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
        }
        out.push(name);
    }
    out
}

/// One pass over the file: headers, types, row count and repairs. Large files are read by
/// several threads, each taking a range that starts after a line end; if a range turns out to
/// start inside a quoted field, the file is read again in one pass. (An unterminated quote
/// costs one more pass, with that quote read as a literal character.)
///
/// The numeric columns `hold` asks for are kept in memory while they fit ([`Held`]).
pub fn inspect(path: &Path, opts: &CsvOptions, hold: &HoldRequest) -> Result<Inspection, CsvError> {
    if let Some(inspection) = inspect_parallel(path, opts, hold)?
        && inspection.swallow_candidates.is_empty()
    {
        return Ok(inspection);
    }
    // Quotes that swallowed delimiters are read again, as characters, in one pass (what the
    // parallel read held is gone by then).
    inspect_sequential(Source::File(path), opts, hold)
}

/// One thread reads the whole source; each unterminated quote costs a retry with that quote
/// read as a literal.
fn inspect_sequential(
    source: Source,
    opts: &CsvOptions,
    hold: &HoldRequest,
) -> Result<Inspection, CsvError> {
    let mut literal_quotes = Vec::new();
    // Quotes that swallowed delimiters, read again as characters: (offset, line), sorted.
    let mut swallowing: Vec<(u64, u64)> = Vec::new();
    let mut round = SwallowRound::Looking;
    for _ in 0..MAX_QUOTE_RETRIES {
        let inspection = match inspect_with(source, opts, &literal_quotes, &swallowing, hold)? {
            Ok(inspection) => inspection,
            Err(offset) => {
                literal_quotes.push(offset);
                literal_quotes.sort_unstable();
                continue;
            }
        };
        match round {
            SwallowRound::Looking if !inspection.swallow_candidates.is_empty() => {
                swallowing = inspection.swallow_candidates.clone();
                swallowing.sort_unstable();
                literal_quotes.extend(swallowing.iter().map(|(o, _)| *o));
                literal_quotes.sort_unstable();
                literal_quotes.dedup();
                round = SwallowRound::Checking {
                    rows: inspection.rows,
                };
            }
            SwallowRound::Checking { rows } => {
                // Keep a re-read only where it gave its row the usual width, and only if no
                // row was split in two.
                let width = inspection.usual_width.unwrap_or(inspection.headers.len());
                let good: Vec<(u64, u64)> = if inspection.rows == rows {
                    swallowing
                        .iter()
                        .filter(|(_, line)| inspection.watched.get(line) == Some(&width))
                        .copied()
                        .collect()
                } else {
                    Vec::new()
                };
                if good.len() == swallowing.len() {
                    return Ok(inspection);
                }
                literal_quotes.retain(|q| {
                    good.iter().any(|(o, _)| o == q) || !swallowing.iter().any(|(o, _)| o == q)
                });
                swallowing = good;
                round = SwallowRound::Done;
            }
            _ => return Ok(inspection),
        }
    }
    Err(CsvError::TooBroken(format!(
        "more than {MAX_QUOTE_RETRIES} unterminated quotes; is the delimiter right?"
    )))
}

/// Where the re-reading of quotes that swallowed delimiters stands.
#[derive(Clone, Copy)]
enum SwallowRound {
    /// No re-read yet: the candidates come from this pass.
    Looking,
    /// The candidates are read as characters; this pass checks each gave its row the usual
    /// width (`rows`: the rows before the re-read).
    Checking { rows: u64 },
    /// The re-reads that did not help are undone.
    Done,
}

/// Why a column that holds numbers was read as text: the first value that is not a number,
/// and its line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextEvidence {
    pub line: u64,
    pub value: String,
}

/// How many values of a column already typed text are still classified, to learn whether it
/// holds numbers too (when its first value was the odd one out).
const NUMBER_PROBES: u32 = 100;

/// What the values of one column showed.
#[derive(Debug, Clone)]
struct ColumnFindings {
    ty: ColType,
    /// How many values were numbers, and how many were not (the latter counted only until
    /// NUMBER_PROBES values after the column became text).
    numbers: u64,
    others: u64,
    /// Classifications left after the column became text.
    probes: u32,
    /// The first value that is not a number (a column with one is text, unless all its
    /// values are booleans).
    first_other: Option<TextEvidence>,
}

impl Default for ColumnFindings {
    fn default() -> Self {
        ColumnFindings {
            ty: ColType::Empty,
            numbers: 0,
            others: 0,
            probes: NUMBER_PROBES,
            first_other: None,
        }
    }
}

impl ColumnFindings {
    fn take(&mut self, v: &[u8], line: u64, latin1: bool) {
        if v.is_empty() {
            return;
        }
        // The common case first: another plain integer in an integer (or float) column.
        if matches!(self.ty, ColType::Integer | ColType::Float) && plain_int(v).is_some() {
            self.numbers += 1;
            return;
        }
        if self.ty != ColType::Text {
            let c = classify(v);
            self.count(c, v, line, latin1);
            self.ty = self.ty.merge(c);
        } else if self.probes > 0 {
            self.probes -= 1;
            self.count(classify(v), v, line, latin1);
        }
    }

    fn count(&mut self, c: ColType, v: &[u8], line: u64, latin1: bool) {
        match c {
            ColType::Integer | ColType::Float => self.numbers += 1,
            ColType::Empty => {}
            ColType::Boolean | ColType::Text => {
                self.others += 1;
                if self.first_other.is_none() {
                    self.first_other = Some(evidence(v, line, latin1));
                }
            }
        }
    }

    /// Append the next range's findings (its lines start after `line_offset`).
    fn merge(&mut self, next: ColumnFindings, line_offset: u64) {
        self.ty = self.ty.merge(next.ty);
        self.numbers += next.numbers;
        self.others += next.others;
        if self.first_other.is_none() {
            self.first_other = next.first_other.map(|f| TextEvidence {
                line: f.line + line_offset,
                ..f
            });
        }
    }

    /// The evidence, for a text column mostly made of numbers. The majority is taken over
    /// the values classified: all of them until the column turned text, then NUMBER_PROBES
    /// more (per range, when ranges are read in parallel: a borderline column may then count
    /// differently than one sequential read would).
    fn evidence(self) -> Option<TextEvidence> {
        self.first_other
            .filter(|_| self.ty == ColType::Text && self.numbers > self.others)
    }
}

/// What `classify` calls an integer, in its most common form, and its value: up to 18 digits
/// (so it always fits in i64) without a leading zero, optionally negative (but not "-0").
/// The inspection's shortcut, and how held columns read integers (`held`).
pub(super) fn plain_int(v: &[u8]) -> Option<i64> {
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

/// What the rows of one range of the file showed. Ranges merge in file order.
#[derive(Debug, Default)]
struct Findings {
    headers: Option<Vec<String>>,
    /// The header row's fields as written (to recognise it repeated).
    raw_header: Option<Vec<Vec<u8>>>,
    columns: Vec<ColumnFindings>,
    rows: u64,
    repairs: Repairs,
    needs_rewrite: bool,
    /// Quotes that may have swallowed delimiters: (offset, line, the record's width), and the
    /// header's own, compared with the usual width of the rows at the end.
    swallows: Vec<(u64, u64, usize)>,
    header_swallow: Option<(u64, u64, usize)>,
    /// How many rows had each width other than the header's (only those are counted, off
    /// the hot path of rows that fit).
    other_widths: BTreeMap<usize, u64>,
    after_blank: bool,
    skipped: Vec<u64>,
    table_end: Option<u64>,
    /// Lines whose record widths are kept (where quotes were read again), and the widths.
    watch: Vec<u64>,
    watched: BTreeMap<u64, usize>,
    /// Numeric columns kept in memory, while they fit.
    held: Option<Held>,
}

impl Findings {
    fn new(width: Option<usize>) -> Self {
        let mut f = Findings::default();
        f.set_width(width.unwrap_or(0));
        f
    }

    fn set_width(&mut self, width: usize) {
        self.columns = vec![ColumnFindings::default(); width];
    }

    /// Take one record. `expected` is the header width when this range has no header.
    fn record(
        &mut self,
        rec: &Record,
        opts: &CsvOptions,
        expected: Option<usize>,
    ) -> Result<(), CsvError> {
        let latin1 = opts.encoding == Encoding::Latin1;
        if self.table_end.is_some() {
            return Ok(());
        }
        if rec.is_blank() {
            self.repair(RepairKind::BlankLine, rec.line);
            self.after_blank = true;
            return Ok(());
        }
        let after_blank = std::mem::take(&mut self.after_blank);
        if self.watch.binary_search(&rec.line).is_ok() {
            self.watched.insert(rec.line, rec.len());
        }
        let expected = match (expected, &self.headers) {
            (Some(e), _) => e,
            (None, Some(h)) => h.len(),
            (None, None) => {
                self.header(rec, opts, latin1);
                if opts.header {
                    if let Some(offset) = rec.swallow {
                        self.header_swallow = Some((offset, rec.line, rec.len()));
                    }
                    return Ok(());
                }
                rec.len()
            }
        };
        if !opts.strict {
            if self.is_header_again(rec) {
                self.repair(RepairKind::RepeatedHeader, rec.line);
                self.skipped.push(rec.line);
                return Ok(());
            }
            if after_blank && rec.len() != expected && looks_like_header(rec) {
                self.repair(RepairKind::SecondTable, rec.line);
                self.table_end = Some(rec.line);
                return Ok(());
            }
        }
        if rec.len() != expected {
            *self.other_widths.entry(rec.len()).or_default() += 1;
            if rec.len() < expected
                && let Some(offset) = rec.swallow
            {
                self.swallows.push((offset, rec.line, rec.len()));
            }
            let kind = if rec.len() < expected {
                RepairKind::ShortRowPadded
            } else {
                RepairKind::LongRowTruncated
            };
            self.repair(kind, rec.line);
            if opts.strict {
                return Err(CsvError::Malformed {
                    line: rec.line,
                    kind,
                    detail: format!(
                        "row has {} fields, the header has {expected} (strict dataset)",
                        rec.len()
                    ),
                });
            }
        }
        self.rows += 1;
        // One check for the whole record in the common all-ASCII case.
        let check_text = !latin1 && !rec.buf.is_ascii();
        for (i, column) in self.columns.iter_mut().enumerate().take(rec.len()) {
            let v = rec.field(i);
            if check_text && !v.is_ascii() && std::str::from_utf8(v).is_err() {
                self.repairs.add(RepairKind::InvalidUtf8, rec.line);
                self.needs_rewrite = true;
            }
            column.take(v, rec.line, latin1);
        }
        if let Some(held) = &mut self.held
            && !held.push_row(|i| (i < rec.len()).then(|| rec.field(i)))
        {
            self.held = None;
        }
        Ok(())
    }

    /// Whether `rec` is the header row again, field for field.
    fn is_header_again(&self, rec: &Record) -> bool {
        self.raw_header.as_ref().is_some_and(|h| {
            h.len() == rec.len() && h.iter().enumerate().all(|(i, f)| f == rec.field(i))
        })
    }

    fn header(&mut self, rec: &Record, opts: &CsvOptions, latin1: bool) {
        if opts.header {
            self.raw_header = Some((0..rec.len()).map(|i| rec.field(i).to_vec()).collect());
        }
        let raw: Vec<String> = (0..rec.len())
            .map(|i| {
                let (t, bad) = decode(rec.field(i), latin1);
                if bad {
                    self.repair(RepairKind::InvalidUtf8, rec.line);
                }
                t
            })
            .collect();
        let names = if opts.header {
            let before = self.repairs.0.len();
            let n = unique_headers(raw, rec.line, &mut self.repairs);
            self.needs_rewrite |= self.repairs.0.len() > before;
            n
        } else {
            (1..=rec.len()).map(|i| format!("Column_{i}")).collect()
        };
        self.set_width(names.len());
        self.headers = Some(names);
    }

    fn repair(&mut self, kind: RepairKind, line: u64) {
        self.repairs.add(kind, line);
        self.needs_rewrite = true;
    }

    /// Count what the tokenizer noticed; `swallowing` holds the quotes read as characters
    /// because they swallowed delimiters (the other literal quotes never closed).
    fn event(&mut self, e: Event, swallowing: &[u64]) {
        let (kind, line) = match e {
            Event::StrayQuote(l) => (RepairKind::StrayQuote, l),
            Event::LiteralQuote(l, offset) if swallowing.binary_search(&offset).is_ok() => {
                (RepairKind::QuoteSwallowedDelimiters, l)
            }
            Event::LiteralQuote(l, _) => (RepairKind::UnterminatedQuote, l),
            Event::BareCr(l) => (RepairKind::CarriageReturnLineEnd, l),
        };
        self.repair(kind, line);
    }

    /// The quotes worth reading as characters: each opened a field that swallowed
    /// delimiters in a record that came out short, while the rows usually have the header's
    /// width (the header's own quote when the header came out shorter than the rows).
    fn swallowing_quotes(&self) -> Vec<(u64, u64)> {
        let usual = self.usual_width();
        let width = self.headers.as_ref().map_or(0, Vec::len);
        let mut quotes: Vec<(u64, u64)> = Vec::new();
        if usual == Some(width) {
            quotes.extend(self.swallows.iter().map(|(o, l, _)| (*o, *l)));
        }
        if let (Some((offset, line, header_width)), Some(usual)) = (self.header_swallow, usual)
            && header_width < usual
        {
            quotes.push((offset, line));
        }
        quotes
    }

    /// The width most rows have (None before any row).
    fn usual_width(&self) -> Option<usize> {
        let fitting = self.rows - self.other_widths.values().sum::<u64>();
        match self.other_widths.iter().max_by_key(|(_, n)| **n) {
            Some((w, n)) if *n > fitting => Some(*w),
            _ => (self.rows > 0).then(|| self.headers.as_ref().map_or(0, Vec::len)),
        }
    }

    /// Append the findings of the next range, whose lines start after `line_offset`.
    fn merge(&mut self, next: Findings, line_offset: u64) {
        self.rows += next.rows;
        self.needs_rewrite |= next.needs_rewrite;
        self.swallows.extend(
            next.swallows
                .into_iter()
                .map(|(o, l, w)| (o, l + line_offset, w)),
        );
        for (w, n) in next.other_widths {
            *self.other_widths.entry(w).or_default() += n;
        }
        self.skipped
            .extend(next.skipped.into_iter().map(|l| l + line_offset));
        for (c, d) in self.columns.iter_mut().zip(next.columns) {
            c.merge(d, line_offset);
        }
        self.repairs.absorb(next.repairs, line_offset);
        self.held = match (self.held.take(), next.held) {
            (Some(mut all), Some(more)) => {
                all.merge(more);
                Some(all)
            }
            _ => None,
        };
    }

    fn finish(self, opts: &CsvOptions, literal_quotes: &[u64]) -> Result<Inspection, CsvError> {
        let swallow_candidates: Vec<(u64, u64)> = if opts.strict {
            Vec::new()
        } else {
            self.swallowing_quotes()
                .into_iter()
                .filter(|(q, _)| literal_quotes.binary_search(q).is_err())
                .collect()
        };
        let usual_width = self.usual_width();
        if opts.strict
            && let Some((kind, line)) = self.repairs.first_malformed()
        {
            return Err(CsvError::Malformed {
                line,
                kind,
                detail: format!("{} (strict dataset)", kind.describe()),
            });
        }
        let headers = self.headers.ok_or(CsvError::Empty)?;
        let held = self.held.and_then(Held::finish);
        Ok(Inspection {
            headers,
            types: self.columns.iter().map(|c| c.ty).collect(),
            text_evidence: self.columns.into_iter().map(|c| c.evidence()).collect(),
            rows: self.rows,
            repairs: self.repairs,
            needs_rewrite: self.needs_rewrite
                || opts.encoding == Encoding::Latin1
                || !opts.polars_readable(),
            literal_quotes: literal_quotes.to_vec(),
            swallow_candidates,
            watched: self.watched,
            usual_width,
            skipped: self.skipped,
            table_end: self.table_end,
            held,
        })
    }
}

/// One pass with a given set of literal quotes; `Ok(Err(offset))` when the file ends inside a
/// quote that opened at `offset`.
fn inspect_with(
    source: Source,
    opts: &CsvOptions,
    literal_quotes: &[u64],
    swallowing: &[(u64, u64)],
    hold: &HoldRequest,
) -> Result<Result<Inspection, u64>, CsvError> {
    let mut found = Findings::new(None);
    found.held = Held::new(&hold.columns, &Allowance::new(hold.limit));
    found.watch = swallowing.iter().map(|(_, line)| *line).collect();
    found.watch.sort_unstable();
    let offsets: Vec<u64> = swallowing.iter().map(|(o, _)| *o).collect();
    let mut events = Vec::new();
    let unterminated = tokenize_once(
        source,
        opts.dialect(),
        literal_quotes,
        &mut |rec: &Record| found.record(rec, opts, None),
        &mut |e| events.push(e),
    )?;
    if let Some(offset) = unterminated {
        return Ok(Err(offset));
    }
    for e in events {
        found.event(e, &offsets);
    }
    found.finish(opts, literal_quotes).map(Ok)
}

/// Files smaller than this are read by one thread.
const PARALLEL_MIN_BYTES: u64 = 32 << 20;

/// Read a large file in parallel ranges. `None` when it cannot be done safely (a range
/// started inside a quoted field, or a quote never closes): the caller reads sequentially.
fn inspect_parallel(
    path: &Path,
    opts: &CsvOptions,
    hold: &HoldRequest,
) -> Result<Option<Inspection>, CsvError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as u64;
    inspect_in_ranges(path, opts, threads, PARALLEL_MIN_BYTES, hold)
}

fn inspect_in_ranges(
    path: &Path,
    opts: &CsvOptions,
    threads: u64,
    min_bytes: u64,
    hold: &HoldRequest,
) -> Result<Option<Inspection>, CsvError> {
    let size = std::fs::metadata(path)?.len();
    if size < min_bytes || threads < 2 {
        return Ok(None);
    }
    let Some((width, raw_header)) = first_record(path, opts)? else {
        return Ok(None);
    };
    // The first range starts after the preamble.
    let data_start = match opts.skip_rows {
        0 => 0,
        n => match offset_after_lines(Source::File(path), n)? {
            Some(o) => o,
            None => return Ok(None),
        },
    };
    let mut bounds = vec![0u64];
    for i in 1..threads {
        if let Some(b) = next_line_start(path, size * i / threads)?
            && b > *bounds.last().unwrap_or(&0)
            && b > data_start
            && b < size
        {
            // A range must not start right after a blank line: it would not know that a
            // second table may start there.
            if follows_blank_line(path, b)? {
                return Ok(None);
            }
            bounds.push(b);
        }
    }
    bounds.push(size);
    let allowance = Allowance::new(hold.limit);
    let results: Vec<Result<RangeResult, CsvError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let (start, end) = (w[0], w[1]);
                let last = end == size;
                let raw_header = &raw_header;
                let allowance = &allowance;
                scope.spawn(move || {
                    let expected = (i > 0).then_some(width);
                    let mut found = Findings::new(expected);
                    found.held = Held::new(&hold.columns, allowance);
                    if i > 0 && opts.header {
                        found.raw_header = Some(raw_header.clone());
                    }
                    let mut events = Vec::new();
                    let ended = tokenize_range(
                        Source::File(path),
                        opts.dialect(),
                        &[],
                        start,
                        (!last).then_some(end),
                        &mut |rec: &Record| found.record(rec, opts, expected),
                        &mut |e| events.push(e),
                    )?;
                    Ok((found, events, ended))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(CsvError::TooBroken("a reader thread failed".into())))
            })
            .collect()
    });
    let mut merged: Option<Findings> = None;
    let mut line_offset = 0u64;
    for result in results {
        let (mut found, events, ended) = match result {
            Ok(r) => r,
            Err(CsvError::Malformed { line, kind, detail }) => {
                return Err(CsvError::Malformed {
                    line: line + line_offset,
                    kind,
                    detail,
                });
            }
            Err(e) => return Err(e),
        };
        for e in events {
            found.event(e, &[]);
        }
        if found.table_end.is_some() {
            return Ok(None);
        }
        let lines = match ended {
            RangeEnd::Boundary { clean: false, .. } => return Ok(None),
            RangeEnd::Finished {
                unterminated: Some(_),
            } => return Ok(None),
            RangeEnd::Boundary { lines, .. } => lines,
            RangeEnd::Finished { .. } => 0,
        };
        match merged.as_mut() {
            None => merged = Some(found),
            Some(m) => m.merge(found, line_offset),
        }
        line_offset += lines;
    }
    match merged {
        Some(m) => m.finish(opts, &[]).map(Some),
        None => Ok(None),
    }
}

/// What one range of a parallel read found.
type RangeResult = (Findings, Vec<Event>, RangeEnd);

/// The header's width and its fields as written.
type FirstRecord = (usize, Vec<Vec<u8>>);

/// The first non-blank record (the header), read from the start: its width and fields.
fn first_record(path: &Path, opts: &CsvOptions) -> Result<Option<FirstRecord>, CsvError> {
    let mut first = None;
    let result = tokenize_range(
        Source::File(path),
        opts.dialect(),
        &[],
        0,
        Some(opts.skip_rows.saturating_mul(4096) + (1 << 20)),
        &mut |rec: &Record| {
            if rec.is_blank() {
                return Ok(());
            }
            first = Some((
                rec.len(),
                (0..rec.len()).map(|i| rec.field(i).to_vec()).collect(),
            ));
            Err(CsvError::TooBroken(String::new()))
        },
        &mut |_| {},
    );
    match result {
        Ok(_) | Err(CsvError::TooBroken(_)) => Ok(first),
        Err(e) => Err(e),
    }
}

/// Whether the line before `at` (a line start) is blank.
fn follows_blank_line(path: &Path, at: u64) -> Result<bool, CsvError> {
    if at < 2 {
        return Ok(false);
    }
    let start = at.saturating_sub(3);
    let mut before = Vec::new();
    Source::File(path)
        .open_at(start)?
        .take(at - start)
        .read_to_end(&mut before)?;
    Ok(before.ends_with(b"\n\n") || before.ends_with(b"\n\r\n"))
}

/// How far a range boundary may move to reach a line end; lines longer than this (or files
/// without '\n' line ends) are read by one thread.
const MAX_LINE_SEARCH: u64 = 1 << 20;

/// The offset just after the first line end at or after `from`, if one is near.
fn next_line_start(path: &Path, from: u64) -> Result<Option<u64>, CsvError> {
    let mut near = Source::File(path).open_at(from)?.take(MAX_LINE_SEARCH);
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = from;
    loop {
        let n = near.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(pos + i as u64 + 1));
        }
        pos += n as u64;
    }
}

/// Write the normalised copy of a file that needs repairs: UTF-8, LF line ends, the header
/// row, and every row with exactly the header's number of fields.
pub fn rewrite(
    path: &Path,
    opts: &CsvOptions,
    inspection: &Inspection,
    out: &Path,
) -> Result<(), CsvError> {
    let latin1 = opts.encoding == Encoding::Latin1;
    let file = File::create(out)?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b',')
        .from_writer(BufWriter::with_capacity(1 << 20, file));
    let width = inspection.headers.len();
    w.write_record(&inspection.headers).map_err(csv_err)?;
    let mut seen_header = !opts.header;
    let mut row: Vec<String> = Vec::with_capacity(width);
    let unterminated = tokenize_once(
        Source::File(path),
        opts.dialect(),
        &inspection.literal_quotes,
        &mut |rec: &Record| {
            if rec.is_blank()
                || inspection.table_end.is_some_and(|end| rec.line >= end)
                || inspection.skipped.binary_search(&rec.line).is_ok()
            {
                return Ok(());
            }
            if !seen_header {
                seen_header = true;
                return Ok(());
            }
            row.clear();
            for i in 0..width {
                if i < rec.len() {
                    row.push(decode(rec.field(i), latin1).0);
                } else {
                    row.push(String::new());
                }
            }
            w.write_record(&row).map_err(csv_err)
        },
        &mut |_| {},
    )?;
    if unterminated.is_some() {
        return Err(CsvError::TooBroken(
            "the file changed while it was read".into(),
        ));
    }
    w.flush()?;
    Ok(())
}

fn csv_err(e: csv::Error) -> CsvError {
    CsvError::Io(std::io::Error::other(e.to_string()))
}

/// Headers and types from the first `limit` rows only, for `validate` (which must not read
/// the data). Types may widen once the whole file is read.
pub fn peek_schema(path: &Path, opts: &CsvOptions, limit: u64) -> Result<Inspection, CsvError> {
    let mut file = File::open(path)?;
    let mut head = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut newlines = 0u64;
    let mut cut = None;
    while cut.is_none() {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let base = head.len();
        head.extend_from_slice(&buf[..n]);
        cut = memchr::memchr_iter(b'\n', &buf[..n])
            .find(|_| {
                newlines += 1;
                newlines > limit + opts.skip_rows
            })
            .map(|i| base + i + 1);
    }
    let head = &head[..cut.unwrap_or(head.len())];
    let lenient = CsvOptions {
        strict: false,
        ..opts.clone()
    };
    inspect_sequential(Source::Bytes(head), &lenient, &HoldRequest::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect_text(text: &[u8], opts: &CsvOptions) -> Result<Inspection, CsvError> {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        inspect(f.path(), opts, &HoldRequest::default())
    }

    fn repaired(text: &[u8]) -> (Inspection, String) {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        let opts = CsvOptions::default();
        let ins = inspect(f.path(), &opts, &HoldRequest::default()).unwrap();
        let out = tempfile::NamedTempFile::new().unwrap();
        rewrite(f.path(), &opts, &ins, out.path()).unwrap();
        (ins, std::fs::read_to_string(out.path()).unwrap())
    }

    /// With a preamble and a header repeated in a later range, the parallel reader agrees with
    /// one pass and the rewrite skips the same rows.
    #[test]
    fn parallel_ranges_agree_with_a_preamble_and_repeated_headers() {
        let mut text = String::from("Monthly export\n# generated\nid,name\n");
        for i in 0..300 {
            text.push_str(&format!("{i},name{i}\n"));
            if i == 200 {
                text.push_str("id,name\n");
            }
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = CsvOptions {
            skip_rows: 2,
            ..CsvOptions::default()
        };
        let one =
            inspect_sequential(Source::File(f.path()), &opts, &HoldRequest::default()).unwrap();
        assert_eq!(one.rows, 300);
        assert_eq!(one.skipped, vec![205]);
        for threads in [2, 3, 5] {
            let par = inspect_in_ranges(f.path(), &opts, threads, 0, &HoldRequest::default())
                .unwrap()
                .unwrap();
            assert_eq!(par.rows, one.rows, "{threads} threads");
            assert_eq!(par.skipped, one.skipped, "{threads} threads");
            assert_eq!(par.repairs, one.repairs, "{threads} threads");
            assert_eq!(par.types, one.types);
        }
        let out = tempfile::NamedTempFile::new().unwrap();
        rewrite(f.path(), &opts, &one, out.path()).unwrap();
        let written = std::fs::read_to_string(out.path()).unwrap();
        assert_eq!(written.lines().count(), 301);
        assert!(!written.lines().skip(1).any(|l| l == "id,name"));
    }

    /// What Polars reads from the file `open_csv` hands it (the file, or its rewrite), with
    /// the inspection's types.
    fn polars_reads(
        path: &Path,
        opts: &CsvOptions,
        ins: &Inspection,
    ) -> polars::prelude::DataFrame {
        use polars::prelude::*;
        let rewritten = tempfile::NamedTempFile::new().unwrap();
        let (path, header, separator) = match ins.needs_rewrite {
            true => {
                rewrite(path, opts, ins, rewritten.path()).unwrap();
                (rewritten.path(), true, b',')
            }
            false => (path, opts.header, opts.delimiter),
        };
        let mut schema = Schema::default();
        for (h, t) in ins.headers.iter().zip(&ins.types) {
            let dtype = match t {
                ColType::Integer => DataType::Int64,
                ColType::Float => DataType::Float64,
                ColType::Boolean => DataType::Boolean,
                _ => DataType::String,
            };
            schema.with_column(h.as_str().into(), dtype);
        }
        LazyCsvReader::new(PlRefPath::new(path.display().to_string()))
            .with_has_header(header)
            .with_separator(separator)
            .with_schema(Some(Arc::new(schema)))
            .with_missing_is_null(true)
            .finish()
            .unwrap()
            .collect()
            .unwrap()
    }

    /// The columns held while inspecting `text` (in one pass and in 2, 3 and 5 parallel
    /// ranges, where a parallel read can be made) are exactly what Polars reads; how many
    /// parallel reads were made.
    fn assert_held_as_polars_reads(
        text: impl AsRef<[u8]>,
        opts: &CsvOptions,
        columns: &[usize],
    ) -> usize {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        let hold = HoldRequest {
            columns: columns.to_vec(),
            limit: usize::MAX,
        };
        let one = inspect_sequential(Source::File(f.path()), opts, &hold).unwrap();
        let polars = polars_reads(f.path(), opts, &one);
        let mut inspections = vec![("one pass".to_string(), one)];
        for threads in [2, 3, 5] {
            // (None where a range would start after a blank line, or inside quotes.)
            if let Some(par) = inspect_in_ranges(f.path(), opts, threads, 0, &hold).unwrap() {
                inspections.push((format!("{threads} ranges"), par));
            }
        }
        let parallel = inspections.len() - 1;
        for (how, mut ins) in inspections {
            let held = ins
                .held
                .take()
                .unwrap_or_else(|| panic!("{how}: nothing held"));
            let held = held.into_columns(&ins.headers, &ins.types);
            assert_eq!(held.len(), columns.len(), "{how}");
            for (c, &i) in held.iter().zip(columns) {
                let expected = polars.column(&ins.headers[i]).unwrap();
                assert_eq!(c.dtype(), expected.dtype(), "{how}: {}", c.name());
                assert!(
                    c.as_materialized_series()
                        .equals_missing(expected.as_materialized_series()),
                    "{how}: column {} held as {c:?}, Polars reads {expected:?}",
                    c.name()
                );
            }
        }
        parallel
    }

    #[test]
    fn held_numbers_are_the_numbers_polars_reads() {
        let ints = ["17", "-3", "", "999999999999999999", "0", "\"42\"", "-1000"];
        let floats = [
            "3",
            "-0.5",
            "1e5",
            "2.5E-3",
            "",
            "0.1",
            "123456.789012345",
            "7",
            "1.7976931348623157e308",
            "4.9e-324",
            "0.3000000000000001",
            "-12.5e+2",
        ];
        let mut text = String::from("id,i,f,s\n");
        for r in 0..2000 {
            let (i, f) = (ints[r % ints.len()], floats[r % floats.len()]);
            text.push_str(&format!("{r},{i},{f},\"text, {r}\"\n"));
        }
        let parallel = assert_held_as_polars_reads(&text, &CsvOptions::default(), &[0, 1, 2]);
        assert_eq!(parallel, 3, "every parallel read was made");
        // A column of integers only, read as floats once one value has a fraction.
        let mut text = String::from("x,y\n");
        for r in 0..500 {
            text.push_str(&format!(
                "{r},{}\n",
                if r == 400 {
                    "0.5".into()
                } else {
                    r.to_string()
                }
            ));
        }
        assert_held_as_polars_reads(&text, &CsvOptions::default(), &[1]);
    }

    #[test]
    fn held_rows_are_the_rows_read_after_repairs() {
        // A preamble, a repeated header, a blank line, short rows (padded) and long ones
        // (truncated), on a semicolon dialect: Polars reads the rewrite.
        let mut text = String::from("Monthly export\n# generated\nid;n;v\n");
        for i in 0..600 {
            match i % 97 {
                13 => text.push_str(&format!("{i};5\n")),
                31 => text.push_str(&format!("{i};6;0.25;extra\n")),
                47 => text.push('\n'),
                _ => text.push_str(&format!("{i};{};{}.5\n", i % 11, i % 3)),
            }
            if i == 200 {
                text.push_str("id;n;v\n");
            }
        }
        let opts = CsvOptions {
            skip_rows: 2,
            delimiter: b';',
            ..CsvOptions::default()
        };
        assert_held_as_polars_reads(&text, &opts, &[0, 1, 2]);
    }

    #[test]
    fn held_rows_follow_the_dialect_and_the_quote_repairs() {
        let numbers = |end: &str| {
            (0..300)
                .map(|i| format!("{i},{}.25,t{i}{end}", i % 9))
                .collect::<String>()
        };
        // CRLF line ends.
        let crlf = format!("id,x,t\r\n{}", numbers("\r\n"));
        assert_eq!(
            assert_held_as_polars_reads(crlf, &CsvOptions::default(), &[0, 1]),
            3
        );
        // No header: the first row is data.
        let headerless = CsvOptions {
            header: false,
            ..CsvOptions::default()
        };
        assert_eq!(
            assert_held_as_polars_reads(numbers("\n"), &headerless, &[0, 1]),
            3
        );
        // Latin-1 text beside the numbers (Polars reads the UTF-8 rewrite).
        let mut latin1 = b"id,x,t\n".to_vec();
        for i in 0..300 {
            latin1.extend_from_slice(format!("{i},{}.5,caf", i % 4).as_bytes());
            latin1.extend_from_slice(b"\xe9\n");
        }
        let opts = CsvOptions {
            encoding: Encoding::Latin1,
            ..CsvOptions::default()
        };
        assert_eq!(assert_held_as_polars_reads(latin1, &opts, &[0, 1]), 3);
        // A stray quote, then a quote that never closes (read again as a literal quote).
        let mut quotes = format!("id,x,t\n{}", numbers("\n"));
        quotes.push_str("300,1.5,5\" tall\n301,2.5,\"open\n");
        quotes.push_str(&numbers("\n").replace("t1", "u1"));
        assert_held_as_polars_reads(quotes, &CsvOptions::default(), &[0, 1]);
    }

    #[test]
    fn nothing_is_held_past_a_value_that_is_not_a_number_or_the_allowance() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "a,b\n1,2\nx,3\n4,5\n").unwrap();
        let opts = CsvOptions::default();
        let hold = |columns: Vec<usize>, limit| HoldRequest { columns, limit };
        let ins = inspect_sequential(Source::File(f.path()), &opts, &hold(vec![0, 1], 1 << 20));
        assert!(ins.unwrap().held.is_none(), "column a is text");
        let ins = inspect_sequential(Source::File(f.path()), &opts, &hold(vec![1], 1 << 20));
        assert!(ins.unwrap().held.is_some());
        let ins = inspect_sequential(Source::File(f.path()), &opts, &hold(vec![1], 8));
        assert!(
            ins.unwrap().held.is_none(),
            "three values take more than 8 bytes"
        );
    }

    /// The parallel reader must find exactly what the sequential one finds, or give up.
    #[test]
    fn parallel_ranges_agree_with_one_pass() {
        let mut text = String::from("id,name,score\n");
        for i in 0..400 {
            match i % 37 {
                5 => text.push_str(&format!("{i},short\n")),
                11 => text.push_str(&format!("{i},\"quoted, with comma\",1.5\n")),
                17 => text.push('\n'),
                23 => text.push_str(&format!("{i},x,1,extra\n")),
                29 => text.push_str(&format!("{i},5\" tall,2\n")),
                _ => text.push_str(&format!("{i},name{i},{}\n", i % 7)),
            }
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = CsvOptions::default();
        let one = inspect_with(
            Source::File(f.path()),
            &opts,
            &[],
            &[],
            &HoldRequest::default(),
        )
        .unwrap()
        .unwrap();
        let kinds: Vec<RepairKind> = one.repairs.0.keys().copied().collect();
        assert_eq!(
            kinds,
            [
                RepairKind::ShortRowPadded,
                RepairKind::LongRowTruncated,
                RepairKind::StrayQuote,
                RepairKind::BlankLine
            ]
        );
        for threads in [2, 3, 5, 8] {
            let par = inspect_in_ranges(f.path(), &opts, threads, 0, &HoldRequest::default())
                .unwrap()
                .unwrap();
            assert_eq!(par.headers, one.headers);
            assert_eq!(par.types, one.types);
            assert_eq!(par.text_evidence, one.text_evidence);
            assert_eq!(par.rows, one.rows);
            assert_eq!(par.repairs, one.repairs, "{threads} threads");
            assert_eq!(par.needs_rewrite, one.needs_rewrite);
        }
    }

    /// Every record and event, feeding `text` in chunks of `chunk` bytes.
    fn tokens(text: &[u8], chunk: usize, fast_path: bool) -> Vec<String> {
        tokens_in(CsvOptions::default().dialect(), text, chunk, fast_path)
    }

    fn tokens_in(dialect: Dialect, text: &[u8], chunk: usize, fast_path: bool) -> Vec<String> {
        let mut tok = Tokenizer::new(dialect, &[]);
        tok.fast_path = fast_path;
        let out = std::cell::RefCell::new(Vec::new());
        let mut on_record = |r: &Record| {
            let fields: Vec<String> = (0..r.len())
                .map(|i| String::from_utf8_lossy(r.field(i)).into_owned())
                .collect();
            out.borrow_mut()
                .push(format!("{} {} {fields:?}", r.line, r.first_quoted));
            Ok(())
        };
        let mut on_event = |e: Event| {
            let (kind, line) = match e {
                Event::StrayQuote(l) => ("stray", l),
                Event::LiteralQuote(l, _) => ("literal", l),
                Event::BareCr(l) => ("cr", l),
            };
            out.borrow_mut().push(format!("{kind} {line}"));
        };
        for c in text.chunks(chunk) {
            tok.feed(c, &mut on_record, &mut on_event).unwrap();
        }
        let end = tok.finish(&mut on_record, &mut on_event).unwrap();
        out.borrow_mut()
            .push(format!("end {end:?} line {}", tok.line));
        out.into_inner()
    }

    /// The in-place fast path must read exactly what the state machine reads: random texts,
    /// mostly made of awkward pieces or mostly of simple ones (long runs of simple records
    /// cross 64-byte blocks), in random chunks, in two dialects.
    #[test]
    fn simple_records_read_like_the_state_machine() {
        let awkward: [&[u8]; 14] = [
            b"abc",
            b"12",
            b"",
            b",",
            b",",
            b"\n",
            b"\r\n",
            b"\r",
            b"\"q,x\"",
            b"\"a\"\"b\"",
            b"\"multi\nline\"",
            b"5\" tall",
            b"\"",
            b"\xc3\xa9",
        ];
        let simple: [&[u8]; 8] = [
            b"abcdefghijklmnopqrstu",
            b"7",
            b",",
            b",,",
            b"\n",
            b"\r\n",
            b"\"x,y,z\"",
            b"\"\"",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let semicolons = CsvOptions {
            delimiter: b';',
            quote: b'\'',
            ..CsvOptions::default()
        };
        for case in 0..900 {
            let mostly_simple = case % 3 != 0;
            let mut text = Vec::new();
            for _ in 0..(next() % 150) {
                let piece = if mostly_simple && next() % 50 != 0 {
                    simple[(next() % simple.len() as u64) as usize]
                } else {
                    awkward[(next() % awkward.len() as u64) as usize]
                };
                text.extend_from_slice(piece);
            }
            // Small chunks, and chunks that hold several 64-byte blocks.
            let chunk = 1 + (next() % if next() % 2 == 0 { 17 } else { 300 }) as usize;
            let dialect = if case % 5 == 0 {
                text = text
                    .iter()
                    .map(|&b| match b {
                        b',' => b';',
                        b'"' => b'\'',
                        b => b,
                    })
                    .collect();
                semicolons.dialect()
            } else {
                CsvOptions::default().dialect()
            };
            let slow = tokens_in(dialect, &text, chunk, false);
            let fast = tokens_in(dialect, &text, chunk, true);
            assert_eq!(
                fast,
                slow,
                "{:?} in chunks of {chunk}",
                String::from_utf8_lossy(&text)
            );
            assert_eq!(tokens_in(dialect, &text, text.len().max(1), true), slow);
        }
    }

    /// A "\r\n" whose '\n' is in the next 64-byte block, or the next chunk.
    #[test]
    fn crlf_across_a_block_boundary_reads_like_the_state_machine() {
        for k in 60..68 {
            let mut text = vec![b'a'; k];
            text.extend_from_slice(b",\"b\"\r\nc,d\r\n\"e\"\r\n");
            for chunk in 1..=text.len() {
                assert_eq!(
                    tokens(&text, chunk, true),
                    tokens(&text, chunk, false),
                    "{k} bytes before, chunks of {chunk}"
                );
            }
        }
    }

    /// CRLF files are common; their records must take the fast path too (read in place, so
    /// the record's buffer is the line itself, delimiters included).
    #[test]
    fn crlf_records_are_read_in_place() {
        let mut tok = Tokenizer::new(CsvOptions::default().dialect(), &[]);
        let mut lines = Vec::new();
        let mut on_record = |r: &Record| {
            lines.push((r.line, String::from_utf8_lossy(r.buf).into_owned()));
            Ok(())
        };
        tok.feed(b"a,\"b\"\r\nc,d\r\n", &mut on_record, &mut |_| {})
            .unwrap();
        assert_eq!(lines, [(1, "a,\"b\"".to_string()), (2, "c,d".to_string())]);
    }

    /// Every bit position and lane of the 64-byte mask, against a plain reading.
    #[test]
    fn the_block_mask_sets_the_bit_of_each_special_byte() {
        for (delim, quote) in [(b',', b'"'), (b';', b'\''), (b'\t', b'"')] {
            let special = special_bytes(delim, quote);
            for at in 0..64 {
                for &b in &special {
                    let mut block = [b'x'; 64];
                    block[at] = b;
                    assert_eq!(special_mask(&block, delim, quote), 1 << at, "{b} at {at}");
                }
                let mut block = [b'x'; 64];
                block[at] = 0xff;
                assert_eq!(special_mask(&block, delim, quote), 0);
            }
            let all = [delim; 64];
            assert_eq!(special_mask(&all, delim, quote), u64::MAX);
            assert_eq!(special_mask(&all[..5], delim, quote), 0b11111);
        }
    }

    #[test]
    fn the_integer_shortcut_agrees_with_classify() {
        for v in [
            "0",
            "-0",
            "7",
            "-7",
            "007",
            "10",
            "-",
            "",
            "--5",
            "5-",
            "123456789012345678",
            "1234567890123456789",
            "-123456789012345678",
            "1.5",
            "+5",
            " 5",
            "1e3",
            "true",
        ] {
            let shortcut = plain_int(v.as_bytes()).is_some();
            if shortcut {
                assert_eq!(classify(v.as_bytes()), ColType::Integer, "{v:?}");
            }
            let expected = !matches!(
                v,
                "-0" | "007" | "-" | "" | "--5" | "5-" | "1234567890123456789"
            ) && v.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            assert_eq!(shortcut, expected, "{v:?}");
            if shortcut {
                assert_eq!(plain_int(v.as_bytes()), v.parse().ok(), "{v:?}");
            }
        }
    }

    fn evidence_of(text: &str) -> Vec<Option<(u64, String)>> {
        let ins = inspect_text(text.as_bytes(), &CsvOptions::default()).unwrap();
        ins.text_evidence
            .into_iter()
            .map(|e| e.map(|e| (e.line, e.value)))
            .collect()
    }

    #[test]
    fn a_number_column_read_as_text_keeps_the_value_that_made_it_text() {
        // 'code' holds a number too, but mostly text: it is a text column, nothing to explain.
        let ev = evidence_of("age,name,code\n17,ann,A1\n1 7,bob,B2\n18,cat,7\n");
        assert_eq!(ev, vec![Some((3, "1 7".into())), None, None]);
    }

    #[test]
    fn the_odd_value_may_come_before_the_numbers() {
        let ev = evidence_of("score\nN/A\n\"\"\n1.5\n2\n");
        assert_eq!(ev, vec![Some((2, "N/A".into()))]);
    }

    #[test]
    fn a_conflicting_boolean_is_the_evidence_too() {
        let ev = evidence_of("flag\n1\n2\ntrue\n");
        assert_eq!(ev, vec![Some((4, "true".into()))]);
    }

    #[test]
    fn long_odd_values_are_shortened() {
        let long = "x".repeat(60);
        let ev = evidence_of(&format!("n\n1\n2\n{long}\n"));
        assert_eq!(ev, vec![Some((4, format!("{}…", "x".repeat(40))))]);
    }

    #[test]
    fn parallel_ranges_report_the_first_odd_value_with_its_file_line() {
        let mut text = String::from("id,amount,flag\n");
        for i in 0..300 {
            let amount = if i == 250 || i == 280 {
                format!("{i}?")
            } else {
                i.to_string()
            };
            let flag = if i >= 200 {
                "true".to_string()
            } else {
                i.to_string()
            };
            text.push_str(&format!("{i},{amount},{flag}\n"));
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = CsvOptions::default();
        let sequential =
            inspect_sequential(Source::File(f.path()), &opts, &HoldRequest::default()).unwrap();
        let parallel = [2, 4].map(|threads| {
            inspect_in_ranges(f.path(), &opts, threads, 0, &HoldRequest::default())
                .unwrap()
                .expect("the parallel reader gave up")
        });
        for ins in std::iter::once(&sequential).chain(&parallel) {
            let amount = ins.text_evidence[1].clone().unwrap();
            assert_eq!((amount.line, amount.value.as_str()), (252, "250?"));
            assert_eq!(ins.text_evidence[0], None);
            // Integers, then only booleans (the whole last range of four): the first 'true'.
            let flag = ins.text_evidence[2].clone().unwrap();
            assert_eq!((flag.line, flag.value.as_str()), (202, "true"));
        }
    }

    #[test]
    fn parallel_ranges_give_up_inside_quotes() {
        // One quoted field spans most of the file, so every range boundary falls inside it.
        let mut text = String::from("id,note\n1,\"");
        for _ in 0..200 {
            text.push_str("line\n");
        }
        text.push_str("\"\n2,b\n");
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = CsvOptions::default();
        assert!(
            inspect_in_ranges(f.path(), &opts, 4, 0, &HoldRequest::default())
                .unwrap()
                .is_none()
        );
        let ins = inspect(f.path(), &opts, &HoldRequest::default()).unwrap();
        assert_eq!(ins.rows, 2);
        assert!(ins.repairs.is_empty());
    }

    #[test]
    fn parallel_strict_error_names_the_absolute_line() {
        let mut text = String::from("a,b\n");
        for i in 0..300 {
            text.push_str(if i == 250 { "1\n" } else { "1,2\n" });
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = CsvOptions {
            strict: true,
            ..CsvOptions::default()
        };
        match inspect_in_ranges(f.path(), &opts, 4, 0, &HoldRequest::default()) {
            Err(CsvError::Malformed { line, .. }) => assert_eq!(line, 252),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn classifies_values_without_losing_information() {
        assert_eq!(classify(b"42"), ColType::Integer);
        assert_eq!(classify(b"-7"), ColType::Integer);
        assert_eq!(classify(b"0"), ColType::Integer);
        assert_eq!(classify(b"01234"), ColType::Text);
        assert_eq!(classify(b"+5"), ColType::Text);
        assert_eq!(classify(b" 42"), ColType::Text);
        assert_eq!(classify(b"99999999999999999999"), ColType::Text);
        assert_eq!(classify(b"9223372036854775807"), ColType::Integer);
        assert_eq!(classify(b"9223372036854775808"), ColType::Text);
        assert_eq!(classify(b"3.25"), ColType::Float);
        assert_eq!(classify(b"0.5"), ColType::Float);
        assert_eq!(classify(b"1e5"), ColType::Float);
        assert_eq!(classify(b"-2.5E-3"), ColType::Float);
        assert_eq!(classify(b".5"), ColType::Text);
        assert_eq!(classify(b"5."), ColType::Text);
        assert_eq!(classify(b"NaN"), ColType::Text);
        assert_eq!(classify(b"2017-08-24"), ColType::Text);
        assert_eq!(classify(b"TRUE"), ColType::Boolean);
        assert_eq!(classify(b""), ColType::Empty);
        assert_eq!(classify(b"3.14159265358979323846"), ColType::Text);
    }

    #[test]
    fn infers_column_types() {
        let ins = inspect_text(
            b"a,b,c,d,e\n1,1.5,x,true,\n2,3,y,false,\n",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(ins.headers, vec!["a", "b", "c", "d", "e"]);
        assert_eq!(
            ins.types,
            vec![
                ColType::Integer,
                ColType::Float,
                ColType::Text,
                ColType::Boolean,
                ColType::Empty
            ]
        );
        assert_eq!(ins.rows, 2);
        assert!(!ins.needs_rewrite);
        assert!(ins.repairs.is_empty());
    }

    #[test]
    fn pads_and_truncates_ragged_rows() {
        let (ins, out) = repaired(b"a,b,c\n1,2\n3,4,5,6\n7,8,9\n");
        assert_eq!(ins.rows, 3);
        assert_eq!(ins.repairs.0[&RepairKind::ShortRowPadded].lines, vec![2]);
        assert_eq!(ins.repairs.0[&RepairKind::LongRowTruncated].lines, vec![3]);
        assert_eq!(out, "a,b,c\n1,2,\n3,4,5\n7,8,9\n");
    }

    #[test]
    fn quoted_fields_with_delimiters_newlines_and_escapes() {
        let (ins, out) = repaired(b"a,b\n\"x,y\",\"line1\nline2\"\n\"he said \"\"hi\"\"\",2\n");
        assert!(ins.repairs.is_empty(), "{:?}", ins.repairs);
        assert_eq!(ins.rows, 2);
        assert_eq!(
            out,
            "a,b\n\"x,y\",\"line1\nline2\"\n\"he said \"\"hi\"\"\",2\n"
        );
    }

    #[test]
    fn stray_and_unterminated_quotes_are_kept_as_text() {
        let (ins, out) = repaired(b"a,b\n5\" tall,1\n\"abc\"def,2\n\"open,3\nx,4\n");
        assert_eq!(ins.repairs.0[&RepairKind::StrayQuote].lines, vec![2, 3]);
        assert_eq!(ins.repairs.0[&RepairKind::UnterminatedQuote].lines, vec![4]);
        assert_eq!(ins.rows, 4);
        assert_eq!(
            out,
            "a,b\n\"5\"\" tall\",1\n\"abc\"\"def\",2\n\"\"\"open\",3\nx,4\n"
        );
    }

    #[test]
    fn line_ends_blank_lines_bom_and_final_newline() {
        let (ins, out) = repaired(b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4");
        assert_eq!(ins.headers, vec!["a", "b"]);
        assert_eq!(ins.rows, 2);
        assert_eq!(ins.repairs.0[&RepairKind::BlankLine].lines, vec![3]);
        assert_eq!(out, "a,b\n1,2\n3,4\n");
        let (ins, out) = repaired(b"a,b\r1,2\r3,4\r");
        assert_eq!(ins.rows, 2);
        assert!(
            ins.repairs
                .0
                .contains_key(&RepairKind::CarriageReturnLineEnd)
        );
        assert_eq!(out, "a,b\n1,2\n3,4\n");
    }

    #[test]
    fn latin1_bytes_are_decoded() {
        let (ins, out) = repaired(b"name,n\nJos\xe9,1\n");
        assert_eq!(ins.repairs.0[&RepairKind::InvalidUtf8].lines, vec![2]);
        assert_eq!(out, "name,n\nJosé,1\n");
    }

    #[test]
    fn header_only_and_empty_files() {
        let ins = inspect_text(b"a,b\n", &CsvOptions::default()).unwrap();
        assert_eq!((ins.rows, ins.headers.len()), (0, 2));
        assert!(matches!(
            inspect_text(b"", &CsvOptions::default()),
            Err(CsvError::Empty)
        ));
    }

    #[test]
    fn headerless_files_get_databrew_names() {
        let opts = CsvOptions {
            header: false,
            ..CsvOptions::default()
        };
        let ins = inspect_text(b"1,x\n2,y\n", &opts).unwrap();
        assert_eq!(ins.headers, vec!["Column_1", "Column_2"]);
        assert_eq!(ins.rows, 2);
        assert_eq!(ins.types, vec![ColType::Integer, ColType::Text]);
    }

    #[test]
    fn strict_mode_names_the_first_bad_line() {
        let opts = CsvOptions {
            strict: true,
            ..CsvOptions::default()
        };
        match inspect_text(b"a,b\n1,2\n3\n", &opts) {
            Err(CsvError::Malformed { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        // Line ends and a BOM are not malformed rows.
        assert!(inspect_text(b"\xef\xbb\xbfa,b\r\n1,2\r\n", &opts).is_ok());
    }

    #[test]
    fn repeated_and_empty_headers_are_renamed() {
        let (ins, out) = repaired(b"a,a,\n1,2,3\n");
        assert_eq!(ins.headers, vec!["a", "a_2", "Column_3"]);
        assert_eq!(out, "a,a_2,Column_3\n1,2,3\n");
    }
}
