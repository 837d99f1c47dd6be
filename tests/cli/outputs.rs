//! Output formats, compression, atomic replacement, `ops` and the run report.

use std::io::Read;

use polars::prelude::*;

use crate::support::*;

fn run_to(dir: &std::path::Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    let mut args = vec![
        "run",
        "recipes/student-performance.json",
        "--dataset",
        "datasets/students.yaml",
        "--output",
    ];
    let out_s = path_str(&out);
    args.push(&out_s);
    args.extend_from_slice(extra);
    datacook(&args).ok();
    out
}

#[test]
fn csv_output_follows_the_output_rules() {
    let dir = tmpdir();
    let out = run_to(dir.path(), "s.csv", &[]);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "school_id,student_id,study_time_in_hr,health,health_1,health_2,health_3,health_4,health_5,internet,country,year,gender,gender_mapped,age,marks"
    );
    // Integers without a decimal point, floats in shortest form, filled age.
    assert_eq!(
        lines.next().unwrap(),
        "2,1,2.6,1,1,0,0,0,0,no,Germany,2022,M,1,17,59"
    );
    assert!(text.ends_with('\n'));
    assert_eq!(text.lines().count(), 599);
}

#[test]
fn gzip_and_zstd_csv_decompress_to_the_same_bytes() {
    let dir = tmpdir();
    let plain = std::fs::read(run_to(dir.path(), "s.csv", &[])).unwrap();
    let gz = run_to(dir.path(), "s.csv.gz", &["--compression", "gzip"]);
    let mut decoded = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(gz).unwrap())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);
    let zst = run_to(dir.path(), "s.csv.zst", &["--compression", "zstd"]);
    let decoded = zstd::decode_all(std::fs::File::open(zst).unwrap()).unwrap();
    assert_eq!(decoded, plain);
}

#[test]
fn parquet_and_json_outputs_hold_the_same_data() {
    let dir = tmpdir();
    let csv = LazyCsvReader::new(PlRefPath::new(path_str(&run_to(dir.path(), "s.csv", &[]))))
        .finish()
        .unwrap()
        .collect()
        .unwrap();
    for compression in ["none", "snappy", "zstd", "gzip"] {
        let pq = run_to(
            dir.path(),
            &format!("s-{compression}.parquet"),
            &["--compression", compression],
        );
        let df = LazyFrame::scan_parquet(PlRefPath::new(path_str(&pq)), ScanArgsParquet::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(df.height(), 598);
        assert_eq!(df.get_column_names(), csv.get_column_names());
        assert_eq!(
            df.column("gender_mapped").unwrap().dtype(),
            &DataType::Int64
        );
        assert_eq!(df.column("health_3").unwrap().dtype(), &DataType::Int32);
        let as_csv_types = df
            .lazy()
            .select(
                csv.schema()
                    .iter()
                    .map(|(n, d)| col(n.clone()).cast(d.clone()))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .unwrap();
        assert!(
            as_csv_types.equals_missing(&csv),
            "{compression}: parquet differs from csv"
        );
    }
    let json = run_to(dir.path(), "s.jsonl", &["--format", "json"]);
    let text = std::fs::read_to_string(json).unwrap();
    assert_eq!(text.lines().count(), 598);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["student_id"], 1);
    assert_eq!(first["age"], 17);
    assert_eq!(first["gender_mapped"], 1);
}

#[test]
fn a_rerun_replaces_the_output_and_leaves_no_temporary_files() {
    let dir = tmpdir();
    let out = dir.path().join("s.csv");
    std::fs::write(&out, "old\n").unwrap();
    run_to(dir.path(), "s.csv", &[]);
    let first = std::fs::read(&out).unwrap();
    assert_ne!(first, b"old\n");
    run_to(dir.path(), "s.csv", &[]);
    assert_eq!(std::fs::read(&out).unwrap(), first);
    assert_eq!(files_in(dir.path()), ["s.csv"]);
}

#[test]
fn json_report_on_stdout() {
    let dir = tmpdir();
    let out = dir.path().join("s.csv");
    let r = datacook(&[
        "run",
        "recipes/patients-data-quality.yaml",
        "--dataset",
        "patients",
        "--output",
        &path_str(&out),
        "--json",
    ]);
    r.ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["steps"][2]["operation"], "JOIN");
    assert_eq!(report["steps"][2]["rows_in"], 300);
    assert_eq!(report["steps"][2]["rows_out"], 981);
    // The join's rows are counted as the output is written (no pass of their own); the
    // flag after it keeps them.
    assert_eq!(report["steps"][3]["rows_in"], 981);
    assert_eq!(report["steps"][3]["rows_out"], 981);
    assert_eq!(report["output"]["rows"], 981);
    assert_eq!(report["secondary_datasets"][0]["dataset"], "encounters");
    assert_eq!(report["secondary_datasets"][0]["rows"], 956);
    let zip = report["dataset"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "ZIP")
        .unwrap()
        .clone();
    assert_eq!(zip["type"], "str");
    assert_eq!(zip["source"], "inferred");
}

