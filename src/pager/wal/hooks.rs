//! The [`Pager`]'s WAL mode: opening the WAL when the database asks for it,
//! read snapshots, commits as frames, checkpoints, switching journal mode
//! to and from WAL, and closing (checkpoint + delete by the last user).
//!
//! SQLite counterpart: `pagerOpenWalIfPresent`, `pagerBeginReadTransaction`,
//! `pagerWalFrames`, `sqlite3PagerCheckpoint`, `sqlite3PagerOpenWal`,
//! `sqlite3PagerCloseWal`, `pagerUseWal` in pager.c; `sqlite3BtreeSetVersion`
//! in btree.c.
//!
//! Invariants:
//! 1. A pager in WAL mode keeps a SHARED lock on the database file from its
//!    first read until it closes or leaves WAL mode (so a close that gets
//!    EXCLUSIVE knows it is the last user).
//! 2. In WAL mode the database file is written only by checkpoints; the
//!    change counter is not bumped, the page-count field (offset 28) is.
//! 3. Leaving WAL mode requires EXCLUSIVE on the database file and a
//!    complete checkpoint; the WAL and `-shm` files are then deleted.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::vfs::{LockLevel, SyncFlags, VfsError, VfsFile};

use super::checkpoint::{CheckpointMode, CheckpointResult};
use super::log::Wal;
use crate::pager::cache::Pgno;
use crate::pager::error::{from_vfs, PagerError};
use crate::pager::pager::{JournalMode, Pager, Synchronous, TxnState};

/// Reads `pgno` from the WAL into `buf` if the snapshot has a frame for it.
pub(crate) fn read_from_wal(
    wal: &mut Option<Box<Wal>>,
    fd: &mut dyn VfsFile,
    pgno: Pgno,
    buf: &mut [u8],
) -> Result<bool, PagerError> {
    let Some(w) = wal.as_mut() else {
        return Ok(false);
    };
    match w.find_frame(fd, pgno)? {
        Some(f) => w.read_frame(f, buf).map(|()| true),
        None => Ok(false),
    }
}

impl Pager {
    /// The database file's full name, as the VFS canonicalized it when the
    /// pager opened it (empty in memory): what `sqlite3_db_filename` and
    /// `PRAGMA database_list` show.
    pub fn db_file_name(&self) -> &Path {
        self.db_path()
    }

    /// The database file's name: the journal's without `-journal`.
    fn db_path(&self) -> &Path {
        let j = self.journal_path.as_os_str().as_bytes();
        Path::new(OsStr::from_bytes(j.strip_suffix(b"-journal").unwrap_or(j)))
    }

    /// True for a private in-memory database (`:memory:`).
    pub fn is_memory(&self) -> bool {
        self.memory
    }

    /// True while the pager runs in WAL mode with its WAL open.
    pub fn is_wal(&self) -> bool {
        self.wal.is_some()
    }

    fn read_db_header(&mut self) -> Result<Option<[u8; 100]>, PagerError> {
        if self.fd.file_size()? == 0 {
            return Ok(None);
        }
        let mut h = [0u8; 100];
        match self.fd.read(&mut h, 0) {
            Ok(()) | Err(VfsError::ShortRead) => Ok(Some(h)),
            Err(e) => Err(e.into()),
        }
    }

    /// Under SHARED: opens the WAL if the database is in WAL mode, then
    /// starts a read snapshot. False = rollback mode applies.
    pub(crate) fn wal_begin_read_if_wal(&mut self) -> Result<bool, PagerError> {
        if self.wal.is_none() {
            if self.memory || self.no_wal {
                return Ok(false);
            }
            let header = self.read_db_header()?;
            let hdr_wal = header.is_some_and(|h| h[18] == 2 || h[19] == 2);
            let wal_path = crate::vfs::path_with_suffix(self.db_path(), "-wal");
            let wal_exists = self.vfs.exists_path(&wal_path)?;
            if wal_exists && header.is_none() && !self.read_only {
                // A WAL beside an empty database is stale (pagerOpenWalIfPresent).
                let _ = self.vfs.delete_path(&wal_path, false);
                return Ok(false);
            }
            if !(hdr_wal || (wal_exists && header.is_some())) {
                return Ok(false);
            }
            if let Some(h) = header {
                let (ps, reserved) = crate::pager::pager::parse_header(&h)?;
                self.set_geometry(ps, reserved);
            }
            let w = Wal::open(self.vfs.clone(), self.db_path(), self.page_size as u32)?;
            self.wal = Some(Box::new(w));
            self.journal_mode = JournalMode::Wal;
            self.file_vers = [0xff; 16];
        }
        self.wal_snapshot()?;
        Ok(true)
    }

