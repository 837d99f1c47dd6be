//! Numbers as people read them in summaries, reports and messages.

use serde_json::Value;

/// `v` rounded to at most `decimals` decimals, trailing zeros dropped; whole numbers (below
/// 10^15) without a decimal point.
pub fn number(v: f64, decimals: usize) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A JSON value in a text summary: numbers through [`number`], text unquoted, `null` as
/// `null_text`.
pub fn value(v: &Value, decimals: usize, null_text: &str) -> String {
    match v {
        Value::Null => null_text.to_string(),
        Value::Number(n) => n.as_f64().map_or(n.to_string(), |f| number(f, decimals)),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_trailing_zeros_and_whole_numbers_their_point() {
        assert_eq!(number(17.0, 6), "17");
        assert_eq!(number(5.158167349, 6), "5.158167");
        assert_eq!(number(35.880, 2), "35.88");
        assert_eq!(number(0.5, 4), "0.5");
        assert_eq!(number(-2.00004, 4), "-2");
        assert_eq!(number(f64::NAN, 2), "NaN");
        assert_eq!(value(&Value::Null, 4, "-"), "-");
        assert_eq!(value(&serde_json::json!("a"), 4, "-"), "a");
    }
}
