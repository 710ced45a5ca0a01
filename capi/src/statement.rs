//! The `sqlite3_stmt` handle: prepare, step, reset, finalize and the
//! statement-level queries.
//!
//! SQLite counterpart: prepare.c (`sqlite3_prepare*`), vdbeapi.c
//! (`sqlite3_step`, `sqlite3_reset`, `sqlite3_finalize`, `sqlite3_sql`, ...).
//!
//! State machine (as seen from C):
//!
//! ```text
//!   prepare ─► Ready ──step──► Row ──step──► ... ──► Done / Error
//!     ▲          │  bind ok     │ column_* valid       │ step auto-resets
//!     └──reset───┴──────────────┴──────────────────────┘
//!   finalize from any state ─► released (later use: SQLITE_MISUSE)
//! ```
//!
//! Invariants:
//! 1. Each statement is listed in its connection's `stmts` from prepare to
//!    finalize; the connection outlives it (close returns SQLITE_BUSY,
//!    close_v2 defers).
//! 2. The per-row caches (converted column values, `sqlite3_value`
//!    objects) are dropped on every step, reset and finalize, and at no
//!    other time, so pointers returned by `sqlite3_column_*` are valid
//!    exactly as long as SQLite promises (or longer).
//! 3. Names (SQL text, column names, declared types, parameter names) are
//!    converted once at prepare time and live until finalize.
//! 4. A statement's state is borrowed only inside one API call; a call
//!    that re-enters the same statement from a callback gets SQLITE_MISUSE.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_void, CString};

use parking_lot::ReentrantMutex;

use crate::connection::{conn, sqlite3, statement_gone, Connection};
use crate::engine::{DbError, PreparedStatement, StepResult};
use crate::guard::{guard, guard_rc};
use crate::handle::{self, Handle};
use crate::memory::malloc_cstr;
use crate::value::{drop_value, sqlite3_value, Cell};
use loomdb::rc::ResultCode;

/// The C type `sqlite3_stmt`.
#[allow(non_camel_case_types)]
pub type sqlite3_stmt = Statement;

const STMT_MAGIC: u32 = 0x5354_4d54; // "STMT"

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

