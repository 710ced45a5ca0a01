//! Incremental blob I/O: `sqlite3_blob_open/read/write/bytes/reopen/close`.
//!
//! SQLite counterpart: vdbeblob.c.
//!
//! loom implements blob handles logically, through SQL on the handle's
//! connection: open reads the value (`SELECT col FROM db.tbl WHERE
//! rowid=?`), a write rewrites the whole value with `UPDATE … SET col=?`,
//! keeping its size and storage class (TEXT stays TEXT, a BLOB stays a
//! BLOB), which is byte-for-byte the row SQLite's in-place write leaves.
//! Differences from SQLite, all invisible to the database file: a write
//! counts as an UPDATE for `sqlite3_changes` and the update hook.
//!
//! Invariants:
//! 1. Before every read or write the row is read again; if it is gone or
//!    its value is no longer the one the handle saw, the handle is expired
//!    and the call (and every later one) fails with SQLITE_ABORT, as
//!    SQLite's expired blob handles do.
//! 2. Reads and writes must lie within the value: otherwise SQLITE_ERROR;
//!    writing through a read-only handle is SQLITE_READONLY.
//! 3. Errors are recorded on the connection (`sqlite3_errmsg`).

use std::ffi::{c_char, c_int, c_void};

use parking_lot::Mutex;

use crate::connection::{arg_str, conn, sqlite3};
use crate::engine::{Database, StepResult, Value};
use crate::guard::{guard, guard_rc};
use crate::handle::{self, Handle};
use loomdb::rc::ResultCode;

/// The C type `sqlite3_blob`.
#[allow(non_camel_case_types)]
pub type sqlite3_blob = Blob;

const BLOB_MAGIC: u32 = 0x424c_4f42; // "BLOB"

struct BlobState {
    db: Database,
    schema: String,
    table: String,
    column: String,
    rowid: i64,
    /// The value as the handle last saw (and wrote) it.
    data: Vec<u8>,
    is_text: bool,
    writable: bool,
    expired: bool,
}

/// An open blob handle.
pub struct Blob {
    magic: u32,
    conn: *mut sqlite3,
    state: Mutex<BlobState>,
}

impl Handle for Blob {
    const MAGIC: u32 = BLOB_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

/// Quotes an identifier with backticks (never read as a string literal,
/// unlike an unknown double-quoted name).
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

type Failure = (ResultCode, String);

/// Reads the value of the handle's cell: (bytes, is_text).
fn read_cell(
    db: &Database,
    schema: &str,
    table: &str,
    column: &str,
    rowid: i64,
) -> Result<(Vec<u8>, bool), Failure> {
    let sql = format!(
        "SELECT {} FROM {}.{} WHERE rowid = ?1",
        quote(column),
        quote(schema),
        quote(table)
    );
    let mut st = db.prepare(&sql).map_err(|e| {
        let msg = e.to_string();
        if msg.starts_with("no such column") {
            (ResultCode::ERROR, msg)
        } else {
            (
                ResultCode::ERROR,
                format!("no such table: {schema}.{table}"),
            )
        }
    })?;
    st.bind(1, Value::Integer(rowid))
        .map_err(|e| (e.code(), e.to_string()))?;
    match st.step().map_err(|e| (e.code(), e.to_string()))? {
        StepResult::Done => Err((ResultCode::ERROR, format!("no such rowid: {rowid}"))),
        StepResult::Row => match st.column_value(0).to_owned() {
            Value::Blob(b) => Ok((b, false)),
            Value::Text(t) => Ok((t, true)),
            other => {
                let kind = match other {
                    Value::Null => "null",
                    Value::Integer(_) => "integer",
                    _ => "real",
                };
                Err((
                    ResultCode::ERROR,
                    format!("cannot open value of type {kind}"),
                ))
            }
        },
    }
}

impl BlobState {
    /// Invariant 1: the row still holds what the handle saw.
    fn check_current(&mut self) -> Result<(), Failure> {
        let abort = || (ResultCode::ABORT, ResultCode::ABORT.errstr().to_string());
        if self.expired {
            return Err(abort());
        }
        let same = read_cell(
            &self.db,
            &self.schema,
            &self.table,
            &self.column,
            self.rowid,
        )
        .is_ok_and(|(d, t)| d == self.data && t == self.is_text);
        if !same {
            self.expired = true;
            return Err(abort());
        }
        Ok(())
    }

