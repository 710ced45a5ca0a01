//! `sqlite3_exec`: run every statement of a SQL string, with an optional
//! per-row callback.
//!
//! SQLite counterpart: legacy.c.
//!
//! Invariants:
//! 1. No statement state is borrowed and no lock is held while the
//!    callback runs, so the callback may call back into the API.
//! 2. `*pzErrMsg` is NULL on success and a `sqlite3_malloc` copy of the
//!    connection's error message on failure.
//! 3. A callback returning non-zero stops execution with SQLITE_ABORT and
//!    the message "query aborted".

use std::ffi::{c_char, c_int, c_void, CString};

use crate::column::{sqlite3_column_count, sqlite3_column_name, sqlite3_column_text};
use crate::connection::{conn, sqlite3, sqlite3_errmsg};
use crate::guard::guard_rc;
use crate::memory::malloc_cstr;
use crate::statement::{sqlite3_finalize, sqlite3_prepare_v2, sqlite3_step, sqlite3_stmt};
use loomdb::rc::ResultCode;

/// The `sqlite3_exec` row callback.
pub(crate) type ExecCallback =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int>;

/// Copies the current row's texts (NULL stays NULL) so no statement state
/// is borrowed during the callback (invariant 1).
fn row_texts(st: *mut sqlite3_stmt, n: c_int) -> Vec<Option<CString>> {
    (0..n)
        .map(|i| {
            let p = sqlite3_column_text(st, i);
            // SAFETY: column_text returns NULL or NUL-terminated text valid until the next step.
            (!p.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(p.cast()) }.to_owned())
        })
        .collect()
}

fn column_names(st: *mut sqlite3_stmt, n: c_int) -> Vec<CString> {
    (0..n)
        .map(|i| {
            let p = sqlite3_column_name(st, i);
            if p.is_null() {
                CString::default()
            } else {
                // SAFETY: column_name returns NUL-terminated text owned by the statement.
                unsafe { std::ffi::CStr::from_ptr(p) }.to_owned()
            }
        })
        .collect()
}

fn as_ptrs(v: &[Option<CString>]) -> Vec<*mut c_char> {
    v.iter()
        .map(|s| {
            s.as_ref()
                .map_or(std::ptr::null_mut(), |s| s.as_ptr().cast_mut())
        })
        .collect()
}

/// Runs one prepared statement to completion; returns rc (OK when done).
fn run_one(db: *mut sqlite3, st: *mut sqlite3_stmt, cb: ExecCallback, arg: *mut c_void) -> c_int {
    let n = sqlite3_column_count(st);
    let names: Vec<Option<CString>> = column_names(st, n).into_iter().map(Some).collect();
    loop {
        let rc = sqlite3_step(st);
        if rc != ResultCode::ROW.0 {
            return if rc == ResultCode::DONE.0 {
                ResultCode::OK.0
            } else {
                rc
            };
        }
        let Some(f) = cb else { continue };
        let vals = row_texts(st, n);
        let mut pv = as_ptrs(&vals);
        let mut pn = as_ptrs(&names);
        pv.push(std::ptr::null_mut());
        // SAFETY: the application's callback gets arrays of n valid C strings
        // (or NULLs) that live until it returns.
        if unsafe { f(arg, n, pv.as_mut_ptr(), pn.as_mut_ptr()) } != 0 {
            if let Some(c) = conn(db) {
                c.set_error(ResultCode::ABORT, ResultCode::ABORT.errstr());
            }
            return ResultCode::ABORT.0;
        }
    }
}

/// # Safety
/// As [`sqlite3_exec`].
unsafe fn exec_impl(
    db: *mut sqlite3,
    sql: *const c_char,
    cb: ExecCallback,
    arg: *mut c_void,
) -> c_int {
    let Some(c) = conn(db) else {
        return ResultCode::MISUSE.0;
    };
    if sql.is_null() {
        c.set_code(ResultCode::OK);
        return ResultCode::OK.0;
    }
    let mut rest = sql;
    loop {
        let mut st: *mut sqlite3_stmt = std::ptr::null_mut();
        let mut tail: *const c_char = std::ptr::null();
        // SAFETY: `rest` points into the caller's NUL-terminated SQL.
        let rc = unsafe { sqlite3_prepare_v2(db, rest, -1, &mut st, &mut tail) };
        if rc != ResultCode::OK.0 {
            return rc;
        }
        if st.is_null() {
            // Only whitespace or comments left (or an empty statement).
            // SAFETY: tail is within the caller's string, before its NUL.
            if tail.is_null() || tail == rest || unsafe { *tail } == 0 {
                return c.set_code(ResultCode::OK);
            }
            rest = tail;
            continue;
        }
        let rc = run_one(db, st, cb, arg);
        if rc != ResultCode::OK.0 {
            // Keep the step's error (extended code and message) across finalize.
            let code = crate::connection::sqlite3_extended_errcode(db);
            let msg = c_str_owned(sqlite3_errmsg(db));
            sqlite3_finalize(st);
            if let Some(m) = msg {
                c.set_error(ResultCode(code), &m);
            }
            return c.masked(rc);
        }
        let rc = sqlite3_finalize(st);
        if rc != ResultCode::OK.0 {
            return rc;
        }
        rest = tail;
        // SAFETY: tail is within the caller's NUL-terminated string.
        if rest.is_null() || unsafe { *rest } == 0 {
            return c.set_code(ResultCode::OK);
        }
    }
}

fn c_str_owned(p: *const c_char) -> Option<String> {
    (!p.is_null()).then(|| {
        // SAFETY: p is non-NULL, NUL-terminated text from sqlite3_errmsg.
        unsafe { std::ffi::CStr::from_ptr(p) }
            .to_string_lossy()
            .into_owned()
    })
}

/// `sqlite3_exec(db, sql, callback, arg, pzErrMsg)`.
///
/// # Safety
/// `sql` is NULL or NUL-terminated; `errmsg` is NULL or a valid out-pointer;
/// `cb` is a valid callback or NULL.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_exec(
    db: *mut sqlite3,
    sql: *const c_char,
    cb: ExecCallback,
    arg: *mut c_void,
    errmsg: *mut *mut c_char,
) -> c_int {
    guard_rc(|| {
        if !errmsg.is_null() {
            // SAFETY: valid out-pointer (checked non-NULL).
            unsafe { *errmsg = std::ptr::null_mut() };
        }
        // SAFETY: forwarded contract.
        let rc = unsafe { exec_impl(db, sql, cb, arg) };
        if rc != ResultCode::OK.0 && !errmsg.is_null() {
            let msg = c_str_owned(sqlite3_errmsg(db)).unwrap_or_default();
            // SAFETY: valid out-pointer (checked non-NULL).
            unsafe { *errmsg = malloc_cstr(msg.as_bytes()) };
        }
        rc
    })
}
