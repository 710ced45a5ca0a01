//! `Database` extension points: user functions, collations, hooks, the
//! busy handler, the authorizer, transaction state.
//!
//! SQLite counterpart: `sqlite3_create_function_v2`,
//! `sqlite3_create_collation_v2`, `sqlite3_progress_handler`,
//! `sqlite3_commit_hook`, `sqlite3_rollback_hook`, `sqlite3_update_hook`,
//! `sqlite3_busy_handler`, `sqlite3_set_authorizer`, `sqlite3_txn_state`.
//!
//! Invariants:
//! 1. Callbacks run while the connection is locked and borrowed by the
//!    statement that triggered them. From inside a callback, the counters
//!    (`changes`, `total_changes`, `last_insert_rowid`, `is_autocommit`)
//!    read the values the VM published just before the call; any other
//!    call on the same connection fails with SQLITE_MISUSE ("connection
//!    re-entered while busy") instead of deadlocking or corrupting state.
//! 2. A callback must not unwind: the C ABI wraps every C callback so
//!    that nothing unwinds through the VM.

use std::sync::Arc;

use super::database::Database;
use super::error::DbError;
use crate::conn::{Authorizer, BusyFn, TxnLevel};
use crate::func::{FuncFlags, FuncKind};
use crate::record::Collation;
use crate::vdbe::{CommitFn, ProgressFn, RollbackFn, UpdateKind};

/// The application's update hook: kind, database name, table name, rowid.
pub type UpdateHookFn = Arc<dyn Fn(UpdateKind, &str, &str, i64) + Send + Sync>;

impl Database {
    /// Defines (`kind` = Some) or deletes (`None`) a function.
    pub fn create_function(
        &self,
        name: &str,
        n_args: i32,
        flags: FuncFlags,
        kind: Option<FuncKind>,
    ) -> Result<(), DbError> {
        self.with(|c| c.create_function(name, n_args, flags, kind))?
            .map_err(DbError::from)
    }

    /// Defines (`Some`) or deletes (`None`) a collation.
    pub fn create_collation(
        &self,
        name: &str,
        coll: Option<Arc<dyn Collation>>,
    ) -> Result<(), DbError> {
        self.with(|c| c.create_collation(name, coll))?
            .map_err(DbError::from)
    }

    /// True if a collation called `name` exists.
    pub fn has_collation(&self, name: &str) -> bool {
        self.with(|c| c.has_collation(name)).unwrap_or(false)
    }

    /// Calls `f` every `n` VM instructions; a true answer interrupts.
    pub fn set_progress_handler(&self, n: u32, f: Option<ProgressFn>) -> Result<(), DbError> {
        self.with(|c| c.update_hooks(|h| h.progress = f.filter(|_| n > 0).map(|f| (n, f))))
    }

    /// `sqlite3_commit_hook`: a true answer turns the commit into a rollback.
    pub fn set_commit_hook(&self, f: Option<CommitFn>) -> Result<(), DbError> {
        self.with(|c| c.update_hooks(|h| h.commit = f))
    }

    /// `sqlite3_wal_hook`: called after each commit in WAL mode with the
    /// database name and the frames in its WAL; replaces the auto-checkpoint.
    pub fn set_wal_hook(&self, f: Option<crate::conn::WalHookFn>) -> Result<(), DbError> {
        self.with(|c| c.set_wal_hook(f))
    }

    pub fn set_rollback_hook(&self, f: Option<RollbackFn>) -> Result<(), DbError> {
        self.with(|c| c.update_hooks(|h| h.rollback = f))
    }

    pub fn set_update_hook(&self, f: Option<UpdateHookFn>) -> Result<(), DbError> {
        self.with(|c| {
            let names = c.shared_names.clone();
            let wrapped = f.map(|f| {
                let w: crate::vdbe::UpdateFn = Arc::new(move |k, db, table, rowid| {
                    let name = names.lock().get(db).cloned();
                    f(k, name.as_deref().unwrap_or("main"), table, rowid)
                });
                w
            });
            c.update_hooks(|h| h.update = wrapped)
        })
    }

    /// `sqlite3_busy_handler` (replaces the busy timeout).
    pub fn set_busy_handler(&self, f: Option<BusyFn>) -> Result<(), DbError> {
        self.with(|c| c.set_busy_handler(f))
    }

    /// `sqlite3_set_authorizer`.
    pub fn set_authorizer(&self, auth: Option<Arc<dyn Authorizer>>) -> Result<(), DbError> {
        self.with(|c| c.set_authorizer(auth))
    }

    /// True if `name` is a database of this connection ("main", "temp" or
    /// an attached name).
    pub fn has_schema(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case("temp")
            || self
                .with(|c| c.db_names.iter().any(|n| n.eq_ignore_ascii_case(name)))
                .unwrap_or(false)
    }

    /// SQLITE_LIMIT_FUNCTION_ARG.
    pub fn set_max_function_args(&self, n: usize) {
        let _ = self.with(|c| c.set_max_function_args(n));
    }

    /// `sqlite3_txn_state`; `None` for an unknown schema name.
    pub fn txn_state(&self, schema: Option<&str>) -> Option<TxnLevel> {
        self.with(|c| c.txn_state(schema)).ok().flatten()
    }
}

impl Database {
    /// Registers (`Some`) or removes (`None`) a virtual-table module.
    pub fn create_module(
        &self,
        name: &str,
        module: Option<Arc<dyn crate::vtab::VTabModule>>,
    ) -> Result<(), DbError> {
        self.with(|c| c.create_module(name, module))
    }

    /// Removes every virtual-table module not named in `keep`.
    pub fn drop_modules(&self, keep: &[String]) -> Result<(), DbError> {
        self.with(|c| c.drop_modules(keep))
    }
}
