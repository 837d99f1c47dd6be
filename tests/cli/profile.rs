//! The profile job end to end: DataBrew-shaped JSON on the bundled data, sampling,
//! configuration, profiling a recipe's output, and the HTML report in a real browser.

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn profile(args: &[&str]) -> (Run, serde_json::Value) {
    let dir = tmpdir();
    let out = dir.path().join("p.json");
    let mut all = vec!["profile"];
    all.extend_from_slice(args);
    let out_s = path_str(&out);
    all.extend_from_slice(&["--output", &out_s, "--quiet"]);
    let r = datacook(&all);
    let json = if out.exists() {
        read_json(&out)
    } else {
        serde_json::Value::Null
    };
    (r, json)
}

fn column<'a>(p: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    p["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn student_profile_has_databrew_statistics() {
    let (r, p) = profile(&["datasets/students.yaml"]);
    r.ok();
    assert_eq!(p["sampleSize"], 600);
    assert_eq!(p["duplicateRowsCount"], 0);
    assert_eq!(p["columns"].as_array().unwrap().len(), 13);
    // The walkthrough's facts: missing ages and two study-time outliers.
    let age = column(&p, "age");
    assert_eq!(age["type"], "long");
    assert_eq!(age["missingValuesCount"], 3);
    assert_eq!(age["median"], 17);
    let study = column(&p, "study_time_in_hr");
    assert_eq!(study["zScoreOutliersCount"], 2);
    assert_eq!(study["zScoreOutliersSample"], serde_json::json!([42.5, 38]));
    assert!((study["mean"].as_f64().unwrap() - 5.158166666666666).abs() < 1e-12);
    assert!((study["standardDeviation"].as_f64().unwrap() - 2.6075529127024684).abs() < 1e-12);
    // Independently computed (Python): linear percentiles, MAD, population moments.
    assert_eq!(study["percentile5"], 2.395);
    assert_eq!(study["median"], 5.1);
    assert!((study["skewness"].as_f64().unwrap() - 8.1898889643671).abs() < 1e-9);
    assert!((study["kurtosis"].as_f64().unwrap() - 109.76223612272597).abs() < 1e-9);
    assert!((study["entropy"].as_f64().unwrap() - 4.134274889407586).abs() < 1e-12);
    assert_eq!(study["uniqueValuesCount"], 9);
    assert_eq!(
        study["maximumValues"][0],
        serde_json::json!({"value": 42.5, "count": 1})
    );
    assert_eq!(
        study["minimumValues"][0],
        serde_json::json!({"value": 1.3, "count": 1})
    );
    let buckets = study["valueDistribution"].as_array().unwrap();
    assert_eq!(buckets.len(), 20);
    assert_eq!(buckets[19]["bucket"][1], "inf");
    assert_eq!(
        buckets
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .sum::<u64>(),
        600
    );
    assert_eq!(study["zScoreDistribution"][0]["bucket"][0], "-inf");
    // Text is profiled on lengths; its most common values are the values.
    let gender = column(&p, "gender");
    assert_eq!(gender["type"], "string");
    assert_eq!(
        gender["mostCommonValues"],
        serde_json::json!([{"value": "M", "count": 349}, {"value": "F", "count": 251}])
    );
    assert_eq!(gender["max"], 1);
    assert!(gender.get("sum").is_none(), "SUM is not a text statistic");
    // Pearson correlation: marks depend on study time in the generator.
    assert_eq!(study["correlations"]["study_time_in_hr"], 1);
    assert!(study["correlations"]["marks"].as_f64().unwrap() > 0.6);
    assert_eq!(p["datacook"]["formatVersion"], 1);
    assert_eq!(p["datacook"]["input"]["rows"], 600);
}

/// An integer key (every value distinct in the first rows) is counted by sorting its values,
/// not in a hash table: the statistics are the same exact ones.
#[test]
fn a_key_column_is_profiled_exactly() {
    let dir = tmpdir();
    let mut text = String::from("id,group\n");
    for i in 0..3000 {
        // 2999 distinct ids, one of them twice, and one missing.
        let id = match i {
            7 => String::new(),
            8 => "100".into(),
            _ => (i * 7 % 3000).to_string(),
        };
        text.push_str(&format!("{id},{}\n", i % 3));
    }
    let data = write(dir.path(), "keys.csv", &text);
    let (r, p) = profile(&[&data]);
    r.ok();
    let id = column(&p, "id");
    assert_eq!(id["missingValuesCount"], 1);
    assert_eq!(id["distinctValuesCount"], 2998);
    assert_eq!(id["uniqueValuesCount"], 2997);
    assert_eq!(
        id["mostCommonValues"][0],
        serde_json::json!({"value": 100, "count": 2})
    );
    let present: Vec<i64> = (0..3000i64)
        .filter(|i| *i != 7)
        .map(|i| if i == 8 { 100 } else { i * 7 % 3000 })
        .collect();
    let mean = present.iter().sum::<i64>() as f64 / present.len() as f64;
    assert!(
        (id["mean"].as_f64().unwrap() - mean).abs() < 1e-9,
        "{}",
        id["mean"]
    );
    assert_eq!(id["min"], 0);
    assert_eq!(id["max"], 2999);
}

