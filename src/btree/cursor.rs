//! Cursors: positioning, stepping and seeking in table and index trees.
//!
//! SQLite counterpart: `BtCursor`, `moveToRoot`, `moveToLeftmost`,
//! `sqlite3BtreeNext`/`Previous`, `sqlite3BtreeTableMoveto`,
//! `sqlite3BtreeIndexMoveto`, `saveCursorPosition`,
//! `btreeRestoreCursorPosition` (btree.c).
//!
//! A cursor is a plain struct: the path from the root (page, index) plus
//! the key of the entry it is on. Operations take `&mut Btree` and
//! `&mut BtCursor`, so any number of cursors can be open at once.
//!
//! Path semantics: for every page but the last, the index is the child
//! that was descended into (`ncell` = right child). On the last page the
//! index is the current cell. In index trees the current entry may be a
//! cell of an interior page.
//!
//! Invariants:
//! 1. A `Valid` cursor whose tree was not modified since it settled has
//!    an accurate path; otherwise it re-seeks its saved key (SQLite's
//!    CURSOR_REQUIRESEEK) before moving.
//! 2. After a restore that did not find the exact saved key, `next` lands on
//!    the first entry after it and `prev` on the last entry before it.
//! 3. Paths are never deeper than `MAX_DEPTH`.
//! 4. A reopened cursor (a statement's next run) is unpositioned; only
//!    `last` may use the position it had, and only when it was on the last
//!    entry and the same b-tree has not changed that tree or invalidated
//!    cursors since.
//! 5. A cursor whose entry was deleted through it without rebalancing
//!    (`Deleted`) keeps its exact path while no change to its tree
//!    followed, and `next`/`prev`/restore then take the neighbouring entry
//!    from that path instead of re-seeking the saved key; any later change
//!    to the tree (through another cursor too) makes it re-seek as in 1-2.

use std::cmp::Ordering;
use std::sync::Arc;

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{CellInfo, PageView, PAGE_TABLE_LEAF};
use super::store::PageStore;
use super::tree::MAX_DEPTH;
use super::{Btree, SeekBias, SeekResult, TreeKind};
use crate::record::{
    compare_record_to_key, compare_records, unpack_record, KeyInfo, RecordFields, ValueRef,
};

/// Most key columns a descent decodes up front (wider keys are compared
/// record to record).
const UNPACK_MAX: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CursorState {
    /// Not on an entry (EOF or never positioned).
    Invalid,
    /// On an entry.
    Valid,
    /// Must re-seek its saved key before use.
    RequireSeek,
    /// The entry it was on was deleted through it (saved key: that entry's
    /// key). While its tree stays fresh the path is exact and the top slot
    /// holds the entry that followed the deleted one, or is one past the
    /// leaf's last cell (SQLite's CURSOR_SKIPNEXT after
    /// BTREE_SAVEPOSITION); otherwise it is a `RequireSeek`.
    Deleted,
}

/// A cursor over one tree (SQLite's `BtCursor`).
#[derive(Debug, Clone)]
pub struct BtCursor {
    pub(crate) root: Pgno,
    pub(crate) kind: TreeKind,
    pub(crate) key_info: Arc<KeyInfo>,
    pub(crate) stack: Vec<(Pgno, usize)>,
    pub(crate) state: CursorState,
    pub(crate) saved_rowid: i64,
    pub(crate) saved_key: Vec<u8>,
    pub(crate) seen: u64,
    /// The current entry's cell as parsed by `settle`: (page, index, cell).
    /// Trusted only while the cursor is `Valid` and its tree not stale.
    pub(crate) cell: Option<(Pgno, usize, CellInfo)>,
    /// The cursor is on the last entry of its tree (set by `last`, kept by
    /// appends through this cursor; SQLite's BTCF_AtLast). Trusted only
    /// while the cursor is fresh.
    pub(crate) at_last: bool,
    /// Set by [`Btree::reopen_cursor`] when the cursor was on the last
    /// entry of an unchanged tree: the id of that b-tree. `last` then
    /// returns to that entry without a descent while the tree stays
    /// unchanged (invariant 4). Cleared by any repositioning.
    pub(crate) parked_last: Option<u64>,
}

impl BtCursor {
    /// The root page of the cursor's tree.
    pub fn root(&self) -> Pgno {
        self.root
    }

    /// The tree kind.
    pub fn kind(&self) -> TreeKind {
        self.kind
    }

    /// The rowid of a table cursor's current entry without touching the
    /// tree (what [`Btree::rowid`] answers for tables); `None` for index
    /// cursors and cursors not on an entry.
    #[inline]
    pub fn table_rowid(&self) -> Option<i64> {
        (self.kind == TreeKind::Table && self.state != CursorState::Invalid)
            .then_some(self.saved_rowid)
    }
}

