//! Compound SELECT: UNION ALL, UNION, INTERSECT, EXCEPT.
//!
//! SQLite counterpart: `multiSelect` in select.c (the ephemeral-table
//! strategy, not the merge strategy of `multiSelectOrderBy`).
//!
//! Shape: terms are combined left to right. A pure UNION ALL without ORDER
//! BY or LIMIT streams each term to the destination. Otherwise the running
//! result lives in an ephemeral index (set semantics: UNION, INTERSECT,
//! EXCEPT) or an ephemeral rowid table (bag semantics after UNION ALL), and
//! is finally read back, through a sorter when there is an ORDER BY.
//!
//! Invariants:
//! 1. Every term has the same number of result columns, else SQLite's
//!    error "SELECTs to the left and right of UNION do not have the same
//!    number of result columns".
//! 2. Result column names come from the leftmost term.
//! 3. Without ORDER BY, set operators return rows in index order, as
//!    SQLite's ephemeral-table strategy does.

use std::sync::Arc;

use super::select::Dest;
use super::Gen;
use crate::record::KeyInfo;
use crate::sql::ast::{CompoundOp, ExprKind, Literal, Select, SelectCore, SortOrder};
use crate::vdbe::{ColumnInfo, Insn};

/// The running result of a compound: an ephemeral cursor and whether it
/// holds a set (index) or a bag (rowid table).
#[derive(Clone, Copy, Debug)]
struct Acc {
    cursor: usize,
    is_set: bool,
}

