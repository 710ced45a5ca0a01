//! Cache spill (src/pager/spill.rs): a write transaction larger than the
//! page cache runs in a bounded cache, commits and rolls back correctly,
//! and the file is read by C SQLite (the oracle) afterwards.
//!
//! What is checked:
//! 1. A ~50 MB transaction through the pager with `set_cache_size(100)`:
//!    the cache never holds more than 101 frames, it spilled, and after
//!    commit every page reads back; a 5 MB rollback after spills restores
//!    the old content (the journal is played back into the file).
//! 2. Savepoint rollback across a spill restores the savepoint's state.
//! 3. SQL: `PRAGMA cache_size=100` and a ~50 MB INSERT transaction; the
//!    result passes integrity_check in loom and in C SQLite, with the same
//!    row count and checksum; a large ROLLBACK leaves the file unchanged.
//!    Crash safety with a tiny cache is in storage_crash.rs (`crash_spill`).

#[path = "support/storage.rs"]
mod storage;

use std::sync::Arc;

use loomdb::api::{open_readwrite, Value};
use loomdb::pager::{Pager, Pgno};
use loomdb::vfs::{OpenFlags, PosixVfs, Vfs};
use storage::{python, tools_present, TempDir};

const PS: usize = 4096;

fn format_page1(data: &mut [u8]) {
    data[..16].copy_from_slice(b"SQLite format 3\0");
    data[16..18].copy_from_slice(&(PS as u16).to_be_bytes());
    data[18] = 1;
    data[19] = 1;
    data[21] = 64;
    data[22] = 32;
    data[23] = 32;
}

fn stamp(p: &mut Pager, pgno: Pgno, tag: u8) {
    let r = p.get(pgno).unwrap();
    let d = p.data_mut(r).unwrap();
    d[200..204].copy_from_slice(&pgno.to_be_bytes());
    d[204] = tag;
    d[PS - 1] = tag;
}

fn tag_of(p: &mut Pager, pgno: Pgno) -> u8 {
    let r = p.get(pgno).unwrap();
    let d = p.data(r).unwrap();
    assert_eq!(&d[200..204], &pgno.to_be_bytes(), "page {pgno} misplaced");
    assert_eq!(d[204], d[PS - 1], "page {pgno} torn");
    d[204]
}

fn open_pager(path: &str) -> Pager {
    let vfs: Arc<dyn Vfs> = Arc::new(PosixVfs::new());
    let mut p = Pager::open(vfs, path, OpenFlags::main_db()).unwrap();
    // Allowed only while the file is empty; an existing file keeps its own.
    let _ = p.set_page_size(PS);
    p.set_cache_size(100);
    p
}

#[test]
fn large_transaction_spills_within_a_bounded_cache() {
    let dir = TempDir::new("spill1");
    let path = dir.file("s.db");
    let mut p = open_pager(&path);
    p.begin_write(false).unwrap();
    let (_, r) = p.allocate().unwrap();
    format_page1(p.data_mut(r).unwrap());
    let n: Pgno = 12_800; // 50 MiB of 4 KiB pages
    let mut peak = 0;
    for _ in 2..=n {
        let (pgno, _) = p.allocate().unwrap();
        stamp(&mut p, pgno, 1);
        peak = peak.max(p.cache_resident_pages());
    }
    p.commit().unwrap();
    println!(
        "spill: {n} pages written, {} spills, peak resident {peak} pages",
        p.cache_spills()
    );
    assert!(peak <= 101, "resident pages {peak} > cache_size + 1");
    assert!(p.cache_spills() > 0);
    p.end_read();
    drop(p);
    let mut p = open_pager(&path);
    p.begin_read().unwrap();
    assert_eq!(p.page_count(), n);
    for pgno in 2..=n {
        assert_eq!(tag_of(&mut p, pgno), 1);
    }
    p.end_read();
    // A spilled transaction rolled back: the file is restored.
    p.begin_write(false).unwrap();
    for pgno in 2..=1300 {
        stamp(&mut p, pgno, 2);
    }
    for _ in 0..200 {
        let (pgno, _) = p.allocate().unwrap();
        stamp(&mut p, pgno, 2);
    }
    assert!(p.cache_spills() > 1);
    p.rollback().unwrap();
    assert_eq!(p.page_count(), n);
    for pgno in (2..=1300).step_by(7) {
        assert_eq!(tag_of(&mut p, pgno), 1);
    }
    p.end_read();
    let size = std::fs::metadata(&path).unwrap().len();
    assert_eq!(size, u64::from(n) * PS as u64);
}

