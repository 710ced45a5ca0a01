//! L4 — built-in SQL functions.
//!
//! SQLite counterpart: func.c, date.c (and the function parts of
//! callback.c and vdbeapi.c).
//!
//! Every built-in is one Rust function behind a [`Registry`]. The VM calls
//! scalars as [`ScalarFn`] and drives aggregates through
//! [`AggregateState`]; functions reach their connection only through the
//! [`FuncEnv`] trait, which the VM implements (no upward calls).
//!
//! | file | job |
//! |---|---|
//! | `context.rs` | `FuncContext`, `FuncEnv`, `FuncError`, `FuncDef`, function shapes |
//! | `registry.rs` | name/arity lookup, the built-in table |
//! | `core.rs` | abs, coalesce, iif, nullif, min/max, typeof, quote, hex, round, random, printf, ... |
//! | `text.rs` | length, lower/upper, trim, substr, replace, instr, char, unicode |
//! | `pattern.rs` | LIKE and GLOB (`like_match`, `glob_match`) |
//! | `aggregate.rs` | count, sum, total, avg, min, max, group_concat |
//! | `math.rs` | the math functions |
//! | `datetime.rs` | the `DateTime` value: parsing, Julian days, modifiers |
//! | `date.rs` | date, time, datetime, julianday, unixepoch, strftime |
//! | `json/` | the JSON1 functions, `->` and `->>` |
//! | `build_info.rs` | compile options, load_extension, soundex |

mod aggregate;
mod build_info;
mod context;
mod core;
mod date;
mod datetime;
mod json;
mod math;
mod pattern;
mod registry;
mod text;

#[cfg(test)]
mod tests;

pub use build_info::{compile_option_get, compile_option_used, COMPILE_OPTIONS};
pub use context::{
    AggregateFactory, AggregateState, FuncContext, FuncDef, FuncEnv, FuncError, FuncFlags,
    FuncKind, ScalarFn, UserAggregateFactory, UserScalar,
};
pub use core::SqlPrintfArgs;
pub use json::{register_vtabs as register_json_vtabs, JSON_SUBTYPE};
pub use pattern::{glob_match, like_match};
pub use registry::Registry;
