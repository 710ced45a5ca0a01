//! Wal-index shared memory kept on the heap (for [`MemVfs`](super::MemVfs)
//! and [`MockVfs`](super::MockVfs)), and the in-process bookkeeping of the
//! eight wal-index lock slots that the POSIX implementation shares.
//!
//! SQLite counterpart: the `unixShm` / `unixShmNode` lock masks of
//! os_unix.c (`unixShmLock`), and the heap-memory wal-index of wal.c
//! (`WAL_HEAPMEMORY_MODE`).
//!
//! Invariants:
//! 1. For every slot, either `excl` is set (one connection holds it
//!    exclusively and `n_shared == 0`) or `n_shared` counts the connections
//!    holding it shared.
//! 2. A connection's masks ([`ShmConnLocks`]) record exactly the slots it
//!    holds; `release_all` returns the slot table to a state without them.
//! 3. Regions are never shrunk while any connection has the memory mapped.
#![deny(unsafe_code)]

use std::sync::Arc;

use parking_lot::Mutex;

use super::error::VfsError;
use super::file::{ShmLockMode, SHM_NLOCK};

/// Process-level state of the lock slots of one wal-index.
#[derive(Debug, Default)]
pub(super) struct ShmSlots {
    n_shared: [u32; SHM_NLOCK],
    excl: [bool; SHM_NLOCK],
}

/// The slots one connection holds (bit `i` = slot `i`).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct ShmConnLocks {
    pub shared: u8,
    pub excl: u8,
}

/// What the OS-level lock of a slot range must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OsLock {
    /// Nothing to do at the OS level.
    Keep,
    /// Take a read lock.
    Read,
    /// Take a write lock.
    Write,
    /// Release the lock.
    Unlock,
}

fn range_mask(slot: usize, n: usize) -> Result<u8, VfsError> {
    if n == 0 || slot + n > SHM_NLOCK {
        return Err(VfsError::Io {
            op: super::error::IoOp::ShmLock,
            errno: libc::EINVAL,
        });
    }
    Ok((((1u16 << n) - 1) << slot) as u8)
}

impl ShmSlots {
    /// Checks a request against the other connections of the process and
    /// says which OS lock it needs; `commit` applies it once the OS agreed.
    pub(super) fn plan(
        &self,
        me: &ShmConnLocks,
        slot: usize,
        n: usize,
        mode: ShmLockMode,
    ) -> Result<OsLock, VfsError> {
        let mask = range_mask(slot, n)?;
        let range = slot..slot + n;
        Ok(match mode {
            ShmLockMode::UnlockExclusive => {
                if me.excl & mask == 0 {
                    OsLock::Keep
                } else {
                    OsLock::Unlock
                }
            }
            ShmLockMode::UnlockShared => {
                let last = range
                    .clone()
                    .any(|i| me.shared & (1 << i) != 0 && self.n_shared[i] == 1);
                if last {
                    OsLock::Unlock
                } else {
                    OsLock::Keep
                }
            }
            ShmLockMode::Shared => {
                if me.shared & mask == mask {
                    return Ok(OsLock::Keep);
                }
                if range.clone().any(|i| self.excl[i]) {
                    return Err(VfsError::Busy);
                }
                if range.clone().all(|i| self.n_shared[i] > 0) {
                    OsLock::Keep
                } else {
                    OsLock::Read
                }
            }
            ShmLockMode::Exclusive => {
                if me.excl & mask == mask {
                    return Ok(OsLock::Keep);
                }
                let others = range.clone().any(|i| {
                    self.excl[i] || self.n_shared[i] > u32::from(me.shared & (1 << i) != 0)
                });
                if others {
                    return Err(VfsError::Busy);
                }
                OsLock::Write
            }
        })
    }

