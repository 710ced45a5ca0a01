//! Corruption robustness: at least 10,000 mutated database files (bit
//! flips, byte smashes in the header, page headers and cell pointers,
//! page-number smashes, truncations, freelist and overflow-chain cycles,
//! header page-count lies) are opened and queried — every table scanned,
//! `count(*)`, `PRAGMA integrity_check`, an UPDATE and a DELETE. No case
//! may panic (each runs under `catch_unwind`) or hang (a watchdog
//! interrupts a case after 5 s, counts it as a hang, and aborts the run at
//! 30 s); SQLITE_CORRUPT, SQLITE_NOTADB and other errors are fine.
//!
//! SQLite counterpart: the corrupt*.test files and the dbsqlfuzz corpus of
//! SQLite's suite — the idea only.
//!
//! Invariants:
//! 1. The seed databases are generated in-test (loom on a `MockVfs`), so
//!    the suite needs nothing from outside the repository.
//! 2. Every mutation is a function of (seed database, case number), so any
//!    failure is reproducible from the case number printed with it.

#[path = "support/storage.rs"]
mod storage;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loomdb::api::{Database, DbError, OpenOptions, Value};
use loomdb::vfs::{register_vfs, MockVfs};
use storage::{summary, Rng};

const CASES_PER_SUITE: u64 = 5_000;

fn open(name: &str, path: &str) -> Result<Database, DbError> {
    Database::open(
        path,
        OpenOptions {
            vfs: Some(name.to_string()),
            ..OpenOptions::default()
        },
    )
}

/// A small database built by loom: tables, indexes, overflow rows and a
/// freelist.
fn seed_db(page_size: u32, variant: u64) -> Vec<u8> {
    // Unique per call: both suites build the same seeds in parallel threads.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("corrupt-seed-{page_size}-{variant}-{n}");
    let vfs = MockVfs::new();
    vfs.set_tracing(false);
    register_vfs(&name, Arc::new(vfs.clone()));
    let db = open(&name, "/seed.db").expect("open seed");
    db.execute_batch(&format!(
        "PRAGMA page_size={page_size}; \
         CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB); \
         CREATE INDEX t_b ON t(b); \
         CREATE TABLE u(x, y, z, PRIMARY KEY(x, y)); BEGIN;"
    ))
    .expect("schema");
    let mut rng = Rng::new(variant);
    for i in 0..120 {
        let len = if i % 9 == 0 {
            1500 + rng.below(3000)
        } else {
            rng.below(80)
        };
        db.execute(
            "INSERT INTO t(b, c) VALUES (?1, ?2)",
            &[
                Value::Text(format!("row{}", rng.below(1000)).into_bytes()),
                Value::Blob(rng.bytes(len as usize)),
            ],
        )
        .expect("insert");
        db.execute(
            "INSERT OR REPLACE INTO u VALUES (?1, ?2, ?3)",
            &[
                Value::Integer(i % 17),
                Value::Integer(rng.below(30) as i64),
                Value::Real(rng.below(1000) as f64 / 7.0),
            ],
        )
        .expect("insert u");
    }
    db.commit().expect("commit");
    if variant % 2 == 1 {
        db.execute_batch("DELETE FROM t WHERE a % 3 = 0")
            .expect("delete");
    }
    drop(db);
    vfs.file_bytes("/seed.db").expect("seed bytes")
}

fn be32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn put32(b: &mut [u8], off: usize, v: u32) {
    if let Some(s) = b.get_mut(off..off + 4) {
        s.copy_from_slice(&v.to_be_bytes());
    }
}

