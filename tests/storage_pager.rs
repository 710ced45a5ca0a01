//! Pager tests: commit/reopen, rollback, savepoints, journal modes, hot
//! journal recovery, stale handles, cache eviction, sticky errors and a
//! MockVfs crash matrix.

use std::path::PathBuf;
use std::sync::Arc;

use loomdb::pager::{JournalMode, Pager, PagerError, Pgno, Synchronous, TxnState};
use loomdb::rc::ResultCode;
use loomdb::vfs::{MockFault, MockVfs, OpenFlags, PosixVfs, Vfs};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("loom-pager-{tag}-{}-{n}", std::process::id()));
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

fn posix() -> Arc<dyn Vfs> {
    Arc::new(PosixVfs::new())
}

/// Writes a minimal valid database header into page 1.
fn format_page1(data: &mut [u8], page_size: usize) {
    data[..16].copy_from_slice(b"SQLite format 3\0");
    let ps = if page_size == 65536 {
        1u16
    } else {
        page_size as u16
    };
    data[16..18].copy_from_slice(&ps.to_be_bytes());
    data[18] = 1;
    data[19] = 1;
    data[21] = 64;
    data[22] = 32;
    data[23] = 32;
}

/// Page content marker: byte 200 onward holds (pgno, tag).
fn stamp(data: &mut [u8], pgno: Pgno, tag: u8) {
    data[200..204].copy_from_slice(&pgno.to_be_bytes());
    data[204] = tag;
    let len = data.len();
    data[len - 1] = tag;
}

fn tag_of(p: &mut Pager, pgno: Pgno) -> u8 {
    let r = p.get(pgno).unwrap();
    let d = p.data(r).unwrap();
    assert_eq!(
        &d[200..204],
        &pgno.to_be_bytes(),
        "page {pgno} content misplaced"
    );
    assert_eq!(d[204], d[d.len() - 1]);
    d[204]
}

/// Creates a database of `n` pages, all stamped with `tag`.
fn create_db(p: &mut Pager, n: Pgno, tag: u8) {
    p.begin_write(false).unwrap();
    assert_eq!(p.page_count(), 0);
    for i in 1..=n {
        let (pgno, r) = p.allocate().unwrap();
        assert_eq!(pgno, i);
        let ps = p.page_size();
        let d = p.data_mut(r).unwrap();
        if pgno == 1 {
            format_page1(d, ps);
        }
        stamp(d, pgno, tag);
    }
    p.commit().unwrap();
    p.end_read();
}

fn retag(p: &mut Pager, pages: &[Pgno], tag: u8) {
    for &pgno in pages {
        let r = p.get(pgno).unwrap();
        stamp(p.data_mut(r).unwrap(), pgno, tag);
    }
}

fn all_tags(p: &mut Pager) -> Vec<u8> {
    (1..=p.page_count()).map(|i| tag_of(p, i)).collect()
}

#[test]
fn write_commit_reopen_read_back() {
    let d = TempDir::new("commit");
    let path = d.file("a.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.set_page_size(1024).unwrap();
    create_db(&mut p, 5, 1);
    assert!(!std::path::Path::new(&format!("{path}-journal")).exists());
    drop(p);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 5 * 1024);
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    assert_eq!(p.page_size(), 1024);
    p.begin_read().unwrap();
    assert_eq!(p.txn_state(), TxnState::Read);
    assert_eq!(p.page_count(), 5);
    assert_eq!(all_tags(&mut p), vec![1; 5]);
    let r = p.get(1).unwrap();
    let h = p.data(r).unwrap();
    assert_eq!(
        u32::from_be_bytes(h[24..28].try_into().unwrap()),
        1,
        "change counter"
    );
    assert_eq!(
        u32::from_be_bytes(h[28..32].try_into().unwrap()),
        5,
        "in-header size"
    );
    assert_eq!(
        u32::from_be_bytes(h[92..96].try_into().unwrap()),
        1,
        "version-valid-for"
    );
    assert_eq!(
        u32::from_be_bytes(h[96..100].try_into().unwrap()),
        3_040_001
    );
    assert!(matches!(p.get(6), Err(PagerError::Corrupt { pgno: 6, .. })));
    assert!(matches!(p.get(0), Err(PagerError::Corrupt { pgno: 0, .. })));
    assert!(p.data_mut(r).is_err(), "no write outside a write txn");
    p.end_read();
    assert_eq!(p.txn_state(), TxnState::None);
}

