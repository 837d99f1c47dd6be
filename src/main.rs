//! The `datacook` command line: parse arguments, call the library, map errors to exit codes
//! (0 ok, 2 invalid recipe/dataset/arguments, 3 runtime failure).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use datacook::error::{Diagnostic, Error};
use datacook::job::check::{CheckOptions, check};
use datacook::job::prepare::Input;
use datacook::job::run::{RunOptions, run};
use datacook::profile::{ProfileOptions, Sample, profile};
use datacook::sink::{Compression, OutputFormat, TableMode};

#[derive(Parser)]
#[command(
    name = "datacook",
    version,
    about = "Run AWS Glue DataBrew recipes locally and in CI, over Polars.",
    long_about = "datacook runs data-preparation recipes written in AWS Glue DataBrew's \
vocabulary (JSON or YAML exports run unchanged) over CSV, Parquet and JSON files (local or in \
S3) and PostgreSQL, Redshift, MySQL and MariaDB tables.\n\n\
Typical use:\n  datacook validate recipes/student-performance.yaml -d datasets/students.yaml\n  \
datacook run recipes/student-performance.yaml -d datasets/students.yaml -o out/s.csv\n  \
datacook run recipe.json -d s3://bucket/patients.csv -o db://warehouse/public.patients_dq\n  \
datacook ops                 # every operation and its parameters\n\n\
Databases are named in a connections file (connections.yaml beside the dataset file or in the \
datasets folder, or --connections FILE); credentials come from the environment. S3 uses the \
standard AWS environment variables (AWS_ENDPOINT_URL for S3-compatible stores).\n\n\
Exit codes: 0 success, 2 invalid recipe/dataset/query/arguments, 3 runtime failure (I/O, a \
server that cannot be reached, wrong credentials)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The clock and seed of NOW, TODAY and the random operations.
#[derive(clap::Args, Clone)]
struct ClockArgs {
    /// The time NOW and TODAY see (ISO 8601, UTC), for reproducible runs; default: the real
    /// time when the run starts. The run report records it.
    #[arg(long, value_name = "TIMESTAMP", value_parser = datacook::clock::parse_now)]
    now: Option<i64>,
    /// The seed of the random operations (RANDOM, SHUFFLE_ROWS, …); default: a random one,
    /// recorded in the run report.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

impl ClockArgs {
    fn apply(&self) {
        datacook::clock::set(self.now, self.seed);
    }
}

#[derive(clap::Args, Clone)]
struct DatasetArgs {
    /// Folder of dataset files (NAME.yaml) used to resolve datasets by name (JOIN, UNION).
    #[arg(long, default_value = "datasets", value_name = "DIR")]
    datasets_dir: PathBuf,
    /// Map a dataset name to a dataset file or data location, overriding the datasets
    /// folder (repeatable).
    #[arg(long = "with", value_name = "NAME=LOCATION", value_parser = parse_with)]
    with: Vec<(String, String)>,
    /// Connections file naming the databases datasets read from (default: connections.yaml
    /// beside the dataset file, or in the datasets folder).
    #[arg(long, value_name = "FILE")]
    connections: Option<PathBuf>,
}

impl DatasetArgs {
    fn input(self, dataset: String, recipe: Option<PathBuf>) -> Input {
        Input {
            dataset,
            recipe,
            datasets_dir: self.datasets_dir,
            with: self.with,
            connections: self.connections,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a recipe job: dataset → recipe → output (a file, S3 object or table, replaced whole).
    #[command(
        long_about = "Run a recipe job. The dataset is read (CSV files are checked and \
repaired as needed), the recipe is checked against its schema, every step is compiled into one \
lazy Polars plan, and the output replaces OUTPUT only when complete: a file is written aside and \
renamed, an S3 object uploaded in parts, a table (db://CONNECTION/schema.table) loaded into a \
staging table and swapped in inside one transaction.\n\nThe numeric columns the first \
statistics read (a median, an outlier filter's mean and sd) are kept in memory while the CSV \
check reads the file, so the statistics take no pass of their own; DATACOOK_HOLD_BYTES=N caps \
that memory (0: stream them; default: a quarter of the available memory, at most half the \
input's size).\n\nExamples:\n  datacook run \
recipes/student-performance.yaml --dataset datasets/students.yaml \\\n    \
--output out/student-performance.csv --report out/run.json\n  datacook run \
recipes/student-performance.json --dataset datasets/students_pg.yaml \\\n    \
--output s3://bucket/students/ --format parquet --partition-by year"
    )]
    Run {
        /// Recipe file: DataBrew JSON/YAML export, or datacook YAML.
        recipe: PathBuf,
        /// Dataset: a dataset file (datasets/x.yaml, or DataBrew's dataset JSON), a dataset
        /// name, a data file, or an S3 location (s3://bucket/key, prefix/ or glob).
        #[arg(long, short)]
        dataset: String,
        /// Output: a file, s3://bucket/key, or db://CONNECTION/schema.table; replaced whole.
        #[arg(long, short)]
        output: String,
        /// Output format (default: from the output file's extension).
        #[arg(long, value_enum)]
        format: Option<OutputFormat>,
        /// Output compression (snappy: Parquet only).
        #[arg(long, value_enum, default_value_t = Compression::None)]
        compression: Compression,
        /// Write Hive-style col=value/ folders under the output, one level per column.
        #[arg(long, value_name = "COL[,COL]", value_delimiter = ',')]
        partition_by: Vec<String>,
        /// For a db:// output: replace the table, append to it, or create it (fails if it
        /// exists).
        #[arg(long, value_enum, default_value_t = TableMode::Replace)]
        mode: TableMode,
        /// Also write the run report as JSON to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Print the run report as JSON on stdout instead of the summary.
        #[arg(long)]
        json: bool,
        /// No progress indicator and no summary (warnings and errors still print).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        clock: ClockArgs,
        #[command(flatten)]
        datasets: DatasetArgs,
    },
    /// Check a recipe without running it; with --dataset, check it against the data's schema.
    #[command(
        long_about = "Check a recipe: its structure, operations, parameters and \
conditions. With --dataset, only the dataset's schema is read (header and first rows) and \
propagated step by step, so a column that a previous step deleted, or never existed, is \
reported with its step and line before any data is processed. Every problem is reported, not \
just the first."
    )]
    Validate {
        recipe: PathBuf,
        #[arg(long, short)]
        dataset: Option<String>,
        /// Print diagnostics as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        datasets: DatasetArgs,
    },
    /// The data-quality gate: check a dataset (optionally through a recipe) against a ruleset.
    #[command(
        long_about = "Check a dataset against a ruleset: DataBrew rules (CheckExpression, \
SubstitutionMap, Threshold, ColumnSelectors) plus datacook scorecard metrics and flags. Prints \
one PASS/FAIL line per rule, metric and flag with its measured value and threshold.\n\n\
Exit codes: 0 everything passes, 1 a rule, metric or flag fails, 2 invalid ruleset, recipe or \
arguments, 3 the data could not be read.\n\nExample (GitHub Actions):\n  datacook check \
datasets/patients.yaml --recipe recipes/patients-data-quality.yaml \\\n    --rules \
profiles/patients-scorecard.yaml --junit out/dq.xml --markdown \"$GITHUB_STEP_SUMMARY\""
    )]
    Check {
        /// Dataset: a dataset file, a dataset name, a data file, or an S3 location.
        dataset: String,
        /// Run this recipe first and check its output.
        #[arg(long, short)]
        recipe: Option<PathBuf>,
        /// Ruleset file (DataBrew JSON/YAML, or datacook YAML with metrics and flags).
        #[arg(long)]
        rules: PathBuf,
        /// Write the validation report (DataBrew's shape) as JSON.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Write a JUnit XML report (one testcase per rule, metric and flag).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write a Markdown summary (e.g. to $GITHUB_STEP_SUMMARY).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        /// Write the rows that pass every flag (or row-level rule) here, with the flag columns.
        #[arg(long, value_name = "FILE")]
        good: Option<PathBuf>,
        /// Write the other rows here.
        #[arg(long, value_name = "FILE")]
        bad: Option<PathBuf>,
        /// No progress indicator (the verdict still prints).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        clock: ClockArgs,
        #[command(flatten)]
        datasets: DatasetArgs,
    },
    /// Profile a dataset: every DataBrew column statistic, on the full data by default.
    #[command(
        long_about = "Profile a dataset (optionally the output of a recipe): the column \
statistics of a DataBrew profile job (counts, distinct and unique values, most common values, \
entropy, min/max/mean/median/mode, sd, variance, percentiles, MAD, skewness, kurtosis, z-score \
outliers, value and z-score distributions) and the dataset's duplicate rows and correlations. \
Writes DataBrew-shaped JSON (--output) and prints a summary.\n\nExample:\n  datacook profile \
datasets/students.yaml --output out/students.profile.json"
    )]
    Profile {
        /// Dataset: a dataset file, a dataset name, a data file, or an S3 location.
        dataset: String,
        /// Profile the output of this recipe.
        #[arg(long, short)]
        recipe: Option<PathBuf>,
        /// Write the profile as JSON (DataBrew's attribute names).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Write a self-contained HTML report with charts.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Rows to profile: full (every row), first:N, random:N or random:N:SEED.
        #[arg(long, value_parser = Sample::parse, default_value = "full")]
        sample: Sample,
        /// A DataBrew ProfileConfiguration (JSON or YAML): columns, statistics, parameters.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print the profile JSON on stdout instead of the summary.
        #[arg(long)]
        json: bool,
        /// No progress indicator and no summary (warnings and errors still print).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        datasets: DatasetArgs,
    },
    /// Print a JSON Schema for recipe files (for editors: completion and checks of operation
    /// and parameter names), generated from the operations' declarations.
    Schema,
    /// List the operations datacook knows, with their parameters.
    Ops {
        /// Show one operation only.
        name: Option<String>,
        /// Print as JSON (for tools).
        #[arg(long)]
        json: bool,
    },
}

