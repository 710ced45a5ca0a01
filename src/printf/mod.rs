//! SQLite's printf: the format engine behind `sqlite3_mprintf`, the SQL
//! `printf()`/`format()` functions, and the REAL-to-text rendering.
//!
//! SQLite counterpart: printf.c.
//!
//! Invariants:
//! 1. [`render_real`] produces exactly the text SQLite 3.40.1 produces for a
//!    REAL converted to TEXT (`"%!.15g"`): 15 significant digits, trailing
//!    zeros removed but at least one digit after the point, exponent form
//!    when the decimal exponent is below -4 or above 14, exponent with at
//!    least two digits, `Inf`/`-Inf` for infinities, `-0.0` printed as `0.0`.

mod real;

pub use real::render_real;
