//! The columns a SELECT reads from each table of its FROM clause,
//! subqueries included: the hint that lets a full scan, an index loop or a
//! LEFT JOIN's scan read a covering index instead of the table.
//!
//! SQLite counterpart: where.c computes `colUsed` for every FROM item
//! while resolving names (resolve.c `lookupName` sets a bit per column,
//! also for references made from correlated subqueries). loom decides the
//! covering index before the subqueries are compiled, so this file walks
//! the statement's syntax tree once more and resolves every column name
//! with the compiler's scope rules: result columns (`*` and `t.*` come
//! already expanded), WHERE, GROUP BY, HAVING, ORDER BY, ON terms, the
//! columns USING/NATURAL compare, and correlated subqueries.
//!
//! Invariants:
//! 1. The set is a superset of the columns the compiled query reads from
//!    the table: every name that might resolve to it is counted. A name
//!    inside a subquery counts unless a source between it and the table
//!    (a table, view, CTE or FROM-subquery of an enclosing subquery)
//!    certainly has a column of that name; sources whose columns are
//!    unknown (`*` in a view body, table-valued functions) shadow nothing.
//! 2. Resolution goes innermost first, as the compiler's: the sources of
//!    the subquery holding the name, then each enclosing subquery's, then
//!    the query's own sources (as `resolve_column` resolves them); a
//!    qualified name `x.c` only matches sources named `x` (alias or table
//!    name).
//! 3. Expressions the compiler resolves without an enclosing FROM (LIMIT,
//!    FROM-subquery bodies, table-valued function arguments, compound
//!    ORDER BY) are walked with fewer scopes, never more, which can only
//!    add columns (invariant 1).
//! 4. `None` in the set is the rowid, which every index entry carries.
//! 5. A USING/NATURAL column counts for every source that has it (the
//!    join compares them all). Queries with RIGHT/FULL JOINs (whose
//!    unmatched-row passes read the tables themselves) and trigger bodies
//!    get no hint; virtual tables get none.

use super::expr::Scope;
use super::select::OutCol;
use super::Gen;
use crate::sql::ast::{Expr, ExprKind, FrameBound, FromClause, Over, Window};
use crate::sql::ast::{ResultColumn, Select, SelectCore, SimpleSelect, TableSource};

/// The column names of a source between a subquery's name and the table.
#[derive(Clone, Debug)]
enum Cols {
    /// These names; `rowid` also names a column when the flag is set.
    Known(Vec<String>, bool),
    /// Not known here: shadows nothing (invariant 1).
    Unknown,
}

/// One source of an enclosing subquery: its qualifier and its columns.
#[derive(Clone, Debug)]
struct FrameSource {
    name: Option<String>,
    cols: Cols,
}

/// Walks subqueries, collecting the table's columns they name.
struct OuterRefs<'g, 'a> {
    gen: &'g Gen<'a>,
    scope: &'g Scope,
    /// Per source of `scope`, the columns read.
    needed: Vec<Vec<Option<usize>>>,
    /// Sources of the enclosing subqueries, innermost last.
    frames: Vec<Vec<FrameSource>>,
    /// CTEs declared by enclosing subqueries (name, columns), innermost last.
    ctes: Vec<(String, Cols)>,
}

