//! L0 — the virtual file system: the [`Vfs`] and [`VfsFile`] traits and their
//! implementations [`PosixVfs`], [`MemVfs`] and [`MockVfs`].
//!
//! SQLite counterpart: `sqlite3_vfs` / `sqlite3_io_methods` (sqlite.h),
//! os_unix.c (the POSIX VFS) and memdb.c (in-memory files).
//!
//! Every byte the pager reads or writes, and every lock it takes, goes
//! through these traits, so another VFS (a C `sqlite3_vfs` registered by an
//! application, or the fault-injecting [`MockVfs`]) can replace the file
//! system without the pager noticing.
//!
//! Invariants:
//! 1. Lock levels only move along NONE < SHARED < RESERVED < PENDING <
//!    EXCLUSIVE; `lock` never lowers a level and `unlock` only lowers it to
//!    SHARED or NONE.
//! 2. A short read zero-fills the rest of the buffer and reports
//!    [`VfsError::ShortRead`]; callers may treat that as "past end of file".
//! 3. [`PosixVfs`] locks are SQLite's byte-range locks, so loom and C SQLite
//!    processes exclude each other on the same file.
//! 4. Only `posix*.rs` contains `unsafe` code.

mod error;
mod file;
mod mem;
mod mock;
mod posix;
mod posix_lock;
mod registry;

pub use error::{IoOp, VfsError};
pub use file::{
    FileKind, LockLevel, OpenFlags, SyncFlags, Vfs, VfsFile, IOCAP_POWERSAFE_OVERWRITE,
    IOCAP_SAFE_APPEND, IOCAP_SEQUENTIAL,
};
pub use mem::MemVfs;
pub use mock::{MockFault, MockOp, MockTarget, MockVfs};
pub use posix::PosixVfs;
pub use registry::{find_vfs, register_vfs, unregister_vfs};
pub use posix_lock::{PENDING_BYTE, RESERVED_BYTE, SHARED_FIRST, SHARED_SIZE};
