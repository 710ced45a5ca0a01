//! The SQL parser: a hand-written recursive-descent parser (Pratt for
//! expressions) for SQLite 3.40's grammar, producing [`crate::sql::ast`].
//!
//! SQLite counterpart: parse.y (the Lemon grammar) and `sqlite3RunParser`.
//!
//! Layout:
//! - `core`: token cursor, name rules (`nm`, `ids`), parameter numbering,
//!   nesting limits;
//! - `expr`, `func`: expressions, function calls, windows, ORDER BY terms;
//! - `select`: SELECT and FROM;
//! - `dml`: INSERT/UPDATE/DELETE and trigger-body statements;
//! - `ddl`, `schema`: CREATE/DROP/ALTER;
//! - `stmt`: dispatch, small statements and the entry points.
//!
//! Invariants:
//! 1. Acceptance and error messages follow SQLite 3.40.1: the error names
//!    the token where SQLite's LALR parser would stop.
//! 2. The parser never panics and bounds its recursion (`parser stack
//!    overflow`, `Expression tree is too large`).

mod core;
mod ddl;
mod dml;
mod error;
mod expr;
mod func;
mod schema;
mod select;
mod stmt;

pub use self::core::{MAX_COMPOUND_SELECT, MAX_EXPR_DEPTH, MAX_VARIABLE_NUMBER};
pub use self::error::ParseError;
pub(crate) use self::expr::literal_truth;
pub use self::stmt::{parse_all, parse_one, Parsed};
