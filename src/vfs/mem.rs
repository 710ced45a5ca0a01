//! [`MemVfs`]: files that live in memory.
//!
//! SQLite counterpart: memdb.c (the "memdb" VFS behind `:memory:` and
//! `file:/name?vfs=memdb`), and the lock rules of lockingv3.html.
//!
//! A named file is shared by every handle opened through the same `MemVfs`
//! instance (clones share the namespace too) and survives until deleted; a
//! file opened with an empty path is private to its handle.
//!
//! Invariants:
//! 1. Each shared file has one [`MemLocks`] record; every handle tracks its
//!    own level, so two connections on one memory file exclude each other as
//!    they would with real POSIX locks.
//! 2. `n_shared` counts handles at SHARED or above; at most one handle holds
//!    RESERVED, at most one PENDING, and EXCLUSIVE only with `n_shared == 1`.
#![deny(unsafe_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::VfsError;
use super::file::{
    LockLevel, OpenFlags, ShmLockMode, SyncFlags, Vfs, VfsFile, IOCAP_POWERSAFE_OVERWRITE,
};
use super::heap_shm::{HeapShm, HeapShmConn};

/// Lock state shared by all handles of one memory file.
#[derive(Debug, Default)]
pub(super) struct MemLocks {
    n_shared: u32,
    reserved: bool,
    pending: bool,
    exclusive: bool,
}

/// One handle's view of the locks it holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct HandleLock {
    pub level: LockLevel,
    holds_reserved: bool,
}

impl HandleLock {
    pub(super) fn new() -> HandleLock {
        HandleLock {
            level: LockLevel::None,
            holds_reserved: false,
        }
    }
}

impl MemLocks {
    /// Raises `h` to `want`, or returns `Busy` (possibly leaving it PENDING).
    pub(super) fn lock(&mut self, h: &mut HandleLock, want: LockLevel) -> Result<(), VfsError> {
        if h.level >= want || want == LockLevel::None {
            return Ok(());
        }
        if h.level == LockLevel::None {
            if self.pending || self.exclusive {
                return Err(VfsError::Busy);
            }
            self.n_shared += 1;
            h.level = LockLevel::Shared;
        }
        if want == LockLevel::Reserved {
            if self.reserved {
                return Err(VfsError::Busy);
            }
            self.reserved = true;
            h.holds_reserved = true;
            h.level = LockLevel::Reserved;
        } else if want >= LockLevel::Pending {
            if h.level < LockLevel::Pending {
                if self.pending {
                    return Err(VfsError::Busy);
                }
                self.pending = true;
                h.level = LockLevel::Pending;
            }
            if want == LockLevel::Exclusive {
                if self.n_shared > 1 {
                    return Err(VfsError::Busy);
                }
                self.exclusive = true;
                h.level = LockLevel::Exclusive;
            }
        }
        Ok(())
    }

    /// Lowers `h` to `want` (`Shared` or `None`).
    pub(super) fn unlock(&mut self, h: &mut HandleLock, want: LockLevel) {
        let want = want.min(LockLevel::Shared);
        if h.level <= want {
            return;
        }
        if h.level == LockLevel::Exclusive {
            self.exclusive = false;
        }
        if h.level >= LockLevel::Pending {
            self.pending = false;
        }
        if h.holds_reserved {
            self.reserved = false;
            h.holds_reserved = false;
        }
        if want == LockLevel::None {
            self.n_shared = self.n_shared.saturating_sub(1);
        }
        h.level = want;
    }

    /// True if some handle holds RESERVED, PENDING or EXCLUSIVE.
    pub(super) fn reserved_held(&self) -> bool {
        self.reserved || self.pending || self.exclusive
    }
}

/// The content and locks of one memory file.
#[derive(Debug, Default)]
pub(super) struct MemShared {
    pub data: Mutex<Vec<u8>>,
    pub locks: Mutex<MemLocks>,
    /// The file's wal-index, when a WAL connection maps it.
    pub shm: Arc<Mutex<HeapShm>>,
}

/// The in-memory VFS.
#[derive(Debug, Default, Clone)]
pub struct MemVfs {
    files: Arc<Mutex<HashMap<PathBuf, Arc<MemShared>>>>,
}