impl Gen<'_> {
    /// For every table of the query: each column it reads (`None` =
    /// rowid), keyed by the table's cursor, counting the references ON
    /// terms, USING/NATURAL equalities and correlated subqueries make to
    /// it; `None` when the query must read its tables themselves.
    pub(super) fn columns_read(
        &self,
        core: &SimpleSelect,
        s: &Select,
        cols: &[OutCol],
        scope: &Scope,
    ) -> Option<Vec<(usize, Vec<Option<usize>>)>> {
        if scope.sources.is_empty() || !self.trigger_rows.is_empty() || !scope.right_join.is_empty()
        {
            return None;
        }
        let mut exprs: Vec<&Expr> = cols.iter().map(|c| &c.expr).collect();
        exprs.extend(core.where_.iter());
        exprs.extend(core.group_by.iter());
        exprs.extend(core.having.iter());
        exprs.extend(s.order_by.iter().map(|o| &o.expr));
        if let Some(from) = &core.from {
            on_terms(from, &mut exprs);
        }
        let mut needed: Vec<Vec<Option<usize>>> = vec![Vec::new(); scope.sources.len()];
        let mut subqueries: Vec<&Select> = Vec::new();
        let mut args: Vec<&Expr> = Vec::new();
        let mut ok = true;
        let was_correlated = self.correlated.get();
        for e in exprs {
            walk_with_subqueries(e, &mut |x| match &x.kind {
                ExprKind::Exists(q) | ExprKind::Subquery(q) => subqueries.push(q),
                ExprKind::InSelect { select, .. } => subqueries.push(select),
                ExprKind::InTable { args: a, .. } => args.extend(a.iter().flatten()),
                ExprKind::Function(call) => args.extend(call_extras(call)),
                ExprKind::Column { table, column, .. } => {
                    match self.resolve_column(scope, table.as_deref(), column) {
                        // A correlated reference (no source here) reads an outer
                        // query's row, never these tables.
                        Ok(Some((si, c))) => {
                            if let Some(n) = needed.get_mut(si) {
                                push_unique(n, c);
                            }
                        }
                        Ok(None)
                            if scope
                                .aliases
                                .iter()
                                .any(|(a, _)| a.eq_ignore_ascii_case(column)) => {}
                        _ => ok = false,
                    }
                }
                _ => {}
            });
        }
        self.correlated.set(was_correlated);
        if !ok {
            return None;
        }
        using_columns(scope, &mut needed);
        let mut refs = OuterRefs {
            gen: self,
            scope,
            needed,
            frames: Vec::new(),
            ctes: Vec::new(),
        };
        for a in args {
            refs.expr(a);
        }
        for q in subqueries {
            refs.select(q);
        }
        self.correlated.set(was_correlated);
        // A table whose query reads only the rowid (or nothing) is covered
        // by every index: C scans or searches its narrowest one, and so
        // does loom.
        let hint = scope.sources.iter().zip(refs.needed);
        let hint = hint.filter(|(src, _)| !src.table.has_virtual());
        Some(hint.map(|(src, n)| (src.cursor, n)).collect())
    }
}

/// The ON terms of `from`, nested joins included.
fn on_terms<'f>(from: &'f FromClause, out: &mut Vec<&'f Expr>) {
    for item in &from.items {
        if let Some(crate::sql::ast::JoinConstraint::On(e)) = &item.constraint {
            out.push(e);
        }
        if let TableSource::Nested(inner) = &item.source {
            on_terms(inner, out);
        }
    }
}

/// USING/NATURAL columns: the join compares the column of every source
/// that has it, whatever the query names.
fn using_columns(scope: &Scope, needed: &mut [Vec<Option<usize>>]) {
    for (_, names) in &scope.using {
        for name in names {
            for (si, src) in scope.sources.iter().enumerate() {
                let hit = match src.table.column_index(name) {
                    Some(ci) if src.table.ipk == Some(ci) => None,
                    Some(ci) => Some(ci),
                    None => continue,
                };
                if let Some(n) = needed.get_mut(si) {
                    push_unique(n, hit);
                }
            }
        }
    }
}

/// Calls `f` on `e` and its sub-expressions, stopping at subqueries (which
/// `f` sees) and at window/ORDER BY parts of calls (`call_extras`).
fn walk_with_subqueries<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    f(e);
    super::planner_terms::walk_children(e, &mut |c| walk_with_subqueries(c, f));
}

/// The expressions of a call that `walk_children` skips: ORDER BY terms
/// and the OVER window.
fn call_extras(call: &crate::sql::ast::FunctionCall) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = call.order_by.iter().map(|o| &o.expr).collect();
    if let Some(Over::Window(w)) = &call.over {
        out.extend(window_exprs(w));
    }
    out
}

