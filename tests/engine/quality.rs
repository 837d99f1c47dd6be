//! Data-quality rulesets (reference §5): loading, check expressions, thresholds, aggregate
//! statistics, ColumnSelectors, metrics and flags, validation errors and the reports.

use datacook::Error;
use datacook::quality::eval::{self, Evaluation, RuleResult, Status};
use datacook::quality::report;
use datacook::quality::ruleset::{self, Ruleset, Threshold, ThresholdType, Unit};
use polars::prelude::*;
use serde_json::{Value as Json, json};

use crate::support::{assert_close, assert_mentions};

// ---- helpers --------------------------------------------------------------------------------

#[track_caller]
fn load(text: &str, file: &str) -> Ruleset {
    ruleset::load_str(text, file).unwrap_or_else(|e| panic!("ruleset failed to load:\n{e}"))
}

/// A DataBrew JSON ruleset with these rules.
#[track_caller]
fn json_rules(rules: Json) -> Ruleset {
    load(
        &json!({"Name": "rs", "Rules": rules}).to_string(),
        "rules.json",
    )
}

fn subs_map(subs: &[(&str, &str)]) -> Json {
    Json::Object(
        subs.iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

/// One rule named `r` with this check and substitution map.
#[track_caller]
fn one(check: &str, subs: &[(&str, &str)]) -> Ruleset {
    json_rules(json!([{"Name": "r", "CheckExpression": check, "SubstitutionMap": subs_map(subs)}]))
}

/// One rule with a threshold.
#[track_caller]
fn one_with_threshold(check: &str, subs: &[(&str, &str)], threshold: Json) -> Ruleset {
    json_rules(json!([{
        "Name": "r",
        "CheckExpression": check,
        "SubstitutionMap": subs_map(subs),
        "Threshold": threshold
    }]))
}

/// Validate (must succeed) and evaluate.
#[track_caller]
fn evaluate(rs: &Ruleset, df: &DataFrame) -> Evaluation {
    if let Err(e) = eval::validate(rs, df.schema()) {
        panic!("ruleset is invalid:\n{e}");
    }
    eval::evaluate(rs, &df.clone().lazy(), df.schema())
        .unwrap_or_else(|e| panic!("evaluation failed:\n{e}"))
}

/// The diagnostics `validate` reports (it must fail).
#[track_caller]
fn invalid(rs: &Ruleset, df: &DataFrame) -> Vec<datacook::Diagnostic> {
    match eval::validate(rs, df.schema()) {
        Err(Error::Invalid(d)) => d,
        Err(other) => panic!("expected Error::Invalid, got {other}"),
        Ok(w) => panic!("expected the ruleset to be invalid; warnings: {w:?}"),
    }
}

/// The full text of one diagnostic (message and help).
fn text_of(d: &datacook::Diagnostic) -> String {
    format!(
        "{} || help: {}",
        d.message,
        d.help.clone().unwrap_or_default()
    )
}

#[track_caller]
fn rule<'a>(ev: &'a Evaluation, name: &str) -> &'a RuleResult {
    ev.rules
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no rule '{name}' in {:?}", ev.rules))
}

/// The ids of the rows satisfying a one-rule check (through `bad_row_predicate`), cross-checked
/// with the counts `evaluate` reports.
#[track_caller]
fn passing(df: &DataFrame, check: &str, subs: &[(&str, &str)]) -> Vec<i64> {
    let rs = one(check, subs);
    let ev = evaluate(&rs, df);
    let bad = eval::bad_row_predicate(&rs, df.schema()).unwrap();
    let out = df
        .clone()
        .lazy()
        .filter(bad.not())
        .select([col("id")])
        .collect()
        .unwrap();
    let ids: Vec<i64> = out
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let r = &ev.rules[0];
    assert!(!r.aggregate, "{check} is a row-level check");
    assert_eq!(r.columns.len(), 1);
    assert_eq!(r.columns[0].passed, Some(ids.len() as u64), "{check}");
    assert_eq!(
        r.failed_count(),
        Some((df.height() - ids.len()) as u64),
        "{check}"
    );
    ids
}

/// An aggregate rule's status and the statistics it measured (one column result).
#[track_caller]
fn agg_result(
    df: &DataFrame,
    check: &str,
    subs: &[(&str, &str)],
) -> (Status, Vec<(String, Option<f64>)>) {
    let ev = evaluate(&one(check, subs), df);
    let r = &ev.rules[0];
    assert!(r.aggregate, "{check} is an aggregate check");
    assert_eq!(r.failed_count(), None);
    assert_eq!(r.columns.len(), 1);
    (r.status, r.columns[0].values.clone())
}

/// `AGG(:c, STAT[, :p])` measured on `column` equals `expected` (and the rule passes a tight
/// is_between around it).
#[track_caller]
fn assert_stat(df: &DataFrame, column: &str, stat: &str, param: Option<&str>, expected: f64) {
    let check = match param {
        Some(_) => format!("AGG(:c, {stat}, :p) is_between :lo and :hi"),
        None => format!("AGG(:c, {stat}) is_between :lo and :hi"),
    };
    let c = format!("`{column}`");
    let (lo, hi) = (
        format!("{}", expected - 1e-9),
        format!("{}", expected + 1e-9),
    );
    let mut subs = vec![
        (":c", c.as_str()),
        (":lo", lo.as_str()),
        (":hi", hi.as_str()),
    ];
    if let Some(p) = param {
        subs.push((":p", p));
    }
    let (status, values) = agg_result(df, &check, &subs);
    assert_eq!(values.len(), 1, "{values:?}");
    assert_eq!(values[0].0, format!("{stat}({column})"));
    let v = values[0]
        .1
        .unwrap_or_else(|| panic!("{stat}({column}) is null"));
    assert_close(v, expected);
    assert_eq!(status, Status::Succeeded, "{stat}({column}) = {v}");
}

/// Ids 1..8 with every kind of value the row-level checks care about.
///
/// | id | name   | age  | limit | size | code    | n | score |
/// |----|--------|------|-------|------|---------|---|-------|
/// | 1  | "ann"  | 30   | 40    | S    | "AB-12" | 5 | 1.5   |
/// | 2  | null   | 41   | 40    | M    | "ab-13" | 4 | 2.0   |
/// | 3  | ""     | null | 40    | XL   | "XY-99" | 5 | 6.0   |
/// | 4  | " "    | 25   | 20    | null | "AB"    | 1 | -3.0  |
/// | 5  | "bob"  | 9    | 10    | L    | null    | 3 | 10.0  |
/// | 6  | "Anna" | 30   | 30    | ""   | "QAB-1" | 6 | 2.0   |
/// | 7  | "carl" | 70   | null  | m    | "zz"    | 1 | 0.5   |
/// | 8  | "ann"  | 18   | 20    | S    | "A.B"   | 3 | 7.25  |
fn people() -> DataFrame {
    df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7, 8],
        "name" => [Some("ann"), None, Some(""), Some(" "), Some("bob"), Some("Anna"), Some("carl"), Some("ann")],
        "age" => [Some(30i64), Some(41), None, Some(25), Some(9), Some(30), Some(70), Some(18)],
        "limit" => [Some(40i64), Some(40), Some(40), Some(20), Some(10), Some(30), None, Some(20)],
        "size" => [Some("S"), Some("M"), Some("XL"), None, Some("L"), Some(""), Some("m"), Some("S")],
        "code" => [Some("AB-12"), Some("ab-13"), Some("XY-99"), Some("AB"), None, Some("QAB-1"), Some("zz"), Some("A.B")],
        "n" => [5i64, 4, 5, 1, 3, 6, 1, 3],
        "score" => [1.5f64, 2.0, 6.0, -3.0, 10.0, 2.0, 0.5, 7.25],
    )
    .unwrap()
}

/// Column statistics fixture (9 rows).
/// x: 2 4 null 4 4 5 5 7 9 — present 2,4,4,4,5,5,7,9 (n = 8, sum 40, mean 5).
/// t: "a" "bbb" "" null "cc" "  " "bbb" "dddd" "a" — present lengths 1,3,2,2,3,4,1.
/// e: all null.
fn numbers() -> DataFrame {
    df!(
        "x" => [Some(2i64), Some(4), None, Some(4), Some(4), Some(5), Some(5), Some(7), Some(9)],
        "t" => [Some("a"), Some("bbb"), Some(""), None, Some("cc"), Some("  "), Some("bbb"), Some("dddd"), Some("a")],
        "e" => [None::<f64>, None, None, None, None, None, None, None, None],
    )
    .unwrap()
}

/// 1000 rows, v = 0..999: `:c < :v` with v = 964 holds on exactly 964 rows (96.4 %).
fn thousand() -> DataFrame {
    df!("v" => (0..1000i64).collect::<Vec<_>>()).unwrap()
}

const LT_964: &[(&str, &str)] = &[(":c", "`v`"), (":v", "964")];

#[track_caller]
fn threshold_status(value: f64, kind: &str, unit: &str) -> RuleResult {
    let rs = one_with_threshold(
        ":c < :v",
        LT_964,
        json!({"Value": value, "Type": kind, "Unit": unit}),
    );
    evaluate(&rs, &thousand()).rules[0].clone()
}

// ---- 1. threshold semantics -----------------------------------------------------------------

#[test]
fn threshold_percentage_greater_than_or_equal() {
    // 964 of 1000 rows pass: 96.4 %.
    let r = threshold_status(95.0, "GREATER_THAN_OR_EQUAL", "PERCENTAGE");
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.columns[0].passed, Some(964));
    assert_eq!(r.columns[0].failed, Some(36));
    assert_close(r.columns[0].percentage.unwrap(), 96.4);
    assert_eq!(r.failed_count(), Some(36));
    assert_eq!(
        r.threshold,
        Some(Threshold {
            value: 95.0,
            kind: ThresholdType::GreaterThanOrEqual,
            unit: Unit::Percentage
        })
    );

    let r = threshold_status(100.0, "GREATER_THAN_OR_EQUAL", "PERCENTAGE");
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.failed_count(), Some(36));
    // The boundary itself passes a GREATER_THAN_OR_EQUAL threshold.
    assert_eq!(
        threshold_status(96.4, "GREATER_THAN_OR_EQUAL", "PERCENTAGE").status,
        Status::Succeeded
    );
    assert_eq!(
        threshold_status(96.5, "GREATER_THAN_OR_EQUAL", "PERCENTAGE").status,
        Status::Failed
    );
}

#[test]
fn threshold_count_units() {
    assert_eq!(
        threshold_status(964.0, "GREATER_THAN_OR_EQUAL", "COUNT").status,
        Status::Succeeded
    );
    assert_eq!(
        threshold_status(965.0, "GREATER_THAN_OR_EQUAL", "COUNT").status,
        Status::Failed
    );
    // A COUNT of 95 is met by 964 rows; as a percentage 964 would not be.
    assert_eq!(
        threshold_status(95.0, "GREATER_THAN_OR_EQUAL", "COUNT").status,
        Status::Succeeded
    );
    assert_eq!(
        threshold_status(964.0, "LESS_THAN_OR_EQUAL", "COUNT").status,
        Status::Succeeded
    );
    assert_eq!(
        threshold_status(963.0, "LESS_THAN_OR_EQUAL", "COUNT").status,
        Status::Failed
    );
}

#[test]
fn threshold_strict_boundaries() {
    // GREATER_THAN / LESS_THAN exclude the boundary, in both units.
    let cases = [
        (96.4, "GREATER_THAN", "PERCENTAGE", Status::Failed),
        (96.3, "GREATER_THAN", "PERCENTAGE", Status::Succeeded),
        (96.4, "LESS_THAN", "PERCENTAGE", Status::Failed),
        (96.5, "LESS_THAN", "PERCENTAGE", Status::Succeeded),
        (96.4, "LESS_THAN_OR_EQUAL", "PERCENTAGE", Status::Succeeded),
        (96.3, "LESS_THAN_OR_EQUAL", "PERCENTAGE", Status::Failed),
        (964.0, "GREATER_THAN", "COUNT", Status::Failed),
        (963.0, "GREATER_THAN", "COUNT", Status::Succeeded),
        (964.0, "LESS_THAN", "COUNT", Status::Failed),
        (965.0, "LESS_THAN", "COUNT", Status::Succeeded),
    ];
    for (value, kind, unit, expected) in cases {
        assert_eq!(
            threshold_status(value, kind, unit).status,
            expected,
            "{kind} {value} {unit}"
        );
    }
}

