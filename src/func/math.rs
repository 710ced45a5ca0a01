//! The SQL math functions (SQLITE_ENABLE_MATH_FUNCTIONS, compiled into the
//! system SQLite 3.40.1): trigonometry, logarithms, rounding to integers.
//!
//! SQLite counterpart: func.c (`ceilingFunc`, `logFunc`, `math1Func`,
//! `math2Func`, `piFunc`, `degToRad`, `radToDeg`).
//!
//! Invariants:
//! 1. An argument counts only when it is numeric as
//!    `sqlite3_value_numeric_type` sees it (INTEGER, REAL, or TEXT that is
//!    entirely a number); anything else gives NULL.
//! 2. A NaN result is NULL (`sqlite3_result_double` stores NaN as NULL).
//! 3. ceil/floor/trunc return an INTEGER argument unchanged.

use super::context::{FuncContext, FuncError, FuncFlags, ScalarFn};
use super::core::arg;
use super::registry::DET;
use crate::record::{text_to_numeric, Value, ValueRef};

/// Name, arity, flags, implementation.
pub(crate) const TABLE: &[(&str, i32, FuncFlags, ScalarFn)] = &[
    ("ceil", 1, DET, ceil),
    ("ceiling", 1, DET, ceil),
    ("floor", 1, DET, floor),
    ("trunc", 1, DET, trunc),
    ("ln", 1, DET, ln),
    ("log", 1, DET, log10),
    ("log10", 1, DET, log10),
    ("log2", 1, DET, log2),
    ("log", 2, DET, log_base),
    ("exp", 1, DET, exp),
    ("pow", 2, DET, pow),
    ("power", 2, DET, pow),
    ("mod", 2, DET, fmod),
    ("acos", 1, DET, acos),
    ("asin", 1, DET, asin),
    ("atan", 1, DET, atan),
    ("atan2", 2, DET, atan2),
    ("cos", 1, DET, cos),
    ("sin", 1, DET, sin),
    ("tan", 1, DET, tan),
    ("cosh", 1, DET, cosh),
    ("sinh", 1, DET, sinh),
    ("tanh", 1, DET, tanh),
    ("acosh", 1, DET, acosh),
    ("asinh", 1, DET, asinh),
    ("atanh", 1, DET, atanh),
    ("sqrt", 1, DET, sqrt),
    ("radians", 1, DET, radians),
    ("degrees", 1, DET, degrees),
    ("pi", 0, DET, pi),
    ("sign", 1, DET, sign),
];

/// The numeric value of an argument, or `None` if it is not numeric.
enum Num {
    Int(i64),
    Real(f64),
}

fn numeric(v: &ValueRef) -> Option<Num> {
    match *v {
        ValueRef::Integer(i) => Some(Num::Int(i)),
        ValueRef::Real(r) => Some(Num::Real(r)),
        ValueRef::Text(t) => match text_to_numeric(t) {
            (Value::Integer(i), true) => Some(Num::Int(i)),
            (Value::Real(r), true) => Some(Num::Real(r)),
            _ => None,
        },
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

fn num_f64(v: &ValueRef) -> Option<f64> {
    numeric(v).map(|n| match n {
        Num::Int(i) => i as f64,
        Num::Real(r) => r,
    })
}

fn real(r: f64) -> Value {
    if r.is_nan() {
        Value::Null
    } else {
        Value::Real(r)
    }
}

fn to_int_fn(args: &[ValueRef], f: fn(f64) -> f64) -> Value {
    match numeric(&arg(args, 0)) {
        Some(Num::Int(i)) => Value::Integer(i),
        Some(Num::Real(r)) => real(f(r)),
        None => Value::Null,
    }
}

fn ceil(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(to_int_fn(a, f64::ceil))
}
fn floor(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(to_int_fn(a, f64::floor))
}
fn trunc(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(to_int_fn(a, f64::trunc))
}

/// `sign(X)`: -1, 0 or +1 as an INTEGER for a numeric X, else NULL.
fn sign(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    use std::cmp::Ordering;
    let x = num_f64(&arg(a, 0)).and_then(|x| x.partial_cmp(&0.0));
    Ok(match x {
        Some(Ordering::Greater) => Value::Integer(1),
        Some(Ordering::Less) => Value::Integer(-1),
        Some(Ordering::Equal) => Value::Integer(0),
        None => Value::Null,
    })
}

fn log_with(args: &[ValueRef], f: fn(f64) -> f64) -> Value {
    match num_f64(&arg(args, 0)) {
        Some(x) if x > 0.0 => real(f(x)),
        _ => Value::Null,
    }
}

fn ln(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(log_with(a, f64::ln))
}
fn log10(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(log_with(a, f64::log10))
}
fn log2(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(log_with(a, f64::log2))
}

/// `log(B, X)`: logarithm of X in base B.
fn log_base(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    let Some(base) = num_f64(&arg(a, 0)).filter(|&b| b > 0.0) else {
        return Ok(Value::Null);
    };
    let lb = base.ln();
    if lb <= 0.0 {
        return Ok(Value::Null);
    }
    match num_f64(&arg(a, 1)) {
        Some(x) if x > 0.0 => Ok(real(x.ln() / lb)),
        _ => Ok(Value::Null),
    }
}

fn math1(args: &[ValueRef], f: fn(f64) -> f64) -> Value {
    num_f64(&arg(args, 0)).map_or(Value::Null, |x| real(f(x)))
}

fn math2(args: &[ValueRef], f: fn(f64, f64) -> f64) -> Value {
    match (num_f64(&arg(args, 0)), num_f64(&arg(args, 1))) {
        (Some(x), Some(y)) => real(f(x, y)),
        _ => Value::Null,
    }
}

macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {$(
        fn $name(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
            Ok(math1(a, $f))
        }
    )*};
}

unary! {
    exp => f64::exp;
    acos => f64::acos;
    asin => f64::asin;
    atan => f64::atan;
    cos => f64::cos;
    sin => f64::sin;
    tan => f64::tan;
    cosh => f64::cosh;
    sinh => f64::sinh;
    tanh => f64::tanh;
    acosh => f64::acosh;
    asinh => f64::asinh;
    atanh => f64::atanh;
    sqrt => f64::sqrt;
    radians => |x| x * (std::f64::consts::PI / 180.0);
    degrees => |x| x * (180.0 / std::f64::consts::PI);
}

fn pow(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(math2(a, f64::powf))
}
fn fmod(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(math2(a, |x, y| x % y))
}
fn atan2(_: &mut FuncContext, a: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(math2(a, f64::atan2))
}
fn pi(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Real(std::f64::consts::PI))
}
