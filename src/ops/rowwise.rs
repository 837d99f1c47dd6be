//! Across the columns of each row: the "aggregate" functions (reference §2.17), COALESCE
//! (§2.22) and MERGE / MERGE_COLUMNS_AND_VALUES (§2.8). Each writes a new `targetColumn` after
//! the first of its `sourceColumns`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * Numeric aggregates read every listed column as numbers: text that is not a number, null
//!   and empty text are ignored (SUM counts them as 0, so a row with no number sums to 0; the
//!   others give null). SUM, MIN, MAX and KTH_LARGEST(_UNIQUE) give longs when every listed
//!   column is an integer column, else doubles; AVERAGE, MEDIAN, MODE, STANDARD_DEVIATION and
//!   VARIANCE give doubles. VARIANCE is the population variance DataBrew documents
//!   (Σ(x − mean)² / n) and STANDARD_DEVIATION its square root, so the two agree.
//! * MODE breaks ties by `modeType` (MINIMUM, MAXIMUM, AVERAGE; NONE takes the smallest).
//!   KTH_LARGEST counts duplicates, KTH_LARGEST_UNIQUE does not; fewer values than k → null.
//! * COUNT counts the present values (not null, not empty text); COUNT_DISTINCT the distinct
//!   ones compared as text; ANY gives the first present value as text.
//! * COALESCE gives the first non-null value, in the listed order, typed as the columns'
//!   common type.
//! * MERGE joins the values as text with `delimiter` (default none), skipping missing values;
//!   a row with none gives null.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::{Accepts, Def, ExprFn, Operand, TARGET, derive_spec};
use super::{OpError, OpResult, OpSpec, p};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "row aggregates";

const SOURCES: ParamSpec = ParamSpec::req(
    "sourceColumns",
    ParamKind::Columns,
    "The columns to combine, e.g. [\"a\", \"b\"].",
);

params! {
    struct Sources {
        sources: Vec<String> = SOURCES,
        target: Option<String> = TARGET,
    }
}

params! {
    struct WithMode {
        sources: Vec<String> = SOURCES,
        mode: String = p::MODE_TYPE,
        target: Option<String> = TARGET,
    }
}

params! {
    struct WithK {
        sources: Vec<String> = SOURCES,
        k: i64 = p::K,
        target: Option<String> = TARGET,
    }
}

params! {
    struct Merge {
        sources: Vec<String> = SOURCES,
        delimiter: String = ParamSpec::def("delimiter", ParamKind::Text, "", "Put between the values."),
        target: Option<String> = TARGET,
    }
}

/// What a numeric row aggregate computes from a row's numbers (never empty).
pub type Reduce = Arc<dyn Fn(&mut Vec<f64>) -> Option<f64> + Send + Sync>;

