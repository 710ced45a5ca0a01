//! Text-to-number conversion with SQLite's exact acceptance rules.
//!
//! SQLite counterpart: `sqlite3AtoF`, `sqlite3Atoi64`, `doubleToInt64`,
//! `sqlite3RealSameAsInt` (util.c, vdbemem.c) and `computeNumericType`
//! (vdbe.c).
//!
//! Invariants:
//! 1. Leading and trailing whitespace (0x09–0x0d, 0x20) is ignored; hex
//!    (`0x10`) is not a number here.
//! 2. Both parsers always produce the value of the longest numeric prefix
//!    (0 when there is none) and separately report how well-formed the whole
//!    text was, as SQLite's return codes do.
//! 3. Integer overflow clamps to `i64::MIN`/`i64::MAX` and is reported, so a
//!    caller can fall back to REAL.

use super::value::Value;

/// `sqlite3Isspace`: space, tab, newline, vertical tab, form feed, CR.
pub(crate) fn is_space(c: u8) -> bool {
    c == b' ' || (0x09..=0x0d).contains(&c)
}

/// What [`atof`] found (`sqlite3AtoF`'s result and return code).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AtoF {
    /// Value of the longest numeric prefix (0.0 if none).
    pub value: f64,
    /// SQLite's code: 1 = whole text is an integer literal; 2 or 3 = whole
    /// text is a real literal (with `.` and/or exponent); -1 = a real-looking
    /// prefix followed by junk; 0 = not a number.
    pub rc: i32,
}

/// Parses a real number the way `sqlite3AtoF` does.
pub(crate) fn atof(z: &[u8]) -> AtoF {
    let n = z.len();
    let mut i = 0;
    while i < n && is_space(z[i]) {
        i += 1;
    }
    let mut text = String::new();
    if i < n && (z[i] == b'-' || z[i] == b'+') {
        if z[i] == b'-' {
            text.push('-');
        }
        i += 1;
    }
    let mut n_digit = 0usize;
    let mut e_type = 1;
    let mut e_valid = true;
    let mut int_digits = String::new();
    while i < n && z[i].is_ascii_digit() {
        int_digits.push(z[i] as char);
        n_digit += 1;
        i += 1;
    }
    let mut frac_digits = String::new();
    if i < n && z[i] == b'.' {
        e_type += 1;
        i += 1;
        while i < n && z[i].is_ascii_digit() {
            frac_digits.push(z[i] as char);
            n_digit += 1;
            i += 1;
        }
    }
    let mut exp: i64 = 0;
    let mut exp_neg = false;
    if i < n && n_digit > 0 && (z[i] == b'e' || z[i] == b'E') {
        i += 1;
        e_valid = false;
        e_type += 1;
        if i < n && (z[i] == b'-' || z[i] == b'+') {
            exp_neg = z[i] == b'-';
            i += 1;
        }
        while i < n && z[i].is_ascii_digit() {
            exp = (exp * 10 + i64::from(z[i] - b'0')).min(10000);
            e_valid = true;
            i += 1;
        }
    }
    while i < n && is_space(z[i]) {
        i += 1;
    }
    let value = if n_digit == 0 {
        // A lone sign still signs the zero: CAST('-' AS REAL) is -0.0.
        if text.starts_with('-') {
            -0.0
        } else {
            0.0
        }
    } else {
        text.push_str(if int_digits.is_empty() {
            "0"
        } else {
            &int_digits
        });
        text.push('.');
        text.push_str(if frac_digits.is_empty() {
            "0"
        } else {
            &frac_digits
        });
        text.push_str(&format!("e{}{}", if exp_neg { "-" } else { "" }, exp));
        text.parse::<f64>().unwrap_or(0.0)
    };
    let rc = if i == n && n_digit > 0 && e_valid {
        e_type
    } else if e_type >= 2 && (e_type == 3 || e_valid) && n_digit > 0 {
        -1
    } else {
        0
    };
    AtoF { value, rc }
}

