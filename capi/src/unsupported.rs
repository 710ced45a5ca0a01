//! Entry points whose engine feature does not exist yet. They are exported
//! (clients such as Python's `_sqlite3` resolve every import at load time)
//! and behave safely: calls that report a code return SQLITE_ERROR and set
//! the connection's error message to a text naming the missing feature;
//! calls that report nothing do nothing; lookups return NULL / 0.
//!
//! SQLite counterpart: func.c/callback.c (user functions, collations),
//! auth.c, backup.c, vdbeblob.c, memdb.c, main.c (trace, progress).
//!
//! Invariants:
//! 1. Clearing a hook (NULL callback) always succeeds: it is the state loom
//!    is already in.
//! 2. No function here dereferences its handle arguments except through
//!    the checked lookups of `handle.rs`. A `sqlite3_context`,
//!    `sqlite3_blob` or `sqlite3_backup` can never be created yet, so every
//!    such pointer is treated as invalid.

use std::ffi::{c_char, c_int, c_uint, c_void};

use crate::bind::{run_destructor, Destructor};
use crate::connection::{conn, sqlite3};
use crate::guard::{guard, guard_rc};
use crate::value::sqlite3_value;
use loomdb::rc::ResultCode;

/// The C type `sqlite3_context` (never created yet; see invariant 2).
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct sqlite3_context {
    _opaque: [u8; 0],
}

/// The C type `sqlite3_blob` (never created yet).
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct sqlite3_blob {
    _opaque: [u8; 0],
}

/// The C type `sqlite3_backup` (never created yet).
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct sqlite3_backup {
    _opaque: [u8; 0],
}

const FUNCTIONS: &str = "user-defined functions";
const COLLATIONS: &str = "user-defined collations";

/// Records "`what` is not supported by loom yet" on `db`; SQLITE_ERROR
/// (MISUSE for a bad handle).
fn refuse(db: *mut sqlite3, what: &str) -> c_int {
    conn(db).map_or(ResultCode::MISUSE.0, |c| c.unsupported(what))
}

type XFunc = Option<unsafe extern "C" fn(*mut sqlite3_context, c_int, *mut *mut sqlite3_value)>;
type XFinal = Option<unsafe extern "C" fn(*mut sqlite3_context)>;
type XCompare =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *const c_void, c_int, *const c_void) -> c_int>;

/// Registering functions: deleting (all callbacks NULL) succeeds, anything
/// else is refused. The destructor of a refused registration is called, as
/// SQLite does when registration fails.
fn register_function(
    db: *mut sqlite3,
    any_callback: bool,
    app: *mut c_void,
    destroy: Destructor,
) -> c_int {
    if conn(db).is_none() {
        return ResultCode::MISUSE.0;
    }
    if !any_callback {
        return ResultCode::OK.0;
    }
    let rc = refuse(db, FUNCTIONS);
    run_destructor(destroy, app);
    rc
}

/// `sqlite3_create_function(db, name, nArg, enc, app, xFunc, xStep, xFinal)`.
#[no_mangle]
pub extern "C" fn sqlite3_create_function(
    db: *mut sqlite3,
    _name: *const c_char,
    _n: c_int,
    _enc: c_int,
    app: *mut c_void,
    f: XFunc,
    step: XFunc,
    fin: XFinal,
) -> c_int {
    guard_rc(|| {
        register_function(
            db,
            f.is_some() || step.is_some() || fin.is_some(),
            app,
            None,
        )
    })
}

/// `sqlite3_create_function_v2(..., xDestroy)`.
#[no_mangle]
pub extern "C" fn sqlite3_create_function_v2(
    db: *mut sqlite3,
    _name: *const c_char,
    _n: c_int,
    _enc: c_int,
    app: *mut c_void,
    f: XFunc,
    step: XFunc,
    fin: XFinal,
    destroy: Destructor,
) -> c_int {
    guard_rc(|| {
        register_function(
            db,
            f.is_some() || step.is_some() || fin.is_some(),
            app,
            destroy,
        )
    })
}

/// `sqlite3_create_window_function(...)`.
#[no_mangle]
pub extern "C" fn sqlite3_create_window_function(
    db: *mut sqlite3,
    _name: *const c_char,
    _n: c_int,
    _enc: c_int,
    app: *mut c_void,
    step: XFunc,
    fin: XFinal,
    value: XFinal,
    inverse: XFunc,
    destroy: Destructor,
) -> c_int {
    let any = step.is_some() || fin.is_some() || value.is_some() || inverse.is_some();
    guard_rc(|| register_function(db, any, app, destroy))
}

