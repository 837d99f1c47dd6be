//! The student-performance recipe written by hand against Polars, as the yardstick for
//! `make bench`: the same work (drop three columns, fill age with its median, remove
//! |z| > 3 study-time outliers, map gender M → 1 else 2, one-hot encode health), CSV in and
//! CSV out, written the way a Polars user would: one statistics pass, one streaming pass.
//!
//!     cargo run --release --example bench_polars -- INPUT.csv OUTPUT.csv

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let scan = || LazyCsvReader::new(PlRefPath::new(input.as_str())).finish();
    let study = || col("study_time_in_hr");
    let z = || ((study() - study().mean()) / study().std(1)).abs();

    // Every statistic in one pass: median age, mean/sd of study time, health levels of the
    // rows that survive the outlier filter.
    let stats = scan()?
        .select([
            col("age").median().alias("median"),
            study().mean().alias("mean"),
            study().std(1).alias("sd"),
            col("health")
                .filter(z().lt_eq(lit(3.0)))
                .drop_nulls()
                .unique()
                .sort(SortOptions::default())
                .implode(true)
                .alias("levels"),
        ])
        .collect()?;
    let get = |name: &str| {
        stats
            .column(name)
            .unwrap()
            .get(0)
            .unwrap()
            .extract::<f64>()
            .unwrap()
    };
    let (median, mean, sd) = (get("median"), get("mean"), get("sd"));
    let levels: Vec<i64> = stats
        .column("levels")?
        .list()?
        .get_as_series(0)
        .unwrap()
        .i64()?
        .into_no_null_iter()
        .collect();

    let mut columns: Vec<Expr> = Vec::new();
    for name in [
        "school_id",
        "student_id",
        "study_time_in_hr",
        "health",
        "internet",
        "country",
        "year",
        "gender",
        "age",
        "marks",
    ] {
        columns.push(match name {
            "age" => col("age").fill_null(lit(median.round() as i64)),
            "gender" => col("gender"),
            other => col(other),
        });
        if name == "health" {
            for l in &levels {
                columns.push(
                    when(col("health").eq(lit(*l)))
                        .then(lit(1i32))
                        .otherwise(lit(0i32))
                        .alias(format!("health_{l}")),
                );
            }
        }
        if name == "gender" {
            columns.push(
                when(col("gender").eq(lit("M")))
                    .then(lit(1i64))
                    .otherwise(
                        when(col("gender").is_null())
                            .then(lit(NULL))
                            .otherwise(lit(2i64)),
                    )
                    .alias("gender_mapped"),
            );
        }
    }
    let z_lit = ((study() - lit(mean)) / lit(sd)).abs();
    let plan = scan()?
        .filter(z_lit.lt_eq(lit(3.0)).or(study().is_null()))
        .select(columns);
    plan.sink(
        SinkDestination::File {
            target: SinkTarget::Path(PlRefPath::new(output.as_str())),
        },
        FileWriteFormat::Csv(CsvWriterOptions::default()),
        UnifiedSinkArgs::default(),
    )?
    .collect_with_engine(Engine::Streaming)?;
    Ok(())
}
