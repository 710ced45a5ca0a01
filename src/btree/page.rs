//! The b-tree page format: header, cell pointer array, cells, freeblocks.
//!
//! SQLite counterpart: `MemPage`, `btreeInitPage`, `btreeParseCellPtr`,
//! `allocateSpace`, `freeSpace`, `defragmentPage`, `insertCell`,
//! `dropCell` (btree.c).
//!
//! Page header (at offset 100 on page 1, else 0):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | type: 2 interior index, 5 interior table, 10 leaf index, 13 leaf table |
//! | 1 | 2 | first freeblock (0 = none) |
//! | 3 | 2 | number of cells |
//! | 5 | 2 | start of cell content area (0 means 65536) |
//! | 7 | 1 | fragmented free bytes in the content area |
//! | 8 | 4 | right-most child (interior pages only) |
//!
//! Then the cell pointer array (2 bytes per cell, in key order), the
//! unallocated gap, and the cell content area up to the usable size.
//! A freeblock is `[next: u16][size: u16]` followed by free bytes; the list
//! is sorted by offset. Cells:
//!
//! | kind | layout |
//! |---|---|
//! | table leaf | varint payload-size, varint rowid, local payload, [u32 overflow] |
//! | table interior | u32 left child, varint rowid |
//! | index leaf | varint payload-size, local payload, [u32 overflow] |
//! | index interior | u32 left child, varint payload-size, local payload, [u32 overflow] |
//!
//! Invariants:
//! 1. Every cell occupies at least 4 bytes of the content area.
//! 2. Bytes of the content area are exactly: cells, freeblocks (≥ 4 bytes
//!    each) and the fragment count of header byte 7.
//! 3. Every offset read from a page is checked before use; violations are
//!    `Corrupt { pgno }`.

use super::error::{corrupt, BtreeError, Pgno};
use crate::record::get_varint;

pub(crate) const PAGE_INDEX_INTERIOR: u8 = 2;
pub(crate) const PAGE_TABLE_INTERIOR: u8 = 5;
pub(crate) const PAGE_INDEX_LEAF: u8 = 10;
pub(crate) const PAGE_TABLE_LEAF: u8 = 13;

/// Offset of the b-tree header on page `pgno`.
#[inline]
pub(crate) fn hdr_offset(pgno: Pgno) -> usize {
    if pgno == 1 {
        100
    } else {
        0
    }
}

#[inline]
pub(crate) fn get_u16(d: &[u8], at: usize) -> usize {
    match d.get(at..at + 2) {
        Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
        None => 0,
    }
}

#[inline]
pub(crate) fn get_u32(d: &[u8], at: usize) -> u32 {
    match d.get(at..at + 4) {
        Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

pub(crate) fn put_u16(d: &mut [u8], at: usize, v: usize) {
    if let Some(b) = d.get_mut(at..at + 2) {
        b.copy_from_slice(&(v as u16).to_be_bytes());
    }
}

pub(crate) fn put_u32(d: &mut [u8], at: usize, v: u32) {
    if let Some(b) = d.get_mut(at..at + 4) {
        b.copy_from_slice(&v.to_be_bytes());
    }
}

/// The largest index payload kept wholly on the page (fileformat2 §1.6).
#[inline]
pub(crate) fn max_local_index(usable: usize) -> u64 {
    ((usable as u64 - 12) * 64 / 255) - 23
}

/// Local payload bytes for a payload of `p` bytes (fileformat2 §1.6).
#[inline]
pub(crate) fn local_payload(p: u64, usable: usize, table: bool) -> usize {
    let u = usable as u64;
    let x = if table {
        u - 35
    } else {
        ((u - 12) * 64 / 255) - 23
    };
    if p <= x {
        return p as usize;
    }
    let m = ((u - 12) * 32 / 255) - 23;
    let k = m + ((p - m) % (u - 4));
    if k <= x {
        k as usize
    } else {
        m as usize
    }
}

/// A parsed cell.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CellInfo {
    /// Offset of the cell on the page.
    pub offset: usize,
    /// Rowid (table cells) or payload size (index cells).
    pub key: i64,
    /// Left child (interior cells), else 0.
    pub child: Pgno,
    /// Total payload size.
    pub payload_size: u64,
    /// Offset of the local payload on the page.
    pub payload_at: usize,
    /// Bytes of payload stored on the page.
    pub local: usize,
    /// First overflow page, 0 if none.
    pub overflow: Pgno,
    /// Bytes the cell occupies (at least 4).
    pub size: usize,
    /// Exact length of the cell's bytes (may be below 4).
    pub len: usize,
}

/// A read-only view of one b-tree page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageView<'a> {
    pub data: &'a [u8],
    pub pgno: Pgno,
    pub hdr: usize,
    pub flags: u8,
    pub ncell: usize,
    pub usable: usize,
    /// Offset of the cell pointer array (precomputed from `hdr`, `flags`).
    pub ptrs: usize,
    /// End of the cell pointer array: no cell may start before it.
    pub ptrs_end: usize,
}

