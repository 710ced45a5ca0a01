//! Virtual-table modules written in C: `sqlite3_create_module[_v2]`,
//! `sqlite3_declare_vtab`, `sqlite3_vtab_config`, `sqlite3_vtab_on_conflict`,
//! `sqlite3_vtab_nochange`, `sqlite3_vtab_collation`, `sqlite3_drop_modules`,
//! and the adapter that wraps a C `sqlite3_module` into the engine's
//! [`VTabModule`] / [`VTab`] / [`VTabCursor`] traits.
//!
//! SQLite counterpart: vtab.c (`sqlite3_create_module`,
//! `sqlite3_declare_vtab`, `sqlite3_vtab_config`, `vtabCallConstructor`)
//! and the xMethod calls of vdbe.c / where.c.
//!
//! Layout (LP64): `sqlite3_vtab` = {pModule ptr, nRef int, zErrMsg char*};
//! `sqlite3_vtab_cursor` = {pVtab ptr}; `sqlite3_module` = iVersion int then
//! 19 function pointers up to xRename (version 1), 3 more in version 2
//! (xSavepoint, xRelease, xRollbackTo) and xShadowName in version 3.
//!
//! Invariants:
//! 1. Only the version-1 slots of a module are read (copied at
//!    registration), so a shorter version-1 struct is never over-read.
//! 2. `sqlite3_declare_vtab` and `sqlite3_vtab_config` act on the innermost
//!    xCreate/xConnect call running on this thread (a thread-local stack);
//!    outside one they return SQLITE_MISUSE. They never borrow the
//!    connection, which is busy running the statement that called xCreate.
//! 3. A module error's message is the table's `zErrMsg` (then freed and
//!    cleared) or, without one, the result code's standard text.
//! 4. Every `sqlite3_vtab_cursor` opened is closed exactly once (Drop).
//! 5. Registering a module installs the VM's callback lender
//!    (`reentry.rs`), so methods the VM calls while a statement runs
//!    (xCreate, xDestroy, xOpen, xFilter, xNext, xColumn, xRowid, xUpdate,
//!    xBegin, xSync, xCommit, xRollback) may run SQL on their connection.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::Arc;

use crate::bind::{run_destructor, Destructor};
use crate::connection::{arg_str, sqlite3, with_db};
use crate::function::{sqlite3_context, with_result_context};
use crate::guard::guard_rc;
use crate::value::{drop_value, new_value, sqlite3_value};
use crate::vtab_index::{sqlite3_index_info, CIndexInfo};
use loomdb::api::Value;
use loomdb::rc::ResultCode;
use loomdb::vtab::{ConflictMode, IndexInfo, VTab, VTabCursor, VTabError, VTabModule, VTabResult};

/// `sqlite3_vtab`.
#[repr(C)]
pub struct sqlite3_vtab {
    pub p_module: *const c_void,
    pub n_ref: c_int,
    pub z_err_msg: *mut c_char,
}

/// `sqlite3_vtab_cursor`.
#[repr(C)]
pub struct sqlite3_vtab_cursor {
    pub p_vtab: *mut sqlite3_vtab,
}

type XCtor = Option<
    unsafe extern "C" fn(
        *mut sqlite3,
        *mut c_void,
        c_int,
        *const *const c_char,
        *mut *mut sqlite3_vtab,
        *mut *mut c_char,
    ) -> c_int,
>;
type XVt = Option<unsafe extern "C" fn(*mut sqlite3_vtab) -> c_int>;
type XCur = Option<unsafe extern "C" fn(*mut sqlite3_vtab_cursor) -> c_int>;

