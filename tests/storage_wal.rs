//! WAL mode end to end: round trips, crash recovery from the WAL alone,
//! checkpoint modes, and interoperability with C SQLite (the system
//! `sqlite3` shell and python3's `sqlite3` module, the oracle) — including
//! two processes sharing one WAL database at the same time. Interop tests
//! are skipped (with a message) when the tools are missing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;

use loomdb::api::{open_readwrite, Database, Value};
use loomdb::pager::{CheckpointMode, JournalMode, Pager};
use loomdb::rc::ResultCode;
use loomdb::vfs::{MemVfs, OpenFlags, PosixVfs, Vfs};

#[path = "support/storage.rs"]
mod storage;
use storage::{shell, tools_present, TempDir};

fn int(v: i64) -> Value {
    Value::Integer(v)
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

fn q(db: &Database, sql: &str) -> Vec<Vec<Value>> {
    db.query_all(sql, &[]).unwrap()
}

fn one(db: &Database, sql: &str) -> Value {
    q(db, sql)[0][0].clone()
}

fn exists(p: &str) -> bool {
    Path::new(p).exists()
}

#[test]
fn wal_round_trip_and_close_deletes_wal() {
    let dir = TempDir::new("rt");
    let path = dir.file("t.db");
    {
        let db = open_readwrite(&path).unwrap();
        assert_eq!(one(&db, "PRAGMA journal_mode=WAL"), text("wal"));
        db.execute_batch("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
            .unwrap();
        for i in 0..200 {
            db.execute(
                "INSERT INTO t VALUES (?, ?)",
                &[int(i), text(&format!("row{i}").repeat(20))],
            )
            .unwrap();
        }
        assert!(exists(&format!("{path}-wal")));
        assert!(exists(&format!("{path}-shm")));
        assert_eq!(one(&db, "SELECT count(*) FROM t"), int(200));
        assert_eq!(one(&db, "PRAGMA journal_mode"), text("wal"));
        db.close().unwrap();
    }
    assert!(
        !exists(&format!("{path}-wal")),
        "last close deletes the WAL"
    );
    assert!(!exists(&format!("{path}-shm")));
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[18..20], &[2, 2]);
    let db = open_readwrite(&path).unwrap();
    assert_eq!(one(&db, "PRAGMA journal_mode"), text("wal"));
    assert_eq!(one(&db, "SELECT sum(a) FROM t"), int(199 * 100));
    assert_eq!(one(&db, "PRAGMA integrity_check"), text("ok"));
}

#[test]
fn memory_db_stays_memory() {
    let db = loomdb::api::open_memory_db().unwrap();
    assert_eq!(one(&db, "PRAGMA journal_mode=wal"), text("memory"));
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint"),
        vec![vec![int(0), int(-1), int(-1)]]
    );
}

#[test]
fn savepoints_and_rollback_in_wal() {
    let dir = TempDir::new("sp");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA journal_mode=wal; CREATE TABLE t(a); INSERT INTO t VALUES(1)")
        .unwrap();
    db.execute_batch("BEGIN; INSERT INTO t VALUES(2); SAVEPOINT s; INSERT INTO t VALUES(3);")
        .unwrap();
    db.execute_batch("ROLLBACK TO s; RELEASE s; COMMIT")
        .unwrap();
    assert_eq!(q(&db, "SELECT a FROM t"), vec![vec![int(1)], vec![int(2)]]);
    db.execute_batch("BEGIN; DELETE FROM t; ROLLBACK").unwrap();
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(2));
    // A constraint failure rolls back only its statement.
    db.execute_batch("CREATE UNIQUE INDEX i ON t(a)").unwrap();
    assert!(db.execute_batch("INSERT INTO t VALUES(5),(1)").is_err());
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(2));
    drop(db);
    let db = open_readwrite(&path).unwrap();
    assert_eq!(one(&db, "SELECT group_concat(a) FROM t"), text("1,2"));
}

