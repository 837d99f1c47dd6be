//! Profile statistics (reference §4, decisions.md "Statistics used by steps"): small frames,
//! every value checked against hand arithmetic shown in the comments.

use datacook::profile::Sample;
use datacook::profile::compute::{Profiled, profile, targets};
use datacook::profile::config::{ProfileConfig, load_str};
use polars::prelude::*;
use serde_json::{Map, Value, json};

type Column = Map<String, Value>;

const EPS: f64 = 1e-12;

// ---- helpers --------------------------------------------------------------------------------

fn run_profile(df: &DataFrame, config: &ProfileConfig) -> Profiled {
    let schema = df.schema().as_ref().clone();
    let t = targets(&schema, config);
    profile(
        &df.clone().lazy(),
        &schema,
        config,
        &t,
        Some(df.height() as u64),
    )
    .unwrap()
}

/// The profiled columns under the default configuration.
fn columns(df: &DataFrame) -> Vec<Column> {
    run_profile(df, &ProfileConfig::default()).2
}

/// One column's statistics under the default configuration.
#[track_caller]
fn column(df: &DataFrame, name: &str) -> Column {
    find(&columns(df), name).clone()
}

#[track_caller]
fn find<'a>(cols: &'a [Column], name: &str) -> &'a Column {
    cols.iter()
        .find(|c| c["name"] == json!(name))
        .unwrap_or_else(|| panic!("no column {name} in the profile"))
}

fn yaml(text: &str) -> ProfileConfig {
    load_str(text, "profile.yaml").unwrap()
}

fn names(cols: &[Column]) -> Vec<&str> {
    cols.iter().map(|c| c["name"].as_str().unwrap()).collect()
}

fn keys(c: &Column) -> Vec<&str> {
    c.keys().map(String::as_str).collect()
}

#[track_caller]
fn stat<'a>(c: &'a Column, key: &str) -> &'a Value {
    c.get(key)
        .unwrap_or_else(|| panic!("no {key} in {}", Value::Object(c.clone())))
}

#[track_caller]
fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number close to {expected}, found {actual}"));
    assert!(
        (a - expected).abs() <= EPS * expected.abs().max(1.0),
        "expected {expected}, found {a}"
    );
}

/// `c[key]` is a number within [`close`]'s tolerance of `expected` (a failure points at the
/// caller's line, which names the key).
#[track_caller]
fn assert_stat(c: &Column, key: &str, expected: f64) {
    close(stat(c, key), expected);
}

#[track_caller]
fn assert_null(c: &Column, key: &str) {
    assert_eq!(stat(c, key), &Value::Null, "{key} should be null");
}

/// A bucket bound as a number: "inf" / "-inf" for the open ends.
#[track_caller]
fn bound(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("bad bucket bound {other}")),
    }
}

