//! Collating sequences: the trait and SQLite's three built-ins.
//!
//! SQLite counterpart: `binCollFunc`, `nocaseCollatingFunc`, the RTRIM
//! collation (main.c) and `sqlite3StrICmp` (util.c).
//!
//! Invariants:
//! 1. BINARY is `memcmp` then length; NOCASE folds ASCII `A-Z` only, as
//!    SQLite; RTRIM ignores trailing spaces (0x20 only) and is otherwise
//!    BINARY.
//! 2. A collation is a total order consistent with equality of its keys.

use std::cmp::Ordering;

/// A collating sequence for TEXT comparison (SQLite's `CollSeq`).
pub trait Collation: Send + Sync + std::fmt::Debug {
    /// The name used in `COLLATE name`.
    fn name(&self) -> &str;
    /// Orders two text values (raw bytes, UTF-8 expected).
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering;
    /// True only for BINARY (byte order), so comparisons can skip the
    /// dynamic call.
    fn is_binary(&self) -> bool {
        false
    }
}

/// The BINARY collation: byte-wise comparison.
#[derive(Debug, Clone, Copy, Default)]
pub struct Binary;

/// The NOCASE collation: ASCII case-insensitive.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCase;

/// The RTRIM collation: BINARY ignoring trailing spaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rtrim;

impl Collation for Binary {
    fn name(&self) -> &str {
        "BINARY"
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        a.cmp(b)
    }
    fn is_binary(&self) -> bool {
        true
    }
}

impl Collation for NoCase {
    fn name(&self) -> &str {
        "NOCASE"
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        let fa = a.iter().map(|c| c.to_ascii_lowercase());
        let fb = b.iter().map(|c| c.to_ascii_lowercase());
        fa.cmp(fb)
    }
}

impl Collation for Rtrim {
    fn name(&self) -> &str {
        "RTRIM"
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        rtrim_spaces(a).cmp(rtrim_spaces(b))
    }
}

fn rtrim_spaces(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&c| c != b' ').map_or(0, |p| p + 1);
    s.get(..end).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins() {
        assert_eq!(Binary.compare(b"a", b"B"), Ordering::Greater);
        assert_eq!(Binary.compare(b"ab", b"abc"), Ordering::Less);
        assert_eq!(NoCase.compare(b"a", b"B"), Ordering::Less);
        assert_eq!(NoCase.compare(b"ABC", b"abc"), Ordering::Equal);
        assert_eq!(NoCase.compare(b"abc", b"ab"), Ordering::Greater);
        // Non-ASCII is not folded.
        assert_ne!(
            NoCase.compare("É".as_bytes(), "é".as_bytes()),
            Ordering::Equal
        );
        // '_' (0x5f) sorts before 'A' once 'A'..'Z' fold to lower case (0x61..).
        assert_eq!(NoCase.compare(b"_", b"A"), Ordering::Less);
        assert_eq!(Rtrim.compare(b"abc  ", b"abc"), Ordering::Equal);
        assert_eq!(Rtrim.compare(b"abc \t", b"abc"), Ordering::Greater);
        assert_eq!(Rtrim.compare(b"   ", b""), Ordering::Equal);
        assert_eq!(Binary.name(), "BINARY");
    }
}
