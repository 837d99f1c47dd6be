use crate::support::*;
use polars::prelude::*;

use serde_json::json;

// ---- helpers ---------------------------------------------------------------------------

/// Days since 1970-01-01.
const D_2024_01_05: i32 = 19727;
const D_2024_02_29: i32 = 19782;

/// A frame with one Date column "d" (built from day numbers).
fn dates(days: [Option<i32>; 2]) -> DataFrame {
    df!("d" => days)
        .unwrap()
        .lazy()
        .with_column(col("d").cast(DataType::Date))
        .collect()
        .unwrap()
}

// ---- FILL_WITH_AVERAGE -----------------------------------------------------------------

#[test]
fn average_fills_float_column_with_exact_mean() {
    // present: 1, 2, 4 → mean = 7/3 (not rounded in a float column)
    let df = df!("x" => [Some(1.0f64), None, Some(2.0), Some(4.0), None]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
"#,
        df,
    );
    let m = 7.0 / 3.0;
    let expected = df!("x" => [1.0f64, m, 2.0, 4.0, m]).unwrap();
    assert_frame_eq(&out, &expected);
    let s = &reports[0].stats;
    assert_eq!(s["mean"], json!(m));
    assert_eq!(s["values_missing"], json!(2));
    // the rounded "value" is only reported for integer columns
    assert!(!s.contains_key("value"), "{s:?}");
}

#[test]
fn average_of_integer_column_rounds_half_away_from_zero_and_stays_integer() {
    // a: 1, 2 → 1.5 → 2          b: -1, -2 → -1.5 → -2 (away from zero, not up)
    // c: 1, 1, 2 → 1.333 → 1     d (Int32): 2, 3 → 2.5 → 3 and stays Int32
    let df = df!(
        "a" => [Some(1i64), Some(2), None, None],
        "b" => [Some(-1i64), None, Some(-2), None],
        "c" => [Some(1i64), Some(1), Some(2), None],
        "d" => [None, Some(2i32), Some(3), None]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: a}
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: b}
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: c}
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: d}
"#,
        df,
    );
    let expected = df!(
        "a" => [1i64, 2, 2, 2],
        "b" => [-1i64, -2, -2, -2],
        "c" => [1i64, 1, 2, 1],
        "d" => [3i32, 2, 3, 3]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["mean"], json!(1.5));
    assert_eq!(reports[0].stats["value"], json!(2.0));
    assert_eq!(reports[0].stats["values_missing"], json!(2));
    assert_eq!(reports[1].stats["mean"], json!(-1.5));
    assert_eq!(reports[1].stats["value"], json!(-2.0));
    assert_eq!(reports[2].stats["mean"], json!(4.0 / 3.0));
    assert_eq!(reports[2].stats["value"], json!(1.0));
    assert_eq!(reports[3].stats["mean"], json!(2.5));
    assert_eq!(reports[3].stats["value"], json!(3.0));
}

#[test]
fn average_leaves_a_column_without_missing_values_unchanged() {
    let df = df!("x" => [3i64, 5, 8], "y" => ["a", "b", "c"]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["values_missing"], json!(0));
    assert_eq!(reports[0].stats["mean"], json!(16.0 / 3.0));
}

#[test]
fn average_of_all_null_column_fills_nothing_and_warns() {
    let df = df!("x" => [None::<f64>, None], "k" => [1i32, 2]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["value"], serde_json::Value::Null);
    assert_eq!(reports[0].stats["values_missing"], json!(2));
    assert!(
        reports[0]
            .warnings
            .iter()
            .any(|w| w.contains("'x' has no values")),
        "{:?}",
        reports[0].warnings
    );
}

#[test]
fn average_with_condition_fills_only_matching_rows_using_whole_column_mean() {
    // whole column: 1, 4, 8 → 13/3 = 4.33 → 4 (Int64).
    // (the mean of the rows where g = a would be (1 + 8)/2 = 4.5 → 5)
    let df = df!(
        "x" => [None, Some(1i64), None, Some(4), Some(8)],
        "g" => ["a", "a", "b", "b", "a"]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
    conditions:
      - {condition: IS, value: a, targetColumn: g}
"#,
        df,
    );
    let expected = df!(
        "x" => [Some(4i64), Some(1), None, Some(4), Some(8)],
        "g" => ["a", "a", "b", "b", "a"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["mean"], json!(13.0 / 3.0));
    assert_eq!(reports[0].stats["value"], json!(4.0));
}

#[test]
fn average_on_text_column_is_an_error_naming_the_step() {
    let df = df!("name" => ["a", "", "c"]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: name}
"#,
        df,
        "step 1 (FILL_WITH_AVERAGE)",
    );
    assert_contains(&msg, "FILL_WITH_AVERAGE needs a numeric column");
    assert_contains(&msg, "'name'");
}