/// `sqlite3_create_collation_v2(db, name, enc, arg, xCompare, xDestroy)`.
#[no_mangle]
pub extern "C" fn sqlite3_create_collation_v2(
    db: *mut sqlite3,
    _name: *const c_char,
    _enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
    destroy: Destructor,
) -> c_int {
    guard_rc(|| {
        if conn(db).is_none() {
            return ResultCode::MISUSE.0;
        }
        if cmp.is_none() {
            return ResultCode::OK.0;
        }
        // Unlike functions, a failed collation registration does NOT call
        // xDestroy (c3ref/create_collation.html): the caller disposes of it.
        let _ = (destroy, arg);
        refuse(db, COLLATIONS)
    })
}

/// `sqlite3_create_collation(db, name, enc, arg, xCompare)`.
#[no_mangle]
pub extern "C" fn sqlite3_create_collation(
    db: *mut sqlite3,
    name: *const c_char,
    enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
) -> c_int {
    sqlite3_create_collation_v2(db, name, enc, arg, cmp, None)
}

/// `sqlite3_aggregate_context(ctx, n)`: NULL (no function contexts yet).
#[no_mangle]
pub extern "C" fn sqlite3_aggregate_context(_ctx: *mut sqlite3_context, _n: c_int) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_user_data(ctx)`: NULL (no function contexts yet).
#[no_mangle]
pub extern "C" fn sqlite3_user_data(_ctx: *mut sqlite3_context) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_context_db_handle(ctx)`: NULL (no function contexts yet).
#[no_mangle]
pub extern "C" fn sqlite3_context_db_handle(_ctx: *mut sqlite3_context) -> *mut sqlite3 {
    std::ptr::null_mut()
}

/// `sqlite3_result_null(ctx)`: no-op (no function contexts yet).
#[no_mangle]
pub extern "C" fn sqlite3_result_null(_ctx: *mut sqlite3_context) {}

/// `sqlite3_result_int(ctx, v)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_int(_ctx: *mut sqlite3_context, _v: c_int) {}

/// `sqlite3_result_int64(ctx, v)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_int64(_ctx: *mut sqlite3_context, _v: i64) {}

/// `sqlite3_result_double(ctx, v)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_double(_ctx: *mut sqlite3_context, _v: f64) {}

/// `sqlite3_result_text(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_text(
    _ctx: *mut sqlite3_context,
    z: *const c_char,
    _n: c_int,
    d: Destructor,
) {
    guard((), || run_destructor(d, z.cast()))
}

/// `sqlite3_result_blob(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_blob(
    _ctx: *mut sqlite3_context,
    z: *const c_void,
    _n: c_int,
    d: Destructor,
) {
    guard((), || run_destructor(d, z))
}

/// `sqlite3_result_error(ctx, msg, n)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_error(_ctx: *mut sqlite3_context, _msg: *const c_char, _n: c_int) {
}

/// `sqlite3_result_error_nomem(ctx)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_error_nomem(_ctx: *mut sqlite3_context) {}

/// `sqlite3_result_error_toobig(ctx)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_error_toobig(_ctx: *mut sqlite3_context) {}

/// `sqlite3_result_error_code(ctx, rc)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_error_code(_ctx: *mut sqlite3_context, _rc: c_int) {}

/// `sqlite3_result_value(ctx, v)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_value(_ctx: *mut sqlite3_context, _v: *mut sqlite3_value) {}

/// `sqlite3_result_zeroblob(ctx, n)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob(_ctx: *mut sqlite3_context, _n: c_int) {}

type XAuth = Option<
    unsafe extern "C" fn(
        *mut c_void,
        c_int,
        *const c_char,
        *const c_char,
        *const c_char,
        *const c_char,
    ) -> c_int,
>;

/// `sqlite3_set_authorizer(db, xAuth, arg)`: clearing succeeds; installing
/// is refused ("authorizer callbacks are not supported by loom yet").
#[no_mangle]
pub extern "C" fn sqlite3_set_authorizer(db: *mut sqlite3, cb: XAuth, _arg: *mut c_void) -> c_int {
    guard_rc(|| match (conn(db), cb) {
        (None, _) => ResultCode::MISUSE.0,
        (Some(_), None) => ResultCode::OK.0,
        (Some(_), Some(_)) => refuse(db, "authorizer callbacks"),
    })
}

