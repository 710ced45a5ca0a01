//! Query plans of loom against C SQLite over generated queries on indexed
//! tables, and the safety of covering-index reads next to subqueries.
//!
//! SQLite counterpart: the `do_eqp_test` planner checks of SQLite's test
//! suite, with C SQLite 3.40.1 (through rusqlite) as the oracle.
//!
//! Invariants checked:
//! 1. `covering_reads_with_subqueries`: for queries whose subqueries
//!    (scalar, EXISTS, IN, compound, nested, over views, CTEs and
//!    FROM-subqueries) read columns of the outer table, loom's rows equal
//!    C's; a covering index missing such a column would read an
//!    unpositioned table cursor and differ. Plans equal C's except the
//!    listed [`SUBQUERY_PLAN_DIFFS`].
//! 2. `generated_plans_match_c_sqlite`: for generated single-table WHERE
//!    shapes, ORDER BY/GROUP BY/DISTINCT/LIMIT, subqueries and 2-3 table
//!    joins, with and without ANALYZE, rows are equal, and wherever C's
//!    plan reads an index loom's does too, except at most [`MAX_MISSES`];
//!    the count of textually identical plans must stay above
//!    [`MIN_IDENTICAL`]. Differences are tallied by query category.

mod support;

use std::collections::BTreeMap;

use support::engine::{CSqlite, Cell, Engine, Loom, QueryOutcome};

/// The (depth, detail) tree of an EXPLAIN QUERY PLAN result.
fn plan_tree(out: &QueryOutcome) -> Result<Vec<(usize, String)>, String> {
    if let Some(e) = &out.error {
        return Err(e.msg.clone());
    }
    let mut ids: Vec<(i64, usize)> = Vec::new();
    let mut tree = Vec::new();
    for row in &out.rows {
        let [Cell::Int(id), Cell::Int(parent), _, Cell::Text(detail)] = row.as_slice() else {
            return Err(format!("malformed EQP row {row:?}"));
        };
        let depth = match ids.iter().find(|(i, _)| i == parent) {
            Some((_, d)) => d + 1,
            None => 0,
        };
        ids.push((*id, depth));
        tree.push((depth, String::from_utf8_lossy(detail).into_owned()));
    }
    Ok(tree)
}

fn render(tree: &[(usize, String)]) -> String {
    tree.iter()
        .map(|(d, s)| format!("{}{s}", "  ".repeat(*d)))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// True if the plan reads some table through an index or the rowid.
fn uses_index(tree: &[(usize, String)]) -> bool {
    tree.iter().any(|(_, d)| {
        d == "MULTI-INDEX OR"
            || ((d.starts_with("SEARCH ") || d.starts_with("SCAN "))
                && (d.contains(" INDEX") || d.contains("PRIMARY KEY")))
    })
}

/// Rows as a sorted multiset (scan order differs between plans), or the
/// error flag.
fn rows_key(out: &QueryOutcome) -> Result<Vec<String>, ()> {
    if out.error.is_some() {
        return Err(());
    }
    let mut rows: Vec<String> = out.rows.iter().map(|r| format!("{r:?}")).collect();
    rows.sort();
    Ok(rows)
}

/// Both engines on the same schema and data.
fn engines(setup: &str) -> (Loom, CSqlite) {
    let (mut loom, mut c) = (Loom::open(), CSqlite::open());
    loom.exec_batch(setup).expect("loom setup");
    c.exec_batch(setup).expect("C setup");
    (loom, c)
}

const SUBQUERY_SETUP: &str = "
    CREATE TABLE t(a INTEGER PRIMARY KEY, b INT, c INT, d INT, e INT);
    CREATE INDEX tbc ON t(b, c);
    CREATE TABLE u(x INTEGER PRIMARY KEY, y INT, b INT);
    CREATE INDEX uy ON u(y);
    CREATE VIEW v AS SELECT x AS vx, y AS d FROM u;
    CREATE VIEW vs AS SELECT * FROM u;
    CREATE TABLE w(p INT PRIMARY KEY, q INT, r INT) WITHOUT ROWID;
    CREATE INDEX wq ON w(q);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<40)
    INSERT INTO t SELECT i, i % 7, i % 5, 41 - i, (i * 13) % 40 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<30)
    INSERT INTO u SELECT i, i % 9, i % 4 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<30)
    INSERT INTO w SELECT i, i % 6, 31 - i FROM n;
";

