//! Aggregate queries: accumulators, GROUP BY through the sorter, HAVING.
//!
//! SQLite counterpart: the aggregate half of select.c (`AggInfo`,
//! `updateAccumulator`, `finalizeAggFunctions`, the GROUP BY sorter loop).
//!
//! Shape of a GROUP BY query:
//! 1. The loops feed records `[group keys…, referenced columns…]` into a
//!    sorter; a referenced column that is itself a GROUP BY term is not
//!    stored again but read from its key's field.
//! 2. The sorted records are read through pseudo cursor P; when the group
//!    keys change, a subroutine finalizes the accumulators and emits the
//!    previous group's row, reading bare columns from pseudo cursor Q over a
//!    copy of that group's first record. The first sorted row enters the
//!    group-start code directly (no per-row "first row" flag).
//!
//! Invariants:
//! 1. Accumulator registers are NULL at the start of every group.
//! 2. Outside aggregate arguments, a column reference reads the first row of
//!    its group; with min()/max() aggregates it reads the last row whose
//!    last-stepped min()/max() changed its result (SQLite's OP_CollSeq
//!    register), so a lone min()/max() gives the values of its own row.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::expr::{ColumnKey, Scope};
use super::select::{Dest, OutCol};
use super::Gen;
use crate::record::KeyInfo;
use crate::sql::ast::{Expr, ExprKind, FunctionArgs, FunctionCall};
use crate::sql::ast::{Select, SimpleSelect};
use crate::vdbe::{CmpFlags, CmpOp, Insn, Reg};

type Span = (usize, usize);

