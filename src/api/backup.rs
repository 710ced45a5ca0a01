//! [`Backup`]: the online backup API — copying a live database into
//! another, a few pages at a time.
//!
//! SQLite counterpart: backup.c (`sqlite3_backup_init`, `_step`,
//! `_remaining`, `_pagecount`, `_finish`); c3ref/backup_finish.html.
//!
//! Invariants:
//! 1. Source and destination are different connections (checked by
//!    [`Backup::new`]); each step locks the destination connection, then
//!    the source, for its whole duration.
//! 2. A step error other than SQLITE_BUSY / SQLITE_LOCKED is sticky: every
//!    later step returns it, and [`Backup::finish`] reports it.
//! 3. A backup that did not complete leaves the destination unchanged:
//!    [`Backup::finish`] (or drop) rolls its transaction back.
//! 4. Database names are resolved at every step, so a closed or detached
//!    database is reported, never dereferenced.

use std::sync::Arc;

use super::database::Database;
use super::error::DbError;
use crate::conn::{backup_abort, backup_step, BackupProgress, Connection};
use crate::rc::ResultCode;

/// An online backup from one connection's database into another's.
#[derive(Debug)]
pub struct Backup {
    src: Database,
    dest: Database,
    src_name: String,
    dest_name: String,
    prog: BackupProgress,
    /// Sticky error (invariant 2), or `Some(Ok)` once done.
    result: Option<Result<(), DbError>>,
}

fn unknown(name: &str) -> DbError {
    DbError::CompileError(format!("unknown database {name}"))
}

/// Index of `name` in `c`; `None` for the (always empty) "temp" database.
fn resolve(c: &Connection, name: &str) -> Result<Option<usize>, DbError> {
    match c.db_index(name) {
        Some(i) => Ok(Some(i)),
        None if name.eq_ignore_ascii_case("temp") => Ok(None),
        None => Err(unknown(name)),
    }
}

/// Runs `f` on the locked connection; re-entrance is SQLITE_LOCKED.
fn locked<R>(db: &Database, f: impl FnOnce(&mut Connection) -> R) -> Result<R, DbError> {
    db.with(f).map_err(|_| DbError::Locked {
        code: ResultCode::LOCKED,
        msg: "database table is locked".into(),
    })
}

impl Backup {
    /// `sqlite3_backup_init`: prepares to copy database `src_name` of
    /// `src` over database `dest_name` of `dest`. Errors (for the
    /// destination connection): same connection, unknown names, a
    /// destination with an open transaction.
    pub fn new(
        dest: &Database,
        dest_name: &str,
        src: &Database,
        src_name: &str,
    ) -> Result<Backup, DbError> {
        if Arc::ptr_eq(&dest.shared, &src.shared) {
            return Err(DbError::CompileError(
                "source and destination must be distinct".into(),
            ));
        }
        locked(src, |c| resolve(c, src_name))??;
        locked(dest, |c| -> Result<(), DbError> {
            let i = c.db_index(dest_name).ok_or_else(|| unknown(dest_name))?;
            if c.db_in_txn(i) {
                return Err(DbError::CompileError(
                    "destination database is in use".into(),
                ));
            }
            Ok(())
        })??;
        Ok(Backup {
            src: src.clone(),
            dest: dest.clone(),
            src_name: src_name.to_string(),
            dest_name: dest_name.to_string(),
            prog: BackupProgress::default(),
            result: None,
        })
    }

    /// `sqlite3_backup_step(n)`: copies up to `n` pages (all if `n < 0`).
    /// `Ok(true)` when the backup is complete (SQLITE_DONE).
    pub fn step(&mut self, n: i32) -> Result<bool, DbError> {
        match &self.result {
            Some(Ok(())) => return Ok(true),
            Some(Err(e)) => return Err(e.clone()),
            None => {}
        }
        let r = self.step_inner(n);
        match &r {
            Ok(true) => self.result = Some(Ok(())),
            Ok(false) => {}
            Err(e) if matches!(e.code().primary(), ResultCode::BUSY | ResultCode::LOCKED) => {}
            Err(e) => {
                self.abort();
                self.result = Some(Err(e.clone()));
            }
        }
        r
    }

    fn step_inner(&mut self, n: i32) -> Result<bool, DbError> {
        let (src, dest) = (self.src.clone(), self.dest.clone());
        let (sname, dname) = (self.src_name.clone(), self.dest_name.clone());
        let prog = &mut self.prog;
        locked(&dest, |d| {
            let di = d.db_index(&dname).ok_or_else(|| unknown(&dname))?;
            locked(&src, |s| {
                let si = resolve(s, &sname)?;
                backup_step(s, si, d, di, prog, n).map_err(DbError::from)
            })?
        })?
    }

