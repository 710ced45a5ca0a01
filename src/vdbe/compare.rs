//! Comparison of two registers with affinity and collation.
//!
//! SQLite counterpart: OP_Eq/Ne/Lt/Le/Gt/Ge in vdbe.c (with
//! `applyNumericAffinity` and `sqlite3MemCompare`), datatype3.html §4.2.
//!
//! Invariants:
//! 1. With a numeric affinity (NUMERIC, INTEGER, REAL), an operand that is
//!    TEXT and looks entirely like a number becomes that number first.
//! 2. With TEXT affinity, INTEGER and REAL operands become TEXT first.
//! 3. BLOB affinity converts nothing.
//! 4. The conversions are stored back into the registers, as SQLite does.
//! 5. After conversion: NULL is smallest, then numbers (compared exactly),
//!    then TEXT (by collation, BINARY by default), then BLOB (memcmp).

use std::cmp::Ordering;

use super::insn::{CmpFlags, CmpOp};
use super::mem::Mem;
use crate::record::{
    apply_affinity, compare_int_real, compare_values, Affinity, Binary, Collation, Value,
};

/// Applies the comparison affinity of `aff` to one operand, in place.
pub fn apply_cmp_affinity(m: &mut Mem, aff: Affinity) {
    let needs = match (&*m, aff) {
        (Mem::Text(_), a) if a.is_numeric() => true,
        (Mem::Int(_) | Mem::Real(_), Affinity::Text) => true,
        _ => false,
    };
    if needs {
        let v = std::mem::take(m).into_value();
        let conv = match aff {
            Affinity::Text => apply_affinity(v, Affinity::Text),
            _ => apply_affinity(v, Affinity::Numeric),
        };
        *m = Mem::from(conv);
    }
}

/// `sqlite3MemCompare` of two registers under `coll` (BINARY if `None`).
pub fn mem_compare(a: &Mem, b: &Mem, coll: Option<&dyn Collation>) -> Ordering {
    let coll: &dyn Collation = coll.unwrap_or(&Binary);
    compare_values(&a.as_value_ref(), &b.as_value_ref(), coll)
}

/// The outcome of a comparison opcode: true, false or NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOutcome {
    True,
    False,
    Null,
}

impl CmpOutcome {
    /// The value SQLite stores for it (1, 0 or NULL).
    pub fn to_mem(self) -> Mem {
        match self {
            CmpOutcome::True => Mem::Int(1),
            CmpOutcome::False => Mem::Int(0),
            CmpOutcome::Null => Mem::Null,
        }
    }
}

#[inline]
fn holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

/// Evaluates `lhs OP rhs` as the comparison opcodes do, converting the
/// operands in place according to `flags.affinity`.
pub fn compare_regs(op: CmpOp, lhs: &mut Mem, rhs: &mut Mem, flags: &CmpFlags) -> CmpOutcome {
    if lhs.is_null() || rhs.is_null() {
        if !flags.null_eq {
            return CmpOutcome::Null;
        }
        let ord = if lhs.is_null() && rhs.is_null() {
            Ordering::Equal
        } else if lhs.is_null() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        return bool_outcome(holds(op, ord));
    }
    apply_cmp_affinity(lhs, flags.affinity);
    apply_cmp_affinity(rhs, flags.affinity);
    let ord = mem_compare(lhs, rhs, flags.collation.as_deref());
    bool_outcome(holds(op, ord))
}

/// Compares two numeric registers (Int or Real; anything else is NULL).
#[inline]
pub fn compare_numbers(op: CmpOp, a: &Mem, b: &Mem) -> CmpOutcome {
    let ord = match (a, b) {
        (Mem::Int(x), Mem::Int(y)) => x.cmp(y),
        (Mem::Real(x), Mem::Real(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Mem::Int(x), Mem::Real(y)) => compare_int_real(*x, *y),
        (Mem::Real(x), Mem::Int(y)) => compare_int_real(*y, *x).reverse(),
        _ => mem_compare(a, b, None),
    };
    bool_outcome(holds(op, ord))
}

#[inline]
fn bool_outcome(b: bool) -> CmpOutcome {
    if b {
        CmpOutcome::True
    } else {
        CmpOutcome::False
    }
}

/// Applies a column affinity to a register in place (OP_Affinity).
pub fn apply_column_affinity(m: &mut Mem, aff: Affinity) {
    if matches!(m, Mem::Agg(_) | Mem::RowSet(_)) {
        return;
    }
    let v: Value = std::mem::take(m).into_value();
    *m = Mem::from(apply_affinity(v, aff));
}
