use crate::support::*;
use polars::prelude::*;

use serde_json::json;

// ---- helpers --------------------------------------------------------------------------------

/// Days since 1970-01-01 (proleptic Gregorian), for building Date columns.
fn days(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn date_col(name: &str, values: &[Option<(i32, u32, u32)>]) -> Column {
    let v: Vec<Option<i32>> = values
        .iter()
        .map(|o| o.map(|(y, m, d)| days(y, m, d)))
        .collect();
    Series::new(name.into(), v)
        .cast(&DataType::Date)
        .unwrap()
        .into()
}

/// Microseconds since the epoch.
fn micros(y: i32, mo: u32, d: u32, h: i64, mi: i64, s: i64, us: i64) -> i64 {
    days(y, mo, d) as i64 * 86_400_000_000 + ((h * 60 + mi) * 60 + s) * 1_000_000 + us
}

fn datetime_col(name: &str, values: &[Option<i64>]) -> Column {
    Series::new(name.into(), values.to_vec())
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap()
        .into()
}

fn frame(columns: Vec<Column>) -> DataFrame {
    let height = columns.first().map_or(0, |c| c.len());
    DataFrame::new(height, columns).unwrap()
}

/// A four-column frame with a null and an empty string in the text column.
fn abcd() -> DataFrame {
    df!(
        "a" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap()
}

fn empty_abcd() -> DataFrame {
    df!(
        "a" => Vec::<&str>::new(),
        "b" => Vec::<i64>::new(),
        "c" => Vec::<f64>::new(),
        "d" => Vec::<bool>::new(),
    )
    .unwrap()
}

/// `abcd()` with its columns in the given order.
fn abcd_in(order: &[&str]) -> DataFrame {
    abcd().select(order.iter().copied()).unwrap()
}

fn change_type(column: &str, to: &str) -> String {
    format!(
        "  - operation: CHANGE_DATA_TYPE\n    parameters: {{sourceColumn: {column}, columnDataType: {to}}}\n"
    )
}

/// Run CHANGE_DATA_TYPE over a one-column frame; returns the output and the step's stats.
fn convert(
    values: Series,
    to: &str,
) -> (
    DataFrame,
    serde_json::Map<String, serde_json::Value>,
    Vec<String>,
) {
    let name = values.name().to_string();
    let (out, mut reports) = run_report(&change_type(&name, to), values.into_frame());
    assert_eq!(reports.len(), 1);
    let r = reports.remove(0);
    assert_eq!(r.operation, "CHANGE_DATA_TYPE");
    (out, r.stats, r.warnings)
}

fn sort(expressions: &str) -> String {
    format!("  - operation: SORT\n    parameters:\n      expressions: '{expressions}'\n")
}

// ---- DELETE ---------------------------------------------------------------------------------

#[test]
fn delete_drops_one_column_and_keeps_the_rest_in_order() {
    let out = run(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: b}
"#,
        abcd(),
    );
    assert_frame_eq(&out, &abcd_in(&["a", "c", "d"]));
}

#[test]
fn delete_drops_every_column_of_source_columns() {
    let out = run(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: [d, a]}
"#,
        abcd(),
    );
    assert_frame_eq(&out, &abcd_in(&["b", "c"]));
}

#[test]
fn delete_accepts_source_columns_as_a_json_string_together_with_source_column() {
    let out = run(
        r#"
  - operation: DELETE
    parameters:
      sourceColumn: c
      sourceColumns: '["a", "d"]'
"#,
        abcd(),
    );
    assert_frame_eq(&out, &abcd_in(&["b"]));
}

#[test]
fn delete_leaves_missing_values_in_other_columns_untouched() {
    let out = run(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: [b, d]}
"#,
        abcd(),
    );
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "c" => [Some(1.5f64), None, Some(2.0)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn delete_on_empty_input_keeps_the_schema_of_the_other_columns() {
    let out = run(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: a}
"#,
        empty_abcd(),
    );
    let expected = df!(
        "b" => Vec::<i64>::new(),
        "c" => Vec::<f64>::new(),
        "d" => Vec::<bool>::new(),
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn delete_of_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: [a, cc]}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "column 'cc' not found",
            "help: did you mean 'c'?",
        ],
    );
}

#[test]
fn delete_column_names_are_case_sensitive() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: A}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "column 'A' not found",
            "help: did you mean 'a'? (names are case-sensitive)",
        ],
    );
}

#[test]
fn delete_of_an_unknown_column_without_a_close_match_lists_the_columns() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: zzz}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "column 'zzz' not found",
            "help: available columns: a, b, c, d",
        ],
    );
}

#[test]
fn delete_error_names_the_step_it_happens_in() {
    // Step 2 sees the output of step 1, where 'b' is gone.
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: b}
  - operation: DELETE
    parameters: {sourceColumn: b}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "in step 2 (DELETE): column 'b' not found",
            "help: step 1 (DELETE) removed it",
        ],
    );
    assert!(!text.contains("in step 1"), "{text}");
}

#[test]
fn delete_without_a_column_is_an_error_with_help() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "DELETE needs sourceColumn or sourceColumns",
            "help: add `sourceColumns:",
        ],
    );
}

#[test]
fn delete_rejects_source_columns_that_is_not_a_list() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: {a: 1}}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "parameter 'sourceColumns': expected a list of column names",
            "help: 'sourceColumns' is a list of column names",
        ],
    );
}

#[test]
fn delete_rejects_a_list_as_source_column() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: [a, b]}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "parameter 'sourceColumn': expected text, found a list",
            "help: 'sourceColumn' is a column name",
        ],
    );
}

#[test]
fn delete_rejects_conditions() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: a}
    conditions:
      - {condition: IS, value: x, targetColumn: a}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE)",
            "DELETE does not take ConditionExpressions",
            "help: remove the conditions, or filter rows first with REMOVE_VALUES",
        ],
    );
}

// ---- RENAME ---------------------------------------------------------------------------------

#[test]
fn rename_keeps_position_type_and_values() {
    let out = run(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a, targetColumn: label}
"#,
        abcd(),
    );
    let expected = df!(
        "label" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn rename_of_a_numeric_middle_column_keeps_nulls() {
    let out = run(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: c, targetColumn: price}
"#,
        abcd(),
    );
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "price" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn rename_is_case_sensitive_so_a_differently_cased_name_is_new() {
    let out = run(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a, targetColumn: B}
"#,
        abcd(),
    );
    let expected = df!(
        "B" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn rename_makes_the_old_name_disappear_for_later_steps() {
    let df = df!("score" => [1i64, 2], "other" => [3i64, 4]).unwrap();
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: score, targetColumn: points}
  - operation: DELETE
    parameters: {sourceColumn: score}
"#,
        df.clone(),
    );
    assert_mentions(&text, &["step 2 (DELETE)", "column 'score' not found"]);

    let out = run(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: score, targetColumn: points}
  - operation: DELETE
    parameters: {sourceColumn: other}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("points" => [1i64, 2]).unwrap());
}

