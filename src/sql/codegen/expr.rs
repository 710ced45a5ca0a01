//! Expression code generation: name resolution, values, conditions.
//!
//! SQLite counterpart: resolve.c (column names), expr.c
//! (`sqlite3ExprCodeTarget`, `sqlite3ExprIfTrue`, `sqlite3ExprIfFalse`,
//! `sqlite3CompareAffinity`, `sqlite3ExprAffinity`).
//!
//! Invariants:
//! 1. [`Gen::expr`] leaves the value of the expression in the returned
//!    register and never jumps out of the expression.
//! 2. Conditions coded as jumps (`jump_if_false`/`jump_if_true`) live in
//!    `expr_jump.rs`; this file codes values.
//! 3. Comparison affinity follows `sqlite3CompareAffinity`: when both sides
//!    have an affinity, NUMERIC if either is numeric else none; when one
//!    side has one, that one.

use std::collections::HashMap;
use std::sync::Arc;

use super::Gen;
use crate::record::{affinity_of_decltype, Affinity, Binary, Collation, Value};
use crate::sql::ast::{BinaryOp, Expr, ExprKind, FunctionArgs, LikeOp, Literal, UnaryOp};
use crate::sql::schema::Table;
use crate::vdbe::{Addr, ArithOp, CmpFlags, CmpOp, Insn, Reg};

/// One table visible to expressions.
#[derive(Clone, Debug)]
pub struct Source {
    pub table: Arc<Table>,
    /// The name expressions qualify columns with (alias or table name).
    pub name: String,
    pub cursor: usize,
}

/// A column of a source: `None` is the rowid.
pub type ColumnKey = (usize, Option<usize>);

/// What expressions may refer to while being compiled.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub sources: Vec<Source>,
    /// Aggregate calls (by source span) → register holding their result.
    pub aggs: Option<HashMap<(usize, usize), Reg>>,
    /// Columns redirected to another cursor's field (GROUP BY sorter output).
    pub remap: Option<HashMap<ColumnKey, (usize, usize)>>,
    /// Registers holding the new row of an UPDATE (column → register).
    pub row_regs: Vec<(usize, Vec<Reg>, Reg)>,
    /// Result-column aliases a WHERE/GROUP BY/HAVING term may name
    /// (SQLite resolves an unknown name against them).
    pub aliases: Vec<(String, Expr)>,
    /// Sources of enclosing queries, visible to correlated subqueries;
    /// source index `sources.len() + i` names `outer[i]`.
    pub outer: Vec<Source>,
    /// USING/NATURAL: (source index, columns merged into an earlier source).
    pub using: Vec<(usize, Vec<String>)>,
    /// The RIGHT/FULL-joined sources as (index, is FULL): their USING
    /// columns coalesce (join_outer.rs).
    pub right_join: Vec<(usize, bool)>,
}

impl Scope {
    /// Source `si` of the combined inner + outer list.
    pub fn source(&self, si: usize) -> &Source {
        match self.sources.get(si) {
            Some(s) => s,
            None => &self.outer[si - self.sources.len()],
        }
    }

    /// The scope a subquery of this scope sees as its enclosing one.
    pub fn for_subquery(&self) -> Scope {
        let mut outer = self.sources.clone();
        outer.extend(self.outer.iter().cloned());
        Scope {
            outer,
            row_regs: self.row_regs.clone(),
            ..Scope::default()
        }
    }
}

