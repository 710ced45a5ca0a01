//! AUTOINCREMENT: the `sqlite_sequence` table.
//!
//! SQLite counterpart: `sqlite3AutoincrementBegin`/`End`, `autoIncBegin`
//! and `autoIncStep` in insert.c.
//!
//! Invariants:
//! 1. An INSERT into an AUTOINCREMENT table reads the table's sequence
//!    value before its first row, never hands out a rowid at or below it,
//!    and writes the largest rowid used back to `sqlite_sequence` at the end.
//! 2. `sqlite_sequence` is created with the first AUTOINCREMENT table, by
//!    the same CREATE TABLE statement, as `CREATE TABLE sqlite_sequence(name,seq)`.

use std::sync::Arc;

use super::Gen;
use crate::btree::TreeKind;
use crate::sql::schema::Table;
use crate::vdbe::{CmpFlags, CmpOp, InsertFlags, Insn, Reg, RootPage};

/// The definition SQLite stores for the sequence table.
pub(crate) const SEQUENCE_SQL: &str = "CREATE TABLE sqlite_sequence(name,seq)";

fn plain_flags() -> CmpFlags {
    CmpFlags {
        affinity: crate::record::Affinity::Blob,
        jump_if_null: true,
        null_eq: false,
        store: None,
        collation: None,
    }
}

impl Gen<'_> {
    /// Creates `sqlite_sequence` if this CREATE TABLE is the first to need it.
    pub(crate) fn ensure_sequence_table(&mut self) {
        if self.main_schema().table("sqlite_sequence").is_some() {
            return;
        }
        let root = self.b.alloc_reg();
        self.b.emit(Insn::CreateBtree {
            db: 0,
            dest: root,
            kind: TreeKind::Table,
        });
        self.insert_schema_row(
            "table",
            "sqlite_sequence",
            "sqlite_sequence",
            root,
            Some(SEQUENCE_SQL),
        );
    }

    /// Reads the sequence of `t`: returns (value register, row-id register;
    /// the latter NULL when the table has no row yet).
    pub(crate) fn load_sequence(&mut self, t: &Table) -> Result<(Reg, Reg), String> {
        let seq_table = self.table("sqlite_sequence")?;
        let (seq, at) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::Integer {
            value: 0,
            dest: seq,
        });
        self.b.emit(Insn::Null { dest: at, count: 1 });
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: 0,
            root: RootPage::Page(seq_table.root),
            n_cols: 2,
            key_info: None,
        });
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let next = self.b.new_label();
        let (name, want) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::Column {
            cursor,
            column: 0,
            dest: name,
            default: None,
        });
        self.b.emit(Insn::String8 {
            value: Arc::from(t.name.as_bytes()),
            dest: want,
        });
        self.b.emit(Insn::Compare {
            op: CmpOp::Ne,
            lhs: name,
            rhs: want,
            target: next.addr(),
            flags: plain_flags(),
        });
        self.b.emit(Insn::Column {
            cursor,
            column: 1,
            dest: seq,
            default: None,
        });
        self.b.emit(Insn::Rowid { cursor, dest: at });
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.b.resolve(done);
        self.b.emit(Insn::Close { cursor });
        Ok((seq, at))
    }

    /// seq = max(seq, rowid) for an explicitly given rowid.
    pub(crate) fn raise_sequence(&mut self, seq: Reg, rowid: Reg) {
        let skip = self.b.new_label();
        self.b.emit(Insn::Compare {
            op: CmpOp::Le,
            lhs: rowid,
            rhs: seq,
            target: skip.addr(),
            flags: plain_flags(),
        });
        self.b.emit(Insn::SCopy {
            src: rowid,
            dest: seq,
        });
        self.b.resolve(skip);
    }

    /// Writes the sequence of `t` back to `sqlite_sequence`.
    pub(crate) fn save_sequence(&mut self, t: &Table, seq: Reg, at: Reg) -> Result<(), String> {
        let seq_table = self.table("sqlite_sequence")?;
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Page(seq_table.root),
            n_cols: 2,
            key_info: None,
        });
        let have = self.b.new_label();
        self.b.emit(Insn::NotNull {
            reg: at,
            target: have.addr(),
        });
        self.b.emit(Insn::NewRowid {
            cursor,
            dest: at,
            autoinc_reg: None,
        });
        self.b.resolve(have);
        let row = self.b.alloc_regs(2);
        self.b.emit(Insn::String8 {
            value: Arc::from(t.name.as_bytes()),
            dest: row,
        });
        self.b.emit(Insn::SCopy {
            src: seq,
            dest: row + 1,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: row,
            count: 2,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid: at,
            flags: InsertFlags::default(),
        });
        Ok(())
    }
}
