//! Text encodings of a database file: UTF-8, UTF-16le, UTF-16be.
//!
//! SQLite counterpart: utf.c (`sqlite3VdbeMemTranslate`) and the per-
//! encoding collation lookup of callback.c / main.c.
//!
//! The encoding is fixed when the database is created (header offset 56:
//! 1 = UTF-8, 2 = UTF-16le, 3 = UTF-16be). Every TEXT value stored in a
//! record is in that encoding; loom's registers always hold UTF-8, so text
//! is converted where records are built (MakeRecord) and decoded (Column).
//!
//! Invariants:
//! 1. UTF-8 → UTF-16 → UTF-8 is the identity for valid UTF-8; invalid
//!    sequences become U+FFFD, as SQLite's translation does.
//! 2. In a UTF-16 database BINARY compares the encoded bytes with `memcmp`
//!    (so UTF-16le orders by little-endian bytes); every other collation
//!    (NOCASE, RTRIM, user collations — all UTF-8 collations in loom) sees
//!    both operands converted to UTF-8 first. [`KeyInfo::for_encoding`]
//!    builds the comparison rules for index keys stored in an encoding.

use std::cmp::Ordering;
use std::sync::Arc;

use super::collation::{Binary, Collation};
use super::compare::KeyInfo;
use super::value::{Value, ValueRef};

/// A database text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    #[default]
    Utf8,
    Utf16le,
    Utf16be,
}

impl TextEncoding {
    /// From the header value (offset 56); unknown values are None.
    pub fn from_header(v: u32) -> Option<TextEncoding> {
        match v {
            1 => Some(TextEncoding::Utf8),
            2 => Some(TextEncoding::Utf16le),
            3 => Some(TextEncoding::Utf16be),
            _ => None,
        }
    }

    /// The header value (offset 56).
    pub fn header_value(self) -> u32 {
        match self {
            TextEncoding::Utf8 => 1,
            TextEncoding::Utf16le => 2,
            TextEncoding::Utf16be => 3,
        }
    }

    /// The name `PRAGMA encoding` reports.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16le => "UTF-16le",
            TextEncoding::Utf16be => "UTF-16be",
        }
    }

    /// Parses a `PRAGMA encoding` argument (case-insensitive); "UTF-16"
    /// and "UTF16" mean the machine's byte order (little-endian here).
    pub fn parse(name: &str) -> Option<TextEncoding> {
        match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "utf-16le" | "utf16le" => Some(TextEncoding::Utf16le),
            "utf-16be" | "utf16be" => Some(TextEncoding::Utf16be),
            "utf-16" | "utf16" => Some(TextEncoding::Utf16le),
            _ => None,
        }
    }

    /// True for UTF-8.
    pub fn is_utf8(self) -> bool {
        self == TextEncoding::Utf8
    }
}

/// Converts UTF-8 text (possibly invalid) to `enc`.
pub fn encode_text(utf8: &[u8], enc: TextEncoding) -> Vec<u8> {
    if enc.is_utf8() {
        return utf8.to_vec();
    }
    let s = String::from_utf8_lossy(utf8);
    let mut out = Vec::with_capacity(utf8.len() * 2);
    for u in s.encode_utf16() {
        if enc == TextEncoding::Utf16be {
            out.extend_from_slice(&u.to_be_bytes());
        } else {
            out.extend_from_slice(&[(u & 0xff) as u8, (u >> 8) as u8]);
        }
    }
    out
}

/// Converts text stored in `enc` to UTF-8 (an odd trailing byte is
/// dropped; unpaired surrogates become U+FFFD).
pub fn decode_text(bytes: &[u8], enc: TextEncoding) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|c| match enc {
        TextEncoding::Utf16be => u16::from_be_bytes([c[0], c[1]]),
        _ => u16::from(c[0]) | (u16::from(c[1]) << 8),
    });
    match enc {
        TextEncoding::Utf8 => bytes.to_vec(),
        _ => char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
            .into_bytes(),
    }
}

