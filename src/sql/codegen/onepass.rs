//! One-pass UPDATE and DELETE: the WHERE loop changes each row as it
//! finds it, with no RowSet of rowids and no second seek.
//!
//! SQLite counterpart: the ONEPASS_SINGLE / ONEPASS_MULTI strategies of
//! where.c (`WHERE_ONEPASS_DESIRED`) as used by update.c and delete.c.
//! The two-pass form (modify.rs) stays for every statement this module
//! does not accept.
//!
//! A statement runs in one pass only when changing the current row cannot
//! change what the rest of the loop sees:
//! - the table is an ordinary rowid table (not WITHOUT ROWID, not virtual,
//!   not a view) with no live trigger and no enforced foreign key;
//! - no RETURNING, ORDER BY or LIMIT;
//! - neither WHERE nor SET contains a subquery, EXISTS or `IN table`
//!   (which could read the table being changed);
//! - UPDATE: the rowid (or a WITHOUT ROWID key) is not assigned and no
//!   index entry of the row changes (no index has an assigned or
//!   generated key column, no index is partial), so the loop's own index
//!   or rowid order is unaffected by the writes.
//!
//! Invariants:
//! 1. The loop's table cursor is the write cursor: the row the loop is on
//!    is the one rewritten or deleted, with no re-seek. A DELETE whose loop
//!    walks one index deletes that index's entry through the loop's own
//!    cursor (made a write cursor), not through a second cursor.
//! 2. Every row is visited exactly once: after a Delete or an Insert of
//!    the same rowid the b-tree cursor re-seeks its saved key
//!    (btree/cursor.rs invariant 2), and index cursors of the loop re-seek
//!    the same way after IdxDelete on another cursor of that index.
//! 3. The WHERE clause of every row is evaluated before that row is
//!    changed and never sees another row's change that matters to it:
//!    the conditions above exclude every expression that reads other rows.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::insert::WriteCursors;
use super::modify::UpdateCtx;
use super::Gen;
use crate::sql::ast::{Delete, Expr, ExprKind, SetClause, Update};
use crate::sql::schema::Table;
use crate::vdbe::{Insn, RootPage};

/// True when `e` contains a subquery, EXISTS or `IN table`.
fn reads_other_rows(e: &Expr) -> bool {
    let mut found = false;
    super::planner::walk(e, &mut |x| {
        if matches!(
            x.kind,
            ExprKind::Subquery(_)
                | ExprKind::Exists(_)
                | ExprKind::InSelect { .. }
                | ExprKind::InTable { .. }
                | ExprKind::Raise(..)
        ) {
            found = true;
        }
    });
    found
}

