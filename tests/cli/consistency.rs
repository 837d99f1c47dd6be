//! `validate` and `run` reach the data the same way: what one accepts, the other accepts,
//! and the schema `validate` predicts is the one `run` writes. Regression tests for the
//! defects where they did not.

use std::path::Path;

use polars::prelude::*;

use crate::support::*;

/// Every bundled recipe with its dataset.
const BUNDLED: &[(&str, &str)] = &[
    ("recipes/student-performance.json", "datasets/students.yaml"),
    ("recipes/student-performance.yaml", "datasets/students.yaml"),
    (
        "recipes/patients-data-quality.json",
        "datasets/patients.yaml",
    ),
    (
        "recipes/patients-data-quality.yaml",
        "datasets/patients.yaml",
    ),
];

/// Run `recipe` on `dataset` into `out` with `DATACOOK_HOLD_BYTES=hold`: the output and the
/// run report.
fn run_holding(
    recipe: &str,
    dataset: &str,
    out: &Path,
    hold: &str,
) -> (Vec<u8>, serde_json::Value) {
    let out_arg = path_str(out);
    let args = [
        "run",
        recipe,
        "--dataset",
        dataset,
        "--output",
        &out_arg,
        "--json",
    ];
    let r = datacook_with_env(&args, &[("DATACOOK_HOLD_BYTES", hold)]);
    r.ok();
    let report = serde_json::from_str(&r.stdout).unwrap();
    (std::fs::read(out).unwrap(), report)
}

