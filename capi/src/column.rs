//! `sqlite3_column_*` and `sqlite3_data_count`: the result row.
//!
//! SQLite counterpart: vdbeapi.c (`columnMem`, `columnMallocFailure`,
//! `sqlite3_column_*`, `columnName`).
//!
//! Invariants:
//! 1. A column index outside the current row (or no current row) yields
//!    the NULL value (NULL pointer, 0, SQLITE_NULL) and records
//!    SQLITE_RANGE on the connection, as SQLite does.
//! 2. Returned pointers come from the statement's row cache (see
//!    `statement.rs` invariant 2) or its name tables (until finalize).

use std::ffi::{c_char, c_int, c_void};

use crate::connection::conn;
use crate::engine::{value_to_f64, value_to_i64, ValueRef};
use crate::statement::{sqlite3_stmt, with_state, with_stmt, StmtState};
use crate::value::{new_value, sqlite3_value, types, Cell};
use loomdb::rc::ResultCode;

/// Runs `f` on the cell of column `i`, or records SQLITE_RANGE and
/// returns `dflt` (invariant 1).
fn with_cell<R: Clone>(
    p: *mut sqlite3_stmt,
    i: c_int,
    dflt: R,
    f: impl FnOnce(&mut Cell) -> R,
) -> R {
    with_state(p, dflt.clone(), |db, st: &mut StmtState| match st.cell(i) {
        Some(cell) => f(cell),
        None => {
            if let Some(c) = conn(db) {
                c.set_code(ResultCode::RANGE);
            }
            dflt
        }
    })
}

/// Runs `f` on the value of column `i` in the current row, without
/// building a cell (for the accessors whose answer depends only on the
/// value: type, integer, real), or records SQLITE_RANGE and returns
/// `dflt` (invariant 1).
fn with_value<R: Clone>(
    p: *mut sqlite3_stmt,
    i: c_int,
    dflt: R,
    f: impl FnOnce(ValueRef<'_>) -> R,
) -> R {
    with_state(p, dflt.clone(), |db, st: &mut StmtState| {
        match index(i).filter(|&i| i < st.stmt.data_count()) {
            Some(i) => f(st.stmt.column_value(i)),
            None => {
                if let Some(c) = conn(db) {
                    c.set_code(ResultCode::RANGE);
                }
                dflt
            }
        }
    })
}

/// `sqlite3_column_count(stmt)`: columns of the result (0 for non-queries).
#[no_mangle]
pub extern "C" fn sqlite3_column_count(p: *mut sqlite3_stmt) -> c_int {
    with_state(p, 0, |_, st| st.stmt.column_count() as c_int)
}

/// `sqlite3_data_count(stmt)`: columns of the current row (0 if none).
#[no_mangle]
pub extern "C" fn sqlite3_data_count(p: *mut sqlite3_stmt) -> c_int {
    with_state(p, 0, |_, st| st.stmt.data_count() as c_int)
}

fn index(i: c_int) -> Option<usize> {
    usize::try_from(i).ok()
}

/// `sqlite3_column_name(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        index(i)
            .and_then(|i| st.names.get(i))
            .map_or(std::ptr::null(), |n| n.as_ptr())
    })
}

/// `sqlite3_column_name16(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_name16(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        index(i)
            .and_then(|i| st.names16.get(i))
            .map_or(std::ptr::null(), |n| n.as_ptr().cast())
    })
}

/// `sqlite3_column_decltype(stmt, i)`: declared type of a table column, or NULL.
#[no_mangle]
pub extern "C" fn sqlite3_column_decltype(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        let d = index(i)
            .and_then(|i| st.decltypes.get(i))
            .and_then(|d| d.as_ref());
        d.map_or(std::ptr::null(), |d| d.as_ptr())
    })
}

