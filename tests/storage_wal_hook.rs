//! The WAL hook (`sqlite3_wal_hook`, c3ref/wal_hook.html) and its relation
//! to the auto-checkpoint (c3ref/wal_autocheckpoint.html), and the
//! extended BUSY codes of WAL mode (rescode.html: SQLITE_BUSY_SNAPSHOT,
//! SQLITE_BUSY_RECOVERY).
//!
//! What is checked:
//! 1. The hook runs after each commit in WAL mode with the database name
//!    and the number of frames then in the WAL (the `log` column a PASSIVE
//!    checkpoint reports at that moment); never outside WAL mode, nor for
//!    a read-only statement or inside an explicit transaction.
//! 2. The hook may use the connection: a TRUNCATE checkpoint from inside it
//!    empties the WAL file.
//! 3. A non-zero return becomes the statement's error code; the commit
//!    stays.
//! 4. Installing a hook stops the auto-checkpoint (`PRAGMA
//!    wal_autocheckpoint` reads 0); `PRAGMA wal_autocheckpoint=N` replaces
//!    the hook and the auto-checkpoint works again.
//! 5. A read transaction that tries to write after another connection
//!    committed gets SQLITE_BUSY_SNAPSHOT (517); a reader that finds the
//!    wal-index being recovered by another connection (WRITE and RECOVER
//!    held) gets SQLITE_BUSY_RECOVERY (261).

#[path = "support/storage.rs"]
mod storage;

use std::sync::{Arc, Mutex};

use loomdb::api::{open_readwrite, Database, Value, WalHookFn};
use loomdb::rc::ResultCode;
use loomdb::vfs::{OpenFlags, PosixVfs, ShmLockMode, Vfs};
use storage::TempDir;

type Calls = Arc<Mutex<Vec<(String, u32)>>>;

fn int(db: &Database, sql: &str) -> i64 {
    match db.query_all(sql, &[]).unwrap()[0][0] {
        Value::Integer(i) => i,
        ref v => panic!("{sql}: {v:?}"),
    }
}

fn recorder(calls: &Calls, rc: i32) -> WalHookFn {
    let calls = calls.clone();
    Arc::new(move |name: &str, frames: u32| {
        calls.lock().unwrap().push((name.to_string(), frames));
        rc
    })
}

fn wal_db(dir: &TempDir) -> (Database, String) {
    let path = dir.file("h.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(a, b)")
        .unwrap();
    (db, path)
}

#[test]
fn hook_reports_frames_after_each_commit() {
    let dir = TempDir::new("walhook1");
    let (db, _) = wal_db(&dir);
    let calls: Calls = Arc::default();
    db.set_wal_hook(Some(recorder(&calls, 0))).unwrap();
    let mut last = 0;
    for i in 0..5 {
        db.execute(
            "INSERT INTO t VALUES (?1, randomblob(3000))",
            &[Value::Integer(i)],
        )
        .unwrap();
        let got = calls.lock().unwrap().pop().expect("hook called");
        assert_eq!(got.0, "main");
        assert!(got.1 > last, "frames grow: {} then {}", last, got.1);
        last = got.1;
    }
    // The count is the WAL's frame count (the `log` column of a checkpoint).
    let rows = db.query_all("PRAGMA wal_checkpoint(PASSIVE)", &[]).unwrap();
    assert_eq!(rows[0][1], Value::Integer(i64::from(last)));
    // Reads, and statements inside an explicit transaction, do not call it.
    assert_eq!(int(&db, "SELECT count(*) FROM t"), 5);
    db.execute_batch("BEGIN; INSERT INTO t VALUES (9, 9);")
        .unwrap();
    assert!(calls.lock().unwrap().is_empty());
    db.execute_batch("COMMIT").unwrap();
    assert_eq!(calls.lock().unwrap().len(), 1);
    println!("wal hook: 5 commits reported, last {last} frames");
}

#[test]
fn hook_may_checkpoint_and_its_error_is_returned() {
    let dir = TempDir::new("walhook2");
    let (db, path) = wal_db(&dir);
    let inner = db.clone();
    let seen: Calls = Arc::default();
    let s2 = seen.clone();
    let hook: WalHookFn = Arc::new(move |name: &str, frames: u32| {
        s2.lock().unwrap().push((name.to_string(), frames));
        match inner.query_all("PRAGMA wal_checkpoint(TRUNCATE)", &[]) {
            Ok(r) if r[0][0] == Value::Integer(0) => 0,
            _ => 1,
        }
    });
    db.set_wal_hook(Some(hook)).unwrap();
    db.execute("INSERT INTO t VALUES (1, 2)", &[]).unwrap();
    let wal_len = std::fs::metadata(format!("{path}-wal")).unwrap().len();
    assert_eq!(wal_len, 0, "TRUNCATE checkpoint from inside the hook");
    assert_eq!(seen.lock().unwrap().len(), 1);
    // An error code from the hook is the statement's result; the commit stays.
    let calls: Calls = Arc::default();
    db.set_wal_hook(Some(recorder(&calls, 5))).unwrap();
    let err = db.execute("INSERT INTO t VALUES (2, 3)", &[]).unwrap_err();
    assert_eq!(err.code().0, 5, "{err}");
    assert_eq!(int(&db, "SELECT count(*) FROM t"), 2);
    db.set_wal_hook(None).unwrap();
    db.execute("INSERT INTO t VALUES (3, 4)", &[]).unwrap();
    assert_eq!(calls.lock().unwrap().len(), 1);
}

