//! `sqlite3_table_column_metadata`.
//!
//! SQLite counterpart: main.c (`sqlite3_table_column_metadata`);
//! c3ref/table_column_metadata.html.
//!
//! Invariants:
//! 1. The declared-type and collation strings handed out stay valid for
//!    the life of the process: they are interned once per distinct text
//!    (SQLite's stay valid until the schema changes; ours outlive that).
//! 2. Every out-pointer may be NULL; non-NULL ones are written only on
//!    success.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};

use parking_lot::Mutex;

use crate::connection::{arg_str, with_db};
use crate::engine::ColumnMetadata;

/// Interned NUL-terminated strings (invariant 1).
static INTERNED: Mutex<Option<HashMap<String, &'static std::ffi::CStr>>> = Mutex::new(None);

fn intern(s: &str) -> *const c_char {
    let mut g = INTERNED.lock();
    let map = g.get_or_insert_with(HashMap::new);
    if let Some(c) = map.get(s) {
        return c.as_ptr();
    }
    let c: &'static std::ffi::CStr = Box::leak(
        CString::new(s.replace('\0', ""))
            .unwrap_or_default()
            .into_boxed_c_str(),
    );
    map.insert(s.to_string(), c);
    c.as_ptr()
}

/// Writes `v` through `p` if it is not NULL.
///
/// # Safety
/// `p` is NULL or a valid out-pointer.
unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: valid out-pointer (checked non-NULL), caller contract.
        unsafe { p.write(v) };
    }
}

/// Writes the outputs of a successful lookup.
///
/// # Safety
/// Every pointer is NULL or a valid out-pointer.
unsafe fn write_outputs(
    m: &ColumnMetadata,
    decl: *mut *const c_char,
    coll: *mut *const c_char,
    notnull: *mut c_int,
    pk: *mut c_int,
    autoinc: *mut c_int,
) {
    let d = m.decltype.as_deref().map_or(std::ptr::null(), intern);
    // SAFETY: forwarded contract for every pointer.
    unsafe {
        put(decl, d);
        put(coll, intern(&m.collation));
        put(notnull, c_int::from(m.not_null));
        put(pk, c_int::from(m.primary_key));
        put(autoinc, c_int::from(m.autoincrement));
    }
}

/// `sqlite3_table_column_metadata(db, zDb, zTable, zColumn, pzDataType,
/// pzCollSeq, pNotNull, pPrimaryKey, pAutoinc)`.
///
/// # Safety
/// The strings are NULL or NUL-terminated; the out-pointers are NULL or
/// valid.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn sqlite3_table_column_metadata(
    db: *mut crate::connection::sqlite3,
    schema: *const c_char,
    table: *const c_char,
    column: *const c_char,
    decl: *mut *const c_char,
    coll: *mut *const c_char,
    notnull: *mut c_int,
    pk: *mut c_int,
    autoinc: *mut c_int,
) -> c_int {
    with_db(db, |c, d| {
        // SAFETY: NULL or NUL-terminated (caller contract).
        let (schema, table, column) = unsafe { (arg_str(schema), arg_str(table), arg_str(column)) };
        let Some(table) = table else {
            return c.set_code(loomdb::rc::ResultCode::MISUSE);
        };
        match d.table_column_metadata(schema.as_deref(), &table, column.as_deref()) {
            Ok(m) => {
                // SAFETY: out-pointers are NULL or valid (caller contract).
                unsafe { write_outputs(&m, decl, coll, notnull, pk, autoinc) };
                c.set_code(loomdb::rc::ResultCode::OK)
            }
            Err(e) => c.set_db_error(&e),
        }
    })
}
