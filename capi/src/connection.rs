//! The `sqlite3` connection handle: open, close, error state, counters.
//!
//! SQLite counterpart: main.c (`openDatabase`, `sqlite3_close`,
//! `sqlite3Close`, `sqlite3_errmsg`, `sqlite3ErrorWithMsg`, `sqlite3_limit`).
//!
//! A [`Connection`] is a heap object handed to C (see `handle.rs`). It owns
//! the engine's [`Database`] and the per-connection error state that
//! `sqlite3_errcode`/`sqlite3_errmsg` report.
//!
//! State machine (SQLite's `eOpenState`):
//!
//! ```text
//!   open ok ──► Open ──close (no stmts)──► released
//!   open err ─► Sick (db = None; errmsg readable; close releases)
//!   Open ──close_v2 with stmts──► Zombie ──last finalize──► released
//! ```
//!
//! Invariants:
//! 1. No lock of this module is held while the engine runs or while a user
//!    callback runs: engine calls use a clone of the `Database`.
//! 2. `stmts` lists the live statements of this connection in creation
//!    order; a connection is released only when it is empty.
//! 3. Return codes of API calls on a connection are masked with its error
//!    mask (0xff unless extended result codes are on), as SQLite does;
//!    `sqlite3_extended_errcode` is never masked.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use parking_lot::Mutex;

use crate::engine::{ConnectionMode, Database, DbError, OpenOptions};
use crate::guard::{guard, guard_rc};
use crate::handle::{self, Handle};
use crate::strings::static_cstr;
use loomdb::rc::ResultCode;

/// The C type `sqlite3`.
#[allow(non_camel_case_types)]
pub type sqlite3 = Connection;

const CONN_MAGIC: u32 = 0x4c4f_4f4d; // "LOOM"

/// Open flags this module interprets (values of sqlite3.h).
pub(crate) mod flags {
    pub const READONLY: i32 = 0x1;
    pub const READWRITE: i32 = 0x2;
    pub const CREATE: i32 = 0x4;
    pub const URI: i32 = 0x40;
    pub const MEMORY: i32 = 0x80;
    pub const EXRESCODE: i32 = 0x0200_0000;
}

/// Run-time limits by `SQLITE_LIMIT_*` index: the defaults and hard
/// maxima of the system SQLite 3.40.1 build (Debian: MAX_VARIABLE_NUMBER
/// 250000, MAX_WORKER_THREADS 8, DEFAULT_WORKER_THREADS 0).
const DEFAULT_LIMITS: [i32; 12] = [
    1_000_000_000,
    1_000_000_000,
    2000,
    1000,
    500,
    250_000_000,
    127,
    10,
    50_000,
    250_000,
    1000,
    0,
];
const MAX_LIMITS: [i32; 12] = [
    1_000_000_000,
    1_000_000_000,
    2000,
    1000,
    500,
    250_000_000,
    127,
    10,
    50_000,
    250_000,
    1000,
    8,
];

struct ErrState {
    code: i32,
    /// `sqlite3_error_offset`, or -1.
    offset: i32,
    /// The message, NUL-terminated (a plain buffer so it can be reused).
    msg: Vec<u8>,
    /// `msg` in UTF-16, rebuilt by `sqlite3_errmsg16` when `msg16_stale`.
    msg16: Vec<u16>,
    msg16_stale: bool,
    /// The standard text of `code`, not yet copied into `msg` (stepping
    /// reports ROW/DONE alternately; the copy is made only when read).
    pending: Option<&'static str>,
}

impl ErrState {
    /// Copies a pending standard message into `msg`.
    fn materialize(&mut self) {
        if let Some(text) = self.pending.take() {
            self.msg.clear();
            self.msg.extend_from_slice(text.as_bytes());
            self.msg.push(0);
            self.msg16_stale = true;
        }
    }
}

/// One database connection, as C sees it.
pub struct Connection {
    magic: u32,
    db: Mutex<Option<Database>>,
    err: Mutex<ErrState>,
    pub(crate) stmts: Mutex<Vec<usize>>,
    zombie: AtomicBool,
    mask: AtomicI32,
    filename: Mutex<CString>,
    /// File names of attached databases handed out by
    /// `sqlite3_db_filename`, kept for the connection's lifetime.
    db_filenames: Mutex<Vec<CString>>,
    limits: Mutex<[i32; 12]>,
    /// `sqlite3_db_mutex`, created on first request.
    app_mutex: std::sync::OnceLock<usize>,
    /// Hook arguments, trace and collation-needed callbacks (callbacks.rs).
    pub(crate) slots: Mutex<crate::callbacks::Slots>,
}