#[test]
fn without_threshold_every_row_must_pass() {
    let ev = evaluate(&one(":c < :v", LT_964), &thousand());
    let r = &ev.rules[0];
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.threshold, Some(Threshold::ALL_ROWS));
    assert_eq!(r.failed_count(), Some(36));
    assert!(!ev.passed());

    let ev = evaluate(
        &one(":c < :v", &[(":c", "`v`"), (":v", "1000")]),
        &thousand(),
    );
    assert_eq!(ev.rules[0].status, Status::Succeeded);
    assert_eq!(ev.rules[0].failed_count(), Some(0));
    assert_eq!(ev.rules[0].columns[0].percentage, Some(100.0));
    assert!(ev.passed());
    assert_eq!(ev.rows, 1000);
}

#[test]
fn databrew_report_example_length_rule_with_715_failures() {
    // Reference §5.3: `LENGTH(:col1) > :val1`, 715 of 20,000 rows fail (96.425 % pass).
    let values: Vec<&str> = (0..20_000)
        .map(|i| {
            if i % 28 == 0 && i / 28 < 715 {
                "ab"
            } else {
                "abcd"
            }
        })
        .collect();
    let df = df!("col" => values).unwrap();
    let subs = [(":col1", "`col`"), (":val1", "3")];
    let at = |value: f64| {
        let rs = one_with_threshold(
            "LENGTH(:col1) > :val1",
            &subs,
            json!({"Value": value, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}),
        );
        evaluate(&rs, &df).rules[0].clone()
    };
    let r = at(95.0);
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.failed_count(), Some(715));
    assert_close(r.columns[0].percentage.unwrap(), 96.425);
    let r = at(100.0);
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.failed_count(), Some(715));
}

#[test]
fn threshold_on_an_empty_dataset() {
    let df = df!("v" => Vec::<i64>::new()).unwrap();
    // No rows: nothing fails, so a percentage threshold holds; a count of passing rows of at
    // least 1 does not.
    let ev = evaluate(&one(":c < :v", LT_964), &df);
    assert_eq!(ev.rows, 0);
    assert_eq!(ev.rules[0].status, Status::Succeeded);
    assert_eq!(ev.rules[0].failed_count(), Some(0));
    assert_eq!(ev.rules[0].columns[0].percentage, None);
    let rs = one_with_threshold(
        ":c < :v",
        LT_964,
        json!({"Value": 1, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "COUNT"}),
    );
    assert_eq!(evaluate(&rs, &df).rules[0].status, Status::Failed);
}

#[test]
fn threshold_in_yaml_and_defaults() {
    let yaml = r#"
rules:
  - name: r
    checkExpression: ":c < :v"
    substitutionMap: {":c": "`v`", ":v": "964"}
    threshold: {value: 950, type: LESS_THAN, unit: COUNT}
  - name: only-value
    checkExpression: ":c < :v"
    substitutionMap: {":c": "`v`", ":v": "964"}
    threshold: {value: 96}
"#;
    let rs = load(yaml, "rules.yaml");
    // Type defaults to GREATER_THAN_OR_EQUAL and Unit to PERCENTAGE.
    assert_eq!(
        rs.rules[1].threshold,
        Some(Threshold {
            value: 96.0,
            kind: ThresholdType::GreaterThanOrEqual,
            unit: Unit::Percentage
        })
    );
    let ev = evaluate(&rs, &thousand());
    assert_eq!(rule(&ev, "r").status, Status::Failed); // 964 < 950 is false
    assert_eq!(rule(&ev, "only-value").status, Status::Succeeded); // 96.4 >= 96
}

// ---- 2. row-level checks --------------------------------------------------------------------