impl Gen<'_> {
    /// Resolves a column reference to (source index, column or rowid).
    pub(super) fn resolve_column(
        &self,
        scope: &Scope,
        table: Option<&str>,
        column: &str,
    ) -> Result<Option<(usize, Option<usize>)>, String> {
        let found = self.resolve_in(&scope.sources, 0, table, column, &scope.using)?;
        if found.is_some() {
            return Ok(found);
        }
        let outer = self.resolve_in(&scope.outer, scope.sources.len(), table, column, &[])?;
        if outer.is_some() {
            self.correlated.set(true);
        }
        Ok(outer)
    }

    /// Resolves a column among `sources`, numbering them from `base`.
    fn resolve_in(
        &self,
        sources: &[Source],
        base: usize,
        table: Option<&str>,
        column: &str,
        using: &[(usize, Vec<String>)],
    ) -> Result<Option<(usize, Option<usize>)>, String> {
        let mut found = None;
        // Loop invariant, and this runs for every column of every term the
        // planner looks at.
        let rowid_name = is_rowid_name(column);
        for (si, s) in sources.iter().enumerate() {
            let si = si + base;
            let merged = table.is_none()
                && !using.is_empty()
                && using.iter().any(|(u, cols)| {
                    *u == si && cols.iter().any(|c| c.eq_ignore_ascii_case(column))
                });
            if merged && found.is_some() {
                continue;
            }
            if let Some(hits) = self.nested_lookup(s, table, column) {
                for ci in hits {
                    if found.is_some() {
                        return Err(format!(
                            "ambiguous column name: {}",
                            qualified(table, column)
                        ));
                    }
                    found = Some((si, Some(ci)));
                }
                continue;
            }
            if let Some(t) = table {
                if !s.name.eq_ignore_ascii_case(t) {
                    continue;
                }
            }
            let hit = match s.table.column_index(column) {
                Some(ci) if s.table.ipk == Some(ci) => Some(None),
                Some(ci) => Some(Some(ci)),
                None if rowid_name && !s.table.without_rowid => Some(None),
                None => None,
            };
            if let Some(h) = hit {
                if found.is_some() {
                    return Err(format!(
                        "ambiguous column name: {}",
                        qualified(table, column)
                    ));
                }
                found = Some((si, h));
            }
        }
        Ok(found)
    }

    /// Codes `e`, returning the register that holds its value.
    pub(super) fn expr(&mut self, e: &Expr, scope: &Scope) -> Result<Reg, String> {
        self.expr_inner(e, scope)
            .inspect_err(|m| super::error_offset::note(m, e))
    }

    fn expr_inner(&mut self, e: &Expr, scope: &Scope) -> Result<Reg, String> {
        if let Some(aggs) = &scope.aggs {
            if let Some(&r) = aggs.get(&e.span) {
                if matches!(
                    e.kind,
                    ExprKind::Function(_)
                        | ExprKind::Subquery(_)
                        | ExprKind::Exists(_)
                        | ExprKind::InSelect { .. }
                ) {
                    return Ok(r);
                }
            }
        }
        match &e.kind {
            ExprKind::Literal(lit) => self.literal(lit),
            ExprKind::Column {
                table,
                column,
                double_quoted,
                ..
            } => self.column_ref(e, scope, table.as_deref(), column, *double_quoted),
            ExprKind::Variable { index, .. } => {
                let dest = self.b.alloc_reg();
                self.b.emit(Insn::Variable {
                    index: *index as usize,
                    dest,
                });
                Ok(dest)
            }
            ExprKind::Unary(op, inner) => self.unary(*op, inner, scope),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, scope),
            ExprKind::Collate(inner, _) => self.expr(inner, scope),
            ExprKind::Cast(inner, ty) => {
                let r = self.expr_copy(inner, scope)?;
                let affinity = affinity_of_decltype(ty.as_deref().unwrap_or(""));
                self.b.emit(Insn::Cast { reg: r, affinity });
                Ok(r)
            }
            ExprKind::Case {
                operand,
                when_then,
                else_expr,
            } => self.case(operand.as_deref(), when_then, else_expr.as_deref(), scope),
            ExprKind::Between { .. }
            | ExprKind::InList { .. }
            | ExprKind::InSelect { .. }
            | ExprKind::IsNull(..) => self.bool_value(e, scope),
            ExprKind::Like {
                op,
                negated,
                expr,
                pattern,
                escape,
            } => {
                let name = match op {
                    LikeOp::Like => "like",
                    LikeOp::Glob => "glob",
                    LikeOp::Regexp => "regexp",
                    LikeOp::Match => "match",
                };
                let mut args: Vec<&Expr> = vec![pattern, expr];
                if let Some(esc) = escape {
                    args.push(esc);
                }
                let r = self.call_function(name, &args, scope)?;
                if *negated {
                    self.b.emit(Insn::Not { src: r, dest: r });
                }
                Ok(r)
            }
            ExprKind::Function(call) => {
                if call.over.is_some() || super::window_spec::is_window_builtin(&call.name) {
                    return Err(super::window_spec::misuse(&call.name));
                }
                let args: Vec<&Expr> = match &call.args {
                    FunctionArgs::Star => Vec::new(),
                    FunctionArgs::List(v) => v.iter().collect(),
                };
                if self.is_aggregate_call(call) {
                    return Err(format!("misuse of aggregate function {}()", call.name));
                }
                self.call_function(&call.name, &args, scope)
            }
            ExprKind::Exists(sel) => self.exists_subquery(sel, scope),
            ExprKind::Subquery(sel) => self.scalar_subquery(sel, scope),
            ExprKind::InTable { .. } => self.bool_value(e, scope),
            ExprKind::Row(_) => Err("row value misused".into()),
            ExprKind::Raise(action, msg) => self.raise(*action, msg.as_deref()),
        }
    }

    /// Codes `e` into a fresh register the caller may modify.
    pub(super) fn expr_copy(&mut self, e: &Expr, scope: &Scope) -> Result<Reg, String> {
        let (at, fresh) = (self.b.here(), self.b.next_reg());
        let r = self.expr(e, scope)?;
        let dest = self.b.alloc_reg();
        // A plain load is made to write the new register directly.
        if !(r >= fresh && self.b.retarget_load(at, r, dest)) {
            self.b.emit(Insn::SCopy { src: r, dest });
        }
        Ok(dest)
    }

    /// Codes `e` into register `dest`.
    pub(super) fn expr_into(&mut self, e: &Expr, scope: &Scope, dest: Reg) -> Result<(), String> {
        let (at, fresh) = (self.b.here(), self.b.next_reg());
        let r = self.expr(e, scope)?;
        if r != dest && !(r >= fresh && self.b.retarget_load(at, r, dest)) {
            self.b.emit(Insn::SCopy { src: r, dest });
        }
        Ok(())
    }

    fn literal(&mut self, lit: &Literal) -> Result<Reg, String> {
        let dest = self.b.alloc_reg();
        let Some(insn) = literal_insn(lit, dest) else {
            let name = match lit {
                Literal::CurrentTime => "current_time",
                Literal::CurrentDate => "current_date",
                _ => "current_timestamp",
            };
            return self.call_function(name, &[], &Scope::default());
        };
        self.b.emit(insn);
        Ok(dest)
    }

    fn column_ref(
        &mut self,
        e: &Expr,
        scope: &Scope,
        table: Option<&str>,
        column: &str,
        double_quoted: bool,
    ) -> Result<Reg, String> {
        if let Some(merged) = table.map_or_else(|| self.using_coalesce(scope, column), |_| None) {
            return self.expr(&merged, scope);
        }
        match self.resolve_column(scope, table, column)? {
            Some((si, Some(c))) if scope.source(si).table.has_virtual() => {
                crate::sql::schema_gen::virtual_loop(&scope.source(si).table, c)?;
                Ok(self.load_column(scope, si, Some(c)))
            }
            Some((si, col)) => Ok(self.load_column(scope, si, col)),
            None if table.is_none()
                && scope
                    .aliases
                    .iter()
                    .any(|(a, _)| a.eq_ignore_ascii_case(column)) =>
            {
                let (_, aliased) = scope
                    .aliases
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(column))
                    .cloned()
                    .ok_or("internal error")?;
                let inner = Scope {
                    aliases: Vec::new(),
                    ..scope.clone()
                };
                self.expr(&aliased, &inner)
            }
            None if table.is_none() && double_quoted => {
                self.literal(&Literal::String(column.to_string()))
            }
            None => match e.true_false() {
                Some(v) => self.literal(if v { &Literal::True } else { &Literal::False }),
                None => Err(format!("no such column: {}", qualified(table, column))),
            },
        }
    }

    /// Emits the read of one column (or rowid) of source `si`.
    pub(super) fn load_column(&mut self, scope: &Scope, si: usize, col: Option<usize>) -> Reg {
        let src = scope.source(si);
        for (cursor, regs, rowid_reg) in &scope.row_regs {
            if *cursor == src.cursor {
                return match col {
                    Some(c) => regs[c],
                    None => *rowid_reg,
                };
            }
        }
        let dest = self.b.alloc_reg();
        if self.load_covered_column(src, col, dest) {
            return dest;
        }
        if let Some(&(cursor, field)) = scope.remap.as_ref().and_then(|m| m.get(&(src.cursor, col)))
        {
            self.b.emit(Insn::Column {
                cursor,
                column: field,
                dest,
                default: None,
            });
            return dest;
        }
        match col {
            None => {
                self.b.emit(Insn::Rowid {
                    cursor: src.cursor,
                    dest,
                });
            }
            Some(c) if src.table.has_virtual() => {
                let (t, cursor) = (src.table.clone(), src.cursor);
                self.table_column_in(&t, cursor, c, dest, Some(scope));
                if t.columns[c].affinity == Affinity::Real {
                    self.b.emit(Insn::RealAffinity { reg: dest });
                }
            }
            Some(c) => {
                let default = self.column_default(&src.table, c);
                self.b.emit(Insn::Column {
                    cursor: src.cursor,
                    column: c,
                    dest,
                    default,
                });
                if src.table.columns[c].affinity == Affinity::Real {
                    self.b.emit(Insn::RealAffinity { reg: dest });
                }
            }
        }
        dest
    }

    /// Reads a column of a table scanned through a covering index from the
    /// index cursor (planner's `visit_table_row`); false when `src` is not
    /// in such a loop.
    fn load_covered_column(&mut self, src: &Source, col: Option<usize>, dest: Reg) -> bool {
        let Some((_, idx_cursor, fields)) = self.covering_remap.iter().find(|r| r.0 == src.cursor)
        else {
            return false;
        };
        let idx_cursor = *idx_cursor;
        let Some(c) = col else {
            self.b.emit(Insn::IdxRowid {
                cursor: idx_cursor,
                dest,
            });
            return true;
        };
        let Some(&(_, field)) = fields.iter().find(|f| f.0 == c) else {
            return false;
        };
        self.b.emit(Insn::Column {
            cursor: idx_cursor,
            column: field,
            dest,
            default: None,
        });
        if src.table.columns.get(c).map(|x| x.affinity) == Some(Affinity::Real) {
            self.b.emit(Insn::RealAffinity { reg: dest });
        }
        true
    }

    /// The constant default of a column, for records shorter than the table.
    pub(crate) fn column_default(&self, t: &Table, c: usize) -> Option<Value> {
        let d = t.columns.get(c)?.default.as_ref()?;
        constant_value(d)
    }

    fn unary(&mut self, op: UnaryOp, inner: &Expr, scope: &Scope) -> Result<Reg, String> {
        if op == UnaryOp::Negate {
            if let ExprKind::Literal(Literal::Real(t)) = &inner.kind {
                let dest = self.b.alloc_reg();
                self.b.emit(Insn::Real {
                    value: -parse_real(t),
                    dest,
                });
                return Ok(dest);
            }
            if let ExprKind::Literal(Literal::Integer(t)) = &inner.kind {
                let dest = self.b.alloc_reg();
                match parse_integer(&format!("-{t}")) {
                    Some(value) => self.b.emit(Insn::Integer { value, dest }),
                    None => self.b.emit(Insn::Real {
                        value: -parse_real(t),
                        dest,
                    }),
                };
                return Ok(dest);
            }
        }
        let src = self.expr(inner, scope)?;
        let dest = self.b.alloc_reg();
        match op {
            UnaryOp::Negate => self.b.emit(Insn::Negative { src, dest }),
            UnaryOp::Plus => self.b.emit(Insn::SCopy { src, dest }),
            UnaryOp::BitNot => self.b.emit(Insn::BitNot { src, dest }),
            UnaryOp::Not => self.b.emit(Insn::Not { src, dest }),
        };
        Ok(dest)
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr, scope: &Scope) -> Result<Reg, String> {
        let arith = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Subtract => ArithOp::Subtract,
            BinaryOp::Multiply => ArithOp::Multiply,
            BinaryOp::Divide => ArithOp::Divide,
            BinaryOp::Remainder => ArithOp::Remainder,
            BinaryOp::BitAnd => ArithOp::BitAnd,
            BinaryOp::BitOr => ArithOp::BitOr,
            BinaryOp::LShift => ArithOp::ShiftLeft,
            BinaryOp::RShift => ArithOp::ShiftRight,
            BinaryOp::Concat => ArithOp::Concat,
            BinaryOp::Arrow | BinaryOp::Arrow2 => {
                let name = if op == BinaryOp::Arrow { "->" } else { "->>" };
                return self.call_function(name, &[l, r], scope);
            }
            BinaryOp::And | BinaryOp::Or => {
                let lhs = self.expr(l, scope)?;
                let rhs = self.expr(r, scope)?;
                let dest = self.b.alloc_reg();
                let insn = if op == BinaryOp::And {
                    Insn::And { lhs, rhs, dest }
                } else {
                    Insn::Or { lhs, rhs, dest }
                };
                self.b.emit(insn);
                return Ok(dest);
            }
            _ => return self.comparison_value(op, l, r, scope),
        };
        // Arith only reads its operands: constants are loaded once.
        let lhs = self.hoisted_operand(l, scope)?;
        let rhs = self.hoisted_operand(r, scope)?;
        let dest = self.b.alloc_reg();
        self.b.emit(Insn::Arith {
            op: arith,
            lhs,
            rhs,
            dest,
        });
        Ok(dest)
    }

    /// A comparison producing 0, 1 or NULL in a register.
    fn comparison_value(
        &mut self,
        op: BinaryOp,
        l: &Expr,
        r: &Expr,
        scope: &Scope,
    ) -> Result<Reg, String> {
        if let Some(want) = self.truth_operand(op, r, scope) {
            return self.truth_test(l, want, op == BinaryOp::IsNot, scope);
        }
        let dest = self.b.alloc_reg();
        let (cmp, null_eq) = cmp_of(op).ok_or("internal error: not a comparison")?;
        let mut flags = self.cmp_flags(l, r, scope);
        flags.null_eq = null_eq;
        flags.store = Some(dest);
        let lhs = self.hoisted_operand(l, scope)?;
        let rhs = self.hoisted_operand(r, scope)?;
        let here = self.b.here();
        self.b.emit(Insn::Compare {
            op: cmp,
            lhs,
            rhs,
            target: here + 1,
            flags,
        });
        Ok(dest)
    }

    /// For `x IS [NOT] r` where `r` is TRUE, FALSE or an empty IN list
    /// (which SQLite parses as TRUE/FALSE): the truth value `r` stands for.
    /// Then IS is a truth test, not an equality (SQLite's TK_TRUTH).
    pub(super) fn truth_operand(&self, op: BinaryOp, r: &Expr, scope: &Scope) -> Option<bool> {
        if !matches!(op, BinaryOp::Is | BinaryOp::IsNot) {
            return None;
        }
        match &r.kind {
            ExprKind::Literal(Literal::True) => Some(true),
            ExprKind::Literal(Literal::False) => Some(false),
            ExprKind::InList { list, negated, .. } if list.is_empty() => Some(*negated),
            ExprKind::Column {
                table: None,
                column,
                ..
            } => {
                let unresolved = matches!(self.resolve_column(scope, None, column), Ok(None))
                    && !scope
                        .aliases
                        .iter()
                        .any(|(a, _)| a.eq_ignore_ascii_case(column));
                r.true_false().filter(|_| unresolved)
            }
            _ => None,
        }
    }

    /// `x IS [NOT] TRUE/FALSE` as 0 or 1: `x` is true (`want`) or false,
    /// never NULL; `negated` for IS NOT.
    pub(super) fn truth_test(
        &mut self,
        x: &Expr,
        want: bool,
        negated: bool,
        scope: &Scope,
    ) -> Result<Reg, String> {
        let dest = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: i64::from(negated),
            dest,
        });
        let v = self.expr(x, scope)?;
        let skip = self.b.new_label();
        self.b.emit(if want {
            Insn::IfNot {
                reg: v,
                target: skip.addr(),
                jump_if_null: true,
            }
        } else {
            Insn::If {
                reg: v,
                target: skip.addr(),
                jump_if_null: true,
            }
        });
        self.b.emit(Insn::Integer {
            value: i64::from(!negated),
            dest,
        });
        self.b.resolve(skip);
        Ok(dest)
    }

    /// Affinity and collation of a comparison between `l` and `r`.
    pub(super) fn cmp_flags(&self, l: &Expr, r: &Expr, scope: &Scope) -> CmpFlags {
        let affinity = compare_affinity(self.expr_affinity(l, scope), self.expr_affinity(r, scope));
        let collation = self.binary_collation(l, r, scope);
        CmpFlags {
            affinity,
            jump_if_null: false,
            null_eq: false,
            store: None,
            collation,
        }
    }

    /// The collation a binary comparison of `l` with `r` uses: an explicit
    /// COLLATE on the left operand, else one on the right operand, else the
    /// left operand's (column) collation, else the right one's.
    pub(super) fn binary_collation(
        &self,
        l: &Expr,
        r: &Expr,
        scope: &Scope,
    ) -> Option<Arc<dyn Collation>> {
        if !has_explicit_collate(l) && has_explicit_collate(r) {
            if let Some(c) = self.expr_collation(r, scope) {
                return Some(c);
            }
        }
        self.expr_collation(l, scope)
            .or_else(|| self.expr_collation(r, scope))
    }

    /// `sqlite3ExprAffinity`: `None` when the expression has no affinity.
    pub(super) fn expr_affinity(&self, e: &Expr, scope: &Scope) -> Option<Affinity> {
        match &e.kind {
            ExprKind::Column { table, column, .. } => {
                let (si, col) = self
                    .resolve_column(scope, table.as_deref(), column)
                    .ok()??;
                match col {
                    None => Some(Affinity::Integer),
                    Some(c) => Some(scope.source(si).table.columns[c].affinity),
                }
            }
            ExprKind::Cast(_, ty) => Some(affinity_of_decltype(ty.as_deref().unwrap_or(""))),
            ExprKind::Collate(inner, _) => self.expr_affinity(inner, scope),
            _ => None,
        }
    }

    /// The collation an expression carries (explicit COLLATE or a column's).
    /// As `sqlite3ExprCollSeq`: an explicit COLLATE wins and propagates up
    /// through operators (leftmost first); a column carries its declared
    /// collation; CAST and unary plus are transparent; otherwise none.
    pub(super) fn expr_collation(&self, e: &Expr, scope: &Scope) -> Option<Arc<dyn Collation>> {
        match &e.kind {
            ExprKind::Collate(_, name) => self.collation(name).ok(),
            ExprKind::Column { table, column, .. } => {
                let (si, col) = self
                    .resolve_column(scope, table.as_deref(), column)
                    .ok()??;
                let name = match col {
                    Some(c) => scope.source(si).table.columns.get(c)?.collation.clone(),
                    None => "BINARY".to_string(),
                };
                self.collation(&name).ok()
            }
            ExprKind::Cast(inner, _) | ExprKind::Unary(UnaryOp::Plus, inner) => {
                self.expr_collation(inner, scope)
            }
            _ if has_explicit_collate(e) => {
                let mut child = None;
                super::planner::walk_children(e, &mut |c| {
                    if child.is_none() && has_explicit_collate(c) {
                        child = Some(c.clone());
                    }
                });
                self.expr_collation(&child?, scope)
            }
            _ => None,
        }
    }

    /// Looks up a collating sequence by name.
    pub(super) fn collation(&self, name: &str) -> Result<Arc<dyn Collation>, String> {
        if name.eq_ignore_ascii_case("binary") {
            return Ok(Arc::new(Binary));
        }
        self.env
            .collations
            .iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| format!("no such collation sequence: {name}"))
    }

    /// BETWEEN, IN (list) and IS NULL as a 0/1/NULL value.
    fn bool_value(&mut self, e: &Expr, scope: &Scope) -> Result<Reg, String> {
        let dest = self.b.alloc_reg();
        let is_false = self.b.new_label();
        let is_null = self.b.new_label();
        let done = self.b.new_label();
        self.cond3(e, scope, is_false.addr(), is_null.addr())?;
        self.b.emit(Insn::Integer { value: 1, dest });
        self.b.emit(Insn::Goto {
            target: done.addr(),
        });
        self.b.resolve(is_false);
        self.b.emit(Insn::Integer { value: 0, dest });
        self.b.emit(Insn::Goto {
            target: done.addr(),
        });
        self.b.resolve(is_null);
        self.b.emit(Insn::Null { dest, count: 1 });
        self.b.resolve(done);
        Ok(dest)
    }

    /// Falls through when `e` is true; jumps to `if_false` / `if_null`.
    pub(super) fn cond3(
        &mut self,
        e: &Expr,
        scope: &Scope,
        if_false: Addr,
        if_null: Addr,
    ) -> Result<(), String> {
        match &e.kind {
            ExprKind::IsNull(inner, negated) => {
                let r = self.expr(inner, scope)?;
                let insn = if *negated {
                    Insn::IsNull {
                        reg: r,
                        target: if_false,
                    }
                } else {
                    Insn::NotNull {
                        reg: r,
                        target: if_false,
                    }
                };
                self.b.emit(insn);
                Ok(())
            }
            ExprKind::Between {
                expr,
                negated,
                low,
                high,
            } => self.between3(expr, *negated, low, high, scope, if_false, if_null),
            ExprKind::InList {
                expr,
                negated,
                list,
            } => self.in_list3(expr, *negated, list, scope, if_false, if_null),
            ExprKind::InSelect {
                expr,
                negated,
                select,
            } => self.in_select3(expr, *negated, select, scope, if_false, if_null),
            ExprKind::InTable {
                expr,
                negated,
                table,
                args,
            } => {
                let select = select_star(table, args.as_deref());
                self.in_select3(expr, *negated, &select, scope, if_false, if_null)
            }
            _ => {
                let r = self.expr(e, scope)?;
                self.b.emit(Insn::IsNull {
                    reg: r,
                    target: if_null,
                });
                self.b.emit(Insn::IfNot {
                    reg: r,
                    target: if_false,
                    jump_if_null: true,
                });
                Ok(())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn between3(
        &mut self,
        x: &Expr,
        negated: bool,
        low: &Expr,
        high: &Expr,
        scope: &Scope,
        if_false: Addr,
        if_null: Addr,
    ) -> Result<(), String> {
        let xr = self.expr(x, scope)?;
        let ge = self.comparison_regs(CmpOp::Ge, x, xr, low, scope)?;
        let le = self.comparison_regs(CmpOp::Le, x, xr, high, scope)?;
        let dest = self.b.alloc_reg();
        self.b.emit(Insn::And {
            lhs: ge,
            rhs: le,
            dest,
        });
        if negated {
            self.b.emit(Insn::Not { src: dest, dest });
        }
        self.b.emit(Insn::IsNull {
            reg: dest,
            target: if_null,
        });
        self.b.emit(Insn::IfNot {
            reg: dest,
            target: if_false,
            jump_if_null: true,
        });
        Ok(())
    }

    /// Compares the already computed `xr` (value of `x`) with `other`.
    fn comparison_regs(
        &mut self,
        op: CmpOp,
        x: &Expr,
        xr: Reg,
        other: &Expr,
        scope: &Scope,
    ) -> Result<Reg, String> {
        let dest = self.b.alloc_reg();
        let mut flags = self.cmp_flags(x, other, scope);
        flags.store = Some(dest);
        // Compare applies affinity in place: each comparison gets its own copy.
        let xr = self.copy_reg(xr);
        let rhs = self.expr(other, scope)?;
        let here = self.b.here();
        self.b.emit(Insn::Compare {
            op,
            lhs: xr,
            rhs,
            target: here + 1,
            flags,
        });
        Ok(dest)
    }

    fn in_list3(
        &mut self,
        x: &Expr,
        negated: bool,
        list: &[Expr],
        scope: &Scope,
        if_false: Addr,
        if_null: Addr,
    ) -> Result<(), String> {
        let (on_match, on_miss) = if negated {
            (if_false, None)
        } else {
            (0, Some(if_false))
        };
        if list.is_empty() {
            if !negated {
                self.b.emit(Insn::Goto { target: if_false });
            }
            return Ok(());
        }
        let matched = self.b.new_label();
        // A constant list of more than two items is an ephemeral index in
        // SQLite, built (every item evaluated) before any comparison;
        // otherwise items are evaluated in order until one matches. A NULL
        // left operand matches nothing, so every item is evaluated.
        let prebuilt = if list.len() > 2 && list.iter().all(|e| self.is_constant_expr(e)) {
            let mut regs = Vec::with_capacity(list.len());
            for item in list {
                regs.push(self.expr(item, scope)?);
            }
            Some(regs)
        } else {
            None
        };
        let xr = self.expr(x, scope)?;
        let saw_null = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: saw_null,
        });
        // `x IN (constant)` is `x = constant` (SQLite rewrites it while
        // parsing); otherwise IN compares with the left operand's affinity
        // and collation alone.
        let single_eq = list.len() == 1 && list.iter().all(is_literal);
        for (i, item) in list.iter().enumerate() {
            let mut flags = self.cmp_flags(x, item, scope);
            if !single_eq {
                flags.affinity = self
                    .expr_affinity(x, scope)
                    .unwrap_or(crate::record::Affinity::Blob);
                flags.collation = self.expr_collation(x, scope);
            }
            flags.jump_if_null = false;
            let r = match prebuilt.as_ref().and_then(|p| p.get(i)) {
                Some(&r) => r,
                None => self.expr(item, scope)?,
            };
            let not_null = self.b.new_label();
            self.b.emit(Insn::NotNull {
                reg: r,
                target: not_null.addr(),
            });
            self.b.emit(Insn::Integer {
                value: 1,
                dest: saw_null,
            });
            self.b.resolve(not_null);
            self.b.emit(Insn::Compare {
                op: CmpOp::Eq,
                lhs: xr,
                rhs: r,
                target: matched.addr(),
                flags,
            });
        }
        self.b.emit(Insn::IsNull {
            reg: xr,
            target: if_null,
        });
        self.b.emit(Insn::If {
            reg: saw_null,
            target: if_null,
            jump_if_null: false,
        });
        match on_miss {
            Some(t) => {
                self.b.emit(Insn::Goto { target: t });
                self.b.resolve(matched);
            }
            None => {
                let done = self.b.new_label();
                self.b.emit(Insn::Goto {
                    target: done.addr(),
                });
                self.b.resolve(matched);
                self.b.emit(Insn::Goto { target: on_match });
                self.b.resolve(done);
            }
        }
        Ok(())
    }

    /// SQLite's `sqlite3ExprIsConstant`: no column, subquery, aggregate
    /// or non-deterministic function anywhere in `e`.
    fn is_constant_expr(&self, e: &Expr) -> bool {
        let mut constant = true;
        super::planner::walk(e, &mut |x| match &x.kind {
            ExprKind::Column { .. }
            | ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. } => constant = false,
            ExprKind::Function(call) => {
                let n = match &call.args {
                    FunctionArgs::Star => 0,
                    FunctionArgs::List(v) => v.len(),
                };
                let pure = self
                    .env
                    .registry
                    .find(&call.name, n)
                    .is_some_and(|d| d.flags.deterministic && !d.is_aggregate());
                constant &= pure && call.over.is_none();
            }
            _ => {}
        });
        constant
    }

    fn case(
        &mut self,
        operand: Option<&Expr>,
        when_then: &[(Expr, Expr)],
        else_expr: Option<&Expr>,
        scope: &Scope,
    ) -> Result<Reg, String> {
        let dest = self.b.alloc_reg();
        let done = self.b.new_label();
        let base = match operand {
            Some(o) => Some((o, self.expr(o, scope)?)),
            None => None,
        };
        for (when, then) in when_then {
            let next = self.b.new_label();
            match base {
                Some((o, r)) => {
                    let mut flags = self.cmp_flags(o, when, scope);
                    flags.jump_if_null = true;
                    let w = self.expr(when, scope)?;
                    let r = self.copy_reg(r);
                    self.b.emit(Insn::Compare {
                        op: CmpOp::Ne,
                        lhs: r,
                        rhs: w,
                        target: next.addr(),
                        flags,
                    });
                }
                None => self.jump_if_false(when, next.addr(), scope)?,
            }
            self.expr_into(then, scope, dest)?;
            self.b.emit(Insn::Goto {
                target: done.addr(),
            });
            self.b.resolve(next);
        }
        match else_expr {
            Some(e) => self.expr_into(e, scope, dest)?,
            None => {
                self.b.emit(Insn::Null { dest, count: 1 });
            }
        }
        self.b.resolve(done);
        Ok(dest)
    }

    /// coalesce/ifnull/iif evaluate only the arguments they need, as
    /// SQLite's inline functions do. `None` when `name` is not one of them
    /// (or has a wrong arity, left for the registry to report).
    fn inline_function(
        &mut self,
        name: &str,
        args: &[&Expr],
        scope: &Scope,
    ) -> Result<Option<Reg>, String> {
        let lower = name.to_ascii_lowercase();
        let short_circuit =
            (lower == "coalesce" && args.len() >= 2) || (lower == "ifnull" && args.len() == 2);
        if short_circuit {
            let dest = self.b.alloc_reg();
            let done = self.b.new_label();
            for (i, a) in args.iter().enumerate() {
                self.expr_into(a, scope, dest)?;
                if i + 1 < args.len() {
                    self.b.emit(Insn::NotNull {
                        reg: dest,
                        target: done.addr(),
                    });
                }
            }
            self.b.resolve(done);
            return Ok(Some(dest));
        }
        if lower == "iif" && args.len() == 3 {
            let dest = self.b.alloc_reg();
            let (no, done) = (self.b.new_label(), self.b.new_label());
            self.jump_if_false(args[0], no.addr(), scope)?;
            self.expr_into(args[1], scope, dest)?;
            self.b.emit(Insn::Goto {
                target: done.addr(),
            });
            self.b.resolve(no);
            self.expr_into(args[2], scope, dest)?;
            self.b.resolve(done);
            return Ok(Some(dest));
        }
        Ok(None)
    }

    /// Calls the scalar function `name` on `args`.
    pub(super) fn call_function(
        &mut self,
        name: &str,
        args: &[&Expr],
        scope: &Scope,
    ) -> Result<Reg, String> {
        if let Some(r) = self.inline_function(name, args, scope)? {
            return Ok(r);
        }
        let func = self
            .env
            .registry
            .find(name, args.len())
            .filter(|f| !matches!(f.kind, crate::func::FuncKind::WrongArgCount))
            .ok_or_else(|| {
                if self.env.registry.has_name(name) {
                    format!("wrong number of arguments to function {name}()")
                } else {
                    format!("no such function: {name}")
                }
            })?;
        let first = self.b.alloc_regs(args.len());
        for (i, a) in args.iter().enumerate() {
            // A function only reads its arguments: a constant one is
            // loaded into its slot once, in the prologue.
            match constant_load(a, first + i) {
                Some(insn) => self.hoisted.push(insn),
                None => self.expr_into(a, scope, first + i)?,
            }
        }
        let collation = args.iter().find_map(|a| self.expr_collation(a, scope));
        let dest = self.b.alloc_reg();
        self.b.emit(Insn::Function {
            func: Arc::new(func.clone()),
            args: first,
            n_args: args.len(),
            dest,
            collation,
        });
        Ok(dest)
    }
}

