//! `PRAGMA integrity_check` at the b-tree level: page accounting, cell
//! layout, key order, overflow chains and the freelist.
//!
//! SQLite counterpart: `sqlite3BtreeIntegrityCheck`, `checkTreePage`,
//! `checkList`, `checkRef` (btree.c).
//!
//! Invariants:
//! 1. Every page of the file is referenced exactly once: by a tree, an
//!    overflow chain or the freelist (the lock-byte page excepted).
//! 2. Within a page, cells, freeblocks and the fragment count tile the
//!    cell content area exactly.
//! 3. Table keys strictly increase across the tree and dividers are not
//!    below the keys of their left subtree. (Index order needs collations
//!    and is checked by the VDBE's row/index comparison, as in SQLite.)
//! 4. All leaves of a tree are at the same depth.
//! 5. Checking stops once `max_errors` messages were collected; it never
//!    loops on corrupt cycles (each page is visited at most once).

use super::error::{BtreeError, Pgno};
use super::page::{get_u16, get_u32, PageView};
use super::ptrmap::{
    PTRMAP_BTREE, PTRMAP_FREEPAGE, PTRMAP_OVERFLOW1, PTRMAP_OVERFLOW2, PTRMAP_ROOTPAGE,
};
use super::store::PageStore;
use super::tree::MAX_DEPTH;
use super::Btree;

struct Check {
    refs: Vec<bool>,
    errors: Vec<String>,
    max: usize,
    lock_page: Pgno,
    /// Auto-vacuum database: pointer-map entries are checked too.
    av: bool,
}

impl Check {
    fn full(&self) -> bool {
        self.errors.len() >= self.max
    }

    fn msg(&mut self, m: String) {
        if !self.full() {
            self.errors.push(m);
        }
    }

    /// Marks `pgno` referenced; false (with a message) if it cannot be.
    fn mark(&mut self, pgno: Pgno) -> bool {
        let Some(seen) = self.refs.get_mut(pgno as usize).filter(|_| pgno != 0) else {
            self.msg(format!("invalid page number {pgno}"));
            return false;
        };
        if *seen {
            self.msg(format!("2nd reference to page {pgno}"));
            return false;
        }
        *seen = true;
        true
    }
}

/// What a tree page check learned, for its parent.
struct PageSummary {
    depth: usize,
    min_key: Option<i64>,
    max_key: Option<i64>,
}

impl<S: PageStore> Btree<S> {
    /// Checks the trees rooted at `roots` and the freelist; returns up to
    /// `max_errors` SQLite-style messages (empty = ok).
    pub fn integrity_check(
        &mut self,
        roots: &[Pgno],
        max_errors: usize,
    ) -> Result<Vec<String>, BtreeError> {
        let n = self.pager.page_count();
        let page_size = self.pager.page_size() as u64;
        let lock_page = (0x4000_0000 / page_size + 1) as Pgno;
        let mut ck = Check {
            refs: vec![false; n as usize + 1],
            errors: Vec::new(),
            max: max_errors.max(1),
            lock_page,
            av: false,
        };
        if n == 0 {
            return Ok(Vec::new());
        }
        ck.av = self.autovacuum()?;
        if ck.av {
            if self.in_write {
                self.ptrmap_sync()?;
            }
            for p in 2..=n {
                if self.is_ptrmap(p) {
                    ck.refs[p as usize] = true;
                }
            }
        } else if self.incremental_flag()? {
            ck.msg("incremental_vacuum enabled with a max rootpage of zero".into());
        }
        if lock_page <= n {
            ck.refs[lock_page as usize] = true;
        }
        self.check_freelist(&mut ck)?;
        for &root in roots {
            if root == 0 || ck.full() {
                continue;
            }
            let mut last = None;
            self.check_tree_page(&mut ck, root, root, 0, 0, &mut last)?;
        }
        let max_root = roots.iter().copied().max().unwrap_or(0);
        let header_root = get_u32(self.pager.read(1)?, 52);
        if ck.av && max_root != header_root {
            ck.msg(format!(
                "max rootpage ({max_root}) disagrees with header ({header_root})"
            ));
        }
        for p in 1..=n {
            if !ck.refs[p as usize] && p != ck.lock_page {
                ck.msg(format!("Page {p} is never used"));
            }
        }
        Ok(ck.errors)
    }

