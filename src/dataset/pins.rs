//! Column type pins (`types:` in a dataset file). They apply after every source, the same way
//! when only the schema is read (`validate`) and when the data is (`run`): a pinned column
//! is converted by [`crate::types::convert`], so a value that does not convert becomes null.

use polars::prelude::*;

use super::report::{ColumnType, TypeOrigin};
use crate::error::{Error, Result, did_you_mean};

#[derive(Debug, Clone, Default)]
pub struct Pins(Vec<Pin>);

#[derive(Debug, Clone)]
struct Pin {
    column: String,
    dtype: DataType,
}

impl Pins {
    pub fn push(&mut self, column: String, dtype: DataType) {
        self.0.retain(|p| p.column != column);
        self.0.push(Pin { column, dtype });
    }

    /// The pinned columns.
    pub fn columns(&self) -> Vec<String> {
        self.0.iter().map(|p| p.column.clone()).collect()
    }

    /// The schema after the pins; the pinned columns' descriptions say so.
    pub fn apply_to_schema(
        &self,
        dataset: &str,
        schema: &Schema,
        columns: &mut [ColumnType],
    ) -> Result<Schema> {
        let mut out = schema.clone();
        for pin in &self.0 {
            self.require(dataset, schema, &pin.column)?;
            out.with_column(pin.column.as_str().into(), pin.dtype.clone());
            if let Some(c) = columns.iter_mut().find(|c| c.column == pin.column) {
                c.dtype = pin.dtype.to_string();
                c.source = TypeOrigin::Pinned;
                c.note = None;
            }
        }
        Ok(out)
    }

    /// Convert the pinned columns of `lf` (whose schema is `schema`) to their types.
    pub fn apply(&self, dataset: &str, lf: LazyFrame, schema: &Schema) -> Result<LazyFrame> {
        if self.0.is_empty() {
            return Ok(lf);
        }
        let mut exprs = Vec::new();
        for pin in &self.0 {
            let current = self.require(dataset, schema, &pin.column)?;
            if current != pin.dtype {
                let c = pin.column.as_str();
                exprs.push(crate::types::convert(col(c), &current, &pin.dtype).alias(c));
            }
        }
        Ok(if exprs.is_empty() {
            lf
        } else {
            lf.with_columns(exprs)
        })
    }

    fn require(&self, dataset: &str, schema: &Schema, column: &str) -> Result<DataType> {
        schema.get(column).cloned().ok_or_else(|| {
            Error::invalid_with_help(
                format!("dataset '{dataset}' pins the type of '{column}', which is not a column"),
                did_you_mean(column, schema.iter_names().map(|n| n.as_str()))
                    .unwrap_or_else(|| "check the `types:` section".into()),
            )
        })
    }
}