/// Regression: literals were compared as f64, so integers beyond 2^53 matched their
/// neighbours; booleans were compared as text, so "TRUE" matched nothing. Literals now take
/// the column's type, as recipe conditions do.
#[test]
fn literals_take_the_column_type_exact_integers_and_booleans() {
    let df = df!(
        "id" => [1i64, 2, 3],
        "big" => [9_007_199_254_740_992i64, 9_007_199_254_740_993, 5],
        "ok" => [true, false, true],
    )
    .unwrap();
    let big = |check: &str, v: &str| passing(&df, check, &[(":c", "`big`"), (":v", v)]);
    assert_eq!(big(":c == :v", "9007199254740993"), [2]);
    assert_eq!(big(":c in :v", "[9007199254740993]"), [2]);
    assert_eq!(big(":c < :v", "9007199254740993"), [1, 3]);
    let ok = |check: &str, v: &str| passing(&df, check, &[(":c", "`ok`"), (":v", v)]);
    assert_eq!(ok(":c == :v", "TRUE"), [1, 3]);
    assert_eq!(ok(":c in :v", r#"["TRUE"]"#), [1, 3]);
}

#[test]
fn numeric_comparisons_on_a_numeric_column() {
    let df = people();
    let age = |check: &str, v: &str| passing(&df, check, &[(":c", "`age`"), (":v", v)]);
    assert_eq!(age(":c > :v", "30"), [2, 7]);
    assert_eq!(age(":c >= :v", "30"), [1, 2, 6, 7]);
    assert_eq!(age(":c < :v", "30"), [4, 5, 8]);
    assert_eq!(age(":c <= :v", "30"), [1, 4, 5, 6, 8]);
    assert_eq!(age(":c == :v", "30"), [1, 6]);
    assert_eq!(age(":c = :v", "30"), [1, 6]);
    // The null age (id 3) satisfies neither == nor !=.
    assert_eq!(age(":c != :v", "30"), [2, 4, 5, 7, 8]);
    assert_eq!(age(":c <> :v", "30"), [2, 4, 5, 7, 8]);
    // Numerically, not as text ("30" > "9" is false as text).
    assert_eq!(age(":c > :v", "9"), [1, 2, 4, 6, 7, 8]);
    // The literal may stand on the left.
    assert_eq!(age(":v < :c", "30"), [2, 7]);
    assert_eq!(age(":c > :v", "30.5"), [2, 7]);
}

#[test]
fn numeric_comparisons_on_a_float_column() {
    let df = people();
    let score = |check: &str, v: &str| passing(&df, check, &[(":c", "`score`"), (":v", v)]);
    assert_eq!(score(":c >= :v", "2"), [2, 3, 5, 6, 8]);
    assert_eq!(score(":c < :v", "-1"), [4]);
    assert_eq!(score(":c == :v", "7.25"), [8]);
}

#[test]
fn column_against_column() {
    let df = people();
    let two = |check: &str, a: &str, b: &str| passing(&df, check, &[(":a", a), (":b", b)]);
    // A null on either side never satisfies (id 3: age null, id 7: limit null).
    assert_eq!(two(":a <= :b", "`age`", "`limit`"), [1, 5, 6, 8]);
    assert_eq!(two(":a > :b", "`age`", "`limit`"), [2, 4]);
    // Integer against float.
    assert_eq!(two(":a > :b", "`age`", "`score`"), [1, 2, 4, 6, 7, 8]);
    // Text against text compares as text (byte order: ' ' < 'A' < 'a').
    assert_eq!(two(":a < :b", "`name`", "`code`"), [3, 4, 6, 7]);
}

#[test]
fn textual_comparisons_on_a_text_column() {
    let df = people();
    let name = |check: &str, v: &str| passing(&df, check, &[(":c", "`name`"), (":v", v)]);
    // "ann", "", " ", "Anna", "ann" sort before "b"; "bob" does not; null never passes.
    assert_eq!(name(":c < :v", "b"), [1, 3, 4, 6, 8]);
    assert_eq!(name(":c >= :v", "b"), [5, 7]);
    // Case-sensitive equality: "Anna" is not "ann".
    assert_eq!(name(":c == :v", "ann"), [1, 8]);
    assert_eq!(name(":c != :v", "ann"), [3, 4, 5, 6, 7]);
}

#[test]
fn in_and_not_in_with_a_json_list() {
    let df = people();
    let size = |check: &str| {
        passing(
            &df,
            check,
            &[(":c", "`size`"), (":list", r#"["S","M","L"]"#)],
        )
    };
    assert_eq!(size(":c IN :list"), [1, 2, 5, 8]);
    assert_eq!(size(":c in :list"), [1, 2, 5, 8]);
    // Null (id 4) is in neither; "" (id 6) and "m" (id 7) are not in the list.
    assert_eq!(size(":c NOT IN :list"), [3, 6, 7]);
    assert_eq!(size(":c not in :list"), [3, 6, 7]);
    assert_eq!(size(":c !in :list"), [3, 6, 7]);
}

#[test]
fn in_on_a_numeric_column_compares_numbers() {
    let df = people();
    let age = |check: &str, list: &str| passing(&df, check, &[(":c", "`age`"), (":l", list)]);
    assert_eq!(age(":c in :l", "[30, 18]"), [1, 6, 8]);
    assert_eq!(age(":c in :l", r#"["30","18.0"]"#), [1, 6, 8]);
    assert_eq!(age(":c not in :l", "[30, 18]"), [2, 4, 5, 7]);
}

#[test]
fn starts_with_and_its_negations() {
    let df = people();
    let code = |check: &str| passing(&df, check, &[(":c", "`code`"), (":p", "AB")]);
    // Case-sensitive: "ab-13" does not start with "AB"; null (id 5) never passes.
    assert_eq!(code(":c starts_with :p"), [1, 4]);
    assert_eq!(code(":c STARTS_WITH :p"), [1, 4]);
    assert_eq!(code(":c !starts_with :p"), [2, 3, 6, 7, 8]);
    assert_eq!(code(":c not starts_with :p"), [2, 3, 6, 7, 8]);
    assert_eq!(code(":c NOT STARTS_WITH :p"), [2, 3, 6, 7, 8]);
}

#[test]
fn ends_with_and_contains_take_the_value_literally() {
    let df = people();
    let code = |check: &str, p: &str| passing(&df, check, &[(":c", "`code`"), (":p", p)]);
    assert_eq!(code(":c ends_with :p", "B"), [4, 8]);
    assert_eq!(code(":c !ends_with :p", "B"), [1, 2, 3, 6, 7]);
    assert_eq!(code(":c contains :p", "AB"), [1, 4, 6]);
    // "." is a plain character for contains, not a regex wildcard.
    assert_eq!(code(":c contains :p", "."), [8]);
    assert_eq!(code(":c not contains :p", "."), [1, 2, 3, 4, 6, 7]);
    assert_eq!(code(":c CONTAINS :p", "-1"), [1, 2, 6]);
}

#[test]
fn matches_searches_the_regex_anywhere() {
    let df = people();
    let code = |check: &str, p: &str| passing(&df, check, &[(":c", "`code`"), (":p", p)]);
    assert_eq!(code(":c matches :p", "[0-9]{2}$"), [1, 2, 3]);
    // Unanchored: found in the middle of "AB-12" and at the end of "QAB-1".
    assert_eq!(code(":c matches :p", "B-1"), [1, 6]);
    assert_eq!(code(":c matches :p", "^AB"), [1, 4]);
    assert_eq!(code(":c matches :p", "."), [1, 2, 3, 4, 6, 7, 8]);
    assert_eq!(code(":c matches :p", "(?i)^ab"), [1, 2, 4]);
    assert_eq!(code(":c !matches :p", "[0-9]"), [4, 7, 8]);
    assert_eq!(code(":c MATCHES :p", "^[A-Z]{2}-[0-9]+$"), [1, 3]);
}

#[test]
fn is_between_is_inclusive() {
    let df = people();
    let subs = [(":c", "`age`"), (":lo", "25"), (":hi", "41")];
    assert_eq!(
        passing(&df, ":c is_between :lo and :hi", &subs),
        [1, 2, 4, 6]
    );
    assert_eq!(
        passing(&df, ":c IS_BETWEEN :lo AND :hi", &subs),
        [1, 2, 4, 6]
    );
    assert_eq!(
        passing(&df, ":c IS BETWEEN :lo AND :hi", &subs),
        [1, 2, 4, 6]
    );
    assert_eq!(
        passing(&df, ":c is between :lo and :hi", &subs),
        [1, 2, 4, 6]
    );
    // Null age (id 3) is neither between nor not between.
    assert_eq!(
        passing(&df, ":c not is_between :lo and :hi", &subs),
        [5, 7, 8]
    );
    let score = [(":c", "`score`"), (":lo", "0.5"), (":hi", "2")];
    assert_eq!(
        passing(&df, ":c is_between :lo and :hi", &score),
        [1, 2, 6, 7]
    );
}

#[test]
fn is_between_with_column_bounds_and_text() {
    let df = people();
    // n <= age <= limit row by row.
    let subs = [(":c", "`age`"), (":lo", "`n`"), (":hi", "`limit`")];
    assert_eq!(
        passing(&df, ":c is_between :lo and :hi", &subs),
        [1, 5, 6, 8]
    );
    // Text bounds compare as text: "ann" is between "a" and "b"; "Anna" and "bob" are not.
    let subs = [(":c", "`name`"), (":lo", "a"), (":hi", "b")];
    assert_eq!(passing(&df, ":c is_between :lo and :hi", &subs), [1, 8]);
}

#[test]
fn length_comparisons() {
    let df = people();
    // name lengths: 3, null, 0, 1, 3, 4, 4, 3
    let name = |check: &str, subs: &[(&str, &str)]| {
        let mut all = vec![(":c", "`name`")];
        all.extend_from_slice(subs);
        passing(&df, check, &all)
    };
    assert_eq!(name("length(:c) > :v", &[(":v", "3")]), [6, 7]);
    assert_eq!(name("LENGTH(:c) == :v", &[(":v", "3")]), [1, 5, 8]);
    assert_eq!(
        name(
            "Length(:c) is_between :a and :b",
            &[(":a", "1"), (":b", "3")]
        ),
        [1, 4, 5, 8]
    );
    // Column against column: length(code) <= n. code lengths 5,5,5,2,null,5,2,3.
    assert_eq!(
        passing(
            &df,
            "length(:c1) <= :c2",
            &[(":c1", "`code`"), (":c2", "`n`")]
        ),
        [1, 3, 6, 8]
    );
}

#[test]
fn is_missing_means_null_or_empty_text() {
    let df = people();
    let check = |c: &str, check: &str| passing(&df, check, &[(":c", c)]);
    // Null (id 2) and "" (id 3) are missing; " " (id 4) is not.
    assert_eq!(check("`name`", ":c is_missing"), [2, 3]);
    assert_eq!(check("`name`", ":c is_not_missing"), [1, 4, 5, 6, 7, 8]);
    assert_eq!(check("`size`", ":c IS_MISSING"), [4, 6]);
    assert_eq!(check("`age`", ":c is_missing"), [3]);
    assert_eq!(check("`score`", ":c is_missing"), Vec::<i64>::new());
}

#[test]
fn and_or_and_parentheses() {
    let df = people();
    let subs = [
        (":c", "`code`"),
        (":p1", "AB"),
        (":p2", "XY"),
        (":a", "`age`"),
        (":v", "26"),
    ];
    // starts with AB or XY: 1, 3, 4; age > 26: 1, 2, 6, 7 (3 is null).
    assert_eq!(
        passing(
            &df,
            "(:c starts_with :p1 or :c starts_with :p2) and :a > :v",
            &subs
        ),
        [1]
    );
    // `and` binds tighter than `or`: AB or (XY and age > 26).
    assert_eq!(
        passing(
            &df,
            ":c starts_with :p1 or :c starts_with :p2 and :a > :v",
            &subs
        ),
        [1, 4]
    );
}

#[test]
fn or_with_a_null_operand_is_decided_by_the_other_side() {
    let df = people();
    let subs = [
        (":a", "`age`"),
        (":v", "60"),
        (":s", "`score`"),
        (":w", "5"),
    ];
    // id 3: age null, score 6 → passes through the score.
    assert_eq!(passing(&df, ":a > :v or :s > :w", &subs), [3, 5, 7, 8]);
    let subs = [
        (":a", "`age`"),
        (":v", "100"),
        (":s", "`score`"),
        (":w", "5"),
    ];
    // id 3 fails: its age is null.
    assert_eq!(passing(&df, ":a < :v and :s > :w", &subs), [5, 8]);
}

#[test]
fn not_negates_a_group() {
    let df = people();
    let subs = [(":a", "`age`"), (":v", "26")];
    // Double negation is the check itself.
    assert_eq!(
        passing(&df, "NOT (NOT (:a > :v))", &subs),
        passing(&df, ":a > :v", &subs)
    );
    assert_eq!(passing(&df, ":a > :v", &subs), [1, 2, 6, 7]);
    assert_eq!(
        passing(&df, "not (:a is_missing)", &[(":a", "`age`")]),
        [1, 2, 4, 5, 6, 7, 8]
    );
}

#[test]
fn not_is_never_satisfied_by_a_null() {
    let df = people();
    let subs = [(":a", "`age`"), (":v", "26")];
    // id 3 has no age: `age > 26` cannot be evaluated, nor can its negation. It must not
    // pass, as it does not pass `age <= 26` or `age NOT IN [...]`.
    assert_eq!(passing(&df, ":a <= :v", &subs), [4, 5, 8]);
    assert_eq!(passing(&df, "not (:a > :v)", &subs), [4, 5, 8]);
    assert_eq!(passing(&df, "!(:a > :v)", &subs), [4, 5, 8]);
    // `not :c starts_with :p` must agree with `:c not starts_with :p` (null code, id 5).
    let subs = [(":c", "`code`"), (":p", "AB")];
    assert_eq!(
        passing(&df, "not :c starts_with :p", &subs),
        passing(&df, ":c not starts_with :p", &subs)
    );
    // Same for a statistic that is null (a column without values).
    let empty = numbers();
    let subs = [(":c", "`e`"), (":v", "5")];
    assert_eq!(
        agg_result(&empty, "AGG(:c, MEAN) <= :v", &subs).0,
        Status::Failed
    );
    assert_eq!(
        agg_result(&empty, "not (AGG(:c, MEAN) > :v)", &subs).0,
        Status::Failed
    );
}

#[test]
fn keywords_are_case_insensitive() {
    let df = people();
    let subs = [
        (":s", "`size`"),
        (":list", r#"["S","M","L"]"#),
        (":a", "`age`"),
        (":lo", "25"),
        (":hi", "41"),
        (":n", "`n`"),
        (":k", "1"),
    ];
    // size in list: 1,2,5,8; age in 25..41: 1,2,4,6; n == 1: 4,7.
    let expected = [1, 2];
    assert_eq!(
        passing(
            &df,
            ":s in :list and (:a is_between :lo and :hi or :n == :k)",
            &subs
        ),
        expected
    );
    assert_eq!(
        passing(
            &df,
            ":s In :list AnD (:a Is_Between :lo AND :hi OR :n == :k)",
            &subs
        ),
        expected
    );
    assert_eq!(
        passing(
            &df,
            ":s IN :list AND (:a IS BETWEEN :lo AND :hi Or :n == :k)",
            &subs
        ),
        expected
    );
}

#[test]
fn inline_columns_and_quoted_literals() {
    // datacook extension: `column` and 'text' inline.
    let df = people();
    assert_eq!(passing(&df, "`code` starts_with 'AB'", &[]), [1, 4]);
    assert_eq!(passing(&df, "`age` >= 30 and `name` == \"ann\"", &[]), [1]);
}

// ---- 3. aggregate checks --------------------------------------------------------------------

fn dups() -> DataFrame {
    // (1,x) (1,x) (2,y) (1,x) (3,x) (2,z): rows 2 and 4 repeat row 1.
    df!(
        "a" => [1i64, 1, 2, 1, 3, 2],
        "b" => ["x", "x", "y", "x", "x", "z"],
    )
    .unwrap()
}

#[test]
fn dataset_statistics() {
    let df = dups();
    let v = |x: &str| vec![(":v", x.to_string())];
    let run = |check: &str, x: &str| {
        let subs = v(x);
        let subs: Vec<(&str, &str)> = subs.iter().map(|(a, b)| (*a, b.as_str())).collect();
        agg_result(&df, check, &subs)
    };
    let one_value = |name: &str, value: f64| vec![(name.to_string(), Some(value))];

    assert_eq!(
        run("AGG(ROWS_COUNT) == :v", "6"),
        (Status::Succeeded, one_value("ROWS_COUNT", 6.0))
    );
    assert_eq!(
        run("AGG(ROWS_COUNT) > :v", "6"),
        (Status::Failed, one_value("ROWS_COUNT", 6.0))
    );
    assert_eq!(
        run("agg(rows_count) >= :v", "6"),
        (Status::Succeeded, one_value("ROWS_COUNT", 6.0))
    );
    assert_eq!(
        run("AGG(COLUMNS_COUNT) == :v", "2"),
        (Status::Succeeded, one_value("COLUMNS_COUNT", 2.0))
    );
    assert_eq!(
        run("AGG(DUPLICATE_ROWS_COUNT) == :v", "2"),
        (Status::Succeeded, one_value("DUPLICATE_ROWS_COUNT", 2.0))
    );
    assert_eq!(run("AGG(DUPLICATE_ROWS_COUNT) < :v", "2").0, Status::Failed);
    let (status, values) = run("AGG(DUPLICATE_ROWS_PERCENTAGE) < :v", "34");
    assert_eq!(status, Status::Succeeded);
    assert_eq!(values[0].0, "DUPLICATE_ROWS_PERCENTAGE");
    assert_close(values[0].1.unwrap(), 200.0 / 6.0);
    assert_eq!(
        run("AGG(DUPLICATE_ROWS_PERCENTAGE) < :v", "33").0,
        Status::Failed
    );
}

#[test]
fn duplicate_rows_treat_nulls_as_equal() {
    // (null, x) repeats (null, x); (1, x) and (null, y) are new.
    let df = df!(
        "a" => [None, None, Some(1i64), None],
        "b" => ["x", "x", "x", "y"],
    )
    .unwrap();
    assert_eq!(
        agg_result(&df, "AGG(DUPLICATE_ROWS_COUNT) == :v", &[(":v", "1")]),
        (
            Status::Succeeded,
            vec![("DUPLICATE_ROWS_COUNT".to_string(), Some(1.0))]
        )
    );
}

#[test]
fn duplicate_rows_treat_empty_text_and_null_as_the_same_missing_value() {
    // DELETE_DUPLICATE_ROWS removes ("", 1) as a repeat of (null, 1) (both missing, see
    // rows.rs); the statistic must count the row it would remove.
    let df = df!(
        "a" => [None, Some(""), Some("z")],
        "b" => [1i64, 1, 1],
    )
    .unwrap();
    let deduplicated = crate::support::run("  - operation: DELETE_DUPLICATE_ROWS\n", df.clone());
    assert_eq!(deduplicated.height(), 2);
    assert_eq!(
        agg_result(&df, "AGG(DUPLICATE_ROWS_COUNT) == :v", &[(":v", "1")]),
        (
            Status::Succeeded,
            vec![("DUPLICATE_ROWS_COUNT".to_string(), Some(1.0))]
        )
    );
}

#[test]
fn dataset_statistics_without_duplicates_and_on_an_empty_frame() {
    let df = df!("a" => [1i64, 2, 3]).unwrap();
    assert_eq!(
        agg_result(&df, "AGG(DUPLICATE_ROWS_COUNT) == :v", &[(":v", "0")]),
        (
            Status::Succeeded,
            vec![("DUPLICATE_ROWS_COUNT".to_string(), Some(0.0))]
        )
    );
    let empty = df!("a" => Vec::<i64>::new(), "b" => Vec::<&str>::new()).unwrap();
    assert_eq!(
        agg_result(&empty, "AGG(ROWS_COUNT) == :v", &[(":v", "0")]),
        (
            Status::Succeeded,
            vec![("ROWS_COUNT".to_string(), Some(0.0))]
        )
    );
    assert_eq!(
        agg_result(&empty, "AGG(COLUMNS_COUNT) == :v", &[(":v", "2")]).0,
        Status::Succeeded
    );
}

#[test]
fn missing_valid_distinct_unique_duplicate_counts_of_a_numeric_column() {
    let df = numbers();
    // x: 2 4 null 4 4 5 5 7 9 (9 rows, 8 present)
    assert_stat(&df, "x", "MISSING_VALUES_COUNT", None, 1.0);
    assert_stat(&df, "x", "MISSING_VALUES_PERCENTAGE", None, 100.0 / 9.0);
    assert_stat(&df, "x", "VALID_VALUES_COUNT", None, 8.0);
    assert_stat(&df, "x", "VALID_VALUES_PERCENTAGE", None, 800.0 / 9.0);
    // distinct: 2, 4, 5, 7, 9
    assert_stat(&df, "x", "DISTINCT_VALUES_COUNT", None, 5.0);
    assert_stat(&df, "x", "DISTINCT_VALUES_PERCENTAGE", None, 500.0 / 9.0);
    // repeats of an earlier value: 4, 4, 5
    assert_stat(&df, "x", "DUPLICATE_VALUES_COUNT", None, 3.0);
    assert_stat(&df, "x", "DUPLICATE_VALUES_PERCENTAGE", None, 300.0 / 9.0);
}

#[test]
fn counts_of_a_text_column_treat_empty_text_as_missing() {
    let df = numbers();
    // t: "a" "bbb" "" null "cc" "  " "bbb" "dddd" "a": "" and null missing, "  " present.
    assert_stat(&df, "t", "MISSING_VALUES_COUNT", None, 2.0);
    assert_stat(&df, "t", "MISSING_VALUES_PERCENTAGE", None, 200.0 / 9.0);
    assert_stat(&df, "t", "VALID_VALUES_COUNT", None, 7.0);
    // Values, not lengths: "a", "bbb", "cc", "  ", "dddd" (lengths would give 4 distinct).
    assert_stat(&df, "t", "DISTINCT_VALUES_COUNT", None, 5.0);
    assert_stat(&df, "t", "DUPLICATE_VALUES_COUNT", None, 2.0);
}

/// Entropy of x's present values: frequencies 2:1 4:3 5:2 7:1 9:1 of 8, H = −Σ p ln p.
fn entropy_x() -> f64 {
    -(3.0 * (1.0f64 / 8.0) * (1.0f64 / 8.0).ln()
        + (3.0f64 / 8.0) * (3.0f64 / 8.0).ln()
        + (2.0f64 / 8.0) * (2.0f64 / 8.0).ln())
}

/// Entropy of t's present values (not lengths): a:2 bbb:2 cc:1 "  ":1 dddd:1 of 7.
fn entropy_t() -> f64 {
    -(2.0 * (2.0f64 / 7.0) * (2.0f64 / 7.0).ln() + 3.0 * (1.0f64 / 7.0) * (1.0f64 / 7.0).ln())
}

#[test]
fn unique_values_and_entropy_of_complete_columns() {
    // x and t of `numbers()` without their missing values.
    let df = df!(
        "x" => [2i64, 4, 4, 4, 5, 5, 7, 9],
        "t" => ["a", "bbb", "cc", "  ", "bbb", "dddd", "a", "a"],
    )
    .unwrap();
    // exactly once: 2, 7, 9 / "cc", "  ", "dddd"
    assert_stat(&df, "x", "UNIQUE_VALUES_COUNT", None, 3.0);
    assert_stat(&df, "x", "UNIQUE_VALUES_PERCENTAGE", None, 300.0 / 8.0);
    assert_stat(&df, "t", "UNIQUE_VALUES_COUNT", None, 3.0);
    assert_close(entropy_x(), 1.4941751382893083);
    assert_stat(&df, "x", "ENTROPY", None, entropy_x());
    // t here: a:3 bbb:2 cc:1 "  ":1 dddd:1 of 8
    let h = -((3.0f64 / 8.0) * (3.0f64 / 8.0).ln()
        + (2.0f64 / 8.0) * (2.0f64 / 8.0).ln()
        + 3.0 * (1.0f64 / 8.0) * (1.0f64 / 8.0).ln());
    assert_stat(&df, "t", "ENTROPY", None, h);
}

#[test]
fn unique_values_and_entropy_skip_missing_values() {
    let df = numbers();
    // x present: 2 4 4 4 5 5 7 9 → exactly once: 2, 7, 9 (of 9 rows)
    assert_stat(&df, "x", "UNIQUE_VALUES_COUNT", None, 3.0);
    assert_stat(&df, "x", "UNIQUE_VALUES_PERCENTAGE", None, 300.0 / 9.0);
    assert_stat(&df, "x", "ENTROPY", None, entropy_x());
    // t present: "a" "bbb" "cc" "  " "bbb" "dddd" "a" → exactly once: "cc", "  ", "dddd"
    assert_stat(&df, "t", "UNIQUE_VALUES_COUNT", None, 3.0);
    assert_stat(&df, "t", "ENTROPY", None, entropy_t());
}

#[test]
fn value_distribution_statistics_of_a_numeric_column() {
    let df = numbers();
    // present: 2 4 4 4 5 5 7 9
    assert_stat(&df, "x", "MIN", None, 2.0);
    assert_stat(&df, "x", "MAX", None, 9.0);
    assert_stat(&df, "x", "SUM", None, 40.0);
    assert_stat(&df, "x", "MEAN", None, 5.0);
    // even count: (4 + 5) / 2
    assert_stat(&df, "x", "MEDIAN", None, 4.5);
    assert_stat(&df, "x", "MODE", None, 4.0);
    // squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32 / 7
    assert_stat(&df, "x", "VARIANCE", None, 32.0 / 7.0);
    assert_stat(&df, "x", "STANDARD_DEVIATION", None, (32.0f64 / 7.0).sqrt());
    // |x - 4.5|: 2.5 .5 .5 .5 .5 .5 2.5 4.5 → median 0.5
    assert_stat(&df, "x", "MEDIAN_ABSOLUTE_DEVIATION", None, 0.5);
}

#[test]
fn quantiles_interpolate_linearly() {
    let df = numbers();
    // sorted 2 4 4 4 5 5 7 9 (indices 0..7)
    // q 0.75: position 5.25 → 5 + 0.25 · (7 − 5) = 5.5
    assert_stat(&df, "x", "QUANTILE", Some("0.75"), 5.5);
    // q 0.25: position 1.75 → 4 + 0.75 · (4 − 4) = 4
    assert_stat(&df, "x", "QUANTILE", Some("0.25"), 4.0);
    // q 0.5 is the median
    assert_stat(&df, "x", "QUANTILE", Some("0.5"), 4.5);
    // q 0.9: position 6.3 → 7 + 0.3 · (9 − 7) = 7.6
    assert_stat(&df, "x", "QUANTILE", Some("0.9"), 7.6);
}

#[test]
fn skewness_and_kurtosis() {
    let df = numbers();
    // deviations −3 −1 −1 −1 0 0 2 4: m2 = 32/8 = 4, m3 = 42/8 = 5.25, m4 = 356/8 = 44.5
    // skewness = m3 / m2^1.5 = 5.25 / 8; excess kurtosis = m4 / m2² − 3 = 44.5 / 16 − 3
    assert_stat(&df, "x", "SKEWNESS", None, 0.65625);
    assert_stat(&df, "x", "KURTOSIS", None, -0.21875);
}

#[test]
fn text_columns_are_measured_by_length() {
    let df = numbers();
    // present lengths: 1 3 2 2 3 4 1 → sorted 1 1 2 2 3 3 4, sum 16
    assert_stat(&df, "t", "MIN", None, 1.0);
    assert_stat(&df, "t", "MAX", None, 4.0);
    assert_stat(&df, "t", "SUM", None, 16.0);
    assert_stat(&df, "t", "MEAN", None, 16.0 / 7.0);
    assert_stat(&df, "t", "MEDIAN", None, 2.0);
    // 1, 2 and 3 each appear twice: the smallest tied value
    assert_stat(&df, "t", "MODE", None, 1.0);
    // Σx² = 44, n·mean² = 256/7 → Σ(x − mean)² = 52/7; sample variance 52/42
    assert_stat(&df, "t", "VARIANCE", None, 52.0 / 42.0);
    assert_stat(
        &df,
        "t",
        "STANDARD_DEVIATION",
        None,
        (52.0f64 / 42.0).sqrt(),
    );
}

#[test]
fn z_score_outliers_count_with_a_threshold() {
    let df = numbers();
    // mean 5, sample sd √(32/7) ≈ 2.13809: |z| of 9 ≈ 1.8708, of 2 ≈ 1.4031, of 7 ≈ 0.9354
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", None, 0.0); // default threshold 3
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("1.4"), 2.0);
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("1.5"), 1.0);
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("1.87"), 1.0);
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("1.9"), 0.0);
    // of all 9 rows
    assert_stat(
        &df,
        "x",
        "Z_SCORE_OUTLIERS_PERCENTAGE",
        Some("1.4"),
        200.0 / 9.0,
    );
    // text by length: mean 16/7, sd √(52/42) ≈ 1.1127; |z| of length 4 ≈ 1.5405, of 1 ≈ 1.1555
    assert_stat(&df, "t", "Z_SCORE_OUTLIERS_COUNT", Some("1.5"), 1.0);
    assert_stat(&df, "t", "Z_SCORE_OUTLIERS_COUNT", Some("1.1"), 3.0);
}

#[test]
fn z_score_outliers_are_strictly_beyond_the_threshold() {
    // 1 3 5: mean 3, sample sd 2 → |z| = 1, 0, 1 exactly.
    let df = df!("x" => [1i64, 3, 5]).unwrap();
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("1"), 0.0);
    assert_stat(&df, "x", "Z_SCORE_OUTLIERS_COUNT", Some("0.999"), 2.0);
    assert_stat(
        &df,
        "x",
        "Z_SCORE_OUTLIERS_PERCENTAGE",
        Some("0.999"),
        200.0 / 3.0,
    );
    // No spread: no outliers.
    let flat = df!("x" => [4i64, 4, 4]).unwrap();
    assert_stat(&flat, "x", "Z_SCORE_OUTLIERS_COUNT", Some("0"), 0.0);
}

#[test]
fn z_score_outliers_via_column_selectors_use_the_databrew_spelling() {
    let df = numbers();
    let rs = json_rules(json!([{
        "Name": "z",
        "CheckExpression": "AGG(Z_SCORE_OUTLIERS_COUNT, :zscore_dev) == :v",
        "SubstitutionMap": {":zscore_dev": "1.5", ":v": "1"},
        "ColumnSelectors": [{"Name": "x"}]
    }]));
    let ev = evaluate(&rs, &df);
    let r = &ev.rules[0];
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.columns[0].column.as_deref(), Some("x"));
    assert_eq!(
        r.columns[0].values,
        vec![("Z_SCORE_OUTLIERS_COUNT(x)".to_string(), Some(1.0))]
    );
}

#[test]
fn statistics_of_a_column_without_values_are_null_and_fail() {
    let df = numbers();
    let (status, values) = agg_result(&df, "AGG(:c, MEAN) < :v", &[(":c", "`e`"), (":v", "1")]);
    assert_eq!(status, Status::Failed);
    assert_eq!(values, vec![("MEAN(e)".to_string(), None)]);
    let (status, values) = agg_result(&df, "AGG(:c, MEAN) != :v", &[(":c", "`e`"), (":v", "1")]);
    assert_eq!(status, Status::Failed);
    assert_eq!(values, vec![("MEAN(e)".to_string(), None)]);
    // Fewer than two values: no outliers.
    assert_stat(&df, "e", "Z_SCORE_OUTLIERS_COUNT", None, 0.0);
    assert_stat(&df, "e", "MISSING_VALUES_COUNT", None, 9.0);
}

#[test]
fn aggregate_comparisons_pass_and_fail() {
    let df = numbers();
    fn with(v: &str) -> Vec<(&'static str, &str)> {
        vec![(":c", "`x`"), (":v", v)]
    }
    assert_eq!(
        agg_result(&df, "AGG(:c, MEAN) > :v", &with("5")).0,
        Status::Failed
    );
    assert_eq!(
        agg_result(&df, "AGG(:c, MEAN) >= :v", &with("5")).0,
        Status::Succeeded
    );
    assert_eq!(
        agg_result(&df, "AGG(:c, MEAN) > :v", &with("4.9")).0,
        Status::Succeeded
    );
    assert_eq!(
        agg_result(&df, "AGG(:c, MAX) <= :v", &with("8")).0,
        Status::Failed
    );
    assert_eq!(
        agg_result(&df, "AGG(:c, MAX) != :v", &with("8")).0,
        Status::Succeeded
    );
    assert_eq!(
        agg_result(
            &df,
            "AGG(:c, MIN) == :v and AGG(:c, MAX) == :w",
            &[(":c", "`x`"), (":v", "2"), (":w", "9")]
        ),
        (
            Status::Succeeded,
            vec![
                ("MIN(x)".to_string(), Some(2.0)),
                ("MAX(x)".to_string(), Some(9.0))
            ]
        )
    );
    // One statistic against another: max length of t (4) < max of x (9).
    assert_eq!(
        agg_result(
            &df,
            "AGG(:a, MAX) < AGG(:b, MAX)",
            &[(":a", "`t`"), (":b", "`x`")]
        ),
        (
            Status::Succeeded,
            vec![
                ("MAX(t)".to_string(), Some(4.0)),
                ("MAX(x)".to_string(), Some(9.0))
            ]
        )
    );
    assert_eq!(
        agg_result(
            &df,
            "AGG(:c, MEAN) > :v or AGG(ROWS_COUNT) == :n",
            &[(":c", "`x`"), (":v", "6"), (":n", "9")]
        )
        .0,
        Status::Succeeded
    );
    assert_eq!(
        agg_result(&df, "not (AGG(ROWS_COUNT) == :n)", &[(":n", "9")]).0,
        Status::Failed
    );
}

#[test]
fn a_threshold_on_an_aggregate_rule_is_ignored_with_a_warning() {
    let df = numbers();
    let rs = one_with_threshold(
        "AGG(:c, MEAN) == :v",
        &[(":c", "`x`"), (":v", "5")],
        json!({"Value": 100, "Type": "LESS_THAN", "Unit": "COUNT"}),
    );
    let warnings = eval::validate(&rs, df.schema()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_mentions(
        &warnings[0].message,
        &["rule 'r'", "a threshold applies to row-level checks only"],
    );
    let ev = evaluate(&rs, &df);
    assert_eq!(ev.rules[0].status, Status::Succeeded);
    assert_eq!(ev.rules[0].threshold, None);
    assert_eq!(ev.rules[0].failed_count(), None);
}

// ---- 4. ColumnSelectors ---------------------------------------------------------------------

/// (column, status, statistic values) of one column result.
type ColumnSummary = (Option<String>, Status, Vec<(String, Option<f64>)>);

fn quarters() -> DataFrame {
    df!(
        "id" => [1i64, 2, 3, 4],
        "q1" => [1i64, 2, 3, 4],
        "q2" => [5i64, 6, 7, 8],
        "q3" => [0i64, 6, 9, 10],
        "other" => ["a", "b", "", "d"],
    )
    .unwrap()
}

fn selector_rule(check: &str, subs: Json, selectors: Json) -> Ruleset {
    json_rules(json!([{
        "Name": "sel",
        "CheckExpression": check,
        "SubstitutionMap": subs,
        "ColumnSelectors": selectors
    }]))
}

#[track_caller]
fn column_summary(r: &RuleResult) -> Vec<(String, Status, Option<u64>)> {
    r.columns
        .iter()
        .map(|c| (c.column.clone().unwrap(), c.status, c.passed))
        .collect()
}

#[test]
fn regex_selector_runs_the_rule_per_column() {
    let rs = selector_rule("> :v", json!({":v": "0"}), json!([{"Regex": "^q"}]));
    let ev = evaluate(&rs, &quarters());
    let r = &ev.rules[0];
    assert_eq!(
        column_summary(r),
        vec![
            ("q1".into(), Status::Succeeded, Some(4)),
            ("q2".into(), Status::Succeeded, Some(4)),
            ("q3".into(), Status::Failed, Some(3)),
        ]
    );
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.failed_count(), Some(1));
    assert_eq!(r.columns[2].failed, Some(1));

    // With a 75 % threshold each column passes.
    let rs = json_rules(json!([{
        "Name": "sel",
        "CheckExpression": "> :v",
        "SubstitutionMap": {":v": "0"},
        "ColumnSelectors": [{"Regex": "^q"}],
        "Threshold": {"Value": 75, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}
    }]));
    let ev = evaluate(&rs, &quarters());
    assert_eq!(ev.rules[0].status, Status::Succeeded);
    assert_eq!(ev.rules[0].failed_count(), Some(1));
}

#[test]
fn name_selectors_keep_their_order() {
    let rs = selector_rule(
        "is_between :a and :b",
        json!({":a": "1", ":b": "8"}),
        json!([{"Name": "q3"}, {"Name": "q1"}]),
    );
    let ev = evaluate(&rs, &quarters());
    let r = &ev.rules[0];
    // q3: 0 6 9 10 → only 6 is in 1..8
    assert_eq!(
        column_summary(r),
        vec![
            ("q3".into(), Status::Failed, Some(1)),
            ("q1".into(), Status::Succeeded, Some(4)),
        ]
    );
    assert_eq!(r.failed_count(), Some(3));
    assert_eq!(r.status, Status::Failed);
}

#[test]
fn implicit_aggregate_with_selectors() {
    let rs = selector_rule(
        "AGG(MEAN) > :v",
        json!({":v": "4"}),
        json!([{"Regex": "^q[0-9]$"}]),
    );
    let ev = evaluate(&rs, &quarters());
    let r = &ev.rules[0];
    assert!(r.aggregate);
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.failed_count(), None);
    let got: Vec<ColumnSummary> = r
        .columns
        .iter()
        .map(|c| (c.column.clone(), c.status, c.values.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("q1".into()),
                Status::Failed,
                vec![("MEAN(q1)".into(), Some(2.5))]
            ),
            (
                Some("q2".into()),
                Status::Succeeded,
                vec![("MEAN(q2)".into(), Some(6.5))]
            ),
            (
                Some("q3".into()),
                Status::Succeeded,
                vec![("MEAN(q3)".into(), Some(6.25))]
            ),
        ]
    );
    let rs = selector_rule(
        "AGG(MEAN) is_between :a and :b",
        json!({":a": "2", ":b": "7"}),
        json!([{"Regex": "^q"}]),
    );
    assert_eq!(
        evaluate(&rs, &quarters()).rules[0].status,
        Status::Succeeded
    );
    let rs = selector_rule(
        "AGG(QUANTILE, :pct) == :v",
        json!({":pct": "0.75", ":v": "9.25"}),
        json!([{"Name": "q3"}]),
    );
    // q3 sorted 0 6 9 10: position 2.25 → 9 + 0.25 = 9.25
    let ev = evaluate(&rs, &quarters());
    assert_eq!(ev.rules[0].status, Status::Succeeded);
    assert_eq!(
        ev.rules[0].columns[0].values,
        vec![("QUANTILE(q3)".to_string(), Some(9.25))]
    );
}

