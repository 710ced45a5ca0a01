//! Checkpoints: copying WAL frames back into the database file.
//!
//! SQLite counterpart: `sqlite3WalCheckpoint`, `walCheckpoint`,
//! `walBusyLock` in wal.c; pragma.html `wal_checkpoint`.
//!
//! Order of a backfill (wal.html "Checkpointing"):
//! 1. pick `mx_safe` = the largest frame no reader still needs (read marks
//!    of live readers bound it), resetting unused read marks;
//! 2. under READ0 exclusive: fsync the WAL, write the newest frame ≤
//!    `mx_safe` of each page into the database file, truncate the file to
//!    the commit size if the whole log was copied, fsync the database;
//! 3. publish `nBackfill = mx_safe`.
//!
//! Invariants:
//! 1. A frame is written to the database only after the WAL is durable.
//! 2. No frame newer than a live reader's read mark is backfilled.
//! 3. RESTART and TRUNCATE reset the log only while no reader uses it.

use std::collections::BTreeMap;

use crate::vfs::{SyncFlags, VfsFile};

use super::index::{read_lock, Shm, CKPT_LOCK, NREADER, READMARK_NOT_USED, WRITE_LOCK};
use super::log::Wal;
use crate::pager::error::PagerError;

/// `PRAGMA wal_checkpoint` modes (`SQLITE_CHECKPOINT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckpointMode {
    /// Copy what can be copied without waiting.
    Passive,
    /// Wait for writers, then copy everything.
    Full,
    /// As Full, then wait for readers so the next writer restarts the log.
    Restart,
    /// As Restart, then truncate the WAL file to zero bytes.
    Truncate,
}

/// The result row of a checkpoint: (busy, log frames, checkpointed frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointResult {
    pub busy: bool,
    pub log: i64,
    pub checkpointed: i64,
}

impl Wal {
    /// Runs a checkpoint. `busy` is called while waiting for locks (FULL and
    /// stronger modes). The caller holds no read snapshot.
    pub fn checkpoint(
        &mut self,
        db: &mut dyn VfsFile,
        mode: CheckpointMode,
        sync: Option<SyncFlags>,
        busy: &mut dyn FnMut(u32) -> bool,
    ) -> Result<CheckpointResult, PagerError> {
        Shm { db: &mut *db }.lock(CKPT_LOCK, 1, true)?;
        let mut eff = mode;
        let mut got_write = false;
        if mode != CheckpointMode::Passive {
            match busy_lock(db, WRITE_LOCK, 1, busy) {
                Ok(()) => got_write = true,
                Err(PagerError::Busy) => eff = CheckpointMode::Passive,
                Err(e) => {
                    Shm { db }.unlock(CKPT_LOCK, 1, true);
                    return Err(e);
                }
            }
        }
        let r = self.checkpoint_locked(db, eff, sync, busy);
        let mut shm = Shm { db };
        if got_write {
            shm.unlock(WRITE_LOCK, 1, true);
        }
        shm.unlock(CKPT_LOCK, 1, true);
        let mut res = r?;
        if eff != mode {
            res.busy = true;
        }
        Ok(res)
    }

    fn checkpoint_locked(
        &mut self,
        db: &mut dyn VfsFile,
        mode: CheckpointMode,
        sync: Option<SyncFlags>,
        busy: &mut dyn FnMut(u32) -> bool,
    ) -> Result<CheckpointResult, PagerError> {
        self.refresh_hdr(db)?;
        let mut busy_result = false;
        if self.hdr.mx_frame > 0 {
            // Readers that hold the backfill back are not an error here;
            // FULL and stronger report them through nBackfill below.
            self.backfill(db, sync, busy)?;
        }
        let mut shm = Shm { db: &mut *db };
        let backfilled = shm.n_backfill()?;
        if mode != CheckpointMode::Passive && !busy_result {
            if backfilled < self.hdr.mx_frame {
                busy_result = true;
            } else if mode >= CheckpointMode::Restart && self.hdr.mx_frame > 0 {
                match busy_lock(db, read_lock(1), NREADER - 1, busy) {
                    Ok(()) => {
                        let mut shm = Shm { db: &mut *db };
                        let r = if mode == CheckpointMode::Truncate {
                            self.restart_hdr(&mut shm)
                                .and_then(|()| self.fd.truncate(0).map_err(PagerError::from))
                        } else {
                            Ok(())
                        };
                        shm.unlock(read_lock(1), NREADER - 1, true);
                        r?;
                    }
                    Err(PagerError::Busy) => busy_result = true,
                    Err(e) => return Err(e),
                }
            }
        }
        let mut shm = Shm { db };
        Ok(CheckpointResult {
            busy: busy_result,
            log: i64::from(self.hdr.mx_frame),
            checkpointed: i64::from(shm.n_backfill()?),
        })
    }

