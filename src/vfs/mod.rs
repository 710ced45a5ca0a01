//! L0 — the virtual file system: `Vfs`, `VfsFile` traits, `PosixVfs`, `MemVfs`.
//!
//! SQLite counterpart: os_unix.c, memdb.c (to be filled in by the storage work).