/// Queries reading only indexed columns of `t` at the top level while a
/// subquery reads (or, by scope, does not read) other columns of it.
const SUBQUERY_CASES: &[&str] = &[
    "SELECT b, (SELECT y FROM u WHERE u.x = t.d) FROM t",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.y = t.e)",
    "SELECT b FROM t WHERE c IN (SELECT y FROM u WHERE u.x = t.d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE y = d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.b = e)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE b = c)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = t.rowid + 3)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = oid)",
    "SELECT c FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = _rowid_ AND y > 2)",
    "SELECT c FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = a)",
    "SELECT b FROM t WHERE EXISTS (SELECT * FROM u WHERE x = t.d)",
    "SELECT b FROM t WHERE EXISTS (SELECT * FROM u)",
    "SELECT b FROM t WHERE c IN (SELECT * FROM v WHERE 0)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM v WHERE vx = d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM v WHERE vx = e)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM vs WHERE x = t.e)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM vs WHERE x = e)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE EXISTS \
     (SELECT 1 FROM u AS u2 WHERE u2.x = t.d))",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE y IN \
     (SELECT x FROM u AS u2 WHERE u2.y = e))",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE y IN \
     (SELECT x FROM u AS u2 WHERE u2.y = b))",
    "SELECT b FROM t WHERE (SELECT (SELECT t.e + u.y) FROM u WHERE x = 1) > 10",
    "SELECT b FROM t WHERE EXISTS (WITH k(z) AS (SELECT 5) SELECT 1 FROM k WHERE z < t.e)",
    "SELECT b FROM t WHERE EXISTS (WITH k AS (SELECT y AS d FROM u) SELECT 1 FROM k WHERE k.d = d)",
    "SELECT b FROM t WHERE EXISTS (WITH k AS (SELECT y AS yy FROM u) SELECT 1 FROM k WHERE yy = d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM (SELECT y AS d FROM u) WHERE d = c)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM (SELECT y AS yy FROM u) WHERE yy = d)",
    "SELECT b FROM t ORDER BY (SELECT y FROM u WHERE x = t.e), b, c",
    "SELECT b FROM t WHERE (SELECT count(*) FROM u WHERE y < t.d) > 20",
    "SELECT b, count(*) FROM t GROUP BY b HAVING (SELECT max(y) FROM u WHERE x < b) > 3",
    "SELECT b FROM t WHERE c IN (SELECT y FROM u UNION SELECT t.d)",
    "SELECT b FROM t WHERE c IN (SELECT y FROM u EXCEPT SELECT t.e % 5)",
    "SELECT b FROM t WHERE c IN (SELECT row_number() OVER (ORDER BY t.d) FROM u)",
    "SELECT b FROM t AS z WHERE EXISTS (SELECT 1 FROM t WHERE t.a = z.d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM t AS t2 WHERE t2.a = t.d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM t AS t2 WHERE a = d + 1)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u JOIN u AS u2 ON u2.x = t.d)",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u JOIN u AS u2 ON u2.x = u.y WHERE u.x = e)",
    "SELECT b FROM t WHERE c = (SELECT y FROM u WHERE x = t.b + t.c) OR d = 3",
    "SELECT b FROM t WHERE b IN (SELECT y FROM u) AND e > 10",
    "SELECT b FROM t WHERE b IN (SELECT y FROM u WHERE u.b = t.c)",
    "SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = t.d)",
    "SELECT DISTINCT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = t.d)",
    "SELECT b FROM t WHERE (SELECT group_concat(y) FROM u WHERE x < t.e) IS NOT NULL",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = (SELECT t.d))",
    "SELECT b FROM t WHERE EXISTS (VALUES (t.d))",
    "SELECT b FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = t.e LIMIT 1)",
    "SELECT q FROM w WHERE EXISTS (SELECT 1 FROM u WHERE x = w.r)",
    "SELECT q FROM w WHERE EXISTS (SELECT 1 FROM u WHERE x = w.p)",
    "SELECT q FROM w WHERE EXISTS (SELECT 1 FROM u WHERE x = r)",
    "SELECT q FROM w WHERE q IN (SELECT y FROM u WHERE x = p)",
];

/// Cases where loom reads the outer table otherwise than C (its first
/// top-level SCAN/SEARCH row differs; rows are still equal): a DISTINCT
/// query C answers by scanning the index in order (loom de-duplicates
/// with a temp b-tree; sort avoidance for DISTINCT is a planner_cost gap).
const SUBQUERY_PLAN_DIFFS: usize = 1;

/// The first top-level SCAN/SEARCH row of a plan: how the outer table is
/// read (subquery plans below it differ for reasons of their own).
fn outer_loop(t: &Result<Vec<(usize, String)>, String>) -> Option<String> {
    let t = t.as_ref().ok()?;
    let row = t
        .iter()
        .find(|(d, s)| *d == 0 && (s.starts_with("SCAN ") || s.starts_with("SEARCH ")));
    row.map(|r| r.1.clone())
}

