//! CSV files in other dialects, built from clean tables: each delimiter, each quote character,
//! both escapes, preambles of 1–5 lines, a header repeated, two tables in one file, stray
//! quotes in the first, middle and last column and in the header. The loaded data must equal
//! the clean table cell for cell, or the report must name exactly the rows it could not
//! recover. Sniffing never changes what a dataset file states.

use std::path::Path;

use crate::support::*;

type Table = Vec<Vec<String>>;

fn table(rows: &[&[&str]]) -> Table {
    rows.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// A table with the values that make dialects matter: delimiters and quotes inside text,
/// missing values, numbers.
fn clean() -> Table {
    table(&[
        &["id", "name", "city", "amount", "note"],
        &["1", "Smith, Jo", "Oslo", "12.5", "plain"],
        &["2", "Lee; Al", "Rome", "7", ""],
        &["3", "O'Brien", "Paris", "", "said \"hi\""],
        &["4", "Ng|Wu", "Bern", "3.25", "tab\there"],
        &["5", "Kim", "New York", "10", "a b c"],
    ])
}

#[derive(Clone, Copy)]
enum Escape {
    Doubled,
    Backslash,
}

/// Write a table the way another tool would: quote a value when it holds the delimiter, the
/// quote, a space (for space-delimited files) or a tab, and escape quotes inside.
fn render(t: &Table, d: char, q: char, escape: Escape) -> String {
    let mut out = String::new();
    for row in t {
        let cells: Vec<String> = row
            .iter()
            .map(|v| {
                let needs = v.contains(d) || v.contains(q) || v.contains('\t') || v.contains(' ');
                if !needs {
                    return v.clone();
                }
                let inner = match escape {
                    Escape::Doubled => v.replace(q, &format!("{q}{q}")),
                    Escape::Backslash => v.replace(q, &format!("\\{q}")),
                };
                format!("{q}{inner}{q}")
            })
            .collect();
        out.push_str(&cells.join(&d.to_string()));
        out.push('\n');
    }
    out
}

/// The identity recipe's output for a data file, and the run report.
fn load(dir: &Path, data: &str) -> (String, serde_json::Value, String) {
    let out = dir.join("out.csv");
    let _ = std::fs::remove_file(&out);
    let (r, report) = run_identity(dir, data, "out.csv");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    (text, report, r.stderr)
}

/// The repairs a report names: kind → lines.
fn repairs(report: &serde_json::Value) -> Vec<(String, Vec<u64>)> {
    let mut out: Vec<(String, Vec<u64>)> = report["dataset"]["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| {
                    (
                        n["kind"].as_str().unwrap_or_default().to_string(),
                        n["lines"]
                            .as_array()
                            .map(|l| l.iter().filter_map(|x| x.as_u64()).collect())
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The clean table as datacook writes it after reading it from a standard CSV.
fn expected(dir: &Path, t: &Table) -> String {
    let path = write(dir, "clean.csv", &render(t, ',', '"', Escape::Doubled));
    let (text, _, stderr) = load(dir, &path);
    assert!(!text.is_empty(), "{stderr}");
    text
}

#[test]
fn every_dialect_loads_the_clean_table() {
    let dir = tmpdir();
    let t = clean();
    let want = expected(dir.path(), &t);
    let preambles = [
        "",
        "Quarterly export\n",
        "Quarterly export\n\n",
        "# exported by a tool\nQuarterly export\n\n",
        "Quarterly export\n# source: ledger\n\n# v2\n",
        "\n\nQuarterly\n# x\n\n",
    ];
    // A space-delimited file may start with comments and blank lines, not a title: a title
    // is split on spaces like the rows (datacook then keeps to commas, so that a column of
    // names is never split on its spaces).
    let space_preambles = [
        "",
        "# Quarterly export\n",
        "\n",
        "# exported by a tool\n# Quarterly export\n\n",
        "# Quarterly export\n# source: ledger\n\n# v2\n",
        "\n\n# Quarterly\n# x\n\n",
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for d in [',', ';', '\t', '|', ' '] {
        for q in ['"', '\''] {
            for escape in [Escape::Doubled, Escape::Backslash] {
                let preambles = if d == ' ' {
                    &space_preambles
                } else {
                    &preambles
                };
                for (p, preamble) in preambles.iter().enumerate() {
                    cases += 1;
                    let text = format!("{preamble}{}", render(&t, d, q, escape));
                    let path = write(dir.path(), "dialect.txt.csv", &text);
                    let (got, report, stderr) = load(dir.path(), &path);
                    let name = format!(
                        "delimiter {d:?} quote {q:?} {} preamble {p}",
                        match escape {
                            Escape::Doubled => "doubled",
                            Escape::Backslash => "backslash",
                        }
                    );
                    if got != want {
                        failures.push(format!("{name}: got\n{got}\nwant\n{want}\n{stderr}"));
                        continue;
                    }
                    let skipped = report["dataset"]["dialect"]["skip_rows"].as_u64();
                    if skipped != Some(preamble.matches('\n').count() as u64) {
                        failures.push(format!("{name}: skip_rows {skipped:?}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_repeated_header_and_a_second_table_are_reported() {
    let dir = tmpdir();
    let t = clean();
    let want = expected(dir.path(), &t);
    // The header written twice.
    let mut twice = t.clone();
    twice.insert(1, t[0].clone());
    let path = write(
        dir.path(),
        "twice.csv",
        &render(&twice, ',', '"', Escape::Doubled),
    );
    let (got, report, _) = load(dir.path(), &path);
    assert_eq!(got, want);
    assert_eq!(
        repairs(&report),
        vec![("repeated_header".to_string(), vec![2])]
    );
    // A second table after a blank line: only the first is read.
    let second = "\nsku,qty,price\nA-1,3,9.5\nB-2,1,4\n";
    let text = render(&t, ',', '"', Escape::Doubled) + second;
    let path = write(dir.path(), "two.csv", &text);
    let (got, report, _) = load(dir.path(), &path);
    assert_eq!(got, want);
    assert_eq!(
        repairs(&report),
        vec![
            ("blank_line".to_string(), vec![7]),
            ("second_table".to_string(), vec![8])
        ]
    );
}

/// A table whose `tag` column is quoted: the shape of the issue's `"2021,Alice,"VIP",Paris`.
fn tagged() -> Table {
    table(&[
        &["year", "name", "tag", "city"],
        &["2020", "Bob", "regular", "Rome"],
        &["2021", "Alice", "VIP", "Paris"],
        &["2022", "Carl", "new", "Oslo"],
        &["2023", "Dana", "VIP", "Bern"],
    ])
}

#[test]
fn a_stray_quote_stays_in_its_line() {
    let dir = tmpdir();
    let t = tagged();
    let want = expected(dir.path(), &t);
    let quoted_tags = "year,name,tag,city\n2020,Bob,\"regular\",Rome\n2021,Alice,\"VIP\",Paris\n2022,Carl,\"new\",Oslo\n2023,Dana,\"VIP\",Bern\n";
    // (where the stray quote goes, the file, the cell it stays in as written, its line)
    let cases = [
        (
            "first column",
            quoted_tags.replace("2021,Alice", "\"2021,Alice"),
            ("2021", "\"2021"),
            3,
        ),
        (
            "middle column",
            quoted_tags.replace("Carl,\"new\"", "\"Carl,\"new\""),
            ("Carl", "\"Carl"),
            4,
        ),
        (
            "last column",
            quoted_tags.replace('"', "").replace(",Bern", ",\"Bern"),
            ("Bern", "\"Bern"),
            5,
        ),
        (
            "header",
            format!(
                "\"year,name,\"tag\",city\n{}",
                quoted_tags.split_once('\n').unwrap().1
            ),
            ("year", "\"year"),
            1,
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, (clean_cell, kept), line) in cases {
        let path = write(dir.path(), "stray.csv", &text);
        let (got, report, stderr) = load(dir.path(), &path);
        // Equal to the clean table but for the one cell, which keeps its quote.
        let expected = want.replacen(clean_cell, &format!("\"{}\"", kept.replace('"', "\"\"")), 1);
        if got != expected {
            failures.push(format!("{name}: got\n{got}\nwant\n{expected}\n{stderr}"));
        }
        let named: Vec<u64> = repairs(&report)
            .into_iter()
            .filter(|(k, _)| k.contains("quote"))
            .flat_map(|(_, l)| l)
            .collect();
        if named != vec![line] {
            failures.push(format!("{name}: repairs {:?}", repairs(&report)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Legitimately quoted delimiters and line breaks are not stray.
    let fine = "id,text\n1,\"a, b\"\n2,\"two\nlines\"\n3,x\n";
    let path = write(dir.path(), "fine.csv", fine);
    let (got, report, _) = load(dir.path(), &path);
    assert_eq!(got, "id,text\n1,\"a, b\"\n2,\"two\nlines\"\n3,x\n");
    assert_eq!(repairs(&report), Vec::<(String, Vec<u64>)>::new());
}

#[test]
fn a_headerless_file_is_detected_and_stated_options_win() {
    let dir = tmpdir();
    let rows = "1,2.5,x\n2,3.5,y\n3,4.5,z\n4,5.5,w\n5,6.5,v\n";
    let path = write(dir.path(), "headless.csv", rows);
    let (got, report, _) = load(dir.path(), &path);
    assert_eq!(got, format!("Column_1,Column_2,Column_3\n{rows}"));
    assert_eq!(
        report["dataset"]["dialect"]["detected"],
        serde_json::json!(["header"])
    );
    // The dataset file says there is a header: it is believed.
    write(
        dir.path(),
        "headless.yaml",
        "path: headless.csv\ncsv: {header: true}\n",
    );
    let (got, report, _) = load(dir.path(), &path_str(&dir.path().join("headless.yaml")));
    assert_eq!(got, rows);
    assert_eq!(
        report["dataset"]["dialect"]["detected"],
        serde_json::json!([])
    );
    // A stated delimiter is not second-guessed either: semicolons stay in the values.
    let semi = write(dir.path(), "semi.csv", "a;b\n1;2\n");
    write(
        dir.path(),
        "semi.yaml",
        "path: semi.csv\ncsv: {delimiter: \",\"}\n",
    );
    let (got, _, _) = load(dir.path(), &path_str(&dir.path().join("semi.yaml")));
    assert_eq!(got, "a;b\n1;2\n");
    let (got, _, _) = load(dir.path(), &semi);
    assert_eq!(got, "a,b\n1,2\n");
    // Strict datasets reject a stray quote as before, whatever its shape.
    let strict = write(dir.path(), "strict.yaml", "path: stray.csv\nstrict: true\n");
    write(dir.path(), "stray.csv", "a,b,c\n1,\"x,\"y\",2\n");
    let (got, _, stderr) = load(dir.path(), &strict);
    assert_eq!(got, "");
    assert!(
        stderr.contains("stray.csv:2:1") && stderr.contains("strict dataset"),
        "{stderr}"
    );
    // The same file, not strict: the row has the header's width, so its quotes are kept as
    // read (stray ones as characters), not read again.
    let lenient = write(dir.path(), "lenient.yaml", "path: stray.csv\n");
    let (got, report, _) = load(dir.path(), &lenient);
    assert_eq!(got, "a,b,c\n1,\"x,\"\"y\"\"\",2\n");
    assert_eq!(repairs(&report), vec![("stray_quote".to_string(), vec![2])]);
}

#[test]
fn validate_prints_the_detected_dialect_to_pin() {
    let dir = tmpdir();
    let path = write(
        dir.path(),
        "eu.csv",
        "Monthly sales\n\nregion;amount\nNorth;1,5\nSouth;2,25\n",
    );
    let recipe = identity_recipe(dir.path());
    let r = datacook(&["validate", &recipe, "--dataset", &path]);
    r.ok();
    assert!(
        r.stdout
            .contains("to pin it, add to the dataset file: csv: {delimiter: \";\", skip_rows: 2}"),
        "{}",
        r.stdout
    );
}

#[test]
fn ordinary_files_keep_reading_as_they_did() {
    let dir = tmpdir();
    // A short row whose quoted field holds a comma: it was written so, it stays so.
    let short = "id,name,city\n1,Ann,Oslo\n2,\"Lee, Al\"\n3,Bo,Rome\n";
    let path = write(dir.path(), "short.csv", short);
    let (got, report, _) = load(dir.path(), &path);
    assert_eq!(got, "id,name,city\n1,Ann,Oslo\n2,\"Lee, Al\",\n3,Bo,Rome\n");
    assert_eq!(
        repairs(&report),
        vec![("short_row_padded".to_string(), vec![3])]
    );
    // One column of names, of times: never split on spaces or colons.
    for text in [
        "city\nNew York\nLos Angeles\nSan Francisco\n",
        "at\n10:00:01\n11:30:00\n12:00:00\n",
    ] {
        let path = write(dir.path(), "one.csv", text);
        let (got, report, _) = load(dir.path(), &path);
        assert_eq!(got, text);
        assert_eq!(
            report["dataset"]["dialect"]["detected"],
            serde_json::json!([])
        );
    }
    // A column named `#` is a header, not a comment.
    let hash = "#,Name,Total\n1,Bulbasaur,318\n2,Ivysaur,405\n";
    let path = write(dir.path(), "hash.csv", hash);
    let (got, _, _) = load(dir.path(), &path);
    assert_eq!(got, hash);
    // A header of years over numbers stays a header.
    let years = "country,2019,2020\nA,1500,2500\nB,3000,4000\nC,3500,4500\nD,3600,4700\n";
    let path = write(dir.path(), "years.csv", years);
    let (got, _, _) = load(dir.path(), &path);
    assert_eq!(got, years);
    // A strict dataset is read exactly as stated: no sniffing.
    write(dir.path(), "semi.csv", "a;b\n1;2\n");
    let strict = write(dir.path(), "strict.yaml", "path: semi.csv\nstrict: true\n");
    let (got, report, _) = load(dir.path(), &strict);
    assert_eq!(got, "a;b\n1;2\n");
    assert_eq!(
        report["dataset"]["dialect"]["detected"],
        serde_json::json!([])
    );
}

#[test]
fn each_file_of_a_glob_has_its_own_dialect() {
    let dir = tmpdir();
    write(
        dir.path(),
        "part-1.csv",
        "Export of May\n\nid;v\n1;a\n2;b\n",
    );
    write(dir.path(), "part-2.csv", "id;v\n3;c\n");
    let ds = write(dir.path(), "parts.yaml", "path: part-*.csv\n");
    let (got, report, stderr) = load(dir.path(), &ds);
    assert_eq!(got, "id,v\n1,a\n2,b\n3,c\n", "{stderr}");
    assert_eq!(report["dataset"]["dialect"]["skip_rows"], 2);
}
