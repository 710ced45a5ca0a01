//! One statement on loom and on C SQLite (rusqlite, the oracle), and the
//! comparison of what each produced: the shared core of the differential
//! suites that run statements side by side (without_rowid, onepass_dml,
//! rowid_range, utf16_semantics).
//!
//! SQLite counterpart: none; the harness idea of SQLite's own tests, which
//! compare a query's rows with the expected ones.
//!
//! Invariants:
//! 1. An outcome is the rows (values with their storage class) or the
//!    error as (extended result code, message); C errors that are not
//!    SQLite failures get code -1.
//! 2. Rows compare exactly: REAL values by their bits (so -0.0 and 0.0
//!    differ, as `hex()` would show), everything else by value.
//! 3. Nothing here reads outside the repository.
#![allow(dead_code)]

use loomdb::api::{Database, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// Result rows of one statement.
pub type Rows = Vec<Vec<Value>>;

/// What a statement produced: rows, or (extended code, message).
pub type Outcome = Result<Rows, (i32, String)>;

/// Runs `sql` with `params` bound to `?1..` on loom.
pub fn run_loom(db: &Database, sql: &str, params: &[Value]) -> Outcome {
    db.query_all(sql, params)
        .map_err(|e| (e.code().0, e.to_string()))
}

fn to_c(v: &Value) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match v {
        Value::Null => ValueRef::Null,
        Value::Integer(i) => ValueRef::Integer(*i),
        Value::Real(r) => ValueRef::Real(*r),
        Value::Text(t) => ValueRef::Text(t),
        Value::Blob(b) => ValueRef::Blob(b),
    })
}

fn from_c(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(t.to_vec()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Runs `sql` with `params` bound to `?1..` on C SQLite.
pub fn run_c(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Outcome {
    let err = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, m) => (f.extended_code, m.unwrap_or_default()),
        other => (-1, other.to_string()),
    };
    let mut st = c.prepare(sql).map_err(err)?;
    let n = st.column_count();
    let ps: Vec<ToSqlOutput> = params.iter().map(to_c).collect();
    let mut q = st
        .query(rusqlite::params_from_iter(ps.iter()))
        .map_err(err)?;
    let mut rows = Vec::new();
    while let Some(r) = q.next().map_err(err)? {
        let row = (0..n)
            .map(|i| r.get_ref(i).map(from_c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        rows.push(row);
    }
    Ok(rows)
}

/// Rows equal under invariant 2.
pub fn same_rows(x: &Rows, y: &Rows) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(r, s)| {
            r.len() == s.len()
                && r.iter().zip(s).all(|(u, v)| match (u, v) {
                    (Value::Real(p), Value::Real(q)) => p.to_bits() == q.to_bits(),
                    _ => u == v,
                })
        })
}

/// Same rows, or the same extended code and message.
pub fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => same_rows(x, y),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// Same rows, or errors with the same primary result code (the message
/// and extended code may differ).
pub fn same_primary(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => same_rows(x, y),
        (Err(x), Err(y)) => x.0 & 0xff == y.0 & 0xff,
        _ => false,
    }
}
