//! S3: the patient walkthrough read from and written to a real S3-compatible server, UNION
//! over DataBrew's paired dataset names and inputs, Parquet scanned in place, prefixes and
//! globs, and Hive-partitioned outputs.

use std::path::Path;

use crate::servers::*;
use crate::support::*;

fn upload_patients(bucket: &str) {
    for name in ["patients.csv", "encounters.csv"] {
        let bytes = std::fs::read(root().join("datasets").join(name)).unwrap();
        s3_put(bucket, &format!("covid/{name}"), &bytes);
    }
}

/// The patient recipe's output on the bundled local files.
fn local_patients_output(dir: &Path) -> Vec<u8> {
    let out = dir.join("local.csv");
    run_job(
        "recipes/patients-data-quality.json",
        "datasets/patients.yaml",
        &path_str(&out),
        &["--quiet"],
    )
    .ok();
    std::fs::read(out).unwrap()
}

/// The patient recipe with the encounters read through its own input location.
fn recipe_reading_encounters_from(dir: &Path, location: &str) -> String {
    let text = std::fs::read_to_string(root().join("recipes/patients-data-quality.json")).unwrap();
    let text = text.replace(
        r#""secondaryDatasetName": "encounters""#,
        &format!(r#""secondInputLocation": "{location}""#),
    );
    assert!(text.contains(location));
    write(dir, "patients-s3.json", &text)
}

/// Strip what differs between two runs of one check (times and durations).
fn without_times(text: &str) -> String {
    let time = regex::Regex::new(
        r#"("?(time|timestamp|startedOn|completedOn|writtenOn|durationMs|duration_ms)"?\s*[:=]\s*)("[^"]*"|[0-9.]+)"#,
    )
    .unwrap();
    time.replace_all(text, "$1_").to_string()
}

#[test]
fn patient_walkthrough_from_and_to_s3_equals_the_local_run() {
    let dir = tmpdir();
    let bucket = s3_bucket("synthea");
    upload_patients(&bucket);
    let recipe =
        recipe_reading_encounters_from(dir.path(), &format!("s3://{bucket}/covid/encounters.csv"));
    let empty = tmpdir();
    let patients = format!("s3://{bucket}/covid/patients.csv");

    // The recipe job: output to S3.
    let local = local_patients_output(dir.path());
    let r = run_job(
        &recipe,
        &patients,
        &format!("s3://{bucket}/out/patients-dq.csv"),
        &["--datasets-dir", &path_str(empty.path()), "--json"],
    );
    r.ok();
    assert_eq!(s3_get(&bucket, "out/patients-dq.csv").unwrap(), local);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["dataset"]["source"], "s3");
    assert_eq!(report["dataset"]["files"][0], patients);
    assert_eq!(
        report["secondary_datasets"][0]["location"],
        format!("s3://{bucket}/covid/encounters.csv")
    );

    // The gate: good/bad split and every report to S3, the same as the local gate's.
    let gate = |dataset: &str, recipe: &str, datasets_dir: &str, out: &dyn Fn(&str) -> String| {
        datacook(&[
            "check",
            dataset,
            "--recipe",
            recipe,
            "--rules",
            "profiles/patients-scorecard.yaml",
            "--datasets-dir",
            datasets_dir,
            "--good",
            &out("good.csv"),
            "--bad",
            &out("bad.csv"),
            "--json",
            &out("dq.json"),
            "--junit",
            &out("dq.xml"),
            "--markdown",
            &out("dq.md"),
            "--quiet",
        ])
    };
    let local_dir = dir.path().join("gate");
    let local_out = |name: &str| path_str(&local_dir.join(name));
    let s3_out = |name: &str| format!("s3://{bucket}/gate/{name}");
    let l = gate(
        "datasets/patients.yaml",
        "recipes/patients-data-quality.json",
        "datasets",
        &local_out,
    );
    let s = gate(&patients, &recipe, &path_str(empty.path()), &s3_out);
    assert_eq!((l.code, s.code), (0, 0), "{}\n{}", l.stderr, s.stderr);
    // The verdict, one line per rule, metric and flag, is the same.
    assert!(l.stdout.contains("PASSED: 8 passed"), "{}", l.stdout);
    assert_eq!(l.stdout, s.stdout);
    for name in ["good.csv", "bad.csv"] {
        assert_eq!(
            s3_get(&bucket, &format!("gate/{name}")).unwrap(),
            std::fs::read(local_dir.join(name)).unwrap(),
            "{name}"
        );
    }
    for name in ["dq.json", "dq.xml", "dq.md"] {
        let remote = String::from_utf8(s3_get(&bucket, &format!("gate/{name}")).unwrap()).unwrap();
        let local = std::fs::read_to_string(local_dir.join(name)).unwrap();
        let normalise = |t: &str| {
            without_times(t)
                .replace(&patients, "PATIENTS")
                .replace(&path_str(&root().join("datasets/patients.csv")), "PATIENTS")
                .replace("datasets/patients.csv", "PATIENTS")
                .replace("datasets/patients.yaml", "PATIENTS")
        };
        assert_eq!(normalise(&remote), normalise(&local), "{name}");
    }
}

