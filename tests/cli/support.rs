#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use polars::prelude::*;

/// The repository root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Run the datacook binary from the repository root.
pub fn datacook(args: &[&str]) -> Run {
    datacook_with_env(args, &[])
}

/// [`datacook`] with environment variables set.
pub fn datacook_with_env(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_datacook"))
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(root())
        .output()
        .expect("run datacook");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

pub fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

/// Write `text` to the file `name` in `dir`; returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    path_str(&p)
}

/// Read a CSV output with every column as text, exactly as written.
pub fn read_csv_text(path: &Path) -> DataFrame {
    LazyCsvReader::new(PlRefPath::new(path_str(path)))
        .with_infer_schema_length(Some(0))
        .finish()
        .and_then(|lf| lf.collect())
        .expect("read csv")
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("parse json")
}

/// Files in a directory (names), sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Text values of a column (nulls as "").
pub fn texts(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .expect("column")
        .str()
        .expect("text column")
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

/// The identity recipe (`[]`, every column kept as read) as `identity.json` in `dir`.
pub fn identity_recipe(dir: &Path) -> String {
    write(dir, "identity.json", "[]")
}

/// `(column, type)` pairs of a report's column list (`validate --json`, a run's dataset).
pub fn column_types(columns: &serde_json::Value) -> Vec<(String, String)> {
    columns
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `datacook run RECIPE --dataset DATASET --output OUTPUT`, then any further flags.
pub fn run_job(recipe: &str, dataset: &str, output: &str, flags: &[&str]) -> Run {
    let mut args = vec!["run", recipe, "--dataset", dataset, "--output", output];
    args.extend_from_slice(flags);
    datacook(&args)
}

/// Run the identity recipe (`[]`) on a dataset into `dir/out`, with the run report as JSON.
pub fn run_identity(dir: &Path, dataset: &str, out: &str) -> (Run, serde_json::Value) {
    let recipe = identity_recipe(dir);
    let out = dir.join(out);
    let r = run_job(&recipe, dataset, &path_str(&out), &["--json"]);
    let report = serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null);
    (r, report)
}

/// Start a run and kill it with SIGKILL (no chance to clean up) as soon as `writing` says
/// it is writing its output; whether that moment came.
pub fn kill_while_writing(
    args: &[&str],
    envs: &[(&str, String)],
    writing: &dyn Fn() -> bool,
) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_datacook"))
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = false;
    while Instant::now() < deadline {
        if writing() {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    seen
}

/// `big.csv` in `dir` with `rows` rows of `id,a,b`: its path and its text.
pub fn big_csv(dir: &Path, rows: usize) -> (String, String) {
    let mut text = String::from("id,a,b\n");
    for i in 0..rows {
        text.push_str(&format!("{i},value-{i},{}\n", i * 7));
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, &text).unwrap();
    (path_str(&path), text)
}
