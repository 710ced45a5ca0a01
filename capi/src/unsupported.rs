//! Entry points whose engine feature does not exist yet. They are exported
//! (clients such as Python's `_sqlite3` resolve every import at load time)
//! and behave safely: calls that report a code return SQLITE_ERROR and set
//! the connection's error message to a text naming the missing feature;
//! calls that report nothing do nothing; lookups return NULL / 0.
//!
//! SQLite counterpart: func.c/callback.c (user functions, collations),
//! auth.c, vdbeblob.c, main.c (trace, progress).
//!
//! Invariants:
//! 1. Clearing a hook (NULL callback) always succeeds: it is the state loom
//!    is already in.
//! 2. No function here dereferences its handle arguments except through
//!    the checked lookups of `handle.rs`.

use std::ffi::{c_char, c_int, c_void};

use crate::callbacks::AppPtr;
use crate::connection::{arg_str, conn, sqlite3, with_db};
use crate::guard::guard_rc;
use loomdb::api::Value;
use loomdb::rc::ResultCode;

const FUNCTIONS: &str = "overloaded virtual-table functions";

/// Records "`what` is not supported by loom yet" on `db`; SQLITE_ERROR
/// (MISUSE for a bad handle).
fn refuse(db: *mut sqlite3, what: &str) -> c_int {
    conn(db).map_or(ResultCode::MISUSE.0, |c| c.unsupported(what))
}

/// `sqlite3_overload_function(db, name, nArg)`: refused (user functions).
#[no_mangle]
pub extern "C" fn sqlite3_overload_function(
    db: *mut sqlite3,
    _name: *const c_char,
    _n: c_int,
) -> c_int {
    guard_rc(|| refuse(db, FUNCTIONS))
}

/// `sqlite3_enable_load_extension(db, on)`: SQLITE_OK; switches whether
/// the `load_extension()` SQL function runs (loading itself is refused by
/// `sqlite3_load_extension` and by that function).
#[no_mangle]
pub extern "C" fn sqlite3_enable_load_extension(db: *mut sqlite3, on: c_int) -> c_int {
    guard_rc(|| match conn(db) {
        Some(c) => match c.database() {
            Some(d) => {
                let _ = d.enable_load_extension(on != 0);
                ResultCode::OK.0
            }
            None => ResultCode::MISUSE.0,
        },
        None => ResultCode::MISUSE.0,
    })
}

/// `sqlite3_load_extension(db, file, entry, pzErr)`: refused; `*pzErr`
/// gets the message in `sqlite3_malloc` memory.
///
/// # Safety
/// `err` is NULL or a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_load_extension(
    db: *mut sqlite3,
    _file: *const c_char,
    _entry: *const c_char,
    err: *mut *mut c_char,
) -> c_int {
    guard_rc(|| {
        let rc = refuse(db, "loadable extensions");
        if !err.is_null() {
            let msg = crate::engine::DbError::unsupported("loadable extensions").to_string();
            // SAFETY: valid out-pointer (checked non-NULL).
            unsafe { *err = crate::memory::malloc_cstr(msg.as_bytes()) };
        }
        rc
    })
}

