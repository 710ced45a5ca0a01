//! The loop planner: nested loops over the FROM clause with WHERE terms
//! placed at the innermost loop they depend on, and rowid lookups.
//!
//! SQLite counterpart: where.c (`sqlite3WhereBegin`, `sqlite3WhereEnd`),
//! a much smaller planner: no cost model yet. Tables are joined in FROM
//! order; a term `rowid = expr` (or its INTEGER PRIMARY KEY alias) whose
//! other side depends only on outer loops becomes a `SeekRowid` instead of
//! a full scan; an equality on the first column of an index becomes an
//! index range scan.
//!
//! Invariants:
//! 1. Every WHERE/ON term is evaluated exactly once per candidate row, at
//!    the loop of the innermost table it references, so a `jump_if_false`
//!    to that loop's continue label skips exactly the rows it rejects.
//! 2. A LEFT JOIN level that matched no row runs the inner code once with
//!    its cursor on a NULL row, as SQL requires.

use super::expr::Scope;
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::{BinaryOp, Expr, ExprKind, FunctionArgs};
use crate::sql::ast::{FromClause, JoinConstraint};
use crate::vdbe::{Addr, Insn, Reg, RootPage};

/// How one loop level visits its table.
#[derive(Debug)]
enum Access {
    /// Rewind … Next over the whole table.
    Scan { top: Addr },
    /// One row found by rowid.
    Rowid,
    /// An index range with key == value: loop over index entries.
    Index { idx_cursor: usize, top: Addr },
}

#[derive(Debug)]
struct Level {
    cursor: usize,
    access: Access,
    cont: Label,
    exit: Label,
    /// LEFT JOIN: (match flag register, body label).
    left: Option<(Reg, Label)>,
}

/// The open loops of one query, closed by [`Gen::end_loops`].
#[derive(Debug)]
pub(crate) struct Loops {
    /// Jump here to reject the current row combination.
    pub cont: Label,
    levels: Vec<Level>,
    /// Where constant terms that fail jump: past every loop.
    outer_exit: Label,
}

