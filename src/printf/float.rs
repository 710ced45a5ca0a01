//! Floating-point conversions `%f %e %E %g %G` with SQLite 3.40.1's digits.
//!
//! SQLite counterpart: the `etFLOAT`/`etEXP`/`etGENERIC` branch of
//! `sqlite3_str_vappendf` in printf.c, and `et_getdigit`.
//!
//! The algorithm, restated: make the value non-negative (remembering the
//! sign), add a rounding term `0.5 * 10^-precision` (for `%f`, before scaling,
//! with a small relative fudge for short precisions), scale the value into
//! `[1, 10)` in extended precision while counting the decimal exponent, then
//! peel decimal digits off one at a time (integer part, then fraction times
//! ten). Only the first 16 significant digits (26 with `!`) are real; later
//! positions print `0`.
//!
//! Invariants:
//! 1. All arithmetic on the value is x87 extended precision
//!    ([`LongDouble`]); the rounding term itself is a double, as in SQLite.
//! 2. The precision defaults to 6 and is capped at 100,000,000
//!    (`SQLITE_FP_PRECISION_LIMIT`).
//! 3. `%g` drops trailing zeros unless `#`; `!` keeps at least one digit
//!    after the point; infinities print `Inf` with the sign prefix, NaN
//!    prints `NaN`.

use super::longdouble::LongDouble;
use std::ops::{Add, Div, Mul};

/// Largest precision honoured for floating-point conversions.
const FP_PRECISION_LIMIT: i64 = 100_000_000;

/// `0.5 * 10^-i` for `i` in `0..10`.
const AR_ROUND: [f64; 10] = [
    5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10,
];

/// Which floating-point layout a conversion asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FloatKind {
    /// `%f`: fixed point.
    Fixed,
    /// `%e`/`%E`: exponent form.
    Exp,
    /// `%g`/`%G`: whichever is shorter for the exponent.
    Generic,
}

/// The parts of a conversion spec that a float conversion reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FloatSpec {
    pub kind: FloatKind,
    /// `e` or `E`.
    pub exp_char: u8,
    /// Explicit precision, or negative when absent.
    pub precision: i64,
    /// Field width in bytes.
    pub width: i64,
    /// `+` or space flag: the prefix of non-negative values.
    pub flag_prefix: Option<u8>,
    /// `#` flag.
    pub alt: bool,
    /// `!` flag.
    pub alt2: bool,
    /// `0` flag.
    pub zeropad: bool,
    /// `-` flag.
    pub left: bool,
}

/// The bytes a float conversion needs before padding, for the size check.
pub(crate) fn buffer_estimate(spec: &FloatSpec, value: f64) -> i64 {
    let precision = effective_precision(spec.precision);
    let mag = if value.is_finite() && value != 0.0 {
        value.abs().log10().max(0.0) as i64
    } else {
        0
    };
    let e2 = if spec.kind == FloatKind::Fixed {
        mag
    } else {
        0
    };
    e2 + precision + spec.width + 15
}

fn effective_precision(p: i64) -> i64 {
    if p < 0 {
        6
    } else {
        p.min(FP_PRECISION_LIMIT)
    }
}