/// PARTITION BY, ORDER BY and frame-bound expressions of a window.
fn window_exprs(w: &Window) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = w.partition_by.iter().collect();
    out.extend(w.order_by.iter().map(|o| &o.expr));
    if let Some(f) = &w.frame {
        for b in [&f.start, &f.end] {
            if let FrameBound::Preceding(x) | FrameBound::Following(x) = b {
                out.push(x);
            }
        }
    }
    out
}

fn push_unique(v: &mut Vec<Option<usize>>, c: Option<usize>) {
    if !v.contains(&c) {
        v.push(c);
    }
}

fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// The result-column names of `sel`'s first core, when they are all
/// known without expanding `*`.
fn select_names(sel: &Select) -> Cols {
    let SelectCore::Select(core) = &sel.first else {
        return Cols::Unknown;
    };
    let mut names = Vec::new();
    for c in &core.columns {
        match c {
            ResultColumn::Expr { alias: Some(a), .. } => names.push(a.clone()),
            ResultColumn::Expr {
                expr, span_name, ..
            } => match &expr.kind {
                ExprKind::Column { column, .. } => names.push(column.clone()),
                _ => names.push(span_name.clone()),
            },
            ResultColumn::Star | ResultColumn::TableStar(_) => return Cols::Unknown,
        }
    }
    Cols::Known(names, false)
}