impl Gen<'_> {
    /// Opens the loops over `scope`'s sources and codes the WHERE terms.
    pub(crate) fn begin_loops(
        &mut self,
        scope: &Scope,
        where_: Option<&Expr>,
        from: Option<&FromClause>,
    ) -> Result<Loops, String> {
        let mut terms: Vec<(Expr, bool)> = Vec::new();
        if let Some(w) = where_ {
            split_and(w, &mut terms);
        }
        let mut on_terms: Vec<Vec<Expr>> = vec![Vec::new(); scope.sources.len()];
        let mut left: Vec<bool> = vec![false; scope.sources.len()];
        if let Some(f) = from {
            for (i, item) in f.items.iter().enumerate() {
                let is_left = item.join.is_some_and(|j| j.left);
                left[i] = is_left;
                if let Some(JoinConstraint::On(e)) = &item.constraint {
                    let mut parts = Vec::new();
                    split_and(e, &mut parts);
                    for (p, _) in parts {
                        if is_left {
                            on_terms[i].push(p);
                        } else {
                            terms.push((p, false));
                        }
                    }
                }
            }
        }
        let outer_exit = self.b.new_label();
        let mut levels = Vec::new();
        // Constant terms are checked once, before any loop.
        self.code_terms(&mut terms, scope, None, outer_exit)?;
        for i in 0..scope.sources.len() {
            let level = self.open_level(i, scope, &mut terms, left[i])?;
            if let Some((m, _)) = level.left {
                for t in &on_terms[i] {
                    self.jump_if_false(t, level.cont.addr(), scope)?;
                }
                self.b.emit(Insn::Integer { value: 1, dest: m });
            }
            if let Some((_, body)) = level.left {
                self.b.resolve(body);
            }
            let cont = level.cont;
            levels.push(level);
            self.code_terms(&mut terms, scope, Some(i), cont)?;
        }
        let cont = levels.last().map(|l| l.cont).unwrap_or(outer_exit);
        Ok(Loops {
            cont,
            levels,
            outer_exit,
        })
    }

    /// Codes the not-yet-used terms whose innermost table is `level`.
    fn code_terms(
        &mut self,
        terms: &mut [(Expr, bool)],
        scope: &Scope,
        level: Option<usize>,
        skip: Label,
    ) -> Result<(), String> {
        for (t, used) in terms.iter_mut() {
            if *used {
                continue;
            }
            if self.innermost_source(t, scope)? == level {
                *used = true;
                self.jump_if_false(t, skip.addr(), scope)?;
            }
        }
        Ok(())
    }

    /// Opens loop level `i`, choosing a rowid lookup, index range or scan.
    fn open_level(
        &mut self,
        i: usize,
        scope: &Scope,
        terms: &mut [(Expr, bool)],
        is_left: bool,
    ) -> Result<Level, String> {
        let cursor = scope.sources[i].cursor;
        let cont = self.b.new_label();
        let exit = self.b.new_label();
        if is_left {
            let m = self.b.alloc_reg();
            self.b.emit(Insn::Integer { value: 0, dest: m });
            let top = self.b.here() + 1;
            self.b.emit(Insn::Rewind {
                cursor,
                if_empty: 0,
            });
            let body = self.b.new_label();
            return Ok(Level {
                cursor,
                access: Access::Scan { top },
                cont,
                exit,
                left: Some((m, body)),
            });
        }
        if let Some(key_expr) = self.take_rowid_term(i, scope, terms)? {
            let key = self.expr(&key_expr, scope)?;
            self.b.emit(Insn::SeekRowid {
                cursor,
                rowid: key,
                not_found: exit.addr(),
            });
            return Ok(Level {
                cursor,
                access: Access::Rowid,
                cont,
                exit,
                left: None,
            });
        }
        if let Some((idx_no, key_expr, aff)) = self.take_index_term(i, scope, terms)? {
            return self.open_index_level(i, scope, idx_no, &key_expr, aff, cont, exit);
        }
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: exit.addr(),
        });
        let top = self.b.here();
        Ok(Level {
            cursor,
            access: Access::Scan { top },
            cont,
            exit,
            left: None,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn open_index_level(
        &mut self,
        i: usize,
        scope: &Scope,
        idx_no: usize,
        key_expr: &Expr,
        aff: Affinity,
        cont: Label,
        exit: Label,
    ) -> Result<Level, String> {
        let src = &scope.sources[i];
        let index = &src.table.indexes[idx_no];
        let idx_cursor = self.b.alloc_cursor();
        let coll = self.collation(&index.columns[0].collation)?;
        let key_info = KeyInfo {
            collations: vec![coll],
            desc: vec![index.columns[0].desc],
        };
        self.b.emit(Insn::OpenRead {
            cursor: idx_cursor,
            db: 0,
            root: RootPage::Page(index.root),
            n_cols: index.columns.len() + 1,
            key_info: Some(std::sync::Arc::new(key_info)),
        });
        let key = self.expr_copy(key_expr, scope)?;
        self.b.emit(Insn::IsNull {
            reg: key,
            target: exit.addr(),
        });
        if aff != Affinity::Blob {
            self.b.emit(Insn::Affinity {
                start: key,
                count: 1,
                affinities: vec![aff],
            });
        }
        self.b.emit(Insn::SeekGE {
            cursor: idx_cursor,
            key,
            n_keys: 1,
            not_found: exit.addr(),
        });
        let top = self.b.here();
        self.b.emit(Insn::IdxGT {
            cursor: idx_cursor,
            key,
            n_keys: 1,
            target: exit.addr(),
        });
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::IdxRowid {
            cursor: idx_cursor,
            dest: rowid,
        });
        self.b.emit(Insn::SeekRowid {
            cursor: src.cursor,
            rowid,
            not_found: cont.addr(),
        });
        let access = Access::Index { idx_cursor, top };
        Ok(Level {
            cursor: src.cursor,
            access,
            cont,
            exit,
            left: None,
        })
    }

    /// Closes the loops opened by [`Gen::begin_loops`].
    pub(crate) fn end_loops(&mut self, lp: Loops) {
        if lp.levels.is_empty() {
            self.b.resolve(lp.outer_exit);
            return;
        }
        for level in lp.levels.into_iter().rev() {
            self.b.resolve(level.cont);
            match level.access {
                Access::Scan { top } => {
                    self.b.emit(Insn::Next {
                        cursor: level.cursor,
                        target: top,
                    });
                }
                Access::Rowid => {}
                Access::Index {
                    idx_cursor, top, ..
                } => {
                    self.b.emit(Insn::Next {
                        cursor: idx_cursor,
                        target: top,
                    });
                }
            }
            if let Some((m, body)) = level.left {
                let rewind_at = self.left_rewind_fixup(level.cursor);
                self.b.emit(Insn::If {
                    reg: m,
                    target: level.exit.addr(),
                    jump_if_null: false,
                });
                if let Some(at) = rewind_at {
                    let here = self.b.here() - 1;
                    if let Some(Insn::Rewind { if_empty, .. }) = self.b.insn_mut(at) {
                        *if_empty = here;
                    }
                }
                self.b.emit(Insn::Integer { value: 1, dest: m });
                self.b.emit(Insn::NullRow {
                    cursor: level.cursor,
                });
                self.b.emit(Insn::Goto {
                    target: body.addr(),
                });
            }
            self.b.resolve(level.exit);
        }
        self.b.resolve(lp.outer_exit);
    }

    /// The address of the `Rewind` of a LEFT JOIN level still waiting for
    /// its empty-table target.
    fn left_rewind_fixup(&mut self, cursor: usize) -> Option<Addr> {
        (0..self.b.here()).rev().find(|&a| {
            matches!(self.b.insn_mut(a), Some(Insn::Rewind { cursor: c, if_empty: 0 }) if *c == cursor)
        })
    }

    /// Finds and consumes a `rowid = expr` term usable at level `i`.
    fn take_rowid_term(
        &self,
        i: usize,
        scope: &Scope,
        terms: &mut [(Expr, bool)],
    ) -> Result<Option<Expr>, String> {
        for (t, used) in terms.iter_mut() {
            if *used {
                continue;
            }
            let ExprKind::Binary(BinaryOp::Eq, l, r) = &t.kind else {
                continue;
            };
            for (col, other) in [(l, r), (r, l)] {
                let ExprKind::Column { table, column, .. } = &col.kind else {
                    continue;
                };
                let Ok(Some((si, None))) = self.resolve_column(scope, table.as_deref(), column)
                else {
                    continue;
                };
                if si == i && self.depends_before(other, scope, i)? {
                    *used = true;
                    return Ok(Some((**other).clone()));
                }
            }
        }
        Ok(None)
    }

    /// Finds (without consuming) `col = expr` on the first column of an index.
    fn take_index_term(
        &self,
        i: usize,
        scope: &Scope,
        terms: &mut [(Expr, bool)],
    ) -> Result<Option<(usize, Expr, Affinity)>, String> {
        let table = &scope.sources[i].table;
        for (t, used) in terms.iter() {
            if *used {
                continue;
            }
            let ExprKind::Binary(BinaryOp::Eq, l, r) = &t.kind else {
                continue;
            };
            for (col, other) in [(l, r), (r, l)] {
                let ExprKind::Column {
                    table: q, column, ..
                } = &col.kind
                else {
                    continue;
                };
                let Ok(Some((si, Some(c)))) = self.resolve_column(scope, q.as_deref(), column)
                else {
                    continue;
                };
                if si != i || !self.depends_before(other, scope, i)? {
                    continue;
                }
                let aff = super::expr::compare_affinity(
                    Some(table.columns[c].affinity),
                    self.expr_affinity(other, scope),
                );
                let coll_ok = |name: &str| {
                    let want = self
                        .expr_collation(t, scope)
                        .map(|x| x.name().to_ascii_lowercase());
                    want.unwrap_or_else(|| "binary".into()) == name.to_ascii_lowercase()
                };
                let found = table.indexes.iter().position(|ix| {
                    ix.partial.is_none()
                        && ix
                            .columns
                            .first()
                            .is_some_and(|ic| ic.column == Some(c) && coll_ok(&ic.collation))
                });
                if let Some(ix) = found {
                    // Only when the comparison affinity is the column's own.
                    if aff == table.columns[c].affinity
                        || aff == Affinity::Blob && table.columns[c].affinity == Affinity::Blob
                    {
                        return Ok(Some((ix, (**other).clone(), aff)));
                    }
                }
            }
        }
        Ok(None)
    }

    /// True if `e` references only sources before level `i`.
    fn depends_before(&self, e: &Expr, scope: &Scope, i: usize) -> Result<bool, String> {
        Ok(match self.innermost_source(e, scope)? {
            None => true,
            Some(s) => s < i,
        })
    }

    /// The highest source index `e` references (`None` for constants).
    pub(crate) fn innermost_source(
        &self,
        e: &Expr,
        scope: &Scope,
    ) -> Result<Option<usize>, String> {
        let mut max: Option<usize> = None;
        let mut err = None;
        let innermost = scope.sources.len().checked_sub(1);
        walk(e, &mut |x| {
            if matches!(
                x.kind,
                ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. }
            ) {
                // A subquery may be correlated with any table: evaluate it innermost.
                max = max.max(innermost);
            }
            if let ExprKind::Column { table, column, .. } = &x.kind {
                match self.resolve_column(scope, table.as_deref(), column) {
                    Ok(Some((si, _))) if si < scope.sources.len() => {
                        max = Some(max.map_or(si, |m: usize| m.max(si)))
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {}
                    Err(e) => err = Some(e),
                }
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(max),
        }
    }
}

/// Splits a condition on AND into its terms (each marked unused).
fn split_and(e: &Expr, out: &mut Vec<(Expr, bool)>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, l, r) => {
            split_and(l, out);
            split_and(r, out);
        }
        _ => out.push((e.clone(), false)),
    }
}

