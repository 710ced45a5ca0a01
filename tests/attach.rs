//! ATTACH / DETACH / TEMP: loom against C SQLite, statement by statement.
//!
//! SQLite counterpart: lang_attach.html, lang_detach.html, the TEMP parts of
//! lang_createtable.html / lang_createview.html / lang_createtrigger.html and
//! `PRAGMA database_list`; the oracle is C SQLite 3.40.1 through rusqlite.
//!
//! Invariants:
//! 1. Each script runs on a fresh in-memory database of each engine, with
//!    its own scratch directory per engine; `{dir}` in the SQL is that
//!    directory, and result text is compared with the directory replaced
//!    back by `{dir}`.
//! 2. Every statement must give the same rows (typed values, in order) or
//!    the same error message on both engines.
//! 3. The test prints `N passed, N failed` (statements) and fails on any
//!    mismatch.

mod support;

use std::path::PathBuf;

use support::engine::{CSqlite, Cell, Engine, Loom, QueryOutcome};

/// The scripts: statements separated by `;;` lines are run one by one.
const SCRIPTS: &[&str] = &[
    "ATTACH ':memory:' AS aux ;; CREATE TABLE aux.t(a) ;; CREATE TEMP TABLE tt(b) ;; CREATE TABLE m(c)
    ;; PRAGMA table_list
    ;; PRAGMA aux.table_list
    ;; PRAGMA temp.index_list(tt)
    ;; SELECT * FROM aux.sqlite_schema
    ;; SELECT * FROM temp.sqlite_master
    ;; SELECT * FROM main.sqlite_temp_master
    ;; SELECT * FROM aux.sqlite_temp_master
    ;; CREATE INDEX aux.i ON m(c)
    ;; CREATE INDEX i2 ON tt(b)
    ;; PRAGMA index_list(tt)
    ;; INSERT INTO aux.t VALUES(1) RETURNING *
    ;; SELECT * FROM t, tt, m
    ;; SELECT last_insert_rowid(), changes()
    ;; PRAGMA aux.integrity_check
    ;; PRAGMA aux.page_count
    ;; PRAGMA aux.journal_mode
    ;; PRAGMA temp.schema_version
    ;; CREATE TABLE main.t2 AS SELECT * FROM aux.t
    ;; SELECT * FROM t2",
    // Basic ATTACH of a file, qualified DDL/DML, database_list.
    "PRAGMA database_list
    ;; ATTACH '{dir}/a.db' AS aux
    ;; PRAGMA database_list
    ;; CREATE TABLE aux.t(a, b)
    ;; INSERT INTO aux.t VALUES(1, 'one'), (2, 'two')
    ;; SELECT * FROM aux.t ORDER BY a
    ;; SELECT * FROM t ORDER BY a
    ;; SELECT aux.t.a FROM aux.t WHERE t.b = 'two'
    ;; UPDATE aux.t SET b = upper(b) WHERE a = 1
    ;; DELETE FROM t WHERE a = 2
    ;; SELECT * FROM t
    ;; SELECT name, sql FROM aux.sqlite_master
    ;; SELECT count(*) FROM main.sqlite_master
    ;; SELECT * FROM aux.nosuch
    ;; SELECT * FROM main.t
    ;; DETACH aux
    ;; SELECT * FROM aux.t
    ;; PRAGMA database_list",
    // Errors of ATTACH and DETACH.
    "ATTACH ':memory:' AS aux
    ;; ATTACH ':memory:' AS aux
    ;; ATTACH ':memory:' AS AUX
    ;; ATTACH ':memory:' AS main
    ;; ATTACH ':memory:' AS temp
    ;; DETACH main
    ;; DETACH temp
    ;; DETACH nosuch
    ;; DETACH DATABASE aux
    ;; DETACH aux",
    // Too many attached databases.
    "ATTACH ':memory:' AS d1 ;; ATTACH ':memory:' AS d2 ;; ATTACH ':memory:' AS d3
    ;; ATTACH ':memory:' AS d4 ;; ATTACH ':memory:' AS d5 ;; ATTACH ':memory:' AS d6
    ;; ATTACH ':memory:' AS d7 ;; ATTACH ':memory:' AS d8 ;; ATTACH ':memory:' AS d9
    ;; ATTACH ':memory:' AS d10 ;; ATTACH ':memory:' AS d11
    ;; PRAGMA database_list
    ;; DETACH d3 ;; ATTACH ':memory:' AS d11
    ;; PRAGMA database_list",
    // '' and NULL file names, identifiers as operands, expression operands.
    "ATTACH '' AS x
    ;; ATTACH NULL AS y
    ;; ATTACH ':mem' || 'ory:' AS z
    ;; PRAGMA database_list
    ;; CREATE TABLE x.t(v)
    ;; INSERT INTO x.t VALUES(5)
    ;; SELECT * FROM x.t
    ;; DETACH 'y'
    ;; PRAGMA database_list",
    // The temp database.
    "PRAGMA database_list
    ;; SELECT * FROM sqlite_temp_master
    ;; CREATE TEMP TABLE t1(a PRIMARY KEY, b)
    ;; PRAGMA database_list
    ;; INSERT INTO t1 VALUES(1, 2), (3, 4)
    ;; SELECT * FROM temp.t1
    ;; SELECT * FROM t1 WHERE a = 3
    ;; SELECT type, name, tbl_name, sql FROM sqlite_temp_master ORDER BY name
    ;; SELECT type, name FROM temp.sqlite_master ORDER BY name
    ;; SELECT count(*) FROM sqlite_master
    ;; CREATE TEMPORARY VIEW v1 AS SELECT a FROM t1
    ;; SELECT * FROM v1 ORDER BY 1
    ;; CREATE INDEX i1 ON t1(b)
    ;; SELECT name FROM sqlite_temp_master WHERE type = 'index' ORDER BY name
    ;; CREATE TEMP TRIGGER tr1 AFTER INSERT ON t1 BEGIN INSERT INTO t1 VALUES(new.a + 100, 0); END
    ;; INSERT INTO t1 VALUES(5, 6)
    ;; SELECT * FROM t1 ORDER BY a
    ;; DROP TRIGGER tr1
    ;; DROP VIEW v1
    ;; DROP INDEX temp.i1
    ;; DROP TABLE t1
    ;; SELECT count(*) FROM sqlite_temp_master
    ;; CREATE TEMP TABLE main.x(a)
    ;; CREATE TABLE temp.y(a)
    ;; SELECT name FROM sqlite_temp_schema",
    // Unqualified lookup order: temp, main, attached.
    "CREATE TABLE t(src)
    ;; INSERT INTO t VALUES('main')
    ;; ATTACH ':memory:' AS aux
    ;; CREATE TABLE aux.t(src)
    ;; INSERT INTO aux.t VALUES('aux')
    ;; CREATE TABLE aux.only_aux(src)
    ;; INSERT INTO only_aux VALUES('aux only')
    ;; SELECT * FROM t
    ;; SELECT * FROM only_aux
    ;; CREATE TEMP TABLE t(src)
    ;; INSERT INTO t VALUES('temp')
    ;; SELECT * FROM t
    ;; SELECT * FROM main.t
    ;; SELECT * FROM aux.t
    ;; DROP TABLE t
    ;; SELECT * FROM t
    ;; DROP TABLE t
    ;; SELECT * FROM t",
    // Pragmas on attached and temp schemas.
    "ATTACH ':memory:' AS aux
    ;; CREATE TABLE aux.t(a INTEGER PRIMARY KEY, b TEXT NOT NULL)
    ;; CREATE INDEX aux.ti ON t(b)
    ;; PRAGMA aux.table_info(t)
    ;; PRAGMA table_info(t)
    ;; PRAGMA aux.index_list(t)
    ;; PRAGMA aux.user_version
    ;; PRAGMA aux.user_version = 7
    ;; PRAGMA aux.user_version
    ;; PRAGMA user_version
    ;; PRAGMA temp.user_version
    ;; PRAGMA nosuch.user_version",
    // Transactions over several databases.
    "ATTACH '{dir}/b.db' AS b
    ;; CREATE TABLE main.m(x)
    ;; CREATE TABLE b.n(y)
    ;; BEGIN
    ;; INSERT INTO m VALUES(1)
    ;; INSERT INTO n VALUES(2)
    ;; DETACH b
    ;; COMMIT
    ;; SELECT * FROM m
    ;; SELECT * FROM n
    ;; BEGIN
    ;; INSERT INTO m VALUES(3)
    ;; INSERT INTO b.n VALUES(4)
    ;; ROLLBACK
    ;; SELECT count(*) FROM m
    ;; SELECT count(*) FROM b.n
    ;; DETACH b
    ;; ATTACH '{dir}/b.db' AS b2
    ;; SELECT * FROM b2.n",
    // A file attached twice under two names; CREATE errors.
    "ATTACH '{dir}/c.db' AS c1
    ;; CREATE TABLE c1.t(a)
    ;; INSERT INTO c1.t VALUES(9)
    ;; ATTACH '{dir}/c.db' AS c2
    ;; SELECT * FROM c2.t
    ;; CREATE TABLE nosuch.t(a)
    ;; CREATE TEMP TABLE c1.u(a)
    ;; CREATE TABLE c1.t(a)
    ;; CREATE TABLE IF NOT EXISTS c1.t(a)
    ;; CREATE VIEW c1.v AS SELECT a * 2 AS d FROM t
    ;; SELECT * FROM c1.v
    ;; CREATE TRIGGER c1.tr AFTER DELETE ON t BEGIN SELECT 1; END
    ;; SELECT type, name FROM c1.sqlite_master ORDER BY name
    ;; DROP VIEW c1.v
    ;; DROP TABLE nosuch.t
    ;; DROP TABLE c1.nosuch",
    // Statements over several databases.
    "CREATE TABLE m(a, b)
    ;; INSERT INTO m VALUES(1, 'x'), (2, 'y'), (3, 'z')
    ;; ATTACH '{dir}/d.db' AS aux
    ;; CREATE TABLE aux.n(a, c)
    ;; CREATE INDEX aux.nc ON n(c)
    ;; INSERT INTO aux.n SELECT a, b || b FROM main.m
    ;; SELECT * FROM n ORDER BY a
    ;; SELECT m.a, n.c FROM m JOIN aux.n ON m.a = n.a ORDER BY 1
    ;; SELECT a FROM m WHERE a IN (SELECT a FROM aux.n WHERE c > 'xx') ORDER BY 1
    ;; SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM m)
    ;; UPDATE m SET b = (SELECT c FROM n WHERE n.a = m.a)
    ;; SELECT * FROM m ORDER BY a
    ;; DELETE FROM aux.n WHERE a IN (SELECT a FROM main.m WHERE a > 1)
    ;; SELECT * FROM aux.n
    ;; CREATE TEMP TABLE tt AS SELECT * FROM main.m
    ;; SELECT count(*) FROM tt
    ;; BEGIN
    ;; INSERT INTO m VALUES(4, 'w')
    ;; INSERT INTO n VALUES(4, 'ww')
    ;; INSERT INTO tt VALUES(4, 'w')
    ;; COMMIT
    ;; SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM n), (SELECT count(*) FROM tt)
    ;; SELECT * FROM nosuch.m",
    // Files that cannot be attached.
    "ATTACH '{dir}/nosuchdir/x.db' AS x
    ;; ATTACH '{dir}/notdb.txt' AS x
    ;; PRAGMA database_list
    ;; ATTACH '{dir}' AS x",
    // Files reopened after DETACH keep their data.
    "ATTACH '{dir}/e.db' AS e
    ;; CREATE TABLE e.t(x)
    ;; INSERT INTO e.t VALUES(1)
    ;; DETACH e
    ;; ATTACH '{dir}/e.db' AS e
    ;; SELECT * FROM e.t
    ;; PRAGMA e.table_info(t)
    ;; SELECT name FROM pragma_database_list ORDER BY seq
    ;; INSERT INTO e.t SELECT * FROM (WITH RECURSIVE c(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM c WHERE v < 200) SELECT v FROM c)
    ;; DELETE FROM e.t WHERE x > 5
    ;; VACUUM e
    ;; SELECT count(*) FROM e.t
    ;; VACUUM e INTO '{dir}/e2.db'
    ;; ATTACH '{dir}/e2.db' AS e2
    ;; SELECT count(*), sum(x) FROM e2.t
    ;; VACUUM nosuch
    ;; VACUUM temp",
    // ALTER TABLE on attached and temp tables; views and triggers there.
    "ATTACH ':memory:' AS aux
    ;; CREATE TABLE aux.t(a)
    ;; INSERT INTO aux.t VALUES(1)
    ;; ALTER TABLE aux.t ADD COLUMN b DEFAULT 'bee'
    ;; SELECT * FROM aux.t
    ;; ALTER TABLE aux.t RENAME TO u
    ;; SELECT name FROM aux.sqlite_master
    ;; ALTER TABLE u RENAME COLUMN b TO c
    ;; SELECT c FROM u
    ;; CREATE TEMP TABLE tt(x)
    ;; ALTER TABLE tt ADD COLUMN y
    ;; PRAGMA temp.table_info(tt)
    ;; ALTER TABLE temp.tt RENAME TO tt2
    ;; SELECT name FROM sqlite_temp_master
    ;; CREATE TABLE aux.log(msg)
    ;; CREATE TRIGGER aux.tr AFTER INSERT ON u BEGIN INSERT INTO log VALUES('ins ' || new.a); END
    ;; INSERT INTO u(a) VALUES(7)
    ;; SELECT * FROM aux.log
    ;; CREATE VIEW aux.v AS SELECT a, c FROM u
    ;; SELECT * FROM aux.v ORDER BY a
    ;; SELECT * FROM v ORDER BY a
    ;; DROP TRIGGER aux.tr
    ;; DROP VIEW v
    ;; SELECT type, name FROM aux.sqlite_master ORDER BY name
    ;; INSERT INTO nosuch.t VALUES(1)
    ;; UPDATE nosuch.t SET a = 1
    ;; DELETE FROM nosuch.t",
    // Same-named tables of several databases, each use qualified.
    "CREATE TABLE t(id INTEGER PRIMARY KEY, v)
    ;; INSERT INTO t VALUES(1, 'm1'), (2, 'm2')
    ;; ATTACH '{dir}/f.db' AS aux
    ;; CREATE TABLE aux.t(id INTEGER PRIMARY KEY, v)
    ;; INSERT INTO aux.t SELECT * FROM main.t
    ;; INSERT INTO aux.t SELECT id + 10, v || 'x' FROM main.t
    ;; SELECT * FROM aux.t ORDER BY id
    ;; SELECT a.v, b.v FROM main.t AS a JOIN aux.t AS b ON a.id = b.id ORDER BY 1
    ;; SELECT count(*) FROM main.t, aux.t
    ;; DELETE FROM main.t WHERE id IN (SELECT id - 10 FROM aux.t WHERE id > 11)
    ;; SELECT * FROM t
    ;; UPDATE aux.t SET v = (SELECT v FROM main.t WHERE main.t.id = 1) WHERE id = 11
    ;; SELECT * FROM aux.t WHERE id = 11
    ;; CREATE TEMP TABLE t(id, v)
    ;; INSERT INTO temp.t SELECT * FROM aux.t WHERE id < 10
    ;; SELECT * FROM t ORDER BY id
    ;; SELECT (SELECT count(*) FROM temp.t), (SELECT count(*) FROM main.t), (SELECT count(*) FROM aux.t)",
];

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("loom-attach-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch directory");
        Scratch(p)
    }

    fn text(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The outcome with the scratch directory written back as `{dir}`.
fn normalize(o: QueryOutcome, dir: &str) -> (Vec<Vec<Cell>>, Option<(i32, String)>) {
    let fix = |t: &[u8]| String::from_utf8_lossy(t).replace(dir, "{dir}");
    let rows = o
        .rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| match c {
                    Cell::Text(t) => Cell::Text(fix(&t).into_bytes()),
                    other => other,
                })
                .collect()
        })
        .collect();
    let error = o
        .error
        .map(|e| (e.code & 0xff, e.msg.replace(dir, "{dir}")));
    (rows, error)
}