fn utf16z(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Everything a statement owns that C may point into.
pub(crate) struct StmtState {
    pub(crate) stmt: PreparedStatement,
    /// The error of the last step, reported again by reset/finalize.
    pub(crate) last_err: Option<DbError>,
    /// True from the first step until reset (binding is refused meanwhile).
    pub(crate) stepped: bool,
    cells: Vec<Option<Cell>>,
    values: Vec<*mut sqlite3_value>,
    sql: CString,
    pub(crate) names: Vec<CString>,
    pub(crate) names16: Vec<Vec<u16>>,
    pub(crate) decltypes: Vec<Option<CString>>,
    pub(crate) decltypes16: Vec<Option<Vec<u16>>>,
    pub(crate) params: Vec<Option<CString>>,
    /// Source database, table and column of each result column (or None).
    pub(crate) origins: Vec<[Option<CString>; 3]>,
    /// Destructors of `sqlite3_bind_pointer` pointers, run at finalize.
    pub(crate) pointer_dtors: Vec<(usize, unsafe extern "C" fn(*mut c_void))>,
    /// When the current run started, for the profile trace.
    started: Option<std::time::Instant>,
    /// `stmt.schema_generation()` when the metadata above was cached.
    generation: u64,
}

impl StmtState {
    fn new(stmt: PreparedStatement) -> StmtState {
        let mut st = StmtState {
            sql: cstring(stmt.sql()),
            names: Vec::new(),
            names16: Vec::new(),
            decltypes: Vec::new(),
            decltypes16: Vec::new(),
            params: Vec::new(),
            origins: Vec::new(),
            generation: stmt.schema_generation(),
            stmt,
            last_err: None,
            stepped: false,
            cells: Vec::new(),
            values: Vec::new(),
            pointer_dtors: Vec::new(),
            started: None,
        };
        st.load_metadata();
        st
    }

    /// Caches the names, declared types, origins and parameter names of
    /// the compiled program, as C reads them.
    fn load_metadata(&mut self) {
        let stmt = &self.stmt;
        let n = stmt.column_count();
        let names: Vec<String> = (0..n)
            .map(|i| stmt.column_name(i).unwrap_or("").to_string())
            .collect();
        let decl: Vec<Option<String>> = (0..n)
            .map(|i| stmt.column_decltype(i).map(str::to_string))
            .collect();
        self.origins = (0..n)
            .map(|i| {
                [
                    stmt.column_database_name(i),
                    stmt.column_table_name(i),
                    stmt.column_origin_name(i),
                ]
                .map(|x| x.map(cstring))
            })
            .collect();
        self.params = (1..=stmt.parameter_count())
            .map(|i| stmt.parameter_name(i).map(cstring))
            .collect();
        self.names = names.iter().map(|s| cstring(s)).collect();
        self.names16 = names.iter().map(|s| utf16z(s)).collect();
        self.decltypes = decl.iter().map(|d| d.as_deref().map(cstring)).collect();
        self.decltypes16 = decl.iter().map(|d| d.as_deref().map(utf16z)).collect();
        self.generation = stmt.schema_generation();
    }

    /// After a step: a statement recompiled for a new schema describes its
    /// columns anew (SQLite's column names follow the re-prepared program).
    fn refresh_if_recompiled(&mut self) {
        if self.stmt.schema_generation() != self.generation {
            self.load_metadata();
        }
    }

    /// Drops the per-row caches (invariant 2).
    pub(crate) fn clear_row(&mut self) {
        self.cells.clear();
        for v in self.values.drain(..) {
            drop_value(v);
        }
    }

    /// The converted cell of column `i` of the current row, if there is a
    /// current row and `i` is in range.
    pub(crate) fn cell(&mut self, i: c_int) -> Option<&mut Cell> {
        let i = usize::try_from(i)
            .ok()
            .filter(|&i| i < self.stmt.data_count())?;
        if self.cells.len() <= i {
            self.cells.resize_with(i + 1, || None);
        }
        let stmt = &self.stmt;
        let slot = self.cells.get_mut(i)?;
        Some(slot.get_or_insert_with(|| Cell::from_ref(stmt.column_value(i))))
    }

    /// Keeps a row-scoped `sqlite3_value` alive until the next step/reset.
    pub(crate) fn keep_value(&mut self, v: *mut sqlite3_value) {
        self.values.push(v);
    }

    /// Rewinds; returns whether the statement had run since the last
    /// reset, and the error to report.
    fn reset(&mut self) -> (bool, Option<DbError>) {
        self.clear_row();
        let ran = std::mem::take(&mut self.stepped);
        let err = self.last_err.take();
        let r = self.stmt.reset();
        (ran, err.or(r.err()))
    }

    /// Reports a reset's outcome on the connection as SQLite does: the
    /// statement's error, else SQLITE_OK if it had run, else nothing.
    fn report_reset(c: &Connection, (ran, err): (bool, Option<DbError>)) -> c_int {
        match err {
            Some(e) => c.set_db_error(&e),
            None if ran => c.set_code(ResultCode::OK),
            None => ResultCode::OK.0,
        }
    }
}

/// One prepared statement, as C sees it.
pub struct Statement {
    magic: u32,
    conn: *mut sqlite3,
    /// Prepared with the legacy `sqlite3_prepare`: step reports generic codes.
    legacy: bool,
    state: ReentrantMutex<RefCell<StmtState>>,
}

impl Handle for Statement {
    const MAGIC: u32 = STMT_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

/// The live statement `p`, or `None`.
pub(crate) fn stmt<'a>(p: *const sqlite3_stmt) -> Option<&'a Statement> {
    // SAFETY: handle::get only dereferences live statements; the C caller
    // does not finalize `p` while this call uses it (SQLite's contract).
    unsafe { handle::get(p) }
}

/// Runs `f` on a live statement, its connection and its state; `dflt` if
/// the handle is bad or the statement is re-entered (invariant 4).
pub(crate) fn with_stmt<R: Clone>(
    p: *mut sqlite3_stmt,
    dflt: R,
    f: impl FnOnce(&Statement, &Connection, &mut StmtState) -> R,
) -> R {
    guard(dflt.clone(), || {
        let Some(s) = stmt(p) else { return dflt };
        let Some(c) = conn(s.conn) else { return dflt };
        let lock = s.state.lock();
        let Ok(mut st) = lock.try_borrow_mut() else {
            return dflt;
        };
        f(s, c, &mut st)
    })
}

/// Like [`with_stmt`], without the connection lookup (hot column
/// accessors): `f` gets the connection handle to look up only when it has
/// something to report.
pub(crate) fn with_state<R: Clone>(
    p: *mut sqlite3_stmt,
    dflt: R,
    f: impl FnOnce(*mut sqlite3, &mut StmtState) -> R,
) -> R {
    guard(dflt.clone(), || {
        let Some(s) = stmt(p) else { return dflt };
        let lock = s.state.lock();
        let Ok(mut st) = lock.try_borrow_mut() else {
            return dflt;
        };
        f(s.conn, &mut st)
    })
}

/// The SQL bytes of a prepare call: `n < 0` means up to the NUL; otherwise
/// at most `n` bytes, stopping early at a NUL.
///
/// # Safety
/// `z` is non-NULL and readable up to its NUL or `n` bytes.
unsafe fn sql_bytes<'a>(z: *const c_char, n: c_int) -> &'a [u8] {
    let z = z.cast::<u8>();
    let mut len = 0usize;
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    // SAFETY: we read byte by byte and stop at the NUL or the limit.
    while len < limit && unsafe { *z.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: the first `len` bytes were just read.
    unsafe { std::slice::from_raw_parts(z, len) }
}

/// Bytes looked at first when preparing from a long SQL text.
const PREFIX_BYTES: usize = 1 << 15;

/// Prepares the first statement from the first [`PREFIX_BYTES`] of `z` when
/// the text is longer and that statement ends (successfully) inside the
/// prefix; `None` means the caller must look at the whole text.
///
/// # Safety
/// As [`sql_bytes`].
unsafe fn prepare_prefix(
    c: &Connection,
    p: *mut sqlite3,
    z: *const c_char,
    n: c_int,
    legacy: bool,
) -> Option<(c_int, *mut sqlite3_stmt, usize)> {
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    if limit <= PREFIX_BYTES {
        return None;
    }
    let cap = c_int::try_from(PREFIX_BYTES).ok()?;
    // SAFETY: forwarded contract; at most `cap` bytes, stopping at a NUL.
    let bytes = unsafe { sql_bytes(z, cap) };
    if bytes.len() < PREFIX_BYTES {
        return None; // the whole text is short: the ordinary path is cheap
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        // A character cut by the prefix end: keep the whole ones before it.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(bytes.get(..e.valid_up_to())?).ok()?
        }
        Err(_) => return None,
    };
    let (rc, h, off) = prepare_str(c, p, text, legacy);
    if rc == ResultCode::OK.0 && off < text.len() {
        return Some((rc, h, off));
    }
    if !h.is_null() {
        sqlite3_finalize(h);
    }
    None
}

/// Prepares the first statement of `sql`; returns (rc, handle, tail offset).
/// Enforces SQLITE_LIMIT_SQL_LENGTH and SQLITE_LIMIT_VARIABLE_NUMBER, and
/// asks the collation-needed callback for a missing collation (then
/// retries once).
fn prepare_str(
    c: &Connection,
    p: *mut sqlite3,
    sql: &str,
    legacy: bool,
) -> (c_int, *mut sqlite3_stmt, usize) {
    let Some(db) = c.database() else {
        return (c.set_code(ResultCode::MISUSE), std::ptr::null_mut(), 0);
    };
    if sql.len() > usize::try_from(c.limit(1, -1)).unwrap_or(0) {
        let rc = c.set_error(ResultCode::TOOBIG, "statement too long");
        return (rc, std::ptr::null_mut(), sql.len());
    }
    let mut r = db.prepare_tail(sql, 0);
    if let Err(e) = &r {
        if crate::collation::ask_for_collation(p, &e.to_string()) {
            r = db.prepare_tail(sql, 0);
        }
    }
    match r {
        Ok((Some(s), _)) if s.parameter_count() > usize::try_from(c.limit(9, -1)).unwrap_or(0) => {
            drop(s);
            let rc = c.set_error(ResultCode::ERROR, "too many SQL variables");
            (rc, std::ptr::null_mut(), sql.len())
        }
        Ok((Some(s), tail)) => {
            let st = Statement {
                magic: STMT_MAGIC,
                conn: p,
                legacy,
                state: ReentrantMutex::new(RefCell::new(StmtState::new(s))),
            };
            let h = handle::register(st);
            c.stmts.lock().push(h as usize);
            (c.set_code(ResultCode::OK), h, tail)
        }
        Ok((None, tail)) => (c.set_code(ResultCode::OK), std::ptr::null_mut(), tail),
        Err(e) => {
            let rc = c.set_db_error(&e);
            c.set_error_offset(db.error_offset());
            (rc, std::ptr::null_mut(), sql.len())
        }
    }
}

/// # Safety
/// `z` is NULL or readable as [`sql_bytes`] requires; `pp`/`tail` are NULL
/// or valid out-pointers.
unsafe fn prepare_impl(
    p: *mut sqlite3,
    z: *const c_char,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_char,
    legacy: bool,
) -> c_int {
    if pp.is_null() {
        return ResultCode::MISUSE.0;
    }
    // SAFETY: pp is a valid out-pointer (checked non-NULL).
    unsafe { *pp = std::ptr::null_mut() };
    let Some(c) = conn(p) else {
        return ResultCode::MISUSE.0;
    };
    if z.is_null() {
        return c.set_code(ResultCode::MISUSE);
    }
    // A long script is prepared one statement at a time: look at a bounded
    // prefix first so each call costs O(statement), not O(rest of script).
    // SAFETY: forwarded contract.
    if let Some((rc, h, off)) = unsafe { prepare_prefix(c, p, z, n, legacy) } {
        // SAFETY: pp checked above; tail is NULL or valid; off is within the
        // prefix just read.
        unsafe {
            *pp = h;
            if !tail.is_null() {
                *tail = z.add(off);
            }
        }
        return rc;
    }
    // SAFETY: forwarded contract.
    let bytes = unsafe { sql_bytes(z, n) };
    let (rc, h, off) = match std::str::from_utf8(bytes) {
        Ok(sql) => prepare_str(c, p, sql, legacy),
        Err(_) => {
            let (rc, h, _) = prepare_str(c, p, &String::from_utf8_lossy(bytes), legacy);
            (rc, h, bytes.len())
        }
    };
    // SAFETY: pp checked above; tail is NULL or valid; off <= bytes.len().
    unsafe {
        *pp = h;
        if !tail.is_null() {
            *tail = z.add(off.min(bytes.len()));
        }
    }
    rc
}

/// `sqlite3_prepare(db, sql, n, ppStmt, pzTail)` (legacy error codes).
///
/// # Safety
/// `sql` is readable up to its NUL or `n` bytes; out-pointers valid or NULL.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare(
    p: *mut sqlite3,
    sql: *const c_char,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_char,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare_impl(p, sql, n, pp, tail, true) })
}