#[test]
fn rename_on_empty_input() {
    let out = run(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: b, targetColumn: n}
"#,
        empty_abcd(),
    );
    let expected = df!(
        "a" => Vec::<&str>::new(),
        "n" => Vec::<i64>::new(),
        "c" => Vec::<f64>::new(),
        "d" => Vec::<bool>::new(),
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn rename_onto_an_existing_column_is_an_error() {
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a, targetColumn: b}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "column 'b' already exists",
            "help: choose another targetColumn, or DELETE the existing column first",
        ],
    );
}

#[test]
fn rename_of_an_unknown_column_suggests_the_closest_name() {
    let df = df!("first_name" => ["a"], "age" => [1i64]).unwrap();
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: frist_name, targetColumn: given}
"#,
        df,
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "column 'frist_name' not found",
            "help: did you mean 'first_name'?",
        ],
    );
}

#[test]
fn rename_without_target_column_is_an_error() {
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "missing required parameter 'targetColumn'",
            "help: add `targetColumn` (column name)",
        ],
    );
}

#[test]
fn rename_without_source_column_is_an_error() {
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {targetColumn: z}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "missing required parameter 'sourceColumn'",
            "help: add `sourceColumn` (column name)",
        ],
    );
}

#[test]
fn rename_rejects_a_map_as_target_column() {
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a, targetColumn: {name: z}}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "parameter 'targetColumn': expected text, found a map",
            "help: 'targetColumn' is a column name",
        ],
    );
}

#[test]
fn rename_rejects_conditions() {
    let text = error_text(
        r#"
  - operation: RENAME
    parameters: {sourceColumn: a, targetColumn: z}
    conditions:
      - {condition: IS_MISSING, targetColumn: a}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (RENAME)",
            "RENAME does not take ConditionExpressions",
            "help: ",
        ],
    );
}

// ---- DUPLICATE ------------------------------------------------------------------------------

#[test]
fn duplicate_inserts_an_identical_copy_right_after_the_source() {
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: a, targetColumn: a_copy}
"#,
        abcd(),
    );
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "a_copy" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn duplicate_of_the_last_column_appends_with_the_same_type() {
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: d, targetColumn: d2}
"#,
        abcd(),
    );
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
        "d2" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn duplicate_with_conditions_copies_only_where_they_hold() {
    // New column: null where the conditions do not hold; missing values copy as they are.
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: a, targetColumn: a2}
    conditions:
      - {condition: GREATER_THAN, value: "1", targetColumn: b}
"#,
        abcd(),
    );
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "a2" => [None, None, Some("")],
        "b" => [1i64, 2, 3],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn duplicate_with_several_conditions_ands_them_and_keeps_numeric_type() {
    let df = df!(
        "v" => [Some(1.5f64), Some(2.5), None, Some(4.0)],
        "k" => ["p", "q", "p", "p"],
    )
    .unwrap();
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: v, targetColumn: v2}
    conditions:
      - {condition: IS, value: p, targetColumn: k}
      - {condition: LESS_THAN, value: "3", targetColumn: v}
"#,
        df,
    );
    let expected = df!(
        "v" => [Some(1.5f64), Some(2.5), None, Some(4.0)],
        "v2" => [Some(1.5f64), None, None, None],
        "k" => ["p", "q", "p", "p"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn duplicate_on_empty_input() {
    let out = run(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: c, targetColumn: c2}
"#,
        empty_abcd(),
    );
    let expected = df!(
        "a" => Vec::<&str>::new(),
        "b" => Vec::<i64>::new(),
        "c" => Vec::<f64>::new(),
        "c2" => Vec::<f64>::new(),
        "d" => Vec::<bool>::new(),
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn duplicate_onto_an_existing_column_is_an_error() {
    let text = error_text(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: a, targetColumn: c}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DUPLICATE)",
            "column 'c' already exists",
            "help: choose another targetColumn",
        ],
    );
}

#[test]
fn duplicate_of_an_unknown_column_suggests_the_closest_name() {
    let df = df!("price" => [1i64]).unwrap();
    let text = error_text(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: prce, targetColumn: p2}
"#,
        df,
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DUPLICATE)",
            "column 'prce' not found",
            "help: did you mean 'price'?",
        ],
    );
}

#[test]
fn duplicate_without_target_column_is_an_error() {
    let text = error_text(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: a}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DUPLICATE)",
            "missing required parameter 'targetColumn'",
            "help: add `targetColumn`",
        ],
    );
}

#[test]
fn duplicate_rejects_a_list_as_source_column() {
    let text = error_text(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: [a], targetColumn: z}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DUPLICATE)",
            "parameter 'sourceColumn': expected text, found a list",
            "help: 'sourceColumn' is a column name",
        ],
    );
}

#[test]
fn duplicate_condition_on_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: DUPLICATE
    parameters: {sourceColumn: a, targetColumn: z}
    conditions:
      - {condition: IS, value: x, targetColumn: aa}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DUPLICATE)",
            "condition column 'aa' not found",
            "help: did you mean 'a'?",
        ],
    );
}

// ---- MOVE_* ---------------------------------------------------------------------------------

fn move_step(op: &str, params: &str) -> String {
    format!("  - operation: {op}\n    parameters: {{{params}}}\n")
}

#[test]
fn move_after_places_the_column_immediately_after_the_target() {
    let cases: &[(&str, &[&str])] = &[
        ("sourceColumn: a, targetColumn: c", &["b", "c", "a", "d"]),
        ("sourceColumn: d, targetColumn: a", &["a", "d", "b", "c"]),
        ("sourceColumn: a, targetColumn: d", &["b", "c", "d", "a"]),
        ("sourceColumn: b, targetColumn: a", &["a", "b", "c", "d"]),
    ];
    for (params, order) in cases {
        let out = run(&move_step("MOVE_AFTER", params), abcd());
        assert_frame_eq(&out, &abcd_in(order));
    }
}

