//! The wal-index shared memory of [`PosixVfs`](super::PosixVfs): the
//! `<db>-shm` file mapped with `mmap`, and its lock bytes taken with
//! `fcntl`, exactly where SQLite's unix VFS takes them.
//!
//! SQLite counterpart: `unixOpenSharedMemory`, `unixLockSharedMemory`,
//! `unixShmMap`, `unixShmLock`, `unixShmBarrier`, `unixShmUnmap` and
//! `unixShmNode` in os_unix.c; walformat.html §2.
//!
//! `-shm` file lock bytes:
//!
//! | offset | length | lock |
//! |---|---|---|
//! | 120 + i | 1 | wal-index lock slot i (0 WRITE, 1 CKPT, 2 RECOVER, 3..7 READ0..4) |
//! | 128 | 1 | DMS ("dead man switch"): read-locked by every process using the file |
//!
//! Invariants:
//! 1. Every connection of this process to one database shares one
//!    [`ShmNode`] (keyed by the database inode), hence one descriptor and
//!    one set of mappings: POSIX locks are per process, so in-process
//!    conflicts are decided by [`ShmSlots`] before any `fcntl`.
//! 2. The process that finds nobody holding DMS truncates the file to zero
//!    bytes (the index is rebuilt from the WAL) before read-locking DMS.
//! 3. Mappings stay valid until the last connection of the process unmaps;
//!    every access is bounds-checked against the mapping length.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::{IoOp, VfsError};
use super::file::{path_with_suffix, ShmLockMode};
use super::heap_shm::{OsLock, ShmConnLocks, ShmSlots};
use super::posix_lock::InodeKey;

/// Offset of lock slot 0 in the `-shm` file.
const SHM_LOCK_BASE: u64 = 120;
/// Offset of the DMS lock byte.
const SHM_DMS: u64 = 128;

/// The process-wide state of one wal-index (SQLite's `unixShmNode`).
#[derive(Debug)]
struct ShmNode {
    file: File,
    path: PathBuf,
    /// (address, length) of each mapped region.
    regions: Vec<(usize, usize)>,
    slots: ShmSlots,
    n_ref: u32,
}

static NODES: Mutex<BTreeMap<InodeKey, Arc<Mutex<ShmNode>>>> = Mutex::new(BTreeMap::new());

/// One connection's handle on a wal-index (SQLite's `unixShm`).
#[derive(Debug)]
pub(super) struct PosixShm {
    key: InodeKey,
    node: Arc<Mutex<ShmNode>>,
    locks: ShmConnLocks,
}

/// `fcntl(F_SETLK)`: `Ok(false)` if another process holds a conflicting lock.
fn shm_fcntl(file: &File, ty: libc::c_int, start: u64, len: u64) -> Result<bool, VfsError> {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are valid.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = ty as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = start as libc::off_t;
    fl.l_len = len as libc::off_t;
    loop {
        // SAFETY: the descriptor is owned by `file` and open; `fl` is a valid
        // flock that outlives the call.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl as *const libc::flock) };
        if rc == 0 {
            return Ok(true);
        }
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        match errno {
            libc::EINTR => continue,
            libc::EAGAIN | libc::EACCES => return Ok(false),
            _ => {
                return Err(VfsError::Io {
                    op: IoOp::ShmLock,
                    errno,
                })
            }
        }
    }
}

fn open_node(db_path: &Path, mode: u32) -> Result<ShmNode, VfsError> {
    let path = path_with_suffix(db_path, "-shm");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(mode)
        .open(&path)
        .map_err(|e| VfsError::Io {
            op: IoOp::ShmOpen,
            errno: e.raw_os_error().unwrap_or(0),
        })?;
    if shm_fcntl(&file, libc::F_WRLCK, SHM_DMS, 1)? {
        // First user anywhere: whatever the file holds is stale.
        file.set_len(0)
            .map_err(|e| VfsError::from_io(IoOp::ShmOpen, &e))?;
    }
    if !shm_fcntl(&file, libc::F_RDLCK, SHM_DMS, 1)? {
        return Err(VfsError::Busy);
    }
    Ok(ShmNode {
        file,
        path,
        regions: Vec::new(),
        slots: ShmSlots::default(),
        n_ref: 0,
    })
}

fn bad_access() -> VfsError {
    VfsError::Io {
        op: IoOp::ShmMap,
        errno: libc::EINVAL,
    }
}

