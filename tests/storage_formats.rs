//! File-format compatibility with C SQLite 3.40.1 (rusqlite, linked to the
//! system libsqlite3, is the oracle): auto-vacuum (FULL and INCREMENTAL)
//! databases with pointer-map pages, UTF-16 text encodings, VACUUM and
//! VACUUM INTO.
//!
//! Invariants:
//! 1. Every database written by loom passes C SQLite's
//!    `PRAGMA integrity_check` and reads back with identical contents.
//! 2. Every database written by C SQLite reads identically on loom and
//!    passes loom's integrity check.
//! 3. Each test uses its own temporary directory.

use std::path::PathBuf;

use loomdb::api::{open_readwrite, Database, Value};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("loom-formats-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A value rendered as text, the same way for both engines.
fn render_loom(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::Text(t) => format!("'{}'", String::from_utf8_lossy(t)),
        Value::Blob(b) => format!("x{}", hex(b)),
    }
}

fn render_c(v: rusqlite::types::ValueRef) -> String {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => "NULL".into(),
        V::Integer(i) => i.to_string(),
        V::Real(r) => format!("{r:?}"),
        V::Text(t) => format!("'{}'", String::from_utf8_lossy(t)),
        V::Blob(b) => format!("x{}", hex(b)),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn loom_rows(db: &Database, sql: &str) -> Vec<String> {
    db.query_all(sql, &[])
        .unwrap_or_else(|e| panic!("loom: {sql}: {e}"))
        .iter()
        .map(|r| r.iter().map(render_loom).collect::<Vec<_>>().join("|"))
        .collect()
}

fn c_rows(path: &str, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut st = c.prepare(sql).unwrap_or_else(|e| panic!("C: {sql}: {e}"));
    let n = st.column_count();
    let mut rows = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(
            (0..n)
                .map(|i| render_c(r.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"),
        );
    }
    out
}

fn c_exec(path: &str, sql: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(sql)
        .unwrap_or_else(|e| panic!("C: {sql}: {e}"));
}

fn c_integrity(path: &str) -> String {
    c_rows(path, "PRAGMA integrity_check")
        .join("\n")
        .trim_matches('\'')
        .to_string()
}

/// A workload with overflow rows, index maintenance, deletes, updates and
/// drops.
const WORKLOAD: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b BLOB)",
    "CREATE INDEX ta ON t(a)",
    "@fill",
    "CREATE TABLE u(x, y)",
    "INSERT INTO u SELECT id, a FROM t WHERE id % 3 = 0",
    "CREATE INDEX uy ON u(y, x)",
    "DELETE FROM t WHERE id % 5 = 0",
    "UPDATE t SET b = zeroblob(5000) WHERE id % 11 = 0",
    "CREATE TABLE v(z)",
    "INSERT INTO v SELECT a FROM t WHERE id < 50",
    "DROP TABLE u",
    "DELETE FROM t WHERE id > 300",
    "CREATE TABLE w(k PRIMARY KEY, v)",
    "INSERT INTO w SELECT a, length(b) FROM t",
    "DROP INDEX ta",
];

/// The 400-row INSERT of the workload (loom has no recursive CTEs).
fn fill_sql() -> String {
    let rows: Vec<String> = (1..=400)
        .map(|i| {
            let big = if i % 7 == 0 { 3000 } else { i % 100 };
            format!(
                "({i}, printf('row %05d %s', {i}, hex(randomblob({}))), zeroblob({big}))",
                i % 40
            )
        })
        .collect();
    format!("INSERT INTO t VALUES {}", rows.join(","))
}

fn sql_of(step: &str) -> String {
    if step == "@fill" {
        fill_sql()
    } else {
        step.to_string()
    }
}

/// Compares the schema and every table's rows on both engines.
fn compare_contents(db: &Database, path: &str) {
    let q = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name";
    assert_eq!(loom_rows(db, q), c_rows(path, q), "{q}");
    let tables = c_rows(
        path,
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    );
    for t in tables {
        let q = format!("SELECT * FROM {} ORDER BY rowid", t.trim_matches('\''));
        assert_eq!(loom_rows(db, &q), c_rows(path, &q), "{q}");
    }
}