/// Renders `value` per `spec`, including the sign and `0`-flag padding but
/// not the space padding to the width.
pub(crate) fn render_float(spec: &FloatSpec, value: f64) -> Vec<u8> {
    let mut precision = effective_precision(spec.precision);
    let (real, prefix) = if value < 0.0 {
        (-value, Some(b'-'))
    } else {
        (value, spec.flag_prefix)
    };
    if spec.kind == FloatKind::Generic && precision > 0 {
        precision -= 1;
    }
    let mut rounder = rounding_term(precision);
    if real.is_nan() {
        return b"NaN".to_vec();
    }
    if real.is_infinite() {
        let mut out = Vec::with_capacity(4);
        out.extend(prefix);
        out.extend_from_slice(b"Inf");
        return out;
    }
    let mut rv = LongDouble::from_f64(real);
    if spec.kind == FloatKind::Fixed {
        let ex = ((real.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        if precision + ex / 3 < 15 {
            let fudge = rv.mul(LongDouble::from_f64(3e-16));
            rounder = LongDouble::from_f64(rounder).add(fudge).to_f64();
        }
        rv = rv.add(LongDouble::from_f64(rounder));
    }
    let (mut rv, mut exp) = normalize(rv);
    let mut kind = spec.kind;
    if kind != FloatKind::Fixed {
        rv = rv.add(LongDouble::from_f64(rounder));
        if rv.ge(LongDouble::from_f64(10.0)) {
            rv = rv.mul(LongDouble::from_f64(0.1));
            exp += 1;
        }
    }
    let rtz = if kind == FloatKind::Generic {
        if exp < -4 || exp > precision {
            kind = FloatKind::Exp;
        } else {
            precision -= exp;
            kind = FloatKind::Fixed;
        }
        !spec.alt
    } else {
        spec.alt2
    };
    let digits = Digits {
        rv,
        nsd: if spec.alt2 { 26 } else { 16 },
    };
    let mut out = layout_digits(spec, digits, prefix, kind, exp, precision, rtz);
    zero_pad(&mut out, spec, prefix.is_some());
    out
}

/// `0.5 * 10^-precision` computed in double arithmetic as SQLite does.
fn rounding_term(precision: i64) -> f64 {
    let mut idx = precision & 0xfff;
    let mut rounder = AR_ROUND[(idx % 10) as usize];
    while idx >= 10 {
        rounder *= 1.0e-10;
        idx -= 10;
    }
    rounder
}

/// Scales a positive value into `[1, 10)`, returning it and its exponent.
fn normalize(mut rv: LongDouble) -> (LongDouble, i64) {
    let mut exp = 0i64;
    if rv.is_zero() {
        return (rv, 0);
    }
    let mut scale = LongDouble::from_f64(1.0);
    let steps = [(1e100, 100), (1e10, 10), (10.0, 1)];
    for (factor, n) in steps {
        let f = LongDouble::from_f64(factor);
        while rv.ge(f.mul(scale)) && exp <= 350 {
            scale = scale.mul(f);
            exp += n;
        }
    }
    rv = rv.div(scale);
    let e8 = LongDouble::from_f64(1e-8);
    while rv.lt(e8) {
        rv = rv.mul(LongDouble::from_f64(1e8));
        exp -= 8;
    }
    let one = LongDouble::from_f64(1.0);
    while rv.lt(one) {
        rv = rv.mul(LongDouble::from_f64(10.0));
        exp -= 1;
    }
    (rv, exp)
}

/// The digit source: the scaled value and the significant digits left.
struct Digits {
    rv: LongDouble,
    nsd: i32,
}

impl Digits {
    /// The next decimal digit (`0` once the significant digits run out).
    fn next(&mut self) -> u8 {
        if self.nsd <= 0 {
            return b'0';
        }
        self.nsd -= 1;
        let (int, frac) = self.rv.split_int();
        self.rv = frac.mul(LongDouble::from_f64(10.0));
        b'0'.wrapping_add(int.min(255) as u8)
    }
}

/// Writes sign, digits, point, trailing-zero removal and exponent.
fn layout_digits(
    spec: &FloatSpec,
    mut digits: Digits,
    prefix: Option<u8>,
    kind: FloatKind,
    exp: i64,
    mut precision: i64,
    rtz: bool,
) -> Vec<u8> {
    let mut e2 = if kind == FloatKind::Exp { 0 } else { exp };
    let mut out = Vec::with_capacity((e2.max(0) + precision + 16) as usize);
    out.extend(prefix);
    let start = out.len();
    if e2 < 0 {
        out.push(b'0');
    } else {
        while e2 >= 0 {
            out.push(digits.next());
            e2 -= 1;
        }
    }
    let dp = precision > 0 || spec.alt || spec.alt2;
    if dp {
        out.push(b'.');
    }
    e2 += 1;
    while e2 < 0 {
        out.push(b'0');
        precision -= 1;
        e2 += 1;
    }
    while precision > 0 {
        out.push(digits.next());
        precision -= 1;
    }
    if rtz && dp {
        while out.len() > start + 1 && out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            if spec.alt2 {
                out.push(b'0');
            } else {
                out.pop();
            }
        }
    }
    if kind == FloatKind::Exp {
        push_exponent(&mut out, spec.exp_char, exp);
    }
    out
}

fn push_exponent(out: &mut Vec<u8>, exp_char: u8, exp: i64) {
    out.push(exp_char);
    out.push(if exp < 0 { b'-' } else { b'+' });
    let mut e = exp.unsigned_abs();
    if e >= 100 {
        out.push(b'0' + (e / 100) as u8);
        e %= 100;
    }
    out.push(b'0' + (e / 10) as u8);
    out.push(b'0' + (e % 10) as u8);
}

/// The `0` flag: zeros between the sign and the digits up to the width.
fn zero_pad(out: &mut Vec<u8>, spec: &FloatSpec, has_prefix: bool) {
    let len = out.len() as i64;
    if spec.zeropad && !spec.left && len < spec.width {
        let n = (spec.width - len) as usize;
        let at = usize::from(has_prefix);
        out.splice(at..at, std::iter::repeat_n(b'0', n));
    }
}
