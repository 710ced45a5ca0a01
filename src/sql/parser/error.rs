//! The parser's error type.
//!
//! SQLite counterpart: the messages `sqlite3RunParser` and parse.y's
//! actions leave in `Parse.zErrMsg`; all of them are `SQLITE_ERROR`.
//!
//! Invariants:
//! 1. `Display` gives exactly SQLite's message text.
//! 2. Every variant maps to [`ResultCode::ERROR`].

use crate::rc::ResultCode;

/// A SQL parse error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// `near "X": syntax error`; `offset` is the byte offset of X.
    #[error("near \"{near}\": syntax error")]
    Syntax {
        /// The original text of the token where parsing failed.
        near: String,
        /// Its byte offset.
        offset: usize,
    },
    /// The text ended in the middle of a statement.
    #[error("incomplete input")]
    Incomplete,
    /// A token that is not SQL (unterminated string, bad blob, `^` …).
    #[error("unrecognized token: \"{token}\"")]
    Unrecognized {
        /// The token's text.
        token: String,
        /// Its byte offset.
        offset: usize,
    },
    /// Any other message a parser action reports (e.g. `unknown join
    /// type: left inner`, `parser stack overflow`).
    #[error("{0}")]
    Other(String),
}

impl ParseError {
    /// The result code: always `SQLITE_ERROR`.
    pub fn result_code(&self) -> ResultCode {
        match self {
            ParseError::Syntax { .. } => ResultCode::ERROR,
            ParseError::Incomplete => ResultCode::ERROR,
            ParseError::Unrecognized { .. } => ResultCode::ERROR,
            ParseError::Other(_) => ResultCode::ERROR,
        }
    }
}

/// Result alias for the parser.
pub type PResult<T> = Result<T, ParseError>;