#[test]
fn hook_replaces_autocheckpoint_and_pragma_replaces_hook() {
    let dir = TempDir::new("walhook3");
    let (db, _) = wal_db(&dir);
    db.execute_batch("PRAGMA wal_autocheckpoint=3").unwrap();
    let calls: Calls = Arc::default();
    db.set_wal_hook(Some(recorder(&calls, 0))).unwrap();
    assert_eq!(int(&db, "PRAGMA wal_autocheckpoint"), 0);
    for i in 0..10 {
        db.execute("INSERT INTO t VALUES (?1, 1)", &[Value::Integer(i)])
            .unwrap();
    }
    let frames: Vec<u32> = calls.lock().unwrap().iter().map(|c| c.1).collect();
    assert_eq!(frames.len(), 10);
    assert!(
        frames.windows(2).all(|w| w[1] > w[0]),
        "no auto-checkpoint restarted the WAL: {frames:?}"
    );
    // The pragma takes the callback slot back: the hook no longer runs and
    // the WAL is checkpointed and restarted again.
    db.execute_batch("PRAGMA wal_autocheckpoint=3").unwrap();
    for i in 0..10 {
        db.execute("INSERT INTO t VALUES (?1, 2)", &[Value::Integer(i)])
            .unwrap();
    }
    assert_eq!(calls.lock().unwrap().len(), 10);
    let rows = db.query_all("PRAGMA wal_checkpoint(PASSIVE)", &[]).unwrap();
    let log = match rows[0][1] {
        Value::Integer(n) => n,
        _ => -1,
    };
    assert!(
        log >= 0 && log < i64::from(frames[9]),
        "WAL restarted by the auto-checkpoint: {log} frames"
    );
}

#[test]
fn no_hook_call_outside_wal_mode() {
    let dir = TempDir::new("walhook4");
    let db = open_readwrite(&dir.file("d.db")).unwrap();
    let calls: Calls = Arc::default();
    db.set_wal_hook(Some(recorder(&calls, 0))).unwrap();
    db.execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES (1);")
        .unwrap();
    assert!(calls.lock().unwrap().is_empty());
}

#[test]
fn stale_read_transaction_upgrading_gets_busy_snapshot() {
    // C SQLite 3.40.1 (python3's sqlite3 module, checked by hand): the same
    // sequence fails with "database is locked", extended code 517.
    let dir = TempDir::new("busysnap");
    let (a, path) = wal_db(&dir);
    let b = open_readwrite(&path).unwrap();
    a.execute_batch("BEGIN").unwrap();
    assert_eq!(int(&a, "SELECT count(*) FROM t"), 0);
    b.execute("INSERT INTO t VALUES (1, 1)", &[]).unwrap();
    let err = a.execute("INSERT INTO t VALUES (2, 2)", &[]).unwrap_err();
    assert_eq!(err.code(), ResultCode::BUSY_SNAPSHOT, "{err}");
    assert_eq!(err.code().0, 517);
    assert_eq!(err.to_string(), "database is locked");
    // The read snapshot is kept; after ROLLBACK the write goes through.
    assert_eq!(int(&a, "SELECT count(*) FROM t"), 0);
    a.execute_batch("ROLLBACK").unwrap();
    a.execute("INSERT INTO t VALUES (2, 2)", &[]).unwrap();
    assert_eq!(int(&b, "SELECT count(*) FROM t"), 2);
}

#[test]
fn reader_during_foreign_recovery_gets_busy_recovery() {
    let dir = TempDir::new("busyrec");
    let (a, path) = wal_db(&dir);
    a.execute("INSERT INTO t VALUES (1, 1)", &[]).unwrap();
    let b = open_readwrite(&path).unwrap();
    // Another "process" runs recovery: it holds WRITE and RECOVER and the
    // wal-index header is not valid yet.
    let vfs = PosixVfs::new();
    let mut f = vfs.open(&path, OpenFlags::main_db()).unwrap();
    f.shm_map(0, 32768, false).unwrap();
    f.shm_lock(0, 1, ShmLockMode::Exclusive).unwrap();
    f.shm_lock(2, 1, ShmLockMode::Exclusive).unwrap();
    f.shm_write(0, 0, &[0u8; 136]).unwrap();
    let err = b.query_all("SELECT count(*) FROM t", &[]).unwrap_err();
    assert_eq!(err.code(), ResultCode::BUSY_RECOVERY, "{err}");
    assert_eq!(err.code().0, 261);
    // Recovery "finished" (locks released): the reader rebuilds the index.
    f.shm_lock(2, 1, ShmLockMode::UnlockExclusive).unwrap();
    f.shm_lock(0, 1, ShmLockMode::UnlockExclusive).unwrap();
    assert_eq!(int(&b, "SELECT count(*) FROM t"), 1);
    drop(f);
}
