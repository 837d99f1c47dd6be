//! Column builders that database readers decode values straight into: no row objects, no
//! text round trip for the types Polars holds natively.

use polars::prelude::*;

/// One column being built.
pub enum Builder {
    Bool(BooleanChunkedBuilder),
    I16(PrimitiveChunkedBuilder<Int16Type>),
    I32(PrimitiveChunkedBuilder<Int32Type>),
    I64(PrimitiveChunkedBuilder<Int64Type>),
    U64(PrimitiveChunkedBuilder<UInt64Type>),
    F32(PrimitiveChunkedBuilder<Float32Type>),
    F64(PrimitiveChunkedBuilder<Float64Type>),
    Str(StringChunkedBuilder),
    Bin(BinaryChunkedBuilder),
    /// Days since 1970-01-01.
    Date(PrimitiveChunkedBuilder<Int32Type>),
    /// Microseconds since 1970-01-01 (UTC when the zone is set).
    Datetime(PrimitiveChunkedBuilder<Int64Type>, Option<TimeZone>),
    /// Nanoseconds since midnight.
    Time(PrimitiveChunkedBuilder<Int64Type>),
    /// Microseconds.
    Duration(PrimitiveChunkedBuilder<Int64Type>),
    /// Unscaled values.
    Decimal(PrimitiveChunkedBuilder<Int128Type>, usize, usize),
    List(String, Vec<Option<Series>>, DataType),
}

