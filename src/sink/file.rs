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

use super::{Sink, WriteOptions, Written, ensure_parent_dir, file_format, partitioned};
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

/// The prefix of temporary files for `name`: `.NAME.PID.` (then random, then the suffix).
fn temp_prefix(name: &str) -> String {
    format!(".{name}.{}.", std::process::id())
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
    let target = SinkDestination::File {
        target: SinkTarget::Path(PlRefPath::new(temp.display().to_string())),
    };
    let args = UnifiedSinkArgs {
        sync_on_close: polars::io::utils::sync_on_close::SyncOnCloseType::All,
        ..Default::default()
    };
    lf.sink(target, file_format(opts.format, opts.compression), args)
        .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
        .map_err(|e| Error::runtime(format!("writing '{}' failed: {e}", path.display())))?;
    let bytes = std::fs::metadata(&temp).map(|m| m.len()).unwrap_or(0);
    temp.persist(path).map_err(|e| {
        Error::runtime(format!(
            "cannot move the output into place at '{}': {}",
            path.display(),
            e.error
        ))
    })?;
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
    let staging = tempfile::Builder::new()
        .prefix(&temp_prefix(&name))
        .suffix(TEMP_SUFFIX)
        .tempdir_in(&dir)
        .map_err(|e| Error::runtime(format!("cannot write in '{}': {e}", dir.display())))?;
    partitioned(lf, &staging.path().display().to_string(), opts)
        .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
        .map_err(|e| Error::runtime(format!("writing '{}' failed: {e}", path.display())))?;
    let mut files = Vec::new();
    let mut bytes = 0;
    collect_files(staging.path(), staging.path(), &mut files, &mut bytes);
    files.sort();
    let staged = staging.keep();
    if path.exists() {
        exchange(&staged, path)?;
        // `staged` now holds the previous output.
        std::fs::remove_dir_all(&staged)
            .map_err(|e| Error::runtime(format!("cannot remove the previous output: {e}")))?;
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

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>, bytes: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(root, &p, out, bytes);
        } else {
            *bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
            if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.display().to_string());
            }
        }
    }
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
    Ok(())
}

/// Remove the temporary files and folders that runs writing `name` in `dir` left behind
/// when they were killed: those whose process no longer runs (or, where that cannot be
/// told, that are a day old).
pub fn remove_debris(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let entry = e.file_name().to_string_lossy().to_string();
        let Some(rest) = entry.strip_prefix(&prefix) else {
            continue;
        };
        if !entry.ends_with(TEMP_SUFFIX) {
            continue;
        }
        let owner = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
        let abandoned = match owner {
            Some(pid) if Path::new("/proc/self").exists() => {
                pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
            }
            _ => e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(24 * 3600)),
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