#[test]
fn covering_reads_with_subqueries() {
    let (mut loom, mut c) = engines(SUBQUERY_SETUP);
    let (mut pass, mut fail, mut plan_diffs) = (0, 0, 0);
    for q in SUBQUERY_CASES {
        let (lo, co) = (loom.query(q), c.query(q));
        if rows_key(&lo) != rows_key(&co) {
            fail += 1;
            println!("ROWS DIFFER {q}\n  loom: {lo:?}\n  C:    {co:?}");
            continue;
        }
        pass += 1;
        let eqp = format!("EXPLAIN QUERY PLAN {q}");
        let (lt, ct) = (plan_tree(&loom.query(&eqp)), plan_tree(&c.query(&eqp)));
        if outer_loop(&lt) != outer_loop(&ct) {
            plan_diffs += 1;
            let show = |t: &Result<Vec<(usize, String)>, String>| match t {
                Ok(t) => render(t),
                Err(e) => format!("error {e}"),
            };
            println!("PLAN {q}\n  loom: {}\n  C:    {}", show(&lt), show(&ct));
        }
    }
    println!(
        "{} cases: {} plans differ from C's (at most {SUBQUERY_PLAN_DIFFS})",
        SUBQUERY_CASES.len(),
        plan_diffs
    );
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "rows differ from C SQLite");
    assert!(plan_diffs <= SUBQUERY_PLAN_DIFFS);
}

const GEN_SETUP: &str = "
    CREATE TABLE t1(a INTEGER PRIMARY KEY, b INT, c TEXT, d REAL, e INT, f INT,
        g TEXT COLLATE NOCASE, h);
    CREATE INDEX t1b ON t1(b);
    CREATE INDEX t1cd ON t1(c, d);
    CREATE INDEX t1ef ON t1(e DESC, f);
    CREATE INDEX t1g ON t1(g);
    CREATE INDEX t1h ON t1(h);
    CREATE TABLE t2(x INTEGER PRIMARY KEY, y INT, z TEXT, w INT);
    CREATE INDEX t2y ON t2(y);
    CREATE UNIQUE INDEX t2z ON t2(z);
    CREATE TABLE t3(p INT, q INT, r TEXT, PRIMARY KEY(p, q)) WITHOUT ROWID;
    CREATE INDEX t3r ON t3(r);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<300)
    INSERT INTO t1 SELECT i, CASE WHEN i % 17 = 0 THEN NULL ELSE i % 20 END,
        'k' || (i % 30), i * 0.5, i % 50, i % 3,
        CASE i % 3 WHEN 0 THEN 'Ab' WHEN 1 THEN 'aB' ELSE 'x' END || i,
        CASE i % 4 WHEN 0 THEN i WHEN 1 THEN 'h' || i WHEN 2 THEN 'H-' || i ELSE x'6869' END
        FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<100)
    INSERT INTO t2 SELECT i, i % 25, 'z' || i, i % 7 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<80)
    INSERT INTO t3 SELECT i % 20, i, 'k' || (i % 30) FROM n;
";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn int(&mut self, n: usize) -> usize {
        self.below(n)
    }
}

const T1_COLS: &[&str] = &[
    "*", "a", "b", "b, a", "c, d", "e, f", "count(*)", "b, c", "c", "d", "e", "g", "h, a",
];

/// A WHERE term on t1 of a given shape.
fn t1_term(r: &mut Rng, shape: &str) -> String {
    let col = r.pick(&["a", "b", "c", "d", "e", "f"]);
    let val = |r: &mut Rng, col: &str| match col {
        "c" => format!("'k{}'", r.int(30)),
        "d" => format!("{}", r.int(150)),
        _ => format!("{}", r.int(50)),
    };
    match shape {
        "eq" => format!("{col} = {}", val(r, col)),
        "in-list" => format!(
            "{col} IN ({}, {}, {})",
            val(r, col),
            val(r, col),
            val(r, col)
        ),
        "range" => match r.int(3) {
            0 => format!("{col} > {}", val(r, col)),
            1 => format!("{col} BETWEEN {} AND {}", val(r, col), val(r, col)),
            _ => format!("{col} < {} AND {col} >= {}", val(r, col), val(r, col)),
        },
        "or" => {
            let c2 = r.pick(&["a", "b", "c", "e", "f"]);
            format!("{col} = {} OR {c2} = {}", val(r, col), val(r, c2))
        }
        "isnull" => format!(
            "{} {}",
            r.pick(&["b", "c", "e"]),
            r.pick(&["IS NULL", "IS NOT NULL"])
        ),
        "like" => format!(
            "{} {} '{}{}{}'",
            r.pick(&["c", "g", "h"]),
            r.pick(&["LIKE", "GLOB", "NOT LIKE"]),
            r.pick(&["k", "K", "ab", "AB", "x", "h", "H-", "1", "-", " ", ""]),
            r.pick(&["", "1", "2"]),
            r.pick(&["%", "*", "_", "%1", "?"])
        ),
        "multi" => format!(
            "c = 'k{}' AND d {} {}",
            r.int(30),
            r.pick(&["=", ">", "<"]),
            r.int(150)
        ),
        _ => format!(
            "e = {} AND f {} {}",
            r.int(50),
            r.pick(&["=", ">"]),
            r.int(3)
        ),
    }
}

