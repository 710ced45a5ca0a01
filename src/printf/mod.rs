//! SQLite's printf: the format engine behind `sqlite3_mprintf`, the SQL
//! `printf()`/`format()` functions, and the REAL-to-text rendering.
//!
//! SQLite counterpart: printf.c (`sqlite3_str_vappendf`, `et_getdigit`),
//! specified by printf.html.
//!
//! Where the arguments come from is abstracted by [`PrintfArgs`]: the C API
//! implements it over a `va_list`, the SQL `printf()` function over its
//! argument values. [`format`] is the whole engine; [`format_limited`] adds
//! SQLite's output length limit (`SQLITE_TOOBIG`), and [`format_sql`] the SQL
//! function's rule that an empty result that never appended anything is NULL.
//!
//! Invariants:
//! 1. [`render_real`] produces exactly the text SQLite 3.40.1 produces for a
//!    REAL converted to TEXT (`"%!.15g"`), and is the same code path as that
//!    format in [`format`].
//! 2. Floating-point digits are computed in emulated x87 extended precision
//!    ([`LongDouble`]), as SQLite 3.40.1 does on x86-64, so even digits past
//!    the 17th match.
//! 3. No input panics: out-of-range widths, precisions and missing
//!    arguments are handled as SQLite handles them.

mod engine;
mod float;
mod longdouble;
mod real;
mod spec;

#[cfg(test)]
mod tests;

pub use longdouble::LongDouble;
pub use real::render_real;

/// Where printf arguments come from.
///
/// In SQL mode the engine calls `next_int`, `next_double` and `next_str`
/// only (SQL `%c` takes the first character of `next_str`, `%p` reads an
/// int); in C mode it also calls `next_char`, `next_ptr` and `store_count`.
/// A source that has run out returns 0, 0.0 or `None`.
pub trait PrintfArgs {
    /// The next integer (C mode: the 64-bit argument slot; the engine
    /// truncates to 32 bits when the format has no `l`/`ll`).
    fn next_int(&mut self) -> i64;
    /// The next floating-point argument.
    fn next_double(&mut self) -> f64;
    /// The next string argument; `None` for NULL (`%s %z %q %Q %w`, SQL `%c`).
    fn next_str(&mut self) -> Option<Vec<u8>>;
    /// The next pointer argument (`%p` in C mode).
    fn next_ptr(&mut self) -> usize;
    /// The next `%c` argument in C mode: a code point from an int.
    fn next_char(&mut self) -> Option<u32> {
        Some(self.next_int() as u32)
    }
    /// `%n` in C mode: the number of bytes produced so far, to be stored
    /// through the next (`int *`) argument. SQL mode never calls this.
    fn store_count(&mut self, _n: usize) {}
}

/// Why formatting failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PrintfError {
    /// The output would exceed the length limit (`SQLITE_TOOBIG`).
    #[error("string or blob too big")]
    TooBig,
}

impl PrintfError {
    /// The SQLite result code of this error.
    pub fn result_code(self) -> crate::rc::ResultCode {
        match self {
            PrintfError::TooBig => crate::rc::ResultCode::TOOBIG,
        }
    }
}

/// Formats `fmt` with no length limit. `sql_mode` selects the SQL
/// `printf()` rules (64-bit integers, `%c` from a string, `%n` ignored).
pub fn format(fmt: &[u8], args: &mut dyn PrintfArgs, sql_mode: bool) -> Vec<u8> {
    let mut acc = engine::StrAccum::new(usize::MAX);
    engine::run(&mut acc, fmt, args, sql_mode);
    acc.buf
}

/// Formats `fmt`, failing when the result would reach `max_len` bytes
/// (SQLite's accumulator limit counts the terminating NUL).
pub fn format_limited(
    fmt: &[u8],
    args: &mut dyn PrintfArgs,
    sql_mode: bool,
    max_len: usize,
) -> Result<Vec<u8>, PrintfError> {
    let mut acc = engine::StrAccum::new(max_len);
    engine::run(&mut acc, fmt, args, sql_mode);
    if acc.too_big {
        return Err(PrintfError::TooBig);
    }
    Ok(acc.buf)
}

/// The SQL `printf()`/`format()` function's formatting: `Ok(None)` (SQL
/// NULL) when nothing at all was appended, e.g. for an empty format.
pub fn format_sql(
    fmt: &[u8],
    args: &mut dyn PrintfArgs,
    max_len: usize,
) -> Result<Option<Vec<u8>>, PrintfError> {
    let mut acc = engine::StrAccum::new(max_len);
    engine::run(&mut acc, fmt, args, true);
    if acc.too_big {
        return Err(PrintfError::TooBig);
    }
    Ok(acc.touched.then_some(acc.buf))
}
