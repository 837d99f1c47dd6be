use crate::support::*;
use polars::prelude::*;

use datacook::Diagnostic;
use datacook::dataset::NoDatasets;
use datacook::error::Severity;
use datacook::job::run_on_frame;
use datacook::recipe::load_str;

// ---- one recipe, many spellings -------------------------------------------------------------
//
// Every spelling below means: delete x and y; remove the z-score outliers of v with threshold
// 1.5 (only 100 is one: z ≈ 1.79); map g's "M" to "1" in a new column g_code, keeping other
// values (missing stays missing).

fn input() -> DataFrame {
    df!(
        "x" => [0i64, 0, 0, 0, 0],
        "v" => [1i64, 2, 3, 4, 100],
        "g" => [Some("M"), Some("F"), Some("M"), None, Some("M")],
        "y" => ["p", "p", "p", "p", "p"],
    )
    .unwrap()
}

fn expected() -> DataFrame {
    df!(
        "v" => [1i64, 2, 3, 4],
        "g" => [Some("M"), Some("F"), Some("M"), None],
        "g_code" => [Some("1"), Some("F"), Some("1"), None],
    )
    .unwrap()
}

/// DataBrew's own encoding: every parameter a string, lists and maps JSON inside strings.
const STRING_PARAMS_JSON: &str = r#"[
  {
    "Action": {
      "Operation": "DELETE",
      "Parameters": {"sourceColumns": "[\"x\",\"y\"]"}
    }
  },
  {
    "Action": {
      "Operation": "REMOVE_OUTLIERS",
      "Parameters": {
        "sourceColumn": "v",
        "outlierStrategy": "Z_SCORE",
        "threshold": "1.5",
        "removeType": "DELETE_ROWS",
        "trimValue": "false"
      }
    }
  },
  {
    "Action": {
      "Operation": "CATEGORICAL_MAPPING",
      "Parameters": {
        "sourceColumn": "g",
        "categoryMap": "{\"M\":\"1\"}",
        "keepOthers": "TRUE",
        "deleteOtherRows": "false",
        "targetColumn": "g_code"
      }
    }
  }
]"#;

const RAW_VALUES_JSON: &str = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {"sourceColumns": ["x", "y"]}}},
  {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {
    "sourceColumn": "v", "outlierStrategy": "Z_SCORE", "threshold": 1.5,
    "removeType": "DELETE_ROWS", "trimValue": false}}},
  {"Action": {"Operation": "CATEGORICAL_MAPPING", "Parameters": {
    "sourceColumn": "g", "categoryMap": {"M": 1}, "keepOthers": true,
    "deleteOtherRows": false, "targetColumn": "g_code"}}}
]"#;

const PASCAL_CASE_JSON: &str = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {"SourceColumns": "[\"x\",\"y\"]"}}},
  {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {
    "SourceColumn": "v", "OutlierStrategy": "Z_SCORE", "Threshold": "1.5",
    "RemoveType": "DELETE_ROWS"}}},
  {"Action": {"Operation": "CATEGORICAL_MAPPING", "Parameters": {
    "SourceColumn": "g", "CategoryMap": "{\"M\":\"1\"}", "KeepOthers": "true",
    "TargetColumn": "g_code"}}}
]"#;

const WRAPPERS_JSON: &str = r#"[
  {"RecipeAction": {"Operation": "DELETE", "Parameters": {"sourceColumns": "[\"x\",\"y\"]"}}},
  {"RecipeStep": {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {
    "sourceColumn": "v", "threshold": "1.5"}}}},
  {"RecipeStep": {"RecipeAction": {"Operation": "CATEGORICAL_MAPPING", "Parameters": {
    "sourceColumn": "g", "categoryMap": "{\"M\":\"1\"}", "keepOthers": "TRUE",
    "targetColumn": "g_code"}}}}
]"#;

