//! PostgreSQL (binary COPY), Redshift's cursor path (against PostgreSQL) and MariaDB: the
//! student walkthrough read from tables and written back to tables, every type with its
//! nulls, DataBrew's own dataset definitions, and partitioned reads.

use std::path::Path;

use crate::servers::*;
use crate::support::*;

const STUDENT_COLUMNS: &str = "school_id integer, school_name text, student_id integer, \
    study_time_in_hr double precision, health integer, internet text, country text, \
    year integer, first_name text, last_name text, gender text, age integer, marks integer";

fn students_csv() -> String {
    std::fs::read_to_string(root().join("datasets/students.csv")).unwrap()
}

/// A PostgreSQL table holding the bundled students, as the walkthrough's warehouse does.
fn pg_students() -> String {
    let table = unique("students");
    pg_exec(&format!("CREATE TABLE {table} ({STUDENT_COLUMNS})"));
    pg_copy_csv(&table, &students_csv());
    table
}

/// The same in MariaDB (multi-row INSERTs written from the CSV).
fn my_students() -> String {
    let table = unique("students");
    my_exec(&format!(
        "CREATE TABLE {table} ({})",
        STUDENT_COLUMNS.replace("double precision", "double")
    ));
    let text = students_csv();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let values: Vec<String> = r
                .iter()
                .map(|v| {
                    if v.is_empty() {
                        "NULL".to_string()
                    } else {
                        format!("'{}'", v.replace('\'', "''"))
                    }
                })
                .collect();
            format!("({})", values.join(", "))
        })
        .collect();
    my_exec(&format!("INSERT INTO {table} VALUES {}", rows.join(", ")));
    table
}

/// The student recipe on the bundled CSV: what every database run must equal.
fn local_student_output(dir: &Path) -> String {
    let out = dir.join("local.csv");
    run_job(
        "recipes/student-performance.json",
        "datasets/students.yaml",
        &path_str(&out),
        &["--quiet"],
    )
    .ok();
    std::fs::read_to_string(out).unwrap()
}

fn write_dataset(dir: &Path, name: &str, body: &str) -> String {
    write(dir, &format!("{name}.yaml"), body)
}

fn run_student(dataset: &str, output: &str) -> Run {
    run_job(
        "recipes/student-performance.json",
        dataset,
        output,
        &["--json"],
    )
}

#[test]
fn student_walkthrough_from_postgres_equals_the_local_run() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = pg_students();
    let _table = Cleanup::table("warehouse", &table);
    let expected = local_student_output(dir.path());
    let cases = [
        (
            "copy",
            format!("connection: warehouse\ntable: public.{table}\n"),
        ),
        (
            "partitioned",
            format!(
                "connection: warehouse\ntable: {table}\npartition: {{column: student_id, count: 4}}\n"
            ),
        ),
        ("cursor", format!("connection: redshift\ntable: {table}\n")),
        (
            "query",
            format!(
                "connection: warehouse\nquery: \"SELECT * FROM {table} ORDER BY student_id\"\n"
            ),
        ),
    ];
    for (name, body) in cases {
        let ds = write_dataset(dir.path(), name, &body);
        let out = dir.path().join(format!("{name}.csv"));
        let r = run_student(&ds, &path_str(&out));
        r.ok();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            expected,
            "{name}: output differs from the local run"
        );
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(report["dataset"]["rows"], 600, "{name}");
        let source = if name == "cursor" {
            "redshift"
        } else {
            "postgres"
        };
        assert_eq!(report["dataset"]["source"], source, "{name}");
        if name == "partitioned" {
            let notes = report["dataset"]["notes"].to_string();
            assert!(notes.contains("read in 4 key ranges"), "{notes}");
        }
    }
}

#[test]
fn student_walkthrough_from_mariadb_equals_the_local_run() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = my_students();
    let _table = Cleanup::table("maria", &table);
    let expected = local_student_output(dir.path());
    for (name, body) in [
        ("plain", format!("connection: maria\ntable: {table}\n")),
        (
            "partitioned",
            format!(
                "connection: maria\ntable: {table}\npartition: {{column: student_id, count: 3}}\n"
            ),
        ),
    ] {
        let ds = write_dataset(dir.path(), name, &body);
        let out = dir.path().join(format!("{name}.csv"));
        run_student(&ds, &path_str(&out)).ok();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            expected,
            "{name}: output differs from the local run"
        );
    }
}