/// `sqlite3_prepare_v2(db, sql, n, ppStmt, pzTail)`.
///
/// # Safety
/// As [`sqlite3_prepare`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare_v2(
    p: *mut sqlite3,
    sql: *const c_char,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_char,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare_impl(p, sql, n, pp, tail, false) })
}

/// `sqlite3_prepare_v3(db, sql, n, flags, ppStmt, pzTail)`; the flags are
/// hints loom does not need.
///
/// # Safety
/// As [`sqlite3_prepare`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare_v3(
    p: *mut sqlite3,
    sql: *const c_char,
    n: c_int,
    _flags: c_uint,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_char,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare_impl(p, sql, n, pp, tail, false) })
}

/// # Safety
/// `z` is NULL or native UTF-16 readable up to a 0 unit or `n` bytes.
unsafe fn prepare16_impl(
    p: *mut sqlite3,
    z: *const c_void,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_void,
    legacy: bool,
) -> c_int {
    if pp.is_null() {
        return ResultCode::MISUSE.0;
    }
    // SAFETY: pp is a valid out-pointer (checked non-NULL).
    unsafe { *pp = std::ptr::null_mut() };
    let Some(c) = conn(p) else {
        return ResultCode::MISUSE.0;
    };
    if z.is_null() {
        return c.set_code(ResultCode::MISUSE);
    }
    let zu = z.cast::<u16>();
    let limit = usize::try_from(n).map_or(usize::MAX, |n| n / 2);
    let mut units = Vec::new();
    // SAFETY: read unit by unit up to the 0 unit or the byte limit.
    while units.len() < limit && unsafe { zu.add(units.len()).read_unaligned() } != 0 {
        // SAFETY: as above.
        units.push(unsafe { zu.add(units.len()).read_unaligned() });
    }
    let sql = String::from_utf16_lossy(&units);
    let (rc, h, off) = prepare_str(c, p, &sql, legacy);
    // Map the UTF-8 tail offset back to UTF-16 units.
    let off16: usize = sql
        .get(..off)
        .map_or(units.len(), |s| s.encode_utf16().count());
    // SAFETY: pp checked above; tail is NULL or valid; off16 <= units.len().
    unsafe {
        *pp = h;
        if !tail.is_null() {
            *tail = zu.add(off16.min(units.len())).cast();
        }
    }
    rc
}

