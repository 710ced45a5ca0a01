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
    compare(pattern, 0, text, 0, &info, u32::from(b'[')) == Outcome::Match
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, text, LIKE, GLOB with `%`->`*` and `_`->`?`), results
    /// taken from SQLite 3.40.1 (texts with NUL were bound with their
    /// length).
    const CASES: &[(&[u8], &[u8], bool, bool)] = &[
        (b"%bako%", b"bakoshi", true, true),
        (b"%bako%", b"xBAKOx", true, false),
        (b"%bako%", b"zuzu", false, false),
        (b"%bako%", b"Zu", false, false),
        (b"%bako%", b"shi ki", false, false),
        (b"%bako%", b"oxo", false, false),
        (b"%bako%", b"abc", false, false),
        (b"%bako%", b"a", false, false),
        (b"%bako%", b"", false, false),
        (b"%bako%", b"aXc", false, false),
        (b"%bako%", b"abcd", false, false),
        (b"%bako%", b"caf\xc3\xa9", false, false),
        (b"%bako%", b"CAF\xc3\x89", false, false),
        (b"%bako%", b"abXXcdYYef", false, false),
        (b"%bako%", b"xx", false, false),
        (b"%bako%", b"a\x00c", false, false),
        (b"%bako%", b"yxyzz", false, false),
        (b"%bako%", b"xayaz", false, false),
        (b"%bako%", b"ab", false, false),
        (b"zu%", b"bakoshi", false, false),
        (b"zu%", b"xBAKOx", false, false),
        (b"zu%", b"zuzu", true, true),
        (b"zu%", b"Zu", true, false),
        (b"zu%", b"shi ki", false, false),
        (b"zu%", b"oxo", false, false),
        (b"zu%", b"abc", false, false),
        (b"zu%", b"a", false, false),
        (b"zu%", b"", false, false),
        (b"zu%", b"aXc", false, false),
        (b"zu%", b"abcd", false, false),
        (b"zu%", b"caf\xc3\xa9", false, false),
        (b"zu%", b"CAF\xc3\x89", false, false),
        (b"zu%", b"abXXcdYYef", false, false),
        (b"zu%", b"xx", false, false),
        (b"zu%", b"a\x00c", false, false),
        (b"zu%", b"yxyzz", false, false),
        (b"zu%", b"xayaz", false, false),
        (b"zu%", b"ab", false, false),
        (b"%shi ki%", b"bakoshi", false, false),
        (b"%shi ki%", b"xBAKOx", false, false),
        (b"%shi ki%", b"zuzu", false, false),
        (b"%shi ki%", b"Zu", false, false),
        (b"%shi ki%", b"shi ki", true, true),
        (b"%shi ki%", b"oxo", false, false),
        (b"%shi ki%", b"abc", false, false),
        (b"%shi ki%", b"a", false, false),
        (b"%shi ki%", b"", false, false),
        (b"%shi ki%", b"aXc", false, false),
        (b"%shi ki%", b"abcd", false, false),
        (b"%shi ki%", b"caf\xc3\xa9", false, false),
        (b"%shi ki%", b"CAF\xc3\x89", false, false),
        (b"%shi ki%", b"abXXcdYYef", false, false),
        (b"%shi ki%", b"xx", false, false),
        (b"%shi ki%", b"a\x00c", false, false),
        (b"%shi ki%", b"yxyzz", false, false),
        (b"%shi ki%", b"xayaz", false, false),
        (b"%shi ki%", b"ab", false, false),
        (b"%XO%", b"bakoshi", false, false),
        (b"%XO%", b"xBAKOx", false, false),
        (b"%XO%", b"zuzu", false, false),
        (b"%XO%", b"Zu", false, false),
        (b"%XO%", b"shi ki", false, false),
        (b"%XO%", b"oxo", true, false),
        (b"%XO%", b"abc", false, false),
        (b"%XO%", b"a", false, false),
        (b"%XO%", b"", false, false),
        (b"%XO%", b"aXc", false, false),
        (b"%XO%", b"abcd", false, false),
        (b"%XO%", b"caf\xc3\xa9", false, false),
        (b"%XO%", b"CAF\xc3\x89", false, false),
        (b"%XO%", b"abXXcdYYef", false, false),
        (b"%XO%", b"xx", false, false),
        (b"%XO%", b"a\x00c", false, false),
        (b"%XO%", b"yxyzz", false, false),
        (b"%XO%", b"xayaz", false, false),
        (b"%XO%", b"ab", false, false),
        (b"a%", b"bakoshi", false, false),
        (b"a%", b"xBAKOx", false, false),
        (b"a%", b"zuzu", false, false),
        (b"a%", b"Zu", false, false),
        (b"a%", b"shi ki", false, false),
        (b"a%", b"oxo", false, false),
        (b"a%", b"abc", true, true),
        (b"a%", b"a", true, true),
        (b"a%", b"", false, false),
        (b"a%", b"aXc", true, true),
        (b"a%", b"abcd", true, true),
        (b"a%", b"caf\xc3\xa9", false, false),
        (b"a%", b"CAF\xc3\x89", false, false),
        (b"a%", b"abXXcdYYef", true, true),
        (b"a%", b"xx", false, false),
        (b"a%", b"a\x00c", true, true),
        (b"a%", b"yxyzz", false, false),
        (b"a%", b"xayaz", false, false),
        (b"a%", b"ab", true, true),
        (b"%a", b"bakoshi", false, false),
        (b"%a", b"xBAKOx", false, false),
        (b"%a", b"zuzu", false, false),
        (b"%a", b"Zu", false, false),
        (b"%a", b"shi ki", false, false),
        (b"%a", b"oxo", false, false),
        (b"%a", b"abc", false, false),
        (b"%a", b"a", true, true),
        (b"%a", b"", false, false),
        (b"%a", b"aXc", false, false),
        (b"%a", b"abcd", false, false),
        (b"%a", b"caf\xc3\xa9", false, false),
        (b"%a", b"CAF\xc3\x89", false, false),
        (b"%a", b"abXXcdYYef", false, false),
        (b"%a", b"xx", false, false),
        (b"%a", b"a\x00c", true, true),
        (b"%a", b"yxyzz", false, false),
        (b"%a", b"xayaz", false, false),
        (b"%a", b"ab", false, false),
        (b"%", b"bakoshi", true, true),
        (b"%", b"xBAKOx", true, true),
        (b"%", b"zuzu", true, true),
        (b"%", b"Zu", true, true),
        (b"%", b"shi ki", true, true),
        (b"%", b"oxo", true, true),
        (b"%", b"abc", true, true),
        (b"%", b"a", true, true),
        (b"%", b"", true, true),
        (b"%", b"aXc", true, true),
        (b"%", b"abcd", true, true),
        (b"%", b"caf\xc3\xa9", true, true),
        (b"%", b"CAF\xc3\x89", true, true),
        (b"%", b"abXXcdYYef", true, true),
        (b"%", b"xx", true, true),
        (b"%", b"a\x00c", true, true),
        (b"%", b"yxyzz", true, true),
        (b"%", b"xayaz", true, true),
        (b"%", b"ab", true, true),
        (b"_", b"bakoshi", false, false),
        (b"_", b"xBAKOx", false, false),
        (b"_", b"zuzu", false, false),
        (b"_", b"Zu", false, false),
        (b"_", b"shi ki", false, false),
        (b"_", b"oxo", false, false),
        (b"_", b"abc", false, false),
        (b"_", b"a", true, true),
        (b"_", b"", false, false),
        (b"_", b"aXc", false, false),
        (b"_", b"abcd", false, false),
        (b"_", b"caf\xc3\xa9", false, false),
        (b"_", b"CAF\xc3\x89", false, false),
        (b"_", b"abXXcdYYef", false, false),
        (b"_", b"xx", false, false),
        (b"_", b"a\x00c", true, true),
        (b"_", b"yxyzz", false, false),
        (b"_", b"xayaz", false, false),
        (b"_", b"ab", false, false),
        (b"a_c", b"bakoshi", false, false),
        (b"a_c", b"xBAKOx", false, false),
        (b"a_c", b"zuzu", false, false),
        (b"a_c", b"Zu", false, false),
        (b"a_c", b"shi ki", false, false),
        (b"a_c", b"oxo", false, false),
        (b"a_c", b"abc", true, true),
        (b"a_c", b"a", false, false),
        (b"a_c", b"", false, false),
        (b"a_c", b"aXc", true, true),
        (b"a_c", b"abcd", false, false),
        (b"a_c", b"caf\xc3\xa9", false, false),
        (b"a_c", b"CAF\xc3\x89", false, false),
        (b"a_c", b"abXXcdYYef", false, false),
        (b"a_c", b"xx", false, false),
        (b"a_c", b"a\x00c", false, false),
        (b"a_c", b"yxyzz", false, false),
        (b"a_c", b"xayaz", false, false),
        (b"a_c", b"ab", false, false),
        (b"%b_k%", b"bakoshi", true, true),
        (b"%b_k%", b"xBAKOx", true, false),
        (b"%b_k%", b"zuzu", false, false),
        (b"%b_k%", b"Zu", false, false),
        (b"%b_k%", b"shi ki", false, false),
        (b"%b_k%", b"oxo", false, false),
        (b"%b_k%", b"abc", false, false),
        (b"%b_k%", b"a", false, false),
        (b"%b_k%", b"", false, false),
        (b"%b_k%", b"aXc", false, false),
        (b"%b_k%", b"abcd", false, false),
        (b"%b_k%", b"caf\xc3\xa9", false, false),
        (b"%b_k%", b"CAF\xc3\x89", false, false),
        (b"%b_k%", b"abXXcdYYef", false, false),
        (b"%b_k%", b"xx", false, false),
        (b"%b_k%", b"a\x00c", false, false),
        (b"%b_k%", b"yxyzz", false, false),
        (b"%b_k%", b"xayaz", false, false),
        (b"%b_k%", b"ab", false, false),
        (b"%\xc3\xa9%", b"bakoshi", false, false),
        (b"%\xc3\xa9%", b"xBAKOx", false, false),
        (b"%\xc3\xa9%", b"zuzu", false, false),
        (b"%\xc3\xa9%", b"Zu", false, false),
        (b"%\xc3\xa9%", b"shi ki", false, false),
        (b"%\xc3\xa9%", b"oxo", false, false),
        (b"%\xc3\xa9%", b"abc", false, false),
        (b"%\xc3\xa9%", b"a", false, false),
        (b"%\xc3\xa9%", b"", false, false),
        (b"%\xc3\xa9%", b"aXc", false, false),
        (b"%\xc3\xa9%", b"abcd", false, false),
        (b"%\xc3\xa9%", b"caf\xc3\xa9", true, true),
        (b"%\xc3\xa9%", b"CAF\xc3\x89", false, false),
        (b"%\xc3\xa9%", b"abXXcdYYef", false, false),
        (b"%\xc3\xa9%", b"xx", false, false),
        (b"%\xc3\xa9%", b"a\x00c", false, false),
        (b"%\xc3\xa9%", b"yxyzz", false, false),
        (b"%\xc3\xa9%", b"xayaz", false, false),
        (b"%\xc3\xa9%", b"ab", false, false),
        (b"%\xc3\x89%", b"bakoshi", false, false),
        (b"%\xc3\x89%", b"xBAKOx", false, false),
        (b"%\xc3\x89%", b"zuzu", false, false),
        (b"%\xc3\x89%", b"Zu", false, false),
        (b"%\xc3\x89%", b"shi ki", false, false),
        (b"%\xc3\x89%", b"oxo", false, false),
        (b"%\xc3\x89%", b"abc", false, false),
        (b"%\xc3\x89%", b"a", false, false),
        (b"%\xc3\x89%", b"", false, false),
        (b"%\xc3\x89%", b"aXc", false, false),
        (b"%\xc3\x89%", b"abcd", false, false),
        (b"%\xc3\x89%", b"caf\xc3\xa9", false, false),
        (b"%\xc3\x89%", b"CAF\xc3\x89", true, true),
        (b"%\xc3\x89%", b"abXXcdYYef", false, false),
        (b"%\xc3\x89%", b"xx", false, false),
        (b"%\xc3\x89%", b"a\x00c", false, false),
        (b"%\xc3\x89%", b"yxyzz", false, false),
        (b"%\xc3\x89%", b"xayaz", false, false),
        (b"%\xc3\x89%", b"ab", false, false),
        (b"ab%cd%ef", b"bakoshi", false, false),
        (b"ab%cd%ef", b"xBAKOx", false, false),
        (b"ab%cd%ef", b"zuzu", false, false),
        (b"ab%cd%ef", b"Zu", false, false),
        (b"ab%cd%ef", b"shi ki", false, false),
        (b"ab%cd%ef", b"oxo", false, false),
        (b"ab%cd%ef", b"abc", false, false),
        (b"ab%cd%ef", b"a", false, false),
        (b"ab%cd%ef", b"", false, false),
        (b"ab%cd%ef", b"aXc", false, false),
        (b"ab%cd%ef", b"abcd", false, false),
        (b"ab%cd%ef", b"caf\xc3\xa9", false, false),
        (b"ab%cd%ef", b"CAF\xc3\x89", false, false),
        (b"ab%cd%ef", b"abXXcdYYef", true, true),
        (b"ab%cd%ef", b"xx", false, false),
        (b"ab%cd%ef", b"a\x00c", false, false),
        (b"ab%cd%ef", b"yxyzz", false, false),
        (b"ab%cd%ef", b"xayaz", false, false),
        (b"ab%cd%ef", b"ab", false, false),
        (b"%%x", b"bakoshi", false, false),
        (b"%%x", b"xBAKOx", true, true),
        (b"%%x", b"zuzu", false, false),
        (b"%%x", b"Zu", false, false),
        (b"%%x", b"shi ki", false, false),
        (b"%%x", b"oxo", false, false),
        (b"%%x", b"abc", false, false),
        (b"%%x", b"a", false, false),
        (b"%%x", b"", false, false),
        (b"%%x", b"aXc", false, false),
        (b"%%x", b"abcd", false, false),
        (b"%%x", b"caf\xc3\xa9", false, false),
        (b"%%x", b"CAF\xc3\x89", false, false),
        (b"%%x", b"abXXcdYYef", false, false),
        (b"%%x", b"xx", true, true),
        (b"%%x", b"a\x00c", false, false),
        (b"%%x", b"yxyzz", false, false),
        (b"%%x", b"xayaz", false, false),
        (b"%%x", b"ab", false, false),
        (b"a\x00b", b"bakoshi", false, false),
        (b"a\x00b", b"xBAKOx", false, false),
        (b"a\x00b", b"zuzu", false, false),
        (b"a\x00b", b"Zu", false, false),
        (b"a\x00b", b"shi ki", false, false),
        (b"a\x00b", b"oxo", false, false),
        (b"a\x00b", b"abc", false, false),
        (b"a\x00b", b"a", true, true),
        (b"a\x00b", b"", false, false),
        (b"a\x00b", b"aXc", false, false),
        (b"a\x00b", b"abcd", false, false),
        (b"a\x00b", b"caf\xc3\xa9", false, false),
        (b"a\x00b", b"CAF\xc3\x89", false, false),
        (b"a\x00b", b"abXXcdYYef", false, false),
        (b"a\x00b", b"xx", false, false),
        (b"a\x00b", b"a\x00c", true, true),
        (b"a\x00b", b"yxyzz", false, false),
        (b"a\x00b", b"xayaz", false, false),
        (b"a\x00b", b"ab", false, false),
        (b"%\x00%", b"bakoshi", true, true),
        (b"%\x00%", b"xBAKOx", true, true),
        (b"%\x00%", b"zuzu", true, true),
        (b"%\x00%", b"Zu", true, true),
        (b"%\x00%", b"shi ki", true, true),
        (b"%\x00%", b"oxo", true, true),
        (b"%\x00%", b"abc", true, true),
        (b"%\x00%", b"a", true, true),
        (b"%\x00%", b"", true, true),
        (b"%\x00%", b"aXc", true, true),
        (b"%\x00%", b"abcd", true, true),
        (b"%\x00%", b"caf\xc3\xa9", true, true),
        (b"%\x00%", b"CAF\xc3\x89", true, true),
        (b"%\x00%", b"abXXcdYYef", true, true),
        (b"%\x00%", b"xx", true, true),
        (b"%\x00%", b"a\x00c", true, true),
        (b"%\x00%", b"yxyzz", true, true),
        (b"%\x00%", b"xayaz", true, true),
        (b"%\x00%", b"ab", true, true),
        (b"x%y%z", b"bakoshi", false, false),
        (b"x%y%z", b"xBAKOx", false, false),
        (b"x%y%z", b"zuzu", false, false),
        (b"x%y%z", b"Zu", false, false),
        (b"x%y%z", b"shi ki", false, false),
        (b"x%y%z", b"oxo", false, false),
        (b"x%y%z", b"abc", false, false),
        (b"x%y%z", b"a", false, false),
        (b"x%y%z", b"", false, false),
        (b"x%y%z", b"aXc", false, false),
        (b"x%y%z", b"abcd", false, false),
        (b"x%y%z", b"caf\xc3\xa9", false, false),
        (b"x%y%z", b"CAF\xc3\x89", false, false),
        (b"x%y%z", b"abXXcdYYef", false, false),
        (b"x%y%z", b"xx", false, false),
        (b"x%y%z", b"a\x00c", false, false),
        (b"x%y%z", b"yxyzz", false, false),
        (b"x%y%z", b"xayaz", true, true),
        (b"x%y%z", b"ab", false, false),
        (b"%ZZ", b"bakoshi", false, false),
        (b"%ZZ", b"xBAKOx", false, false),
        (b"%ZZ", b"zuzu", false, false),
        (b"%ZZ", b"Zu", false, false),
        (b"%ZZ", b"shi ki", false, false),
        (b"%ZZ", b"oxo", false, false),
        (b"%ZZ", b"abc", false, false),
        (b"%ZZ", b"a", false, false),
        (b"%ZZ", b"", false, false),
        (b"%ZZ", b"aXc", false, false),
        (b"%ZZ", b"abcd", false, false),
        (b"%ZZ", b"caf\xc3\xa9", false, false),
        (b"%ZZ", b"CAF\xc3\x89", false, false),
        (b"%ZZ", b"abXXcdYYef", false, false),
        (b"%ZZ", b"xx", false, false),
        (b"%ZZ", b"a\x00c", false, false),
        (b"%ZZ", b"yxyzz", true, false),
        (b"%ZZ", b"xayaz", false, false),
        (b"%ZZ", b"ab", false, false),
        (b"Ab", b"bakoshi", false, false),
        (b"Ab", b"xBAKOx", false, false),
        (b"Ab", b"zuzu", false, false),
        (b"Ab", b"Zu", false, false),
        (b"Ab", b"shi ki", false, false),
        (b"Ab", b"oxo", false, false),
        (b"Ab", b"abc", false, false),
        (b"Ab", b"a", false, false),
        (b"Ab", b"", false, false),
        (b"Ab", b"aXc", false, false),
        (b"Ab", b"abcd", false, false),
        (b"Ab", b"caf\xc3\xa9", false, false),
        (b"Ab", b"CAF\xc3\x89", false, false),
        (b"Ab", b"abXXcdYYef", false, false),
        (b"Ab", b"xx", false, false),
        (b"Ab", b"a\x00c", false, false),
        (b"Ab", b"yxyzz", false, false),
        (b"Ab", b"xayaz", false, false),
        (b"Ab", b"ab", true, false),
    ];

    fn glob_form(p: &[u8]) -> Vec<u8> {
        p.iter()
            .map(|&b| match b {
                b'%' => b'*',
                b'_' => b'?',
                o => o,
            })
            .collect()
    }

    #[test]
    fn like_and_glob_match_the_oracle() {
        let mut failed = 0;
        for &(pat, txt, like, glob) in CASES {
            if like_match(pat, txt, None, false) != like {
                failed += 1;
                eprintln!("LIKE {pat:?} {txt:?}: expected {like}");
            }
            if glob_match(&glob_form(pat), txt) != glob {
                failed += 1;
                eprintln!("GLOB {pat:?} {txt:?}: expected {glob}");
            }
        }
        eprintln!("{} passed, {failed} failed", CASES.len() * 2 - failed);
        assert_eq!(failed, 0);
    }
}