#[test]
fn implicit_row_level_forms_with_selectors() {
    let df = quarters();
    let run = |check: &str, subs: Json, selectors: Json| {
        column_summary(&evaluate(&selector_rule(check, subs, selectors), &df).rules[0])
    };
    assert_eq!(
        run(
            "is_missing",
            json!({}),
            json!([{"Name": "other"}, {"Name": "q1"}])
        ),
        vec![
            ("other".into(), Status::Failed, Some(1)),
            ("q1".into(), Status::Failed, Some(0)),
        ]
    );
    assert_eq!(
        run("is_not_missing", json!({}), json!([{"Name": "other"}])),
        vec![("other".into(), Status::Failed, Some(3))]
    );
    assert_eq!(
        run(
            "not in :l",
            json!({":l": "[0, 10]"}),
            json!([{"Regex": "^q"}])
        ),
        vec![
            ("q1".into(), Status::Succeeded, Some(4)),
            ("q2".into(), Status::Succeeded, Some(4)),
            ("q3".into(), Status::Failed, Some(2)),
        ]
    );
    assert_eq!(
        run(
            "in :l",
            json!({":l": r#"["a","b"]"#}),
            json!([{"Name": "other"}])
        ),
        vec![("other".into(), Status::Failed, Some(2))]
    );
    assert_eq!(
        run(
            "!starts_with :p",
            json!({":p": "a"}),
            json!([{"Name": "other"}])
        ),
        vec![("other".into(), Status::Failed, Some(3))]
    );
    assert_eq!(
        run(
            "not starts_with :p",
            json!({":p": "a"}),
            json!([{"Name": "other"}])
        ),
        vec![("other".into(), Status::Failed, Some(3))]
    );
    assert_eq!(
        run(
            "matches :p",
            json!({":p": "^[a-c]$"}),
            json!([{"Name": "other"}])
        ),
        vec![("other".into(), Status::Failed, Some(2))]
    );
    assert_eq!(
        run("<= :v", json!({":v": "8"}), json!([{"Name": "q2"}])),
        vec![("q2".into(), Status::Succeeded, Some(4))]
    );
    assert_eq!(
        run(
            "not is_between :a and :b",
            json!({":a": "2", ":b": "9"}),
            json!([{"Regex": "q"}])
        ),
        vec![
            ("q1".into(), Status::Failed, Some(1)),
            ("q2".into(), Status::Failed, Some(0)),
            ("q3".into(), Status::Failed, Some(2)),
        ]
    );
}

#[test]
fn yaml_selectors_may_be_plain_names() {
    let yaml = r#"
rules:
  - name: positive
    checkExpression: "> :v"
    substitutionMap: {":v": "0"}
    columnSelectors: [q2, q3]
"#;
    let ev = evaluate(&load(yaml, "rules.yaml"), &quarters());
    assert_eq!(
        column_summary(&ev.rules[0]),
        vec![
            ("q2".into(), Status::Succeeded, Some(4)),
            ("q3".into(), Status::Failed, Some(3)),
        ]
    );
}

#[test]
fn a_column_picked_twice_is_checked_once() {
    let rs = selector_rule(
        "> :v",
        json!({":v": "0"}),
        json!([{"Name": "q3"}, {"Name": "q1"}, {"Regex": "^q3$"}]),
    );
    let ev = evaluate(&rs, &quarters());
    let r = &ev.rules[0];
    assert_eq!(
        column_summary(r),
        vec![
            ("q3".into(), Status::Failed, Some(3)),
            ("q1".into(), Status::Succeeded, Some(4)),
        ]
    );
    assert_eq!(r.failed_count(), Some(1));
}

#[test]
fn overlapping_adjacent_selectors_are_deduplicated() {
    let rs = selector_rule(
        "> :v",
        json!({":v": "0"}),
        json!([{"Name": "q1"}, {"Regex": "^q1$"}]),
    );
    let ev = evaluate(&rs, &quarters());
    assert_eq!(
        column_summary(&ev.rules[0]),
        vec![("q1".into(), Status::Succeeded, Some(4))]
    );
}

#[test]
fn selectors_on_an_explicit_check_are_ignored_with_a_warning() {
    let rs = selector_rule(
        ":c > :v",
        json!({":c": "`q1`", ":v": "1"}),
        json!([{"Name": "q3"}]),
    );
    let warnings = eval::validate(&rs, quarters().schema()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_mentions(
        &warnings[0].message,
        &["rule 'sel'", "selectors are ignored"],
    );
    let ev = evaluate(&rs, &quarters());
    assert_eq!(ev.rules[0].columns.len(), 1);
    assert_eq!(ev.rules[0].columns[0].column, None);
    assert_eq!(ev.rules[0].columns[0].passed, Some(3));
}

// ---- 5. disabled rules, substitution forms, key spellings -----------------------------------

#[test]
fn disabled_rules_are_skipped() {
    let rs = json_rules(json!([
        {"Name": "ok", "CheckExpression": ":c >= :v", "SubstitutionMap": {":c": "`n`", ":v": "1"}},
        {"Name": "would fail", "CheckExpression": ":c > :v", "SubstitutionMap": {":c": "`n`", ":v": "100"}, "Disabled": true},
        {"Name": "broken", "CheckExpression": ":c >> :nope", "SubstitutionMap": {":c": "`nothing`"}, "Disabled": true},
        {"Name": "string flag", "CheckExpression": ":c > :v", "SubstitutionMap": {":c": "`n`", ":v": "100"}, "Disabled": "true"},
        {"Name": "enabled", "CheckExpression": ":c > :v", "SubstitutionMap": {":c": "`n`", ":v": "0"}, "Disabled": false}
    ]));
    let df = people();
    let ev = evaluate(&rs, &df);
    let statuses: Vec<(&str, Status)> = ev
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("ok", Status::Succeeded),
            ("would fail", Status::Disabled),
            ("broken", Status::Disabled),
            ("string flag", Status::Disabled),
            ("enabled", Status::Succeeded),
        ]
    );
    assert_eq!(rule(&ev, "would fail").failed_count(), None);
    assert!(rule(&ev, "would fail").columns.is_empty());
    assert!(ev.passed());
    assert_eq!(report::counts(&ev), (2, 0, 3));
}

#[test]
fn substitution_map_as_cloudformation_list() {
    let rs = json_rules(json!([{
        "Name": "cf",
        "CheckExpression": ":col IN :list and :a > :v",
        "SubstitutionMap": [
            {"ValueReference": ":col", "Value": "`size`"},
            {"ValueReference": ":list", "Value": "[\"S\",\"M\",\"L\"]"},
            {"ValueReference": ":a", "Value": "`age`"},
            {"ValueReference": ":v", "Value": "20"}
        ]
    }]));
    assert_eq!(rs.rules[0].substitution(":v").as_deref(), Some("20"));
    let ev = evaluate(&rs, &people());
    // size in list: 1 2 5 8; age > 20: 1 2 4 6 7 → 1, 2
    assert_eq!(ev.rules[0].columns[0].passed, Some(2));
    assert_eq!(ev.rules[0].failed_count(), Some(6));
}

#[test]
fn pascal_case_json_and_camel_case_yaml_agree() {
    let json_text = r#"{
  "Name": "sizes",
  "Description": "sizes are known",
  "TargetArn": "arn:aws:databrew:us-east-1:123456789012:dataset/people",
  "Tags": {"team": "dq"},
  "Rules": [
    {
      "Name": "known size",
      "CheckExpression": ":col IN :list",
      "SubstitutionMap": {":col": "`size`", ":list": "[\"S\",\"M\",\"L\"]"},
      "Threshold": {"Value": 50, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}
    },
    {
      "Name": "scores",
      "CheckExpression": "AGG(MAX) < :v",
      "SubstitutionMap": [{"ValueReference": ":v", "Value": "10"}],
      "ColumnSelectors": [{"Regex": "^sc"}],
      "Disabled": false
    }
  ]
}"#;
    let yaml_text = r#"
name: sizes
description: sizes are known
rules:
  - name: known size
    checkExpression: ":col IN :list"
    substitutionMap:
      ":col": "`size`"
      ":list": ["S", "M", "L"]
    threshold: {value: 50, type: GREATER_THAN_OR_EQUAL, unit: PERCENTAGE}
  - name: scores
    checkExpression: "AGG(MAX) < :v"
    substitutionMap: {":v": 10}
    columnSelectors:
      - regex: "^sc"
    disabled: false
"#;
    let a = load(json_text, "rules.json");
    let b = load(yaml_text, "rules.yaml");
    assert_eq!(a.name, "sizes");
    assert_eq!(b.name, "sizes");
    assert_eq!(a.description.as_deref(), Some("sizes are known"));
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let df = people();
    for rs in [&a, &b] {
        let ev = evaluate(rs, &df);
        let r = rule(&ev, "known size");
        assert_eq!(r.status, Status::Succeeded); // 4 of 8 = 50 %
        assert_eq!(r.columns[0].passed, Some(4));
        assert_eq!(r.failed_count(), Some(4));
        let r = rule(&ev, "scores");
        assert_eq!(r.status, Status::Failed); // max score is 10
        assert_eq!(r.columns[0].column.as_deref(), Some("score"));
        assert_eq!(
            r.columns[0].values,
            vec![("MAX(score)".to_string(), Some(10.0))]
        );
    }
}

