//! Opcodes of control flow and plain register moves.
//!
//! SQLite counterpart: OP_Gosub, OP_Return, OP_Once, OP_Halt,
//! OP_HaltIfNull, OP_If, OP_IfNot, OP_IsNull, OP_NotNull, OP_IfPos,
//! OP_DecrJumpZero, OP_MustBeInt, OP_OffsetLimit, OP_Null, OP_Variable,
//! OP_Copy, OP_SCopy, OP_Move, OP_ResultRow, OP_RowSetAdd, OP_RowSetRead
//! in vdbe.c.
//!
//! Invariants:
//! 1. A Gosub return address is an INTEGER register holding the Gosub's
//!    own address; Return resumes at the instruction after it.
//! 2. An error Halt hands its conflict resolution to `fail` through
//!    `pending_on_error`, so the transaction outcome is decided once.

use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::insn::{Addr, OnError, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::rc::ResultCode;
use crate::record::{apply_affinity, Affinity, Value, ValueRef};

impl Vdbe {
    pub(crate) fn op_gosub(&mut self, reg: Reg, target: Addr) -> Result<Flow, VdbeError> {
        self.set_reg_int(reg, self.pc as i64)?;
        Ok(Flow::Jump(target))
    }

    pub(crate) fn op_return(&mut self, reg: Reg) -> Result<Flow, VdbeError> {
        match self.reg(reg)? {
            Mem::Int(a) if *a >= 0 => Ok(Flow::Jump(*a as usize + 1)),
            other => Err(internal(format!(
                "Return through a non-address register: {other:?}"
            ))),
        }
    }

    pub(crate) fn op_once(&mut self, target: Addr) -> Result<Flow, VdbeError> {
        let slot = self
            .once
            .get_mut(self.pc)
            .ok_or_else(|| internal("Once out of range"))?;
        if *slot {
            return Ok(Flow::Jump(target));
        }
        *slot = true;
        Ok(Flow::Next)
    }

    /// A normal halt: end the statement's transaction work.
    pub(crate) fn op_halt_ok(&mut self, env: &mut VdbeEnv) -> Result<Flow, VdbeError> {
        self.finish_ok(env)?;
        Ok(Flow::Halt)
    }

    pub(crate) fn op_halt(
        &mut self,
        env: &mut VdbeEnv,
        rc: ResultCode,
        on_error: OnError,
        msg: Option<&str>,
    ) -> Result<Flow, VdbeError> {
        if rc == ResultCode::OK {
            return self.op_halt_ok(env);
        }
        let msg = msg.map_or_else(|| rc.errstr().to_string(), str::to_string);
        self.pending_on_error = Some(on_error);
        if rc.primary() == ResultCode::CONSTRAINT {
            Err(VdbeError::Constraint { code: rc, msg })
        } else {
            Err(VdbeError::Halt { code: rc, msg })
        }
    }

    pub(crate) fn op_halt_if_null(
        &mut self,
        env: &mut VdbeEnv,
        reg: Reg,
        rc: ResultCode,
        on_error: OnError,
        msg: &str,
    ) -> Result<Flow, VdbeError> {
        if !self.reg(reg)?.is_null() {
            return Ok(Flow::Next);
        }
        let full = if rc == ResultCode::CONSTRAINT_NOTNULL && !msg.starts_with("NOT NULL") {
            format!("NOT NULL constraint failed: {msg}")
        } else {
            msg.to_string()
        };
        self.op_halt(env, rc, on_error, Some(&full))
    }

    /// OP_If (`when_true`) / OP_IfNot.
    pub(crate) fn op_if(
        &mut self,
        reg: Reg,
        target: Addr,
        jump_if_null: bool,
        when_true: bool,
    ) -> Result<Flow, VdbeError> {
        let m = self.reg(reg)?;
        let jump = if m.is_null() {
            jump_if_null
        } else {
            m.truth(false) == when_true
        };
        Ok(if jump { Flow::Jump(target) } else { Flow::Next })
    }

    pub(crate) fn op_is_null(
        &mut self,
        reg: Reg,
        target: Addr,
        when_null: bool,
    ) -> Result<Flow, VdbeError> {
        let jump = self.reg(reg)?.is_null() == when_null;
        Ok(if jump { Flow::Jump(target) } else { Flow::Next })
    }

    pub(crate) fn op_if_pos(
        &mut self,
        reg: Reg,
        target: Addr,
        decrement: i64,
    ) -> Result<Flow, VdbeError> {
        let v = self.reg(reg)?.int_value();
        if v > 0 {
            self.set_reg_int(reg, v.wrapping_sub(decrement))?;
            return Ok(Flow::Jump(target));
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_decr_jump_zero(&mut self, reg: Reg, target: Addr) -> Result<Flow, VdbeError> {
        let v = self.reg(reg)?.int_value().saturating_sub(1);
        self.set_reg_int(reg, v)?;
        Ok(if v == 0 {
            Flow::Jump(target)
        } else {
            Flow::Next
        })
    }

    pub(crate) fn op_must_be_int(
        &mut self,
        reg: Reg,
        target: Option<Addr>,
    ) -> Result<Flow, VdbeError> {
        let m = self.reg_mut(reg)?;
        if !matches!(m, Mem::Int(_)) {
            let v = apply_affinity(std::mem::take(m).into_value(), Affinity::Numeric);
            let is_int = matches!(v, Value::Integer(_));
            *m = Mem::from(v);
            if !is_int {
                return match target {
                    Some(t) => Ok(Flow::Jump(t)),
                    None => Err(VdbeError::Mismatch),
                };
            }
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_offset_limit(
        &mut self,
        limit: Reg,
        dest: Reg,
        offset: Reg,
    ) -> Result<Flow, VdbeError> {
        let l = self.reg(limit)?.int_value();
        let o = self.reg(offset)?.int_value().max(0);
        let v = if l <= 0 {
            -1
        } else {
            l.checked_add(o).unwrap_or(-1)
        };
        self.set_reg_int(dest, v)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_null(&mut self, dest: Reg, count: usize) -> Result<Flow, VdbeError> {
        for r in dest..dest.saturating_add(count.max(1)) {
            self.set_reg(r, Mem::Null)?;
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_variable(&mut self, index: usize, dest: Reg) -> Result<Flow, VdbeError> {
        self.forget_subtype(dest);
        let v = index
            .checked_sub(1)
            .and_then(|i| self.bindings.get(i))
            .and_then(|b| b.as_ref());
        let slot = self
            .regs
            .get_mut(dest)
            .ok_or_else(|| super::error::internal(format!("register {dest} out of range")))?;
        match v {
            Some(v) => {
                let v = v.as_ref();
                if matches!(v, ValueRef::Text(_) | ValueRef::Blob(_)) {
                    reuse_spare(slot, &mut self.spare_records);
                }
                // Bound text is translated to the database encoding.
                let t = match v {
                    ValueRef::Text(t) => crate::record::translated_result(t, self.enc),
                    _ => None,
                };
                match &t {
                    Some(t) => slot.set_from_ref(ValueRef::Text(t)),
                    None => slot.set_from_ref(v),
                }
            }
            None => *slot = Mem::Null,
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_copy(&mut self, src: Reg, dest: Reg, count: usize) -> Result<Flow, VdbeError> {
        for i in 0..count {
            self.copy_reg(src + i, dest + i)?;
        }
        Ok(Flow::Next)
    }

    /// Copies register `src` into `dest`, reusing `dest`'s text/blob
    /// buffer (internal states copy as `Mem::clone` does).
    fn copy_reg(&mut self, src: Reg, dest: Reg) -> Result<(), VdbeError> {
        if src == dest {
            self.reg(src)?;
            return Ok(());
        }
        // SQLite 3.40's register copies keep the subtype.
        self.copy_subtype(src, dest);
        let n = self.regs.len();
        if src >= n || dest >= n {
            return Err(internal("Copy register out of range"));
        }
        let (from, to) = if src < dest {
            let (lo, hi) = self.regs.split_at_mut(dest);
            (&lo[src], &mut hi[0])
        } else {
            let (lo, hi) = self.regs.split_at_mut(src);
            (&hi[0], &mut lo[dest])
        };
        match from {
            Mem::Text(_) | Mem::Blob(_) => {
                reuse_spare(to, &mut self.spare_records);
                to.set_from_ref(from.as_value_ref())
            }
            Mem::Int(i) => to.set_int(*i),
            other => to.assign(other.clone()),
        }
        Ok(())
    }

    pub(crate) fn op_move(&mut self, src: Reg, dest: Reg, count: usize) -> Result<Flow, VdbeError> {
        let order: Vec<usize> = if dest > src {
            (0..count).rev().collect()
        } else {
            (0..count).collect()
        };
        for i in order {
            let st = self.subtype_of(src + i);
            let m = std::mem::take(self.reg_mut(src + i)?);
            self.set_reg(dest + i, m)?;
            self.set_subtype(dest + i, st);
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_result_row(&mut self, start: Reg, count: usize) -> Result<Flow, VdbeError> {
        self.reg_range(start, count)?;
        self.row = Some((start, count));
        Ok(Flow::Row)
    }

    pub(crate) fn op_rowset_add(&mut self, set: Reg, value: Reg) -> Result<Flow, VdbeError> {
        let key = match self.reg(value)? {
            Mem::Blob(b) => Err(b.clone()),
            other => Ok(other.int_value()),
        };
        let m = self.reg_mut(set)?;
        if !matches!(m, Mem::RowSet(_)) {
            *m = Mem::RowSet(Box::default());
        }
        if let Mem::RowSet(s) = m {
            match key {
                Ok(id) => s.insert(id),
                Err(blob) => s.insert_key(blob),
            }
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_rowset_read(
        &mut self,
        set: Reg,
        dest: Reg,
        if_done: Addr,
    ) -> Result<Flow, VdbeError> {
        let next = match self.reg_mut(set)? {
            Mem::RowSet(s) => match s.next_key() {
                Some(k) => Some(Mem::Blob(k)),
                None => s.next_rowid().map(Mem::Int),
            },
            _ => None,
        };
        match next {
            Some(m) => {
                self.set_reg(dest, m)?;
                Ok(Flow::Next)
            }
            None => {
                self.set_reg(set, Mem::Null)?;
                Ok(Flow::Jump(if_done))
            }
        }
    }
}

/// Before text or blob bytes are written into `slot`: a register without a
/// byte buffer takes a spare one kept from an earlier run of the statement
/// (the write then reuses it instead of allocating).
#[inline]
fn reuse_spare(slot: &mut Mem, spare: &mut Vec<Vec<u8>>) {
    if !matches!(slot, Mem::Text(_) | Mem::Blob(_)) {
        if let Some(b) = spare.pop() {
            slot.assign(Mem::Blob(b));
        }
    }
}
