//! Common table expressions: circular-reference detection and recursive
//! CTEs (`WITH [RECURSIVE] x AS (initial UNION [ALL] recursive …)`).
//!
//! SQLite counterpart: `generateWithRecursiveQuery` and the CTE parts of
//! `sqlite3WithAdd`/`resolveFromTermToCte` (select.c).
//!
//! A recursive CTE is materialized by the queue algorithm of
//! lang_with.html:
//! 1. the initial select's rows go into the queue (ephemeral index keyed
//!    by `[ORDER BY keys…, sequence number, columns…]`, so the smallest key,
//!    or the oldest row without ORDER BY, comes out first);
//! 2. while the queue is not empty: take its first row out, append it to
//!    the result table (after OFFSET, until LIMIT), make it the only row of
//!    the "current" table, and run every recursive select, whose reference
//!    to the CTE reads the current table, adding its rows to the queue.
//!
//! With UNION (the last compound operator), a row enters the queue only if
//! an identical row never did (a "seen" ephemeral index).
//!
//! Invariants:
//! 1. A CTE that is being compiled and is referenced again other than as
//!    the single FROM term of a recursive select is an error ("circular
//!    reference", "multiple recursive references"), never an endless
//!    expansion.
//! 2. Recursive selects may not aggregate; each names the CTE at most once
//!    in its own FROM clause.

use std::sync::Arc;

use super::expr::Source;
use super::select::Dest;
use super::Gen;
use crate::record::{Binary, Collation, KeyInfo};
use crate::sql::ast::{
    CompoundOp, Cte, Expr, ExprKind, Literal, ResultColumn, Select, SelectCore, SortOrder,
    TableSource,
};
use crate::vdbe::{ArithOp, Insn, Reg};

/// Width, ORDER BY keys (column, DESC, collation) and the column infos of
/// the initial select.
type BodyInfo = (usize, OrderKeys, Vec<crate::vdbe::ColumnInfo>);

/// ORDER BY keys of a recursive CTE: result column, DESC, collation.
type OrderKeys = Vec<(usize, bool, Arc<dyn Collation>)>;

/// Prefix of the synthetic name a recursive select's CTE reference gets.
const CURRENT: &str = "\u{1}recursive:";

/// The queue a recursive CTE's rows go through (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct RecQueue {
    pub queue: usize,
    pub seen: Option<usize>,
    /// Result columns copied in front as ORDER BY keys.
    pub keys: Vec<usize>,
    /// The sequence counter and a register holding 1.
    pub seq: Reg,
    pub one: Reg,
}

fn refers_directly(core: &SelectCore, name: &str) -> usize {
    let SelectCore::Select(s) = core else {
        return 0;
    };
    s.from.as_ref().map_or(0, |f| {
        f.items
            .iter()
            .filter(|i| {
                matches!(&i.source, TableSource::Table(q)
                    if q.schema.is_none() && q.name.eq_ignore_ascii_case(name))
            })
            .count()
    })
}

