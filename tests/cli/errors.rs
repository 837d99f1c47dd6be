//! Bad input exits non-zero with a message naming the step or line, and leaves no output.

use std::path::Path;

use crate::support::*;

/// Run a recipe on the student sample, expecting failure with `code`; returns stderr.
fn fails(dir: &Path, recipe: &str, dataset: &str, code: i32) -> String {
    let out = dir.join("out.csv");
    let r = datacook(&[
        "run",
        recipe,
        "--dataset",
        dataset,
        "--output",
        &path_str(&out),
    ]);
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(!out.exists(), "a failed run must not leave an output");
    assert!(
        files_in(dir).iter().all(|f| !f.contains("datacook-tmp")),
        "temporary files left: {:?}",
        files_in(dir)
    );
    r.stderr
}

#[test]
fn unknown_operation_names_step_line_and_suggestion() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.json",
        "[\n  {\"Action\": {\"Operation\": \"DELETE\", \"Parameters\": {\"sourceColumn\": \"marks\"}}},\n  {\"Action\": {\"Operation\": \"FILL_WITH_MEDAIN\", \"Parameters\": {\"sourceColumn\": \"age\"}}}\n]\n",
    );
    let err = fails(dir.path(), &recipe, "datasets/students.yaml", 2);
    assert!(err.contains("r.json:3:"), "{err}");
    assert!(err.contains("step 2 (FILL_WITH_MEDAIN)"), "{err}");
    assert!(
        err.contains("unknown operation 'FILL_WITH_MEDAIN'"),
        "{err}"
    );
    assert!(err.contains("did you mean 'FILL_WITH_MEDIAN'?"), "{err}");
}

#[test]
fn missing_column_is_caught_before_reading_with_did_you_mean() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: DELETE\n    parameters: {sourceColumn: age}\n  - operation: FILL_WITH_MEDIAN\n    parameters:\n      sourceColumn: agee\n",
    );
    let err = fails(dir.path(), &recipe, "datasets/students.yaml", 2);
    assert!(err.contains("r.yaml:6:21"), "{err}");
    assert!(
        err.contains("step 2 (FILL_WITH_MEDIAN): column 'agee' not found"),
        "{err}"
    );
    // 'age' was deleted by step 1, so there is nothing close to suggest but the list (the 12
    // columns of students.csv left after the delete, in file order).
    assert!(
        err.contains(
            "column 'agee' not found\n  help: available columns: school_id, school_name, \
             student_id, study_time_in_hr, health, internet, country, year, first_name, \
             last_name, gender, marks\n"
        ),
        "{err}"
    );
    assert!(!err.contains("did you mean"), "{err}");

    let recipe = write(
        dir.path(),
        "r2.yaml",
        "steps:\n  - operation: FILL_WITH_MEDIAN\n    parameters:\n      sourceColumn: agee\n",
    );
    let err = fails(dir.path(), &recipe, "datasets/students.yaml", 2);
    assert!(err.contains("did you mean 'age'?"), "{err}");

    // validate finds the same problem from the schema alone.
    let r = datacook(&["validate", &recipe, "--dataset", "datasets/students.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("column 'agee' not found"), "{}", r.stderr);
}

#[test]
fn wrong_parameter_type_names_the_parameter() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.json",
        "[{\"Action\": {\"Operation\": \"REMOVE_OUTLIERS\", \"Parameters\": {\"sourceColumn\": \"study_time_in_hr\", \"threshold\": \"three\"}}}]",
    );
    let err = fails(dir.path(), &recipe, "datasets/students.yaml", 2);
    assert!(err.contains("step 1 (REMOVE_OUTLIERS)"), "{err}");
    assert!(
        err.contains("parameter 'threshold': expected a number, found 'three'"),
        "{err}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: DELET\n  - operation: FILL_WITH_MEDIAN\n    parameters: {}\n  - operation: REMOVE_OUTLIERS\n    parameters: {sourceColumn: marks, threshold: x}\n",
    );
    let err = fails(dir.path(), &recipe, "datasets/students.yaml", 2);
    assert!(err.contains("step 1 (DELET)"), "{err}");
    assert!(
        err.contains("step 2 (FILL_WITH_MEDIAN): missing required parameter 'sourceColumn'"),
        "{err}"
    );
    assert!(err.contains("step 3 (REMOVE_OUTLIERS)"), "{err}");
}

#[test]
fn unreadable_inputs_exit_with_clear_messages() {
    let dir = tmpdir();
    let err = fails(dir.path(), "recipes/nope.json", "datasets/students.yaml", 2);
    assert!(
        err.contains("cannot read recipe 'recipes/nope.json'"),
        "{err}"
    );
    let err = fails(
        dir.path(),
        "recipes/student-performance.json",
        "datasets/nope.yaml",
        2,
    );
    assert!(
        err.contains("dataset file 'datasets/nope.yaml' not found"),
        "{err}"
    );
    let ds = write(dir.path(), "d.yaml", "path: missing.csv\n");
    let err = fails(dir.path(), "recipes/student-performance.json", &ds, 2);
    assert!(err.contains("missing.csv' not found"), "{err}");
    let empty = write(dir.path(), "empty.csv", "");
    let err = fails(dir.path(), "recipes/student-performance.json", &empty, 2);
    assert!(err.contains("the file is empty"), "{err}");
}

#[test]
fn strict_dataset_rejects_a_malformed_row_naming_its_line() {
    let dir = tmpdir();
    write(dir.path(), "data.csv", "a,b\n1,2\n3,4\n5\n6,7\n");
    let ds = write(dir.path(), "d.yaml", "path: data.csv\nstrict: true\n");
    let recipe = write(dir.path(), "r.json", "[]");
    let err = fails(dir.path(), &recipe, &ds, 2);
    assert!(err.contains("data.csv:4:1"), "{err}");
    assert!(err.contains("row has 1 fields, the header has 2"), "{err}");
}

