//! Triggers: CREATE/DROP TRIGGER and firing them around row changes.
//!
//! SQLite counterpart: trigger.c (`sqlite3BeginTrigger`,
//! `sqlite3CodeRowTrigger`, `codeTriggerProgram`). SQLite compiles each
//! trigger into a sub-program run by `OP_Program`; loom expands the trigger
//! body inline at each firing point, which gives the same semantics for
//! row triggers without a second VM frame.
//!
//! Invariants:
//! 1. BEFORE triggers run before the row's constraint checks and change,
//!    AFTER triggers after it; WHEN is evaluated with the row's OLD/NEW.
//! 2. `NEW.x` / `OLD.x` read registers holding the row; they are visible in
//!    every scope compiled inside the trigger body (also subqueries).
//! 3. A trigger does not fire itself again while it is being expanded
//!    (SQLite's default `recursive_triggers = OFF`).
//! 4. `RAISE(IGNORE)` abandons the current row of the statement that fired
//!    the trigger; `RAISE(ABORT|FAIL|ROLLBACK, msg)` fails with
//!    SQLITE_CONSTRAINT_TRIGGER and `msg`.

use std::sync::Arc;

use super::expr::Source;
use super::select::Dest;
use super::Gen;
use crate::rc::ResultCode;
use crate::sql::ast::{CreateTrigger, RaiseAction, TriggerEvent, TriggerStmt, TriggerTime};
use crate::sql::schema::Table;
use crate::vdbe::{Addr, Insn, OnError, Reg};

/// What changed, for choosing which triggers fire.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RowEvent<'a> {
    Insert,
    /// The table columns an UPDATE assigns.
    Update(&'a [usize]),
    Delete,
}

/// A row image: one register per column and the rowid register.
pub(crate) type RowRegs = (Vec<Reg>, Reg);

