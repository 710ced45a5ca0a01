//! The WAL hook, status counters and the hooks the engine does not drive
//! yet (pre-update). The other driven callbacks are in `callbacks.rs`.
//!
//! SQLite counterpart: main.c (`sqlite3_wal_hook`), status.c
//! (`sqlite3_status64`, `sqlite3_db_status`), notify.c.
//!
//! Invariants:
//! 1. `sqlite3_wal_hook`'s callback runs after a statement that committed
//!    in WAL mode finishes, outside the connection's borrow, so it may
//!    checkpoint; it replaces the auto-checkpoint (`sqlite3_wal_autocheckpoint`
//!    and the pragma replace it in turn). `sqlite3_preupdate_hook` returns
//!    NULL and never calls its callback.
//! 2. Status counters report zeros for every valid op and SQLITE_MISUSE
//!    (process) / SQLITE_ERROR (connection) for invalid ones, as SQLite.
//! 3. Calls that only make sense inside a callback loom never makes
//!    (preupdate) report SQLITE_MISUSE.

use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::Arc;

use crate::callbacks::AppPtr;
use crate::connection::{conn, sqlite3};
use crate::guard::{guard, guard_rc};
use crate::statement::sqlite3_stmt;
use crate::value::sqlite3_value;
use loomdb::api::WalHookFn;
use loomdb::rc::ResultCode;

type Hook = Option<unsafe extern "C" fn()>;

/// The C type of a WAL hook: `int xWal(void*, sqlite3*, const char*, int)`.
type WalHook =
    Option<unsafe extern "C" fn(*mut c_void, *mut sqlite3, *const c_char, c_int) -> c_int>;

/// `sqlite3_wal_hook(db, xWal, arg)`: installs the WAL hook; returns the
/// previous hook's argument (NULL if none).
#[no_mangle]
pub extern "C" fn sqlite3_wal_hook(db: *mut sqlite3, f: WalHook, arg: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let Some(d) = c.database() else {
            return std::ptr::null_mut();
        };
        let a = AppPtr(arg);
        let h = DbPtr(db);
        let hook = f.map(|f| {
            let w: WalHookFn = Arc::new(move |name: &str, frames: u32| {
                let name = CString::new(name).unwrap_or_default();
                let n = c_int::try_from(frames).unwrap_or(c_int::MAX);
                // SAFETY: the application registered f for this argument and
                // connection; the name outlives the call.
                unsafe { f(a.get(), h.get(), name.as_ptr(), n) }
            });
            w
        });
        let _ = d.set_wal_hook(hook);
        let mut s = c.slots.lock();
        std::mem::replace(&mut s.wal_arg, f.map(|_| a)).map_or(std::ptr::null_mut(), AppPtr::get)
    })
}

/// The connection handle passed back to a WAL hook (used under SQLite's
/// threading rules, like [`AppPtr`]).
#[derive(Clone, Copy)]
struct DbPtr(*mut sqlite3);
// SAFETY: only handed back to the application's callback, on the thread
// that runs the connection's statement.
unsafe impl Send for DbPtr {}
// SAFETY: as above.
unsafe impl Sync for DbPtr {}

impl DbPtr {
    fn get(self) -> *mut sqlite3 {
        self.0
    }
}

/// `sqlite3_preupdate_hook(db, xPreUpdate, arg)`: NULL; not called.
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_hook(
    _db: *mut sqlite3,
    _f: Hook,
    _arg: *mut c_void,
) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_unlock_notify(db, xNotify, arg)`: loom has no shared-cache
/// blocking, so, as SQLite does when nothing blocks, the callback runs at
/// once.
#[no_mangle]
pub extern "C" fn sqlite3_unlock_notify(
    db: *mut sqlite3,
    f: Option<unsafe extern "C" fn(*mut *mut c_void, c_int)>,
    arg: *mut c_void,
) -> c_int {
    guard_rc(|| {
        if conn(db).is_none() {
            return ResultCode::MISUSE.0;
        }
        if let Some(f) = f {
            let mut a = [arg];
            // SAFETY: the application's callback receives an array of one argument.
            unsafe { f(a.as_mut_ptr(), 1) };
        }
        ResultCode::OK.0
    })
}

/// `sqlite3_preupdate_old(db, i, ppVal)`: MISUSE outside a pre-update callback.
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_old(
    _db: *mut sqlite3,
    _i: c_int,
    _pp: *mut *mut sqlite3_value,
) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_preupdate_new(db, i, ppVal)`: MISUSE outside a pre-update callback.
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_new(
    _db: *mut sqlite3,
    _i: c_int,
    _pp: *mut *mut sqlite3_value,
) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_preupdate_count(db)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_count(_db: *mut sqlite3) -> c_int {
    0
}

