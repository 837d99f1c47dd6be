//! The CSV reader against a collection of damaged files: none may panic; repairable files run
//! and every repair is reported with its lines; the output is the repaired data.

use std::path::Path;

use crate::support::*;

struct Case {
    name: &'static str,
    bytes: &'static [u8],
    /// Expected output CSV (identity recipe).
    output: &'static str,
    /// (repair kind, lines) expected in the run report.
    repairs: &'static [(&'static str, &'static [u64])],
}

const CASES: &[Case] = &[
    Case {
        name: "clean",
        bytes: b"id,name\n1,a\n2,b\n",
        output: "id,name\n1,a\n2,b\n",
        repairs: &[],
    },
    Case {
        name: "ragged",
        bytes: b"id,name,score\n1,a,5\n2,b\n3,c,7,extra\n4,d,8\n",
        output: "id,name,score\n1,a,5\n2,b,\n3,c,7\n4,d,8\n",
        repairs: &[("short_row_padded", &[3]), ("long_row_truncated", &[4])],
    },
    Case {
        name: "unbalanced_quotes",
        bytes: b"id,name\n1,\"open\n2,b\n",
        output: "id,name\n1,\"\"\"open\"\n2,b\n",
        repairs: &[("unterminated_quote", &[2])],
    },
    Case {
        name: "stray_quotes",
        bytes: b"id,name\n1,5\" tall\n2,\"x\"y\n",
        output: "id,name\n1,\"5\"\" tall\"\n2,\"x\"\"y\"\n",
        repairs: &[("stray_quote", &[2, 3])],
    },
    Case {
        name: "blank_and_comment_lines",
        bytes: b"id,name\n\n1,a\n# a comment\n\n2,b\n",
        output: "id,name\n1,a\n# a comment,\n2,b\n",
        repairs: &[("short_row_padded", &[4]), ("blank_line", &[2, 5])],
    },
    Case {
        name: "bom",
        bytes: b"\xef\xbb\xbfid,name\n1,a\n",
        output: "id,name\n1,a\n",
        repairs: &[],
    },
    Case {
        name: "latin1",
        bytes: b"id,name\n1,Jos\xe9\n2,M\xfcller\n",
        output: "id,name\n1,José\n2,Müller\n",
        repairs: &[("invalid_utf8", &[2, 3])],
    },
    Case {
        name: "crlf",
        bytes: b"id,name\r\n1,a\r\n2,b\r\n",
        output: "id,name\n1,a\n2,b\n",
        repairs: &[],
    },
    Case {
        name: "cr_only",
        bytes: b"id,name\r1,a\r2,b\r",
        output: "id,name\n1,a\n2,b\n",
        repairs: &[("carriage_return_line_end", &[1, 2, 3])],
    },
    Case {
        name: "no_final_newline",
        bytes: b"id,name\n1,a\n2,b",
        output: "id,name\n1,a\n2,b\n",
        repairs: &[],
    },
    Case {
        name: "header_only",
        bytes: b"id,name\n",
        output: "id,name\n",
        repairs: &[],
    },
    Case {
        name: "header_only_no_newline",
        bytes: b"id,name",
        output: "id,name\n",
        repairs: &[],
    },
    Case {
        name: "quoted_newlines_and_delimiters",
        bytes: b"id,note\n1,\"a, b\nc\"\n2,\"say \"\"hi\"\"\"\n",
        output: "id,note\n1,\"a, b\nc\"\n2,\"say \"\"hi\"\"\"\n",
        repairs: &[],
    },
    Case {
        name: "leading_zeros_and_big_ints",
        bytes: b"zip,big,n\n01234,99999999999999999999,1\n12345,1,2\n",
        output: "zip,big,n\n01234,99999999999999999999,1\n12345,1,2\n",
        repairs: &[],
    },
    Case {
        name: "duplicate_and_empty_headers",
        bytes: b"a,a,\n1,2,3\n",
        output: "a,a_2,Column_3\n1,2,3\n",
        repairs: &[("header_renamed", &[1])],
    },
];

fn run_case(dir: &Path, case: &Case) -> (i32, String, serde_json::Value, String) {
    let data = dir.join(format!("{}.csv", case.name));
    std::fs::write(&data, case.bytes).unwrap();
    let recipe = dir.join("identity.json");
    std::fs::write(&recipe, "[]").unwrap();
    let out = dir.join(format!("{}.out.csv", case.name));
    let report = dir.join(format!("{}.report.json", case.name));
    let r = datacook(&[
        "run",
        &path_str(&recipe),
        "--dataset",
        &path_str(&data),
        "--output",
        &path_str(&out),
        "--report",
        &path_str(&report),
    ]);
    let output = std::fs::read_to_string(&out).unwrap_or_default();
    let report = if report.exists() {
        read_json(&report)
    } else {
        serde_json::Value::Null
    };
    (r.code, output, report, r.stderr)
}

#[test]
fn damaged_files_are_repaired_and_reported() {
    let dir = tmpdir();
    let mut failures = Vec::new();
    for case in CASES {
        let (code, output, report, stderr) = run_case(dir.path(), case);
        if code != 0 {
            failures.push(format!("{}: exit {code}: {stderr}", case.name));
            continue;
        }
        if output != case.output {
            failures.push(format!(
                "{}: output {output:?}, expected {:?}",
                case.name, case.output
            ));
        }
        let got: Vec<(String, Vec<u64>)> = report["dataset"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["lines"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_u64().unwrap())
                        .collect(),
                )
            })
            .collect();
        let mut want: Vec<(String, Vec<u64>)> = case
            .repairs
            .iter()
            .map(|(k, l)| (k.to_string(), l.to_vec()))
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        if got_sorted != want {
            failures.push(format!("{}: repairs {got:?}, expected {want:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn repairs_appear_in_the_summary() {
    let dir = tmpdir();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "a,b\n1\n2,3\n").unwrap();
    let out = dir.path().join("o.csv");
    let r = datacook(&[
        "run",
        "recipes/../tests/cli/identity.json",
        "--dataset",
        &path_str(&data),
        "--output",
        &path_str(&out),
    ]);
    r.ok();
    assert!(
        r.stdout.contains(
            "repaired: 1 × row with too few fields, padded with missing values (lines 2)"
        ),
        "{}",
        r.stdout
    );
}

/// Random damage must never crash the reader (exit 101 is a Rust panic).
#[test]
fn mangled_files_never_panic() {
    let dir = tmpdir();
    let base: &[u8] = b"id,name,score\n1,\"a, b\",5\n2,c,6\n3,\"d\"\"e\",7\n";
    let recipe = dir.path().join("identity.json");
    std::fs::write(&recipe, "[]").unwrap();
    let mut seed = 7u64;
    for i in 0..40 {
        let mut bytes = base.to_vec();
        for _ in 0..4 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pos = (seed >> 33) as usize % bytes.len();
            let b = [b'"', b',', b'\n', b'\r', 0xff, b'x', 0][(seed >> 20) as usize % 7];
            bytes[pos] = b;
        }
        let data = dir.path().join(format!("m{i}.csv"));
        std::fs::write(&data, &bytes).unwrap();
        let out = dir.path().join(format!("m{i}.out.csv"));
        let r = datacook(&[
            "run",
            &path_str(&recipe),
            "--dataset",
            &path_str(&data),
            "--output",
            &path_str(&out),
        ]);
        assert!(
            r.code == 0 || r.code == 2,
            "case {i} {bytes:?}: exit {} {}",
            r.code,
            r.stderr
        );
    }
}
