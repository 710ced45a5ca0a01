//! UPDATE and DELETE: two passes over a rowid set (statements that
//! qualify run in one pass instead: onepass.rs).
//!
//! SQLite counterpart: update.c (`sqlite3Update`) and delete.c
//! (`sqlite3DeleteFrom`, `sqlite3GenerateRowDelete`), in their two-pass
//! form: first collect the rowids the WHERE clause selects into a RowSet,
//! then visit each rowid and change or delete the row.
//!
//! Invariants:
//! 1. The WHERE clause sees the table as it was before the statement: no
//!    row is changed during the first pass.
//! 2. Index entries are removed with the old values and added with the new
//!    ones, so every index stays consistent with its table.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::trigger::RowEvent;
use super::Gen;
use crate::sql::ast::TriggerTime;
use crate::sql::ast::{ConflictAction, Delete, Update};
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

/// How the second pass of an UPDATE names and checks the row.
#[derive(Clone, Debug)]
pub(crate) struct UpdateCtx {
    /// The name the table is referred to by (alias or table name).
    pub name: String,
    /// `OR action` of the statement.
    pub conflict: Option<ConflictAction>,
    /// Further register-backed sources the expressions see (upsert's
    /// `excluded`): source, column registers, rowid register.
    pub extra: Vec<(Source, Vec<Reg>, Reg)>,
}

