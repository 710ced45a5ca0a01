//! Multi-file atomic commit (super-journals): crash matrix on [`MockVfs`]
//! and interop with C SQLite (python3's sqlite3 module).
//!
//! SQLite counterpart: the multi-file crash tests of SQLite's suite
//! (crash2.test-style ATTACH workloads, the idea only); atomiccommit.html
//! section 5 "Multi-file Commit".
//!
//! Invariants checked:
//! 1. After a power cut anywhere in a workload of transactions that each
//!    write the main and an attached database, both files hold the same
//!    set of committed transactions: the counter row `c.n`, bumped in both
//!    by every transaction, is equal in both and equals the number of
//!    returned commits (plus one if the cut hit a COMMIT); both pass
//!    `integrity_check`; a super-journal left by the crash is gone once
//!    both databases were read.
//! 2. A journal pair loom leaves with its super-journal (cut just before
//!    the super-journal's deletion) is rolled back by C SQLite; cut just
//!    after it, C keeps the commit. So C reads loom's pointer record.
//! 3. A super-journal left by a SIGKILLed C SQLite writer is resolved by
//!    loom as C would (skipped with a message if no kill lands there).

#[path = "support/storage.rs"]
mod storage;

use std::sync::Arc;

use loomdb::api::{Database, DbError, OpenOptions, Value};
use loomdb::vfs::{register_vfs, unregister_vfs, MockFault, MockVfs};
use storage::{python, Rng, TempDir};

/// Crash points per (journal mode, synchronous) pair.
const POINTS_PER_COMBO: usize = 200;
const TXNS: usize = 6;

fn open(vfs: Option<&str>, dir: &str) -> Result<Database, DbError> {
    let db = Database::open(
        &format!("{dir}/main.db"),
        OpenOptions {
            vfs: vfs.map(str::to_string),
            ..OpenOptions::default()
        },
    )?;
    db.execute_batch(&format!("ATTACH '{dir}/aux.db' AS aux"))?;
    Ok(db)
}

/// The counter of `schema`; -1 when the setup transaction did not commit.
fn counter(db: &Database, schema: &str) -> Result<i64, DbError> {
    let rows = match db.query_all(&format!("SELECT n FROM {schema}.c"), &[]) {
        Err(e) if e.to_string().contains("no such table") => return Ok(-1),
        r => r?,
    };
    match rows.first().and_then(|r| r.first()) {
        Some(Value::Integer(n)) => Ok(*n),
        _ => Ok(-1),
    }
}

fn integrity(db: &Database, schema: &str) -> Result<String, DbError> {
    let rows = db.query_all(&format!("PRAGMA {schema}.integrity_check"), &[])?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(Value::Text(t)) = r.first() {
            out.push(String::from_utf8_lossy(t).into_owned());
        }
    }
    Ok(out.join("\n"))
}

/// One transaction of the workload: bump both counters, insert or delete
/// rows of random size in both files.
fn txn_sql(rng: &mut Rng) -> String {
    let mut s = String::from("BEGIN; UPDATE main.c SET n=n+1; UPDATE aux.c SET n=n+1;");
    for schema in ["main", "aux"] {
        for _ in 0..1 + rng.below(3) {
            if rng.chance(1, 4) {
                s.push_str(&format!(
                    "DELETE FROM {schema}.t WHERE k IN (SELECT k FROM {schema}.t ORDER BY random() LIMIT 2);"
                ));
            } else {
                let len = 50 + rng.below(3000);
                s.push_str(&format!(
                    "INSERT INTO {schema}.t(v) VALUES (randomblob({len}));"
                ));
            }
        }
    }
    s.push_str("COMMIT;");
    s
}

/// Progress of a run: commits returned, and whether the cut hit a COMMIT.
#[derive(Default, Debug, Clone, Copy)]
struct Progress {
    done: i64,
    in_commit: bool,
}

fn setup(db: &Database, mode: &str, sync: &str) -> Result<(), DbError> {
    db.execute_batch(&format!(
        "PRAGMA main.page_size=1024; PRAGMA aux.page_size=1024;
         PRAGMA main.journal_mode={mode}; PRAGMA aux.journal_mode={mode};
         PRAGMA main.synchronous={sync}; PRAGMA aux.synchronous={sync};"
    ))
}

fn run(vfs: &str, mode: &str, sync: &str, txns: &[String], setup_done: bool) -> Progress {
    let mut p = Progress::default();
    let Ok(db) = open(Some(vfs), "/sj") else {
        return p;
    };
    if setup(&db, mode, sync).is_err() {
        return p;
    }
    if !setup_done {
        let r = db.execute_batch(
            "BEGIN; CREATE TABLE main.c(n); INSERT INTO main.c VALUES(0);
             CREATE TABLE main.t(k INTEGER PRIMARY KEY, v);
             CREATE TABLE aux.c(n); INSERT INTO aux.c VALUES(0);
             CREATE TABLE aux.t(k INTEGER PRIMARY KEY, v); COMMIT;",
        );
        if r.is_err() {
            return p;
        }
    }
    for t in txns {
        p.in_commit = true;
        if db.execute_batch(t).is_err() {
            return p;
        }
        p.in_commit = false;
        p.done += 1;
    }
    p
}