#[test]
fn crash_without_checkpoint_recovers_from_wal_alone() {
    let dir = TempDir::new("crash");
    let path = dir.file("t.db");
    let vfs: Arc<dyn Vfs> = Arc::new(PosixVfs::new());
    {
        let db = open_readwrite(&path).unwrap();
        db.execute_batch(
            "PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(a, b)",
        )
        .unwrap();
        for i in 0..50 {
            db.execute("INSERT INTO t VALUES (?, randomblob(300))", &[int(i)])
                .unwrap();
        }
        // Simulate a crash: copy the files while the connection is open.
        std::fs::copy(&path, dir.file("c.db")).unwrap();
        std::fs::copy(format!("{path}-wal"), dir.file("c.db-wal")).unwrap();
    }
    let c = dir.file("c.db");
    assert!(!exists(&format!("{c}-shm")));
    // A torn, uncommitted frame at the end of the WAL is ignored.
    let mut wal = std::fs::OpenOptions::new()
        .append(true)
        .open(format!("{c}-wal"))
        .unwrap();
    wal.write_all(&[0xab; 4096 + 24]).unwrap();
    drop(wal);
    {
        let mut p = Pager::open(vfs.clone(), &c, OpenFlags::main_db()).unwrap();
        p.begin_read().unwrap();
        assert_eq!(p.journal_mode(), JournalMode::Wal);
        assert!(p.is_wal());
        assert!(p.page_count() > 2);
        p.end_read();
        // Dropped without a clean close of a write txn.
        p.begin_write(false).unwrap();
    }
    let db = open_readwrite(&c).unwrap();
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(50));
    assert_eq!(one(&db, "PRAGMA integrity_check"), text("ok"));
    drop(db);
    if tools_present() {
        std::fs::copy(&path, dir.file("d.db")).unwrap();
        assert_eq!(shell(&dir.file("d.db"), "select count(*) from t"), "50");
    }
}

#[test]
fn checkpoint_modes_match_sqlite_rows() {
    let dir = TempDir::new("ckpt");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(a)")
        .unwrap();
    assert_eq!(one(&db, "PRAGMA wal_autocheckpoint"), int(0));
    for i in 0..5 {
        db.execute("INSERT INTO t VALUES (?)", &[int(i)]).unwrap();
    }
    // CREATE TABLE (2 frames: pages 1, 2) + 5 single-page inserts.
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(PASSIVE)"),
        vec![vec![int(0), int(7), int(7)]]
    );
    db.execute("INSERT INTO t VALUES (9)", &[]).unwrap();
    // The fully checkpointed log restarted at that insert.
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(FULL)"),
        vec![vec![int(0), int(1), int(1)]]
    );
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(RESTART)"),
        vec![vec![int(0), int(1), int(1)]]
    );
    db.execute("INSERT INTO t VALUES (10)", &[]).unwrap();
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint"),
        vec![vec![int(0), int(1), int(1)]],
        "the log restarted at frame 1"
    );
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(TRUNCATE)"),
        vec![vec![int(0), int(0), int(0)]]
    );
    assert_eq!(std::fs::metadata(format!("{path}-wal")).unwrap().len(), 0);
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(7));
    db.execute_batch("BEGIN; SELECT * FROM t").unwrap();
    let e = db.query_all("PRAGMA wal_checkpoint", &[]).unwrap_err();
    assert!(e.to_string().contains("database table is locked"), "{e}");
    let e = db.query_all("PRAGMA journal_mode=delete", &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot change out of wal mode from within a transaction"
    );
    db.execute_batch("COMMIT").unwrap();
    assert_eq!(one(&db, "PRAGMA journal_mode=delete"), text("delete"));
    assert!(!exists(&format!("{path}-wal")));
    assert_eq!(&std::fs::read(&path).unwrap()[18..20], &[1, 1]);
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(7));
    if tools_present() {
        // The same sequence through C SQLite gives the same rows.
        let c = dir.file("c.db");
        let out = shell(
            &c,
            "pragma journal_mode=wal; pragma wal_autocheckpoint=0; create table t(a);
             insert into t values(0); insert into t values(1); insert into t values(2);
             insert into t values(3); insert into t values(4);
             pragma wal_checkpoint(passive); insert into t values(9);
             pragma wal_checkpoint(full); pragma wal_checkpoint(restart);
             insert into t values(10); pragma wal_checkpoint; pragma wal_checkpoint(truncate);",
        );
        assert_eq!(out, "wal\n0\n0|7|7\n0|1|1\n0|1|1\n0|1|1\n0|0|0");
    }
}