impl Handle for Connection {
    const MAGIC: u32 = CONN_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

fn utf16z(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

impl Connection {
    fn new(db: Option<Database>, mask: i32) -> Connection {
        Connection {
            magic: CONN_MAGIC,
            db: Mutex::new(db),
            err: Mutex::new(ErrState {
                code: 0,
                offset: -1,
                msg: vec![0],
                msg16: vec![0],
                msg16_stale: false,
                pending: None,
            }),
            stmts: Mutex::new(Vec::new()),
            zombie: AtomicBool::new(false),
            mask: AtomicI32::new(mask),
            filename: Mutex::new(CString::default()),
            db_filenames: Mutex::new(Vec::new()),
            limits: Mutex::new(DEFAULT_LIMITS),
            app_mutex: std::sync::OnceLock::new(),
            slots: Mutex::new(crate::callbacks::Slots::default()),
        }
    }

    /// A clone of the engine connection; `None` if the open failed or the
    /// connection is a zombie.
    pub(crate) fn database(&self) -> Option<Database> {
        if self.zombie.load(Ordering::Acquire) {
            return None;
        }
        self.db.lock().clone()
    }

    /// `rc` masked with this connection's error mask.
    pub(crate) fn masked(&self, rc: i32) -> c_int {
        rc & self.mask.load(Ordering::Relaxed)
    }

    /// Records error `code` with text `msg`; returns the masked code.
    pub(crate) fn set_error(&self, code: ResultCode, msg: &str) -> c_int {
        let mut e = self.err.lock();
        // Fast path: stepping and column calls report the same code with
        // the same standard text over and over; keep the stored strings.
        let same = match e.pending {
            Some(text) => text == msg,
            None => e.msg.strip_suffix(&[0]) == Some(msg.as_bytes()),
        };
        if e.code == code.0 && same {
            e.offset = -1;
            drop(e);
            return self.masked(code.0);
        }
        e.pending = None;
        e.code = code.0;
        e.offset = -1;
        // Reuses the message buffer; the UTF-16 form is built on demand.
        e.msg.clear();
        if msg.as_bytes().contains(&0) {
            e.msg.extend(msg.bytes().filter(|&b| b != 0));
        } else {
            e.msg.extend_from_slice(msg.as_bytes());
        }
        e.msg.push(0);
        e.msg16_stale = true;
        drop(e);
        self.masked(code.0)
    }

    /// Sets the byte offset `sqlite3_error_offset` reports for the error
    /// just recorded.
    pub(crate) fn set_error_offset(&self, offset: Option<usize>) {
        self.err.lock().offset = offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(-1);
    }

    /// Records an engine error; returns the masked code.
    pub(crate) fn set_db_error(&self, e: &DbError) -> c_int {
        self.set_error(e.code(), &e.to_string())
    }

    /// Records a code whose message is the standard text (OK, ROW, DONE,
    /// MISUSE, RANGE...); returns the masked code.
    pub(crate) fn set_code(&self, code: ResultCode) -> c_int {
        let mut e = self.err.lock();
        e.code = code.0;
        e.offset = -1;
        e.pending = Some(code.errstr());
        drop(e);
        self.masked(code.0)
    }

    /// Records the "feature not supported yet" error for `what`.
    pub(crate) fn unsupported(&self, what: &str) -> c_int {
        self.set_db_error(&DbError::unsupported(what))
    }

    pub(crate) fn limit(&self, id: c_int, new: c_int) -> c_int {
        let Some(i) = usize::try_from(id)
            .ok()
            .filter(|&i| i < DEFAULT_LIMITS.len())
        else {
            return -1;
        };
        let mut l = self.limits.lock();
        let old = l[i];
        if new >= 0 {
            l[i] = new.min(MAX_LIMITS[i]);
        }
        old
    }
}

/// The live connection `p`, or `None` for NULL/closed/wrong pointers.
pub(crate) fn conn<'a>(p: *const sqlite3) -> Option<&'a Connection> {
    // SAFETY: handle::get only dereferences live connections; the C caller
    // does not close `p` while this call uses it (SQLite's contract).
    unsafe { handle::get(p) }
}

/// Runs `f` on a live, open (not sick, not zombie) connection and its
/// engine; MISUSE otherwise.
pub(crate) fn with_db(p: *mut sqlite3, f: impl FnOnce(&Connection, Database) -> c_int) -> c_int {
    guard_rc(|| match conn(p) {
        Some(c) => match c.database() {
            Some(db) => f(c, db),
            None => c.set_code(ResultCode::MISUSE),
        },
        None => ResultCode::MISUSE.0,
    })
}

/// Reads a C string argument as UTF-8 (lossy).
///
/// # Safety
/// `z` is NULL or NUL-terminated.
pub(crate) unsafe fn arg_str(z: *const c_char) -> Option<String> {
    if z.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    Some(unsafe { CStr::from_ptr(z) }.to_string_lossy().into_owned())
}

/// Reads a C string argument as its exact bytes (a file name need not be
/// UTF-8).
///
/// # Safety
/// `z` is NULL or NUL-terminated.
pub(crate) unsafe fn arg_bytes(z: *const c_char) -> Option<Vec<u8>> {
    if z.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    Some(unsafe { CStr::from_ptr(z) }.to_bytes().to_vec())
}

/// Reads a NUL-terminated native-endian UTF-16 string.
///
/// # Safety
/// `z` is NULL or points to UTF-16 code units ending with a 0 unit.
pub(crate) unsafe fn arg_str16(z: *const c_void) -> Option<String> {
    if z.is_null() {
        return None;
    }
    let z = z.cast::<u16>();
    let mut n = 0usize;
    // SAFETY: the string is terminated by a zero unit; we stop there.
    while unsafe { z.add(n).read_unaligned() } != 0 {
        n += 1;
    }
    // SAFETY: n units were just read, so they are readable.
    let units: Vec<u16> = (0..n)
        .map(|i| unsafe { z.add(i).read_unaligned() })
        .collect();
    Some(String::from_utf16_lossy(&units))
}

fn open_impl(name: &[u8], pp: *mut *mut sqlite3, fl: c_int, vfs: Option<String>) -> c_int {
    if pp.is_null() {
        return ResultCode::MISUSE.0;
    }
    // SAFETY: pp is a valid out-pointer (checked non-NULL; caller contract).
    unsafe { *pp = std::ptr::null_mut() };
    // Exactly READONLY, READWRITE or READWRITE|CREATE in the low three bits.
    if (1 << (fl & 7)) & 0x46 == 0 {
        return ResultCode::MISUSE.0;
    }
    let mask = if fl & flags::EXRESCODE != 0 { -1 } else { 0xff };
    let opts = OpenOptions {
        mode: if fl & flags::READONLY != 0 {
            ConnectionMode::Read
        } else {
            ConnectionMode::Admin
        },
        create: fl & flags::CREATE != 0,
        uri: fl & flags::URI != 0,
        memory: fl & flags::MEMORY != 0,
        vfs,
    };
    let (c, rc) = match Database::open_bytes(name, opts) {
        Ok(db) => {
            let fname = db.filename_bytes().unwrap_or_default();
            let c = Connection::new(Some(db), mask);
            *c.filename.lock() = c_string(fname);
            c.set_code(ResultCode::OK);
            (c, 0)
        }
        Err(e) => {
            let c = Connection::new(None, mask);
            let rc = c.set_db_error(&e);
            (c, rc)
        }
    };
    // SAFETY: as above.
    unsafe { *pp = handle::register(c) };
    rc
}

/// A C string of `bytes` (a file name: bytes, not necessarily UTF-8),
/// without any NUL byte it may hold.
fn c_string(mut bytes: Vec<u8>) -> CString {
    bytes.retain(|&b| b != 0);
    CString::new(bytes).unwrap_or_default()
}

/// `sqlite3_open_v2(filename, ppDb, flags, zVfs)`.
///
/// # Safety
/// `filename`/`vfs` are NULL or NUL-terminated; `pp` is a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_open_v2(
    filename: *const c_char,
    pp: *mut *mut sqlite3,
    fl: c_int,
    vfs: *const c_char,
) -> c_int {
    guard_rc(|| {
        // SAFETY: forwarded contract.
        let (name, vfs) = unsafe { (arg_bytes(filename).unwrap_or_default(), arg_str(vfs)) };
        open_impl(&name, pp, fl, vfs)
    })
}

/// `sqlite3_open(filename, ppDb)`: read-write, create.
///
/// # Safety
/// As [`sqlite3_open_v2`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_open(filename: *const c_char, pp: *mut *mut sqlite3) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sqlite3_open_v2(
            filename,
            pp,
            flags::READWRITE | flags::CREATE,
            std::ptr::null(),
        )
    }
}

