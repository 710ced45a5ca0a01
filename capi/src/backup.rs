//! The online backup API (`sqlite3_backup_*`) and database images
//! (`sqlite3_serialize`, `sqlite3_deserialize`).
//!
//! SQLite counterpart: backup.c and memdb.c; c3ref/backup_finish.html,
//! c3ref/serialize.html, c3ref/deserialize.html.
//!
//! A `sqlite3_backup` is a handle (see `handle.rs`) owning the engine's
//! [`Backup`]; it remembers the destination connection, where every error
//! is recorded, and the last step's result for `sqlite3_backup_finish`.
//!
//! Invariants:
//! 1. Errors of `sqlite3_backup_init` are recorded on the destination
//!    connection and NULL is returned.
//! 2. `sqlite3_backup_step` returns SQLITE_OK, SQLITE_DONE, or an error
//!    code (BUSY/LOCKED retryable, others sticky); `sqlite3_backup_finish`
//!    releases the handle and records its result on the destination.
//! 3. While a backup exists, both its connections refuse `sqlite3_close`
//!    with SQLITE_BUSY (`has_backup`).
//! 4. Serialized images are `sqlite3_malloc` memory (the caller frees
//!    them); with SQLITE_DESERIALIZE_FREEONCLOSE the input buffer is freed
//!    by `sqlite3_deserialize` itself, since loom copies it.

use std::ffi::{c_char, c_int, c_uint};

use parking_lot::Mutex;

use crate::connection::{arg_str, conn, sqlite3};
use crate::engine::{Backup, DbError};
use crate::guard::{guard, guard_rc};
use crate::handle::{self, Handle};
use loomdb::rc::ResultCode;

/// The C type `sqlite3_backup`.
#[allow(non_camel_case_types)]
pub type sqlite3_backup = BackupHandle;

const BACKUP_MAGIC: u32 = 0x4241_434b; // "BACK"

const DESERIALIZE_FREEONCLOSE: c_uint = 1;
const DESERIALIZE_RESIZEABLE: c_uint = 2;
const DESERIALIZE_READONLY: c_uint = 4;
const SERIALIZE_NOCOPY: c_uint = 1;

struct State {
    backup: Option<Backup>,
    /// The error of the last step, if it failed.
    last: Option<DbError>,
}

/// An active backup.
pub struct BackupHandle {
    magic: u32,
    dest: *mut sqlite3,
    src: *mut sqlite3,
    state: Mutex<State>,
}

// SAFETY: the raw connection pointers are only compared or looked up
// through `handle::get`, which checks liveness; the state is behind a lock.
unsafe impl Send for BackupHandle {}
// SAFETY: as above.
unsafe impl Sync for BackupHandle {}

impl Handle for BackupHandle {
    const MAGIC: u32 = BACKUP_MAGIC;
    fn clear_magic(&mut self) {
        self.magic = 0;
    }
    fn magic(&self) -> u32 {
        self.magic
    }
}

/// Addresses of live backups' (dest, src) connections (invariant 3).
static ACTIVE: Mutex<Vec<(usize, usize, usize)>> = Mutex::new(Vec::new());

/// True if connection `p` is the source or destination of a live backup.
pub(crate) fn has_backup(p: *const sqlite3) -> bool {
    let a = p as usize;
    ACTIVE.lock().iter().any(|&(_, d, s)| d == a || s == a)
}

fn backup<'a>(p: *const sqlite3_backup) -> Option<&'a BackupHandle> {
    // SAFETY: handle::get only dereferences live backups; the caller does
    // not finish `p` while this call uses it (SQLite's contract).
    unsafe { handle::get(p) }
}

/// Takes backup `p` back from C (finish).
fn take_backup(p: *mut sqlite3_backup) -> Option<Box<BackupHandle>> {
    // SAFETY: the application does not use `p` after finishing it.
    unsafe { handle::release(p) }
}

