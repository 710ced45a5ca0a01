//! `sqlite3_value`: protected values and the type conversions every
//! `sqlite3_column_*` / `sqlite3_value_*` accessor performs.
//!
//! SQLite counterpart: vdbemem.c (`sqlite3VdbeMemStringify`,
//! `sqlite3ValueText`, `sqlite3VdbeIntValue`, `sqlite3VdbeRealValue`) and
//! the `sqlite3_value_*` functions of vdbeapi.c.
//!
//! A [`Cell`] holds one SQL value plus the converted forms handed to C
//! (NUL-terminated UTF-8, NUL-terminated UTF-16). Conversions are computed
//! once and cached, so a pointer returned to C stays valid for as long as
//! the cell lives (a row for column cells, until `sqlite3_value_free` for
//! duplicated values): more generous than SQLite, which frees the old form
//! on a type conversion.
//!
//! Invariants:
//! 1. A cached conversion is never replaced or mutated once created, so
//!    pointers into it stay valid while the cell lives (the cell itself
//!    may move; the converted buffers are separate heap allocations).
//! 2. NULL converts to a NULL pointer for text and blob, 0 bytes, 0 / 0.0.
//! 3. A zero-length blob is returned as a NULL pointer, as SQLite does.

use std::ffi::{c_char, c_int, c_uint, c_void};

use parking_lot::Mutex;

use crate::engine::{value_to_f64, value_to_i64, value_to_text, Value, ValueRef};
use crate::guard::guard;
use crate::handle::{self, Handle};

/// Fundamental datatype codes (`SQLITE_INTEGER` ...).
pub(crate) mod types {
    pub const INTEGER: i32 = 1;
    pub const FLOAT: i32 = 2;
    pub const TEXT: i32 = 3;
    pub const BLOB: i32 = 4;
    pub const NULL: i32 = 5;
}

/// One value with its cached C-facing conversions.
#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) val: Value,
    text: Option<Vec<u8>>,
    text16: Option<Vec<u16>>,
    /// `val` is TEXT whose buffer holds a NUL right after its bytes (in
    /// spare capacity, written by [`Cell::from_ref`]): the text form is
    /// `val`'s own buffer, with no second copy.
    nul_terminated: bool,
}

impl Cell {
    pub(crate) fn new(val: Value) -> Cell {
        Cell {
            val,
            text: None,
            text16: None,
            nul_terminated: false,
        }
    }

    /// A cell copying `v`; TEXT is copied once, with a NUL terminator
    /// kept just past its length (`val` is never mutated afterwards, so
    /// the terminator stays: invariant 1).
    pub(crate) fn from_ref(v: ValueRef<'_>) -> Cell {
        let ValueRef::Text(t) = v else {
            return Cell::new(v.to_owned());
        };
        let mut b = Vec::with_capacity(t.len() + 1);
        b.extend_from_slice(t);
        b.push(0);
        b.truncate(t.len());
        Cell {
            nul_terminated: true,
            ..Cell::new(Value::Text(b))
        }
    }

    /// `SQLITE_INTEGER` ... `SQLITE_NULL`.
    pub(crate) fn kind(&self) -> c_int {
        match self.val {
            Value::Null => types::NULL,
            Value::Integer(_) => types::INTEGER,
            Value::Real(_) => types::FLOAT,
            Value::Text(_) => types::TEXT,
            Value::Blob(_) => types::BLOB,
        }
    }

    pub(crate) fn int64(&self) -> i64 {
        value_to_i64(&self.val.as_ref())
    }

    pub(crate) fn double(&self) -> f64 {
        value_to_f64(&self.val.as_ref())
    }

    /// The NUL-terminated UTF-8 text; NULL for a NULL value.
    pub(crate) fn text(&mut self) -> *const u8 {
        match &self.val {
            Value::Null => return std::ptr::null(),
            Value::Text(b) if self.nul_terminated => return b.as_ptr(),
            _ => {}
        }
        let val = &self.val;
        self.text
            .get_or_insert_with(|| {
                // Sized for the terminator up front (no regrowth).
                let mut t = match val {
                    Value::Text(b) => {
                        let mut t = Vec::with_capacity(b.len() + 1);
                        t.extend_from_slice(b);
                        t
                    }
                    _ => value_to_text(&val.as_ref()),
                };
                t.push(0);
                t
            })
            .as_ptr()
    }

    /// Length in bytes of the text (or blob) form, without terminator.
    pub(crate) fn bytes(&mut self) -> c_int {
        match &self.val {
            Value::Null => 0,
            Value::Blob(b) | Value::Text(b) => b.len() as c_int,
            Value::Integer(_) | Value::Real(_) => {
                self.text();
                self.text
                    .as_ref()
                    .map_or(0, |t| t.len().saturating_sub(1) as c_int)
            }
        }
    }

    /// The blob form: blob bytes, text bytes, or the text of a number.
    pub(crate) fn blob(&mut self) -> *const c_void {
        match &self.val {
            Value::Null => std::ptr::null(),
            Value::Blob(b) | Value::Text(b) if b.is_empty() => std::ptr::null(),
            Value::Blob(b) | Value::Text(b) => b.as_ptr().cast(),
            Value::Integer(_) | Value::Real(_) => self.text().cast(),
        }
    }

