//! ORDER BY partly delivered by an index (block sorting), loom against C.
//!
//! SQLite counterpart: the "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"
//! plans of SQLite's planner tests (orderby*.test), with C SQLite 3.40.1
//! (through rusqlite) as the oracle.
//!
//! Over generated tables (NULLs, many ties, a DESC index, a two-column
//! index, a NOCASE column) random queries mix ORDER BY terms (ASC/DESC,
//! COLLATE, NULLS FIRST/LAST), WHERE terms, DISTINCT, LIMIT/OFFSET and
//! joins. Checks per query:
//! 1. Rows: the ORDER BY key values of the result, in order (text under
//!    NOCASE compared case-folded, since ties may come in any order), must
//!    equal C's; without LIMIT the rows as a multiset must equal C's too.
//! 2. Plan (single-table queries): where C sorts only the right part of
//!    the ORDER BY, loom's plan must be textually identical to C's.
//!    Other plans are only counted.

mod support;

use support::engine::{CSqlite, Cell, Engine, Loom};

/// Block-sorted queries inside other statements (subqueries, views,
/// correlated lookups), each ordered totally so rows compare exactly.
const FIXED: &[&str] = &[
    "SELECT x, (SELECT pk FROM t WHERE t.d = u.x ORDER BY a, b, pk LIMIT 1) FROM u ORDER BY x",
    "SELECT x, (SELECT pk FROM t WHERE t.a = u.y ORDER BY a, b DESC, pk) FROM u ORDER BY x",
    "SELECT * FROM (SELECT a, b, pk FROM t ORDER BY a, b, pk LIMIT 20 OFFSET 3)",
    "SELECT * FROM (SELECT a, b, pk FROM t ORDER BY a DESC, b, pk) LIMIT 15",
    "SELECT count(*), sum(pk) FROM (SELECT pk FROM t ORDER BY c, pk DESC LIMIT 100)",
    "SELECT x FROM u WHERE EXISTS (SELECT 1 FROM t WHERE t.d = u.x ORDER BY a, b) ORDER BY x",
    "SELECT x FROM u WHERE y IN (SELECT a FROM t ORDER BY a, b LIMIT 50) ORDER BY x",
    "SELECT group_concat(pk) FROM (SELECT pk FROM t WHERE d < 5 ORDER BY e, pk)",
    "SELECT group_concat(pk) FROM (SELECT pk FROM t ORDER BY b, pk LIMIT 0)",
    "SELECT group_concat(pk) FROM (SELECT pk FROM t ORDER BY b, pk LIMIT -1 OFFSET 290)",
    "SELECT group_concat(pk, ' ') FROM (SELECT pk FROM t ORDER BY c COLLATE NOCASE, pk DESC)",
    "WITH w AS (SELECT pk, a FROM t ORDER BY a, pk DESC LIMIT 30) SELECT group_concat(pk) FROM w",
];

/// Deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// `v`, or NULL one time in eight.
    fn null_or(&mut self, v: String) -> String {
        if self.below(8) == 0 {
            "NULL".into()
        } else {
            v
        }
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

fn setup(rng: &mut Rng) -> Vec<String> {
    let mut out: Vec<String> = [
        "CREATE TABLE t(pk INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT, d INTEGER, \
         e TEXT COLLATE NOCASE)",
        "CREATE INDEX t_a ON t(a)",
        "CREATE INDEX t_b ON t(b DESC)",
        "CREATE INDEX t_cd ON t(c, d)",
        "CREATE INDEX t_e ON t(e)",
        "CREATE TABLE u(x INTEGER PRIMARY KEY, y INTEGER, z TEXT)",
        "CREATE INDEX u_y ON u(y)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for pk in 1..=300 {
        let a = (rng.below(8)).to_string();
        let a = rng.null_or(a);
        let b = format!("{}.5", rng.below(6));
        let b = rng.null_or(b);
        let c = format!("'{}'", rng.pick(&["x", "y", "Y", "z", "Z"]));
        let c = rng.null_or(c);
        let d = rng.below(20).to_string();
        let d = rng.null_or(d);
        let e = format!("'{}'", rng.pick(&["ab", "AB", "Ab", "cd", "CD", "e"]));
        let e = rng.null_or(e);
        out.push(format!("INSERT INTO t VALUES({pk},{a},{b},{c},{d},{e})"));
    }
    for x in 1..=40 {
        let y = rng.below(5).to_string();
        let y = rng.null_or(y);
        let z = format!("'{}'", rng.pick(&["p", "q", "Q", "r"]));
        let z = rng.null_or(z);
        out.push(format!("INSERT INTO u VALUES({x},{y},{z})"));
    }
    out
}

/// One generated query: SQL, how many leading result columns are the
/// ORDER BY keys, which of them compare case-folded, and whether LIMIT
/// makes the row multiset undetermined.
struct Query {
    sql: String,
    n_keys: usize,
    nocase: Vec<bool>,
    limited: bool,
    /// DISTINCT: the result is the keys only (a NOCASE duplicate's
    /// spelling depends on the visiting order).
    distinct: bool,
    /// The first ORDER BY term is DESC.
    first_desc: bool,
    join: bool,
}

fn gen_query(rng: &mut Rng) -> Query {
    let join = rng.below(5) == 0;
    let first = ["a", "b", "c", "e", "a", "c", "d"];
    let rest = ["a", "b", "c", "d", "e", "pk"];
    let n = 2 + rng.below(2);
    let mut cols: Vec<String> = vec![rng.pick(&first).to_string()];
    while cols.len() < n {
        let c = rng.pick(&rest).to_string();
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    if join && rng.below(2) == 0 {
        cols[n - 1] = "u.z".into();
    }
    let mut terms = Vec::new();
    let mut nocase = Vec::new();
    for c in &cols {
        let mut t = if c.contains('.') || !join {
            c.clone()
        } else {
            format!("t.{c}")
        };
        let coll = rng.below(8);
        let folded = match coll {
            0 => {
                t.push_str(" COLLATE NOCASE");
                true
            }
            1 => {
                t.push_str(" COLLATE BINARY");
                false
            }
            _ => c == "e",
        };
        if rng.below(3) == 0 {
            t.push_str(" DESC");
        }
        match rng.below(12) {
            0 => t.push_str(" NULLS FIRST"),
            1 => t.push_str(" NULLS LAST"),
            _ => {}
        }
        terms.push(t);
        nocase.push(folded);
    }
    let q = |c: &str| {
        if join && !c.contains('.') {
            format!("t.{c}")
        } else {
            c.to_string()
        }
    };
    let mut select: Vec<String> = cols.iter().map(|c| q(c)).collect();
    let distinct = rng.below(6) == 0;
    if !distinct {
        select.push(q("pk"));
        select.push(q(rng.pick(&["a", "b", "c", "d", "e"])));
    }
    let where_ = match rng.below(8) {
        0 => " WHERE d < 12".to_string(),
        1 => " WHERE e IS NOT NULL".to_string(),
        2 => " WHERE a > 2".to_string(),
        3 => " WHERE a IN (1, 3, 5)".to_string(),
        4 => " WHERE c >= 'y'".to_string(),
        5 => " WHERE b <> 2.5".to_string(),
        _ => String::new(),
    };
    let from = match join {
        true => match rng.below(2) {
            0 => " FROM t, u WHERE t.d = u.x".to_string(),
            _ => " FROM t JOIN u ON u.y = t.a".to_string(),
        },
        false => format!(" FROM t{where_}"),
    };
    let limited = rng.below(3) == 0;
    let limit = match (limited, rng.below(2)) {
        (false, _) => String::new(),
        (true, 0) => format!(" LIMIT {}", rng.below(40)),
        (true, _) => format!(" LIMIT {} OFFSET {}", rng.below(60), rng.below(50)),
    };
    let sql = format!(
        "SELECT {}{}{from} ORDER BY {}{limit}",
        if distinct { "DISTINCT " } else { "" },
        select.join(", "),
        terms.join(", ")
    );
    Query {
        sql,
        n_keys: n,
        nocase,
        limited,
        distinct,
        first_desc: terms[0].contains(" DESC"),
        join,
    }
}

/// The ORDER BY key values of each row, NOCASE keys case-folded.
fn keys_of(rows: &[Vec<Cell>], q: &Query) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .take(q.n_keys)
                .zip(&q.nocase)
                .map(|(c, &fold)| match (c, fold) {
                    (Cell::Text(t), true) => Cell::Text(t.to_ascii_lowercase()),
                    _ => c.clone(),
                })
                .collect()
        })
        .collect()
}

