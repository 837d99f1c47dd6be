//! Flag columns: FLAG_COLUMN_FROM_PATTERN and FLAG_COLUMN_FROM_NULL.

use polars::prelude::*;

use super::{
    ApplyCtx, Build, Conditions, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    check_regex, p, require_column, require_new_column, schema_insert_after, select_insert_after,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const TARGET: ParamSpec = ParamSpec::opt(
    "targetColumn",
    ParamKind::Column,
    "Name of the flag column (default <sourceColumn>_flagged).",
);
const FLAG_TYPE: ParamSpec = ParamSpec::opt(
    "flagType",
    ParamKind::Text,
    "Console label of the flag kind (informational).",
);

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "FLAG_COLUMN_FROM_PATTERN",
        family: "flags",
        summary: "Flag rows whose value contains a match of a regular expression.",
        params: &[
            p::SOURCE_COLUMN,
            ParamSpec::req(
                "pattern",
                ParamKind::Text,
                "Regular expression, searched anywhere in the value.",
            ),
            TARGET,
            p::TRUE_STRING,
            p::FALSE_STRING,
            FLAG_TYPE,
        ],
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Flag::from_params(p, true)?))),
    },
    OpSpec {
        name: "FLAG_COLUMN_FROM_NULL",
        family: "flags",
        summary: "Flag rows whose value is missing (null or empty text).",
        params: &[
            p::SOURCE_COLUMN,
            TARGET,
            p::TRUE_STRING,
            p::FALSE_STRING,
            FLAG_TYPE,
        ],
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(Flag::from_params(p, false)?))),
    },
];

/// FLAG_COLUMN_FROM_PATTERN / FLAG_COLUMN_FROM_NULL (decisions.md, "Flags"):
/// * pattern: the regex is *searched* (unanchored) in the value rendered as text, so
///   `(?:19|20)[0-9]{2}` flags `2017-08-24` as true; a missing value is `falseString`. A regex
///   feature the engine lacks (look-around, back-references) is a validation error.
/// * null: missing (null or empty text) → `trueString`, else `falseString`.
///
/// Defaults `True`/`False`; the flag column is text, inserted right after the source, and
/// never null (except where the step's conditions do not hold).
pub struct Flag {
    source: String,
    target: String,
    pattern: Option<String>,
    true_string: String,
    false_string: String,
}

impl Flag {
    fn from_params(p: &Params, with_pattern: bool) -> OpResult<Self> {
        let source = p.text("sourceColumn").unwrap_or_default();
        let pattern = if with_pattern {
            let pattern = p.text("pattern").unwrap_or_default();
            check_regex(&pattern, "pattern")?;
            Some(pattern)
        } else {
            None
        };
        Ok(Flag {
            target: p
                .text("targetColumn")
                .unwrap_or_else(|| format!("{source}_flagged")),
            source,
            pattern,
            true_string: p.text("trueString").unwrap_or_default(),
            false_string: p.text("falseString").unwrap_or_default(),
        })
    }
}

impl Operation for Flag {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        require_new_column(input, &self.target, "targetColumn")?;
        Ok(schema_insert_after(
            input,
            &self.source,
            &[(self.target.clone(), DataType::String)],
        ))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let test = match &self.pattern {
            Some(pattern) => when(missing(&self.source, &dtype))
                .then(lit(false))
                .otherwise(
                    col(self.source.as_str())
                        .cast(DataType::String)
                        .str()
                        .contains(lit(pattern.clone()), true),
                )
                .fill_null(lit(false)),
            None => missing(&self.source, &dtype),
        };
        let flag = ctx
            .new_column(
                when(test)
                    .then(lit(self.true_string.clone()))
                    .otherwise(lit(self.false_string.clone())),
            )
            .alias(self.target.as_str());
        Ok(select_insert_after(
            lf,
            &ctx.schema,
            &self.source,
            vec![flag],
        ))
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}
