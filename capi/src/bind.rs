//! `sqlite3_bind_*`: parameter values of a prepared statement.
//!
//! SQLite counterpart: vdbeapi.c (`vdbeUnbind`, `bindText`,
//! `sqlite3_bind_*`, `sqlite3_clear_bindings`).
//!
//! Invariants:
//! 1. loom always copies bound text and blobs (SQLITE_STATIC included), so
//!    the application's buffer may change right after the call.
//! 2. An application destructor (anything but SQLITE_STATIC = 0 and
//!    SQLITE_TRANSIENT = -1) is called exactly once, after copying, also
//!    when the bind fails, and never for a NULL data pointer.
//! 3. Binding after the first step and before reset is SQLITE_MISUSE; an
//!    index outside 1..=count is SQLITE_RANGE (SQLite's rules).

use std::ffi::{c_char, c_int, c_void, CStr};

use crate::engine::Value;
use crate::guard::guard_rc;
use crate::statement::{sqlite3_stmt, with_stmt};
use crate::value::{sqlite3_value, value_obj};
use loomdb::rc::ResultCode;

/// `sqlite3_destructor_type`; SQLITE_STATIC is NULL, SQLITE_TRANSIENT is -1.
pub(crate) type Destructor = Option<unsafe extern "C" fn(*mut c_void)>;

/// Calls an application destructor (invariant 2).
pub(crate) fn run_destructor(d: Destructor, p: *const c_void) {
    if let Some(f) = d {
        if f as usize != usize::MAX && !p.is_null() {
            // SAFETY: the application passed `f` to dispose of `p`.
            unsafe { f(p.cast_mut()) };
        }
    }
}

/// Binds `v` to parameter `i`; the core of every `sqlite3_bind_*`.
pub(crate) fn bind(p: *mut sqlite3_stmt, i: c_int, v: Value) -> c_int {
    with_stmt(p, ResultCode::MISUSE.0, |_, c, st| {
        if st.stepped || st.stmt.busy() {
            return c.set_code(ResultCode::MISUSE);
        }
        let Some(idx) = usize::try_from(i)
            .ok()
            .filter(|&i| i >= 1 && i <= st.stmt.parameter_count())
        else {
            return c.set_code(ResultCode::RANGE);
        };
        match st.stmt.bind(idx, v) {
            Ok(()) => c.set_code(ResultCode::OK),
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// Copies `n` bytes at `z` (`n < 0`: up to the NUL).
///
/// # Safety
/// `z` is non-NULL and readable for `n` bytes, or NUL-terminated if `n < 0`.
unsafe fn copy_bytes(z: *const c_void, n: i64) -> Vec<u8> {
    match usize::try_from(n) {
        // SAFETY: forwarded contract.
        Ok(n) => unsafe { std::slice::from_raw_parts(z.cast::<u8>(), n) }.to_vec(),
        // SAFETY: forwarded contract (NUL-terminated).
        Err(_) => unsafe { CStr::from_ptr(z.cast::<c_char>()) }
            .to_bytes()
            .to_vec(),
    }
}

/// Copies native UTF-16 (`n` bytes, or up to a 0 unit if `n < 0`) to UTF-8.
///
/// # Safety
/// As [`copy_bytes`], for UTF-16 code units.
unsafe fn copy_utf16(z: *const c_void, n: i64, swap: bool) -> Vec<u8> {
    let zu = z.cast::<u16>();
    let limit = usize::try_from(n).map_or(usize::MAX, |n| n / 2);
    let mut units = Vec::new();
    while units.len() < limit {
        // SAFETY: within the caller's n bytes, or before the 0 unit.
        let u = unsafe { zu.add(units.len()).read_unaligned() };
        if n < 0 && u == 0 {
            break;
        }
        units.push(if swap { u.swap_bytes() } else { u });
    }
    String::from_utf16_lossy(&units).into_bytes()
}

fn bind_copied(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_void,
    d: Destructor,
    make: impl FnOnce() -> Value,
) -> c_int {
    let v = if z.is_null() { Value::Null } else { make() };
    let rc = bind(p, i, v);
    run_destructor(d, z);
    rc
}

/// `sqlite3_bind_blob(stmt, i, p, n, destructor)`.
///
/// # Safety
/// `z` is NULL or readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_blob(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) -> c_int {
    guard_rc(|| {
        bind_copied(p, i, z, d, || {
            // SAFETY: z is non-NULL (bind_copied checks) and readable per the caller's contract.
            Value::Blob(unsafe { copy_bytes(z, i64::from(n.max(0))) })
        })
    })
}

/// `sqlite3_bind_blob64(stmt, i, p, n, destructor)`.
///
/// # Safety
/// `z` is NULL or readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_blob64(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_void,
    n: u64,
    d: Destructor,
) -> c_int {
    guard_rc(|| {
        if n > 0x7fff_ffff {
            run_destructor(d, z);
            return with_stmt(p, ResultCode::MISUSE.0, |_, c, _| {
                c.set_code(ResultCode::TOOBIG)
            });
        }
        bind_copied(p, i, z, d, || {
            // SAFETY: z is non-NULL (bind_copied checks) and readable per the caller's contract.
            Value::Blob(unsafe { copy_bytes(z, n as i64) })
        })
    })
}

/// `sqlite3_bind_double(stmt, i, r)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_double(p: *mut sqlite3_stmt, i: c_int, r: f64) -> c_int {
    guard_rc(|| {
        bind(
            p,
            i,
            if r.is_nan() {
                Value::Null
            } else {
                Value::Real(r)
            },
        )
    })
}

/// `sqlite3_bind_int(stmt, i, v)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_int(p: *mut sqlite3_stmt, i: c_int, v: c_int) -> c_int {
    guard_rc(|| bind(p, i, Value::Integer(i64::from(v))))
}