/// `(lower, upper, count)` of each bucket of a distribution.
#[track_caller]
fn buckets(c: &Column, key: &str) -> Vec<(Value, Value, u64)> {
    stat(c, key)
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let bounds = b["bucket"].as_array().unwrap();
            assert_eq!(bounds.len(), 2, "{b}");
            (
                bounds[0].clone(),
                bounds[1].clone(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn counts(b: &[(Value, Value, u64)]) -> Vec<u64> {
    b.iter().map(|x| x.2).collect()
}

/// Counts of `n` bins, zero except at the given indices.
fn sparse(n: usize, at: &[(usize, u64)]) -> Vec<u64> {
    let mut v = vec![0; n];
    for (i, c) in at {
        v[*i] = *c;
    }
    v
}

/// Every statistic of a numeric column, in DataBrew's attribute order (§4.5).
const NUMERIC_KEYS: &[&str] = &[
    "name",
    "type",
    "columnConfigurationOverride",
    "distinctValuesCount",
    "uniqueValuesCount",
    "entropy",
    "mostCommonValues",
    "missingValuesCount",
    "kurtosis",
    "max",
    "mean",
    "min",
    "skewness",
    "standardDeviation",
    "sum",
    "zerosCount",
    "variance",
    "range",
    "percentile5",
    "percentile25",
    "percentile75",
    "percentile95",
    "median",
    "interquartileRange",
    "mode",
    "minimumValues",
    "maximumValues",
    "valueDistribution",
    "zScoreOutliersCount",
    "zScoreOutliersSample",
    "zScoreDistribution",
    "medianAbsoluteDeviation",
];

/// No dataset statistics, so column objects carry no `correlations`.
const NO_DATASET_STATS: &str = "DatasetStatisticsConfiguration: {IncludedStatistics: [NONE]}\n";

// ---- missing values -------------------------------------------------------------------------

#[test]
fn null_and_empty_text_are_missing_but_whitespace_is_a_value() {
    let df = df!(
        "name" => [Some("ann"), None, Some(""), Some(" "), Some("bob"), Some("ann")],
        "age" => [Some(30i64), Some(41), None, Some(25), Some(9), Some(30)],
    )
    .unwrap();
    let cols = columns(&df);
    let name = find(&cols, "name");
    // missing: null and "" → 2; present: ann, " ", bob, ann
    assert_stat(name, "missingValuesCount", 2.0);
    // distinct: ann, " ", bob → 3; unique (exactly once): " ", bob → 2
    assert_stat(name, "distinctValuesCount", 3.0);
    assert_stat(name, "uniqueValuesCount", 2.0);
    // p = 2/4, 1/4, 1/4 → H = −(½ ln ½ + 2 · ¼ ln ¼) = ½ ln 2 + ln 2 = 1.5 ln 2
    assert_stat(name, "entropy", 1.5 * 2f64.ln());
    // ties (count 1) in value order: " " (0x20) < "bob"
    assert_eq!(
        stat(name, "mostCommonValues"),
        &json!([{"value": "ann", "count": 2}, {"value": " ", "count": 1}, {"value": "bob", "count": 1}])
    );
    // lengths 3, 1, 3, 3: min 1, max 3, mean 10/4 = 2.5, median of 1,3,3,3 = (3+3)/2 = 3, mode 3
    assert_stat(name, "min", 1.0);
    assert_stat(name, "max", 3.0);
    assert_stat(name, "mean", 2.5);
    assert_stat(name, "median", 3.0);
    assert_stat(name, "mode", 3.0);
    // deviations −1.5, 0.5 ×3 → squares 2.25 + 3 · 0.25 = 3 → var 3/3 = 1 → sd 1
    assert_stat(name, "standardDeviation", 1.0);

    let age = find(&cols, "age");
    assert_stat(age, "missingValuesCount", 1.0);
    // 30, 41, 25, 9, 30 → distinct 4, unique 3
    assert_stat(age, "distinctValuesCount", 4.0);
    assert_stat(age, "uniqueValuesCount", 3.0);
}

#[test]
fn all_missing_columns_have_zero_counts_and_null_statistics() {
    let df = df!(
        "n" => [None::<i64>, None, None],
        "f" => [None::<f64>, None, None],
        "s" => [None, Some(""), Some("")],
        "b" => [None::<bool>, None, None],
    )
    .unwrap();
    let (rows, duplicates, cols) = run_profile(&df, &ProfileConfig::default());
    assert_eq!(rows, 3);
    // rows (∅,∅,∅,∅), (∅,∅,"",∅), (∅,∅,"",∅): "" and null are the same missing value
    // (as DELETE_DUPLICATE_ROWS compares them), so rows 2 and 3 repeat row 1
    assert_eq!(duplicates, Some(2));
    for name in ["n", "f", "s", "b"] {
        let c = find(&cols, name);
        assert_stat(c, "missingValuesCount", 3.0);
        assert_stat(c, "distinctValuesCount", 0.0);
        assert_stat(c, "uniqueValuesCount", 0.0);
        assert_stat(c, "entropy", 0.0);
        assert_eq!(stat(c, "mostCommonValues"), &json!([]), "{name}");
    }
    for name in ["n", "f"] {
        let c = find(&cols, name);
        for key in [
            "min",
            "max",
            "mean",
            "median",
            "mode",
            "standardDeviation",
            "variance",
            "range",
            "percentile5",
            "percentile25",
            "percentile75",
            "percentile95",
            "interquartileRange",
            "medianAbsoluteDeviation",
            "skewness",
            "kurtosis",
        ] {
            assert_null(c, key);
        }
        assert_stat(c, "zerosCount", 0.0);
        assert_stat(c, "zScoreOutliersCount", 0.0);
        assert_eq!(stat(c, "zScoreOutliersSample"), &json!([]));
        assert_eq!(stat(c, "minimumValues"), &json!([]));
        assert_eq!(stat(c, "maximumValues"), &json!([]));
        assert!(!c.contains_key("valueDistribution"), "{name}");
        assert!(!c.contains_key("zScoreDistribution"), "{name}");
        // No values: the correlation between the two numeric columns is undefined.
        let other = if name == "n" { "f" } else { "n" };
        assert_eq!(stat(c, "correlations")[other], Value::Null, "{name}");
    }
    let s = find(&cols, "s");
    for key in ["min", "max", "mean", "median", "mode", "standardDeviation"] {
        assert_null(s, key);
    }
    assert_stat(s, "zScoreOutliersCount", 0.0);
}

#[test]
fn an_empty_frame_profiles_without_rows() {
    let df = df!("n" => Vec::<i64>::new(), "s" => Vec::<&str>::new()).unwrap();
    let (rows, duplicates, cols) = run_profile(&df, &ProfileConfig::default());
    assert_eq!((rows, duplicates), (0, Some(0)));
    assert_eq!(names(&cols), ["n", "s"]);
    for c in &cols {
        assert_stat(c, "missingValuesCount", 0.0);
        assert_stat(c, "distinctValuesCount", 0.0);
        assert_stat(c, "uniqueValuesCount", 0.0);
        assert_eq!(stat(c, "mostCommonValues"), &json!([]));
        assert_null(c, "mean");
        assert_null(c, "median");
        assert_null(c, "standardDeviation");
    }
    assert_stat(find(&cols, "n"), "zerosCount", 0.0);
}

#[test]
fn an_empty_frame_counts_no_outliers() {
    let df = df!("n" => Vec::<i64>::new(), "s" => Vec::<&str>::new()).unwrap();
    let cols = columns(&df);
    for c in &cols {
        // No values, so no outliers: a count, 0 — as for an all-missing column with rows.
        assert_stat(c, "zScoreOutliersCount", 0.0);
        assert_eq!(stat(c, "zScoreOutliersSample"), &json!([]));
    }
}

// ---- single and constant values ---------------------------------------------------------------

#[test]
fn a_single_value_has_no_spread_and_one_bucket() {
    let df = df!("x" => [Some(5i64), None]).unwrap();
    let c = column(&df, "x");
    for key in [
        "min",
        "max",
        "mean",
        "median",
        "mode",
        "sum",
        "percentile5",
        "percentile25",
        "percentile75",
        "percentile95",
    ] {
        assert_stat(&c, key, 5.0);
    }
    for key in [
        "range",
        "interquartileRange",
        "medianAbsoluteDeviation",
        "entropy",
    ] {
        assert_stat(&c, key, 0.0);
    }
    // n − 1 = 0: the sample sd and variance are undefined, and so are the moment ratios.
    for key in ["standardDeviation", "variance", "skewness", "kurtosis"] {
        assert_null(&c, key);
    }
    assert_stat(&c, "distinctValuesCount", 1.0);
    assert_stat(&c, "uniqueValuesCount", 1.0);
    assert_stat(&c, "missingValuesCount", 1.0);
    assert_eq!(
        stat(&c, "valueDistribution"),
        &json!([{"bucket": [5, "inf"], "count": 1}])
    );
    assert!(!c.contains_key("zScoreDistribution"));
    assert_stat(&c, "zScoreOutliersCount", 0.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([]));
    assert_eq!(
        stat(&c, "minimumValues"),
        &json!([{"value": 5, "count": 1}])
    );
    assert_eq!(
        stat(&c, "maximumValues"),
        &json!([{"value": 5, "count": 1}])
    );
}

#[test]
fn constant_columns_have_zero_spread_no_outliers_and_no_z_score_distribution() {
    let df = df!(
        "x" => [2.5f64, 2.5, 2.5],
        "s" => ["ab", "cd", "ef"],
    )
    .unwrap();
    let cols = columns(&df);
    let x = find(&cols, "x");
    assert_stat(x, "standardDeviation", 0.0);
    assert_stat(x, "variance", 0.0);
    assert_stat(x, "range", 0.0);
    assert_stat(x, "interquartileRange", 0.0);
    assert_stat(x, "medianAbsoluteDeviation", 0.0);
    assert_stat(x, "mode", 2.5);
    assert_stat(x, "sum", 7.5);
    assert_stat(x, "entropy", 0.0);
    assert_stat(x, "distinctValuesCount", 1.0);
    assert_stat(x, "uniqueValuesCount", 0.0);
    // m2 = 0: skewness m3/m2^1.5 and kurtosis m4/m2² − 3 are 0/0.
    assert_null(x, "skewness");
    assert_null(x, "kurtosis");
    assert_stat(x, "zScoreOutliersCount", 0.0);
    assert_eq!(stat(x, "zScoreOutliersSample"), &json!([]));
    assert!(!x.contains_key("zScoreDistribution"));
    assert_eq!(
        stat(x, "valueDistribution"),
        &json!([{"bucket": [2.5, "inf"], "count": 3}])
    );
    assert_eq!(
        stat(x, "mostCommonValues"),
        &json!([{"value": 2.5, "count": 3}])
    );

    // Three different texts of one length: constant as measured.
    let s = find(&cols, "s");
    assert_stat(s, "standardDeviation", 0.0);
    assert_stat(s, "mean", 2.0);
    assert_stat(s, "zScoreOutliersCount", 0.0);
    assert_eq!(
        stat(s, "valueDistribution"),
        &json!([{"bucket": [2, "inf"], "count": 3}])
    );
    assert_stat(s, "distinctValuesCount", 3.0);
    assert_stat(s, "entropy", 3f64.ln());
}

// ---- text and booleans --------------------------------------------------------------------------

#[test]
fn text_gets_the_default_text_statistics_on_lengths() {
    let df = df!("fruit" => ["pear", "apple", "pear", "apple", "fig"]).unwrap();
    let c = column(&df, "fruit");
    assert_eq!(
        keys(&c),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "distinctValuesCount",
            "uniqueValuesCount",
            "entropy",
            "mostCommonValues",
            "missingValuesCount",
            "max",
            "mean",
            "min",
            "standardDeviation",
            "median",
            "mode",
            "valueDistribution",
            "zScoreOutliersCount",
            "zScoreOutliersSample",
        ]
    );
    assert_eq!(c["type"], json!("string"));
    // lengths 4, 5, 4, 5, 3 → sorted 3, 4, 4, 5, 5
    assert_stat(&c, "min", 3.0);
    assert_stat(&c, "max", 5.0);
    assert_stat(&c, "mean", 4.2); // 21 / 5
    assert_stat(&c, "median", 4.0);
    assert_stat(&c, "mode", 4.0); // 4 and 5 both twice → the smaller
    // deviations −0.2, 0.8, −0.2, 0.8, −1.2 → squares 0.04+0.64+0.04+0.64+1.44 = 2.8 → var 2.8/4
    assert_stat(&c, "standardDeviation", 0.7f64.sqrt());
    // On the values: apple and pear twice (tie → "apple" first), fig once.
    assert_eq!(
        stat(&c, "mostCommonValues"),
        &json!([{"value": "apple", "count": 2}, {"value": "pear", "count": 2}, {"value": "fig", "count": 1}])
    );
    assert_stat(&c, "distinctValuesCount", 3.0);
    assert_stat(&c, "uniqueValuesCount", 1.0);
    // p = 2/5, 2/5, 1/5
    assert_stat(&c, "entropy", -(0.8 * 0.4f64.ln() + 0.2 * 0.2f64.ln()));
    // 20 bins over lengths [3, 5]; fig (3) in the first, the apples (5) in the last.
    let b = buckets(&c, "valueDistribution");
    assert_eq!(b.len(), 20);
    assert_eq!(bound(&b[0].0), 3.0);
    assert_eq!(b[19].1, json!("inf"));
    assert_eq!((b[0].2, b[19].2), (1, 2));
    assert_eq!(counts(&b).iter().sum::<u64>(), 5);
}

#[test]
fn text_length_counts_characters_not_bytes() {
    // "añ": 2 characters (3 bytes); "日本語": 3 characters (9 bytes)
    let df = df!("s" => ["añ", "日本語"]).unwrap();
    let c = column(&df, "s");
    assert_stat(&c, "min", 2.0);
    assert_stat(&c, "max", 3.0);
    assert_stat(&c, "mean", 2.5);
}

#[test]
fn booleans_get_only_the_five_boolean_statistics() {
    let df = df!("b" => [Some(true), Some(false), None, Some(true), Some(false)]).unwrap();
    let c = column(&df, "b");
    assert_eq!(
        keys(&c),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "distinctValuesCount",
            "uniqueValuesCount",
            "entropy",
            "mostCommonValues",
            "missingValuesCount",
        ]
    );
    assert_eq!(c["type"], json!("boolean"));
    assert_stat(&c, "distinctValuesCount", 2.0);
    assert_stat(&c, "uniqueValuesCount", 0.0);
    assert_stat(&c, "missingValuesCount", 1.0);
    // two each → H = ln 2; tie → false (the smaller) first
    assert_stat(&c, "entropy", 2f64.ln());
    assert_eq!(
        stat(&c, "mostCommonValues"),
        &json!([{"value": false, "count": 2}, {"value": true, "count": 2}])
    );
}

#[test]
fn boolean_entropy_and_unique_count() {
    let df = df!("b" => [true, true, true, false]).unwrap();
    let c = column(&df, "b");
    // p = 3/4, 1/4 → H = −(0.75 ln 0.75 + 0.25 ln 0.25)
    assert_stat(&c, "entropy", -(0.75 * 0.75f64.ln() + 0.25 * 0.25f64.ln()));
    assert_stat(&c, "uniqueValuesCount", 1.0); // false once
    assert_eq!(
        stat(&c, "mostCommonValues"),
        &json!([{"value": true, "count": 3}, {"value": false, "count": 1}])
    );
}

// ---- numbers ----------------------------------------------------------------------------------

#[test]
fn numeric_statistics_on_an_even_count() {
    let df = df!("x" => [Some(4i64), None, Some(1), Some(3), Some(2)]).unwrap();
    let c = column(&df, "x");
    assert_eq!(c["type"], json!("long"));
    // present sorted 1, 2, 3, 4 (n = 4)
    assert_stat(&c, "missingValuesCount", 1.0);
    assert_stat(&c, "distinctValuesCount", 4.0);
    assert_stat(&c, "uniqueValuesCount", 4.0);
    assert_stat(&c, "entropy", 4f64.ln()); // uniform over 4
    assert_stat(&c, "min", 1.0);
    assert_stat(&c, "max", 4.0);
    assert_stat(&c, "sum", 10.0);
    assert_stat(&c, "mean", 2.5);
    assert_stat(&c, "range", 3.0);
    assert_stat(&c, "zerosCount", 0.0);
    // deviations −1.5, −0.5, 0.5, 1.5 → Σd² = 5 → var 5/3 (sample)
    assert_stat(&c, "variance", 5.0 / 3.0);
    assert_stat(&c, "standardDeviation", (5.0f64 / 3.0).sqrt());
    // median = (2 + 3)/2; percentile p at rank p·(n−1) = 3p, interpolated
    assert_stat(&c, "median", 2.5);
    assert_stat(&c, "percentile5", 1.15); // rank 0.15: 1 + 0.15·(2−1)
    assert_stat(&c, "percentile25", 1.75); // rank 0.75: 1 + 0.75
    assert_stat(&c, "percentile75", 3.25); // rank 2.25: 3 + 0.25
    assert_stat(&c, "percentile95", 3.85); // rank 2.85: 3 + 0.85
    assert_stat(&c, "interquartileRange", 1.5); // 3.25 − 1.75
    // |x − 2.5| = 1.5, 0.5, 0.5, 1.5 → sorted 0.5, 0.5, 1.5, 1.5 → (0.5 + 1.5)/2
    assert_stat(&c, "medianAbsoluteDeviation", 1.0);
    // symmetric: m3 = 0; m2 = 5/4, m4 = (2·5.0625 + 2·0.0625)/4 = 2.5625 → 2.5625/1.5625 − 3
    assert_stat(&c, "skewness", 0.0);
    assert_stat(&c, "kurtosis", 1.64 - 3.0);
    assert_stat(&c, "mode", 1.0); // all once → the smallest
}

#[test]
fn numeric_statistics_on_an_odd_count_with_skew() {
    let df = df!("x" => [7i64, 0, 2, 0, 1]).unwrap();
    let c = column(&df, "x");
    // sorted 0, 0, 1, 2, 7 (n = 5); sum 10, mean 2
    assert_stat(&c, "sum", 10.0);
    assert_stat(&c, "mean", 2.0);
    assert_stat(&c, "zerosCount", 2.0);
    assert_stat(&c, "distinctValuesCount", 4.0);
    assert_stat(&c, "uniqueValuesCount", 3.0);
    // p = 2/5, 1/5, 1/5, 1/5
    assert_stat(
        &c,
        "entropy",
        -(0.4 * 0.4f64.ln() + 3.0 * 0.2 * 0.2f64.ln()),
    );
    // deviations −2, −2, −1, 0, 5 → Σd² = 4+4+1+0+25 = 34 → var 34/4
    assert_stat(&c, "variance", 8.5);
    assert_stat(&c, "standardDeviation", 8.5f64.sqrt());
    assert_stat(&c, "median", 1.0);
    // rank p·4: 0.2 → 0; 1 → 0; 3 → 2; 3.8 → 2 + 0.8·(7 − 2) = 6
    assert_stat(&c, "percentile5", 0.0);
    assert_stat(&c, "percentile25", 0.0);
    assert_stat(&c, "percentile75", 2.0);
    assert_stat(&c, "percentile95", 6.0);
    assert_stat(&c, "interquartileRange", 2.0);
    // |x − 1| = 1, 1, 0, 1, 6 → sorted 0, 1, 1, 1, 6 → 1
    assert_stat(&c, "medianAbsoluteDeviation", 1.0);
    // population moments: m2 = 34/5 = 6.8; Σd³ = −8−8−1+0+125 = 108 → m3 = 21.6;
    // Σd⁴ = 16+16+1+0+625 = 658 → m4 = 131.6
    assert_stat(&c, "skewness", 21.6 / 6.8f64.powf(1.5));
    assert_stat(&c, "kurtosis", 131.6 / (6.8 * 6.8) - 3.0);
    assert_stat(&c, "mode", 0.0);
    assert_eq!(
        stat(&c, "mostCommonValues"),
        &json!([
            {"value": 0, "count": 2}, {"value": 1, "count": 1},
            {"value": 2, "count": 1}, {"value": 7, "count": 1}
        ])
    );
    // 20 bins over [0, 7], width 0.35, edges rounded (integer column):
    // 0 → bin 0; 1 → 1/0.35 = 2.86 → bin 2; 2 → 5.71 → bin 5; 7 → 20 → the last bin
    let b = buckets(&c, "valueDistribution");
    assert_eq!(counts(&b), sparse(20, &[(0, 2), (2, 1), (5, 1), (19, 1)]));
    assert_eq!((b[0].0.clone(), b[0].1.clone()), (json!(0), json!(0))); // [0, 0.35]
    assert_eq!((b[2].0.clone(), b[2].1.clone()), (json!(1), json!(1))); // [0.7, 1.05]
    assert_eq!((b[5].0.clone(), b[5].1.clone()), (json!(2), json!(2))); // [1.75, 2.1]
    assert_eq!((b[19].0.clone(), b[19].1.clone()), (json!(7), json!("inf"))); // [6.65, inf]
    // z-scores: z = (x − 2)/√8.5, bins over [z(0), z(7)] = [−2/√8.5, 5/√8.5]: the same
    // linear map, so the same counts per bin.
    let sd = 8.5f64.sqrt();
    let (zlo, zhi) = (-2.0 / sd, 5.0 / sd);
    let w = (zhi - zlo) / 20.0;
    let z = buckets(&c, "zScoreDistribution");
    assert_eq!(counts(&z), sparse(20, &[(0, 2), (2, 1), (5, 1), (19, 1)]));
    assert_eq!(z[0].0, json!("-inf"));
    close(&z[0].1, zlo + w);
    for (k, (lo, hi, _)) in z.iter().enumerate().skip(1).take(18) {
        close(lo, zlo + w * k as f64);
        close(hi, zlo + w * (k + 1) as f64);
    }
    close(&z[19].0, zlo + 19.0 * w);
    assert_eq!(z[19].1, json!("inf"));
    assert_stat(&c, "zScoreOutliersCount", 0.0); // max |z| = 5/2.92 = 1.71
}

#[test]
fn percentiles_of_two_values_interpolate_between_them() {
    let df = df!("x" => [20i64, 10]).unwrap();
    let c = column(&df, "x");
    // rank p·(n − 1) = p: 10 + p·10
    assert_stat(&c, "percentile5", 10.5);
    assert_stat(&c, "percentile25", 12.5);
    assert_stat(&c, "median", 15.0);
    assert_stat(&c, "percentile75", 17.5);
    assert_stat(&c, "percentile95", 19.5);
    assert_stat(&c, "interquartileRange", 5.0);
    assert_stat(&c, "medianAbsoluteDeviation", 5.0); // |x − 15| = 5, 5
    assert_stat(&c, "standardDeviation", 50f64.sqrt()); // (25 + 25)/1
    // m2 = 25, m4 = 625 → 625/625 − 3
    assert_stat(&c, "kurtosis", -2.0);
    assert_stat(&c, "skewness", 0.0);
}

#[test]
fn numeric_attributes_follow_databrew_order() {
    let df = df!("x" => [1.5f64, 2.0, 7.25]).unwrap();
    let c = column(&df, "x");
    let mut expected = NUMERIC_KEYS.to_vec();
    expected.insert(2, "correlations");
    assert_eq!(keys(&c), expected);
    assert_eq!(c["type"], json!("double"));
    assert_eq!(c["correlations"], json!({"x": 1}));
}

#[test]
fn negative_numbers_and_zeros() {
    let df = df!("x" => [-3i64, 0, -1, 0, 4]).unwrap();
    let c = column(&df, "x");
    // sorted −3, −1, 0, 0, 4
    assert_stat(&c, "zerosCount", 2.0);
    assert_stat(&c, "min", -3.0);
    assert_stat(&c, "max", 4.0);
    assert_stat(&c, "sum", 0.0);
    assert_stat(&c, "mean", 0.0);
    assert_stat(&c, "range", 7.0);
    assert_stat(&c, "mode", 0.0);
    assert_stat(&c, "variance", 6.5); // (9 + 0 + 1 + 0 + 16)/4
    assert_stat(&c, "median", 0.0);
    assert_stat(&c, "percentile5", -2.6); // rank 0.2: −3 + 0.2·2
    assert_stat(&c, "percentile25", -1.0); // rank 1
    assert_stat(&c, "percentile75", 0.0); // rank 3
    assert_stat(&c, "percentile95", 3.2); // rank 3.8: 0 + 0.8·4
    assert_stat(&c, "medianAbsoluteDeviation", 1.0); // |x| sorted 0, 0, 1, 3, 4
    assert_eq!(
        stat(&c, "minimumValues"),
        &json!([
            {"value": -3, "count": 1}, {"value": -1, "count": 1},
            {"value": 0, "count": 2}, {"value": 4, "count": 1}
        ])
    );
    assert_eq!(
        stat(&c, "maximumValues"),
        &json!([
            {"value": 4, "count": 1}, {"value": 0, "count": 2},
            {"value": -1, "count": 1}, {"value": -3, "count": 1}
        ])
    );
}

#[test]
fn mode_ties_go_to_the_smallest_value() {
    let df = df!(
        "i" => [3i64, 1, 3, 1, 2],
        "f" => [2.5f64, -1.5, 2.5, -1.5, 0.0],
        "s" => ["aa", "bb", "c", "d", "ee"],
    )
    .unwrap();
    let cols = columns(&df);
    assert_stat(find(&cols, "i"), "mode", 1.0); // 1 and 3 twice
    assert_stat(find(&cols, "f"), "mode", -1.5); // −1.5 and 2.5 twice
    // lengths 2, 2, 1, 1, 2 → 2 three times
    assert_stat(find(&cols, "s"), "mode", 2.0);
    let df = df!("s" => ["aa", "bb", "c", "d"]).unwrap();
    // lengths 2, 2, 1, 1 → tie → 1
    assert_stat(&column(&df, "s"), "mode", 1.0);
}

#[test]
fn entropy_is_in_natural_log_units() {
    let df = df!(
        "x" => [1i64, 2, 3, 4],
        "s" => ["a", "a", "b", ""],
    )
    .unwrap();
    let cols = columns(&df);
    assert_stat(find(&cols, "x"), "entropy", 4f64.ln()); // 1.386…, not log2 4 = 2
    // present a, a, b: p = 2/3, 1/3 → ln 3 − (2/3) ln 2
    assert_stat(
        find(&cols, "s"),
        "entropy",
        -(2.0 / 3.0 * (2.0f64 / 3.0).ln() + 1.0 / 3.0 * (1.0f64 / 3.0).ln()),
    );
}

#[test]
fn minimum_and_maximum_values_list_five_with_counts() {
    let df = df!("x" => [5i64, 1, 7, 3, 3, 2, 6, 4, 7, 7]).unwrap();
    let c = column(&df, "x");
    // counts: 1:1 2:1 3:2 4:1 5:1 6:1 7:3
    assert_eq!(
        stat(&c, "minimumValues"),
        &json!([
            {"value": 1, "count": 1}, {"value": 2, "count": 1}, {"value": 3, "count": 2},
            {"value": 4, "count": 1}, {"value": 5, "count": 1}
        ])
    );
    assert_eq!(
        stat(&c, "maximumValues"),
        &json!([
            {"value": 7, "count": 3}, {"value": 6, "count": 1}, {"value": 5, "count": 1},
            {"value": 4, "count": 1}, {"value": 3, "count": 2}
        ])
    );
    assert_eq!(
        stat(&c, "mostCommonValues"),
        &json!([
            {"value": 7, "count": 3}, {"value": 3, "count": 2}, {"value": 1, "count": 1},
            {"value": 2, "count": 1}, {"value": 4, "count": 1}, {"value": 5, "count": 1},
            {"value": 6, "count": 1}
        ])
    );

    let config = yaml(
        r#"
ColumnStatisticsConfigurations:
  - Selectors: [{Name: x}]
    Statistics:
      Overrides:
        - {Statistic: MINIMUM_VALUES, Parameters: {sampleSize: "2"}}
        - {Statistic: MAXIMUM_VALUES, Parameters: {sampleSize: "ALL"}}
        - {Statistic: MOST_COMMON_VALUES, Parameters: {sampleSize: "3"}}
"#,
    );
    let cols = run_profile(&df, &config).2;
    let c = find(&cols, "x");
    assert_eq!(
        stat(c, "minimumValues"),
        &json!([{"value": 1, "count": 1}, {"value": 2, "count": 1}])
    );
    assert_eq!(
        stat(c, "maximumValues"),
        &json!([
            {"value": 7, "count": 3}, {"value": 6, "count": 1}, {"value": 5, "count": 1},
            {"value": 4, "count": 1}, {"value": 3, "count": 2}, {"value": 2, "count": 1},
            {"value": 1, "count": 1}
        ])
    );
    assert_eq!(
        stat(c, "mostCommonValues"),
        &json!([{"value": 7, "count": 3}, {"value": 3, "count": 2}, {"value": 1, "count": 1}])
    );
}

#[test]
fn float_minimum_values_keep_fractions() {
    let df = df!("x" => [Some(0.25f64), Some(-1.5), None, Some(0.25), Some(3.0)]).unwrap();
    let c = column(&df, "x");
    assert_eq!(
        stat(&c, "minimumValues"),
        &json!([{"value": -1.5, "count": 1}, {"value": 0.25, "count": 2}, {"value": 3, "count": 1}])
    );
    assert_eq!(
        stat(&c, "maximumValues"),
        &json!([{"value": 3, "count": 1}, {"value": 0.25, "count": 2}, {"value": -1.5, "count": 1}])
    );
}

#[test]
fn most_common_values_default_to_fifty_and_all_lists_every_value() {
    // 60 distinct values, each once (given in descending order): ties → ascending.
    let df = df!("x" => (0..60i64).rev().collect::<Vec<_>>()).unwrap();
    let c = column(&df, "x");
    let expected: Vec<Value> = (0..50).map(|v| json!({"value": v, "count": 1})).collect();
    assert_eq!(stat(&c, "mostCommonValues"), &Value::Array(expected));
    let config = yaml(
        "ColumnStatisticsConfigurations:\n  - Selectors: [{Regex: '^x$'}]\n    Statistics:\n      Overrides: [{Statistic: MOST_COMMON_VALUES, Parameters: {sampleSize: ALL}}]\n",
    );
    let cols = run_profile(&df, &config).2;
    let expected: Vec<Value> = (0..60).map(|v| json!({"value": v, "count": 1})).collect();
    assert_eq!(stat(&cols[0], "mostCommonValues"), &Value::Array(expected));
}

// ---- distributions ----------------------------------------------------------------------------

#[test]
fn value_distribution_has_twenty_equal_width_bins_by_default() {
    let df = df!("x" => [Some(10.0f64), Some(0.0), None, Some(2.5), Some(9.0), Some(1.0)]).unwrap();
    let c = column(&df, "x");
    // [0, 10] in 20 bins of 0.5: bin k = [0.5k, 0.5(k+1)), the last open above.
    // 0 → 0; 1 → 2; 2.5 → 5 (lower edge inclusive); 9 → 18; 10 (the max) → 19
    let b = buckets(&c, "valueDistribution");
    assert_eq!(b.len(), 20);
    assert_eq!(
        counts(&b),
        sparse(20, &[(0, 1), (2, 1), (5, 1), (18, 1), (19, 1)])
    );
    for (k, (lo, hi, _)) in b.iter().enumerate() {
        assert_eq!(bound(lo), 0.5 * k as f64, "bucket {k}");
        if k < 19 {
            assert_eq!(bound(hi), 0.5 * (k + 1) as f64, "bucket {k}");
        }
    }
    assert_eq!(b[19].1, json!("inf"));
    // the counts add up to the present values (5; the null is not counted)
    assert_eq!(counts(&b).iter().sum::<u64>(), 5);
}

#[test]
fn integer_value_distribution_edges_are_rounded() {
    let df = df!("x" => [0i64, 3, 12]).unwrap();
    let config = yaml(
        "ColumnStatisticsConfigurations:\n  - Selectors: [{Name: x}]\n    Statistics:\n      Overrides: [{Statistic: VALUE_DISTRIBUTION, Parameters: {binNumber: '5'}}]\n",
    );
    let cols = run_profile(&df, &config).2;
    // 5 bins over [0, 12], width 2.4: edges 0, 2.4, 4.8, 7.2, 9.6 → 0, 2, 5, 7, 10
    // 0 → bin 0; 3 → 3/2.4 = 1.25 → bin 1; 12 → 5 → the last bin
    assert_eq!(
        stat(&cols[0], "valueDistribution"),
        &json!([
            {"bucket": [0, 2], "count": 1},
            {"bucket": [2, 5], "count": 1},
            {"bucket": [5, 7], "count": 0},
            {"bucket": [7, 10], "count": 0},
            {"bucket": [10, "inf"], "count": 1}
        ])
    );
}

#[test]
fn z_score_distribution_spans_the_z_of_min_and_max_with_open_ends() {
    let df = df!("x" => [-1.0f64, 0.0, 1.0]).unwrap();
    let config = yaml(
        "ColumnStatisticsConfigurations:\n  - Selectors: [{Name: x}]\n    Statistics:\n      Overrides: [{Statistic: Z_SCORE_DISTRIBUTION, Parameters: {binNumber: '4'}}]\n",
    );
    let cols = run_profile(&df, &config).2;
    let c = &cols[0];
    // mean 0, sd √((1 + 0 + 1)/2) = 1 → z = −1, 0, 1; 4 bins over [−1, 1], width 0.5:
    // −1 → 0; 0 → 2; 1 → the last
    assert_eq!(
        stat(c, "zScoreDistribution"),
        &json!([
            {"bucket": ["-inf", -0.5], "count": 1},
            {"bucket": [-0.5, 0], "count": 0},
            {"bucket": [0, 0.5], "count": 1},
            {"bucket": [0.5, "inf"], "count": 1}
        ])
    );
    // the value distribution keeps its own default of 20 bins
    assert_eq!(buckets(c, "valueDistribution").len(), 20);
}

// ---- z-score outliers -------------------------------------------------------------------------

#[test]
fn z_score_outliers_use_threshold_three_by_default() {
    let mut v = vec![0i64; 10];
    v.push(11);
    let df = df!("x" => v).unwrap();
    let c = column(&df, "x");
    // mean 11/11 = 1; Σd² = 10·1 + 10² = 110 → sd √(110/10) = √11
    // z(11) = 10/√11 = 3.015 > 3; z(0) = −1/√11
    assert_stat(&c, "standardDeviation", 11f64.sqrt());
    assert_stat(&c, "zScoreOutliersCount", 1.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([11]));
    assert!(!c.contains_key("zScoreMildOutliersCount"));
    let sd = 11f64.sqrt();
    let (zlo, zhi) = (-1.0 / sd, 10.0 / sd);
    let w = (zhi - zlo) / 20.0;
    let z = buckets(&c, "zScoreDistribution");
    assert_eq!(counts(&z), sparse(20, &[(0, 10), (19, 1)]));
    assert_eq!(z[0].0, json!("-inf"));
    close(&z[0].1, zlo + w);
    close(&z[19].0, zlo + 19.0 * w);
    assert_eq!(z[19].1, json!("inf"));
}

#[test]
fn z_score_outliers_are_strictly_above_the_threshold() {
    let df = df!("x" => [-1.0f64, 0.0, 1.0]).unwrap();
    let with = |threshold: &str| {
        let config = yaml(&format!(
            "ColumnStatisticsConfigurations:\n  - Selectors: [{{Name: x}}]\n    Statistics:\n      Overrides: [{{Statistic: OUTLIER_DETECTION, Parameters: {{threshold: '{threshold}'}}}}]\n"
        ));
        run_profile(&df, &config).2.remove(0)
    };
    // sd 1, z = −1, 0, 1: |z| = 1 is not above 1
    let c = with("1");
    assert_stat(&c, "zScoreOutliersCount", 0.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([]));
    let c = with("0.5");
    assert_stat(&c, "zScoreOutliersCount", 2.0);
    let mut sample: Vec<f64> = stat(&c, "zScoreOutliersSample")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    sample.sort_by(f64::total_cmp);
    assert_eq!(sample, [-1.0, 1.0]);
}

#[test]
fn z_score_outlier_sample_is_ordered_by_absolute_z() {
    let df = df!("x" => [3i64, -5, 0, 0, 0, 0, 8, -6]).unwrap();
    let with = |params: &str| {
        let config = yaml(&format!(
            "ColumnStatisticsConfigurations:\n  - Selectors: [{{Name: x}}]\n    Statistics:\n      Overrides: [{{Statistic: OUTLIER_DETECTION, Parameters: {params}}}]\n"
        ));
        run_profile(&df, &config).2.remove(0)
    };
    // mean 0; Σd² = 9 + 25 + 64 + 36 = 134 → sd √(134/7) = 4.375
    // z: 8 → 1.83, −6 → −1.37, −5 → −1.14, 3 → 0.69, 0 → 0
    let c = with("{threshold: '1'}");
    assert_stat(&c, "zScoreOutliersCount", 3.0);
    // by |z| descending: neither ascending (−6, −5, 8) nor descending (8, −5, −6) by value
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([8, -6, -5]));
    assert!(!c.contains_key("zScoreMildOutliersCount"));
    // sampleSize limits the sample, not the count
    let c = with("{threshold: '1', sampleSize: '2'}");
    assert_stat(&c, "zScoreOutliersCount", 3.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([8, -6]));
    // mild: 0.5 < |z| ≤ 1 → only 3
    let c = with("{threshold: '1', mildThreshold: '0.5'}");
    assert_stat(&c, "zScoreMildOutliersCount", 1.0);
    // the default threshold 3: none
    let c = column(&df, "x");
    assert_stat(&c, "zScoreOutliersCount", 0.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([]));
}

