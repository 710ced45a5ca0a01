//! INSTEAD OF triggers: INSERT, UPDATE and DELETE on a view.
//!
//! SQLite counterpart: trigger.c (`sqlite3BeginTrigger`'s view checks),
//! `sqlite3MaterializeView` (delete.c) and the `isView` paths of insert.c,
//! update.c and delete.c.
//!
//! A view has no rows of its own: a statement on it computes the rows it
//! would touch and runs the view's INSTEAD OF triggers once per row, with
//! NEW (INSERT, UPDATE) and OLD (UPDATE, DELETE) bound to the row.
//! - INSERT: the VALUES/SELECT rows are materialized first; columns not
//!   listed are NULL; NEW.rowid is NULL.
//! - UPDATE/DELETE: `SELECT * FROM view WHERE .. [ORDER BY .. LIMIT ..]`
//!   is materialized; SET expressions see the view row.
//!
//! Invariants:
//! 1. Only INSTEAD OF triggers may be created on a view (`cannot create
//!    BEFORE trigger on view: v`); a statement with no INSTEAD OF trigger
//!    for its event fails with `cannot modify v because it is a view`.
//! 2. The statement itself changes no row: changes() is 0; the trigger
//!    bodies' changes count in total_changes().
//! 3. RETURNING sees each row after its INSTEAD OF triggers ran: NEW of an
//!    INSERT (rowid -1), OLD of a DELETE, NEW of an UPDATE in which, as in
//!    SQLite, a column the UPDATE does not set is NULL unless a firing
//!    trigger reads it as `NEW.column` (or it is past the 32nd, or no
//!    trigger fires). With RETURNING, a view with no INSTEAD OF trigger
//!    for the event is not an error: the rows are returned, nothing runs.

use std::sync::Arc;

use super::builder::Builder;
use super::expr::{Scope, Source};
use super::select::Dest;
use super::trigger::{event_matches, RowEvent};
use super::Gen;
use crate::sql::ast::{
    CreateTrigger, Delete, Expr, FromClause, FromItem, IndexedBy, Insert, InsertSource, Limit,
    OrderingTerm, QualifiedName, ResultColumn, Select, SelectCore, SimpleSelect, TableSource,
    TriggerTime, Update,
};
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

/// The rows an UPDATE/DELETE on a view touches.
struct ViewRows<'a> {
    view: &'a str,
    alias: Option<&'a str>,
    indexed: Option<&'a IndexedBy>,
    where_: Option<&'a Expr>,
    order_by: &'a [OrderingTerm],
    limit: Option<&'a Limit>,
}

/// `SELECT * FROM view [AS alias] [WHERE ..] [ORDER BY .. LIMIT ..]`.
fn select_from_view(r: &ViewRows) -> Select {
    let core = SimpleSelect {
        distinct: false,
        columns: vec![ResultColumn::Star],
        from: Some(FromClause {
            items: vec![FromItem {
                join: None,
                source: TableSource::Table(QualifiedName {
                    schema: None,
                    name: r.view.to_string(),
                }),
                alias: r.alias.map(str::to_string),
                indexed: r.indexed.cloned(),
                constraint: None,
            }],
        }),
        where_: r.where_.cloned(),
        group_by: Vec::new(),
        having: None,
        windows: Vec::new(),
    };
    Select {
        with: None,
        first: SelectCore::Select(Box::new(core)),
        compounds: Vec::new(),
        order_by: r.order_by.to_vec(),
        limit: r.limit.cloned(),
        span: (0, 0),
    }
}

