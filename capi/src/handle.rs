//! Handle checking: the one place where a pointer from C becomes a Rust
//! reference.
//!
//! SQLite counterpart: `sqlite3SafetyCheckOk` / `sqlite3SafetyCheckSickOrOk`
//! (main.c) and the `VDBE_MAGIC_*` checks of vdbeapi.c, with
//! SQLITE_ENABLE_API_ARMOR always on.
//!
//! Every object C holds a pointer to (`sqlite3`, `sqlite3_stmt`,
//! `sqlite3_value`) is a `Box` whose address is recorded, together with its
//! kind's magic number, in one process-wide live set. A pointer is turned
//! into a reference only if it is in the live set with the right magic, so
//! NULL, freed, finalized, closed or wrong-kind pointers are reported
//! (SQLITE_MISUSE / NULL / 0) and never dereferenced.
//!
//! Every C API call checks its handle, so the check has a fast path: each
//! thread remembers, per kind slot, the last address it found live together
//! with that slot's *release generation*. Any [`release`] of a kind bumps
//! its slot's generation (under the live-set lock, before the object is
//! freed), so a remembered answer is trusted only while no object of that
//! kind (or of a kind sharing its slot) has been released since: a freed
//! or reused address can never be taken from the cache. Junk pointers are
//! never in the cache (only addresses found in the live set are).
//!
//! Invariants:
//! 1. An address is in the live set exactly while its `Box` is allocated
//!    ([`register`] after allocation, [`release`] before deallocation).
//! 2. The magic stored in the set is the kind's [`Handle::MAGIC`]; the
//!    object's own `magic` field holds the same value until release, when it
//!    is cleared (belt and braces for debuggers and core dumps).
//! 3. Only [`get`] and [`release`] dereference pointers that came from C.
//! 4. A thread-cache entry `(addr, magic, gen)` exists only if `addr` was in
//!    the live set with `magic` while `GENERATIONS[slot]` was `gen` (read
//!    under the lock); it is used only while the generation is unchanged.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use parking_lot::Mutex;

/// An object whose address is handed to C.
pub(crate) trait Handle {
    /// Magic number identifying the kind.
    const MAGIC: u32;
    /// Clears the object's magic field (called on release).
    fn clear_magic(&mut self);
    /// The object's magic field.
    fn magic(&self) -> u32;
}

/// Hashes handle addresses with one multiply (every C API call looks its
/// handle up, so SipHash's cost showed in profiles; addresses are not
/// attacker-chosen keys).
#[derive(Default, Clone, Copy)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64 >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type LiveSet = HashMap<usize, u32, BuildHasherDefault<AddrHasher>>;

fn live() -> &'static Mutex<LiveSet> {
    static LIVE: OnceLock<Mutex<LiveSet>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(LiveSet::default()))
}

/// Kind slots of the per-thread cache and of the release generations.
const SLOTS: usize = 8;

/// The cache slot of a kind (distinct for the hot kinds: statement,
/// connection, value, function context; a shared slot only costs misses).
const fn slot(magic: u32) -> usize {
    (magic.wrapping_mul(0x9E37_79B1) >> 29) as usize
}

/// Per slot: how many releases of its kinds happened (invariant 4).
static GENERATIONS: [AtomicU64; SLOTS] = [const { AtomicU64::new(1) }; SLOTS];

thread_local! {
    /// Per slot: the last (address, magic, generation) found live.
    static RECENT: [Cell<(usize, u32, u64)>; SLOTS] =
        const { [const { Cell::new((0, 0, 0)) }; SLOTS] };
}

/// Hands `obj` to C: boxes it, records it live, returns its address.
pub(crate) fn register<T: Handle>(obj: T) -> *mut T {
    let p = Box::into_raw(Box::new(obj));
    live().lock().insert(p as usize, T::MAGIC);
    p
}

