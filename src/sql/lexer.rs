//! The SQL tokenizer: splits SQL text into [`Token`]s.
//!
//! SQLite counterpart: tokenize.c (`sqlite3GetToken`, `sqlite3IsIdChar`).
//!
//! Invariants:
//! 1. [`next_token`] never reads past the end of its input and always
//!    returns a length of at least 1 for non-empty input (no infinite loop).
//! 2. The input ends at its last byte or at the first NUL byte, whichever
//!    comes first (SQLite stops reading at a NUL terminator).
//! 3. Malformed literals are one [`TokenKind::Illegal`] token spanning the
//!    text SQLite quotes in `unrecognized token: "..."`:
//!    unterminated quotes run to the end of input; `X'...'` with odd length
//!    or non-hex digits runs to its closing quote; a number glued to
//!    identifier characters (`123abc`, `1e`, `0x`) includes those characters.
//! 4. Identifier characters are ASCII letters, digits, `_`, `$` and every
//!    byte >= 0x80 (so UTF-8 names are identifiers).

use super::token::{Keyword, TokenKind};

/// Byte class bit: may appear inside an identifier.
const ID_CHAR: u8 = 1;
/// Byte class bit: may start a bare identifier.
const ID_START: u8 = 2;
/// Byte class bit: whitespace.
const SPACE: u8 = 4;

/// The class bits of every byte value (invariant 4), computed at compile time.
static CLASS: [u8; 256] = byte_classes();

const fn byte_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0usize;
    while c < 256 {
        let b = c as u8;
        let alpha = b.is_ascii_alphabetic() || b == b'_' || b >= 0x80;
        if alpha {
            t[c] |= ID_START | ID_CHAR;
        }
        if b.is_ascii_digit() || b == b'$' {
            t[c] |= ID_CHAR;
        }
        if matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r') {
            t[c] |= SPACE;
        }
        c += 1;
    }
    t
}

/// True if `c` may appear inside an identifier.
#[inline]
pub fn is_id_char(c: u8) -> bool {
    CLASS[c as usize] & ID_CHAR != 0
}

/// True if `c` may start a bare identifier.
#[inline]
fn is_id_start(c: u8) -> bool {
    CLASS[c as usize] & ID_START != 0
}

/// SQLite's whitespace: space, tab, newline, form feed, carriage return.
#[inline]
pub fn is_space(c: u8) -> bool {
    CLASS[c as usize] & SPACE != 0
}

fn at(z: &[u8], i: usize) -> u8 {
    z.get(i).copied().unwrap_or(0)
}

/// Reads the token that starts at `z[pos]`; `None` at the end of input.
/// Returns the token's kind and its length in bytes.
pub fn next_token(z: &[u8], pos: usize) -> Option<(TokenKind, usize)> {
    let c = at(z, pos);
    if c == 0 {
        return None;
    }
    let rest = z.get(pos..).unwrap_or(&[]);
    Some(scan(rest, c))
}

fn scan(z: &[u8], c: u8) -> (TokenKind, usize) {
    use TokenKind as T;
    let c1 = at(z, 1);
    match c {
        _ if is_space(c) => (
            T::Space,
            1 + z.iter().skip(1).take_while(|&&b| is_space(b)).count(),
        ),
        b'-' if c1 == b'-' => (T::Space, line_comment_len(z)),
        b'-' if c1 == b'>' => (T::Ptr, if at(z, 2) == b'>' { 3 } else { 2 }),
        b'-' => (T::Minus, 1),
        b'(' => (T::LParen, 1),
        b')' => (T::RParen, 1),
        b';' => (T::Semi, 1),
        b'+' => (T::Plus, 1),
        b'*' => (T::Star, 1),
        b'/' if c1 == b'*' => (T::Space, block_comment_len(z)),
        b'/' => (T::Slash, 1),
        b'%' => (T::Rem, 1),
        b'=' => (T::Eq, if c1 == b'=' { 2 } else { 1 }),
        b'<' => match c1 {
            b'=' => (T::Le, 2),
            b'>' => (T::Ne, 2),
            b'<' => (T::LShift, 2),
            _ => (T::Lt, 1),
        },
        b'>' => match c1 {
            b'=' => (T::Ge, 2),
            b'>' => (T::RShift, 2),
            _ => (T::Gt, 1),
        },
        b'!' if c1 == b'=' => (T::Ne, 2),
        b'!' => (T::Illegal, 1),
        b'|' if c1 == b'|' => (T::Concat, 2),
        b'|' => (T::BitOr, 1),
        b',' => (T::Comma, 1),
        b'&' => (T::BitAnd, 1),
        b'~' => (T::BitNot, 1),
        b'\'' | b'"' | b'`' => quoted(z, c),
        b'.' if c1.is_ascii_digit() => number(z),
        b'.' => (T::Dot, 1),
        b'0'..=b'9' => number(z),
        b'[' => match z.iter().position(|&b| b == b']') {
            Some(i) => (T::Id, i + 1),
            None => (T::Illegal, z.len()),
        },
        b'?' => (
            T::Variable,
            1 + z.iter().skip(1).take_while(|b| b.is_ascii_digit()).count(),
        ),
        b'$' | b'@' | b':' | b'#' => named_variable(z),
        b'x' | b'X' if c1 == b'\'' => blob(z),
        _ if is_id_start(c) => word(z),
        _ => (T::Illegal, 1),
    }
}

