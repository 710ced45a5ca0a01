//! What the VM needs from its connection while it runs.
//!
//! SQLite counterpart: the `sqlite3` connection fields that vdbe.c reads and
//! writes directly (autoCommit, nChange, lastRowid, nVdbeActive, …). Here
//! they are one plain struct owned by the connection (L6) and lent to the VM
//! (L4) for the duration of a step, so the VM never reaches up a layer.
//!
//! Invariants:
//! 1. `autocommit` is true exactly when no explicit transaction is open.
//! 2. `active_vms` counts statements that have started and not yet halted
//!    or been reset; an autocommit read transaction ends when it drops to 0.
//! 3. Upward calls (progress, commit, rollback and update hooks) go through
//!    the closures of [`Hooks`], which the connection installs; the VM
//!    never names a higher layer. Before every such call the VM publishes
//!    the counters ([`ConnState::publish`]) so that a callback re-entering
//!    the API on the same connection reads current values without
//!    borrowing the connection.
//! 4. `VdbeEnv::host` is the connection's own remaining state (L6's
//!    `ConnCore`), type-erased; the VM never looks inside it. It only
//!    passes a reborrow of the whole environment to application callbacks
//!    (`FuncEnv::reentry`) so that nested SQL on the same connection runs
//!    on the very borrows the outer step holds (see `conn/view.rs`).
//! 5. Every row a statement writes to or deletes from a schema table (root
//!    page 1 of any database) and every schema-cookie change is appended
//!    to [`ConnState::schema_log`], in execution order; a change the log
//!    cannot describe (a schema root renumbered by auto-vacuum, a rollback)
//!    sets its `broken` flag. The connection applies the log to its
//!    in-memory schema after a CREATE/DROP instead of reloading it.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use crate::btree::Btree;

/// What a row-change callback reports (`SQLITE_INSERT` / `SQLITE_DELETE` /
/// `SQLITE_UPDATE` of `sqlite3_update_hook`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    Insert,
    Delete,
    Update,
}

impl UpdateKind {
    /// The C action code (SQLITE_INSERT 18, SQLITE_DELETE 9, SQLITE_UPDATE 23).
    pub fn code(self) -> i32 {
        match self {
            UpdateKind::Insert => 18,
            UpdateKind::Delete => 9,
            UpdateKind::Update => 23,
        }
    }
}

/// `sqlite3_progress_handler`: true means "interrupt the statement".
pub type ProgressFn = Arc<dyn Fn() -> bool + Send + Sync>;
/// `sqlite3_commit_hook`: true turns the commit into a rollback.
pub type CommitFn = Arc<dyn Fn() -> bool + Send + Sync>;
/// `sqlite3_rollback_hook`.
pub type RollbackFn = Arc<dyn Fn() + Send + Sync>;
/// `sqlite3_update_hook`: kind, database index, table name, rowid.
pub type UpdateFn = Arc<dyn Fn(UpdateKind, usize, &str, i64) + Send + Sync>;

/// The callbacks a connection may install (invariant 3).
#[derive(Clone, Default)]
pub struct Hooks {
    /// Called every `n` instructions (n >= 1).
    pub progress: Option<(u32, ProgressFn)>,
    pub commit: Option<CommitFn>,
    pub rollback: Option<RollbackFn>,
    pub update: Option<UpdateFn>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("progress", &self.progress.as_ref().map(|p| p.0))
            .field("commit", &self.commit.is_some())
            .field("rollback", &self.rollback.is_some())
            .field("update", &self.update.is_some())
            .finish()
    }
}

/// Counters readable without borrowing the connection (invariant 3).
#[derive(Debug, Default)]
pub struct Published {
    pub last_insert_rowid: AtomicI64,
    pub changes: AtomicI64,
    pub total_changes: AtomicI64,
    pub autocommit: AtomicBool,
}

