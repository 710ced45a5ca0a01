//! RETURNING on INSERT, UPDATE and DELETE.
//!
//! SQLite counterpart: the `bReturning` pseudo-trigger of trigger.c
//! (`sqlite3AddReturning`, `codeReturningTrigger`): for every row the
//! statement changes, the RETURNING expressions are evaluated and the
//! resulting row is appended to an ephemeral table; once every change is
//! done, the buffered rows are handed to the caller.
//!
//! Invariants:
//! 1. RETURNING rows are computed right after the row is written (for
//!    DELETE: right before it is removed), from the registers holding the
//!    row's new (DELETE: old) values, so later AFTER triggers cannot change
//!    them; rows skipped by IGNORE or a BEFORE trigger return nothing.
//! 2. No row reaches the caller before the last change is made: the rows
//!    wait in an ephemeral table read out at the end of the program.
//! 3. Only the modified table is visible, under its real name (not an
//!    alias); `table.*` is refused with SQLite's message.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::select::OutCol;
use super::Gen;
use crate::sql::ast::ResultColumn;
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

/// The compiled RETURNING clause of one statement.
#[derive(Clone, Debug)]
pub(crate) struct Returning {
    /// The ephemeral table buffering the rows.
    cursor: usize,
    /// The expanded result columns.
    cols: Vec<OutCol>,
    /// The modified table.
    table: Arc<Table>,
    /// A cursor number the row registers are attached to (never opened).
    row_cursor: usize,
}

impl Gen<'_> {
    /// Prepares RETURNING `cols` on table `t`; `None` when there is none.
    pub(crate) fn returning_begin(
        &mut self,
        t: &Arc<Table>,
        cols: &[ResultColumn],
    ) -> Result<Option<Returning>, String> {
        if cols.is_empty() {
            return Ok(None);
        }
        if cols.iter().any(|c| matches!(c, ResultColumn::TableStar(_))) {
            return Err("RETURNING may not use \"TABLE.*\" wildcards".into());
        }
        let row_cursor = self.b.alloc_cursor();
        let scope = self.returning_scope(t, row_cursor, &[], 0);
        let out = self.result_columns(cols, &scope)?;
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: out.len(),
            key_info: None,
        });
        Ok(Some(Returning {
            cursor,
            cols: out,
            table: t.clone(),
            row_cursor,
        }))
    }

    /// The scope RETURNING expressions see: the table, read from registers.
    fn returning_scope(&self, t: &Arc<Table>, cursor: usize, regs: &[Reg], rowid: Reg) -> Scope {
        let mut row_regs = self.trigger_rows.clone();
        if !regs.is_empty() {
            row_regs.push((cursor, regs.to_vec(), rowid));
        }
        Scope {
            sources: vec![Source {
                table: t.clone(),
                name: t.name.clone(),
                cursor,
            }],
            row_regs,
            ..self.base_scope()
        }
    }

    /// Evaluates the RETURNING row of the row in `regs`/`rowid` and buffers it.
    pub(crate) fn returning_row(
        &mut self,
        r: &Returning,
        regs: &[Reg],
        rowid: Reg,
    ) -> Result<(), String> {
        let scope = self.returning_scope(&r.table, r.row_cursor, regs, rowid);
        let start = self.eval_columns(&r.cols, &scope)?;
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count: r.cols.len(),
            dest: rec,
            affinities: None,
        });
        let key = self.b.alloc_reg();
        self.b.emit(Insn::NewRowid {
            cursor: r.cursor,
            dest: key,
            autoinc_reg: None,
        });
        self.b.emit(Insn::Insert {
            cursor: r.cursor,
            record: rec,
            rowid: key,
            flags: Default::default(),
        });
        Ok(())
    }

    /// After the last change: hands the buffered rows to the caller.
    pub(crate) fn returning_end(&mut self, r: Option<Returning>) {
        let Some(r) = r else { return };
        let n = r.cols.len();
        self.b.columns = r.cols.iter().map(|c| c.info.clone()).collect();
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: r.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let start = self.b.alloc_regs(n);
        for i in 0..n {
            self.b.emit(Insn::Column {
                cursor: r.cursor,
                column: i,
                dest: start + i,
                default: None,
            });
        }
        self.b.emit(Insn::ResultRow { start, count: n });
        self.b.emit(Insn::Next {
            cursor: r.cursor,
            target: top,
        });
        self.b.resolve(done);
    }
}
