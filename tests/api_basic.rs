//! The safe Rust API (L7) end to end: SQL in, rows out, errors as SQLite's.
//!
//! Files written here are checked with the system `sqlite3` shell (the
//! oracle), and files the shell writes are read back through loom.

use std::process::Command;

use loomdb::api::{
    open_memory_db, open_readwrite, ConnectionMode, Database, DbError, OpenOptions, Value,
};
use loomdb::rc::ResultCode;

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("loom-api-{}-{}", std::process::id(), name));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("t.db")
}

fn shell(db: &std::path::Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 shell");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn create_insert_select() {
    let db = open_memory_db().unwrap();
    db.execute_batch("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL)")
        .unwrap();
    db.execute(
        "INSERT INTO t VALUES (?, ?, ?)",
        &[Value::Integer(1), text("x"), Value::Real(1.5)],
    )
    .unwrap();
    db.execute("INSERT INTO t(b, c) VALUES ('y', 2)", &[])
        .unwrap();
    assert_eq!(db.last_insert_rowid(), 2);
    let rows = db
        .query_all("SELECT a, b, c FROM t ORDER BY a DESC", &[])
        .unwrap();
    assert_eq!(
        rows,
        vec![
            vec![Value::Integer(2), text("y"), Value::Real(2.0)],
            vec![Value::Integer(1), text("x"), Value::Real(1.5)],
        ]
    );
}

#[test]
fn update_delete_and_changes() {
    let db = open_memory_db().unwrap();
    db.execute_batch("CREATE TABLE t(a, b); BEGIN;").unwrap();
    for i in 0..1000 {
        db.execute(
            "INSERT INTO t VALUES (?, ?)",
            &[Value::Integer(i), Value::Integer(i % 10)],
        )
        .unwrap();
    }
    db.commit().unwrap();
    assert_eq!(
        db.execute("UPDATE t SET a = a + 1 WHERE b = 3", &[])
            .unwrap(),
        100
    );
    assert_eq!(db.execute("DELETE FROM t WHERE b < 5", &[]).unwrap(), 500);
    let row = db
        .query_first_row("SELECT count(*), sum(a) FROM t", &[])
        .unwrap()
        .unwrap();
    assert_eq!(row[0], Value::Integer(500));
}

#[test]
fn errors_match_sqlite() {
    let db = open_memory_db().unwrap();
    let e = db.prepare("SELEC 1").unwrap_err();
    assert_eq!(e.to_string(), "near \"SELEC\": syntax error");
    assert_eq!(e.code(), ResultCode::ERROR);
    let e = db.prepare("SELECT * FROM nope").unwrap_err();
    assert_eq!(e.to_string(), "no such table: nope");
    db.execute_batch("CREATE TABLE t(a UNIQUE)").unwrap();
    db.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    let e = db.execute("INSERT INTO t VALUES (1)", &[]).unwrap_err();
    assert_eq!(e.code(), ResultCode::CONSTRAINT_UNIQUE);
    assert_eq!(e.to_string(), "UNIQUE constraint failed: t.a");
    assert!(matches!(e, DbError::Constraint { .. }));
}

#[test]
fn connection_modes_refuse_before_running() {
    let path = temp_path("modes");
    let p = path.to_str().unwrap();
    open_readwrite(p)
        .unwrap()
        .execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES (1);")
        .unwrap();
    let ro = Database::open(
        p,
        OpenOptions {
            mode: ConnectionMode::Read,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        ro.query_all("SELECT a FROM t", &[]).unwrap(),
        vec![vec![Value::Integer(1)]]
    );
    assert_eq!(
        ro.prepare("INSERT INTO t VALUES (2)").unwrap_err().code(),
        ResultCode::READONLY
    );
    let w = Database::open(
        p,
        OpenOptions {
            mode: ConnectionMode::Write,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    w.execute("INSERT INTO t VALUES (2)", &[]).unwrap();
    assert_eq!(
        w.prepare("DROP TABLE t").unwrap_err().code(),
        ResultCode::AUTH
    );
    assert_eq!(
        w.query_first_row("SELECT count(*) FROM t", &[]).unwrap(),
        Some(vec![Value::Integer(2)])
    );
}

#[test]
fn files_interoperate_with_sqlite() {
    let path = temp_path("interop");
    let p = path.to_str().unwrap();
    let db = open_readwrite(p).unwrap();
    db.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, v); BEGIN;")
        .unwrap();
    for i in 0..20_000 {
        db.execute(
            "INSERT INTO t(name, v) VALUES (?, ?)",
            &[text(&format!("n{i}")), Value::Integer(i * 3)],
        )
        .unwrap();
    }
    db.commit().unwrap();
    db.execute("DELETE FROM t WHERE id % 3 = 0", &[]).unwrap();
    let ours = db
        .query_first_row("SELECT count(*), sum(v) FROM t", &[])
        .unwrap()
        .unwrap();
    drop(db);
    assert_eq!(ours[0], Value::Integer(13334));
    assert_eq!(shell(&path, "PRAGMA integrity_check;").trim(), "ok");
    let (Value::Integer(n), Value::Integer(sum)) = (&ours[0], &ours[1]) else {
        panic!("types")
    };
    assert_eq!(
        shell(&path, "SELECT count(*), sum(v) FROM t;").trim(),
        format!("{n}|{sum}")
    );
    shell(&path, "INSERT INTO t(name, v) VALUES ('from-sqlite', 7); CREATE TABLE s(x); INSERT INTO s VALUES ('hi');");
    let db = open_readwrite(p).unwrap();
    let row = db
        .query_first_row("SELECT v FROM t WHERE name = 'from-sqlite'", &[])
        .unwrap();
    assert_eq!(row, Some(vec![Value::Integer(7)]));
    assert_eq!(
        db.query_all("SELECT x FROM s", &[]).unwrap(),
        vec![vec![text("hi")]]
    );
}

/// `sqlite3_error_offset` after a name-resolution error points at the
/// expression, as C SQLite 3.40.1's does (offsets checked with its shell);
/// errors C reports without an offset have none.
#[test]
fn error_offsets_of_resolution_errors() {
    let db = open_memory_db().expect("open");
    db.execute_batch("CREATE TABLE t1(x, y); CREATE TABLE t2(x)")
        .expect("schema");
    let cases: &[(&str, Option<usize>)] = &[
        ("SELECT nosuch FROM t1", Some(7)),
        ("SELECT 1, t3.x FROM t1", Some(10)),
        ("SELECT x FROM t1, t2", Some(7)),
        ("SELECT y, count(x, y) FROM t1", Some(10)),
        ("SELECT x FROM t1 WHERE sum(x)", Some(23)),
        ("SELECT rank() FROM t1", Some(7)),
        ("SELECT nosuchf(1)", Some(7)),
        ("SELECT * FROM nosuch", None),
        ("SELECT group_concat(DISTINCT x, ':') FROM t1", None),
    ];
    for (sql, want) in cases {
        assert!(db.prepare(sql).is_err(), "{sql} should fail");
        assert_eq!(db.error_offset(), *want, "{sql}");
    }
}
