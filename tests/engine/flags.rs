use crate::support::*;
use polars::prelude::*;

const YEAR: &str = "(?:(?:18|19|20)[0-9]{2})";

fn patients() -> DataFrame {
    df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap()
}

// ---- FLAG_COLUMN_FROM_PATTERN ----------------------------------------------------------

#[test]
fn pattern_flag_searches_the_value_and_is_placed_after_the_source() {
    let out = run(
        &format!(
            r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters:
      sourceColumn: BIRTHDATE
      pattern: "{YEAR}"
      trueString: "Yes"
      falseString: "No"
      targetColumn: BIRTHDATE_flagged
"#
        ),
        patients(),
    );
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "BIRTHDATE_flagged" => ["Yes", "No", "Yes", "No", "No", "No"],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_defaults_to_true_false_and_source_flagged() {
    let df = df!("name" => [Some("Nancy"), Some("ANN"), Some("bob"), None]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: name, pattern: "N.*"}
"#,
        df,
    );
    // A search, not a full match: "ANN" contains an N. Case-sensitive: "bob" has none.
    let expected = df!(
        "name" => [Some("Nancy"), Some("ANN"), Some("bob"), None],
        "name_flagged" => ["True", "True", "False", "False"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_anchors_and_inline_flags_work() {
    let df = df!("name" => ["Nancy", "ANN", "nina"]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: name, pattern: "^N", targetColumn: starts_n}
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: name, pattern: "(?i)^n", targetColumn: starts_n_any_case}
"#,
        df,
    );
    let expected = df!(
        "name" => ["Nancy", "ANN", "nina"],
        "starts_n_any_case" => ["True", "False", "True"],
        "starts_n" => ["True", "False", "False"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_matches_numbers_as_text() {
    let df = df!("year" => [Some(2017i64), Some(17), None, Some(1820)]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: year, pattern: "^20[0-9]{2}$"}
"#,
        df,
    );
    let expected = df!(
        "year" => [Some(2017i64), Some(17), None, Some(1820)],
        "year_flagged" => ["True", "False", "False", "False"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_true_and_false_strings_written_as_numbers_are_text() {
    let df = df!("c" => ["a1", "b"]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: '\d', trueString: 1, falseString: 0}
"#,
        df,
    );
    let expected = df!("c" => ["a1", "b"], "c_flagged" => ["1", "0"]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_missing_is_false_even_when_the_pattern_matches_empty_text() {
    let df = df!("c" => [Some(""), None, Some("a"), Some(" ")]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: "^[a ]*$"}
"#,
        df,
    );
    // Missing (null or "") is falseString; whitespace-only is a value and matches.
    let expected = df!(
        "c" => [Some(""), None, Some("a"), Some(" ")],
        "c_flagged" => ["False", "False", "True", "True"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn pattern_flag_with_look_ahead_is_a_validation_error_naming_the_step() {
    let df = df!("c" => ["ax"]).unwrap();
    let e = run_err(
        r#"
  - operation: DELETE_DUPLICATE_ROWS
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: "a(?=x)"}
"#,
        df,
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 2 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("look-around"), "{m}");
    assert!(
        m.contains("test.yaml:6:"),
        "points at the pattern line: {m}"
    );
}

#[test]
fn pattern_flag_with_look_behind_is_a_validation_error() {
    let df = df!("c" => ["ax"]).unwrap();
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: "(?<!a)x"}
"#,
        df,
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("look-around"), "{m}");
}

#[test]
fn pattern_flag_with_a_back_reference_is_a_validation_error_naming_the_step() {
    let df = df!("c" => ["aa"]).unwrap();
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: '(a)\1'}
"#,
        df,
    );
    let m = message(&e);
    assert_eq!(e.exit_code(), 2, "{m}");
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("backreferences are not supported"), "{m}");
}

#[test]
fn pattern_flag_with_an_invalid_regex_is_an_error() {
    let df = df!("c" => ["a"]).unwrap();
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: "(abc"}
"#,
        df,
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("invalid regular expression"), "{m}");
    assert!(m.contains("unclosed group"), "{m}");
}

#[test]
fn pattern_flag_needs_a_pattern() {
    let df = df!("c" => ["a"]).unwrap();
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c}
"#,
        df,
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("missing required parameter 'pattern'"), "{m}");
}