#[test]
fn rollback_restores_and_shrinks() {
    let d = TempDir::new("rollback");
    let path = d.file("r.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut p, 4, 1);
    p.begin_write(false).unwrap();
    retag(&mut p, &[1, 3], 2);
    let (n, r) = p.allocate().unwrap();
    assert_eq!(n, 5);
    stamp(p.data_mut(r).unwrap(), 5, 2);
    assert!(std::path::Path::new(&format!("{path}-journal")).exists());
    p.rollback().unwrap();
    assert_eq!(p.txn_state(), TxnState::Read);
    assert_eq!(p.page_count(), 4);
    assert_eq!(all_tags(&mut p), vec![1; 4]);
    p.end_read();
    assert!(!std::path::Path::new(&format!("{path}-journal")).exists());
    // Shrink and commit, then grow back within one transaction.
    p.begin_write(false).unwrap();
    p.truncate_to(2).unwrap();
    assert!(p.get(3).is_err());
    p.commit().unwrap();
    assert_eq!(p.page_count(), 2);
    p.end_read();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 2 * 4096);
}

#[test]
fn savepoints_nest_and_roll_back() {
    let mut p = Pager::open_memory().unwrap();
    create_db(&mut p, 3, 1);
    p.begin_write(false).unwrap();
    retag(&mut p, &[1], 2);
    let s1 = p.savepoint_open().unwrap();
    assert_eq!(s1, 1);
    retag(&mut p, &[2], 3);
    let (n4, r4) = p.allocate().unwrap();
    stamp(p.data_mut(r4).unwrap(), n4, 3);
    let s2 = p.savepoint_open().unwrap();
    assert_eq!(s2, 2);
    retag(&mut p, &[1, 3, 4], 4);
    p.truncate_to(2).unwrap();
    p.savepoint_rollback(s2).unwrap();
    assert_eq!(p.page_count(), 4);
    assert_eq!(all_tags(&mut p), vec![2, 3, 1, 3]);
    retag(&mut p, &[3], 5);
    p.savepoint_rollback(s2).unwrap();
    assert_eq!(all_tags(&mut p), vec![2, 3, 1, 3]);
    p.savepoint_rollback(s1).unwrap();
    assert_eq!(p.page_count(), 3);
    assert_eq!(all_tags(&mut p), vec![2, 1, 1]);
    p.savepoint_release(s1).unwrap();
    assert!(p.savepoint_rollback(s1).is_err());
    p.commit().unwrap();
    assert_eq!(all_tags(&mut p), vec![2, 1, 1]);
    p.end_read();
}

#[test]
fn journal_modes_commit_and_roll_back() {
    let d = TempDir::new("modes");
    for (mode, jfile) in [
        (JournalMode::Delete, None),
        (JournalMode::Truncate, Some(0)),
        (JournalMode::Persist, Some(-1)),
        (JournalMode::Memory, None),
        (JournalMode::Off, None),
    ] {
        for sync in [Synchronous::Off, Synchronous::Normal, Synchronous::Full] {
            let path = d.file(&format!("{mode:?}-{sync:?}.db"));
            let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
            assert_eq!(p.set_journal_mode(mode).unwrap(), mode);
            p.set_synchronous(sync);
            create_db(&mut p, 3, 1);
            p.begin_write(false).unwrap();
            retag(&mut p, &[2, 3], 9);
            p.rollback().unwrap();
            assert_eq!(all_tags(&mut p), vec![1, 1, 1], "{mode:?}");
            p.end_read();
            p.begin_write(false).unwrap();
            retag(&mut p, &[2], 7);
            p.commit().unwrap();
            p.end_read();
            let jpath = format!("{path}-journal");
            match jfile {
                None => assert!(!std::path::Path::new(&jpath).exists(), "{mode:?}"),
                Some(0) => assert_eq!(std::fs::metadata(&jpath).unwrap().len(), 0),
                Some(_) => {
                    let j = std::fs::read(&jpath).unwrap();
                    assert!(j.len() > 28 && j[..28].iter().all(|b| *b == 0), "{mode:?}");
                }
            }
            drop(p);
            let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
            p.begin_read().unwrap();
            assert_eq!(all_tags(&mut p), vec![1, 7, 1], "{mode:?} {sync:?}");
        }
    }
    // As SQLite: an in-memory database stays in MEMORY mode.
    assert_eq!(
        Pager::open_memory()
            .unwrap()
            .set_journal_mode(JournalMode::Wal),
        Ok(JournalMode::Memory)
    );
}

