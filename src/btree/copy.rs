//! Whole-tree and whole-file copies, the b-tree half of VACUUM.
//!
//! SQLite counterpart: the `INSERT INTO vacuum_db.t SELECT * FROM main.t`
//! transfer optimisation (`xferOptimization`, insert.c, which appends
//! cells with `BTREE_APPEND`) and `sqlite3BtreeCopyFile` (backup.c), which
//! overwrites a database with another page by page.
//!
//! Invariants:
//! 1. [`Btree::copy_tree_from`] reads the source tree in key order and
//!    appends each entry after the last entry of the destination, so no key
//!    comparison (and no collation) is needed: the destination ends up in
//!    the source's order.
//! 2. [`Btree::replace_pages_from`] leaves this database byte-identical to
//!    the source (same page size required); pages past the source's end are
//!    journaled before the file is truncated, so a rollback restores them.
//! 3. [`Btree::replace_file_from`] does the same with another page size,
//!    through `Pager::rewrite_with_page_size` (whole file journaled, then
//!    rewritten and committed at once).

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{PAGE_INDEX_LEAF, PAGE_TABLE_LEAF};
use super::ptrmap::pending_byte_page;
use super::store::PageStore;
use super::{Btree, TreeKind};
use crate::pager::Pager;

impl<S: PageStore> Btree<S> {
    /// Appends an entry after the last entry of the tree at `root`; the
    /// caller guarantees key order.
    fn append_entry(
        &mut self,
        root: Pgno,
        kind: TreeKind,
        rowid: i64,
        payload: &[u8],
    ) -> Result<(), BtreeError> {
        let mut c = self.cursor(root, kind, None)?;
        let nonempty = self.last(&mut c)?;
        let mut path = c.stack.clone();
        let idx = match path.last_mut() {
            Some(last) if nonempty => last.1 + 1,
            Some(_) => 0,
            None => return Err(corrupt(root, "no cursor path")),
        };
        let flags = match kind {
            TreeKind::Table => PAGE_TABLE_LEAF,
            TreeKind::Index => PAGE_INDEX_LEAF,
        };
        let cell = self.build_cell(flags, rowid, payload)?;
        self.insert_into_leaf(&path, idx, &cell)?;
        self.touch_tree(root);
        Ok(())
    }

    /// Copies every entry of tree `src_root` of `src` into the empty tree
    /// `dst_root` of this database; returns the number of entries.
    pub fn copy_tree_from<T: PageStore>(
        &mut self,
        src: &mut Btree<T>,
        src_root: Pgno,
        dst_root: Pgno,
        kind: TreeKind,
    ) -> Result<u64, BtreeError> {
        self.start_modify()?;
        let mut c = src.cursor(src_root, kind, None)?;
        let mut more = src.first(&mut c)?;
        let mut scratch = Vec::new();
        let mut n = 0;
        while more {
            let rowid = match kind {
                TreeKind::Table => src.rowid(&c)?,
                TreeKind::Index => 0,
            };
            let payload = src.payload(&c, &mut scratch)?.to_vec();
            self.append_entry(dst_root, kind, rowid, &payload)?;
            n += 1;
            more = src.next(&mut c)?;
        }
        Ok(n)
    }

    /// Overwrites this database (in a write transaction) with the pages of
    /// `src`, which must have the same page size.
    pub fn replace_pages_from<T: PageStore>(
        &mut self,
        src: &mut Btree<T>,
    ) -> Result<(), BtreeError> {
        self.start_modify()?;
        if src.pager.page_size() != self.pager.page_size() {
            return Err(BtreeError::Misuse("page sizes differ"));
        }
        let n = src.pager.page_count();
        let pending = pending_byte_page(self.pager.page_size());
        for pg in 1..=n {
            if pg == pending {
                continue;
            }
            while self.pager.page_count() < pg {
                self.pager.allocate()?;
            }
            let data = src.pager.read(pg)?.to_vec();
            self.pager.write(pg)?.copy_from_slice(&data);
        }
        let old = self.pager.page_count();
        for pg in n + 1..=old {
            if pg != pending {
                self.pager.write(pg)?;
            }
        }
        if old > n {
            self.pager.truncate(n)?;
        }
        self.ptrmap.dirty.clear();
        self.av_cached = self.autovacuum()?;
        self.invalidate_cursors();
        Ok(())
    }

    /// The page size a VACUUM should use (pending `PRAGMA page_size`) and
    /// the auto-vacuum mode (pending `PRAGMA auto_vacuum`).
    pub fn vacuum_settings(&mut self) -> Result<(Option<usize>, u8), BtreeError> {
        let av = match self.next_auto_vacuum {
            Some(v) => v,
            None => self.auto_vacuum_mode()?,
        };
        Ok((self.next_page_size, av))
    }

    /// The kind of the b-tree rooted at `root`, read from its root page (a
    /// WITHOUT ROWID table's rows live in an index b-tree).
    pub fn root_kind(&mut self, root: Pgno) -> Result<TreeKind, BtreeError> {
        Ok(if self.view(root)?.is_table() {
            TreeKind::Table
        } else {
            TreeKind::Index
        })
    }

    /// Remembers a `PRAGMA page_size` the database could not take now.
    pub fn set_next_page_size(&mut self, n: usize) {
        if (512..=65536).contains(&n) && n.is_power_of_two() {
            self.next_page_size = Some(n);
        }
    }

    /// Sets the auto-vacuum mode and text encoding a database not created
    /// yet will have (VACUUM's destination).
    pub fn set_new_database_format(&mut self, av: u8, enc: crate::record::TextEncoding) {
        self.next_auto_vacuum = Some(av);
        self.next_encoding = Some(enc);
    }
}

impl Btree<Pager> {
    /// Overwrites this database (in a write transaction) with `src`, whose
    /// page size differs; the change is committed when this returns.
    pub fn replace_file_from(&mut self, src: &mut Btree<Pager>) -> Result<(), BtreeError> {
        self.start_modify()?;
        let n = src.pager.page_count();
        let size = src.pager.page_size();
        let from = &mut src.pager;
        self.pager.rewrite_with_page_size(size, n, &mut |pg, buf| {
            let r = from.get(pg)?;
            let data = from.data(r)?;
            if data.len() == buf.len() {
                buf.copy_from_slice(data);
            }
            Ok(())
        })?;
        self.next_page_size = None;
        self.ptrmap.dirty.clear();
        self.av_cached = self.autovacuum()?;
        self.invalidate_cursors();
        Ok(())
    }
}