#[test]
fn average_without_source_column_is_an_error() {
    let df = df!("x" => [1.0f64]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {}
"#,
        df,
        "step 1 (FILL_WITH_AVERAGE)",
    );
    assert_contains(&msg, "missing required parameter 'sourceColumn'");
}

#[test]
fn error_names_the_failing_step_number() {
    // step 1 is fine, step 2 refers to a text column
    let df = df!("x" => [Some(1.0f64), None], "s" => ["a", "b"]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: s}
"#,
        df,
        "step 2 (FILL_WITH_SUM)",
    );
    assert_contains(&msg, "FILL_WITH_SUM needs a numeric column");
    assert!(!msg.contains("step 1"), "{msg}");
}

// ---- FILL_WITH_MEDIAN ------------------------------------------------------------------

#[test]
fn median_odd_count_takes_the_middle_value() {
    // present 3, 1, 7 → sorted 1 3 7 → median 3 (the mean would be 11/3)
    let df = df!("x" => [Some(3.0f64), None, Some(1.0), Some(7.0)]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: x}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [3.0f64, 3.0, 1.0, 7.0]).unwrap());
    assert_eq!(reports[0].stats["median"], json!(3.0));
    assert_eq!(reports[0].stats["values_missing"], json!(1));
}

#[test]
fn median_even_count_takes_the_mean_of_the_two_middle_values() {
    // present 4, 1, 10, 3 → sorted 1 3 4 10 → (3 + 4) / 2 = 3.5 (mean would be 4.5)
    let df = df!("x" => [Some(4.0f64), Some(1.0), None, Some(10.0), Some(3.0)]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: x}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [4.0f64, 1.0, 3.5, 10.0, 3.0]).unwrap());
    assert_eq!(reports[0].stats["median"], json!(3.5));
}

#[test]
fn median_of_integer_column_rounds_half_away_from_zero_and_stays_integer() {
    // i:  4 1 10 3  → 3.5 → 4           n: -4 -1 -10 -3 → -3.5 → -4
    // e (Int32): 1 2 4 10 → (2+4)/2 = 3 exactly
    let df = df!(
        "i" => [Some(4i64), Some(1), None, Some(10), Some(3)],
        "n" => [Some(-4i64), None, Some(-1), Some(-10), Some(-3)],
        "e" => [Some(1i32), Some(2), Some(4), Some(10), None]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: i}
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: n}
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: e}
"#,
        df,
    );
    let expected = df!(
        "i" => [4i64, 1, 4, 10, 3],
        "n" => [-4i64, -4, -1, -10, -3],
        "e" => [1i32, 2, 4, 10, 3]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["median"], json!(3.5));
    assert_eq!(reports[0].stats["value"], json!(4.0));
    assert_eq!(reports[1].stats["median"], json!(-3.5));
    assert_eq!(reports[1].stats["value"], json!(-4.0));
    assert_eq!(reports[2].stats["median"], json!(3.0));
    assert_eq!(reports[2].stats["value"], json!(3.0));
}

#[test]
fn median_with_condition_uses_whole_column() {
    // whole column 1 2 9 20 → (2+9)/2 = 5.5; rows where k > 0 only: 1, 20 → would be 10.5
    let df = df!(
        "x" => [Some(1.0f64), None, Some(2.0), None, Some(9.0), Some(20.0)],
        "k" => [1i64, 1, -1, -1, -1, 1]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: x}
    conditions:
      - {condition: GREATER_THAN, value: "0", targetColumn: k}
"#,
        df,
    );
    let expected = df!(
        "x" => [Some(1.0f64), Some(5.5), Some(2.0), None, Some(9.0), Some(20.0)],
        "k" => [1i64, 1, -1, -1, -1, 1]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(num(&reports[0].stats, "median"), 5.5);
}

#[test]
fn median_on_text_column_is_an_error() {
    let df = df!("x" => ["1", "2", ""]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: x}
"#,
        df,
        "step 1 (FILL_WITH_MEDIAN)",
    );
    assert_contains(&msg, "FILL_WITH_MEDIAN needs a numeric column");
}

// ---- FILL_WITH_MODE --------------------------------------------------------------------

/// 1 2 2 3 3 4 (shuffled so that the first tied value met is 3, not the smallest) and one null.
fn tie_values_f64() -> Vec<Option<f64>> {
    vec![
        Some(3.0),
        Some(2.0),
        Some(4.0),
        None,
        Some(3.0),
        Some(1.0),
        Some(2.0),
    ]
}

