//! `PreparedStatement`: one compiled statement bound to its connection.
//!
//! SQLite counterpart: the `sqlite3_stmt*` handle and vdbeapi.c.
//!
//! Invariants:
//! 1. A statement keeps its connection alive (it holds a [`Database`]).
//! 2. `step` locks the connection for the duration of the step only; from
//!    inside a callback of another statement of the same connection it
//!    runs on the environment lent by that callback (`database.rs`
//!    invariant 3).
//! 3. After an error, the statement must be reset before it runs again;
//!    `step` on it after Done restarts it (as `sqlite3_step` does after an
//!    automatic reset).

use super::database::Database;
use super::error::DbError;
use crate::conn::{Statement, StepResult};
use crate::record::{Value, ValueRef};

/// A prepared statement.
#[derive(Debug)]
pub struct PreparedStatement {
    db: Database,
    stmt: Statement,
    done: bool,
}

impl PreparedStatement {
    pub(crate) fn new(db: Database, stmt: Statement) -> PreparedStatement {
        PreparedStatement {
            db,
            stmt,
            done: false,
        }
    }

    /// The connection this statement belongs to.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Binds `v` to parameter `idx` (1-based).
    pub fn bind(&mut self, idx: usize, v: Value) -> Result<(), DbError> {
        if self.stmt.is_running() {
            return Err(DbError::misuse());
        }
        self.stmt.bind(idx, v).map_err(DbError::from)
    }

    /// Binds `params` to `?1`, `?2`, …
    pub fn bind_all(&mut self, params: &[Value]) -> Result<(), DbError> {
        for (i, v) in params.iter().enumerate() {
            self.bind(i + 1, v.clone())?;
        }
        Ok(())
    }

    pub fn parameter_count(&self) -> usize {
        self.stmt.program().params.len()
    }

    /// The name of parameter `idx` (with its `:`/`@`/`$` prefix), if named.
    pub fn parameter_name(&self, idx: usize) -> Option<&str> {
        self.stmt
            .program()
            .params
            .get(idx.checked_sub(1)?)?
            .as_deref()
    }

    /// The index of the parameter named `name` (prefix included).
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        let params = &self.stmt.program().params;
        params
            .iter()
            .position(|p| p.as_deref() == Some(name))
            .map(|i| i + 1)
    }

    pub fn clear_bindings(&mut self) {
        self.stmt.clear_bindings();
    }

    /// Runs to the next row (`Row`) or to the end (`Done`).
    pub fn step(&mut self) -> Result<StepResult, DbError> {
        if self.done {
            self.reset_inner();
        }
        let db = self.db.clone();
        let (r, wal_calls) = db.with_conn(|mut c| {
            let r = c.step(&mut self.stmt);
            let mut v = c.view();
            if !self.stmt.is_running() {
                v.clear_interrupt_if_idle();
            }
            let calls = match r {
                Ok(StepResult::Done) if v.state.autocommit => v.take_wal_callbacks(),
                _ => Vec::new(),
            };
            (r, calls)
        })?;
        match r {
            Ok(StepResult::Done) => {
                self.done = true;
                // Outside the connection borrow: a WAL hook may checkpoint.
                for (hook, name, frames) in wal_calls {
                    let rc = hook(&name, frames);
                    if rc != 0 {
                        let code = crate::rc::ResultCode(rc);
                        return Err(DbError::from_code(code, code.errstr().to_string()));
                    }
                }
                Ok(StepResult::Done)
            }
            Ok(StepResult::Row) => Ok(StepResult::Row),
            Err(e) => Err(DbError::from(e)),
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    pub fn reset(&mut self) -> Result<(), DbError> {
        self.reset_inner();
        Ok(())
    }

    fn reset_inner(&mut self) {
        let db = self.db.clone();
        let _ = db.with_conn(|mut c| c.view().reset(&mut self.stmt));
        self.done = false;
    }

    pub fn column_count(&self) -> usize {
        self.stmt.program().columns.len()
    }

    /// Changes when the statement is recompiled after a schema change
    /// (its column names and types may then differ).
    pub fn schema_generation(&self) -> u64 {
        self.stmt.recompiles
    }

    /// Number of values in the current row (0 when there is no row).
    pub fn data_count(&self) -> usize {
        if self.stmt.is_running() && !self.done {
            self.column_count()
        } else {
            0
        }
    }

    pub fn column_name(&self, i: usize) -> Option<&str> {
        self.stmt.program().columns.get(i).map(|c| c.name.as_str())
    }

    pub fn column_decltype(&self, i: usize) -> Option<&str> {
        self.stmt.program().columns.get(i)?.decltype.as_deref()
    }

    pub fn column_table_name(&self, i: usize) -> Option<&str> {
        self.stmt.program().columns.get(i)?.table.as_deref()
    }

    pub fn column_origin_name(&self, i: usize) -> Option<&str> {
        self.stmt.program().columns.get(i)?.origin.as_deref()
    }

    pub fn column_database_name(&self, i: usize) -> Option<&str> {
        self.stmt.program().columns.get(i)?.database.as_deref()
    }

    /// Column `i` of the current row.
    pub fn column_value(&self, i: usize) -> ValueRef<'_> {
        self.stmt.column(i)
    }

    /// The current row as owned values.
    pub fn row_values(&self) -> Vec<Value> {
        (0..self.column_count())
            .map(|i| self.column_value(i).to_owned())
            .collect()
    }

    pub fn sql(&self) -> &str {
        self.stmt.sql()
    }

    /// The SQL with bound parameters substituted as literals.
    pub fn expanded_sql(&self) -> String {
        crate::sql::expand_sql(self.stmt.sql(), &self.stmt.program().params, &|i| {
            self.stmt.binding(i).cloned()
        })
    }

    pub fn readonly(&self) -> bool {
        self.stmt.program().readonly
    }

    /// 0 normal, 1 EXPLAIN, 2 EXPLAIN QUERY PLAN.
    pub fn is_explain(&self) -> u8 {
        self.stmt.program().explain
    }

    /// True while the statement has started and not finished.
    pub fn busy(&self) -> bool {
        self.stmt.is_running() && !self.done
    }
}

impl Drop for PreparedStatement {
    fn drop(&mut self) {
        if self.stmt.is_running() {
            self.reset_inner();
        }
    }
}
