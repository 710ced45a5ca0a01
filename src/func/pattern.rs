//! LIKE and GLOB pattern matching.
//!
//! SQLite counterpart: `patternCompare`, `likeFunc`, `sqlite3_strglob`,
//! `sqlite3_strlike` (func.c).
//!
//! Invariants:
//! 1. Pattern and text end at their first NUL byte (C strings): the
//!    character reader returns 0 for a NUL exactly as at the end, so no
//!    slice is cut first.
//! 2. LIKE: `%` any sequence, `_` one character, case folding for ASCII
//!    letters only unless case-sensitive; an ESCAPE character makes the next
//!    pattern character literal. An ESCAPE equal to `%` or `_` disables that
//!    wildcard.
//! 3. GLOB: `*`, `?`, `[...]` sets with ranges and `^` negation, a leading
//!    `]` literal inside a set; always case-sensitive.
//! 4. Characters are decoded with SQLite's lenient UTF-8 reader.
//! 5. The matcher returns SQLite's three-way outcome so that a failed
//!    wildcard search stops the whole match early (no exponential blowup).

use super::context::{FuncContext, FuncError};
use super::core::arg;
use super::text::{skip_char, utf8_read};
use crate::record::{value_to_text, Value, ValueRef};
use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Match,
    NoMatch,
    NoWildcardMatch,
}

#[derive(Clone, Copy)]
struct Info {
    match_all: u32,
    match_one: u32,
    match_set: u32,
    no_case: bool,
}

/// Reads the character at `s[*i]` (0 at the end).
#[inline]
fn read(s: &[u8], i: &mut usize) -> u32 {
    match s.get(*i) {
        None => 0,
        Some(&b) if b < 0x80 => {
            *i += 1;
            u32::from(b)
        }
        Some(_) => utf8_read(s, i),
    }
}

fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

#[inline]
fn lower(c: u32) -> u32 {
    if c.wrapping_sub(u32::from(b'A')) < 26 {
        c + 32
    } else {
        c
    }
}

#[inline]
fn upper(c: u32) -> u32 {
    if c.wrapping_sub(u32::from(b'a')) < 26 {
        c - 32
    } else {
        c
    }
}

/// After a `*`/`%`: the rest of the pattern starts at `p`.
fn after_match_all(
    pat: &[u8],
    mut p: usize,
    s: &[u8],
    mut si: usize,
    info: &Info,
    other: u32,
) -> Outcome {
    let mut c;
    loop {
        c = read(pat, &mut p);
        if c == info.match_all && c != 0 {
            continue;
        }
        if c == info.match_one && info.match_one != 0 {
            if read(s, &mut si) == 0 {
                return Outcome::NoWildcardMatch;
            }
            continue;
        }
        break;
    }
    if c == 0 {
        return Outcome::Match;
    }
    if c == other && other != 0 {
        if info.match_set == 0 {
            c = read(pat, &mut p);
            if c == 0 {
                return Outcome::NoWildcardMatch;
            }
        } else {
            // A set right after `*`: try every position.
            while at(s, si) != 0 {
                let r = compare(pat, p - 1, s, si, info, other);
                if r != Outcome::NoMatch {
                    return r;
                }
                si = skip_char(s, si);
            }
            return Outcome::NoWildcardMatch;
        }
    }
    if c < 0x80 {
        return scan_ascii(pat, p, s, si, info, other, c);
    }
    loop {
        let start = si;
        let c2 = read(s, &mut si);
        if c2 == 0 {
            return Outcome::NoWildcardMatch;
        }
        if c2 == c {
            let r = compare(pat, p, s, si, info, other);
            if r != Outcome::NoMatch {
                return r;
            }
        }
        debug_assert!(si > start);
    }
}

/// After a `*`/`%` followed by the ASCII character `c`: tries the rest of
/// the pattern after each occurrence of `c` (either case for LIKE) in the
/// text, scanning bytes (a byte below 0x80 is always a whole character).
fn scan_ascii(
    pat: &[u8],
    p: usize,
    s: &[u8],
    mut si: usize,
    info: &Info,
    other: u32,
    c: u32,
) -> Outcome {
    // c < 0x80 here, so the casts keep it exact.
    let (a, b) = if info.no_case {
        (lower(c) as u8, upper(c) as u8)
    } else {
        (c as u8, c as u8)
    };
    loop {
        let rest = s.get(si..).unwrap_or(&[]);
        let Some(off) = rest.iter().position(|&x| x == a || x == b || x == 0) else {
            return Outcome::NoWildcardMatch;
        };
        if rest.get(off).copied().unwrap_or(0) == 0 {
            return Outcome::NoWildcardMatch;
        }
        si += off + 1;
        let r = compare(pat, p, s, si, info, other);
        if r != Outcome::NoMatch {
            return r;
        }
    }
}

/// A `[...]` set matched against the next text character.
fn match_set(pat: &[u8], p: &mut usize, s: &[u8], si: &mut usize) -> bool {
    let c = read(s, si);
    if c == 0 {
        return false;
    }
    let mut seen = false;
    let mut invert = false;
    let mut prior = 0u32;
    let mut c2 = read(pat, p);
    if c2 == u32::from(b'^') {
        invert = true;
        c2 = read(pat, p);
    }
    if c2 == u32::from(b']') {
        seen = c == u32::from(b']');
        c2 = read(pat, p);
    }
    while c2 != 0 && c2 != u32::from(b']') {
        let next = at(pat, *p);
        if c2 == u32::from(b'-') && next != b']' && next != 0 && prior > 0 {
            c2 = read(pat, p);
            if c >= prior && c <= c2 {
                seen = true;
            }
            prior = 0;
        } else {
            if c == c2 {
                seen = true;
            }
            prior = c2;
        }
        c2 = read(pat, p);
    }
    c2 != 0 && seen != invert
}