#[test]
fn mode_types_break_ties_on_float_column() {
    // counts: 2→2, 3→2, 1→1, 4→1; tied values 2 and 3.
    // MINIMUM → 2, MAXIMUM → 3, AVERAGE → 2.5, NONE → 2 (smallest), default (NONE) → 2
    let v = tie_values_f64();
    let df = df!(
        "min" => v.clone(),
        "max" => v.clone(),
        "avg" => v.clone(),
        "none" => v.clone(),
        "dflt" => v.clone()
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: min, modeType: MINIMUM}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: max, modeType: MAXIMUM}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: avg, modeType: AVERAGE}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: none, modeType: NONE}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: dflt}
"#,
        df,
    );
    let with = |fill: f64| -> Vec<f64> { v.iter().map(|x| x.unwrap_or(fill)).collect() };
    let expected = df!(
        "min" => with(2.0),
        "max" => with(3.0),
        "avg" => with(2.5),
        "none" => with(2.0),
        "dflt" => with(2.0)
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    let modes: Vec<_> = reports.iter().map(|r| r.stats["mode"].clone()).collect();
    assert_eq!(
        modes,
        vec![json!(2.0), json!(3.0), json!(2.5), json!(2.0), json!(2.0)]
    );
    for r in &reports {
        assert_eq!(r.stats["mode_count"], json!(2), "{:?}", r.stats);
        assert_eq!(r.stats["tied_values"], json!(2), "{:?}", r.stats);
    }
}

#[test]
fn mode_average_on_integer_column_rounds_half_away_from_zero() {
    // tied 2 and 3 → 2.5 → 3, stays Int64; MINIMUM → 2; negative: tied -2, -3 → -2.5 → -3
    let df = df!(
        "avg" => [Some(3i64), Some(2), Some(4), None, Some(3), Some(1), Some(2)],
        "min" => [Some(3i64), Some(2), Some(4), None, Some(3), Some(1), Some(2)],
        "neg" => [Some(-3i64), Some(-2), Some(-4), None, Some(-3), Some(-1), Some(-2)]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: avg, modeType: AVERAGE}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: min, modeType: MINIMUM}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: neg, modeType: AVERAGE}
"#,
        df,
    );
    let expected = df!(
        "avg" => [3i64, 2, 4, 3, 3, 1, 2],
        "min" => [3i64, 2, 4, 2, 3, 1, 2],
        "neg" => [-3i64, -2, -4, -3, -3, -1, -2]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["mode"], json!(2.5));
    assert_eq!(reports[1].stats["mode"], json!(2.0));
    assert_eq!(reports[2].stats["mode"], json!(-2.5));
}

#[test]
fn mode_without_tie_takes_the_most_frequent_value() {
    // 7 appears three times, 1 twice
    let df = df!("x" => [Some(1i64), Some(7), None, Some(7), Some(1), Some(7)]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: x, modeType: MINIMUM}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [1i64, 7, 7, 7, 1, 7]).unwrap());
    assert_eq!(reports[0].stats["mode"], json!(7.0));
    assert_eq!(reports[0].stats["mode_count"], json!(3));
    assert_eq!(reports[0].stats["tied_values"], json!(1));
}

#[test]
fn mode_on_text_column_ignores_empty_strings_and_fills_them() {
    // values: b a b a c (two empty strings and a null are missing, not a value "")
    // tie a/b: MINIMUM → "a", MAXIMUM → "b". If "" counted it would tie (2) and win MINIMUM.
    let v = [
        Some("b"),
        Some(""),
        Some("a"),
        Some("b"),
        None,
        Some("a"),
        Some(""),
        Some("c"),
    ];
    let df = df!("lo" => v, "hi" => v).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: lo, modeType: MINIMUM}
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: hi, modeType: MAXIMUM}
"#,
        df,
    );
    let expected = df!(
        "lo" => ["b", "a", "a", "b", "a", "a", "a", "c"],
        "hi" => ["b", "b", "a", "b", "b", "a", "b", "c"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["mode"], json!("a"));
    assert_eq!(reports[1].stats["mode"], json!("b"));
    assert_eq!(reports[0].stats["mode_count"], json!(2));
}

#[test]
fn mode_counts_whitespace_only_text_as_a_value() {
    // "  " is not missing: it appears twice and is the mode
    let df = df!("s" => [Some("  "), Some("x"), Some("  "), Some(""), None]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: s}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("s" => ["  ", "x", "  ", "  ", "  "]).unwrap());
}

