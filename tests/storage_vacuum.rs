//! Plain VACUUM that changes the page size (`PRAGMA page_size=N; VACUUM`)
//! or the auto-vacuum mode (`PRAGMA auto_vacuum=FULL; VACUUM`), checked
//! against C SQLite (python3's sqlite3 module, the oracle): C runs the same
//! statements on its own copy, then reads loom's file — integrity_check
//! ok, same page size and auto_vacuum as C's, same contents. A power cut
//! (MockVfs, torn unsynced writes) at every 8th I/O call of such a VACUUM
//! and at each of its last 60 leaves either the old or the new file, both
//! intact. In WAL mode the page size stays, as in C.

#[path = "support/storage.rs"]
mod storage;

use std::sync::Arc;

use loomdb::api::{open_readwrite, Database, DbError, OpenOptions, Value};
use loomdb::vfs::{register_vfs, unregister_vfs, MockFault, MockVfs};
use storage::{dump, fnv, integrity, python, summary, tools_present, TempDir};

const SETUP: &str = "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT UNIQUE, b BLOB); \
    CREATE INDEX t_b ON t(b); \
    INSERT INTO t SELECT i, 'row' || i, zeroblob(i % 700) || x'01' FROM \
    (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 600) SELECT i FROM c); \
    DELETE FROM t WHERE id % 3 = 0;";

const SUM: &str = "SELECT count(*), sum(length(b)), sum(length(a)), max(id) FROM t";

fn int(db: &Database, sql: &str) -> i64 {
    match db.query_all(sql, &[]).unwrap()[0][0] {
        Value::Integer(i) => i,
        ref v => panic!("{sql}: {v:?}"),
    }
}

