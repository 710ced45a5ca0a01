//! SELECT with window functions.
//!
//! SQLite counterpart: `sqlite3WindowRewrite` (window.c), which turns a
//! windowed SELECT into a sub-select feeding an ephemeral table, and
//! `sqlite3WindowCodeStep`; loom keeps the same two halves but computes
//! the windows with the VM's window evaluator (vdbe/window.rs).
//!
//! Shape of the program:
//! 1. Inner half: the FROM/WHERE/GROUP BY/HAVING query produces one row
//!    per (grouped) input row: `[source columns…, aggregates…,
//!    PARTITION/ORDER keys…, function arguments and FILTERs…]`, appended to
//!    window buffer W (`WinAppend`).
//! 2. `WinCompute` sorts W for each distinct window and writes every
//!    window function's value into slots after those columns.
//! 3. Outer half: each buffered row is read through a pseudo cursor; the
//!    result columns and ORDER BY are evaluated with source columns,
//!    aggregate calls and window calls redirected to the row's slots, then
//!    DISTINCT, ORDER BY (sorter) and LIMIT/OFFSET apply as usual.
//!
//! Invariants:
//! 1. Window calls may not appear in WHERE, GROUP BY, HAVING or inside
//!    another window call's arguments ("misuse of window function").
//! 2. Without an ORDER BY, rows come out in the order of the first
//!    window's PARTITION BY/ORDER BY (SQLite's outermost sub-select).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::expr::{ColumnKey, Scope};
use super::select::{Dest, OutCol};
use super::window_spec::{call_args, exclude_of, misuse, unit_of, walk_outside_windows};
use super::window_spec::{find_window_call, ResolvedWindow, WinCall};
use super::Gen;
use crate::record::Binary;
use crate::sql::ast::{Expr, ExprKind, FrameBound, ResultColumn, Select, SimpleSelect, SortOrder};
use crate::vdbe::window::{WinBound, WinFrame, WinFunc, WinFuncKind, WinPass, WinSpec};
use crate::vdbe::{ColumnInfo, Insn};

type Span = (usize, usize);

/// The inner row layout being built.
#[derive(Default)]
struct Layout {
    exprs: Vec<Expr>,
    /// Source column → slot.
    columns: HashMap<ColumnKey, usize>,
    /// Aggregate calls and subqueries (outside windows): span → slot.
    aggs: BTreeMap<Span, usize>,
}

impl Layout {
    fn push(&mut self, e: &Expr) -> usize {
        self.exprs.push(e.clone());
        self.exprs.len() - 1
    }
}

