//! The printf driver: walks the format, dispatches each conversion, pads.
//!
//! SQLite counterpart: `sqlite3_str_vappendf` and the `StrAccum` helpers
//! (`sqlite3_str_append`, `sqlite3_str_appendchar`, `printfTempBuf`) in
//! printf.c.
//!
//! Invariants:
//! 1. Literal text is copied verbatim; `%` at the very end prints `%`.
//! 2. An unknown conversion type (including `%T`/`%S`, which only SQLite's
//!    internals may use, and a missing type) ends the formatting: the text
//!    produced so far is the result.
//! 3. Width and precision count bytes, except with `!` on string and `%c`
//!    conversions, where they count UTF-8 characters.
//! 4. The output never exceeds the accumulator's limit: a conversion that
//!    would is an error ([`PrintfError::TooBig`]) and formatting stops.
//! 5. `touched` records whether any append happened; SQL `printf()` returns
//!    NULL when none did (SQLite returns its never-allocated buffer).
//! 6. C-mode integer conversions without `l`/`ll` read a C `int` (32 bits).

use super::float::{buffer_estimate, render_float, FloatKind, FloatSpec};
use super::spec::{parse_spec, Spec};
use super::PrintfArgs;

/// The growing output, with SQLite's length limit (`mxAlloc`).
#[derive(Debug)]
pub(crate) struct StrAccum {
    pub buf: Vec<u8>,
    max: usize,
    pub too_big: bool,
    pub touched: bool,
}

impl StrAccum {
    pub fn new(max: usize) -> StrAccum {
        StrAccum {
            buf: Vec::new(),
            max,
            too_big: false,
            touched: false,
        }
    }

    /// Fails (and sets the error) when `n` more bytes would pass the limit.
    fn reserve(&mut self, n: usize) -> bool {
        self.touched = true;
        if self.too_big {
            return false;
        }
        if self.buf.len().saturating_add(n).saturating_add(1) > self.max {
            self.too_big = true;
            self.buf.clear();
            return false;
        }
        true
    }

    pub fn append(&mut self, bytes: &[u8]) {
        if self.reserve(bytes.len()) {
            self.buf.extend_from_slice(bytes);
        }
    }

    pub fn append_repeat(&mut self, byte: u8, n: usize) {
        if self.reserve(n) {
            self.buf.resize(self.buf.len() + n, byte);
        }
    }

    /// A temporary buffer of `n` bytes would be needed (SQLite allocates it
    /// up front); fails like `printfTempBuf` when it exceeds the limit.
    fn temp_ok(&mut self, n: i64) -> bool {
        if n > 70 && n as u64 > self.max as u64 {
            self.too_big = true;
            self.buf.clear();
            return false;
        }
        true
    }
}

/// Runs the format into `acc`. `sql_mode` selects SQL `printf()` argument
/// rules (no `%n`, `%c` from a string, 64-bit integers always).
pub(crate) fn run(acc: &mut StrAccum, fmt: &[u8], args: &mut dyn PrintfArgs, sql_mode: bool) {
    let mut pos = 0usize;
    while pos < fmt.len() && !acc.too_big {
        let c = fmt[pos];
        if c == 0 {
            break;
        }
        if c != b'%' {
            let end = fmt[pos..]
                .iter()
                .position(|&b| b == b'%' || b == 0)
                .map_or(fmt.len(), |i| pos + i);
            acc.append(&fmt[pos..end]);
            pos = end;
            continue;
        }
        pos += 1;
        if fmt.get(pos).copied().unwrap_or(0) == 0 {
            acc.append(b"%");
            break;
        }
        let (spec, next) = parse_spec(fmt, pos, args);
        pos = next;
        if !convert(acc, &spec, args, sql_mode) {
            break;
        }
    }
}

/// One conversion; false means "stop formatting" (invalid type or error).
fn convert(acc: &mut StrAccum, spec: &Spec, args: &mut dyn PrintfArgs, sql_mode: bool) -> bool {
    let mut width = spec.width;
    let field: Vec<u8> = match spec.conv {
        b'd' | b'i' | b'u' | b'r' | b'x' | b'X' | b'o' | b'p' => {
            match render_integer(acc, spec, args, sql_mode) {
                Some(f) => f,
                None => return false,
            }
        }
        b'f' | b'e' | b'E' | b'g' | b'G' => {
            let fs = float_spec(spec);
            let v = args.next_double();
            if !acc.temp_ok(buffer_estimate(&fs, v)) {
                return false;
            }
            render_float(&fs, v)
        }
        b's' | b'z' => {
            let s = args.next_str().unwrap_or_default();
            let s = until_nul(&s);
            let len = take_prefix(s, spec.precision, spec.alt2);
            let f = s[..len].to_vec();
            width = utf8_width(&f, width, spec.alt2);
            f
        }
        b'q' | b'Q' | b'w' => {
            let f = render_escaped(spec, args.next_str());
            width = utf8_width(&f, width, spec.alt2);
            f
        }
        b'c' => {
            let ch = if sql_mode {
                first_char_sql(args.next_str())
            } else {
                encode_char(args.next_char().unwrap_or(0))
            };
            match repeat_char(acc, spec, &ch) {
                Some(w) => width = utf8_width(&ch, w, true),
                None => return false,
            }
            ch
        }
        b'n' => {
            if !sql_mode {
                args.store_count(acc.buf.len());
            }
            width = 0;
            Vec::new()
        }
        b'%' => b"%".to_vec(),
        _ => return false,
    };
    emit(acc, &field, width, spec.left);
    !acc.too_big
}

