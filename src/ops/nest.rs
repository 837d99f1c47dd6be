//! Nest and unnest (reference §2.11): build list, struct and map columns from several columns,
//! and take them apart again.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * NEST_TO_ARRAY gives a list of the values in `sourceColumns` order, in their common type;
//!   NEST_TO_STRUCT a struct keeping each column's name and type; NEST_TO_MAP a list of
//!   `{key, value}` entries (Polars has no map type; CSV writes it as JSON),
//!   values in their common type (Parquet stores it as that list, not as a Parquet MAP). Nulls
//!   are kept as elements; NEST_TO_ARRAY takes single values, not lists. The new column goes after the
//!   first source column; `removeSourceColumns: true` drops the sources.
//! * UNNEST_STRUCT puts each field of a struct column in a column `<prefix>.<field>` (prefix:
//!   `targetColumn`, default the source's name) right after the source; UNNEST_STRUCT_N does
//!   so `unnestLevel` levels deep (default 1) for each of `sourceColumns` (or the columns
//!   `regexColumnSelector` matches), joining names with `delimiter` (default `.`).
//!   `removeSourceColumn: true` drops the source.
//! * UNNEST_ARRAY gives one row per element of a list column, the element in `targetColumn`
//!   (default `<source>_element`) after the source; an empty or null list gives one row with a
//!   null element. UNNEST_MAP does the same for a map (a list of key/value entries), giving
//!   `<prefix>.key` and `<prefix>.value`.
//! * JSON text is not nested data: read JSON files, or use EXTRACT_VALUE on JSON text.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::expr_dtype;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status, p,
    require_column, type_label,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "nest and unnest";

params! {
    struct NestParams {
        sources: Vec<String> = ParamSpec::req("sourceColumns", ParamKind::Columns, "The columns to nest, in order."),
        target: String = ParamSpec::req("targetColumn", ParamKind::Column, "Name of the new column."),
        remove: bool = ParamSpec::def("removeSourceColumns", ParamKind::Bool, "false", "Drop the source columns."),
    }
}

params! {
    struct UnnestStruct {
        source: String = p::SOURCE_COLUMN,
        prefix: Option<String> = ParamSpec::opt("targetColumn", ParamKind::Text, "Prefix of the new columns (default the source's name)."),
        remove: bool = ParamSpec::def("removeSourceColumn", ParamKind::Bool, "false", "Drop the source column."),
    }
}

params! {
    struct UnnestStructN {
        sources: Option<Vec<String>> = ParamSpec::opt("sourceColumns", ParamKind::Columns, "The struct columns to flatten."),
        selector: Option<String> = ParamSpec::opt("regexColumnSelector", ParamKind::Text, "Or: flatten the struct columns whose names match."),
        remove: bool = ParamSpec::def("removeSourceColumn", ParamKind::Bool, "false", "Drop the source columns."),
        levels: i64 = ParamSpec::def("unnestLevel", ParamKind::Integer, "1", "How many levels to flatten."),
        delimiter: String = ParamSpec::def("delimiter", ParamKind::Text, ".", "Joins the names of the levels."),
    }
}