/// The thread's cache says `addr` is a live object of kind `T`.
#[inline]
fn cached<T: Handle>(addr: usize) -> bool {
    let s = slot(T::MAGIC);
    let Some((a, m, g)) = RECENT.with(|r| r.get(s).map(Cell::get)) else {
        return false;
    };
    a == addr
        && m == T::MAGIC
        && GENERATIONS
            .get(s)
            .is_some_and(|gen| gen.load(Ordering::Acquire) == g)
}

/// True if `p` is a live object of kind `T`.
pub(crate) fn is_live<T: Handle>(p: *const T) -> bool {
    let addr = p as usize;
    if p.is_null() {
        return false;
    }
    if cached::<T>(addr) {
        return true;
    }
    let set = live().lock();
    if set.get(&addr) != Some(&T::MAGIC) {
        return false;
    }
    let s = slot(T::MAGIC);
    if let Some(gen) = GENERATIONS.get(s) {
        let g = gen.load(Ordering::Acquire);
        RECENT.with(|r| {
            if let Some(e) = r.get(s) {
                e.set((addr, T::MAGIC, g));
            }
        });
    }
    true
}

/// The object `p` points to, if it is a live object of kind `T`.
///
/// # Safety
/// The returned reference must not outlive the C call that passed `p`, and
/// no other thread may release `p` meanwhile (SQLite's own rule: a handle is
/// not closed or finalized while another thread is using it).
pub(crate) unsafe fn get<'a, T: Handle>(p: *const T) -> Option<&'a T> {
    if !is_live(p) {
        return None;
    }
    // SAFETY: `p` is in the live set, so it came from `register` and its Box
    // has not been freed (invariant 1); the caller guarantees no concurrent
    // release for the lifetime of the reference.
    let r = unsafe { &*p };
    (r.magic() == T::MAGIC).then_some(r)
}

/// Takes `p` back from C: removes it from the live set and returns the Box.
/// `None` (and nothing happens) if `p` is not a live object of kind `T`.
///
/// # Safety
/// No reference obtained from [`get`] for `p` may be used afterwards.
pub(crate) unsafe fn release<T: Handle>(p: *mut T) -> Option<Box<T>> {
    {
        let mut set = live().lock();
        if p.is_null() || set.get(&(p as usize)) != Some(&T::MAGIC) {
            return None;
        }
        set.remove(&(p as usize));
        // Every thread's cached answer for this kind is now stale.
        if let Some(gen) = GENERATIONS.get(slot(T::MAGIC)) {
            gen.fetch_add(1, Ordering::AcqRel);
        }
    }
    // SAFETY: `p` was live (so allocated by `register` through Box::into_raw
    // and not yet freed) and is now out of the live set, so this is the only
    // owner; the caller guarantees no outstanding references.
    let mut b = unsafe { Box::from_raw(p) };
    b.clear_magic();
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct A(u32);
    impl Handle for A {
        const MAGIC: u32 = 0xA11C_E000;
        fn clear_magic(&mut self) {
            self.0 = 0;
        }
        fn magic(&self) -> u32 {
            self.0
        }
    }
    struct B(u32);
    impl Handle for B {
        const MAGIC: u32 = 0xB0B0_0000;
        fn clear_magic(&mut self) {
            self.0 = 0;
        }
        fn magic(&self) -> u32 {
            self.0
        }
    }

    #[test]
    fn live_dead_null_and_wrong_kind() {
        let p = register(A(A::MAGIC));
        // SAFETY: single-threaded test; p is not released while r is used.
        let r = unsafe { get(p) };
        assert!(r.is_some());
        // SAFETY: a wrong-kind pointer is only looked up, never dereferenced.
        assert!(unsafe { get::<B>(p.cast()) }.is_none());
        // SAFETY: null is rejected before any dereference.
        assert!(unsafe { get::<A>(std::ptr::null()) }.is_none());
        // SAFETY: no reference to p is used after this.
        assert!(unsafe { release(p) }.is_some());
        assert!(!is_live(p));
        // SAFETY: p is dead; get and release must refuse it without touching it.
        assert!(unsafe { get(p) }.is_none());
        // SAFETY: as above.
        assert!(unsafe { release(p) }.is_none());
    }
}
