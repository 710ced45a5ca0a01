//! The VFS error type and its mapping to SQLite result codes.
//!
//! SQLite counterpart: the `SQLITE_IOERR_*`, `SQLITE_CANTOPEN`,
//! `SQLITE_BUSY` and `SQLITE_FULL` codes returned by os_unix.c.
//!
//! Invariants:
//! 1. [`VfsError::result_code`] is an exhaustive match: every I/O failure
//!    carries the operation that failed ([`IoOp`]), which selects the
//!    extended `SQLITE_IOERR_*` code exactly as os_unix.c reports it.
//! 2. ENOSPC and EDQUOT on write/truncate/sync become [`VfsError::Full`].
#![deny(unsafe_code)]

use crate::rc::ResultCode;

/// The operation that failed, selecting the extended `SQLITE_IOERR_*` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoOp {
    /// pread failed (`SQLITE_IOERR_READ`).
    Read,
    /// pwrite failed (`SQLITE_IOERR_WRITE`).
    Write,
    /// fsync/fdatasync failed (`SQLITE_IOERR_FSYNC`).
    Fsync,
    /// fsync of a directory failed (`SQLITE_IOERR_DIR_FSYNC`).
    DirFsync,
    /// ftruncate failed (`SQLITE_IOERR_TRUNCATE`).
    Truncate,
    /// fstat failed (`SQLITE_IOERR_FSTAT`).
    Fstat,
    /// Releasing a lock failed (`SQLITE_IOERR_UNLOCK`).
    Unlock,
    /// Downgrading to a read lock failed (`SQLITE_IOERR_RDLOCK`).
    RdLock,
    /// Taking a lock failed for a reason other than contention (`SQLITE_IOERR_LOCK`).
    Lock,
    /// unlink failed (`SQLITE_IOERR_DELETE`).
    Delete,
    /// access/stat of a path failed (`SQLITE_IOERR_ACCESS`).
    Access,
    /// Testing the RESERVED lock failed (`SQLITE_IOERR_CHECKRESERVEDLOCK`).
    CheckReservedLock,
    /// close failed (`SQLITE_IOERR_CLOSE`).
    Close,
    /// Opening the wal-index (`-shm`) file.
    ShmOpen,
    /// Growing the wal-index file.
    ShmSize,
    /// A wal-index lock.
    ShmLock,
    /// Mapping the wal-index.
    ShmMap,
}

/// An error from the VFS layer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VfsError {
    /// Another connection or process holds a conflicting lock.
    #[error("database is locked")]
    Busy,
    /// Fewer bytes than requested were available; the rest was zero-filled.
    #[error("short read")]
    ShortRead,
    /// An operating-system I/O call failed.
    #[error("disk I/O error in {op:?} (errno {errno})")]
    Io {
        /// Which operation failed.
        op: IoOp,
        /// The `errno` value (0 when injected or unknown).
        errno: i32,
    },
    /// The file could not be opened.
    #[error("unable to open file {path:?} (errno {errno})")]
    CantOpen {
        /// The path given to `open`.
        path: String,
        /// The `errno` value.
        errno: i32,
    },
    /// The path names a directory.
    #[error("{path:?} is a directory")]
    IsDir {
        /// The path given to `open`.
        path: String,
    },
    /// The full pathname of a file could not be computed.
    #[error("cannot compute the full pathname of {path:?}")]
    FullPath {
        /// The path given.
        path: String,
    },
    /// `delete` of a file that does not exist.
    #[error("file not found: {path:?}")]
    NotFound {
        /// The path given to `delete`.
        path: String,
    },
    /// A write to a file opened read-only.
    #[error("attempt to write a readonly file")]
    ReadOnly,
    /// The disk or quota is full (ENOSPC / EDQUOT).
    #[error("database or disk is full")]
    Full,
}

impl VfsError {
    /// The SQLite result code (with extended code) for this error.
    pub fn result_code(&self) -> ResultCode {
        match self {
            VfsError::Busy => ResultCode::BUSY,
            VfsError::ShortRead => ResultCode::IOERR_SHORT_READ,
            VfsError::Io { op, .. } => io_code(*op),
            VfsError::CantOpen { .. } => ResultCode::CANTOPEN,
            VfsError::IsDir { .. } => ResultCode::CANTOPEN_ISDIR,
            VfsError::FullPath { .. } => ResultCode::CANTOPEN_FULLPATH,
            VfsError::NotFound { .. } => ResultCode::IOERR_DELETE_NOENT,
            VfsError::ReadOnly => ResultCode::READONLY,
            VfsError::Full => ResultCode::FULL,
        }
    }

    /// Builds an [`VfsError::Io`] (or [`VfsError::Full`]) from an OS error.
    pub fn from_io(op: IoOp, e: &std::io::Error) -> VfsError {
        let errno = e.raw_os_error().unwrap_or(0);
        if errno == libc::ENOSPC || errno == libc::EDQUOT {
            VfsError::Full
        } else {
            VfsError::Io { op, errno }
        }
    }
}

fn io_code(op: IoOp) -> ResultCode {
    match op {
        IoOp::Read => ResultCode::IOERR_READ,
        IoOp::Write => ResultCode::IOERR_WRITE,
        IoOp::Fsync => ResultCode::IOERR_FSYNC,
        IoOp::DirFsync => ResultCode::IOERR_DIR_FSYNC,
        IoOp::Truncate => ResultCode::IOERR_TRUNCATE,
        IoOp::Fstat => ResultCode::IOERR_FSTAT,
        IoOp::Unlock => ResultCode::IOERR_UNLOCK,
        IoOp::RdLock => ResultCode::IOERR_RDLOCK,
        IoOp::Lock => ResultCode::IOERR_LOCK,
        IoOp::Delete => ResultCode::IOERR_DELETE,
        IoOp::Access => ResultCode::IOERR_ACCESS,
        IoOp::CheckReservedLock => ResultCode::IOERR_CHECKRESERVEDLOCK,
        IoOp::Close => ResultCode::IOERR_CLOSE,
        IoOp::ShmOpen => ResultCode::IOERR_SHMOPEN,
        IoOp::ShmSize => ResultCode::IOERR_SHMSIZE,
        IoOp::ShmLock => ResultCode::IOERR_SHMLOCK,
        IoOp::ShmMap => ResultCode::IOERR_SHMMAP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_codes() {
        let e = VfsError::Io {
            op: IoOp::Fsync,
            errno: 5,
        };
        assert_eq!(e.result_code(), ResultCode::IOERR_FSYNC);
        assert_eq!(VfsError::ShortRead.result_code().0, 522);
        assert_eq!(VfsError::Busy.result_code(), ResultCode::BUSY);
        let full = VfsError::from_io(
            IoOp::Write,
            &std::io::Error::from_raw_os_error(libc::ENOSPC),
        );
        assert_eq!(full, VfsError::Full);
        assert_eq!(full.result_code(), ResultCode::FULL);
        let other = VfsError::from_io(IoOp::Write, &std::io::Error::from_raw_os_error(libc::EIO));
        assert_eq!(other.result_code(), ResultCode::IOERR_WRITE);
    }
}
