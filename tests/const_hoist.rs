//! Constant operands loaded once per execution (codegen's prologue
//! hoisting) and the aggregate row copy, differential against C SQLite
//! 3.40.1 (rusqlite, the system library).
//!
//! Parameters and literals that are operands of comparisons, arithmetic
//! and function calls are loaded in the prologue, so every row of a loop
//! reads the same register. A comparison may convert that register in
//! place (numeric or TEXT affinity); the statements here make the same
//! operand meet many rows, columns of every affinity and values of every
//! storage class, so a conversion leaking from one row into the next
//! would show as a different result. Aggregate queries without GROUP BY
//! mix bare columns with columns read only inside aggregate calls.
//!
//! SQLite counterpart: datatype3.html (comparison affinity), expr.c's
//! constant factoring (`sqlite3ExprCodeRunJustOnce`).
//!
//! Invariants:
//! 1. Both engines run the same statements with the same parameters.
//! 2. Rows compare by storage class and value (REAL by bits); an error
//!    compares by primary result code.
//! 3. The harness prints `N passed, N failed` and fails on any failure.

#[path = "support/oracle.rs"]
mod oracle;

use loomdb::api::{open_memory_db, Value};
use oracle::{run_c, run_loom, same_primary as same};

const SETUP: &str = "CREATE TABLE t(a INTEGER, b REAL, c TEXT, d, e NUMERIC);
INSERT INTO t VALUES(5,5.0,'5',5,5),(7,2.5,'abc','5','7.0'),(NULL,NULL,NULL,NULL,NULL),
 (-3,1e300,' 7','5.0',x'35'),(12,0.5,'12',12.0,'12'),(5,5.5,'5.0',x'3500','5'),
 ('x',0.25,'',1.5,2.5);";

const STATEMENTS: &[&str] = &[
    "SELECT rowid FROM t WHERE a > ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE a = ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE b <= ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE c = ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE c < ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE d = ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE d >= ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE e = ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE a = ?1 OR c = ?1 OR d = ?1 ORDER BY rowid",
    "SELECT rowid FROM t WHERE e BETWEEN ?1 AND ?2 ORDER BY rowid",
    "SELECT rowid FROM t WHERE c BETWEEN ?1 AND ?2 ORDER BY rowid",
    "SELECT rowid FROM t WHERE ?1 BETWEEN a AND c ORDER BY rowid",
    "SELECT rowid, a = ?1, c = ?1, d = ?1, ?1 < d, ?1 = ?1 FROM t ORDER BY rowid",
    "SELECT rowid, a + ?1, ?1 * b, ?1 || c, d - ?2, c LIKE ?1, substr(c, ?2, 2) FROM t \
     ORDER BY rowid",
    "SELECT rowid, typeof(?1), typeof(?1 + 0), coalesce(?1, c), abs(?2) FROM t ORDER BY rowid",
    "SELECT rowid FROM t WHERE a = '5' OR c = 5 OR d > 1.5 OR e = '12' ORDER BY rowid",
    "SELECT rowid, a * 2.5 + 1, c || 'z', c = 5, d = '5' FROM t ORDER BY rowid",
    "SELECT rowid, (SELECT count(*) FROM t t2 WHERE t2.a > t.a AND t2.c <> ?1) FROM t \
     ORDER BY rowid",
    "SELECT count(*), sum(a), max(b), min(c) FROM t WHERE a BETWEEN ?1 AND ?2 AND b > ?1",
    "SELECT max(a), c, d FROM t",
    "SELECT min(b), a + 1, count(*) FROM t WHERE e > ?1",
    "SELECT count(*), a FROM t WHERE d <> ?1",
    "SELECT sum(a), max(c) FROM t HAVING max(c) > ?1",
    "SELECT total(a), avg(b) FROM t WHERE c LIKE ?1",
    "SELECT count(*) FROM t WHERE c GLOB ?2 OR c LIKE ?1",
];

fn params() -> Vec<[Value; 2]> {
    let t = |s: &str| Value::Text(s.as_bytes().to_vec());
    vec![
        [Value::Integer(5), Value::Integer(12)],
        [t("5"), t("7.0")],
        [t("5.0"), t("12")],
        [t(" 7"), t("abc")],
        [t("abc"), t("%5%")],
        [Value::Real(5.0), Value::Real(2.5)],
        [Value::Null, Value::Integer(1)],
        [Value::Blob(b"5".to_vec()), t("5")],
        [t("%"), t("*")],
        [Value::Integer(-3), Value::Real(1e300)],
    ]
}

#[test]
fn hoisted_operands_match_c() {
    let loom = open_memory_db().expect("open loom");
    let c = rusqlite::Connection::open_in_memory().expect("open c");
    loom.execute_batch(SETUP).expect("loom setup");
    c.execute_batch(SETUP).expect("c setup");
    let (mut passed, mut failed) = (0, 0);
    for sql in STATEMENTS {
        for p in params() {
            let n = if sql.contains("?2") {
                2
            } else {
                usize::from(sql.contains("?1"))
            };
            let used = &p[..n];
            let (a, b) = (run_loom(&loom, sql, used), run_c(&c, sql, used));
            if same(&a, &b) {
                passed += 1;
            } else {
                failed += 1;
                eprintln!("MISMATCH {sql} {used:?}\n  loom: {a:?}\n  c:    {b:?}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}
