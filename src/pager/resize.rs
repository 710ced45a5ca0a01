//! Rewriting the whole database file with another page size (VACUUM after
//! `PRAGMA page_size=N`), crash-safe through the rollback journal.
//!
//! SQLite counterpart: the page-size-changing path of
//! `sqlite3_backup_step` (backup.c), which `sqlite3RunVacuum` (vacuum.c)
//! uses to copy the vacuumed database over the main one.
//!
//! Order (the commit order of write.rs, with the old page size journaled):
//! 1. journal the original of every page of the file not yet journaled
//!    (the journal header keeps the old page size and page count, so a hot
//!    journal rollback restores the old file exactly);
//! 2. sync the journal; take EXCLUSIVE;
//! 3. write the new pages at the new page size (page 1's change counter is
//!    the old one plus one), truncate the file, sync it;
//! 4. finalize the journal (the commit point), then the pager continues with
//!    the new geometry and no dirty page.
//!
//! Invariants:
//! 1. Only file journals (DELETE, TRUNCATE, PERSIST) on a file database,
//!    outside WAL mode, inside a write transaction; anything else is an
//!    error naming the missing feature and changes nothing.
//! 2. Until step 4 completes, a crash or error leaves a hot journal that
//!    restores the old file.

use crate::vfs::{LockLevel, VfsError};
use crate::SQLITE_VERSION_NUMBER;

use super::cache::Pgno;
use super::error::{from_vfs, PagerError};
use super::journal::lock_byte_page;
use super::pager::{JournalMode, Pager, Synchronous, TxnState};

/// Produces page `pgno` of the new file into the buffer.
pub type PageSource<'a> = dyn FnMut(Pgno, &mut [u8]) -> Result<(), PagerError> + 'a;

impl Pager {
    /// Replaces the database with `n` pages of `new_size` bytes produced by
    /// `src`, committing the change at once (module order). The write
    /// transaction stays open with nothing left to commit.
    pub fn rewrite_with_page_size(
        &mut self,
        new_size: usize,
        n: Pgno,
        src: &mut PageSource<'_>,
    ) -> Result<(), PagerError> {
        let file_journal = matches!(
            self.journal_mode,
            JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist
        );
        if self.txn != TxnState::Write || self.error.is_some() {
            return Err(PagerError::Misuse("no write transaction"));
        }
        if !file_journal || self.memory || self.wal.is_some() {
            return Err(PagerError::Unsupported(
                "changing the page size with VACUUM in this journal mode is not supported by \
                 loom yet",
            ));
        }
        if !new_size.is_power_of_two() || !(512..=65536).contains(&new_size) {
            return Err(PagerError::Misuse("bad page size"));
        }
        let old_counter = self.page1_counter()?;
        self.journal_whole_file()
            .and_then(|()| self.write_new_file(new_size, n, old_counter, src))
            .map_err(|e| self.sticky(e))?;
        if let Some(j) = self.jrnl.file.take() {
            self.finalize_journal_file(j).map_err(|e| self.sticky(e))?;
        }
        self.cache.discard_dirty();
        self.set_geometry(new_size, self.reserved);
        self.cache.reset(new_size);
        self.db_size = n;
        self.db_orig_size = n;
        self.db_file_size = n;
        self.db_written = false;
        self.counter_bumped = false;
        self.jrnl = Default::default();
        self.savepoints.clear();
        self.file_vers = [0xff; 16];
        Ok(())
    }

    /// The change counter of page 1 as the transaction sees it.
    fn page1_counter(&mut self) -> Result<u32, PagerError> {
        if self.db_size == 0 {
            return Ok(0);
        }
        let r = self.get(1)?;
        let d = self.data(r)?;
        Ok(d.get(24..28)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_be_bytes))
    }

    /// Step 1: every page of the file gets its original journaled.
    fn journal_whole_file(&mut self) -> Result<(), PagerError> {
        self.open_journal()?;
        let lock_page = lock_byte_page(self.page_size);
        let mut buf = vec![0u8; self.page_size];
        for pgno in 1..=self.db_orig_size {
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

    /// Steps 2–3.
    fn write_new_file(
        &mut self,
        new_size: usize,
        n: Pgno,
        old_counter: u32,
        src: &mut PageSource<'_>,
    ) -> Result<(), PagerError> {
        self.sync_journal_segment()?;
        self.retry_busy(|p| p.fd.lock(LockLevel::Exclusive).map_err(from_vfs))?;
        self.db_written = true;
        let lock_page = lock_byte_page(new_size);
        let mut buf = vec![0u8; new_size];
        for pgno in 1..=n {
            if pgno == lock_page {
                continue;
            }
            buf.fill(0);
            src(pgno, &mut buf)?;
            if pgno == 1 {
                let counter = old_counter.wrapping_add(1).to_be_bytes();
                buf[24..28].copy_from_slice(&counter);
                buf[92..96].copy_from_slice(&counter);
                buf[96..100].copy_from_slice(&SQLITE_VERSION_NUMBER.to_be_bytes());
            }
            self.fd.write(&buf, u64::from(pgno - 1) * new_size as u64)?;
        }
        let end = u64::from(n) * new_size as u64;
        if self.fd.file_size()? > end {
            self.fd.truncate(end)?;
        }
        if self.sync != Synchronous::Off {
            self.fd.sync(self.db_sync_flags())?;
        }
        Ok(())
    }
}
