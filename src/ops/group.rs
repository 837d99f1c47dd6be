//! Group and reshape (reference §2.12): GROUP_BY, PIVOT, TRANSPOSE and UNPIVOT.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * GROUP_BY groups rows by `sourceColumns` (empty text and null are one missing key, shown
//!   as null) and computes each of `groupByAggFunctionOptions` (`groupByAggFunctions` too):
//!   COUNT (present values), COUNT_DISTINCT (distinct present values), SUM, MEAN (AVERAGE),
//!   MEDIAN, MIN, MAX, STANDARD_DEVIATION and VARIANCE (sample, n − 1), FIRST, LAST (the first /
//!   last present value in row order); SUM and COUNT over no values give 0, the others null. A
//!   `targetColumnDataType` casts the result (DataBrew type
//!   names; a value that does not convert is null).
//! * `useNewDataFrame: true` replaces the dataset by one row per group — the keys, then the
//!   results — in the order groups first appear. `false` (the default) keeps every row and adds
//!   the group's results to it, at the end.
//! * PIVOT groups the rows by every column but `sourceColumn` and `valueColumn` (in the order
//!   groups first appear) and makes one column `<sourceColumn>_<value>` per distinct present
//!   value of `sourceColumn` (at most 10, in ascending order, as ONE_HOT_ENCODING), holding
//!   `aggregateFunction` of `valueColumn` over the group's rows with that value: the GROUP_BY
//!   functions, or COLLECT_LIST for the list of the values (no aggregation).
//! * TRANSPOSE turns the `valueColumns` into rows and the values of `pivotColumns` into columns
//!   (DataBrew's example: teachers as rows, students as columns → students as rows, teachers as
//!   columns): one row per value column, in the order listed, its name in `newColumn`, then one
//!   column per distinct combination of the pivot columns' values (at most 10, ascending; several
//!   pivot columns join their values with `_`), holding `aggregateFunction` of the values (the
//!   GROUP_BY functions, or COLLECT_LIST for the list of them). Value columns take their common
//!   type. As the new columns are named by the data, later steps are checked against them only
//!   when the data is read.
//! * UNPIVOT turns `sourceColumns` into rows: each input row gives one row per listed column,
//!   in order, holding the other columns, the column's name in `unpivotColumn` and its value in
//!   `valueColumn` (the listed columns' common type).

use std::sync::Arc;

use polars::prelude::*;

use super::aggregate::{FUNCTIONS, aggregate};
use super::declare::params;
use super::mapping::{DYNAMIC_SUFFIX, ONE_HOT_MAX_VALUES, levels, levels_request, render};
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Stats,
    Status, p, require_column, require_new_column,
};
use crate::recipe::params::{ParamKind, ParamSpec};

const FAMILY: &str = "group and reshape";

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
    struct Pivot {
        source: String = p::SOURCE_COLUMN,
        value: String = ParamSpec::req("valueColumn", ParamKind::Column, "The column whose values fill the new columns."),
        function: String = ParamSpec::def("aggregateFunction", ParamKind::Text, "SUM", "SUM, COUNT, MEAN, … as in GROUP_BY, or COLLECT_LIST for the list of values."),
    }
}