/// The version-1 part of `sqlite3_module` (invariant 1).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct sqlite3_module {
    pub i_version: c_int,
    pub x_create: XCtor,
    pub x_connect: XCtor,
    pub x_best_index:
        Option<unsafe extern "C" fn(*mut sqlite3_vtab, *mut sqlite3_index_info) -> c_int>,
    pub x_disconnect: XVt,
    pub x_destroy: XVt,
    pub x_open:
        Option<unsafe extern "C" fn(*mut sqlite3_vtab, *mut *mut sqlite3_vtab_cursor) -> c_int>,
    pub x_close: XCur,
    pub x_filter: Option<
        unsafe extern "C" fn(
            *mut sqlite3_vtab_cursor,
            c_int,
            *const c_char,
            c_int,
            *mut *mut sqlite3_value,
        ) -> c_int,
    >,
    pub x_next: XCur,
    pub x_eof: XCur,
    pub x_column: Option<
        unsafe extern "C" fn(*mut sqlite3_vtab_cursor, *mut sqlite3_context, c_int) -> c_int,
    >,
    pub x_rowid: Option<unsafe extern "C" fn(*mut sqlite3_vtab_cursor, *mut i64) -> c_int>,
    pub x_update: Option<
        unsafe extern "C" fn(*mut sqlite3_vtab, c_int, *mut *mut sqlite3_value, *mut i64) -> c_int,
    >,
    pub x_begin: XVt,
    pub x_sync: XVt,
    pub x_commit: XVt,
    pub x_rollback: XVt,
    pub x_find_function: *const c_void,
    pub x_rename: Option<unsafe extern "C" fn(*mut sqlite3_vtab, *const c_char) -> c_int>,
}

thread_local! {
    /// Schemas declared by the xCreate/xConnect calls running (invariant 2).
    static DECLARE: RefCell<Vec<Option<String>>> = const { RefCell::new(Vec::new()) };
    /// The conflict mode of the xUpdate running (SQLITE_ABORT outside one).
    static ON_CONFLICT: Cell<c_int> = const { Cell::new(4) };
}

/// A registered C module.
struct CModule {
    db: *mut sqlite3,
    raw: *const c_void,
    m: sqlite3_module,
    aux: *mut c_void,
    destroy: Destructor,
}

// SAFETY: SQLite's threading contract: a module's methods and pointers may
// be used from whichever thread runs the connection; loom calls them only
// while the connection is locked.
unsafe impl Send for CModule {}
// SAFETY: as above; CModule is immutable after registration.
unsafe impl Sync for CModule {}

impl Drop for CModule {
    fn drop(&mut self) {
        run_destructor(self.destroy, self.aux);
    }
}

/// A connected C table.
struct CVTab {
    module: Arc<CModule>,
    vt: *mut sqlite3_vtab,
}

// SAFETY: as for CModule.
unsafe impl Send for CVTab {}
// SAFETY: as for CModule.
unsafe impl Sync for CVTab {}

/// An open C cursor.
struct CCursor {
    tab_module: Arc<CModule>,
    vt: *mut sqlite3_vtab,
    cur: *mut sqlite3_vtab_cursor,
}

// SAFETY: as for CModule.
unsafe impl Send for CCursor {}

/// The error of a failed method on `vt` (invariant 3).
fn vtab_error(vt: *mut sqlite3_vtab, rc: c_int) -> VTabError {
    let code = ResultCode(rc);
    let mut msg = None;
    if !vt.is_null() {
        // SAFETY: `vt` is the module's live table; zErrMsg is NULL or a
        // sqlite3_malloc'd string the module handed over.
        unsafe {
            let z = (*vt).z_err_msg;
            if !z.is_null() {
                msg = arg_str(z);
                crate::memory::sqlite3_free(z.cast());
                (*vt).z_err_msg = std::ptr::null_mut();
            }
        }
    }
    VTabError {
        code,
        msg: msg.unwrap_or_else(|| code.errstr().to_string()),
    }
}

fn check(vt: *mut sqlite3_vtab, rc: c_int) -> VTabResult<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(vtab_error(vt, rc))
    }
}

/// New `sqlite3_value`s for `vals` (freed by [`free_values`]).
fn values(vals: &[Value]) -> Vec<*mut sqlite3_value> {
    vals.iter().map(|v| new_value(v.clone(), false)).collect()
}

