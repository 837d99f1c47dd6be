//! Data-science steps: CATEGORICAL_MAPPING and ONE_HOT_ENCODING.

use polars::prelude::*;

use super::declare::params;
use super::missing::convert_once;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, REMOVED, SchemaCtx, Scope,
    Stats, Status, p, require_column, require_new_column, schema_insert_after, select_insert_after,
};
use crate::recipe::condition::missing;
use crate::recipe::node::format_float;
use crate::recipe::params::{ParamKind, ParamSpec, Params};

/// Most distinct values ONE_HOT_ENCODING accepts (DataBrew's limit).
pub const ONE_HOT_MAX_VALUES: usize = 10;

/// Marks a placeholder column in a schema computed before the data is read: ONE_HOT_ENCODING
/// adds `<src>_<value>` columns whose values only the data can tell.
pub use crate::types::DYNAMIC_SUFFIX;

params! {
    struct Mapping {
        source: String = p::SOURCE_COLUMN,
        map: Option<Vec<(String, String)>> = ParamSpec::opt(
            "categoryMap",
            ParamKind::TextMap,
            "Map from value to mapped value, e.g. {\"M\": \"1\"}.",
        ),
        top: Option<i64> = ParamSpec::opt(
            "mapTopValues",
            ParamKind::Integer,
            "datacook: map the N most frequent values (computed at run time) to 1..N.",
        ),
        keep_others: bool = ParamSpec::def(
            "keepOthers",
            ParamKind::Bool,
            "false",
            "Unmapped values keep their original value.",
        ),
        delete_others: bool = ParamSpec::def(
            "deleteOtherRows",
            ParamKind::Bool,
            "false",
            "Rows with unmapped values are deleted.",
        ),
        other: Option<String> = ParamSpec::opt("other", ParamKind::Text, "Value for unmapped values."),
        map_type: Option<String> = ParamSpec::opt(
            "mapType",
            ParamKind::Text,
            "NUMERIC makes the new column numeric; otherwise it is text.",
        ),
        target: Option<String> = ParamSpec::opt(
            "targetColumn",
            ParamKind::Column,
            "Name of the new column (default <sourceColumn>_mapped).",
        ),
        mapping_option: Option<String> = ParamSpec::opt(
            "mappingOption",
            ParamKind::Text,
            "Written by the console (e.g. TOP_X_VALUES); categoryMap holds the mapping it chose.",
        ),
    }
}

pub static SPECS: &[OpSpec] = &[
    OpSpec {
        name: "CATEGORICAL_MAPPING",
        family: "data science",
        summary: "Map categories to new values in a new column after the source.",
        params: Mapping::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| Ok(Box::new(CategoricalMapping::from_params(p)?))),
    },
    OpSpec {
        name: "ONE_HOT_ENCODING",
        family: "data science",
        summary: "One 0/1 column <src>_<value> per distinct value (at most 10), after the source.",
        params: super::SourceOnly::SPECS,
        conditions: Conditions::NewColumn,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Fn(|_, p| {
            Ok(Box::new(OneHot {
                source: super::SourceOnly::read(p).source,
            }))
        }),
    },
];

/// CATEGORICAL_MAPPING (decisions.md, "Mapping and encoding"): a value found in
/// `categoryMap` takes its mapped value. Otherwise, in this order: `keepOthers` keeps the
/// original value; `deleteOtherRows` removes the row; `other` replaces it; else null. A
/// missing source value stays missing. `mapType: NUMERIC` makes the target Int64 when every
/// mapped value (and `other`) is an integer, else Float64 (kept others that are not numbers
/// become null); otherwise the target is text. Source values are compared as text.
///
/// datacook extension: `mapTopValues: N` (instead of `categoryMap`) maps the N most frequent
/// values, counted on the full input at run time, to "1".."N" (ties: smaller value first) —
/// the console's "map top N values" without freezing the values at authoring time.
pub struct CategoricalMapping {
    source: String,
    target: String,
    map: Vec<(String, String)>,
    top: Option<usize>,
    keep_others: bool,
    delete_others: bool,
    other: Option<String>,
    numeric: bool,
}

