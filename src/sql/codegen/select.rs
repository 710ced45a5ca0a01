//! SELECT: result columns, nested-loop joins, ORDER BY, DISTINCT, LIMIT.
//!
//! SQLite counterpart: select.c (`sqlite3Select`, `selectInnerLoop`,
//! `generateSortTail`, `sqlite3ExpandSubquery`), with the loop structure
//! of where.c (see planner.rs).
//!
//! Invariants:
//! 1. Rows reach the caller only through `ResultRow`, in ORDER BY order
//!    when there is one (via the sorter), after OFFSET rows were skipped
//!    and before LIMIT runs out.
//! 2. Column names follow SQLite: the alias, else a direct column's name,
//!    else the expression's source text.
//! 3. An ORDER BY sorter record is `[keys…, result columns…]`, except that
//!    a result column naming the same column as a key (without DISTINCT)
//!    is read back from that key's field instead of being stored twice.

use std::collections::HashMap;
use std::sync::Arc;

use super::expr::{Scope, Source};
use super::Gen;
use crate::record::{Binary, Collation, KeyInfo};
use crate::sql::ast::{Expr, ExprKind, Literal, OrderingTerm, SortOrder};
use crate::sql::ast::{FromClause, ResultColumn, Select, SelectCore, SimpleSelect};
use crate::vdbe::{ColumnInfo, Insn, Reg};

/// Where the rows of a query go.
#[derive(Clone, Debug)]
pub(crate) enum Dest {
    /// To the caller, via `ResultRow`.
    Output,
    /// Scalar subquery: the first row into `reg` (one register per column;
    /// only row-value SET allows more than one), then jump to `done`.
    Scalar { reg: Reg, done: usize },
    /// EXISTS: set `reg` to 1 on the first row and jump to `done`.
    Exists { reg: Reg, done: usize },
    /// Each row becomes a key of ephemeral index `cursor` (set semantics);
    /// `affinity` is applied first; `null_flag` is set to 1 when a
    /// single-column row is NULL (IN subqueries).
    EphIndex {
        cursor: usize,
        affinity: Option<crate::record::Affinity>,
        null_flag: Option<Reg>,
    },
    /// Each row is removed from ephemeral index `cursor` (EXCEPT).
    EphDelete { cursor: usize },
    /// Rows found in index `probe` are added to index `cursor` (INTERSECT).
    EphIntersect { probe: usize, cursor: usize },
    /// Each row is appended to ephemeral rowid table `cursor` (views,
    /// subqueries in FROM, UNION ALL under a set operator).
    EphTable { cursor: usize },
    /// Each row goes to sorter `cursor` with result columns `keys` first.
    Sorter { cursor: usize, keys: Vec<usize> },
    /// Rows are computed and dropped (SELECT inside a trigger body).
    Discard,
    /// Each row enters a recursive CTE's queue (cte.rs).
    RecQueue(super::cte::RecQueue),
    /// Each row is appended to window buffer `cursor` (window.rs).
    WinBuf { cursor: usize },
}

/// One output column: its expression and what the API reports.
#[derive(Clone, Debug)]
pub(crate) struct OutCol {
    pub expr: Expr,
    pub info: ColumnInfo,
}

/// One resolved ORDER BY term: expression, DESC, collation.
pub(crate) type OrderKey = (Expr, bool, Arc<dyn Collation>);

/// LIMIT/OFFSET counters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LimitRegs {
    pub limit: Option<Reg>,
    pub offset: Option<Reg>,
}