impl Builder {
    pub fn new(name: &str, dtype: &DataType, capacity: usize) -> Builder {
        let n = || PlSmallStr::from(name);
        match dtype {
            DataType::Boolean => Builder::Bool(BooleanChunkedBuilder::new(n(), capacity)),
            DataType::Int16 => Builder::I16(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Int32 => Builder::I32(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Int64 => Builder::I64(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::UInt64 => Builder::U64(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Float32 => Builder::F32(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Float64 => Builder::F64(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Binary => Builder::Bin(BinaryChunkedBuilder::new(n(), capacity)),
            DataType::Date => Builder::Date(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Datetime(_, tz) => {
                Builder::Datetime(PrimitiveChunkedBuilder::new(n(), capacity), tz.clone())
            }
            DataType::Time => Builder::Time(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Duration(_) => Builder::Duration(PrimitiveChunkedBuilder::new(n(), capacity)),
            DataType::Decimal(p, s) => {
                Builder::Decimal(PrimitiveChunkedBuilder::new(n(), capacity), *p, *s)
            }
            DataType::List(inner) => Builder::List(name.to_string(), Vec::new(), *inner.clone()),
            _ => Builder::Str(StringChunkedBuilder::new(n(), capacity)),
        }
    }

    pub fn push_null(&mut self) {
        match self {
            Builder::Bool(b) => b.append_null(),
            Builder::I16(b) => b.append_null(),
            Builder::I32(b) | Builder::Date(b) => b.append_null(),
            Builder::I64(b) | Builder::Datetime(b, _) | Builder::Time(b) | Builder::Duration(b) => {
                b.append_null()
            }
            Builder::U64(b) => b.append_null(),
            Builder::F32(b) => b.append_null(),
            Builder::F64(b) => b.append_null(),
            Builder::Str(b) => b.append_null(),
            Builder::Bin(b) => b.append_null(),
            Builder::Decimal(b, _, _) => b.append_null(),
            Builder::List(_, v, _) => v.push(None),
        }
    }

    pub fn push_bool(&mut self, v: bool) {
        match self {
            Builder::Bool(b) => b.append_value(v),
            other => other.push_i64(v as i64),
        }
    }

    /// An integer; a column of a narrower type takes it when it fits, else null.
    pub fn push_i64(&mut self, v: i64) {
        match self {
            Builder::I16(b) => b.append_option(i16::try_from(v).ok()),
            Builder::I32(b) => b.append_option(i32::try_from(v).ok()),
            Builder::I64(b) => b.append_value(v),
            Builder::U64(b) => b.append_option(u64::try_from(v).ok()),
            Builder::F32(b) => b.append_value(v as f32),
            Builder::F64(b) => b.append_value(v as f64),
            Builder::Bool(b) => b.append_value(v != 0),
            Builder::Str(b) => b.append_value(v.to_string()),
            other => other.push_null(),
        }
    }

    pub fn push_u64(&mut self, v: u64) {
        match self {
            Builder::U64(b) => b.append_value(v),
            other => match i64::try_from(v) {
                Ok(i) => other.push_i64(i),
                Err(_) => other.push_null(),
            },
        }
    }

    pub fn push_f64(&mut self, v: f64) {
        match self {
            Builder::F32(b) => b.append_value(v as f32),
            Builder::F64(b) => b.append_value(v),
            Builder::Str(b) => b.append_value(v.to_string()),
            other => other.push_null(),
        }
    }

    pub fn push_str(&mut self, v: &str) {
        match self {
            Builder::Str(b) => b.append_value(v),
            Builder::Bin(b) => b.append_value(v.as_bytes()),
            other => other.push_null(),
        }
    }

    pub fn push_bytes(&mut self, v: &[u8]) {
        match self {
            Builder::Bin(b) => b.append_value(v),
            Builder::Str(b) => b.append_value(String::from_utf8_lossy(v)),
            other => other.push_null(),
        }
    }

    pub fn push_date(&mut self, days_since_1970: i32) {
        match self {
            Builder::Date(b) => b.append_value(days_since_1970),
            other => other.push_null(),
        }
    }

    pub fn push_micros(&mut self, micros: i64) {
        match self {
            Builder::Datetime(b, _) | Builder::Duration(b) => b.append_value(micros),
            Builder::Time(b) => b.append_value(micros * 1000),
            other => other.push_null(),
        }
    }

    pub fn push_decimal(&mut self, unscaled: i128) {
        match self {
            Builder::Decimal(b, _, _) => b.append_value(unscaled),
            other => other.push_null(),
        }
    }

    pub fn push_list(&mut self, items: Series) {
        match self {
            Builder::List(_, v, _) => v.push(Some(items)),
            other => other.push_null(),
        }
    }

    pub fn finish(self) -> PolarsResult<Series> {
        Ok(match self {
            Builder::Bool(b) => b.finish().into_series(),
            Builder::I16(b) => b.finish().into_series(),
            Builder::I32(b) => b.finish().into_series(),
            Builder::I64(b) => b.finish().into_series(),
            Builder::U64(b) => b.finish().into_series(),
            Builder::F32(b) => b.finish().into_series(),
            Builder::F64(b) => b.finish().into_series(),
            Builder::Str(b) => b.finish().into_series(),
            Builder::Bin(b) => b.finish().into_series(),
            Builder::Date(b) => b.finish().into_series().into_date(),
            Builder::Datetime(b, tz) => b
                .finish()
                .into_series()
                .into_datetime(TimeUnit::Microseconds, tz),
            Builder::Time(b) => b.finish().into_series().into_time(),
            Builder::Duration(b) => b
                .finish()
                .into_series()
                .into_duration(TimeUnit::Microseconds),
            Builder::Decimal(b, p, s) => b.finish().into_series().into_decimal(p, s)?,
            Builder::List(name, items, inner) => {
                let mut list: ListChunked = items.into_iter().collect();
                list.rename(name.as_str().into());
                let s = list.into_series();
                s.cast(&DataType::List(Box::new(inner)))?
            }
        })
    }
}

/// Finish every builder into one frame.
pub fn finish_frame(builders: Vec<Builder>) -> PolarsResult<DataFrame> {
    let columns = builders
        .into_iter()
        .map(|b| b.finish().map(Column::from))
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new_infer_height(columns)
}