#[test]
fn savepoint_rollback_across_a_spill() {
    let dir = TempDir::new("spill2");
    let path = dir.file("s.db");
    let mut p = open_pager(&path);
    p.begin_write(false).unwrap();
    let (_, r) = p.allocate().unwrap();
    format_page1(p.data_mut(r).unwrap());
    for _ in 2..=300 {
        let (pgno, _) = p.allocate().unwrap();
        stamp(&mut p, pgno, 1);
    }
    p.commit().unwrap();
    p.begin_write(false).unwrap();
    for pgno in 2..=150 {
        stamp(&mut p, pgno, 2);
    }
    let sp = p.savepoint_open().unwrap();
    for pgno in 100..=300 {
        stamp(&mut p, pgno, 3);
    }
    for _ in 0..150 {
        let (pgno, _) = p.allocate().unwrap();
        stamp(&mut p, pgno, 3);
    }
    let spills = p.cache_spills();
    assert!(spills > 0);
    p.savepoint_rollback(sp).unwrap();
    assert_eq!(p.page_count(), 300);
    p.commit().unwrap();
    for pgno in 2..=300 {
        let want = if pgno <= 150 { 2 } else { 1 };
        assert_eq!(tag_of(&mut p, pgno), want, "page {pgno}");
    }
    p.end_read();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 300 * PS as u64);
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Integer(i) => *i,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sql_transaction_of_50_mb_with_cache_size_100() {
    let dir = TempDir::new("spill3");
    let path = dir.file("s.db");
    let db = open_readwrite(&path).unwrap();
    db.execute_batch(
        "PRAGMA cache_size=100; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB); \
         CREATE INDEX t_v ON t(substr(v, 1, 8));",
    )
    .unwrap();
    db.execute_batch("BEGIN").unwrap();
    for i in 0..12_500i64 {
        db.execute(
            "INSERT INTO t VALUES (?1, randomblob(4000))",
            &[Value::Integer(i)],
        )
        .unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    let sum_sql = "SELECT count(*), sum(length(v)), \
                   sum(unicode(substr(hex(v), 1, 1))) FROM t";
    let ours = db.query_all(sum_sql, &[]).unwrap();
    assert_eq!(int(&ours[0][0]), 12_500);
    let ic = db.query_all("PRAGMA integrity_check", &[]).unwrap();
    assert_eq!(ic[0][0], Value::Text(b"ok".to_vec()));
    // A large transaction rolled back after spilling leaves the data as is.
    db.execute_batch("BEGIN; UPDATE t SET v = zeroblob(3000); DELETE FROM t WHERE id % 3 = 0;")
        .unwrap();
    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(db.query_all(sum_sql, &[]).unwrap(), ours);
    drop(db);
    if !tools_present() {
        println!("skipped the C SQLite check: python3/sqlite3 missing");
        return;
    }
    let script = format!(
        "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n\
         print(c.execute('PRAGMA integrity_check').fetchone()[0])\n\
         print(*c.execute(\"{sum_sql}\").fetchone())"
    );
    let (ok, out, err) = python(&script, &[&path]);
    assert!(ok, "{err}");
    let want = format!(
        "ok\n{} {} {}\n",
        int(&ours[0][0]),
        int(&ours[0][1]),
        int(&ours[0][2])
    );
    assert_eq!(out, want);
}
