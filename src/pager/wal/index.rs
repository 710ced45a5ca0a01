//! The wal-index (`-shm`) layout: header, checkpoint info and hash tables,
//! accessed through the database file's VFS shared-memory calls.
//!
//! SQLite counterpart: `WalIndexHdr`, `WalCkptInfo`, `walIndexWriteHdr`,
//! `walIndexTryHdr`, `walHash`, `walFramePage`, `walHashGet`,
//! `walIndexAppend`, `walCleanupHash`, `walFindFrame` in wal.c;
//! walformat.html §2.
//!
//! Region 0 starts with the 136-byte header (all fields in native byte order):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0   | 48 | `WalIndexHdr` copy 1 |
//! | 48  | 48 | `WalIndexHdr` copy 2 |
//! | 96  | 4  | nBackfill |
//! | 100 | 20 | aReadMark[0..5] |
//! | 120 | 8  | aLock (the lock bytes; never written) |
//! | 128 | 4  | nBackfillAttempted |
//! | 132 | 4  | unused |
//!
//! `WalIndexHdr`: iVersion (0, 4) = 3007000, unused (4, 4), iChange (8, 4),
//! isInit (12, 1), bigEndCksum (13, 1), szPage (14, 2; 65536 as 1),
//! mxFrame (16, 4), nPage (20, 4), aFrameCksum (24, 8), aSalt (32, 8, raw
//! WAL header bytes), aCksum (40, 8) = checksum of bytes 0..40.
//!
//! Each 32 KiB region then holds page numbers (4096 u32; 4062 in region 0,
//! after the header) and 8192 u16 hash slots at offset 16384. Slot value
//! `k` (1-based) names the frame `k + iZero` of the region; key =
//! `pgno * 383 & 8191`, linear probing; 0 = empty.
//!
//! Invariants:
//! 1. The header is written copy 2 first, then (after a barrier) copy 1;
//!    readers accept it only when both copies match and the checksum holds.
//! 2. Hash entries of frames above mxFrame are removed before a frame
//!    number is reused.

// The wal-index is defined in the host's byte order (walformat.html §2):
// native-endian conversions are the specification here, not an accident.
#![allow(clippy::host_endian_bytes)]

use crate::vfs::{ShmLockMode, VfsError, VfsFile};

use super::format::checksum;
use crate::pager::error::{from_vfs, PagerError};

/// Bytes per wal-index region.
pub const REGION_SIZE: usize = 32768;
/// Bytes of the region-0 header.
pub const INDEX_HDR_SIZE: usize = 136;
const NPAGE: u32 = 4096;
const NPAGE_ONE: u32 = NPAGE - (INDEX_HDR_SIZE as u32) / 4;
const NSLOT: usize = 8192;
const HASH_OFFSET: usize = 16384;
/// Read mark of an unused reader slot.
pub const READMARK_NOT_USED: u32 = 0xffff_ffff;
/// Number of reader slots.
pub const NREADER: usize = 5;
/// Lock slot numbers.
pub const WRITE_LOCK: usize = 0;
pub const CKPT_LOCK: usize = 1;
pub const RECOVER_LOCK: usize = 2;
/// Lock slot of reader `i`.
pub fn read_lock(i: usize) -> usize {
    3 + i
}
/// The wal-index version.
pub const INDEX_VERSION: u32 = 3_007_000;

/// The wal-index header (SQLite's `WalIndexHdr`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexHdr {
    pub change: u32,
    pub is_init: bool,
    pub big_end_cksum: bool,
    pub page_size: u32,
    pub mx_frame: u32,
    pub n_page: u32,
    pub frame_cksum: [u32; 2],
    pub salt: [u8; 8],
}