#[test]
fn move_before_places_the_column_immediately_before_the_target() {
    let cases: &[(&str, &[&str])] = &[
        ("sourceColumn: d, targetColumn: b", &["a", "d", "b", "c"]),
        ("sourceColumn: a, targetColumn: d", &["b", "c", "a", "d"]),
        ("sourceColumn: c, targetColumn: a", &["c", "a", "b", "d"]),
        ("sourceColumn: a, targetColumn: b", &["a", "b", "c", "d"]),
    ];
    for (params, order) in cases {
        let out = run(&move_step("MOVE_BEFORE", params), abcd());
        assert_frame_eq(&out, &abcd_in(order));
    }
}

#[test]
fn move_to_start_and_to_end() {
    let out = run(&move_step("MOVE_TO_START", "sourceColumn: c"), abcd());
    assert_frame_eq(&out, &abcd_in(&["c", "a", "b", "d"]));
    let out = run(&move_step("MOVE_TO_START", "sourceColumn: a"), abcd());
    assert_frame_eq(&out, &abcd_in(&["a", "b", "c", "d"]));
    let out = run(&move_step("MOVE_TO_END", "sourceColumn: a"), abcd());
    assert_frame_eq(&out, &abcd_in(&["b", "c", "d", "a"]));
    let out = run(&move_step("MOVE_TO_END", "sourceColumn: d"), abcd());
    assert_frame_eq(&out, &abcd_in(&["a", "b", "c", "d"]));
}

#[test]
fn move_to_index_is_zero_based() {
    let cases: &[(&str, &[&str])] = &[
        ("sourceColumn: c, targetIndex: 0", &["c", "a", "b", "d"]),
        ("sourceColumn: a, targetIndex: 1", &["b", "a", "c", "d"]),
        ("sourceColumn: a, targetIndex: 2", &["b", "c", "a", "d"]),
        ("sourceColumn: d, targetIndex: 1", &["a", "d", "b", "c"]),
        ("sourceColumn: a, targetIndex: 3", &["b", "c", "d", "a"]),
        ("sourceColumn: b, targetIndex: 1", &["a", "b", "c", "d"]),
    ];
    for (params, order) in cases {
        let out = run(&move_step("MOVE_TO_INDEX", params), abcd());
        assert_frame_eq(&out, &abcd_in(order));
    }
}

#[test]
fn move_to_index_past_the_end_moves_to_the_end() {
    let out = run(
        &move_step("MOVE_TO_INDEX", "sourceColumn: a, targetIndex: 99"),
        abcd(),
    );
    assert_frame_eq(&out, &abcd_in(&["b", "c", "d", "a"]));
}

#[test]
fn move_to_index_accepts_the_databrew_string_encoding() {
    let out = run(
        &move_step("MOVE_TO_INDEX", r#"sourceColumn: d, targetIndex: "2""#),
        abcd(),
    );
    assert_frame_eq(&out, &abcd_in(&["a", "b", "d", "c"]));
}

#[test]
fn moves_chain_and_keep_values_including_missing_ones() {
    let out = run(
        r#"
  - operation: MOVE_TO_END
    parameters: {sourceColumn: a}
  - operation: MOVE_BEFORE
    parameters: {sourceColumn: d, targetColumn: b}
  - operation: MOVE_AFTER
    parameters: {sourceColumn: b, targetColumn: a}
"#,
        abcd(),
    );
    let expected = df!(
        "d" => [true, false, true],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "a" => [Some("x"), None, Some("")],
        "b" => [1i64, 2, 3],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn moves_on_empty_input() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "MOVE_AFTER",
            "sourceColumn: a, targetColumn: b",
            &["b", "a", "c", "d"],
        ),
        (
            "MOVE_BEFORE",
            "sourceColumn: d, targetColumn: a",
            &["d", "a", "b", "c"],
        ),
        ("MOVE_TO_START", "sourceColumn: b", &["b", "a", "c", "d"]),
        ("MOVE_TO_END", "sourceColumn: b", &["a", "c", "d", "b"]),
        (
            "MOVE_TO_INDEX",
            "sourceColumn: a, targetIndex: 2",
            &["b", "c", "a", "d"],
        ),
    ];
    for (op, params, order) in cases {
        let out = run(&move_step(op, params), empty_abcd());
        let expected = empty_abcd().select(order.iter().copied()).unwrap();
        assert_frame_eq(&out, &expected);
    }
}

#[test]
fn move_of_an_unknown_source_column_suggests_the_closest_name() {
    for (op, params) in [
        ("MOVE_AFTER", "sourceColumn: bb, targetColumn: a"),
        ("MOVE_BEFORE", "sourceColumn: bb, targetColumn: a"),
        ("MOVE_TO_START", "sourceColumn: bb"),
        ("MOVE_TO_END", "sourceColumn: bb"),
        ("MOVE_TO_INDEX", "sourceColumn: bb, targetIndex: 1"),
    ] {
        let text = error_text(&move_step(op, params), abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                "column 'bb' not found",
                "help: did you mean 'b'?",
            ],
        );
    }
}

#[test]
fn move_relative_to_an_unknown_target_suggests_the_closest_name() {
    for op in ["MOVE_AFTER", "MOVE_BEFORE"] {
        let text = error_text(&move_step(op, "sourceColumn: a, targetColumn: cc"), abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                "column 'cc' not found",
                "help: did you mean 'c'?",
            ],
        );
    }
}

#[test]
fn move_relative_to_itself_is_an_error() {
    for op in ["MOVE_AFTER", "MOVE_BEFORE"] {
        let text = error_text(&move_step(op, "sourceColumn: a, targetColumn: a"), abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                "a column cannot be moved relative to itself",
            ],
        );
    }
}

#[test]
fn move_after_and_before_require_target_column() {
    for op in ["MOVE_AFTER", "MOVE_BEFORE"] {
        let text = error_text(&move_step(op, "sourceColumn: a"), abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                "missing required parameter 'targetColumn'",
                "help: add `targetColumn` (column name)",
            ],
        );
    }
}

#[test]
fn moves_require_source_column() {
    for (op, params) in [
        ("MOVE_TO_START", ""),
        ("MOVE_TO_END", ""),
        ("MOVE_TO_INDEX", "targetIndex: 1"),
        ("MOVE_AFTER", "targetColumn: a"),
    ] {
        let text = error_text(&move_step(op, params), abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                "missing required parameter 'sourceColumn'",
                "help: add `sourceColumn` (column name)",
            ],
        );
    }
}

#[test]
fn move_to_index_requires_target_index() {
    let text = error_text(&move_step("MOVE_TO_INDEX", "sourceColumn: a"), abcd());
    assert_mentions(
        &text,
        &[
            "step 1 (MOVE_TO_INDEX)",
            "missing required parameter 'targetIndex'",
            "help: add `targetIndex` (integer)",
        ],
    );
}

