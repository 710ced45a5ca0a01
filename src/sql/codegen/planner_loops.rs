//! Code for one loop's access path: rowid ranges, index ranges, full
//! index scans, automatic indexes, and their EXPLAIN QUERY PLAN rows.
//!
//! SQLite counterpart: wherecode.c (`sqlite3WhereCodeOneLoopStart`) and
//! `sqlite3WhereExplainOneScan` of wherecode.c.
//!
//! Invariants:
//! 1. Every path positions the table cursor (or a covering index remap) on
//!    each candidate row before the loop body runs, and jumps to the
//!    level's exit label once the range is exhausted.
//! 2. A NULL key bound matches nothing: the loop exits at once.

use super::expr::{Scope, Source};
use super::planner::Access;
use super::planner_cost::{Bounds, Probe};
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::Expr;
use crate::vdbe::{CmpFlags, CmpOp, Insn, Reg};

/// What an automatic index is keyed on: column `col` of the table,
/// probed with `value` under comparison affinity `aff`, in collation
/// `coll` when the comparison's is not the column's own.
pub(super) struct AutoKey<'e> {
    pub(super) col: usize,
    pub(super) value: &'e Expr,
    pub(super) aff: Affinity,
    pub(super) coll: Option<&'e str>,
    /// Terms on the table alone: rows failing one are left out.
    pub(super) partial: &'e [Expr],
}

/// How an automatic index is filled: the ephemeral cursor, the key
/// column, the columns carried after it and the terms a row must pass.
struct AutoFill<'e> {
    auto: usize,
    key_col: usize,
    carried: &'e [usize],
    partial: &'e [Expr],
}