/// One generated query and its category.
fn gen_query(r: &mut Rng) -> (String, String) {
    const WHERE_SHAPES: &[&str] = &[
        "eq", "in-list", "range", "or", "isnull", "like", "multi", "ef",
    ];
    let cat = r.pick(&[
        "where", "where", "where", "where", "order", "group", "distinct", "limit", "subquery",
        "join2", "join3",
    ]);
    let cols = r.pick(T1_COLS);
    let shape = r.pick(WHERE_SHAPES);
    let term = t1_term(r, shape);
    let order = r.pick(&["b", "c, d", "e DESC", "a DESC", "e DESC, f", "d", "c"]);
    let (cat, sql) = match cat {
        "where" => ("where", format!("SELECT {cols} FROM t1 WHERE {term}")),
        "order" => {
            let w = if r.int(2) == 0 { String::new() } else { format!(" WHERE {term}") };
            let cols = if cols == "count(*)" { "b" } else { cols };
            ("order-by", format!("SELECT {cols} FROM t1{w} ORDER BY {order}"))
        }
        "group" => {
            let g = r.pick(&["b", "c", "e", "f", "c, d"]);
            let w = if r.int(2) == 0 { String::new() } else { format!(" WHERE {term}") };
            ("group-by", format!("SELECT {g}, count(*) FROM t1{w} GROUP BY {g}"))
        }
        "distinct" => {
            let d = r.pick(&["b", "c", "c, d", "e", "f", "e, f"]);
            ("distinct", format!("SELECT DISTINCT {d} FROM t1 WHERE {term}"))
        }
        "limit" => {
            let cols = if cols == "count(*)" { "a" } else { cols };
            let n = r.int(10);
            ("limit", format!("SELECT {cols} FROM t1 WHERE {term} ORDER BY {order} LIMIT {n}"))
        }
        "subquery" => (
            "subquery",
            match r.int(4) {
                0 => format!("SELECT {cols} FROM t1 WHERE b IN (SELECT y FROM t2 WHERE w = {})", r.int(7)),
                1 => format!("SELECT {cols} FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.y = t1.e)"),
                2 => format!("SELECT {cols} FROM t1 WHERE {term} AND e = (SELECT max(w) FROM t2 WHERE x = t1.b)"),
                _ => format!("SELECT {cols} FROM t1 WHERE c IN (SELECT r FROM t3 WHERE p = {})", r.int(20)),
            },
        ),
        "join2" => {
            let on = r.pick(&["t1.b = t2.y", "t1.e = t2.x", "t2.z = t1.c", "t1.a = t2.w"]);
            ("join2", format!("SELECT t1.a, t2.x FROM t1 JOIN t2 ON {on} WHERE {term}"))
        }
        _ => {
            let on = r.pick(&["t3.p = t1.b", "t3.r = t1.c", "t3.q = t1.a"]);
            let extra = r.pick(&["", " AND t2.w = 3", " AND t1.e < 10", " AND t3.p = 4"]);
            (
                "join3",
                format!("SELECT t1.a, t2.x, t3.q FROM t1, t2, t3 WHERE t1.b = t2.y AND {on}{extra}"),
            )
        }
    };
    let cat = if cat == "where" {
        format!("where {shape}")
    } else {
        cat.to_string()
    };
    (cat, sql)
}

/// Per-category counts of the generated-plan comparison.
#[derive(Default)]
struct CatTally {
    total: usize,
    identical: usize,
    /// C reads an index, loom none.
    missed: usize,
    /// loom reads an index, C none.
    extra: usize,
}

/// Queries generated per ANALYZE state.
const QUERIES: usize = 700;

