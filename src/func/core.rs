//! Core scalar functions: NULL handling, comparison, typing, quoting,
//! numbers, randomness, connection counters and printf.
//!
//! SQLite counterpart: func.c (`absFunc`, `minmaxFunc`, `nullifFunc`,
//! `typeofFunc`, `quoteFunc`, `hexFunc`, `roundFunc`, `randomFunc`,
//! `randomBlob`, `zeroblobFunc`, `changes`, `printfFunc`, ...).
//!
//! Invariants:
//! 1. Each function takes the already-evaluated arguments (the registry
//!    guarantees their count) and returns a value or a [`FuncError`].
//! 2. Number-to-text conversions go through `crate::record` (REAL text is
//!    `%!.15g`) and text-to-number through `crate::record` too.
//! 3. Arguments hold text as UTF-8 whatever the database encoding; where
//!    SQLite reads a BLOB as text (or text as bytes) it uses the database
//!    encoding, so functions do too ([`text_of`], [`bytes_of`]).

use std::cmp::Ordering;

use super::context::{FuncContext, FuncError};
use crate::printf::{format_sql, PrintfArgs};
use crate::record::{
    compare_values, decode_text, encode_text, value_to_f64, value_to_i64, value_to_text,
    TextEncoding, Value, ValueRef,
};

pub(crate) fn arg<'a>(args: &[ValueRef<'a>], i: usize) -> ValueRef<'a> {
    args.get(i).copied().unwrap_or(ValueRef::Null)
}

/// The UTF-8 text a value reads as (`sqlite3_value_text`): a BLOB's bytes
/// are decoded from the database encoding (invariant 3).
pub(crate) fn text_of(ctx: &FuncContext, v: &ValueRef) -> Vec<u8> {
    match *v {
        ValueRef::Blob(b) => decode_text(b, ctx.env.encoding()),
        _ => value_to_text(v),
    }
}

/// The bytes a value reads as (`sqlite3_value_blob`): TEXT is its bytes in
/// the database encoding, a number its UTF-8 text (invariant 3).
pub(crate) fn bytes_of(ctx: &FuncContext, v: &ValueRef) -> Vec<u8> {
    match *v {
        ValueRef::Blob(b) => b.to_vec(),
        ValueRef::Text(t) => encode_text(t, ctx.env.encoding()),
        _ => value_to_text(v),
    }
}

/// `v` with a BLOB turned into the TEXT it reads as, for functions that
/// read numbers (`sqlite3_value_double` parses a blob in the database
/// encoding).
pub(crate) fn numeric_view(ctx: &FuncContext, v: ValueRef) -> Value {
    match v {
        ValueRef::Blob(b) if !ctx.env.encoding().is_utf8() => {
            Value::Text(decode_text(b, ctx.env.encoding()))
        }
        other => other.to_owned(),
    }
}

/// `abs(X)`.
pub(crate) fn abs(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    match numeric_view(ctx, arg(args, 0)).as_ref() {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(i) => i
            .checked_abs()
            .map(Value::Integer)
            .ok_or_else(|| FuncError::msg("integer overflow")),
        other => {
            // Only negative values flip: abs(-0.0) stays -0.0 as in C.
            let r = value_to_f64(&other);
            Ok(Value::Real(if r < 0.0 { -r } else { r }))
        }
    }
}

/// `coalesce(...)` / `ifnull(X, Y)`: the first non-NULL argument.
pub(crate) fn coalesce(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(args
        .iter()
        .find(|a| !a.is_null())
        .map_or(Value::Null, |a| a.to_owned()))
}

/// SQLite's truth test (`sqlite3VdbeBooleanValue`, NULL is false).
pub(crate) fn is_true(v: &ValueRef) -> bool {
    match *v {
        ValueRef::Null => false,
        ValueRef::Integer(i) => i != 0,
        other => value_to_f64(&other) != 0.0,
    }
}

/// `iif(X, Y, Z)`.
pub(crate) fn iif(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let pick = if is_true(&arg(args, 0)) { 1 } else { 2 };
    Ok(arg(args, pick).to_owned())
}

/// `likely(X)`, `unlikely(X)`, `likelihood(X, P)`: X.
pub(crate) fn first_arg(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(arg(args, 0).to_owned())
}

