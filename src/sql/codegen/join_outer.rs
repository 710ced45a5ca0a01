//! NATURAL and USING joins.
//!
//! SQLite counterpart: `sqlite3ProcessJoin` in select.c (USING/NATURAL
//! become ON equalities; the right-hand USING columns are merged into the
//! left ones for `*` and unqualified names) and, for queries with RIGHT or
//! FULL joins (3.39+), the `coalesce()` forms of merged columns built by
//! select.c and resolve.c. The loops themselves are in `join_right.rs`.
//!
//! Invariants:
//! 1. Without RIGHT/FULL joins, `USING (c)` joins item `i` to the leftmost
//!    earlier item having a column `c`; `*` lists `c` once (from that
//!    item) and an unqualified `c` is not ambiguous.
//! 2. With a RIGHT/FULL join anywhere in the FROM clause, the left side of
//!    a USING equality is `coalesce()` of every earlier item having `c`
//!    (each one after the first must itself be USING-joined on `c`, else
//!    "ambiguous reference to c in USING()").
//! 3. With a RIGHT/FULL join, an unqualified merged column reads: the
//!    leftmost carrier, replaced by the item of a RIGHT join on it, or
//!    extended to `coalesce(..)` by the item of a FULL join on it; `*`
//!    lists the same expression in the leftmost carrier's place.

use super::expr::{Scope, Source};
use super::Gen;
use crate::sql::ast::{
    BinaryOp, Expr, ExprKind, FromClause, FunctionArgs, FunctionCall, JoinConstraint,
};

impl Gen<'_> {
    /// The columns merged by USING/NATURAL for each FROM item (by source
    /// index); errors as SQLite's for bad USING columns.
    pub(crate) fn join_using(
        &self,
        from: &FromClause,
        sources: &[Source],
    ) -> Result<Vec<(usize, Vec<String>)>, String> {
        let mut out = Vec::new();
        let any_right = from.items.iter().any(|it| it.join.is_some_and(|j| j.right));
        // Like SQLite, an ambiguity error does not stop the scan at once: a
        // later one replaces it, but a NATURAL join reports it.
        let mut pending: Option<String> = None;
        for (i, item) in from.items.iter().enumerate() {
            let Some(j) = item.join else { continue };
            let Some(src) = sources.get(i) else { continue };
            let earlier = sources.get(..i).unwrap_or(&[]);
            let cols: Vec<String> = if j.natural {
                if item.constraint.is_some() {
                    return Err("a NATURAL join may not have an ON or USING clause".into());
                }
                if let Some(e) = pending {
                    return Err(e);
                }
                src.table
                    .columns
                    .iter()
                    .filter(|c| {
                        earlier
                            .iter()
                            .any(|s| s.table.column_index(&c.name).is_some())
                    })
                    .map(|c| c.name.clone())
                    .collect()
            } else if let Some(JoinConstraint::Using(names)) = &item.constraint {
                for n in names {
                    let here = src.table.column_index(n).is_some();
                    let before = earlier.iter().any(|s| s.table.column_index(n).is_some());
                    if !here || !before {
                        return Err(format!(
                            "cannot join using column {n} - column not present in both tables"
                        ));
                    }
                }
                names.clone()
            } else {
                continue;
            };
            if any_right {
                pending = using_ambiguity(&out, sources, i, &cols).or(pending);
            }
            if !cols.is_empty() {
                out.push((i, cols));
            }
        }
        pending.map_or(Ok(out), Err)
    }
    /// The ON equalities USING/NATURAL gives source `si` (invariant 2).
    pub(crate) fn using_terms(&self, scope: &Scope, si: usize) -> Result<Vec<Expr>, String> {
        let Some((_, cols)) = scope.using.iter().find(|(s, _)| *s == si) else {
            return Ok(Vec::new());
        };
        let Some(right) = scope.sources.get(si) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for c in cols {
            let carriers: Vec<usize> = (0..si)
                .filter(|&s| scope.sources[s].table.column_index(c).is_some())
                .collect();
            let Some(&first) = carriers.first() else {
                continue;
            };
            let mut args = vec![column(&scope.sources[first].name, c)];
            if !scope.right_join.is_empty() {
                for &s in &carriers[1..] {
                    args.push(column(&scope.sources[s].name, c));
                }
            }
            out.push(binary_eq(coalesce(args), column(&right.name, c)));
        }
        Ok(out)
    }
}

/// True when source `si` is USING/NATURAL-joined on column `name`.
fn merged_at(scope: &Scope, si: usize, name: &str) -> bool {
    merged_in(&scope.using, si, name)
}

fn merged_in(using: &[(usize, Vec<String>)], si: usize, name: &str) -> bool {
    using
        .iter()
        .any(|(s, cols)| *s == si && cols.iter().any(|c| c.eq_ignore_ascii_case(name)))
}

