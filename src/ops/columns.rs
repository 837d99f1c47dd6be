//! Basic column steps: DELETE, RENAME, DUPLICATE, MOVE_*, CHANGE_DATA_TYPE, SORT.

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, p, require_column, require_new_column, scalar_u64, schema_insert_after,
    select_insert_after,
};
use crate::recipe::params::{ParamKind, ParamSpec, Params};
use crate::types::convert;

params! {
    struct DeleteParams {
        source: Option<String> = ParamSpec::opt("sourceColumn", ParamKind::Column, "The column to delete."),
        sources: Option<Vec<String>> = ParamSpec::opt(
            "sourceColumns",
            ParamKind::Columns,
            "Several columns to delete (JSON list).",
        ),
    }
}

params! {
    struct RenameParams {
        source: String = p::SOURCE_COLUMN,
        target: String = ParamSpec::req("targetColumn", ParamKind::Column, "The new name."),
    }
}

params! {
    struct DuplicateParams {
        source: String = p::SOURCE_COLUMN,
        target: String = p::TARGET_COLUMN,
    }
}

params! {
    struct MoveAfterParams {
        source: String = p::SOURCE_COLUMN,
        target: String = ParamSpec::req("targetColumn", ParamKind::Column, "The column to move after."),
    }
}

params! {
    struct MoveBeforeParams {
        source: String = p::SOURCE_COLUMN,
        target: String = ParamSpec::req("targetColumn", ParamKind::Column, "The column to move before."),
    }
}

params! {
    struct MoveToEdgeParams {
        source: String = p::SOURCE_COLUMN,
        console_index: Option<i64> = CONSOLE_INDEX,
    }
}

params! {
    struct MoveToIndexParams {
        source: String = p::SOURCE_COLUMN,
        index: i64 = ParamSpec::req("targetIndex", ParamKind::Integer, "0-based target position."),
    }
}

params! {
    struct ChangeTypeParams {
        source: String = p::SOURCE_COLUMN,
        to: String = ParamSpec::req(
            "columnDataType",
            ParamKind::Choice(crate::types::TYPE_NAMES),
            "The new type.",
        ),
    }
}

params! {
    struct SortParams {
        expressions: serde_json::Value = ParamSpec::req(
            "expressions",
            ParamKind::Json,
            "JSON list of {sourceColumn, ordering: ASCENDING|DESCENDING, nullsOrdering: \
             NULLS_TOP|NULLS_BOTTOM, customOrder: [..], isCustomOrderCaseSensitive}.",
        ),
    }
}

