//! Operation tests as data: every `tests/cases/*.yaml` file holds cases separated by `---`
//! lines. A case is a datacook recipe (its `steps`, in datacook YAML or DataBrew's shape) with
//! three more keys:
//!
//! ```yaml
//! case: what the case shows
//! input:
//!   columns: {name: string, n: long}     # DataBrew type names, in column order
//!   rows:
//!     - [alice, 1]
//!     - [~, 2]                           # ~ is null; "" is empty text
//! steps: …
//! expect:                                # the exact output: names, types, values
//!   columns: {name: string, n: long}
//!   rows: …
//! ```
//!
//! or, instead of `expect`, `error: {at: "LINE:COL", message: "text the error contains"}`: the
//! position the error must point at, with LINE counted from the case's first line (1), so
//! cases can move within a file.
//!
//! Other datasets (JOIN, UNION) are frames by name: `datasets: {orders: {columns: …, rows: …}}`.

use std::path::Path;

use datacook::dataset::MemoryDatasets;
use datacook::job::run_on_frame;
use datacook::recipe::node::{Node, NodeKind};
use datacook::recipe::yaml;
use datacook::types::parse_type;
use polars::prelude::*;

#[test]
fn case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        // DATACOOK_CASES=text runs only the files whose names contain "text".
        .filter(|p| {
            std::env::var("DATACOOK_CASES").map_or(true, |only| p.to_string_lossy().contains(&only))
        })
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in &files {
        let name = format!(
            "tests/cases/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let text = std::fs::read_to_string(path).unwrap();
        for (line, doc) in documents(&text) {
            count += 1;
            if let Err(e) = run_case(&name, line, &doc) {
                failures.push(format!("{name}:{line}: {e}"));
            }
        }
    }
    assert!(count > 0, "no cases found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The documents of a case file, each with the line it starts on, padded with blank lines so
/// positions inside it are positions in the file.
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut start = 1;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" {
            if !current.trim().is_empty() {
                docs.push((start, current.clone()));
            }
            current = "\n".repeat(i + 1);
            start = i + 2;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        docs.push((start, current));
    }
    docs
}

fn run_case(file: &str, line: usize, doc: &str) -> Result<(), String> {
    let root = yaml::parse(doc).map_err(|e| format!("not YAML: {e:?}"))?;
    let title = root
        .get("case")
        .and_then(|n| n.scalar_text())
        .ok_or("a case needs `case: <what it shows>`")?;
    let fail = |msg: String| format!("[{title}] {msg}");
    let input = frame(root.get("input").ok_or("a case needs `input`")?).map_err(fail)?;
    let mut datasets = MemoryDatasets::default();
    for (name, data) in root.get("datasets").and_then(|d| d.as_map()).unwrap_or(&[]) {
        let name = name.scalar_text().unwrap_or_default();
        datasets.0.insert(name, frame(data).map_err(fail)?);
    }
    let result = run_on_frame(doc, file, input, &datasets);
    match (root.get("expect"), root.get("error"), result) {
        (Some(expect), None, Ok((out, _))) => {
            let expected = frame(expect).map_err(fail)?;
            compare(&out, &expected).map_err(fail)
        }
        (Some(_), None, Err(e)) => Err(fail(format!("expected output, got an error:\n{e}"))),
        (None, Some(error), Ok((out, _))) => Err(fail(format!(
            "expected the error {:?}, got\n{out}",
            error.to_json()
        ))),
        (None, Some(error), Err(e)) => {
            let text = e.to_string();
            let at = error
                .get("at")
                .and_then(|n| n.scalar_text())
                .unwrap_or_default();
            let at = match at.split_once(':') {
                Some((l, c)) => format!("{}:{c}", l.parse::<usize>().unwrap_or(0) + line - 1),
                None => return Err(fail(format!("`at` is LINE:COL, found {at:?}"))),
            };
            let message = error
                .get("message")
                .and_then(|n| n.scalar_text())
                .unwrap_or_default();
            let pointed = format!("{file}:{at}");
            let exact = text
                .match_indices(&pointed)
                .any(|(i, m)| !text[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()));
            if !exact {
                return Err(fail(format!("the error does not point at {at}:\n{text}")));
            }
            if !text.contains(&message) {
                return Err(fail(format!("the error does not say {message:?}:\n{text}")));
            }
            Ok(())
        }
        _ => Err(format!(
            "case at line {line} needs exactly one of `expect` and `error`"
        )),
    }
}