const DESCRIBE_RECIPE_JSON: &str = r#"{
  "Name": "clean-up",
  "RecipeVersion": "1.0",
  "CreateDate": "2024-01-01T00:00:00Z",
  "Steps": [
    {"Action": {"Operation": "DELETE", "Parameters": {"sourceColumns": "[\"x\",\"y\"]"}}},
    {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {
      "sourceColumn": "v", "outlierStrategy": "Z_SCORE", "threshold": "1.5"}}},
    {"Action": {"Operation": "CATEGORICAL_MAPPING", "Parameters": {
      "sourceColumn": "g", "categoryMap": "{\"M\":\"1\"}", "keepOthers": "TRUE",
      "targetColumn": "g_code"}}}
  ]
}"#;

const DATABREW_YAML: &str = r#"- Action:
    Operation: DELETE
    Parameters:
      sourceColumns: '["x","y"]'
- Action:
    Operation: REMOVE_OUTLIERS
    Parameters:
      sourceColumn: v
      outlierStrategy: Z_SCORE
      threshold: '1.5'
      removeType: DELETE_ROWS
- Action:
    Operation: CATEGORICAL_MAPPING
    Parameters:
      sourceColumn: g
      categoryMap: '{"M":"1"}'
      keepOthers: 'TRUE'
      deleteOtherRows: 'false'
      targetColumn: g_code
"#;

const DATACOOK_YAML: &str = r#"name: typed
description: the same recipe with typed values
version: 1.0
steps:
  - operation: DELETE
    parameters:
      sourceColumns: [x, y]
  - operation: REMOVE_OUTLIERS
    parameters:
      sourceColumn: v
      outlierStrategy: Z_SCORE
      threshold: 1.5
      removeType: DELETE_ROWS
      trimValue: false
  - operation: CATEGORICAL_MAPPING
    parameters:
      sourceColumn: g
      categoryMap: {M: 1}
      keepOthers: true
      deleteOtherRows: false
      targetColumn: g_code
"#;

fn run_text(recipe: &str, file: &str, df: DataFrame) -> DataFrame {
    match run_on_frame(recipe, file, df, &NoDatasets) {
        Ok((out, _)) => out,
        Err(e) => panic!("recipe {file} failed:\n{e}"),
    }
}

/// All diagnostics of loading and compiling `text` (warnings included).
fn diagnostics(text: &str, file: &str) -> Vec<Diagnostic> {
    let (recipe, mut diags) = load_str(text, file).unwrap();
    let (plan, compiled) = datacook::plan::compile(recipe);
    assert!(plan.is_some(), "{compiled:?}");
    diags.extend(compiled);
    diags
}

#[test]
fn databrew_json_with_all_string_parameters() {
    let out = run_json(STRING_PARAMS_JSON, input()).unwrap();
    assert_frame_eq(&out, &expected());
}