#[test]
fn text_outliers_are_measured_on_length() {
    let mut v = vec!["a"; 10];
    v.push("abcdefghijkl");
    let df = df!("s" => v).unwrap();
    let c = column(&df, "s");
    // lengths 1 ×10 and 12: mean 22/11 = 2, Σd² = 10 + 100 → sd √11, z(12) = 10/√11 = 3.015
    assert_stat(&c, "mean", 2.0);
    assert_stat(&c, "standardDeviation", 11f64.sqrt());
    assert_stat(&c, "zScoreOutliersCount", 1.0);
    assert_eq!(stat(&c, "zScoreOutliersSample"), &json!([12]));
}

#[test]
fn a_nan_does_not_empty_the_value_distribution() {
    let df = df!("x" => [1.0f64, f64::NAN, 3.0]).unwrap();
    let c = column(&df, "x");
    // The profile reports min 1 and max 3 (the NaN is passed over) ...
    assert_stat(&c, "min", 1.0);
    assert_stat(&c, "max", 3.0);
    // ... so the distribution over [1, 3] holds 1 in its first bucket and 3 in its last.
    let b = buckets(&c, "valueDistribution");
    assert_eq!(bound(&b[0].0), 1.0);
    assert_eq!((b[0].2, b[19].2), (1, 1), "{b:?}");
    // and the median of what is measured is not undefined
    assert_ne!(stat(&c, "median"), &Value::Null);
}