impl Gen<'_> {
    /// True when the result columns or ORDER BY call a window function.
    pub(super) fn has_window_calls(core: &SimpleSelect, s: &Select) -> bool {
        let mut exprs: Vec<&Expr> = core
            .columns
            .iter()
            .filter_map(|c| match c {
                ResultColumn::Expr { expr, .. } => Some(expr),
                _ => None,
            })
            .collect();
        exprs.extend(s.order_by.iter().map(|o| &o.expr));
        exprs.into_iter().any(|e| find_window_call(e).is_some())
    }

    pub(super) fn window_select(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        dest: &Dest,
    ) -> Result<(), String> {
        self.check_aliased_windows(core)?;
        for e in core.where_.iter() {
            if let Some(n) = find_window_call(e) {
                return Err(misuse(&n));
            }
        }
        if let Some(h) = &core.having {
            let mut aggs = Vec::new();
            let mut seen = HashMap::new();
            for c in &core.columns {
                if let ResultColumn::Expr { expr, .. } = c {
                    self.collect_aggs(expr, &mut aggs, &mut seen);
                }
            }
            self.collect_aggs(h, &mut aggs, &mut seen);
            if aggs.is_empty() && core.group_by.is_empty() {
                return Err("HAVING clause on a non-aggregate query".into());
            }
        }
        for e in core.group_by.iter().chain(&core.having) {
            if let Some(n) = find_window_call(e) {
                return Err(misuse(&n));
            }
        }
        self.covering_hint = None;
        let mut scope = self.open_sources(core.from.as_ref())?;
        let cols = self.result_columns(&core.columns, &scope)?;
        self.b.columns = cols.iter().map(|c| c.info.clone()).collect();
        scope.aliases = core
            .columns
            .iter()
            .filter_map(|c| match c {
                ResultColumn::Expr {
                    expr,
                    alias: Some(a),
                    ..
                } => Some((a.clone(), expr.clone())),
                _ => None,
            })
            .collect();
        let order = self.order_terms(&s.order_by, &cols, &scope)?;
        let mut outer_exprs: Vec<Expr> = cols.iter().map(|c| c.expr.clone()).collect();
        outer_exprs.extend(order.iter().map(|o| o.0.clone()));
        let (calls, windows) = self.collect_window_calls(&outer_exprs, core)?;
        let mut layout = Layout::default();
        self.layout_outer_refs(&outer_exprs, &scope, &mut layout)?;
        let (spec, offsets) = self.layout_windows(&calls, &windows, &scope, &mut layout)?;
        let buf = self.b.alloc_cursor();
        self.b.emit(Insn::WinOpen { cursor: buf });
        self.window_inner(core, &cols, &scope, &layout, buf)?;
        let n_off = offsets.len();
        let off_regs = self.b.alloc_regs(n_off.max(1));
        for (i, e) in offsets.iter().enumerate() {
            self.expr_into(e, &self.base_scope(), off_regs + i)?;
        }
        let width = spec.width;
        self.b.emit(Insn::WinCompute {
            cursor: buf,
            spec: Arc::new(spec),
            offsets: off_regs,
            n_offsets: n_off,
        });
        let call_slots: Vec<(Span, usize)> = calls
            .iter()
            .enumerate()
            .map(|(i, c)| (c.expr.span, layout.exprs.len() + i))
            .collect();
        let outer = OuterPlan {
            buf,
            width,
            layout: &layout,
            call_slots,
        };
        self.window_outer(core, s, &scope, &cols, &order, &outer, dest)
    }

    /// WHERE, GROUP BY and HAVING may not name a result alias whose
    /// expression calls a window function.
    fn check_aliased_windows(&self, core: &SimpleSelect) -> Result<(), String> {
        let aliased: Vec<&String> = core
            .columns
            .iter()
            .filter_map(|c| match c {
                ResultColumn::Expr {
                    expr,
                    alias: Some(a),
                    ..
                } if find_window_call(expr).is_some() => Some(a),
                _ => None,
            })
            .collect();
        if aliased.is_empty() {
            return Ok(());
        }
        let mut hit = None;
        for e in core.where_.iter().chain(&core.group_by).chain(&core.having) {
            super::planner::walk(e, &mut |x| {
                if let ExprKind::Column {
                    table: None,
                    column,
                    ..
                } = &x.kind
                {
                    if let Some(a) = aliased.iter().find(|a| a.eq_ignore_ascii_case(column)) {
                        hit.get_or_insert_with(|| (*a).clone());
                    }
                }
            });
        }
        match hit {
            Some(a) => Err(format!("misuse of aliased window function {a}")),
            None => Ok(()),
        }
    }

    /// Window keys, arguments and FILTERs see the FROM clause, not the
    /// result aliases: an unknown name is "no such column".
    fn check_window_names(&self, e: &Expr, scope: &Scope) -> Result<(), String> {
        let bare = Scope {
            aliases: Vec::new(),
            ..scope.clone()
        };
        let mut err = None;
        super::planner::walk(e, &mut |x| {
            if let ExprKind::Column { table, column, .. } = &x.kind {
                if err.is_none() {
                    match self.resolve_column(&bare, table.as_deref(), column) {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            err = Some(match table {
                                Some(t) => format!("no such column: {t}.{column}"),
                                None => format!("no such column: {column}"),
                            })
                        }
                        Err(e) => err = Some(e),
                    }
                }
            }
        });
        err.map_or(Ok(()), Err)
    }

    /// Finds the window calls (deduplicated by span) and their windows.
    fn collect_window_calls(
        &self,
        exprs: &[Expr],
        core: &SimpleSelect,
    ) -> Result<(Vec<WinCall>, Vec<ResolvedWindow>), String> {
        let mut found: Vec<Expr> = Vec::new();
        for e in exprs {
            walk_outside_windows(e, &mut |x| {
                if let ExprKind::Function(call) = &x.kind {
                    if call.over.is_some() && !found.iter().any(|f| f.span == x.span) {
                        found.push(x.clone());
                    }
                }
            });
        }
        let mut calls = Vec::new();
        let mut windows: Vec<ResolvedWindow> = Vec::new();
        for e in found {
            let ExprKind::Function(call) = &e.kind else {
                continue;
            };
            let kind = self.window_kind(call)?;
            let args = call_args(call);
            for a in args.iter().chain(call.filter.as_deref()) {
                if let Some(n) = find_window_call(a) {
                    return Err(misuse(&n));
                }
            }
            let Some(over) = &call.over else { continue };
            let w = self.resolve_over(over, &core.windows)?;
            for k in w
                .partition_by
                .iter()
                .chain(w.order_by.iter().map(|o| &o.expr))
            {
                if let Some(n) = find_window_call(k) {
                    return Err(misuse(&n));
                }
            }
            let pass = match windows.iter().position(|x| *x == w) {
                Some(p) => p,
                None => {
                    windows.push(w);
                    windows.len() - 1
                }
            };
            calls.push(WinCall {
                filter: call.filter.as_deref().cloned(),
                expr: e.clone(),
                kind,
                args,
                pass,
            });
        }
        Ok((calls, windows))
    }

    /// Slots for the source columns and aggregates the outer half reads.
    fn layout_outer_refs(
        &self,
        exprs: &[Expr],
        scope: &Scope,
        layout: &mut Layout,
    ) -> Result<(), String> {
        let mut err = None;
        for e in exprs {
            walk_outside_windows(e, &mut |x| match &x.kind {
                ExprKind::Column { table, column, .. } => {
                    match self.resolve_column(scope, table.as_deref(), column) {
                        Ok(Some((si, c))) if si < scope.sources.len() => {
                            let key = (scope.sources[si].cursor, c);
                            if !layout.columns.contains_key(&key) {
                                let slot = layout.push(x);
                                layout.columns.insert(key, slot);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => err = Some(e),
                    }
                }
                ExprKind::Subquery(_) | ExprKind::Exists(_) | ExprKind::InSelect { .. }
                    if !layout.aggs.contains_key(&x.span) =>
                {
                    let slot = layout.push(x);
                    layout.aggs.insert(x.span, slot);
                }
                ExprKind::Function(call)
                    if self.is_aggregate_call(call) && !layout.aggs.contains_key(&x.span) =>
                {
                    let slot = layout.push(x);
                    layout.aggs.insert(x.span, slot);
                }
                _ => {}
            });
        }
        err.map_or(Ok(()), Err)
    }

    /// Slots for window keys, arguments and FILTERs; the compute spec and
    /// the frame-offset expressions.
    fn layout_windows(
        &self,
        calls: &[WinCall],
        windows: &[ResolvedWindow],
        scope: &Scope,
        layout: &mut Layout,
    ) -> Result<(WinSpec, Vec<Expr>), String> {
        let mut offsets = Vec::new();
        let mut passes = Vec::new();
        for w in windows {
            for e in w
                .partition_by
                .iter()
                .chain(w.order_by.iter().map(|t| &t.expr))
            {
                self.check_window_names(e, scope)?;
            }
            let partition = w
                .partition_by
                .iter()
                .map(|e| {
                    let coll = self
                        .expr_collation(e, scope)
                        .unwrap_or_else(|| Arc::new(Binary));
                    (layout.push(e), coll)
                })
                .collect();
            let mut order = Vec::new();
            for t in &w.order_by {
                let desc = t.order == Some(SortOrder::Desc);
                if super::nulls_order::flips_nulls(t) {
                    let flag = super::nulls_order::null_flag(&t.expr);
                    order.push((layout.push(&flag), desc, Arc::new(Binary) as _));
                }
                let coll = self
                    .expr_collation(&t.expr, scope)
                    .unwrap_or_else(|| Arc::new(Binary));
                order.push((layout.push(&t.expr), desc, coll));
            }
            let mut bound = |b: &FrameBound| match b {
                FrameBound::UnboundedPreceding => WinBound::UnboundedPreceding,
                FrameBound::UnboundedFollowing => WinBound::UnboundedFollowing,
                FrameBound::CurrentRow => WinBound::CurrentRow,
                FrameBound::Preceding(e) => {
                    offsets.push((**e).clone());
                    WinBound::Preceding(offsets.len() - 1)
                }
                FrameBound::Following(e) => {
                    offsets.push((**e).clone());
                    WinBound::Following(offsets.len() - 1)
                }
            };
            let frame = WinFrame {
                unit: unit_of(w.frame.unit),
                start: bound(&w.frame.start),
                end: bound(&w.frame.end),
                exclude: exclude_of(w.frame.exclude),
            };
            passes.push(WinPass {
                partition,
                order,
                frame,
                funcs: Vec::new(),
            });
        }
        let mut funcs = Vec::new();
        for c in calls {
            for e in c.args.iter().chain(c.filter.as_ref()) {
                self.check_window_names(e, scope)?;
            }
            let args = c.args.iter().map(|a| layout.push(a)).collect();
            let filter = c.filter.as_ref().map(|f| layout.push(f));
            let collation = match &c.kind {
                WinFuncKind::Agg(def) if def.flags.needs_collation => {
                    c.args.iter().find_map(|a| self.expr_collation(a, scope))
                }
                _ => None,
            };
            funcs.push((c.pass, c.kind.clone(), args, filter, collation));
        }
        let base = layout.exprs.len();
        for (i, (p, kind, args, filter, collation)) in funcs.into_iter().enumerate() {
            if let Some(pass) = passes.get_mut(p) {
                pass.funcs.push(WinFunc {
                    kind,
                    args,
                    filter,
                    out: base + i,
                    collation,
                });
            }
        }
        let spec = WinSpec {
            width: base + calls.len(),
            passes,
        };
        Ok((spec, offsets))
    }

    /// The inner half: every (grouped) row's slots into buffer `buf`.
    fn window_inner(
        &mut self,
        core: &SimpleSelect,
        cols: &[OutCol],
        scope: &Scope,
        layout: &Layout,
        buf: usize,
    ) -> Result<(), String> {
        let inner_cols: Vec<OutCol> = layout
            .exprs
            .iter()
            .map(|e| OutCol {
                expr: e.clone(),
                info: ColumnInfo::default(),
            })
            .collect();
        let dest = Dest::WinBuf { cursor: buf };
        let inner_s = Select {
            with: None,
            first: crate::sql::ast::SelectCore::Select(Box::new(core.clone())),
            compounds: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            span: (0, 0),
        };
        let mut aggs = Vec::new();
        let mut seen = HashMap::new();
        for e in layout.exprs.iter().chain(&core.having) {
            self.collect_aggs(e, &mut aggs, &mut seen);
        }
        if !aggs.is_empty() || !core.group_by.is_empty() {
            let mut grouped = self.resolve_group_by(core, cols, scope)?;
            grouped.distinct = false;
            return self.aggregate_select(&grouped, &inner_s, scope, &inner_cols, aggs, &dest);
        }
        if core.having.is_some() {
            return Err("HAVING clause on a non-aggregate query".into());
        }
        let lp = self.begin_loops(scope, core.where_.as_ref(), core.from.as_ref())?;
        let start = self.eval_columns(&inner_cols, scope)?;
        self.emit_row(&dest, start, inner_cols.len());
        self.end_loops(lp);
        Ok(())
    }
}

/// What the outer half needs to know about the buffer.
struct OuterPlan<'a> {
    buf: usize,
    width: usize,
    layout: &'a Layout,
    /// Window call span → result slot.
    call_slots: Vec<(Span, usize)>,
}

