//! Two processes on one file in rollback-journal mode: C SQLite (python3's
//! sqlite3 module) and loom (this test process) increment counters in a
//! loop with a busy timeout. No update may be lost, no SQLITE_CORRUPT may
//! appear, and the final counts must be exact.
//!
//! SQLite counterpart: lockingv3.html (the five lock states shared by
//! cooperating processes through POSIX byte-range locks).
//!
//! Invariants:
//! 1. Each side does `ROUNDS` read-modify-write transactions on its own
//!    counter and on the shared one; a transaction that fails with BUSY is
//!    retried, any other error fails the test.
//! 2. Final state: py = ROUNDS, loom = ROUNDS, both = 2 * ROUNDS.
//! 3. Every read snapshot (one statement) satisfies both = py + loom.
//! 4. Loom starts its loop only once C has committed a round, and C waits
//!    for loom's first commit, so the two loops overlap.

#[path = "support/storage.rs"]
mod storage;

use std::process::{Command, Stdio};

use loomdb::api::{open_readwrite, Database, DbError, Value};
use loomdb::rc::ResultCode;
use storage::{integrity, summary, TempDir};

const ROUNDS: i64 = 400;

const C_SIDE: &str = r#"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
rounds = int(sys.argv[2])
busy = 0
done = 0
torn = 0
def get(k):
    return db.execute("SELECT n FROM c WHERE k=?", (k,)).fetchone()[0]
while done < rounds:
    try:
        db.execute("BEGIN IMMEDIATE")
        n = get('both')
        db.execute("UPDATE c SET n=? WHERE k='both'", (n + 1,))
        db.execute("UPDATE c SET n=n+1 WHERE k='py'")
        db.execute("COMMIT")
        done += 1
        # A reader's snapshot: one SELECT sees one committed state.
        b, p, l = db.execute("SELECT (SELECT n FROM c WHERE k='both'), (SELECT n FROM c WHERE k='py'), (SELECT n FROM c WHERE k='loom')").fetchone()
        if b != p + l:
            torn += 1
        time.sleep(0.002)  # leave loom (whose busy handler sleeps) a window
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        busy += 1
        try:
            db.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass
    if done == 1:
        # Start together: wait until loom has committed its first round.
        deadline = time.time() + 60
        while get('loom') < 1 and time.time() < deadline:
            time.sleep(0.001)
print("done", done, "busy", busy, "torn", torn)
"#;

fn get(db: &Database, k: &str) -> Result<i64, DbError> {
    match db.query_first_row(
        "SELECT n FROM c WHERE k = ?1",
        &[Value::Text(k.as_bytes().to_vec())],
    )? {
        Some(r) => match r.first() {
            Some(Value::Integer(n)) => Ok(*n),
            _ => Ok(-1),
        },
        None => Ok(-1),
    }
}

fn loom_round(db: &Database) -> Result<(), DbError> {
    db.begin_immediate()?;
    let r = (|| {
        let n = get(db, "both")?;
        db.execute(
            "UPDATE c SET n = ?1 WHERE k = 'both'",
            &[Value::Integer(n + 1)],
        )?;
        db.execute("UPDATE c SET n = n + 1 WHERE k = 'loom'", &[])?;
        db.commit()
    })();
    if r.is_err() && !db.is_autocommit() {
        let _ = db.rollback();
    }
    r
}

/// One read snapshot (both, py, loom) — a single statement, so a single
/// SHARED lock.
fn snapshot(db: &Database) -> Result<[i64; 3], DbError> {
    let row = db
        .query_first_row(
            "SELECT (SELECT n FROM c WHERE k = 'both'), (SELECT n FROM c WHERE k = 'py'), \
             (SELECT n FROM c WHERE k = 'loom')",
            &[],
        )?
        .unwrap_or_default();
    let int = |i: usize| match row.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => -1,
    };
    Ok([int(0), int(1), int(2)])
}

/// Waits (bounded) until the C side has committed its first round.
fn wait_for_c(db: &Database) -> bool {
    for _ in 0..60_000 {
        if matches!(get(db, "py"), Ok(n) if n >= 1) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    false
}

#[test]
fn c_and_loom_increment_without_lost_updates() {
    let dir = TempDir::new("twoproc");
    let path = dir.file("two.db");
    let db = open_readwrite(&path).expect("open");
    db.execute_batch(
        "PRAGMA journal_mode=DELETE; CREATE TABLE c(k TEXT PRIMARY KEY, n INTEGER); \
         INSERT INTO c VALUES ('both', 0), ('py', 0), ('loom', 0);",
    )
    .expect("setup");
    db.set_busy_timeout(30_000);
    let child = Command::new("python3")
        .arg("-c")
        .arg(C_SIDE)
        .arg(&path)
        .arg(ROUNDS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (the C SQLite oracle) must be installed");
    let mut failures = Vec::new();
    if !wait_for_c(&db) {
        failures.push("the C side never committed its first round".to_string());
    }
    let (mut done, mut busy, mut torn, mut py_seen) = (0, 0, 0, Vec::new());
    while done < ROUNDS {
        match loom_round(&db).and_then(|()| snapshot(&db)) {
            Ok([both, py, lm]) => {
                done += 1;
                if both != py + lm {
                    torn += 1;
                }
                if py_seen.last() != Some(&py) {
                    py_seen.push(py);
                }
                // Leave the C side (whose busy handler sleeps) a window.
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(e) if e.code().primary() == ResultCode::BUSY => busy += 1,
            Err(e) => {
                failures.push(format!("loom round {done}: {e} ({:?})", e.code()));
                break;
            }
        }
    }
    let out = child.wait_with_output().expect("python3");
    let c_out = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        failures.push(format!(
            "C side failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let vals = ["both", "py", "loom"].map(|k| get(&db, k).unwrap_or(-2));
    if vals != [2 * ROUNDS, ROUNDS, ROUNDS] {
        failures.push(format!(
            "final counters (both, py, loom) = {vals:?}, want [{}, {ROUNDS}, {ROUNDS}]",
            2 * ROUNDS
        ));
    }
    match integrity(&db) {
        Ok(ic) if ic == "ok" => {}
        other => failures.push(format!("integrity_check: {other:?}")),
    }
    if torn > 0 || !c_out.contains("torn 0") {
        failures.push(format!(
            "a reader saw both != py + loom: loom {torn} times, C side: {}",
            c_out.trim()
        ));
    }
    println!(
        "storage_twoproc: loom {done} rounds ({busy} BUSY retries, saw the C counter change {} \
         times), C side: {}",
        py_seen.len().saturating_sub(1),
        c_out.trim()
    );
    let checks = 5usize.saturating_sub(failures.len());
    summary("storage_twoproc", checks, &failures);
}
