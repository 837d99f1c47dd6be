//! Combining datasets: JOIN and UNION.

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    require_column,
};
use crate::dataset::{DatasetRef, InputRef, ResolveError};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const JOIN_TYPES: &[&str] = &[
    "INNER_JOIN",
    "LEFT_JOIN",
    "RIGHT_JOIN",
    "OUTER_JOIN",
    "LEFT_EXCLUDING_JOIN",
    "RIGHT_EXCLUDING_JOIN",
    "OUTER_EXCLUDING_JOIN",
];

params! {
    struct JoinParams {
        keys: serde_json::Value = ParamSpec::req(
            "joinKeys",
            ParamKind::Json,
            "JSON list of {\"key\": <left column>, \"value\": <right column>}; pairs are ANDed.",
        ),
        how: String = ParamSpec::req("joinType", ParamKind::Choice(JOIN_TYPES), "The kind of join."),
        left_columns: Option<Vec<String>> = ParamSpec::opt(
            "leftColumns",
            ParamKind::Columns,
            "Columns kept from the current data (default: all).",
        ),
        right_columns: Option<Vec<String>> = ParamSpec::opt(
            "rightColumns",
            ParamKind::Columns,
            "Columns kept from the second dataset (default: all).",
        ),
        dataset_name: Option<String> = ParamSpec::opt(
            "secondaryDatasetName",
            ParamKind::Text,
            "The second dataset, by name in the dataset catalogue.",
        ),
        location: Option<String> = ParamSpec::opt(
            "secondInputLocation",
            ParamKind::Text,
            "The second dataset by location (a path, or s3://bucket/key).",
        ),
        input: Option<serde_json::Value> = ParamSpec::opt(
            "secondInput",
            ParamKind::Json,
            "The second dataset as {\"S3InputDefinition\": {\"Bucket\", \"Key\"}}.",
        ),
    }
}

params! {
    struct UnionParams {
        columns: Option<serde_json::Value> = ParamSpec::opt(
            "datasetsColumns",
            ParamKind::Json,
            "JSON list of lists, one per dataset (current first), aligned to \
             targetColumnNames; null where a dataset lacks the column.",
        ),
        names: Option<Vec<String>> = ParamSpec::opt(
            "secondaryDatasetNames",
            ParamKind::Datasets,
            "The other datasets, by name (JSON list).",
        ),
        inputs: Option<serde_json::Value> = ParamSpec::opt(
            "secondaryInputs",
            ParamKind::Json,
            "The other datasets as a JSON list of {\"S3InputDefinition\": {\"Bucket\", \"Key\"}}.",
        ),
        targets: Option<Vec<String>> = ParamSpec::opt(
            "targetColumnNames",
            ParamKind::Columns,
            "Names of the output columns (default: the current dataset's columns).",
        ),
    }
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "JOIN",
        family: "combine",
        summary: "Join with a second dataset on key columns, keeping chosen columns.",
        params: JoinParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Join::from_params(p)?))),
    },
    OpSpec {
        name: "UNION",
        family: "combine",
        summary: "Stack the rows of other datasets under the current one (UNION ALL).",
        params: UnionParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Union::from_params(p)?))),
    },
];

/// A column missing from another dataset than the step's input (so no earlier step of this
/// recipe is to blame).
fn in_other_dataset(e: OpError, dataset: &str) -> OpError {
    OpError {
        message: format!("{} in {dataset}", e.message),
        column: None,
        ..e
    }
}

fn resolve_error(e: ResolveError, param: &'static str) -> OpError {
    let mut err = OpError::new(e.message).param(param);
    err.help = e.help;
    err
}

