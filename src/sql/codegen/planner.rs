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
//! The planner is split by concern: `planner_cost` chooses each loop's
//! access path and the join order, `planner_terms` analyses WHERE terms,
//! `planner_loops` emits the code opening one access path.
//!
//! Invariants:
//! 1. Every WHERE/ON term is evaluated exactly once per candidate row, at
//!    the loop of the innermost table it references, so a `jump_if_false`
//!    to that loop's continue label skips exactly the rows it rejects.
//! 2. A LEFT JOIN level that matched no row runs the inner code once with
//!    its cursor on a NULL row, as SQL requires.

use super::expr::Scope;
use super::planner_cost::{Bounds, Edge, Probe};
use super::planner_loops::AutoKey;
use super::planner_terms::split_and;
pub(crate) use super::planner_terms::{walk, walk_children};
use super::{Gen, Label};
use crate::sql::ast::FromClause;
use crate::sql::ast::{Expr, ExprKind};
use crate::vdbe::{Addr, Insn, Reg};

/// How one loop level visits its table.
#[derive(Debug)]
pub(super) enum Access {
    /// Rewind … Next over the whole table.
    Scan { top: Addr },
    /// One row found by rowid.
    Rowid,
    /// An index range with key == value: loop over index entries.
    Index { idx_cursor: usize, top: Addr },
    /// An index equality range per value of ephemeral index `eph`:
    /// `in_next` advances to the next value (planner_in.rs).
    IndexIn {
        idx_cursor: usize,
        top: Addr,
        eph: usize,
        in_top: Addr,
        in_next: Label,
    },
    /// One rowid lookup per value of ephemeral index `eph`.
    RowidIn {
        eph: usize,
        in_top: Addr,
        in_next: Label,
    },
    /// Index entries visited backwards (Last … Prev).
    IndexPrev { idx_cursor: usize, top: Addr },
    /// The rows of a MULTI-INDEX OR: the loop body is a subroutine called
    /// (`Gosub`) once per new rowid, returning through `ret`.
    MultiOr { ret: Reg },
}

#[derive(Debug)]
pub(super) struct Level {
    cursor: usize,
    access: Access,
    cont: Label,
    exit: Label,
    /// LEFT JOIN: (match flag register, body label).
    left: Option<(Reg, Label)>,
    /// LEFT JOIN: where the loop's access goes when it runs out of rows
    /// (the test that emits the NULL row when nothing matched).
    left_tail: Option<Label>,
}

/// The open loops of one query, closed by [`Gen::end_loops`].
#[derive(Debug)]
pub(crate) struct Loops {
    /// Jump here to reject the current row combination.
    pub cont: Label,
    levels: Vec<Level>,
    /// Where constant terms that fail jump: past every loop.
    outer_exit: Label,
    /// RIGHT/FULL JOINs: the unmatched-row passes (join_right.rs).
    right: Option<super::join_right::RightJoins>,
}

