//! The two reference walkthroughs, end to end on the bundled data.

use crate::support::*;

fn run_student(
    recipe: &str,
    dir: &std::path::Path,
    name: &str,
) -> (std::path::PathBuf, serde_json::Value) {
    let out = dir.join(format!("{name}.csv"));
    let report = dir.join(format!("{name}.json"));
    datacook(&[
        "run",
        recipe,
        "--dataset",
        "datasets/students.yaml",
        "--output",
        &path_str(&out),
        "--report",
        &path_str(&report),
    ])
    .ok();
    (out.clone(), read_json(&report))
}

#[test]
fn student_walkthrough_reproduces_the_feature_table() {
    let dir = tmpdir();
    let (out, report) = run_student("recipes/student-performance.json", dir.path(), "json");
    let df = read_csv_text(&out);

    // Step 1 dropped three columns; steps 4 and 5 added gender_mapped and health_1..5.
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "school_id",
            "student_id",
            "study_time_in_hr",
            "health",
            "health_1",
            "health_2",
            "health_3",
            "health_4",
            "health_5",
            "internet",
            "country",
            "year",
            "gender",
            "gender_mapped",
            "age",
            "marks"
        ]
    );
    // 600 students, the two z > 3 outliers (students 250 and 451) removed.
    assert_eq!(df.height(), 598);
    let ids = texts(&df, "student_id");
    assert!(!ids.contains(&"250".to_string()) && !ids.contains(&"451".to_string()));
    assert_eq!(ids.len(), 598);

    // No nulls left in age; the three missing ages took the median, 17.
    let ages = texts(&df, "age");
    assert!(ages.iter().all(|a| !a.is_empty()));
    assert_eq!(&ages[..3], ["17", "17", "17"]);

    // gender_mapped: M -> 1, F -> 2.
    for (g, m) in texts(&df, "gender").iter().zip(texts(&df, "gender_mapped")) {
        assert_eq!(m, if g == "M" { "1" } else { "2" });
    }
    // Exactly one 1 per row among health_1..5, in the column of the row's level.
    let health = texts(&df, "health");
    let levels: Vec<Vec<String>> = (1..=5)
        .map(|l| texts(&df, &format!("health_{l}")))
        .collect();
    for (row, h) in health.iter().enumerate() {
        let ones: Vec<usize> = (0..5).filter(|l| levels[*l][row] == "1").collect();
        assert_eq!(ones, vec![h.parse::<usize>().unwrap() - 1], "row {row}");
    }

    // The run report says what each step computed.
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[1]["operation"], "FILL_WITH_MEDIAN");
    assert_eq!(steps[1]["stats"]["median"], 17.0);
    assert_eq!(steps[1]["stats"]["values_missing"], 3);
    assert_eq!(steps[2]["rows_in"], 600);
    assert_eq!(steps[2]["rows_out"], 598);
    assert_eq!(steps[2]["stats"]["outliers"], 2);
    let mean = steps[2]["stats"]["mean"].as_f64().unwrap();
    let sd = steps[2]["stats"]["sd"].as_f64().unwrap();
    assert!((mean - 5.158166666666666).abs() < 1e-12, "{mean}");
    assert!((sd - 2.6075529127024684).abs() < 1e-12, "{sd}");
    assert_eq!(report["output"]["rows"], 598);
    assert_eq!(report["dataset"]["rows"], 600);
}

#[test]
fn student_recipe_json_and_yaml_give_identical_bytes() {
    let dir = tmpdir();
    let (a, _) = run_student("recipes/student-performance.json", dir.path(), "a");
    let (b, report) = run_student("recipes/student-performance.yaml", dir.path(), "b");
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    // The YAML form maps the top value, found at run time.
    assert_eq!(report["steps"][3]["stats"]["top_values"]["M"], "1");
}

fn run_patients(recipe: &str, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let out = dir.join(format!("{name}.csv"));
    datacook(&[
        "run",
        recipe,
        "--dataset",
        "datasets/patients.yaml",
        "--output",
        &path_str(&out),
    ])
    .ok();
    out
}

#[test]
fn patient_walkthrough_flags_and_fans_out() {
    let dir = tmpdir();
    let out = run_patients("recipes/patients-data-quality.json", dir.path(), "p");
    let df = read_csv_text(&out);
    // 300 patients, 956 encounters; 25 patients have none: 956 + 25 rows.
    assert_eq!(df.height(), 981);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let pos = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert_eq!(pos("BIRTHDATE_flagged"), pos("BIRTHDATE") + 1);
    assert_eq!(pos("DRIVERS_flagged"), pos("DRIVERS") + 1);
    assert_eq!(&names[names.len() - 2..], ["PATIENT", "Patient_flagged"]);
    assert_eq!(names.len(), 25 + 3 + 1);

    let count = |col: &str, v: &str| texts(&df, col).iter().filter(|x| *x == v).count();
    // Flags are never null.
    for col in ["BIRTHDATE_flagged", "DRIVERS_flagged", "Patient_flagged"] {
        assert_eq!(count(col, "Yes") + count(col, "No"), 981, "{col}");
    }
    assert_eq!(count("BIRTHDATE_flagged", "No"), 43);
    assert_eq!(count("DRIVERS_flagged", "Yes"), 311);
    assert_eq!(count("Patient_flagged", "Yes"), 25);
    // A patient without encounters has exactly one row, with an empty PATIENT.
    for (p, f) in texts(&df, "PATIENT")
        .iter()
        .zip(texts(&df, "Patient_flagged"))
    {
        assert_eq!(p.is_empty(), f == "Yes");
    }
    // Search, not full match: every ISO date is valid; the malformed ones are not.
    for (b, f) in texts(&df, "BIRTHDATE")
        .iter()
        .zip(texts(&df, "BIRTHDATE_flagged"))
    {
        let iso = b.len() == 10
            && b.as_bytes()[4] == b'-'
            && (b.starts_with("19") || b.starts_with("20"));
        assert_eq!(f == "Yes", iso, "{b}");
    }
    // Leading zeros of ZIP codes survive.
    assert!(texts(&df, "ZIP").iter().any(|z| z.starts_with('0')));
}

#[test]
fn patient_recipe_json_and_yaml_give_identical_bytes() {
    let dir = tmpdir();
    let a = run_patients("recipes/patients-data-quality.json", dir.path(), "a");
    let b = run_patients("recipes/patients-data-quality.yaml", dir.path(), "b");
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn validate_accepts_both_walkthrough_recipes() {
    for (recipe, dataset, expected) in [
        (
            "recipes/student-performance.json",
            "datasets/students.yaml",
            "ok: 5 steps, 11 output columns plus health_* (one per value, known once the data is read)",
        ),
        (
            "recipes/student-performance.yaml",
            "datasets/students.yaml",
            "ok: 5 steps, 11 output columns plus health_* (one per value, known once the data is read)",
        ),
        (
            "recipes/patients-data-quality.json",
            "datasets/patients.yaml",
            "ok: 4 steps, 29 output columns",
        ),
        (
            "recipes/patients-data-quality.yaml",
            "datasets/patients.yaml",
            "ok: 4 steps, 29 output columns",
        ),
    ] {
        let r = datacook(&["validate", recipe, "--dataset", dataset]);
        r.ok();
        assert!(r.stdout.starts_with(expected), "{}", r.stdout);
    }
}
