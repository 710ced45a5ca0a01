//! The b-tree layer's error type and its mapping to SQLite result codes.
//!
//! SQLite counterpart: the `SQLITE_CORRUPT_PAGE` / `SQLITE_CORRUPT_BKPT`
//! returns of btree.c.
//!
//! Invariants:
//! 1. Every corruption carries the page number where it was detected and a
//!    short static description of what was wrong.
//! 2. The mapping to [`ResultCode`] is an exhaustive `match` (no `_` arm).

use crate::rc::ResultCode;
use crate::record::RecordError;

/// Page numbers are 1-based; 0 means "no page".
pub type Pgno = u32;

/// Errors from b-tree operations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BtreeError {
    /// A page's bytes violate the file format.
    #[error("database disk image is malformed: page {pgno}: {what}")]
    Corrupt { pgno: Pgno, what: &'static str },
    /// A record stored in the tree could not be decoded.
    #[error("database disk image is malformed: page {pgno}: {source}")]
    Record { pgno: Pgno, source: RecordError },
    /// The page store (pager) failed.
    #[error("{msg}")]
    Store { code: ResultCode, msg: String },
    /// The caller used the API wrongly (e.g. wrote outside a write
    /// transaction, or used an index cursor as a table cursor).
    #[error("b-tree misuse: {0}")]
    Misuse(&'static str),
    /// A payload exceeds what a b-tree cell can describe.
    #[error("string or blob too big")]
    TooBig,
}

impl BtreeError {
    /// The SQLite result code of this error.
    pub fn result_code(&self) -> ResultCode {
        match self {
            BtreeError::Corrupt { .. } => ResultCode::CORRUPT,
            BtreeError::Record { source, .. } => source.result_code(),
            BtreeError::Store { code, .. } => *code,
            BtreeError::Misuse(_) => ResultCode::MISUSE,
            BtreeError::TooBig => ResultCode::TOOBIG,
        }
    }
}

impl From<BtreeError> for ResultCode {
    fn from(e: BtreeError) -> ResultCode {
        e.result_code()
    }
}

/// Shorthand for a corruption error.
pub(crate) fn corrupt(pgno: Pgno, what: &'static str) -> BtreeError {
    BtreeError::Corrupt { pgno, what }
}
