//! Fault injection: every kind of I/O error the [`MockVfs`] can inject
//! (read, short read, write, truncate, fsync, fstat, lock, open of the
//! journal, delete of the journal), at every position in a workload, must
//! reach the caller as the right extended `SQLITE_IOERR_*` code (or
//! `SQLITE_CANTOPEN` for a journal that cannot be opened) and leave the
//! database recoverable: after the fault is cleared the same connection
//! works again, and a fresh connection sees every committed transaction,
//! none of the failed ones' statements, and `integrity_check` ok.
//!
//! SQLite counterpart: the ioerr*.test loops of SQLite's suite (an I/O
//! error on the N-th call, N = 1, 2, ...); codes from rescode.html.
//!
//! Short reads: SQLite treats a short read of a database page as a page
//! padded with zeros (the corruption, if any, is found by the b-tree), so
//! for that fault `SQLITE_CORRUPT` and success are also accepted.
//!
//! Invariants:
//! 1. Each case sweeps the fault position from 0 until the fault no longer
//!    fires, once with a one-shot and once with a persistent fault.
//! 2. Every txn writes a marker row `log(id)`: a txn whose COMMIT returned
//!    must have its marker after the reopen; a txn that failed before
//!    COMMIT must not.

#[path = "support/storage.rs"]
mod storage;

use std::sync::Arc;

use loomdb::api::{Database, DbError, OpenOptions, Value};
use loomdb::rc::ResultCode;
use loomdb::vfs::{register_vfs, MockFault, MockOp, MockTarget, MockVfs};
use storage::{integrity, summary, Rng};

struct Case {
    op: MockOp,
    target: MockTarget,
    journal_mode: &'static str,
    /// Codes a failing statement may return.
    allowed: &'static [ResultCode],
}

const CASES: &[Case] = &[
    Case {
        op: MockOp::Read,
        target: MockTarget::Db,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_READ],
    },
    Case {
        op: MockOp::ShortRead,
        target: MockTarget::Db,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_SHORT_READ, ResultCode::CORRUPT],
    },
    Case {
        op: MockOp::Write,
        target: MockTarget::Db,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_WRITE],
    },
    Case {
        op: MockOp::Write,
        target: MockTarget::Journal,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_WRITE],
    },
    Case {
        op: MockOp::Sync,
        target: MockTarget::Db,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_FSYNC],
    },
    Case {
        op: MockOp::Sync,
        target: MockTarget::Journal,
        journal_mode: "persist",
        allowed: &[ResultCode::IOERR_FSYNC],
    },
    Case {
        op: MockOp::Truncate,
        target: MockTarget::Any,
        journal_mode: "truncate",
        allowed: &[ResultCode::IOERR_TRUNCATE],
    },
    Case {
        op: MockOp::FileSize,
        target: MockTarget::Any,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_FSTAT],
    },
    Case {
        op: MockOp::Lock,
        target: MockTarget::Db,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_LOCK],
    },
    Case {
        op: MockOp::Open,
        target: MockTarget::Journal,
        journal_mode: "delete",
        allowed: &[ResultCode::CANTOPEN],
    },
    Case {
        op: MockOp::Delete,
        target: MockTarget::Journal,
        journal_mode: "delete",
        allowed: &[ResultCode::IOERR_DELETE],
    },
];

fn open(name: &str) -> Result<Database, DbError> {
    Database::open(
        "/fault.db",
        OpenOptions {
            vfs: Some(name.to_string()),
            ..OpenOptions::default()
        },
    )
}

/// One transaction: a marker row plus churn (overflow rows, deletes).
fn txn(db: &Database, id: i64, rng: &mut Rng) -> Result<(), (bool, DbError)> {
    let mut body = |db: &Database| -> Result<(), DbError> {
        db.begin()?;
        db.execute("INSERT INTO log VALUES (?1)", &[Value::Integer(id)])?;
        for _ in 0..3 {
            let len = if rng.chance(1, 3) { 3000 } else { 40 };
            db.execute(
                "INSERT INTO t(k, v) VALUES (?1, ?2)",
                &[
                    Value::Integer(rng.below(20) as i64),
                    Value::Blob(rng.bytes(len)),
                ],
            )?;
        }
        db.execute(
            "DELETE FROM t WHERE k = ?1",
            &[Value::Integer(rng.below(20) as i64)],
        )?;
        Ok(())
    };
    body(db).map_err(|e| (false, e))?;
    db.commit().map_err(|e| (true, e))
}