#[test]
fn union_pairs_dataset_names_with_their_s3_inputs() {
    let dir = tmpdir();
    let bucket = s3_bucket("union");
    for (i, rows) in ["1,a\n", "2,b\n3,c\n", "4,d\n"].iter().enumerate() {
        s3_put(
            &bucket,
            &format!("parts/p{i}.csv"),
            format!("id,v\n{rows}").as_bytes(),
        );
    }
    let inputs: Vec<String> = (0..3)
        .map(|i| {
            format!(r#"{{\"S3InputDefinition\":{{\"Bucket\":\"{bucket}\",\"Key\":\"parts/p{i}.csv\"}}}}"#)
        })
        .collect();
    let recipe = write(
        dir.path(),
        "union.json",
        &format!(
            r#"[{{"Action": {{"Operation": "UNION", "Parameters": {{
                "datasetsColumns": "[[\"id\",\"v\"],[\"id\",\"v\"],[\"id\",\"v\"],[\"id\",\"v\"]]",
                "secondaryDatasetNames": "[\"part-0\",\"part-1\",\"part-2\"]",
                "secondaryInputs": "[{}]",
                "targetColumnNames": "[\"id\",\"v\"]"
            }}}}}}]"#,
            inputs.join(",")
        ),
    );
    let main = write(dir.path(), "main.csv", "id,v\n0,z\n");
    let out = dir.path().join("o.csv");
    let empty = tmpdir();
    run_job(
        &recipe,
        &main,
        &path_str(&out),
        &["--datasets-dir", &path_str(empty.path()), "--quiet"],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,v\n0,z\n1,a\n2,b\n3,c\n4,d\n"
    );
    // A name that is known wins over its location.
    let known = write(dir.path(), "local-part.csv", "id,v\n9,local\n");
    run_job(
        &recipe,
        &main,
        &path_str(&out),
        &[
            "--datasets-dir",
            &path_str(empty.path()),
            "--with",
            &format!("part-1={known}"),
            "--quiet",
        ],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,v\n0,z\n1,a\n9,local\n4,d\n"
    );
}

