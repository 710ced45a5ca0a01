//! String helpers of the C API: `sqlite3_errstr`, `sqlite3_stricmp`,
//! `sqlite3_strnicmp`, and the static C strings the library hands out.
//!
//! SQLite counterpart: `sqlite3ErrStr` (main.c), `sqlite3StrICmp` and
//! `sqlite3_strnicmp` (util.c).
//!
//! Invariants:
//! 1. Case folding is ASCII only (SQLite's `sqlite3UpperToLower`); bytes
//!    >= 0x80 compare as themselves.
//! 2. [`static_cstr`] interns: the same `&'static str` always yields the
//!    same NUL-terminated pointer, valid for the life of the process. The
//!    set of interned strings is bounded (error texts, version strings).

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CStr, CString};
use std::sync::OnceLock;

use parking_lot::Mutex;

use crate::guard::guard;
use loomdb::rc::ResultCode;

/// A static NUL-terminated copy of `s` (interned; see invariant 2).
pub(crate) fn static_cstr(s: &'static str) -> *const c_char {
    static TABLE: OnceLock<Mutex<HashMap<&'static str, &'static std::ffi::CStr>>> = OnceLock::new();
    let mut t = TABLE.get_or_init(|| Mutex::new(HashMap::new())).lock();
    let c = t.entry(s).or_insert_with(|| {
        let owned = CString::new(s.replace('\0', "")).unwrap_or_default();
        Box::leak(owned.into_boxed_c_str())
    });
    c.as_ptr()
}

/// `sqlite3_errstr(rc)`: the English text for a result code.
#[no_mangle]
pub extern "C" fn sqlite3_errstr(rc: c_int) -> *const c_char {
    guard(std::ptr::null(), || static_cstr(ResultCode(rc).errstr()))
}

/// `sqlite3_complete(sql)`: 1 if the text ends with a complete SQL
/// statement (a `;` outside strings, comments and trigger bodies).
///
/// # Safety
/// `sql` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_complete(sql: *const c_char) -> c_int {
    if sql.is_null() {
        return 0;
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let bytes = unsafe { std::ffi::CStr::from_ptr(sql) }.to_bytes();
    guard(0, || c_int::from(crate::engine::complete(bytes)))
}

/// `sqlite3_complete16(sql)`: as [`sqlite3_complete`] for UTF-16 text.
///
/// # Safety
/// `sql` is NULL or a 0-terminated native UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_complete16(sql: *const std::ffi::c_void) -> c_int {
    // SAFETY: forwarded contract.
    let Some(s) = (unsafe { crate::connection::arg_str16(sql) }) else {
        return 0;
    };
    guard(0, || c_int::from(crate::engine::complete(s.as_bytes())))
}

/// `sqlite3_strglob(pattern, text)`: 0 if `text` matches the GLOB pattern.
///
/// # Safety
/// Both arguments are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_strglob(pattern: *const c_char, text: *const c_char) -> c_int {
    if pattern.is_null() || text.is_null() {
        return c_int::from(pattern != text);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let (p, t) = unsafe {
        (
            CStr::from_ptr(pattern).to_bytes(),
            CStr::from_ptr(text).to_bytes(),
        )
    };
    guard(1, || c_int::from(!crate::engine::glob_match(p, t)))
}

/// `sqlite3_strlike(pattern, text, esc)`: 0 if `text` matches the LIKE
/// pattern (ASCII case-insensitive; `esc` 0 means no escape character).
///
/// # Safety
/// Both strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_strlike(
    pattern: *const c_char,
    text: *const c_char,
    esc: u32,
) -> c_int {
    if pattern.is_null() || text.is_null() {
        return c_int::from(pattern != text);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let (p, t) = unsafe {
        (
            CStr::from_ptr(pattern).to_bytes(),
            CStr::from_ptr(text).to_bytes(),
        )
    };
    let esc = (esc != 0).then_some(esc);
    guard(1, || {
        c_int::from(!crate::engine::like_match(p, t, esc, false))
    })
}

fn lower(c: u8) -> c_int {
    c_int::from(c.to_ascii_lowercase())
}

/// `sqlite3_stricmp(a, b)`: ASCII case-insensitive comparison; NULL sorts first.
///
/// # Safety
/// `a` and `b` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_stricmp(a: *const c_char, b: *const c_char) -> c_int {
    // SAFETY: forwarded contract; i32::MAX bytes is "unbounded" for C strings.
    unsafe { sqlite3_strnicmp_inner(a, b, c_int::MAX, true) }
}

