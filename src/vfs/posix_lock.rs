//! POSIX advisory byte-range locks, exactly as SQLite's unix VFS takes them,
//! and the process-wide per-inode lock table.
//!
//! SQLite counterpart: `unixLock`, `unixUnlock`, `unixCheckReservedLock`,
//! `unixInodeInfo` and the unused-fd list in os_unix.c; lockingv3.html.
//!
//! Lock bytes (all in the 1 GiB page that SQLite never stores data on):
//!
//! | name | offset | length | SHARED | RESERVED | PENDING | EXCLUSIVE |
//! |---|---|---|---|---|---|---|
//! | PENDING_BYTE  | 0x40000000 | 1   | (read, briefly) | | write | write |
//! | RESERVED_BYTE | 0x40000001 | 1   | | write | (write) | (write) |
//! | SHARED range  | 0x40000002 | 510 | read | read | read | write |
//!
//! POSIX locks belong to the *process*, not the file descriptor, and closing
//! any descriptor of a file drops all of the process's locks on it. So every
//! handle of this process on one inode shares one [`InodeInfo`] record:
//!
//! Invariants:
//! 1. `level` is the strongest lock any handle of this process holds on the
//!    inode; at most one handle holds more than SHARED.
//! 2. `n_shared` counts handles at SHARED or above; the OS read lock on the
//!    SHARED range is taken by the first and released by the last.
//! 3. `n_lock` counts handles holding any lock; while it is non-zero, closing
//!    a handle parks its descriptor in `unused` instead of closing it, and the
//!    parked descriptors are closed when `n_lock` drops to zero.
//! 4. All changes to a record, and the `fcntl` calls that go with them, are
//!    made with the table mutex held.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::io::AsRawFd;

use parking_lot::Mutex;

use super::error::{IoOp, VfsError};
use super::file::LockLevel;

/// Offset of the PENDING lock byte (the start of the lock-byte page).
pub const PENDING_BYTE: u64 = 0x4000_0000;
/// Offset of the RESERVED lock byte.
pub const RESERVED_BYTE: u64 = PENDING_BYTE + 1;
/// First byte of the SHARED lock range.
pub const SHARED_FIRST: u64 = PENDING_BYTE + 2;
/// Length of the SHARED lock range.
pub const SHARED_SIZE: u64 = 510;

/// Identifies a file by device and inode number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct InodeKey {
    pub dev: u64,
    pub ino: u64,
}

/// The process-wide lock state of one inode (SQLite's `unixInodeInfo`).
#[derive(Debug)]
struct InodeInfo {
    n_shared: u32,
    level: LockLevel,
    n_lock: u32,
    n_ref: u32,
    unused: Vec<File>,
}

static INODES: Mutex<BTreeMap<InodeKey, InodeInfo>> = Mutex::new(BTreeMap::new());

/// Registers a new handle on `key`.
pub(super) fn inode_ref(key: InodeKey) {
    let mut table = INODES.lock();
    let info = table.entry(key).or_insert(InodeInfo {
        n_shared: 0,
        level: LockLevel::None,
        n_lock: 0,
        n_ref: 0,
        unused: Vec::new(),
    });
    info.n_ref += 1;
}

/// Unregisters a handle whose locks are already released, closing its
/// descriptor now or parking it while other handles still hold locks.
pub(super) fn inode_release(key: InodeKey, file: File) {
    let mut table = INODES.lock();
    let Some(info) = table.get_mut(&key) else {
        drop(file);
        return;
    };
    info.n_ref = info.n_ref.saturating_sub(1);
    if info.n_lock > 0 {
        info.unused.push(file);
    } else {
        drop(file);
    }
    if info.n_ref == 0 {
        info.unused.clear();
        table.remove(&key);
    }
}

/// One `fcntl(F_SETLK)` call. `Ok(true)` = granted, `Ok(false)` = held by
/// another process, `Err(errno)` = any other failure.
fn set_lock(file: &File, lock_type: libc::c_int, start: u64, len: u64) -> Result<bool, i32> {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = lock_type as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = start as libc::off_t;
    fl.l_len = len as libc::off_t;
    loop {
        // SAFETY: the descriptor is open (owned by `file`) and `fl` is a valid,
        // initialised flock that lives across the call.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl as *const libc::flock) };
        if rc == 0 {
            return Ok(true);
        }
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        match errno {
            libc::EINTR => continue,
            libc::EAGAIN | libc::EACCES => return Ok(false),
            _ => return Err(errno),
        }
    }
}

/// `fcntl(F_GETLK)` for a write lock on RESERVED_BYTE: true if another
/// process holds a lock there.
fn reserved_held_elsewhere(file: &File) -> Result<bool, VfsError> {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = RESERVED_BYTE as libc::off_t;
    fl.l_len = 1;
    // SAFETY: the descriptor is open and `fl` is a valid flock the kernel may overwrite.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut fl as *mut libc::flock) };
    if rc != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(VfsError::Io {
            op: IoOp::CheckReservedLock,
            errno,
        });
    }
    Ok(fl.l_type != libc::F_UNLCK as libc::c_short)
}