/// Calls `f` on `e` and every sub-expression (not descending into subqueries).
pub(crate) fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Unary(_, a) | ExprKind::Collate(a, _) | ExprKind::Cast(a, _) => walk(a, f),
        ExprKind::IsNull(a, _) => walk(a, f),
        ExprKind::Binary(_, a, b) => {
            walk(a, f);
            walk(b, f);
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            walk(expr, f);
            walk(low, f);
            walk(high, f);
        }
        ExprKind::InList { expr, list, .. } => {
            walk(expr, f);
            list.iter().for_each(|x| walk(x, f));
        }
        ExprKind::InSelect { expr, .. } | ExprKind::InTable { expr, .. } => walk(expr, f),
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            walk(expr, f);
            walk(pattern, f);
            if let Some(x) = escape {
                walk(x, f);
            }
        }
        ExprKind::Case {
            operand,
            when_then,
            else_expr,
        } => {
            if let Some(o) = operand {
                walk(o, f);
            }
            for (w, t) in when_then {
                walk(w, f);
                walk(t, f);
            }
            if let Some(x) = else_expr {
                walk(x, f);
            }
        }
        ExprKind::Row(list) => list.iter().for_each(|x| walk(x, f)),
        ExprKind::Function(call) => {
            if let FunctionArgs::List(args) = &call.args {
                args.iter().for_each(|x| walk(x, f));
            }
            if let Some(x) = &call.filter {
                walk(x, f);
            }
        }
        ExprKind::Literal(_)
        | ExprKind::Column { .. }
        | ExprKind::Variable { .. }
        | ExprKind::Exists(_)
        | ExprKind::Subquery(_)
        | ExprKind::Raise(..) => {}
    }
}
