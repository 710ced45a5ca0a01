//! L4 — the FTS3 and FTS4 full-text virtual-table modules, built in.
//!
//! SQLite counterpart: ext/fts3 (fts3.c, fts3_write.c, fts3_expr.c,
//! fts3_tokenizer1.c) as compiled into Debian's SQLite 3.40.1
//! (SQLITE_ENABLE_FTS3, _FTS3_PARENTHESIS, _FTS4). Behaviour and on-disk
//! format follow fts3.html; no code is taken from SQLite.
//!
//! The modules are ordinary [`crate::vtab::VTabModule`]s that keep their
//! data in shadow tables of the same database and reach them with SQL
//! through the [`crate::vtab::VTabHost`] the VM hands every method call,
//! so a database written by loom is read by C SQLite and the other way
//! round.
//!
//! | file | job |
//! |---|---|
//! | `tokenizer.rs` | the "simple" tokenizer |
//! | `doclist.rs` | FTS varints, doclist encode/decode |
//! | `segment.rs` | segment b-tree nodes: writer, node readers |
//! | `index.rs` | new segments, level merges, term lookup across segments |
//! | `query.rs` | MATCH expression parser and evaluation |
//! | `table.rs` | the module: create/connect/destroy, plans, cursors |
//! | `write.rs` | xUpdate: content, docsize, stat and index maintenance |
//! | `functions.rs` | `match()` fallback, auxiliary function stubs |
//! | `command.rs` | 'optimize', 'rebuild', 'integrity-check' |
//!
//! Invariants:
//! 1. Shadow tables are created with C's exact DDL text.
//! 2. What is not implemented fails with "... is not supported by loom
//!    yet" and writes nothing.

mod command;
mod doclist;
mod functions;
mod index;
mod query;
mod segment;
mod table;
mod tokenizer;
mod write;

use std::sync::Arc;

pub use functions::FUNCTIONS;
pub use table::Fts3Module;

/// Registers `fts3` and `fts4` on a connection's module registry.
pub fn register(reg: &crate::vtab::VTabRegistry) {
    reg.register("fts3", Some(Arc::new(Fts3Module { fts4: false })));
    reg.register("fts4", Some(Arc::new(Fts3Module { fts4: true })));
}
