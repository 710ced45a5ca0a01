//! Block sorting: ORDER BY whose left part the loops already deliver.
//!
//! SQLite counterpart: select.c's sorting of the "right part" of an ORDER
//! BY when where.c reports that the chosen path satisfies only its first
//! terms (`nOBSat`); EXPLAIN QUERY PLAN then says "USE TEMP B-TREE FOR
//! RIGHT PART OF ORDER BY" (eqp.html).
//!
//! The loops visit rows in the order of the first `sorted` ORDER BY terms
//! (the left part). Rows with equal left part form a block; each block is
//! collected in a sorter keyed on the remaining terms (the right part),
//! and whenever the left part changes the sorter is sorted, output and
//! emptied (re-opened) before the new row goes in. Code shape:
//!
//! ```text
//!   seen = 0
//!   loops:
//!     result columns (not stored as right keys) -> row regs
//!     [DISTINCT: skip a duplicate row]
//!     left part -> cur regs
//!     if seen and cur != prev (per term, its collation): Gosub flush
//!     if cur != prev or not seen: prev = cur, seen = 1
//!     right part -> row regs; SorterInsert
//!   Gosub flush; Goto done
//! flush: sort, output with OFFSET/LIMIT (LIMIT exhausted -> done),
//!        re-open the sorter; Return
//! (under LIMIT each block's sorter keeps only the top OFFSET + LIMIT
//! rows still to be reached)
//! ```
//!
//! Invariants:
//! 1. Blocks are output in loop order and each block in right-part order,
//!    so the whole output is in ORDER BY order: the left part is compared
//!    with each term's own collation, so a block is exactly a run of
//!    rows that the left part orders as equal.
//! 2. Every flush happens after a row was inserted into the block being
//!    flushed (DISTINCT is tested before the block check), so a flush of
//!    an empty sorter only happens when no row passed at all.
//! 3. OFFSET and LIMIT counters run across blocks; when LIMIT runs out
//!    the loops stop (jump to `done`), so later blocks are never read.

use std::sync::Arc;

use super::expr::Scope;
use super::select::{order_fields, stored_width, Dest, LimitRegs, OrderKey, OutCol};
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::SimpleSelect;
use crate::vdbe::{CmpFlags, CmpOp, Insn};

/// What a block-sorted query outputs and where.
pub(super) struct BlockSort<'a> {
    pub cols: &'a [OutCol],
    pub order: &'a [OrderKey],
    /// How many leading ORDER BY terms the loops deliver (0 < sorted < len).
    pub sorted: usize,
    pub distinct: Option<usize>,
    pub dest: &'a Dest,
    pub limits: LimitRegs,
    pub done: Label,
}

impl Gen<'_> {
    /// Runs the loops of `core` and outputs its rows sorted in blocks of
    /// equal left part (see the module docs).
    pub(super) fn block_sort(
        &mut self,
        scope: &Scope,
        core: &SimpleSelect,
        bs: BlockSort<'_>,
    ) -> Result<(), String> {
        let (left, right) = bs.order.split_at(bs.sorted.min(bs.order.len()));
        let fields: Vec<usize> = match bs.distinct {
            None => order_fields(right, bs.cols),
            Some(_) => (right.len()..right.len() + bs.cols.len()).collect(),
        };
        let width = stored_width(right.len(), &fields);
        let sorter = self.b.alloc_cursor();
        let open = Insn::SorterOpen {
            cursor: sorter,
            n_cols: width,
            key_info: Arc::new(KeyInfo {
                collations: right.iter().map(|o| o.2.clone()).collect(),
                desc: right.iter().map(|o| o.1).collect(),
            }),
        };
        self.open_block(&open, bs.limits);
        let prev = self.b.alloc_regs(left.len());
        let seen = self.b.alloc_reg();
        let ret = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: seen,
        });
        let flush = self.b.new_label();
        let lp = self.begin_loops(scope, core.where_.as_ref(), core.from.as_ref())?;
        let start = self.b.alloc_regs(width);
        for (c, &f) in bs.cols.iter().zip(&fields) {
            if f >= right.len() {
                self.expr_into(&c.expr, scope, start + f)?;
            }
        }
        if let Some(d) = bs.distinct {
            self.skip_duplicate(d, start + right.len(), bs.cols.len(), lp.cont.addr());
        }
        self.block_check(scope, left, prev, seen, ret, flush)?;
        for (i, (e, _, _)) in right.iter().enumerate() {
            self.expr_into(e, scope, start + i)?;
        }
        self.sorter_insert(sorter, start, width);
        self.end_loops(lp);
        self.b.emit(Insn::Gosub {
            reg: ret,
            target: flush.addr(),
        });
        self.b.emit(Insn::Goto {
            target: bs.done.addr(),
        });
        self.b.resolve(flush);
        let done = bs.done.addr();
        self.sort_output_fields(sorter, width, &fields, bs.dest, bs.limits, done);
        self.open_block(&open, bs.limits);
        self.b.emit(Insn::Return { reg: ret });
        if bs.distinct.is_some() {
            self.eqp.add(|| "USE TEMP B-TREE FOR DISTINCT".into());
        }
        self.eqp
            .add(|| "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY".into());
        Ok(())
    }

    /// Opens (or empties, by re-opening) the block sorter; under LIMIT it
    /// keeps only the rows the rest of OFFSET and LIMIT can still reach,
    /// as the counters stand when the block starts.
    fn open_block(&mut self, open: &Insn, limits: LimitRegs) {
        self.b.emit(open.clone());
        if let (Some(limit), Insn::SorterOpen { cursor, .. }) = (limits.limit, open) {
            self.b.emit(Insn::SorterLimit {
                cursor: *cursor,
                limit,
                offset: limits.offset,
            });
        }
    }

    /// Evaluates the left part into fresh registers and, when a block was
    /// open and its left part (`prev`) differs, calls the flush routine;
    /// then makes this row's left part the current block's.
    fn block_check(
        &mut self,
        scope: &Scope,
        left: &[OrderKey],
        prev: usize,
        seen: usize,
        ret: usize,
        flush: Label,
    ) -> Result<(), String> {
        let cur = self.b.alloc_regs(left.len());
        for (i, (e, _, _)) in left.iter().enumerate() {
            self.expr_into(e, scope, cur + i)?;
        }
        let (first, changed, same) = (self.b.new_label(), self.b.new_label(), self.b.new_label());
        self.b.emit(Insn::IfNot {
            reg: seen,
            target: first.addr(),
            jump_if_null: true,
        });
        for (i, (_, _, coll)) in left.iter().enumerate() {
            self.b.emit(Insn::Compare {
                op: CmpOp::Ne,
                lhs: cur + i,
                rhs: prev + i,
                target: changed.addr(),
                flags: CmpFlags {
                    affinity: Affinity::Blob,
                    jump_if_null: false,
                    null_eq: true,
                    store: None,
                    collation: Some(coll.clone()),
                },
            });
        }
        self.b.emit(Insn::Goto {
            target: same.addr(),
        });
        self.b.resolve(changed);
        self.b.emit(Insn::Gosub {
            reg: ret,
            target: flush.addr(),
        });
        self.b.resolve(first);
        self.b.emit(Insn::Copy {
            src: cur,
            dest: prev,
            count: left.len(),
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: seen,
        });
        self.b.resolve(same);
        Ok(())
    }
}