fn ne32(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .map_or(0, |s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

impl IndexHdr {
    /// The 48 bytes of one header copy, with its checksum.
    pub fn encode(&self) -> [u8; 48] {
        let mut b = [0u8; 48];
        b[0..4].copy_from_slice(&INDEX_VERSION.to_ne_bytes());
        b[8..12].copy_from_slice(&self.change.to_ne_bytes());
        b[12] = u8::from(self.is_init);
        b[13] = u8::from(self.big_end_cksum);
        let sz = (self.page_size & 0xff00) | (self.page_size >> 16);
        b[14..16].copy_from_slice(&(sz as u16).to_ne_bytes());
        b[16..20].copy_from_slice(&self.mx_frame.to_ne_bytes());
        b[20..24].copy_from_slice(&self.n_page.to_ne_bytes());
        b[24..28].copy_from_slice(&self.frame_cksum[0].to_ne_bytes());
        b[28..32].copy_from_slice(&self.frame_cksum[1].to_ne_bytes());
        b[32..40].copy_from_slice(&self.salt);
        let ck = checksum(cfg!(target_endian = "big"), &b[0..40], [0, 0]);
        b[40..44].copy_from_slice(&ck[0].to_ne_bytes());
        b[44..48].copy_from_slice(&ck[1].to_ne_bytes());
        b
    }

    /// Decodes a header copy; `None` if not initialised or the checksum fails.
    pub fn decode(b: &[u8; 48]) -> Option<IndexHdr> {
        if b[12] == 0 || ne32(b, 0) != INDEX_VERSION {
            return None;
        }
        let ck = checksum(cfg!(target_endian = "big"), &b[0..40], [0, 0]);
        if ck != [ne32(b, 40), ne32(b, 44)] {
            return None;
        }
        let sz = u32::from(u16::from_ne_bytes([b[14], b[15]]));
        let mut salt = [0u8; 8];
        salt.copy_from_slice(&b[32..40]);
        Some(IndexHdr {
            change: ne32(b, 8),
            is_init: true,
            big_end_cksum: b[13] != 0,
            page_size: (sz & 0xfe00) + ((sz & 1) << 16),
            mx_frame: ne32(b, 16),
            n_page: ne32(b, 20),
            frame_cksum: [ne32(b, 24), ne32(b, 28)],
            salt,
        })
    }
}

/// Thin typed access to the wal-index of one database file.
pub struct Shm<'a> {
    pub db: &'a mut dyn VfsFile,
}

fn vfs(e: VfsError) -> PagerError {
    from_vfs(e)
}

/// The region holding frame `frame` (SQLite's `walFramePage`).
pub fn frame_region(frame: u32) -> usize {
    ((frame + NPAGE - NPAGE_ONE - 1) / NPAGE) as usize
}

/// The frame number before the first frame of `region`.
fn region_zero(region: usize) -> u32 {
    if region == 0 {
        0
    } else {
        NPAGE_ONE + (region as u32 - 1) * NPAGE
    }
}

fn pgno_base(region: usize) -> usize {
    if region == 0 {
        INDEX_HDR_SIZE
    } else {
        0
    }
}

fn hash_key(pgno: u32) -> usize {
    (pgno.wrapping_mul(383) as usize) & (NSLOT - 1)
}

impl Shm<'_> {
    pub fn map(&mut self, region: usize) -> Result<(), PagerError> {
        if self.db.shm_map(region, REGION_SIZE, true).map_err(vfs)? {
            Ok(())
        } else {
            Err(PagerError::Vfs(VfsError::Io {
                op: crate::vfs::IoOp::ShmMap,
                errno: 0,
            }))
        }
    }

    pub fn get32(&mut self, region: usize, off: usize) -> Result<u32, PagerError> {
        let mut b = [0u8; 4];
        self.db.shm_read(region, off, &mut b).map_err(vfs)?;
        Ok(u32::from_ne_bytes(b))
    }

    pub fn put32(&mut self, region: usize, off: usize, v: u32) -> Result<(), PagerError> {
        self.db
            .shm_write(region, off, &v.to_ne_bytes())
            .map_err(vfs)
    }

    fn get16(&mut self, region: usize, off: usize) -> Result<u16, PagerError> {
        let mut b = [0u8; 2];
        self.db.shm_read(region, off, &mut b).map_err(vfs)?;
        Ok(u16::from_ne_bytes(b))
    }

    fn put16(&mut self, region: usize, off: usize, v: u16) -> Result<(), PagerError> {
        self.db
            .shm_write(region, off, &v.to_ne_bytes())
            .map_err(vfs)
    }

    /// Both header copies (copy 1, barrier, copy 2).
    pub fn read_hdr_copies(&mut self) -> Result<([u8; 48], [u8; 48]), PagerError> {
        let (mut a, mut b) = ([0u8; 48], [0u8; 48]);
        self.db.shm_read(0, 0, &mut a).map_err(vfs)?;
        self.db.shm_barrier();
        self.db.shm_read(0, 48, &mut b).map_err(vfs)?;
        Ok((a, b))
    }

    /// Publishes a header (invariant 1).
    pub fn write_hdr(&mut self, h: &IndexHdr) -> Result<(), PagerError> {
        let b = h.encode();
        self.db.shm_write(0, 48, &b).map_err(vfs)?;
        self.db.shm_barrier();
        self.db.shm_write(0, 0, &b).map_err(vfs)
    }

    pub fn n_backfill(&mut self) -> Result<u32, PagerError> {
        self.get32(0, 96)
    }

    pub fn set_n_backfill(&mut self, v: u32) -> Result<(), PagerError> {
        self.put32(0, 96, v)
    }

    pub fn read_mark(&mut self, i: usize) -> Result<u32, PagerError> {
        self.get32(0, 100 + 4 * i)
    }

    pub fn set_read_mark(&mut self, i: usize, v: u32) -> Result<(), PagerError> {
        self.put32(0, 100 + 4 * i, v)
    }

    pub fn set_backfill_attempted(&mut self, v: u32) -> Result<(), PagerError> {
        self.put32(0, 128, v)
    }

    pub fn lock(&mut self, slot: usize, n: usize, excl: bool) -> Result<(), PagerError> {
        let mode = if excl {
            ShmLockMode::Exclusive
        } else {
            ShmLockMode::Shared
        };
        self.db.shm_lock(slot, n, mode).map_err(vfs)
    }

    pub fn unlock(&mut self, slot: usize, n: usize, excl: bool) {
        let mode = if excl {
            ShmLockMode::UnlockExclusive
        } else {
            ShmLockMode::UnlockShared
        };
        let _ = self.db.shm_lock(slot, n, mode);
    }

    /// The page number stored for frame `frame`.
    pub fn frame_pgno(&mut self, frame: u32) -> Result<u32, PagerError> {
        let r = frame_region(frame);
        self.map(r)?;
        let idx = (frame - region_zero(r)) as usize;
        self.get32(r, pgno_base(r) + (idx - 1) * 4)
    }

    /// The newest frame in `min..=max` holding `pgno` (SQLite's `walFindFrame`).
    pub fn find_frame(&mut self, pgno: u32, min: u32, max: u32) -> Result<Option<u32>, PagerError> {
        if max == 0 || min > max {
            return Ok(None);
        }
        let lo = frame_region(min.max(1));
        let mut r = frame_region(max);
        loop {
            self.map(r)?;
            let zero = region_zero(r);
            let mut key = hash_key(pgno);
            let mut found = None;
            for _ in 0..NSLOT {
                let h = self.get16(r, HASH_OFFSET + 2 * key)?;
                if h == 0 {
                    break;
                }
                let frame = zero + u32::from(h);
                if frame <= max && frame >= min {
                    let p = self.get32(r, pgno_base(r) + (usize::from(h) - 1) * 4)?;
                    if p == pgno {
                        found = Some(frame);
                    }
                }
                key = (key + 1) & (NSLOT - 1);
            }
            if found.is_some() || r == lo {
                return Ok(found);
            }
            r -= 1;
        }
    }

    /// Records `frame` → `pgno` (SQLite's `walIndexAppend`); `mx_frame` is
    /// the last committed frame (entries above it are stale).
    pub fn append(&mut self, frame: u32, pgno: u32, mx_frame: u32) -> Result<(), PagerError> {
        let r = frame_region(frame);
        self.map(r)?;
        let zero = region_zero(r);
        let idx = (frame - zero) as usize;
        let base = pgno_base(r);
        if idx == 1 {
            let zeros = vec![0u8; REGION_SIZE - base];
            self.db.shm_write(r, base, &zeros).map_err(vfs)?;
        } else if self.get32(r, base + (idx - 1) * 4)? != 0 {
            self.cleanup(r, mx_frame)?;
        }
        let mut key = hash_key(pgno);
        for _ in 0..NSLOT {
            if self.get16(r, HASH_OFFSET + 2 * key)? == 0 {
                break;
            }
            key = (key + 1) & (NSLOT - 1);
        }
        self.put32(r, base + (idx - 1) * 4, pgno)?;
        self.put16(r, HASH_OFFSET + 2 * key, idx as u16)
    }

    /// Removes entries for frames above `mx_frame` from region `r`.
    fn cleanup(&mut self, r: usize, mx_frame: u32) -> Result<(), PagerError> {
        let zero = region_zero(r);
        let limit = mx_frame.saturating_sub(zero);
        for key in 0..NSLOT {
            let h = self.get16(r, HASH_OFFSET + 2 * key)?;
            if u32::from(h) > limit {
                self.put16(r, HASH_OFFSET + 2 * key, 0)?;
            }
        }
        let base = pgno_base(r);
        let cap = if r == 0 { NPAGE_ONE } else { NPAGE } as usize;
        let from = limit as usize;
        if from < cap {
            let zeros = vec![0u8; (cap - from) * 4];
            self.db.shm_write(r, base + from * 4, &zeros).map_err(vfs)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_geometry() {
        let h = IndexHdr {
            change: 3,
            is_init: true,
            big_end_cksum: false,
            page_size: 65536,
            mx_frame: 9,
            n_page: 4,
            frame_cksum: [1, 2],
            salt: [9; 8],
        };
        assert_eq!(IndexHdr::decode(&h.encode()), Some(h));
        assert_eq!(frame_region(1), 0);
        assert_eq!(frame_region(4062), 0);
        assert_eq!(frame_region(4063), 1);
        assert_eq!(frame_region(4062 + 4096), 1);
        assert_eq!(frame_region(4062 + 4097), 2);
        assert_eq!(hash_key(1), 383);
    }
}
