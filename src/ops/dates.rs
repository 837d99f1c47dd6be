//! Dates and times: the date functions (reference §2.19), each writing a new column, and
//! FORMAT_DATE (§2.9), in place.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec"):
//! * Inputs are date or timestamp columns, or text in ISO 8601 (`2024-03-05`,
//!   `2024-03-05 14:30:00`, `T` or space, optional fraction, optional `Z`); text that does not
//!   parse gives null. Timestamps without a zone are UTC.
//! * Formats use DataBrew's tokens ([`translate_format`]): `yyyy` `yy` year, `mm` month
//!   (two digits), `month` month name, `dd` day, `HH` hour (24 h), `MM` minute, `SS` second;
//!   everything else is literal. The default is `yyyy-mm-dd HH:MM:SS`.
//! * YEAR … QUARTER give longs. WEEK_DAY is the ISO day number (Monday 1 … Sunday 7);
//!   WEEK_NUMBER the ISO week (1 … 53); MONTH_NAME the English name (`January`).
//! * DATE_ADD gives a timestamp, or text when `dateTimeFormat` is given; adding months keeps
//!   the day, clamped to the month's end (Jan 31 + 1 month = Feb 29 in 2024).
//! * DATE_DIFF is `sourceColumn1 − sourceColumn2` (like SUBTRACT) in whole `units`, truncated
//!   toward zero; MONTHS, QUARTERS and YEARS count whole calendar months, a month being complete
//!   when the day and time of month are reached again (Feb 29 − Jan 31 is 0 months, although
//!   Jan 31 + 1 month is Feb 29, clamped).
//! * Results beyond about ±250,000 years are null.
//! * UNIX_TIME gives whole seconds since 1970-01-01 UTC (floor); UNIX_TIME_FORMAT reads seconds.
//! * FORMAT_DATE rewrites the dates of a column in one of its five formats; a value that is not
//!   a date stays as it was (nothing is lost in place).
//! * NOW gives a timestamp and TODAY a date, the same in every row: the run's clock
//!   (`--now`, else the time the run started) as wall-clock time in `timeZone` (an IANA name
//!   such as `Europe/Paris`, default UTC), in a new column at the end.
//! * DATE, TIME and DATE_TIME build a value from `dateTimeParameters` (each part a `value` or
//!   a `sourceColumn`; a part left out is 1970, January, day 1, or 0 for the time) and give it as
//!   text in `dateTimeFormat` — by default `yyyy-mm-dd` for DATE, `HH:MM:SS` for TIME and
//!   `yyyy-mm-dd HH:MM:SS` for DATE_TIME. Parts that make no date (month 13, Feb 30) give null.
//! * CONVERT_TIMEZONE reads wall-clock times in `fromTimeZone` and gives them in `toTimeZone`
//!   (both default UTC) as a timestamp, or as text when `dateTimeFormat` is given. A time that
//!   is ambiguous in `fromTimeZone` (the hour repeated when clocks go back) takes the earlier
//!   reading; one that does not exist there (skipped when clocks go forward) is null.

use std::sync::Arc;

use polars::prelude::*;

use super::declare::params;
use super::shape::{
    Accepts, BINARY, Def, ExprFn, Operand, SOURCE, TARGET, VALUE, derive_spec, in_place_spec,
    one_input, unary_spec,
};
use super::{OpError, OpResult, OpSpec, p};
use crate::recipe::params::{ParamKind, ParamSpec};

const FAMILY: &str = "date functions";

/// DataBrew's default output format.
pub const DEFAULT_FORMAT: &str = "yyyy-mm-dd HH:MM:SS";

/// DataBrew's time units (DATE_ADD, DATE_DIFF, SESSION).
pub(super) const UNITS: &[&str] = &[
    "MICROSECONDS",
    "MILLISECONDS",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "WEEKS",
    "MONTHS",
    "QUARTERS",
    "YEARS",
];

const FORMAT: ParamSpec = ParamSpec::def(
    "dateTimeFormat",
    ParamKind::Text,
    DEFAULT_FORMAT,
    "Output format in DataBrew's tokens (yyyy, mm month, dd, HH, MM minute, SS, month name).",
);

