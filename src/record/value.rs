//! SQL values (owned and borrowed) and their conversions to INTEGER, REAL
//! and TEXT.
//!
//! SQLite counterpart: `Mem` and `sqlite3VdbeIntValue`,
//! `sqlite3VdbeRealValue`, `sqlite3VdbeMemStringify` in vdbemem.c.
//!
//! Invariants:
//! 1. TEXT is raw bytes: expected to be UTF-8 but never assumed valid.
//! 2. Conversions never fail: a value that does not look like a number
//!    converts to 0 / 0.0, exactly as SQLite's prefix parsing does.
//! 3. REAL to TEXT is SQLite's `%!.15g` rendering.

use super::numeric::{atof, atoi64, double_to_i64};

/// An owned SQL value (SQLite's `Mem` reduced to its content).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    /// Text bytes, UTF-8 expected but not guaranteed.
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// A borrowed SQL value, typically pointing into a page or a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// The five fundamental datatypes (`sqlite3_value_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Integer = 1,
    Real = 2,
    Text = 3,
    Blob = 4,
    Null = 5,
}

impl Value {
    /// Borrows this value.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }

    /// The value's datatype.
    pub fn value_type(&self) -> ValueType {
        self.as_ref().value_type()
    }
}

impl ValueRef<'_> {
    /// Copies the value into an owned [`Value`].
    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(t.to_vec()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    /// The value's datatype.
    pub fn value_type(&self) -> ValueType {
        match self {
            ValueRef::Null => ValueType::Null,
            ValueRef::Integer(_) => ValueType::Integer,
            ValueRef::Real(_) => ValueType::Real,
            ValueRef::Text(_) => ValueType::Text,
            ValueRef::Blob(_) => ValueType::Blob,
        }
    }

    /// True for NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }
}

/// The INTEGER a value converts to (`sqlite3VdbeIntValue`): REAL truncates
/// toward zero and saturates; TEXT and BLOB use the longest integer prefix
/// (`sqlite3Atoi64`), clamped on overflow; NULL is 0.
pub fn value_to_i64(v: &ValueRef) -> i64 {
    match *v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => i,
        ValueRef::Real(r) => double_to_i64(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => atoi64(t).0,
    }
}

/// The REAL a value converts to (`sqlite3VdbeRealValue`): TEXT and BLOB use
/// the longest numeric prefix (`sqlite3AtoF`); NULL is 0.0.
pub fn value_to_f64(v: &ValueRef) -> f64 {
    match *v {
        ValueRef::Null => 0.0,
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(r) => r,
        ValueRef::Text(t) | ValueRef::Blob(t) => atof(t).value,
    }
}

/// The TEXT a value converts to: integers in decimal, reals as `%!.15g`,
/// text and blob bytes unchanged, NULL as the empty string.
pub fn value_to_text(v: &ValueRef) -> Vec<u8> {
    match *v {
        ValueRef::Null => Vec::new(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        ValueRef::Real(r) => real_to_text(r).into_bytes(),
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
    }
}

/// SQLite's REAL rendering (`%!.15g`), from the printf engine.
pub fn real_to_text(r: f64) -> String {
    crate::printf::render_real(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_rendering() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (1e15, "1.0e+15"),
            (1e14, "100000000000000.0"),
            (123456789012345680000.0, "1.23456789012346e+20"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (1.23456789012345, "1.23456789012345"),
            (f64::INFINITY, "Inf"),
            (-1e300, "-1.0e+300"),
        ];
        for (r, s) in cases {
            assert_eq!(real_to_text(*r), *s, "{r}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(value_to_i64(&ValueRef::Real(-3.9)), -3);
        assert_eq!(value_to_i64(&ValueRef::Real(1e30)), i64::MAX);
        assert_eq!(value_to_i64(&ValueRef::Text(b" 42abc")), 42);
        assert_eq!(value_to_i64(&ValueRef::Text(b"1e3")), 1);
        assert_eq!(value_to_i64(&ValueRef::Blob(b"-7")), -7);
        assert_eq!(value_to_f64(&ValueRef::Text(b"1.5x")), 1.5);
        assert_eq!(value_to_f64(&ValueRef::Text(b"abc")), 0.0);
        assert_eq!(value_to_f64(&ValueRef::Integer(3)), 3.0);
        assert_eq!(value_to_text(&ValueRef::Integer(-12)), b"-12");
        assert_eq!(value_to_text(&ValueRef::Real(2.0)), b"2.0");
        assert_eq!(value_to_text(&ValueRef::Null), b"");
        let v = Value::Text(b"x".to_vec());
        assert_eq!(v.as_ref().to_owned(), v);
        assert_eq!(v.value_type(), ValueType::Text);
    }
}