/// `sqlite3_column_decltype16(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_decltype16(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        let d = index(i)
            .and_then(|i| st.decltypes16.get(i))
            .and_then(|d| d.as_ref());
        d.map_or(std::ptr::null(), |d| d.as_ptr().cast())
    })
}

fn origin(p: *mut sqlite3_stmt, i: c_int, which: usize) -> *const c_char {
    with_stmt(p, std::ptr::null(), |_, _, st| {
        let o = index(i)
            .and_then(|i| st.origins.get(i))
            .and_then(|o| o.get(which)?.as_ref());
        o.map_or(std::ptr::null(), |o| o.as_ptr())
    })
}

/// `sqlite3_column_database_name(stmt, i)`: schema of the source column.
#[no_mangle]
pub extern "C" fn sqlite3_column_database_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    origin(p, i, 0)
}

/// `sqlite3_column_table_name(stmt, i)`: table of the source column.
#[no_mangle]
pub extern "C" fn sqlite3_column_table_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    origin(p, i, 1)
}

/// `sqlite3_column_origin_name(stmt, i)`: name of the source column.
#[no_mangle]
pub extern "C" fn sqlite3_column_origin_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    origin(p, i, 2)
}

/// `sqlite3_column_type(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_type(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    with_value(p, i, types::NULL, |v| match v {
        ValueRef::Null => types::NULL,
        ValueRef::Integer(_) => types::INTEGER,
        ValueRef::Real(_) => types::FLOAT,
        ValueRef::Text(_) => types::TEXT,
        ValueRef::Blob(_) => types::BLOB,
    })
}

/// `sqlite3_column_int(stmt, i)`: the low 32 bits of the INTEGER form.
#[no_mangle]
pub extern "C" fn sqlite3_column_int(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    with_value(p, i, 0, |v| value_to_i64(&v) as c_int)
}

/// `sqlite3_column_int64(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_int64(p: *mut sqlite3_stmt, i: c_int) -> i64 {
    with_value(p, i, 0, |v| value_to_i64(&v))
}

/// `sqlite3_column_double(stmt, i)`.
#[no_mangle]
pub extern "C" fn sqlite3_column_double(p: *mut sqlite3_stmt, i: c_int) -> f64 {
    with_value(p, i, 0.0, |v| value_to_f64(&v))
}

/// `sqlite3_column_text(stmt, i)`: NUL-terminated UTF-8, NULL for NULL.
#[no_mangle]
pub extern "C" fn sqlite3_column_text(p: *mut sqlite3_stmt, i: c_int) -> *const u8 {
    with_cell(p, i, std::ptr::null(), |c| c.text())
}

/// `sqlite3_column_text16(stmt, i)`: NUL-terminated native UTF-16.
#[no_mangle]
pub extern "C" fn sqlite3_column_text16(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    with_cell(p, i, std::ptr::null(), |c| c.text16())
}

/// `sqlite3_column_blob(stmt, i)`: NULL for NULL and zero-length values.
#[no_mangle]
pub extern "C" fn sqlite3_column_blob(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    with_cell(p, i, std::ptr::null(), |c| c.blob())
}

/// `sqlite3_column_bytes(stmt, i)`: bytes of the blob or UTF-8 text form.
#[no_mangle]
pub extern "C" fn sqlite3_column_bytes(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    let direct = with_value(p, i, Some(0), |v| match v {
        ValueRef::Null => Some(0),
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(b.len() as c_int),
        // A number's length is that of its text form, cached in the cell.
        ValueRef::Integer(_) | ValueRef::Real(_) => None,
    });
    match direct {
        Some(n) => n,
        None => with_cell(p, i, 0, |c| c.bytes()),
    }
}

/// `sqlite3_column_bytes16(stmt, i)`: bytes of the UTF-16 text form.
#[no_mangle]
pub extern "C" fn sqlite3_column_bytes16(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    with_cell(p, i, 0, |c| c.bytes16())
}