impl MemVfs {
    /// A new, empty namespace of memory files.
    pub fn new() -> MemVfs {
        MemVfs::default()
    }

    /// The shared record of a named file, if it exists.
    pub(super) fn shared(&self, path: impl AsRef<Path>) -> Option<Arc<MemShared>> {
        self.files.lock().get(path.as_ref()).cloned()
    }

    /// Names of all files.
    pub(super) fn names(&self) -> Vec<PathBuf> {
        self.files.lock().keys().cloned().collect()
    }

    /// Removes a file from the namespace (open handles keep its content).
    pub(super) fn remove(&self, path: impl AsRef<Path>) -> bool {
        self.files.lock().remove(path.as_ref()).is_some()
    }
}

/// An open memory file.
#[derive(Debug)]
pub struct MemFile {
    shared: Arc<MemShared>,
    lock: HandleLock,
    read_only: bool,
    shm: HeapShmConn,
}

impl Vfs for MemVfs {
    fn name(&self) -> &str {
        "memdb"
    }

    fn open_path(&self, path: &Path, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        let shared = if path.as_os_str().is_empty() {
            Arc::new(MemShared::default())
        } else {
            let mut files = self.files.lock();
            match files.get(path) {
                Some(_) if flags.create && flags.exclusive => {
                    return Err(VfsError::CantOpen {
                        path: path.to_string_lossy().into_owned(),
                        errno: libc::EEXIST,
                    })
                }
                Some(s) => s.clone(),
                None if flags.create && !flags.read_only => {
                    let s = Arc::new(MemShared::default());
                    files.insert(path.to_path_buf(), s.clone());
                    s
                }
                None => {
                    return Err(VfsError::CantOpen {
                        path: path.to_string_lossy().into_owned(),
                        errno: libc::ENOENT,
                    })
                }
            }
        };
        if flags.delete_on_close && !path.as_os_str().is_empty() {
            self.files.lock().remove(path);
        }
        Ok(Box::new(MemFile {
            shared,
            lock: HandleLock::new(),
            read_only: flags.read_only,
            shm: HeapShmConn::default(),
        }))
    }

    fn delete_path(&self, path: &Path, _sync_dir: bool) -> Result<(), VfsError> {
        if self.remove(path) {
            Ok(())
        } else {
            Err(VfsError::NotFound {
                path: path.to_string_lossy().into_owned(),
            })
        }
    }

    fn exists_path(&self, path: &Path) -> Result<bool, VfsError> {
        Ok(self.files.lock().contains_key(path))
    }

    fn full_path(&self, path: &Path) -> Result<PathBuf, VfsError> {
        Ok(path.to_path_buf())
    }

    fn randomness(&self, buf: &mut [u8]) {
        super::PosixVfs.randomness(buf);
    }

    fn sleep_micros(&self, micros: u64) {
        std::thread::sleep(std::time::Duration::from_micros(micros));
    }
}

/// Reads from a byte vector with zero-fill past its end.
pub(super) fn read_vec(data: &[u8], buf: &mut [u8], offset: u64) -> Result<(), VfsError> {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let avail = &data[start..];
    let n = avail.len().min(buf.len());
    buf[..n].copy_from_slice(&avail[..n]);
    if n < buf.len() {
        buf[n..].fill(0);
        return Err(VfsError::ShortRead);
    }
    Ok(())
}

/// Writes into a byte vector, growing it (zero-filled) as needed.
pub(super) fn write_vec(data: &mut Vec<u8>, buf: &[u8], offset: u64) -> Result<(), VfsError> {
    let start = usize::try_from(offset).map_err(|_| VfsError::Full)?;
    let end = start.checked_add(buf.len()).ok_or(VfsError::Full)?;
    if data.len() < end {
        data.resize(end, 0);
    }
    data[start..end].copy_from_slice(buf);
    Ok(())
}

impl VfsFile for MemFile {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<(), VfsError> {
        read_vec(&self.shared.data.lock(), buf, offset)
    }

    fn write(&mut self, buf: &[u8], offset: u64) -> Result<(), VfsError> {
        if self.read_only {
            return Err(VfsError::ReadOnly);
        }
        write_vec(&mut self.shared.data.lock(), buf, offset)
    }