#[test]
fn databrew_json_loads_steps_and_positions() {
    let (recipe, warnings) = load_str(STRING_PARAMS_JSON, "test.json").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let ops: Vec<&str> = recipe.steps.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(ops, ["DELETE", "REMOVE_OUTLIERS", "CATEGORICAL_MAPPING"]);
    let numbers: Vec<usize> = recipe.steps.iter().map(|s| s.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    // Each step's operation is located at its "Operation" value.
    let lines: Vec<usize> = recipe.steps.iter().map(|s| s.op_pos.line).collect();
    assert_eq!(lines, [4, 10, 22]);
    assert!(
        STRING_PARAMS_JSON
            .lines()
            .nth(21)
            .unwrap()
            .contains("CATEGORICAL_MAPPING")
    );
    assert_eq!(recipe.steps[0].op_pos.col, 20);
}

#[test]
fn string_threshold_is_read_as_a_number() {
    // v = 1, 2, 3, 4, 100: mean 22, sample sd = √(7610 / 4) ≈ 43.62, so z(100) = 78 / 43.62
    // ≈ 1.788 (and every other |z| < 0.5). Threshold "1.7" removes the 100 row; "1.8" keeps it.
    // (The default, 3, would keep it too, so only the "1.7" run shows the string was read.)
    let with_threshold = |threshold: &str| {
        let recipe = STRING_PARAMS_JSON.replace(
            r#""threshold": "1.5""#,
            &format!(r#""threshold": "{threshold}""#),
        );
        assert_ne!(recipe, STRING_PARAMS_JSON);
        run_on_frame(&recipe, "test.json", input(), &NoDatasets).unwrap()
    };

    let (out, reports) = with_threshold("1.7");
    assert_frame_eq(&out, &expected());
    assert_eq!(reports[1].operation, "REMOVE_OUTLIERS");
    assert_eq!(reports[1].stats["threshold"], 1.7);
    assert_eq!(reports[1].stats["outliers"], 1);

    let (out, reports) = with_threshold("1.8");
    let kept = df!(
        "v" => [1i64, 2, 3, 4, 100],
        "g" => [Some("M"), Some("F"), Some("M"), None, Some("M")],
        "g_code" => [Some("1"), Some("F"), Some("1"), None, Some("1")],
    )
    .unwrap();
    assert_frame_eq(&out, &kept);
    assert_eq!(reports[1].stats["threshold"], 1.8);
    assert_eq!(reports[1].stats["outliers"], 0);
}

#[test]
fn string_booleans_are_case_insensitive() {
    // keepOthers "false" and deleteOtherRows "TRUE": the unmapped "F" row is deleted.
    let recipe = STRING_PARAMS_JSON
        .replace(r#""keepOthers": "TRUE""#, r#""keepOthers": "false""#)
        .replace(
            r#""deleteOtherRows": "false""#,
            r#""deleteOtherRows": "TRUE""#,
        );
    let out = run_json(&recipe, input()).unwrap();
    let expected = df!(
        "v" => [1i64, 3, 4],
        "g" => [Some("M"), Some("M"), None],
        "g_code" => [Some("1"), Some("1"), None],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn raw_json_arrays_numbers_booleans_and_maps_as_parameters() {
    let out = run_json(RAW_VALUES_JSON, input()).unwrap();
    assert_frame_eq(&out, &expected());
}

#[test]
fn pascal_case_parameter_keys() {
    let out = run_json(PASCAL_CASE_JSON, input()).unwrap();
    assert_frame_eq(&out, &expected());
    let (recipe, _) = load_str(PASCAL_CASE_JSON, "test.json").unwrap();
    assert_eq!(recipe.steps[0].params[0].0, "sourceColumns");
}

#[test]
fn recipe_action_and_recipe_step_wrappers() {
    let out = run_json(WRAPPERS_JSON, input()).unwrap();
    assert_frame_eq(&out, &expected());
}

#[test]
fn single_step_objects() {
    let df = df!("x" => [1i64], "keep" => ["k"]).unwrap();
    let want = df!("keep" => ["k"]).unwrap();
    for single in [
        r#"{"Action": {"Operation": "DELETE", "Parameters": {"sourceColumn": "x"}}}"#,
        r#"{"RecipeAction": {"Operation": "DELETE", "Parameters": {"sourceColumn": "x"}}}"#,
        r#"{"RecipeStep": {"Action": {"Operation": "DELETE", "Parameters": {"SourceColumn": "x"}}}}"#,
    ] {
        let out = run_json(single, df.clone()).unwrap_or_else(|e| panic!("{single}: {e}"));
        assert_frame_eq(&out, &want);
    }
}

#[test]
fn recipe_step_wrapper_keeps_its_condition_expressions() {
    let recipe = r#"{"RecipeStep": {
  "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "v"}},
  "ConditionExpressions": [{"Condition": "LESS_THAN", "Value": "3", "TargetColumn": "v"}]
}}"#;
    let out = run_json(recipe, df!("v" => [1i64, 5, 2, 3]).unwrap()).unwrap();
    assert_frame_eq(&out, &df!("v" => [5i64, 3]).unwrap());
}

#[test]
fn describe_recipe_output_with_name_and_steps() {
    let out = run_json(DESCRIBE_RECIPE_JSON, input()).unwrap();
    assert_frame_eq(&out, &expected());
    let (recipe, warnings) = load_str(DESCRIBE_RECIPE_JSON, "test.json").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(recipe.name.as_deref(), Some("clean-up"));
    assert_eq!(recipe.version.as_deref(), Some("1.0"));
    assert_eq!(recipe.steps.len(), 3);
}

#[test]
fn databrew_yaml_list() {
    let out = run_text(DATABREW_YAML, "test.yaml", input());
    assert_frame_eq(&out, &expected());
}

#[test]
fn datacook_yaml_with_typed_values() {
    let out = run_text(DATACOOK_YAML, "test.yaml", input());
    assert_frame_eq(&out, &expected());
    let (recipe, warnings) = load_str(DATACOOK_YAML, "test.yaml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(recipe.name.as_deref(), Some("typed"));
    assert_eq!(
        recipe.description.as_deref(),
        Some("the same recipe with typed values")
    );
    assert_eq!(recipe.version.as_deref(), Some("1.0"));
}

#[test]
fn every_spelling_gives_the_same_frame() {
    let reference = run_json(STRING_PARAMS_JSON, input()).unwrap();
    for (text, file) in [
        (RAW_VALUES_JSON, "test.json"),
        (PASCAL_CASE_JSON, "test.json"),
        (WRAPPERS_JSON, "test.json"),
        (DESCRIBE_RECIPE_JSON, "test.json"),
        (DATABREW_YAML, "test.yaml"),
        (DATACOOK_YAML, "test.yaml"),
    ] {
        let out = run_text(text, file, input());
        assert!(
            out.equals_missing(&reference) && out.schema() == reference.schema(),
            "{file}:\n{text}\ngave\n{out}\nexpected\n{reference}"
        );
    }
}

#[test]
fn format_is_detected_by_content_without_a_known_extension() {
    let out = run_text(STRING_PARAMS_JSON, "recipe", input());
    assert_frame_eq(&out, &expected());
    let out = run_text(DATACOOK_YAML, "recipe", input());
    assert_frame_eq(&out, &expected());
}

#[test]
fn the_same_steps_as_a_run_helper_recipe() {
    let out = run(
        r#"
  - operation: DELETE
    parameters: {sourceColumns: '["x","y"]'}
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: v, threshold: "1.5"}
  - operation: CATEGORICAL_MAPPING
    parameters: {sourceColumn: g, categoryMap: '{"M":"1"}', keepOthers: "TRUE", targetColumn: g_code}
"#,
        input(),
    );
    assert_frame_eq(&out, &expected());
}

#[test]
fn condition_expressions_in_databrew_json() {
    let recipe = r#"[
  {
    "Action": {"Operation": "REMOVE_VALUES", "Parameters": {"sourceColumn": "rating"}},
    "ConditionExpressions": [
      {"Condition": "LESS_THAN", "Value": "1800", "TargetColumn": "rating"},
      {"Condition": "IS", "Value": "[\"draw\"]", "TargetColumn": "winner"}
    ]
  }
]"#;
    let df = df!(
        "rating" => [1700i64, 1900, 1750, 2100],
        "winner" => ["white", "draw", "draw", "black"],
    )
    .unwrap();
    let out = run_json(recipe, df).unwrap();
    let expected = df!(
        "rating" => [1700i64, 1900, 2100],
        "winner" => ["white", "draw", "black"],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}

#[test]
fn empty_recipe_leaves_the_frame_unchanged() {
    assert_frame_eq(&run_json("[]", input()).unwrap(), &input());
    assert_frame_eq(&run_text("steps: []\n", "test.yaml", input()), &input());
}

#[test]
fn function_step_type_is_silently_ignored() {
    let recipe = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {
    "sourceColumn": "x", "functionStepType": "DELETE"}}}
]"#;
    let out = run_json(recipe, df!("x" => [1i64], "k" => [2i64]).unwrap()).unwrap();
    assert_frame_eq(&out, &df!("k" => [2i64]).unwrap());
    let diags = diagnostics(recipe, "test.json");
    assert!(diags.is_empty(), "{diags:?}");
    // PascalCase too.
    let diags = diagnostics(
        &recipe.replace("functionStepType", "FunctionStepType"),
        "test.json",
    );
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn unknown_parameter_is_only_a_warning() {
    let recipe = r#"[
  {
    "Action": {
      "Operation": "DELETE",
      "Parameters": {"sourceColumn": "x", "colour": "red"}
    }
  }
]"#;
    let out = run_json(recipe, df!("x" => [1i64], "k" => [2i64]).unwrap()).unwrap();
    assert_frame_eq(&out, &df!("k" => [2i64]).unwrap());

    let diags = diagnostics(recipe, "test.json");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.step, Some(1));
    assert_eq!(d.operation.as_deref(), Some("DELETE"));
    assert!(d.message.contains("unknown parameter 'colour'"), "{d}");
    let text = d.to_string();
    assert!(text.contains("test.json:5:43"), "{text}");
    assert!(text.contains("step 1 (DELETE)"), "{text}");
}