#[test]
fn ops_lists_every_operation_of_the_databrew_reference_with_its_status() {
    let r = datacook(&["ops", "--json"]);
    r.ok();
    let ops: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ops = ops.as_array().unwrap();
    let status = |name: &str| {
        ops.iter()
            .find(|o| o["name"] == name)
            .map(|o| o["status"].as_str().unwrap().to_string())
    };
    // The reference's §2 operation names (tests/databrew-operations.txt, one per line).
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/databrew-operations.txt"),
    )
    .unwrap();
    let missing: Vec<&str> = reference
        .lines()
        .filter(|n| !n.is_empty() && status(n).is_none())
        .collect();
    assert!(missing.is_empty(), "missing from `ops --json`: {missing:?}");
    let mut names: Vec<&str> = ops.iter().map(|o| o["name"].as_str().unwrap()).collect();
    let listed = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), listed, "an operation is listed twice");
    for o in ops {
        let s = o["status"].as_str().unwrap();
        assert!(["supported", "unsupported"].contains(&s), "{o}");
        if s == "unsupported" {
            assert!(o["reason"].as_str().is_some_and(|r| r.len() > 20), "{o}");
        }
        assert!(["row-local", "whole-dataset"].contains(&o["scope"].as_str().unwrap()));
    }
    assert_eq!(status("ENCRYPT").as_deref(), Some("unsupported"));
    for supported in [
        "JOIN",
        "FILL_WITH_MEDIAN",
        "UPPER_CASE",
        "REMOVE_COMBINED",
        "DIVIDE",
    ] {
        assert_eq!(
            status(supported).as_deref(),
            Some("supported"),
            "{supported}"
        );
    }
    let outliers = ops.iter().find(|o| o["name"] == "REMOVE_OUTLIERS").unwrap();
    let threshold = outliers["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "threshold")
        .unwrap();
    assert_eq!(threshold["default"], "3");
    let text = datacook(&["ops", "JOIN"]);
    text.ok();
    assert!(text.stdout.contains("joinKeys"), "{}", text.stdout);
    let text = datacook(&["ops", "ENCRYPT"]);
    text.ok();
    assert!(
        text.stdout
            .contains("unsupported: encrypts through AWS KMS"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_recipe_with_an_unsupported_operation_fails_validation_with_the_reason() {
    let dir = tmpdir();
    let recipe = dir.path().join("r.json");
    std::fs::write(
        &recipe,
        r#"[{"Action": {"Operation": "GET_STEP_DATAFRAME", "Parameters": {"stepIndex": "1"}}}]"#,
    )
    .unwrap();
    let r = datacook(&["validate", recipe.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("GET_STEP_DATAFRAME cannot run in datacook: interactive only"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("r.json:1:"), "{}", r.stderr);
}

#[test]
fn a_glob_dataset_reads_every_file_and_counts_filtered_rows() {
    let dir = tmpdir();
    std::fs::create_dir(dir.path().join("parts")).unwrap();
    std::fs::write(dir.path().join("parts/a.csv"), "id,v\n1,x\n2,\n").unwrap();
    std::fs::write(dir.path().join("parts/b.csv"), "id,v\n3,y\n4,1.5\n").unwrap();
    std::fs::write(
        dir.path().join("d.yaml"),
        "path: parts/*.csv\nformat: csv\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("r.yaml"),
        "steps:\n  - operation: REMOVE_MISSING\n    parameters: {sourceColumn: v}\n",
    )
    .unwrap();
    let out = dir.path().join("o.csv");
    let r = datacook(&[
        "run",
        &path_str(&dir.path().join("r.yaml")),
        "--dataset",
        &path_str(&dir.path().join("d.yaml")),
        "--output",
        &path_str(&out),
        "--json",
    ]);
    r.ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,v\n1,x\n3,y\n4,1.5\n"
    );
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["dataset"]["rows"], 4);
    assert_eq!(report["steps"][0]["rows_out"], 3);
    assert_eq!(report["dataset"]["files"].as_array().unwrap().len(), 2);
}

#[test]
fn the_recipe_schema_knows_every_operation_and_parameter_of_the_bundled_recipes() {
    let r = datacook(&["schema"]);
    r.ok();
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let operations = schema["$defs"]["operation"]["enum"].as_array().unwrap();
    assert!(operations.iter().any(|o| o == "UPPER_CASE"));
    assert!(
        !operations.iter().any(|o| o == "ENCRYPT"),
        "unsupported operations are left out"
    );
    let threshold = &schema["$defs"]["parameters"]["REMOVE_OUTLIERS"]["properties"]["threshold"];
    assert_eq!(threshold["default"], "3");
    assert_eq!(
        schema["$defs"]["parameters"]["JOIN"]["required"],
        serde_json::json!(["joinKeys", "joinType"])
    );
    for file in [
        "recipes/student-performance.json",
        "recipes/patients-data-quality.json",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let steps: serde_json::Value = serde_json::from_str(&text).unwrap();
        for step in steps.as_array().unwrap() {
            let op = step["Action"]["Operation"].as_str().unwrap();
            assert!(operations.iter().any(|o| o == op), "{op} missing");
            let declared = &schema["$defs"]["parameters"][op]["properties"];
            for key in step["Action"]["Parameters"].as_object().unwrap().keys() {
                assert!(
                    declared.get(key).is_some() || key == "functionStepType",
                    "{op}: parameter {key} missing from the schema"
                );
            }
        }
    }
}

#[test]
fn nested_columns_go_to_csv_as_json() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.json",
        r#"[{"Action": {"Operation": "NEST_TO_STRUCT", "Parameters": {"sourceColumns": "[\"city\",\"zip\"]", "targetColumn": "address"}}},
            {"Action": {"Operation": "NEST_TO_ARRAY", "Parameters": {"sourceColumns": "[\"city\",\"zip\"]", "targetColumn": "parts"}}}]"#,
    );
    let data = write(dir.path(), "d.csv", "city,zip\nParis,75001\n");
    let out = path_str(&dir.path().join("o.csv"));
    run_job(&recipe, &data, &out, &["--quiet"]).ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        // Each new column goes right after its first source; the list takes the common type.
        "city,parts,address,zip\nParis,\"[\"\"Paris\"\",\"\"75001\"\"]\",\"{\"\"city\"\":\"\"Paris\"\",\"\"zip\"\":75001}\",75001\n"
    );
}

