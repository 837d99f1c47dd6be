//! Row filters: REMOVE_VALUES, REMOVE_MISSING, DELETE_DUPLICATE_ROWS, REMOVE_DUPLICATES.

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpResult, OpSpec, Operation, SchemaCtx, Scope, SourceOnly, Status,
    p, require_column, require_new_column, schema_insert_after, select_insert_after,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec};

params! {
    struct RemoveValuesParams {
        source: Option<String> = ParamSpec::opt(
            "sourceColumn",
            ParamKind::Column,
            "The column the conditions are about (informational).",
        ),
    }
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "REMOVE_VALUES",
        family: "rows",
        summary: "Delete the rows where all the step's ConditionExpressions hold.",
        params: RemoveValuesParams::SPECS,
        conditions: Conditions::Required,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            Ok(Box::new(RemoveValues {
                source: RemoveValuesParams::read(p).source,
            }))
        }),
    },
    OpSpec {
        name: "REMOVE_MISSING",
        family: "rows",
        summary: "Delete the rows where the column is missing (null or empty text).",
        params: SourceOnly::SPECS,
        conditions: Conditions::RowFilter,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            Ok(Box::new(RemoveMissing {
                source: SourceOnly::read(p).source,
            }))
        }),
    },
    OpSpec {
        name: "DELETE_DUPLICATE_ROWS",
        family: "rows",
        summary: "Delete rows identical (all columns) to an earlier row; the first is kept.",
        params: &[],
        conditions: Conditions::Unsupported,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Fn(|_, _| Ok(Box::new(DeleteDuplicateRows))),
    },
    OpSpec {
        name: "REMOVE_DUPLICATES",
        family: "rows",
        summary: "Delete a row when its value in the column already appeared in an earlier row.",
        params: SourceOnly::SPECS,
        conditions: Conditions::RowFilter,
        scope: Scope::WholeDataset,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            Ok(Box::new(RemoveDuplicates {
                source: SourceOnly::read(p).source,
            }))
        }),
    },
];

/// REMOVE_VALUES: rows where every condition holds are removed; a row where a condition
/// cannot be evaluated (null) is kept. Without conditions it is a validation error.
pub struct RemoveValues {
    source: Option<String>,
}