impl<'a> PageView<'a> {
    /// Parses and sanity-checks the header of page `pgno`.
    #[inline]
    pub fn parse(data: &'a [u8], pgno: Pgno, usable: usize) -> Result<Self, BtreeError> {
        let hdr = hdr_offset(pgno);
        let flags = *data.get(hdr).ok_or(corrupt(pgno, "page too small"))?;
        if !matches!(
            flags,
            PAGE_INDEX_INTERIOR | PAGE_TABLE_INTERIOR | PAGE_INDEX_LEAF | PAGE_TABLE_LEAF
        ) {
            return Err(corrupt(pgno, "bad page type"));
        }
        let ncell = get_u16(data, hdr + 3);
        let ptrs = hdr + header_size(flags);
        let ptrs_end = ptrs + 2 * ncell;
        if ptrs_end > usable.min(data.len()) {
            return Err(corrupt(pgno, "cell count too large"));
        }
        Ok(PageView {
            data,
            pgno,
            hdr,
            flags,
            ncell,
            usable,
            ptrs,
            ptrs_end,
        })
    }

    #[inline]
    pub fn is_leaf(&self) -> bool {
        self.flags & 8 != 0
    }

    #[inline]
    pub fn is_table(&self) -> bool {
        self.flags & 1 != 0
    }

    /// Offset of the cell pointer array.
    pub fn cell_array(&self) -> usize {
        self.ptrs
    }

    /// Start of the cell content area.
    pub fn content_start(&self) -> usize {
        match get_u16(self.data, self.hdr + 5) {
            0 => 65536,
            n => n,
        }
    }

    pub fn right_child(&self) -> Pgno {
        if self.is_leaf() {
            0
        } else {
            get_u32(self.data, self.hdr + 8)
        }
    }

    /// Offset of cell `i`.
    #[inline]
    pub fn cell_offset(&self, i: usize) -> Result<usize, BtreeError> {
        if i >= self.ncell {
            return Err(corrupt(self.pgno, "cell index out of range"));
        }
        let off = get_u16(self.data, self.ptrs + 2 * i);
        if off < self.ptrs_end || off + 4 > self.usable {
            return Err(corrupt(self.pgno, "cell offset out of range"));
        }
        Ok(off)
    }

    /// The integer key of cell `i` of a table page (a leaf cell's rowid,
    /// an interior cell's separator) without parsing the rest of the cell
    /// (rowid binary searches).
    #[inline(always)]
    pub fn table_key(&self, i: usize) -> Result<i64, BtreeError> {
        let off = self.cell_offset(i)?;
        let bad = || corrupt(self.pgno, "malformed cell");
        let cell = self
            .data
            .get(off..self.usable.min(self.data.len()))
            .ok_or_else(bad)?;
        let at = if self.flags == PAGE_TABLE_INTERIOR {
            4
        } else {
            get_varint(cell).ok_or_else(bad)?.1
        };
        let (k, _) = get_varint(cell.get(at..).ok_or_else(bad)?).ok_or_else(bad)?;
        Ok(k as i64)
    }

