//! `sqlite3_result_*`: what an application-defined function returns.
//!
//! SQLite counterpart: the `sqlite3_result_*` functions of vdbeapi.c.
//!
//! Invariants:
//! 1. Text and blob results are copied; an application destructor (not
//!    SQLITE_STATIC or SQLITE_TRANSIENT) runs exactly once, after the copy
//!    (also when the call fails or the context is dead).
//! 2. A text or blob longer than the connection's SQLITE_LIMIT_LENGTH
//!    becomes the "string or blob too big" error, as in SQLite.
//! 3. Once an error is set, later value results do not clear it; the error
//!    message is the one given to `sqlite3_result_error`, or the standard
//!    text of the code for `sqlite3_result_error_code` alone.

use std::ffi::{c_char, c_int, c_uint, c_void};

use crate::bind::{run_destructor, Destructor};
use crate::connection::conn;
use crate::engine::Value;
use crate::function::{ctx, sqlite3_context, Context};
use crate::guard::guard;
use crate::value::{sqlite3_value, value_obj};
use loomdb::rc::ResultCode;

/// Text encodings (`SQLITE_UTF8` …).
const UTF8: c_int = 1;
const UTF16LE: c_int = 2;
const UTF16BE: c_int = 3;

fn with_ctx(p: *mut sqlite3_context, f: impl FnOnce(&Context)) {
    guard((), || {
        if let Some(c) = ctx(p) {
            f(c)
        }
    })
}

fn set_value(c: &Context, v: Value) {
    let too_big = match &v {
        Value::Text(b) | Value::Blob(b) => {
            let limit = conn(c.db()).map_or(1_000_000_000, |k| k.limit(0, -1));
            b.len() > usize::try_from(limit).unwrap_or(0)
        }
        _ => false,
    };
    let mut out = c.out.lock();
    if too_big {
        out.error = Some((ResultCode::TOOBIG, None));
        return;
    }
    out.value = v;
    out.subtype = 0;
}

fn set_error(c: &Context, code: ResultCode, msg: Option<String>) {
    c.out.lock().error = Some((code, msg));
}

/// Bytes of `z`: `n < 0` means up to the NUL.
///
/// # Safety
/// `z` is non-NULL and readable for `n` bytes or up to its NUL.
unsafe fn bytes_of(z: *const c_void, n: i64) -> Vec<u8> {
    let z = z.cast::<u8>();
    match usize::try_from(n) {
        // SAFETY: the caller guarantees n readable bytes.
        Ok(n) => unsafe { std::slice::from_raw_parts(z, n) }.to_vec(),
        // SAFETY: NUL-terminated per the caller.
        Err(_) => unsafe { std::ffi::CStr::from_ptr(z.cast()) }
            .to_bytes()
            .to_vec(),
    }
}

/// UTF-16 units of `z` (`n` bytes, or up to a 0 unit when `n < 0`).
///
/// # Safety
/// `z` is non-NULL and readable as described.
unsafe fn units_of(z: *const c_void, n: i64, big_endian: Option<bool>) -> String {
    let b = z.cast::<u8>();
    let mut units = Vec::new();
    let limit = usize::try_from(n).map_or(usize::MAX, |n| n / 2);
    while units.len() < limit {
        let i = units.len() * 2;
        // SAFETY: within the caller's bounds (n bytes, or until the 0 unit).
        let pair = unsafe { [*b.add(i), *b.add(i + 1)] };
        let u = match big_endian {
            Some(true) => u16::from_be_bytes(pair),
            Some(false) => u16::from_le_bytes(pair),
            None => u16::from_ne_bytes(pair),
        };
        if n < 0 && u == 0 {
            break;
        }
        units.push(u);
    }
    String::from_utf16_lossy(&units)
}

/// Text in encoding `enc` to UTF-8 bytes.
///
/// # Safety
/// As [`bytes_of`] / [`units_of`].
unsafe fn text_of(z: *const c_void, n: i64, enc: c_int) -> Vec<u8> {
    // SAFETY: forwarded contract.
    unsafe {
        match enc {
            UTF8 => bytes_of(z, n),
            UTF16LE => units_of(z, n, Some(false)).into_bytes(),
            UTF16BE => units_of(z, n, Some(true)).into_bytes(),
            _ => units_of(z, n, None).into_bytes(),
        }
    }
}