/// Read a table back through datacook (identity recipe) as CSV text.
fn read_back(dir: &Path, connection: &str, table: &str) -> String {
    let ds = write_dataset(
        dir,
        "readback",
        &format!("connection: {connection}\ntable: {table}\n"),
    );
    let recipe = identity_recipe(dir);
    let out = dir.join("readback.csv");
    run_job(&recipe, &ds, &path_str(&out), &["--quiet"]).ok();
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn student_walkthrough_into_tables_replaces_them_whole() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let expected = local_student_output(dir.path());
    let pg_source = pg_students();
    let _pg = Cleanup::table("warehouse", &pg_source);
    let my_source = my_students();
    let _my = Cleanup::table("maria", &my_source);
    for (connection, source) in [("warehouse", &pg_source), ("maria", &my_source)] {
        let ds = write_dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: {source}\n"),
        );
        let target = unique("students_out");
        let _dropped = Cleanup::table(connection, &target);
        // Twice: the second run replaces the first one's table.
        for _ in 0..2 {
            let r = run_student(&ds, &format!("db://{connection}/{target}"));
            r.ok();
            let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            assert_eq!(report["output"]["rows"], 598);
            assert_eq!(
                report["output"]["path"],
                format!("db://{connection}/{target}")
            );
        }
        assert_eq!(
            read_back(dir.path(), connection, &target),
            expected,
            "{connection}: the table read back differs from the local output"
        );
        let leftovers = match connection {
            "warehouse" => pg_rows(&format!(
                "SELECT count(*) FROM pg_tables WHERE tablename LIKE '{target}%'"
            )),
            _ => my_rows(&format!(
                "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '{target}%'"
            )),
        };
        assert_eq!(
            leftovers,
            vec![vec!["1".to_string()]],
            "{connection}: staging left behind"
        );
    }
}

#[test]
fn append_adds_rows_and_create_refuses_an_existing_table() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let data = write(dir.path(), "d.csv", "id,name\n1,a\n2,b\n");
    let recipe = identity_recipe(dir.path());
    for (connection, rows) in [
        ("warehouse", pg_rows as fn(&str) -> Vec<Vec<String>>),
        ("maria", my_rows),
    ] {
        let target = unique("appended");
        let _dropped = Cleanup::table(connection, &target);
        let output = format!("db://{connection}/{target}");
        let run = |mode: &str| run_job(&recipe, &data, &output, &["--mode", mode, "--quiet"]);
        run("create").ok();
        run("append").ok();
        let r = run("create");
        assert_eq!(r.code, 2, "{connection}: {}", r.stderr);
        assert!(r.stderr.contains("already exists"), "{}", r.stderr);
        let got = rows(&format!("SELECT id, name FROM {target} ORDER BY id, name"));
        let want: Vec<Vec<String>> = [["1", "a"], ["1", "a"], ["2", "b"], ["2", "b"]]
            .iter()
            .map(|r| r.iter().map(|v| v.to_string()).collect())
            .collect();
        assert_eq!(got, want, "{connection}");
        run("replace").ok();
        assert_eq!(
            rows(&format!("SELECT count(*) FROM {target}")),
            vec![vec!["2".to_string()]]
        );
    }
}

/// The identity recipe's JSON Lines output for a dataset, and its run report.
fn identity_json(dir: &Path, dataset: &str) -> (String, serde_json::Value) {
    let out = format!("{}.jsonl", unique("out"));
    let (r, report) = run_identity(dir, dataset, &out);
    r.ok();
    (std::fs::read_to_string(dir.join(out)).unwrap(), report)
}