#[test]
fn substitution_values_may_carry_quotes() {
    // Some exports wrap substituted values in double quotes.
    let df = people();
    assert_eq!(
        passing(&df, ":c == :v", &[(":c", "`name`"), (":v", "\"ann\"")]),
        [1, 8]
    );
}

// ---- 6. metrics and flags -------------------------------------------------------------------

/// ids 1..8 with recipe-style flag columns.
fn flagged() -> DataFrame {
    df!(
        "id" => [1i64, 2, 3, 4, 5, 6, 7, 8],
        "drivers_flagged" => [Some("Yes"), Some("No"), Some("No"), Some("Yes"), None, Some("No"), Some("No"), Some("No")],
        "birth_flagged" => ["Yes", "Yes", "No", "Yes", "Yes", "Yes", "No", "Yes"],
    )
    .unwrap()
}

#[test]
fn metric_with_denominator_and_percentage_threshold() {
    let yaml = r#"
metrics:
  - name: "% Drivers Missing"
    numerator: "`drivers_flagged` == 'Yes'"
    denominator: "`drivers_flagged` is_not_missing"
    threshold: {value: 30, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
  - name: strict
    numerator: "`drivers_flagged` == 'Yes'"
    denominator: "`drivers_flagged` is_not_missing"
    threshold: {value: 28, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
"#;
    let ev = evaluate(&load(yaml, "rules.yaml"), &flagged());
    // 2 "Yes" of 7 present values
    let m = &ev.metrics[0];
    assert_eq!((m.numerator, m.denominator), (2, 7));
    assert_close(m.fraction.unwrap(), 2.0 / 7.0);
    assert_close(m.percentage.unwrap(), 200.0 / 7.0);
    assert_eq!(m.status, Status::Succeeded);
    assert_eq!(m.flag_column, None);
    assert_eq!(ev.metrics[1].status, Status::Failed);
    assert!(!ev.passed());
}

#[test]
fn metric_numerator_counts_only_denominator_rows() {
    let yaml = r#"
metrics:
  - name: invalid years among licensed drivers
    numerator: "`birth_flagged` == 'No'"
    denominator: "`drivers_flagged` == 'No'"
  - name: invalid years
    numerator: "`birth_flagged` == 'No'"
"#;
    let ev = evaluate(&load(yaml, "rules.yaml"), &flagged());
    // denominator rows 2 3 6 7 8; of them birth No: 3 7
    let m = &ev.metrics[0];
    assert_eq!((m.numerator, m.denominator), (2, 5));
    assert_close(m.percentage.unwrap(), 40.0);
    // default denominator: all 8 rows
    let m = &ev.metrics[1];
    assert_eq!((m.numerator, m.denominator), (2, 8));
    assert_close(m.percentage.unwrap(), 25.0);
    // no threshold: reported, never failing
    assert_eq!(m.threshold, None);
    assert_eq!(m.status, Status::Succeeded);
}

#[test]
fn metric_count_threshold_compares_the_numerator() {
    let yaml = r#"
metrics:
  - name: lt2
    numerator: "`drivers_flagged` == 'Yes'"
    threshold: {value: 2, type: LESS_THAN, unit: COUNT}
  - name: le2
    numerator: "`drivers_flagged` == 'Yes'"
    threshold: {value: 2, type: LESS_THAN_OR_EQUAL, unit: COUNT}
  - name: gt1
    numerator: "`drivers_flagged` == 'Yes'"
    threshold: {value: 1, type: GREATER_THAN, unit: COUNT}
"#;
    let ev = evaluate(&load(yaml, "rules.yaml"), &flagged());
    let statuses: Vec<Status> = ev.metrics.iter().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        [Status::Failed, Status::Succeeded, Status::Succeeded]
    );
}

#[test]
fn metric_with_an_empty_denominator_never_passes_a_threshold() {
    let yaml = r#"
metrics:
  - name: with threshold
    numerator: "`birth_flagged` == 'Yes'"
    denominator: "`drivers_flagged` == 'Maybe'"
    threshold: {value: 100, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
  - name: without
    numerator: "`birth_flagged` == 'Yes'"
    denominator: "`drivers_flagged` == 'Maybe'"
"#;
    let ev = evaluate(&load(yaml, "rules.yaml"), &flagged());
    let m = &ev.metrics[0];
    assert_eq!((m.numerator, m.denominator), (0, 0));
    assert_eq!(m.fraction, None);
    assert_eq!(m.percentage, None);
    assert_eq!(m.status, Status::Failed);
    assert_eq!(ev.metrics[1].status, Status::Succeeded);
}

const FLAG_YAML: &str = r#"
flags:
  - name: DQ_Flag
    invalidWhen: "`drivers_flagged` == 'Yes' or `birth_flagged` == 'No'"
    threshold: {value: 50, type: LESS_THAN_OR_EQUAL, unit: PERCENTAGE}
  - name: strict_flag
    invalidWhen: "`drivers_flagged` == 'Yes' or `birth_flagged` == 'No'"
    valid: ok
    invalid: bad
    threshold: {value: 50, type: LESS_THAN, unit: PERCENTAGE}
metrics:
  - name: "% Bad records"
    numerator: "`DQ_Flag` == 'Invalid'"
rules:
  - name: mostly valid
    checkExpression: ":f == :v"
    substitutionMap: {":f": "`DQ_Flag`", ":v": "Valid"}
    threshold: {value: 50, type: GREATER_THAN_OR_EQUAL, unit: PERCENTAGE}
"#;

#[test]
fn flags_count_invalid_rows() {
    let rs = load(FLAG_YAML, "rules.yaml");
    let df = flagged();
    // Like the gate: flag columns first, then evaluate over the flagged frame.
    eval::validate(&rs, df.schema()).unwrap();
    let flags = eval::flag_columns(&rs, df.schema()).unwrap();
    let mut lf = df.clone().lazy().with_columns(flags);
    let schema = lf.collect_schema().unwrap();
    let ev = eval::evaluate(&rs, &lf, &schema).unwrap();
    // invalid: 1 (Yes), 3 (No), 4 (Yes), 7 (No); row 5 (null drivers, birth Yes) is valid.
    let f = &ev.flags[0];
    assert_eq!((f.numerator, f.denominator), (4, 8));
    assert_close(f.percentage.unwrap(), 50.0);
    assert_eq!(f.status, Status::Succeeded);
    assert_eq!(f.flag_column.as_deref(), Some("DQ_Flag"));
    assert_eq!(ev.flags[1].status, Status::Failed); // 50 < 50 is false
    // The metric and the rule read the flag column.
    assert_eq!((ev.metrics[0].numerator, ev.metrics[0].denominator), (4, 8));
    assert_eq!(rule(&ev, "mostly valid").columns[0].passed, Some(4));
    assert_eq!(rule(&ev, "mostly valid").status, Status::Succeeded);

    let out = lf.collect().unwrap();
    let values = |c: &str| -> Vec<String> {
        out.column(c)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    };
    assert_eq!(
        values("DQ_Flag"),
        [
            "Invalid", "Valid", "Invalid", "Invalid", "Valid", "Valid", "Invalid", "Valid"
        ]
    );
    assert_eq!(
        values("strict_flag"),
        ["bad", "ok", "bad", "bad", "ok", "ok", "bad", "ok"]
    );
}

#[test]
fn flag_columns_exist_only_once_applied() {
    let rs = load(FLAG_YAML, "rules.yaml");
    let df = flagged();
    // validate knows the flag columns will be there …
    assert!(eval::validate(&rs, df.schema()).is_ok());
    // … but evaluate reads the frame it is given.
    let Err(Error::Invalid(d)) = eval::evaluate(&rs, &df.clone().lazy(), df.schema()) else {
        panic!("expected evaluation over the unflagged frame to fail")
    };
    assert_mentions(&text_of(&d[0]), &["column 'DQ_Flag' not found"]);
}

#[test]
fn bad_rows_are_the_invalid_flags_or_the_failed_row_rules() {
    let df = flagged();
    let bad_ids = |rs: &Ruleset| -> Vec<i64> {
        // As `check` does: the flag columns first, then the predicate over them.
        let flags = eval::flag_columns(rs, df.schema()).unwrap();
        let mut flagged = df.clone().lazy().with_columns(flags);
        let schema = flagged.collect_schema().unwrap();
        let bad = eval::bad_row_predicate(rs, &schema).unwrap();
        let out = flagged.filter(bad).collect().unwrap();
        out.column("id")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    assert_eq!(bad_ids(&load(FLAG_YAML, "rules.yaml")), [1, 3, 4, 7]);
    // Without flags: rows failing any enabled row-level rule (aggregate rules don't count).
    let rs = json_rules(json!([
        {"Name": "a", "CheckExpression": ":c == :v", "SubstitutionMap": {":c": "`birth_flagged`", ":v": "Yes"}},
        {"Name": "b", "CheckExpression": ":c != :v", "SubstitutionMap": {":c": "`drivers_flagged`", ":v": "Yes"}},
        {"Name": "c", "CheckExpression": ":c == :v", "SubstitutionMap": {":c": "`id`", ":v": "2"}, "Disabled": true},
        {"Name": "d", "CheckExpression": "AGG(ROWS_COUNT) > :v", "SubstitutionMap": {":v": "100"}}
    ]));
    // a fails 3, 7; b fails 1, 4 and 5 (null never satisfies !=)
    assert_eq!(bad_ids(&rs), [1, 3, 4, 5, 7]);
}

// ---- 7. errors ------------------------------------------------------------------------------

#[test]
fn syntax_error_names_the_rule_and_the_position() {
    let rs = json_rules(json!([{
        "Name": "adult",
        "CheckExpression": ":c >> :v",
        "SubstitutionMap": {":c": "`age`", ":v": "18"}
    }]));
    let d = invalid(&rs, &people());
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].message,
        "rule 'adult': position 5: expected a value, found '>'"
    );
    assert_eq!(d[0].location.as_ref().unwrap().file, "rules.json");
    // Positions count characters, not bytes.
    let rs = one("`名前` >> :v", &[(":v", "1")]);
    let d = invalid(&rs, &people());
    assert_mentions(&d[0].message, &["rule 'r'", "position 7"]);
}

#[test]
fn syntax_errors_at_the_end_and_missing_and() {
    let df = people();
    let subs = [(":c", "`age`"), (":v", "1"), (":w", "2")];
    let msg = |check: &str| {
        let d = invalid(&one(check, &subs), &df);
        assert_eq!(d.len(), 1, "{d:?}");
        d[0].message.clone()
    };
    assert_eq!(msg("(:c > :v"), "rule 'r': position 9: expected ')'");
    assert_mentions(
        &msg(":c is_between :v :w"),
        &["rule 'r': position 18", "expected 'and'"],
    );
    assert_mentions(&msg(":c > "), &["position 6", "expected a value"]);
    assert_mentions(&msg(":c ~ :v"), &["position 4", "unexpected character '~'"]);
    assert_mentions(&msg(":c :v"), &["position 4", "expected a comparison"]);
}

#[test]
fn unknown_substitution_variable() {
    let d = invalid(&one(":c > :nope", &[(":c", "`age`")]), &people());
    assert_eq!(
        d[0].message,
        "rule 'r': position 6: ':nope' is not in the substitution map"
    );
}

#[test]
fn unknown_column_suggests_the_closest() {
    let d = invalid(&one(":c > :v", &[(":c", "`agee`"), (":v", "1")]), &people());
    assert_eq!(d.len(), 1);
    assert_mentions(
        &text_of(&d[0]),
        &["rule 'r'", "column 'agee' not found", "did you mean 'age'?"],
    );
    // Column names are case-sensitive.
    let d = invalid(&one(":c > :v", &[(":c", "`Age`"), (":v", "1")]), &people());
    assert_mentions(
        &text_of(&d[0]),
        &["column 'Age' not found", "did you mean 'age'?"],
    );
    // Inside AGG too.
    let d = invalid(
        &one("AGG(:c, MEAN) > :v", &[(":c", "`scor`"), (":v", "1")]),
        &people(),
    );
    assert_mentions(
        &text_of(&d[0]),
        &["column 'scor' not found", "did you mean 'score'?"],
    );
}

#[test]
fn unknown_statistic_suggests_the_closest() {
    let d = invalid(
        &one("AGG(:c, MEEN) > :v", &[(":c", "`age`"), (":v", "1")]),
        &people(),
    );
    assert_mentions(
        &text_of(&d[0]),
        &[
            "rule 'r'",
            "unknown statistic 'MEEN'",
            "did you mean 'MEAN'?",
        ],
    );
    let d = invalid(&one("AGG(ROWS_COUNTS) > :v", &[(":v", "1")]), &people());
    assert_mentions(
        &text_of(&d[0]),
        &[
            "unknown statistic 'ROWS_COUNTS'",
            "did you mean 'ROWS_COUNT'?",
        ],
    );
}

#[test]
fn aggregate_and_row_level_conditions_cannot_be_mixed() {
    let d = invalid(
        &one(
            "AGG(ROWS_COUNT) > :v and :c > :v",
            &[(":c", "`age`"), (":v", "1")],
        ),
        &people(),
    );
    assert_eq!(d.len(), 1);
    assert_mentions(&text_of(&d[0]), &["rule 'r'", "cannot be mixed"]);
    // A statistic compared with a column is row-level too.
    let d = invalid(
        &one("AGG(:c, MEAN) > :d", &[(":c", "`age`"), (":d", "`limit`")]),
        &people(),
    );
    assert_mentions(&text_of(&d[0]), &["cannot be mixed"]);
}

#[test]
fn implicit_column_needs_column_selectors() {
    let d = invalid(&one("> :v", &[(":v", "1")]), &people());
    assert_mentions(
        &text_of(&d[0]),
        &["rule 'r'", "names no column", "ColumnSelectors"],
    );
    let d = invalid(&one("AGG(MEAN) > :v", &[(":v", "1")]), &people());
    assert_mentions(&text_of(&d[0]), &["rule 'r'", "MEAN needs a column"]);
}

#[test]
fn selectors_must_match_columns() {
    let rs = selector_rule("> :v", json!({":v": "1"}), json!([{"Name": "q4"}]));
    let d = invalid(&rs, &quarters());
    assert_mentions(
        &text_of(&d[0]),
        &[
            "rule 'sel'",
            "selected column 'q4' not found",
            "did you mean",
        ],
    );
    let rs = selector_rule("> :v", json!({":v": "1"}), json!([{"Name": "Other"}]));
    let d = invalid(&rs, &quarters());
    assert_mentions(&text_of(&d[0]), &["did you mean 'other'?"]);
    let rs = selector_rule("> :v", json!({":v": "1"}), json!([{"Regex": "^zz"}]));
    let d = invalid(&rs, &quarters());
    assert_mentions(&text_of(&d[0]), &["rule 'sel'", "no column matches /^zz/"]);
}

#[test]
fn values_that_cannot_work_are_errors() {
    let df = people();
    let d = invalid(&one(":c > :v", &[(":c", "`age`"), (":v", "old")]), &df);
    assert_mentions(
        &text_of(&d[0]),
        &["'old' is not a number", "'age' is numeric"],
    );
    let d = invalid(
        &one(":c matches :p", &[(":c", "`code`"), (":p", "(ab")]),
        &df,
    );
    assert_mentions(&text_of(&d[0]), &["rule 'r'", "invalid regular expression"]);
    // Look-around is not supported: an error, never a silent mismatch.
    let d = invalid(
        &one(":c matches :p", &[(":c", "`code`"), (":p", "A(?=B)")]),
        &df,
    );
    assert_mentions(&text_of(&d[0]), &["invalid regular expression"]);
    let d = invalid(
        &one(
            "AGG(:c, QUANTILE, :p) > :v",
            &[(":c", "`age`"), (":p", "half"), (":v", "1")],
        ),
        &df,
    );
    assert_mentions(&text_of(&d[0]), &["'half' is not a number"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let rs = json_rules(json!([
        {"Name": "syntax", "CheckExpression": ":c >> :v", "SubstitutionMap": {":c": "`age`", ":v": "1"}},
        {"Name": "unknown var", "CheckExpression": ":c > :nope", "SubstitutionMap": {":c": "`age`"}},
        {"Name": "fine", "CheckExpression": ":c > :v", "SubstitutionMap": {":c": "`age`", ":v": "1"}},
        {"Name": "typo column", "CheckExpression": ":c > :v", "SubstitutionMap": {":c": "`agee`", ":v": "1"}},
        {"Name": "typo stat", "CheckExpression": "AGG(:c, MEEN) > :v", "SubstitutionMap": {":c": "`age`", ":v": "1"}},
        {"Name": "mixed", "CheckExpression": "AGG(ROWS_COUNT) > :v and :c > :v", "SubstitutionMap": {":c": "`age`", ":v": "1"}},
        {"Name": "implicit", "CheckExpression": "> :v", "SubstitutionMap": {":v": "1"}},
        {"Name": "selector", "CheckExpression": "> :v", "SubstitutionMap": {":v": "1"}, "ColumnSelectors": [{"Name": "agee"}]},
        {"Name": "regex", "CheckExpression": "> :v", "SubstitutionMap": {":v": "1"}, "ColumnSelectors": [{"Regex": "^zz"}]},
        {"Name": "disabled", "CheckExpression": ":c >> :v", "Disabled": true}
    ]));
    let d = invalid(&rs, &people());
    let named: Vec<String> = d
        .iter()
        .map(|d| d.message.split('\'').nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        named,
        [
            "syntax",
            "unknown var",
            "typo column",
            "typo stat",
            "mixed",
            "implicit",
            "selector",
            "regex"
        ]
    );
    assert!(d.iter().all(|d| d.is_error()));
    // The rendered error carries them all, each with its location.
    let text = Error::Invalid(d).to_string();
    assert_eq!(text.matches("error at rules.json:").count(), 8, "{text}");
}

#[test]
fn metric_and_flag_problems_are_reported_with_the_rules() {
    let yaml = r#"
rules:
  - name: bad rule
    checkExpression: ":c > :v"
    substitutionMap: {":c": "`nope`", ":v": "1"}
metrics:
  - name: bad metric
    numerator: "`drivers_flaged` == 'Yes'"
  - name: agg metric
    numerator: "AGG(ROWS_COUNT) > 1"
flags:
  - name: bad flag
    invalidWhen: "`birth_flagged` =="
"#;
    let d = invalid(&load(yaml, "rules.yaml"), &flagged());
    assert_eq!(d.len(), 4, "{d:?}");
    assert_mentions(
        &text_of(&d[0]),
        &["rule 'bad rule'", "column 'nope' not found"],
    );
    assert_mentions(
        &text_of(&d[1]),
        &[
            "'bad metric'",
            "column 'drivers_flaged' not found",
            "did you mean 'drivers_flagged'?",
        ],
    );
    assert_mentions(&text_of(&d[2]), &["'agg metric'", "cannot use AGG"]);
    assert_mentions(
        &text_of(&d[3]),
        &["'bad flag'", "position 19", "expected a value"],
    );
    assert_eq!(d[3].location.as_ref().unwrap().line, 12);
}

// ---- 8. reports -----------------------------------------------------------------------------

const GATE: &str = r#"{
  "Name": "gate",
  "Description": "people gate",
  "Rules": [
    {"Name": "adults", "CheckExpression": ":c >= :v",
     "SubstitutionMap": {":c": "`age`", ":v": "18"},
     "Threshold": {"Value": 50, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}},
    {"Name": "over 40", "CheckExpression": ":c > :v",
     "SubstitutionMap": {":c": "`age`", ":v": "40"},
     "Threshold": {"Value": 50, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}},
    {"Name": "off", "CheckExpression": ":c > :v",
     "SubstitutionMap": {":c": "`age`", ":v": "100"}, "Disabled": true},
    {"Name": "rows", "CheckExpression": "AGG(ROWS_COUNT) > :v",
     "SubstitutionMap": {":v": "10"}},
    {"Name": "above -10", "CheckExpression": "> :v",
     "SubstitutionMap": {":v": "-10"},
     "ColumnSelectors": [{"Name": "score"}, {"Name": "age"}]}
  ],
  "metrics": [
    {"name": "missing names", "numerator": "`name` is_missing",
     "threshold": {"value": 30, "type": "LESS_THAN_OR_EQUAL", "unit": "PERCENTAGE"}}
  ],
  "flags": [
    {"name": "DQ_Flag", "invalidWhen": "`age` is_missing or `age` > 60",
     "threshold": {"value": 20, "type": "LESS_THAN", "unit": "PERCENTAGE"}}
  ]
}"#;

/// The gate ruleset over `people()`: adults 6/8 pass; over 40 2/8 fail; off disabled;
/// rows 8 > 10 fails; above -10 fails on age (null); metric 2/8 passes; flag 2/8 fails.
fn gate() -> (Ruleset, Evaluation) {
    let rs = load(GATE, "gate.json");
    let df = people();
    let flags = eval::flag_columns(&rs, df.schema()).unwrap();
    let mut lf = df.lazy().with_columns(flags);
    let schema = lf.collect_schema().unwrap();
    let ev = eval::evaluate(&rs, &lf, &schema).unwrap();
    (rs, ev)
}

#[test]
fn gate_outcomes() {
    let (_, ev) = gate();
    let statuses: Vec<(&str, Status)> = ev
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("adults", Status::Succeeded),
            ("over 40", Status::Failed),
            ("off", Status::Disabled),
            ("rows", Status::Failed),
            ("above -10", Status::Failed),
        ]
    );
    assert_eq!(ev.metrics[0].status, Status::Succeeded);
    assert_eq!(ev.flags[0].status, Status::Failed);
    assert_eq!(report::counts(&ev), (2, 4, 1));
    assert!(!ev.passed());
    assert_eq!(rule(&ev, "over 40").measured(), "2 of 8 rows pass (25%)");
    assert_eq!(rule(&ev, "rows").measured(), "ROWS_COUNT = 8");
    assert_eq!(
        rule(&ev, "above -10").measured(),
        "score: 8 of 8 rows pass (100%); age: 7 of 8 rows pass (87.5%)"
    );
    assert_eq!(rule(&ev, "above -10").failed_count(), Some(1));
}