/// Runs one script; returns (passed, failed).
fn run_script(n: usize, script: &str) -> (usize, usize) {
    let (ld, cd) = (
        Scratch::new(&format!("{n}l")),
        Scratch::new(&format!("{n}c")),
    );
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    for d in [&ld, &cd] {
        let junk = "this is not an SQLite database file; it is long enough to have a header";
        std::fs::write(d.0.join("notdb.txt"), junk).expect("scratch file");
    }
    let (mut pass, mut fail) = (0, 0);
    for stmt in script.split(";;").map(str::trim).filter(|s| !s.is_empty()) {
        let l = normalize(loom.query(&stmt.replace("{dir}", &ld.text())), &ld.text());
        let o = normalize(c.query(&stmt.replace("{dir}", &cd.text())), &cd.text());
        if l == o {
            pass += 1;
        } else {
            fail += 1;
            eprintln!("script {n}: {stmt}\n  loom:   {l:?}\n  sqlite: {o:?}");
        }
    }
    (pass, fail)
}

#[test]
fn attach_detach_temp_match_sqlite() {
    let (mut pass, mut fail) = (0, 0);
    for (n, s) in SCRIPTS.iter().enumerate() {
        let (p, f) = run_script(n, s);
        pass += p;
        fail += f;
    }
    eprintln!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "{fail} statements differ from C SQLite");
}

