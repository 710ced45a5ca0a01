//! `VTabHost`: what a module written in Rust uses to run SQL on the
//! connection whose statement is calling it (re-entrant SQL).
//!
//! SQLite counterpart: a C module keeps the `sqlite3*` it was created with
//! and calls `sqlite3_exec`/`sqlite3_prepare_v2` on it from xCreate,
//! xUpdate, xFilter... (fts3_write.c does this for its shadow tables).
//! In loom the VM hands the module a host built from its own environment
//! for the duration of one method call; the implementation lives in the
//! connection layer (it compiles and steps nested statements) and is
//! reached through a function the connection installs into the VM.
//!
//! Invariants:
//! 1. A host is only valid for the one method call it was passed to;
//!    modules never keep it.
//! 2. C modules ignore the host: the `*_in` defaults of the traits run the
//!    plain method inside [`VTabHost::lend`], which lends the environment
//!    to C exactly as the VM did before hosts existed.

use crate::record::Value;

use super::{VTabError, VTabResult};

/// The connection as seen by a module method (module docs).
pub trait VTabHost {
    /// Runs the single statement `sql` with `params` bound to `?1`, `?2`...
    /// and returns every result row.
    fn exec(&mut self, sql: &str, params: &[Value]) -> VTabResult<Vec<Vec<Value>>>;
    /// Runs `f` (a call into a C module) with the environment lent to
    /// nested API calls.
    fn lend(&mut self, f: &mut dyn FnMut());
}

/// A host without a connection: SQL fails, lending just runs the call
/// (compile-time connects, unit tests).
#[derive(Debug, Default)]
pub struct NoHost;

impl VTabHost for NoHost {
    fn exec(&mut self, _sql: &str, _params: &[Value]) -> VTabResult<Vec<Vec<Value>>> {
        Err(VTabError::new(
            "virtual-table SQL outside a statement is not supported by loom yet",
        ))
    }
    fn lend(&mut self, f: &mut dyn FnMut()) {
        f()
    }
}

/// Runs `f` through [`VTabHost::lend`] and returns its result.
pub fn lent<R>(host: &mut dyn VTabHost, f: impl FnOnce() -> VTabResult<R>) -> VTabResult<R> {
    let mut f = Some(f);
    let mut out = None;
    host.lend(&mut || {
        if let Some(f) = f.take() {
            out = Some(f());
        }
    });
    match (out, f) {
        (Some(r), _) => r,
        (None, Some(f)) => f(),
        (None, None) => Err(VTabError::new("virtual-table host lost a result")),
    }
}
