//! Auto-vacuum: keeping root pages at the front of the file, moving pages
//! and truncating free pages away.
//!
//! SQLite counterpart: `relocatePage`, `modifyPagePointer`,
//! `incrVacuumStep`, `autoVacuumCommit`, `sqlite3BtreeIncrVacuum`, the
//! auto-vacuum branches of `btreeCreateTable` and `btreeDropTable`, and
//! `allocateBtreePage` in `BTALLOC_EXACT` mode (btree.c).
//!
//! Header fields (fileformat2 §1.3):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 52 | 4 | largest root page (0 = not an auto-vacuum database) |
//! | 64 | 4 | incremental-vacuum flag (non-zero = INCREMENTAL, else FULL) |
//!
//! Invariants:
//! 1. Every root page number is ≤ the largest root page; creating a tree
//!    uses the first non-pointer-map page after it, moving whatever
//!    occupies that page elsewhere.
//! 2. Dropping a tree that is not the last root moves the last root into
//!    the freed slot; the caller rewrites sqlite_schema (the moved-from
//!    page number is returned).
//! 3. Relocating a page rewrites the one pointer to it (found through the
//!    pointer map) and the pointer-map entries of everything it points to.
//! 4. In FULL mode a commit leaves no free pages: pages past the final size
//!    are moved into free slots below it and the file is truncated.

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{get_u32, put_u32, write_page, PageView};
use super::ptrmap::{
    final_db_size, pending_byte_page, PTRMAP_BTREE, PTRMAP_FREEPAGE, PTRMAP_OVERFLOW1,
    PTRMAP_OVERFLOW2, PTRMAP_ROOTPAGE,
};
use super::store::PageStore;
use super::tree::leaf_flags;
use super::{Btree, TreeKind};

impl<S: PageStore> Btree<S> {
    fn pending_page(&self) -> Pgno {
        pending_byte_page(self.pager.page_size())
    }

    /// True for pages that hold neither b-tree nor freelist content.
    fn is_special(&self, pgno: Pgno) -> bool {
        self.is_ptrmap(pgno) || pgno == self.pending_page()
    }

    /// Creates a tree in an auto-vacuum database: its root is the first
    /// usable page after the current largest root.
    pub(crate) fn create_tree_av(&mut self, kind: TreeKind) -> Result<Pgno, BtreeError> {
        self.ptrmap_sync()?;
        let mut root = get_u32(self.pager.read(1)?, 52) + 1;
        while self.is_special(root) {
            root += 1;
        }
        if root > self.pager.page_count() {
            while self.pager.page_count() < root {
                self.pager.allocate()?;
            }
        } else {
            let (kind_now, parent) = self.ptrmap_get(root)?;
            match kind_now {
                PTRMAP_ROOTPAGE => return Err(corrupt(root, "root page in use")),
                PTRMAP_FREEPAGE => self.allocate_exact(root)?,
                _ => {
                    let dst = self.allocate_page()?;
                    self.relocate_page(root, kind_now, parent, dst)?;
                }
            }
        }
        let usable = self.pager.usable_size();
        let data = self.pager.write(root)?;
        data.fill(0);
        write_page(data, root, usable, leaf_flags(kind), &[], 0);
        self.ptrmap_put(root, PTRMAP_ROOTPAGE, 0)?;
        put_u32(self.pager.write(1)?, 52, root);
        Ok(root)
    }

    /// Frees the (already cleared) root `root` of an auto-vacuum database;
    /// returns the page the last root was moved from into `root`, or 0.
    pub(crate) fn drop_root_av(&mut self, root: Pgno) -> Result<Pgno, BtreeError> {
        self.ptrmap_sync()?;
        let max = get_u32(self.pager.read(1)?, 52);
        if root > max {
            return Err(corrupt(root, "root page above the largest root"));
        }
        let moved = if root == max {
            self.free_page(root)?;
            0
        } else {
            self.relocate_page(max, PTRMAP_ROOTPAGE, 0, root)?;
            self.free_page(max)?;
            max
        };
        let mut m = max - 1;
        while m > 1 && self.is_special(m) {
            m -= 1;
        }
        put_u32(self.pager.write(1)?, 52, m.max(1));
        self.invalidate_cursors();
        Ok(moved)
    }

