//! Pointer-map pages: the reverse index of auto-vacuum databases.
//!
//! SQLite counterpart: `ptrmapPageno`, `ptrmapPut`, `ptrmapGet` and the
//! `PTRMAP_*` constants (btree.c / btreeInt.h); fileformat2 §1.7.
//!
//! In an auto-vacuum database (header offset 52 — the largest root page —
//! is non-zero) page 2 and every `U/5 + 1`-th page after it (U = usable
//! size) is a pointer-map page. Each holds `U/5` five-byte entries, one per
//! following page, telling what the page is and who points at it:
//!
//! | entry offset | size | field |
//! |---|---|---|
//! | 5·(p − m − 1) | 1 | type of page p (1..5, below) |
//! | +1 | 4 | parent page number (big-endian; 0 for roots and free pages) |
//!
//! (m = the pointer-map page covering p.)
//!
//! | type | meaning | parent |
//! |---|---|---|
//! | 1 | b-tree root page | 0 |
//! | 2 | freelist page (trunk or leaf) | 0 |
//! | 3 | first page of an overflow chain | the b-tree page holding the cell |
//! | 4 | later page of an overflow chain | the previous overflow page |
//! | 5 | non-root b-tree page | the parent b-tree page |
//!
//! Invariants:
//! 1. Pointer-map pages are never b-tree, overflow or freelist pages; page
//!    allocation at the end of the file skips them, as it skips the
//!    lock-byte page (which, if it would be a pointer-map page, moves the
//!    pointer-map page one further).
//! 2. Entries are made exact lazily: every b-tree page changed in the
//!    write transaction is remembered (`ptrmap_dirty`) and its children
//!    and overflow heads are re-entered by [`Btree::ptrmap_sync`] before
//!    anything reads the map (page relocation, commit, integrity checks).
//!    Roots, free pages and overflow continuation pages are entered at once.

use std::collections::BTreeSet;

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{get_u32, put_u32, PageView};
use super::store::PageStore;
use super::Btree;

/// Entry type: a b-tree root page.
pub(crate) const PTRMAP_ROOTPAGE: u8 = 1;
/// Entry type: a freelist page.
pub(crate) const PTRMAP_FREEPAGE: u8 = 2;
/// Entry type: the first page of an overflow chain.
pub(crate) const PTRMAP_OVERFLOW1: u8 = 3;
/// Entry type: a later page of an overflow chain.
pub(crate) const PTRMAP_OVERFLOW2: u8 = 4;
/// Entry type: a non-root b-tree page.
pub(crate) const PTRMAP_BTREE: u8 = 5;

/// The lock-byte ("pending byte") page for a page size.
pub(crate) fn pending_byte_page(page_size: usize) -> Pgno {
    (0x4000_0000 / page_size.max(512) + 1) as Pgno
}

/// The pointer-map page holding the entry of page `pgno` (0 for page 1).
pub(crate) fn ptrmap_pageno(usable: usize, page_size: usize, pgno: Pgno) -> Pgno {
    if pgno < 2 {
        return 0;
    }
    let per = (usable / 5 + 1) as Pgno;
    let first = (pgno - 2) / per * per + 2;
    if first == pending_byte_page(page_size) {
        first + 1
    } else {
        first
    }
}

/// True when `pgno` is a pointer-map page.
pub(crate) fn is_ptrmap_page(usable: usize, page_size: usize, pgno: Pgno) -> bool {
    pgno >= 2 && ptrmap_pageno(usable, page_size, pgno) == pgno
}

/// The size in pages an auto-vacuum database of `n_orig` pages with
/// `n_free` free pages has once all free pages are removed (SQLite's
/// `finalDbSize`).
pub(crate) fn final_db_size(usable: usize, page_size: usize, n_orig: Pgno, n_free: Pgno) -> Pgno {
    let entries = (usable / 5) as i64;
    let orig = i64::from(n_orig);
    let free = i64::from(n_free);
    let pm_of_orig = i64::from(ptrmap_pageno(usable, page_size, n_orig));
    let n_ptrmap = (free - orig + pm_of_orig + entries) / entries;
    let mut fin = orig - free - n_ptrmap;
    let pending = i64::from(pending_byte_page(page_size));
    if orig > pending && fin < pending {
        fin -= 1;
    }
    while fin > 1 && (is_ptrmap_page(usable, page_size, fin as Pgno) || fin == pending) {
        fin -= 1;
    }
    fin.max(1) as Pgno
}

/// Auto-vacuum state of a b-tree (SQLite's `autoVacuum`/`incrVacuum`).
#[derive(Debug, Default, Clone)]
pub(crate) struct PtrmapState {
    /// B-tree pages modified in this transaction whose children and
    /// overflow heads still need their pointer-map entries refreshed.
    pub dirty: BTreeSet<Pgno>,
    /// A savepoint was rolled back: re-derive every lazily kept entry.
    pub rebuild: bool,
}

