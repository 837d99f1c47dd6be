use polars::prelude::*;

use crate::support::*;

#[test]
fn remove_values_deletes_rows_where_all_conditions_hold() {
    let df = df!("rating" => [1700i64, 1900, 1750, 2100], "winner" => ["white", "draw", "draw", "black"]).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: rating}
    conditions:
      - {condition: LESS_THAN, value: "1800", targetColumn: rating}
      - {condition: IS, value: '["draw"]', targetColumn: winner}
"#,
        df,
    );
    let expected =
        df!("rating" => [1700i64, 1900, 2100], "winner" => ["white", "draw", "black"]).unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- helpers --------------------------------------------------------------------------------

/// A text column with both kinds of missing value (null, "") and a whitespace-only value.
fn people() -> DataFrame {
    df!(
        "name" => [Some("ann"), None, Some(""), Some(" "), Some("bob"), Some("ann")],
        "age" => [Some(30i64), Some(41), None, Some(25), Some(9), Some(30)],
        "id" => [1i64, 2, 3, 4, 5, 6],
    )
    .unwrap()
}

fn empty_people() -> DataFrame {
    df!(
        "name" => Vec::<&str>::new(),
        "age" => Vec::<i64>::new(),
        "id" => Vec::<i64>::new(),
    )
    .unwrap()
}

/// `people()` restricted to the rows with these ids (ids are 1-based row numbers), in order.
fn people_with_ids(ids: &[i64]) -> DataFrame {
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids must be ascending");
    let idx: Vec<IdxSize> = ids.iter().map(|i| (*i - 1) as IdxSize).collect();
    people().take(&IdxCa::from_vec("idx".into(), idx)).unwrap()
}

// ---- REMOVE_VALUES --------------------------------------------------------------------------

#[test]
fn remove_values_compares_numbers_numerically() {
    // As text "100" < "20"; numerically it is not.
    let df = df!("n" => [9i64, 100, 10, 20, 3]).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: n}
    conditions:
      - {condition: LESS_THAN, value: "20", targetColumn: n}
"#,
        df,
    );
    assert_frame_eq(&out, &df!("n" => [100i64, 20]).unwrap());
}

#[test]
fn remove_values_keeps_rows_where_the_condition_cannot_be_evaluated() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: GREATER_THAN_EQUAL, value: "25", targetColumn: age}
"#,
        people(),
    );
    // Row 3 has a null age: the condition does not hold, so the row stays.
    assert_frame_eq(&out, &people_with_ids(&[3, 5]));
}

#[test]
fn remove_values_is_list_on_text_leaves_missing_values() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS, value: '["ann", "bob"]', targetColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[2, 3, 4]));
}

#[test]
fn remove_values_is_missing_removes_null_and_empty_but_not_whitespace() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS_MISSING, targetColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[1, 4, 5, 6]));
}

#[test]
fn remove_values_is_not_treats_missing_as_not_any_value() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    conditions:
      - {condition: IS_NOT, value: ann, targetColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[1, 6]));
}

#[test]
fn remove_values_conditions_on_another_column_are_anded() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS_BETWEEN, value: '{"GREATER_THAN_EQUAL": "25", "LESS_THAN_EQUAL": "41"}', targetColumn: age}
      - {condition: STARTS_WITH, value: a, targetColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[2, 3, 4, 5]));
}

#[test]
fn remove_values_can_remove_every_row() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    conditions:
      - {condition: GREATER_THAN, value: "0", targetColumn: id}
"#,
        people(),
    );
    assert_frame_eq(&out, &empty_people());
}

#[test]
fn remove_values_reports_rows_in_and_out() {
    let (out, reports) = run_report(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS, value: ann, targetColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[2, 3, 4, 5]));
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].operation, "REMOVE_VALUES");
    assert_eq!(
        (reports[0].rows_in, reports[0].rows_out),
        (Some(6), Some(4))
    );
}

#[test]
fn remove_values_on_empty_input() {
    let out = run(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
    conditions:
      - {condition: LESS_THAN, value: "18", targetColumn: age}
"#,
        empty_people(),
    );
    assert_frame_eq(&out, &empty_people());
}