#[test]
fn mode_with_condition_uses_whole_column() {
    // whole column: 5 ×3, 9 ×2 → 5. Rows with g = a only: 9, 9, 5 → would be 9.
    let df = df!(
        "x" => [Some(9i64), Some(9), Some(5), Some(5), Some(5), None, None],
        "g" => ["a", "a", "a", "b", "b", "a", "b"]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: x, modeType: MAXIMUM}
    conditions:
      - {condition: IS, value: '["a"]', targetColumn: g}
"#,
        df,
    );
    let expected = df!(
        "x" => [Some(9i64), Some(9), Some(5), Some(5), Some(5), Some(5), None],
        "g" => ["a", "a", "a", "b", "b", "a", "b"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn mode_on_all_missing_input_changes_nothing() {
    // (Empty input: see `every_fill_passes_empty_input_through`.)
    let missing = df!("s" => [None, Some("")]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: s, modeType: MINIMUM}
"#,
        missing.clone(),
    );
    assert_frame_eq(&out, &missing);
    assert!(
        reports[0]
            .warnings
            .iter()
            .any(|w| w.contains("'s' has no values")),
        "{:?}",
        reports[0].warnings
    );
}

#[test]
fn mode_average_on_text_column_is_an_error() {
    let df = df!("s" => ["a", "b", ""]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: s, modeType: AVERAGE}
"#,
        df,
        "step 1 (FILL_WITH_MODE)",
    );
    assert_contains(&msg, "modeType AVERAGE needs a numeric column");
}

#[test]
fn mode_with_unknown_mode_type_is_an_error() {
    let df = df!("x" => [Some(1i64), None]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: x, modeType: MAXIMUN}
"#,
        df,
        "step 1 (FILL_WITH_MODE)",
    );
    assert_contains(&msg, "parameter 'modeType'");
    assert_contains(
        &msg,
        "'MAXIMUN' is not one of MINIMUM, MAXIMUM, AVERAGE, NONE",
    );
    assert_contains(&msg, "did you mean 'MAXIMUM'?");
}

#[test]
fn mode_type_is_case_insensitive() {
    let df = df!("x" => tie_values_f64()).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: x, modeType: maximum}
"#,
        df,
    );
    assert_frame_eq(
        &out,
        &df!("x" => [3.0f64, 2.0, 4.0, 3.0, 3.0, 1.0, 2.0]).unwrap(),
    );
}

// ---- FILL_WITH_MOST_FREQUENT -----------------------------------------------------------

#[test]
fn most_frequent_on_strings_takes_lexicographically_smallest_tie() {
    // pear ×2, apple ×2, fig ×1 → tie → "apple" (although "pear" is met first)
    let df = df!(
        "fruit" => [Some("pear"), Some("apple"), Some(""), Some("pear"), None, Some("apple"), Some("fig")]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_MOST_FREQUENT
    parameters: {sourceColumn: fruit}
"#,
        df,
    );
    let expected =
        df!("fruit" => ["pear", "apple", "apple", "pear", "apple", "apple", "fig"]).unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["mode"], json!("apple"));
    assert_eq!(reports[0].stats["mode_count"], json!(2));
    assert_eq!(reports[0].stats["tied_values"], json!(2));
}

#[test]
fn most_frequent_on_numbers_breaks_ties_numerically() {
    // 10 ×2, 2 ×2 → smallest is 2 (numeric order; as text "10" < "2")
    let df = df!("n" => [Some(10i64), Some(2), Some(10), None, Some(2)]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MOST_FREQUENT
    parameters: {sourceColumn: n}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("n" => [10i64, 2, 10, 2, 2]).unwrap());
}

#[test]
fn most_frequent_with_condition_fills_only_matching_rows() {
    let df = df!(
        "s" => [Some("x"), Some("y"), Some("y"), None, Some(""), None],
        "k" => [1i64, 2, 3, 4, 5, 6]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MOST_FREQUENT
    parameters: {sourceColumn: s}
    conditions:
      - {condition: LESS_THAN_EQUAL, value: "5", targetColumn: k}
"#,
        df,
    );
    let expected = df!(
        "s" => [Some("x"), Some("y"), Some("y"), Some("y"), Some("y"), None],
        "k" => [1i64, 2, 3, 4, 5, 6]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- FILL_WITH_SUM ---------------------------------------------------------------------

#[test]
fn sum_fills_with_column_sum_keeping_type() {
    // i: 1 + 2 + 4 = 7 (Int64)   f: 0.5 + 0.25 = 0.75
    let df = df!(
        "i" => [Some(1i64), None, Some(2), Some(4)],
        "f" => [Some(0.5f64), Some(0.25), None, None]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: i}
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: f}
"#,
        df,
    );
    let expected = df!(
        "i" => [1i64, 7, 2, 4],
        "f" => [0.5f64, 0.25, 0.75, 0.75]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["sum"], json!(7.0));
    assert_eq!(reports[0].stats["values_missing"], json!(1));
    assert_eq!(reports[1].stats["sum"], json!(0.75));
    assert_eq!(reports[1].stats["values_missing"], json!(2));
}