/// What a cursor is compared against while descending an index.
#[derive(Clone, Copy)]
pub(crate) enum Target<'k> {
    /// A key prefix (index seeks).
    Key(&'k [ValueRef<'k>]),
    /// A whole record (index inserts and cursor restores).
    Record(&'k [u8]),
}

/// A leaf's cell count and the parsed cell at the slot a search chose
/// (`None` when the slot is past the last cell).
type LeafSlot = (usize, Option<CellInfo>);

/// The [`LeafSlot`] of slot `i` of leaf `v`.
#[inline]
fn leaf_slot(v: &PageView, i: usize) -> Result<LeafSlot, BtreeError> {
    let cell = if i < v.ncell { Some(v.cell(i)?) } else { None };
    Ok((v.ncell, cell))
}

/// Page 1 of a database with no pages: an empty table leaf after the
/// 100-byte file header.
static EMPTY_PAGE1: [u8; 512] = {
    let mut p = [0u8; 512];
    p[100] = PAGE_TABLE_LEAF;
    p
};

impl<S: PageStore> Btree<S> {
    /// Opens a cursor on the tree at `root`.
    pub fn cursor(
        &mut self,
        root: Pgno,
        kind: TreeKind,
        key_info: Option<Arc<KeyInfo>>,
    ) -> Result<BtCursor, BtreeError> {
        self.check_tree_pgno(root, root)?;
        Ok(BtCursor {
            root,
            kind,
            key_info: key_info.unwrap_or_default(),
            stack: Vec::with_capacity(8),
            state: CursorState::Invalid,
            saved_rowid: 0,
            saved_key: Vec::new(),
            seen: 0,
            cell: None,
            at_last: false,
            parked_last: None,
        })
    }

    /// Makes `c` what [`Btree::cursor`] would return for its tree
    /// (unpositioned, nothing saved) while keeping its buffers: a statement
    /// run again reuses its cursors instead of allocating new ones.
    ///
    /// A cursor left on the last entry of a tree nobody changed since keeps
    /// that position as a hint for `last` (a statement appending one row
    /// per run finds the end of the table without descending).
    pub fn reopen_cursor(&mut self, c: &mut BtCursor) -> Result<(), BtreeError> {
        self.check_tree_pgno(c.root, c.root)?;
        let keep = c.at_last && self.is_fresh(c);
        c.parked_last = keep.then_some(self.id);
        if !keep {
            c.stack.clear();
            c.saved_rowid = 0;
            c.saved_key.clear();
            c.seen = 0;
        }
        c.state = CursorState::Invalid;
        c.cell = None;
        c.at_last = false;
        Ok(())
    }

    /// `last` from the hint [`Self::reopen_cursor`] left: true when the
    /// cursor is back on the last entry with an exact path.
    fn resume_parked_last(&mut self, c: &mut BtCursor) -> bool {
        let ok = c.parked_last == Some(self.id)
            && c.seen <= self.change_seq
            && !self.is_stale(c.root, c.seen)
            && !c.stack.is_empty();
        c.parked_last = None;
        if ok {
            c.state = CursorState::Valid;
            c.at_last = true;
            c.cell = None;
        }
        ok
    }

    /// True when `c` is on an entry and its tree has not changed since it
    /// settled there. Nothing at all changed since (the common case of a
    /// read-only scan) is decided without the per-tree map lookup.
    #[inline]
    pub(crate) fn is_fresh(&self, c: &BtCursor) -> bool {
        c.state == CursorState::Valid
            && (c.seen >= self.change_seq || !self.is_stale(c.root, c.seen))
    }

    /// True when the cursor is not on an entry.
    pub fn is_eof(c: &BtCursor) -> bool {
        c.state == CursorState::Invalid
    }

    /// Like `check_pgno`, but page 1 of an empty database (no pages yet)
    /// is valid: it reads as an empty sqlite_schema leaf, as in SQLite.
    fn check_tree_pgno(&self, pgno: Pgno, from: Pgno) -> Result<(), BtreeError> {
        if pgno == 1 && self.pager.page_count() == 0 {
            return Ok(());
        }
        self.check_pgno(pgno, from)
    }

