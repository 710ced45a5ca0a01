//! The join-order search: which table each nested loop visits, chosen by
//! the LogEst cost model of planner_stat.rs for every inner join.
//!
//! SQLite counterpart: where.c `wherePathSolver`, the "N nearest
//! neighbours" search of queryplanner-ng.html.
//!
//! The search grows partial join orders one table at a time. A step adds
//! table T after a partial order P: T's cheapest path given the tables of
//! P (their terms can drive T's lookups), costing
//! setup ⊕ (run + rows(P)) on top of P's cost, and multiplying P's rows
//! by the rows one run of T yields (LogEst: `+`). After each round only
//! the cheapest order of each set of tables survives, and at most N sets
//! (N = 1, 5, 10 for 1, 2, 3+ tables); the cheapest full order wins.
//!
//! Invariants:
//! 1. The search is bounded: at most n rounds × N orders × n tables
//!    steps, each costing its table's paths once per distinct set of
//!    *neighbour* tables available (tables sharing a WHERE term with it),
//!    so an 8-table join plans in well under 700 path evaluations.
//! 2. Ties keep the earlier order in the search (FROM order first), as
//!    SQLite does, so a plan never depends on hash or memory order.
//! 3. With more than 64 tables the FROM order is kept (SQLite allows at
//!    most 64 tables in a join).

use std::collections::HashMap;

use super::expr::Scope;
use super::planner_stat::{fallback_cost, pick_option, LoopCost};
use super::Gen;
use crate::sql::ast::{Expr, ExprKind};
use crate::sql::schema_stat::{log_est_add, LogEst};

/// A partial join order of the path search.
#[derive(Clone, Debug, Default)]
struct Path {
    order: Vec<usize>,
    /// The set of `order` as a bit mask.
    mask: u64,
    /// Rows of the loops before each position.
    before: Vec<LogEst>,
    rows: LogEst,
    cost: LogEst,
}

/// Per (source, available neighbours): each path's estimates and whether
/// it is an automatic index.
type Memo = HashMap<(usize, u64), Vec<(LoopCost, bool)>>;

impl Gen<'_> {
    /// The cost-based join order, with, per source, the rows (LogEst) of
    /// the loops outside it.
    pub(super) fn join_order_by_cost(
        &self,
        scope: &Scope,
        terms: &[(Expr, bool)],
        after: &[u64],
    ) -> Result<(Vec<usize>, Vec<LogEst>), String> {
        let n = scope.sources.len();
        if n > 64 {
            return Ok(((0..n).collect(), vec![0; n]));
        }
        let max_paths = match n {
            0 | 1 => 1,
            2 => 5,
            _ => 10,
        };
        let refs = self.term_refs(scope, terms);
        let nbr = neighbours(n, terms, &refs);
        let mut memo = Memo::new();
        let mut from: Vec<Path> = vec![Path::default()];
        for _ in 0..n {
            let mut to: Vec<Path> = Vec::new();
            for p in &from {
                let ready = |s: usize| p.mask & (1 << s) == 0 && p.mask & after[s] == after[s];
                for si in (0..n).filter(|&s| ready(s)) {
                    let c = self.step_cost(si, scope, terms, &refs, p, nbr[si], &mut memo)?;
                    let step = log_est_add(c.setup, c.run + p.rows);
                    let mut next = p.clone();
                    next.cost = match p.order.is_empty() {
                        true => step,
                        false => log_est_add(step, p.cost),
                    };
                    next.order.push(si);
                    next.mask |= 1 << si;
                    next.before.push(p.rows);
                    next.rows = p.rows + c.out;
                    add_path(&mut to, next, max_paths);
                }
            }
            from = to;
        }
        let mut best: Option<&Path> = None;
        for p in &from {
            if best.is_none_or(|b| p.cost < b.cost) {
                best = Some(p);
            }
        }
        let Some(best) = best else {
            return Ok(((0..n).collect(), vec![0; n]));
        };
        let mut rows_of = vec![0; n];
        for (k, &si) in best.order.iter().enumerate() {
            rows_of[si] = best.before.get(k).copied().unwrap_or(0);
        }
        Ok((best.order.clone(), rows_of))
    }

    /// The estimates of `si`'s cheapest path after partial order `p`.
    #[allow(clippy::too_many_arguments)]
    fn step_cost(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        refs: &[Option<Vec<usize>>],
        p: &Path,
        nbr: u64,
        memo: &mut Memo,
    ) -> Result<LoopCost, String> {
        let costs = match memo.entry((si, p.mask & nbr)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let avail = |s: usize| s < 64 && p.mask & (1 << s) != 0;
                let opts = self.cost_options(si, scope, terms, &avail, true, refs)?;
                e.insert(opts.iter().map(|(c, lc)| (*lc, c.is_auto())).collect())
            }
        };
        Ok(pick_option(costs, p.rows).map_or_else(fallback_cost, |i| costs[i].0))
    }
}

/// Per source, the mask of the sources whose availability can change its
/// paths: those sharing a term with it (every source when a term's
/// references are unknown or it holds a subquery).
pub(super) fn neighbours(
    n: usize,
    terms: &[(Expr, bool)],
    refs: &[Option<Vec<usize>>],
) -> Vec<u64> {
    let all = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut nbr = vec![0u64; n];
    for (ti, (t, _)) in terms.iter().enumerate() {
        let r = match refs.get(ti) {
            Some(Some(r)) if !has_subquery(t) => r,
            _ => return vec![all; n],
        };
        let mask = r
            .iter()
            .filter(|&&s| s < 64)
            .fold(0u64, |m, &s| m | (1 << s));
        for &s in r.iter().filter(|&&s| s < n) {
            nbr[s] |= mask;
        }
    }
    nbr
}

/// True if `e` holds a subquery (whose column references `walk` skips).
fn has_subquery(e: &Expr) -> bool {
    let mut found = false;
    super::planner_terms::walk(e, &mut |x| {
        found |= matches!(
            x.kind,
            ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. }
        );
    });
    found
}

/// Keeps `p` among the best paths `to` (one per set of tables, at most
/// `max` in all): an equal or cheaper path already there wins.
fn add_path(to: &mut Vec<Path>, p: Path, max: usize) {
    if let Some(q) = to.iter_mut().find(|q| q.mask == p.mask) {
        if q.cost < p.cost || (q.cost == p.cost && q.rows <= p.rows) {
            return;
        }
        *q = p;
        return;
    }
    if to.len() < max {
        to.push(p);
        return;
    }
    let worst = (0..to.len()).max_by_key(|&i| (to[i].cost, to[i].rows));
    if let Some(w) = worst {
        if (p.cost, p.rows) < (to[w].cost, to[w].rows) {
            to[w] = p;
        }
    }
}
