//! Opcodes that open, move and read cursors, including the sorter.
//!
//! SQLite counterpart: OP_OpenRead/OpenWrite/OpenEphemeral/OpenPseudo,
//! OP_Close, OP_Rewind, OP_Last, OP_Next, OP_Prev, OP_Column, OP_Rowid,
//! OP_NullRow, OP_SeekRowid, OP_NotExists, OP_SeekGE…LT, OP_IdxGE…LT,
//! OP_IdxRowid, OP_Found, OP_NotFound, OP_NoConflict, OP_Count and the
//! OP_Sorter* opcodes in vdbe.c.
//!
//! Invariants:
//! 1. Column reads decode one column from the cursor's row cache; a
//!    record shorter than the column yields the instruction's default.
//! 2. Seek keys are the registers `key..key+n_keys` (or, when `n_keys` is
//!    0, the record held in `key`).
//! 3. A seek on a table cursor (no KeyInfo) seeks by rowid: the key is
//!    converted to an integer, rounding in the direction of the seek.

use std::cmp::Ordering;
use std::sync::Arc;

use super::cursor::{CursorKind, VdbeCursor};
use super::env::VdbeEnv;
use super::ephemeral::{EphemeralTable, SeekMode};
use super::error::{internal, VdbeError};
use super::insn::{Addr, CursorId, Reg, RootPage};
use super::mem::Mem;
use super::sorter::Sorter;
use super::vm::{Flow, Vdbe};
use crate::record::{apply_affinity, Affinity, KeyInfo, RecordHeader, Value, ValueRef};

/// The largest LIMIT+OFFSET kept by the top-n sorter.
const TOP_N_MAX: usize = 100_000;

/// The three "is the key there" opcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundKind {
    Found,
    NotFound,
    NoConflict,
}

/// Decodes every column of a record held in a register.
fn record_values(m: &Mem) -> Result<Vec<Value>, VdbeError> {
    match m {
        Mem::Blob(b) | Mem::Text(b) => Ok(RecordHeader::parse(b)?.values(b)?),
        _ => Ok(Vec::new()),
    }
}

fn jump_if(cond: bool, target: Addr) -> Flow {
    if cond {
        Flow::Jump(target)
    } else {
        Flow::Next
    }
}

/// A column value for a register: text converted from the database
/// encoding to UTF-8.
fn decoded(v: ValueRef, enc: crate::record::TextEncoding) -> Mem {
    match v {
        ValueRef::Text(t) if !enc.is_utf8() => Mem::Text(crate::record::decode_text(t, enc)),
        other => Mem::from(other),
    }
}

impl Vdbe {
    /// A cursor's KeyInfo for keys stored in this database's encoding.
    fn key_info_in_enc(&self, ki: &Option<Arc<KeyInfo>>) -> Option<Arc<KeyInfo>> {
        match ki {
            Some(k) if !self.enc.is_utf8() => Some(Arc::new(k.for_encoding(self.enc))),
            other => other.clone(),
        }
    }

    /// The seek key: registers `key..key+n` or the record in `key`.
    fn key_values(&self, key: Reg, n_keys: usize) -> Result<Vec<Value>, VdbeError> {
        if n_keys == 0 {
            return record_values(self.reg(key)?);
        }
        if !self.enc.is_utf8() {
            // Stored keys hold text in the database encoding.
            return Ok(self
                .reg_range(key, n_keys)?
                .iter()
                .map(|m| crate::record::value_to_encoding(&m.as_value_ref(), self.enc))
                .collect());
        }
        Ok(self
            .reg_range(key, n_keys)?
            .iter()
            .map(Mem::to_value)
            .collect())
    }

