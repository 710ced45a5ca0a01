//! The cost model used when `sqlite_stat1` describes a table of the
//! query: every access path of a loop gets an estimated cost and row
//! count (LogEst), the cheapest wins, and joins take the cheapest order.
//!
//! SQLite counterpart: where.c (`whereLoopAddBtree`,
//! `whereLoopAddBtreeIndex`, `whereRangeScanEst`, `whereLoopOutputAdjust`,
//! `whereLoopAddOr`, `wherePathSolver`); optoverview.html sections
//! "Choosing between multiple indexes" and "Joins".
//!
//! Costs (LogEst, so `+` multiplies and `⊕` is [`log_est_add`]) for a
//! table of N rows (row size St) and an index of N_i entries (size Si):
//!
//! | path                 | rows out                 | cost                              |
//! |----------------------|--------------------------|-----------------------------------|
//! | full scan            | N                        | N + 16                            |
//! | covering index scan  | N                        | N + 1 + 15·Si/St                  |
//! | rowid = x            | 1                        | log N ⊕ 16                        |
//! | index col = x        | a1 (stat's 2nd integer)  | log N_i ⊕ (out + 1 + 15·Si/St) ⊕ (out + 16 unless covering) |
//! | index/rowid range    | N_i/4 per bound, /64 both| as above                          |
//! | IN list of K values  | out + log K              | cost + log K (K = 25 for a subquery) |
//! | automatic index      | 20                       | setup N + log N + 28, cost log N ⊕ 20 |
//!
//! Invariants:
//! 1. The model is used when some table of the query has statistics, and
//!    for every loop of an inner join of two or more tables (planner.rs);
//!    otherwise the fixed ranking of planner_cost.rs decides.
//! 2. Ties keep the earlier path in SQLite's order: automatic index, full
//!    scan, rowid paths, indexes newest first, OR paths; a later path wins
//!    only with a lower cost, or the same cost and fewer rows.
//! 3. Terms the loop does not consume reduce its row estimate as SQLite's
//!    `whereLoopOutputAdjust` does (1 each; an equality at least 4×, 2×
//!    against -1, 0 or 1, unless stat1 shows the column is unselective).
//! 4. Join orders are searched by planner_path.rs with these estimates
//!    (SQLite's `wherePathSolver`).
//! 5. An index marked `unordered` in stat1 serves no range.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::planner_cost::{Bound, Edge, Probe};
use super::Gen;
use crate::record::Affinity;
use crate::sql::ast::{BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use crate::sql::schema::Table;
use crate::sql::schema_stat::{
    default_index_est, est_log, index_size, log_est, log_est_add, table_size, LogEst, TableStat,
    DEFAULT_ROWS,
};

/// The estimates of one loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LoopCost {
    /// One-time cost (an automatic index's build).
    pub setup: LogEst,
    /// Cost of one run of the loop.
    pub run: LogEst,
    /// Rows one run yields.
    pub out: LogEst,
}

/// The sizes of one table and its indexes the model works from.
struct TableEst {
    rows: LogEst,
    size: LogEst,
    /// Per index of `Table::indexes`: (estimates, size, unordered, from
    /// a stat1 row).
    idx: Vec<(Vec<LogEst>, LogEst, bool, bool)>,
}

/// Per-index term bounds found while collecting candidates.
#[derive(Default)]
struct Acc {
    eq: Option<(Expr, Affinity, Edge)>,
    inn: Option<(Expr, Affinity, usize)>,
    null: Option<usize>,
    lo: Option<(Expr, Affinity, Edge)>,
    hi: Option<(Expr, Affinity, Edge)>,
}

/// One candidate path and the terms it consumes.
pub(super) struct Cand {
    probe: Probe,
    term: Option<usize>,
    consumed: Vec<usize>,
}

impl Cand {
    /// True for an automatic index (worth building only inside a loop).
    pub(super) fn is_auto(&self) -> bool {
        matches!(self.probe, Probe::AutoIndex { .. })
    }
}

