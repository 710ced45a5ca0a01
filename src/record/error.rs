//! The record layer's error type and its mapping to SQLite result codes.
//!
//! SQLite counterpart: the `SQLITE_CORRUPT_BKPT` returns of vdbeaux.c's
//! record decoder.
//!
//! Invariants:
//! 1. Every variant is a corruption of stored bytes: decoding a record never
//!    fails for any other reason, so every variant maps to `SQLITE_CORRUPT`.
//! 2. The mapping is an exhaustive `match` with no catch-all arm.

use crate::rc::ResultCode;

/// Why a record (or a value inside it) could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The header-size varint is missing, too small or past the payload end.
    #[error("corrupt record: bad header size {size} for payload of {payload} bytes")]
    BadHeaderSize { size: u64, payload: usize },
    /// A serial-type varint in the header is truncated.
    #[error("corrupt record: truncated serial type at header offset {offset}")]
    TruncatedHeader { offset: usize },
    /// Serial types 10 and 11 are reserved and never appear in a valid file.
    #[error("corrupt record: reserved serial type {serial_type}")]
    ReservedSerialType { serial_type: u64 },
    /// A column's body bytes run past the end of the payload.
    #[error("corrupt record: column {column} body ends at {end}, payload is {payload} bytes")]
    BodyOverrun {
        column: usize,
        end: u64,
        payload: usize,
    },
}

impl RecordError {
    /// The SQLite result code this error surfaces as.
    pub fn result_code(&self) -> ResultCode {
        match self {
            RecordError::BadHeaderSize { .. } => ResultCode::CORRUPT,
            RecordError::TruncatedHeader { .. } => ResultCode::CORRUPT,
            RecordError::ReservedSerialType { .. } => ResultCode::CORRUPT,
            RecordError::BodyOverrun { .. } => ResultCode::CORRUPT,
        }
    }
}

impl From<RecordError> for ResultCode {
    fn from(e: RecordError) -> ResultCode {
        e.result_code()
    }
}
