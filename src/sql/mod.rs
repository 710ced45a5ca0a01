//! L5 — the SQL compiler front end: tokenizer, parser, AST.
//!
//! SQLite counterpart: tokenize.c, complete.c, parse.y (resolve.c, select.c,
//! expr.c … are later stages built on this AST).
//!
//! Pipeline: [`lexer`] splits text into [`token::Token`]s; [`parser`]
//! builds one [`ast::Stmt`] per statement ([`parse_one`], [`parse_all`]);
//! [`complete`](complete::complete) answers `sqlite3_complete`.
//!
//! Invariants:
//! 1. This module depends on nothing in the engine but [`crate::rc`].
//! 2. All errors are [`ParseError`]s whose `Display` is SQLite's message.

pub mod ast;
mod ast_ddl;
mod ast_stmt;
pub mod complete;
pub mod lexer;
pub mod parser;
pub mod token;

pub use complete::complete;
pub use parser::{parse_all, parse_one, ParseError, Parsed};
#[cfg(test)]
mod tests;

mod codegen;
pub mod schema;
pub mod schema_gen;
pub mod schema_stat;
pub mod schema_wr;

pub use codegen::{classify, compile, compile_at, expand_sql, CompileEnv, StmtClass};
pub use schema::{RowEdit, Schema, SchemaRow};