#[test]
fn hot_journal_is_rolled_back_on_next_read() {
    let d = TempDir::new("hot");
    let path = d.file("h.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut p, 6, 1);
    p.begin_write(false).unwrap();
    retag(&mut p, &[2, 4], 2);
    p.truncate_to(5).unwrap();
    let (n, r) = p.allocate().unwrap();
    stamp(p.data_mut(r).unwrap(), n, 2);
    let (n, r) = p.allocate().unwrap();
    stamp(p.data_mut(r).unwrap(), n, 2);
    p.crash_before_journal_finalize().unwrap();
    let jpath = format!("{path}-journal");
    assert!(std::fs::metadata(&jpath).unwrap().len() > 512);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        7 * 4096,
        "the crashed commit wrote the db"
    );
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.begin_read().unwrap();
    assert_eq!(p.page_count(), 6);
    assert_eq!(all_tags(&mut p), vec![1; 6]);
    assert!(!std::path::Path::new(&jpath).exists());
    let r = p.get(1).unwrap();
    assert_eq!(p.data(r).unwrap()[27], 1, "change counter restored");
}

#[test]
fn hot_journal_needs_write_access() {
    let d = TempDir::new("hotro");
    let path = d.file("h.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut p, 2, 1);
    p.begin_write(false).unwrap();
    retag(&mut p, &[2], 2);
    p.crash_before_journal_finalize().unwrap();
    let ro = OpenFlags {
        read_only: true,
        create: false,
        ..OpenFlags::main_db()
    };
    let mut p = Pager::open(posix(), &path, ro).unwrap();
    assert!(p.is_readonly());
    let e = p.begin_read().unwrap_err();
    assert_eq!(e.result_code(), ResultCode::READONLY_ROLLBACK);
    assert_eq!(p.begin_write(false).unwrap_err(), PagerError::ReadOnly);
}

#[test]
fn stale_handles_and_eviction_under_small_cache() {
    let d = TempDir::new("evict");
    let path = d.file("e.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.set_page_size(512).unwrap();
    create_db(&mut p, 60, 1);
    p.set_cache_size(10);
    p.begin_read().unwrap();
    let first = p.get(1).unwrap();
    for i in 2..=60 {
        assert_eq!(tag_of(&mut p, i), 1);
    }
    assert_eq!(p.data(first), Err(PagerError::StaleHandle));
    assert_eq!(
        p.data(first).unwrap_err().result_code(),
        ResultCode::INTERNAL
    );
    let (_, misses) = p.cache_stats();
    let again = p.get(1).unwrap();
    assert_eq!(&p.data(again).unwrap()[..6], b"SQLite");
    assert_eq!(p.cache_stats().1, misses + 1, "page 1 had to be re-read");
    p.end_read();
    // Dirty pages are never evicted.
    p.begin_write(false).unwrap();
    let pages: Vec<Pgno> = (1..=40).collect();
    retag(&mut p, &pages, 3);
    for i in 41..=60 {
        tag_of(&mut p, i);
    }
    p.commit().unwrap();
    let mut want = vec![3u8; 40];
    want.extend(vec![1u8; 20]);
    assert_eq!(all_tags(&mut p), want);
    p.end_read();
}

#[test]
fn two_pagers_exclude_and_see_each_others_commits() {
    let d = TempDir::new("two");
    let path = d.file("t.db");
    let mut a = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    let mut b = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut a, 2, 1);
    b.begin_read().unwrap();
    assert_eq!(all_tags(&mut b), vec![1, 1]);
    b.end_read();
    a.begin_write(false).unwrap();
    assert_eq!(b.begin_write(false).unwrap_err(), PagerError::Busy);
    b.begin_read().unwrap();
    retag(&mut a, &[2], 5);
    // b's SHARED blocks a's commit; the busy handler is consulted.
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let c2 = calls.clone();
    a.set_busy_handler(Some(Box::new(move |n| {
        c2.store(n + 1, std::sync::atomic::Ordering::SeqCst);
        n < 2
    })));
    assert_eq!(a.commit().unwrap_err(), PagerError::Busy);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(all_tags(&mut b), vec![1, 1], "b still sees the old data");
    b.end_read();
    a.commit().unwrap();
    a.end_read();
    b.begin_read().unwrap();
    assert_eq!(all_tags(&mut b), vec![1, 5], "b's cache was refreshed");
    b.end_read();
}

#[test]
fn not_a_database_and_empty_file() {
    let d = TempDir::new("notadb");
    let path = d.file("n.db");
    std::fs::write(&path, vec![b'x'; 1024]).unwrap();
    // As in SQLite, the header is judged under SHARED (after any hot
    // journal is rolled back), so the open succeeds and the read fails.
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    let e = p.begin_read().unwrap_err();
    assert_eq!(e, PagerError::NotADatabase);
    assert_eq!(e.result_code(), ResultCode::NOTADB);
    let e = Pager::open(posix(), &d.file("no/such/dir.db"), OpenFlags::main_db()).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CANTOPEN);
    let empty = d.file("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let mut p = Pager::open(posix(), &empty, OpenFlags::main_db()).unwrap();
    p.begin_read().unwrap();
    assert_eq!(p.page_count(), 0);
    assert!(p.set_page_size(1000).is_err());
}

#[test]
fn sticky_error_until_rollback() {
    let vfs = MockVfs::new();
    let mut p = Pager::open(Arc::new(vfs.clone()), "db", OpenFlags::main_db()).unwrap();
    create_db(&mut p, 3, 1);
    p.begin_write(false).unwrap();
    vfs.inject(MockFault::IoErrorAfter {
        countdown: 0,
        persistent: true,
    });
    let r = p.get(2).unwrap();
    let e = p.data_mut(r).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::IOERR_WRITE);
    vfs.clear_faults();
    assert_eq!(p.data_mut(r).unwrap_err(), e, "error is sticky");
    assert_eq!(p.commit().unwrap_err(), e);
    p.rollback().unwrap();
    p.end_read();
    p.begin_write(false).unwrap();
    retag(&mut p, &[2], 4);
    p.commit().unwrap();
    assert_eq!(all_tags(&mut p), vec![1, 4, 1]);
    p.end_read();
    vfs.inject(MockFault::FsyncFail);
    p.begin_write(false).unwrap();
    retag(&mut p, &[3], 5);
    assert_eq!(
        p.commit().unwrap_err().result_code(),
        ResultCode::IOERR_FSYNC
    );
    vfs.clear_faults();
    p.rollback().unwrap();
    assert_eq!(all_tags(&mut p), vec![1, 4, 1]);
}

