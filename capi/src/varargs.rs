//! The C-variadic entry points: the printf family (`sqlite3_mprintf`,
//! `sqlite3_snprintf`, `sqlite3_str_appendf` and their `va_list` forms) and
//! the configuration calls (`sqlite3_config`, `sqlite3_db_config`,
//! `sqlite3_test_control`, `sqlite3_vtab_config`, `sqlite3_log`).
//!
//! SQLite counterpart: printf.c (`sqlite3_mprintf`, `sqlite3_vmprintf`,
//! `sqlite3_snprintf`, `sqlite3_str_appendf`), main.c (`sqlite3_config`,
//! `sqlite3_db_config`), `sqlite3_log`.
//!
//! Stable Rust cannot define a C-variadic function, so:
//!
//! * The printf family is entered through **naked trampolines** (x86-64
//!   System V). A trampoline saves the six integer argument registers and,
//!   when `%al` says vector registers were used, `xmm0`-`xmm7` into a
//!   register save area on its own stack, builds a System V `va_list` over
//!   it (`gp_offset` past the fixed arguments, `fp_offset` 48,
//!   `overflow_arg_area` at the caller's stack arguments), and calls a Rust
//!   function with the fixed arguments plus a pointer to that `va_list`.
//!   The `v*` forms receive the caller's `va_list` (on x86-64 a pointer to
//!   the same structure) and share the reader, [`VaList`].
//! * The configuration calls take at most three integer/pointer variadic
//!   arguments, which the System V and AAPCS64 (Linux) conventions pass in
//!   the same registers as ordinary arguments; they are defined with those
//!   extra parameters and read only the ones the opcode defines.
//!
//! Stack frame of a trampoline (offsets from `%rsp` after `sub $216`):
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 48 | rdi, rsi, rdx, rcx, r8, r9 |
//! | 48 | 128 | xmm0 .. xmm7 (only if `%al` != 0) |
//! | 176 | 24 | the `va_list` (gp_offset, fp_offset, overflow, save area) |
//! | 200 | 16 | padding (keeps `%rsp` 16-byte aligned at the call) |
//! | 216 | 8 | return address; caller's stack arguments start at 224 |
//!
//! Invariants:
//! 1. The reader never reads more arguments than the format asks for; a
//!    format that asks for more than the caller passed is undefined
//!    behaviour in C and stays so here.
//! 2. `%z` strings are not freed (SQLite frees them): a leak, never a
//!    double free. Noted for the integrator.
//! 3. Only x86-64 has trampolines; on other targets the printf entry
//!    points are absent (link error), never wrong.

use std::ffi::{c_char, c_int, CStr};

use crate::connection::{conn, sqlite3};
use crate::guard::{guard, guard_rc};
use crate::memory::malloc_cstr;
use loomdb::printf::PrintfArgs;
use loomdb::rc::ResultCode;

/// System V x86-64 `va_list` element (`__va_list_tag`).
#[repr(C)]
#[derive(Debug)]
pub struct VaList {
    gp_offset: u32,
    fp_offset: u32,
    overflow_arg_area: *mut u8,
    reg_save_area: *mut u8,
}

/// Bytes of saved integer registers in the save area.
const GP_AREA: u32 = 48;
/// End of the saved vector registers in the save area.
const FP_AREA: u32 = 176;

impl VaList {
    /// The next INTEGER-class argument (int, long, pointer), as 64 bits.
    fn gp(&mut self) -> u64 {
        // SAFETY: the va_list was built by a trampoline or by the C caller
        // over live argument storage; invariant 1 keeps us within it.
        unsafe {
            if self.gp_offset < GP_AREA {
                let v = self
                    .reg_save_area
                    .add(self.gp_offset as usize)
                    .cast::<u64>()
                    .read_unaligned();
                self.gp_offset += 8;
                v
            } else {
                let v = self.overflow_arg_area.cast::<u64>().read_unaligned();
                self.overflow_arg_area = self.overflow_arg_area.add(8);
                v
            }
        }
    }