/// `sqlite3_progress_handler(db, n, xProgress, arg)`: no-op (the handler
/// is never called; loom has no progress callbacks yet).
#[no_mangle]
pub extern "C" fn sqlite3_progress_handler(
    _db: *mut sqlite3,
    _n: c_int,
    _cb: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    _arg: *mut c_void,
) {
}

/// `sqlite3_trace_v2(db, mask, xCallback, ctx)`: clearing succeeds;
/// installing is refused.
#[no_mangle]
pub extern "C" fn sqlite3_trace_v2(
    db: *mut sqlite3,
    mask: c_uint,
    cb: Option<unsafe extern "C" fn(c_uint, *mut c_void, *mut c_void, *mut c_void) -> c_int>,
    _ctx: *mut c_void,
) -> c_int {
    guard_rc(|| match conn(db) {
        None => ResultCode::MISUSE.0,
        Some(_) if mask == 0 || cb.is_none() => ResultCode::OK.0,
        Some(_) => refuse(db, "trace callbacks"),
    })
}

/// `sqlite3_backup_init(dest, dname, src, sname)`: NULL, with the error
/// recorded on the destination connection.
#[no_mangle]
pub extern "C" fn sqlite3_backup_init(
    dest: *mut sqlite3,
    _dname: *const c_char,
    _src: *mut sqlite3,
    _sname: *const c_char,
) -> *mut sqlite3_backup {
    guard(std::ptr::null_mut(), || {
        refuse(dest, "online backup");
        std::ptr::null_mut()
    })
}

/// `sqlite3_backup_step(b, n)`: SQLITE_MISUSE (no backup can exist).
#[no_mangle]
pub extern "C" fn sqlite3_backup_step(_b: *mut sqlite3_backup, _n: c_int) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_backup_finish(b)`: SQLITE_OK for NULL, MISUSE otherwise.
#[no_mangle]
pub extern "C" fn sqlite3_backup_finish(b: *mut sqlite3_backup) -> c_int {
    if b.is_null() {
        ResultCode::OK.0
    } else {
        ResultCode::MISUSE.0
    }
}

/// `sqlite3_backup_remaining(b)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_backup_remaining(_b: *mut sqlite3_backup) -> c_int {
    0
}

/// `sqlite3_backup_pagecount(b)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_backup_pagecount(_b: *mut sqlite3_backup) -> c_int {
    0
}

/// `sqlite3_blob_open(...)`: SQLITE_ERROR, `*ppBlob` = NULL.
///
/// # Safety
/// `pp` is NULL or a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_blob_open(
    db: *mut sqlite3,
    _schema: *const c_char,
    _table: *const c_char,
    _column: *const c_char,
    _row: i64,
    _flags: c_int,
    pp: *mut *mut sqlite3_blob,
) -> c_int {
    guard_rc(|| {
        if !pp.is_null() {
            // SAFETY: valid out-pointer (checked non-NULL).
            unsafe { *pp = std::ptr::null_mut() };
        }
        refuse(db, "incremental blob I/O")
    })
}

/// `sqlite3_blob_close(b)`: SQLITE_OK for NULL, MISUSE otherwise.
#[no_mangle]
pub extern "C" fn sqlite3_blob_close(b: *mut sqlite3_blob) -> c_int {
    if b.is_null() {
        ResultCode::OK.0
    } else {
        ResultCode::MISUSE.0
    }
}

/// `sqlite3_blob_bytes(b)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_blob_bytes(_b: *mut sqlite3_blob) -> c_int {
    0
}