impl Gen<'_> {
    /// The scope of SET and WHERE expressions in the second pass.
    pub(crate) fn update_scope(&self, t: &Arc<Table>, ctx: &UpdateCtx, cursor: usize) -> Scope {
        let mut scope = Scope {
            sources: vec![Source {
                table: t.clone(),
                name: ctx.name.clone(),
                cursor,
            }],
            ..self.base_scope()
        };
        for (src, regs, rowid) in &ctx.extra {
            scope.row_regs.push((src.cursor, regs.clone(), *rowid));
            // Reachable only when qualified: the table's own columns, which
            // are the same names, resolve first.
            scope.outer.push(src.clone());
        }
        scope
    }

    /// First pass: the rowids of the rows `where_` selects, in a RowSet register.
    pub(super) fn collect_rowids(
        &mut self,
        t: &Arc<Table>,
        alias: Option<&str>,
        where_: Option<&crate::sql::ast::Expr>,
        indexed: Option<&crate::sql::ast::IndexedBy>,
    ) -> Result<Reg, String> {
        let set = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: set,
            count: 1,
        });
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: 0,
            root: crate::vdbe::RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, cursor);
        let name = alias.map(str::to_string).unwrap_or_else(|| t.name.clone());
        let (planned, forced) = super::indexed_by::restrict(t, indexed)?;
        if let Some(f) = forced {
            self.indexed_by.push((cursor, f));
        }
        let scope = Scope {
            sources: vec![Source {
                table: planned,
                name,
                cursor,
            }],
            ..self.base_scope()
        };
        let keys = self.wr_keys_open(t)?;
        let lp = self.begin_loops(&scope, where_, None)?;
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Rowid { cursor, dest: r });
        match keys {
            Some(k) => self.wr_keys_add(k, r),
            None => self.b.emit(Insn::RowSetAdd { set, value: r }),
        };
        self.end_loops(lp);
        if let Some(k) = keys {
            self.wr_keys_drain(k, set);
        }
        Ok(set)
    }

    fn check_modifiable(&self, t: &Table) -> Result<(), String> {
        if t.name.to_ascii_lowercase().starts_with("sqlite_")
            && !t.name.eq_ignore_ascii_case("sqlite_sequence")
            && !t.name.to_ascii_lowercase().starts_with("sqlite_stat")
        {
            return Err(format!("table {} may not be modified", t.name));
        }
        Ok(())
    }

    pub(super) fn delete(&mut self, d: &Delete) -> Result<(), String> {
        if self.vtab_delete(d)? {
            return Ok(());
        }
        if let Some(v) = self.view_name(&d.table.name) {
            return self.delete_view(d, &v);
        }
        let t = self.table(&d.table.name)?;
        super::dml_limit::check_order_limit(&d.order_by, d.limit.as_ref(), "DELETE")?;
        self.check_modifiable(&t)?;
        super::indexed_by::check(&t, d.indexed.as_ref())?;
        self.use_db(true);
        let has_triggers = !self.live_triggers(&t.name).is_empty() || self.fk_required(&t);
        let returning = self.returning_begin(&t, &d.returning)?;
        if d.where_.is_none() && !has_triggers && returning.is_none() && d.limit.is_none() {
            self.b.emit(Insn::Clear {
                db: 0,
                root: t.root,
                count_change: true,
            });
            for idx in t.indexes.iter().filter(|i| i.root != t.root) {
                self.b.emit(Insn::Clear {
                    db: 0,
                    root: idx.root,
                    count_change: false,
                });
            }
            return Ok(());
        }
        if returning.is_none() && self.delete_onepass(d, &t)? {
            return Ok(());
        }
        let set = self.target_rowids(&super::dml_limit::LimitedTarget {
            table: &t,
            alias: d.alias.as_deref(),
            indexed: d.indexed.as_ref(),
            where_: d.where_.as_ref(),
            order_by: &d.order_by,
            limit: d.limit.as_ref(),
        })?;
        let mut cur = self.open_write_cursors(&t)?;
        cur.returning = returning;
        let rowid = self.b.alloc_reg();
        let done = self.b.new_label();
        let top = self.b.here();
        self.b.emit(Insn::RowSetRead {
            set,
            dest: rowid,
            if_done: done.addr(),
        });
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid,
            not_found: top,
        });
        if has_triggers || cur.returning.is_some() {
            self.delete_with_triggers(&t, &cur, rowid, top)?;
        } else {
            self.delete_current_row(&t, &cur, true)?;
        }
        self.b.emit(Insn::Goto { target: top });
        self.b.resolve(done);
        self.returning_end(cur.returning);
        Ok(())
    }

    /// Deletes the row under the cursor, firing DELETE triggers around it.
    fn delete_with_triggers(
        &mut self,
        t: &Arc<Table>,
        cur: &super::insert::WriteCursors,
        rowid: Reg,
        next: usize,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let old = self.b.alloc_regs(n);
        for c in 0..n {
            if t.ipk == Some(c) {
                self.b.emit(Insn::Null {
                    dest: old + c,
                    count: 1,
                });
            } else {
                self.table_column(t, cur.table, c, old + c);
            }
        }
        let old_row = ((0..n).map(|c| old + c).collect(), rowid);
        self.fire_triggers(
            t,
            TriggerTime::Before,
            RowEvent::Delete,
            Some(&old_row),
            None,
            next,
        )?;
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid,
            not_found: next,
        });
        self.fk_check(t, Some(&old_row), None, None, false)?;
        if self.fk_enabled() {
            self.b.emit(Insn::NotExists {
                cursor: cur.table,
                rowid,
                not_found: next,
            });
        }
        self.delete_current_row(t, cur, true)?;
        self.fk_actions(t, &old_row, None, None, false)?;
        if let Some(r) = &cur.returning {
            self.returning_row(r, &old_row.0, rowid)?;
        }
        self.fire_triggers(
            t,
            TriggerTime::After,
            RowEvent::Delete,
            Some(&old_row),
            None,
            next,
        )
    }

    pub(super) fn update(&mut self, u: &Update) -> Result<(), String> {
        if self.vtab_update(u)? {
            return Ok(());
        }
        if let Some(v) = self.view_name(&u.table.name) {
            return self.update_view(u, &v);
        }
        if u.from.is_some() {
            return self.update_from(u);
        }
        let t = self.table(&u.table.name)?;
        super::dml_limit::check_order_limit(&u.order_by, u.limit.as_ref(), "UPDATE")?;
        super::indexed_by::check(&t, u.indexed.as_ref())?;
        self.check_modifiable(&t)?;
        let onepass = self.update_onepass_ok(u, &t);
        let assignments = self.resolve_sets(&t, &u.sets)?;
        self.use_db(true);
        if onepass && self.update_onepass(u, &t, &assignments)? {
            return Ok(());
        }
        let returning = self.returning_begin(&t, &u.returning)?;
        let set = self.target_rowids(&super::dml_limit::LimitedTarget {
            table: &t,
            alias: u.alias.as_deref(),
            indexed: u.indexed.as_ref(),
            where_: u.where_.as_ref(),
            order_by: &u.order_by,
            limit: u.limit.as_ref(),
        })?;
        let mut cur = self.open_write_cursors(&t)?;
        cur.returning = returning;
        let old_rowid = self.b.alloc_reg();
        let done = self.b.new_label();
        let next = self.b.new_label();
        let top = self.b.here();
        self.b.emit(Insn::RowSetRead {
            set,
            dest: old_rowid,
            if_done: done.addr(),
        });
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid: old_rowid,
            not_found: top,
        });
        let ctx = UpdateCtx {
            name: u.alias.clone().unwrap_or_else(|| t.name.clone()),
            conflict: u.or_conflict,
            extra: Vec::new(),
        };
        self.update_row(&t, &ctx, &cur, &assignments, old_rowid, next.addr())?;
        self.b.resolve(next);
        self.b.emit(Insn::Goto { target: top });
        self.b.resolve(done);
        self.returning_end(cur.returning);
        Ok(())
    }

    /// Maps each SET clause to (column index or None for rowid, expression).
    pub(crate) fn resolve_sets(
        &mut self,
        t: &Table,
        sets: &[crate::sql::ast::SetClause],
    ) -> Result<Vec<(Option<usize>, crate::sql::ast::Expr)>, String> {
        let mut out = Vec::new();
        for s in &self.expand_row_sets(sets)? {
            let name = &s.columns[0];
            let col = match t.column_index(name) {
                Some(c) if t.ipk == Some(c) => None,
                Some(c) => {
                    super::gencol::check_update_target(t, c)?;
                    Some(c)
                }
                None if !t.without_rowid
                    && ["rowid", "oid", "_rowid_"]
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(name)) =>
                {
                    None
                }
                None => return Err(format!("no such column: {name}")),
            };
            out.push((col, s.expr.clone()));
        }
        // SET a = x, a = y: only the last assignment of a column counts.
        let mut seen = Vec::new();
        let mut kept = Vec::new();
        for (col, e) in out.into_iter().rev() {
            if !seen.contains(&col) {
                seen.push(col);
                kept.push((col, e));
            }
        }
        kept.reverse();
        Ok(kept)
    }

    /// Second pass body: computes the new row, checks it, rewrites it.
    pub(crate) fn update_row(
        &mut self,
        t: &Arc<Table>,
        ctx: &UpdateCtx,
        cur: &super::insert::WriteCursors,
        sets: &[(Option<usize>, crate::sql::ast::Expr)],
        old_rowid: Reg,
        skip: usize,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let mut scope = self.update_scope(t, ctx, cur.table);
        let old = self.b.alloc_regs(n);
        for c in 0..n {
            if t.ipk == Some(c) {
                self.b.emit(Insn::Null {
                    dest: old + c,
                    count: 1,
                });
            } else {
                self.table_column(t, cur.table, c, old + c);
            }
        }
        let new = self.b.alloc_regs(n);
        self.b.emit(Insn::Copy {
            src: old,
            dest: new,
            count: n,
        });
        let new_rowid = self.b.alloc_reg();
        self.b.emit(Insn::SCopy {
            src: old_rowid,
            dest: new_rowid,
        });
        self.emit_row_value_sets(&mut scope)?;
        for (col, e) in sets {
            match col {
                Some(c) => self.expr_into(e, &scope, new + c)?,
                None => {
                    self.expr_into(e, &scope, new_rowid)?;
                    self.b.emit(Insn::MustBeInt {
                        reg: new_rowid,
                        target: None,
                    });
                }
            }
        }
        self.compute_generated(t, new, new_rowid)?;
        self.apply_column_affinity(t, new);
        let conflict: Option<ConflictAction> = ctx.conflict;
        let new_v: Vec<Reg> = (0..n).map(|c| new + c).collect();
        let pk_changes = self.wr_pk_assigned(t, sets);
        if pk_changes {
            self.wr_key_blob(t, &new_v, new_rowid);
        }
        let old_v: Vec<Reg> = (0..n).map(|c| old + c).collect();
        let set_cols: Vec<usize> = sets.iter().filter_map(|(c, _)| c.or(t.ipk)).collect();
        let (old_row, new_row) = ((old_v.clone(), old_rowid), (new_v.clone(), new_rowid));
        let ev = RowEvent::Update(&set_cols);
        self.fire_triggers(
            t,
            TriggerTime::Before,
            ev,
            Some(&old_row),
            Some(&new_row),
            skip,
        )?;
        let row_now =
            self.reload_after_before_triggers(t, cur.table, &set_cols, new, old_rowid, skip);
        self.check_not_null(t, &new_v, conflict, skip)?;
        self.check_checks(t, cur.table, &new_v, new_rowid, skip)?;
        // Only a SET that assigns the rowid can make it collide.
        if sets.iter().any(|(c, _)| c.is_none()) {
            self.check_rowid_unique(t, cur, new_rowid, conflict, skip, Some(old_rowid), None)?;
        }
        let unchanged = self.unchanged_indexes(t, sets);
        let own = Some(old_rowid);
        self.check_unique_indexes(t, cur, &new_v, new_rowid, conflict, skip, own, &unchanged)?;
        let rowid_set = sets.iter().any(|(c, _)| c.is_none());
        self.fk_check(t, Some(&old_row), None, Some(&set_cols), rowid_set)?;
        // Remove the old row's index entries (reposition first: checks may
        // have moved the cursor). With no trigger, no rowid change and no
        // uniqueness check, nothing has moved it since the caller's seek.
        let rowid_changes = sets.iter().any(|(c, _)| c.is_none()) || pk_changes;
        let checked = t
            .indexes
            .iter()
            .zip(&unchanged)
            .any(|(ix, &same)| ix.unique && !same);
        if rowid_changes
            || checked
            || self.has_triggers(t)
            || cur.returning.is_some()
            || self.fk_required(t)
        {
            self.b.emit(Insn::NotExists {
                cursor: cur.table,
                rowid: old_rowid,
                not_found: skip,
            });
        }
        for (i, idx) in t.indexes.iter().enumerate() {
            if unchanged.get(i).copied().unwrap_or(false)
                || crate::sql::schema_wr::is_table_key(t, idx)
            {
                continue;
            }
            let key = self.index_key(t, idx, row_now.as_ref().unwrap_or(&old_v), old_rowid)?;
            self.b.emit(Insn::IdxDelete {
                cursor: cur.indexes[i],
                key,
                n_keys: super::without_rowid::index_key_len(t, idx),
            });
        }
        if rowid_changes {
            self.delete_if_moved(t, cur, old_rowid, new_rowid);
        }
        self.write_row_masked(t, cur, new, new_rowid, true, &unchanged)?;
        self.fk_check(t, None, Some(&new_row), Some(&set_cols), rowid_set)?;
        self.fk_actions(t, &old_row, Some(&new_row), Some(&set_cols), rowid_set)?;
        if let Some(r) = &cur.returning {
            self.returning_row(r, &new_v, new_rowid)?;
        }
        self.fire_triggers(
            t,
            TriggerTime::After,
            ev,
            Some(&old_row),
            Some(&new_row),
            skip,
        )
    }

    fn has_triggers(&self, t: &Table) -> bool {
        !self.live_triggers(&t.name).is_empty()
    }

    /// Per index of `t`, whether an UPDATE applying `sets` leaves its entry
    /// for the row unchanged: the rowid stays, every key part is a plain
    /// column the statement does not assign, and the index is not partial.
    /// A trigger may rewrite the row behind the statement's back, so with
    /// triggers every index is rewritten.
    pub(super) fn unchanged_indexes(
        &self,
        t: &Table,
        sets: &[(Option<usize>, crate::sql::ast::Expr)],
    ) -> Vec<bool> {
        if sets.iter().any(|(c, _)| c.is_none())
            || self.has_triggers(t)
            || self.wr_pk_assigned(t, sets)
        {
            return vec![false; t.indexes.len()];
        }
        let assigned = |c: usize| sets.iter().any(|(s, _)| *s == Some(c));
        t.indexes
            .iter()
            .map(|ix| {
                ix.partial.is_none()
                    && ix.columns.iter().all(|ic| {
                        ic.expr.is_none()
                            && ic
                                .column
                                .is_some_and(|c| !assigned(c) && t.columns[c].generated.is_none())
                    })
            })
            .collect()
    }

    /// Deletes the row under the table cursor when the UPDATE gives it a new rowid.
    fn delete_if_moved(
        &mut self,
        t: &Table,
        cur: &super::insert::WriteCursors,
        old_rowid: Reg,
        new_rowid: Reg,
    ) {
        let same = self.b.new_label();
        let flags = crate::vdbe::CmpFlags {
            affinity: crate::record::Affinity::Blob,
            jump_if_null: false,
            null_eq: false,
            store: None,
            collation: None,
        };
        self.b.emit(Insn::Compare {
            op: crate::vdbe::CmpOp::Eq,
            lhs: old_rowid,
            rhs: new_rowid,
            target: same.addr(),
            flags,
        });
        self.b.emit(Insn::Delete {
            cursor: cur.table,
            count_change: false,
            table: Some(t.name.clone()),
        });
        self.b.resolve(same);
    }
}
