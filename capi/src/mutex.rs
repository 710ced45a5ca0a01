//! `sqlite3_mutex_*`: mutexes for applications and extensions.
//!
//! SQLite counterpart: mutex.c and mutex_unix.c (pthread mutexes).
//!
//! loom serializes each connection internally (the engine's re-entrant
//! lock), so these mutexes only coordinate application code: a mutex an
//! application takes does not block loom itself. `sqlite3_db_mutex`
//! returns one recursive mutex per connection for that purpose.
//!
//! Invariants:
//! 1. Every mutex is a heap `pthread_mutex_t` that never moves after
//!    initialisation (it lives in a registered `Box`).
//! 2. The twelve static mutexes (SQLITE_MUTEX_STATIC_*) are created once
//!    and never freed; `sqlite3_mutex_free` ignores them.
//! 3. FAST and static mutexes are plain; RECURSIVE ones (and the
//!    connection mutex) are recursive, as in SQLite.

use std::cell::UnsafeCell;
use std::ffi::c_int;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use crate::guard::guard;
use crate::handle::{self, Handle};
use loomdb::rc::ResultCode;

const MUTEX_MAGIC: u32 = 0x4d55_5458; // "MUTX"
const FAST: c_int = 0;
const RECURSIVE: c_int = 1;
const STATIC_FIRST: c_int = 2;
const STATIC_LAST: c_int = 13;

/// The C type `sqlite3_mutex`.
#[allow(non_camel_case_types)]
pub type sqlite3_mutex = MutexObj;

/// One pthread mutex handed to C.
pub struct MutexObj {
    magic: u32,
    is_static: bool,
    m: UnsafeCell<libc::pthread_mutex_t>,
}

impl Handle for MutexObj {
    const MAGIC: u32 = MUTEX_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

impl Drop for MutexObj {
    fn drop(&mut self) {
        // SAFETY: the mutex was initialised in `create` and is not locked
        // by contract when freed (SQLite's rule for sqlite3_mutex_free).
        unsafe { libc::pthread_mutex_destroy(self.m.get()) };
    }
}

fn create(recursive: bool, is_static: bool) -> *mut sqlite3_mutex {
    let p = handle::register(MutexObj {
        magic: MUTEX_MAGIC,
        is_static,
        m: UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER),
    });
    if recursive {
        // SAFETY: `p` is live and not yet shared; attr is initialised before
        // use and destroyed after; the mutex memory does not move (Box).
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            libc::pthread_mutexattr_init(&mut attr);
            libc::pthread_mutexattr_settype(&mut attr, libc::PTHREAD_MUTEX_RECURSIVE);
            libc::pthread_mutex_init((*p).m.get(), &attr);
            libc::pthread_mutexattr_destroy(&mut attr);
        }
    }
    p
}

/// A new recursive mutex (the per-connection `sqlite3_db_mutex`).
pub(crate) fn new_recursive() -> *mut sqlite3_mutex {
    create(true, false)
}

/// Frees a mutex made by [`new_recursive`].
pub(crate) fn free(p: *mut sqlite3_mutex) {
    // SAFETY: the owner (a closing connection) drops its only pointer.
    drop(unsafe { handle::release(p) });
}

fn statics() -> &'static [usize; 12] {
    static S: OnceLock<[usize; 12]> = OnceLock::new();
    S.get_or_init(|| std::array::from_fn(|_| create(false, true) as usize))
}

/// `sqlite3_config(SQLITE_CONFIG_SINGLETHREAD)` is in effect: mutex
/// allocation returns SQLite's no-op mutex (invariant of `handle.rs`: it is
/// not a live handle, so every other mutex call ignores it).
static SINGLE_THREAD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Records the threading mode chosen with `sqlite3_config`.
pub(crate) fn set_single_thread(on: bool) {
    SINGLE_THREAD.store(on, Ordering::Relaxed);
}

/// `sqlite3_mutex_alloc(kind)`: a new FAST/RECURSIVE mutex or a static one.
#[no_mangle]
pub extern "C" fn sqlite3_mutex_alloc(kind: c_int) -> *mut sqlite3_mutex {
    guard(std::ptr::null_mut(), || match kind {
        // SQLite's no-op mutexes are the address 8 (never dereferenced:
        // every mutex call checks liveness first).
        FAST | RECURSIVE if SINGLE_THREAD.load(Ordering::Relaxed) => {
            std::ptr::without_provenance_mut::<sqlite3_mutex>(8)
        }
        FAST => create(false, false),
        RECURSIVE => create(true, false),
        STATIC_FIRST..=STATIC_LAST => {
            let i = (kind - STATIC_FIRST) as usize;
            statics()
                .get(i)
                .map_or(std::ptr::null_mut(), |&p| p as *mut sqlite3_mutex)
        }
        _ => std::ptr::null_mut(),
    })
}

