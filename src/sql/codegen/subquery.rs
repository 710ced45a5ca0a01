//! Subqueries in expressions: scalar `(SELECT …)`, `EXISTS`, `x IN (SELECT …)`.
//!
//! SQLite counterpart: `sqlite3CodeSubselect` and `sqlite3CodeRhsOfIN` in
//! expr.c.
//!
//! Each subquery is compiled inline where it is used, inside a block that a
//! `Once` guards: a subquery that references no column of an enclosing
//! query runs once per statement execution and its result is reused; a
//! correlated one (detected while compiling it) runs every time (its
//! `Once` becomes a `Noop`).
//!
//! Invariants:
//! 1. A scalar subquery yields NULL when it returns no row, and the first
//!    row's value otherwise.
//! 2. `x IN (SELECT …)` is false for an empty set, NULL when `x` is NULL or
//!    when no value matched but the set holds a NULL, true on a match.
//! 3. The outer statement's result-column description is not changed by
//!    compiling a subquery.

use std::sync::Arc;

use super::expr::Scope;
use super::select::Dest;
use super::Gen;
use crate::record::KeyInfo;
use crate::sql::ast::{Expr, Select};
use crate::vdbe::{Addr, Insn, Reg};

impl Gen<'_> {
    /// Compiles `sel` inline for `dest` with `scope`'s sources visible as
    /// outer sources; `init` is emitted inside the Once block first.
    /// Returns the width (number of result columns) of the subquery.
    pub(super) fn subquery_block(
        &mut self,
        sel: &Select,
        scope: &Scope,
        dest: &Dest,
        init: &dyn Fn(&mut Gen),
    ) -> Result<usize, String> {
        let saved_corr = self.correlated.replace(false);
        let saved_outer = std::mem::replace(&mut self.outer, scope.for_subquery().outer);
        let saved_remap = std::mem::replace(&mut self.outer_remap, scope.remap.clone());
        let saved_cols = std::mem::take(&mut self.b.columns);
        let skip = self.b.new_label();
        let once_at = self.b.emit(Insn::Once {
            target: skip.addr(),
        });
        init(self);
        let n = self.eqp.next_subquery();
        let kind = match dest {
            Dest::EphIndex { .. } => "LIST",
            _ => "SCALAR",
        };
        let eqp_row = self.eqp.len();
        let eqp_saved = self.eqp.open(|| format!("{kind} SUBQUERY {n}"));
        let r = self.select(sel, dest);
        let width = self.b.columns.len();
        self.b.resolve(skip);
        let correlated = self.correlated.get();
        self.eqp.close(eqp_saved);
        if correlated {
            let detail = format!("CORRELATED {kind} SUBQUERY {n}");
            self.eqp.set_detail(eqp_row, detail);
            if let Some(insn) = self.b.insn_mut(once_at) {
                *insn = Insn::Noop;
            }
        }
        self.b.columns = saved_cols;
        self.outer = saved_outer;
        self.outer_remap = saved_remap;
        self.correlated.set(saved_corr || correlated);
        r.map(|()| width)
    }

    /// `(SELECT …)` as a value.
    pub(super) fn scalar_subquery(&mut self, sel: &Select, scope: &Scope) -> Result<Reg, String> {
        let reg = self.b.alloc_reg();
        let done = self.b.new_label();
        let dest = Dest::Scalar {
            reg,
            done: done.addr(),
        };
        let width = self.subquery_block(sel, scope, &dest, &|g: &mut Gen| {
            g.b.emit(Insn::Null {
                dest: reg,
                count: 1,
            });
        })?;
        self.b.resolve(done);
        if width != 1 {
            return Err(format!("sub-select returns {width} columns - expected 1"));
        }
        Ok(reg)
    }

    /// `EXISTS (SELECT …)` as 0 or 1.
    pub(super) fn exists_subquery(&mut self, sel: &Select, scope: &Scope) -> Result<Reg, String> {
        let reg = self.b.alloc_reg();
        let done = self.b.new_label();
        let dest = Dest::Exists {
            reg,
            done: done.addr(),
        };
        self.subquery_block(sel, scope, &dest, &|g: &mut Gen| {
            g.b.emit(Insn::Integer {
                value: 0,
                dest: reg,
            });
        })?;
        self.b.resolve(done);
        Ok(reg)
    }

    /// `x [NOT] IN (SELECT …)`: falls through when true, jumps to
    /// `if_false` / `if_null` otherwise (invariant 2).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn in_select3(
        &mut self,
        x: &Expr,
        negated: bool,
        sel: &Select,
        scope: &Scope,
        if_false: Addr,
        if_null: Addr,
    ) -> Result<(), String> {
        let cursor = self.b.alloc_cursor();
        let has_null = self.b.alloc_reg();
        let affinity = self
            .expr_affinity(x, scope)
            .filter(|a| *a != crate::record::Affinity::Blob);
        let dest = Dest::EphIndex {
            cursor,
            affinity,
            null_flag: Some(has_null),
        };
        let width = self.subquery_block(sel, scope, &dest, &|g: &mut Gen| {
            let key_info = Some(Arc::new(KeyInfo::binary(1)));
            g.b.emit(Insn::OpenEphemeral {
                cursor,
                n_cols: 1,
                key_info,
            });
            g.b.emit(Insn::Integer {
                value: 0,
                dest: has_null,
            });
        })?;
        if width != 1 {
            return Err(format!("sub-select returns {width} columns - expected 1"));
        }
        let is_true = self.b.new_label();
        let (on_found, on_empty) = if negated {
            (if_false, is_true.addr())
        } else {
            (is_true.addr(), if_false)
        };
        let on_miss = if negated { is_true.addr() } else { if_false };
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: on_empty,
        });
        let xr = self.expr_copy(x, scope)?;
        self.b.emit(Insn::IsNull {
            reg: xr,
            target: if_null,
        });
        if let Some(a) = affinity {
            self.b.emit(Insn::Affinity {
                start: xr,
                count: 1,
                affinities: vec![a],
            });
        }
        self.b.emit(Insn::Found {
            cursor,
            key: xr,
            n_keys: 1,
            target: on_found,
        });
        self.b.emit(Insn::If {
            reg: has_null,
            target: if_null,
            jump_if_null: false,
        });
        self.b.emit(Insn::Goto { target: on_miss });
        self.b.resolve(is_true);
        Ok(())
    }
}