pub fn specs() -> Vec<OpSpec> {
    vec![
        numeric(
            "SUM",
            "Sum of the numbers in the row (non-numbers count as 0).",
            true,
            |_| Ok(Arc::new(|v| Some(v.iter().sum()))),
        ),
        numeric("AVERAGE", "Mean of the numbers in the row.", false, |_| {
            Ok(Arc::new(|v| Some(v.iter().sum::<f64>() / v.len() as f64)))
        }),
        numeric("MIN", "Smallest number in the row.", true, |_| {
            Ok(Arc::new(|v| v.iter().copied().reduce(f64::min)))
        }),
        numeric("MAX", "Largest number in the row.", true, |_| {
            Ok(Arc::new(|v| v.iter().copied().reduce(f64::max)))
        }),
        numeric("MEDIAN", "Median of the numbers in the row.", false, |_| {
            Ok(Arc::new(|v| {
                v.sort_by(f64::total_cmp);
                let n = v.len();
                Some(if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                })
            }))
        }),
        numeric(
            "VARIANCE",
            "Population variance of the numbers in the row.",
            false,
            |_| Ok(Arc::new(|v| Some(variance(v)))),
        ),
        numeric(
            "STANDARD_DEVIATION",
            "Population standard deviation of the numbers in the row.",
            false,
            |_| Ok(Arc::new(|v| Some(variance(v).sqrt()))),
        ),
        numeric_with(
            "MODE",
            "Most frequent number in the row; ties by modeType.",
            WithMode::SPECS,
            false,
            |p| {
                let mode = WithMode::read(p).mode;
                Ok(Arc::new(move |v| mode_of(v, &mode)))
            },
        ),
        numeric_with(
            "KTH_LARGEST",
            "The k-th largest number in the row, duplicates counted.",
            WithK::SPECS,
            true,
            |p| Ok(kth_largest(k_param(p)?, false)),
        ),
        numeric_with(
            "KTH_LARGEST_UNIQUE",
            "The k-th largest distinct number in the row.",
            WithK::SPECS,
            true,
            |p| Ok(kth_largest(k_param(p)?, true)),
        ),
        texts(
            "COUNT",
            "Number of present values in the row.",
            DataType::Int64,
            |v| AnyValue::Int64(v.iter().flatten().count() as i64),
        ),
        texts(
            "COUNT_DISTINCT",
            "Number of distinct present values in the row.",
            DataType::Int64,
            |v| {
                let mut present: Vec<&str> = v.iter().flatten().copied().collect();
                present.sort_unstable();
                present.dedup();
                AnyValue::Int64(present.len() as i64)
            },
        ),
        texts(
            "ANY",
            "The first present value in the row, as text.",
            DataType::String,
            |v| match v.iter().flatten().next() {
                Some(s) => AnyValue::StringOwned((*s).into()),
                None => AnyValue::Null,
            },
        ),
        derive_spec(
            Def {
                name: "COALESCE",
                family: "other",
                summary: "The first non-null value among the columns, in order.",
                params: Sources::SPECS,
            },
            |p| {
                let operands = columns(p)?;
                Ok((
                    operands.into_iter().map(|o| (o, Accepts::Any)).collect(),
                    Arc::new(|e: Vec<Expr>| coalesce(&e)) as ExprFn,
                ))
            },
        ),
        merge("MERGE", "split and merge"),
        merge("MERGE_COLUMNS_AND_VALUES", "text functions"),
    ]
}

fn columns(p: &Params) -> OpResult<Vec<Operand>> {
    let sources = Sources::read(p).sources;
    if sources.is_empty() {
        return Err(OpError::new("sourceColumns lists no column").param("sourceColumns"));
    }
    Ok(sources
        .into_iter()
        .map(|s| Operand::column(s, "sourceColumns"))
        .collect())
}

fn k_param(p: &Params) -> OpResult<usize> {
    k_of(WithK::read(p).k)
}

/// `value` as k: 1 or more.
pub fn k_of(k: i64) -> OpResult<usize> {
    usize::try_from(k).ok().filter(|k| *k >= 1).ok_or_else(|| {
        OpError::new(format!("value (k) must be 1 or more, found {k}")).param("value")
    })
}

fn numeric(
    name: &'static str,
    summary: &'static str,
    keeps_integers: bool,
    make: fn(&Params) -> OpResult<Reduce>,
) -> OpSpec {
    numeric_with(name, summary, Sources::SPECS, keeps_integers, make)
}

/// A numeric row aggregate: `make` reads the parameters and returns the reduction.
fn numeric_with(
    name: &'static str,
    summary: &'static str,
    params: &'static [ParamSpec],
    keeps_integers: bool,
    make: fn(&Params) -> OpResult<Reduce>,
) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params,
        },
        move |p| {
            let reduce = make(p)?;
            let sum = name == "SUM";
            let operands = columns(p)?;
            Ok((
                operands.into_iter().map(|o| (o, Accepts::Any)).collect(),
                Arc::new(move |e: Vec<Expr>| row_numbers(e, reduce.clone(), sum, keeps_integers))
                    as ExprFn,
            ))
        },
    )
}

/// Apply `reduce` to the numbers of each row. Integer results stay integers when every input
/// is an integer column and `keeps_integers`.
pub fn row_numbers(inputs: Vec<Expr>, reduce: Reduce, sum: bool, keeps_integers: bool) -> Expr {
    let out_type = move |fields: &[Field]| {
        if keeps_integers && fields.iter().all(|f| f.dtype().is_integer()) {
            DataType::Int64
        } else {
            DataType::Float64
        }
    };
    let reduce_rows = move |columns: &mut [Column]| {
        let integers = keeps_integers && columns.iter().all(|c| c.dtype().is_integer());
        let floats: Vec<Float64Chunked> = columns
            .iter()
            .map(|c| {
                c.as_materialized_series()
                    .cast(&DataType::Float64)
                    .and_then(|s| s.f64().cloned())
            })
            .collect::<PolarsResult<_>>()?;
        let height = floats.iter().map(|c| c.len()).max().unwrap_or(0);
        let mut row = Vec::with_capacity(floats.len());
        let out: Float64Chunked = (0..height)
            .map(|i| {
                row.clear();
                row.extend(
                    floats
                        .iter()
                        .filter_map(|c| c.get(i))
                        .filter(|f| !f.is_nan()),
                );
                if row.is_empty() {
                    return sum.then_some(0.0);
                }
                reduce(&mut row)
            })
            .collect();
        let out = out.into_series();
        let out = if integers {
            out.cast(&DataType::Int64)?
        } else {
            out
        };
        Ok(out.with_name(PlSmallStr::from("row")).into_column())
    };
    map_multiple(reduce_rows, inputs, move |_, fields| {
        Ok(Field::new(fields[0].name().clone(), out_type(fields)))
    })
}

