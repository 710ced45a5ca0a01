//! `sqlite3_str`: the dynamic string builder of the C API.
//!
//! SQLite counterpart: printf.c (`sqlite3_str_new`, `sqlite3_str_append`,
//! `sqlite3_str_finish`, ...). `sqlite3_str_appendf`/`_vappendf` need the
//! C-variadic trampolines and are not exported yet.
//!
//! Invariants:
//! 1. The buffer is a Rust `Vec<u8>` kept NUL-terminated at all times, so
//!    `sqlite3_str_value` can return it directly.
//! 2. `sqlite3_str_finish` hands the text over in `sqlite3_malloc` memory
//!    (NULL for an empty string, as SQLite) and frees the builder.
//! 3. The error code is SQLITE_TOOBIG once the text would exceed
//!    SQLITE_MAX_LENGTH; further appends are ignored.

use std::ffi::{c_char, c_int, CStr};

use crate::connection::sqlite3;
use crate::guard::{guard, guard_rc};
use crate::handle::{self, Handle};
use crate::memory::malloc_cstr;
use loomdb::rc::ResultCode;

const STR_MAGIC: u32 = 0x5354_5247; // "STRG"
const MAX_LENGTH: usize = 1_000_000_000;

/// The C type `sqlite3_str`.
#[allow(non_camel_case_types)]
pub type sqlite3_str = StrBuilder;

/// A string under construction.
#[derive(Debug)]
pub struct StrBuilder {
    magic: u32,
    buf: parking_lot::Mutex<(Vec<u8>, c_int)>,
}

impl Handle for StrBuilder {
    const MAGIC: u32 = STR_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

fn with<R: Clone>(
    p: *mut sqlite3_str,
    dflt: R,
    f: impl FnOnce(&mut Vec<u8>, &mut c_int) -> R,
) -> R {
    guard(dflt.clone(), || {
        // SAFETY: handle::get only dereferences live builders; the caller
        // does not finish `p` while using it.
        match unsafe { handle::get(p) } {
            Some(b) => {
                let mut g = b.buf.lock();
                let (buf, err) = &mut *g;
                f(buf, err)
            }
            None => dflt,
        }
    })
}

fn append(p: *mut sqlite3_str, bytes: &[u8]) {
    with(p, (), |buf, err| {
        if *err != 0 {
            return;
        }
        if buf.len() + bytes.len() > MAX_LENGTH {
            *err = ResultCode::TOOBIG.0;
            return;
        }
        buf.pop(); // the terminator
        buf.extend_from_slice(bytes);
        buf.push(0);
    })
}

/// `sqlite3_str_new(db)`: a new empty builder (never NULL).
#[no_mangle]
pub extern "C" fn sqlite3_str_new(_db: *mut sqlite3) -> *mut sqlite3_str {
    guard(std::ptr::null_mut(), || {
        handle::register(StrBuilder {
            magic: STR_MAGIC,
            buf: parking_lot::Mutex::new((vec![0], 0)),
        })
    })
}

/// `sqlite3_str_append(s, z, n)`: appends n bytes.
///
/// # Safety
/// `z` is NULL or readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_str_append(p: *mut sqlite3_str, z: *const c_char, n: c_int) {
    let Ok(n) = usize::try_from(n) else { return };
    if z.is_null() || n == 0 {
        return;
    }
    // SAFETY: the caller guarantees n readable bytes at z.
    let bytes = unsafe { std::slice::from_raw_parts(z.cast::<u8>(), n) };
    append(p, bytes);
}

/// `sqlite3_str_appendall(s, z)`: appends a NUL-terminated string.
///
/// # Safety
/// `z` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_str_appendall(p: *mut sqlite3_str, z: *const c_char) {
    if z.is_null() {
        return;
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    append(p, unsafe { CStr::from_ptr(z) }.to_bytes());
}