#[derive(Debug, Default)]
struct Junit {
    suites: Vec<(String, usize, usize, usize)>,
    cases: Vec<String>,
    failures: Vec<(String, String, String)>,
    skipped: Vec<String>,
}

fn parse_junit(xml: &str) -> Junit {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(xml);
    let mut out = Junit::default();
    let mut case = String::new();
    let mut in_failure: Option<(String, String)> = None;
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> String {
        e.attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == name.as_bytes())
            .map(|a| a.unescape_value().unwrap().to_string())
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == b"testsuites" || e.name().as_ref() == b"testsuite" =>
            {
                let n = |k: &str| attr(&e, k).parse::<usize>().unwrap();
                out.suites
                    .push((attr(&e, "name"), n("tests"), n("failures"), n("skipped")));
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                case = attr(&e, "name");
                out.cases.push(case.clone());
            }
            Event::Start(e) if e.name().as_ref() == b"failure" => {
                in_failure = Some((attr(&e, "message"), String::new()));
            }
            Event::Text(t) => {
                if let Some((_, body)) = in_failure.as_mut() {
                    body.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, body)) = in_failure.as_mut() {
                    let name = r.decode().unwrap();
                    body.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other}"),
                    });
                }
            }
            Event::End(e) if e.name().as_ref() == b"failure" => {
                let (message, body) = in_failure.take().unwrap();
                out.failures.push((case.clone(), message, body));
            }
            Event::Empty(e) if e.name().as_ref() == b"skipped" => out.skipped.push(case.clone()),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn junit_counts_match_the_elements() {
    let (rs, ev) = gate();
    let xml = report::junit(&rs, &ev, 1.5);
    let j = parse_junit(&xml);
    assert_eq!(
        j.suites,
        vec![
            ("datacook check".to_string(), 7, 4, 1),
            ("gate".to_string(), 7, 4, 1)
        ]
    );
    assert_eq!(
        j.cases,
        [
            "adults",
            "over 40",
            "off",
            "rows",
            "above -10",
            "missing names",
            "DQ_Flag"
        ]
    );
    assert_eq!(j.cases.len(), 7);
    assert_eq!(j.failures.len(), 4);
    assert_eq!(j.skipped, ["off"]);
    let failed: Vec<&str> = j.failures.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(failed, ["over 40", "rows", "above -10", "DQ_Flag"]);
}