    /// The key record of cell `i` of an index page when it lies wholly on
    /// the page, without parsing the rest of the cell (index binary
    /// searches). `None` when the payload spills to overflow pages or the
    /// cell is malformed: the caller then parses it with [`Self::cell`],
    /// which reports the corruption.
    #[inline(always)]
    pub fn index_record(&self, i: usize) -> Option<&'a [u8]> {
        let end = self.usable.min(self.data.len());
        let off = self.cell_offset(i).ok()?;
        let at = off + if self.flags & 8 == 0 { 4 } else { 0 };
        let (p, n) = match *self.data.get(at..end)? {
            [b, ..] if b < 0x80 => (usize::from(b), 1),
            ref rest => {
                let (p, n) = get_varint(rest)?;
                (usize::try_from(p).ok()?, n)
            }
        };
        if p as u64 > max_local_index(self.usable) || at + n + p > end {
            return None;
        }
        self.data.get(at + n..at + n + p)
    }

    /// Parses cell `i`.
    #[inline]
    pub fn cell(&self, i: usize) -> Result<CellInfo, BtreeError> {
        let off = self.cell_offset(i)?;
        parse_cell(self.data, off, self.flags, self.usable, self.pgno)
    }

    /// The exact bytes of cell `i`.
    pub fn cell_bytes(&self, i: usize) -> Result<&'a [u8], BtreeError> {
        let c = self.cell(i)?;
        self.data
            .get(c.offset..c.offset + c.len)
            .ok_or(corrupt(self.pgno, "cell past page end"))
    }

    /// Child page number `i` (0..=ncell; `ncell` is the right child).
    pub fn child(&self, i: usize) -> Result<Pgno, BtreeError> {
        if self.is_leaf() {
            return Err(corrupt(self.pgno, "child of a leaf"));
        }
        let c = if i == self.ncell {
            self.right_child()
        } else {
            get_u32(self.data, self.cell_offset(i)?)
        };
        if c < 2 {
            return Err(corrupt(self.pgno, "bad child page number"));
        }
        Ok(c)
    }

    /// The local payload of cell `c` (a slice of the page).
    pub fn local_payload(&self, c: &CellInfo) -> &'a [u8] {
        self.data
            .get(c.payload_at..c.payload_at + c.local)
            .unwrap_or(&[])
    }
}

/// Size of the b-tree page header for page type `flags`.
#[inline]
pub(crate) fn header_size(flags: u8) -> usize {
    if flags & 8 != 0 {
        8
    } else {
        12
    }
}

/// Parses the cell at `off` of a page of type `flags`.
#[inline]
pub(crate) fn parse_cell(
    data: &[u8],
    off: usize,
    flags: u8,
    usable: usize,
    pgno: Pgno,
) -> Result<CellInfo, BtreeError> {
    let bad = || corrupt(pgno, "malformed cell");
    let end = usable.min(data.len());
    let cell = data.get(off..end).ok_or_else(bad)?;
    let mut info = CellInfo {
        offset: off,
        ..CellInfo::default()
    };
    let mut pos = 0;
    if flags & 8 == 0 {
        info.child = get_u32(cell, 0);
        pos = 4;
    }
    if flags == PAGE_TABLE_INTERIOR {
        let (k, n) = get_varint(cell.get(pos..).ok_or_else(bad)?).ok_or_else(bad)?;
        info.key = k as i64;
        info.len = pos + n;
        info.size = info.len.max(4);
        return Ok(info);
    }
    let (p, n) = get_varint(cell.get(pos..).ok_or_else(bad)?).ok_or_else(bad)?;
    pos += n;
    if p > i32::MAX as u64 {
        return Err(corrupt(pgno, "payload size too large"));
    }
    info.payload_size = p;
    info.key = p as i64;
    if flags == PAGE_TABLE_LEAF {
        let (k, n) = get_varint(cell.get(pos..).ok_or_else(bad)?).ok_or_else(bad)?;
        info.key = k as i64;
        pos += n;
    }
    info.payload_at = off + pos;
    info.local = local_payload(p, usable, flags == PAGE_TABLE_LEAF);
    pos += info.local;
    if (info.local as u64) < p {
        info.overflow = get_u32(cell, pos);
        pos += 4;
    }
    if pos > cell.len() {
        return Err(corrupt(pgno, "cell extends past page end"));
    }
    info.len = pos;
    info.size = pos.max(4);
    Ok(info)
}

