//! Index lookups driven by a set of keys: `col IN (list)`,
//! `col IN (SELECT …)` and `col IS NULL`.
//!
//! SQLite counterpart: the IN-operator handling of wherecode.c
//! (`codeEqualityTerm` with `sqlite3FindInIndex`) and the `IS NULL`
//! equality of whereexpr.c (optoverview.html, "The IN operator").
//!
//! The IN values are gathered into an ephemeral index ordered like the
//! index column (same collation and direction, the comparison affinity
//! applied), so equal values collapse into one and the outer loop over the
//! values, with an equality range scan of the index for each, yields the
//! rows in index order, each row once.
//!
//! Invariants:
//! 1. A term is only used when it is not negated, its values are
//!    computable before the loop opens (list items from outer loops only, a
//!    subquery that reads no column of the enclosing query), so every row
//!    the loop yields satisfies the term and the term is not re-checked.
//! 2. NULL values in the set match no row: they are skipped.
//! 3. `col IS NULL` scans exactly the index entries whose key is NULL.

use std::sync::Arc;

use super::expr::Scope;
use super::planner::Access;
use super::planner_cost::{Bound, Constraint};
use super::planner_terms::walk;
use super::select::Dest;
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::{Expr, ExprKind, ResultColumn, Select, SelectCore, TableSource};
use crate::sql::schema::{Index, Table};
use crate::vdbe::{Insn, Reg, RootPage};

