//! SQLite's variable-length integers.
//!
//! SQLite counterpart: `sqlite3GetVarint`, `sqlite3PutVarint` and
//! `sqlite3VarintLen` in util.c.
//!
//! Byte layout (big-endian, 1 to 9 bytes):
//!
//! | bytes | bits of value | encoding |
//! |---|---|---|
//! | 1–8 | 7 per byte | high bit of each byte set when another byte follows |
//! | 9 | 8 | the ninth byte contributes all eight bits |
//!
//! Invariants:
//! 1. `put_varint` writes exactly `varint_len(v)` bytes, the shortest form.
//! 2. `get_varint` reads at most 9 bytes and never reads past `buf`.
//! 3. Values above `0x00ff_ffff_ffff_ffff` (56 bits) always take 9 bytes.

/// Decodes the varint at the start of `buf`: `(value, bytes consumed)`, or
/// `None` when `buf` ends before the varint does.
#[inline(always)]
pub fn get_varint(buf: &[u8]) -> Option<(u64, usize)> {
    // Fast paths: one- and two-byte varints are by far the most common
    // (cell sizes, serial types, small rowids).
    match *buf {
        [a, ..] if a < 0x80 => return Some((u64::from(a), 1)),
        [a, b, ..] if b < 0x80 => return Some(((u64::from(a & 0x7f) << 7) | u64::from(b), 2)),
        _ => {}
    }
    get_varint_long(buf)
}

/// The general case of [`get_varint`].
#[inline(never)]
fn get_varint_long(buf: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..8 {
        let b = *buf.get(i)?;
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    let b = *buf.get(8)?;
    Some(((v << 8) | u64::from(b), 9))
}

/// Decodes a varint that must fit in 32 bits (SQLite's `getVarint32`):
/// larger values are clamped to `u32::MAX`.
pub fn get_varint32(buf: &[u8]) -> Option<(u32, usize)> {
    get_varint(buf).map(|(v, n)| (u32::try_from(v).unwrap_or(u32::MAX), n))
}

/// Number of bytes `put_varint` uses for `v`.
pub fn varint_len(v: u64) -> usize {
    if v > 0x00ff_ffff_ffff_ffff {
        return 9;
    }
    let bits = 64 - v.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Appends the varint encoding of `v` to `out`; returns its length.
pub fn put_varint(out: &mut Vec<u8>, v: u64) -> usize {
    if v < 0x80 {
        out.push(v as u8);
        return 1;
    }
    let mut buf = [0u8; 9];
    let n = write_varint(&mut buf, v);
    out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
    n
}

/// Writes the varint encoding of `v` at the start of `buf` (which must have
/// room for `varint_len(v)` bytes, at most 9); returns its length.
pub fn write_varint(buf: &mut [u8; 9], v: u64) -> usize {
    if v > 0x00ff_ffff_ffff_ffff {
        buf[8] = v as u8;
        let mut w = v >> 8;
        for i in (0..8).rev() {
            buf[i] = (w as u8 & 0x7f) | 0x80;
            w >>= 7;
        }
        return 9;
    }
    let n = varint_len(v);
    let mut w = v;
    for i in (0..n).rev() {
        let cont = if i == n - 1 { 0 } else { 0x80 };
        buf[i] = (w as u8 & 0x7f) | cont;
        w >>= 7;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(v: u64, len: usize) {
        let mut out = Vec::new();
        assert_eq!(put_varint(&mut out, v), len, "len of {v}");
        assert_eq!(out.len(), len);
        assert_eq!(varint_len(v), len);
        assert_eq!(get_varint(&out), Some((v, len)), "value {v}");
        // Truncation is detected.
        assert_eq!(get_varint(&out[..len - 1]), None);
    }

    #[test]
    fn edge_values() {
        roundtrip(0, 1);
        roundtrip(127, 1);
        roundtrip(128, 2);
        roundtrip(240, 2);
        roundtrip(2287, 2);
        roundtrip(16383, 2);
        roundtrip(16384, 3);
        roundtrip(67823, 3);
        roundtrip((1 << 56) - 1, 8);
        roundtrip(1 << 56, 9);
        roundtrip(u64::MAX, 9);
        roundtrip(i64::MAX as u64, 9);
    }

    #[test]
    fn known_encodings() {
        let mut out = Vec::new();
        put_varint(&mut out, 0x81);
        assert_eq!(out, [0x81, 0x01]);
        out.clear();
        put_varint(&mut out, u64::MAX);
        assert_eq!(out, [0xff; 9]);
        out.clear();
        put_varint(&mut out, 1 << 56);
        assert_eq!(out, [0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    }

    #[test]
    fn every_power_of_two_roundtrips() {
        for s in 0..64 {
            for d in [0u64, 1] {
                let v = (1u64 << s).wrapping_sub(d);
                let mut out = Vec::new();
                let n = put_varint(&mut out, v);
                assert_eq!(get_varint(&out), Some((v, n)));
            }
        }
    }

    #[test]
    fn varint32_clamps() {
        let mut out = Vec::new();
        put_varint(&mut out, 1 << 40);
        assert_eq!(get_varint32(&out).map(|x| x.0), Some(u32::MAX));
        assert_eq!(get_varint32(&[]), None);
    }
}