    fn utf16(&mut self) -> Option<&Vec<u16>> {
        if matches!(self.val, Value::Null) {
            return None;
        }
        let val = &self.val;
        Some(self.text16.get_or_insert_with(|| {
            let t = value_to_text(&val.as_ref());
            String::from_utf8_lossy(&t)
                .encode_utf16()
                .chain(std::iter::once(0))
                .collect()
        }))
    }

    /// The NUL-terminated native-endian UTF-16 text; NULL for NULL.
    pub(crate) fn text16(&mut self) -> *const c_void {
        self.utf16().map_or(std::ptr::null(), |t| t.as_ptr().cast())
    }

    /// Bytes of the UTF-16 form, without terminator.
    pub(crate) fn bytes16(&mut self) -> c_int {
        self.utf16()
            .map_or(0, |t| (t.len().saturating_sub(1) * 2) as c_int)
    }
}

const VALUE_MAGIC: u32 = 0x5641_4c55; // "VALU"

/// The C type `sqlite3_value`.
#[allow(non_camel_case_types)]
pub type sqlite3_value = ValueObj;

/// A `sqlite3_value` handed to C.
#[derive(Debug)]
pub struct ValueObj {
    magic: u32,
    pub(crate) cell: Mutex<Cell>,
    /// True for `sqlite3_value_dup` results, which `sqlite3_value_free` frees.
    owned_by_app: bool,
    /// `sqlite3_value_subtype` (0: none); fixed at creation.
    pub(crate) subtype: u8,
}

impl Handle for ValueObj {
    const MAGIC: u32 = VALUE_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

/// Hands a new value object to C.
pub(crate) fn new_value(val: Value, owned_by_app: bool) -> *mut sqlite3_value {
    register_value(val, owned_by_app, 0)
}

/// A function argument carrying `subtype` (0: none).
pub(crate) fn new_value_subtyped(val: Value, subtype: u8) -> *mut sqlite3_value {
    register_value(val, false, subtype)
}

fn register_value(val: Value, owned_by_app: bool, subtype: u8) -> *mut sqlite3_value {
    handle::register(ValueObj {
        magic: VALUE_MAGIC,
        cell: Mutex::new(Cell::new(val)),
        owned_by_app,
        subtype,
    })
}

/// Frees a value object created by [`new_value`] (ignores dead pointers).
pub(crate) fn drop_value(p: *mut sqlite3_value) {
    // SAFETY: callers own `p` (a statement's column cache) and drop their
    // only copy of the pointer right after.
    drop(unsafe { handle::release(p) });
}

/// The live value `p`, or `None`.
pub(crate) fn value_obj<'a>(p: *const sqlite3_value) -> Option<&'a ValueObj> {
    // SAFETY: handle::get only dereferences live values; the caller does not
    // free `p` while this call uses it (SQLite's contract).
    unsafe { handle::get(p) }
}

/// Runs `f` on the cell of a live value, or returns `dflt`.
fn with_cell<R: Clone>(p: *mut sqlite3_value, dflt: R, f: impl FnOnce(&mut Cell) -> R) -> R {
    guard(dflt.clone(), || match value_obj(p) {
        Some(v) => f(&mut v.cell.lock()),
        None => dflt,
    })
}

/// `sqlite3_value_type(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_type(p: *mut sqlite3_value) -> c_int {
    with_cell(p, types::NULL, |c| c.kind())
}

/// `sqlite3_value_int(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_int(p: *mut sqlite3_value) -> c_int {
    with_cell(p, 0, |c| c.int64() as c_int)
}

/// `sqlite3_value_int64(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_int64(p: *mut sqlite3_value) -> i64 {
    with_cell(p, 0, |c| c.int64())
}

/// `sqlite3_value_double(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_double(p: *mut sqlite3_value) -> f64 {
    with_cell(p, 0.0, |c| c.double())
}

/// `sqlite3_value_text(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_text(p: *mut sqlite3_value) -> *const u8 {
    with_cell(p, std::ptr::null(), |c| c.text())
}

/// `sqlite3_value_text16(v)` (native byte order).
#[no_mangle]
pub extern "C" fn sqlite3_value_text16(p: *mut sqlite3_value) -> *const c_void {
    with_cell(p, std::ptr::null(), |c| c.text16())
}

/// `sqlite3_value_bytes(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_bytes(p: *mut sqlite3_value) -> c_int {
    with_cell(p, 0, |c| c.bytes())
}

/// `sqlite3_value_bytes16(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_bytes16(p: *mut sqlite3_value) -> c_int {
    with_cell(p, 0, |c| c.bytes16())
}

/// `sqlite3_value_blob(v)`.
#[no_mangle]
pub extern "C" fn sqlite3_value_blob(p: *mut sqlite3_value) -> *const c_void {
    with_cell(p, std::ptr::null(), |c| c.blob())
}

