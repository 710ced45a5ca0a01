//! Application-defined SQL functions: registration and the
//! `sqlite3_context` a C implementation receives.
//!
//! SQLite counterpart: `sqlite3_create_function_v2`,
//! `sqlite3_create_window_function` (main.c), `sqlite3_context`,
//! `sqlite3_aggregate_context`, `sqlite3_user_data`,
//! `sqlite3_context_db_handle`, `sqlite3_get_auxdata`/`set_auxdata`
//! (vdbeapi.c). The `sqlite3_result_*` family is in `result.rs`.
//!
//! A registration becomes a [`FuncReg`] shared (Arc) by the engine's
//! `FuncDef`; its xDestroy runs when the last reference goes (the function
//! is replaced or deleted and no compiled statement uses it any more, or
//! the connection closes), or at once when the registration fails.
//!
//! Each call allocates a [`Context`] handed to C as `sqlite3_context*` and
//! one `sqlite3_value` per argument; both are registered in the handle live
//! set for the duration of the call only, so a context or argument pointer
//! kept past the call is detected as dead, never dereferenced.
//!
//! Invariants:
//! 1. An aggregate's `sqlite3_aggregate_context` memory is zeroed on first
//!    request, the same pointer for every step/value/inverse/final of one
//!    aggregate invocation, and freed right after xFinal (or when the
//!    invocation is abandoned).
//! 2. Auxiliary data lives for one call: its destructor runs when the call
//!    returns (SQLite allows dropping it at any time).
//! 3. No panic crosses into or out of a C callback: the C function is called
//!    from Rust code that cannot unwind past it, and every entry point the
//!    callback may call is guarded.
//! 4. Every call into xFunc/xStep/xFinal/xValue/xInverse runs inside
//!    `reentry::lend` with the VM environment of the call, so the callback
//!    may run SQL on its own connection (re-entrant SQL, as in C).

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::bind::{run_destructor, Destructor};
use crate::connection::{arg_str, conn, sqlite3, with_db};
use crate::engine::{
    AggregateState, FuncContext, FuncError, FuncFlags, FuncKind, UserAggregateFactory, UserScalar,
    Value, ValueRef,
};
use crate::guard::guard;
use crate::handle::{self, Handle};
use crate::reentry::lend;
use crate::value::{drop_value, new_value_subtyped, sqlite3_value};
use loomdb::rc::ResultCode;

/// The C type `sqlite3_context`.
#[allow(non_camel_case_types)]
pub type sqlite3_context = Context;

pub(crate) type XFunc =
    Option<unsafe extern "C" fn(*mut sqlite3_context, c_int, *mut *mut sqlite3_value)>;
pub(crate) type XFinal = Option<unsafe extern "C" fn(*mut sqlite3_context)>;

const CTX_MAGIC: u32 = 0x4354_5854; // "CTXT"

/// `SQLITE_DETERMINISTIC`, `SQLITE_DIRECTONLY`, `SQLITE_INNOCUOUS`.
mod fflags {
    pub const DETERMINISTIC: i32 = 0x800;
    pub const DIRECTONLY: i32 = 0x80000;
    pub const INNOCUOUS: i32 = 0x200000;
}

/// One registration: the application's callbacks and its pointer.
pub(crate) struct FuncReg {
    app: *mut c_void,
    db: *mut sqlite3,
    x_func: XFunc,
    x_step: XFunc,
    x_final: XFinal,
    x_value: XFinal,
    x_inverse: XFunc,
    destroy: Destructor,
}

// SAFETY: SQLite's contract: the application's callbacks and pointer may be
// used from whichever thread runs the connection (serialized mode); loom
// only calls them with the connection locked.
unsafe impl Send for FuncReg {}
// SAFETY: as above; FuncReg itself is never mutated after creation.
unsafe impl Sync for FuncReg {}

impl Drop for FuncReg {
    fn drop(&mut self) {
        run_destructor(self.destroy, self.app);
    }
}