fn line_comment_len(z: &[u8]) -> usize {
    match z.iter().position(|&b| b == b'\n' || b == 0) {
        Some(i) if at(z, i) == b'\n' => i + 1,
        Some(i) => i,
        None => z.len(),
    }
}

fn block_comment_len(z: &[u8]) -> usize {
    let mut i = 2;
    while i < z.len() && at(z, i) != 0 {
        if at(z, i) == b'*' && at(z, i + 1) == b'/' {
            return i + 2;
        }
        i += 1;
    }
    i
}

/// `'...'`, `"..."` or `` `...` ``, with the delimiter doubled to escape it.
fn quoted(z: &[u8], delim: u8) -> (TokenKind, usize) {
    let mut i = 1;
    loop {
        let c = at(z, i);
        if c == 0 {
            return (TokenKind::Illegal, i);
        }
        if c == delim {
            if at(z, i + 1) == delim {
                i += 2;
                continue;
            }
            let kind = if delim == b'\'' {
                TokenKind::String
            } else {
                TokenKind::Id
            };
            return (kind, i + 1);
        }
        i += 1;
    }
}

fn number(z: &[u8]) -> (TokenKind, usize) {
    let digits = |i: usize| i + z.iter().skip(i).take_while(|b| b.is_ascii_digit()).count();
    let mut kind = TokenKind::Integer;
    let mut i;
    if at(z, 0) == b'0' && matches!(at(z, 1), b'x' | b'X') && at(z, 2).is_ascii_hexdigit() {
        i = 3 + z
            .iter()
            .skip(3)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
    } else {
        i = digits(0);
        if at(z, i) == b'.' {
            kind = TokenKind::Float;
            i = digits(i + 1);
        }
        let e1 = at(z, i + 1);
        if matches!(at(z, i), b'e' | b'E')
            && (e1.is_ascii_digit() || (matches!(e1, b'+' | b'-') && at(z, i + 2).is_ascii_digit()))
        {
            kind = TokenKind::Float;
            i = digits(i + 2);
        }
    }
    if is_id_char(at(z, i)) {
        kind = TokenKind::Illegal;
        while is_id_char(at(z, i)) {
            i += 1;
        }
    }
    (kind, i)
}

/// `$name`, `@name`, `:name`, `#name`; `$` names may carry TCL-style
/// `::` separators and a `(...)` suffix.
fn named_variable(z: &[u8]) -> (TokenKind, usize) {
    let mut kind = TokenKind::Variable;
    let mut n = 0usize;
    let mut i = 1;
    loop {
        let c = at(z, i);
        if c == 0 {
            break;
        }
        if is_id_char(c) {
            n += 1;
        } else if c == b'(' && n > 0 {
            loop {
                i += 1;
                let d = at(z, i);
                if d == 0 || is_space(d) || d == b')' {
                    break;
                }
            }
            if at(z, i) == b')' {
                i += 1;
            } else {
                kind = TokenKind::Illegal;
            }
            break;
        } else if c == b':' && at(z, i + 1) == b':' {
            i += 1;
        } else {
            break;
        }
        i += 1;
    }
    if n == 0 {
        kind = TokenKind::Illegal;
    }
    (kind, i)
}

fn blob(z: &[u8]) -> (TokenKind, usize) {
    let mut i = 2;
    while at(z, i).is_ascii_hexdigit() {
        i += 1;
    }
    let mut kind = TokenKind::Blob;
    if at(z, i) != b'\'' || i % 2 != 0 {
        kind = TokenKind::Illegal;
        while at(z, i) != 0 && at(z, i) != b'\'' {
            i += 1;
        }
    }
    if at(z, i) != 0 {
        i += 1;
    }
    (kind, i)
}

fn word(z: &[u8]) -> (TokenKind, usize) {
    let n = z.iter().take_while(|&&b| is_id_char(b)).count();
    let text = z.get(..n).unwrap_or(&[]);
    match Keyword::lookup(text) {
        Some(k) => (TokenKind::Keyword(k), n),
        None => (TokenKind::Id, n),
    }
}

