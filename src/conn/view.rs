//! `ConnView`: a connection seen as three disjoint borrows, so that SQL
//! can be prepared and run on it from inside a callback of one of its own
//! statements (re-entrant SQL).
//!
//! SQLite counterpart: none as such. In C a user function, virtual-table
//! method or collation may call `sqlite3_prepare`/`sqlite3_step` on the
//! connection whose statement is calling it (the connection mutex is
//! recursive and the `sqlite3` struct is simply shared). This file is how
//! loom does the same without two live `&mut Connection`.
//!
//! ## The lending protocol
//!
//! A step borrows the connection mutably for its whole duration. The VM
//! receives that borrow split three ways in its [`VdbeEnv`]: `dbs`, `conn`
//! (the [`ConnState`]) and `host` (the [`ConnCore`], type-erased as
//! `dyn Any` because the VM is a lower layer). When the VM calls back into
//! the application it hands the callback a *reborrow* of that environment
//! (`FuncEnv::reentry`); the capi layer parks a pointer derived from the
//! reborrow in a thread-local slot keyed by the connection for the
//! duration of the callback only, and a nested API call on the same
//! connection and thread rebuilds a [`ConnView`] from it
//! ([`ConnView::from_env`]) instead of borrowing the connection's
//! `RefCell` (which the outer step holds).
//!
//! Invariants:
//! 1. A `ConnView` is only ever built from `&mut Connection`
//!    ([`super::Connection::view`]) or from a `VdbeEnv` reborrow whose
//!    `host` is the same connection's `ConnCore`; never from a pointer
//!    that is not derived from the live borrow chain.
//! 2. While a view lends itself to a VM step (`run_vm`), it does not touch
//!    its fields until the step returns; everything a nested call changes
//!    (schema, counters, open transactions, b-tree contents) is therefore
//!    seen by the outer statement afterwards, as in C.
//! 3. A nested view cannot ATTACH or DETACH (that would resize the `dbs`
//!    the outer step holds): such a statement fails with a clean error.

use std::any::Any;
use std::sync::Arc;

use super::connection::{check_function_args, ConnCore};
use super::error::ConnError;
use super::statement::{Statement, StepResult};
use crate::btree::Btree;
use crate::pager::Pager;
use crate::sql::{self, CompileEnv};
use crate::vdbe::{ConnState, VdbeEnv, VdbeError};
use crate::vtab::VTabHost;

/// A connection as three disjoint borrows (module docs).
#[derive(Debug)]
pub struct ConnView<'a> {
    pub(crate) dbs: &'a mut [Btree<Pager>],
    pub(crate) state: &'a mut ConnState,
    pub(crate) core: &'a mut ConnCore,
}

/// A connection-level error as the VM's error (it ends the step).
pub(crate) fn as_vdbe_error(e: ConnError) -> VdbeError {
    match e {
        ConnError::Vdbe(v) => v,
        other => VdbeError::Halt {
            code: other.result_code(),
            msg: other.to_string(),
        },
    }
}

impl<'a> ConnView<'a> {
    /// The view a VM environment lent to a callback (invariant 1); `None`
    /// when the environment carries no connection core.
    pub fn from_env<'e>(env: &'e mut VdbeEnv<'_>) -> Option<ConnView<'e>> {
        let core = env.host.as_deref_mut()?.downcast_mut::<ConnCore>()?;
        Some(ConnView {
            dbs: &mut *env.dbs,
            state: &mut *env.conn,
            core,
        })
    }

