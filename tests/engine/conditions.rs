use crate::support::*;
use polars::prelude::*;

/// For each row, whether the step's `conditions` (YAML list items, indented by six spaces)
/// hold: a FLAG_COLUMN_FROM_NULL with these conditions is null exactly where they do not.
fn holds(conditions: &str, df: DataFrame) -> Vec<bool> {
    let first = df.get_column_names()[0].to_string();
    let out = run(
        &format!(
            "
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {{sourceColumn: {first}, targetColumn: holds}}
    conditions:
{conditions}"
        ),
        df,
    );
    out.column("holds")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.is_some())
        .collect()
}

fn texts() -> DataFrame {
    df!(
        "name" => [Some("Ann"), Some("[TEST] Bob"), Some("carl"), None, Some(""), Some("a.c"), Some("abc"), Some("  ")]
    )
    .unwrap()
}

fn numbers() -> DataFrame {
    df!(
        "age" => [Some(5i64), Some(10), Some(100), Some(20), None, Some(30)],
        "score" => [Some(1.5f64), Some(2.0), None, Some(4.0), Some(5.5), Some(-1.0)],
        "code" => [Some("5"), Some("10"), Some("100"), Some("20"), None, Some("x")]
    )
    .unwrap()
}

const T: bool = true;
const F: bool = false;

// ---- IS / IS_NOT ------------------------------------------------------------------------