impl Gen<'_> {
    /// CREATE TRIGGER on view `view`: only INSTEAD OF is allowed.
    pub(super) fn create_view_trigger(
        &mut self,
        ct: &CreateTrigger,
        view: &str,
    ) -> Result<(), String> {
        match ct.time {
            Some(TriggerTime::InsteadOf) => self.store_trigger(ct, view),
            Some(TriggerTime::After) => Err(format!("cannot create AFTER trigger on view: {view}")),
            _ => Err(format!("cannot create BEFORE trigger on view: {view}")),
        }
    }

    /// The view called `name`, if it is one.
    pub(super) fn view_name(&self, name: &str) -> Option<String> {
        self.main_schema().view(name).map(|v| v.name.clone())
    }

    /// Fails unless an INSTEAD OF trigger on `view` fires for `event`.
    fn check_instead_of(&self, view: &Table, event: RowEvent) -> Result<(), String> {
        let any = self.live_triggers(&view.name).iter().any(|t| {
            t.def.time == Some(TriggerTime::InsteadOf) && event_matches(&t.def.event, event, view)
        });
        if any {
            Ok(())
        } else {
            Err(format!("cannot modify {} because it is a view", view.name))
        }
    }

    /// The view's columns as a table (named as the view), without
    /// emitting code.
    fn view_table(&mut self, view: &str) -> Result<Arc<Table>, String> {
        let sel = select_from_view(&ViewRows {
            view,
            alias: None,
            indexed: None,
            where_: None,
            order_by: &[],
            limit: None,
        });
        let saved = std::mem::replace(&mut self.b, Builder::new());
        let r = self.select(&sel, &Dest::Discard);
        let infos = std::mem::replace(&mut self.b, saved).columns;
        r?;
        Ok(self.ephemeral_source(0, view, &infos, &[]).table)
    }

    /// Materializes `rows` into a new ephemeral table; returns its cursor
    /// and the view as a table.
    fn materialize_view_rows(&mut self, rows: &ViewRows) -> Result<(usize, Arc<Table>), String> {
        let t = self.view_table(rows.view)?;
        let eph = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: t.columns.len(),
            key_info: None,
        });
        let saved = std::mem::take(&mut self.b.columns);
        let r = self.select(&select_from_view(rows), &Dest::EphTable { cursor: eph });
        self.b.columns = saved;
        r?;
        Ok((eph, t))
    }

    /// Loops over ephemeral table `eph`, loading `n` columns into fresh
    /// registers and calling `body` with them and the loop's next label.
    fn for_each_view_row(
        &mut self,
        eph: usize,
        n: usize,
        body: impl FnOnce(&mut Self, Reg, usize) -> Result<(), String>,
    ) -> Result<(), String> {
        let done = self.b.new_label();
        let next = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let regs = self.b.alloc_regs(n.max(1));
        for i in 0..n {
            self.b.emit(Insn::Column {
                cursor: eph,
                column: i,
                dest: regs + i,
                default: None,
            });
        }
        body(self, regs, next.addr())?;
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }

    /// The view columns an UPDATE's NEW row carries (invariant 3): those
    /// it sets, those past the 32nd, and those some INSTEAD OF UPDATE
    /// trigger that fires reads as `NEW.column`.
    fn view_new_columns(&self, t: &Table, set_cols: &[usize]) -> Vec<bool> {
        let mut keep: Vec<bool> = (0..t.columns.len())
            .map(|c| c > 31 || set_cols.contains(&c))
            .collect();
        let fired: Vec<String> = self
            .live_triggers(&t.name)
            .iter()
            .filter(|tr| {
                tr.def.time == Some(TriggerTime::InsteadOf)
                    && event_matches(&tr.def.event, RowEvent::Update(set_cols), t)
            })
            .map(|tr| tr.name.clone())
            .collect();
        if fired.is_empty() {
            return vec![true; t.columns.len()];
        }
        for row in &self.main_schema().rows {
            let named = fired.iter().any(|n| n.eq_ignore_ascii_case(&row.name));
            if let (true, Some(sql)) = (named && row.kind == "trigger", &row.sql) {
                for col in new_references(sql) {
                    if let Some(c) = t.column_index(&col) {
                        if let Some(k) = keep.get_mut(c) {
                            *k = true;
                        }
                    }
                }
            }
        }
        keep
    }

    /// Buffers the RETURNING row of a view row (after its INSTEAD OF
    /// triggers ran, as SQLite's RETURNING trigger fires last).
    fn view_returning(
        &mut self,
        r: Option<&super::returning::Returning>,
        regs: Reg,
        keep: &[bool],
        rowid: Reg,
    ) -> Result<(), String> {
        let Some(r) = r else { return Ok(()) };
        let row: Vec<Reg> = keep
            .iter()
            .enumerate()
            .map(|(c, &k)| match k {
                true => regs + c,
                false => self.null_reg(),
            })
            .collect();
        self.returning_row(r, &row, rowid)
    }

    /// DELETE on a view.
    pub(super) fn delete_view(&mut self, d: &Delete, view: &str) -> Result<(), String> {
        let t = self.view_table(view)?;
        if d.returning.is_empty() {
            // RETURNING counts as a trigger: with it, no error (invariant 3).
            self.check_instead_of(&t, RowEvent::Delete)?;
        }
        let returning = self.returning_begin(&t, &d.returning)?;
        self.use_db(true);
        let rows = ViewRows {
            view,
            alias: d.alias.as_deref(),
            indexed: d.indexed.as_ref(),
            where_: d.where_.as_ref(),
            order_by: &d.order_by,
            limit: d.limit.as_ref(),
        };
        let (eph, t) = self.materialize_view_rows(&rows)?;
        let n = t.columns.len();
        let keep = vec![true; n];
        self.for_each_view_row(eph, n, |g, regs, next| {
            let rowid = g.seq_reg(eph);
            let old = ((0..n).map(|c| regs + c).collect(), rowid);
            g.fire_triggers(
                &t,
                TriggerTime::InsteadOf,
                RowEvent::Delete,
                Some(&old),
                None,
                next,
            )?;
            g.view_returning(returning.as_ref(), regs, &keep, rowid)
        })?;
        self.returning_end(returning);
        Ok(())
    }

    /// UPDATE on a view.
    pub(super) fn update_view(&mut self, u: &Update, view: &str) -> Result<(), String> {
        if u.from.is_some() {
            return Err(format!("cannot modify {view} because it is a view"));
        }
        let t = self.view_table(view)?;
        let set_cols: Vec<usize> = u
            .sets
            .iter()
            .flat_map(|s| s.columns.iter().filter_map(|c| t.column_index(c)))
            .collect();
        if u.returning.is_empty() {
            // RETURNING counts as a trigger: with it, no error (invariant 3).
            self.check_instead_of(&t, RowEvent::Update(&set_cols))?;
        }
        let returning = self.returning_begin(&t, &u.returning)?;
        let keep = self.view_new_columns(&t, &set_cols);
        let sets = self.resolve_sets(&t, &u.sets)?;
        self.use_db(true);
        let rows = ViewRows {
            view,
            alias: u.alias.as_deref(),
            indexed: u.indexed.as_ref(),
            where_: u.where_.as_ref(),
            order_by: &u.order_by,
            limit: u.limit.as_ref(),
        };
        let (eph, t) = self.materialize_view_rows(&rows)?;
        let n = t.columns.len();
        let name = u.alias.clone().unwrap_or_else(|| t.name.clone());
        self.for_each_view_row(eph, n, |g, old, next| {
            let mut scope = Scope {
                sources: vec![Source {
                    table: t.clone(),
                    name,
                    cursor: eph,
                }],
                ..g.base_scope()
            };
            let new = g.b.alloc_regs(n.max(1));
            g.b.emit(Insn::Copy {
                src: old,
                dest: new,
                count: n,
            });
            g.emit_row_value_sets(&mut scope)?;
            for (col, e) in &sets {
                match col {
                    Some(c) => g.expr_into(e, &scope, new + c)?,
                    None => return Err("no such column: rowid".into()),
                }
            }
            let rowid = g.seq_reg(eph);
            let old_row = ((0..n).map(|c| old + c).collect(), rowid);
            let new_row = ((0..n).map(|c| new + c).collect(), rowid);
            let cols: Vec<usize> = sets.iter().filter_map(|(c, _)| *c).collect();
            g.fire_triggers(
                &t,
                TriggerTime::InsteadOf,
                RowEvent::Update(&cols),
                Some(&old_row),
                Some(&new_row),
                next,
            )?;
            g.view_returning(returning.as_ref(), new, &keep, rowid)
        })?;
        self.returning_end(returning);
        Ok(())
    }

    /// INSERT on a view.
    pub(super) fn insert_view(&mut self, ins: &Insert, view: &str) -> Result<(), String> {
        let t = self.view_table(view)?;
        if !ins.upsert.is_empty() {
            return Err("cannot UPSERT a view".into());
        }
        if ins.returning.is_empty() {
            // RETURNING counts as a trigger: with it, no error (invariant 3).
            self.check_instead_of(&t, RowEvent::Insert)?;
        }
        let returning = self.returning_begin(&t, &ins.returning)?;
        let mapping: Vec<usize> = if ins.columns.is_empty() {
            (0..t.columns.len()).collect()
        } else {
            ins.columns
                .iter()
                .map(|c| {
                    t.column_index(c)
                        .ok_or_else(|| format!("table {} has no column named {c}", t.name))
                })
                .collect::<Result<_, _>>()?
        };
        self.use_db(true);
        let eph = self.b.alloc_cursor();
        let open_at = self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: 0,
            key_info: None,
        });
        let width = match &ins.source {
            InsertSource::Select(sel) => {
                let saved = std::mem::take(&mut self.b.columns);
                let r = self.select(sel, &Dest::EphTable { cursor: eph });
                let width = std::mem::replace(&mut self.b.columns, saved).len();
                r?;
                width
            }
            InsertSource::DefaultValues => {
                let row = self.null_reg();
                self.emit_row(&Dest::EphTable { cursor: eph }, row, 1);
                mapping.len()
            }
        };
        if width != mapping.len() {
            return Err(if ins.columns.is_empty() {
                format!(
                    "table {} has {} columns but {width} values were supplied",
                    t.name,
                    t.columns.len()
                )
            } else {
                format!("{width} values for {} columns", ins.columns.len())
            });
        }
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_at) {
            *n_cols = width;
        }
        let n = t.columns.len();
        let keep = vec![true; n];
        let default_values = matches!(ins.source, InsertSource::DefaultValues);
        self.for_each_view_row(eph, width, |g, vals, next| {
            let new = g.b.alloc_regs(n.max(1));
            g.b.emit(Insn::Null {
                dest: new,
                count: n.max(1),
            });
            if !default_values {
                for (i, &c) in mapping.iter().enumerate() {
                    g.b.emit(Insn::SCopy {
                        src: vals + i,
                        dest: new + c,
                    });
                }
            }
            // SQLite gives NEW.rowid -1 here.
            let rowid = g.b.alloc_reg();
            g.b.emit(Insn::Integer {
                value: -1,
                dest: rowid,
            });
            let new_row = ((0..n).map(|c| new + c).collect(), rowid);
            g.fire_triggers(
                &t,
                TriggerTime::InsteadOf,
                RowEvent::Insert,
                None,
                Some(&new_row),
                next,
            )?;
            g.view_returning(returning.as_ref(), new, &keep, rowid)
        })?;
        self.returning_end(returning);
        Ok(())
    }

    /// A fresh register holding the materialized row's number (OLD.rowid
    /// of a view row is its position in the materialized rows).
    fn seq_reg(&mut self, eph: usize) -> Reg {
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: eph,
            dest: r,
        });
        r
    }

    /// A fresh register holding NULL.
    fn null_reg(&mut self) -> Reg {
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Null { dest: r, count: 1 });
        r
    }
}

/// The column names a trigger's text reads as `NEW.column`.
fn new_references(sql: &str) -> Vec<String> {
    use crate::sql::lexer::{dequote, next_token};
    use crate::sql::token::TokenKind;
    let z = sql.as_bytes();
    let mut toks: Vec<(TokenKind, String)> = Vec::new();
    let mut pos = 0;
    while let Some((kind, len)) = next_token(z, pos) {
        let len = len.max(1);
        if kind != TokenKind::Space {
            toks.push((kind, dequote(sql.get(pos..pos + len).unwrap_or(""))));
        }
        pos += len;
    }
    toks.windows(3)
        .filter_map(|w| match w {
            [(_, new), (TokenKind::Dot, _), (_, col)] if new.eq_ignore_ascii_case("new") => {
                Some(col.clone())
            }
            _ => None,
        })
        .collect()
}