// ---- large integers ---------------------------------------------------------------------------

#[test]
fn integers_below_nine_quadrillion_are_exact_json_integers() {
    // 8 999 999 999 999 999 < 2^53, so exact in a double too
    let big = 8_999_999_999_999_999i64;
    let df = df!("x" => [-big, 0, big]).unwrap();
    let c = column(&df, "x");
    assert_eq!(stat(&c, "min"), &json!(-big));
    assert_eq!(stat(&c, "max"), &json!(big));
    assert_eq!(stat(&c, "sum"), &json!(0));
    assert_eq!(
        stat(&c, "minimumValues"),
        &json!([{"value": -big, "count": 1}, {"value": 0, "count": 1}, {"value": big, "count": 1}])
    );
}

#[test]
fn integers_near_the_i64_limits_are_exact() {
    let df = df!("x" => [i64::MAX, i64::MIN + 1, 0, i64::MIN, i64::MAX - 1]).unwrap();
    let x = column(&df, "x");
    assert_eq!(stat(&x, "min"), &json!(i64::MIN));
    assert_eq!(stat(&x, "max"), &json!(i64::MAX));
    assert_eq!(
        stat(&x, "minimumValues"),
        &json!([
            {"value": i64::MIN, "count": 1}, {"value": i64::MIN + 1, "count": 1},
            {"value": 0, "count": 1}, {"value": i64::MAX - 1, "count": 1},
            {"value": i64::MAX, "count": 1}
        ])
    );
    assert_eq!(
        stat(&x, "maximumValues"),
        &json!([
            {"value": i64::MAX, "count": 1}, {"value": i64::MAX - 1, "count": 1},
            {"value": 0, "count": 1}, {"value": i64::MIN + 1, "count": 1},
            {"value": i64::MIN, "count": 1}
        ])
    );
    // all once → ascending
    assert_eq!(
        stat(&x, "mostCommonValues")[0],
        json!({"value": i64::MIN, "count": 1})
    );
    // 2^53 + 1 and 2^53 + 3: no double holds them
    let df = df!("y" => [9_007_199_254_740_993i64, 9_007_199_254_740_995]).unwrap();
    let y = column(&df, "y");
    assert_eq!(stat(&y, "min"), &json!(9_007_199_254_740_993i64));
    assert_eq!(stat(&y, "max"), &json!(9_007_199_254_740_995i64));
    assert_eq!(
        stat(&y, "minimumValues")[0],
        json!({"value": 9_007_199_254_740_993i64, "count": 1})
    );
}