/// Free bytes on the page: the gap plus freeblocks plus fragments.
pub(crate) fn free_space(v: &PageView) -> Result<usize, BtreeError> {
    let gap_start = v.cell_array() + 2 * v.ncell;
    let top = v.content_start();
    if top < gap_start || top > v.usable {
        return Err(corrupt(v.pgno, "bad cell content start"));
    }
    let mut total = top - gap_start + usize::from(*v.data.get(v.hdr + 7).unwrap_or(&0));
    let mut fb = get_u16(v.data, v.hdr + 1);
    let mut last_end = 0;
    while fb != 0 {
        if fb < top || fb < last_end || fb + 4 > v.usable {
            return Err(corrupt(v.pgno, "bad freeblock"));
        }
        let size = get_u16(v.data, fb + 2);
        if size < 4 || fb + size > v.usable {
            return Err(corrupt(v.pgno, "bad freeblock size"));
        }
        total += size;
        last_end = fb + size;
        fb = get_u16(v.data, fb);
        if fb != 0 && fb <= last_end {
            return Err(corrupt(v.pgno, "freeblocks out of order"));
        }
    }
    if total > v.usable {
        return Err(corrupt(v.pgno, "free space exceeds page"));
    }
    Ok(total)
}

/// Mutable operations on a page buffer.
pub(crate) struct PageMut<'a> {
    pub data: &'a mut [u8],
    pub pgno: Pgno,
    pub usable: usize,
}

