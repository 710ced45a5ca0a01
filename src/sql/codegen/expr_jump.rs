//! Conditional jumps for WHERE, ON, CASE and CHECK conditions.
//!
//! SQLite counterpart: expr.c's `sqlite3ExprIfTrue` / `sqlite3ExprIfFalse`
//! (comparisons, BETWEEN, AND/OR/NOT, IS [NOT] NULL coded as jumps rather
//! than as a value).
//!
//! Invariants:
//! 1. [`Gen::jump_if_false`] jumps when the condition is false *or NULL*;
//!    [`Gen::jump_if_true`] only when it is true (WHERE semantics).
//! 2. A comparison's constant operand is loaded once per execution
//!    (`hoisted_operand`), never once per row.

use super::expr::{cmp_of, negate, simplified_and_or, simplified_not, Scope};
use super::Gen;
use crate::sql::ast::{BinaryOp, Expr, ExprKind};
use crate::vdbe::{Addr, CmpOp, Insn};

impl Gen<'_> {
    /// A comparison `l op r` that jumps to `target` when it holds, or (with
    /// `when_false`) when it is false or NULL.
    fn compare_jump(
        &mut self,
        op: BinaryOp,
        l: &Expr,
        r: &Expr,
        target: Addr,
        scope: &Scope,
        when_false: bool,
    ) -> Result<(), String> {
        if let Some(want) = self.truth_operand(op, r, scope) {
            let reg = self.truth_test(l, want, op == BinaryOp::IsNot, scope)?;
            self.b.emit(if when_false {
                Insn::IfNot {
                    reg,
                    target,
                    jump_if_null: true,
                }
            } else {
                Insn::If {
                    reg,
                    target,
                    jump_if_null: false,
                }
            });
            return Ok(());
        }
        let (cmp, null_eq) = cmp_of(op).ok_or("internal error: not a comparison")?;
        let mut flags = self.cmp_flags(l, r, scope);
        flags.null_eq = null_eq;
        flags.jump_if_null = when_false && !null_eq;
        let lhs = self.hoisted_operand(l, scope)?;
        let rhs = self.hoisted_operand(r, scope)?;
        let op = if when_false { negate(cmp) } else { cmp };
        self.b.emit(Insn::Compare {
            op,
            lhs,
            rhs,
            target,
            flags,
        });
        Ok(())
    }

    /// Jumps to `target` when `e` is false or NULL; falls through when true.
    pub(super) fn jump_if_false(
        &mut self,
        e: &Expr,
        target: Addr,
        scope: &Scope,
    ) -> Result<(), String> {
        if let Some(negated) = simplified_not(e) {
            return self.jump_if_false(&negated, target, scope);
        }
        let e = simplified_and_or(e);
        match &e.kind {
            ExprKind::Binary(BinaryOp::And, l, r) => {
                self.jump_if_false(l, target, scope)?;
                self.jump_if_false(r, target, scope)
            }
            ExprKind::Binary(BinaryOp::Or, l, r) => {
                let ok = self.b.new_label();
                self.jump_if_true(l, ok.addr(), scope)?;
                self.jump_if_false(r, target, scope)?;
                self.b.resolve(ok);
                Ok(())
            }
            ExprKind::Binary(op, l, r) if cmp_of(*op).is_some() => {
                self.compare_jump(*op, l, r, target, scope, true)
            }
            ExprKind::Between {
                expr,
                negated: false,
                low,
                high,
            } => self.between_jump(expr, low, high, target, scope),
            ExprKind::IsNull(..)
            | ExprKind::Between { .. }
            | ExprKind::InList { .. }
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. } => self.cond3(e, scope, target, target),
            _ => {
                let r = self.expr(e, scope)?;
                self.b.emit(Insn::IfNot {
                    reg: r,
                    target,
                    jump_if_null: true,
                });
                Ok(())
            }
        }
    }

    /// `x BETWEEN low AND high` as two jumps to `target` (x < low, x > high,
    /// either NULL), as SQLite compiles it in a WHERE clause. The first
    /// comparison works on a copy of x because Compare applies affinity in
    /// place.
    fn between_jump(
        &mut self,
        x: &Expr,
        low: &Expr,
        high: &Expr,
        target: Addr,
        scope: &Scope,
    ) -> Result<(), String> {
        let xr = self.expr(x, scope)?;
        for (first, op, other) in [(true, CmpOp::Lt, low), (false, CmpOp::Gt, high)] {
            let mut flags = self.cmp_flags(x, other, scope);
            flags.jump_if_null = true;
            let lhs = if first { self.copy_reg(xr) } else { xr };
            let rhs = self.hoisted_operand(other, scope)?;
            self.b.emit(Insn::Compare {
                op,
                lhs,
                rhs,
                target,
                flags,
            });
        }
        Ok(())
    }

    /// Jumps to `target` when `e` is true; falls through when false or NULL.
    pub(super) fn jump_if_true(
        &mut self,
        e: &Expr,
        target: Addr,
        scope: &Scope,
    ) -> Result<(), String> {
        if let Some(negated) = simplified_not(e) {
            return self.jump_if_true(&negated, target, scope);
        }
        let e = simplified_and_or(e);
        match &e.kind {
            ExprKind::Binary(BinaryOp::Or, l, r) => {
                self.jump_if_true(l, target, scope)?;
                self.jump_if_true(r, target, scope)
            }
            ExprKind::Binary(BinaryOp::And, l, r) => {
                let skip = self.b.new_label();
                self.jump_if_false(l, skip.addr(), scope)?;
                self.jump_if_true(r, target, scope)?;
                self.b.resolve(skip);
                Ok(())
            }
            ExprKind::Binary(op, l, r) if cmp_of(*op).is_some() => {
                self.compare_jump(*op, l, r, target, scope, false)
            }
            _ => {
                let r = self.expr(e, scope)?;
                self.b.emit(Insn::If {
                    reg: r,
                    target,
                    jump_if_null: false,
                });
                Ok(())
            }
        }
    }
}
