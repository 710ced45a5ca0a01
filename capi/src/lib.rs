//! loom's C ABI: the `sqlite3_*` functions of `libsqlite3.so.0`.
//!
//! SQLite counterpart: sqlite.h.in, main.c, vdbeapi.c, legacy.c.
