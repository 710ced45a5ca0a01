//! Index entries of one row: expression key columns and partial-index
//! WHERE clauses, evaluated on a row held in registers.
//!
//! SQLite counterpart: `sqlite3GenerateIndexKey` (expression columns via
//! `sqlite3ExprCodeLoadIndexColumn`, partial indexes via `pPartIdxWhere`
//! and `iPartIdxLabel`) in delete.c.
//!
//! Invariants:
//! 1. An index expression or WHERE sees the row's columns through the
//!    registers given (the new row for INSERT/UPDATE, the old one for
//!    DELETE); the INTEGER PRIMARY KEY reads the rowid register.
//! 2. A row whose values make a partial index's WHERE false or NULL has no
//!    entry in that index and is not checked against it for uniqueness.
//! 3. Removing an entry that does not exist is a no-op (`IdxDelete`), so
//!    deletes do not evaluate WHERE clauses.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::Gen;
use crate::sql::ast::{BinaryOp, Expr, ExprKind};
use crate::sql::schema::{Index, Table};
use crate::vdbe::{Addr, Reg};

impl Gen<'_> {
    /// A scope in which `t`'s columns read registers `regs` / `rowid`.
    fn row_scope(&mut self, t: &Table, regs: &[Reg], rowid: Reg) -> Scope {
        let cursor = self.b.alloc_cursor();
        let mut scope = self.base_scope();
        scope.sources = vec![Source {
            table: Arc::new(t.clone()),
            name: t.name.clone(),
            cursor,
        }];
        scope.row_regs.push((cursor, regs.to_vec(), rowid));
        scope
    }

    /// Jumps to `skip` unless the row belongs in partial index `idx`.
    pub(crate) fn partial_skip(
        &mut self,
        t: &Table,
        idx: &Index,
        regs: &[Reg],
        rowid: Reg,
        skip: Addr,
    ) -> Result<(), String> {
        let Some(w) = &idx.partial else { return Ok(()) };
        let scope = self.row_scope(t, regs, rowid);
        self.jump_if_false(w, skip, &scope)
    }

    /// Evaluates an index expression on the row into `dest`.
    pub(crate) fn index_expr_into(
        &mut self,
        t: &Table,
        e: &Expr,
        regs: &[Reg],
        rowid: Reg,
        dest: Reg,
    ) -> Result<(), String> {
        let scope = self.row_scope(t, regs, rowid);
        self.expr_into(e, &scope, dest)
    }
}

/// True when some index of `t` reads more than plain columns (an
/// expression or a WHERE), so every column must be loaded to maintain it.
pub(crate) fn needs_all_columns(t: &Table) -> bool {
    t.indexes
        .iter()
        .any(|ix| ix.partial.is_some() || ix.columns.iter().any(|c| c.expr.is_some()))
}

/// SQLite's message for a UNIQUE index violation: the indexed columns as
/// `t.a, t.b`, or `index 'name'` when a key column is an expression.
pub(crate) fn unique_failed(t: &Table, idx: &Index) -> String {
    if idx.columns.iter().any(|c| c.column.is_none()) {
        return format!("UNIQUE constraint failed: index '{}'", idx.name);
    }
    let cols: Vec<String> = idx
        .columns
        .iter()
        .filter_map(|c| c.column)
        .filter_map(|ci| t.columns.get(ci))
        .map(|c| format!("{}.{}", t.name, c.name))
        .collect();
    format!("UNIQUE constraint failed: {}", cols.join(", "))
}

impl Gen<'_> {
    /// SQLite's rule for using a partial index: every AND-term of its WHERE
    /// appears among the query's `terms` (on source `si` only), or is
    /// `x IS NOT NULL` and some term compares `x` with `=`, `<`, `<=`, `>`,
    /// `>=`, BETWEEN or IN.
    pub(crate) fn partial_implied(
        &self,
        w: &Expr,
        terms: &[(Expr, bool)],
        scope: &Scope,
        si: usize,
    ) -> bool {
        let mut parts = Vec::new();
        split_and(w, &mut parts);
        parts.iter().all(|p| {
            terms.iter().any(|(t, _)| {
                self.only_source(t, scope, si)
                    && (super::exprcmp::same_expr_unqualified(t, p) || not_null_implied(p, t))
            })
        })
    }

    /// True when every column of `e` resolves to source `si`.
    fn only_source(&self, e: &Expr, scope: &Scope, si: usize) -> bool {
        let mut ok = true;
        super::planner::walk(e, &mut |x| match &x.kind {
            ExprKind::Column { table, column, .. } => {
                let here = matches!(
                    self.resolve_column(scope, table.as_deref(), column),
                    Ok(Some((s, _))) if s == si
                );
                ok &= here;
            }
            ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. } => ok = false,
            _ => {}
        });
        ok
    }
}

fn split_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, l, r) => {
            split_and(l, out);
            split_and(r, out);
        }
        _ => out.push(e),
    }
}

/// `x IS NOT NULL` (`part`) follows from a comparison of `x` in `term`.
fn not_null_implied(part: &Expr, term: &Expr) -> bool {
    let ExprKind::IsNull(x, true) = &part.kind else {
        return false;
    };
    let is_x = |e: &Expr| super::exprcmp::same_expr_unqualified(e, x);
    match &term.kind {
        ExprKind::Binary(op, l, r) => {
            matches!(
                op,
                BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
            ) && (is_x(l) || is_x(r))
        }
        ExprKind::Between {
            expr,
            negated: false,
            ..
        } => is_x(expr),
        ExprKind::InList {
            expr,
            negated: false,
            ..
        } => is_x(expr),
        _ => false,
    }
}