/// Appends `field` padded with spaces to `width` bytes.
fn emit(acc: &mut StrAccum, field: &[u8], width: i64, left: bool) {
    let pad = width - field.len() as i64;
    if pad > 0 {
        let pad = usize::try_from(pad).unwrap_or(usize::MAX);
        if !left {
            acc.append_repeat(b' ', pad);
        }
        acc.append(field);
        if left {
            acc.append_repeat(b' ', pad);
        }
    } else {
        acc.append(field);
    }
}

fn float_spec(spec: &Spec) -> FloatSpec {
    let kind = match spec.conv {
        b'f' => FloatKind::Fixed,
        b'e' | b'E' => FloatKind::Exp,
        _ => FloatKind::Generic,
    };
    FloatSpec {
        kind,
        exp_char: if matches!(spec.conv, b'E' | b'G') {
            b'E'
        } else {
            b'e'
        },
        precision: spec.precision,
        width: spec.width,
        flag_prefix: spec.flag_prefix,
        alt: spec.alt,
        alt2: spec.alt2,
        zeropad: spec.zeropad,
        left: spec.left,
    }
}

/// The text up to (not including) the first NUL, as C strings are.
fn until_nul(s: &[u8]) -> &[u8] {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    &s[..end]
}

/// Bytes of `s` within `precision` bytes, or characters with `!`.
fn take_prefix(s: &[u8], precision: i64, chars: bool) -> usize {
    if precision < 0 {
        return s.len();
    }
    if !chars {
        return s
            .len()
            .min(usize::try_from(precision).unwrap_or(usize::MAX));
    }
    let mut i = 0usize;
    let mut left = precision;
    while left > 0 && i < s.len() {
        i = skip_utf8(s, i);
        left -= 1;
    }
    i
}

/// The index after the UTF-8 character starting at `i` (SQLite's lenient
/// rule: a lead byte >= 0xc0 swallows all following continuation bytes).
fn skip_utf8(s: &[u8], mut i: usize) -> usize {
    let lead = s[i];
    i += 1;
    if lead >= 0xc0 {
        while i < s.len() && s[i] & 0xc0 == 0x80 {
            i += 1;
        }
    }
    i
}

/// With `!`, widen the byte width by the field's continuation bytes so the
/// padding counts characters.
fn utf8_width(field: &[u8], width: i64, chars: bool) -> i64 {
    if chars && width > 0 {
        width + field.iter().filter(|&&b| b & 0xc0 == 0x80).count() as i64
    } else {
        width
    }
}

/// `%q`, `%Q`, `%w`: quote-doubling, with `%Q` adding quotes or `NULL`.
fn render_escaped(spec: &Spec, arg: Option<Vec<u8>>) -> Vec<u8> {
    let q = if spec.conv == b'w' { b'"' } else { b'\'' };
    let is_null = arg.is_none();
    let text: Vec<u8> = match arg {
        Some(v) => until_nul(&v).to_vec(),
        None if spec.conv == b'Q' => b"NULL".to_vec(),
        None => b"(NULL)".to_vec(),
    };
    let mut k = spec.precision;
    let mut i = 0usize;
    while k != 0 && i < text.len() {
        if spec.alt2 && text[i] & 0xc0 == 0xc0 {
            while text.get(i + 1).is_some_and(|&b| b & 0xc0 == 0x80) {
                i += 1;
            }
        }
        i += 1;
        k -= 1;
    }
    let quote = !is_null && spec.conv == b'Q';
    let mut out = Vec::with_capacity(i + 3);
    if quote {
        out.push(q);
    }
    for &b in &text[..i] {
        out.push(b);
        if b == q {
            out.push(b);
        }
    }
    if quote {
        out.push(q);
    }
    out
}

/// SQL `%c`: the first character's bytes (up to 4) of the argument's text;
/// NULL or an empty string give a single NUL byte, as in SQLite.
fn first_char_sql(arg: Option<Vec<u8>>) -> Vec<u8> {
    let s = arg.unwrap_or_default();
    let first = s.first().copied().unwrap_or(0);
    let mut out = vec![first];
    if first & 0xc0 == 0xc0 {
        for &b in s.iter().skip(1).take(3) {
            if b & 0xc0 != 0x80 {
                break;
            }
            out.push(b);
        }
    }
    out
}