/// A row aggregate over the values as text: missing (null, empty) values are `None`.
fn texts(
    name: &'static str,
    summary: &'static str,
    dtype: DataType,
    f: fn(&[Option<&str>]) -> AnyValue<'static>,
) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params: Sources::SPECS,
        },
        move |p| {
            let operands = columns(p)?;
            let dtype = dtype.clone();
            Ok((
                operands.into_iter().map(|o| (o, Accepts::Text)).collect(),
                Arc::new(move |e: Vec<Expr>| row_texts(e, dtype.clone(), f)) as ExprFn,
            ))
        },
    )
}

fn row_texts(
    inputs: Vec<Expr>,
    dtype: DataType,
    f: fn(&[Option<&str>]) -> AnyValue<'static>,
) -> Expr {
    let out_dtype = dtype.clone();
    map_multiple(
        move |columns: &mut [Column]| {
            let texts: Vec<&StringChunked> = columns
                .iter()
                .map(|c| c.str())
                .collect::<PolarsResult<_>>()?;
            let height = texts.iter().map(|c| c.len()).max().unwrap_or(0);
            let mut row = Vec::with_capacity(texts.len());
            let values: Vec<AnyValue> = (0..height)
                .map(|i| {
                    row.clear();
                    row.extend(texts.iter().map(|c| c.get(i).filter(|s| !s.is_empty())));
                    f(&row)
                })
                .collect();
            let s =
                Series::from_any_values_and_dtype(PlSmallStr::from("row"), &values, &dtype, false)?;
            Ok(s.into_column())
        },
        inputs,
        move |_, fields| Ok(Field::new(fields[0].name().clone(), out_dtype.clone())),
    )
}

fn merge(name: &'static str, family: &'static str) -> OpSpec {
    derive_spec(
        Def {
            name,
            family,
            summary: "The values as text joined by delimiter, skipping missing ones.",
            params: Merge::SPECS,
        },
        |p| {
            let delimiter = Merge::read(p).delimiter;
            let operands = columns(p)?;
            Ok((
                operands.into_iter().map(|o| (o, Accepts::Text)).collect(),
                Arc::new(move |e: Vec<Expr>| {
                    let present: Vec<Expr> = e
                        .into_iter()
                        .map(|c| {
                            when(c.clone().eq(lit("")))
                                .then(lit(NULL).cast(DataType::String))
                                .otherwise(c)
                        })
                        .collect();
                    let any = present
                        .iter()
                        .map(|c| c.clone().is_not_null())
                        .reduce(|a, b| a.or(b))
                        .unwrap_or(lit(false));
                    when(any)
                        .then(concat_str(present, &delimiter, true))
                        .otherwise(lit(NULL).cast(DataType::String))
                }) as ExprFn,
            ))
        },
    )
}

/// The k-th largest number (1 = the largest), duplicates counted or not.
pub fn kth_largest(k: usize, unique: bool) -> Reduce {
    Arc::new(move |v| {
        v.sort_by(|a, b| b.total_cmp(a));
        if unique {
            v.dedup();
        }
        v.get(k - 1).copied()
    })
}

pub fn variance(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n
}

pub fn mode_of(v: &mut [f64], mode: &str) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let mut best: Vec<f64> = Vec::new();
    let mut best_count = 0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        let count = j - i;
        if count > best_count {
            best = vec![v[i]];
            best_count = count;
        } else if count == best_count {
            best.push(v[i]);
        }
        i = j;
    }
    match mode {
        "MAXIMUM" => best.last().copied(),
        "AVERAGE" => Some(best.iter().sum::<f64>() / best.len() as f64),
        _ => best.first().copied(),
    }
}
