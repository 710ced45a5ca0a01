//! Rebalancing: keeping every page within its size after inserts and
//! deletes, splitting and merging siblings.
//!
//! SQLite counterpart: `balance`, `balance_nonroot`, `balance_deeper`,
//! `balance_shallower`, `balance_quick` (btree.c).
//!
//! Pages being rebalanced are decoded into [`Node`]s (cells as owned
//! bytes), redistributed, and written back defragmented.
//!
//! Invariants:
//! 1. The root page number of a tree never changes: a full root moves its
//!    content to a new child (balance-deeper); a root left with no cells
//!    and one child absorbs that child when it fits (balance-shallower).
//! 2. A non-root page is balanced together with up to two neighbours under
//!    the same parent; cells keep their order; the fewest pages that hold
//!    them are used, evened out from right to left.
//! 3. Table-leaf dividers are (left page, largest rowid of the left page);
//!    in every other tree kind the divider is a real cell moved up from
//!    between the two pages (its left child becomes the left page's right
//!    child).
//! 4. Balancing proceeds bottom-up along the cursor path and touches each
//!    level at most once.

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{get_u32, page_capacity, parse_cell, put_u32, write_page, PAGE_TABLE_LEAF};
use super::store::PageStore;
use super::Btree;
use crate::record::put_varint;

/// A decoded page: cells are ranges of one byte arena (initially a copy
/// of the page, so loading a page costs two allocations, not one per cell).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub pgno: Pgno,
    pub flags: u8,
    buf: Vec<u8>,
    cells: Vec<(usize, usize)>,
    pub right: Pgno,
}

