//! Page-level copying between two connections' databases: the engine side
//! of the online backup API, and of `sqlite3_serialize` /
//! `sqlite3_deserialize`.
//!
//! SQLite counterpart: backup.c (`sqlite3_backup_step`, `backupOnePage`,
//! `setDestPgsz`) and memdb.c (`sqlite3_serialize`, `sqlite3_deserialize`).
//!
//! A backup copies source pages 1..=N (N = the source's page count at the
//! start of the step) into the destination through the destination's
//! pager, inside one destination write transaction that stays open from
//! the first step until the copy completes (SQLite's "destination is
//! locked for the duration of the backup").
//!
//! Invariants:
//! 1. Source pages are read only inside a source read transaction; one
//!    opened by a step is closed before the step returns.
//! 2. The source's file change counter (header offset 24) is recorded by
//!    every step; if it differs at the next step, another writer changed
//!    the source and the copy restarts at page 1 (pages already written
//!    are overwritten; the final truncation drops any excess).
//! 3. The lock-byte page is never copied (it does not exist as a page).
//! 4. When the last page is copied, the destination's page count becomes
//!    the source's, its schema cookie becomes its old cookie + 1 (so other
//!    connections re-read the schema), and the transaction commits; the
//!    destination connection reloads its schema before its next prepare.
//! 5. Page sizes must match unless the destination is still empty (its
//!    page size is then set to the source's); otherwise SQLITE_READONLY,
//!    as SQLite reports for in-memory destinations.

use std::sync::Arc;

use super::connection::Connection;
use super::error::ConnError;
use crate::btree::Btree;
use crate::pager::{lock_byte_page, Pager, PagerError, Pgno, TxnState};
use crate::vfs::{FileKind, MemVfs, OpenFlags, Vfs};

/// Progress of one backup, kept by the caller between steps.
#[derive(Debug, Default, Clone)]
pub struct BackupProgress {
    /// Next source page to copy (1-based).
    pub next: Pgno,
    /// Source pages at the last step.
    pub page_count: Pgno,
    /// The source's change counter at the last step.
    pub src_counter: Option<[u8; 4]>,
    /// The destination write transaction is open.
    pub dest_locked: bool,
    /// The destination's schema cookie when its transaction began.
    pub dest_cookie: u32,
}

impl BackupProgress {
    /// Pages still to copy.
    pub fn remaining(&self) -> Pgno {
        self.page_count.saturating_sub(self.next.saturating_sub(1))
    }
}

/// Header offset of the file change counter.
const CHANGE_COUNTER: usize = 24;

impl Connection {
    /// Index of the database called `name` ("main", attached names).
    pub fn db_index(&self, name: &str) -> Option<usize> {
        self.db_names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
    }

    /// True if database `i` has a transaction open.
    pub fn db_in_txn(&mut self, i: usize) -> bool {
        self.dbs
            .get_mut(i)
            .is_some_and(|b| b.pager().txn_state() != TxnState::None)
    }

    /// Reads every page of database `i` (`None`: the empty "temp"
    /// database) into one buffer: the database image.
    pub fn serialize_db(&mut self, i: Option<usize>) -> Result<Vec<u8>, ConnError> {
        let Some(i) = i else { return Ok(Vec::new()) };
        let bt = self.btree(i)?;
        let opened = bt.pager().txn_state() == TxnState::None;
        bt.begin_read()?;
        let r = read_all_pages(bt.pager());
        if opened {
            bt.end_read();
        }
        Ok(r?)
    }

    /// Replaces database `i` with the image `data` held in memory.
    /// `max_pages` (0: no limit) bounds its growth; `readonly` refuses
    /// writes.
    pub fn deserialize_db(
        &mut self,
        i: usize,
        data: &[u8],
        max_pages: Pgno,
        readonly: bool,
    ) -> Result<(), ConnError> {
        if self.db_in_txn(i) || self.state.active_vms > 0 {
            return Err(ConnError::Busy("database is locked".into()));
        }
        let vfs: Arc<dyn Vfs> = Arc::new(MemVfs::new());
        let name = "loom-deserialized";
        let mut fd = vfs.open(name, OpenFlags::main_db())?;
        fd.write(data, 0)?;
        drop(fd);
        let flags = OpenFlags {
            read_only: readonly,
            create: false,
            exclusive: false,
            delete_on_close: false,
            kind: FileKind::MainDb,
        };
        let mut pager = Pager::open(vfs, name, flags)?;
        if max_pages != 0 {
            pager.set_max_page_count(max_pages);
        }
        let slot = self.btree(i)?;
        *slot = Btree::new(pager);
        if self.busy_timeout_ms > 0 {
            self.set_busy_timeout(self.busy_timeout_ms);
        }
        self.schema_loaded = false;
        self.generation += 1;
        Ok(())
    }

    fn btree(&mut self, i: usize) -> Result<&mut Btree<Pager>, ConnError> {
        self.dbs
            .get_mut(i)
            .ok_or_else(|| ConnError::Misuse("no such database".into()))
    }
}

/// Every page of the database `p` has open, concatenated.
fn read_all_pages(p: &mut Pager) -> Result<Vec<u8>, PagerError> {
    let n = p.page_count();
    let ps = p.page_size();
    let lock = lock_byte_page(ps);
    let mut out = Vec::with_capacity(ps.saturating_mul(n as usize));
    for pg in 1..=n {
        if pg == lock {
            out.resize(out.len() + ps, 0);
            continue;
        }
        let r = p.get(pg)?;
        out.extend_from_slice(p.data(r)?);
    }
    Ok(out)
}