    fn check_freelist(&mut self, ck: &mut Check) -> Result<(), BtreeError> {
        let (mut trunk, expected) = {
            let p1 = self.pager.read(1)?;
            (get_u32(p1, 32), get_u32(p1, 36))
        };
        let usable = self.pager.usable_size();
        let mut count: u32 = 0;
        while trunk != 0 && !ck.full() {
            if !ck.mark(trunk) {
                break;
            }
            self.check_ptr(ck, trunk, PTRMAP_FREEPAGE, 0);
            count += 1;
            let (next, leaves) = {
                let t = self.pager.read(trunk)?;
                let n = get_u32(t, 4) as usize;
                if n > usable / 4 - 2 {
                    (0, Err(n))
                } else {
                    (
                        get_u32(t, 0),
                        Ok((0..n).map(|i| get_u32(t, 8 + 4 * i)).collect::<Vec<_>>()),
                    )
                }
            };
            match leaves {
                Err(_) => {
                    ck.msg(format!("freelist leaf count too big on page {trunk}"));
                    break;
                }
                Ok(l) => {
                    for leaf in l {
                        if ck.mark(leaf) {
                            self.check_ptr(ck, leaf, PTRMAP_FREEPAGE, 0);
                        }
                        count += 1;
                    }
                }
            }
            trunk = next;
        }
        if count != expected && !ck.full() {
            ck.msg(format!("size is {count} but should be {expected}"));
        }
        Ok(())
    }

    /// Checks the overflow chain of one cell.
    fn check_overflow(
        &mut self,
        ck: &mut Check,
        (holder, first): (Pgno, Pgno),
        pages: usize,
        ctx: &str,
    ) {
        let mut next = first;
        let mut left = pages;
        let mut prev = holder;
        while left > 0 && next != 0 {
            if !ck.mark(next) {
                return;
            }
            if prev == holder {
                self.check_ptr(ck, next, PTRMAP_OVERFLOW1, holder);
            } else {
                self.check_ptr(ck, next, PTRMAP_OVERFLOW2, prev);
            }
            prev = next;
            next = match self.pager.read(next) {
                Ok(d) => get_u32(d, 0),
                Err(_) => 0,
            };
            left -= 1;
        }
        if left > 0 || next != 0 {
            ck.msg(format!(
                "{ctx}overflow list length is {} but should be {pages}",
                pages - left
            ));
        }
    }

    /// Checks the page layout: cells, freeblocks and fragments tile the
    /// content area.
    fn check_layout(ck: &mut Check, v: &PageView, ctx: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::with_capacity(v.ncell + 8);
        let top = v.content_start();
        for i in 0..v.ncell {
            match v.cell(i) {
                Ok(c) if c.offset >= top && c.offset + c.size <= v.usable => {
                    spans.push((c.offset, c.size))
                }
                Ok(c) => ck.msg(format!("{ctx}cell {i}: Offset {} out of range", c.offset)),
                Err(_) => ck.msg(format!("{ctx}cell {i}: Extends off end of page")),
            }
        }
        let mut fb = get_u16(v.data, v.hdr + 1);
        let mut guard = 0;
        while fb != 0 && guard < v.usable / 4 {
            let size = get_u16(v.data, fb + 2);
            if fb + size > v.usable || size < 4 {
                ck.msg(format!("{ctx}freeblock at {fb} extends off end of page"));
                break;
            }
            spans.push((fb, size));
            fb = get_u16(v.data, fb);
            guard += 1;
        }
        spans.sort_unstable();
        let mut frag = 0usize;
        let mut prev_end = top;
        for &(s, len) in &spans {
            if s < prev_end {
                ck.msg(format!("Multiple uses for byte {s} of page {}", v.pgno));
                return spans;
            }
            frag += s - prev_end;
            prev_end = s + len;
        }
        frag += v.usable.saturating_sub(prev_end);
        let reported = usize::from(*v.data.get(v.hdr + 7).unwrap_or(&0));
        if frag != reported {
            ck.msg(format!(
                "Fragmentation of {frag} bytes reported as {reported} on page {}",
                v.pgno
            ));
        }
        spans
    }

