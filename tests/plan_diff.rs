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

use support::engine::{plan_tree, CSqlite, Engine, Loom, QueryOutcome};

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
const MIN_IDENTICAL: usize = 880;

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

const JOIN_SETUP: &str = "
    CREATE TABLE j1(a INTEGER PRIMARY KEY, b INT, c INT, d TEXT);
    CREATE INDEX j1b ON j1(b);
    CREATE INDEX j1cd ON j1(c, d);
    CREATE TABLE j2(a INTEGER PRIMARY KEY, b INT, c INT, e INT);
    CREATE INDEX j2b ON j2(b);
    CREATE INDEX j2ce ON j2(c, e);
    CREATE TABLE j3(b INT, c INT, f INT, PRIMARY KEY(b, c)) WITHOUT ROWID;
    CREATE INDEX j3f ON j3(f);
    CREATE TABLE j4(b INT, c INT);
    CREATE INDEX j4b ON j4(b);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<60)
    INSERT INTO j1 SELECT i, CASE WHEN i % 11 = 0 THEN NULL ELSE i % 9 END, i % 7,
        'd' || (i % 5) FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<40)
    INSERT INTO j2 SELECT i * 2, i % 13, CASE WHEN i % 6 = 0 THEN NULL ELSE i % 8 END,
        i % 4 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<30)
    INSERT INTO j3 SELECT i % 10, i, i % 6 FROM n;
";

/// A FROM clause of the join comparison with result columns and WHERE
/// terms that fit its names.
struct JoinShape {
    from: &'static str,
    cols: &'static [&'static str],
    terms: &'static [&'static str],
}