/// The cheapest of `costs` (estimates, is an automatic index) below
/// `n_row` outer rows: setup ⊕ (run + n_row), ties to fewer rows out,
/// then to the earlier path; no automatic index outside every loop.
pub(super) fn pick_option(costs: &[(LoopCost, bool)], n_row: LogEst) -> Option<usize> {
    let mut best: Option<(usize, LogEst, LogEst)> = None;
    for (i, (c, auto)) in costs.iter().enumerate() {
        if *auto && n_row < 3 {
            continue;
        }
        let total = log_est_add(c.setup, c.run + n_row);
        if best.is_none_or(|(_, bt, bo)| total < bt || (total == bt && c.out < bo)) {
            best = Some((i, total, c.out));
        }
    }
    best.map(|b| b.0)
}

/// The estimates of a full scan of a table without statistics.
pub(super) fn fallback_cost() -> LoopCost {
    LoopCost {
        setup: 0,
        run: DEFAULT_ROWS + 16,
        out: DEFAULT_ROWS,
    }
}

impl<'a> Gen<'a> {
    /// The `sqlite_stat1` statistics of `t`, if its database has some.
    pub(super) fn table_stat(&self, t: &Table) -> Option<&'a TableStat> {
        let key = t.name.to_ascii_lowercase();
        self.env.schemas.iter().find_map(|s| {
            let st = s.stat1.get(&key)?;
            let same = s
                .table(&t.name)
                .is_some_and(|x| std::ptr::eq(Arc::as_ptr(&x), t) || x.root == t.root);
            same.then_some(st)
        })
    }

    /// True when the cost model plans `scope` (invariant 1).
    pub(super) fn stats_in_scope(&self, scope: &Scope) -> bool {
        if self.env.schemas.iter().all(|s| s.stat1.is_empty()) {
            return false;
        }
        scope
            .sources
            .iter()
            .any(|s| self.table_stat(&s.table).is_some())
    }

    fn table_est(&self, t: &Table) -> TableEst {
        let stat = self.table_stat(t);
        let rows = stat.map_or(DEFAULT_ROWS, |s| s.rows);
        let size = stat.map_or_else(|| table_size(t), |s| s.size);
        let idx = t
            .indexes
            .iter()
            .map(
                |i| match stat.and_then(|s| s.indexes.get(&i.name.to_ascii_lowercase())) {
                    Some(is) => (is.est.clone(), is.size, is.unordered, is.from_stat1),
                    None => (default_index_est(i, rows), index_size(t, i), false, false),
                },
            )
            .collect();
        TableEst { rows, size, idx }
    }

    /// The cheapest path for source `si` given the sources `avail` says
    /// are outside it, with `n_row` rows (LogEst) coming from those loops.
    pub(super) fn probe_by_cost(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        allow_or: bool,
        n_row: LogEst,
    ) -> Result<(Probe, Option<usize>, LoopCost), String> {
        let refs = self.term_refs(scope, terms);
        let mut opts = self.cost_options(si, scope, terms, avail, allow_or, &refs)?;
        let costs: Vec<_> = opts.iter().map(|(c, lc)| (*lc, c.is_auto())).collect();
        Ok(match pick_option(&costs, n_row) {
            Some(i) => {
                let (c, cost) = opts.swap_remove(i);
                (c.probe, c.term, cost)
            }
            None => (Probe::Scan, None, fallback_cost()),
        })
    }

    /// Every path of source `si` the statistics allow, with its estimates
    /// (`refs` = [`Gen::term_refs`] of `terms`).
    pub(super) fn cost_options(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        allow_or: bool,
        refs: &[Option<Vec<usize>>],
    ) -> Result<Vec<(Cand, LoopCost)>, String> {
        let cands = self.cost_candidates(si, scope, terms, avail, allow_or, refs)?;
        let src = &scope.sources[si];
        let est = self.table_est(&src.table);
        let mut out = Vec::with_capacity(cands.len());
        for c in cands {
            if !allowed_by_stat(&est, &c.probe) {
                continue;
            }
            let mut cost = self.loop_cost(src, &est, &c.probe);
            if !c.is_auto() {
                cost.out = self.output_adjust(si, scope, terms, refs, &c.consumed, &est, cost.out);
            }
            out.push((c, cost));
        }
        Ok(out)
    }

    /// Every path for source `si` in SQLite's order (invariant 2).
    fn cost_candidates(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        allow_or: bool,
        refs: &[Option<Vec<usize>>],
    ) -> Result<Vec<Cand>, String> {
        let table = &scope.sources[si].table;
        let mut accs: Vec<Acc> = table.indexes.iter().map(|_| Acc::default()).collect();
        let (mut auto, mut ors) = (None, Vec::new());
        let (mut r_eq, mut r_in, mut r_lo, mut r_hi) = (None, None, None, None);
        for (ti, (t, used)) in terms.iter().enumerate() {
            // A term naming no column of `si` cannot drive its lookups.
            let other = matches!(refs.get(ti), Some(Some(r)) if !r.contains(&si));
            if *used || other {
                continue;
            }
            if allow_or {
                if let Some(arms) = self.or_arms(t, si, scope, avail)? {
                    ors.push(match or_as_in(t, &arms) {
                        Some(probe) => Cand {
                            probe,
                            term: Some(ti),
                            consumed: vec![ti],
                        },
                        None => Cand {
                            probe: Probe::MultiOr { arms },
                            term: None,
                            consumed: vec![ti],
                        },
                    });
                    continue;
                }
            }
            for c in self.constraints_of(t, si, scope, avail)? {
                let Some(col) = c.col else {
                    let slot = match c.op {
                        Bound::Eq => &mut r_eq,
                        Bound::In => &mut r_in,
                        Bound::Lower => &mut r_lo,
                        Bound::Upper => &mut r_hi,
                        Bound::Null => continue,
                    };
                    let edge = Edge {
                        term: ti,
                        strict: c.strict,
                    };
                    slot.get_or_insert((c.value, edge));
                    continue;
                };
                let edge = Edge {
                    term: ti,
                    strict: c.strict,
                };
                let mut any = false;
                for (i, acc) in accs.iter_mut().enumerate() {
                    if c.coll.is_some() {
                        break;
                    }
                    let Some(aff) = self.index_usable(si, i, col, &c.cmp_aff, scope, terms) else {
                        continue;
                    };
                    any = true;
                    let v = c.value.clone();
                    match c.op {
                        Bound::Eq => drop(acc.eq.get_or_insert((v, aff, edge))),
                        Bound::In => drop(acc.inn.get_or_insert((v, aff, ti))),
                        Bound::Null => drop(acc.null.get_or_insert(ti)),
                        Bound::Lower => drop(acc.lo.get_or_insert((v, aff, edge))),
                        Bound::Upper => drop(acc.hi.get_or_insert((v, aff, edge))),
                    }
                }
                if !any
                    && auto.is_none()
                    && c.op == Bound::Eq
                    && !self.is_current_row_table(scope, si)
                {
                    if let Some(aff) = self.auto_index_affinity(si, col, &c.cmp_aff, scope) {
                        auto = Some(Cand {
                            probe: Probe::AutoIndex {
                                col,
                                key: c.value,
                                aff,
                                coll: c.coll,
                                partial: false,
                            },
                            term: None,
                            consumed: vec![ti],
                        });
                    }
                }
            }
        }
        let mut out: Vec<Cand> = auto.into_iter().collect();
        out.push(Cand {
            probe: Probe::Scan,
            term: None,
            consumed: Vec::new(),
        });
        rowid_candidates(&mut out, r_eq, r_in, r_lo, r_hi);
        for (idx, acc) in accs.into_iter().enumerate().rev() {
            index_candidates(&mut out, idx, acc);
        }
        out.extend(ors);
        Ok(out)
    }

    /// [`Gen::usable_index`] for one given index `idx` of source `si`.
    fn index_usable(
        &self,
        si: usize,
        idx: usize,
        col: usize,
        cmp_aff: &(Option<Affinity>, Option<Affinity>),
        scope: &Scope,
        terms: &[(Expr, bool)],
    ) -> Option<Affinity> {
        let table = &scope.sources[si].table;
        let ix = table.indexes.get(idx)?;
        let want = table.columns.get(col)?.collation.to_ascii_lowercase();
        let first_ok = ix
            .columns
            .first()
            .is_some_and(|ic| ic.column == Some(col) && ic.collation.to_ascii_lowercase() == want);
        if !first_ok || ix.root == 0 {
            return None;
        }
        if let Some(w) = &ix.partial {
            if !self.partial_implied(w, terms, scope, si) {
                return None;
            }
        }
        self.auto_index_affinity(si, col, cmp_aff, scope)
    }

    /// Cost and rows of one run of `probe` before term adjustments.
    fn loop_cost(&self, src: &Source, est: &TableEst, probe: &Probe) -> LoopCost {
        let rows = est.rows;
        let log_rows = est_log(rows);
        let plain = |run, out| LoopCost { setup: 0, run, out };
        match probe {
            Probe::Scan | Probe::TableScan => match self.covering_index(src) {
                Some(i) => plain(rows + 1 + self.size_ratio(est, i), rows),
                None => plain(rows + 16, rows),
            },
            Probe::IndexScan { idx, .. } => plain(rows + 1 + self.size_ratio(est, *idx), rows),
            Probe::RowidEq(_) => plain(log_est_add(log_rows, 16), 0),
            Probe::RowidIn { term } => {
                let n_in = in_size(term);
                plain(log_est_add(log_rows, 16) + n_in, n_in)
            }
            Probe::RowidRange { lo, hi, .. } => {
                let out = range_est(rows, lo.is_some(), hi.is_some());
                plain(log_est_add(log_rows, out + 16), out)
            }
            Probe::AutoIndex { .. } => LoopCost {
                setup: log_rows + rows + 28,
                run: log_est_add(log_rows, 43),
                out: 43,
            },
            Probe::MultiOr { arms } => {
                let mut acc: Option<(LogEst, LogEst)> = None;
                for a in arms {
                    let c = self.loop_cost(src, est, a);
                    acc = Some(match acc {
                        None => (c.run, c.out),
                        Some((r, o)) => (log_est_add(r, c.run), log_est_add(o, c.out)),
                    });
                }
                let (run, out) = acc.unwrap_or((rows + 16, rows));
                plain(run + 1, out)
            }
            Probe::Index {
                idx, lo, hi, eq, ..
            } => {
                let e = index_est(est, *idx);
                let out = if *eq {
                    e.get(1).copied().unwrap_or(0)
                } else {
                    range_est(
                        e.first().copied().unwrap_or(rows),
                        lo.is_some(),
                        hi.is_some(),
                    )
                };
                plain(self.index_run(src, est, *idx, out), out)
            }
            Probe::IndexIn { idx, term, .. } => {
                let out = index_est(est, *idx).get(1).copied().unwrap_or(0);
                let n_in = in_size(term);
                plain(self.index_run(src, est, *idx, out) + n_in, out + n_in)
            }
            Probe::IndexNull { idx } => {
                let out = index_est(est, *idx).get(1).copied().unwrap_or(0) + 10;
                plain(self.index_run(src, est, *idx, out), out)
            }
        }
    }

    /// Cost of a lookup in index `idx` yielding `out` rows.
    fn index_run(&self, src: &Source, est: &TableEst, idx: usize, out: LogEst) -> LogEst {
        let n = index_est(est, idx).first().copied().unwrap_or(est.rows);
        let mut run = log_est_add(est_log(n), out + 1 + self.size_ratio(est, idx));
        let t = &src.table;
        let covering = t.indexes.get(idx).is_some_and(|ix| {
            crate::sql::schema_wr::is_table_key(t, ix)
                || self.covering_fields(src.cursor, ix).is_some()
                || holds_every_column(t, ix)
        });
        if !covering {
            run = log_est_add(run, out + 16);
        }
        run
    }

    /// 15 × index size / table size (the index-versus-table width term).
    fn size_ratio(&self, est: &TableEst, idx: usize) -> LogEst {
        let si = est.idx.get(idx).map_or(est.size, |e| e.1);
        (15 * i32::from(si) / i32::from(est.size.max(1))) as LogEst
    }

    /// `whereLoopOutputAdjust` (invariant 3).
    #[allow(clippy::too_many_arguments)]
    fn output_adjust(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        refs: &[Option<Vec<usize>>],
        consumed: &[usize],
        est: &TableEst,
        mut out: LogEst,
    ) -> LogEst {
        let mut prereq: Vec<usize> = Vec::new();
        for &ti in consumed {
            if let Some(Some(r)) = refs.get(ti) {
                prereq.extend(r.iter().copied().filter(|&s| s != si));
            }
        }
        let mut reduce = 0;
        for (ti, (t, used)) in terms.iter().enumerate() {
            if *used || consumed.contains(&ti) {
                continue;
            }
            let Some(Some(r)) = refs.get(ti) else {
                continue;
            };
            if !r.contains(&si) || !r.iter().all(|s| *s == si || prereq.contains(s)) {
                continue;
            }
            out -= 1;
            if let Some(k) = self.equality_reduction(t, si, scope, est) {
                reduce = reduce.max(k);
            }
        }
        out.min(est.rows - reduce)
    }

    /// How much an unconsumed `a = b` / `a IS b` term reduces the rows:
    /// 10 against -1, 0 or 1, else 20; none when a stat1-unselective
    /// column of `si` is compared.
    fn equality_reduction(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        est: &TableEst,
    ) -> Option<LogEst> {
        let ExprKind::Binary(BinaryOp::Eq | BinaryOp::Is, a, b) = &t.kind else {
            return None;
        };
        let column_of = |e: &Expr| match &e.kind {
            ExprKind::Column { table, column, .. } => Some(
                self.resolve_column(scope, table.as_deref(), column)
                    .ok()
                    .flatten(),
            ),
            _ => None,
        };
        let (col, other) = match (column_of(a), column_of(b)) {
            (Some(c), _) => (c, b),
            (None, Some(c)) => (c, a),
            (None, None) => return None,
        };
        if let Some((s, Some(c))) = col {
            if s == si && self.unselective(si, c, scope, est) {
                return None;
            }
        }
        Some(if small_integer(other) { 10 } else { 20 })
    }

    /// True when stat1 shows an index on `col` of `si` whose first column
    /// holds one value for half the rows or more (SQLite's high-truth term).
    fn unselective(&self, si: usize, col: usize, scope: &Scope, est: &TableEst) -> bool {
        let t = &scope.sources[si].table;
        t.indexes.iter().enumerate().any(|(i, ix)| {
            let e = index_est(est, i);
            ix.columns.first().is_some_and(|ic| ic.column == Some(col))
                && matches!((e.first(), e.get(1)), (Some(&n), Some(&a)) if a + 10 > n)
        })
    }
}