/// `sqlite3_blob_read(b, buf, n, off)`: SQLITE_MISUSE.
#[no_mangle]
pub extern "C" fn sqlite3_blob_read(
    _b: *mut sqlite3_blob,
    _z: *mut c_void,
    _n: c_int,
    _off: c_int,
) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_blob_write(b, buf, n, off)`: SQLITE_MISUSE.
#[no_mangle]
pub extern "C" fn sqlite3_blob_write(
    _b: *mut sqlite3_blob,
    _z: *const c_void,
    _n: c_int,
    _off: c_int,
) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_blob_reopen(b, row)`: SQLITE_MISUSE.
#[no_mangle]
pub extern "C" fn sqlite3_blob_reopen(_b: *mut sqlite3_blob, _row: i64) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_serialize(db, schema, pSize, flags)`: NULL.
///
/// # Safety
/// `size` is NULL or a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_serialize(
    db: *mut sqlite3,
    _schema: *const c_char,
    size: *mut i64,
    _flags: c_uint,
) -> *mut u8 {
    guard(std::ptr::null_mut(), || {
        if !size.is_null() {
            // SAFETY: valid out-pointer (checked non-NULL), caller contract.
            unsafe { *size = -1 };
        }
        refuse(db, "sqlite3_serialize");
        std::ptr::null_mut()
    })
}

/// `sqlite3_deserialize(...)`: SQLITE_ERROR. With FREEONCLOSE the buffer
/// is freed, as SQLite does when deserialization fails.
///
/// # Safety
/// With SQLITE_DESERIALIZE_FREEONCLOSE, `data` is NULL or from `sqlite3_malloc`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_deserialize(
    db: *mut sqlite3,
    _schema: *const c_char,
    data: *mut u8,
    _n: i64,
    _cap: i64,
    flags: c_uint,
) -> c_int {
    guard_rc(|| {
        if flags & 1 != 0 && !data.is_null() {
            // SAFETY: with FREEONCLOSE the buffer came from sqlite3_malloc.
            unsafe { libc::free(data.cast()) };
        }
        refuse(db, "sqlite3_deserialize")
    })
}

/// `sqlite3_get_auxdata(ctx, i)`: NULL (no function contexts yet).
#[no_mangle]
pub extern "C" fn sqlite3_get_auxdata(_ctx: *mut sqlite3_context, _i: c_int) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_set_auxdata(ctx, i, p, xDelete)`: the data cannot be kept, so
/// it is disposed of at once, as SQLite does when it discards metadata.
#[no_mangle]
pub extern "C" fn sqlite3_set_auxdata(
    _ctx: *mut sqlite3_context,
    _i: c_int,
    p: *mut c_void,
    d: Destructor,
) {
    guard((), || run_destructor(d, p))
}

/// `sqlite3_result_blob64(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_blob64(
    _ctx: *mut sqlite3_context,
    z: *const c_void,
    _n: u64,
    d: Destructor,
) {
    guard((), || run_destructor(d, z))
}

/// `sqlite3_result_text64(ctx, z, n, destructor, enc)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_text64(
    _ctx: *mut sqlite3_context,
    z: *const c_char,
    _n: u64,
    d: Destructor,
    _enc: u8,
) {
    guard((), || run_destructor(d, z.cast()))
}

/// `sqlite3_result_text16(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_text16(
    _ctx: *mut sqlite3_context,
    z: *const c_void,
    _n: c_int,
    d: Destructor,
) {
    guard((), || run_destructor(d, z))
}

/// `sqlite3_result_text16le(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_text16le(
    _ctx: *mut sqlite3_context,
    z: *const c_void,
    _n: c_int,
    d: Destructor,
) {
    guard((), || run_destructor(d, z))
}

/// `sqlite3_result_text16be(ctx, z, n, destructor)`: disposes of `z` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_text16be(
    _ctx: *mut sqlite3_context,
    z: *const c_void,
    _n: c_int,
    d: Destructor,
) {
    guard((), || run_destructor(d, z))
}

/// `sqlite3_result_pointer(ctx, p, type, destructor)`: disposes of `p` only.
#[no_mangle]
pub extern "C" fn sqlite3_result_pointer(
    _ctx: *mut sqlite3_context,
    p: *mut c_void,
    _ty: *const c_char,
    d: Destructor,
) {
    guard((), || run_destructor(d, p))
}

/// `sqlite3_result_subtype(ctx, t)`: no-op.
#[no_mangle]
pub extern "C" fn sqlite3_result_subtype(_ctx: *mut sqlite3_context, _t: c_uint) {}

/// `sqlite3_result_zeroblob64(ctx, n)`: SQLITE_MISUSE (no context).
#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob64(_ctx: *mut sqlite3_context, _n: u64) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_collation_needed(db, arg, xNeeded)`: accepted; loom never
/// asks for a collation, so the callback is not called.
#[no_mangle]
pub extern "C" fn sqlite3_collation_needed(
    db: *mut sqlite3,
    _arg: *mut c_void,
    _f: Option<unsafe extern "C" fn()>,
) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::OK.0))
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

