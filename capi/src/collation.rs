//! Application-defined collating sequences and the collation-needed
//! callback.
//!
//! SQLite counterpart: `sqlite3_create_collation_v2`, `createCollation`,
//! `sqlite3_collation_needed` (main.c), `callCollNeeded` (callback.c).
//!
//! Invariants:
//! 1. The comparison callback receives the two strings in the encoding the
//!    collation was registered with (UTF-8, or UTF-16 in the requested
//!    byte order) and its sign is the ordering.
//! 2. xDestroy runs once, when the collation is replaced or deleted and no
//!    compiled statement uses it any more, or the connection closes; never
//!    when the registration itself fails (c3ref/create_collation.html).
//! 3. The collation-needed callback runs when a prepare fails with "no such
//!    collation sequence: X"; the prepare is retried once afterwards, so a
//!    callback that registers X makes the statement work, as in SQLite.

use std::cmp::Ordering;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;

use crate::bind::{run_destructor, Destructor};
use crate::connection::{arg_str, arg_str16, conn, sqlite3, with_db};
use crate::engine::Collation;
use crate::guard::guard_rc;
use loomdb::rc::ResultCode;

pub(crate) type XCompare =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *const c_void, c_int, *const c_void) -> c_int>;

/// `xCollNeeded(pArg, db, eTextRep, zName)` (UTF-8 or UTF-16 name).
pub(crate) type XNeeded =
    Option<unsafe extern "C" fn(*mut c_void, *mut sqlite3, c_int, *const c_void)>;

/// A registered C collation.
struct CCollation {
    name: String,
    arg: *mut c_void,
    cmp: unsafe extern "C" fn(*mut c_void, c_int, *const c_void, c_int, *const c_void) -> c_int,
    enc: c_int,
    destroy: Destructor,
    /// Cleared when the registration failed (invariant 2).
    armed: AtomicBool,
}

// SAFETY: serialized mode: the application's callback and pointer are used
// only with the connection locked (SQLite's threading contract).
unsafe impl Send for CCollation {}
// SAFETY: as above; the struct is immutable apart from an atomic.
unsafe impl Sync for CCollation {}

impl std::fmt::Debug for CCollation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CCollation({})", self.name)
    }
}

fn to_enc(s: &[u8], enc: c_int) -> Vec<u8> {
    let text = String::from_utf8_lossy(s);
    match enc {
        2 => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        3 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        4 => text.encode_utf16().flat_map(u16::to_ne_bytes).collect(),
        _ => s.to_vec(),
    }
}

impl Collation for CCollation {
    fn name(&self) -> &str {
        &self.name
    }
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        let (a, b) = if self.enc == 1 {
            (a.to_vec(), b.to_vec())
        } else {
            (to_enc(a, self.enc), to_enc(b, self.enc))
        };
        // SAFETY: the application registered `cmp` with this signature;
        // the buffers live across the call.
        let r = unsafe {
            (self.cmp)(
                self.arg,
                a.len() as c_int,
                a.as_ptr().cast(),
                b.len() as c_int,
                b.as_ptr().cast(),
            )
        };
        r.cmp(&0)
    }
}

impl Drop for CCollation {
    fn drop(&mut self) {
        if self.armed.load(AtomicOrdering::Relaxed) {
            run_destructor(self.destroy, self.arg);
        }
    }
}

fn create(
    db: *mut sqlite3,
    name: Option<String>,
    enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
    destroy: Destructor,
) -> c_int {
    let Some(c) = conn(db) else {
        return ResultCode::MISUSE.0;
    };
    let enc = match enc & !0x8 {
        5 => 4, // SQLITE_UTF16_ALIGNED
        e @ 1..=4 => e,
        _ => return c.set_code(ResultCode::MISUSE),
    };
    let Some(name) = name else {
        return c.set_code(ResultCode::MISUSE);
    };
    let coll = cmp.map(|cmp| {
        Arc::new(CCollation {
            name: name.clone(),
            arg,
            cmp,
            enc,
            destroy,
            armed: AtomicBool::new(true),
        })
    });
    let keep = coll.clone();
    let engine: Option<Arc<dyn Collation>> = coll.map(|c| c as Arc<dyn Collation>);
    with_db(db, |c, d| match d.create_collation(&name, engine) {
        Ok(()) => c.set_code(ResultCode::OK),
        Err(e) => {
            if let Some(k) = &keep {
                k.armed.store(false, AtomicOrdering::Relaxed);
            }
            c.set_db_error(&e)
        }
    })
}

