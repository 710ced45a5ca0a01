//! The VFS traits: [`Vfs`] (a file system) and [`VfsFile`] (an open file),
//! with open flags, the five lock levels and sync flags.
//!
//! SQLite counterpart: `sqlite3_vfs` and `sqlite3_io_methods` (c3ref/vfs.html,
//! c3ref/io_methods.html), `SQLITE_LOCK_*` (c3ref/c_lock_exclusive.html).
//!
//! Invariants:
//! 1. [`LockLevel`] is totally ordered as SQLite's lock levels are:
//!    `None < Shared < Reserved < Pending < Exclusive`.
//! 2. `VfsFile::lock(l)` with `l <= lock_level()` is a no-op; a failed lock
//!    attempt because of another holder returns `VfsError::Busy` and leaves
//!    the handle at its previous level, except that a failed EXCLUSIVE may
//!    leave it at PENDING (as SQLite does).
//! 3. `VfsFile::unlock(l)` accepts only `Shared` or `None`.
//! 4. Dropping a `VfsFile` releases its locks.
//! 5. File names are bytes (`Path`, built from the bytes the application
//!    passed): the `*_path` methods are the real entry points and the `&str`
//!    ones are conveniences for UTF-8 names, so a name that is not UTF-8
//!    reaches the file system unchanged, as in C SQLite.
//! 6. The `shm_*` methods address the database file's wal-index; their
//!    defaults report "not supported" (`SQLITE_IOERR_SHMOPEN`), so a VFS
//!    without shared memory cannot enter WAL mode.
#![deny(unsafe_code)]

use std::path::{Path, PathBuf};

use super::error::VfsError;

/// `SQLITE_IOCAP_SAFE_APPEND`: appended data is never garbage after a crash.
pub const IOCAP_SAFE_APPEND: u32 = 0x0000_0200;
/// `SQLITE_IOCAP_SEQUENTIAL`: writes reach the disk in order.
pub const IOCAP_SEQUENTIAL: u32 = 0x0000_0400;
/// `SQLITE_IOCAP_POWERSAFE_OVERWRITE`: a crash never damages bytes outside
/// the range being written.
pub const IOCAP_POWERSAFE_OVERWRITE: u32 = 0x0000_1000;

/// What a file is used for (SQLite's `SQLITE_OPEN_MAIN_DB` etc.).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The main database file.
    MainDb,
    /// The main database's rollback journal.
    MainJournal,
    /// A super-journal of a multi-database commit.
    SuperJournal,
    /// A temporary database.
    TempDb,
    /// A temporary database's journal.
    TempJournal,
    /// A statement sub-journal.
    SubJournal,
    /// A write-ahead log.
    Wal,
}

/// Flags for [`Vfs::open`] (SQLite's `SQLITE_OPEN_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFlags {
    /// Open read-only.
    pub read_only: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// Fail if the file already exists (with `create`).
    pub exclusive: bool,
    /// Delete the file when the last handle closes.
    pub delete_on_close: bool,
    /// What the file is for.
    pub kind: FileKind,
}

impl OpenFlags {
    /// Read-write, create if missing: the usual flags for a main database.
    pub fn main_db() -> OpenFlags {
        OpenFlags {
            read_only: false,
            create: true,
            exclusive: false,
            delete_on_close: false,
            kind: FileKind::MainDb,
        }
    }

    /// The same flags for another kind of file.
    pub fn with_kind(self, kind: FileKind) -> OpenFlags {
        OpenFlags { kind, ..self }
    }
}

/// The five SQLite lock levels (lockingv3.html), ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockLevel {
    /// No lock: the file may be neither read nor written.
    None,
    /// Readers may read; nobody may write.
    Shared,
    /// A writer intends to write; readers may continue.
    Reserved,
    /// A writer waits for readers to leave; no new readers.
    Pending,
    /// A writer may write the database file.
    Exclusive,
}

/// How thoroughly [`VfsFile::sync`] flushes (SQLite's `SQLITE_SYNC_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncFlags {
    /// `SQLITE_SYNC_NORMAL`: fsync.
    Normal,
    /// `SQLITE_SYNC_FULL`: the strongest flush the platform offers.
    Full,
    /// `SQLITE_SYNC_DATAONLY`: file data only (fdatasync).
    DataOnly,
}

/// A wal-index (`-shm`) lock request (SQLite's `SQLITE_SHM_*` flag pairs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShmLockMode {
    /// `SQLITE_SHM_LOCK | SQLITE_SHM_SHARED`.
    Shared,
    /// `SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE`.
    Exclusive,
    /// `SQLITE_SHM_UNLOCK | SQLITE_SHM_SHARED`.
    UnlockShared,
    /// `SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE`.
    UnlockExclusive,
}

/// Number of wal-index lock slots (`SQLITE_SHM_NLOCK`).
pub const SHM_NLOCK: usize = 8;

/// `path` with `suffix` appended to its last component, byte for byte
/// (`db` -> `db-journal`, `db-wal`, `db-shm`), whatever encoding `path` has.
pub fn path_with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn shm_unsupported() -> VfsError {
    VfsError::Io {
        op: super::error::IoOp::ShmOpen,
        errno: 38, // ENOSYS
    }
}