    /// The next SSE-class argument (double).
    fn fp(&mut self) -> f64 {
        // SAFETY: as in `gp`.
        unsafe {
            if self.fp_offset < FP_AREA {
                let v = self
                    .reg_save_area
                    .add(self.fp_offset as usize)
                    .cast::<f64>()
                    .read_unaligned();
                self.fp_offset += 16;
                v
            } else {
                let v = self.overflow_arg_area.cast::<f64>().read_unaligned();
                self.overflow_arg_area = self.overflow_arg_area.add(8);
                v
            }
        }
    }
}

/// [`PrintfArgs`] over a C `va_list`.
struct VaArgs<'a>(&'a mut VaList);

impl PrintfArgs for VaArgs<'_> {
    fn next_int(&mut self) -> i64 {
        self.0.gp() as i64
    }
    fn next_double(&mut self) -> f64 {
        self.0.fp()
    }
    fn next_str(&mut self) -> Option<Vec<u8>> {
        let p = self.0.gp() as usize as *const c_char;
        // SAFETY: a `%s`-class argument is NULL or a NUL-terminated string.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
    }
    fn next_ptr(&mut self) -> usize {
        self.0.gp() as usize
    }
    fn store_count(&mut self, n: usize) {
        let p = self.0.gp() as usize as *mut c_int;
        if !p.is_null() {
            // SAFETY: `%n` takes an `int *` argument.
            unsafe { *p = n as c_int };
        }
    }
}

/// SQLite's SQLITE_MAX_LENGTH: longer results are SQLITE_TOOBIG (NULL).
const MAX_LENGTH: usize = 1_000_000_000;

/// # Safety
/// `fmt` is NULL or NUL-terminated; `ap` is a valid `va_list` for it.
unsafe fn format(fmt: *const c_char, ap: *mut VaList) -> Option<Vec<u8>> {
    if fmt.is_null() || ap.is_null() {
        return None;
    }
    // SAFETY: forwarded contract.
    let (f, ap) = unsafe { (CStr::from_ptr(fmt).to_bytes(), &mut *ap) };
    loomdb::printf::format_limited(f, &mut VaArgs(ap), false, MAX_LENGTH).ok()
}

/// `sqlite3_vmprintf(fmt, ap)`: the formatted text in `sqlite3_malloc`
/// memory, or NULL.
///
/// # Safety
/// `fmt` is NULL or NUL-terminated; `ap` is a `va_list` matching it.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_vmprintf(fmt: *const c_char, ap: *mut VaList) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        unsafe { format(fmt, ap) }.map_or(std::ptr::null_mut(), |t| malloc_cstr(&t))
    })
}

/// `sqlite3_vsnprintf(n, buf, fmt, ap)`: at most n-1 bytes and a NUL into
/// `buf`; returns `buf`.
///
/// # Safety
/// `buf` is writable for `n` bytes; `fmt`/`ap` as [`sqlite3_vmprintf`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_vsnprintf(
    n: c_int,
    buf: *mut c_char,
    fmt: *const c_char,
    ap: *mut VaList,
) -> *mut c_char {
    guard(buf, || {
        let Ok(n) = usize::try_from(n) else {
            return buf;
        };
        if n == 0 || buf.is_null() {
            return buf;
        }
        // SAFETY: forwarded contract.
        let text = unsafe { format(fmt, ap) }.unwrap_or_default();
        let len = text.len().min(n - 1);
        // SAFETY: buf has room for n bytes; len + 1 <= n.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), len);
            *buf.add(len) = 0;
        }
        buf
    })
}

/// `sqlite3_str_vappendf(s, fmt, ap)`.
///
/// # Safety
/// As [`sqlite3_vmprintf`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_str_vappendf(
    s: *mut crate::sqlstr::sqlite3_str,
    fmt: *const c_char,
    ap: *mut VaList,
) {
    // SAFETY: forwarded contract.
    let text = guard(None, || unsafe { format(fmt, ap) });
    if let Some(t) = text {
        // SAFETY: t is readable for its length.
        unsafe { crate::sqlstr::sqlite3_str_append(s, t.as_ptr().cast(), t.len() as c_int) };
    }
}

/// Target of the `sqlite3_mprintf` trampoline.
unsafe extern "C" fn mprintf_impl(fmt: *const c_char, ap: *mut VaList) -> *mut c_char {
    // SAFETY: the trampoline passes the caller's format and its va_list.
    unsafe { sqlite3_vmprintf(fmt, ap) }
}

