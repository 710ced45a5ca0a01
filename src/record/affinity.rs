//! Column affinity: how a declared type is classified, how a value is
//! coerced when stored, and CAST.
//!
//! SQLite counterpart: `sqlite3AffinityType` (build.c), `applyAffinity`
//! (vdbe.c), `sqlite3VdbeMemCast` (vdbemem.c).
//!
//! Invariants:
//! 1. `affinity_of_decltype` applies datatype3.html §3.1's five rules in
//!    order, matching substrings case-insensitively.
//! 2. `apply_affinity` never loses information: text becomes a number only
//!    when the whole text is a well-formed number.
//! 3. REAL affinity yields a REAL for every numeric value (the on-disk
//!    "store integral reals as integers" trick is the VDBE's business).
//!    A zero comes out as +0.0: SQLite turns a whole REAL into an integer
//!    that remembers it is REAL (`MEM_IntReal`), which drops the sign of
//!    -0.0 (so a REAL column never holds -0.0, unlike an untyped one).
//! 4. [`cast_in`] converts between TEXT and BLOB through the database
//!    encoding; [`cast`] is its UTF-8 case.

use super::encoding::{decode_text, encode_text, TextEncoding};
use super::numeric::real_to_exact_int;
use super::numeric::{atof, atoi64, double_to_i64, numeric_affinity_of_text, numerify};
use super::value::{value_to_text, Value};

/// A column affinity (`SQLITE_AFF_*`). `Blob` is the affinity once called
/// "none".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Affinity {
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

impl Affinity {
    /// SQLite's one-letter affinity code ('A'..'E') used in P4 strings.
    pub fn code(self) -> u8 {
        match self {
            Affinity::Blob => b'A',
            Affinity::Text => b'B',
            Affinity::Numeric => b'C',
            Affinity::Integer => b'D',
            Affinity::Real => b'E',
        }
    }

    /// True for NUMERIC, INTEGER and REAL.
    pub fn is_numeric(self) -> bool {
        matches!(self, Affinity::Numeric | Affinity::Integer | Affinity::Real)
    }
}

