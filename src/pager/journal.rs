//! The rollback journal format: header, page records, checksum, playback.
//!
//! SQLite counterpart: `writeJournalHdr`, `readJournalHdr`,
//! `pager_playback`, `pager_playback_one_page`, `pager_cksum` in pager.c;
//! fileformat2.html section "The Rollback Journal".
//!
//! Journal header (big-endian, padded with zeros to the sector size):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 8 | magic `d9 d5 05 f9 20 a1 63 d7` (zero until the journal is synced) |
//! | 8  | 4 | record count of this segment (0xffffffff = to end of file) |
//! | 12 | 4 | checksum nonce |
//! | 16 | 4 | database size in pages before the transaction |
//! | 20 | 4 | sector size of the writer |
//! | 24 | 4 | page size |
//!
//! Page record: `pgno` (4), the original page (page size), checksum (4).
//! The checksum is the nonce plus the bytes at offsets N-200, N-400, ... of
//! the page (N = page size), as unsigned 32-bit wrap-around addition.
//!
//! Invariants:
//! 1. A journal is *hot* only when it exists, is non-empty, its first byte
//!    is not zero, and nobody holds RESERVED on the database.
//! 2. Playback stops at the first invalid header, record of page 0, record
//!    of the lock-byte page (a super-journal pointer) or bad checksum; pages
//!    are restored at most once (the first copy is the original).
//! 3. After the first header is read, the database is truncated back to its
//!    original size.

use std::collections::HashSet;

use crate::vfs::{VfsError, VfsFile, PENDING_BYTE};

use super::cache::{FxBuild, Pgno};

/// The journal magic string.
pub(super) const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/// Bytes of the header that carry information.
pub(super) const HEADER_BYTES: usize = 28;

/// The page holding the lock bytes (`PENDING_BYTE`), never used for data
/// (SQLite's `PENDING_BYTE_PAGE`).
pub fn lock_byte_page(page_size: usize) -> Pgno {
    (PENDING_BYTE / page_size as u64) as Pgno + 1
}

/// The journal checksum of one page.
pub(super) fn checksum(nonce: u32, page: &[u8]) -> u32 {
    let mut sum = nonce;
    let mut x = page.len() as isize - 200;
    while x >= 0 {
        sum = sum.wrapping_add(u32::from(page[x as usize]));
        x -= 200;
    }
    sum
}

/// A decoded journal header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct JournalHeader {
    pub nrec: u32,
    pub nonce: u32,
    pub orig_pages: Pgno,
    pub sector_size: u32,
    pub page_size: u32,
}

impl JournalHeader {
    /// The header padded to its sector size; with `final_magic` the magic
    /// and record count are filled in, else both are zero (not yet synced).
    pub fn encode(&self, final_magic: bool) -> Vec<u8> {
        let mut buf = vec![0u8; self.sector_size as usize];
        if final_magic {
            buf[0..8].copy_from_slice(&JOURNAL_MAGIC);
            buf[8..12].copy_from_slice(&self.nrec.to_be_bytes());
        }
        buf[12..16].copy_from_slice(&self.nonce.to_be_bytes());
        buf[16..20].copy_from_slice(&self.orig_pages.to_be_bytes());
        buf[20..24].copy_from_slice(&self.sector_size.to_be_bytes());
        buf[24..28].copy_from_slice(&self.page_size.to_be_bytes());
        buf
    }

    /// Magic and record count, as written when the journal is synced.
    pub fn magic_and_nrec(nrec: u32) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[0..8].copy_from_slice(&JOURNAL_MAGIC);
        b[8..12].copy_from_slice(&nrec.to_be_bytes());
        b
    }

    /// Decodes a header; `None` if the magic or a size field is invalid.
    pub fn decode(b: &[u8; HEADER_BYTES]) -> Option<JournalHeader> {
        if b[0..8] != JOURNAL_MAGIC {
            return None;
        }
        let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let h = JournalHeader {
            nrec: be(8),
            nonce: be(12),
            orig_pages: be(16),
            sector_size: be(20),
            page_size: be(24),
        };
        let ps_ok = h.page_size.is_power_of_two() && (512..=65536).contains(&h.page_size);
        let ss_ok = h.sector_size.is_power_of_two() && (32..=65536).contains(&h.sector_size);
        (ps_ok && ss_ok).then_some(h)
    }
}

