//! Math functions (reference §2.16): each writes a new column (`targetColumn`) after its first
//! source column; inputs are `sourceColumn | value` (one-input functions also accept DataBrew's
//! `sourceColumn1` / `value1` spelling) or `sourceColumn1 | value1` and
//! `sourceColumn2 | value2`.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * Inputs must be numeric columns or literal numbers; a text column is a validation error
//!   suggesting CHANGE_DATA_TYPE. Null in → null out.
//! * ADD, SUBTRACT, MULTIPLY keep integer types when both inputs are integers (else double).
//!   DIVIDE is a double; dividing by zero gives null. MOD is the remainder with the sign of
//!   the dividend (as in Spark and SQL: -7 MOD 3 = -1); MOD by zero is null.
//! * CEILING, FLOOR and ROUND give integers (long); ROUND rounds half away from zero
//!   (2.5 → 3, -2.5 → -3). A result beyond the long range is null.
//! * LN, LOG and SQUARE_ROOT of a value outside their domain (≤ 0, < 0) give null, not NaN.
//!   DEGREES, RADIANS, EXPONENT, LN, LOG, POWER and SQUARE_ROOT give doubles.
//! * SIGN gives -1, 0 or 1 (long). IS_EVEN / IS_ODD give `trueString` / `falseString`
//!   (default `True` / `False`); a number with a fraction is neither even nor odd (false).

use std::f64::consts::PI;
use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::{
    Accepts, BINARY, Def, ExprFn, Operand, SOURCE, SOURCE_1, TARGET, VALUE, VALUE_1, derive_spec,
    one_input_named,
};
use super::{OpError, OpResult, OpSpec};
use crate::recipe::params::{ParamKind, ParamSpec, Params};

const FAMILY: &str = "math functions";

/// One-input math functions accept `sourceColumn | value` and `sourceColumn1 | value1`.
const UNARY_MATH: &[ParamSpec] = &[SOURCE, SOURCE_1, VALUE, VALUE_1, TARGET];

pub fn specs() -> Vec<OpSpec> {
    vec![
        unary("ABSOLUTE", "Absolute value.", |x| x.abs()),
        unary("NEGATE", "The value with its sign flipped.", |x| {
            x * lit(-1)
        }),
        unary("SIGN", "-1, 0 or 1 by the sign of the value.", sign),
        // Integers stay exact (no trip through doubles, which lose them beyond 2^53).
        unary("CEILING", "Smallest integer not below the value.", |x| {
            whole(x.ceil())
        }),
        unary("FLOOR", "Largest integer not above the value.", |x| {
            whole(x.floor())
        }),
        unary("ROUND", "Nearest integer, halves away from zero.", |x| {
            whole(x.round(0, RoundMode::HalfAwayFromZero))
        }),
        unary("DEGREES", "Radians to degrees.", |x| {
            x.cast(DataType::Float64) * lit(180.0 / PI)
        }),
        unary("RADIANS", "Degrees to radians.", |x| {
            x.cast(DataType::Float64) * lit(PI / 180.0)
        }),
        unary("EXPONENT", "e to the power of the value.", |x| {
            x.cast(DataType::Float64).exp()
        }),
        unary(
            "LN",
            "Natural logarithm (null unless the value is above 0).",
            |x| positive_only(x, |x| x.log(lit(std::f64::consts::E))),
        ),
        unary(
            "SQUARE_ROOT",
            "Square root (null for negative values).",
            |x| {
                let x = x.cast(DataType::Float64);
                when(x.clone().lt(lit(0.0)))
                    .then(lit(NULL).cast(DataType::Float64))
                    .otherwise(x.sqrt())
            },
        ),
        with_number(
            "LOG",
            "Logarithm in the given base (null unless the value is above 0).",
            ParamSpec::def("base", ParamKind::Number, "10", "The logarithm's base."),
            |base| {
                (!(base > 0.0 && base != 1.0)).then_some("a logarithm's base is above 0 and not 1")
            },
            |x, base| positive_only(x, move |x| x.log(lit(base))),
        ),
        with_number(
            "POWER",
            "The value raised to `exponent`.",
            ParamSpec::req("exponent", ParamKind::Number, "The power."),
            |_| None,
            |x, exponent| x.cast(DataType::Float64).pow(lit(exponent)),
        ),
        parity(
            "IS_EVEN",
            "`trueString` when the value is an even integer.",
            0,
        ),
        parity(
            "IS_ODD",
            "`trueString` when the value is an odd integer.",
            1,
        ),
        derive_spec(
            Def {
                name: "PI",
                family: FAMILY,
                summary: "The constant π in every row (new column at the end).",
                params: &[TARGET],
            },
            |_| Ok((Vec::new(), Arc::new(|_| lit(PI)) as ExprFn)),
        ),
        binary("ADD", "The sum of the two inputs.", |a, b| a + b),
        binary("SUBTRACT", "The first input minus the second.", |a, b| {
            a - b
        }),
        binary("MULTIPLY", "The product of the two inputs.", |a, b| a * b),
        binary(
            "DIVIDE",
            "The first input divided by the second (null when dividing by zero).",
            |a, b| {
                when(b.clone().eq(lit(0)))
                    .then(lit(NULL).cast(DataType::Float64))
                    .otherwise(a.cast(DataType::Float64) / b.cast(DataType::Float64))
            },
        ),
        binary(
            "MOD",
            "Remainder of the first input divided by the second, with the dividend's sign.",
            remainder,
        ),
    ]
}