pub fn specs() -> Vec<OpSpec> {
    let f = FAMILY;
    vec![
        unary_spec("YEAR", f, "The year.", Accepts::Date, |d| {
            d.dt().year().cast(DataType::Int64)
        }),
        unary_spec("MONTH", f, "The month (1-12).", Accepts::Date, |d| {
            d.dt().month().cast(DataType::Int64)
        }),
        unary_spec("DAY", f, "The day of the month.", Accepts::Date, |d| {
            d.dt().day().cast(DataType::Int64)
        }),
        unary_spec("HOUR", f, "The hour (0-23).", Accepts::Date, |d| {
            d.dt().hour().cast(DataType::Int64)
        }),
        unary_spec("MINUTE", f, "The minute.", Accepts::Date, |d| {
            d.dt().minute().cast(DataType::Int64)
        }),
        unary_spec("SECOND", f, "The second.", Accepts::Date, |d| {
            d.dt().second().cast(DataType::Int64)
        }),
        unary_spec(
            "MILLISECOND",
            f,
            "The millisecond within the second.",
            Accepts::Date,
            |d| d.dt().millisecond().cast(DataType::Int64),
        ),
        unary_spec("QUARTER", f, "The quarter (1-4).", Accepts::Date, |d| {
            d.dt().quarter().cast(DataType::Int64)
        }),
        unary_spec(
            "WEEK_DAY",
            f,
            "ISO day of the week: Monday 1 … Sunday 7.",
            Accepts::Date,
            |d| d.dt().weekday().cast(DataType::Int64),
        ),
        unary_spec(
            "WEEK_NUMBER",
            f,
            "ISO week of the year (1-53).",
            Accepts::Date,
            |d| d.dt().week().cast(DataType::Int64),
        ),
        unary_spec(
            "MONTH_NAME",
            f,
            "The month's English name.",
            Accepts::Date,
            |d| d.dt().to_string("%B"),
        ),
        unary_spec(
            "UNIX_TIME",
            f,
            "Seconds since 1970-01-01 00:00:00 UTC.",
            Accepts::Date,
            |d| {
                d.dt()
                    .timestamp(TimeUnit::Microseconds)
                    .floor_div(lit(1_000_000i64))
            },
        ),
        derive_spec(
            Def {
                name: "DATE_FORMAT",
                family: f,
                summary: "The date as text in a format.",
                params: Formatted::SPECS,
            },
            |p| {
                let format = translate_format(&Formatted::read(p).format);
                one_input(p, Accepts::Date, move |d| d.dt().to_string(&format))
            },
        ),
        derive_spec(
            Def {
                name: "UNIX_TIME_FORMAT",
                family: f,
                summary: "Seconds since 1970 (UTC) as text in a format.",
                params: Formatted::SPECS,
            },
            |p| {
                let format = translate_format(&Formatted::read(p).format);
                one_input(p, Accepts::Number, move |s| {
                    let seconds = s.cast(DataType::Float64);
                    let micros = (seconds.clone() * lit(1_000_000.0))
                        .floor()
                        .cast(DataType::Int64);
                    // Beyond chrono's calendar (about ±262,000 years) there is no date to write.
                    when(seconds.abs().lt_eq(lit(MAX_SECONDS)))
                        .then(micros)
                        .otherwise(lit(NULL).cast(DataType::Int64))
                        .cast(timestamp())
                        .dt()
                        .to_string(&format)
                })
            },
        ),
        derive_spec(
            Def {
                name: "DATE_ADD",
                family: f,
                summary: "The date plus dateAddValue units (negative to subtract).",
                params: DateAdd::SPECS,
            },
            |p| {
                let a = DateAdd::read(p);
                let unit = a.units.clone();
                let n = a.value;
                let format = a.format.as_deref().map(translate_format);
                one_input(p, Accepts::Date, move |d| {
                    let added = add_units(d, &unit, n);
                    match &format {
                        Some(f) => added.dt().to_string(f),
                        None => added,
                    }
                })
            },
        ),
        derive_spec(
            Def {
                name: "DATE_DIFF",
                family: f,
                summary: "sourceColumn1 − sourceColumn2 in whole units.",
                params: DateDiff::SPECS,
            },
            |p| {
                let unit = DateDiff::read(p).units;
                let a = Operand::read(p, "sourceColumn1", "value1")?;
                let b = Operand::read(p, "sourceColumn2", "value2")?;
                Ok((
                    vec![(a, Accepts::Date), (b, Accepts::Date)],
                    Arc::new(move |mut e: Vec<Expr>| {
                        let b = e.remove(1);
                        difference(e.remove(0), b, &unit)
                    }) as ExprFn,
                ))
            },
        ),
        derive_spec(
            Def {
                name: "NOW",
                family: f,
                summary: "The run's current time in timeZone, in every row (new column at the end).",
                params: Clock::SPECS,
            },
            |p| {
                let zone = zone(&Clock::read(p).zone, "timeZone")?;
                Ok((
                    Vec::new(),
                    Arc::new(move |_| lit(wall_clock(zone)).cast(timestamp())) as ExprFn,
                ))
            },
        ),
        derive_spec(
            Def {
                name: "TODAY",
                family: f,
                summary: "The run's current date in timeZone, in every row (new column at the end).",
                params: Clock::SPECS,
            },
            |p| {
                let zone = zone(&Clock::read(p).zone, "timeZone")?;
                Ok((
                    Vec::new(),
                    Arc::new(move |_| {
                        lit(wall_clock(zone).div_euclid(86_400_000_000) as i32).cast(DataType::Date)
                    }) as ExprFn,
                ))
            },
        ),
        derive_spec(
            Def {
                name: "CONVERT_TIMEZONE",
                family: f,
                summary: "Wall-clock times in fromTimeZone as wall-clock times in toTimeZone.",
                params: ConvertZone::SPECS,
            },
            |p| {
                let c = ConvertZone::read(p);
                let from = zone(&c.from, "fromTimeZone")?;
                let to = zone(&c.to, "toTimeZone")?;
                let format = c.format.as_deref().map(translate_format);
                one_input(p, Accepts::Date, move |d| {
                    let converted = d
                        .cast(timestamp())
                        .cast(DataType::Int64)
                        .map(
                            move |col| {
                                let ca = col.i64()?;
                                let out: Int64Chunked = ca
                                    .iter()
                                    .map(|v| v.and_then(|v| rezone(v, from, to)))
                                    .collect();
                                Ok(out.with_name(ca.name().clone()).into_column())
                            },
                            |_, f| Ok(Field::new(f.name().clone(), DataType::Int64)),
                        )
                        .cast(timestamp());
                    match &format {
                        Some(f) => converted.dt().to_string(f),
                        None => converted,
                    }
                })
            },
        ),
        build_spec("DATE", "yyyy-mm-dd"),
        build_spec("TIME", "HH:MM:SS"),
        build_spec("DATE_TIME", DEFAULT_FORMAT),
        in_place_spec(
            Def {
                name: "FORMAT_DATE",
                family: "text cleaning",
                summary: "Rewrite the dates of a column in one of five formats, in place.",
                params: FormatDate::SPECS,
            },
            Accepts::Any,
            |p| {
                let format = translate_format(&FormatDate::read(p).format);
                Ok(Arc::new(move |c| {
                    let text = c.clone().cast(DataType::String);
                    let date = crate::types::convert(
                        text.clone(),
                        &DataType::String,
                        &DataType::Datetime(TimeUnit::Microseconds, None),
                    );
                    date.dt().to_string(&format).fill_null(text)
                }))
            },
        ),
    ]
}

