//! Structural comparison of expressions, ignoring source positions.
//!
//! SQLite counterpart: `sqlite3ExprCompare` in expr.c, used to match a
//! partial index's WHERE or an indexed expression against a query's.
//!
//! Invariants:
//! 1. `same_expr(a, b)` is true only when `a` and `b` compute the same
//!    value for every row: same operators, same literals, same columns
//!    (names compared case-insensitively), same function names and args.
//! 2. Subqueries, RAISE and anything not listed compare unequal (a false
//!    "different" only costs an optimization, never correctness).

use crate::sql::ast::{Expr, ExprKind, FunctionArgs};

/// True when `a` and `b` are the same expression (spans ignored).
pub(crate) fn same_expr(a: &Expr, b: &Expr) -> bool {
    compare(a, b, false)
}

/// As [`same_expr`], but column qualifiers are ignored (the caller has
/// checked that every column belongs to the same table).
pub(crate) fn same_expr_unqualified(a: &Expr, b: &Expr) -> bool {
    compare(a, b, true)
}

fn compare(a: &Expr, b: &Expr, loose: bool) -> bool {
    let same_expr = |x: &Expr, y: &Expr| compare(x, y, loose);
    let same_list = |x: &[Expr], y: &[Expr]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| compare(p, q, loose))
    };
    use ExprKind as K;
    match (&a.kind, &b.kind) {
        (K::Literal(x), K::Literal(y)) => x == y,
        (
            K::Column {
                table: t1,
                column: c1,
                ..
            },
            K::Column {
                table: t2,
                column: c2,
                ..
            },
        ) => c1.eq_ignore_ascii_case(c2) && (loose || same_name(t1.as_deref(), t2.as_deref())),
        (K::Variable { index: x, .. }, K::Variable { index: y, .. }) => x == y,
        (K::Unary(o1, x), K::Unary(o2, y)) => o1 == o2 && same_expr(x, y),
        (K::Binary(o1, l1, r1), K::Binary(o2, l2, r2)) => {
            o1 == o2 && same_expr(l1, l2) && same_expr(r1, r2)
        }
        (K::Collate(x, c1), K::Collate(y, c2)) => c1.eq_ignore_ascii_case(c2) && same_expr(x, y),
        (K::Cast(x, t1), K::Cast(y, t2)) => t1 == t2 && same_expr(x, y),
        (K::IsNull(x, n1), K::IsNull(y, n2)) => n1 == n2 && same_expr(x, y),
        (
            K::Between {
                expr: e1,
                negated: n1,
                low: l1,
                high: h1,
            },
            K::Between {
                expr: e2,
                negated: n2,
                low: l2,
                high: h2,
            },
        ) => n1 == n2 && same_expr(e1, e2) && same_expr(l1, l2) && same_expr(h1, h2),
        (
            K::InList {
                expr: e1,
                negated: n1,
                list: l1,
            },
            K::InList {
                expr: e2,
                negated: n2,
                list: l2,
            },
        ) => n1 == n2 && same_expr(e1, e2) && same_list(l1, l2),
        (K::Row(x), K::Row(y)) => same_list(x, y),
        (K::Function(f1), K::Function(f2)) => {
            f1.name.eq_ignore_ascii_case(&f2.name)
                && f1.distinct == f2.distinct
                && f1.over.is_none()
                && f2.over.is_none()
                && f1.filter.is_none()
                && f2.filter.is_none()
                && match (&f1.args, &f2.args) {
                    (FunctionArgs::Star, FunctionArgs::Star) => true,
                    (FunctionArgs::List(x), FunctionArgs::List(y)) => same_list(x, y),
                    _ => false,
                }
        }
        _ => false,
    }
}

fn same_name(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}