impl Gen<'_> {
    /// `open_source` for a CTE name: the current row of a recursive select,
    /// or a materialized CTE (recursive or not).
    pub(crate) fn open_cte(
        &mut self,
        cte: &Cte,
        name: &str,
        alias: Option<&str>,
    ) -> Result<Source, String> {
        if self
            .cte_active
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&cte.name))
        {
            let bound = format!("{CURRENT}{}", cte.name.to_ascii_lowercase());
            if self.rec_tables.iter().any(|(n, _)| *n == bound) {
                return Err(format!("multiple recursive references: {}", cte.name));
            }
            return Err(format!("circular reference: {}", cte.name));
        }
        self.cte_active.push(cte.name.clone());
        let r = match self.recursive_split(cte)? {
            Some(first_rec) => self.recursive_cte(cte, first_rec, alias.unwrap_or(name)),
            None => self.materialize_cte(&cte.select, name, &cte.columns),
        };
        self.cte_active.pop();
        r
    }

    /// The source bound to a recursive select's CTE reference, if `name`
    /// is such a synthetic name.
    pub(crate) fn current_row_source(&self, name: &str, alias: Option<&str>) -> Option<Source> {
        let (_, src) = self.rec_tables.iter().rev().find(|(n, _)| n == name)?;
        let mut s = src.clone();
        if let Some(a) = alias {
            s.name = a.to_string();
        }
        Some(s)
    }

    /// True when source `si` is a recursive select's current-row table
    /// (refilled on every step: an automatic index over it would go stale).
    pub(crate) fn is_current_row_table(&self, scope: &super::expr::Scope, si: usize) -> bool {
        scope
            .sources
            .get(si)
            .is_some_and(|s| self.rec_tables.iter().any(|(_, r)| r.cursor == s.cursor))
    }

    /// The index of the first recursive select of `cte` (into the list
    /// `[first, compounds…]`), or None when `cte` is not recursive.
    fn recursive_split(&self, cte: &Cte) -> Result<Option<usize>, String> {
        let s = &cte.select;
        let cores: Vec<&SelectCore> = std::iter::once(&s.first)
            .chain(s.compounds.iter().map(|c| &c.1))
            .collect();
        let Some(first) = cores.iter().position(|c| refers_directly(c, &cte.name) > 0) else {
            return Ok(None);
        };
        let circular = || format!("circular reference: {}", cte.name);
        if first == 0 {
            return Err(circular());
        }
        let last_op = s.compounds.last().map(|c| c.0);
        if !matches!(last_op, Some(CompoundOp::Union | CompoundOp::UnionAll)) {
            return Err(circular());
        }
        for core in &cores[first..] {
            if refers_directly(core, &cte.name) > 1 {
                return Err(format!(
                    "multiple references to recursive table: {}",
                    cte.name
                ));
            }
            if let SelectCore::Select(sc) = core {
                let mut aggs = Vec::new();
                let mut seen = std::collections::HashMap::new();
                for c in &sc.columns {
                    if let ResultColumn::Expr { expr, .. } = c {
                        self.collect_aggs(expr, &mut aggs, &mut seen);
                    }
                }
                if !aggs.is_empty() || !sc.group_by.is_empty() {
                    return Err("recursive aggregate queries not supported".into());
                }
            }
        }
        Ok(Some(first))
    }

    /// Materializes a non-recursive CTE (`open_source`'s plain path).
    fn materialize_cte(
        &mut self,
        sel: &Select,
        name: &str,
        names: &[String],
    ) -> Result<Source, String> {
        let saved = std::mem::take(&mut self.rec_tables);
        let r = self.materialize(sel, name, names);
        self.rec_tables = saved;
        r
    }

    fn recursive_cte(&mut self, cte: &Cte, first_rec: usize, name: &str) -> Result<Source, String> {
        let s = &cte.select;
        let (result, queue, cur) = (
            self.b.alloc_cursor(),
            self.b.alloc_cursor(),
            self.b.alloc_cursor(),
        );
        let open_result = self.b.emit(Insn::OpenEphemeral {
            cursor: result,
            n_cols: 0,
            key_info: None,
        });
        let open_queue = self.b.emit(Insn::OpenEphemeral {
            cursor: queue,
            n_cols: 0,
            key_info: None,
        });
        let seen = (s.compounds.last().map(|c| c.0) == Some(CompoundOp::Union))
            .then(|| self.b.alloc_cursor());
        let open_seen = seen.map(|c| {
            self.b.emit(Insn::OpenEphemeral {
                cursor: c,
                n_cols: 0,
                key_info: None,
            })
        });
        let (seq, one) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::Integer {
            value: 0,
            dest: seq,
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: one,
        });
        // 1. The initial select.
        let initial = Select {
            with: None,
            first: s.first.clone(),
            compounds: s.compounds[..first_rec - 1].to_vec(),
            order_by: Vec::new(),
            limit: None,
            span: s.span,
        };
        let saved_cols = std::mem::take(&mut self.b.columns);
        let saved_outer = std::mem::take(&mut self.outer);
        let saved_rec = std::mem::take(&mut self.rec_tables);
        let r = self.recursive_body(
            cte,
            &initial,
            first_rec,
            [result, queue, cur],
            seen,
            seq,
            one,
        );
        self.b.columns = saved_cols;
        self.outer = saved_outer;
        self.rec_tables = saved_rec;
        let (width, keys, infos) = r?;
        let mut colls: Vec<Arc<dyn Collation>> = keys.iter().map(|k| k.2.clone()).collect();
        let mut desc: Vec<bool> = keys.iter().map(|k| k.1).collect();
        colls.extend((0..=width).map(|_| Arc::new(Binary) as Arc<dyn Collation>));
        desc.extend(std::iter::repeat_n(false, width + 1));
        let qinfo = Arc::new(KeyInfo {
            collations: colls,
            desc,
        });
        if let Some(Insn::OpenEphemeral {
            n_cols, key_info, ..
        }) = self.b.insn_mut(open_queue)
        {
            *n_cols = keys.len() + 1 + width;
            *key_info = Some(qinfo);
        }
        if let Some(Insn::OpenEphemeral {
            n_cols, key_info, ..
        }) = open_seen.and_then(|a| self.b.insn_mut(a))
        {
            *n_cols = width;
            *key_info = Some(Arc::new(KeyInfo::binary(width)));
        }
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_result) {
            *n_cols = width;
        }
        let names = if cte.columns.is_empty() {
            infos.iter().map(|i| i.name.clone()).collect()
        } else {
            cte.columns.clone()
        };
        Ok(self.ephemeral_source(result, name, &infos, &names))
    }

    /// Codes the initial select and the queue loop; returns the width and
    /// the ORDER BY keys (column, DESC, collation).
    #[allow(clippy::too_many_arguments)]
    fn recursive_body(
        &mut self,
        cte: &Cte,
        initial: &Select,
        first_rec: usize,
        [result, queue, cur]: [usize; 3],
        seen: Option<usize>,
        seq: Reg,
        one: Reg,
    ) -> Result<BodyInfo, String> {
        let s = &cte.select;
        let names_hint = initial_names(&s.first);
        let keys = self.recursive_order(s, &names_hint)?;
        let rq = RecQueue {
            queue,
            seen,
            keys: keys.iter().map(|k| k.0).collect(),
            seq,
            one,
        };
        self.select(initial, &Dest::RecQueue(rq.clone()))?;
        let infos = self.b.columns.clone();
        let width = infos.len();
        if !cte.columns.is_empty() && cte.columns.len() != width {
            return Err(format!(
                "table {} has {} values for {} columns",
                cte.name,
                width,
                cte.columns.len()
            ));
        }
        if rq.keys.iter().any(|&k| k >= width) {
            return Err("ORDER BY term out of range in recursive CTE".into());
        }
        let names: Vec<String> = if cte.columns.is_empty() {
            infos.iter().map(|i| i.name.clone()).collect()
        } else {
            cte.columns.clone()
        };
        let limits = self.limit_regs(s)?;
        let end = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: end.addr(),
                jump_if_null: true,
            });
        }
        let top = self.b.here();
        self.b.emit(Insn::Rewind {
            cursor: queue,
            if_empty: end.addr(),
        });
        let n_all = keys.len() + 1 + width;
        let all = self.b.alloc_regs(n_all);
        for i in 0..n_all {
            self.b.emit(Insn::Column {
                cursor: queue,
                column: i,
                dest: all + i,
                default: None,
            });
        }
        self.b.emit(Insn::IdxDelete {
            cursor: queue,
            key: all,
            n_keys: n_all,
        });
        let row = all + keys.len() + 1;
        let after_output = self.b.new_label();
        if let Some(off) = limits.offset {
            self.b.emit(Insn::IfPos {
                reg: off,
                target: after_output.addr(),
                decrement: 1,
            });
        }
        self.emit_row(&Dest::EphTable { cursor: result }, row, width);
        if let Some(l) = limits.limit {
            self.b.emit(Insn::DecrJumpZero {
                reg: l,
                target: end.addr(),
            });
        }
        self.b.resolve(after_output);
        self.b.emit(Insn::OpenEphemeral {
            cursor: cur,
            n_cols: width,
            key_info: None,
        });
        self.emit_row(&Dest::EphTable { cursor: cur }, row, width);
        let cur_src = self.ephemeral_source(cur, &cte.name, &infos, &names);
        let synthetic = format!("{CURRENT}{}", cte.name.to_ascii_lowercase());
        self.rec_tables.push((synthetic.clone(), cur_src));
        for core in std::iter::once(&s.first)
            .chain(s.compounds.iter().map(|c| &c.1))
            .skip(first_rec)
        {
            let rec = Select {
                with: None,
                first: bind_current(core, &cte.name, &synthetic),
                compounds: Vec::new(),
                order_by: Vec::new(),
                limit: None,
                span: s.span,
            };
            self.select(&rec, &Dest::RecQueue(rq.clone()))?;
            if self.b.columns.len() != width {
                return Err(
                    "SELECTs to the left and right of UNION ALL do not have the same number of result columns"
                        .into(),
                );
            }
        }
        self.b.emit(Insn::Goto { target: top });
        self.b.resolve(end);
        Ok((width, keys, infos))
    }

    /// ORDER BY of a recursive CTE: result column numbers or names only.
    fn recursive_order(&self, s: &Select, names: &[String]) -> Result<OrderKeys, String> {
        let mut keys = Vec::new();
        for t in &s.order_by {
            let (e, coll) = match &t.expr.kind {
                ExprKind::Collate(inner, c) => (inner.as_ref(), Some(self.collation(c)?)),
                _ => (&t.expr, None),
            };
            let col = match &e.kind {
                ExprKind::Literal(Literal::Integer(n)) => n
                    .parse::<usize>()
                    .ok()
                    .filter(|k| *k >= 1 && *k <= names.len())
                    .map(|k| k - 1),
                ExprKind::Column {
                    table: None,
                    column,
                    ..
                } => names
                    .iter()
                    .position(|n| !n.is_empty() && n.eq_ignore_ascii_case(column)),
                _ => None,
            };
            let nth = super::select::ordinal(keys.len() + 1);
            let Some(col) = col else {
                return Err(match &e.kind {
                    ExprKind::Literal(Literal::Integer(_)) => format!(
                        "{nth} ORDER BY term out of range - should be between 1 and {}",
                        names.len()
                    ),
                    _ => format!("{nth} ORDER BY term does not match any column in the result set"),
                });
            };
            keys.push((
                col,
                t.order == Some(SortOrder::Desc),
                coll.unwrap_or_else(|| Arc::new(Binary)),
            ));
        }
        Ok(keys)
    }

    /// `emit_row` for [`Dest::RecQueue`].
    pub(crate) fn emit_queue_row(&mut self, q: &RecQueue, start: Reg, count: usize) {
        let skip = self.b.new_label();
        if let Some(seen) = q.seen {
            self.b.emit(Insn::Found {
                cursor: seen,
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
                cursor: seen,
                key: rec,
            });
        }
        let n = q.keys.len() + 1 + count;
        let regs = self.b.alloc_regs(n);
        for (i, k) in q.keys.iter().enumerate() {
            self.b.emit(Insn::SCopy {
                src: start + k,
                dest: regs + i,
            });
        }
        self.b.emit(Insn::Arith {
            op: ArithOp::Add,
            lhs: q.seq,
            rhs: q.one,
            dest: q.seq,
        });
        self.b.emit(Insn::SCopy {
            src: q.seq,
            dest: regs + q.keys.len(),
        });
        self.b.emit(Insn::Copy {
            src: start,
            dest: regs + q.keys.len() + 1,
            count,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: n,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::IdxInsert {
            cursor: q.queue,
            key: rec,
        });
        self.b.resolve(skip);
    }
}