    fn range(&self, n: c_int, off: c_int) -> Result<std::ops::Range<usize>, Failure> {
        let err = || (ResultCode::ERROR, ResultCode::ERROR.errstr().to_string());
        let (Ok(n), Ok(off)) = (usize::try_from(n), usize::try_from(off)) else {
            return Err(err());
        };
        let end = off.checked_add(n).ok_or_else(err)?;
        if end > self.data.len() {
            return Err(err());
        }
        Ok(off..end)
    }

    fn write_back(&mut self) -> Result<(), Failure> {
        let sql = format!(
            "UPDATE {}.{} SET {} = ?1 WHERE rowid = ?2",
            quote(&self.schema),
            quote(&self.table),
            quote(&self.column)
        );
        let fail = |e: crate::engine::DbError| (e.code(), e.to_string());
        let mut st = self.db.prepare(&sql).map_err(fail)?;
        let v = if self.is_text {
            Value::Text(self.data.clone())
        } else {
            Value::Blob(self.data.clone())
        };
        st.bind(1, v).map_err(fail)?;
        st.bind(2, Value::Integer(self.rowid)).map_err(fail)?;
        while st.step().map_err(fail)? == StepResult::Row {}
        Ok(())
    }
}

/// The live blob `p`, or `None`.
fn blob_ref<'a>(p: *const sqlite3_blob) -> Option<&'a Blob> {
    // SAFETY: handle::get only dereferences live blobs; the application
    // does not close `p` while using it (SQLite's contract).
    unsafe { handle::get(p) }
}

/// Takes blob `p` back from C (close).
fn take_blob(p: *mut sqlite3_blob) -> Option<Box<Blob>> {
    // SAFETY: the application does not use `p` after closing it.
    unsafe { handle::release(p) }
}

/// Runs `f` on a live blob; records its failure on the connection.
fn with_blob(p: *mut sqlite3_blob, f: impl FnOnce(&mut BlobState) -> Result<(), Failure>) -> c_int {
    guard_rc(|| {
        let Some(b) = blob_ref(p) else {
            return ResultCode::MISUSE.0;
        };
        let r = f(&mut b.state.lock());
        match (r, conn(b.conn)) {
            (Ok(()), Some(c)) => c.set_code(ResultCode::OK),
            (Ok(()), None) => ResultCode::OK.0,
            (Err((code, msg)), Some(c)) => c.set_error(code, &msg),
            (Err((code, _)), None) => code.0,
        }
    })
}

/// `sqlite3_blob_open(db, zDb, zTable, zColumn, iRow, flags, ppBlob)`.
///
/// # Safety
/// The names are NUL-terminated; `pp` is a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_blob_open(
    db: *mut sqlite3,
    schema: *const c_char,
    table: *const c_char,
    column: *const c_char,
    row: i64,
    flags: c_int,
    pp: *mut *mut sqlite3_blob,
) -> c_int {
    guard_rc(|| {
        if pp.is_null() {
            return ResultCode::MISUSE.0;
        }
        // SAFETY: valid out-pointer (checked non-NULL).
        unsafe { *pp = std::ptr::null_mut() };
        let Some(c) = conn(db) else {
            return ResultCode::MISUSE.0;
        };
        // SAFETY: forwarded contract.
        let names = unsafe { (arg_str(schema), arg_str(table), arg_str(column)) };
        let (Some(table), Some(column)) = (names.1, names.2) else {
            return c.set_code(ResultCode::MISUSE);
        };
        let schema = names.0.unwrap_or_else(|| "main".into());
        let Some(d) = c.database() else {
            return c.set_code(ResultCode::MISUSE);
        };
        if !d.has_schema(&schema) {
            return c.set_error(
                ResultCode::ERROR,
                &format!("no such table: {schema}.{table}"),
            );
        }
        let writable = flags != 0;
        if writable && d.is_readonly() {
            return c.set_error(ResultCode::READONLY, "attempt to write a readonly database");
        }
        match read_cell(&d, &schema, &table, &column, row) {
            Ok((data, is_text)) => {
                let b = handle::register(Blob {
                    magic: BLOB_MAGIC,
                    conn: db,
                    state: Mutex::new(BlobState {
                        db: d,
                        schema,
                        table,
                        column,
                        rowid: row,
                        data,
                        is_text,
                        writable,
                        expired: false,
                    }),
                });
                // SAFETY: valid out-pointer (checked non-NULL).
                unsafe { *pp = b };
                c.set_code(ResultCode::OK)
            }
            Err((code, msg)) => c.set_error(code, &msg),
        }
    })
}