/// loom alone: transaction states per schema name, BEGIN IMMEDIATE
/// reserving an attached file against a second connection, file names
/// and a rollback spanning two files.
#[test]
fn attached_files_across_connections() {
    use loomdb::api::{open_memory_db, open_readwrite, TxnLevel};
    let dir = Scratch::new("conns");
    let b = format!("{}/b.db", dir.text());
    let db = open_memory_db().expect("open");
    db.execute_batch(&format!("ATTACH '{b}' AS b; CREATE TABLE b.t(x)"))
        .expect("attach");
    assert_eq!(db.db_filename("b").as_deref(), Some(b.as_str()));
    assert_eq!(db.db_filename("nosuch"), None);
    assert_eq!(db.db_readonly("b"), Some(false));
    assert_eq!(db.txn_state(Some("b")), Some(TxnLevel::None));
    db.execute_batch("BEGIN IMMEDIATE").expect("begin");
    assert_eq!(db.txn_state(Some("b")), Some(TxnLevel::Write));
    let other = open_readwrite(&b).expect("second connection");
    let busy = other.execute_batch("INSERT INTO t VALUES(1)");
    assert!(
        busy.is_err(),
        "the attached file is reserved by BEGIN IMMEDIATE"
    );
    db.execute_batch("INSERT INTO b.t VALUES(2); CREATE TABLE m(y); INSERT INTO m VALUES(3)")
        .expect("writes");
    db.execute_batch("ROLLBACK").expect("rollback");
    other
        .execute_batch("INSERT INTO t VALUES(1)")
        .expect("free again");
    let n = db.execute("DELETE FROM b.t", &[]).expect("count");
    assert_eq!(n, 1, "only the other connection's row is there");
    assert!(
        db.execute_batch("SELECT * FROM m").is_err(),
        "m was rolled back"
    );
    eprintln!("1 passed, 0 failed");
}