impl PageMut<'_> {
    fn view(&self) -> Result<PageView<'_>, BtreeError> {
        PageView::parse(self.data, self.pgno, self.usable)
    }

    /// Inserts `cell` as cell `idx`; `Ok(false)` when it does not fit.
    pub fn insert_cell(&mut self, idx: usize, cell: &[u8]) -> Result<bool, BtreeError> {
        let v = self.view()?;
        let size = cell.len().max(4);
        let (hdr, arr, n) = (v.hdr, v.cell_array(), v.ncell);
        if idx > n {
            return Ok(false);
        }
        let top = v.content_start();
        // No freeblocks and room in the gap (the common case while a page
        // fills): carve the cell off the top of the gap, as `allocate`
        // would, without walking the free list.
        let at = if get_u16(self.data, hdr + 1) == 0
            && top <= self.usable
            && top >= arr + 2 * n + 2 + size
        {
            put_u16(self.data, hdr + 5, top - size);
            top - size
        } else {
            if free_space(&v)? < size + 2 {
                return Ok(false);
            }
            self.allocate(size)?
        };
        if let Some(dst) = self.data.get_mut(at..at + cell.len()) {
            dst.copy_from_slice(cell);
        }
        let ptr = arr + 2 * idx;
        self.data.copy_within(ptr..arr + 2 * n, ptr + 2);
        put_u16(self.data, ptr, at);
        put_u16(self.data, hdr + 3, n + 1);
        Ok(true)
    }

    /// Finds `size` bytes in the content area (room for one more cell
    /// pointer is guaranteed too); returns their offset.
    fn allocate(&mut self, size: usize) -> Result<usize, BtreeError> {
        let v = self.view()?;
        let (hdr, gap_start, top) = (v.hdr, v.cell_array() + 2 * v.ncell, v.content_start());
        let frag = usize::from(*self.data.get(hdr + 7).unwrap_or(&0));
        if top >= gap_start + 2 && frag < 60 {
            if let Some(at) = self.take_freeblock(size, hdr)? {
                return Ok(at);
            }
        }
        if top < gap_start + 2 + size {
            self.defragment()?;
        }
        let v = self.view()?;
        let top = v.content_start();
        if top < v.cell_array() + 2 * v.ncell + 2 + size {
            return Err(corrupt(self.pgno, "page space accounting is wrong"));
        }
        let at = top - size;
        put_u16(self.data, hdr + 5, at);
        Ok(at)
    }

    /// First-fit allocation from the freeblock list.
    fn take_freeblock(&mut self, size: usize, hdr: usize) -> Result<Option<usize>, BtreeError> {
        let mut prev = hdr + 1;
        let mut fb = get_u16(self.data, prev);
        let mut guard = 0;
        while fb != 0 {
            guard += 1;
            if guard > self.usable / 4 || fb + 4 > self.usable {
                return Err(corrupt(self.pgno, "freeblock list loops"));
            }
            let fsize = get_u16(self.data, fb + 2);
            if fsize >= size {
                let left = fsize - size;
                if left < 4 {
                    let next = get_u16(self.data, fb);
                    put_u16(self.data, prev, next);
                    let frag = self.data.get(hdr + 7).copied().unwrap_or(0);
                    if let Some(b) = self.data.get_mut(hdr + 7) {
                        *b = frag.saturating_add(left as u8);
                    }
                    return Ok(Some(fb));
                }
                put_u16(self.data, fb + 2, left);
                return Ok(Some(fb + left));
            }
            prev = fb;
            fb = get_u16(self.data, fb);
        }
        Ok(None)
    }

    /// Packs all cells at the end of the page: one gap, no freeblocks.
    pub fn defragment(&mut self) -> Result<(), BtreeError> {
        let v = self.view()?;
        let (hdr, arr, n, usable) = (v.hdr, v.cell_array(), v.ncell, v.usable);
        let mut cells = Vec::with_capacity(n);
        for i in 0..n {
            let c = v.cell(i)?;
            cells.push((c.offset, c.size));
        }
        let copy = self.data.to_vec();
        let mut top = usable;
        for (i, (off, size)) in cells.into_iter().enumerate() {
            if top < arr + 2 * n + size {
                return Err(corrupt(self.pgno, "cells overlap"));
            }
            top -= size;
            let src = copy
                .get(off..off + size)
                .ok_or(corrupt(self.pgno, "cell past end"))?;
            if let Some(dst) = self.data.get_mut(top..top + size) {
                dst.copy_from_slice(src);
            }
            put_u16(self.data, arr + 2 * i, top);
        }
        put_u16(self.data, hdr + 1, 0);
        put_u16(self.data, hdr + 5, top);
        if let Some(b) = self.data.get_mut(hdr + 7) {
            *b = 0;
        }
        Ok(())
    }

    /// Removes cell `idx`, returning its space to the freeblock list.
    /// Returns the bytes still in use after the drop: the page's size minus
    /// its header and free space (gap, freeblocks, fragments), 0 once the
    /// page is empty. The free list is walked once for both jobs.
    pub fn drop_cell(&mut self, idx: usize) -> Result<usize, BtreeError> {
        let v = self.view()?;
        let c = v.cell(idx)?;
        let (hdr, arr, n, usable) = (v.hdr, v.cell_array(), v.ncell, v.usable);
        let ptr = arr + 2 * idx;
        self.data.copy_within(ptr + 2..arr + 2 * n, ptr);
        put_u16(self.data, hdr + 3, n - 1);
        if n == 1 {
            put_u16(self.data, hdr + 1, 0);
            put_u16(self.data, hdr + 5, usable);
            if let Some(b) = self.data.get_mut(hdr + 7) {
                *b = 0;
            }
            return Ok(0);
        }
        let blocks = self.free_block(hdr, c.offset, c.size)?;
        let gap_start = arr + 2 * (n - 1);
        let top = match get_u16(self.data, hdr + 5) {
            0 => 65536,
            t => t,
        };
        let frag = usize::from(self.data.get(hdr + 7).copied().unwrap_or(0));
        let free = top
            .checked_sub(gap_start)
            .map(|gap| gap + frag + blocks)
            .filter(|&f| f <= usable - arr)
            .ok_or(corrupt(self.pgno, "free space exceeds page"))?;
        Ok(usable - arr - free)
    }

    /// Adds `[start, start+size)` to the sorted freeblock list, coalescing
    /// with adjacent blocks and with the content-area start. Returns the
    /// total size of the freeblocks afterwards.
    fn free_block(&mut self, hdr: usize, start: usize, size: usize) -> Result<usize, BtreeError> {
        let mut prev = 0usize;
        let mut prev_size = 0usize;
        // Sizes of the blocks before `prev`.
        let mut before = 0usize;
        let mut next = get_u16(self.data, hdr + 1);
        let mut guard = 0;
        while next != 0 && next < start {
            guard += 1;
            if guard > self.usable / 4 || next + 4 > self.usable {
                return Err(corrupt(self.pgno, "freeblock list loops"));
            }
            before += prev_size;
            prev = next;
            prev_size = get_u16(self.data, next + 2);
            next = get_u16(self.data, next);
        }
        if next != 0 && next < start + size {
            return Err(corrupt(self.pgno, "freeblock overlaps cell"));
        }
        // Neighbours closer than 4 bytes merge, the bytes between them
        // (fragments) included: C SQLite rejects freeblocks separated by
        // fewer than 4 bytes as "free space corruption".
        let (mut start, mut size, mut absorbed) = (start, size, 0usize);
        if next != 0 && next < start + size + 4 {
            absorbed += next - (start + size);
            size = next + get_u16(self.data, next + 2) - start;
            next = get_u16(self.data, next);
        }
        let prev_end = prev + prev_size;
        if prev != 0 && prev_end > start {
            return Err(corrupt(self.pgno, "freeblock overlaps cell"));
        }
        if prev != 0 && prev_end + 4 > start {
            absorbed += start - prev_end;
            size += start - prev;
            start = prev;
        } else {
            before += prev_size;
            put_u16(self.data, if prev == 0 { hdr + 1 } else { prev }, start);
        }
        if absorbed > 0 {
            let frag = usize::from(self.data.get(hdr + 7).copied().unwrap_or(0));
            if frag < absorbed {
                return Err(corrupt(self.pgno, "fragment count too small"));
            }
            if let Some(b) = self.data.get_mut(hdr + 7) {
                *b = (frag - absorbed) as u8;
            }
        }
        put_u16(self.data, start, next);
        put_u16(self.data, start + 2, size);
        let mut blocks = before + size + self.blocks_from(next, guard)?;
        let top = match get_u16(self.data, hdr + 5) {
            0 => 65536,
            t => t,
        };
        if start == top && get_u16(self.data, hdr + 1) == start {
            // The first freeblock touches the gap: fold it into the gap.
            put_u16(self.data, hdr + 1, next);
            put_u16(self.data, hdr + 5, start + size);
            blocks -= size;
        }
        Ok(blocks)
    }

    /// Total size of the freeblocks from `fb` to the end of the list
    /// (`guard`: blocks already walked, bounding a looping list).
    fn blocks_from(&self, mut fb: usize, mut guard: usize) -> Result<usize, BtreeError> {
        let mut total = 0;
        while fb != 0 {
            guard += 1;
            if guard > self.usable / 4 || fb + 4 > self.usable {
                return Err(corrupt(self.pgno, "freeblock list loops"));
            }
            total += get_u16(self.data, fb + 2);
            fb = get_u16(self.data, fb);
        }
        Ok(total)
    }
}

