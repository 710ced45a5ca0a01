//! Transactions, savepoints, schema opcodes, and how a VM ends its work.
//!
//! SQLite counterpart: OP_Transaction, OP_AutoCommit, OP_Savepoint,
//! OP_ReadCookie, OP_SetCookie, OP_CreateBtree, OP_Destroy, OP_Clear,
//! OP_ParseSchema (vdbe.c) and `sqlite3VdbeHalt` / `vdbeCommit` /
//! `sqlite3RollbackAll` (vdbeaux.c, main.c); lang_transaction.html and
//! lang_savepoint.html.
//!
//! Every transaction-level call into the b-tree layer lives in this file.
//!
//! Ending a run (`finish_ok` / `finish_error`), as sqlite3VdbeHalt:
//!
//! | outcome | explicit transaction | autocommit |
//! |---|---|---|
//! | success, or error with Fail | release statement savepoint | release; the last writer commits |
//! | error with Abort | roll back statement savepoint | roll back the transaction |
//! | error with Rollback | roll back transaction, autocommit on | roll back the transaction |
//! | IOERR/FULL/NOMEM/INTERRUPT in a writer | roll back transaction, autocommit on | roll back |
//!
//! Invariants:
//! 1. Named savepoint `i` (0-based in `conn.savepoints`) is pager
//!    savepoint depth `i + 1` on every database in a write transaction; a
//!    statement savepoint is opened one level above the named ones.
//! 2. A BUSY from `begin_write` or from a commit sets `busy_pending` and
//!    leaves the transaction as it was, so stepping again retries.
//! 3. When `active_vms` drops to 0 in autocommit mode, every read
//!    transaction ends.

use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::insn::{OnError, Reg, SavepointOp};
use super::mem::Mem;
use super::vm::{Flow, StmtSavepoint, Vdbe};
use crate::btree::{Btree, TreeKind};
use crate::pager::Pgno;
use crate::pager::TxnState;
use crate::rc::ResultCode;

fn db_mut<'a>(env: &'a mut VdbeEnv, db: usize) -> Result<&'a mut Btree, VdbeError> {
    env.dbs
        .get_mut(db)
        .ok_or_else(|| internal(format!("no database {db}")))
}

/// The transaction state of a database's pager.
fn txn_state(bt: &mut Btree) -> TxnState {
    bt.pager().txn_state()
}

/// Opens `n` pager savepoints on `bt` (the named savepoints that were
/// declared before this database started writing; invariant 1).
fn open_savepoints(bt: &mut Btree, n: u32) -> Result<(), VdbeError> {
    for _ in 0..n {
        bt.pager().savepoint_open()?;
    }
    Ok(())
}

/// Commits every database in a write transaction. Stops at the first
/// failure, leaving the remaining ones as they were.
///
/// The commit hook runs first (when some database is writing); a true
/// answer fails the commit with SQLITE_CONSTRAINT_COMMITHOOK and the
/// caller rolls back, as SQLite's `vdbeCommit` does.
fn commit_all(env: &mut VdbeEnv) -> Result<(), VdbeError> {
    let others_active = env.conn.active_vms > 1;
    if let Some(hook) = env.conn.hooks.commit.clone() {
        if env
            .dbs
            .iter_mut()
            .any(|bt| txn_state(bt) == TxnState::Write)
        {
            env.conn.publish();
            if hook() {
                return Err(VdbeError::Constraint {
                    code: ResultCode::CONSTRAINT_COMMITHOOK,
                    msg: "constraint failed".into(),
                });
            }
        }
    }
    let writers: Vec<usize> = (0..env.dbs.len())
        .filter(|&i| {
            env.dbs
                .get_mut(i)
                .is_some_and(|bt| txn_state(bt) == TxnState::Write)
        })
        .collect();
    // Several files: EXCLUSIVE everywhere first, so a BUSY leaves every
    // file untouched. One file takes its lock inside its own commit.
    if writers.len() > 1 {
        for &i in &writers {
            db_mut(env, i)?.pager().exclusive_lock_for_commit()?;
        }
    }
    let n_super = writers
        .iter()
        .filter(|&&i| {
            env.dbs
                .get_mut(i)
                .is_some_and(|bt| bt.pager().wants_super_journal())
        })
        .count();
    let main_is_file = env
        .dbs
        .first_mut()
        .is_some_and(|bt| bt.pager().journal_name().is_some());
    if main_is_file && n_super > 1 {
        commit_with_super_journal(env, &writers)?;
    } else {
        for &i in &writers {
            db_mut(env, i)?.commit()?;
        }
    }
    for &i in &writers {
        let bt = db_mut(env, i)?;
        // Other statements are still reading: keep their snapshot.
        if others_active && txn_state(bt) == TxnState::None {
            bt.begin_read()?;
        }
    }
    Ok(())
}

