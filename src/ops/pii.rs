//! Personally identifiable information (reference §2.15): masking, keyed hashing and
//! deterministic encryption, in place on each of `sourceColumns`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * Masks replace characters one for one with `maskSymbol` (default `#`), so lengths stay;
//!   missing values stay missing; a masked column is text. `alphabet` lists character classes
//!   left unmasked: `SYMBOLS` (ASCII punctuation and symbols), `WHITESPACE`.
//! * MASK_CUSTOM masks every occurrence of `customValue` (a regular expression when `regex`).
//!   MASK_RANGE masks characters `start..stop` (0-based, stop excluded, negative counts from
//!   the end, as a Python slice; no stop → to the end). MASK_DELIMITER masks what lies between
//!   `startDelimiter` (none → the start) and the next `endDelimiter` (none → the end), first
//!   occurrence; `preserveDelimiters: true` leaves the delimiters themselves unmasked (the
//!   parameter's name, not the doc sentence that contradicts it). MASK_DATE masks the `redact`
//!   parts (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND) of ISO 8601 values; other
//!   values stay.
//! * `entityTypeFilter` (masking only PII found inside free text) is not supported: a step
//!   giving it fails validation rather than masking something else.
//! * Keys come from the environment, never from recipes, and are never printed: the key named
//!   by `secretId` (DataBrew's Secrets Manager name; `databrew!default` is `default`) is read
//!   from `DATACOOK_KEY_<NAME>`, or from the file `DATACOOK_KEY_FILE_<NAME>` names, where NAME
//!   is the name in upper case with every other character as `_`. A key is hex (when it is
//!   only hex digits, of even length) or else base64. A key of the wrong length fails the step.
//! * CRYPTOGRAPHIC_HASH: `algorithm` HMAC_SHA256 (the default), HMAC_SHA512 or HMAC_SHA1 of the
//!   value's text under the key, or SHA256, SHA512, SHA1 without a key, as lowercase hex. MD5
//!   and HMAC_MD5 are rejected (MD5 is broken).
//! * DETERMINISTIC_ENCRYPT: AES-256-GCM-SIV (a 32-byte key) with a fixed nonce, as base64:
//!   equal values encrypt to equal text, so joins and counts still work; the type becomes
//!   text. DETERMINISTIC_DECRYPT reverses it; a value that does not decrypt under the key
//!   stays as it was (DataBrew's rule).

use std::sync::Arc;

use aes_gcm_siv::aead::{Aead, KeyInit};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::Engine;
use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    check_regex, require_column,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "pii";

const SOURCES: ParamSpec = ParamSpec::req(
    "sourceColumns",
    ParamKind::Columns,
    "The columns to change, e.g. [\"email\", \"phone\"].",
);
const SYMBOL: ParamSpec = ParamSpec::def("maskSymbol", ParamKind::Text, "#", "The mask character.");
const ALPHABET: ParamSpec = ParamSpec::opt(
    "alphabet",
    ParamKind::Columns,
    "Character classes left unmasked: [\"SYMBOLS\", \"WHITESPACE\"].",
);
const ENTITY_FILTER: ParamSpec = ParamSpec::opt(
    "entityTypeFilter",
    ParamKind::Json,
    "Not supported: masking only PII detected inside free text.",
);
const SECRET: ParamSpec = ParamSpec::def(
    "secretId",
    ParamKind::Text,
    "databrew!default",
    "The key's name: read from DATACOOK_KEY_<NAME> or the file DATACOOK_KEY_FILE_<NAME> names.",
);
const SECRET_VERSION: ParamSpec = ParamSpec::opt(
    "secretVersion",
    ParamKind::Text,
    "Written by DataBrew; the environment holds one key per name.",
);

params! {
    struct MaskCustom {
        sources: Vec<String> = SOURCES,
        symbol: String = SYMBOL,
        value: String = ParamSpec::req("customValue", ParamKind::Text, "The text (or regular expression) to mask."),
        regex: bool = ParamSpec::def("regex", ParamKind::Bool, "false", "customValue is a regular expression."),
        alphabet: Option<Vec<String>> = ALPHABET,
        entities: Option<serde_json::Value> = ENTITY_FILTER,
    }
}