fn unary(name: &'static str, summary: &'static str, f: fn(Expr) -> Expr) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params: UNARY_MATH,
        },
        move |p| one(p, f),
    )
}

/// A one-input function with one more numeric parameter, declared by `extra`.
fn with_number(
    name: &'static str,
    summary: &'static str,
    extra: ParamSpec,
    invalid: fn(f64) -> Option<&'static str>,
    f: fn(Expr, f64) -> Expr,
) -> OpSpec {
    let params: &'static [ParamSpec] =
        Box::leak(vec![SOURCE, SOURCE_1, VALUE, VALUE_1, extra, TARGET].into_boxed_slice());
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params,
        },
        move |p| {
            let n = p.number(extra.name).unwrap_or_default();
            if let Some(rule) = invalid(n) {
                return Err(OpError::new(format!("{} cannot be {n}", extra.name))
                    .param(extra.name)
                    .help(rule));
            }
            one(p, move |x| f(x, n))
        },
    )
}

params! {
    struct Parity {
        source: Option<String> = SOURCE,
        source_1: Option<String> = SOURCE_1,
        value: Option<String> = VALUE,
        value_1: Option<String> = VALUE_1,
        true_string: String = super::p::TRUE_STRING,
        false_string: String = super::p::FALSE_STRING,
        target: Option<String> = TARGET,
    }
}

fn parity(name: &'static str, summary: &'static str, remainder_wanted: i64) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params: Parity::SPECS,
        },
        move |p| {
            let flags = Parity::read(p);
            one(p, move |x| {
                // In integers, so longs beyond 2^53 and decimals stay exact; a double beyond
                // the longs' range in doubles.
                let integral = x.clone().eq(x.clone().floor());
                // The divisor is 2 and the sign is dropped: a plain `%` is enough.
                let whole = x.clone().cast(DataType::Int64) % lit(2i64);
                let double = x.clone().cast(DataType::Float64) % lit(2.0);
                let parity = whole.cast(DataType::Float64).fill_null(double);
                let hit = integral.and(parity.abs().eq(lit(remainder_wanted as f64)));
                when(x.is_null())
                    .then(lit(NULL).cast(DataType::String))
                    .when(hit)
                    .then(lit(flags.true_string.clone()))
                    .otherwise(lit(flags.false_string.clone()))
            })
        },
    )
}

fn binary(name: &'static str, summary: &'static str, f: fn(Expr, Expr) -> Expr) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary,
            params: BINARY,
        },
        move |p| {
            let (a, b) = pair(p)?;
            Ok((
                vec![(a, Accepts::Number), (b, Accepts::Number)],
                Arc::new(move |mut e: Vec<Expr>| {
                    let b = e.remove(1);
                    f(e.remove(0), b)
                }),
            ))
        },
    )
}

/// The input of a one-input function: `sourceColumn | value`, or DataBrew's `sourceColumn1 |
/// value1` spelling (FLOOR's page uses it).
fn one(
    p: &Params,
    f: impl Fn(Expr) -> Expr + Send + Sync + 'static,
) -> OpResult<(Vec<(Operand, Accepts)>, ExprFn)> {
    let names = if p.has("sourceColumn1") || p.has("value1") {
        ("sourceColumn1", "value1")
    } else {
        ("sourceColumn", "value")
    };
    one_input_named(p, names, Accepts::Number, f)
}

/// The two inputs. DataBrew's ADD page gives the second input of `sourceColumn1` as `value1`
/// when there is no `sourceColumn2` / `value2`; that reads as column + value.
fn pair(p: &Params) -> OpResult<(Operand, Operand)> {
    if p.has("sourceColumn1") && p.has("value1") && !p.has("sourceColumn2") && !p.has("value2") {
        return Ok((
            Operand::column(p.text("sourceColumn1").unwrap_or_default(), "sourceColumn1"),
            Operand::Value {
                text: p.text("value1").unwrap_or_default(),
                param: "value1",
            },
        ));
    }
    Ok((
        Operand::read(p, "sourceColumn1", "value1")?,
        Operand::read(p, "sourceColumn2", "value2")?,
    ))
}

fn sign(x: Expr) -> Expr {
    when(x.clone().gt(lit(0)))
        .then(lit(1i64))
        .when(x.clone().lt(lit(0)))
        .then(lit(-1i64))
        .when(x.is_not_null())
        .then(lit(0i64))
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// A whole-number double as a long (null beyond the long range).
fn whole(x: Expr) -> Expr {
    x.cast(DataType::Int64)
}

fn positive_only(x: Expr, f: impl Fn(Expr) -> Expr) -> Expr {
    let x = x.cast(DataType::Float64);
    when(x.clone().gt(lit(0.0)))
        .then(f(x))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// Remainder with the sign of the dividend; null when dividing by zero.
fn remainder(a: Expr, b: Expr) -> Expr {
    let r = a.clone() % b.clone();
    let wrong_sign = r
        .clone()
        .neq(lit(0))
        .and(r.clone().lt(lit(0)).neq(a.lt(lit(0))));
    when(b.clone().eq(lit(0)))
        .then(lit(NULL))
        .when(wrong_sign)
        .then(r.clone() - b)
        .otherwise(r)
}
