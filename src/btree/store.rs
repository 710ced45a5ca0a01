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
    /// Starts a read transaction.
    fn begin_read(&mut self) -> Result<(), BtreeError>;
    /// Ends a read transaction.
    fn end_read(&mut self);
    /// Starts a write transaction.
    fn begin_write(&mut self, exclusive: bool) -> Result<(), BtreeError>;
    /// Commits the write transaction.
    fn commit(&mut self) -> Result<(), BtreeError>;
    /// Rolls back the write transaction.
    fn rollback(&mut self) -> Result<(), BtreeError>;
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

    /// Loads a database image (e.g. a file written by the sqlite3 shell).
    pub fn from_bytes(bytes: &[u8]) -> MemStore {
        let ps = match u16::from_be_bytes([bytes[16], bytes[17]]) {
            1 => 65536,
            n => n as usize,
        };
        let reserved = bytes[20] as usize;
        let pages = bytes.chunks(ps).map(|c| c.to_vec()).collect();
        MemStore {
            pages,
            page_size: ps,
            reserved,
            snapshot: None,
        }
    }

    /// The database image.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.pages.concat()
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
    fn begin_read(&mut self) -> Result<(), BtreeError> {
        Ok(())
    }
    fn end_read(&mut self) {}
    fn begin_write(&mut self, _exclusive: bool) -> Result<(), BtreeError> {
        self.snapshot = Some(self.pages.clone());
        Ok(())
    }
    fn commit(&mut self) -> Result<(), BtreeError> {
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