// ---- dataset statistics -----------------------------------------------------------------------

#[test]
fn duplicate_rows_count_rows_repeating_an_earlier_row() {
    let df = df!(
        "a" => [Some(1i64), Some(1), Some(2), Some(1), Some(2), Some(1), None, None],
        "b" => [Some("x"), Some("x"), Some("y"), Some("x"), Some("y"), Some("z"), None, None],
    )
    .unwrap();
    // (1,x) (1,x)* (2,y) (1,x)* (2,y)* (1,z) (∅,∅) (∅,∅)* → 4 repeats
    let (rows, duplicates, _) = run_profile(&df, &ProfileConfig::default());
    assert_eq!((rows, duplicates), (8, Some(4)));

    // A column not profiled (a Date) still tells rows apart: row 2 is no longer a repeat.
    let with_date = df
        .lazy()
        .with_column(
            lit(Series::new("d".into(), [1i32, 2, 1, 1, 1, 1, 1, 1]))
                .cast(DataType::Date)
                .alias("d"),
        )
        .collect()
        .unwrap();
    let (_, duplicates, cols) = run_profile(&with_date, &ProfileConfig::default());
    assert_eq!(duplicates, Some(3));
    assert_eq!(names(&cols), ["a", "b"]);
    // Empty text and null compare equal; whitespace is a value.
    let df = df!(
        "a" => [1i64, 1, 1, 1],
        "b" => [None, Some(""), Some(" "), Some(" ")],
    )
    .unwrap();
    // (1,∅) (1,"")* (1," ") (1," ")* → 2
    assert_eq!(run_profile(&df, &ProfileConfig::default()).1, Some(2));
}

