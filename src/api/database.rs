//! `Database`: a handle to one connection.
//!
//! SQLite counterpart: the `sqlite3*` handle and main.c's entry points.
//!
//! Invariants:
//! 1. Every method locks the connection's re-entrant mutex for its whole
//!    duration (serialized threading mode); the `RefCell` inside is
//!    borrowed only inside that lock and never across a user callback.
//! 2. Clones share one connection; it closes when the last clone and the
//!    last statement are dropped, or at [`Database::close`].
//! 3. Re-entrant SQL: while a callback of one of the connection's own
//!    statements runs on this thread, the connection's `RefCell` is
//!    borrowed by the outer step. Prepare, step, reset and the counters
//!    then run on the environment that step lent to the callback, found
//!    through the lookup the C layer installs ([`install_lent_lookup`];
//!    protocol in `conn/view.rs`). Every other method reports
//!    SQLITE_MISUSE from inside such a callback, as before. Other threads
//!    block on the re-entrant mutex, which the outer step holds.

use std::cell::RefCell;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use parking_lot::ReentrantMutex;

use super::error::DbError;
use super::statement::PreparedStatement;
use crate::conn::{ConnError, ConnView, Connection, OpenOptions, Statement, StepResult};
use crate::rc::ResultCode;
use crate::record::Value;
use crate::vdbe::VdbeEnv;

pub(crate) type Shared = Arc<ReentrantMutex<RefCell<Connection>>>;

