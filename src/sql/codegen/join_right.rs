//! RIGHT and FULL OUTER JOIN in any position of the FROM clause.
//!
//! SQLite counterpart: the RIGHT JOIN machinery of where.c/wherecode.c
//! (3.39+): while the join loops run, every row of a RIGHT/FULL-joined
//! table that satisfied its ON clause is remembered; after the loops, one
//! extra pass per such table visits its rows that never matched, with every
//! table to its left on a NULL row, and runs the rest of the join (the
//! loops of the tables to its right and the query body) for each of them.
//!
//! `a RIGHT JOIN b LEFT JOIN c` is `(a RIGHT JOIN b) LEFT JOIN c`: the
//! joins associate to the left, so the right operand of a RIGHT JOIN is one
//! table and its left operand everything before it.
//!
//! Invariants:
//! 1. A query with a RIGHT/FULL join loops over its tables in FROM order;
//!    a RIGHT/FULL-joined table is always scanned in full (no index probe
//!    may consume a term before the row is marked as matched).
//! 2. A row is marked as matched as soon as its own ON clause holds;
//!    marking never depends on WHERE. Every ON term of an item at or before
//!    the last RIGHT/FULL join is checked at that item's own loop.
//! 3. A WHERE term whose tables all precede the last RIGHT/FULL-joined
//!    table (constant terms included) is deferred to that table's loop,
//!    after the marking; so it also filters the NULL-extended rows of the
//!    unmatched-row passes.
//! 4. The unmatched-row passes run left to right after the main loops: the
//!    pass of an earlier RIGHT join drives the loops of the later ones,
//!    which keep marking their rows.
//! 5. Each pass enters the loop code right after its table's marking with
//!    `phase` set; the continuation of that table's loop then returns to
//!    the pass instead of advancing the (already finished) loop.

use super::builder::Label;
use super::expr::Scope;
use super::Gen;
use crate::sql::ast::{Expr, ExprKind, FromClause, JoinConstraint};
use crate::vdbe::{Insn, Reg};

/// The second-pass state of one RIGHT or FULL join.
#[derive(Debug)]
pub(crate) struct RightJoin {
    /// Source index of the RIGHT/FULL-joined table.
    si: usize,
    /// 0 during the join loops, 1 during this table's unmatched-rows pass.
    phase: Reg,
    /// Ephemeral index of the table's matched rows' keys.
    matched: usize,
    /// The key columns of a WITHOUT ROWID table (its PRIMARY KEY); empty
    /// for a rowid table, keyed by rowid.
    key_cols: Vec<usize>,
    /// The table's cursor.
    cursor: usize,
    /// The table's name in the query (for EXPLAIN QUERY PLAN).
    name: String,
    /// The cursors of the tables to its left (NULL rows in the pass).
    lefts: Vec<usize>,
    /// Where a pass row enters the loop code.
    entry: Label,
    /// The pass's "next unmatched row".
    next: Label,
}

/// Every RIGHT/FULL join of one query, in FROM order.
#[derive(Debug)]
pub(crate) struct RightJoins {
    joins: Vec<RightJoin>,
    /// Past the unmatched-row passes (where failing constant terms go).
    pub done: Label,
}

/// How [`Gen::join_terms`] distributes the ON and WHERE terms.
#[derive(Debug, Default)]
pub(crate) struct JoinTerms {
    /// ON terms checked at the loop of their own item (by source index).
    pub on: Vec<Vec<Expr>>,
    /// LEFT/FULL-joined items (by source index).
    pub left: Vec<bool>,
    /// WHERE terms checked right after the last RIGHT join's marking.
    pub deferred: Vec<Expr>,
}

