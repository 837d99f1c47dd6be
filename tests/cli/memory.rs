//! A recipe job streams its input: under a hard memory cap of three quarters of the input's size
//! (a Linux memory cgroup, which charges the process's memory and the page cache it reads and
//! writes), a job whose statistics need a whole column (the median) finishes with the exact
//! output, both with that column held in memory as the file is inspected (it fits the room the
//! cgroup leaves) and with nothing held (`DATACOOK_HOLD_BYTES=0`: the statistics stream, as
//! they do for inputs whose columns do not fit). The cap is real: the test needs the memory cgroup controller (v1, or v2 with `memory`
//! delegated) and root; without them it fails, saying so.

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

/// A memory cgroup capped at `bytes` (swap included), made inside the test's own cgroup so the
/// limits above it still hold; removed on drop.
struct Cgroup {
    dir: PathBuf,
    procs: PathBuf,
}

impl Cgroup {
    fn new(bytes: u64) -> Cgroup {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        // Lines "ID:controller,...:path"; v2's is "0::path".
        let under = |controllers: &str| {
            own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, c, p) = (parts.next()?, parts.next()?, parts.next()?);
                c.split(',')
                    .any(|x| x == controllers)
                    .then(|| p.trim().to_string())
            })
        };
        // v1: the memory hierarchy; v2: the unified one (with `memory` delegated to it).
        let v1 = Path::new("/sys/fs/cgroup/memory");
        let cap = bytes.to_string();
        // (control file, value, required): swap is capped too where the kernel offers it.
        let (parent, limits) = match (under("memory"), under("")) {
            (Some(p), _) if v1.is_dir() => (
                v1.join(p.trim_start_matches('/')),
                [
                    ("memory.limit_in_bytes", cap.clone(), true),
                    ("memory.memsw.limit_in_bytes", cap, false),
                ],
            ),
            (_, Some(p)) if Path::new("/sys/fs/cgroup/cgroup.controllers").is_file() => (
                Path::new("/sys/fs/cgroup").join(p.trim_start_matches('/')),
                [
                    ("memory.max", cap, true),
                    ("memory.swap.max", "0".into(), false),
                ],
            ),
            _ => panic!(
                "this test caps a job's memory with a cgroup, and this machine has no memory \
                 cgroup controller (/proc/self/cgroup: {own:?})"
            ),
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = parent.join(format!("datacook-test-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "this test caps a job's memory with a cgroup and cannot create {}: {e} (it \
                 needs root and the memory controller)",
                dir.display()
            )
        });
        let group = Cgroup {
            procs: dir.join("cgroup.procs"),
            dir,
        };
        for (file, value, required) in limits {
            // Written, never created: a missing control file means no controller.
            let set = std::fs::OpenOptions::new()
                .write(true)
                .open(group.dir.join(file))
                .and_then(|mut f| f.write_all(value.as_bytes()));
            if let Err(e) = set
                && required
            {
                panic!("cannot set {file} in {}: {e}", group.dir.display());
            }
        }
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
    // On disk, not in a tmpfs /tmp, whose pages the cap would count and could not reclaim.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let input = dir.path().join("wide.csv");
    let median = write_input(&input);
    let input_bytes = std::fs::metadata(&input).unwrap().len();
    let recipe = write(dir.path(), "recipe.yaml", RECIPE);

    // The median's column held in memory as the file is inspected (it fits the cgroup's
    // room), then with nothing held: the statistics stream.
    for (hold, held) in [(None, vec!["n"]), (Some("0"), vec![])] {
        let output = dir.path().join(format!("out-{}.csv", held.len()));
        let report = dir.path().join(format!("report-{}.json", held.len()));
        let cap = input_bytes / 4 * 3;
        let group = Cgroup::new(cap);
        // The shell joins the cgroup, then becomes datacook: every byte it allocates is capped.
        let mut job = Command::new("sh");
        job.arg("-c")
            .arg(r#"echo $$ > "$0" && exec "$@""#)
            .arg(&group.procs)
            .arg(env!("CARGO_BIN_EXE_datacook"))
            .args(["run", &recipe, "--dataset", &path_str(&input), "--output"])
            .arg(&output)
            .arg("--report")
            .arg(&report)
            .arg("--quiet");
        if let Some(bytes) = hold {
            job.env("DATACOOK_HOLD_BYTES", bytes);
        }
        let status = job.status().expect("run datacook");
        assert!(
            status.success(),
            "the job (holding {hold:?}) failed under a cap of {} MiB for {} MiB of input: \
             {status:?}{}",
            cap >> 20,
            input_bytes >> 20,
            match status.signal() {
                Some(9) => " (killed: out of memory)",
                _ => "",
            }
        );
        drop(group);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(
            report["dataset"]["in_memory"],
            serde_json::json!(if held.is_empty() { None } else { Some(held) }),
        );
        check_output(&output, median);
    }
}

/// Every row, with the missing `n` filled with the median.
fn check_output(output: &Path, median: u64) {
    let mut lines = BufReader::new(std::fs::File::open(output).unwrap()).lines();
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