/// Finds the environment lent to a callback running on this thread for the
/// connection with the given key, and runs the visitor on it; false when
/// there is none (or it is in use by another nested call).
pub type LentLookup = fn(usize, &mut dyn FnMut(&mut VdbeEnv<'_>)) -> bool;

static LENT_LOOKUP: OnceLock<LentLookup> = OnceLock::new();

/// Installs the lookup of lent environments (invariant 3); the first
/// installation wins.
pub fn install_lent_lookup(f: LentLookup) {
    let _ = LENT_LOOKUP.set(f);
}

/// The key identifying the connection a lent environment belongs to, as
/// nested calls look it up.
pub fn lent_env_key(env: &VdbeEnv<'_>) -> usize {
    ConnView::env_key(env)
}

/// The connection as a nested or a top-level call gets it.
pub(crate) enum ConnRef<'c, 'v> {
    /// The connection itself (no statement of it is in a callback).
    Own(&'c mut Connection),
    /// The environment a callback of an outer statement lent.
    Lent(&'c mut ConnView<'v>),
}

impl ConnRef<'_, '_> {
    /// The connection as a view.
    pub(crate) fn view(&mut self) -> ConnView<'_> {
        match self {
            ConnRef::Own(c) => c.view(),
            ConnRef::Lent(v) => v.reborrow(),
        }
    }

    /// One step of `stmt` (see `Connection::step`).
    pub(crate) fn step(&mut self, stmt: &mut Statement) -> Result<StepResult, ConnError> {
        match self {
            ConnRef::Own(c) => c.step(stmt),
            ConnRef::Lent(v) => v.step(stmt),
        }
    }
}

/// A connection to a database.
#[derive(Clone, Debug)]
pub struct Database {
    pub(crate) shared: Shared,
    interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// Counters readable from inside callbacks (see `extend.rs`).
    published: Arc<crate::vdbe::Published>,
    /// Byte offset of the last prepare's syntax error, or -1.
    error_offset: Arc<std::sync::atomic::AtomicI64>,
}

/// Opens a private in-memory database.
pub fn open_memory_db() -> Result<Database, DbError> {
    Database::open(":memory:", OpenOptions::default())
}

/// Opens (creating if needed) a database file for reading and writing.
pub fn open_readwrite(path: &str) -> Result<Database, DbError> {
    Database::open(path, OpenOptions::default())
}

impl From<ConnError> for DbError {
    fn from(e: ConnError) -> DbError {
        DbError::from_code(e.result_code(), e.to_string())
    }
}

impl Database {
    /// Opens `path` with `opts`.
    pub fn open(path: &str, opts: OpenOptions) -> Result<Database, DbError> {
        Database::open_bytes(path.as_bytes(), opts)
    }

    /// Opens the file whose name is the bytes `path` (which need not be
    /// UTF-8: a Unix file name is bytes), or the `file:` URI they spell.
    pub fn open_bytes(path: &[u8], opts: OpenOptions) -> Result<Database, DbError> {
        let conn = Connection::open_bytes(path, &opts)?;
        let interrupt = conn.interrupt_flag();
        let published = conn.state.published.clone();
        Ok(Database {
            shared: Arc::new(ReentrantMutex::new(RefCell::new(conn))),
            interrupt,
            published,
            error_offset: Arc::new(std::sync::atomic::AtomicI64::new(-1)),
        })
    }

    /// Runs `f` on the locked connection.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> Result<R, DbError> {
        let guard = self.shared.lock();
        let mut conn = guard
            .try_borrow_mut()
            .map_err(|_| DbError::Misuse("connection re-entered while busy".into()))?;
        Ok(f(&mut conn))
    }

    /// The identity of the connection (see [`lent_env_key`]).
    fn key(&self) -> usize {
        Arc::as_ptr(&self.published) as usize
    }

    /// Runs `f` on the locked connection, or, inside a callback of one of
    /// its statements on this thread, on the environment lent by that
    /// callback (invariant 3).
    pub(crate) fn with_conn<R>(&self, f: impl FnOnce(ConnRef<'_, '_>) -> R) -> Result<R, DbError> {
        let guard = self.shared.lock();
        let mut f = Some(f);
        if let Some(lookup) = LENT_LOOKUP.get() {
            let mut out = None;
            lookup(self.key(), &mut |env| {
                if let Some(mut v) = ConnView::from_env(env) {
                    if let Some(f) = f.take() {
                        out = Some(f(ConnRef::Lent(&mut v)));
                    }
                }
            });
            if let Some(r) = out {
                return Ok(r);
            }
        }
        let Some(f) = f else {
            return Err(DbError::misuse());
        };
        let mut conn = guard
            .try_borrow_mut()
            .map_err(|_| DbError::Misuse("connection re-entered while busy".into()))?;
        Ok(f(ConnRef::Own(&mut conn)))
    }

    /// Prepares the first statement of `sql`; an error if there is none.
    pub fn prepare(&self, sql: &str) -> Result<PreparedStatement, DbError> {
        match self.prepare_tail(sql, 0)? {
            (Some(stmt), _) => Ok(stmt),
            (None, _) => Err(DbError::Misuse("no SQL statement to prepare".into())),
        }
    }

    /// Prepares the statement starting at `offset`; returns it (or `None`
    /// for empty input) and the offset where the next statement starts.
    pub fn prepare_tail(
        &self,
        sql: &str,
        offset: usize,
    ) -> Result<(Option<PreparedStatement>, usize), DbError> {
        let r = self.with_conn(|mut c| c.view().prepare(sql, offset))?;
        let at = r.as_ref().err().and_then(ConnError::error_offset);
        let at = at.and_then(|o| i64::try_from(o).ok()).unwrap_or(-1);
        self.error_offset.store(at, Ordering::Relaxed);
        let (stmt, tail) = r?;
        Ok((stmt.map(|s| PreparedStatement::new(self.clone(), s)), tail))
    }

    /// Runs every statement of `sql`, discarding rows.
    pub fn execute_batch(&self, sql: &str) -> Result<(), DbError> {
        let mut offset = 0;
        while offset < sql.len() {
            let (stmt, tail) = self.prepare_tail(sql, offset)?;
            if let Some(mut stmt) = stmt {
                while stmt.step()? == StepResult::Row {}
            }
            if tail <= offset {
                break;
            }
            offset = tail;
        }
        Ok(())
    }

    /// Runs one statement with `params` bound to `?1..`; returns changes().
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.prepare(sql)?;
        stmt.bind_all(params)?;
        while stmt.step()? == StepResult::Row {}
        Ok(u64::try_from(self.changes()).unwrap_or(0))
    }

    /// The first row of a query, if any.
    pub fn query_first_row(
        &self,
        sql: &str,
        params: &[Value],
    ) -> Result<Option<Vec<Value>>, DbError> {
        let mut stmt = self.prepare(sql)?;
        stmt.bind_all(params)?;
        match stmt.step()? {
            StepResult::Row => Ok(Some(stmt.row_values())),
            StepResult::Done => Ok(None),
        }
    }

    /// Every row of a query.
    pub fn query_all(&self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut stmt = self.prepare(sql)?;
        stmt.bind_all(params)?;
        let mut rows = Vec::new();
        while stmt.step()? == StepResult::Row {
            rows.push(stmt.row_values());
        }
        Ok(rows)
    }

    pub fn begin(&self) -> Result<(), DbError> {
        self.execute_batch("BEGIN")
    }

    pub fn begin_immediate(&self) -> Result<(), DbError> {
        self.execute_batch("BEGIN IMMEDIATE")
    }

    pub fn commit(&self) -> Result<(), DbError> {
        self.execute_batch("COMMIT")
    }

    pub fn rollback(&self) -> Result<(), DbError> {
        self.execute_batch("ROLLBACK")
    }

    /// Closes the connection, rolling back any open transaction. Fails with
    /// SQLITE_BUSY while other handles or statements still use it.
    pub fn close(self) -> Result<(), DbError> {
        if Arc::strong_count(&self.shared) > 1 {
            return Err(DbError::Busy {
                code: ResultCode::BUSY,
                msg: "unable to close due to unfinalized statements or unfinished backups".into(),
            });
        }
        self.with(|c| c.close())?.map_err(DbError::from)
    }

    /// `sqlite3_error_offset`: byte offset in the SQL text of the token
    /// the last failed prepare's syntax error (or name-resolution error)
    /// is about.
    pub fn error_offset(&self) -> Option<usize> {
        usize::try_from(self.error_offset.load(Ordering::Relaxed)).ok()
    }

    /// The published counters, for calls from inside a callback.
    fn published(&self) -> &crate::vdbe::Published {
        &self.published
    }

    pub fn changes(&self) -> i64 {
        self.with_conn(|mut c| c.view().state.changes)
            .unwrap_or_else(|_| self.published().changes.load(Ordering::Relaxed))
    }

    pub fn total_changes(&self) -> i64 {
        self.with_conn(|mut c| c.view().state.total_changes)
            .unwrap_or_else(|_| self.published().total_changes.load(Ordering::Relaxed))
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.with_conn(|mut c| c.view().state.last_insert_rowid)
            .unwrap_or_else(|_| self.published().last_insert_rowid.load(Ordering::Relaxed))
    }

    pub fn set_last_insert_rowid(&self, v: i64) {
        let _ = self.with_conn(|mut c| c.view().state.last_insert_rowid = v);
    }

    pub fn is_autocommit(&self) -> bool {
        self.with_conn(|mut c| c.view().state.autocommit)
            .unwrap_or_else(|_| self.published().autocommit.load(Ordering::Relaxed))
    }

    /// SQLITE_DBCONFIG_ENABLE_FKEY: switches foreign key enforcement when
    /// `on` is given and returns the setting in force.
    pub fn foreign_keys(&self, on: Option<bool>) -> Result<bool, DbError> {
        self.with(|c| c.foreign_keys(on))
    }

    /// SQLITE_DBCONFIG_ENABLE_TRIGGER: switches trigger firing when `on`
    /// is given and returns the setting in force.
    pub fn enable_triggers(&self, on: Option<bool>) -> Result<bool, DbError> {
        self.with(|c| c.enable_triggers(on))
    }

    /// SQLITE_DBCONFIG_ENABLE_VIEW: switches whether views can be read
    /// when `on` is given and returns the setting in force.
    pub fn enable_views(&self, on: Option<bool>) -> Result<bool, DbError> {
        self.with(|c| c.enable_views(on))
    }

    /// `sqlite3_enable_load_extension`: whether the `load_extension()` SQL
    /// function may run.
    pub fn enable_load_extension(&self, on: bool) -> Result<(), DbError> {
        self.with(|c| c.enable_load_extension(on))
    }

    pub fn set_busy_timeout(&self, ms: i32) {
        let _ = self.with(|c| c.set_busy_timeout(ms));
    }

    /// Makes running statements fail with SQLITE_INTERRUPT (any thread).
    pub fn interrupt(&self) {
        // The flag is shared with the VM; setting it needs no lock.
        self.interrupt
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The main database's file name, lossily as UTF-8 ("" in memory).
    pub fn filename(&self) -> String {
        self.filename_bytes()
            .map_or_else(String::new, |b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The main database's file name, exactly its bytes ("" in memory).
    pub fn filename_bytes(&self) -> Option<Vec<u8>> {
        self.with(|c| c.filename().as_os_str().as_bytes().to_vec())
            .ok()
    }

    pub fn is_readonly(&self) -> bool {
        self.with(|c| c.is_readonly()).unwrap_or(false)
    }

    /// `sqlite3_db_filename(db, schema)`: `None` for an unknown schema
    /// (or the temp database before it is used), `""` in memory.
    pub fn db_filename(&self, schema: &str) -> Option<String> {
        let b = self.db_filename_bytes(schema)?;
        Some(String::from_utf8_lossy(&b).into_owned())
    }

    /// [`Database::db_filename`] as the exact bytes of the name.
    pub fn db_filename_bytes(&self, schema: &str) -> Option<Vec<u8>> {
        self.with(|c| {
            c.db_filename(schema)
                .map(|p| p.as_os_str().as_bytes().to_vec())
        })
        .ok()
        .flatten()
    }

    /// `sqlite3_db_readonly(db, schema)`: `None` for an unknown schema.
    pub fn db_readonly(&self, schema: &str) -> Option<bool> {
        self.with(|c| c.db_readonly(schema)).ok().flatten()
    }
}