/// `sqlite3_strnicmp(a, b, n)`: as [`sqlite3_stricmp`] on at most n bytes.
///
/// # Safety
/// `a` and `b` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_strnicmp(a: *const c_char, b: *const c_char, n: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { sqlite3_strnicmp_inner(a, b, n, false) }
}

/// # Safety
/// `a` and `b` are NULL or NUL-terminated strings.
unsafe fn sqlite3_strnicmp_inner(
    a: *const c_char,
    b: *const c_char,
    n: c_int,
    full: bool,
) -> c_int {
    if a.is_null() {
        return if b.is_null() { 0 } else { -1 };
    }
    if b.is_null() {
        return 1;
    }
    let (a, b) = (a.cast::<u8>(), b.cast::<u8>());
    let mut i = 0usize;
    let mut left = n;
    loop {
        if !full && left <= 0 {
            return 0;
        }
        // SAFETY: both strings are NUL-terminated and we stop at the first
        // NUL of `a`; `b` is read at the same index, which is within `b`
        // because every earlier byte of `b` equalled a non-NUL byte of `a`
        // (case-insensitively), so `b`'s NUL has not been passed yet.
        let (ca, cb) = unsafe { (*a.add(i), *b.add(i)) };
        let d = lower(ca) - lower(cb);
        if d != 0 || ca == 0 {
            return d;
        }
        i += 1;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn errstr_is_static_and_stable() {
        let p = sqlite3_errstr(21);
        assert_eq!(
            // SAFETY: errstr returns static NUL-terminated text.
            unsafe { CStr::from_ptr(p) }.to_str().ok(),
            Some("bad parameter or other API misuse")
        );
        assert_eq!(p, sqlite3_errstr(21));
        assert_eq!(
            // SAFETY: errstr returns static NUL-terminated text.
            unsafe { CStr::from_ptr(sqlite3_errstr(2067)) }
                .to_str()
                .ok(),
            Some("constraint failed")
        );
    }

    #[test]
    fn glob_and_like() {
        // SAFETY: NUL-terminated literals.
        unsafe {
            assert_eq!(sqlite3_strglob(c"a*c".as_ptr(), c"abbc".as_ptr()), 0);
            assert_ne!(sqlite3_strglob(c"A*".as_ptr(), c"abc".as_ptr()), 0);
            assert_eq!(sqlite3_strlike(c"A%".as_ptr(), c"abc".as_ptr(), 0), 0);
            assert_ne!(
                sqlite3_strlike(c"a\\%".as_ptr(), c"abc".as_ptr(), u32::from(b'\\')),
                0
            );
        }
    }

    #[test]
    fn case_insensitive_compare() {
        // SAFETY: NUL-terminated literals or NULL.
        unsafe {
            assert_eq!(sqlite3_stricmp(c"Hello".as_ptr(), c"hELLO".as_ptr()), 0);
            assert!(sqlite3_stricmp(c"abc".as_ptr(), c"abd".as_ptr()) < 0);
            assert!(sqlite3_stricmp(c"abc".as_ptr(), c"ab".as_ptr()) > 0);
            assert_eq!(sqlite3_stricmp(std::ptr::null(), std::ptr::null()), 0);
            assert_eq!(sqlite3_stricmp(std::ptr::null(), c"a".as_ptr()), -1);
            assert_eq!(sqlite3_stricmp(c"a".as_ptr(), std::ptr::null()), 1);
            assert_eq!(sqlite3_strnicmp(c"abcX".as_ptr(), c"ABCy".as_ptr(), 3), 0);
            assert!(sqlite3_strnicmp(c"abcX".as_ptr(), c"ABCy".as_ptr(), 4) < 0);
            assert_eq!(sqlite3_strnicmp(c"a".as_ptr(), c"b".as_ptr(), 0), 0);
        }
    }
}