    /// Moves the content of page `src` (of pointer-map type `kind`, pointed
    /// to from `parent`) to page `dst`, fixing every pointer involved.
    pub(crate) fn relocate_page(
        &mut self,
        src: Pgno,
        kind: u8,
        parent: Pgno,
        dst: Pgno,
    ) -> Result<(), BtreeError> {
        if src < 3 || dst < 2 || src == dst {
            return Err(corrupt(src, "cannot relocate page"));
        }
        self.ptrmap_forget(src);
        let content = self.pager.read(src)?.to_vec();
        self.pager.write(dst)?.copy_from_slice(&content);
        match kind {
            PTRMAP_BTREE | PTRMAP_ROOTPAGE => self.ptrmap_fix_children(dst)?,
            PTRMAP_OVERFLOW1 | PTRMAP_OVERFLOW2 => {
                let next = get_u32(&content, 0);
                if next != 0 {
                    self.check_pgno(next, src)?;
                    self.ptrmap_put(next, PTRMAP_OVERFLOW2, dst)?;
                }
            }
            _ => return Err(corrupt(src, "cannot relocate a free page")),
        }
        self.ptrmap_put(dst, kind, parent)?;
        if kind != PTRMAP_ROOTPAGE {
            self.check_pgno(parent, src)?;
            self.modify_page_pointer(parent, src, dst, kind)?;
        }
        self.invalidate_cursors();
        Ok(())
    }

    /// Rewrites the pointer to `from` on page `pgno` to point at `to`.
    fn modify_page_pointer(
        &mut self,
        pgno: Pgno,
        from: Pgno,
        to: Pgno,
        kind: u8,
    ) -> Result<(), BtreeError> {
        if kind == PTRMAP_OVERFLOW2 {
            let d = self.pager.write(pgno)?;
            if get_u32(d, 0) != from {
                return Err(corrupt(pgno, "overflow chain does not point at page"));
            }
            put_u32(d, 0, to);
            return Ok(());
        }
        let usable = self.pager.usable_size();
        let at = {
            let v = PageView::parse(self.pager.read(pgno)?, pgno, usable)?;
            let mut found = None;
            for i in 0..v.ncell {
                let c = v.cell(i)?;
                if kind == PTRMAP_OVERFLOW1 && c.overflow == from {
                    found = Some(c.offset + c.len - 4);
                    break;
                }
                if kind == PTRMAP_BTREE && !v.is_leaf() && c.child == from {
                    found = Some(c.offset);
                    break;
                }
            }
            if found.is_none() && kind == PTRMAP_BTREE && !v.is_leaf() && v.right_child() == from {
                found = Some(v.hdr + 8);
            }
            found.ok_or(corrupt(pgno, "parent does not point at relocated page"))?
        };
        put_u32(self.pager.write(pgno)?, at, to);
        Ok(())
    }

    /// Removes page `pgno` from the freelist (SQLite's exact allocation).
    pub(crate) fn allocate_exact(&mut self, pgno: Pgno) -> Result<(), BtreeError> {
        let (mut trunk, count) = {
            let p1 = self.pager.read(1)?;
            (get_u32(p1, 32), get_u32(p1, 36))
        };
        let usable = self.pager.usable_size();
        let mut prev: Pgno = 0;
        for _ in 0..=self.pager.page_count() {
            if trunk == 0 {
                break;
            }
            self.check_pgno(trunk, prev.max(1))?;
            let (next, leaves) = {
                let t = self.pager.read(trunk)?;
                let n = get_u32(t, 4) as usize;
                if n > usable / 4 - 2 {
                    return Err(corrupt(trunk, "freelist trunk leaf count too large"));
                }
                let leaves: Vec<Pgno> = (0..n).map(|i| get_u32(t, 8 + 4 * i)).collect();
                (get_u32(t, 0), leaves)
            };
            if trunk == pgno {
                let new_link = match leaves.split_first() {
                    None => next,
                    Some((&first, rest)) => {
                        self.check_pgno(first, trunk)?;
                        let t = self.pager.write(first)?;
                        t.fill(0);
                        put_u32(t, 0, next);
                        put_u32(t, 4, rest.len() as u32);
                        for (i, &l) in rest.iter().enumerate() {
                            put_u32(t, 8 + 4 * i, l);
                        }
                        first
                    }
                };
                self.set_trunk_link(prev, new_link)?;
                return self.finish_exact(pgno, count);
            }
            if let Some(i) = leaves.iter().position(|&l| l == pgno) {
                let last = leaves.len() - 1;
                let t = self.pager.write(trunk)?;
                put_u32(t, 8 + 4 * i, leaves[last]);
                put_u32(t, 4, last as u32);
                return self.finish_exact(pgno, count);
            }
            prev = trunk;
            trunk = next;
        }
        Err(corrupt(pgno, "page is not on the freelist"))
    }