/// Write a dataset into a new table of `connection` and read that back: the identity output
/// and the run report of the copy (the table is dropped when the guard goes).
fn copied_through_table(
    dir: &Path,
    connection: &str,
    ds: &str,
) -> (String, serde_json::Value, Cleanup) {
    let copy = unique("types_copy");
    let guard = Cleanup::table(connection, &copy);
    let recipe = identity_recipe(dir);
    let output = format!("db://{connection}/{copy}");
    run_job(&recipe, ds, &output, &["--quiet"]).ok();
    let back = write_dataset(
        dir,
        "back",
        &format!("connection: {connection}\ntable: {copy}\n"),
    );
    let (copied, report) = identity_json(dir, &back);
    (copied, report, guard)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn postgres_types_round_trip_with_their_nulls() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("types");
    let mood = unique("mood");
    pg_exec(&format!(
        "CREATE TYPE {mood} AS ENUM ('sad', 'happy');
         CREATE TABLE {table} (id int, s smallint, i integer, b bigint, r real, d double precision,
           n numeric(10,2), nu numeric, t text, v varchar(5), c char(4), nm name, bo boolean,
           dt date, ts timestamp, tz timestamptz, tm time, iv interval, u uuid, j json, jb jsonb,
           by bytea, e {mood}, ai integer[], at text[], ip inet);
         INSERT INTO {table} VALUES (1, -2, 3, 9007199254740993, 1.5, 2.25, -12345.67,
           1.123456789012345678901234567890123456789, 'hé', 'abc', 'ab', 'nm', true, '2024-02-29',
           '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '01:02:03.5',
           '1 year 2 mons 3 days 04:05:06', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{\"a\": 1}}',
           '{{\"b\": [1, 2]}}', '\\x0102ff', 'happy', '{{1,NULL,3}}', '{{\"x\",\"y\"}}', '10.0.0.1');
         INSERT INTO {table} (id) VALUES (2);
         INSERT INTO {table} (id, n, dt, ts) VALUES (3, 'NaN', 'infinity', '-infinity');"
    ));
    let _table = Cleanup::postgres(&format!(
        "DROP TABLE IF EXISTS {table}; DROP TYPE IF EXISTS {mood}"
    ));
    let mut warehouse_lines = String::new();
    let ds = write_dataset(
        dir.path(),
        "types",
        &format!("connection: warehouse\ntable: {table}\n"),
    );
    for kind in ["warehouse", "redshift"] {
        let ds = if kind == "warehouse" {
            ds.clone()
        } else {
            write_dataset(
                dir.path(),
                "types_rs",
                &format!("connection: redshift\ntable: {table}\n"),
            )
        };
        let (lines, report) = identity_json(dir.path(), &ds);
        let mut want_types = pairs(&[
            ("id", "i32"),
            ("s", "i16"),
            ("i", "i32"),
            ("b", "i64"),
            ("r", "f32"),
            ("d", "f64"),
            ("n", "decimal[10,2]"),
            ("nu", "str"),
            ("t", "str"),
            ("v", "str"),
            ("c", "str"),
            ("nm", "str"),
            ("bo", "bool"),
            ("dt", "date"),
            ("ts", "datetime[μs]"),
            ("tz", "datetime[μs, UTC]"),
            ("tm", "time"),
            ("iv", "str"),
            ("u", "str"),
            ("j", "str"),
            ("jb", "str"),
            ("by", "binary"),
            ("e", "str"),
            ("ai", "list[i32]"),
            ("at", "list[str]"),
            ("ip", "str"),
        ]);
        let mut first = r#"{"id":1,"s":-2,"i":3,"b":9007199254740993,"r":1.5,"d":2.25,"n":"-12345.67","nu":"1.123456789012345678901234567890123456789","t":"hé","v":"abc","c":"ab  ","nm":"nm","bo":true,"dt":"2024-02-29","ts":"2024-01-02 03:04:05.123456","tz":"2024-01-02T01:04:05+00:00","tm":"01:02:03.500","iv":"P1Y2M3DT4H5M6S","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","j":"{\"a\": 1}","jb":"{\"b\": [1, 2]}","by":"\\x0102ff","e":"happy","ai":[1,null,3],"at":["x","y"],"ip":"10.0.0.1/32"}"#.to_string();
        if kind == "redshift" {
            // Redshift has no arrays: a cursor reads them as their text.
            want_types[23].1 = "str".into();
            want_types[24].1 = "str".into();
            first = first.replace(
                r#""ai":[1,null,3],"at":["x","y"]"#,
                r#""ai":"{1,NULL,3}","at":"{x,y}""#,
            );
        }
        assert_eq!(
            column_types(&report["dataset"]["columns"]),
            want_types,
            "{kind}"
        );
        let nulls: String = want_types
            .iter()
            .skip(1)
            .map(|(c, _)| format!(",\"{c}\":null"))
            .collect();
        let expected = format!("{first}\n{{\"id\":2{nulls}}}\n{{\"id\":3{nulls}}}\n");
        assert_eq!(lines, expected, "{kind}");
        if kind == "warehouse" {
            warehouse_lines = lines;
        }
        let notes = report["dataset"]["notes"].to_string();
        for what in [
            "NaN or infinite numeric",
            "infinite date",
            "infinite timestamp",
        ] {
            assert!(notes.contains(what), "{kind}: {notes}");
        }
    }
    // Written to a table and read back, every value survives.
    let (copied, report, _copy) = copied_through_table(dir.path(), "warehouse", &ds);
    assert_eq!(copied, warehouse_lines);
    assert_eq!(
        column_types(&report["dataset"]["columns"])[6].1,
        "decimal[10,2]"
    );
}

#[test]
fn mariadb_types_round_trip_with_their_nulls() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("types");
    my_exec(&format!(
        "CREATE TABLE {table} (id int, b1 tinyint(1), tu tinyint unsigned, sm smallint,
           mi mediumint, iu int unsigned, bu bigint unsigned, bi bigint, f float, d double,
           dc decimal(10,2), dbig decimal(65,30), dt date, dtt datetime(6), ts timestamp(6) NULL,
           tm time(3), yr year, ch char(5), vc varchar(20), tx text, en enum('a','b'),
           st set('x','y'), js json, bl blob, vb varbinary(10), bt1 bit(1), bt8 bit(8));
         INSERT INTO {table} VALUES (1, 1, 255, -3, 7, 4000000000, 18446744073709551615, -9, 1.5,
           2.25, -12345.67, 1.5, '2024-02-29', '2024-01-02 03:04:05.123456',
           '2024-01-02 03:04:05.5', '-838:59:59', 2024, 'ab', 'héllo', 'text', 'b', 'x,y',
           '{{\"a\":1}}', X'0102FF', X'00', b'1', b'10101010');
         INSERT INTO {table} (id) VALUES (2);
         INSERT INTO {table} (id, dt, dtt) VALUES (3, '0000-00-00', '2024-00-00 00:00:00');"
    ));
    let _table = Cleanup::table("maria", &table);
    let ds = write_dataset(
        dir.path(),
        "types",
        &format!("connection: maria\ntable: {table}\n"),
    );
    let (lines, report) = identity_json(dir.path(), &ds);
    let want_types = pairs(&[
        ("id", "i32"),
        ("b1", "bool"),
        ("tu", "i16"),
        ("sm", "i32"),
        ("mi", "i32"),
        ("iu", "i64"),
        ("bu", "u64"),
        ("bi", "i64"),
        ("f", "f32"),
        ("d", "f64"),
        ("dc", "decimal[10,2]"),
        ("dbig", "str"),
        ("dt", "date"),
        ("dtt", "datetime[μs]"),
        ("ts", "datetime[μs, UTC]"),
        ("tm", "duration[μs]"),
        ("yr", "i16"),
        ("ch", "str"),
        ("vc", "str"),
        ("tx", "str"),
        ("en", "str"),
        ("st", "str"),
        ("js", "str"),
        ("bl", "binary"),
        ("vb", "binary"),
        ("bt1", "bool"),
        ("bt8", "u64"),
    ]);
    assert_eq!(column_types(&report["dataset"]["columns"]), want_types);
    let nulls: String = want_types
        .iter()
        .skip(1)
        .map(|(c, _)| format!(",\"{c}\":null"))
        .collect();
    let first = r#"{"id":1,"b1":true,"tu":255,"sm":-3,"mi":7,"iu":4000000000,"bu":18446744073709551615,"bi":-9,"f":1.5,"d":2.25,"dc":"-12345.67","dbig":"1.500000000000000000000000000000","dt":"2024-02-29","dtt":"2024-01-02 03:04:05.123456","ts":"2024-01-02T03:04:05.500+00:00","tm":"-PT3020399S","yr":2024,"ch":"ab","vc":"héllo","tx":"text","en":"b","st":"x,y","js":"{\"a\":1}","bl":"\\x0102ff","vb":"\\x00","bt1":true,"bt8":170}"#;
    assert_eq!(
        lines,
        format!("{first}\n{{\"id\":2{nulls}}}\n{{\"id\":3{nulls}}}\n")
    );
    let notes = &report["dataset"]["notes"];
    let zero_dates: Vec<(String, u64)> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["where"].as_str().unwrap().to_string(),
                n["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        zero_dates,
        vec![("dt".to_string(), 1), ("dtt".to_string(), 1)]
    );
    // Written to a table and read back, every value survives.
    let (copied, _, _copy) = copied_through_table(dir.path(), "maria", &ds);
    assert_eq!(copied, lines);
}