#[test]
fn remove_values_without_conditions_is_an_error() {
    let text = error_text(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: age}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_VALUES)",
            "REMOVE_VALUES needs ConditionExpressions saying which rows to remove",
            r#"help: add ConditionExpressions: [{"Condition": "IS""#,
        ],
    );
}

#[test]
fn remove_values_with_an_unknown_source_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: nam}
    conditions:
      - {condition: IS, value: ann, targetColumn: name}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_VALUES)",
            "column 'nam' not found",
            "help: did you mean 'name'?",
        ],
    );
}

#[test]
fn remove_values_with_an_unknown_condition_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: DELETE
    parameters: {sourceColumn: id}
  - operation: REMOVE_VALUES
    conditions:
      - {condition: IS, value: "3", targetColumn: Age}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 2 (REMOVE_VALUES)",
            "condition column 'Age' not found",
            "help: did you mean 'age'? (names are case-sensitive)",
        ],
    );
}

#[test]
fn remove_values_rejects_a_text_value_compared_with_a_number_column() {
    let text = error_text(
        r#"
  - operation: REMOVE_VALUES
    conditions:
      - {condition: LESS_THAN, value: young, targetColumn: age}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_VALUES)",
            "LESS_THAN compares numbers, but 'young' is not a number (column 'age' is long)",
        ],
    );
}

#[test]
fn remove_values_rejects_a_list_as_source_column() {
    let text = error_text(
        r#"
  - operation: REMOVE_VALUES
    parameters: {sourceColumn: [name]}
    conditions:
      - {condition: IS, value: ann, targetColumn: name}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_VALUES)",
            "parameter 'sourceColumn': expected text, found a list",
            "help: 'sourceColumn' is a column name",
        ],
    );
}

#[test]
fn remove_values_unknown_condition_suggests_the_closest() {
    let text = error_text(
        r#"
  - operation: REMOVE_VALUES
    conditions:
      - {condition: LESS_THAN_EQUALS, value: "3", targetColumn: age}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_VALUES)",
            "unknown condition 'LESS_THAN_EQUALS'",
            "help: did you mean 'LESS_THAN_EQUAL'?",
        ],
    );
}

// ---- REMOVE_MISSING -------------------------------------------------------------------------

#[test]
fn remove_missing_removes_null_and_empty_text_but_keeps_whitespace() {
    let out = run(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[1, 4, 5, 6]));
}

#[test]
fn remove_missing_on_a_numeric_column_removes_nulls() {
    let out = run(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: age}
"#,
        people(),
    );
    assert_frame_eq(&out, &people_with_ids(&[1, 2, 4, 5, 6]));
}

#[test]
fn remove_missing_keeps_other_columns_missing_values() {
    let df = df!(
        "k" => [Some(1.5f64), None, Some(2.5), Some(0.0)],
        "t" => [None, Some("x"), Some(""), Some("y")],
    )
    .unwrap();
    let out = run(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: k}
"#,
        df,
    );
    let expected = df!(
        "k" => [Some(1.5f64), Some(2.5), Some(0.0)],
        "t" => [None, Some(""), Some("y")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn remove_missing_with_conditions_removes_only_missing_rows_where_they_hold() {
    let out = run(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
    conditions:
      - {condition: GREATER_THAN, value: "40", targetColumn: age}
"#,
        people(),
    );
    // Row 2 (null name, age 41) goes; row 3 ("" name, null age) stays: its condition
    // cannot be evaluated.
    assert_frame_eq(&out, &people_with_ids(&[1, 3, 4, 5, 6]));
}

#[test]
fn remove_missing_reports_rows_in_and_out() {
    let (_, reports) = run_report(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
"#,
        people(),
    );
    assert_eq!(reports[0].operation, "REMOVE_MISSING");
    assert_eq!(
        (reports[0].rows_in, reports[0].rows_out),
        (Some(6), Some(4))
    );
}

#[test]
fn remove_missing_on_empty_input() {
    let out = run(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: name}
"#,
        empty_people(),
    );
    assert_frame_eq(&out, &empty_people());
}

#[test]
fn remove_missing_of_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: ag}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_MISSING)",
            "column 'ag' not found",
            "help: did you mean 'age'?",
        ],
    );
}

