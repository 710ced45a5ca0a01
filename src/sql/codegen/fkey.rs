//! Foreign key checks around a row change (PRAGMA foreign_keys = ON).
//!
//! SQLite counterpart: fkey.c (`sqlite3FkCheck`, `fkLookupParent`,
//! `fkScanChildren`, `sqlite3FkLocateIndex`, `sqlite3FkRequired`);
//! foreignkeys.html.
//!
//! A row change counts violations instead of failing at once: every child
//! row whose parent key is missing adds one to a counter (OP_FkCounter),
//! every change that repairs one subtracts one. Immediate constraints use
//! the statement's counter, checked when it halts; deferred ones the
//! transaction's, checked at COMMIT (see vdbe/exec_fkey.rs).
//!
//! Invariants:
//! 1. Child side: the old row of a DELETE/UPDATE subtracts one if it had
//!    no parent (skipped when the counter is already zero), the new row of
//!    an INSERT/UPDATE adds one if it has none; a NULL in any child key
//!    column means "no reference".
//! 2. Parent side: removing a parent key adds one per child row that
//!    references it (not counting the row itself in a self-referencing
//!    table); adding one subtracts one per child row it now satisfies.
//! 3. An UPDATE checks a constraint on a side only if the statement assigns
//!    one of that side's key columns (`fkChildIsModified`,
//!    `fkParentIsModified`).
//! 4. The parent key must be the parent's PRIMARY KEY or have a UNIQUE
//!    index with the same columns and collations, else the statement fails
//!    with `foreign key mismatch - "child" referencing "parent"` (not while
//!    DROP TABLE empties a table: those constraints are skipped).

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::trigger::RowRegs;
use super::Gen;
use crate::sql::ast::{BinaryOp, Expr, ExprKind};
use crate::sql::schema::{ForeignKey, Index, Table};
use crate::vdbe::{Insn, Reg, RootPage};

/// Marker in `active_triggers` while DROP TABLE's implicit DELETE is coded.
pub(super) const DROP_MARK: &str = "\u{1}fkdrop";
/// Marker in `active_triggers` while an INSERT that may write several rows
/// is coded (SQLite's `isMultiWrite`).
pub(super) const MULTI_MARK: &str = "\u{1}fkmulti";
/// Prefix of the markers of foreign key actions being expanded.
pub(super) const ACTION_MARK: &str = "\u{1}fkact";

/// How a parent key is found: the INTEGER PRIMARY KEY or a UNIQUE index.
#[derive(Clone, Debug)]
pub(crate) struct ParentKey {
    pub parent: Arc<Table>,
    /// Parent column of each foreign key column (in the FK's order).
    pub cols: Vec<usize>,
    /// `None`: the parent key is the rowid. Otherwise the index and, for
    /// each of its key columns, the FK column position that fills it.
    pub index: Option<(Index, Vec<usize>)>,
}

/// What a scan of the child rows does with each row it finds.
#[derive(Clone, Debug)]
pub(crate) enum ScanBody {
    /// OP_FkCounter with this delta.
    Count(i64),
    /// Fail at once (ON ... RESTRICT, the action depth limit).
    Fail(crate::rc::ResultCode, String),
}

/// The register holding column `c` of a row image (the rowid for the
/// INTEGER PRIMARY KEY).
pub(crate) fn col_reg(t: &Table, row: &RowRegs, c: usize) -> Reg {
    if t.ipk == Some(c) {
        row.1
    } else {
        row.0.get(c).copied().unwrap_or(row.1)
    }
}

/// An expression `table.column` (spans are empty: never shown).
pub(crate) fn col_expr(table: &str, column: &str) -> Expr {
    Expr {
        kind: ExprKind::Column {
            schema: None,
            table: Some(table.to_string()),
            column: column.to_string(),
            double_quoted: false,
        },
        span: (0, 0),
        height: 1,
    }
}

pub(crate) fn binary(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    let height = a.height.max(b.height) + 1;
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        span: (0, 0),
        height,
    }
}

/// The name a parent column is referred to by (the rowid for the IPK).
pub(crate) fn parent_col_name(t: &Table, c: usize) -> String {
    if t.ipk == Some(c) {
        "rowid".to_string()
    } else {
        t.columns.get(c).map(|c| c.name.clone()).unwrap_or_default()
    }
}

fn mismatch(child: &str, parent: &str) -> String {
    format!("foreign key mismatch - \"{child}\" referencing \"{parent}\"")
}