/// Target of the `sqlite3_snprintf` trampoline.
unsafe extern "C" fn snprintf_impl(
    n: c_int,
    buf: *mut c_char,
    fmt: *const c_char,
    ap: *mut VaList,
) -> *mut c_char {
    // SAFETY: the trampoline passes the caller's arguments and its va_list.
    unsafe { sqlite3_vsnprintf(n, buf, fmt, ap) }
}

/// Target of the `sqlite3_str_appendf` trampoline.
unsafe extern "C" fn str_appendf_impl(
    s: *mut crate::sqlstr::sqlite3_str,
    fmt: *const c_char,
    ap: *mut VaList,
) {
    // SAFETY: the trampoline passes the caller's arguments and its va_list.
    unsafe { sqlite3_str_vappendf(s, fmt, ap) }
}

/// Builds the trampoline body: save registers, build the `va_list` with
/// `$gp` bytes of fixed integer arguments, put its address in `$vareg`,
/// call `$target`.
macro_rules! trampoline {
    ($gp:literal, $vareg:literal, $target:path) => {
        core::arch::naked_asm!(
            "sub rsp, 216",
            "mov [rsp], rdi",
            "mov [rsp + 8], rsi",
            "mov [rsp + 16], rdx",
            "mov [rsp + 24], rcx",
            "mov [rsp + 32], r8",
            "mov [rsp + 40], r9",
            "test al, al",
            "je 2f",
            "movaps [rsp + 48], xmm0",
            "movaps [rsp + 64], xmm1",
            "movaps [rsp + 80], xmm2",
            "movaps [rsp + 96], xmm3",
            "movaps [rsp + 112], xmm4",
            "movaps [rsp + 128], xmm5",
            "movaps [rsp + 144], xmm6",
            "movaps [rsp + 160], xmm7",
            "2:",
            concat!("mov dword ptr [rsp + 176], ", $gp),
            "mov dword ptr [rsp + 180], 48",
            "lea rax, [rsp + 224]",
            "mov [rsp + 184], rax",
            "mov [rsp + 192], rsp",
            concat!("lea ", $vareg, ", [rsp + 176]"),
            "call {target}",
            "add rsp, 216",
            "ret",
            target = sym $target,
        )
    };
}

/// `sqlite3_mprintf(fmt, ...)`: trampoline to [`sqlite3_vmprintf`].
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub extern "C" fn sqlite3_mprintf() {
    trampoline!("8", "rsi", mprintf_impl)
}

/// `sqlite3_snprintf(n, buf, fmt, ...)`: trampoline to [`sqlite3_vsnprintf`].
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub extern "C" fn sqlite3_snprintf() {
    trampoline!("24", "rcx", snprintf_impl)
}

/// `sqlite3_str_appendf(s, fmt, ...)`: trampoline to [`sqlite3_str_vappendf`].
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub extern "C" fn sqlite3_str_appendf() {
    trampoline!("16", "rdx", str_appendf_impl)
}

/// `sqlite3_log(rc, fmt, ...)`: no log callback can be installed yet, so
/// there is nowhere to send the message.
#[no_mangle]
pub extern "C" fn sqlite3_log(_rc: c_int, _fmt: *const c_char) {}

/// `sqlite3_config(op, ...)`: accepted and ignored for the options that
/// only tune SQLite's own allocator, mutexes, caches and logging (loom
/// uses its own); SQLITE_ERROR for options that would hand back SQLite
/// internals or that are unknown.
#[no_mangle]
pub extern "C" fn sqlite3_config(op: c_int, _a: usize, _b: usize, _c: usize) -> c_int {
    // SINGLETHREAD turns mutex allocation off (as SQLite's no-op mutexes
    // do); MULTITHREAD / SERIALIZED turn it back on.
    if (1..=3).contains(&op) {
        crate::mutex::set_single_thread(op == 1);
    }
    match op {
        // SINGLETHREAD .. SERIALIZED, MALLOC, SCRATCH, PAGECACHE, HEAP,
        // MEMSTATUS, MUTEX, LOOKASIDE, PCACHE, LOG, URI, PCACHE2,
        // COVERING_INDEX_SCAN, SQLLOG, MMAP_SIZE, WIN32_HEAPSIZE, PMASZ,
        // STMTJRNL_SPILL, SMALL_MALLOC, SORTERREF_SIZE, MEMDB_MAXSIZE.
        1..=4 | 6..=10 | 13 | 14 | 16..=18 | 20..=23 | 25..=29 => ResultCode::OK.0,
        _ => ResultCode::ERROR.0,
    }
}

