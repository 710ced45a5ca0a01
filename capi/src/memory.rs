//! Memory, randomness and sleeping: `sqlite3_malloc` and friends.
//!
//! SQLite counterpart: malloc.c, mem1.c, random.c, `sqlite3_sleep`.
//!
//! Memory that crosses the boundary (error messages, `expanded_sql`,
//! `sqlite3_mprintf` results, buffers the application hands to
//! `sqlite3_free`) comes from the C library's allocator, so C and loom may
//! free each other's allocations.
//!
//! Invariants:
//! 1. `sqlite3_malloc*` returns NULL for a zero or negative size and for
//!    sizes of 0x7fffff00 bytes or more, as SQLite does.
//! 2. `sqlite3_memory_used`/`_highwater` report 0: loom does not wrap the
//!    allocator with size headers, so it does not count bytes (documented
//!    difference; `sqlite3_status` reports the same zeros).

use std::ffi::{c_int, c_void};

use crate::guard::guard;

/// Allocations at or above this size fail, as in SQLite.
const MAX_ALLOC: u64 = 0x7fff_ff00;

fn alloc(n: u64) -> *mut c_void {
    if n == 0 || n >= MAX_ALLOC {
        return std::ptr::null_mut();
    }
    // SAFETY: malloc has no preconditions; n is nonzero and small.
    unsafe { libc::malloc(n as usize) }
}

fn resize(p: *mut c_void, n: u64) -> *mut c_void {
    if p.is_null() {
        return alloc(n);
    }
    if n == 0 {
        // SAFETY: p was allocated by the C allocator (the caller's contract).
        unsafe { libc::free(p) };
        return std::ptr::null_mut();
    }
    if n >= MAX_ALLOC {
        return std::ptr::null_mut();
    }
    // SAFETY: p was allocated by the C allocator and n is nonzero.
    unsafe { libc::realloc(p, n as usize) }
}

/// `sqlite3_malloc(n)`.
#[no_mangle]
pub extern "C" fn sqlite3_malloc(n: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        alloc(u64::try_from(n).unwrap_or(0))
    })
}

/// `sqlite3_malloc64(n)`.
#[no_mangle]
pub extern "C" fn sqlite3_malloc64(n: u64) -> *mut c_void {
    guard(std::ptr::null_mut(), || alloc(n))
}

/// `sqlite3_realloc(p, n)`: n <= 0 frees p and returns NULL.
///
/// # Safety
/// `p` is NULL or a live allocation from `sqlite3_malloc*`/`realloc*`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        resize(p, u64::try_from(n).unwrap_or(0))
    })
}

/// `sqlite3_realloc64(p, n)`.
///
/// # Safety
/// As [`sqlite3_realloc`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_realloc64(p: *mut c_void, n: u64) -> *mut c_void {
    guard(std::ptr::null_mut(), || resize(p, n))
}

/// `sqlite3_free(p)`; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a live allocation from the C allocator.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_free(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: the caller's contract: p came from the C allocator.
        unsafe { libc::free(p) }
    }
}

/// `sqlite3_msize(p)`: usable size of an allocation; 0 for NULL.
///
/// # Safety
/// `p` is NULL or a live allocation from the C allocator.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_msize(p: *mut c_void) -> u64 {
    if p.is_null() {
        return 0;
    }
    // SAFETY: the caller's contract: p is a live malloc allocation.
    unsafe { libc::malloc_usable_size(p) as u64 }
}

/// `sqlite3_memory_used()`: 0 (not tracked, see invariant 2).
#[no_mangle]
pub extern "C" fn sqlite3_memory_used() -> i64 {
    0
}

/// `sqlite3_memory_highwater(reset)`: 0 (not tracked, see invariant 2).
#[no_mangle]
pub extern "C" fn sqlite3_memory_highwater(_reset: c_int) -> i64 {
    0
}

/// Copies `bytes` into a fresh NUL-terminated `sqlite3_malloc` buffer.
pub(crate) fn malloc_cstr(bytes: &[u8]) -> *mut std::ffi::c_char {
    let p = alloc(bytes.len() as u64 + 1).cast::<u8>();
    if !p.is_null() {
        // SAFETY: p has room for len + 1 bytes; the regions do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
        }
    }
    p.cast()
}

/// `sqlite3_randomness(n, p)`: n random bytes from the OS generator.
///
/// # Safety
/// `p` is NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_randomness(n: c_int, p: *mut c_void) {
    guard((), || {
        let Ok(n) = usize::try_from(n) else { return };
        if p.is_null() || n == 0 {
            return; // SQLite resets its PRNG here; the OS generator has no state
        }
        let mut done = 0usize;
        while done < n {
            // SAFETY: p is valid for n bytes; we write the remaining tail.
            let r = unsafe { libc::getrandom(p.cast::<u8>().add(done).cast(), n - done, 0) };
            if r <= 0 {
                break;
            }
            done += r as usize;
        }
    })
}

/// `sqlite3_sleep(ms)`: sleeps and returns the milliseconds slept.
#[no_mangle]
pub extern "C" fn sqlite3_sleep(ms: c_int) -> c_int {
    guard(0, || {
        let ms = ms.max(0);
        std::thread::sleep(std::time::Duration::from_millis(ms as u64));
        ms
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malloc_family() {
        assert!(sqlite3_malloc(0).is_null() && sqlite3_malloc(-5).is_null());
        assert!(sqlite3_malloc64(0x7fff_ff00).is_null());
        let p = sqlite3_malloc(10);
        assert!(!p.is_null());
        // SAFETY: p is a live allocation from sqlite3_malloc.
        unsafe {
            assert!(sqlite3_msize(p) >= 10);
            let q = sqlite3_realloc(p, 100);
            assert!(sqlite3_msize(q) >= 100);
            assert!(sqlite3_realloc(q, 0).is_null()); // frees q
            sqlite3_free(std::ptr::null_mut());
            assert_eq!(sqlite3_msize(std::ptr::null_mut()), 0);
        }
    }

    #[test]
    fn randomness_fills_the_buffer() {
        let mut a = [0u8; 64];
        // SAFETY: a is valid for 64 writes.
        unsafe { sqlite3_randomness(64, a.as_mut_ptr().cast()) };
        assert!(a.iter().any(|&b| b != 0));
        assert_eq!(sqlite3_sleep(1), 1);
    }
}
