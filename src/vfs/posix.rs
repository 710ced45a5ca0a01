//! [`PosixVfs`]: the unix file system, with SQLite-compatible locking.
//!
//! SQLite counterpart: the "unix" VFS of os_unix.c (`unixOpen`, `unixRead`,
//! `unixWrite`, `unixSync`, `unixTruncate`, `unixFileSize`, `unixDelete`,
//! `unixAccess`, `unixFullPathname`).
//!
//! Invariants:
//! 1. Reads and writes are positional (pread/pwrite); the file offset is
//!    never used, so handles never interfere through it.
//! 2. Files are created with mode 0644 (journals: the database's mode),
//!    even under a stricter umask, and opened close-on-exec.
//! 3. A handle's descriptor is closed only when no handle of this process
//!    holds a lock on the same inode (see `posix_lock`), because closing any
//!    descriptor would drop every POSIX lock of the process on that file.
//! 4. Sector size is 4096 and the device is power-safe-overwrite, as
//!    SQLite's unix VFS reports by default.
#![deny(unsafe_code)]

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::error::{IoOp, VfsError};
use super::file::ShmLockMode;
use super::file::{
    FileKind, LockLevel, OpenFlags, SyncFlags, Vfs, VfsFile, IOCAP_POWERSAFE_OVERWRITE,
};
use super::posix_lock::{
    inode_ref, inode_release, posix_check_reserved, posix_lock, posix_unlock, InodeKey,
};
use super::posix_shm::PosixShm;

/// The POSIX VFS (SQLite's "unix" VFS).
#[derive(Debug, Default)]
pub struct PosixVfs;

impl PosixVfs {
    /// A new handle on the POSIX file system.
    pub fn new() -> PosixVfs {
        PosixVfs
    }
}

/// An open file of [`PosixVfs`] (SQLite's `unixFile`).
#[derive(Debug)]
pub struct PosixFile {
    file: Option<File>,
    key: InodeKey,
    level: LockLevel,
    read_only: bool,
    /// A newly created journal: its directory is synced once, with the
    /// file's first sync, so the directory entry survives a power loss
    /// (SQLite's UNIXFILE_DIRSYNC).
    dir_to_sync: Option<std::path::PathBuf>,
    /// The path the file was opened with (names the `-shm` file).
    path: PathBuf,
    /// The wal-index, once mapped.
    shm: Option<PosixShm>,
}

fn open_file(path: &Path, flags: &OpenFlags, read_only: bool) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).mode(0o644);
    if !read_only {
        opts.write(true);
        if flags.create && flags.exclusive {
            opts.create_new(true);
        } else if flags.create {
            opts.create(true);
        }
    }
    opts.open(path)
}

/// The permission bits of a newly created file (SQLite's
/// `findCreateFileMode`): journals and WAL files copy the database file's
/// mode, temporary files are private, everything else is 0644 regardless of
/// the umask.
fn create_file_mode(path: &Path, flags: &OpenFlags) -> u32 {
    if flags.delete_on_close {
        return 0o600;
    }
    let bytes = path.as_os_str().as_bytes();
    let db = match flags.kind {
        FileKind::MainJournal => bytes.strip_suffix(b"-journal"),
        FileKind::Wal => bytes.strip_suffix(b"-wal"),
        _ => None,
    };
    db.and_then(|db| std::fs::metadata(OsStr::from_bytes(db)).ok())
        .map_or(0o644, |m| m.mode() & 0o777)
}

impl Vfs for PosixVfs {
    fn name(&self) -> &str {
        "unix"
    }

