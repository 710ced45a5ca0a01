//! INSERT, UPDATE and DELETE on virtual tables, through xUpdate.
//!
//! SQLite counterpart: the `IsVirtual` branches of insert.c, update.c
//! (`updateVirtualTable`) and delete.c, which end in OP_VUpdate.
//!
//! Invariants:
//! 1. UPDATE and DELETE first collect the xUpdate argument rows of every
//!    matching row into an ephemeral table, then call xUpdate for each, so
//!    the module's cursor never sees its own writes.
//! 2. xUpdate's arguments: DELETE `(rowid)`; INSERT `(NULL, new rowid or
//!    NULL, columns…)`; UPDATE `(old rowid, new rowid, columns…)`.
//! 3. The conflict mode is the statement's `OR` clause, ABORT by default.

use super::expr::Scope;
use super::Gen;
use crate::sql::ast::{ConflictAction, Delete, Expr, Insert, InsertSource, Update};
use crate::vdbe::insn_vtab::VtabOp;
use crate::vdbe::{Insn, Reg};
use crate::vtab::ConflictMode;

fn mode(a: Option<ConflictAction>) -> ConflictMode {
    match a {
        None | Some(ConflictAction::Abort) => ConflictMode::Abort,
        Some(ConflictAction::Rollback) => ConflictMode::Rollback,
        Some(ConflictAction::Ignore) => ConflictMode::Ignore,
        Some(ConflictAction::Fail) => ConflictMode::Fail,
        Some(ConflictAction::Replace) => ConflictMode::Replace,
    }
}

fn is_rowid_name(n: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(n))
}