#[test]
fn sum_with_condition_uses_whole_column() {
    // whole: 10 + 20 + 30 = 60; only the row with g = y is filled
    let df = df!(
        "v" => [Some(10i32), None, Some(20), None, Some(30)],
        "g" => ["x", "y", "y", "x", "x"]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: v}
    conditions:
      - {condition: IS, value: y, targetColumn: g}
"#,
        df,
    );
    let expected = df!(
        "v" => [Some(10i32), Some(60), Some(20), None, Some(30)],
        "g" => ["x", "y", "y", "x", "x"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sum_of_all_missing_column_fills_nothing_and_warns() {
    // Like FILL_WITH_AVERAGE / _MEDIAN / _MODE: no values → nothing to fill with, a warning,
    // and "value": null in the report (the code path exists but polars' sum of nothing is 0).
    let df = df!("x" => [None::<i64>, None], "k" => [1i32, 2]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: x}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["value"], serde_json::Value::Null);
    assert!(
        reports[0]
            .warnings
            .iter()
            .any(|w| w.contains("'x' has no values")),
        "{:?}",
        reports[0].warnings
    );
}

#[test]
fn sum_on_text_column_is_an_error() {
    let df = df!("s" => ["1", ""]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: s}
"#,
        df,
        "step 1 (FILL_WITH_SUM)",
    );
    assert_contains(&msg, "FILL_WITH_SUM needs a numeric column");
    assert_contains(&msg, "'s'");
}

// ---- FILL_WITH_CUSTOM ------------------------------------------------------------------

#[test]
fn custom_fills_each_column_type_with_its_value() {
    let df = df!(
        "s" => [Some("a"), None, Some(""), Some("  ")],
        "i" => [Some(1i64), None, Some(3), None],
        "f" => [None, Some(1.5f64), None, Some(2.0)],
        "b" => [Some(true), None, Some(false), None]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: s, columnDataType: string, value: unknown}
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: i, columnDataType: number, value: "42"}
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: f, columnDataType: number, value: "-0.25"}
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: b, columnDataType: boolean, value: "TRUE"}
"#,
        df,
    );
    // whitespace-only text is not missing and stays
    let expected = df!(
        "s" => ["a", "unknown", "unknown", "  "],
        "i" => [1i64, 42, 3, 42],
        "f" => [-0.25f64, 1.5, -0.25, 2.0],
        "b" => [true, true, false, true]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

/// Regression: the range check went through f64, so the largest integers were refused, and
/// timestamps took only three of CHANGE_DATA_TYPE's formats.
#[test]
fn custom_values_convert_like_change_data_type() {
    let df = df!(
        "i" => [None, Some(1i64)],
        "u" => [None, Some(1u64)],
        "t" => [None, Some(0i64)]
    )
    .unwrap();
    let df = df
        .lazy()
        .with_column(col("t").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
        .collect()
        .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: i, value: "9223372036854775807"}
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: u, value: "18446744073709551615"}
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: t, value: "1970-01-01 00:01"}
"#,
        df,
    );
    let expected = df!(
        "i" => [i64::MAX, 1],
        "u" => [u64::MAX, 1],
        "t" => [60_000_000i64, 0]
    )
    .unwrap()
    .lazy()
    .with_column(col("t").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
    .collect()
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn custom_accepts_typed_yaml_numbers() {
    let df = df!("i" => [None, Some(2i32)]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: i, value: 7}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("i" => [7i32, 2]).unwrap());
}

#[test]
fn custom_fills_date_column() {
    let df = dates([Some(D_2024_01_05), None]);
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: d, columnDataType: date, value: "2024-02-29"}
"#,
        df,
    );
    let expected = dates([Some(D_2024_01_05), Some(D_2024_02_29)]);
    assert_frame_eq(&out, &expected);
}

