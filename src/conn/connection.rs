//! The database connection: databases, schema cache, counters, settings.
//!
//! SQLite counterpart: `struct sqlite3` and `openDatabase()` in main.c,
//! `sqlite3LockAndPrepare()` in prepare.c.
//!
//! Invariants:
//! 1. `dbs[i]` and `schemas[i]` describe the same database; index 0 is
//!    "main", 1 is "temp", 2.. are attached (attach.rs).
//! 2. `schemas[i]` is valid for the schema cookie it was loaded at (or
//!    edited to in place after this connection's own CREATE/DROP,
//!    schema_load.rs); it is reloaded lazily when `state.schema_changed`
//!    is set and no in-place edit applies, when a statement reports
//!    SQLITE_SCHEMA, or when a prepare fails with a stale cookie.
//! 3. No method panics on bad input; every failure is a [`ConnError`].
//! 4. The connection is three parts: `dbs`, `state` and `core`
//!    ([`ConnCore`], everything else). `Connection` derefs to its core so
//!    that `conn.schemas` and friends read as before; code that must lend
//!    the whole connection to a step works on a [`ConnView`] of the three
//!    disjoint borrows (`view.rs`), and prepare/step/reset live there so
//!    that nested calls from callbacks run the very same code.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::ConnError;
use super::mode::{ConnectionMode, OpenOptions};
use super::statement::{Statement, StepResult};
use super::view::ConnView;
use crate::btree::Btree;
use crate::func::Registry;
use crate::pager::Pager;
use crate::record::Collation;
use crate::sql::Schema;
use crate::vdbe::ConnState;
use crate::vfs::{FileKind, OpenFlags, PosixVfs, Vfs};

/// One open connection: its b-trees, the state the VM updates, and the
/// rest ([`ConnCore`]), kept apart so that a step can lend all three as
/// disjoint borrows (see `view.rs`).
#[derive(Debug)]
pub struct Connection {
    pub(crate) dbs: Vec<Btree<Pager>>,
    pub(crate) state: ConnState,
    pub(crate) core: ConnCore,
}

/// Everything of a connection except its b-trees and [`ConnState`]: what
/// preparing a statement needs. It is lent to the VM (as `dyn Any`) for
/// the duration of a step, so that a callback may prepare and run nested
/// statements on the same connection (`view.rs`).
#[derive(Debug)]
pub struct ConnCore {
    pub(crate) db_names: Vec<String>,
    /// File names by database index ("" in memory; see attach.rs).
    pub(crate) db_files: Vec<PathBuf>,
    /// Something was created in the temp database (it is listed).
    pub(crate) temp_used: bool,
    /// `db_names` as seen by callbacks installed earlier (update hook).
    pub(crate) shared_names: Arc<parking_lot::Mutex<Vec<String>>>,
    /// The options the connection was opened with (ATTACH reuses them).
    pub(crate) open_opts: OpenOptions,
    pub(crate) schemas: Vec<Arc<Schema>>,
    pub(crate) schema_loaded: bool,
    pub(crate) mode: ConnectionMode,
    pub(crate) registry: Registry,
    pub(crate) collations: Vec<Arc<dyn Collation>>,
    pub(crate) filename: PathBuf,
    pub(crate) readonly: bool,
    pub(crate) busy_timeout_ms: i32,
    /// Bumped whenever a function or collation is (re)defined or deleted:
    /// statements compiled under an older generation are re-prepared
    /// before their next run (SQLite's `sqlite3ExpirePreparedStatements`).
    pub(crate) generation: u64,
    /// `sqlite3_set_authorizer` (see `authorizer.rs`).
    pub(crate) authorizer: Option<super::authorizer::AuthorizerSlot>,
    /// SQLITE_LIMIT_FUNCTION_ARG, checked on every compiled call.
    pub(crate) max_function_args: usize,
    /// Virtual-table modules and connected tables.
    pub(crate) vtabs: Arc<crate::vtab::VTabRegistry>,
    /// `sqlite3_wal_hook` (see `extend.rs`).
    pub(crate) wal_hook: Option<super::extend::WalHookSlot>,
    /// SQLITE_DBCONFIG_ENABLE_TRIGGER switched off: triggers do not fire.
    pub(crate) triggers_off: bool,
    /// SQLITE_DBCONFIG_ENABLE_VIEW switched off: views cannot be read.
    pub(crate) views_off: bool,
}

impl std::ops::Deref for Connection {
    type Target = ConnCore;
    fn deref(&self) -> &ConnCore {
        &self.core
    }
}