/// `{columns: {name: type, …}, rows: [[…], …]}` as a frame.
fn frame(node: &Node) -> Result<DataFrame, String> {
    let columns = node
        .get("columns")
        .and_then(|c| c.as_map())
        .ok_or("a frame needs `columns: {name: type, …}`")?;
    let rows = node.get("rows").and_then(|r| r.as_list()).unwrap_or(&[]);
    let mut series = Vec::new();
    for (i, (name, dtype)) in columns.iter().enumerate() {
        let name = name.scalar_text().unwrap_or_default();
        let type_name = dtype.scalar_text().unwrap_or_default();
        let dtype = parse_type(&type_name).ok_or(format!("unknown type '{type_name}'"))?;
        let cells: Vec<Option<String>> = rows
            .iter()
            .map(|row| {
                let cells = row.as_list().ok_or("a row is a list of cells")?;
                if cells.len() != columns.len() {
                    return Err(format!(
                        "a row has {} cells for {} columns",
                        cells.len(),
                        columns.len()
                    ));
                }
                let cell = cells
                    .get(i)
                    .ok_or(format!("row {row:?} has no cell for '{name}'"))?;
                Ok(match cell.kind {
                    NodeKind::Null => None,
                    _ => cell.scalar_text(),
                })
            })
            .collect::<Result<_, String>>()?;
        series.push(column(&name, &dtype, &cells)?.into_column());
    }
    DataFrame::new_infer_height(series).map_err(|e| e.to_string())
}

fn column(name: &str, dtype: &DataType, cells: &[Option<String>]) -> Result<Series, String> {
    let bad = |v: &str| format!("'{v}' is not a {dtype} in column '{name}'");
    let name = PlSmallStr::from(name);
    let parse = |f: &dyn Fn(&str) -> Option<i64>| -> Result<Vec<Option<i64>>, String> {
        cells
            .iter()
            .map(|c| match c {
                None => Ok(None),
                Some(v) => f(v).map(Some).ok_or_else(|| bad(v)),
            })
            .collect()
    };
    let s = match dtype {
        DataType::String => Series::new(name, cells),
        DataType::Boolean => {
            let v: Vec<Option<bool>> = cells
                .iter()
                .map(|c| match c.as_deref() {
                    None => Ok(None),
                    Some("true") => Ok(Some(true)),
                    Some("false") => Ok(Some(false)),
                    Some(v) => Err(bad(v)),
                })
                .collect::<Result<_, String>>()?;
            Series::new(name, v)
        }
        t if t.is_integer() => {
            let v = parse(&|v| v.parse().ok())?;
            Series::new(name, v)
        }
        t if t.is_float() || t.is_decimal() => {
            let v: Vec<Option<f64>> = cells
                .iter()
                .map(|c| match c {
                    None => Ok(None),
                    Some(v) => v.parse().map(Some).map_err(|_| bad(v)),
                })
                .collect::<Result<_, String>>()?;
            Series::new(name, v)
        }
        DataType::Date => {
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            let days = parse(&|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .ok()
                    .map(|d| (d - epoch).num_days())
            })?;
            Series::new(name, days).cast(&DataType::Int32).unwrap()
        }
        DataType::Datetime(_, _) => {
            let micros = parse(&|v| {
                chrono::NaiveDateTime::parse_from_str(&v.replace('T', " "), "%Y-%m-%d %H:%M:%S%.f")
                    .ok()
                    .map(|t| t.and_utc().timestamp_micros())
            })?;
            Series::new(name, micros)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap()
        }
        other => return Err(format!("case files do not support {other} yet")),
    };
    s.cast(dtype).map_err(|e| e.to_string())
}

fn compare(actual: &DataFrame, expected: &DataFrame) -> Result<(), String> {
    if actual.schema() != expected.schema() {
        return Err(format!(
            "columns or types differ\nactual:\n{actual}\nexpected:\n{expected}"
        ));
    }
    if !actual.equals_missing(expected) {
        return Err(format!(
            "values differ{}\nactual:\n{actual}\nexpected:\n{expected}",
            first_difference(actual, expected)
        ));
    }
    Ok(())
}

/// The first differing cell, at full precision (the table display rounds).
fn first_difference(actual: &DataFrame, expected: &DataFrame) -> String {
    for (a, e) in actual.columns().iter().zip(expected.columns()) {
        for row in 0..a.len().min(e.len()) {
            let (x, y) = (a.get(row).unwrap(), e.get(row).unwrap());
            if x != y {
                return format!(
                    " (first in column '{}', row {row}: {x:?} ≠ {y:?})",
                    a.name()
                );
            }
        }
    }
    String::new()
}