impl Gen<'_> {
    /// Codes the operand of one comparison jump. A bound parameter or a
    /// literal is loaded once per execution, in the prologue, into a register of its
    /// own (SQLite factors constant operands out of loops the same way):
    /// the one comparison reading it may convert it in place, and
    /// converting an already-converted value under the same affinity
    /// changes nothing, so every later row compares the same value.
    pub(super) fn hoisted_operand(&mut self, e: &Expr, scope: &Scope) -> Result<Reg, String> {
        let dest = self.b.next_reg();
        let Some(insn) = constant_load(e, dest) else {
            return self.expr(e, scope);
        };
        let r = self.b.alloc_reg();
        debug_assert_eq!(r, dest);
        self.hoisted.push(insn);
        Ok(dest)
    }

    /// A fresh register holding a copy of `r`.
    pub(super) fn copy_reg(&mut self, r: Reg) -> Reg {
        let c = self.b.alloc_reg();
        self.b.emit(Insn::SCopy { src: r, dest: c });
        c
    }

    /// True if `call` names an aggregate of its arity (`max(x)` is, `max(x, y)` is not).
    pub(super) fn is_aggregate_call(&self, call: &crate::sql::ast::FunctionCall) -> bool {
        let n = match &call.args {
            FunctionArgs::Star => 0,
            FunctionArgs::List(v) => v.len(),
        };
        call.over.is_none()
            && self
                .env
                .registry
                .find(&call.name, n)
                .is_some_and(|d| d.is_aggregate())
    }
}