/// The affinity of a declared column type (datatype3.html §3.1).
pub fn affinity_of_decltype(decltype: &str) -> Affinity {
    let up = decltype.to_ascii_uppercase();
    if up.contains("INT") {
        Affinity::Integer
    } else if up.contains("CHAR") || up.contains("CLOB") || up.contains("TEXT") {
        Affinity::Text
    } else if up.contains("BLOB") || up.trim().is_empty() {
        Affinity::Blob
    } else if up.contains("REAL") || up.contains("FLOA") || up.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// Coerces a value about to be stored in a column of affinity `aff`.
pub fn apply_affinity(v: Value, aff: Affinity) -> Value {
    match aff {
        Affinity::Blob => v,
        Affinity::Text => match v {
            Value::Integer(_) | Value::Real(_) => Value::Text(value_to_text(&v.as_ref())),
            other => other,
        },
        Affinity::Numeric | Affinity::Integer => match v {
            Value::Text(t) => numeric_affinity_of_text(&t).unwrap_or(Value::Text(t)),
            Value::Real(r) => real_to_exact_int(r).map_or(Value::Real(r), Value::Integer),
            other => other,
        },
        Affinity::Real => match v {
            Value::Text(t) => match numeric_affinity_of_text(&t) {
                Some(Value::Integer(i)) => Value::Real(i as f64),
                Some(Value::Real(r)) if r == 0.0 && r.is_sign_negative() => Value::Real(0.0),
                Some(n) => n,
                None => Value::Text(t),
            },
            Value::Integer(i) => Value::Real(i as f64),
            Value::Real(r) if r == 0.0 && r.is_sign_negative() => Value::Real(0.0),
            other => other,
        },
    }
}

/// `CAST(v AS type)` (lang_expr.html "CAST expressions"), where `to` is the
/// affinity of the type name.
pub fn cast(v: Value, to: Affinity) -> Value {
    if let Value::Null = v {
        return Value::Null;
    }
    match to {
        Affinity::Blob => match v {
            Value::Text(t) => Value::Blob(t),
            Value::Integer(_) | Value::Real(_) => Value::Blob(value_to_text(&v.as_ref())),
            other => other,
        },
        Affinity::Text => match v {
            Value::Blob(b) => Value::Text(b),
            Value::Integer(_) | Value::Real(_) => Value::Text(value_to_text(&v.as_ref())),
            other => other,
        },
        Affinity::Integer => match v {
            Value::Real(r) => Value::Integer(double_to_i64(r)),
            Value::Text(t) | Value::Blob(t) => Value::Integer(atoi64(&t).0),
            other => other,
        },
        Affinity::Real => match v {
            Value::Integer(i) => Value::Real(i as f64),
            Value::Text(t) | Value::Blob(t) => Value::Real(atof(&t).value),
            other => other,
        },
        Affinity::Numeric => match v {
            Value::Text(t) | Value::Blob(t) => numerify(&t),
            other => other,
        },
    }
}

/// `CAST(v AS type)` in a database whose text is held in `enc`: TEXT
/// becomes a BLOB of its `enc` bytes, and a BLOB read as TEXT (or as a
/// number) is decoded from `enc`, as SQLite reinterprets a blob's bytes
/// in the database encoding.
pub fn cast_in(v: Value, to: Affinity, enc: TextEncoding) -> Value {
    if enc.is_utf8() {
        return cast(v, to);
    }
    match (to, v) {
        (Affinity::Blob, v @ (Value::Text(_) | Value::Integer(_) | Value::Real(_))) => {
            Value::Blob(encode_text(&value_to_text(&v.as_ref()), enc))
        }
        (Affinity::Blob, v) => v,
        (to, Value::Blob(b)) => cast(Value::Text(decode_text(&b, enc)), to),
        (to, v) => cast(v, to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decltype_table() {
        // The examples table of datatype3.html §3.1.1.
        let cases = [
            ("INT", Affinity::Integer),
            ("INTEGER", Affinity::Integer),
            ("TINYINT", Affinity::Integer),
            ("SMALLINT", Affinity::Integer),
            ("MEDIUMINT", Affinity::Integer),
            ("BIGINT", Affinity::Integer),
            ("UNSIGNED BIG INT", Affinity::Integer),
            ("INT2", Affinity::Integer),
            ("INT8", Affinity::Integer),
            ("CHARACTER(20)", Affinity::Text),
            ("VARCHAR(255)", Affinity::Text),
            ("VARYING CHARACTER(255)", Affinity::Text),
            ("NCHAR(55)", Affinity::Text),
            ("NATIVE CHARACTER(70)", Affinity::Text),
            ("NVARCHAR(100)", Affinity::Text),
            ("TEXT", Affinity::Text),
            ("CLOB", Affinity::Text),
            ("BLOB", Affinity::Blob),
            ("", Affinity::Blob),
            ("REAL", Affinity::Real),
            ("DOUBLE", Affinity::Real),
            ("DOUBLE PRECISION", Affinity::Real),
            ("FLOAT", Affinity::Real),
            ("NUMERIC", Affinity::Numeric),
            ("DECIMAL(10,5)", Affinity::Numeric),
            ("BOOLEAN", Affinity::Numeric),
            ("DATE", Affinity::Numeric),
            ("DATETIME", Affinity::Numeric),
            ("FLOATING POINT", Affinity::Integer),
            ("STRING", Affinity::Numeric),
            ("int", Affinity::Integer),
            ("textblob", Affinity::Text),
            ("realblob", Affinity::Blob),
        ];
        for (t, a) in cases {
            assert_eq!(affinity_of_decltype(t), a, "{t}");
        }
    }

    fn t(s: &str) -> Value {
        Value::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn store_affinity() {
        // Mirrors what the sqlite3 shell stores for these inputs.
        assert_eq!(
            apply_affinity(t(" 12 "), Affinity::Numeric),
            Value::Integer(12)
        );
        assert_eq!(
            apply_affinity(t("3.0e+5"), Affinity::Integer),
            Value::Integer(300000)
        );
        assert_eq!(
            apply_affinity(Value::Real(3.0), Affinity::Integer),
            Value::Integer(3)
        );
        assert_eq!(
            apply_affinity(Value::Real(3.0), Affinity::Numeric),
            Value::Integer(3)
        );
        assert_eq!(
            apply_affinity(Value::Real(1.5), Affinity::Numeric),
            Value::Real(1.5)
        );
        assert_eq!(apply_affinity(t("0x10"), Affinity::Numeric), t("0x10"));
        assert_eq!(apply_affinity(t("3"), Affinity::Real), Value::Real(3.0));
        assert_eq!(apply_affinity(t("1.5x"), Affinity::Real), t("1.5x"));
        assert_eq!(
            apply_affinity(Value::Integer(2), Affinity::Real),
            Value::Real(2.0)
        );
        assert_eq!(apply_affinity(Value::Integer(12), Affinity::Text), t("12"));
        assert_eq!(apply_affinity(Value::Real(1.5), Affinity::Text), t("1.5"));
        assert_eq!(
            apply_affinity(Value::Blob(vec![1]), Affinity::Text),
            Value::Blob(vec![1])
        );
        assert_eq!(apply_affinity(t("12"), Affinity::Blob), t("12"));
        assert_eq!(
            apply_affinity(Value::Real(1.0), Affinity::Blob),
            Value::Real(1.0)
        );
        assert_eq!(apply_affinity(t("1"), Affinity::Blob), t("1"));
        assert_eq!(apply_affinity(Value::Null, Affinity::Integer), Value::Null);
    }

    #[test]
    fn cast_rules() {
        // Each expectation was checked against the sqlite3 3.40.1 shell.
        assert_eq!(cast(t("1e3"), Affinity::Integer), Value::Integer(1));
        assert_eq!(cast(t(" 12 "), Affinity::Integer), Value::Integer(12));
        assert_eq!(cast(t("0x10"), Affinity::Integer), Value::Integer(0));
        assert_eq!(
            cast(t("9223372036854775808"), Affinity::Integer),
            Value::Integer(i64::MAX)
        );
        assert_eq!(
            cast(t("-9223372036854775809"), Affinity::Integer),
            Value::Integer(i64::MIN)
        );
        assert_eq!(cast(t("1.5x"), Affinity::Real), Value::Real(1.5));
        assert_eq!(cast(t("abc"), Affinity::Numeric), Value::Integer(0));
        assert_eq!(cast(t("12abc"), Affinity::Numeric), Value::Integer(12));
        assert_eq!(cast(t("1.5x"), Affinity::Numeric), Value::Real(1.5));
        assert_eq!(cast(t("3.0"), Affinity::Numeric), Value::Integer(3));
        assert_eq!(cast(t("  1e3  "), Affinity::Numeric), Value::Integer(1000));
        assert_eq!(cast(Value::Real(3.0), Affinity::Numeric), Value::Real(3.0));
        assert_eq!(
            cast(Value::Blob(b"12".to_vec()), Affinity::Integer),
            Value::Integer(12)
        );
        assert_eq!(
            cast(Value::Integer(5), Affinity::Blob),
            Value::Blob(b"5".to_vec())
        );
        assert_eq!(cast(Value::Blob(b"hi".to_vec()), Affinity::Text), t("hi"));
        assert_eq!(
            cast(Value::Real(-1e300), Affinity::Integer),
            Value::Integer(i64::MIN)
        );
        assert_eq!(cast(Value::Integer(7), Affinity::Real), Value::Real(7.0));
        assert_eq!(cast(Value::Null, Affinity::Text), Value::Null);
    }
}