impl Gen<'_> {
    /// True if some source of `scope` is a virtual table.
    fn has_vtab_source(&self, scope: &Scope) -> bool {
        (scope.sources.iter()).any(|s| self.vtab_cursors.iter().any(|v| v.cursor == s.cursor))
    }

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
        let rights = self.right_join_items(from, n)?;
        let jt = self.join_terms(scope, from, &rights, &mut terms)?;
        let after = cross_join_prereqs(from, n);
        let order = match rights.is_empty() {
            false => (0..n).collect(),
            // Virtual tables keep the ranking (their costs come from xBestIndex,
            // and a table-valued function's arguments must be outer loops).
            // Joins of more than 16 tables also do: name resolution in
            // the cost model grows with tables × terms (select5.test).
            true if n > 1
                && !jt.left.contains(&true)
                && (self.stats_in_scope(scope) || (n <= 16 && !self.has_vtab_source(scope))) =>
            {
                let (order, rows) = self.join_order_by_cost(scope, &terms, &after)?;
                for (si, r) in rows.into_iter().enumerate() {
                    let cursor = scope.sources[si].cursor;
                    self.plan_rows.retain(|(c, _)| *c != cursor);
                    self.plan_rows.push((cursor, r));
                }
                order
            }
            true => self.join_order(scope, &terms, &jt.left, &after)?,
        };
        let right = self.right_join_begin(scope, &rights);
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
        // Which source each WHERE term limits on its own (automatic
        // indexes, which only joins build, become partial on them).
        let sole: Vec<Option<usize>> = match n > 1 {
            true => (terms.iter())
                .map(|(t, _)| self.table_constraint_source(t, scope))
                .collect(),
            false => Vec::new(),
        };
        let const_skip = right.as_ref().map_or(outer_exit, |r| r.done);
        self.code_terms(&mut terms, scope, &pos_of, &term_levels, None, const_skip)?;
        for (pos, &si) in order.iter().enumerate() {
            // A RIGHT/FULL-joined table is scanned in full (join_right.rs).
            // A LEFT JOIN's right table is looked up by its own ON terms
            // only (a WHERE term must also reject its NULL row), and
            // scanned in full in a query with a RIGHT JOIN (as C does).
            let mut on: Vec<(Expr, bool)> = jt.on[si].iter().map(|t| (t.clone(), false)).collect();
            let partial: Vec<Expr> = match jt.left[si] {
                true => (on.iter())
                    .filter(|(t, _)| self.table_constraint_source(t, scope) == Some(si))
                    .map(|(t, _)| t.clone())
                    .collect(),
                false => (terms.iter().zip(&sole))
                    .filter(|(_, s)| **s == Some(si))
                    .map(|((t, _), _)| t.clone())
                    .collect(),
            };
            let probe_terms: &mut [(Expr, bool)] = match Self::is_right_source(right.as_ref(), si) {
                true => &mut [],
                false if jt.left[si] && right.is_some() => &mut [],
                false if jt.left[si] => &mut on,
                false => &mut terms,
            };
            let at = LevelAt {
                si,
                pos,
                is_left: jt.left[si],
                partial: &partial,
            };
            let level = self.open_level(at, &pos_of, scope, probe_terms)?;
            for (t, used) in &on {
                if !*used {
                    self.jump_if_false(t, level.cont.addr(), scope)?;
                }
            }
            if let Some((m, _)) = level.left {
                self.b.emit(Insn::Integer { value: 1, dest: m });
            }
            self.right_join_mark(right.as_ref(), si);
            if let Some((_, body)) = level.left {
                self.b.resolve(body);
            }
            let cont = level.cont;
            self.right_join_entry(right.as_ref(), si, &jt.deferred, cont, scope)?;
            levels.push(level);
            self.code_terms(&mut terms, scope, &pos_of, &term_levels, Some(pos), cont)?;
        }
        let cont = levels.last().map(|l| l.cont).unwrap_or(outer_exit);
        Ok(Loops {
            cont,
            levels,
            outer_exit,
            right,
        })
    }

    /// Replaces names that are result-column aliases (and no column) by the
    /// aliased expression, so term placement sees the real dependencies.
    pub(super) fn expand_aliases(&self, e: &Expr, scope: &Scope) -> Expr {
        if scope.aliases.is_empty() {
            return e.clone();
        }
        let mut out = e.clone();
        self.replace_aliases(&mut out, scope);
        out
    }

    pub(super) fn replace_aliases(&self, e: &mut Expr, scope: &Scope) {
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

    /// Codes the not-yet-used terms whose innermost loop is `level`.
    pub(super) fn code_terms(
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

    /// Opens the loop over source `at.si` at position `at.pos`.
    pub(super) fn open_level(
        &mut self,
        at: LevelAt<'_>,
        pos_of: &[usize],
        scope: &Scope,
        terms: &mut [(Expr, bool)],
    ) -> Result<Level, String> {
        let (si, pos, is_left) = (at.si, at.pos, at.is_left);
        let cursor = scope.sources[si].cursor;
        let cont = self.b.new_label();
        let level_exit = self.b.new_label();
        let avail = |s: usize| pos_of[s] < pos;
        let is_vtab = self.vtab_cursors.iter().any(|v| v.cursor == cursor);
        if is_left && is_vtab {
            return Ok(self.open_left_scan(&scope.sources[si], cont, level_exit));
        }
        // A LEFT JOIN level's access leaves through `tail` (the NULL-row
        // test in `end_loops`), the others through the level's exit.
        let (exit, left, left_tail) = match is_left {
            true => {
                let m = self.b.alloc_reg();
                self.b.emit(Insn::Integer { value: 0, dest: m });
                let tail = self.b.new_label();
                (tail, Some((m, self.b.new_label())), Some(tail))
            }
            false => (level_exit, None, None),
        };
        if let Some(top) = self.open_vtab_level(si, scope, terms, &avail, exit)? {
            return Ok(Level {
                cursor,
                access: Access::Scan { top },
                cont,
                exit,
                left: None,
                left_tail: None,
            });
        }
        let (mut probe, term) = self.probe(si, scope, terms, &avail)?;
        if is_left && matches!(probe, Probe::MultiOr { .. }) {
            probe = Probe::Scan;
        }
        // ORDER BY sort avoidance may replace a scan or a one-sided range
        // (planner_cost.rs, `scan_delivers_order`).
        if let Some((c, choice)) = self.order_scan.filter(|_| !is_left) {
            if c == cursor {
                self.order_scan = None;
                probe = match choice {
                    Some((idx, rev)) => Probe::IndexScan { idx, rev },
                    None => Probe::TableScan,
                };
            }
        }
        if let Probe::AutoIndex { partial, .. } = &mut probe {
            *partial = !at.partial.is_empty();
        }
        let eqp_row = self.eqp.len();
        self.explain_level(&scope.sources[si], &probe);
        if is_left {
            self.eqp.append(eqp_row, " LEFT-JOIN");
        }
        // The term an equality or IN lookup fully enforces is not re-checked.
        if let Some(t) = term {
            terms[t].1 = true;
        }
        let access = match probe {
            Probe::RowidEq(key_expr) => {
                let key = self.expr(&key_expr, scope)?;
                self.b.emit(Insn::SeekRowid {
                    cursor,
                    rowid: key,
                    not_found: exit.addr(),
                });
                Access::Rowid
            }
            Probe::RowidRange { lo, hi, edges } => {
                // The seek and the exit test enforce the bounding terms.
                consume_edges(terms, edges);
                let bounds = Bounds {
                    lo: lo.as_ref(),
                    hi: hi.as_ref(),
                    eq: false,
                    aff: crate::record::Affinity::Numeric,
                    strict: edges.map(|e| e.is_some_and(|e| e.strict)),
                };
                self.open_rowid_range(cursor, scope, bounds, exit)?
            }
            Probe::Index {
                idx,
                lo,
                hi,
                aff,
                eq,
                edges,
            } => {
                consume_edges(terms, edges);
                let src = &scope.sources[si];
                let bounds = Bounds {
                    lo: lo.as_ref(),
                    hi: hi.as_ref(),
                    eq,
                    aff,
                    strict: edges.map(|e| e.is_some_and(|e| e.strict)),
                };
                self.open_index_range(
                    Some(src.cursor),
                    &src.table.indexes[idx],
                    scope,
                    bounds,
                    cont,
                    exit,
                )?
            }
            Probe::IndexIn { idx, term, aff } => {
                let src = &scope.sources[si];
                let index = &src.table.indexes[idx];
                self.open_index_in(Some(src.cursor), index, &term, aff, scope, cont, exit)?
            }
            Probe::RowidIn { term } => self.open_rowid_in(cursor, &term, scope, exit)?,
            Probe::IndexNull { idx } => {
                let src = &scope.sources[si];
                self.open_index_null(Some(src.cursor), &src.table.indexes[idx], cont, exit)?
            }
            Probe::MultiOr { arms } => {
                self.open_multi_or(&scope.sources[si], &arms, scope, cont, exit)?
            }
            Probe::AutoIndex {
                col,
                key,
                aff,
                coll,
                ..
            } => {
                let src = &scope.sources[si];
                let key = AutoKey {
                    col,
                    value: &key,
                    aff,
                    coll: coll.as_deref(),
                    partial: at.partial,
                };
                self.open_auto_index(src, key, scope, cont, exit)?
            }
            Probe::Scan if self.covering_index(&scope.sources[si]).is_some() => {
                let src = &scope.sources[si];
                let idx = self.covering_index(src).unwrap_or(0);
                self.open_index_scan(src.cursor, &src.table.indexes[idx], false, cont, exit)?
            }
            Probe::IndexScan { idx, rev } => {
                let src = &scope.sources[si];
                self.open_index_scan(src.cursor, &src.table.indexes[idx], rev, cont, exit)?
            }
            Probe::Scan | Probe::TableScan => {
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
            exit: level_exit,
            left,
            left_tail,
        })
    }

    /// Opens the full scan of a LEFT JOIN's right table (through its
    /// covering index when one holds every column the query reads); the
    /// `Rewind`'s empty target is patched by `end_loops`.
    fn open_left_scan(&mut self, src: &super::expr::Source, cont: Label, exit: Label) -> Level {
        let m = self.b.alloc_reg();
        self.b.emit(Insn::Integer { value: 0, dest: m });
        let name = &src.name;
        let covering = self
            .covering_index(src)
            .and_then(|i| src.table.indexes.get(i));
        let access = match covering.and_then(|ix| Some((ix, self.index_key_info(ix).ok()?))) {
            Some((index, key_info)) => {
                let idx_cursor = self.open_index_read(index, key_info);
                self.b.emit(Insn::Rewind {
                    cursor: idx_cursor,
                    if_empty: 0,
                });
                let top = self.b.here();
                self.visit_table_row(src.cursor, idx_cursor, index, cont);
                let iname = &index.name;
                self.eqp
                    .add(|| format!("SCAN {name} USING COVERING INDEX {iname} LEFT-JOIN"));
                Access::Index { idx_cursor, top }
            }
            None => {
                let top = self.b.here() + 1;
                self.b.emit(Insn::Rewind {
                    cursor: src.cursor,
                    if_empty: 0,
                });
                self.eqp.add(|| format!("SCAN {name} LEFT-JOIN"));
                Access::Scan { top }
            }
        };
        Level {
            cursor: src.cursor,
            access,
            cont,
            exit,
            left: Some((m, self.b.new_label())),
            left_tail: None,
        }
    }

    /// Closes the loops opened by [`Gen::begin_loops`].
    pub(crate) fn end_loops(&mut self, lp: Loops) {
        if lp.levels.is_empty() {
            self.b.resolve(lp.outer_exit);
            return;
        }
        let mut right = lp.right;
        for level in lp.levels.into_iter().rev() {
            self.b.resolve(level.cont);
            self.right_join_cont(right.as_ref(), level.cursor);
            // A covering loop's columns come from its index cursor: the
            // NULL row must be set there too.
            let covered = (self.covering_remap.iter())
                .find(|r| r.0 == level.cursor)
                .map(|r| r.1);
            self.close_access(level.cursor, level.access);
            if let Some(tail) = level.left_tail {
                self.b.resolve(tail);
            }
            if let Some((m, body)) = level.left {
                let rewind_at = self.left_rewind_fixup(covered.unwrap_or(level.cursor));
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
                if let Some(c) = covered {
                    self.b.emit(Insn::NullRow { cursor: c });
                }
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

    /// Advances the loop of one access path (the `Next` of its cursor).
    pub(super) fn close_access(&mut self, cursor: usize, access: Access) {
        match access {
            Access::Scan { top } => {
                self.b.emit(Insn::Next {
                    cursor,
                    target: top,
                });
            }
            Access::Rowid => {}
            Access::RowidIn {
                eph,
                in_top,
                in_next,
            } => {
                self.b.resolve(in_next);
                self.b.emit(Insn::Next {
                    cursor: eph,
                    target: in_top,
                });
            }
            Access::IndexPrev { idx_cursor, top } => {
                self.covering_remap.retain(|r| r.1 != idx_cursor);
                self.b.emit(Insn::Prev {
                    cursor: idx_cursor,
                    target: top,
                });
            }
            Access::MultiOr { ret } => {
                self.b.emit(Insn::Return { reg: ret });
            }
            Access::IndexIn {
                idx_cursor,
                top,
                eph,
                in_top,
                in_next,
            } => {
                self.covering_remap.retain(|r| r.1 != idx_cursor);
                self.b.emit(Insn::Next {
                    cursor: idx_cursor,
                    target: top,
                });
                self.b.resolve(in_next);
                self.b.emit(Insn::Next {
                    cursor: eph,
                    target: in_top,
                });
            }
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
    }

    /// The address of the `Rewind` of a LEFT JOIN level still waiting for
    /// its empty-table target.
    pub(super) fn left_rewind_fixup(&mut self, cursor: usize) -> Option<Addr> {
        (0..self.b.here()).rev().find(|&a| {
            matches!(self.b.insn_mut(a), Some(Insn::Rewind { cursor: c, if_empty: 0 }) if *c == cursor)
        })
    }
}

/// Marks the terms an index range enforces exactly (the range's bounds
/// use each term's own strictness, affinity and collation) as used, so
/// they are not re-checked per row. A BETWEEN counts only when it gave
/// both bounds.
fn consume_edges(terms: &mut [(Expr, bool)], edges: [Option<Edge>; 2]) {
    for e in edges.iter().flatten() {
        let Some((t, used)) = terms.get_mut(e.term) else {
            continue;
        };
        let between = matches!(t.kind, ExprKind::Between { .. });
        // A LIKE/GLOB prefix range is wider than the pattern.
        if matches!(t.kind, ExprKind::Like { .. }) {
            continue;
        }
        if !between || edges[0] == edges[1] {
            *used = true;
        }
    }
}

/// Per source, the mask of the sources that must be outer loops of it: all
/// sources to its left for the right operand of a CROSS JOIN (SQLite's way
/// of letting a query fix the join order), none otherwise.
fn cross_join_prereqs(from: Option<&FromClause>, n: usize) -> Vec<u64> {
    let mut after = vec![0u64; n];
    let Some(f) = from else { return after };
    for (i, item) in f.items.iter().enumerate().take(n.min(64)) {
        if item.join.is_some_and(|j| j.cross) {
            after[i] = (1u64 << i) - 1;
        }
    }
    after
}

/// Where a loop goes: source `si` at position `pos` of the join order, a
/// LEFT JOIN's right table when `is_left`, with the terms that limit it
/// alone (`partial`, for an automatic index).
pub(super) struct LevelAt<'a> {
    pub(super) si: usize,
    pub(super) pos: usize,
    pub(super) is_left: bool,
    pub(super) partial: &'a [Expr],
}