impl CategoricalMapping {
    fn from_params(p: &Params) -> OpResult<Self> {
        let m = Mapping::read(p);
        let source = m.source;
        let top = m.top;
        let given = m.map.is_some();
        let map = m.map.unwrap_or_default();
        match (given, top) {
            (false, None) => {
                return Err(OpError::new("CATEGORICAL_MAPPING needs categoryMap")
                    .help(r#"add `categoryMap: {"M": "1", "F": "2"}`"#));
            }
            (true, Some(_)) => {
                return Err(OpError::new("give categoryMap or mapTopValues, not both")
                    .param("mapTopValues"));
            }
            (_, Some(n)) if n < 1 => {
                return Err(
                    OpError::new(format!("mapTopValues must be 1 or more, found {n}"))
                        .param("mapTopValues"),
                );
            }
            _ => {}
        }
        let numeric = m
            .map_type
            .is_some_and(|t| t.eq_ignore_ascii_case("NUMERIC"));
        let other = m.other;
        if numeric {
            for v in map.iter().map(|(_, v)| v).chain(other.iter()) {
                if v.trim().parse::<f64>().is_err() {
                    return Err(OpError::new(format!(
                        "mapType NUMERIC, but the mapped value '{v}' is not a number"
                    ))
                    .param(if other.as_ref() == Some(v) {
                        "other"
                    } else {
                        "categoryMap"
                    }));
                }
            }
        }
        Ok(CategoricalMapping {
            target: m.target.unwrap_or_else(|| format!("{source}_mapped")),
            source,
            map,
            top: top.map(|n| n as usize),
            keep_others: m.keep_others,
            delete_others: m.delete_others,
            other,
            numeric,
        })
    }

    fn target_dtype(&self) -> DataType {
        if !self.numeric {
            return DataType::String;
        }
        let all_int = self
            .map
            .iter()
            .map(|(_, v)| v)
            .chain(self.other.iter())
            .all(|v| v.trim().parse::<i64>().is_ok());
        if all_int {
            DataType::Int64
        } else {
            DataType::Float64
        }
    }

    fn top_values(
        &self,
        lf: &LazyFrame,
        ctx: &mut ApplyCtx,
        dtype: &DataType,
    ) -> OpResult<Vec<(String, String)>> {
        let src = self.source.as_str();
        let n = self.top.unwrap_or(1);
        let counts = ctx.query(
            lf.clone()
                .select([col(src)])
                .filter(missing(src, dtype).not())
                .group_by([col(src)])
                .agg([len().alias("count")])
                .sort_by_exprs(
                    [col("count"), col(src)],
                    SortMultipleOptions::default().with_order_descending_multi([true, false]),
                )
                .limit(n as IdxSize)
                .select([col(src).cast(DataType::String).alias("value")]),
        )?;
        let values = counts.column("value")?.str()?.clone();
        Ok(values
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| (v.to_string(), (i + 1).to_string()))
            .collect())
    }
}

impl Operation for CategoricalMapping {
    fn preserves_rows(&self) -> bool {
        !self.delete_others || self.keep_others
    }

    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        require_new_column(input, &self.target, "targetColumn")?;
        Ok(schema_insert_after(
            input,
            &self.source,
            &[(self.target.clone(), self.target_dtype())],
        ))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let dtype = require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let map = match self.top {
            Some(_) => {
                let m = self.top_values(&lf, ctx, &dtype)?;
                ctx.record(
                    "top_values",
                    serde_json::Value::Object(
                        m.iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                            .collect(),
                    ),
                );
                m
            }
            None => self.map.clone(),
        };
        let text = col(self.source.as_str()).cast(DataType::String);
        // Numeric targets take typed literals, unless kept others (text) must be parsed per row.
        let target_dtype = self.target_dtype();
        let typed = target_dtype != DataType::String && !self.keep_others;
        let literal_type = if typed {
            target_dtype.clone()
        } else {
            DataType::String
        };
        let value = |v: &str| -> OpResult<Expr> {
            if typed {
                typed_literal(v, &target_dtype)
            } else {
                Ok(lit(v.to_string()))
            }
        };
        let null = lit(NULL).cast(literal_type);
        let default = match &self.other {
            _ if self.keep_others => text.clone(),
            _ if self.delete_others => null.clone(),
            Some(o) => value(o)?,
            None => null.clone(),
        };
        let keys: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
        let is_missing = missing(&self.source, &dtype);
        let in_map = if keys.is_empty() {
            lit(false)
        } else {
            keys.iter()
                .map(|k| text.clone().eq(lit(*k)))
                .reduce(|a, b| a.or(b))
                .unwrap_or(lit(false))
        };
        let mut mapped = default;
        for (k, v) in map.iter().rev() {
            mapped = when(text.clone().eq(lit(k.as_str())))
                .then(value(v)?)
                .otherwise(mapped);
        }
        let mapped = when(is_missing.clone()).then(null).otherwise(mapped);
        let mapped = if typed || target_dtype == DataType::String {
            mapped
        } else {
            mapped_text_as(mapped, &target_dtype)
        };
        let new = ctx.new_column(mapped).alias(self.target.as_str());
        let lf = select_insert_after(lf, &ctx.schema, &self.source, vec![new]);
        if self.delete_others && !self.keep_others {
            let unmapped = is_missing.not().and(in_map.not());
            return Ok(lf.filter(ctx.where_conditions(unmapped).not()));
        }
        Ok(lf)
    }
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.target.clone()])
    }
}

/// Mapped text as a NUMERIC target of `dtype` holds it: trimmed, then cast.
fn mapped_text_as(text: Expr, dtype: &DataType) -> Expr {
    text.str().strip_chars(lit(NULL)).cast(dtype.clone())
}