/// One step of a backup: copies up to `n` pages (all if `n < 0`) from
/// database `si` of `src` (`None`: the empty "temp" database) into
/// database `di` of `dest`. Returns true when the copy is complete and
/// committed.
pub fn backup_step(
    src: &mut Connection,
    si: Option<usize>,
    dest: &mut Connection,
    di: usize,
    prog: &mut BackupProgress,
    n: i32,
) -> Result<bool, ConnError> {
    let dbt = dest.btree(di)?;
    let done = match si {
        Some(i) => step_from(src.btree(i)?, dbt, prog, n)?,
        None => step_from_empty(dbt, prog)?,
    };
    if done {
        dest.schema_loaded = false;
        dest.generation += 1;
        if dest.state.autocommit {
            if let Ok(b) = dest.btree(di) {
                b.end_read();
            }
        }
    }
    Ok(done)
}

/// The step body with a real source b-tree (invariants 1 and 2).
fn step_from(
    sbt: &mut Btree<Pager>,
    dbt: &mut Btree<Pager>,
    prog: &mut BackupProgress,
    n: i32,
) -> Result<bool, ConnError> {
    let state = sbt.pager().txn_state();
    if state == TxnState::Write {
        return Err(ConnError::Busy("database is locked".into()));
    }
    let opened = state == TxnState::None;
    sbt.begin_read()?;
    let r = copy_some(sbt.pager(), dbt, prog, n);
    if opened {
        sbt.end_read();
    }
    r
}

/// Opens the destination transaction on the first step (invariant 5).
fn lock_dest(
    dbt: &mut Btree<Pager>,
    prog: &mut BackupProgress,
    src_ps: usize,
) -> Result<(), ConnError> {
    if prog.dest_locked {
        return Ok(());
    }
    let dp = dbt.pager();
    let opened = dp.txn_state() == TxnState::None;
    dp.begin_read()?;
    if dp.page_count() == 0 && dp.page_size() != src_ps {
        // An empty destination takes the source's page size.
        let _ = dp.set_page_size(src_ps);
    }
    let r = if dbt.pager().page_size() != src_ps {
        Err(ConnError::ReadOnly)
    } else {
        dbt.begin_write(false)
            .and_then(|()| dbt.get_meta(1))
            .map_err(ConnError::from)
    };
    match r {
        Ok(cookie) => {
            prog.dest_cookie = cookie;
            prog.dest_locked = true;
            Ok(())
        }
        Err(e) => {
            if opened {
                dbt.end_read();
            }
            Err(e)
        }
    }
}

/// Copies the next pages; on the last one, finishes (invariant 4).
fn copy_some(
    sp: &mut Pager,
    dbt: &mut Btree<Pager>,
    prog: &mut BackupProgress,
    n: i32,
) -> Result<bool, ConnError> {
    let src_pages = sp.page_count();
    let ps = sp.page_size();
    let counter = if src_pages >= 1 {
        let r = sp.get(1)?;
        let d = sp.data(r)?;
        d.get(CHANGE_COUNTER..CHANGE_COUNTER + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
    } else {
        None
    };
    if prog.next == 0 || (prog.src_counter.is_some() && prog.src_counter != counter) {
        prog.next = 1;
    }
    prog.src_counter = counter;
    prog.page_count = src_pages;
    lock_dest(dbt, prog, ps)?;
    let lock = lock_byte_page(ps);
    let mut copied = 0i64;
    while prog.next <= src_pages && (n < 0 || copied < i64::from(n)) {
        let pg = prog.next;
        if pg != lock {
            let r = sp.get(pg)?;
            let data = sp.data(r)?;
            write_dest_page(dbt.pager(), pg, data)?;
        }
        prog.next += 1;
        copied += 1;
    }
    if prog.next <= src_pages {
        return Ok(false);
    }
    finish_copy(dbt, prog, src_pages)?;
    Ok(true)
}

/// A source with no pages: the destination becomes an empty database.
fn step_from_empty(dbt: &mut Btree<Pager>, prog: &mut BackupProgress) -> Result<bool, ConnError> {
    prog.page_count = 0;
    prog.next = 1;
    let ps = dbt.pager().page_size();
    lock_dest(dbt, prog, ps)?;
    finish_copy(dbt, prog, 0)?;
    Ok(true)
}

/// Writes `data` as page `pg` of the destination, growing it as needed.
fn write_dest_page(dp: &mut Pager, pg: Pgno, data: &[u8]) -> Result<(), PagerError> {
    while dp.page_count() < pg {
        dp.allocate()?;
    }
    let r = dp.get(pg)?;
    let out = dp.data_mut(r)?;
    let len = out.len().min(data.len());
    out[..len].copy_from_slice(&data[..len]);
    Ok(())
}

/// Sets the destination's size and schema cookie, then commits.
fn finish_copy(
    dbt: &mut Btree<Pager>,
    prog: &mut BackupProgress,
    src_pages: Pgno,
) -> Result<(), ConnError> {
    let dp = dbt.pager();
    if dp.page_count() > src_pages {
        dp.truncate_to(src_pages)?;
    }
    if src_pages >= 1 {
        dbt.set_meta(1, prog.dest_cookie.wrapping_add(1))?;
    }
    dbt.commit()?;
    dbt.invalidate_cursors();
    prog.dest_locked = false;
    Ok(())
}

/// Ends a backup that did not complete: rolls the destination back.
pub fn backup_abort(dest: &mut Connection, di: usize, prog: &mut BackupProgress) {
    if !prog.dest_locked {
        return;
    }
    prog.dest_locked = false;
    if let Ok(b) = dest.btree(di) {
        let _ = b.rollback();
        if dest.state.autocommit {
            if let Ok(b) = dest.btree(di) {
                b.end_read();
            }
        }
    }
}