fn parse_with(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((n, p)) if !n.is_empty() && !p.is_empty() => Ok((n.to_string(), p.to_string())),
        _ => Err(format!("expected NAME=LOCATION, found '{s}'")),
    }
}

fn main() -> ExitCode {
    // Read local files with buffered I/O instead of memory maps, so a large input never
    // counts towards the resident memory as a whole (streaming keeps memory below the input
    // size). Set before any thread starts.
    if std::env::var_os("POLARS_FORCE_ASYNC").is_none() {
        // SAFETY: no other thread exists yet.
        unsafe { std::env::set_var("POLARS_FORCE_ASYNC", "1") };
    }
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = match e.downcast_ref::<Error>() {
                Some(err @ Error::Runtime(_)) => {
                    eprintln!("error: {err}");
                    err.exit_code()
                }
                Some(err) => {
                    eprintln!("{err}");
                    err.exit_code()
                }
                // The reader went away (`datacook ops | head`): stop quietly, as Unix tools do.
                None if is_broken_pipe(&e) => 0,
                None => {
                    eprintln!("error: {e:#}");
                    3
                }
            };
            ExitCode::from(code as u8)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn print_warnings(warnings: &[Diagnostic]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run {
            recipe,
            dataset,
            output,
            format,
            compression,
            partition_by,
            mode,
            report,
            json,
            quiet,
            clock,
            datasets,
        } => {
            clock.apply();
            let opts = RunOptions {
                input: datasets.input(dataset, Some(recipe)),
                output,
                format,
                compression,
                partition_by,
                mode,
                progress: !quiet,
            };
            let result = run(&opts)?;
            print_warnings(&result.warnings);
            let text = serde_json::to_string_pretty(&result)?;
            if let Some(path) = report {
                datacook::job::write_text(&path, &format!("{text}\n"))?;
            }
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{text}")?;
            } else if !quiet {
                write!(out, "{}", result.summary())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate {
            recipe,
            dataset,
            json,
            datasets,
        } => validate(recipe, dataset, json, datasets),
        Command::Ops { name, json } => list_ops(name, json),
        Command::Schema => {
            let schema = datacook::ops::schema::recipe_schema();
            writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string_pretty(&schema)?
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Profile {
            dataset,
            recipe,
            output,
            html,
            sample,
            config,
            json,
            quiet,
            datasets,
        } => {
            let outcome = profile(&ProfileOptions {
                input: datasets.input(dataset, recipe),
                output,
                html,
                sample,
                config,
                progress: !quiet,
            })?;
            print_warnings(&outcome.warnings);
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome.json)?);
            } else if !quiet {
                print!("{}", outcome.summary);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            dataset,
            recipe,
            rules,
            json,
            junit,
            markdown,
            good,
            bad,
            quiet,
            clock,
            datasets,
        } => {
            clock.apply();
            let outcome = check(&CheckOptions {
                input: datasets.input(dataset, recipe),
                rules,
                json,
                junit,
                markdown,
                good,
                bad,
                progress: !quiet,
            })?;
            print_warnings(&outcome.warnings);
            print!("{}", outcome.summary);
            Ok(if outcome.evaluation.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn validate(
    recipe: PathBuf,
    dataset: Option<String>,
    json: bool,
    datasets: DatasetArgs,
) -> anyhow::Result<ExitCode> {
    let input = dataset.map(|d| datasets.input(d, Some(recipe.clone())));
    match datacook::job::input::validate(recipe, input) {
        Ok(v) => {
            let columns = v.output.as_ref().map(describe_columns);
            if json {
                let schema: Option<Vec<serde_json::Value>> = v.output.as_ref().map(|s| {
                    s.iter()
                        .map(|(n, d)| serde_json::json!({"column": n.as_str(), "type": d.to_string()}))
                        .collect()
                });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "valid": true, "steps": v.steps, "output_columns": columns,
                        "output_schema": schema, "dataset": v.dataset, "diagnostics": v.warnings
                    }))?
                );
            } else {
                print_warnings(&v.warnings);
                match columns {
                    Some(c) => println!("ok: {}, {c}", plural(v.steps, "step")),
                    None => println!("ok: {}", plural(v.steps, "step")),
                }
                if let Some(d) = v.dataset.as_ref().and_then(|d| d.dialect.as_ref())
                    && let Some(pin) = d.pin_hint()
                {
                    println!(
                        "detected CSV dialect: delimiter {:?}, quote {:?}, escape {}, {}, \
                         {} preamble line(s) skipped\n  to pin it, add to the dataset file: {pin}",
                        d.delimiter,
                        d.quote,
                        datacook::dataset::sniff::serde_plain(&d.escape),
                        if d.header {
                            "header row"
                        } else {
                            "no header row"
                        },
                        d.skip_rows
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "valid": false, "diagnostics": e.diagnostics()
                    }))?
                );
                Ok(ExitCode::from(e.exit_code() as u8))
            } else {
                Err(e.into())
            }
        }
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "12 output columns", plus what only the data can tell (ONE_HOT_ENCODING's columns,
/// JSON_TO_STRUCTS' fields).
fn describe_columns(schema: &polars::prelude::Schema) -> String {
    let suffix = datacook::ops::mapping::DYNAMIC_SUFFIX;
    // A placeholder of unknown (null) type stands for a struct's fields, others for values.
    let placeholders = |fields: bool| -> Vec<String> {
        schema
            .iter()
            .filter(|(_, t)| (**t == polars::prelude::DataType::Null) == fields)
            .filter_map(|(n, _)| n.strip_suffix(suffix).map(|p| format!("{p}*")))
            .collect()
    };
    let (values, fields) = (placeholders(false), placeholders(true));
    let known = schema.len() - values.len() - fields.len();
    let mut out = format!("{known} output columns");
    for (names, each) in [(values, "value"), (fields, "field")] {
        if !names.is_empty() {
            out += &format!(
                " plus {} (one per {each}, known once the data is read)",
                names.join(", ")
            );
        }
    }
    let unknown = datacook::types::unknown_struct();
    let structs: Vec<&str> = schema
        .iter()
        .filter(|(_, t)| t.contains_dtype_recursive(&unknown))
        .map(|(n, _)| n.as_str())
        .collect();
    if !structs.is_empty() {
        out += &format!(
            "; the fields of {} are known once the data is read",
            structs.join(", ")
        );
    }
    out
}

fn list_ops(name: Option<String>, json: bool) -> anyhow::Result<ExitCode> {
    let specs: Vec<_> = datacook::ops::all()
        .filter(|s| name.as_deref().is_none_or(|n| n == s.name))
        .collect();
    if specs.is_empty() {
        let n = name.unwrap_or_default();
        return Err(Error::invalid_with_help(
            format!("unknown operation '{n}'"),
            datacook::ops::suggest(&n).unwrap_or_else(|| "run `datacook ops` to list them".into()),
        )
        .into());
    }
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&specs)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut families: Vec<&str> = Vec::new();
    for s in &specs {
        if !families.contains(&s.family) {
            families.push(s.family);
        }
    }
    for family in families {
        writeln!(out, "\n{}", family.to_uppercase())?;
        for s in specs.iter().filter(|s| s.family == family) {
            describe_op(&mut out, s)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_op(out: &mut impl Write, s: &datacook::ops::OpSpec) -> std::io::Result<()> {
    match s.status {
        datacook::ops::Status::Supported => {}
        datacook::ops::Status::Unsupported(reason) => {
            return writeln!(out, "  {:<26} unsupported: {reason}", s.name);
        }
    }
    writeln!(out, "  {:<26} {}", s.name, s.summary)?;
    for p in s.params {
        let req = if p.required { "required" } else { "optional" };
        let default = p
            .default
            .map(|d| format!(", default {d}"))
            .unwrap_or_default();
        writeln!(
            out,
            "      {:<24} {} ({req}{default}): {}",
            p.name,
            p.kind.describe(),
            p.doc
        )?;
    }
    let cond = match s.conditions {
        datacook::ops::Conditions::Unsupported => "not allowed",
        datacook::ops::Conditions::RowFilter => "rows are removed only where they hold",
        datacook::ops::Conditions::InPlace => "values change only where they hold",
        datacook::ops::Conditions::NewColumn => "the new column is null where they do not hold",
        datacook::ops::Conditions::Required => "required: the rows to remove",
    };
    writeln!(out, "      {:<24} {cond}", "ConditionExpressions")?;
    let scope = match s.scope {
        datacook::ops::Scope::RowLocal => "row-local: each output row comes from its input row",
        datacook::ops::Scope::WholeDataset => {
            "whole-dataset: reads other rows (order, groups, windows)"
        }
    };
    writeln!(out, "      {:<24} {scope}", "Scope")
}