/// `sqlite3_blob_close(b)`: SQLITE_OK (NULL is a no-op).
#[no_mangle]
pub extern "C" fn sqlite3_blob_close(p: *mut sqlite3_blob) -> c_int {
    guard_rc(|| {
        if p.is_null() {
            return ResultCode::OK.0;
        }
        match take_blob(p) {
            Some(_) => ResultCode::OK.0,
            None => ResultCode::MISUSE.0,
        }
    })
}

/// `sqlite3_blob_bytes(b)`: the value's size in bytes.
#[no_mangle]
pub extern "C" fn sqlite3_blob_bytes(p: *mut sqlite3_blob) -> c_int {
    guard(0, || match blob_ref(p) {
        Some(b) => {
            let st = b.state.lock();
            if st.expired {
                0
            } else {
                st.data.len() as c_int
            }
        }
        None => 0,
    })
}

/// `sqlite3_blob_read(b, z, n, iOffset)`.
#[no_mangle]
pub extern "C" fn sqlite3_blob_read(
    p: *mut sqlite3_blob,
    z: *mut c_void,
    n: c_int,
    off: c_int,
) -> c_int {
    with_blob(p, |st| {
        let r = st.range(n, off)?;
        st.check_current()?;
        let src = st.data.get(r).unwrap_or(&[]);
        if !src.is_empty() {
            if z.is_null() {
                return Err((ResultCode::MISUSE, ResultCode::MISUSE.errstr().into()));
            }
            // SAFETY: the application passes a buffer of at least n bytes.
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), z.cast::<u8>(), src.len()) };
        }
        Ok(())
    })
}

/// `sqlite3_blob_write(b, z, n, iOffset)`.
#[no_mangle]
pub extern "C" fn sqlite3_blob_write(
    p: *mut sqlite3_blob,
    z: *const c_void,
    n: c_int,
    off: c_int,
) -> c_int {
    with_blob(p, |st| {
        if !st.writable {
            return Err((
                ResultCode::READONLY,
                "attempt to write a readonly database".into(),
            ));
        }
        let r = st.range(n, off)?;
        st.check_current()?;
        if r.is_empty() {
            return Ok(());
        }
        if z.is_null() {
            return Err((ResultCode::MISUSE, ResultCode::MISUSE.errstr().into()));
        }
        // SAFETY: the application passes n readable bytes.
        let src = unsafe { std::slice::from_raw_parts(z.cast::<u8>(), r.len()) };
        let old = st.data.clone();
        if let Some(dst) = st.data.get_mut(r) {
            dst.copy_from_slice(src);
        }
        if let Err(e) = st.write_back() {
            st.data = old;
            return Err(e);
        }
        Ok(())
    })
}

/// `sqlite3_blob_reopen(b, iRow)`: points the handle at another row.
#[no_mangle]
pub extern "C" fn sqlite3_blob_reopen(p: *mut sqlite3_blob, row: i64) -> c_int {
    with_blob(p, |st| {
        if st.expired {
            return Err((ResultCode::ABORT, ResultCode::ABORT.errstr().into()));
        }
        match read_cell(&st.db, &st.schema, &st.table, &st.column, row) {
            Ok((data, is_text)) => {
                st.rowid = row;
                st.data = data;
                st.is_text = is_text;
                Ok(())
            }
            Err(e) => {
                st.expired = true;
                Err(e)
            }
        }
    })
}