fn run_workload_on_loom(path: &str, setup: &str) -> Database {
    let db = open_readwrite(path).unwrap();
    db.execute_batch(setup).unwrap();
    for s in WORKLOAD {
        db.execute_batch(&sql_of(s))
            .unwrap_or_else(|e| panic!("loom: {s}: {e}"));
        assert_eq!(
            loom_rows(&db, "PRAGMA integrity_check"),
            ["'ok'"],
            "after {s}"
        );
    }
    db
}

#[test]
fn auto_vacuum_full_written_by_loom() {
    let d = TempDir::new("avfull");
    let path = d.file("a.db");
    let db = run_workload_on_loom(&path, "PRAGMA page_size=1024; PRAGMA auto_vacuum=FULL");
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["1"]);
    assert_eq!(loom_rows(&db, "PRAGMA freelist_count"), ["0"]);
    assert_eq!(c_integrity(&path), "ok");
    compare_contents(&db, &path);
    assert_eq!(c_rows(&path, "PRAGMA auto_vacuum"), ["1"]);
    assert_eq!(c_rows(&path, "PRAGMA freelist_count"), ["0"]);
    assert_eq!(
        loom_rows(&db, "PRAGMA page_count"),
        c_rows(&path, "PRAGMA page_count")
    );
    // C SQLite continues the database; loom reads the result.
    c_exec(
        &path,
        "DELETE FROM t WHERE id % 2 = 0; CREATE TABLE z(q); INSERT INTO z VALUES(1); DROP TABLE v;",
    );
    assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
    compare_contents(&db, &path);
    assert_eq!(loom_rows(&db, "PRAGMA freelist_count"), ["0"]);
}

#[test]
fn auto_vacuum_incremental_written_by_loom() {
    let d = TempDir::new("avincr");
    let path = d.file("a.db");
    let db = run_workload_on_loom(&path, "PRAGMA page_size=1024; PRAGMA auto_vacuum=2");
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["2"]);
    let free: i64 = loom_rows(&db, "PRAGMA freelist_count")[0].parse().unwrap();
    assert!(free > 10, "free pages {free}");
    assert_eq!(c_integrity(&path), "ok");
    let pages: i64 = loom_rows(&db, "PRAGMA page_count")[0].parse().unwrap();
    db.execute_batch("PRAGMA incremental_vacuum(5)").unwrap();
    assert_eq!(
        loom_rows(&db, "PRAGMA freelist_count"),
        [(free - 5).to_string()]
    );
    let after: i64 = loom_rows(&db, "PRAGMA page_count")[0].parse().unwrap();
    assert!(after <= pages - 5, "{after} vs {pages}");
    assert_eq!(c_integrity(&path), "ok");
    db.execute_batch("PRAGMA incremental_vacuum").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA freelist_count"), ["0"]);
    assert_eq!(c_integrity(&path), "ok");
    compare_contents(&db, &path);
}

#[test]
fn auto_vacuum_databases_written_by_c_sqlite() {
    let d = TempDir::new("avc");
    for mode in ["FULL", "INCREMENTAL"] {
        let path = d.file(&format!("{mode}.db"));
        let mut sql = format!("PRAGMA page_size=1024; PRAGMA auto_vacuum={mode};");
        for s in WORKLOAD {
            sql.push_str(&sql_of(s));
            sql.push(';');
        }
        c_exec(&path, &sql);
        let db = open_readwrite(&path).unwrap();
        assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
        compare_contents(&db, &path);
        assert_eq!(
            loom_rows(&db, "PRAGMA page_count"),
            c_rows(&path, "PRAGMA page_count")
        );
        // loom continues the C database.
        db.execute_batch(
            "DELETE FROM t WHERE id % 3 = 1; CREATE TABLE z(q); \
             INSERT INTO z SELECT zeroblob(2000) FROM t; DROP TABLE v; PRAGMA incremental_vacuum;",
        )
        .unwrap();
        assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
        assert_eq!(c_integrity(&path), "ok");
        compare_contents(&db, &path);
        assert_eq!(loom_rows(&db, "PRAGMA freelist_count"), ["0"]);
    }
}