/// Fails the n-th I/O call of a commit, then either crashes or rolls back
/// (and crashes later); the database always holds the old or the new
/// content, never a mix, and a commit that reported success is never lost.
#[test]
fn mock_crash_matrix_is_atomic() {
    for mode in [
        JournalMode::Delete,
        JournalMode::Truncate,
        JournalMode::Persist,
        JournalMode::Memory,
    ] {
        for use_rollback in [false, true] {
            let mut n = 0;
            loop {
                let vfs = MockVfs::new();
                let mut p = Pager::open(Arc::new(vfs.clone()), "db", OpenFlags::main_db()).unwrap();
                p.set_journal_mode(mode).unwrap();
                p.set_page_size(512).unwrap();
                create_db(&mut p, 4, 1);
                vfs.mark_all_synced();
                p.begin_write(false).unwrap();
                retag(&mut p, &[1, 2, 3], 2);
                p.truncate_to(3).unwrap();
                vfs.inject(MockFault::IoErrorAfter {
                    countdown: n,
                    persistent: true,
                });
                let committed = p.commit().is_ok();
                if use_rollback {
                    vfs.clear_faults();
                    p.rollback().unwrap();
                    let tags = all_tags(&mut p);
                    p.end_read();
                    drop(p);
                    assert!(
                        tags == vec![1, 1, 1, 1] || tags == vec![2, 2, 2],
                        "{mode:?} n={n} after rollback: {tags:?}"
                    );
                } else {
                    let _ = p.crash_before_journal_finalize();
                }
                vfs.crash();
                vfs.clear_faults();
                let mut p = Pager::open(Arc::new(vfs.clone()), "db", OpenFlags::main_db()).unwrap();
                p.set_journal_mode(mode).unwrap();
                p.begin_read().unwrap();
                let tags = all_tags(&mut p);
                if committed {
                    assert_eq!(tags, vec![2, 2, 2], "{mode:?} n={n}: committed data lost");
                    break;
                }
                if mode != JournalMode::Memory {
                    assert!(
                        tags == vec![1, 1, 1, 1] || tags == vec![2, 2, 2],
                        "{mode:?} n={n} rollback={use_rollback}: {tags:?}"
                    );
                }
                n += 1;
                assert!(n < 100);
            }
            eprintln!("{mode:?} rollback={use_rollback}: {n} failure points");
            assert!(
                n >= 4,
                "{mode:?}: the matrix should cover several I/O steps"
            );
        }
    }
}