#[test]
fn json_to_structs_plans_a_struct_and_writes_it_as_json() {
    let dir = tmpdir();
    let data = write(
        dir.path(),
        "j.csv",
        "id,j\n1,\"{\"\"name\"\": \"\"Ann\"\", \"\"age\"\": 31}\"\n2,\"{\"\"age\"\": 40.5, \"\"zip\"\": \"\"75001\"\"}\"\n3,\n4,not json\n",
    );
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: JSON_TO_STRUCTS\n    parameters: {sourceColumns: [j], removeSourceColumn: true}\n",
    );
    let v = datacook(&["validate", &recipe, "--dataset", &data]);
    v.ok();
    assert_eq!(
        v.stdout.trim(),
        "ok: 1 step, 2 output columns; the fields of j are known once the data is read"
    );
    let out = path_str(&dir.path().join("out.csv"));
    run_job(&recipe, &data, &out, &["--quiet"]).ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,j\n1,\"{\"\"name\"\":\"\"Ann\"\",\"\"age\"\":31.0,\"\"zip\"\":null}\"\n\
         2,\"{\"\"name\"\":null,\"\"age\"\":40.5,\"\"zip\"\":\"\"75001\"\"}\"\n3,\n4,\n"
    );
}

#[test]
fn a_join_then_a_statistics_step_reports_the_join_rows() {
    // The join's rows are not counted in a pass of their own; the fill's statistics count them.
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: JOIN\n    parameters:\n      secondaryDatasetName: encounters\n      \
         joinType: LEFT_JOIN\n      joinKeys: [{key: Id, value: PATIENT}]\n      rightColumns: [PATIENT]\n  \
         - operation: FILL_WITH_AVERAGE\n    parameters: {sourceColumn: LAT}\n  \
         - operation: DELETE\n    parameters: {sourceColumns: [PATIENT]}\n",
    );
    let out = path_str(&dir.path().join("p.csv"));
    let r = run_job(
        &recipe,
        "patients",
        &out,
        &["--datasets-dir", "datasets", "--json"],
    );
    r.ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for (i, (rows_in, rows_out)) in [(300, 981), (981, 981), (981, 981)].into_iter().enumerate() {
        assert_eq!(report["steps"][i]["rows_in"], rows_in, "step {i}");
        assert_eq!(report["steps"][i]["rows_out"], rows_out, "step {i}");
    }
    assert_eq!(report["output"]["rows"], 981);
}

