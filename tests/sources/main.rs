//! Sources and sinks against real servers: PostgreSQL, MariaDB and an S3-compatible server
//! (see `servers`). Every output is checked exactly: byte-identical to the same job run on
//! the local files, or read back from the table or bucket.

#[path = "../cli/support.rs"]
mod support;

mod servers;

mod databases;
mod failures;
mod s3;
