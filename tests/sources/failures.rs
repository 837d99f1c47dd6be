//! What goes wrong with real servers: each failure is a clear message and the right exit code
//! within a bounded time, with no partial output.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::servers::*;
use crate::support::*;

fn dataset(dir: &Path, name: &str, body: &str) -> String {
    write(dir, &format!("{name}.yaml"), body)
}

fn identity(dir: &Path) -> String {
    write(dir, "identity.json", "[]")
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_server_fails_quickly_with_exit_3() {
    let dir = tmpdir();
    let port = closed_port();
    write_connections(
        dir.path(),
        &format!(
            "  down_pg:\n    kind: postgres\n    host: 127.0.0.1\n    port: {port}\n    user: postgres\n    connect_timeout_s: 2\n  down_my:\n    kind: mysql\n    host: 127.0.0.1\n    port: {port}\n    user: root\n    connect_timeout_s: 2\n"
        ),
    );
    let recipe = identity(dir.path());
    for connection in ["down_pg", "down_my"] {
        let ds = dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: t\n"),
        );
        let out = dir.path().join("o.csv");
        let start = Instant::now();
        let r = datacook(&[
            "run",
            &recipe,
            "--dataset",
            &ds,
            "--output",
            &path_str(&out),
        ]);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{connection} took {:?}",
            start.elapsed()
        );
        assert_eq!(r.code, 3, "{connection}: {}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("cannot connect to {connection}"))
                && r.stderr.contains(&port.to_string()),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("refused"), "{}", r.stderr);
        assert!(!out.exists());
        let v = datacook(&["validate", &recipe, "--dataset", &ds]);
        assert_eq!(v.code, 3, "{}", v.stderr);
    }
}

#[test]
fn a_missing_table_or_column_names_the_closest_one() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("customers");
    pg_exec(&format!(
        "CREATE TABLE {table} (customer_id int, name text)"
    ));
    my_exec(&format!(
        "CREATE TABLE {table} (customer_id int, name text)"
    ));
    let recipe = identity(dir.path());
    let misspelt = table.replace("customers", "custommers");
    for connection in ["warehouse", "maria"] {
        let ds = dataset(
            dir.path(),
            "t",
            &format!("connection: {connection}\ntable: {misspelt}\n"),
        );
        let r = datacook(&["validate", &recipe, "--dataset", &ds]);
        assert_eq!(r.code, 2, "{connection}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("table '{misspelt}' not found")),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("did you mean '") && r.stderr.contains(&table),
            "{}",
            r.stderr
        );

        let ds = dataset(
            dir.path(),
            "p",
            &format!(
                "connection: {connection}\ntable: {table}\npartition: {{column: custmer_id, count: 2}}\n"
            ),
        );
        let r = datacook(&[
            "run",
            &recipe,
            "--dataset",
            &ds,
            "--output",
            &path_str(&dir.path().join("o.csv")),
        ]);
        assert_eq!(r.code, 2, "{connection}: {}", r.stderr);
        assert!(
            r.stderr.contains("did you mean 'customer_id'?"),
            "{}",
            r.stderr
        );
    }
    pg_exec(&format!("DROP TABLE {table}"));
    my_exec(&format!("DROP TABLE {table}"));
}

#[test]
fn query_errors_are_the_datasets_fault() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("q");
    pg_exec(&format!("CREATE TABLE {table} (amount int)"));
    let recipe = identity(dir.path());
    for (name, query, says) in [
        ("syntax", "SELEC 1".to_string(), "syntax error"),
        (
            "column",
            format!("SELECT amont FROM {table}"),
            "column \"amont\" does not exist",
        ),
    ] {
        let ds = dataset(
            dir.path(),
            name,
            &format!("connection: warehouse\nquery: \"{query}\"\n"),
        );
        let r = datacook(&[
            "run",
            &recipe,
            "--dataset",
            &ds,
            "--output",
            &path_str(&dir.path().join("o.csv")),
        ]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
    }
    let ds = dataset(dir.path(), "my", "connection: maria\nquery: \"SELEC 1\"\n");
    let r = datacook(&[
        "run",
        &recipe,
        "--dataset",
        &ds,
        "--output",
        &path_str(&dir.path().join("o.csv")),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("SQL syntax"), "{}", r.stderr);
    pg_exec(&format!("DROP TABLE {table}"));
}

#[test]
fn a_connection_dropped_mid_read_fails_without_output() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("big");
    // Enough rows that the copy is still running when the server ends the session.
    pg_exec(&format!(
        "CREATE TABLE {table} AS SELECT g AS id, md5(g::text) AS a, md5((g + 1)::text) AS b \
         FROM generate_series(1, 3000000) g"
    ));
    let ds = dataset(
        dir.path(),
        "big",
        &format!("connection: warehouse\ntable: {table}\n"),
    );
    let recipe = identity(dir.path());
    let out = dir.path().join("o.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_datacook"))
        .args([
            "run",
            &recipe,
            "--dataset",
            &ds,
            "--output",
            &path_str(&out),
            "--quiet",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut killed = false;
    while Instant::now() < deadline && !killed {
        let rows = pg_rows(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'datacook' AND query LIKE 'COPY%{table}%'"
        ));
        killed = !rows.is_empty();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(killed, "the copy never started");
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("reading failed"), "{stderr}");
    assert!(!out.exists(), "a partial output was written");
    pg_exec(&format!("DROP TABLE {table}"));
}