/// What one call produced, as the `sqlite3_result_*` calls set it.
pub(crate) struct Outcome {
    pub(crate) value: Value,
    pub(crate) error: Option<(ResultCode, Option<String>)>,
    /// `sqlite3_result_subtype`'s low 8 bits; a new result value resets it.
    pub(crate) subtype: u8,
    aux: Vec<(c_int, *mut c_void, Destructor)>,
    agg_mem: *mut c_void,
}

impl Outcome {
    fn new(agg_mem: *mut c_void) -> Outcome {
        Outcome {
            value: Value::Null,
            error: None,
            subtype: 0,
            aux: Vec::new(),
            agg_mem,
        }
    }
}

/// A `sqlite3_context`: live only during one call.
pub struct Context {
    magic: u32,
    reg: Arc<FuncReg>,
    /// Is this call part of an aggregate (aggregate_context allowed)?
    aggregate: bool,
    pub(crate) out: Mutex<Outcome>,
}

impl Handle for Context {
    const MAGIC: u32 = CTX_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

impl Context {
    /// The connection the function was registered on.
    pub(crate) fn db(&self) -> *mut sqlite3 {
        self.reg.db
    }
}

/// The live context `p`, or `None`.
pub(crate) fn ctx<'a>(p: *const sqlite3_context) -> Option<&'a Context> {
    // SAFETY: handle::get only dereferences live contexts; a context is
    // released only after the callback that received it has returned.
    unsafe { handle::get(p) }
}

/// Calls `f` with a fresh context and argument values, then turns what
/// the callback set into the function's result.
fn invoke(
    reg: &Arc<FuncReg>,
    aggregate: bool,
    agg_mem: &mut *mut c_void,
    args: &[ValueRef],
    f: impl FnOnce(*mut sqlite3_context, c_int, *mut *mut sqlite3_value),
) -> Result<Value, FuncError> {
    invoke_subtyped(reg, aggregate, agg_mem, args, &[], f).map(|(v, _)| v)
}

/// [`invoke`] with the arguments' subtypes (`subtypes[i]` for `args[i]`,
/// missing ones 0), returning the result's subtype too (0: none).
fn invoke_subtyped(
    reg: &Arc<FuncReg>,
    aggregate: bool,
    agg_mem: &mut *mut c_void,
    args: &[ValueRef],
    subtypes: &[u8],
    f: impl FnOnce(*mut sqlite3_context, c_int, *mut *mut sqlite3_value),
) -> Result<(Value, u8), FuncError> {
    let p = handle::register(Context {
        magic: CTX_MAGIC,
        reg: reg.clone(),
        aggregate,
        out: Mutex::new(Outcome::new(*agg_mem)),
    });
    let mut argv: Vec<*mut sqlite3_value> = args
        .iter()
        .enumerate()
        .map(|(i, a)| new_value_subtyped(a.to_owned(), subtypes.get(i).copied().unwrap_or(0)))
        .collect();
    f(p, argv.len() as c_int, argv.as_mut_ptr());
    for v in argv {
        drop_value(v);
    }
    // SAFETY: the callback has returned; C may not use `p` any more.
    let Some(b) = (unsafe { handle::release(p) }) else {
        return Err(FuncError::msg("function context lost"));
    };
    let mut out = b.out.into_inner();
    *agg_mem = out.agg_mem;
    for (_, data, d) in out.aux.drain(..) {
        run_destructor(d, data);
    }
    match out.error.take() {
        None => Ok((std::mem::replace(&mut out.value, Value::Null), out.subtype)),
        Some((code, msg)) => Err(func_error(code, msg)),
    }
}

fn func_error(code: ResultCode, msg: Option<String>) -> FuncError {
    match code.0 {
        1 => FuncError::Error(msg.unwrap_or_else(|| code.errstr().to_string())),
        7 => FuncError::NoMem,
        18 => FuncError::TooBig,
        _ => FuncError::Code {
            code,
            message: msg.unwrap_or_else(|| code.errstr().to_string()),
        },
    }
}

/// A C scalar function (xFunc).
struct CScalar(Arc<FuncReg>);

impl UserScalar for CScalar {
    fn call(&self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
        self.call_subtyped(ctx, args, &[]).map(|(v, _)| v)
    }

