//! Real crashes: a loom writer process is killed with SIGKILL at random
//! moments, 200 times (a fresh database file every 40 kills). The writer prints each
//! transaction id after its COMMIT returned; after every kill both loom
//! and C SQLite (python3's sqlite3 module, the oracle) open the file,
//! recover it (hot-journal rollback — alternately loom first and C first)
//! and must find every reported transaction, no partial one, and
//! `integrity_check` ok.
//!
//! SQLite counterpart: SQLite's crash-recovery promise for a process crash
//! (atomiccommit.html section 4, "Rollback"), where unlike a power loss
//! every completed write() survives.
//!
//! The writer is this test binary re-executed (`current_exe()` with
//! `--exact kill_writer_child` and `LOOM_KILL_CHILD=<db path>`).
//!
//! Invariants:
//! 1. Transaction n inserts row id n of `t` and adds 1 to `c.n`; so after
//!    recovery the ids are exactly 0..=m for some m ≥ the last reported
//!    id, and `c.n` = m + 1.
//! 2. Kill delays come from a seeded generator; the test's verdict never
//!    depends on timing.

#[path = "support/storage.rs"]
mod storage;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use loomdb::api::{open_readwrite, Value};
use storage::{integrity, summary, PyServer, Rng, TempDir};

const KILLS: usize = 200;
/// A fresh database file every this many kills keeps the file small.
const ROUNDS_PER_FILE: usize = 40;
/// The writer stops by itself after this many transactions (it is
/// normally killed long before).
const CHILD_MAX_TXNS: i64 = 5_000;

const ENV: &str = "LOOM_KILL_CHILD";

/// The writer side: runs only when re-executed by `kills_lose_nothing`.
#[test]
fn kill_writer_child() {
    let Ok(path) = std::env::var(ENV) else {
        return;
    };
    let mode = std::env::var("LOOM_KILL_MODE").unwrap_or_else(|_| "delete".into());
    let db = open_readwrite(&path).expect("child open");
    db.set_busy_timeout(5000);
    db.execute_batch(&format!(
        "PRAGMA journal_mode={mode}; PRAGMA synchronous=FULL; \
         CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, payload BLOB, len INT); \
         CREATE INDEX IF NOT EXISTS t_len ON t(len); \
         CREATE TABLE IF NOT EXISTS c(k INTEGER PRIMARY KEY, n INTEGER); \
         INSERT OR IGNORE INTO c VALUES (1, 0);"
    ))
    .expect("child setup");
    let next = match db.query_first_row("SELECT coalesce(max(id), -1) + 1 FROM t", &[]) {
        Ok(Some(r)) => match r.first() {
            Some(Value::Integer(n)) => *n,
            _ => 0,
        },
        _ => 0,
    };
    let mut rng = Rng::new(next as u64);
    let mut out = std::io::stdout().lock();
    {
        use std::io::Write;
        // libtest has already written "test kill_writer_child ... " without
        // a newline, so the marker ends that line rather than starting one.
        let _ = writeln!(out, "READY");
        let _ = out.flush();
    }
    for id in next..next + CHILD_MAX_TXNS {
        let len = if rng.chance(1, 20) {
            2000 + rng.below(3000)
        } else {
            rng.below(200)
        };
        let r = db.begin().and_then(|()| {
            db.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                &[
                    Value::Integer(id),
                    Value::Blob(rng.bytes(len as usize)),
                    Value::Integer(len as i64),
                ],
            )?;
            if rng.chance(1, 5) {
                db.execute(
                    "DELETE FROM t WHERE id = ?1 - 7 AND payload IS NULL",
                    &[Value::Integer(id)],
                )?;
            }
            db.execute("UPDATE c SET n = n + 1 WHERE k = 1", &[])?;
            db.commit()
        });
        if let Err(e) = r {
            eprintln!("child: txn {id} failed: {e}");
            std::process::exit(3);
        }
        use std::io::Write;
        // A vanished parent (closed pipe) ends the writer.
        if writeln!(out, "COMMITTED {id}")
            .and_then(|()| out.flush())
            .is_err()
        {
            std::process::exit(0);
        }
    }
}

