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
//! 1. UTF-8 → UTF-16 → UTF-8 is the identity for valid UTF-8, and
//!    UTF-16 → UTF-8 → UTF-16 is the identity for every even-length byte
//!    string (unpaired surrogates travel as their 3-byte forms), so a
//!    BLOB cast to TEXT and back keeps its bytes as in SQLite. Invalid
//!    UTF-8 is read leniently as SQLite's translator reads it.
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

/// Reads one character of (possibly invalid) UTF-8 at `s[*i]` leniently,
/// as SQLite's translator does: a lead byte swallows every following
/// continuation byte; overlong forms read as U+FFFD. Surrogate code
/// points, U+FFFE and U+FFFF are kept (invariant 1: lossless round trips;
/// text from SQL literals, bindings and function results has already been
/// through [`translated_result`]).
fn read_utf8(s: &[u8], i: &mut usize) -> u32 {
    match decode_utf8_lenient(s, i) {
        (c, true) if c < 0x80 => 0xfffd,
        (c, _) => c,
    }
}

/// Decodes one character of (possibly invalid) UTF-8 at `s[*i]` without
/// judging it: a lead byte swallows every following continuation byte.
/// Returns the code point and whether it began with a multi-byte lead
/// (so the caller can apply its own replacement rule); 0 at the end.
pub fn decode_utf8_lenient(s: &[u8], i: &mut usize) -> (u32, bool) {
    let Some(&lead) = s.get(*i) else {
        return (0, false);
    };
    *i += 1;
    let c = u32::from(lead);
    if lead < 0xc0 {
        return (c, false);
    }
    let mut c = match lead {
        0xc0..=0xdf => c & 0x1f,
        0xe0..=0xef => c & 0x0f,
        0xf0..=0xf7 => c & 0x07,
        0xf8..=0xfb => c & 0x03,
        0xfc..=0xfd => c & 0x01,
        _ => 0,
    };
    while let Some(&b) = s.get(*i) {
        if b & 0xc0 != 0x80 {
            break;
        }
        c = (c << 6).wrapping_add(u32::from(b & 0x3f));
        *i += 1;
    }
    (c, true)
}