#[test]
fn remove_missing_requires_source_column() {
    let text = error_text(
        r#"
  - operation: REMOVE_MISSING
    parameters: {}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_MISSING)",
            "missing required parameter 'sourceColumn'",
            "help: add `sourceColumn` (column name)",
        ],
    );
}

#[test]
fn remove_missing_rejects_a_map_as_source_column() {
    let text = error_text(
        r#"
  - operation: REMOVE_MISSING
    parameters: {sourceColumn: {name: x}}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_MISSING)",
            "parameter 'sourceColumn': expected text, found a map",
            "help: 'sourceColumn' is a column name",
        ],
    );
}

// ---- DELETE_DUPLICATE_ROWS ------------------------------------------------------------------

#[test]
fn delete_duplicate_rows_keeps_the_first_of_identical_rows_in_order() {
    let df = df!(
        "a" => ["x", "y", "x", "x", "y", "z"],
        "b" => [1i64, 2, 1, 2, 2, 1],
        "c" => [0.5f64, 0.5, 0.5, 0.5, 0.5, 0.5],
    )
    .unwrap();
    let out = run("  - operation: DELETE_DUPLICATE_ROWS\n", df);
    // Rows 3 (= row 1) and 5 (= row 2) go; row 4 differs from row 1 in b.
    let expected = df!(
        "a" => ["x", "y", "x", "z"],
        "b" => [1i64, 2, 2, 1],
        "c" => [0.5f64, 0.5, 0.5, 0.5],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn delete_duplicate_rows_compares_missing_values_as_equal() {
    let df = df!(
        "a" => [None, Some("x"), None, Some(""), Some(""), Some(" ")],
        "b" => [None, Some(1i64), None, Some(2), Some(2), Some(2)],
    )
    .unwrap();
    let out = run("  - operation: DELETE_DUPLICATE_ROWS\n", df);
    let expected = df!(
        "a" => [None, Some("x"), Some(""), Some(" ")],
        "b" => [None, Some(1i64), Some(2), Some(2)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn delete_duplicate_rows_treats_null_and_empty_text_as_the_same_missing_value() {
    let df = df!(
        "a" => [Some("x"), Some("x"), Some("y")],
        "b" => [None, Some(""), Some("")],
    )
    .unwrap();
    let out = run("  - operation: DELETE_DUPLICATE_ROWS\n", df);
    let expected = df!(
        "a" => [Some("x"), Some("y")],
        "b" => [None, Some("")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn delete_duplicate_rows_is_case_sensitive() {
    let df = df!("a" => ["Ann", "ann", "Ann"]).unwrap();
    let out = run("  - operation: DELETE_DUPLICATE_ROWS\n", df);
    assert_frame_eq(&out, &df!("a" => ["Ann", "ann"]).unwrap());
}

#[test]
fn delete_duplicate_rows_reports_rows_in_and_out() {
    let (out, reports) = run_report(
        r#"
  - operation: DELETE_DUPLICATE_ROWS
    parameters: {}
"#,
        df!("a" => [1i64, 1, 1, 2]).unwrap(),
    );
    assert_frame_eq(&out, &df!("a" => [1i64, 2]).unwrap());
    assert_eq!(reports[0].operation, "DELETE_DUPLICATE_ROWS");
    assert_eq!(
        (reports[0].rows_in, reports[0].rows_out),
        (Some(4), Some(2))
    );
}

#[test]
fn delete_duplicate_rows_on_empty_input() {
    let out = run("  - operation: DELETE_DUPLICATE_ROWS\n", empty_people());
    assert_frame_eq(&out, &empty_people());
}

#[test]
fn delete_duplicate_rows_ignores_an_unknown_parameter() {
    // An unknown parameter is a warning, not an error.
    let out = run(
        r#"
  - operation: DELETE_DUPLICATE_ROWS
    parameters: {sourceColumn: a}
"#,
        df!("a" => [1i64, 1], "b" => [1i64, 2]).unwrap(),
    );
    assert_frame_eq(&out, &df!("a" => [1i64, 1], "b" => [1i64, 2]).unwrap());
}

#[test]
fn delete_duplicate_rows_rejects_conditions() {
    let text = error_text(
        r#"
  - operation: DELETE_DUPLICATE_ROWS
    conditions:
      - {condition: IS, value: ann, targetColumn: name}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (DELETE_DUPLICATE_ROWS)",
            "DELETE_DUPLICATE_ROWS does not take ConditionExpressions",
            "help: remove the conditions, or filter rows first with REMOVE_VALUES",
        ],
    );
}

#[test]
fn delete_duplicate_rows_rejects_parameters_that_are_not_a_map() {
    let text = error_text(
        r#"
  - operation: DELETE_DUPLICATE_ROWS
    parameters: [a]
"#,
        people(),
    );
    assert_mentions(&text, &["'Parameters' must be a map, found a list"]);
}

// ---- REMOVE_DUPLICATES ----------------------------------------------------------------------

#[test]
fn remove_duplicates_keeps_the_first_row_of_each_value_in_order() {
    let df = df!(
        "city" => ["Oslo", "Rome", "Oslo", "Lima", "Rome", "Oslo"],
        "n" => [1i64, 2, 3, 4, 5, 6],
    )
    .unwrap();
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: city}
"#,
        df,
    );
    let expected = df!(
        "city" => ["Oslo", "Rome", "Lima"],
        "n" => [1i64, 2, 4],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn remove_duplicates_treats_null_and_empty_text_as_one_missing_value() {
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: name}
"#,
        people(),
    );
    // null (row 2) is the first missing value; "" (row 3) repeats it. " " is a value.
    assert_frame_eq(&out, &people_with_ids(&[1, 2, 4, 5]));
}

#[test]
fn remove_duplicates_on_a_numeric_column_keeps_the_first_null() {
    let df = df!(
        "v" => [Some(2.5f64), None, Some(2.5), None, Some(-1.0)],
        "i" => [1i64, 2, 3, 4, 5],
    )
    .unwrap();
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: v}
"#,
        df,
    );
    let expected = df!(
        "v" => [Some(2.5f64), None, Some(-1.0)],
        "i" => [1i64, 2, 5],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn remove_duplicates_is_case_sensitive() {
    let df = df!("s" => ["a", "A", "a", "A "], "i" => [1i64, 2, 3, 4]).unwrap();
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: s}
"#,
        df,
    );
    assert_frame_eq(
        &out,
        &df!("s" => ["a", "A", "A "], "i" => [1i64, 2, 4]).unwrap(),
    );
}

#[test]
fn remove_duplicates_with_conditions_judges_duplicates_over_all_rows() {
    let df = df!(
        "city" => ["Oslo", "Oslo", "Rome", "Oslo", "Rome"],
        "keep" => ["no", "yes", "yes", "no", "no"],
        "i" => [1i64, 2, 3, 4, 5],
    )
    .unwrap();
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: city}
    conditions:
      - {condition: IS, value: "no", targetColumn: keep}
"#,
        df,
    );
    // Duplicates: rows 2, 4 (Oslo) and 5 (Rome). Only those where keep = "no" go: 4 and 5.
    // Row 2 is a duplicate of row 1 even though row 1 does not meet the condition.
    let expected = df!(
        "city" => ["Oslo", "Oslo", "Rome"],
        "keep" => ["no", "yes", "yes"],
        "i" => [1i64, 2, 3],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn remove_duplicates_with_conditions_on_missing_values() {
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: GREATER_THAN, value: "26", targetColumn: age}
"#,
        people(),
    );
    // Duplicates: row 3 ("" repeats null; age null → condition does not hold, stays) and
    // row 6 ("ann", age 30 → goes).
    assert_frame_eq(&out, &people_with_ids(&[1, 2, 3, 4, 5]));
}

#[test]
fn remove_duplicates_reports_rows_in_and_out() {
    let (_, reports) = run_report(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: age}
"#,
        people(),
    );
    assert_eq!(reports[0].operation, "REMOVE_DUPLICATES");
    assert_eq!(
        (reports[0].rows_in, reports[0].rows_out),
        (Some(6), Some(5))
    );
}