#[test]
fn pattern_flag_with_a_condition_is_null_where_it_does_not_hold() {
    let out = run(
        &format!(
            r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {{sourceColumn: BIRTHDATE, pattern: "{YEAR}", trueString: "Yes", falseString: "No"}}
    conditions:
      - {{condition: IS, value: F, targetColumn: GENDER}}
"#
        ),
        patients(),
    );
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "BIRTHDATE_flagged" => [Some("Yes"), None, Some("Yes"), None, Some("No"), None],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

// ---- FLAG_COLUMN_FROM_NULL -------------------------------------------------------------

#[test]
fn null_flag_marks_null_and_empty_text_but_not_whitespace() {
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: DRIVERS}
"#,
        patients(),
    );
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "DRIVERS_flagged" => ["False", "True", "True", "False", "False", "False"],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn null_flag_on_a_numeric_column_with_custom_strings() {
    let df = df!(
        "age" => [Some(12i64), None, Some(0)],
        "marks" => [Some(1.5f64), Some(f64::NAN), None]
    )
    .unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: age, trueString: missing, falseString: present}
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: marks, targetColumn: marks_missing, trueString: "Y", falseString: "N"}
"#,
        df,
    );
    let expected = df!(
        "age" => [Some(12i64), None, Some(0)],
        "age_flagged" => ["present", "missing", "present"],
        "marks" => [Some(1.5f64), Some(f64::NAN), None],
        "marks_missing" => ["N", "N", "Y"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn null_flag_with_conditions_is_null_where_they_do_not_hold() {
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: DRIVERS, trueString: "Yes", falseString: "No"}
    conditions:
      - {condition: IS_NOT, value: '["p1", "p6"]', targetColumn: Id}
      - {condition: IS, value: M, targetColumn: GENDER}
"#,
        patients(),
    );
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "DRIVERS_flagged" => [None, Some("Yes"), None, Some("No"), None, None],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn flag_onto_an_existing_column_is_an_error() {
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: DRIVERS, targetColumn: GENDER}
"#,
        patients(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_NULL)"), "{m}");
    assert!(m.contains("column 'GENDER' already exists"), "{m}");
}

#[test]
fn flag_default_target_that_already_exists_is_an_error() {
    let df = df!("c" => ["a"], "c_flagged" => ["x"]).unwrap();
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c, pattern: a}
"#,
        df,
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("column 'c_flagged' already exists"), "{m}");
}

#[test]
fn flag_on_an_unknown_column_is_an_error_with_a_suggestion() {
    let e = run_err(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: drivers}
"#,
        patients(),
    );
    let m = message(&e);
    assert!(m.contains("in step 1 (FLAG_COLUMN_FROM_NULL)"), "{m}");
    assert!(m.contains("column 'drivers' not found"), "{m}");
    assert!(m.contains("did you mean 'DRIVERS'?"), "{m}");
}