impl std::ops::DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut ConnCore {
        &mut self.core
    }
}

impl Connection {
    /// Opens `path` (`":memory:"` or `""` for a private in-memory database).
    pub fn open(path: &str, opts: &OpenOptions) -> Result<Connection, ConnError> {
        Connection::open_bytes(path.as_bytes(), opts)
    }

    /// [`Connection::open`] for a file name of any bytes: C's
    /// `sqlite3_open_v2` name, not necessarily UTF-8.
    pub fn open_bytes(path: &[u8], opts: &OpenOptions) -> Result<Connection, ConnError> {
        let target = super::schema_load::parse_target(path, opts)?;
        let readonly = target.readonly || opts.mode == ConnectionMode::Read;
        let pager = if target.memory {
            Pager::open_memory()?
        } else {
            let vfs: Arc<dyn Vfs> = crate::vfs::find_vfs(opts.vfs.as_deref())
                .unwrap_or_else(|| Arc::new(PosixVfs::new()));
            let flags = OpenFlags {
                read_only: readonly,
                create: target.create && !readonly,
                exclusive: false,
                delete_on_close: false,
                kind: FileKind::MainDb,
            };
            Pager::open_path(vfs, &target.path, flags).map_err(|e| {
                // SQLite reports every failure to open the file itself
                // with one text ("unable to open database file").
                let e = ConnError::from(e);
                if e.result_code().primary() == crate::rc::ResultCode::CANTOPEN {
                    ConnError::CantOpen
                } else {
                    e
                }
            })?
        };
        // SQLite shows the VFS's full path name (`xFullPathname`).
        let filename = pager.db_file_name().to_path_buf();
        let (temp, temp_schema) = Connection::new_temp_db()?;
        Ok(Connection {
            dbs: vec![Btree::new(pager), temp],
            state: ConnState::default(),
            core: ConnCore {
                db_names: vec!["main".to_string(), "temp".to_string()],
                db_files: vec![filename.clone(), PathBuf::new()],
                temp_used: false,
                shared_names: Arc::new(parking_lot::Mutex::new(vec![
                    "main".to_string(),
                    "temp".to_string(),
                ])),
                open_opts: opts.clone(),
                schemas: vec![Arc::new(Schema::default()), temp_schema],
                schema_loaded: false,
                mode: opts.mode,
                registry: Registry::builtins(),
                collations: builtin_collations(),
                filename,
                readonly,
                busy_timeout_ms: 0,
                generation: 0,
                authorizer: None,
                max_function_args: 127,
                vtabs: builtin_vtabs(),
                wal_hook: None,
                triggers_off: false,
                views_off: false,
            },
        })
    }

