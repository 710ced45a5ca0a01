//! Access-path choice: which index, rowid range or scan serves each loop,
//! and the greedy join order built from those choices.
//!
//! SQLite counterpart: where.c's `whereLoopAddBtree` / `wherePathSolver`,
//! reduced to a fixed ranking of access paths instead of a cost model.
//!
//! Invariants:
//! 1. A path is only offered when the comparison's affinity and collation
//!    let the index order agree with the comparison (datatype3.html), so
//!    using the index never changes which rows match.
//! 2. `Probe::rank` orders paths: lower is never slower on any data.
//! 3. `scan_delivers_order` reports a count of leading ORDER BY terms
//!    only when the loop really visits rows in that order (index columns
//!    in turn, same collation, one direction); the caller sorts the rest
//!    in blocks (sort_block.rs) or, for the full count, not at all.

use super::expr::{Scope, Source};
use super::planner_terms::split_and;
use super::planner_terms::walk;
use super::Gen;
use crate::record::Affinity;
use crate::sql::ast::{Expr, ExprKind};
use crate::sql::schema::Index;
use crate::sql::schema_stat::{index_size, table_size};

/// Which side of a column a comparison bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bound {
    Eq,
    Lower,
    Upper,
    /// `col IN (list)` / `col IN (SELECT …)`: the value is the whole term.
    In,
    /// `col IS NULL`.
    Null,
}

/// `column OP value` found in a WHERE term (`col` None = rowid).
#[derive(Debug)]
pub(super) struct Constraint {
    pub(super) col: Option<usize>,
    pub(super) op: Bound,
    pub(super) value: Expr,
    pub(super) cmp_aff: (Option<Affinity>, Option<Affinity>),
    /// `<` or `>`: the bound itself is excluded.
    pub(super) strict: bool,
    /// The comparison's collation when it is not the column's own: only
    /// an automatic index (built with that collation) can serve such an
    /// equality; `None` for every other constraint.
    pub(super) coll: Option<String>,
}

/// Where an index range bound comes from: WHERE term `term`, excluding
/// the bound value when `strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Edge {
    pub(super) term: usize,
    pub(super) strict: bool,
}

/// The key bounds of an index range scan.
#[derive(Debug)]
pub(super) struct Bounds<'e> {
    pub(super) lo: Option<&'e Expr>,
    pub(super) hi: Option<&'e Expr>,
    pub(super) eq: bool,
    pub(super) aff: Affinity,
    /// The lower / upper bound excludes its value.
    pub(super) strict: [bool; 2],
}

/// An access path for one table.
#[derive(Debug)]
pub(super) enum Probe {
    RowidEq(Expr),
    Index {
        idx: usize,
        lo: Option<Expr>,
        hi: Option<Expr>,
        aff: Affinity,
        eq: bool,
        /// The terms giving `lo` and `hi` (an equality's is in `lo`).
        edges: [Option<Edge>; 2],
    },
    /// The rowids between `lo` and `hi`: the seek and the per-row exit
    /// test enforce the terms in `edges` exactly (planner_loops.rs).
    RowidRange {
        lo: Option<Expr>,
        hi: Option<Expr>,
        /// The terms giving `lo` and `hi`, with their strictness.
        edges: [Option<Edge>; 2],
    },
    /// A transient index on column `col` built once per execution, then
    /// probed with `key` (SQLite's automatic index, for join equalities on
    /// unindexed columns).
    AutoIndex {
        col: usize,
        key: Expr,
        aff: Affinity,
        /// The index's collation when the comparison's is not the column's.
        coll: Option<String>,
        /// Terms on this table alone limit the rows indexed (SQLite's
        /// automatic partial index); set once the loop is chosen
        /// (`open_level`), not during the cost search.
        partial: bool,
    },
    /// One index equality lookup per value of an IN list or subquery
    /// (`term`), the values visited in index order without duplicates.
    IndexIn {
        idx: usize,
        term: Expr,
        aff: Affinity,
    },
    /// One rowid lookup per value of an IN list or subquery (`term`).
    RowidIn {
        term: Expr,
    },
    /// The index entries whose first column is NULL.
    IndexNull {
        idx: usize,
    },
    /// One of these paths per disjunct of an OR term, each row visited
    /// once (planner_or.rs).
    MultiOr {
        arms: Vec<Probe>,
    },
    /// A full scan of index `idx` delivering the ORDER BY order, backwards
    /// when `rev` (chosen by `scan_delivers_order`).
    IndexScan {
        idx: usize,
        rev: bool,
    },
    /// A full table scan in rowid order (never through a covering index).
    TableScan,
    Scan,
}