/// `form` occurs in `text` as a whole name (MIN is not MINUTE).
fn mentions(text: &str, form: &str) -> bool {
    text.match_indices(form).any(|(i, m)| {
        !text[i + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The kinds of case the issue asks of every operation, so a new operation arrives with its
/// cases: exact outputs, missing values (null or empty text in a column it names), an empty
/// input, an error case (the error case's last step), and conditions where the operation takes
/// them. Errors are not asked of operations without parameters.
#[test]
fn every_supported_operation_has_each_kind_of_case() {
    use std::collections::{BTreeMap, BTreeSet};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut kinds: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (_, doc) in documents(&text) {
            for (op, kind) in kinds_of_case(&doc) {
                kinds.entry(op).or_default().insert(kind);
            }
        }
    }
    // Their key comes from the environment, which a case cannot set: tests/cli/pii.rs runs
    // them with a key (output, missing values, conditions, no rows); their errors are cases.
    const KEYED: &[&str] = &["DETERMINISTIC_ENCRYPT", "DETERMINISTIC_DECRYPT"];
    let keyed_tests =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/pii.rs"))
            .unwrap();
    let mut gaps = Vec::new();
    for spec in datacook::ops::all().filter(|s| s.status == datacook::ops::Status::Supported) {
        let mut want = vec!["output", "missing values", "empty input"];
        if KEYED.contains(&spec.name) {
            want.clear();
            assert!(
                mentions(&keyed_tests, &format!("\"Operation\": \"{}\"", spec.name)),
                "tests/cli/pii.rs runs no {}",
                spec.name
            );
        }
        if !spec.params.is_empty() {
            want.push("error");
        }
        if spec.conditions != datacook::ops::Conditions::Unsupported && !KEYED.contains(&spec.name)
        {
            want.push("conditions");
        }
        let have = kinds.get(spec.name).cloned().unwrap_or_default();
        let lacking: Vec<&str> = want.into_iter().filter(|w| !have.contains(w)).collect();
        if !lacking.is_empty() {
            gaps.push(format!("{}: {}", spec.name, lacking.join(", ")));
        }
    }
    assert!(
        gaps.is_empty(),
        "{} operations lack kinds of case in tests/cases:\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

/// What one case document shows of each of its steps' operations: (operation, kind of case).
/// The steps are read by the recipe loader, as the case runs them.
fn kinds_of_case(doc: &str) -> Vec<(String, &'static str)> {
    let (Ok(root), Ok((recipe, _))) = (yaml::parse(doc), datacook::recipe::load_str(doc, "case"))
    else {
        return Vec::new();
    };
    let input = root.get("input");
    let rows = input
        .and_then(|i| i.get("rows"))
        .and_then(|r| r.as_list())
        .unwrap_or(&[]);
    let names: Vec<String> = input
        .and_then(|i| i.get("columns"))
        .and_then(|c| c.as_map())
        .unwrap_or(&[])
        .iter()
        .filter_map(|(n, _)| n.scalar_text())
        .collect();
    // The input columns holding a missing cell (null or empty text).
    let mut with_missing: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            rows.iter().any(|r| {
                r.as_list().and_then(|r| r.get(i)).is_some_and(|c| {
                    matches!(c.kind, NodeKind::Null) || c.scalar_text().as_deref() == Some("")
                })
            })
        })
        .map(|(_, n)| n.clone())
        .collect();
    let error = root.get("error").is_some();
    let mut kinds = Vec::new();
    for (i, step) in recipe.steps.iter().enumerate() {
        let op = step.operation.clone();
        if error {
            if i + 1 == recipe.steps.len() {
                kinds.push((op, "error"));
            }
            continue;
        }
        // A step without parameters names the columns of its conditions.
        let named = |column: &str| {
            step.params.iter().any(|(_, _, v)| names_column(v, column))
                || (step.params.is_empty()
                    && step.conditions.iter().any(|c| c.target_column == column))
        };
        // Missing values count for a step that names a column holding them (the columns such
        // a step makes hold them too), or that names no input column at all.
        let reads_input = names.iter().any(|c| named(c));
        let missing =
            with_missing.iter().any(|c| named(c)) || (!reads_input && !with_missing.is_empty());
        if missing {
            with_missing.extend(step.params.iter().flat_map(|(_, _, v)| scalars(v)));
            kinds.push((op.clone(), "missing values"));
        }
        if rows.is_empty() {
            kinds.push((op.clone(), "empty input"));
        }
        if !step.conditions.is_empty() {
            kinds.push((op.clone(), "conditions"));
        }
        kinds.push((op, "output"));
    }
    kinds
}

/// Every scalar text inside `params`.
fn scalars(params: &Node) -> Vec<String> {
    match &params.kind {
        NodeKind::Map(entries) => entries.iter().flat_map(|(_, v)| scalars(v)).collect(),
        NodeKind::List(items) => items.iter().flat_map(scalars).collect(),
        _ => params.scalar_text().into_iter().collect(),
    }
}

/// Whether any value inside `params` names `column` (alone, quoted in a JSON list, or in
/// backticks in an expression).
fn names_column(params: &Node, column: &str) -> bool {
    match &params.kind {
        NodeKind::Map(entries) => entries.iter().any(|(_, v)| names_column(v, column)),
        NodeKind::List(items) => items.iter().any(|v| names_column(v, column)),
        _ => params.scalar_text().is_some_and(|t| {
            t == column
                || t.contains(&format!("\"{column}\""))
                || t.contains(&format!("`{column}`"))
        }),
    }
}
