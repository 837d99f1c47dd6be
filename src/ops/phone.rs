//! FORMAT_PHONE_NUMBER (reference §2.9): phone numbers rewritten in place in one format.
//!
//! Rules (datacook's decisions where DataBrew is silent; README, "Decisions beyond the spec").
//! A value is read with libphonenumber's rules (the `phonenumber` crate): numbers without a
//! country code take `defaultRegion` (an ISO 3166 code such as `US`), or the region in the
//! row's `defaultRegionColumn`. A valid number is written in `phoneNumberFormat` — `E164`
//! (DataBrew's, the default: `+14155550123`), or, as datacook extensions, `INTERNATIONAL`,
//! `NATIONAL` or `RFC3966`. A value that is not a valid number stays as it was (nothing is lost
//! in place); missing values stay missing; the column becomes text.

use std::sync::Arc;

use phonenumber::Mode;
use phonenumber::country::Id;
use polars::prelude::*;

use super::declare::params;
use super::{
    ApplyCtx, Build, Conditions, OpError, OpResult, OpSpec, Operation, SchemaCtx, Scope, Status, p,
    require_column,
};
use crate::recipe::params::{ParamKind, ParamSpec};

params! {
    struct FormatPhone {
        source: String = p::SOURCE_COLUMN,
        format: String = ParamSpec::def(
            "phoneNumberFormat",
            ParamKind::Choice(&["E164", "INTERNATIONAL", "NATIONAL", "RFC3966"]),
            "E164",
            "How to write the numbers.",
        ),
        region: Option<String> = ParamSpec::opt("defaultRegion", ParamKind::Text, "Region of numbers without a country code, e.g. US."),
        region_column: Option<String> = ParamSpec::opt("defaultRegionColumn", ParamKind::Column, "Or: a column holding each row's region."),
    }
}

pub fn specs() -> Vec<OpSpec> {
    vec![OpSpec {
        name: "FORMAT_PHONE_NUMBER",
        family: "text cleaning",
        summary: "Rewrite phone numbers in E.164 (or another format), in place.",
        params: FormatPhone::SPECS,
        conditions: Conditions::InPlace,
        scope: Scope::RowLocal,
        status: Status::Supported,
        build: Build::Closure(Arc::new(|p| {
            let f = FormatPhone::read(p);
            let mode = match f.format.as_str() {
                "INTERNATIONAL" => Mode::International,
                "NATIONAL" => Mode::National,
                "RFC3966" => Mode::Rfc3966,
                _ => Mode::E164,
            };
            let region = match (f.region, f.region_column) {
                (Some(r), None) => Region::Fixed(Some(region(&r).ok_or_else(|| {
                    OpError::new(format!("'{r}' is not a region code"))
                        .param("defaultRegion")
                        .help("use an ISO 3166 code such as US, GB or FR")
                })?)),
                (None, Some(c)) => Region::Column(c),
                (None, None) => Region::Fixed(None),
                (Some(_), Some(_)) => {
                    return Err(OpError::new(
                        "give defaultRegion or defaultRegionColumn, not both",
                    )
                    .param("defaultRegionColumn"));
                }
            };
            Ok(Box::new(FormatPhoneNumber {
                source: f.source,
                mode,
                region,
            }))
        })),
    }]
}

fn region(code: &str) -> Option<Id> {
    code.trim().to_ascii_uppercase().parse::<Id>().ok()
}

enum Region {
    Fixed(Option<Id>),
    Column(String),
}

pub struct FormatPhoneNumber {
    source: String,
    mode: Mode,
    region: Region,
}

/// The number written in `mode`, or None when it is not a valid number.
fn formatted(value: &str, region: Option<Id>, mode: Mode) -> Option<String> {
    // A number written with its country code needs no region (and the parser misreads some
    // such numbers when given one: +33 1… with US).
    let region = if value.trim_start().starts_with('+') {
        None
    } else {
        region
    };
    let number = phonenumber::parse(region, value).ok()?;
    phonenumber::is_valid(&number).then(|| phonenumber::format(&number).mode(mode).to_string())
}

impl Operation for FormatPhoneNumber {
    fn schema(&self, input: &Schema, _: &SchemaCtx) -> OpResult<Schema> {
        require_column(input, &self.source, "sourceColumn")?;
        if let Region::Column(c) = &self.region {
            require_column(input, c, "defaultRegionColumn")?;
        }
        let mut out = input.clone();
        out.with_column(self.source.as_str().into(), DataType::String);
        Ok(out)
    }

    fn apply(&self, lf: LazyFrame, ctx: &mut ApplyCtx) -> OpResult<LazyFrame> {
        require_column(&ctx.schema, &self.source, "sourceColumn")?;
        let text = col(self.source.as_str()).cast(DataType::String);
        let (regions, fixed) = match &self.region {
            Region::Fixed(id) => (lit(""), *id),
            Region::Column(c) => (col(c.as_str()).cast(DataType::String), None),
        };
        let mode = self.mode;
        let by_column = matches!(self.region, Region::Column(_));
        let new = map_multiple(
            move |columns: &mut [Column]| {
                let values = columns[0].str()?.clone();
                let regions = if by_column {
                    Some(columns[1].str()?.clone())
                } else {
                    None
                };
                let out: StringChunked = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v?;
                        let id = match &regions {
                            Some(r) => r.get(i).and_then(region),
                            None => fixed,
                        };
                        Some(formatted(v, id, mode).unwrap_or_else(|| v.to_string()))
                    })
                    .collect();
                Ok(out.with_name(values.name().clone()).into_column())
            },
            [text, regions],
            |_, fields| Ok(Field::new(fields[0].name().clone(), DataType::String)),
        );
        Ok(lf.with_column(ctx.in_place(&self.source, new).alias(self.source.as_str())))
    }

    fn writes(&self) -> Option<Vec<String>> {
        Some(vec![self.source.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_with_their_region() {
        assert_eq!(
            formatted("(415) 555-0132", region("us"), Mode::E164).as_deref(),
            Some("+14155550132")
        );
        assert_eq!(
            formatted("+44 20 7946 0958", None, Mode::E164).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            formatted("+33 1 42 68 53 00", region("US"), Mode::E164).as_deref(),
            Some("+33142685300")
        );
        assert_eq!(formatted("12", region("US"), Mode::E164), None);
        assert!(region("ZZZ").is_none());
    }
}
