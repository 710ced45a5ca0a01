//! DDL scripts against C SQLite with the schema edited in place after each
//! CREATE/DROP (and compared with a full reload after every edit).
//!
//! SQLite counterpart: OP_ParseSchema / OP_DropTable (opcode.html): after
//! a CREATE or DROP, SQLite adds or removes just those objects. loom does
//! the same (`conn/schema_load.rs` invariant 6); this file checks that
//! what a connection sees afterwards is what C sees. The oracle is C
//! SQLite 3.40.1 through rusqlite.
//!
//! Invariants:
//! 1. `LOOM_SCHEMA_VERIFY=1` is set before loom runs anything, so every
//!    in-place edit is also compared with a full reload inside loom; a
//!    difference turns into an error of that statement (and a mismatch).
//! 2. Every statement of a script must give the same rows or the same
//!    error message on both engines; after each statement the rows of
//!    `sqlite_schema` (read on the first connection) must be equal too.
//! 3. A step `2: sql` runs on a second connection to the same file.
//! 4. Tests print `N passed, N failed`; the 2,000-table timing is printed,
//!    never asserted.

use std::path::PathBuf;
use std::time::Instant;

use loomdb::api::{open_readwrite, Database, StepResult, ValueRef};

/// One result value, owned.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Rows, or the error message that ended the statement.
type Outcome = (Vec<Vec<Cell>>, Option<String>);

fn verify_on() {
    std::env::set_var("LOOM_SCHEMA_VERIFY", "1");
}

fn loom_query(db: &Database, sql: &str) -> Outcome {
    let mut rows = Vec::new();
    let mut stmt = match db.prepare_tail(sql, 0) {
        Ok((Some(s), _)) => s,
        Ok((None, _)) => return (rows, None),
        Err(e) => return (rows, Some(e.to_string())),
    };
    let n = stmt.column_count();
    loop {
        match stmt.step() {
            Ok(StepResult::Row) => rows.push(
                (0..n)
                    .map(|i| match stmt.column_value(i) {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(v) => Cell::Int(v),
                        ValueRef::Real(v) => Cell::Real(v),
                        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into()),
                        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                    })
                    .collect(),
            ),
            Ok(StepResult::Done) => return (rows, None),
            Err(e) => return (rows, Some(e.to_string())),
        }
    }
}