params! {
    struct Formatted {
        source: Option<String> = SOURCE,
        value: Option<String> = VALUE,
        format: String = FORMAT,
        target: Option<String> = TARGET,
    }
}

params! {
    struct Parts {
        format: Option<String> = ParamSpec::opt("dateTimeFormat", ParamKind::Text, "Output format in DataBrew's tokens."),
        parts: serde_json::Value = ParamSpec::req(
            "dateTimeParameters",
            ParamKind::Json,
            "The parts: {\"year\": {\"value\": \"2019\"}, \"month\": {\"sourceColumn\": \"m\"}, …}.",
        ),
        target: Option<String> = TARGET,
    }
}

const PARTS: [(&str, i64); 6] = [
    ("year", 1970),
    ("month", 1),
    ("day", 1),
    ("hour", 0),
    ("minute", 0),
    ("second", 0),
];

/// DATE, TIME, DATE_TIME: see the module rules.
fn build_spec(name: &'static str, default_format: &'static str) -> OpSpec {
    derive_spec(
        Def {
            name,
            family: FAMILY,
            summary: "Text built from date and time parts (values or columns).",
            params: Parts::SPECS,
        },
        move |p| {
            let b = Parts::read(p);
            let format = translate_format(b.format.as_deref().unwrap_or(default_format));
            let object = b.parts.as_object().ok_or_else(|| {
                OpError::new("dateTimeParameters must be an object of parts")
                    .param("dateTimeParameters")
            })?;
            let mut operands = Vec::new();
            for (part, default) in PARTS {
                let spec = object.get(part).and_then(|v| v.as_object());
                let text = |k: &str| {
                    spec.and_then(|s| s.get(k)).and_then(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                };
                let operand = match (text("sourceColumn"), text("value")) {
                    (Some(c), _) => Operand::column(c, "dateTimeParameters"),
                    (None, v) => Operand::Value {
                        text: v.unwrap_or_else(|| default.to_string()),
                        param: "dateTimeParameters",
                    },
                };
                operands.push((operand, Accepts::Number));
            }
            Ok((
                operands,
                Arc::new(move |parts: Vec<Expr>| {
                    let format = format.clone();
                    let parts: Vec<Expr> = parts
                        .into_iter()
                        .map(|e| e.cast(DataType::Float64))
                        .collect();
                    map_multiple(
                        move |columns: &mut [Column]| {
                            // Literal parts are one value long; an empty column part
                            // means no rows.
                            let height = match columns.iter().any(|c| c.is_empty()) {
                                true => 0,
                                false => columns.iter().map(|c| c.len()).max().unwrap_or(0),
                            };
                            let values: Vec<Float64Chunked> = columns
                                .iter()
                                .map(|c| {
                                    let s = c.as_materialized_series();
                                    let s = if s.len() == 1 && height > 1 {
                                        s.new_from_index(0, height)
                                    } else {
                                        s.clone()
                                    };
                                    s.f64().cloned()
                                })
                                .collect::<PolarsResult<_>>()?;
                            let out: StringChunked = (0..height)
                                .map(|i| {
                                    let p: Option<Vec<i64>> = values
                                        .iter()
                                        .map(|c| {
                                            c.get(i).filter(|f| f.fract() == 0.0).map(|f| f as i64)
                                        })
                                        .collect();
                                    let p = p?;
                                    let date = chrono::NaiveDate::from_ymd_opt(
                                        p[0] as i32,
                                        u32::try_from(p[1]).ok()?,
                                        u32::try_from(p[2]).ok()?,
                                    )?;
                                    let time = date.and_hms_opt(
                                        u32::try_from(p[3]).ok()?,
                                        u32::try_from(p[4]).ok()?,
                                        u32::try_from(p[5]).ok()?,
                                    )?;
                                    Some(time.format(&format).to_string())
                                })
                                .collect();
                            Ok(out.into_column())
                        },
                        parts,
                        |_, fields| Ok(Field::new(fields[0].name().clone(), DataType::String)),
                    )
                }) as ExprFn,
            ))
        },
    )
}

params! {
    struct Clock {
        zone: String = ParamSpec::def("timeZone", ParamKind::Text, "UTC", "IANA time zone, e.g. Europe/Paris."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct ConvertZone {
        source: Option<String> = SOURCE,
        value: Option<String> = VALUE,
        from: String = ParamSpec::def("fromTimeZone", ParamKind::Text, "UTC", "The zone the times are in."),
        to: String = ParamSpec::def("toTimeZone", ParamKind::Text, "UTC", "The zone to give them in."),
        format: Option<String> = ParamSpec::opt("dateTimeFormat", ParamKind::Text, "Give the result as text in this format (DataBrew tokens)."),
        target: Option<String> = TARGET,
    }
}

fn timestamp() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, None)
}

/// An IANA zone name (`UTC`, `Europe/Paris`), or an error naming the parameter.
fn zone(name: &str, param: &'static str) -> OpResult<chrono_tz::Tz> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        OpError::new(format!("unknown time zone '{name}'"))
            .param(param)
            .help("use an IANA name such as UTC, Europe/Paris or America/New_York")
    })
}

