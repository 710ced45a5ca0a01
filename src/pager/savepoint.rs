//! Savepoints (statement and SAVEPOINT sub-transactions) of the [`Pager`].
//!
//! SQLite counterpart: `sqlite3PagerOpenSavepoint`, `sqlite3PagerSavepoint`,
//! `pagerPlaybackSavepoint` and the sub-journal in pager.c. loom keeps the
//! savepoint originals in memory instead of a sub-journal file.
//!
//! Depths are 1-based: `savepoint_open` returns the number of open
//! savepoints after the call. `savepoint_release(d)` closes savepoint `d`
//! and all nested in it; `savepoint_rollback(d)` restores every page to its
//! content when `d` was opened, closes the nested ones and keeps `d` open.
//!
//! Invariants:
//! 1. Savepoint `d` holds, for every page changed since it opened and that
//!    existed then (`pgno <= db_size`), the page's content at that moment.
//! 2. A frame's `sp_serial` equals the newest savepoint's serial only if the
//!    page is recorded in every open savepoint that needs it.

use super::cache::{Pgno, PgnoMap};
use super::error::PagerError;
use super::pager::{Pager, Savepoint, TxnState};

impl Pager {
    /// Serial of the innermost savepoint (0 when none is open).
    pub(super) fn current_serial(&self) -> u32 {
        self.savepoints.last().map_or(0, |s| s.serial)
    }

    fn new_serial(&mut self) -> u32 {
        let s = self.next_serial;
        self.next_serial = self.next_serial.wrapping_add(1).max(1);
        s
    }

    /// Opens a savepoint; returns its depth (1 = outermost).
    pub fn savepoint_open(&mut self) -> Result<u32, PagerError> {
        if self.txn == TxnState::None {
            return Err(PagerError::Misuse("savepoint outside a transaction"));
        }
        let serial = self.new_serial();
        self.savepoints.push(Savepoint {
            db_size: self.db_size,
            originals: PgnoMap::default(),
            serial,
        });
        Ok(self.savepoints.len() as u32)
    }

    fn check_depth(&self, depth: u32) -> Result<usize, PagerError> {
        let d = depth as usize;
        if d == 0 || d > self.savepoints.len() {
            return Err(PagerError::Misuse("no such savepoint"));
        }
        Ok(d)
    }

    /// Closes savepoint `depth` and every savepoint nested in it.
    pub fn savepoint_release(&mut self, depth: u32) -> Result<(), PagerError> {
        let d = self.check_depth(depth)?;
        self.savepoints.truncate(d - 1);
        Ok(())
    }

    /// Restores the state at the opening of savepoint `depth`.
    pub fn savepoint_rollback(&mut self, depth: u32) -> Result<(), PagerError> {
        let d = self.check_depth(depth)?;
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.savepoints.truncate(d);
        let serial = self.new_serial();
        let Some(sp) = self.savepoints.last_mut() else {
            return Err(PagerError::Misuse("no such savepoint"));
        };
        let originals = std::mem::take(&mut sp.originals);
        sp.serial = serial;
        let db_size = sp.db_size;
        self.cache.drop_above(db_size);
        self.db_size = db_size;
        for (pgno, data) in originals {
            if pgno <= db_size {
                self.restore_page(pgno, &data);
            }
        }
        Ok(())
    }

    fn restore_page(&mut self, pgno: Pgno, data: &[u8]) {
        let idx = match self.cache.lookup(pgno) {
            Some(r) => self.cache.check(r).ok(),
            None => Some(self.cache.insert(pgno).0),
        };
        if let Some(idx) = idx {
            if let Some(f) = self.cache.frame_mut(idx) {
                f.data.copy_from_slice(data);
                f.sp_serial = 0;
            }
            self.cache.set_dirty(idx);
        }
    }

    /// Records the page in frame `idx` in every savepoint that lacks it.
    pub(super) fn record_in_savepoints(&mut self, idx: usize) {
        let serial = self.current_serial();
        if serial == 0 {
            return;
        }
        let Some(f) = self.cache.frame(idx) else {
            return;
        };
        if f.sp_serial == serial {
            return;
        }
        let pgno = f.pgno;
        self.save_for_savepoints(pgno, idx);
        if let Some(f) = self.cache.frame_mut(idx) {
            f.sp_serial = serial;
        }
    }

    /// Copies the current content of `pgno` (in frame `idx`) into every open
    /// savepoint that existed with the page and does not have it yet.
    pub(super) fn save_for_savepoints(&mut self, pgno: Pgno, idx: usize) {
        let Some(f) = self.cache.frame(idx) else {
            return;
        };
        for sp in &mut self.savepoints {
            if pgno <= sp.db_size && !sp.originals.contains_key(&pgno) {
                sp.originals.insert(pgno, f.data.clone());
            }
        }
    }
}
