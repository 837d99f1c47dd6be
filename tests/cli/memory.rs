//! A recipe job streams its input: under a hard memory cap of three quarters of the input's size
//! (a Linux memory cgroup, which charges the process's memory and the page cache it reads and
//! writes), a job whose statistics need a whole column (the median) finishes with the exact
//! output. The cap is real: the test needs the memory cgroup controller (v1, or v2 with `memory`
//! delegated), as root; without it the test fails, saying so.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// 900,001 non-missing values: an odd count, so the median is one of them.
const ROWS: u64 = 1_000_002;
const PAD: usize = 480;

const RECIPE: &str = "name: memory-cap
steps:
  - operation: FILL_WITH_MEDIAN
    parameters: {sourceColumn: n}
  - operation: DELETE
    parameters: {sourceColumns: [drop_me]}
";

fn n_of(i: u64) -> Option<u64> {
    (!i.is_multiple_of(10)).then_some((i * 7919) % 1000)
}

/// The input (about 500 MB) and the median of `n`.
fn write_input(path: &Path) -> u64 {
    let pad = "x".repeat(PAD);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    writeln!(w, "id,n,note,drop_me").unwrap();
    let mut counts = [0u64; 1000];
    for i in 0..ROWS {
        let n = n_of(i);
        if let Some(v) = n {
            counts[v as usize] += 1;
        }
        let n = n.map(|v| v.to_string()).unwrap_or_default();
        writeln!(w, "{i},{n},row{i}-{pad},{}", i % 7).unwrap();
    }
    w.flush().unwrap();
    let present: u64 = counts.iter().sum();
    assert_eq!(present % 2, 1, "the median must be one of the values");
    let mut seen = 0;
    for (v, c) in counts.iter().enumerate() {
        seen += c;
        if seen > present / 2 {
            return v as u64;
        }
    }
    unreachable!()
}

/// A memory cgroup capped at `bytes`; removed on drop.
struct Cgroup {
    dir: PathBuf,
    procs: PathBuf,
}

impl Cgroup {
    fn new(bytes: u64) -> Cgroup {
        let name = format!("datacook-test-{}", std::process::id());
        let v1 = Path::new("/sys/fs/cgroup/memory");
        let (dir, limit) = if v1.is_dir() {
            (v1.join(&name), "memory.limit_in_bytes")
        } else {
            (Path::new("/sys/fs/cgroup").join(&name), "memory.max")
        };
        std::fs::create_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "this test caps a job's memory with a cgroup and cannot create {}: {e} \
                 (it needs the memory controller and root)",
                dir.display()
            )
        });
        let group = Cgroup {
            procs: dir.join("cgroup.procs"),
            dir,
        };
        std::fs::write(group.dir.join(limit), bytes.to_string())
            .unwrap_or_else(|e| panic!("cannot set {limit}: {e}"));
        group
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[test]
fn a_job_runs_under_a_memory_cap_below_its_input_size() {
    let dir = tmpdir();
    let input = dir.path().join("wide.csv");
    let median = write_input(&input);
    let input_bytes = std::fs::metadata(&input).unwrap().len();
    let recipe = write(dir.path(), "recipe.yaml", RECIPE);
    let output = dir.path().join("out.csv");

    let cap = input_bytes / 4 * 3;
    let group = Cgroup::new(cap);
    // The shell joins the cgroup, then becomes datacook: every byte it allocates is capped.
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"echo $$ > "$0" && exec "$@""#)
        .arg(&group.procs)
        .arg(env!("CARGO_BIN_EXE_datacook"))
        .args(["run", &recipe, "--dataset", &path_str(&input), "--output"])
        .arg(&output)
        .arg("--quiet")
        .status()
        .expect("run datacook");
    assert!(
        status.success(),
        "the job failed under a cap of {} MiB for {} MiB of input: {status:?}{}",
        cap >> 20,
        input_bytes >> 20,
        match status.signal() {
            Some(9) => " (killed: out of memory)",
            _ => "",
        }
    );
    drop(group);

    let mut lines = BufReader::new(std::fs::File::open(&output).unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "id,n,note");
    let pad = "x".repeat(PAD);
    let mut rows = 0;
    for (i, line) in (0..).zip(lines) {
        let n = n_of(i).unwrap_or(median);
        assert_eq!(line.unwrap(), format!("{i},{n},row{i}-{pad}"), "row {i}");
        rows += 1;
    }
    assert_eq!(rows, ROWS);
}