/// Rewrites a page from scratch with `cells` (exact cell bytes) and, for
/// interior pages, `right`. Returns false if they do not fit.
pub(crate) fn write_page(
    data: &mut [u8],
    pgno: Pgno,
    usable: usize,
    flags: u8,
    cells: &[&[u8]],
    right: Pgno,
) -> bool {
    let hdr = hdr_offset(pgno);
    let arr = hdr + header_size(flags);
    let need: usize = cells.iter().map(|c| c.len().max(4) + 2).sum();
    if arr + need > usable || usable > data.len() {
        return false;
    }
    if let Some(h) = data.get_mut(hdr..arr) {
        h.fill(0);
    }
    data[hdr] = flags;
    put_u16(data, hdr + 3, cells.len());
    if flags & 8 == 0 {
        put_u32(data, hdr + 8, right);
    }
    let mut top = usable;
    for (i, c) in cells.iter().enumerate() {
        let size = c.len().max(4);
        top -= size;
        data[top..top + c.len()].copy_from_slice(c);
        data[top + c.len()..top + size].fill(0);
        put_u16(data, arr + 2 * i, top);
    }
    put_u16(data, hdr + 5, top);
    let gap_end = top;
    if let Some(g) = data.get_mut(arr + 2 * cells.len()..gap_end) {
        g.fill(0);
    }
    true
}

