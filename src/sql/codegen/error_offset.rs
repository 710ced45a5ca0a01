//! The byte offset `sqlite3_error_offset` reports for a compile error.
//!
//! SQLite counterpart: `sqlite3RecordErrorOffsetOfExpr` (resolve.c), which
//! notes where the expression an error is about starts, for the errors the
//! name resolver raises on an expression: no such column, ambiguous column
//! name, no such function, wrong number of arguments, misuse of an aggregate
//! or window function.
//!
//! Invariants:
//! 1. Only the innermost expression whose compilation fails records its
//!    offset (the first record of a compilation wins), matching SQLite,
//!    which records the offset where it raises the error.
//! 2. [`compile_at`] clears the record before compiling, so an offset never
//!    leaks from one statement into the next.
//! 3. Errors SQLite reports without an offset get none here: the message
//!    prefix decides, not the call site.

use std::cell::Cell;

use super::{compile, CompileEnv};
use crate::sql::ast::Expr;
use crate::sql::Parsed;
use crate::vdbe::Program;

thread_local! {
    static OFFSET: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Messages SQLite attaches the failing expression's offset to.
const WITH_OFFSET: &[&str] = &[
    "no such column: ",
    "ambiguous column name: ",
    "no such function: ",
    "wrong number of arguments to function ",
    "misuse of aggregate function ",
    "misuse of window function ",
];

/// Records where `e` starts if `msg` is an error SQLite reports with an
/// offset and nothing was recorded yet.
pub(super) fn note(msg: &str, e: &Expr) {
    if WITH_OFFSET.iter().any(|p| msg.starts_with(p)) {
        OFFSET.with(|o| {
            if o.get().is_none() {
                o.set(Some(e.span.0));
            }
        });
    }
}

/// [`compile`], also returning the error's offset in `sql` when SQLite
/// would report one.
pub fn compile_at(
    parsed: &Parsed,
    sql: &str,
    env: &CompileEnv,
) -> Result<Program, (String, Option<usize>)> {
    OFFSET.with(|o| o.set(None));
    let r = compile(parsed, sql, env);
    let at = OFFSET.with(|o| o.take()).filter(|&at| at < sql.len());
    r.map_err(|m| (m, at))
}