#[test]
fn junit_failures_carry_measured_value_threshold_and_rows() {
    let (rs, ev) = gate();
    let j = parse_junit(&report::junit(&rs, &ev, 0.0));
    let failure = |name: &str| j.failures.iter().find(|f| f.0 == name).unwrap().clone();

    let (_, message, body) = failure("over 40");
    assert_eq!(message, "2 of 8 rows pass (25%), needs >= 50%");
    assert_mentions(
        &body,
        &[
            "check: :c > :v",
            "measured: 2 of 8 rows pass (25%)",
            "threshold: >= 50%",
            "failing rows:",
            "id=1, name=ann, age=30, limit=40, size=S, code=AB-12, n=5, score=1.5",
            // null and "" are written empty
            "id=3, name=, age=, limit=40",
            "id=6, name=Anna, age=30",
        ],
    );
    // At most five failing rows: 1 3 4 5 6 (not 8).
    assert_eq!(body.matches("  id=").count(), 5, "{body}");
    assert!(!body.contains("id=8,"), "{body}");

    let (_, message, _) = failure("rows");
    assert_eq!(message, "ROWS_COUNT = 8");

    let (_, message, body) = failure("above -10");
    assert_eq!(
        message,
        "score: 8 of 8 rows pass (100%); age: 7 of 8 rows pass (87.5%), needs >= 100%"
    );
    assert_mentions(&body, &["id=3, name=, age=,"]);

    let (_, message, _) = failure("DQ_Flag");
    assert_eq!(message, "DQ_Flag: 25% (2 of 8 rows invalid)  (needs < 20%)");
}