#[test]
fn autocheckpoint_backfills_and_restarts() {
    let dir = TempDir::new("auto");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=10; CREATE TABLE t(a)")
        .unwrap();
    for i in 0..100 {
        db.execute("INSERT INTO t VALUES (?)", &[int(i)]).unwrap();
    }
    let wal_len = std::fs::metadata(format!("{path}-wal")).unwrap().len();
    assert!(wal_len <= 32 + 12 * (4096 + 24), "WAL restarted: {wal_len}");
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(100));
    let r = q(&db, "PRAGMA wal_checkpoint");
    assert_eq!(r[0][1], r[0][2]);
}

#[test]
fn two_loom_connections_snapshot_isolation_and_busy() {
    let dir = TempDir::new("two");
    let path = dir.file("t.db");
    let a = open_readwrite(&path).unwrap();
    a.execute_batch("PRAGMA journal_mode=wal; CREATE TABLE t(a); INSERT INTO t VALUES(1)")
        .unwrap();
    let b = open_readwrite(&path).unwrap();
    b.execute_batch("BEGIN").unwrap();
    assert_eq!(one(&b, "SELECT count(*) FROM t"), int(1));
    a.execute("INSERT INTO t VALUES(2)", &[]).unwrap();
    assert_eq!(
        one(&b, "SELECT count(*) FROM t"),
        int(1),
        "b keeps its snapshot"
    );
    // b's snapshot is stale: it cannot write (SQLITE_BUSY_SNAPSHOT family).
    let e = b.execute("INSERT INTO t VALUES(3)", &[]).unwrap_err();
    assert_eq!(e.code().0 & 0xff, ResultCode::BUSY.0);
    b.execute_batch("ROLLBACK").unwrap();
    assert_eq!(one(&b, "SELECT count(*) FROM t"), int(2));
    // Writer exclusion.
    a.execute_batch("BEGIN IMMEDIATE").unwrap();
    let e = b.execute_batch("BEGIN IMMEDIATE").unwrap_err();
    assert_eq!(e.code().0 & 0xff, ResultCode::BUSY.0);
    a.execute_batch("COMMIT").unwrap();
    // Leaving WAL mode while another connection is open is refused.
    let e = a.query_all("PRAGMA journal_mode=delete", &[]).unwrap_err();
    assert_eq!(e.code().0 & 0xff, ResultCode::BUSY.0);
    drop(b);
    assert_eq!(one(&a, "PRAGMA journal_mode=delete"), text("delete"));
}

/// Writes a minimal page 1 (database header) through `p`.
fn init_page1(p: &mut Pager) {
    p.begin_write(false).unwrap();
    let (pg, r) = p.allocate().unwrap();
    assert_eq!(pg, 1);
    let d = p.data_mut(r).unwrap();
    d[..16].copy_from_slice(b"SQLite format 3\0");
    d[16..18].copy_from_slice(&4096u16.to_be_bytes());
    d[18] = 1;
    d[19] = 1;
    d[21] = 64;
    d[22] = 32;
    d[23] = 32;
    d[100] = 13;
    p.commit().unwrap();
    p.end_read();
}

/// Appends a page tagged `tag` in its own transaction.
fn append_page(p: &mut Pager, tag: u8) {
    p.begin_write(false).unwrap();
    let (_, r) = p.allocate().unwrap();
    p.data_mut(r).unwrap()[0] = tag;
    p.commit().unwrap();
    p.end_read();
}

fn tags(p: &mut Pager) -> Vec<u8> {
    p.begin_read().unwrap();
    let v = (2..=p.page_count())
        .map(|n| {
            let r = p.get(n).unwrap();
            p.data(r).unwrap()[0]
        })
        .collect();
    p.end_read();
    v
}