/// `sqlite3_prepare16(db, sql, n, ppStmt, pzTail)`.
///
/// # Safety
/// `sql` is native UTF-16, readable up to a 0 unit or `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare16(
    p: *mut sqlite3,
    sql: *const c_void,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare16_impl(p, sql, n, pp, tail, true) })
}

/// `sqlite3_prepare16_v2(db, sql, n, ppStmt, pzTail)`.
///
/// # Safety
/// As [`sqlite3_prepare16`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare16_v2(
    p: *mut sqlite3,
    sql: *const c_void,
    n: c_int,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare16_impl(p, sql, n, pp, tail, false) })
}

/// `sqlite3_prepare16_v3(db, sql, n, flags, ppStmt, pzTail)`.
///
/// # Safety
/// As [`sqlite3_prepare16`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_prepare16_v3(
    p: *mut sqlite3,
    sql: *const c_void,
    n: c_int,
    _flags: c_uint,
    pp: *mut *mut sqlite3_stmt,
    tail: *mut *const c_void,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| unsafe { prepare16_impl(p, sql, n, pp, tail, false) })
}

/// `sqlite3_step(stmt)`: SQLITE_ROW, SQLITE_DONE or an error code.
/// Trace callbacks run outside the statement's borrow, so they may call
/// `sqlite3_expanded_sql` and friends on it.
#[no_mangle]
pub extern "C" fn sqlite3_step(p: *mut sqlite3_stmt) -> c_int {
    // Without tracing callbacks the step runs inside the one handle check
    // (no second lookup of the statement and its connection).
    let untraced = with_stmt(p, None, |s, c, st| {
        (!c.tracing()).then(|| step_body(s, c, st))
    });
    if let Some(rc) = untraced {
        return rc;
    }
    guard_rc(|| {
        let Some(c) = stmt(p).and_then(|s| conn(s.conn)) else {
            return ResultCode::MISUSE.0;
        };
        let starting = with_stmt(p, None, |_, _, st| {
            (!st.stmt.busy() || st.last_err.is_some()).then(|| st.sql.clone())
        });
        if let Some(sql) = &starting {
            crate::callbacks::on_stmt_start(c, p, sql, || expanded(p));
            with_stmt(p, (), |_, _, st| {
                st.started = Some(std::time::Instant::now())
            });
        }
        let rc = step_impl(p);
        if rc & 0xff == ResultCode::ROW.0 {
            crate::callbacks::on_row(c, p);
        } else if let Some((sql, t)) = with_stmt(p, None, |_, _, st| {
            st.started.take().map(|t| (st.sql.clone(), t))
        }) {
            let ns = i64::try_from(t.elapsed().as_nanos()).unwrap_or(i64::MAX);
            crate::callbacks::on_stmt_end(c, p, &sql, ns);
        }
        rc
    })
}