    /// Checks the subtree at `pgno`; `last` is the previous table key seen
    /// in key order.
    fn check_tree_page(
        &mut self,
        ck: &mut Check,
        root: Pgno,
        pgno: Pgno,
        depth: usize,
        parent: Pgno,
        last: &mut Option<i64>,
    ) -> Result<Option<PageSummary>, BtreeError> {
        if ck.full() || !ck.mark(pgno) {
            return Ok(None);
        }
        if pgno != 1 {
            let kind = if parent == 0 {
                PTRMAP_ROOTPAGE
            } else {
                PTRMAP_BTREE
            };
            self.check_ptr(ck, pgno, kind, parent);
        }
        if depth > MAX_DEPTH {
            ck.msg(format!("Tree {root} page {pgno}: tree too deep"));
            return Ok(None);
        }
        let ctx = format!("Tree {root} page {pgno}: ");
        let usable = self.pager.usable_size();
        let data = self.pager.read(pgno)?.to_vec();
        let v = match PageView::parse(&data, pgno, usable) {
            Ok(v) => v,
            Err(e) => {
                ck.msg(format!("{ctx}btreeInitPage() returns error code 11 ({e})"));
                return Ok(None);
            }
        };
        Self::check_layout(ck, &v, &ctx);
        let mut child_depth: Option<usize> = None;
        let mut summary = PageSummary {
            depth: 0,
            min_key: None,
            max_key: None,
        };
        let mut payload = Vec::new();
        for i in 0..=v.ncell {
            if !v.is_leaf() {
                let child = if i == v.ncell {
                    v.right_child()
                } else {
                    get_u32(&data, v.cell_offset(i).unwrap_or(0))
                };
                if let Some(s) = self.check_tree_page(ck, root, child, depth + 1, pgno, last)? {
                    if *child_depth.get_or_insert(s.depth) != s.depth {
                        ck.msg(format!("{ctx}cell {i}: Child page depth differs"));
                    }
                    summary.min_key = summary.min_key.or(s.min_key);
                    summary.max_key = s.max_key.or(summary.max_key);
                }
            }
            if i == v.ncell {
                break;
            }
            let Ok(c) = v.cell(i) else { continue };
            if v.is_table() {
                if v.is_leaf() {
                    if last.is_some_and(|l| c.key <= l) {
                        ck.msg(format!("{ctx}cell {i}: Rowid {} out of order", c.key));
                    }
                    *last = Some(c.key);
                    summary.min_key = summary.min_key.or(Some(c.key));
                    summary.max_key = Some(c.key);
                } else if last.is_some_and(|l| l > c.key) {
                    ck.msg(format!("{ctx}cell {i}: Rowid {} out of order", c.key));
                }
            }
            if c.overflow != 0 {
                let pages = (c.payload_size as usize - c.local).div_ceil(usable - 4);
                self.check_overflow(ck, (pgno, c.overflow), pages, &ctx);
            }
            if !v.is_table() && self.read_payload(pgno, &c, &mut payload).is_err() {
                ck.msg(format!("{ctx}cell {i}: unreadable payload"));
            }
        }
        summary.depth = child_depth.map_or(0, |d| d + 1);
        Ok(Some(summary))
    }

    /// Checks the pointer-map entry of `pgno` (auto-vacuum databases).
    fn check_ptr(&mut self, ck: &mut Check, pgno: Pgno, kind: u8, parent: Pgno) {
        if !ck.av {
            return;
        }
        match self.ptrmap_get(pgno) {
            Ok((k, p)) if k == kind && p == parent => {}
            Ok((k, p)) => ck.msg(format!(
                "Bad ptr map entry key={pgno} expected=({kind},{parent}) got=({k},{p})"
            )),
            Err(_) => ck.msg(format!("Failed to read ptrmap key={pgno}")),
        }
    }

    /// The incremental-vacuum flag (header offset 64).
    fn incremental_flag(&mut self) -> Result<bool, BtreeError> {
        Ok(get_u32(self.pager.read(1)?, 64) != 0)
    }
}