/// The super-journal named by the pointer at the end of a journal image.
fn pointer_of(journal: &[u8]) -> Option<String> {
    let n = journal.len();
    if n < 16 || journal[n - 8..] != [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7] {
        return None;
    }
    let len = u32::from_be_bytes(journal[n - 16..n - 12].try_into().ok()?) as usize;
    let start = (n - 16).checked_sub(len)?;
    String::from_utf8(journal[start..n - 16].to_vec()).ok()
}

fn verify(vfs: &MockVfs, name: &str, p: Progress) -> Result<(), String> {
    // (hot, pointer) of each journal left by the crash. A super-journal
    // must be gone after recovery when every journal pointing to it was
    // hot (first byte non-zero): those are played back or finalized, and
    // the last one releases it. A cold journal is left alone, as SQLite does.
    let journals: Vec<(bool, Option<String>)> = ["/sj/main.db-journal", "/sj/aux.db-journal"]
        .iter()
        .filter_map(|j| vfs.file_bytes(j))
        .map(|b| (b.first().is_some_and(|&x| x != 0), pointer_of(&b)))
        .collect();
    let supers: Vec<String> = journals
        .iter()
        .filter_map(|(_, p)| p.clone())
        .filter(|s| {
            journals
                .iter()
                .all(|(hot, p)| *hot || p.as_ref() != Some(s))
        })
        .collect();
    let db = open(Some(name), "/sj").map_err(|e| format!("reopen: {e}"))?;
    let q = |e: DbError| format!("query: {e}");
    let (m, a) = (
        counter(&db, "main").map_err(q)?,
        counter(&db, "aux").map_err(q)?,
    );
    for s in ["main", "aux"] {
        let ic = integrity(&db, s).map_err(q)?;
        if ic != "ok" {
            return Err(format!("{s} integrity_check: {ic}"));
        }
    }
    if m != a {
        return Err(format!("main counter {m} != aux counter {a}"));
    }
    // -1: the crash hit the setup transaction (no table, or no row).
    let ok = m == p.done || (p.in_commit && m == p.done + 1) || (p.done == 0 && m == -1);
    if !ok {
        return Err(format!(
            "counter {m}, {} commits returned (in_commit {})",
            p.done, p.in_commit
        ));
    }
    drop(db);
    for s in supers {
        if vfs.file_bytes(&s).is_some() {
            return Err(format!("super-journal {s} left after recovery"));
        }
    }
    Ok(())
}

fn matrix(mode: &str) {
    let (mut passed, mut failures) = (0usize, Vec::new());
    for sync in ["full", "normal"] {
        let name = format!("superj-{mode}-{sync}");
        let mut rng = Rng::new(storage::fnv(name.as_bytes()));
        let txns: Vec<String> = (0..TXNS).map(|_| txn_sql(&mut rng)).collect();
        let dry = MockVfs::new();
        dry.set_tracing(false);
        register_vfs(&name, Arc::new(dry.clone()));
        let p = run(&name, mode, sync, &txns, false);
        assert_eq!(p.done, TXNS as i64, "dry run {name}");
        let total = dry.ops();
        let mut with_super = 0;
        for i in 0..POINTS_PER_COMBO {
            let cut = rng.below(total + 5);
            let vfs = MockVfs::new();
            vfs.set_tracing(false);
            register_vfs(&name, Arc::new(vfs.clone()));
            vfs.inject(MockFault::PowerCutAfter {
                countdown: cut as u32,
            });
            let p = run(&name, mode, sync, &txns, false);
            if sync == "full" {
                vfs.crash_torn(i as u64);
            } else {
                vfs.crash();
            }
            vfs.clear_faults();
            with_super += usize::from(
                vfs.file_bytes("/sj/main.db-journal")
                    .and_then(|b| pointer_of(&b))
                    .is_some(),
            );
            match verify(&vfs, &name, p) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{name} cut {cut} seed {i}: {e}")),
            }
        }
        unregister_vfs(&name);
        println!(
            "superj crash matrix journal_mode={mode} synchronous={sync}: {POINTS_PER_COMBO} \
             crash points ({with_super} with a super-journal pointer on disk)"
        );
    }
    for f in failures.iter().take(10) {
        println!("FAIL {f}");
    }
    println!("{passed} passed, {} failed", failures.len());
    assert!(failures.is_empty());
}

#[test]
fn superj_crash_delete() {
    matrix("delete");
}