/// Applies mutation number `kind` to `db`.
fn mutate(db: &mut Vec<u8>, rng: &mut Rng, kind: u64, ps: usize) {
    let npages = db.len() / ps;
    let page = rng.below(npages as u64) as usize;
    let base = page * ps;
    let hdr = if page == 0 { 100 } else { 0 };
    match kind {
        0 => {
            for _ in 0..1 + rng.below(4) {
                let off = rng.below(db.len() as u64) as usize;
                db[off] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let off = rng.below(100) as usize;
            db[off] = rng.next() as u8;
        }
        2 => {
            // Page header or cell pointer array.
            let off = base + hdr + rng.below(12 + 2 * 20) as usize;
            if off < db.len() {
                db[off] = rng.next() as u8;
            }
        }
        3 => {
            // A plausible-looking page number somewhere in a page.
            let off = base + hdr + rng.below((ps - hdr - 4) as u64) as usize;
            let v = match rng.below(4) {
                0 => 0,
                1 => (page + 1) as u32,
                2 => rng.below(npages as u64 + 3) as u32,
                _ => rng.next() as u32,
            };
            put32(db, off, v);
        }
        4 => {
            let len = rng.below(db.len() as u64) as usize;
            db.truncate(len);
        }
        5 => {
            // Freelist cycle: first trunk points to itself, or the header
            // points at a b-tree page as the trunk.
            let trunk = be32(db, 32) as usize;
            if trunk >= 1 && trunk <= npages && rng.chance(1, 2) {
                put32(db, (trunk - 1) * ps, trunk as u32);
            } else {
                put32(db, 32, 1 + rng.below(npages as u64) as u32);
                put32(db, 36, 1 + rng.below(50) as u32);
            }
        }
        6 => {
            // Overflow (or freelist) chain cycle: a non-b-tree page's
            // next pointer aimed back at itself or an earlier page.
            let cands: Vec<usize> = (1..npages)
                .filter(|p| !matches!(db[p * ps], 2 | 5 | 10 | 13))
                .collect();
            if cands.is_empty() {
                db[base + hdr] ^= 0x08;
            } else {
                let p = cands[rng.below(cands.len() as u64) as usize];
                let to = if rng.chance(1, 2) {
                    p + 1
                } else {
                    cands[0] + 1
                };
                put32(db, p * ps, to as u32);
            }
        }
        7 => {
            // The header's page count lies, or the file grows garbage.
            if rng.chance(1, 2) {
                put32(db, 28, rng.below(npages as u64 * 2 + 2) as u32);
            } else {
                let n = ps * (1 + rng.below(3) as usize);
                let extra = rng.bytes(n);
                db.extend_from_slice(&extra);
            }
        }
        _ => {
            // Smash a whole run of bytes.
            let off = rng.below(db.len() as u64) as usize;
            let n = (1 + rng.below(64) as usize).min(db.len() - off);
            for b in &mut db[off..off + n] {
                *b = rng.next() as u8;
            }
        }
    }
}

/// Opens and queries one mutated file; errors are fine.
fn exercise(db: &Database) {
    let tables = db
        .query_all("SELECT name FROM sqlite_master WHERE type='table'", &[])
        .unwrap_or_default();
    for t in tables {
        if let Some(Value::Text(n)) = t.first() {
            let n = String::from_utf8_lossy(n).into_owned();
            let _ = db.query_all(&format!("SELECT * FROM \"{n}\""), &[]);
            let _ = db.query_all(&format!("SELECT count(*) FROM \"{n}\""), &[]);
        }
    }
    let _ = db.query_all("SELECT b FROM t WHERE b > 'row5' ORDER BY b", &[]);
    let _ = db.query_all("PRAGMA integrity_check", &[]);
    let _ = db.execute(
        "UPDATE t SET b = b || 'x', c = zeroblob(700) WHERE a % 4 = 1",
        &[],
    );
    let _ = db.execute("DELETE FROM u WHERE x = 3", &[]);
    let _ = db.execute("INSERT INTO t(b, c) VALUES ('new', zeroblob(3000))", &[]);
    let _ = db.query_all("PRAGMA integrity_check", &[]);
}

thread_local! {
    static IN_CASE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Silences the panic message of panics caught inside a case (they are
/// counted and reported instead); other panics print as usual.
fn quiet_panics_in_cases() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_CASE.with(|c| c.get()) {
                default_hook(info);
            }
        }));
    });
}

