//! Names → dataset definitions, for the main dataset and the ones JOIN and UNION refer to.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::connections::ConnectionFiles;
use super::definition::{DatasetDef, Loaded};
use super::report::ReadReport;
use super::source::Format;
use super::{DatasetRef, InputRef, ResolveError, Resolver};
use crate::error::{Error, Result, did_you_mean};

/// How much of a dataset the catalogue reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The schema only (`validate`).
    Schema,
    /// The data (`run`, `check`, `profile`).
    Data,
}

/// Names → dataset definitions: `--with NAME=LOCATION` first, then `<dir>/NAME.yaml` (or any
/// dataset file in `<dir>` whose `name:` matches), then data files in `<dir>` by stem.
pub struct Catalogue {
    dir: PathBuf,
    overrides: Vec<(String, String)>,
    connections: ConnectionFiles,
    depth: Depth,
    /// The datasets folder's dataset files and their names, read on first use.
    files: std::cell::OnceCell<Vec<(String, PathBuf)>>,
    loaded: RefCell<BTreeMap<String, Loaded>>,
    /// Schemas read without the data (`Depth::Schema`).
    peeked: RefCell<BTreeMap<String, Schema>>,
}

impl Catalogue {
    pub fn new(dir: PathBuf, overrides: Vec<(String, String)>, depth: Depth) -> Self {
        Catalogue {
            connections: ConnectionFiles {
                explicit: None,
                datasets_dir: dir.clone(),
            },
            dir,
            overrides,
            depth,
            files: std::cell::OnceCell::new(),
            loaded: RefCell::new(BTreeMap::new()),
            peeked: RefCell::new(BTreeMap::new()),
        }
    }

    /// Look connections up in `file` instead of `connections.yaml` files.
    pub fn with_connections_file(mut self, file: Option<PathBuf>) -> Self {
        self.connections.explicit = file;
        self
    }

    pub fn connections(&self) -> &ConnectionFiles {
        &self.connections
    }

    /// The main dataset from the command line: a dataset file, a data file or location, or
    /// a name.
    pub fn main_dataset(&self, spec: &str) -> Result<DatasetDef> {
        let path = Path::new(spec);
        if path.is_file() || crate::s3::S3Url::is_s3(spec) {
            return self.definition_at(spec);
        }
        if path.is_dir() {
            return Err(Error::invalid_with_help(
                format!("dataset '{spec}' is a directory"),
                "give a data file, or a dataset file whose `path` is a glob (`path: dir/*.csv`)",
            ));
        }
        let looks_like_path =
            spec.contains(['/', '\\']) || Format::from_path(spec).is_some() || is_definition(path);
        if looks_like_path {
            return Err(Error::invalid_with_help(
                format!("dataset file '{spec}' not found"),
                "give a dataset file (datasets/NAME.yaml), a data file, or a dataset name",
            ));
        }
        self.by_name(spec)
            .map_err(|e| Error::invalid_with_help(e.message, e.help.unwrap_or_default()))
    }