params! {
    struct UnnestList {
        source: String = p::SOURCE_COLUMN,
        target: Option<String> = ParamSpec::opt("targetColumn", ParamKind::Column, "Name of the element column (UNNEST_MAP: the prefix)."),
        remove: bool = ParamSpec::def("removeSourceColumn", ParamKind::Bool, "false", "Drop the source column."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        spec(
            "NEST_TO_ARRAY",
            "New column: a list of the columns' values.",
            NestParams::SPECS,
            Scope::RowLocal,
            |p| nest(p, NestKind::Array),
        ),
        spec(
            "NEST_TO_STRUCT",
            "New column: a struct of the columns.",
            NestParams::SPECS,
            Scope::RowLocal,
            |p| nest(p, NestKind::Struct),
        ),
        spec(
            "NEST_TO_MAP",
            "New column: a map (list of key/value entries) of the columns.",
            NestParams::SPECS,
            Scope::RowLocal,
            |p| nest(p, NestKind::Map),
        ),
        spec(
            "UNNEST_STRUCT",
            "One column per field of a struct column.",
            UnnestStruct::SPECS,
            Scope::RowLocal,
            |p| {
                let u = UnnestStruct::read(p);
                Ok(Box::new(Flatten {
                    sources: Selection::Columns(vec![u.source.clone()]),
                    prefix: u.prefix,
                    levels: 1,
                    delimiter: ".".into(),
                    remove: u.remove,
                }))
            },
        ),
        spec(
            "UNNEST_STRUCT_N",
            "Flatten struct columns several levels deep.",
            UnnestStructN::SPECS,
            Scope::RowLocal,
            |p| {
                let u = UnnestStructN::read(p);
                Ok(Box::new(Flatten {
                    sources: Selection::read(u.sources, u.selector)?,
                    prefix: None,
                    levels: unnest_level(u.levels)?,
                    delimiter: u.delimiter,
                    remove: u.remove,
                }))
            },
        ),
        spec(
            "UNNEST_ARRAY",
            "One row per element of a list column.",
            UnnestList::SPECS,
            Scope::WholeDataset,
            |p| {
                let u = UnnestList::read(p);
                Ok(Box::new(Explode {
                    target: u.target.unwrap_or_else(|| format!("{}_element", u.source)),
                    source: u.source,
                    remove: u.remove,
                    map: false,
                }))
            },
        ),
        spec(
            "UNNEST_MAP",
            "One row per entry of a map column, with .key and .value columns.",
            UnnestList::SPECS,
            Scope::WholeDataset,
            |p| {
                let u = UnnestList::read(p);
                Ok(Box::new(Explode {
                    target: u.target.unwrap_or_else(|| u.source.clone()),
                    source: u.source,
                    remove: u.remove,
                    map: true,
                }))
            },
        ),
    ]
}

type Make = fn(&Params) -> OpResult<Box<dyn Operation>>;

fn spec(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    scope: Scope,
    make: Make,
) -> OpSpec {
    OpSpec {
        name,
        family: FAMILY,
        summary,
        params,
        conditions: Conditions::Unsupported,
        scope,
        status: Status::Supported,
        build: Build::Closure(Arc::new(make)),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum NestKind {
    Array,
    Struct,
    Map,
}

fn nest(p: &Params, kind: NestKind) -> OpResult<Box<dyn Operation>> {
    let n = NestParams::read(p);
    if n.sources.is_empty() {
        return Err(OpError::new("sourceColumns lists no column").param("sourceColumns"));
    }
    Ok(Box::new(Nest {
        kind,
        sources: n.sources,
        target: n.target,
        remove: n.remove,
    }))
}

pub struct Nest {
    kind: NestKind,
    sources: Vec<String>,
    target: String,
    remove: bool,
}

impl Nest {
    fn expr(&self, schema: &Schema) -> OpResult<Expr> {
        for s in &self.sources {
            let t = require_column(schema, s, "sourceColumns")?;
            if self.kind == NestKind::Array && matches!(t, DataType::List(_)) {
                return Err(OpError::new(format!(
                    "'{s}' is already a list; NEST_TO_ARRAY nests single values"
                ))
                .param("sourceColumns")
                .help("use NEST_TO_STRUCT to keep lists whole"));
            }
        }
        let columns: Vec<Expr> = self.sources.iter().map(|s| col(s.as_str())).collect();
        let common = || expr_dtype(schema, coalesce(&columns));
        Ok(match self.kind {
            NestKind::Struct => as_struct(columns.clone()),
            NestKind::Array => {
                let t = common()?;
                concat_list(
                    columns
                        .iter()
                        .map(|c| c.clone().cast(t.clone()))
                        .collect::<Vec<_>>(),
                )?
            }
            NestKind::Map => {
                let t = common()?;
                let entries: Vec<Expr> = self
                    .sources
                    .iter()
                    .map(|s| {
                        as_struct(vec![
                            lit(s.clone()).alias("key"),
                            col(s.as_str()).cast(t.clone()).alias("value"),
                        ])
                    })
                    .collect();
                concat_list(entries)?
            }
        })
    }

    fn output(&self, schema: &Schema, new: Expr) -> Vec<Expr> {
        let mut out = Vec::with_capacity(schema.len() + 1);
        let mut placed = false;
        for name in schema.iter_names() {
            let source = self.sources.iter().any(|s| s == name.as_str());
            if !(source && self.remove) {
                out.push(col(name.as_str()));
            }
            if source && !placed {
                out.push(new.clone().alias(self.target.as_str()));
                placed = true;
            }
        }
        // Sources only the data names (behind ONE_HOT_ENCODING or PIVOT) place it at the end.
        if !placed {
            out.push(new.alias(self.target.as_str()));
        }
        out
    }
}

impl Operation for Nest {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let e = self.expr(input)?;
        let remaining = self.remove.then_some(&self.sources);
        if input.contains(&self.target) && !remaining.is_some_and(|r| r.contains(&self.target)) {
            return Err(
                OpError::new(format!("column '{}' already exists", self.target))
                    .param("targetColumn"),
            );
        }
        let planned = super::shape::planning_schema(input, self.sources.iter().map(String::as_str));
        super::shape::selected_schema(&planned, self.output(input, e), "cannot nest")
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let e = self.expr(&ctx.schema)?;
        Ok(lf.select(self.output(&ctx.schema, e)))
    }
}

/// The columns a step names (`sourceColumns`) or matches (`regexColumnSelector`).
pub(super) enum Selection {
    Columns(Vec<String>),
    Matching(regex::Regex),
}

impl Selection {
    /// One of `sourceColumns` (not empty) and `regexColumnSelector` (a valid expression).
    pub(super) fn read(sources: Option<Vec<String>>, selector: Option<String>) -> OpResult<Self> {
        match (sources, selector) {
            (Some(s), None) if s.is_empty() => {
                Err(OpError::new("sourceColumns lists no column").param("sourceColumns"))
            }
            (Some(s), None) => Ok(Selection::Columns(s)),
            (None, Some(r)) => Ok(Selection::Matching(super::check_regex(
                &r,
                "regexColumnSelector",
            )?)),
            _ => Err(
                OpError::new("give sourceColumns or regexColumnSelector (one of them)")
                    .param("sourceColumns"),
            ),
        }
    }

    /// The columns named (none for a regular expression).
    pub(super) fn named(&self) -> &[String] {
        match self {
            Selection::Columns(c) => c,
            Selection::Matching(_) => &[],
        }
    }

    /// The parameter that chose the columns, for messages.
    pub(super) fn param(&self) -> &'static str {
        match self {
            Selection::Columns(_) => "sourceColumns",
            Selection::Matching(_) => "regexColumnSelector",
        }
    }
}

/// `unnestLevel`, 1 or more.
pub(super) fn unnest_level(levels: i64) -> OpResult<usize> {
    match usize::try_from(levels) {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(
            OpError::new(format!("unnestLevel must be 1 or more, found {levels}"))
                .param("unnestLevel"),
        ),
    }
}

/// UNNEST_STRUCT and UNNEST_STRUCT_N.
pub struct Flatten {
    sources: Selection,
    prefix: Option<String>,
    levels: usize,
    delimiter: String,
    remove: bool,
}

impl Flatten {
    /// The struct columns to flatten. While `planning`, a column of a type only the data tells
    /// (null: a JSON_TO_STRUCTS field) may be one.
    fn selected(&self, schema: &Schema, planning: bool) -> OpResult<Vec<String>> {
        match &self.sources {
            Selection::Columns(c) => {
                for s in c {
                    let t = require_column(schema, s, "sourceColumns")?;
                    let unknown = planning && t == DataType::Null;
                    if !matches!(t, DataType::Struct(_)) && !unknown {
                        return Err(OpError::new(format!(
                            "'{s}' is {}, not a struct",
                            type_label(&t)
                        ))
                        .param(if c.len() == 1 {
                            "sourceColumn"
                        } else {
                            "sourceColumns"
                        }));
                    }
                }
                Ok(c.clone())
            }
            Selection::Matching(re) => Ok(schema
                .iter()
                .filter(|(n, t)| re.is_match(n) && matches!(t, DataType::Struct(_)))
                .map(|(n, _)| n.to_string())
                .collect()),
        }
    }

    /// (name, expression) of the leaves `levels` deep under `expr` of type `dtype`.
    fn leaves(
        &self,
        name: &str,
        expr: Expr,
        dtype: &DataType,
        depth: usize,
        planning: bool,
        out: &mut Vec<(String, Expr)>,
    ) {
        match dtype {
            // While planning, a column of a type only the data tells (a JSON_TO_STRUCTS field)
            // may be a struct: its fields are a placeholder (one already stands for deeper ones).
            DataType::Null
                if planning && depth < self.levels && !crate::types::is_placeholder(name) =>
            {
                out.push((
                    format!("{name}{}{}", self.delimiter, crate::types::DYNAMIC_SUFFIX),
                    lit(NULL),
                ))
            }
            DataType::Struct(fields) if depth < self.levels => {
                for f in fields {
                    let child = expr.clone().struct_().field_by_name(f.name());
                    let child_name = format!("{name}{}{}", self.delimiter, f.name());
                    self.leaves(&child_name, child, f.dtype(), depth + 1, planning, out);
                }
            }
            _ => out.push((name.to_string(), expr)),
        }
    }

    fn output(&self, schema: &Schema, planning: bool) -> OpResult<Vec<Expr>> {
        let selected = self.selected(schema, planning)?;
        let mut out = Vec::new();
        for (name, dtype) in schema.iter() {
            let is_source = selected.iter().any(|s| s == name.as_str());
            if !(is_source && self.remove) {
                out.push(col(name.as_str()));
            }
            if is_source {
                let prefix = self.prefix.clone().unwrap_or_else(|| name.to_string());
                let mut leaves = Vec::new();
                self.leaves(&prefix, col(name.as_str()), dtype, 0, planning, &mut leaves);
                for (leaf, e) in leaves {
                    if schema.contains(&leaf) {
                        return Err(OpError::new(format!("column '{leaf}' already exists"))
                            .param("targetColumn")
                            .help("choose another prefix with targetColumn"));
                    }
                    out.push(e.alias(leaf.as_str()));
                }
            }
        }
        Ok(out)
    }
}

impl Operation for Flatten {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let named = self.sources.named();
        let input = &super::shape::planning_schema(input, named.iter().map(String::as_str));
        super::shape::selected_schema(input, self.output(input, true)?, "cannot unnest")
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        Ok(lf.select(self.output(&ctx.schema, false)?))
    }
}