/// A file system (SQLite's `sqlite3_vfs`).
pub trait Vfs: Send + Sync + std::fmt::Debug {
    /// The VFS name (`"unix"`, `"memdb"`, ...).
    fn name(&self) -> &str;
    /// Opens (or creates) the file named by the bytes of `path`.
    fn open_path(&self, path: &Path, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError>;
    /// Deletes a file; with `sync_dir`, also syncs its directory.
    fn delete_path(&self, path: &Path, sync_dir: bool) -> Result<(), VfsError>;
    /// True if the file exists.
    fn exists_path(&self, path: &Path) -> Result<bool, VfsError>;
    /// The canonical absolute name of `path` (SQLite's `xFullPathname`).
    fn full_path(&self, path: &Path) -> Result<PathBuf, VfsError>;
    /// [`Vfs::open_path`] for a UTF-8 name.
    fn open(&self, path: &str, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        self.open_path(Path::new(path), flags)
    }
    /// [`Vfs::delete_path`] for a UTF-8 name.
    fn delete(&self, path: &str, sync_dir: bool) -> Result<(), VfsError> {
        self.delete_path(Path::new(path), sync_dir)
    }
    /// [`Vfs::exists_path`] for a UTF-8 name.
    fn exists(&self, path: &str) -> Result<bool, VfsError> {
        self.exists_path(Path::new(path))
    }
    /// [`Vfs::full_path`] for a UTF-8 name (lossy if the result is not).
    fn full_pathname(&self, path: &str) -> Result<String, VfsError> {
        Ok(self
            .full_path(Path::new(path))?
            .to_string_lossy()
            .into_owned())
    }
    /// Fills `buf` with random bytes.
    fn randomness(&self, buf: &mut [u8]);
    /// Sleeps for about `micros` microseconds.
    fn sleep_micros(&self, micros: u64);
}

/// An open file (SQLite's `sqlite3_file` + `sqlite3_io_methods`).
pub trait VfsFile: Send + std::fmt::Debug {
    /// Reads `buf.len()` bytes at `offset`. A short read zero-fills the rest
    /// of `buf` and returns `Err(VfsError::ShortRead)`.
    fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<(), VfsError>;
    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write(&mut self, buf: &[u8], offset: u64) -> Result<(), VfsError>;
    /// Sets the file size to `size` bytes.
    fn truncate(&mut self, size: u64) -> Result<(), VfsError>;
    /// Flushes written data to stable storage.
    fn sync(&mut self, flags: SyncFlags) -> Result<(), VfsError>;
    /// The file size in bytes.
    fn file_size(&mut self) -> Result<u64, VfsError>;
    /// Raises the lock to `level`; `Err(VfsError::Busy)` on conflict.
    fn lock(&mut self, level: LockLevel) -> Result<(), VfsError>;
    /// Lowers the lock to `level` (`Shared` or `None`).
    fn unlock(&mut self, level: LockLevel) -> Result<(), VfsError>;
    /// True if any connection (this process or another) holds RESERVED or higher.
    fn check_reserved_lock(&mut self) -> Result<bool, VfsError>;
    /// This handle's lock level.
    fn lock_level(&self) -> LockLevel;
    /// The sector size in bytes.
    fn sector_size(&self) -> u32;
    /// `SQLITE_IOCAP_*` bits.
    fn device_characteristics(&self) -> u32;
    /// True if the file was opened (or fell back to) read-only.
    fn is_read_only(&self) -> bool {
        false
    }

    /// Maps wal-index region `region` (each `size` bytes) of this database
    /// file's shared memory, creating it when `extend`; `Ok(false)` if the
    /// region does not exist and `extend` is false (`xShmMap`).
    fn shm_map(&mut self, region: usize, size: usize, extend: bool) -> Result<bool, VfsError> {
        let _ = (region, size, extend);
        Err(shm_unsupported())
    }
    /// Copies bytes out of a mapped region.
    fn shm_read(&mut self, region: usize, offset: usize, buf: &mut [u8]) -> Result<(), VfsError> {
        let _ = (region, offset, buf);
        Err(shm_unsupported())
    }
    /// Copies bytes into a mapped region.
    fn shm_write(&mut self, region: usize, offset: usize, data: &[u8]) -> Result<(), VfsError> {
        let _ = (region, offset, data);
        Err(shm_unsupported())
    }
    /// Takes or releases lock slots `slot..slot + n` (`xShmLock`);
    /// `Err(VfsError::Busy)` on conflict.
    fn shm_lock(&mut self, slot: usize, n: usize, mode: ShmLockMode) -> Result<(), VfsError> {
        let _ = (slot, n, mode);
        Err(shm_unsupported())
    }
    /// A full memory barrier (`xShmBarrier`).
    fn shm_barrier(&mut self) {
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    }
    /// Unmaps this handle's shared memory; with `delete`, the last handle
    /// of the process also deletes it (`xShmUnmap`).
    fn shm_unmap(&mut self, delete: bool) -> Result<(), VfsError> {
        let _ = delete;
        Ok(())
    }
}
