//! Column statistics as Polars expressions, shared by the profiler and the data-quality rules.
//!
//! Conventions (decisions.md, "Statistics used by steps", and DataBrew's profiles):
//! * Missing = null, or the empty string in a text column; statistics use present values.
//! * Text columns are measured by their lengths (min, max, mean, median, sd, …), as DataBrew
//!   profiles them; booleans as 0/1.
//! * Standard deviation and variance are the sample ones (n − 1); medians and quantiles
//!   interpolate linearly (numpy's default); skewness and kurtosis are the population moment
//!   ratios Spark (and so DataBrew) reports, kurtosis as excess kurtosis.
//! * Counts of values (distinct, unique, duplicate) are over present values.

use polars::prelude::*;

/// Every column statistic a rule can name in `AGG(...)`.
pub const COLUMN_STATS: &[&str] = &[
    "MISSING_VALUES_COUNT",
    "MISSING_VALUES_PERCENTAGE",
    "DUPLICATE_VALUES_COUNT",
    "DUPLICATE_VALUES_PERCENTAGE",
    "VALID_VALUES_COUNT",
    "VALID_VALUES_PERCENTAGE",
    "DISTINCT_VALUES_COUNT",
    "DISTINCT_VALUES_PERCENTAGE",
    "UNIQUE_VALUES_COUNT",
    "UNIQUE_VALUES_PERCENTAGE",
    "Z_SCORE_OUTLIERS_COUNT",
    "Z_SCORE_OUTLIERS_PERCENTAGE",
    "MIN",
    "MAX",
    "MEDIAN",
    "MEAN",
    "MODE",
    "STANDARD_DEVIATION",
    "ENTROPY",
    "SUM",
    "KURTOSIS",
    "SKEWNESS",
    "VARIANCE",
    "MEDIAN_ABSOLUTE_DEVIATION",
    "QUANTILE",
];

/// Statistics about the whole dataset.
pub const DATASET_STATS: &[&str] = &[
    "ROWS_COUNT",
    "COLUMNS_COUNT",
    "DUPLICATE_ROWS_COUNT",
    "DUPLICATE_ROWS_PERCENTAGE",
];

/// Missing cells of a column.
pub fn missing(name: &str, dtype: &DataType) -> Expr {
    crate::recipe::condition::missing(name, dtype)
}

/// The present values of a column, as numbers: the value itself, a text's length, a
/// boolean's 0/1.
///
/// A float's NaN is present but not measured: means, quantiles and bins skip it.
pub fn measured(name: &str, dtype: &DataType) -> Expr {
    let present = col(name).filter(missing(name, dtype).not());
    match dtype {
        DataType::String => present.str().len_chars().cast(DataType::Float64),
        d if d.is_float() => {
            let x = col(name).cast(DataType::Float64);
            x.clone()
                .filter(x.clone().is_not_null().and(x.is_not_nan()))
        }
        _ => present.cast(DataType::Float64),
    }
}

/// The present values, as they are (for counting distinct values).
fn present(name: &str, dtype: &DataType) -> Expr {
    col(name).filter(missing(name, dtype).not())
}

fn percent(part: Expr) -> Expr {
    part.cast(DataType::Float64) * lit(100.0) / len().cast(DataType::Float64)
}

fn distinct(name: &str, dtype: &DataType) -> Expr {
    present(name, dtype).n_unique().cast(DataType::Float64)
}

fn unique(name: &str, dtype: &DataType) -> Expr {
    present(name, dtype)
        .unique_counts()
        .eq(lit(1u32))
        .sum()
        .cast(DataType::Float64)
}

fn z_outliers(name: &str, dtype: &DataType, threshold: f64) -> Expr {
    let x = measured(name, dtype);
    let z = ((x.clone() - x.clone().mean()) / x.clone().std(1)).abs();
    when(
        x.clone()
            .count()
            .gt_eq(lit(2u32))
            .and(x.std(1).gt(lit(0.0))),
    )
    .then(z.gt(lit(threshold)).sum().cast(DataType::Float64))
    .otherwise(lit(0.0))
}