/// `sqlite3_open16(filename, ppDb)`: UTF-16 file name.
///
/// # Safety
/// `filename` is NULL or a 0-terminated UTF-16 string; `pp` a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_open16(filename: *const c_void, pp: *mut *mut sqlite3) -> c_int {
    guard_rc(|| {
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str16(filename) }.unwrap_or_default();
        open_impl(name.as_bytes(), pp, flags::READWRITE | flags::CREATE, None)
    })
}

/// Releases connection `p` (no statements left): closes the engine side.
fn release_connection(p: *mut sqlite3) {
    if let Some(c) = conn(p) {
        crate::callbacks::on_close(c, p);
    }
    // SAFETY: no reference to `p` is used after this point by our callers.
    if let Some(c) = unsafe { handle::release(p) } {
        if let Some(db) = c.db.lock().take() {
            let _ = db.close();
        }
        if let Some(&m) = c.app_mutex.get() {
            crate::mutex::free(m as *mut crate::mutex::sqlite3_mutex);
        }
    }
}

/// Called by `sqlite3_finalize` after removing a statement: completes a
/// deferred `sqlite3_close_v2`.
pub(crate) fn statement_gone(p: *mut sqlite3) {
    let Some(c) = conn(p) else { return };
    if c.zombie.load(Ordering::Acquire)
        && c.stmts.lock().is_empty()
        && !crate::backup::has_backup(p)
    {
        release_connection(p);
    }
}