/// `sqlite3ExprSimplifiedAndOr`, applied where a condition becomes jumps:
/// an AND/OR with an always-true or always-false integer literal operand
/// reduces to one side, so the other side is never evaluated.
pub(super) fn simplified_and_or(e: &Expr) -> &Expr {
    use crate::sql::parser::literal_truth;
    if let ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) = &e.kind {
        let (l, r) = (simplified_and_or(l), simplified_and_or(r));
        let is_and = *op == BinaryOp::And;
        if literal_truth(l) == Some(true) || literal_truth(r) == Some(false) {
            return if is_and { r } else { l };
        }
        if literal_truth(r) == Some(true) || literal_truth(l) == Some(false) {
            return if is_and { l } else { r };
        }
    }
    e
}

/// `NOT x` where `x` simplifies ([`simplified_and_or`]): NOT of the
/// simplified operand (SQLite's jump for NOT is the opposite jump on `x`,
/// which simplifies `x`). None when nothing simplifies.
pub(super) fn simplified_not(e: &Expr) -> Option<Expr> {
    let ExprKind::Unary(UnaryOp::Not, x) = &e.kind else {
        return None;
    };
    let inner = simplified_and_or(x);
    (!std::ptr::eq(inner, &**x)).then(|| Expr {
        kind: ExprKind::Unary(UnaryOp::Not, Box::new(inner.clone())),
        span: e.span,
        height: e.height,
    })
}

