//! Group and reshape (reference §2.12): GROUP_BY and UNPIVOT.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * GROUP_BY groups rows by `sourceColumns` (empty text and null are one missing key, shown
//!   as null) and computes each of `groupByAggFunctionOptions` (`groupByAggFunctions` too):
//!   COUNT (present values), COUNT_DISTINCT (distinct present values), SUM, MEAN (AVERAGE),
//!   MEDIAN, MIN, MAX, STANDARD_DEVIATION and VARIANCE (sample, n − 1), FIRST, LAST (the first /
//!   last present value in row order). A `targetColumnDataType` casts the result (DataBrew type
//!   names; a value that does not convert is null).
//! * `useNewDataFrame: true` replaces the dataset by one row per group — the keys, then the
//!   results — in the order groups first appear. `false` (the default) keeps every row and adds
//!   the group's results to it, at the end.
//! * UNPIVOT turns `sourceColumns` into rows: each input row gives one row per listed column,
//!   in order, holding the other columns, the column's name in `unpivotColumn` and its value in
//!   `valueColumn` (the listed columns' common type).

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status,
    require_column, require_new_column,
};
use crate::recipe::params::{ParamKind, ParamSpec};

const FAMILY: &str = "group and reshape";

const FUNCTIONS: &[&str] = &[
    "COUNT",
    "COUNT_DISTINCT",
    "SUM",
    "MEAN",
    "AVERAGE",
    "MEDIAN",
    "MIN",
    "MAX",
    "STANDARD_DEVIATION",
    "VARIANCE",
    "FIRST",
    "LAST",
];

params! {
    struct GroupBy {
        keys: Vec<String> = ParamSpec::req("sourceColumns", ParamKind::Columns, "The columns to group by."),
        options: Option<serde_json::Value> = ParamSpec::opt(
            "groupByAggFunctionOptions",
            ParamKind::Json,
            "[{\"sourceColumnName\": \"x\", \"targetColumnName\": \"x_sum\", \"targetColumnDataType\": \"double\", \"functionName\": \"SUM\"}, …]",
        ),
        options_alias: Option<serde_json::Value> = ParamSpec::opt("groupByAggFunctions", ParamKind::Json, "Same as groupByAggFunctionOptions (the name DataBrew's prose uses)."),
        new_frame: bool = ParamSpec::def("useNewDataFrame", ParamKind::Bool, "false", "Replace the dataset by one row per group."),
    }
}

