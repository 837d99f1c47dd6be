use crate::support::*;
use polars::prelude::*;

use serde_json::json;

// ---- helpers ---------------------------------------------------------------------------

/// D1: 10 12 11 13 12 11 50 (ids 1..7).
/// mean = 119/7 = 17; deviations -7 -5 -6 -4 -5 -6 33; squares sum to 1276.
/// sample sd = sqrt(1276/6) = 14.5831; z(50) = 33/14.5831 = 2.2629, |z| of the others ≤ 0.48.
/// (population sd = sqrt(1276/7) = 13.5013 would give z(50) = 2.4442.)
fn d1() -> DataFrame {
    df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7],
        "x" => [10.0f64, 12.0, 11.0, 13.0, 12.0, 11.0, 50.0]
    )
    .unwrap()
}

/// 0, 1, …, 10 as floats. mean 5, sample var = 110/10 = 11, sd = sqrt(11) = 3.3166.
/// z = (x − 5)/3.3166: |z| > 1 exactly for 0, 1, 9, 10 (|z| = 1.508, 1.206); 2 and 8 give 0.905.
/// Percentiles (linear): p10 = 1, p90 = 9, p5 = 0.5, p95 = 9.5.
fn zero_to_ten() -> Vec<f64> {
    (0..=10).map(f64::from).collect()
}

/// D2 for REPLACE_OUTLIERS: 10 12 11 14 12 11 60.
/// mean 130/7 = 18.571, sample sd 18.3108, z(60) = 2.2625; others |z| ≤ 0.47. Threshold 2 → 60.
/// Non-outliers 10 12 11 14 12 11: mean 70/6 = 11.667, median (11+12)/2 = 11.5,
/// mode tie 11/12 (MIN 11, MAX 12, AVERAGE 11.5), sum 70, max 14.
/// Sorted full column 10 11 11 12 12 14 60: p25 = 11, p75 = 12 + 0.5·2 = 13,
/// p5 = 10.3, p95 = 14 + 0.7·46 = 46.2.
fn d2() -> Vec<f64> {
    vec![10.0, 12.0, 11.0, 14.0, 12.0, 11.0, 60.0]
}

// ---- REMOVE_OUTLIERS: Z_SCORE -----------------------------------------------------------

#[test]
fn z_score_delete_rows_removes_the_outlier_row() {
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, threshold: 2, removeType: DELETE_ROWS}
"#,
        d1(),
    );
    let expected = df!(
        "id" => [1i64, 2, 3, 4, 5, 6],
        "x" => [10.0f64, 12.0, 11.0, 13.0, 12.0, 11.0]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    let s = &reports[0].stats;
    assert_eq!(s["strategy"], json!("Z_SCORE"));
    assert_eq!(s["threshold"], json!(2.0));
    assert_eq!(s["values"], json!(7));
    assert_close(num(s, "mean"), 17.0);
    assert_close(num(s, "sd"), (1276.0f64 / 6.0).sqrt());
    assert_eq!(s["outliers"], json!(1));
    assert_eq!(s["rows_removed"], json!(1));
    assert_eq!(reports[0].rows_in, Some(7));
    assert_eq!(reports[0].rows_out, Some(6));
}

#[test]
fn z_score_uses_the_sample_standard_deviation() {
    // threshold 2.3: sample z(50) = 2.263 is not above it (population z 2.444 would be)
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, threshold: "2.3"}
"#,
        d1(),
    );
    assert_frame_eq(&out, &d1());
    assert_eq!(reports[0].stats["outliers"], json!(0));
    assert_eq!(reports[0].stats["rows_removed"], json!(0));

    // 2.26 is below 2.2629: removed
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, threshold: "2.26"}
"#,
        d1(),
    );
    assert_eq!(out.height(), 6);
}

#[test]
fn z_score_defaults_are_threshold_3_and_delete_rows() {
    // z(50) = 2.26 ≤ 3: nothing removed with the defaults. Strategy defaults to Z_SCORE.
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x}
"#,
        d1(),
    );
    assert_frame_eq(&out, &d1());
    assert_eq!(reports[0].stats["strategy"], json!("Z_SCORE"));
    assert_eq!(reports[0].stats["threshold"], json!(3.0));
    assert_eq!(reports[0].stats["rows_removed"], json!(0));
}

#[test]
fn z_score_threshold_is_strict() {
    // 0 2 4: mean 2, sample sd = sqrt((4 + 0 + 4)/2) = 2 exactly → z = -1, 0, 1.
    // |z| = 1 is not > 1: nothing removed; threshold 0.999 removes 0 and 4.
    let df = df!("x" => [0.0f64, 2.0, 4.0]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["sd"], json!(2.0));
    assert_eq!(reports[0].stats["outliers"], json!(0));

    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 0.999}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [2.0f64]).unwrap());
}

#[test]
fn z_score_clear_sets_the_outlier_cell_to_null_and_keeps_the_row() {
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2, removeType: CLEAR}
"#,
        d1(),
    );
    let expected = df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7],
        "x" => [Some(10.0f64), Some(12.0), Some(11.0), Some(13.0), Some(12.0), Some(11.0), None]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["values_cleared"], json!(1));
    assert_eq!(reports[0].stats["outliers"], json!(1));
    assert!(!reports[0].stats.contains_key("rows_removed"));
    assert_eq!(reports[0].rows_out, Some(7));
}

