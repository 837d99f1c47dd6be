//! Dataset files: formats, options, type pins, catalogue lookups.

use crate::support::*;

#[test]
fn parquet_and_json_lines_outputs_read_back_as_datasets() {
    let dir = tmpdir();
    let original = dir.path().join("students.csv");
    for (format, name) in [("parquet", "s.parquet"), ("json", "s.jsonl")] {
        let out = dir.path().join(name);
        run_job(
            "recipes/student-performance.json",
            "datasets/students.yaml",
            &path_str(&out),
            &["--format", format],
        )
        .ok();
        // Read the written file as a dataset and write it back as CSV: the same table.
        let (r, report) = run_identity(dir.path(), &path_str(&out), &format!("{name}.csv"));
        r.ok();
        assert_eq!(report["dataset"]["rows"], 598);
        assert_eq!(report["output"]["rows"], 598);
        let back = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
        if !original.exists() {
            run_job(
                "recipes/student-performance.json",
                "datasets/students.yaml",
                &path_str(&original),
                &[],
            )
            .ok();
        }
        assert_eq!(
            back,
            std::fs::read_to_string(&original).unwrap(),
            "{format}"
        );
    }
}

#[test]
fn json_array_dataset() {
    let dir = tmpdir();
    write(
        dir.path(),
        "d.json",
        r#"[{"id": 1, "name": "a"}, {"id": 2, "name": null}]"#,
    );
    let ds = write(dir.path(), "d.yaml", "path: d.json\nformat: json\n");
    let (r, _) = run_identity(dir.path(), &ds, "o.csv");
    r.ok();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("o.csv")).unwrap(),
        "id,name\n1,a\n2,\n"
    );
}

#[test]
fn delimiter_header_and_encoding_options() {
    let dir = tmpdir();
    std::fs::write(dir.path().join("d.txt"), b"1;Jos\xe9\n2;Ana\n").unwrap();
    let ds = write(
        dir.path(),
        "d.yaml",
        "path: d.txt\nformat: csv\ncsv:\n  delimiter: \";\"\n  header: false\n  encoding: latin1\n",
    );
    let (r, report) = run_identity(dir.path(), &ds, "o.csv");
    r.ok();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("o.csv")).unwrap(),
        "Column_1,Column_2\n1,José\n2,Ana\n"
    );
    // A declared encoding is not a repair.
    assert_eq!(report["dataset"]["notes"], serde_json::json!([]));
}

#[test]
fn type_pins_override_inference_and_are_reported() {
    let dir = tmpdir();
    write(
        dir.path(),
        "d.csv",
        "id,code,day,flag\n1,7,2024-01-05,true\n2,8,not a date,false\n",
    );
    let ds = write(
        dir.path(),
        "d.yaml",
        "path: d.csv\ntypes:\n  code: string\n  day: date\n  id: double\n",
    );
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: FLAG_COLUMN_FROM_PATTERN\n    parameters: {sourceColumn: code, pattern: '^7$', targetColumn: is7}\n",
    );
    let out = dir.path().join("o.csv");
    let r = run_job(&recipe, &ds, &path_str(&out), &["--json"]);
    r.ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,code,is7,day,flag\n1.0,7,True,2024-01-05,true\n2.0,8,False,,false\n"
    );
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let cols = report["dataset"]["columns"].as_array().unwrap();
    let by = |n: &str| cols.iter().find(|c| c["column"] == n).unwrap().clone();
    assert_eq!(by("code")["source"], "pinned");
    assert_eq!(by("day")["type"], "date");
    assert_eq!(by("flag")["source"], "inferred");
    assert_eq!(by("flag")["type"], "bool");
}

#[test]
fn unknown_pin_column_and_type_are_errors() {
    let dir = tmpdir();
    write(dir.path(), "d.csv", "id\n1\n");
    let ds = write(dir.path(), "d.yaml", "path: d.csv\ntypes:\n  idd: string\n");
    let (r, _) = run_identity(dir.path(), &ds, "o.csv");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("pins the type of 'idd'") && r.stderr.contains("did you mean 'id'?"),
        "{}",
        r.stderr
    );
    let ds = write(dir.path(), "e.yaml", "path: d.csv\ntypes:\n  id: integr\n");
    let (r, _) = run_identity(dir.path(), &ds, "o.csv");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("e.yaml:3:") && r.stderr.contains("unknown type 'integr'"),
        "{}",
        r.stderr
    );
}

