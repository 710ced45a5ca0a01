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

#[path = "support/storage.rs"]
mod storage;

use std::process::{Command, Stdio};

use loomdb::api::{open_readwrite, Database, DbError, Value};
use loomdb::rc::ResultCode;
use storage::{integrity, summary, TempDir};

const ROUNDS: i64 = 400;

const C_SIDE: &str = r#"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
rounds = int(sys.argv[2])
busy = 0
done = 0
while done < rounds:
    try:
        db.execute("BEGIN IMMEDIATE")
        n = db.execute("SELECT n FROM c WHERE k='both'").fetchone()[0]
        db.execute("UPDATE c SET n=? WHERE k='both'", (n + 1,))
        db.execute("UPDATE c SET n=n+1 WHERE k='py'")
        db.execute("COMMIT")
        done += 1
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        busy += 1
        try:
            db.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass
print("done", done, "busy", busy)
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

#[test]
#[ignore = "written at the deadline, not yet run; see the storage report"]
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
    let (mut done, mut busy) = (0, 0);
    while done < ROUNDS {
        match loom_round(&db) {
            Ok(()) => done += 1,
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
    println!(
        "storage_twoproc: loom {done} rounds ({busy} BUSY retries), C side: {}",
        c_out.trim()
    );
    let checks = 3 - failures.len().min(3);
    summary("storage_twoproc", checks, &failures);
}
