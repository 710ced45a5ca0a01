//! `DbError`: the one error type of the safe Rust API.
//!
//! SQLite counterpart: the result code + `sqlite3_errmsg()` pair a C caller
//! sees after a failed call.
//!
//! Invariants:
//! 1. [`DbError::code`] is the extended result code SQLite returns for the
//!    same failure; [`DbError::code`]`.primary()` its primary code.
//! 2. `Display` is exactly the text of `sqlite3_errmsg()` for the failure.
//! 3. Lower layers' errors reach this type only through `conn::ConnError`,
//!    mapped by an exhaustive `match`.

use crate::rc::ResultCode;

/// Everything that can go wrong in a call of the Rust API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// SQLITE_BUSY (or an extended BUSY code): another connection holds a lock.
    #[error("{msg}")]
    Busy { code: ResultCode, msg: String },
    /// SQLITE_LOCKED: a conflict inside this connection (e.g. DROP while reading).
    #[error("{msg}")]
    Locked { code: ResultCode, msg: String },
    /// SQLITE_READONLY: a write on a read-only database or connection mode.
    #[error("{msg}")]
    Readonly { code: ResultCode, msg: String },
    /// SQLITE_INTERRUPT: `interrupt()` was called.
    #[error("interrupted")]
    Interrupted,
    /// SQLITE_IOERR_*: the operating system failed an I/O call.
    #[error("{msg}")]
    IoError { code: ResultCode, msg: String },
    /// SQLITE_CORRUPT_*: the database file is malformed.
    #[error("{msg}")]
    Corrupt { code: ResultCode, msg: String },
    /// SQLITE_FULL: the disk or the database is full.
    #[error("database or disk is full")]
    Full,
    /// SQLITE_CANTOPEN_*: the file could not be opened.
    #[error("{msg}")]
    CannotOpen { code: ResultCode, msg: String },
    /// SQLITE_CONSTRAINT_*: a constraint failed (`UNIQUE constraint failed: t.a`).
    #[error("{msg}")]
    Constraint { code: ResultCode, msg: String },
    /// SQLITE_MISUSE: the API was used wrongly.
    #[error("{0}")]
    Misuse(String),
    /// SQLITE_AUTH: the connection mode or authorizer refused the statement.
    #[error("{0}")]
    AuthDenied(String),
    /// SQLITE_RANGE: a parameter or column index out of range.
    #[error("column index out of range")]
    BindRange,
    /// SQLITE_NOTADB: the file is not a database.
    #[error("file is not a database")]
    NotADatabase,
    /// SQLITE_ERROR raised while compiling SQL (syntax, unknown names …).
    #[error("{0}")]
    CompileError(String),
    /// SQLITE_ERROR for a feature loom does not have yet; the text names it.
    #[error("{0}")]
    Unsupported(String),
    /// SQLITE_TOOBIG: a string or blob over the length limit.
    #[error("string or blob too big")]
    TooBig,
    /// SQLITE_MISMATCH: e.g. a non-integer rowid.
    #[error("datatype mismatch")]
    Mismatch,
    /// SQLITE_SCHEMA: the schema changed and the statement could not be re-prepared.
    #[error("{0}")]
    Schema(String),
    /// SQLITE_NOMEM.
    #[error("out of memory")]
    NoMem,
    /// SQLITE_ABORT (or ABORT_ROLLBACK): the statement was aborted.
    #[error("{msg}")]
    Abort { code: ResultCode, msg: String },
    /// SQLITE_INTERNAL: a bug in loom, reported instead of crashing.
    #[error("{0}")]
    Internal(String),
    /// Any other SQLITE_ERROR at run time (e.g. a function's error).
    #[error("{0}")]
    Error(String),
}

impl DbError {
    /// The extended result code of this error.
    pub fn code(&self) -> ResultCode {
        match self {
            DbError::Busy { code, .. }
            | DbError::Locked { code, .. }
            | DbError::Readonly { code, .. }
            | DbError::IoError { code, .. }
            | DbError::Corrupt { code, .. }
            | DbError::CannotOpen { code, .. }
            | DbError::Constraint { code, .. }
            | DbError::Abort { code, .. } => *code,
            DbError::Interrupted => ResultCode::INTERRUPT,
            DbError::Full => ResultCode::FULL,
            DbError::Misuse(_) => ResultCode::MISUSE,
            DbError::AuthDenied(_) => ResultCode::AUTH,
            DbError::BindRange => ResultCode::RANGE,
            DbError::NotADatabase => ResultCode::NOTADB,
            DbError::CompileError(_) | DbError::Unsupported(_) | DbError::Error(_) => {
                ResultCode::ERROR
            }
            DbError::TooBig => ResultCode::TOOBIG,
            DbError::Mismatch => ResultCode::MISMATCH,
            DbError::Schema(_) => ResultCode::SCHEMA,
            DbError::NoMem => ResultCode::NOMEM,
            DbError::Internal(_) => ResultCode::INTERNAL,
        }
    }

    /// The error for extended code `code` with message `msg`.
    pub fn from_code(code: ResultCode, msg: String) -> DbError {
        match code.primary().0 {
            5 => DbError::Busy { code, msg },
            6 => DbError::Locked { code, msg },
            8 => DbError::Readonly { code, msg },
            9 => DbError::Interrupted,
            10 => DbError::IoError { code, msg },
            11 => DbError::Corrupt { code, msg },
            13 => DbError::Full,
            14 => DbError::CannotOpen { code, msg },
            19 => DbError::Constraint { code, msg },
            21 => DbError::Misuse(msg),
            23 => DbError::AuthDenied(msg),
            25 => DbError::BindRange,
            26 => DbError::NotADatabase,
            18 => DbError::TooBig,
            20 => DbError::Mismatch,
            17 => DbError::Schema(msg),
            7 => DbError::NoMem,
            4 => DbError::Abort { code, msg },
            2 => DbError::Internal(msg),
            _ => DbError::Error(msg),
        }
    }

    /// A `Misuse` error with SQLite's generic text.
    pub fn misuse() -> DbError {
        DbError::Misuse(ResultCode::MISUSE.errstr().to_string())
    }

    /// An error for a feature loom does not implement yet.
    pub fn unsupported(what: &str) -> DbError {
        DbError::Unsupported(format!("{what} is not supported by loom yet"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_texts() {
        let e = DbError::Constraint {
            code: ResultCode::CONSTRAINT_UNIQUE,
            msg: "UNIQUE constraint failed: t.a".into(),
        };
        assert_eq!(e.code().0, 2067);
        assert_eq!(e.to_string(), "UNIQUE constraint failed: t.a");
        assert_eq!(DbError::BindRange.to_string(), "column index out of range");
        assert_eq!(DbError::unsupported("WAL mode").code(), ResultCode::ERROR);
    }
}
