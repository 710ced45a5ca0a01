//! Generated columns in code generation: reading VIRTUAL columns, computing
//! generated values of a new row, and records without VIRTUAL fields.
//!
//! SQLite counterpart: `sqlite3ExprCodeGeneratedColumn` and
//! `sqlite3ComputeGeneratedColumns` (insert.c), the storage mapping of
//! `sqlite3TableColumnToStorage` (build.c) as used by `OP_Column` reads in
//! expr.c, and the generated-column errors of insert.c / update.c.
//!
//! Invariants:
//! 1. Reading column `c` of a table cursor reads record field
//!    `Table::storage_index(c)` (a WITHOUT ROWID cursor is given `c` and
//!    maps it, see codegen/without_rowid.rs); a VIRTUAL column evaluates its
//!    expression over the same cursor, then applies the column affinity.
//! 2. A row held in registers (INSERT, UPDATE) has one register per table
//!    column, VIRTUAL ones included; [`Gen::compute_generated`] fills every
//!    generated register from the others, dependencies first, before
//!    affinities, constraints and index keys are computed.
//! 3. The record written for such a row holds only the non-VIRTUAL
//!    registers, in column order ([`Gen::stored_record_regs`]).
//! 4. A statement naming a generated column as an INSERT target or an
//!    UPDATE SET target is refused at prepare time.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::Gen;
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

impl Gen<'_> {
    /// Emits the read of table column `c` under `cursor` into `dest`
    /// (invariant 1).
    pub(crate) fn table_column(&mut self, t: &Table, cursor: usize, c: usize, dest: Reg) {
        self.table_column_in(t, cursor, c, dest, None);
    }

    /// [`Self::table_column`] with the GROUP BY remap of the enclosing scope.
    pub(crate) fn table_column_in(
        &mut self,
        t: &Table,
        cursor: usize,
        c: usize,
        dest: Reg,
        outer: Option<&Scope>,
    ) {
        let Some(col) = t.columns.get(c) else {
            self.b.emit(Insn::Null { dest, count: 1 });
            return;
        };
        if let Some(g) = col.generated.as_ref().filter(|g| !g.stored) {
            let scope = Scope {
                sources: vec![Source {
                    table: Arc::new(t.clone()),
                    name: t.name.clone(),
                    cursor,
                }],
                remap: outer.and_then(|s| s.remap.clone()),
                ..Scope::default()
            };
            // The expression was checked when the table was created.
            if self.expr_into(&g.expr, &scope, dest).is_err() {
                self.b.emit(Insn::Null { dest, count: 1 });
            }
            self.b.emit(Insn::Affinity {
                start: dest,
                count: 1,
                affinities: vec![col.affinity],
            });
            return;
        }
        let default = self.column_default(t, c);
        self.b.emit(Insn::Column {
            cursor,
            // A WITHOUT ROWID cursor maps table columns to fields itself.
            column: match t.without_rowid {
                true => c,
                false => t.storage_index(c),
            },
            dest,
            default,
        });
    }

    /// Computes every generated column of the row in `regs..` (one register
    /// per column, rowid in `rowid`), dependencies first (invariant 2).
    pub(crate) fn compute_generated(
        &mut self,
        t: &Table,
        regs: Reg,
        rowid: Reg,
    ) -> Result<(), String> {
        let order = t.generated_order()?;
        if order.is_empty() {
            return Ok(());
        }
        // The expressions see the other columns with their affinity applied.
        self.apply_column_affinity(t, regs);
        let cursor = self.b.alloc_cursor();
        let mut scope = self.base_scope();
        scope.sources = vec![Source {
            table: Arc::new(t.clone()),
            name: t.name.clone(),
            cursor,
        }];
        let all: Vec<Reg> = (0..t.columns.len()).map(|c| regs + c).collect();
        scope.row_regs.push((cursor, all, rowid));
        for c in order {
            if let Some(g) = &t.columns[c].generated {
                self.expr_into(&g.expr, &scope, regs + c)?;
            }
        }
        Ok(())
    }

    /// The first of the contiguous registers holding the record fields of
    /// the row in `regs..` (invariant 3): `regs` itself unless the table has
    /// VIRTUAL columns, else a copy without them.
    pub(crate) fn stored_record_regs(&mut self, t: &Table, regs: Reg) -> Reg {
        if !t.has_virtual() {
            return regs;
        }
        let out = self.b.alloc_regs(t.n_stored());
        let stored = (0..t.columns.len()).filter(|&c| !t.columns[c].is_virtual());
        for (i, c) in stored.enumerate() {
            self.b.emit(Insn::SCopy {
                src: regs + c,
                dest: out + i,
            });
        }
        out
    }
}

/// Refuses INSERT into a generated column (invariant 4).
pub(crate) fn check_insert_target(t: &Table, c: usize) -> Result<(), String> {
    match t.columns.get(c) {
        Some(col) if col.generated.is_some() => Err(format!(
            "cannot INSERT into generated column \"{}\"",
            col.name
        )),
        _ => Ok(()),
    }
}

/// Refuses UPDATE of a generated column (invariant 4).
pub(crate) fn check_update_target(t: &Table, c: usize) -> Result<(), String> {
    match t.columns.get(c) {
        Some(col) if col.generated.is_some() => {
            Err(format!("cannot UPDATE generated column \"{}\"", col.name))
        }
        _ => Ok(()),
    }
}

/// The table columns an INSERT without a column list fills: all but the
/// generated ones.
pub(crate) fn insertable_columns(t: &Table) -> Vec<usize> {
    (0..t.columns.len())
        .filter(|&c| t.columns[c].generated.is_none())
        .collect()
}
