//! NULLS FIRST / NULLS LAST in ORDER BY (SELECT, compound and window).
//!
//! SQLite counterpart: the `KEYINFO_ORDER_BIGNULL` sort flag of select.c
//! and window.c. loom's key comparison always puts NULL first for ASC
//! and last for DESC; a term asking for the other placement gets an
//! extra sort key in front of it, `expr IS NULL`, sorted in the same
//! direction as the term (ASC NULLS LAST: 0 before 1; DESC NULLS FIRST:
//! 1 before 0).
//!
//! Invariants:
//! 1. The extra key is a function of the term's value, so it never
//!    changes which rows are peers (window frames, DISTINCT, GROUPS).
//! 2. A term whose NULLS clause matches the default placement gets no
//!    extra key, so its plan (index order, no sorter) is unchanged.

use std::sync::Arc;

use super::Gen;
use crate::record::{Binary, Collation};
use crate::sql::ast::{Expr, ExprKind, NullsOrder, OrderingTerm, SortOrder};
use crate::vdbe::{Insn, Reg};

/// True when `t` asks for NULLs on the side its direction does not put
/// them by default.
pub(super) fn flips_nulls(t: &OrderingTerm) -> bool {
    let desc = t.order == Some(SortOrder::Desc);
    let default = if desc {
        NullsOrder::Last
    } else {
        NullsOrder::First
    };
    t.nulls.is_some_and(|n| n != default)
}

/// `e IS NULL`, the extra key in front of a flipped term.
pub(super) fn null_flag(e: &Expr) -> Expr {
    Expr {
        kind: ExprKind::IsNull(Box::new(e.clone()), false),
        span: e.span,
        height: e.height.saturating_add(1),
    }
}

/// The extra key for a flipped term: `(e IS NULL, desc, BINARY)`.
pub(super) fn null_flag_key(e: &Expr, desc: bool) -> (Expr, bool, Arc<dyn Collation>) {
    (null_flag(e), desc, Arc::new(Binary))
}

impl Gen<'_> {
    /// Sets `dest` to 1 if register `src` holds NULL, else 0.
    pub(super) fn emit_null_flag(&mut self, src: Reg, dest: Reg) {
        let done = self.b.new_label();
        self.b.emit(Insn::Integer { value: 1, dest });
        self.b.emit(Insn::IsNull {
            reg: src,
            target: done.addr(),
        });
        self.b.emit(Insn::Integer { value: 0, dest });
        self.b.resolve(done);
    }

    /// Copies the `width` registers at `start` and appends one NULL flag
    /// per entry of `flags` (a column of the row); returns the new first
    /// register. Without flags the row stays where it is.
    pub(super) fn append_null_flags(&mut self, start: Reg, width: usize, flags: &[usize]) -> Reg {
        if flags.is_empty() {
            return start;
        }
        let row = self.b.alloc_regs(width + flags.len());
        self.b.emit(Insn::Copy {
            src: start,
            dest: row,
            count: width,
        });
        for (j, &c) in flags.iter().enumerate() {
            self.emit_null_flag(row + c, row + width + j);
        }
        row
    }
}

/// A compound ORDER BY (keys are result columns) with a flag key in front
/// of each flipped term: flag `j` is column `width + j` of the row built by
/// [`Gen::append_null_flags`] from the returned column list.
#[allow(clippy::type_complexity)]
pub(super) fn with_null_flags(
    keys: Vec<(usize, bool, Arc<dyn Collation>)>,
    terms: &[OrderingTerm],
    width: usize,
) -> (Vec<(usize, bool, Arc<dyn Collation>)>, Vec<usize>) {
    let mut out = Vec::with_capacity(keys.len());
    let mut flags = Vec::new();
    for (k, t) in keys.into_iter().zip(terms) {
        if flips_nulls(t) {
            out.push((
                width + flags.len(),
                k.1,
                Arc::new(Binary) as Arc<dyn Collation>,
            ));
            flags.push(k.0);
        }
        out.push(k);
    }
    (out, flags)
}