params! {
    struct Unpivot {
        sources: Vec<String> = ParamSpec::req("sourceColumns", ParamKind::Columns, "The columns to turn into rows."),
        name: String = ParamSpec::req("unpivotColumn", ParamKind::Column, "New column: the source column's name."),
        value: String = ParamSpec::req("valueColumn", ParamKind::Column, "New column: the value."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![
        OpSpec {
            name: "GROUP_BY",
            family: FAMILY,
            summary: "Aggregate by group: one row per group, or the results added to every row.",
            params: GroupBy::SPECS,
            conditions: Conditions::Unsupported,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Closure(Arc::new(|p| {
                let g = GroupBy::read(p);
                let (json, param) = match (g.options, g.options_alias) {
                    (Some(o), _) => (o, "groupByAggFunctionOptions"),
                    (None, Some(o)) => (o, "groupByAggFunctions"),
                    (None, None) => {
                        return Err(OpError::new("GROUP_BY needs groupByAggFunctionOptions")
                            .help(r#"e.g. groupByAggFunctionOptions: '[{"sourceColumnName": "x", "targetColumnName": "n", "functionName": "COUNT"}]'"#));
                    }
                };
                if g.keys.is_empty() {
                    return Err(
                        OpError::new("sourceColumns lists no column").param("sourceColumns")
                    );
                }
                Ok(Box::new(Group {
                    keys: g.keys,
                    aggs: aggregations(&json, param)?,
                    new_frame: g.new_frame,
                }))
            })),
        },
        OpSpec {
            name: "UNPIVOT",
            family: FAMILY,
            summary: "Turn columns into rows of (name, value).",
            params: Unpivot::SPECS,
            conditions: Conditions::Unsupported,
            scope: Scope::RowLocal,
            status: Status::Supported,
            build: Build::Closure(Arc::new(|p| {
                let u = Unpivot::read(p);
                if u.sources.is_empty() {
                    return Err(
                        OpError::new("sourceColumns lists no column").param("sourceColumns")
                    );
                }
                Ok(Box::new(UnpivotStep {
                    sources: u.sources,
                    name: u.name,
                    value: u.value,
                }))
            })),
        },
    ]
}

struct Aggregation {
    source: String,
    target: String,
    function: String,
    dtype: Option<DataType>,
}

fn aggregations(json: &serde_json::Value, param: &'static str) -> OpResult<Vec<Aggregation>> {
    let items = json
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| OpError::new(format!("{param} must be a non-empty list")).param(param))?;
    items
        .iter()
        .map(|item| {
            let field = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let source = field("sourceColumnName").ok_or_else(|| {
                OpError::new("an aggregation needs sourceColumnName").param(param)
            })?;
            let function = field("functionName")
                .map(|f| f.to_ascii_uppercase())
                .ok_or_else(|| OpError::new("an aggregation needs functionName").param(param))?;
            if !FUNCTIONS.contains(&function.as_str()) {
                return Err(
                    OpError::new(format!("unknown aggregate function '{function}'"))
                        .param(param)
                        .help(format!("use one of {}", FUNCTIONS.join(", "))),
                );
            }
            let dtype = match field("targetColumnDataType") {
                Some(t) => Some(crate::types::parse_type(&t).ok_or_else(|| {
                    OpError::new(format!("unknown targetColumnDataType '{t}'"))
                        .param(param)
                        .help(format!(
                            "use one of {}",
                            crate::types::TYPE_NAMES.join(", ")
                        ))
                })?),
                None => None,
            };
            Ok(Aggregation {
                target: field("targetColumnName")
                    .unwrap_or_else(|| format!("{source}_{}", function.to_ascii_lowercase())),
                source,
                function,
                dtype,
            })
        })
        .collect()
}

pub struct Group {
    keys: Vec<String>,
    aggs: Vec<Aggregation>,
    new_frame: bool,
}

impl Group {
    fn agg_expr(&self, a: &Aggregation, schema: &Schema) -> OpResult<Expr> {
        let dtype = require_column(schema, &a.source, "groupByAggFunctionOptions")?;
        let present = crate::recipe::condition::empty_as_null(&a.source, &dtype);
        let numeric = || -> OpResult<Expr> {
            if dtype.is_primitive_numeric() || dtype.is_decimal() {
                Ok(col(a.source.as_str()))
            } else {
                Err(OpError::new(format!(
                    "{} needs a numeric column, but '{}' is {}",
                    a.function,
                    a.source,
                    super::type_label(&dtype)
                ))
                .param("groupByAggFunctionOptions")
                .help("convert it first with CHANGE_DATA_TYPE")
                .not_numeric(&a.source))
            }
        };
        let e = match a.function.as_str() {
            "COUNT" => present.count().cast(DataType::Int64),
            "COUNT_DISTINCT" => present.drop_nulls().n_unique().cast(DataType::Int64),
            "SUM" => numeric()?.sum(),
            "MEAN" | "AVERAGE" => numeric()?.mean(),
            "MEDIAN" => numeric()?.median(),
            "MIN" => col(a.source.as_str()).min(),
            "MAX" => col(a.source.as_str()).max(),
            "STANDARD_DEVIATION" => numeric()?.std(1),
            "VARIANCE" => numeric()?.var(1),
            "FIRST" => present.drop_nulls().first(),
            _ => present.drop_nulls().last(),
        };
        let e = match &a.dtype {
            Some(t) => crate::types::convert(e, &expr_type(schema, &a.function, &dtype), t),
            None => e,
        };
        Ok(e.alias(a.target.as_str()))
    }

    fn keys(&self, schema: &Schema) -> OpResult<Vec<Expr>> {
        self.keys
            .iter()
            .map(|k| {
                let dtype = require_column(schema, k, "sourceColumns")?;
                Ok(crate::recipe::condition::empty_as_null(k, &dtype))
            })
            .collect()
    }
}

/// The type an aggregate has before a `targetColumnDataType` cast.
fn expr_type(schema: &Schema, function: &str, dtype: &DataType) -> DataType {
    let _ = schema;
    match function {
        "COUNT" | "COUNT_DISTINCT" => DataType::Int64,
        "MEAN" | "AVERAGE" | "MEDIAN" | "STANDARD_DEVIATION" | "VARIANCE" => DataType::Float64,
        _ => dtype.clone(),
    }
}

impl Operation for Group {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let keys = self.keys(input)?;
        let aggs = self
            .aggs
            .iter()
            .map(|a| self.agg_expr(a, input))
            .collect::<OpResult<Vec<_>>>()?;
        let empty = DataFrame::empty_with_schema(input).lazy();
        let mut out = if self.new_frame {
            empty
                .group_by_stable(keys)
                .agg(aggs)
                .collect_schema()
                .map_err(|e| OpError::new(format!("cannot group: {e}")))?
                .as_ref()
                .clone()
        } else {
            for a in &self.aggs {
                require_new_column(input, &a.target, "groupByAggFunctionOptions")?;
            }
            let over = aggs
                .into_iter()
                .map(|e| e.over(keys.clone()))
                .collect::<PolarsResult<Vec<_>>>()?;
            empty
                .with_columns(over)
                .collect_schema()
                .map_err(|e| OpError::new(format!("cannot group: {e}")))?
                .as_ref()
                .clone()
        };
        if self.new_frame {
            // Keys keep their own types (empty text read as null does not change them).
            for k in &self.keys {
                if let Some(t) = input.get(k) {
                    out.with_column(k.as_str().into(), t.clone());
                }
            }
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let keys = self.keys(&ctx.schema)?;
        let aggs = self
            .aggs
            .iter()
            .map(|a| self.agg_expr(a, &ctx.schema))
            .collect::<OpResult<Vec<_>>>()?;
        if self.new_frame {
            return Ok(lf.group_by_stable(keys).agg(aggs));
        }
        let over = aggs
            .into_iter()
            .map(|e| e.over(keys.clone()))
            .collect::<PolarsResult<Vec<_>>>()?;
        Ok(lf.with_columns(over))
    }

    fn preserves_rows(&self) -> bool {
        !self.new_frame
    }

    fn writes(&self) -> Option<Vec<String>> {
        if self.new_frame {
            None
        } else {
            Some(self.aggs.iter().map(|a| a.target.clone()).collect())
        }
    }
}

const ROW: &str = "__datacook_unpivot_row";
const ORDER: &str = "__datacook_unpivot_column";

pub struct UnpivotStep {
    sources: Vec<String>,
    name: String,
    value: String,
}

impl UnpivotStep {
    fn value_type(&self, schema: &Schema) -> OpResult<DataType> {
        for s in &self.sources {
            require_column(schema, s, "sourceColumns")?;
        }
        // Polars' common type of the columns: the type coalescing them has.
        let columns: Vec<Expr> = self.sources.iter().map(|s| col(s.as_str())).collect();
        super::shape::expr_dtype(schema, coalesce(&columns))
    }

    fn kept<'a>(&'a self, schema: &'a Schema) -> impl Iterator<Item = &'a PlSmallStr> {
        schema
            .iter_names()
            .filter(|n| !self.sources.iter().any(|s| s == n.as_str()))
    }
}

impl Operation for UnpivotStep {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let value_type = self.value_type(input)?;
        let mut out = Schema::with_capacity(input.len());
        for n in self.kept(input) {
            out.with_column(n.clone(), input.get(n).cloned().unwrap_or(DataType::Null));
        }
        for (new, param) in [(&self.name, "unpivotColumn"), (&self.value, "valueColumn")] {
            if out.contains(new) || (new == &self.value && self.name == self.value) {
                return Err(OpError::new(format!("column '{new}' already exists")).param(param));
            }
            out.with_column(
                new.as_str().into(),
                if new == &self.name {
                    DataType::String
                } else {
                    value_type.clone()
                },
            );
        }
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let value_type = self.value_type(&ctx.schema)?;
        let kept: Vec<Expr> = self.kept(&ctx.schema).map(|n| col(n.as_str())).collect();
        let indexed = lf.with_row_index(ROW, None);
        let parts: Vec<LazyFrame> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut exprs = vec![col(ROW), lit(i as u32).alias(ORDER)];
                exprs.extend(kept.iter().cloned());
                exprs.push(lit(s.clone()).alias(self.name.as_str()));
                exprs.push(
                    col(s.as_str())
                        .cast(value_type.clone())
                        .alias(self.value.as_str()),
                );
                indexed.clone().select(exprs)
            })
            .collect();
        let stacked = concat(parts, UnionArgs::default())?;
        let mut out: Vec<Expr> = kept;
        out.push(col(self.name.as_str()));
        out.push(col(self.value.as_str()));
        Ok(stacked
            .sort(
                [ROW, ORDER],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .select(out))
    }

    fn preserves_rows(&self) -> bool {
        false
    }
}
