//! Text scalar functions: length, case, trimming, substrings, searching,
//! replacing, and code points.
//!
//! SQLite counterpart: func.c (`lengthFunc`, `upperFunc`, `lowerFunc`,
//! `trimFunc`, `substrFunc`, `replaceFunc`, `instrFunc`, `charFunc`,
//! `unicodeFunc`) and utf.c (`sqlite3Utf8Read`).
//!
//! Invariants:
//! 1. Characters are UTF-8 characters counted the lenient SQLite way: a
//!    byte of at least 0xc0 starts a character that swallows the following
//!    continuation bytes (0x80..0xbf); invalid text is never rejected.
//! 2. TEXT character scans stop at the first NUL byte, as SQLite's do;
//!    BLOBs are counted and sliced in bytes.
//! 3. Case mapping is ASCII only (SQLite without ICU).
//! 4. `substr` positions and lengths are read as C `int`s (32-bit
//!    truncation), exactly as `sqlite3_value_int`.
//! 5. A BLOB read as text (case mapping, trimming, replace, instr with a
//!    TEXT operand, unicode) is decoded from the database encoding.

use super::context::{FuncContext, FuncError};
use super::core::{arg, check_len, text_of};
use crate::record::{push_utf8, value_to_i64, value_to_text, Value, ValueRef};

/// The index just after the character starting at `i`.
pub(crate) fn skip_char(s: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if s.get(i).is_some_and(|&b| b >= 0xc0) {
        while s.get(j).is_some_and(|&b| b & 0xc0 == 0x80) {
            j += 1;
        }
    }
    j
}

/// The bytes before the first NUL.
fn until_nul(s: &[u8]) -> &[u8] {
    &s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())]
}

/// Number of characters before the first NUL.
pub(crate) fn char_count(s: &[u8]) -> usize {
    let s = until_nul(s);
    let mut i = 0;
    let mut n = 0;
    while i < s.len() {
        i = skip_char(s, i);
        n += 1;
    }
    n
}

/// `length(X)`.
pub(crate) fn length(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let n = match arg(args, 0) {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Blob(b) => b.len(),
        ValueRef::Text(t) => char_count(t),
        v => value_to_text(&v).len(),
    };
    Ok(Value::Integer(n as i64))
}

fn map_case(ctx: &FuncContext, args: &[ValueRef], upper: bool) -> Value {
    match arg(args, 0) {
        ValueRef::Null => Value::Null,
        v => {
            let mut t = text_of(ctx, &v);
            if upper {
                t.make_ascii_uppercase();
            } else {
                t.make_ascii_lowercase();
            }
            Value::Text(t)
        }
    }
}

/// `lower(X)`.
pub(crate) fn lower(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(map_case(ctx, args, false))
}

/// `upper(X)`.
pub(crate) fn upper(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(map_case(ctx, args, true))
}

/// Shared body of ltrim/rtrim/trim: `left`/`right` select the ends.
fn trim_impl(ctx: &FuncContext, args: &[ValueRef], left: bool, right: bool) -> Value {
    let x = arg(args, 0);
    if x.is_null() {
        return Value::Null;
    }
    let input = text_of(ctx, &x);
    let set: Vec<Vec<u8>> = if args.len() < 2 {
        vec![b" ".to_vec()]
    } else {
        match arg(args, 1) {
            ValueRef::Null => return Value::Null,
            v => {
                let cs = text_of(ctx, &v);
                let cs = until_nul(&cs);
                let mut chars = Vec::new();
                let mut i = 0;
                while i < cs.len() {
                    let j = skip_char(cs, i);
                    chars.push(cs[i..j].to_vec());
                    i = j;
                }
                chars
            }
        }
    };
    let mut s: &[u8] = &input;
    if !set.is_empty() {
        if left {
            while let Some(c) = set.iter().find(|c| s.starts_with(c)) {
                s = &s[c.len()..];
            }
        }
        if right {
            while let Some(c) = set.iter().find(|c| s.ends_with(c)) {
                s = &s[..s.len() - c.len()];
            }
        }
    }
    Value::Text(s.to_vec())
}

/// `ltrim(X)`, `ltrim(X, Y)`.
pub(crate) fn ltrim(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(trim_impl(ctx, args, true, false))
}

/// `rtrim(X)`, `rtrim(X, Y)`.
pub(crate) fn rtrim(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(trim_impl(ctx, args, false, true))
}

/// `trim(X)`, `trim(X, Y)`.
pub(crate) fn trim(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(trim_impl(ctx, args, true, true))
}

/// Converts SQL's 1-based (possibly negative) start and signed length into
/// a 0-based start and a count, given the length in characters or bytes.
fn substr_range(mut p1: i64, p2: Option<i64>, len: i64, limit: i64) -> (i64, i64) {
    let (mut p2, neg) = match p2 {
        Some(p) if p < 0 => (-p, true),
        Some(p) => (p, false),
        None => (limit, false),
    };
    if p1 < 0 {
        p1 += len;
        if p1 < 0 {
            p2 = (p2 + p1).max(0);
            p1 = 0;
        }
    } else if p1 > 0 {
        p1 -= 1;
    } else if p2 > 0 {
        p2 -= 1;
    }
    if neg {
        p1 -= p2;
        if p1 < 0 {
            p2 += p1;
            p1 = 0;
        }
    }
    (p1, p2)
}