#[test]
fn misspelt_parameter_warning_suggests_the_right_name() {
    let recipe =
        "steps:\n  - operation: DELETE\n    parameters: {sourceColumn: x, sourceColumnss: [k]}\n";
    let diags = diagnostics(recipe, "r.yaml");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean 'sourceColumns'?")
    );
    assert_eq!(diags[0].location.as_ref().unwrap().line, 3);
}

// ---- errors ---------------------------------------------------------------------------------

/// The error's diagnostics, asserting it is an invalid-recipe error (exit 2).
fn invalid(e: &datacook::Error) -> Vec<Diagnostic> {
    assert_eq!(e.exit_code(), 2, "{e}");
    e.diagnostics()
}

const UNKNOWN_OP_JSON: &str = r#"[
  {
    "Action": {
      "Operation": "DELETE",
      "Parameters": {"sourceColumn": "x"}
    }
  },
  {
    "Action": {
      "Operation": "FILL_WITH_MEDAIN",
      "Parameters": {"sourceColumn": "v"}
    }
  }
]"#;

#[test]
fn unknown_operation_suggests_the_closest_name() {
    assert!(
        UNKNOWN_OP_JSON
            .lines()
            .nth(9)
            .unwrap()
            .contains("FILL_WITH_MEDAIN")
    );
    let e = run_json(UNKNOWN_OP_JSON, input()).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains(
            "error at test.json:10:20 in step 2 (FILL_WITH_MEDAIN): unknown operation 'FILL_WITH_MEDAIN'"
        ),
        "{m}"
    );
    assert!(m.contains("did you mean 'FILL_WITH_MEDIAN'?"), "{m}");
    assert_eq!(invalid(&e).len(), 1, "{m}");
}