#[test]
fn prefixes_globs_and_parquet_objects_read_as_one_dataset() {
    let dir = tmpdir();
    let bucket = s3_bucket("many");
    s3_put(&bucket, "csv/2024/a.csv", b"id,v\n1,x\n");
    s3_put(&bucket, "csv/2024/b.csv", b"id,v\n2,y\n");
    s3_put(&bucket, "csv/2024/notes.txt", b"not data");
    s3_put(&bucket, "csv/2025/c.csv", b"id,v\n3,z\n");
    let recipe = identity_recipe(dir.path());
    let run = |dataset: &str, out: &str| {
        let path = dir.path().join(out);
        run_job(&recipe, dataset, &path_str(&path), &["--quiet"]).ok();
        std::fs::read(path).unwrap()
    };
    let glob = write(
        dir.path(),
        "glob.yaml",
        &format!("path: s3://{bucket}/csv/*/*.csv\nformat: csv\n"),
    );
    assert_eq!(run(&glob, "glob.csv"), b"id,v\n1,x\n2,y\n3,z\n");
    let one_year = write(
        dir.path(),
        "year.yaml",
        &format!("path: s3://{bucket}/csv/2024/*.csv\n"),
    );
    assert_eq!(run(&one_year, "year.csv"), b"id,v\n1,x\n2,y\n");

    // Parquet written by datacook to S3, then scanned in place.
    let parquet = format!("s3://{bucket}/pq/students.parquet");
    run_job(&recipe, "datasets/students.yaml", &parquet, &["--quiet"]).ok();
    let local = run("datasets/students.yaml", "local.csv");
    assert_eq!(run(&parquet, "from-parquet.csv"), local);
    let prefix = write(
        dir.path(),
        "prefix.yaml",
        &format!("path: s3://{bucket}/pq/\nformat: parquet\n"),
    );
    assert_eq!(run(&prefix, "from-prefix.csv"), local);

    // JSON documents are read through a local copy, JSON Lines in place.
    s3_put(
        &bucket,
        "json/doc.json",
        br#"[{"id": 1, "v": "x"}, {"id": 2, "v": "y"}]"#,
    );
    s3_put(
        &bucket,
        "json/lines.jsonl",
        b"{\"id\": 1, \"v\": \"x\"}\n{\"id\": 2, \"v\": \"y\"}\n",
    );
    for key in ["json/doc.json", "json/lines.jsonl"] {
        let out = run(&format!("s3://{bucket}/{key}"), "json.csv");
        assert_eq!(out, b"id,v\n1,x\n2,y\n", "{key}");
    }
}

#[test]
fn partitioned_outputs_replace_the_whole_folder_locally_and_on_s3() {
    let dir = tmpdir();
    let bucket = s3_bucket("parts");
    let data = write(
        dir.path(),
        "d.csv",
        "year,city,v\n2023,Oslo,1\n2024,Oslo,2\n2024,Rome,3\n",
    );
    let recipe = identity_recipe(dir.path());
    let local = dir.path().join("out");
    let run = |output: &str| {
        run_job(
            &recipe,
            &data,
            output,
            &["--format", "csv", "--partition-by", "year", "--json"],
        )
    };
    // A folder datacook did not write is not replaced.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
    let r = run(&path_str(&foreign));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("a folder that datacook did not write"),
        "{}",
        r.stderr
    );
    assert_eq!(files_in(&foreign), vec!["keep.txt"]);
    // A stale partition of an earlier run disappears.
    std::fs::create_dir_all(local.join("year=1999")).unwrap();
    std::fs::write(local.join(".datacook-partitions"), "").unwrap();
    std::fs::write(local.join("year=1999/00000000.csv"), "city,v\nOld,0\n").unwrap();
    s3_put(&bucket, "out/year=1999/00000000.csv", b"city,v\nOld,0\n");
    s3_put(&bucket, "out/.datacook-partitions", b"");
    s3_put(&bucket, "foreign/data.csv", b"mine");
    let r = run(&path_str(&local));
    r.ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        report["output"]["files"],
        serde_json::json!(["year=2023/00000000.csv", "year=2024/00000000.csv"])
    );
    assert_eq!(
        files_in(&local),
        vec![".datacook-partitions", "year=2023", "year=2024"]
    );
    assert_eq!(
        std::fs::read_to_string(local.join("year=2024/00000000.csv")).unwrap(),
        "city,v\nOslo,2\nRome,3\n"
    );
    run(&format!("s3://{bucket}/out")).ok();
    let r = run(&format!("s3://{bucket}/foreign"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        s3_keys(&bucket),
        vec![
            "foreign/data.csv",
            "out/.datacook-partitions",
            "out/year=2023/00000000.csv",
            "out/year=2024/00000000.csv"
        ]
    );
    assert_eq!(
        s3_get(&bucket, "out/year=2023/00000000.csv").unwrap(),
        b"city,v\nOslo,1\n"
    );
}