#[test]
fn flags_of_a_later_step_can_use_an_earlier_flag() {
    let df = df!("c" => [Some("a"), None]).unwrap();
    let out = run(
        r#"
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: c}
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {sourceColumn: c_flagged, pattern: "^True$"}
"#,
        df,
    );
    let expected = df!(
        "c" => [Some("a"), None],
        "c_flagged" => ["False", "True"],
        "c_flagged_flagged" => ["False", "True"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn patient_walkthrough_flags_are_never_null_and_split_good_from_bad() {
    let out = run(
        &format!(
            r#"
  - operation: FLAG_COLUMN_FROM_PATTERN
    parameters: {{sourceColumn: BIRTHDATE, pattern: "{YEAR}", trueString: "Yes", falseString: "No", targetColumn: BIRTHDATE_flagged}}
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {{sourceColumn: DRIVERS, trueString: "Yes", falseString: "No", targetColumn: DRIVERS_flagged}}
"#
        ),
        patients(),
    );
    assert_eq!(
        out.get_column_names(),
        [
            "Id",
            "BIRTHDATE",
            "BIRTHDATE_flagged",
            "DRIVERS",
            "DRIVERS_flagged",
            "GENDER"
        ]
    );
    for name in ["BIRTHDATE_flagged", "DRIVERS_flagged"] {
        assert_eq!(out.column(name).unwrap().null_count(), 0, "{name}");
    }
    let good = out
        .clone()
        .lazy()
        .filter(
            col("BIRTHDATE_flagged")
                .eq(lit("Yes"))
                .and(col("DRIVERS_flagged").eq(lit("No"))),
        )
        .select([col("Id")])
        .collect()
        .unwrap();
    assert_frame_eq(&good, &df!("Id" => ["p1"]).unwrap());
}

#[test]
fn flags_databrew_json_recipe() {
    let recipe = r#"[
  {
    "Action": {
      "Operation": "FLAG_COLUMN_FROM_PATTERN",
      "Parameters": {
        "flagType": "Pattern",
        "falseString": "No",
        "pattern": "(?:(?:18|19|20)[0-9]{2})",
        "sourceColumn": "BIRTHDATE",
        "targetColumn": "BIRTHDATE_flagged",
        "trueString": "Yes"
      }
    }
  },
  {
    "Action": {
      "Operation": "FLAG_COLUMN_FROM_NULL",
      "Parameters": {
        "FlagType": "Null values",
        "FalseString": "No",
        "SourceColumn": "DRIVERS",
        "TargetColumn": "DRIVERS_flagged",
        "TrueString": "Yes"
      }
    },
    "ConditionExpressions": [
      {"Condition": "NOT_STARTS_WITH", "Value": "p1", "TargetColumn": "Id"}
    ]
  }
]"#;
    let out = run_json(recipe, patients()).unwrap();
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p4", "p5", "p6"],
        "BIRTHDATE" => [Some("2017-08-24"), Some("17-08-24"), Some("x18991"), None, Some(""), Some("0217-01-01")],
        "BIRTHDATE_flagged" => ["Yes", "No", "Yes", "No", "No", "No"],
        "DRIVERS" => [Some("S999"), None, Some(""), Some("  "), Some("S1"), Some("S2")],
        "DRIVERS_flagged" => [None, Some("Yes"), Some("Yes"), Some("No"), Some("No"), Some("No")],
        "GENDER" => ["F", "M", "F", "M", "F", "M"]
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn flags_databrew_json_look_around_is_an_error_naming_the_step() {
    let recipe = r#"[
  {"Action": {"Operation": "FLAG_COLUMN_FROM_NULL", "Parameters": {"sourceColumn": "DRIVERS"}}},
  {"Action": {"Operation": "FLAG_COLUMN_FROM_PATTERN", "Parameters": {"sourceColumn": "BIRTHDATE", "pattern": "^(?!19)\\d{4}"}}}
]"#;
    let e = run_json(recipe, patients()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("in step 2 (FLAG_COLUMN_FROM_PATTERN)"), "{m}");
    assert!(m.contains("test.json:3:"), "{m}");
    assert!(m.contains("look-around"), "{m}");
}

/// Regression: only the first sixteen `withExpressions` aggregates were computed as statistics
/// and reported; the others were computed inline and left out of the run report.
#[test]
fn every_declared_aggregate_is_reported() {
    let aggregates: Vec<String> = (1..=17)
        .map(|i| format!(r#"{{"name": "a{i:02}", "value": "sum(`x`)", "type": "aggregate"}}"#))
        .collect();
    let steps = format!(
        "  - operation: BOOLEAN_OPERATION\n    parameters:\n      valueExpression: \"`x` > 1\"\n      trueValueExpression: \"`:a17`\"\n      falseValueExpression: \"0\"\n      withExpressions: '[{}]'\n      targetColumn: t\n",
        aggregates.join(",")
    );
    let df = df!("x" => [1i64, 2, 4]).unwrap();
    let (out, reports) = run_report(&steps, df);
    assert_frame_eq(
        &out,
        &df!("x" => [1i64, 2, 4], "t" => [0i64, 7, 7]).unwrap(),
    );
    let stats = &reports[0].stats;
    for i in 1..=17 {
        assert_eq!(stats[&format!("aggregate_a{i:02}")], "7", "{stats:?}");
    }
}
