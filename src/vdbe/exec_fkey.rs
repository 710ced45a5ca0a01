//! Foreign key counters: OP_FkCounter, OP_FkIfZero and the checks a
//! statement end and a COMMIT make.
//!
//! SQLite counterpart: OP_FkCounter / OP_FkIfZero (vdbe.c),
//! `sqlite3VdbeCheckFk` (vdbeaux.c), the `nDeferredCons`,
//! `nDeferredImmCons` and `SQLITE_DeferFKs` fields of `struct sqlite3`, and
//! the counters a `Savepoint` remembers (foreignkeys.html section 4.2).
//!
//! Invariants:
//! 1. Immediate violations count in the run's own counter unless PRAGMA
//!    defer_foreign_keys is on, when they count in the connection's
//!    "deferred immediate" counter; deferred constraints always count in
//!    the connection's deferred counter.
//! 2. A run that ends with its own counter above zero fails with
//!    SQLITE_CONSTRAINT_FOREIGNKEY (statement rolled back); a COMMIT (or the
//!    commit of an autocommit statement) with a deferred counter above zero
//!    fails the same way, and an explicit transaction stays open.
//! 3. A statement rolled back restores the deferred counters it started
//!    with; ROLLBACK TO restores those of the savepoint; COMMIT and
//!    ROLLBACK zero them and switch defer_foreign_keys off.

use super::env::VdbeEnv;
use super::error::VdbeError;
use super::insn::{Addr, OnError};
use super::vm::{Flow, Vdbe};
use crate::rc::ResultCode;

/// The connection's foreign key settings and deferred counters.
#[derive(Clone, Debug, Default)]
pub struct FkState {
    /// PRAGMA foreign_keys.
    pub enabled: bool,
    /// PRAGMA defer_foreign_keys.
    pub defer: bool,
    /// Deferred constraint violations of the open transaction.
    pub deferred: i64,
    /// Immediate violations counted as deferred (defer_foreign_keys).
    pub deferred_imm: i64,
    /// Bumped when `enabled` or `defer` changes: statements compiled
    /// before are stale (SQLite expires them after a flag PRAGMA).
    pub generation: u64,
    /// Counters at each open SAVEPOINT, outermost first.
    pub savepoints: Vec<(i64, i64)>,
}

impl FkState {
    /// The transaction ended (COMMIT or ROLLBACK): invariant 3.
    pub fn end_transaction(&mut self) {
        self.deferred = 0;
        self.deferred_imm = 0;
        if self.defer {
            self.defer = false;
            self.generation += 1;
        }
        self.savepoints.clear();
    }

    fn pending(&self) -> bool {
        self.deferred + self.deferred_imm > 0
    }
}

/// One run's foreign key state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FkRun {
    /// Immediate violations of this statement (`Vdbe.nFkConstraint`).
    pub count: i64,
    /// The connection's counters when the run started.
    pub start: (i64, i64),
}

/// The error a violated foreign key ends with.
pub(crate) fn fk_error() -> VdbeError {
    VdbeError::Constraint {
        code: ResultCode::CONSTRAINT_FOREIGNKEY,
        msg: "FOREIGN KEY constraint failed".into(),
    }
}

impl Vdbe {
    pub(crate) fn fk_start(&mut self, env: &VdbeEnv) {
        self.fk = FkRun {
            count: 0,
            start: (env.conn.fkey.deferred, env.conn.fkey.deferred_imm),
        };
    }

    pub(crate) fn op_fk_counter(
        &mut self,
        env: &mut VdbeEnv,
        deferred: bool,
        delta: i64,
    ) -> Result<Flow, VdbeError> {
        let fk = &mut env.conn.fkey;
        if fk.defer {
            fk.deferred_imm += delta;
        } else if deferred {
            fk.deferred += delta;
        } else {
            self.fk.count += delta;
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_fk_if_zero(
        &mut self,
        env: &mut VdbeEnv,
        deferred: bool,
        target: Addr,
    ) -> Result<Flow, VdbeError> {
        let fk = &env.conn.fkey;
        let zero = if deferred {
            fk.deferred == 0 && fk.deferred_imm == 0
        } else {
            self.fk.count == 0 && fk.deferred_imm == 0
        };
        Ok(if zero { Flow::Jump(target) } else { Flow::Next })
    }

    /// At a successful halt: the statement's immediate violations, and the
    /// deferred ones when this run commits (`commits`).
    pub(crate) fn fk_check_halt(&mut self, env: &VdbeEnv, commits: bool) -> Result<(), VdbeError> {
        if self.fk.count > 0 || (commits && env.conn.fkey.pending()) {
            self.pending_on_error = Some(OnError::Abort);
            return Err(fk_error());
        }
        Ok(())
    }

    /// Before a COMMIT: deferred violations refuse it.
    pub(crate) fn fk_check_commit(&self, env: &VdbeEnv) -> Result<(), VdbeError> {
        if env.conn.fkey.pending() {
            return Err(fk_error());
        }
        Ok(())
    }

    /// A statement rolled back: restore the counters it started with.
    pub(crate) fn fk_undo_statement(&mut self, env: &mut VdbeEnv) {
        env.conn.fkey.deferred = self.fk.start.0;
        env.conn.fkey.deferred_imm = self.fk.start.1;
        self.fk.count = 0;
    }
}

/// SAVEPOINT name: remember the counters.
pub(crate) fn fk_savepoint_begin(env: &mut VdbeEnv) {
    let fk = &mut env.conn.fkey;
    fk.savepoints.push((fk.deferred, fk.deferred_imm));
}

/// RELEASE (keep `i` outer savepoints) or ROLLBACK TO savepoint `i`.
pub(crate) fn fk_savepoint_end(env: &mut VdbeEnv, i: usize, rollback: bool) {
    let fk = &mut env.conn.fkey;
    if rollback {
        if let Some(&(d, di)) = fk.savepoints.get(i) {
            fk.deferred = d;
            fk.deferred_imm = di;
        }
        fk.savepoints.truncate(i + 1);
    } else {
        fk.savepoints.truncate(i);
    }
}