fn step_impl(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, ResultCode::MISUSE.0, step_body)
}

/// One step of a checked statement (the body of `sqlite3_step`).
fn step_body(s: &Statement, c: &Connection, st: &mut StmtState) -> c_int {
    if st.last_err.is_some() {
        let _ = st.reset(); // automatic reset after an error, as since 3.7.0
    }
    st.clear_row();
    st.stepped = true;
    let result = st.stmt.step();
    st.refresh_if_recompiled();
    match result {
        Ok(StepResult::Row) => c.set_code(ResultCode::ROW),
        Ok(StepResult::Done) => c.set_code(ResultCode::DONE),
        Err(e) => {
            let rc = c.set_db_error(&e);
            st.last_err = Some(e);
            let primary = rc & 0xff;
            if s.legacy && primary != ResultCode::BUSY.0 && primary != ResultCode::MISUSE.0 {
                ResultCode::ERROR.0
            } else {
                rc
            }
        }
    }
}

/// The expanded SQL of `p`, or `None` when it exceeds SQLITE_LIMIT_LENGTH.
fn expanded(p: *mut sqlite3_stmt) -> Option<CString> {
    with_stmt(p, None, |_, c, st| {
        let text = st.stmt.expanded_sql();
        (text.len() <= usize::try_from(c.limit(0, -1)).unwrap_or(0)).then(|| cstring(&text))
    })
}