/// Why C reads an index where loom reads none, for the known gaps; a miss
/// matching none of these fails the test.
const MISS_REASONS: &[&str] = &[
    "loom sorts for GROUP BY/DISTINCT/ORDER BY; C scans an index in that order, or \
     picks its loop by the cost of sorting fewer rows (IS NOT NULL as a range)",
    "C builds an automatic index for a subquery's single-table loop",
];

/// At most this many generated queries may fall in each [`MISS_REASONS`].
const MAX_MISSES: [usize; 2] = [41, 9];

/// Which [`MISS_REASONS`] entry explains a miss, if any.
fn miss_reason(lt: &[(usize, String)], ct: &[(usize, String)]) -> Option<usize> {
    let has = |t: &[(usize, String)], s: &str| t.iter().any(|(_, d)| d.contains(s));
    if has(lt, "USE TEMP B-TREE FOR ") {
        Some(0)
    } else if has(ct, "AUTOMATIC") && !has(lt, "AUTOMATIC") {
        Some(1)
    } else {
        None
    }
}
/// At least this many generated plans (of 2 x QUERIES) must be identical.
const MIN_IDENTICAL: usize = 730;

#[test]
fn generated_plans_match_c_sqlite() {
    let mut cats: BTreeMap<String, CatTally> = BTreeMap::new();
    let (mut row_fail, mut pass) = (0, 0);
    let (mut reasons, mut unexplained) = ([0usize; 2], 0);
    let verbose = std::env::var_os("LOOM_PLAN_DIFF").is_some();
    for analyze in [false, true] {
        let (mut loom, mut c) = engines(GEN_SETUP);
        if analyze {
            loom.exec_batch("ANALYZE").expect("loom ANALYZE");
            c.exec_batch("ANALYZE").expect("C ANALYZE");
        }
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ u64::from(analyze));
        for _ in 0..QUERIES {
            let (cat, sql) = gen_query(&mut r);
            let (lo, co) = (loom.query(&sql), c.query(&sql));
            if rows_key(&lo) != rows_key(&co) {
                row_fail += 1;
                println!("ROWS DIFFER {sql}");
                continue;
            }
            pass += 1;
            let eqp = format!("EXPLAIN QUERY PLAN {sql}");
            let (Ok(lt), Ok(ct)) = (plan_tree(&loom.query(&eqp)), plan_tree(&c.query(&eqp))) else {
                continue;
            };
            let key = format!("{cat}{}", if analyze { " +stat1" } else { "" });
            let t = cats.entry(key.clone()).or_default();
            t.total += 1;
            if lt == ct {
                t.identical += 1;
                continue;
            }
            let (li, ci) = (uses_index(&lt), uses_index(&ct));
            t.extra += usize::from(li && !ci);
            if ci && !li {
                t.missed += 1;
                match miss_reason(&lt, &ct) {
                    Some(k) => reasons[k] += 1,
                    None => unexplained += 1,
                }
            }
            if verbose || (ci && !li && miss_reason(&lt, &ct).is_none()) {
                println!(
                    "DIFF [{key}] {sql}\n  loom: {}\n  C:    {}",
                    render(&lt),
                    render(&ct)
                );
            }
        }
    }
    let mut sum = CatTally::default();
    println!("category            total  identical  C-index-only  loom-index-only");
    for (k, t) in &cats {
        println!(
            "{k:20} {:5} {:10} {:13} {:16}",
            t.total, t.identical, t.missed, t.extra
        );
        sum.total += t.total;
        sum.identical += t.identical;
        sum.missed += t.missed;
        sum.extra += t.extra;
    }
    println!(
        "{} plans: {} identical, {} where only C reads an index ({unexplained} unexplained), \
         {} where only loom does",
        sum.total, sum.identical, sum.missed, sum.extra
    );
    for ((n, max), why) in reasons.iter().zip(MAX_MISSES).zip(MISS_REASONS) {
        println!("  {n:4} (at most {max:3})  {why}");
    }
    println!("{pass} passed, {} failed", row_fail + unexplained);
    assert_eq!(row_fail, 0, "rows differ from C SQLite");
    assert!(sum.total >= QUERIES, "only {} plans compared", sum.total);
    assert_eq!(unexplained, 0, "loom misses indexes C SQLite uses");
    for ((n, max), why) in reasons.iter().zip(MAX_MISSES).zip(MISS_REASONS) {
        assert!(*n <= max, "{n} misses ({why}), at most {max} expected");
    }
    assert!(
        sum.identical >= MIN_IDENTICAL,
        "identical plans fell below {MIN_IDENTICAL}"
    );
}