/// The columns a run report says were held for the statistics.
fn in_memory(report: &serde_json::Value) -> Vec<&str> {
    report["dataset"]["in_memory"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default()
}

/// The statistics the first steps compute over columns held in memory as the CSV was
/// inspected give the output the streamed statistics give, byte for byte, for every bundled
/// recipe; the run report names the held columns.
#[test]
fn held_columns_give_the_output_streamed_statistics_give() {
    let dir = tmpdir();
    for (recipe, dataset) in BUNDLED {
        let mut outputs = Vec::new();
        // Held (a limit every machine has room for), then streamed.
        for hold in ["1000000000", "0"] {
            let out = dir.path().join(format!("out-{hold}.csv"));
            let (output, report) = run_holding(recipe, dataset, &out, hold);
            let held = in_memory(&report);
            // The patient recipes have no statistics.
            let expected: &[&str] = match (hold, recipe.starts_with("recipes/student")) {
                ("1000000000", true) => &["age", "study_time_in_hr", "health"],
                _ => &[],
            };
            assert_eq!(held, expected, "{recipe} holding {hold:?}");
            outputs.push(output);
        }
        assert!(outputs[0] == outputs[1], "{recipe}: the outputs differ");
    }
}

/// A dataset of several CSV files holds the columns of every file, in file order, typed as
/// the files together are (integers in one file, floats in another: floats).
#[test]
fn held_columns_span_every_file_of_a_glob() {
    let dir = tmpdir();
    write(dir.path(), "p1.csv", "id,x\n1,4\n2,\n3,10\n");
    write(dir.path(), "p2.csv", "id,x\n4,2.5\n5,\n6,7\n7,1\n");
    let dataset = write(dir.path(), "d.yaml", "path: p*.csv\n");
    let recipe = write(
        dir.path(),
        "r.yaml",
        "name: g\nsteps:\n  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: x}\n  \
         - operation: REMOVE_OUTLIERS\n    parameters: {sourceColumn: x, outlierStrategy: Z_SCORE, \
         threshold: 1, removeType: DELETE_ROWS}\n",
    );
    let mut outputs = Vec::new();
    for (hold, held) in [("1000000000", vec!["x"]), ("0", vec![])] {
        let out = dir.path().join(format!("out{hold}.csv"));
        let (output, report) = run_holding(&recipe, &dataset, &out, hold);
        assert_eq!(in_memory(&report), held, "holding {hold}");
        assert_eq!(
            report["steps"][0]["stats"]["median"], 4.0,
            "median of 1, 2.5, 4, 7, 10"
        );
        outputs.push(String::from_utf8(output).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(
        outputs[0], "id,x\n1,4.0\n2,4.0\n4,2.5\n5,4.0\n6,7.0\n",
        "filled with 4; then 10 and 1 lie more than one sd (3.0) from the mean (4.6)"
    );
}

/// Only the input the statistics really see is held: a column a step writes before them, or
/// rows a step drops, leave them to stream. Every case writes the same output either way.
#[test]
fn held_columns_are_the_input_the_first_statistics_see() {
    let dir = tmpdir();
    let mut text = String::from("id,a,b,c\n");
    for i in 0..40 {
        let a = if i % 5 == 0 {
            String::new()
        } else {
            (i * 7 % 23).to_string()
        };
        text.push_str(&format!("{i},{a},{},{}.5\n", ["x", "y"][i % 2], i % 3));
    }
    let data = write(dir.path(), "d.csv", &text);
    let median_a = "  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: a}\n";
    let cases: &[(&str, String, &[&str])] = &[
        ("the median alone", median_a.into(), &["a"]),
        (
            "after a DELETE, with a second statistic",
            format!(
                "  - operation: DELETE\n    parameters: {{sourceColumns: [b]}}\n{median_a}\
                 \x20 - operation: FILL_WITH_AVERAGE\n    parameters: {{sourceColumn: c}}\n"
            ),
            &["a", "c"],
        ),
        (
            "after a step that writes the column",
            format!(
                "  - operation: FILL_WITH_CUSTOM\n    parameters: {{sourceColumn: a, value: '100'}}\n{median_a}"
            ),
            &[],
        ),
        (
            "after a step that drops rows",
            format!("  - operation: DELETE_DUPLICATE_ROWS\n    parameters: {{}}\n{median_a}"),
            &[],
        ),
        (
            "after a SORT",
            format!(
                "  - operation: SORT\n    parameters: {{expressions: '[{{\"sourceColumn\": \"a\", \"ordering\": \"DESCENDING\"}}]'}}\n{median_a}"
            ),
            &["a"],
        ),
        (
            "a renamed column",
            "  - operation: RENAME\n    parameters: {sourceColumn: a, targetColumn: n}\n  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: n}\n".into(),
            &[],
        ),
        (
            "a text column",
            "  - operation: FILL_WITH_MOST_FREQUENT\n    parameters: {sourceColumn: b}\n".into(),
            &[],
        ),
    ];
    for (case, steps, expected) in cases {
        let recipe = write(
            dir.path(),
            "r.yaml",
            &format!("name: held\nsteps:\n{steps}"),
        );
        let mut outputs = Vec::new();
        // Held (a limit every machine has room for), then streamed.
        for hold in ["1000000000", "0"] {
            let out = dir.path().join(format!("out{hold}.csv"));
            let (output, report) = run_holding(&recipe, &data, &out, hold);
            let held = in_memory(&report);
            let expected: &[&str] = if hold == "0" { &[] } else { expected };
            assert_eq!(held, expected, "{case}, holding {hold:?}");
            outputs.push(output);
        }
        assert_eq!(outputs[0], outputs[1], "{case}: the outputs differ");
    }
}

fn validate_schema(recipe: &str, dataset: &str) -> Vec<(String, String)> {
    let r = datacook(&["validate", recipe, "--dataset", dataset, "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    column_types(&v["output_schema"])
}

fn parquet_schema(path: &Path) -> Vec<(String, String)> {
    let mut lf = LazyFrame::scan_parquet(PlRefPath::new(path_str(path)), Default::default())
        .expect("scan output");
    lf.collect_schema()
        .expect("schema")
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

#[test]
fn every_bundled_recipe_validates_to_the_schema_it_runs_to() {
    let dir = tmpdir();
    for (recipe, dataset) in BUNDLED {
        let predicted = validate_schema(recipe, dataset);
        let out = dir.path().join("out.parquet");
        run_job(recipe, dataset, &path_str(&out), &["--quiet"]).ok();
        let written = parquet_schema(&out);
        // ONE_HOT_ENCODING's columns are known only once the data is read: validate holds
        // a placeholder where the run writes health_1..health_5.
        let placeholders: Vec<&str> = predicted
            .iter()
            .filter_map(|(n, _)| n.strip_suffix("<value>"))
            .collect();
        let mut predicted_known: Vec<_> = predicted
            .iter()
            .filter(|(n, _)| !n.ends_with("<value>"))
            .cloned()
            .collect();
        let mut written_known: Vec<_> = written
            .iter()
            .filter(|(n, _)| {
                predicted.iter().any(|(p, _)| p == n)
                    || !placeholders.iter().any(|p| n.starts_with(p))
            })
            .cloned()
            .collect();
        for prefix in &placeholders {
            let expanded: Vec<_> = written
                .iter()
                .filter(|(n, _)| n.starts_with(prefix) && !predicted.iter().any(|(p, _)| p == n))
                .collect();
            assert!(
                !expanded.is_empty(),
                "{recipe}: no {prefix}* column written"
            );
            assert!(
                expanded.iter().all(|(_, t)| t == "i32"),
                "{recipe}: {expanded:?}"
            );
        }
        predicted_known.sort();
        written_known.sort();
        assert_eq!(predicted_known, written_known, "{recipe} on {dataset}");
    }
}

#[test]
fn validate_applies_type_pins_as_run_does() {
    let dir = tmpdir();
    let csv = std::fs::read_to_string(root().join("datasets/students.csv")).unwrap();
    // One age that is not a number makes the column text, unless it is pinned.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let fields: Vec<&str> = lines[10].split(',').collect();
    let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    fields[11] = "1 7".into();
    lines[10] = fields.join(",");
    write(dir.path(), "students.csv", &(lines.join("\n") + "\n"));
    let pinned = write(
        dir.path(),
        "pinned.yaml",
        "path: students.csv\ntypes: {age: double}\n",
    );
    let unpinned = write(dir.path(), "unpinned.yaml", "path: students.csv\n");
    let recipe = "recipes/student-performance.yaml";
    let v = datacook(&["validate", recipe, "--dataset", &pinned]);
    v.ok();
    let out = dir.path().join("o.csv");
    run_job(recipe, &pinned, &path_str(&out), &["--quiet"]).ok();
    let output = path_str(&out);
    let validate: &[&str] = &["validate", recipe, "--dataset", &unpinned];
    let run: &[&str] = &["run", recipe, "--dataset", &unpinned, "--output", &output];
    for args in [validate, run] {
        let command = args[0];
        let r = datacook(args);
        assert_eq!(r.code, 2, "{command}: {}", r.stderr);
        assert!(
            r.stderr.contains("line 11 holds '1 7'") && r.stderr.contains("types: {age: double}"),
            "{command}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_csv_with_only_its_header_runs_to_an_empty_output_with_the_right_columns() {
    let dir = tmpdir();
    let header = std::fs::read_to_string(root().join("datasets/students.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let data = write(dir.path(), "empty.csv", &format!("{header}\n"));
    let recipe = "recipes/student-performance.json";
    datacook(&["validate", recipe, "--dataset", &data]).ok();
    let out = dir.path().join("o.csv");
    let r = run_job(recipe, &data, &path_str(&out), &["--json"]);
    r.ok();
    // No level of health, so no health_* column; every other column is there.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "school_id,student_id,study_time_in_hr,health,internet,country,year,gender,gender_mapped,age,marks\n"
    );
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let columns = report["dataset"]["columns"].as_array().unwrap();
    let age = columns.iter().find(|c| c["column"] == "age").unwrap();
    assert_eq!(age["source"], "no_values");
    assert_eq!(
        age["type"], "f64",
        "a step needs numbers, so a column without values gives them"
    );
}

#[test]
fn a_column_without_values_among_rows_takes_the_type_its_step_needs() {
    let dir = tmpdir();
    let data = write(dir.path(), "d.csv", "id,score\n1,\n2,\n");
    let recipe = write(
        dir.path(),
        "r.yaml",
        "steps:\n  - operation: FILL_WITH_MEDIAN\n    parameters: {sourceColumn: score}\n",
    );
    let out = dir.path().join("o.csv");
    run_job(&recipe, &data, &path_str(&out), &["--quiet"]).ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id,score\n1,\n2,\n");
}

/// This machine's name as datacook writes it into temporary file names.
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[test]
fn the_next_run_removes_temporary_files_of_killed_runs_only() {
    let dir = tmpdir();
    let out = dir.path().join("o.csv");
    let host = host();
    // A process id that cannot be running (above the kernel's limit), and this test's own.
    let dead = write(
        dir.path(),
        &format!(".o.csv.{host}-4294967.abc123.datacook-tmp"),
        "x",
    );
    let live = write(
        dir.path(),
        &format!(".o.csv.{host}-{}.def456.datacook-tmp", std::process::id()),
        "x",
    );
    let elsewhere = write(
        dir.path(),
        ".o.csv.otherbox-4294967.abc123.datacook-tmp",
        "x",
    );
    let other = write(
        dir.path(),
        &format!(".other.csv.{host}-4294967.abc123.datacook-tmp"),
        "x",
    );
    let partial_dir = dir
        .path()
        .join(format!(".o.csv.{host}-4294967.xyz789.datacook-tmp"));
    std::fs::create_dir(&partial_dir).unwrap();
    run_job(
        "recipes/student-performance.json",
        "datasets/students.yaml",
        &path_str(&out),
        &["--quiet"],
    )
    .ok();
    assert!(!Path::new(&dead).exists(), "debris of a killed run stays");
    assert!(!partial_dir.exists(), "a killed run's folder stays");
    assert!(
        Path::new(&live).exists(),
        "a live run's temporary file was removed"
    );
    assert!(
        Path::new(&elsewhere).exists(),
        "a recent file of another machine was removed"
    );
    assert!(
        Path::new(&other).exists(),
        "another output's file was removed"
    );
}

#[test]
fn a_run_killed_mid_write_leaves_debris_that_the_next_run_removes() {
    let dir = tmpdir();
    let (big, text) = big_csv(dir.path(), 500_000);
    let recipe = identity_recipe(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("o.csv");
    std::fs::write(&out, "id,a,b\n1,old,2\n").unwrap();
    let temps = || -> Vec<String> {
        files_in(&out_dir)
            .into_iter()
            .filter(|f| f.ends_with(".datacook-tmp"))
            .collect()
    };
    let out_path = path_str(&out);
    let args = ["run", &recipe, "--dataset", &big, "--output", &out_path];
    let hit = kill_while_writing(&args, &[], &|| !temps().is_empty());
    assert!(hit, "the killed run was not writing");
    assert_eq!(temps().len(), 1, "the killed run left no temporary file");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id,a,b\n1,old,2\n");
    run_job(&recipe, &big, &out_path, &["--quiet"]).ok();
    assert!(temps().is_empty(), "debris left: {:?}", temps());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}

/// An INNER or LEFT join's several matches for one left row keep the right side's order
/// (`ops::combine::Join`). Polars keeps only the left order unless asked; under load the
/// PostgreSQL join test (tests/sources/databases.rs) once saw two matches swap.
#[test]
fn a_rows_join_matches_keep_the_right_sides_order() {
    let dir = tmpdir();
    write(dir.path(), "left.csv", "id,name\n1,a\n2,b\n");
    let mut right = String::from("rid,n\n");
    for n in 0..5000 {
        right.push_str(&format!("{},{n}\n", 1 + n % 2));
    }
    write(dir.path(), "right.csv", &right);
    write(dir.path(), "scores.yaml", "name: scores\npath: right.csv\n");
    let dataset = path_str(&dir.path().join("left.csv"));
    for join in ["INNER_JOIN", "LEFT_JOIN"] {
        let recipe = write(
            dir.path(),
            "join.yaml",
            &format!(
                "name: j\nsteps:\n  - operation: JOIN\n    parameters:\n      \
                 secondaryDatasetName: scores\n      joinType: {join}\n      \
                 joinKeys: [{{key: id, value: rid}}]\n      rightColumns: [n]\n"
            ),
        );
        let out = dir.path().join("out.csv");
        let datasets = path_str(dir.path());
        run_job(
            &recipe,
            &dataset,
            &path_str(&out),
            &["--datasets-dir", &datasets, "--quiet"],
        )
        .ok();
        let mut expected = String::from("id,name,n\n");
        for (id, name, parity) in [(1, "a", 0), (2, "b", 1)] {
            for n in (parity..5000).step_by(2) {
                expected.push_str(&format!("{id},{name},{n}\n"));
            }
        }
        assert!(
            std::fs::read_to_string(&out).unwrap() == expected,
            "{join}: rows out of order"
        );
    }
}
