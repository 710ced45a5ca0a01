//! loom's C ABI: the `sqlite3_*` functions of `libsqlite3.so.0`.
//!
//! SQLite counterpart: sqlite.h.in, main.c, vdbeapi.c, legacy.c.
//!
//! This crate is a thin `extern "C"` surface over the engine's safe API,
//! reached only through [`engine`]. The header `include/sqlite3.h` declares
//! what it exports; `capi/sqlite3.map` hides every other symbol.
//!
//! | module | C API area |
//! |---|---|
//! | `guard` | panic firewall around every entry point |
//! | `handle` | NULL/dead/wrong-kind pointer detection (API armor) |
//! | `engine` | the seam to `loomdb::api` |
//! | `identity` | version, source id, initialize, compile options |
//! | `memory` | `sqlite3_malloc` family, randomness, sleep |
//! | `strings`, `keywords` | errstr, stricmp, keyword list |
//! | `connection` | open/close, errors, counters, limits |
//! | `statement` | prepare/step/reset/finalize |
//! | `bind`, `column`, `value` | parameters, result columns, `sqlite3_value` |
//! | `exec` | `sqlite3_exec` |
//! | `blob` | incremental blob I/O |
//! | `backup` | online backup, serialize/deserialize |
//! | `function`, `result` | application-defined functions, `sqlite3_context`, `sqlite3_result_*` |
//! | `collation` | application-defined collations, collation-needed callback |
//! | `callbacks` | commit/rollback/update hooks, busy/progress handlers, authorizer, tracing |
//! | `hooks` | WAL/pre-update hook stubs, status counters, file control |
//! | `metadata` | `sqlite3_table_column_metadata` |
//! | `mutex` | `sqlite3_mutex_*`, `sqlite3_db_mutex` |
//! | `sqlstr` | `sqlite3_str` builder |
//! | `varargs` | printf family (naked trampolines), config calls |
//! | `vtab`, `vtab_index` | virtual-table modules: `sqlite3_module` adapter, `sqlite3_index_info` |
//! | `unsupported` | exported entry points for features the engine lacks |
//!
//! Invariants:
//! 1. No panic crosses `extern "C"` (see `guard`).
//! 2. Every pointer from C is checked by `handle` before use.
//! 3. `unsafe` only where C pointers are read or written, each block with a
//!    `// SAFETY:` comment.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![deny(clippy::missing_safety_doc)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod guard;
mod handle;
mod reentry;

pub mod engine;

pub mod identity;
pub mod keywords;
pub mod memory;
pub mod strings;

pub mod connection;
pub mod statement;

pub mod backup;
pub mod bind;
pub mod blob;
pub mod callbacks;
pub mod column;
pub mod value;

pub mod collation;
pub mod exec;
pub mod function;
pub mod hooks;
pub mod metadata;
pub mod mutex;
pub mod result;
pub mod sqlstr;
pub mod unsupported;
pub mod varargs;
pub mod vtab;
mod vtab_index;