impl Probe {
    /// Lower is cheaper.
    pub(super) fn rank(&self) -> u8 {
        match self {
            Probe::RowidEq(_) => 0,
            Probe::Index { eq: true, .. } => 1,
            Probe::AutoIndex { .. } | Probe::IndexNull { .. } => 1,
            Probe::IndexIn { .. } | Probe::RowidIn { .. } => 2,
            Probe::RowidRange {
                lo: Some(_),
                hi: Some(_),
                ..
            } => 2,
            Probe::Index {
                lo: Some(_),
                hi: Some(_),
                ..
            } => 3,
            Probe::RowidRange { .. } => 4,
            Probe::MultiOr { .. } => 5,
            Probe::Index { .. } => 6,
            Probe::Scan | Probe::IndexScan { .. } | Probe::TableScan => 7,
        }
    }
}

/// One ORDER BY key on a column of the single source (`col` None = rowid).
struct OrderCol {
    col: Option<usize>,
    coll: String,
    desc: bool,
}

/// How many leading `keys` scanning `index` delivers, and whether the scan
/// runs backwards: keys match index columns in turn (same column and
/// collation, all in or all against the column's direction); a rowid key
/// may only follow every column, and then orders everything after it (the
/// rowid is unique: the count is then `usize::MAX`, "every term"). (0,
/// false) when not even the first key is delivered.
fn index_order_prefix(index: &Index, keys: &[OrderCol]) -> (usize, bool) {
    let mut rev = None;
    for (i, k) in keys.iter().enumerate() {
        let against = match (k.col, index.columns.get(i)) {
            (None, _) if i == index.columns.len() => k.desc,
            (Some(c), Some(ic))
                if ic.column == Some(c) && ic.collation.eq_ignore_ascii_case(&k.coll) =>
            {
                k.desc != ic.desc
            }
            _ => return (i, rev.unwrap_or(false)),
        };
        if *rev.get_or_insert(against) != against {
            return (i, rev.unwrap_or(false));
        }
        if k.col.is_none() {
            return (usize::MAX, against);
        }
    }
    (keys.len(), rev.unwrap_or(false))
}

/// Adds a rowid bound, from `edge`, to the best path so far (if that is
/// a rowid range).
pub(super) fn merge_rowid_range(best: &Probe, op: Bound, value: Expr, edge: Edge) -> Probe {
    let (mut lo, mut hi, mut edges) = match best {
        Probe::RowidRange { lo, hi, edges } => (lo.clone(), hi.clone(), *edges),
        _ => (None, None, [None, None]),
    };
    let side = usize::from(op != Bound::Lower);
    let slot = if side == 0 { &mut lo } else { &mut hi };
    if slot.is_none() {
        *slot = Some(value);
        edges[side] = Some(edge);
    }
    Probe::RowidRange { lo, hi, edges }
}

/// Adds an index bound, from `edge`, to the best path so far (same index
/// only).
pub(super) fn merge_index_range(
    best: &Probe,
    idx: usize,
    aff: Affinity,
    c: Constraint,
    edge: Edge,
) -> Probe {
    if c.op == Bound::Eq {
        return Probe::Index {
            idx,
            lo: Some(c.value),
            hi: None,
            aff,
            eq: true,
            edges: [Some(edge), None],
        };
    }
    let (mut lo, mut hi, mut edges) = match best {
        Probe::Index {
            idx: i,
            lo,
            hi,
            eq: false,
            edges,
            ..
        } if *i == idx => (lo.clone(), hi.clone(), *edges),
        _ => (None, None, [None, None]),
    };
    let side = usize::from(c.op != Bound::Lower);
    let slot = if side == 0 { &mut lo } else { &mut hi };
    if slot.is_none() {
        *slot = Some(c.value);
        edges[side] = Some(edge);
    }
    Probe::Index {
        idx,
        lo,
        hi,
        aff,
        eq: false,
        edges,
    }
}

