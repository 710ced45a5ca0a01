//! Parsing one `%` conversion: flags, width, precision, length, type.
//!
//! SQLite counterpart: the flag/width/precision loop at the top of
//! `sqlite3_str_vappendf` in printf.c.
//!
//! Grammar accepted (exactly SQLite's, including its quirks):
//! `% [-+ #!0,]* [width | *] [. (precision | *)] [l | ll] type`.
//!
//! Invariants:
//! 1. Flags may only precede the width; anything else after the width
//!    (other than `.` or `l`) is taken as the type character, so `%5-d`
//!    has the (invalid) type `-`.
//! 2. Digit widths and precisions wrap as 32-bit unsigned values and are
//!    then masked to 31 bits. A `*` width that is negative left-justifies;
//!    a `*` precision that is negative uses its absolute value.
//! 3. `*` arguments are C `int`s: the 64-bit argument is truncated to 32 bits.

use super::PrintfArgs;

/// One parsed conversion specification.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spec {
    /// `-`: left-justify.
    pub left: bool,
    /// `+` or space: what non-negative signed numbers are prefixed with.
    pub flag_prefix: Option<u8>,
    /// `#`: alternate form 1.
    pub alt: bool,
    /// `!`: alternate form 2.
    pub alt2: bool,
    /// `0`: zero padding.
    pub zeropad: bool,
    /// `,`: thousands separators.
    pub thousands: bool,
    /// Field width, non-negative.
    pub width: i64,
    /// Precision, or -1 when absent.
    pub precision: i64,
    /// 0 = none, 1 = `l`, 2 = `ll`.
    pub long: u8,
    /// The type character (0 at the end of the format).
    pub conv: u8,
}

/// Parses the conversion that starts right after a `%` at `fmt[pos]`.
/// Returns the spec and the index just past the type character.
pub(crate) fn parse_spec(fmt: &[u8], mut pos: usize, args: &mut dyn PrintfArgs) -> (Spec, usize) {
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let mut s = Spec {
        precision: -1,
        ..Spec::default()
    };
    let mut c = at(pos);
    loop {
        match c {
            b'-' => s.left = true,
            b'+' => s.flag_prefix = Some(b'+'),
            b' ' => s.flag_prefix = Some(b' '),
            b'#' => s.alt = true,
            b'!' => s.alt2 = true,
            b'0' => s.zeropad = true,
            b',' => s.thousands = true,
            b'l' => {
                s.long = 1;
                pos += 1;
                c = at(pos);
                if c == b'l' {
                    s.long = 2;
                    pos += 1;
                    c = at(pos);
                }
                break;
            }
            b'1'..=b'9' => {
                let mut wx: u32 = 0;
                while c.is_ascii_digit() {
                    wx = wx.wrapping_mul(10).wrapping_add(u32::from(c - b'0'));
                    pos += 1;
                    c = at(pos);
                }
                s.width = i64::from(wx & 0x7fff_ffff);
                if c != b'.' && c != b'l' {
                    break;
                }
                continue;
            }
            b'*' => {
                let w = args.next_int() as i32;
                if w < 0 {
                    s.left = true;
                    s.width = if w == i32::MIN { 0 } else { -i64::from(w) };
                } else {
                    s.width = i64::from(w);
                }
                pos += 1;
                c = at(pos);
                if c != b'.' && c != b'l' {
                    break;
                }
                continue;
            }
            b'.' => {
                pos += 1;
                c = at(pos);
                if c == b'*' {
                    let p = args.next_int() as i32;
                    s.precision = if p >= 0 {
                        i64::from(p)
                    } else if p == i32::MIN {
                        -1
                    } else {
                        -i64::from(p)
                    };
                    pos += 1;
                    c = at(pos);
                } else {
                    let mut px: u32 = 0;
                    while c.is_ascii_digit() {
                        px = px.wrapping_mul(10).wrapping_add(u32::from(c - b'0'));
                        pos += 1;
                        c = at(pos);
                    }
                    s.precision = i64::from(px & 0x7fff_ffff);
                }
                if c == b'l' {
                    continue;
                }
                break;
            }
            _ => break,
        }
        pos += 1;
        c = at(pos);
        if c == 0 {
            break;
        }
    }
    s.conv = c;
    (s, (pos + 1).min(fmt.len()))
}
