//! The SQL functions of FTS3/FTS4 outside a full-text query context:
//! `match()`, and the auxiliary functions `snippet()`, `offsets()` and
//! `matchinfo()` that loom does not provide yet.
//!
//! SQLite counterpart: the MATCH fallback function of func.c
//! (`sqlite3RegisterLikeFunctions` context) and fts3.c's overloaded
//! functions (`fts3FindFunctionMethod`).
//!
//! Invariants:
//! 1. `match(x, y)` evaluated as an ordinary function fails with C's text
//!    "unable to use function MATCH in the requested context".
//! 2. The auxiliary functions fail naming themselves as not supported.

use crate::func::{FuncContext, FuncError, ScalarFn};
use crate::record::{Value, ValueRef};

fn match_fn(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Err(FuncError::Error(
        "unable to use function MATCH in the requested context".into(),
    ))
}

fn snippet(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Err(FuncError::Error(
        "fts4 function snippet is not supported by loom yet".into(),
    ))
}

fn offsets(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Err(FuncError::Error(
        "fts4 function offsets is not supported by loom yet".into(),
    ))
}

fn matchinfo(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Err(FuncError::Error(
        "fts4 function matchinfo is not supported by loom yet".into(),
    ))
}

/// (name, number of arguments, implementation) of every function above.
pub const FUNCTIONS: [(&str, i32, ScalarFn); 10] = [
    ("match", 2, match_fn),
    ("snippet", 1, snippet),
    ("snippet", 2, snippet),
    ("snippet", 3, snippet),
    ("snippet", 4, snippet),
    ("snippet", 5, snippet),
    ("snippet", 6, snippet),
    ("offsets", 1, offsets),
    ("matchinfo", 1, matchinfo),
    ("matchinfo", 2, matchinfo),
];