impl Gen<'_> {
    pub(super) fn select_statement(&mut self, s: &Select) -> Result<(), String> {
        self.select(s, &Dest::Output)
    }

    pub(crate) fn select(&mut self, s: &Select, dest: &Dest) -> Result<(), String> {
        if let Some(with) = &s.with {
            let depth = self.ctes.len();
            self.ctes.extend(with.ctes.iter().cloned());
            let inner = Select {
                with: None,
                ..s.clone()
            };
            let r = self.select(&inner, dest);
            self.ctes.truncate(depth);
            return r;
        }
        if !s.compounds.is_empty() {
            return self.compound(s, dest);
        }
        match &s.first {
            SelectCore::Values(rows) => self.values(rows, s, dest),
            SelectCore::Select(core) => self.simple_select(core, s, dest),
        }
    }

    fn values(&mut self, rows: &[Vec<Expr>], s: &Select, dest: &Dest) -> Result<(), String> {
        if !s.order_by.is_empty() || s.limit.is_some() {
            return Err("ORDER BY/LIMIT on VALUES is not supported by loom yet".into());
        }
        let width = rows.first().map_or(0, Vec::len);
        self.b.columns = (1..=width)
            .map(|i| ColumnInfo {
                name: format!("column{i}"),
                ..ColumnInfo::default()
            })
            .collect();
        for row in rows {
            if row.len() != width {
                return Err("all VALUES must have the same number of terms".into());
            }
            let start = self.b.alloc_regs(width);
            for (i, e) in row.iter().enumerate() {
                self.expr_into(e, &self.base_scope(), start + i)?;
            }
            self.emit_row(dest, start, width);
        }
        Ok(())
    }

    pub(crate) fn emit_row(&mut self, dest: &Dest, start: Reg, count: usize) {
        match dest {
            Dest::Output => {
                self.b.emit(Insn::ResultRow { start, count });
            }
            Dest::Discard => {}
            Dest::RecQueue(q) => self.emit_queue_row(q, start, count),
            Dest::WinBuf { cursor } => {
                self.b.emit(Insn::WinAppend {
                    cursor: *cursor,
                    start,
                    count,
                });
            }
            Dest::Scalar { reg, done } => {
                if count > 1 {
                    // A row-value subquery (update_rowvalue.rs).
                    self.b.emit(Insn::Copy {
                        src: start,
                        dest: *reg,
                        count,
                    });
                } else {
                    self.b.emit(Insn::SCopy {
                        src: start,
                        dest: *reg,
                    });
                }
                self.b.emit(Insn::Goto { target: *done });
            }
            Dest::Exists { reg, done } => {
                self.b.emit(Insn::Integer {
                    value: 1,
                    dest: *reg,
                });
                self.b.emit(Insn::Goto { target: *done });
            }
            Dest::EphIndex {
                cursor,
                affinity,
                null_flag,
            } => {
                if let Some(a) = affinity {
                    self.b.emit(Insn::Affinity {
                        start,
                        count,
                        affinities: vec![*a; count],
                    });
                }
                if let Some(flag) = null_flag {
                    let not_null = self.b.new_label();
                    self.b.emit(Insn::NotNull {
                        reg: start,
                        target: not_null.addr(),
                    });
                    self.b.emit(Insn::Integer {
                        value: 1,
                        dest: *flag,
                    });
                    self.b.resolve(not_null);
                }
                let rec = self.b.alloc_reg();
                self.b.emit(Insn::MakeRecord {
                    start,
                    count,
                    dest: rec,
                    affinities: None,
                });
                self.b.emit(Insn::IdxInsert {
                    cursor: *cursor,
                    key: rec,
                });
            }
            Dest::EphDelete { cursor } => {
                self.b.emit(Insn::IdxDelete {
                    cursor: *cursor,
                    key: start,
                    n_keys: count,
                });
            }
            Dest::EphIntersect { probe, cursor } => {
                let skip = self.b.new_label();
                self.b.emit(Insn::NotFound {
                    cursor: *probe,
                    key: start,
                    n_keys: count,
                    target: skip.addr(),
                });
                let rec = self.b.alloc_reg();
                self.b.emit(Insn::MakeRecord {
                    start,
                    count,
                    dest: rec,
                    affinities: None,
                });
                self.b.emit(Insn::IdxInsert {
                    cursor: *cursor,
                    key: rec,
                });
                self.b.resolve(skip);
            }
            Dest::EphTable { cursor } => {
                let rec = self.b.alloc_reg();
                let rowid = self.b.alloc_reg();
                self.b.emit(Insn::MakeRecord {
                    start,
                    count,
                    dest: rec,
                    affinities: None,
                });
                self.b.emit(Insn::NewRowid {
                    cursor: *cursor,
                    dest: rowid,
                    autoinc_reg: None,
                });
                self.b.emit(Insn::Insert {
                    cursor: *cursor,
                    record: rec,
                    rowid,
                    flags: Default::default(),
                });
            }
            Dest::Sorter { cursor, keys } => {
                let n = keys.len() + count;
                let regs = self.b.alloc_regs(n);
                for (i, k) in keys.iter().enumerate() {
                    self.b.emit(Insn::SCopy {
                        src: start + k,
                        dest: regs + i,
                    });
                }
                self.b.emit(Insn::Copy {
                    src: start,
                    dest: regs + keys.len(),
                    count,
                });
                self.sorter_insert(*cursor, regs, n);
            }
        }
    }

    /// Opens read cursors for the FROM clause and describes its sources.
    pub(crate) fn open_sources(&mut self, from: Option<&FromClause>) -> Result<Scope, String> {
        let mut scope = self.base_scope();
        let Some(from) = from else { return Ok(scope) };
        super::from_nested::check_nested_natural(from)?;
        for item in &from.items {
            let source = self.open_source(item)?;
            scope.sources.push(source);
        }
        scope.using = self.join_using(from, &scope.sources)?;
        scope.right_join = self.right_join_items(Some(from), scope.sources.len())?;
        Ok(scope)
    }

    /// Expands `*` and `t.*` and names every result column.
    pub(crate) fn result_columns(
        &self,
        cols: &[ResultColumn],
        scope: &Scope,
    ) -> Result<Vec<OutCol>, String> {
        let mut out = Vec::new();
        for rc in cols {
            match rc {
                ResultColumn::Star => {
                    if scope.sources.is_empty() {
                        return Err("no tables specified".into());
                    }
                    for (si, s) in scope.sources.iter().enumerate() {
                        let mut cols = Vec::new();
                        self.star_columns(s, &mut cols);
                        self.merge_using_columns(scope, si, &mut cols)?;
                        out.extend(cols);
                    }
                }
                ResultColumn::TableStar(t) if t == super::from_nested::NESTED_STAR => {
                    out.extend(self.nested_star_columns(scope));
                }
                ResultColumn::TableStar(t) => {
                    let s = scope.sources.iter().position(|s| {
                        s.name.eq_ignore_ascii_case(t) && self.nested_cols(s.cursor).is_none()
                    });
                    match s {
                        Some(si) => {
                            let mut cols = Vec::new();
                            self.star_columns(&scope.sources[si], &mut cols);
                            // A USING column left of a RIGHT/FULL join
                            // reads coalesced, as in `*`.
                            if !scope.using.iter().any(|(u, _)| *u == si) {
                                self.merge_using_columns(scope, si, &mut cols)?;
                            }
                            out.extend(cols);
                        }
                        None => out.extend(
                            self.nested_table_star(scope, t)
                                .ok_or_else(|| format!("no such table: {t}"))?,
                        ),
                    }
                }
                ResultColumn::Expr {
                    expr,
                    alias,
                    span_name,
                } => {
                    let info = self.column_info(expr, alias.as_deref(), span_name, scope);
                    out.push(OutCol {
                        expr: expr.clone(),
                        info,
                    });
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn star_columns(&self, s: &Source, out: &mut Vec<OutCol>) {
        for (ci, c) in s.table.columns.iter().enumerate() {
            if self.is_hidden_column(s.cursor, ci) || self.is_nested_hidden(s.cursor, ci) {
                continue;
            }
            let expr = Expr {
                kind: ExprKind::Column {
                    schema: None,
                    table: Some(s.name.clone()),
                    column: c.name.clone(),
                    double_quoted: false,
                },
                span: (0, 0),
                height: 1,
            };
            let info = ColumnInfo {
                name: c.name.clone(),
                decltype: c.decltype.clone(),
                database: Some("main".into()),
                table: Some(s.table.name.clone()),
                origin: Some(c.name.clone()),
                collation: Some(c.collation.clone()),
            };
            out.push(OutCol { expr, info });
        }
    }

    fn column_info(
        &self,
        e: &Expr,
        alias: Option<&str>,
        span_name: &str,
        scope: &Scope,
    ) -> ColumnInfo {
        let mut info = ColumnInfo {
            name: span_name.to_string(),
            ..ColumnInfo::default()
        };
        if let ExprKind::Column { table, column, .. } = &e.kind {
            if let Ok(Some((si, col))) = self.resolve_column(scope, table.as_deref(), column) {
                let t = &scope.source(si).table;
                let (name, decl) = match col {
                    Some(c) => (t.columns[c].name.clone(), t.columns[c].decltype.clone()),
                    None => match t.ipk {
                        Some(c) => (t.columns[c].name.clone(), t.columns[c].decltype.clone()),
                        None => (column.clone(), Some("INTEGER".to_string())),
                    },
                };
                info = ColumnInfo {
                    name: name.clone(),
                    decltype: decl,
                    database: Some("main".into()),
                    table: Some(t.name.clone()),
                    origin: Some(name),
                    collation: None,
                };
            }
        }
        if let Some(a) = alias {
            info.name = a.to_string();
        }
        info.collation = self.expr_collation(e, scope).map(|c| c.name().to_string());
        info
    }

    /// One SELECT core; the enclosing query's covering hint survives it (a
    /// subquery coded between two of its loops sets its own).
    fn simple_select(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        dest: &Dest,
    ) -> Result<(), String> {
        let saved = self.covering_hint.take();
        let r = self.simple_select_core(core, s, dest);
        self.covering_hint = saved;
        r
    }

    fn simple_select_core(
        &mut self,
        core: &SimpleSelect,
        s: &Select,
        dest: &Dest,
    ) -> Result<(), String> {
        if Self::has_window_calls(core, s) {
            return self.window_select(core, s, dest);
        }
        let mut scope = self.open_sources(core.from.as_ref())?;
        let cols = self.result_columns(&core.columns, &scope)?;
        self.b.columns = cols.iter().map(|c| c.info.clone()).collect();
        scope.aliases = core
            .columns
            .iter()
            .filter_map(|c| match c {
                ResultColumn::Expr {
                    expr,
                    alias: Some(a),
                    ..
                } => Some((a.clone(), expr.clone())),
                _ => None,
            })
            .collect();
        let aggs = self.find_aggregates(&cols, core, &s.order_by);
        self.covering_hint = self.columns_read(core, s, &cols, &scope);
        // ORDER BY sort avoidance picks its own scan (`order_scan`).
        self.covering_scan = true;
        if !aggs.is_empty() || !core.group_by.is_empty() {
            let grouped = self.resolve_group_by(core, &cols, &scope)?;
            return self.aggregate_select(&grouped, s, &scope, &cols, aggs, dest);
        }
        if core.having.is_some() {
            return Err("HAVING clause on a non-aggregate query".into());
        }
        let limits = self.limit_regs(s)?;
        let done = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: done.addr(),
                jump_if_null: true,
            });
        }
        let order = self.order_terms(&s.order_by, &cols, &scope)?;
        let distinct = if core.distinct {
            Some(self.open_distinct_cols(&cols, &scope)?)
        } else {
            None
        };
        let sorted = match order.is_empty() {
            true => 0,
            false => {
                let w = core.where_.as_ref();
                self.scan_delivers_order(&scope, w, &order, limits.limit.is_some())?
            }
        };
        if sorted > 0 && sorted < order.len() {
            let bs = super::sort_block::BlockSort {
                cols: &cols,
                order: &order,
                sorted,
                distinct,
                dest,
                limits,
                done,
            };
            self.block_sort(&scope, core, bs)?;
        } else if order.is_empty() || sorted == order.len() {
            let lp = self.begin_loops(&scope, core.where_.as_ref(), core.from.as_ref())?;
            let start = self.eval_columns(&cols, &scope)?;
            if let Some(d) = distinct {
                self.skip_duplicate(d, start, cols.len(), lp.cont.addr());
            }
            self.output_with_limits(dest, start, cols.len(), limits, lp.cont.addr(), done.addr());
            self.end_loops(lp);
            if distinct.is_some() {
                self.eqp.add(|| "USE TEMP B-TREE FOR DISTINCT".into());
            }
        } else {
            let top_n = limits.limit.map(|l| (l, limits.offset));
            let fields = match distinct {
                None => order_fields(&order, &cols),
                Some(_) => (order.len()..order.len() + cols.len()).collect(),
            };
            let sorter = self.sort_into(&scope, core, &cols, &order, &fields, distinct, top_n)?;
            let width = stored_width(order.len(), &fields);
            self.sort_output_fields(sorter, width, &fields, dest, limits, done.addr());
        }
        self.b.resolve(done);
        Ok(())
    }

    /// GROUP BY terms that name result columns: `GROUP BY 2` is the second
    /// result column, `GROUP BY alias` the aliased expression (when no
    /// table column has that name).
    pub(super) fn resolve_group_by(
        &self,
        core: &SimpleSelect,
        cols: &[OutCol],
        scope: &Scope,
    ) -> Result<SimpleSelect, String> {
        let mut out = core.clone();
        for (i, g) in out.group_by.iter_mut().enumerate() {
            // As sqlite3ExprIsInteger: a literal (maybe negated) that fits in
            // 32 bits names a result column; larger ones are constants.
            let number = group_ordinal(g);
            if let Some(k) = number {
                if k < 1 || k as usize > cols.len() {
                    return Err(format!(
                        "{} GROUP BY term out of range - should be between 1 and {}",
                        ordinal(i + 1),
                        cols.len()
                    ));
                }
                let target = &cols[k as usize - 1].expr;
                let mut has_agg = false;
                super::planner::walk(target, &mut |x| {
                    if let ExprKind::Function(call) = &x.kind {
                        has_agg |= self.is_aggregate_call(call);
                    }
                });
                if has_agg {
                    return Err("aggregate functions are not allowed in the GROUP BY clause".into());
                }
                *g = target.clone();
                continue;
            }
            match &g.kind {
                ExprKind::Column {
                    table: None,
                    column,
                    ..
                } if self.resolve_column(scope, None, column)?.is_none() => {
                    if let Some((_, e)) = scope
                        .aliases
                        .iter()
                        .find(|(a, _)| a.eq_ignore_ascii_case(column))
                    {
                        *g = e.clone();
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Codes the result columns into consecutive registers.
    pub(crate) fn eval_columns(&mut self, cols: &[OutCol], scope: &Scope) -> Result<Reg, String> {
        let start = self.b.alloc_regs(cols.len());
        for (i, c) in cols.iter().enumerate() {
            self.expr_into(&c.expr, scope, start + i)?;
        }
        Ok(start)
    }

    /// An ephemeral index remembering rows already produced (DISTINCT).
    pub(crate) fn open_distinct(&mut self, n: usize) -> usize {
        self.open_distinct_keyed(Arc::new(KeyInfo::binary(n)))
    }

    /// The DISTINCT index for result columns `cols`: each key column
    /// compares with its expression's collation (explicit COLLATE or the
    /// column's declared one), as SQLite de-duplicates.
    pub(crate) fn open_distinct_cols(
        &mut self,
        cols: &[OutCol],
        scope: &Scope,
    ) -> Result<usize, String> {
        let key_info = self.distinct_key_info(cols.iter().map(|c| &c.expr), scope)?;
        Ok(self.open_distinct_keyed(key_info))
    }

    /// A KeyInfo comparing each of `exprs` with its collation; an explicit
    /// COLLATE naming an unknown sequence is an error, as in SQLite.
    pub(crate) fn distinct_key_info<'e>(
        &self,
        exprs: impl Iterator<Item = &'e Expr>,
        scope: &Scope,
    ) -> Result<Arc<KeyInfo>, String> {
        let mut collations: Vec<Arc<dyn Collation>> = Vec::new();
        for e in exprs {
            let c = match &e.kind {
                ExprKind::Collate(_, name) => self.collation(name)?,
                _ => self
                    .expr_collation(e, scope)
                    .unwrap_or_else(|| Arc::new(Binary) as Arc<dyn Collation>),
            };
            collations.push(c);
        }
        let desc = vec![false; collations.len()];
        Ok(Arc::new(KeyInfo { collations, desc }))
    }

    fn open_distinct_keyed(&mut self, key_info: Arc<KeyInfo>) -> usize {
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: key_info.collations.len(),
            key_info: Some(key_info),
        });
        cursor
    }

    /// Jumps to `skip` if registers start..start+n were seen before; records them otherwise.
    pub(crate) fn skip_duplicate(&mut self, cursor: usize, start: Reg, n: usize, skip: usize) {
        self.b.emit(Insn::Found {
            cursor,
            key: start,
            n_keys: n,
            target: skip,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count: n,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::IdxInsert { cursor, key: rec });
    }

    /// Evaluates LIMIT and OFFSET into counter registers.
    pub(crate) fn limit_regs(&mut self, s: &Select) -> Result<LimitRegs, String> {
        let Some(l) = &s.limit else {
            return Ok(LimitRegs {
                limit: None,
                offset: None,
            });
        };
        let scope = self.base_scope();
        let limit = self.expr_copy(&l.limit, &scope)?;
        self.b.emit(Insn::MustBeInt {
            reg: limit,
            target: None,
        });
        let offset = match &l.offset {
            Some(o) => {
                let r = self.expr_copy(o, &scope)?;
                self.b.emit(Insn::MustBeInt {
                    reg: r,
                    target: None,
                });
                Some(r)
            }
            None => None,
        };
        Ok(LimitRegs {
            limit: Some(limit),
            offset,
        })
    }

    /// Emits a row honouring OFFSET (skip to `next`) and LIMIT (stop at `done`).
    pub(crate) fn output_with_limits(
        &mut self,
        dest: &Dest,
        start: Reg,
        n: usize,
        limits: LimitRegs,
        next: usize,
        done: usize,
    ) {
        if let Some(off) = limits.offset {
            self.b.emit(Insn::IfPos {
                reg: off,
                target: next,
                decrement: 1,
            });
        }
        self.emit_row(dest, start, n);
        if let Some(l) = limits.limit {
            self.b.emit(Insn::DecrJumpZero {
                reg: l,
                target: done,
            });
        }
    }

    /// Packs registers `start..start + count` into one record and adds it
    /// to sorter `cursor`.
    pub(super) fn sorter_insert(&mut self, cursor: usize, start: Reg, count: usize) {
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::SorterInsert {
            cursor,
            record: rec,
        });
    }

    /// Resolves ORDER BY terms: column numbers and aliases refer to result columns.
    pub(crate) fn order_terms(
        &self,
        terms: &[OrderingTerm],
        cols: &[OutCol],
        scope: &Scope,
    ) -> Result<Vec<OrderKey>, String> {
        let mut out = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            let desc = t.order == Some(SortOrder::Desc);
            let (inner, explicit) = match &t.expr.kind {
                ExprKind::Collate(e, name) => (e.as_ref(), Some(self.collation(name)?)),
                _ => (&t.expr, None),
            };
            let expr = match &inner.kind {
                ExprKind::Literal(Literal::Integer(n)) => {
                    let k: usize = n.parse().unwrap_or(0);
                    if k == 0 || k > cols.len() {
                        return Err(format!(
                            "{} ORDER BY term out of range - should be between 1 and {}",
                            ordinal(i + 1),
                            cols.len()
                        ));
                    }
                    cols[k - 1].expr.clone()
                }
                ExprKind::Column {
                    table: None,
                    column,
                    ..
                } if self
                    .resolve_column(scope, None, column)
                    .ok()
                    .flatten()
                    .is_none() =>
                {
                    cols.iter()
                        .find(|c| c.info.name.eq_ignore_ascii_case(column))
                        .map(|c| c.expr.clone())
                        .unwrap_or_else(|| inner.clone())
                }
                _ => inner.clone(),
            };
            let coll = explicit
                .or_else(|| self.expr_collation(&expr, scope))
                .unwrap_or_else(|| Arc::new(Binary));
            if super::nulls_order::flips_nulls(t) {
                out.push(super::nulls_order::null_flag_key(&expr, desc));
            }
            out.push((expr, desc, coll));
        }
        Ok(out)
    }

    /// Runs the loops, feeding [keys…, columns…] records into a new sorter;
    /// result column i is stored in field `fields[i]` (a key's field when it
    /// is the same column as that ORDER BY term, see [`order_fields`]).
    #[allow(clippy::too_many_arguments)]
    fn sort_into(
        &mut self,
        scope: &Scope,
        core: &SimpleSelect,
        cols: &[OutCol],
        order: &[OrderKey],
        fields: &[usize],
        distinct: Option<usize>,
        top_n: Option<(Reg, Option<Reg>)>,
    ) -> Result<usize, String> {
        let sorter = self.b.alloc_cursor();
        let key_info = KeyInfo {
            collations: order.iter().map(|o| o.2.clone()).collect(),
            desc: order.iter().map(|o| o.1).collect(),
        };
        let n = stored_width(order.len(), fields);
        self.b.emit(Insn::SorterOpen {
            cursor: sorter,
            n_cols: n,
            key_info: Arc::new(key_info),
        });
        if let Some((limit, offset)) = top_n {
            self.b.emit(Insn::SorterLimit {
                cursor: sorter,
                limit,
                offset,
            });
        }
        let lp = self.begin_loops(scope, core.where_.as_ref(), core.from.as_ref())?;
        let start = self.b.alloc_regs(n);
        // Top-n without DISTINCT: keys first, and a row the sorter would
        // drop skips its result columns and record (as SQLite does).
        let early = top_n.is_some() && distinct.is_none();
        if early {
            for (i, (e, _, _)) in order.iter().enumerate() {
                self.expr_into(e, scope, start + i)?;
            }
            self.b.emit(Insn::SorterTopCheck {
                cursor: sorter,
                key: start,
                n_keys: order.len(),
                target: lp.cont.addr(),
            });
        }
        for (c, &f) in cols.iter().zip(fields) {
            if f >= order.len() {
                self.expr_into(&c.expr, scope, start + f)?;
            }
        }
        if let Some(d) = distinct {
            self.skip_duplicate(d, start + order.len(), cols.len(), lp.cont.addr());
        }
        if !early {
            for (i, (e, _, _)) in order.iter().enumerate() {
                self.expr_into(e, scope, start + i)?;
            }
        }
        self.sorter_insert(sorter, start, n);
        self.end_loops(lp);
        if distinct.is_some() {
            self.eqp.add(|| "USE TEMP B-TREE FOR DISTINCT".into());
        }
        self.eqp.add(|| "USE TEMP B-TREE FOR ORDER BY".into());
        Ok(sorter)
    }

    /// Reads the sorter back in order and emits the result columns.
    pub(crate) fn sort_output(
        &mut self,
        sorter: usize,
        n_keys: usize,
        n_cols: usize,
        dest: &Dest,
        limits: LimitRegs,
        done: usize,
    ) {
        let fields: Vec<usize> = (n_keys..n_keys + n_cols).collect();
        self.sort_output_fields(sorter, n_keys + n_cols, &fields, dest, limits, done);
    }

    /// [`Self::sort_output`] for records of `width` fields whose result
    /// column i is field `fields[i]`.
    pub(crate) fn sort_output_fields(
        &mut self,
        sorter: usize,
        width: usize,
        fields: &[usize],
        dest: &Dest,
        limits: LimitRegs,
        done: usize,
    ) {
        let n_cols = fields.len();
        let pseudo = self.b.alloc_cursor();
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::OpenPseudo {
            cursor: pseudo,
            reg: rec,
            n_cols: width,
        });
        let next = self.b.new_label();
        self.b.emit(Insn::SorterSort {
            cursor: sorter,
            if_empty: done,
        });
        let top = self.b.here();
        self.b.emit(Insn::SorterData {
            cursor: sorter,
            dest: rec,
            pseudo,
        });
        let start = self.b.alloc_regs(n_cols);
        for (i, &f) in fields.iter().enumerate() {
            self.b.emit(Insn::Column {
                cursor: pseudo,
                column: f,
                dest: start + i,
                default: None,
            });
        }
        self.output_with_limits(dest, start, n_cols, limits, next.addr(), done);
        self.b.resolve(next);
        self.b.emit(Insn::SorterNext {
            cursor: sorter,
            target: top,
        });
    }

    /// Aggregate calls in the result columns, HAVING and ORDER BY (by span).
    fn find_aggregates(
        &self,
        cols: &[OutCol],
        core: &SimpleSelect,
        order: &[OrderingTerm],
    ) -> Vec<Expr> {
        let mut found = Vec::new();
        let mut seen = HashMap::new();
        let mut visit = |e: &Expr| self.collect_aggs(e, &mut found, &mut seen);
        cols.iter().for_each(|c| visit(&c.expr));
        if let Some(h) = &core.having {
            visit(h);
        }
        order.iter().for_each(|o| visit(&o.expr));
        found
    }
}