fn granted(r: Result<bool, i32>, op: IoOp) -> Result<bool, VfsError> {
    r.map_err(|errno| VfsError::Io { op, errno })
}

/// Raises the handle's lock from `*cur` to `want` (SQLite's `unixLock`).
pub(super) fn posix_lock(
    file: &File,
    key: InodeKey,
    cur: &mut LockLevel,
    want: LockLevel,
) -> Result<(), VfsError> {
    if *cur >= want || want == LockLevel::None {
        return Ok(());
    }
    let mut table = INODES.lock();
    let Some(info) = table.get_mut(&key) else {
        return Err(VfsError::Io {
            op: IoOp::Lock,
            errno: 0,
        });
    };
    // Another handle of this process holds a lock that conflicts.
    if *cur != info.level && (info.level >= LockLevel::Pending || want > LockLevel::Shared) {
        return Err(VfsError::Busy);
    }
    // SHARED while another handle of this process has SHARED or RESERVED.
    if want == LockLevel::Shared
        && (info.level == LockLevel::Shared || info.level == LockLevel::Reserved)
    {
        *cur = LockLevel::Shared;
        info.n_shared += 1;
        info.n_lock += 1;
        return Ok(());
    }
    // The PENDING byte: read-locked briefly to get SHARED, write-locked on
    // the way to EXCLUSIVE.
    if want == LockLevel::Shared || (want >= LockLevel::Pending && *cur < LockLevel::Pending) {
        let ty = if want == LockLevel::Shared {
            libc::F_RDLCK
        } else {
            libc::F_WRLCK
        };
        if !granted(set_lock(file, ty, PENDING_BYTE, 1), IoOp::Lock)? {
            return Err(VfsError::Busy);
        }
        if want != LockLevel::Shared {
            *cur = LockLevel::Pending;
            info.level = LockLevel::Pending;
        }
    }
    match want {
        LockLevel::Shared => {
            let got = set_lock(file, libc::F_RDLCK, SHARED_FIRST, SHARED_SIZE);
            let released = set_lock(file, libc::F_UNLCK, PENDING_BYTE, 1);
            if !granted(got, IoOp::Lock)? {
                return Err(VfsError::Busy);
            }
            granted(released, IoOp::Unlock)?;
            *cur = LockLevel::Shared;
            info.level = LockLevel::Shared;
            info.n_lock += 1;
            info.n_shared = 1;
            Ok(())
        }
        LockLevel::Pending => Ok(()),
        LockLevel::Exclusive if info.n_shared > 1 => Err(VfsError::Busy),
        LockLevel::Reserved | LockLevel::Exclusive => {
            let got = if want == LockLevel::Reserved {
                set_lock(file, libc::F_WRLCK, RESERVED_BYTE, 1)
            } else {
                set_lock(file, libc::F_WRLCK, SHARED_FIRST, SHARED_SIZE)
            };
            if !granted(got, IoOp::Lock)? {
                return Err(VfsError::Busy);
            }
            *cur = want;
            info.level = want;
            Ok(())
        }
        LockLevel::None => Ok(()),
    }
}

/// Lowers the handle's lock from `*cur` to `want` (`Shared` or `None`),
/// SQLite's `unixUnlock`.
pub(super) fn posix_unlock(
    file: &File,
    key: InodeKey,
    cur: &mut LockLevel,
    want: LockLevel,
) -> Result<(), VfsError> {
    if *cur <= want {
        return Ok(());
    }
    let mut table = INODES.lock();
    let Some(info) = table.get_mut(&key) else {
        *cur = LockLevel::None;
        return Err(VfsError::Io {
            op: IoOp::Unlock,
            errno: 0,
        });
    };
    if *cur > LockLevel::Shared {
        if want == LockLevel::Shared {
            granted(
                set_lock(file, libc::F_RDLCK, SHARED_FIRST, SHARED_SIZE),
                IoOp::RdLock,
            )?;
        }
        // Releases PENDING_BYTE and RESERVED_BYTE together.
        granted(set_lock(file, libc::F_UNLCK, PENDING_BYTE, 2), IoOp::Unlock)?;
        info.level = LockLevel::Shared;
    }
    if want == LockLevel::None {
        info.n_shared = info.n_shared.saturating_sub(1);
        let mut result = Ok(());
        if info.n_shared == 0 {
            if let Err(errno) = set_lock(file, libc::F_UNLCK, 0, 0) {
                result = Err(VfsError::Io {
                    op: IoOp::Unlock,
                    errno,
                });
            }
            info.level = LockLevel::None;
        }
        info.n_lock = info.n_lock.saturating_sub(1);
        if info.n_lock == 0 {
            info.unused.clear();
        }
        *cur = LockLevel::None;
        return result;
    }
    *cur = want;
    Ok(())
}

/// True if this process (any handle) or another holds RESERVED or higher.
pub(super) fn posix_check_reserved(file: &File, key: InodeKey) -> Result<bool, VfsError> {
    let table = INODES.lock();
    if let Some(info) = table.get(&key) {
        if info.level > LockLevel::Shared {
            return Ok(true);
        }
    }
    reserved_held_elsewhere(file)
}