/// The run's clock as wall-clock microseconds in `zone`.
fn wall_clock(zone: chrono_tz::Tz) -> i64 {
    let now = crate::clock::get().now;
    rezone(now, chrono_tz::UTC, zone).unwrap_or(now)
}

/// Wall-clock microseconds in `from` as wall-clock microseconds in `to`.
fn rezone(micros: i64, from: chrono_tz::Tz, to: chrono_tz::Tz) -> Option<i64> {
    use chrono::TimeZone;
    let naive = chrono::DateTime::from_timestamp_micros(micros)?.naive_utc();
    let instant = from.from_local_datetime(&naive).earliest()?;
    Some(
        instant
            .with_timezone(&to)
            .naive_local()
            .and_utc()
            .timestamp_micros(),
    )
}

params! {
    struct DateAdd {
        source: Option<String> = SOURCE,
        value_text: Option<String> = VALUE,
        units: String = ParamSpec::req("units", ParamKind::Choice(UNITS), "The unit of dateAddValue."),
        value: i64 = ParamSpec::req("dateAddValue", ParamKind::Integer, "How many units to add."),
        format: Option<String> = ParamSpec::opt("dateTimeFormat", ParamKind::Text, "Give the result as text in this format (DataBrew tokens)."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct DateDiff {
        source_1: Option<String> = BINARY[0],
        value_1: Option<String> = BINARY[1],
        source_2: Option<String> = BINARY[2],
        value_2: Option<String> = BINARY[3],
        units: String = ParamSpec::req("units", ParamKind::Choice(UNITS), "The unit of the difference."),
        target: Option<String> = TARGET,
    }
}

params! {
    struct FormatDate {
        source: String = p::SOURCE_COLUMN,
        format: String = ParamSpec::req(
            "targetDateFormat",
            ParamKind::Choice(&["mm/dd/yyyy", "mm-dd-yyyy", "dd month yyyy", "month yyyy", "dd month"]),
            "The format.",
        ),
    }
}

/// DataBrew's format tokens as a chrono format: `yyyy`, `yy`, `month` (full name), `mm`
/// (month), `dd`, `HH`, `MM` (minute), `SS`; every other character is literal.
pub fn translate_format(format: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("yyyy", "%Y"),
        ("month", "%B"),
        ("yy", "%y"),
        ("mm", "%m"),
        ("dd", "%d"),
        ("HH", "%H"),
        ("MM", "%M"),
        ("SS", "%S"),
    ];
    let mut out = String::with_capacity(format.len() + 8);
    let mut rest = format;
    'outer: while !rest.is_empty() {
        for (token, chrono) in TOKENS {
            if let Some(after) = rest.strip_prefix(token) {
                out.push_str(chrono);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        if c == '%' {
            out.push_str("%%");
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Seconds from 1970 within the range every date library can write (about ±250,000 years).
const MAX_SECONDS: f64 = 7.8e12;

const MICROS: [(&str, i64); 7] = [
    ("MICROSECONDS", 1),
    ("MILLISECONDS", 1_000),
    ("SECONDS", 1_000_000),
    ("MINUTES", 60_000_000),
    ("HOURS", 3_600_000_000),
    ("DAYS", 86_400_000_000),
    ("WEEKS", 604_800_000_000),
];

fn months_in(unit: &str) -> Option<i64> {
    match unit {
        "MONTHS" => Some(1),
        "QUARTERS" => Some(3),
        "YEARS" => Some(12),
        _ => None,
    }
}

/// A unit's length in microseconds, calendar units at their usual length (a month 30 days, a
/// quarter 91, a year 365): for gaps between times (SESSION).
pub(super) fn nominal_micros(unit: &str) -> f64 {
    const DAY: f64 = 86_400_000_000.0;
    match unit {
        "MONTHS" => 30.0 * DAY,
        "QUARTERS" => 91.0 * DAY,
        "YEARS" => 365.0 * DAY,
        fixed => micros_in(fixed) as f64,
    }
}

fn micros_in(unit: &str) -> i64 {
    MICROS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, m)| *m)
        .unwrap_or(1)
}

/// `d` plus `n` units: fixed units as microseconds, calendar units with chrono (the day is
/// clamped to the month's end).
fn add_units(d: Expr, unit: &str, n: i64) -> Expr {
    let timestamp = DataType::Datetime(TimeUnit::Microseconds, None);
    let micros = d.cast(timestamp.clone()).cast(DataType::Int64);
    let shifted = match months_in(unit) {
        None => {
            let delta = n.checked_mul(micros_in(unit));
            map_micros(micros, move |v| in_calendar(v.checked_add(delta?)?))
        }
        Some(per) => {
            let months = n.saturating_mul(per);
            map_micros(micros, move |v| add_months(v, months))
        }
    };
    shifted.cast(timestamp)
}

/// Each microsecond count through `f` (None gives null).
fn map_micros(micros: Expr, f: impl Fn(i64) -> Option<i64> + Send + Sync + 'static) -> Expr {
    micros.map(
        move |c| Ok(c.i64()?.apply(|v| v.and_then(&f)).into_column()),
        |_, f| Ok(Field::new(f.name().clone(), DataType::Int64)),
    )
}

/// `micros` when a date library can write it as a date, else None.
fn in_calendar(micros: i64) -> Option<i64> {
    ((micros as f64 / 1e6).abs() <= MAX_SECONDS).then_some(micros)
}

fn add_months(micros: i64, months: i64) -> Option<i64> {
    let t = chrono::DateTime::from_timestamp_micros(micros)?.naive_utc();
    let count = chrono::Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    let moved = if months >= 0 {
        t.checked_add_months(count)
    } else {
        t.checked_sub_months(count)
    }?;
    in_calendar(moved.and_utc().timestamp_micros())
}

/// `a − b` in whole `unit`s, truncated toward zero.
fn difference(a: Expr, b: Expr, unit: &str) -> Expr {
    let timestamp = DataType::Datetime(TimeUnit::Microseconds, None);
    let (a, b) = (a.cast(timestamp.clone()), b.cast(timestamp));
    match months_in(unit) {
        None => {
            let micros = a.cast(DataType::Int64) - b.cast(DataType::Int64);
            (micros.cast(DataType::Float64) / lit(micros_in(unit) as f64)).cast(DataType::Int64)
        }
        Some(per) => {
            let month_index = |d: Expr| {
                d.clone().dt().year().cast(DataType::Int64) * lit(12i64)
                    + d.dt().month().cast(DataType::Int64)
            };
            // Where within its month each instant lies, to tell whole months from partial.
            let within = |d: Expr| {
                d.clone().dt().day().cast(DataType::Int64) * lit(86_400_000_000i64)
                    + (d.clone().cast(DataType::Int64) % lit(86_400_000_000i64)
                        + lit(86_400_000_000i64))
                        % lit(86_400_000_000i64)
            };
            let months = month_index(a.clone()) - month_index(b.clone());
            let (wa, wb) = (within(a), within(b));
            let whole = when(months.clone().gt(lit(0)).and(wa.clone().lt(wb.clone())))
                .then(months.clone() - lit(1i64))
                .when(months.clone().lt(lit(0)).and(wa.gt(wb)))
                .then(months.clone() + lit(1i64))
                .otherwise(months);
            (whole.cast(DataType::Float64) / lit(per as f64)).cast(DataType::Int64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databrew_tokens_become_chrono_formats() {
        assert_eq!(translate_format("yyyy-mm-dd HH:MM:SS"), "%Y-%m-%d %H:%M:%S");
        assert_eq!(translate_format("month*dd*yyyy"), "%B*%d*%Y");
        assert_eq!(translate_format("mm/dd/yy"), "%m/%d/%y");
        assert_eq!(translate_format("dd month"), "%d %B");
        assert_eq!(translate_format("100% yyyy"), "100%% %Y");
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        let jan31 = chrono::NaiveDate::from_ymd_opt(2024, 1, 31)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros();
        let feb29 = chrono::NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros();
        assert_eq!(add_months(jan31, 1), Some(feb29));
    }
}
