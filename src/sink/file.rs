//! Local outputs, always atomic (decisions.md, "Jobs and outputs"): a file is written to a
//! hidden temporary file in the destination folder and renamed over the final path only when
//! complete; a partitioned output is written to a hidden folder and exchanged with the old
//! one in one `renameat2(RENAME_EXCHANGE)`. Readers never see a half-written output, and a
//! failed or killed run leaves the previous one untouched. Temporary files carry the writing
//! process's id: the next run to the same output removes those whose process is gone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use polars::prelude::*;

use super::{Sink, WriteOptions, Written, ensure_parent_dir, write_file, write_partitions};
use crate::error::{Error, Result};

const TEMP_SUFFIX: &str = ".datacook-tmp";

pub struct FileSink {
    pub path: PathBuf,
}

impl Sink for FileSink {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn write(&self, lf: LazyFrame, opts: &WriteOptions) -> Result<Written> {
        let lf = super::writable(lf, opts.format)?;
        if opts.partition_by.is_empty() {
            let bytes = write_atomic(lf, &self.path, opts)?;
            Ok(Written {
                location: self.describe(),
                bytes: Some(bytes),
                files: Vec::new(),
            })
        } else {
            write_partitioned(lf, &self.path, opts)
        }
    }
}

/// A partitioned output folder holds this file: only such a folder is replaced.
pub(crate) const PARTITIONS_MARKER: &str = ".datacook-partitions";

/// The prefix of temporary files for `name`: `.NAME.HOST-PID.` (then six random
/// characters, then the suffix). Host and process tell a later run whether the writer lives.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.{}-{}.", host_name(), std::process::id())
}

/// This machine's name, reduced to letters, digits and `-` (no dots: they separate fields).
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let raw = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).to_string()
    } else {
        String::new()
    };
    let clean: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if clean.is_empty() {
        "host".into()
    } else {
        clean
    }
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| Error::invalid(format!("'{}' is not a file path", path.display())))
}

/// Write `lf` to `path` atomically and return the number of bytes written.
fn write_atomic(lf: LazyFrame, path: &Path, opts: &WriteOptions) -> Result<u64> {
    super::check_compression(opts.format, opts.compression)?;
    let dir = ensure_parent_dir(path)?;
    let name = file_name(path)?;
    remove_debris(&dir, &name);
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix(&name))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?
        .into_temp_path();
    let bytes = write_file(lf, &temp, opts, &format!("'{}'", path.display()))?;
    // On disk before it replaces the old output, so a crash leaves one or the other, whole
    // (Polars' sink does not sync a local file itself).
    sync_file(&temp)
        .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", path.display())))?;
    temp.persist(path).map_err(|e| {
        Error::runtime(format!(
            "cannot move the output into place at '{}': {}",
            path.display(),
            e.error
        ))
    })?;
    sync_dir(&dir);
    Ok(bytes)
}