fn multiset(rows: &[Vec<Cell>]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    v.sort();
    v
}

fn plan(e: &mut dyn Engine, sql: &str) -> String {
    let out = e.query(&format!("EXPLAIN QUERY PLAN {sql}"));
    out.rows
        .iter()
        .filter_map(|r| match r.get(3) {
            Some(Cell::Text(t)) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

#[test]
fn block_sorted_order_by_matches_c_sqlite() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    for s in setup(&mut rng) {
        loom.exec_batch(&s).expect("loom setup");
        c.exec_batch(&s).expect("C setup");
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let (mut right_part, mut identical, mut single) = (0usize, 0usize, 0usize);
    let mut skipped = 0usize;
    for _ in 0..600 {
        let q = gen_query(&mut rng);
        let (lo, co) = (loom.query(&q.sql), c.query(&q.sql));
        let rows_ok = lo.error == co.error
            && keys_of(&lo.rows, &q) == keys_of(&co.rows, &q)
            && (q.limited || q.distinct || multiset(&lo.rows) == multiset(&co.rows));
        if rows_ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("ROWS {}\n  loom {:?}\n  C    {:?}", q.sql, lo, co.rows);
        }
        if q.join {
            continue;
        }
        single += 1;
        let (lp, cp) = (plan(&mut loom, &q.sql), plan(&mut c, &q.sql));
        identical += usize::from(lp == cp);
        // Not asserted: NULLS FIRST/LAST (C lets an index deliver such a
        // term), ranges read backwards, IS NOT NULL ranges, DISTINCT made
        // redundant by a unique column (loom plans none of these yet).
        let skip = q.sql.contains("NULLS")
            || q.sql.contains("IS NOT NULL")
            || (q.distinct && q.sql.contains("pk"))
            || (q.sql.contains("WHERE a ") && q.sql.contains("ORDER BY a") && q.first_desc)
            || (q.sql.contains("WHERE c ") && q.sql.contains("ORDER BY c") && q.first_desc);
        right_part += usize::from(cp.contains("RIGHT PART OF ORDER BY"));
        if cp.contains("RIGHT PART OF ORDER BY") && skip {
            skipped += 1;
        } else if cp.contains("RIGHT PART OF ORDER BY") {
            if lp == cp {
                passed += 1;
            } else {
                failed += 1;
                eprintln!("PLAN {}\n  loom {lp}\n  C    {cp}", q.sql);
            }
        }
    }
    for sql in FIXED {
        let (lo, co) = (loom.query(sql), c.query(sql));
        if lo.error == co.error && lo.rows == co.rows && !co.rows.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FIXED {sql}\n  loom {lo:?}\n  C    {:?}", co.rows);
        }
    }
    println!(
        "{single} single-table plans: {identical} identical to C's, \
         {right_part} where C sorts the right part of ORDER BY ({skipped} of them \
         in shapes loom does not plan alike yet)"
    );
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(right_part > 50, "too few block-sorted plans generated");
}