/// `sqlite3_value_numeric_type(v)`: applies numeric affinity to TEXT that
/// looks like a number, then returns the type.
#[no_mangle]
pub extern "C" fn sqlite3_value_numeric_type(p: *mut sqlite3_value) -> c_int {
    with_cell(p, types::NULL, |c| {
        if let Value::Text(t) = &c.val {
            if let Some(v) = numeric_form(t) {
                *c = Cell::new(v);
            }
        }
        c.kind()
    })
}

/// The INTEGER or REAL a text converts to under numeric affinity, if the
/// whole text (ignoring surrounding spaces) is a number.
fn numeric_form(t: &[u8]) -> Option<Value> {
    let s = std::str::from_utf8(t).ok()?.trim();
    if s.is_empty() || s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Integer(i));
    }
    let r = s.parse::<f64>().ok()?;
    Some(Value::Real(r))
}

/// `sqlite3_value_nochange(v)`: 0 (only meaningful inside virtual tables).
#[no_mangle]
pub extern "C" fn sqlite3_value_nochange(_p: *mut sqlite3_value) -> c_int {
    0
}

/// `sqlite3_value_frombind(v)`: 0 (loom's values never come from bindings).
#[no_mangle]
pub extern "C" fn sqlite3_value_frombind(_p: *mut sqlite3_value) -> c_int {
    0
}

/// `sqlite3_value_encoding(v)`: SQLITE_UTF8.
#[no_mangle]
pub extern "C" fn sqlite3_value_encoding(_p: *mut sqlite3_value) -> c_int {
    1
}

/// `sqlite3_value_subtype(v)`: the subtype an inner function's
/// `sqlite3_result_subtype` gave this argument (0: none).
#[no_mangle]
pub extern "C" fn sqlite3_value_subtype(p: *mut sqlite3_value) -> c_uint {
    guard(0, || value_obj(p).map_or(0, |v| c_uint::from(v.subtype)))
}

/// `sqlite3_value_pointer(v, type)`: NULL (pointer passing not supported yet).
#[no_mangle]
pub extern "C" fn sqlite3_value_pointer(_p: *mut sqlite3_value, _ty: *const c_char) -> *mut c_void {
    std::ptr::null_mut()
}

/// `sqlite3_value_dup(v)`: an unprotected copy the application frees.
#[no_mangle]
pub extern "C" fn sqlite3_value_dup(p: *const sqlite3_value) -> *mut sqlite3_value {
    let val = guard(None, || {
        value_obj(p).map(|o| (o.cell.lock().val.clone(), o.subtype))
    });
    val.map_or(std::ptr::null_mut(), |(v, st)| register_value(v, true, st))
}

/// `sqlite3_value_free(v)`: frees a value from `sqlite3_value_dup`.
#[no_mangle]
pub extern "C" fn sqlite3_value_free(p: *mut sqlite3_value) {
    guard((), || {
        let owned = value_obj(p).is_some_and(|v| v.owned_by_app);
        if owned {
            drop_value(p);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn conversions_and_lifetimes() {
        let v = new_value(Value::Integer(42), false);
        assert_eq!(sqlite3_value_type(v), types::INTEGER);
        let t = sqlite3_value_text(v);
        // SAFETY: t is NUL-terminated and lives as long as v.
        assert_eq!(unsafe { CStr::from_ptr(t.cast()) }.to_bytes(), b"42");
        assert_eq!(sqlite3_value_bytes(v), 2);
        assert_eq!(sqlite3_value_bytes16(v), 4);
        assert_eq!(sqlite3_value_text(v), t, "cached pointer is stable");
        assert_eq!(sqlite3_value_double(v), 42.0);
        let d = sqlite3_value_dup(v);
        assert_eq!(sqlite3_value_int(d), 42);
        sqlite3_value_free(d);
        assert_eq!(
            sqlite3_value_type(d),
            types::NULL,
            "freed value is detected"
        );
        sqlite3_value_free(v); // not app-owned: ignored
        assert_eq!(sqlite3_value_int(v), 42);
        drop_value(v);
        assert_eq!(sqlite3_value_int(v), 0);
    }

    #[test]
    fn null_blob_and_numeric_type() {
        let n = new_value(Value::Null, true);
        assert!(sqlite3_value_text(n).is_null() && sqlite3_value_blob(n).is_null());
        let e = new_value(Value::Blob(Vec::new()), true);
        assert!(sqlite3_value_blob(e).is_null());
        let s = new_value(Value::Text(b" 12 ".to_vec()), true);
        assert_eq!(sqlite3_value_numeric_type(s), types::INTEGER);
        let r = new_value(Value::Text(b"1.5".to_vec()), true);
        assert_eq!(sqlite3_value_numeric_type(r), types::FLOAT);
        let x = new_value(Value::Text(b"abc".to_vec()), true);
        assert_eq!(sqlite3_value_numeric_type(x), types::TEXT);
        assert!(sqlite3_value_text(std::ptr::null_mut()).is_null());
        for p in [n, e, s, r, x] {
            sqlite3_value_free(p);
        }
    }
}
