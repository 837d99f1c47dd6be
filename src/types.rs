//! Types and values: DataBrew's type names, how values convert between types, and what counts
//! as missing. The lowest layer: recipes, datasets and operations all use these rules, so a
//! type pinned in a dataset file and the same type named in `CHANGE_DATA_TYPE` are one type.

use polars::prelude::*;

use crate::error::did_you_mean;

/// The placeholder a schema holds for the columns ONE_HOT_ENCODING adds once it has seen
/// the data: `health_<value>`.
pub const DYNAMIC_SUFFIX: &str = "<value>";

/// The type of a column, counting the columns ONE_HOT_ENCODING will add once it has seen the
/// data (before a run they exist only as a placeholder).
pub fn column_type(schema: &Schema, name: &str) -> Option<DataType> {
    match schema.get(name) {
        Some(dtype) => Some(dtype.clone()),
        None => dynamic_type(schema, name),
    }
}

/// "did you mean …" for a missing column, or the list of columns.
pub fn column_help(schema: &Schema, name: &str) -> Option<String> {
    let names: Vec<String> = schema
        .iter_names()
        .filter(|n| !is_placeholder(n))
        .map(|n| n.to_string())
        .collect();
    did_you_mean(name, names.iter().map(String::as_str))
        .or_else(|| Some(format!("available columns: {}", abbreviate(names))))
}

/// Whether `name` is the placeholder ONE_HOT_ENCODING puts in a schema for the columns it
/// adds once it sees the data.
pub fn is_placeholder(name: &str) -> bool {
    name.ends_with(DYNAMIC_SUFFIX)
}

/// The type a plan gives a struct whose fields only the data names (JSON_TO_STRUCTS): one
/// placeholder field of unknown (null) type, so UNNEST_STRUCT plans `<prefix>.<value>`.
pub fn unknown_struct() -> DataType {
    DataType::Struct(vec![Field::new(DYNAMIC_SUFFIX.into(), DataType::Null)])
}

/// Whether a column planned as `planned` may turn out as `actual` once the data is read: the
/// same type, any struct for [`unknown_struct`], any type for a null-typed placeholder.
pub fn fits_plan(planned: &DataType, actual: &DataType) -> bool {
    match (planned, actual) {
        (DataType::Null, _) => true,
        (p, DataType::Struct(_)) if *p == unknown_struct() => true,
        (DataType::List(p), DataType::List(a)) => fits_plan(p, a),
        (DataType::Struct(p), DataType::Struct(a)) => {
            p.len() == a.len()
                && p.iter()
                    .zip(a)
                    .all(|(p, a)| p.name() == a.name() && fits_plan(p.dtype(), a.dtype()))
        }
        (p, a) => p == a,
    }
}

/// Whether a planned schema holds anything only the data names: placeholder columns
/// (ONE_HOT_ENCODING, PIVOT), structs of unknown fields (JSON_TO_STRUCTS) or columns of
/// unknown (null) type taken from them.
pub fn plans_unknowns(schema: &Schema) -> bool {
    schema.iter().any(|(n, t)| {
        is_placeholder(n) || *t == DataType::Null || t.contains_dtype_recursive(&unknown_struct())
    })
}

/// The type of `name` when it may be one of the columns a step adds once it sees the data
/// (ONE_HOT_ENCODING, PIVOT): the placeholder's type.
pub fn dynamic_type(schema: &Schema, name: &str) -> Option<DataType> {
    // The most specific placeholder: the longest prefix that matches.
    schema
        .iter()
        .filter_map(|(n, t)| {
            let prefix = n.strip_suffix(DYNAMIC_SUFFIX)?;
            name.starts_with(prefix).then_some((prefix.len(), t))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, t)| t.clone())
}

fn abbreviate(names: Vec<String>) -> String {
    if names.len() <= 12 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..12].join(", "), names.len())
    }
}

/// DataBrew's type names (`CHANGE_DATA_TYPE` `columnDataType`, dataset type pins), with the
/// Polars type each one is. `int`/`integer` is 32-bit as in DataBrew; `long` is 64-bit;
/// `number` is a double; `decimal` is DataBrew's decimal(38, 18).
pub const TYPE_NAMES: &[&str] = &[
    "byte",
    "short",
    "int",
    "integer",
    "long",
    "float",
    "double",
    "decimal",
    "number",
    "string",
    "boolean",
    "timestamp",
    "date",
];

/// The Polars type of a DataBrew type name (case-insensitive), or None for an unknown name.
pub fn parse_type(name: &str) -> Option<DataType> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "byte" => DataType::Int8,
        "short" => DataType::Int16,
        "int" | "integer" => DataType::Int32,
        "long" => DataType::Int64,
        "float" => DataType::Float32,
        "double" | "number" => DataType::Float64,
        "decimal" => DataType::Decimal(38, 18),
        "string" => DataType::String,
        "boolean" => DataType::Boolean,
        "timestamp" => DataType::Datetime(TimeUnit::Microseconds, None),
        "date" => DataType::Date,
        _ => return None,
    })
}