/// `sqlite3_preupdate_depth(db)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_depth(_db: *mut sqlite3) -> c_int {
    0
}

/// `sqlite3_preupdate_blobwrite(db)`: -1 (not in a blob write).
#[no_mangle]
pub extern "C" fn sqlite3_preupdate_blobwrite(_db: *mut sqlite3) -> c_int {
    -1
}

fn zero_out<T: Default>(a: *mut T, b: *mut T) {
    for p in [a, b] {
        if !p.is_null() {
            // SAFETY: the caller passes valid out-pointers or NULL (checked).
            unsafe { *p = T::default() };
        }
    }
}

/// `sqlite3_status64(op, pCur, pHi, reset)`: zeros (see invariant 2).
///
/// # Safety
/// `cur` and `hi` are NULL or valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_status64(
    op: c_int,
    cur: *mut i64,
    hi: *mut i64,
    _reset: c_int,
) -> c_int {
    guard_rc(|| {
        if !(0..=9).contains(&op) {
            return ResultCode::MISUSE.0;
        }
        zero_out(cur, hi);
        ResultCode::OK.0
    })
}

/// `sqlite3_status(op, pCur, pHi, reset)`: zeros.
///
/// # Safety
/// As [`sqlite3_status64`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_status(
    op: c_int,
    cur: *mut c_int,
    hi: *mut c_int,
    _reset: c_int,
) -> c_int {
    guard_rc(|| {
        if !(0..=9).contains(&op) {
            return ResultCode::MISUSE.0;
        }
        zero_out(cur, hi);
        ResultCode::OK.0
    })
}

/// `sqlite3_db_status(db, op, pCur, pHi, reset)`: zeros.
///
/// # Safety
/// `cur` and `hi` are NULL or valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_db_status(
    db: *mut sqlite3,
    op: c_int,
    cur: *mut c_int,
    hi: *mut c_int,
    _reset: c_int,
) -> c_int {
    guard_rc(|| {
        if conn(db).is_none() {
            return ResultCode::MISUSE.0;
        }
        if !(0..=12).contains(&op) {
            return ResultCode::ERROR.0;
        }
        zero_out(cur, hi);
        ResultCode::OK.0
    })
}

/// `sqlite3_stmt_status(stmt, op, reset)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_stmt_status(_st: *mut sqlite3_stmt, _op: c_int, _reset: c_int) -> c_int {
    0
}

/// `sqlite3_db_release_memory(db)`: SQLITE_OK (nothing to release early).
#[no_mangle]
pub extern "C" fn sqlite3_db_release_memory(db: *mut sqlite3) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::OK.0))
}

/// `sqlite3_release_memory(n)`: 0 bytes released.
#[no_mangle]
pub extern "C" fn sqlite3_release_memory(_n: c_int) -> c_int {
    0
}

/// `sqlite3_db_cacheflush(db)`: SQLITE_OK (loom writes dirty pages at commit).
#[no_mangle]
pub extern "C" fn sqlite3_db_cacheflush(db: *mut sqlite3) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::OK.0))
}

/// `sqlite3_soft_heap_limit64(n)`: 0 (no limit; the request is ignored).
#[no_mangle]
pub extern "C" fn sqlite3_soft_heap_limit64(_n: i64) -> i64 {
    0
}

/// `sqlite3_hard_heap_limit64(n)`: 0 (no limit; the request is ignored).
#[no_mangle]
pub extern "C" fn sqlite3_hard_heap_limit64(_n: i64) -> i64 {
    0
}

/// `sqlite3_file_control(db, schema, op, arg)`: SQLITE_NOTFOUND, the
/// answer for opcodes the VFS does not implement.
#[no_mangle]
pub extern "C" fn sqlite3_file_control(
    db: *mut sqlite3,
    _schema: *const c_char,
    _op: c_int,
    _arg: *mut c_void,
) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::NOTFOUND.0))
}
