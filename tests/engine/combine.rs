use crate::support::*;
use polars::prelude::*;

use datacook::dataset::{Catalogue, Depth};
use datacook::job::StepReport;

// ---- JOIN -----------------------------------------------------------------------------------

/// The current (left) data: ids 1..4.
fn left() -> DataFrame {
    df!("id" => [1i64, 2, 3, 4], "name" => ["a", "b", "c", "d"]).unwrap()
}

/// The second (right) data, deliberately not in key order: 4 matches twice (fan-out), 5 never.
fn right() -> DataFrame {
    df!("rid" => [4i64, 2, 5, 4], "score" => [40i64, 20, 50, 41]).unwrap()
}

/// The join keys of [`left`] and [`right`]: `id` on the left is `rid` on the right.
const ID_RID: &str = r#"[{"key": "id", "value": "rid"}]"#;

/// A JOIN step with `dataset` on `keys` (`joinKeys`, a JSON list written in a string); `extra`
/// is added after it (more parameters indented by six spaces, or `conditions:` by four). The
/// layout is fixed, and tests rely on it: in the recipe, `joinKeys` is line 7,
/// `secondaryDatasetName` line 8 and the first line of `extra` line 9.
fn join_steps(join_type: &str, keys: &str, dataset: &str, extra: &str) -> String {
    format!(
        r#"
  - operation: JOIN
    parameters:
      joinType: {join_type}
      joinKeys: '{keys}'
      secondaryDatasetName: {dataset}
{extra}"#
    )
}

fn join(join_type: &str, extra: &str, left: DataFrame, right: DataFrame) -> DataFrame {
    try_join(join_type, extra, left, right)
        .unwrap_or_else(|e| panic!("recipe failed:\n{e}"))
        .0
}

fn try_join(
    join_type: &str,
    extra: &str,
    left: DataFrame,
    right: DataFrame,
) -> Result<(DataFrame, Vec<StepReport>), datacook::Error> {
    try_run_with(
        &join_steps(join_type, ID_RID, "other", extra),
        left,
        &datasets(vec![("other", right)]),
    )
}