/// A type as users name it: DataBrew's names ("long", "string") where there is one; types
/// DataBrew has no name for (unsigned, for one) keep Polars' name.
pub fn type_label(dtype: &DataType) -> String {
    match dtype {
        DataType::Int8 => "byte".into(),
        DataType::Int16 => "short".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 => "long".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::String => "string".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date => "date".into(),
        DataType::Datetime(_, _) => "timestamp".into(),
        DataType::Decimal(38, 18) => "decimal".into(),
        other => other.to_string(),
    }
}

/// Missing = null, or the empty string in a string column (decisions.md, "Values").
pub fn missing(column: &str, dtype: &DataType) -> Expr {
    let c = col(column);
    if *dtype == DataType::String {
        c.clone().is_null().or(c.eq(lit("")))
    } else {
        c.is_null()
    }
}

/// The column with empty text read as null, named as the column: one missing value, as
/// when rows or values are compared for duplicates or sorted.
pub fn empty_as_null(column: &str, dtype: &DataType) -> Expr {
    if *dtype == DataType::String {
        when(col(column).eq(lit("")))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(col(column))
            .alias(column)
    } else {
        col(column)
    }
}

/// Formats tried, in order, when text becomes a timestamp (ISO 8601 without time zone, or
/// with a `Z`).
const TIMESTAMP_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
];

fn strptime(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

/// Convert `c` (of type `from`) to `to`; values that cannot convert become null. Text is
/// trimmed first. Text to integer parses integers exactly (no detour through f64); `12.0`
/// converts, `12.5` does not. Floats with a fraction do not convert to integers either (no
/// silent truncation). Text to boolean accepts true/false and yes/no. Text to date accepts
/// `YYYY-MM-DD`; to timestamp, ISO 8601 (`T` or space, optional fraction, optional `Z`).
pub fn convert(c: Expr, from: &DataType, to: &DataType) -> Expr {
    match (to, from) {
        (DataType::Boolean, DataType::String) => {
            let lower = c.str().to_lowercase().str().strip_chars(lit(NULL));
            when(
                lower
                    .clone()
                    .eq(lit("true"))
                    .or(lower.clone().eq(lit("yes"))),
            )
            .then(lit(true))
            .when(lower.clone().eq(lit("false")).or(lower.eq(lit("no"))))
            .then(lit(false))
            .otherwise(lit(NULL).cast(DataType::Boolean))
        }
        (DataType::Date, DataType::String) => c
            .str()
            .strip_chars(lit(NULL))
            .str()
            .to_date(strptime("%Y-%m-%d")),
        (DataType::Datetime(tu, tz), DataType::String) => {
            let text = c.str().strip_chars(lit(NULL));
            let parsed: Vec<Expr> = TIMESTAMP_FORMATS
                .iter()
                .map(|f| {
                    text.clone()
                        .str()
                        .to_datetime(Some(*tu), tz.clone(), strptime(f), lit("raise"))
                })
                .collect();
            coalesce(&parsed)
        }
        (t, DataType::String) if t.is_integer() => {
            let text = c.str().strip_chars(lit(NULL));
            let as_float = text.clone().cast(DataType::Float64);
            let integral_float = when(as_float.clone().eq(as_float.clone().floor()))
                .then(as_float)
                .otherwise(lit(NULL))
                .cast(to.clone());
            text.cast(to.clone()).fill_null(integral_float)
        }
        (t, DataType::String) if t.is_primitive_numeric() || t.is_decimal() => {
            c.str().strip_chars(lit(NULL)).cast(to.clone())
        }
        (t, f) if t.is_integer() && f.is_float() => when(c.clone().eq(c.clone().floor()))
            .then(c)
            .otherwise(lit(NULL))
            .cast(to.clone()),
        // A decimal with a fraction does not truncate either: it becomes null.
        (t, f) if t.is_integer() && f.is_decimal() => {
            let whole = c.clone().cast(DataType::Int128);
            when(whole.clone().cast(f.clone()).eq(c))
                .then(whole)
                .otherwise(lit(NULL))
                .cast(to.clone())
        }
        _ => c.cast(to.clone()),
    }
}

/// Collect a lazy frame with Polars' streaming engine.
pub fn collect_streaming(lf: LazyFrame) -> PolarsResult<DataFrame> {
    lf.collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
}

/// The number of rows of a lazy frame (one streaming pass). Counts values plus nulls of the
/// first column: a bare `len()` over a concatenation trips a Polars rewrite into a UInt128
/// sum, a type this build leaves out.
pub fn count_rows(mut lf: LazyFrame) -> PolarsResult<Option<u64>> {
    let schema = lf.collect_schema()?;
    let counter = match schema.iter_names().next() {
        Some(first) => (col(first.as_str()).count() + col(first.as_str()).null_count())
            .cast(DataType::UInt64)
            .alias("rows"),
        None => len().cast(DataType::UInt64).alias("rows"),
    };
    let df = collect_streaming(lf.select([counter]))?;
    Ok(df
        .column("rows")
        .ok()
        .and_then(|c| c.get(0).ok())
        .and_then(|v| v.extract::<u64>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_name_parses_and_labels_back() {
        for name in TYPE_NAMES {
            let dtype = parse_type(name).unwrap_or_else(|| panic!("{name}"));
            let label = type_label(&dtype);
            assert_eq!(parse_type(&label), Some(dtype), "{name} → {label}");
        }
        assert_eq!(parse_type("INT"), Some(DataType::Int32));
        assert_eq!(parse_type("varchar"), None);
    }
}
