//! `ConnError`: the error enum of the connection layer (L6).
//!
//! SQLite counterpart: the error code + message a connection records in
//! `sqlite3Error()` / `sqlite3ErrorWithMsg()` (main.c).
//!
//! Invariants:
//! 1. Every lower layer's error converts into exactly one variant, and
//!    [`ConnError::result_code`] maps each variant by an exhaustive match.
//! 2. `Display` is the `sqlite3_errmsg()` text.

use crate::btree::BtreeError;
use crate::pager::PagerError;
use crate::rc::ResultCode;
use crate::sql::ParseError;
use crate::vdbe::VdbeError;
use crate::vfs::VfsError;

/// Errors of the connection layer.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    /// The SQL text did not parse.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// Name resolution or code generation failed (`no such table: t`, …).
    #[error("{0}")]
    Compile(String),
    /// A compile error about the expression starting at this byte offset of
    /// the SQL text (`no such column: c`, …; `sqlite3_error_offset`).
    #[error("{0}")]
    CompileAt(String, usize),
    /// The statement failed while running.
    #[error("{0}")]
    Vdbe(#[from] VdbeError),
    #[error("{0}")]
    Btree(#[from] BtreeError),
    #[error("{0}")]
    Pager(#[from] PagerError),
    #[error("{0}")]
    Vfs(#[from] VfsError),
    /// The connection's mode forbids writing.
    #[error("attempt to write a readonly database")]
    ReadOnly,
    /// The connection's mode or the authorizer forbids this statement.
    #[error("not authorized")]
    NotAuthorized,
    /// The authorizer denied reading a column ("access to T.C is prohibited").
    #[error("{0}")]
    Prohibited(String),
    /// A change refused while statements run (user functions, collations).
    #[error("{0}")]
    Busy(String),
    /// The API was called wrongly (e.g. a bind on a running statement).
    #[error("{0}")]
    Misuse(String),
    /// A feature loom does not implement yet; the text names it.
    #[error("{0}")]
    Unsupported(String),
    /// The database file could not be opened.
    #[error("unable to open database file")]
    CantOpen,
    /// A parameter index out of range.
    #[error("column index out of range")]
    Range,
}

impl ConnError {
    /// The extended result code for this error.
    pub fn result_code(&self) -> ResultCode {
        match self {
            ConnError::Parse(e) => e.result_code(),
            ConnError::Compile(_) | ConnError::CompileAt(..) | ConnError::Unsupported(_) => {
                ResultCode::ERROR
            }
            ConnError::Vdbe(e) => e.result_code(),
            ConnError::Btree(e) => e.result_code(),
            ConnError::Pager(e) => e.result_code(),
            ConnError::Vfs(e) => e.result_code(),
            ConnError::ReadOnly => ResultCode::READONLY,
            ConnError::NotAuthorized | ConnError::Prohibited(_) => ResultCode::AUTH,
            ConnError::Busy(_) => ResultCode::BUSY,
            ConnError::Misuse(_) => ResultCode::MISUSE,
            ConnError::CantOpen => ResultCode::CANTOPEN,
            ConnError::Range => ResultCode::RANGE,
        }
    }

    /// Byte offset in the SQL text of the token a syntax error, or of the
    /// expression a name-resolution error, is about (`sqlite3_error_offset`);
    /// `None` for other errors.
    pub fn error_offset(&self) -> Option<usize> {
        match self {
            ConnError::Parse(ParseError::Syntax { offset, .. })
            | ConnError::Parse(ParseError::Unrecognized { offset, .. })
            | ConnError::CompileAt(_, offset) => Some(*offset),
            _ => None,
        }
    }

    /// A "not supported yet" error naming the feature.
    pub fn unsupported(what: &str) -> ConnError {
        ConnError::Unsupported(format!("{what} is not supported by loom yet"))
    }
}