#[test]
fn move_to_index_rejects_a_non_integer_index() {
    for (value, shown) in [("two", "two"), ("1.5", "1.5"), (r#""3x""#, "3x")] {
        let text = error_text(
            &move_step(
                "MOVE_TO_INDEX",
                &format!("sourceColumn: a, targetIndex: {value}"),
            ),
            abcd(),
        );
        assert_mentions(
            &text,
            &[
                "step 1 (MOVE_TO_INDEX)",
                &format!("parameter 'targetIndex': expected an integer, found '{shown}'"),
                "help: 'targetIndex' is a integer",
            ],
        );
    }
}

#[test]
fn move_to_index_rejects_a_negative_index() {
    let text = error_text(
        &move_step("MOVE_TO_INDEX", "sourceColumn: a, targetIndex: -1"),
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (MOVE_TO_INDEX)",
            "targetIndex must be 0 or more, found -1",
        ],
    );
}

#[test]
fn moves_reject_conditions() {
    for (op, params) in [
        ("MOVE_AFTER", "sourceColumn: a, targetColumn: b"),
        ("MOVE_BEFORE", "sourceColumn: a, targetColumn: b"),
        ("MOVE_TO_START", "sourceColumn: b"),
        ("MOVE_TO_END", "sourceColumn: a"),
        ("MOVE_TO_INDEX", "sourceColumn: a, targetIndex: 1"),
    ] {
        let steps = format!(
            "{}    conditions:\n      - {{condition: IS, value: x, targetColumn: a}}\n",
            move_step(op, params)
        );
        let text = error_text(&steps, abcd());
        assert_mentions(
            &text,
            &[
                &format!("step 1 ({op})"),
                &format!("{op} does not take ConditionExpressions"),
                "help: remove the conditions",
            ],
        );
    }
}

// ---- CHANGE_DATA_TYPE -----------------------------------------------------------------------

#[test]
fn change_data_type_text_to_every_integer_type() {
    let text = || {
        Series::new(
            "n".into(),
            [Some("1"), Some(" 42 "), Some("-7"), Some("12.0"), None],
        )
    };
    let cases: &[(&str, DataType)] = &[
        ("byte", DataType::Int8),
        ("short", DataType::Int16),
        ("int", DataType::Int32),
        ("integer", DataType::Int32),
        ("long", DataType::Int64),
    ];
    for (to, dtype) in cases {
        let (out, stats, warnings) = convert(text(), to);
        let expected: DataFrame =
            Series::new("n".into(), [Some(1i64), Some(42), Some(-7), Some(12), None])
                .cast(dtype)
                .unwrap()
                .into_frame();
        assert_frame_eq(&out, &expected);
        assert_eq!(stats["values_nulled"], json!(0), "{to}");
        assert_eq!(stats["from"], json!("str"), "{to}");
        assert_eq!(stats["to"], json!(dtype.to_string()), "{to}");
        assert!(warnings.is_empty(), "{to}: {warnings:?}");
    }
}

#[test]
fn change_data_type_to_int_nulls_and_counts_what_cannot_convert() {
    // "" and null are missing: they stay missing and are not counted. Whitespace-only is not
    // missing, so it is a value that fails to convert.
    let (out, stats, warnings) = convert(
        Series::new(
            "n".into(),
            [
                Some("5"),
                Some("ABC"),
                Some("12.5"),
                Some(""),
                None,
                Some("  "),
                Some("3000000000"),
            ],
        ),
        "int",
    );
    let expected = df!("n" => [Some(5i32), None, None, None, None, None, None]).unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(4));
    assert_eq!(
        warnings,
        vec!["4 value(s) of 'n' could not convert to int and became null".to_string()]
    );
}

