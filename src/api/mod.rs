//! L7 — the safe Rust API: [`Database`], [`PreparedStatement`], [`DbError`].
//!
//! SQLite counterpart: none directly; it is the Rust face of main.c and
//! vdbeapi.c, and the C ABI in `capi/` is a thin layer over it.
//!
//! Invariants:
//! 1. A [`Database`] is a cheap handle to one connection; statements keep the
//!    connection alive. Every call locks the connection's re-entrant mutex,
//!    so the API is safe to use from many threads (serialized mode).
//! 2. The [`ConnectionMode`] check runs when a statement is prepared, before
//!    anything executes: nothing partial happens on a refused statement.
//! 3. Values returned by `column_value` borrow the statement and stay valid
//!    until the next `step`, `reset` or drop — as SQLite promises in C.

mod backup;
mod database;
mod error;
mod extend;
mod metadata;
mod serialize;
mod statement;

pub use crate::conn::{
    auth_action, AuthRequest, AuthResult, Authorizer, BusyFn, TxnLevel, WalHookFn,
};
pub use crate::conn::{ConnectionMode, OpenOptions, StepResult};
pub use crate::func::{
    AggregateState, FuncContext, FuncError, FuncFlags, FuncKind, UserAggregateFactory, UserScalar,
};
pub use crate::record::Collation;
pub use crate::record::{Value, ValueRef};
pub use crate::vdbe::{install_callback_lender, CallbackLender, VdbeEnv as LentEnv};
pub use crate::vdbe::{CommitFn, ProgressFn, RollbackFn, UpdateKind};
pub use backup::Backup;
pub use database::{
    install_lent_lookup, lent_env_key, open_memory_db, open_readwrite, Database, LentLookup,
};
pub use error::DbError;
pub use extend::UpdateHookFn;
pub use metadata::ColumnMetadata;
pub use statement::PreparedStatement;