fn central_moment(x: &Expr, k: i32) -> Expr {
    (x.clone() - x.clone().mean()).pow(k).mean()
}

/// The value of one column statistic as a one-row Float64 expression (null when the column
/// has no values to measure). `param` is QUANTILE's quantile or Z_SCORE_OUTLIERS' threshold.
pub fn column_stat(name: &str, dtype: &DataType, stat: &str, param: Option<f64>) -> Option<Expr> {
    let x = || measured(name, dtype);
    let count = |e: Expr| e.cast(DataType::Float64);
    Some(
        match stat {
            "MISSING_VALUES_COUNT" => count(missing(name, dtype).sum()),
            "MISSING_VALUES_PERCENTAGE" => percent(missing(name, dtype).sum()),
            "VALID_VALUES_COUNT" => count(missing(name, dtype).not().sum()),
            "VALID_VALUES_PERCENTAGE" => percent(missing(name, dtype).not().sum()),
            "DISTINCT_VALUES_COUNT" => distinct(name, dtype),
            "DISTINCT_VALUES_PERCENTAGE" => percent(distinct(name, dtype)),
            "UNIQUE_VALUES_COUNT" => unique(name, dtype),
            "UNIQUE_VALUES_PERCENTAGE" => percent(unique(name, dtype)),
            "DUPLICATE_VALUES_COUNT" => {
                count(missing(name, dtype).not().sum()) - distinct(name, dtype)
            }
            "DUPLICATE_VALUES_PERCENTAGE" => {
                percent(count(missing(name, dtype).not().sum()) - distinct(name, dtype))
            }
            "Z_SCORE_OUTLIERS_COUNT" => z_outliers(name, dtype, param.unwrap_or(3.0)),
            "Z_SCORE_OUTLIERS_PERCENTAGE" => percent(z_outliers(name, dtype, param.unwrap_or(3.0))),
            "MIN" => x().min(),
            "MAX" => x().max(),
            "MEDIAN" => x().median(),
            "MEAN" => x().mean(),
            "SUM" => x().sum(),
            "STANDARD_DEVIATION" => x().std(1),
            "VARIANCE" => x().var(1),
            "MODE" => x().mode(false).min(),
            "QUANTILE" => x().quantile(lit(param.unwrap_or(0.5)), QuantileMethod::Linear),
            "MEDIAN_ABSOLUTE_DEVIATION" => (x() - x().median()).abs().median(),
            "SKEWNESS" => central_moment(&x(), 3) / central_moment(&x(), 2).pow(1.5),
            "KURTOSIS" => central_moment(&x(), 4) / central_moment(&x(), 2).pow(2) - lit(3.0),
            "ENTROPY" => {
                let counts = present(name, dtype).unique_counts().cast(DataType::Float64);
                let p = counts.clone() / counts.sum();
                (p.clone() * p.log(lit(std::f64::consts::E))).sum() * lit(-1.0)
            }
            _ => return None,
        }
        .cast(DataType::Float64),
    )
}

/// The value of a dataset statistic.
pub fn dataset_stat(stat: &str, schema: &Schema) -> Option<Expr> {
    // Rows compare with empty text and null as the same missing value (as
    // DELETE_DUPLICATE_ROWS does).
    let all = crate::recipe::condition::row_keys(schema);
    let duplicates = || match all.is_empty() {
        true => lit(0u32),
        false => as_struct(all.clone()).is_first_distinct().not().sum(),
    };
    Some(
        match stat {
            "ROWS_COUNT" => len(),
            "COLUMNS_COUNT" => lit(schema.len() as f64),
            "DUPLICATE_ROWS_COUNT" => duplicates(),
            "DUPLICATE_ROWS_PERCENTAGE" => percent(duplicates()),
            _ => return None,
        }
        .cast(DataType::Float64),
    )
}
