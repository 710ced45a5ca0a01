//! Library identity and life cycle: version, source id, thread safety,
//! initialize/shutdown, compile options.
//!
//! SQLite counterpart: `sqlite3_libversion` & co. (main.c), ctime.c.
//!
//! Invariants:
//! 1. Everything here reports SQLite 3.40.1 through the single constants
//!    `loomdb::SQLITE_VERSION`, `SQLITE_VERSION_NUMBER` and `SOURCE_ID`
//!    (the data symbol `sqlite3_version` is a literal, checked by a test).
//! 2. Returned strings are NUL-terminated and static.

use std::ffi::{c_char, c_int, CStr};

use crate::guard::{guard, guard_rc};
use crate::strings::static_cstr;
use loomdb::rc::ResultCode;

/// `sqlite3_version[]`: the version text as a data symbol.
#[no_mangle]
#[used]
pub static sqlite3_version: [u8; 7] = *b"3.40.1\0";

/// `sqlite3_libversion()`: "3.40.1".
#[no_mangle]
pub extern "C" fn sqlite3_libversion() -> *const c_char {
    guard(std::ptr::null(), || static_cstr(loomdb::SQLITE_VERSION))
}

/// `sqlite3_libversion_number()`: 3040001.
#[no_mangle]
pub extern "C" fn sqlite3_libversion_number() -> c_int {
    loomdb::SQLITE_VERSION_NUMBER
}

/// `sqlite3_sourceid()`: 3.40.1's check-in id followed by loom's mark.
#[no_mangle]
pub extern "C" fn sqlite3_sourceid() -> *const c_char {
    guard(std::ptr::null(), || static_cstr(loomdb::SOURCE_ID))
}

/// `sqlite3_threadsafe()`: 1, serialized mode.
#[no_mangle]
pub extern "C" fn sqlite3_threadsafe() -> c_int {
    1
}

/// `sqlite3_initialize()`: nothing to set up; always SQLITE_OK.
#[no_mangle]
pub extern "C" fn sqlite3_initialize() -> c_int {
    ResultCode::OK.0
}

/// `sqlite3_shutdown()`: nothing to tear down; always SQLITE_OK.
#[no_mangle]
pub extern "C" fn sqlite3_shutdown() -> c_int {
    ResultCode::OK.0
}

/// `sqlite3_os_init()`: SQLITE_OK.
#[no_mangle]
pub extern "C" fn sqlite3_os_init() -> c_int {
    ResultCode::OK.0
}

/// `sqlite3_os_end()`: SQLITE_OK.
#[no_mangle]
pub extern "C" fn sqlite3_os_end() -> c_int {
    ResultCode::OK.0
}

/// `sqlite3_compileoption_get(n)`: the n-th option, or NULL.
#[no_mangle]
pub extern "C" fn sqlite3_compileoption_get(n: c_int) -> *const c_char {
    guard(std::ptr::null(), || {
        loomdb::func::compile_option_get(i64::from(n)).map_or(std::ptr::null(), static_cstr)
    })
}

/// `sqlite3_compileoption_used(name)`: 1 if the option (optionally with
/// the `SQLITE_` prefix, case-insensitive) is one of loom's.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_compileoption_used(name: *const c_char) -> c_int {
    guard_rc(|| {
        if name.is_null() {
            return 0;
        }
        // SAFETY: the caller passes a NUL-terminated string (checked non-NULL).
        let n = unsafe { CStr::from_ptr(name) }.to_bytes();
        c_int::from(loomdb::func::compile_option_used(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const c_char) -> String {
        if p.is_null() {
            return "<NULL>".into();
        }
        // SAFETY: not NULL, and the functions under test return static
        // NUL-terminated text.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    #[test]
    fn versions_agree() {
        assert_eq!(text(sqlite3_libversion()), "3.40.1");
        assert_eq!(
            text(sqlite3_version.as_ptr().cast()),
            loomdb::SQLITE_VERSION
        );
        assert_eq!(sqlite3_libversion_number(), 3_040_001);
        let id = text(sqlite3_sourceid());
        assert_eq!(&id[..60], loomdb::SQLITE_SOURCE_ID_PREFIX);
        assert!(id.contains(" loom "));
    }

    #[test]
    fn header_macros_match_the_library() {
        let h = include_str!("../../include/sqlite3.h");
        assert!(h.contains(&format!(
            "#define SQLITE_VERSION        \"{}\"",
            loomdb::SQLITE_VERSION
        )));
        assert!(h.contains(&format!(
            "#define SQLITE_VERSION_NUMBER {}",
            loomdb::SQLITE_VERSION_NUMBER
        )));
        assert!(h.contains(&format!(
            "#define SQLITE_SOURCE_ID      \"{}\"",
            loomdb::SOURCE_ID
        )));
    }

    #[test]
    fn compile_options() {
        assert_eq!(text(sqlite3_compileoption_get(0)), "ATOMIC_INTRINSICS=1");
        // C's 58 options less the 7 naming features loom lacks
        // (build_info.rs).
        assert_eq!(text(sqlite3_compileoption_get(50)), "USE_URI");
        assert!(sqlite3_compileoption_get(51).is_null());
        assert!(sqlite3_compileoption_get(-1).is_null());
        // SAFETY: NUL-terminated literals.
        unsafe {
            assert_eq!(sqlite3_compileoption_used(c"SQLITE_THREADSAFE".as_ptr()), 1);
            assert_eq!(sqlite3_compileoption_used(c"enable_fts4".as_ptr()), 1);
            assert_eq!(sqlite3_compileoption_used(c"OMIT_WAL".as_ptr()), 0);
        }
    }
}