/// `sqlite3_vfs_find(name)`: NULL (loom's VFSes are not C objects yet).
#[no_mangle]
pub extern "C" fn sqlite3_vfs_find(_name: *const c_char) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_vfs_register(vfs, makeDefault)`: SQLITE_ERROR (C VFSes are not
/// supported yet).
#[no_mangle]
pub extern "C" fn sqlite3_vfs_register(_vfs: *mut c_void, _dflt: c_int) -> c_int {
    ResultCode::ERROR.0
}

/// `sqlite3_vfs_unregister(vfs)`: SQLITE_ERROR.
#[no_mangle]
pub extern "C" fn sqlite3_vfs_unregister(_vfs: *mut c_void) -> c_int {
    ResultCode::ERROR.0
}

/// Runs `PRAGMA wal_checkpoint(mode)` on `db`; (rc, log, checkpointed).
fn wal_checkpoint_rows(
    db: *mut sqlite3,
    mode: c_int,
    schema: Option<String>,
) -> (c_int, c_int, c_int) {
    let (mut log, mut ckpt) = (-1, -1);
    let rc = with_db(db, |c, d| {
        let name = match mode {
            0 => "passive",
            1 => "full",
            2 => "restart",
            3 => "truncate",
            _ => return c.set_code(ResultCode::MISUSE),
        };
        if let Some(s) = schema.filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("main")) {
            return c.set_error(ResultCode::ERROR, &format!("unknown database {s}"));
        }
        match d.query_all(&format!("PRAGMA wal_checkpoint({name})"), &[]) {
            Ok(rows) => {
                let get = |i: usize| match rows.first().and_then(|r| r.get(i)) {
                    Some(Value::Integer(v)) => *v as c_int,
                    _ => -1,
                };
                log = get(1);
                ckpt = get(2);
                if get(0) == 1 {
                    c.set_code(ResultCode::BUSY)
                } else {
                    c.set_code(ResultCode::OK)
                }
            }
            Err(e) => c.set_db_error(&e),
        }
    });
    (rc, log, ckpt)
}

/// `sqlite3_wal_checkpoint_v2(db, schema, mode, pnLog, pnCkpt)`: runs the
/// checkpoint of the main database (as `PRAGMA wal_checkpoint(mode)`).
///
/// # Safety
/// `schema` is NULL or NUL-terminated; `log` and `ckpt` are NULL or valid
/// out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_wal_checkpoint_v2(
    db: *mut sqlite3,
    schema: *const c_char,
    mode: c_int,
    log: *mut c_int,
    ckpt: *mut c_int,
) -> c_int {
    guard_rc(|| {
        // SAFETY: NULL or NUL-terminated per the caller's contract.
        let schema = unsafe { arg_str(schema) };
        let (rc, l, c) = wal_checkpoint_rows(db, mode, schema);
        for (p, v) in [(log, l), (ckpt, c)] {
            if !p.is_null() {
                // SAFETY: valid out-pointer (checked non-NULL).
                unsafe { *p = v };
            }
        }
        rc
    })
}

/// `sqlite3_wal_checkpoint(db, schema)`: a PASSIVE checkpoint.
///
/// # Safety
/// `schema` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_wal_checkpoint(db: *mut sqlite3, schema: *const c_char) -> c_int {
    guard_rc(|| {
        // SAFETY: NULL or NUL-terminated per the caller's contract.
        let schema = unsafe { arg_str(schema) };
        wal_checkpoint_rows(db, 0, schema).0
    })
}

/// `sqlite3_wal_autocheckpoint(db, n)`: sets the auto-checkpoint threshold
/// (`n <= 0` disables it).
#[no_mangle]
pub extern "C" fn sqlite3_wal_autocheckpoint(db: *mut sqlite3, n: c_int) -> c_int {
    with_db(db, |c, d| {
        match d.query_all(&format!("PRAGMA wal_autocheckpoint={}", n.max(0)), &[]) {
            Ok(_) => {
                // The auto-checkpoint replaces any sqlite3_wal_hook: as in
                // SQLite, the next sqlite3_wal_hook returns the frame count
                // as the previous argument (NULL when disabled).
                let arg = (n > 0).then_some(AppPtr(std::ptr::without_provenance_mut(n as usize)));
                c.slots.lock().wal_arg = arg;
                c.set_code(ResultCode::OK)
            }
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// The C type `sqlite3_session` (never created yet).
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct sqlite3_session {
    _opaque: [u8; 0],
}

const SESSIONS: &str = "the session extension";

/// `sqlite3session_create(db, schema, ppSession)`: refused; `*pp` = NULL.
///
/// # Safety
/// `pp` is NULL or a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3session_create(
    db: *mut sqlite3,
    _schema: *const c_char,
    pp: *mut *mut sqlite3_session,
) -> c_int {
    guard_rc(|| {
        if !pp.is_null() {
            // SAFETY: valid out-pointer (checked non-NULL).
            unsafe { *pp = std::ptr::null_mut() };
        }
        refuse(db, SESSIONS)
    })
}

/// `sqlite3session_delete(s)`: no-op (no session can exist).
#[no_mangle]
pub extern "C" fn sqlite3session_delete(_s: *mut sqlite3_session) {}

/// `sqlite3session_attach(s, table)`: SQLITE_MISUSE (no session can exist).
#[no_mangle]
pub extern "C" fn sqlite3session_attach(_s: *mut sqlite3_session, _table: *const c_char) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3session_enable(s, on)`: 0 (disabled).
#[no_mangle]
pub extern "C" fn sqlite3session_enable(_s: *mut sqlite3_session, _on: c_int) -> c_int {
    0
}

/// `sqlite3session_indirect(s, on)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3session_indirect(_s: *mut sqlite3_session, _on: c_int) -> c_int {
    0
}

/// `sqlite3session_isempty(s)`: 1.
#[no_mangle]
pub extern "C" fn sqlite3session_isempty(_s: *mut sqlite3_session) -> c_int {
    1
}

/// `sqlite3session_table_filter(s, xFilter, ctx)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3session_table_filter(
    _s: *mut sqlite3_session,
    _f: Option<unsafe extern "C" fn()>,
    _ctx: *mut c_void,
) {
}

/// Shared body of `sqlite3session_changeset` / `_patchset`.
///
/// # Safety
/// `pn` and `pp` are NULL or valid out-pointers.
unsafe fn no_changes(pn: *mut c_int, pp: *mut *mut c_void) -> c_int {
    if !pn.is_null() {
        // SAFETY: valid out-pointer (checked non-NULL).
        unsafe { *pn = 0 };
    }
    if !pp.is_null() {
        // SAFETY: valid out-pointer (checked non-NULL).
        unsafe { *pp = std::ptr::null_mut() };
    }
    ResultCode::MISUSE.0
}

/// `sqlite3session_changeset(s, pn, pp)`: SQLITE_MISUSE, empty output.
///
/// # Safety
/// `pn` and `pp` are NULL or valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3session_changeset(
    _s: *mut sqlite3_session,
    pn: *mut c_int,
    pp: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { no_changes(pn, pp) })
}

/// `sqlite3session_patchset(s, pn, pp)`: SQLITE_MISUSE, empty output.
///
/// # Safety
/// `pn` and `pp` are NULL or valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3session_patchset(
    _s: *mut sqlite3_session,
    pn: *mut c_int,
    pp: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { no_changes(pn, pp) })
}
