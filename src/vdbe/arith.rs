//! SQL arithmetic, concatenation and bit operators on registers.
//!
//! SQLite counterpart: OP_Add/Subtract/Multiply/Divide/Remainder,
//! OP_Concat, OP_BitAnd/BitOr/ShiftLeft/ShiftRight, OP_BitNot in vdbe.c and
//! `numericType`/`computeNumericType`.
//!
//! Invariants:
//! 1. A NULL operand makes the result NULL (every operator).
//! 2. TEXT and BLOB operands of arithmetic become numbers by
//!    `text_to_numeric` (integer when the text is an integer that fits,
//!    otherwise REAL of the longest numeric prefix, 0 when none).
//! 3. INTEGER op INTEGER stays INTEGER unless it overflows, in which case
//!    it is computed in REAL; `/` is integer division; `/ 0` and `% 0` are
//!    NULL; a NaN result is NULL.
//! 4. `||` renders numbers as TEXT (REAL with `%!.15g`) and yields TEXT.
//! 5. Shifts by a negative amount shift the other way; shifts by 64 or more
//!    give 0 (or -1 for a right shift of a negative number).

use super::insn::ArithOp;
use super::mem::Mem;
use crate::record::{text_to_numeric, Value};

/// A register's numeric value for arithmetic (`numericType`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Null,
    Int(i64),
    Real(f64),
}

fn numeric(m: &Mem) -> Num {
    match m {
        Mem::Int(i) => Num::Int(*i),
        Mem::Real(r) => Num::Real(*r),
        Mem::Text(t) | Mem::Blob(t) => match text_to_numeric(t).0 {
            Value::Integer(i) => Num::Int(i),
            Value::Real(r) => Num::Real(r),
            _ => Num::Int(0),
        },
        Mem::Null | Mem::Agg(_) | Mem::RowSet(_) => Num::Null,
    }
}

/// `lhs OP rhs` for any [`ArithOp`].
pub fn arith(op: ArithOp, lhs: &Mem, rhs: &Mem) -> Mem {
    match op {
        ArithOp::Add | ArithOp::Subtract | ArithOp::Multiply | ArithOp::Divide => {
            numeric_op(op, lhs, rhs)
        }
        ArithOp::Remainder => numeric_op(op, lhs, rhs),
        ArithOp::Concat => concat(lhs, rhs),
        ArithOp::BitAnd | ArithOp::BitOr | ArithOp::ShiftLeft | ArithOp::ShiftRight => {
            bit_op(op, lhs, rhs)
        }
    }
}

fn numeric_op(op: ArithOp, lhs: &Mem, rhs: &Mem) -> Mem {
    let (a, b) = (numeric(lhs), numeric(rhs));
    match (a, b) {
        (Num::Null, _) | (_, Num::Null) => Mem::Null,
        (Num::Int(x), Num::Int(y)) => match int_op(op, x, y) {
            IntResult::Value(v) => Mem::Int(v),
            IntResult::Null => Mem::Null,
            IntResult::Overflow => real_op(op, lhs, rhs, x as f64, y as f64),
        },
        (x, y) => real_op(op, lhs, rhs, as_f64(x), as_f64(y)),
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Null => 0.0,
        Num::Int(i) => i as f64,
        Num::Real(r) => r,
    }
}

enum IntResult {
    Value(i64),
    Null,
    Overflow,
}

fn int_op(op: ArithOp, x: i64, y: i64) -> IntResult {
    let checked = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Subtract => x.checked_sub(y),
        ArithOp::Multiply => x.checked_mul(y),
        ArithOp::Divide => {
            if y == 0 {
                return IntResult::Null;
            }
            x.checked_div(y)
        }
        ArithOp::Remainder => {
            if y == 0 {
                return IntResult::Null;
            }
            // x % -1 is 0; computing it as x % 1 avoids MIN % -1 overflow.
            let y = if y == -1 { 1 } else { y };
            x.checked_rem(y)
        }
        _ => None,
    };
    checked.map_or(IntResult::Overflow, IntResult::Value)
}

/// The REAL path. For `%`, SQLite takes the integer values of both
/// operands, so it needs the original registers.
fn real_op(op: ArithOp, lhs: &Mem, rhs: &Mem, x: f64, y: f64) -> Mem {
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Subtract => x - y,
        ArithOp::Multiply => x * y,
        ArithOp::Divide => {
            if y == 0.0 {
                return Mem::Null;
            }
            x / y
        }
        ArithOp::Remainder => {
            let ix = lhs.int_value();
            let mut iy = rhs.int_value();
            if iy == 0 {
                return Mem::Null;
            }
            if iy == -1 {
                iy = 1;
            }
            (ix % iy) as f64
        }
        _ => return Mem::Null,
    };
    if r.is_nan() {
        Mem::Null
    } else {
        Mem::Real(r)
    }
}

fn concat(lhs: &Mem, rhs: &Mem) -> Mem {
    if lhs.is_null() || rhs.is_null() {
        return Mem::Null;
    }
    let mut out = lhs.text_value();
    out.extend_from_slice(&rhs.text_value());
    Mem::Text(out)
}

fn bit_op(op: ArithOp, lhs: &Mem, rhs: &Mem) -> Mem {
    if lhs.is_null() || rhs.is_null() {
        return Mem::Null;
    }
    let (a, b) = (lhs.int_value(), rhs.int_value());
    Mem::Int(match op {
        ArithOp::BitAnd => a & b,
        ArithOp::BitOr => a | b,
        ArithOp::ShiftLeft => shift(a, b, true),
        _ => shift(a, b, false),
    })
}

/// SQLite's shift: a negative count shifts the other way; 64 or more
/// shifts everything out.
fn shift(value: i64, count: i64, left: bool) -> i64 {
    let (left, n) = if count < 0 {
        (!left, count.checked_neg().unwrap_or(i64::MAX))
    } else {
        (left, count)
    };
    if n >= 64 {
        return if left || value >= 0 { 0 } else { -1 };
    }
    let n = n as u32;
    if left {
        ((value as u64) << n) as i64
    } else {
        value >> n
    }
}

/// `~x` (OP_BitNot): NULL stays NULL.
pub fn bit_not(m: &Mem) -> Mem {
    if m.is_null() {
        Mem::Null
    } else {
        Mem::Int(!m.int_value())
    }
}

/// `-x`, computed as SQLite does: `0 - x`.
pub fn negate(m: &Mem) -> Mem {
    numeric_op(ArithOp::Subtract, &Mem::Int(0), m)
}

/// NOT x, three-valued (OP_Not).
pub fn not(m: &Mem) -> Mem {
    if m.is_null() {
        Mem::Null
    } else {
        Mem::Int(i64::from(!m.truth(false)))
    }
}

/// `x AND y` / `x OR y`, three-valued (OP_And / OP_Or).
pub fn and_or(is_and: bool, lhs: &Mem, rhs: &Mem) -> Mem {
    // 0 = false, 1 = true, 2 = NULL.
    let tv = |m: &Mem| {
        if m.is_null() {
            2u8
        } else {
            u8::from(m.truth(false))
        }
    };
    let (a, b) = (tv(lhs), tv(rhs));
    let r = if is_and {
        if a == 0 || b == 0 {
            0
        } else if a == 2 || b == 2 {
            2
        } else {
            1
        }
    } else if a == 1 || b == 1 {
        1
    } else if a == 2 || b == 2 {
        2
    } else {
        0
    };
    if r == 2 {
        Mem::Null
    } else {
        Mem::Int(i64::from(r))
    }
}