/// `sqlite3_backup_init(dest, dname, src, sname)`.
///
/// # Safety
/// `dname` and `sname` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_backup_init(
    dest: *mut sqlite3,
    dname: *const c_char,
    src: *mut sqlite3,
    sname: *const c_char,
) -> *mut sqlite3_backup {
    guard(std::ptr::null_mut(), || {
        let Some(dc) = conn(dest) else {
            return std::ptr::null_mut();
        };
        let Some(sdb) = conn(src).and_then(|c| c.database()) else {
            dc.set_code(ResultCode::MISUSE);
            return std::ptr::null_mut();
        };
        let Some(ddb) = dc.database() else {
            return std::ptr::null_mut();
        };
        // SAFETY: NULL or NUL-terminated (caller contract).
        let dn = unsafe { arg_str(dname) }.unwrap_or_else(|| "main".into());
        // SAFETY: as above.
        let sn = unsafe { arg_str(sname) }.unwrap_or_else(|| "main".into());
        match Backup::new(&ddb, &dn, &sdb, &sn) {
            Ok(b) => {
                let p = handle::register(BackupHandle {
                    magic: BACKUP_MAGIC,
                    dest,
                    src,
                    state: Mutex::new(State {
                        backup: Some(b),
                        last: None,
                    }),
                });
                ACTIVE
                    .lock()
                    .push((p as usize, dest as usize, src as usize));
                p
            }
            Err(e) => {
                dc.set_db_error(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `sqlite3_backup_step(b, n)`: SQLITE_OK, SQLITE_DONE or an error.
#[no_mangle]
pub extern "C" fn sqlite3_backup_step(b: *mut sqlite3_backup, n: c_int) -> c_int {
    guard_rc(|| {
        let Some(h) = backup(b) else {
            return ResultCode::MISUSE.0;
        };
        let mut st = h.state.lock();
        let Some(bk) = st.backup.as_mut() else {
            return ResultCode::MISUSE.0;
        };
        match bk.step(n) {
            Ok(true) => {
                st.last = None;
                ResultCode::DONE.0
            }
            Ok(false) => {
                st.last = None;
                ResultCode::OK.0
            }
            Err(e) => {
                let rc = e.code().0;
                st.last = Some(e);
                rc
            }
        }
    })
}

/// `sqlite3_backup_finish(b)`: releases the backup; its result.
#[no_mangle]
pub extern "C" fn sqlite3_backup_finish(b: *mut sqlite3_backup) -> c_int {
    guard_rc(|| {
        if b.is_null() {
            return ResultCode::OK.0;
        }
        let Some(h) = take_backup(b) else {
            return ResultCode::MISUSE.0;
        };
        ACTIVE.lock().retain(|&(p, _, _)| p != b as usize);
        let mut st = h.state.lock();
        let last = st.last.take();
        let r = match st.backup.take() {
            Some(bk) => bk.finish(last.as_ref()),
            None => Ok(()),
        };
        drop(st);
        // A connection closed with sqlite3_close_v2 meanwhile goes now.
        for p in [h.src, h.dest] {
            if !has_backup(p) {
                crate::connection::statement_gone(p);
            }
        }
        let dest = conn(h.dest);
        match r {
            Ok(()) => {
                if let Some(d) = dest {
                    d.set_code(ResultCode::OK);
                }
                ResultCode::OK.0
            }
            Err(e) => match dest {
                Some(d) => {
                    d.set_error(e.code(), e.code().errstr());
                    e.code().0
                }
                None => e.code().0,
            },
        }
    })
}

/// `sqlite3_backup_remaining(b)`: pages left at the last step.
#[no_mangle]
pub extern "C" fn sqlite3_backup_remaining(b: *mut sqlite3_backup) -> c_int {
    guard(0, || {
        backup(b).map_or(0, |h| {
            let st = h.state.lock();
            st.backup
                .as_ref()
                .map_or(0, |x| c_int::try_from(x.remaining()).unwrap_or(c_int::MAX))
        })
    })
}

/// `sqlite3_backup_pagecount(b)`: source pages at the last step.
#[no_mangle]
pub extern "C" fn sqlite3_backup_pagecount(b: *mut sqlite3_backup) -> c_int {
    guard(0, || {
        backup(b).map_or(0, |h| {
            let st = h.state.lock();
            st.backup
                .as_ref()
                .map_or(0, |x| c_int::try_from(x.page_count()).unwrap_or(c_int::MAX))
        })
    })
}

/// The schema argument: NULL means "main".
///
/// # Safety
/// `z` is NULL or NUL-terminated.
unsafe fn schema_name(z: *const c_char) -> String {
    // SAFETY: forwarded contract.
    unsafe { arg_str(z) }.unwrap_or_else(|| "main".into())
}

/// `sqlite3_serialize(db, schema, pSize, flags)`: the database image in
/// `sqlite3_malloc` memory; NULL for an unknown schema, an empty image,
/// or with SQLITE_SERIALIZE_NOCOPY (loom keeps no contiguous copy).
///
/// # Safety
/// `schema` is NULL or NUL-terminated; `size` is NULL or a valid
/// out-pointer.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_serialize(
    db: *mut sqlite3,
    schema: *const c_char,
    size: *mut i64,
    flags: c_uint,
) -> *mut u8 {
    guard(std::ptr::null_mut(), || {
        let set_size = |n: i64| {
            if !size.is_null() {
                // SAFETY: valid out-pointer (checked non-NULL), caller contract.
                unsafe { *size = n };
            }
        };
        set_size(-1);
        let Some(c) = conn(db) else {
            return std::ptr::null_mut();
        };
        let Some(d) = c.database() else {
            return std::ptr::null_mut();
        };
        // SAFETY: NULL or NUL-terminated (caller contract).
        let name = unsafe { schema_name(schema) };
        let image = match d.serialize(&name) {
            Ok(Some(v)) => v,
            Ok(None) => return std::ptr::null_mut(),
            Err(e) => {
                c.set_db_error(&e);
                return std::ptr::null_mut();
            }
        };
        set_size(i64::try_from(image.len()).unwrap_or(i64::MAX));
        if flags & SERIALIZE_NOCOPY != 0 || image.is_empty() {
            return std::ptr::null_mut();
        }
        let p = crate::memory::sqlite3_malloc64(image.len() as u64).cast::<u8>();
        if !p.is_null() {
            // SAFETY: p has room for image.len() bytes; no overlap.
            unsafe { std::ptr::copy_nonoverlapping(image.as_ptr(), p, image.len()) };
        }
        p
    })
}

/// `sqlite3_deserialize(db, schema, data, szDb, szBuf, flags)`.
///
/// # Safety
/// `schema` is NULL or NUL-terminated; `data` is NULL or valid for `n`
/// bytes; with SQLITE_DESERIALIZE_FREEONCLOSE it came from `sqlite3_malloc`.
#[no_mangle]
pub unsafe extern "C" fn sqlite3_deserialize(
    db: *mut sqlite3,
    schema: *const c_char,
    data: *mut u8,
    n: i64,
    cap: i64,
    flags: c_uint,
) -> c_int {
    guard_rc(|| {
        let free = || {
            if flags & DESERIALIZE_FREEONCLOSE != 0 && !data.is_null() {
                // SAFETY: with FREEONCLOSE the buffer came from sqlite3_malloc.
                unsafe { libc::free(data.cast()) };
            }
        };
        let Some(c) = conn(db) else {
            free();
            return ResultCode::MISUSE.0;
        };
        let Some(d) = c.database() else {
            free();
            return c.set_code(ResultCode::MISUSE);
        };
        let len = usize::try_from(n).unwrap_or(0);
        let bytes: &[u8] = if data.is_null() || len == 0 {
            &[]
        } else {
            // SAFETY: data is valid for n bytes (caller contract).
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        // SAFETY: NULL or NUL-terminated (caller contract).
        let name = unsafe { schema_name(schema) };
        let max = if flags & DESERIALIZE_RESIZEABLE != 0 {
            0
        } else {
            u64::try_from(cap.max(n)).unwrap_or(0).max(1)
        };
        let readonly = flags & DESERIALIZE_READONLY != 0;
        let r = d.deserialize(&name, bytes, max, readonly);
        free();
        match r {
            Ok(()) => c.set_code(ResultCode::OK),
            Err(e) => c.set_db_error(&e),
        }
    })
}
