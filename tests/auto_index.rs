//! Automatic indexes and CROSS JOIN ordering, on loom and C SQLite: the
//! rows (in their order, since the plans are the same) and the EXPLAIN
//! QUERY PLAN text must be identical.
//!
//! SQLite counterpart: where.c's `constructAutomaticIndex` (an automatic
//! index is keyed in the collation of the join comparison and covers every
//! column the query reads from its table) and `whereLoopAddAll`'s rule that
//! the right operand of a CROSS JOIN stays inside every table to its left.
//!
//! Invariants checked:
//! 1. A join equality whose collation is not the column's own (the other
//!    operand's column collation, an explicit COLLATE) can drive an
//!    automatic index built in that collation, so the join order is C's.
//! 2. Columns read through a covering automatic index read what the table
//!    row holds: REAL affinity, ALTER TABLE ADD COLUMN defaults, the rowid
//!    and its INTEGER PRIMARY KEY alias, NULL rows of a LEFT JOIN.
//! 3. CROSS JOIN keeps its right operand after the tables to its left;
//!    tables joined by commas or JOIN still move freely around it.
//! 4. The right table of a LEFT JOIN is looked up through its ON terms
//!    (rowid, index, IN, range, automatic index, partial when a term
//!    limits the table alone), and still yields its NULL row when the
//!    lookup finds nothing.
//!
//! [`KNOWN_DIFFS`] lists the queries whose plans (and so the order of
//! their unordered rows) still differ; only their rows as multisets are
//! compared.

mod support;

use support::engine::{plan_tree, CSqlite, Engine, Loom};

const SETUP: &str = "
    CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT COLLATE NOCASE, n INT, r REAL);
    INSERT INTO t VALUES(1,'a',1,1),(2,'A',2,2.5),(3,'b',3,NULL),(4,'B',NULL,4),
        (5,'a',5,5),(6,NULL,6,6),(7,'c',7,7),(8,'C',8,8);
    CREATE TABLE u(id INTEGER PRIMARY KEY, k TEXT, w REAL, n INT);
    INSERT INTO u VALUES(1,'a',10,1),(2,'b',20,2),(3,'A',30,3),(4,'c',40,NULL),(5,'z',50,5);
    ALTER TABLE u ADD COLUMN d TEXT DEFAULT 'dflt';
    INSERT INTO u VALUES(6,'B',60,6,'set');
    CREATE TABLE v(x, y);
    INSERT INTO v VALUES(1,'a'),(2,'b'),(3,'A'),(8,'c'),(5,NULL);
    CREATE INDEX vx ON v(x);
    CREATE VIEW uv AS SELECT k AS vk, w AS vw FROM u WHERE id < 6;
";