/// Four numeric columns (a, b = 2a, c = 5 − a, d a shuffle of a) and two others.
fn correlated() -> DataFrame {
    df!(
        "a" => [1i64, 2, 3, 4],
        "s" => ["p", "q", "r", "s"],
        "b" => [2i32, 4, 6, 8],
        "flag" => [true, false, true, false],
        "c" => [4.0f64, 3.0, 2.0, 1.0],
        "d" => [1i64, 3, 2, 4],
    )
    .unwrap()
}

#[test]
fn correlations_are_pearson_between_numeric_columns() {
    let cols = columns(&correlated());
    // d vs a: deviations (−1.5, 0.5, −0.5, 1.5) · (−1.5, −0.5, 0.5, 1.5) = 2.25 − 0.25 − 0.25
    // + 2.25 = 4; Σ squares 5 and 5 → r = 4/5. c = 5 − a → r(c, ·) = −r(a, ·).
    let expected = [
        ("a", [1.0, 1.0, -1.0, 0.8]),
        ("b", [1.0, 1.0, -1.0, 0.8]),
        ("c", [-1.0, -1.0, 1.0, -0.8]),
        ("d", [0.8, 0.8, -0.8, 1.0]),
    ];
    for (name, row) in expected {
        let corr = stat(find(&cols, name), "correlations").as_object().unwrap();
        assert_eq!(
            corr.keys().map(String::as_str).collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
        for (other, r) in ["a", "b", "c", "d"].iter().zip(row) {
            close(&corr[*other], r);
        }
    }
    assert!(!find(&cols, "s").contains_key("correlations"));
    assert!(!find(&cols, "flag").contains_key("correlations"));
}

#[test]
fn correlations_skip_rows_with_a_missing_value_and_are_null_for_constants() {
    let df = df!(
        "a" => [Some(1i64), Some(2), Some(3), Some(4), Some(5)],
        "e" => [Some(1i64), Some(3), Some(2), Some(4), None],
        "k" => [Some(7i64), Some(7), Some(7), Some(7), Some(7)],
    )
    .unwrap();
    let cols = columns(&df);
    let a = stat(find(&cols, "a"), "correlations");
    // pairs with e present: a 1..4 with e 1, 3, 2, 4 → r = 4/5 (as above)
    close(&a["e"], 0.8);
    // k has no variance: r = 0/0
    assert_eq!(a["k"], Value::Null);
    assert_eq!(stat(find(&cols, "e"), "correlations")["k"], Value::Null);
}

/// Regression: the sums were named after the columns, so `x:y`+`z` and `x`+`y:z` clashed
/// and the whole profile failed.
#[test]
fn correlations_of_columns_with_colons_in_their_names() {
    let df = df!(
        "x:y" => [1i64, 2, 3],
        "z" => [1i64, 2, 4],
        "x" => [3i64, 2, 1],
        "y:z" => [1i64, 2, 3],
    )
    .unwrap();
    let cols = columns(&df);
    let xy = stat(find(&cols, "x:y"), "correlations");
    close(&xy["y:z"], 1.0);
    close(&xy["x"], -1.0);
    close(&stat(find(&cols, "x"), "correlations")["y:z"], -1.0);
}

/// `n` numeric columns c0, c1, … with c_k = [0, 1, 2 + k].
fn wide(n: usize) -> DataFrame {
    let cols: Vec<polars::prelude::Column> = (0..n)
        .map(|k| Series::new(format!("c{k}").into(), [0i64, 1, 2 + k as i64]).into())
        .collect();
    DataFrame::new_infer_height(cols).unwrap()
}

#[test]
fn correlations_cover_the_first_ten_numeric_columns_by_default() {
    let cols = columns(&wide(11));
    let first_ten: Vec<String> = (0..10).map(|k| format!("c{k}")).collect();
    for c in &cols[..10] {
        let corr = stat(c, "correlations").as_object().unwrap();
        assert_eq!(corr.keys().cloned().collect::<Vec<_>>(), first_ten);
    }
    assert!(!cols[10].contains_key("correlations"));
    // c0 = [0, 1, 2], c1 = [0, 1, 3]: deviations (−1, 0, 1) · (−4/3, −1/3, 5/3) = 3;
    // Σ squares 2 and 16/9 + 1/9 + 25/9 = 14/3 → r = 3/√(2 · 14/3)
    close(
        &cols[0]["correlations"]["c1"],
        3.0 / (2.0 * 14.0 / 3.0f64).sqrt(),
    );
}

#[test]
fn correlation_column_number_limits_or_extends_the_columns() {
    let config = |n: &str| {
        yaml(&format!(
            "DatasetStatisticsConfiguration:\n  Overrides: [{{Statistic: CORRELATION, Parameters: {{columnNumber: '{n}'}}}}]\n"
        ))
    };
    let cols = run_profile(&wide(11), &config("ALL")).2;
    for c in &cols {
        assert_eq!(stat(c, "correlations").as_object().unwrap().len(), 11);
    }
    let cols = run_profile(&correlated(), &config("2")).2;
    // the first two numeric columns: a and b (s is text)
    assert_eq!(
        stat(find(&cols, "a"), "correlations"),
        &json!({"a": 1, "b": 1})
    );
    assert_eq!(
        stat(find(&cols, "b"), "correlations"),
        &json!({"a": 1, "b": 1})
    );
    assert!(!find(&cols, "c").contains_key("correlations"));
    assert!(!find(&cols, "d").contains_key("correlations"));
}

#[test]
fn correlation_column_selectors_pick_the_columns() {
    let config = yaml(
        r#"
DatasetStatisticsConfiguration:
  Overrides:
    - Statistic: CORRELATION
      Parameters: {columnSelectors: '[{"name": "a"}, {"regex": "^[cd]$"}]'}
"#,
    );
    let cols = run_profile(&correlated(), &config).2;
    let a = stat(find(&cols, "a"), "correlations").as_object().unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), ["a", "c", "d"]);
    close(&a["c"], -1.0);
    close(&a["d"], 0.8);
    assert!(!find(&cols, "b").contains_key("correlations"));
}