/// Threads with their own pagers on one file increment a counter on page 2
/// under contention; busy handlers retry; no increment may be lost.
#[test]
fn concurrent_writers_serialize_through_locks() {
    let d = TempDir::new("threads");
    let path = d.file("c.db");
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut p, 2, 0);
    drop(p);
    const THREADS: u32 = 4;
    const ROUNDS: u32 = 25;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
                p.set_synchronous(Synchronous::Off);
                p.set_busy_handler(Some(Box::new(|n| {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    n < 20_000
                })));
                let mut done = 0;
                while done < ROUNDS {
                    if p.begin_write(t % 2 == 0).is_err() {
                        continue;
                    }
                    let r = p.get(2).unwrap();
                    let d = p.data_mut(r).unwrap();
                    let v = u32::from_be_bytes(d[300..304].try_into().unwrap());
                    d[300..304].copy_from_slice(&(v + 1).to_be_bytes());
                    match p.commit() {
                        Ok(()) => done += 1,
                        Err(PagerError::Busy) => p.rollback().unwrap(),
                        Err(e) => panic!("{e}"),
                    }
                    p.end_read();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.begin_read().unwrap();
    let r = p.get(2).unwrap();
    let v = u32::from_be_bytes(p.data(r).unwrap()[300..304].try_into().unwrap());
    assert_eq!(v, THREADS * ROUNDS);
    let r = p.get(1).unwrap();
    let counter = u32::from_be_bytes(p.data(r).unwrap()[24..28].try_into().unwrap());
    assert_eq!(
        counter,
        1 + THREADS * ROUNDS,
        "one change-counter bump per commit"
    );
}

/// A sparse 1 GiB database: `allocate` skips the lock-byte page (the page
/// holding byte 0x40000000), which can never be read.
#[test]
fn allocate_skips_the_lock_byte_page() {
    let d = TempDir::new("lockpage");
    let path = d.file("big.db");
    let ps = 65536usize;
    let lock_page = loomdb::pager::lock_byte_page(ps);
    assert_eq!(lock_page, 16385);
    {
        let mut p1 = vec![0u8; ps];
        format_page1(&mut p1, ps);
        std::fs::write(&path, &p1).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len((lock_page as u64 - 1) * ps as u64).unwrap();
    }
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    assert_eq!(p.page_size(), ps);
    p.begin_write(false).unwrap();
    assert_eq!(p.page_count(), lock_page - 1);
    let (pgno, r) = p.allocate().unwrap();
    assert_eq!(pgno, lock_page + 1);
    assert_eq!(p.page_count(), lock_page + 1);
    stamp(p.data_mut(r).unwrap(), pgno, 9);
    assert!(matches!(p.get(lock_page), Err(PagerError::Corrupt { .. })));
    p.commit().unwrap();
    p.end_read();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        u64::from(lock_page + 1) * ps as u64
    );
    p.begin_read().unwrap();
    assert_eq!(tag_of(&mut p, lock_page + 1), 9);
    p.end_read();
}

#[test]
fn exclusive_locking_mode_and_max_page_count() {
    let d = TempDir::new("xmode");
    let path = d.file("x.db");
    let mut a = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    let mut b = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    create_db(&mut a, 3, 1);
    a.set_exclusive_mode(true);
    a.begin_write(false).unwrap();
    retag(&mut a, &[2], 2);
    a.commit().unwrap();
    a.end_read();
    assert_eq!(
        b.begin_read().unwrap_err(),
        PagerError::Busy,
        "a keeps its lock"
    );
    a.begin_read().unwrap();
    assert!(a.lookup(2).is_some(), "cache survives in exclusive mode");
    assert_eq!(all_tags(&mut a), vec![1, 2, 1]);
    a.end_read();
    a.set_exclusive_mode(false);
    b.begin_read().unwrap();
    assert_eq!(all_tags(&mut b), vec![1, 2, 1]);
    assert!(b.lookup(3).is_some());
    b.end_read();
    assert!(b.lookup(3).is_none(), "no lookups outside a transaction");
    assert_eq!(a.set_max_page_count(0), loomdb::pager::MAX_PAGE_COUNT);
    a.begin_write(false).unwrap();
    assert_eq!(a.set_max_page_count(1), 3, "never below the current size");
    assert_eq!(a.set_max_page_count(4), 4);
    a.allocate().unwrap();
    let e = a.allocate().unwrap_err();
    assert_eq!(e.result_code(), ResultCode::FULL);
    a.rollback().unwrap();
}
