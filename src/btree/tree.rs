//! The `Btree` handle: transactions, the database header, creating,
//! clearing and dropping trees.
//!
//! SQLite counterpart: `Btree`/`BtShared`, `sqlite3BtreeBeginTrans`,
//! `newDatabase`, `sqlite3BtreeCommit`, `sqlite3BtreeCreateTable`,
//! `sqlite3BtreeClearTable`, `sqlite3BtreeDropTable`,
//! `sqlite3BtreeGetMeta`/`UpdateMeta` (btree.c).
//!
//! Database header fields this module owns (fileformat2 §1.3):
//!
//! | offset | size | field | value written by `format_page1` |
//! |---|---|---|---|
//! | 0 | 16 | magic | "SQLite format 3\0" |
//! | 16 | 2 | page size (1 = 65536) | pager's page size |
//! | 18, 19 | 1+1 | write / read version | 1, 1 |
//! | 20 | 1 | reserved bytes per page | page size − usable size |
//! | 21..24 | 3 | payload fractions | 64, 32, 32 |
//! | 24 | 4 | file change counter | (pager, at commit) |
//! | 28 | 4 | database size in pages | 1 (pager updates it at commit) |
//! | 32, 36 | 4+4 | first freelist trunk, freelist count | see freelist.rs |
//! | 40..72 | 4·8 | meta values 1..8 | cookie 0, format 4, …, encoding 1 |
//! | 92 | 4 | version-valid-for | (pager, at commit) |
//! | 96 | 4 | SQLITE_VERSION_NUMBER | 3040001 |
//!
//! Invariants:
//! 1. Tree pages are only modified inside a write transaction.
//! 2. Every modification of a tree records the clock in `tree_mod`, which
//!    makes every open cursor on that tree re-seek its saved key before its
//!    next move; commit, rollback and savepoint rollback invalidate all
//!    cursors (`epoch`).

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{
    get_u32, put_u16, put_u32, write_page, PageView, PAGE_INDEX_LEAF, PAGE_TABLE_LEAF,
};
use super::store::PageStore;
use super::TreeKind;
use crate::pager::Pager;

/// Maximum b-tree depth accepted (deeper means a corrupt cycle).
pub(crate) const MAX_DEPTH: usize = 20;

/// A database file's b-trees (SQLite's `Btree` + `BtShared`).
#[derive(Debug)]
pub struct Btree<S: PageStore = Pager> {
    pub(crate) pager: S,
    /// A clock ticked by every modification and every invalidation;
    /// cursors record its value when they settle on an entry.
    pub(crate) change_seq: u64,
    /// Clock value of the last modification of each tree (by root page).
    pub(crate) tree_mod: crate::pager::PgnoMap<u64>,
    /// Clock value of the last invalidation of all cursors.
    pub(crate) epoch: u64,
    pub(crate) in_write: bool,
    pub(crate) wrote: bool,
    /// Auto-vacuum bookkeeping (pointer-map pages to refresh).
    pub(crate) ptrmap: super::ptrmap::PtrmapState,
    /// Whether the database was in auto-vacuum mode at `begin_write`.
    pub(crate) av_cached: bool,
    /// Auto-vacuum mode for a database not created yet, or for the next
    /// VACUUM (`PRAGMA auto_vacuum`): 0 NONE, 1 FULL, 2 INCREMENTAL.
    pub(crate) next_auto_vacuum: Option<u8>,
    /// Page 1 was formatted by the current write transaction (the database
    /// was empty), so header-only settings may still change.
    pub(crate) fresh: bool,
    /// Text encoding for a database not created yet (`PRAGMA encoding`).
    pub(crate) next_encoding: Option<crate::record::TextEncoding>,
    /// A `PRAGMA page_size` waiting for the next VACUUM.
    pub(crate) next_page_size: Option<usize>,
    /// Reused buffer for the cell being inserted (no allocation per row).
    pub(crate) cell_buf: Vec<u8>,
    /// Distinguishes this b-tree object from every other one in the
    /// process (a reopened cursor's position hint names the b-tree it was
    /// taken on).
    pub(crate) id: u64,
}

