//! The loop planner: nested loops over the FROM clause with WHERE terms
//! placed at the innermost loop they depend on, and rowid lookups.
//!
//! SQLite counterpart: where.c (`sqlite3WhereBegin`, `sqlite3WhereEnd`),
//! a much smaller planner: no cost model yet. Tables are joined in FROM
//! order; a term `rowid = expr` (or its INTEGER PRIMARY KEY alias) whose
//! other side depends only on outer loops becomes a `SeekRowid` instead of
//! a full scan; an equality on the first column of an index becomes an
//! index range scan.
//!
//! Invariants:
//! 1. Every WHERE/ON term is evaluated exactly once per candidate row, at
//!    the loop of the innermost table it references, so a `jump_if_false`
//!    to that loop's continue label skips exactly the rows it rejects.
//! 2. A LEFT JOIN level that matched no row runs the inner code once with
//!    its cursor on a NULL row, as SQL requires.

use super::expr::{Scope, Source};
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::{BinaryOp, Expr, ExprKind, FunctionArgs};
use crate::sql::ast::{FromClause, JoinConstraint};
use crate::vdbe::{Addr, CmpFlags, CmpOp, Insn, Reg, RootPage};

/// How one loop level visits its table.
#[derive(Debug)]
enum Access {
    /// Rewind … Next over the whole table.
    Scan { top: Addr },
    /// One row found by rowid.
    Rowid,
    /// An index range with key == value: loop over index entries.
    Index { idx_cursor: usize, top: Addr },
}

#[derive(Debug)]
struct Level {
    cursor: usize,
    access: Access,
    cont: Label,
    exit: Label,
    /// LEFT JOIN: (match flag register, body label).
    left: Option<(Reg, Label)>,
}

/// The open loops of one query, closed by [`Gen::end_loops`].
#[derive(Debug)]
pub(crate) struct Loops {
    /// Jump here to reject the current row combination.
    pub cont: Label,
    levels: Vec<Level>,
    /// Where constant terms that fail jump: past every loop.
    outer_exit: Label,
    /// RIGHT/FULL JOIN: the unmatched-rows pass.
    right: Option<super::join_outer::RightJoin>,
}

/// Which side of a column a comparison bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    Eq,
    Lower,
    Upper,
}

/// `column OP value` found in a WHERE term (`col` None = rowid).
#[derive(Debug)]
struct Constraint {
    col: Option<usize>,
    op: Bound,
    value: Expr,
    cmp_aff: (Option<Affinity>, Option<Affinity>),
}

/// The key bounds of an index range scan.
#[derive(Debug)]
struct Bounds<'e> {
    lo: Option<&'e Expr>,
    hi: Option<&'e Expr>,
    eq: bool,
    aff: Affinity,
}

/// An access path for one table.
#[derive(Debug)]
enum Probe {
    RowidEq(Expr),
    Index {
        idx: usize,
        lo: Option<Expr>,
        hi: Option<Expr>,
        aff: Affinity,
        eq: bool,
    },
    RowidRange {
        lo: Option<Expr>,
        hi: Option<Expr>,
    },
    /// A transient index on column `col` built once per execution, then
    /// probed with `key` (SQLite's automatic index, for join equalities on
    /// unindexed columns).
    AutoIndex {
        col: usize,
        key: Expr,
        aff: Affinity,
    },
    Scan,
}

impl Probe {
    /// Lower is cheaper.
    fn rank(&self) -> u8 {
        match self {
            Probe::RowidEq(_) => 0,
            Probe::Index { eq: true, .. } => 1,
            Probe::AutoIndex { .. } => 1,
            Probe::RowidRange {
                lo: Some(_),
                hi: Some(_),
            } => 2,
            Probe::Index {
                lo: Some(_),
                hi: Some(_),
                ..
            } => 3,
            Probe::RowidRange { .. } => 4,
            Probe::Index { .. } => 5,
            Probe::Scan => 6,
        }
    }
}

/// Adds a rowid bound to the best path so far (if that is a rowid range).
fn merge_rowid_range(best: &Probe, op: Bound, value: Expr) -> Probe {
    let (mut lo, mut hi) = match best {
        Probe::RowidRange { lo, hi } => (lo.clone(), hi.clone()),
        _ => (None, None),
    };
    match op {
        Bound::Lower => lo = lo.or(Some(value)),
        Bound::Upper | Bound::Eq => hi = hi.or(Some(value)),
    }
    Probe::RowidRange { lo, hi }
}