#[test]
fn auto_vacuum_pragma_rules() {
    let d = TempDir::new("avrules");
    let path = d.file("a.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA auto_vacuum=1").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA page_count"), ["1"]);
    db.execute_batch("PRAGMA auto_vacuum=2").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["2"]);
    db.execute_batch("CREATE TABLE t(x); PRAGMA auto_vacuum=0")
        .unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["2"]);
    db.execute_batch("PRAGMA auto_vacuum=1").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["1"]);
    assert_eq!(c_rows(&path, "PRAGMA auto_vacuum"), ["1"]);
    let d2 = d.file("b.db");
    let db2 = open_readwrite(&d2).unwrap();
    db2.execute_batch("CREATE TABLE t(x); PRAGMA auto_vacuum=1")
        .unwrap();
    assert_eq!(loom_rows(&db2, "PRAGMA auto_vacuum"), ["0"]);
}

#[test]
fn auto_vacuum_survives_statement_and_savepoint_rollbacks() {
    let d = TempDir::new("avsp");
    let path = d.file("a.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch(
        "PRAGMA page_size=1024; PRAGMA auto_vacuum=FULL; \
         CREATE TABLE t(k UNIQUE, v); CREATE TABLE s(x);",
    )
    .unwrap();
    db.execute_batch("BEGIN").unwrap();
    for i in 0..200 {
        db.execute_batch(&format!(
            "INSERT INTO t VALUES({i}, zeroblob({}))",
            (i % 13) * 150
        ))
        .unwrap();
    }
    db.execute_batch("SAVEPOINT a; DELETE FROM t WHERE k % 2 = 0; CREATE TABLE q(z); INSERT INTO q SELECT v FROM t; DROP TABLE s; ROLLBACK TO a; RELEASE a")
        .unwrap();
    // A multi-row insert failing half-way is undone by its statement
    // savepoint.
    let many: Vec<String> = (500..700)
        .map(|i| format!("({i}, zeroblob(900))"))
        .chain(std::iter::once("(5, 1)".to_string()))
        .collect();
    let err = db.execute_batch(&format!("INSERT INTO t VALUES {}", many.join(",")));
    assert!(err.is_err());
    db.execute_batch("DELETE FROM t WHERE k % 3 = 0; COMMIT")
        .unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
    assert_eq!(c_integrity(&path), "ok");
    assert_eq!(loom_rows(&db, "PRAGMA freelist_count"), ["0"]);
    compare_contents(&db, &path);
}

/// Text with ASCII, Latin, CJK and non-BMP characters; BINARY order in
/// UTF-16 differs from UTF-8 for the non-BMP and U+E000.. characters.
const WORDS: &[&str] = &[
    "apple",
    "Apple",
    "zebra",
    "Äpfel",
    "ābc",
    "日本語",
    "\u{E000}private",
    "😀smile",
    "𝄞clef",
    "a😀b",
    "",
    "x\u{FFFD}y",
    "Zed",
    "ÿ",
    "Ā",
];

fn words_insert() -> String {
    let rows: Vec<String> = WORDS
        .iter()
        .enumerate()
        .map(|(i, w)| format!("({i}, '{w}', '{w}')"))
        .collect();
    format!("INSERT INTO w VALUES {}", rows.join(","))
}

const UTF16_QUERIES: &[&str] = &[
    "SELECT id, a, length(a), upper(a), a < 'b' FROM w ORDER BY id",
    "SELECT a FROM w ORDER BY a",
    "SELECT b FROM w ORDER BY b COLLATE NOCASE, id",
    "SELECT a FROM w INDEXED BY wa WHERE a > 'Z' ORDER BY a",
    "SELECT id FROM w WHERE a = '😀smile'",
    "SELECT id FROM w WHERE b = 'APPLE' ORDER BY id",
    "SELECT name, sql FROM sqlite_schema ORDER BY name",
];

#[test]
fn utf16_databases_written_by_c_sqlite() {
    let d = TempDir::new("u16c");
    for enc in ["UTF-16le", "UTF-16be"] {
        let path = d.file(&format!("{enc}.db"));
        c_exec(
            &path,
            &format!(
                "PRAGMA encoding='{enc}'; CREATE TABLE w(id INTEGER PRIMARY KEY, a TEXT, b TEXT COLLATE NOCASE); \
                 CREATE INDEX wa ON w(a); CREATE INDEX wb ON w(b); {};",
                words_insert()
            ),
        );
        let db = open_readwrite(&path).unwrap();
        assert_eq!(loom_rows(&db, "PRAGMA encoding"), [format!("'{enc}'")]);
        assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
        for q in UTF16_QUERIES {
            assert_eq!(loom_rows(&db, q), c_rows(&path, q), "{enc}: {q}");
        }
        // loom writes into the C database.
        db.execute_batch(
            "INSERT INTO w(a, b) SELECT a || '😀', b || 'é' FROM w; DELETE FROM w WHERE id % 4 = 1; \
             UPDATE w SET a = 'ü' || a WHERE id % 3 = 0",
        )
        .unwrap();
        assert_eq!(c_integrity(&path), "ok", "{enc}");
        for q in UTF16_QUERIES {
            assert_eq!(loom_rows(&db, q), c_rows(&path, q), "{enc}: {q}");
        }
    }
}