params! {
    struct LegacyCastParams {
        source: String = p::SOURCE_COLUMN,
        column_type: Option<String> = p::COLUMN_DATA_TYPE,
    }
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "DELETE",
        family: "columns",
        summary: "Delete one or more columns.",
        params: DeleteParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Delete::from_params(p)?))),
    },
    OpSpec {
        name: "RENAME",
        family: "columns",
        summary: "Rename a column.",
        params: RenameParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let r = RenameParams::read(p);
            Ok(Box::new(Rename {
                source: r.source,
                target: r.target,
            }))
        }),
    },
    OpSpec {
        name: "DUPLICATE",
        family: "columns",
        summary: "Copy a column under a new name, right after the original.",
        params: DuplicateParams::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let d = DuplicateParams::read(p);
            Ok(Box::new(Duplicate {
                source: d.source,
                target: d.target,
            }))
        }),
    },
    OpSpec {
        name: "MOVE_AFTER",
        family: "columns",
        summary: "Move a column immediately after another.",
        params: MoveAfterParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let m = MoveAfterParams::read(p);
            Ok(Box::new(Move::new(
                m.source,
                Some(m.target),
                MoveKind::After,
            )))
        }),
    },
    OpSpec {
        name: "MOVE_BEFORE",
        family: "columns",
        summary: "Move a column immediately before another.",
        params: MoveBeforeParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let m = MoveBeforeParams::read(p);
            Ok(Box::new(Move::new(
                m.source,
                Some(m.target),
                MoveKind::Before,
            )))
        }),
    },
    OpSpec {
        name: "MOVE_TO_START",
        family: "columns",
        summary: "Make a column the first one.",
        params: MoveToEdgeParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let m = MoveToEdgeParams::read(p);
            Ok(Box::new(Move::new(m.source, None, MoveKind::Start)))
        }),
    },
    OpSpec {
        name: "MOVE_TO_END",
        family: "columns",
        summary: "Make a column the last one.",
        params: MoveToEdgeParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let m = MoveToEdgeParams::read(p);
            Ok(Box::new(Move::new(m.source, None, MoveKind::End)))
        }),
    },
    OpSpec {
        name: "MOVE_TO_INDEX",
        family: "columns",
        summary: "Move a column to a 0-based position (1 = second column).",
        params: MoveToIndexParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let m = MoveToIndexParams::read(p);
            let index = m.index;
            if index < 0 {
                return Err(
                    OpError::new(format!("targetIndex must be 0 or more, found {index}"))
                        .param("targetIndex")
                        .help("targetIndex is 0-based: 0 is the first column"),
                );
            }
            Ok(Box::new(Move::new(
                m.source,
                None,
                MoveKind::Index(index as usize),
            )))
        }),
    },
    OpSpec {
        name: "CHANGE_DATA_TYPE",
        family: "columns",
        summary: "Cast a column; values that cannot convert become null and are counted.",
        params: ChangeTypeParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let c = ChangeTypeParams::read(p);
            Ok(Box::new(ChangeDataType {
                source: c.source,
                to: c.to,
            }))
        }),
    },
    OpSpec {
        name: "SORT",
        family: "columns",
        summary: "Sort rows by one or more columns (stable).",
        params: SortParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Sort::from_params(p)?))),
    },
    legacy_cast(
        "TO_BOOLEAN_COLUMN",
        "Legacy cast to boolean (true/false, yes/no); as CHANGE_DATA_TYPE boolean.",
    ),
    legacy_cast(
        "TO_DOUBLE_COLUMN",
        "Legacy cast to double; as CHANGE_DATA_TYPE double.",
    ),
    legacy_cast(
        "TO_NUMBER_COLUMN",
        "Legacy cast to a number (double); as CHANGE_DATA_TYPE double.",
    ),
    legacy_cast(
        "TO_STRING_COLUMN",
        "Legacy cast to text; as CHANGE_DATA_TYPE string.",
    ),
];

// ---- DELETE -------------------------------------------------------------------------------

/// DELETE: drop `sourceColumn` or every column of `sourceColumns`.
pub struct Delete {
    columns: Vec<String>,
    param: &'static str,
}

impl Delete {
    fn from_params(p: &Params) -> OpResult<Self> {
        let d = DeleteParams::read(p);
        let (columns, param) = match (d.source, d.sources) {
            (Some(c), None) => (vec![c], "sourceColumn"),
            (None, Some(cs)) => (cs, "sourceColumns"),
            (Some(c), Some(mut cs)) => {
                cs.insert(0, c);
                (cs, "sourceColumns")
            }
            (None, None) => {
                return Err(OpError::new("DELETE needs sourceColumn or sourceColumns")
                    .help("add `sourceColumns: [\"a\", \"b\"]`"));
            }
        };
        Ok(Delete { columns, param })
    }
}

impl Operation for Delete {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        for c in &self.columns {
            require_column(input, c, self.param)?;
        }
        Ok(input
            .iter()
            .filter(|(n, _)| !self.columns.iter().any(|c| c == n.as_str()))
            .map(|(n, d)| Field::new(n.clone(), d.clone()))
            .collect())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let keep: Vec<Expr> = ctx
            .schema
            .iter_names()
            .filter(|n| !self.columns.iter().any(|c| c == n.as_str()))
            .map(|n| col(n.as_str()))
            .collect();
        Ok(lf.select(keep))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(self.columns.clone())
    }
}

// ---- RENAME / DUPLICATE ---------------------------------------------------------------------

/// RENAME: the column keeps its position; the old name disappears.
pub struct Rename {
    source: String,
    target: String,
}