/// The multi-file commit of atomiccommit.html section 5 (pager module
/// super_journal.rs): super-journal, phase one everywhere, delete the
/// super-journal (the commit point), phase two everywhere.
fn commit_with_super_journal(env: &mut VdbeEnv, writers: &[usize]) -> Result<(), VdbeError> {
    let mut children = Vec::new();
    let mut sync = false;
    for &i in writers {
        let p = db_mut(env, i)?.pager();
        if let Some(j) = p.journal_name() {
            children.push(j.to_path_buf());
            sync |= p.syncs();
        }
    }
    let name = db_mut(env, 0)?
        .pager()
        .create_super_journal(&children, sync)?;
    let mut phase_one = Ok(());
    for &i in writers {
        phase_one = db_mut(env, i)?.commit_phase_one(Some(name.as_path()));
        if phase_one.is_err() {
            break;
        }
    }
    let committed = phase_one.map_err(VdbeError::from).and_then(|()| {
        db_mut(env, 0)?.pager().delete_super_journal(&name)?;
        Ok(())
    });
    if let Err(e) = committed {
        // The caller rolls back; each child's rollback releases the
        // super-journal once no journal points to it. One never pointed to
        // (a failure before the first pointer) goes now.
        if let Ok(bt) = db_mut(env, 0) {
            let _ = bt.pager().release_super_journal(&name);
        }
        return Err(e);
    }
    // Committed: a failure to finalize a journal only leaves a journal
    // whose super-journal is gone, which no reader plays back.
    for &i in writers {
        let bt = db_mut(env, i)?;
        if bt.commit_phase_two().is_err() {
            let _ = bt.rollback();
        }
    }
    Ok(())
}

/// Rolls back every write transaction; autocommit comes back on.
/// The rollback hook runs when a write transaction was rolled back.
fn rollback_all(env: &mut VdbeEnv) {
    let mut rolled_back = !env.conn.autocommit;
    for bt in env.dbs.iter_mut() {
        if txn_state(bt) == TxnState::Write {
            // A failed rollback leaves the pager in its error state, which
            // the next transaction reports; nothing more can be done here.
            let _ = bt.rollback();
            env.conn.schema_changed = true;
            env.conn.schema_log.broken = true;
            rolled_back = true;
        }
    }
    if rolled_back {
        if let Some(hook) = env.conn.hooks.rollback.clone() {
            env.conn.publish();
            hook();
        }
    }
    env.conn.autocommit = true;
    env.conn.savepoints.clear();
    env.conn.savepoint_began_txn = false;
    env.conn.fkey.end_transaction();
}