/// Source of [`Btree::id`] values.
static NEXT_BTREE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl<S: PageStore> Btree<S> {
    /// Wraps a pager.
    pub fn new(pager: S) -> Btree<S> {
        Btree {
            pager,
            change_seq: 1,
            tree_mod: crate::pager::PgnoMap::default(),
            epoch: 1,
            in_write: false,
            wrote: false,
            ptrmap: super::ptrmap::PtrmapState::default(),
            av_cached: false,
            next_auto_vacuum: None,
            fresh: false,
            next_encoding: None,
            next_page_size: None,
            cell_buf: Vec::new(),
            id: NEXT_BTREE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The underlying pager.
    pub fn pager(&mut self) -> &mut S {
        &mut self.pager
    }

    /// Consumes the b-tree, returning its pager.
    pub fn into_pager(self) -> S {
        self.pager
    }

    /// Makes every open cursor re-seek before its next use (after a
    /// savepoint rollback or any change made behind the b-tree's back).
    pub fn invalidate_cursors(&mut self) {
        self.change_seq += 1;
        self.epoch = self.change_seq;
    }

    /// Records a modification of the tree at `root`: cursors on it re-seek.
    pub(crate) fn touch_tree(&mut self, root: Pgno) {
        self.change_seq += 1;
        self.tree_mod.insert(root, self.change_seq);
    }

    /// True when a cursor that settled at clock `seen` on tree `root` may
    /// have a stale path.
    pub(crate) fn is_stale(&self, root: Pgno, seen: u64) -> bool {
        seen < self.epoch || self.tree_mod.get(&root).is_some_and(|&m| seen < m)
    }

    /// Starts a read transaction.
    pub fn begin_read(&mut self) -> Result<(), BtreeError> {
        self.pager.begin_read()
    }

    /// Ends a read transaction.
    pub fn end_read(&mut self) {
        self.pager.end_read();
        self.invalidate_cursors();
    }

    /// Starts a write transaction; formats page 1 of an empty database.
    pub fn begin_write(&mut self, exclusive: bool) -> Result<(), BtreeError> {
        self.pager.begin_write(exclusive)?;
        self.in_write = true;
        self.wrote = false;
        self.fresh = false;
        if self.pager.page_count() == 0 {
            let pg = self.pager.allocate()?;
            if pg != 1 {
                return Err(corrupt(pg, "first page of a new database is not page 1"));
            }
            self.format_page1()?;
            self.wrote = true;
            self.fresh = true;
        }
        self.ptrmap.dirty.clear();
        self.av_cached = self.autovacuum()?;
        Ok(())
    }

    /// Writes the database header and an empty sqlite_schema leaf to page 1.
    fn format_page1(&mut self) -> Result<(), BtreeError> {
        let page_size = self.pager.page_size();
        let usable = self.pager.usable_size();
        let data = self.pager.write(1)?;
        data.fill(0);
        data[..16].copy_from_slice(b"SQLite format 3\0");
        put_u16(data, 16, if page_size == 65536 { 1 } else { page_size });
        data[18] = 1;
        data[19] = 1;
        data[20] = (page_size - usable) as u8;
        data[21] = 64;
        data[22] = 32;
        data[23] = 32;
        put_u32(data, 28, 1);
        put_u32(data, 44, 4);
        put_u32(
            data,
            56,
            self.next_encoding.unwrap_or_default().header_value(),
        );
        let av = self.next_auto_vacuum.unwrap_or(0);
        if av != 0 {
            put_u32(data, 52, 1);
            put_u32(data, 64, u32::from(av == 2));
        }
        put_u32(data, 96, crate::SQLITE_VERSION_NUMBER as u32);
        if !write_page(data, 1, usable, PAGE_TABLE_LEAF, &[], 0) {
            return Err(corrupt(1, "page too small for a b-tree"));
        }
        Ok(())
    }

    /// Commits the write transaction. The pager stamps the header's change
    /// counter, page count, version-valid-for and version number.
    pub fn commit(&mut self) -> Result<(), BtreeError> {
        if self.in_write && self.av_cached {
            self.autovacuum_commit()?;
        }
        self.pager.commit()?;
        self.in_write = false;
        self.wrote = false;
        self.invalidate_cursors();
        Ok(())
    }

    /// Phase one of a multi-database commit (`sqlite3BtreeCommitPhaseOne`):
    /// the database file gets the new content, its journal points to
    /// `super_journal`; the transaction stays open for phase two.
    pub fn commit_phase_one(
        &mut self,
        super_journal: Option<&std::path::Path>,
    ) -> Result<(), BtreeError> {
        if self.in_write && self.av_cached {
            self.autovacuum_commit()?;
        }
        self.pager.commit_phase_one(super_journal)
    }

    /// Phase two (`sqlite3BtreeCommitPhaseTwo`): finalizes the journal
    /// and ends the write transaction.
    pub fn commit_phase_two(&mut self) -> Result<(), BtreeError> {
        self.pager.commit_phase_two()?;
        self.in_write = false;
        self.wrote = false;
        self.invalidate_cursors();
        Ok(())
    }

    /// Rolls back the write transaction.
    pub fn rollback(&mut self) -> Result<(), BtreeError> {
        self.in_write = false;
        self.wrote = false;
        self.ptrmap.dirty.clear();
        self.invalidate_cursors();
        self.pager.rollback()
    }

    /// Marks the start of a modification.
    pub(crate) fn start_modify(&mut self) -> Result<(), BtreeError> {
        if !self.in_write {
            return Err(BtreeError::Misuse("write outside a write transaction"));
        }
        self.wrote = true;
        Ok(())
    }

    /// Meta value `idx` (0 = freelist count, 1 = schema cookie, 2 = schema
    /// format, 3 = default cache size, 4 = largest root page, 5 = text
    /// encoding, 6 = user version, 7 = incremental vacuum, 8 = application
    /// id). An empty database reads as all zeros.
    pub fn get_meta(&mut self, idx: usize) -> Result<u32, BtreeError> {
        if idx > 8 {
            return Err(BtreeError::Misuse("meta index out of range"));
        }
        if self.pager.page_count() == 0 {
            return Ok(0);
        }
        Ok(get_u32(self.pager.read(1)?, 36 + 4 * idx))
    }

    /// The database's text encoding (header offset 56; the pending
    /// `PRAGMA encoding` while the database is empty).
    pub fn text_encoding(&mut self) -> Result<crate::record::TextEncoding, BtreeError> {
        if self.pager.page_count() == 0 {
            return Ok(self.next_encoding.unwrap_or_default());
        }
        let v = get_u32(self.pager.read(1)?, 56);
        Ok(crate::record::TextEncoding::from_header(v).unwrap_or_default())
    }

    /// `PRAGMA encoding = e`: only a database with no content yet changes.
    pub fn set_text_encoding(&mut self, e: crate::record::TextEncoding) -> Result<(), BtreeError> {
        if self.pager.page_count() == 0 {
            self.next_encoding = Some(e);
        } else if self.in_write && self.fresh && self.pager.page_count() == 1 {
            self.next_encoding = Some(e);
            self.start_modify()?;
            put_u32(self.pager.write(1)?, 56, e.header_value());
        }
        Ok(())
    }

    /// Sets meta value `idx` (1..=8).
    pub fn set_meta(&mut self, idx: usize, v: u32) -> Result<(), BtreeError> {
        if !(1..=8).contains(&idx) {
            return Err(BtreeError::Misuse("meta index out of range"));
        }
        self.start_modify()?;
        put_u32(self.pager.write(1)?, 36 + 4 * idx, v);
        Ok(())
    }

    /// Creates an empty tree; returns its root page.
    pub fn create_tree(&mut self, kind: TreeKind) -> Result<Pgno, BtreeError> {
        self.start_modify()?;
        if self.autovacuum()? {
            return self.create_tree_av(kind);
        }
        let pg = self.allocate_page()?;
        let usable = self.pager.usable_size();
        let flags = leaf_flags(kind);
        write_page(self.pager.write(pg)?, pg, usable, flags, &[], 0);
        self.touch_tree(pg);
        Ok(pg)
    }

    /// Deletes every entry of the tree at `root`, freeing all its pages
    /// except the root; returns the number of entries removed.
    pub fn clear_tree(&mut self, root: Pgno) -> Result<u64, BtreeError> {
        self.start_modify()?;
        self.touch_tree(root);
        self.check_pgno(root, root)?;
        let flags = self.view(root)?.flags | 8;
        let n = self.clear_page(root, 0)?;
        let usable = self.pager.usable_size();
        write_page(self.pager.write(root)?, root, usable, flags, &[], 0);
        self.ptrmap_touch(root);
        Ok(n)
    }

    /// Frees the subtree under `pgno` (not `pgno` itself) and its overflow
    /// chains; returns the entries it held.
    fn clear_page(&mut self, pgno: Pgno, depth: usize) -> Result<u64, BtreeError> {
        if depth > MAX_DEPTH {
            return Err(corrupt(pgno, "tree too deep"));
        }
        let usable = self.pager.usable_size();
        let (cells, children, counts) = {
            let v = PageView::parse(self.pager.read(pgno)?, pgno, usable)?;
            let mut cells = Vec::with_capacity(v.ncell);
            for i in 0..v.ncell {
                cells.push(v.cell(i)?);
            }
            let mut children = Vec::new();
            if !v.is_leaf() {
                for i in 0..=v.ncell {
                    children.push(v.child(i)?);
                }
            }
            let counts = v.is_leaf() || !v.is_table();
            (cells, children, counts)
        };
        let mut n = if counts { cells.len() as u64 } else { 0 };
        for c in &cells {
            self.free_overflow(pgno, c)?;
        }
        for child in children {
            self.check_pgno(child, pgno)?;
            n += self.clear_page(child, depth + 1)?;
            self.free_page(child)?;
        }
        Ok(n)
    }

    /// Deletes the tree at `root` and frees all its pages. In an
    /// auto-vacuum database the last root may move into `root`: the result
    /// is the page it moved from (0 when nothing moved), and the caller
    /// must renumber that tree (SQLite's `piMoved`).
    pub fn drop_tree(&mut self, root: Pgno) -> Result<Pgno, BtreeError> {
        if root < 2 {
            return Err(BtreeError::Misuse("cannot drop the schema table"));
        }
        self.clear_tree(root)?;
        if self.autovacuum()? {
            return self.drop_root_av(root);
        }
        self.free_page(root)?;
        Ok(0)
    }

    /// Number of entries in the tree at `root` (walks every page).
    pub fn count_tree(&mut self, root: Pgno) -> Result<i64, BtreeError> {
        self.count_page(root, 0)
    }

    fn count_page(&mut self, pgno: Pgno, depth: usize) -> Result<i64, BtreeError> {
        if depth > MAX_DEPTH {
            return Err(corrupt(pgno, "tree too deep"));
        }
        self.check_pgno(pgno, pgno)?;
        let usable = self.pager.usable_size();
        let (n, children) = {
            let v = PageView::parse(self.pager.read(pgno)?, pgno, usable)?;
            let mut children = Vec::new();
            if !v.is_leaf() {
                for i in 0..=v.ncell {
                    children.push(v.child(i)?);
                }
            }
            let n = if v.is_leaf() || !v.is_table() {
                v.ncell as i64
            } else {
                0
            };
            (n, children)
        };
        let mut total = n;
        for c in children {
            total += self.count_page(c, depth + 1)?;
        }
        Ok(total)
    }
}

/// Leaf page type of a tree kind.
pub(crate) fn leaf_flags(kind: TreeKind) -> u8 {
    match kind {
        TreeKind::Table => PAGE_TABLE_LEAF,
        TreeKind::Index => PAGE_INDEX_LEAF,
    }
}

impl Btree<Pager> {
    /// Opens a pager savepoint; returns its depth.
    pub fn savepoint_open(&mut self) -> Result<u32, BtreeError> {
        Ok(self.pager.savepoint_open()?)
    }

    /// Releases savepoints down to `depth`.
    pub fn savepoint_release(&mut self, depth: u32) -> Result<(), BtreeError> {
        Ok(self.pager.savepoint_release(depth)?)
    }

    /// Rolls back to savepoint `depth`; open cursors re-seek afterwards.
    pub fn savepoint_rollback(&mut self, depth: u32) -> Result<(), BtreeError> {
        self.invalidate_cursors();
        if self.av_cached {
            // Lazily kept pointer-map entries may now describe content that
            // was rolled back: rebuild them before the map is next read.
            self.ptrmap.rebuild = true;
        }
        Ok(self.pager.savepoint_rollback(depth)?)
    }
}
