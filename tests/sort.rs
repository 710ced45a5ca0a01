//! ORDER BY through the sorter, on loom and C SQLite, results compared.
//!
//! SQLite counterpart: the sorter tests of SQLite's suite (sort*.test,
//! limit*.test), with C SQLite 3.40.1 (through rusqlite) as the oracle.
//!
//! Invariants:
//! 1. The table is large enough (300,000 rows, tens of MiB of records) that
//!    loom's sorter spills runs to a temporary file under its minimum
//!    budget, so the merge path runs; the spill itself is checked by the
//!    sorter's unit tests (`spilled_runs`).
//! 2. Every query's rows are compared in order, so a sort key with ties
//!    also orders by a unique column.
//! 3. ORDER BY … LIMIT/OFFSET runs through the top-n sorter; its results
//!    must equal the full sort's prefix.

mod support;

use support::engine::{CSqlite, Engine, Loom};

const ROWS: usize = 300_000;

/// The statements creating and filling the table: deterministic
/// pseudo-random text, many ties in column g, 1,000 rows per INSERT.
fn setup() -> Vec<String> {
    let mut out = vec!["CREATE TABLE t(x TEXT, g INTEGER, n INTEGER)".to_string()];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rows = Vec::new();
    for n in 0..ROWS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = 8 + (seed % 40) as usize;
        let x: String = (0..len)
            .map(|i| (b'a' + ((seed >> (i % 8 * 8)) as u8 % 26)) as char)
            .collect();
        rows.push(format!("('{x}{n}', {}, {n})", seed % 100));
        if rows.len() == 1000 || n + 1 == ROWS {
            out.push(format!("INSERT INTO t VALUES {}", rows.join(",")));
            rows.clear();
        }
    }
    out
}

#[test]
fn order_by_matches_c_sqlite() {
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    for sql in setup() {
        loom.exec_batch(&sql).expect("loom setup");
        c.exec_batch(&sql).expect("C setup");
    }
    let queries = [
        "SELECT x, n FROM t ORDER BY x",
        "SELECT n, x FROM t ORDER BY x DESC",
        "SELECT g, n FROM t ORDER BY g, n DESC",
        "SELECT x FROM t ORDER BY g DESC, x LIMIT 25",
        "SELECT x, n FROM t ORDER BY x LIMIT 10 OFFSET 5",
        "SELECT g, n FROM t ORDER BY g, n LIMIT 0",
        "SELECT g, n FROM t ORDER BY g DESC, n LIMIT -1 OFFSET 299990",
        "SELECT n FROM t ORDER BY x LIMIT 200000, 3",
        "SELECT DISTINCT g FROM t ORDER BY g DESC LIMIT 7",
    ];
    let (mut pass, mut fail) = (0, 0);
    for q in queries {
        let (lo, co) = (loom.query(q), c.query(q));
        if lo == co && lo.error.is_none() {
            pass += 1;
        } else {
            fail += 1;
            println!(
                "DIFFERENT {q}: loom {} rows {:?}, C {} rows {:?}",
                lo.rows.len(),
                lo.error,
                co.rows.len(),
                co.error
            );
        }
    }
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}