#[test]
fn custom_with_condition_fills_only_matching_rows() {
    let df = df!(
        "s" => [None, Some(""), None, Some("z")],
        "k" => ["keep", "fill", "fill", "fill"]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: s, value: "n/a"}
    conditions:
      - {condition: STARTS_WITH, value: fi, targetColumn: k}
"#,
        df,
    );
    let expected = df!(
        "s" => [None, Some("n/a"), Some("n/a"), Some("z")],
        "k" => ["keep", "fill", "fill", "fill"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn custom_value_not_of_the_column_type_is_an_error() {
    let cases = [("i", "4.5"), ("i", "abc"), ("f", "one"), ("b", "maybe")];
    for (column, value) in cases {
        let df = df!(
            "i" => [None, Some(1i64)],
            "f" => [None, Some(1.0f64)],
            "b" => [None, Some(true)]
        )
        .unwrap();
        let steps = format!(
            "  - operation: FILL_WITH_CUSTOM\n    parameters: {{sourceColumn: {column}, value: \"{value}\"}}\n"
        );
        let msg = err_in_step(&steps, df, "step 1 (FILL_WITH_CUSTOM)");
        assert_contains(&msg, &format!("value '{value}' is not a valid"));
    }
}

#[test]
fn custom_malformed_date_is_an_error() {
    let df = dates([Some(D_2024_01_05), None]);
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: d, value: "05/01/2024"}
"#,
        df,
        "step 1 (FILL_WITH_CUSTOM)",
    );
    assert_contains(&msg, "value '05/01/2024' is not a valid date");
}

#[test]
fn custom_impossible_date_is_an_error() {
    let df = dates([Some(D_2024_01_05), None]);
    let steps = r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: d, value: "2024-13-45"}
"#;
    let msg = err_in_step(steps, df, "step 1 (FILL_WITH_CUSTOM)");
    assert_contains(&msg, "value '2024-13-45' is not a valid date");
}

#[test]
fn custom_value_out_of_range_for_int8_is_an_error() {
    // 300 does not fit in an Int8 column
    let df = df!("small" => [Some(1i8), None]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: small, value: "300"}
"#,
        df,
        "step 1 (FILL_WITH_CUSTOM)",
    );
    assert_contains(&msg, "value '300' is not a valid byte");
}

#[test]
fn custom_negative_value_for_unsigned_column_is_an_error() {
    let df = df!("u" => [Some(1u32), None]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: u, value: "-1"}
"#,
        df,
        "step 1 (FILL_WITH_CUSTOM)",
    );
    assert_contains(&msg, "value '-1' is not a valid u32");
}

#[test]
fn custom_without_value_is_an_error() {
    let df = df!("s" => [None::<&str>]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: s, columnDataType: string}
"#,
        df,
        "step 1 (FILL_WITH_CUSTOM)",
    );
    assert_contains(&msg, "missing required parameter 'value'");
}

// ---- FILL_WITH_EMPTY -------------------------------------------------------------------

