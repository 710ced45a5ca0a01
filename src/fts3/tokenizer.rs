//! The "simple" tokenizer of FTS3/FTS4.
//!
//! SQLite counterpart: fts3_tokenizer1.c (behaviour as fts3.html §8
//! describes it; no code taken from it).
//!
//! Invariants:
//! 1. A token is a maximal run of eligible bytes: ASCII letters and digits
//!    and every byte >= 0x80 (so a multi-byte UTF-8 character is never
//!    split). Every other byte separates tokens.
//! 2. ASCII upper-case letters are folded to lower case; other bytes are
//!    kept as they are.
//! 3. Positions count tokens from 0 within one column value; byte offsets
//!    are those of the original text.

/// One token of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The folded token bytes.
    pub text: Vec<u8>,
    /// Token number within the value (invariant 3).
    pub pos: u32,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset just past the last byte in the input.
    pub end: usize,
}

fn eligible(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Splits `text` into tokens (module invariants).
pub fn tokenize(text: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !text.get(i).copied().is_some_and(eligible) {
            i += 1;
            continue;
        }
        let start = i;
        while text.get(i).copied().is_some_and(eligible) {
            i += 1;
        }
        let word = text.get(start..i).unwrap_or_default();
        out.push(Token {
            text: word.iter().map(u8::to_ascii_lowercase).collect(),
            pos: u32::try_from(out.len()).unwrap_or(u32::MAX),
            start,
            end: i,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_folds() {
        let t = tokenize("Hello, WORLD-x1 é!".as_bytes());
        let words: Vec<&[u8]> = t.iter().map(|t| t.text.as_slice()).collect();
        assert_eq!(words, vec![&b"hello"[..], b"world", b"x1", "é".as_bytes()]);
        assert_eq!((t[1].pos, t[1].start, t[1].end), (1, 7, 12));
        assert!(tokenize(b"  ,;").is_empty());
    }
}