impl Gen<'_> {
    /// The outer half: read the computed rows back and produce results.
    #[allow(clippy::too_many_arguments)]
    fn window_outer(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        scope: &Scope,
        cols: &[OutCol],
        order: &[super::select::OrderKey],
        plan: &OuterPlan,
        dest: &Dest,
    ) -> Result<(), String> {
        let (pseudo, rec) = (self.b.alloc_cursor(), self.b.alloc_reg());
        self.b.emit(Insn::OpenPseudo {
            cursor: pseudo,
            reg: rec,
            n_cols: plan.width.max(1),
        });
        let slots: Vec<(Span, usize)> = plan
            .layout
            .aggs
            .iter()
            .map(|(s, i)| (*s, *i))
            .chain(plan.call_slots.iter().copied())
            .collect();
        let vals = self.b.alloc_regs(slots.len().max(1));
        let q_scope = Scope {
            remap: Some(
                plan.layout
                    .columns
                    .iter()
                    .map(|(k, slot)| (*k, (pseudo, *slot)))
                    .collect(),
            ),
            aggs: Some(
                slots
                    .iter()
                    .enumerate()
                    .map(|(i, (span, _))| (*span, vals + i))
                    .collect(),
            ),
            ..scope.clone()
        };
        let limits = self.limit_regs(s)?;
        let done = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: done.addr(),
                jump_if_null: true,
            });
        }
        let out_sorter = self.open_output_sorter(order, cols.len());
        let distinct = core.distinct.then(|| self.open_distinct(cols.len()));
        let (top, end, next) = (self.b.here(), self.b.new_label(), self.b.new_label());
        self.b.emit(Insn::WinRow {
            cursor: plan.buf,
            dest: rec,
            pseudo,
            if_done: end.addr(),
        });
        for (i, (_, slot)) in slots.iter().enumerate() {
            self.b.emit(Insn::Column {
                cursor: pseudo,
                column: *slot,
                dest: vals + i,
                default: None,
            });
        }
        let row = self.eval_columns(cols, &q_scope)?;
        if let Some(d) = distinct {
            self.skip_duplicate(d, row, cols.len(), next.addr());
        }
        match out_sorter {
            Some(os) => self.insert_sorted_row(os, order, &q_scope, row, cols.len())?,
            None => {
                self.output_with_limits(dest, row, cols.len(), limits, next.addr(), done.addr())
            }
        }
        self.b.resolve(next);
        self.b.emit(Insn::Goto { target: top });
        self.b.resolve(end);
        if let Some(os) = out_sorter {
            self.sort_output(os, order.len(), cols.len(), dest, limits, done.addr());
        }
        self.b.resolve(done);
        Ok(())
    }
}