fn sum_line(db: &Database) -> String {
    let r = db.query_all(SUM, &[]).unwrap();
    r[0].iter()
        .map(|v| match v {
            Value::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `pre; VACUUM` in C on a fresh database built with SETUP; returns
/// "page_size auto_vacuum".
fn c_settings(dir: &TempDir, journal: &str, pre: &str) -> String {
    let path = dir.file("c.db");
    let script = format!(
        "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1], isolation_level=None)\n\
         c.execute('PRAGMA journal_mode={journal}')\nc.executescript(\"{SETUP}\")\n\
         c.executescript('{pre} VACUUM;')\n\
         print(c.execute('PRAGMA page_size').fetchone()[0], \
         c.execute('PRAGMA auto_vacuum').fetchone()[0])"
    );
    let (ok, out, err) = python(&script, &[&path]);
    assert!(ok, "{err}");
    out.trim().to_string()
}

/// C's view of loom's file: "integrity page_size auto_vacuum | sums".
fn c_reads(path: &str) -> String {
    let script = format!(
        "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n\
         print(c.execute('PRAGMA integrity_check').fetchone()[0], \
         c.execute('PRAGMA page_size').fetchone()[0], \
         c.execute('PRAGMA auto_vacuum').fetchone()[0], '|', \
         *c.execute('{SUM}').fetchone())"
    );
    let (ok, out, err) = python(&script, &[path]);
    assert!(ok, "{err}");
    out.trim().to_string()
}

fn case(journal: &str, pre: &str, start_size: u32) {
    let dir = TempDir::new("vacuum");
    let path = dir.file("l.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch(&format!(
        "PRAGMA page_size={start_size}; PRAGMA journal_mode={journal}; {SETUP}"
    ))
    .unwrap();
    let before = sum_line(&db);
    db.execute_batch(&format!("{pre} VACUUM;")).unwrap();
    assert_eq!(integrity(&db).unwrap(), "ok");
    assert_eq!(sum_line(&db), before);
    let ours = format!(
        "{} {}",
        int(&db, "PRAGMA page_size"),
        int(&db, "PRAGMA auto_vacuum")
    );
    // The database keeps working after the rewrite.
    db.execute("INSERT INTO t(a, b) VALUES ('new', x'02')", &[])
        .unwrap();
    db.execute("DELETE FROM t WHERE a = 'new'", &[]).unwrap();
    drop(db);
    if !tools_present() {
        return;
    }
    let c = c_settings(&dir, journal, pre);
    assert_eq!(ours, c, "{journal}: {pre}");
    assert_eq!(c_reads(&path), format!("ok {ours} | {before}"));
}

#[test]
fn vacuum_changes_page_size_like_c() {
    for (journal, pre, start) in [
        ("delete", "PRAGMA page_size=1024;", 4096),
        ("truncate", "PRAGMA page_size=8192;", 1024),
        ("persist", "PRAGMA page_size=65536;", 4096),
        ("delete", "PRAGMA page_size=512;", 65536),
        ("delete", "PRAGMA auto_vacuum=FULL;", 4096),
        (
            "delete",
            "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA page_size=2048;",
            4096,
        ),
        ("wal", "PRAGMA page_size=1024;", 4096),
        ("wal", "PRAGMA auto_vacuum=FULL;", 4096),
    ] {
        case(journal, pre, start);
    }
}

fn open_mock(name: &str) -> Result<Database, DbError> {
    Database::open(
        "/v.db",
        OpenOptions {
            vfs: Some(name.to_string()),
            ..OpenOptions::default()
        },
    )
}

#[test]
fn power_cut_during_page_size_vacuum() {
    let name = "vacuum-crash";
    let base = MockVfs::new();
    base.set_tracing(false);
    register_vfs(name, Arc::new(base.clone()));
    let (image, want) = {
        let db = open_mock(name).unwrap();
        db.execute_batch(&format!("PRAGMA page_size=1024; {SETUP}"))
            .unwrap();
        let want = fnv(dump(&db).unwrap().as_bytes());
        drop(db);
        (base.file_bytes("/v.db").unwrap(), want)
    };
    let ops_before = base.ops();
    {
        let db = open_mock(name).unwrap();
        db.execute_batch("PRAGMA page_size=4096; VACUUM").unwrap();
    }
    let total = base.ops() - ops_before;
    let (mut passed, mut failures, mut sizes) = (0, Vec::new(), [0usize; 2]);
    // Every 8th call, and every call of the final stretch (journal sync,
    // file rewrite, commit point).
    let cuts: Vec<u64> = (0..total + 3)
        .filter(|&c| c % 8 == 0 || c + 60 > total)
        .collect();
    for &cut in &cuts {
        let vfs = MockVfs::new();
        vfs.set_tracing(false);
        vfs.set_file_bytes("/v.db", &image);
        register_vfs(name, Arc::new(vfs.clone()));
        vfs.inject(MockFault::PowerCutAfter {
            countdown: cut as u32,
        });
        if let Ok(db) = open_mock(name) {
            let _ = db.execute_batch("PRAGMA page_size=4096; VACUUM");
        }
        vfs.crash_torn(cut);
        vfs.clear_faults();
        let r = (|| -> Result<(String, u64, i64), DbError> {
            let db = open_mock(name)?;
            let ic = integrity(&db)?;
            let h = fnv(dump(&db)?.as_bytes());
            Ok((ic, h, int(&db, "PRAGMA page_size")))
        })();
        match r {
            Ok((ic, h, ps)) if ic == "ok" && h == want && (ps == 1024 || ps == 4096) => {
                passed += 1;
                sizes[usize::from(ps == 4096)] += 1;
            }
            Ok((ic, _, ps)) => failures.push(format!("cut {cut}: {ic}, page size {ps}")),
            Err(e) => failures.push(format!("cut {cut}: {e}")),
        }
    }
    unregister_vfs(name);
    println!(
        "vacuum page-size crash: {} of {} cut points, {} old size, {} new size",
        cuts.len(),
        total + 3,
        sizes[0],
        sizes[1]
    );
    assert!(sizes[0] > 0 && sizes[1] > 0);
    summary("storage_vacuum crash", passed, &failures);
}