#[test]
fn the_summary_has_one_row_per_column() {
    let r = datacook(&["profile", "datasets/students.yaml"]);
    r.ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "600 rows, 0 duplicate rows");
    assert_eq!(lines.len(), 2 + 13);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("age") && l.contains("0.50%")),
        "{}",
        r.stdout
    );
}

#[test]
fn samples_are_first_rows_or_a_seeded_random_set() {
    let (r, p) = profile(&["datasets/students.yaml", "--sample", "first:100"]);
    r.ok();
    assert_eq!(p["sampleSize"], 100);
    assert_eq!(column(&p, "student_id")["max"], 100);
    let (_, a) = profile(&["datasets/students.yaml", "--sample", "random:50:7"]);
    let (_, b) = profile(&["datasets/students.yaml", "--sample", "random:50:7"]);
    let (_, c) = profile(&["datasets/students.yaml", "--sample", "random:50:8"]);
    assert_eq!(a["sampleSize"], 50);
    assert_eq!(
        column(&a, "student_id")["mean"],
        column(&b, "student_id")["mean"]
    );
    assert_ne!(
        column(&a, "student_id")["mean"],
        column(&c, "student_id")["mean"]
    );
    let bad = datacook(&["profile", "datasets/students.yaml", "--sample", "some"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn configuration_selects_columns_statistics_and_parameters() {
    let dir = tmpdir();
    let cfg = dir.path().join("c.json");
    std::fs::write(
        &cfg,
        r#"{"ProfileColumns": [{"Name": "age"}, {"Regex": "^study"}],
            "DatasetStatisticsConfiguration": {"IncludedStatistics": ["DUPLICATE_ROWS_COUNT"]},
            "ColumnStatisticsConfigurations": [{
              "Selectors": [{"Regex": ".*"}],
              "Statistics": {"IncludedStatistics": ["MEAN", "VALUE_DISTRIBUTION", "OUTLIER_DETECTION"],
                             "Overrides": [{"Statistic": "VALUE_DISTRIBUTION", "Parameters": {"binNumber": "4"}},
                                           {"Statistic": "OUTLIER_DETECTION", "Parameters": {"threshold": "10"}}]}}]}"#,
    )
    .unwrap();
    let (r, p) = profile(&["datasets/students.yaml", "--config", &path_str(&cfg)]);
    r.ok();
    let names: Vec<&str> = p["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["study_time_in_hr", "age"]);
    let study = column(&p, "study_time_in_hr");
    assert_eq!(study["valueDistribution"].as_array().unwrap().len(), 4);
    assert_eq!(
        study["zScoreOutliersCount"], 2,
        "42.5 has |z| 14.3 and 38 has 12.6: both above 10"
    );
    assert!(study.get("median").is_none() && study.get("correlations").is_none());
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "ColumnStatisticsConfigurations:\n  - Statistics:\n      IncludedStatistics: [MEDAIN]\n",
    )
    .unwrap();
    let r = datacook(&[
        "profile",
        "datasets/students.yaml",
        "--config",
        &path_str(&bad),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean 'MEDIAN'?"), "{}", r.stderr);
}

#[test]
fn profiles_the_output_of_a_recipe() {
    let (r, p) = profile(&[
        "datasets/students.yaml",
        "--recipe",
        "recipes/student-performance.json",
    ]);
    r.ok();
    assert_eq!(p["sampleSize"], 598);
    assert_eq!(column(&p, "age")["missingValuesCount"], 0);
    assert_eq!(column(&p, "study_time_in_hr")["max"], 8.8);
    assert_eq!(column(&p, "health_3")["type"], "int");
}

/// Render the HTML report in headless Chromium: it loads, its script runs without errors,
/// and the charts are in the page.
#[test]
fn html_report_renders_in_a_browser() {
    let dir = tmpdir();
    let html = dir.path().join("p.html");
    datacook(&[
        "profile",
        "datasets/students.yaml",
        "--html",
        &path_str(&html),
        "-q",
    ])
    .ok();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        !text.contains("http://") && !text.contains("https://"),
        "the report must be self-contained"
    );
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Chromium is needed for this test: .ci/run installs it (apt-get install chromium)");
    let profile_dir = dir.path().join("chromium-profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let out = Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("data-rendered=\"ok\""),
        "page did not finish rendering: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dom.contains("data-errors="), "script errors in the page");
    let charts: usize = dom
        .split("data-charts=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // 13 missing bars in the overview, a heatmap, and per column histograms and bars.
    assert!(charts >= 13 + 1 + 13, "only {charts} charts");
    assert!(dom.contains("class=\"chart heatmap\""));
    let png = dir.path().join("p.png");
    Command::new(chromium)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1200,1600")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(
        std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 10_000,
        "no screenshot"
    );
}

#[test]
fn quiet_runs_print_nothing_but_problems() {
    let dir = tmpdir();
    let out = path_str(&dir.path().join("o.csv"));
    for args in [
        vec!["profile", "datasets/students.yaml", "-q"],
        vec![
            "run",
            "recipes/student-performance.json",
            "--dataset",
            "datasets/students.yaml",
            "-o",
            &out,
            "--quiet",
        ],
    ] {
        let r = datacook(&args);
        r.ok();
        assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""), "{args:?}");
    }
}
