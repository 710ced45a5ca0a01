//! Shared helpers of the corpus and differential tests (test-only code).
//!
//! SQLite counterpart: the sqllogictest driver program and the harness
//! pieces of SQLite's own test suite.
//!
//! Invariants:
//! 1. Nothing here reads outside this repository: the corpus is vendored
//!    under tests/sqllogictest/corpus.
//! 2. C SQLite is reached only through rusqlite, a dev-dependency; the loom
//!    library never links it.
//! 3. Each test binary uses a subset of these modules, so unused items are
//!    allowed here rather than in each module.
#![allow(dead_code)]

pub mod engine;
pub mod md5;
pub mod slt_parse;
pub mod slt_render;
pub mod sqlgen;
pub mod sqlgen_stmt;
