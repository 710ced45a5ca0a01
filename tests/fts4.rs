//! FTS3/FTS4 interop: loom and C SQLite (rusqlite, the oracle) write and
//! query the same full-text tables.

use loomdb::api::{Database, OpenOptions, Value};

fn open_loom(path: &str) -> Database {
    Database::open(path, OpenOptions::default()).expect("open loom")
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("loom-fts4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p.to_string_lossy().into_owned()
}

fn c_rows(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let mut q = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = q.next().unwrap() {
        let cells: Vec<String> = (0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect();
        out.push(cells.join("|"));
    }
    out
}

#[test]
fn shadow_tables_match_c_bytes() {
    let (a, b) = (tmp("a.db"), tmp("b.db"));
    let script = "CREATE VIRTUAL TABLE t USING fts4(a,b);
        INSERT INTO t VALUES('hello world','foo bar hello');
        INSERT INTO t VALUES('Hello again', NULL);
        INSERT INTO t(docid, a) VALUES(10, 'x y z');
        DELETE FROM t WHERE docid = 1;
        UPDATE t SET b = 'new words' WHERE docid = 2;";
    let l = open_loom(&a);
    l.execute_batch(script).unwrap();
    drop(l);
    let c = rusqlite::Connection::open(&b).unwrap();
    c.execute_batch(script).unwrap();
    let lc = rusqlite::Connection::open(&a).unwrap();
    for q in [
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
        "SELECT level, idx, start_block, leaves_end_block, end_block, hex(root) FROM t_segdir",
        "SELECT docid, hex(size) FROM t_docsize",
        "SELECT id, hex(value) FROM t_stat",
        "SELECT * FROM t_content",
        "SELECT docid, * FROM t WHERE t MATCH 'hello OR words'",
    ] {
        assert_eq!(c_rows(&lc, q), c_rows(&c, q), "{q}");
    }
}
