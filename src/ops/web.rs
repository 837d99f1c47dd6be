//! Web functions (reference §2.21): IP_TO_INT, INT_TO_IP, URL_PARAMS. Each writes a new column
//! from `sourceColumn | value`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! IP_TO_INT reads a dotted IPv4 address (`192.168.1.1` →
//! 3232235777, a long); anything else is null. INT_TO_IP writes the address of a number from 0
//! to 4294967295; other numbers are null. URL_PARAMS turns a URL's query string into a JSON
//! object of lists in order of first appearance (`?a=x&b=42&a=y` → `{"a":["x","y"],"b":["42"]}`),
//! with `%XX` and `+` decoded; a value with no query string gives `{}`.

use super::OpSpec;
use super::shape::{Accepts, unary_spec};
use super::text::{map_text, map_text_to_int};

const FAMILY: &str = "web functions";

pub fn specs() -> Vec<OpSpec> {
    vec![
        unary_spec(
            "IP_TO_INT",
            FAMILY,
            "IPv4 address to its number.",
            Accepts::Text,
            |c| map_text_to_int(c, ip_to_int),
        ),
        unary_spec(
            "INT_TO_IP",
            FAMILY,
            "Number to its IPv4 address.",
            Accepts::Text,
            |c| map_text(c, int_to_ip),
        ),
        unary_spec(
            "URL_PARAMS",
            FAMILY,
            "The URL's query parameters as a JSON object of lists.",
            Accepts::Text,
            |c| map_text(c, |s| Some(url_params(s))),
        ),
    ]
}

pub fn ip_to_int(s: &str) -> Option<i64> {
    let ip: std::net::Ipv4Addr = s.trim().parse().ok()?;
    Some(u32::from(ip) as i64)
}

pub fn int_to_ip(s: &str) -> Option<String> {
    let n: f64 = s.trim().parse().ok()?;
    if n.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&n) {
        return None;
    }
    Some(std::net::Ipv4Addr::from(n as u32).to_string())
}

pub fn url_params(s: &str) -> String {
    // The fragment goes first: a `?` inside it starts no query.
    let before_fragment = s.split('#').next().unwrap_or("");
    let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
    let mut out = serde_json::Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let entry = out
            .entry(decode(k))
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(values) = entry {
            values.push(serde_json::Value::String(decode(v)));
        }
    }
    serde_json::Value::Object(out).to_string()
}

/// `%XX` and `+` decoding; invalid escapes stay as written, invalid UTF-8 is replaced.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_round_trip_and_url_params() {
        assert_eq!(ip_to_int("192.168.1.1"), Some(3232235777));
        assert_eq!(ip_to_int("300.1.1.1"), None);
        assert_eq!(int_to_ip("167772410").as_deref(), Some("10.0.0.250"));
        assert_eq!(int_to_ip("-1"), None);
        assert_eq!(
            url_params("https://x.io/p?a=x&b=42&a=y%20z+w#frag"),
            r#"{"a":["x","y z w"],"b":["42"]}"#
        );
        // Keys keep the order they first appear in, not sorted order.
        assert_eq!(url_params("?b=1&a=2&b=3"), r#"{"b":["1","3"],"a":["2"]}"#);
        assert_eq!(url_params("no query"), "{}");
        assert_eq!(url_params("?bad=%zz&e=%4"), r#"{"bad":["%zz"],"e":["%4"]}"#);
    }
}