#[test]
fn remove_duplicates_on_empty_input() {
    let out = run(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: name}
"#,
        empty_people(),
    );
    assert_frame_eq(&out, &empty_people());
}

#[test]
fn remove_duplicates_of_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: Name}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_DUPLICATES)",
            "column 'Name' not found",
            "help: did you mean 'name'? (names are case-sensitive)",
        ],
    );
}

#[test]
fn remove_duplicates_requires_source_column() {
    let text = error_text("  - operation: REMOVE_DUPLICATES\n", people());
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_DUPLICATES)",
            "missing required parameter 'sourceColumn'",
            "help: add `sourceColumn` (column name)",
        ],
    );
}

#[test]
fn remove_duplicates_rejects_a_list_as_source_column() {
    let text = error_text(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: [name, age]}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_DUPLICATES)",
            "parameter 'sourceColumn': expected text, found a list",
            "help: 'sourceColumn' is a column name",
        ],
    );
}

#[test]
fn remove_duplicates_condition_on_an_unknown_column_suggests_the_closest_name() {
    let text = error_text(
        r#"
  - operation: REMOVE_DUPLICATES
    parameters: {sourceColumn: name}
    conditions:
      - {condition: IS_MISSING, targetColumn: agge}
"#,
        people(),
    );
    assert_mentions(
        &text,
        &[
            "step 1 (REMOVE_DUPLICATES)",
            "condition column 'agge' not found",
            "help: did you mean 'age'?",
        ],
    );
}