    /// Runs `f` on cursor `cursor` and the seek key held in registers
    /// `key..key+n_keys` (borrowed, not copied); `n_keys == 0` means the
    /// record in `key`, which is decoded.
    fn with_key<R>(
        &mut self,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        f: impl FnOnce(&mut VdbeCursor, &[ValueRef]) -> Result<R, VdbeError>,
    ) -> Result<R, VdbeError> {
        if n_keys == 0 || !self.enc.is_utf8() {
            // A record key, or text to convert into the database encoding.
            let vals = self.key_values(key, n_keys)?;
            let refs: Vec<ValueRef> = vals.iter().map(Value::as_ref).collect();
            return f(self.cursor_mut(cursor)?, &refs);
        }
        let regs = self
            .regs
            .get(key..key.saturating_add(n_keys))
            .ok_or_else(|| internal(format!("registers {key}..+{n_keys} out of range")))?;
        let c = self
            .cursors
            .get_mut(cursor)
            .and_then(|c| c.as_mut())
            .ok_or_else(|| internal(format!("cursor {cursor} is not open")))?;
        let mut small = [ValueRef::Null; 8];
        if n_keys <= small.len() {
            for (slot, m) in small.iter_mut().zip(regs) {
                *slot = m.as_value_ref();
            }
            return f(c, small.get(..n_keys).unwrap_or(&[]));
        }
        let refs: Vec<ValueRef> = regs.iter().map(Mem::as_value_ref).collect();
        f(c, &refs)
    }