    /// Where a dataset name is defined: `--with NAME=LOCATION`, `<dir>/NAME.yaml`, or the
    /// dataset file in `<dir>` whose `name:` it is.
    fn locate(&self, name: &str) -> Option<String> {
        if let Some((_, location)) = self.overrides.iter().find(|(n, _)| n == name) {
            return Some(location.clone());
        }
        let direct = self.dir.join(format!("{name}.yaml"));
        if direct.is_file() {
            return Some(direct.display().to_string());
        }
        self.dataset_files()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f.display().to_string())
    }

    fn by_name(&self, name: &str) -> std::result::Result<DatasetDef, ResolveError> {
        if let Some(location) = self.locate(name) {
            return self.definition_at(&location).map_err(ResolveError::from);
        }
        let known = self.known_names();
        Err(ResolveError {
            message: format!("unknown dataset '{name}'"),
            help: did_you_mean(name, known.iter().map(String::as_str)).or_else(|| {
                Some(if known.is_empty() {
                    format!(
                        "no datasets in '{}'; pass --datasets-dir or --with {name}=PATH",
                        self.dir.display()
                    )
                } else {
                    format!("known datasets: {}", known.join(", "))
                })
            }),
        })
    }

    /// The dataset files in the datasets folder with their names, read once.
    fn dataset_files(&self) -> &[(String, PathBuf)] {
        self.files.get_or_init(|| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| is_definition(p))
                        .filter(|p| !is_connections_file(p))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            files
                .into_iter()
                .filter_map(|f| Some((dataset_name(&f)?, f)))
                .collect()
        })
    }

    pub fn known_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.overrides.iter().map(|(n, _)| n.clone()).collect();
        names.extend(self.dataset_files().iter().map(|(n, _)| n.clone()));
        names.sort();
        names.dedup();
        names
    }

    /// The definition a reference resolves to: a known name wins, then the input location.
    fn definition(&self, d: &DatasetRef) -> std::result::Result<DatasetDef, ResolveError> {
        match (&d.name, &d.input) {
            (Some(name), Some(input)) if self.locate(name).is_none() => {
                self.input_definition(input)
            }
            (Some(name), _) => self.by_name(name),
            (None, Some(input)) => self.input_definition(input),
            (None, None) => Err(ResolveError {
                message: "the step names no dataset".into(),
                help: None,
            }),
        }
    }

    fn input_definition(&self, input: &InputRef) -> std::result::Result<DatasetDef, ResolveError> {
        match input {
            InputRef::Location(l) => self.definition_at(l).map_err(|e| ResolveError {
                message: format!("cannot read the dataset at '{l}': {e}"),
                help: Some(
                    "name it with secondaryDatasetName, or map it with --with NAME=LOCATION".into(),
                ),
            }),
            InputRef::Database {
                connection,
                table,
                query,
            } => DatasetDef::from_database(
                connection,
                table.as_deref(),
                query.as_deref(),
                &self.connections,
            )
            .map_err(ResolveError::from),
        }
    }

    fn ensure_loaded(&self, d: &DatasetRef) -> std::result::Result<(), ResolveError> {
        let key = cache_key(d);
        if self.loaded.borrow().contains_key(&key) {
            return Ok(());
        }
        let def = self.definition(d)?;
        let loaded = def.load().map_err(|e| ResolveError {
            message: format!("cannot read dataset '{d}': {e}"),
            help: None,
        })?;
        self.loaded.borrow_mut().insert(key, loaded);
        Ok(())
    }

    /// Read reports of the secondary datasets read so far.
    pub fn reports(&self) -> Vec<ReadReport> {
        self.loaded
            .borrow()
            .values()
            .map(|l| l.report.clone())
            .collect()
    }
}

impl Catalogue {
    /// A dataset file or a data location.
    fn definition_at(&self, location: &str) -> Result<DatasetDef> {
        if is_definition(Path::new(location)) {
            DatasetDef::from_file(Path::new(location), &self.connections)
        } else {
            DatasetDef::from_location(location)
        }
    }
}

/// A dataset file: YAML, or a small JSON document with an `Input` (DataBrew's dataset
/// definition) rather than data.
fn is_definition(p: &Path) -> bool {
    if is_yaml(p) {
        return true;
    }
    let is_json = p.extension().and_then(|e| e.to_str()) == Some("json");
    let small = std::fs::metadata(p).is_ok_and(|m| m.len() < 1 << 20);
    is_json
        && small
        && std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v.as_object()
                    .map(|o| o.keys().any(|k| k.eq_ignore_ascii_case("input")))
            })
            .unwrap_or(false)
}

/// The `name:` of a dataset file, without resolving its source (which may need a
/// connection or a server).
fn dataset_name(p: &Path) -> Option<String> {
    let text = std::fs::read_to_string(p).ok()?;
    let file = p.display().to_string();
    let root = crate::recipe::load::parse_document(&text, &file).ok()?;
    root.as_map()?;
    Some(
        root.field(&["name"])
            .and_then(|n| n.scalar_text())
            .unwrap_or_else(|| {
                p.file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default()
            }),
    )
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// `connections.yaml` names connections, not a dataset.
fn is_connections_file(p: &Path) -> bool {
    p.file_stem().and_then(|s| s.to_str()) == Some("connections")
}

/// Two references load the same data only if they are the same (name, location, query).
fn cache_key(d: &DatasetRef) -> String {
    format!("{d:?}")
}

impl From<Error> for ResolveError {
    fn from(e: Error) -> Self {
        ResolveError {
            message: e.to_string(),
            help: None,
        }
    }
}

impl Resolver for Catalogue {
    fn schema(&self, d: &DatasetRef) -> std::result::Result<Schema, ResolveError> {
        if self.depth == Depth::Schema {
            // Peeked once: a database answers each peek over a new connection.
            let key = cache_key(d);
            if let Some(schema) = self.peeked.borrow().get(&key) {
                return Ok(schema.clone());
            }
            let def = self.definition(d)?;
            let schema = def.peek().map(|p| p.schema).map_err(|e| ResolveError {
                message: format!("cannot read dataset '{d}': {e}"),
                help: None,
            })?;
            self.peeked.borrow_mut().insert(key, schema.clone());
            return Ok(schema);
        }
        self.ensure_loaded(d)?;
        Ok(self.loaded.borrow()[&cache_key(d)].schema.clone())
    }

    fn scan(&self, d: &DatasetRef) -> std::result::Result<LazyFrame, ResolveError> {
        self.ensure_loaded(d)?;
        Ok(self.loaded.borrow()[&cache_key(d)].lf.clone())
    }
}