/// With a RIGHT/FULL join, every earlier carrier of a USING column of
/// item `si` after the first must itself be USING-joined on it (invariant
/// 2); the error names the last column that is not.
fn using_ambiguity(
    using: &[(usize, Vec<String>)],
    sources: &[Source],
    si: usize,
    cols: &[String],
) -> Option<String> {
    let mut err = None;
    for c in cols {
        let mut carriers = (0..si).filter(|&s| {
            sources
                .get(s)
                .is_some_and(|x| x.table.column_index(c).is_some())
        });
        carriers.next();
        if carriers.any(|s| !merged_in(using, s, c)) {
            err = Some(format!("ambiguous reference to {c} in USING()"));
        }
    }
    err
}

fn column(table: &str, name: &str) -> Expr {
    Expr {
        kind: ExprKind::Column {
            schema: None,
            table: Some(table.to_string()),
            column: name.to_string(),
            double_quoted: false,
        },
        span: (0, 0),
        height: 1,
    }
}

fn binary_eq(l: Expr, r: Expr) -> Expr {
    let height = l.height.max(r.height) + 1;
    Expr {
        kind: ExprKind::Binary(BinaryOp::Eq, Box::new(l), Box::new(r)),
        span: (0, 0),
        height,
    }
}

/// `coalesce(args)`, or the single argument itself.
fn coalesce(mut args: Vec<Expr>) -> Expr {
    if args.len() == 1 {
        if let Some(e) = args.pop() {
            return e;
        }
    }
    let call = FunctionCall {
        name: "coalesce".into(),
        distinct: false,
        args: FunctionArgs::List(args),
        order_by: Vec::new(),
        filter: None,
        over: None,
    };
    Expr {
        kind: ExprKind::Function(Box::new(call)),
        span: (0, 0),
        height: 2,
    }
}

impl Gen<'_> {
    /// `*` of source `si`: drops the columns USING/NATURAL merged into an
    /// earlier source; with RIGHT/FULL joins a merged column of its
    /// leftmost carrier reads as an unqualified reference would.
    pub(crate) fn merge_using_columns(
        &self,
        scope: &Scope,
        si: usize,
        cols: &mut Vec<super::select::OutCol>,
    ) -> Result<(), String> {
        if let Some((_, merged)) = scope.using.iter().find(|(u, _)| *u == si) {
            cols.retain(|c| !merged.iter().any(|m| m.eq_ignore_ascii_case(&c.info.name)));
        }
        // Only a table left of a RIGHT/FULL join expands them specially.
        if !scope.right_join.iter().any(|r| r.0 > si) {
            return Ok(());
        }
        for c in cols.iter_mut() {
            let name = &c.info.name;
            let first = scope
                .sources
                .iter()
                .position(|s| s.table.column_index(name).is_some());
            let merged_later = (si + 1..scope.sources.len()).any(|s| merged_at(scope, s, name));
            if first != Some(si) || !merged_later {
                continue;
            }
            // SQLite expands such a column to its bare name.
            let shared = (si + 1..scope.sources.len()).any(|s| {
                scope.sources[s].table.column_index(name).is_some() && !merged_at(scope, s, name)
            });
            if shared {
                return Err(format!("ambiguous column name: {name}"));
            }
            if let Some(e) = self.using_coalesce(scope, name) {
                c.expr = e;
            }
        }
        Ok(())
    }

    /// An unqualified merged column in a query with RIGHT/FULL joins
    /// (invariant 3); `None` when it reads the leftmost carrier as usual.
    pub(crate) fn using_coalesce(&self, scope: &Scope, name: &str) -> Option<Expr> {
        if scope.right_join.is_empty() {
            return None;
        }
        let mut picked: Vec<usize> = Vec::new();
        for (si, s) in scope.sources.iter().enumerate() {
            if s.table.column_index(name).is_none() {
                continue;
            }
            if picked.is_empty() {
                picked.push(si);
                continue;
            }
            if !merged_at(scope, si, name) {
                return None;
            }
            match scope.right_join.iter().find(|r| r.0 == si) {
                None => {}
                Some((_, false)) => picked = vec![si],
                Some((_, true)) => picked.push(si),
            }
        }
        if picked.is_empty() {
            // No source has the column: "no such column" comes later.
            return None;
        }
        let first = scope
            .sources
            .iter()
            .position(|s| s.table.column_index(name).is_some());
        if picked.len() == 1 && picked.first().copied() == first {
            return None;
        }
        let args = picked
            .iter()
            .map(|&s| column(&scope.sources[s].name, name))
            .collect();
        Some(coalesce(args))
    }
}