/// Parses an integer the way `sqlite3Atoi64` does: `(value, rc)` where rc is
/// 0 = whole text is an integer that fits, 1 = integer prefix then junk,
/// 2 = overflow (value clamped), 3 = exactly 9223372036854775808 (clamped),
/// -1 = no digits at all.
pub(crate) fn atoi64(z: &[u8]) -> (i64, i32) {
    let n = z.len();
    let mut i = 0;
    while i < n && is_space(z[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < n && (z[i] == b'-' || z[i] == b'+') {
        neg = z[i] == b'-';
        i += 1;
    }
    let start = i;
    while i < n && z[i] == b'0' {
        i += 1;
    }
    let digits_start = i;
    let mut u: u64 = 0;
    while i < n && z[i].is_ascii_digit() {
        u = u.wrapping_mul(10).wrapping_add(u64::from(z[i] - b'0'));
        i += 1;
    }
    let nd = i - digits_start;
    let mut value = if u > i64::MAX as u64 {
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        -(u as i64)
    } else {
        u as i64
    };
    let mut rc = 0;
    if nd == 0 && start == digits_start {
        rc = -1;
    } else if z[i..].iter().any(|&c| !is_space(c)) {
        rc = 1;
    }
    if nd < 19 {
        return (value, rc);
    }
    let cmp = if nd > 19 {
        std::cmp::Ordering::Greater
    } else {
        z[digits_start..i].cmp(b"9223372036854775808".as_slice())
    };
    match cmp {
        std::cmp::Ordering::Less => (value, rc),
        std::cmp::Ordering::Greater => {
            value = if neg { i64::MIN } else { i64::MAX };
            (value, 2)
        }
        std::cmp::Ordering::Equal => {
            value = if neg { i64::MIN } else { i64::MAX };
            (value, if neg { rc } else { 3 })
        }
    }
}

/// `doubleToInt64`: truncation toward zero, saturating at the i64 range.
pub(crate) fn double_to_i64(r: f64) -> i64 {
    if r <= i64::MIN as f64 {
        i64::MIN
    } else if r >= i64::MAX as f64 {
        i64::MAX
    } else {
        r as i64
    }
}

/// `sqlite3RealSameAsInt`: `r` is exactly `i` and `|i| < 2^51` (or r is 0).
pub(crate) fn real_same_as_int(r: f64, i: i64) -> bool {
    const LIM: i64 = 2_251_799_813_685_248;
    r == 0.0 || (r.to_bits() == (i as f64).to_bits() && (-LIM..LIM).contains(&i))
}

/// `sqlite3VdbeIntegerAffinity`: a REAL that is exactly an integer strictly
/// inside the i64 range becomes that INTEGER.
pub(crate) fn real_to_exact_int(r: f64) -> Option<i64> {
    let ix = double_to_i64(r);
    (r == ix as f64 && ix > i64::MIN && ix < i64::MAX).then_some(ix)
}

/// Converts text to a number as arithmetic does (`computeNumericType`):
/// an INTEGER when the text is (or starts with) an integer that fits,
/// otherwise a REAL from the longest numeric prefix. The flag is true when
/// the whole text (ignoring surrounding spaces) is a well-formed number.
pub fn text_to_numeric(s: &[u8]) -> (Value, bool) {
    let f = atof(s);
    if f.rc <= 0 {
        if f.rc == 0 {
            let (ix, rc) = atoi64(s);
            if rc <= 1 {
                return (Value::Integer(ix), false);
            }
        }
        return (Value::Real(f.value), false);
    }
    if f.rc == 1 {
        let (ix, rc) = atoi64(s);
        if rc == 0 {
            return (Value::Integer(ix), true);
        }
    }
    (Value::Real(f.value), true)
}

/// `sqlite3VdbeMemNumerify` on text (CAST … AS NUMERIC).
pub(crate) fn numerify(s: &[u8]) -> Value {
    let f = atof(s);
    if f.rc == 0 || f.rc == 1 {
        let (ix, rc) = atoi64(s);
        if rc <= 1 {
            return Value::Integer(ix);
        }
    }
    let ix = double_to_i64(f.value);
    if real_same_as_int(f.value, ix) {
        Value::Integer(ix)
    } else {
        Value::Real(f.value)
    }
}

/// `applyNumericAffinity(pRec, 1)`: text that is entirely a number becomes
/// INTEGER (preferred) or REAL; anything else is left as it was (`None`).
pub(crate) fn numeric_affinity_of_text(s: &[u8]) -> Option<Value> {
    let f = atof(s);
    if f.rc <= 0 {
        return None;
    }
    if f.rc == 1 {
        let ix = double_to_i64(f.value);
        if real_same_as_int(f.value, ix) {
            return Some(Value::Integer(ix));
        }
        let (ix, rc) = atoi64(s);
        if rc == 0 {
            return Some(Value::Integer(ix));
        }
    }
    Some(match real_to_exact_int(f.value) {
        Some(i) => Value::Integer(i),
        None => Value::Real(f.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_to_numeric_cases() {
        let cases: &[(&[u8], Value, bool)] = &[
            (b" 12 ", Value::Integer(12), true),
            (b"1e3", Value::Real(1000.0), true),
            (b"0x10", Value::Integer(0), false),
            (b"9223372036854775807", Value::Integer(i64::MAX), true),
            (
                b"9223372036854775808",
                Value::Real(9.223_372_036_854_776e18),
                true,
            ),
            (b"-9223372036854775808", Value::Integer(i64::MIN), true),
            (b"1.5x", Value::Real(1.5), false),
            (b"12abc", Value::Integer(12), false),
            (b"abc", Value::Integer(0), false),
            (b"", Value::Integer(0), false),
            (b"-", Value::Integer(0), false),
            (b".5", Value::Real(0.5), true),
            (b"1.", Value::Real(1.0), true),
            (b".", Value::Integer(0), false),
            (b"1e", Value::Integer(1), false),
            (b"1.5e", Value::Real(1.5), false),
            (b"+7", Value::Integer(7), true),
            (b"\t-3.25e-2\n", Value::Real(-0.0325), true),
            (b"1e400", Value::Real(f64::INFINITY), true),
            (b"00012", Value::Integer(12), true),
        ];
        for (s, v, ok) in cases {
            assert_eq!(
                text_to_numeric(s),
                (v.clone(), *ok),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
    }

    #[test]
    fn atoi64_codes() {
        assert_eq!(atoi64(b"123"), (123, 0));
        assert_eq!(atoi64(b"123 "), (123, 0));
        assert_eq!(atoi64(b"123x"), (123, 1));
        assert_eq!(atoi64(b"x"), (0, -1));
        assert_eq!(atoi64(b"0"), (0, 0));
        assert_eq!(atoi64(b"99999999999999999999"), (i64::MAX, 2));
        assert_eq!(atoi64(b"-99999999999999999999"), (i64::MIN, 2));
        assert_eq!(atoi64(b"9223372036854775808"), (i64::MAX, 3));
        assert_eq!(atoi64(b"-9223372036854775808"), (i64::MIN, 0));
        assert_eq!(atoi64(b"9223372036854775806"), (9223372036854775806, 0));
        assert_eq!(atoi64(b"0000000000000000000000001"), (1, 0));
    }

    #[test]
    fn numerify_cases() {
        assert_eq!(numerify(b"12abc"), Value::Integer(12));
        assert_eq!(numerify(b"1.5x"), Value::Real(1.5));
        assert_eq!(numerify(b"3.0"), Value::Integer(3));
        assert_eq!(numerify(b"1e15"), Value::Integer(1_000_000_000_000_000));
        assert_eq!(numerify(b"abc"), Value::Integer(0));
        assert_eq!(numerify(b"1e"), Value::Integer(1));
        assert_eq!(
            numerify(b"9223372036854775808"),
            Value::Real(9.223_372_036_854_776e18)
        );
    }

    #[test]
    fn numeric_affinity() {
        assert_eq!(numeric_affinity_of_text(b" 12 "), Some(Value::Integer(12)));
        assert_eq!(
            numeric_affinity_of_text(b"3.0e+5"),
            Some(Value::Integer(300000))
        );
        assert_eq!(numeric_affinity_of_text(b"0x10"), None);
        assert_eq!(numeric_affinity_of_text(b"1.5x"), None);
        assert_eq!(numeric_affinity_of_text(b"-0"), Some(Value::Integer(0)));
        assert_eq!(numeric_affinity_of_text(b"-0.0"), Some(Value::Integer(0)));
        assert_eq!(
            numeric_affinity_of_text(b"1e400"),
            Some(Value::Real(f64::INFINITY))
        );
        assert_eq!(
            numeric_affinity_of_text(b"9223372036854775808"),
            Some(Value::Real(9.223_372_036_854_776e18))
        );
    }

    #[test]
    fn saturation() {
        assert_eq!(double_to_i64(1e300), i64::MAX);
        assert_eq!(double_to_i64(-1e300), i64::MIN);
        assert_eq!(double_to_i64(-2.9), -2);
        assert_eq!(real_to_exact_int(3.0), Some(3));
        assert_eq!(real_to_exact_int(3.5), None);
        assert_eq!(real_to_exact_int(9.223_372_036_854_776e18), None);
    }
}