    fn truncate(&mut self, size: u64) -> Result<(), VfsError> {
        if self.read_only {
            return Err(VfsError::ReadOnly);
        }
        let size = usize::try_from(size).map_err(|_| VfsError::Full)?;
        self.shared.data.lock().resize(size, 0);
        Ok(())
    }

    fn sync(&mut self, _flags: SyncFlags) -> Result<(), VfsError> {
        Ok(())
    }

    fn file_size(&mut self) -> Result<u64, VfsError> {
        Ok(self.shared.data.lock().len() as u64)
    }

    fn lock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.shared.locks.lock().lock(&mut self.lock, level)
    }

    fn unlock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.shared.locks.lock().unlock(&mut self.lock, level);
        Ok(())
    }

    fn check_reserved_lock(&mut self) -> Result<bool, VfsError> {
        Ok(self.shared.locks.lock().reserved_held())
    }

    fn lock_level(&self) -> LockLevel {
        self.lock.level
    }

    fn sector_size(&self) -> u32 {
        4096
    }

    fn device_characteristics(&self) -> u32 {
        IOCAP_POWERSAFE_OVERWRITE
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn shm_map(&mut self, region: usize, size: usize, extend: bool) -> Result<bool, VfsError> {
        self.shm.map(&self.shared.shm, region, size, extend)
    }

    fn shm_read(&mut self, region: usize, offset: usize, buf: &mut [u8]) -> Result<(), VfsError> {
        self.shm.read(&self.shared.shm, region, offset, buf)
    }

    fn shm_write(&mut self, region: usize, offset: usize, data: &[u8]) -> Result<(), VfsError> {
        self.shm.write(&self.shared.shm, region, offset, data)
    }

    fn shm_lock(&mut self, slot: usize, n: usize, mode: ShmLockMode) -> Result<(), VfsError> {
        self.shm.lock(&self.shared.shm, slot, n, mode)
    }

    fn shm_unmap(&mut self, delete: bool) -> Result<(), VfsError> {
        self.shm.unmap(&self.shared.shm, delete);
        Ok(())
    }
}

impl Drop for MemFile {
    fn drop(&mut self) {
        self.shm.unmap(&self.shared.shm, false);
        self.shared
            .locks
            .lock()
            .unlock(&mut self.lock, LockLevel::None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_named_files_and_locks() {
        let vfs = MemVfs::new();
        let mut a = vfs.open("x", OpenFlags::main_db()).unwrap();
        let mut b = vfs.open("x", OpenFlags::main_db()).unwrap();
        a.write(b"hello", 10).unwrap();
        let mut buf = [1u8; 20];
        assert_eq!(b.read(&mut buf, 0), Err(VfsError::ShortRead));
        assert_eq!(&buf[10..15], b"hello");
        assert_eq!(buf[16], 0);
        a.lock(LockLevel::Shared).unwrap();
        b.lock(LockLevel::Shared).unwrap();
        a.lock(LockLevel::Reserved).unwrap();
        assert_eq!(b.lock(LockLevel::Reserved), Err(VfsError::Busy));
        assert!(b.check_reserved_lock().unwrap());
        assert_eq!(a.lock(LockLevel::Exclusive), Err(VfsError::Busy));
        assert_eq!(a.lock_level(), LockLevel::Pending);
        b.unlock(LockLevel::None).unwrap();
        a.lock(LockLevel::Exclusive).unwrap();
        assert_eq!(b.lock(LockLevel::Shared), Err(VfsError::Busy));
        a.unlock(LockLevel::Shared).unwrap();
        b.lock(LockLevel::Shared).unwrap();
        drop(a);
        b.lock(LockLevel::Exclusive).unwrap();
    }

    #[test]
    fn anonymous_files_are_private() {
        let vfs = MemVfs::new();
        let mut a = vfs.open("", OpenFlags::main_db()).unwrap();
        let mut b = vfs.open("", OpenFlags::main_db()).unwrap();
        a.write(b"abc", 0).unwrap();
        assert_eq!(b.file_size().unwrap(), 0);
        assert!(!vfs.exists("").unwrap());
        a.truncate(1).unwrap();
        assert_eq!(a.file_size().unwrap(), 1);
    }
}
