//! The freelist: where freed pages wait for reuse.
//!
//! SQLite counterpart: `allocateBtreePage` and `freePage2` (btree.c).
//!
//! Layout (fileformat2 §1.5): the database header holds the first trunk
//! page (offset 32) and the total number of freelist pages (offset 36).
//!
//! | trunk offset | size | field |
//! |---|---|---|
//! | 0 | 4 | next trunk page (0 = last) |
//! | 4 | 4 | number L of leaf page numbers that follow |
//! | 8 | 4·L | leaf page numbers |
//!
//! Invariants:
//! 1. A trunk never holds more than `usable/4 - 8` leaves when loom writes
//!    it (SQLite's compatibility limit), and is rejected as corrupt when it
//!    claims more than `usable/4 - 2`.
//! 2. Allocation takes the last leaf of the first trunk, or the trunk page
//!    itself when it has no leaves; only an empty freelist grows the file.
//! 3. Pages handed out by allocation are zero-filled.

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{get_u32, put_u32};
use super::store::PageStore;
use super::Btree;

impl<S: PageStore> Btree<S> {
    /// Returns a page for new content: from the freelist when possible,
    /// else appended to the file.
    pub(crate) fn allocate_page(&mut self) -> Result<Pgno, BtreeError> {
        let (trunk, count) = {
            let p1 = self.pager.read(1)?;
            (get_u32(p1, 32), get_u32(p1, 36))
        };
        if count == 0 || trunk == 0 {
            let pg = self.pager.allocate()?;
            if self.av_cached && self.is_ptrmap(pg) {
                return self.pager.allocate();
            }
            return Ok(pg);
        }
        self.check_pgno(trunk, 1)?;
        let usable = self.pager.usable_size();
        let (next, n) = {
            let t = self.pager.read(trunk)?;
            (get_u32(t, 0), get_u32(t, 4) as usize)
        };
        if n > usable / 4 - 2 {
            return Err(corrupt(trunk, "freelist trunk leaf count too large"));
        }
        let pgno = if n > 0 {
            let t = self.pager.write(trunk)?;
            let leaf = get_u32(t, 8 + 4 * (n - 1));
            put_u32(t, 4, (n - 1) as u32);
            self.check_pgno(leaf, trunk)?;
            leaf
        } else {
            let p1 = self.pager.write(1)?;
            put_u32(p1, 32, next);
            trunk
        };
        let p1 = self.pager.write(1)?;
        put_u32(p1, 36, count - 1);
        self.pager.write(pgno)?.fill(0);
        Ok(pgno)
    }

    /// Puts page `pgno` on the freelist.
    pub(crate) fn free_page(&mut self, pgno: Pgno) -> Result<(), BtreeError> {
        if pgno < 2 {
            return Err(corrupt(pgno, "attempt to free page 1 or 0"));
        }
        self.check_pgno(pgno, pgno)?;
        self.ptrmap_forget(pgno);
        if self.av_cached {
            self.ptrmap_put(pgno, super::ptrmap::PTRMAP_FREEPAGE, 0)?;
        }
        let (trunk, count) = {
            let p1 = self.pager.read(1)?;
            (get_u32(p1, 32), get_u32(p1, 36))
        };
        let usable = self.pager.usable_size();
        if trunk != 0 {
            self.check_pgno(trunk, 1)?;
            let n = get_u32(self.pager.read(trunk)?, 4) as usize;
            if n < usable / 4 - 8 {
                let t = self.pager.write(trunk)?;
                put_u32(t, 8 + 4 * n, pgno);
                put_u32(t, 4, (n + 1) as u32);
                put_u32(self.pager.write(1)?, 36, count + 1);
                return Ok(());
            }
        }
        let page = self.pager.write(pgno)?;
        put_u32(page, 0, trunk);
        put_u32(page, 4, 0);
        let p1 = self.pager.write(1)?;
        put_u32(p1, 32, pgno);
        put_u32(p1, 36, count + 1);
        Ok(())
    }

    /// Checks that `pgno` names an existing page (else corruption found
    /// while reading page `from`).
    pub(crate) fn check_pgno(&self, pgno: Pgno, from: Pgno) -> Result<(), BtreeError> {
        if pgno < 1 || pgno > self.pager.page_count() {
            return Err(corrupt(from, "page number out of range"));
        }
        Ok(())
    }
}