/// True if `e` has a COLLATE clause anywhere below it (SQLite's EP_Collate).
pub(super) fn has_explicit_collate(e: &Expr) -> bool {
    let mut found = false;
    super::planner::walk(e, &mut |x| found |= matches!(x.kind, ExprKind::Collate(..)));
    found
}

fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

fn qualified(table: Option<&str>, column: &str) -> String {
    match table {
        Some(t) => format!("{t}.{column}"),
        None => column.to_string(),
    }
}

/// True for a literal, possibly signed, cast or with a COLLATE clause.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Unary(_, a) | ExprKind::Collate(a, _) | ExprKind::Cast(a, _) => is_literal(a),
        _ => false,
    }
}

/// The VDBE comparison of a comparison operator, and whether NULLs compare
/// equal (IS / IS NOT).
pub(super) fn cmp_of(op: BinaryOp) -> Option<(CmpOp, bool)> {
    Some(match op {
        BinaryOp::Eq => (CmpOp::Eq, false),
        BinaryOp::Ne => (CmpOp::Ne, false),
        BinaryOp::Lt => (CmpOp::Lt, false),
        BinaryOp::Le => (CmpOp::Le, false),
        BinaryOp::Gt => (CmpOp::Gt, false),
        BinaryOp::Ge => (CmpOp::Ge, false),
        BinaryOp::Is => (CmpOp::Eq, true),
        BinaryOp::IsNot => (CmpOp::Ne, true),
        _ => return None,
    })
}

