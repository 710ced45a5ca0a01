//! WITHOUT ROWID tables in the VM: cursors whose "rowid" is the record of
//! the row's PRIMARY KEY values.
//!
//! SQLite counterpart: the WITHOUT ROWID paths of OP_Column (the table's
//! columns are stored PRIMARY KEY first), OP_IdxInsert/OP_IdxDelete on the
//! table's PRIMARY KEY b-tree, and OP_NotFound with a MakeRecord key
//! (vdbe.c); the row identity SQLite builds with `sqlite3PrimaryKeyIndex`.
//!
//! A WITHOUT ROWID table lives in an index b-tree. Codegen treats it as a
//! rowid table whose rowid is a blob: the record made of the PRIMARY KEY
//! values in key order (the "key blob"). `Insn::WithoutRowid` marks a cursor
//! with a [`WrLayout`]; the cursor opcodes then behave as follows:
//!
//! | opcode | on a marked cursor |
//! |---|---|
//! | Column | table column `i` is read from record field `storage[i]` (table cursors only) |
//! | Rowid, IdxRowid | the key blob, built from record fields `pk` |
//! | SeekRowid, NotExists | seek the key blob held in the register |
//! | Insert | replace the entry with the same key, else add it |
//! | Delete | delete the entry (no update hook: SQLite calls none) |
//!
//! Invariants:
//! 1. The key blob is a record of the PRIMARY KEY fields exactly as stored,
//!    so blobs built from the same row by different cursors are equal.
//! 2. Insert never leaves two entries with equal PRIMARY KEY: an entry
//!    comparing equal on the key fields (under the key's collations) is
//!    deleted first.
//! 3. last_insert_rowid and the update hook are untouched by these tables.

use std::sync::Arc;

use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::exec_cursor::FoundKind;
use super::insn::{Addr, CursorId, InsertFlags, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::record::{encode_record, RecordHeader, Value, ValueRef};

/// How the records of a WITHOUT ROWID table (or of an index on one) are laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrLayout {
    /// Table column number → record field (empty for index cursors).
    pub storage: Vec<usize>,
    /// Record fields holding the PRIMARY KEY columns, in key order.
    pub pk: Vec<usize>,
}

impl WrLayout {
    /// The record field that holds table column `column` (table cursors).
    pub fn field_of(&self, column: usize) -> usize {
        self.storage.get(column).copied().unwrap_or(column)
    }
}

impl Vdbe {
    /// OP_WithoutRowid: marks `cursor` with `layout`.
    pub(crate) fn op_without_rowid(
        &mut self,
        cursor: CursorId,
        layout: &Arc<WrLayout>,
    ) -> Result<Flow, VdbeError> {
        self.cursor_mut(cursor)?.wr = Some(Arc::clone(layout));
        Ok(Flow::Next)
    }

    /// The record field OP_Column reads for `column` of `cursor` (the
    /// column itself unless the cursor is marked); no allocation.
    pub(crate) fn wr_field(&self, cursor: CursorId, column: usize) -> usize {
        match self.cursors.get(cursor).and_then(|c| c.as_ref()) {
            Some(c) => c.wr.as_deref().map_or(column, |l| l.field_of(column)),
            None => column,
        }
    }

    /// The layout of `cursor` when it is marked.
    pub(crate) fn wr_layout(&self, cursor: CursorId) -> Option<Arc<WrLayout>> {
        self.cursors.get(cursor)?.as_ref()?.wr.clone()
    }

    /// Rowid / IdxRowid on a marked cursor: the key blob (NULL on a NULL row).
    pub(crate) fn wr_rowid(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        layout: &WrLayout,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let c = self.cursor_mut(cursor)?;
        let n = c.n_fields(env.dbs)?;
        let m = if n == 0 || c.null_row {
            Mem::Null
        } else {
            let mut vals: Vec<Value> = Vec::with_capacity(layout.pk.len());
            for &f in &layout.pk {
                vals.push(c.column(env.dbs, f)?.map_or(Value::Null, |v| v.to_owned()));
            }
            let refs: Vec<ValueRef> = vals.iter().map(Value::as_ref).collect();
            let mut out = Vec::new();
            encode_record(&refs, &mut out);
            Mem::Blob(out)
        };
        self.set_reg(dest, m)?;
        Ok(Flow::Next)
    }

    /// SeekRowid / NotExists on a marked cursor: the register holds a key blob.
    pub(crate) fn wr_seek(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        rowid: Reg,
        not_found: Addr,
    ) -> Result<Flow, VdbeError> {
        if !matches!(self.reg(rowid)?, Mem::Blob(_)) {
            return Ok(Flow::Jump(not_found));
        }
        self.op_found(env, cursor, rowid, 0, not_found, FoundKind::NotFound)
    }

    /// Insert on a marked cursor (invariants 2 and 3).
    pub(crate) fn wr_insert(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        layout: &WrLayout,
        record: Reg,
        flags: &InsertFlags,
    ) -> Result<Flow, VdbeError> {
        let rec = match self.reg(record)? {
            Mem::Blob(b) | Mem::Text(b) => b.clone(),
            other => return Err(internal(format!("Insert of a non-record {other:?}"))),
        };
        let header = RecordHeader::parse(&rec)?;
        let mut key: Vec<Value> = Vec::with_capacity(layout.pk.len());
        for i in 0..layout.pk.len().min(header.len()) {
            key.push(header.column(&rec, i)?.to_owned());
        }
        if self.key_exists(env, cursor, &key)? {
            self.cursor_mut(cursor)?.delete(env.dbs)?;
        }
        self.cursor_mut(cursor)?.insert_key(env.dbs, &rec)?;
        if flags.count_change {
            self.n_change += 1;
        }
        Ok(Flow::Next)
    }

    /// Delete on a marked cursor.
    pub(crate) fn wr_delete(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        count_change: bool,
    ) -> Result<Flow, VdbeError> {
        self.cursor_mut(cursor)?.delete(env.dbs)?;
        if count_change {
            self.n_change += 1;
        }
        Ok(Flow::Next)
    }
}