/// `nullif(X, Y)`.
pub(crate) fn nullif(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let (x, y) = (arg(args, 0), arg(args, 1));
    if compare_values(&x, &y, ctx.collation) == Ordering::Equal {
        Ok(Value::Null)
    } else {
        Ok(x.to_owned())
    }
}

fn minmax(ctx: &FuncContext, args: &[ValueRef], want: Ordering) -> Value {
    if args.iter().any(ValueRef::is_null) {
        return Value::Null;
    }
    let mut best = arg(args, 0);
    for a in args.iter().skip(1) {
        let c = compare_values(a, &best, ctx.collation);
        // min: ties move to the later argument; max: only strictly greater.
        if c == want || (want == Ordering::Less && c == Ordering::Equal) {
            best = *a;
        }
    }
    best.to_owned()
}

/// Scalar `max(X, Y, ...)`.
pub(crate) fn max_scalar(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(minmax(ctx, args, Ordering::Greater))
}

/// Scalar `min(X, Y, ...)`.
pub(crate) fn min_scalar(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(minmax(ctx, args, Ordering::Less))
}

/// `typeof(X)`.
pub(crate) fn type_of(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let name = match arg(args, 0) {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "integer",
        ValueRef::Real(_) => "real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "blob",
    };
    Ok(Value::Text(name.as_bytes().to_vec()))
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
}

/// One printf conversion over a single value, unlimited.
fn printf1(fmt: &str, v: ValueRef) -> Vec<u8> {
    let args = [v];
    let mut src = SqlPrintfArgs::new(&args);
    crate::printf::format(fmt.as_bytes(), &mut src, true)
}

/// `quote(X)`: an SQL literal for X.
pub(crate) fn quote(_: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let v = arg(args, 0);
    let out = match v {
        ValueRef::Null => b"NULL".to_vec(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        ValueRef::Real(r) => {
            let short = printf1("%!.15g", v);
            if value_to_f64(&ValueRef::Text(&short)) == r {
                short
            } else {
                printf1("%!.20e", v)
            }
        }
        ValueRef::Text(_) => printf1("%Q", v),
        ValueRef::Blob(b) => {
            let mut out = Vec::with_capacity(b.len() * 2 + 3);
            out.extend_from_slice(b"X'");
            push_hex(&mut out, b);
            out.push(b'\'');
            out
        }
    };
    Ok(Value::Text(out))
}

/// `hex(X)`: upper-case hex of X's bytes (its text for numbers).
pub(crate) fn hex(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let bytes = bytes_of(ctx, &arg(args, 0));
    check_len(ctx, bytes.len().saturating_mul(2))?;
    let mut out = Vec::with_capacity(bytes.len() * 2);
    push_hex(&mut out, &bytes);
    Ok(Value::Text(out))
}

/// Fails with `TooBig` when a result of `n` bytes exceeds the length limit.
pub(crate) fn check_len(ctx: &FuncContext, n: usize) -> Result<(), FuncError> {
    if n > ctx.env.max_length() {
        Err(FuncError::TooBig)
    } else {
        Ok(())
    }
}

/// `round(X)`, `round(X, N)`: always REAL.
pub(crate) fn round(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let mut n = 0i64;
    if args.len() == 2 {
        let na = arg(args, 1);
        if na.is_null() {
            return Ok(Value::Null);
        }
        n = i64::from(value_to_i64(&na) as i32).clamp(0, 30);
    }
    let x = numeric_view(ctx, arg(args, 0));
    if x.as_ref().is_null() {
        return Ok(Value::Null);
    }
    let r = value_to_f64(&x.as_ref());
    const LIMIT: f64 = 4503599627370496.0;
    let out = if !(-LIMIT..=LIMIT).contains(&r) {
        r
    } else if n == 0 {
        let half = if r < 0.0 { -0.5 } else { 0.5 };
        ((r + half) as i64) as f64
    } else {
        let vals = [ValueRef::Integer(n), ValueRef::Real(r)];
        let text = crate::printf::format(b"%.*f", &mut SqlPrintfArgs::new(&vals), true);
        value_to_f64(&ValueRef::Text(&text))
    };
    Ok(Value::Real(out))
}

/// `random()`: a pseudo-random integer, never `i64::MIN`.
pub(crate) fn random(ctx: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    let mut b = [0u8; 8];
    ctx.env.random_bytes(&mut b);
    let r = i64::from_be_bytes(b);
    Ok(Value::Integer(if r < 0 { -(r & i64::MAX) } else { r }))
}

/// `randomblob(N)`: N (at least 1) random bytes.
pub(crate) fn randomblob(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let n = value_to_i64(&arg(args, 0)).max(1);
    let n = usize::try_from(n).map_err(|_| FuncError::TooBig)?;
    check_len(ctx, n)?;
    let mut b = vec![0u8; n];
    ctx.env.random_bytes(&mut b);
    Ok(Value::Blob(b))
}

/// `zeroblob(N)`: N zero bytes (negative N is 0).
pub(crate) fn zeroblob(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let n = value_to_i64(&arg(args, 0)).max(0);
    let n = usize::try_from(n).map_err(|_| FuncError::TooBig)?;
    check_len(ctx, n)?;
    Ok(Value::Blob(vec![0u8; n]))
}

/// `changes()`.
pub(crate) fn changes(ctx: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Integer(ctx.env.changes()))
}