#[test]
fn integer_column_stays_integer_when_cleared_or_deleted() {
    let df = df!("x" => [10i64, 12, 11, 13, 12, 11, 50]).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2, removeType: CLEAR}
"#,
        df.clone(),
    );
    assert_frame_eq(
        &out,
        &df!("x" => [Some(10i64), Some(12), Some(11), Some(13), Some(12), Some(11), None]).unwrap(),
    );
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2, removeType: DELETE_ROWS}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [10i64, 12, 11, 13, 12, 11]).unwrap());
}

#[test]
fn nulls_are_never_outliers_and_do_not_count() {
    // D1 with a null row: statistics over the 7 values are unchanged (mean 17, z(50) 2.26);
    // the null row stays under DELETE_ROWS, and also with threshold 0 (every value counts).
    let df = df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7, 8],
        "x" => [Some(10.0f64), Some(12.0), None, Some(11.0), Some(13.0), Some(12.0), Some(11.0), Some(50.0)]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2}
"#,
        df.clone(),
    );
    let expected = df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7],
        "x" => [Some(10.0f64), Some(12.0), None, Some(11.0), Some(13.0), Some(12.0), Some(11.0)]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["values"], json!(7));
    assert_close(num(&reports[0].stats, "mean"), 17.0);

    // threshold 0: every non-null value has |z| > 0 (none equals the mean 17)
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 0}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("id" => [3i64], "x" => [None::<f64>]).unwrap());
}

#[test]
fn fewer_than_two_values_means_no_outliers_for_every_strategy() {
    let df = df!("x" => [None, Some(5.0f64), None]).unwrap();
    for strategy in ["Z_SCORE", "MODIFIED_Z_SCORE", "IQR"] {
        let steps = format!(
            "  - operation: REMOVE_OUTLIERS\n    parameters: {{sourceColumn: x, outlierStrategy: {strategy}, threshold: 0}}\n"
        );
        let (out, reports) = run_report(&steps, df.clone());
        assert_frame_eq(&out, &df);
        assert_eq!(reports[0].stats["outliers"], json!(0), "{strategy}");
        assert_eq!(reports[0].stats["values"], json!(1), "{strategy}");
    }
}

#[test]
fn zero_standard_deviation_means_no_outliers() {
    // 4 4 4: sd = 0, z would be 0/0; even threshold 0 finds nothing
    let df = df!("x" => [Some(4i64), Some(4), None, Some(4)]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, threshold: 0, removeType: CLEAR}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["sd"], json!(0.0));
    assert_eq!(reports[0].stats["outliers"], json!(0));
}

// ---- REMOVE_OUTLIERS: MODIFIED_Z_SCORE --------------------------------------------------

#[test]
fn modified_z_score_uses_median_and_mad_with_strict_threshold() {
    // 1 2 3 4 100: median 3; |x − 3| = 2 1 0 1 97 → MAD = 1.
    // m = 0.6745·(x − 3)/1 = -1.349, -0.6745, 0, 0.6745, 65.4265.
    // threshold 1.349: |m(1)| = 1.349 is not above it → only 100 removed.
    let df = df!("x" => [1.0f64, 2.0, 3.0, 4.0, 100.0]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: MODIFIED_Z_SCORE, threshold: 1.349}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df!("x" => [1.0f64, 2.0, 3.0, 4.0]).unwrap());
    let s = &reports[0].stats;
    assert_eq!(s["strategy"], json!("MODIFIED_Z_SCORE"));
    assert_eq!(s["median"], json!(3.0));
    assert_eq!(s["mad"], json!(1.0));
    assert_eq!(s["outliers"], json!(1));

    // just below: 1 goes too
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: MODIFIED_Z_SCORE, threshold: 1.3489}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [2.0f64, 3.0, 4.0]).unwrap());
}

#[test]
fn modified_z_score_even_count_interpolates_median_and_mad() {
    // 1 2 4 5 6 40: median (4+5)/2 = 4.5; |x − 4.5| = 3.5 2.5 .5 .5 1.5 35.5
    // → sorted .5 .5 1.5 2.5 3.5 35.5 → MAD = (1.5 + 2.5)/2 = 2.
    // m = 0.6745·(x − 4.5)/2: 1 → -1.180, 2 → -0.843, 6 → 0.506, 40 → 11.972.
    // threshold 1 → 1 and 40 cleared.
    let df = df!("x" => [Some(1i32), Some(2), Some(4), None, Some(5), Some(6), Some(40)]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: MODIFIED_Z_SCORE, threshold: 1, removeType: CLEAR}
"#,
        df,
    );
    assert_frame_eq(
        &out,
        &df!("x" => [None, Some(2i32), Some(4), None, Some(5), Some(6), None]).unwrap(),
    );
    assert_eq!(reports[0].stats["median"], json!(4.5));
    assert_eq!(reports[0].stats["mad"], json!(2.0));
    assert_eq!(reports[0].stats["values_cleared"], json!(2));
}

