//! The one seam between the C ABI and the engine's safe API (L7).
//!
//! SQLite counterpart: none; this is the boundary the rest of capi is
//! written against. Every other module of capi uses the engine only through
//! the names defined here: `Database`, `PreparedStatement`, `DbError`,
//! `OpenOptions`, `ConnectionMode`, `StepResult`, `Value`, `ValueRef` and
//! the value conversions `value_to_i64` / `value_to_f64` / `value_to_text`.
//!
//! **Interim stand-in.** When this file was written, `loomdb::api` (the
//! `Database`/`PreparedStatement` API) was not yet on `main`. Until it is,
//! this module provides types with exactly that API's shape:
//! `Database::open` succeeds (nothing is read or written), and
//! `prepare_tail` returns (None, end) for input holding only whitespace and
//! `;`, and an SQLITE_ERROR naming the missing engine for anything else.
//! Integration replaces the stand-in by re-exports:
//! `pub use loomdb::api::{Database, PreparedStatement, DbError, OpenOptions,
//! ConnectionMode, StepResult, Value, ValueRef};` and
//! `pub use loomdb::record::{value_to_i64, value_to_f64, value_to_text};`.
//! The scripted statements ([`PreparedStatement::scripted`]) exist so the C
//! surface (binding, column caches, lifetimes) is unit-tested meanwhile.
//!
//! Invariants:
//! 1. Nothing outside this file names `loomdb::api` or `loomdb::record`.
//! 2. The stand-in never pretends to run SQL: anything that is not empty
//!    input fails with an error whose text names what is missing.

use std::fmt;

use loomdb::rc::ResultCode;

/// An owned SQL value (`loomdb::record::Value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// A borrowed SQL value (`loomdb::record::ValueRef`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl Value {
    /// Borrows this value.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ValueRef<'_> {
    /// Copies this value.
    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(t.to_vec()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

/// Longest integer prefix of `t` (`sqlite3Atoi64`), clamped on overflow.
fn atoi64(t: &[u8]) -> i64 {
    let s = t
        .iter()
        .skip_while(|c| c.is_ascii_whitespace())
        .copied()
        .collect::<Vec<u8>>();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let mut acc: i128 = 0;
    for d in digits.iter().take_while(|c| c.is_ascii_digit()) {
        acc = (acc * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1);
    }
    let v = if neg { -acc } else { acc };
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Longest numeric prefix of `t` as a REAL (`sqlite3AtoF`); 0.0 if none.
fn atof(t: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(t);
    let s = s.trim_start();
    // Rust's parser also accepts "inf"/"nan"; SQLite's prefix is digits,
    // '.', sign and exponent only, so other letters end the prefix.
    let ok = |p: &str| !p.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E');
    let ends = s
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(s.len()));
    let prefixes = ends.filter_map(|i| s.get(..i)).filter(|p| ok(p));
    prefixes
        .filter_map(|p| p.parse::<f64>().ok())
        .last()
        .unwrap_or(0.0)
}

/// INTEGER conversion of a value (`sqlite3VdbeIntValue`).
pub fn value_to_i64(v: &ValueRef) -> i64 {
    match *v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => i,
        ValueRef::Real(r) => {
            if r.is_nan() {
                0
            } else {
                r as i64 // `as` saturates, as SQLite's conversion does
            }
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => atoi64(t),
    }
}

/// REAL conversion of a value (`sqlite3VdbeRealValue`).
pub fn value_to_f64(v: &ValueRef) -> f64 {
    match *v {
        ValueRef::Null => 0.0,
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(r) => r,
        ValueRef::Text(t) | ValueRef::Blob(t) => atof(t),
    }
}

/// TEXT conversion of a value: decimal integers, `%!.15g` reals.
pub fn value_to_text(v: &ValueRef) -> Vec<u8> {
    match *v {
        ValueRef::Null => Vec::new(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        ValueRef::Real(r) => loomdb::printf::render_real(r).into_bytes(),
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
    }
}

/// An engine error: extended result code + `sqlite3_errmsg` text.
#[derive(Debug, Clone, PartialEq)]
pub struct DbError {
    code: ResultCode,
    msg: String,
}

impl DbError {
    /// The extended result code.
    pub fn code(&self) -> ResultCode {
        self.code
    }
    /// The error for `code` with text `msg`.
    pub fn from_code(code: ResultCode, msg: String) -> DbError {
        DbError { code, msg }
    }
    /// SQLITE_MISUSE with SQLite's generic text.
    pub fn misuse() -> DbError {
        DbError::from_code(ResultCode::MISUSE, ResultCode::MISUSE.errstr().to_string())
    }
    /// SQLITE_ERROR for a missing feature.
    pub fn unsupported(what: &str) -> DbError {
        DbError::from_code(
            ResultCode::ERROR,
            format!("{what} is not supported by loom yet"),
        )
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

/// Capability level of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectionMode {
    Read,
    Write,
    #[default]
    Admin,
}

/// How to open a database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub mode: ConnectionMode,
    pub create: bool,
    pub uri: bool,
    pub memory: bool,
    pub vfs: Option<String>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            mode: ConnectionMode::Admin,
            create: true,
            uri: false,
            memory: false,
            vfs: None,
        }
    }
}

/// Outcome of one `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepResult {
    Row,
    Done,
}

/// A connection (stand-in: remembers its name and mode).
#[derive(Debug, Clone)]
pub struct Database {
    filename: String,
    readonly: bool,
}

const NO_ENGINE: &str = "SQL statements";