/// `sqlite3_str_appendchar(s, n, c)`: appends c n times.
#[no_mangle]
pub extern "C" fn sqlite3_str_appendchar(p: *mut sqlite3_str, n: c_int, c: c_char) {
    let n = usize::try_from(n).unwrap_or(0).min(MAX_LENGTH + 1);
    append(p, &vec![c as u8; n]);
}

/// `sqlite3_str_reset(s)`: empties the builder.
#[no_mangle]
pub extern "C" fn sqlite3_str_reset(p: *mut sqlite3_str) {
    with(p, (), |buf, _| {
        buf.clear();
        buf.push(0);
    })
}

/// `sqlite3_str_errcode(s)`: SQLITE_OK, SQLITE_TOOBIG, or SQLITE_NOMEM for NULL.
#[no_mangle]
pub extern "C" fn sqlite3_str_errcode(p: *mut sqlite3_str) -> c_int {
    guard_rc(|| {
        if p.is_null() {
            ResultCode::NOMEM.0
        } else {
            with(p, ResultCode::MISUSE.0, |_, e| *e)
        }
    })
}

/// `sqlite3_str_length(s)`: bytes accumulated so far.
#[no_mangle]
pub extern "C" fn sqlite3_str_length(p: *mut sqlite3_str) -> c_int {
    with(p, 0, |buf, _| buf.len().saturating_sub(1) as c_int)
}

/// `sqlite3_str_value(s)`: the current text (valid until the next change).
#[no_mangle]
pub extern "C" fn sqlite3_str_value(p: *mut sqlite3_str) -> *mut c_char {
    with(p, std::ptr::null_mut(), |buf, _| {
        if buf.len() <= 1 {
            std::ptr::null_mut()
        } else {
            buf.as_mut_ptr().cast()
        }
    })
}

/// Takes builder `p` back from C.
fn take(p: *mut sqlite3_str) -> Option<Box<StrBuilder>> {
    // SAFETY: only sqlite3_str_finish calls this; the caller does not use
    // `p` after finishing it.
    unsafe { handle::release(p) }
}

/// `sqlite3_str_finish(s)`: the text in `sqlite3_malloc` memory (NULL if
/// empty or on error); frees the builder.
#[no_mangle]
pub extern "C" fn sqlite3_str_finish(p: *mut sqlite3_str) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        let Some(b) = take(p) else {
            return std::ptr::null_mut();
        };
        let (buf, err) = b.buf.into_inner();
        let text = buf.split_last().map_or(&[][..], |(_, t)| t);
        if err != 0 || text.is_empty() {
            std::ptr::null_mut()
        } else {
            malloc_cstr(text)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_finish() {
        let s = sqlite3_str_new(std::ptr::null_mut());
        // SAFETY: NUL-terminated literals and in-bounds lengths.
        unsafe {
            sqlite3_str_appendall(s, c"hello".as_ptr());
            sqlite3_str_append(s, c", world!!".as_ptr(), 7);
        }
        sqlite3_str_appendchar(s, 3, b'.' as c_char);
        assert_eq!(sqlite3_str_length(s), 15);
        assert_eq!(sqlite3_str_errcode(s), 0);
        let v = sqlite3_str_value(s);
        // SAFETY: the value is NUL-terminated while s lives.
        assert_eq!(unsafe { CStr::from_ptr(v) }.to_bytes(), b"hello, world...");
        let out = sqlite3_str_finish(s);
        assert_eq!(
            // SAFETY: out is a NUL-terminated sqlite3_malloc buffer.
            unsafe { CStr::from_ptr(out) }.to_bytes(),
            b"hello, world..."
        );
        // SAFETY: out came from sqlite3_malloc.
        unsafe { crate::memory::sqlite3_free(out.cast()) };
        assert_eq!(sqlite3_str_length(s), 0, "finished builder is dead");
        let e = sqlite3_str_new(std::ptr::null_mut());
        assert!(sqlite3_str_value(e).is_null() && sqlite3_str_finish(e).is_null());
    }
}