/// `sqlite3_reset(stmt)`: rewinds; reports the last step's error, if any.
#[no_mangle]
pub extern "C" fn sqlite3_reset(p: *mut sqlite3_stmt) -> c_int {
    if p.is_null() {
        return ResultCode::OK.0;
    }
    with_stmt(p, ResultCode::MISUSE.0, |_, c, st| {
        let outcome = st.reset();
        StmtState::report_reset(c, outcome)
    })
}

/// Takes statement `p` back from C (finalize).
fn take(p: *mut sqlite3_stmt) -> Option<Box<Statement>> {
    // SAFETY: only called by finalize after checking the statement is not
    // borrowed; the C caller does not use `p` again after finalize.
    unsafe { handle::release(p) }
}

/// `sqlite3_finalize(stmt)`: destroys; reports the last step's error.
#[no_mangle]
pub extern "C" fn sqlite3_finalize(p: *mut sqlite3_stmt) -> c_int {
    guard_rc(|| {
        if p.is_null() {
            return ResultCode::OK.0;
        }
        let Some(s) = stmt(p) else {
            return ResultCode::MISUSE.0;
        };
        let cp = s.conn;
        if s.state.lock().try_borrow_mut().is_err() {
            return ResultCode::MISUSE.0; // finalize from inside its own callback
        }
        let Some(b) = take(p) else {
            return ResultCode::MISUSE.0;
        };
        let mut st = b.state.into_inner().into_inner();
        let outcome = st.reset();
        for (ptr, dtor) in st.pointer_dtors.drain(..) {
            // SAFETY: the application supplied this destructor for this pointer.
            unsafe { dtor(ptr as *mut c_void) };
        }
        drop(st);
        let rc = match conn(cp) {
            Some(c) => {
                c.stmts.lock().retain(|&x| x != p as usize);
                StmtState::report_reset(c, outcome)
            }
            None => ResultCode::OK.0,
        };
        statement_gone(cp);
        rc
    })
}