/// Regression: a bad selector list was ignored (an invalid regex matched nothing).
#[test]
fn an_invalid_correlation_selector_is_an_error() {
    let config = yaml(
        r#"
DatasetStatisticsConfiguration:
  Overrides:
    - Statistic: CORRELATION
      Parameters: {columnSelectors: '[{"regex": "(a"}]'}
"#,
    );
    let df = correlated();
    let schema = df.schema().as_ref().clone();
    let t = targets(&schema, &config);
    let Err(datacook::Error::Invalid(d)) = profile(&df.lazy(), &schema, &config, &t, None) else {
        panic!("expected the bad selector to fail the profile")
    };
    assert!(
        d[0].to_string()
            .contains("invalid column selector regex '(a'"),
        "{}",
        d[0]
    );
}

#[test]
fn dataset_included_statistics_choose_duplicates_and_correlations() {
    let df = df!("a" => [1i64, 1, 2], "b" => [3i64, 3, 1]).unwrap();
    let run = |stats: &str| {
        run_profile(
            &df,
            &yaml(&format!(
                "DatasetStatisticsConfiguration: {{IncludedStatistics: [{stats}]}}\n"
            )),
        )
    };
    let (_, duplicates, cols) = run("DUPLICATE_ROWS_COUNT");
    assert_eq!(duplicates, Some(1));
    assert!(cols.iter().all(|c| !c.contains_key("correlations")));
    let (_, duplicates, cols) = run("CORRELATION");
    assert_eq!(duplicates, None);
    // a: 1, 1, 2 and b: 3, 3, 1 → b = 5 − 2a → r = −1
    close(&cols[0]["correlations"]["b"], -1.0);
    let (_, duplicates, cols) = run("NONE");
    assert_eq!(duplicates, None);
    assert!(cols.iter().all(|c| !c.contains_key("correlations")));
}

// ---- configuration ----------------------------------------------------------------------------

#[test]
fn profile_columns_select_by_name_and_regex_in_schema_order() {
    let df = df!(
        "a" => [1i64, 2],
        "x_1" => [3i64, 5],
        "b" => [2i64, 1],
        "y_x_" => [0i64, 0],
        "x_2" => [1i64, 1],
    )
    .unwrap();
    let config = yaml("ProfileColumns: [{Regex: '^x_'}, {Name: b}]\n");
    let cols = run_profile(&df, &config).2;
    assert_eq!(names(&cols), ["x_1", "b", "x_2"]);
    // correlations only among the profiled columns; x_1 vs b: (3, 5) vs (2, 1) → −1
    let corr = stat(&cols[0], "correlations").as_object().unwrap();
    assert_eq!(corr.keys().collect::<Vec<_>>(), ["x_1", "b", "x_2"]);
    close(&corr["b"], -1.0);
}

#[test]
fn the_last_matching_column_configuration_wins() {
    let df = df!("a" => [1i64, 2, 3], "b" => [1i64, 2, 6]).unwrap();
    let regex_all =
        "  - Selectors: [{Regex: '.*'}]\n    Statistics: {IncludedStatistics: [MEAN, MEDIAN]}\n";
    let name_b = "  - Selectors: [{Name: b}]\n    Statistics: {IncludedStatistics: [MAX]}\n";
    // overrides only: does not reset the included statistics
    let overrides_a = "  - Selectors: [{Name: a}]\n    Statistics: {Overrides: [{Statistic: VALUE_DISTRIBUTION, Parameters: {binNumber: '2'}}]}\n";
    let run = |configs: &[&str]| {
        let text = format!(
            "{NO_DATASET_STATS}ColumnStatisticsConfigurations:\n{}",
            configs.concat()
        );
        run_profile(&df, &yaml(&text)).2
    };
    let cols = run(&[regex_all, name_b, overrides_a]);
    assert_eq!(
        keys(&cols[0]),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "mean",
            "median"
        ]
    );
    assert_stat(&cols[0], "mean", 2.0);
    assert_eq!(
        keys(&cols[1]),
        ["name", "type", "columnConfigurationOverride", "max"]
    );
    assert_stat(&cols[1], "max", 6.0);
    // the other way round the regex configuration comes last, for both columns
    let cols = run(&[name_b, regex_all]);
    for c in &cols {
        assert_eq!(
            keys(c),
            [
                "name",
                "type",
                "columnConfigurationOverride",
                "mean",
                "median"
            ]
        );
    }
    assert_stat(&cols[1], "median", 2.0);
}

#[test]
fn none_includes_no_statistics() {
    let df = df!("n" => [1i64, 2], "s" => ["a", "b"], "b" => [true, false]).unwrap();
    let config = yaml(&format!(
        "{NO_DATASET_STATS}ColumnStatisticsConfigurations:\n  - Selectors: [{{Regex: '.*'}}]\n    Statistics: {{IncludedStatistics: [NONE]}}\n"
    ));
    let (_, duplicates, cols) = run_profile(&df, &config);
    assert_eq!(duplicates, None);
    assert_eq!(names(&cols), ["n", "s", "b"]);
    for c in &cols {
        assert_eq!(keys(c), ["name", "type", "columnConfigurationOverride"]);
    }
}

#[test]
fn overrides_accumulate_and_keep_the_default_statistics() {
    let df = df!("x" => [3i64, -5, 0, 0, 0, 0, 8, -6]).unwrap();
    let config = yaml(&format!(
        r#"{NO_DATASET_STATS}ColumnStatisticsConfigurations:
  - Selectors: [{{Regex: '.*'}}]
    Statistics:
      Overrides: [{{Statistic: OUTLIER_DETECTION, Parameters: {{threshold: '1'}}}}]
  - Selectors: [{{Name: x}}]
    Statistics:
      Overrides:
        - {{Statistic: OUTLIER_DETECTION, Parameters: {{sampleSize: '2'}}}}
        - {{Statistic: VALUE_DISTRIBUTION, Parameters: {{binNumber: '2'}}}}
"#
    ));
    let cols = run_profile(&df, &config).2;
    let c = &cols[0];
    assert_eq!(keys(c), NUMERIC_KEYS);
    // threshold 1 from the first configuration, sampleSize 2 from the second (z as in
    // z_score_outlier_sample_is_ordered_by_absolute_z: 8, −6, −5 are above 1)
    assert_stat(c, "zScoreOutliersCount", 3.0);
    assert_eq!(stat(c, "zScoreOutliersSample"), &json!([8, -6]));
    // 2 bins over [−6, 8], width 7: edges −6, 1; −6, −5, 0 ×4 → first; 3, 8 → second
    assert_eq!(
        stat(c, "valueDistribution"),
        &json!([{"bucket": [-6, 1], "count": 6}, {"bucket": [1, "inf"], "count": 2}])
    );
    assert_eq!(buckets(c, "zScoreDistribution").len(), 20);
}