const QUERIES: &[&str] = &[
    // Invariant 1: the comparison's collation.
    "SELECT k FROM t JOIN u USING(k) ORDER BY k",
    "SELECT t.id, u.id FROM t JOIN u ON t.k = u.k",
    "SELECT t.id, u.id FROM t JOIN u ON u.k = t.k",
    "SELECT t.id, u.id FROM u JOIN t ON u.k = t.k",
    "SELECT t.id, u.id FROM t, u WHERE u.k = t.k COLLATE NOCASE",
    "SELECT t.id, u.id FROM t, u WHERE t.k = u.k COLLATE BINARY",
    "SELECT t.id, u.id FROM t, u WHERE u.k COLLATE RTRIM = t.k",
    "SELECT k, sum(w) FROM t JOIN u USING(k) GROUP BY k",
    "SELECT count(*) FROM t JOIN u ON t.k = u.k AND u.n > 1",
    // Invariant 2: what a covering automatic index returns.
    "SELECT t.id, u.w, typeof(u.w), u.d FROM t JOIN u ON u.k = t.k",
    "SELECT t.id, u.rowid, u.id, u.oid FROM t JOIN u ON u.k = t.k",
    "SELECT t.id, u.w, u.d FROM t LEFT JOIN u ON u.k = t.k",
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.k = t.k WHERE u.w IS NULL",
    "SELECT t.id, u.* FROM t JOIN u ON u.n = t.n",
    "SELECT t.r, u.w FROM t JOIN u ON u.w = t.r",
    "SELECT t.id, (SELECT count(*) FROM u WHERE u.k = t.k) FROM t",
    "SELECT t.id, x FROM t JOIN v ON v.y = t.k",
    // Invariant 4: LEFT JOIN lookups by the ON terms.
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.id = t.n",
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.id = t.n WHERE u.id IS NULL",
    "SELECT t.id, v.x FROM t LEFT JOIN v ON v.x = t.n",
    "SELECT t.id, v.x FROM t LEFT JOIN v ON v.x > t.n AND v.x < t.n + 3",
    "SELECT t.id, v.x FROM t LEFT JOIN v ON v.x IN (1, 3, t.n)",
    "SELECT t.id, v.x FROM t LEFT JOIN v ON v.x = t.n OR v.y = t.k",
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.n = t.n AND u.k > 'a'",
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.n = t.n AND u.w + 0 > 1 AND abs(u.n) > 0",
    "SELECT t.id, u.id, v.x FROM t LEFT JOIN u ON u.id = t.n LEFT JOIN v ON v.x = u.n",
    "SELECT count(*), count(u.id) FROM t LEFT JOIN u ON u.k = t.k COLLATE BINARY",
    "SELECT t.id, u.id FROM t JOIN u ON u.n = t.n AND u.k > 'a'",
    // Invariant 3: CROSS JOIN.
    "SELECT t.id, u.id FROM t CROSS JOIN u ON t.k = u.k",
    "SELECT t.id, u.id FROM u CROSS JOIN t ON t.k = u.k",
    "SELECT v.x, t.id FROM v CROSS JOIN t WHERE t.id = v.x",
    "SELECT v.x, t.id FROM t CROSS JOIN v WHERE t.id = v.x",
    "SELECT u.id, t.id, v.x FROM u CROSS JOIN t ON t.k = u.k, v WHERE v.x = t.id",
    "SELECT u.id, t.id, v.x FROM v, u CROSS JOIN t ON t.k = u.k WHERE v.x = t.id",
    "SELECT u.id, t.id FROM u NATURAL CROSS JOIN t",
    "SELECT u.id, t.id, v.x FROM t CROSS JOIN u CROSS JOIN v ON v.x = u.id",
];

/// Plans loom does not make yet: C flattens a view with a WHERE clause
/// into the join (loom materializes it, then builds its automatic index);
/// C turns a LEFT JOIN whose NULL row the WHERE clause rejects into an
/// inner join; C moves tables joined after a LEFT JOIN ahead of it (loom
/// keeps the FROM order of a query with a LEFT JOIN).
const KNOWN_DIFFS: &[&str] = &[
    "SELECT t.id, vk, vw FROM t JOIN uv ON vk = t.k",
    "SELECT t.id, u.w FROM t LEFT JOIN u ON u.id = t.n WHERE u.w > 20",
    "SELECT t.id, u.id, v.x FROM t LEFT JOIN u ON u.n = t.n JOIN v ON v.x = t.id",
];

#[test]
fn known_plan_differences_keep_the_rows() {
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    loom.exec_batch(SETUP).expect("loom setup");
    c.exec_batch(SETUP).expect("C setup");
    for q in KNOWN_DIFFS {
        let (lo, co) = (loom.query(q), c.query(q));
        assert!(
            lo.error.is_none() && co.error.is_none(),
            "{q}: {lo:?} {co:?}"
        );
        let (mut l, mut r) = (lo.rows.clone(), co.rows.clone());
        let key = |row: &Vec<support::engine::Cell>| format!("{row:?}");
        l.sort_by_key(key);
        r.sort_by_key(key);
        assert_eq!(l, r, "{q}");
        let eqp = format!("EXPLAIN QUERY PLAN {q}");
        let (lp, cp) = (plan_tree(&loom.query(&eqp)), plan_tree(&c.query(&eqp)));
        assert_ne!(lp, cp, "{q} now plans as C does: move it to QUERIES");
    }
}

#[test]
fn auto_index_and_cross_join_match_c_sqlite() {
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    loom.exec_batch(SETUP).expect("loom setup");
    c.exec_batch(SETUP).expect("C setup");
    let (mut pass, mut fail) = (0, 0);
    for q in QUERIES {
        let (lo, co) = (loom.query(q), c.query(q));
        let eqp = format!("EXPLAIN QUERY PLAN {q}");
        let (lp, cp) = (plan_tree(&loom.query(&eqp)), plan_tree(&c.query(&eqp)));
        if lo == co && lo.error.is_none() && lp == cp {
            pass += 1;
        } else {
            fail += 1;
            println!("DIFFERENT {q}:\n  loom {lo:?}\n       {lp:?}\n  C    {co:?}\n       {cp:?}");
        }
    }
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}