    /// The whole connection as a [`ConnView`] (the shape nested calls see).
    pub(crate) fn view(&mut self) -> ConnView<'_> {
        ConnView {
            dbs: &mut self.dbs,
            state: &mut self.state,
            core: &mut self.core,
        }
    }

    /// Compiles the first statement of `sql[offset..]`. Returns `None` when
    /// only whitespace or comments remain, and the offset of the tail.
    pub fn prepare(
        &mut self,
        sql: &str,
        offset: usize,
    ) -> Result<(Option<Statement>, usize), ConnError> {
        self.view().prepare(sql, offset)
    }

    /// The generation statements must have been compiled under: function
    /// and collation changes, and PRAGMA foreign_keys switches, expire them.
    pub(crate) fn current_generation(&self) -> u64 {
        self.core
            .generation
            .wrapping_add(self.state.fkey.generation)
    }

    /// Runs one step of `stmt`, re-preparing it after SQLITE_SCHEMA.
    pub fn step(&mut self, stmt: &mut Statement) -> Result<StepResult, ConnError> {
        if !stmt.is_running() && stmt.generation != self.current_generation() {
            self.view().ensure_schema()?;
            stmt.reprepare(&mut self.view())?;
        }
        let r = self.step_inner(stmt);
        self.state.publish();
        r
    }

    fn step_inner(&mut self, stmt: &mut Statement) -> Result<StepResult, ConnError> {
        let mut retries = 0;
        loop {
            let mut result = self.view().run_vm(stmt);
            if self.state.pending_attach.is_some() {
                if let Err(e) = self.run_pending_attach() {
                    result = Err(super::view::as_vdbe_error(e));
                }
            }
            if let Some(r) = self.view().after_vm(stmt, result, &mut retries)? {
                return r;
            }
        }
    }

    /// Resets `stmt` so it can run again (keeps its bindings).
    pub fn reset(&mut self, stmt: &mut Statement) {
        self.view().reset(stmt);
    }

    /// Loads the schema if it is not loaded (or was invalidated).
    pub(crate) fn ensure_schema(&mut self) -> Result<(), ConnError> {
        self.view().ensure_schema()
    }

    /// Sets the busy timeout: retry locks for up to `ms` milliseconds.
    pub fn set_busy_timeout(&mut self, ms: i32) {
        self.core.busy_timeout_ms = ms.max(0);
        for db in &mut self.dbs {
            let handler = super::schema_load::busy_timeout_handler(self.core.busy_timeout_ms);
            db.pager().set_busy_handler(handler);
        }
    }

    pub fn changes(&self) -> i64 {
        self.state.changes
    }

    pub fn total_changes(&self) -> i64 {
        self.state.total_changes
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.state.last_insert_rowid
    }

    pub fn set_last_insert_rowid(&mut self, v: i64) {
        self.state.last_insert_rowid = v;
    }

    /// Sets PRAGMA foreign_keys (when `on` is given; changing it expires
    /// prepared statements) and returns the setting.
    pub fn foreign_keys(&mut self, on: Option<bool>) -> bool {
        let fk = &mut self.state.fkey;
        if let Some(on) = on {
            if fk.enabled != on {
                fk.enabled = on;
                fk.generation += 1;
            }
        }
        fk.enabled
    }

    /// SQLITE_DBCONFIG_ENABLE_TRIGGER: switches trigger firing (when `on`
    /// is given; a change expires prepared statements) and returns the
    /// setting.
    pub fn enable_triggers(&mut self, on: Option<bool>) -> bool {
        if let Some(on) = on {
            if self.triggers_off == on {
                self.triggers_off = !on;
                self.generation = self.generation.wrapping_add(1);
            }
        }
        !self.triggers_off
    }

    /// SQLITE_DBCONFIG_ENABLE_VIEW: as [`Connection::enable_triggers`],
    /// for reading views.
    pub fn enable_views(&mut self, on: Option<bool>) -> bool {
        if let Some(on) = on {
            if self.views_off == on {
                self.views_off = !on;
                self.generation = self.generation.wrapping_add(1);
            }
        }
        !self.views_off
    }

    /// `sqlite3_enable_load_extension`: lets the `load_extension()` SQL
    /// function run (it then reports that loom loads no extensions).
    pub fn enable_load_extension(&mut self, on: bool) {
        self.state.load_extension = on;
    }

    pub fn is_autocommit(&self) -> bool {
        self.state.autocommit
    }

    pub fn interrupt_flag(&self) -> Arc<std::sync::atomic::AtomicBool> {
        self.state.interrupt.clone()
    }

    /// The main database's file name (empty in memory).
    pub fn filename(&self) -> &Path {
        &self.filename
    }

    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    pub fn mode(&self) -> ConnectionMode {
        self.mode
    }

    /// Closes the connection: rolls back an open transaction.
    pub fn close(&mut self) -> Result<(), ConnError> {
        for db in &mut self.dbs {
            db.rollback()?;
            db.end_read();
        }
        self.state.autocommit = true;
        Ok(())
    }
}

/// BINARY, NOCASE and RTRIM, the collations every connection starts with.
fn builtin_collations() -> Vec<Arc<dyn Collation>> {
    use crate::record::{Binary, NoCase, Rtrim};
    vec![Arc::new(Binary), Arc::new(NoCase), Arc::new(Rtrim)]
}

/// SQLITE_LIMIT_FUNCTION_ARG: "too many arguments on function NAME".
pub(crate) fn check_function_args(
    program: &crate::vdbe::Program,
    max: usize,
) -> Result<(), ConnError> {
    for insn in &program.insns {
        if let crate::vdbe::Insn::Function { func, n_args, .. }
        | crate::vdbe::Insn::AggStep { func, n_args, .. } = insn
        {
            if *n_args > max {
                return Err(ConnError::Compile(format!(
                    "too many arguments on function {}",
                    func.name
                )));
            }
        }
    }
    Ok(())
}

/// The module registry of a new connection: the built-in modules (as C's
/// built-in module list), and the VM's SQL runner for modules written in
/// Rust.
fn builtin_vtabs() -> Arc<crate::vtab::VTabRegistry> {
    crate::vdbe::install_sql_runner(super::view::run_nested);
    let reg = crate::vtab::VTabRegistry::new();
    crate::fts3::register(&reg);
    crate::func::register_json_vtabs(&reg);
    Arc::new(reg)
}
