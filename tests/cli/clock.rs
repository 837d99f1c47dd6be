//! NOW, TODAY and the random operations: reproducible with `--now` and `--seed`, recorded in
//! the run report.

use crate::support::*;

const RECIPE: &str = r#"[
  {"Action": {"Operation": "NOW", "Parameters": {"targetColumn": "now"}}},
  {"Action": {"Operation": "TODAY", "Parameters": {"timeZone": "Asia/Tokyo", "targetColumn": "tokyo_today"}}},
  {"Action": {"Operation": "RANDOM", "Parameters": {"targetColumn": "r"}}},
  {"Action": {"Operation": "RANDOM_BETWEEN", "Parameters": {"lowerBound": "1", "upperBound": "6", "targetColumn": "die"}}},
  {"Action": {"Operation": "SHUFFLE_ROWS", "Parameters": {"sourceColumns": "[\"name\"]"}}}
]"#;

fn run_with(dir: &std::path::Path, out: &str, flags: &[&str]) -> (String, serde_json::Value) {
    let recipe = write(dir, "r.json", RECIPE);
    let rows: String = (0..50).map(|i| format!("{i},name{i}\n")).collect();
    let data = write(dir, "d.csv", &format!("id,name\n{rows}"));
    let out = path_str(&dir.join(out));
    let report = path_str(&dir.join(format!("{out}.json")));
    let mut args = vec!["--report", report.as_str(), "--quiet"];
    args.extend_from_slice(flags);
    run_job(&recipe, &data, &out, &args).ok();
    (
        std::fs::read_to_string(&out).unwrap(),
        read_json(std::path::Path::new(&report)),
    )
}

#[test]
fn the_same_now_and_seed_give_the_same_output() {
    let dir = tmpdir();
    let flags = ["--now", "2026-01-31T20:30:00Z", "--seed", "42"];
    let (a, report) = run_with(dir.path(), "a.csv", &flags);
    let (b, _) = run_with(dir.path(), "b.csv", &flags);
    assert_eq!(a, b);
    assert_eq!(report["clock"]["now"], "2026-01-31T20:30:00.000000Z");
    assert_eq!(report["clock"]["seed"], 42);
    let df = read_csv_text(&dir.path().join("a.csv"));
    assert_eq!(texts(&df, "now")[0], "2026-01-31T20:30:00.000000");
    // 20:30 UTC is already the next day in Tokyo.
    assert_eq!(texts(&df, "tokyo_today")[0], "2026-02-01");
    let dice: Vec<i64> = texts(&df, "die")
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    assert!(dice.iter().all(|d| (1..=6).contains(d)), "{dice:?}");
    assert!(dice.contains(&1) && dice.contains(&6), "{dice:?}");
    let names = texts(&df, "name");
    assert_ne!(
        names,
        (0..50).map(|i| format!("name{i}")).collect::<Vec<_>>()
    );
    let mut sorted = names.clone();
    sorted.sort();
    let mut expected: Vec<String> = (0..50).map(|i| format!("name{i}")).collect();
    expected.sort();
    assert_eq!(sorted, expected, "a shuffle keeps every value once");
    assert_eq!(texts(&df, "id")[7], "7", "other columns stay");
}

#[test]
fn another_seed_gives_other_random_values_and_the_default_seed_is_recorded() {
    let dir = tmpdir();
    let (a, _) = run_with(dir.path(), "a.csv", &["--now", "2026-01-31", "--seed", "1"]);
    let (b, _) = run_with(dir.path(), "b.csv", &["--now", "2026-01-31", "--seed", "2"]);
    assert_ne!(a, b);
    let (_, report) = run_with(dir.path(), "c.csv", &[]);
    assert!(report["clock"]["seed"].is_u64(), "{}", report["clock"]);
    assert!(report["clock"]["now"].as_str().unwrap().starts_with("20"));
}

#[test]
fn a_bad_now_is_an_argument_error() {
    let dir = tmpdir();
    let data = write(dir.path(), "d.csv", "a\n1\n");
    let recipe = write(dir.path(), "r.json", RECIPE);
    let out = path_str(&dir.path().join("o.csv"));
    let r = run_job(&recipe, &data, &out, &["--now", "yesterday"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("expected an ISO 8601 time"),
        "{}",
        r.stderr
    );
}

#[test]
fn shuffling_within_groups_keeps_every_value_in_its_group() {
    let dir = tmpdir();
    let recipe = write(
        dir.path(),
        "r.json",
        r#"[{"Action": {"Operation": "SHUFFLE_ROWS", "Parameters": {"sourceColumns": "[\"name\"]", "groupByColumns": "[\"g\"]"}}}]"#,
    );
    let rows: String = (0..40)
        .map(|i| {
            format!(
                "{},{}{i}\n",
                if i % 2 == 0 { "even" } else { "odd" },
                if i % 2 == 0 { "e" } else { "o" }
            )
        })
        .collect();
    let data = write(dir.path(), "d.csv", &format!("g,name\n{rows}"));
    let out = path_str(&dir.path().join("o.csv"));
    run_job(&recipe, &data, &out, &["--seed", "7", "--quiet"]).ok();
    let df = read_csv_text(&dir.path().join("o.csv"));
    let (groups, names) = (texts(&df, "g"), texts(&df, "name"));
    for (g, n) in groups.iter().zip(&names) {
        assert_eq!(&n[..1], &g[..1], "'{n}' left its group '{g}'");
    }
    let before: Vec<String> = (0..40)
        .map(|i| format!("{}{i}", if i % 2 == 0 { "e" } else { "o" }))
        .collect();
    assert_ne!(names, before, "the values moved");
    let mut sorted = names.clone();
    sorted.sort();
    let mut expected = before.clone();
    expected.sort();
    assert_eq!(sorted, expected, "every value is kept once");
}