/// `v` with its text converted from UTF-8 to `enc` (other types as is).
pub fn value_to_encoding(v: &ValueRef, enc: TextEncoding) -> Value {
    match v {
        ValueRef::Text(t) if !enc.is_utf8() => Value::Text(encode_text(t, enc)),
        other => other.to_owned(),
    }
}

/// BINARY for UTF-8 operands as a database in `enc` orders them: `memcmp`
/// of their `enc` encodings.
#[derive(Debug)]
struct EncodedBinary(TextEncoding);

impl Collation for EncodedBinary {
    fn name(&self) -> &str {
        "BINARY"
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        encode_text(a, self.0).cmp(&encode_text(b, self.0))
    }
}

/// The BINARY collation of a database in `enc`, for UTF-8 operands.
pub fn binary_in(enc: TextEncoding) -> Arc<dyn Collation> {
    if enc.is_utf8() {
        Arc::new(Binary)
    } else {
        Arc::new(EncodedBinary(enc))
    }
}

/// A UTF-8 collation applied to text stored in a UTF-16 encoding.
#[derive(Debug)]
struct Transcoded {
    inner: Arc<dyn Collation>,
    enc: TextEncoding,
}

impl Collation for Transcoded {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        self.inner
            .compare(&decode_text(a, self.enc), &decode_text(b, self.enc))
    }
}

impl KeyInfo {
    /// The comparison rules for keys whose text is stored in `enc`:
    /// BINARY stays `memcmp` on the stored bytes, other collations see
    /// UTF-8 (invariant 2).
    pub fn for_encoding(&self, enc: TextEncoding) -> KeyInfo {
        if enc.is_utf8() {
            return self.clone();
        }
        let collations = self
            .collations
            .iter()
            .map(|c| {
                if c.name().eq_ignore_ascii_case("BINARY") {
                    Arc::new(Binary) as Arc<dyn Collation>
                } else {
                    Arc::new(Transcoded {
                        inner: Arc::clone(c),
                        enc,
                    }) as Arc<dyn Collation>
                }
            })
            .collect();
        KeyInfo {
            collations,
            desc: self.desc.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::collation::NoCase;
    use super::*;

    #[test]
    fn round_trips_and_byte_orders() {
        let s = "aÄ€😀z".as_bytes();
        for enc in [TextEncoding::Utf16le, TextEncoding::Utf16be] {
            assert_eq!(decode_text(&encode_text(s, enc), enc), s);
        }
        assert_eq!(encode_text(b"A", TextEncoding::Utf16le), [0x41, 0]);
        assert_eq!(encode_text(b"A", TextEncoding::Utf16be), [0, 0x41]);
        // U+1F600 is the surrogate pair D83D DE00.
        assert_eq!(
            encode_text("😀".as_bytes(), TextEncoding::Utf16be),
            [0xD8, 0x3D, 0xDE, 0x00]
        );
        assert_eq!(
            decode_text(&[0x00, 0xD8], TextEncoding::Utf16le),
            "\u{FFFD}".as_bytes()
        );
        assert_eq!(TextEncoding::parse("utf-16BE"), Some(TextEncoding::Utf16be));
        assert_eq!(TextEncoding::from_header(2), Some(TextEncoding::Utf16le));
    }

    #[test]
    fn collations_on_encoded_text() {
        let ki = KeyInfo {
            collations: vec![Arc::new(NoCase), Arc::new(Binary)],
            desc: vec![false, false],
        }
        .for_encoding(TextEncoding::Utf16le);
        let a = encode_text(b"ABC", TextEncoding::Utf16le);
        let b = encode_text(b"abc", TextEncoding::Utf16le);
        assert_eq!(ki.collations[0].compare(&a, &b), Ordering::Equal);
        // BINARY on UTF-16le: U+0100 (00 01) sorts before 'a' (61 00).
        let x = encode_text("Ā".as_bytes(), TextEncoding::Utf16le);
        let y = encode_text(b"a", TextEncoding::Utf16le);
        assert_eq!(ki.collations[1].compare(&x, &y), Ordering::Less);
    }
}