params! {
    struct MaskRange {
        sources: Vec<String> = SOURCES,
        symbol: String = SYMBOL,
        start: i64 = ParamSpec::def("start", ParamKind::Integer, "0", "First character to mask (negative: from the end)."),
        stop: Option<i64> = ParamSpec::opt("stop", ParamKind::Integer, "The character after the last one masked (negative: from the end; none: to the end)."),
        alphabet: Option<Vec<String>> = ALPHABET,
        entities: Option<serde_json::Value> = ENTITY_FILTER,
    }
}

params! {
    struct MaskDelimiter {
        sources: Vec<String> = SOURCES,
        symbol: String = SYMBOL,
        start: Option<String> = ParamSpec::opt("startDelimiter", ParamKind::Text, "Mask after this text (none: from the start)."),
        end: Option<String> = ParamSpec::opt("endDelimiter", ParamKind::Text, "Mask up to this text (none: to the end)."),
        preserve: bool = ParamSpec::def("preserveDelimiters", ParamKind::Bool, "true", "Leave the delimiters unmasked."),
        alphabet: Option<Vec<String>> = ALPHABET,
        entities: Option<serde_json::Value> = ENTITY_FILTER,
    }
}

params! {
    struct MaskDate {
        sources: Vec<String> = SOURCES,
        symbol: String = SYMBOL,
        redact: Vec<String> = ParamSpec::req("redact", ParamKind::Columns, "Parts to mask: YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND."),
        locale: Option<String> = ParamSpec::opt("locale", ParamKind::Text, "Written by DataBrew; ISO 8601 values need none."),
        entities: Option<serde_json::Value> = ENTITY_FILTER,
    }
}

params! {
    struct Keyed {
        sources: Vec<String> = SOURCES,
        secret: String = SECRET,
        version: Option<String> = SECRET_VERSION,
        create: Option<bool> = ParamSpec::opt("createSecretIfMissing", ParamKind::Bool, "Not supported: keys are created outside datacook."),
        algorithm: String = ParamSpec::def(
            "algorithm",
            ParamKind::Choice(&["HMAC_SHA256", "HMAC_SHA512", "HMAC_SHA1", "HMAC_MD5", "SHA256", "SHA512", "SHA1", "MD5"]),
            "HMAC_SHA256",
            "HMAC_* use the key; SHA* hash without one. MD5 is not offered.",
        ),
        entities: Option<serde_json::Value> = ENTITY_FILTER,
    }
}