impl Gen<'_> {
    /// How many leading ORDER BY terms a single-table query's chosen access
    /// path already delivers (`order.len()`: no sorter is needed; fewer:
    /// only the right part is sorted, in blocks of equal left part, see
    /// sort_block.rs). The rowid orders a table scan or rowid lookup; an
    /// index lookup delivers a prefix of its columns (then maybe the
    /// rowid). Instead of a table scan, a full scan of an index whose
    /// columns give the whole order, else the longest left part, is read,
    /// backwards when every delivered key runs against its column's
    /// direction: C's planner weighs a partial sort as cheaper than a full
    /// one (by the unsorted fraction of the terms), so without statistics
    /// it also prefers such a scan to a one-sided range on another index
    /// when at least a third of the terms come sorted and no LIMIT cuts
    /// the sort's cost (`limited`). A chosen scan order is left in
    /// `self.order_scan` for [`Gen::begin_loops`].
    pub(crate) fn scan_delivers_order(
        &mut self,
        scope: &Scope,
        where_: Option<&Expr>,
        order: &[super::select::OrderKey],
        limited: bool,
    ) -> Result<usize, String> {
        self.order_scan = None;
        if scope.sources.len() != 1 {
            return Ok(0);
        }
        let mut terms: Vec<(Expr, bool)> = Vec::new();
        if let Some(w) = where_ {
            split_and(&self.expand_aliases(w, scope), &mut terms);
        }
        let (probe, _) = self.probe(0, scope, &terms, &|_| false)?;
        let src = &scope.sources[0];
        let keys = self.order_columns(scope, order)?;
        let rowid_first = keys.first().is_some_and(|k| k.col.is_none() && !k.desc);
        let full = order.len();
        let indexes = &src.table.indexes;
        // What the chosen lookup delivers, and whether its index gives a
        // left part at all (backwards too: then C reads the range
        // backwards rather than scanning another index).
        let (own, own_any) = match &probe {
            Probe::RowidEq(_) | Probe::RowidRange { .. } | Probe::RowidIn { .. } if rowid_first => {
                (full, true)
            }
            Probe::Index { idx, .. } | Probe::IndexIn { idx, .. } | Probe::IndexNull { idx } => {
                match index_order_prefix(&indexes[*idx], &keys) {
                    (n, false) => (n.min(full), n > 0),
                    (n, true) => (0, n > 0),
                }
            }
            _ => (0, false),
        };
        let one_sided = match &probe {
            Probe::Index {
                lo, hi, eq: false, ..
            }
            | Probe::RowidRange { lo, hi, .. } => lo.is_some() != hi.is_some(),
            _ => false,
        };
        let replace = match probe {
            Probe::Scan if rowid_first => {
                self.order_scan = Some((src.cursor, None));
                return Ok(full);
            }
            Probe::Scan => true,
            _ => one_sided && !own_any && !limited && !self.stats_in_scope(scope),
        };
        if !replace {
            return Ok(own);
        }
        Ok(match self.order_index(src, &keys, full) {
            Some((n, i, rev)) if matches!(probe, Probe::Scan) || n * 3 >= full => {
                self.order_scan = Some((src.cursor, Some((i, rev))));
                n
            }
            _ => own,
        })
    }

    /// The full index whose scan delivers the most leading ORDER BY terms
    /// (`keys`, out of `full`): the covering index first, then in schema
    /// order, ties to the first found; with the count and direction.
    fn order_index(
        &self,
        src: &Source,
        keys: &[OrderCol],
        full: usize,
    ) -> Option<(usize, usize, bool)> {
        let indexes = &src.table.indexes;
        let covering = self.covering_index(src);
        let candidates = covering.into_iter().chain(0..indexes.len());
        let mut best: Option<(usize, usize, bool)> = None;
        for i in candidates.filter(|&i| indexes[i].partial.is_none() && indexes[i].root != 0) {
            let (n, rev) = index_order_prefix(&indexes[i], keys);
            let n = n.min(full);
            if n > 0 && best.is_none_or(|b| n > b.0) {
                best = Some((n, i, rev));
            }
        }
        best
    }

    /// The leading ORDER BY terms that are plain columns (or the rowid) of
    /// the single source, up to the first that is not.
    fn order_columns(
        &self,
        scope: &Scope,
        order: &[super::select::OrderKey],
    ) -> Result<Vec<OrderCol>, String> {
        let mut keys = Vec::new();
        for (e, desc, coll) in order {
            let ExprKind::Column {
                table: q, column, ..
            } = &e.kind
            else {
                break;
            };
            match self.resolve_column(scope, q.as_deref(), column)? {
                Some((0, col)) => keys.push(OrderCol {
                    col,
                    coll: coll.name().to_ascii_lowercase(),
                    desc: *desc,
                }),
                _ => break,
            }
        }
        Ok(keys)
    }

    /// The loop order: FROM order when there is a LEFT JOIN, else greedily
    /// the table with the cheapest access given the tables already chosen
    /// (a rowid or index lookup before a scan), ties in FROM order; a
    /// source is a candidate only once the sources of its `after` mask
    /// (CROSS JOIN) are chosen.
    pub(super) fn join_order(
        &self,
        scope: &Scope,
        terms: &[(Expr, bool)],
        left: &[bool],
        after: &[u64],
    ) -> Result<Vec<usize>, String> {
        let n = scope.sources.len();
        if n <= 1 || left.iter().any(|l| *l) {
            return Ok((0..n).collect());
        }
        let refs = self.term_refs(scope, terms);
        // A source's best probe changes only when a source sharing a term
        // with it (`nbr`) is chosen: the others keep their cached rank.
        let nbr = super::planner_path::neighbours(n, terms, &refs);
        let mut rank_of: Vec<Option<u8>> = vec![None; n];
        let mut is_chosen = vec![false; n];
        let mut chosen: Vec<usize> = Vec::with_capacity(n);
        while chosen.len() < n {
            let avail = |s: usize| is_chosen.get(s).copied().unwrap_or(false);
            let mut best: Option<(u8, usize)> = None;
            let ready = |s: usize| {
                let need = after.get(s).copied().unwrap_or(0);
                !avail(s) && (need == 0 || (0..n.min(64)).all(|b| need & (1 << b) == 0 || avail(b)))
            };
            for si in (0..n).filter(|&s| ready(s)) {
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
                let rank = match rank_of[si] {
                    Some(r) => r,
                    None => {
                        let r = (self.probe_some(si, scope, terms, &avail, &relevant)?.0).rank();
                        rank_of[si] = Some(r);
                        r
                    }
                };
                if best.is_none_or(|(r, _)| rank < r) {
                    best = Some((rank, si));
                }
            }
            let pick = best.map_or(0, |b| b.1);
            chosen.push(pick);
            if let Some(c) = is_chosen.get_mut(pick) {
                *c = true;
            }
            for (si, r) in rank_of.iter_mut().enumerate() {
                if pick >= 64 || nbr.get(si).is_none_or(|m| m & (1 << pick) != 0) {
                    *r = None;
                }
            }
        }
        Ok(chosen)
    }

    /// The best access path for source `si` given the sources for which
    /// `avail` is true, and the term an equality lookup consumes.
    pub(super) fn probe(
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
    pub(super) fn term_refs(
        &self,
        scope: &Scope,
        terms: &[(Expr, bool)],
    ) -> Vec<Option<Vec<usize>>> {
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
    pub(super) fn probe_some(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        relevant: &dyn Fn(usize) -> bool,
    ) -> Result<(Probe, Option<usize>), String> {
        self.probe_terms(si, scope, terms, avail, relevant, true)
    }

    /// [`Self::probe_some`]; OR terms are considered only when `allow_or`.
    pub(super) fn probe_terms(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        relevant: &dyn Fn(usize) -> bool,
        allow_or: bool,
    ) -> Result<(Probe, Option<usize>), String> {
        let chosen = self.probe_unforced(si, scope, terms, avail, relevant, allow_or)?;
        Ok(self.force_indexed_by(scope.sources[si].cursor, chosen))
    }

    /// [`Self::probe_terms`] before INDEXED BY / NOT INDEXED apply.
    fn probe_unforced(
        &self,
        si: usize,
        scope: &Scope,
        terms: &[(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        relevant: &dyn Fn(usize) -> bool,
        allow_or: bool,
    ) -> Result<(Probe, Option<usize>), String> {
        let cursor = scope.sources[si].cursor;
        let planned = self.plan_rows.iter().find(|(c, _)| *c == cursor);
        if planned.is_some() || self.stats_in_scope(scope) {
            let n_row = planned.map_or(0, |r| r.1);
            let (p, t, _) = self.probe_by_cost(si, scope, terms, avail, allow_or, n_row)?;
            return Ok((p, t));
        }
        let mut best = (Probe::Scan, None);
        for (ti, (t, used)) in terms.iter().enumerate() {
            if *used || !relevant(ti) {
                continue;
            }
            if allow_or {
                if let Some(arms) = self.or_arms(t, si, scope, avail)? {
                    let candidate = Probe::MultiOr { arms };
                    if candidate.rank() < best.0.rank() {
                        best = (candidate, None);
                    }
                    continue;
                }
            }
            for c in self.constraints_of(t, si, scope, avail)? {
                let foreign_coll = c.coll.is_some();
                let candidate = match (c.col, c.op) {
                    (None, Bound::In) => (Probe::RowidIn { term: c.value }, Some(ti)),
                    (None, Bound::Null) => continue,
                    (Some(col), op @ (Bound::In | Bound::Null)) => {
                        match self.usable_index(si, col, &c.cmp_aff, scope, terms) {
                            Some((idx, _)) if op == Bound::Null => {
                                (Probe::IndexNull { idx }, Some(ti))
                            }
                            Some((idx, aff)) => (
                                Probe::IndexIn {
                                    idx,
                                    term: c.value,
                                    aff,
                                },
                                Some(ti),
                            ),
                            None => continue,
                        }
                    }
                    (None, Bound::Eq) => (Probe::RowidEq(c.value), Some(ti)),
                    (None, op) => {
                        let edge = Edge {
                            term: ti,
                            strict: c.strict,
                        };
                        (merge_rowid_range(&best.0, op, c.value, edge), None)
                    }
                    (Some(col), op) => match (!foreign_coll)
                        .then(|| self.usable_index(si, col, &c.cmp_aff, scope, terms))
                        .flatten()
                    {
                        Some((idx, aff)) => {
                            let edge = Edge {
                                term: ti,
                                strict: c.strict,
                            };
                            (merge_index_range(&best.0, idx, aff, c, edge), None)
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
                                        coll: c.coll,
                                        partial: false,
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

    /// An index of source `si` whose first column is `col` and that a
    /// comparison with affinities `cmp_aff` may use; with the key affinity.
    pub(super) fn usable_index(
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
        // As sqlite3IndexAffinityOk: a comparison that converts neither
        // side (BLOB, e.g. TEXT = TEXT) may use any index.
        let compatible =
            aff == Affinity::Blob || aff == col_aff || (aff.is_numeric() && col_aff.is_numeric());
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

    /// The key affinity for an automatic index on `col`, if the comparison
    /// can use one (same rules as a real index).
    pub(super) fn auto_index_affinity(
        &self,
        si: usize,
        col: usize,
        cmp_aff: &(Option<Affinity>, Option<Affinity>),
        scope: &Scope,
    ) -> Option<Affinity> {
        let col_aff = scope.sources[si].table.columns[col].affinity;
        let aff = super::expr::compare_affinity(cmp_aff.0, cmp_aff.1);
        let ok =
            aff == Affinity::Blob || aff == col_aff || (aff.is_numeric() && col_aff.is_numeric());
        ok.then_some(aff)
    }

    /// The index SQLite would scan instead of the table for a full scan:
    /// one holding every column the query reads (`self.covering_hint`) and,
    /// on a rowid table, narrower than the table; among those the cheapest
    /// by where.c's cost `15 * szIdxRow / szTabRow` (integer division),
    /// ties going to the index created last (C keeps its index list
    /// newest first and keeps the first of equal-cost loops).
    pub(super) fn covering_index(&self, src: &Source) -> Option<usize> {
        if !self.covering_scan {
            return None;
        }
        let needed = self.covering_needed(src.cursor)?;
        let t = &src.table;
        let sz_tab = table_size(t);
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
            .filter_map(|(i, ix)| {
                let sz = index_size(t, ix);
                (t.without_rowid || sz < sz_tab).then(|| {
                    let cost = 15 * i32::from(sz) / i32::from(sz_tab).max(1);
                    (cost, std::cmp::Reverse(i))
                })
            })
            .min()
            .map(|(_, std::cmp::Reverse(i))| i)
    }
}