    fn set_trunk_link(&mut self, prev: Pgno, to: Pgno) -> Result<(), BtreeError> {
        if prev == 0 {
            put_u32(self.pager.write(1)?, 32, to);
        } else {
            put_u32(self.pager.write(prev)?, 0, to);
        }
        Ok(())
    }

    fn finish_exact(&mut self, pgno: Pgno, count: u32) -> Result<(), BtreeError> {
        put_u32(self.pager.write(1)?, 36, count.saturating_sub(1));
        self.pager.write(pgno)?.fill(0);
        Ok(())
    }

    /// One step of vacuuming: makes page `last` unused, moving its content
    /// into a free page (at or below `fin` when `commit`).
    fn vacuum_step(&mut self, fin: Pgno, last: Pgno, commit: bool) -> Result<(), BtreeError> {
        if self.is_special(last) {
            return Ok(());
        }
        if get_u32(self.pager.read(1)?, 36) == 0 {
            return Ok(());
        }
        let (kind, parent) = self.ptrmap_get(last)?;
        match kind {
            PTRMAP_ROOTPAGE => Err(corrupt(last, "root page past the vacuumed size")),
            PTRMAP_FREEPAGE if commit => Ok(()),
            PTRMAP_FREEPAGE => self.allocate_exact(last),
            _ => {
                let mut free;
                let mut guard = self.pager.page_count();
                loop {
                    if get_u32(self.pager.read(1)?, 36) == 0 || guard == 0 {
                        return Err(corrupt(last, "freelist exhausted while vacuuming"));
                    }
                    guard -= 1;
                    free = self.allocate_page()?;
                    if !commit || free <= fin {
                        break;
                    }
                }
                self.relocate_page(last, kind, parent, free)
            }
        }
    }

    /// Drops the last page of the file (journaling it first).
    fn shrink_to(&mut self, n: Pgno) -> Result<(), BtreeError> {
        let count = self.pager.page_count();
        let pending = self.pending_page();
        for pg in n + 1..=count {
            if pg != pending {
                self.pager.write(pg)?;
            }
        }
        self.ptrmap.dirty.retain(|&p| p <= n);
        self.pager.truncate(n)
    }

    /// FULL auto-vacuum at commit: moves pages so that the free pages are
    /// at the end, then truncates them away.
    pub(crate) fn autovacuum_commit(&mut self) -> Result<(), BtreeError> {
        self.ptrmap_sync()?;
        if !self.autovacuum()? || self.incremental()? {
            return Ok(());
        }
        let n_orig = self.pager.page_count();
        let n_free = get_u32(self.pager.read(1)?, 36);
        if n_free == 0 {
            return Ok(());
        }
        let (u, p) = (self.pager.usable_size(), self.pager.page_size());
        let fin = final_db_size(u, p, n_orig, n_free);
        if fin > n_orig || fin < 2 {
            return Err(corrupt(1, "bad free page count"));
        }
        for last in (fin + 1..=n_orig).rev() {
            self.vacuum_step(fin, last, true)?;
        }
        let p1 = self.pager.write(1)?;
        put_u32(p1, 32, 0);
        put_u32(p1, 36, 0);
        self.shrink_to(fin)
    }

    /// `PRAGMA incremental_vacuum(n)`: removes up to `n` free pages from the
    /// end of the file (all of them when `n` ≤ 0).
    pub fn incremental_vacuum(&mut self, n: i64) -> Result<(), BtreeError> {
        self.start_modify()?;
        if !self.autovacuum()? {
            return Ok(());
        }
        self.ptrmap_sync()?;
        let (u, p) = (self.pager.usable_size(), self.pager.page_size());
        let mut steps = 0i64;
        while n <= 0 || steps < n {
            let n_orig = self.pager.page_count();
            let n_free = get_u32(self.pager.read(1)?, 36);
            if n_free == 0 {
                break;
            }
            let fin = final_db_size(u, p, n_orig, n_free);
            if fin > n_orig {
                return Err(corrupt(1, "bad free page count"));
            }
            if fin == n_orig {
                break;
            }
            self.vacuum_step(fin, n_orig, false)?;
            let mut last = n_orig - 1;
            while last > 1 && self.is_special(last) {
                last -= 1;
            }
            self.shrink_to(last)?;
            steps += 1;
        }
        Ok(())
    }