    fn open_path(&self, path: &Path, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        if path.as_os_str().is_empty() {
            return self.open_temp(flags);
        }
        let cant = |errno: i32| {
            if errno == libc::EISDIR {
                VfsError::IsDir {
                    path: path.to_string_lossy().into_owned(),
                }
            } else {
                VfsError::CantOpen {
                    path: path.to_string_lossy().into_owned(),
                    errno,
                }
            }
        };
        let mut read_only = flags.read_only;
        let file = match open_file(path, &flags, read_only) {
            Ok(f) => f,
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(0);
                let denied = matches!(errno, libc::EACCES | libc::EPERM | libc::EROFS);
                // Like unixOpen: a database we may not write is opened read-only.
                if denied && !read_only && path.exists() {
                    read_only = true;
                    open_file(path, &flags, true)
                        .map_err(|e| cant(e.raw_os_error().unwrap_or(0)))?
                } else {
                    return Err(cant(errno));
                }
            }
        };
        let meta = file
            .metadata()
            .map_err(|e| VfsError::from_io(IoOp::Fstat, &e))?;
        if meta.is_dir() {
            return Err(VfsError::IsDir {
                path: path.to_string_lossy().into_owned(),
            });
        }
        if !read_only && meta.len() == 0 {
            let mode = create_file_mode(path, &flags);
            if meta.mode() & 0o777 != mode {
                use std::os::unix::fs::PermissionsExt;
                let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
            }
        }
        if flags.delete_on_close {
            // The inode lives on while the descriptor is open.
            let _ = std::fs::remove_file(path);
        }
        let key = InodeKey {
            dev: meta.dev(),
            ino: meta.ino(),
        };
        inode_ref(key);
        let new_journal = matches!(
            flags.kind,
            FileKind::MainJournal | FileKind::SuperJournal | FileKind::Wal
        ) && flags.create
            && !read_only
            && meta.len() == 0;
        let dir_to_sync = new_journal.then(|| {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            dir.unwrap_or_else(|| Path::new(".")).to_path_buf()
        });
        Ok(Box::new(PosixFile {
            file: Some(file),
            key,
            level: LockLevel::None,
            read_only,
            dir_to_sync,
            path: path.to_path_buf(),
            shm: None,
        }))
    }

    fn delete_path(&self, path: &Path, sync_dir: bool) -> Result<(), VfsError> {
        if let Err(e) = std::fs::remove_file(path) {
            if e.raw_os_error() == Some(libc::ENOENT) {
                return Err(VfsError::NotFound {
                    path: path.to_string_lossy().into_owned(),
                });
            }
            return Err(VfsError::from_io(IoOp::Delete, &e));
        }
        if sync_dir {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let dir = dir.unwrap_or_else(|| Path::new("."));
            let _span = tracing::trace_span!("vfs.fsync", dir = true).entered();
            let d = File::open(dir).map_err(|e| VfsError::from_io(IoOp::DirFsync, &e))?;
            d.sync_all()
                .map_err(|e| VfsError::from_io(IoOp::DirFsync, &e))?;
        }
        Ok(())
    }

    fn exists_path(&self, path: &Path) -> Result<bool, VfsError> {
        match std::fs::metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(false),
            Err(e) => Err(VfsError::from_io(IoOp::Access, &e)),
        }
    }

    fn full_path(&self, path: &Path) -> Result<PathBuf, VfsError> {
        let fail = || VfsError::FullPath {
            path: path.to_string_lossy().into_owned(),
        };
        let p = path;
        let name = p.file_name().ok_or_else(fail)?;
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let dir = match std::fs::canonicalize(&dir) {
            Ok(d) => d,
            // A missing directory: let `open` report CANTOPEN, as SQLite does.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::env::current_dir().map_err(|_| fail())?.join(dir)
            }
            Err(_) => return Err(fail()),
        };
        Ok(dir.join(name))
    }

    fn randomness(&self, buf: &mut [u8]) {
        if let Ok(mut f) = File::open("/dev/urandom") {
            if f.read_exact(buf).is_ok() {
                return;
            }
        }
        // Fallback: time and address entropy through a xorshift generator.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        let mut x = nanos ^ (buf.as_ptr() as u64).rotate_left(17) ^ u64::from(std::process::id());
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = (x >> 24) as u8;
        }
    }

    fn sleep_micros(&self, micros: u64) {
        std::thread::sleep(std::time::Duration::from_micros(micros));
    }
}

impl PosixVfs {
    /// An empty path opens a fresh temporary file that is deleted on close
    /// (named like SQLite's `etilqs_*` files).
    fn open_temp(&self, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        let dir = std::env::temp_dir();
        for _ in 0..16 {
            let mut r = [0u8; 8];
            self.randomness(&mut r);
            let name = format!("etilqs_{:016x}", u64::from_be_bytes(r));
            let path = dir.join(name);
            if path.exists() {
                continue;
            }
            let temp = OpenFlags {
                read_only: false,
                create: true,
                exclusive: true,
                delete_on_close: true,
                kind: flags.kind,
            };
            return self.open_path(&path, temp);
        }
        Err(VfsError::CantOpen {
            path: String::new(),
            errno: libc::EEXIST,
        })
    }
}

impl PosixFile {
    fn fd(&self) -> Result<&File, VfsError> {
        self.file.as_ref().ok_or(VfsError::Io {
            op: IoOp::Close,
            errno: libc::EBADF,
        })
    }
}

impl VfsFile for PosixFile {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<(), VfsError> {
        let _span = tracing::trace_span!("vfs.read", offset, len = buf.len()).entered();
        let f = self.fd()?;
        let mut done = 0usize;
        while done < buf.len() {
            match f.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => {
                    buf[done..].fill(0);
                    return Err(VfsError::ShortRead);
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(VfsError::from_io(IoOp::Read, &e)),
            }
        }
        Ok(())
    }