#[test]
fn operation_names_are_case_sensitive_with_a_hint() {
    let e = run_json(r#"[{"Action": {"Operation": "delete"}}]"#, input()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("unknown operation 'delete'"), "{m}");
    assert!(
        m.contains("did you mean 'DELETE'? (names are case-sensitive)"),
        "{m}"
    );
}

#[test]
fn missing_required_parameter() {
    let recipe = UNKNOWN_OP_JSON
        .replace("FILL_WITH_MEDAIN", "FILL_WITH_MEDIAN")
        .replace(
            r#""Parameters": {"sourceColumn": "v"}"#,
            r#""Parameters": {}"#,
        );
    let e = run_json(&recipe, input()).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains(
            "error at test.json:10:20 in step 2 (FILL_WITH_MEDIAN): missing required parameter 'sourceColumn'"
        ),
        "{m}"
    );
    assert_eq!(invalid(&e).len(), 1, "{m}");
}

#[test]
fn missing_parameters_map_is_a_missing_required_parameter() {
    let e = run_json(
        r#"[{"Action": {"Operation": "FILL_WITH_MEDIAN"}}]"#,
        input(),
    )
    .unwrap_err();
    let m = message(&e);
    assert!(
        m.contains(
            "test.json:1:27 in step 1 (FILL_WITH_MEDIAN): missing required parameter 'sourceColumn'"
        ),
        "{m}"
    );
}