/// `sqlite3_bind_int64(stmt, i, v)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_int64(p: *mut sqlite3_stmt, i: c_int, v: i64) -> c_int {
    guard_rc(|| bind(p, i, Value::Integer(v)))
}

/// `sqlite3_bind_null(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_null(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    guard_rc(|| bind(p, i, Value::Null))
}

/// `sqlite3_bind_text(stmt, i, z, n, destructor)`; `n < 0` means up to NUL.
///
/// # Safety
/// `z` is NULL, readable for `n` bytes, or NUL-terminated when `n < 0`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_text(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_char,
    n: c_int,
    d: Destructor,
) -> c_int {
    guard_rc(|| {
        bind_copied(p, i, z.cast(), d, || {
            // SAFETY: z is non-NULL (bind_copied checks) and readable per the caller's contract.
            Value::Text(unsafe { copy_bytes(z.cast(), i64::from(n)) })
        })
    })
}

/// `sqlite3_bind_text16(stmt, i, z, n, destructor)`: native UTF-16.
///
/// # Safety
/// As [`sqlite3_bind_text`], in UTF-16 code units.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_text16(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) -> c_int {
    guard_rc(|| {
        bind_copied(p, i, z, d, || {
            // SAFETY: z is non-NULL (bind_copied checks) and readable per the caller's contract.
            Value::Text(unsafe { copy_utf16(z, i64::from(n), false) })
        })
    })
}

/// `sqlite3_bind_text64(stmt, i, z, n, destructor, encoding)`.
///
/// # Safety
/// `z` is NULL or readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_text64(
    p: *mut sqlite3_stmt,
    i: c_int,
    z: *const c_char,
    n: u64,
    d: Destructor,
    enc: u8,
) -> c_int {
    guard_rc(|| {
        if n > 0x7fff_ffff {
            run_destructor(d, z.cast());
            return with_stmt(p, ResultCode::MISUSE.0, |_, c, _| {
                c.set_code(ResultCode::TOOBIG)
            });
        }
        let little = cfg!(target_endian = "little");
        // 1 UTF8, 2 UTF16LE, 3 UTF16BE, 4 UTF16 (native).
        let swap = match enc {
            2 => !little,
            3 => little,
            _ => false,
        };
        let utf16 = matches!(enc, 2..=4);
        bind_copied(p, i, z.cast(), d, || {
            // SAFETY: forwarded contract.
            Value::Text(unsafe {
                if utf16 {
                    copy_utf16(z.cast(), n as i64, swap)
                } else {
                    copy_bytes(z.cast(), n as i64)
                }
            })
        })
    })
}