    fn write(&mut self, buf: &[u8], offset: u64) -> Result<(), VfsError> {
        let _span = tracing::trace_span!("vfs.write", offset, len = buf.len()).entered();
        if self.read_only {
            return Err(VfsError::ReadOnly);
        }
        let f = self.fd()?;
        let mut done = 0usize;
        while done < buf.len() {
            match f.write_at(&buf[done..], offset + done as u64) {
                Ok(0) => return Err(VfsError::Full),
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(VfsError::from_io(IoOp::Write, &e)),
            }
        }
        Ok(())
    }

    fn truncate(&mut self, size: u64) -> Result<(), VfsError> {
        if self.read_only {
            return Err(VfsError::ReadOnly);
        }
        self.fd()?
            .set_len(size)
            .map_err(|e| VfsError::from_io(IoOp::Truncate, &e))
    }

    fn sync(&mut self, flags: SyncFlags) -> Result<(), VfsError> {
        let _span = tracing::trace_span!("vfs.fsync").entered();
        let f = self.fd()?;
        // As SQLite on Linux: fdatasync for every sync level (the file size
        // is data for fdatasync; F_FULLFSYNC exists only on macOS).
        let _ = flags;
        f.sync_data()
            .map_err(|e| match VfsError::from_io(IoOp::Fsync, &e) {
                VfsError::Full => VfsError::Full,
                _ => VfsError::Io {
                    op: IoOp::Fsync,
                    errno: e.raw_os_error().unwrap_or(0),
                },
            })?;
        if let Some(dir) = self.dir_to_sync.take() {
            let _span = tracing::trace_span!("vfs.fsync", dir = true).entered();
            let d = File::open(&dir).map_err(|e| VfsError::from_io(IoOp::DirFsync, &e))?;
            d.sync_all()
                .map_err(|e| VfsError::from_io(IoOp::DirFsync, &e))?;
        }
        Ok(())
    }

    fn file_size(&mut self) -> Result<u64, VfsError> {
        let meta = self
            .fd()?
            .metadata()
            .map_err(|e| VfsError::from_io(IoOp::Fstat, &e))?;
        Ok(meta.len())
    }

    fn lock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        let file = self.file.as_ref().ok_or(VfsError::Io {
            op: IoOp::Lock,
            errno: libc::EBADF,
        })?;
        posix_lock(file, self.key, &mut self.level, level)
    }

    fn unlock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        let file = self.file.as_ref().ok_or(VfsError::Io {
            op: IoOp::Unlock,
            errno: libc::EBADF,
        })?;
        let target = if level >= LockLevel::Shared {
            LockLevel::Shared
        } else {
            LockLevel::None
        };
        posix_unlock(file, self.key, &mut self.level, target)
    }

    fn check_reserved_lock(&mut self) -> Result<bool, VfsError> {
        if self.level > LockLevel::Shared {
            return Ok(true);
        }
        let file = self.fd()?;
        posix_check_reserved(file, self.key)
    }

    fn lock_level(&self) -> LockLevel {
        self.level
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
        if self.shm.is_none() {
            let mode = self.fd()?.metadata().map_or(0o644, |m| m.mode() & 0o777);
            self.shm = Some(PosixShm::open(&self.path, self.key, mode)?);
        }
        match self.shm.as_mut() {
            Some(s) => s.map(region, size, extend),
            None => Ok(false),
        }
    }

    fn shm_read(&mut self, region: usize, offset: usize, buf: &mut [u8]) -> Result<(), VfsError> {
        self.shm_handle()?.read(region, offset, buf)
    }

    fn shm_write(&mut self, region: usize, offset: usize, data: &[u8]) -> Result<(), VfsError> {
        self.shm_handle()?.write(region, offset, data)
    }

    fn shm_lock(&mut self, slot: usize, n: usize, mode: ShmLockMode) -> Result<(), VfsError> {
        self.shm_handle()?.lock(slot, n, mode)
    }

    fn shm_unmap(&mut self, delete: bool) -> Result<(), VfsError> {
        if let Some(s) = self.shm.take() {
            s.unmap(delete);
        }
        Ok(())
    }
}

impl PosixFile {
    fn shm_handle(&mut self) -> Result<&mut PosixShm, VfsError> {
        self.shm.as_mut().ok_or(VfsError::Io {
            op: IoOp::ShmMap,
            errno: libc::EINVAL,
        })
    }
}

impl Drop for PosixFile {
    fn drop(&mut self) {
        if let Some(s) = self.shm.take() {
            s.unmap(false);
        }
        if let Some(file) = self.file.take() {
            let _ = posix_unlock(&file, self.key, &mut self.level, LockLevel::None);
            inode_release(self.key, file);
        }
    }
}