impl Gen<'_> {
    /// The RIGHT/FULL-joined items of `from` as (source index, is FULL).
    pub(crate) fn right_join_items(
        &self,
        from: Option<&FromClause>,
        n: usize,
    ) -> Result<Vec<(usize, bool)>, String> {
        let Some(from) = from else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, item) in from.items.iter().enumerate().take(n) {
            let Some(j) = item.join.filter(|j| j.right) else {
                continue;
            };
            out.push((i, j.left));
        }
        Ok(out)
    }

    /// Splits the ON clauses (and USING/NATURAL equalities) and the WHERE
    /// terms `terms` into per-item ON terms, deferred WHERE terms and the
    /// terms left in `terms` for the planner (invariants 2 and 3).
    pub(crate) fn join_terms(
        &self,
        scope: &Scope,
        from: Option<&FromClause>,
        rights: &[(usize, bool)],
        terms: &mut Vec<(Expr, bool)>,
    ) -> Result<JoinTerms, String> {
        let n = scope.sources.len();
        let mut out = JoinTerms {
            on: vec![Vec::new(); n],
            left: vec![false; n],
            deferred: Vec::new(),
        };
        let last = rights.last().map(|r| r.0);
        if let Some(r) = last {
            let ident: Vec<usize> = (0..n).collect();
            let mut kept = Vec::new();
            for (t, used) in std::mem::take(terms) {
                match self.innermost_level(&t, scope, &ident)? {
                    Some(l) if l >= r => kept.push((t, used)),
                    _ => out.deferred.push(t),
                }
            }
            *terms = kept;
        }
        let Some(f) = from else { return Ok(out) };
        let ident: Vec<usize> = (0..n).collect();
        for (i, item) in f.items.iter().enumerate().take(n) {
            let is_left = item.join.is_some_and(|j| j.left);
            let outer = is_left || item.join.is_some_and(|j| j.right);
            out.left[i] = is_left;
            let mut parts: Vec<(Expr, bool)> = Vec::new();
            for t in self.using_terms(scope, i)? {
                parts.push((t, false));
            }
            if let Some(JoinConstraint::On(e)) = &item.constraint {
                if (outer || last.is_some()) && self.references_right_of(e, scope, i) {
                    return Err("ON clause references tables to its right".into());
                }
                super::planner_terms::split_and(e, &mut parts);
            }
            let own_level = is_left || last.is_some_and(|r| i <= r);
            for (p, _) in parts {
                let early = match last {
                    Some(r) => self
                        .innermost_level(&p, scope, &ident)?
                        .is_none_or(|l| l < r),
                    None => false,
                };
                match out.on.get_mut(i) {
                    Some(on) if own_level => on.push(p),
                    _ if early => out.deferred.push(p),
                    _ => terms.push((p, false)),
                }
            }
        }
        Ok(out)
    }

    /// True when `e` names a column of a source after source `i`.
    fn references_right_of(&self, e: &Expr, scope: &Scope, i: usize) -> bool {
        let mut found = false;
        super::planner::walk(e, &mut |x| {
            if let ExprKind::Column { table, column, .. } = &x.kind {
                if let Ok(Some((s, _))) = self.resolve_column(scope, table.as_deref(), column) {
                    found |= s > i && s < scope.sources.len();
                }
            }
        });
        found
    }

    /// Before the join loops: the phase registers and matched sets.
    pub(crate) fn right_join_begin(
        &mut self,
        scope: &Scope,
        rights: &[(usize, bool)],
    ) -> Option<RightJoins> {
        if rights.is_empty() {
            return None;
        }
        let mut joins = Vec::new();
        for &(si, _) in rights {
            let phase = self.b.alloc_reg();
            self.b.emit(Insn::Integer {
                value: 0,
                dest: phase,
            });
            let table = &scope.sources[si].table;
            let key_cols: Vec<usize> = match table.without_rowid {
                true => crate::sql::schema_wr::pk_columns(table),
                false => Vec::new(),
            };
            let matched = self.open_distinct(key_cols.len().max(1));
            joins.push(RightJoin {
                si,
                phase,
                matched,
                key_cols,
                cursor: scope.sources[si].cursor,
                name: scope.sources[si].name.clone(),
                lefts: scope.sources[..si].iter().map(|s| s.cursor).collect(),
                entry: self.b.new_label(),
                next: self.b.new_label(),
            });
        }
        Some(RightJoins {
            joins,
            done: self.b.new_label(),
        })
    }

    /// True when source `si` is RIGHT/FULL joined.
    pub(crate) fn is_right_source(rjs: Option<&RightJoins>, si: usize) -> bool {
        rjs.is_some_and(|r| r.joins.iter().any(|j| j.si == si))
    }

    /// Inside the loop of source `si`, once its ON clause holds: remembers
    /// the row if `si` is RIGHT/FULL joined.
    pub(crate) fn right_join_mark(&mut self, rjs: Option<&RightJoins>, si: usize) {
        let Some(rj) = rjs.and_then(|r| r.joins.iter().find(|j| j.si == si)) else {
            return;
        };
        let (r, n) = self.right_join_key(rj);
        let seen = self.b.new_label();
        self.skip_duplicate(rj.matched, r, n, seen.addr());
        self.b.resolve(seen);
    }

    /// After the marking (and a FULL join's NULL-row entry) of source
    /// `si`: the entry point of its unmatched-row pass, and at the last
    /// RIGHT join the deferred WHERE terms, which reject to `cont`.
    pub(crate) fn right_join_entry(
        &mut self,
        rjs: Option<&RightJoins>,
        si: usize,
        deferred: &[Expr],
        cont: Label,
        scope: &Scope,
    ) -> Result<(), String> {
        let Some(rjs) = rjs else { return Ok(()) };
        let Some(rj) = rjs.joins.iter().find(|j| j.si == si) else {
            return Ok(());
        };
        self.b.resolve(rj.entry);
        if rjs.joins.last().is_some_and(|l| l.si == si) {
            for t in deferred {
                self.jump_if_false(t, cont.addr(), scope)?;
            }
        }
        Ok(())
    }

    /// At the continuation of the loop over `cursor`: during that table's
    /// unmatched-row pass, go on with its next unmatched row instead.
    pub(crate) fn right_join_cont(&mut self, rjs: Option<&RightJoins>, cursor: usize) {
        let Some(rj) = rjs.and_then(|r| r.joins.iter().find(|j| j.cursor == cursor)) else {
            return;
        };
        self.b.emit(Insn::If {
            reg: rj.phase,
            target: rj.next.addr(),
            jump_if_null: false,
        });
    }

    /// After the join loops: the unmatched-row passes, left to right.
    pub(crate) fn right_join_end(&mut self, rjs: RightJoins) {
        for rj in rjs.joins {
            self.right_join_pass(rj);
        }
        self.b.resolve(rjs.done);
    }

    /// One unmatched-row pass.
    fn right_join_pass(&mut self, rj: RightJoin) {
        let name = rj.name.as_str();
        let eqp_saved = self.eqp.open(|| format!("RIGHT-JOIN {name}"));
        self.eqp.add(|| format!("SCAN {name}"));
        self.eqp.close(eqp_saved);
        let done = self.b.new_label();
        self.b.emit(Insn::Integer {
            value: 1,
            dest: rj.phase,
        });
        for &c in &rj.lefts {
            self.b.emit(Insn::NullRow { cursor: c });
        }
        self.b.emit(Insn::Rewind {
            cursor: rj.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let (r, n) = self.right_join_key(&rj);
        self.b.emit(Insn::Found {
            cursor: rj.matched,
            key: r,
            n_keys: n,
            target: rj.next.addr(),
        });
        self.b.emit(Insn::Goto {
            target: rj.entry.addr(),
        });
        self.b.resolve(rj.next);
        self.b.emit(Insn::Next {
            cursor: rj.cursor,
            target: top,
        });
        self.b.resolve(done);
    }

    /// The current row's key (rowid, or PRIMARY KEY columns) in fresh
    /// registers: (first register, count).
    fn right_join_key(&mut self, rj: &RightJoin) -> (Reg, usize) {
        if rj.key_cols.is_empty() {
            let r = self.b.alloc_reg();
            self.b.emit(Insn::Rowid {
                cursor: rj.cursor,
                dest: r,
            });
            return (r, 1);
        }
        let r = self.b.alloc_regs(rj.key_cols.len());
        for (k, &c) in rj.key_cols.iter().enumerate() {
            self.b.emit(Insn::Column {
                cursor: rj.cursor,
                column: c,
                dest: r + k,
                default: None,
            });
        }
        (r, rj.key_cols.len())
    }
}