pub(super) fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// `sqlite3CompareAffinity` (invariant 3), with "no affinity" as `None`.
pub(super) fn compare_affinity(a: Option<Affinity>, b: Option<Affinity>) -> Affinity {
    match (a, b) {
        (Some(x), Some(y)) if x.is_numeric() || y.is_numeric() => Affinity::Numeric,
        (Some(_), Some(_)) => Affinity::Blob,
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => Affinity::Blob,
    }
}

/// Parses an integer literal (decimal or hex); `None` if it overflows i64.
pub(super) fn parse_integer(text: &str) -> Option<i64> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let v = u64::from_str_radix(hex, 16).ok()? as i64;
        return Some(if neg { v.wrapping_neg() } else { v });
    }
    text.parse::<i64>().ok()
}

pub(super) fn parse_real(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(if text.starts_with('-') {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    })
}

/// The value of a constant expression (literals and signed numbers).
pub(super) fn constant_value(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(t)) => Some(
            parse_integer(t)
                .map(Value::Integer)
                .unwrap_or(Value::Real(parse_real(t))),
        ),
        ExprKind::Literal(Literal::Real(t)) => Some(Value::Real(parse_real(t))),
        ExprKind::Literal(Literal::String(s)) => Some(Value::Text(s.as_bytes().to_vec())),
        ExprKind::Literal(Literal::Blob(b)) => Some(Value::Blob(b.clone())),
        ExprKind::Literal(Literal::Null) => Some(Value::Null),
        ExprKind::Literal(Literal::True) => Some(Value::Integer(1)),
        ExprKind::Literal(Literal::False) => Some(Value::Integer(0)),
        ExprKind::Unary(UnaryOp::Negate, inner) => match constant_value(inner)? {
            Value::Integer(i) => Some(Value::Integer(i.wrapping_neg())),
            Value::Real(r) => Some(Value::Real(-r)),
            _ => None,
        },
        ExprKind::Unary(UnaryOp::Plus, inner) => constant_value(inner),
        _ => None,
    }
}