/// Adds an index bound to the best path so far (same index only).
fn merge_index_range(best: &Probe, idx: usize, aff: Affinity, op: Bound, value: Expr) -> Probe {
    if op == Bound::Eq {
        return Probe::Index {
            idx,
            lo: Some(value),
            hi: None,
            aff,
            eq: true,
        };
    }
    let (mut lo, mut hi) = match best {
        Probe::Index {
            idx: i,
            lo,
            hi,
            eq: false,
            ..
        } if *i == idx => (lo.clone(), hi.clone()),
        _ => (None, None),
    };
    match op {
        Bound::Lower => lo = lo.or(Some(value)),
        _ => hi = hi.or(Some(value)),
    }
    Probe::Index {
        idx,
        lo,
        hi,
        aff,
        eq: false,
    }
}

impl Gen<'_> {
    /// Opens the loops over `scope`'s sources and codes the WHERE terms.
    pub(crate) fn begin_loops(
        &mut self,
        scope: &Scope,
        where_: Option<&Expr>,
        from: Option<&FromClause>,
    ) -> Result<Loops, String> {
        let mut terms: Vec<(Expr, bool)> = Vec::new();
        if let Some(w) = where_ {
            let w = self.expand_aliases(w, scope);
            split_and(&w, &mut terms);
        }
        let n = scope.sources.len();
        let mut on_terms: Vec<Vec<Expr>> = vec![Vec::new(); n];
        let mut left: Vec<bool> = vec![false; n];
        let right_si = self.right_join_item(from, n)?;
        // With a RIGHT join, WHERE is applied after the matched-row marking.
        let deferred = match right_si {
            Some(_) => std::mem::take(&mut terms),
            None => Vec::new(),
        };
        if let Some(f) = from {
            for (i, item) in f.items.iter().enumerate().take(n) {
                let is_left = item.join.is_some_and(|j| j.left);
                left[i] = is_left;
                let mut parts: Vec<(Expr, bool)> = Vec::new();
                for t in self.using_terms(scope, i) {
                    parts.push((t, false));
                }
                if let Some(JoinConstraint::On(e)) = &item.constraint {
                    split_and(e, &mut parts);
                }
                for (p, _) in parts {
                    if is_left || right_si == Some(i) {
                        on_terms[i].push(p);
                    } else {
                        terms.push((p, false));
                    }
                }
            }
        }
        let order = match right_si {
            Some(_) => (0..n).collect(),
            None => self.join_order(scope, &terms, &left)?,
        };
        let right = right_si.map(|si| self.right_join_begin(scope, si));
        let mut pos_of = vec![0; n];
        for (pos, &si) in order.iter().enumerate() {
            pos_of[si] = pos;
        }
        let outer_exit = self.b.new_label();
        let mut levels = Vec::new();
        if n == 0 && from.is_none() {
            self.eqp.add(|| "SCAN CONSTANT ROW".to_string());
        }
        // Constant terms are checked once, before any loop.
        // Each term's loop level is fixed once the order is: compute it once.
        let term_levels: Vec<_> = terms
            .iter()
            .map(|(t, _)| self.innermost_level(t, scope, &pos_of))
            .collect();
        self.code_terms(&mut terms, scope, &pos_of, &term_levels, None, outer_exit)?;
        for (pos, &si) in order.iter().enumerate() {
            let level = self.open_level(si, pos, &pos_of, scope, &mut terms, left[si])?;
            let rj = right.as_ref().filter(|_| right_si == Some(si));
            if let Some((m, body)) = level.left {
                for t in &on_terms[si] {
                    self.jump_if_false(t, level.cont.addr(), scope)?;
                }
                self.b.emit(Insn::Integer { value: 1, dest: m });
                if let Some(rj) = rj {
                    self.right_join_mark(rj);
                }
                self.b.resolve(body);
            } else if let Some(rj) = rj {
                for t in &on_terms[si] {
                    self.jump_if_false(t, level.cont.addr(), scope)?;
                }
                self.right_join_mark(rj);
            }
            let cont = level.cont;
            levels.push(level);
            self.code_terms(&mut terms, scope, &pos_of, &term_levels, Some(pos), cont)?;
        }
        let cont = levels.last().map(|l| l.cont).unwrap_or(outer_exit);
        if let Some(rj) = &right {
            self.b.resolve(rj.entry);
            for (t, _) in &deferred {
                self.jump_if_false(t, cont.addr(), scope)?;
            }
        }
        Ok(Loops {
            cont,
            levels,
            outer_exit,
            right,
        })
    }

    /// Replaces names that are result-column aliases (and no column) by the
    /// aliased expression, so term placement sees the real dependencies.
    fn expand_aliases(&self, e: &Expr, scope: &Scope) -> Expr {
        if scope.aliases.is_empty() {
            return e.clone();
        }
        let mut out = e.clone();
        self.replace_aliases(&mut out, scope);
        out
    }

    fn replace_aliases(&self, e: &mut Expr, scope: &Scope) {
        if let ExprKind::Column {
            table: None,
            column,
            ..
        } = &e.kind
        {
            if matches!(self.resolve_column(scope, None, column), Ok(None)) {
                if let Some((_, a)) = scope
                    .aliases
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(column))
                {
                    *e = a.clone();
                }
                return;
            }
        }
        match &mut e.kind {
            ExprKind::Unary(_, a)
            | ExprKind::Collate(a, _)
            | ExprKind::Cast(a, _)
            | ExprKind::IsNull(a, _) => self.replace_aliases(a, scope),
            ExprKind::Binary(_, a, b) => {
                self.replace_aliases(a, scope);
                self.replace_aliases(b, scope);
            }
            ExprKind::Between {
                expr, low, high, ..
            } => {
                self.replace_aliases(expr, scope);
                self.replace_aliases(low, scope);
                self.replace_aliases(high, scope);
            }
            ExprKind::InList { expr, list, .. } => {
                self.replace_aliases(expr, scope);
                list.iter_mut().for_each(|x| self.replace_aliases(x, scope));
            }
            ExprKind::Like { expr, pattern, .. } => {
                self.replace_aliases(expr, scope);
                self.replace_aliases(pattern, scope);
            }
            _ => {}
        }
    }

    /// True when a single-table query's chosen access path already yields
    /// rows in the ORDER BY order (all ascending): the rowid for a table
    /// scan or rowid lookup, a prefix of the index columns (optionally then
    /// the rowid) for an index scan. Then no sorter is needed.
    pub(crate) fn scan_delivers_order(
        &self,
        scope: &Scope,
        where_: Option<&Expr>,
        order: &[super::select::OrderKey],
    ) -> Result<bool, String> {
        if scope.sources.len() != 1 || order.iter().any(|o| o.1) {
            return Ok(false);
        }
        let mut terms: Vec<(Expr, bool)> = Vec::new();
        if let Some(w) = where_ {
            split_and(&self.expand_aliases(w, scope), &mut terms);
        }
        let (probe, _) = self.probe(0, scope, &terms, &|_| false)?;
        let table = &scope.sources[0].table;
        // The sort key of each ORDER BY term: Some(None) = rowid, Some(Some(c)) = column c.
        let mut keys = Vec::new();
        for (e, _, coll) in order {
            let ExprKind::Column {
                table: q, column, ..
            } = &e.kind
            else {
                return Ok(false);
            };
            match self.resolve_column(scope, q.as_deref(), column)? {
                Some((0, col)) => keys.push((col, coll.name().to_ascii_lowercase())),
                _ => return Ok(false),
            }
        }
        let rowid_first = keys.first().is_some_and(|k| k.0.is_none());
        Ok(match probe {
            Probe::RowidEq(_) | Probe::RowidRange { .. } | Probe::Scan => rowid_first,
            Probe::AutoIndex { .. } => false,
            Probe::Index { idx, .. } => {
                let index = &table.indexes[idx];
                let mut ok = !rowid_first;
                for (i, (col, coll)) in keys.iter().enumerate() {
                    match (col, index.columns.get(i)) {
                        (None, _) => break,
                        (Some(c), Some(ic)) => {
                            ok &= ic.column == Some(*c)
                                && !ic.desc
                                && ic.collation.eq_ignore_ascii_case(coll);
                        }
                        (Some(_), None) => ok = false,
                    }
                }
                ok
            }
        })
    }

    /// The loop order: FROM order when there is a LEFT JOIN, else greedily
    /// the table with the cheapest access given the tables already chosen
    /// (a rowid or index lookup before a scan), ties in FROM order.
    fn join_order(
        &self,
        scope: &Scope,
        terms: &[(Expr, bool)],
        left: &[bool],
    ) -> Result<Vec<usize>, String> {
        let n = scope.sources.len();
        if n <= 1 || left.iter().any(|l| *l) {
            return Ok((0..n).collect());
        }
        let refs = self.term_refs(scope, terms);
        let mut chosen: Vec<usize> = Vec::with_capacity(n);
        while chosen.len() < n {
            let avail = |s: usize| chosen.contains(&s);
            let mut best: Option<(u8, usize)> = None;
            for si in (0..n).filter(|s| !chosen.contains(s)) {
                // Only a term naming `si` whose other sources are all
                // available can constrain `si`: skip the rest cheaply.
                let relevant = |ti: usize| {
                    refs.get(ti).is_none_or(|r| match r {
                        None => true,
                        Some(srcs) => {
                            srcs.contains(&si) && srcs.iter().all(|&s| s == si || avail(s))
                        }
                    })
                };
                let rank = self
                    .probe_some(si, scope, terms, &avail, &relevant)?
                    .0
                    .rank();
                if best.is_none_or(|(r, _)| rank < r) {
                    best = Some((rank, si));
                }
            }
            chosen.push(best.map_or(0, |b| b.1));
        }
        Ok(chosen)
    }

    /// Codes the not-yet-used terms whose innermost loop is `level`.
    fn code_terms(
        &mut self,
        terms: &mut [(Expr, bool)],
        scope: &Scope,
        pos_of: &[usize],
        levels: &[Result<Option<usize>, String>],
        level: Option<usize>,
        skip: Label,
    ) -> Result<(), String> {
        for (ti, (t, used)) in terms.iter_mut().enumerate() {
            if *used {
                continue;
            }
            let at = match levels.get(ti) {
                Some(Ok(l)) => *l,
                Some(Err(e)) => return Err(e.clone()),
                None => self.innermost_level(t, scope, pos_of)?,
            };
            if at == level {
                *used = true;
                self.jump_if_false(t, skip.addr(), scope)?;
            }
        }
        Ok(())
    }

    /// Opens the loop over source `si` at position `pos`.
    fn open_level(
        &mut self,
        si: usize,
        pos: usize,
        pos_of: &[usize],
        scope: &Scope,
        terms: &mut [(Expr, bool)],
        is_left: bool,
    ) -> Result<Level, String> {
        let cursor = scope.sources[si].cursor;
        let cont = self.b.new_label();
        let exit = self.b.new_label();
        if is_left {
            let m = self.b.alloc_reg();
            self.b.emit(Insn::Integer { value: 0, dest: m });
            let top = self.b.here() + 1;
            self.b.emit(Insn::Rewind {
                cursor,
                if_empty: 0,
            });
            let body = self.b.new_label();
            let name = &scope.sources[si].name;
            self.eqp.add(|| format!("SCAN {name}"));
            return Ok(Level {
                cursor,
                access: Access::Scan { top },
                cont,
                exit,
                left: Some((m, body)),
            });
        }
        let avail = |s: usize| pos_of[s] < pos;
        let (probe, term) = self.probe(si, scope, terms, &avail)?;
        self.explain_level(&scope.sources[si], &probe);
        let access = match probe {
            Probe::RowidEq(key_expr) => {
                if let Some(t) = term {
                    terms[t].1 = true;
                }
                let key = self.expr(&key_expr, scope)?;
                self.b.emit(Insn::SeekRowid {
                    cursor,
                    rowid: key,
                    not_found: exit.addr(),
                });
                Access::Rowid
            }
            Probe::RowidRange { lo, hi } => {
                self.open_rowid_range(cursor, scope, lo.as_ref(), hi.as_ref(), exit)?
            }
            Probe::Index {
                idx,
                lo,
                hi,
                aff,
                eq,
            } => {
                let src = &scope.sources[si];
                let bounds = Bounds {
                    lo: lo.as_ref(),
                    hi: hi.as_ref(),
                    eq,
                    aff,
                };
                self.open_index_range(
                    src.cursor,
                    &src.table.indexes[idx],
                    scope,
                    bounds,
                    cont,
                    exit,
                )?
            }
            Probe::AutoIndex { col, key, aff } => {
                self.open_auto_index(&scope.sources[si], col, &key, aff, scope, cont, exit)?
            }
            Probe::Scan if self.covering_index(&scope.sources[si]).is_some() => {
                let src = &scope.sources[si];
                let idx = self.covering_index(src).unwrap_or(0);
                self.open_index_scan(src.cursor, &src.table.indexes[idx], cont, exit)?
            }
            Probe::Scan => {
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: exit.addr(),
                });
                Access::Scan { top: self.b.here() }
            }
        };
        Ok(Level {
            cursor,
            access,
            cont,
            exit,
            left: None,
        })
    }

    /// Records the EXPLAIN QUERY PLAN row for a loop over `src` by `probe`.
    fn explain_level(&mut self, src: &Source, probe: &Probe) {
        if !self.eqp.enabled {
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
            Probe::RowidEq(_) => format!("SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)"),
            Probe::RowidRange { lo, hi } => format!(
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
            Probe::AutoIndex { col, .. } => {
                let col = cols.get(*col).map_or("?", |c| c.name.as_str());
                format!("SEARCH {name} USING AUTOMATIC INDEX ({col}=?)")
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

    /// A scan of the rowids between `lo` and `hi` (each inclusive or not;
    /// the terms stay as filters, so the range only needs to cover them).
    fn open_rowid_range(
        &mut self,
        cursor: usize,
        scope: &Scope,
        lo: Option<&Expr>,
        hi: Option<&Expr>,
        exit: Label,
    ) -> Result<Access, String> {
        match lo {
            Some(e) => {
                let key = self.expr(e, scope)?;
                self.b.emit(Insn::SeekGE {
                    cursor,
                    key,
                    n_keys: 1,
                    not_found: exit.addr(),
                });
            }
            None => {
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: exit.addr(),
                });
            }
        }
        let hi_reg = match hi {
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
                op: CmpOp::Gt,
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
    fn open_index_range(
        &mut self,
        table_cursor: usize,
        index: &crate::sql::schema::Index,
        scope: &Scope,
        bounds: Bounds,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let idx_cursor = self.b.alloc_cursor();
        let coll = self.collation(&index.columns[0].collation)?;
        let key_info = KeyInfo {
            collations: vec![coll],
            desc: vec![index.columns[0].desc],
        };
        self.b.emit(Insn::OpenRead {
            cursor: idx_cursor,
            db: 0,
            root: RootPage::Page(index.root),
            n_cols: index.columns.len() + 1,
            key_info: Some(std::sync::Arc::new(key_info)),
        });
        self.mark_index_cursor_of(index, idx_cursor);
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
        match start {
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
        self.visit_table_row(table_cursor, idx_cursor, index, cont);
        Ok(Access::Index { idx_cursor, top })
    }

    /// Positions the table cursor on the row of the current index entry,
    /// unless the index covers every column the query reads: then column
    /// reads of the table are redirected to the index cursor
    /// (`self.covering_remap`) and the table is never visited.
    fn visit_table_row(
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

    /// For an index holding every column the query reads from
    /// `table_cursor` (`self.covering_hint`): each needed column with its
    /// field in the index record.
    fn covering_fields(
        &self,
        table_cursor: usize,
        index: &crate::sql::schema::Index,
    ) -> Option<Vec<(usize, usize)>> {
        let (cursor, needed) = self.covering_hint.as_ref()?;
        if *cursor != table_cursor || index.partial.is_some() || index.root == 0 {
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

    /// The index SQLite would scan instead of the table for a full scan:
    /// one holding every column the query reads (`self.covering_hint`), the
    /// one with the fewest columns.
    fn covering_index(&self, src: &Source) -> Option<usize> {
        let (cursor, needed) = self.covering_hint.as_ref()?;
        if *cursor != src.cursor || !self.covering_scan {
            return None;
        }
        let t = &src.table;
        t.indexes
            .iter()
            .enumerate()
            .filter(|(_, ix)| ix.partial.is_none() && ix.root != 0)
            .filter(|(_, ix)| !crate::sql::schema_wr::is_table_key(t, ix))
            .filter(|(_, ix)| {
                needed.iter().all(|c| match c {
                    None => true,
                    Some(c) => {
                        t.ipk == Some(*c)
                            || ix.columns.iter().any(|ic| ic.column == Some(*c))
                            || super::without_rowid::wr_index_field(t, ix, *c).is_some()
                    }
                })
            })
            .min_by_key(|(i, ix)| (ix.columns.len(), *i))
            .map(|(i, _)| i)
    }

    /// True if `e` reads a column of one of this query's own sources (a
    /// join condition rather than a constant).
    fn refs_inner(&self, e: &Expr, scope: &Scope) -> bool {
        let mut found = false;
        walk(e, &mut |x| {
            if let ExprKind::Column { table, column, .. } = &x.kind {
                if let Ok(Some((s, _))) = self.resolve_column(scope, table.as_deref(), column) {
                    found |= s < scope.sources.len();
                }
            }
        });
        found
    }

    /// The key affinity for an automatic index on `col`, if the comparison
    /// can use one (same rules as a real index).
    fn auto_index_affinity(
        &self,
        si: usize,
        col: usize,
        cmp_aff: &(Option<Affinity>, Option<Affinity>),
        scope: &Scope,
    ) -> Option<Affinity> {
        let col_aff = scope.sources[si].table.columns[col].affinity;
        let aff = super::expr::compare_affinity(cmp_aff.0, cmp_aff.1);
        let ok = aff == col_aff
            || (aff.is_numeric() && col_aff.is_numeric())
            || (col_aff == Affinity::Text && aff == Affinity::Text);
        ok.then_some(aff)
    }

    /// Builds (once per execution) an ephemeral index of `(col, rowid)` over
    /// the table, then loops over the entries equal to `key`.
    #[allow(clippy::too_many_arguments)]
    fn open_auto_index(
        &mut self,
        src: &Source,
        col: usize,
        key: &Expr,
        aff: Affinity,
        scope: &Scope,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let auto = self.b.alloc_cursor();
        let coll = self.collation(&src.table.columns[col].collation)?;
        let key_info = std::sync::Arc::new(KeyInfo {
            collations: vec![coll],
            desc: vec![false],
        });
        let built = self.b.new_label();
        self.b.emit(Insn::Once {
            target: built.addr(),
        });
        self.b.emit(Insn::OpenEphemeral {
            cursor: auto,
            n_cols: 2,
            key_info: Some(key_info),
        });
        let filled = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: src.cursor,
            if_empty: filled.addr(),
        });
        let fill_top = self.b.here();
        let row = self.b.alloc_regs(2);
        self.b.emit(Insn::Column {
            cursor: src.cursor,
            column: col,
            dest: row,
            default: None,
        });
        self.b.emit(Insn::Rowid {
            cursor: src.cursor,
            dest: row + 1,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: row,
            count: 2,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::IdxInsert {
            cursor: auto,
            key: rec,
        });
        self.b.emit(Insn::Next {
            cursor: src.cursor,
            target: fill_top,
        });
        self.b.resolve(filled);
        self.b.resolve(built);
        let k = self.bound_key(Some(key), aff, scope, exit)?.unwrap_or(0);
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
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Column {
            cursor: auto,
            column: 1,
            dest: rowid,
            default: None,
        });
        self.b.emit(Insn::SeekRowid {
            cursor: src.cursor,
            rowid,
            not_found: cont.addr(),
        });
        Ok(Access::Index {
            idx_cursor: auto,
            top,
        })
    }

    /// A full scan in index order (NULLs included), visiting each table row.
    fn open_index_scan(
        &mut self,
        table_cursor: usize,
        index: &crate::sql::schema::Index,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let idx_cursor = self.b.alloc_cursor();
        let key_info = self.index_key_info(index)?;
        self.b.emit(Insn::OpenRead {
            cursor: idx_cursor,
            db: 0,
            root: RootPage::Page(index.root),
            n_cols: index.columns.len() + 1,
            key_info: Some(key_info),
        });
        self.mark_index_cursor_of(index, idx_cursor);
        self.b.emit(Insn::Rewind {
            cursor: idx_cursor,
            if_empty: exit.addr(),
        });
        let top = self.b.here();
        self.visit_table_row(table_cursor, idx_cursor, index, cont);
        Ok(Access::Index { idx_cursor, top })
    }

    /// Evaluates a bound into a register with the comparison affinity;
    /// a NULL bound matches nothing.
    fn bound_key(
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

    /// The best access path for source `si` given the sources for which
    /// `avail` is true, and the term an equality lookup consumes.
    fn probe(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<(Probe, Option<usize>), String> {
        self.probe_some(si, scope, terms, avail, &|_| true)
    }

    /// The local sources each term's column references resolve to (`None`
    /// when a name does not resolve cleanly: such a term is always looked at).
    fn term_refs(&self, scope: &Scope, terms: &[(Expr, bool)]) -> Vec<Option<Vec<usize>>> {
        let n = scope.sources.len();
        terms
            .iter()
            .map(|(t, _)| {
                let mut srcs = Some(Vec::new());
                walk(t, &mut |x| {
                    if let ExprKind::Column { table, column, .. } = &x.kind {
                        match self.resolve_column(scope, table.as_deref(), column) {
                            Ok(Some((s, _))) if s >= n => {}
                            Ok(Some((s, _))) => {
                                if let Some(v) = srcs.as_mut() {
                                    v.push(s);
                                }
                            }
                            _ => srcs = None,
                        }
                    }
                });
                srcs
            })
            .collect()
    }

    /// [`Self::probe`] looking only at the terms `relevant` accepts.
    fn probe_some(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        relevant: &dyn Fn(usize) -> bool,
    ) -> Result<(Probe, Option<usize>), String> {
        let mut best = (Probe::Scan, None);
        for (ti, (t, used)) in terms.iter().enumerate() {
            if *used || !relevant(ti) {
                continue;
            }
            for c in self.constraints_of(t, si, scope, avail)? {
                let candidate = match (c.col, c.op) {
                    (None, Bound::Eq) => (Probe::RowidEq(c.value), Some(ti)),
                    (None, op) => (merge_rowid_range(&best.0, op, c.value), None),
                    (Some(col), op) => match self.usable_index(si, col, &c.cmp_aff, scope, terms) {
                        Some((idx, aff)) => {
                            (merge_index_range(&best.0, idx, aff, op, c.value), None)
                        }
                        None if op == Bound::Eq
                            && self.refs_inner(&c.value, scope)
                            && !self.is_current_row_table(scope, si) =>
                        {
                            match self.auto_index_affinity(si, col, &c.cmp_aff, scope) {
                                Some(aff) => (
                                    Probe::AutoIndex {
                                        col,
                                        key: c.value,
                                        aff,
                                    },
                                    None,
                                ),
                                None => continue,
                            }
                        }
                        None => continue,
                    },
                };
                if candidate.0.rank() <= best.0.rank() {
                    best = candidate;
                }
            }
        }
        Ok(best)
    }

    /// The comparisons in term `t` that bound a column (or the rowid) of
    /// source `si` by a value computable from the `avail` sources.
    fn constraints_of(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Vec<Constraint>, String> {
        let mut out = Vec::new();
        let push = |col_expr: &Expr,
                    op: Bound,
                    value: &Expr,
                    out: &mut Vec<Constraint>|
         -> Result<(), String> {
            let ExprKind::Column { table, column, .. } = &col_expr.kind else {
                return Ok(());
            };
            let Some((s, col)) = self.resolve_column(scope, table.as_deref(), column)? else {
                return Ok(());
            };
            if s != si || !self.computable(value, scope, avail)? {
                return Ok(());
            }
            let cmp_aff = (
                self.expr_affinity(col_expr, scope),
                self.expr_affinity(value, scope),
            );
            out.push(Constraint {
                col,
                op,
                value: value.clone(),
                cmp_aff,
            });
            Ok(())
        };
        match &t.kind {
            ExprKind::Binary(op, l, r) => {
                let (fwd, rev) = match op {
                    BinaryOp::Eq => (Bound::Eq, Bound::Eq),
                    BinaryOp::Lt | BinaryOp::Le => (Bound::Upper, Bound::Lower),
                    BinaryOp::Gt | BinaryOp::Ge => (Bound::Lower, Bound::Upper),
                    _ => return Ok(out),
                };
                push(l, fwd, r, &mut out)?;
                push(r, rev, l, &mut out)?;
            }
            ExprKind::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                push(expr, Bound::Lower, low, &mut out)?;
                push(expr, Bound::Upper, high, &mut out)?;
            }
            _ => {}
        }
        Ok(out)
    }

    /// True if `e` can be computed from the `avail` sources (and outer
    /// queries); expressions with subqueries are not used as keys.
    fn computable(
        &self,
        e: &Expr,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<bool, String> {
        let mut ok = true;
        let mut err = None;
        walk(e, &mut |x| match &x.kind {
            ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. } => ok = false,
            ExprKind::Column { table, column, .. } => {
                match self.resolve_column(scope, table.as_deref(), column) {
                    Ok(Some((s, _))) if s < scope.sources.len() && !avail(s) => ok = false,
                    Ok(_) => {}
                    Err(e) => err = Some(e),
                }
            }
            _ => {}
        });
        match err {
            Some(e) => Err(e),
            None => Ok(ok),
        }
    }

    /// An index of source `si` whose first column is `col` and that a
    /// comparison with affinities `cmp_aff` may use; with the key affinity.
    fn usable_index(
        &self,
        si: usize,
        col: usize,
        cmp_aff: &(Option<Affinity>, Option<Affinity>),
        scope: &Scope,
        terms: &[(Expr, bool)],
    ) -> Option<(usize, Affinity)> {
        let table = &scope.sources[si].table;
        let col_aff = table.columns[col].affinity;
        let aff = super::expr::compare_affinity(cmp_aff.0, cmp_aff.1);
        let compatible = aff == col_aff
            || (aff.is_numeric() && col_aff.is_numeric())
            || (col_aff == Affinity::Text && aff == Affinity::Text);
        if !compatible {
            return None;
        }
        let want = table.columns[col].collation.to_ascii_lowercase();
        let idx = table.indexes.iter().position(|ix| {
            ix.partial
                .as_ref()
                .is_none_or(|w| self.partial_implied(w, terms, scope, si))
                && ix.root != 0
                && ix.columns.first().is_some_and(|ic| {
                    ic.column == Some(col) && ic.collation.to_ascii_lowercase() == want
                })
        })?;
        Some((idx, aff))
    }

    /// The highest loop position `e` references (`None` for constants).
    fn innermost_level(
        &self,
        e: &Expr,
        scope: &Scope,
        pos_of: &[usize],
    ) -> Result<Option<usize>, String> {
        Ok(self.innermost_source(e, scope)?.map(|_| {
            let mut max = 0;
            let innermost = pos_of.len().saturating_sub(1);
            walk(e, &mut |x| match &x.kind {
                ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. } => {
                    max = innermost
                }
                ExprKind::Column { table, column, .. } => {
                    if let Ok(Some((s, _))) = self.resolve_column(scope, table.as_deref(), column) {
                        if let Some(&p) = pos_of.get(s) {
                            max = max.max(p);
                        }
                    }
                }
                _ => {}
            });
            max
        }))
    }

    /// The highest source index `e` references (`None` for constants).
    pub(crate) fn innermost_source(
        &self,
        e: &Expr,
        scope: &Scope,
    ) -> Result<Option<usize>, String> {
        let mut max: Option<usize> = None;
        let mut err = None;
        let innermost = scope.sources.len().checked_sub(1);
        walk(e, &mut |x| {
            if matches!(
                x.kind,
                ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. }
            ) {
                // A subquery may be correlated with any table: evaluate it innermost.
                max = max.max(innermost);
            }
            if let ExprKind::Column { table, column, .. } = &x.kind {
                match self.resolve_column(scope, table.as_deref(), column) {
                    Ok(Some((si, _))) if si < scope.sources.len() => {
                        max = Some(max.map_or(si, |m: usize| m.max(si)))
                    }
                    Ok(_) => {}
                    Err(e) => err = Some(e),
                }
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(max),
        }
    }

    /// Closes the loops opened by [`Gen::begin_loops`].
    pub(crate) fn end_loops(&mut self, lp: Loops) {
        if lp.levels.is_empty() {
            self.b.resolve(lp.outer_exit);
            return;
        }
        let mut right = lp.right;
        for (k, level) in lp.levels.into_iter().rev().enumerate() {
            self.b.resolve(level.cont);
            if let (0, Some(rj)) = (k, &right) {
                self.right_join_cont(rj);
            }
            match level.access {
                Access::Scan { top } => {
                    self.b.emit(Insn::Next {
                        cursor: level.cursor,
                        target: top,
                    });
                }
                Access::Rowid => {}
                Access::Index {
                    idx_cursor, top, ..
                } => {
                    self.covering_remap.retain(|r| r.1 != idx_cursor);
                    self.b.emit(Insn::Next {
                        cursor: idx_cursor,
                        target: top,
                    });
                }
            }
            if let Some((m, body)) = level.left {
                let rewind_at = self.left_rewind_fixup(level.cursor);
                self.b.emit(Insn::If {
                    reg: m,
                    target: level.exit.addr(),
                    jump_if_null: false,
                });
                if let Some(at) = rewind_at {
                    let here = self.b.here() - 1;
                    if let Some(Insn::Rewind { if_empty, .. }) = self.b.insn_mut(at) {
                        *if_empty = here;
                    }
                }
                self.b.emit(Insn::Integer { value: 1, dest: m });
                self.b.emit(Insn::NullRow {
                    cursor: level.cursor,
                });
                self.b.emit(Insn::Goto {
                    target: body.addr(),
                });
            }
            self.b.resolve(level.exit);
        }
        self.b.resolve(lp.outer_exit);
        if let Some(rj) = right.take() {
            self.right_join_end(rj);
        }
    }

    /// The address of the `Rewind` of a LEFT JOIN level still waiting for
    /// its empty-table target.
    fn left_rewind_fixup(&mut self, cursor: usize) -> Option<Addr> {
        (0..self.b.here()).rev().find(|&a| {
            matches!(self.b.insn_mut(a), Some(Insn::Rewind { cursor: c, if_empty: 0 }) if *c == cursor)
        })
    }
}

/// Splits a condition on AND into its terms (each marked unused).
fn split_and(e: &Expr, out: &mut Vec<(Expr, bool)>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, l, r) => {
            split_and(l, out);
            split_and(r, out);
        }
        _ => out.push((e.clone(), false)),
    }
}

/// Calls `f` on `e` and every sub-expression (not descending into subqueries).
pub(crate) fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    walk_children(e, &mut |c| walk(c, f));
}

/// Calls `f` on each direct sub-expression of `e`, left to right.
pub(crate) fn walk_children(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    match &e.kind {
        ExprKind::Unary(_, a) | ExprKind::Collate(a, _) | ExprKind::Cast(a, _) => f(a),
        ExprKind::IsNull(a, _) => f(a),
        ExprKind::Binary(_, a, b) => {
            f(a);
            f(b);
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            f(expr);
            f(low);
            f(high);
        }
        ExprKind::InList { expr, list, .. } => {
            f(expr);
            list.iter().for_each(&mut *f);
        }
        ExprKind::InSelect { expr, .. } | ExprKind::InTable { expr, .. } => f(expr),
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            f(expr);
            f(pattern);
            if let Some(x) = escape {
                f(x);
            }
        }
        ExprKind::Case {
            operand,
            when_then,
            else_expr,
        } => {
            if let Some(o) = operand {
                f(o);
            }
            for (w, t) in when_then {
                f(w);
                f(t);
            }
            if let Some(x) = else_expr {
                f(x);
            }
        }
        ExprKind::Row(list) => list.iter().for_each(&mut *f),
        ExprKind::Function(call) => {
            if let FunctionArgs::List(args) = &call.args {
                args.iter().for_each(&mut *f);
            }
            if let Some(x) = &call.filter {
                f(x);
            }
        }
        ExprKind::Literal(_)
        | ExprKind::Column { .. }
        | ExprKind::Variable { .. }
        | ExprKind::Exists(_)
        | ExprKind::Subquery(_)
        | ExprKind::Raise(..) => {}
    }
}
