//! Opcodes that compute values: arithmetic, logic, comparison, affinity.
//!
//! SQLite counterpart: OP_Add … OP_Concat, OP_BitAnd … OP_ShiftRight,
//! OP_BitNot, OP_Not, OP_And, OP_Or, OP_Eq … OP_Ge, OP_IsTrue,
//! OP_Affinity, OP_Cast, OP_RealAffinity in vdbe.c. The value semantics
//! live in `arith.rs` and `compare.rs`; these functions move registers.
//!
//! Invariants:
//! 1. Results longer than [`MAX_LENGTH`] bytes raise SQLITE_TOOBIG.
//! 2. Comparison conversions are written back to the operand registers.

use super::arith::{and_or, arith};
use super::compare::{apply_column_affinity, compare_numbers, compare_regs, CmpOutcome};
use super::error::VdbeError;
use super::insn::{Addr, ArithOp, CmpFlags, CmpOp, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::record::{Affinity, TextEncoding};

/// SQLITE_MAX_LENGTH: the largest string or blob.
pub const MAX_LENGTH: usize = 1_000_000_000;

/// Fails with TOOBIG when a TEXT/BLOB result exceeds [`MAX_LENGTH`].
pub(crate) fn check_length(m: &Mem) -> Result<(), VdbeError> {
    match m {
        Mem::Text(b) | Mem::Blob(b) if b.len() > MAX_LENGTH => Err(VdbeError::TooBig),
        _ => Ok(()),
    }
}

/// `lhs OP rhs` with a BLOB operand in a UTF-16 database: the blob's bytes
/// are read in the database encoding, and `||` joins the encoded bytes.
fn arith_utf16(op: ArithOp, lhs: &Mem, rhs: &Mem, enc: TextEncoding) -> Mem {
    let bytes = |m: &Mem| match m {
        Mem::Blob(b) => b.clone(),
        other => crate::record::encode_text(&other.text_value(), enc),
    };
    if op == ArithOp::Concat {
        if lhs.is_null() || rhs.is_null() {
            return Mem::Null;
        }
        return Mem::Text(crate::record::concat_encoded(bytes(lhs), &bytes(rhs), enc));
    }
    let as_text = |m: &Mem| match m {
        Mem::Blob(b) => Mem::Text(crate::record::decode_text(b, enc)),
        other => other.clone(),
    };
    arith(op, &as_text(lhs), &as_text(rhs))
}

impl Vdbe {
    pub(crate) fn op_arith(
        &mut self,
        op: ArithOp,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let (l, r) = (self.reg(lhs)?, self.reg(rhs)?);
        let r = if self.enc.is_utf8() || !(matches!(l, Mem::Blob(_)) || matches!(r, Mem::Blob(_))) {
            arith(op, l, r)
        } else {
            arith_utf16(op, l, r, self.enc)
        };
        check_length(&r)?;
        self.set_reg(dest, r)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_unary(
        &mut self,
        src: Reg,
        dest: Reg,
        f: fn(&Mem) -> Mem,
    ) -> Result<Flow, VdbeError> {
        let r = match self.reg(src)? {
            Mem::Blob(b) if !self.enc.is_utf8() => {
                f(&Mem::Text(crate::record::decode_text(b, self.enc)))
            }
            m => f(m),
        };
        self.set_reg(dest, r)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_and_or(
        &mut self,
        is_and: bool,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let r = and_or(is_and, self.reg(lhs)?, self.reg(rhs)?);
        self.set_reg(dest, r)?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_compare(
        &mut self,
        op: CmpOp,
        lhs: Reg,
        rhs: Reg,
        target: Addr,
        flags: &CmpFlags,
    ) -> Result<Flow, VdbeError> {
        // Two numbers under an affinity that leaves numbers alone: compared
        // in place, before any collation or register move is considered.
        if let Some(o) = self.numeric_compare(op, lhs, rhs, flags)? {
            return self.cmp_flow(o, target, flags);
        }
        let in_enc;
        let flags = match &flags.collation {
            // BINARY in a UTF-16 database orders the encoded bytes.
            c if !self.enc.is_utf8() && c.as_ref().is_none_or(|c| c.name() == "BINARY") => {
                in_enc = CmpFlags {
                    collation: Some(crate::record::binary_in(self.enc)),
                    ..flags.clone()
                };
                &in_enc
            }
            _ => flags,
        };
        let outcome = if lhs == rhs {
            let mut a = std::mem::take(self.reg_mut(lhs)?);
            let mut b = a.clone();
            let o = compare_regs(op, &mut a, &mut b, flags);
            self.set_reg(lhs, a)?;
            o
        } else {
            let mut a = std::mem::take(self.reg_mut(lhs)?);
            let mut b = std::mem::take(self.reg_mut(rhs)?);
            let o = compare_regs(op, &mut a, &mut b, flags);
            self.set_reg(lhs, a)?;
            self.set_reg(rhs, b)?;
            o
        };
        self.cmp_flow(outcome, target, flags)
    }

    /// Where a comparison goes: a stored result, or a jump taken or not
    /// (always inlined: the outcome then picks the flow with no call).
    #[inline(always)]
    fn cmp_flow(
        &mut self,
        outcome: CmpOutcome,
        target: Addr,
        flags: &CmpFlags,
    ) -> Result<Flow, VdbeError> {
        if let Some(store) = flags.store {
            self.set_reg(store, outcome.to_mem())?;
            return Ok(Flow::Next);
        }
        let jump = match outcome {
            CmpOutcome::True => true,
            CmpOutcome::False => false,
            CmpOutcome::Null => flags.jump_if_null,
        };
        Ok(if jump { Flow::Jump(target) } else { Flow::Next })
    }

    /// The common case of a comparison: two numbers under an affinity that
    /// leaves numbers alone, compared in place (no register moves).
    #[inline]
    fn numeric_compare(
        &self,
        op: CmpOp,
        lhs: Reg,
        rhs: Reg,
        flags: &CmpFlags,
    ) -> Result<Option<CmpOutcome>, VdbeError> {
        if flags.affinity == Affinity::Text {
            return Ok(None);
        }
        let (a, b) = (self.reg(lhs)?, self.reg(rhs)?);
        if !matches!(a, Mem::Int(_) | Mem::Real(_)) || !matches!(b, Mem::Int(_) | Mem::Real(_)) {
            return Ok(None);
        }
        Ok(Some(compare_numbers(op, a, b)))
    }

    pub(crate) fn op_is_true(
        &mut self,
        src: Reg,
        dest: Reg,
        null_value: bool,
        invert: bool,
    ) -> Result<Flow, VdbeError> {
        let t = self.reg(src)?.truth(null_value) ^ invert;
        self.set_reg_int(dest, i64::from(t))?;
        Ok(Flow::Next)
    }

    pub(crate) fn op_affinity(
        &mut self,
        start: Reg,
        count: usize,
        affs: &[Affinity],
    ) -> Result<Flow, VdbeError> {
        for (i, aff) in affs.iter().take(count).enumerate() {
            apply_column_affinity(self.reg_mut(start + i)?, *aff);
        }
        Ok(Flow::Next)
    }

    pub(crate) fn op_cast(&mut self, reg: Reg, affinity: Affinity) -> Result<Flow, VdbeError> {
        let enc = self.enc;
        let m = self.reg_mut(reg)?;
        let v = std::mem::take(m).into_value();
        *m = Mem::from(crate::record::cast_in(v, affinity, enc));
        Ok(Flow::Next)
    }

    pub(crate) fn op_real_affinity(&mut self, reg: Reg) -> Result<Flow, VdbeError> {
        let m = self.reg_mut(reg)?;
        if let Mem::Int(i) = *m {
            *m = Mem::Real(i as f64);
        }
        Ok(Flow::Next)
    }
}