    fn call_subtyped(
        &self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(Value, u8), FuncError> {
        let Some(x) = self.0.x_func else {
            return Err(FuncError::msg("function has no implementation"));
        };
        let mut none = std::ptr::null_mut();
        lend(ctx.env.reentry(), || {
            invoke_subtyped(&self.0, false, &mut none, args, subtypes, |c, n, v| {
                // SAFETY: the application registered `x` for exactly this call shape.
                unsafe { x(c, n, v) }
            })
        })
    }
}

/// A C aggregate (xStep/xFinal, and for windows xValue/xInverse).
struct CAggregate(Arc<FuncReg>);

impl UserAggregateFactory for CAggregate {
    fn create(&self) -> Box<dyn AggregateState> {
        Box::new(CAggState {
            reg: self.0.clone(),
            mem: std::ptr::null_mut(),
        })
    }
    fn is_window(&self) -> bool {
        self.0.x_value.is_some() && self.0.x_inverse.is_some()
    }
}

/// One aggregate invocation: the aggregate-context memory (invariant 1).
struct CAggState {
    reg: Arc<FuncReg>,
    mem: *mut c_void,
}

impl CAggState {
    fn call_args(&mut self, x: XFunc, args: &[ValueRef]) -> Result<(), FuncError> {
        let Some(x) = x else {
            return Err(FuncError::msg("aggregate has no step function"));
        };
        let reg = self.reg.clone();
        invoke(&reg, true, &mut self.mem, args, |c, n, v| {
            // SAFETY: the application registered `x` for this call shape.
            unsafe { x(c, n, v) }
        })
        .map(|_| ())
    }

    fn call_final(&mut self, x: XFinal) -> Result<Value, FuncError> {
        let Some(x) = x else {
            return Ok(Value::Null);
        };
        let reg = self.reg.clone();
        invoke(&reg, true, &mut self.mem, &[], |c, _, _| {
            // SAFETY: the application registered `x` for this call shape.
            unsafe { x(c) }
        })
    }