    /// Starts the WAL read snapshot and sizes the database from it.
    fn wal_snapshot(&mut self) -> Result<(), PagerError> {
        let Some(w) = self.wal.as_mut() else {
            return Ok(());
        };
        let changed = w.begin_read(self.fd.as_mut())?;
        let n_page = w.db_size();
        if changed {
            self.cache.reset(self.page_size);
        }
        let size = self.fd.file_size()?;
        self.db_file_size = size.div_ceil(self.page_size as u64) as Pgno;
        self.db_size = if n_page > 0 {
            n_page
        } else {
            self.db_file_size
        };
        Ok(())
    }

    /// Ends the WAL read snapshot (the SHARED lock stays), then runs a due
    /// auto-checkpoint.
    pub(crate) fn wal_end_read(&mut self) {
        if let Some(w) = self.wal.as_mut() {
            w.end_read(self.fd.as_mut());
        }
        if std::mem::take(&mut self.wal_ckpt_due) {
            let _ = self.run_checkpoint(CheckpointMode::Passive);
        }
    }

    /// Takes the writer lock of the current mode: WAL WRITE, or RESERVED.
    pub(crate) fn lock_writer(&mut self) -> Result<(), PagerError> {
        match self.wal.as_mut() {
            Some(w) => w.begin_write(self.fd.as_mut()),
            None => self.fd.lock(LockLevel::Reserved).map_err(from_vfs),
        }
    }

    /// Releases the WAL WRITE lock (end of a write transaction).
    pub(crate) fn wal_end_write(&mut self) {
        if let Some(w) = self.wal.as_mut() {
            w.end_write(self.fd.as_mut());
        }
    }

    /// Releases read locks after a failed begin.
    pub(crate) fn unlock_after_failure(&mut self) {
        match self.wal.as_mut() {
            Some(w) => {
                w.end_read(self.fd.as_mut());
                w.end_write(self.fd.as_mut());
            }
            None => {
                let _ = self.fd.unlock(LockLevel::None);
            }
        }
    }

    /// Commits the write transaction as WAL frames (SQLite's `pagerWalFrames`).
    pub(crate) fn wal_commit(&mut self) -> Result<(), PagerError> {
        if self.db_size >= 1 {
            let r = self.get(1)?;
            let size = self.db_size.to_be_bytes();
            if self.data(r)?.get(28..32) != Some(&size[..]) {
                self.data_mut(r)?[28..32].copy_from_slice(&size);
            }
        }
        let mut dirty = self.cache.dirty_pages();
        dirty.retain(|&(p, _)| p <= self.db_size);
        if dirty.is_empty() && self.db_size >= 1 {
            let r = self.get(1)?;
            dirty.push((1, self.cache.check(r)?));
        }
        let sync = (self.sync >= Synchronous::Full).then_some(SyncFlags::Normal);
        let pages: Vec<(u32, &[u8])> = dirty
            .iter()
            .filter_map(|&(p, idx)| self.cache.frame(idx).map(|f| (p, &f.data[..])))
            .collect();
        let Some(w) = self.wal.as_mut() else {
            return Err(PagerError::Misuse("WAL commit without a WAL"));
        };
        if !pages.is_empty() {
            w.write_frames(self.fd.as_mut(), &pages, self.db_size, sync)?;
        }
        let mx = w.hdr.mx_frame;
        if !pages.is_empty() {
            self.wal_callback = mx;
        }
        self.cache.clean_all();
        if self.wal_autockpt > 0 && mx >= self.wal_autockpt {
            self.wal_ckpt_due = true;
        }
        Ok(())
    }

    /// `PRAGMA wal_autocheckpoint`: sets the threshold (negative = query)
    /// and returns the value in force.
    pub fn set_wal_autocheckpoint(&mut self, n: i64) -> i64 {
        if n >= 0 {
            self.wal_autockpt = n.min(i64::from(u32::MAX)) as u32;
            self.wal_hook_custom = false;
        }
        i64::from(self.wal_autockpt)
    }

    /// `sqlite3_wal_hook` installed (`true`) or removed: either way the
    /// auto-checkpoint stops, as in SQLite, where the auto-checkpoint is
    /// itself the default WAL hook.
    pub fn set_wal_hook_custom(&mut self, on: bool) {
        self.wal_autockpt = 0;
        self.wal_ckpt_due = false;
        self.wal_hook_custom = on;
    }

    /// True while an application WAL hook owns this database's callback.
    pub fn wal_hook_custom(&self) -> bool {
        self.wal_hook_custom
    }

    /// The number of frames in the WAL after the last commit not yet
    /// reported (0 if none), and resets it (SQLite's
    /// `sqlite3PagerWalCallback`).
    pub fn take_wal_callback(&mut self) -> u32 {
        std::mem::take(&mut self.wal_callback)
    }

    /// `PRAGMA wal_checkpoint(mode)`: (busy, log, checkpointed); (0, -1, -1)
    /// when the database is not in WAL mode.
    pub fn checkpoint(&mut self, mode: CheckpointMode) -> Result<CheckpointResult, PagerError> {
        if self.wal.is_none() || self.txn == TxnState::Write {
            return Ok(CheckpointResult {
                busy: self.wal.is_some(),
                log: -1,
                checkpointed: -1,
            });
        }
        let reading = self.txn == TxnState::Read;
        if let Some(w) = self.wal.as_mut() {
            w.end_read(self.fd.as_mut());
        }
        let r = self.run_checkpoint(mode);
        self.cache.reset(self.page_size);
        if reading {
            self.wal_snapshot()?;
        }
        r
    }

