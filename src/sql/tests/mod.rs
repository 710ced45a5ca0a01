//! Tests of the SQL front end that span several files: statement shapes,
//! error texts checked against SQLite 3.40.1, and the vendored corpus.
//!
//! SQLite counterpart: none (test code).
//!
//! Invariants:
//! 1. Every expected error text here was produced by the system SQLite
//!    3.40.1 (python3's sqlite3 module) for the same input.

mod corpus;
mod errors;
mod schema_reuse;
mod shapes;

use super::parser::{parse_one, Parsed};

/// Parses the first statement of `sql`, panicking with the error.
pub(super) fn parse(sql: &str) -> Parsed {
    match parse_one(sql, 0) {
        Ok((Some(p), _)) => p,
        Ok((None, _)) => panic!("no statement in {sql:?}"),
        Err(e) => panic!("{sql:?}: {e}"),
    }
}

/// The error message for `sql`, or "OK".
pub(super) fn outcome(sql: &str) -> String {
    let mut offset = 0;
    loop {
        match parse_one(sql, offset) {
            Ok((Some(_), tail)) if tail < sql.len() && tail > offset => offset = tail,
            Ok(_) => return "OK".into(),
            Err(e) => return e.to_string(),
        }
    }
}