#[test]
fn databrew_dataset_and_join_inputs_resolve_through_the_connections_file() {
    let dir = tmpdir();
    let connections = write_connections(dir.path(), "");
    let table = pg_students();
    let _table = Cleanup::table("warehouse", &table);
    let scores = unique("scores");
    let _scores = Cleanup::table("warehouse", &scores);
    pg_exec(&format!(
        "CREATE TABLE {scores} (sid integer, bonus integer);
         INSERT INTO {scores} VALUES (1, 10), (2, 20), (2, 21);"
    ));
    // describe-dataset output, as DataBrew gives it: no datacook file but the connections.
    let dataset = write(
        dir.path(),
        "students-dataset.json",
        &format!(
            r#"{{"Name": "student-dataset", "CreateDate": "2024-01-01T00:00:00Z",
               "Input": {{"DatabaseInputDefinition": {{"GlueConnectionName": "warehouse",
                 "DatabaseTableName": "public.{table}"}}}}}}"#
        ),
    );
    let recipe = write(
        dir.path(),
        "join.json",
        &format!(
            r#"[{{"Action": {{"Operation": "JOIN", "Parameters": {{
                "joinKeys": "[{{\"key\":\"student_id\",\"value\":\"sid\"}}]",
                "joinType": "INNER_JOIN",
                "leftColumns": "[\"student_id\",\"first_name\"]",
                "rightColumns": "[\"bonus\"]",
                "secondInput": "{{\"DatabaseInputDefinition\":{{\"GlueConnectionName\":\"warehouse\",\"DatabaseTableName\":\"{scores}\"}}}}"
            }}}}}}]"#
        ),
    );
    let out = dir.path().join("joined.csv");
    let empty = tmpdir();
    let r = run_job(
        &recipe,
        &dataset,
        &path_str(&out),
        &[
            "--connections",
            &connections,
            "--datasets-dir",
            &path_str(empty.path()),
            "--quiet",
        ],
    );
    r.ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "student_id,first_name,bonus\n1,Leo,10\n2,Isla,20\n2,Isla,21\n"
    );
}

