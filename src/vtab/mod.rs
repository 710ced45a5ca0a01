//! L4 — virtual tables: the module interface and the per-connection registry.
//!
//! SQLite counterpart: vtab.c (module registry, `sqlite3VtabCallCreate`,
//! `sqlite3VtabCallConnect`, `sqlite3VtabCallDestroy`) and the
//! `sqlite3_module` / `sqlite3_vtab` / `sqlite3_vtab_cursor` /
//! `sqlite3_index_info` structures of sqlite3.h (see vtab.html).
//!
//! A module ([`VTabModule`]) is registered on a connection by name. `CREATE
//! VIRTUAL TABLE t USING m(args)` calls [`VTabModule::create`]; later
//! connections (or the same one after a schema reload) call
//! [`VTabModule::connect`] lazily, the first time a statement names `t`.
//! Both return the table's declared schema (a `CREATE TABLE` text) and a
//! [`VTab`] instance. The planner asks the instance for a plan through
//! [`VTab::best_index`] with an [`IndexInfo`]; the VM opens cursors
//! ([`VTabCursor`]) and runs xFilter/xNext/xEof/xColumn/xRowid through them;
//! INSERT, UPDATE and DELETE call [`VTab::update`].
//!
//! | file | job |
//! |---|---|
//! | `module.rs` | the traits, errors and conflict modes |
//! | `index_info.rs` | `IndexInfo` (xBestIndex's in/out structure) |
//! | `registry.rs` | modules by name, connected instances by table |
//! | `host.rs` | `VTabHost`: re-entrant SQL for modules written in Rust |
//!
//! Invariants:
//! 1. Every connected instance is released exactly once: by
//!    [`VTab::destroy`] (DROP TABLE) or by [`VTab::disconnect`] (when the
//!    last reference to its [`VTabInstance`] goes away).
//! 2. Module and table names are matched case-insensitively (ASCII).

mod host;
mod index_info;
mod module;
mod registry;

pub use host::{lent, NoHost, VTabHost};
pub use index_info::{ConstraintOp, ConstraintUsage, IndexConstraint, IndexInfo, IndexOrderBy};
pub use module::{ConflictMode, VTab, VTabCursor, VTabError, VTabModule, VTabResult};
pub use registry::{VTabInstance, VTabRegistry, VTabSpec};
