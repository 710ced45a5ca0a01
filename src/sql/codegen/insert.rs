//! INSERT: row assembly, defaults, constraint checks, index maintenance.
//!
//! SQLite counterpart: insert.c (`sqlite3Insert`,
//! `sqlite3GenerateConstraintChecks`, `sqlite3CompleteInsertion`).
//!
//! Invariants:
//! 1. Checks run in SQLite's order: NOT NULL, CHECK, rowid uniqueness,
//!    then each UNIQUE index; nothing is written before all checks pass
//!    (REPLACE deletes the conflicting row first, as SQLite does).
//! 2. The INTEGER PRIMARY KEY column is stored as NULL in the record; its
//!    value is the rowid.
//! 3. Every index of the table gets exactly one entry per row.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::trigger::RowEvent;
use super::upsert::{Resolve, UpsertPlan};
use super::Gen;
use crate::rc::ResultCode;
use crate::record::KeyInfo;
use crate::sql::ast::TriggerTime;
use crate::sql::ast::{ConflictAction, Expr, Insert, InsertSource, SelectCore};
use crate::sql::schema::{Index, Table};
use crate::vdbe::{InsertFlags, Insn, OnError, Reg, RootPage};

/// The cursors of a table opened for writing: table first, then one per index.
#[derive(Clone, Debug)]
pub(crate) struct WriteCursors {
    pub table: usize,
    pub indexes: Vec<usize>,
    /// AUTOINCREMENT: (largest rowid ever used, rowid of its sqlite_sequence row).
    pub autoinc: Option<(Reg, Reg)>,
    /// The statement's RETURNING clause, if any.
    pub returning: Option<super::returning::Returning>,
    /// The INSERT's ON CONFLICT clauses, if any.
    pub upsert: Option<Arc<super::upsert::UpsertPlan>>,
}

