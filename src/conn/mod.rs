//! L6 — connections, schema cache, statements, transaction state.
//!
//! SQLite counterpart: main.c (open/close, busy handling, error state),
//! prepare.c (schema loading, prepare/re-prepare).
//!
//! A [`Connection`] owns its databases' b-trees (main = 0; temp and
//! attached databases come later), their parsed schemas, the
//! [`crate::vdbe::ConnState`] the VM updates, the function registry and the
//! collations. A [`Statement`] owns its VM; stepping it borrows the
//! connection mutably for the duration of the step.
//!
//! Invariants:
//! 1. A statement compiled against schema cookie C is re-prepared (once per
//!    attempt, at most [`MAX_SCHEMA_RETRY`] times) when the VM reports
//!    SQLITE_SCHEMA, so schema changes by other connections are invisible
//!    to callers, as with `sqlite3_prepare_v2`.
//! 2. The [`ConnectionMode`] check runs at prepare time, before any
//!    instruction executes.
//! 3. The schema is reloaded before the next prepare whenever a statement
//!    changed it (`ConnState::schema_changed`).
//! 4. A statement compiled before a function or collation was (re)defined
//!    is re-prepared before its next run (`Connection::generation`).
//! 5. SQL run from a callback of one of the connection's own statements
//!    (re-entrant SQL) runs on a [`ConnView`] rebuilt from the borrows the
//!    outer step lent to the callback, never on a second borrow of the
//!    connection (protocol in `view.rs`).

mod attach;
mod authorizer;
mod backup;
mod connection;
mod error;
mod extend;
mod mode;
mod schema_load;
mod statement;
mod view;

pub use attach::{MAX_ATTACHED, TEMP_DB};
pub use authorizer::{action as auth_action, AuthRequest, AuthResult, Authorizer};
pub use backup::{backup_abort, backup_step, BackupProgress};
pub use connection::{ConnCore, Connection};
pub use error::ConnError;
pub use extend::{BusyFn, TxnLevel, WalHookFn};
pub use mode::{ConnectionMode, OpenOptions};
pub use statement::{Statement, StepResult};
pub use view::ConnView;

/// How many times a statement is re-prepared after SQLITE_SCHEMA.
pub const MAX_SCHEMA_RETRY: usize = 50;
