//! Connection callbacks: commit, rollback and update hooks, busy and
//! progress handlers, the authorizer, and tracing.
//!
//! SQLite counterpart: main.c (`sqlite3_commit_hook`,
//! `sqlite3_rollback_hook`, `sqlite3_update_hook`, `sqlite3_busy_handler`,
//! `sqlite3_progress_handler`, `sqlite3_trace_v2`, `sqlite3_trace`,
//! `sqlite3_profile`), auth.c (`sqlite3_set_authorizer`).
//!
//! Each C callback is wrapped in a Rust closure or trait object the engine
//! calls (its traits, defined in the lower layers); the closure calls the C
//! function directly, so nothing can unwind through it. Tracing happens
//! here, in the C layer, because it is about C statement handles: STMT when
//! a statement starts running, ROW for each row, PROFILE when it finishes,
//! CLOSE when the connection closes.
//!
//! Invariants:
//! 1. Every hook setter returns the previous hook's argument (NULL if none).
//! 2. No callback runs while this module holds a lock of its own: the slot
//!    is copied out first, so a callback may change the hooks.
//! 3. The trace STMT callback receives the statement's SQL text (the legacy
//!    `sqlite3_trace` callback the expanded text), once per run.

use std::ffi::{c_char, c_int, c_uint, c_void, CString};
use std::sync::Arc;

use crate::connection::{conn, sqlite3, with_db, Connection};
use crate::engine::{AuthRequest, AuthResult, Authorizer, UpdateKind};
use crate::guard::{guard, guard_rc};
use crate::statement::sqlite3_stmt;
use loomdb::rc::ResultCode;

/// A raw pointer the application promised to use under SQLite's threading
/// rules (serialized mode: one thread at a time per connection).
#[derive(Clone, Copy)]
pub(crate) struct AppPtr(pub(crate) *mut c_void);
// SAFETY: see the type's doc; loom calls back only with the connection locked.
unsafe impl Send for AppPtr {}
// SAFETY: as above.
unsafe impl Sync for AppPtr {}

impl AppPtr {
    /// The pointer (a method, so closures capture the whole `AppPtr`).
    pub(crate) fn get(self) -> *mut c_void {
        self.0
    }
}

pub(crate) type TraceV2 =
    unsafe extern "C" fn(c_uint, *mut c_void, *mut c_void, *mut c_void) -> c_int;
type TraceLegacy = unsafe extern "C" fn(*mut c_void, *const c_char);
type ProfileLegacy = unsafe extern "C" fn(*mut c_void, *const c_char, u64);
type NeededFn = unsafe extern "C" fn(*mut c_void, *mut sqlite3, c_int, *const c_void);

/// `SQLITE_TRACE_*` mask bits.
pub(crate) mod trace {
    pub const STMT: u32 = 1;
    pub const PROFILE: u32 = 2;
    pub const ROW: u32 = 4;
    pub const CLOSE: u32 = 8;
}

/// The callback state a connection keeps on the C side.
#[derive(Default)]
pub(crate) struct Slots {
    commit_arg: Option<AppPtr>,
    /// `sqlite3_wal_hook`'s argument (set in `hooks.rs`).
    pub(crate) wal_arg: Option<AppPtr>,
    rollback_arg: Option<AppPtr>,
    update_arg: Option<AppPtr>,
    trace_v2: Option<(u32, TraceV2, AppPtr)>,
    trace_legacy: Option<(TraceLegacy, AppPtr)>,
    profile: Option<(ProfileLegacy, AppPtr)>,
    needed: Option<(NeededFn, AppPtr, bool)>,
    /// An authorizer is installed (clearing none is a no-op that works
    /// even from inside a running statement's callback).
    authorizer: bool,
}

impl Connection {
    pub(crate) fn set_collation_needed(&self, f: Option<NeededFn>, arg: *mut c_void, utf16: bool) {
        self.slots.lock().needed = f.map(|f| (f, AppPtr(arg), utf16));
    }

    pub(crate) fn collation_needed(&self) -> Option<(NeededFn, *mut c_void, bool)> {
        self.slots.lock().needed.map(|(f, a, u)| (f, a.get(), u))
    }

    /// True if any statement tracing is on (cheap check for `step`).
    pub(crate) fn tracing(&self) -> bool {
        let s = self.slots.lock();
        s.trace_v2.is_some() || s.trace_legacy.is_some() || s.profile.is_some()
    }
}

fn prev(slot: Option<AppPtr>) -> *mut c_void {
    slot.map_or(std::ptr::null_mut(), AppPtr::get)
}

/// `sqlite3_commit_hook(db, xCommit, arg)`: previous arg.
#[no_mangle]
pub extern "C" fn sqlite3_commit_hook(
    db: *mut sqlite3,
    f: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let Some(d) = c.database() else {
            return std::ptr::null_mut();
        };
        let a = AppPtr(arg);
        let hook = f.map(|f| {
            let h: crate::engine::CommitFn = Arc::new(move || {
                // SAFETY: the application registered f for this argument.
                unsafe { f(a.get()) != 0 }
            });
            h
        });
        let _ = d.set_commit_hook(hook);
        let mut s = c.slots.lock();
        prev(std::mem::replace(&mut s.commit_arg, f.map(|_| a)))
    })
}

