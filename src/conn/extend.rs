//! Extension points of a connection: user functions and collations, the
//! hooks, the busy handler, the authorizer, transaction state.
//!
//! SQLite counterpart: `sqlite3CreateFunc`, `createCollation`,
//! `sqlite3_busy_handler`, `sqlite3_progress_handler`,
//! `sqlite3_commit_hook` & co. (main.c), `sqlite3_set_authorizer`
//! (auth.c), `sqlite3_txn_state` (main.c).
//!
//! Invariants:
//! 1. Redefining or deleting a function or collation that exists while a
//!    statement of this connection runs fails with SQLITE_BUSY ("unable to
//!    delete/modify … due to active statements"), as SQLite; otherwise it
//!    bumps `generation`, so older statements are re-prepared (module
//!    invariant 4 of `conn`).
//! 2. Installing a busy handler replaces the busy timeout and vice versa
//!    (both are the pager's one busy callback).
//! 3. Hooks are closures in `ConnState::hooks`; the VM calls them.

use std::sync::Arc;

use super::authorizer::{Authorizer, AuthorizerSlot};
use super::connection::Connection;
use super::error::ConnError;
use crate::func::{FuncDef, FuncFlags, FuncKind};
use crate::pager::TxnState;
use crate::record::Collation;
use crate::vdbe::Hooks;

/// A busy handler: called with the number of prior calls for the same lock;
/// true means "try again".
pub type BusyFn = Arc<dyn Fn(u32) -> bool + Send + Sync>;

/// A WAL hook (`sqlite3_wal_hook`): called with the database name and the
/// number of frames in its WAL after a commit; returns a result code.
pub type WalHookFn = Arc<dyn Fn(&str, u32) -> i32 + Send + Sync>;

/// The installed WAL hook (a newtype so the connection stays `Debug`).
#[derive(Clone)]
pub(crate) struct WalHookSlot(pub(crate) WalHookFn);

impl std::fmt::Debug for WalHookSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WalHook")
    }
}

/// `SQLITE_TXN_NONE` / `_READ` / `_WRITE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TxnLevel {
    None = 0,
    Read = 1,
    Write = 2,
}

impl Connection {
    /// `sqlite3_wal_hook`: installs (`Some`) or removes the WAL hook; either
    /// way the auto-checkpoint of the open databases stops, as in SQLite.
    pub fn set_wal_hook(&mut self, f: Option<WalHookFn>) {
        for bt in &mut self.dbs {
            bt.pager().set_wal_hook_custom(f.is_some());
        }
        self.wal_hook = f.map(WalHookSlot);
    }

    /// After a statement finished in autocommit mode: the WAL hook calls due
    /// (hook, database name, frames in its WAL), one per database that
    /// committed in WAL mode (SQLite's `doWalCallbacks`).
    pub fn take_wal_callbacks(&mut self) -> Vec<(WalHookFn, String, u32)> {
        self.view().take_wal_callbacks()
    }

    /// Defines (`kind` = Some) or deletes (`None`) the function `name` with
    /// `n_args` arguments (-1: any number).
    pub fn create_function(
        &mut self,
        name: &str,
        n_args: i32,
        flags: FuncFlags,
        kind: Option<FuncKind>,
    ) -> Result<(), ConnError> {
        let probe = usize::try_from(n_args).unwrap_or(usize::MAX);
        let exists = self
            .registry
            .find(name, probe)
            .is_some_and(|d| d.n_args == n_args);
        if exists && self.state.active_vms > 0 {
            return Err(ConnError::Busy(
                "unable to delete/modify user-function due to active statements".into(),
            ));
        }
        match kind {
            Some(kind) => self.registry.register(FuncDef {
                name: name.to_string(),
                n_args,
                flags,
                kind,
            }),
            None => {
                self.registry.unregister(name, n_args);
            }
        }
        self.generation += 1;
        Ok(())
    }

    /// Defines (`Some`) or deletes (`None`) the collation `name`.
    pub fn create_collation(
        &mut self,
        name: &str,
        coll: Option<Arc<dyn Collation>>,
    ) -> Result<(), ConnError> {
        let same = |c: &Arc<dyn Collation>| c.name().eq_ignore_ascii_case(name);
        let exists = self.collations.iter().any(same);
        if exists && self.state.active_vms > 0 {
            return Err(ConnError::Busy(
                "unable to delete/modify collation sequence due to active statements".into(),
            ));
        }
        self.collations.retain(|c| !same(c));
        if let Some(c) = coll {
            self.collations.push(c);
        }
        self.generation += 1;
        Ok(())
    }

    /// True if a collation called `name` is defined.
    pub fn has_collation(&self, name: &str) -> bool {
        self.collations
            .iter()
            .any(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// Changes the hooks (progress, commit, rollback, update).
    pub fn update_hooks(&mut self, f: impl FnOnce(&mut Hooks)) {
        f(&mut self.state.hooks);
    }

    /// Installs (or with `None` removes) a busy handler (invariant 2).
    pub fn set_busy_handler(&mut self, handler: Option<BusyFn>) {
        self.busy_timeout_ms = 0;
        for db in &mut self.dbs {
            let boxed: Option<Box<dyn FnMut(u32) -> bool + Send>> = handler.clone().map(|h| {
                let b: Box<dyn FnMut(u32) -> bool + Send> = Box::new(move |n| h(n));
                b
            });
            db.pager().set_busy_handler(boxed);
        }
    }

    /// Installs (or with `None` removes) the authorizer. Statements
    /// prepared earlier are re-prepared (and so re-authorized) before
    /// their next run, as SQLite expires them.
    pub fn set_authorizer(&mut self, auth: Option<Arc<dyn Authorizer>>) {
        self.authorizer = auth.map(AuthorizerSlot);
        self.generation += 1;
    }

    /// `sqlite3_txn_state`: of database `schema`, or the highest of all
    /// (`None`); `None` for an unknown schema name.
    pub fn txn_state(&mut self, schema: Option<&str>) -> Option<TxnLevel> {
        let level = |bt: &mut crate::btree::Btree<crate::pager::Pager>| match bt.pager().txn_state()
        {
            TxnState::None => TxnLevel::None,
            TxnState::Read => TxnLevel::Read,
            TxnState::Write => TxnLevel::Write,
        };
        match schema {
            None => Some(
                self.dbs
                    .iter_mut()
                    .map(level)
                    .max()
                    .unwrap_or(TxnLevel::None),
            ),
            Some(name) => {
                let i = self
                    .db_names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(name))?;
                Some(self.dbs.get_mut(i).map_or(TxnLevel::None, level))
            }
        }
    }

    /// Sets SQLITE_LIMIT_FUNCTION_ARG (statements compiled from now on).
    pub fn set_max_function_args(&mut self, n: usize) {
        self.max_function_args = n;
    }

    /// The name of database `i` ("main", "temp", or the attached name).
    pub fn db_name(&self, i: usize) -> Option<&str> {
        self.db_names.get(i).map(String::as_str)
    }
}

impl Connection {
    /// `sqlite3_create_module_v2`: registers (`Some`) or removes (`None`)
    /// the virtual-table module `name`; statements are re-prepared.
    pub fn create_module(&mut self, name: &str, module: Option<Arc<dyn crate::vtab::VTabModule>>) {
        self.vtabs.register(name, module);
        self.generation += 1;
    }

    /// `sqlite3_drop_modules`: removes every module not named in `keep`.
    pub fn drop_modules(&mut self, keep: &[String]) {
        self.vtabs.drop_modules(keep);
        self.generation += 1;
    }
}
