//! A software model of the x87 80-bit `long double` for non-negative values.
//!
//! SQLite counterpart: `LONGDOUBLE_TYPE` as used by printf.c (digit
//! extraction) and util.c (`sqlite3AtoF`). SQLite 3.40.1 on x86-64 Linux
//! computes with the x87 extended format: a 64-bit significand with an
//! explicit leading bit, rounded to nearest, ties to even, after every
//! operation. Rust has no such type, so this module emulates the handful of
//! operations those algorithms use; with it loom prints exactly the digits
//! SQLite prints, including past the 17th significant digit.
//!
//! Invariants:
//! 1. A value is `mant * 2^exp`; `mant == 0` means zero, otherwise bit 63 of
//!    `mant` is set (normalized). Values are never negative.
//! 2. `mul`, `div`, `add` and `to_f64` round to nearest, ties to even, as the
//!    x87 does in its default 64-bit precision mode.
//! 3. `split_int` is exact (the fraction of a binary float is representable).
//! 4. The exponent range is unbounded (an `i32`); the algorithms here stay
//!    far inside the x87 range, so overflow and subnormals never arise.

use std::cmp::Ordering;
use std::ops::{Add, Div, Mul};

/// A non-negative x87 extended-precision value (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDouble {
    mant: u64,
    exp: i32,
}

impl LongDouble {
    /// Zero.
    pub const ZERO: LongDouble = LongDouble { mant: 0, exp: 0 };

    /// Builds a normalized value from `m * 2^e`.
    fn normalized(m: u64, e: i32) -> LongDouble {
        if m == 0 {
            return LongDouble::ZERO;
        }
        let lz = m.leading_zeros();
        LongDouble {
            mant: m << lz,
            exp: e - lz as i32,
        }
    }

    /// The exact extended value of a finite, non-negative double (the sign of
    /// a negative input is dropped).
    pub fn from_f64(v: f64) -> LongDouble {
        let bits = v.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        if biased == 0 {
            LongDouble::normalized(frac, -1074)
        } else {
            LongDouble::normalized(frac | (1u64 << 52), biased - 1075)
        }
    }

    /// The exact value of an unsigned integer.
    pub fn from_u64(v: u64) -> LongDouble {
        LongDouble::normalized(v, 0)
    }

    /// True when the value is zero.
    pub fn is_zero(self) -> bool {
        self.mant == 0
    }

    /// Rounds `wide` right by `shift` bits (nearest, ties to even); `sticky`
    /// says whether nonzero bits were already lost below `wide`.
    fn round_shift(wide: u128, shift: u32, exp: i32, sticky: bool) -> LongDouble {
        let q = wide >> shift;
        let rem = wide & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let up = rem > half || (rem == half && (sticky || q & 1 == 1));
        let q = q + u128::from(up);
        if q >> 64 != 0 {
            LongDouble::normalized((q >> 1) as u64, exp + shift as i32 + 1)
        } else {
            LongDouble::normalized(q as u64, exp + shift as i32)
        }
    }

    /// `self * rhs`, rounded.
    fn mul_impl(self, rhs: LongDouble) -> LongDouble {
        if self.is_zero() || rhs.is_zero() {
            return LongDouble::ZERO;
        }
        let p = u128::from(self.mant) * u128::from(rhs.mant);
        let shift = if p >> 127 == 1 { 64 } else { 63 };
        LongDouble::round_shift(p, shift, self.exp + rhs.exp, false)
    }

    /// `self / rhs`, rounded; division by zero yields zero (never used).
    fn div_impl(self, rhs: LongDouble) -> LongDouble {
        if self.is_zero() || rhs.is_zero() {
            return LongDouble::ZERO;
        }
        let n = u128::from(self.mant) << 64;
        let d = u128::from(rhs.mant);
        let q = n / d;
        let r = n % d;
        let exp = self.exp - rhs.exp - 64;
        // Two extra quotient bits (the next quotient digits) plus a sticky.
        let r2 = r << 2;
        let wide = (q << 2) | (r2 / d);
        let sticky = r2 % d != 0;
        let shift = if wide >> 66 != 0 { 3 } else { 2 };
        // `wide` carries two extra low bits, hence `exp - 2`.
        LongDouble::round_shift(wide, shift, exp - 2, sticky)
    }