impl Operation for RemoveValues {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        if let Some(s) = &self.source {
            require_column(input, s, "sourceColumn")?;
        }
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let remove = ctx.where_conditions(lit(true));
        Ok(lf.filter(remove.not()))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

/// REMOVE_MISSING: keep rows where `sourceColumn` is present (with conditions: remove only
/// the missing rows where the conditions hold).
pub struct RemoveMissing {
    source: String,
}

impl Operation for RemoveMissing {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let remove = ctx.where_conditions(missing(&self.source, &dtype));
        Ok(lf.filter(remove.not()))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

/// DELETE_DUPLICATE_ROWS: the first of identical rows stays, order is kept. Missing values
/// compare equal to each other (null and empty text alike).
pub struct DeleteDuplicateRows;

impl Operation for DeleteDuplicateRows {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        // Empty text and null are the same missing value when rows are compared.
        let keys = crate::recipe::condition::row_keys(&ctx.schema);
        if keys.is_empty() {
            return Ok(lf);
        }
        Ok(lf.filter(as_struct(keys).is_first_distinct()))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

/// REMOVE_DUPLICATES: a row is removed when its `sourceColumn` value appeared in an earlier
/// row (first occurrence kept, order kept). Missing values count as one value, so only the
/// first missing row stays (datacook decision). Duplicates are judged over all rows; with
/// conditions only duplicate rows where the conditions hold are removed.
pub struct RemoveDuplicates {
    source: String,
}

impl Operation for RemoveDuplicates {
    fn preserves_rows(&self) -> bool {
        false
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        Ok(input.clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        // Empty text and null are the same missing value.
        let key = crate::recipe::condition::empty_as_null(&self.source, &dtype);
        let remove = ctx.where_conditions(key.is_first_distinct().not());
        Ok(lf.filter(remove.not()))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

// ---- duplicate flags ----------------------------------------------------------------------

params! {
    struct FlagDuplicateRowsParams {
        target: String = ParamSpec::def(
            "targetColumn",
            ParamKind::Column,
            "duplicate_row",
            "Name of the flag column (added at the end).",
        ),
        true_string: String = p::TRUE_STRING,
        false_string: String = p::FALSE_STRING,
    }
}

params! {
    struct FlagDuplicatesInColumnParams {
        source: String = p::SOURCE_COLUMN,
        target: Option<String> = ParamSpec::opt(
            "targetColumn",
            ParamKind::Column,
            "Name of the flag column (default <sourceColumn>_duplicate).",
        ),
        true_string: String = p::TRUE_STRING,
        false_string: String = p::FALSE_STRING,
    }
}

/// FLAG_DUPLICATE_ROWS, FLAG_DUPLICATES_IN_COLUMN (reference §2.5): a new text column holding
/// `trueString` for a row equal to an earlier row (all columns, or the one column) and
/// `falseString` otherwise, so the first occurrence is not flagged. Missing values compare
/// equal (null and empty text alike), as when duplicates are removed. Duplicates are judged
/// over all rows; with conditions the flag is null where they do not hold. The row flag goes
/// at the end (default name `duplicate_row`), the column flag after its column (default
/// `<sourceColumn>_duplicate`).
pub fn duplicate_flag_specs() -> Vec<OpSpec> {
    vec![
        OpSpec {
            name: "FLAG_DUPLICATE_ROWS",
            family: "duplicates",
            summary: "Flag rows equal to an earlier row (the first occurrence is not flagged).",
            params: FlagDuplicateRowsParams::SPECS,
            conditions: Conditions::NewColumn,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Fn(|_, p| {
                let f = FlagDuplicateRowsParams::read(p);
                Ok(Box::new(FlagDuplicates {
                    source: None,
                    target: f.target,
                    true_string: f.true_string,
                    false_string: f.false_string,
                }))
            }),
        },
        OpSpec {
            name: "FLAG_DUPLICATES_IN_COLUMN",
            family: "duplicates",
            summary: "Flag rows whose value appeared in an earlier row.",
            params: FlagDuplicatesInColumnParams::SPECS,
            conditions: Conditions::NewColumn,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Fn(|_, p| {
                let f = FlagDuplicatesInColumnParams::read(p);
                Ok(Box::new(FlagDuplicates {
                    target: f
                        .target
                        .unwrap_or_else(|| format!("{}_duplicate", f.source)),
                    source: Some(f.source),
                    true_string: f.true_string,
                    false_string: f.false_string,
                }))
            }),
        },
    ]
}

pub struct FlagDuplicates {
    source: Option<String>,
    target: String,
    true_string: String,
    false_string: String,
}

impl FlagDuplicates {
    fn first_occurrence(&self, schema: &Schema) -> OpResult<Expr> {
        Ok(match &self.source {
            Some(source) => {
                let dtype = require_column(schema, source, "sourceColumn")?;
                crate::recipe::condition::empty_as_null(source, &dtype).is_first_distinct()
            }
            None => {
                let keys = crate::recipe::condition::row_keys(schema);
                if keys.is_empty() {
                    lit(true)
                } else {
                    as_struct(keys).is_first_distinct()
                }
            }
        })
    }
}

impl Operation for FlagDuplicates {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let _validated = self.first_occurrence(input)?;
        require_new_column(input, &self.target, "targetColumn")?;
        let new = [(self.target.clone(), DataType::String)];
        Ok(match &self.source {
            Some(source) => schema_insert_after(input, source, &new),
            None => {
                let mut out = input.clone();
                out.with_column(self.target.as_str().into(), DataType::String);
                out
            }
        })
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let flag = ctx
            .new_column(
                when(self.first_occurrence(&ctx.schema)?)
                    .then(lit(self.false_string.clone()))
                    .otherwise(lit(self.true_string.clone())),
            )
            .alias(self.target.as_str());
        Ok(match &self.source {
            Some(source) => select_insert_after(lf, &ctx.schema, source, vec![flag]),
            None => lf.with_column(flag),
        })
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}