/// `sqlite3_rollback_hook(db, xRollback, arg)`: previous arg.
#[no_mangle]
pub extern "C" fn sqlite3_rollback_hook(
    db: *mut sqlite3,
    f: Option<unsafe extern "C" fn(*mut c_void)>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let Some(d) = c.database() else {
            return std::ptr::null_mut();
        };
        let a = AppPtr(arg);
        let hook = f.map(|f| {
            let h: crate::engine::RollbackFn = Arc::new(move || {
                // SAFETY: the application registered f for this argument.
                unsafe { f(a.get()) }
            });
            h
        });
        let _ = d.set_rollback_hook(hook);
        let mut s = c.slots.lock();
        prev(std::mem::replace(&mut s.rollback_arg, f.map(|_| a)))
    })
}

type XUpdate = unsafe extern "C" fn(*mut c_void, c_int, *const c_char, *const c_char, i64);

/// `sqlite3_update_hook(db, xUpdate, arg)`: previous arg.
#[no_mangle]
pub extern "C" fn sqlite3_update_hook(
    db: *mut sqlite3,
    f: Option<XUpdate>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let Some(d) = c.database() else {
            return std::ptr::null_mut();
        };
        let a = AppPtr(arg);
        let hook = f.map(|f| {
            let h: crate::engine::UpdateHookFn = Arc::new(
                move |kind: UpdateKind, dbname: &str, table: &str, rowid: i64| {
                    let (Ok(zd), Ok(zt)) = (CString::new(dbname), CString::new(table)) else {
                        return;
                    };
                    // SAFETY: the application registered f; the strings
                    // live across the call.
                    unsafe { f(a.get(), kind.code(), zd.as_ptr(), zt.as_ptr(), rowid) }
                },
            );
            h
        });
        let _ = d.set_update_hook(hook);
        let mut s = c.slots.lock();
        prev(std::mem::replace(&mut s.update_arg, f.map(|_| a)))
    })
}

