//! Foreign key actions: ON DELETE / ON UPDATE CASCADE, SET NULL, SET
//! DEFAULT and RESTRICT.
//!
//! SQLite counterpart: fkey.c (`sqlite3FkActions`, `fkActionTrigger`).
//! SQLite builds an internal trigger per action and runs it as a
//! sub-program; loom expands the same statement inline, as it does for
//! triggers (trigger.rs): the parent row's old and new images are
//! register-backed sources the generated DELETE/UPDATE refers to.
//!
//! Invariants:
//! 1. Actions run after the parent row changed. CASCADE on DELETE deletes
//!    the child rows, CASCADE on UPDATE copies the new key into them, SET
//!    NULL / SET DEFAULT assign NULL / the child column's DEFAULT; the child
//!    rows found are those whose key equals the old parent key.
//! 2. An ON UPDATE action runs only when the parent key really changed
//!    (`old.k IS NOT new.k` for some key column).
//! 3. RESTRICT fails at once with "FOREIGN KEY constraint failed"
//!    (SQLITE_CONSTRAINT_TRIGGER, as SQLite's RAISE(ABORT) does), even for
//!    deferred constraints.
//! 4. Actions recurse (a cascade fires the child's own actions) up to
//!    [`MAX_ACTION_DEPTH`] nested expansions (and while the program is
//!    shorter than [`MAX_ACTION_CODE`]); deeper, the statement fails at run
//!    time with an error naming the limit if a row would need it.
//! 5. With PRAGMA defer_foreign_keys on when the statement is compiled,
//!    RESTRICT is not coded and DROP TABLE does not stop on violations.

use std::sync::Arc;

use super::expr::Source;
use super::fkey::{col_expr, fk_where, parent_col_name, ParentKey, ScanBody, ACTION_MARK};
use super::trigger::RowRegs;
use super::Gen;
use crate::sql::ast::{
    Delete, Expr, ExprKind, FkAction, Literal, QualifiedName, SetClause, Update,
};
use crate::sql::schema::{ForeignKey, Table};
use crate::vdbe::Insn;

/// How many foreign key actions may be expanded inside each other.
pub(crate) const MAX_ACTION_DEPTH: usize = 64;
/// No further action is expanded once the program is this long.
pub(crate) const MAX_ACTION_CODE: usize = 200_000;