#[test]
fn utf16_databases_written_by_loom() {
    let d = TempDir::new("u16l");
    for enc in ["UTF-8", "UTF-16le", "UTF-16be"] {
        let path = d.file(&format!("{enc}.db"));
        let db = open_readwrite(&path).unwrap();
        db.execute_batch(&format!(
            "PRAGMA encoding='{enc}'; CREATE TABLE w(id INTEGER PRIMARY KEY, a TEXT, b TEXT COLLATE NOCASE); \
             CREATE INDEX wa ON w(a); CREATE INDEX wb ON w(b); {};",
            words_insert()
        ))
        .unwrap();
        assert_eq!(loom_rows(&db, "PRAGMA encoding"), [format!("'{enc}'")]);
        assert_eq!(c_rows(&path, "PRAGMA encoding"), [format!("'{enc}'")]);
        assert_eq!(c_integrity(&path), "ok", "{enc}");
        for q in UTF16_QUERIES {
            assert_eq!(loom_rows(&db, q), c_rows(&path, q), "{enc}: {q}");
        }
        // An existing database keeps its encoding.
        db.execute_batch("PRAGMA encoding='UTF-8'").unwrap();
        assert_eq!(loom_rows(&db, "PRAGMA encoding"), [format!("'{enc}'")]);
    }
}

fn count(db: &Database, sql: &str) -> i64 {
    loom_rows(db, sql)[0].parse().unwrap()
}

#[test]
fn vacuum_shrinks_and_keeps_contents() {
    let d = TempDir::new("vac");
    let path = d.file("a.db");
    let db = run_workload_on_loom(&path, "PRAGMA page_size=1024");
    db.execute_batch("DELETE FROM t WHERE id % 4 <> 0").unwrap();
    let before = count(&db, "PRAGMA page_count");
    assert!(count(&db, "PRAGMA freelist_count") > 20);
    db.execute_batch("VACUUM").unwrap();
    assert_eq!(count(&db, "PRAGMA freelist_count"), 0);
    let after = count(&db, "PRAGMA page_count");
    assert!(after < before, "{after} < {before}");
    assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
    assert_eq!(c_integrity(&path), "ok");
    compare_contents(&db, &path);
    assert_eq!(
        loom_rows(&db, "PRAGMA page_count"),
        c_rows(&path, "PRAGMA page_count")
    );
    // Still writable afterwards, by both engines.
    db.execute_batch("INSERT INTO v VALUES('after vacuum')")
        .unwrap();
    c_exec(&path, "INSERT INTO v VALUES('from C')");
    compare_contents(&db, &path);
    // Inside a transaction VACUUM is refused.
    db.execute_batch("BEGIN").unwrap();
    let e = db.execute_batch("VACUUM").unwrap_err();
    assert!(
        e.to_string()
            .contains("cannot VACUUM from within a transaction"),
        "{e}"
    );
    db.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn vacuum_switches_auto_vacuum_mode() {
    let d = TempDir::new("vacav");
    let path = d.file("a.db");
    let db = run_workload_on_loom(&path, "PRAGMA page_size=1024");
    db.execute_batch("PRAGMA auto_vacuum=FULL").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["0"]);
    db.execute_batch("VACUUM").unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA auto_vacuum"), ["1"]);
    assert_eq!(c_rows(&path, "PRAGMA auto_vacuum"), ["1"]);
    assert_eq!(c_integrity(&path), "ok");
    db.execute_batch("DELETE FROM t WHERE id < 200; DROP TABLE v")
        .unwrap();
    assert_eq!(count(&db, "PRAGMA freelist_count"), 0);
    assert_eq!(c_integrity(&path), "ok");
    compare_contents(&db, &path);
    db.execute_batch("PRAGMA auto_vacuum=NONE; VACUUM").unwrap();
    assert_eq!(c_rows(&path, "PRAGMA auto_vacuum"), ["0"]);
    assert_eq!(c_integrity(&path), "ok");
    compare_contents(&db, &path);
}