/// Checks the file with loom: (ids are 0..=m, c.n == m+1, integrity ok) → m.
fn check_loom(path: &str) -> Result<i64, String> {
    let db = open_readwrite(path).map_err(|e| format!("loom open: {e}"))?;
    let ic = integrity(&db).map_err(|e| format!("loom integrity: {e}"))?;
    if ic != "ok" {
        return Err(format!("loom integrity_check: {ic}"));
    }
    let row = db
        .query_first_row(
            "SELECT count(*), coalesce(max(id), -1), (SELECT n FROM c WHERE k = 1) FROM t",
            &[],
        )
        .map_err(|e| format!("loom query: {e}"))?
        .unwrap_or_default();
    match row.as_slice() {
        [Value::Integer(count), Value::Integer(max), Value::Integer(n)]
            if *count == max + 1 && *n == max + 1 =>
        {
            Ok(*max)
        }
        [_, Value::Integer(-1), Value::Null] => Ok(-1),
        other => Err(format!("loom sees inconsistent rows: {other:?}")),
    }
}

const ORACLE: &str = r#"
import sqlite3
from contextlib import closing
def handle(path):
    with closing(sqlite3.connect(path, timeout=10)) as db:
        ic = db.execute("PRAGMA integrity_check").fetchall()
        try:
            r = db.execute("SELECT count(*), coalesce(max(id), -1), (SELECT n FROM c WHERE k = 1) FROM t").fetchone()
        except sqlite3.OperationalError as e:
            r = ("no table", str(e), None)
    return (ic[0][0] if len(ic) == 1 else repr(ic)) + "\n" + " ".join(str(x) for x in r)
"#;

/// Checks the file with C SQLite (the long-lived oracle); returns max id.
fn check_c(oracle: &mut PyServer, path: &str) -> Result<i64, String> {
    let out = oracle.ask(path)?;
    let mut lines = out.lines();
    let ic = lines.next().unwrap_or_default();
    if ic != "ok" {
        return Err(format!("C integrity_check: {ic}"));
    }
    let f: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
    if f.first() == Some(&"no") {
        return Ok(-1);
    }
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<i64>().ok());
    match (num(0), num(1), num(2)) {
        (Some(c), Some(m), Some(n)) if c == m + 1 && n == m + 1 => Ok(m),
        _ => Err(format!("C sees inconsistent rows: {f:?}")),
    }
}

#[test]
fn kills_lose_nothing() {
    let dir = TempDir::new("kill");
    let path = dir.file("k.db");
    let exe = std::env::current_exe().expect("current_exe");
    let mut rng = Rng::new(0x6b11);
    let mut failures = Vec::new();
    let mut passed = 0;
    let mut last_reported = -1i64;
    let mut total_committed = 0i64;
    let mut hot_seen = 0;
    let mut files = 0;
    let mut oracle = PyServer::new(ORACLE);
    for round in 0..KILLS {
        if round % ROUNDS_PER_FILE == 0 {
            for suffix in ["", "-journal"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            total_committed += last_reported + 1;
            last_reported = -1;
            files += 1;
        }
        let mode = ["delete", "truncate", "persist"][round % 3];
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "kill_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, &path)
            .env("LOOM_KILL_MODE", mode)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("pipe");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.ends_with("READY") {
                    let _ = ready_tx.send(());
                }
                if let Some(n) = line.strip_prefix("COMMITTED ") {
                    if let Ok(n) = n.parse::<i64>() {
                        ids.push(n);
                    }
                }
            }
            ids
        });
        // Kill at a random moment of the writing loop (setup done).
        let ready = ready_rx.recv_timeout(Duration::from_secs(20)).is_ok();
        std::thread::sleep(Duration::from_micros(rng.below(40_000)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let ids = reader.join().unwrap_or_default();
        if !ready {
            failures.push(format!(
                "round {round} ({mode}): the writer never reported READY"
            ));
            continue;
        }
        if let Some(&m) = ids.iter().max() {
            last_reported = last_reported.max(m);
        }
        if std::path::Path::new(&format!("{path}-journal")).exists() {
            hot_seen += 1;
        }
        let r = if round % 2 == 0 {
            check_loom(&path).and_then(|a| check_c(&mut oracle, &path).map(|b| (a, b)))
        } else {
            check_c(&mut oracle, &path).and_then(|b| check_loom(&path).map(|a| (a, b)))
        };
        match r {
            Ok((a, b)) if a == b && a >= last_reported => passed += 1,
            Ok((a, b)) => failures.push(format!(
                "round {round} ({mode}): max id {a}/{b}, but txn {last_reported} was reported committed"
            )),
            Err(e) => failures.push(format!("round {round} ({mode}): {e}")),
        }
        last_reported = last_reported.max(check_loom(&path).unwrap_or(-1));
    }
    println!(
        "storage_kill: {KILLS} SIGKILLs on {files} files, {} transactions committed in total, \
         journal left behind {hot_seen} times",
        total_committed + last_reported + 1
    );
    summary("storage_kill", passed, &failures);
}
