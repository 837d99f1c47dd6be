//! Column aggregates by name, shared by GROUP_BY, PIVOT, TRANSPOSE and the `withExpressions`
//! of BOOLEAN_OPERATION / CASE_OPERATION, so one name means one computation everywhere.
//!
//! COUNT counts present values (not null, not empty text); COUNT_DISTINCT the distinct present
//! ones; SUM, MEAN (AVERAGE), MEDIAN, STANDARD_DEVIATION and VARIANCE (sample, n − 1) need a
//! numeric column; MIN and MAX take any ordered type (of the present values); FIRST and LAST the first / last present
//! value in row order; COLLECT_LIST the values as a list. SUM and COUNT over no values give 0,
//! the others null.

use polars::prelude::*;

use super::{OpError, OpResult};

/// The aggregate functions by name (COLLECT_LIST is only for PIVOT and TRANSPOSE).
pub const FUNCTIONS: &[&str] = &[
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

/// One aggregate of `column` (of type `dtype`) by name, over the rows `filter` keeps.
pub fn aggregate(
    function: &str,
    column: &str,
    dtype: &DataType,
    filter: Option<Expr>,
) -> OpResult<Expr> {
    let only = |e: Expr| match &filter {
        Some(f) => e.filter(f.clone()),
        None => e,
    };
    let present = only(crate::recipe::condition::empty_as_null(column, dtype));
    let numeric = || -> OpResult<Expr> {
        if dtype.is_primitive_numeric() || dtype.is_decimal() {
            Ok(only(col(column)))
        } else {
            Err(OpError::new(format!(
                "{function} needs a numeric column, but '{column}' is {}",
                super::type_label(dtype)
            ))
            .help("convert it first with CHANGE_DATA_TYPE")
            .not_numeric(column))
        }
    };
    Ok(match function {
        "COLLECT_LIST" => only(col(column)),
        "COUNT" => present.count().cast(DataType::Int64),
        "COUNT_DISTINCT" => present.drop_nulls().n_unique().cast(DataType::Int64),
        "SUM" => numeric()?.sum(),
        "MEAN" | "AVERAGE" => numeric()?.mean(),
        "MEDIAN" => numeric()?.median(),
        "MIN" => present.min(),
        "MAX" => present.max(),
        "STANDARD_DEVIATION" => numeric()?.std(1),
        "VARIANCE" => numeric()?.var(1),
        "FIRST" => present.drop_nulls().first(),
        _ => present.drop_nulls().last(),
    })
}
