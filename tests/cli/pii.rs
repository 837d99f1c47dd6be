//! Keyed hashing and deterministic encryption with keys from the environment.

use crate::support::*;

const KEY_B64: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// 16 bytes as hex: too short for AES-256.
const SHORT_KEY: &str = "00112233445566778899aabbccddeeff";

fn run_with_key(dir: &std::path::Path, recipe: &str, key: Option<&str>) -> (Run, String) {
    let data = "id,email\n1,ann@example.com\n2,bob@example.com\n3,ann@example.com\n4,\n";
    run_with_key_on(dir, recipe, key, data)
}

fn run_with_key_on(
    dir: &std::path::Path,
    recipe: &str,
    key: Option<&str>,
    data: &str,
) -> (Run, String) {
    let recipe = write(dir, "r.json", recipe);
    let data = write(dir, "d.csv", data);
    let out = path_str(&dir.join("out.csv"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_datacook"));
    cmd.args([
        "run",
        &recipe,
        "--dataset",
        &data,
        "--output",
        &out,
        "--quiet",
    ]);
    cmd.env_remove("DATACOOK_KEY_PII");
    if let Some(k) = key {
        cmd.env("DATACOOK_KEY_PII", k);
    }
    let o = cmd.output().unwrap();
    let run = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    };
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    for key in [KEY_B64, SHORT_KEY] {
        for (what, text) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("report", &report),
        ] {
            assert!(!text.contains(key), "the key is in the {what}");
        }
    }
    (run, text)
}

#[test]
fn hashing_is_hmac_sha256_under_the_named_key() {
    let dir = tmpdir();
    let recipe = r#"[{"Action": {"Operation": "CRYPTOGRAPHIC_HASH",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}}}]"#;
    let (run, out) = run_with_key(dir.path(), recipe, Some(KEY_B64));
    run.ok();
    let df = read_csv_text(&dir.path().join("out.csv"));
    let hashes = texts(&df, "email");
    // HMAC-SHA256("ann@example.com") under the 32 ASCII bytes "0123456789abcdef0123456789abcdef"
    // (python3 -c "import hmac,hashlib;print(hmac.new(b'0123456789abcdef'*2,
    //  b'ann@example.com',hashlib.sha256).hexdigest())").
    assert_eq!(
        hashes[0], "093e3dd9df951c5008225d533a0175475075f7551ed269c5e61fa29bc2819ae4",
        "{out}"
    );
    assert_eq!(hashes[0], hashes[2]);
    assert_ne!(hashes[0], hashes[1]);
    assert_eq!(hashes[3], "", "a missing value stays missing");
}

#[test]
fn deterministic_encryption_round_trips_and_equal_values_encrypt_alike() {
    let dir = tmpdir();
    let recipe = r#"[{"Action": {"Operation": "DETERMINISTIC_ENCRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}}},
        {"Action": {"Operation": "DUPLICATE", "Parameters": {"sourceColumn": "email", "targetColumn": "sealed"}}},
        {"Action": {"Operation": "DETERMINISTIC_DECRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}}}]"#;
    let (run, _) = run_with_key(dir.path(), recipe, Some(KEY_B64));
    run.ok();
    let df = read_csv_text(&dir.path().join("out.csv"));
    assert_eq!(
        texts(&df, "email"),
        ["ann@example.com", "bob@example.com", "ann@example.com", ""]
    );
    let sealed = texts(&df, "sealed");
    assert_eq!(sealed[0], sealed[2]);
    assert_ne!(sealed[0], sealed[1]);
    assert!(!sealed[0].contains("ann"));
}

#[test]
fn deterministic_encryption_under_conditions_and_on_no_rows() {
    let dir = tmpdir();
    let recipe = r#"[{"Action": {"Operation": "DETERMINISTIC_ENCRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}},
        "ConditionExpressions": [{"Condition": "LESS_THAN", "Value": "3", "TargetColumn": "id"}]},
        {"Action": {"Operation": "DUPLICATE", "Parameters": {"sourceColumn": "email", "targetColumn": "sealed"}}},
        {"Action": {"Operation": "DETERMINISTIC_DECRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}},
        "ConditionExpressions": [{"Condition": "LESS_THAN", "Value": "3", "TargetColumn": "id"}]}]"#;
    let (run, _) = run_with_key(dir.path(), recipe, Some(KEY_B64));
    run.ok();
    let df = read_csv_text(&dir.path().join("out.csv"));
    let sealed = texts(&df, "sealed");
    assert!(
        !sealed[0].contains("ann") && !sealed[1].contains("bob"),
        "{sealed:?}"
    );
    // Rows where the conditions do not hold keep their value; a missing one stays missing.
    assert_eq!(sealed[2..], ["ann@example.com", ""]);
    assert_eq!(
        texts(&df, "email"),
        ["ann@example.com", "bob@example.com", "ann@example.com", ""]
    );

    let (run, out) = run_with_key_on(dir.path(), recipe, Some(KEY_B64), "id,email\n");
    run.ok();
    assert_eq!(out, "id,email,sealed\n");
}

#[test]
fn a_missing_key_fails_before_writing_and_names_the_variable() {
    let dir = tmpdir();
    let recipe = r#"[{"Action": {"Operation": "DETERMINISTIC_ENCRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}}}]"#;
    let (run, out) = run_with_key(dir.path(), recipe, None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("set DATACOOK_KEY_PII"),
        "{}",
        run.stderr
    );
    assert!(out.is_empty(), "no output is written");
}

#[test]
fn a_key_of_the_wrong_length_fails_instead_of_writing_nulls() {
    let dir = tmpdir();
    let recipe = r#"[{"Action": {"Operation": "DETERMINISTIC_ENCRYPT",
        "Parameters": {"sourceColumns": "[\"email\"]", "secretId": "pii"}}}]"#;
    let (run, out) = run_with_key(dir.path(), recipe, Some(SHORT_KEY));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("has 16 bytes; AES-256-GCM-SIV needs 32"),
        "{}",
        run.stderr
    );
    assert!(out.is_empty());
}