/// What a playback did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Playback {
    /// Database size in pages before the rolled-back transaction.
    pub orig_pages: Pgno,
    /// Page size recorded in the journal.
    pub page_size: u32,
    /// Number of pages written back.
    pub restored: u32,
}

fn read_or_eof(f: &mut dyn VfsFile, buf: &mut [u8], off: u64) -> Result<bool, VfsError> {
    match f.read(buf, off) {
        Ok(()) => Ok(true),
        Err(VfsError::ShortRead) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Plays a rollback journal back into `db`. Returns `None` when the journal
/// has no valid first header (nothing to roll back).
pub(super) fn playback(
    jfd: &mut dyn VfsFile,
    db: &mut dyn VfsFile,
    is_hot: bool,
) -> Result<Option<Playback>, VfsError> {
    let jsize = jfd.file_size()?;
    let mut off = 0u64;
    let mut result: Option<Playback> = None;
    let mut done: HashSet<Pgno, FxBuild> = HashSet::default();
    let mut rec = Vec::new();
    loop {
        let mut hb = [0u8; HEADER_BYTES];
        if off + HEADER_BYTES as u64 > jsize || !read_or_eof(jfd, &mut hb, off)? {
            break;
        }
        let Some(h) = JournalHeader::decode(&hb) else {
            break;
        };
        let psz = h.page_size as u64;
        let first = result.is_none();
        let state = result.get_or_insert(Playback {
            orig_pages: h.orig_pages,
            page_size: h.page_size,
            restored: 0,
        });
        if h.page_size != state.page_size {
            break;
        }
        off += u64::from(h.sector_size);
        let rec_size = psz + 8;
        let avail = jsize.saturating_sub(off) / rec_size;
        let mut nrec = u64::from(h.nrec);
        if h.nrec == 0xffff_ffff || (h.nrec == 0 && !is_hot) {
            nrec = avail;
        }
        if first && db.file_size()? > u64::from(state.orig_pages) * psz {
            db.truncate(u64::from(state.orig_pages) * psz)?;
        }
        rec.resize(rec_size as usize, 0);
        let lock_page = lock_byte_page(h.page_size as usize);
        for _ in 0..nrec {
            if off + rec_size > jsize || !read_or_eof(jfd, &mut rec, off)? {
                return Ok(result);
            }
            off += rec_size;
            let pgno = u32::from_be_bytes([rec[0], rec[1], rec[2], rec[3]]);
            let page = &rec[4..4 + psz as usize];
            let tail = &rec[4 + psz as usize..];
            let ck = u32::from_be_bytes([tail[0], tail[1], tail[2], tail[3]]);
            if pgno == 0 || pgno == lock_page || ck != checksum(h.nonce, page) {
                return Ok(result);
            }
            if pgno <= state.orig_pages && done.insert(pgno) {
                db.write(page, u64::from(pgno - 1) * psz)?;
                state.restored += 1;
            }
        }
        // The next segment header starts at the next sector boundary.
        let ss = u64::from(h.sector_size);
        off = off.div_ceil(ss) * ss;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_samples_every_200th_byte_from_the_end() {
        let mut page = vec![0u8; 1024];
        page[824] = 3; // 1024 - 200
        page[24] = 5; // 1024 - 5*200
        page[25] = 100; // not sampled
        assert_eq!(checksum(10, &page), 18);
        assert_eq!(checksum(u32::MAX, &page), 7);
    }

    #[test]
    fn header_round_trip_and_validation() {
        let h = JournalHeader {
            nrec: 3,
            nonce: 0xdead_beef,
            orig_pages: 7,
            sector_size: 512,
            page_size: 4096,
        };
        let b = h.encode(true);
        assert_eq!(b.len(), 512);
        let arr: [u8; HEADER_BYTES] = b[..HEADER_BYTES].try_into().unwrap();
        assert_eq!(JournalHeader::decode(&arr), Some(h));
        let unsynced = h.encode(false);
        let arr: [u8; HEADER_BYTES] = unsynced[..HEADER_BYTES].try_into().unwrap();
        assert_eq!(JournalHeader::decode(&arr), None);
        assert_eq!(lock_byte_page(4096), 262_145);
        assert_eq!(lock_byte_page(65536), 16_385);
    }
}