/// `sqlite3_bind_zeroblob(stmt, i, n)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_zeroblob(p: *mut sqlite3_stmt, i: c_int, n: c_int) -> c_int {
    guard_rc(|| bind(p, i, Value::Blob(vec![0; usize::try_from(n).unwrap_or(0)])))
}

/// `sqlite3_bind_zeroblob64(stmt, i, n)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_zeroblob64(p: *mut sqlite3_stmt, i: c_int, n: u64) -> c_int {
    guard_rc(|| {
        if n > 1_000_000_000 {
            return with_stmt(p, ResultCode::MISUSE.0, |_, c, _| {
                c.set_code(ResultCode::TOOBIG)
            });
        }
        bind(p, i, Value::Blob(vec![0; n as usize]))
    })
}

/// `sqlite3_bind_value(stmt, i, value)`: binds a copy of the value.
#[no_mangle]
pub extern "C" fn sqlite3_bind_value(
    p: *mut sqlite3_stmt,
    i: c_int,
    v: *const sqlite3_value,
) -> c_int {
    guard_rc(|| {
        let val = value_obj(v).map_or(Value::Null, |o| o.cell.lock().val.clone());
        bind(p, i, val)
    })
}

/// `sqlite3_bind_pointer(stmt, i, ptr, type, destructor)`: binds SQL NULL
/// (pointer passing to functions is not supported yet); the destructor
/// runs at finalize, as SQLite's would when the binding is dropped.
///
/// # Safety
/// `d` is NULL or a destructor that may be called once on `ptr`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_pointer(
    p: *mut sqlite3_stmt,
    i: c_int,
    ptr: *mut c_void,
    _ty: *const c_char,
    d: Destructor,
) -> c_int {
    guard_rc(|| {
        let rc = bind(p, i, Value::Null);
        if let Some(f) = d {
            let kept = with_stmt(p, false, |_, _, st| {
                st.pointer_dtors.push((ptr as usize, f));
                true
            });
            if !kept && !ptr.is_null() {
                // SAFETY: the application supplied `f` to dispose of `ptr`.
                unsafe { f(ptr) };
            }
        }
        rc
    })
}

/// `sqlite3_bind_parameter_count(stmt)`.
#[no_mangle]
pub extern "C" fn sqlite3_bind_parameter_count(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, 0, |_, _, st| st.stmt.parameter_count() as c_int)
}

/// `sqlite3_bind_parameter_name(stmt, i)`: "?NNN", ":AAA"... or NULL.
#[no_mangle]
pub extern "C" fn sqlite3_bind_parameter_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        let slot = usize::try_from(i)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| st.params.get(i));
        slot.and_then(|n| n.as_ref())
            .map_or(std::ptr::null(), |n| n.as_ptr())
    })
}

/// `sqlite3_bind_parameter_index(stmt, name)`: 0 if there is none.
///
/// # Safety
/// `name` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_bind_parameter_index(
    p: *mut sqlite3_stmt,
    name: *const c_char,
) -> c_int {
    if name.is_null() {
        return 0;
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let name = unsafe { CStr::from_ptr(name) }
        .to_string_lossy()
        .into_owned();
    with_stmt(p, 0, |_, _, st| {
        st.stmt.parameter_index(&name).map_or(0, |i| i as c_int)
    })
}

/// `sqlite3_clear_bindings(stmt)`: every parameter back to NULL.
#[no_mangle]
pub extern "C" fn sqlite3_clear_bindings(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, ResultCode::MISUSE.0, |_, _, st| {
        st.stmt.clear_bindings();
        ResultCode::OK.0
    })
}