impl Gen<'_> {
    pub(super) fn insert(&mut self, ins: &Insert) -> Result<(), String> {
        if self.vtab_insert(ins)? {
            return Ok(());
        }
        if let Some(v) = self.view_name(&ins.table.name) {
            return self.insert_view(ins, &v);
        }
        let table = self.table(&ins.table.name)?;
        if table.name.eq_ignore_ascii_case("sqlite_schema")
            || table.name.to_ascii_lowercase().starts_with("sqlite_")
                && !table.name.eq_ignore_ascii_case("sqlite_sequence")
                && !table.name.to_ascii_lowercase().starts_with("sqlite_stat")
        {
            return Err(format!("table {} may not be modified", table.name));
        }
        let mapping = self.column_mapping(&table, &ins.columns)?;
        let conflict = ins.or_conflict;
        self.use_db(true);
        let mut cursors = self.open_write_cursors(&table)?;
        let live = self.autoinc_live.len();
        let shared = self.shared_sequence(&table.name);
        if table.autoincrement {
            cursors.autoinc = match shared {
                Some(regs) => Some(regs),
                None => {
                    let regs = self.load_sequence(&table)?;
                    self.autoinc_live.push((table.name.clone(), regs));
                    Some(regs)
                }
            };
        }
        cursors.returning = self.returning_begin(&table, &ins.returning)?;
        cursors.upsert = self.upsert_plan(&table, ins)?;
        let marks = self.active_triggers.len();
        let multi = super::fkey::multi_write(ins) || !self.live_triggers(&table.name).is_empty();
        if multi && self.fk_enabled() {
            self.active_triggers
                .push(super::fkey::MULTI_MARK.to_string());
        }
        let r = match &ins.source {
            InsertSource::DefaultValues => {
                let start = self.b.alloc_reg();
                self.insert_row(&table, &cursors, &[], start, conflict)
            }
            InsertSource::Select(sel) => match &sel.first {
                SelectCore::Values(rows)
                    if sel.compounds.is_empty()
                        && sel.order_by.is_empty()
                        && sel.limit.is_none() =>
                {
                    for row in rows {
                        if row.len() != mapping.len() {
                            return Err(self.count_mismatch(&table, ins, row.len()));
                        }
                        if has_duplicates(&mapping) {
                            let start = self.b.alloc_regs(row.len());
                            for (i, e) in row.iter().enumerate() {
                                self.expr_into(e, &self.base_scope(), start + i)?;
                            }
                            self.insert_row(&table, &cursors, &mapping, start, conflict)?;
                        } else {
                            self.insert_values_row(&table, &cursors, &mapping, row, conflict)?;
                        }
                    }
                    Ok(())
                }
                _ => self.insert_select(&table, ins, sel, &cursors, &mapping, conflict),
            },
        };
        self.active_triggers.truncate(marks);
        self.autoinc_live.truncate(live);
        r?;
        if let (Some((seq, seq_rowid)), None) = (cursors.autoinc, shared) {
            self.save_sequence(&table, seq, seq_rowid)?;
        }
        self.returning_end(cursors.returning);
        Ok(())
    }

    /// The sequence registers of an enclosing INSERT into `name` (this
    /// INSERT is in a trigger it fired), which this one uses and leaves to
    /// it to save.
    fn shared_sequence(&self, name: &str) -> Option<(Reg, Reg)> {
        self.autoinc_live
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, regs)| *regs)
    }

    /// INSERT … SELECT: the rows are first materialized into an ephemeral
    /// table (so a SELECT reading the target table sees it unchanged), then
    /// inserted one by one.
    fn insert_select(
        &mut self,
        table: &Arc<Table>,
        ins: &Insert,
        sel: &crate::sql::ast::Select,
        cursors: &WriteCursors,
        mapping: &[usize],
        conflict: Option<ConflictAction>,
    ) -> Result<(), String> {
        let eph = self.b.alloc_cursor();
        let open_at = self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: 0,
            key_info: None,
        });
        let saved = std::mem::take(&mut self.b.columns);
        let r = self.select(sel, &super::select::Dest::EphTable { cursor: eph });
        let width = std::mem::replace(&mut self.b.columns, saved).len();
        r?;
        if width != mapping.len() {
            return Err(self.count_mismatch(table, ins, width));
        }
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_at) {
            *n_cols = width;
        }
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let start = self.b.alloc_regs(width);
        for i in 0..width {
            self.b.emit(Insn::Column {
                cursor: eph,
                column: i,
                dest: start + i,
                default: None,
            });
        }
        self.insert_row(table, cursors, mapping, start, conflict)?;
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }

    fn count_mismatch(&self, t: &Table, ins: &Insert, got: usize) -> String {
        if ins.columns.is_empty() {
            format!(
                "table {} has {} columns but {} values were supplied",
                t.name,
                super::gencol::insertable_columns(t).len(),
                got
            )
        } else {
            format!("{} values for {} columns", got, ins.columns.len())
        }
    }

    /// For each supplied value, the table column it goes to.
    fn column_mapping(&self, t: &Table, names: &[String]) -> Result<Vec<usize>, String> {
        if names.is_empty() {
            return Ok(super::gencol::insertable_columns(t));
        }
        names
            .iter()
            .map(|n| {
                let c = t.column_index(n);
                if let Some(c) = c {
                    super::gencol::check_insert_target(t, c)?;
                }
                c.or_else(|| {
                    if is_rowid(n) && !t.without_rowid {
                        Some(t.ipk.unwrap_or(ROWID))
                    } else {
                        None
                    }
                })
                .ok_or_else(|| format!("table {} has no column named {}", t.name, n))
            })
            .collect()
    }

    /// Opens the table and all its indexes for writing.
    pub(crate) fn open_write_cursors(&mut self, t: &Table) -> Result<WriteCursors, String> {
        let table = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: table,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, table);
        let mut indexes = Vec::new();
        for idx in &t.indexes {
            if crate::sql::schema_wr::is_table_key(t, idx) {
                indexes.push(table);
                continue;
            }
            let c = self.b.alloc_cursor();
            let key_info = self.index_key_info(idx)?;
            self.b.emit(Insn::OpenWrite {
                cursor: c,
                db: 0,
                root: RootPage::Page(idx.root),
                n_cols: super::without_rowid::index_key_len(t, idx),
                key_info: Some(key_info),
            });
            self.mark_index_cursor(t, idx, c);
            indexes.push(c);
        }
        Ok(WriteCursors {
            table,
            indexes,
            autoinc: None,
            returning: None,
            upsert: None,
        })
    }

    /// The comparison info of an index's key columns.
    pub(crate) fn index_key_info(&self, idx: &Index) -> Result<Arc<KeyInfo>, String> {
        let mut columns = idx.columns.clone();
        if let Some(t) = self.main_schema().table(&idx.table) {
            columns.extend(crate::sql::schema_wr::index_suffix(&t, idx));
        }
        let mut collations = Vec::new();
        for c in &columns {
            collations.push(self.collation(&c.collation)?);
        }
        Ok(Arc::new(KeyInfo {
            collations,
            desc: columns.iter().map(|c| c.desc).collect(),
        }))
    }

    /// Inserts one row whose supplied values are in `src..` (per `mapping`).
    fn insert_row(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        mapping: &[usize],
        src: Reg,
        conflict: Option<ConflictAction>,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let rowid = self.b.alloc_reg();
        let regs = self.b.alloc_regs(n);
        for c in 0..n {
            match value_for(t, mapping, c) {
                Some(p) => {
                    self.b.emit(Insn::SCopy {
                        src: src + p,
                        dest: regs + c,
                    });
                }
                None => self.code_default(t, c, regs + c)?,
            }
        }
        let explicit = value_for(t, mapping, ROWID).map(|p| src + p);
        self.insert_row_tail(t, cur, regs, rowid, explicit, conflict)
    }

    /// Inserts one row of a VALUES list, evaluating each value straight into
    /// its column's register (SQLite's order: explicit rowid first, then the
    /// columns in table order), so no register-to-register copies are needed.
    /// `mapping` must not name a column twice.
    fn insert_values_row(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        mapping: &[usize],
        row: &[Expr],
        conflict: Option<ConflictAction>,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let rowid = self.b.alloc_reg();
        let regs = self.b.alloc_regs(n);
        let scope = self.base_scope();
        let mut explicit = None;
        if let Some(e) = value_for(t, mapping, ROWID).and_then(|p| row.get(p)) {
            let r = self.b.alloc_reg();
            self.expr_into(e, &scope, r)?;
            explicit = Some(r);
        }
        for c in 0..n {
            match value_for(t, mapping, c).and_then(|p| row.get(p)) {
                Some(e) => self.expr_into(e, &scope, regs + c)?,
                None => self.code_default(t, c, regs + c)?,
            }
        }
        self.insert_row_tail(t, cur, regs, rowid, explicit, conflict)
    }

    /// The part of a row insertion after the column registers `regs..` are
    /// filled: rowid, affinity, triggers, constraint checks, the writes.
    fn insert_row_tail(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        regs: Reg,
        rowid: Reg,
        explicit: Option<Reg>,
        conflict: Option<ConflictAction>,
    ) -> Result<(), String> {
        let n = t.columns.len();
        let skip = self.b.new_label();
        let regs_v: Vec<Reg> = (0..n).map(|c| regs + c).collect();
        let new = (regs_v.clone(), rowid);
        let ev = RowEvent::Insert;
        let before = !self.firing_triggers(t, TriggerTime::Before, ev).is_empty();
        if before && !t.without_rowid {
            // As in SQLite, BEFORE triggers run before the rowid is chosen:
            // they see the given one (made an integer) or -1.
            let given = t.ipk.map(|c| regs + c).or(explicit);
            let seen = self.before_trigger_rowid(given);
            self.compute_generated(t, regs, seen)?;
            self.apply_column_affinity(t, regs);
            let early = (regs_v.clone(), seen);
            self.fire_triggers(t, TriggerTime::Before, ev, None, Some(&early), skip.addr())?;
        }
        if !t.without_rowid {
            self.compute_rowid(t, cur, regs, rowid, explicit)?;
        }
        self.compute_generated(t, regs, rowid)?;
        self.apply_column_affinity(t, regs);
        if t.without_rowid {
            self.wr_key_blob(t, &regs_v, rowid);
        }
        if before && t.without_rowid {
            self.fire_triggers(t, TriggerTime::Before, ev, None, Some(&new), skip.addr())?;
        }
        self.check_not_null(t, &regs_v, conflict, skip.addr())?;
        self.check_checks(t, cur.table, &regs_v, rowid, skip.addr())?;
        let check_rowid = t.ipk.is_some() || explicit.is_some();
        if let Some(plan) = cur.upsert.clone() {
            let s = skip.addr();
            self.upsert_checks(&plan, t, cur, &regs_v, rowid, conflict, s, check_rowid)?;
        } else {
            if check_rowid {
                self.check_rowid_unique(t, cur, rowid, conflict, skip.addr(), None, None)?;
            }
            self.check_unique_indexes(t, cur, &regs_v, rowid, conflict, skip.addr(), None, &[])?;
        }
        self.fk_check(t, None, Some(&new), None, false)?;
        self.write_row(t, cur, regs, rowid, false)?;
        if let Some(r) = &cur.returning {
            self.returning_row(r, &regs_v, rowid)?;
        }
        self.fire_triggers(t, TriggerTime::After, ev, None, Some(&new), skip.addr())?;
        self.b.resolve(skip);
        Ok(())
    }

    /// The rowid a BEFORE INSERT trigger sees as `new.rowid`: the value
    /// given for it (`given`, which must be an integer) or -1 when there is
    /// none or it is NULL (the rowid is chosen after the triggers).
    fn before_trigger_rowid(&mut self, given: Option<Reg>) -> Reg {
        let seen = self.b.alloc_reg();
        let Some(given) = given else {
            self.b.emit(Insn::Integer {
                value: -1,
                dest: seen,
            });
            return seen;
        };
        let done = self.b.new_label();
        let null = self.b.new_label();
        self.b.emit(Insn::IsNull {
            reg: given,
            target: null.addr(),
        });
        self.b.emit(Insn::SCopy {
            src: given,
            dest: seen,
        });
        self.b.emit(Insn::MustBeInt {
            reg: seen,
            target: None,
        });
        self.b.emit(Insn::Goto {
            target: done.addr(),
        });
        self.b.resolve(null);
        self.b.emit(Insn::Integer {
            value: -1,
            dest: seen,
        });
        self.b.resolve(done);
        seen
    }

    /// The DEFAULT of column `c` (or NULL) into `dest`.
    pub(crate) fn code_default(&mut self, t: &Table, c: usize, dest: Reg) -> Result<(), String> {
        match &t.columns[c].default {
            Some(e) => {
                let scope = Scope::default();
                self.expr_into(e, &scope, dest)
            }
            None => {
                self.b.emit(Insn::Null { dest, count: 1 });
                Ok(())
            }
        }
    }

    /// Chooses the rowid: the INTEGER PRIMARY KEY value, or a new one.
    fn compute_rowid(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        regs: Reg,
        rowid: Reg,
        explicit: Option<Reg>,
    ) -> Result<(), String> {
        match t.ipk {
            Some(c) => {
                let have = self.b.new_label();
                let done = self.b.new_label();
                self.b.emit(Insn::NotNull {
                    reg: regs + c,
                    target: have.addr(),
                });
                self.b.emit(Insn::NewRowid {
                    cursor: cur.table,
                    dest: rowid,
                    autoinc_reg: cur.autoinc.map(|a| a.0),
                });
                self.b.emit(Insn::Goto {
                    target: done.addr(),
                });
                self.b.resolve(have);
                self.b.emit(Insn::SCopy {
                    src: regs + c,
                    dest: rowid,
                });
                self.b.emit(Insn::MustBeInt {
                    reg: rowid,
                    target: None,
                });
                if let Some((seq, _)) = cur.autoinc {
                    self.raise_sequence(seq, rowid);
                }
                self.b.resolve(done);
                self.b.emit(Insn::Null {
                    dest: regs + c,
                    count: 1,
                });
            }
            None => {
                let done = self.b.new_label();
                if let Some(given) = explicit {
                    let none = self.b.new_label();
                    self.b.emit(Insn::IsNull {
                        reg: given,
                        target: none.addr(),
                    });
                    self.b.emit(Insn::SCopy {
                        src: given,
                        dest: rowid,
                    });
                    self.b.emit(Insn::MustBeInt {
                        reg: rowid,
                        target: None,
                    });
                    self.b.emit(Insn::Goto {
                        target: done.addr(),
                    });
                    self.b.resolve(none);
                }
                self.b.emit(Insn::NewRowid {
                    cursor: cur.table,
                    dest: rowid,
                    autoinc_reg: cur.autoinc.map(|a| a.0),
                });
                self.b.resolve(done);
            }
        }
        Ok(())
    }

    /// Applies each column's affinity to the row registers.
    pub(crate) fn apply_column_affinity(&mut self, t: &Table, regs: Reg) {
        let affinities = t.columns.iter().map(|c| c.affinity).collect();
        self.b.emit(Insn::Affinity {
            start: regs,
            count: t.columns.len(),
            affinities,
        });
    }

    /// NOT NULL constraints.
    pub(crate) fn check_not_null(
        &mut self,
        t: &Table,
        regs: &[Reg],
        conflict: Option<ConflictAction>,
        skip: usize,
    ) -> Result<(), String> {
        for (c, col) in t.columns.iter().enumerate() {
            if !col.notnull || t.ipk == Some(c) {
                continue;
            }
            let action = conflict
                .or(col.notnull_conflict)
                .unwrap_or(ConflictAction::Abort);
            let msg = format!("NOT NULL constraint failed: {}.{}", t.name, col.name);
            match action {
                ConflictAction::Ignore => {
                    self.b.emit(Insn::IsNull {
                        reg: regs[c],
                        target: skip,
                    });
                }
                ConflictAction::Replace if col.default.is_some() => {
                    let ok = self.b.new_label();
                    self.b.emit(Insn::NotNull {
                        reg: regs[c],
                        target: ok.addr(),
                    });
                    self.code_default(t, c, regs[c])?;
                    self.b.resolve(ok);
                    self.b.emit(Insn::HaltIfNull {
                        reg: regs[c],
                        rc: ResultCode::CONSTRAINT_NOTNULL,
                        on_error: OnError::Abort,
                        msg,
                    });
                }
                other => {
                    self.b.emit(Insn::HaltIfNull {
                        reg: regs[c],
                        rc: ResultCode::CONSTRAINT_NOTNULL,
                        on_error: on_error(other),
                        msg,
                    });
                }
            }
        }
        Ok(())
    }

    /// CHECK constraints, evaluated on the new row's registers.
    pub(crate) fn check_checks(
        &mut self,
        t: &Arc<Table>,
        cursor: usize,
        regs: &[Reg],
        rowid: Reg,
        skip: usize,
    ) -> Result<(), String> {
        let _ = skip;
        if t.checks.is_empty() {
            return Ok(());
        }
        let scope = Scope {
            sources: vec![Source {
                table: t.clone(),
                name: t.name.clone(),
                cursor,
            }],
            row_regs: {
                let mut v = self.trigger_rows.clone();
                v.push((cursor, regs.to_vec(), rowid));
                v
            },
            ..self.base_scope()
        };
        for chk in &t.checks {
            let ok = self.b.new_label();
            let r = self.expr(chk, &scope)?;
            self.b.emit(Insn::IsNull {
                reg: r,
                target: ok.addr(),
            });
            self.b.emit(Insn::If {
                reg: r,
                target: ok.addr(),
                jump_if_null: true,
            });
            let text = t
                .source
                .get(chk.span.0..chk.span.1)
                .unwrap_or("")
                .to_string();
            self.b.emit(Insn::Halt {
                rc: ResultCode::CONSTRAINT_CHECK,
                on_error: OnError::Abort,
                msg: Some(format!("CHECK constraint failed: {text}")),
            });
            self.b.resolve(ok);
        }
        Ok(())
    }

    /// Rowid uniqueness when the rowid was supplied. `own` is the row's old
    /// rowid during UPDATE (no conflict with itself); `upsert` the ON
    /// CONFLICT clause handling a conflict.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_rowid_unique(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        rowid: Reg,
        conflict: Option<ConflictAction>,
        skip: usize,
        own: Option<Reg>,
        upsert: Option<(&UpsertPlan, usize, &[Reg])>,
    ) -> Result<(), String> {
        let col_name = t.ipk.map_or("rowid", |c| t.columns[c].name.as_str());
        let ok = self.b.new_label();
        if let Some(o) = own {
            let flags = crate::vdbe::CmpFlags {
                affinity: crate::record::Affinity::Blob,
                jump_if_null: false,
                null_eq: false,
                store: None,
                collation: None,
            };
            self.b.emit(Insn::Compare {
                op: crate::vdbe::CmpOp::Eq,
                lhs: rowid,
                rhs: o,
                target: ok.addr(),
                flags,
            });
        }
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid,
            not_found: ok.addr(),
        });
        if let Some((plan, k, regs)) = upsert {
            self.upsert_action(plan, k, t, cur, regs, rowid, rowid, skip)?;
            self.b.resolve(ok);
            return Ok(());
        }
        let action = conflict.or(t.ipk_conflict).unwrap_or(ConflictAction::Abort);
        match action {
            ConflictAction::Ignore => {
                self.b.emit(Insn::Goto { target: skip });
            }
            ConflictAction::Replace => self.fk_replace_delete(t, cur)?,
            other => {
                let msg = format!("UNIQUE constraint failed: {}.{}", t.name, col_name);
                self.b.emit(Insn::Halt {
                    rc: ResultCode::CONSTRAINT_PRIMARYKEY,
                    on_error: on_error(other),
                    msg: Some(msg),
                });
            }
        }
        self.b.resolve(ok);
        Ok(())
    }

    /// Builds the key of index `i` (columns + rowid) into consecutive registers.
    pub(crate) fn index_key(
        &mut self,
        t: &Table,
        idx: &Index,
        regs: &[Reg],
        rowid: Reg,
    ) -> Result<Reg, String> {
        let n = idx.columns.len();
        let width = super::without_rowid::index_key_len(t, idx).max(n + 1);
        let start = self.b.alloc_regs(width);
        for (k, ic) in idx.columns.iter().enumerate() {
            match (ic.column, &ic.expr) {
                (Some(c), _) if t.ipk == Some(c) => {
                    self.b.emit(Insn::SCopy {
                        src: rowid,
                        dest: start + k,
                    });
                }
                (Some(c), _) => {
                    self.b.emit(Insn::SCopy {
                        src: regs[c],
                        dest: start + k,
                    });
                }
                (None, Some(e)) => self.index_expr_into(t, e, regs, rowid, start + k)?,
                (None, None) => {
                    self.b.emit(Insn::Null {
                        dest: start + k,
                        count: 1,
                    });
                }
            }
        }
        if t.without_rowid {
            self.wr_index_suffix(t, idx, regs, start + n);
            return Ok(start);
        }
        self.b.emit(Insn::SCopy {
            src: rowid,
            dest: start + n,
        });
        Ok(start)
    }

    /// UNIQUE index checks.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_unique_indexes(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        regs: &[Reg],
        rowid: Reg,
        conflict: Option<ConflictAction>,
        skip: usize,
        own: Option<Reg>,
        unchanged: &[bool],
    ) -> Result<(), String> {
        // SQLite checks the newest index first (its index list is newest
        // first); with REPLACE in play the declaration order is kept, so
        // the rows replaced are the same as SQLite's in the common cases.
        let replace = conflict == Some(ConflictAction::Replace)
            || t.indexes
                .iter()
                .any(|ix| ix.on_conflict == Some(ConflictAction::Replace));
        let order: Vec<usize> = if replace {
            (0..t.indexes.len()).collect()
        } else {
            (0..t.indexes.len()).rev().collect()
        };
        for i in order {
            let idx = &t.indexes[i];
            if !idx.unique || unchanged.get(i).copied().unwrap_or(false) {
                continue;
            }
            let action = conflict
                .or(idx.on_conflict)
                .unwrap_or(ConflictAction::Abort);
            let how = Resolve::Action(action);
            self.check_one_unique(t, cur, i, regs, rowid, how, skip, own)?;
        }
        Ok(())
    }

    /// The uniqueness check of index `i` for the new row, resolved by `how`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_one_unique(
        &mut self,
        t: &Arc<Table>,
        cur: &WriteCursors,
        i: usize,
        regs: &[Reg],
        rowid: Reg,
        how: Resolve<'_>,
        skip: usize,
        own: Option<Reg>,
    ) -> Result<(), String> {
        let Some(idx) = t.indexes.get(i) else {
            return Ok(());
        };
        {
            let ok = self.b.new_label();
            self.partial_skip(t, idx, regs, rowid, ok.addr())?;
            let key = self.index_key(t, idx, regs, rowid)?;
            let n = idx.columns.len();
            self.b.emit(Insn::NoConflict {
                cursor: cur.indexes[i],
                key,
                n_keys: n,
                target: ok.addr(),
            });
            if let Some(o) = own {
                let other = self.b.alloc_reg();
                self.b.emit(Insn::IdxRowid {
                    cursor: cur.indexes[i],
                    dest: other,
                });
                let flags = crate::vdbe::CmpFlags {
                    affinity: crate::record::Affinity::Blob,
                    jump_if_null: false,
                    null_eq: false,
                    store: None,
                    collation: None,
                };
                self.b.emit(Insn::Compare {
                    op: crate::vdbe::CmpOp::Eq,
                    lhs: other,
                    rhs: o,
                    target: ok.addr(),
                    flags,
                });
            }
            let action = match how {
                Resolve::Action(a) => a,
                Resolve::Upsert(plan, k) => {
                    let other = self.b.alloc_reg();
                    self.b.emit(Insn::IdxRowid {
                        cursor: cur.indexes[i],
                        dest: other,
                    });
                    self.upsert_action(plan, k, t, cur, regs, rowid, other, skip)?;
                    self.b.resolve(ok);
                    return Ok(());
                }
            };
            match action {
                ConflictAction::Ignore => {
                    self.b.emit(Insn::Goto { target: skip });
                }
                ConflictAction::Replace => {
                    let other = self.b.alloc_reg();
                    self.b.emit(Insn::IdxRowid {
                        cursor: cur.indexes[i],
                        dest: other,
                    });
                    self.b.emit(Insn::NotExists {
                        cursor: cur.table,
                        rowid: other,
                        not_found: ok.addr(),
                    });
                    self.fk_replace_delete(t, cur)?;
                }
                other => {
                    let rc = if idx.is_primary_key {
                        ResultCode::CONSTRAINT_PRIMARYKEY
                    } else {
                        ResultCode::CONSTRAINT_UNIQUE
                    };
                    let msg = super::index_row::unique_failed(t, idx);
                    self.b.emit(Insn::Halt {
                        rc,
                        on_error: on_error(other),
                        msg: Some(msg),
                    });
                }
            }
            self.b.resolve(ok);
        }
        Ok(())
    }

    /// Writes the record and every index entry of a checked row.
    pub(crate) fn write_row(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        regs: Reg,
        rowid: Reg,
        is_update: bool,
    ) -> Result<(), String> {
        self.write_row_masked(t, cur, regs, rowid, is_update, &[])
    }

    /// [`Self::write_row`], leaving alone index `i` when `unchanged[i]` is
    /// true (an UPDATE that changes none of its columns).
    pub(crate) fn write_row_masked(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        regs: Reg,
        rowid: Reg,
        is_update: bool,
        unchanged: &[bool],
    ) -> Result<(), String> {
        let n = t.columns.len();
        let rec = self.b.alloc_reg();
        if t.without_rowid {
            self.wr_record(t, regs, rec);
        } else {
            let start = self.stored_record_regs(t, regs);
            self.b.emit(Insn::MakeRecord {
                start,
                count: t.n_stored(),
                dest: rec,
                affinities: None,
            });
        }
        let flags = InsertFlags {
            count_change: true,
            set_last_rowid: !is_update,
            is_update,
            table: Some(t.name.clone()),
        };
        self.b.emit(Insn::Insert {
            cursor: cur.table,
            record: rec,
            rowid,
            flags,
        });
        let regs_v: Vec<Reg> = (0..n).map(|c| regs + c).collect();
        for (i, idx) in t.indexes.iter().enumerate() {
            if unchanged.get(i).copied().unwrap_or(false)
                || crate::sql::schema_wr::is_table_key(t, idx)
            {
                continue;
            }
            let not_in = self.b.new_label();
            self.partial_skip(t, idx, &regs_v, rowid, not_in.addr())?;
            let key = self.index_key(t, idx, &regs_v, rowid)?;
            let krec = self.b.alloc_reg();
            self.b.emit(Insn::MakeRecord {
                start: key,
                count: super::without_rowid::index_key_len(t, idx),
                dest: krec,
                affinities: None,
            });
            self.b.emit(Insn::IdxInsert {
                cursor: cur.indexes[i],
                key: krec,
            });
            self.b.resolve(not_in);
        }
        Ok(())
    }

    /// Deletes the row under the table cursor and its index entries.
    pub(crate) fn delete_current_row(
        &mut self,
        t: &Table,
        cur: &WriteCursors,
        count_change: bool,
    ) -> Result<(), String> {
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: cur.table,
            dest: rowid,
        });
        let n = t.columns.len();
        let regs = self.b.alloc_regs(n);
        let all = super::index_row::needs_all_columns(t);
        for c in 0..n {
            if all
                || t.indexes
                    .iter()
                    .any(|ix| ix.columns.iter().any(|ic| ic.column == Some(c)))
            {
                self.table_column(t, cur.table, c, regs + c);
            }
        }
        let regs_v: Vec<Reg> = (0..n).map(|c| regs + c).collect();
        for (i, idx) in t.indexes.iter().enumerate() {
            if crate::sql::schema_wr::is_table_key(t, idx) {
                continue;
            }
            let key = self.index_key(t, idx, &regs_v, rowid)?;
            self.b.emit(Insn::IdxDelete {
                cursor: cur.indexes[i],
                key,
                n_keys: super::without_rowid::index_key_len(t, idx),
            });
        }
        self.b.emit(Insn::Delete {
            cursor: cur.table,
            count_change,
            table: Some(t.name.clone()),
        });
        Ok(())
    }
}