/// `sqlite3_busy_handler(db, xBusy, arg)`: replaces the busy timeout.
#[no_mangle]
pub extern "C" fn sqlite3_busy_handler(
    db: *mut sqlite3,
    f: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    with_db(db, |c, d| {
        let a = AppPtr(arg);
        let h = f.map(|f| {
            let h: crate::engine::BusyFn = Arc::new(move |n: u32| {
                // SAFETY: the application registered f for this argument.
                unsafe { f(a.get(), n as c_int) != 0 }
            });
            h
        });
        match d.set_busy_handler(h) {
            Ok(()) => ResultCode::OK.0,
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// `sqlite3_progress_handler(db, N, xProgress, arg)`: N < 1 or NULL clears.
#[no_mangle]
pub extern "C" fn sqlite3_progress_handler(
    db: *mut sqlite3,
    n: c_int,
    f: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    arg: *mut c_void,
) {
    guard((), || {
        let Some(d) = conn(db).and_then(Connection::database) else {
            return;
        };
        let a = AppPtr(arg);
        let h = f.filter(|_| n > 0).map(|f| {
            let h: crate::engine::ProgressFn = Arc::new(move || {
                // SAFETY: the application registered f for this argument.
                unsafe { f(a.get()) != 0 }
            });
            h
        });
        let _ = d.set_progress_handler(u32::try_from(n).unwrap_or(0), h);
    })
}

type XAuth = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
) -> c_int;

/// A C authorizer callback behind the engine's `Authorizer` trait.
struct CAuthorizer {
    f: XAuth,
    arg: AppPtr,
}

fn opt_cstring(s: Option<&str>) -> Option<CString> {
    s.map(|s| CString::new(s.replace('\0', "")).unwrap_or_default())
}

impl Authorizer for CAuthorizer {
    fn authorize(&self, req: &AuthRequest) -> AuthResult {
        let [a1, a2, db, trig] = [req.arg1, req.arg2, req.db, req.trigger].map(opt_cstring);
        let ptr = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: the application registered f; the strings live across the call.
        let r = unsafe {
            (self.f)(
                self.arg.get(),
                req.action,
                ptr(&a1),
                ptr(&a2),
                ptr(&db),
                ptr(&trig),
            )
        };
        match r {
            0 => AuthResult::Ok,
            1 => AuthResult::Deny,
            2 => AuthResult::Ignore,
            _ => AuthResult::Malfunction,
        }
    }
}

/// `sqlite3_set_authorizer(db, xAuth, arg)`; see the engine's
/// `conn/authorizer.rs` for which requests loom makes.
#[no_mangle]
pub extern "C" fn sqlite3_set_authorizer(
    db: *mut sqlite3,
    f: Option<XAuth>,
    arg: *mut c_void,
) -> c_int {
    with_db(db, |c, d| {
        if f.is_none() && !c.slots.lock().authorizer {
            return ResultCode::OK.0;
        }
        let auth = f.map(|f| {
            let a: Arc<dyn Authorizer> = Arc::new(CAuthorizer {
                f,
                arg: AppPtr(arg),
            });
            a
        });
        let on = auth.is_some();
        match d.set_authorizer(auth) {
            Ok(()) => {
                c.slots.lock().authorizer = on;
                ResultCode::OK.0
            }
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// `sqlite3_trace_v2(db, uMask, xCallback, pCtx)`.
#[no_mangle]
pub extern "C" fn sqlite3_trace_v2(
    db: *mut sqlite3,
    mask: c_uint,
    f: Option<TraceV2>,
    ctx: *mut c_void,
) -> c_int {
    guard_rc(|| match conn(db) {
        None => ResultCode::MISUSE.0,
        Some(c) => {
            let mut s = c.slots.lock();
            s.trace_v2 = f.filter(|_| mask != 0).map(|f| (mask, f, AppPtr(ctx)));
            if s.trace_v2.is_some() {
                s.trace_legacy = None;
                s.profile = None;
            }
            ResultCode::OK.0
        }
    })
}

/// `sqlite3_trace(db, xTrace, arg)` (deprecated): previous arg.
#[no_mangle]
pub extern "C" fn sqlite3_trace(
    db: *mut sqlite3,
    f: Option<TraceLegacy>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || match conn(db) {
        None => std::ptr::null_mut(),
        Some(c) => {
            let mut s = c.slots.lock();
            s.trace_v2 = None;
            let old = std::mem::replace(&mut s.trace_legacy, f.map(|f| (f, AppPtr(arg))));
            old.map_or(std::ptr::null_mut(), |o| o.1.get())
        }
    })
}

/// `sqlite3_profile(db, xProfile, arg)` (deprecated): previous arg.
#[no_mangle]
pub extern "C" fn sqlite3_profile(
    db: *mut sqlite3,
    f: Option<ProfileLegacy>,
    arg: *mut c_void,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || match conn(db) {
        None => std::ptr::null_mut(),
        Some(c) => {
            let mut s = c.slots.lock();
            s.trace_v2 = None;
            let old = std::mem::replace(&mut s.profile, f.map(|f| (f, AppPtr(arg))));
            old.map_or(std::ptr::null_mut(), |o| o.1.get())
        }
    })
}

/// Trace event for statement `p` starting to run (invariant 3). `sql` is
/// the statement's text, `expanded` computes the expanded text.
pub(crate) fn on_stmt_start(
    c: &Connection,
    p: *mut sqlite3_stmt,
    sql: &CString,
    expanded: impl FnOnce() -> Option<CString>,
) {
    let (v2, legacy) = {
        let s = c.slots.lock();
        (s.trace_v2, s.trace_legacy)
    };
    if let Some((mask, f, ctx)) = v2 {
        if mask & trace::STMT != 0 {
            // SAFETY: the application's trace callback, with SQLite's arguments.
            unsafe {
                f(
                    trace::STMT,
                    ctx.get(),
                    p.cast(),
                    sql.as_ptr().cast_mut().cast(),
                )
            };
        }
    }
    if let Some((f, arg)) = legacy {
        let text = expanded().unwrap_or_else(|| sql.clone());
        // SAFETY: as above.
        unsafe { f(arg.get(), text.as_ptr()) };
    }
}

/// Trace event for a row of statement `p`.
pub(crate) fn on_row(c: &Connection, p: *mut sqlite3_stmt) {
    let v2 = c.slots.lock().trace_v2;
    if let Some((mask, f, ctx)) = v2 {
        if mask & trace::ROW != 0 {
            // SAFETY: the application's trace callback, with SQLite's arguments.
            unsafe { f(trace::ROW, ctx.get(), p.cast(), std::ptr::null_mut()) };
        }
    }
}

/// Trace event for statement `p` finishing after `ns` nanoseconds.
pub(crate) fn on_stmt_end(c: &Connection, p: *mut sqlite3_stmt, sql: &CString, ns: i64) {
    let (v2, profile) = {
        let s = c.slots.lock();
        (s.trace_v2, s.profile)
    };
    if let Some((mask, f, ctx)) = v2 {
        if mask & trace::PROFILE != 0 {
            let mut t = ns;
            // SAFETY: the application's trace callback, with SQLite's arguments.
            unsafe {
                f(
                    trace::PROFILE,
                    ctx.get(),
                    p.cast(),
                    (&mut t as *mut i64).cast(),
                )
            };
        }
    }
    if let Some((f, arg)) = profile {
        // SAFETY: the application's profile callback.
        unsafe { f(arg.get(), sql.as_ptr(), u64::try_from(ns).unwrap_or(0)) };
    }
}

/// Trace event for connection `db` closing.
pub(crate) fn on_close(c: &Connection, db: *mut sqlite3) {
    let v2 = c.slots.lock().trace_v2;
    if let Some((mask, f, ctx)) = v2 {
        if mask & trace::CLOSE != 0 {
            // SAFETY: the application's trace callback, with SQLite's arguments.
            unsafe { f(trace::CLOSE, ctx.get(), db.cast(), std::ptr::null_mut()) };
        }
    }
}
