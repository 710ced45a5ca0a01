//! The sorter opcodes that live with the sorter: the top-n pre-check.
//!
//! SQLite counterpart: the `OP_IdxLE` test select.c's `pushOntoSorter`
//! emits against the sorter's largest kept row when the sorter has a
//! limit, before the row's record is built.
//!
//! Invariants:
//! 1. `SorterTopCheck` jumps only when `SorterInsert` of the row's record
//!    would have dropped it: the sorter is building, holds its full limit,
//!    and its largest kept key sorts before or equal to the new key (a
//!    later equal key counts as larger, topn.rs invariant 1).
//! 2. The key registers are compared as the record's leading fields would
//!    be (same values, same collations and directions).

use super::Sorter;
use crate::record::ValueRef;
use crate::vdbe::cursor::CursorKind;
use crate::vdbe::error::{internal, VdbeError};
use crate::vdbe::insn::{Addr, CursorId, Reg};
use crate::vdbe::vm::{Flow, Vdbe};

impl Vdbe {
    pub(crate) fn op_sorter_top_check(
        &mut self,
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    ) -> Result<Flow, VdbeError> {
        let vals: Vec<ValueRef> = match self.regs.get(key..key.saturating_add(n_keys)) {
            Some(regs) => regs.iter().map(|m| m.as_value_ref()).collect(),
            None => return Err(internal(format!("registers {key}..+{n_keys} out of range"))),
        };
        let sorter: &Sorter = match self.cursors.get(cursor).and_then(|c| c.as_ref()) {
            Some(c) => match &c.kind {
                CursorKind::Sorter(s) => s,
                _ => return Err(internal(format!("cursor {cursor} is not a sorter"))),
            },
            None => return Err(internal(format!("cursor {cursor} is not open"))),
        };
        Ok(if sorter.topn_rejects(&vals)? {
            Flow::Jump(target)
        } else {
            Flow::Next
        })
    }
}
