//! The write side of the [`Pager`]: write transactions, journaling,
//! page allocation, commit and rollback.
//!
//! SQLite counterpart: pager.c (`sqlite3PagerBegin`, `pager_write`,
//! `pager_open_journal`, `syncJournal`, `pager_incr_changecounter`,
//! `sqlite3PagerCommitPhaseOne/Two`, `pager_end_transaction`,
//! `sqlite3PagerRollback`); atomiccommit.html.
//!
//! Commit order (atomiccommit.html, steps 3.6–3.11):
//! 1. journal the original of every page past the new end (a shrinking db);
//! 2. page 1: change counter +1 (offset 24), size in pages (28),
//!    version-valid-for (92), `SQLITE_VERSION_NUMBER` (96);
//! 3. sync the journal: FULL/EXTRA fsync, write magic + record count, fsync;
//!    NORMAL writes magic + count, fsync once; OFF wrote them up front;
//! 4. take EXCLUSIVE (through PENDING), with the busy handler;
//! 5. write dirty pages in page order, truncate if the database shrank,
//!    fsync the database (unless synchronous=OFF);
//! 6. finalize the journal (DELETE: unlink; TRUNCATE: size 0; PERSIST: zero
//!    the header), then drop to SHARED.
//!
//! Invariants:
//! 1. A page's original is journaled before its first change in a
//!    transaction, and only if it existed when the transaction began.
//! 2. The database file is not written before the journal is synced; so
//!    until commit step 5, rollback only discards dirty pages.
//! 3. After a failed write or sync the error is sticky: every write call
//!    returns it until `rollback`.

use std::path::Path;

use crate::vfs::{FileKind, LockLevel, OpenFlags, SyncFlags, VfsError, VfsFile};
use crate::SQLITE_VERSION_NUMBER;

use super::cache::{PageRef, Pgno};
use super::error::{from_vfs, PagerError};
use super::journal::{checksum, lock_byte_page, JournalHeader};
use super::pager::{JournalMode, JournalState, Pager, Synchronous, TxnState, MAX_PAGE_COUNT};
use crate::vfs::IOCAP_POWERSAFE_OVERWRITE;

impl Pager {
    /// Starts a write transaction: RESERVED (or, with `exclusive`, EXCLUSIVE).
    pub fn begin_write(&mut self, exclusive: bool) -> Result<(), PagerError> {
        if self.read_only {
            return Err(PagerError::ReadOnly);
        }
        if self.txn == TxnState::Write {
            return Ok(());
        }
        let from_none = self.txn == TxnState::None;
        if !from_none {
            // No retry while holding SHARED: the writer we wait for may be
            // waiting for our SHARED to go (SQLite's deadlock avoidance).
            self.lock_writer()?;
        } else {
            // Like sqlite3BtreeBeginTrans: drop SHARED between attempts.
            self.retry_busy(|p| {
                let r = p.try_begin_read().and_then(|()| {
                    p.txn = TxnState::Read;
                    p.lock_writer()
                });
                if r.is_err() {
                    p.unlock_after_failure();
                    p.txn = TxnState::None;
                }
                r
            })?;
        }
        if exclusive && self.wal.is_none() {
            if let Err(e) = self.retry_busy(|p| p.fd.lock(LockLevel::Exclusive).map_err(from_vfs)) {
                let _ = self.fd.unlock(LockLevel::Shared);
                if from_none {
                    self.end_read();
                }
                return Err(e);
            }
        }
        self.txn = TxnState::Write;
        self.db_orig_size = self.db_size;
        self.jrnl = JournalState::default();
        self.db_written = false;
        self.counter_bumped = false;
        self.check_invariants();
        Ok(())
    }