impl Gen<'_> {
    /// PRAGMA foreign_keys is on for this statement.
    pub(crate) fn fk_enabled(&self) -> bool {
        self.env.foreign_keys
    }

    pub(super) fn fk_dropping(&self) -> bool {
        self.active_triggers.iter().any(|a| a == DROP_MARK)
    }

    /// The foreign keys that name `t` as their parent: (child, constraint).
    pub(crate) fn fk_references(&self, t: &Table) -> Vec<(Arc<Table>, ForeignKey)> {
        let mut out = Vec::new();
        for child in self.main_schema().tables() {
            for fk in &child.fkeys {
                if fk.table.eq_ignore_ascii_case(&t.name) {
                    out.push((child.clone(), fk.clone()));
                }
            }
        }
        out
    }

    /// True if changing rows of `t` needs foreign key code.
    pub(crate) fn fk_required(&self, t: &Table) -> bool {
        self.fk_enabled() && (!t.fkeys.is_empty() || !self.fk_references(t).is_empty())
    }

    /// Finds the parent key of `fk` (`sqlite3FkLocateIndex`); `Ok(None)`
    /// when the parent table does not exist.
    pub(crate) fn fk_locate(
        &self,
        child: &Table,
        fk: &ForeignKey,
    ) -> Result<Option<ParentKey>, String> {
        let Some(parent) = self.main_schema().table(&fk.table) else {
            return Ok(None);
        };
        let n = fk.from.len();
        let wanted: Option<Vec<usize>> = if fk.to.is_empty() {
            None
        } else {
            let mut v = Vec::new();
            for name in &fk.to {
                v.push(
                    parent
                        .column_index(name)
                        .ok_or_else(|| mismatch(&child.name, &fk.table))?,
                );
            }
            Some(v)
        };
        let ipk_match = match &wanted {
            None => parent.ipk.is_some(),
            Some(v) => v.len() == 1 && parent.ipk == v.first().copied(),
        };
        if ipk_match && n == 1 {
            let c = parent.ipk.unwrap_or(0);
            return Ok(Some(ParentKey {
                parent: parent.clone(),
                cols: vec![c],
                index: None,
            }));
        }
        for idx in &parent.indexes {
            if !idx.unique || idx.partial.is_some() || idx.columns.len() != n {
                continue;
            }
            if wanted.is_none() && !idx.is_primary_key {
                continue;
            }
            if let Some(found) = match_index(&parent, idx, wanted.as_deref()) {
                let cols = match &wanted {
                    Some(v) => v.clone(),
                    None => idx.columns.iter().filter_map(|c| c.column).collect(),
                };
                return Ok(Some(ParentKey {
                    parent: parent.clone(),
                    cols,
                    index: Some((idx.clone(), found)),
                }));
            }
        }
        Err(mismatch(&child.name, &fk.table))
    }

    /// Locates the parent key for a check; `Ok(None)` means "skip".
    fn fk_locate_for_check(
        &self,
        child: &Table,
        fk: &ForeignKey,
    ) -> Result<Option<ParentKey>, String> {
        match self.fk_locate(child, fk) {
            Ok(Some(pk)) => Ok(Some(pk)),
            Ok(None) if self.fk_dropping() => Ok(None),
            Ok(None) => Err(format!("no such table: main.{}", fk.table)),
            Err(_) if self.fk_dropping() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `sqlite3FkCheck`: the child-side and parent-side counters for a row
    /// change of `t`. `changed` is the UPDATE's assigned columns (`None`
    /// for INSERT and DELETE), `rowid_changed` whether it assigns the rowid.
    pub(crate) fn fk_check(
        &mut self,
        t: &Arc<Table>,
        old: Option<&RowRegs>,
        new: Option<&RowRegs>,
        changed: Option<&[usize]>,
        rowid_changed: bool,
    ) -> Result<(), String> {
        if !self.fk_enabled() {
            return Ok(());
        }
        for fk in t.fkeys.clone() {
            if let Some(set) = changed {
                let hit = fk
                    .from
                    .iter()
                    .any(|c| set.contains(c) || (rowid_changed && t.ipk == Some(*c)));
                if !hit {
                    continue;
                }
            }
            let pk = match self.fk_locate_for_check(t, &fk) {
                Ok(Some(pk)) => pk,
                Ok(None) => {
                    if let Some(o) = old {
                        self.fk_orphan_decrement(t, &fk, o);
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(o) = old {
                self.fk_lookup_parent(t, &fk, &pk, o, -1)?;
            }
            if let Some(nw) = new {
                self.fk_lookup_parent(t, &fk, &pk, nw, 1)?;
            }
        }
        if old.is_some() && !self.fk_dropping() {
            // `sqlite3FkOldmask`: an UPDATE or DELETE of a parent looks up
            // the key of every constraint that references it.
            for (child, fk) in self.fk_references(t) {
                self.fk_locate(&child, &fk)?;
            }
        }
        for (child, fk) in self.fk_references(t) {
            if let Some(set) = changed {
                if !parent_cols_modified(t, &fk, set, rowid_changed) {
                    continue;
                }
            }
            // A single INSERT cannot repair an immediate constraint; SQLite
            // does not even look for the parent key then.
            let inserting = old.is_none() && changed.is_none();
            let pk = match self.fk_locate_for_check(&child, &fk) {
                Ok(Some(pk)) => pk,
                Ok(None) => continue,
                Err(_) if inserting && !fk.deferred && self.active_triggers.is_empty() => continue,
                Err(e) => return Err(e),
            };
            if let Some(set) = changed {
                if !parent_modified(&pk, set, rowid_changed) {
                    continue;
                }
            }
            if let Some(nw) = new {
                self.fk_scan_children(&pk, &child, &fk, nw, ScanBody::Count(-1))?;
            }
            if let Some(o) = old {
                self.fk_scan_children(&pk, &child, &fk, o, ScanBody::Count(1))?;
            }
        }
        Ok(())
    }

    /// A deleted child row whose parent table is gone (DROP TABLE): it no
    /// longer violates anything.
    fn fk_orphan_decrement(&mut self, t: &Table, fk: &ForeignKey, row: &RowRegs) {
        let skip = self.b.new_label();
        for &c in &fk.from {
            let reg = col_reg(t, row, c);
            self.b.emit(Insn::IsNull {
                reg,
                target: skip.addr(),
            });
        }
        self.b.emit(Insn::FkCounter {
            deferred: fk.deferred,
            delta: -1,
        });
        self.b.resolve(skip);
    }

    /// `fkLookupParent`: counts `delta` if the row's parent key is absent.
    fn fk_lookup_parent(
        &mut self,
        child: &Table,
        fk: &ForeignKey,
        pk: &ParentKey,
        row: &RowRegs,
        delta: i64,
    ) -> Result<(), String> {
        let ok = self.b.new_label();
        let violation = self.b.new_label();
        if delta < 0 {
            self.b.emit(Insn::FkIfZero {
                deferred: fk.deferred,
                target: ok.addr(),
            });
        }
        let self_ref = delta > 0 && pk.parent.name.eq_ignore_ascii_case(&child.name);
        self.fk_probe(child, fk, pk, row, self_ref, ok.addr(), violation.addr())?;
        self.b.resolve(violation);
        self.b.emit(Insn::FkCounter {
            deferred: fk.deferred,
            delta,
        });
        self.b.resolve(ok);
        Ok(())
    }

    /// Jumps to `ok` when the row's key has a NULL or its parent exists,
    /// else to `missing` (foreign_key_check's probe).
    pub(crate) fn fk_probe_parent(
        &mut self,
        child: &Table,
        fk: &ForeignKey,
        pk: &ParentKey,
        row: &RowRegs,
        ok: usize,
        missing: usize,
    ) -> Result<(), String> {
        self.fk_probe(child, fk, pk, row, false, ok, missing)
    }

    #[allow(clippy::too_many_arguments)]
    fn fk_probe(
        &mut self,
        child: &Table,
        fk: &ForeignKey,
        pk: &ParentKey,
        row: &RowRegs,
        self_ref: bool,
        ok: usize,
        missing: usize,
    ) -> Result<(), String> {
        let vals: Vec<Reg> = fk.from.iter().map(|&c| col_reg(child, row, c)).collect();
        for &reg in &vals {
            self.b.emit(Insn::IsNull { reg, target: ok });
        }
        let cursor = self.b.alloc_cursor();
        match &pk.index {
            None => {
                let tmp = self.b.alloc_reg();
                self.b.emit(Insn::SCopy {
                    src: vals[0],
                    dest: tmp,
                });
                self.b.emit(Insn::MustBeInt {
                    reg: tmp,
                    target: Some(missing),
                });
                if self_ref {
                    self.emit_eq_jump(tmp, row.1, ok);
                }
                self.b.emit(Insn::OpenRead {
                    cursor,
                    db: 0,
                    root: RootPage::Page(pk.parent.root),
                    n_cols: pk.parent.columns.len(),
                    key_info: None,
                });
                self.b.emit(Insn::NotExists {
                    cursor,
                    rowid: tmp,
                    not_found: missing,
                });
                self.b.emit(Insn::Goto { target: ok });
            }
            Some((idx, order)) => {
                let n = order.len();
                let key = self.b.alloc_regs(n);
                for (k, &pos) in order.iter().enumerate() {
                    self.b.emit(Insn::SCopy {
                        src: vals[pos],
                        dest: key + k,
                    });
                }
                let affinities = idx
                    .columns
                    .iter()
                    .map(|ic| {
                        ic.column
                            .and_then(|c| pk.parent.columns.get(c))
                            .map_or(crate::record::Affinity::Blob, |c| c.affinity)
                    })
                    .collect();
                self.b.emit(Insn::Affinity {
                    start: key,
                    count: n,
                    affinities,
                });
                if self_ref {
                    self.fk_self_match(child, pk, row, &vals, ok);
                }
                let key_info = self.index_key_info(idx)?;
                self.b.emit(Insn::OpenRead {
                    cursor,
                    db: 0,
                    root: RootPage::Page(idx.root),
                    n_cols: n + 1,
                    key_info: Some(key_info),
                });
                self.b.emit(Insn::Found {
                    cursor,
                    key,
                    n_keys: n,
                    target: ok,
                });
                self.b.emit(Insn::Goto { target: missing });
            }
        }
        Ok(())
    }

    /// A self-referencing row that references its own key is satisfied.
    fn fk_self_match(
        &mut self,
        child: &Table,
        pk: &ParentKey,
        row: &RowRegs,
        vals: &[Reg],
        ok: usize,
    ) {
        let differ = self.b.new_label();
        for (j, &pc) in pk.cols.iter().enumerate() {
            let own = col_reg(child, row, pc);
            self.b.emit(Insn::Compare {
                op: crate::vdbe::CmpOp::Ne,
                lhs: vals[j],
                rhs: own,
                target: differ.addr(),
                flags: blob_flags(false),
            });
        }
        self.b.emit(Insn::Goto { target: ok });
        self.b.resolve(differ);
    }

    fn emit_eq_jump(&mut self, a: Reg, b: Reg, target: usize) {
        self.b.emit(Insn::Compare {
            op: crate::vdbe::CmpOp::Eq,
            lhs: a,
            rhs: b,
            target,
            flags: blob_flags(false),
        });
    }

    /// `fkScanChildren`: visits the rows of `child` whose key equals the
    /// parent key in `row` and runs `body` for each.
    pub(crate) fn fk_scan_children(
        &mut self,
        pk: &ParentKey,
        child: &Arc<Table>,
        fk: &ForeignKey,
        row: &RowRegs,
        body: ScanBody,
    ) -> Result<(), String> {
        let done = self.b.new_label();
        if let ScanBody::Count(d) = &body {
            if *d < 0 {
                self.b.emit(Insn::FkIfZero {
                    deferred: fk.deferred,
                    target: done.addr(),
                });
            }
        }
        let depth = self.active_triggers.len();
        let refname = format!("\u{1}fkrow{depth}");
        let pcur = self.b.alloc_cursor();
        let ccur = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor: ccur,
            db: 0,
            root: RootPage::Page(child.root),
            n_cols: child.columns.len(),
            key_info: self.table_key_info(child)?,
        });
        self.mark_table_cursor(child, ccur);
        let mut scope = Scope {
            sources: vec![Source {
                table: child.clone(),
                name: child.name.clone(),
                cursor: ccur,
            }],
            ..self.base_scope()
        };
        scope.row_regs.push((pcur, row.0.clone(), row.1));
        scope.outer.push(Source {
            table: pk.parent.clone(),
            name: refname.clone(),
            cursor: pcur,
        });
        let mut where_ = fk_where(pk, child, fk, &refname);
        let self_ref = pk.parent.name.eq_ignore_ascii_case(&child.name);
        if self_ref && matches!(body, ScanBody::Count(d) if d > 0) {
            let ne = binary(
                BinaryOp::Ne,
                col_expr(&child.name, "rowid"),
                col_expr(&refname, "rowid"),
            );
            where_ = binary(BinaryOp::And, where_, ne);
        }
        let lp = self.begin_loops(&scope, Some(&where_), None)?;
        match body {
            ScanBody::Count(delta) => {
                self.b.emit(Insn::FkCounter {
                    deferred: fk.deferred,
                    delta,
                });
            }
            ScanBody::Fail(rc, msg) => {
                self.b.emit(Insn::Halt {
                    rc,
                    on_error: crate::vdbe::OnError::Abort,
                    msg: Some(msg),
                });
            }
        }
        self.end_loops(lp);
        self.b.resolve(done);
        Ok(())
    }
}

/// True unless `ins` inserts exactly one VALUES row or DEFAULT VALUES.
pub(crate) fn multi_write(ins: &crate::sql::ast::Insert) -> bool {
    use crate::sql::ast::{InsertSource, SelectCore};
    match &ins.source {
        InsertSource::DefaultValues => false,
        InsertSource::Select(sel) => !matches!(
            &sel.first,
            SelectCore::Values(rows) if rows.len() == 1 && sel.compounds.is_empty()
        ),
    }
}

/// `ref.p1 = child.c1 AND ...` (the parent value on the left, so its
/// collation decides, as in SQLite).
pub(crate) fn fk_where(pk: &ParentKey, child: &Table, fk: &ForeignKey, refname: &str) -> Expr {
    let mut out: Option<Expr> = None;
    for (j, &cc) in fk.from.iter().enumerate() {
        let pc = pk.cols.get(j).copied().unwrap_or(0);
        let eq = binary(
            BinaryOp::Eq,
            col_expr(refname, &parent_col_name(&pk.parent, pc)),
            col_expr(&child.name, &parent_col_name(child, cc)),
        );
        out = Some(match out {
            None => eq,
            Some(prev) => binary(BinaryOp::And, prev, eq),
        });
    }
    out.unwrap_or_else(|| col_expr(refname, "rowid"))
}

/// `fkParentIsModified`: whether an UPDATE of `parent` assigning `set`
/// touches a column of the parent key `fk` names (by name, before any
/// index is looked for).
pub(crate) fn parent_cols_modified(
    parent: &Table,
    fk: &ForeignKey,
    set: &[usize],
    rowid_changed: bool,
) -> bool {
    let hit = |c: usize| set.contains(&c) || (rowid_changed && parent.ipk == Some(c));
    if fk.to.is_empty() {
        if let Some(ipk) = parent.ipk {
            return hit(ipk);
        }
        return parent
            .columns
            .iter()
            .enumerate()
            .any(|(i, col)| col.primary_key && hit(i));
    }
    fk.to.iter().filter_map(|n| parent.column_index(n)).any(hit)
}

/// Whether an UPDATE assigning `set` changes the parent key.
pub(crate) fn parent_modified(pk: &ParentKey, set: &[usize], rowid_changed: bool) -> bool {
    pk.cols
        .iter()
        .any(|c| set.contains(c) || (rowid_changed && pk.parent.ipk == Some(*c)))
}

/// Matches the parent key columns `wanted` (or any order of the primary
/// key when `None`) against `idx`; returns, per index column, the FK
/// column position that fills it. Collations must be the columns' own.
fn match_index(parent: &Table, idx: &Index, wanted: Option<&[usize]>) -> Option<Vec<usize>> {
    let mut order = Vec::new();
    for (k, ic) in idx.columns.iter().enumerate() {
        let c = ic.column?;
        let col = parent.columns.get(c)?;
        if !ic.collation.eq_ignore_ascii_case(&col.collation) {
            return None;
        }
        match wanted {
            None => order.push(k),
            Some(w) => order.push(w.iter().position(|&x| x == c)?),
        }
    }
    let mut seen = order.clone();
    seen.sort_unstable();
    seen.dedup();
    (seen.len() == order.len()).then_some(order)
}

/// Exact comparison flags (no affinity, BINARY); `null_eq` for IS.
fn blob_flags(null_eq: bool) -> crate::vdbe::CmpFlags {
    crate::vdbe::CmpFlags {
        affinity: crate::record::Affinity::Blob,
        jump_if_null: !null_eq,
        null_eq,
        store: None,
        collation: None,
    }
}