/// "1st", "2nd", "3rd", "4th" … as SQLite's ORDER BY errors spell them.
/// The value of a GROUP BY term that SQLite takes as a column number:
/// `sqlite3ExprIsInteger` (a 32-bit integer literal under unary +/-), after
/// the parser's folding of `x AND 0` / `0 AND x` to 0.
/// The sorter field of each result column: the index of the first ORDER
/// BY term naming the same column (its value is the column's value; the
/// term's COLLATE only orders), else the next field after the keys.
pub(super) fn order_fields(order: &[OrderKey], cols: &[OutCol]) -> Vec<usize> {
    let mut next = order.len();
    cols.iter()
        .map(|c| {
            let same = order
                .iter()
                .position(|(e, _, _)| same_column(strip_collate(e), &c.expr));
            same.unwrap_or_else(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// How many fields a sorter record holds: the keys plus the result
/// columns stored after them.
pub(super) fn stored_width(n_keys: usize, fields: &[usize]) -> usize {
    n_keys + fields.iter().filter(|&&f| f >= n_keys).count()
}

fn strip_collate(mut e: &Expr) -> &Expr {
    while let ExprKind::Collate(inner, _) = &e.kind {
        e = inner;
    }
    e
}

/// Both are plain references to the same column, spelled the same way (so
/// they resolve alike).
fn same_column(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (
            ExprKind::Column {
                schema: sa,
                table: ta,
                column: ca,
                double_quoted: qa,
            },
            ExprKind::Column {
                schema: sb,
                table: tb,
                column: cb,
                double_quoted: qb,
            },
        ) => {
            let eq = |x: &Option<String>, y: &Option<String>| match (x, y) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                (None, None) => true,
                _ => false,
            };
            eq(sa, sb) && eq(ta, tb) && ca.eq_ignore_ascii_case(cb) && qa == qb
        }
        _ => false,
    }
}

fn group_ordinal(e: &Expr) -> Option<i64> {
    use crate::sql::ast::{BinaryOp, UnaryOp};
    match &e.kind {
        ExprKind::Literal(Literal::Integer(n)) => small_int(n),
        ExprKind::Unary(UnaryOp::Plus, inner) => group_ordinal(inner),
        ExprKind::Unary(UnaryOp::Negate, inner) => group_ordinal(inner).map(|v| -v),
        ExprKind::Binary(BinaryOp::And, l, r) => {
            let is_zero = |x: &Expr| matches!(&x.kind, ExprKind::Literal(Literal::Integer(n)) if small_int(n) == Some(0));
            (is_zero(l) || is_zero(r)).then_some(0)
        }
        _ => None,
    }
}

/// An integer literal's value when it fits in 32 bits (decimal or hex).
fn small_int(text: &str) -> Option<i64> {
    super::expr::parse_integer(text).filter(|v| i32::try_from(*v).is_ok())
}

pub(super) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