/// `substr(X, Y)`, `substr(X, Y, Z)` (also `substring`).
pub(crate) fn substr(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    if arg(args, 1).is_null() || (args.len() == 3 && arg(args, 2).is_null()) {
        return Ok(Value::Null);
    }
    let p1 = i64::from(value_to_i64(&arg(args, 1)) as i32);
    let p2 = (args.len() == 3).then(|| i64::from(value_to_i64(&arg(args, 2)) as i32));
    let limit = i64::try_from(ctx.env.max_length()).unwrap_or(i64::MAX);
    match arg(args, 0) {
        ValueRef::Null => Ok(Value::Null),
        // A zero-length blob reads as a NULL pointer in SQLite: NULL result.
        ValueRef::Blob([]) => Ok(Value::Null),
        ValueRef::Blob(b) => {
            let len = b.len() as i64;
            let (start, mut count) = substr_range(p1, p2, len, limit);
            if start + count > len {
                count = (len - start).max(0);
            }
            let start = start.min(len) as usize;
            Ok(Value::Blob(b[start..start + count as usize].to_vec()))
        }
        v => {
            let text = value_to_text(&v);
            let t = until_nul(&text);
            let len = if p1 < 0 { char_count(t) as i64 } else { 0 };
            let (mut skip, mut take) = substr_range(p1, p2, len, limit);
            let mut i = 0;
            while i < t.len() && skip > 0 {
                i = skip_char(t, i);
                skip -= 1;
            }
            let mut j = i;
            while j < t.len() && take > 0 {
                j = skip_char(t, j);
                take -= 1;
            }
            Ok(Value::Text(t[i..j.min(t.len())].to_vec()))
        }
    }
}

/// `replace(X, Y, Z)`.
pub(crate) fn replace(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    let (y, z) = (arg(args, 1), arg(args, 2));
    if x.is_null() || y.is_null() {
        return Ok(Value::Null);
    }
    let pattern = text_of(ctx, &y);
    if pattern.first().copied().unwrap_or(0) == 0 {
        // X is returned as is, except that reading its text already turned
        // a BLOB into TEXT.
        return Ok(match x {
            ValueRef::Blob(_) => Value::Text(text_of(ctx, &x)),
            other => other.to_owned(),
        });
    }
    if z.is_null() {
        return Ok(Value::Null);
    }
    let s = text_of(ctx, &x);
    let rep = text_of(ctx, &z);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(&pattern) {
            out.extend_from_slice(&rep);
            check_len(ctx, out.len())?;
            i += pattern.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(Value::Text(out))
}

/// `instr(X, Y)`: 1-based character (bytes for two blobs) position of the
/// first Y in X, 0 if none.
pub(crate) fn instr(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let (x, y) = (arg(args, 0), arg(args, 1));
    if x.is_null() || y.is_null() {
        return Ok(Value::Null);
    }
    let is_text = !(matches!(x, ValueRef::Blob(_)) && matches!(y, ValueRef::Blob(_)));
    if value_to_text(&y).is_empty() {
        return Ok(Value::Integer(1));
    }
    let (hay, needle) = if is_text {
        (text_of(ctx, &x), text_of(ctx, &y))
    } else {
        (value_to_text(&x), value_to_text(&y))
    };
    if needle.is_empty() {
        // A non-empty BLOB needle read as empty text (an odd byte in a
        // UTF-16 database) matches at the haystack's terminating NUL.
        return Ok(Value::Integer(char_count(&hay) as i64 + 1));
    }
    let mut n = 1i64;
    let mut i = 0usize;
    loop {
        if needle.len() > hay.len() - i {
            return Ok(Value::Integer(0));
        }
        if hay[i..].starts_with(&needle) {
            return Ok(Value::Integer(n));
        }
        n += 1;
        i += 1;
        while is_text && i < hay.len() && hay[i] & 0xc0 == 0x80 {
            i += 1;
        }
    }
}

/// `char(X1, X2, ...)`: the characters with these code points.
pub(crate) fn char(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let mut out = Vec::with_capacity(args.len() * 4);
    for a in args {
        let x = value_to_i64(a);
        let c = if (0..=0x10ffff).contains(&x) {
            x as u32
        } else {
            0xfffd
        };
        push_utf8(&mut out, c);
    }
    Ok(Value::Text(out))
}

/// Reads one character at `s[*i]` as `sqlite3Utf8Read` does.
pub(crate) fn utf8_read(s: &[u8], i: &mut usize) -> u32 {
    match crate::record::decode_utf8_lenient(s, i) {
        (c, true) if c < 0x80 || c & 0xffff_f800 == 0xd800 || c & 0xffff_fffe == 0xfffe => 0xfffd,
        (c, _) => c,
    }
}

/// `unicode(X)`: the code point of X's first character.
pub(crate) fn unicode(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    if x.is_null() {
        return Ok(Value::Null);
    }
    let t = text_of(ctx, &x);
    if t.first().copied().unwrap_or(0) == 0 {
        return Ok(Value::Null);
    }
    let mut i = 0;
    Ok(Value::Integer(i64::from(utf8_read(&t, &mut i))))
}