#[test]
fn inner_join_keeps_left_order_and_fan_out() {
    let out = join("INNER_JOIN", "", left(), right());
    let expected = df!(
        "id" => [2i64, 4, 4],
        "name" => ["b", "d", "d"],
        "rid" => [2i64, 4, 4],
        "score" => [20i64, 40, 41],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn left_join_keeps_every_left_row_in_order_with_nulls_where_unmatched() {
    let out = join("LEFT_JOIN", "", left(), right());
    let expected = df!(
        "id" => [1i64, 2, 3, 4, 4],
        "name" => ["a", "b", "c", "d", "d"],
        "rid" => [None, Some(2i64), None, Some(4), Some(4)],
        "score" => [None, Some(20i64), None, Some(40), Some(41)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn right_join_keeps_every_right_row_in_right_order() {
    let out = join("RIGHT_JOIN", "", left(), right());
    let expected = df!(
        "id" => [Some(4i64), Some(2), None, Some(4)],
        "name" => [Some("d"), Some("b"), None, Some("d")],
        "rid" => [4i64, 2, 5, 4],
        "score" => [40i64, 20, 50, 41],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn outer_join_keeps_left_order_then_unmatched_right_rows() {
    let out = join("OUTER_JOIN", "", left(), right());
    let expected = df!(
        "id" => [Some(1i64), Some(2), Some(3), Some(4), Some(4), None],
        "name" => [Some("a"), Some("b"), Some("c"), Some("d"), Some("d"), None],
        "rid" => [None, Some(2i64), None, Some(4), Some(4), Some(5)],
        "score" => [None, Some(20i64), None, Some(40), Some(41), Some(50)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn left_excluding_join_keeps_unmatched_left_rows_and_left_columns_only() {
    let out = join("LEFT_EXCLUDING_JOIN", "", left(), right());
    let expected = df!("id" => [1i64, 3], "name" => ["a", "c"]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn right_excluding_join_keeps_unmatched_right_rows_and_right_columns_only() {
    let right = df!("rid" => [7i64, 4, 2, 5, 6], "score" => [70i64, 40, 20, 50, 60]).unwrap();
    let out = join("RIGHT_EXCLUDING_JOIN", "", left(), right);
    let expected = df!("rid" => [7i64, 5, 6], "score" => [70i64, 50, 60]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn outer_excluding_join_keeps_the_unmatched_rows_of_both_sides() {
    let out = join("OUTER_EXCLUDING_JOIN", "", left(), right());
    let expected = df!(
        "id" => [Some(1i64), Some(3), None],
        "name" => [Some("a"), Some("c"), None],
        "rid" => [None, None, Some(5i64)],
        "score" => [None, None, Some(50i64)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn join_type_is_read_case_insensitively() {
    let out = join("left_join", "", left(), right());
    assert_eq!(out.height(), 5);
    assert_eq!(
        out.column("score").unwrap().i64().unwrap().to_vec(),
        vec![None, Some(20), None, Some(40), Some(41)]
    );
    assert_frame_eq(&out, &join("LEFT_JOIN", "", left(), right()));
}

#[test]
fn unknown_join_type_is_an_error_with_a_suggestion() {
    let e = try_join("LEFT_JION", "", left(), right()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("joinType"), "{m}");
    assert!(m.contains("did you mean 'LEFT_JOIN'"), "{m}");
    assert!(m.contains("step 1 (JOIN)"), "{m}");
}

fn null_key_frames() -> (DataFrame, DataFrame) {
    let left = df!("id" => [Some(1i64), None, Some(2)], "l" => ["x", "n", "y"]).unwrap();
    let right = df!("rid" => [None, Some(2i64), Some(1)], "r" => ["N", "B", "A"]).unwrap();
    (left, right)
}

#[test]
fn null_keys_never_match_in_an_inner_join() {
    let (l, r) = null_key_frames();
    let out = join("INNER_JOIN", "", l, r);
    let expected = df!(
        "id" => [1i64, 2],
        "l" => ["x", "y"],
        "rid" => [1i64, 2],
        "r" => ["A", "B"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn null_keys_never_match_in_a_left_join() {
    let (l, r) = null_key_frames();
    let out = join("LEFT_JOIN", "", l, r);
    let expected = df!(
        "id" => [Some(1i64), None, Some(2)],
        "l" => ["x", "n", "y"],
        "rid" => [Some(1i64), None, Some(2)],
        "r" => [Some("A"), None, Some("B")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn null_keys_are_unmatched_rows_in_excluding_joins() {
    let (l, r) = null_key_frames();
    let out = join("LEFT_EXCLUDING_JOIN", "", l.clone(), r.clone());
    let expected = df!("id" => [None::<i64>], "l" => ["n"]).unwrap();
    assert_frame_eq(&out, &expected);

    let out = join("RIGHT_EXCLUDING_JOIN", "", l.clone(), r.clone());
    let expected = df!("rid" => [None::<i64>], "r" => ["N"]).unwrap();
    assert_frame_eq(&out, &expected);

    let out = join("OUTER_EXCLUDING_JOIN", "", l, r);
    let expected = df!(
        "id" => [None::<i64>, None],
        "l" => [Some("n"), None],
        "rid" => [None::<i64>, None],
        "r" => [None, Some("N")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn several_key_pairs_must_all_match() {
    let left = df!(
        "city" => ["Oslo", "Oslo", "Rome", "Rome"],
        "year" => [2020i64, 2021, 2020, 2021],
    )
    .unwrap();
    let right = df!(
        "town" => ["Oslo", "Rome", "Rome", "Oslo"],
        "yr" => [2021i64, 2021, 2019, 2019],
        "pop" => [700i64, 2800, 2700, 690],
    )
    .unwrap();
    let out = run_with(
        r#"
  - operation: JOIN
    parameters:
      joinType: LEFT_JOIN
      joinKeys: [{key: city, value: town}, {key: year, value: yr}]
      rightColumns: [pop]
      secondaryDatasetName: towns
"#,
        left,
        &datasets(vec![("towns", right)]),
    )
    .0;
    let expected = df!(
        "city" => ["Oslo", "Oslo", "Rome", "Rome"],
        "year" => [2020i64, 2021, 2020, 2021],
        "pop" => [None, Some(700i64), None, Some(2800)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn left_and_right_columns_select_and_order_the_output() {
    let left = df!("id" => [1i64, 2], "name" => ["a", "b"], "age" => [30i64, 40]).unwrap();
    let right = df!("rid" => [2i64, 1], "score" => [20i64, 10], "grade" => ["B", "A"]).unwrap();
    let out = join(
        "INNER_JOIN",
        r#"      leftColumns: '["age", "id"]'
      rightColumns: '["grade", "score"]'
"#,
        left,
        right,
    );
    let expected = df!(
        "age" => [30i64, 40],
        "id" => [1i64, 2],
        "grade" => ["A", "B"],
        "score" => [10i64, 20],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn left_columns_need_not_include_the_key() {
    let out = join(
        "LEFT_JOIN",
        "      leftColumns: [name]\n      rightColumns: [score]\n",
        left(),
        right(),
    );
    let expected = df!(
        "name" => ["a", "b", "c", "d", "d"],
        "score" => [None, Some(20i64), None, Some(40), Some(41)],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn right_columns_apply_to_right_excluding_join() {
    let out = join(
        "RIGHT_EXCLUDING_JOIN",
        "      leftColumns: [name]\n      rightColumns: [score]\n",
        left(),
        right(),
    );
    let expected = df!("score" => [50i64]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn kept_right_key_with_the_same_name_is_its_own_column_named_right() {
    let left = df!("id" => [1i64, 2, 3], "v" => ["a", "b", "c"]).unwrap();
    let right = df!("id" => [3i64, 1], "w" => ["C", "A"]).unwrap();
    let (out, reports) = try_run_with(
        &join_steps(
            "LEFT_JOIN",
            r#"[{"key": "id", "value": "id"}]"#,
            "other",
            "",
        ),
        left,
        &datasets(vec![("other", right)]),
    )
    .unwrap();
    let expected = df!(
        "id" => [1i64, 2, 3],
        "v" => ["a", "b", "c"],
        "id_right" => [Some(1i64), None, Some(3)],
        "w" => [Some("A"), None, Some("C")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    let warnings = &reports[0].warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("'id'") && w.contains("id_right")),
        "{warnings:?}"
    );
}

#[test]
fn clashing_non_key_column_is_renamed_right() {
    let left = df!("id" => [1i64, 2], "name" => ["a", "b"]).unwrap();
    let right = df!("rid" => [2i64, 1], "name" => ["B", "A"]).unwrap();
    let out = join("INNER_JOIN", "", left, right);
    let expected = df!(
        "id" => [1i64, 2],
        "name" => ["a", "b"],
        "rid" => [1i64, 2],
        "name_right" => ["A", "B"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn right_column_not_clashing_with_kept_left_columns_keeps_its_name() {
    // `name` is not kept from the left, so the right `name` keeps its name.
    let left = df!("id" => [1i64, 2], "name" => ["a", "b"]).unwrap();
    let right = df!("rid" => [2i64, 1], "name" => ["B", "A"]).unwrap();
    let out = join(
        "INNER_JOIN",
        "      leftColumns: [id]\n      rightColumns: [name]\n",
        left,
        right,
    );
    let expected = df!("id" => [1i64, 2], "name" => ["A", "B"]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn keys_of_different_types_are_compared_as_text() {
    let left = df!("id" => [1i64, 2, 3], "v" => ["a", "b", "c"]).unwrap();
    let right = df!("code" => ["3", "x", "1", "01"], "w" => ["C", "X", "A", "Z"]).unwrap();
    let (out, reports) = try_run_with(
        &join_steps(
            "LEFT_JOIN",
            r#"[{"key": "id", "value": "code"}]"#,
            "other",
            "",
        ),
        left,
        &datasets(vec![("other", right)]),
    )
    .unwrap();
    let expected = df!(
        "id" => [1i64, 2, 3],
        "v" => ["a", "b", "c"],
        "code" => [Some("1"), None, Some("3")],
        "w" => [Some("A"), None, Some("C")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
    assert!(
        reports[0]
            .warnings
            .iter()
            .any(|w| w.contains("compared as text")),
        "{:?}",
        reports[0].warnings
    );
}

#[test]
fn join_reports_type_and_dataset_in_stats() {
    let (_, reports) = try_join("INNER_JOIN", "", left(), right()).unwrap();
    assert_eq!(reports[0].operation, "JOIN");
    assert_eq!(reports[0].rows_in, Some(4));
    assert_eq!(reports[0].rows_out, Some(3));
    assert_eq!(
        reports[0].stats.get("join_type"),
        Some(&serde_json::json!("INNER_JOIN"))
    );
    assert_eq!(
        reports[0].stats.get("second_dataset"),
        Some(&serde_json::json!("other"))
    );
}

#[test]
fn unknown_secondary_dataset_suggests_the_close_name() {
    let e = try_run_with(
        &join_steps("INNER_JOIN", ID_RID, "encounter", ""),
        left(),
        &datasets(vec![("encounters", right()), ("patients", left())]),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("unknown dataset 'encounter'"), "{m}");
    assert!(m.contains("did you mean 'encounters'"), "{m}");
    // Located at the secondaryDatasetName value (line 8 of the recipe text).
    assert!(m.contains("test.yaml:8:"), "{m}");
    assert!(m.contains("step 1 (JOIN)"), "{m}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn unknown_secondary_dataset_lists_the_known_names_in_memory() {
    let e = try_run_with(
        &join_steps("INNER_JOIN", ID_RID, "visits", ""),
        left(),
        &datasets(vec![("encounters", right()), ("patients", left())]),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("unknown dataset 'visits'"), "{m}");
    assert!(m.contains("known datasets: encounters, patients"), "{m}");
}

#[test]
fn unknown_secondary_dataset_in_the_catalogue_lists_the_known_names() {
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.csv");
    let pat = dir.path().join("pat.csv");
    std::fs::write(&enc, "rid,score\n2,20\n").unwrap();
    std::fs::write(&pat, "id,name\n1,a\n").unwrap();
    let catalogue = Catalogue::new(
        dir.path().to_path_buf(),
        vec![
            ("encounters".into(), enc.display().to_string()),
            ("patients".into(), pat.display().to_string()),
        ],
        Depth::Data,
    );
    let e = try_run_with(
        &join_steps("INNER_JOIN", ID_RID, "visits", ""),
        left(),
        &catalogue,
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("unknown dataset 'visits'"), "{m}");
    assert!(m.contains("known datasets: encounters, patients"), "{m}");
}

#[test]
fn join_resolves_a_catalogue_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.csv");
    std::fs::write(&enc, "rid,score\n4,40\n2,20\n").unwrap();
    let catalogue = Catalogue::new(
        dir.path().to_path_buf(),
        vec![("other".into(), enc.display().to_string())],
        Depth::Data,
    );
    let out = try_run_with(
        &join_steps("INNER_JOIN", ID_RID, "other", ""),
        left(),
        &catalogue,
    )
    .unwrap()
    .0;
    let expected = df!(
        "id" => [2i64, 4],
        "name" => ["b", "d"],
        "rid" => [2i64, 4],
        "score" => [20i64, 40],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn unknown_right_column_is_an_error() {
    let e = try_join(
        "LEFT_JOIN",
        "      rightColumns: '[\"scor\"]'\n",
        left(),
        right(),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("column 'scor' not found in the second dataset"),
        "{m}"
    );
    assert!(m.contains("did you mean 'score'"), "{m}");
    assert!(m.contains("step 1 (JOIN)"), "{m}");
    assert!(m.contains("test.yaml:9:"), "{m}");
}

#[test]
fn unknown_right_key_is_an_error() {
    let e = try_run_with(
        &join_steps(
            "INNER_JOIN",
            r#"[{"key": "id", "value": "ID"}]"#,
            "other",
            "",
        ),
        left(),
        &datasets(vec![("other", right())]),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("column 'ID' not found in the second dataset"),
        "{m}"
    );
}

#[test]
fn unknown_left_column_is_an_error() {
    let e = try_join("INNER_JOIN", "      leftColumns: [nam]\n", left(), right()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("column 'nam' not found"), "{m}");
    assert!(!m.contains("second dataset"), "{m}");
    assert!(m.contains("did you mean 'name'"), "{m}");
}

#[test]
fn join_keys_must_name_key_and_value() {
    let e = try_run_with(
        &join_steps(
            "INNER_JOIN",
            r#"[{"left": "id", "right": "rid"}]"#,
            "other",
            "",
        ),
        left(),
        &datasets(vec![("other", right())]),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("a join key needs \"key\" and \"value\""), "{m}");
    assert!(m.contains("test.yaml:7:"), "{m}");
}

#[test]
fn join_without_a_second_dataset_is_an_error() {
    let e = try_run_with(
        r#"
  - operation: JOIN
    parameters:
      joinType: INNER_JOIN
      joinKeys: '[{"key": "id", "value": "rid"}]'
"#,
        left(),
        &datasets(vec![("other", right())]),
    )
    .unwrap_err();
    assert!(
        message(&e).contains("JOIN needs the second dataset"),
        "{}",
        message(&e)
    );
}

#[test]
fn walkthrough_patients_left_join_encounters_then_flag_missing() {
    let patients = df!(
        "Id" => ["p1", "p2", "p3"],
        "FIRST" => ["Ann", "Bob", "Cy"],
    )
    .unwrap();
    let encounters = df!(
        "Id" => ["e1", "e2", "e3", "e4"],
        "PATIENT" => [Some("p3"), Some("p1"), Some("p3"), None],
        "COST" => [10.5f64, 20.0, 30.0, 40.0],
    )
    .unwrap();
    let out = run_with(
        r#"
  - operation: JOIN
    parameters:
      joinType: LEFT_JOIN
      joinKeys: '[{"key":"Id","value":"PATIENT"}]'
      rightColumns: '["PATIENT"]'
      secondaryDatasetName: encounters
  - operation: FLAG_COLUMN_FROM_NULL
    parameters:
      sourceColumn: PATIENT
"#,
        patients,
        &datasets(vec![("encounters", encounters)]),
    )
    .0;
    let expected = df!(
        "Id" => ["p1", "p2", "p3", "p3"],
        "FIRST" => ["Ann", "Bob", "Cy", "Cy"],
        "PATIENT" => [Some("p1"), None, Some("p3"), Some("p3")],
        "PATIENT_flagged" => ["False", "True", "False", "False"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn walkthrough_in_databrew_json_form() {
    let patients = df!("Id" => ["p1", "p2"]).unwrap();
    let encounters = df!("PATIENT" => ["p2"], "CODE" => [7i64]).unwrap();
    let recipe = r#"[
  {
    "Action": {
      "Operation": "JOIN",
      "Parameters": {
        "joinKeys": "[{\"key\":\"Id\",\"value\":\"PATIENT\"}]",
        "joinType": "LEFT_JOIN",
        "leftColumns": "[\"Id\"]",
        "rightColumns": "[\"PATIENT\"]",
        "secondaryDatasetName": "encounters"
      }
    }
  },
  {
    "Action": {
      "Operation": "FLAG_COLUMN_FROM_NULL",
      "Parameters": {"sourceColumn": "PATIENT", "targetColumn": "no_encounter"}
    }
  }
]"#;
    let out = datacook::job::run_on_frame(
        recipe,
        "walk.json",
        patients,
        &datasets(vec![("encounters", encounters)]),
    )
    .unwrap()
    .0;
    let expected = df!(
        "Id" => ["p1", "p2"],
        "PATIENT" => [None, Some("p2")],
        "no_encounter" => ["True", "False"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn join_does_not_take_conditions() {
    let e = try_join(
        "INNER_JOIN",
        "    conditions:\n      - {condition: IS, value: '[\"a\"]', targetColumn: name}\n",
        left(),
        right(),
    )
    .unwrap_err();
    assert!(
        message(&e).contains("JOIN does not take ConditionExpressions"),
        "{}",
        message(&e)
    );
}

// ---- UNION ----------------------------------------------------------------------------------

fn union(steps: &str, current: DataFrame, others: Vec<(&str, DataFrame)>) -> DataFrame {
    run_with(steps, current, &datasets(others)).0
}

#[test]
fn union_operation_maps_by_position_and_unifies_types() {
    let current = df!("a" => [1i64, 2], "b" => ["x", "y"]).unwrap();
    let one = df!("B" => [7i64], "A" => [2.5f64]).unwrap();
    let two = df!("t" => ["w"]).unwrap();
    let out = union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one", "two"]'
      datasetsColumns: '[["a", "b"], ["A", "B"], [null, "t"]]'
      targetColumnNames: '["num", "txt"]'
"#,
        current,
        vec![("one", one), ("two", two)],
    );
    let expected = df!(
        "num" => [Some(1.0f64), Some(2.0), Some(2.5), None],
        "txt" => ["x", "y", "7", "w"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

fn try_union(
    steps: &str,
    current: DataFrame,
    others: Vec<(&str, DataFrame)>,
) -> Result<(DataFrame, Vec<StepReport>), datacook::Error> {
    try_run_with(steps, current, &datasets(others))
}

#[test]
fn union_maps_columns_by_position_with_nulls_for_missing() {
    let current = df!("a" => [1i64, 2], "b" => ["x", "y"]).unwrap();
    let one = df!("B" => ["z"], "A" => [3i64]).unwrap();
    let two = df!("t" => ["w", "v"]).unwrap();
    let out = union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one", "two"]'
      datasetsColumns: '[["a", "b"], ["A", "B"], [null, "t"]]'
      targetColumnNames: '["num", "txt"]'
"#,
        current,
        vec![("one", one), ("two", two)],
    );
    let expected = df!(
        "num" => [Some(1i64), Some(2), Some(3), None, None],
        "txt" => ["x", "y", "z", "w", "v"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_position_mapping_can_leave_the_current_dataset_column_null() {
    let current = df!("a" => [1i64]).unwrap();
    let other = df!("p" => [2i64], "q" => ["extra"]).unwrap();
    let out = union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: [other]
      datasetsColumns: [[a, null], [p, q]]
      targetColumnNames: [n, note]
"#,
        current,
        vec![("other", other)],
    );
    let expected = df!(
        "n" => [1i64, 2],
        "note" => [None, Some("extra")],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_without_datasets_columns_matches_by_name() {
    let current = df!("a" => [1i64, 2], "b" => ["x", "y"]).unwrap();
    // Different column order, an extra column (dropped), and one lacking `b`.
    let one = df!("c" => [true], "b" => ["z"], "a" => [3i64]).unwrap();
    let two = df!("a" => [4i64]).unwrap();
    let out = union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one", "two"]'
"#,
        current,
        vec![("one", one), ("two", two)],
    );
    let expected = df!(
        "a" => [1i64, 2, 3, 4],
        "b" => [Some("x"), Some("y"), Some("z"), None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_unifies_int_and_float_to_float64() {
    let current = df!("v" => [1i64, 2]).unwrap();
    let other = df!("v" => [2.5f64]).unwrap();
    let out = union(
        "  - operation: UNION\n    parameters:\n      secondaryDatasetNames: [other]\n",
        current,
        vec![("other", other)],
    );
    let expected = df!("v" => [1.0f64, 2.0, 2.5]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_unifies_different_integer_widths_to_int64() {
    let current = df!("v" => [1i32, 2]).unwrap();
    let other = df!("v" => [3i64]).unwrap();
    let out = union(
        "  - operation: UNION\n    parameters:\n      secondaryDatasetNames: [other]\n",
        current,
        vec![("other", other)],
    );
    let expected = df!("v" => [1i64, 2, 3]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_unifies_int_and_text_to_string() {
    let current = df!("v" => [1i64, 2]).unwrap();
    let other = df!("v" => ["x"]).unwrap();
    let out = union(
        "  - operation: UNION\n    parameters:\n      secondaryDatasetNames: [other]\n",
        current,
        vec![("other", other)],
    );
    let expected = df!("v" => ["1", "2", "x"]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_keeps_duplicate_rows() {
    let current = df!("a" => [1i64, 1], "b" => ["x", "x"]).unwrap();
    let other = df!("a" => [1i64], "b" => ["x"]).unwrap();
    let (out, reports) = try_union(
        "  - operation: UNION\n    parameters:\n      secondaryDatasetNames: '[\"other\"]'\n",
        current.clone(),
        vec![("other", other)],
    )
    .unwrap();
    let expected = df!("a" => [1i64, 1, 1], "b" => ["x", "x", "x"]).unwrap();
    assert_frame_eq(&out, &expected);
    assert_eq!(reports[0].rows_in, Some(2));
    assert_eq!(reports[0].rows_out, Some(3));
}

#[test]
fn union_with_the_same_dataset_twice_stacks_it_twice() {
    let current = df!("a" => [1i64]).unwrap();
    let other = df!("a" => [2i64]).unwrap();
    let out = union(
        "  - operation: UNION\n    parameters:\n      secondaryDatasetNames: [other, other]\n",
        current,
        vec![("other", other)],
    );
    let expected = df!("a" => [1i64, 2, 2]).unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn union_datasets_columns_must_have_one_list_per_dataset() {
    let e = try_union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one", "two"]'
      datasetsColumns: '[["a"], ["a"]]'
      targetColumnNames: '["a"]'
"#,
        df!("a" => [1i64]).unwrap(),
        vec![
            ("one", df!("a" => [2i64]).unwrap()),
            ("two", df!("a" => [3i64]).unwrap()),
        ],
    )
    .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("datasetsColumns has 2 lists but there are 3 datasets"),
        "{m}"
    );
    assert!(m.contains("test.yaml:7:"), "{m}");
    assert!(m.contains("step 1 (UNION)"), "{m}");
}

#[test]
fn union_datasets_columns_lists_must_match_target_column_names() {
    let e = try_union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one"]'
      datasetsColumns: '[["a", "b"], ["a"]]'
      targetColumnNames: '["a", "b"]'
"#,
        df!("a" => [1i64], "b" => [1i64]).unwrap(),
        vec![("one", df!("a" => [2i64]).unwrap())],
    )
    .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("datasetsColumns list 2 has 1 entries but targetColumnNames has 2"),
        "{m}"
    );
}

#[test]
fn union_datasets_columns_without_target_names_is_an_error() {
    let e = try_union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one"]'
      datasetsColumns: '[["a"], ["a"]]'
"#,
        df!("a" => [1i64]).unwrap(),
        vec![("one", df!("a" => [2i64]).unwrap())],
    )
    .unwrap_err();
    assert!(
        message(&e).contains("datasetsColumns needs targetColumnNames"),
        "{}",
        message(&e)
    );
}

#[test]
fn union_with_an_unknown_dataset_is_an_error() {
    let e = try_union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one", "twoo"]'
"#,
        df!("a" => [1i64]).unwrap(),
        vec![
            ("one", df!("a" => [2i64]).unwrap()),
            ("two", df!("a" => [3i64]).unwrap()),
        ],
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("unknown dataset 'twoo'"), "{m}");
    assert!(m.contains("did you mean 'two'"), "{m}");
    assert!(m.contains("step 1 (UNION)"), "{m}");
}

#[test]
fn union_with_an_unknown_column_in_a_secondary_dataset_is_an_error() {
    let e = try_union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: '["one"]'
      datasetsColumns: '[["a"], ["b"]]'
      targetColumnNames: '["a"]'
"#,
        df!("a" => [1i64]).unwrap(),
        vec![("one", df!("a" => [2i64]).unwrap())],
    )
    .unwrap_err();
    let m = message(&e);
    assert!(m.contains("column 'b' not found in dataset 'one'"), "{m}");
}

#[test]
fn union_needs_another_dataset() {
    let e = try_union(
        "  - operation: UNION\n    parameters:\n      targetColumnNames: [a]\n",
        df!("a" => [1i64]).unwrap(),
        vec![],
    )
    .unwrap_err();
    assert!(
        message(&e).contains("UNION needs at least one other dataset"),
        "{}",
        message(&e)
    );
}

#[test]
fn later_steps_see_the_union_schema() {
    let current = df!("a" => [1i64], "b" => ["x"]).unwrap();
    let other = df!("k" => [2i64]).unwrap();
    let out = union(
        r#"
  - operation: UNION
    parameters:
      secondaryDatasetNames: [other]
      datasetsColumns: [[a, b], [k, null]]
      targetColumnNames: [n, s]
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: s}
"#,
        current,
        vec![("other", other)],
    );
    let expected = df!(
        "n" => [1i64, 2],
        "s" => [Some("x"), None],
        "s_flagged" => ["False", "True"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}