/// Appends code point `c` (any value below 2^21, surrogates included) in
/// UTF-8 without validity checks (as SQLite writes it).
pub(crate) fn push_utf8(out: &mut Vec<u8>, c: u32) {
    if c < 0x80 {
        out.push(c as u8);
    } else if c < 0x800 {
        out.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]);
    } else if c < 0x10000 {
        out.extend_from_slice(&[
            0xe0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xf0 | ((c >> 18) & 0x07) as u8,
            0x80 | ((c >> 12) & 0x3f) as u8,
            0x80 | ((c >> 6) & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    }
}

fn push_unit(out: &mut Vec<u8>, u: u16, enc: TextEncoding) {
    if enc == TextEncoding::Utf16be {
        out.extend_from_slice(&u.to_be_bytes());
    } else {
        out.extend_from_slice(&[(u & 0xff) as u8, (u >> 8) as u8]);
    }
}

/// Converts UTF-8 text (possibly invalid) to `enc` (SQLite's
/// `sqlite3VdbeMemTranslate` from UTF-8; code points above U+FFFF become
/// surrogate pairs, a surrogate code point becomes that single unit).
pub fn encode_text(utf8: &[u8], enc: TextEncoding) -> Vec<u8> {
    if enc.is_utf8() {
        return utf8.to_vec();
    }
    let mut out = Vec::with_capacity(utf8.len() * 2);
    let mut i = 0;
    while i < utf8.len() {
        let c = read_utf8(utf8, &mut i);
        if c <= 0xffff {
            push_unit(&mut out, c as u16, enc);
        } else {
            let v = c.wrapping_sub(0x10000);
            push_unit(&mut out, 0xd800 | ((v >> 10) & 0x3ff) as u16, enc);
            push_unit(&mut out, 0xdc00 | (v & 0x3ff) as u16, enc);
        }
    }
    out
}

/// Converts text stored in `enc` to UTF-8: an odd trailing byte is
/// dropped; a surrogate pair becomes its code point and an unpaired
/// surrogate its own 3-byte form, so [`encode_text`] restores the exact
/// bytes (how a BLOB cast to TEXT keeps its bytes in SQLite).
pub fn decode_text(bytes: &[u8], enc: TextEncoding) -> Vec<u8> {
    if enc.is_utf8() {
        return bytes.to_vec();
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| match enc {
            TextEncoding::Utf16be => u16::from_be_bytes([c[0], c[1]]),
            _ => u16::from(c[0]) | (u16::from(c[1]) << 8),
        })
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 2);
    let mut i = 0;
    while let Some(&u) = units.get(i) {
        i += 1;
        let mut c = u32::from(u);
        if (0xd800..0xdc00).contains(&u) {
            if let Some(&lo) = units.get(i).filter(|&&l| (0xdc00..0xe000).contains(&l)) {
                c = 0x10000 + ((c - 0xd800) << 10) + (u32::from(lo) - 0xdc00);
                i += 1;
            }
        }
        push_utf8(&mut out, c);
    }
    out
}

/// UTF-8 `text` as it reads after a trip through `enc` the way SQLite
/// translates a function's UTF-8 result to UTF-16 and back: every
/// multi-byte character that is not a valid scalar for UTF-16 (overlong
/// forms, surrogate code points — which [`decode_text`] produces for
/// unpaired surrogates — and the non-characters U+FFFE and U+FFFF)
/// becomes U+FFFD; stray bytes become the code points of their values.
/// The reverse direction (UTF-16 to UTF-8) keeps U+FFFE/U+FFFF. None when
/// nothing changes.
pub fn translated_result(text: &[u8], enc: TextEncoding) -> Option<Vec<u8>> {
    if enc.is_utf8() || !needs_translation(text) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let c = read_utf8(text, &mut i);
        let c = if (0xd800..0xe000).contains(&c) || c & 0xffff_fffe == 0xfffe {
            0xfffd
        } else {
            c
        };
        if c <= 0xffff {
            push_utf8(&mut out, c);
        } else {
            // A trip through a surrogate pair keeps the low 20 bits only.
            push_utf8(&mut out, 0x10000 + ((c - 0x10000) & 0xf_ffff));
        }
    }
    (out != text).then_some(out)
}

/// True unless `text` is valid UTF-8 without U+FFFE/U+FFFF (the common
/// case, which a trip through UTF-16 leaves as is).
fn needs_translation(text: &[u8]) -> bool {
    std::str::from_utf8(text).map_or(true, |s| s.contains(['\u{fffe}', '\u{ffff}']))
}

/// The bytes of `a || b` when both are held in `enc` (OP_Concat on
/// encoded operands), read back as UTF-8 text: an odd total length loses
/// its last byte, as SQLite's concatenation of UTF-16 values does.
pub fn concat_encoded(mut a: Vec<u8>, b: &[u8], enc: TextEncoding) -> Vec<u8> {
    a.extend_from_slice(b);
    if !enc.is_utf8() && a.len() % 2 == 1 {
        a.pop();
    }
    decode_text(&a, enc)
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
            [0xED, 0xA0, 0x80]
        );
        for raw in [
            &[0x00u8, 0xD8][..],
            &[0x00, 0xDC, 0x41, 0x00],
            &[0x00, 0xD8, 0x41, 0x00],
        ] {
            let t = decode_text(raw, TextEncoding::Utf16le);
            assert_eq!(encode_text(&t, TextEncoding::Utf16le), raw);
        }
        assert_eq!(
            decode_text(&[0x41, 0x00, 0x42], TextEncoding::Utf16le),
            b"A"
        );
        assert_eq!(
            concat_encoded(vec![0x41], &[0x62, 0x00], TextEncoding::Utf16le),
            "\u{6241}".as_bytes()
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