/// UNNEST_ARRAY and UNNEST_MAP.
pub struct Explode {
    source: String,
    target: String,
    remove: bool,
    map: bool,
}

impl Explode {
    fn check(&self, schema: &Schema) -> OpResult<DataType> {
        let t = require_column(schema, &self.source, "sourceColumn")?;
        match &t {
            DataType::List(inner) if !self.map || matches!(**inner, DataType::Struct(_)) => Ok(t),
            _ => Err(OpError::new(format!(
                "'{}' is {}, not a {}",
                self.source,
                type_label(&t),
                if self.map { "map" } else { "list" }
            ))
            .param("sourceColumn")),
        }
    }

    fn new_names(&self) -> Vec<String> {
        if self.map {
            vec![
                format!("{}.key", self.target),
                format!("{}.value", self.target),
            ]
        } else {
            vec![self.target.clone()]
        }
    }

    fn plan(&self, lf: LazyFrame, schema: &Schema) -> OpResult<LazyFrame> {
        self.check(schema)?;
        for n in self.new_names() {
            if schema.contains(&n) {
                return Err(
                    OpError::new(format!("column '{n}' already exists")).param("targetColumn")
                );
            }
        }
        const ITEM: &str = "__datacook_item";
        let exploded = lf
            .with_column(col(self.source.as_str()).alias(ITEM))
            .explode(
                Selector::ByName {
                    names: Arc::new([PlSmallStr::from(ITEM)]),
                    strict: true,
                },
                ExplodeOptions {
                    empty_as_null: true,
                    keep_nulls: true,
                },
            );
        let item = col(ITEM);
        let new: Vec<Expr> = if self.map {
            vec![
                item.clone()
                    .struct_()
                    .field_by_name("key")
                    .alias(self.new_names()[0].as_str()),
                item.struct_()
                    .field_by_name("value")
                    .alias(self.new_names()[1].as_str()),
            ]
        } else {
            vec![item.alias(self.target.as_str())]
        };
        let mut out = Vec::new();
        for name in schema.iter_names() {
            let is_source = name.as_str() == self.source;
            if !(is_source && self.remove) {
                out.push(col(name.as_str()));
            }
            if is_source {
                out.extend(new.iter().cloned());
            }
        }
        Ok(exploded.select(out))
    }
}

impl Operation for Explode {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let mut input = super::shape::planning_schema(input, [self.source.as_str()]);
        if input.get(&self.source) == Some(&DataType::Null) {
            // A list only the data types (a JSON_TO_STRUCTS field): elements of unknown type.
            let element = match self.map {
                true => DataType::Struct(vec![
                    Field::new("key".into(), DataType::String),
                    Field::new("value".into(), DataType::Null),
                ]),
                false => DataType::Null,
            };
            input.with_column(
                self.source.as_str().into(),
                DataType::List(Box::new(element)),
            );
        }
        let input = &input;
        let out = self
            .plan(DataFrame::empty_with_schema(input).lazy(), input)?
            .collect_schema()
            .map_err(|e| OpError::new(format!("cannot unnest: {e}")))?;
        Ok(out.as_ref().clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        self.plan(lf, &ctx.schema)
    }

    fn preserves_rows(&self) -> bool {
        false
    }
}