/// Where an input definition points: `{"S3InputDefinition": {"Bucket": b, "Key": k}}`, or
/// `{"DatabaseInputDefinition": {"GlueConnectionName": c, "DatabaseTableName": t}}` (or a
/// `QueryString`), the connection found in the connections file.
fn input_ref(v: &serde_json::Value, param: &'static str) -> OpResult<InputRef> {
    let field = |obj: &serde_json::Value, k: &str| -> Option<serde_json::Value> {
        obj.as_object()?
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let text = |obj: &serde_json::Value, k: &str| field(obj, k)?.as_str().map(str::to_string);
    if let Some(def) = field(v, "S3InputDefinition") {
        return match (text(&def, "Bucket"), text(&def, "Key")) {
            (Some(b), Some(k)) => Ok(InputRef::Location(format!("s3://{b}/{k}"))),
            _ => Err(
                OpError::new(format!("{param}: S3InputDefinition needs Bucket and Key"))
                    .param(param),
            ),
        };
    }
    if let Some(def) = field(v, "DatabaseInputDefinition") {
        return match text(&def, "GlueConnectionName") {
            Some(connection) => Ok(InputRef::Database {
                connection,
                table: text(&def, "DatabaseTableName"),
                query: text(&def, "QueryString"),
            }),
            None => Err(OpError::new(format!(
                "{param}: DatabaseInputDefinition needs GlueConnectionName"
            ))
            .param(param)),
        };
    }
    Err(OpError::new(format!(
        "{param}: expected an S3InputDefinition or a DatabaseInputDefinition, found {v}"
    ))
    .param(param))
}

// ---- JOIN ---------------------------------------------------------------------------------

/// Left columns kept, and right columns kept with their output names.
type KeptColumns = (Vec<String>, Vec<(String, String)>);

/// JOIN (decisions.md, "Joins"):
/// * `joinKeys` pairs left `key` with right `value`; several pairs are ANDed; null keys never
///   match. Keys of different types are compared as text.
/// * Left order is kept for LEFT, INNER and LEFT_EXCLUDING joins, right order for RIGHT and
///   RIGHT_EXCLUDING; OUTER keeps left order, then unmatched right rows in right order. Fan-out
///   is kept (no dedup), and a row's several matches come in the other side's order (datacook's
///   decision: the output is the same in every run).
/// * Output: `leftColumns` (default all) then `rightColumns` (default all) at the end, in the
///   given order. Key columns are not merged: a kept right key is its own column, null where no
///   match. A kept right column whose name clashes with a kept left column is renamed
///   `<name>_right` (with a warning in the run report).
/// * LEFT_EXCLUDING = left rows with no match (left columns only); RIGHT_EXCLUDING = right
///   rows with no match (right columns only); OUTER_EXCLUDING = the unmatched rows of both.
pub struct Join {
    keys: Vec<(String, String)>,
    how: String,
    left_columns: Option<Vec<String>>,
    right_columns: Option<Vec<String>>,
    dataset: DatasetRef,
    dataset_param: &'static str,
}

const RIGHT_PREFIX: &str = "__datacook_right__";

impl Join {
    fn from_params(p: &Params) -> OpResult<Self> {
        let bad_keys = |m: String| {
            OpError::new(m)
                .param("joinKeys")
                .help(r#"write [{"key": "Id", "value": "PATIENT"}]"#)
        };
        let j = JoinParams::read(p);
        let list = j
            .keys
            .as_array()
            .ok_or_else(|| bad_keys("joinKeys must be a JSON list".into()))?;
        if list.is_empty() {
            return Err(bad_keys("joinKeys is empty".into()));
        }
        let keys = list
            .iter()
            .map(|k| {
                match (
                    k.get("key").and_then(|v| v.as_str()),
                    k.get("value").and_then(|v| v.as_str()),
                ) {
                    (Some(l), Some(r)) => Ok((l.to_string(), r.to_string())),
                    _ => Err(bad_keys(format!(
                        "a join key needs \"key\" and \"value\", found {k}"
                    ))),
                }
            })
            .collect::<OpResult<Vec<_>>>()?;
        let input = match (j.location, &j.input) {
            (Some(loc), _) => Some((InputRef::Location(loc), "secondInputLocation")),
            (None, Some(v)) => Some((input_ref(v, "secondInput")?, "secondInput")),
            (None, None) => None,
        };
        let name = j.dataset_name;
        let dataset_param = match (&name, &input) {
            (Some(_), _) => "secondaryDatasetName",
            (None, Some((_, param))) => param,
            (None, None) => {
                return Err(OpError::new("JOIN needs the second dataset").help(
                    "add `secondaryDatasetName: <name>` (a dataset in the datasets folder)",
                ));
            }
        };
        let dataset = DatasetRef {
            name,
            input: input.map(|(i, _)| i),
        };
        Ok(Join {
            keys,
            how: j.how,
            left_columns: j.left_columns,
            right_columns: j.right_columns,
            dataset,
            dataset_param,
        })
    }

    fn keeps_left(&self) -> bool {
        self.how != "RIGHT_EXCLUDING_JOIN"
    }

    fn keeps_right(&self) -> bool {
        self.how != "LEFT_EXCLUDING_JOIN"
    }

    /// (left kept columns, right kept columns with their output names), validated.
    fn output_columns(&self, left: &Schema, right: &Schema) -> OpResult<KeptColumns> {
        for (l, r) in &self.keys {
            require_column(left, l, "joinKeys")?;
            require_column(right, r, "joinKeys")
                .map_err(|e| in_other_dataset(e, "the second dataset"))?;
        }
        let left_cols = match &self.left_columns {
            Some(cols) => {
                for c in cols {
                    require_column(left, c, "leftColumns")?;
                }
                super::no_repeats(cols.iter().map(String::as_str), "leftColumns")?;
                cols.clone()
            }
            None => left.iter_names().map(|n| n.to_string()).collect(),
        };
        let right_cols = match &self.right_columns {
            Some(cols) => {
                for c in cols {
                    require_column(right, c, "rightColumns")
                        .map_err(|e| in_other_dataset(e, "the second dataset"))?;
                }
                super::no_repeats(cols.iter().map(String::as_str), "rightColumns")?;
                cols.clone()
            }
            None => right.iter_names().map(|n| n.to_string()).collect(),
        };
        let left_kept = if self.keeps_left() {
            left_cols
        } else {
            Vec::new()
        };
        let mut right_kept = Vec::new();
        if self.keeps_right() {
            for c in right_cols {
                let mut out = c.clone();
                while left_kept.contains(&out) || right_kept.iter().any(|(_, o)| *o == out) {
                    out = format!("{out}_right");
                }
                right_kept.push((c, out));
            }
        }
        Ok((left_kept, right_kept))
    }

    fn right_schema(&self, resolver: &dyn crate::dataset::Resolver) -> OpResult<Schema> {
        resolver
            .schema(&self.dataset)
            .map_err(|e| resolve_error(e, self.dataset_param))
    }
}

impl Operation for Join {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, ctx: &SchemaCtx) -> OpResult<Schema> {
        let right = self.right_schema(ctx.datasets)?;
        let (left_kept, right_kept) = self.output_columns(input, &right)?;
        let mut out = Schema::with_capacity(left_kept.len() + right_kept.len());
        for c in &left_kept {
            out.with_column(
                c.as_str().into(),
                input.get(c.as_str()).cloned().unwrap_or(DataType::Null),
            );
        }
        for (c, name) in &right_kept {
            out.with_column(
                name.as_str().into(),
                right.get(c.as_str()).cloned().unwrap_or(DataType::Null),
            );
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let right_schema = self.right_schema(ctx.datasets)?;
        let (left_kept, right_kept) = self.output_columns(&ctx.schema, &right_schema)?;
        for (c, name) in &right_kept {
            if c != name {
                ctx.warnings.push(format!(
                    "right column '{c}' clashes with a left column and is named '{name}'"
                ));
            }
        }
        let right = ctx
            .datasets
            .scan(&self.dataset)
            .map_err(|e| resolve_error(e, self.dataset_param))?;

        // Private names on the right, key columns on both sides, presence markers.
        let mut left = lf.with_column(lit(true).alias("__datacook_left_present"));
        let mut right_exprs: Vec<Expr> = right_schema
            .iter_names()
            .map(|n| col(n.as_str()).alias(format!("{RIGHT_PREFIX}{n}")))
            .collect();
        right_exprs.push(lit(true).alias("__datacook_right_present"));
        let mut left_on = Vec::new();
        let mut right_on = Vec::new();
        for (i, (l, r)) in self.keys.iter().enumerate() {
            let (lt, rt) = (
                ctx.schema
                    .get(l.as_str())
                    .cloned()
                    .unwrap_or(DataType::Null),
                right_schema
                    .get(r.as_str())
                    .cloned()
                    .unwrap_or(DataType::Null),
            );
            let as_text = lt != rt;
            if as_text {
                ctx.warnings.push(format!(
                    "join key '{l}' ({lt}) and '{r}' ({rt}) have different types; compared as text"
                ));
            }
            let cast = |e: Expr| if as_text { e.cast(DataType::String) } else { e };
            let lk = format!("__datacook_lkey{i}");
            let rk = format!("__datacook_rkey{i}");
            left = left.with_column(cast(col(l.as_str())).alias(lk.as_str()));
            right_exprs.push(cast(col(r.as_str())).alias(rk.as_str()));
            left_on.push(col(lk.as_str()));
            right_on.push(col(rk.as_str()));
        }
        let right = right.select(right_exprs);

        let (how, order) = match self.how.as_str() {
            "INNER_JOIN" => (JoinType::Inner, MaintainOrderJoin::LeftRight),
            "LEFT_JOIN" => (JoinType::Left, MaintainOrderJoin::LeftRight),
            "RIGHT_JOIN" => (JoinType::Right, MaintainOrderJoin::RightLeft),
            _ => (JoinType::Full, MaintainOrderJoin::LeftRight),
        };
        let args = |how: JoinType, order: MaintainOrderJoin| {
            let mut a = JoinArgs::new(how);
            a.coalesce = JoinCoalesce::KeepColumns;
            a.maintain_order = order;
            a.nulls_equal = false;
            a
        };
        let joined = match self.how.as_str() {
            "LEFT_EXCLUDING_JOIN" => left.join(
                right,
                left_on,
                right_on,
                args(JoinType::Anti, MaintainOrderJoin::Left),
            ),
            "RIGHT_EXCLUDING_JOIN" => right.join(
                left,
                right_on,
                left_on,
                args(JoinType::Anti, MaintainOrderJoin::Left),
            ),
            "OUTER_EXCLUDING_JOIN" => left
                .join(right, left_on, right_on, args(how, order))
                .filter(
                    col("__datacook_left_present")
                        .is_null()
                        .or(col("__datacook_right_present").is_null()),
                ),
            _ => left.join(right, left_on, right_on, args(how, order)),
        };
        let mut out: Vec<Expr> = left_kept.iter().map(|c| col(c.as_str())).collect();
        out.extend(
            right_kept
                .iter()
                .map(|(c, name)| col(format!("{RIGHT_PREFIX}{c}")).alias(name.as_str())),
        );
        ctx.record("join_type", self.how.as_str());
        ctx.record("second_dataset", self.dataset.to_string());
        Ok(joined.select(out))
    }
}

// ---- UNION --------------------------------------------------------------------------------

/// One input of a UNION: its schema and the column feeding each output column.
type UnionInput = (Schema, Vec<Option<String>>);

/// UNION: stacks the current rows, then each secondary dataset's rows in order (UNION ALL,
/// duplicates kept). `datasetsColumns[i][j]` names the column of dataset i (current first)
/// that feeds output column `targetColumnNames[j]`; `null` gives nulls. Without
/// `datasetsColumns`, columns are matched by name to the current dataset's columns (missing
/// ones are null). A column whose inputs disagree on type becomes Int64/Float64 when all are
/// numeric, else text.
pub struct Union {
    datasets: Vec<DatasetRef>,
    columns: Option<Vec<Vec<Option<String>>>>,
    targets: Option<Vec<String>>,
}

/// UNION's `secondaryDatasetNames` and `secondaryInputs` describe the same datasets, a name
/// and a location each (DataBrew writes both); either list alone works too.
fn pair_datasets(names: Vec<String>, inputs: Vec<InputRef>) -> OpResult<Vec<DatasetRef>> {
    if !names.is_empty() && !inputs.is_empty() && names.len() != inputs.len() {
        return Err(OpError::new(format!(
            "secondaryDatasetNames has {} names but secondaryInputs has {} inputs; they \
             describe the same datasets, a name and a location each",
            names.len(),
            inputs.len()
        ))
        .param("secondaryInputs"));
    }
    let count = names.len().max(inputs.len());
    let mut names = names.into_iter();
    let mut inputs = inputs.into_iter();
    Ok((0..count)
        .map(|_| DatasetRef {
            name: names.next(),
            input: inputs.next(),
        })
        .collect())
}

impl Union {
    fn from_params(p: &Params) -> OpResult<Self> {
        let u = UnionParams::read(p);
        let names = u.names.unwrap_or_default();
        let mut inputs = Vec::new();
        if let Some(v) = &u.inputs {
            let list = v.as_array().ok_or_else(|| {
                OpError::new("secondaryInputs must be a JSON list").param("secondaryInputs")
            })?;
            for v in list {
                inputs.push(input_ref(v, "secondaryInputs")?);
            }
        }
        let datasets = pair_datasets(names, inputs)?;
        if datasets.is_empty() {
            return Err(OpError::new("UNION needs at least one other dataset")
                .help("add `secondaryDatasetNames: [\"other\"]`"));
        }
        let columns = match &u.columns {
            None => None,
            Some(v) => {
                let bad = || {
                    OpError::new(
                        "datasetsColumns must be a list of lists of column names (or null)",
                    )
                    .param("datasetsColumns")
                };
                let outer = v.as_array().ok_or_else(bad)?;
                let mut lists = Vec::new();
                for inner in outer {
                    let inner = inner.as_array().ok_or_else(bad)?;
                    lists.push(
                        inner
                            .iter()
                            .map(|c| match c {
                                serde_json::Value::Null => Ok(None),
                                serde_json::Value::String(s) => Ok(Some(s.clone())),
                                _ => Err(bad()),
                            })
                            .collect::<OpResult<Vec<_>>>()?,
                    );
                }
                if lists.len() != datasets.len() + 1 {
                    return Err(OpError::new(format!(
                        "datasetsColumns has {} lists but there are {} datasets (the current one first)",
                        lists.len(),
                        datasets.len() + 1
                    ))
                    .param("datasetsColumns"));
                }
                Some(lists)
            }
        };
        let targets = u.targets;
        if let Some(t) = &targets {
            super::no_repeats(t.iter().map(String::as_str), "targetColumnNames")?;
        }
        if let (Some(cols), Some(t)) = (&columns, &targets)
            && let Some(bad) = cols.iter().position(|l| l.len() != t.len())
        {
            return Err(OpError::new(format!(
                "datasetsColumns list {} has {} entries but targetColumnNames has {}",
                bad + 1,
                cols[bad].len(),
                t.len()
            ))
            .param("datasetsColumns"));
        }
        if columns.is_some() && targets.is_none() {
            return Err(
                OpError::new("datasetsColumns needs targetColumnNames").param("targetColumnNames")
            );
        }
        Ok(Union {
            datasets,
            columns,
            targets,
        })
    }

    /// For each input: (schema, one source column per output column), plus output names.
    fn layout(
        &self,
        input: &Schema,
        resolver: &dyn crate::dataset::Resolver,
    ) -> OpResult<(Vec<String>, Vec<UnionInput>)> {
        let mut schemas = vec![input.clone()];
        for d in &self.datasets {
            schemas.push(
                resolver
                    .schema(d)
                    .map_err(|e| resolve_error(e, "secondaryDatasetNames"))?,
            );
        }
        let targets: Vec<String> = match &self.targets {
            Some(t) => t.clone(),
            None => input.iter_names().map(|n| n.to_string()).collect(),
        };
        let mut out = Vec::new();
        for (i, schema) in schemas.into_iter().enumerate() {
            let sources: Vec<Option<String>> = match &self.columns {
                Some(lists) => lists[i].clone(),
                None => targets
                    .iter()
                    .map(|t| schema.contains(t).then(|| t.clone()))
                    .collect(),
            };
            for s in sources.iter().flatten() {
                require_column(&schema, s, "datasetsColumns").map_err(|e| match i {
                    0 => e,
                    _ => in_other_dataset(e, &format!("dataset '{}'", self.datasets[i - 1])),
                })?;
            }
            out.push((schema, sources));
        }
        Ok((targets, out))
    }

    fn output_types(targets: &[String], layout: &[(Schema, Vec<Option<String>>)]) -> Vec<DataType> {
        (0..targets.len())
            .map(|j| {
                let types: Vec<DataType> = layout
                    .iter()
                    .filter_map(|(s, cols)| {
                        cols[j].as_ref().and_then(|c| s.get(c.as_str()).cloned())
                    })
                    .collect();
                unify(&types)
            })
            .collect()
    }
}

fn unify(types: &[DataType]) -> DataType {
    match types.first() {
        None => DataType::String,
        Some(first) if types.iter().all(|t| t == first) => first.clone(),
        _ if types.iter().all(|t| t.is_integer()) => DataType::Int64,
        _ if types.iter().all(|t| t.is_primitive_numeric()) => DataType::Float64,
        _ => DataType::String,
    }
}

impl Operation for Union {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, ctx: &SchemaCtx) -> OpResult<Schema> {
        let (targets, layout) = self.layout(input, ctx.datasets)?;
        let types = Self::output_types(&targets, &layout);
        Ok(targets
            .iter()
            .zip(types)
            .map(|(n, t)| Field::new(n.as_str().into(), t))
            .collect())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let (targets, layout) = self.layout(&ctx.schema, ctx.datasets)?;
        let types = Self::output_types(&targets, &layout);
        let mut frames = Vec::new();
        let mut secondary_rows = 0u64;
        for (i, (_, sources)) in layout.iter().enumerate() {
            let frame = if i == 0 {
                lf.clone()
            } else {
                ctx.datasets
                    .scan(&self.datasets[i - 1])
                    .map_err(|e| resolve_error(e, "secondaryDatasetNames"))?
            };
            let exprs: Vec<Expr> = sources
                .iter()
                .zip(targets.iter().zip(types.iter()))
                .map(|(src, (name, dtype))| {
                    match src {
                        Some(c) => col(c.as_str()).cast(dtype.clone()),
                        None => lit(NULL).cast(dtype.clone()),
                    }
                    .alias(name.as_str())
                })
                .collect();
            if i > 0 {
                secondary_rows += ctx.count_rows(frame.clone())?.unwrap_or(0);
            }
            frames.push(frame.select(exprs));
        }
        if ctx.rows_in.is_none() {
            ctx.rows_in = ctx.count_rows(lf.clone())?;
        }
        ctx.rows_out = ctx.rows_in.map(|r| r + secondary_rows);
        ctx.record(
            "datasets",
            self.datasets
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>(),
        );
        Ok(concat(frames, UnionArgs::default())?)
    }
}