struct Outcome {
    fired: bool,
    committed: Vec<i64>,
    failed_early: Vec<i64>,
    errors: Vec<ResultCode>,
    recovered_same_conn: bool,
}

/// Runs 6 transactions with the fault armed at `countdown`.
fn run_case(name: &str, vfs: &MockVfs, case: &Case, countdown: u32, persistent: bool) -> Outcome {
    let mut o = Outcome {
        fired: false,
        committed: Vec::new(),
        failed_early: Vec::new(),
        errors: Vec::new(),
        recovered_same_conn: true,
    };
    let mut rng = Rng::new(u64::from(countdown));
    let db = open(name).expect("open");
    db.execute_batch(&format!(
        "PRAGMA journal_mode={}; CREATE TABLE IF NOT EXISTS log(id PRIMARY KEY);\
         CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, k, v)",
        case.journal_mode
    ))
    .expect("setup");
    vfs.inject(MockFault::OpError {
        op: case.op,
        target: case.target,
        countdown,
        persistent,
    });
    for id in 0..6 {
        match txn(&db, id, &mut rng) {
            Ok(()) => o.committed.push(id),
            Err((in_commit, e)) => {
                o.errors.push(e.code());
                if !in_commit {
                    o.failed_early.push(id);
                }
                let _ = db.rollback();
                if persistent {
                    break;
                }
            }
        }
    }
    o.fired = vfs.faults_fired() > 0;
    vfs.clear_faults();
    if !persistent {
        // The connection must work again once the fault is gone.
        let r = txn(&db, 100, &mut rng);
        o.recovered_same_conn = r.is_ok();
        if r.is_ok() {
            o.committed.push(100);
        }
    }
    drop(db);
    o
}

fn check(name: &str, case: &Case, o: &Outcome, persistent: bool) -> Result<(), String> {
    if o.fired && o.errors.is_empty() && case.op != MockOp::ShortRead {
        return Err("fault fired but no statement reported an error".into());
    }
    for &e in &o.errors {
        if !case.allowed.contains(&e) {
            return Err(format!(
                "returned {e:?}, expected one of {:?}",
                case.allowed
            ));
        }
    }
    if !persistent && !o.recovered_same_conn {
        return Err("connection did not recover after the fault cleared".into());
    }
    let db = open(name).map_err(|e| format!("reopen: {e}"))?;
    let ic = integrity(&db).map_err(|e| format!("integrity_check: {e}"))?;
    if ic != "ok" {
        return Err(format!("integrity_check: {ic}"));
    }
    let ids: Vec<i64> = db
        .query_all("SELECT id FROM log", &[])
        .map_err(|e| format!("select: {e}"))?
        .into_iter()
        .filter_map(|r| match r.first() {
            Some(Value::Integer(i)) => Some(*i),
            _ => None,
        })
        .collect();
    for c in &o.committed {
        if !ids.contains(c) {
            return Err(format!("committed txn {c} lost"));
        }
    }
    for f in &o.failed_early {
        if ids.contains(f) {
            return Err(format!("failed txn {f} visible"));
        }
    }
    Ok(())
}

#[test]
fn io_errors_are_reported_and_recoverable() {
    let mut failures = Vec::new();
    let mut passed = 0;
    for (ci, case) in CASES.iter().enumerate() {
        let mut fired_runs = 0;
        for persistent in [false, true] {
            for countdown in 0..400u32 {
                let name = format!("fault-{ci}");
                let vfs = MockVfs::new();
                vfs.set_tracing(false);
                register_vfs(&name, Arc::new(vfs.clone()));
                let o = run_case(&name, &vfs, case, countdown, persistent);
                let label = format!(
                    "{:?}/{:?} journal_mode={} countdown {countdown} persistent {persistent}",
                    case.op, case.target, case.journal_mode
                );
                match check(&name, case, &o, persistent) {
                    Ok(()) => passed += 1,
                    Err(e) => failures.push(format!("{label}: {e} (errors {:?})", o.errors)),
                }
                if !o.fired {
                    break;
                }
                fired_runs += 1;
            }
        }
        println!(
            "fault {:?}/{:?} ({}): fired in {fired_runs} runs",
            case.op, case.target, case.journal_mode
        );
        if fired_runs == 0 {
            failures.push(format!(
                "{:?}/{:?}: the fault never fired",
                case.op, case.target
            ));
        }
    }
    summary("storage_fault", passed, &failures);
}