/// Connection state shared with the VM.
#[derive(Debug)]
pub struct ConnState {
    pub autocommit: bool,
    pub last_insert_rowid: i64,
    /// Rows changed by the most recent completed INSERT/UPDATE/DELETE.
    pub changes: i64,
    pub total_changes: i64,
    /// Set by `ParseSchema` (and by rollbacks of DDL): reload before next prepare.
    pub schema_changed: bool,
    /// Text encoding of the main database as last learnt (schema load,
    /// Transaction, PRAGMA encoding): SQLite's `ENC(db)`, which every
    /// statement uses for TEXT/BLOB conversions.
    pub enc: crate::record::TextEncoding,
    /// Set from any thread by `interrupt()`; checked by the VM.
    pub interrupt: Arc<AtomicBool>,
    /// Statements currently running (see invariant 2).
    pub active_vms: usize,
    /// Statements currently running that write.
    pub active_writers: usize,
    /// Statements currently running that open a transaction (SQLite's
    /// `nVdbeRead`): DROP TABLE is refused while another one runs.
    pub active_readers: usize,
    /// xDestroy calls in progress (SQLite's `nVDestroy`): the DROP TABLEs
    /// a module's xDestroy runs on its shadow tables are not refused.
    pub vdestroy_depth: usize,
    /// Open SAVEPOINT names, outermost first, with their pager depth.
    pub savepoints: Vec<(String, u32)>,
    /// True when the outermost savepoint was opened in autocommit mode
    /// (it acts as BEGIN and RELEASE of it commits).
    pub savepoint_began_txn: bool,
    /// PRAGMA cache_size as last set (negative: KiB), SQLite's default -2000.
    pub cache_size: i64,
    /// PRAGMA synchronous as last set (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
    pub synchronous: i64,
    /// Callbacks into the application (invariant 3).
    pub hooks: Hooks,
    /// The counters as last published (invariant 3).
    pub published: Arc<Published>,
    /// Virtual tables inside a transaction begun by xBegin (exec_vtab.rs).
    pub vtab_txn: Vec<Arc<crate::vtab::VTabInstance>>,
    /// PRAGMA foreign_keys / defer_foreign_keys and the deferred counters.
    pub fkey: super::FkState,
    /// An ATTACH or DETACH for the connection to carry out (exec_attach.rs).
    pub pending_attach: Option<super::exec_attach::AttachRequest>,
    /// `sqlite3_enable_load_extension(db, 1)`: the `load_extension()` SQL
    /// function may run (SQLite's SQLITE_LoadExtFunc).
    pub load_extension: bool,
    /// Schema-table writes not yet applied to the in-memory schema
    /// (invariant 5).
    pub schema_log: SchemaLog,
}

/// A statement's changes to schema tables (invariant 5).
#[derive(Debug, Default)]
pub struct SchemaLog {
    pub edits: Vec<SchemaLogEntry>,
    /// A schema table changed in a way `edits` does not describe.
    pub broken: bool,
}

/// One change to a schema table, or to a schema cookie.
#[derive(Debug)]
pub enum SchemaLogEntry {
    /// Row `rowid` of database `db`'s schema table now holds `record`.
    Put {
        db: usize,
        rowid: i64,
        record: Vec<u8>,
    },
    /// Row `rowid` of database `db`'s schema table was deleted.
    Delete { db: usize, rowid: i64 },
    /// Database `db`'s schema cookie went from `old` to `new`.
    Cookie { db: usize, old: u32, new: u32 },
}

impl ConnState {
    /// Copies the counters into [`ConnState::published`].
    pub fn publish(&self) {
        let p = &self.published;
        p.last_insert_rowid
            .store(self.last_insert_rowid, Ordering::Relaxed);
        p.changes.store(self.changes, Ordering::Relaxed);
        p.total_changes.store(self.total_changes, Ordering::Relaxed);
        p.autocommit.store(self.autocommit, Ordering::Relaxed);
    }
}

impl Default for ConnState {
    fn default() -> Self {
        ConnState {
            autocommit: true,
            last_insert_rowid: 0,
            changes: 0,
            total_changes: 0,
            schema_changed: false,
            enc: crate::record::TextEncoding::Utf8,
            interrupt: Arc::new(AtomicBool::new(false)),
            active_vms: 0,
            active_writers: 0,
            active_readers: 0,
            vdestroy_depth: 0,
            savepoints: Vec::new(),
            savepoint_began_txn: false,
            cache_size: -2000,
            synchronous: 2,
            hooks: Hooks::default(),
            fkey: super::FkState::default(),
            published: Arc::new(Published {
                autocommit: AtomicBool::new(true),
                ..Published::default()
            }),
            vtab_txn: Vec::new(),
            pending_attach: None,
            load_extension: false,
            schema_log: SchemaLog::default(),
        }
    }
}

