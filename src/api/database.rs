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

use std::cell::RefCell;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use parking_lot::ReentrantMutex;

use super::error::DbError;
use super::statement::PreparedStatement;
use crate::conn::{ConnError, Connection, OpenOptions, StepResult};
use crate::rc::ResultCode;
use crate::record::Value;

pub(crate) type Shared = Arc<ReentrantMutex<RefCell<Connection>>>;

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
        let r = self.with(|c| c.prepare(sql, offset))?;
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
        self.with(|c| c.changes())
            .unwrap_or_else(|_| self.published().changes.load(Ordering::Relaxed))
    }

    pub fn total_changes(&self) -> i64 {
        self.with(|c| c.total_changes())
            .unwrap_or_else(|_| self.published().total_changes.load(Ordering::Relaxed))
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.with(|c| c.last_insert_rowid())
            .unwrap_or_else(|_| self.published().last_insert_rowid.load(Ordering::Relaxed))
    }

    pub fn set_last_insert_rowid(&self, v: i64) {
        let _ = self.with(|c| c.set_last_insert_rowid(v));
    }

    pub fn is_autocommit(&self) -> bool {
        self.with(|c| c.is_autocommit())
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
