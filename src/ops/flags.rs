//! Flag columns: FLAG_COLUMN_FROM_PATTERN and FLAG_COLUMN_FROM_NULL.

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    check_regex, p, require_column, require_new_column, schema_insert_after, select_insert_after,
};
use crate::recipe::condition::missing;
use crate::recipe::params::{ParamKind, ParamSpec};

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

params! {
    struct PatternFlag {
        source: String = p::SOURCE_COLUMN,
        pattern: String = ParamSpec::req(
            "pattern",
            ParamKind::Text,
            "Regular expression, searched anywhere in the value.",
        ),
        target: Option<String> = TARGET,
        true_string: String = p::TRUE_STRING,
        false_string: String = p::FALSE_STRING,
        flag_type: Option<String> = FLAG_TYPE,
    }
}

params! {
    struct NullFlag {
        source: String = p::SOURCE_COLUMN,
        target: Option<String> = TARGET,
        true_string: String = p::TRUE_STRING,
        false_string: String = p::FALSE_STRING,
        flag_type: Option<String> = FLAG_TYPE,
    }
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "FLAG_COLUMN_FROM_PATTERN",
        family: "flags",
        summary: "Flag rows whose value contains a match of a regular expression.",
        params: PatternFlag::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let f = PatternFlag::read(p);
            check_regex(&f.pattern, "pattern")?;
            Ok(Box::new(Flag::new(
                f.source,
                f.target,
                Some(f.pattern),
                f.true_string,
                f.false_string,
            )))
        }),
    },
    OpSpec {
        name: "FLAG_COLUMN_FROM_NULL",
        family: "flags",
        summary: "Flag rows whose value is missing (null or empty text).",
        params: NullFlag::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            let f = NullFlag::read(p);
            Ok(Box::new(Flag::new(
                f.source,
                f.target,
                None,
                f.true_string,
                f.false_string,
            )))
        }),
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
    fn new(
        source: String,
        target: Option<String>,
        pattern: Option<String>,
        true_string: String,
        false_string: String,
    ) -> Self {
        Flag {
            target: target.unwrap_or_else(|| format!("{source}_flagged")),
            source,
            pattern,
            true_string,
            false_string,
        }
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