#[test]
fn junit_escapes_xml() {
    let rs = json_rules(json!([{
        "Name": "a < b & \"c\"",
        "CheckExpression": ":c > :v",
        "SubstitutionMap": {":c": "`age`", ":v": "100"}
    }]));
    let ev = evaluate(&rs, &people());
    let xml = report::junit(&rs, &ev, 0.0);
    assert!(
        xml.contains("name=\"a &lt; b &amp; &quot;c&quot;\""),
        "{xml}"
    );
    let j = parse_junit(&xml);
    assert_eq!(j.cases, ["a < b & \"c\""]);
    assert_eq!(j.failures[0].1, "0 of 8 rows pass (0%), needs >= 100%");
}

#[test]
fn json_report_has_databrew_shape() {
    let (rs, ev) = gate();
    let v = report::json(
        &rs,
        &ev,
        "people.csv",
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:01Z",
    );
    assert_eq!(v["sampleSize"], json!(8));
    assert_eq!(v["version"], json!("1.0"));
    assert_eq!(v["location"], json!("people.csv"));
    assert_eq!(v["startedOn"], json!("2024-01-01T00:00:00Z"));
    assert_eq!(v["writtenOn"], json!("2024-01-01T00:00:01Z"));
    let set = &v["rulesetResults"][0];
    assert_eq!(v["rulesetResults"].as_array().unwrap().len(), 1);
    assert_eq!(set["name"], json!("gate"));
    assert_eq!(set["description"], json!("people gate"));
    assert_eq!(set["status"], json!("FAILED"));
    let results = set["ruleResults"].as_array().unwrap();
    assert_eq!(results.len(), 5);

    let names: Vec<&str> = results
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["adults", "over 40", "off", "rows", "above -10"]);
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["SUCCEEDED", "FAILED", "DISABLED", "FAILED", "FAILED"]
    );
    let failed: Vec<Json> = results.iter().map(|r| r["failedCount"].clone()).collect();
    assert_eq!(
        failed,
        [json!(2), json!(6), Json::Null, Json::Null, json!(1)]
    );
    assert!(results[2].get("failedCount").is_none());
    assert!(results[3].get("failedCount").is_none());

    // The definition is the rule as submitted.
    assert_eq!(
        results[1]["definition"],
        json!({"Name": "over 40", "CheckExpression": ":c > :v",
               "SubstitutionMap": {":c": "`age`", ":v": "40"},
               "Threshold": {"Value": 50, "Type": "GREATER_THAN_OR_EQUAL", "Unit": "PERCENTAGE"}})
    );
    assert_eq!(results[2]["definition"]["Disabled"], json!(true));

    assert_eq!(
        results[4]["columnResults"],
        json!([{"name": "score", "status": "SUCCEEDED"}, {"name": "age", "status": "FAILED"}])
    );
    assert!(results[0].get("columnResults").is_none());
    assert!(results[3].get("columnResults").is_none());
}

#[test]
fn json_report_of_a_passing_ruleset() {
    let rs = one(":c >= :v", &[(":c", "`n`"), (":v", "1")]);
    let ev = evaluate(&rs, &people());
    let v = report::json(&rs, &ev, "x", "s", "w");
    assert_eq!(v["rulesetResults"][0]["status"], json!("SUCCEEDED"));
    assert_eq!(
        v["rulesetResults"][0]["ruleResults"][0]["failedCount"],
        json!(0)
    );
    assert_eq!(v["datacook"]["passed"], json!(true));
}

#[test]
fn markdown_table_rows() {
    let (rs, ev) = gate();
    let md = report::markdown(&rs, &ev);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "## Data quality: gate: ❌ failed");
    assert!(
        md.contains("2 passed, 4 failed, 1 disabled, over 8 rows."),
        "{md}"
    );
    for row in [
        "| | rule | measured | threshold |",
        "| PASS | adults | 6 of 8 rows pass (75%) | >= 50% |",
        "| FAIL | over 40 | 2 of 8 rows pass (25%) | >= 50% |",
        "| SKIP | off | disabled | - |",
        "| FAIL | rows | ROWS_COUNT = 8 | - |",
        "| FAIL | above -10 | score: 8 of 8 rows pass (100%); age: 7 of 8 rows pass (87.5%) | >= 100% |",
        "| | metric | value | rows | threshold |",
        "| PASS | missing names | 25% | 2 / 8 | <= 30% |",
        "| FAIL | DQ_Flag | 25% | 2 / 8 | < 20% |",
    ] {
        assert!(lines.contains(&row), "missing row {row:?} in:\n{md}");
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("| PASS")
                || l.starts_with("| FAIL")
                || l.starts_with("| SKIP"))
            .count(),
        7
    );
}

#[test]
fn markdown_escapes_pipes_and_reports_success() {
    let rs = json_rules(json!([{
        "Name": "a|b",
        "CheckExpression": ":c >= :v",
        "SubstitutionMap": {":c": "`n`", ":v": "1"}
    }]));
    let ev = evaluate(&rs, &people());
    let md = report::markdown(&rs, &ev);
    assert!(md.starts_with("## Data quality: rs: ✅ passed\n"), "{md}");
    assert!(
        md.contains("| PASS | a\\|b | 8 of 8 rows pass (100%) | >= 100% |"),
        "{md}"
    );
}

#[test]
fn terminal_summary() {
    let (rs, ev) = gate();
    let text = report::terminal(&rs, &ev);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "PASS  adults: 6 of 8 rows pass (75%)  (needs >= 50%)",
            "FAIL  over 40: 2 of 8 rows pass (25%)  (needs >= 50%)",
            "SKIP  off  (disabled)",
            "FAIL  rows: ROWS_COUNT = 8",
            "FAIL  above -10: score: 8 of 8 rows pass (100%); age: 7 of 8 rows pass (87.5%)  (needs >= 100%)",
            "PASS  missing names: 25% (2 of 8 rows)  (needs <= 30%)",
            "FAIL  DQ_Flag: 25% (2 of 8 rows invalid)  (needs < 20%)",
            "FAILED: 2 passed, 4 failed, 1 disabled (8 rows, ruleset gate)",
        ]
    );
}
