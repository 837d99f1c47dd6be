//! The data-quality gate end to end: the walkthrough's patient scorecard on the bundled data,
//! the good/bad split, the reports, and the exit codes CI acts on.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::support::*;

const SCORECARD: &[&str] = &[
    "check",
    "datasets/patients.yaml",
    "--recipe",
    "recipes/patients-data-quality.yaml",
    "--rules",
    "profiles/patients-scorecard.yaml",
    "--quiet",
];

fn with(extra: &[&str]) -> Vec<String> {
    SCORECARD
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn run(args: &[String]) -> Run {
    datacook(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn patient_scorecard_passes_on_the_bundled_data() {
    let dir = tmpdir();
    let json = dir.path().join("dq.json");
    let r = run(&with(&["--json", &path_str(&json)]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("PASS  % Birthdate Invalid Year: 4.38% (43 of 981 rows)  (needs <= 5%)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("PASS  % Drivers Missing: 31.7% (311 of 981 rows)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("PASS  % Patients missing encounters: 2.55% (25 of 981 rows)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("PASS  % Bad records: 35.88% (352 of 981 rows)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with(
            "PASSED: 8 passed, 0 failed, 0 disabled (981 rows, ruleset patients-scorecard)\n"
        ),
        "{}",
        r.stdout
    );

    let report = read_json(&json);
    assert_eq!(report["sampleSize"], 981);
    assert_eq!(report["rulesetResults"][0]["status"], "SUCCEEDED");
    let metrics: BTreeMap<String, (u64, u64)> = report["datacook"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                (
                    m["numerator"].as_u64().unwrap(),
                    m["denominator"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(metrics["% Birthdate Invalid Year"], (43, 981));
    assert_eq!(metrics["% Drivers Missing"], (311, 981));
    assert_eq!(metrics["% Patients missing encounters"], (25, 981));
    assert_eq!(metrics["% Bad records"], (352, 981));
    let rules = report["rulesetResults"][0]["ruleResults"]
        .as_array()
        .unwrap();
    assert_eq!(rules[0]["failedCount"], 0);
    assert_eq!(
        rules[0]["definition"]["CheckExpression"],
        ":id is_not_missing"
    );
}

#[test]
fn good_and_bad_records_partition_the_rows() {
    let dir = tmpdir();
    let (good, bad) = (dir.path().join("good.csv"), dir.path().join("bad.csv"));
    let r = run(&with(&[
        "--good",
        &path_str(&good),
        "--bad",
        &path_str(&bad),
    ]));
    r.ok();
    let good = read_csv_text(&good);
    let bad = read_csv_text(&bad);
    assert_eq!((good.height(), bad.height()), (629, 352));
    for (df, flag) in [(&good, "Valid"), (&bad, "Invalid")] {
        assert!(texts(df, "DQ_Flag").iter().all(|f| f == flag));
    }
    // The walkthrough's predicates: good = birth year valid, licence present, has encounters.
    for row in 0..good.height() {
        assert_eq!(texts(&good, "BIRTHDATE_flagged")[row], "Yes");
        assert_eq!(texts(&good, "DRIVERS_flagged")[row], "No");
        assert_eq!(texts(&good, "Patient_flagged")[row], "No");
    }
    for row in 0..bad.height() {
        assert!(
            texts(&bad, "BIRTHDATE_flagged")[row] == "No"
                || texts(&bad, "DRIVERS_flagged")[row] == "Yes"
                || texts(&bad, "Patient_flagged")[row] == "Yes"
        );
    }
}

/// Worse data: every third patient loses a readable birth date.
fn worse_patients(dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join("datasets/patients.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 && i % 3 == 0 {
            let mut fields: Vec<&str> = line.splitn(3, ',').collect();
            fields[1] = "unknown";
            out.push_str(&fields.join(","));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    let p = dir.join("patients.csv");
    std::fs::write(&p, out).unwrap();
    path_str(&p)
}

#[test]
fn the_gate_fails_with_exit_1_when_the_data_gets_worse() {
    let dir = tmpdir();
    let data = worse_patients(dir.path());
    let junit = dir.path().join("dq.xml");
    let md = dir.path().join("dq.md");
    let args: Vec<String> = [
        "check",
        &data,
        "--recipe",
        "recipes/patients-data-quality.yaml",
        "--rules",
        "profiles/patients-scorecard.yaml",
        "--junit",
        &path_str(&junit),
        "--markdown",
        &path_str(&md),
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run(&args);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL  % Birthdate Invalid Year"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("FAIL  % Bad records"), "{}", r.stdout);
    assert!(r.stdout.contains("FAILED: "), "{}", r.stdout);

    let xml = std::fs::read_to_string(&junit).unwrap();
    let suite = validate_junit(&xml);
    assert_eq!(suite.tests, 8);
    assert_eq!(suite.failures, 2);
    assert!(
        suite
            .failure_messages
            .iter()
            .any(|m| m.contains("% Birthdate Invalid Year") && m.contains("needs <= 5%"))
    );

    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.starts_with("## Data quality: patients-scorecard: ❌ failed"),
        "{md}"
    );
    assert!(md.contains("| FAIL | % Birthdate Invalid Year |"), "{md}");
}

#[test]
fn failing_row_rules_carry_sample_rows_in_junit() {
    let dir = tmpdir();
    std::fs::write(dir.path().join("d.csv"), "id,size\n1,S\n2,XL\n3,M\n4,XXL\n").unwrap();
    std::fs::write(
        dir.path().join("r.json"),
        r#"{"Name": "sizes", "Rules": [
            {"Name": "known sizes", "CheckExpression": ":c in :l",
             "SubstitutionMap": {":c": "`size`", ":l": "[\"S\",\"M\",\"L\",\"XL\"]"},
             "Threshold": {"Value": 80, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}},
            {"Name": "off", "CheckExpression": ":c in :l", "Disabled": true,
             "SubstitutionMap": {":c": "`size`", ":l": "[\"S\"]"}}]}"#,
    )
    .unwrap();
    let junit = dir.path().join("j.xml");
    let r = datacook(&[
        "check",
        &path_str(&dir.path().join("d.csv")),
        "--rules",
        &path_str(&dir.path().join("r.json")),
        "--junit",
        &path_str(&junit),
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("FAIL  known sizes: 3 of 4 rows pass (75%)  (needs >= 80%)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("SKIP  off  (disabled)"), "{}", r.stdout);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let suite = validate_junit(&xml);
    assert_eq!((suite.tests, suite.failures, suite.skipped), (2, 1, 1));
    assert!(
        suite.failure_bodies[0].contains("id=4, size=XXL"),
        "{}",
        suite.failure_bodies[0]
    );
}

#[test]
fn invalid_rulesets_exit_2_naming_the_rule_and_position() {
    let dir = tmpdir();
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - name: broken\n    check: \":c >> :v\"\n    substitutionMap: {\":c\": \"`age`\", \":v\": \"3\"}\n  - name: typo\n    check: \":c > :v\"\n    substitutionMap: {\":c\": \"`agee`\", \":v\": \"3\"}\n",
    )
    .unwrap();
    let r = datacook(&[
        "check",
        "datasets/students.yaml",
        "--rules",
        &path_str(&rules),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("r.yaml:2:5") && r.stderr.contains("rule 'broken': position 5"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("rule 'typo'") && r.stderr.contains("did you mean 'age'?"),
        "{}",
        r.stderr
    );
    let r = datacook(&[
        "check",
        "datasets/students.yaml",
        "--rules",
        "profiles/nope.yaml",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read ruleset"), "{}", r.stderr);
}

#[test]
fn unreadable_data_exits_3() {
    let dir = tmpdir();
    let bad = dir.path().join("broken.parquet");
    std::fs::write(&bad, b"PAR1 this is not parquet").unwrap();
    let r = datacook(&[
        "check",
        &path_str(&bad),
        "--rules",
        "profiles/student-rules.json",
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_student_ruleset_passes_on_the_sample() {
    let r = datacook(&[
        "check",
        "datasets/students.yaml",
        "--rules",
        "profiles/student-rules.json",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("PASS  At most 5 missing ages: age: MISSING_VALUES_COUNT(age) = 3"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("PASS  Study-time outliers are rare: study_time_in_hr: Z_SCORE_OUTLIERS_COUNT(study_time_in_hr) = 2"), "{}", r.stdout);
}

struct Suite {
    tests: usize,
    failures: usize,
    skipped: usize,
    failure_messages: Vec<String>,
    failure_bodies: Vec<String>,
}

/// Validate a report against the common JUnit schema (testsuites > testsuite > testcase >
/// failure|skipped; required attributes; counts that match the elements).
fn validate_junit(xml: &str) -> Suite {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut attrs_of = BTreeMap::new();
    let (mut cases, mut failures, mut skipped) = (0, 0, 0);
    let mut failure_messages = Vec::new();
    let mut failure_bodies: Vec<String> = Vec::new();
    let mut in_failure = false;
    loop {
        let (e, empty) = match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Text(t) => {
                if in_failure && let Some(b) = failure_bodies.last_mut() {
                    b.push_str(&t.decode().unwrap());
                }
                continue;
            }
            Event::GeneralRef(r) => {
                if in_failure && let Some(b) = failure_bodies.last_mut() {
                    let entity = String::from_utf8(r.to_vec()).unwrap();
                    b.push_str(match entity.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "?",
                    });
                }
                continue;
            }
            Event::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "failure" {
                    in_failure = false;
                }
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let attrs: BTreeMap<String, String> = e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().to_string(),
                )
            })
            .collect();
        match (stack.last().map(String::as_str), name.as_str()) {
            (None, "testsuites") => {
                attrs_of.insert("testsuites", attrs);
            }
            (Some("testsuites"), "testsuite") => {
                for required in ["name", "tests", "failures", "errors"] {
                    assert!(attrs.contains_key(required), "testsuite needs {required}");
                }
                attrs_of.insert("testsuite", attrs);
            }
            (Some("testsuite"), "testcase") => {
                assert!(attrs.contains_key("name") && attrs.contains_key("classname"));
                cases += 1;
            }
            (Some("testcase"), "failure") => {
                assert!(attrs.contains_key("message"));
                failures += 1;
                failure_messages.push(attrs["message"].clone());
                failure_bodies.push(String::new());
                in_failure = !empty;
            }
            (Some("testcase"), "skipped") => skipped += 1,
            (p, n) => panic!("<{n}> is not allowed inside {p:?}"),
        }
        if !empty {
            stack.push(name);
        }
    }
    let suite = &attrs_of["testsuite"];
    let num = |k: &str| suite[k].parse::<usize>().unwrap();
    assert_eq!(num("tests"), cases, "tests attribute");
    assert_eq!(num("failures"), failures, "failures attribute");
    assert_eq!(num("skipped"), skipped, "skipped attribute");
    assert_eq!(attrs_of["testsuites"]["tests"], suite["tests"]);
    Suite {
        tests: cases,
        failures,
        skipped,
        failure_messages,
        failure_bodies,
    }
}