/// Everything a VM step may touch: the databases (0 = main, 1 = temp, 2.. =
/// attached) and the connection state.
#[derive(Debug)]
pub struct VdbeEnv<'a> {
    pub dbs: &'a mut [Btree],
    pub conn: &'a mut ConnState,
    /// The rest of the connection, opaque to the VM (invariant 4): lent
    /// along so that a callback may run SQL on the same connection.
    pub host: Option<&'a mut dyn std::any::Any>,
}

impl VdbeEnv<'_> {
    /// The same environment, reborrowed for a shorter time.
    pub fn reborrow(&mut self) -> VdbeEnv<'_> {
        VdbeEnv {
            dbs: &mut *self.dbs,
            conn: &mut *self.conn,
            host: self.host.as_deref_mut(),
        }
    }
}

/// Runs a callback into the application with a VM environment lent to it
/// (invariant 4); installed by the C layer (`install_callback_lender`).
pub type CallbackLender = fn(VdbeEnv<'_>, &mut dyn FnMut());

static LENDER: std::sync::OnceLock<CallbackLender> = std::sync::OnceLock::new();

/// Installs the lender used around virtual-table methods; the first
/// installation wins.
pub fn install_callback_lender(f: CallbackLender) {
    let _ = LENDER.set(f);
}

/// Runs `f` (a call into application code, such as a virtual-table
/// method) with a reborrow of `env` lent to it, so that it may run SQL on
/// the same connection (invariant 4). Without an installed lender `f`
/// just runs. `env` is not touched while `f` runs.
pub(crate) fn lend_env<R>(
    env: &mut VdbeEnv<'_>,
    f: impl FnOnce() -> Result<R, super::VdbeError>,
) -> Result<R, super::VdbeError> {
    let Some(lender) = LENDER.get() else {
        return f();
    };
    let mut f = Some(f);
    let mut out = None;
    lender(env.reborrow(), &mut || {
        if let Some(f) = f.take() {
            out = Some(f());
        }
    });
    match (out, f) {
        (Some(r), _) => r,
        (None, Some(f)) => f(),
        (None, None) => Err(super::error::internal("callback lender lost its result")),
    }
}

/// Runs one statement on the connection a VM environment belongs to and
/// returns its rows (installed by the connection layer, which can compile
/// SQL; the VM cannot).
pub type SqlRunner = fn(
    &mut VdbeEnv<'_>,
    &str,
    &[crate::record::Value],
) -> crate::vtab::VTabResult<Vec<Vec<crate::record::Value>>>;

static SQL_RUNNER: std::sync::OnceLock<SqlRunner> = std::sync::OnceLock::new();

/// Installs the runner behind [`EnvHost::exec`]; the first installation
/// wins.
pub fn install_sql_runner(f: SqlRunner) {
    let _ = SQL_RUNNER.set(f);
}

/// The [`crate::vtab::VTabHost`] a module method gets from the VM: the
/// statement's own environment, valid for one call (`vtab/host.rs`).
pub(crate) struct EnvHost<'a, 'b> {
    pub(crate) env: &'a mut VdbeEnv<'b>,
}

impl crate::vtab::VTabHost for EnvHost<'_, '_> {
    fn exec(
        &mut self,
        sql: &str,
        params: &[crate::record::Value],
    ) -> crate::vtab::VTabResult<Vec<Vec<crate::record::Value>>> {
        match SQL_RUNNER.get() {
            Some(run) => run(self.env, sql, params),
            None => crate::vtab::NoHost.exec(sql, params),
        }
    }

    fn lend(&mut self, f: &mut dyn FnMut()) {
        let _ = lend_env(self.env, || {
            f();
            Ok(())
        });
    }
}