/// A text transform of one value; `None` gives null.
type TextFn = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "MASK_CUSTOM",
            "Mask every occurrence of a value or pattern.",
            MaskCustom::SPECS,
            |p| {
                let m = MaskCustom::read(p);
                no_entities(&m.entities)?;
                let symbol = symbol(&m.symbol)?;
                let keep = Keep::from(&m.alphabet)?;
                let pattern = if m.regex {
                    check_regex(&m.value, "customValue")?;
                    m.value.clone()
                } else {
                    regex::escape(&m.value)
                };
                if m.value.is_empty() {
                    return Err(OpError::new("customValue is empty").param("customValue"));
                }
                let re = regex::Regex::new(&pattern)
                    .map_err(|e| OpError::new(e.to_string()).param("customValue"))?;
                Ok((
                    m.sources,
                    Arc::new(move |s: &str| {
                        let mut masked = Vec::new();
                        for found in re.find_iter(s) {
                            masked.push(found.range());
                        }
                        Some(mask_ranges(s, &masked, symbol, keep))
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "MASK_RANGE",
            "Mask characters start..stop (a Python slice).",
            MaskRange::SPECS,
            |p| {
                let m = MaskRange::read(p);
                no_entities(&m.entities)?;
                let symbol = symbol(&m.symbol)?;
                let keep = Keep::from(&m.alphabet)?;
                Ok((
                    m.sources,
                    Arc::new(move |s: &str| {
                        let n = s.chars().count() as i64;
                        let at = |i: i64| if i < 0 { (n + i).max(0) } else { i.min(n) } as usize;
                        let (a, b) = (at(m.start), at(m.stop.unwrap_or(n)));
                        Some(mask_chars(s, |i| i >= a && i < b, symbol, keep))
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "MASK_DELIMITER",
            "Mask what lies between two delimiters.",
            MaskDelimiter::SPECS,
            |p| {
                let m = MaskDelimiter::read(p);
                no_entities(&m.entities)?;
                let symbol = symbol(&m.symbol)?;
                let keep = Keep::from(&m.alphabet)?;
                Ok((
                    m.sources,
                    Arc::new(move |s: &str| {
                        let (start, end) = (
                            m.start.as_deref().unwrap_or(""),
                            m.end.as_deref().unwrap_or(""),
                        );
                        let Some(a) = (if start.is_empty() {
                            Some(0)
                        } else {
                            s.find(start)
                        }) else {
                            return Some(s.to_string());
                        };
                        let inner = a + start.len();
                        let b = if end.is_empty() {
                            s.len()
                        } else {
                            s[inner..].find(end).map(|b| b + inner).unwrap_or(s.len())
                        };
                        let found_end = !end.is_empty() && b < s.len();
                        let range = if m.preserve {
                            inner..b
                        } else {
                            a..if found_end { b + end.len() } else { b }
                        };
                        Some(mask_ranges(s, &[range], symbol, keep))
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "MASK_DATE",
            "Mask parts (YEAR, MONTH, …) of ISO 8601 dates.",
            MaskDate::SPECS,
            |p| {
                let m = MaskDate::read(p);
                no_entities(&m.entities)?;
                let symbol = symbol(&m.symbol)?;
                let parts = m
                    .redact
                    .iter()
                    .map(|r| {
                        date_part(r).ok_or_else(|| {
                            OpError::new(format!("unknown date part '{r}'"))
                                .param("redact")
                                .help("use YEAR, MONTH, DAY, HOUR, MINUTE, SECOND or MILLISECOND")
                        })
                    })
                    .collect::<OpResult<Vec<_>>>()?;
                Ok((
                    m.sources,
                    Arc::new(move |s: &str| {
                        if !looks_iso(s) {
                            return Some(s.to_string());
                        }
                        let ranges: Vec<_> =
                            parts.iter().filter(|r| r.end <= s.len()).cloned().collect();
                        Some(mask_ranges(s, &ranges, symbol, Keep::default()))
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "CRYPTOGRAPHIC_HASH",
            "A keyed (HMAC_*) or plain (SHA*) hash of each value, as hex.",
            Keyed::SPECS,
            |p| {
                let k = keyed(p)?;
                let algorithm = hash_algorithm(&k.algorithm)?;
                let hmac = Arc::new(Deferred::new(k.secret, move |key| match algorithm {
                    Hash::Keyed(alg) => Some(ring::hmac::Key::new(alg, key)),
                    Hash::Plain(_) => None,
                }));
                Ok((
                    k.sources,
                    Arc::new(move |s: &str| {
                        let digest: Vec<u8> = match algorithm {
                            Hash::Keyed(_) => ring::hmac::sign(hmac.get()?, s.as_bytes())
                                .as_ref()
                                .to_vec(),
                            Hash::Plain(alg) => {
                                ring::digest::digest(alg, s.as_bytes()).as_ref().to_vec()
                            }
                        };
                        Some(digest.iter().map(|b| format!("{b:02x}")).collect())
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "DETERMINISTIC_ENCRYPT",
            "AES-256-GCM-SIV with a key from the environment; equal values encrypt alike.",
            Keyed::SPECS,
            |p| {
                let k = keyed(p)?;
                let cipher = Arc::new(Deferred::new(k.secret, |key| {
                    Aes256GcmSiv::new_from_slice(key).ok()
                }));
                Ok((
                    k.sources,
                    Arc::new(move |s: &str| {
                        let sealed = cipher
                            .get()?
                            .encrypt(Nonce::from_slice(&[0u8; 12]), s.as_bytes())
                            .ok()?;
                        Some(base64::engine::general_purpose::STANDARD.encode(sealed))
                    }) as TextFn,
                ))
            },
        ),
        spec(
            "DETERMINISTIC_DECRYPT",
            "Reverse DETERMINISTIC_ENCRYPT with the same key; other values stay.",
            Keyed::SPECS,
            |p| {
                let k = keyed(p)?;
                let cipher = Arc::new(Deferred::new(k.secret, |key| {
                    Aes256GcmSiv::new_from_slice(key).ok()
                }));
                Ok((
                    k.sources,
                    Arc::new(move |s: &str| {
                        let cipher = cipher.get()?;
                        let opened = base64::engine::general_purpose::STANDARD
                            .decode(s)
                            .ok()
                            .and_then(|sealed| {
                                cipher
                                    .decrypt(Nonce::from_slice(&[0u8; 12]), sealed.as_ref())
                                    .ok()
                            })
                            .and_then(|plain| String::from_utf8(plain).ok());
                        Some(opened.unwrap_or_else(|| s.to_string()))
                    }) as TextFn,
                ))
            },
        ),
    ]
}

type Make = fn(&Params) -> OpResult<(Vec<String>, TextFn)>;

fn spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    make: Make,
) -> OpSpec {
    let key_op = matches!(
        name,
        "CRYPTOGRAPHIC_HASH" | "DETERMINISTIC_ENCRYPT" | "DETERMINISTIC_DECRYPT"
    );
    OpSpec {
        name,
        family: FAMILY,
        summary,
        params,
        conditions: Conditions::InPlace,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(Arc::new(move |p| {
            let (sources, f) = make(p)?;
            let length = (name != "CRYPTOGRAPHIC_HASH").then_some(32);
            let k = Keyed::read(p);
            // A plain SHA hash needs no key.
            let needs_key =
                key_op && (name != "CRYPTOGRAPHIC_HASH" || k.algorithm.starts_with("HMAC"));
            let secret = needs_key.then_some((k.secret, length));
            Ok(Box::new(TextColumns { sources, f, secret }))
        })),
    }
}

fn no_entities(filter: &Option<serde_json::Value>) -> OpResult<()> {
    match filter {
        Some(f) if !f.is_null() && f.as_array().is_none_or(|a| !a.is_empty()) => Err(OpError::new(
            "entityTypeFilter is not supported: datacook masks whole values, not PII found inside text",
        )
        .param("entityTypeFilter")
        .help("remove entityTypeFilter to mask the whole values")),
        _ => Ok(()),
    }
}

#[derive(Clone, Copy)]
enum Hash {
    Keyed(ring::hmac::Algorithm),
    Plain(&'static ring::digest::Algorithm),
}

/// CRYPTOGRAPHIC_HASH's `algorithm`. MD5 is broken and not offered.
fn hash_algorithm(name: &str) -> OpResult<Hash> {
    Ok(match name {
        "HMAC_SHA256" => Hash::Keyed(ring::hmac::HMAC_SHA256),
        "HMAC_SHA512" => Hash::Keyed(ring::hmac::HMAC_SHA512),
        "HMAC_SHA1" => Hash::Keyed(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
        "SHA256" => Hash::Plain(&ring::digest::SHA256),
        "SHA512" => Hash::Plain(&ring::digest::SHA512),
        "SHA1" => Hash::Plain(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
        other => {
            return Err(
                OpError::new(format!("{other} is not offered: MD5 is broken"))
                    .param("algorithm")
                    .help("use HMAC_SHA256 (keyed) or SHA256"),
            );
        }
    })
}

fn keyed(p: &Params) -> OpResult<Keyed> {
    let k = Keyed::read(p);
    no_entities(&k.entities)?;
    if k.create == Some(true) {
        return Err(OpError::new(
            "createSecretIfMissing is not supported: create the key yourself",
        )
        .param("createSecretIfMissing")
        .help("put a key in DATACOOK_KEY_<NAME> (e.g. `openssl rand -base64 32`)"));
    }
    Ok(k)
}

fn symbol(text: &str) -> OpResult<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(
            OpError::new(format!("maskSymbol must be one character, found '{text}'"))
                .param("maskSymbol"),
        ),
    }
}

/// Character classes left unmasked.
#[derive(Clone, Copy, Default)]
struct Keep {
    symbols: bool,
    whitespace: bool,
}

impl Keep {
    fn from(alphabet: &Option<Vec<String>>) -> OpResult<Keep> {
        let mut keep = Keep::default();
        for class in alphabet.iter().flatten() {
            match class.to_ascii_uppercase().as_str() {
                "SYMBOLS" => keep.symbols = true,
                "WHITESPACE" => keep.whitespace = true,
                other => {
                    return Err(OpError::new(format!("unknown alphabet class '{other}'"))
                        .param("alphabet")
                        .help("use SYMBOLS and/or WHITESPACE"));
                }
            }
        }
        Ok(keep)
    }

    fn keeps(&self, c: char) -> bool {
        self.symbols && c.is_ascii_punctuation() || self.whitespace && c.is_whitespace()
    }
}

fn mask_chars(s: &str, masked: impl Fn(usize) -> bool, symbol: char, keep: Keep) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if masked(i) && !keep.keeps(c) {
                symbol
            } else {
                c
            }
        })
        .collect()
}

/// Mask the characters inside byte `ranges`.
fn mask_ranges(s: &str, ranges: &[std::ops::Range<usize>], symbol: char, keep: Keep) -> String {
    s.char_indices()
        .map(|(at, c)| {
            let inside = ranges.iter().any(|r| r.contains(&at));
            if inside && !keep.keeps(c) { symbol } else { c }
        })
        .collect()
}

fn date_part(name: &str) -> Option<std::ops::Range<usize>> {
    Some(match name.trim().to_ascii_uppercase().as_str() {
        "YEAR" => 0..4,
        "MONTH" => 5..7,
        "DAY" => 8..10,
        "HOUR" => 11..13,
        "MINUTE" => 14..16,
        "SECOND" => 17..19,
        "MILLISECOND" => 20..23,
        _ => return None,
    })
}

fn looks_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

/// What a key makes (an HMAC key, a cipher), built from the environment's key when first
/// needed — once per step, not per value — so `validate` works without keys.
type FromKey<T> = Box<dyn Fn(&[u8]) -> Option<T> + Send + Sync>;

struct Deferred<T> {
    name: String,
    make: FromKey<T>,
    value: std::sync::OnceLock<Option<T>>,
}

impl<T> Deferred<T> {
    fn new(name: String, make: impl Fn(&[u8]) -> Option<T> + Send + Sync + 'static) -> Self {
        Deferred {
            name,
            make: Box::new(make),
            value: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> Option<&T> {
        self.value
            .get_or_init(|| load_key(&self.name).ok().and_then(|k| (self.make)(&k)))
            .as_ref()
    }
}

/// `databrew!default` → `DEFAULT`, `pii/customer-key` → `PII_CUSTOMER_KEY`.
pub fn key_variable(secret: &str) -> String {
    let name = secret.strip_prefix("databrew!").unwrap_or(secret);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The key named `secret`, decoded; the error never contains the key.
pub fn load_key(secret: &str) -> Result<Vec<u8>, String> {
    let name = key_variable(secret);
    let text = match (
        std::env::var(format!("DATACOOK_KEY_{name}")),
        std::env::var(format!("DATACOOK_KEY_FILE_{name}")),
    ) {
        (Ok(k), _) => k,
        (Err(_), Ok(path)) => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the key file DATACOOK_KEY_FILE_{name} names: {e}"))?,
        _ => {
            return Err(format!(
                "no key '{secret}': set DATACOOK_KEY_{name} (base64 or hex) or DATACOOK_KEY_FILE_{name}"
            ));
        }
    };
    let text = text.trim();
    let hex = (text.len() % 2 == 0 && text.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
        (0..text.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect::<Vec<u8>>()
    });
    hex.or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| format!("the key '{secret}' is neither base64 nor hex"))
}

/// A text transform applied in place to several columns.
pub struct TextColumns {
    sources: Vec<String>,
    f: TextFn,
    /// The key a hash or encryption step needs, and the length it must have (AES-256: 32).
    secret: Option<(String, Option<usize>)>,
}

impl Operation for TextColumns {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let mut out = input.clone();
        for s in &self.sources {
            require_column(input, s, "sourceColumns")?;
            out.with_column(s.as_str().into(), DataType::String);
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let mut exprs = Vec::new();
        for s in &self.sources {
            require_column(&ctx.schema, s, "sourceColumns")?;
            let f = self.f.clone();
            let text = col(s.as_str()).cast(DataType::String);
            let changed = super::text::map_text(text.clone(), move |v| f(v));
            let changed = when(text.clone().eq(lit("")))
                .then(lit(""))
                .otherwise(changed);
            exprs.push(ctx.in_place(s, changed).alias(s.as_str()));
        }
        if let Some((secret, length)) = &self.secret {
            // Fail before any row is written, naming the key and never showing it.
            let key = load_key(secret).map_err(|e| OpError::new(e).param("secretId"))?;
            if let Some(n) = length.filter(|n| *n != key.len()) {
                return Err(OpError::new(format!(
                    "the key '{secret}' has {} bytes; AES-256-GCM-SIV needs {n}",
                    key.len()
                ))
                .param("secretId")
                .help("make one with `openssl rand -base64 32`"));
            }
        }
        Ok(lf.with_columns(exprs))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(self.sources.clone())
    }
}