    fn free_mem(&mut self) {
        if !self.mem.is_null() {
            // SAFETY: allocated by sqlite3_malloc in aggregate_context.
            unsafe { crate::memory::sqlite3_free(self.mem) };
            self.mem = std::ptr::null_mut();
        }
    }
}

impl AggregateState for CAggState {
    fn step(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        let x = self.reg.x_step;
        lend(ctx.env.reentry(), || self.call_args(x, args))
    }
    fn finalize(&mut self, ctx: &mut FuncContext) -> Result<Value, FuncError> {
        let x = self.reg.x_final;
        let r = lend(ctx.env.reentry(), || self.call_final(x));
        self.free_mem();
        r
    }
    fn value(&mut self, ctx: &mut FuncContext) -> Result<Value, FuncError> {
        let x = self.reg.x_value;
        lend(ctx.env.reentry(), || self.call_final(x))
    }
    fn inverse(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        let x = self.reg.x_inverse;
        lend(ctx.env.reentry(), || self.call_args(x, args))
    }
}

impl Drop for CAggState {
    fn drop(&mut self) {
        self.free_mem();
    }
}

/// The shape of a registration.
struct Callbacks {
    x_func: XFunc,
    x_step: XFunc,
    x_final: XFinal,
    x_value: XFinal,
    x_inverse: XFunc,
}

fn flags_of(e_text_rep: c_int, window: bool) -> FuncFlags {
    FuncFlags {
        deterministic: e_text_rep & fflags::DETERMINISTIC != 0,
        innocuous: e_text_rep & fflags::INNOCUOUS != 0,
        direct_only: e_text_rep & fflags::DIRECTONLY != 0,
        window,
        ..FuncFlags::default()
    }
}

/// The core of every registration call.
#[allow(clippy::too_many_arguments)]
fn register(
    db: *mut sqlite3,
    name: *const c_char,
    n_arg: c_int,
    e_text_rep: c_int,
    app: *mut c_void,
    cb: Callbacks,
    destroy: Destructor,
) -> c_int {
    let reg = Arc::new(FuncReg {
        app,
        db,
        x_func: cb.x_func,
        x_step: cb.x_step,
        x_final: cb.x_final,
        x_value: cb.x_value,
        x_inverse: cb.x_inverse,
        destroy,
    });
    let Some(c) = conn(db) else {
        return ResultCode::MISUSE.0;
    };
    // SAFETY: `name` is NULL or NUL-terminated (caller contract).
    let name = unsafe { arg_str(name) };
    let scalar = cb.x_func.is_some();
    let agg = cb.x_step.is_some() || cb.x_final.is_some();
    let valid_shape = match (scalar, agg) {
        (true, false) => true,
        (false, true) => cb.x_step.is_some() && cb.x_final.is_some(),
        (false, false) => true,
        (true, true) => false,
    };
    let name = match name {
        Some(n) if valid_shape && (-1..=127).contains(&n_arg) && n.len() <= 255 => n,
        _ => return c.set_code(ResultCode::MISUSE),
    };
    let window = cb.x_value.is_some();
    let kind = if scalar {
        Some(FuncKind::UserScalar(Arc::new(CScalar(reg))))
    } else if agg {
        Some(FuncKind::UserAggregate(Arc::new(CAggregate(reg))))
    } else {
        None // deletion; `reg` drops here and runs xDestroy, as SQLite does
    };
    with_db(db, |c, d| {
        match d.create_function(&name, n_arg, flags_of(e_text_rep, window), kind) {
            Ok(()) => c.set_code(ResultCode::OK),
            Err(e) => c.set_db_error(&e),
        }
    })
}

/// `sqlite3_create_function(db, name, nArg, eTextRep, pApp, xFunc, xStep, xFinal)`.
///
/// # Safety
/// `name` is NUL-terminated; the callbacks follow SQLite's contracts.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_function(
    db: *mut sqlite3,
    name: *const c_char,
    n: c_int,
    enc: c_int,
    app: *mut c_void,
    f: XFunc,
    step: XFunc,
    fin: XFinal,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { sqlite3_create_function_v2(db, name, n, enc, app, f, step, fin, None) }
}

/// `sqlite3_create_function_v2(..., xDestroy)`.
///
/// # Safety
/// As [`sqlite3_create_function`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_function_v2(
    db: *mut sqlite3,
    name: *const c_char,
    n: c_int,
    enc: c_int,
    app: *mut c_void,
    f: XFunc,
    step: XFunc,
    fin: XFinal,
    destroy: Destructor,
) -> c_int {
    let cb = Callbacks {
        x_func: f,
        x_step: step,
        x_final: fin,
        x_value: None,
        x_inverse: None,
    };
    crate::guard::guard_rc(|| register(db, name, n, enc, app, cb, destroy))
}

/// `sqlite3_create_function16(...)`: UTF-16 name.
///
/// # Safety
/// `name` is a 0-terminated native UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_function16(
    db: *mut sqlite3,
    name: *const c_void,
    n: c_int,
    enc: c_int,
    app: *mut c_void,
    f: XFunc,
    step: XFunc,
    fin: XFinal,
) -> c_int {
    crate::guard::guard_rc(|| {
        // SAFETY: forwarded contract.
        let Some(s) = (unsafe { crate::connection::arg_str16(name) }) else {
            return ResultCode::MISUSE.0;
        };
        let Ok(cs) = std::ffi::CString::new(s) else {
            return ResultCode::MISUSE.0;
        };
        // SAFETY: cs is NUL-terminated.
        unsafe { sqlite3_create_function_v2(db, cs.as_ptr(), n, enc, app, f, step, fin, None) }
    })
}

/// `sqlite3_create_window_function(db, name, nArg, eTextRep, pApp, xStep,
/// xFinal, xValue, xInverse, xDestroy)`.
///
/// The aggregate is usable both plainly and with OVER; the window
/// evaluator calls xValue per row and xInverse as frames slide.
///
/// # Safety
/// As [`sqlite3_create_function`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_window_function(
    db: *mut sqlite3,
    name: *const c_char,
    n: c_int,
    enc: c_int,
    app: *mut c_void,
    step: XFunc,
    fin: XFinal,
    value: XFinal,
    inverse: XFunc,
    destroy: Destructor,
) -> c_int {
    crate::guard::guard_rc(|| {
        let all = step.is_some() && fin.is_some() && value.is_some() && inverse.is_some();
        let none = step.is_none() && fin.is_none() && value.is_none() && inverse.is_none();
        if !all && !none {
            run_destructor(destroy, app);
            return conn(db).map_or(ResultCode::MISUSE.0, |c| c.set_code(ResultCode::MISUSE));
        }
        let cb = Callbacks {
            x_func: None,
            x_step: step,
            x_final: fin,
            x_value: value,
            x_inverse: inverse,
        };
        register(db, name, n, enc, app, cb, destroy)
    })
}