/// The rowid paths, in the order SQLite tries them.
fn rowid_candidates(
    out: &mut Vec<Cand>,
    eq: Option<(Expr, Edge)>,
    inn: Option<(Expr, Edge)>,
    lo: Option<(Expr, Edge)>,
    hi: Option<(Expr, Edge)>,
) {
    if let Some((v, Edge { term: ti, .. })) = eq {
        out.push(Cand {
            probe: Probe::RowidEq(v),
            term: Some(ti),
            consumed: vec![ti],
        });
    }
    if let Some((term, Edge { term: ti, .. })) = inn {
        out.push(Cand {
            probe: Probe::RowidIn { term },
            term: Some(ti),
            consumed: vec![ti],
        });
    }
    if lo.is_some() || hi.is_some() {
        let consumed = lo.iter().chain(hi.iter()).map(|x| x.1.term).collect();
        let edges = [lo.as_ref().map(|x| x.1), hi.as_ref().map(|x| x.1)];
        out.push(Cand {
            probe: Probe::RowidRange {
                lo: lo.map(|x| x.0),
                hi: hi.map(|x| x.0),
                edges,
            },
            term: None,
            consumed,
        });
    }
}

/// The paths through index `idx` its bounds allow.
fn index_candidates(out: &mut Vec<Cand>, idx: usize, acc: Acc) {
    if let Some((v, aff, edge)) = acc.eq {
        out.push(Cand {
            probe: Probe::Index {
                idx,
                lo: Some(v),
                hi: None,
                aff,
                eq: true,
                edges: [Some(edge), None],
            },
            term: None,
            consumed: vec![edge.term],
        });
    }
    if let Some((term, aff, ti)) = acc.inn {
        out.push(Cand {
            probe: Probe::IndexIn { idx, term, aff },
            term: Some(ti),
            consumed: vec![ti],
        });
    }
    if let Some(ti) = acc.null {
        out.push(Cand {
            probe: Probe::IndexNull { idx },
            term: Some(ti),
            consumed: vec![ti],
        });
    }
    if acc.lo.is_some() || acc.hi.is_some() {
        let aff = acc.lo.as_ref().or(acc.hi.as_ref()).map(|x| x.1);
        let edges = [acc.lo.as_ref().map(|x| x.2), acc.hi.as_ref().map(|x| x.2)];
        let consumed = edges.iter().flatten().map(|e| e.term).collect();
        out.push(Cand {
            probe: Probe::Index {
                idx,
                lo: acc.lo.map(|x| x.0),
                hi: acc.hi.map(|x| x.0),
                aff: aff.unwrap_or(Affinity::Blob),
                eq: false,
                edges,
            },
            term: None,
            consumed,
        });
    }
}

