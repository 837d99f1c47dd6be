//! The run's clock and random seed. NOW, TODAY and the random operations read them, so a run
//! is reproducible with `--now TIMESTAMP` and `--seed N`; by default the clock is read once,
//! when a run first asks, and the seed is random. The run report records both.

use std::sync::Mutex;

use serde::Serialize;

/// What NOW, TODAY and the random operations see during a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Settings {
    /// Microseconds since 1970-01-01 UTC.
    #[serde(serialize_with = "as_timestamp")]
    pub now: i64,
    pub seed: u64,
}

static SETTINGS: Mutex<Option<Settings>> = Mutex::new(None);

/// Fix the clock and the seed for this process (the CLI does, from `--now` and `--seed`); a
/// value left out takes its default.
pub fn set(now: Option<i64>, seed: Option<u64>) -> Settings {
    let settings = Settings {
        now: now.unwrap_or_else(real_now),
        seed: seed.unwrap_or_else(random_seed),
    };
    *SETTINGS.lock().unwrap_or_else(|e| e.into_inner()) = Some(settings);
    settings
}

/// The settings in force, choosing the defaults on first use.
pub fn get() -> Settings {
    let mut guard = SETTINGS.lock().unwrap_or_else(|e| e.into_inner());
    *guard.get_or_insert_with(|| Settings {
        now: real_now(),
        seed: random_seed(),
    })
}

fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(real_now());
    h.finish()
}

/// `--now`: ISO 8601 (`2026-01-31T09:30:00Z`, `2026-01-31 09:30:00`, `2026-01-31`), as UTC.
pub fn parse_now(text: &str) -> Result<i64, String> {
    let t = text.trim().trim_end_matches('Z');
    let formats = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    formats
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|t| t.and_utc().timestamp_micros())
        .ok_or_else(|| {
            format!("expected an ISO 8601 time such as 2026-01-31T09:30:00Z, found '{text}'")
        })
}

fn as_timestamp<S: serde::Serializer>(micros: &i64, s: S) -> Result<S::Ok, S::Error> {
    let text = chrono::DateTime::from_timestamp_micros(*micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_default();
    s.serialize_str(&text)
}

/// A small, fast, seedable generator (SplitMix64): random values are a pure function of the
/// seed, the step and the row, so a run with `--seed N` repeats exactly.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform double in [0, 1) from 64 random bits.
pub fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_parses_iso_times_as_utc() {
        assert_eq!(parse_now("1970-01-01T00:00:01Z"), Ok(1_000_000));
        assert_eq!(parse_now("1970-01-02"), Ok(86_400_000_000));
        assert!(parse_now("yesterday").is_err());
    }

    #[test]
    fn the_generator_is_a_function_of_its_input() {
        assert_eq!(mix(42), mix(42));
        assert_ne!(mix(42), mix(43));
        let u = unit(mix(7));
        assert!((0.0..1.0).contains(&u));
    }
}