impl Gen<'_> {
    /// The table's instance if `name` is a writable virtual table; an
    /// error if it is a read-only one; `None` if it is no virtual table.
    fn writable_vtab(
        &self,
        name: &str,
    ) -> Result<Option<std::sync::Arc<crate::vtab::VTabInstance>>, String> {
        match self.vtab_instance(name, true)? {
            Some(v) if v.vtab.writable() => Ok(Some(v)),
            Some(v) => Err(format!("table {} may not be modified", v.name)),
            None => Ok(None),
        }
    }

    /// INSERT into a virtual table; `Ok(false)` when `ins` names none.
    pub(crate) fn vtab_insert(&mut self, ins: &Insert) -> Result<bool, String> {
        let Some(vtab) = self.writable_vtab(&ins.table.name)? else {
            return Ok(false);
        };
        let (table, hidden) = super::vtab::declared_table(&vtab.name, &vtab.declared)?;
        let n = table.columns.len();
        // Where each inserted value goes: None = rowid, Some(i) = column i.
        // Without a column list only the visible columns take values.
        let targets: Vec<Option<usize>> = if ins.columns.is_empty() {
            (0..n)
                .filter(|&i| !hidden.get(i).copied().unwrap_or(false))
                .map(Some)
                .collect()
        } else {
            let mut v = Vec::new();
            for c in &ins.columns {
                match table.column_index(c) {
                    Some(i) => v.push(Some(i)),
                    None if is_rowid_name(c) => v.push(None),
                    None => return Err(format!("table {} has no column named {c}", vtab.name)),
                }
            }
            v
        };
        self.use_db(true);
        self.b
            .emit(Insn::Vtab(VtabOp::VBegin { vtab: vtab.clone() }));
        let argv = self.b.alloc_regs(n + 2);
        let op = VtabOp::VUpdate {
            vtab: vtab.clone(),
            args: argv,
            n_args: n + 2,
            on_conflict: mode(ins.or_conflict),
        };
        let sel = match &ins.source {
            InsertSource::DefaultValues => {
                self.b.emit(Insn::Null {
                    dest: argv,
                    count: n + 2,
                });
                self.b.emit(Insn::Vtab(op));
                return Ok(true);
            }
            InsertSource::Select(s) => s,
        };
        let src = self.materialize(sel, &vtab.name, &[])?;
        let width = src.table.columns.len();
        if width != targets.len() {
            return Err(if ins.columns.is_empty() {
                format!(
                    "table {} has {} columns but {} values were supplied",
                    vtab.name,
                    targets.len(),
                    width
                )
            } else {
                format!("{} values for {} columns", width, targets.len())
            });
        }
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: src.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        self.b.emit(Insn::Null {
            dest: argv,
            count: n + 2,
        });
        for (k, t) in targets.iter().enumerate() {
            let dest = t.map_or(argv + 1, |i| argv + 2 + i);
            self.b.emit(Insn::Column {
                cursor: src.cursor,
                column: k,
                dest,
                default: None,
            });
        }
        self.b.emit(Insn::Vtab(op));
        self.b.emit(Insn::Next {
            cursor: src.cursor,
            target: top,
        });
        self.b.resolve(done);
        Ok(true)
    }

    /// DELETE from a virtual table; `Ok(false)` when `d` names none.
    pub(crate) fn vtab_delete(&mut self, d: &Delete) -> Result<bool, String> {
        let Some(vtab) = self.writable_vtab(&d.table.name)? else {
            return Ok(false);
        };
        self.vtab_rewrite(
            &d.table.name,
            d.alias.as_deref(),
            d.where_.as_ref(),
            None,
            None,
        )?;
        let _ = vtab;
        Ok(true)
    }

    /// UPDATE of a virtual table; `Ok(false)` when `u` names none.
    pub(crate) fn vtab_update(&mut self, u: &Update) -> Result<bool, String> {
        if self.writable_vtab(&u.table.name)?.is_none() {
            return Ok(false);
        }
        if u.from.is_some() {
            return Err("UPDATE FROM on a virtual table is not supported by loom yet".into());
        }
        let mut sets: Vec<(String, Expr)> = Vec::new();
        for s in &u.sets {
            if s.columns.len() != 1 {
                return Err("row-value SET on a virtual table is not supported by loom yet".into());
            }
            sets.push((s.columns[0].clone(), s.expr.clone()));
        }
        self.vtab_rewrite(
            &u.table.name,
            u.alias.as_deref(),
            u.where_.as_ref(),
            Some(&sets),
            u.or_conflict,
        )?;
        Ok(true)
    }

    /// The two passes of UPDATE (`sets` given) and DELETE (invariant 1).
    fn vtab_rewrite(
        &mut self,
        name: &str,
        alias: Option<&str>,
        where_: Option<&Expr>,
        sets: Option<&[(String, Expr)]>,
        or: Option<ConflictAction>,
    ) -> Result<(), String> {
        let src = self
            .open_vtab_source(name, alias, &[])?
            .ok_or_else(|| format!("no such table: {name}"))?;
        let vtab = self
            .vtab_cursors
            .iter()
            .find(|v| v.cursor == src.cursor)
            .map(|v| v.vtab.clone())
            .ok_or_else(|| format!("no such table: {name}"))?;
        self.use_db(true);
        self.b
            .emit(Insn::Vtab(VtabOp::VBegin { vtab: vtab.clone() }));
        let n = src.table.columns.len();
        let width = if sets.is_some() { n + 2 } else { 1 };
        let mut targets: Vec<(Option<usize>, Expr)> = Vec::new();
        for (c, e) in sets.unwrap_or(&[]) {
            match src.table.column_index(c) {
                Some(i) => targets.push((Some(i), e.clone())),
                None if is_rowid_name(c) => targets.push((None, e.clone())),
                None => return Err(format!("no such column: {c}")),
            }
        }
        let eph = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: width,
            key_info: None,
        });
        let cursor = src.cursor;
        let scope = Scope {
            sources: vec![src],
            ..self.base_scope()
        };
        let lp = self.begin_loops(&scope, where_, None)?;
        let row: Reg = self.b.alloc_regs(width);
        self.b.emit(Insn::Rowid { cursor, dest: row });
        if sets.is_some() {
            self.b.emit(Insn::Rowid {
                cursor,
                dest: row + 1,
            });
            for i in 0..n {
                self.b.emit(Insn::Column {
                    cursor,
                    column: i,
                    dest: row + 2 + i,
                    default: None,
                });
            }
            for (t, e) in &targets {
                let dest = t.map_or(row + 1, |i| row + 2 + i);
                self.expr_into(e, &scope, dest)?;
            }
        }
        self.append_row(eph, row, width);
        self.end_loops(lp);
        let argv = self.b.alloc_regs(width);
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        for k in 0..width {
            self.b.emit(Insn::Column {
                cursor: eph,
                column: k,
                dest: argv + k,
                default: None,
            });
        }
        self.b.emit(Insn::Vtab(VtabOp::VUpdate {
            vtab,
            args: argv,
            n_args: width,
            on_conflict: mode(or),
        }));
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }

    /// Appends registers `start..start+n` as a row of ephemeral `cursor`.
    fn append_row(&mut self, cursor: usize, start: Reg, n: usize) {
        let rec = self.b.alloc_reg();
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count: n,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::NewRowid {
            cursor,
            dest: rowid,
            autoinc_reg: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            flags: Default::default(),
        });
    }
}