fn close_impl(p: *mut sqlite3, defer: bool) -> c_int {
    if p.is_null() {
        return ResultCode::OK.0;
    }
    let Some(c) = conn(p) else {
        return ResultCode::MISUSE.0;
    };
    if !c.stmts.lock().is_empty() || crate::backup::has_backup(p) {
        if defer {
            c.zombie.store(true, Ordering::Release);
            return ResultCode::OK.0;
        }
        let msg = "unable to close due to unfinalized statements or unfinished backups";
        return c.set_error(ResultCode::BUSY, msg);
    }
    release_connection(p);
    ResultCode::OK.0
}

/// `sqlite3_close(db)`: SQLITE_BUSY while statements remain.
#[no_mangle]
pub extern "C" fn sqlite3_close(p: *mut sqlite3) -> c_int {
    guard_rc(|| close_impl(p, false))
}

/// `sqlite3_close_v2(db)`: closes now, or when the last statement is finalized.
#[no_mangle]
pub extern "C" fn sqlite3_close_v2(p: *mut sqlite3) -> c_int {
    guard_rc(|| close_impl(p, true))
}

fn errcode_impl(p: *mut sqlite3, extended: bool) -> c_int {
    if p.is_null() {
        return ResultCode::NOMEM.0;
    }
    match conn(p) {
        Some(c) => {
            let code = c.err.lock().code;
            if extended {
                code
            } else {
                c.masked(code)
            }
        }
        None => ResultCode::MISUSE.0,
    }
}

/// `sqlite3_errcode(db)`: the most recent result code (masked).
#[no_mangle]
pub extern "C" fn sqlite3_errcode(p: *mut sqlite3) -> c_int {
    guard_rc(|| errcode_impl(p, false))
}

/// `sqlite3_extended_errcode(db)`: the most recent extended result code.
#[no_mangle]
pub extern "C" fn sqlite3_extended_errcode(p: *mut sqlite3) -> c_int {
    guard_rc(|| errcode_impl(p, true))
}

/// `sqlite3_errmsg(db)`: English text of the most recent error.
#[no_mangle]
pub extern "C" fn sqlite3_errmsg(p: *mut sqlite3) -> *const c_char {
    guard(std::ptr::null(), || {
        if p.is_null() {
            return static_cstr(ResultCode::NOMEM.errstr());
        }
        match conn(p) {
            // The message buffer lives until the next error is recorded.
            Some(c) => {
                let mut e = c.err.lock();
                e.materialize();
                e.msg.as_ptr().cast()
            }
            None => static_cstr(ResultCode::MISUSE.errstr()),
        }
    })
}

