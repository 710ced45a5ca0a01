//! loom's C ABI: the `sqlite3_*` functions of `libsqlite3.so.0`.
//!
//! SQLite counterpart: sqlite.h.in, main.c, vdbeapi.c, legacy.c.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![deny(clippy::missing_safety_doc)]

/// `sqlite3_libversion_number()`.
#[no_mangle]
pub extern "C" fn sqlite3_libversion_number() -> i32 {
    loomdb::SQLITE_VERSION_NUMBER
}