#[test]
fn modified_z_score_with_zero_mad_finds_no_outliers() {
    // 5 5 5 5 9: median 5, MAD = median(0 0 0 0 4) = 0 → no outliers, even for 9.
    // (Z_SCORE on the same data: mean 5.8, sd = sqrt(12.8/4) = 1.789, z(9) = 1.789 > 1.5.)
    let df = df!("x" => [5.0f64, 5.0, 9.0, 5.0, 5.0]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: MODIFIED_Z_SCORE, threshold: 1.5}
"#,
        df.clone(),
    );
    assert_frame_eq(&out, &df);
    assert_eq!(reports[0].stats["mad"], json!(0.0));
    assert_eq!(reports[0].stats["outliers"], json!(0));

    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, threshold: 1.5}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("x" => [5.0f64, 5.0, 5.0, 5.0]).unwrap());
}

// ---- REMOVE_OUTLIERS: IQR ----------------------------------------------------------------

#[test]
fn iqr_fences_use_linear_quartiles_and_are_strict() {
    // L 2 3 4 5 6 7 8 9 H (n = 10): Q1 at rank 2.25 = 3 + 0.25 = 3.25, Q3 at 6.75 = 7.75,
    // IQR 4.5, fences 3.25 − 6.75 = -3.5 and 7.75 + 6.75 = 14.5 (threshold 1.5).
    // Values exactly on the fences are not outliers.
    // (Other quartile rules, e.g. (n+1)p: Q1 2.75, Q3 8.25 → fence 16.5, would keep 14.75.)
    let on_fence = df!("x" => [-3.5f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 14.5]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: IQR, threshold: 1.5}
"#,
        on_fence.clone(),
    );
    assert_frame_eq(&out, &on_fence);
    assert_eq!(reports[0].stats["strategy"], json!("IQR"));
    assert_eq!(reports[0].stats["q1"], json!(3.25));
    assert_eq!(reports[0].stats["q3"], json!(7.75));
    assert_eq!(reports[0].stats["outliers"], json!(0));

    let outside = df!("x" => [-3.75f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 14.75]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: IQR, threshold: 1.5}
"#,
        outside,
    );
    assert_frame_eq(
        &out,
        &df!("x" => [2.0f64, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]).unwrap(),
    );
    assert_eq!(reports[0].stats["q1"], json!(3.25));
    assert_eq!(reports[0].stats["q3"], json!(7.75));
    assert_eq!(reports[0].stats["rows_removed"], json!(2));
}

#[test]
fn iqr_with_integer_column_and_clear() {
    // 1..=9 and 30: Q1 3.25, Q3 7.75 (as above) → upper fence 14.5; 30 cleared, Int64 kept
    let df = df!("x" => [1i64, 2, 3, 4, 5, 6, 7, 8, 9, 30]).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: iqr, threshold: "1.5", removeType: clear}
"#,
        df,
    );
    let expected = df!(
        "x" => [Some(1i64), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7), Some(8), Some(9), None]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- REMOVE_OUTLIERS: trimValue ----------------------------------------------------------

#[test]
fn trim_value_acts_only_outside_the_percentile_band() {
    // 0..=10, threshold 1: outliers 0 1 9 10. minValue 10 → p10 = 1, maxValue 90 → p90 = 9.
    // Only outliers strictly below 1 or above 9 are removed: 0 and 10.
    let df = df!("x" => zero_to_ten()).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters:
      sourceColumn: x
      threshold: 1
      trimValue: true
      minValue: 10
      maxValue: 90
"#,
        df.clone(),
    );
    assert_frame_eq(
        &out,
        &df!("x" => (1..=9).map(f64::from).collect::<Vec<_>>()).unwrap(),
    );
    let s = &reports[0].stats;
    assert_eq!(s["percentile_low"], json!(1.0));
    assert_eq!(s["percentile_high"], json!(9.0));
    assert_eq!(s["outliers"], json!(2));
    assert_eq!(s["rows_removed"], json!(2));

    // trimValue false (the default): all four outliers go
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, minValue: 10, maxValue: 90}
"#,
        df,
    );
    assert_frame_eq(
        &out,
        &df!("x" => (2..=8).map(f64::from).collect::<Vec<_>>()).unwrap(),
    );
    assert_eq!(reports[0].stats["outliers"], json!(4));
    assert!(!reports[0].stats.contains_key("percentile_low"));
}

#[test]
fn trim_value_with_one_sided_band() {
    // minValue 0 → p0 = 0 (nothing is below it), maxValue 80 → p80 = 8: only 9 and 10 cleared
    let df = df!("x" => zero_to_ten()).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, trimValue: "TRUE", minValue: "0", maxValue: "80", removeType: CLEAR}
"#,
        df,
    );
    let mut expected: Vec<Option<f64>> = zero_to_ten().into_iter().map(Some).collect();
    expected[9] = None;
    expected[10] = None;
    assert_frame_eq(&out, &df!("x" => expected).unwrap());
}

#[test]
fn trim_value_default_percentiles_are_5_and_95() {
    // p5 = 0.5, p95 = 9.5 → of the outliers 0 1 9 10 only 0 and 10 are outside the band
    let df = df!("x" => zero_to_ten()).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, trimValue: true}
"#,
        df,
    );
    assert_frame_eq(
        &out,
        &df!("x" => (1..=9).map(f64::from).collect::<Vec<_>>()).unwrap(),
    );
    assert_eq!(reports[0].stats["percentile_low"], json!(0.5));
    assert_eq!(reports[0].stats["percentile_high"], json!(9.5));
}

// ---- REMOVE_OUTLIERS: conditions, empty input, errors -------------------------------------

