//! WHERE-term analysis for the planner: the column constraints a term
//! offers, which loop level a term belongs to, and expression walking.
//!
//! SQLite counterpart: whereexpr.c (`sqlite3WhereSplit`, `exprAnalyze`)
//! and the `exprNodeIsConstant`-style walkers of expr.c.
//!
//! Invariants:
//! 1. A constraint's value never reads the constrained source or a source
//!    not yet open (`computable`), so it can be evaluated before the seek.
//! 2. `walk` visits every sub-expression of the current query level and
//!    never descends into subqueries.
//! 3. A LIKE/GLOB prefix range only narrows the rows: the planner never
//!    marks the LIKE/GLOB term enforced (planner.rs `consume_edges`).

use super::expr::Scope;
use super::planner_cost::{Bound, Constraint};
use super::Gen;
use crate::record::Affinity;
use crate::sql::ast::{BinaryOp, Expr, ExprKind, FunctionArgs, LikeOp, Literal};

impl Gen<'_> {
    /// The comparisons in term `t` that bound a column (or the rowid) of
    /// source `si` by a value computable from the `avail` sources.
    pub(super) fn constraints_of(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Vec<Constraint>, String> {
        let mut out = Vec::new();
        // (column side, bound, value, strict, column is the left operand)
        let push = |col_expr: &Expr,
                    (op, strict, col_left): (Bound, bool, bool),
                    value: &Expr,
                    out: &mut Vec<Constraint>|
         -> Result<(), String> {
            let mut bare = col_expr;
            while let ExprKind::Collate(inner, _) = &bare.kind {
                bare = inner;
            }
            let ExprKind::Column { table, column, .. } = &bare.kind else {
                return Ok(());
            };
            if !may_name_source(scope, si, table.as_deref(), column) {
                return Ok(());
            }
            let Some((s, col)) = self.resolve_column(scope, table.as_deref(), column)? else {
                return Ok(());
            };
            if s != si || !self.computable(value, scope, avail)? {
                return Ok(());
            }
            let coll = self.foreign_collation(col_expr, value, col_left, s, col, scope);
            if coll.is_some() && (op != Bound::Eq || col.is_none()) {
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
                strict,
                coll,
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
                let strict = matches!(op, BinaryOp::Lt | BinaryOp::Gt);
                push(l, (fwd, strict, true), r, &mut out)?;
                push(r, (rev, strict, false), l, &mut out)?;
            }
            ExprKind::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                push(expr, (Bound::Lower, false, true), low, &mut out)?;
                push(expr, (Bound::Upper, false, true), high, &mut out)?;
            }
            ExprKind::Like {
                op,
                negated: false,
                expr,
                pattern,
                escape: None,
            } => {
                if let Some((lo, hi)) = self.like_bounds(*op, expr, pattern, si, scope) {
                    push(expr, (Bound::Lower, false, true), &lo, &mut out)?;
                    push(expr, (Bound::Upper, true, true), &hi, &mut out)?;
                }
            }
            _ => out.extend(self.set_constraint(t, si, scope, avail)?),
        }
        Ok(out)
    }

    /// The LIKE optimization (optoverview.html): `col GLOB 'abc*'` (BINARY
    /// column) and `col LIKE 'abc%'` (NOCASE column, LIKE being
    /// case-insensitive) bound the column to `['abc', 'abd')`, upper-cased
    /// and lower-cased for LIKE. The LIKE/GLOB term stays a filter
    /// (invariant 3). Only built-in like()/glob(), an ASCII prefix, and on a
    /// column without TEXT affinity a prefix whose bounds are not numbers.
    fn like_bounds(
        &self,
        op: LikeOp,
        col: &Expr,
        pattern: &Expr,
        si: usize,
        scope: &Scope,
    ) -> Option<(Expr, Expr)> {
        let (name, wild, collation) = match op {
            LikeOp::Glob => ("glob", &['*', '?', '['][..], "BINARY"),
            LikeOp::Like => ("like", &['%', '_'][..], "NOCASE"),
            _ => return None,
        };
        let builtin = self.env.registry.find(name, 2);
        if !builtin.is_some_and(|d| matches!(d.kind, crate::func::FuncKind::Scalar(_))) {
            return None;
        }
        let ExprKind::Literal(Literal::String(text)) = &pattern.kind else {
            return None;
        };
        let ExprKind::Column { table, column, .. } = &col.kind else {
            return None;
        };
        let (s, Some(c)) = self
            .resolve_column(scope, table.as_deref(), column)
            .ok()??
        else {
            return None;
        };
        let column = scope.sources.get(s)?.table.columns.get(c)?;
        let prefix: String = text.chars().take_while(|ch| !wild.contains(ch)).collect();
        let last = prefix.chars().last()?;
        if s != si
            || !prefix.is_ascii()
            || last == '\u{7f}'
            || !column.collation.eq_ignore_ascii_case(collation)
        {
            return None;
        }
        let next = match op {
            LikeOp::Like => last.to_ascii_lowercase(),
            _ => last,
        };
        let mut bumped = prefix.clone();
        bumped.pop();
        bumped.push(char::from(next as u8 + 1));
        // A prefix that reads as a number could match numbers stored in a
        // column without TEXT affinity, which sort before every text.
        if column.affinity != Affinity::Text
            && (looks_numeric(&prefix) || prefix == "-" || looks_numeric(&bumped))
        {
            return None;
        }
        let (mut lo, mut hi) = (prefix, bumped);
        if op == LikeOp::Like {
            lo.make_ascii_uppercase();
            hi.make_ascii_lowercase();
        }
        let lit = |v: String| Expr {
            kind: ExprKind::Literal(Literal::String(v)),
            span: pattern.span,
            height: 1,
        };
        Some((lit(lo), lit(hi)))
    }

    /// The collation of comparing `col_expr` (column `col` of source `si`,
    /// the left operand when `col_left`) with `value` when it is not the
    /// column's own (which its indexes are built with): an explicit
    /// COLLATE on either operand, or the value's column collation taking
    /// precedence as the left operand. `None` when the column's own applies.
    fn foreign_collation(
        &self,
        col_expr: &Expr,
        value: &Expr,
        col_left: bool,
        si: usize,
        col: Option<usize>,
        scope: &Scope,
    ) -> Option<String> {
        use super::expr::has_explicit_collate;
        // Cheap cases first: this runs for every term of every candidate
        // loop of the join-order search.
        let other = if has_explicit_collate(col_expr) || has_explicit_collate(value) {
            match col_left {
                true => self.binary_collation(col_expr, value, scope),
                false => self.binary_collation(value, col_expr, scope),
            }
        } else if !col_left && matches!(value.kind, ExprKind::Column { .. }) {
            self.expr_collation(value, scope)
        } else {
            None
        };
        let own = col
            .and_then(|c| scope.sources[si].table.columns.get(c))
            .map_or("BINARY", |c| c.collation.as_str());
        other
            .filter(|o| !o.name().eq_ignore_ascii_case(own))
            .map(|o| o.name().to_string())
    }

    /// SQLite's `sqlite3ExprIsTableConstraint`: the source whose columns
    /// `e` reads when it reads those and nothing else of the query (no
    /// other source, no outer query, no subquery, only deterministic
    /// scalar functions), so it can limit the rows an automatic index on
    /// that source holds.
    pub(super) fn table_constraint_source(&self, e: &Expr, scope: &Scope) -> Option<usize> {
        let (mut ok, mut only) = (true, None);
        walk(e, &mut |x| match &x.kind {
            _ if !ok => {}
            ExprKind::Column { table, column, .. } => {
                match self.resolve_column(scope, table.as_deref(), column) {
                    Ok(Some((s, _))) if s < scope.sources.len() && only.is_none_or(|o| o == s) => {
                        only = Some(s)
                    }
                    _ => ok = false,
                }
            }
            ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. } => ok = false,
            ExprKind::Function(call) => {
                let n = match &call.args {
                    FunctionArgs::Star => 0,
                    FunctionArgs::List(v) => v.len(),
                };
                let def = self.env.registry.find(&call.name, n);
                ok &= call.over.is_none()
                    && def.is_some_and(|d| d.flags.deterministic && !d.is_aggregate());
            }
            _ => {}
        });
        only.filter(|_| ok)
    }

    /// True if `e` can be computed from the `avail` sources (and outer
    /// queries); expressions with subqueries are not used as keys.
    pub(super) fn computable(
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

    /// True if `e` reads a column of one of this query's own sources (a
    /// join condition rather than a constant).
    pub(super) fn refs_inner(&self, e: &Expr, scope: &Scope) -> bool {
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

    /// The highest loop position `e` references (`None` for constants).
    pub(super) fn innermost_level(
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
}

/// True if `s` (ASCII) is a number as a whole, spaces around allowed
/// (sqlite3AtoF's "pure number").
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && t.parse::<f64>().is_ok()
}

/// Splits a condition on AND into its terms (each marked unused).
pub(super) fn split_and(e: &Expr, out: &mut Vec<(Expr, bool)>) {
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
pub(crate) fn walk_children<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
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

/// False when a column reference `table.column` cannot resolve to source
/// `si` of `scope` (another qualifier, or no such column there), so the
/// full resolution, a scan of every source, can be skipped: the planner
/// asks this for every (source, term) pair of every join-order step.
fn may_name_source(scope: &Scope, si: usize, table: Option<&str>, column: &str) -> bool {
    let Some(s) = scope.sources.get(si) else {
        return true;
    };
    if table.is_some_and(|t| !s.name.eq_ignore_ascii_case(t)) {
        return false;
    }
    s.table.column_index(column).is_some()
        || ["rowid", "oid", "_rowid_"]
            .iter()
            .any(|r| r.eq_ignore_ascii_case(column))
}