fn c_query(db: &rusqlite::Connection, sql: &str) -> Outcome {
    use rusqlite::types::ValueRef as V;
    let mut rows = Vec::new();
    let msg = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, m) => m.unwrap_or_else(|| f.to_string()),
        other => other.to_string(),
    };
    let mut stmt = match db.prepare(sql) {
        Ok(s) => s,
        Err(e) => return (rows, Some(msg(e))),
    };
    let n = stmt.column_count();
    let mut q = stmt.raw_query();
    loop {
        match q.next() {
            Ok(Some(r)) => rows.push(
                (0..n)
                    .map(|i| match r.get_ref(i) {
                        Ok(V::Integer(v)) => Cell::Int(v),
                        Ok(V::Real(v)) => Cell::Real(v),
                        Ok(V::Text(t)) => Cell::Text(String::from_utf8_lossy(t).into()),
                        Ok(V::Blob(b)) => Cell::Blob(b.to_vec()),
                        _ => Cell::Null,
                    })
                    .collect(),
            ),
            Ok(None) => return (rows, None),
            Err(e) => return (rows, Some(msg(e))),
        }
    }
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("loom-schinc-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }
    fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const DUMP: &str = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid";

/// The scripts: statements separated by `;;` (invariant 3 for `2:`).
const SCRIPTS: &[&str] = &[
    // CREATE/DROP of every kind, IF [NOT] EXISTS, name clashes.
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c, UNIQUE(c, b))
    ;; CREATE INDEX ti ON t(c DESC, b)
    ;; CREATE UNIQUE INDEX tu ON t(b, c) WHERE c > 0
    ;; CREATE INDEX te ON t(lower(b))
    ;; INSERT INTO t VALUES(1, 'x', 2), (2, 'Y', 3)
    ;; SELECT * FROM t WHERE b = 'x'
    ;; CREATE TABLE IF NOT EXISTS t(z)
    ;; CREATE TABLE t(z)
    ;; CREATE INDEX ti ON t(a)
    ;; CREATE INDEX IF NOT EXISTS ti ON t(a)
    ;; CREATE TABLE ti2(q)
    ;; CREATE VIEW v AS SELECT a, b FROM t WHERE c > 2
    ;; CREATE VIEW v AS SELECT 1
    ;; CREATE VIEW IF NOT EXISTS v AS SELECT 1
    ;; SELECT * FROM v
    ;; CREATE TABLE log(x)
    ;; CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a); END
    ;; CREATE TRIGGER tr2 BEFORE DELETE ON t BEGIN INSERT INTO log VALUES(-old.a); END
    ;; CREATE TRIGGER tv INSTEAD OF INSERT ON v BEGIN INSERT INTO log VALUES(new.b); END
    ;; INSERT INTO t VALUES(3, 'z', 4)
    ;; INSERT INTO v VALUES(9, 'through view')
    ;; DELETE FROM t WHERE a = 1
    ;; SELECT * FROM log
    ;; PRAGMA index_list(t)
    ;; PRAGMA index_info(ti)
    ;; DROP TRIGGER tr
    ;; DROP TRIGGER tr
    ;; DROP TRIGGER IF EXISTS tr
    ;; INSERT INTO t VALUES(4, 'w', 5)
    ;; SELECT * FROM log
    ;; DROP INDEX te
    ;; DROP INDEX te
    ;; DROP INDEX IF EXISTS te
    ;; DROP INDEX sqlite_autoindex_t_1
    ;; DROP VIEW v
    ;; DROP VIEW IF EXISTS v
    ;; SELECT name FROM sqlite_schema WHERE type = 'trigger'
    ;; DROP TABLE t
    ;; SELECT * FROM t
    ;; DROP TABLE IF EXISTS t
    ;; CREATE TABLE t(a, b PRIMARY KEY) WITHOUT ROWID
    ;; CREATE INDEX tb ON t(a)
    ;; INSERT INTO t VALUES(1, 2), (3, 4)
    ;; SELECT * FROM t WHERE a = 3
    ;; DROP TABLE t
    ;; CREATE TABLE t AS SELECT 1 AS x, 'two' AS y
    ;; SELECT * FROM t
    ;; CREATE TABLE seq(i INTEGER PRIMARY KEY AUTOINCREMENT, v)
    ;; INSERT INTO seq(v) VALUES('a')
    ;; SELECT * FROM sqlite_sequence
    ;; DROP TABLE seq
    ;; CREATE TABLE Mixed(A)
    ;; CREATE INDEX MixedIdx ON mixed(a)
    ;; DROP TABLE MIXED
    ;; CREATE TABLE mixed(b)
    ;; SELECT * FROM mixed",
    // Failures at run time leave the schema as it was.
    "CREATE TABLE u(a, b)
    ;; INSERT INTO u VALUES(1, 1), (1, 2)
    ;; CREATE UNIQUE INDEX ua ON u(a)
    ;; SELECT * FROM sqlite_schema
    ;; CREATE INDEX ua ON u(a)
    ;; CREATE UNIQUE INDEX ub ON u(b)
    ;; CREATE TABLE w AS SELECT abs(-9223372036854775807 - 1)
    ;; SELECT * FROM w
    ;; CREATE TABLE w(x CHECK(x > 0))
    ;; INSERT INTO w VALUES(0)
    ;; CREATE VIEW bad AS SELECT * FROM nosuch
    ;; DROP VIEW bad
    ;; CREATE TRIGGER bt AFTER INSERT ON nosuch BEGIN SELECT 1; END
    ;; CREATE INDEX bi ON u(nosuch)
    ;; CREATE TABLE sqlite_x(a)
    ;; DROP TABLE sqlite_sequence",
    // Transactions: ROLLBACK, SAVEPOINT / ROLLBACK TO / RELEASE with DDL.
    "CREATE TABLE a(x)
    ;; BEGIN
    ;; CREATE TABLE b(y)
    ;; CREATE INDEX bi ON b(y)
    ;; INSERT INTO b VALUES(1)
    ;; SELECT * FROM b
    ;; ROLLBACK
    ;; SELECT * FROM b
    ;; BEGIN
    ;; DROP TABLE a
    ;; CREATE TABLE a(z)
    ;; ROLLBACK
    ;; INSERT INTO a(x) VALUES(1)
    ;; SAVEPOINT s1
    ;; CREATE TABLE c(p)
    ;; SAVEPOINT s2
    ;; CREATE INDEX ci ON c(p)
    ;; DROP TABLE a
    ;; ROLLBACK TO s2
    ;; SELECT * FROM a
    ;; CREATE VIEW cv AS SELECT * FROM c
    ;; RELEASE s2
    ;; ROLLBACK TO s1
    ;; SELECT * FROM cv
    ;; CREATE TABLE c(q)
    ;; RELEASE s1
    ;; SELECT * FROM c
    ;; BEGIN
    ;; CREATE TABLE d(r)
    ;; COMMIT
    ;; INSERT INTO d VALUES(5)
    ;; SELECT * FROM d",
    // Temp and attached databases.
    "ATTACH ':memory:' AS aux
    ;; CREATE TEMP TABLE tt(a UNIQUE)
    ;; CREATE INDEX temp.tti ON tt(a)
    ;; CREATE TABLE aux.at(b PRIMARY KEY)
    ;; CREATE INDEX aux.ati ON at(b)
    ;; CREATE TEMP VIEW tv AS SELECT * FROM tt
    ;; CREATE TEMP TABLE tlog(x)
    ;; CREATE TEMP TRIGGER ttr AFTER INSERT ON tt BEGIN INSERT INTO tlog VALUES(new.a); END
    ;; INSERT INTO tt VALUES(7)
    ;; INSERT INTO at VALUES(8)
    ;; SELECT * FROM tlog
    ;; SELECT * FROM at
    ;; SELECT * FROM tv
    ;; SELECT type, name, tbl_name, sql FROM temp.sqlite_schema
    ;; SELECT type, name, tbl_name, rootpage, sql FROM aux.sqlite_schema
    ;; CREATE TABLE tt(shadow)
    ;; SELECT * FROM tt
    ;; DROP TABLE temp.tt
    ;; SELECT * FROM tt
    ;; DROP INDEX aux.ati
    ;; DROP TABLE aux.at
    ;; SELECT type, name FROM temp.sqlite_schema
    ;; SELECT type, name FROM aux.sqlite_schema
    ;; DETACH aux
    ;; CREATE TABLE after_detach(x)
    ;; SELECT name FROM sqlite_schema",
];