#[test]
fn remove_with_conditions_acts_only_where_they_hold_using_whole_column_statistics() {
    // 0..=10, threshold 1: outliers 0 1 9 10 (whole column: mean 5, sd 3.317).
    // g = a on 0, 5 and 9 → rows 0 and 9 removed. (Statistics over the g = a rows alone,
    // 0 5 9: mean 4.67, sd 4.51, would make only 0 an outlier.)
    let g = ["a", "b", "b", "b", "b", "a", "b", "b", "b", "a", "b"];
    let df = df!("x" => zero_to_ten(), "g" => g).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1}
    conditions:
      - {condition: IS, value: a, targetColumn: g}
"#,
        df.clone(),
    );
    let expected = df!(
        "x" => [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0],
        "g" => ["b", "b", "b", "b", "a", "b", "b", "b", "b"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_close(num(&reports[0].stats, "mean"), 5.0);
    assert_close(num(&reports[0].stats, "sd"), 11.0f64.sqrt());
    assert_eq!(reports[0].stats["outliers"], json!(2));
    assert_eq!(reports[0].stats["rows_removed"], json!(2));
    assert_eq!(reports[0].rows_out, Some(9));

    // CLEAR with the same condition
    let out = run(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, removeType: CLEAR}
    conditions:
      - {condition: IS, value: a, targetColumn: g}
"#,
        df,
    );
    let mut x: Vec<Option<f64>> = zero_to_ten().into_iter().map(Some).collect();
    x[0] = None;
    x[9] = None;
    assert_frame_eq(&out, &df!("x" => x, "g" => g).unwrap());
}

#[test]
fn remove_on_empty_input() {
    let df = df!("x" => Vec::<f64>::new(), "i" => Vec::<i64>::new()).unwrap();
    for strategy in ["Z_SCORE", "MODIFIED_Z_SCORE", "IQR"] {
        for remove in ["DELETE_ROWS", "CLEAR"] {
            let steps = format!(
                "  - operation: REMOVE_OUTLIERS\n    parameters: {{sourceColumn: i, outlierStrategy: {strategy}, removeType: {remove}}}\n"
            );
            let (out, reports) = run_report(&steps, df.clone());
            assert_frame_eq(&out, &df);
            assert_eq!(reports[0].stats["outliers"], json!(0));
            assert_eq!(reports[0].rows_out, Some(0));
        }
    }
}

#[test]
fn remove_on_text_column_is_an_error() {
    let df = df!("name" => ["a", "b", ""]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: name}
"#,
        df,
        "step 1 (REMOVE_OUTLIERS)",
    );
    assert_contains(
        &msg,
        "outlier detection needs a numeric column, but 'name' is",
    );
}

#[test]
fn remove_on_missing_column_suggests_the_name() {
    let msg = err_in_step(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: xx}
"#,
        d1(),
        "step 1 (REMOVE_OUTLIERS)",
    );
    assert_contains(&msg, "column 'xx' not found");
    assert_contains(&msg, "did you mean 'x'?");
}

#[test]
fn remove_with_bad_parameters_is_an_error() {
    let cases: &[(&str, &[&str])] = &[
        (
            "{sourceColumn: x, threshold: -1}",
            &["threshold must be 0 or more, found -1"],
        ),
        (
            "{sourceColumn: x, threshold: three}",
            &["parameter 'threshold'", "expected a number, found 'three'"],
        ),
        (
            "{sourceColumn: x, outlierStrategy: ZSCORE}",
            &[
                "parameter 'outlierStrategy'",
                "'ZSCORE' is not one of Z_SCORE, MODIFIED_Z_SCORE, IQR",
                "did you mean 'Z_SCORE'?",
            ],
        ),
        (
            "{sourceColumn: x, removeType: DROP}",
            &[
                "parameter 'removeType'",
                "'DROP' is not one of DELETE_ROWS, CLEAR",
            ],
        ),
        (
            "{sourceColumn: x, trimValue: maybe}",
            &[
                "parameter 'trimValue'",
                "expected true or false, found 'maybe'",
            ],
        ),
        (
            "{sourceColumn: x, trimValue: true, minValue: 90, maxValue: 10}",
            &["0 ≤ minValue < maxValue ≤ 100, found 90 and 10"],
        ),
        (
            "{sourceColumn: x, trimValue: true, maxValue: 150}",
            &["0 ≤ minValue < maxValue ≤ 100, found 5 and 150"],
        ),
        (
            "{sourceColumn: x, trimValue: true, minValue: -1}",
            &["0 ≤ minValue < maxValue ≤ 100, found -1 and 95"],
        ),
        (
            "{outlierStrategy: IQR}",
            &["missing required parameter 'sourceColumn'"],
        ),
    ];
    for (params, parts) in cases {
        let steps = format!("  - operation: REMOVE_OUTLIERS\n    parameters: {params}\n");
        let msg = err_in_step(&steps, d1(), "step 1 (REMOVE_OUTLIERS)");
        for part in *parts {
            assert_contains(&msg, part);
        }
    }
}

// ---- REPLACE_OUTLIERS --------------------------------------------------------------------

/// Run one REPLACE_OUTLIERS step over D2 (float) with threshold 2 and extra parameters.
fn replace_d2(extra: &str) -> (DataFrame, Stats) {
    let df = df!("x" => d2()).unwrap();
    let steps = format!(
        "  - operation: REPLACE_OUTLIERS\n    parameters: {{sourceColumn: x, outlierStrategy: Z_SCORE, threshold: 2, {extra}}}\n"
    );
    let (out, reports) = run_report(&steps, df);
    (out, reports[0].stats.clone())
}