fn free_values(v: Vec<*mut sqlite3_value>) {
    for p in v {
        drop_value(p);
    }
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

impl CModule {
    /// xCreate or xConnect (`vtabCallConstructor`).
    fn construct(
        self: &Arc<Self>,
        args: &[String],
        create: bool,
    ) -> VTabResult<(String, Box<dyn VTab>)> {
        let table = args.get(2).cloned().unwrap_or_default();
        let f = if create {
            self.m.x_create
        } else {
            self.m.x_connect
        };
        let Some(f) = f else {
            return Err(VTabError::new(format!("no such module: {}", args[0])));
        };
        let owned: Vec<CString> = args.iter().map(|a| cstring(a)).collect();
        let argv: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let mut vt: *mut sqlite3_vtab = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        DECLARE.with(|d| d.borrow_mut().push(None));
        // SAFETY: the module's constructor with SQLite's documented
        // arguments: argv holds argc NUL-terminated strings alive for the
        // call, the out-pointers are valid locals.
        let rc = unsafe {
            f(
                self.db,
                self.aux,
                argv.len() as c_int,
                argv.as_ptr(),
                &mut vt,
                &mut err,
            )
        };
        let declared = DECLARE.with(|d| d.borrow_mut().pop().flatten());
        let msg = if err.is_null() {
            None
        } else {
            // SAFETY: *pzErr is a sqlite3_malloc'd NUL-terminated string.
            unsafe {
                let m = arg_str(err);
                crate::memory::sqlite3_free(err.cast());
                m
            }
        };
        if rc != 0 {
            return Err(VTabError {
                code: ResultCode(rc),
                msg: msg.unwrap_or_else(|| format!("vtable constructor failed: {table}")),
            });
        }
        if vt.is_null() {
            return Err(VTabError::new(format!(
                "vtable constructor failed: {table}"
            )));
        }
        // SAFETY: the constructor returned a live table; SQLite fills in
        // pModule, as here.
        unsafe { (*vt).p_module = self.raw };
        let tab = CVTab {
            module: self.clone(),
            vt,
        };
        let Some(declared) = declared else {
            tab.disconnect();
            return Err(VTabError::new(format!(
                "vtable constructor did not declare schema: {table}"
            )));
        };
        Ok((declared, Box::new(tab)))
    }
}

/// The engine's view of a registered C module.
struct ModuleHandle(Arc<CModule>);

impl VTabModule for ModuleHandle {
    fn create(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        self.0.construct(args, true)
    }
    fn connect(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        self.0.construct(args, false)
    }
    fn eponymous_only(&self) -> bool {
        self.0.m.x_create.is_none()
    }
    fn eponymous(&self) -> bool {
        let m = &self.0.m;
        m.x_create.is_none() || m.x_create.map(|f| f as usize) == m.x_connect.map(|f| f as usize)
    }
}

impl CVTab {
    fn call(&self, f: XVt) -> VTabResult<()> {
        match f {
            // SAFETY: a module method on its own live table.
            Some(f) => check(self.vt, unsafe { f(self.vt) }),
            None => Ok(()),
        }
    }
}

impl VTab for CVTab {
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()> {
        let Some(f) = self.module.m.x_best_index else {
            return Err(VTabError::new("xBestIndex missing"));
        };
        let mut c = CIndexInfo::new(info);
        // SAFETY: `c.info` points into arrays owned by `c`, alive for the call.
        let rc = unsafe { f(self.vt, &mut c.info) };
        c.read_back(info);
        check(self.vt, rc)
    }

    fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
        let Some(f) = self.module.m.x_open else {
            return Err(VTabError::new("xOpen missing"));
        };
        let mut cur: *mut sqlite3_vtab_cursor = std::ptr::null_mut();
        // SAFETY: xOpen on the live table with a valid out-pointer.
        check(self.vt, unsafe { f(self.vt, &mut cur) })?;
        if cur.is_null() {
            return Err(VTabError::new("xOpen returned no cursor"));
        }
        // SAFETY: xOpen returned a live cursor; SQLite sets pVtab.
        unsafe { (*cur).p_vtab = self.vt };
        Ok(Box::new(CCursor {
            tab_module: self.module.clone(),
            vt: self.vt,
            cur,
        }))
    }

    fn disconnect(&self) {
        let _ = self.call(self.module.m.x_disconnect);
    }

    fn destroy(&self) -> VTabResult<()> {
        self.call(self.module.m.x_destroy)
    }

    fn update(&self, args: &[Value], on_conflict: ConflictMode) -> VTabResult<Option<i64>> {
        let Some(f) = self.module.m.x_update else {
            return Err(VTabError::new("read-only"));
        };
        let mut rowid = match args.get(1) {
            Some(Value::Integer(i)) => *i,
            _ => 0,
        };
        let mut argv = values(args);
        let saved = ON_CONFLICT.with(|c| c.replace(on_conflict.code()));
        // SAFETY: argv holds argc live values for the call; rowid is a
        // valid out-pointer.
        let rc = unsafe { f(self.vt, argv.len() as c_int, argv.as_mut_ptr(), &mut rowid) };
        ON_CONFLICT.with(|c| c.set(saved));
        free_values(argv);
        check(self.vt, rc)?;
        Ok(Some(rowid))
    }

    fn writable(&self) -> bool {
        self.module.m.x_update.is_some()
    }

    fn begin(&self) -> VTabResult<()> {
        self.call(self.module.m.x_begin)
    }
    fn sync(&self) -> VTabResult<()> {
        self.call(self.module.m.x_sync)
    }
    fn commit(&self) -> VTabResult<()> {
        self.call(self.module.m.x_commit)
    }
    fn rollback(&self) -> VTabResult<()> {
        self.call(self.module.m.x_rollback)
    }

    fn rename(&self, new_name: &str) -> VTabResult<()> {
        match self.module.m.x_rename {
            Some(f) => {
                let z = cstring(new_name);
                // SAFETY: xRename with a NUL-terminated name alive for the call.
                check(self.vt, unsafe { f(self.vt, z.as_ptr()) })
            }
            None => Ok(()),
        }
    }
}

