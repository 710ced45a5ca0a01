//! Generated columns across engines: a file loom writes passes C SQLite's
//! `PRAGMA integrity_check` and reads back the same rows in C (VIRTUAL
//! columns computed, STORED ones read from the record), and a file C
//! writes reads back identically in loom, and loom can keep writing it.
//!
//! The oracle is the system SQLite through rusqlite (test-time only).

use loomdb::api::open_readwrite;
use loomdb::record::Value;

const SCHEMA: &str = "
    CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, v AS (upper(b)), s AS (a * 10) STORED,
                   w REAL AS (a + 0.5) VIRTUAL, x, y AS (x || v) STORED);
    CREATE INDEX tv ON t(v);
    CREATE INDEX ts ON t(s, w);
    CREATE UNIQUE INDEX ty ON t(y);
    CREATE TABLE u(p, q AS (p * 2), r);
    CREATE INDEX uq ON u(q + r) WHERE q > 4;";

const ROWS: &str = "
    INSERT INTO t(b, x) VALUES ('alpha', 1), ('beta', 2), ('gamma', 3), ('delta', 4);
    UPDATE t SET b = 'BETA2', x = 20 WHERE a = 2;
    DELETE FROM t WHERE a = 3;
    INSERT INTO u(p, r) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
    UPDATE u SET p = p + 10 WHERE p > 2;
    DELETE FROM u WHERE p = 1;";

const QUERIES: [&str; 6] = [
    "SELECT * FROM t ORDER BY a",
    "SELECT a, v FROM t WHERE v = 'DELTA'",
    "SELECT a, s, w FROM t WHERE s >= 20 ORDER BY s",
    "SELECT * FROM u ORDER BY rowid",
    "SELECT p FROM u WHERE q + r > 0 AND q > 4 ORDER BY p",
    "SELECT y FROM t ORDER BY y",
];

fn render_loom(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => format!("i{i}"),
        Value::Real(r) => format!("r{r}"),
        Value::Text(t) => format!("t{}", String::from_utf8_lossy(t)),
        Value::Blob(b) => format!("b{b:?}"),
    }
}

fn render_c(v: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => "NULL".into(),
        V::Integer(i) => format!("i{i}"),
        V::Real(r) => format!("r{r}"),
        V::Text(t) => format!("t{}", String::from_utf8_lossy(t)),
        V::Blob(b) => format!("b{b:?}"),
    }
}

fn loom_rows(path: &str, sql: &str) -> Vec<String> {
    let db = open_readwrite(path).expect("loom open");
    let rows = db.query_all(sql, &[]).expect(sql);
    rows.iter()
        .map(|r| r.iter().map(render_loom).collect::<Vec<_>>().join("|"))
        .collect()
}

fn c_rows(path: &str, sql: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(path).expect("c open");
    let mut st = db.prepare(sql).expect(sql);
    let n = st.column_count();
    let mut rows = st.query([]).expect("query");
    let mut out = Vec::new();
    while let Some(r) = rows.next().expect("row") {
        let cols: Vec<String> = (0..n)
            .map(|i| render_c(r.get_ref(i).expect("col")))
            .collect();
        out.push(cols.join("|"));
    }
    out
}

fn temp_path(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("loom-gencol-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p.to_string_lossy().into_owned()
}

/// Compares every query on both engines; returns (passed, failed).
fn compare(path: &str) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    for q in QUERIES {
        let (a, b) = (loom_rows(path, q), c_rows(path, q));
        if a == b && !a.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("MISMATCH {q}\n  loom={a:?}\n  c={b:?}");
        }
    }
    let check = c_rows(path, "PRAGMA integrity_check");
    if check == ["tok"] {
        passed += 1;
    } else {
        failed += 1;
        eprintln!("integrity_check: {check:?}");
    }
    (passed, failed)
}

#[test]
fn generated_columns_interoperate_with_c() {
    let (mut passed, mut failed) = (0, 0);
    // loom writes, C checks and reads.
    let p1 = temp_path("loom-written.db");
    {
        let db = open_readwrite(&p1).expect("open");
        db.execute_batch(SCHEMA).expect("schema");
        db.execute_batch(ROWS).expect("rows");
    }
    let (p, f) = compare(&p1);
    passed += p;
    failed += f;
    // C writes, loom reads, then loom writes more and C checks again.
    let p2 = temp_path("c-written.db");
    {
        let c = rusqlite::Connection::open(&p2).expect("c open");
        c.execute_batch(SCHEMA).expect("schema");
        c.execute_batch(ROWS).expect("rows");
    }
    let (p, f) = compare(&p2);
    passed += p;
    failed += f;
    {
        let db = open_readwrite(&p2).expect("open");
        db.execute_batch("INSERT INTO t(b, x) VALUES ('eps', 5); UPDATE u SET r = 'z';")
            .expect("loom writes");
    }
    let (p, f) = compare(&p2);
    passed += p;
    failed += f;
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert_eq!(passed, 3 * (QUERIES.len() + 1));
}