/// A line break (LF or CR) cannot separate fields: the dataset file is refused, naming the key.
#[test]
fn a_line_break_delimiter_is_refused() {
    let dir = tmpdir();
    write(dir.path(), "data.csv", "a,b\n1,2\n");
    let recipe = write(dir.path(), "r.json", "[]");
    for escaped in ["\\n", "\\r"] {
        let yaml = format!("path: data.csv\ncsv: {{delimiter: \"{escaped}\"}}\n");
        let ds = write(dir.path(), "d.yaml", &yaml);
        let err = fails(dir.path(), &recipe, &ds, 2);
        assert!(
            err.contains("`delimiter` cannot be a line break"),
            "{escaped}: {err}"
        );
        assert!(err.contains("d.yaml:2"), "{escaped}: {err}");
    }
}

#[test]
fn a_hold_limit_that_is_not_a_number_of_bytes_is_refused() {
    let dir = tmpdir();
    let out = path_str(&dir.path().join("out.csv"));
    let args = [
        "run",
        "recipes/student-performance.json",
        "--dataset",
        "datasets/students.yaml",
        "--output",
        &out,
    ];
    let r = datacook_with_env(&args, &[("DATACOOK_HOLD_BYTES", "1G")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("DATACOOK_HOLD_BYTES is '1G'"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn runtime_failures_exit_3() {
    let dir = tmpdir();
    let blocker = write(dir.path(), "file", "x");
    let r = datacook(&[
        "run",
        "recipes/student-performance.json",
        "--dataset",
        "datasets/students.yaml",
        "--output",
        &format!("{blocker}/out.csv"),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cannot create"), "{}", r.stderr);
}

#[test]
fn bad_arguments_exit_2() {
    let r = datacook(&["run", "recipes/student-performance.json"]);
    assert_eq!(r.code, 2);
    let r = datacook(&[
        "run",
        "recipes/student-performance.json",
        "--dataset",
        "datasets/students.yaml",
        "--output",
        "out/x.csv",
        "--compression",
        "snappy",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("snappy compression is available for Parquet output only"),
        "{}",
        r.stderr
    );
    let r = datacook(&["ops", "FILL_WITH_MEDAIN"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean 'FILL_WITH_MEDIAN'"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failed_run_leaves_the_previous_output_untouched() {
    let dir = tmpdir();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "previous,output\n1,2\n").unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "steps:\n  - operation: DELETE\n    parameters: {sourceColumn: nope}\n",
    );
    let r = datacook(&[
        "run",
        &bad,
        "--dataset",
        "datasets/students.yaml",
        "--output",
        &path_str(&out),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "previous,output\n1,2\n"
    );
    // A one-hot over too many values fails at run time, after reading: still no change.
    let many = write(
        dir.path(),
        "many.yaml",
        "steps:\n  - operation: ONE_HOT_ENCODING\n    parameters: {sourceColumn: marks}\n",
    );
    let r = datacook(&[
        "run",
        &many,
        "--dataset",
        "datasets/students.yaml",
        "--output",
        &path_str(&out),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("distinct values; ONE_HOT_ENCODING allows at most 10"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "previous,output\n1,2\n"
    );
    assert_eq!(files_in(dir.path()), ["bad.yaml", "many.yaml", "out.csv"]);
}

/// Regression: `datacook ops | head` printed "error: Broken pipe" and exited 3.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_datacook"))
        .args(["ops", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Regression: a schema error used to hide the warnings found before it.
#[test]
fn schema_errors_come_with_the_warnings_found_before_them() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: agee, sourceColum: x}\n",
    );
    let out = path_str(&dir.path().join("o.csv"));
    for args in [
        vec!["validate", &recipe, "--dataset", "datasets/students.yaml"],
        vec![
            "run",
            &recipe,
            "--dataset",
            "datasets/students.yaml",
            "-o",
            &out,
        ],
    ] {
        let r = datacook(&args);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let warning = r.stderr.find("unknown parameter 'sourceColum' is ignored");
        let error = r.stderr.find("column 'agee' not found");
        match (warning, error) {
            (Some(w), Some(e)) => assert!(w < e, "warning after the error:\n{}", r.stderr),
            _ => panic!("warning or error missing:\n{}", r.stderr),
        }
    }
}

#[test]
fn runtime_errors_start_with_error() {
    let dir = tmpdir();
    let data = write(dir.path(), "not.parquet", "this is not parquet");
    let r = datacook(&["profile", &data]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.starts_with("error: cannot read"), "{}", r.stderr);
}

#[test]
fn validate_counts_one_step_in_the_singular() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: DELETE\n    parameters: {sourceColumn: age}\n",
    );
    let r = datacook(&["validate", &recipe, "--dataset", "datasets/students.yaml"]);
    r.ok();
    assert_eq!(r.stdout, "ok: 1 step, 12 output columns\n");
}

/// Regression: `run --report` wrote with a plain file write and failed on a missing folder.
#[test]
fn the_run_report_folder_is_created() {
    let dir = tmpdir();
    let report = dir.path().join("reports/today/run.json");
    datacook(&[
        "run",
        "recipes/student-performance.json",
        "--dataset",
        "datasets/students.yaml",
        "-o",
        &path_str(&dir.path().join("o.csv")),
        "--report",
        &path_str(&report),
    ])
    .ok();
    assert_eq!(read_json(&report)["output"]["rows"], 598);
}
