//! The virtual-table module, table and cursor traits.
//!
//! SQLite counterpart: the method slots of `sqlite3_module` (sqlite3.h,
//! vtab.html §2): xCreate/xConnect, xBestIndex, xDisconnect/xDestroy,
//! xOpen/xClose, xFilter/xNext/xEof/xColumn/xRowid, xUpdate,
//! xBegin/xSync/xCommit/xRollback, xRename.
//!
//! Invariants:
//! 1. Every method returns a [`VTabError`] carrying a SQLite result code and
//!    a message; the VM reports it as the statement's error unchanged.
//! 2. Optional methods have defaults that behave as a NULL slot does in
//!    SQLite (a missing xUpdate makes the table read-only).

use crate::rc::ResultCode;
use crate::record::Value;

use super::{lent, IndexInfo, VTabHost};

/// An error raised by a module method: a result code and its message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{msg}")]
pub struct VTabError {
    pub code: ResultCode,
    pub msg: String,
}

impl VTabError {
    /// An SQLITE_ERROR with `msg`.
    pub fn new(msg: impl Into<String>) -> VTabError {
        VTabError {
            code: ResultCode::ERROR,
            msg: msg.into(),
        }
    }

    /// The result code of this error.
    pub fn result_code(&self) -> ResultCode {
        self.code
    }
}

/// The result of a module method.
pub type VTabResult<T> = Result<T, VTabError>;

/// The ON CONFLICT mode an xUpdate runs under (`sqlite3_vtab_on_conflict`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConflictMode {
    Rollback,
    Ignore,
    Fail,
    #[default]
    Abort,
    Replace,
}

impl ConflictMode {
    /// SQLITE_ROLLBACK 1, SQLITE_IGNORE 2, SQLITE_FAIL 3, SQLITE_ABORT 4,
    /// SQLITE_REPLACE 5.
    pub fn code(self) -> i32 {
        match self {
            ConflictMode::Rollback => 1,
            ConflictMode::Ignore => 2,
            ConflictMode::Fail => 3,
            ConflictMode::Abort => 4,
            ConflictMode::Replace => 5,
        }
    }
}

/// A virtual-table module (`sqlite3_module`).
pub trait VTabModule: Send + Sync {
    /// xCreate: builds the backing store of a new table. Returns the
    /// declared schema (`CREATE TABLE x(...)`) and the instance. `args` are
    /// module name, database name, table name, then the USING arguments.
    fn create(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)>;
    /// xConnect: attaches to an existing table's store.
    fn connect(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)>;
    /// xCreate with the calling connection at hand (host.rs invariant 2).
    fn create_in(
        &self,
        args: &[String],
        host: &mut dyn VTabHost,
    ) -> VTabResult<(String, Box<dyn VTab>)> {
        lent(host, || self.create(args))
    }
    /// True when the module has no xCreate (eponymous-only: no CREATE
    /// VIRTUAL TABLE allowed).
    fn eponymous_only(&self) -> bool {
        false
    }
    /// True when the module is usable as an eponymous table (a table-valued
    /// function): xCreate is the same as xConnect, or absent.
    fn eponymous(&self) -> bool {
        false
    }
}

/// A connected virtual table (`sqlite3_vtab`).
pub trait VTab: Send + Sync {
    /// xBestIndex: fills the outputs of `info`.
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()>;
    /// xOpen: a new cursor.
    fn open(&self) -> VTabResult<Box<dyn VTabCursor>>;
    /// xDisconnect (invariant 1 of the module docs).
    fn disconnect(&self) {}
    /// xDestroy: releases the table's store (DROP TABLE).
    fn destroy(&self) -> VTabResult<()> {
        Ok(())
    }
    /// xDestroy with the calling connection at hand.
    fn destroy_in(&self, host: &mut dyn VTabHost) -> VTabResult<()> {
        lent(host, || self.destroy())
    }
    /// xUpdate with the calling connection at hand.
    fn update_in(
        &self,
        args: &[Value],
        on_conflict: ConflictMode,
        host: &mut dyn VTabHost,
    ) -> VTabResult<Option<i64>> {
        lent(host, || self.update(args, on_conflict))
    }
    /// xUpdate: `args[0]` is the old rowid (NULL for INSERT), `args[1]` the
    /// new rowid (absent for DELETE), then the column values. Returns the
    /// rowid of an inserted row when the module chose it.
    fn update(&self, _args: &[Value], _on_conflict: ConflictMode) -> VTabResult<Option<i64>> {
        Err(VTabError::new("read-only"))
    }
    /// True when [`VTab::update`] is implemented.
    fn writable(&self) -> bool {
        false
    }
    /// xBegin.
    fn begin(&self) -> VTabResult<()> {
        Ok(())
    }
    /// xSync.
    fn sync(&self) -> VTabResult<()> {
        Ok(())
    }
    /// xCommit.
    fn commit(&self) -> VTabResult<()> {
        Ok(())
    }
    /// xRollback.
    fn rollback(&self) -> VTabResult<()> {
        Ok(())
    }
    /// xRename.
    fn rename(&self, _new_name: &str) -> VTabResult<()> {
        Ok(())
    }
}

/// An open cursor on a virtual table (`sqlite3_vtab_cursor`). Dropping it
/// is xClose.
pub trait VTabCursor: Send {
    /// xFilter: starts a scan with the plan xBestIndex chose.
    fn filter(&mut self, idx_num: i32, idx_str: Option<&str>, args: &[Value]) -> VTabResult<()>;
    /// xFilter with the calling connection at hand.
    fn filter_in(
        &mut self,
        idx_num: i32,
        idx_str: Option<&str>,
        args: &[Value],
        host: &mut dyn VTabHost,
    ) -> VTabResult<()> {
        lent(host, || self.filter(idx_num, idx_str, args))
    }
    /// xNext.
    fn next(&mut self) -> VTabResult<()>;
    /// xEof.
    fn eof(&self) -> bool;
    /// xColumn of column `i`; `nochange` is true inside an UPDATE that does
    /// not change the column (`sqlite3_vtab_nochange`).
    fn column(&mut self, i: usize, nochange: bool) -> VTabResult<Value>;
    /// xRowid.
    fn rowid(&mut self) -> VTabResult<i64>;
    /// The subtype of the value the last `column` call returned
    /// (`sqlite3_result_subtype` inside xColumn; 0 for none).
    fn column_subtype(&self) -> u8 {
        0
    }
}
