//! The page store the b-tree runs on: the subset of the pager it needs.
//!
//! SQLite counterpart: the `sqlite3Pager*` calls btree.c makes
//! (`sqlite3PagerGet`, `sqlite3PagerWrite`, `sqlite3PagerCommitPhaseOne`…).
//!
//! The b-tree is generic over [`PageStore`] so that it can be tested on a
//! plain in-memory store; the production implementation is the pager.
//!
//! Invariants:
//! 1. `read` returns exactly `page_size()` bytes of page `pgno`
//!    (1 ≤ pgno ≤ `page_count()`); `write` returns the same bytes, writable,
//!    after journaling the page.
//! 2. `allocate` appends a zeroed page and returns its number.

use super::error::{BtreeError, Pgno};
use crate::pager::Pager;

/// What the b-tree needs from the pager.
pub trait PageStore {
    /// Pages in the database.
    fn page_count(&self) -> Pgno;
    /// Page size in bytes.
    fn page_size(&self) -> usize;
    /// Page size minus the reserved bytes at the end of each page.
    fn usable_size(&self) -> usize;
    /// Read access to page `pgno`.
    fn read(&mut self, pgno: Pgno) -> Result<&[u8], BtreeError>;
    /// Write access to page `pgno` (journals it first).
    fn write(&mut self, pgno: Pgno) -> Result<&mut [u8], BtreeError>;
    /// Appends a zeroed page.
    fn allocate(&mut self) -> Result<Pgno, BtreeError>;
    /// Shrinks the database to `n` pages (auto-vacuum).
    fn truncate(&mut self, n: Pgno) -> Result<(), BtreeError>;
    /// Starts a read transaction.
    fn begin_read(&mut self) -> Result<(), BtreeError>;
    /// Ends a read transaction.
    fn end_read(&mut self);
    /// Starts a write transaction.
    fn begin_write(&mut self, exclusive: bool) -> Result<(), BtreeError>;
    /// Commits the write transaction.
    fn commit(&mut self) -> Result<(), BtreeError>;
    /// Commit phase one of a multi-database commit: everything but the
    /// journal's finalization, with a pointer to `super_journal`.
    fn commit_phase_one(
        &mut self,
        super_journal: Option<&std::path::Path>,
    ) -> Result<(), BtreeError> {
        let _ = super_journal;
        Ok(())
    }
    /// Commit phase two: finishes the commit.
    fn commit_phase_two(&mut self) -> Result<(), BtreeError> {
        self.commit()
    }
    /// Rolls back the write transaction.
    fn rollback(&mut self) -> Result<(), BtreeError>;
}

impl PageStore for Pager {
    fn page_count(&self) -> Pgno {
        Pager::page_count(self)
    }
    fn page_size(&self) -> usize {
        Pager::page_size(self)
    }
    fn usable_size(&self) -> usize {
        Pager::usable_size(self)
    }
    #[inline]
    fn read(&mut self, pgno: Pgno) -> Result<&[u8], BtreeError> {
        Ok(self.read_page(pgno)?)
    }
    fn write(&mut self, pgno: Pgno) -> Result<&mut [u8], BtreeError> {
        let r = self.get(pgno)?;
        Ok(self.data_mut(r)?)
    }
    fn allocate(&mut self) -> Result<Pgno, BtreeError> {
        Ok(Pager::allocate(self)?.0)
    }
    fn truncate(&mut self, n: Pgno) -> Result<(), BtreeError> {
        Ok(Pager::truncate_to(self, n)?)
    }
    fn begin_read(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::begin_read(self)?)
    }
    fn end_read(&mut self) {
        Pager::end_read(self)
    }
    fn begin_write(&mut self, exclusive: bool) -> Result<(), BtreeError> {
        Ok(Pager::begin_write(self, exclusive)?)
    }
    fn commit(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::commit(self)?)
    }
    fn commit_phase_one(
        &mut self,
        super_journal: Option<&std::path::Path>,
    ) -> Result<(), BtreeError> {
        Ok(Pager::commit_phase_one(self, super_journal)?)
    }
    fn commit_phase_two(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::commit_phase_two(self)?)
    }
    fn rollback(&mut self) -> Result<(), BtreeError> {
        Ok(Pager::rollback(self)?)
    }
}

/// A trivial in-memory page store for unit tests (no journaling:
/// `rollback` restores a snapshot taken at `begin_write`).
#[cfg(test)]
#[derive(Debug, Clone)]
pub(crate) struct MemStore {
    pub pages: Vec<Vec<u8>>,
    pub page_size: usize,
    pub reserved: usize,
    snapshot: Option<Vec<Vec<u8>>>,
}

#[cfg(test)]
impl MemStore {
    pub fn new(page_size: usize, reserved: usize) -> MemStore {
        MemStore {
            pages: Vec::new(),
            page_size,
            reserved,
            snapshot: None,
        }
    }
}

#[cfg(test)]
impl PageStore for MemStore {
    fn page_count(&self) -> Pgno {
        self.pages.len() as Pgno
    }
    fn page_size(&self) -> usize {
        self.page_size
    }
    fn usable_size(&self) -> usize {
        self.page_size - self.reserved
    }
    fn read(&mut self, pgno: Pgno) -> Result<&[u8], BtreeError> {
        let i = (pgno as usize)
            .checked_sub(1)
            .ok_or(super::error::corrupt(pgno, "page 0"))?;
        self.pages
            .get(i)
            .map(|p| p.as_slice())
            .ok_or(super::error::corrupt(pgno, "no such page"))
    }
    fn write(&mut self, pgno: Pgno) -> Result<&mut [u8], BtreeError> {
        let i = (pgno as usize)
            .checked_sub(1)
            .ok_or(super::error::corrupt(pgno, "page 0"))?;
        self.pages
            .get_mut(i)
            .map(|p| p.as_mut_slice())
            .ok_or(super::error::corrupt(pgno, "no such page"))
    }
    fn allocate(&mut self) -> Result<Pgno, BtreeError> {
        self.pages.push(vec![0; self.page_size]);
        Ok(self.pages.len() as Pgno)
    }
    fn truncate(&mut self, n: Pgno) -> Result<(), BtreeError> {
        self.pages.truncate(n as usize);
        Ok(())
    }
    fn begin_read(&mut self) -> Result<(), BtreeError> {
        Ok(())
    }
    fn end_read(&mut self) {}
    fn begin_write(&mut self, _exclusive: bool) -> Result<(), BtreeError> {
        self.snapshot = Some(self.pages.clone());
        Ok(())
    }
    fn commit(&mut self) -> Result<(), BtreeError> {
        // Stamp the header as the pager does (change counter, size,
        // version-valid-for, version number).
        let n = self.pages.len() as u32;
        if let Some(p1) = self.pages.first_mut() {
            let counter = u32::from_be_bytes([p1[24], p1[25], p1[26], p1[27]]).wrapping_add(1);
            p1[24..28].copy_from_slice(&counter.to_be_bytes());
            p1[28..32].copy_from_slice(&n.to_be_bytes());
            p1[92..96].copy_from_slice(&counter.to_be_bytes());
            p1[96..100].copy_from_slice(&3_040_001u32.to_be_bytes());
        }
        self.snapshot = None;
        Ok(())
    }
    fn rollback(&mut self) -> Result<(), BtreeError> {
        if let Some(s) = self.snapshot.take() {
            self.pages = s;
        }
        Ok(())
    }
}