/// D2 with the outlier 60 (last row) replaced.
fn d2_with(last: Option<f64>) -> DataFrame {
    let mut v: Vec<Option<f64>> = d2().into_iter().map(Some).collect();
    v[6] = last;
    df!("x" => v).unwrap()
}

#[test]
fn replace_with_statistics_of_the_non_outliers() {
    let cases: &[(&str, f64)] = &[
        ("replaceType: REPLACE_WITH_AVERAGE", 70.0 / 6.0),
        ("replaceType: REPLACE_WITH_MEDIAN", 11.5),
        ("replaceType: REPLACE_WITH_SUM", 70.0),
        ("replaceType: REPLACE_WITH_MAX", 14.0),
        ("replaceType: REPLACE_WITH_MODE", 11.0),
        ("replaceType: REPLACE_WITH_MODE, modeType: MIN", 11.0),
        ("replaceType: REPLACE_WITH_MODE, modeType: MAX", 12.0),
        ("replaceType: REPLACE_WITH_MODE, modeType: AVERAGE", 11.5),
        ("replaceType: REPLACE_WITH_CUSTOM, value: \"0\"", 0.0),
        ("replaceType: REPLACE_WITH_CUSTOM, value: -2.5", -2.5),
    ];
    for (extra, want) in cases {
        let (out, stats) = replace_d2(extra);
        assert_frame_eq(&out, &d2_with(Some(*want)));
        assert_eq!(stats["replacement"], json!(want), "{extra}");
        assert_eq!(stats["values_replaced"], json!(1), "{extra}");
        assert_eq!(stats["outliers"], json!(1), "{extra}");
    }
}

#[test]
fn replace_with_null_or_empty_clears_the_outlier() {
    for kind in ["REPLACE_WITH_NULL", "REPLACE_WITH_EMPTY"] {
        let (out, stats) = replace_d2(&format!("replaceType: {kind}"));
        assert_frame_eq(&out, &d2_with(None));
        assert_eq!(stats["values_replaced"], json!(1), "{kind}");
    }
}

#[test]
fn winsorize_caps_at_the_given_percentiles() {
    // p25 = 11, p75 = 13 of the full column; 60 is above 13 → 13
    let (out, stats) = replace_d2("replaceType: WINSORIZE_VALUES, minValue: 25, maxValue: 75");
    assert_frame_eq(&out, &d2_with(Some(13.0)));
    assert_eq!(stats["percentile_low"], json!(11.0));
    assert_eq!(stats["percentile_high"], json!(13.0));
    assert_eq!(stats["values_replaced"], json!(1));
}

#[test]
fn winsorize_defaults_to_the_5th_and_95th_percentiles() {
    // p95 = 14 + 0.7·(60 − 14) = 46.2
    let (out, stats) = replace_d2("replaceType: WINSORIZE_VALUES");
    let high = num(&stats, "percentile_high");
    assert_close(high, 46.2);
    assert_close(num(&stats, "percentile_low"), 10.3);
    assert_frame_eq(&out, &d2_with(Some(high)));
}

#[test]
fn winsorize_without_trim_caps_every_outlier_at_the_band() {
    // 0..=10, threshold 1 → outliers 0 1 9 10; band p5 = 0.5, p95 = 9.5 with trimValue false:
    // 0 → 0.5, 10 → 9.5; 1 and 9 are outliers inside the band and keep their value.
    let df = df!("x" => zero_to_ten()).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, replaceType: WINSORIZE_VALUES, trimValue: false}
"#,
        df,
    );
    let mut x = zero_to_ten();
    x[0] = 0.5;
    x[10] = 9.5;
    assert_frame_eq(&out, &df!("x" => x).unwrap());
    assert_eq!(reports[0].stats["outliers"], json!(4));
}

#[test]
fn replace_on_integer_column_rounds_half_away_from_zero_and_stays_integer() {
    // D2 as Int64: mean of non-outliers 11.667 → 12, median 11.5 → 12, mode AVERAGE 11.5 → 12,
    // winsorize 25/75 → 13.  Negated column: median -11.5 → -12, average -11.667 → -12.
    let ints = [10i64, 12, 11, 14, 12, 11, 60];
    let cases: &[(&str, i64)] = &[
        ("REPLACE_WITH_AVERAGE", 12),
        ("REPLACE_WITH_MEDIAN", 12),
        ("REPLACE_WITH_MODE, modeType: AVERAGE", 12),
        ("REPLACE_WITH_SUM", 70),
        ("WINSORIZE_VALUES, minValue: 25, maxValue: 75", 13),
    ];
    for (kind, want) in cases {
        for sign in [1i64, -1] {
            let v: Vec<i64> = ints.iter().map(|x| x * sign).collect();
            let df = df!("x" => v.clone()).unwrap();
            let steps = format!(
                "  - operation: REPLACE_OUTLIERS\n    parameters: {{sourceColumn: x, threshold: 2, replaceType: {kind}}}\n"
            );
            let out = run(&steps, df);
            let mut expected = v;
            // the negated column: -60 is capped at its p25 = -14 + 0.5·2 = -13
            expected[6] = want * sign;
            assert_frame_eq(&out, &df!("x" => expected).unwrap());
        }
    }
}