const JOIN_SHAPES: &[JoinShape] = &[
    JoinShape {
        from: "j1, j2",
        cols: &[
            "j1.b",
            "j1.b, j2.b",
            "j1.c, j1.d, j2.a",
            "count(*)",
            "*",
            "j2.*",
            "49",
            "j1.a, j2.e",
        ],
        terms: &[
            "",
            "j1.b = j2.b",
            "j1.c = j2.c AND j2.e > 1",
            "j2.b < 4",
            "NOT 35 IS NOT NULL",
            "j1.d = 'd2'",
            "j2.c IS NULL",
        ],
    },
    JoinShape {
        from: "j1 JOIN j2 ON j2.b = j1.b",
        cols: &[
            "j1.b",
            "j2.a",
            "j1.a, j2.b",
            "j1.d",
            "count(*)",
            "j1.*, j2.c",
            "j2.e",
        ],
        terms: &["", "j1.c > 3", "j2.c = 2", "j1.d LIKE 'd1%'"],
    },
    JoinShape {
        from: "j1 LEFT JOIN j2 ON j2.b = j1.c",
        cols: &[
            "j1.b, j2.b",
            "j2.a",
            "j1.a, j2.b",
            "j1.d, j2.e",
            "count(j2.b)",
            "*",
            "j1.c, j2.c",
        ],
        terms: &[
            "",
            "j2.b IS NULL",
            "j1.b < 3",
            "j2.a IS NOT NULL",
            "coalesce(j2.b, -1) < 2",
        ],
    },
    JoinShape {
        from: "j1 LEFT JOIN j2",
        cols: &["j1.b, j2.b", "j2.a, j1.a", "count(*)", "j1.c, j2.c, j2.e"],
        terms: &["", "j1.a < 5", "j2.b = 3"],
    },
    JoinShape {
        from: "j1 AS x JOIN j1 AS y ON x.b = y.c",
        cols: &["x.b, y.c", "x.a, y.a", "y.d", "count(*)", "x.*", "x.c, y.d"],
        terms: &["", "x.c = 2", "y.d = 'd3'", "x.a > y.a"],
    },
    JoinShape {
        from: "j1 AS x, j1 AS y",
        cols: &["x.b", "x.b, y.b", "x.c, y.d", "count(*)", "y.a"],
        terms: &["", "x.b = y.b", "x.c < y.c AND y.b = 1", "x.a = y.a + 1"],
    },
    JoinShape {
        from: "j1 JOIN j2 USING (b)",
        cols: &["b", "j1.a", "j2.a, b", "*", "j1.c, j2.c", "count(*)"],
        terms: &["", "b > 3", "j2.c = 1", "j1.c IS NOT NULL"],
    },
    JoinShape {
        from: "j1 JOIN j2 USING (c)",
        cols: &["c", "j1.d", "j2.e, c", "*", "j1.b"],
        terms: &["", "c < 3", "j2.e = 2"],
    },
    JoinShape {
        from: "j1 LEFT JOIN j2 USING (b, c)",
        cols: &["b", "j2.a", "c, j2.e", "*", "j1.d"],
        terms: &["", "j2.a IS NULL", "b < 5"],
    },
    JoinShape {
        from: "j1 NATURAL JOIN j3",
        cols: &["b", "c", "f", "*", "j1.a", "count(*)"],
        terms: &["", "f = 2", "b < 4"],
    },
    JoinShape {
        from: "j2 JOIN j3 ON j3.f = j2.e",
        cols: &["j3.b", "j2.b, j3.c", "j3.f", "j2.c, j3.b", "*"],
        terms: &["", "j2.b < 6", "j3.b = 1"],
    },
    JoinShape {
        from: "j1 LEFT JOIN j2 ON j2.b = j1.b + 9",
        cols: &[
            "j1.a, j2.b",
            "j2.a, j2.rowid",
            "count(j2.b)",
            "j1.b, j2.b IS NULL",
            "j2.c, j2.e",
        ],
        terms: &["", "j2.b IS NULL", "j2.a > 10", "j1.b IS NULL"],
    },
    JoinShape {
        from: "j1 LEFT JOIN j4 ON j4.b = j1.b",
        cols: &[
            "j1.a, j4.b",
            "j4.rowid",
            "count(j4.b)",
            "j1.b, j4.b IS NULL",
            "j4.c",
        ],
        terms: &["", "j4.b IS NULL", "j1.b < 2"],
    },
    JoinShape {
        from: "j1 AS x LEFT JOIN j1 AS y ON y.c = x.b + 4",
        cols: &["x.a, y.c", "y.a, y.c, y.d", "count(y.c)", "x.b, y.rowid"],
        terms: &["", "y.c IS NULL", "x.b < 2"],
    },
    JoinShape {
        from: "j1 LEFT JOIN j3 ON j3.f = j1.b",
        cols: &["j1.b, j3.f", "j3.b", "j1.c, j3.c", "count(j3.f)"],
        terms: &["", "j3.f IS NULL", "j1.b > 2"],
    },
    JoinShape {
        from: "j1, j2, j3",
        cols: &["j1.b, j2.b, j3.f", "count(*)", "j3.c", "j1.a, j2.a"],
        terms: &[
            "j1.b = j2.b AND j3.f = j2.c",
            "j1.c = j3.b AND j2.a = j1.a",
            "j2.e = j3.f AND j1.b = 2",
        ],
    },
    JoinShape {
        from: "j1 JOIN j2 ON j2.a = j1.a",
        cols: &[
            "j1.b, (SELECT max(f) FROM j3 WHERE j3.b = j2.c)",
            "j1.c",
            "j2.b, (SELECT count(*) FROM j3 WHERE j3.f = j1.d)",
        ],
        terms: &[
            "",
            "EXISTS (SELECT 1 FROM j3 WHERE j3.b = j2.e)",
            "j1.b IN (SELECT f FROM j3 WHERE j3.c = j1.c)",
            "j2.b NOT IN (SELECT j1.d)",
        ],
    },
    JoinShape {
        from: "j1 LEFT JOIN j2 ON j2.b = j1.b",
        cols: &[
            "j1.b, (SELECT count(*) FROM j3 WHERE j3.f = j2.e)",
            "j2.b",
            "j1.c, (SELECT j2.c)",
        ],
        terms: &[
            "",
            "EXISTS (SELECT 1 FROM j3 WHERE j3.b = j2.c)",
            "j2.a IS NULL",
        ],
    },
    JoinShape {
        from: "j1 CROSS JOIN j2",
        cols: &["j2.b", "j1.c, j2.c", "count(*)", "j2.e, j2.a"],
        terms: &[
            "j1.b IN (SELECT f FROM j3) AND j2.b = j1.c",
            "j1.c = (SELECT max(f) FROM j3) AND j2.c < j1.b",
            "EXISTS (SELECT 1 FROM j3 WHERE j3.f = j1.b) AND j2.e = 1",
        ],
    },
];