/// `sqlite3_sql(stmt)`: the SQL text of the statement.
#[no_mangle]
pub extern "C" fn sqlite3_sql(p: *mut sqlite3_stmt) -> *const c_char {
    with_stmt(p, std::ptr::null(), |_, _, st| st.sql.as_ptr())
}

/// `sqlite3_expanded_sql(stmt)`: the SQL with parameters expanded, in
/// memory from `sqlite3_malloc` that the caller frees; NULL when longer
/// than SQLITE_LIMIT_LENGTH.
#[no_mangle]
pub extern "C" fn sqlite3_expanded_sql(p: *mut sqlite3_stmt) -> *mut c_char {
    match expanded(p) {
        Some(t) => malloc_cstr(t.as_bytes()),
        None => std::ptr::null_mut(),
    }
}

/// `sqlite3_stmt_readonly(stmt)`: 1 if the statement cannot write.
#[no_mangle]
pub extern "C" fn sqlite3_stmt_readonly(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, 1, |_, _, st| c_int::from(st.stmt.readonly()))
}

/// `sqlite3_stmt_isexplain(stmt)`: 0, 1 (EXPLAIN) or 2 (EXPLAIN QUERY PLAN).
#[no_mangle]
pub extern "C" fn sqlite3_stmt_isexplain(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, 0, |_, _, st| c_int::from(st.stmt.is_explain()))
}

/// `sqlite3_stmt_busy(stmt)`: 1 between the first step and completion/reset.
#[no_mangle]
pub extern "C" fn sqlite3_stmt_busy(p: *mut sqlite3_stmt) -> c_int {
    with_stmt(p, 0, |_, _, st| c_int::from(st.stmt.busy()))
}

/// `sqlite3_db_handle(stmt)`: the statement's connection.
#[no_mangle]
pub extern "C" fn sqlite3_db_handle(p: *mut sqlite3_stmt) -> *mut sqlite3 {
    guard(std::ptr::null_mut(), || {
        stmt(p).map_or(std::ptr::null_mut(), |s| s.conn)
    })
}

/// `sqlite3_next_stmt(db, stmt)`: the statement after `stmt` (the first
/// one for NULL), or NULL.
#[no_mangle]
pub extern "C" fn sqlite3_next_stmt(db: *mut sqlite3, p: *mut sqlite3_stmt) -> *mut sqlite3_stmt {
    guard(std::ptr::null_mut(), || {
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let list = c.stmts.lock();
        let next = if p.is_null() {
            list.first()
        } else {
            list.iter()
                .position(|&x| x == p as usize)
                .and_then(|i| list.get(i + 1))
        };
        next.map_or(std::ptr::null_mut(), |&x| x as *mut sqlite3_stmt)
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Opens connections and prepares statements through the C entry points.
    use super::*;
    use crate::connection::{flags, sqlite3_open_v2};

    pub(crate) fn open_memory() -> *mut sqlite3 {
        let mut db = std::ptr::null_mut();
        let fl = flags::READWRITE | flags::CREATE;
        // SAFETY: NUL-terminated literal and a valid out-pointer.
        let rc = unsafe { sqlite3_open_v2(c":memory:".as_ptr(), &mut db, fl, std::ptr::null()) };
        assert_eq!(rc, 0);
        db
    }

    pub(crate) fn prepare(db: *mut sqlite3, sql: &std::ffi::CStr) -> *mut sqlite3_stmt {
        let mut st = std::ptr::null_mut();
        // SAFETY: NUL-terminated SQL and a valid out-pointer.
        let rc = unsafe { sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut st, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "prepare {sql:?}");
        st
    }
}