/// Builds a database whose last transaction crashed mid-commit: the
/// journal is hot. Returns the vfs (content durable) and the row count the
/// rollback must restore.
fn hot_journal_db(name: &str) -> (MockVfs, i64) {
    static FIRST_CUT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(21);
    for cut in FIRST_CUT.load(std::sync::atomic::Ordering::Relaxed)..400u32 {
        let vfs = MockVfs::new();
        vfs.set_tracing(false);
        register_vfs(name, Arc::new(vfs.clone()));
        let db = open(name).expect("open");
        db.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v); BEGIN")
            .expect("seed");
        for _ in 0..200 {
            db.execute("INSERT INTO t(v) VALUES (zeroblob(300))", &[])
                .expect("seed");
        }
        db.commit().expect("seed");
        vfs.inject(MockFault::PowerCutAfter { countdown: cut });
        let r = db.execute_batch("UPDATE t SET v = zeroblob(500); DELETE FROM t WHERE id > 150;");
        drop(db);
        vfs.crash();
        vfs.clear_faults();
        let hot = vfs
            .file_bytes("/fault.db-journal")
            .is_some_and(|j| j.first().is_some_and(|&b| b != 0));
        let db_changed = r.is_err() && hot && vfs.file_bytes("/fault.db").is_some();
        if db_changed && cut > 20 {
            FIRST_CUT.store(cut, std::sync::atomic::Ordering::Relaxed);
            return (vfs, 200);
        }
    }
    panic!("no crash point left a hot journal");
}

#[test]
fn io_errors_during_hot_journal_rollback() {
    let cases: &[(MockOp, MockTarget, &[ResultCode])] = &[
        (MockOp::Read, MockTarget::Journal, &[ResultCode::IOERR_READ]),
        (MockOp::Write, MockTarget::Db, &[ResultCode::IOERR_WRITE]),
        (MockOp::Sync, MockTarget::Db, &[ResultCode::IOERR_FSYNC]),
        (
            MockOp::Delete,
            MockTarget::Journal,
            &[ResultCode::IOERR_DELETE],
        ),
        (MockOp::Open, MockTarget::Journal, &[ResultCode::CANTOPEN]),
        (
            MockOp::FileSize,
            MockTarget::Any,
            &[ResultCode::IOERR_FSTAT],
        ),
    ];
    let mut failures = Vec::new();
    let mut passed = 0;
    let name = "fault-hot";
    for (op, target, allowed) in cases {
        let mut fired_runs = 0;
        for countdown in 0..200u32 {
            let (vfs, rows) = hot_journal_db(name);
            vfs.inject(MockFault::OpError {
                op: *op,
                target: *target,
                countdown,
                persistent: false,
            });
            let r = open(name).and_then(|db| db.query_first_row("SELECT count(*) FROM t", &[]));
            let fired = vfs.faults_fired() > 0;
            vfs.clear_faults();
            let label = format!("hot rollback {op:?}/{target:?} countdown {countdown}");
            let mut ok = true;
            if let Err(e) = &r {
                if !allowed.contains(&e.code()) {
                    failures.push(format!("{label}: returned {:?} ({e})", e.code()));
                    ok = false;
                }
            }
            let after = open(name).and_then(|db| {
                Ok((
                    integrity(&db)?,
                    db.query_first_row("SELECT count(*), sum(length(v)) FROM t", &[])?,
                ))
            });
            match after {
                Ok((ic, Some(row))) if ic == "ok" && row[0] == Value::Integer(rows) => {
                    if row[1] != Value::Integer(rows * 300) {
                        failures.push(format!("{label}: rollback incomplete {row:?}"));
                        ok = false;
                    }
                }
                other => {
                    failures.push(format!("{label}: after recovery {other:?}"));
                    ok = false;
                }
            }
            passed += usize::from(ok);
            if !fired {
                break;
            }
            fired_runs += 1;
        }
        println!("hot rollback fault {op:?}/{target:?}: fired in {fired_runs} runs");
    }
    summary("storage_fault hot-journal", passed, &failures);
}