    pub(crate) fn view(&mut self, pgno: Pgno) -> Result<PageView<'_>, BtreeError> {
        let usable = self.pager.usable_size();
        if pgno == 1 && self.pager.page_count() == 0 {
            return PageView::parse(&EMPTY_PAGE1, 1, usable);
        }
        PageView::parse(self.pager.read(pgno)?, pgno, usable)
    }

    fn top(c: &BtCursor) -> Result<(Pgno, usize), BtreeError> {
        c.stack
            .last()
            .copied()
            .ok_or(BtreeError::Misuse("cursor has no position"))
    }

    fn set_top_idx(c: &mut BtCursor, idx: usize) {
        if let Some(t) = c.stack.last_mut() {
            t.1 = idx;
        }
    }

    pub(crate) fn push(&mut self, c: &mut BtCursor, pgno: Pgno) -> Result<(), BtreeError> {
        let from = c.stack.last().map_or(c.root, |t| t.0);
        if c.stack.len() >= MAX_DEPTH {
            return Err(corrupt(from, "tree too deep"));
        }
        self.check_tree_pgno(pgno, from)?;
        c.stack.push((pgno, 0));
        Ok(())
    }

    fn move_to_root(&mut self, c: &mut BtCursor) -> Result<(), BtreeError> {
        c.at_last = false;
        c.parked_last = None;
        c.stack.clear();
        self.push(c, c.root)?;
        let v = self.view(c.root)?;
        let want_table = c.kind == TreeKind::Table;
        if v.is_table() != want_table {
            return Err(corrupt(c.root, "root page has the wrong tree type"));
        }
        Ok(())
    }

    /// Descends to the leftmost leaf under the top page; true if it has
    /// a cell.
    fn descend_leftmost(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        loop {
            let (pg, _) = Self::top(c)?;
            let v = self.view(pg)?;
            if v.is_leaf() {
                let n = v.ncell;
                Self::set_top_idx(c, 0);
                return Ok(n > 0);
            }
            let child = v.child(0)?;
            Self::set_top_idx(c, 0);
            self.push(c, child)?;
        }
    }

    /// Descends to the rightmost leaf under the top page; true if it has
    /// a cell.
    pub(crate) fn descend_rightmost(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        loop {
            let (pg, _) = Self::top(c)?;
            let v = self.view(pg)?;
            let n = v.ncell;
            if v.is_leaf() {
                Self::set_top_idx(c, n.saturating_sub(1));
                return Ok(n > 0);
            }
            let child = v.child(n)?;
            Self::set_top_idx(c, n);
            self.push(c, child)?;
        }
    }

    /// From the end of a leaf, climbs to the next entry.
    pub(crate) fn climb_next(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        loop {
            c.stack.pop();
            let Some(&(pg, j)) = c.stack.last() else {
                return Ok(false);
            };
            let v = self.view(pg)?;
            if j >= v.ncell {
                continue;
            }
            if c.kind == TreeKind::Index {
                return Ok(true);
            }
            let child = v.child(j + 1)?;
            Self::set_top_idx(c, j + 1);
            self.push(c, child)?;
            if self.descend_leftmost(c)? {
                return Ok(true);
            }
        }
    }

    /// From the start of a leaf, climbs to the previous entry.
    fn climb_prev(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        loop {
            c.stack.pop();
            let Some(&(pg, j)) = c.stack.last() else {
                return Ok(false);
            };
            if j == 0 {
                continue;
            }
            if c.kind == TreeKind::Index {
                Self::set_top_idx(c, j - 1);
                return Ok(true);
            }
            let child = self.view(pg)?.child(j - 1)?;
            Self::set_top_idx(c, j - 1);
            self.push(c, child)?;
            if self.descend_rightmost(c)? {
                return Ok(true);
            }
        }
    }

    /// Moves one entry forward from a valid position.
    fn step_next(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        let (pg, idx) = Self::top(c)?;
        let v = self.view(pg)?;
        if v.is_leaf() {
            if idx + 1 < v.ncell {
                Self::set_top_idx(c, idx + 1);
                return Ok(true);
            }
            return self.climb_next(c);
        }
        let child = v.child(idx + 1)?;
        Self::set_top_idx(c, idx + 1);
        self.push(c, child)?;
        if self.descend_leftmost(c)? {
            return Ok(true);
        }
        self.climb_next(c)
    }

    /// Moves one entry backward from a valid position.
    fn step_prev(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        let (pg, idx) = Self::top(c)?;
        let v = self.view(pg)?;
        if v.is_leaf() {
            if idx > 0 {
                Self::set_top_idx(c, idx - 1);
                return Ok(true);
            }
            return self.climb_prev(c);
        }
        let child = v.child(idx)?;
        self.push(c, child)?;
        if self.descend_rightmost(c)? {
            return Ok(true);
        }
        self.climb_prev(c)
    }

    /// The cell the cursor is on.
    pub(crate) fn current_cell(&mut self, c: &BtCursor) -> Result<(Pgno, CellInfo), BtreeError> {
        let (pg, idx) = Self::top(c)?;
        let info = self.view(pg)?.cell(idx)?;
        Ok((pg, info))
    }

    /// Records the position's key and marks the cursor valid (or invalid).
    fn settle(&mut self, c: &mut BtCursor, valid: bool) -> Result<bool, BtreeError> {
        c.seen = self.change_seq;
        c.cell = None;
        c.at_last = false;
        if !valid {
            c.state = CursorState::Invalid;
            return Ok(false);
        }
        let (pg, info) = self.current_cell(c)?;
        self.settle_at(c, pg, info)
    }

    /// `settle` on a valid position whose cell `info` (on page `pg`) the
    /// caller has already parsed.
    fn settle_at(
        &mut self,
        c: &mut BtCursor,
        pg: Pgno,
        info: CellInfo,
    ) -> Result<bool, BtreeError> {
        c.seen = self.change_seq;
        c.at_last = false;
        if let Some(&(_, idx)) = c.stack.last() {
            c.cell = Some((pg, idx, info));
        }
        if c.kind == TreeKind::Table {
            c.saved_rowid = info.key;
        } else {
            let mut key = std::mem::take(&mut c.saved_key);
            let r = self.read_payload(pg, &info, &mut key);
            c.saved_key = key;
            r?;
        }
        c.state = CursorState::Valid;
        Ok(true)
    }

    /// Moves to the first entry; false if the tree is empty.
    pub fn first(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        self.move_to_root(c)?;
        let mut ok = self.descend_leftmost(c)?;
        if !ok && c.stack.len() > 1 {
            ok = self.climb_next(c)?;
        }
        self.settle(c, ok)
    }

    /// Moves to the last entry; false if the tree is empty.
    pub fn last(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        if c.at_last && self.is_fresh(c) {
            return Ok(true);
        }
        if c.parked_last.is_some() && self.resume_parked_last(c) {
            return Ok(true);
        }
        self.move_to_root(c)?;
        let mut ok = self.descend_rightmost(c)?;
        if !ok && c.stack.len() > 1 {
            ok = self.climb_prev(c)?;
        }
        let ok = self.settle(c, ok)?;
        c.at_last = ok;
        Ok(ok)
    }

    /// Re-seeks a cursor whose tree changed. Returns `Some(true)` when the
    /// saved entry still exists (cursor on it), `Some(false)` when the
    /// cursor now rests on the first entry after it (or is at EOF), `None`
    /// when the cursor had no position.
    fn restore(&mut self, c: &mut BtCursor) -> Result<Option<bool>, BtreeError> {
        if c.state == CursorState::Valid && !self.is_fresh(c) {
            c.state = CursorState::RequireSeek;
        }
        match c.state {
            CursorState::Invalid => Ok(None),
            CursorState::Valid => Ok(Some(true)),
            CursorState::Deleted => {
                if c.seen >= self.change_seq || !self.is_stale(c.root, c.seen) {
                    return self.restore_after_delete(c);
                }
                c.state = CursorState::RequireSeek;
                self.restore(c)
            }
            CursorState::RequireSeek => {
                let exact = if c.kind == TreeKind::Table {
                    let rowid = c.saved_rowid;
                    let ok = self.lower_bound_rowid(c, rowid)?;
                    let ok = ok && self.settle(c, true)?;
                    if !ok {
                        self.settle(c, false)?;
                    }
                    ok && c.saved_rowid == rowid
                } else {
                    let key = std::mem::take(&mut c.saved_key);
                    let r = self.lower_bound_index(c, Target::Record(&key), false);
                    match r {
                        Ok(true) => {
                            let ki = c.key_info.clone();
                            self.settle(c, true)?;
                            compare_records(&c.saved_key, &key, &ki).map_err(|e| {
                                BtreeError::Record {
                                    pgno: c.root,
                                    source: e,
                                }
                            })? == Ordering::Equal
                        }
                        Ok(false) => {
                            c.saved_key = key;
                            self.settle(c, false)?;
                            false
                        }
                        Err(e) => {
                            c.saved_key = key;
                            return Err(e);
                        }
                    }
                };
                Ok(Some(exact))
            }
        }
    }

    /// `restore` of a fresh [`CursorState::Deleted`] cursor: the entry
    /// after the deleted one is at the top slot, or after the leaf's end;
    /// no descent (invariant 5).
    fn restore_after_delete(&mut self, c: &mut BtCursor) -> Result<Option<bool>, BtreeError> {
        let (pg, idx) = Self::top(c)?;
        let ok = idx < self.view(pg)?.ncell || self.climb_next(c)?;
        self.settle(c, ok)?;
        Ok(Some(false))
    }

    /// Re-establishes the cursor's position after changes to its tree;
    /// true if it is on an entry.
    pub fn restore_position(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        self.restore(c)?;
        Ok(c.state == CursorState::Valid)
    }

    /// Moves to the next entry; false at the end.
    pub fn next(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        c.at_last = false;
        // A settled cursor on an unchanged tree needs no restore.
        if !self.is_fresh(c) {
            match self.restore(c)? {
                None => return Ok(false),
                Some(false) => return Ok(c.state == CursorState::Valid),
                Some(true) => {}
            }
        }
        if self.next_in_leaf(c)? {
            return Ok(true);
        }
        let ok = self.step_next(c)?;
        self.settle(c, ok)
    }

    /// The common case of `next`: the following entry is on the same leaf.
    /// Moves there and settles on it (reading the leaf once: a local index
    /// key is saved straight from the page); false (cursor untouched) when
    /// the leaf is exhausted or the cursor is on an interior page.
    #[inline]
    fn next_in_leaf(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        let (pg, idx) = Self::top(c)?;
        let seq = self.change_seq;
        let v = self.view(pg)?;
        if !v.is_leaf() || idx + 1 >= v.ncell {
            return Ok(false);
        }
        let info = v.cell(idx + 1)?;
        Self::set_top_idx(c, idx + 1);
        if c.kind == TreeKind::Table {
            c.saved_rowid = info.key;
        } else if info.overflow == 0 {
            c.saved_key.clear();
            c.saved_key.extend_from_slice(v.local_payload(&info));
        } else {
            return self.settle_at(c, pg, info);
        }
        c.seen = seq;
        c.at_last = false;
        c.cell = Some((pg, idx + 1, info));
        c.state = CursorState::Valid;
        Ok(true)
    }

    /// Moves to the previous entry; false at the start.
    pub fn prev(&mut self, c: &mut BtCursor) -> Result<bool, BtreeError> {
        c.at_last = false;
        match self.restore(c)? {
            None => Ok(false),
            Some(false) if c.state != CursorState::Valid => self.last(c),
            Some(_) => {
                let ok = self.step_prev(c)?;
                self.settle(c, ok)
            }
        }
    }

    /// Positions at the leaf slot for `rowid` (first entry ≥ rowid);
    /// the top index may equal the leaf's cell count. Returns the leaf's
    /// cell count and, when the slot holds a cell, that cell parsed (so
    /// the caller settles without reading the leaf again).
    fn descend_rowid(&mut self, c: &mut BtCursor, rowid: i64) -> Result<LeafSlot, BtreeError> {
        self.move_to_root(c)?;
        loop {
            let (pg, _) = Self::top(c)?;
            let v = self.view(pg)?;
            if !v.is_table() {
                return Err(corrupt(pg, "index page in a table tree"));
            }
            let (mut lo, mut hi) = (0, v.ncell);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if v.table_key(mid)? < rowid {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if v.is_leaf() {
                let slot = leaf_slot(&v, lo)?;
                Self::set_top_idx(c, lo);
                return Ok(slot);
            }
            let child = v.child(lo)?;
            Self::set_top_idx(c, lo);
            self.push(c, child)?;
        }
    }

    /// SQLite's "already on the right leaf" shortcut: when the cursor's
    /// leaf holds keys both ≤ and ≥ `rowid`, the first entry ≥ `rowid` is
    /// on it, so only that leaf is searched. Returns the leaf's cell count
    /// (and slot cell, as [`Self::descend_rowid`]) with the top index set,
    /// or `None` (cursor untouched).
    fn seek_in_leaf(
        &mut self,
        c: &mut BtCursor,
        rowid: i64,
    ) -> Result<Option<LeafSlot>, BtreeError> {
        let (pg, _) = Self::top(c)?;
        let v = self.view(pg)?;
        let n = v.ncell;
        if !v.is_leaf() || !v.is_table() || n == 0 {
            return Ok(None);
        }
        if v.table_key(0)? > rowid || v.table_key(n - 1)? < rowid {
            return Ok(None);
        }
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if v.table_key(mid)? < rowid {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let slot = leaf_slot(&v, lo)?;
        Self::set_top_idx(c, lo);
        Ok(Some(slot))
    }

    /// Positions on the first entry with key ≥ rowid; false if none.
    fn lower_bound_rowid(&mut self, c: &mut BtCursor, rowid: i64) -> Result<bool, BtreeError> {
        let (n, _) = self.descend_rowid(c, rowid)?;
        let (_, idx) = Self::top(c)?;
        if idx < n {
            return Ok(true);
        }
        self.climb_next(c)
    }

    /// Seeks a table cursor to `rowid`.
    pub fn seek_rowid(&mut self, c: &mut BtCursor, rowid: i64) -> Result<SeekResult, BtreeError> {
        if c.kind != TreeKind::Table {
            return Err(BtreeError::Misuse("seek_rowid on an index cursor"));
        }
        let fresh = self.is_fresh(c);
        if fresh && c.saved_rowid == rowid {
            return Ok(SeekResult::Found);
        }
        // Appends: on the last entry, a larger rowid goes right after it.
        if fresh && c.at_last && rowid > c.saved_rowid {
            return Ok(SeekResult::Before);
        }
        let (n, cell) = match fresh.then(|| self.seek_in_leaf(c, rowid)).transpose()? {
            Some(Some(slot)) => slot,
            _ => self.descend_rowid(c, rowid)?,
        };
        let (pg, idx) = Self::top(c)?;
        if idx < n {
            match cell {
                Some(info) => self.settle_at(c, pg, info)?,
                None => self.settle(c, true)?,
            };
            return Ok(if c.saved_rowid == rowid {
                SeekResult::Found
            } else {
                SeekResult::After
            });
        }
        if n > 0 {
            Self::set_top_idx(c, n - 1);
            self.settle(c, true)?;
            return Ok(SeekResult::Before);
        }
        // An empty leaf: only an empty root is legitimate.
        if c.stack.len() > 1 && self.climb_next(c)? {
            self.settle(c, true)?;
            return Ok(SeekResult::After);
        }
        if self.last(c)? {
            return Ok(SeekResult::Before);
        }
        self.move_to_root(c)?;
        c.state = CursorState::Invalid;
        Ok(SeekResult::Empty)
    }

    /// Compares cell `info` of page `pg` with `target`.
    pub(crate) fn compare_cell(
        &mut self,
        pg: Pgno,
        info: &CellInfo,
        target: Target,
        ki: &KeyInfo,
        scratch: &mut Vec<u8>,
    ) -> Result<Ordering, BtreeError> {
        let cmp = |rec: &[u8]| match target {
            Target::Key(k) => compare_record_to_key(rec, k, ki),
            Target::Record(r) => compare_records(rec, r, ki),
        };
        let r = if info.overflow == 0 {
            let v = self.view(pg)?;
            cmp(v.local_payload(info))
        } else {
            self.read_payload(pg, info, scratch)?;
            cmp(scratch)
        };
        r.map_err(|e| BtreeError::Record {
            pgno: pg,
            source: e,
        })
    }

    /// Whether local cell `i` of index page `pg` lies past `target` (see
    /// [`Self::search_page_local`]); `None` when the cell spills to
    /// overflow pages.
    fn cell_is_past(
        &mut self,
        pg: Pgno,
        i: usize,
        target: Target,
        strict: bool,
        ki: &KeyInfo,
    ) -> Result<Option<bool>, BtreeError> {
        let v = self.view(pg)?;
        let Some(rec) = v.index_record(i) else {
            return Ok(None);
        };
        let o = match target {
            Target::Key(k) => compare_record_to_key(rec, k, ki),
            Target::Record(r) => compare_records(rec, r, ki),
        }
        .map_err(|e| BtreeError::Record {
            pgno: pg,
            source: e,
        })?;
        Ok(Some(if strict {
            o == Ordering::Greater
        } else {
            o != Ordering::Less
        }))
    }

    /// Binary search of index page `pg` for the first slot whose entry
    /// `e` has `cmp(e, target) > 0` (strict) or `>= 0`, reading the page
    /// once; `None` when a probed cell spills to overflow pages (the caller
    /// then searches with [`Self::compare_cell`]). The flag says whether the
    /// entry at the slot compared equal to `target`.
    fn search_page_local(
        &mut self,
        pg: Pgno,
        target: Target,
        strict: bool,
        ki: &KeyInfo,
    ) -> Result<Option<(usize, bool)>, BtreeError> {
        let v = self.view(pg)?;
        let (mut lo, mut hi, mut eq) = (0, v.ncell, false);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let Some(rec) = v.index_record(mid) else {
                return Ok(None);
            };
            let o = match target {
                Target::Key(k) => compare_record_to_key(rec, k, ki),
                Target::Record(r) => compare_records(rec, r, ki),
            }
            .map_err(|e| BtreeError::Record {
                pgno: pg,
                source: e,
            })?;
            let past = if strict {
                o == Ordering::Greater
            } else {
                o != Ordering::Less
            };
            if past {
                hi = mid;
                eq = o == Ordering::Equal;
            } else {
                lo = mid + 1;
            }
        }
        Ok(Some((lo, eq)))
    }

    /// Descends an index to the leaf slot of the first entry `e` with
    /// `cmp(e, target) > 0` (strict) or `>= 0`. Top index may equal the
    /// leaf's cell count. Returns the leaf's cell count.
    pub(crate) fn descend_index(
        &mut self,
        c: &mut BtCursor,
        target: Target,
        strict: bool,
    ) -> Result<usize, BtreeError> {
        Ok(self.descend_index_eq(c, target, strict)?.0)
    }

    /// [`Self::descend_index`], also saying whether the leaf entry at the
    /// slot compared equal to `target`.
    pub(crate) fn descend_index_eq(
        &mut self,
        c: &mut BtCursor,
        target: Target,
        strict: bool,
    ) -> Result<(usize, bool), BtreeError> {
        self.move_to_root(c)?;
        let ki = c.key_info.clone();
        let mut scratch = Vec::new();
        // A whole-record target is decoded once for the descent (SQLite's
        // UnpackedRecord): comparing with a decoded key gives the same order.
        let mut unpacked = [ValueRef::Null; UNPACK_MAX];
        let target = match target {
            Target::Record(r) => match unpack_record(r, &mut unpacked) {
                Some(n) => Target::Key(unpacked.get(..n).unwrap_or(&[])),
                None => target,
            },
            t => t,
        };
        loop {
            let (pg, _) = Self::top(c)?;
            let (n, leaf) = {
                let v = self.view(pg)?;
                if v.is_table() {
                    return Err(corrupt(pg, "table page in an index tree"));
                }
                (v.ncell, v.is_leaf())
            };
            let (mut lo, mut hi, mut eq) = match self.search_page_local(pg, target, strict, &ki)? {
                Some((slot, eq)) => (slot, slot, eq),
                None => (0, n, false),
            };
            while lo < hi {
                let mid = (lo + hi) / 2;
                let info = self.view(pg)?.cell(mid)?;
                let o = self.compare_cell(pg, &info, target, &ki, &mut scratch)?;
                let past = if strict {
                    o == Ordering::Greater
                } else {
                    o != Ordering::Less
                };
                if past {
                    hi = mid;
                    eq = o == Ordering::Equal;
                } else {
                    lo = mid + 1;
                }
            }
            Self::set_top_idx(c, lo);
            if leaf {
                return Ok((n, eq));
            }
            let child = self.view(pg)?.child(lo)?;
            self.push(c, child)?;
        }
    }

    /// Positions on the first entry after `target` (strict) or not before
    /// it; false if there is none.
    pub(crate) fn lower_bound_index(
        &mut self,
        c: &mut BtCursor,
        target: Target,
        strict: bool,
    ) -> Result<bool, BtreeError> {
        let n = self.descend_index(c, target, strict)?;
        let (_, idx) = Self::top(c)?;
        if idx < n {
            return Ok(true);
        }
        self.climb_next(c)
    }

    /// The index version of [`Self::seek_in_leaf`]: when the cursor still
    /// rests on a leaf (a subquery or nested loop seeking the next key) and
    /// the first entry that is past `target` lies strictly inside that
    /// leaf, the cursor moves there without descending from the root.
    /// False (cursor untouched) otherwise.
    fn seek_index_in_leaf(
        &mut self,
        c: &mut BtCursor,
        target: Target,
        strict: bool,
    ) -> Result<bool, BtreeError> {
        if !self.is_fresh(c) {
            return Ok(false);
        }
        let (pg, _) = Self::top(c)?;
        let n = {
            let v = self.view(pg)?;
            if !v.is_leaf() || v.is_table() {
                return Ok(false);
            }
            v.ncell
        };
        let ki = c.key_info.clone();
        // Slot 0 may have its answer on an earlier page, slot n on a later
        // one: only a slot strictly inside the leaf is certain. The two end
        // cells decide that before any binary search (random seeks miss).
        if n < 2
            || self.cell_is_past(pg, 0, target, strict, &ki)? != Some(false)
            || self.cell_is_past(pg, n - 1, target, strict, &ki)? != Some(true)
        {
            return Ok(false);
        }
        match self.search_page_local(pg, target, strict, &ki)? {
            Some((slot, _)) if slot > 0 && slot < n => {
                Self::set_top_idx(c, slot);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Seeks an index cursor: `Ge` → first entry ≥ key, `Gt` → first > key,
    /// `Le` → last ≤ key, `Lt` → last < key, comparing only the first
    /// `key.len()` columns. `Found` means the entry's prefix equals `key`;
    /// `After`/`Before` that it is greater/smaller; `Empty` that no entry
    /// satisfies the bias (the cursor is then at EOF).
    pub fn seek_key(
        &mut self,
        c: &mut BtCursor,
        key: &[ValueRef],
        bias: SeekBias,
    ) -> Result<SeekResult, BtreeError> {
        if c.kind != TreeKind::Index {
            return Err(BtreeError::Misuse("seek_key on a table cursor"));
        }
        let strict = matches!(bias, SeekBias::Gt | SeekBias::Le);
        let mut ok = self.seek_index_in_leaf(c, Target::Key(key), strict)?
            || self.lower_bound_index(c, Target::Key(key), strict)?;
        if matches!(bias, SeekBias::Le | SeekBias::Lt) {
            ok = if ok {
                self.step_prev(c)?
            } else {
                self.move_to_root(c)?;
                let mut r = self.descend_rightmost(c)?;
                if !r && c.stack.len() > 1 {
                    r = self.climb_prev(c)?;
                }
                r
            };
        }
        if !self.settle(c, ok)? {
            return Ok(SeekResult::Empty);
        }
        let ki = c.key_info.clone();
        let o = compare_record_to_key(&c.saved_key, key, &ki).map_err(|e| BtreeError::Record {
            pgno: c.root,
            source: e,
        })?;
        Ok(match o {
            Ordering::Equal => SeekResult::Found,
            Ordering::Greater => SeekResult::After,
            Ordering::Less => SeekResult::Before,
        })
    }

    /// The rowid of the current entry: the key of a table entry, or the
    /// last column of an index entry.
    pub fn rowid(&mut self, c: &BtCursor) -> Result<i64, BtreeError> {
        if c.state == CursorState::Invalid {
            return Err(BtreeError::Misuse("rowid of a cursor not on an entry"));
        }
        if c.kind == TreeKind::Table {
            return Ok(c.saved_rowid);
        }
        // The rowid is the last field: walk the fields without building a
        // header table.
        let rec_err = |e| BtreeError::Record {
            pgno: c.root,
            source: e,
        };
        let mut fields = RecordFields::new(&c.saved_key).map_err(rec_err)?;
        let mut last = None;
        while let Some(f) = fields.next_field() {
            last = Some(f.map_err(rec_err)?);
        }
        match last {
            Some(ValueRef::Integer(i)) => Ok(i),
            Some(_) => Err(corrupt(c.root, "index record without a rowid")),
            None => Err(corrupt(c.root, "empty index record")),
        }
    }

    /// The key record of an index cursor's current entry, borrowed from the
    /// cursor (no page access); `None` for table cursors and when the cursor
    /// is not on an entry.
    pub fn index_key(c: &BtCursor) -> Option<&[u8]> {
        (c.kind == TreeKind::Index && c.state != CursorState::Invalid)
            .then_some(c.saved_key.as_slice())
    }

    /// The current entry's payload: the row record (tables) or the key
    /// record (indexes). Borrowed from the page when it has no overflow,
    /// otherwise assembled in `scratch`.
    pub fn payload<'a>(
        &'a mut self,
        c: &BtCursor,
        scratch: &'a mut Vec<u8>,
    ) -> Result<&'a [u8], BtreeError> {
        if c.state == CursorState::Invalid {
            return Err(BtreeError::Misuse("payload of a cursor not on an entry"));
        }
        if c.kind == TreeKind::Index {
            scratch.clear();
            scratch.extend_from_slice(&c.saved_key);
            return Ok(scratch);
        }
        let fresh = self.is_fresh(c);
        // Fast path: the settled cell, wholly on its page.
        if let (true, Some((pg, idx, info)), Some(top)) = (fresh, &c.cell, c.stack.last()) {
            if *top == (*pg, *idx) && info.overflow == 0 {
                let (pg, at, len) = (*pg, info.payload_at, info.local);
                // `info` was parsed from this page, which bounds-checked it.
                return self
                    .pager
                    .read(pg)?
                    .get(at..at + len)
                    .ok_or(corrupt(pg, "payload past page end"));
            }
        }
        let cached = match (c.cell, c.stack.last()) {
            (Some((pg, idx, info)), Some(&top)) if fresh && top == (pg, idx) => Some((pg, info)),
            _ => None,
        };
        let (pg, info) = if let Some(hit) = cached {
            hit
        } else if fresh {
            self.current_cell(c)?
        } else {
            let mut tmp = c.clone();
            tmp.state = CursorState::Invalid;
            if self.seek_rowid(&mut tmp, c.saved_rowid)? != SeekResult::Found {
                return Err(BtreeError::Misuse("payload of a deleted row"));
            }
            self.current_cell(&tmp)?
        };
        if info.overflow == 0 {
            // `info` was parsed from this page, which bounds-checked it.
            let data = self.pager.read(pg)?;
            return data
                .get(info.payload_at..info.payload_at + info.local)
                .ok_or(corrupt(pg, "payload past page end"));
        }
        self.read_payload(pg, &info, scratch)?;
        Ok(scratch)
    }

    /// Number of entries in the cursor's tree.
    pub fn count(&mut self, c: &mut BtCursor) -> Result<i64, BtreeError> {
        self.count_tree(c.root)
    }

    /// Largest rowid in the table at `root`, 0 if it is empty.
    pub fn max_rowid(&mut self, root: Pgno) -> Result<i64, BtreeError> {
        let mut c = self.cursor(root, TreeKind::Table, None)?;
        if self.last(&mut c)? {
            Ok(c.saved_rowid)
        } else {
            Ok(0)
        }
    }
}