const BAD_THRESHOLD_JSON: &str = r#"[
  {
    "Action": {
      "Operation": "REMOVE_OUTLIERS",
      "Parameters": {
        "sourceColumn": "v",
        "threshold": "abc"
      }
    }
  }
]"#;

#[test]
fn wrong_parameter_type() {
    assert!(BAD_THRESHOLD_JSON.lines().nth(6).unwrap().contains("abc"));
    let e = run_json(BAD_THRESHOLD_JSON, input()).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains(
            "error at test.json:7:22 in step 1 (REMOVE_OUTLIERS): parameter 'threshold': expected a number, found 'abc'"
        ),
        "{m}"
    );
    assert!(m.contains("'threshold' is a number"), "{m}");
}

#[test]
fn wrong_boolean_and_choice_values() {
    let recipe = r#"[
  {"Action": {"Operation": "REMOVE_OUTLIERS", "Parameters": {
    "sourceColumn": "v", "trimValue": "maybe", "outlierStrategy": "Z_SCOR"}}}
]"#;
    let e = run_json(recipe, input()).unwrap_err();
    let diags = invalid(&e);
    assert_eq!(diags.len(), 2, "{e}");
    let m = message(&e);
    assert!(
        m.contains("test.json:3:39 in step 1 (REMOVE_OUTLIERS): parameter 'trimValue': expected true or false, found 'maybe'"),
        "{m}"
    );
    assert!(
        m.contains("test.json:3:67 in step 1 (REMOVE_OUTLIERS): parameter 'outlierStrategy'"),
        "{m}"
    );
    assert!(m.contains("did you mean 'Z_SCORE'"), "{m}");
}

#[test]
fn json_inside_a_string_must_be_valid() {
    let recipe = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {"sourceColumns": "[\"x\", "}}}
]"#;
    let e = run_json(recipe, input()).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("test.json:2:70 in step 1 (DELETE): parameter 'sourceColumns': expected JSON inside the string"),
        "{m}"
    );
}

#[test]
fn column_deleted_by_a_previous_step() {
    let recipe = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {"sourceColumn": "v"}}},
  {"Action": {"Operation": "FILL_WITH_MEDIAN", "Parameters": {"sourceColumn": "v"}}}
]"#;
    let e = run_json(recipe, input()).unwrap_err();
    let diags = invalid(&e);
    assert_eq!(diags.len(), 1, "{e}");
    let m = message(&e);
    assert!(
        m.contains("error at test.json:3:79 in step 2 (FILL_WITH_MEDIAN): column 'v' not found"),
        "{m}"
    );
}

#[test]
fn missing_column_suggests_a_close_name() {
    let e = run_err(
        "  - operation: FILL_WITH_MEDIAN\n    parameters:\n      sourceColumn: vv\n",
        df!("v" => [1i64], "w" => ["a"]).unwrap(),
    );
    let m = message(&e);
    assert!(
        m.contains("error at test.yaml:5:21 in step 1 (FILL_WITH_MEDIAN): column 'vv' not found"),
        "{m}"
    );
    assert!(m.contains("did you mean 'v'?"), "{m}");
}