impl OuterRefs<'_, '_> {
    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Column { table, column, .. } => self.column_ref(table.as_deref(), column),
            ExprKind::Exists(q) | ExprKind::Subquery(q) => self.select(q),
            ExprKind::InSelect { expr, select, .. } => {
                self.expr(expr);
                self.select(select);
            }
            ExprKind::InTable { expr, args, .. } => {
                self.expr(expr);
                args.iter().flatten().for_each(|a| self.expr(a));
            }
            ExprKind::Function(call) => {
                super::planner_terms::walk_children(e, &mut |c| self.expr(c));
                call_extras(call).into_iter().for_each(|x| self.expr(x));
            }
            _ => super::planner_terms::walk_children(e, &mut |c| self.expr(c)),
        }
    }

    /// A column name met inside a subquery (invariant 2).
    fn column_ref(&mut self, table: Option<&str>, column: &str) {
        for frame in self.frames.iter().rev() {
            let shadowed = frame.iter().any(|s| {
                let named = match (table, &s.name) {
                    (None, _) => true,
                    (Some(t), Some(n)) => n.eq_ignore_ascii_case(t),
                    (Some(_), None) => false,
                };
                named
                    && match &s.cols {
                        Cols::Known(names, rowid) => {
                            names.iter().any(|n| n.eq_ignore_ascii_case(column))
                                || (*rowid && is_rowid_name(column))
                        }
                        Cols::Unknown => false,
                    }
            });
            if shadowed {
                return;
            }
        }
        // Not shadowed: the name resolves as in the query itself.
        if let Ok(Some((si, c))) = self.gen.resolve_column(self.scope, table, column) {
            if let Some(n) = self.needed.get_mut(si) {
                push_unique(n, c);
            }
        }
    }

    fn select(&mut self, sel: &Select) {
        let ctes_before = self.ctes.len();
        if let Some(w) = &sel.with {
            for cte in &w.ctes {
                let cols = if cte.columns.is_empty() {
                    select_names(&cte.select)
                } else {
                    Cols::Known(cte.columns.clone(), false)
                };
                if w.recursive {
                    self.ctes.push((cte.name.clone(), cols));
                    self.select(&cte.select);
                } else {
                    self.select(&cte.select);
                    self.ctes.push((cte.name.clone(), cols));
                }
            }
        }
        let single = sel.compounds.is_empty();
        let order: Vec<&Expr> = sel.order_by.iter().map(|o| &o.expr).collect();
        let first_order: &[&Expr] = if single { &order } else { &[] };
        self.core(&sel.first, first_order);
        for (_, c) in &sel.compounds {
            self.core(c, &[]);
        }
        if !single {
            order.iter().for_each(|e| self.expr(e));
        }
        if let Some(l) = &sel.limit {
            self.expr(&l.limit);
            l.offset.iter().for_each(|o| self.expr(o));
        }
        self.ctes.truncate(ctes_before);
    }

    /// One core with its FROM sources as the innermost frame; `order` is
    /// the query's ORDER BY when this core is the whole query.
    fn core(&mut self, core: &SelectCore, order: &[&Expr]) {
        let core = match core {
            SelectCore::Values(rows) => {
                rows.iter().flatten().for_each(|e| self.expr(e));
                return;
            }
            SelectCore::Select(c) => c,
        };
        let mut frame = Vec::new();
        let mut ons = Vec::new();
        if let Some(from) = &core.from {
            self.add_from_sources(from, &mut frame, &mut ons);
        }
        self.frames.push(frame);
        for c in &core.columns {
            if let ResultColumn::Expr { expr, .. } = c {
                self.expr(expr);
            }
        }
        let clauses = core.where_.iter().chain(&core.group_by).chain(&core.having);
        clauses.chain(ons).for_each(|e| self.expr(e));
        for w in &core.windows {
            window_exprs(&w.window)
                .into_iter()
                .for_each(|e| self.expr(e));
        }
        order.iter().for_each(|e| self.expr(e));
        self.frames.pop();
    }

    /// Appends the sources of `from` to `frame` and its ON terms to `ons`;
    /// FROM-subqueries and function arguments are walked outside the frame
    /// (invariant 3).
    fn add_from_sources<'f>(
        &mut self,
        from: &'f FromClause,
        frame: &mut Vec<FrameSource>,
        ons: &mut Vec<&'f Expr>,
    ) {
        for item in &from.items {
            if let Some(crate::sql::ast::JoinConstraint::On(e)) = &item.constraint {
                ons.push(e);
            }
            let (name, cols) = match &item.source {
                TableSource::Table(q) => {
                    let cols = self.table_cols(q.schema.as_deref(), &q.name);
                    (Some(q.name.clone()), cols)
                }
                TableSource::Function(q, args) => {
                    args.iter().for_each(|a| self.expr(a));
                    (Some(q.name.clone()), Cols::Unknown)
                }
                TableSource::Subquery(q) => {
                    self.select(q);
                    (None, select_names(q))
                }
                TableSource::Nested(inner) => {
                    self.add_from_sources(inner, frame, ons);
                    continue;
                }
            };
            frame.push(FrameSource {
                name: item.alias.clone().or(name),
                cols,
            });
        }
    }

    /// The columns of a table, view or CTE named in a subquery's FROM.
    fn table_cols(&self, schema: Option<&str>, name: &str) -> Cols {
        if schema.is_none() {
            let cte = self
                .ctes
                .iter()
                .rev()
                .find(|c| c.0.eq_ignore_ascii_case(name));
            if let Some((_, cols)) = cte {
                return cols.clone();
            }
            let outer_cte = self.gen.ctes.iter().rev();
            if let Some(c) = outer_cte
                .clone()
                .find(|c| c.name.eq_ignore_ascii_case(name))
            {
                return match c.columns.is_empty() {
                    true => select_names(&c.select),
                    false => Cols::Known(c.columns.clone(), false),
                };
            }
        }
        let schema_db = self.gen.main_schema();
        if let Some(v) = schema_db.view(name) {
            return match super::from::parse_view(&v.sql) {
                Ok((_, cols)) if !cols.is_empty() => Cols::Known(cols, false),
                Ok((sel, _)) => select_names(&sel),
                Err(_) => Cols::Unknown,
            };
        }
        let key = format!("{}.{name}", schema.unwrap_or(super::attach::UNQUALIFIED));
        match schema_db.table(&key).or_else(|| schema_db.table(name)) {
            Some(t) => Cols::Known(
                t.columns.iter().map(|c| c.name.clone()).collect(),
                !t.without_rowid,
            ),
            None => Cols::Unknown,
        }
    }
}