impl CCursor {
    fn m(&self) -> &sqlite3_module {
        &self.tab_module.m
    }
}

impl VTabCursor for CCursor {
    fn filter(&mut self, idx_num: i32, idx_str: Option<&str>, args: &[Value]) -> VTabResult<()> {
        let Some(f) = self.m().x_filter else {
            return Err(VTabError::new("xFilter missing"));
        };
        let z = idx_str.map(cstring);
        let mut argv = values(args);
        // SAFETY: xFilter on the live cursor; idxStr and argv live for the call.
        let rc = unsafe {
            f(
                self.cur,
                idx_num,
                z.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
                argv.len() as c_int,
                argv.as_mut_ptr(),
            )
        };
        free_values(argv);
        check(self.vt, rc)
    }

    fn next(&mut self) -> VTabResult<()> {
        match self.m().x_next {
            // SAFETY: xNext on the live cursor.
            Some(f) => check(self.vt, unsafe { f(self.cur) }),
            None => Err(VTabError::new("xNext missing")),
        }
    }

    fn eof(&self) -> bool {
        match self.m().x_eof {
            // SAFETY: xEof on the live cursor.
            Some(f) => unsafe { f(self.cur) != 0 },
            None => true,
        }
    }

    fn column(&mut self, i: usize, _nochange: bool) -> VTabResult<Value> {
        let Some(f) = self.m().x_column else {
            return Err(VTabError::new("xColumn missing"));
        };
        let mut rc = 0;
        let cur = self.cur;
        let r = with_result_context(self.tab_module.db, |ctx| {
            // SAFETY: xColumn on the live cursor with a live context.
            rc = unsafe { f(cur, ctx, i as c_int) };
        });
        check(self.vt, rc)?;
        r.map_err(|(code, msg)| VTabError { code, msg })
    }

    fn rowid(&mut self) -> VTabResult<i64> {
        let Some(f) = self.m().x_rowid else {
            return Err(VTabError::new("xRowid missing"));
        };
        let mut r = 0i64;
        // SAFETY: xRowid on the live cursor with a valid out-pointer.
        check(self.vt, unsafe { f(self.cur, &mut r) })?;
        Ok(r)
    }
}

impl Drop for CCursor {
    fn drop(&mut self) {
        if let Some(f) = self.m().x_close {
            // SAFETY: the cursor is live and closed exactly once (invariant 4).
            unsafe { f(self.cur) };
        }
    }
}