/// A mapped value as [`mapped_text_as`] converts it, once here rather than once per row.
fn typed_literal(v: &str, dtype: &DataType) -> OpResult<Expr> {
    let value = convert_once(v, |text| mapped_text_as(text, dtype))?;
    Ok(lit(Scalar::new(dtype.clone(), value)))
}

/// ONE_HOT_ENCODING (decisions.md): one Int32 0/1 column `<src>_<value>` per distinct
/// non-missing value, in ascending value order (numeric order for numbers), inserted after the
/// source, which stays. A missing source value gives all zeros. More than 10 distinct values
/// is an error naming the count. Values render as written (`health_3`, not `health_3.0`).
/// The distinct values are read from the full input at run time.
pub struct OneHot {
    source: String,
}

impl OneHot {
    /// The distinct present values, ascending.
    fn request(&self, dtype: &DataType) -> Stats {
        levels_request(&self.source, dtype)
    }
}

/// The distinct present values of `source`, ascending, as the statistic `values`: the columns
/// ONE_HOT_ENCODING and PIVOT make.
pub fn levels_request(source: &str, dtype: &DataType) -> Stats {
    let values = col(source)
        .filter(missing(source, dtype).not())
        .unique()
        .sort(SortOptions::default())
        .implode(true);
    Stats {
        exprs: vec![("values", values)],
        reads: vec![source.to_string()],
    }
}

/// The levels [`levels_request`] computed, at most [`ONE_HOT_MAX_VALUES`] of them (DataBrew's
/// limit), else an error naming `op` and what to do first.
pub fn levels(df: &DataFrame, source: &str, dtype: &DataType, op: &str) -> OpResult<Series> {
    let values = df
        .column("values")?
        .list()?
        .get_as_series(0)
        .unwrap_or_else(|| Series::new_empty(source.into(), dtype));
    if values.len() > ONE_HOT_MAX_VALUES {
        return Err(OpError::data(format!(
            "'{source}' has {} distinct values; {op} allows at most {ONE_HOT_MAX_VALUES}",
            values.len()
        ))
        .param("sourceColumn")
        .help("group the values first with CATEGORICAL_MAPPING (e.g. mapTopValues)"));
    }
    Ok(values)
}

impl Operation for OneHot {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        Ok(schema_insert_after(
            input,
            &self.source,
            &[(format!("{}_{DYNAMIC_SUFFIX}", self.source), DataType::Int32)],
        ))
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        let src = self.source.as_str();
        let dtype = require_column(&ctx.schema, src, "sourceColumn")?;
        let superset = ctx
            .prefetched
            .as_ref()
            .is_some_and(|df| df.column(REMOVED).is_ok());
        let known = superset
            .then(|| ctx.prefetched.take())
            .flatten()
            .and_then(|df| {
                // Levels of the rows before a filter are exactly this step's levels when even
                // the rarest level has more rows than the filter removed.
                let fewest = super::scalar_u64(&df, "fewest")?;
                let removed = super::scalar_u64(&df, REMOVED)?;
                (fewest > removed).then_some(df)
            });
        let df = match known {
            Some(df) => {
                ctx.rows_in = super::scalar_u64(&df, super::ROWS);
                df
            }
            None => ctx.aggregate(&lf, self.request(&dtype))?,
        };
        let values = levels(&df, src, &dtype, "ONE_HOT_ENCODING")?;
        let mut names = Vec::new();
        let mut exprs = Vec::new();
        for i in 0..values.len() {
            let v = values.get(i)?;
            let name = format!("{src}_{}", render(&v));
            require_new_column(&ctx.schema, &name, "sourceColumn")?;
            let value = lit(Scalar::new(dtype.clone(), v.into_static()));
            let indicator = when(col(src).eq(value))
                .then(lit(1i32))
                .otherwise(lit(0i32));
            exprs.push(ctx.new_column(indicator).alias(name.as_str()));
            names.push(name);
        }
        ctx.record("columns", names.clone());
        Ok(select_insert_after(lf, &ctx.schema, src, exprs))
    }
    fn stats(&self, input: &Schema, _: Option<&Expr>) -> Option<Stats> {
        let dtype = super::column_type(input, &self.source)?;
        Some(self.request(&dtype))
    }

    /// The levels before a filter, and the row count of the rarest value (missing values
    /// count as a value here, which only makes the check stricter).
    fn superset_stats(&self, input: &Schema) -> Option<Stats> {
        let dtype = super::column_type(input, &self.source)?;
        let mut stats = self.request(&dtype);
        stats.exprs.push((
            "fewest",
            col(self.source.as_str())
                .unique_counts()
                .min()
                .cast(DataType::UInt64),
        ));
        Some(stats)
    }

    /// Only new columns, which no earlier input had.
    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![])
    }
}

pub fn render(v: &AnyValue) -> String {
    match v {
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Float64(f) => format_float(*f),
        AnyValue::Float32(f) => format_float(*f as f64),
        other => other.to_string().trim_matches('"').to_string(),
    }
}