/// `sqlite3_errmsg16(db)`: as [`sqlite3_errmsg`], in native UTF-16.
#[no_mangle]
pub extern "C" fn sqlite3_errmsg16(p: *mut sqlite3) -> *const c_void {
    static NOMEM: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    static MISUSE: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    guard(std::ptr::null(), || {
        if p.is_null() {
            return NOMEM
                .get_or_init(|| utf16z(ResultCode::NOMEM.errstr()))
                .as_ptr()
                .cast();
        }
        match conn(p) {
            Some(c) => {
                let mut e = c.err.lock();
                e.materialize();
                if e.msg16_stale {
                    let text = String::from_utf8_lossy(e.msg.strip_suffix(&[0]).unwrap_or(&[]))
                        .into_owned();
                    e.msg16 = utf16z(&text);
                    e.msg16_stale = false;
                }
                e.msg16.as_ptr().cast()
            }
            None => MISUSE
                .get_or_init(|| utf16z(ResultCode::MISUSE.errstr()))
                .as_ptr()
                .cast(),
        }
    })
}

/// `sqlite3_error_offset(db)`: byte offset of the token the last syntax
/// error is about; -1 if the last error has none.
#[no_mangle]
pub extern "C" fn sqlite3_error_offset(p: *mut sqlite3) -> c_int {
    guard(-1, || conn(p).map_or(-1, |c| c.err.lock().offset))
}

/// `sqlite3_extended_result_codes(db, onoff)`.
#[no_mangle]
pub extern "C" fn sqlite3_extended_result_codes(p: *mut sqlite3, on: c_int) -> c_int {
    guard_rc(|| match conn(p) {
        Some(c) => {
            c.mask
                .store(if on != 0 { -1 } else { 0xff }, Ordering::Relaxed);
            ResultCode::OK.0
        }
        None => ResultCode::MISUSE.0,
    })
}

/// Runs `f` on the engine of a live open connection, or returns `dflt`.
fn query<R>(p: *mut sqlite3, dflt: R, f: impl FnOnce(&Connection, Database) -> R) -> R {
    match conn(p) {
        Some(c) => match c.database() {
            Some(db) => f(c, db),
            None => dflt,
        },
        None => dflt,
    }
}

/// `sqlite3_changes(db)`.
#[no_mangle]
pub extern "C" fn sqlite3_changes(p: *mut sqlite3) -> c_int {
    guard(0, || query(p, 0, |_, db| db.changes() as c_int))
}

/// `sqlite3_changes64(db)`.
#[no_mangle]
pub extern "C" fn sqlite3_changes64(p: *mut sqlite3) -> i64 {
    guard(0, || query(p, 0, |_, db| db.changes()))
}

/// `sqlite3_total_changes(db)`.
#[no_mangle]
pub extern "C" fn sqlite3_total_changes(p: *mut sqlite3) -> c_int {
    guard(0, || query(p, 0, |_, db| db.total_changes() as c_int))
}

/// `sqlite3_total_changes64(db)`.
#[no_mangle]
pub extern "C" fn sqlite3_total_changes64(p: *mut sqlite3) -> i64 {
    guard(0, || query(p, 0, |_, db| db.total_changes()))
}

/// `sqlite3_last_insert_rowid(db)`.
#[no_mangle]
pub extern "C" fn sqlite3_last_insert_rowid(p: *mut sqlite3) -> i64 {
    guard(0, || query(p, 0, |_, db| db.last_insert_rowid()))
}

/// `sqlite3_set_last_insert_rowid(db, rowid)`.
#[no_mangle]
pub extern "C" fn sqlite3_set_last_insert_rowid(p: *mut sqlite3, rowid: i64) {
    guard((), || query(p, (), |_, db| db.set_last_insert_rowid(rowid)))
}

/// `sqlite3_get_autocommit(db)`: 1 outside an explicit transaction.
#[no_mangle]
pub extern "C" fn sqlite3_get_autocommit(p: *mut sqlite3) -> c_int {
    guard(0, || query(p, 0, |_, db| c_int::from(db.is_autocommit())))
}

/// `sqlite3_busy_timeout(db, ms)`.
#[no_mangle]
pub extern "C" fn sqlite3_busy_timeout(p: *mut sqlite3, ms: c_int) -> c_int {
    with_db(p, |_, db| {
        db.set_busy_timeout(ms.max(0));
        ResultCode::OK.0
    })
}

