//! Sorter record layouts of GROUP BY and ORDER BY, on loom and C SQLite,
//! results compared.
//!
//! SQLite counterpart: select.c's sorter-column sharing (an aggregate
//! query's column that is also a GROUP BY term, a result column that is
//! also an ORDER BY term, is stored once in the sorter record).
//!
//! Invariants:
//! 1. A shared field reads the value of the row the column would have been
//!    read from: a group's first row (or its min()/max() row), the sorted
//!    row; keys that compare equal but differ (NOCASE text, 1 vs 1.0) show
//!    which row was taken.
//! 2. Joins with USING, aliases, ordinals, rowid aliases and COLLATE
//!    wrappers resolve as before.

mod support;

use support::engine::{CSqlite, Engine, Loom};

const SETUP: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT COLLATE NOCASE, n, v TEXT)",
    "INSERT INTO t VALUES(1,'a',1,'x1'),(2,'A',1.0,'x2'),(3,'b',2,'x3'),(4,'B',2.0,'x4'),\
     (5,'a',3,'x5'),(6,NULL,NULL,'x6'),(7,'c',NULL,'x7'),(8,'C',3,'x8')",
    "CREATE TABLE u(id INTEGER PRIMARY KEY, k TEXT, w)",
    "INSERT INTO u VALUES(1,'a',10),(2,'b',20),(3,'A',30),(4,'c',40)",
];

const QUERIES: &[&str] = &[
    "SELECT k, count(*), group_concat(v) FROM t GROUP BY k",
    "SELECT k, n, count(*) FROM t GROUP BY k, n",
    "SELECT n, k, v FROM t GROUP BY n",
    "SELECT k, max(v), n FROM t GROUP BY k",
    "SELECT k, min(n), v, k FROM t GROUP BY k",
    "SELECT k COLLATE BINARY, count(*) FROM t GROUP BY k COLLATE BINARY",
    "SELECT k, sum(n) FROM t GROUP BY 1 ORDER BY 2 DESC, 1",
    "SELECT id, k FROM t GROUP BY id ORDER BY k, id",
    "SELECT t.k, u.k, sum(w) FROM t JOIN u USING(id) GROUP BY t.k",
    "SELECT k, sum(w) FROM t JOIN u USING(k) GROUP BY k",
    "SELECT k, count(*) FROM t LEFT JOIN u USING(k) GROUP BY k",
    "SELECT k AS z, count(*) FROM t GROUP BY z HAVING k > 'a'",
    "SELECT k, (SELECT count(*) FROM u WHERE u.k = t.k) FROM t GROUP BY k",
    "SELECT id, k, v FROM t ORDER BY k, id",
    "SELECT k, id FROM t ORDER BY k COLLATE BINARY DESC, id",
    "SELECT v, n, k FROM t ORDER BY n, k, v",
    "SELECT k, k, id FROM t ORDER BY k, id DESC",
    "SELECT id, k FROM t ORDER BY k, id LIMIT 3",
    "SELECT t.k, u.k FROM t JOIN u USING(id) ORDER BY t.k, u.k",
    "SELECT k FROM t JOIN u USING(k) ORDER BY k",
    "SELECT k AS z, id FROM t ORDER BY z, id",
    "SELECT id, k FROM t ORDER BY 2, 1",
    "SELECT DISTINCT k FROM t ORDER BY k",
    "SELECT \"k\", id FROM t ORDER BY \"k\", id",
];

#[test]
fn shared_sorter_fields_match_c_sqlite() {
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    for sql in SETUP {
        loom.exec_batch(sql).expect("loom setup");
        c.exec_batch(sql).expect("C setup");
    }
    let (mut pass, mut fail) = (0, 0);
    for q in QUERIES {
        let (lo, co) = (loom.query(q), c.query(q));
        if lo == co && lo.error.is_none() {
            pass += 1;
        } else {
            fail += 1;
            println!("DIFFERENT {q}:\n  loom {lo:?}\n  C    {co:?}");
        }
    }
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}
