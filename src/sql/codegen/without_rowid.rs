//! Code generation for WITHOUT ROWID tables.
//!
//! SQLite counterpart: the `HasRowid(pTab)==0` branches of insert.c,
//! update.c, delete.c and where.c, which address a row by its PRIMARY KEY
//! (`sqlite3PrimaryKeyIndex`) instead of a rowid.
//!
//! The rest of codegen treats such a table as a rowid table whose rowid is
//! a blob: the record of the row's PRIMARY KEY values (the "key blob", see
//! vdbe/exec_wr.rs). This file supplies the pieces that differ:
//!
//! | piece | rowid table | WITHOUT ROWID table |
//! |---|---|---|
//! | table cursor | table b-tree, no KeyInfo | index b-tree, KeyInfo of the key, `WithoutRowid` mark |
//! | row identity | integer rowid | key blob (MakeRecord of the key columns) |
//! | table record | columns in table order | key columns first (schema_wr.rs) |
//! | index entry | key columns + rowid | key columns + key columns not already there |
//!
//! Invariants:
//! 1. Every cursor opened on the table b-tree or on an index of a WITHOUT
//!    ROWID table is marked right after it is opened.
//! 2. The key blob is made from the registers after column affinity, so
//!    it equals the blob the VM builds from the stored record.
//! 3. The PRIMARY KEY "index" is never written separately: writing the row
//!    writes it.

use std::sync::Arc;

use super::Gen;
use crate::record::KeyInfo;
use crate::sql::schema::{Index, Table};
use crate::sql::schema_wr;
use crate::vdbe::{Insn, Reg, WrLayout};

/// Number of fields in an entry of `idx` (its key columns, then the rowid
/// or the missing PRIMARY KEY columns).
pub(crate) fn index_key_len(t: &Table, idx: &Index) -> usize {
    if t.without_rowid {
        idx.columns.len() + schema_wr::index_suffix(t, idx).len()
    } else {
        idx.columns.len() + 1
    }
}

impl Gen<'_> {
    /// The KeyInfo a table cursor is opened with: none for a rowid table,
    /// the PRIMARY KEY's for a WITHOUT ROWID table.
    pub(crate) fn table_key_info(&self, t: &Table) -> Result<Option<Arc<KeyInfo>>, String> {
        match schema_wr::pk_index(t) {
            Some(pk) => Ok(Some(self.index_key_info(pk)?)),
            None => Ok(None),
        }
    }

    /// Marks a cursor just opened on `t`'s table b-tree (invariant 1).
    pub(crate) fn mark_table_cursor(&mut self, t: &Table, cursor: usize) {
        if !t.without_rowid {
            return;
        }
        let layout = WrLayout {
            storage: schema_wr::storage_fields(t),
            pk: (0..schema_wr::pk_columns(t).len()).collect(),
        };
        self.b.emit(Insn::WithoutRowid {
            cursor,
            layout: Arc::new(layout),
        });
    }

    /// Marks a cursor just opened on index `idx` of `t` (invariant 1).
    pub(crate) fn mark_index_cursor(&mut self, t: &Table, idx: &Index, cursor: usize) {
        if !t.without_rowid {
            return;
        }
        let layout = WrLayout {
            storage: Vec::new(),
            pk: schema_wr::index_pk_fields(t, idx),
        };
        self.b.emit(Insn::WithoutRowid {
            cursor,
            layout: Arc::new(layout),
        });
    }

    /// The key blob of the row whose columns are in `regs` into `dest`.
    pub(crate) fn wr_key_blob(&mut self, t: &Table, regs: &[Reg], dest: Reg) {
        let pk = schema_wr::pk_columns(t);
        let start = self.b.alloc_regs(pk.len().max(1));
        for (k, &c) in pk.iter().enumerate() {
            if let Some(&r) = regs.get(c) {
                self.b.emit(Insn::SCopy {
                    src: r,
                    dest: start + k,
                });
            }
        }
        self.b.emit(Insn::MakeRecord {
            start,
            count: pk.len(),
            dest,
            affinities: None,
        });
    }

    /// The table record of the row in `regs..` (table order) into `dest`,
    /// in storage order.
    pub(crate) fn wr_record(&mut self, t: &Table, regs: Reg, dest: Reg) {
        let order = schema_wr::storage_order(t);
        let start = self.b.alloc_regs(order.len().max(1));
        for (k, &c) in order.iter().enumerate() {
            self.b.emit(Insn::SCopy {
                src: regs + c,
                dest: start + k,
            });
        }
        self.b.emit(Insn::MakeRecord {
            start,
            count: order.len(),
            dest,
            affinities: None,
        });
    }

    /// The suffix columns of an index key on `t` (the PRIMARY KEY columns
    /// `idx` lacks) into `start..`.
    pub(crate) fn wr_index_suffix(&mut self, t: &Table, idx: &Index, regs: &[Reg], start: Reg) {
        for (k, ic) in schema_wr::index_suffix(t, idx).iter().enumerate() {
            if let Some(&r) = ic.column.and_then(|c| regs.get(c)) {
                self.b.emit(Insn::SCopy {
                    src: r,
                    dest: start + k,
                });
            }
        }
    }
}

