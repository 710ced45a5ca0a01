//! NATURAL and USING joins, RIGHT and FULL OUTER JOIN.
//!
//! SQLite counterpart: `sqlite3ProcessJoin` in select.c (USING/NATURAL
//! become ON equalities; the right-hand USING columns are merged into the
//! left ones for `*` and unqualified names) and the RIGHT JOIN machinery
//! of where.c (3.39+): the right table's matched rows are remembered, and
//! after the join loop a second pass visits its unmatched rows with every
//! other table on a NULL row.
//!
//! Invariants:
//! 1. `USING (c)` joins item `i` to the leftmost earlier item having a
//!    column `c`; `*` lists `c` once (from that item) and an unqualified `c`
//!    is not ambiguous.
//! 2. A RIGHT/FULL join must be the last item of the FROM clause (and the
//!    only one); other shapes report "... is not supported by loom yet".
//! 3. With a RIGHT join, every WHERE term is evaluated after the right
//!    table's row is marked as matched (marking depends on ON only), and in
//!    the second pass the same WHERE terms and body run once for every
//!    unmatched right row.

use super::builder::Label;
use super::expr::{Scope, Source};
use super::Gen;
use crate::sql::ast::{BinaryOp, Expr, ExprKind, FromClause, JoinConstraint};
use crate::vdbe::{Insn, Reg};

/// The second-pass state of a RIGHT or FULL join.
#[derive(Debug)]
pub(crate) struct RightJoin {
    /// 0 during the join loop, 1 during the unmatched-rows pass.
    pub phase: Reg,
    /// Ephemeral index of the right table's matched rowids.
    matched: usize,
    /// The right table's cursor.
    cursor: usize,
    /// The other sources' cursors (set to NULL rows in the second pass).
    others: Vec<usize>,
    /// Where a second-pass row enters the loop body.
    pub entry: Label,
    /// The second pass's "next unmatched row".
    pub next: Label,
}