#[test]
fn replace_with_conditions_changes_only_matching_rows() {
    // 0..=10, threshold 1: outliers 0 1 9 10; non-outliers 2..8 → median 5.
    // Only rows with g = a (0 and 9) are replaced; 1 and 10 keep their value.
    let g = ["a", "b", "b", "b", "b", "a", "b", "b", "b", "a", "b"];
    let df = df!("x" => zero_to_ten(), "g" => g).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, replaceType: REPLACE_WITH_MEDIAN}
    conditions:
      - {condition: IS, value: a, targetColumn: g}
"#,
        df,
    );
    let mut x = zero_to_ten();
    x[0] = 5.0;
    x[9] = 5.0;
    assert_frame_eq(&out, &df!("x" => x, "g" => g).unwrap());
    assert_eq!(reports[0].stats["replacement"], json!(5.0));
    assert_eq!(reports[0].stats["values_replaced"], json!(2));
}

#[test]
fn replace_default_trim_applies_to_null_mode_and_winsorize_only() {
    // 0..=10, threshold 1: outliers 0 1 9 10; default band p5 = 0.5, p95 = 9.5.
    // REPLACE_WITH_NULL trims by default → only 0 and 10 become null;
    // REPLACE_WITH_CUSTOM does not → all four outliers become -1.
    let df = df!("x" => zero_to_ten()).unwrap();
    let out = run(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, replaceType: REPLACE_WITH_NULL}
"#,
        df.clone(),
    );
    let mut x: Vec<Option<f64>> = zero_to_ten().into_iter().map(Some).collect();
    x[0] = None;
    x[10] = None;
    assert_frame_eq(&out, &df!("x" => x).unwrap());

    let out = run(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, replaceType: REPLACE_WITH_CUSTOM, value: "-1"}
"#,
        df.clone(),
    );
    let mut x = zero_to_ten();
    for i in [0, 1, 9, 10] {
        x[i] = -1.0;
    }
    assert_frame_eq(&out, &df!("x" => x).unwrap());

    // REPLACE_WITH_NULL with trimValue false: all four
    let out = run(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1, replaceType: REPLACE_WITH_NULL, trimValue: "FALSE"}
"#,
        df,
    );
    let mut x: Vec<Option<f64>> = zero_to_ten().into_iter().map(Some).collect();
    for i in [0, 1, 9, 10] {
        x[i] = None;
    }
    assert_frame_eq(&out, &df!("x" => x).unwrap());
}

#[test]
fn replace_statistic_excludes_outliers_left_alone_by_trim() {
    // 0..=10, threshold 1: outliers 0 1 9 10; trimValue 10/90 → only 0 and 10 are replaced.
    // The replacement is computed over the values that are not outliers, 2..8:
    // MAX = 8 (not 9), SUM = 35 (not 45 = 1 + … + 9).
    let df = df!("x" => zero_to_ten()).unwrap();
    for (kind, want) in [("REPLACE_WITH_MAX", 8.0), ("REPLACE_WITH_SUM", 35.0)] {
        let steps = format!(
            "  - operation: REPLACE_OUTLIERS\n    parameters: {{sourceColumn: x, threshold: 1, replaceType: {kind}, trimValue: true, minValue: 10, maxValue: 90}}\n"
        );
        let (out, reports) = run_report(&steps, df.clone());
        let mut x = zero_to_ten();
        x[0] = want;
        x[10] = want;
        assert_frame_eq(&out, &df!("x" => x).unwrap());
        assert_eq!(reports[0].stats["replacement"], json!(want), "{kind}");
    }
}