/// Covering-index plans over joins: at least this many of the generated
/// plans must be identical to C's.
const JOIN_MIN_IDENTICAL: usize = 240;

/// Loops where C reads a join table through a covering index and loom
/// through no index: at most this many.
const JOIN_MAX_COVER_MISSES: usize = 0;

/// The table loops of a plan reading through no index, by table name.
fn plain_scans(t: &[(usize, String)]) -> Vec<String> {
    t.iter()
        .filter_map(|(_, d)| {
            let name = d.strip_prefix("SCAN ")?.split(' ').next()?;
            (!d.contains(" INDEX") && !d.contains("PRIMARY KEY")).then(|| name.to_string())
        })
        .collect()
}

#[test]
fn join_covering_plans_match_c_sqlite() {
    let (mut loom, mut c) = engines(JOIN_SETUP);
    let mut r = Rng(0x5DEE_CE66_D1CE_4E5B);
    let (mut pass, mut fail, mut identical, mut misses, mut total) = (0, 0, 0, 0, 0);
    let verbose = std::env::var_os("LOOM_PLAN_DIFF").is_some();
    for shape in JOIN_SHAPES {
        for cols in shape.cols {
            for term in shape.terms {
                let w = if term.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {term}")
                };
                let sql = match r.int(4) {
                    0 => format!("SELECT DISTINCT {cols} FROM {}{w}", shape.from),
                    _ => format!("SELECT {cols} FROM {}{w}", shape.from),
                };
                let (lo, co) = (loom.query(&sql), c.query(&sql));
                total += 1;
                if rows_key(&lo) != rows_key(&co) || co.error.is_some() {
                    fail += 1;
                    println!("ROWS DIFFER {sql}\n  loom: {lo:?}\n  C:    {co:?}");
                    continue;
                }
                pass += 1;
                let eqp = format!("EXPLAIN QUERY PLAN {sql}");
                let (Ok(lt), Ok(ct)) = (plan_tree(&loom.query(&eqp)), plan_tree(&c.query(&eqp)))
                else {
                    fail += 1;
                    continue;
                };
                if lt == ct {
                    identical += 1;
                    continue;
                }
                let lscans = plain_scans(&lt);
                let missed = ct.iter().any(|(_, d)| {
                    d.contains("USING COVERING INDEX")
                        && d.split(' ')
                            .nth(1)
                            .is_some_and(|n| lscans.iter().any(|s| s == n))
                });
                misses += usize::from(missed);
                if verbose || missed {
                    println!(
                        "DIFF {sql}\n  loom: {}\n  C:    {}",
                        render(&lt),
                        render(&ct)
                    );
                }
            }
        }
    }
    println!(
        "{total} join queries: {identical} plans identical to C's, {misses} where C reads a \
         table through a covering index and loom scans it (at most {JOIN_MAX_COVER_MISSES})"
    );
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0, "rows differ from C SQLite");
    assert!(misses.saturating_sub(JOIN_MAX_COVER_MISSES) == 0);
    assert!(
        identical >= JOIN_MIN_IDENTICAL,
        "identical plans fell below {JOIN_MIN_IDENTICAL}"
    );
}