const SEVERAL_PROBLEMS_JSON: &str = r#"[
  {
    "Action": {
      "Operation": "FILL_WITH_MEDAIN",
      "Parameters": {"sourceColumn": "v"}
    }
  },
  {
    "Action": {
      "Operation": "DELETE",
      "Parameters": {"sourceColumn": "x"}
    }
  },
  {
    "Action": {
      "Operation": "REMOVE_OUTLIERS",
      "Parameters": {"sourceColumn": "v", "threshold": "abc"}
    }
  },
  {
    "Action": {"Operation": "FILL_WITH_MODE"}
  }
]"#;

#[test]
fn several_problems_are_all_reported_at_once() {
    let e = run_json(SEVERAL_PROBLEMS_JSON, input()).unwrap_err();
    let diags = invalid(&e);
    let m = message(&e);
    assert_eq!(diags.len(), 3, "{m}");
    let steps: Vec<Option<usize>> = diags.iter().map(|d| d.step).collect();
    assert_eq!(steps, [Some(1), Some(3), Some(4)], "{m}");
    assert!(
        m.contains("error at test.json:4:20 in step 1 (FILL_WITH_MEDAIN): unknown operation"),
        "{m}"
    );
    assert!(
        m.contains("error at test.json:17:56 in step 3 (REMOVE_OUTLIERS): parameter 'threshold'"),
        "{m}"
    );
    assert!(
        m.contains("error at test.json:21:29 in step 4 (FILL_WITH_MODE): missing required parameter 'sourceColumn'"),
        "{m}"
    );
    assert!(!m.contains("step 2"), "{m}");
}

#[test]
fn several_schema_problems_are_all_reported_at_once() {
    let e = run_err(
        r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: nope}
  - operation: DELETE
    parameters: {sourceColumn: x}
  - operation: FLAG_COLUMN_FROM_NULL
    parameters: {sourceColumn: x}
"#,
        input(),
    );
    let diags = invalid(&e);
    let m = message(&e);
    assert_eq!(diags.len(), 2, "{m}");
    assert!(
        m.contains("error at test.yaml:5:32 in step 1 (FILL_WITH_MEDIAN): column 'nope' not found"),
        "{m}"
    );
    assert!(
        m.contains(
            "error at test.yaml:9:32 in step 3 (FLAG_COLUMN_FROM_NULL): column 'x' not found"
        ),
        "{m}"
    );
}

#[test]
fn every_error_names_file_line_column_step_and_operation() {
    let e = run_json(SEVERAL_PROBLEMS_JSON, input()).unwrap_err();
    let diags = invalid(&e);
    // Steps 1 (unknown operation), 3 (threshold "abc") and 4 (no sourceColumn); step 2 is fine.
    assert_eq!(diags.len(), 3, "{}", message(&e));
    for d in diags {
        let text = d.to_string();
        let loc = d
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("no location: {text}"));
        assert_eq!(loc.file, "test.json");
        assert!(loc.line > 0 && loc.column > 0, "{text}");
        let step = d.step.unwrap_or_else(|| panic!("no step: {text}"));
        let op = d
            .operation
            .clone()
            .unwrap_or_else(|| panic!("no op: {text}"));
        assert!(
            text.starts_with(&format!(
                "error at test.json:{}:{} in step {step} ({op}): ",
                loc.line, loc.column
            )),
            "{text}"
        );
    }
}