/// The live mutex `p`, or `None`.
fn obj<'a>(p: *const sqlite3_mutex) -> Option<&'a MutexObj> {
    // SAFETY: handle::get only dereferences live mutexes; the caller does not
    // free `p` while using it (SQLite's contract).
    unsafe { handle::get(p) }
}

fn with(p: *mut sqlite3_mutex, f: impl FnOnce(&MutexObj) -> c_int) -> c_int {
    guard(ResultCode::MISUSE.0, || {
        obj(p).map_or(ResultCode::MISUSE.0, f)
    })
}

/// `sqlite3_mutex_free(m)`: frees a dynamic mutex; ignores static ones.
#[no_mangle]
pub extern "C" fn sqlite3_mutex_free(p: *mut sqlite3_mutex) {
    let dynamic = guard(false, || obj(p).is_some_and(|m| !m.is_static));
    if dynamic {
        free(p);
    }
}

/// `sqlite3_mutex_enter(m)`: blocks until locked; NULL is a no-op.
#[no_mangle]
pub extern "C" fn sqlite3_mutex_enter(p: *mut sqlite3_mutex) {
    // SAFETY: the mutex is initialised and pinned (invariant 1).
    with(p, |m| unsafe { libc::pthread_mutex_lock(m.m.get()) });
}

/// `sqlite3_mutex_try(m)`: SQLITE_OK if locked, SQLITE_BUSY otherwise.
#[no_mangle]
pub extern "C" fn sqlite3_mutex_try(p: *mut sqlite3_mutex) -> c_int {
    with(p, |m| {
        // SAFETY: the mutex is initialised and pinned (invariant 1).
        let r = unsafe { libc::pthread_mutex_trylock(m.m.get()) };
        if r == 0 {
            ResultCode::OK.0
        } else {
            ResultCode::BUSY.0
        }
    })
}

/// `sqlite3_mutex_leave(m)`: unlocks; NULL is a no-op.
#[no_mangle]
pub extern "C" fn sqlite3_mutex_leave(p: *mut sqlite3_mutex) {
    // SAFETY: the mutex is initialised and pinned (invariant 1); the caller
    // holds it (SQLite's contract).
    with(p, |m| unsafe { libc::pthread_mutex_unlock(m.m.get()) });
}

/// `sqlite3_mutex_held(m)`: 1 (loom does not track owners; SQLite's
/// release builds answer the same for assert() use).
#[no_mangle]
pub extern "C" fn sqlite3_mutex_held(_p: *mut sqlite3_mutex) -> c_int {
    1
}

/// `sqlite3_mutex_notheld(m)`: 1 (see [`sqlite3_mutex_held`]).
#[no_mangle]
pub extern "C" fn sqlite3_mutex_notheld(_p: *mut sqlite3_mutex) -> c_int {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_fast_and_static() {
        let r = sqlite3_mutex_alloc(RECURSIVE);
        sqlite3_mutex_enter(r);
        assert_eq!(sqlite3_mutex_try(r), 0, "recursive mutex re-enters");
        sqlite3_mutex_leave(r);
        sqlite3_mutex_leave(r);
        sqlite3_mutex_free(r);
        let f = sqlite3_mutex_alloc(FAST);
        sqlite3_mutex_enter(f);
        let fu = f as usize;
        let other = std::thread::spawn(move || sqlite3_mutex_try(fu as *mut sqlite3_mutex)).join();
        assert_eq!(other.ok(), Some(ResultCode::BUSY.0));
        sqlite3_mutex_leave(f);
        sqlite3_mutex_free(f);
        assert_eq!(sqlite3_mutex_try(f), ResultCode::MISUSE.0, "freed mutex");
        assert_eq!(
            sqlite3_mutex_alloc(2),
            sqlite3_mutex_alloc(2),
            "static mutexes are shared"
        );
        assert!(sqlite3_mutex_alloc(99).is_null());
    }
}