/// `sqlite3_create_module(db, name, module, arg)`: refused (virtual tables).
#[no_mangle]
pub extern "C" fn sqlite3_create_module(
    db: *mut sqlite3,
    _name: *const c_char,
    _m: *const c_void,
    _arg: *mut c_void,
) -> c_int {
    guard_rc(|| refuse(db, "virtual tables"))
}

/// `sqlite3_create_module_v2(db, name, module, arg, xDestroy)`: refused; as
/// SQLite does on failure, xDestroy is called on the client data.
#[no_mangle]
pub extern "C" fn sqlite3_create_module_v2(
    db: *mut sqlite3,
    _name: *const c_char,
    _m: *const c_void,
    arg: *mut c_void,
    destroy: Destructor,
) -> c_int {
    guard_rc(|| {
        let rc = refuse(db, "virtual tables");
        run_destructor(destroy, arg);
        rc
    })
}

/// `sqlite3_declare_vtab(db, sql)`: MISUSE (only valid inside xCreate).
#[no_mangle]
pub extern "C" fn sqlite3_declare_vtab(_db: *mut sqlite3, _sql: *const c_char) -> c_int {
    ResultCode::MISUSE.0
}

/// `sqlite3_vtab_on_conflict(db)`: SQLITE_ABORT, the default mode.
#[no_mangle]
pub extern "C" fn sqlite3_vtab_on_conflict(_db: *mut sqlite3) -> c_int {
    ResultCode::ABORT.0
}

/// `sqlite3_vtab_nochange(ctx)`: 0.
#[no_mangle]
pub extern "C" fn sqlite3_vtab_nochange(_ctx: *mut sqlite3_context) -> c_int {
    0
}

/// `sqlite3_vtab_collation(info, i)`: "BINARY".
#[no_mangle]
pub extern "C" fn sqlite3_vtab_collation(_info: *mut c_void, _i: c_int) -> *const c_char {
    crate::strings::static_cstr("BINARY")
}

/// `sqlite3_enable_load_extension(db, on)`: SQLITE_OK; loading itself is
/// refused by `sqlite3_load_extension`.
#[no_mangle]
pub extern "C" fn sqlite3_enable_load_extension(db: *mut sqlite3, _on: c_int) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::OK.0))
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

/// `sqlite3_table_column_metadata(...)`: refused for now.
#[no_mangle]
pub extern "C" fn sqlite3_table_column_metadata(
    db: *mut sqlite3,
    _schema: *const c_char,
    _table: *const c_char,
    _column: *const c_char,
    _decl: *mut *const c_char,
    _coll: *mut *const c_char,
    _notnull: *mut c_int,
    _pk: *mut c_int,
    _autoinc: *mut c_int,
) -> c_int {
    guard_rc(|| refuse(db, "sqlite3_table_column_metadata"))
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

/// `sqlite3_wal_checkpoint_v2(db, schema, mode, pnLog, pnCkpt)`: refused.
///
/// # Safety
/// `log` and `ckpt` are NULL or valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_wal_checkpoint_v2(
    db: *mut sqlite3,
    _schema: *const c_char,
    _mode: c_int,
    log: *mut c_int,
    ckpt: *mut c_int,
) -> c_int {
    guard_rc(|| {
        for p in [log, ckpt] {
            if !p.is_null() {
                // SAFETY: valid out-pointer (checked non-NULL).
                unsafe { *p = -1 };
            }
        }
        refuse(db, "sqlite3_wal_checkpoint")
    })
}

/// `sqlite3_wal_checkpoint(db, schema)`: refused.
#[no_mangle]
pub extern "C" fn sqlite3_wal_checkpoint(db: *mut sqlite3, _schema: *const c_char) -> c_int {
    guard_rc(|| refuse(db, "sqlite3_wal_checkpoint"))
}

/// `sqlite3_wal_autocheckpoint(db, n)`: SQLITE_OK (accepted, not applied).
#[no_mangle]
pub extern "C" fn sqlite3_wal_autocheckpoint(db: *mut sqlite3, _n: c_int) -> c_int {
    guard_rc(|| conn(db).map_or(ResultCode::MISUSE.0, |_| ResultCode::OK.0))
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
