//! The yardstick for the profile benchmark: a bare Polars scan that reads and parses the whole
//! CSV file into memory, as any profiler must at least do.
//!
//!     cargo run --release --example bench_scan -- INPUT.csv

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let input = std::env::args()
        .nth(1)
        .expect("usage: bench_scan INPUT.csv");
    let df = LazyCsvReader::new(PlRefPath::new(input.as_str()))
        .finish()?
        .collect()?;
    println!("{} rows, {} columns", df.height(), df.width());
    Ok(())
}
