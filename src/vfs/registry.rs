//! The process-wide VFS registry: named [`Vfs`] objects a connection can
//! open a database through (`OpenOptions::vfs`).
//!
//! SQLite counterpart: `sqlite3_vfs_register` / `sqlite3_vfs_find` (os.c).
//!
//! Invariants:
//! 1. A name maps to at most one VFS; registering a name again replaces it.
//! 2. `find` of an unregistered name (including `None`, "unix" and its
//!    variants) returns `None`: the caller then uses the default POSIX VFS.
#![deny(unsafe_code)]

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::file::Vfs;

static REGISTRY: Mutex<Option<HashMap<String, Arc<dyn Vfs>>>> = Mutex::new(None);

/// Registers `vfs` under `name`, replacing any earlier one of that name.
pub fn register_vfs(name: &str, vfs: Arc<dyn Vfs>) {
    REGISTRY
        .lock()
        .get_or_insert_with(HashMap::new)
        .insert(name.to_string(), vfs);
}

/// Removes the VFS registered as `name`; true if there was one.
pub fn unregister_vfs(name: &str) -> bool {
    REGISTRY
        .lock()
        .as_mut()
        .is_some_and(|m| m.remove(name).is_some())
}

/// The VFS registered as `name`, if any.
pub fn find_vfs(name: Option<&str>) -> Option<Arc<dyn Vfs>> {
    let name = name?;
    REGISTRY.lock().as_ref()?.get(name).cloned()
}
