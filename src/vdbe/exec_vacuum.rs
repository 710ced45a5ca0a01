//! The `Vacuum` opcode: VACUUM and VACUUM INTO.
//!
//! SQLite counterpart: OP_Vacuum and `sqlite3RunVacuum` (vacuum.c).
//!
//! The database is rebuilt into a fresh one — in memory for plain VACUUM,
//! the named file for VACUUM INTO — taking a pending `PRAGMA page_size`
//! and `PRAGMA auto_vacuum` into account: tables (each followed by its
//! automatic indexes) get root pages first, then the other indexes; then
//! every tree's entries are appended in key order; then the sqlite_schema
//! rows are written with the new root pages, and the meta values SQLite
//! copies (schema cookie + 1, default cache size, user version,
//! application id) are carried over. Plain VACUUM then overwrites the
//! database page by page inside its write transaction.
//!
//! Invariants:
//! 1. VACUUM runs only in autocommit mode with no other statement running
//!    ("cannot VACUUM from within a transaction" / "cannot VACUUM - SQL
//!    statements in progress").
//! 2. VACUUM INTO refuses an existing non-empty file ("output file already
//!    exists").
//! 3. A plain VACUUM that changes the page size rewrites the file through
//!    `Btree::replace_file_from` (crash-safe, rollback-journal modes only);
//!    in WAL mode the page size stays, as SQLite ignores the change there.

use std::sync::Arc;

use super::env::VdbeEnv;
use super::error::VdbeError;
use super::insn::Reg;
use super::vm::{Flow, Vdbe};
use crate::btree::{Btree, TreeKind};
use crate::pager::{Pager, Pgno};
use crate::record::{encode_record_format, RecordHeader, Value};
use crate::vfs::{OpenFlags, PosixVfs, Vfs};

/// One sqlite_schema row: rowid and decoded columns (text left encoded).
struct SchemaRow {
    rowid: i64,
    values: Vec<Value>,
}

impl SchemaRow {
    fn text(&self, i: usize) -> Vec<u8> {
        match self.values.get(i) {
            Some(Value::Text(t)) => t.clone(),
            _ => Vec::new(),
        }
    }
    fn root(&self) -> Pgno {
        match self.values.get(3) {
            Some(Value::Integer(n)) => u32::try_from(*n).unwrap_or(0),
            _ => 0,
        }
    }
}

fn vacuum_error(msg: &str) -> VdbeError {
    VdbeError::Error(msg.to_string())
}

fn read_schema(bt: &mut Btree) -> Result<Vec<SchemaRow>, VdbeError> {
    let mut rows = Vec::new();
    if bt.pager().page_count() == 0 {
        return Ok(rows);
    }
    let mut c = bt.cursor(1, TreeKind::Table, None)?;
    let mut more = bt.first(&mut c)?;
    let mut scratch = Vec::new();
    while more {
        let rowid = bt.rowid(&c)?;
        let payload = bt.payload(&c, &mut scratch)?;
        let values = RecordHeader::parse(payload)?.values(payload)?;
        rows.push(SchemaRow { rowid, values });
        more = bt.next(&mut c)?;
    }
    Ok(rows)
}

/// The tree kind of a schema row, if it owns a b-tree.
fn tree_kind(row: &SchemaRow, enc: crate::record::TextEncoding) -> Option<TreeKind> {
    if row.root() == 0 {
        return None;
    }
    match crate::record::decode_text(&row.text(0), enc).as_slice() {
        b"table" => Some(TreeKind::Table),
        b"index" => Some(TreeKind::Index),
        _ => None,
    }
}

