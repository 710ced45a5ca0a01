//! The VDBE's error type and its mapping to SQLite result codes.
//!
//! SQLite counterpart: the `rc` / `zErrMsg` pair that vdbe.c's
//! `abort_due_to_error` path leaves in the `Vdbe`, later reported by
//! `sqlite3_errcode()` / `sqlite3_errmsg()`.
//!
//! Invariants:
//! 1. [`VdbeError::result_code`] is an exhaustive `match` (no catch-all arm).
//! 2. `Display` is exactly the text `sqlite3_errmsg()` shows for the error.
//! 3. Errors of the layers below keep their own variant so their result
//!    codes (BUSY, IOERR_*, CORRUPT, …) reach the API unchanged.

use crate::btree::BtreeError;
use crate::func::FuncError;
use crate::pager::PagerError;
use crate::rc::ResultCode;
use crate::record::RecordError;

/// Why a VM step failed.
#[derive(Debug, thiserror::Error)]
pub enum VdbeError {
    /// A b-tree / pager / VFS failure (BUSY, IOERR, CORRUPT, FULL, …).
    #[error("{0}")]
    Btree(#[from] BtreeError),
    /// A pager failure outside a b-tree call (savepoints).
    #[error("{0}")]
    Pager(#[from] PagerError),
    /// A stored record could not be decoded (always CORRUPT).
    #[error("database disk image is malformed")]
    Record(#[from] RecordError),
    /// A SQL function raised an error.
    #[error("{0}")]
    Func(#[from] FuncError),
    /// A constraint failed; `code` is the extended CONSTRAINT_* code.
    #[error("{msg}")]
    Constraint { code: ResultCode, msg: String },
    /// The schema cookie changed since the statement was prepared.
    #[error("database schema has changed")]
    Schema,
    /// `sqlite3_interrupt()` was called.
    #[error("interrupted")]
    Interrupted,
    /// `MustBeInt` on a value that is not an integer.
    #[error("datatype mismatch")]
    Mismatch,
    /// A string or blob exceeded the length limit.
    #[error("string or blob too big")]
    TooBig,
    /// No new rowid could be found (SQLITE_FULL).
    #[error("database or disk is full")]
    Full,
    /// A plain SQL error raised by an opcode (SQLITE_ERROR), e.g.
    /// "cannot start a transaction within a transaction".
    #[error("{0}")]
    Error(String),
    /// `Halt` with a non-OK result code that is not a constraint.
    #[error("{msg}")]
    Halt { code: ResultCode, msg: String },
    /// A COMMIT or ROLLBACK was refused because statements are running
    /// (SQLITE_BUSY with a message).
    #[error("{0}")]
    Busy(String),
    /// API misuse, e.g. a bind index out of range.
    #[error("{0}")]
    Misuse(String),
    /// The program violates an invariant of [`crate::vdbe::Program`]
    /// (a bad register, cursor or jump target): a codegen bug.
    #[error("internal error: {0}")]
    Internal(String),
}

impl VdbeError {
    /// The SQLite result code (with extended code) of this error.
    pub fn result_code(&self) -> ResultCode {
        match self {
            VdbeError::Btree(e) => e.result_code(),
            VdbeError::Pager(e) => e.result_code(),
            VdbeError::Record(e) => e.result_code(),
            VdbeError::Func(e) => e.result_code(),
            VdbeError::Constraint { code, .. } => *code,
            VdbeError::Schema => ResultCode::SCHEMA,
            VdbeError::Interrupted => ResultCode::INTERRUPT,
            VdbeError::Mismatch => ResultCode::MISMATCH,
            VdbeError::TooBig => ResultCode::TOOBIG,
            VdbeError::Full => ResultCode::FULL,
            VdbeError::Error(_) => ResultCode::ERROR,
            VdbeError::Halt { code, .. } => *code,
            VdbeError::Busy(_) => ResultCode::BUSY,
            VdbeError::Misuse(_) => ResultCode::MISUSE,
            VdbeError::Internal(_) => ResultCode::INTERNAL,
        }
    }

    /// True for SQLITE_BUSY (and its extended codes): the statement may be
    /// retried without being reset.
    pub fn is_busy(&self) -> bool {
        self.result_code().0 & 0xff == ResultCode::BUSY.0
    }

    /// SQLite's "special" errors (`isSpecialError` in sqlite3VdbeHalt):
    /// after one of these a writing statement rolls back the whole
    /// transaction, not just itself.
    pub(crate) fn is_special(&self) -> bool {
        let p = self.result_code().0 & 0xff;
        p == ResultCode::NOMEM.0
            || p == ResultCode::IOERR.0
            || p == ResultCode::INTERRUPT.0
            || p == ResultCode::FULL.0
    }
}

impl From<VdbeError> for ResultCode {
    fn from(e: VdbeError) -> ResultCode {
        e.result_code()
    }
}

/// Shorthand for opcode helpers.
pub(crate) fn internal(what: impl Into<String>) -> VdbeError {
    VdbeError::Internal(what.into())
}