#[test]
fn change_data_type_byte_and_short_null_values_out_of_range() {
    let (out, stats, _) = convert(
        Series::new(
            "n".into(),
            [Some(127i64), Some(128), Some(-128), Some(-129), None],
        ),
        "byte",
    );
    assert_frame_eq(
        &out,
        &df!("n" => [Some(127i8), None, Some(-128), None, None]).unwrap(),
    );
    assert_eq!(stats["values_nulled"], json!(2));
    assert_eq!(stats["from"], json!("i64"));
    assert_eq!(stats["to"], json!("i8"));

    let (out, stats, _) = convert(
        Series::new("n".into(), [Some("32767"), Some("32768"), Some("-32768")]),
        "short",
    );
    assert_frame_eq(
        &out,
        &df!("n" => [Some(32767i16), None, Some(-32768)]).unwrap(),
    );
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_float_column_to_int_keeps_whole_values_and_nulls_nan() {
    let (out, stats, _) = convert(
        Series::new(
            "x".into(),
            [Some(1.0f64), Some(-4.0), None, Some(f64::NAN), Some(3e10)],
        ),
        "int",
    );
    assert_frame_eq(
        &out,
        &df!("x" => [Some(1i32), Some(-4), None, None, None]).unwrap(),
    );
    // NaN and 3e10 (beyond Int32) are values that could not convert; null is missing.
    assert_eq!(stats["values_nulled"], json!(2));
    assert_eq!(stats["from"], json!("f64"));
}

#[test]
fn change_data_type_float_with_a_fraction_to_int_becomes_null_like_text() {
    let (out, stats, _) = convert(
        Series::new("x".into(), [Some(1.0f64), Some(2.5), Some(-3.0)]),
        "int",
    );
    assert_frame_eq(&out, &df!("x" => [Some(1i32), None, Some(-3)]).unwrap());
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_text_to_long_is_exact_for_the_whole_i64_range() {
    let (out, stats, _) = convert(
        Series::new(
            "id".into(),
            [
                Some("9223372036854775807"),
                Some("-9223372036854775808"),
                Some("12345678901234567"),
                Some("9223372036854775808"),
            ],
        ),
        "long",
    );
    let expected = df!(
        "id" => [
            Some(i64::MAX),
            Some(i64::MIN),
            Some(12_345_678_901_234_567i64),
            None,
        ]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_text_to_float_double_and_number() {
    let text = || {
        Series::new(
            "v".into(),
            [
                Some("1.5"),
                Some(" -2 "),
                Some("1e3"),
                Some("abc"),
                Some(""),
                None,
            ],
        )
    };
    let (out, stats, _) = convert(text(), "float");
    assert_frame_eq(
        &out,
        &df!("v" => [Some(1.5f32), Some(-2.0), Some(1000.0), None, None, None]).unwrap(),
    );
    assert_eq!(stats["values_nulled"], json!(1));
    assert_eq!(stats["to"], json!("f32"));
    for to in ["double", "number"] {
        let (out, stats, warnings) = convert(text(), to);
        assert_frame_eq(
            &out,
            &df!("v" => [Some(1.5f64), Some(-2.0), Some(1000.0), None, None, None]).unwrap(),
        );
        assert_eq!(stats["values_nulled"], json!(1), "{to}");
        assert_eq!(stats["to"], json!("f64"), "{to}");
        assert_eq!(
            warnings,
            vec![format!(
                "1 value(s) of 'v' could not convert to {to} and became null"
            )]
        );
    }
}

#[test]
fn change_data_type_integer_to_double() {
    let (out, stats, _) = convert(
        Series::new("v".into(), [Some(1i64), None, Some(-3)]),
        "double",
    );
    assert_frame_eq(&out, &df!("v" => [Some(1.0f64), None, Some(-3.0)]).unwrap());
    assert_eq!(stats["values_nulled"], json!(0));
    assert_eq!(stats["from"], json!("i64"));
}

#[test]
fn change_data_type_text_to_decimal() {
    let (out, stats, _) = convert(
        Series::new(
            "m".into(),
            [Some("1.5"), Some(" 2 "), Some("x"), None, Some("")],
        ),
        "decimal",
    );
    let expected: DataFrame = Series::new("m".into(), [Some(1.5f64), Some(2.0), None, None, None])
        .cast(&DataType::Decimal(38, 18))
        .unwrap()
        .into_frame();
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(1));
    assert_eq!(stats["to"], json!("decimal[38,18]"));
}

#[test]
fn change_data_type_text_to_boolean_accepts_true_false_yes_no_in_any_case() {
    let (out, stats, warnings) = convert(
        Series::new(
            "f".into(),
            [
                Some("true"),
                Some("FALSE"),
                Some("Yes"),
                Some(" no "),
                Some("maybe"),
                Some("1"),
                Some(""),
                None,
            ],
        ),
        "boolean",
    );
    let expected = df!(
        "f" => [Some(true), Some(false), Some(true), Some(false), None, None, None, None]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(2));
    assert_eq!(stats["to"], json!("bool"));
    assert_eq!(
        warnings,
        vec!["2 value(s) of 'f' could not convert to boolean and became null".to_string()]
    );
}

#[test]
fn change_data_type_text_to_date() {
    let (out, stats, _) = convert(
        Series::new(
            "day".into(),
            [
                Some("2024-01-15"),
                Some("2024-02-29"),
                Some("15/01/2024"),
                Some("2023-02-29"),
                Some("soon"),
                Some(""),
                None,
            ],
        ),
        "date",
    );
    let expected = frame(vec![date_col(
        "day",
        &[
            Some((2024, 1, 15)),
            Some((2024, 2, 29)),
            None,
            None,
            None,
            None,
            None,
        ],
    )]);
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(3));
    assert_eq!(stats["to"], json!("date"));
}

#[test]
fn change_data_type_to_date_with_an_unparseable_first_value() {
    let (out, stats, _) = convert(
        Series::new("day".into(), [Some("abc"), Some("2024-03-04")]),
        "date",
    );
    assert_frame_eq(
        &out,
        &frame(vec![date_col("day", &[None, Some((2024, 3, 4))])]),
    );
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_to_date_reads_iso_dates_whatever_comes_first() {
    let (out, stats, _) = convert(
        Series::new("day".into(), [Some("01/02/2024"), Some("2024-03-04")]),
        "date",
    );
    assert_frame_eq(
        &out,
        &frame(vec![date_col("day", &[None, Some((2024, 3, 4))])]),
    );
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_text_to_timestamp_reads_iso_8601_with_microseconds() {
    let (out, stats, warnings) = convert(
        Series::new(
            "at".into(),
            [
                Some("2024-01-15T10:30:00"),
                Some("2024-01-15T10:30:00.123456"),
                Some("yesterday"),
                Some(""),
                None,
            ],
        ),
        "timestamp",
    );
    let expected = frame(vec![datetime_col(
        "at",
        &[
            Some(micros(2024, 1, 15, 10, 30, 0, 0)),
            Some(micros(2024, 1, 15, 10, 30, 0, 123_456)),
            None,
            None,
            None,
        ],
    )]);
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(1));
    assert_eq!(stats["to"], json!("datetime[μs]"));
    assert_eq!(
        warnings,
        vec!["1 value(s) of 'at' could not convert to timestamp and became null".to_string()]
    );
}

#[test]
fn change_data_type_to_timestamp_reads_iso_values_whatever_comes_first() {
    let (out, stats, _) = convert(
        Series::new(
            "at".into(),
            [Some("15/01/2024 10:30"), Some("2024-01-15T10:30:00")],
        ),
        "timestamp",
    );
    let expected = frame(vec![datetime_col(
        "at",
        &[None, Some(micros(2024, 1, 15, 10, 30, 0, 0))],
    )]);
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(1));
}

#[test]
fn change_data_type_to_timestamp_reads_the_utc_designator() {
    let (out, stats, _) = convert(
        Series::new("at".into(), [Some("2024-01-15T10:30:00Z")]),
        "timestamp",
    );
    let expected = frame(vec![datetime_col(
        "at",
        &[Some(micros(2024, 1, 15, 10, 30, 0, 0))],
    )]);
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(0));
}

#[test]
fn change_data_type_to_timestamp_reads_mixed_iso_8601_forms() {
    let (out, stats, _) = convert(
        Series::new(
            "at".into(),
            [Some("2024-01-15T10:30:00"), Some("2024-01-15T10:30:00Z")],
        ),
        "timestamp",
    );
    let t = micros(2024, 1, 15, 10, 30, 0, 0);
    let expected = frame(vec![datetime_col("at", &[Some(t), Some(t)])]);
    assert_frame_eq(&out, &expected);
    assert_eq!(stats["values_nulled"], json!(0));
}

#[test]
fn change_data_type_to_string_from_numbers_booleans_and_dates() {
    let (out, stats, _) = convert(
        Series::new("v".into(), [Some(12i64), None, Some(-3)]),
        "string",
    );
    assert_frame_eq(&out, &df!("v" => [Some("12"), None, Some("-3")]).unwrap());
    assert_eq!(stats["values_nulled"], json!(0));
    assert_eq!(stats["to"], json!("str"));

    let (out, _, _) = convert(
        Series::new("v".into(), [Some(true), Some(false), None]),
        "string",
    );
    assert_frame_eq(
        &out,
        &df!("v" => [Some("true"), Some("false"), None]).unwrap(),
    );

    let (out, _, _) = convert(Series::new("v".into(), [Some(1.5f64), None]), "string");
    assert_frame_eq(&out, &df!("v" => [Some("1.5"), None]).unwrap());

    let df = frame(vec![date_col("v", &[Some((2024, 1, 15)), None])]);
    let out = run(&change_type("v", "string"), df);
    assert_frame_eq(&out, &df!("v" => [Some("2024-01-15"), None]).unwrap());
}

#[test]
fn change_data_type_text_to_string_keeps_empty_strings() {
    let (out, stats, _) = convert(
        Series::new("v".into(), [Some("a"), Some(""), None]),
        "string",
    );
    assert_frame_eq(&out, &df!("v" => [Some("a"), Some(""), None]).unwrap());
    assert_eq!(stats["values_nulled"], json!(0));
}

#[test]
fn change_data_type_type_names_are_case_insensitive() {
    let (out, _, _) = convert(Series::new("v".into(), [Some("7")]), "LONG");
    assert_frame_eq(&out, &df!("v" => [Some(7i64)]).unwrap());
}

#[test]
fn change_data_type_changes_only_its_column_in_place() {
    let out = run(&change_type("b", "string"), abcd());
    let expected = df!(
        "a" => [Some("x"), None, Some("")],
        "b" => ["1", "2", "3"],
        "c" => [Some(1.5f64), None, Some(2.0)],
        "d" => [true, false, true],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn change_data_type_counts_per_step_and_column() {
    let df = df!(
        "a" => [Some("1"), Some("x"), Some("y")],
        "b" => [Some("true"), Some("nope"), None],
    )
    .unwrap();
    let (out, reports) = run_report(
        r#"
  - operation: CHANGE_DATA_TYPE
    parameters: {sourceColumn: a, columnDataType: long}
  - operation: CHANGE_DATA_TYPE
    parameters: {sourceColumn: b, columnDataType: boolean}
"#,
        df,
    );
    let expected = df!(
        "a" => [Some(1i64), None, None],
        "b" => [Some(true), None, None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].stats["values_nulled"], json!(2));
    assert_eq!(reports[1].stats["values_nulled"], json!(1));
    assert_eq!(reports[1].stats["from"], json!("str"));
    assert_eq!(
        (reports[1].rows_in, reports[1].rows_out),
        (Some(3), Some(3))
    );
}

#[test]
fn change_data_type_on_empty_input() {
    let (out, stats, warnings) = convert(Series::new("n".into(), Vec::<&str>::new()), "int");
    assert_frame_eq(&out, &df!("n" => Vec::<i32>::new()).unwrap());
    assert_eq!(stats["values_nulled"], json!(0));
    assert!(warnings.is_empty());
}

#[test]
fn change_data_type_to_an_unknown_type_suggests_the_closest() {
    let text = error_text(&change_type("b", "integr"), abcd());
    assert_mentions(
        &text,
        &[
            "step 1 (CHANGE_DATA_TYPE)",
            "parameter 'columnDataType': 'integr' is not one of byte, short, int, integer, long, \
             float, double, decimal, number, string, boolean, timestamp, date (did you mean 'integer'?)",
            "help: 'columnDataType' is a one of byte | short",
        ],
    );
}

#[test]
fn change_data_type_rejects_a_list_as_type() {
    let text = error_text(&change_type("b", "[int]"), abcd());
    assert_mentions(
        &text,
        &[
            "step 1 (CHANGE_DATA_TYPE)",
            "parameter 'columnDataType': expected text, found a list",
        ],
    );
}

#[test]
fn change_data_type_requires_the_type() {
    let text = error_text(
        r#"
  - operation: CHANGE_DATA_TYPE
    parameters: {sourceColumn: b}
"#,
        abcd(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (CHANGE_DATA_TYPE)",
            "missing required parameter 'columnDataType'",
            "help: add `columnDataType` (one of byte | short | int",
        ],
    );
}

#[test]
fn change_data_type_of_an_unknown_column_suggests_the_closest_name() {
    let df = df!("amount" => ["1"]).unwrap();
    let text = error_text(&change_type("amuont", "double"), df);
    assert_mentions(
        &text,
        &[
            "step 1 (CHANGE_DATA_TYPE)",
            "column 'amuont' not found",
            "help: did you mean 'amount'?",
        ],
    );
}

#[test]
fn change_data_type_rejects_conditions() {
    let steps = format!(
        "{}    conditions:\n      - {{condition: IS, value: x, targetColumn: a}}\n",
        change_type("b", "string")
    );
    let text = error_text(&steps, abcd());
    assert_mentions(
        &text,
        &[
            "step 1 (CHANGE_DATA_TYPE)",
            "CHANGE_DATA_TYPE does not take ConditionExpressions",
            "help: remove the conditions",
        ],
    );
}

// ---- SORT -----------------------------------------------------------------------------------

fn people() -> DataFrame {
    df!(
        "name" => ["dan", "ann", "cat", "bob", "eve"],
        "age" => [Some(40i64), Some(30), None, Some(30), Some(25)],
    )
    .unwrap()
}

#[test]
fn sort_ascending_by_default_with_nulls_at_the_bottom() {
    let out = run(&sort(r#"[{"sourceColumn": "age"}]"#), people());
    let expected = df!(
        "name" => ["eve", "ann", "bob", "dan", "cat"],
        "age" => [Some(25i64), Some(30), Some(30), Some(40), None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_descending_keeps_nulls_at_the_bottom() {
    let out = run(
        &sort(r#"[{"sourceColumn": "age", "ordering": "DESCENDING"}]"#),
        people(),
    );
    let expected = df!(
        "name" => ["dan", "ann", "bob", "eve", "cat"],
        "age" => [Some(40i64), Some(30), Some(30), Some(25), None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_nulls_top_puts_nulls_first_in_both_orderings() {
    let out = run(
        &sort(r#"[{"sourceColumn": "age", "nullsOrdering": "NULLS_TOP"}]"#),
        people(),
    );
    let expected = df!(
        "name" => ["cat", "eve", "ann", "bob", "dan"],
        "age" => [None, Some(25i64), Some(30), Some(30), Some(40)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);

    let out = run(
        &sort(
            r#"[{"sourceColumn": "age", "ordering": "DESCENDING", "nullsOrdering": "NULLS_TOP"}]"#,
        ),
        people(),
    );
    let expected = df!(
        "name" => ["cat", "dan", "ann", "bob", "eve"],
        "age" => [None, Some(40i64), Some(30), Some(30), Some(25)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_explicit_nulls_bottom_and_lowercase_words() {
    let out = run(
        &sort(
            r#"[{"sourceColumn": "age", "ordering": "descending", "nullsOrdering": "nulls_bottom"}]"#,
        ),
        people(),
    );
    let expected = df!(
        "name" => ["dan", "ann", "bob", "eve", "cat"],
        "age" => [Some(40i64), Some(30), Some(30), Some(25), None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_is_stable_for_equal_keys() {
    let df = df!(
        "k" => [2i64, 1, 2, 1, 2, 1],
        "pos" => [0i64, 1, 2, 3, 4, 5],
    )
    .unwrap();
    let out = run(&sort(r#"[{"sourceColumn": "k"}]"#), df.clone());
    let expected = df!("k" => [1i64, 1, 1, 2, 2, 2], "pos" => [1i64, 3, 5, 0, 2, 4]).unwrap();
    assert_frame_eq(&out, &expected);

    let out = run(
        &sort(r#"[{"sourceColumn": "k", "ordering": "DESCENDING"}]"#),
        df,
    );
    let expected = df!("k" => [2i64, 2, 2, 1, 1, 1], "pos" => [0i64, 2, 4, 1, 3, 5]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_by_several_keys() {
    let df = df!(
        "team" => ["b", "a", "b", "a", "a"],
        "score" => [Some(1i64), Some(5), Some(3), None, Some(7)],
        "pos" => [0i64, 1, 2, 3, 4],
    )
    .unwrap();
    let out = run(
        &sort(
            r#"[{"sourceColumn": "team"}, {"sourceColumn": "score", "ordering": "DESCENDING", "nullsOrdering": "NULLS_TOP"}]"#,
        ),
        df,
    );
    let expected = df!(
        "team" => ["a", "a", "a", "b", "b"],
        "score" => [None, Some(7i64), Some(5), Some(3), Some(1)],
        "pos" => [3i64, 4, 1, 2, 0],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_text_in_natural_order_with_nulls_placed_by_nulls_ordering() {
    let df = df!(
        "s" => [Some("pear"), None, Some("apple"), Some("fig")],
        "pos" => [0i64, 1, 2, 3],
    )
    .unwrap();
    let out = run(&sort(r#"[{"sourceColumn": "s"}]"#), df.clone());
    let expected = df!(
        "s" => [Some("apple"), Some("fig"), Some("pear"), None],
        "pos" => [2i64, 3, 0, 1],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);

    let out = run(
        &sort(r#"[{"sourceColumn": "s", "nullsOrdering": "NULLS_TOP"}]"#),
        df,
    );
    let expected = df!(
        "s" => [None, Some("apple"), Some("fig"), Some("pear")],
        "pos" => [1i64, 2, 3, 0],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_places_empty_strings_with_the_missing_values() {
    // decisions.md: missing = null or the empty string in a string column.
    let df = df!(
        "s" => [Some("b"), Some(""), Some("a"), None],
        "pos" => [0i64, 1, 2, 3],
    )
    .unwrap();
    let out = run(&sort(r#"[{"sourceColumn": "s"}]"#), df.clone());
    let expected = df!(
        "s" => [Some("a"), Some("b"), Some(""), None],
        "pos" => [2i64, 0, 1, 3],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);

    let out = run(
        &sort(r#"[{"sourceColumn": "s", "nullsOrdering": "NULLS_TOP"}]"#),
        df,
    );
    let expected = df!(
        "s" => [Some(""), None, Some("a"), Some("b")],
        "pos" => [1i64, 3, 2, 0],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

fn fruit() -> DataFrame {
    df!(
        "f" => [Some("kiwi"), Some("Apple"), None, Some("banana"), Some("apple"), Some("cherry")],
        "pos" => [0i64, 1, 2, 3, 4, 5],
    )
    .unwrap()
}

#[test]
fn sort_custom_order_lists_values_first_then_the_rest_in_natural_order() {
    // Case-insensitive by default: "Apple" and "apple" both match "apple".
    let out = run(
        &sort(r#"[{"sourceColumn": "f", "customOrder": ["cherry", "APPLE"]}]"#),
        fruit(),
    );
    let expected = df!(
        "f" => [Some("cherry"), Some("Apple"), Some("apple"), Some("banana"), Some("kiwi"), None],
        "pos" => [5i64, 1, 4, 3, 0, 2],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_custom_order_case_sensitive() {
    let out = run(
        &sort(
            r#"[{"sourceColumn": "f", "customOrder": ["cherry", "apple"], "isCustomOrderCaseSensitive": true}]"#,
        ),
        fruit(),
    );
    let expected = df!(
        "f" => [Some("cherry"), Some("apple"), Some("Apple"), Some("banana"), Some("kiwi"), None],
        "pos" => [5i64, 4, 1, 3, 0, 2],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);

    // The DataBrew string form of the flag and of the list.
    let out2 = run(
        &sort(
            r#"[{"sourceColumn": "f", "customOrder": "[\"cherry\", \"apple\"]", "isCustomOrderCaseSensitive": "TRUE"}]"#,
        ),
        fruit(),
    );
    assert_frame_eq(&out2, &expected);
}

#[test]
fn sort_custom_order_with_descending_ordering_sorts_the_rest_descending() {
    let out = run(
        &sort(
            r#"[{"sourceColumn": "f", "customOrder": ["banana", "kiwi"], "ordering": "DESCENDING"}]"#,
        ),
        fruit(),
    );
    let expected = df!(
        "f" => [Some("banana"), Some("kiwi"), Some("cherry"), Some("apple"), Some("Apple"), None],
        "pos" => [3i64, 0, 5, 4, 1, 2],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_custom_order_with_nulls_top_puts_nulls_first() {
    let out = run(
        &sort(
            r#"[{"sourceColumn": "f", "customOrder": ["cherry"], "nullsOrdering": "NULLS_TOP"}]"#,
        ),
        fruit(),
    );
    let expected = df!(
        "f" => [None, Some("cherry"), Some("Apple"), Some("apple"), Some("banana"), Some("kiwi")],
        "pos" => [2i64, 5, 1, 4, 3, 0],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_custom_order_on_a_numeric_column() {
    let df = df!("n" => [Some(3i64), None, Some(1), Some(2), Some(10)]).unwrap();
    let out = run(
        &sort(r#"[{"sourceColumn": "n", "customOrder": [10, "2"]}]"#),
        df,
    );
    assert_frame_eq(
        &out,
        &df!("n" => [Some(10i64), Some(2), Some(1), Some(3), None]).unwrap(),
    );
}

#[test]
fn sort_on_empty_input() {
    let out = run(
        &sort(r#"[{"sourceColumn": "b", "ordering": "DESCENDING"}]"#),
        empty_abcd(),
    );
    assert_frame_eq(&out, &empty_abcd());
}

#[test]
fn sort_accepts_expressions_as_a_yaml_list() {
    let out = run(
        r#"
  - operation: SORT
    parameters:
      expressions:
        - {sourceColumn: age, ordering: DESCENDING, nullsOrdering: NULLS_TOP}
"#,
        people(),
    );
    let expected = df!(
        "name" => ["cat", "dan", "ann", "bob", "eve"],
        "age" => [None, Some(40i64), Some(30), Some(30), Some(25)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn sort_by_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(&sort(r#"[{"sourceColumn": "agee"}]"#), people());
    assert_mentions(
        &text,
        &[
            "step 1 (SORT)",
            "column 'agee' not found",
            "help: did you mean 'age'?",
        ],
    );
}

#[test]
fn sort_requires_expressions() {
    let text = error_text(
        r#"
  - operation: SORT
    parameters: {}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (SORT)",
            "missing required parameter 'expressions'",
            "help: add `expressions` (JSON value)",
        ],
    );
}

#[test]
fn sort_rejects_malformed_expressions() {
    let help = r#"help: write [{"sourceColumn": "age", "ordering": "DESCENDING"}]"#;
    let cases = [
        (r#"[]"#, "expressions is empty"),
        (
            r#"{"sourceColumn": "age"}"#,
            "expressions must be a JSON list of sort keys",
        ),
        (r#"["age"]"#, "a sort key must be an object, found \"age\""),
        (
            r#"[{"ordering": "ASCENDING"}]"#,
            "a sort key needs sourceColumn",
        ),
        (
            r#"[{"sourceColumn": "age", "ordering": "UP"}]"#,
            "ordering must be ASCENDING or DESCENDING, found 'UP'",
        ),
        (
            r#"[{"sourceColumn": "age", "nullsOrdering": "FIRST"}]"#,
            "nullsOrdering must be NULLS_TOP or NULLS_BOTTOM, found 'FIRST'",
        ),
        (
            r#"[{"sourceColumn": "age", "customOrder": 5}]"#,
            "customOrder must be a list, found 5",
        ),
    ];
    for (expr, msg) in cases {
        let text = error_text(&sort(expr), people());
        assert_mentions(&text, &["step 1 (SORT)", msg, help]);
    }
}

#[test]
fn sort_rejects_expressions_that_are_not_json() {
    let text = error_text(&sort("age descending"), people());
    assert_mentions(
        &text,
        &[
            "step 1 (SORT)",
            "parameter 'expressions': expected JSON inside the string",
            "help: 'expressions' is a JSON value",
        ],
    );
}

#[test]
fn sort_rejects_conditions() {
    let steps = format!(
        "{}    conditions:\n      - {{condition: IS_MISSING, targetColumn: age}}\n",
        sort(r#"[{"sourceColumn": "age"}]"#)
    );
    let text = error_text(&steps, people());
    assert_mentions(
        &text,
        &[
            "step 1 (SORT)",
            "SORT does not take ConditionExpressions",
            "help: remove the conditions",
        ],
    );
}

// ---- DataBrew JSON --------------------------------------------------------------------------

#[test]
fn databrew_json_recipe_with_string_encoded_parameters() {
    let recipe = r#"[
  {"Action": {"Operation": "DUPLICATE",
              "Parameters": {"sourceColumn": "b", "targetColumn": "b_text"}}},
  {"Action": {"Operation": "CHANGE_DATA_TYPE",
              "Parameters": {"sourceColumn": "b_text", "columnDataType": "string"}}},
  {"Action": {"Operation": "DELETE",
              "Parameters": {"sourceColumns": "[\"a\",\"d\"]"}}},
  {"Action": {"Operation": "RENAME",
              "Parameters": {"SourceColumn": "c", "TargetColumn": "price"}}},
  {"Action": {"Operation": "MOVE_TO_INDEX",
              "Parameters": {"sourceColumn": "price", "targetIndex": "0", "functionStepType": "x"}}},
  {"Action": {"Operation": "SORT",
              "Parameters": {"expressions": "[{\"sourceColumn\":\"price\",\"ordering\":\"DESCENDING\",\"nullsOrdering\":\"NULLS_TOP\",\"customOrder\":\"[]\",\"isCustomOrderCaseSensitive\":\"false\"}]"}}}
]"#;
    let out = run_json(recipe, abcd()).unwrap_or_else(|e| panic!("{e}"));
    let expected = df!(
        "price" => [None, Some(2.0f64), Some(1.5)],
        "b" => [2i64, 3, 1],
        "b_text" => ["2", "3", "1"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_recipe_errors_name_the_step_and_operation() {
    let recipe = r#"[
  {"Action": {"Operation": "MOVE_TO_START", "Parameters": {"sourceColumn": "a"}}},
  {"Action": {"Operation": "CHANGE_DATA_TYPE",
              "Parameters": {"sourceColumn": "bb", "columnDataType": "int"}}}
]"#;
    let e = run_json(recipe, abcd()).unwrap_err();
    assert_mentions(
        &message(&e),
        &[
            "test.json:",
            "step 2 (CHANGE_DATA_TYPE)",
            "column 'bb' not found",
            "help: did you mean 'b'?",
        ],
    );
}

#[test]
fn a_column_deleted_by_an_earlier_step_names_that_step() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: '["age"]'}
  - operation: SORT
    parameters:
      expressions: '[{"sourceColumn": "age"}]'
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 2 (SORT)",
            "column 'age' not found",
            "help: step 1 (DELETE) removed it; move this step before that one",
        ],
    );
    assert!(!text.contains("did you mean"), "{text}");
}

#[test]
fn a_column_renamed_by_an_earlier_step_points_at_its_new_name() {
    let text = error_text(
        r#"
  - operation: MOVE_TO_END
    parameters: {sourceColumn: name}
  - operation: RENAME
    parameters: {sourceColumn: name, targetColumn: full_name}
  - operation: FILL_WITH_EMPTY
    parameters: {sourceColumn: name}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 3 (FILL_WITH_EMPTY)",
            "column 'name' not found",
            "help: step 2 (RENAME) renamed it to 'full_name'; refer to it by that name, or move \
             this step before that one",
        ],
    );
}

#[test]
fn a_condition_on_a_deleted_column_names_the_step_that_deleted_it() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: age}
  - operation: FILL_WITH_EMPTY
    parameters: {sourceColumn: name}
    conditionExpressions:
      - {condition: IS_MISSING, targetColumn: age}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "in step 2 (FILL_WITH_EMPTY): condition column 'age' not found",
            "help: step 1 (DELETE) removed it; move this step before that one",
        ],
    );
}