    pub(crate) fn op_open(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        db: usize,
        root: RootPage,
        key_info: &Option<Arc<KeyInfo>>,
        writable: bool,
    ) -> Result<Flow, VdbeError> {
        let root = match root {
            RootPage::Page(p) => p,
            RootPage::Reg(r) => u32::try_from(self.reg(r)?.int_value())
                .map_err(|_| internal("root page register out of range"))?,
        };
        let key_info = self.key_info_in_enc(key_info);
        if let Some(Some(c)) = self.cursors.get_mut(cursor) {
            if c.reopen_same(db, root, &key_info, writable) {
                return Ok(Flow::Next);
            }
        }
        let c = match self.unpark_cursor(env.dbs, cursor, db, root, &key_info, writable)? {
            Some(c) => c,
            None => VdbeCursor::open_btree(env.dbs, db, root, key_info, writable)?,
        };
        self.set_cursor(cursor, c)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_open_ephemeral(
        &mut self,
        cursor: CursorId,
        key_info: &Option<Arc<KeyInfo>>,
    ) -> Result<Flow, VdbeError> {
        let key_info = self.key_info_in_enc(key_info);
        let t = EphemeralTable::new(key_info.clone());
        self.set_cursor(
            cursor,
            VdbeCursor::with_kind(CursorKind::Ephemeral(t), key_info),
        )?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_open_pseudo(&mut self, cursor: CursorId, reg: Reg) -> Result<Flow, VdbeError> {
        let mut c = VdbeCursor::with_kind(CursorKind::Pseudo { reg }, None);
        c.valid = true;
        self.set_cursor(cursor, c)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_close(&mut self, cursor: CursorId) -> Result<Flow, VdbeError> {
        if let Some(slot) = self.cursors.get_mut(cursor) {
            *slot = None;
        }
        Ok(Flow::Next)
    }

    /// OP_Rewind (`first`) / OP_Last.
    pub(crate) fn op_rewind(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        if_empty: Addr,
        first: bool,
    ) -> Result<Flow, VdbeError> {
        let c = self.cursor_mut(cursor)?;
        let ok = if first {
            c.first(env.dbs)?
        } else {
            c.last(env.dbs)?
        };
        Ok(jump_if(!ok, if_empty))
    }

    /// OP_Next (`forward`) / OP_Prev.
    pub(crate) fn op_next(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        target: Addr,
        forward: bool,
    ) -> Result<Flow, VdbeError> {
        self.check_interrupt(env)?;
        let ok = self.cursor_mut(cursor)?.advance(env.dbs, forward)?;
        Ok(jump_if(ok, target))
    }

    pub(crate) fn op_column(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        column: usize,
        dest: Reg,
        default: Option<&Value>,
    ) -> Result<Flow, VdbeError> {
        self.forget_subtype(dest);
        let column = self.wr_field(cursor, column);
        let enc = self.enc;
        let utf8 = enc.is_utf8();
        let c = self
            .cursors
            .get_mut(cursor)
            .and_then(|c| c.as_mut())
            .ok_or_else(|| internal("Column on a closed cursor"))?;
        let m = if let CursorKind::Pseudo { reg } = c.kind {
            if c.null_row {
                Mem::Null
            } else {
                let rec = self
                    .regs
                    .get(reg)
                    .ok_or_else(|| internal("pseudo register out of range"))?;
                match rec {
                    Mem::Blob(b) | Mem::Text(b) => match c.record_column(b, column)? {
                        Some(_) if reg != dest && utf8 => {
                            // Decode straight into the destination register,
                            // reusing its buffer.
                            let (from, to) = if reg < dest {
                                let (lo, hi) = self.regs.split_at_mut(dest);
                                (lo.get(reg), hi.first_mut())
                            } else {
                                let (lo, hi) = self.regs.split_at_mut(reg);
                                (hi.first(), lo.get_mut(dest))
                            };
                            let (Some(Mem::Blob(b) | Mem::Text(b)), Some(to)) = (from, to) else {
                                return Err(internal("Column register out of range"));
                            };
                            to.set_from_ref(c.cached_header().column(b, column)?);
                            return Ok(Flow::Next);
                        }
                        Some(v) => decoded(v, enc),
                        None => default.map_or(Mem::Null, |v| Mem::from(v.clone())),
                    },
                    _ => Mem::Null,
                }
            }
        } else {
            match c.column(env.dbs, column)? {
                Some(ValueRef::Text(t)) if !self.enc.is_utf8() => {
                    Mem::Text(crate::record::decode_text(t, self.enc))
                }
                Some(v) => {
                    let slot = self
                        .regs
                        .get_mut(dest)
                        .ok_or_else(|| internal("register out of range"))?;
                    slot.set_from_ref(v);
                    return Ok(Flow::Next);
                }
                None => default.map_or(Mem::Null, |v| Mem::from(v.clone())),
            }
        };
        self.set_reg(dest, m)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_rowid(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        if let Some(l) = self.wr_layout(cursor) {
            return self.wr_rowid(env, cursor, &l, dest);
        }
        let r = self.cursor_mut(cursor)?.rowid(env.dbs)?;
        self.set_reg(dest, r.map_or(Mem::Null, Mem::Int))?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_null_row(&mut self, cursor: CursorId) -> Result<Flow, VdbeError> {
        let c = self.cursor_mut(cursor)?;
        c.null_row = true;
        c.invalidate();
        Ok(Flow::Next)
    }

    /// OP_SeekRowid (`convert`: the key may need integer conversion) /
    /// OP_NotExists.
    pub(crate) fn op_seek_rowid(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        rowid: Reg,
        not_found: Addr,
        convert: bool,
    ) -> Result<Flow, VdbeError> {
        if self.wr_layout(cursor).is_some() {
            return self.wr_seek(env, cursor, rowid, not_found);
        }
        let id = match self.reg(rowid)? {
            Mem::Int(i) => *i,
            other if convert => match apply_affinity(other.to_value(), Affinity::Numeric) {
                Value::Integer(i) => i,
                _ => return Ok(Flow::Jump(not_found)),
            },
            other => other.int_value(),
        };
        let found = self.cursor_mut(cursor)?.seek_rowid(env.dbs, id)?;
        Ok(jump_if(!found, not_found))
    }

    pub(crate) fn op_seek(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        not_found: Addr,
        mode: SeekMode,
    ) -> Result<Flow, VdbeError> {
        if !self.cursor_mut(cursor)?.is_index() {
            return self.seek_table(env, cursor, key, not_found, mode);
        }
        let dbs = &mut *env.dbs;
        let ok = self.with_key(cursor, key, n_keys, |c, refs| c.seek_key(dbs, refs, mode))?;
        Ok(jump_if(!ok, not_found))
    }

    /// SeekGE/GT/LE/LT on a rowid table.
    fn seek_table(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
        not_found: Addr,
        mode: SeekMode,
    ) -> Result<Flow, VdbeError> {
        let (target, mode) = match apply_affinity(self.reg(key)?.to_value(), Affinity::Numeric) {
            Value::Integer(i) => (i, mode),
            Value::Real(r) if !r.is_nan() => {
                let rounded = match mode {
                    SeekMode::Ge | SeekMode::Lt => r.ceil(),
                    SeekMode::Gt | SeekMode::Le => r.floor(),
                };
                // Past the i64 range: every rowid lies on one side of it.
                let above_all = rounded >= 9.223_372_036_854_776e18;
                let below_all = rounded < -9.223_372_036_854_776e18;
                let upward = matches!(mode, SeekMode::Ge | SeekMode::Gt);
                match (above_all, below_all, upward) {
                    (true, _, true) | (_, true, false) => return Ok(Flow::Jump(not_found)),
                    (true, _, false) => (i64::MAX, SeekMode::Le),
                    (_, true, true) => (i64::MIN, SeekMode::Ge),
                    _ => (rounded as i64, mode),
                }
            }
            // Text and blobs sort after every number; NULL matches nothing.
            Value::Text(_) | Value::Blob(_) if matches!(mode, SeekMode::Le | SeekMode::Lt) => {
                (i64::MAX, SeekMode::Le)
            }
            _ => return Ok(Flow::Jump(not_found)),
        };
        let c = self.cursor_mut(cursor)?;
        let found = c.seek_rowid(env.dbs, target)?;
        let ok = if found {
            match mode {
                SeekMode::Ge | SeekMode::Le => true,
                SeekMode::Gt => c.advance(env.dbs, true)?,
                SeekMode::Lt => c.advance(env.dbs, false)?,
            }
        } else {
            self.settle_after_miss(env, cursor, target, mode)?
        };
        Ok(jump_if(!ok, not_found))
    }

    /// After a rowid seek missed `target`, moves to the nearest row on the
    /// side the seek wants.
    fn settle_after_miss(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        target: i64,
        mode: SeekMode,
    ) -> Result<bool, VdbeError> {
        let c = self.cursor_mut(cursor)?;
        let want_larger = matches!(mode, SeekMode::Ge | SeekMode::Gt);
        let here = if c.valid { c.rowid(env.dbs)? } else { None };
        match here {
            None if want_larger => Ok(false),
            None => c.last(env.dbs),
            Some(r) if (r > target) == want_larger => Ok(true),
            Some(_) => c.advance(env.dbs, want_larger),
        }
    }

    pub(crate) fn op_idx_cmp(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
        pred: fn(Ordering) -> bool,
    ) -> Result<Flow, VdbeError> {
        let dbs = &mut *env.dbs;
        let ord = self.with_key(cursor, key, n_keys, |c, refs| c.compare_key(dbs, refs))?;
        Ok(jump_if(pred(ord), target))
    }

    pub(crate) fn op_idx_rowid(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        if let Some(l) = self.wr_layout(cursor) {
            return self.wr_rowid(env, cursor, &l, dest);
        }
        let c = self.cursor_mut(cursor)?;
        let n = c.n_fields(env.dbs)?;
        let m = match n.checked_sub(1) {
            Some(last) => match c.column(env.dbs, last)? {
                Some(ValueRef::Integer(i)) => Mem::Int(i),
                // A WITHOUT ROWID key blob (automatic indexes on such tables).
                Some(ValueRef::Blob(b)) => Mem::Blob(b.to_vec()),
                _ => Mem::Null,
            },
            None => Mem::Null,
        };
        self.set_reg(dest, m)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_found(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
        kind: FoundKind,
    ) -> Result<Flow, VdbeError> {
        let vals = self.key_values(key, n_keys)?;
        if kind == FoundKind::NoConflict && vals.iter().any(|v| matches!(v, Value::Null)) {
            return Ok(Flow::Jump(target));
        }
        let found = self.key_exists(env, cursor, &vals)?;
        Ok(jump_if(found == (kind == FoundKind::Found), target))
    }

    /// Seeks an index cursor to `vals`; true when an entry with that key
    /// prefix exists (the cursor is then on it).
    pub(crate) fn key_exists(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        vals: &[Value],
    ) -> Result<bool, VdbeError> {
        let refs: Vec<ValueRef> = vals.iter().map(Value::as_ref).collect();
        let c = self.cursor_mut(cursor)?;
        if !c.seek_key(env.dbs, &refs, SeekMode::Ge)? {
            return Ok(false);
        }
        Ok(c.compare_key(env.dbs, &refs)? == Ordering::Equal)
    }

    pub(crate) fn op_count(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let n = self.cursor_mut(cursor)?.count(env.dbs)?;
        self.set_reg(dest, Mem::Int(n))?;
        Ok(Flow::Next)
    }

    // ---- sorter ----

    fn sorter_mut(&mut self, cursor: CursorId) -> Result<&mut Sorter, VdbeError> {
        match &mut self.cursor_mut(cursor)?.kind {
            CursorKind::Sorter(s) => Ok(s),
            _ => Err(internal(format!("cursor {cursor} is not a sorter"))),
        }
    }

    pub(crate) fn op_sorter_open(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        key_info: &Arc<KeyInfo>,
    ) -> Result<Flow, VdbeError> {
        let key_info = match self.key_info_in_enc(&Some(Arc::clone(key_info))) {
            Some(k) => k,
            None => Arc::clone(key_info),
        };
        let budget = Sorter::budget_for(env.conn.cache_size, 4096);
        let s = Sorter::with_budget(Arc::clone(&key_info), budget, None);
        self.set_cursor(
            cursor,
            VdbeCursor::with_kind(CursorKind::Sorter(s), Some(key_info)),
        )?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_sorter_insert(
        &mut self,
        cursor: CursorId,
        record: Reg,
    ) -> Result<Flow, VdbeError> {
        // The record is borrowed out of its register for the call (no copy)
        // and put back afterwards.
        let m = std::mem::take(self.reg_mut(record)?);
        let res = match &m {
            Mem::Blob(b) | Mem::Text(b) => self.sorter_mut(cursor).and_then(|s| s.insert(b)),
            other => Err(internal(format!("SorterInsert of a non-record {other:?}"))),
        };
        *self.reg_mut(record)? = m;
        res?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_sorter_limit(
        &mut self,
        cursor: CursorId,
        limit: Reg,
        offset: Option<Reg>,
    ) -> Result<Flow, VdbeError> {
        let int = |m: &Mem| match m {
            Mem::Int(i) => Some(*i),
            _ => None,
        };
        let limit = int(self.reg(limit)?);
        let offset = match offset {
            Some(r) => int(self.reg(r)?),
            None => Some(0),
        };
        let keep = match (limit, offset) {
            (Some(l), Some(o)) if l >= 0 => usize::try_from(l.saturating_add(o.max(0))).ok(),
            _ => None,
        };
        // Past this many rows the kept set would not save memory.
        let keep = keep.filter(|&n| n <= TOP_N_MAX);
        self.sorter_mut(cursor)?.set_limit(keep);
        Ok(Flow::Next)
    }

    pub(crate) fn op_sorter_sort(
        &mut self,
        cursor: CursorId,
        if_empty: Addr,
    ) -> Result<Flow, VdbeError> {
        let nonempty = self.sorter_mut(cursor)?.sort()?;
        Ok(jump_if(!nonempty, if_empty))
    }

    pub(crate) fn op_sorter_data(
        &mut self,
        cursor: CursorId,
        dest: Reg,
        pseudo: CursorId,
    ) -> Result<Flow, VdbeError> {
        // The destination's previous record buffer is reused.
        let mut buf = match self.regs.get_mut(dest).map(std::mem::take) {
            Some(Mem::Blob(b)) => b,
            _ => Vec::new(),
        };
        let m = match self.sorter_mut(cursor)?.data() {
            Some(d) => {
                buf.clear();
                buf.extend_from_slice(d);
                Mem::Blob(buf)
            }
            None => Mem::Null,
        };
        self.set_reg(dest, m)?;
        if let Some(Some(p)) = self.cursors.get_mut(pseudo) {
            p.null_row = false;
            p.invalidate();
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_sorter_next(
        &mut self,
        env: &mut VdbeEnv,
        cursor: CursorId,
        target: Addr,
    ) -> Result<Flow, VdbeError> {
        self.check_interrupt(env)?;
        let more = self.sorter_mut(cursor)?.advance()?;
        Ok(jump_if(more, target))
    }
}
