//! A prepared statement: its VM, its SQL text and what re-preparing needs.
//!
//! SQLite counterpart: the statement side of prepare.c
//! (`sqlite3Reprepare`) and the lifecycle rules of vdbeapi.c.
//!
//! Invariants:
//! 1. `sql` is the text of this one statement as given, from where the
//!    prepare started to just past its `;` (`sqlite3_sql`, as SQLite).
//! 2. Re-preparing keeps the bindings: a statement re-prepared after a
//!    schema change behaves as if it had been prepared against the new
//!    schema with the same parameters bound.

use std::sync::Arc;

use super::error::ConnError;
use super::mode::ConnectionMode;
use super::view::ConnView;
use crate::record::{Value, ValueRef};
use crate::sql::{self, Parsed, StmtClass};
use crate::vdbe::{Program, Vdbe};

pub use crate::vdbe::StepResult;

/// A compiled statement and its execution state.
#[derive(Debug)]
pub struct Statement {
    pub(crate) vm: Vdbe,
    sql: String,
    parsed: Parsed,
    /// The connection generation this was compiled under.
    pub(crate) generation: u64,
    /// How many times this statement has been recompiled.
    pub(crate) recompiles: u64,
}

impl Statement {
    pub(crate) fn new(program: Program, sql: String, parsed: Parsed) -> Statement {
        Statement {
            vm: Vdbe::new(Arc::new(program)),
            sql,
            parsed,
            generation: 0,
            recompiles: 0,
        }
    }

    /// Compiles the statement again against the connection's current schema.
    pub(crate) fn reprepare(&mut self, conn: &mut ConnView<'_>) -> Result<(), ConnError> {
        let program = conn.compile(&self.parsed, &self.sql)?;
        let mut vm = Vdbe::new(Arc::new(program));
        for i in 1..=self.vm.program().params.len() {
            if let Some(v) = self.vm.binding(i) {
                vm.bind(i, v.clone())?;
            }
        }
        self.vm = vm;
        self.generation = conn.current_generation();
        self.recompiles += 1;
        Ok(())
    }

    pub fn program(&self) -> &Program {
        self.vm.program()
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Binds parameter `idx` (1-based).
    pub fn bind(&mut self, idx: usize, v: Value) -> Result<(), ConnError> {
        if idx == 0 || idx > self.program().params.len() {
            return Err(ConnError::Range);
        }
        self.vm.bind(idx, v).map_err(ConnError::from)
    }

    pub fn clear_bindings(&mut self) {
        self.vm.clear_bindings();
    }

    pub fn binding(&self, idx: usize) -> Option<&Value> {
        self.vm.binding(idx)
    }

    /// Column `i` of the current row (NULL when out of range or no row).
    pub fn column(&self, i: usize) -> ValueRef<'_> {
        self.vm.column(i)
    }

    pub fn is_running(&self) -> bool {
        self.vm.is_running()
    }

    /// CREATE TABLE/INDEX/VIEW/TRIGGER or DROP: the statements whose
    /// schema-table writes the connection applies in place
    /// (`schema_load.rs` invariant 6).
    pub(crate) fn edits_schema_in_place(&self) -> bool {
        use crate::sql::ast::Stmt;
        self.parsed.explain.is_none()
            && matches!(
                self.parsed.stmt,
                Stmt::CreateTable(_)
                    | Stmt::CreateIndex(_)
                    | Stmt::CreateView(_)
                    | Stmt::CreateTrigger(_)
                    | Stmt::Drop(_)
            )
    }
}

/// Refuses statements the connection's mode does not allow (invariant 2 of
/// the module): the check happens before anything runs.
pub(crate) fn check_mode(
    mode: ConnectionMode,
    readonly_file: bool,
    parsed: &Parsed,
) -> Result<(), ConnError> {
    let class = sql::classify(parsed);
    let writes = matches!(class, StmtClass::Write | StmtClass::Schema);
    if writes && readonly_file {
        return Err(ConnError::ReadOnly);
    }
    match (mode, class) {
        (_, StmtClass::Read | StmtClass::Transaction) => Ok(()),
        (ConnectionMode::Read, _) => Err(ConnError::ReadOnly),
        (ConnectionMode::Write, StmtClass::Schema) => Err(ConnError::NotAuthorized),
        (ConnectionMode::Write | ConnectionMode::Admin, _) => Ok(()),
    }
}