    /// `PRAGMA auto_vacuum`: 0 NONE, 1 FULL, 2 INCREMENTAL (the pending
    /// setting for a database not created yet).
    pub fn auto_vacuum_mode(&mut self) -> Result<u8, BtreeError> {
        if self.pager.page_count() == 0 {
            return Ok(self.next_auto_vacuum.unwrap_or(0));
        }
        Ok(match (self.autovacuum()?, self.incremental()?) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 2,
        })
    }

    /// `PRAGMA auto_vacuum = v`: remembered for a new database and for the
    /// next VACUUM; switching between FULL and INCREMENTAL takes effect at
    /// once (inside a write transaction), as does any change to a database
    /// whose page 1 this transaction created.
    pub fn set_auto_vacuum(&mut self, v: u8) -> Result<(), BtreeError> {
        let v = if v > 2 { 0 } else { v };
        self.next_auto_vacuum = Some(v);
        if !self.in_write || self.pager.page_count() == 0 {
            return Ok(());
        }
        let fresh = self.fresh && self.pager.page_count() == 1;
        if fresh {
            self.start_modify()?;
            let p1 = self.pager.write(1)?;
            put_u32(p1, 52, u32::from(v != 0));
            put_u32(p1, 64, u32::from(v == 2));
            self.av_cached = v != 0;
        } else if v != 0 && self.autovacuum()? {
            self.start_modify()?;
            put_u32(self.pager.write(1)?, 64, u32::from(v == 2));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::MemStore;
    use super::super::{Btree, TreeKind};
    use crate::record::{encode_record, ValueRef};

    fn record(i: i64, len: usize) -> Vec<u8> {
        let text = vec![b'a' + (i % 26) as u8; len];
        let mut out = Vec::new();
        encode_record(&[ValueRef::Integer(i), ValueRef::Text(&text)], &mut out);
        out
    }

    fn check(bt: &mut Btree<MemStore>, roots: &[u32]) {
        let mut all = vec![1];
        all.extend_from_slice(roots);
        assert_eq!(bt.integrity_check(&all, 20).unwrap(), Vec::<String>::new());
    }

    /// Trees grow, shrink and are dropped in a FULL auto-vacuum database:
    /// after every commit the pointer map is exact and no page is free.
    #[test]
    fn full_auto_vacuum_churn() {
        let mut bt = Btree::new(MemStore::new(1024, 0));
        bt.next_auto_vacuum = Some(1);
        bt.begin_write(false).unwrap();
        let mut roots: Vec<u32> = Vec::new();
        for _ in 0..4 {
            roots.push(bt.create_tree(TreeKind::Table).unwrap());
        }
        assert_eq!(roots, vec![3, 4, 5, 6]);
        for round in 0..6i64 {
            for (k, &root) in roots.iter().enumerate() {
                let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
                for i in 0..150 {
                    let len = if (i + round) % 9 == 0 {
                        2500
                    } else {
                        40 + k * 30
                    };
                    bt.insert(&mut c, i * 7 % 151 + round * 1000, &record(i, len))
                        .unwrap();
                }
            }
            bt.commit().unwrap();
            check(&mut bt, &roots);
            bt.begin_write(false).unwrap();
            for &root in &roots {
                let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
                let mut more = bt.first(&mut c).unwrap();
                let mut n = 0;
                while more {
                    if n % 3 != 0 {
                        bt.delete(&mut c).unwrap();
                    }
                    n += 1;
                    more = bt.next(&mut c).unwrap();
                }
            }
            bt.commit().unwrap();
            check(&mut bt, &roots);
            assert_eq!(bt.get_meta(0).unwrap(), 0);
            bt.begin_write(false).unwrap();
        }
        // Dropping the first tree moves the last root into its slot.
        let moved = bt.drop_tree(roots[0]).unwrap();
        assert_eq!(moved, 6);
        let last = roots.pop().unwrap();
        roots[0] = 3;
        assert_eq!(last, 6);
        bt.commit().unwrap();
        check(&mut bt, &roots);
        assert_eq!(bt.get_meta(4).unwrap(), 5);
        assert_eq!(bt.get_meta(0).unwrap(), 0);
    }
}