fn compare(pat: &[u8], mut p: usize, s: &[u8], mut si: usize, info: &Info, other: u32) -> Outcome {
    let mut escaped_at: Option<usize> = None;
    loop {
        let mut c = read(pat, &mut p);
        if c == 0 {
            break;
        }
        if c == info.match_all {
            return after_match_all(pat, p, s, si, info, other);
        }
        if c == other && other != 0 {
            if info.match_set == 0 {
                c = read(pat, &mut p);
                if c == 0 {
                    return Outcome::NoMatch;
                }
                escaped_at = Some(p);
            } else {
                if !match_set(pat, &mut p, s, &mut si) {
                    return Outcome::NoMatch;
                }
                continue;
            }
        }
        let c2 = read(s, &mut si);
        if c == c2 {
            continue;
        }
        if info.no_case && c < 0x80 && c2 < 0x80 && lower(c) == lower(c2) {
            continue;
        }
        if c == info.match_one && info.match_one != 0 && escaped_at != Some(p) && c2 != 0 {
            continue;
        }
        return Outcome::NoMatch;
    }
    if at(s, si) == 0 {
        Outcome::Match
    } else {
        Outcome::NoMatch
    }
}

fn until_nul(s: &[u8]) -> &[u8] {
    &s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())]
}

/// LIKE: does `text` match `pattern`? (`sqlite3_strlike` with the result
/// inverted to a bool.)
pub fn like_match(pattern: &[u8], text: &[u8], escape: Option<u32>, case_sensitive: bool) -> bool {
    let mut info = Info {
        match_all: u32::from(b'%'),
        match_one: u32::from(b'_'),
        match_set: 0,
        no_case: !case_sensitive,
    };
    let esc = escape.unwrap_or(0);
    if esc != 0 && esc == info.match_all {
        info.match_all = 0;
    }
    if esc != 0 && esc == info.match_one {
        info.match_one = 0;
    }
    compare(pattern, 0, text, 0, &info, esc) == Outcome::Match
}

/// GLOB: does `text` match `pattern`? (`sqlite3_strglob` as a bool.)
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let info = Info {
        match_all: u32::from(b'*'),
        match_one: u32::from(b'?'),
        match_set: u32::from(b'['),
        no_case: false,
    };
    compare(
        pattern,
        0,
        text,
        0,
        &info,
        u32::from(b'['),
    ) == Outcome::Match
}

/// The TEXT of an argument, borrowed when it already is text or a blob
/// (no copy per row on a scan).
fn text_of<'a>(v: &ValueRef<'a>) -> Cow<'a, [u8]> {
    match *v {
        ValueRef::Text(t) | ValueRef::Blob(t) => Cow::Borrowed(t),
        ref other => Cow::Owned(value_to_text(other)),
    }
}

fn check_pattern_len(ctx: &FuncContext, pat: &ValueRef) -> Result<(), FuncError> {
    let n = match pat {
        ValueRef::Null => 0,
        v => text_of(v).len(),
    };
    if n > ctx.env.like_pattern_limit() {
        return Err(FuncError::msg("LIKE or GLOB pattern too complex"));
    }
    Ok(())
}

/// `like(PATTERN, TEXT)`, `like(PATTERN, TEXT, ESCAPE)` (`X LIKE Y` calls
/// `like(Y, X)`).
pub(crate) fn like(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let (pat, txt) = (arg(args, 0), arg(args, 1));
    // Debian builds SQLite with SQLITE_LIKE_DOESNT_MATCH_BLOBS: checked first.
    if is_blob(&pat) || is_blob(&txt) {
        return Ok(Value::Integer(0));
    }
    check_pattern_len(ctx, &pat)?;
    let mut escape = None;
    if args.len() == 3 {
        let e = arg(args, 2);
        if e.is_null() {
            return Ok(Value::Null);
        }
        let e = value_to_text(&e);
        let e = until_nul(&e);
        if e.is_empty() || skip_char(e, 0) != e.len() {
            return Err(FuncError::msg(
                "ESCAPE expression must be a single character",
            ));
        }
        let mut i = 0;
        escape = Some(utf8_read(e, &mut i));
    }
    if pat.is_null() || txt.is_null() {
        return Ok(Value::Null);
    }
    let hit = like_match(
        &text_of(&pat),
        &text_of(&txt),
        escape,
        ctx.env.case_sensitive_like(),
    );
    Ok(Value::Integer(i64::from(hit)))
}

fn is_blob(v: &ValueRef) -> bool {
    matches!(v, ValueRef::Blob(_))
}

/// `glob(PATTERN, TEXT)` (`X GLOB Y` calls `glob(Y, X)`).
pub(crate) fn glob(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let (pat, txt) = (arg(args, 0), arg(args, 1));
    if is_blob(&pat) || is_blob(&txt) {
        return Ok(Value::Integer(0));
    }
    check_pattern_len(ctx, &pat)?;
    if pat.is_null() || txt.is_null() {
        return Ok(Value::Null);
    }
    let hit = glob_match(&text_of(&pat), &text_of(&txt));
    Ok(Value::Integer(i64::from(hit)))
}