impl PosixShm {
    /// Attaches to the wal-index of the database `db_path` (inode `key`).
    pub(super) fn open(db_path: &Path, key: InodeKey, mode: u32) -> Result<PosixShm, VfsError> {
        let mut table = NODES.lock();
        let node = match table.get(&key) {
            Some(n) => n.clone(),
            None => {
                let n = Arc::new(Mutex::new(open_node(db_path, mode)?));
                table.insert(key, n.clone());
                n
            }
        };
        node.lock().n_ref += 1;
        Ok(PosixShm {
            key,
            node,
            locks: ShmConnLocks::default(),
        })
    }

    pub(super) fn map(
        &mut self,
        region: usize,
        size: usize,
        extend: bool,
    ) -> Result<bool, VfsError> {
        let mut n = self.node.lock();
        if n.regions.len() > region {
            return Ok(true);
        }
        let need = ((region + 1) * size) as u64;
        let cur = n
            .file
            .metadata()
            .map_err(|e| VfsError::from_io(IoOp::ShmSize, &e))?
            .len();
        if cur < need {
            if !extend {
                return Ok(false);
            }
            n.file
                .set_len(need)
                .map_err(|e| VfsError::from_io(IoOp::ShmSize, &e))?;
        }
        while n.regions.len() <= region {
            let off = (n.regions.len() * size) as libc::off_t;
            // SAFETY: mapping a fresh shared read/write region of an open
            // descriptor; the kernel picks the address, which we only use
            // through bounds-checked copies until munmap in `unmap`.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    size,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    n.file.as_raw_fd(),
                    off,
                )
            };
            if p == libc::MAP_FAILED {
                let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                return Err(VfsError::Io {
                    op: IoOp::ShmMap,
                    errno,
                });
            }
            n.regions.push((p as usize, size));
        }
        Ok(true)
    }

    pub(super) fn read(
        &self,
        region: usize,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), VfsError> {
        let n = self.node.lock();
        let &(addr, len) = n.regions.get(region).ok_or_else(bad_access)?;
        if offset.checked_add(buf.len()).is_none_or(|end| end > len) {
            return Err(bad_access());
        }
        // SAFETY: `addr..addr+len` is a live mapping (regions are unmapped
        // only when the last handle goes, under this mutex) and the range
        // `offset..offset+buf.len()` was checked to lie inside it.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (addr + offset) as *const u8,
                buf.as_mut_ptr(),
                buf.len(),
            );
        }
        Ok(())
    }

    pub(super) fn write(&self, region: usize, offset: usize, data: &[u8]) -> Result<(), VfsError> {
        let n = self.node.lock();
        let &(addr, len) = n.regions.get(region).ok_or_else(bad_access)?;
        if offset.checked_add(data.len()).is_none_or(|end| end > len) {
            return Err(bad_access());
        }
        // SAFETY: as in `read`: a live, writable mapping and a checked range.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), (addr + offset) as *mut u8, data.len());
        }
        Ok(())
    }

    pub(super) fn lock(
        &mut self,
        slot: usize,
        cnt: usize,
        mode: ShmLockMode,
    ) -> Result<(), VfsError> {
        let mut n = self.node.lock();
        let os = n.slots.plan(&self.locks, slot, cnt, mode)?;
        let ty = match os {
            OsLock::Keep => None,
            OsLock::Read => Some(libc::F_RDLCK),
            OsLock::Write => Some(libc::F_WRLCK),
            OsLock::Unlock => Some(libc::F_UNLCK),
        };
        if let Some(ty) = ty {
            if !shm_fcntl(&n.file, ty, SHM_LOCK_BASE + slot as u64, cnt as u64)? {
                return Err(VfsError::Busy);
            }
        }
        n.slots.commit(&mut self.locks, slot, cnt, mode);
        Ok(())
    }

    /// Releases this connection's locks and detaches; the last connection
    /// of the process unmaps, closes, and with `delete` unlinks the file.
    pub(super) fn unmap(mut self, delete: bool) {
        let mut table = NODES.lock();
        let mut n = self.node.lock();
        for slot in n.slots.release_all(&mut self.locks) {
            let _ = shm_fcntl(&n.file, libc::F_UNLCK, SHM_LOCK_BASE + slot as u64, 1);
        }
        n.n_ref = n.n_ref.saturating_sub(1);
        if n.n_ref > 0 {
            return;
        }
        for &(addr, len) in &n.regions {
            // SAFETY: each (addr, len) came from a successful mmap and no
            // handle of the node remains to use it.
            unsafe {
                libc::munmap(addr as *mut libc::c_void, len);
            }
        }
        n.regions.clear();
        if delete {
            let _ = std::fs::remove_file(&n.path);
        }
        drop(n);
        table.remove(&self.key);
    }
}