#[test]
fn superj_crash_truncate() {
    matrix("truncate");
}

#[test]
fn superj_crash_persist() {
    matrix("persist");
}

/// Runs the interop workload on MockVfs `name` rooted at `dir`: setup,
/// T1, T2; returns commits done.
fn interop_run(name: &str, dir: &str, txns: &[String]) -> i64 {
    let Ok(db) = open(Some(name), dir) else {
        return 0;
    };
    let setup = db.execute_batch(
        "BEGIN; CREATE TABLE main.c(n); INSERT INTO main.c VALUES(0);
         CREATE TABLE main.t(k INTEGER PRIMARY KEY, v);
         CREATE TABLE aux.c(n); INSERT INTO aux.c VALUES(0);
         CREATE TABLE aux.t(k INTEGER PRIMARY KEY, v); COMMIT;",
    );
    if setup.is_err() {
        return 0;
    }
    let mut done = 0;
    for t in txns {
        if db.execute_batch(t).is_err() {
            break;
        }
        done += 1;
    }
    done
}

/// Where a cut left the multi-file commit of T2.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Stage {
    /// Both journals point to a super-journal that exists (step 2/3 done).
    BeforeCommitPoint,
    /// Both journals point to a super-journal that is gone (step 4 done).
    AfterCommitPoint,
    Other,
}

fn stage(vfs: &MockVfs, dir: &str) -> (Stage, Option<String>) {
    let ptr = |db: &str| {
        vfs.file_bytes(&format!("{dir}/{db}-journal"))
            .filter(|b| b.first().is_some_and(|&x| x != 0))
            .and_then(|b| pointer_of(&b))
    };
    match (ptr("main.db"), ptr("aux.db")) {
        (Some(a), Some(b)) if a == b => {
            let s = if vfs.file_bytes(&a).is_some() {
                Stage::BeforeCommitPoint
            } else {
                Stage::AfterCommitPoint
            };
            (s, Some(a))
        }
        _ => (Stage::Other, None),
    }
}

const PY_CHECK: &str = r#"
import sqlite3, sys, os
d = sys.argv[1]
c = sqlite3.connect(d + '/main.db')
c.execute("ATTACH ? AS aux", (d + '/aux.db',))
m = c.execute("SELECT n FROM main.c").fetchone()[0]
a = c.execute("SELECT n FROM aux.c").fetchone()[0]
i1 = c.execute("PRAGMA main.integrity_check").fetchone()[0]
i2 = c.execute("PRAGMA aux.integrity_check").fetchone()[0]
left = sorted(f for f in os.listdir(d) if '-mj' in f or f.endswith('-journal'))
print(m, a, i1, i2, ','.join(left) or '-')
"#;

