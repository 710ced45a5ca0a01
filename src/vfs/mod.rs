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
//! 5. The wal-index shared memory (`VfsFile::shm_*`, SQLite's `xShmMap`,
//!    `xShmLock`, `xShmBarrier`, `xShmUnmap`) is one per database file and
//!    process: [`PosixVfs`] maps the `-shm` file and locks its bytes
//!    120..=128 as SQLite does; [`MemVfs`] and [`MockVfs`] keep it on the
//!    heap (`heap_shm.rs`).

mod error;
mod file;
mod heap_shm;
mod mem;
mod mock;
mod posix;
mod posix_lock;
mod posix_shm;
mod registry;

pub use error::{IoOp, VfsError};
pub use file::{
    path_with_suffix, FileKind, LockLevel, OpenFlags, ShmLockMode, SyncFlags, Vfs, VfsFile,
    IOCAP_POWERSAFE_OVERWRITE, IOCAP_SAFE_APPEND, IOCAP_SEQUENTIAL, SHM_NLOCK,
};
pub use mem::MemVfs;
pub use mock::{MockFault, MockOp, MockTarget, MockVfs};
pub use posix::PosixVfs;
pub use posix_lock::{PENDING_BYTE, RESERVED_BYTE, SHARED_FIRST, SHARED_SIZE};
pub use registry::{find_vfs, register_vfs, unregister_vfs};