impl<S: PageStore> Btree<S> {
    /// True when the database is in auto-vacuum mode (FULL or INCREMENTAL).
    pub(crate) fn autovacuum(&mut self) -> Result<bool, BtreeError> {
        if self.pager.page_count() == 0 {
            return Ok(false);
        }
        Ok(get_u32(self.pager.read(1)?, 52) != 0)
    }

    /// True when the database is in incremental-vacuum mode.
    pub(crate) fn incremental(&mut self) -> Result<bool, BtreeError> {
        if self.pager.page_count() == 0 {
            return Ok(false);
        }
        let p1 = self.pager.read(1)?;
        Ok(get_u32(p1, 52) != 0 && get_u32(p1, 64) != 0)
    }

    fn ptrmap_geometry(&self) -> (usize, usize) {
        (self.pager.usable_size(), self.pager.page_size())
    }

    /// True when `pgno` is a pointer-map page of this database.
    pub(crate) fn is_ptrmap(&self, pgno: Pgno) -> bool {
        let (u, p) = self.ptrmap_geometry();
        is_ptrmap_page(u, p, pgno)
    }

    /// Writes the entry of page `pgno`.
    pub(crate) fn ptrmap_put(
        &mut self,
        pgno: Pgno,
        kind: u8,
        parent: Pgno,
    ) -> Result<(), BtreeError> {
        let (u, p) = self.ptrmap_geometry();
        let map = ptrmap_pageno(u, p, pgno);
        if map == 0 || map == pgno || map > self.pager.page_count() {
            return Err(corrupt(pgno, "no pointer-map entry for page"));
        }
        let at = 5 * (pgno - map - 1) as usize;
        {
            let d = self.pager.read(map)?;
            if d.get(at) == Some(&kind) && get_u32(d, at + 1) == parent {
                return Ok(());
            }
        }
        let d = self.pager.write(map)?;
        let slot = d
            .get_mut(at..at + 5)
            .ok_or(corrupt(map, "pointer-map entry past page end"))?;
        slot[0] = kind;
        put_u32(slot, 1, parent);
        Ok(())
    }

    /// Reads the entry of page `pgno`: (type, parent).
    pub(crate) fn ptrmap_get(&mut self, pgno: Pgno) -> Result<(u8, Pgno), BtreeError> {
        let (kind, parent) = self.ptrmap_get_raw(pgno)?;
        if !(PTRMAP_ROOTPAGE..=PTRMAP_BTREE).contains(&kind) {
            return Err(corrupt(pgno, "bad pointer-map entry type"));
        }
        Ok((kind, parent))
    }

    /// Reads the entry of page `pgno` without validating its type.
    fn ptrmap_get_raw(&mut self, pgno: Pgno) -> Result<(u8, Pgno), BtreeError> {
        let (u, p) = self.ptrmap_geometry();
        let map = ptrmap_pageno(u, p, pgno);
        if map == 0 || map == pgno || map > self.pager.page_count() {
            return Err(corrupt(pgno, "no pointer-map entry for page"));
        }
        let at = 5 * (pgno - map - 1) as usize;
        let d = self.pager.read(map)?;
        let kind = *d
            .get(at)
            .ok_or(corrupt(map, "pointer-map entry past page end"))?;
        Ok((kind, get_u32(d, at + 1)))
    }

    /// Remembers that b-tree page `pgno` changed (auto-vacuum only).
    pub(crate) fn ptrmap_touch(&mut self, pgno: Pgno) {
        if self.av_cached {
            self.ptrmap.dirty.insert(pgno);
        }
    }

    /// Forgets a page that stopped being a b-tree page.
    pub(crate) fn ptrmap_forget(&mut self, pgno: Pgno) {
        self.ptrmap.dirty.remove(&pgno);
    }

    /// Re-enters the children and overflow heads of every b-tree page
    /// changed since the last sync.
    pub(crate) fn ptrmap_sync(&mut self) -> Result<(), BtreeError> {
        let dirty = std::mem::take(&mut self.ptrmap.dirty);
        if !self.autovacuum()? {
            return Ok(());
        }
        if std::mem::take(&mut self.ptrmap.rebuild) {
            return self.ptrmap_rebuild();
        }
        for pgno in dirty {
            if pgno > self.pager.page_count() {
                continue;
            }
            self.ptrmap_fix_children(pgno)?;
        }
        Ok(())
    }

    /// Re-enters the child and overflow-head entries of every tree (roots
    /// are found through their own entries, which are always exact).
    fn ptrmap_rebuild(&mut self) -> Result<(), BtreeError> {
        let n = self.pager.page_count();
        let mut roots = vec![1];
        for p in 3..=n {
            if self.is_ptrmap(p) || p == pending_byte_page(self.pager.page_size()) {
                continue;
            }
            if self.ptrmap_get_raw(p)?.0 == PTRMAP_ROOTPAGE {
                roots.push(p);
            }
        }
        for root in roots {
            self.ptrmap_walk(root, 0)?;
        }
        Ok(())
    }

