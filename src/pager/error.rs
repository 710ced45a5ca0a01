//! The pager error type and its mapping to SQLite result codes.
//!
//! SQLite counterpart: the result codes pager.c returns (`SQLITE_BUSY`,
//! `SQLITE_CORRUPT`, `SQLITE_NOTADB`, `SQLITE_READONLY*`, `SQLITE_FULL`, and
//! every VFS `SQLITE_IOERR_*` passed through).
//!
//! Invariants:
//! 1. [`PagerError::result_code`] is an exhaustive match with no catch-all.
//! 2. Corruption errors carry the page number and the source location that
//!    detected them.

use crate::rc::ResultCode;
use crate::vfs::VfsError;

use super::cache::Pgno;

/// An error from the pager.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PagerError {
    /// A VFS call failed.
    #[error(transparent)]
    Vfs(#[from] VfsError),
    /// A lock could not be obtained (and the busy handler gave up).
    #[error("database is locked")]
    Busy,
    /// WAL mode: a read transaction cannot become a write transaction
    /// because another connection committed since its snapshot began
    /// (`SQLITE_BUSY_SNAPSHOT`; retrying inside the transaction cannot help).
    #[error("database is locked")]
    BusySnapshot,
    /// WAL mode: another connection is rebuilding the wal-index
    /// (`SQLITE_BUSY_RECOVERY`).
    #[error("database is locked")]
    BusyRecovery,
    /// A page number out of range or an inconsistent page.
    #[error("database disk image is malformed (page {pgno}, detected at {at})")]
    Corrupt {
        /// The page concerned.
        pgno: Pgno,
        /// Where in loom the corruption was detected.
        at: &'static std::panic::Location<'static>,
    },
    /// The file does not start with a valid SQLite header.
    #[error("file is not a database")]
    NotADatabase,
    /// A write on a read-only pager.
    #[error("attempt to write a readonly database")]
    ReadOnly,
    /// A hot journal must be rolled back but the database is read-only.
    #[error("attempt to write a readonly database (hot journal needs rollback)")]
    ReadOnlyRollback,
    /// A page handle whose frame was evicted or reused (a caller bug, so
    /// `SQLITE_INTERNAL`).
    #[error("stale page handle")]
    StaleHandle,
    /// The database reached the maximum page count.
    #[error("database or disk is full")]
    Full,
    /// The pager was called in a state that does not allow the call.
    #[error("pager misuse: {0}")]
    Misuse(&'static str),
    /// A feature this pager does not implement yet.
    #[error("{0}")]
    Unsupported(&'static str),
}

impl PagerError {
    /// A corruption error for `pgno`, recording the caller's location.
    #[track_caller]
    pub fn corrupt(pgno: Pgno) -> PagerError {
        PagerError::Corrupt {
            pgno,
            at: std::panic::Location::caller(),
        }
    }

    /// True for the lock-contention errors (primary code SQLITE_BUSY).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            PagerError::Busy | PagerError::BusySnapshot | PagerError::BusyRecovery
        )
    }

    /// The SQLite result code (with extended code) for this error.
    pub fn result_code(&self) -> ResultCode {
        match self {
            PagerError::Vfs(e) => e.result_code(),
            PagerError::Busy => ResultCode::BUSY,
            PagerError::BusySnapshot => ResultCode::BUSY_SNAPSHOT,
            PagerError::BusyRecovery => ResultCode::BUSY_RECOVERY,
            PagerError::Corrupt { .. } => ResultCode::CORRUPT,
            PagerError::NotADatabase => ResultCode::NOTADB,
            PagerError::ReadOnly => ResultCode::READONLY,
            PagerError::ReadOnlyRollback => ResultCode::READONLY_ROLLBACK,
            PagerError::StaleHandle => ResultCode::INTERNAL,
            PagerError::Full => ResultCode::FULL,
            PagerError::Misuse(_) => ResultCode::MISUSE,
            PagerError::Unsupported(_) => ResultCode::ERROR,
        }
    }
}

/// Converts a VFS error, turning lock contention into [`PagerError::Busy`].
pub(super) fn from_vfs(e: VfsError) -> PagerError {
    match e {
        VfsError::Busy => PagerError::Busy,
        other => PagerError::Vfs(other),
    }
}