fn create_module(
    db: *mut sqlite3,
    name: *const c_char,
    m: *const sqlite3_module,
    aux: *mut c_void,
    destroy: Destructor,
) -> c_int {
    if crate::connection::conn(db).is_none() {
        run_destructor(destroy, aux);
        return ResultCode::MISUSE.0;
    }
    crate::reentry::install_vtab_lending();
    // SAFETY: `name` is NULL or NUL-terminated (caller's contract).
    let Some(name) = (unsafe { arg_str(name) }) else {
        run_destructor(destroy, aux);
        return ResultCode::MISUSE.0;
    };
    let module: Option<Arc<dyn VTabModule>> = if m.is_null() {
        run_destructor(destroy, aux);
        None
    } else {
        // SAFETY: a non-NULL module pointer addresses at least the
        // version-1 struct (invariant 1); it is copied.
        let copy = unsafe { std::ptr::read(m) };
        Some(Arc::new(ModuleHandle(Arc::new(CModule {
            db,
            raw: m.cast(),
            m: copy,
            aux,
            destroy,
        }))))
    };
    with_db(db, |c, database| {
        match database.create_module(&name, module) {
            Ok(()) => ResultCode::OK.0,
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// `sqlite3_create_module(db, zName, p, pClientData)`.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `m` is NULL or a module struct that
/// outlives the registration.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_module(
    db: *mut sqlite3,
    name: *const c_char,
    m: *const sqlite3_module,
    aux: *mut c_void,
) -> c_int {
    guard_rc(|| create_module(db, name, m, aux, None))
}

/// `sqlite3_create_module_v2(db, zName, p, pClientData, xDestroy)`.
///
/// # Safety
/// As [`sqlite3_create_module`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_module_v2(
    db: *mut sqlite3,
    name: *const c_char,
    m: *const sqlite3_module,
    aux: *mut c_void,
    destroy: Destructor,
) -> c_int {
    guard_rc(|| create_module(db, name, m, aux, destroy))
}

/// `sqlite3_drop_modules(db, azKeep)`: removes every module not listed in
/// the NULL-terminated array `keep` (all when `keep` is NULL).
///
/// # Safety
/// `keep` is NULL or a NULL-terminated array of NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_drop_modules(
    db: *mut sqlite3,
    keep: *const *const c_char,
) -> c_int {
    guard_rc(|| {
        let mut names = Vec::new();
        let mut p = keep;
        while !p.is_null() {
            // SAFETY: within the caller's NULL-terminated array.
            let z = unsafe { *p };
            if z.is_null() {
                break;
            }
            // SAFETY: a NUL-terminated string of the array.
            names.extend(unsafe { arg_str(z) });
            // SAFETY: the terminator has not been reached yet.
            p = unsafe { p.add(1) };
        }
        with_db(db, |c, database| match database.drop_modules(&names) {
            Ok(()) => ResultCode::OK.0,
            Err(e) => c.set_db_error(&e),
        })
    })
}

/// `sqlite3_declare_vtab(db, zSQL)` (invariant 2).
///
/// # Safety
/// `sql` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_declare_vtab(_db: *mut sqlite3, sql: *const c_char) -> c_int {
    guard_rc(|| {
        // SAFETY: forwarded contract.
        let Some(sql) = (unsafe { arg_str(sql) }) else {
            return ResultCode::MISUSE.0;
        };
        let ok = matches!(
            loomdb::sql::parse_one(&sql, 0),
            Ok((Some(p), _)) if matches!(p.stmt, loomdb::sql::ast::Stmt::CreateTable(_))
        );
        DECLARE.with(|d| match d.borrow_mut().last_mut() {
            None => ResultCode::MISUSE.0,
            Some(_) if !ok => ResultCode::ERROR.0,
            Some(slot) => {
                *slot = Some(sql);
                ResultCode::OK.0
            }
        })
    })
}

/// `sqlite3_vtab_config(db, op, ...)` body: known options are accepted
/// inside xCreate/xConnect (invariant 2).
pub(crate) fn vtab_config(_db: *mut sqlite3, op: c_int) -> c_int {
    let inside = DECLARE.with(|d| !d.borrow().is_empty());
    if inside && (1..=4).contains(&op) {
        ResultCode::OK.0
    } else {
        ResultCode::MISUSE.0
    }
}

/// `sqlite3_vtab_on_conflict(db)`: the conflict mode of the running
/// xUpdate (SQLITE_ROLLBACK 1 … SQLITE_REPLACE 5).
#[no_mangle]
pub extern "C" fn sqlite3_vtab_on_conflict(_db: *mut sqlite3) -> c_int {
    ON_CONFLICT.with(|c| c.get())
}

/// `sqlite3_vtab_nochange(ctx)`: 0 (loom always computes every column).
#[no_mangle]
pub extern "C" fn sqlite3_vtab_nochange(_ctx: *mut sqlite3_context) -> c_int {
    0
}

/// `sqlite3_vtab_collation(info, i)`: "BINARY" (loom offers only
/// constraints compared with BINARY).
#[no_mangle]
pub extern "C" fn sqlite3_vtab_collation(
    _info: *mut sqlite3_index_info,
    _i: c_int,
) -> *const c_char {
    crate::strings::static_cstr("BINARY")
}
