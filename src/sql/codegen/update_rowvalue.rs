//! Row-value SET in UPDATE and upsert: `SET (a, b) = (x, y)` and
//! `SET (a, b) = (SELECT ...)`.
//!
//! SQLite counterpart: `sqlite3ExprListAppendVector` (expr.c) and the
//! `TK_SELECT_COLUMN` expressions it creates for a subquery right side.
//!
//! A list right side splits into one assignment per column. A subquery
//! right side runs once per updated row into consecutive registers (its
//! first row, NULLs when it returns none); each column then reads its
//! register through a register-backed source with a synthetic name no SQL
//! text can spell.
//!
//! Invariants:
//! 1. The subquery runs after the old row is loaded and before any SET
//!    expression, so it sees the row as it was.
//! 2. A subquery whose width differs from the column count is an error,
//!    `N columns assigned M values`, raised while compiling.

use super::expr::{Scope, Source};
use super::select::Dest;
use super::Gen;
use crate::sql::ast::{Expr, ExprKind, Select, SetClause};
use crate::vdbe::{ColumnInfo, Insn, Reg};

/// A row-value subquery of a SET clause, waiting to be compiled into the
/// per-row code of an UPDATE.
#[derive(Clone, Debug)]
pub(crate) struct RowValueSet {
    /// The subquery.
    select: Select,
    /// How many columns it must return.
    width: usize,
    /// The register-backed source its columns are read through.
    source: Source,
    /// First of `width` registers holding its row.
    regs: Reg,
}

/// The synthetic name of row-value source `k` (starts with a control
/// character, so no identifier can name it).
fn source_name(k: usize) -> String {
    format!("\u{1}rowvalue{k}")
}

impl Gen<'_> {
    /// SET clauses with one column each: lists are split and subqueries
    /// are queued in `self.row_value_sets` for [`Gen::emit_row_value_sets`].
    pub(crate) fn expand_row_sets(&mut self, sets: &[SetClause]) -> Result<Vec<SetClause>, String> {
        let mut out = Vec::with_capacity(sets.len());
        for s in sets {
            let sub = match &s.expr.kind {
                ExprKind::Subquery(sel) if s.columns.len() > 1 => Some(sel.as_ref()),
                ExprKind::Row(v) if s.columns.len() == 1 => match v.as_slice() {
                    [Expr {
                        kind: ExprKind::Subquery(sel),
                        ..
                    }] => Some(sel.as_ref()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(sel) = sub {
                let refs = self.queue_row_value(sel, s.columns.len(), &s.expr);
                for (c, e) in s.columns.iter().zip(refs) {
                    out.push(SetClause {
                        columns: vec![c.clone()],
                        expr: e,
                    });
                }
            } else if let (ExprKind::Row(v), true) = (&s.expr.kind, s.columns.len() > 1) {
                for (c, e) in s.columns.iter().zip(v) {
                    out.push(SetClause {
                        columns: vec![c.clone()],
                        expr: e.clone(),
                    });
                }
            } else {
                out.push(s.clone());
            }
        }
        Ok(out)
    }

    /// Queues `sel` and returns the expressions reading its columns.
    fn queue_row_value(&mut self, sel: &Select, width: usize, at: &Expr) -> Vec<Expr> {
        let name = source_name(self.row_value_sets.len());
        let names: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
        let infos: Vec<ColumnInfo> = names
            .iter()
            .map(|n| ColumnInfo {
                name: n.clone(),
                ..ColumnInfo::default()
            })
            .collect();
        let cursor = self.b.alloc_cursor();
        let source = self.ephemeral_source(cursor, &name, &infos, &names);
        let regs = self.b.alloc_regs(width);
        self.row_value_sets.push(RowValueSet {
            select: sel.clone(),
            width,
            source,
            regs,
        });
        names
            .into_iter()
            .map(|column| Expr {
                kind: ExprKind::Column {
                    schema: None,
                    table: Some(name.clone()),
                    column,
                    double_quoted: false,
                },
                span: at.span,
                height: 1,
            })
            .collect()
    }

    /// Runs the queued row-value subqueries for the current row (with
    /// `scope`'s sources visible) and makes their registers visible to
    /// `scope`. Empties the queue.
    pub(crate) fn emit_row_value_sets(&mut self, scope: &mut Scope) -> Result<(), String> {
        for rv in std::mem::take(&mut self.row_value_sets) {
            let done = self.b.new_label();
            let dest = Dest::Scalar {
                reg: rv.regs,
                done: done.addr(),
            };
            let regs = rv.regs;
            let width = rv.width;
            // Register-backed rows of the UPDATE (upsert's `excluded`) stay
            // visible inside the subquery.
            let saved = self.trigger_rows.len();
            self.trigger_rows.extend(scope.row_regs.iter().cloned());
            let got = self.subquery_block(&rv.select, scope, &dest, &|g: &mut Gen| {
                g.b.emit(Insn::Null {
                    dest: regs,
                    count: width,
                });
            });
            self.trigger_rows.truncate(saved);
            let got = got?;
            self.b.resolve(done);
            if got != rv.width {
                return Err(format!("{} columns assigned {} values", rv.width, got));
            }
            let row: Vec<Reg> = (0..rv.width).map(|i| rv.regs + i).collect();
            let rowid = self.b.alloc_reg();
            scope.row_regs.push((rv.source.cursor, row, rowid));
            scope.outer.push(rv.source);
        }
        Ok(())
    }
}