/// `SELECT * FROM table`, the subquery `x IN table` stands for.
/// `SELECT * FROM table` (or `FROM table(args)`, a table-valued function).
fn select_star(
    table: &crate::sql::ast::QualifiedName,
    args: Option<&[Expr]>,
) -> crate::sql::ast::Select {
    use crate::sql::ast::{
        FromClause, FromItem, ResultColumn, Select, SelectCore, SimpleSelect, TableSource,
    };
    let item = FromItem {
        join: None,
        source: match args {
            Some(a) => TableSource::Function(table.clone(), a.to_vec()),
            None => TableSource::Table(table.clone()),
        },
        alias: None,
        indexed: None,
        constraint: None,
    };
    let core = SimpleSelect {
        distinct: false,
        columns: vec![ResultColumn::Star],
        from: Some(FromClause { items: vec![item] }),
        where_: None,
        group_by: Vec::new(),
        having: None,
        windows: Vec::new(),
    };
    Select {
        with: None,
        first: SelectCore::Select(Box::new(core)),
        compounds: Vec::new(),
        order_by: Vec::new(),
        limit: None,
        span: (0, 0),
    }
}

/// The instruction loading `e` into `dest` when `e` is a bound parameter
/// or a literal (a value fixed for one execution), else `None`.
fn constant_load(e: &Expr, dest: Reg) -> Option<Insn> {
    match &e.kind {
        ExprKind::Variable { index, .. } => Some(Insn::Variable {
            index: *index as usize,
            dest,
        }),
        ExprKind::Literal(lit) => literal_insn(lit, dest),
        _ => None,
    }
}

/// The instruction loading literal `lit` into `dest`; `None` for the
/// CURRENT_* keywords, which are function calls.
fn literal_insn(lit: &Literal, dest: Reg) -> Option<Insn> {
    Some(match lit {
        Literal::Integer(text) => match parse_integer(text) {
            Some(value) => Insn::Integer { value, dest },
            None => Insn::Real {
                value: parse_real(text),
                dest,
            },
        },
        Literal::Real(text) => Insn::Real {
            value: parse_real(text),
            dest,
        },
        Literal::String(s) => Insn::String8 {
            value: Arc::from(s.as_bytes()),
            dest,
        },
        Literal::Blob(b) => Insn::Blob {
            value: Arc::from(b.as_slice()),
            dest,
        },
        Literal::Null => Insn::Null { dest, count: 1 },
        Literal::True => Insn::Integer { value: 1, dest },
        Literal::False => Insn::Integer { value: 0, dest },
        Literal::CurrentTime | Literal::CurrentDate | Literal::CurrentTimestamp => return None,
    })
}