#[test]
fn replace_nulls_stay_null() {
    let df = df!("x" => [Some(10.0f64), None, Some(12.0), Some(11.0), Some(14.0), Some(12.0), Some(11.0), Some(60.0)]).unwrap();
    let out = run(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2, replaceType: REPLACE_WITH_MEDIAN}
"#,
        df,
    );
    let expected = df!("x" => [Some(10.0f64), None, Some(12.0), Some(11.0), Some(14.0), Some(12.0), Some(11.0), Some(11.5)]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn replace_on_empty_input() {
    let df = df!("x" => Vec::<f64>::new()).unwrap();
    for kind in [
        "REPLACE_WITH_AVERAGE",
        "REPLACE_WITH_MODE",
        "WINSORIZE_VALUES",
        "REPLACE_WITH_NULL",
    ] {
        let steps = format!(
            "  - operation: REPLACE_OUTLIERS\n    parameters: {{sourceColumn: x, replaceType: {kind}}}\n"
        );
        let out = run(&steps, df.clone());
        assert_frame_eq(&out, &df);
    }
}

#[test]
fn replace_with_bad_parameters_is_an_error() {
    let cases: &[(&str, &[&str])] = &[
        (
            "{sourceColumn: x, replaceType: REPLACE_WITH_CUSTOM}",
            &["REPLACE_WITH_CUSTOM needs a 'value'"],
        ),
        (
            "{sourceColumn: x, replaceType: REPLACE_WITH_CUSTOM, value: abc}",
            &["parameter 'value'", "expected a number, found 'abc'"],
        ),
        (
            "{sourceColumn: x}",
            &["missing required parameter 'replaceType'"],
        ),
        (
            "{sourceColumn: x, replaceType: REPLACE_WITH_MIN}",
            &[
                "parameter 'replaceType'",
                "'REPLACE_WITH_MIN' is not one of",
            ],
        ),
        (
            "{sourceColumn: x, replaceType: REPLACE_WITH_MODE, modeType: MINIMUM}",
            &[
                "parameter 'modeType'",
                "'MINIMUM' is not one of MIN, MAX, AVERAGE",
            ],
        ),
        (
            "{sourceColumn: x, replaceType: WINSORIZE_VALUES, minValue: 50, maxValue: 50}",
            &["0 ≤ minValue < maxValue ≤ 100, found 50 and 50"],
        ),
        (
            "{sourceColumn: y, replaceType: REPLACE_WITH_NULL}",
            &["column 'y' not found", "did you mean 'x'?"],
        ),
    ];
    for (params, parts) in cases {
        let steps = format!("  - operation: REPLACE_OUTLIERS\n    parameters: {params}\n");
        let msg = err_in_step(
            &steps,
            df!("x" => d2()).unwrap(),
            "step 1 (REPLACE_OUTLIERS)",
        );
        for part in *parts {
            assert_contains(&msg, part);
        }
    }
}

#[test]
fn replace_on_text_column_is_an_error() {
    let df = df!("s" => ["1", "2", "100"]).unwrap();
    let msg = err_in_step(
        r#"
  - operation: REPLACE_OUTLIERS
    parameters: {sourceColumn: s, replaceType: REPLACE_WITH_MEDIAN}
"#,
        df,
        "step 1 (REPLACE_OUTLIERS)",
    );
    assert_contains(&msg, "outlier detection needs a numeric column, but 's' is");
}

// ---- FLAG_OUTLIERS -----------------------------------------------------------------------

#[test]
fn flag_outliers_adds_a_text_column_after_the_source() {
    // IQR 1.5 on -3.75 2..9 14.75 (and a null): Q1 3.25, Q3 7.75, fences -3.5 / 14.5
    let x = [
        Some(-3.75f64),
        Some(2.0),
        Some(3.0),
        None,
        Some(4.0),
        Some(5.0),
        Some(6.0),
        Some(7.0),
        Some(8.0),
        Some(9.0),
        Some(14.75),
    ];
    let df = df!("x" => x, "after" => [1i32; 11]).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: IQR, threshold: 1.5}
"#,
        df,
    );
    let f = "False";
    let t = "True";
    let expected = df!(
        "x" => x,
        "x_outlier" => [t, f, f, f, f, f, f, f, f, f, t],
        "after" => [1i32; 11]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["outliers"], json!(2));
    assert_eq!(reports[0].stats["q1"], json!(3.25));
}

#[test]
fn flag_outliers_with_own_target_and_strings() {
    // D1, Z_SCORE threshold 2 → 50 only
    let (out, _) = run_report(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x, targetColumn: is_odd, threshold: 2, trueString: "yes", falseString: "no"}
"#,
        d1(),
    );
    let expected = df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7],
        "x" => [10.0f64, 12.0, 11.0, 13.0, 12.0, 11.0, 50.0],
        "is_odd" => ["no", "no", "no", "no", "no", "no", "yes"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn flag_outliers_modified_z_score_is_strict() {
    // 1 2 3 4 100 (MAD 1): threshold 1.349 flags 100 only, 1 sits exactly on it
    let df = df!("x" => [1i64, 2, 3, 4, 100]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x, outlierStrategy: MODIFIED_Z_SCORE, threshold: 1.349}
"#,
        df,
    );
    let expected = df!(
        "x" => [1i64, 2, 3, 4, 100],
        "x_outlier" => ["False", "False", "False", "False", "True"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn flag_outliers_with_conditions_is_null_where_they_do_not_hold() {
    // 0..=10, threshold 1 (statistics over the whole column): outliers 0 1 9 10.
    // Condition x >= 5: rows 0..4 get null, 9 and 10 are True.
    let df = df!("x" => zero_to_ten()).unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x, threshold: 1}
    conditions:
      - {condition: GREATER_THAN_EQUAL, value: "5", targetColumn: x}
"#,
        df,
    );
    let n = None;
    let f = Some("False");
    let t = Some("True");
    let expected = df!(
        "x" => zero_to_ten(),
        "x_outlier" => [n, n, n, n, n, f, f, f, f, t, t]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].stats["outliers"], json!(2));
}

#[test]
fn flag_outliers_on_empty_input_adds_an_empty_text_column() {
    let df = df!("x" => Vec::<i64>::new()).unwrap();
    let out = run(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x}
"#,
        df,
    );
    let expected = df!("x" => Vec::<i64>::new(), "x_outlier" => Vec::<String>::new()).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn flag_outliers_errors() {
    let df = df!("x" => [1.0f64, 2.0], "x_outlier" => ["a", "b"], "s" => ["a", "b"]).unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("{sourceColumn: x}", &["column 'x_outlier' already exists"]),
        (
            "{sourceColumn: x, targetColumn: s}",
            &["column 's' already exists"],
        ),
        (
            "{sourceColumn: s, targetColumn: f}",
            &["outlier detection needs a numeric column, but 's' is"],
        ),
        (
            "{sourceColumn: X, targetColumn: f}",
            &[
                "column 'X' not found",
                "did you mean 'x'? (names are case-sensitive)",
            ],
        ),
        (
            "{sourceColumn: x, targetColumn: f, outlierStrategy: MAD}",
            &["parameter 'outlierStrategy'", "'MAD' is not one of"],
        ),
        (
            "{sourceColumn: x, targetColumn: f, threshold: \"-0.5\"}",
            &["threshold must be 0 or more, found -0.5"],
        ),
    ];
    for (params, parts) in cases {
        let steps = format!("  - operation: FLAG_OUTLIERS\n    parameters: {params}\n");
        let msg = err_in_step(&steps, df.clone(), "step 1 (FLAG_OUTLIERS)");
        for part in *parts {
            assert_contains(&msg, part);
        }
    }
}

