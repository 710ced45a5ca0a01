//! EXPLAIN QUERY PLAN: the planner's recorded decisions as result rows.
//!
//! SQLite counterpart: the `OP_Explain` rows of where.c / select.c
//! (`sqlite3WhereExplainOneScan`, `explainTempTable`, `explainSetInteger`)
//! and the EXPLAIN QUERY PLAN listing of `sqlite3VdbeList` (eqp.html).
//!
//! While a statement is compiled, the code generator calls [`Eqp::add`]
//! for each loop it opens ("SCAN t", "SEARCH t USING INDEX i (a=?)"), each
//! temporary b-tree it builds and [`Eqp::open`] / [`Eqp::close`] around
//! nested queries (subqueries, compound members, materialized views), so the
//! rows describe the program actually generated.
//!
//! Invariants:
//! 1. The columns are SQLite's: id, parent, notused, detail; `parent` is 0
//!    for a top-level row or the `id` of an earlier row.
//! 2. Rows appear in code order, so children follow their parent.
//! 3. Nothing is recorded unless the statement is an EXPLAIN QUERY PLAN
//!    (`enabled`), so ordinary compiles pay no string formatting.

use std::sync::Arc;

use crate::vdbe::{ColumnInfo, Insn, Program};

/// One EXPLAIN QUERY PLAN row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EqpRow {
    pub id: i64,
    pub parent: i64,
    pub detail: String,
}

/// The rows recorded while compiling one statement.
#[derive(Debug, Default)]
pub(crate) struct Eqp {
    /// Record rows only when true (EXPLAIN QUERY PLAN statements).
    pub enabled: bool,
    rows: Vec<EqpRow>,
    parent: i64,
    /// Number of subqueries so far (SQLite's "SCALAR SUBQUERY n" numbers).
    subqueries: usize,
}

impl Eqp {
    /// A recorder, active only when `enabled`.
    pub fn new(enabled: bool) -> Eqp {
        Eqp {
            enabled,
            ..Eqp::default()
        }
    }

    /// Adds a row under the current parent; returns its id (0 if disabled).
    pub fn add(&mut self, detail: impl FnOnce() -> String) -> i64 {
        if !self.enabled {
            return 0;
        }
        // Ids start at 2, like the addresses SQLite uses, leaving 0 for "root".
        let id = self.rows.len() as i64 + 2;
        self.rows.push(EqpRow {
            id,
            parent: self.parent,
            detail: detail(),
        });
        id
    }

    /// Appends `suffix` to the detail of row number `index` (0-based), if
    /// it exists (`LEFT-JOIN` after a loop's SCAN/SEARCH text).
    pub fn append(&mut self, index: usize, suffix: &str) {
        if let Some(r) = self.rows.get_mut(index) {
            r.detail.push_str(suffix);
        }
    }

    /// Adds a row and makes it the parent of the rows that follow, until
    /// [`Eqp::close`] is called with the returned token.
    pub fn open(&mut self, detail: impl FnOnce() -> String) -> i64 {
        let saved = self.parent;
        if self.enabled {
            self.parent = self.add(detail);
        }
        saved
    }

    /// Restores the parent saved by [`Eqp::open`].
    pub fn close(&mut self, saved: i64) {
        self.parent = saved;
    }

    /// Replaces the detail of the row recorded `index`-th (if any).
    pub fn set_detail(&mut self, index: usize, detail: String) {
        if let Some(row) = self.rows.get_mut(index) {
            row.detail = detail;
        }
    }

    /// The number of the next subquery.
    pub fn next_subquery(&mut self) -> usize {
        self.subqueries += 1;
        self.subqueries
    }

    /// How many rows have been recorded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The recorded rows.
    pub fn rows(&self) -> &[EqpRow] {
        &self.rows
    }
}

/// Builds the program returning `rows` as EXPLAIN QUERY PLAN output.
pub(super) fn eqp_program(rows: &[EqpRow], params: Vec<Option<String>>) -> Result<Program, String> {
    let mut b = super::Builder::new();
    b.columns = ["id", "parent", "notused", "detail"]
        .iter()
        .map(|n| ColumnInfo {
            name: n.to_string(),
            ..ColumnInfo::default()
        })
        .collect();
    for row in rows {
        let start = b.alloc_regs(4);
        for (i, value) in [row.id, row.parent, 0].into_iter().enumerate() {
            b.emit(Insn::Integer {
                value,
                dest: start + i,
            });
        }
        b.emit(Insn::String8 {
            value: Arc::from(row.detail.as_bytes()),
            dest: start + 3,
        });
        b.emit(Insn::ResultRow { start, count: 4 });
    }
    b.emit(Insn::Halt {
        rc: crate::rc::ResultCode::OK,
        on_error: Default::default(),
        msg: None,
    });
    b.finish(params, 2)
}