impl Gen<'_> {
    /// The IN / IS NULL constraint term `t` puts on a column of source
    /// `si`, when usable (invariant 1).
    pub(super) fn set_constraint(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Option<Constraint>, String> {
        let (col_expr, op) = match &t.kind {
            ExprKind::IsNull(x, false) => (x, Bound::Null),
            ExprKind::InList {
                expr,
                negated: false,
                list,
            } => {
                for item in list {
                    if matches!(item.kind, ExprKind::Collate(..))
                        || !self.computable(item, scope, avail)?
                    {
                        return Ok(None);
                    }
                }
                (expr, Bound::In)
            }
            ExprKind::InSelect {
                expr,
                negated: false,
                select,
            } if self.self_contained(select) => (expr, Bound::In),
            _ => return Ok(None),
        };
        let ExprKind::Column { table, column, .. } = &col_expr.kind else {
            return Ok(None);
        };
        match self.resolve_column(scope, table.as_deref(), column)? {
            Some((s, col)) if s == si => Ok(Some(Constraint {
                col,
                op,
                value: t.clone(),
                cmp_aff: (self.expr_affinity(col_expr, scope), None),
                strict: false,
                coll: None,
            })),
            _ => Ok(None),
        }
    }

    /// True if every column `sel` reads belongs to a table of its own FROM
    /// clauses (so it can run before the enclosing query's loops).
    fn self_contained(&self, sel: &Select) -> bool {
        self.select_within(sel, Vec::new())
    }

    /// True if every column `sel` reads belongs to a table of its own FROM
    /// clauses or of `tables` (those of the queries enclosing it, up to the
    /// IN subquery).
    fn select_within(&self, sel: &Select, mut tables: Vec<NamedTable>) -> bool {
        if sel.with.is_some() {
            return false;
        }
        let cores = std::iter::once(&sel.first).chain(sel.compounds.iter().map(|(_, c)| c));
        let mut exprs: Vec<&Expr> = Vec::new();
        for core in cores {
            let SelectCore::Select(s) = core else {
                return false;
            };
            for item in s.from.iter().flat_map(|f| f.items.iter()) {
                let TableSource::Table(q) = &item.source else {
                    return false;
                };
                if q.schema.is_some() || item.constraint.is_some() {
                    return false;
                }
                let Some(tab) = self.main_schema().table(&q.name) else {
                    return false;
                };
                tables.push((item.alias.clone().unwrap_or_else(|| q.name.clone()), tab));
            }
            for c in &s.columns {
                match c {
                    ResultColumn::Expr { expr, .. } => exprs.push(expr),
                    _ => return false,
                }
            }
            exprs.extend(
                s.where_
                    .iter()
                    .chain(s.group_by.iter())
                    .chain(s.having.iter()),
            );
        }
        if !sel.order_by.is_empty() || sel.limit.is_some() {
            return false;
        }
        exprs.iter().all(|e| self.columns_within(e, &tables))
    }

    /// True if every column reference in `e` names a column of one of
    /// `tables`, subqueries included.
    fn columns_within(&self, e: &Expr, tables: &[NamedTable]) -> bool {
        let mut ok = true;
        walk(e, &mut |x| match &x.kind {
            ExprKind::Column { table, column, .. } => {
                let has = |t: &Table| {
                    t.column_index(column).is_some()
                        || ["rowid", "oid", "_rowid_"]
                            .iter()
                            .any(|r| r.eq_ignore_ascii_case(column))
                };
                ok &= match table {
                    Some(q) => tables
                        .iter()
                        .any(|(n, t)| n.eq_ignore_ascii_case(q) && has(t)),
                    None => tables.iter().any(|(_, t)| has(t)),
                };
            }
            ExprKind::Exists(s) | ExprKind::Subquery(s) | ExprKind::InSelect { select: s, .. } => {
                ok &= self.select_within(s, tables.to_vec())
            }
            _ => {}
        });
        ok
    }

    /// Opens the loop of an [`super::planner_cost::Probe::IndexIn`] path.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn open_index_in(
        &mut self,
        table_cursor: Option<usize>,
        index: &Index,
        term: &Expr,
        aff: Affinity,
        scope: &Scope,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let idx_cursor = self.open_index_cursor(index)?;
        let eph = self.b.alloc_cursor();
        let key_info = self.first_column_key(index)?;
        self.fill_in_set(eph, key_info, term, aff, scope)?;
        let (in_top, key, in_next) = self.in_set_loop_head(eph, exit);
        let top = self.seek_index_eq(idx_cursor, key, in_next);
        if let Some(tc) = table_cursor {
            self.visit_table_row(tc, idx_cursor, index, cont);
        }
        Ok(Access::IndexIn {
            idx_cursor,
            top,
            eph,
            in_top,
            in_next,
        })
    }

    /// Opens the loop of a [`super::planner_cost::Probe::RowidIn`] path.
    pub(super) fn open_rowid_in(
        &mut self,
        cursor: usize,
        term: &Expr,
        scope: &Scope,
        exit: Label,
    ) -> Result<Access, String> {
        let eph = self.b.alloc_cursor();
        let key_info = Arc::new(KeyInfo::binary(1));
        self.fill_in_set(eph, key_info, term, Affinity::Numeric, scope)?;
        let (in_top, key, in_next) = self.in_set_loop_head(eph, exit);
        self.b.emit(Insn::SeekRowid {
            cursor,
            rowid: key,
            not_found: in_next.addr(),
        });
        Ok(Access::RowidIn {
            eph,
            in_top,
            in_next,
        })
    }

    /// Opens the loop of an [`super::planner_cost::Probe::IndexNull`] path.
    pub(super) fn open_index_null(
        &mut self,
        table_cursor: Option<usize>,
        index: &Index,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let idx_cursor = self.open_index_cursor(index)?;
        let key = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: key,
            count: 1,
        });
        let top = self.seek_index_eq(idx_cursor, key, exit);
        if let Some(tc) = table_cursor {
            self.visit_table_row(tc, idx_cursor, index, cont);
        }
        Ok(Access::Index { idx_cursor, top })
    }

    /// The key of `index`'s first column: its collation and direction.
    fn first_column_key(&self, index: &Index) -> Result<Arc<KeyInfo>, String> {
        let coll = self.collation(&index.columns[0].collation)?;
        Ok(Arc::new(KeyInfo {
            collations: vec![coll],
            desc: vec![index.columns[0].desc],
        }))
    }

    /// The head of a loop over the IN set in `eph`: rewinds it (to `exit`
    /// when empty) and loads each value into `key`, skipping NULLs.
    /// Returns (loop top, key register, label of the next value).
    fn in_set_loop_head(&mut self, eph: usize, exit: Label) -> (usize, Reg, Label) {
        let in_next = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: exit.addr(),
        });
        let in_top = self.b.here();
        let key = self.b.alloc_reg();
        self.b.emit(Insn::Column {
            cursor: eph,
            column: 0,
            dest: key,
            default: None,
        });
        self.b.emit(Insn::IsNull {
            reg: key,
            target: in_next.addr(),
        });
        (in_top, key, in_next)
    }

    /// Opens a read cursor on `index` (keyed on its first column).
    pub(super) fn open_index_cursor(&mut self, index: &Index) -> Result<usize, String> {
        let key_info = self.first_column_key(index)?;
        Ok(self.open_index_read(index, key_info))
    }

    /// Opens a read cursor on `index` compared with `key_info`.
    pub(super) fn open_index_read(
        &mut self,
        index: &Index,
        key_info: std::sync::Arc<crate::record::KeyInfo>,
    ) -> usize {
        let idx_cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor: idx_cursor,
            db: 0,
            root: RootPage::Page(index.root),
            n_cols: index.columns.len() + 1,
            key_info: Some(key_info),
        });
        self.mark_index_cursor_of(index, idx_cursor);
        idx_cursor
    }

    /// Seeks the first entry equal to `key`; returns the loop top, where
    /// the entry is checked to still equal `key` (else jump to `done`).
    fn seek_index_eq(&mut self, idx_cursor: usize, key: Reg, done: Label) -> usize {
        self.b.emit(Insn::SeekGE {
            cursor: idx_cursor,
            key,
            n_keys: 1,
            not_found: done.addr(),
        });
        let top = self.b.here();
        self.b.emit(Insn::IdxGT {
            cursor: idx_cursor,
            key,
            n_keys: 1,
            target: done.addr(),
        });
        top
    }

    /// Fills ephemeral index `eph` with the values of the IN `term`.
    fn fill_in_set(
        &mut self,
        eph: usize,
        key_info: Arc<KeyInfo>,
        term: &Expr,
        aff: Affinity,
        scope: &Scope,
    ) -> Result<(), String> {
        let affinity = (aff != Affinity::Blob).then_some(aff);
        match &term.kind {
            ExprKind::InList { list, .. } => {
                let constant = list.iter().all(|e| {
                    let mut c = true;
                    walk(e, &mut |x| c &= !matches!(x.kind, ExprKind::Column { .. }));
                    c
                });
                let built = self.b.new_label();
                if constant {
                    self.b.emit(Insn::Once {
                        target: built.addr(),
                    });
                }
                self.b.emit(Insn::OpenEphemeral {
                    cursor: eph,
                    n_cols: 1,
                    key_info: Some(key_info),
                });
                for item in list {
                    let r = self.expr_copy(item, scope)?;
                    if let Some(a) = affinity {
                        self.b.emit(Insn::Affinity {
                            start: r,
                            count: 1,
                            affinities: vec![a],
                        });
                    }
                    let rec = self.b.alloc_reg();
                    self.b.emit(Insn::MakeRecord {
                        start: r,
                        count: 1,
                        dest: rec,
                        affinities: None,
                    });
                    self.b.emit(Insn::IdxInsert {
                        cursor: eph,
                        key: rec,
                    });
                }
                self.b.resolve(built);
                Ok(())
            }
            ExprKind::InSelect { select, .. } => {
                let dest = Dest::EphIndex {
                    cursor: eph,
                    affinity,
                    null_flag: None,
                };
                let width = self.subquery_block(select, scope, &dest, &|g: &mut Gen| {
                    g.b.emit(Insn::OpenEphemeral {
                        cursor: eph,
                        n_cols: 1,
                        key_info: Some(key_info.clone()),
                    });
                })?;
                if width != 1 {
                    return Err(format!("sub-select returns {width} columns - expected 1"));
                }
                Ok(())
            }
            _ => Err("IN term expected by the planner".into()),
        }
    }
}

/// A FROM-clause table with the name it is referred to by.
type NamedTable = (String, Arc<Table>);