// ---- DataBrew JSON recipes ---------------------------------------------------------------

#[test]
fn databrew_json_recipe_with_string_parameters() {
    // step 1: flag with IQR 1.5 (fences -3.5 / 14.5 over L 2..9 H with L = -3.75, H = 14.75);
    // step 2: clear the outliers, acting only on the upper one (trimValue, maxValue 90:
    // p90 at rank 8.1 = 9 + 0.1·5.75 = 9.575 → 14.75 is above it, -3.75 is not below p0).
    let df = df!("x" => [-3.75f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 14.75]).unwrap();
    let recipe = r#"[
  {
    "Action": {
      "Operation": "FLAG_OUTLIERS",
      "Parameters": {
        "sourceColumn": "x",
        "targetColumn": "flag",
        "outlierStrategy": "IQR",
        "threshold": "1.5",
        "trueString": "Y",
        "falseString": "N"
      }
    }
  },
  {
    "Action": {
      "Operation": "REMOVE_OUTLIERS",
      "Parameters": {
        "sourceColumn": "x",
        "outlierStrategy": "IQR",
        "threshold": "1.5",
        "removeType": "CLEAR",
        "trimValue": "TRUE",
        "minValue": "0",
        "maxValue": "90"
      }
    }
  }
]"#;
    let out = run_json(recipe, df).unwrap_or_else(|e| panic!("{e}"));
    let expected = df!(
        "x" => [Some(-3.75f64), Some(2.0), Some(3.0), Some(4.0), Some(5.0), Some(6.0), Some(7.0), Some(8.0), Some(9.0), None],
        "flag" => ["Y", "N", "N", "N", "N", "N", "N", "N", "N", "Y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_replace_outliers_with_conditions() {
    let df = df!(
        "x" => d2(),
        "keep" => ["n", "n", "n", "n", "n", "n", "n"]
    )
    .unwrap();
    let recipe = r#"[
  {
    "Action": {
      "Operation": "REPLACE_OUTLIERS",
      "Parameters": {
        "SourceColumn": "x",
        "OutlierStrategy": "Z_SCORE",
        "Threshold": "2",
        "ReplaceType": "REPLACE_WITH_AVERAGE"
      }
    },
    "ConditionExpressions": [
      {"Condition": "IS_NOT", "Value": "[\"y\"]", "TargetColumn": "keep"}
    ]
  }
]"#;
    let out = run_json(recipe, df).unwrap_or_else(|e| panic!("{e}"));
    let mut x = d2();
    x[6] = 70.0 / 6.0;
    let expected = df!("x" => x, "keep" => ["n"; 7]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_errors_name_the_step() {
    let df = df!("x" => d2()).unwrap();
    let recipe = r#"[
  {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {"sourceColumn": "x", "threshold": "2"}}},
  {"Action": {"Operation": "REPLACE_OUTLIERS", "Parameters": {"sourceColumn": "x", "replaceType": "REPLACE_WITH_CUSTOM"}}}
]"#;
    let msg = message(&run_json(recipe, df).expect_err("custom needs a value"));
    assert_contains(&msg, "step 2 (REPLACE_OUTLIERS)");
    assert_contains(&msg, "REPLACE_WITH_CUSTOM needs a 'value'");
}

#[test]
fn statistics_use_the_input_of_the_step_not_the_original_data() {
    // D1 plus a null. Step 1 removes 50 (threshold 2). Step 2 then fills the null with the mean
    // of what is left, 10 12 11 13 12 11 → 69/6 = 11.5 (17 over the original values).
    let df = df!(
        "x" => [Some(10.0f64), Some(12.0), Some(11.0), None, Some(13.0), Some(12.0), Some(11.0), Some(50.0)]
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2}
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: x}
"#,
        df,
    );
    let expected = df!("x" => [10.0f64, 12.0, 11.0, 11.5, 13.0, 12.0, 11.0]).unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].rows_out, Some(7));
    assert_eq!(reports[1].rows_in, Some(7));
    assert_eq!(reports[1].stats["mean"], json!(11.5));
}

#[test]
fn condition_problems_name_the_step() {
    let msg = err_in_step(
        r#"
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: x, threshold: 2}
    conditions:
      - {condition: GREATER_THAN, value: "5", targetColumn: idd}
"#,
        d1(),
        "step 1 (REMOVE_OUTLIERS)",
    );
    assert_contains(&msg, "condition column 'idd' not found");
    assert_contains(&msg, "did you mean 'id'?");

    let msg = err_in_step(
        r#"
  - operation: FLAG_OUTLIERS
    parameters: {sourceColumn: x}
    conditions:
      - {condition: GREATER_THAN, value: "five", targetColumn: id}
"#,
        d1(),
        "step 1 (FLAG_OUTLIERS)",
    );
    assert_contains(
        &msg,
        "GREATER_THAN compares numbers, but 'five' is not a number",
    );
}
