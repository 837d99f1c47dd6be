//! The async runtime behind database and S3 access. Polars keeps its own; datacook calls
//! Polars only from outside this one (never inside `block_on`).

use std::future::Future;
use std::sync::OnceLock;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fn runtime() -> &'static tokio::runtime::Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2),
            )
            .thread_name("datacook-io")
            .enable_all()
            .build()
            .expect("the I/O runtime starts")
    })
}

/// Run a future to completion on the I/O runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}