impl Gen<'_> {
    /// Whether table `t` allows a one-pass UPDATE/DELETE at all.
    fn onepass_table_ok(&self, t: &Table) -> bool {
        !t.without_rowid
            && self.live_triggers(&t.name).is_empty()
            && !self.fk_required(t)
            && t.root != 0
    }

    /// Compiles `d` in one pass when it qualifies; false (nothing emitted)
    /// when the two-pass form is needed.
    pub(super) fn delete_onepass(&mut self, d: &Delete, t: &Arc<Table>) -> Result<bool, String> {
        if !self.onepass_table_ok(t)
            || d.indexed.is_some()
            || !d.returning.is_empty()
            || !d.order_by.is_empty()
            || d.limit.is_some()
            || d.where_.as_ref().is_some_and(reads_other_rows)
        {
            return Ok(false);
        }
        let opens = self.b.here();
        let cur = self.open_write_cursors(t)?;
        let loop_start = self.b.here();
        let name = d.alias.clone().unwrap_or_else(|| t.name.clone());
        let scope = self.onepass_scope(t, name, cur.table);
        let saved = self.covering_hint.take();
        let lp = self.begin_loops(&scope, d.where_.as_ref(), None);
        let lp = match lp {
            Ok(lp) => lp,
            Err(e) => {
                self.covering_hint = saved;
                return Err(e);
            }
        };
        let via = self.adopt_loop_index(t, &cur, opens, loop_start);
        let r = self.delete_row_via(t, &cur, via);
        self.end_loops(lp);
        self.covering_hint = saved;
        r.map(|()| true)
    }

    /// When the WHERE loop walks exactly one index of `t` (one cursor, no
    /// MULTI-INDEX OR subroutine), that cursor is positioned on the entry
    /// of the row being deleted: it is made a write cursor and deletes its
    /// own entry (SQLite's ONEPASS index cursor), and the separate write
    /// cursor of that index is not opened. Returns (index number, cursor).
    fn adopt_loop_index(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        opens: usize,
        loop_start: usize,
    ) -> Option<(usize, usize)> {
        let mut found = None;
        for a in loop_start..self.b.here() {
            match self.b.insn_mut(a) {
                Some(Insn::Gosub { .. }) => return None,
                Some(Insn::OpenRead {
                    cursor,
                    root: RootPage::Page(r),
                    ..
                }) => {
                    let (c, r) = (*cursor, *r);
                    if let Some(i) = t.indexes.iter().position(|ix| ix.root == r) {
                        if found.is_some() {
                            return None;
                        }
                        found = Some((a, i, c));
                    }
                }
                _ => {}
            }
        }
        let (addr, i, c) = found?;
        let w = *cur.indexes.get(i)?;
        let open_w = (opens..loop_start).find(
            |&a| matches!(self.b.insn_mut(a), Some(Insn::OpenWrite { cursor, .. }) if *cursor == w),
        )?;
        if let Some(insn) = self.b.insn_mut(addr) {
            if let Insn::OpenRead {
                cursor,
                db,
                root,
                n_cols,
                key_info,
            } = std::mem::replace(insn, Insn::Noop)
            {
                *insn = Insn::OpenWrite {
                    cursor,
                    db,
                    root,
                    n_cols,
                    key_info,
                };
            }
        }
        if let Some(insn) = self.b.insn_mut(open_w) {
            *insn = Insn::Noop;
        }
        Some((i, c))
    }

    /// Deletes the row under the table cursor and its index entries; the
    /// entry of index `via.0` through the loop's cursor `via.1`.
    fn delete_row_via(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        via: Option<(usize, usize)>,
    ) -> Result<(), String> {
        let Some((vi, vc)) = via else {
            return self.delete_current_row(t, cur, true);
        };
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: cur.table,
            dest: rowid,
        });
        let n = t.columns.len();
        let regs = self.b.alloc_regs(n);
        let all = super::index_row::needs_all_columns(t);
        let others: Vec<usize> = (0..t.indexes.len()).filter(|&i| i != vi).collect();
        for c in 0..n {
            let used = others
                .iter()
                .any(|&i| t.indexes[i].columns.iter().any(|ic| ic.column == Some(c)));
            if all || used {
                self.table_column(t, cur.table, c, regs + c);
            }
        }
        let regs_v: Vec<crate::vdbe::Reg> = (0..n).map(|c| regs + c).collect();
        for &i in &others {
            let idx = &t.indexes[i];
            let key = self.index_key(t, idx, &regs_v, rowid)?;
            self.b.emit(Insn::IdxDelete {
                cursor: cur.indexes[i],
                key,
                n_keys: super::without_rowid::index_key_len(t, idx),
            });
        }
        self.b.emit(Insn::Delete {
            cursor: vc,
            count_change: false,
            table: None,
        });
        self.b.emit(Insn::Delete {
            cursor: cur.table,
            count_change: true,
            table: Some(t.name.clone()),
        });
        Ok(())
    }

    /// Whether an UPDATE of `t` with `u`'s clauses qualifies for one pass
    /// (checked before its SET clauses are resolved).
    pub(super) fn update_onepass_ok(&self, u: &Update, t: &Table) -> bool {
        self.onepass_table_ok(t)
            && u.indexed.is_none()
            && u.returning.is_empty()
            && u.order_by.is_empty()
            && u.limit.is_none()
            && !u.where_.as_ref().is_some_and(reads_other_rows)
            && !u.sets.iter().any(|s: &SetClause| reads_other_rows(&s.expr))
    }

    /// Compiles the UPDATE in one pass when, with its resolved `sets`, no
    /// index entry changes; false (nothing emitted) otherwise.
    pub(super) fn update_onepass(
        &mut self,
        u: &Update,
        t: &Arc<Table>,
        sets: &[(Option<usize>, Expr)],
    ) -> Result<bool, String> {
        if sets.iter().any(|(c, _)| c.is_none())
            || self.wr_pk_assigned(t, sets)
            || !self.row_value_sets.is_empty()
            || self.unchanged_indexes(t, sets).iter().any(|same| !same)
        {
            return Ok(false);
        }
        let cur = self.open_table_for_update(t)?;
        let ctx = UpdateCtx {
            name: u.alias.clone().unwrap_or_else(|| t.name.clone()),
            conflict: u.or_conflict,
            extra: Vec::new(),
        };
        let scope = self.update_scope(t, &ctx, cur.table);
        let saved = self.covering_hint.take();
        let lp = match self.begin_loops(&scope, u.where_.as_ref(), None) {
            Ok(lp) => lp,
            Err(e) => {
                self.covering_hint = saved;
                return Err(e);
            }
        };
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: cur.table,
            dest: rowid,
        });
        let r = self.update_row_in_place(t, &ctx, &cur, sets, rowid, lp.cont.addr());
        self.end_loops(lp);
        self.covering_hint = saved;
        r.map(|()| true)
    }

    /// The body of a one-pass UPDATE: the new row is built straight from
    /// the cursor (unassigned columns) and the SET expressions, checked
    /// and written over the old one. No old-row registers are needed: no
    /// trigger, foreign key, RETURNING or index entry reads them.
    fn update_row_in_place(
        &mut self,
        t: &Arc<Table>,
        ctx: &UpdateCtx,
        cur: &WriteCursors,
        sets: &[(Option<usize>, Expr)],
        rowid: crate::vdbe::Reg,
        skip: usize,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let scope = self.update_scope(t, ctx, cur.table);
        let new = self.b.alloc_regs(n);
        let assigned = |c: usize| sets.iter().any(|(s, _)| *s == Some(c));
        for c in 0..n {
            if t.ipk == Some(c) {
                self.b.emit(Insn::Null {
                    dest: new + c,
                    count: 1,
                });
            } else if !assigned(c) {
                self.table_column(t, cur.table, c, new + c);
            }
        }
        for (col, e) in sets {
            if let Some(c) = col {
                self.expr_into(e, &scope, new + c)?;
            }
        }
        self.compute_generated(t, new, rowid)?;
        self.apply_column_affinity(t, new);
        let new_v: Vec<crate::vdbe::Reg> = (0..n).map(|c| new + c).collect();
        self.check_not_null(t, &new_v, ctx.conflict, skip)?;
        self.check_checks(t, cur.table, &new_v, rowid, skip)?;
        let unchanged = vec![true; t.indexes.len()];
        self.write_row_masked(t, cur, new, rowid, true, &unchanged)
    }

    /// The scope of a one-pass DELETE's WHERE: the table under `name`.
    fn onepass_scope(&self, t: &Arc<Table>, name: String, cursor: usize) -> Scope {
        Scope {
            sources: vec![Source {
                table: t.clone(),
                name,
                cursor,
            }],
            ..self.base_scope()
        }
    }

    /// Opens only the table for writing: an UPDATE that changes no index
    /// entry never touches an index cursor, so every index slot names the
    /// table cursor (never used as an index).
    fn open_table_for_update(&mut self, t: &Table) -> Result<WriteCursors, String> {
        let table = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: table,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, table);
        Ok(WriteCursors {
            table,
            indexes: vec![table; t.indexes.len()],
            autoinc: None,
            returning: None,
            upsert: None,
        })
    }
}
