//! loomdb: the engine of loom, SQLite 3 rewritten in Rust.
//!
//! The C ABI (`libsqlite3.so.0`) lives in the `capi/` crate and is a thin
//! `extern "C"` surface over [`api`]. This crate holds every layer below it.
//!
//! # Layer map
//!
//! | layer | module | SQLite counterpart | job |
//! |---|---|---|---|
//! | —  | [`rc`], [`printf`] | sqlite3.h codes, printf.c | result codes; SQLite's printf |
//! | L0 | [`vfs`] | os_unix.c, memdb.c | file I/O and POSIX locks behind traits |
//! | L1 | [`pager`] | pager.c, pcache.c | page cache, transactions, rollback journal |
//! | L2 | [`record`] | vdbeaux.c, vdbemem.c, utf.c | varints, records, values, affinity, collation |
//! | L3 | [`btree`] | btree.c | table and index b-trees, cursors |
//! | L4 | [`vdbe`], [`func`] | vdbe.c, func.c | the bytecode VM and built-in functions |
//! | L5 | [`sql`] | tokenize.c, parse.y, select.c, … | lexer, parser, codegen |
//! | L6 | [`conn`] | main.c, prepare.c | connections, schema, statements |
//! | L7 | [`api`] | — | the safe Rust API |
//!
//! Each layer depends only on the layers below it; calls upward (user
//! functions, busy handlers, schema reloads) go through traits the lower
//! layer defines.
//!
//! # Life of a statement
//!
//! 1. [`api::Database::prepare`] hands SQL text to the connection ([`conn`]).
//! 2. [`sql`] tokenizes and parses it into an AST, resolves names against the
//!    connection's schema cache and generates a VDBE program.
//! 3. Each `step` runs [`vdbe`] until it yields a row (`ResultRow`) or halts.
//!    Opcodes move b-tree cursors ([`btree`]), which read and write pages
//!    through the [`pager`], which does all I/O through a [`vfs`] file.
//! 4. Column values are decoded lazily from records ([`record`]) into the
//!    VM's registers; the API reads them from there.
//! 5. `Halt` commits or rolls back the statement's transaction (autocommit),
//!    and the pager writes its rollback journal, the pages and syncs in
//!    SQLite's order, so the file is a valid SQLite database at every sync.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![deny(clippy::missing_safety_doc)]
#![deny(clippy::host_endian_bytes)]
#![deny(clippy::little_endian_bytes)]
#![warn(missing_debug_implementations)]

pub mod rc;

pub mod printf;

pub mod vfs;

pub mod pager;

pub mod record;

pub mod btree;

pub mod vdbe;

/// L4 — the built-in full-text modules (FTS3/FTS4 over shadow tables).
pub mod fts3;
pub mod func;
/// L4 — virtual-table modules.
pub mod vtab;

pub mod sql;

pub mod conn;

pub mod api;

/// The SQLite version loom behaves as: one constant, so it can move forward.
pub const SQLITE_VERSION: &str = "3.40.1";
/// `SQLITE_VERSION_NUMBER` for [`SQLITE_VERSION`].
pub const SQLITE_VERSION_NUMBER: i32 = 3_040_001;
/// The first 60 characters of 3.40.1's source id, which clients check.
pub const SQLITE_SOURCE_ID_PREFIX: &str =
    "2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd";
/// `sqlite3_sourceid()`: SQLite's source id prefix, then loom's marker.
pub const SOURCE_ID: &str = concat!(
    "2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd",
    " loom ",
    env!("CARGO_PKG_VERSION")
);