/// Two connections to one file: the other one's DDL is seen.
const TWO_CONNS: &str = "CREATE TABLE t(a)
    ;; 2: SELECT * FROM t
    ;; 2: CREATE TABLE u(b)
    ;; 2: CREATE INDEX ui ON u(b)
    ;; INSERT INTO u VALUES(1)
    ;; CREATE TABLE v(c)
    ;; 2: INSERT INTO v VALUES(2)
    ;; 2: DROP TABLE t
    ;; SELECT * FROM t
    ;; CREATE TABLE t(d)
    ;; 2: SELECT * FROM t
    ;; 2: CREATE VIEW tv AS SELECT * FROM t
    ;; CREATE VIEW tv AS SELECT 1
    ;; SELECT * FROM tv
    ;; BEGIN
    ;; CREATE TABLE w(e)
    ;; COMMIT
    ;; 2: SELECT * FROM w
    ;; 2: DROP TABLE w
    ;; CREATE TABLE w(f)
    ;; SELECT name FROM sqlite_schema";

/// Runs `script` on loom connections `l` and C connections `c`;
/// returns (passed, failed).
fn run(
    tag: &str,
    script: &str,
    l: [&Database; 2],
    c: [&rusqlite::Connection; 2],
) -> (usize, usize) {
    let (mut pass, mut fail) = (0, 0);
    for stmt in script.split(";;").map(str::trim).filter(|s| !s.is_empty()) {
        let (i, sql) = match stmt.strip_prefix("2:") {
            Some(rest) => (1, rest.trim()),
            None => (0, stmt),
        };
        for (what, sql, i) in [("", sql, i), (" (schema after)", DUMP, 0)] {
            let (lo, co) = (loom_query(l[i], sql), c_query(c[i], sql));
            if lo == co {
                pass += 1;
            } else {
                fail += 1;
                eprintln!("{tag}: {stmt}{what}\n  loom:   {lo:?}\n  sqlite: {co:?}");
            }
        }
    }
    (pass, fail)
}

#[test]
fn ddl_scripts_match_sqlite() {
    verify_on();
    let (mut pass, mut fail) = (0, 0);
    for (n, s) in SCRIPTS.iter().enumerate() {
        let l = loomdb::api::open_memory_db().expect("loom opens :memory:");
        let c = rusqlite::Connection::open_in_memory().expect("C opens :memory:");
        let (p, f) = run(&format!("script {n}"), s, [&l, &l], [&c, &c]);
        pass += p;
        fail += f;
    }
    eprintln!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "{fail} statements differ from C SQLite");
}

