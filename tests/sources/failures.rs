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
    let recipe = identity_recipe(dir.path());
    for connection in ["down_pg", "down_my"] {
        let ds = dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: t\n"),
        );
        let out = dir.path().join("o.csv");
        let start = Instant::now();
        let r = run_job(&recipe, &ds, &path_str(&out), &[]);
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
    let _pg = Cleanup::table("warehouse", &table);
    my_exec(&format!(
        "CREATE TABLE {table} (customer_id int, name text)"
    ));
    let _my = Cleanup::table("maria", &table);
    let recipe = identity_recipe(dir.path());
    let misspelt = table.replace("customers", "custommers");
    let maria_schema = mariadb().database;
    for (connection, schema) in [("warehouse", "public"), ("maria", maria_schema.as_str())] {
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
            r.stderr
                .contains(&format!("did you mean '{schema}.{table}'?")),
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
        let r = run_job(&recipe, &ds, &path_str(&dir.path().join("o.csv")), &[]);
        assert_eq!(r.code, 2, "{connection}: {}", r.stderr);
        assert!(
            r.stderr.contains("did you mean 'customer_id'?"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn query_errors_are_the_datasets_fault() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("q");
    let _table = Cleanup::table("warehouse", &table);
    pg_exec(&format!("CREATE TABLE {table} (amount int)"));
    let recipe = identity_recipe(dir.path());
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
        let r = run_job(&recipe, &ds, &path_str(&dir.path().join("o.csv")), &[]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
    }
    let ds = dataset(dir.path(), "my", "connection: maria\nquery: \"SELEC 1\"\n");
    let r = run_job(&recipe, &ds, &path_str(&dir.path().join("o.csv")), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("SQL syntax"), "{}", r.stderr);
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
    let _table = Cleanup::table("warehouse", &table);
    let ds = dataset(
        dir.path(),
        "big",
        &format!("connection: warehouse\ntable: {table}\n"),
    );
    let recipe = identity_recipe(dir.path());
    let out = dir.path().join("o.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_datacook"))
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
             WHERE application_name = 'datacook' AND state = 'active' AND query LIKE 'COPY%{table}%'"
        ));
        killed = !rows.is_empty();
        std::thread::sleep(Duration::from_millis(20));
    }
    if !killed {
        let _ = child.kill();
    }
    assert!(killed, "the copy never started");
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("reading failed"), "{stderr}");
    assert!(!out.exists(), "a partial output was written");
}

#[test]
fn a_run_killed_mid_table_write_keeps_the_old_table() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let (big, _) = big_csv(dir.path(), 400_000);
    let recipe = identity_recipe(dir.path());
    for connection in ["warehouse", "maria"] {
        let target = unique("killed");
        let _guard = Cleanup::table(connection, &target);
        let output = format!("db://{connection}/{target}");
        let small = write(dir.path(), "small.csv", "id,a,b\n1,old,2\n");
        run_job(&recipe, &small, &output, &["--quiet"]).ok();
        let rows = |sql: &str| match connection {
            "warehouse" => pg_rows(sql),
            _ => my_rows(sql),
        };
        let staging_sql = match connection {
            "warehouse" => format!(
                "SELECT count(*) FROM pg_tables WHERE tablename LIKE '{target}\\_\\_datacook\\_staging%'"
            ),
            _ => format!(
                "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '{target}\\_\\_datacook\\_staging%'"
            ),
        };
        let staging = || rows(&staging_sql) != vec![vec!["0".to_string()]];
        for _ in 0..2 {
            let hit = kill_while_writing(
                &["run", &recipe, "--dataset", &big, "--output", &output],
                &[],
                &staging,
            );
            assert!(hit, "{connection}: the run never reached its staging table");
            assert_eq!(
                rows(&format!("SELECT count(*) FROM {target}")),
                vec![vec!["1".to_string()]],
                "{connection}: the old table changed"
            );
        }
        // The next run cleans up after the killed ones and replaces the table.
        run_job(&recipe, &big, &output, &["--quiet"]).ok();
        assert_eq!(
            rows(&format!("SELECT count(*) FROM {target}")),
            vec![vec!["400000".to_string()]]
        );
        assert!(!staging(), "{connection}: a staging table was left behind");
    }
}

#[test]
fn a_missing_bucket_or_key_is_named() {
    let dir = tmpdir();
    let bucket = s3_bucket("missing");
    let recipe = identity_recipe(dir.path());
    let out = path_str(&dir.path().join("o.csv"));
    for (dataset, says) in [
        (
            format!("s3://{bucket}/nothing.csv"),
            format!("S3 object s3://{bucket}/nothing.csv not found"),
        ),
        (
            "s3://no-such-bucket-datacook/x.csv".to_string(),
            "bucket 'no-such-bucket-datacook' does not exist".to_string(),
        ),
        (
            format!("s3://{bucket}/*.csv"),
            format!("no S3 object matches s3://{bucket}/*.csv"),
        ),
    ] {
        let r = run_job(&recipe, &dataset, &out, &[]);
        assert_eq!(r.code, 3, "{dataset}: {}", r.stderr);
        assert!(r.stderr.contains(&says), "{dataset}: {}", r.stderr);
    }
}

#[test]
fn a_run_killed_mid_upload_keeps_the_old_object() {
    let dir = tmpdir();
    let bucket = s3_bucket("killed");
    let (big, text) = big_csv(dir.path(), 600_000);
    s3_put(&bucket, "out/data.csv", b"id,a,b\n1,old,2\n");
    let recipe = identity_recipe(dir.path());
    let output = format!("s3://{bucket}/out/data.csv");
    // The run writes the object locally (in TMPDIR), then uploads it: kill it once that file
    // stops growing, so the upload is under way.
    let scratch = tmpdir();
    let uploading = || {
        let sizes = || -> Vec<u64> {
            std::fs::read_dir(scratch.path())
                .map(|d| {
                    d.flatten()
                        .filter(|e| {
                            e.file_name()
                                .to_string_lossy()
                                .starts_with(".datacook-upload-")
                        })
                        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                        .collect()
                })
                .unwrap_or_default()
        };
        let before = sizes();
        std::thread::sleep(Duration::from_millis(20));
        !before.is_empty() && before[0] > 0 && sizes() == before
    };
    let envs = [("TMPDIR", path_str(scratch.path()))];
    for _ in 0..2 {
        let hit = kill_while_writing(
            &["run", &recipe, "--dataset", &big, "--output", &output],
            &envs,
            &uploading,
        );
        assert!(hit, "the run never reached its upload");
        assert_eq!(
            s3_get(&bucket, "out/data.csv").unwrap(),
            b"id,a,b\n1,old,2\n",
            "the object changed"
        );
    }
    run_job(&recipe, &big, &output, &["--quiet"]).ok();
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
    let _table = Cleanup::table("warehouse", &table);
    pg_exec(&format!(
        "CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1)"
    ));
    let recipe = identity_recipe(dir.path());
    let out = path_str(&dir.path().join("o.csv"));
    let run = |connection: &str| {
        let ds = dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: {table}\n"),
        );
        run_job(&recipe, &ds, &out, &[])
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
}
