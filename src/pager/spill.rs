//! Cache spill: when a write transaction's dirty pages fill the page cache,
//! they are written to the database file before the commit, so a
//! transaction of any size runs in a bounded cache.
//!
//! SQLite counterpart: `pagerStress`, `syncJournal`, `pager_write_pagelist`
//! and `writeJournalHdr` in pager.c; `sqlite3PcacheFetchStress` in pcache.c
//! (spill once the cache holds more than `cache_size` pages).
//!
//! Order of a spill (atomiccommit.html §3.11 "Cache Spill"):
//! 1. make the journal durable up to its last record: FULL/EXTRA fsync the
//!    records, write the current segment's magic and record count, fsync;
//!    NORMAL writes the header and fsyncs once; OFF syncs nothing (its
//!    header already says "to end of file");
//! 2. take EXCLUSIVE (a BUSY answer skips the spill: the cache grows, as
//!    SQLite ignores SQLITE_BUSY from `pagerStress`);
//! 3. write every dirty page in page order and mark it clean (it stays
//!    journaled, so changing it again writes no second record);
//! 4. remember that the database file was written (`db_written`), so
//!    ROLLBACK plays the journal back.
//!
//! Journal segments: once a segment's header holds its final record count,
//! the next record starts a new segment: a header at the next sector
//! boundary (magic zero until synced), then records. Playback reads the
//! segments in turn (journal.rs) and stops at the first unsynced header, so
//! a header is never rewritten after the database depends on it.
//!
//! Invariants:
//! 1. No page reaches the database file before the journal record of its
//!    original is durable (step 1 precedes step 3).
//! 2. Only file journals spill (DELETE, TRUNCATE, PERSIST) and never in
//!    WAL mode or for in-memory databases: there the transaction stays in
//!    the cache, as before.
//! 3. After a spill `db_file_size` covers every written page, so a spilled
//!    and evicted page is read back from the file.

use crate::vfs::{LockLevel, SyncFlags};

use super::cache::Pgno;
use super::error::{from_vfs, PagerError};
use super::journal::JournalHeader;
use super::pager::{JournalMode, Pager, Synchronous, TxnState};

impl Pager {
    /// Spills the dirty pages if they fill the cache and spilling is
    /// possible (module invariant 2); called before a cache miss.
    pub(super) fn spill_if_full(&mut self) -> Result<(), PagerError> {
        let file_journal = matches!(
            self.journal_mode,
            JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist
        );
        if self.txn != TxnState::Write
            || !file_journal
            || self.memory
            || self.wal.is_some()
            || self.error.is_some()
            || self.jrnl.file.is_none()
            || self.cache.n_dirty() < self.cache.capacity()
        {
            return Ok(());
        }
        self.spill().map_err(|e| self.sticky(e))
    }

    fn spill(&mut self) -> Result<(), PagerError> {
        let _span = tracing::debug_span!("pager.spill", pages = self.cache.n_dirty()).entered();
        self.sync_journal_segment()?;
        match self.retry_busy(|p| p.fd.lock(LockLevel::Exclusive).map_err(from_vfs)) {
            Ok(()) => {}
            Err(e) if e.is_busy() => return Ok(()),
            Err(e) => return Err(e),
        }
        self.db_written = true;
        let ps = self.page_size as u64;
        let mut top: Pgno = 0;
        for (pgno, idx) in self.cache.dirty_pages() {
            if pgno > self.db_size {
                continue;
            }
            let Some(f) = self.cache.frame(idx) else {
                continue;
            };
            self.fd.write(&f.data, u64::from(pgno - 1) * ps)?;
            self.cache.mark_clean(idx);
            top = top.max(pgno);
        }
        self.db_file_size = self.db_file_size.max(top);
        self.spills += 1;
        Ok(())
    }

    /// Step 1 of a spill, and step 3 of a commit: makes the journal's
    /// current segment durable and valid. A no-op if nothing was journaled
    /// since the last call.
    pub(super) fn sync_journal_segment(&mut self) -> Result<(), PagerError> {
        let (sync, nrec, at) = (self.sync, self.jrnl.nrec, self.jrnl.hdr_offset);
        if self.jrnl.header_final || self.jrnl.seg_synced || sync == Synchronous::Off {
            return Ok(());
        }
        let ss = u64::from(self.jrnl.sector_size.max(1));
        let next_hdr = self.jrnl.offset.div_ceil(ss) * ss;
        let Some(j) = self.jrnl.file.as_mut() else {
            return Ok(());
        };
        // A PERSIST journal may still hold an older transaction's segment
        // header right after our records: playback would go on into it
        // after a crash. Spoil its magic first (covered by the syncs below).
        if j.file_size()? >= next_hdr + 8 {
            j.write(&[0u8; 8], next_hdr)?;
        }
        if sync >= Synchronous::Full {
            j.sync(SyncFlags::Full)?;
        }
        j.write(&JournalHeader::magic_and_nrec(nrec), at)?;
        j.sync(Pager::db_sync_flags_for(sync))?;
        self.jrnl.seg_synced = true;
        Ok(())
    }

    /// Starts a new journal segment after a synced one: a header (magic
    /// zero) at the next sector boundary.
    pub(super) fn start_journal_segment(&mut self) -> Result<(), PagerError> {
        let ss = u64::from(self.jrnl.sector_size.max(1));
        let at = self.jrnl.offset.div_ceil(ss) * ss;
        let h = JournalHeader {
            nrec: 0,
            nonce: self.jrnl.nonce,
            orig_pages: self.db_orig_size,
            sector_size: self.jrnl.sector_size,
            page_size: self.page_size as u32,
        };
        let Some(j) = self.jrnl.file.as_mut() else {
            return Err(PagerError::Misuse("journal not open"));
        };
        j.write(&h.encode(false), at)?;
        self.jrnl.hdr_offset = at;
        self.jrnl.offset = at + ss;
        self.jrnl.nrec = 0;
        self.jrnl.seg_synced = false;
        Ok(())
    }

    /// Pages currently held by the page cache (clean and dirty): with
    /// spilling, at most `max(cache_size, 10) + 1`.
    pub fn cache_resident_pages(&self) -> usize {
        self.cache.resident()
    }

    /// Cache spills since the pager opened.
    pub fn cache_spills(&self) -> u64 {
        self.spills
    }
}