/// Kill a run after `delay`, with SIGKILL (no chance to clean up).
fn run_killed(args: &[&str], delay: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_datacook"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_run_killed_mid_table_write_keeps_the_old_table() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let big = dir.path().join("big.csv");
    let mut text = String::from("id,a,b\n");
    for i in 0..400_000 {
        text.push_str(&format!("{i},value-{i},{}\n", i * 7));
    }
    std::fs::write(&big, text).unwrap();
    let recipe = identity(dir.path());
    for connection in ["warehouse", "maria"] {
        let target = unique("killed");
        let output = format!("db://{connection}/{target}");
        let small = write(dir.path(), "small.csv", "id,a,b\n1,old,2\n");
        datacook(&[
            "run",
            &recipe,
            "--dataset",
            &small,
            "--output",
            &output,
            "--quiet",
        ])
        .ok();
        let rows = |sql: &str| match connection {
            "warehouse" => pg_rows(sql),
            _ => my_rows(sql),
        };
        for delay_ms in [300, 700, 1200, 2000] {
            run_killed(
                &[
                    "run",
                    &recipe,
                    "--dataset",
                    &path_str(&big),
                    "--output",
                    &output,
                ],
                Duration::from_millis(delay_ms),
            );
            let count = rows(&format!("SELECT count(*) FROM {target}"));
            assert!(
                count == vec![vec!["1".to_string()]] || count == vec![vec!["400000".to_string()]],
                "{connection} after {delay_ms} ms: {count:?}"
            );
        }
        // The next run cleans up after the killed ones and replaces the table.
        datacook(&[
            "run",
            &recipe,
            "--dataset",
            &path_str(&big),
            "--output",
            &output,
            "--quiet",
        ])
        .ok();
        assert_eq!(
            rows(&format!("SELECT count(*) FROM {target}")),
            vec![vec!["400000".to_string()]]
        );
        match connection {
            "warehouse" => pg_exec(&format!("DROP TABLE {target}")),
            _ => my_exec(&format!("DROP TABLE {target}")),
        }
    }
}

#[test]
fn a_missing_bucket_or_key_is_named() {
    let dir = tmpdir();
    let bucket = s3_bucket("missing");
    let recipe = identity(dir.path());
    let out = path_str(&dir.path().join("o.csv"));
    let r = datacook(&[
        "run",
        &recipe,
        "--dataset",
        &format!("s3://{bucket}/nothing.csv"),
        "--output",
        &out,
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("S3 object s3://{bucket}/nothing.csv not found")),
        "{}",
        r.stderr
    );
    let r = datacook(&[
        "run",
        &recipe,
        "--dataset",
        "s3://no-such-bucket-datacook/x.csv",
        "--output",
        &out,
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bucket 'no-such-bucket-datacook' does not exist"),
        "{}",
        r.stderr
    );
    let r = datacook(&[
        "run",
        &recipe,
        "--dataset",
        &format!("s3://{bucket}/*.csv"),
        "--output",
        &out,
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("no S3 object matches s3://{bucket}/*.csv")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_run_killed_mid_upload_keeps_the_old_object() {
    let dir = tmpdir();
    let bucket = s3_bucket("killed");
    let big = dir.path().join("big.csv");
    let mut text = String::from("id,a,b\n");
    for i in 0..600_000 {
        text.push_str(&format!("{i},value-{i},{}\n", i * 7));
    }
    std::fs::write(&big, &text).unwrap();
    s3_put(&bucket, "out/data.csv", b"id,a,b\n1,old,2\n");
    let recipe = identity(dir.path());
    let output = format!("s3://{bucket}/out/data.csv");
    for delay_ms in [200, 500, 900, 1400] {
        run_killed(
            &[
                "run",
                &recipe,
                "--dataset",
                &path_str(&big),
                "--output",
                &output,
            ],
            Duration::from_millis(delay_ms),
        );
        let now = s3_get(&bucket, "out/data.csv").unwrap();
        assert!(
            now == b"id,a,b\n1,old,2\n" || now == text.as_bytes(),
            "after {delay_ms} ms the object is neither the old nor the new one ({} bytes)",
            now.len()
        );
    }
    datacook(&[
        "run",
        &recipe,
        "--dataset",
        &path_str(&big),
        "--output",
        &output,
        "--quiet",
    ])
    .ok();
    assert_eq!(s3_get(&bucket, "out/data.csv").unwrap(), text.as_bytes());
}

#[test]
fn verify_full_trusts_only_certificates_it_can_verify() {
    let dir = tmpdir();
    let pg = postgres();
    let ssl = pg_rows("SHOW ssl");
    let cert = pg_rows("SHOW ssl_cert_file");
    write_connections(
        dir.path(),
        &format!(
            "  verified:\n    kind: postgres\n    host: localhost\n    port: {}\n    user: {}\n    database: {}\n    tls: verify-full\n    ca_file: {}\n  untrusted:\n    kind: postgres\n    host: localhost\n    port: {}\n    user: {}\n    database: {}\n    tls: verify-full\n",
            pg.port, pg.user, pg.database, cert[0][0], pg.port, pg.user, pg.database
        ),
    );
    let table = unique("tls");
    pg_exec(&format!(
        "CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1)"
    ));
    let recipe = identity(dir.path());
    let out = path_str(&dir.path().join("o.csv"));
    let run = |connection: &str| {
        let ds = dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: {table}\n"),
        );
        datacook(&["run", &recipe, "--dataset", &ds, "--output", &out])
    };
    let untrusted = run("untrusted");
    assert_eq!(untrusted.code, 3, "{}", untrusted.stderr);
    if ssl[0][0] == "on" {
        // The server's own (self-signed) certificate, named as the CA, is trusted.
        run("verified").ok();
        assert!(
            untrusted.stderr.contains("UnknownIssuer"),
            "{}",
            untrusted.stderr
        );
        assert!(untrusted.stderr.contains("ca_file"), "{}", untrusted.stderr);
    } else {
        assert!(untrusted.stderr.contains("TLS"), "{}", untrusted.stderr);
    }
    pg_exec(&format!("DROP TABLE {table}"));
}