impl Gen<'_> {
    /// Records the EXPLAIN QUERY PLAN row for a loop over `src` by `probe`.
    pub(super) fn explain_level(&mut self, src: &Source, probe: &Probe) {
        if !self.eqp.enabled {
            return;
        }
        if let Probe::MultiOr { arms } = probe {
            self.explain_multi_or(src, arms);
            return;
        }
        let name = &src.name;
        let cols = &src.table.columns;
        let range = |col: &str, lo: bool, hi: bool| match (lo, hi) {
            (true, true) => format!("({col}>? AND {col}<?)"),
            (true, false) => format!("({col}>?)"),
            _ => format!("({col}<?)"),
        };
        let detail = match probe {
            Probe::RowidEq(_) | Probe::RowidIn { .. } => {
                format!("SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)")
            }
            Probe::RowidRange { lo, hi, .. } => format!(
                "SEARCH {name} USING INTEGER PRIMARY KEY {}",
                range("rowid", lo.is_some(), hi.is_some())
            ),
            Probe::Index {
                idx, lo, hi, eq, ..
            } => {
                let index = &src.table.indexes[*idx];
                let col = index
                    .columns
                    .first()
                    .and_then(|ic| ic.column)
                    .and_then(|c| cols.get(c))
                    .map_or("rowid", |c| c.name.as_str());
                let terms = if *eq {
                    format!("({col}=?)")
                } else {
                    range(col, lo.is_some(), hi.is_some())
                };
                let covering = self.covering_fields(src.cursor, index).is_some();
                let how = if covering { "COVERING INDEX" } else { "INDEX" };
                if crate::sql::schema_wr::is_table_key(&src.table, index) {
                    format!("SEARCH {name} USING PRIMARY KEY {terms}")
                } else {
                    format!("SEARCH {name} USING {how} {} {terms}", index.name)
                }
            }
            Probe::IndexIn { idx, .. } | Probe::IndexNull { idx } => {
                let index = &src.table.indexes[*idx];
                let col = index
                    .columns
                    .first()
                    .and_then(|ic| ic.column)
                    .and_then(|c| cols.get(c))
                    .map_or("rowid", |c| c.name.as_str());
                if crate::sql::schema_wr::is_table_key(&src.table, index) {
                    format!("SEARCH {name} USING PRIMARY KEY ({col}=?)")
                } else {
                    let covering = self.covering_fields(src.cursor, index).is_some();
                    let how = if covering { "COVERING INDEX" } else { "INDEX" };
                    format!("SEARCH {name} USING {how} {} ({col}=?)", index.name)
                }
            }
            Probe::MultiOr { .. } => return,
            Probe::IndexScan { idx, .. } => {
                let index = &src.table.indexes[*idx];
                let covering = match self.covering_fields(src.cursor, index) {
                    Some(_) => "COVERING ",
                    None => "",
                };
                if crate::sql::schema_wr::is_table_key(&src.table, index) {
                    format!("SCAN {name}")
                } else {
                    format!("SCAN {name} USING {covering}INDEX {}", index.name)
                }
            }
            Probe::TableScan => format!("SCAN {name}"),
            Probe::AutoIndex { col, partial, .. } => {
                let how = match (self.covering_needed(src.cursor), partial) {
                    (Some(_), true) => "PARTIAL COVERING INDEX",
                    (Some(_), false) => "COVERING INDEX",
                    (None, true) => "PARTIAL INDEX",
                    (None, false) => "INDEX",
                };
                let col = cols.get(*col).map_or("?", |c| c.name.as_str());
                format!("SEARCH {name} USING AUTOMATIC {how} ({col}=?)")
            }
            Probe::Scan => match self.covering_index(src) {
                Some(i) => format!(
                    "SCAN {name} USING COVERING INDEX {}",
                    src.table.indexes[i].name
                ),
                None => format!("SCAN {name}"),
            },
        };
        self.eqp.add(|| detail);
    }

    /// A scan of the rowids between `bounds.lo` and `bounds.hi`, each
    /// excluded when strict, enforcing the bounding terms exactly: the
    /// lower bound is a `SeekGE`/`SeekGT` (which applies NUMERIC affinity
    /// and finds nothing for a NULL, text or blob key, all of which sort
    /// after every integer), the upper bound is evaluated once before the
    /// loop and compared with each row's rowid, leaving the loop on the
    /// first rowid past it (or at once for a NULL bound).
    pub(super) fn open_rowid_range(
        &mut self,
        cursor: usize,
        scope: &Scope,
        bounds: Bounds,
        exit: Label,
    ) -> Result<Access, String> {
        match bounds.lo {
            Some(e) => {
                let key = self.expr(e, scope)?;
                let not_found = exit.addr();
                self.b.emit(match bounds.strict[0] {
                    true => Insn::SeekGT {
                        cursor,
                        key,
                        n_keys: 1,
                        not_found,
                    },
                    false => Insn::SeekGE {
                        cursor,
                        key,
                        n_keys: 1,
                        not_found,
                    },
                });
            }
            None => {
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: exit.addr(),
                });
            }
        }
        let hi_reg = match bounds.hi {
            Some(e) => {
                let r = self.expr_copy(e, scope)?;
                self.b.emit(Insn::Affinity {
                    start: r,
                    count: 1,
                    affinities: vec![Affinity::Numeric],
                });
                Some(r)
            }
            None => None,
        };
        let top = self.b.here();
        if let Some(h) = hi_reg {
            let r = self.b.alloc_reg();
            self.b.emit(Insn::Rowid { cursor, dest: r });
            let flags = CmpFlags {
                affinity: Affinity::Numeric,
                jump_if_null: true,
                null_eq: false,
                store: None,
                collation: None,
            };
            self.b.emit(Insn::Compare {
                op: if bounds.strict[1] {
                    CmpOp::Ge
                } else {
                    CmpOp::Gt
                },
                lhs: r,
                rhs: h,
                target: exit.addr(),
                flags,
            });
        }
        Ok(Access::Scan { top })
    }

    /// An index scan over the entries whose first column lies in the
    /// bounds (equal to `lo` when `eq`), each visiting its table row.
    pub(super) fn open_index_range(
        &mut self,
        table_cursor: Option<usize>,
        index: &crate::sql::schema::Index,
        scope: &Scope,
        bounds: Bounds,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let idx_cursor = self.open_index_cursor(index)?;
        let lo = self.bound_key(bounds.lo, bounds.aff, scope, exit)?;
        let hi = if bounds.eq {
            lo
        } else {
            self.bound_key(bounds.hi, bounds.aff, scope, exit)?
        };
        // A DESC column stores values descending with NULLs last: start at
        // the upper bound and stop at the lower one (or the first NULL).
        let desc = index.columns[0].desc;
        let (start, stop) = if desc { (hi, lo) } else { (lo, hi) };
        let null = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: null,
            count: 1,
        });
        // A strict bound excludes its value: seek past it, stop on reaching it.
        let (start_strict, stop_strict) = match desc {
            false => (bounds.strict[0], bounds.strict[1]),
            true => (bounds.strict[1], bounds.strict[0]),
        };
        match start {
            Some(key) if start_strict && !bounds.eq => self.b.emit(Insn::SeekGT {
                cursor: idx_cursor,
                key,
                n_keys: 1,
                not_found: exit.addr(),
            }),
            Some(key) => self.b.emit(Insn::SeekGE {
                cursor: idx_cursor,
                key,
                n_keys: 1,
                not_found: exit.addr(),
            }),
            // Skip the NULL entries, which sort first.
            None if !desc => self.b.emit(Insn::SeekGT {
                cursor: idx_cursor,
                key: null,
                n_keys: 1,
                not_found: exit.addr(),
            }),
            None => self.b.emit(Insn::Rewind {
                cursor: idx_cursor,
                if_empty: exit.addr(),
            }),
        };
        let top = self.b.here();
        match stop {
            Some(key) if stop_strict && !bounds.eq => self.b.emit(Insn::IdxGE {
                cursor: idx_cursor,
                key,
                n_keys: 1,
                target: exit.addr(),
            }),
            Some(key) => self.b.emit(Insn::IdxGT {
                cursor: idx_cursor,
                key,
                n_keys: 1,
                target: exit.addr(),
            }),
            None if desc => self.b.emit(Insn::IdxGE {
                cursor: idx_cursor,
                key: null,
                n_keys: 1,
                target: exit.addr(),
            }),
            None => self.b.here(),
        };
        if let Some(tc) = table_cursor {
            self.visit_table_row(tc, idx_cursor, index, cont);
        }
        Ok(Access::Index { idx_cursor, top })
    }

    /// Positions the table cursor on the row of the current index entry,
    /// unless the index covers every column the query reads: then column
    /// reads of the table are redirected to the index cursor
    /// (`self.covering_remap`) and the table is never visited.
    pub(super) fn visit_table_row(
        &mut self,
        table_cursor: usize,
        idx_cursor: usize,
        index: &crate::sql::schema::Index,
        cont: Label,
    ) {
        if let Some(fields) = self.covering_fields(table_cursor, index) {
            self.covering_remap.push((table_cursor, idx_cursor, fields));
            return;
        }
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::IdxRowid {
            cursor: idx_cursor,
            dest: rowid,
        });
        self.b.emit(Insn::SeekRowid {
            cursor: table_cursor,
            rowid,
            not_found: cont.addr(),
        });
    }

    /// The columns the query reads from `cursor` (`self.covering_hint`).
    pub(super) fn covering_needed(&self, cursor: usize) -> Option<&Vec<Option<usize>>> {
        let hint = self.covering_hint.as_ref()?;
        hint.iter().find(|h| h.0 == cursor).map(|h| &h.1)
    }

    /// For an index holding every column the query reads from
    /// `table_cursor` (`self.covering_hint`): each needed column with its
    /// field in the index record.
    pub(super) fn covering_fields(
        &self,
        table_cursor: usize,
        index: &crate::sql::schema::Index,
    ) -> Option<Vec<(usize, usize)>> {
        let needed = self.covering_needed(table_cursor)?;
        if index.partial.is_some() || index.root == 0 {
            return None;
        }
        let mut fields = Vec::new();
        for c in needed.iter().flatten() {
            let f = (index.columns.iter().position(|ic| ic.column == Some(*c)))
                .or_else(|| self.wr_index_field_of(index, *c))?;
            fields.push((*c, f));
        }
        Some(fields)
    }

    /// Builds (once per execution) an ephemeral index over the table, then
    /// loops over the entries equal to the key. The index holds the key
    /// column, every other column the query reads from the table and the
    /// rowid, so the table is not visited again (a covering index, as
    /// SQLite's automatic indexes always are); without a covering hint it
    /// holds `(col, rowid)` and each match seeks the table row.
    pub(super) fn open_auto_index(
        &mut self,
        src: &Source,
        key: AutoKey<'_>,
        scope: &Scope,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let auto = self.b.alloc_cursor();
        let name = key.coll.unwrap_or(&src.table.columns[key.col].collation);
        let key_info = std::sync::Arc::new(KeyInfo {
            collations: vec![self.collation(name)?],
            desc: vec![false],
        });
        let carried = self.auto_index_columns(src, key.col);
        let built = self.b.new_label();
        self.b.emit(Insn::Once {
            target: built.addr(),
        });
        let n_fields = 2 + carried.as_ref().map_or(0, Vec::len);
        self.b.emit(Insn::OpenEphemeral {
            cursor: auto,
            n_cols: n_fields,
            key_info: Some(key_info),
        });
        let fill = AutoFill {
            auto,
            key_col: key.col,
            carried: carried.as_deref().unwrap_or(&[]),
            partial: key.partial,
        };
        self.fill_auto_index(src, &fill, scope)?;
        self.b.resolve(built);
        let k = self
            .bound_key(Some(key.value), key.aff, scope, exit)?
            .unwrap_or(0);
        self.b.emit(Insn::SeekGE {
            cursor: auto,
            key: k,
            n_keys: 1,
            not_found: exit.addr(),
        });
        let top = self.b.here();
        self.b.emit(Insn::IdxGT {
            cursor: auto,
            key: k,
            n_keys: 1,
            target: exit.addr(),
        });
        match carried {
            Some(cols) => {
                let mut fields = vec![(key.col, 0)];
                fields.extend(cols.iter().enumerate().map(|(i, &c)| (c, i + 1)));
                self.covering_remap.push((src.cursor, auto, fields));
            }
            None => {
                let rowid = self.b.alloc_reg();
                self.b.emit(Insn::IdxRowid {
                    cursor: auto,
                    dest: rowid,
                });
                self.b.emit(Insn::SeekRowid {
                    cursor: src.cursor,
                    rowid,
                    not_found: cont.addr(),
                });
            }
        }
        Ok(Access::Index {
            idx_cursor: auto,
            top,
        })
    }

    /// The columns besides `key_col` an automatic index on `src` carries
    /// to cover the query: `None` when the columns the query reads from
    /// `src` are not known.
    fn auto_index_columns(&self, src: &Source, key_col: usize) -> Option<Vec<usize>> {
        let needed = self.covering_needed(src.cursor)?;
        let mut cols: Vec<usize> = needed.iter().flatten().copied().collect();
        cols.retain(|&c| c != key_col && src.table.ipk != Some(c));
        cols.sort_unstable();
        cols.dedup();
        Some(cols)
    }

    /// Codes the loop that inserts one `(key column, carried..., rowid)`
    /// entry per row of `src` passing the partial terms into the
    /// ephemeral index.
    fn fill_auto_index(&mut self, src: &Source, f: &AutoFill, scope: &Scope) -> Result<(), String> {
        let (auto, key_col, carried) = (f.auto, f.key_col, f.carried);
        let filled = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: src.cursor,
            if_empty: filled.addr(),
        });
        let fill_top = self.b.here();
        let skip = self.b.new_label();
        for t in f.partial {
            self.jump_if_false(t, skip.addr(), scope)?;
        }
        let n = carried.len() + 2;
        let row = self.b.alloc_regs(n);
        let t = src.table.clone();
        for (i, &c) in std::iter::once(&key_col).chain(carried).enumerate() {
            self.table_column(&t, src.cursor, c, row + i);
        }
        self.b.emit(Insn::Rowid {
            cursor: src.cursor,
            dest: row + n - 1,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: row,
            count: n,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::IdxInsert {
            cursor: auto,
            key: rec,
        });
        self.b.resolve(skip);
        self.b.emit(Insn::Next {
            cursor: src.cursor,
            target: fill_top,
        });
        self.b.resolve(filled);
        Ok(())
    }

    /// A full scan in index order (NULLs included), visiting each table row.
    pub(super) fn open_index_scan(
        &mut self,
        table_cursor: usize,
        index: &crate::sql::schema::Index,
        rev: bool,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let key_info = self.index_key_info(index)?;
        let idx_cursor = self.open_index_read(index, key_info);
        if rev {
            self.b.emit(Insn::Last {
                cursor: idx_cursor,
                if_empty: exit.addr(),
            });
        } else {
            self.b.emit(Insn::Rewind {
                cursor: idx_cursor,
                if_empty: exit.addr(),
            });
        }
        let top = self.b.here();
        self.visit_table_row(table_cursor, idx_cursor, index, cont);
        Ok(if rev {
            Access::IndexPrev { idx_cursor, top }
        } else {
            Access::Index { idx_cursor, top }
        })
    }

    /// Evaluates a bound into a register with the comparison affinity;
    /// a NULL bound matches nothing.
    pub(super) fn bound_key(
        &mut self,
        e: Option<&Expr>,
        aff: Affinity,
        scope: &Scope,
        exit: Label,
    ) -> Result<Option<Reg>, String> {
        let Some(e) = e else { return Ok(None) };
        let key = self.expr_copy(e, scope)?;
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
        Ok(Some(key))
    }
}
