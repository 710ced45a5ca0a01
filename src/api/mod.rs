//! L7 — the safe Rust API: `Database`, `PreparedStatement`, `DbError`.
//!
//! No SQLite counterpart; the C ABI in `capi/` is built on it.
