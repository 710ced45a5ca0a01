//! Build script for the C ABI crate: makes the shared library a drop-in
//! `libsqlite3.so.0`.
//!
//! 1. SONAME `libsqlite3.so.0`, so programs linked against loom record the
//!    same dependency as programs linked against SQLite.
//! 2. A version script (`sqlite3.map`) exports only the public `sqlite3*`
//!    names and hides everything else (Rust std, loomdb internals).
//!
//! Both flags only apply to the cdylib; the staticlib is unaffected.
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let map = dir.join("sqlite3.map");
    println!("cargo:rerun-if-changed={}", map.display());
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsqlite3.so.0");
        println!(
            "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
            map.display()
        );
    }
}