impl Gen<'_> {
    /// The columns merged by USING/NATURAL for each FROM item (by source
    /// index); errors as SQLite's for bad USING columns.
    pub(crate) fn join_using(
        &self,
        from: &FromClause,
        sources: &[Source],
    ) -> Result<Vec<(usize, Vec<String>)>, String> {
        let mut out = Vec::new();
        for (i, item) in from.items.iter().enumerate() {
            let Some(j) = item.join else { continue };
            let Some(src) = sources.get(i) else { continue };
            let earlier = sources.get(..i).unwrap_or(&[]);
            let cols: Vec<String> = if j.natural {
                if item.constraint.is_some() {
                    return Err("a NATURAL join may not have an ON or USING clause".into());
                }
                src.table
                    .columns
                    .iter()
                    .filter(|c| {
                        earlier
                            .iter()
                            .any(|s| s.table.column_index(&c.name).is_some())
                    })
                    .map(|c| c.name.clone())
                    .collect()
            } else if let Some(JoinConstraint::Using(names)) = &item.constraint {
                for n in names {
                    let here = src.table.column_index(n).is_some();
                    let before = earlier.iter().any(|s| s.table.column_index(n).is_some());
                    if !here || !before {
                        return Err(format!(
                            "cannot join using column {n} - column not present in both tables"
                        ));
                    }
                }
                names.clone()
            } else {
                continue;
            };
            if !cols.is_empty() {
                out.push((i, cols));
            }
        }
        Ok(out)
    }

    /// The ON equalities USING/NATURAL gives source `si`.
    pub(crate) fn using_terms(&self, scope: &Scope, si: usize) -> Vec<Expr> {
        let Some((_, cols)) = scope.using.iter().find(|(s, _)| *s == si) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in cols {
            let Some(left) = scope.sources[..si]
                .iter()
                .find(|s| s.table.column_index(c).is_some())
            else {
                continue;
            };
            let right = &scope.sources[si];
            out.push(binary_eq(column(&left.name, c), column(&right.name, c)));
        }
        out
    }

    /// The RIGHT/FULL-joined item of `from`, if any; refuses the shapes
    /// this implementation does not handle.
    pub(crate) fn right_join_item(
        &self,
        from: Option<&FromClause>,
        n: usize,
    ) -> Result<Option<usize>, String> {
        let Some(from) = from else { return Ok(None) };
        let rights: Vec<usize> = from
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.join.is_some_and(|j| j.right))
            .map(|(i, _)| i)
            .collect();
        match rights.as_slice() {
            [] => Ok(None),
            [i] if *i + 1 == n && n == from.items.len() => Ok(Some(*i)),
            _ => Err(
                "RIGHT and FULL OUTER JOINs other than the last join are not supported by loom yet"
                    .into(),
            ),
        }
    }

    /// Before the join loops: the phase register and the matched set.
    pub(crate) fn right_join_begin(&mut self, scope: &Scope, si: usize) -> RightJoin {
        let phase = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: phase,
        });
        let matched = self.open_distinct(1);
        RightJoin {
            phase,
            matched,
            cursor: scope.sources[si].cursor,
            others: scope
                .sources
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != si)
                .map(|(_, s)| s.cursor)
                .collect(),
            entry: self.b.new_label(),
            next: self.b.new_label(),
        }
    }

    /// Inside the right table's loop, once ON holds: remembers the row.
    pub(crate) fn right_join_mark(&mut self, rj: &RightJoin) {
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: rj.cursor,
            dest: r,
        });
        let seen = self.b.new_label();
        self.skip_duplicate(rj.matched, r, 1, seen.addr());
        self.b.resolve(seen);
    }

    /// At the innermost loop's continuation: in the second pass, go on
    /// with the next unmatched row instead.
    pub(crate) fn right_join_cont(&mut self, rj: &RightJoin) {
        self.b.emit(Insn::If {
            reg: rj.phase,
            target: rj.next.addr(),
            jump_if_null: false,
        });
    }

    /// After the join loops: the pass over the unmatched right rows.
    pub(crate) fn right_join_end(&mut self, rj: RightJoin) {
        let done = self.b.new_label();
        self.b.emit(Insn::Integer {
            value: 1,
            dest: rj.phase,
        });
        for &c in &rj.others {
            self.b.emit(Insn::NullRow { cursor: c });
        }
        self.b.emit(Insn::Rewind {
            cursor: rj.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: rj.cursor,
            dest: r,
        });
        self.b.emit(Insn::Found {
            cursor: rj.matched,
            key: r,
            n_keys: 1,
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
}

fn column(table: &str, name: &str) -> Expr {
    Expr {
        kind: ExprKind::Column {
            schema: None,
            table: Some(table.to_string()),
            column: name.to_string(),
            double_quoted: false,
        },
        span: (0, 0),
        height: 1,
    }
}

fn binary_eq(l: Expr, r: Expr) -> Expr {
    Expr {
        kind: ExprKind::Binary(BinaryOp::Eq, Box::new(l), Box::new(r)),
        span: (0, 0),
        height: 2,
    }
}

impl Gen<'_> {
    /// `*` of source `si`: drops the columns USING/NATURAL merged into an
    /// earlier source; a merged column whose partner is RIGHT/FULL joined
    /// reads `coalesce(left, right)`.
    pub(crate) fn merge_using_columns(
        &self,
        scope: &Scope,
        si: usize,
        cols: &mut Vec<super::select::OutCol>,
    ) {
        if let Some((_, merged)) = scope.using.iter().find(|(u, _)| *u == si) {
            cols.retain(|c| !merged.iter().any(|m| m.eq_ignore_ascii_case(&c.info.name)));
        }
        let Some(rs) = scope.right_join else { return };
        let Some((_, merged)) = scope.using.iter().find(|(u, _)| *u == rs) else {
            return;
        };
        let Some(right) = scope.sources.get(rs) else {
            return;
        };
        for c in cols.iter_mut() {
            let name = c.info.name.clone();
            if !merged.iter().any(|m| m.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let first = scope.sources[..rs]
                .iter()
                .position(|s| s.table.column_index(&name).is_some());
            if first != Some(si) {
                continue;
            }
            let call = crate::sql::ast::FunctionCall {
                name: "coalesce".into(),
                distinct: false,
                args: crate::sql::ast::FunctionArgs::List(vec![
                    c.expr.clone(),
                    column(&right.name, &name),
                ]),
                order_by: Vec::new(),
                filter: None,
                over: None,
            };
            c.expr = Expr {
                kind: ExprKind::Function(Box::new(call)),
                span: (0, 0),
                height: 2,
            };
        }
    }

    /// An unqualified USING column of a RIGHT/FULL join reads
    /// `coalesce(left.col, right.col)`, as in SQLite 3.39+.
    pub(crate) fn using_coalesce(&self, scope: &Scope, name: &str) -> Option<Expr> {
        let rs = scope.right_join?;
        let (_, merged) = scope.using.iter().find(|(u, _)| *u == rs)?;
        if !merged.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            return None;
        }
        let right = scope.sources.get(rs)?;
        let left = scope
            .sources
            .get(..rs)?
            .iter()
            .find(|s| s.table.column_index(name).is_some())?;
        let call = crate::sql::ast::FunctionCall {
            name: "coalesce".into(),
            distinct: false,
            args: crate::sql::ast::FunctionArgs::List(vec![
                column(&left.name, name),
                column(&right.name, name),
            ]),
            order_by: Vec::new(),
            filter: None,
            over: None,
        };
        Some(Expr {
            kind: ExprKind::Function(Box::new(call)),
            span: (0, 0),
            height: 2,
        })
    }
}
