//! What the VM needs from its connection while it runs.
//!
//! SQLite counterpart: the `sqlite3` connection fields that vdbe.c reads and
//! writes directly (autoCommit, nChange, lastRowid, nVdbeActive, …). Here
//! they are one plain struct owned by the connection (L6) and lent to the VM
//! (L4) for the duration of a step, so the VM never reaches up a layer.
//!
//! Invariants:
//! 1. `autocommit` is true exactly when no explicit transaction is open.
//! 2. `active_vms` counts statements that have started and not yet halted
//!    or been reset; an autocommit read transaction ends when it drops to 0.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::btree::Btree;

/// Connection state shared with the VM.
#[derive(Debug)]
pub struct ConnState {
    pub autocommit: bool,
    pub last_insert_rowid: i64,
    /// Rows changed by the most recent completed INSERT/UPDATE/DELETE.
    pub changes: i64,
    pub total_changes: i64,
    /// Set by `ParseSchema` (and by rollbacks of DDL): reload before next prepare.
    pub schema_changed: bool,
    /// Set from any thread by `interrupt()`; checked by the VM.
    pub interrupt: Arc<AtomicBool>,
    /// Statements currently running (see invariant 2).
    pub active_vms: usize,
    /// Statements currently running that write.
    pub active_writers: usize,
    /// Open SAVEPOINT names, outermost first, with their pager depth.
    pub savepoints: Vec<(String, u32)>,
    /// True when the outermost savepoint was opened in autocommit mode
    /// (it acts as BEGIN and RELEASE of it commits).
    pub savepoint_began_txn: bool,
    /// PRAGMA cache_size as last set (negative: KiB), SQLite's default -2000.
    pub cache_size: i64,
    /// PRAGMA synchronous as last set (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
    pub synchronous: i64,
}

impl Default for ConnState {
    fn default() -> Self {
        ConnState {
            autocommit: true,
            last_insert_rowid: 0,
            changes: 0,
            total_changes: 0,
            schema_changed: false,
            interrupt: Arc::new(AtomicBool::new(false)),
            active_vms: 0,
            active_writers: 0,
            savepoints: Vec::new(),
            savepoint_began_txn: false,
            cache_size: -2000,
            synchronous: 2,
        }
    }
}

/// Everything a VM step may touch: the databases (0 = main, 1 = temp, 2.. =
/// attached) and the connection state.
#[derive(Debug)]
pub struct VdbeEnv<'a> {
    pub dbs: &'a mut [Btree],
    pub conn: &'a mut ConnState,
}