/// C `%c`: a code point encoded as SQLite encodes it (1 to 4 bytes).
fn encode_char(ch: u32) -> Vec<u8> {
    if ch < 0x80 {
        vec![(ch & 0xff) as u8]
    } else if ch < 0x800 {
        vec![0xc0 + ((ch >> 6) & 0x1f) as u8, 0x80 + (ch & 0x3f) as u8]
    } else if ch < 0x10000 {
        vec![
            0xe0 + ((ch >> 12) & 0x0f) as u8,
            0x80 + ((ch >> 6) & 0x3f) as u8,
            0x80 + (ch & 0x3f) as u8,
        ]
    } else {
        vec![
            0xf0 + ((ch >> 18) & 0x07) as u8,
            0x80 + ((ch >> 12) & 0x3f) as u8,
            0x80 + ((ch >> 6) & 0x3f) as u8,
            0x80 + (ch & 0x3f) as u8,
        ]
    }
}

/// `%c` with precision N > 1 writes the character N-1 times directly (after
/// any right-justifying padding) and returns the width left for the final
/// copy; `None` when the accumulator failed.
fn repeat_char(acc: &mut StrAccum, spec: &Spec, ch: &[u8]) -> Option<i64> {
    let mut width = spec.width;
    if spec.precision <= 1 {
        return Some(width);
    }
    width -= spec.precision - 1;
    if width > 1 && !spec.left {
        acc.append_repeat(b' ', (width - 1) as usize);
        width = 0;
    }
    let copies = usize::try_from(spec.precision - 1).unwrap_or(usize::MAX);
    if !acc.reserve(ch.len().saturating_mul(copies)) {
        return None;
    }
    for _ in 0..copies {
        acc.buf.extend_from_slice(ch);
    }
    Some(width)
}

/// Digits for each radix: upper case (index 0) and lower case (index 16).
const DIGITS: &[u8; 32] = b"0123456789ABCDEF0123456789abcdef";

/// `%d %i %u %r %x %X %o %p`.
fn render_integer(
    acc: &mut StrAccum,
    spec: &Spec,
    args: &mut dyn PrintfArgs,
    sql_mode: bool,
) -> Option<Vec<u8>> {
    let (base, lower, signed, alt_prefix): (u64, bool, bool, &[u8]) = match spec.conv {
        b'd' | b'i' | b'r' => (10, false, true, b""),
        b'u' => (10, false, false, b""),
        b'x' => (16, true, false, b"0x"),
        b'X' => (16, false, false, b"0X"),
        b'o' => (8, false, false, b"0"),
        _ => (16, false, false, b"0x"),
    };
    let thousands = spec.thousands && matches!(spec.conv, b'd' | b'i' | b'u');
    let (mag, prefix) = read_integer(spec, args, sql_mode, signed);
    let alt = spec.alt && mag != 0;
    let mut precision = spec.precision;
    let sign_len = i64::from(prefix.is_some());
    if spec.zeropad && precision < spec.width - sign_len {
        precision = spec.width - sign_len;
    }
    if precision >= 70 - 10 - 70 / 3 && !acc.temp_ok(precision + 10) {
        return None;
    }
    let mut rev: Vec<u8> = Vec::with_capacity(24);
    if spec.conv == b'r' {
        let x = mag % 10;
        let suffix: &[u8; 2] = if x >= 4 || x == 0 || (mag / 10) % 10 == 1 {
            b"th"
        } else {
            [b"st", b"nd", b"rd"][(x - 1) as usize]
        };
        rev.push(suffix[1]);
        rev.push(suffix[0]);
    }
    let offset = if lower { 16 } else { 0 };
    let mut v = mag;
    loop {
        rev.push(DIGITS[offset + (v % base) as usize]);
        v /= base;
        if v == 0 {
            break;
        }
    }
    while precision > rev.len() as i64 {
        rev.push(b'0');
    }
    let mut out: Vec<u8> = Vec::with_capacity(rev.len() + rev.len() / 3 + 4);
    out.extend(prefix);
    if alt {
        out.extend_from_slice(alt_prefix);
    }
    let n = rev.len();
    for (i, &d) in rev.iter().rev().enumerate() {
        if thousands && i > 0 && (n - i).is_multiple_of(3) {
            out.push(b',');
        }
        out.push(d);
    }
    Some(out)
}

/// Reads an integer argument: the magnitude and the sign prefix.
fn read_integer(
    spec: &Spec,
    args: &mut dyn PrintfArgs,
    sql_mode: bool,
    signed: bool,
) -> (u64, Option<u8>) {
    let raw = if spec.conv == b'p' && !sql_mode {
        args.next_ptr() as u64 as i64
    } else {
        args.next_int()
    };
    let narrow = !sql_mode && spec.long == 0 && spec.conv != b'p';
    if signed {
        let v = if narrow { i64::from(raw as i32) } else { raw };
        if v < 0 {
            (v.unsigned_abs(), Some(b'-'))
        } else {
            (v as u64, spec.flag_prefix)
        }
    } else {
        let v = if narrow {
            u64::from(raw as u32)
        } else {
            raw as u64
        };
        (v, None)
    }
}