    fn run_checkpoint(&mut self, mode: CheckpointMode) -> Result<CheckpointResult, PagerError> {
        let sync = (self.sync != Synchronous::Off).then_some(self.db_sync_flags());
        let mut busy = self.busy.take();
        let r = match self.wal.as_mut() {
            Some(w) => {
                let mut cb = |n: u32| busy.as_mut().is_some_and(|h| h(n));
                w.checkpoint(self.fd.as_mut(), mode, sync, &mut cb)
            }
            None => Err(PagerError::Misuse("checkpoint without a WAL")),
        };
        self.busy = busy;
        r
    }

    /// Switches a rollback-mode database to WAL: header bytes 18/19 = 2
    /// (written through the current journal), then opens the WAL.
    pub(crate) fn enter_wal(&mut self) -> Result<(), PagerError> {
        let was_reading = self.txn == TxnState::Read;
        self.begin_write(false)?;
        if self.db_size == 0 {
            self.rollback()?;
            if !was_reading {
                self.end_read();
            }
            return Ok(());
        }
        let r = self.get(1)?;
        if self.data(r)?.get(18..20) != Some(&[2, 2][..]) {
            let d = self.data_mut(r)?;
            d[18] = 2;
            d[19] = 2;
        }
        self.commit()?;
        let w = Wal::open(self.vfs.clone(), self.db_path(), self.page_size as u32)?;
        self.wal = Some(Box::new(w));
        self.journal_mode = JournalMode::Wal;
        self.wal_snapshot()?;
        if !was_reading {
            self.end_read();
        }
        Ok(())
    }

    /// Leaves WAL mode for `m` (SQLite's `sqlite3PagerCloseWal` followed by
    /// `sqlite3BtreeSetVersion(1)`); Busy if another connection uses the db.
    pub(crate) fn leave_wal(&mut self, m: JournalMode) -> Result<(), PagerError> {
        let was_reading = self.txn == TxnState::Read;
        if let Some(w) = self.wal.as_mut() {
            w.end_read(self.fd.as_mut());
        }
        let locked = self
            .fd
            .lock(LockLevel::Shared)
            .and_then(|()| self.fd.lock(LockLevel::Exclusive));
        if let Err(e) = locked {
            let _ = self.fd.unlock(LockLevel::Shared);
            if was_reading {
                self.wal_snapshot()?;
            }
            return Err(from_vfs(e));
        }
        let ck = self.run_checkpoint(CheckpointMode::Passive);
        if let Err(e) = ck {
            let _ = self.fd.unlock(LockLevel::Shared);
            return Err(e);
        }
        self.drop_wal_files();
        self.journal_mode = m;
        self.file_vers = [0xff; 16];
        self.cache.reset(self.page_size);
        self.fd.unlock(LockLevel::Shared)?;
        self.txn = TxnState::None;
        self.no_wal = true;
        let r = self.write_version(1);
        self.no_wal = false;
        r?;
        if !was_reading {
            self.end_read();
        }
        Ok(())
    }

    fn write_version(&mut self, v: u8) -> Result<(), PagerError> {
        self.begin_write(false)?;
        if self.db_size >= 1 {
            let r = self.get(1)?;
            if self.data(r)?.get(18..20) != Some(&[v, v][..]) {
                let d = self.data_mut(r)?;
                d[18] = v;
                d[19] = v;
            }
        }
        self.commit()
    }

    /// Closes the WAL and deletes it and the `-shm` file.
    fn drop_wal_files(&mut self) {
        if let Some(w) = self.wal.take() {
            let path = w.path.clone();
            drop(w);
            let _ = self.vfs.delete_path(&path, false);
        }
        let _ = self.fd.shm_unmap(true);
    }

    /// At close: the last connection (the one that gets EXCLUSIVE)
    /// checkpoints and deletes the WAL and `-shm` (SQLite's `sqlite3WalClose`).
    pub(crate) fn wal_close(&mut self) {
        let Some(w) = self.wal.as_mut() else {
            return;
        };
        w.end_read(self.fd.as_mut());
        w.end_write(self.fd.as_mut());
        let last = !self.read_only
            && self.fd.lock(LockLevel::Shared).is_ok()
            && self.fd.lock(LockLevel::Exclusive).is_ok();
        if last {
            let done = self
                .run_checkpoint(CheckpointMode::Passive)
                .is_ok_and(|r| !r.busy && r.log == r.checkpointed);
            if done {
                self.drop_wal_files();
                return;
            }
        }
        self.wal = None;
        let _ = self.fd.shm_unmap(false);
    }
}
