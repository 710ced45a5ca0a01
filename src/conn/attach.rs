//! ATTACH and DETACH: adding and removing databases of a connection.
//!
//! SQLite counterpart: `attachFunc()` / `detachFunc()` in attach.c and
//! lang_attach.html / lang_detach.html. A compiled ATTACH or DETACH
//! evaluates its operands and leaves them in
//! [`crate::vdbe::ConnState::pending_attach`]; the connection carries the
//! request out once the statement has halted (the VM cannot open files
//! into the connection's database list: it only borrows a slice of it).
//!
//! Invariants:
//! 1. Database indexes follow SQLite: 0 = main, 1 = temp (always present,
//!    an in-memory b-tree listed by `PRAGMA database_list` once used),
//!    2.. = attached databases in the order they were attached.
//! 2. `dbs`, `db_names`, `db_files` and `schemas` always have the same
//!    length and are changed together.
//! 3. At most [`MAX_ATTACHED`] databases are attached at once.
//! 4. A database whose b-tree has a transaction open cannot be detached
//!    ("database x is locked").
//! 5. File names are bytes: an ATTACH operand that is not UTF-8 opens the
//!    file of exactly those bytes, and `db_files` keeps them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::connection::Connection;
use super::error::ConnError;
use super::mode::ConnectionMode;
use crate::btree::Btree;
use crate::pager::{Pager, TxnState};
use crate::sql::Schema;
use crate::vdbe::AttachRequest;
use crate::vfs::{FileKind, OpenFlags, PosixVfs, Vfs};

/// SQLITE_MAX_ATTACHED (the default limit).
pub const MAX_ATTACHED: usize = 10;

/// Index of the temp database (invariant 1).
pub const TEMP_DB: usize = 1;

impl Connection {
    /// Carries out the ATTACH or DETACH a statement just requested.
    pub(crate) fn run_pending_attach(&mut self) -> Result<(), ConnError> {
        let Some(req) = self.state.pending_attach.take() else {
            return Ok(());
        };
        match req {
            AttachRequest::Attach { file, name } => self.attach_bytes(&file, &name),
            AttachRequest::Detach { name } => self.detach(&name),
        }
    }

    /// `ATTACH file AS name`.
    pub fn attach(&mut self, file: &str, name: &str) -> Result<(), ConnError> {
        self.attach_bytes(file.as_bytes(), name)
    }

    /// [`Connection::attach`] for a file name of any bytes (invariant 5).
    pub fn attach_bytes(&mut self, file: &[u8], name: &str) -> Result<(), ConnError> {
        let fail = |m: String| ConnError::Compile(m);
        if self.dbs.len() >= MAX_ATTACHED + 2 {
            return Err(fail(format!(
                "too many attached databases - max {MAX_ATTACHED}"
            )));
        }
        if self.db_index(name).is_some() {
            return Err(fail(format!("database {name} is already in use")));
        }
        let (pager, path) = self.open_attached(file)?;
        let mut bt = Btree::new(pager);
        bt.pager()
            .set_busy_handler(super::schema_load::busy_timeout_handler(
                self.busy_timeout_ms,
            ));
        let (schema, _) = super::schema_load::load_schema(&mut bt, &mut self.state, None)?;
        self.dbs.push(bt);
        self.db_names.push(name.to_string());
        self.db_files.push(path);
        self.schemas.push(Arc::new(schema));
        *self.shared_names.lock() = self.db_names.clone();
        self.generation += 1;
        Ok(())
    }

    /// Opens the pager of an attached database; `""` and `":memory:"`
    /// (or a `file:` URI with `mode=memory`) are private in-memory ones.
    fn open_attached(&mut self, file: &[u8]) -> Result<(Pager, PathBuf), ConnError> {
        let mut opts = self.open_opts.clone();
        opts.memory = false;
        opts.create = true;
        let target = super::schema_load::parse_target(file, &opts)?;
        if target.memory {
            return Ok((Pager::open_memory()?, PathBuf::new()));
        }
        let readonly = target.readonly || self.readonly || self.mode == ConnectionMode::Read;
        let vfs: Arc<dyn Vfs> =
            crate::vfs::find_vfs(opts.vfs.as_deref()).unwrap_or_else(|| Arc::new(PosixVfs::new()));
        let flags = OpenFlags {
            read_only: readonly,
            create: target.create && !readonly,
            exclusive: false,
            delete_on_close: false,
            kind: FileKind::MainDb,
        };
        let pager = Pager::open_path(vfs, &target.path, flags).map_err(|_| {
            ConnError::Vdbe(crate::vdbe::VdbeError::Halt {
                code: crate::rc::ResultCode::CANTOPEN,
                msg: format!("unable to open database: {}", String::from_utf8_lossy(file)),
            })
        })?;
        let path = pager.db_file_name().to_path_buf();
        Ok((pager, path))
    }

    /// `DETACH name`.
    pub fn detach(&mut self, name: &str) -> Result<(), ConnError> {
        let fail = |m: String| ConnError::Compile(m);
        let i = match self.db_index(name) {
            Some(TEMP_DB) | None => return Err(fail(format!("no such database: {name}"))),
            Some(0) => return Err(fail(format!("cannot detach database {name}"))),
            Some(i) => i,
        };
        let busy = self
            .dbs
            .get_mut(i)
            .is_some_and(|b| b.pager().txn_state() != TxnState::None);
        if busy {
            return Err(fail(format!("database {name} is locked")));
        }
        let mut bt = self.dbs.remove(i);
        self.db_names.remove(i);
        self.db_files.remove(i);
        self.schemas.remove(i);
        bt.end_read();
        *self.shared_names.lock() = self.db_names.clone();
        self.generation += 1;
        Ok(())
    }

    /// The file name of database `name` (`sqlite3_db_filename`): `""`
    /// for in-memory and temp databases, `None` for an unknown name or
    /// an unused temp database.
    pub fn db_filename(&self, name: &str) -> Option<&Path> {
        let i = self.db_index(name)?;
        if i == TEMP_DB && !self.temp_open() {
            return None;
        }
        self.db_files.get(i).map(PathBuf::as_path)
    }

    /// `sqlite3_db_readonly`: `None` for an unknown name.
    pub fn db_readonly(&mut self, name: &str) -> Option<bool> {
        let i = self.db_index(name)?;
        if i == 0 {
            return Some(self.readonly);
        }
        self.dbs.get_mut(i).map(|b| b.pager().is_readonly())
    }

    /// True once the temp database holds (or held) something, which is
    /// when SQLite would have opened it.
    pub fn temp_open(&self) -> bool {
        self.temp_used
            || self
                .schemas
                .get(TEMP_DB)
                .is_some_and(|s| !s.rows.is_empty())
    }

    /// An empty temp database (index 1) for a new connection.
    pub(crate) fn new_temp_db() -> Result<(Btree<Pager>, Arc<Schema>), ConnError> {
        Ok((
            Btree::new(Pager::open_memory()?),
            Arc::new(Schema::default()),
        ))
    }
}