/// Room for cells on page `pgno` of type `flags`.
pub(crate) fn page_capacity(pgno: Pgno, usable: usize, flags: u8) -> usize {
    usable - hdr_offset(pgno) - header_size(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(usable: usize) -> Vec<u8> {
        let mut d = vec![0u8; usable];
        assert!(write_page(&mut d, 2, usable, PAGE_TABLE_LEAF, &[], 0));
        d
    }

    fn table_cell(rowid: u64, payload: &[u8]) -> Vec<u8> {
        let mut c = Vec::new();
        crate::record::put_varint(&mut c, payload.len() as u64);
        crate::record::put_varint(&mut c, rowid);
        c.extend_from_slice(payload);
        c
    }

    #[test]
    fn local_payload_thresholds() {
        // U = 4096: X(table) = 4061, M = 489, X(index) = 1002.
        assert_eq!(local_payload(4061, 4096, true), 4061);
        // K = 489 + 3573 = 4062 > X, so only M bytes stay local.
        assert_eq!(local_payload(4062, 4096, true), 489);
        assert_eq!(
            local_payload(4092 + 4061, 4096, true),
            489 + (4092 + 4061 - 489) % 4092
        );
        assert_eq!(local_payload(1002, 4096, false), 1002);
        assert_eq!(local_payload(1003, 4096, false), 489);
        assert_eq!(
            local_payload(4092 + 1000, 4096, false),
            489 + (4092 + 1000 - 489) % 4092
        );
        assert_eq!(
            local_payload(1_000_000, 4096, true),
            489 + (1_000_000 - 489) % 4092
        );
        assert_eq!(local_payload(4092 + 489 + 4000, 4096, false), 489);
    }

    #[test]
    fn freeblocks_separated_by_a_fragment_merge() {
        let usable = 512;
        let mut d = leaf(usable);
        let mut pm = PageMut {
            data: &mut d,
            pgno: 2,
            usable,
        };
        for i in 0..5 {
            assert!(pm
                .insert_cell(i, &table_cell(i as u64, &[7u8; 20]))
                .unwrap());
        }
        // Cell 2 (22 bytes at usable-66) becomes a 20-byte cell + 2-byte fragment.
        pm.drop_cell(2).unwrap();
        assert!(pm.insert_cell(2, &table_cell(9, &[1u8; 18])).unwrap());
        assert_eq!(pm.data[7], 2);
        pm.drop_cell(1).unwrap(); // freeblock at usable-44
        pm.drop_cell(1).unwrap(); // the 20-byte cell: 2 bytes short of it
        assert_eq!(get_u16(pm.data, 1), usable - 66);
        assert_eq!(get_u16(pm.data, usable - 66), 0, "one freeblock");
        assert_eq!(get_u16(pm.data, usable - 66 + 2), 44);
        assert_eq!(pm.data[7], 0, "fragment absorbed");
        let v = PageView::parse(pm.data, 2, usable).unwrap();
        assert_eq!(free_space(&v).unwrap(), (usable - 110) - (8 + 2 * 3) + 44);
    }

    #[test]
    fn insert_drop_and_accounting() {
        let usable = 512;
        let mut d = leaf(usable);
        let mut pm = PageMut {
            data: &mut d,
            pgno: 2,
            usable,
        };
        let mut n = 0;
        while pm
            .insert_cell(n, &table_cell(n as u64, &[7u8; 20]))
            .unwrap()
        {
            n += 1;
        }
        assert!(n > 10);
        // Drop every other cell, then refill: must reuse freeblocks.
        for i in (0..n).rev().step_by(2) {
            pm.drop_cell(i).unwrap();
        }
        let v = PageView::parse(pm.data, 2, usable).unwrap();
        let free = free_space(&v).unwrap();
        assert!(free >= (n / 2) * 24);
        let mut added = 0;
        while pm.insert_cell(0, &table_cell(1000, &[1u8; 20])).unwrap() {
            added += 1;
        }
        assert!(added >= n / 2, "added {added} of {n}");
        let v = PageView::parse(pm.data, 2, usable).unwrap();
        assert!(free_space(&v).unwrap() < 24);
        // drop_cell's answer (bytes in use) agrees with a walk of the free
        // list after every drop, whatever the merges, down to an empty page.
        let mut x = 0x9e37_79b9_u64;
        loop {
            let v = PageView::parse(pm.data, 2, usable).unwrap();
            if v.ncell == 0 {
                break;
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let used = pm.drop_cell(x as usize % v.ncell).unwrap();
            let v = PageView::parse(pm.data, 2, usable).unwrap();
            let want = if v.ncell == 0 {
                0
            } else {
                usable - v.cell_array() - free_space(&v).unwrap()
            };
            assert_eq!(used, want, "{} cells left", v.ncell);
        }
        // Tiny cells still take 4 bytes.
        let mut d = leaf(usable);
        let mut pm = PageMut {
            data: &mut d,
            pgno: 2,
            usable,
        };
        assert!(pm.insert_cell(0, &table_cell(1, &[])).unwrap());
        let v = PageView::parse(pm.data, 2, usable).unwrap();
        assert_eq!(free_space(&v).unwrap(), usable - 8 - 2 - 4);
        assert_eq!(v.cell(0).unwrap().key, 1);
    }

    #[test]
    fn corrupt_headers_rejected() {
        let usable = 512;
        let mut d = leaf(usable);
        d[0] = 7;
        assert!(PageView::parse(&d, 2, usable).is_err());
        let mut d = leaf(usable);
        put_u16(&mut d, 3, 400);
        assert!(PageView::parse(&d, 2, usable).is_err());
        let mut d = leaf(usable);
        let mut pm = PageMut {
            data: &mut d,
            pgno: 2,
            usable,
        };
        pm.insert_cell(0, &table_cell(5, b"abc")).unwrap();
        put_u16(&mut d, 8, 2);
        let v = PageView::parse(&d, 2, usable).unwrap();
        assert!(v.cell(0).is_err());
    }
}