/// `sqlite3_interrupt(db)`: running statements fail with SQLITE_INTERRUPT.
#[no_mangle]
pub extern "C" fn sqlite3_interrupt(p: *mut sqlite3) {
    guard((), || query(p, (), |_, db| db.interrupt()))
}

/// `sqlite3_limit(db, id, new)`: previous value; -1 for an unknown id.
///
/// loom records the limits with SQLite's defaults and maxima and enforces
/// SQLITE_LIMIT_LENGTH (function results, `sqlite3_expanded_sql`),
/// SQLITE_LIMIT_SQL_LENGTH and SQLITE_LIMIT_VARIABLE_NUMBER (prepare);
/// the others are recorded only.
#[no_mangle]
pub extern "C" fn sqlite3_limit(p: *mut sqlite3, id: c_int, new: c_int) -> c_int {
    guard(-1, || {
        let Some(c) = conn(p) else { return -1 };
        let old = c.limit(id, new);
        if id == 6 && new >= 0 {
            if let Some(db) = c.database() {
                db.set_max_function_args(usize::try_from(c.limit(6, -1)).unwrap_or(0));
            }
        }
        old
    })
}

/// True if `schema` names the main database (NULL means main).
///
/// # Safety
/// `schema` is NULL or NUL-terminated.
unsafe fn schema_kind(schema: *const c_char) -> Option<bool> {
    // SAFETY: forwarded contract.
    match unsafe { arg_str(schema) }.as_deref() {
        None | Some("main") => Some(true),
        Some("temp") => Some(false),
        Some(_) => None,
    }
}

/// `sqlite3_db_filename(db, schema)`: the main file's name ("" in memory).
///
/// # Safety
/// `schema` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_db_filename(
    p: *mut sqlite3,
    schema: *const c_char,
) -> *const c_char {
    guard(std::ptr::null(), || {
        let Some(c) = conn(p) else {
            return std::ptr::null();
        };
        // SAFETY: forwarded contract.
        match unsafe { schema_kind(schema) } {
            Some(true) => return c.filename.lock().as_ptr(),
            Some(false) => return static_cstr(""),
            None => {}
        }
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str(schema) }.unwrap_or_default();
        let Some(file) = c.database().and_then(|db| db.db_filename_bytes(&name)) else {
            return std::ptr::null();
        };
        let file = c_string(file);
        let mut cache = c.db_filenames.lock();
        if let Some(hit) = cache.iter().find(|s| **s == file) {
            return hit.as_ptr();
        }
        let ptr = file.as_ptr();
        cache.push(file);
        ptr
    })
}

/// `sqlite3_db_readonly(db, schema)`: 1 read-only, 0 writable, -1 unknown.
///
/// # Safety
/// `schema` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_db_readonly(p: *mut sqlite3, schema: *const c_char) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded contract.
        let kind = unsafe { schema_kind(schema) };
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str(schema) }.unwrap_or_default();
        query(p, -1, |_, db| match kind {
            Some(true) => c_int::from(db.is_readonly()),
            Some(false) => 0,
            None => db.db_readonly(&name).map_or(-1, c_int::from),
        })
    })
}

/// `sqlite3_enable_shared_cache(on)`: SQLITE_OK; loom never shares caches.
#[no_mangle]
pub extern "C" fn sqlite3_enable_shared_cache(_on: c_int) -> c_int {
    ResultCode::OK.0
}

/// `sqlite3_db_mutex(db)`: a recursive mutex for the application's own
/// coordination around this connection (see `mutex.rs`).
#[no_mangle]
pub extern "C" fn sqlite3_db_mutex(p: *mut sqlite3) -> *mut crate::mutex::sqlite3_mutex {
    guard(std::ptr::null_mut(), || match conn(p) {
        Some(c) => *c
            .app_mutex
            .get_or_init(|| crate::mutex::new_recursive() as usize)
            as *mut crate::mutex::sqlite3_mutex,
        None => std::ptr::null_mut(),
    })
}

/// `sqlite3_txn_state(db, schema)`: SQLITE_TXN_NONE / READ / WRITE of the
/// schema (NULL: the highest of all databases); -1 for an unknown schema.
///
/// # Safety
/// `schema` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_txn_state(p: *mut sqlite3, schema: *const c_char) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str(schema) };
        query(p, -1, |_, db| {
            db.txn_state(name.as_deref()).map_or(-1, |l| l as c_int)
        })
    })
}