fn result_text_any(p: *mut sqlite3_context, z: *const c_void, n: i64, enc: c_int, d: Destructor) {
    with_ctx(p, |c| {
        if z.is_null() {
            set_value(c, Value::Null);
        } else {
            // SAFETY: the application passes readable text of this shape.
            let t = unsafe { text_of(z, n, enc) };
            set_value(c, Value::Text(t));
        }
    });
    run_destructor(d, z);
}

fn result_blob_any(p: *mut sqlite3_context, z: *const c_void, n: i64, d: Destructor) {
    with_ctx(p, |c| {
        if z.is_null() {
            set_value(c, Value::Null);
        } else {
            // SAFETY: the application passes n readable bytes.
            let b = unsafe { bytes_of(z, n.max(0)) };
            set_value(c, Value::Blob(b));
        }
    });
    run_destructor(d, z);
}

/// `sqlite3_result_null(ctx)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_null(p: *mut sqlite3_context) {
    with_ctx(p, |c| set_value(c, Value::Null))
}

/// `sqlite3_result_int(ctx, v)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_int(p: *mut sqlite3_context, v: c_int) {
    with_ctx(p, |c| set_value(c, Value::Integer(v.into())))
}

/// `sqlite3_result_int64(ctx, v)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_int64(p: *mut sqlite3_context, v: i64) {
    with_ctx(p, |c| set_value(c, Value::Integer(v)))
}

/// `sqlite3_result_double(ctx, v)`: NaN becomes NULL, as in SQLite.
#[no_mangle]
pub extern "C" fn sqlite3_result_double(p: *mut sqlite3_context, v: f64) {
    let val = if v.is_nan() {
        Value::Null
    } else {
        Value::Real(v)
    };
    with_ctx(p, |c| set_value(c, val))
}

/// `sqlite3_result_text(ctx, z, n, xDel)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_text(
    p: *mut sqlite3_context,
    z: *const c_char,
    n: c_int,
    d: Destructor,
) {
    result_text_any(p, z.cast(), n.into(), UTF8, d)
}

/// `sqlite3_result_text64(ctx, z, n, xDel, enc)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_text64(
    p: *mut sqlite3_context,
    z: *const c_char,
    n: u64,
    d: Destructor,
    enc: u8,
) {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    result_text_any(p, z.cast(), n, enc.into(), d)
}

/// `sqlite3_result_text16(ctx, z, nBytes, xDel)` (native byte order).
#[no_mangle]
pub extern "C" fn sqlite3_result_text16(
    p: *mut sqlite3_context,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) {
    result_text_any(p, z, n.into(), 4, d)
}

/// `sqlite3_result_text16le(ctx, z, nBytes, xDel)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_text16le(
    p: *mut sqlite3_context,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) {
    result_text_any(p, z, n.into(), UTF16LE, d)
}

/// `sqlite3_result_text16be(ctx, z, nBytes, xDel)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_text16be(
    p: *mut sqlite3_context,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) {
    result_text_any(p, z, n.into(), UTF16BE, d)
}

/// `sqlite3_result_blob(ctx, z, n, xDel)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_blob(
    p: *mut sqlite3_context,
    z: *const c_void,
    n: c_int,
    d: Destructor,
) {
    result_blob_any(p, z, n.into(), d)
}

/// `sqlite3_result_blob64(ctx, z, n, xDel)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_blob64(
    p: *mut sqlite3_context,
    z: *const c_void,
    n: u64,
    d: Destructor,
) {
    result_blob_any(p, z, i64::try_from(n).unwrap_or(i64::MAX), d)
}

/// `sqlite3_result_zeroblob(ctx, n)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob(p: *mut sqlite3_context, n: c_int) {
    sqlite3_result_zeroblob64(p, u64::try_from(n).unwrap_or(0));
}