    /// `self + rhs`, rounded.
    fn add_impl(self, rhs: LongDouble) -> LongDouble {
        if self.is_zero() {
            return rhs;
        }
        if rhs.is_zero() {
            return self;
        }
        let (big, small) = if self.cmp_value(rhs) == Ordering::Less {
            (rhs, self)
        } else {
            (self, rhs)
        };
        const GUARD: u32 = 62;
        let d = (big.exp - small.exp) as u32;
        let small_wide = u128::from(small.mant) << GUARD;
        let (aligned, sticky) = if d >= 127 {
            (0u128, true)
        } else {
            let lost = small_wide & ((1u128 << d) - 1);
            (small_wide >> d, lost != 0)
        };
        let sum = (u128::from(big.mant) << GUARD) + aligned;
        let sum = sum | u128::from(sticky);
        let shift = if sum >> (GUARD + 64) != 0 {
            GUARD + 1
        } else {
            GUARD
        };
        LongDouble::round_shift(sum, shift, big.exp - GUARD as i32, false)
    }

    /// Splits into the integer part (saturating at `u64::MAX`) and the exact
    /// fractional remainder.
    pub fn split_int(self) -> (u64, LongDouble) {
        if self.is_zero() || self.exp <= -64 {
            return (0, self);
        }
        if self.exp >= 0 {
            return (u64::MAX, LongDouble::ZERO);
        }
        let sh = (-self.exp) as u32;
        let int = self.mant >> sh;
        let frac = self.mant & ((1u64 << sh) - 1);
        (int, LongDouble::normalized(frac, self.exp))
    }

    /// The value rounded to the nearest double.
    pub fn to_f64(self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let r = LongDouble::round_shift(u128::from(self.mant), 11, self.exp, false);
        let m53 = (r.mant >> 11) as f64;
        scale_by_pow2(m53, r.exp + 11)
    }

    /// Compares two values.
    pub fn cmp_value(self, rhs: LongDouble) -> Ordering {
        match (self.is_zero(), rhs.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => (self.exp, self.mant).cmp(&(rhs.exp, rhs.mant)),
        }
    }

    /// `self >= rhs`.
    pub fn ge(self, rhs: LongDouble) -> bool {
        self.cmp_value(rhs) != Ordering::Less
    }

    /// `self < rhs`.
    pub fn lt(self, rhs: LongDouble) -> bool {
        self.cmp_value(rhs) == Ordering::Less
    }
}

/// `m * 2^e` in double arithmetic, in steps that never overflow early.
fn scale_by_pow2(mut m: f64, mut e: i32) -> f64 {
    while e > 1000 {
        m *= f64::from_bits(((1023 + 1000) as u64) << 52);
        e -= 1000;
    }
    while e < -1000 {
        m *= f64::from_bits(((1023 - 1000) as u64) << 52);
        e += 1000;
    }
    m * f64::from_bits(((1023 + e) as u64) << 52)
}

macro_rules! op_impl {
    ($tr:ident, $m:ident, $imp:ident) => {
        impl $tr for LongDouble {
            type Output = LongDouble;
            fn $m(self, rhs: LongDouble) -> LongDouble {
                self.$imp(rhs)
            }
        }
    };
}
op_impl!(Mul, mul, mul_impl);
op_impl!(Div, div, div_impl);
op_impl!(Add, add, add_impl);

#[cfg(test)]
mod tests {
    use super::LongDouble;
    use std::ops::{Add, Div, Mul};

    fn ld(v: f64) -> LongDouble {
        LongDouble::from_f64(v)
    }

    #[test]
    fn exact_round_trips() {
        for v in [1.0, 0.1, 3.5, 1e300, 4.9e-324, 123456789.125] {
            assert_eq!(ld(v).to_f64(), v);
        }
    }

    #[test]
    fn arithmetic_matches_double_when_exact() {
        assert_eq!(ld(1.5).mul(ld(4.0)).to_f64(), 6.0);
        assert_eq!(ld(6.0).div(ld(4.0)).to_f64(), 1.5);
        assert_eq!(ld(1.25).add(ld(2.5)).to_f64(), 3.75);
        let (i, f) = ld(7.75).split_int();
        assert_eq!((i, f.to_f64()), (7, 0.75));
    }

    #[test]
    fn extended_precision_is_kept() {
        // 1/3 in extended precision, times 3, is 1 (64-bit significand
        // rounding), while 0.1 * 10 keeps the double's error in low bits.
        let third = ld(1.0).div(ld(3.0));
        assert_eq!(third.mul(ld(3.0)).to_f64(), 1.0);
        let x = ld(0.1).mul(ld(10.0));
        assert!(x.ge(ld(1.0)));
        let (i, frac) = x.split_int();
        assert_eq!(i, 1);
        assert!(
            !frac.is_zero(),
            "0.1 (double) * 10 exceeds 1 in extended precision"
        );
        assert!(ld(2.0).lt(ld(3.0)));
    }
}
