//! The WAL file format: header, frame headers and the checksum.
//!
//! SQLite counterpart: `walChecksumBytes`, `walEncodeFrame`,
//! `walDecodeFrame` and the header code of `walIndexRecover` /
//! `sqlite3WalFrames` in wal.c; fileformat2.html §4 "The Write-Ahead Log".
//!
//! WAL header (32 bytes, big-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 4 | magic 0x377f0682 (little-endian checksums) or 0x377f0683 (big-endian) |
//! | 4  | 4 | format version 3007000 |
//! | 8  | 4 | page size |
//! | 12 | 4 | checkpoint sequence number |
//! | 16 | 4 | salt-1 |
//! | 20 | 4 | salt-2 |
//! | 24 | 4 | checksum-1 over bytes 0..24 |
//! | 28 | 4 | checksum-2 |
//!
//! Frame header (24 bytes, big-endian), followed by one page:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 4 | page number |
//! | 4  | 4 | database size in pages after a commit frame, else 0 |
//! | 8  | 8 | salt-1, salt-2 copied from the WAL header |
//! | 16 | 8 | cumulative checksum over header bytes 0..8 and the page |
//!
//! Invariants:
//! 1. The checksum runs over 32-bit words taken in the byte order the
//!    magic names: `s0 += x0 + s1; s1 += x1 + s0` per pair of words.
//! 2. A frame is valid only if its salts equal the header's, its page
//!    number is non-zero and its checksum continues the previous frame's.

// The magic selects big- or little-endian checksum words; both are spec.
#![allow(clippy::little_endian_bytes)]

/// Magic with little-endian checksums (the low bit selects big-endian).
pub const WAL_MAGIC: u32 = 0x377f_0682;
/// The only WAL format version.
pub const WAL_VERSION: u32 = 3_007_000;
/// Bytes in the WAL header.
pub const WAL_HDR_SIZE: u64 = 32;
/// Bytes in a frame header.
pub const FRAME_HDR_SIZE: usize = 24;

/// The magic this host writes (SQLite uses native-order checksums).
pub fn native_magic() -> u32 {
    WAL_MAGIC | u32::from(cfg!(target_endian = "big"))
}

/// SQLite's WAL checksum of `data` (a multiple of 8 bytes), continuing `init`.
pub fn checksum(big_endian: bool, data: &[u8], init: [u32; 2]) -> [u32; 2] {
    let (mut s0, mut s1) = (init[0], init[1]);
    for c in data.chunks_exact(8) {
        let w = |i: usize| {
            let b = [c[i], c[i + 1], c[i + 2], c[i + 3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s0 = s0.wrapping_add(w(0)).wrapping_add(s1);
        s1 = s1.wrapping_add(w(4)).wrapping_add(s0);
    }
    [s0, s1]
}

pub(crate) fn be32(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// A decoded WAL header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalHeader {
    pub big_endian: bool,
    pub page_size: u32,
    pub ckpt_seq: u32,
    /// The salts as their 8 raw bytes.
    pub salt: [u8; 8],
    pub cksum: [u32; 2],
}

impl WalHeader {
    /// Encodes the header, computing its checksum.
    pub fn encode(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        let magic = WAL_MAGIC | u32::from(self.big_endian);
        b[0..4].copy_from_slice(&magic.to_be_bytes());
        b[4..8].copy_from_slice(&WAL_VERSION.to_be_bytes());
        b[8..12].copy_from_slice(&self.page_size.to_be_bytes());
        b[12..16].copy_from_slice(&self.ckpt_seq.to_be_bytes());
        b[16..24].copy_from_slice(&self.salt);
        let ck = checksum(self.big_endian, &b[0..24], [0, 0]);
        b[24..28].copy_from_slice(&ck[0].to_be_bytes());
        b[28..32].copy_from_slice(&ck[1].to_be_bytes());
        b
    }

    /// Decodes and validates a header (magic, version, page size, checksum).
    pub fn decode(b: &[u8; 32]) -> Option<WalHeader> {
        let magic = be32(b, 0);
        if magic & !1 != WAL_MAGIC || be32(b, 4) != WAL_VERSION {
            return None;
        }
        let big_endian = magic & 1 == 1;
        let page_size = be32(b, 8);
        if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
            return None;
        }
        let ck = checksum(big_endian, &b[0..24], [0, 0]);
        if ck != [be32(b, 24), be32(b, 28)] {
            return None;
        }
        let mut salt = [0u8; 8];
        salt.copy_from_slice(&b[16..24]);
        Some(WalHeader {
            big_endian,
            page_size,
            ckpt_seq: be32(b, 12),
            salt,
            cksum: ck,
        })
    }
}

/// Encodes a frame header for `page`, returning it and the new running checksum.
pub fn encode_frame(
    big_endian: bool,
    pgno: u32,
    commit: u32,
    salt: &[u8; 8],
    prev: [u32; 2],
    page: &[u8],
) -> ([u8; FRAME_HDR_SIZE], [u32; 2]) {
    let mut h = [0u8; FRAME_HDR_SIZE];
    h[0..4].copy_from_slice(&pgno.to_be_bytes());
    h[4..8].copy_from_slice(&commit.to_be_bytes());
    h[8..16].copy_from_slice(salt);
    let ck = checksum(big_endian, page, checksum(big_endian, &h[0..8], prev));
    h[16..20].copy_from_slice(&ck[0].to_be_bytes());
    h[20..24].copy_from_slice(&ck[1].to_be_bytes());
    (h, ck)
}

/// Validates a frame; `Some((pgno, commit, new checksum))` if valid.
pub fn decode_frame(
    big_endian: bool,
    salt: &[u8; 8],
    prev: [u32; 2],
    h: &[u8],
    page: &[u8],
) -> Option<(u32, u32, [u32; 2])> {
    if h.len() < FRAME_HDR_SIZE || h[8..16] != salt[..] {
        return None;
    }
    let pgno = be32(h, 0);
    if pgno == 0 {
        return None;
    }
    let ck = checksum(big_endian, page, checksum(big_endian, &h[0..8], prev));
    (ck == [be32(h, 16), be32(h, 20)]).then_some((pgno, be32(h, 4), ck))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_frame_chain() {
        let h = WalHeader {
            big_endian: false,
            page_size: 4096,
            ckpt_seq: 7,
            salt: [1, 2, 3, 4, 5, 6, 7, 8],
            cksum: [0, 0],
        };
        let b = h.encode();
        let d = WalHeader::decode(&b).unwrap();
        assert_eq!(d.salt, h.salt);
        assert_eq!(d.ckpt_seq, 7);
        let mut bad = b;
        bad[13] ^= 1;
        assert!(WalHeader::decode(&bad).is_none());
        let page = vec![9u8; 4096];
        let (fh, ck) = encode_frame(false, 3, 5, &h.salt, d.cksum, &page);
        assert_eq!(
            decode_frame(false, &h.salt, d.cksum, &fh, &page),
            Some((3, 5, ck))
        );
        assert_eq!(decode_frame(false, &h.salt, [0, 1], &fh, &page), None);
        assert_eq!(checksum(true, &[0, 0, 0, 1, 0, 0, 0, 2], [0, 0]), [1, 3]);
    }
}
