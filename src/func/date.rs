//! Date and time functions (placeholder table until implemented).
//!
//! SQLite counterpart: date.c.

use super::context::ScalarFn;

/// Name, arity, implementation.
pub(crate) const TABLE: &[(&str, i32, ScalarFn)] = &[];