impl Rename {}

impl Operation for Rename {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        if self.source != self.target {
            require_new_column(input, &self.target, "targetColumn")?;
        }
        Ok(input
            .iter()
            .map(|(n, d)| {
                let name = if n.as_str() == self.source {
                    self.target.as_str().into()
                } else {
                    n.clone()
                };
                Field::new(name, d.clone())
            })
            .collect())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let exprs: Vec<Expr> = ctx
            .schema
            .iter_names()
            .map(|n| {
                if n.as_str() == self.source {
                    col(n.as_str()).alias(self.target.as_str())
                } else {
                    col(n.as_str())
                }
            })
            .collect();
        Ok(lf.select(exprs))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.source.clone(), self.target.clone()])
    }
}

/// DUPLICATE: a copy named `targetColumn`, inserted right after the source.
pub struct Duplicate {
    source: String,
    target: String,
}

impl Duplicate {}

impl Operation for Duplicate {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let dtype = require_column(input, &self.source, "sourceColumn")?;
        require_new_column(input, &self.target, "targetColumn")?;
        Ok(schema_insert_after(
            input,
            &self.source,
            &[(self.target.clone(), dtype)],
        ))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let copy = ctx
            .new_column(col(self.source.as_str()))
            .alias(self.target.as_str());
        Ok(select_insert_after(
            lf,
            &ctx.schema,
            &self.source,
            vec![copy],
        ))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}

// ---- MOVE_* -------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum MoveKind {
    After,
    Before,
    Start,
    End,
    Index(usize),
}

/// MOVE_AFTER / MOVE_BEFORE / MOVE_TO_START / MOVE_TO_END / MOVE_TO_INDEX. An index past the
/// end moves the column to the end.
pub struct Move {
    source: String,
    target: Option<String>,
    kind: MoveKind,
}

impl Move {
    fn new(source: String, target: Option<String>, kind: MoveKind) -> Self {
        Move {
            source,
            target,
            kind,
        }
    }

    fn order(&self, input: &Schema) -> OpResult<Vec<String>> {
        require_column(input, &self.source, "sourceColumn")?;
        let mut names: Vec<String> = input
            .iter_names()
            .filter(|n| n.as_str() != self.source)
            .map(|n| n.to_string())
            .collect();
        let at = match self.kind {
            MoveKind::Start => 0,
            MoveKind::End => names.len(),
            MoveKind::Index(i) => i.min(names.len()),
            MoveKind::After | MoveKind::Before => {
                let target = self.target.clone().unwrap_or_default();
                require_column(input, &target, "targetColumn")?;
                if target == self.source {
                    return Err(OpError::new("a column cannot be moved relative to itself")
                        .param("targetColumn")
                        .help("name a different targetColumn"));
                }
                let i = names.iter().position(|n| *n == target).unwrap_or(0);
                if matches!(self.kind, MoveKind::After) {
                    i + 1
                } else {
                    i
                }
            }
        };
        names.insert(at, self.source.clone());
        Ok(names)
    }
}

impl Operation for Move {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        Ok(self
            .order(input)?
            .iter()
            .map(|n| {
                Field::new(
                    n.as_str().into(),
                    input.get(n.as_str()).cloned().unwrap_or(DataType::Null),
                )
            })
            .collect())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let order = self.order(&ctx.schema)?;
        Ok(lf.select(order.iter().map(|n| col(n.as_str())).collect::<Vec<_>>()))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

/// `targetIndex` as the console writes it on MOVE_TO_START / MOVE_TO_END: understood, and
/// meaningless for these moves.
const CONSOLE_INDEX: ParamSpec = ParamSpec::opt(
    "targetIndex",
    ParamKind::Integer,
    "Written by the console; the move's name says where the column goes.",
);

/// TO_BOOLEAN_COLUMN, TO_DOUBLE_COLUMN, TO_NUMBER_COLUMN, TO_STRING_COLUMN: DataBrew's legacy
/// casts, run as CHANGE_DATA_TYPE to boolean, double, double (a "number" is a double, as in
/// dataset type pins) and string. Their `columnDataType` parameter is informational.
const fn legacy_cast(name: &'static str, summary: &'static str) -> OpSpec {
    OpSpec {
        name,
        family: "columns",
        summary,
        params: LegacyCastParams::SPECS,
        conditions: Conditions::Unsupported,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|name, p| {
            let to = match name {
                "TO_BOOLEAN_COLUMN" => "boolean",
                "TO_STRING_COLUMN" => "string",
                _ => "double",
            };
            Ok(Box::new(ChangeDataType {
                source: LegacyCastParams::read(p).source,
                to: to.to_string(),
            }))
        }),
    }
}