    /// Rolls back an unfinished destination transaction (invariant 3).
    fn abort(&mut self) {
        let dname = self.dest_name.clone();
        let prog = &mut self.prog;
        let _ = locked(&self.dest, |d| {
            if let Some(di) = d.db_index(&dname) {
                backup_abort(d, di, prog);
            }
        });
    }

    /// `sqlite3_backup_remaining`: pages left to copy at the last step.
    pub fn remaining(&self) -> u32 {
        self.prog.remaining()
    }

    /// `sqlite3_backup_pagecount`: source pages at the last step.
    pub fn page_count(&self) -> u32 {
        self.prog.page_count
    }

    /// `sqlite3_backup_finish`: ends the backup; the sticky error if a
    /// step failed (SQLITE_BUSY/LOCKED included when the last step
    /// returned one).
    pub fn finish(mut self, last: Option<&DbError>) -> Result<(), DbError> {
        self.abort();
        match self.result.take() {
            Some(r) => r,
            None => last.map_or(Ok(()), |e| Err(e.clone())),
        }
    }
}

impl Drop for Backup {
    fn drop(&mut self) {
        self.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::open_memory_db;
    use crate::record::Value;

    fn source() -> Database {
        let db = open_memory_db().unwrap();
        db.execute_batch("CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
            .unwrap();
        for i in 0..200 {
            db.execute(
                "INSERT INTO t VALUES(?1, printf('%500d', ?1))",
                &[Value::Integer(i)],
            )
            .unwrap();
        }
        db
    }

    fn count(db: &Database) -> Vec<Vec<Value>> {
        db.query_all("SELECT count(*), sum(length(b)) FROM t", &[])
            .unwrap()
    }

    #[test]
    fn stepwise_copy_restarts_after_a_write() {
        let src = source();
        let dst = open_memory_db().unwrap();
        let mut b = Backup::new(&dst, "main", &src, "main").unwrap();
        assert!(!b.step(3).unwrap());
        let total = b.page_count();
        assert!(total > 6);
        assert_eq!(b.remaining(), total - 3);
        src.execute("INSERT INTO t VALUES(1000, 'x')", &[]).unwrap();
        assert!(!b.step(3).unwrap());
        assert_eq!(b.remaining(), b.page_count() - 3, "restarted at page 1");
        while !b.step(5).unwrap() {}
        assert_eq!(b.remaining(), 0);
        b.finish(None).unwrap();
        assert_eq!(count(&dst), count(&src));
    }

    #[test]
    fn init_errors() {
        let src = source();
        let e = Backup::new(&src, "main", &src, "main").unwrap_err();
        assert_eq!(e.to_string(), "source and destination must be distinct");
        let dst = open_memory_db().unwrap();
        let e = Backup::new(&dst, "main", &src, "aux").unwrap_err();
        assert_eq!(e.to_string(), "unknown database aux");
        dst.execute_batch("BEGIN; CREATE TABLE x(y);").unwrap();
        let e = Backup::new(&dst, "main", &src, "main").unwrap_err();
        assert_eq!(e.to_string(), "destination database is in use");
    }

    #[test]
    fn unfinished_backup_leaves_destination_unchanged() {
        let src = source();
        let dst = open_memory_db().unwrap();
        dst.execute_batch("CREATE TABLE keep(x); INSERT INTO keep VALUES(1);")
            .unwrap();
        let mut b = Backup::new(&dst, "main", &src, "main").unwrap();
        assert!(!b.step(2).unwrap());
        b.finish(None).unwrap();
        let rows = dst.query_all("SELECT x FROM keep", &[]).unwrap();
        assert_eq!(rows, vec![vec![Value::Integer(1)]]);
    }

    #[test]
    fn serialize_round_trip() {
        let src = source();
        let image = src.serialize("main").unwrap().unwrap();
        assert_eq!(&image[..16], b"SQLite format 3\0");
        assert!(src.serialize("nosuch").unwrap().is_none());
        let dst = open_memory_db().unwrap();
        dst.deserialize("main", &image, 0, false).unwrap();
        assert_eq!(count(&dst), count(&src));
        let ro = open_memory_db().unwrap();
        ro.deserialize("main", &image, 0, true).unwrap();
        let e = ro.execute("DELETE FROM t", &[]).unwrap_err();
        assert_eq!(e.code().primary(), ResultCode::READONLY);
        let bad = open_memory_db().unwrap();
        let e = bad.deserialize("main", b"\x00\x01\x03", 0, false);
        assert!(e.is_err() || bad.execute_batch("CREATE TABLE f(x)").is_err());
    }
}