#[test]
fn empty_fills_nulls_of_text_column() {
    let df = df!(
        "s" => [None, Some("a"), Some(""), Some(" "), None],
        "n" => [Some(1i64), None, Some(3), Some(4), Some(5)]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_EMPTY
    parameters: {sourceColumn: s}
"#,
        df,
    );
    let expected = df!(
        "s" => ["", "a", "", " ", ""],
        "n" => [Some(1i64), None, Some(3), Some(4), Some(5)]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn empty_with_condition_fills_only_matching_rows() {
    let df = df!("s" => [None::<&str>, None, None], "k" => [1i64, 2, 3]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_EMPTY
    parameters: {sourceColumn: s}
    conditions:
      - {condition: IS_NOT, value: "2", targetColumn: k}
"#,
        df,
    );
    let expected = df!("s" => [Some(""), None, Some("")], "k" => [1i64, 2, 3]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn empty_on_numeric_column_is_an_error() {
    let df = df!("n" => [None, Some(1.0f64)]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_EMPTY
    parameters: {sourceColumn: n}
"#,
        df,
        "step 1 (FILL_WITH_EMPTY)",
    );
    assert_contains(&msg, "FILL_WITH_EMPTY fills text columns, but 'n' is");
}

// ---- FILL_WITH_NULL --------------------------------------------------------------------

#[test]
fn null_sets_every_value_to_null_keeping_the_type() {
    let df = df!(
        "n" => [Some(1i64), None, Some(3)],
        "s" => [Some("a"), Some(""), None]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_NULL
    parameters: {sourceColumn: n}
  - operation: FILL_WITH_NULL
    parameters: {sourceColumn: s}
"#,
        df,
    );
    let expected = df!(
        "n" => [None::<i64>, None, None],
        "s" => [None::<&str>, None, None]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn null_with_condition_clears_only_matching_rows() {
    let df = df!("n" => [1.5f64, 2.5, 3.5, 4.5], "k" => ["a", "b", "a", "c"]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_NULL
    parameters: {sourceColumn: n}
    conditions:
      - {condition: IS, value: '["a", "c"]', targetColumn: k}
"#,
        df,
    );
    let expected = df!(
        "n" => [None, Some(2.5f64), None, None],
        "k" => ["a", "b", "a", "c"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- FILL_WITH_LAST_VALID --------------------------------------------------------------

#[test]
fn last_valid_forward_fills_in_row_order() {
    // a leading missing value has nothing above it and stays null
    let df = df!(
        "n" => [None, Some(1i64), None, None, Some(3), None],
        "s" => [Some("a"), Some(""), None, Some("b"), Some(""), Some(" ")]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FILL_WITH_LAST_VALID
    parameters: {sourceColumn: n, columnDataType: number}
  - operation: FILL_WITH_LAST_VALID
    parameters: {sourceColumn: s}
"#,
        df,
    );
    let expected = df!(
        "n" => [None, Some(1i64), Some(1), Some(1), Some(3), Some(3)],
        "s" => ["a", "a", "a", "b", "b", " "]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["values_missing"], json!(4));
    assert_eq!(reports[1].stats["values_missing"], json!(3));
}

#[test]
fn last_valid_with_condition_fills_only_matching_rows_from_any_row_above() {
    // row 2 (k = 3) takes 1.5 from row 0 even though row 0 does not match; row 1 stays null
    let df = df!(
        "x" => [Some(1.5f64), None, None, Some(4.0), None],
        "k" => [1i64, 2, 3, 4, 5]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_LAST_VALID
    parameters: {sourceColumn: x}
    conditions:
      - {condition: IS, value: '[3, 5]', targetColumn: k}
"#,
        df,
    );
    let expected = df!(
        "x" => [Some(1.5f64), None, Some(1.5), Some(4.0), Some(4.0)],
        "k" => [1i64, 2, 3, 4, 5]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- every FILL_* operation -----------------------------------------------------------

/// Empty input comes out unchanged (names and types), and the reports count no rows.
#[test]
fn every_fill_passes_empty_input_through() {
    let cases = [
        (
            "  - operation: FILL_WITH_AVERAGE\n    parameters: {sourceColumn: x}\n",
            df!("x" => Vec::<i64>::new(), "s" => Vec::<String>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: x}\n",
            df!("x" => Vec::<f64>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_MODE\n    parameters: {sourceColumn: s, modeType: MINIMUM}\n",
            df!("s" => Vec::<String>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_MOST_FREQUENT\n    parameters: {sourceColumn: s}\n  \
             - operation: FILL_WITH_MOST_FREQUENT\n    parameters: {sourceColumn: n}\n",
            df!("s" => Vec::<String>::new(), "n" => Vec::<i64>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_SUM\n    parameters: {sourceColumn: v}\n",
            df!("v" => Vec::<i64>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_CUSTOM\n    parameters: {sourceColumn: i, value: \"0\"}\n",
            df!("i" => Vec::<i64>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_EMPTY\n    parameters: {sourceColumn: s}\n",
            df!("s" => Vec::<String>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_NULL\n    parameters: {sourceColumn: n}\n",
            df!("n" => Vec::<i32>::new()).unwrap(),
        ),
        (
            "  - operation: FILL_WITH_LAST_VALID\n    parameters: {sourceColumn: x}\n",
            df!("x" => Vec::<f64>::new()).unwrap(),
        ),
    ];
    for (steps, df) in cases {
        eprintln!("case:\n{steps}");
        let (out, reports) = run_report(steps, df.clone());
        assert_frame_eq(&out, &df);
        assert_eq!(
            reports.len(),
            steps.matches("operation:").count(),
            "{steps}"
        );
        for r in &reports {
            assert_eq!(r.rows_in, Some(0), "{steps}");
            assert_eq!(r.rows_out, Some(0), "{steps}");
        }
    }
}

/// A misspelt source column is an error in the step that suggests the column meant, saying so
/// when only the case differs. Empty inputs are checked from the schema alone.
#[test]
fn fills_on_a_misspelt_column_suggest_the_close_name() {
    // (operation, parameters, input, error, help)
    let cases = [
        (
            "FILL_WITH_AVERAGE",
            "{sourceColumn: prise}",
            df!("price" => [1.0f64, 2.0], "qty" => [1i64, 2]).unwrap(),
            "column 'prise' not found",
            "did you mean 'price'?",
        ),
        (
            "FILL_WITH_MEDIAN",
            "{sourceColumn: age}",
            df!("Age" => [Some(1i64), None]).unwrap(),
            "column 'age' not found",
            "did you mean 'Age'? (names are case-sensitive)",
        ),
        (
            "FILL_WITH_MOST_FREQUENT",
            "{sourceColumn: fruits}",
            df!("fruit" => ["a"]).unwrap(),
            "column 'fruits' not found",
            "did you mean 'fruit'?",
        ),
        (
            "FILL_WITH_CUSTOM",
            "{sourceColumn: cty, value: x}",
            df!("city" => [None::<&str>]).unwrap(),
            "column 'cty' not found",
            "did you mean 'city'?",
        ),
        (
            "FILL_WITH_NULL",
            "{sourceColumn: m}",
            df!("n" => Vec::<i32>::new()).unwrap(),
            "column 'm' not found",
            "did you mean 'n'?",
        ),
        (
            "FILL_WITH_LAST_VALID",
            "{sourceColumn: X}",
            df!("x" => Vec::<f64>::new()).unwrap(),
            "column 'X' not found",
            "did you mean 'x'? (names are case-sensitive)",
        ),
    ];
    for (op, params, df, error, help) in cases {
        let msg = err_in_step(
            &format!("\n  - operation: {op}\n    parameters: {params}\n"),
            df,
            &format!("step 1 ({op})"),
        );
        assert_contains(&msg, error);
        assert_contains(&msg, help);
    }
}

// ---- DataBrew JSON recipes -------------------------------------------------------------

#[test]
fn databrew_json_recipe_with_string_parameters() {
    let df = df!(
        "n" => [Some(3i64), Some(2), None, Some(3), Some(2), None],
        "g" => ["a", "a", "a", "b", "b", "b"],
        "s" => [Some("x"), None, Some(""), Some("y"), None, Some("z")],
        "m" => [Some(1.0f64), None, Some(2.0), Some(4.0), None, Some(10.0)]
    )
    .unwrap();
    let recipe = r#"[
  {
    "Action": {
      "Operation": "FILL_WITH_MODE",
      "Parameters": {"sourceColumn": "n", "modeType": "MAXIMUM"}
    },
    "ConditionExpressions": [
      {"Condition": "IS", "Value": "[\"a\"]", "TargetColumn": "g"}
    ]
  },
  {
    "Action": {
      "Operation": "FILL_WITH_CUSTOM",
      "Parameters": {"SourceColumn": "s", "columnDataType": "string", "value": "none"}
    }
  },
  {
    "Action": {
      "Operation": "FILL_WITH_MEDIAN",
      "Parameters": {"sourceColumn": "m", "functionStepType": "x"}
    }
  }
]"#;
    let out = run_json(recipe, df).unwrap_or_else(|e| panic!("{e}"));
    // n: tie 2/3 → MAXIMUM 3, only where g = a.  m: 1 2 4 10 → (2+4)/2 = 3
    let expected = df!(
        "n" => [Some(3i64), Some(2), Some(3), Some(3), Some(2), None],
        "g" => ["a", "a", "a", "b", "b", "b"],
        "s" => ["x", "none", "none", "y", "none", "z"],
        "m" => [1.0f64, 3.0, 2.0, 4.0, 3.0, 10.0]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_recipe_errors_name_the_step() {
    let df = df!("s" => ["a", ""]).unwrap();
    let recipe = r#"[
  {"Action": {"Operation": "FILL_WITH_EMPTY", "Parameters": {"sourceColumn": "s"}}},
  {"Action": {"Operation": "FILL_WITH_AVERAGE", "Parameters": {"sourceColumn": "s"}}}
]"#;
    let e = run_json(recipe, df).expect_err("a text column cannot be averaged");
    let msg = message(&e);
    assert_contains(&msg, "step 2 (FILL_WITH_AVERAGE)");
    assert_contains(&msg, "needs a numeric column");
}

#[test]
fn condition_problems_name_the_step() {
    let df = df!("x" => [Some(1.0f64), None], "group" => ["a", "b"]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: x}
    conditions:
      - {condition: IS, value: a, targetColumn: grop}
"#,
        df.clone(),
        "step 1 (FILL_WITH_MEDIAN)",
    );
    assert_contains(&msg, "condition column 'grop' not found");
    assert_contains(&msg, "did you mean 'group'?");

    let msg = err_in_step(
        r#"
  - operation: FILL_WITH_MODE
    parameters: {sourceColumn: x}
    conditions:
      - {condition: IS_ABOUT, value: a, targetColumn: group}
"#,
        df,
        "step 1 (FILL_WITH_MODE)",
    );
    assert_contains(&msg, "unknown condition 'IS_ABOUT'");
}

#[test]
fn fill_with_is_missing_condition_on_the_source_column() {
    // the usual DataBrew shape: fill where the value is missing (null or "")
    let df = df!("s" => [Some("a"), Some(""), None, Some("a"), Some("b")]).unwrap();
    let out = run(
        r#"
  - operation: FILL_WITH_MOST_FREQUENT
    parameters: {sourceColumn: s}
    conditions:
      - {condition: IS_MISSING, targetColumn: s}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("s" => ["a", "a", "a", "a", "b"]).unwrap());
}