// ---- DataBrew JSON --------------------------------------------------------------------------

#[test]
fn databrew_json_recipe_with_string_encoded_parameters() {
    let df = df!(
        "player" => [Some("kim"), Some("lee"), None, Some("kim"), Some(""), Some("ray"), Some("lee")],
        "rating" => [Some(1700i64), Some(2100), Some(1900), Some(1950), Some(2000), None, Some(2100)],
        "winner" => ["white", "draw", "black", "white", "draw", "black", "draw"],
    )
    .unwrap();
    let recipe = r#"[
  {"Action": {"Operation": "DELETE_DUPLICATE_ROWS", "Parameters": {}}},
  {"Action": {"Operation": "REMOVE_MISSING", "Parameters": {"sourceColumn": "player"}}},
  {"Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "rating"}},
   "ConditionExpressions": [
     {"Condition": "LESS_THAN", "Value": "1800", "TargetColumn": "rating"}]},
  {"Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "winner"}},
   "ConditionExpressions": [
     {"Condition": "IS", "Value": "[\"draw\"]", "TargetColumn": "winner"},
     {"Condition": "IS_BETWEEN",
      "Value": "{\"GREATER_THAN_EQUAL\": \"2050\", \"LESS_THAN_EQUAL\": \"2200\"}",
      "TargetColumn": "rating"}]},
  {"RecipeAction": {"Operation": "REMOVE_DUPLICATES", "Parameters": {"SourceColumn": "player"}}}
]"#;
    let out = run_json(recipe, df).unwrap_or_else(|e| panic!("{e}"));
    // 1: the second (lee, 2100, draw) goes. 2: the null and "" players go. 3: kim 1700 goes
    // (ray's null rating stays). 4: lee's 2100 draw goes. 5: nothing repeats any more.
    let expected = df!(
        "player" => [Some("kim"), Some("ray")],
        "rating" => [Some(1950i64), None],
        "winner" => ["white", "black"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn databrew_json_recipe_without_conditions_for_remove_values_is_an_error() {
    let recipe = r#"[
  {"Action": {"Operation": "REMOVE_MISSING", "Parameters": {"sourceColumn": "name"}}},
  {"Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "age"}}}
]"#;
    let e = run_json(recipe, people()).unwrap_err();
    assert_mentions(
        &message(&e),
        &[
            "test.json:",
            "step 2 (REMOVE_VALUES)",
            "needs ConditionExpressions",
            "help: add ConditionExpressions",
        ],
    );
}