    /// Records a granted request.
    pub(super) fn commit(
        &mut self,
        me: &mut ShmConnLocks,
        slot: usize,
        n: usize,
        mode: ShmLockMode,
    ) {
        for i in slot..(slot + n).min(SHM_NLOCK) {
            let bit = 1u8 << i;
            match mode {
                ShmLockMode::UnlockExclusive if me.excl & bit != 0 => {
                    self.excl[i] = false;
                    me.excl &= !bit;
                }
                ShmLockMode::UnlockShared if me.shared & bit != 0 => {
                    self.n_shared[i] = self.n_shared[i].saturating_sub(1);
                    me.shared &= !bit;
                }
                ShmLockMode::Shared if me.shared & bit == 0 => {
                    self.n_shared[i] += 1;
                    me.shared |= bit;
                }
                ShmLockMode::Exclusive if me.excl & bit == 0 => {
                    if me.shared & bit != 0 {
                        self.n_shared[i] = self.n_shared[i].saturating_sub(1);
                        me.shared &= !bit;
                    }
                    self.excl[i] = true;
                    me.excl |= bit;
                }
                _ => {}
            }
        }
    }

    /// Slots whose OS lock can go once `me` releases everything.
    pub(super) fn release_all(&mut self, me: &mut ShmConnLocks) -> Vec<usize> {
        let mut freed = Vec::new();
        for i in 0..SHM_NLOCK {
            let bit = 1u8 << i;
            if me.excl & bit != 0 {
                self.excl[i] = false;
                freed.push(i);
            } else if me.shared & bit != 0 {
                self.n_shared[i] = self.n_shared[i].saturating_sub(1);
                if self.n_shared[i] == 0 {
                    freed.push(i);
                }
            }
        }
        *me = ShmConnLocks::default();
        freed
    }
}

/// A heap wal-index shared by the handles of one memory file.
#[derive(Debug, Default)]
pub(super) struct HeapShm {
    regions: Vec<Box<[u8]>>,
    slots: ShmSlots,
    n_ref: u32,
}

/// One handle's attachment to a [`HeapShm`].
#[derive(Debug, Default)]
pub(super) struct HeapShmConn {
    mapped: bool,
    locks: ShmConnLocks,
}

fn bad_region() -> VfsError {
    VfsError::Io {
        op: super::error::IoOp::ShmMap,
        errno: libc::EINVAL,
    }
}

impl HeapShmConn {
    pub(super) fn map(
        &mut self,
        shm: &Arc<Mutex<HeapShm>>,
        region: usize,
        size: usize,
        extend: bool,
    ) -> Result<bool, VfsError> {
        let mut s = shm.lock();
        if !self.mapped {
            self.mapped = true;
            s.n_ref += 1;
        }
        while s.regions.len() <= region {
            if !extend {
                return Ok(false);
            }
            s.regions.push(vec![0u8; size].into_boxed_slice());
        }
        Ok(true)
    }

    pub(super) fn read(
        &self,
        shm: &Arc<Mutex<HeapShm>>,
        region: usize,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), VfsError> {
        let s = shm.lock();
        let r = s.regions.get(region).ok_or_else(bad_region)?;
        let src = r.get(offset..offset + buf.len()).ok_or_else(bad_region)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    pub(super) fn write(
        &self,
        shm: &Arc<Mutex<HeapShm>>,
        region: usize,
        offset: usize,
        data: &[u8],
    ) -> Result<(), VfsError> {
        let mut s = shm.lock();
        let r = s.regions.get_mut(region).ok_or_else(bad_region)?;
        let dst = r
            .get_mut(offset..offset + data.len())
            .ok_or_else(bad_region)?;
        dst.copy_from_slice(data);
        Ok(())
    }

    pub(super) fn lock(
        &mut self,
        shm: &Arc<Mutex<HeapShm>>,
        slot: usize,
        n: usize,
        mode: ShmLockMode,
    ) -> Result<(), VfsError> {
        let mut s = shm.lock();
        s.slots.plan(&self.locks, slot, n, mode)?;
        s.slots.commit(&mut self.locks, slot, n, mode);
        Ok(())
    }

    pub(super) fn unmap(&mut self, shm: &Arc<Mutex<HeapShm>>, delete: bool) {
        let mut s = shm.lock();
        s.slots.release_all(&mut self.locks);
        if self.mapped {
            self.mapped = false;
            s.n_ref = s.n_ref.saturating_sub(1);
            if s.n_ref == 0 && delete {
                s.regions.clear();
            }
        }
    }
}