params! {
    struct Transpose {
        pivots: Vec<String> = ParamSpec::req("pivotColumns", ParamKind::Columns, "Columns whose values become column names."),
        values: Vec<String> = ParamSpec::req("valueColumns", ParamKind::Columns, "Columns that become rows."),
        function: String = ParamSpec::def("aggregateFunction", ParamKind::Text, "COLLECT_LIST", "How values meeting in one cell combine: COLLECT_LIST (a list) or a GROUP_BY function."),
        new_column: String = ParamSpec::req("newColumn", ParamKind::Column, "Holds the names of the value columns."),
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
            name: "PIVOT",
            family: FAMILY,
            summary: "One column per value of sourceColumn (at most 10), aggregating valueColumn by group.",
            params: Pivot::SPECS,
            conditions: Conditions::Unsupported,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Closure(Arc::new(|p| {
                let pv = Pivot::read(p);
                let function = reshape_function(&pv.function)?;
                Ok(Box::new(PivotStep {
                    source: pv.source,
                    value: pv.value,
                    function,
                }))
            })),
        },
        OpSpec {
            name: "TRANSPOSE",
            family: FAMILY,
            summary: "Value columns become rows, the pivot columns' values become columns.",
            params: Transpose::SPECS,
            conditions: Conditions::Unsupported,
            scope: Scope::WholeDataset,
            status: Status::Supported,
            build: Build::Closure(Arc::new(|p| {
                let t = Transpose::read(p);
                let function = reshape_function(&t.function)?;
                if t.pivots.is_empty() || t.values.is_empty() {
                    return Err(OpError::new(
                        "pivotColumns and valueColumns must each list a column",
                    )
                    .param(if t.pivots.is_empty() {
                        "pivotColumns"
                    } else {
                        "valueColumns"
                    }));
                }
                Ok(Box::new(TransposeStep {
                    pivots: t.pivots,
                    values: t.values,
                    function,
                    new_column: t.new_column,
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
        let e = aggregate(&a.function, &a.source, &dtype, None)
            .map_err(|e| e.param("groupByAggFunctionOptions"))?;
        let e = match &a.dtype {
            Some(t) => {
                let before = super::shape::expr_dtype(schema, e.clone())?;
                crate::types::convert(e, &before, t)
            }
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

impl Operation for Group {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let keys = self.keys(input)?;
        let aggs = self
            .aggs
            .iter()
            .map(|a| self.agg_expr(a, input))
            .collect::<OpResult<Vec<_>>>()?;
        let referenced = self
            .keys
            .iter()
            .chain(self.aggs.iter().map(|a| &a.source))
            .map(String::as_str);
        let empty = super::shape::planning_frame(input, referenced);
        let outputs = self.aggs.iter().map(|a| a.target.as_str());
        match self.new_frame {
            true => super::no_repeats(
                self.keys.iter().map(String::as_str).chain(outputs),
                "groupByAggFunctionOptions",
            )?,
            false => super::no_repeats(outputs, "groupByAggFunctionOptions")?,
        }
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

/// PIVOT's and TRANSPOSE's `aggregateFunction`: COLLECT_LIST or a GROUP_BY function.
fn reshape_function(name: &str) -> OpResult<String> {
    let function = name.to_ascii_uppercase();
    if function != "COLLECT_LIST" && !FUNCTIONS.contains(&function.as_str()) {
        return Err(
            OpError::new(format!("unknown aggregate function '{function}'"))
                .param("aggregateFunction")
                .help(format!(
                    "use COLLECT_LIST or one of {}",
                    FUNCTIONS.join(", ")
                )),
        );
    }
    Ok(function)
}

/// PIVOT: see the module rules.
pub struct PivotStep {
    source: String,
    value: String,
    function: String,
}

impl PivotStep {
    fn keys(&self, schema: &Schema) -> Vec<Expr> {
        schema
            .iter_names()
            .filter(|n| n.as_str() != self.source && n.as_str() != self.value)
            .map(|n| col(n.as_str()))
            .collect()
    }

    fn grouped(&self, lf: LazyFrame, schema: &Schema, aggs: Vec<Expr>) -> LazyFrame {
        let keys = self.keys(schema);
        if keys.is_empty() {
            // One group of every row, so COLLECT_LIST gathers lists as with keys.
            const ALL: &str = "__datacook_all_rows";
            lf.with_column(lit(true).alias(ALL))
                .group_by([col(ALL)])
                .agg(aggs)
                .drop(Selector::ByName {
                    names: Arc::new([PlSmallStr::from(ALL)]),
                    strict: true,
                })
        } else {
            lf.group_by_stable(keys).agg(aggs)
        }
    }
}

impl Operation for PivotStep {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        let dtype = require_column(input, &self.value, "valueColumn")?;
        let placeholder = format!("{}_{DYNAMIC_SUFFIX}", self.source);
        let agg = aggregate(&self.function, &self.value, &dtype, None)
            .map_err(|e| e.param("aggregateFunction"))?
            .alias(placeholder.as_str());
        let frame =
            super::shape::planning_frame(input, [self.source.as_str(), self.value.as_str()]);
        let out = self
            .grouped(frame, input, vec![agg])
            .collect_schema()
            .map_err(|e| OpError::new(format!("cannot pivot: {e}")))?;
        Ok(out.as_ref().clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let src_type = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let dtype = require_column(&ctx.schema, &self.value, "valueColumn")?;
        let df = ctx.aggregate(&lf, levels_request(&self.source, &src_type))?;
        let values = levels(&df, &self.source, &src_type, "PIVOT")?;
        let mut aggs = Vec::new();
        let mut names = Vec::new();
        for i in 0..values.len() {
            let v = values.get(i)?;
            let name = format!("{}_{}", self.source, render(&v));
            if self
                .keys(&ctx.schema)
                .iter()
                .any(|k| matches!(k, Expr::Column(c) if c.as_str() == name))
            {
                return Err(
                    OpError::new(format!("column '{name}' already exists")).param("sourceColumn")
                );
            }
            let is_value =
                col(self.source.as_str()).eq(lit(Scalar::new(src_type.clone(), v.into_static())));
            aggs.push(
                aggregate(&self.function, &self.value, &dtype, Some(is_value))?
                    .alias(name.as_str()),
            );
            names.push(name);
        }
        ctx.record("columns", names);
        Ok(self.grouped(lf, &ctx.schema, aggs))
    }

    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        Some(levels_request(
            &self.source,
            &super::column_type(input, &self.source)?,
        ))
    }

    fn preserves_rows(&self) -> bool {
        false
    }
}

const CELL: &str = "__datacook_transpose_value";
const KEY: &str = "__datacook_transpose_key";

/// TRANSPOSE: see the module rules.
pub struct TransposeStep {
    pivots: Vec<String>,
    values: Vec<String>,
    function: String,
    new_column: String,
}

impl TransposeStep {
    /// The value columns as rows: (order, newColumn, key, value).
    fn long(&self, lf: LazyFrame, schema: &Schema) -> OpResult<LazyFrame> {
        for p in &self.pivots {
            require_column(schema, p, "pivotColumns")?;
        }
        for v in &self.values {
            require_column(schema, v, "valueColumns")?;
        }
        let columns: Vec<Expr> = self.values.iter().map(|v| col(v.as_str())).collect();
        let value_type = super::shape::expr_dtype(schema, coalesce(&columns))?;
        let key = concat_str(
            self.pivots
                .iter()
                .map(|p| col(p.as_str()).cast(DataType::String))
                .collect::<Vec<_>>(),
            "_",
            false,
        );
        let parts: Vec<LazyFrame> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                lf.clone().select([
                    lit(i as u32).alias(ORDER),
                    lit(v.clone()).alias(self.new_column.as_str()),
                    key.clone().alias(KEY),
                    col(v.as_str()).cast(value_type.clone()).alias(CELL),
                ])
            })
            .collect();
        Ok(concat(parts, UnionArgs::default())?)
    }

    fn grouped(&self, long: LazyFrame, aggs: Vec<Expr>) -> LazyFrame {
        long.group_by_stable([col(ORDER), col(self.new_column.as_str())])
            .agg(aggs)
            .sort([ORDER], SortMultipleOptions::default())
            .drop(Selector::ByName {
                names: Arc::new([PlSmallStr::from(ORDER)]),
                strict: true,
            })
    }
}

impl Operation for TransposeStep {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        let referenced = self.pivots.iter().chain(&self.values).map(String::as_str);
        let long = self.long(super::shape::planning_frame(input, referenced), input)?;
        let long_schema = long.clone().collect_schema()?;
        let dtype = long_schema.get(CELL).cloned().unwrap_or(DataType::Null);
        let agg = aggregate(&self.function, CELL, &dtype, None)
            .map_err(|e| e.param("aggregateFunction"))?
            .alias(DYNAMIC_SUFFIX);
        let out = self
            .grouped(long, vec![agg])
            .collect_schema()
            .map_err(|e| OpError::new(format!("cannot transpose: {e}")))?;
        Ok(out.as_ref().clone())
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let long = self.long(lf, &ctx.schema)?;
        let keys = ctx.query(
            long.clone()
                .select([col(KEY)])
                .drop_nulls(None)
                .unique(None, UniqueKeepStrategy::First)
                .sort([KEY], SortMultipleOptions::default()),
        )?;
        let keys: Vec<String> = keys
            .column(KEY)?
            .str()?
            .iter()
            .flatten()
            // Empty text is missing, as in PIVOT: it names no column.
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect();
        if keys.len() > ONE_HOT_MAX_VALUES {
            return Err(OpError::data(format!(
                "the pivot columns have {} distinct values; TRANSPOSE allows at most {ONE_HOT_MAX_VALUES}",
                keys.len()
            ))
            .param("pivotColumns"));
        }
        let dtype = long
            .clone()
            .collect_schema()?
            .get(CELL)
            .cloned()
            .unwrap_or(DataType::Null);
        let mut aggs = Vec::new();
        for k in &keys {
            if *k == self.new_column {
                return Err(
                    OpError::new(format!("a pivot value is named like newColumn ('{k}')"))
                        .param("newColumn"),
                );
            }
            let only = col(KEY).eq(lit(k.clone()));
            aggs.push(aggregate(&self.function, CELL, &dtype, Some(only))?.alias(k.as_str()));
        }
        ctx.record("columns", keys);
        Ok(self.grouped(long, aggs))
    }

    fn preserves_rows(&self) -> bool {
        false
    }
}