impl Gen<'_> {
    /// Adds the aggregate calls inside `e` to `found` (once per span).
    pub(super) fn collect_aggs(
        &self,
        e: &Expr,
        found: &mut Vec<Expr>,
        seen: &mut HashMap<Span, ()>,
    ) {
        super::planner::walk(e, &mut |x| {
            if let ExprKind::Function(call) = &x.kind {
                if self.is_aggregate_call(call) && seen.insert(x.span, ()).is_none() {
                    found.push(x.clone());
                }
            }
        });
    }

    pub(super) fn aggregate_select(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        scope: &Scope,
        cols: &[OutCol],
        aggs: Vec<Expr>,
        dest: &Dest,
    ) -> Result<(), String> {
        // As in SQLite, LIMIT is computed before the loops, which do not
        // run at all when it is 0 (so nothing they evaluate can fail).
        let key = s as *const Select as usize;
        let skip = self.b.new_label();
        if s.limit.is_some() {
            let limits = self.limit_regs(s)?;
            if let Some(l) = limits.limit {
                self.b.emit(Insn::IfNot {
                    reg: l,
                    target: skip.addr(),
                    jump_if_null: true,
                });
            }
            self.early_limits.push((key, limits));
        }
        let r = self.aggregate_loops(core, s, scope, cols, aggs, dest);
        self.early_limits.retain(|(k, _)| *k != key);
        r?;
        self.b.resolve(skip);
        Ok(())
    }

    /// The LIMIT/OFFSET counters of aggregate SELECT `s` (computed early).
    fn agg_limit_regs(&mut self, s: &Select) -> Result<super::select::LimitRegs, String> {
        let key = s as *const Select as usize;
        match self.early_limits.iter().find(|(k, _)| *k == key) {
            Some((_, l)) => Ok(*l),
            None => self.limit_regs(s),
        }
    }

    fn aggregate_loops(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        scope: &Scope,
        cols: &[OutCol],
        aggs: Vec<Expr>,
        dest: &Dest,
    ) -> Result<(), String> {
        let accs = self.b.alloc_regs(aggs.len());
        let agg_map: HashMap<Span, Reg> = aggs
            .iter()
            .enumerate()
            .map(|(i, a)| (a.span, accs + i))
            .collect();
        if core.group_by.is_empty() {
            // Only columns read after the loop (outside every aggregate
            // call) need a copy of the row; aggregate arguments do not.
            let refs = self.referenced_columns(core, s, cols, scope, Some(&agg_map))?;
            return self.single_group(core, s, scope, cols, &aggs, &agg_map, accs, &refs, dest);
        }
        let refs = self.referenced_columns(core, s, cols, scope, None)?;
        let n_keys = core.group_by.len();
        // A column that is itself a GROUP BY term is read from that key's
        // field: each sorter record holds it once (SQLite's iSorterColumn).
        let slots = self.sorter_slots(core, scope, &refs);
        let extra: Vec<ColumnKey> = slots
            .iter()
            .filter(|(_, slot)| *slot >= n_keys)
            .map(|(k, _)| *k)
            .collect();
        let width = n_keys + extra.len();
        let sorter = self.b.alloc_cursor();
        let key_info = KeyInfo {
            collations: core
                .group_by
                .iter()
                .map(|g| {
                    self.expr_collation(g, scope)
                        .unwrap_or_else(|| Arc::new(crate::record::Binary))
                })
                .collect(),
            desc: vec![false; n_keys],
        };
        self.b.emit(Insn::SorterOpen {
            cursor: sorter,
            n_cols: width.max(1),
            key_info: Arc::new(key_info),
        });
        // Phase 1: scan and sort.
        let lp = self.begin_loops(scope, core.where_.as_ref(), core.from.as_ref())?;
        let start = self.b.alloc_regs(width.max(1));
        for (i, g) in core.group_by.iter().enumerate() {
            self.expr_into(g, scope, start + i)?;
        }
        for (j, key) in extra.iter().enumerate() {
            self.column_into(scope, *key, start + n_keys + j);
        }
        self.sorter_insert(sorter, start, width.max(1));
        self.end_loops(lp);
        self.eqp.add(|| "USE TEMP B-TREE FOR GROUP BY".into());
        self.group_phase(
            core, s, scope, cols, &aggs, &agg_map, accs, &slots, sorter, dest,
        )
    }

    /// An aggregate query without GROUP BY: one pass stepping the
    /// accumulators, then one output row (bare columns from the last row).
    #[allow(clippy::too_many_arguments)]
    fn single_group(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        scope: &Scope,
        cols: &[OutCol],
        aggs: &[Expr],
        agg_map: &HashMap<Span, Reg>,
        accs: Reg,
        refs: &[ColumnKey],
        dest: &Dest,
    ) -> Result<(), String> {
        let last = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: last,
            count: 1,
        });
        self.b.emit(Insn::Null {
            dest: accs,
            count: aggs.len().max(1),
        });
        let distincts = self.distinct_cursors(aggs);
        self.reset_distincts(aggs, &distincts, scope)?;
        let lp = self.begin_loops(scope, core.where_.as_ref(), core.from.as_ref())?;
        let hit = self.step_aggregates(aggs, accs, scope, &distincts)?;
        if !refs.is_empty() {
            // Bare columns read the first row, or with min()/max() the last
            // row whose min()/max() step changed the result.
            let taken = self.b.new_label();
            self.b.emit(match hit {
                Some(reg) => Insn::If {
                    reg,
                    target: taken.addr(),
                    jump_if_null: false,
                },
                None => Insn::NotNull {
                    reg: last,
                    target: taken.addr(),
                },
            });
            let start = self.b.alloc_regs(refs.len());
            for (j, key) in refs.iter().enumerate() {
                self.column_into(scope, *key, start + j);
            }
            self.b.emit(Insn::MakeRecord {
                start,
                count: refs.len(),
                dest: last,
                affinities: None,
            });
            self.b.resolve(taken);
        }
        self.end_loops(lp);
        let q = self.b.alloc_cursor();
        self.b.emit(Insn::OpenPseudo {
            cursor: q,
            reg: last,
            n_cols: refs.len().max(1),
        });
        let mut remap = scope.remap.clone().unwrap_or_default();
        remap.extend(refs.iter().enumerate().map(|(j, k)| (*k, (q, j))));
        let q_scope = Scope {
            remap: Some(remap),
            aggs: Some(agg_map.clone()),
            ..scope.clone()
        };
        let limits = self.agg_limit_regs(s)?;
        let done = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: done.addr(),
                jump_if_null: true,
            });
        }
        let row = self.finish_group(aggs, accs, core, cols, &q_scope, done.addr())?;
        self.output_with_limits(dest, row, cols.len(), limits, done.addr(), done.addr());
        self.b.resolve(done);
        Ok(())
    }

    /// Phase 2: walk the sorted records, stepping and emitting groups.
    #[allow(clippy::too_many_arguments)]
    fn group_phase(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        scope: &Scope,
        cols: &[OutCol],
        aggs: &[Expr],
        agg_map: &HashMap<Span, Reg>,
        accs: Reg,
        slots: &[(ColumnKey, usize)],
        sorter: usize,
        dest: &Dest,
    ) -> Result<(), String> {
        let n_keys = core.group_by.len();
        let stored = slots.iter().filter(|(_, slot)| *slot >= n_keys).count();
        let width = (n_keys + stored).max(1);
        let (p, q) = (self.b.alloc_cursor(), self.b.alloc_cursor());
        let (cur_rec, prev_rec) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::Null {
            dest: prev_rec,
            count: 1,
        });
        self.b.emit(Insn::OpenPseudo {
            cursor: p,
            reg: cur_rec,
            n_cols: width,
        });
        self.b.emit(Insn::OpenPseudo {
            cursor: q,
            reg: prev_rec,
            n_cols: width,
        });
        let remap = |cursor: usize| -> HashMap<ColumnKey, (usize, usize)> {
            // An enclosing query's redirections stay (nested aggregates).
            let mut m = scope.remap.clone().unwrap_or_default();
            m.extend(slots.iter().map(|(k, slot)| (*k, (cursor, *slot))));
            m
        };
        let p_scope = Scope {
            remap: Some(remap(p)),
            ..scope.clone()
        };
        let q_scope = Scope {
            remap: Some(remap(q)),
            aggs: Some(agg_map.clone()),
            ..scope.clone()
        };
        let order = self.order_terms(&s.order_by, cols, &q_scope)?;
        let limits = self.agg_limit_regs(s)?;
        let done = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: done.addr(),
                jump_if_null: true,
            });
        }
        let out_sorter = self.open_output_sorter(&order, cols.len());
        let distinct = match core.distinct {
            true => Some(self.open_distinct_cols(cols, &q_scope)?),
            false => None,
        };
        let (ret, prev_keys) = (self.b.alloc_reg(), self.b.alloc_regs(n_keys.max(1)));
        let output = self.b.new_label();
        let distincts = self.distinct_cursors(aggs);
        self.reset_distincts(aggs, &distincts, scope)?;
        self.b.emit(Insn::Null {
            dest: accs,
            count: aggs.len().max(1),
        });
        let empty = self.b.new_label();
        self.b.emit(Insn::SorterSort {
            cursor: sorter,
            if_empty: empty.addr(),
        });
        let (new_group, same) = (self.b.new_label(), self.b.new_label());
        if n_keys > 0 {
            // The first row opens a group without comparing or emitting.
            self.b.emit(Insn::SorterData {
                cursor: sorter,
                dest: cur_rec,
                pseudo: p,
            });
            self.b.emit(Insn::Goto {
                target: new_group.addr(),
            });
        }
        let top = self.b.here();
        self.b.emit(Insn::SorterData {
            cursor: sorter,
            dest: cur_rec,
            pseudo: p,
        });
        if n_keys > 0 {
            let changed = self.b.new_label();
            self.compare_group_keys(core, scope, p, prev_keys, changed.addr());
            self.b.emit(Insn::Goto {
                target: same.addr(),
            });
            self.b.resolve(changed);
            self.b.emit(Insn::Gosub {
                reg: ret,
                target: output.addr(),
            });
            self.b.resolve(new_group);
            // Bare columns read the group's first row (see below for min/max).
            self.b.emit(Insn::Copy {
                src: cur_rec,
                dest: prev_rec,
                count: 1,
            });
            self.reset_distincts(aggs, &distincts, scope)?;
            self.b.emit(Insn::Null {
                dest: accs,
                count: aggs.len().max(1),
            });
            for i in 0..n_keys {
                self.b.emit(Insn::Column {
                    cursor: p,
                    column: i,
                    dest: prev_keys + i,
                    default: None,
                });
            }
        }
        self.b.resolve(same);
        if let Some(reg) = self.step_aggregates(aggs, accs, &p_scope, &distincts)? {
            // With min()/max(), bare columns follow the row that set it.
            let kept = self.b.new_label();
            self.b.emit(Insn::If {
                reg,
                target: kept.addr(),
                jump_if_null: false,
            });
            self.b.emit(Insn::Copy {
                src: cur_rec,
                dest: prev_rec,
                count: 1,
            });
            self.b.resolve(kept);
        }
        self.b.emit(Insn::SorterNext {
            cursor: sorter,
            target: top,
        });
        self.b.emit(Insn::Gosub {
            reg: ret,
            target: output.addr(),
        });
        let after = self.b.new_label();
        self.b.emit(Insn::Goto {
            target: after.addr(),
        });
        self.b.resolve(empty);
        if n_keys == 0 {
            // No rows at all: one output row of empty aggregates.
            self.b.emit(Insn::Gosub {
                reg: ret,
                target: output.addr(),
            });
        }
        self.b.emit(Insn::Goto {
            target: after.addr(),
        });
        // The output subroutine.
        self.b.resolve(output);
        let ret_label = self.b.new_label();
        let row = self.finish_group(aggs, accs, core, cols, &q_scope, ret_label.addr())?;
        if let Some(d) = distinct {
            self.skip_duplicate(d, row, cols.len(), ret_label.addr());
        }
        match out_sorter {
            Some(os) => self.insert_sorted_row(os, &order, &q_scope, row, cols.len())?,
            None => self.output_with_limits(
                dest,
                row,
                cols.len(),
                limits,
                ret_label.addr(),
                done.addr(),
            ),
        }
        self.b.resolve(ret_label);
        self.b.emit(Insn::Return { reg: ret });
        self.b.resolve(after);
        if let Some(os) = out_sorter {
            self.sort_output(os, order.len(), cols.len(), dest, limits, done.addr());
        }
        self.b.resolve(done);
        Ok(())
    }

    /// Inserts the output row `row..row+n_cols` into the ORDER BY sorter
    /// `os`, keyed by the ORDER BY expressions evaluated in `scope`.
    pub(super) fn insert_sorted_row(
        &mut self,
        os: usize,
        order: &[super::select::OrderKey],
        scope: &Scope,
        row: Reg,
        n_cols: usize,
    ) -> Result<(), String> {
        let n = order.len() + n_cols;
        let keys = self.b.alloc_regs(n);
        for (i, (e, _, _)) in order.iter().enumerate() {
            self.expr_into(e, scope, keys + i)?;
        }
        self.b.emit(Insn::Copy {
            src: row,
            dest: keys + order.len(),
            count: n_cols.max(1),
        });
        self.sorter_insert(os, keys, n);
        Ok(())
    }

    pub(super) fn open_output_sorter(
        &mut self,
        order: &[super::select::OrderKey],
        n_cols: usize,
    ) -> Option<usize> {
        if order.is_empty() {
            return None;
        }
        self.eqp.add(|| "USE TEMP B-TREE FOR ORDER BY".into());
        let cursor = self.b.alloc_cursor();
        let key_info = KeyInfo {
            collations: order.iter().map(|o| o.2.clone()).collect(),
            desc: order.iter().map(|o| o.1).collect(),
        };
        self.b.emit(Insn::SorterOpen {
            cursor,
            n_cols: order.len() + n_cols,
            key_info: Arc::new(key_info),
        });
        Some(cursor)
    }

    /// AggStep for every aggregate, honouring FILTER and DISTINCT.
    /// The end of a group: finalizes the accumulators, applies HAVING (jumping
    /// to `skip` when it fails) and codes the result columns.
    #[allow(clippy::too_many_arguments)]
    fn finish_group(
        &mut self,
        aggs: &[Expr],
        accs: Reg,
        core: &SimpleSelect,
        cols: &[OutCol],
        q_scope: &Scope,
        skip: usize,
    ) -> Result<Reg, String> {
        for (i, a) in aggs.iter().enumerate() {
            let (def, n) = self.agg_def(a)?;
            self.b.emit(Insn::AggFinal {
                func: def,
                acc: accs + i,
                n_args: n,
            });
        }
        if let Some(h) = &core.having {
            self.jump_if_false(h, skip, q_scope)?;
        }
        self.eval_columns(cols, q_scope)
    }

    /// A cursor number for each DISTINCT aggregate's seen-values index.
    fn distinct_cursors(&mut self, aggs: &[Expr]) -> Vec<Option<usize>> {
        aggs.iter()
            .map(|a| match &a.kind {
                ExprKind::Function(call) if call.distinct => Some(self.b.alloc_cursor()),
                _ => None,
            })
            .collect()
    }

    /// (Re)opens the seen-values indexes empty: at the start of each group.
    fn reset_distincts(
        &mut self,
        aggs: &[Expr],
        cursors: &[Option<usize>],
        scope: &Scope,
    ) -> Result<(), String> {
        for (a, c) in aggs.iter().zip(cursors) {
            if let (Some(cursor), ExprKind::Function(call)) = (c, &a.kind) {
                let args = agg_args(call);
                let n = args.len();
                let key_info = Some(self.distinct_key_info(args.iter(), scope)?);
                self.b.emit(Insn::OpenEphemeral {
                    cursor: *cursor,
                    n_cols: n,
                    key_info,
                });
            }
        }
        Ok(())
    }

    fn step_aggregates(
        &mut self,
        aggs: &[Expr],
        accs: Reg,
        scope: &Scope,
        distincts: &[Option<usize>],
    ) -> Result<Option<Reg>, String> {
        let mut hit = None;
        for (i, a) in aggs.iter().enumerate() {
            let ExprKind::Function(call) = &a.kind else {
                continue;
            };
            let (def, n) = self.agg_def(a)?;
            let skip = self.b.new_label();
            if let Some(f) = &call.filter {
                self.jump_if_false(f, skip.addr(), scope)?;
            }
            let args = agg_args(call);
            let first = self.b.alloc_regs(args.len());
            for (j, e) in args.iter().enumerate() {
                self.expr_into(e, scope, first + j)?;
            }
            let distinct = distincts.get(i).copied().flatten();
            let min_max = def.flags.needs_collation
                && matches!(def.kind, crate::func::FuncKind::Aggregate(_));
            let collation = if def.flags.needs_collation {
                args.iter().find_map(|a| self.expr_collation(a, scope))
            } else {
                None
            };
            if min_max && hit.is_none() {
                hit = Some(self.b.alloc_reg());
            }
            self.b.emit(Insn::AggStep {
                func: def,
                args: first,
                n_args: n,
                acc: accs + i,
                distinct,
                collation,
                hit: if min_max { hit } else { None },
            });
            self.b.resolve(skip);
        }
        Ok(hit)
    }

    /// The function definition of an aggregate call.
    fn agg_def(&self, a: &Expr) -> Result<(Arc<crate::func::FuncDef>, usize), String> {
        let ExprKind::Function(call) = &a.kind else {
            return Err("internal error: not an aggregate".into());
        };
        let n = agg_args(call).len();
        let def = self
            .env
            .registry
            .find(&call.name, n)
            .ok_or_else(|| format!("wrong number of arguments to function {}()", call.name))?;
        if call.distinct && n != 1 {
            return Err("DISTINCT aggregates must have exactly one argument".into());
        }
        Ok((Arc::new(def.clone()), n))
    }

    /// Jumps to `changed` when a GROUP BY key of the sorted row under
    /// pseudo cursor `p` differs from `prev_keys` (NULLs equal each other).
    fn compare_group_keys(
        &mut self,
        core: &SimpleSelect,
        scope: &Scope,
        p: usize,
        prev_keys: Reg,
        changed: usize,
    ) {
        for (i, g) in core.group_by.iter().enumerate() {
            let k = self.b.alloc_reg();
            self.b.emit(Insn::Column {
                cursor: p,
                column: i,
                dest: k,
                default: None,
            });
            let flags = CmpFlags {
                affinity: crate::record::Affinity::Blob,
                jump_if_null: false,
                null_eq: true,
                store: None,
                collation: self.expr_collation(g, scope),
            };
            self.b.emit(Insn::Compare {
                op: CmpOp::Ne,
                lhs: k,
                rhs: prev_keys + i,
                target: changed,
                flags,
            });
        }
    }

    /// Loads column `key` of the loops' row into `dest`, the load itself
    /// writing there when it is a fresh Column/Rowid (no extra SCopy).
    fn column_into(&mut self, scope: &Scope, key: ColumnKey, dest: Reg) {
        let si = scope
            .sources
            .iter()
            .position(|s| s.cursor == key.0)
            .unwrap_or(0);
        let (at, fresh) = (self.b.here(), self.b.next_reg());
        let r = self.load_column(scope, si, key.1);
        if r != dest && !(r >= fresh && self.b.retarget_load(at, r, dest)) {
            self.b.emit(Insn::SCopy { src: r, dest });
        }
    }

    /// The sorter field of each referenced column: the index of a GROUP BY
    /// term that is exactly that column, else `n_keys + j` for the j-th
    /// column stored after the keys (in `refs` order).
    fn sorter_slots(
        &self,
        core: &SimpleSelect,
        scope: &Scope,
        refs: &[ColumnKey],
    ) -> Vec<(ColumnKey, usize)> {
        let keys: Vec<Option<ColumnKey>> = core
            .group_by
            .iter()
            .map(|g| self.bare_column_key(g, scope))
            .collect();
        let mut next = keys.len();
        refs.iter()
            .map(|k| match keys.iter().position(|g| *g == Some(*k)) {
                Some(i) => (*k, i),
                None => {
                    next += 1;
                    (*k, next - 1)
                }
            })
            .collect()
    }

    /// The column `e` reads when it is a plain column reference of this
    /// query's FROM (no COLLATE, no USING merge), whose value as a GROUP BY
    /// key is exactly the column's value.
    fn bare_column_key(&self, e: &Expr, scope: &Scope) -> Option<ColumnKey> {
        let ExprKind::Column { table, column, .. } = &e.kind else {
            return None;
        };
        if table.is_none() && self.using_coalesce(scope, column).is_some() {
            return None;
        }
        match self.resolve_column(scope, table.as_deref(), column) {
            Ok(Some((si, c))) if si < scope.sources.len() => Some((scope.sources[si].cursor, c)),
            _ => None,
        }
    }

    /// Every table column the aggregate query reads, in a stable order;
    /// with `skip`, not looking inside the aggregate calls it lists.
    fn referenced_columns(
        &self,
        core: &SimpleSelect,
        s: &Select,
        cols: &[OutCol],
        scope: &Scope,
        skip: Option<&HashMap<Span, Reg>>,
    ) -> Result<Vec<ColumnKey>, String> {
        let mut set = BTreeSet::new();
        let mut err = None;
        let mut subquery = false;
        let mut visit = |e: &Expr| {
            walk_outside(e, skip, &mut |x| {
                subquery |= matches!(
                    x.kind,
                    ExprKind::Subquery(_) | ExprKind::Exists(_) | ExprKind::InSelect { .. }
                );
                if let ExprKind::Column { table, column, .. } = &x.kind {
                    match self.resolve_column(scope, table.as_deref(), column) {
                        Ok(Some((si, c))) if si < scope.sources.len() => {
                            set.insert((scope.sources[si].cursor, c));
                        }
                        Ok(_) => {}
                        Err(e) => err = Some(e),
                    }
                }
            })
        };
        cols.iter().for_each(|c| visit(&c.expr));
        core.group_by.iter().for_each(&mut visit);
        if let Some(h) = &core.having {
            visit(h);
        }
        s.order_by.iter().for_each(|o| visit(&o.expr));
        if subquery {
            // A correlated subquery may name any column of the group's
            // row: carry them all through the sorter (its outer references
            // then read the group's row, not the loop's cursors).
            for src in &scope.sources {
                set.extend((0..src.table.columns.len()).map(|c| (src.cursor, Some(c))));
            }
        }
        match err {
            Some(e) => Err(e),
            None => Ok(set.into_iter().collect()),
        }
    }
}

/// `walk`, not descending into the aggregate calls of `skip` (by span).
fn walk_outside(e: &Expr, skip: Option<&HashMap<Span, Reg>>, f: &mut dyn FnMut(&Expr)) {
    if matches!(e.kind, ExprKind::Function(_)) && skip.is_some_and(|m| m.contains_key(&e.span)) {
        return;
    }
    f(e);
    super::planner::walk_children(e, &mut |c| walk_outside(c, skip, f));
}

/// The argument expressions of an aggregate call (`count(*)` has none).
fn agg_args(call: &FunctionCall) -> Vec<Expr> {
    match &call.args {
        FunctionArgs::Star => Vec::new(),
        FunctionArgs::List(v) => v.clone(),
    }
}
