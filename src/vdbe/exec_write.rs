//! Opcodes that build records and write tables and indexes.
//!
//! SQLite counterpart: OP_MakeRecord, OP_NewRowid, OP_Insert, OP_Delete,
//! OP_IdxInsert, OP_IdxDelete in vdbe.c.
//!
//! Invariants:
//! 1. MakeRecord applies the column affinities to the registers themselves
//!    before encoding, as SQLite does. A REAL-affinity value that is a
//!    whole number is stored as an INTEGER (SQLite's `MEM_IntReal`), so
//!    the bytes match what SQLite writes; readers apply RealAffinity.
//! 2. NewRowid returns max(rowid)+1; once the largest rowid is i64::MAX it
//!    tries random rowids and fails with SQLITE_FULL after
//!    [`RANDOM_ROWID_TRIES`] collisions. With AUTOINCREMENT (`autoinc_reg`)
//!    it never goes below the remembered maximum and never wraps.
//! 3. Insert counts a change and sets last_insert_rowid only when its flags
//!    say so.
//! 4. MakeRecord writes into a reused buffer: the destination's own, else
//!    one kept from the statement's previous run (at most
//!    [`SPARE_RECORDS`] buffers of up to [`SPARE_RECORD_CAP`] bytes), so a
//!    statement run once per row does not allocate its records.