#[test]
fn structural_problems_in_steps_are_located() {
    let recipe = r#"[
  {"Action": {"Operation": "DELETE", "Parameters": {"sourceColumn": "x"}}},
  {"Acton": {"Operation": "DELETE"}},
  {"Action": {"Operation": "DELETE", "Parameters": ["x"]}}
]"#;
    let e = run_json(recipe, input()).unwrap_err();
    let diags: Vec<Diagnostic> = invalid(&e).into_iter().filter(|d| d.is_error()).collect();
    let m = message(&e);
    assert_eq!(diags.len(), 2, "{m}");
    assert_eq!(diags[0].step, Some(2), "{m}");
    assert!(
        diags[0].message.contains("this step has no operation"),
        "{m}"
    );
    assert_eq!(diags[0].location.as_ref().unwrap().line, 3, "{m}");
    assert_eq!(diags[1].step, Some(3), "{m}");
    assert!(
        diags[1]
            .message
            .contains("'Parameters' must be a map, found"),
        "{m}"
    );
    assert_eq!(diags[1].location.as_ref().unwrap().line, 4, "{m}");
}

#[test]
fn json_syntax_error_is_located() {
    let recipe = "[\n  {\"Action\": {\"Operation\": \"DELETE\",}}\n]";
    let e = run_json(recipe, input()).unwrap_err();
    let m = message(&e);
    assert!(m.contains("invalid JSON"), "{m}");
    assert!(m.contains("test.json:2:"), "{m}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn a_map_without_steps_is_not_a_recipe() {
    let e = run_json(r#"{"Name": "x"}"#, input()).unwrap_err();
    assert!(
        message(&e).contains("this file is not a recipe"),
        "{}",
        message(&e)
    );
}

#[test]
fn yaml_errors_point_at_the_yaml_lines() {
    let recipe = r#"name: demo
steps:
  - operation: DELETE
    parameters:
      sourceColumn: x
  - operation: REMOVE_OUTLIERS
    parameters:
      sourceColumn: v
      threshold: lots
"#;
    let e = run_on_frame(recipe, "demo.yaml", input(), &NoDatasets).unwrap_err();
    let m = message(&e);
    assert!(
        m.contains("error at demo.yaml:9:18 in step 2 (REMOVE_OUTLIERS): parameter 'threshold': expected a number, found 'lots'"),
        "{m}"
    );
}

/// Steps whose statistics share one pass must see exactly what they would see one by one: a
/// step reading a column an earlier step changed, or following a row filter, gets its own.
#[test]
fn batched_statistics_match_step_by_step_statistics() {
    let df = df!(
        "a" => [Some(1i64), None, Some(3), Some(10)],
        "b" => [Some(2.0f64), Some(4.0), None, Some(100.0)],
    )
    .unwrap();
    let steps = r#"
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: a}
  - operation: FILL_WITH_AVERAGE
    parameters: {sourceColumn: b}
  - operation: FILL_WITH_SUM
    parameters: {sourceColumn: a}
  - operation: REMOVE_OUTLIERS
    parameters: {sourceColumn: b, outlierStrategy: IQR, threshold: 1}
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: b}
"#;
    let (out, reports) = run_report(steps, df);
    // Step 1: median of 1, 3, 10 = 3. Step 2: mean of 2, 4, 100 = 35.333…
    assert_eq!(reports[0].stats["median"], 3.0);
    assert!((reports[1].stats["mean"].as_f64().unwrap() - 106.0 / 3.0).abs() < 1e-12);
    // Step 3 sums `a` after step 1 filled it: 1 + 3 + 3 + 10 = 17, nothing left to fill.
    assert_eq!(reports[2].stats["sum"], 17.0);
    assert_eq!(reports[2].stats["values_missing"], 0);
    // Step 4 sees b = 2, 4, 35.33, 100 (Q1 3.5, Q3 51.5, fences -44.5 and 99.5): 100 goes.
    assert_eq!(reports[3].stats["outliers"], 1);
    assert_eq!(reports[3].rows_out, Some(3));
    assert_eq!(reports[4].rows_in, Some(3));
    let expected = df!(
        "a" => [1i64, 3, 3],
        "b" => [2.0f64, 4.0, 106.0 / 3.0],
    )
    .unwrap();
    assert_frame_eq(&out, &expected);
}