    fn ptrmap_walk(&mut self, pgno: Pgno, depth: usize) -> Result<(), BtreeError> {
        if depth > super::tree::MAX_DEPTH {
            return Err(corrupt(pgno, "tree too deep"));
        }
        self.ptrmap_fix_children(pgno)?;
        let usable = self.pager.usable_size();
        let children: Vec<Pgno> = {
            let v = PageView::parse(self.pager.read(pgno)?, pgno, usable)?;
            if v.is_leaf() {
                Vec::new()
            } else {
                (0..=v.ncell)
                    .map(|i| v.child(i))
                    .collect::<Result<_, _>>()?
            }
        };
        for c in children {
            self.ptrmap_walk(c, depth + 1)?;
        }
        Ok(())
    }

    /// Points the entries of the children and overflow heads of b-tree
    /// page `pgno` at it.
    pub(crate) fn ptrmap_fix_children(&mut self, pgno: Pgno) -> Result<(), BtreeError> {
        let usable = self.pager.usable_size();
        let mut refs = Vec::new();
        {
            let v = PageView::parse(self.pager.read(pgno)?, pgno, usable)?;
            for i in 0..v.ncell {
                let c = v.cell(i)?;
                if !v.is_leaf() {
                    refs.push((c.child, PTRMAP_BTREE));
                }
                if c.overflow != 0 {
                    refs.push((c.overflow, PTRMAP_OVERFLOW1));
                }
            }
            if !v.is_leaf() {
                refs.push((v.right_child(), PTRMAP_BTREE));
            }
        }
        for (child, kind) in refs {
            self.check_pgno(child, pgno)?;
            self.ptrmap_put(child, kind, pgno)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ptrmap_page_positions() {
        // 1024-byte pages: 204 entries per map page, so map pages are
        // 2, 207, 412, …
        assert_eq!(ptrmap_pageno(1024, 1024, 1), 0);
        assert_eq!(ptrmap_pageno(1024, 1024, 2), 2);
        assert_eq!(ptrmap_pageno(1024, 1024, 3), 2);
        assert_eq!(ptrmap_pageno(1024, 1024, 206), 2);
        assert_eq!(ptrmap_pageno(1024, 1024, 207), 207);
        assert_eq!(ptrmap_pageno(1024, 1024, 208), 207);
        assert_eq!(ptrmap_pageno(1024, 1024, 412), 412);
        assert!(is_ptrmap_page(1024, 1024, 207));
        assert!(!is_ptrmap_page(1024, 1024, 208));
        assert!(!is_ptrmap_page(1024, 1024, 1));
        // 4096-byte pages: 819 entries, map pages 2, 822, 1642.
        assert_eq!(ptrmap_pageno(4096, 4096, 821), 2);
        assert_eq!(ptrmap_pageno(4096, 4096, 822), 822);
        assert_eq!(ptrmap_pageno(4096, 4096, 1643), 1642);
        // Reserved bytes shrink the usable size and so the stride.
        assert_eq!(ptrmap_pageno(1000, 1024, 202), 2);
        assert_eq!(ptrmap_pageno(1000, 1024, 203), 203);
    }

    #[test]
    fn ptrmap_skips_pending_byte_page() {
        assert_eq!(pending_byte_page(65536), 16385);
        assert_eq!(pending_byte_page(4096), 262145);
        assert_eq!(pending_byte_page(1024), 1_048_577);
        // 1024-byte pages with 200 reserved bytes: 164 entries, stride 165,
        // and 1048577 = 2 + 165·6355 would be a map page: it moves to 1048578.
        assert_eq!(ptrmap_pageno(824, 1024, 1_048_577), 1_048_578);
        assert_eq!(ptrmap_pageno(824, 1024, 1_048_579), 1_048_578);
        assert!(is_ptrmap_page(824, 1024, 1_048_578));
        assert!(!is_ptrmap_page(824, 1024, 1_048_577));
    }

    #[test]
    fn final_size_matches_sqlite_formula() {
        // 10 pages, 3 free, 1024-byte pages: one map page remains.
        assert_eq!(final_db_size(1024, 1024, 10, 3), 7);
        // Everything but page 1, page 2 (map) and one root is free.
        assert_eq!(final_db_size(1024, 1024, 20, 17), 3);
        // Crossing a map-page boundary: 210 pages (map pages 2 and 207),
        // 5 free → 205 pages, and page 205 is not a map page.
        assert_eq!(final_db_size(1024, 1024, 210, 5), 204);
    }
}