impl Database {
    /// Opens `path`.
    pub fn open(path: &str, opts: OpenOptions) -> Result<Database, DbError> {
        let memory = opts.memory || path.is_empty() || path == ":memory:";
        let filename = if memory {
            String::new()
        } else {
            path.to_string()
        };
        Ok(Database {
            filename,
            readonly: opts.mode == ConnectionMode::Read,
        })
    }
    /// Prepares the statement at `offset`; returns it and the tail offset.
    pub fn prepare_tail(
        &self,
        sql: &str,
        offset: usize,
    ) -> Result<(Option<PreparedStatement>, usize), DbError> {
        let rest = sql.get(offset..).unwrap_or("");
        if rest.bytes().all(|b| b.is_ascii_whitespace() || b == b';') {
            return Ok((None, sql.len()));
        }
        Err(DbError::unsupported(NO_ENGINE))
    }
    /// Closes the connection.
    pub fn close(self) -> Result<(), DbError> {
        Ok(())
    }
    pub fn changes(&self) -> i64 {
        0
    }
    pub fn total_changes(&self) -> i64 {
        0
    }
    pub fn last_insert_rowid(&self) -> i64 {
        0
    }
    pub fn set_last_insert_rowid(&self, _v: i64) {}
    pub fn is_autocommit(&self) -> bool {
        true
    }
    pub fn set_busy_timeout(&self, _ms: i32) {}
    pub fn interrupt(&self) {}
    pub fn filename(&self) -> String {
        self.filename.clone()
    }
    pub fn is_readonly(&self) -> bool {
        self.readonly
    }
}

/// A prepared statement (stand-in: a scripted result set for tests).
#[derive(Debug)]
pub struct PreparedStatement {
    sql: String,
    params: Vec<Option<String>>,
    columns: Vec<(String, Option<String>)>,
    rows: Vec<Vec<Value>>,
    bindings: Vec<Value>,
    pos: Option<usize>,
    done: bool,
}

impl PreparedStatement {
    /// A statement that returns `rows` (test support for the stand-in).
    pub fn scripted(
        sql: &str,
        params: Vec<Option<String>>,
        columns: Vec<(String, Option<String>)>,
        rows: Vec<Vec<Value>>,
    ) -> PreparedStatement {
        let bindings = vec![Value::Null; params.len()];
        PreparedStatement {
            sql: sql.to_string(),
            params,
            columns,
            rows,
            bindings,
            pos: None,
            done: false,
        }
    }
    pub fn bind(&mut self, idx: usize, v: Value) -> Result<(), DbError> {
        if self.busy() {
            return Err(DbError::misuse());
        }
        let slot = idx.checked_sub(1).and_then(|i| self.bindings.get_mut(i));
        let slot = slot.ok_or_else(|| {
            DbError::from_code(ResultCode::RANGE, "column index out of range".into())
        })?;
        *slot = v;
        Ok(())
    }
    pub fn parameter_count(&self) -> usize {
        self.params.len()
    }
    pub fn parameter_name(&self, idx: usize) -> Option<&str> {
        self.params.get(idx.checked_sub(1)?)?.as_deref()
    }
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.params
            .iter()
            .position(|p| p.as_deref() == Some(name))
            .map(|i| i + 1)
    }
    pub fn clear_bindings(&mut self) {
        self.bindings.iter_mut().for_each(|b| *b = Value::Null);
    }
    pub fn step(&mut self) -> Result<StepResult, DbError> {
        if self.done {
            self.reset()?;
        }
        let next = self.pos.map_or(0, |p| p + 1);
        self.pos = Some(next);
        if next < self.rows.len() {
            Ok(StepResult::Row)
        } else {
            self.done = true;
            Ok(StepResult::Done)
        }
    }
    pub fn reset(&mut self) -> Result<(), DbError> {
        self.pos = None;
        self.done = false;
        Ok(())
    }
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }
    pub fn data_count(&self) -> usize {
        if self.busy() {
            self.columns.len()
        } else {
            0
        }
    }
    pub fn column_name(&self, i: usize) -> Option<&str> {
        self.columns.get(i).map(|c| c.0.as_str())
    }
    pub fn column_decltype(&self, i: usize) -> Option<&str> {
        self.columns.get(i)?.1.as_deref()
    }
    pub fn column_value(&self, i: usize) -> ValueRef<'_> {
        let row = self.pos.and_then(|p| self.rows.get(p));
        row.and_then(|r| r.get(i))
            .map_or(ValueRef::Null, Value::as_ref)
    }
    pub fn sql(&self) -> &str {
        &self.sql
    }
    pub fn expanded_sql(&self) -> String {
        self.sql.clone()
    }
    pub fn readonly(&self) -> bool {
        true
    }
    pub fn is_explain(&self) -> u8 {
        0
    }
    pub fn busy(&self) -> bool {
        self.pos.is_some() && !self.done
    }
    /// Bound value of parameter `idx` (test support).
    pub fn binding(&self, idx: usize) -> Option<&Value> {
        self.bindings.get(idx.checked_sub(1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_sqlite() {
        assert_eq!(value_to_i64(&ValueRef::Text(b"  12abc")), 12);
        assert_eq!(value_to_i64(&ValueRef::Text(b"-1.9")), -1);
        assert_eq!(
            value_to_i64(&ValueRef::Text(b"99999999999999999999")),
            i64::MAX
        );
        assert_eq!(value_to_i64(&ValueRef::Real(-2.7)), -2);
        assert_eq!(value_to_f64(&ValueRef::Text(b"1e3x")), 1000.0);
        assert_eq!(value_to_f64(&ValueRef::Text(b"abc")), 0.0);
        assert_eq!(value_to_text(&ValueRef::Integer(-5)), b"-5".to_vec());
        assert_eq!(value_to_text(&ValueRef::Real(1.5)), b"1.5".to_vec());
    }
}