#[test]
fn is_with_a_json_list_a_yaml_list_and_a_single_value() {
    let json = holds(
        r#"      - {condition: IS, value: '["Ann", "carl"]', targetColumn: name}
"#,
        texts(),
    );
    assert_eq!(json, [T, F, T, F, F, F, F, F]);
    let yaml = holds(
        "      - {condition: IS, value: [Ann, carl], targetColumn: name}\n",
        texts(),
    );
    assert_eq!(yaml, [T, F, T, F, F, F, F, F]);
    let single = holds(
        "      - {condition: IS, value: carl, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(single, [F, F, T, F, F, F, F, F]);
}

#[test]
fn is_is_exact_and_case_sensitive() {
    let got = holds(
        "      - {condition: IS, value: ann, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(got, [F; 8]);
    // A prefix of "Ann" is not "Ann".
    let prefix = holds(
        "      - {condition: IS, value: An, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(prefix, [F; 8]);
}

#[test]
fn is_compares_numerically_on_numeric_columns() {
    let single = holds(
        "      - {condition: IS, value: '10.0', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(single, [F, T, F, F, F, F]);
    let list = holds(
        r#"      - {condition: IS, value: '["5", "100"]', targetColumn: age}
"#,
        numbers(),
    );
    assert_eq!(list, [T, F, T, F, F, F]);
    let typed_list = holds(
        "      - {condition: IS, value: [5, 30], targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(typed_list, [T, F, F, F, F, T]);
    let float = holds(
        "      - {condition: IS, value: '2', targetColumn: score}\n",
        numbers(),
    );
    assert_eq!(float, [F, T, F, F, F, F]);
}

#[test]
fn is_compares_text_on_text_columns() {
    // "10.0" is not the text "10".
    let got = holds(
        r#"      - {condition: IS, value: '["10.0", "20"]', targetColumn: code}
"#,
        numbers(),
    );
    assert_eq!(got, [F, F, F, T, F, F]);
    let number_written_bare = holds(
        "      - {condition: IS, value: 10, targetColumn: code}\n",
        numbers(),
    );
    assert_eq!(number_written_bare, [F, T, F, F, F, F]);
}

#[test]
fn is_on_a_boolean_column() {
    let df = df!("ok" => [Some(true), Some(false), None]).unwrap();
    let got = holds(
        "      - {condition: IS, value: 'TRUE', targetColumn: ok}\n",
        df,
    );
    assert_eq!(got, [T, F, F]);
}

#[test]
fn is_not_holds_for_missing_values() {
    let text = holds(
        r#"      - {condition: IS_NOT, value: '["Ann", "carl"]', targetColumn: name}
"#,
        texts(),
    );
    assert_eq!(text, [F, T, F, T, T, T, T, T]);
    let number = holds(
        "      - {condition: IS_NOT, value: '10', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(number, [T, F, T, T, T, T]);
}

// ---- IS_BETWEEN -------------------------------------------------------------------------

#[test]
fn is_between_with_an_object_is_inclusive() {
    let got = holds(
        r#"      - {condition: IS_BETWEEN, value: '{"GREATER_THAN_EQUAL": "10", "LESS_THAN_EQUAL": "30"}', targetColumn: age}
"#,
        numbers(),
    );
    assert_eq!(got, [F, T, F, T, F, T]);
}

#[test]
fn is_between_with_a_two_element_list_is_inclusive() {
    let json = holds(
        r#"      - {condition: IS_BETWEEN, value: '["10", "30"]', targetColumn: age}
"#,
        numbers(),
    );
    assert_eq!(json, [F, T, F, T, F, T]);
    let yaml = holds(
        "      - {condition: IS_BETWEEN, value: [10, 30], targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(yaml, [F, T, F, T, F, T]);
    let yaml_map = holds(
        "      - {condition: IS_BETWEEN, value: {GREATER_THAN_EQUAL: 1.5, LESS_THAN_EQUAL: 4}, targetColumn: score}\n",
        numbers(),
    );
    assert_eq!(yaml_map, [T, T, F, T, F, F]);
}

#[test]
fn is_between_on_a_text_column_compares_text() {
    let got = holds(
        r#"      - {condition: IS_BETWEEN, value: '["10", "20"]', targetColumn: code}
"#,
        numbers(),
    );
    // Text order: "10" <= "100" <= "20"; "5" > "20".
    assert_eq!(got, [F, T, T, T, F, F]);
}

// ---- CONTAINS / STARTS_WITH / ENDS_WITH ---------------------------------------------------

#[test]
fn contains_is_literal_and_case_sensitive() {
    let got = holds(
        "      - {condition: CONTAINS, value: a.c, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(got, [F, F, F, F, F, T, F, F]);
    let a = holds(
        "      - {condition: CONTAINS, value: a, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(a, [F, F, T, F, F, T, T, F]);
}

#[test]
fn not_contains_does_not_hold_on_null() {
    let got = holds(
        "      - {condition: NOT_CONTAINS, value: a, targetColumn: name}\n",
        texts(),
    );
    // The empty string (index 4) is text, not null: it does not contain "a", so NOT_CONTAINS
    // holds there.
    assert_eq!(got, [T, T, F, F, T, F, F, T]);
}

#[test]
fn starts_with_takes_the_value_as_plain_text() {
    let got = holds(
        "      - {condition: STARTS_WITH, value: '[TEST]', targetColumn: name}\n",
        texts(),
    );
    assert_eq!(got, [F, T, F, F, F, F, F, F]);
    let not = holds(
        "      - {condition: NOT_STARTS_WITH, value: '[TEST]', targetColumn: name}\n",
        texts(),
    );
    // Null (index 3) fails the condition; the empty string (index 4) does not start with it.
    assert_eq!(not, [T, F, T, F, T, T, T, T]);
}

#[test]
fn ends_with_and_not_ends_with() {
    let got = holds(
        "      - {condition: ENDS_WITH, value: c, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(got, [F, F, F, F, F, T, T, F]);
    let not = holds(
        "      - {condition: NOT_ENDS_WITH, value: c, targetColumn: name}\n",
        texts(),
    );
    // Null (index 3) fails the condition; the empty string (index 4) does not end with "c".
    assert_eq!(not, [T, T, T, F, T, F, F, T]);
}

#[test]
fn text_conditions_on_a_numeric_column_use_the_value_as_text() {
    let got = holds(
        "      - {condition: STARTS_WITH, value: '1', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(got, [F, T, T, F, F, F]);
    let contains = holds(
        "      - {condition: CONTAINS, value: '0', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(contains, [F, T, T, T, F, T]);
}

// ---- ordered comparisons -----------------------------------------------------------------

#[test]
fn comparisons_are_numeric_on_numeric_columns() {
    let cases = [
        ("LESS_THAN", [T, T, F, F, F, F]),
        ("LESS_THAN_EQUAL", [T, T, F, T, F, F]),
        ("GREATER_THAN", [F, F, T, F, F, T]),
        ("GREATER_THAN_EQUAL", [F, F, T, T, F, T]),
    ];
    for (op, expected) in cases {
        let got = holds(
            &format!("      - {{condition: {op}, value: '20', targetColumn: age}}\n"),
            numbers(),
        );
        assert_eq!(got, expected, "{op}");
    }
}

#[test]
fn comparisons_with_fractional_and_negative_values() {
    let got = holds(
        "      - {condition: LESS_THAN, value: '20.5', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(got, [T, T, F, T, F, F]);
    let got = holds(
        "      - {condition: GREATER_THAN, value: '-1', targetColumn: score}\n",
        numbers(),
    );
    assert_eq!(got, [T, T, F, T, T, F]);
    let got = holds(
        "      - {condition: LESS_THAN_EQUAL, value: 2, targetColumn: score}\n",
        numbers(),
    );
    assert_eq!(got, [T, T, F, F, F, T]);
}

#[test]
fn comparisons_are_textual_on_text_columns() {
    let cases = [
        ("LESS_THAN", [F, T, T, F, F, F]),
        ("LESS_THAN_EQUAL", [F, T, T, T, F, F]),
        ("GREATER_THAN", [T, F, F, F, F, T]),
        ("GREATER_THAN_EQUAL", [T, F, F, T, F, T]),
    ];
    for (op, expected) in cases {
        let got = holds(
            &format!("      - {{condition: {op}, value: '20', targetColumn: code}}\n"),
            numbers(),
        );
        assert_eq!(got, expected, "{op}");
    }
}

// ---- IS_MISSING / IS_INVALID -------------------------------------------------------------

#[test]
fn is_missing_is_null_or_empty_text_not_whitespace() {
    let got = holds(
        "      - {condition: IS_MISSING, targetColumn: name}\n",
        texts(),
    );
    assert_eq!(got, [F, F, F, T, T, F, F, F]);
    let number = holds(
        "      - {condition: IS_MISSING, targetColumn: score}\n",
        numbers(),
    );
    assert_eq!(number, [F, F, T, F, F, F]);
}

#[test]
fn is_invalid_checks_text_against_the_named_type() {
    let df = df!("raw" => [Some("1"), Some("x"), Some(""), None, Some("2.5"), Some("-7")]).unwrap();
    let int = holds(
        "      - {condition: IS_INVALID, value: int, targetColumn: raw}\n",
        df.clone(),
    );
    assert_eq!(int, [F, T, F, F, T, F]);
    let double = holds(
        "      - {condition: IS_INVALID, value: double, targetColumn: raw}\n",
        df,
    );
    assert_eq!(double, [F, T, F, F, F, F]);
}

#[test]
fn is_invalid_with_date_type() {
    let df = df!("d" => [Some("2020-01-31"), Some("2020-13-01"), Some("yesterday"), None]).unwrap();
    let got = holds(
        "      - {condition: IS_INVALID, value: date, targetColumn: d}\n",
        df,
    );
    assert_eq!(got, [F, T, T, F]);
}

#[test]
fn is_invalid_never_holds_on_typed_columns_or_without_a_type() {
    let typed = holds(
        "      - {condition: IS_INVALID, value: int, targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(typed, [F; 6]);
    let untyped = holds(
        "      - {condition: IS_INVALID, targetColumn: code}\n",
        numbers(),
    );
    assert_eq!(untyped, [F; 6]);
}

#[test]
fn is_invalid_with_an_unknown_type_is_an_error() {
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: code}
    conditions:
      - {condition: IS_INVALID, value: integr, targetColumn: code}
"#,
        numbers(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("IS_INVALID: unknown data type 'integr'"), "{m}");
}

// ---- combining conditions ----------------------------------------------------------------

#[test]
fn several_conditions_are_anded() {
    let got = holds(
        r#"      - {condition: GREATER_THAN, value: '5', targetColumn: age}
      - {condition: LESS_THAN, value: '5', targetColumn: score}
      - {condition: IS_NOT, value: '["20"]', targetColumn: code}
"#,
        numbers(),
    );
    // age > 5: rows 1, 2, 3, 5; score < 5 (null fails): rows 0, 1, 3, 5; code != "20": all but 3.
    assert_eq!(got, [F, T, F, F, F, T]);
}

#[test]
fn condition_names_are_case_insensitive() {
    let got = holds(
        "      - {condition: less_than, value: '20', targetColumn: age}\n",
        numbers(),
    );
    assert_eq!(got, [T, T, F, F, F, F]);
}

#[test]
fn a_condition_can_target_a_column_made_by_an_earlier_step() {
    let df = df!("c" => [Some("a"), None, Some("b")]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: c}
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: c}
    conditions:
      - {condition: IS, value: 'True', targetColumn: c_flagged}
"#,
        df,
    );
    let expected = df!("c" => ["a", "b"], "c_flagged" => ["False", "False"]).unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- how conditions act, per kind of operation -------------------------------------------

fn students() -> DataFrame {
    df!(
        "name" => [Some("a"), None, None, Some(""), Some("e")],
        "age" => [Some(10i64), Some(10), Some(20), Some(30), None],
        "school" => ["x", "y", "x", "x", "y"]
    )
    .unwrap()
}

#[test]
fn in_place_step_changes_only_rows_where_the_conditions_hold() {
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: name, value: "?"}
    conditions:
      - {condition: GREATER_THAN, value: '15', targetColumn: age}
"#,
        students(),
    );
    let expected = df!(
        "name" => [Some("a"), None, Some("?"), Some("?"), Some("e")],
        "age" => [Some(10i64), Some(10), Some(20), Some(30), None],
        "school" => ["x", "y", "x", "x", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn in_place_step_on_the_condition_column_itself() {
    let out = run(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: age, value: "0"}
    conditions:
      - {condition: IS, value: y, targetColumn: school}
"#,
        students(),
    );
    let expected = df!(
        "name" => [Some("a"), None, None, Some(""), Some("e")],
        "age" => [10i64, 10, 20, 30, 0],
        "school" => ["x", "y", "x", "x", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn new_column_step_is_null_where_the_conditions_do_not_hold() {
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: age, targetColumn: age_x}
    conditions:
      - {condition: IS, value: x, targetColumn: school}
"#,
        students(),
    );
    let expected = df!(
        "name" => [Some("a"), None, None, Some(""), Some("e")],
        "age" => [Some(10i64), Some(10), Some(20), Some(30), None],
        "age_x" => [Some(10i64), None, Some(20), Some(30), None],
        "school" => ["x", "y", "x", "x", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn row_filter_step_removes_only_rows_where_the_conditions_hold() {
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS, value: x, targetColumn: school}
"#,
        students(),
    );
    // Missing names in school x (rows 2 and 3) go; the missing name in school y stays.
    let expected = df!(
        "name" => [Some("a"), None, Some("e")],
        "age" => [Some(10i64), Some(10), None],
        "school" => ["x", "y", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].rows_in, Some(5));
    assert_eq!(reports[0].rows_out, Some(3));
}

#[test]
fn remove_values_removes_rows_where_all_conditions_hold_and_keeps_unevaluable_rows() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: LESS_THAN_EQUAL, value: '20', targetColumn: age}
      - {condition: IS_NOT, value: '["y"]', targetColumn: school}
"#,
        students(),
    );
    // Row 0 (10, x) and row 2 (20, x) go; row 4 has a null age, so LESS_THAN_EQUAL does not hold.
    let expected = df!(
        "name" => [None, Some(""), Some("e")],
        "age" => [Some(10i64), Some(30), None],
        "school" => ["y", "x", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn remove_values_with_is_not_removes_missing_values() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS_NOT, value: '["a", "e"]', targetColumn: name}
"#,
        students(),
    );
    let expected = df!(
        "name" => ["a", "e"],
        "age" => [Some(10i64), None],
        "school" => ["x", "y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- errors ------------------------------------------------------------------------------

#[test]
fn unknown_condition_suggests_the_closest_name() {
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: LESS_THEN, value: '3', targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("unknown condition 'LESS_THEN'"), "{m}");
    assert!(m.contains("did you mean 'LESS_THAN'?"), "{m}");
    assert!(m.contains("test.yaml:7:"), "points at the condition: {m}");
}

#[test]
fn unknown_condition_without_a_close_name_lists_the_conditions() {
    let e = run_err(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: name, value: z}
    conditions:
      - {condition: MATCHES_REGEX_PLEASE, value: '3', targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FILL_WITH_CUSTOM)"), "{m}");
    assert!(
        m.contains("unknown condition 'MATCHES_REGEX_PLEASE'"),
        "{m}"
    );
    assert!(m.contains("IS_BETWEEN"), "{m}");
    assert!(m.contains("IS_MISSING"), "{m}");
}

#[test]
fn unknown_condition_column_is_an_error_with_a_suggestion() {
    let e = run_err(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: name, value: z}
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: IS, value: x, targetColumn: schol}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 2 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("condition column 'schol' not found"), "{m}");
    assert!(m.contains("did you mean 'school'?"), "{m}");
}

#[test]
fn condition_on_a_column_deleted_by_an_earlier_step_is_an_error() {
    let e = run_err(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: school}
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS, value: x, targetColumn: school}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 2 (REMOVE_MISSING)"), "{m}");
    assert!(m.contains("condition column 'school' not found"), "{m}");
}

#[test]
fn non_numeric_value_compared_with_a_numeric_column_is_an_error() {
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: GREATER_THAN, value: ten, targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{m}");
    assert!(
        m.contains("GREATER_THAN compares numbers, but 'ten' is not a number"),
        "{m}"
    );
    assert!(m.contains("column 'age'"), "{m}");
}

#[test]
fn non_numeric_list_item_or_bound_with_a_numeric_column_is_an_error() {
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: IS, value: '["10", "n/a"]', targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert!(
        m.contains("IS compares numbers, but 'n/a' is not a number"),
        "{m}"
    );
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: IS_BETWEEN, value: '["low", "20"]', targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("'low' is not a number"), "{m}");
}

#[test]
fn is_between_needs_two_bounds() {
    for value in [
        r#"'["1", "2", "3"]'"#,
        "'5'",
        "'{\"LESS_THAN_EQUAL\": \"9\"}'",
    ] {
        let e = run_err(
            &format!(
                r#"
  - operation: REMOVE_VALUES
    parameters: {{sourceColumn: age}}
    conditions:
      - {{condition: IS_BETWEEN, value: {value}, targetColumn: age}}
"#
            ),
            students(),
        );
        let m = message(&e);
        assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{value}: {m}");
        assert!(m.contains("IS_BETWEEN needs"), "{value}: {m}");
    }
}

#[test]
fn a_comparison_without_a_value_is_an_error() {
    let e = run_err(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: LESS_THAN, targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("condition LESS_THAN needs a 'Value'"), "{m}");
}

#[test]
fn conditions_on_an_operation_that_does_not_take_them_are_an_error() {
    let e = run_err(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: school}
    conditions:
      - {condition: IS, value: x, targetColumn: school}
"#,
        students(),
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 1 (DELETE)"), "{m}");
    assert!(
        m.contains("DELETE does not take ConditionExpressions"),
        "{m}"
    );
}

#[test]
fn remove_values_without_conditions_is_an_error() {
    let e = run_err(
        r#"
  - operation: FILL_WITH_CUSTOM
    parameters: {sourceColumn: name, value: z}
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 2 (REMOVE_VALUES)"), "{m}");
    assert!(
        m.contains("REMOVE_VALUES needs ConditionExpressions"),
        "{m}"
    );
}

#[test]
fn condition_errors_in_several_steps_are_all_reported() {
    let e = run_err(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: school}
    conditions:
      - {condition: IS, value: x, targetColumn: school}
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: IS_BETWIXT, value: '[1, 2]', targetColumn: age}
"#,
        students(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (DELETE)"), "{m}");
    assert!(m.contains("in step 2 (REMOVE_VALUES)"), "{m}");
    assert!(m.contains("did you mean 'IS_BETWEEN'?"), "{m}");
}

// ---- DataBrew JSON -----------------------------------------------------------------------

#[test]
fn databrew_json_condition_expressions() {
    let df = df!(
        "title" => [Some("[TEST] one"), Some("two"), Some("three"), None, Some("four")],
        "black_rating" => [1700i64, 1900, 1750, 2100, 1500],
        "winner" => [Some("white"), Some("draw"), Some("draw"), Some("black"), None]
    )
    .unwrap();
    let recipe = r#"[
  {
    "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "title"}},
    "ConditionExpressions": [
      {"Condition": "STARTS_WITH", "Value": "[TEST]", "TargetColumn": "title"}
    ]
  },
  {
    "Action": {
      "Operation": "FILL_WITH_CUSTOM",
      "Parameters": {"SourceColumn": "winner", "Value": "unknown", "ColumnDataType": "string"}
    },
    "ConditionExpressions": [
      {"Condition": "IS_BETWEEN", "Value": "{\"GREATER_THAN_EQUAL\":\"1500\",\"LESS_THAN_EQUAL\":\"1800\"}", "TargetColumn": "black_rating"}
    ]
  },
  {
    "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "black_rating"}},
    "ConditionExpressions": [
      {"Condition": "LESS_THAN", "Value": "1800", "TargetColumn": "black_rating"},
      {"Condition": "IS", "Value": "[\"draw\"]", "TargetColumn": "winner"}
    ]
  }
]"#;
    let out = run_json(recipe, df).unwrap();
    let expected = df!(
        "title" => [Some("two"), None, Some("four")],
        "black_rating" => [1900i64, 2100, 1500],
        "winner" => ["draw", "black", "unknown"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_unknown_condition_names_step_and_operation() {
    let recipe = r#"[
  {
    "Action": {"Operation": "REMOVE_MISSING", "Parameters": {"sourceColumn": "name"}},
    "ConditionExpressions": [{"Condition": "IS_MISING", "TargetColumn": "name"}]
  }
]"#;
    let e = run_json(recipe, students()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("test.json:4:"), "{m}");
    assert!(m.contains("in step 1 (REMOVE_MISSING)"), "{m}");
    assert!(m.contains("did you mean 'IS_MISSING'?"), "{m}");
}

#[test]
fn conditions_on_a_date_column_compare_iso_text() {
    let df = df!("d" => [Some("2020-01-01"), Some("2021-05-01"), None])
        .unwrap()
        .lazy()
        .with_column(col("d").cast(DataType::Date))
        .collect()
        .unwrap();
    let less = holds(
        "      - {condition: LESS_THAN, value: '2020-06-01', targetColumn: d}\n",
        df.clone(),
    );
    assert_eq!(less, [T, F, F]);
    let is = holds(
        "      - {condition: IS, value: '2021-05-01', targetColumn: d}\n",
        df,
    );
    assert_eq!(is, [F, T, F]);
}

#[test]
fn yaml_values_keep_the_text_as_written() {
    let df = df!("code" => ["007", "7", "7.0"]).unwrap();
    let got = holds(
        "      - {condition: IS, value: 007, targetColumn: code}\n",
        df.clone(),
    );
    assert_eq!(got, [T, F, F]);
    let got = holds(
        "      - {condition: IS, value: 7.0, targetColumn: code}\n",
        df,
    );
    assert_eq!(got, [F, F, T]);
}

#[test]
fn is_invalid_with_boolean_type() {
    let df = df!("b" => [Some("true"), Some("false"), Some("maybe"), None]).unwrap();
    let got = holds(
        "      - {condition: IS_INVALID, value: boolean, targetColumn: b}\n",
        df,
    );
    assert_eq!(got, [F, F, T, F]);
}

#[test]
fn is_invalid_with_timestamp_type() {
    let df = df!("t" => [
        Some("2020-01-01 10:00:00"),
        Some("2020-01-01T10:00:00"),
        Some("not a time"),
        None
    ])
    .unwrap();
    let got = holds(
        "      - {condition: IS_INVALID, value: timestamp, targetColumn: t}\n",
        df,
    );
    assert_eq!(got, [F, F, T, F]);
}

#[test]
fn is_on_large_integers_is_exact() {
    let df = df!("id" => [9007199254740992i64, 9007199254740993]).unwrap();
    let got = holds(
        "      - {condition: IS, value: '9007199254740993', targetColumn: id}\n",
        df,
    );
    assert_eq!(got, [F, T]);
}

#[test]
fn a_condition_can_target_a_one_hot_column_of_an_earlier_step() {
    let df = df!("health" => [1i64, 2, 1, 3]).unwrap();
    let out = run(
        r#"
  - operation: ONE_HOT_ENCODING
    parameters: {sourceColumn: health}
  - operation: REMOVE_VALUES
    conditions:
      - {condition: IS, value: '1', targetColumn: health_1}
"#,
        df,
    );
    let expected = df!(
        "health" => [2i64, 3],
        "health_1" => [0i32, 0],
        "health_2" => [1i32, 0],
        "health_3" => [0i32, 1]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}