/// `sqlite3_result_zeroblob64(ctx, n)`: SQLITE_TOOBIG above the length limit.
#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob64(p: *mut sqlite3_context, n: u64) -> c_int {
    let mut rc = ResultCode::OK.0;
    with_ctx(p, |c| {
        let limit = conn(c.db()).map_or(1_000_000_000, |k| k.limit(0, -1));
        if n > u64::try_from(limit).unwrap_or(0) {
            set_error(c, ResultCode::TOOBIG, None);
            rc = ResultCode::TOOBIG.0;
        } else {
            set_value(c, Value::Blob(vec![0; n as usize]));
        }
    });
    rc
}

/// `sqlite3_result_value(ctx, v)`: a copy of `v`.
#[no_mangle]
pub extern "C" fn sqlite3_result_value(p: *mut sqlite3_context, v: *mut sqlite3_value) {
    with_ctx(p, |c| {
        let (val, st) =
            value_obj(v).map_or((Value::Null, 0), |o| (o.cell.lock().val.clone(), o.subtype));
        set_value(c, val);
        // The copy keeps the value's subtype, as SQLite's does.
        c.out.lock().subtype = st;
    })
}

/// `sqlite3_result_pointer(ctx, ptr, type, xDel)`: SQL sees NULL; the
/// pointer is released at once (loom has no pointer-passing consumers).
#[no_mangle]
pub extern "C" fn sqlite3_result_pointer(
    p: *mut sqlite3_context,
    ptr: *mut c_void,
    _ty: *const c_char,
    d: Destructor,
) {
    with_ctx(p, |c| set_value(c, Value::Null));
    run_destructor(d, ptr);
}

/// `sqlite3_result_subtype(ctx, T)`: the result carries the low 8 bits of
/// `T`, seen by an enclosing function's `sqlite3_value_subtype` (a later
/// `sqlite3_result_*` value call resets it).
#[no_mangle]
pub extern "C" fn sqlite3_result_subtype(p: *mut sqlite3_context, t: c_uint) {
    with_ctx(p, |c| c.out.lock().subtype = (t & 0xff) as u8)
}

/// `sqlite3_result_error(ctx, msg, n)`: SQLITE_ERROR with this message.
///
/// # Safety
/// `msg` is NULL, or readable for `n` bytes or up to its NUL.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_result_error(
    p: *mut sqlite3_context,
    msg: *const c_char,
    n: c_int,
) {
    with_ctx(p, |c| {
        let m = if msg.is_null() {
            String::new()
        } else {
            // SAFETY: the application passes n bytes or a NUL-terminated string.
            String::from_utf8_lossy(&unsafe { bytes_of(msg.cast(), n.into()) }).into_owned()
        };
        let code = c.out.lock().error.as_ref().map(|e| e.0);
        set_error(c, code.unwrap_or(ResultCode::ERROR), Some(m));
    })
}

/// `sqlite3_result_error16(ctx, msg, n)`.
///
/// # Safety
/// `msg` is NULL, or readable for `n` bytes or up to a 0 unit.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_result_error16(
    p: *mut sqlite3_context,
    msg: *const c_void,
    n: c_int,
) {
    with_ctx(p, |c| {
        let m = if msg.is_null() {
            String::new()
        } else {
            // SAFETY: the application passes n bytes or a 0-terminated string.
            unsafe { units_of(msg, n.into(), None) }
        };
        set_error(c, ResultCode::ERROR, Some(m));
    })
}

/// `sqlite3_result_error_code(ctx, code)` (invariant 3).
#[no_mangle]
pub extern "C" fn sqlite3_result_error_code(p: *mut sqlite3_context, code: c_int) {
    if code == 0 {
        return;
    }
    with_ctx(p, |c| {
        let mut out = c.out.lock();
        let msg = out.error.take().and_then(|e| e.1);
        out.error = Some((ResultCode(code), msg));
    })
}

/// `sqlite3_result_error_nomem(ctx)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_error_nomem(p: *mut sqlite3_context) {
    with_ctx(p, |c| set_error(c, ResultCode::NOMEM, None))
}

/// `sqlite3_result_error_toobig(ctx)`.
#[no_mangle]
pub extern "C" fn sqlite3_result_error_toobig(p: *mut sqlite3_context) {
    with_ctx(p, |c| set_error(c, ResultCode::TOOBIG, None))
}
