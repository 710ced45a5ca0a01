//! The "lent connection" slot: how a C callback's SQL on its own connection
//! reaches the environment of the statement that called it.
//!
//! SQLite counterpart: none. C SQLite lets a user function, virtual-table
//! method or collation call `sqlite3_prepare_v2`/`sqlite3_step`/... on the
//! connection that is running it (the `sqlite3` struct is shared and its
//! mutex recursive). loom's engine keeps the connection in a `RefCell`
//! that the outer step holds mutably, so a nested call must not borrow it
//! again, and must not forge a second `&mut` to it either.
//!
//! Protocol (the engine side is documented in `loomdb`'s `conn/view.rs`):
//! 1. Just before calling C, a callback wrapper asks its `FuncContext` for
//!    a reborrow of the VM's environment (`FuncEnv::reentry`) and calls
//!    [`lend`] with it. [`lend`] pushes a pointer derived from that
//!    reborrow, with the connection's key, on this thread's stack of lent
//!    environments, runs the C callback, and pops the entry when the
//!    callback returns (also on unwind: the pop is a drop guard).
//! 2. While the entry is on the stack, the wrapper and every outer frame
//!    leave the environment alone (they are suspended in the call).
//! 3. A nested engine call on that connection, on this thread, goes
//!    through [`lookup`] (installed into the engine on first lend): it
//!    takes the topmost entry for the key, marks it busy, turns the
//!    pointer back into `&mut` for the duration of the nested call only,
//!    and clears the mark afterwards. A busy entry is never handed out a
//!    second time, so at most one `&mut` derived from an entry is live;
//!    a call that finds it busy gets the engine's SQLITE_MISUSE instead.
//! 4. Entries are per thread: another thread never sees them and blocks
//!    on the connection's mutex, which the outer step holds.

use std::cell::RefCell;

use crate::engine::{install_callback_lender, install_lent_lookup, lent_env_key, LentEnv};

/// One lent environment (invariant 3).
struct Lent {
    key: usize,
    env: *mut LentEnv<'static>,
    busy: bool,
}

thread_local! {
    static LENT: RefCell<Vec<Lent>> = const { RefCell::new(Vec::new()) };
}

/// Pops the entries above `depth` when dropped (invariant 1).
struct PopTo(usize);

impl Drop for PopTo {
    fn drop(&mut self) {
        let _ = LENT.try_with(|l| l.borrow_mut().truncate(self.0));
    }
}

/// Runs `f` (which calls into C) with `env` lent to nested calls on its
/// connection; without an environment just runs `f`.
pub(crate) fn lend<R>(env: Option<LentEnv<'_>>, f: impl FnOnce() -> R) -> R {
    let Some(mut env) = env else {
        return f();
    };
    install_lent_lookup(lookup);
    let key = lent_env_key(&env);
    // Only the lifetime is erased; the pointer is removed (PopTo) before
    // `env` goes out of scope.
    let ptr = (&mut env as *mut LentEnv<'_>).cast::<LentEnv<'static>>();
    let depth = LENT.with(|l| {
        let mut l = l.borrow_mut();
        l.push(Lent {
            key,
            env: ptr,
            busy: false,
        });
        l.len() - 1
    });
    let _pop = PopTo(depth);
    f()
}

/// Clears the busy mark of entry `i` when dropped.
struct Unbusy(usize);

impl Drop for Unbusy {
    fn drop(&mut self) {
        let _ = LENT.try_with(|l| {
            if let Some(e) = l.borrow_mut().get_mut(self.0) {
                e.busy = false;
            }
        });
    }
}

/// The engine's [`crate::engine::LentLookup`] (invariant 3).
fn lookup(key: usize, visit: &mut dyn FnMut(&mut LentEnv<'_>)) -> bool {
    let found = LENT.with(|l| {
        let mut l = l.borrow_mut();
        let i = l.iter().rposition(|e| e.key == key)?;
        let e = l.get_mut(i)?;
        if e.busy {
            return None;
        }
        e.busy = true;
        Some((i, e.env))
    });
    let Some((i, ptr)) = found else {
        return false;
    };
    let _unbusy = Unbusy(i);
    // SAFETY: `ptr` was derived from a `&mut` reborrow of the environment
    // the VM lent to the callback now running on this thread (the entry is
    // popped before that callback returns, so the environment is alive);
    // the frames holding the parent borrows are suspended in that call and
    // do not touch it (invariant 2); the busy mark guarantees this is the
    // only `&mut` derived from the entry until `_unbusy` drops, and the
    // reference does not outlive this call.
    let env = unsafe { &mut *ptr };
    visit(env);
    true
}

/// The engine's callback lender (virtual-table methods called by the VM).
fn lend_for_vtab(env: LentEnv<'_>, f: &mut dyn FnMut()) {
    lend(Some(env), f)
}

/// Makes the VM lend its environment around virtual-table methods (called
/// when a C module is registered).
pub(crate) fn install_vtab_lending() {
    install_callback_lender(lend_for_vtab);
}
