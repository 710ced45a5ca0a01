//! Payloads: building cells (spilling to overflow chains), reading whole
//! payloads back, and freeing chains.
//!
//! SQLite counterpart: `fillInCell`, `accessPayload`, `clearCell` (btree.c).
//!
//! Overflow page layout:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | next overflow page (0 = last) |
//! | 4 | usable−4 | payload bytes |
//!
//! Invariants:
//! 1. The number of overflow pages of a cell is exactly
//!    ⌈(P − local) / (U − 4)⌉; a chain that ends early, runs on, loops or
//!    leaves the file is corruption.
//! 2. Cells are built in their final format for the page type, so moving a
//!    cell between pages of the same kind is a byte copy.

use std::collections::HashSet;

use super::error::{corrupt, BtreeError, Pgno};
use super::page::{get_u32, local_payload, put_u32, CellInfo, PAGE_TABLE_LEAF};
use super::store::PageStore;
use super::Btree;
use crate::record::put_varint;

/// Largest payload a cell may carry (SQLite's default SQLITE_MAX_LENGTH).
pub(crate) const MAX_PAYLOAD: usize = 1_000_000_000;

impl<S: PageStore> Btree<S> {
    /// Builds a leaf cell (table leaf when `flags` is 13, else index leaf)
    /// for `payload`, writing any overflow pages.
    pub(crate) fn build_cell(
        &mut self,
        flags: u8,
        rowid: i64,
        payload: &[u8],
    ) -> Result<Vec<u8>, BtreeError> {
        let mut cell = Vec::new();
        self.build_cell_into(&mut cell, flags, rowid, payload)?;
        Ok(cell)
    }

    /// [`Self::build_cell`] into `cell` (cleared first; its allocation is
    /// reused).
    pub(crate) fn build_cell_into(
        &mut self,
        cell: &mut Vec<u8>,
        flags: u8,
        rowid: i64,
        payload: &[u8],
    ) -> Result<(), BtreeError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(BtreeError::TooBig);
        }
        let usable = self.pager.usable_size();
        let table = flags == PAGE_TABLE_LEAF;
        cell.clear();
        cell.reserve(payload.len().min(usable) + 24);
        let cell = &mut *cell;
        put_varint(cell, payload.len() as u64);
        if table {
            put_varint(cell, rowid as u64);
        }
        let local = local_payload(payload.len() as u64, usable, table);
        let (head, mut rest) = payload.split_at(local.min(payload.len()));
        cell.extend_from_slice(head);
        if rest.is_empty() {
            return Ok(());
        }
        let n = rest.len().div_ceil(usable - 4);
        let mut pages = Vec::with_capacity(n);
        for _ in 0..n {
            pages.push(self.allocate_page()?);
        }
        for (k, &pg) in pages.iter().enumerate() {
            let chunk = rest.len().min(usable - 4);
            let next = pages.get(k + 1).copied().unwrap_or(0);
            if k > 0 && self.av_cached {
                self.ptrmap_put(pg, super::ptrmap::PTRMAP_OVERFLOW2, pages[k - 1])?;
            }
            let data = self.pager.write(pg)?;
            put_u32(data, 0, next);
            if let Some(dst) = data.get_mut(4..4 + chunk) {
                dst.copy_from_slice(&rest[..chunk]);
            }
            rest = &rest[chunk..];
        }
        let mut ov = [0u8; 4];
        put_u32(&mut ov, 0, pages[0]);
        cell.extend_from_slice(&ov);
        Ok(())
    }

    /// Number of overflow pages a cell with `info` must have.
    fn overflow_count(&self, info: &CellInfo) -> usize {
        let usable = self.pager.usable_size();
        (info.payload_size as usize - info.local).div_ceil(usable - 4)
    }

    /// Copies the whole payload of the cell `info` on page `pgno` into
    /// `out` (replacing its contents).
    pub(crate) fn read_payload(
        &mut self,
        pgno: Pgno,
        info: &CellInfo,
        out: &mut Vec<u8>,
    ) -> Result<(), BtreeError> {
        out.clear();
        let usable = self.pager.usable_size();
        {
            let data = self.pager.read(pgno)?;
            let local = data
                .get(info.payload_at..info.payload_at + info.local)
                .ok_or(corrupt(pgno, "payload past page end"))?;
            out.extend_from_slice(local);
        }
        let total = info.payload_size as usize;
        let mut next = info.overflow;
        let mut remaining = self.overflow_count(info);
        while out.len() < total {
            if remaining == 0 || next == 0 {
                return Err(corrupt(pgno, "overflow chain too short"));
            }
            self.check_pgno(next, pgno)?;
            let data = self.pager.read(next)?;
            let chunk = (total - out.len()).min(usable - 4);
            out.extend_from_slice(data.get(4..4 + chunk).ok_or(corrupt(next, "short page"))?);
            next = get_u32(data, 0);
            remaining -= 1;
        }
        Ok(())
    }

    /// Frees the overflow chain of cell `info` (found on page `pgno`).
    pub(crate) fn free_overflow(&mut self, pgno: Pgno, info: &CellInfo) -> Result<(), BtreeError> {
        if info.overflow == 0 {
            return Ok(());
        }
        let n = self.overflow_count(info);
        let mut seen = HashSet::with_capacity(n);
        let mut next = info.overflow;
        for _ in 0..n {
            if next < 2 || !seen.insert(next) {
                return Err(corrupt(pgno, "overflow chain is broken or loops"));
            }
            self.check_pgno(next, pgno)?;
            let following = get_u32(self.pager.read(next)?, 0);
            self.free_page(next)?;
            next = following;
        }
        Ok(())
    }
}