/// False for a range on an `unordered` index (invariant 5).
fn allowed_by_stat(est: &TableEst, probe: &Probe) -> bool {
    match probe {
        Probe::Index { idx, eq: false, .. } => !est.idx.get(*idx).is_some_and(|e| e.2),
        _ => true,
    }
}

/// The estimates of index `idx` (empty if out of range).
fn index_est(est: &TableEst, idx: usize) -> &[LogEst] {
    est.idx.get(idx).map_or(&[], |e| e.0.as_slice())
}

/// Rows of a range with the given bounds out of `n` (`whereRangeScanEst`
/// without STAT4): each bound keeps a quarter, both together 1/64.
fn range_est(n: LogEst, lo: bool, hi: bool) -> LogEst {
    let mut new = n;
    if lo {
        new -= 20;
    }
    if hi {
        new -= 20;
    }
    if lo && hi {
        new -= 20;
    }
    let out = n - LogEst::from(lo) - LogEst::from(hi);
    out.min(new.max(10))
}

/// LogEst of the number of values an IN term offers (25 for a subquery).
fn in_size(term: &Expr) -> LogEst {
    match &term.kind {
        ExprKind::InList { list, .. } => log_est(list.len() as u64),
        _ => 46,
    }
}

/// An OR whose every arm is an equality lookup on the same index with the
/// same affinity, as one IN lookup over the arms' values (SQLite rewrites
/// `a=x OR a=y` into `a IN (x, y)`); the values must not read a column.
fn or_as_in(t: &Expr, arms: &[Probe]) -> Option<Probe> {
    let mut disjuncts = Vec::new();
    super::planner_or::split_or(t, &mut disjuncts);
    let simple = |d: &&Expr| matches!(d.kind, ExprKind::Binary(BinaryOp::Eq, ..));
    if disjuncts.len() != arms.len() || !disjuncts.iter().all(simple) {
        return None;
    }
    let mut list = Vec::new();
    let mut key: Option<(usize, Affinity)> = None;
    for arm in arms {
        let Probe::Index {
            idx,
            lo: Some(v),
            eq: true,
            aff,
            ..
        } = arm
        else {
            return None;
        };
        if *key.get_or_insert((*idx, *aff)) != (*idx, *aff) || reads_column(v) {
            return None;
        }
        list.push(v.clone());
    }
    let (idx, aff) = key?;
    let first = list.first()?.clone();
    let term = Expr {
        kind: ExprKind::InList {
            expr: Box::new(first.clone()),
            negated: false,
            list,
        },
        ..first
    };
    Some(Probe::IndexIn { idx, term, aff })
}

/// True if `e` reads any column.
fn reads_column(e: &Expr) -> bool {
    let mut found = false;
    super::planner_terms::walk(e, &mut |x| {
        found |= matches!(x.kind, ExprKind::Column { .. });
    });
    found
}

/// True when a full index `ix` holds every column of `t` (or its rowid
/// alias): it covers any query on `t`, whatever the query reads.
fn holds_every_column(t: &Table, ix: &crate::sql::schema::Index) -> bool {
    ix.partial.is_none()
        && (0..t.columns.len())
            .all(|c| t.ipk == Some(c) || ix.columns.iter().any(|ic| ic.column == Some(c)))
}

/// An integer literal between -1 and 1.
fn small_integer(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(s)) => s == "0" || s == "1",
        ExprKind::Unary(UnaryOp::Negate, x) => {
            matches!(&x.kind, ExprKind::Literal(Literal::Integer(s)) if s == "0" || s == "1")
        }
        _ => false,
    }
}