/// `core` with its direct FROM reference to `name` renamed to the
/// synthetic current-row name (keeping the original name as alias).
fn bind_current(core: &SelectCore, name: &str, synthetic: &str) -> SelectCore {
    let mut core = core.clone();
    if let SelectCore::Select(s) = &mut core {
        if let Some(f) = &mut s.from {
            for item in &mut f.items {
                if let TableSource::Table(q) = &mut item.source {
                    if q.schema.is_none() && q.name.eq_ignore_ascii_case(name) {
                        q.name = synthetic.to_string();
                        if item.alias.is_none() {
                            item.alias = Some(name.to_string());
                        }
                    }
                }
            }
        }
    }
    core
}

/// The names a compound's ORDER BY may use for the result columns of its
/// first select: AS aliases and bare column references ("" for others;
/// VALUES has none; a star ends the list).
fn initial_names(core: &SelectCore) -> Vec<String> {
    let s = match core {
        SelectCore::Select(s) => s,
        SelectCore::Values(rows) => {
            let n = rows.first().map_or(0, Vec::len);
            return vec![String::new(); n];
        }
    };
    let mut out = Vec::new();
    for c in &s.columns {
        match c {
            ResultColumn::Expr {
                expr,
                alias,
                span_name,
            } => out.push(match (alias, &expr.kind) {
                (Some(a), _) => a.clone(),
                (None, ExprKind::Column { column, .. }) => column.clone(),
                (None, _) => {
                    let _ = span_name;
                    String::new()
                }
            }),
            _ => return out,
        }
    }
    out
}

#[allow(dead_code)]
fn _expr_marker(_: &Expr) {}