    /// Reads the current header (running recovery if needed), with no read lock kept.
    fn refresh_hdr(&mut self, db: &mut dyn VfsFile) -> Result<(), PagerError> {
        self.begin_read(db)?;
        self.end_read(db);
        Ok(())
    }

    /// Steps 1–3 of the module docs; returns true if a reader blocked us.
    fn backfill(
        &mut self,
        db: &mut dyn VfsFile,
        sync: Option<SyncFlags>,
        busy: &mut dyn FnMut(u32) -> bool,
    ) -> Result<bool, PagerError> {
        let mx = self.hdr.mx_frame;
        let mut safe = mx;
        let mut blocked = false;
        let mut waiting = true;
        for i in 1..NREADER {
            let y = Shm { db: &mut *db }.read_mark(i)?;
            if safe > y {
                let r = if waiting {
                    busy_lock(db, read_lock(i), 1, busy)
                } else {
                    Shm { db: &mut *db }.lock(read_lock(i), 1, true)
                };
                match r {
                    Ok(()) => {
                        let mut shm = Shm { db: &mut *db };
                        let v = if i == 1 { safe } else { READMARK_NOT_USED };
                        shm.set_read_mark(i, v)?;
                        shm.unlock(read_lock(i), 1, true);
                    }
                    Err(PagerError::Busy) => {
                        safe = y;
                        waiting = false;
                        blocked = true;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        let done = Shm { db: &mut *db }.n_backfill()?;
        if done >= safe {
            return Ok(blocked);
        }
        let r = if waiting {
            busy_lock(db, read_lock(0), 1, busy)
        } else {
            Shm { db: &mut *db }.lock(read_lock(0), 1, true)
        };
        match r {
            Ok(()) => {}
            Err(PagerError::Busy) => return Ok(true),
            Err(e) => return Err(e),
        }
        let res = self.copy_frames(db, done, safe, sync);
        Shm { db }.unlock(read_lock(0), 1, true);
        res?;
        Ok(blocked)
    }

    fn copy_frames(
        &mut self,
        db: &mut dyn VfsFile,
        done: u32,
        safe: u32,
        sync: Option<SyncFlags>,
    ) -> Result<(), PagerError> {
        let mut shm = Shm { db: &mut *db };
        shm.set_backfill_attempted(safe)?;
        let mut newest: BTreeMap<u32, u32> = BTreeMap::new();
        for f in done + 1..=safe {
            let pgno = shm.frame_pgno(f)?;
            if pgno != 0 && pgno <= self.hdr.n_page {
                newest.insert(pgno, f);
            }
        }
        if let Some(flags) = sync {
            self.fd.sync(flags)?;
        }
        let ps = self.page_size as u64;
        let mut buf = vec![0u8; self.page_size as usize];
        for (pgno, f) in newest {
            self.read_frame(f, &mut buf)?;
            db.write(&buf, u64::from(pgno - 1) * ps)?;
        }
        if safe == self.hdr.mx_frame {
            let want = u64::from(self.hdr.n_page) * ps;
            if db.file_size()? > want {
                db.truncate(want)?;
            }
        }
        if let Some(flags) = sync {
            db.sync(flags)?;
        }
        Shm { db }.set_n_backfill(safe)
    }
}

/// Takes wal-index lock slots exclusively, calling `busy` between attempts.
fn busy_lock(
    db: &mut dyn VfsFile,
    slot: usize,
    n: usize,
    busy: &mut dyn FnMut(u32) -> bool,
) -> Result<(), PagerError> {
    let mut tries = 0u32;
    loop {
        match (Shm { db: &mut *db }).lock(slot, n, true) {
            Err(PagerError::Busy) if busy(tries) => tries += 1,
            r => return r,
        }
    }
}