// ---- CHANGE_DATA_TYPE -------------------------------------------------------------------------

/// CHANGE_DATA_TYPE: cast in place. Values that cannot convert become null (DataBrew
/// documents this) and the run report counts them (decisions.md); see [`convert`] for what
/// converts (datacook decision: a float with a fraction does not silently truncate to an
/// integer, it becomes null and is counted). Types: byte→Int8,
/// short→Int16, int/integer→Int32, long→Int64, float→Float32, double/number→Float64,
/// decimal→Decimal(38,18), boolean (true/false and yes/no, case-insensitive), date
/// (`YYYY-MM-DD`), timestamp (ISO 8601, microseconds), string.
pub struct ChangeDataType {
    source: String,
    to: String,
}

impl ChangeDataType {
    fn target_dtype(&self) -> DataType {
        crate::types::parse_type(&self.to).unwrap_or(DataType::Float64)
    }

    fn convert(&self, from: &DataType) -> Expr {
        convert(col(self.source.as_str()), from, &self.target_dtype())
    }
}

impl ChangeDataType {
    /// How many present values would not convert.
    fn request(&self, from: &DataType) -> Stats {
        let present = crate::recipe::condition::missing(&self.source, from).not();
        let converted = convert(col(self.source.as_str()), from, &self.target_dtype());
        Stats {
            exprs: vec![("nulled", present.and(converted.is_null()).sum())],
            reads: vec![self.source.clone()],
        }
    }
}

impl Operation for ChangeDataType {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        let mut out = input.clone();
        out.with_column(self.source.as_str().into(), self.target_dtype());
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let from = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let converted = self.convert(&from);
        let df = ctx.aggregate(&lf, self.request(&from))?;
        let nulled = scalar_u64(&df, "nulled").unwrap_or(0);
        ctx.record("from", from.to_string());
        ctx.record("to", self.target_dtype().to_string());
        ctx.record("values_nulled", nulled);
        if nulled > 0 {
            ctx.warnings.push(format!(
                "{nulled} value(s) of '{}' could not convert to {} and became null",
                self.source, self.to
            ));
        }
        Ok(lf.with_column(converted.alias(self.source.as_str())))
    }

    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        Some(self.request(&super::column_type(input, &self.source)?))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.source.clone()])
    }
}

// ---- SORT ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SortKey {
    column: String,
    descending: bool,
    nulls_last: bool,
    custom_order: Vec<String>,
    case_sensitive: bool,
}

/// SORT: a stable multi-key sort. Missing values (null, or empty text) go to the bottom
/// unless `nullsOrdering` is NULLS_TOP. With `customOrder`, listed values come first in the listed order and all other
/// values follow in the key's natural order (datacook decision; DataBrew leaves it open).
pub struct Sort {
    keys: Vec<SortKey>,
}

