//! Connection capability levels and open options.
//!
//! SQLite counterpart: the `SQLITE_OPEN_*` flags of `sqlite3_open_v2`; the
//! capability levels are loom's own (ARCHITECTURE.md, "Capability levels").
//!
//! Invariants:
//! 1. `Read` admits only statements that do not write (SELECT, read-only
//!    PRAGMAs, EXPLAIN, BEGIN/COMMIT/ROLLBACK); `Write` adds INSERT, UPDATE,
//!    DELETE and REPLACE; `Admin` admits everything (DDL, VACUUM, ATTACH …).
//! 2. The mode is fixed when the connection opens.

/// What a connection may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnectionMode {
    /// SELECT only (`SQLITE_OPEN_READONLY`).
    Read,
    /// SELECT and data changes, no schema changes.
    Write,
    /// Everything (`SQLITE_OPEN_READWRITE`).
    #[default]
    Admin,
}

/// How to open a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOptions {
    pub mode: ConnectionMode,
    /// Create the file if it does not exist (`SQLITE_OPEN_CREATE`).
    pub create: bool,
    /// The file name may be a `file:` URI (`SQLITE_OPEN_URI`).
    pub uri: bool,
    /// Open an in-memory database whatever the name (`SQLITE_OPEN_MEMORY`).
    pub memory: bool,
    /// Name of a registered VFS; `None` for the default.
    pub vfs: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            mode: ConnectionMode::Admin,
            create: true,
            uri: false,
            memory: false,
            vfs: None,
        }
    }
}