/// The mapping entry for a value that goes to the rowid of a table
/// without an INTEGER PRIMARY KEY.
const ROWID: usize = usize::MAX;

/// The position in an INSERT's value list of the value for column `c`
/// (or [`ROWID`]). A column named twice takes its first value, except the
/// rowid and the INTEGER PRIMARY KEY (under any of their names), which take
/// their last one, as in SQLite.
fn value_for(t: &Table, mapping: &[usize], c: usize) -> Option<usize> {
    if c == ROWID || t.ipk == Some(c) {
        mapping.iter().rposition(|&m| m == c)
    } else {
        mapping.iter().position(|&m| m == c)
    }
}

/// Whether some column is named twice in an INSERT's column list.
fn has_duplicates(mapping: &[usize]) -> bool {
    mapping
        .iter()
        .enumerate()
        .any(|(i, m)| mapping[..i].contains(m))
}

fn is_rowid(n: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(n))
}

/// The Halt behaviour of a conflict action (IGNORE/REPLACE handled by callers).
pub(crate) fn on_error(a: ConflictAction) -> OnError {
    match a {
        ConflictAction::Rollback => OnError::Rollback,
        ConflictAction::Fail => OnError::Fail,
        ConflictAction::Abort | ConflictAction::Ignore | ConflictAction::Replace => OnError::Abort,
    }
}