/// Loom crashes just before / just after deleting the super-journal;
/// C SQLite must roll T2 back / keep it.
#[test]
fn superj_interop_loom_to_c() {
    if !storage::tools_present() {
        println!("0 passed, 0 failed (skipped: no python3/sqlite3)");
        return;
    }
    let mut rng = Rng::new(7);
    let txns: Vec<String> = (0..2).map(|_| txn_sql(&mut rng)).collect();
    let (mut passed, mut failed) = (0, 0);
    for want in [Stage::BeforeCommitPoint, Stage::AfterCommitPoint] {
        let tmp = TempDir::new("superj");
        let dir = tmp.0.to_string_lossy().into_owned();
        let name = format!("superj-interop-{want:?}");
        let dry = MockVfs::new();
        dry.set_tracing(false);
        register_vfs(&name, Arc::new(dry.clone()));
        assert_eq!(interop_run(&name, &dir, &txns), 2);
        let total = dry.ops();
        // The last (BeforeCommitPoint) or first (AfterCommitPoint) cut
        // that leaves the wanted stage on disk.
        let mut found = None;
        for cut in 0..total {
            let vfs = MockVfs::new();
            vfs.set_tracing(false);
            register_vfs(&name, Arc::new(vfs.clone()));
            vfs.inject(MockFault::PowerCutAfter {
                countdown: cut as u32,
            });
            let done = interop_run(&name, &dir, &txns);
            vfs.crash();
            vfs.clear_faults();
            let (st, sup) = stage(&vfs, &dir);
            // The last such cut: T2's commit (T1 is a multi-file one too).
            if st == want {
                found = Some((vfs, sup, done));
            }
        }
        unregister_vfs(&name);
        let Some((vfs, sup, done)) = found else {
            println!("FAIL no cut leaves stage {want:?}");
            failed += 1;
            continue;
        };
        let mut files = vec!["main.db", "aux.db", "main.db-journal", "aux.db-journal"]
            .into_iter()
            .map(|f| format!("{dir}/{f}"))
            .collect::<Vec<_>>();
        files.extend(sup.clone());
        for f in &files {
            if let Some(b) = vfs.file_bytes(f) {
                std::fs::write(f, b).expect("write image");
            }
        }
        let (ok, out, err) = python(PY_CHECK, &[&dir]);
        // Before the commit point the COMMIT failed and C rolls it back;
        // after it, loom's COMMIT returned success and C must keep it.
        let expect_n = done;
        let expected = format!("{expect_n} {expect_n} ok ok -");
        if ok && out.trim() == expected {
            println!("{want:?}: C SQLite sees {done} committed transactions in both files");
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {want:?} ({done} commits): C SQLite says {out:?} {err}, expected {expected:?}");
        }
    }
    println!("superj interop loom->C: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

const PY_WRITER: &str = r#"
import sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + '/main.db', isolation_level=None)
c.execute("ATTACH ? AS aux", (d + '/aux.db',))
for s in ('main', 'aux'):
    c.execute("PRAGMA %s.synchronous=FULL" % s)
    c.execute("CREATE TABLE IF NOT EXISTS %s.c(n)" % s)
    c.execute("CREATE TABLE IF NOT EXISTS %s.t(k INTEGER PRIMARY KEY, v)" % s)
    if c.execute("SELECT count(*) FROM %s.c" % s).fetchone()[0] == 0:
        c.execute("INSERT INTO %s.c VALUES(0)" % s)
print('ready', flush=True)
while True:
    c.execute("BEGIN")
    for s in ('main', 'aux'):
        c.execute("UPDATE %s.c SET n=n+1" % s)
        c.execute("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i<300) "
                  "INSERT INTO %s.t(v) SELECT randomblob(2000) FROM r" % s)
        c.execute("DELETE FROM %s.t WHERE k < (SELECT max(k) - 1500 FROM %s.t)" % (s, s))
    c.execute("COMMIT")
"#;

/// The super-journal named by the pointer of a journal on disk.
fn disk_pointer(path: &str) -> (bool, Option<String>) {
    match std::fs::read(path) {
        Ok(b) => (b.first().is_some_and(|&x| x != 0), pointer_of(&b)),
        Err(_) => (false, None),
    }
}

/// A C SQLite writer killed (SIGKILL) in the middle of multi-file commits
/// until it leaves a journal pointing to a super-journal; loom must then
/// see both files at the same transaction, sound, and clean up.
#[test]
fn superj_interop_c_to_loom() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    if !storage::tools_present() {
        println!("0 passed, 0 failed (skipped: no python3/sqlite3)");
        return;
    }
    const TRIES: u64 = 40;
    let (mut hits, mut passed, mut failed) = (0, 0, 0);
    let mut rng = Rng::new(99);
    for attempt in 0..TRIES {
        let tmp = TempDir::new("superj-c");
        let dir = tmp.0.to_string_lossy().into_owned();
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(PY_WRITER)
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        // Only where the kill lands depends on this; pass/fail does not.
        std::thread::sleep(std::time::Duration::from_millis(30 + rng.below(400)));
        let _ = child.kill();
        let _ = child.wait();
        let journals: Vec<(bool, Option<String>)> = ["main.db-journal", "aux.db-journal"]
            .iter()
            .map(|j| disk_pointer(&format!("{dir}/{j}")))
            .collect();
        let Some(sup) = journals.iter().find_map(|(_, p)| p.clone()) else {
            continue;
        };
        hits += 1;
        let super_existed = std::path::Path::new(&sup).exists();
        let must_release = journals
            .iter()
            .all(|(hot, p)| *hot || p.as_ref() != Some(&sup));
        let result = (|| -> Result<(), String> {
            let db = open(None, &dir).map_err(|e| format!("open: {e}"))?;
            let q = |e: DbError| format!("query: {e}");
            let (m, a) = (
                counter(&db, "main").map_err(q)?,
                counter(&db, "aux").map_err(q)?,
            );
            for s in ["main", "aux"] {
                let ic = integrity(&db, s).map_err(q)?;
                if ic != "ok" {
                    return Err(format!("{s} integrity_check: {ic}"));
                }
            }
            if m != a {
                return Err(format!("main counter {m} != aux counter {a}"));
            }
            if must_release && std::path::Path::new(&sup).exists() {
                return Err(format!("super-journal {sup} left"));
            }
            println!(
                "attempt {attempt}: C left a journal pointing to a super-journal that {}; \
                 loom sees counter {m} in both files",
                if super_existed {
                    "exists (rolled back)"
                } else {
                    "is gone (committed)"
                }
            );
            Ok(())
        })();
        match result {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                println!("FAIL attempt {attempt}: {e}");
            }
        }
        if hits >= 3 {
            break;
        }
    }
    if hits == 0 {
        println!("skipped: no kill out of {TRIES} landed inside a multi-file commit");
    }
    println!("superj interop C->loom: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}