use super::cursor::{CursorKind, VdbeCursor};
use super::env::{SchemaLogEntry, UpdateFn, UpdateKind, VdbeEnv};
use super::error::{internal, VdbeError};
use super::exec_func::random_i64;
use super::exec_value::check_length;
use super::insn::{CursorId, InsertFlags, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::record::{apply_affinity, encode_record, Affinity, Value, ValueRef};

/// Random rowids tried before NewRowid gives up with SQLITE_FULL.
pub const RANDOM_ROWID_TRIES: usize = 100;

/// Most record buffers a statement keeps between runs, and the largest
/// capacity kept (invariant 4).
const SPARE_RECORDS: usize = 16;
const SPARE_RECORD_CAP: usize = 4096;

/// Keeps a record buffer of a finished run for the next run's MakeRecord
/// (called when the VM clears its registers); small buffers only.
pub(crate) fn keep_record_buffer(spare: &mut Vec<Vec<u8>>, b: Vec<u8>) {
    if spare.len() < SPARE_RECORDS && b.capacity() > 0 && b.capacity() <= SPARE_RECORD_CAP {
        spare.push(b);
    }
}

/// Applies a MakeRecord affinity to one value (invariant 1).
fn record_affinity(v: Value, aff: Affinity) -> Value {
    match aff {
        Affinity::Real => match apply_affinity(v, Affinity::Numeric) {
            Value::Real(r) => match real_as_int(r) {
                Some(i) => Value::Integer(i),
                None => Value::Real(r),
            },
            other => other,
        },
        _ => apply_affinity(v, aff),
    }
}

/// A REAL that is a whole number well inside the i64 range.
fn real_as_int(r: f64) -> Option<i64> {
    const LIM: f64 = 140_737_488_355_328.0; // 2^47, SQLite's IntReal bound
    (r.fract() == 0.0 && r.abs() < LIM).then_some(r as i64)
}

impl Vdbe {
    pub(crate) fn op_make_record(
        &mut self,
        start: Reg,
        count: usize,
        dest: Reg,
        affinities: Option<&[Affinity]>,
    ) -> Result<Flow, VdbeError> {
        self.reg_range(start, count)?;
        if let Some(affs) = affinities {
            for (i, aff) in affs.iter().take(count).enumerate() {
                let m = self.reg_mut(start + i)?;
                let v = record_affinity(std::mem::take(m).into_value(), *aff);
                *m = Mem::from(v);
            }
        }
        // The destination's old record buffer is reused when it has one.
        let overlaps = dest >= start && dest < start.saturating_add(count);
        let mut out = match self.regs.get_mut(dest) {
            Some(m @ Mem::Blob(_)) if !overlaps => match std::mem::take(m) {
                Mem::Blob(b) => b,
                _ => Vec::new(),
            },
            _ => self.spare_records.pop().unwrap_or_default(),
        };
        out.clear();
        let enc = self.enc;
        let regs = self.reg_range(start, count)?;
        let mut small = [ValueRef::Null; 16];
        if !enc.is_utf8() {
            // Text is stored in the database's encoding.
            let owned: Vec<Value> = regs
                .iter()
                .map(|m| crate::record::value_to_encoding(&m.as_value_ref(), enc))
                .collect();
            let refs: Vec<ValueRef> = owned.iter().map(Value::as_ref).collect();
            encode_record(&refs, &mut out);
        } else if count <= small.len() {
            for (slot, m) in small.iter_mut().zip(regs) {
                *slot = m.as_value_ref();
            }
            encode_record(small.get(..count).unwrap_or(&[]), &mut out);
        } else {
            let vals: Vec<ValueRef> = regs.iter().map(Mem::as_value_ref).collect();
            encode_record(&vals, &mut out);
        }
        let rec = Mem::Blob(out);
        check_length(&rec)?;
        self.set_reg(dest, rec)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_new_rowid(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        dest: Reg,
        autoinc_reg: Option<Reg>,
    ) -> Result<Flow, VdbeError> {
        let max = self.cursor_mut(cursor)?.max_rowid(env.dbs)?;
        let mut next = max.map_or(Some(1), |m| m.checked_add(1));
        if let Some(a) = autoinc_reg {
            let floor = self.reg(a)?.int_value();
            let (Some(n), Some(above)) = (next, floor.checked_add(1)) else {
                return Err(VdbeError::Full);
            };
            let id = n.max(above);
            self.set_reg(a, Mem::Int(id))?;
            next = Some(id);
        }
        let id = match next {
            Some(id) => id,
            None => self.random_free_rowid(env, cursor)?,
        };
        self.set_reg(dest, Mem::Int(id))?;
        Ok(Flow::Next)
    }

    fn random_free_rowid(&mut self, env: &mut VdbeEnv, cursor: CursorId) -> Result<i64, VdbeError> {
        let c = self.cursor_mut(cursor)?;
        for _ in 0..RANDOM_ROWID_TRIES {
            let candidate = (random_i64() & i64::MAX).max(1);
            if !c.seek_rowid(env.dbs, candidate)? {
                return Ok(candidate);
            }
        }
        Err(VdbeError::Full)
    }

    pub(crate) fn op_insert(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        record: Reg,
        rowid: Reg,
        flags: &InsertFlags,
    ) -> Result<Flow, VdbeError> {
        if let Some(l) = self.wr_layout(cursor) {
            return self.wr_insert(env, cursor, &l, record, flags);
        }
        let id = match self.reg(rowid)? {
            Mem::Int(i) => *i,
            other => return Err(internal(format!("Insert with non-integer rowid {other:?}"))),
        };
        let rec = self
            .regs
            .get(record)
            .ok_or_else(|| internal("Insert record register"))?;
        let c = self
            .cursors
            .get_mut(cursor)
            .and_then(|c| c.as_mut())
            .ok_or_else(|| internal("Insert on a closed cursor"))?;
        let bytes: &[u8] = match rec {
            Mem::Blob(b) | Mem::Text(b) => b,
            Mem::Null => &[],
            other => return Err(internal(format!("Insert of a non-record {other:?}"))),
        };
        c.insert_row(env.dbs, id, bytes)?;
        if let CursorKind::Btree { db, root: 1, .. } = c.kind {
            env.conn.schema_log.edits.push(SchemaLogEntry::Put {
                db,
                rowid: id,
                record: bytes.to_vec(),
            });
        }
        if flags.count_change {
            self.n_change += 1;
        }
        if flags.set_last_rowid {
            env.conn.last_insert_rowid = id;
        }
        if let (Some(hook), Some(table)) = (env.conn.hooks.update.clone(), &flags.table) {
            let kind = if flags.is_update {
                UpdateKind::Update
            } else {
                UpdateKind::Insert
            };
            if let Some(db) = cursor_db(c) {
                call_update_hook(env, &hook, kind, db, table, id);
            }
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_delete(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        count_change: bool,
        table: Option<&str>,
    ) -> Result<Flow, VdbeError> {
        if self.wr_layout(cursor).is_some() {
            return self.wr_delete(env, cursor, count_change);
        }
        let hook = env.conn.hooks.update.clone().zip(table);
        let c = self.cursor_mut(cursor)?;
        let rowid = match hook {
            Some(_) => c.rowid(env.dbs)?,
            None => None,
        };
        let db = cursor_db(c);
        if let CursorKind::Btree { db, root: 1, .. } = c.kind {
            match c.rowid(env.dbs)? {
                Some(rowid) => env
                    .conn
                    .schema_log
                    .edits
                    .push(SchemaLogEntry::Delete { db, rowid }),
                None => env.conn.schema_log.broken = true,
            }
        }
        c.delete(env.dbs)?;
        if count_change {
            self.n_change += 1;
        }
        if let (Some((hook, table)), Some(rowid), Some(db)) = (hook, rowid, db) {
            call_update_hook(env, &hook, UpdateKind::Delete, db, table, rowid);
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_idx_insert(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
    ) -> Result<Flow, VdbeError> {
        let rec = self
            .regs
            .get(key)
            .ok_or_else(|| internal("IdxInsert key register"))?;
        let c = self
            .cursors
            .get_mut(cursor)
            .and_then(|c| c.as_mut())
            .ok_or_else(|| internal("IdxInsert on a closed cursor"))?;
        match rec {
            Mem::Blob(b) | Mem::Text(b) => c.insert_key(env.dbs, b)?,
            other => return Err(internal(format!("IdxInsert of a non-record {other:?}"))),
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_idx_delete(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
    ) -> Result<Flow, VdbeError> {
        let vals: Vec<Value> = self
            .reg_range(key, n_keys)?
            .iter()
            .map(|m| crate::record::value_to_encoding(&m.as_value_ref(), self.enc))
            .collect();
        if self.key_exists(env, cursor, &vals)? {
            self.cursor_mut(cursor)?.delete(env.dbs)?;
        }
        Ok(Flow::Next)
    }
}

/// The database of a b-tree cursor (`None` for ephemeral tables).
fn cursor_db(c: &VdbeCursor) -> Option<usize> {
    match c.kind {
        CursorKind::Btree { db, .. } => Some(db),
        _ => None,
    }
}

/// Reports one row change to the update hook; changes to SQLite's own
/// tables (`sqlite_*`) are not reported, as in SQLite.
fn call_update_hook(
    env: &mut VdbeEnv,
    hook: &UpdateFn,
    kind: UpdateKind,
    db: usize,
    table: &str,
    rowid: i64,
) {
    if table.len() >= 7 && table[..7].eq_ignore_ascii_case("sqlite_") {
        return;
    }
    env.conn.publish();
    hook(kind, db, table, rowid);
}