/// Every command that reads a dataset, with every output it can write; returns the exit
/// codes and all that was printed or written.
fn every_output(
    dir: &Path,
    dataset: &str,
    connections: &str,
    envs: &[(&str, String)],
) -> (Vec<i32>, String) {
    let out = dir.join(unique("outputs"));
    std::fs::create_dir_all(&out).unwrap();
    let o = |name: &str| path_str(&out.join(name));
    let commands: Vec<Vec<String>> = vec![
        vec![
            "validate".into(),
            "recipes/student-performance.json".into(),
            "--dataset".into(),
            dataset.into(),
            "--json".into(),
        ],
        vec![
            "run".into(),
            "recipes/student-performance.json".into(),
            "--dataset".into(),
            dataset.into(),
            "--output".into(),
            o("o.csv"),
            "--report".into(),
            o("run.json"),
            "--json".into(),
        ],
        vec![
            "profile".into(),
            dataset.into(),
            "--output".into(),
            o("p.json"),
            "--html".into(),
            o("p.html"),
        ],
        vec![
            "check".into(),
            dataset.into(),
            "--rules".into(),
            "profiles/student-rules.json".into(),
            "--json".into(),
            o("dq.json"),
            "--junit".into(),
            o("dq.xml"),
            "--markdown".into(),
            o("dq.md"),
        ],
    ];
    let mut codes = Vec::new();
    let mut text = String::new();
    for args in commands {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_datacook"));
        command
            .args(&args)
            .args(["--connections", connections])
            .current_dir(root());
        for (k, v) in envs {
            command.env(k, v);
        }
        let result = command.output().unwrap();
        codes.push(result.status.code().unwrap_or(-1));
        text.push_str(&String::from_utf8_lossy(&result.stdout));
        text.push_str(&String::from_utf8_lossy(&result.stderr));
    }
    for f in std::fs::read_dir(&out).unwrap() {
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(f.unwrap().path()).unwrap(),
        ));
    }
    (codes, text)
}