#[test]
fn vacuum_into_file_opened_by_c_sqlite() {
    let d = TempDir::new("vacinto");
    let path = d.file("a.db");
    let out = d.file("copy.db");
    let db = run_workload_on_loom(&path, "PRAGMA page_size=1024; PRAGMA user_version=42");
    db.execute_batch("PRAGMA page_size=4096").unwrap();
    db.execute(&format!("VACUUM INTO '{out}'"), &[]).unwrap();
    assert_eq!(c_integrity(&out), "ok");
    assert_eq!(c_rows(&out, "PRAGMA page_size"), ["4096"]);
    assert_eq!(c_rows(&out, "PRAGMA user_version"), ["42"]);
    assert_eq!(c_rows(&out, "PRAGMA freelist_count"), ["0"]);
    for q in [
        "SELECT * FROM t ORDER BY id",
        "SELECT * FROM w ORDER BY k",
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
    ] {
        assert_eq!(loom_rows(&db, q), c_rows(&out, q), "{q}");
    }
    // The source is unchanged and the target may not be reused.
    assert_eq!(loom_rows(&db, "PRAGMA page_size"), ["1024"]);
    let e = db
        .execute(&format!("VACUUM INTO '{out}'"), &[])
        .unwrap_err();
    assert!(e.to_string().contains("output file already exists"), "{e}");
    // A UTF-16 database keeps its encoding.
    let u = d.file("u.db");
    let u2 = d.file("u2.db");
    c_exec(
        &u,
        &format!(
            "PRAGMA encoding='UTF-16be'; CREATE TABLE w(id INTEGER PRIMARY KEY, a TEXT, b TEXT COLLATE NOCASE); \
             CREATE INDEX wa ON w(a); {};",
            words_insert()
        ),
    );
    let udb = open_readwrite(&u).unwrap();
    udb.execute(&format!("VACUUM INTO '{u2}'"), &[]).unwrap();
    assert_eq!(c_rows(&u2, "PRAGMA encoding"), ["'UTF-16be'"]);
    assert_eq!(c_integrity(&u2), "ok");
    assert_eq!(
        c_rows(&u2, "SELECT a FROM w ORDER BY a"),
        c_rows(&u, "SELECT a FROM w ORDER BY a")
    );
}

#[test]
fn utf16_auto_vacuum_database_from_c_vacuumed_by_loom() {
    let d = TempDir::new("u16av");
    let path = d.file("a.db");
    c_exec(
        &path,
        &format!(
            "PRAGMA page_size=1024; PRAGMA encoding='UTF-16le'; PRAGMA auto_vacuum=INCREMENTAL; \
             CREATE TABLE w(id INTEGER PRIMARY KEY, a TEXT, b TEXT COLLATE NOCASE); \
             CREATE INDEX wa ON w(a); CREATE INDEX wb ON w(b); {}; \
             CREATE TABLE big(x); INSERT INTO big SELECT zeroblob(3000) FROM w; DELETE FROM big WHERE rowid % 2 = 0;",
            words_insert()
        ),
    );
    let db = open_readwrite(&path).unwrap();
    assert_eq!(loom_rows(&db, "PRAGMA integrity_check"), ["'ok'"]);
    assert!(count(&db, "PRAGMA freelist_count") > 0);
    db.execute_batch("INSERT INTO w(a, b) VALUES('𝄞new', 'NEW'); DROP INDEX wa; VACUUM")
        .unwrap();
    assert_eq!(count(&db, "PRAGMA freelist_count"), 0);
    assert_eq!(c_rows(&path, "PRAGMA auto_vacuum"), ["2"]);
    assert_eq!(c_rows(&path, "PRAGMA encoding"), ["'UTF-16le'"]);
    assert_eq!(c_integrity(&path), "ok");
    for q in UTF16_QUERIES.iter().filter(|q| !q.contains("wa")) {
        assert_eq!(loom_rows(&db, q), c_rows(&path, q), "{q}");
    }
}
