//! A prepared statement run again and again (bind, step, reset) keeps its
//! b-tree cursors between runs (vm.rs `park_cursors`); these tests change
//! the trees between runs (page splits, deletes down to an empty table,
//! another connection's writes, DROP/CREATE, a shrinking file) and check
//! every run's rows against the oracle, the system SQLite via rusqlite.

use loomdb::api::{open_memory_db, open_readwrite, Database, PreparedStatement, StepResult, Value};

fn rows(st: &mut PreparedStatement) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    while let Ok(StepResult::Row) = st.step() {
        out.push(st.row_values());
    }
    st.reset().expect("reset");
    out
}

fn oracle_rows(st: &mut rusqlite::Statement<'_>, params: &[i64]) -> Vec<Vec<Value>> {
    let n = st.column_count();
    let mut q = st
        .query(rusqlite::params_from_iter(params.iter()))
        .expect("oracle query");
    let mut out = Vec::new();
    while let Some(r) = q.next().expect("oracle row") {
        out.push(
            (0..n)
                .map(|i| match r.get_ref(i).expect("col") {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::Integer(v),
                    rusqlite::types::ValueRef::Real(v) => Value::Real(v),
                    rusqlite::types::ValueRef::Text(t) => Value::Text(t.to_vec()),
                    rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                })
                .collect(),
        );
    }
    out
}

/// Runs `sql` on both engines.
fn both(db: &Database, o: &rusqlite::Connection, sql: &str) {
    db.execute_batch(sql).expect("loom batch");
    o.execute_batch(sql).expect("oracle batch");
}

const QUERIES: [&str; 3] = [
    "SELECT id, v FROM t WHERE id >= ?1 AND id < ?2 ORDER BY id",
    "SELECT k, id FROM t WHERE k BETWEEN ?1 AND ?2 ORDER BY k",
    "SELECT id, v, k FROM t WHERE k >= ?1 AND k < ?2 ORDER BY k DESC, id DESC",
];

#[test]
fn reruns_see_every_change() {
    let db = open_memory_db().expect("open");
    let o = rusqlite::Connection::open_in_memory().expect("oracle");
    both(
        &db,
        &o,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT); CREATE INDEX tk ON t(k);",
    );
    let mut mine: Vec<PreparedStatement> = QUERIES
        .iter()
        .map(|q| db.prepare(q).expect("prepare"))
        .collect();
    let mut theirs: Vec<rusqlite::Statement<'_>> = QUERIES
        .iter()
        .map(|q| o.prepare(q).expect("oracle prepare"))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for round in 0..40i64 {
        match round % 5 {
            // Many rows with growing text: page splits in both trees.
            0 => {
                let width = 1 + round % 30;
                for i in 1..=120i64 {
                    let k = i * 7 % 1000;
                    let sql =
                        format!("INSERT INTO t(k, v) VALUES ({k}, printf('%0{width}d', {i}))");
                    both(&db, &o, &sql);
                }
            }
            1 => both(
                &db,
                &o,
                &format!("DELETE FROM t WHERE id % 5 = {}", round % 7),
            ),
            2 => both(
                &db,
                &o,
                "UPDATE t SET k = k + 1, v = v || 'x' WHERE id % 3 = 0",
            ),
            3 if round > 30 => both(&db, &o, "DELETE FROM t"),
            _ => both(&db, &o, "INSERT INTO t(k, v) VALUES (500, 'mid')"),
        }
        for ((s, t), q) in mine.iter_mut().zip(theirs.iter_mut()).zip(QUERIES) {
            for lo in [0i64, 37, 400, 990] {
                let hi = lo + 60 + round;
                s.bind(1, Value::Integer(lo)).expect("bind");
                s.bind(2, Value::Integer(hi)).expect("bind");
                let mut fresh = db.prepare(q).expect("prepare");
                fresh.bind(1, Value::Integer(lo)).expect("bind");
                fresh.bind(2, Value::Integer(hi)).expect("bind");
                let (got, want) = (rows(s), oracle_rows(t, &[lo, hi]));
                if got == want && rows(&mut fresh) == want {
                    passed += 1;
                } else {
                    if failed < 3 {
                        println!("round {round} [{lo},{hi}) got {got:?}\nwant {want:?}");
                    }
                    failed += 1;
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

#[test]
fn reruns_after_schema_changes_and_other_connections() {
    let dir = std::env::temp_dir().join(format!("loom-stmt-reuse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("t.db");
    let p = path.to_str().expect("utf-8 path");
    let a = open_readwrite(p).expect("open a");
    let b = open_readwrite(p).expect("open b");
    a.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .expect("create");
    let mut st = a
        .prepare("SELECT id, v FROM t WHERE id >= ?1 ORDER BY id")
        .expect("prepare");
    let (mut passed, mut failed) = (0, 0);
    let mut check = |st: &mut PreparedStatement, want: usize| {
        st.bind(1, Value::Integer(0)).expect("bind");
        if rows(st).len() == want {
            passed += 1;
        } else {
            failed += 1;
        }
    };
    check(&mut st, 0);
    // Another connection fills the table (many pages), then empties it.
    b.execute_batch(
        "BEGIN; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<3000) \
         INSERT INTO t SELECT x, printf('%.200c', 'v') FROM c; COMMIT;",
    )
    .expect("fill");
    check(&mut st, 3000);
    b.execute_batch("DELETE FROM t WHERE id > 10; VACUUM;")
        .expect("shrink");
    check(&mut st, 10);
    // The table is dropped and re-created by the other connection: the
    // statement is recompiled and sees the new table.
    b.execute_batch("DROP TABLE t; CREATE TABLE x(a); CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        .expect("recreate");
    check(&mut st, 2);
    check(&mut st, 2);
    drop(st);
    println!("{passed} passed, {failed} failed");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(failed, 0);
}