    fn writable(&self) -> Result<(), PagerError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match self.txn {
            TxnState::Write => Ok(()),
            _ if self.read_only => Err(PagerError::ReadOnly),
            _ => Err(PagerError::Misuse("no write transaction")),
        }
    }

    /// Records `e` as the sticky error and returns it.
    pub(super) fn sticky(&mut self, e: PagerError) -> PagerError {
        if !e.is_busy() {
            self.error = Some(e.clone());
        }
        e
    }

    /// The page bytes for writing; the first write of a page in a
    /// transaction journals its original content.
    pub fn data_mut(&mut self, r: PageRef) -> Result<&mut [u8], PagerError> {
        self.writable()?;
        let idx = self.cache.check(r)?;
        let serial = self.current_serial();
        let ready = self
            .cache
            .frame(idx)
            .is_some_and(|f| f.dirty && f.sp_serial == serial);
        if !ready {
            let _span = tracing::trace_span!("pager.write").entered();
            self.prepare_write(idx).map_err(|e| self.sticky(e))?;
        }
        self.cache
            .frame_mut(idx)
            .map(|f| &mut f.data[..])
            .ok_or(PagerError::StaleHandle)
    }

    /// Journals and savepoints the page in frame `idx`, then marks it dirty.
    fn prepare_write(&mut self, idx: usize) -> Result<(), PagerError> {
        let Some(f) = self.cache.frame(idx) else {
            return Err(PagerError::StaleHandle);
        };
        let (pgno, dirty) = (f.pgno, f.dirty);
        if !dirty {
            self.open_journal()?;
            if pgno <= self.db_orig_size && !self.jrnl.journaled.contains(&pgno) {
                let Some(f) = self.cache.frame(idx) else {
                    return Err(PagerError::StaleHandle);
                };
                let data = f.data.clone();
                self.journal_page(pgno, &data)?;
            }
            self.cache.set_dirty(idx);
        }
        self.record_in_savepoints(idx);
        Ok(())
    }

    /// Opens the journal file and writes its header (first write of a txn).
    pub(super) fn open_journal(&mut self) -> Result<(), PagerError> {
        let file_mode = matches!(
            self.journal_mode,
            JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist
        );
        if !file_mode || self.memory || self.jrnl.file.is_some() {
            return Ok(());
        }
        let flags = OpenFlags::main_db().with_kind(FileKind::MainJournal);
        let mut jfd = self.vfs.open_path(&self.journal_path, flags)?;
        if self.journal_mode != JournalMode::Persist && jfd.file_size()? > 0 {
            jfd.truncate(0)?;
        }
        let mut nonce = [0u8; 4];
        self.vfs.randomness(&mut nonce);
        let sector_size = if self.fd.device_characteristics() & IOCAP_POWERSAFE_OVERWRITE != 0 {
            512
        } else {
            self.fd.sector_size().clamp(32, 65536).next_power_of_two()
        };
        let header_final = self.sync == Synchronous::Off;
        let h = JournalHeader {
            nrec: 0xffff_ffff,
            nonce: u32::from_be_bytes(nonce),
            orig_pages: self.db_orig_size,
            sector_size,
            page_size: self.page_size as u32,
        };
        jfd.write(&h.encode(header_final), 0)?;
        self.jrnl.file = Some(jfd);
        self.jrnl.nonce = h.nonce;
        self.jrnl.nrec = 0;
        self.jrnl.offset = u64::from(sector_size);
        self.jrnl.sector_size = sector_size;
        self.jrnl.header_final = header_final;
        Ok(())
    }

    /// Saves the original of `pgno` in the journal.
    pub(super) fn journal_page(&mut self, pgno: Pgno, data: &[u8]) -> Result<(), PagerError> {
        match self.journal_mode {
            JournalMode::Off | JournalMode::Wal => {}
            JournalMode::Memory => {
                self.jrnl.originals.insert(pgno, data.into());
            }
            JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist if self.memory => {
                self.jrnl.originals.insert(pgno, data.into());
            }
            JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist => {
                let mut rec = Vec::with_capacity(data.len() + 8);
                rec.extend_from_slice(&pgno.to_be_bytes());
                rec.extend_from_slice(data);
                rec.extend_from_slice(&checksum(self.jrnl.nonce, data).to_be_bytes());
                if self.jrnl.seg_synced {
                    self.start_journal_segment()?;
                }
                let Some(j) = self.jrnl.file.as_mut() else {
                    return Err(PagerError::Misuse("journal not open"));
                };
                j.write(&rec, self.jrnl.offset)?;
                self.jrnl.offset += rec.len() as u64;
                self.jrnl.nrec += 1;
            }
        }
        self.jrnl.journaled.insert(pgno);
        Ok(())
    }

    /// Appends a zeroed page (skipping the lock-byte page).
    pub fn allocate(&mut self) -> Result<(Pgno, PageRef), PagerError> {
        self.writable()?;
        let mut pgno = self.db_size + 1;
        if pgno == lock_byte_page(self.page_size) {
            pgno += 1;
        }
        if pgno > self.max_page_count.min(MAX_PAGE_COUNT) {
            return Err(PagerError::Full);
        }
        let old_size = self.db_size;
        self.db_size = pgno;
        let r = match self.get(pgno) {
            Ok(r) => r,
            Err(e) => {
                self.db_size = old_size;
                return Err(e);
            }
        };
        self.data_mut(r)?.fill(0);
        Ok((pgno, r))
    }

    /// Shrinks the database to `n` pages (applied to the file at commit).
    pub fn truncate_to(&mut self, n: Pgno) -> Result<(), PagerError> {
        self.writable()?;
        if n > self.db_size {
            return Err(PagerError::Misuse("truncate_to cannot grow the database"));
        }
        for (pgno, idx) in self.cache.pages_above(n) {
            self.save_for_savepoints(pgno, idx);
        }
        self.cache.drop_above(n);
        self.db_size = n;
        Ok(())
    }

    pub(super) fn db_sync_flags_for(sync: Synchronous) -> SyncFlags {
        if sync >= Synchronous::Full {
            SyncFlags::Full
        } else {
            SyncFlags::Normal
        }
    }

    pub(super) fn db_sync_flags(&self) -> SyncFlags {
        Pager::db_sync_flags_for(self.sync)
    }

    /// Commits the write transaction and drops to a read transaction.
    pub fn commit(&mut self) -> Result<(), PagerError> {
        self.commit_phase_one(None)?;
        self.commit_phase_two()
    }

    /// Commit phase one (SQLite's `sqlite3PagerCommitPhaseOne`): journal,
    /// with `super_journal` the pointer to it (super_journal.rs), sync the
    /// journal, then write and sync the database file. The journal stays
    /// until [`Pager::commit_phase_two`]; `rollback` still undoes it all.
    pub fn commit_phase_one(&mut self, super_journal: Option<&Path>) -> Result<(), PagerError> {
        if self.txn != TxnState::Write || self.jrnl.phase_one_done {
            return Ok(());
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        // A spill may have written every change already (`db_written`).
        let changed =
            self.cache.n_dirty() > 0 || self.db_size != self.db_orig_size || self.db_written;
        if changed && self.wal.is_some() {
            self.wal_commit().map_err(|e| self.sticky(e))?;
        } else if changed || self.counter_bumped {
            self.sync_for_commit(super_journal)
                .map_err(|e| self.sticky(e))?;
            self.write_db_for_commit().map_err(|e| self.sticky(e))?;
        }
        self.jrnl.phase_one_done = true;
        Ok(())
    }

    /// Commit phase two (`sqlite3PagerCommitPhaseTwo`): finalizes the
    /// journal and drops to a read transaction.
    pub fn commit_phase_two(&mut self) -> Result<(), PagerError> {
        if self.txn != TxnState::Write {
            return Ok(());
        }
        if !self.jrnl.phase_one_done {
            self.commit_phase_one(None)?;
        }
        if let Some(j) = self.jrnl.file.take() {
            self.finalize_journal_file(j).map_err(|e| self.sticky(e))?;
        }
        self.finish_txn()
    }

    /// Takes EXCLUSIVE before a commit that will write the database file
    /// (SQLite's `sqlite3PagerExclusiveLock`), so a BUSY comes before any
    /// file of a multi-database commit changes.
    pub fn exclusive_lock_for_commit(&mut self) -> Result<(), PagerError> {
        let changed = self.cache.n_dirty() > 0
            || self.db_size != self.db_orig_size
            || self.db_written
            || self.jrnl.file.is_some();
        if self.txn != TxnState::Write || self.wal.is_some() || self.memory || !changed {
            return Ok(());
        }
        self.retry_busy(|p| p.fd.lock(LockLevel::Exclusive).map_err(from_vfs))
    }

    /// Steps 1–4: everything up to the first write of the database file.
    fn sync_for_commit(&mut self, super_journal: Option<&Path>) -> Result<(), PagerError> {
        self.journal_truncated_tail()?;
        if self.db_size >= 1 {
            let r = self.get(1)?;
            let (size, bump) = (self.db_size, !self.counter_bumped);
            let page = self.data_mut(r)?;
            if bump {
                let old = u32::from_be_bytes([page[24], page[25], page[26], page[27]]);
                let counter = old.wrapping_add(1);
                page[24..28].copy_from_slice(&counter.to_be_bytes());
                page[92..96].copy_from_slice(&counter.to_be_bytes());
                page[96..100].copy_from_slice(&SQLITE_VERSION_NUMBER.to_be_bytes());
            }
            page[28..32].copy_from_slice(&size.to_be_bytes());
            self.counter_bumped = true;
        }
        let had_super = self.jrnl.has_super;
        if let Some(name) = super_journal {
            self.write_super_pointer(name)?;
        }
        let resync = self.jrnl.has_super && !had_super && self.jrnl.seg_synced;
        self.sync_journal_segment()?;
        if resync && self.sync != Synchronous::Off {
            // The segment was already synced (a spill): the pointer still
            // needs its own sync.
            let flags = self.db_sync_flags();
            if let Some(j) = self.jrnl.file.as_mut() {
                j.sync(flags)?;
            }
        }
        self.retry_busy(|p| p.fd.lock(LockLevel::Exclusive).map_err(from_vfs))
    }

    /// Journals pages that a shrinking transaction cuts off the end.
    fn journal_truncated_tail(&mut self) -> Result<(), PagerError> {
        if self.db_size >= self.db_orig_size || self.journal_mode == JournalMode::Off {
            return Ok(());
        }
        self.open_journal()?;
        let lock_page = lock_byte_page(self.page_size);
        let mut buf = vec![0u8; self.page_size];
        for pgno in self.db_size + 1..=self.db_orig_size {
            if pgno == lock_page || self.jrnl.journaled.contains(&pgno) {
                continue;
            }
            match self
                .fd
                .read(&mut buf, u64::from(pgno - 1) * self.page_size as u64)
            {
                Ok(()) | Err(VfsError::ShortRead) => {}
                Err(e) => return Err(e.into()),
            }
            self.journal_page(pgno, &buf)?;
        }
        Ok(())
    }

    /// Step 5: write the database file and sync it.
    fn write_db_for_commit(&mut self) -> Result<(), PagerError> {
        let _span = tracing::trace_span!("pager.commit", pages = self.cache.n_dirty()).entered();
        self.db_written = true;
        let ps = self.page_size as u64;
        for (pgno, idx) in self.cache.dirty_pages() {
            if pgno > self.db_size {
                continue;
            }
            let Some(f) = self.cache.frame(idx) else {
                continue;
            };
            self.fd.write(&f.data, u64::from(pgno - 1) * ps)?;
        }
        if self.fd.file_size()? > u64::from(self.db_size) * ps {
            self.fd.truncate(u64::from(self.db_size) * ps)?;
        }
        if self.sync != Synchronous::Off {
            self.fd.sync(self.db_sync_flags())?;
        }
        self.cache.clean_all();
        if let Some(r) = self.cache.lookup(1) {
            let idx = self.cache.check(r)?;
            if let Some(f) = self.cache.frame(idx) {
                self.file_vers.copy_from_slice(&f.data[24..40]);
            }
        }
        self.db_file_size = self.db_size;
        Ok(())
    }

    /// Ends the journal's life per the journal mode (commit step 6).
    pub(super) fn finalize_journal_file(
        &mut self,
        mut j: Box<dyn VfsFile>,
    ) -> Result<(), PagerError> {
        let do_sync = self.sync != Synchronous::Off;
        match self.journal_mode {
            JournalMode::Truncate => {
                j.truncate(0)?;
                if do_sync {
                    j.sync(SyncFlags::Normal)?;
                }
            }
            // A journal holding a super-journal pointer is cut to zero
            // bytes, so the stale pointer cannot outlive it.
            JournalMode::Persist if self.jrnl.has_super => {
                j.truncate(0)?;
                if do_sync {
                    j.sync(SyncFlags::Normal)?;
                }
            }
            JournalMode::Persist => {
                j.write(&[0u8; super::journal::HEADER_BYTES], 0)?;
                if do_sync {
                    j.sync(SyncFlags::Normal)?;
                }
            }
            JournalMode::Delete | JournalMode::Memory | JournalMode::Off | JournalMode::Wal => {
                drop(j);
                match self
                    .vfs
                    .delete_path(&self.journal_path, self.sync == Synchronous::Extra)
                {
                    Ok(()) | Err(VfsError::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }

    /// Resets per-transaction state and drops to a read transaction.
    fn finish_txn(&mut self) -> Result<(), PagerError> {
        self.wal_end_write();
        self.jrnl = JournalState::default();
        self.savepoints.clear();
        self.db_orig_size = self.db_size;
        self.db_written = false;
        self.counter_bumped = false;
        self.error = None;
        self.txn = TxnState::Read;
        let r = if self.exclusive_mode {
            Ok(())
        } else {
            self.fd.unlock(LockLevel::Shared)
        };
        self.check_invariants();
        r.map_err(PagerError::from)
    }

    /// Rolls the write transaction back and drops to a read transaction.
    pub fn rollback(&mut self) -> Result<(), PagerError> {
        if self.txn != TxnState::Write {
            return Ok(());
        }
        let mut super_name = None;
        let mut result = if self.db_written {
            self.restore_db_file().map(|sup| super_name = sup)
        } else {
            Ok(())
        };
        if self.db_written {
            self.cache.reset(self.page_size);
            self.file_vers = [0xff; 16];
            // The file is now authoritative (the old content, or the new one
            // if the commit point had already passed).
            result = result.and_then(|()| {
                let size = self.fd.file_size()?;
                self.db_file_size = size.div_ceil(self.page_size as u64) as Pgno;
                Ok(())
            });
            self.db_orig_size = self.db_file_size;
        } else {
            self.cache.discard_dirty();
        }
        self.db_size = self.db_orig_size;
        if let Some(j) = self.jrnl.file.take().filter(|_| result.is_ok()) {
            result = self.finalize_journal_file(j);
        }
        if let Some(name) = super_name.filter(|_| result.is_ok()) {
            result = self.release_super_journal(&name);
        }
        if let Err(e) = result {
            // Leave the journal on disk: the next reader finds it hot.
            self.jrnl = JournalState::default();
            self.savepoints.clear();
            self.error = None;
            self.txn = TxnState::None;
            self.cache.reset(self.page_size);
            let _ = self.fd.unlock(LockLevel::None);
            return Err(e);
        }
        self.finish_txn()
    }

    /// Undoes a partially written commit from the journal (in memory, or
    /// on disk even if its handle was already closed). When the journal is
    /// already gone, or points to a super-journal that is gone, the commit
    /// point had passed and the new content stays. Returns the
    /// super-journal to release once the journal is finalized.
    fn restore_db_file(&mut self) -> Result<Option<std::path::PathBuf>, PagerError> {
        let file_mode = !self.memory
            && matches!(
                self.journal_mode,
                JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist
            );
        let mut release = None;
        if file_mode {
            let mut j = match self.jrnl.file.take() {
                Some(j) => Some(j),
                None if self.vfs.exists_path(&self.journal_path)? => {
                    let flags = OpenFlags {
                        create: false,
                        ..OpenFlags::main_db()
                    }
                    .with_kind(FileKind::MainJournal);
                    Some(self.vfs.open_path(&self.journal_path, flags)?)
                }
                None => None,
            };
            let played = match j.as_mut() {
                Some(j) => self.playback_unless_committed(j.as_mut(), false),
                None => Ok(None),
            };
            self.jrnl.file = j;
            release = played?;
        } else if self.memory || self.journal_mode == JournalMode::Memory {
            let ps = self.page_size as u64;
            let originals = std::mem::take(&mut self.jrnl.originals);
            for (pgno, data) in &originals {
                self.fd.write(data, u64::from(pgno - 1) * ps)?;
            }
            if self.fd.file_size()? > u64::from(self.db_orig_size) * ps {
                self.fd.truncate(u64::from(self.db_orig_size) * ps)?;
            }
        }
        if self.sync != Synchronous::Off {
            self.fd.sync(self.db_sync_flags())?;
        }
        Ok(release)
    }

    /// Test hook: runs a commit up to (not including) finalizing the
    /// journal, then drops every handle as a crashed process would.
    #[doc(hidden)]
    pub fn crash_before_journal_finalize(mut self) -> Result<(), PagerError> {
        if self.txn == TxnState::Write {
            self.sync_for_commit(None)?;
            let j = self.jrnl.file.take();
            self.jrnl.originals.clear();
            let ps = self.page_size as u64;
            for (pgno, idx) in self.cache.dirty_pages() {
                if let Some(f) = self.cache.frame(idx).filter(|_| pgno <= self.db_size) {
                    self.fd.write(&f.data, u64::from(pgno - 1) * ps)?;
                }
            }
            self.fd.sync(SyncFlags::Normal)?;
            drop(j);
        }
        self.txn = TxnState::None;
        self.cache.reset(self.page_size);
        Ok(())
    }
}

impl Drop for Pager {
    fn drop(&mut self) {
        if self.txn == TxnState::Write {
            let _ = self.rollback();
        }
        self.wal_close();
        let _ = self.fd.unlock(LockLevel::None);
    }
}