#[test]
fn mock_crash_keeps_synced_commits_only() {
    use loomdb::pager::Synchronous;
    use loomdb::vfs::MockVfs;
    let mock = MockVfs::new();
    let vfs: Arc<dyn Vfs> = Arc::new(mock.clone());
    let mut p = Pager::open(vfs.clone(), "w.db", OpenFlags::main_db()).unwrap();
    init_page1(&mut p);
    assert_eq!(
        p.set_journal_mode(JournalMode::Wal).unwrap(),
        JournalMode::Wal
    );
    append_page(&mut p, 0xa1); // synchronous=FULL: the WAL is synced
    p.set_synchronous(Synchronous::Normal);
    append_page(&mut p, 0xa2); // NORMAL: not synced at commit
    assert_eq!(tags(&mut p), vec![0xa1, 0xa2]);
    std::mem::forget(p); // the process dies
    mock.crash();
    let mut p = Pager::open(vfs.clone(), "w.db", OpenFlags::main_db()).unwrap();
    assert_eq!(tags(&mut p), vec![0xa1], "recovered from the WAL alone");
    append_page(&mut p, 0xa3);
    assert_eq!(tags(&mut p), vec![0xa1, 0xa3]);
    drop(p);
    let mut p = Pager::open(vfs, "w.db", OpenFlags::main_db()).unwrap();
    assert_eq!(tags(&mut p), vec![0xa1, 0xa3]);
}

#[test]
fn mem_vfs_pager_in_wal_mode() {
    let vfs: Arc<dyn Vfs> = Arc::new(MemVfs::new());
    let mut p = Pager::open(vfs.clone(), "m.db", OpenFlags::main_db()).unwrap();
    init_page1(&mut p);
    assert_eq!(
        p.set_journal_mode(JournalMode::Wal).unwrap(),
        JournalMode::Wal
    );
    p.begin_write(false).unwrap();
    let (pg, r) = p.allocate().unwrap();
    assert_eq!(pg, 2);
    p.data_mut(r).unwrap()[0] = 0xee;
    p.commit().unwrap();
    p.end_read();
    let mut q2 = Pager::open(vfs.clone(), "m.db", OpenFlags::main_db()).unwrap();
    q2.begin_read().unwrap();
    assert!(q2.is_wal());
    assert_eq!(q2.page_count(), 2);
    let r = q2.get(2).unwrap();
    assert_eq!(q2.data(r).unwrap()[0], 0xee);
    q2.end_read();
    let res = q2.checkpoint(CheckpointMode::Truncate).unwrap();
    assert_eq!((res.busy, res.log, res.checkpointed), (false, 0, 0));
}

// ---------------------------------------------------------------------------
// Interop with C SQLite.