impl Vdbe {
    pub(crate) fn op_transaction(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        (write, exclusive): (bool, bool),
        schema_cookie: Option<u32>,
    ) -> Result<Flow, VdbeError> {
        let named = env.conn.savepoints.len() as u32;
        let need_stmt = write
            && self.uses_stmt_journal
            && (!env.conn.autocommit || env.conn.active_writers > 1);
        let bt = db_mut(env, db)?;
        let state = txn_state(bt);
        let begin = match (state, write) {
            (TxnState::None, false) => bt.begin_read(),
            (TxnState::None | TxnState::Read, true) => bt.begin_write(exclusive),
            _ => Ok(()),
        };
        if let Err(e) = begin {
            let e = VdbeError::from(e);
            self.busy_pending = e.is_busy();
            return Err(e);
        }
        if db == 0 {
            self.enc = bt.text_encoding()?;
        }
        if write {
            if state != TxnState::Write {
                open_savepoints(bt, named)?;
            }
            if need_stmt && !self.stmt_savepoints.iter().any(|s| s.db == db) {
                let depth = bt.pager().savepoint_open()?;
                self.stmt_savepoints.push(StmtSavepoint { db, depth });
            }
        }
        if let Some(cookie) = schema_cookie {
            if bt.get_meta(1)? != cookie {
                return Err(VdbeError::Schema);
            }
        }
        if db == 0 {
            env.conn.enc = self.enc;
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_autocommit(
        &mut self,
        env: &mut VdbeEnv,
        autocommit: bool,
        rollback: bool,
    ) -> Result<Flow, VdbeError> {
        let was = env.conn.autocommit;
        match (autocommit, rollback) {
            (false, _) if !was => {
                return Err(VdbeError::Error(
                    "cannot start a transaction within a transaction".into(),
                ))
            }
            (false, _) => env.conn.autocommit = false,
            (true, true) if was => {
                return Err(VdbeError::Error(
                    "cannot rollback - no transaction is active".into(),
                ))
            }
            (true, true) => rollback_all(env),
            (true, false) if was => {
                return Err(VdbeError::Error(
                    "cannot commit - no transaction is active".into(),
                ))
            }
            (true, false) => self.commit_txn(env)?,
        }
        self.op_halt_ok(env)
    }

    /// COMMIT (or RELEASE of the transaction's savepoint).
    fn commit_txn(&mut self, env: &mut VdbeEnv) -> Result<(), VdbeError> {
        let own = usize::from(!self.program.readonly);
        if env.conn.active_writers > own {
            return Err(VdbeError::Busy(
                "cannot commit transaction - SQL statements in progress".into(),
            ));
        }
        self.fk_check_commit(env)?;
        if let Err(e) = commit_all(env) {
            if e.is_busy() {
                self.busy_pending = true;
            } else {
                rollback_all(env);
            }
            return Err(e);
        }
        env.conn.fkey.end_transaction();
        env.conn.autocommit = true;
        env.conn.savepoints.clear();
        env.conn.savepoint_began_txn = false;
        Ok(())
    }

    pub(crate) fn op_savepoint(
        &mut self,
        env: &mut VdbeEnv,
        op: SavepointOp,
        name: &str,
    ) -> Result<Flow, VdbeError> {
        if op == SavepointOp::Begin {
            if env.conn.autocommit {
                env.conn.autocommit = false;
                env.conn.savepoint_began_txn = true;
            }
            let depth = env.conn.savepoints.len() as u32 + 1;
            env.conn.savepoints.push((name.to_string(), depth));
            super::exec_fkey::fk_savepoint_begin(env);
            for bt in env.dbs.iter_mut() {
                if txn_state(bt) != TxnState::Write {
                    continue;
                }
                open_savepoints(bt, 1)?;
            }
            return Ok(Flow::Next);
        }
        let Some(i) = env
            .conn
            .savepoints
            .iter()
            .rposition(|(n, _)| n.eq_ignore_ascii_case(name))
        else {
            return Err(VdbeError::Error(format!("no such savepoint: {name}")));
        };
        let depth = i as u32 + 1;
        match op {
            SavepointOp::Release if i == 0 && env.conn.savepoint_began_txn => {
                self.commit_txn(env)?
            }
            SavepointOp::Release => {
                for bt in env.dbs.iter_mut() {
                    if txn_state(bt) != TxnState::Write {
                        continue;
                    }
                    bt.pager().savepoint_release(depth)?;
                }
                env.conn.savepoints.truncate(i);
                super::exec_fkey::fk_savepoint_end(env, i, false);
            }
            SavepointOp::Rollback | SavepointOp::Begin => {
                for bt in env.dbs.iter_mut() {
                    if txn_state(bt) != TxnState::Write {
                        continue;
                    }
                    bt.savepoint_rollback(depth)?;
                }
                env.conn.savepoints.truncate(i + 1);
                super::exec_fkey::fk_savepoint_end(env, i, true);
                env.conn.schema_changed = true;
                env.conn.schema_log.broken = true;
            }
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_read_cookie(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        dest: Reg,
        idx: usize,
    ) -> Result<Flow, VdbeError> {
        let v = db_mut(env, db)?.get_meta(idx)?;
        self.set_reg(dest, Mem::Int(i64::from(v)))?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_set_cookie(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        idx: usize,
        value: i64,
    ) -> Result<Flow, VdbeError> {
        let bt = db_mut(env, db)?;
        let old = if idx == 1 { bt.get_meta(1)? } else { 0 };
        bt.set_meta(idx, value as u32)?;
        if idx == 1 {
            env.conn.schema_changed = true;
            let new = value as u32;
            (env.conn.schema_log.edits).push(super::SchemaLogEntry::Cookie { db, old, new });
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_create_btree(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        dest: Reg,
        kind: TreeKind,
    ) -> Result<Flow, VdbeError> {
        let root = db_mut(env, db)?.create_tree(kind)?;
        self.set_reg(dest, Mem::Int(i64::from(root)))?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_destroy(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        root: Pgno,
    ) -> Result<Flow, VdbeError> {
        // Another statement of the connection that reads is running
        // (possibly the one whose callback runs this DROP): its cursors
        // could point into the tree, so SQLite refuses (OP_Destroy's
        // nVdbeRead check); xDestroy dropping its shadow tables is exempt.
        if env.conn.active_readers > env.conn.vdestroy_depth + 1 {
            return Err(VdbeError::Halt {
                code: crate::rc::ResultCode::LOCKED,
                msg: "database table is locked".into(),
            });
        }
        let moved = db_mut(env, db)?.drop_tree(root)?;
        if moved != 0 {
            env.conn.schema_log.broken = true;
            renumber_root(db_mut(env, db)?, moved, root)?;
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_clear(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        root: Pgno,
        count_change: bool,
    ) -> Result<Flow, VdbeError> {
        let n = db_mut(env, db)?.clear_tree(root)?;
        if count_change {
            self.n_change += i64::try_from(n).unwrap_or(i64::MAX);
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_parse_schema(&mut self, env: &mut VdbeEnv) -> Result<Flow, VdbeError> {
        env.conn.schema_changed = true;
        Ok(Flow::Next)
    }

    // ---- ending a run ----

    fn release_stmt_savepoints(&mut self, env: &mut VdbeEnv, undo: bool) -> Result<(), VdbeError> {
        for sp in std::mem::take(&mut self.stmt_savepoints).into_iter().rev() {
            let bt = db_mut(env, sp.db)?;
            if txn_state(bt) != TxnState::Write {
                continue;
            }
            if undo {
                bt.savepoint_rollback(sp.depth)?;
            }
            bt.pager().savepoint_release(sp.depth)?;
        }
        Ok(())
    }

    /// True when this VM writes and no other writer is running, so its
    /// halt decides the autocommit transaction.
    fn last_writer(&self, env: &VdbeEnv) -> bool {
        !self.program.readonly && env.conn.autocommit && env.conn.active_writers == 1
    }

    /// Ends a successful run: release, commit in autocommit mode.
    pub(crate) fn finish_ok(&mut self, env: &mut VdbeEnv) -> Result<(), VdbeError> {
        if self.finished {
            return Ok(());
        }
        if let Err(e) = self.fk_check_halt(env, self.last_writer(env)) {
            self.finish_error(env, &e, OnError::Abort)?;
            return Err(e);
        }
        let mut result = self.release_stmt_savepoints(env, false);
        if result.is_ok() && self.last_writer(env) {
            if let Err(e) = commit_all(env) {
                if e.is_busy() {
                    self.busy_pending = true;
                    return Err(e);
                }
                rollback_all(env);
                result = Err(e);
            } else {
                env.conn.fkey.end_transaction();
            }
        }
        if result.is_ok() {
            result = super::exec_vtab::settle_txn(env, true);
        }
        if result.is_ok() && self.counts_changes {
            env.conn.changes = self.n_change;
            env.conn.total_changes += self.n_change;
        }
        self.release_counters(env);
        result
    }

    /// Ends a failed run according to `on_error` (see the module table).
    pub(crate) fn finish_error(
        &mut self,
        env: &mut VdbeEnv,
        e: &VdbeError,
        on_error: OnError,
    ) -> Result<(), VdbeError> {
        if self.finished {
            return Ok(());
        }
        let writer = !self.program.readonly;
        let mut result = Ok(());
        if writer && (e.is_special() || on_error == OnError::Rollback) {
            self.stmt_savepoints.clear();
            rollback_all(env);
        } else if on_error == OnError::Fail {
            result = self.release_stmt_savepoints(env, false);
            if self.last_writer(env) {
                if let Err(ce) = commit_all(env) {
                    rollback_all(env);
                    result = Err(ce);
                }
            }
        } else {
            self.fk_undo_statement(env);
            result = self.release_stmt_savepoints(env, true);
            if self.last_writer(env) || (writer && result.is_err()) {
                rollback_all(env);
            }
        }
        let _ = super::exec_vtab::settle_txn(env, false);
        if self.counts_changes {
            // As SQLite's halt: the changes of a statement that is rolled
            // back count as none; under OR FAIL the rows it did change stay
            // and are counted.
            let kept = on_error == OnError::Fail && !e.is_special() && result.is_ok();
            env.conn.changes = if kept { self.n_change } else { 0 };
            if kept {
                env.conn.total_changes += self.n_change;
            }
        }
        self.release_counters(env);
        result
    }

    /// Marks the run finished and drops its share of the active counts.
    fn release_counters(&mut self, env: &mut VdbeEnv) {
        self.finished = true;
        self.busy_pending = false;
        env.conn.active_vms = env.conn.active_vms.saturating_sub(1);
        if self.is_reader {
            env.conn.active_readers = env.conn.active_readers.saturating_sub(1);
        }
        if !self.program.readonly {
            env.conn.active_writers = env.conn.active_writers.saturating_sub(1);
        }
        if env.conn.active_vms == 0 && env.conn.autocommit {
            for bt in env.dbs.iter_mut() {
                if txn_state(bt) == TxnState::Read {
                    bt.end_read();
                }
            }
        }
    }
}

/// After an auto-vacuum DROP moved the root page `moved` to `root`, points
/// the sqlite_schema rows that named `moved` at `root` (what SQLite's
/// `destroyRootPage` does with a nested UPDATE of sqlite_schema).
fn renumber_root(
    bt: &mut Btree<crate::pager::Pager>,
    moved: Pgno,
    root: Pgno,
) -> Result<(), VdbeError> {
    use crate::record::{encode_record_format, RecordHeader, Value};
    let mut c = bt.cursor(1, TreeKind::Table, None)?;
    let mut more = bt.first(&mut c)?;
    let mut scratch = Vec::new();
    while more {
        let rowid = bt.rowid(&c)?;
        let mut values = {
            let payload = bt.payload(&c, &mut scratch)?;
            let h = RecordHeader::parse(payload).map_err(|e| VdbeError::Internal(e.to_string()))?;
            h.values(payload)
                .map_err(|e| VdbeError::Internal(e.to_string()))?
        };
        if values.get(3) == Some(&Value::Integer(i64::from(moved))) {
            values[3] = Value::Integer(i64::from(root));
            let refs: Vec<_> = values.iter().map(Value::as_ref).collect();
            let mut rec = Vec::new();
            encode_record_format(&refs, 4, &mut rec);
            bt.insert(&mut c, rowid, &rec)?;
        }
        more = bt.next(&mut c)?;
    }
    Ok(())
}