impl Gen<'_> {
    /// `sqlite3FkActions`: the actions of the constraints that reference
    /// `t`, after a row of `t` was deleted (`new` is `None`) or updated.
    pub(crate) fn fk_actions(
        &mut self,
        t: &Arc<Table>,
        old: &RowRegs,
        new: Option<&RowRegs>,
        changed: Option<&[usize]>,
        rowid_changed: bool,
    ) -> Result<(), String> {
        if !self.fk_enabled() {
            return Ok(());
        }
        for (child, fk) in self.fk_references(t) {
            let action = if new.is_some() {
                fk.on_update
            } else {
                fk.on_delete
            };
            if action == FkAction::NoAction {
                continue;
            }
            if let Some(set) = changed {
                if !super::fkey::parent_cols_modified(t, &fk, set, rowid_changed) {
                    continue;
                }
            }
            let pk = match self.fk_locate(&child, &fk) {
                Ok(Some(pk)) => pk,
                Ok(None) => continue,
                Err(_) if self.fk_dropping() => continue,
                Err(e) => return Err(e),
            };
            if let Some(set) = changed {
                if !super::fkey::parent_modified(&pk, set, rowid_changed) {
                    continue;
                }
            }
            let skip = self.b.new_label();
            if let Some(nw) = new {
                self.fk_skip_unchanged(&pk, old, nw, skip.addr());
            }
            self.fk_action(&pk, &child, &fk, action, old, new)?;
            self.b.resolve(skip);
        }
        Ok(())
    }

    /// Jumps to `skip` when every parent key column IS its old value.
    fn fk_skip_unchanged(&mut self, pk: &ParentKey, old: &RowRegs, new: &RowRegs, skip: usize) {
        let changed = self.b.new_label();
        for &c in &pk.cols {
            let a = super::fkey::col_reg(&pk.parent, old, c);
            let b = super::fkey::col_reg(&pk.parent, new, c);
            self.b.emit(Insn::Compare {
                op: crate::vdbe::CmpOp::Ne,
                lhs: a,
                rhs: b,
                target: changed.addr(),
                flags: crate::vdbe::CmpFlags {
                    affinity: crate::record::Affinity::Blob,
                    jump_if_null: false,
                    null_eq: true,
                    store: None,
                    collation: None,
                },
            });
        }
        self.b.emit(Insn::Goto { target: skip });
        self.b.resolve(changed);
    }

    fn fk_action(
        &mut self,
        pk: &ParentKey,
        child: &Arc<Table>,
        fk: &ForeignKey,
        action: FkAction,
        old: &RowRegs,
        new: Option<&RowRegs>,
    ) -> Result<(), String> {
        if action == FkAction::Restrict {
            if self.env.defer_foreign_keys {
                return Ok(());
            }
            let body = ScanBody::Fail(
                crate::rc::ResultCode::CONSTRAINT_TRIGGER,
                "FOREIGN KEY constraint failed".into(),
            );
            return self.fk_scan_children(pk, child, fk, old, body);
        }
        let depth = self
            .active_triggers
            .iter()
            .filter(|a| a.starts_with(ACTION_MARK))
            .count();
        if depth >= MAX_ACTION_DEPTH || self.b.here() > MAX_ACTION_CODE {
            return self.fk_depth_guard(pk, child, fk, old);
        }
        let n = self.active_triggers.len();
        let old_name = format!("\u{1}fkold{n}");
        let new_name = format!("\u{1}fknew{n}");
        let saved_outer = self.outer.clone();
        let saved_rows = self.trigger_rows.clone();
        let saved_raise = self.raise_target;
        let saved_cols = std::mem::take(&mut self.b.columns);
        let mut rows = vec![(old_name.clone(), old)];
        if let Some(nw) = new {
            rows.push((new_name.clone(), nw));
        }
        for (name, regs) in rows {
            let cursor = self.b.alloc_cursor();
            self.outer.insert(
                0,
                Source {
                    table: pk.parent.clone(),
                    name,
                    cursor,
                },
            );
            self.trigger_rows.push((cursor, regs.0.clone(), regs.1));
        }
        self.active_triggers.push(format!("{ACTION_MARK}{n}"));
        self.raise_target = None;
        let where_ = fk_where(pk, child, fk, &old_name);
        let r = match (action, new) {
            (FkAction::Cascade, None) => self.delete(&Delete {
                with: None,
                table: QualifiedName {
                    schema: None,
                    name: child.name.clone(),
                },
                alias: None,
                indexed: None,
                where_: Some(where_),
                returning: Vec::new(),
                order_by: Vec::new(),
                limit: None,
            }),
            _ => {
                let sets = action_sets(pk, child, fk, action, &new_name);
                self.update(&Update {
                    with: None,
                    or_conflict: None,
                    table: QualifiedName {
                        schema: None,
                        name: child.name.clone(),
                    },
                    alias: None,
                    indexed: None,
                    sets,
                    from: None,
                    where_: Some(where_),
                    returning: Vec::new(),
                    order_by: Vec::new(),
                    limit: None,
                })
            }
        };
        self.active_triggers.pop();
        self.raise_target = saved_raise;
        self.outer = saved_outer;
        self.trigger_rows = saved_rows;
        self.b.columns = saved_cols;
        r
    }

    /// `sqlite3FkDropTable`: DROP TABLE of a table with foreign keys first
    /// deletes its rows (user triggers off, unusable constraints skipped)
    /// and fails if that leaves immediate violations.
    pub(crate) fn fk_drop_table(&mut self, name: &str) -> Result<(), String> {
        let Some(t) = self.main_schema().table(name) else {
            return Ok(());
        };
        if !self.fk_enabled() {
            return Ok(());
        }
        let skip = self.b.new_label();
        if self.fk_references(&t).is_empty() {
            if !t.fkeys.iter().any(|f| f.deferred) && !self.env.defer_foreign_keys {
                return Ok(());
            }
            self.b.emit(Insn::FkIfZero {
                deferred: true,
                target: skip.addr(),
            });
        }
        let saved = self.active_triggers.len();
        let all: Vec<String> = self
            .main_schema()
            .tables()
            .iter()
            .flat_map(|x| self.live_triggers(&x.name))
            .map(|tr| tr.name)
            .collect();
        self.active_triggers.extend(all);
        self.active_triggers
            .push(super::fkey::DROP_MARK.to_string());
        let r = self.delete(&Delete {
            with: None,
            table: QualifiedName {
                schema: None,
                name: t.name.clone(),
            },
            alias: None,
            indexed: None,
            where_: None,
            returning: Vec::new(),
            order_by: Vec::new(),
            limit: None,
        });
        self.active_triggers.truncate(saved);
        r?;
        if self.env.defer_foreign_keys {
            self.b.resolve(skip);
            return Ok(());
        }
        let after = self.b.new_label();
        self.b.emit(Insn::FkIfZero {
            deferred: false,
            target: after.addr(),
        });
        self.b.emit(Insn::Halt {
            rc: crate::rc::ResultCode::CONSTRAINT_FOREIGNKEY,
            on_error: crate::vdbe::OnError::Abort,
            msg: Some("FOREIGN KEY constraint failed".into()),
        });
        self.b.resolve(after);
        self.b.resolve(skip);
        Ok(())
    }

    /// REPLACE deletes the conflicting row under `cur.table`; with foreign
    /// keys on, that delete is checked and fires the actions as a DELETE.
    pub(crate) fn fk_replace_delete(
        &mut self,
        t: &Arc<Table>,
        cur: &super::insert::WriteCursors,
    ) -> Result<(), String> {
        if !self.fk_required(t) {
            return self.delete_current_row(t, cur, false);
        }
        let n = t.columns.len();
        let regs = self.b.alloc_regs(n);
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: cur.table,
            dest: rowid,
        });
        for c in 0..n {
            self.table_column(t, cur.table, c, regs + c);
        }
        let old = ((0..n).map(|c| regs + c).collect::<Vec<_>>(), rowid);
        self.fk_check(t, Some(&old), None, None, false)?;
        self.delete_current_row(t, cur, false)?;
        self.fk_actions(t, &old, None, None, false)
    }

    /// Past the depth limit: fail if the action would touch any row.
    fn fk_depth_guard(
        &mut self,
        pk: &ParentKey,
        child: &Arc<Table>,
        fk: &ForeignKey,
        old: &RowRegs,
    ) -> Result<(), String> {
        let msg = "foreign key actions nested this deep are not supported by loom yet".to_string();
        let body = ScanBody::Fail(crate::rc::ResultCode::ERROR, msg);
        self.fk_scan_children(pk, child, fk, old, body)
    }
}

/// The SET list of an UPDATE action: the new key (CASCADE), NULL or the
/// child column's DEFAULT.
fn action_sets(
    pk: &ParentKey,
    child: &Table,
    fk: &ForeignKey,
    action: FkAction,
    new_name: &str,
) -> Vec<SetClause> {
    fk.from
        .iter()
        .enumerate()
        .map(|(j, &cc)| {
            let expr = match action {
                FkAction::Cascade => {
                    let pc = pk.cols.get(j).copied().unwrap_or(0);
                    col_expr(new_name, &parent_col_name(&pk.parent, pc))
                }
                FkAction::SetDefault => child
                    .columns
                    .get(cc)
                    .and_then(|c| c.default.clone())
                    .unwrap_or_else(null_expr),
                _ => null_expr(),
            };
            SetClause {
                columns: vec![child
                    .columns
                    .get(cc)
                    .map(|c| c.name.clone())
                    .unwrap_or_default()],
                expr,
            }
        })
        .collect()
}

fn null_expr() -> Expr {
    Expr {
        kind: ExprKind::Literal(Literal::Null),
        span: (0, 0),
        height: 1,
    }
}
