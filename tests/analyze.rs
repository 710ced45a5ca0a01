//! ANALYZE on a file: loom writes `sqlite_stat1`, then C SQLite 3.40.1
//! (rusqlite, the oracle) checks the file and recomputes the statistics.
//!
//! Each case builds the same schema and rows in a loom file, runs ANALYZE
//! with loom, closes it, and then with C SQLite: `PRAGMA integrity_check`
//! must say `ok`, the rows loom wrote must be readable, and C's own ANALYZE
//! of the same file must produce exactly the rows loom wrote.

use loomdb::api::open_readwrite;

const CASES: &[&str] = &[
    "CREATE TABLE t(a, b, c); CREATE INDEX t_ab ON t(a, b); CREATE UNIQUE INDEX t_c ON t(c);
     WITH RECURSIVE g(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM g WHERE v < 500)
     INSERT INTO t SELECT v % 7, CASE WHEN v % 3 = 0 THEN NULL ELSE v % 11 END, v FROM g;",
    "CREATE TABLE w(a, b, c, PRIMARY KEY(b, a)) WITHOUT ROWID; CREATE INDEX w_c ON w(c);
     WITH RECURSIVE g(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM g WHERE v < 300)
     INSERT INTO w SELECT v, v % 5, printf('%.*c', v % 9, 'x') FROM g;",
    "CREATE TABLE p(x, y); CREATE INDEX p_x ON p(x) WHERE x > 10; CREATE TABLE q(z);
     WITH RECURSIVE g(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM g WHERE v < 200)
     INSERT INTO p SELECT v % 20, v FROM g; INSERT INTO q VALUES(1), (2);",
    "CREATE TABLE e(a); CREATE INDEX e_a ON e(a); CREATE TABLE n(x TEXT COLLATE NOCASE UNIQUE);
     INSERT INTO n VALUES('a'), ('B'), ('c');",
];

fn stat_rows(c: &rusqlite::Connection) -> Vec<String> {
    let mut st = c
        .prepare("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY 1, 2")
        .expect("prepare");
    let rows = st
        .query_map([], |r| {
            let idx: Option<String> = r.get(1)?;
            Ok(format!(
                "{}|{}|{}",
                r.get::<_, String>(0)?,
                idx.unwrap_or_default(),
                r.get::<_, String>(2)?
            ))
        })
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

fn run_case(dir: &std::path::Path, i: usize, sql: &str) -> Result<(), String> {
    let path = dir.join(format!("analyze{i}.db"));
    let path_s = path.to_str().unwrap_or_default().to_string();
    {
        let db = open_readwrite(&path_s).map_err(|e| e.to_string())?;
        db.execute_batch(sql).map_err(|e| e.to_string())?;
        db.execute_batch("ANALYZE").map_err(|e| e.to_string())?;
    }
    let c = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("integrity_check: {check}"));
    }
    let ours = stat_rows(&c);
    if ours.is_empty() {
        return Err("loom wrote no stat1 rows".into());
    }
    c.execute_batch("ANALYZE").map_err(|e| e.to_string())?;
    let theirs = stat_rows(&c);
    if ours != theirs {
        return Err(format!("stat1 differs: loom={ours:?} sqlite={theirs:?}"));
    }
    Ok(())
}

#[test]
fn analyze_files_match_sqlite() {
    let dir = std::env::temp_dir().join(format!("loom-analyze-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut passed, mut failed) = (0, 0);
    for (i, sql) in CASES.iter().enumerate() {
        match run_case(&dir, i, sql) {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                eprintln!("case {i}: {e}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}
