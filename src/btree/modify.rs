//! Inserting and deleting entries.
//!
//! SQLite counterpart: `sqlite3BtreeInsert`, `sqlite3BtreeDelete`,
//! `insertCell`, `dropCell`, `clearCell` (btree.c).
//!
//! Invariants:
//! 1. A table insert with an existing rowid replaces that row (its old
//!    overflow chain is freed); an index insert of a key equal to an
//!    existing one replaces it.
//! 2. New cells always go into leaves; deleting an index entry that lives
//!    on an interior page replaces it by its predecessor from the leaf
//!    level.
//! 3. After a modification the cursor re-seeks its key on the next move, so
//!    `next` after `delete` yields the entry that followed the deleted one.
//!    A leaf delete that needs no rebalancing leaves the cursor `Deleted`
//!    (cursor.rs invariant 5): the same answer without the re-seek.
//! 4. An insert that fits its leaf without rebalancing leaves the cursor
//!    valid on the new entry with an exact path (no re-seek), and marks it
//!    as the tree's last entry when nothing follows it; the next insert
//!    after the last entry then goes straight into that leaf.
//! 5. Replacing a row by a cell of the same length rewrites the cell's
//!    bytes in place (the old overflow chain, if any, is freed first); the
//!    cursor stays valid on the row with an exact path, as in invariant 4.

use super::balance::Node;
use super::cursor::{BtCursor, CursorState, Target};
use super::error::{corrupt, BtreeError, Pgno};
use super::page::{PageMut, PAGE_INDEX_LEAF, PAGE_TABLE_LEAF};
use super::store::PageStore;
use super::{Btree, SeekResult, TreeKind};