#[test]
fn passwords_come_from_the_environment_and_never_reach_any_output() {
    let dir = tmpdir();
    let user = unique("dc_user");
    let secret = format!("S3cret-{}-pw", std::process::id());
    my_exec(&format!(
        "CREATE OR REPLACE USER '{user}'@'%' IDENTIFIED BY '{secret}'; GRANT SELECT ON test.* TO '{user}'@'%';"
    ));
    let _user = Cleanup::mysql(&format!("DROP USER IF EXISTS '{user}'@'%'"));
    let my_table = my_students();
    let _my = Cleanup::table("maria", &my_table);
    let pg_table = pg_students();
    let _pg = Cleanup::table("warehouse", &pg_table);
    let (my, pg) = (mariadb(), postgres());
    let connections = write_connections(
        dir.path(),
        &format!(
            "  guarded:\n    kind: mysql\n    host: {}\n    port: {}\n    database: {}\n    user: {user}\n    password_env: DC_TEST_SECRET\n  guarded_url:\n    kind: mysql\n    url_env: DC_TEST_URL\n  guarded_pg:\n    kind: postgres\n    host: {}\n    port: {}\n    database: {}\n    user: {}\n    password_env: DC_TEST_SECRET\n",
            my.host, my.port, my.database, pg.host, pg.port, pg.database, pg.user
        ),
    );
    let url = |password: &str| {
        // The URL spells the password percent-encoded, as URLs must for some characters.
        format!(
            "mysql://{user}:{}@{}:{}/{}",
            password.replace('-', "%2D"),
            my.host,
            my.port,
            my.database
        )
    };
    let wrong = format!("Wr0ng-{}-pw", std::process::id());
    for (connection, table) in [
        ("guarded", &my_table),
        ("guarded_url", &my_table),
        ("guarded_pg", &pg_table),
    ] {
        let ds = write_dataset(
            dir.path(),
            connection,
            &format!("connection: {connection}\ntable: {table}\n"),
        );
        let envs = |password: &str| {
            vec![
                ("DC_TEST_SECRET", password.to_string()),
                ("DC_TEST_URL", url(password)),
            ]
        };
        let (codes, text) = every_output(dir.path(), &ds, &connections, &envs(&secret));
        assert_eq!(codes, vec![0, 0, 0, 0], "{connection}: {text}");
        assert!(
            !text.contains("S3cret"),
            "{connection}: the password leaked:\n{text}"
        );
        if connection == "guarded_pg" {
            continue; // PostgreSQL trusts this machine: no password is wrong.
        }
        let (codes, text) = every_output(dir.path(), &ds, &connections, &envs(&wrong));
        assert_eq!(codes, vec![3, 3, 3, 3], "{connection}: {text}");
        assert!(text.contains("Access denied"), "{text}");
        assert!(
            !text.contains("Wr0ng"),
            "{connection}: the password leaked:\n{text}"
        );
    }
}