/// Hive-style `col=value/` folders under `path`, written aside and exchanged with the old
/// folder in one step.
fn write_partitioned(lf: LazyFrame, path: &Path, opts: &WriteOptions) -> Result<Written> {
    super::check_compression(opts.format, opts.compression)?;
    let dir = ensure_parent_dir(path)?;
    let name = file_name(path)?;
    remove_debris(&dir, &name);
    if path.is_file() {
        return Err(Error::invalid_with_help(
            format!(
                "'{}' is a file, but a partitioned output is a folder",
                path.display()
            ),
            "choose another output, or remove the file",
        ));
    }
    let replaceable = !path.exists()
        || path.join(PARTITIONS_MARKER).is_file()
        || std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
    if !replaceable {
        return Err(Error::invalid_with_help(
            format!(
                "'{}' is a folder that datacook did not write; a partitioned output replaces \
                 its whole folder",
                path.display()
            ),
            "choose a new folder for the output",
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(&temp_prefix(&name))
        .suffix(TEMP_SUFFIX)
        .tempdir_in(&dir)
        .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?;
    let (files, bytes) =
        write_partitions(lf, staging.path(), opts, &format!("'{}'", path.display()))?;
    std::fs::write(
        staging.path().join(PARTITIONS_MARKER),
        "written by datacook\n",
    )
    .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?;
    // Files and folders on disk before they replace the old output.
    let written: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .chain([PARTITIONS_MARKER])
        .collect();
    for file in &written {
        sync_file(&staging.path().join(file)).map_err(|e| {
            Error::runtime(format!("cannot write '{}': {e}", path.join(file).display()))
        })?;
    }
    let folders: std::collections::BTreeSet<&Path> = written
        .iter()
        .flat_map(|f| Path::new(f).ancestors().skip(1))
        .collect();
    for folder in folders {
        sync_dir(&staging.path().join(folder));
    }
    let staged = staging.keep();
    if path.exists() {
        exchange(&staged, path)?;
        // `staged` now holds the previous output; a later run removes what is left of it.
        let _ = std::fs::remove_dir_all(&staged);
    } else {
        std::fs::rename(&staged, path).map_err(|e| {
            Error::runtime(format!(
                "cannot move the output into place at '{}': {e}",
                path.display()
            ))
        })?;
    }
    sync_dir(&dir);
    Ok(Written {
        location: path.display().to_string(),
        bytes: Some(bytes),
        files,
    })
}

/// Swap two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).ok();
    let (Some(ca), Some(cb)) = (c(a), c(b)) else {
        return Err(Error::runtime("an output path holds a NUL byte"));
    };
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them as given.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::runtime(format!(
            "cannot swap the new output into place at '{}': {}",
            b.display(),
            std::io::Error::last_os_error()
        )))
    }
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// A folder's entries on disk; one that cannot be synced (some filesystems refuse) is passed
/// over.
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Write a small text file atomically.
pub fn write_text_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = ensure_parent_dir(path)?;
    let name = file_name(path)?;
    remove_debris(&dir, &name);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(&name))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?;
    temp.write_all(text.as_bytes())
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", path.display())))?;
    temp.persist(path)
        .map_err(|e| Error::runtime(format!("cannot write '{}': {}", path.display(), e.error)))?;
    sync_dir(&dir);
    Ok(())
}

/// Remove the temporary files and folders that runs writing `name` in `dir` left behind
/// when they were killed: those of this machine whose process no longer runs, and those of
/// other machines (a shared folder) that are a day old.
pub fn remove_debris(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let host = host_name();
    for e in entries.flatten() {
        let entry = e.file_name().to_string_lossy().to_string();
        let Some((owner_host, pid)) = debris_owner(&entry, name) else {
            continue;
        };
        let abandoned = if owner_host == host && Path::new("/proc/self").exists() {
            pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(24 * 3600))
        };
        if abandoned {
            let p = e.path();
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
        }
    }
}

/// The host and process of a temporary file `.NAME.HOST-PID.XXXXXX.datacook-tmp` written
/// for `name`; None for any other file (another output's temporary files included).
fn debris_owner(entry: &str, name: &str) -> Option<(String, u32)> {
    let middle = entry
        .strip_prefix(&format!(".{name}."))?
        .strip_suffix(TEMP_SUFFIX)?;
    let (owner, random) = middle.split_once('.')?;
    if random.len() != 6 || !random.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (host, pid) = owner.rsplit_once('-')?;
    Some((host.to_string(), pid.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_names_are_read_exactly() {
        assert_eq!(
            debris_owner(".o.csv.box-1-42.aB3xYz.datacook-tmp", "o.csv"),
            Some(("box-1".to_string(), 42))
        );
        // Another output whose name starts like this one's.
        assert_eq!(
            debris_owner(".sales.2024.csv.box-42.aB3xYz.datacook-tmp", "sales"),
            None
        );
        assert_eq!(debris_owner(".o.csv.42.aB3xYz.datacook-tmp", "o.csv"), None);
        assert_eq!(
            debris_owner(".o.csv.box-42.abc.datacook-tmp", "o.csv"),
            None
        );
        assert!(!host_name().contains('.'));
    }
}
