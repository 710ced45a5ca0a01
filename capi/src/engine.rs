//! The one seam between the C ABI and the engine (L7 `loomdb::api`, plus
//! the value conversions of `loomdb::record` and the statement scanner of
//! `loomdb::sql`).
//!
//! SQLite counterpart: none; this is the boundary the rest of capi is
//! written against. Every other module of capi uses the engine only through
//! the names re-exported here, so an API change on the engine side touches
//! this file (and the call sites' types) only.
//!
//! Invariants:
//! 1. Nothing outside this file names `loomdb::api`, `loomdb::record` or
//!    `loomdb::sql`.
//! 2. The conversions are the engine's own, so `sqlite3_column_text` of a
//!    REAL renders exactly as SQL's `CAST(x AS TEXT)` does.

pub use loomdb::api::{
    auth_action, AggregateState, AuthRequest, AuthResult, Authorizer, Backup, BusyFn, Collation,
    ColumnMetadata, CommitFn, ConnectionMode, Database, DbError, FuncContext, FuncError, FuncFlags,
    FuncKind, OpenOptions, PreparedStatement, ProgressFn, RollbackFn, StepResult, TxnLevel,
    UpdateHookFn, UpdateKind, UserAggregateFactory, UserScalar,
};
pub use loomdb::api::{
    install_callback_lender, install_lent_lookup, lent_env_key, LentEnv, LentLookup,
};
pub use loomdb::record::{value_to_f64, value_to_i64, value_to_text, Value, ValueRef};

pub use loomdb::func::{glob_match, like_match};

/// `sqlite3_complete`: true if `sql` ends with a complete statement.
pub fn complete(sql: &[u8]) -> bool {
    loomdb::sql::complete(sql)
}