impl<S: PageStore> Btree<S> {
    fn page_mut(&mut self, pgno: Pgno) -> Result<PageMut<'_>, BtreeError> {
        let usable = self.pager.usable_size();
        self.ptrmap_touch(pgno);
        Ok(PageMut {
            data: self.pager.write(pgno)?,
            pgno,
            usable,
        })
    }

    /// Inserts (or replaces) the row `rowid` with record `payload`.
    pub fn insert(
        &mut self,
        c: &mut BtCursor,
        rowid: i64,
        payload: &[u8],
    ) -> Result<(), BtreeError> {
        if c.kind != TreeKind::Table {
            return Err(BtreeError::Misuse("insert on an index cursor"));
        }
        self.start_modify()?;
        let r = self.seek_rowid(c, rowid)?;
        let mut cell = std::mem::take(&mut self.cell_buf);
        self.build_cell_into(&mut cell, PAGE_TABLE_LEAF, rowid, payload)?;
        let (leaf, idx) = *c.stack.last().ok_or(BtreeError::Misuse("no position"))?;
        let was_last = c.at_last && self.is_fresh(c);
        c.at_last = false;
        c.cell = None;
        let placed = match r {
            SeekResult::Found => self.replace_cell(c, leaf, idx, &cell),
            SeekResult::Before => self
                .insert_cell_or_balance(c, idx + 1, &cell)
                .map(|p| (idx + 1, p)),
            SeekResult::After | SeekResult::Empty => {
                self.insert_cell_or_balance(c, idx, &cell).map(|p| (idx, p))
            }
        };
        self.cell_buf = cell;
        let (idx, in_place) = placed?;
        self.touch_tree(c.root);
        c.saved_rowid = rowid;
        if in_place {
            // The leaf took the cell without a split: the path is exact, so
            // the cursor stays on the new row (a following append seeks
            // nothing). A larger rowid after the last entry is the new last.
            Self::set_top(c, idx);
            c.seen = self.change_seq;
            c.state = CursorState::Valid;
            c.at_last = was_last && r != SeekResult::After;
        } else {
            c.state = CursorState::RequireSeek;
        }
        Ok(())
    }

    /// Replaces cell `idx` of `leaf` (the cursor's leaf) by `cell`: a cell
    /// of the same length is overwritten where it lies (SQLite's
    /// `btreeOverwriteCell`: no free-list or pointer-array work), any other
    /// is dropped and the new one inserted. Returns the slot and whether
    /// the leaf took the cell without rebalancing (invariant 5).
    fn replace_cell(
        &mut self,
        c: &BtCursor,
        leaf: Pgno,
        idx: usize,
        cell: &[u8],
    ) -> Result<(usize, bool), BtreeError> {
        let info = self.view(leaf)?.cell(idx)?;
        self.free_overflow(leaf, &info)?;
        if info.len == cell.len() {
            let pm = self.page_mut(leaf)?;
            let dst = pm
                .data
                .get_mut(info.offset..info.offset + info.len)
                .ok_or(corrupt(leaf, "cell past page end"))?;
            dst.copy_from_slice(cell);
            return Ok((idx, true));
        }
        self.page_mut(leaf)?.drop_cell(idx)?;
        Ok((idx, self.insert_cell_or_balance(c, idx, cell)?))
    }

    /// Inserts `cell` at `idx` of the cursor's leaf; true when it fit
    /// without rebalancing (the cursor's path is then still exact).
    fn insert_cell_or_balance(
        &mut self,
        c: &BtCursor,
        idx: usize,
        cell: &[u8],
    ) -> Result<bool, BtreeError> {
        let (leaf, _) = *c.stack.last().ok_or(BtreeError::Misuse("no position"))?;
        if self.page_mut(leaf)?.insert_cell(idx, cell)? {
            return Ok(true);
        }
        self.insert_into_leaf(&c.stack, idx, cell)?;
        Ok(false)
    }

    fn set_top(c: &mut BtCursor, idx: usize) {
        if let Some(t) = c.stack.last_mut() {
            t.1 = idx;
        }
    }

    /// Inserts `cell` at `idx` of the leaf at the end of `path`.
    pub(crate) fn insert_into_leaf(
        &mut self,
        path: &[(Pgno, usize)],
        idx: usize,
        cell: &[u8],
    ) -> Result<(), BtreeError> {
        let level = path
            .len()
            .checked_sub(1)
            .ok_or(BtreeError::Misuse("empty path"))?;
        let (leaf, _) = path[level];
        if self.page_mut(leaf)?.insert_cell(idx, cell)? {
            return Ok(());
        }
        let (n, flags) = {
            let v = self.view(leaf)?;
            (v.ncell, v.flags)
        };
        if flags == PAGE_TABLE_LEAF && level > 0 && idx == n && n > 0 {
            let (ppg, pj) = path[level - 1];
            if self.view(ppg)?.ncell == pj {
                return self.balance_quick(path, cell);
            }
        }
        let mut node = self.load_node(leaf)?;
        if idx > node.len() {
            return Err(corrupt(leaf, "insert position out of range"));
        }
        node.insert(idx, cell);
        self.balance_up(path, level, node, None)
    }

    /// Inserts the index record `key` (replacing an equal entry). When the
    /// leaf takes the cell without a split the cursor stays on the new
    /// entry (invariant 4), so a run of ascending keys appends without
    /// descending from the root (SQLite's `cursorOnLastPage` shortcut in
    /// `sqlite3BtreeIndexMoveto`).
    pub fn insert_index(&mut self, c: &mut BtCursor, key: &[u8]) -> Result<(), BtreeError> {
        if c.kind != TreeKind::Index {
            return Err(BtreeError::Misuse("insert_index on a table cursor"));
        }
        self.start_modify()?;
        let mut cell = std::mem::take(&mut self.cell_buf);
        let r = self.insert_index_cell(c, key, &mut cell);
        self.cell_buf = cell;
        let placed = r?;
        self.touch_tree(c.root);
        c.cell = None;
        c.saved_key.clear();
        c.saved_key.extend_from_slice(key);
        match placed {
            Some((idx, last)) => {
                Self::set_top(c, idx);
                c.seen = self.change_seq;
                c.state = CursorState::Valid;
                c.at_last = last;
            }
            None => {
                c.state = CursorState::RequireSeek;
                c.at_last = false;
            }
        }
        Ok(())
    }

    /// Places the cell of `key`; `Some((slot, is_last))` when it went into
    /// the leaf at the end of the cursor's path without rebalancing.
    fn insert_index_cell(
        &mut self,
        c: &mut BtCursor,
        key: &[u8],
        cell: &mut Vec<u8>,
    ) -> Result<Option<(usize, bool)>, BtreeError> {
        if let Some(n) = self.append_slot(c, key)? {
            self.build_cell_into(cell, PAGE_INDEX_LEAF, 0, key)?;
            let (leaf, _) = *c.stack.last().ok_or(BtreeError::Misuse("no position"))?;
            if self.page_mut(leaf)?.insert_cell(n, cell)? {
                return Ok(Some((n, true)));
            }
            self.insert_into_leaf(&c.stack, n, cell)?;
            return Ok(None);
        }
        let (n, eq) = self.descend_index_eq(c, Target::Record(key), false)?;
        self.insert_index_at(c, key, n, eq, cell)
    }

    /// When the cursor rests on the last entry of its index (an earlier
    /// append) and `key` sorts after it, the leaf slot for `key`: one past
    /// that entry. `None` when a descent is needed.
    fn append_slot(&mut self, c: &BtCursor, key: &[u8]) -> Result<Option<usize>, BtreeError> {
        if !c.at_last || !self.is_fresh(c) {
            return Ok(None);
        }
        let (leaf, idx) = *c.stack.last().ok_or(BtreeError::Misuse("no position"))?;
        let info = {
            let v = self.view(leaf)?;
            if !v.is_leaf() || idx + 1 != v.ncell {
                return Ok(None);
            }
            v.cell(idx)?
        };
        let ki = c.key_info.clone();
        let mut scratch = Vec::new();
        let o = self.compare_cell(leaf, &info, Target::Record(key), &ki, &mut scratch)?;
        Ok((o == std::cmp::Ordering::Less).then_some(idx + 1))
    }

    /// `insert_index` after the descent: `n` is the leaf's cell count, the
    /// cursor's top slot the first entry not below `key` and `eq` whether
    /// that entry equals `key`. An equal entry is replaced: in the leaf, or
    /// in the ancestor that follows the leaf slot.
    fn insert_index_at(
        &mut self,
        c: &mut BtCursor,
        key: &[u8],
        n: usize,
        eq: bool,
        cell: &mut Vec<u8>,
    ) -> Result<Option<(usize, bool)>, BtreeError> {
        let (leaf, idx) = *c.stack.last().ok_or(BtreeError::Misuse("no position"))?;
        self.build_cell_into(cell, PAGE_INDEX_LEAF, 0, key)?;
        let next = if idx < n {
            if eq {
                let info = self.view(leaf)?.cell(idx)?;
                self.free_overflow(leaf, &info)?;
                self.page_mut(leaf)?.drop_cell(idx)?;
            }
            None
        } else {
            self.next_ancestor(c)?
        };
        if let Some(level) = next {
            let (pg, j) = c.stack[level];
            let info = self.view(pg)?.cell(j)?;
            let ki = c.key_info.clone();
            let mut scratch = Vec::new();
            let o = self.compare_cell(pg, &info, Target::Record(key), &ki, &mut scratch)?;
            if o == std::cmp::Ordering::Equal {
                let epath = c.stack.get(..=level).unwrap_or(&[]).to_vec();
                self.replace_interior(&epath, cell)?;
                return Ok(None);
            }
        }
        if self.page_mut(leaf)?.insert_cell(idx, cell)? {
            return Ok(Some((idx, idx == n && next.is_none())));
        }
        self.insert_into_leaf(&c.stack, idx, cell)?;
        Ok(None)
    }

    /// The level of the nearest ancestor on the cursor's path whose
    /// descended-into child is not its right child: its cell there is the
    /// entry that follows the end of the cursor's leaf (`None`: nothing
    /// follows it).
    fn next_ancestor(&mut self, c: &BtCursor) -> Result<Option<usize>, BtreeError> {
        let levels = c.stack.len().saturating_sub(1);
        for level in (0..levels).rev() {
            let (pg, j) = c.stack[level];
            if j < self.view(pg)?.ncell {
                return Ok(Some(level));
            }
        }
        Ok(None)
    }

    /// Replaces the interior index cell at the end of `epath` with `leaf_cell`
    /// (an index-leaf cell), keeping its child pointer.
    fn replace_interior(
        &mut self,
        epath: &[(Pgno, usize)],
        leaf_cell: &[u8],
    ) -> Result<(), BtreeError> {
        let level = epath.len() - 1;
        let (pg, idx) = epath[level];
        let info = self.view(pg)?.cell(idx)?;
        self.free_overflow(pg, &info)?;
        let mut cell = info.child.to_be_bytes().to_vec();
        cell.extend_from_slice(leaf_cell);
        let mut pm = self.page_mut(pg)?;
        pm.drop_cell(idx)?;
        if pm.insert_cell(idx, &cell)? {
            return Ok(());
        }
        let mut node = self.load_node(pg)?;
        node.insert(idx, &cell);
        self.balance_up(epath, level, node, None)
    }

    /// Deletes the entry the cursor is on. Afterwards `next` moves to the
    /// entry that followed it and `prev` to the one before it.
    pub fn delete(&mut self, c: &mut BtCursor) -> Result<(), BtreeError> {
        if !self.restore_position(c)? {
            return Err(BtreeError::Misuse("delete with a cursor not on an entry"));
        }
        self.start_modify()?;
        let path = c.stack.clone();
        let level = path.len() - 1;
        let (pg, idx) = path[level];
        let (leaf, info) = {
            let v = self.view(pg)?;
            (v.is_leaf(), v.cell(idx)?)
        };
        self.free_overflow(pg, &info)?;
        let mut exact = false;
        if leaf {
            let used = self.page_mut(pg)?.drop_cell(idx)?;
            if level > 0 && used < self.pager.usable_size() / 3 {
                let node = self.load_node(pg)?;
                self.balance_up(&path, level, node, None)?;
            } else {
                exact = true;
            }
        } else {
            self.delete_interior(c, &path, info.child)?;
        }
        self.touch_tree(c.root);
        c.cell = None;
        c.at_last = false;
        if exact {
            // The path is unchanged and its top slot now holds the entry
            // that followed (cursor.rs invariant 5).
            c.seen = self.change_seq;
            c.state = CursorState::Deleted;
        } else {
            c.state = CursorState::RequireSeek;
        }
        Ok(())
    }

    /// Deletes an interior index entry: its predecessor (the last entry of
    /// its left subtree) takes its place.
    fn delete_interior(
        &mut self,
        c: &mut BtCursor,
        path: &[(Pgno, usize)],
        child: Pgno,
    ) -> Result<(), BtreeError> {
        let level = path.len() - 1;
        let (pg, idx) = path[level];
        c.stack = path.to_vec();
        self.push(c, child)?;
        self.descend_rightmost(c)?;
        let lpath = c.stack.clone();
        let (lpg, lidx) = *lpath.last().ok_or(corrupt(pg, "no leaf"))?;
        let leaf_cell = self.view(lpg)?.cell_bytes(lidx)?.to_vec();
        self.page_mut(lpg)?.drop_cell(lidx)?;
        let mut cell = child.to_be_bytes().to_vec();
        cell.extend_from_slice(&leaf_cell);
        let mut pm = self.page_mut(pg)?;
        pm.drop_cell(idx)?;
        let pending = if pm.insert_cell(idx, &cell)? {
            None
        } else {
            let mut node = self.load_node(pg)?;
            node.insert(idx, &cell);
            Some((level, node))
        };
        let leaf_node = self.load_node(lpg)?;
        let usable = self.pager.usable_size();
        if pending.is_some() || cells_underfull(&leaf_node, usable) {
            self.balance_up(&lpath, lpath.len() - 1, leaf_node, pending)?;
        }
        Ok(())
    }
}

fn cells_underfull(node: &Node, usable: usize) -> bool {
    node.is_empty() || node.size() < usable / 3
}