#[test]
fn other_connection_ddl_is_seen() {
    verify_on();
    let dir = Scratch::new("two");
    let (lf, cf) = (dir.file("l.db"), dir.file("c.db"));
    let l = [
        open_readwrite(&lf).expect("loom 1"),
        open_readwrite(&lf).expect("loom 2"),
    ];
    let c = [
        rusqlite::Connection::open(&cf).expect("C 1"),
        rusqlite::Connection::open(&cf).expect("C 2"),
    ];
    let (pass, fail) = run("two connections", TWO_CONNS, [&l[0], &l[1]], [&c[0], &c[1]]);
    eprintln!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "{fail} statements differ from C SQLite");
}

/// A generated script of many small DDL statements and queries, so that
/// in-place edits pile up (every one verified against a reload).
#[test]
fn long_generated_script_matches_sqlite() {
    verify_on();
    let mut script = String::new();
    for i in 0..60 {
        let k = i % 7;
        script.push_str(&format!(
            "CREATE TABLE g{i}(a INTEGER PRIMARY KEY, b UNIQUE, c) ;; CREATE INDEX gi{i} ON g{i}(c) ;; "
        ));
        script.push_str(&format!("INSERT INTO g{i} VALUES({i}, 'b{i}', {k}) ;; "));
        if k == 3 {
            script.push_str(&format!("DROP TABLE g{} ;; ", i - 2));
            script.push_str(&format!("CREATE VIEW gv{i} AS SELECT * FROM g{i} ;; "));
        }
        if k == 5 {
            script.push_str(&format!("DROP INDEX gi{i} ;; CREATE TRIGGER gt{i} AFTER INSERT ON g{i} BEGIN DELETE FROM g{i} WHERE a < 0; END ;; "));
            script.push_str(&format!("SELECT count(*) FROM g{} ;; ", i - 1));
        }
    }
    let l = loomdb::api::open_memory_db().expect("loom opens :memory:");
    let c = rusqlite::Connection::open_in_memory().expect("C opens :memory:");
    let (pass, fail) = run("generated", &script, [&l, &l], [&c, &c]);
    eprintln!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "{fail} statements differ from C SQLite");
}

/// The script: n x (CREATE TABLE + CREATE INDEX + INSERT), timed
/// on both engines. The timing runs in a child process (this test again,
/// with `LOOM_SCHEMA_TIMING_CHILD` set) without LOOM_SCHEMA_VERIFY, which
/// the other tests set for the whole process. Printed, not asserted.
#[test]
fn ddl_script_timing() {
    if std::env::var_os("LOOM_SCHEMA_TIMING_CHILD").is_some() {
        return timing_run();
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = std::process::Command::new(exe)
        .args(["ddl_script_timing", "--exact", "--nocapture"])
        .env("LOOM_SCHEMA_TIMING_CHILD", "1")
        .env_remove("LOOM_SCHEMA_VERIFY")
        .output()
        .expect("child test runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines().filter(|l| l.contains("loom")) {
        println!("{line}");
    }
    assert!(out.status.success(), "timing child failed: {text}");
    eprintln!("1 passed, 0 failed");
}

/// The body of [`ddl_script_timing`], in the child process.
fn timing_run() {
    let default = if cfg!(debug_assertions) { 300 } else { 2000 };
    let n: usize = std::env::var("LOOM_SCHEMA_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    let script: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "CREATE TABLE t{i}(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c); \
                 CREATE INDEX i{i} ON t{i}(c); INSERT INTO t{i} VALUES({i}, 'x{i}', {i});"
            )
        })
        .collect();
    let l = loomdb::api::open_memory_db().expect("loom opens :memory:");
    let t = Instant::now();
    for s in &script {
        l.execute_batch(s).expect("loom runs the script");
    }
    let lt = t.elapsed().as_secs_f64();
    let c = rusqlite::Connection::open_in_memory().expect("C opens :memory:");
    let t = Instant::now();
    for s in &script {
        c.execute_batch(s).expect("C runs the script");
    }
    let ct = t.elapsed().as_secs_f64();
    let count = "SELECT count(*) FROM sqlite_schema";
    assert_eq!(loom_query(&l, count), c_query(&c, count));
    println!("{n} x (CREATE TABLE + CREATE INDEX + INSERT): loom {lt:.2}s, C {ct:.2}s");
}