fn suite(tag: &str, first_case: u64) {
    let seeds: Vec<(usize, Vec<u8>)> = [(512u32, 0u64), (512, 1), (1024, 2), (1024, 3), (4096, 5)]
        .iter()
        .map(|&(ps, v)| (ps as usize, seed_db(ps, v)))
        .collect();
    let current = Arc::new(AtomicU64::new(u64::MAX));
    let done = Arc::new(AtomicBool::new(false));
    let slot: Arc<Mutex<Option<Database>>> = Arc::new(Mutex::new(None));
    let hangs = Arc::new(AtomicU64::new(0));
    let watchdog = {
        let (current, done, slot, hangs) =
            (current.clone(), done.clone(), slot.clone(), hangs.clone());
        std::thread::spawn(move || {
            let mut last = (u64::MAX, Instant::now(), false);
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let c = current.load(Ordering::Relaxed);
                if c != last.0 {
                    last = (c, Instant::now(), false);
                    continue;
                }
                let age = last.1.elapsed();
                if age > Duration::from_secs(5) && !last.2 {
                    eprintln!("storage_corrupt: case {c} hangs; interrupting");
                    hangs.fetch_add(1, Ordering::Relaxed);
                    if let Some(db) = slot.lock().ok().and_then(|g| g.clone()) {
                        db.interrupt();
                    }
                    last.2 = true;
                }
                if age > Duration::from_secs(30) {
                    eprintln!("storage_corrupt: case {c} hung past 30 s, aborting");
                    std::process::exit(2);
                }
            }
        })
    };
    quiet_panics_in_cases();
    let name = format!("corrupt-{tag}");
    let vfs = MockVfs::new();
    vfs.set_tracing(false);
    register_vfs(&name, Arc::new(vfs.clone()));
    let mut failures = Vec::new();
    let mut passed = 0;
    let (mut opened, mut errors) = (0u64, 0u64);
    for case in first_case..first_case + CASES_PER_SUITE {
        let mut rng = Rng::new(case);
        let (ps, seed) = &seeds[(case % seeds.len() as u64) as usize];
        let mut bytes = seed.clone();
        for _ in 0..1 + rng.below(2) {
            let kind = rng.below(9);
            mutate(&mut bytes, &mut rng, kind, *ps);
        }
        let path = format!("/c{case}.db");
        vfs.set_file_bytes(&path, &bytes);
        current.store(case, Ordering::Relaxed);
        IN_CASE.with(|c| c.set(true));
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| match open(&name, &path) {
            Ok(db) => {
                if let Ok(mut g) = slot.lock() {
                    *g = Some(db.clone());
                }
                exercise(&db);
                let ok = db.query_first_row("SELECT 1", &[]).is_ok();
                if let Ok(mut g) = slot.lock() {
                    *g = None;
                }
                (true, ok)
            }
            Err(_) => (false, false),
        }));
        IN_CASE.with(|c| c.set(false));
        drop(loomdb::vfs::Vfs::delete(&vfs, &path, false));
        match r {
            Ok((o, ok)) => {
                passed += 1;
                opened += u64::from(o);
                errors += u64::from(!ok);
            }
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("case {case}: panic: {msg}"));
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    let hangs = hangs.load(Ordering::Relaxed);
    if hangs > 0 {
        failures.push(format!("{hangs} hanging cases"));
    }
    println!(
        "storage_corrupt {tag}: {CASES_PER_SUITE} mutated files, {opened} opened, \
         {} panics, {hangs} hangs, {errors} left the connection failing `SELECT 1`",
        failures.len() - usize::from(hangs > 0)
    );
    summary(&format!("storage_corrupt {tag}"), passed, &failures);
}

#[test]
fn corrupt_files_a() {
    suite("a", 0);
}

#[test]
fn corrupt_files_b() {
    suite("b", 1_000_000);
}