/// `total_changes()`.
pub(crate) fn total_changes(ctx: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Integer(ctx.env.total_changes()))
}

/// `last_insert_rowid()`.
pub(crate) fn last_insert_rowid(ctx: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Integer(ctx.env.last_insert_rowid()))
}

/// `sqlite_version()`.
pub(crate) fn sqlite_version(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Text(crate::SQLITE_VERSION.as_bytes().to_vec()))
}

/// `sqlite_source_id()`.
pub(crate) fn sqlite_source_id(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(Value::Text(crate::SOURCE_ID.as_bytes().to_vec()))
}

/// `printf(FORMAT, ...)` / `format(FORMAT, ...)`.
pub(crate) fn printf(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let fmt = match arg(args, 0) {
        ValueRef::Null => return Ok(Value::Null),
        v => text_of(ctx, &v),
    };
    let rest = args.get(1..).unwrap_or(&[]);
    let mut src = SqlPrintfArgs::new(rest).in_encoding(ctx.env.encoding());
    Ok(format_sql(&fmt, &mut src, ctx.env.max_length())?.map_or(Value::Null, Value::Text))
}

/// printf arguments taken from SQL values (`PrintfArguments` in SQLite):
/// missing arguments read as 0, 0.0 or NULL.
#[derive(Debug)]
pub struct SqlPrintfArgs<'v, 'a> {
    args: &'v [ValueRef<'a>],
    next: usize,
    enc: TextEncoding,
}

impl<'v, 'a> SqlPrintfArgs<'v, 'a> {
    /// A source over `args`.
    pub fn new(args: &'v [ValueRef<'a>]) -> Self {
        SqlPrintfArgs {
            args,
            next: 0,
            enc: TextEncoding::Utf8,
        }
    }

    /// The same source reading BLOB arguments in database encoding `enc`.
    pub fn in_encoding(self, enc: TextEncoding) -> Self {
        SqlPrintfArgs { enc, ..self }
    }

    /// The next argument, a BLOB read as text in the database encoding.
    fn take_decoded(&mut self) -> Option<Value> {
        self.take().map(|v| match v {
            ValueRef::Blob(b) if !self.enc.is_utf8() => Value::Text(decode_text(b, self.enc)),
            other => other.to_owned(),
        })
    }

    fn take(&mut self) -> Option<ValueRef<'a>> {
        let v = self.args.get(self.next).copied();
        self.next += 1;
        v
    }
}

impl PrintfArgs for SqlPrintfArgs<'_, '_> {
    fn next_int(&mut self) -> i64 {
        self.take_decoded().map_or(0, |v| value_to_i64(&v.as_ref()))
    }
    fn next_double(&mut self) -> f64 {
        self.take_decoded()
            .map_or(0.0, |v| value_to_f64(&v.as_ref()))
    }
    fn next_str(&mut self) -> Option<Vec<u8>> {
        match self.take_decoded() {
            None | Some(Value::Null) => None,
            Some(v) => Some(value_to_text(&v.as_ref())),
        }
    }
    fn next_ptr(&mut self) -> usize {
        self.next_int() as usize
    }
}