#[test]
fn table_writes_keep_every_digit_and_fit_existing_tables() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let data = write(
        dir.path(),
        "d.csv",
        "id,x,label\n1,1234567.891,a\n2,0.1234567891,b\n3,-1e-7,\n",
    );
    let recipe = identity_recipe(dir.path());
    // MySQL: floats keep every digit (no display rounding on the way in).
    let target = unique("floats");
    let _floats = Cleanup::table("maria", &target);
    run_job(
        &recipe,
        &data,
        &format!("db://maria/{target}"),
        &["--quiet"],
    )
    .ok();
    assert_eq!(
        my_rows(&format!(
            "SELECT id, CAST(x AS CHAR), label FROM {target} ORDER BY id"
        )),
        vec![
            vec!["1".to_string(), "1234567.891".into(), "a".into()],
            vec!["2".into(), "0.1234567891".into(), "b".into()],
            vec!["3".into(), "-0.0000001".into(), "NULL".into()],
        ]
    );

    // PostgreSQL: appending converts to the table's own types (64-bit integers from CSV
    // into an `integer` column, naive timestamps into `timestamptz`).
    let existing = unique("existing");
    let _existing = Cleanup::table("warehouse", &existing);
    pg_exec(&format!(
        "CREATE TABLE {existing} (id integer, x real, label varchar(3), at timestamptz);
         INSERT INTO {existing} VALUES (0, 0.5, 'z', '2024-01-01 00:00:00+00');"
    ));
    write(
        dir.path(),
        "t.csv",
        "id,x,label,at\n1,1.25,a,2024-05-06 07:08:09\n",
    );
    let ds = write(
        dir.path(),
        "t.yaml",
        "path: t.csv\ntypes: {at: timestamp}\n",
    );
    run_job(
        &recipe,
        &ds,
        &format!("db://warehouse/{existing}"),
        &["--mode", "append", "--quiet"],
    )
    .ok();
    assert_eq!(
        pg_rows(&format!(
            "SELECT id, x, label, at FROM {existing} ORDER BY id"
        )),
        vec![
            vec![
                "0".to_string(),
                "0.5".into(),
                "z".into(),
                "2024-01-01 00:00:00+00".into()
            ],
            vec![
                "1".into(),
                "1.25".into(),
                "a".into(),
                "2024-05-06 07:08:09+00".into()
            ],
        ]
    );
    let other = write(dir.path(), "other.csv", "id,lable\n1,a\n");
    let r = run_job(
        &recipe,
        &other,
        &format!("db://warehouse/{existing}"),
        &["--mode", "append"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("has no column 'lable'") && r.stderr.contains("did you mean 'label'?"),
        "{}",
        r.stderr
    );

    // A name at PostgreSQL's limit: the staging table never collides with it.
    let long = format!("{}_{}", unique("t"), "x".repeat(50));
    let long: String = long.chars().take(63).collect();
    let _long = Cleanup::table("warehouse", &format!("\"{long}\""));
    for _ in 0..2 {
        run_job(
            &recipe,
            &data,
            &format!("db://warehouse/{long}"),
            &["--quiet"],
        )
        .ok();
    }
    assert_eq!(
        pg_rows(&format!("SELECT count(*) FROM \"{long}\"")),
        vec![vec!["3".to_string()]]
    );
}

#[test]
fn queries_with_comments_and_values_polars_cannot_hold_read_cleanly() {
    let dir = tmpdir();
    write_connections(dir.path(), "");
    let table = unique("odd");
    let _table = Cleanup::table("warehouse", &table);
    pg_exec(&format!(
        "CREATE TABLE {table} (id int, t time, d date, amount numeric(6,2));
         INSERT INTO {table} VALUES (1, '24:00:00', '300000-01-01', 12.50), (2, '12:00:00', '2024-01-01', 3.00);"
    ));
    let ds = write(
        dir.path(),
        "q.yaml",
        &format!(
            "connection: warehouse\nquery: |\n  SELECT * FROM {table} -- every row\ntypes: {{amount: int}}\n"
        ),
    );
    let recipe = identity_recipe(dir.path());
    let out = dir.path().join("o.csv");
    let r = run_job(&recipe, &ds, &path_str(&out), &["--json"]);
    r.ok();
    // 24:00 and year 300000 have no Polars value; 12.50 does not convert to an integer.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,t,d,amount\n1,,,\n2,12:00:00.000000000,2024-01-01,3\n"
    );
    let notes = r.stdout;
    assert!(
        notes.contains("time of 24:00:00") && notes.contains("date beyond year 262142"),
        "{notes}"
    );
}