impl Node {
    pub fn new(pgno: Pgno, flags: u8, right: Pgno) -> Node {
        Node {
            pgno,
            flags,
            buf: Vec::new(),
            cells: Vec::new(),
            right,
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn cell(&self, i: usize) -> &[u8] {
        self.cells
            .get(i)
            .and_then(|&(s, n)| self.buf.get(s..s + n))
            .unwrap_or(&[])
    }

    fn cell_mut(&mut self, i: usize) -> &mut [u8] {
        match self.cells.get(i) {
            Some(&(s, n)) => self.buf.get_mut(s..s + n).unwrap_or(&mut []),
            None => &mut [],
        }
    }

    fn append(&mut self, bytes: &[u8]) -> (usize, usize) {
        let at = self.buf.len();
        self.buf.extend_from_slice(bytes);
        (at, bytes.len())
    }

    /// Appends a cell at the end.
    pub fn push(&mut self, bytes: &[u8]) {
        let r = self.append(bytes);
        self.cells.push(r);
    }

    /// Inserts a cell before cell `i` (at the end if `i` is past it).
    pub fn insert(&mut self, i: usize, bytes: &[u8]) {
        let r = self.append(bytes);
        self.cells.insert(i.min(self.cells.len()), r);
    }

    /// Bytes the cells need on a page (content plus pointers).
    pub fn size(&self) -> usize {
        self.cells.iter().map(|c| c.1.max(4) + 2).sum()
    }

    fn slices(&self) -> Vec<&[u8]> {
        (0..self.len()).map(|i| self.cell(i)).collect()
    }
}

fn is_leaf(flags: u8) -> bool {
    flags & 8 != 0
}

fn set_child(cell: &mut [u8], child: Pgno) {
    put_u32(cell, 0, child);
}

impl<S: PageStore> Btree<S> {
    /// Decodes page `pgno`.
    pub(crate) fn load_node(&mut self, pgno: Pgno) -> Result<Node, BtreeError> {
        let v = self.view(pgno)?;
        let mut cells = Vec::with_capacity(v.ncell);
        for i in 0..v.ncell {
            let c = v.cell(i)?;
            cells.push((c.offset, c.len));
        }
        let buf = v.data.get(..v.usable).unwrap_or(v.data).to_vec();
        Ok(Node {
            pgno,
            flags: v.flags,
            buf,
            cells,
            right: v.right_child(),
        })
    }

    /// Writes `node` to its page.
    pub(crate) fn store_node(&mut self, node: &Node) -> Result<(), BtreeError> {
        let usable = self.pager.usable_size();
        self.ptrmap_touch(node.pgno);
        let data = self.pager.write(node.pgno)?;
        if !write_page(
            data,
            node.pgno,
            usable,
            node.flags,
            &node.slices(),
            node.right,
        ) {
            return Err(corrupt(node.pgno, "rebalanced page does not fit"));
        }
        Ok(())
    }

    fn fits(&self, node: &Node) -> bool {
        node.size() <= page_capacity(node.pgno, self.pager.usable_size(), node.flags)
    }

    fn underfull(&self, node: &Node) -> bool {
        node.is_empty() || node.size() < self.pager.usable_size() / 3
    }

    /// Balances `node` (the decoded, possibly over- or under-full page at
    /// `level` of `path`) and then its ancestors as needed. `pending` is a
    /// modified ancestor image to use instead of its on-disk page.
    pub(crate) fn balance_up(
        &mut self,
        path: &[(Pgno, usize)],
        level: usize,
        node: Node,
        pending: Option<(usize, Node)>,
    ) -> Result<(), BtreeError> {
        let mut path = path.to_vec();
        let (mut level, mut node, mut pending) = (level, node, pending);
        for _ in 0..4 * super::tree::MAX_DEPTH {
            if level == 0 {
                if self.fits(&node) {
                    return self.balance_shallower(node);
                }
                // Balance-deeper: move the root's content into a new child.
                let child = self.allocate_page()?;
                let root = Node::new(node.pgno, node.flags & !8, child);
                self.store_node(&root)?;
                path = vec![(root.pgno, 0), (child, 0)];
                node.pgno = child;
                level = 1;
                continue;
            }
            if self.fits(&node) && !self.underfull(&node) {
                self.store_node(&node)?;
                match pending.take() {
                    Some((l, n)) if l < level => {
                        level = l;
                        node = n;
                        continue;
                    }
                    _ => return Ok(()),
                }
            }
            let (ppg, j) = *path.get(level - 1).ok_or(corrupt(node.pgno, "bad path"))?;
            let mut parent = match pending.take() {
                Some((l, n)) if l == level - 1 => n,
                other => {
                    pending = other;
                    self.load_node(ppg)?
                }
            };
            self.balance_nonroot(&mut parent, j, node)?;
            node = parent;
            level -= 1;
        }
        Err(corrupt(node.pgno, "balance did not terminate"))
    }

    /// Writes the root; if it has no cells but a child, pulls the child's
    /// content up when it fits.
    fn balance_shallower(&mut self, root: Node) -> Result<(), BtreeError> {
        if is_leaf(root.flags) || !root.is_empty() {
            return self.store_node(&root);
        }
        let child = self.load_node(root.right)?;
        let lifted = Node {
            pgno: root.pgno,
            ..child.clone()
        };
        if self.fits(&lifted) {
            self.store_node(&lifted)?;
            return self.free_page(child.pgno);
        }
        self.store_node(&root)
    }

    /// Child pointer `i` of a decoded interior node.
    fn node_child(node: &Node, i: usize) -> Result<Pgno, BtreeError> {
        if i == node.len() {
            return Ok(node.right);
        }
        if i > node.len() {
            return Err(corrupt(node.pgno, "child out of range"));
        }
        Ok(get_u32(node.cell(i), 0))
    }

    /// Redistributes the cells of child `j` of `parent` (given as `node`)
    /// and up to two neighbours; updates `parent` in memory.
    pub(crate) fn balance_nonroot(
        &mut self,
        parent: &mut Node,
        j: usize,
        node: Node,
    ) -> Result<(), BtreeError> {
        let n = parent.len();
        if j > n || is_leaf(parent.flags) {
            return Err(corrupt(parent.pgno, "bad parent for balance"));
        }
        let count = 3.min(n + 1);
        let first = if j == 0 {
            0
        } else if j == n {
            n + 1 - count
        } else {
            j - 1
        };
        let flags = node.flags;
        let mut node = Some(node);
        let mut sibs = Vec::with_capacity(count);
        for s in first..first + count {
            let pg = Self::node_child(parent, s)?;
            let sib = if s == j {
                let nd = node
                    .take()
                    .ok_or(corrupt(parent.pgno, "balance lost its page"))?;
                if nd.pgno != pg {
                    return Err(corrupt(parent.pgno, "parent does not point at child"));
                }
                nd
            } else {
                self.check_pgno(pg, parent.pgno)?;
                self.load_node(pg)?
            };
            if sib.flags != flags {
                return Err(corrupt(sib.pgno, "sibling pages of different types"));
            }
            sibs.push(sib);
        }
        let leafdata = flags == PAGE_TABLE_LEAF;
        let final_right = sibs.last().map_or(0, |s| s.right);
        let old: Vec<Pgno> = sibs.iter().map(|s| s.pgno).collect();
        let mut all = Node::new(0, flags, 0);
        for (k, s) in sibs.iter().enumerate() {
            for i in 0..s.len() {
                all.push(s.cell(i));
            }
            if k + 1 < count && !leafdata {
                if first + k >= n {
                    return Err(corrupt(parent.pgno, "no divider"));
                }
                let div = parent.cell(first + k);
                if is_leaf(flags) {
                    all.push(div.get(4..).unwrap_or(&[]));
                } else {
                    all.push(div);
                    let last = all.len() - 1;
                    set_child(all.cell_mut(last), s.right);
                }
            }
        }
        drop(sibs);
        let usable = self.pager.usable_size();
        let cap = page_capacity(2, usable, flags);
        let sizes: Vec<usize> = all.cells.iter().map(|c| c.1).collect();
        let bounds = pack(&sizes, cap, leafdata).ok_or(corrupt(parent.pgno, "cannot pack"))?;
        let m = bounds.len();
        let mut pgnos: Vec<Pgno> = old.iter().copied().take(m).collect();
        while pgnos.len() < m {
            pgnos.push(self.allocate_page()?);
        }
        let slices = all.slices();
        let mut divs: Vec<Vec<u8>> = Vec::with_capacity(m - 1);
        for (k, &(s, e)) in bounds.iter().enumerate() {
            let page_cells = slices.get(s..e).ok_or(corrupt(parent.pgno, "bad bounds"))?;
            let mut right = 0;
            if !is_leaf(flags) {
                right = if k + 1 < m {
                    get_u32(all.cell(e), 0)
                } else {
                    final_right
                };
            }
            self.ptrmap_touch(pgnos[k]);
            let data = self.pager.write(pgnos[k])?;
            if !write_page(data, pgnos[k], usable, flags, page_cells, right) {
                return Err(corrupt(pgnos[k], "rebalanced page does not fit"));
            }
            if k + 1 == m {
                break;
            }
            let mut d = Vec::with_capacity(16);
            if leafdata {
                let last = page_cells.last().ok_or(corrupt(pgnos[k], "empty leaf"))?;
                let info = parse_cell(last, 0, flags, usable, pgnos[k])?;
                d.extend_from_slice(&pgnos[k].to_be_bytes());
                put_varint(&mut d, info.key as u64);
            } else if is_leaf(flags) {
                d.extend_from_slice(&pgnos[k].to_be_bytes());
                d.extend_from_slice(all.cell(e));
            } else {
                d.extend_from_slice(all.cell(e));
                set_child(&mut d, pgnos[k]);
            }
            divs.push(d);
        }
        for &pg in old.iter().skip(m) {
            self.free_page(pg)?;
        }
        let last_by_cell = first + count - 1 < n;
        parent.cells.drain(first..first + count - 1);
        for (k, d) in divs.iter().enumerate() {
            parent.insert(first + k, d);
        }
        let last_pg = pgnos[m - 1];
        if last_by_cell {
            set_child(parent.cell_mut(first + m - 1), last_pg);
        } else {
            parent.right = last_pg;
        }
        Ok(())
    }

    /// Balance-quick: the rightmost leaf of a table overflowed by appending
    /// `cell` past its end; put `cell` alone on a new right sibling.
    pub(crate) fn balance_quick(
        &mut self,
        path: &[(Pgno, usize)],
        cell: &[u8],
    ) -> Result<(), BtreeError> {
        let level = path.len() - 1;
        let (leaf, _) = path[level];
        let (ppg, _) = path[level - 1];
        let max_key = {
            let v = self.view(leaf)?;
            let n = v.ncell.checked_sub(1).ok_or(corrupt(leaf, "empty leaf"))?;
            v.cell(n)?.key
        };
        let newpg = self.allocate_page()?;
        let mut node = Node::new(newpg, PAGE_TABLE_LEAF, 0);
        node.push(cell);
        self.store_node(&node)?;
        let mut parent = self.load_node(ppg)?;
        let mut d = Vec::with_capacity(13);
        d.extend_from_slice(&leaf.to_be_bytes());
        put_varint(&mut d, max_key as u64);
        parent.push(&d);
        parent.right = newpg;
        if self.fits(&parent) {
            return self.store_node(&parent);
        }
        self.balance_up(path, level - 1, parent, None)
    }
}

/// Splits `cells` into page ranges of at most `cap` bytes each. For
/// non-leafdata trees one cell between consecutive ranges is left out (it
/// becomes the divider). Ranges are evened out right to left.
fn pack(cells: &[usize], cap: usize, leafdata: bool) -> Option<Vec<(usize, usize)>> {
    let sz = |i: usize| cells.get(i).map_or(0, |c| c.max(&4) + 2);
    let len = cells.len();
    let mut pages: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < len || pages.is_empty() {
        let s = i;
        let mut used = 0;
        while i < len && used + sz(i) <= cap {
            used += sz(i);
            i += 1;
        }
        if i == s && len > 0 {
            return None;
        }
        pages.push((s, i));
        if i >= len {
            break;
        }
        if !leafdata {
            i += 1;
            if i >= len {
                // The divider would be the last cell: give it its own page
                // and take the divider from the page before instead.
                let last = pages.last_mut()?;
                if last.1 - last.0 < 2 {
                    return None;
                }
                last.1 -= 1;
                pages.push((len - 1, len));
            }
        }
    }
    let size = |r: (usize, usize)| (r.0..r.1).map(sz).sum::<usize>();
    for k in (1..pages.len()).rev() {
        let (mut ls, mut rs) = (size(pages[k - 1]), size(pages[k]));
        loop {
            let l = pages[k - 1];
            if l.1 - l.0 < 2 {
                break;
            }
            // Moving one cell right: leafdata moves the left page's last
            // cell; otherwise the divider moves right and the left page's
            // last cell becomes the divider.
            let (incoming, outgoing) = if leafdata {
                (sz(l.1 - 1), sz(l.1 - 1))
            } else {
                (sz(l.1), sz(l.1 - 1))
            };
            if rs + incoming > cap || rs + incoming > ls - outgoing {
                break;
            }
            ls -= outgoing;
            rs += incoming;
            pages[k - 1].1 -= 1;
            pages[k].0 -= 1;
        }
    }
    Some(pages)
}

#[cfg(test)]
mod tests {
    use super::pack;

    #[test]
    fn pack_leafdata_and_dividers() {
        let cells = vec![98usize; 10];
        // 100 bytes per cell, 350 per page.
        let p = pack(&cells, 350, true).unwrap();
        assert_eq!(p.iter().map(|r| r.1 - r.0).sum::<usize>(), 10);
        assert!(p.iter().all(|r| (r.1 - r.0) * 100 <= 350 && r.1 > r.0));
        let p = pack(&cells, 350, false).unwrap();
        // Every cell is on a page or is a divider between two pages.
        assert_eq!(p.iter().map(|r| r.1 - r.0).sum::<usize>() + p.len() - 1, 10);
        for w in p.windows(2) {
            assert_eq!(w[0].1 + 1, w[1].0);
        }
        assert!(p.iter().all(|r| r.1 > r.0));
        assert_eq!(pack(&[], 350, true).unwrap(), vec![(0, 0)]);
    }
}