impl Gen<'_> {
    pub(super) fn compound(&mut self, s: &Select, dest: &Dest) -> Result<(), String> {
        let saved = self.eqp.open(|| "COMPOUND QUERY".into());
        let r = self.compound_members(s, dest);
        self.eqp.close(saved);
        r
    }

    fn compound_members(&mut self, s: &Select, dest: &Dest) -> Result<(), String> {
        let all_union_all = s
            .compounds
            .iter()
            .all(|(op, _)| *op == CompoundOp::UnionAll);
        if all_union_all && s.order_by.is_empty() && s.limit.is_none() {
            let width = self.core_into(&s.first, dest, None)?;
            let cols = self.b.columns.clone();
            for (op, core) in &s.compounds {
                self.core_into(core, dest, Some((width, *op)))?;
            }
            self.b.columns = cols;
            return Ok(());
        }
        let first_is_set = !matches!(s.compounds.first(), Some((CompoundOp::UnionAll, _)));
        let mut acc = self.open_acc(0, first_is_set);
        let open_at = self.b.here() - 1;
        let width = self.core_into(&s.first, &self.acc_dest(acc), None)?;
        if let Some(Insn::OpenEphemeral {
            n_cols, key_info, ..
        }) = self.b.insn_mut(open_at)
        {
            *n_cols = width;
            if key_info.is_some() {
                *key_info = Some(Arc::new(KeyInfo::binary(width)));
            }
        }
        let cols = self.b.columns.clone();
        for (op, core) in &s.compounds {
            acc = self.combine(acc, *op, core, width)?;
        }
        self.b.columns = cols;
        self.read_back(acc, width, s, dest)
    }

    /// Opens the accumulator: an ephemeral index (set) or rowid table (bag).
    fn open_acc(&mut self, width: usize, is_set: bool) -> Acc {
        let cursor = self.b.alloc_cursor();
        let key_info = is_set.then(|| Arc::new(KeyInfo::binary(width)));
        self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: width,
            key_info,
        });
        Acc { cursor, is_set }
    }

    fn acc_dest(&self, acc: Acc) -> Dest {
        if acc.is_set {
            Dest::EphIndex {
                cursor: acc.cursor,
                affinity: None,
                null_flag: None,
            }
        } else {
            Dest::EphTable { cursor: acc.cursor }
        }
    }

    /// Compiles one term into `dest`, checking its width against the first.
    fn core_into(
        &mut self,
        core: &SelectCore,
        dest: &Dest,
        expect: Option<(usize, CompoundOp)>,
    ) -> Result<usize, String> {
        let single = Select {
            with: None,
            first: core.clone(),
            compounds: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            span: (0, 0),
        };
        let saved = std::mem::take(&mut self.b.columns);
        let eqp_saved = self.eqp.open(|| match expect {
            None => "LEFT-MOST SUBQUERY".into(),
            Some((_, CompoundOp::UnionAll)) => "UNION ALL".into(),
            Some((_, op)) => format!("{} USING TEMP B-TREE", op_name(op)),
        });
        let r = self.select(&single, dest);
        self.eqp.close(eqp_saved);
        r?;
        let width = self.b.columns.len();
        if let Some((w, op)) = expect {
            self.b.columns = saved;
            if w != width {
                return Err(format!(
                    "SELECTs to the left and right of {} do not have the same number of result columns",
                    op_name(op)
                ));
            }
        }
        Ok(width)
    }

    /// Applies `op core` to the accumulator.
    fn combine(
        &mut self,
        acc: Acc,
        op: CompoundOp,
        core: &SelectCore,
        width: usize,
    ) -> Result<Acc, String> {
        let expect = Some((width, op));
        match op {
            CompoundOp::UnionAll => {
                let acc = if acc.is_set {
                    self.copy_acc(acc, width, false)
                } else {
                    acc
                };
                self.core_into(core, &self.acc_dest(acc), expect)?;
                Ok(acc)
            }
            CompoundOp::Union => {
                let acc = if acc.is_set {
                    acc
                } else {
                    self.copy_acc(acc, width, true)
                };
                self.core_into(core, &self.acc_dest(acc), expect)?;
                Ok(acc)
            }
            CompoundOp::Except => {
                let acc = if acc.is_set {
                    acc
                } else {
                    self.copy_acc(acc, width, true)
                };
                self.core_into(core, &Dest::EphDelete { cursor: acc.cursor }, expect)?;
                Ok(acc)
            }
            CompoundOp::Intersect => {
                let probe = if acc.is_set {
                    acc
                } else {
                    self.copy_acc(acc, width, true)
                };
                let out = self.open_acc(width, true);
                self.core_into(
                    core,
                    &Dest::EphIntersect {
                        probe: probe.cursor,
                        cursor: out.cursor,
                    },
                    expect,
                )?;
                Ok(out)
            }
        }
    }

    /// Copies the accumulator's rows into a new one of the other kind.
    fn copy_acc(&mut self, from: Acc, width: usize, is_set: bool) -> Acc {
        let to = self.open_acc(width, is_set);
        let dest = self.acc_dest(to);
        self.scan_acc(from, width, |g, start| g.emit_row(&dest, start, width));
        to
    }

    /// Loops over the accumulator's rows, calling `body` with the first
    /// register of each row.
    fn scan_acc(&mut self, acc: Acc, width: usize, mut body: impl FnMut(&mut Self, usize)) {
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: acc.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let start = self.b.alloc_regs(width);
        for i in 0..width {
            self.b.emit(Insn::Column {
                cursor: acc.cursor,
                column: i,
                dest: start + i,
                default: None,
            });
        }
        body(self, start);
        self.b.emit(Insn::Next {
            cursor: acc.cursor,
            target: top,
        });
        self.b.resolve(done);
    }

    /// Emits the accumulated rows, honouring ORDER BY and LIMIT/OFFSET.
    fn read_back(&mut self, acc: Acc, width: usize, s: &Select, dest: &Dest) -> Result<(), String> {
        let limits = self.limit_regs(s)?;
        let done = self.b.new_label();
        if let Some(l) = limits.limit {
            self.b.emit(Insn::IfNot {
                reg: l,
                target: done.addr(),
                jump_if_null: true,
            });
        }
        if s.order_by.is_empty() {
            self.scan_acc(acc, width, |g, start| {
                let skip = g.b.new_label();
                g.output_with_limits(dest, start, width, limits, skip.addr(), done.addr());
                g.b.resolve(skip);
            });
        } else {
            let (keys, flags) = super::nulls_order::with_null_flags(
                self.compound_order_keys(s)?,
                &s.order_by,
                width,
            );
            let sorter = self.b.alloc_cursor();
            let key_info = KeyInfo {
                collations: keys.iter().map(|k| k.2.clone()).collect(),
                desc: keys.iter().map(|k| k.1).collect(),
            };
            self.b.emit(Insn::SorterOpen {
                cursor: sorter,
                n_cols: keys.len() + width,
                key_info: Arc::new(key_info),
            });
            let key_cols: Vec<usize> = keys.iter().map(|k| k.0).collect();
            let sdest = Dest::Sorter {
                cursor: sorter,
                keys: key_cols,
            };
            self.scan_acc(acc, width, |g, start| {
                let row = g.append_null_flags(start, width, &flags);
                g.emit_row(&sdest, row, width)
            });
            self.sort_output(sorter, keys.len(), width, dest, limits, done.addr());
        }
        self.b.resolve(done);
        Ok(())
    }

    /// ORDER BY of a compound: each term names a result column (by number,
    /// alias or column name), sorted with its COLLATE sequence if it has
    /// one (an unknown name is an error, as in SQLite), else BINARY.
    #[allow(clippy::type_complexity)]
    fn compound_order_keys(
        &self,
        s: &Select,
    ) -> Result<Vec<(usize, bool, Arc<dyn crate::record::Collation>)>, String> {
        let cols: &[ColumnInfo] = &self.b.columns;
        let mut out = Vec::new();
        for (i, t) in s.order_by.iter().enumerate() {
            let desc = t.order == Some(SortOrder::Desc);
            let (inner, coll) = match &t.expr.kind {
                ExprKind::Collate(e, name) => (e.as_ref(), self.collation(name)?),
                _ => (
                    &t.expr,
                    Arc::new(crate::record::Binary) as Arc<dyn crate::record::Collation>,
                ),
            };
            let k = match &inner.kind {
                ExprKind::Literal(Literal::Integer(n)) => n
                    .parse::<usize>()
                    .ok()
                    .filter(|k| *k >= 1 && *k <= cols.len())
                    .map(|k| k - 1),
                ExprKind::Column {
                    table: None,
                    column,
                    ..
                } => cols
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(column)),
                _ => None,
            };
            let k = k.ok_or_else(|| {
                format!(
                    "{} ORDER BY term does not match any column in the result set",
                    ordinal(i + 1)
                )
            })?;
            out.push((k, desc, coll));
        }
        Ok(out)
    }
}

fn op_name(op: CompoundOp) -> &'static str {
    match op {
        CompoundOp::Union => "UNION",
        CompoundOp::UnionAll => "UNION ALL",
        CompoundOp::Intersect => "INTERSECT",
        CompoundOp::Except => "EXCEPT",
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