/// Builds the vacuumed copy of `src` into `dst` (an empty database).
fn rebuild(src: &mut Btree, dst: &mut Btree) -> Result<(), VdbeError> {
    let enc = src.text_encoding()?;
    let rows = read_schema(src)?;
    dst.begin_write(false)?;
    let is_auto = |r: &SchemaRow| {
        crate::record::decode_text(&r.text(1), enc).starts_with(b"sqlite_autoindex_")
    };
    let mut order: Vec<usize> = Vec::new();
    for pass in 0..2 {
        for (i, r) in rows.iter().enumerate() {
            let first = tree_kind(r, enc) == Some(TreeKind::Table) || is_auto(r);
            if tree_kind(r, enc).is_some() && first == (pass == 0) {
                order.push(i);
            }
        }
    }
    let mut new_roots = vec![0; rows.len()];
    // The root page says which kind a table's tree is (WITHOUT ROWID
    // tables are index b-trees).
    let mut kinds = vec![None; rows.len()];
    for &i in &order {
        if tree_kind(&rows[i], enc).is_some() {
            kinds[i] = Some(src.root_kind(rows[i].root())?);
        }
    }
    for &i in &order {
        if let Some(kind) = kinds[i] {
            new_roots[i] = dst.create_tree(kind)?;
        }
    }
    for &i in &order {
        if let Some(kind) = kinds[i] {
            dst.copy_tree_from(src, rows[i].root(), new_roots[i], kind)?;
        }
    }
    let mut c = dst.cursor(1, TreeKind::Table, None)?;
    for (i, r) in rows.iter().enumerate() {
        let mut values = r.values.clone();
        if new_roots[i] != 0 {
            if let Some(v) = values.get_mut(3) {
                *v = Value::Integer(i64::from(new_roots[i]));
            }
        }
        let refs: Vec<_> = values.iter().map(Value::as_ref).collect();
        let mut rec = Vec::new();
        encode_record_format(&refs, 4, &mut rec);
        dst.insert(&mut c, r.rowid, &rec)?;
    }
    dst.set_meta(1, src.get_meta(1)?.wrapping_add(1))?;
    for idx in [3, 6, 8] {
        dst.set_meta(idx, src.get_meta(idx)?)?;
    }
    dst.commit()?;
    Ok(())
}

/// Opens the (empty) destination of a VACUUM with `src`'s format.
fn open_destination(
    src: &mut Btree,
    into: Option<&[u8]>,
    keep_size: bool,
) -> Result<Btree, VdbeError> {
    let pager = match into {
        Some(path) => {
            let vfs: Arc<dyn Vfs> = Arc::new(PosixVfs::new());
            use std::os::unix::ffi::OsStrExt;
            let path = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
            let mut p = Pager::open_path(vfs, path, OpenFlags::main_db())?;
            p.begin_read()?;
            let existing = p.page_count();
            p.end_read();
            if existing > 0 {
                return Err(vacuum_error("output file already exists"));
            }
            p
        }
        None => Pager::open_memory()?,
    };
    let mut dst = Btree::new(pager);
    let (next_size, av) = src.vacuum_settings()?;
    let size = match next_size {
        Some(n) if !keep_size => n,
        _ => src.pager().page_size(),
    };
    let reserved = src.pager().page_size() - src.pager().usable_size();
    dst.pager().set_page_size(size)?;
    dst.pager().set_reserved_bytes(reserved as u8);
    if into.is_some() {
        dst.pager().set_synchronous(crate::pager::Synchronous::Off);
    }
    let enc = src.text_encoding()?;
    dst.set_new_database_format(av, enc);
    Ok(dst)
}

impl Vdbe {
    pub(crate) fn op_vacuum(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        into: Option<Reg>,
    ) -> Result<Flow, VdbeError> {
        if !env.conn.autocommit {
            return Err(vacuum_error("cannot VACUUM from within a transaction"));
        }
        if env.conn.active_vms > 1 {
            return Err(vacuum_error("cannot VACUUM - SQL statements in progress"));
        }
        let target = match into {
            Some(r) => match self.reg(r)?.to_value() {
                Value::Text(t) => Some(t),
                Value::Null => None,
                _ => return Err(vacuum_error("non-text filename")),
            },
            None => None,
        };
        let src = env
            .dbs
            .get_mut(db)
            .ok_or_else(|| super::error::internal("no such database"))?;
        // SQLite keeps the page size of a WAL database (pragma.html).
        let wal = target.is_none() && src.pager().journal_mode() == crate::pager::JournalMode::Wal;
        let mut dst = open_destination(src, target.as_deref(), wal)?;
        rebuild(src, &mut dst)?;
        if target.is_none() {
            if dst.pager().page_size() == src.pager().page_size() {
                src.replace_pages_from(&mut dst)?;
            } else {
                src.replace_file_from(&mut dst)?;
            }
            env.conn.schema_changed = true;
        }
        Ok(Flow::Next)
    }
}