#[test]
fn join_finds_its_second_dataset_through_with() {
    let dir = tmpdir();
    write(dir.path(), "left.csv", "k,v\n1,a\n2,b\n");
    let right = write(dir.path(), "right.csv", "key,w\n2,x\n");
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: JOIN\n    parameters:\n      secondaryDatasetName: lookup\n      joinType: LEFT_JOIN\n      joinKeys: [{key: k, value: key}]\n      rightColumns: [w]\n",
    );
    let out = dir.path().join("o.csv");
    let left = path_str(&dir.path().join("left.csv"));
    let r = run_job(
        &recipe,
        &left,
        &path_str(&out),
        &["--with", &format!("lookup={right}")],
    );
    r.ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "k,v,w\n1,a,\n2,b,x\n"
    );
    // Without it, the error names the dataset and the known ones.
    let r = run_job(
        &recipe,
        &left,
        &path_str(&out),
        &["--datasets-dir", "datasets"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown dataset 'lookup'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("known datasets: encounters, patients, students"),
        "{}",
        r.stderr
    );
}

/// A number column spoilt by one value: the numeric step's error shows that value and line,
/// in `run` and `validate` alike, and the run report notes it.
#[test]
fn a_number_column_read_as_text_points_at_the_value() {
    let dir = tmpdir();
    let csv = "id,age\n1,17\n2,18\n3,1 7\n4,16\n";
    let data = write(dir.path(), "d.csv", csv);
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: age}\n",
    );
    let help = "help: 'age' was read as text because line 4 holds '1 7'; fix that value, \
                or read the column as numbers with `types: {age: double}` in the dataset file";
    let run = run_job(&recipe, &data, &path_str(&dir.path().join("o.csv")), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("FILL_WITH_MEDIAN needs a numeric column, but 'age' is string"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(help), "{}", run.stderr);
    let validate = datacook(&["validate", &recipe, "--dataset", &data]);
    assert_eq!(validate.code, 2);
    assert!(validate.stderr.contains(help), "{}", validate.stderr);

    let (r, report) = run_identity(dir.path(), &data, "same.csv");
    r.ok();
    let cols = report["dataset"]["columns"].as_array().unwrap();
    assert_eq!(cols[1]["note"], "line 4 holds '1 7'");
    assert!(cols[0].get("note").is_none(), "{report}");

    // The suggested fix works: the odd value becomes null and the median fills it.
    let pinned = write(dir.path(), "d.yaml", "path: d.csv\ntypes:\n  age: double\n");
    let out = dir.path().join("fixed.csv");
    run_job(&recipe, &pinned, &path_str(&out), &[]).ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,age\n1,17.0\n2,18.0\n3,17.0\n4,16.0\n"
    );
}

/// `run --format json` writes JSON Lines; a `.json` file like that reads back as a dataset.
#[test]
fn json_lines_in_a_json_file_read_back() {
    let dir = tmpdir();
    let data = write(
        dir.path(),
        "rows.json",
        "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":null}\n",
    );
    let array = write(
        dir.path(),
        "array.json",
        "[{\"a\":1,\"b\":\"x\"},\n {\"a\":2}]",
    );
    for dataset in [data, array] {
        let (r, report) = run_identity(dir.path(), &dataset, "o.csv");
        r.ok();
        assert_eq!(report["dataset"]["rows"], 2, "{dataset}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("o.csv")).unwrap(),
            "a,b\n1,x\n2,\n"
        );
    }
    let broken = write(dir.path(), "broken.json", "{\"a\":1\n");
    let (r, _) = run_identity(dir.path(), &broken, "p.csv");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("broken.json: invalid JSON"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("one object per line"), "{}", r.stderr);
}

#[test]
fn a_directory_is_not_a_dataset() {
    let dir = tmpdir();
    std::fs::create_dir(dir.path().join("parts")).unwrap();
    let (r, _) = run_identity(dir.path(), &path_str(&dir.path().join("parts")), "o.csv");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
    let def = write(dir.path(), "d.yaml", "path: parts\nformat: csv\n");
    let (r, _) = run_identity(dir.path(), &def, "o.csv");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("use a glob: `path: parts/*.csv`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_name_known_by_its_file_wins_over_the_steps_location() {
    let dir = tmpdir();
    // `sales.yaml` calls itself `Sales`: the name `sales` still finds it (by file name), as
    // for any other step, so the location the step also gives is not read.
    write(dir.path(), "known.csv", "id,amount\n1,10\n");
    write(dir.path(), "elsewhere.csv", "id,amount\n1,99\n");
    write(dir.path(), "sales.yaml", "name: Sales\npath: known.csv\n");
    let main = write(dir.path(), "main.csv", "id\n1\n");
    let recipe = write(
        dir.path(),
        "join.json",
        &format!(
            r#"[{{"Action": {{"Operation": "JOIN", "Parameters": {{
                "joinKeys": "[{{\"key\":\"id\",\"value\":\"id\"}}]", "joinType": "LEFT_JOIN",
                "rightColumns": "[\"amount\"]", "secondaryDatasetName": "sales",
                "secondInputLocation": "{}"}}}}}}]"#,
            path_str(&dir.path().join("elsewhere.csv"))
        ),
    );
    let out = dir.path().join("o.csv");
    run_job(
        &recipe,
        &main,
        &path_str(&out),
        &["--datasets-dir", &path_str(dir.path()), "--quiet"],
    )
    .ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id,amount\n1,10\n");
}