/// Removes SQL quoting from an identifier or string token's text:
/// `'a''b'` → `a'b`, `"x""y"` → `x"y`, `[a b]` → `a b`, `` `q` `` → `q`.
/// Text that does not start with a quote is returned unchanged. As in
/// SQLite's `sqlite3Dequote`, anything after the closing quote is dropped.
pub fn dequote(text: &str) -> String {
    let mut chars = text.chars();
    let close = match chars.next() {
        Some('\'') => '\'',
        Some('"') => '"',
        Some('`') => '`',
        Some('[') => ']',
        _ => return text.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = chars.peekable();
    while let Some(c) = rest.next() {
        if c == close {
            if rest.peek() == Some(&close) {
                rest.next();
                out.push(c);
                continue;
            }
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind as T;

    fn toks(sql: &str) -> Vec<(TokenKind, &str)> {
        let z = sql.as_bytes();
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((k, n)) = next_token(z, pos) {
            assert!(n > 0);
            if k != T::Space {
                out.push((k, &sql[pos..pos + n]));
            }
            pos += n;
        }
        out
    }

    #[test]
    fn operators() {
        let got: Vec<TokenKind> =
            toks("|| -> ->> == != <> <= >= << >> = < > & | ~ % / * + - . , ; ( )")
                .into_iter()
                .map(|t| t.0)
                .collect();
        use TokenKind::*;
        assert_eq!(
            got,
            vec![
                Concat, Ptr, Ptr, Eq, Ne, Ne, Le, Ge, LShift, RShift, Eq, Lt, Gt, BitAnd, BitOr,
                BitNot, Rem, Slash, Star, Plus, Minus, Dot, Comma, Semi, LParen, RParen
            ]
        );
    }

    #[test]
    fn numbers() {
        for (s, k) in [
            ("1", T::Integer),
            ("0x1F", T::Integer),
            ("1.", T::Float),
            (".5", T::Float),
            ("1e10", T::Float),
            ("1.5E-3", T::Float),
            ("1e+3", T::Float),
            ("123abc", T::Illegal),
            ("1e", T::Illegal),
            ("0x", T::Illegal),
            ("0xfg", T::Illegal),
        ] {
            assert_eq!(toks(s), vec![(k, s)], "{s}");
        }
        assert_eq!(toks("1.e5"), vec![(T::Float, "1.e5")]);
        assert_eq!(
            toks("1-2"),
            vec![(T::Integer, "1"), (T::Minus, "-"), (T::Integer, "2")]
        );
    }

    #[test]
    fn strings_ids_blobs() {
        assert_eq!(toks("'it''s'"), vec![(T::String, "'it''s'")]);
        assert_eq!(
            toks("\"a\"\"b\" [x y] `c`"),
            vec![(T::Id, "\"a\"\"b\""), (T::Id, "[x y]"), (T::Id, "`c`")]
        );
        assert_eq!(toks("'abc"), vec![(T::Illegal, "'abc")]);
        assert_eq!(toks("[abc"), vec![(T::Illegal, "[abc")]);
        assert_eq!(toks("x'AbCd'"), vec![(T::Blob, "x'AbCd'")]);
        assert_eq!(toks("X''"), vec![(T::Blob, "X''")]);
        assert_eq!(
            toks("x'abc' 1"),
            vec![(T::Illegal, "x'abc'"), (T::Integer, "1")]
        );
        assert_eq!(toks("x'zz'"), vec![(T::Illegal, "x'zz'")]);
        assert_eq!(toks("xyz"), vec![(T::Id, "xyz")]);
        assert_eq!(toks("héllo"), vec![(T::Id, "héllo")]);
        assert_eq!(
            toks("SeLeCt"),
            vec![(T::Keyword(Keyword::Select), "SeLeCt")]
        );
    }

    #[test]
    fn variables() {
        assert_eq!(
            toks("? ?12 :a @b $c"),
            vec![
                (T::Variable, "?"),
                (T::Variable, "?12"),
                (T::Variable, ":a"),
                (T::Variable, "@b"),
                (T::Variable, "$c")
            ]
        );
        assert_eq!(toks("$a::b(c)"), vec![(T::Variable, "$a::b(c)")]);
        assert_eq!(
            toks("$a::b(c d)"),
            vec![(T::Illegal, "$a::b(c"), (T::Id, "d"), (T::RParen, ")")]
        );
        assert_eq!(toks("@"), vec![(T::Illegal, "@")]);
        assert_eq!(toks("#1"), vec![(T::Variable, "#1")]);
    }

    #[test]
    fn comments_and_illegal() {
        assert_eq!(
            toks("a -- c\nb /* x */ c /* open"),
            vec![(T::Id, "a"), (T::Id, "b"), (T::Id, "c")]
        );
        assert_eq!(toks("! ^"), vec![(T::Illegal, "!"), (T::Illegal, "^")]);
        assert_eq!(toks("a\0b"), vec![(T::Id, "a")]);
    }

    #[test]
    fn dequoting() {
        assert_eq!(dequote("'a''b'"), "a'b");
        assert_eq!(dequote("\"x\"\"y\""), "x\"y");
        assert_eq!(dequote("[a b]"), "a b");
        assert_eq!(dequote("`q`"), "q");
        assert_eq!(dequote("plain"), "plain");
        assert_eq!(dequote("'foo bar' (10)"), "foo bar");
    }
}