impl Gen<'_> {
    pub(super) fn create_trigger(&mut self, ct: &CreateTrigger) -> Result<(), String> {
        if ct.temp
            || ct
                .name
                .schema
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err("TEMP triggers and attached schemas are not supported by loom yet".into());
        }
        let name = &ct.name.name;
        if self.main_schema().trigger(name).is_some() {
            if ct.if_not_exists {
                return Ok(());
            }
            return Err(format!("trigger {name} already exists"));
        }
        if name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(format!("object name reserved for internal use: {name}"));
        }
        let table = &ct.table.name;
        if let Some(v) = self.main_schema().view(table) {
            let v = v.name.clone();
            return self.create_view_trigger(ct, &v);
        }
        let t = self
            .main_schema()
            .table(table)
            .ok_or_else(|| format!("no such table: main.{table}"))?;
        if ct.time == Some(TriggerTime::InsteadOf) {
            return Err(format!(
                "cannot create INSTEAD OF trigger on table: {}",
                t.name
            ));
        }
        if t.name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err("cannot create trigger on system table".into());
        }
        self.store_trigger(ct, &t.name)
    }

    /// Writes the trigger's sqlite_schema row (on table or view `on`).
    pub(super) fn store_trigger(&mut self, ct: &CreateTrigger, on: &str) -> Result<(), String> {
        self.use_db(true);
        let root = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: root,
        });
        self.insert_schema_row("trigger", &ct.name.name, on, root, Some(&ct.sql));
        Ok(())
    }

    /// Codes the triggers of `t` that fire at `time` for `event`.
    /// `skip_row` is where RAISE(IGNORE) goes.
    pub(crate) fn fire_triggers(
        &mut self,
        t: &Arc<Table>,
        time: TriggerTime,
        event: RowEvent,
        old: Option<&RowRegs>,
        new: Option<&RowRegs>,
        skip_row: Addr,
    ) -> Result<(), String> {
        for trig in self.firing_triggers(t, time, event) {
            let def = trig.def.clone();
            self.expand_trigger(t, &trig.name, &def, old, new, skip_row)?;
        }
        Ok(())
    }

    /// The triggers of `t` that fire at `time` for `event` here (not the
    /// ones being expanded already: invariant 3).
    pub(crate) fn firing_triggers(
        &self,
        t: &Table,
        time: TriggerTime,
        event: RowEvent,
    ) -> Vec<crate::sql::schema::Trigger> {
        let mut out = self.live_triggers(&t.name);
        out.retain(|trig| {
            trig.def.time.unwrap_or(TriggerTime::Before) == time
                && event_matches(&trig.def.event, event, t)
                && !self
                    .active_triggers
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&trig.name))
        });
        out
    }

    /// After an UPDATE's BEFORE triggers: they may have changed or deleted
    /// the row, so (as SQLite does) the row is sought again (gone: `skip`)
    /// and the columns the UPDATE does not assign are reloaded into `new`.
    /// Returns registers holding the row as it now is (for removing its
    /// index entries), or None when no BEFORE UPDATE trigger can fire.
    pub(crate) fn reload_after_before_triggers(
        &mut self,
        t: &Arc<Table>,
        cursor: usize,
        assigned: &[usize],
        new: Reg,
        old_rowid: Reg,
        skip: Addr,
    ) -> Option<Vec<Reg>> {
        let any = self.live_triggers(&t.name).iter().any(|tr| {
            tr.def.time.unwrap_or(TriggerTime::Before) == TriggerTime::Before
                && matches!(tr.def.event, TriggerEvent::Update(_))
        });
        if !any {
            return None;
        }
        self.b.emit(Insn::NotExists {
            cursor,
            rowid: old_rowid,
            not_found: skip,
        });
        let n = t.columns.len();
        let now = self.b.alloc_regs(n.max(1));
        for c in 0..n {
            if t.ipk == Some(c) {
                self.b.emit(Insn::Null {
                    dest: now + c,
                    count: 1,
                });
                continue;
            }
            self.table_column(t, cursor, c, now + c);
            if !assigned.contains(&c) {
                self.b.emit(Insn::SCopy {
                    src: now + c,
                    dest: new + c,
                });
            }
        }
        Some((0..n).map(|c| now + c).collect())
    }

    /// Expands one trigger body inline.
    fn expand_trigger(
        &mut self,
        t: &Arc<Table>,
        name: &str,
        def: &CreateTrigger,
        old: Option<&RowRegs>,
        new: Option<&RowRegs>,
        skip_row: Addr,
    ) -> Result<(), String> {
        let saved_outer = self.outer.clone();
        let saved_rows = self.trigger_rows.clone();
        let saved_raise = self.raise_target;
        let saved_cols = std::mem::take(&mut self.b.columns);
        // The body is its own program in SQLite: the NEW/OLD rows of an
        // enclosing trigger are not visible in it.
        self.outer.clear();
        self.trigger_rows.clear();
        for (label, regs) in [("new", new), ("old", old)] {
            if let Some((cols, rowid)) = regs {
                let cursor = self.b.alloc_cursor();
                self.outer.insert(
                    0,
                    Source {
                        table: t.clone(),
                        name: label.to_string(),
                        cursor,
                    },
                );
                self.trigger_rows.push((cursor, cols.clone(), *rowid));
            }
        }
        self.active_triggers.push(name.to_string());
        self.raise_target = Some(skip_row);
        let r = self.trigger_body(def);
        self.active_triggers.pop();
        self.raise_target = saved_raise;
        self.outer = saved_outer;
        self.trigger_rows = saved_rows;
        self.b.columns = saved_cols;
        r
    }

    fn trigger_body(&mut self, def: &CreateTrigger) -> Result<(), String> {
        let end = self.b.new_label();
        if let Some(w) = &def.when {
            let scope = self.base_scope();
            self.jump_if_false(w, end.addr(), &scope)?;
        }
        // The body's changes count in total_changes() but not in the
        // firing statement's changes().
        let saved = self.b.alloc_reg();
        self.b.emit(Insn::ChangeCountSave { dest: saved });
        for stmt in &def.body {
            match stmt {
                TriggerStmt::Insert(i) => self.insert(i)?,
                TriggerStmt::Update(u) => self.update(u)?,
                TriggerStmt::Delete(d) => self.delete(d)?,
                TriggerStmt::Select(s) => self.select(s, &Dest::Discard)?,
            }
        }
        self.b.emit(Insn::ChangeCountRestore { saved });
        self.b.resolve(end);
        Ok(())
    }

    /// `RAISE(...)` inside a trigger body.
    pub(crate) fn raise(
        &mut self,
        action: RaiseAction,
        msg: Option<&str>,
    ) -> Result<crate::vdbe::Reg, String> {
        let Some(skip) = self.raise_target else {
            return Err("RAISE() may only be used within a trigger-program".into());
        };
        let on_error = match action {
            RaiseAction::Ignore => {
                self.b.emit(Insn::Goto { target: skip });
                return Ok(self.b.alloc_reg());
            }
            RaiseAction::Rollback => OnError::Rollback,
            RaiseAction::Abort => OnError::Abort,
            RaiseAction::Fail => OnError::Fail,
        };
        let msg = Some(msg.unwrap_or("").to_string());
        self.b.emit(Insn::Halt {
            rc: ResultCode::CONSTRAINT_TRIGGER,
            on_error,
            msg,
        });
        Ok(self.b.alloc_reg())
    }
}

/// True if a trigger declared for `declared` fires for `event` on `t`.
pub(super) fn event_matches(declared: &TriggerEvent, event: RowEvent, t: &Table) -> bool {
    match (declared, event) {
        (TriggerEvent::Insert, RowEvent::Insert) | (TriggerEvent::Delete, RowEvent::Delete) => true,
        (TriggerEvent::Update(cols), RowEvent::Update(set)) => {
            cols.is_empty()
                || cols
                    .iter()
                    .any(|c| t.column_index(c).is_some_and(|ci| set.contains(&ci)))
        }
        _ => false,
    }
}