/// `sqlite3_column_value(stmt, i)`: a protected value owned by the
/// statement, valid until the next step/reset/finalize.
#[no_mangle]
pub extern "C" fn sqlite3_column_value(p: *mut sqlite3_stmt, i: c_int) -> *mut sqlite3_value {
    with_stmt(p, std::ptr::null_mut(), |_, c, st| {
        let val = match st.cell(i) {
            Some(cell) => cell.val.clone(),
            None => {
                c.set_code(ResultCode::RANGE);
                return std::ptr::null_mut();
            }
        };
        let v = new_value(val, false);
        st.keep_value(v);
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::*;
    use crate::connection::{sqlite3_close, sqlite3_close_v2, sqlite3_errcode, sqlite3_errmsg};
    use crate::statement::test_support::{open_memory, prepare};
    use crate::statement::*;
    use crate::value::{sqlite3_value_int64, sqlite3_value_type};
    use std::ffi::CStr;

    /// A connection with table t(a INTEGER, b, c BLOB) and a query on it.
    fn setup() -> (*mut crate::connection::sqlite3, *mut sqlite3_stmt) {
        let db = open_memory();
        for sql in [
            c"CREATE TABLE t(a INTEGER, b, c BLOB)",
            c"INSERT INTO t VALUES (7, 2.5, x'010203')",
            c"INSERT INTO t VALUES ('12x', NULL, x'')",
        ] {
            let st = prepare(db, sql);
            assert_eq!(sqlite3_step(st), ResultCode::DONE.0);
            assert_eq!(sqlite3_finalize(st), 0);
        }
        (
            db,
            prepare(db, c"SELECT a, b, c FROM t WHERE a <> :x OR ?2 IS NULL"),
        )
    }

    fn s(p: *const u8) -> String {
        // SAFETY: the API under test returns NUL-terminated text.
        unsafe { CStr::from_ptr(p.cast()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn rows_types_and_conversions() {
        let (db, st) = setup();
        assert_eq!(sqlite3_column_count(st), 3);
        assert_eq!(sqlite3_data_count(st), 0);
        assert!(sqlite3_column_text(st, 0).is_null(), "no row yet");
        assert_eq!(sqlite3_errcode(db), ResultCode::RANGE.0);
        assert_eq!(s(sqlite3_column_name(st, 1).cast()), "b");
        assert_eq!(s(sqlite3_column_decltype(st, 0).cast()), "INTEGER");
        assert!(sqlite3_column_decltype(st, 1).is_null());

        assert_eq!(sqlite3_step(st), ResultCode::ROW.0);
        assert_eq!(sqlite3_data_count(st), 3);
        assert_eq!(sqlite3_column_type(st, 0), types::INTEGER);
        assert_eq!(s(sqlite3_column_text(st, 0)), "7");
        assert_eq!(s(sqlite3_column_text(st, 1)), "2.5");
        assert_eq!(sqlite3_column_bytes(st, 1), 3);
        assert_eq!(sqlite3_column_bytes(st, 2), 3);
        let b = sqlite3_column_blob(st, 2).cast::<u8>();
        // SAFETY: 3 bytes valid until the next step.
        assert_eq!(unsafe { std::slice::from_raw_parts(b, 3) }, &[1, 2, 3]);
        let v = sqlite3_column_value(st, 0);
        assert_eq!(sqlite3_value_int64(v), 7);
        assert!(sqlite3_column_text(st, 3).is_null());
        assert_eq!(sqlite3_column_type(st, -1), types::NULL);

        assert_eq!(sqlite3_step(st), ResultCode::ROW.0);
        assert_eq!(
            sqlite3_value_type(v),
            types::NULL,
            "old row's value object is gone"
        );
        assert_eq!(sqlite3_column_int(st, 0), 12);
        assert!(sqlite3_column_text(st, 1).is_null());
        assert!(
            sqlite3_column_blob(st, 2).is_null(),
            "zero-length blob is NULL"
        );
        assert_eq!(sqlite3_step(st), ResultCode::DONE.0);
        assert_eq!(sqlite3_data_count(st), 0);
        assert_eq!(sqlite3_finalize(st), 0);
        assert_eq!(sqlite3_close(db), 0);
    }

    #[test]
    fn binding_rules() {
        let (db, st) = setup();
        assert_eq!(sqlite3_bind_parameter_count(st), 2);
        assert_eq!(s(sqlite3_bind_parameter_name(st, 1).cast()), ":x");
        assert_eq!(s(sqlite3_bind_parameter_name(st, 2).cast()), "?2");
        // SAFETY: NUL-terminated literals.
        unsafe {
            assert_eq!(sqlite3_bind_parameter_index(st, c":x".as_ptr()), 1);
            assert_eq!(sqlite3_bind_parameter_index(st, c":y".as_ptr()), 0);
            assert_eq!(sqlite3_bind_text(st, 1, c"hello".as_ptr(), -1, None), 0);
            assert_eq!(
                sqlite3_bind_text(st, 3, c"x".as_ptr(), -1, None),
                ResultCode::RANGE.0
            );
        }
        assert_eq!(s(sqlite3_errmsg(db).cast()), "column index out of range");
        assert_eq!(sqlite3_bind_int64(st, 0, 1), ResultCode::RANGE.0);
        assert_eq!(sqlite3_bind_double(st, 2, 1.5), 0);
        assert_eq!(sqlite3_step(st), ResultCode::ROW.0);
        assert_eq!(
            sqlite3_bind_int(st, 1, 5),
            ResultCode::MISUSE.0,
            "bind while running"
        );
        assert_eq!(sqlite3_reset(st), 0);
        assert_eq!(sqlite3_bind_int(st, 1, 5), 0);
        assert_eq!(sqlite3_clear_bindings(st), 0);
        // close with a live statement: BUSY; close_v2: deferred until finalize.
        assert_eq!(sqlite3_close(db), ResultCode::BUSY.0);
        assert_eq!(sqlite3_close_v2(db), 0);
        assert_eq!(sqlite3_finalize(st), 0);
        assert_eq!(
            sqlite3_errcode(db),
            ResultCode::MISUSE.0,
            "db released with its last statement"
        );
    }

    #[test]
    fn destructor_runs_once_after_copy() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        unsafe extern "C" fn dtor(_p: *mut c_void) {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }
        let (db, st) = setup();
        let buf = *b"abc\0";
        // SAFETY: buf is readable; dtor is a valid destructor.
        unsafe {
            assert_eq!(
                sqlite3_bind_text(st, 1, buf.as_ptr().cast(), 3, Some(dtor)),
                0
            );
            assert_eq!(
                sqlite3_bind_text(st, 9, buf.as_ptr().cast(), 3, Some(dtor)),
                ResultCode::RANGE.0
            );
        }
        assert_eq!(CALLS.load(Ordering::SeqCst), 2);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }

    #[test]
    fn misuse_on_dead_handles() {
        let (db, st) = setup();
        assert_eq!(sqlite3_finalize(st), 0);
        assert_eq!(sqlite3_step(st), ResultCode::MISUSE.0);
        assert_eq!(sqlite3_finalize(st), ResultCode::MISUSE.0);
        assert_eq!(sqlite3_bind_int(st, 1, 1), ResultCode::MISUSE.0);
        assert!(sqlite3_column_text(st, 0).is_null());
        assert_eq!(sqlite3_step(std::ptr::null_mut()), ResultCode::MISUSE.0);
        assert_eq!(sqlite3_finalize(std::ptr::null_mut()), 0);
        assert_eq!(sqlite3_close(db), 0);
        assert_eq!(sqlite3_close(db), ResultCode::MISUSE.0);
        assert_eq!(
            s(sqlite3_errmsg(std::ptr::null_mut()).cast()),
            "out of memory"
        );
    }
}