#[test]
fn databrew_s3_datasets_and_with_locations_read_from_the_bucket() {
    let dir = tmpdir();
    let bucket = s3_bucket("brew");
    upload_patients(&bucket);
    // describe-dataset output for the patients, as DataBrew gives it.
    let dataset = write(
        dir.path(),
        "patients-dataset.json",
        &format!(
            r#"{{"Name": "patients", "Format": "CSV",
               "FormatOptions": {{"Csv": {{"Delimiter": ",", "HeaderRow": true}}}},
               "Input": {{"S3InputDefinition": {{"Bucket": "{bucket}", "Key": "covid/patients.csv"}}}}}}"#
        ),
    );
    let empty = tmpdir();
    let out = dir.path().join("o.csv");
    let r = run_job(
        "recipes/patients-data-quality.json",
        &dataset,
        &path_str(&out),
        &[
            "--datasets-dir",
            &path_str(empty.path()),
            "--with",
            &format!("encounters=s3://{bucket}/covid/encounters.csv"),
            "--json",
        ],
    );
    r.ok();
    let local = local_patients_output(dir.path());
    assert_eq!(std::fs::read(&out).unwrap(), local);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["dataset"]["dataset"], "patients");
    assert_eq!(
        report["dataset"]["location"],
        format!("s3://{bucket}/covid/patients.csv")
    );
    // The profile and validate read the same objects.
    datacook(&[
        "validate",
        "recipes/patients-data-quality.json",
        "--dataset",
        &dataset,
        "--datasets-dir",
        &path_str(empty.path()),
        "--with",
        &format!("encounters=s3://{bucket}/covid/encounters.csv"),
    ])
    .ok();
    let p = datacook(&["profile", &dataset, "--json"]);
    p.ok();
    let profile: serde_json::Value = serde_json::from_str(&p.stdout).unwrap();
    assert_eq!(profile["sampleSize"], 300);
    assert_eq!(profile["datacook"]["input"]["source"], "s3");
}

/// The student recipe over the student table split into two CSV objects: the columns its
/// statistics read are held as the downloaded objects are inspected, and the output is the
/// local file's, whose statistics stream.
#[test]
fn statistics_over_csv_objects_use_the_held_columns() {
    let dir = tmpdir();
    let bucket = s3_bucket("held");
    let text = std::fs::read_to_string(root().join("datasets/students.csv")).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    let (first, second) = rows.split_at(rows.len() / 3);
    for (key, part) in [("a.csv", first), ("b.csv", second)] {
        let body = format!("{header}\n{}\n", part.join("\n"));
        s3_put(&bucket, &format!("students/{key}"), body.as_bytes());
    }
    let recipe = "recipes/student-performance.json";
    let local = dir.path().join("local.csv");
    let args = [
        "run",
        recipe,
        "--dataset",
        "datasets/students.yaml",
        "--output",
    ];
    let streamed = [("DATACOOK_HOLD_BYTES", "0")];
    datacook_with_env(
        &[&args[..], &[&path_str(&local), "--quiet"]].concat(),
        &streamed,
    )
    .ok();
    let out = dir.path().join("s3.csv");
    let dataset = format!("s3://{bucket}/students/*.csv");
    let r = run_job(recipe, &dataset, &path_str(&out), &["--json"]);
    r.ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["dataset"]["files"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["dataset"]["in_memory"],
        serde_json::json!(["age", "study_time_in_hr", "health"])
    );
    assert_eq!(std::fs::read(out).unwrap(), std::fs::read(local).unwrap());
}
