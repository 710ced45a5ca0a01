//! MULTI-INDEX OR: a WHERE term `A OR B OR …` whose every disjunct can use
//! an index (or the rowid) of one table is served by one lookup per
//! disjunct instead of a full scan.
//!
//! SQLite counterpart: the `WHERE_MULTI_OR` loops of where.c / wherecode.c
//! (optoverview.html, "OR-connected terms"; eqp.html shows the plan as
//! "MULTI-INDEX OR" with one "INDEX n" row per disjunct).
//!
//! Each disjunct's loop runs in turn; for each row it finds, the rowid is
//! looked up in an ephemeral rowid set: a rowid already seen is skipped,
//! a new one is remembered and the loop body (the rest of the query) runs
//! as a subroutine (`Gosub`) on the table row. Rows come out disjunct by
//! disjunct, in each disjunct's index order, as in SQLite.
//!
//! Invariants:
//! 1. Every row satisfying the OR term satisfies some disjunct, so some
//!    disjunct's loop finds it; each row's body runs at most once.
//! 2. The OR term itself stays a filter of the body: a disjunct loop only
//!    has to cover the rows of its disjunct, not match them exactly.
//! 3. A disjunct loop never repositions the table cursor between reading
//!    its rowid and running the body (the body seeks that same rowid).

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::planner::Access;
use super::planner_cost::{Bounds, Probe};
use super::planner_terms::split_and;
use super::{Gen, Label};
use crate::record::{Affinity, KeyInfo};
use crate::sql::ast::{BinaryOp, Expr, ExprKind};
use crate::vdbe::Insn;

/// More disjuncts than this are not worth one loop each.
const MAX_ARMS: usize = 64;

impl Gen<'_> {
    /// The access path of each disjunct of `t` on source `si`, when `t` is
    /// an OR whose every disjunct has one.
    pub(super) fn or_arms(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Option<Vec<Probe>>, String> {
        if !matches!(t.kind, ExprKind::Binary(BinaryOp::Or, ..)) {
            return Ok(None);
        }
        let mut disjuncts = Vec::new();
        split_or(t, &mut disjuncts);
        if disjuncts.len() > MAX_ARMS {
            return Ok(None);
        }
        let mut arms = Vec::new();
        for d in disjuncts {
            let mut terms = Vec::new();
            split_and(d, &mut terms);
            let (p, _) = self.probe_terms(si, scope, &terms, avail, &|_| true, true)?;
            match p {
                Probe::Scan | Probe::AutoIndex { .. } => return Ok(None),
                // A disjunct served by its own OR lookups: those lookups
                // cover it (invariant 2), so they join this term's arms.
                Probe::MultiOr { arms: inner } => arms.extend(inner),
                p => arms.push(p),
            }
        }
        Ok((arms.len() <= MAX_ARMS).then_some(arms))
    }

    /// Records "MULTI-INDEX OR" with an "INDEX n" row per disjunct.
    pub(super) fn explain_multi_or(&mut self, src: &Source, arms: &[Probe]) {
        let saved = self.eqp.open(|| "MULTI-INDEX OR".to_string());
        for (i, arm) in arms.iter().enumerate() {
            let s = self.eqp.open(|| format!("INDEX {}", i + 1));
            self.explain_level(src, arm);
            self.eqp.close(s);
        }
        self.eqp.close(saved);
    }

    /// Codes the disjunct loops; the body follows as their subroutine.
    pub(super) fn open_multi_or(
        &mut self,
        src: &Source,
        arms: &[Probe],
        scope: &Scope,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let rowset = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: rowset,
            n_cols: 1,
            key_info: Some(Arc::new(KeyInfo::binary(1))),
        });
        let ret = self.b.alloc_reg();
        let rowid = self.b.alloc_reg();
        let rec = self.b.alloc_reg();
        let body = self.b.new_label();
        for (i, arm) in arms.iter().enumerate() {
            let arm_cont = self.b.new_label();
            let arm_exit = self.b.new_label();
            let access = self.open_arm(src, arm, scope, arm_cont, arm_exit)?;
            match &access {
                Access::Index { idx_cursor, .. } | Access::IndexIn { idx_cursor, .. } => {
                    self.b.emit(Insn::IdxRowid {
                        cursor: *idx_cursor,
                        dest: rowid,
                    })
                }
                _ => self.b.emit(Insn::Rowid {
                    cursor: src.cursor,
                    dest: rowid,
                }),
            };
            if i > 0 {
                self.b.emit(Insn::Found {
                    cursor: rowset,
                    key: rowid,
                    n_keys: 1,
                    target: arm_cont.addr(),
                });
            }
            if i + 1 < arms.len() {
                self.b.emit(Insn::MakeRecord {
                    start: rowid,
                    count: 1,
                    dest: rec,
                    affinities: None,
                });
                self.b.emit(Insn::IdxInsert {
                    cursor: rowset,
                    key: rec,
                });
            }
            self.b.emit(Insn::Gosub {
                reg: ret,
                target: body.addr(),
            });
            self.b.resolve(arm_cont);
            self.close_access(src.cursor, access);
            self.b.resolve(arm_exit);
        }
        self.b.emit(Insn::Goto {
            target: exit.addr(),
        });
        self.b.resolve(body);
        self.b.emit(Insn::SeekRowid {
            cursor: src.cursor,
            rowid,
            not_found: cont.addr(),
        });
        Ok(Access::MultiOr { ret })
    }

    /// Opens one disjunct's loop, leaving the table row unvisited.
    fn open_arm(
        &mut self,
        src: &Source,
        arm: &Probe,
        scope: &Scope,
        cont: Label,
        exit: Label,
    ) -> Result<Access, String> {
        let indexes = &src.table.indexes;
        match arm {
            Probe::RowidEq(key) => {
                let key = self.expr(key, scope)?;
                self.b.emit(Insn::SeekRowid {
                    cursor: src.cursor,
                    rowid: key,
                    not_found: exit.addr(),
                });
                Ok(Access::Rowid)
            }
            Probe::RowidRange { lo, hi, edges } => {
                let bounds = Bounds {
                    lo: lo.as_ref(),
                    hi: hi.as_ref(),
                    eq: false,
                    aff: Affinity::Numeric,
                    strict: edges.map(|e| e.is_some_and(|e| e.strict)),
                };
                self.open_rowid_range(src.cursor, scope, bounds, exit)
            }
            Probe::Index {
                idx,
                lo,
                hi,
                aff,
                eq,
                edges,
            } => {
                let bounds = Bounds {
                    lo: lo.as_ref(),
                    hi: hi.as_ref(),
                    eq: *eq,
                    aff: *aff,
                    strict: edges.map(|e| e.is_some_and(|e| e.strict)),
                };
                self.open_index_range(None, &indexes[*idx], scope, bounds, cont, exit)
            }
            Probe::IndexIn { idx, term, aff } => {
                self.open_index_in(None, &indexes[*idx], term, *aff, scope, cont, exit)
            }
            Probe::IndexNull { idx } => self.open_index_null(None, &indexes[*idx], cont, exit),
            Probe::RowidIn { term } => self.open_rowid_in(src.cursor, term, scope, exit),
            _ => Err("an OR disjunct without an index path".into()),
        }
    }
}

/// Splits a condition on OR into its disjuncts.
pub(super) fn split_or<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Or, l, r) => {
            split_or(l, out);
            split_or(r, out);
        }
        _ => out.push(e),
    }
}