impl Gen<'_> {
    /// True when an UPDATE's SET list assigns a PRIMARY KEY column of a
    /// WITHOUT ROWID table (the row then moves).
    pub(crate) fn wr_pk_assigned(
        &self,
        t: &Table,
        sets: &[(Option<usize>, crate::sql::ast::Expr)],
    ) -> bool {
        let pk = schema_wr::pk_columns(t);
        t.without_rowid && sets.iter().any(|(c, _)| c.is_some_and(|c| pk.contains(&c)))
    }
}

/// The record field of `idx` entries holding table column `c` among the
/// PRIMARY KEY columns stored after the index's own key columns.
pub(crate) fn wr_index_field(t: &Table, idx: &Index, c: usize) -> Option<usize> {
    let suffix = schema_wr::index_suffix(t, idx);
    let at = suffix.iter().position(|ic| ic.column == Some(c))?;
    Some(idx.columns.len() + at)
}

impl Gen<'_> {
    /// [`Gen::mark_index_cursor`] for an index known by itself (its table
    /// is looked up by name).
    pub(crate) fn mark_index_cursor_of(&mut self, idx: &Index, cursor: usize) {
        if let Some(t) = self.main_schema().table(&idx.table) {
            self.mark_index_cursor(&t, idx, cursor);
        }
    }

    /// [`wr_index_field`] for an index known by itself.
    pub(crate) fn wr_index_field_of(&self, idx: &Index, c: usize) -> Option<usize> {
        let t = self.main_schema().table(&idx.table)?;
        wr_index_field(&t, idx, c)
    }
}

impl Gen<'_> {
    /// For the first pass of UPDATE/DELETE on a WITHOUT ROWID table: an
    /// ephemeral index ordered like the PRIMARY KEY, so the second pass
    /// visits the rows in key order whatever loop found them (SQLite
    /// collects the keys the same way). `None` for rowid tables.
    pub(crate) fn wr_keys_open(&mut self, t: &Table) -> Result<Option<usize>, String> {
        let Some(key_info) = self.table_key_info(t)? else {
            return Ok(None);
        };
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: schema_wr::pk_columns(t).len(),
            key_info: Some(key_info),
        });
        let layout = WrLayout {
            storage: Vec::new(),
            pk: (0..schema_wr::pk_columns(t).len()).collect(),
        };
        self.b.emit(Insn::WithoutRowid {
            cursor,
            layout: Arc::new(layout),
        });
        Ok(Some(cursor))
    }

    /// Adds the key blob in `key` to the ephemeral index `keys`.
    pub(crate) fn wr_keys_add(&mut self, keys: usize, key: Reg) -> usize {
        self.b.emit(Insn::IdxInsert { cursor: keys, key })
    }

    /// Moves the keys of `keys`, in key order, into the rowid set `set`.
    pub(crate) fn wr_keys_drain(&mut self, keys: usize, set: Reg) {
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: keys,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: keys,
            dest: r,
        });
        self.b.emit(Insn::RowSetAdd { set, value: r });
        self.b.emit(Insn::Next {
            cursor: keys,
            target: top,
        });
        self.b.resolve(done);
        self.b.emit(Insn::Close { cursor: keys });
    }
}