impl Sort {
    fn from_params(p: &Params) -> OpResult<Self> {
        let bad = |m: String| {
            OpError::new(m)
                .param("expressions")
                .help(r#"write [{"sourceColumn": "age", "ordering": "DESCENDING"}]"#)
        };
        let expressions = SortParams::read(p).expressions;
        let list = expressions
            .as_array()
            .ok_or_else(|| bad("expressions must be a JSON list of sort keys".into()))?;
        if list.is_empty() {
            return Err(bad("expressions is empty".into()));
        }
        let mut keys = Vec::new();
        for item in list {
            let obj = item
                .as_object()
                .ok_or_else(|| bad(format!("a sort key must be an object, found {item}")))?;
            let get = |k: &str| {
                obj.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)
            };
            let column = get("sourceColumn")
                .and_then(|v| v.as_str())
                .ok_or_else(|| bad("a sort key needs sourceColumn".into()))?
                .to_string();
            let ordering = get("ordering")
                .and_then(|v| v.as_str())
                .unwrap_or("ASCENDING");
            let descending = match ordering.to_ascii_uppercase().as_str() {
                "ASCENDING" => false,
                "DESCENDING" => true,
                other => {
                    return Err(bad(format!(
                        "ordering must be ASCENDING or DESCENDING, found '{other}'"
                    )));
                }
            };
            let nulls = get("nullsOrdering")
                .and_then(|v| v.as_str())
                .unwrap_or("NULLS_BOTTOM");
            let nulls_last = match nulls.to_ascii_uppercase().as_str() {
                "NULLS_BOTTOM" => true,
                "NULLS_TOP" => false,
                other => {
                    return Err(bad(format!(
                        "nullsOrdering must be NULLS_TOP or NULLS_BOTTOM, found '{other}'"
                    )));
                }
            };
            let custom_order = match get("customOrder") {
                None | Some(serde_json::Value::Null) => Vec::new(),
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .map(|v| crate::recipe::params::json_scalar_text(v).map_err(bad))
                    .collect::<Result<_, _>>()?,
                Some(serde_json::Value::String(s)) => serde_json::from_str::<Vec<String>>(s)
                    .map_err(|e| bad(format!("customOrder: {e}")))?,
                Some(other) => {
                    return Err(bad(format!("customOrder must be a list, found {other}")));
                }
            };
            let case_sensitive = match get("isCustomOrderCaseSensitive") {
                Some(serde_json::Value::Bool(b)) => *b,
                Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            };
            keys.push(SortKey {
                column,
                descending,
                nulls_last,
                custom_order,
                case_sensitive,
            });
        }
        Ok(Sort { keys })
    }
}

impl Operation for Sort {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        for k in &self.keys {
            require_column(input, &k.column, "expressions")?;
        }
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let schema = &ctx.schema;
        let mut exprs = Vec::new();
        let mut descending = Vec::new();
        let mut nulls_last = Vec::new();
        for k in &self.keys {
            if !k.custom_order.is_empty() {
                let norm = |e: Expr| {
                    if k.case_sensitive {
                        e
                    } else {
                        e.str().to_lowercase()
                    }
                };
                let raw = col(k.column.as_str()).cast(DataType::String);
                let value = norm(raw.clone());
                let mut rank = lit(k.custom_order.len() as u32);
                for (i, v) in k.custom_order.iter().enumerate().rev() {
                    let v = if k.case_sensitive {
                        v.clone()
                    } else {
                        v.to_lowercase()
                    };
                    rank = when(value.clone().eq(lit(v)))
                        .then(lit(i as u32))
                        .otherwise(rank);
                }
                // A missing value has no rank: it sorts with the nulls.
                let missing = raw.clone().is_null().or(raw.eq(lit("")));
                exprs.push(
                    when(missing)
                        .then(lit(NULL).cast(DataType::UInt32))
                        .otherwise(rank),
                );
                descending.push(false);
                nulls_last.push(k.nulls_last);
            }
            exprs.push(missing_as_null(
                k.column.as_str(),
                schema.get(k.column.as_str()),
            ));
            descending.push(k.descending);
            nulls_last.push(k.nulls_last);
        }
        Ok(lf.sort_by_exprs(
            exprs,
            SortMultipleOptions::default()
                .with_order_descending_multi(descending)
                .with_nulls_last_multi(nulls_last)
                .with_maintain_order(true),
        ))
    }
    /// Order changes no aggregate a later step computes.
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

/// The column as a sort key, with empty text read as missing (decisions.md, "Values").
fn missing_as_null(name: &str, dtype: Option<&DataType>) -> Expr {
    match dtype {
        Some(d) => crate::recipe::condition::empty_as_null(name, d),
        None => col(name),
    }
}