#[test]
fn a_later_override_of_the_same_parameter_wins() {
    let df = df!("x" => [3i64, -5, 0, 0, 0, 0, 8, -6]).unwrap();
    let threshold = |t: &str| {
        format!(
            "  - Selectors: [{{Name: x}}]\n    Statistics: {{Overrides: [{{Statistic: OUTLIER_DETECTION, Parameters: {{threshold: '{t}'}}}}]}}\n"
        )
    };
    let run = |first: &str, second: &str| {
        let text = format!(
            "ColumnStatisticsConfigurations:\n{}{}",
            threshold(first),
            threshold(second)
        );
        run_profile(&df, &yaml(&text)).2.remove(0)
    };
    // |z| = 1.83, 1.37, 1.14, 0.69, 0 (see z_score_outlier_sample_is_ordered_by_absolute_z)
    assert_stat(&run("1", "1.5"), "zScoreOutliersCount", 1.0);
    assert_stat(&run("1.5", "1"), "zScoreOutliersCount", 3.0);
}

#[test]
fn statistics_that_do_not_apply_to_a_type_are_left_out() {
    let df = df!("n" => [1i64, 2], "s" => ["a", "bc"], "b" => [true, false]).unwrap();
    let config = yaml(&format!(
        "{NO_DATASET_STATS}ColumnStatisticsConfigurations:\n  - Selectors: [{{Regex: '.*'}}]\n    Statistics: {{IncludedStatistics: [SUM, PERCENTILES, MEAN, DISTINCT_VALUES_COUNT]}}\n"
    ));
    let cols = run_profile(&df, &config).2;
    assert_eq!(
        keys(find(&cols, "n")),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "distinctValuesCount",
            "mean",
            "sum",
            "percentile5",
            "percentile25",
            "percentile75",
            "percentile95",
        ]
    );
    // text: no SUM or PERCENTILES; boolean: no MEAN either
    let s = find(&cols, "s");
    assert_eq!(
        keys(s),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "distinctValuesCount",
            "mean"
        ]
    );
    assert_stat(s, "mean", 1.5);
    assert_eq!(
        keys(find(&cols, "b")),
        [
            "name",
            "type",
            "columnConfigurationOverride",
            "distinctValuesCount"
        ]
    );
}

#[test]
fn unsupported_types_are_skipped_even_when_selected() {
    let df = df!("n" => [1i64, 2], "d" => [1i32, 2], "t" => [1i64, 2])
        .unwrap()
        .lazy()
        .with_columns([
            col("d").cast(DataType::Date),
            col("t").cast(DataType::Datetime(TimeUnit::Milliseconds, None)),
        ])
        .collect()
        .unwrap();
    assert_eq!(names(&columns(&df)), ["n"]);
    let config = yaml("ProfileColumns: [{Name: d}, {Name: n}, {Regex: '^t$'}]\n");
    let schema = df.schema().as_ref().clone();
    assert_eq!(
        targets(&schema, &config)
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["n"]
    );
    assert_eq!(names(&run_profile(&df, &config).2), ["n"]);
}

#[test]
fn types_are_named_as_databrew_names_them() {
    let df = df!(
        "i8" => [1i8],
        "i16" => [1i16],
        "i32" => [1i32],
        "i64" => [1i64],
        "u32" => [1u32],
        "u64" => [1u64],
        "f32" => [1.0f32],
        "f64" => [1.0f64],
        "s" => ["a"],
        "b" => [true],
    )
    .unwrap();
    let types: Vec<Value> = columns(&df).iter().map(|c| c["type"].clone()).collect();
    assert_eq!(
        types,
        [
            "byte", "short", "int", "long", "long", "long", "float", "double", "string", "boolean"
        ]
    );
}

#[test]
fn a_json_job_configuration_with_pascal_case_keys() {
    let config = load_str(
        r#"{"Configuration": {
            "ProfileColumns": [{"Name": "a"}],
            "DatasetStatisticsConfiguration": {"IncludedStatistics": ["NONE"]},
            "ColumnStatisticsConfigurations": [
                {"Selectors": [{"Name": "a"}], "Statistics": {"IncludedStatistics": ["MIN", "ZEROS_COUNT"]}}
            ]
        }}"#,
        "job.json",
    )
    .unwrap();
    let df = df!("a" => [0i64, -2, 0], "b" => [1i64, 2, 3]).unwrap();
    let (_, duplicates, cols) = run_profile(&df, &config);
    assert_eq!(duplicates, None);
    assert_eq!(cols.len(), 1);
    assert_eq!(
        Value::Object(cols[0].clone()),
        json!({"name": "a", "type": "long", "columnConfigurationOverride": {}, "min": -2, "zerosCount": 2})
    );
}

// ---- summary and sampling ---------------------------------------------------------------------

#[test]
fn summary_has_one_row_per_column() {
    let profile = json!({
        "sampleSize": 4,
        "duplicateRowsCount": 1,
        "columns": [
            {"name": "age", "type": "long", "missingValuesCount": 1, "distinctValuesCount": 3,
             "min": 1, "mean": 2.5, "max": 4, "zScoreOutliersCount": 0},
            {"name": "name", "type": "string", "missingValuesCount": 0, "distinctValuesCount": 2,
             "min": 3, "mean": 3.3333333333333335, "max": 4, "zScoreOutliersCount": 0},
            {"name": "flag", "type": "boolean", "missingValuesCount": 2, "distinctValuesCount": 1},
        ]
    });
    // missing%: 1/4 = 25.00, 0/4, 2/4 = 50.00; means to at most 4 decimals, trailing zeros
    // dropped; absent statistics as "-"
    let expected = "\
4 rows, 1 duplicate rows
column                   type      missing%   distinct          min         mean          max  outliers
age                      long        25.00%          3            1          2.5            4         0
name                     string       0.00%          2            3       3.3333            4         0
flag                     boolean     50.00%          1            -            -            -         -
";
    assert_eq!(datacook::profile::summary(&profile), expected);
}

#[test]
fn summary_without_duplicates_or_rows() {
    let profile = json!({"sampleSize": 0, "columns": [
        {"name": "x", "type": "double", "missingValuesCount": 0, "distinctValuesCount": 0,
         "min": null, "mean": null, "max": null, "zScoreOutliersCount": 0}
    ]});
    let expected = "\
0 rows, - duplicate rows
column                   type      missing%   distinct          min         mean          max  outliers
x                        double       0.00%          0            -            -            -         0
";
    assert_eq!(datacook::profile::summary(&profile), expected);
}

#[test]
fn summary_cells_rounding_to_a_whole_number_have_no_trailing_dot() {
    let profile = json!({"sampleSize": 2, "duplicateRowsCount": 0, "columns": [
        {"name": "x", "type": "double", "missingValuesCount": 0, "distinctValuesCount": 2,
         "min": 1.99999, "mean": 2.00004, "max": 2.5, "zScoreOutliersCount": 0}
    ]});
    let text = datacook::profile::summary(&profile);
    let row: Vec<&str> = text.lines().nth(2).unwrap().split_whitespace().collect();
    // 1.99999 and 2.00004 to 4 decimals: 2.0000 → "2"
    assert_eq!(row, ["x", "double", "0.00%", "2", "2", "2", "2.5", "0"]);
}

#[test]
fn sample_specifications_parse() {
    assert_eq!(Sample::parse("full"), Ok(Sample::Full));
    assert_eq!(Sample::parse("first:20000"), Ok(Sample::First(20000)));
    assert_eq!(
        Sample::parse("random:5"),
        Ok(Sample::Random { size: 5, seed: 0 })
    );
    assert_eq!(
        Sample::parse("random:5:42"),
        Ok(Sample::Random { size: 5, seed: 42 })
    );
    assert_eq!(
        Sample::parse("first:x"),
        Err("'x' is not a row count".to_string())
    );
    assert_eq!(
        Sample::parse("random:5:s"),
        Err("'s' is not a seed".to_string())
    );
    assert!(
        Sample::parse("sometimes")
            .unwrap_err()
            .contains("found 'sometimes'")
    );
}