/// `sqlite3_aggregate_context(ctx, nBytes)`: zeroed memory for this
/// aggregate invocation (invariant 1); NULL if `nBytes <= 0` and none was
/// allocated yet, or outside an aggregate.
#[no_mangle]
pub extern "C" fn sqlite3_aggregate_context(p: *mut sqlite3_context, n: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = ctx(p) else {
            return std::ptr::null_mut();
        };
        if !c.aggregate {
            return std::ptr::null_mut();
        }
        let mut out = c.out.lock();
        if out.agg_mem.is_null() && n > 0 {
            let m = crate::memory::sqlite3_malloc(n);
            if !m.is_null() {
                // SAFETY: m points to n freshly allocated bytes.
                unsafe { std::ptr::write_bytes(m.cast::<u8>(), 0, n as usize) };
            }
            out.agg_mem = m;
        }
        out.agg_mem
    })
}

/// `sqlite3_user_data(ctx)`: the registration's pApp.
#[no_mangle]
pub extern "C" fn sqlite3_user_data(p: *mut sqlite3_context) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        ctx(p).map_or(std::ptr::null_mut(), |c| c.reg.app)
    })
}

/// `sqlite3_context_db_handle(ctx)`: the connection of the function.
#[no_mangle]
pub extern "C" fn sqlite3_context_db_handle(p: *mut sqlite3_context) -> *mut sqlite3 {
    guard(std::ptr::null_mut(), || {
        ctx(p).map_or(std::ptr::null_mut(), |c| c.reg.db)
    })
}

/// `sqlite3_get_auxdata(ctx, N)` (invariant 2: only within one call).
#[no_mangle]
pub extern "C" fn sqlite3_get_auxdata(p: *mut sqlite3_context, i: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let Some(c) = ctx(p) else {
            return std::ptr::null_mut();
        };
        let out = c.out.lock();
        out.aux
            .iter()
            .rev()
            .find(|a| a.0 == i)
            .map_or(std::ptr::null_mut(), |a| a.1)
    })
}

/// `sqlite3_set_auxdata(ctx, N, p, xDelete)`.
#[no_mangle]
pub extern "C" fn sqlite3_set_auxdata(
    p: *mut sqlite3_context,
    i: c_int,
    data: *mut c_void,
    del: Destructor,
) {
    guard((), || {
        let Some(c) = ctx(p).filter(|_| i >= 0) else {
            run_destructor(del, data);
            return;
        };
        let old: Vec<_> = {
            let mut out = c.out.lock();
            let (same, keep): (Vec<_>, Vec<_>) = out.aux.drain(..).partition(|a| a.0 == i);
            out.aux = keep;
            out.aux.push((i, data, del));
            same
        };
        for (_, d, f) in old {
            run_destructor(f, d);
        }
    })
}

/// Runs `f` with a fresh context on connection `db` that belongs to no
/// function (a virtual table's xColumn), and returns what it set.
pub(crate) fn with_result_context(
    db: *mut sqlite3,
    f: impl FnOnce(*mut sqlite3_context),
) -> Result<Value, (ResultCode, String)> {
    let reg = Arc::new(FuncReg {
        app: std::ptr::null_mut(),
        db,
        x_func: None,
        x_step: None,
        x_final: None,
        x_value: None,
        x_inverse: None,
        destroy: None,
    });
    let mut agg = std::ptr::null_mut();
    invoke(&reg, false, &mut agg, &[], |p, _, _| f(p)).map_err(|e| (e.result_code(), e.to_string()))
}