/// `sqlite3_create_collation_v2(db, name, eTextRep, pArg, xCompare, xDestroy)`.
///
/// # Safety
/// `name` is NUL-terminated; the callbacks follow SQLite's contracts.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_collation_v2(
    db: *mut sqlite3,
    name: *const c_char,
    enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
    destroy: Destructor,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| create(db, unsafe { arg_str(name) }, enc, arg, cmp, destroy))
}

/// `sqlite3_create_collation(db, name, eTextRep, pArg, xCompare)`.
///
/// # Safety
/// As [`sqlite3_create_collation_v2`].
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_collation(
    db: *mut sqlite3,
    name: *const c_char,
    enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| create(db, unsafe { arg_str(name) }, enc, arg, cmp, None))
}

/// `sqlite3_create_collation16(db, name, eTextRep, pArg, xCompare)`.
///
/// # Safety
/// `name` is a 0-terminated native UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_create_collation16(
    db: *mut sqlite3,
    name: *const c_void,
    enc: c_int,
    arg: *mut c_void,
    cmp: XCompare,
) -> c_int {
    // SAFETY: forwarded contract.
    guard_rc(|| create(db, unsafe { arg_str16(name) }, enc, arg, cmp, None))
}

/// `sqlite3_collation_needed(db, pArg, xNeeded)`.
#[no_mangle]
pub extern "C" fn sqlite3_collation_needed(
    db: *mut sqlite3,
    arg: *mut c_void,
    f: Option<unsafe extern "C" fn(*mut c_void, *mut sqlite3, c_int, *const c_char)>,
) -> c_int {
    guard_rc(|| match conn(db) {
        Some(c) => {
            // SAFETY: same ABI (the name pointer's pointee type differs only).
            let f: XNeeded = f.map(|f| unsafe { std::mem::transmute(f) });
            c.set_collation_needed(f, arg, false);
            ResultCode::OK.0
        }
        None => ResultCode::MISUSE.0,
    })
}

/// `sqlite3_collation_needed16(db, pArg, xNeeded16)`.
#[no_mangle]
pub extern "C" fn sqlite3_collation_needed16(
    db: *mut sqlite3,
    arg: *mut c_void,
    f: XNeeded,
) -> c_int {
    guard_rc(|| match conn(db) {
        Some(c) => {
            c.set_collation_needed(f, arg, true);
            ResultCode::OK.0
        }
        None => ResultCode::MISUSE.0,
    })
}

/// Invariant 3: if `msg` reports a missing collation and a callback is
/// installed, asks for it; true when the callback ran (retry the prepare).
pub(crate) fn ask_for_collation(db: *mut sqlite3, msg: &str) -> bool {
    let Some(name) = msg.strip_prefix("no such collation sequence: ") else {
        return false;
    };
    let Some(c) = conn(db) else { return false };
    let Some((f, arg, utf16)) = c.collation_needed() else {
        return false;
    };
    if utf16 {
        let units: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
        // SAFETY: the application's callback gets a 0-terminated UTF-16 name.
        unsafe { f(arg, db, 4, units.as_ptr().cast()) };
    } else {
        let Ok(z) = CString::new(name) else {
            return false;
        };
        // SAFETY: the application's callback gets a NUL-terminated name.
        unsafe { f(arg, db, 1, z.as_ptr().cast()) };
    }
    true
}
