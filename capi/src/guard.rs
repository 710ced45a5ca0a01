//! Panic firewall: no unwinding panic ever crosses an `extern "C"` boundary.
//!
//! SQLite counterpart: none (C cannot panic). Every exported function runs
//! its body inside [`guard`], which catches an unwinding panic and returns a
//! caller-chosen neutral value instead (SQLITE_INTERNAL, SQLITE_MISUSE,
//! NULL, 0). A panic is a bug in loom; it is logged to stderr once per
//! process by the default hook and never aborts the host program.
//!
//! Invariants:
//! 1. Every `#[no_mangle] extern "C" fn` of this crate calls [`guard`] (or
//!    is a constant accessor that cannot panic).
//! 2. Closures passed to [`guard`] are treated as unwind-safe: after a
//!    caught panic, the handle involved is left in whatever state the panic
//!    left it; later calls on it see consistent Rust data (locks in this
//!    crate are `parking_lot`, which does not poison).

use std::panic::{catch_unwind, AssertUnwindSafe};

use loomdb::rc::ResultCode;

/// Runs `body`; if it panics, returns `on_panic` instead.
pub(crate) fn guard<R>(on_panic: R, body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// [`guard`] for functions returning a result code: a panic is SQLITE_INTERNAL.
pub(crate) fn guard_rc(body: impl FnOnce() -> i32) -> i32 {
    guard(ResultCode::INTERNAL.0, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_the_neutral_value() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let rc = guard_rc(|| panic!("boom"));
        let p: *const u8 = guard(std::ptr::null(), || panic!("boom"));
        std::panic::set_hook(prev);
        assert_eq!(rc, ResultCode::INTERNAL.0);
        assert!(p.is_null());
        assert_eq!(guard_rc(|| 7), 7);
    }
}