#[test]
fn a_struct_without_fields_is_refused_for_parquet_before_writing() {
    let dir = tmpdir();
    let data = write(dir.path(), "j.csv", "id,j\n1,not json\n2,{}\n");
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: JSON_TO_STRUCTS\n    parameters: {sourceColumns: [j]}\n",
    );
    let out = dir.path().join("out.parquet");
    let r = run_job(&recipe, &data, &path_str(&out), &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("column 'j_struct' holds a struct without fields"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_partitioned_output_has_a_folder_per_value_even_one_with_a_backslash() {
    // Regression: the list of written files turned '\' into '/', so the files of a value
    // holding a backslash could not be found again (to sync them, or to upload them to S3).
    let dir = tmpdir();
    let data = write(dir.path(), "d.csv", "k,v\na,x\nb\\c,y\na,z\n");
    let recipe = write(
        dir.path(),
        "r.yaml",
        "name: r\nsteps:\n  - operation: UPPER_CASE\n    parameters: {sourceColumn: v}\n",
    );
    let out = dir.path().join("out");
    let run = run_job(
        &recipe,
        &data,
        &path_str(&out),
        &["--format", "csv", "--partition-by", "k", "--json"],
    );
    run.ok();
    assert_eq!(files_in(&out), [".datacook-partitions", "k=a", "k=b\\c"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files: Vec<&str> = report["output"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].starts_with("k=a/"), "{files:?}");
    assert!(files[1].starts_with("k=b\\c/"), "{files:?}");
    let text = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    assert_eq!(text(files[0]), "v\nX\nZ\n");
    assert_eq!(text(files[1]), "v\nY\n");
}