/// Defaults of the boolean `sqlite3_db_config` options 1002..=1017 in the
/// system SQLite build (FKEY off, TRIGGER on, FTS3_TOKENIZER on,
/// LOAD_EXTENSION off, NO_CKPT off, QPSG off, TRIGGER_EQP off, RESET off,
/// DEFENSIVE off, WRITABLE_SCHEMA off, LEGACY_ALTER off, DQS_DML on,
/// DQS_DDL on, VIEW on, LEGACY_FILE_FORMAT off, TRUSTED_SCHEMA on).
const DBCONFIG_DEFAULTS: [c_int; 16] = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1];

/// `sqlite3_db_config(db, op, ...)`: ENABLE_FKEY (1002), ENABLE_TRIGGER
/// (1003) and ENABLE_VIEW (1015) are real switches; the other boolean
/// options (1004..=1017,
/// arguments `int onoff, int *pRes`) report SQLite's default through
/// `pRes` and accept only that value (loom does not implement switching
/// them yet: any other value is SQLITE_ERROR); MAINDBNAME and LOOKASIDE
/// are accepted and ignored.
///
/// # Safety
/// For boolean options, `b` is NULL or a valid `int *`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_db_config(
    db: *mut sqlite3,
    op: c_int,
    a: usize,
    b: usize,
    _c: usize,
) -> c_int {
    guard_rc(|| {
        let Some(c) = conn(db) else {
            return ResultCode::MISUSE.0;
        };
        match op {
            1000 | 1001 => ResultCode::OK.0,
            // ENABLE_FKEY, ENABLE_TRIGGER, ENABLE_VIEW: real switches.
            1002 | 1003 | 1015 => {
                let Some(db) = c.database() else {
                    return c.set_code(ResultCode::MISUSE);
                };
                let onoff = a as u32 as c_int;
                let set = (onoff >= 0).then_some(onoff != 0);
                let now = match op {
                    1002 => db.foreign_keys(set),
                    1003 => db.enable_triggers(set),
                    _ => db.enable_views(set),
                };
                let now = match now {
                    Ok(v) => v,
                    Err(e) => return c.set_db_error(&e),
                };
                let res = b as *mut c_int;
                if !res.is_null() {
                    // SAFETY: the option's second argument is an `int *`.
                    unsafe { *res = c_int::from(now) };
                }
                ResultCode::OK.0
            }
            1003..=1017 => {
                let dflt = DBCONFIG_DEFAULTS[(op - 1002) as usize];
                let onoff = a as u32 as c_int;
                let res = b as *mut c_int;
                if !res.is_null() {
                    // SAFETY: the option's second argument is an `int *`.
                    unsafe { *res = dflt };
                }
                if onoff >= 0 && (onoff != 0) != (dflt != 0) {
                    return c.unsupported("changing this sqlite3_db_config option");
                }
                ResultCode::OK.0
            }
            _ => c.set_code(ResultCode::ERROR),
        }
    })
}

/// `sqlite3_test_control(op, ...)`: 0, SQLite's answer for an operation
/// the build does not implement.
#[no_mangle]
pub extern "C" fn sqlite3_test_control(_op: c_int) -> c_int {
    0
}

/// `sqlite3_vtab_config(db, op, ...)`: SQLITE_OK inside xCreate/xConnect
/// for a known option, else SQLITE_MISUSE (see `vtab.rs`). The optional
/// argument of SQLITE_VTAB_CONSTRAINT_SUPPORT is accepted and not read.
#[no_mangle]
pub extern "C" fn sqlite3_vtab_config(db: *mut sqlite3, op: c_int) -> c_int {
    crate::guard::guard_rc(|| crate::vtab::vtab_config(db, op))
}
