//! MD5 (RFC 1321), written here so the sqllogictest runner needs no crate.
//!
//! SQLite counterpart: the md5 code in sqllogictest's driver, which hashes
//! long query results as `N values hashing to <md5>`.
//!
//! Invariants:
//! 1. `md5_hex` returns the 32 lowercase hex digits of the digest.
//! 2. Input is processed in 64-byte blocks; the padding is one 0x80 byte,
//!    zeros, and the bit length as a little-endian u64 (MD5 is
//!    little-endian by definition, unlike SQLite's file format).

/// Per-round left-rotation amounts.
const SHIFTS: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// The sine-derived constants: floor(abs(sin(i + 1)) * 2^32).
fn constants() -> [u32; 64] {
    let mut k = [0u32; 64];
    for (i, slot) in k.iter_mut().enumerate() {
        *slot = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
    }
    k
}

/// An incremental MD5 computation.
pub struct Md5 {
    state: [u32; 4],
    buf: Vec<u8>,
    len: u64,
    k: [u32; 64],
}

impl Default for Md5 {
    fn default() -> Self {
        Md5 {
            state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476],
            buf: Vec::with_capacity(64),
            len: 0,
            k: constants(),
        }
    }
}

impl Md5 {
    /// Feeds `data` into the digest.
    pub fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        self.buf.extend_from_slice(data);
        let full = self.buf.len() / 64 * 64;
        if full == 0 {
            return;
        }
        let blocks: Vec<u8> = self.buf.drain(..full).collect();
        for block in blocks.chunks_exact(64) {
            self.block(block);
        }
    }

    /// Pads, finishes and returns the digest as lowercase hex.
    pub fn hex(mut self) -> String {
        let bits = self.len.wrapping_mul(8);
        let mut pad = vec![0x80u8];
        while (self.buf.len() + pad.len()) % 64 != 56 {
            pad.push(0);
        }
        #[allow(clippy::little_endian_bytes)]
        pad.extend_from_slice(&bits.to_le_bytes());
        let len = self.len;
        self.update(&pad);
        self.len = len;
        let mut out = String::with_capacity(32);
        for word in self.state {
            #[allow(clippy::little_endian_bytes)]
            for b in word.to_le_bytes() {
                out.push_str(&format!("{b:02x}"));
            }
        }
        out
    }

    fn block(&mut self, block: &[u8]) {
        let mut m = [0u32; 16];
        for (i, w) in m.iter_mut().enumerate() {
            let b = [
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ];
            #[allow(clippy::little_endian_bytes)]
            let v = u32::from_le_bytes(b);
            *w = v;
        }
        let [mut a, mut b, mut c, mut d] = self.state;
        #[allow(clippy::needless_range_loop)]
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(self.k[i])
                .wrapping_add(m[g])
                .rotate_left(SHIFTS[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        self.state[0] = self.state[0].wrapping_add(a);
        self.state[1] = self.state[1].wrapping_add(b);
        self.state[2] = self.state[2].wrapping_add(c);
        self.state[3] = self.state[3].wrapping_add(d);
    }
}

/// The MD5 of `data` as 32 lowercase hex digits.
pub fn md5_hex(data: &[u8]) -> String {
    let mut h = Md5::default();
    h.update(data);
    h.hex()
}

#[cfg(test)]
mod tests {
    use super::md5_hex;

    #[test]
    fn rfc1321_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }
}