#[test]
fn c_sqlite_wal_read_by_loom() {
    if !tools_present() {
        return;
    }
    let dir = TempDir::new("c2l");
    let path = dir.file("t.db");
    // Python keeps the connection open (WAL not checkpointed) while we read
    // a copy of db + WAL, and also while loom opens the live database.
    let script = format!(
        "import sqlite3,shutil\n\
         c=sqlite3.connect({path:?}, isolation_level=None)\n\
         c.execute('pragma journal_mode=wal'); c.execute('pragma wal_autocheckpoint=0')\n\
         c.execute('create table t(a integer primary key, b)')\n\
         c.execute('begin')\n\
         [c.execute('insert into t values(?,?)',(i,'v%d'%i*30)) for i in range(500)]\n\
         c.execute('commit')\n\
         c.execute('update t set b=\\'x\\' where a%7=0')\n\
         shutil.copy({path:?}, {path:?}+'.copy'); shutil.copy({path:?}+'-wal', {path:?}+'.copy-wal')\n\
         print(c.execute('select count(*), sum(length(b)) from t').fetchone())\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expect = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let copy = format!("{path}.copy");
    assert!(std::fs::metadata(format!("{copy}-wal")).unwrap().len() > 32);
    let db = open_readwrite(&copy).unwrap();
    let r = q(&db, "SELECT count(*), sum(length(b)) FROM t");
    let got = match (&r[0][0], &r[0][1]) {
        (Value::Integer(a), Value::Integer(b)) => format!("({a}, {b})"),
        other => panic!("{other:?}"),
    };
    assert_eq!(got, expect);
    assert_eq!(one(&db, "PRAGMA integrity_check"), text("ok"));
}

#[test]
fn loom_wal_read_by_c_sqlite() {
    if !tools_present() {
        return;
    }
    let dir = TempDir::new("l2c");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch(
        "PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX tb ON t(b);",
    )
    .unwrap();
    db.execute_batch("BEGIN").unwrap();
    for i in 0..300 {
        db.execute(
            "INSERT INTO t VALUES (?, ?)",
            &[int(i), text(&format!("{i:05}-").repeat(10))],
        )
        .unwrap();
    }
    db.execute_batch("COMMIT; DELETE FROM t WHERE a % 3 = 0")
        .unwrap();
    // loom is still open: C SQLite reads the live WAL through the -shm index.
    let live = shell(
        &path,
        "pragma integrity_check; select count(*), sum(a) from t;",
    );
    assert_eq!(live, "ok\n200|30000");
    // And a copy without -shm: C SQLite recovers the index from the WAL.
    std::fs::copy(&path, dir.file("c.db")).unwrap();
    std::fs::copy(format!("{path}-wal"), dir.file("c.db-wal")).unwrap();
    let rec = shell(
        &dir.file("c.db"),
        "pragma integrity_check; select count(*), sum(a) from t;",
    );
    assert_eq!(rec, "ok\n200|30000");
    drop(db);
}

/// A python3 process running C SQLite, driven line by line.
struct Py {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Py {
    fn start(path: &str) -> Py {
        let script = format!(
            "import sqlite3,sys\n\
             c=sqlite3.connect({path:?}, isolation_level=None, timeout=0)\n\
             for line in sys.stdin:\n\
             \x20   try:\n\
             \x20       r=c.execute(line.strip()).fetchall()\n\
             \x20       print('ok', r, flush=True)\n\
             \x20   except Exception as e:\n\
             \x20       print('err', e, flush=True)\n"
        );
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Py {
            child,
            stdin,
            stdout,
        }
    }

    fn run(&mut self, sql: &str) -> String {
        writeln!(self.stdin, "{sql}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }
}

impl Drop for Py {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn concurrent_c_reader_while_loom_writes() {
    if !tools_present() {
        return;
    }
    let dir = TempDir::new("cc1");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA journal_mode=wal; CREATE TABLE t(a); INSERT INTO t VALUES(1)")
        .unwrap();
    let mut py = Py::start(&path);
    assert_eq!(py.run("begin"), "ok []");
    assert_eq!(py.run("select count(*) from t"), "ok [(1,)]");
    db.execute("INSERT INTO t VALUES(2)", &[]).unwrap();
    db.execute("INSERT INTO t VALUES(3)", &[]).unwrap();
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(3));
    assert_eq!(
        py.run("select count(*) from t"),
        "ok [(1,)]",
        "C keeps its snapshot"
    );
    // C's snapshot is stale: its write is refused.
    assert!(py
        .run("insert into t values(9)")
        .starts_with("err database is locked"));
    // A checkpoint cannot pass the C reader's snapshot.
    let r = q(&db, "PRAGMA wal_checkpoint");
    assert_eq!(r[0][0], int(0));
    assert!(matches!((&r[0][1], &r[0][2]), (Value::Integer(l), Value::Integer(c)) if c < l));
    assert_eq!(q(&db, "PRAGMA wal_checkpoint(RESTART)")[0][0], int(1));
    assert_eq!(py.run("commit"), "ok []");
    assert_eq!(py.run("select count(*) from t"), "ok [(3,)]");
    // C holds the write lock: loom gets SQLITE_BUSY.
    assert_eq!(py.run("begin immediate"), "ok []");
    let e = db.execute("INSERT INTO t VALUES(4)", &[]).unwrap_err();
    assert_eq!(e.code(), ResultCode::BUSY);
    assert_eq!(py.run("insert into t values(5)"), "ok []");
    assert_eq!(py.run("commit"), "ok []");
    assert_eq!(one(&db, "SELECT group_concat(a) FROM t"), text("1,2,3,5"));
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(TRUNCATE)"),
        vec![vec![int(0), int(0), int(0)]]
    );
    assert_eq!(py.run("select count(*) from t"), "ok [(4,)]");
}

#[test]
fn concurrent_loom_reader_while_c_writes() {
    if !tools_present() {
        return;
    }
    let dir = TempDir::new("cc2");
    let path = dir.file("t.db");
    let mut py = Py::start(&path);
    assert_eq!(py.run("pragma journal_mode=wal"), "ok [('wal',)]");
    assert_eq!(py.run("create table t(a)"), "ok []");
    assert_eq!(py.run("insert into t values(1)"), "ok []");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("BEGIN").unwrap();
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(1));
    assert_eq!(py.run("insert into t values(2)"), "ok []");
    assert_eq!(
        one(&db, "SELECT count(*) FROM t"),
        int(1),
        "loom keeps its snapshot"
    );
    // loom's read mark holds C's checkpoint back.
    let r = py.run("pragma wal_checkpoint(restart)");
    assert!(r.starts_with("ok [(1,"), "{r}");
    db.execute_batch("COMMIT").unwrap();
    assert_eq!(one(&db, "SELECT count(*) FROM t"), int(2));
    // loom holds the WAL write lock: C's writer gets SQLITE_BUSY.
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    assert!(py
        .run("begin immediate")
        .starts_with("err database is locked"));
    assert_eq!(
        py.run("select count(*) from t"),
        "ok [(2,)]",
        "readers still read"
    );
    db.execute_batch("COMMIT").unwrap();
    // loom writes, C reads; then C checkpoints loom's frames.
    db.execute("INSERT INTO t VALUES(3)", &[]).unwrap();
    assert_eq!(py.run("select group_concat(a) from t"), "ok [('1,2,3',)]");
    assert_eq!(py.run("pragma wal_checkpoint(truncate)"), "ok [(0, 0, 0)]");
    db.execute("INSERT INTO t VALUES(4)", &[]).unwrap();
    assert_eq!(py.run("select count(*) from t"), "ok [(4,)]");
    assert_eq!(py.run("pragma integrity_check"), "ok [('ok',)]");
    drop(py);
    assert_eq!(one(&db, "SELECT group_concat(a) FROM t"), text("1,2,3,4"));
}

#[test]
fn many_frames_span_several_index_blocks() {
    if !tools_present() {
        return;
    }
    let dir = TempDir::new("big");
    let path = dir.file("t.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch(
        "PRAGMA page_size=512; PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0;
         PRAGMA synchronous=NORMAL; CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);",
    )
    .unwrap();
    // One transaction of ~4500 pages, then small ones: > 4062 frames, so the
    // wal-index uses its second hash block.
    db.execute_batch("BEGIN").unwrap();
    for i in 1..=4000 {
        db.execute("INSERT INTO t VALUES (?, zeroblob(400))", &[int(i)])
            .unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    for i in 0..300 {
        db.execute(
            "UPDATE t SET b = randomblob(10) WHERE a = ?",
            &[int(i * 13 + 1)],
        )
        .unwrap();
    }
    let frames = (std::fs::metadata(format!("{path}-wal")).unwrap().len() - 32) / (512 + 24);
    assert!(frames > 4200, "{frames}");
    let expect = "ok\n4000|1483000";
    assert_eq!(
        shell(
            &path,
            "pragma integrity_check; select count(*), sum(length(b)) from t"
        ),
        expect
    );
    std::fs::copy(&path, dir.file("c.db")).unwrap();
    std::fs::copy(format!("{path}-wal"), dir.file("c.db-wal")).unwrap();
    assert_eq!(
        shell(
            &dir.file("c.db"),
            "pragma integrity_check; select count(*), sum(length(b)) from t"
        ),
        expect
    );
    // loom recovers the same copy from the WAL alone.
    std::fs::copy(&path, dir.file("d.db")).unwrap();
    std::fs::copy(format!("{path}-wal"), dir.file("d.db-wal")).unwrap();
    let d = open_readwrite(&dir.file("d.db")).unwrap();
    assert_eq!(one(&d, "SELECT sum(length(b)) FROM t"), int(1_483_000));
    assert_eq!(one(&d, "PRAGMA integrity_check"), text("ok"));
    drop(d);
    assert_eq!(
        q(&db, "PRAGMA wal_checkpoint(TRUNCATE)"),
        vec![vec![int(0), int(0), int(0)]]
    );
    assert_eq!(shell(&path, "select count(*) from t"), "4000");
}