    /// The same view, reborrowed for a shorter time.
    pub fn reborrow(&mut self) -> ConnView<'_> {
        ConnView {
            dbs: &mut *self.dbs,
            state: &mut *self.state,
            core: &mut *self.core,
        }
    }

    /// The identity of the connection a VM environment belongs to (the
    /// address of its published counters), as [`ConnView::key`].
    pub fn env_key(env: &VdbeEnv<'_>) -> usize {
        Arc::as_ptr(&env.conn.published) as usize
    }

    /// The identity of this view's connection.
    pub fn key(&self) -> usize {
        Arc::as_ptr(&self.state.published) as usize
    }

    /// Compiles the first statement of `sql[offset..]` (see
    /// [`super::Connection::prepare`]).
    pub fn prepare(
        &mut self,
        sql: &str,
        offset: usize,
    ) -> Result<(Option<Statement>, usize), ConnError> {
        self.ensure_schema()?;
        let (parsed, tail) = sql::parse_one(sql, offset)?;
        let Some(parsed) = parsed else {
            return Ok((None, tail));
        };
        super::statement::check_mode(self.core.mode, self.core.readonly, &parsed)?;
        let program = match self.compile(&parsed, sql) {
            // The schema may be stale (another connection's DDL): reload
            // and try once more, as SQLite's prepare does when the error
            // came with an out-of-date schema cookie (`schemaIsValid`).
            Err(e)
                if super::schema_load::schemas_stale(self.dbs, self.state, &self.core.schemas) =>
            {
                drop(e);
                self.reload_schema()?;
                self.compile(&parsed, sql)?
            }
            other => other?,
        };
        let text = sql.get(offset..tail).unwrap_or("").to_string();
        let mut stmt = Statement::new(program, text, parsed);
        stmt.generation = self.current_generation();
        Ok((Some(stmt), tail))
    }

    /// Compiles an already parsed statement against the current schema,
    /// running the authorizer's checks when one is installed.
    pub(crate) fn compile(
        &mut self,
        parsed: &sql::Parsed,
        sql_text: &str,
    ) -> Result<crate::vdbe::Program, ConnError> {
        let core = &*self.core;
        let auth = core.authorizer.clone();
        if let Some(a) = &auth {
            if super::authorizer::check_statement(a.0.as_ref(), parsed)? {
                return Ok(crate::vdbe::Program {
                    readonly: true,
                    ..Default::default()
                });
            }
        }
        let env = CompileEnv {
            schemas: &core.schemas,
            db_names: &core.db_names,
            db_files: &core.db_files,
            temp_open: core.temp_in_use(),
            routed_db: None,
            registry: &core.registry,
            collations: &core.collations,
            vtabs: &core.vtabs,
            foreign_keys: self.state.fkey.enabled,
            defer_foreign_keys: self.state.fkey.defer,
            enable_triggers: !core.triggers_off,
            enable_views: !core.views_off,
        };
        let mut program = sql::compile_at(parsed, sql_text, &env).map_err(|(m, at)| match at {
            Some(offset) => ConnError::CompileAt(m, offset),
            None => ConnError::Compile(m),
        })?;
        check_function_args(&program, core.max_function_args)?;
        if let Some(a) = &auth {
            super::authorizer::check_program(
                a.0.as_ref(),
                &mut program,
                &core.schemas,
                &core.db_names,
            )?;
        }
        Ok(program)
    }

    /// See [`super::Connection::current_generation`].
    pub(crate) fn current_generation(&self) -> u64 {
        self.core
            .generation
            .wrapping_add(self.state.fkey.generation)
    }

    /// Runs one step of `stmt` on this view (a nested step when the view
    /// came from [`ConnView::from_env`]).
    pub fn step(&mut self, stmt: &mut Statement) -> Result<StepResult, ConnError> {
        if !stmt.is_running() && stmt.generation != self.current_generation() {
            self.ensure_schema()?;
            stmt.reprepare(self)?;
        }
        let r = self.step_retrying(stmt);
        self.state.publish();
        r
    }

    fn step_retrying(&mut self, stmt: &mut Statement) -> Result<StepResult, ConnError> {
        let mut retries = 0;
        loop {
            let mut result = self.run_vm(stmt);
            if self.state.pending_attach.take().is_some() {
                result = Err(VdbeError::Halt {
                    code: crate::rc::ResultCode::ERROR,
                    msg: "ATTACH and DETACH inside a callback are not supported by loom yet".into(),
                });
            }
            if let Some(r) = self.after_vm(stmt, result, &mut retries)? {
                return r;
            }
        }
    }

    /// One VM step, lending the whole view to it (invariant 2).
    pub(crate) fn run_vm(&mut self, stmt: &mut Statement) -> Result<StepResult, VdbeError> {
        let host: &mut dyn Any = &mut *self.core;
        let mut env = VdbeEnv {
            dbs: &mut *self.dbs,
            conn: &mut *self.state,
            host: Some(host),
        };
        stmt.vm.step(&mut env)
    }

    /// What follows a VM step: `None` to retry it after re-preparing for
    /// SQLITE_SCHEMA, else the step's outcome.
    pub(crate) fn after_vm(
        &mut self,
        stmt: &mut Statement,
        result: Result<StepResult, VdbeError>,
        retries: &mut usize,
    ) -> Result<Option<Result<StepResult, ConnError>>, ConnError> {
        match result {
            Err(VdbeError::Schema) if *retries < super::MAX_SCHEMA_RETRY => {
                *retries += 1;
                self.settle_schema(false, false)?;
                self.reload_schema()?;
                stmt.reprepare(self)?;
                Ok(None)
            }
            other => {
                let in_place = other.is_ok() && stmt.edits_schema_in_place();
                self.settle_schema(in_place, true)?;
                Ok(Some(other.map_err(ConnError::from)))
            }
        }
    }

    /// After a statement step or reset: brings the in-memory schema up to
    /// date with what the statement changed (`schema_load.rs` invariant
    /// 6), in place when `in_place` allows it, else by marking it
    /// unloaded. `verify` allows the LOOM_SCHEMA_VERIFY check.
    fn settle_schema(&mut self, in_place: bool, verify: bool) -> Result<(), ConnError> {
        if self.state.active_vms > 0 {
            // A statement still running may yet roll back what this one
            // logged: leave the log to it, but never apply it.
            if self.state.schema_changed {
                self.state.schema_changed = false;
                self.core.schema_loaded = false;
                self.state.schema_log.broken = true;
            }
            return Ok(());
        }
        let log = std::mem::take(&mut self.state.schema_log);
        if !self.state.schema_changed {
            return Ok(());
        }
        self.state.schema_changed = false;
        let usable = in_place && !log.broken && !log.edits.is_empty() && self.core.schema_loaded;
        let edited = match usable {
            true => super::schema_load::apply_schema_log(
                self.state.enc,
                &mut self.core.schemas,
                log.edits,
            ),
            false => None,
        };
        let Some(edited) = edited else {
            self.core.schema_loaded = false;
            return Ok(());
        };
        if verify && super::schema_load::verify_enabled() {
            let checked = super::schema_load::verify_schemas(
                self.dbs,
                self.state,
                &self.core.schemas,
                &edited,
            );
            if checked.is_err() {
                self.core.schema_loaded = false;
            }
            checked?;
        }
        Ok(())
    }

    /// Resets `stmt` so it can run again (keeps its bindings).
    pub fn reset(&mut self, stmt: &mut Statement) {
        let host: &mut dyn Any = &mut *self.core;
        let mut env = VdbeEnv {
            dbs: &mut *self.dbs,
            conn: &mut *self.state,
            host: Some(host),
        };
        stmt.vm.reset(&mut env);
        // No in-place edit: a reset may have rolled the statement back.
        let _ = self.settle_schema(false, false);
    }

    /// Loads the schema if it is not loaded (or was invalidated).
    pub(crate) fn ensure_schema(&mut self) -> Result<(), ConnError> {
        if self.core.schema_loaded {
            return Ok(());
        }
        self.reload_schema()
    }

    /// Re-reads `sqlite_schema` of every database.
    pub(crate) fn reload_schema(&mut self) -> Result<(), ConnError> {
        for (i, bt) in self.dbs.iter_mut().enumerate() {
            let prev = self.core.schemas.get(i).cloned();
            let (mut schema, enc) =
                super::schema_load::load_schema(bt, self.state, prev.as_deref())?;
            if i == 0 {
                self.state.enc = enc;
            }
            schema.temp = i == super::attach::TEMP_DB;
            if let Some(slot) = self.core.schemas.get_mut(i) {
                *slot = Arc::new(schema);
            }
        }
        self.core.schema_loaded = true;
        Ok(())
    }

    /// Clears a pending interrupt once no statement is running.
    pub(crate) fn clear_interrupt_if_idle(&mut self) {
        if self.state.active_vms == 0 {
            self.state
                .interrupt
                .store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// See [`super::Connection::take_wal_callbacks`].
    pub fn take_wal_callbacks(&mut self) -> Vec<(super::WalHookFn, String, u32)> {
        let mut due = Vec::new();
        for (i, bt) in self.dbs.iter_mut().enumerate() {
            let frames = bt.pager().take_wal_callback();
            if frames == 0 || !bt.pager().wal_hook_custom() {
                continue;
            }
            if let (Some(h), Some(name)) = (&self.core.wal_hook, self.core.db_names.get(i)) {
                due.push((h.0.clone(), name.clone(), frames));
            }
        }
        due
    }
}

impl ConnCore {
    /// True once the temp database holds (or held) something (as
    /// `Connection::temp_open`).
    pub(crate) fn temp_in_use(&self) -> bool {
        self.temp_used
            || self
                .schemas
                .get(super::attach::TEMP_DB)
                .is_some_and(|s| !s.rows.is_empty())
    }
}

/// The VM's [`crate::vdbe::SqlRunner`]: runs `sql` as a nested statement
/// on the connection `env` belongs to and collects its rows (how modules
/// written in Rust run SQL, `vtab/host.rs`).
pub(crate) fn run_nested(
    env: &mut VdbeEnv<'_>,
    sql: &str,
    params: &[crate::record::Value],
) -> crate::vtab::VTabResult<Vec<Vec<crate::record::Value>>> {
    let err = |e: ConnError| crate::vtab::VTabError {
        code: e.result_code(),
        msg: e.to_string(),
    };
    let Some(mut view) = ConnView::from_env(env) else {
        return crate::vtab::NoHost.exec(sql, params);
    };
    let (stmt, _) = view.prepare(sql, 0).map_err(err)?;
    let Some(mut stmt) = stmt else {
        return Ok(Vec::new());
    };
    for (i, p) in params.iter().enumerate() {
        stmt.bind(i + 1, p.clone()).map_err(err)?;
    }
    let n = stmt.program().columns.len();
    let mut rows = Vec::new();
    let result = loop {
        match view.step(&mut stmt) {
            Ok(StepResult::Row) => rows.push((0..n).map(|i| stmt.column(i).to_owned()).collect()),
            Ok(StepResult::Done) => break Ok(rows),
            Err(e) => break Err(err(e)),
        }
    };
    view.reset(&mut stmt);
    result
}
