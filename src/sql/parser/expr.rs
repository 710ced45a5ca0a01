//! Expression parsing: a Pratt parser with SQLite's operator precedence.
//!
//! SQLite counterpart: the `expr` and `term` rules of parse.y, the
//! precedence declarations at its top, `sqlite3PExpr`,
//! `sqlite3ExprCheckHeight` (expr.c).
//!
//! Binding powers, loosest first (lang_expr.html "Operators"):
//!
//! | bp | operators |
//! |---|---|
//! | 1 | OR |
//! | 2 | AND |
//! | 3 | prefix NOT |
//! | 4 | = == != <> IS [NOT] [DISTINCT FROM] [NOT] LIKE/GLOB/REGEXP/MATCH, [NOT] BETWEEN, [NOT] IN, ISNULL, NOTNULL, NOT NULL |
//! | 5 | < <= > >= |
//! | 6 | ESCAPE (only after a LIKE pattern) |
//! | 7 | & \| << >> |
//! | 8 | + - |
//! | 9 | * / % |
//! | 10 | \|\| -> ->> |
//! | 11 | COLLATE (postfix) |
//! | 12 | prefix - + ~ |
//!
//! Invariants:
//! 1. All binary operators are left-associative: the right operand is
//!    parsed at `bp + 1`.
//! 2. Every node's height is checked against `MAX_EXPR_DEPTH` when built,
//!    and nesting is charged to the parser-stack estimate, so hostile
//!    input cannot overflow the Rust stack.

use super::core::{Parser, MAX_EXPR_DEPTH};
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::lexer::dequote;
use crate::sql::token::{Keyword as K, TokenKind as T};

const BP_OR: u8 = 1;
const BP_AND: u8 = 2;
const BP_NOT: u8 = 3;
const BP_EQ: u8 = 4;
const BP_CMP: u8 = 5;
const BP_BIT: u8 = 7;
const BP_ADD: u8 = 8;
const BP_MUL: u8 = 9;
const BP_CONCAT: u8 = 10;
const BP_COLLATE: u8 = 11;
const BP_UNARY: u8 = 12;

/// Height of a SELECT as SQLite's `heightOfSelect` computes it.
pub(crate) fn select_height(s: &Select) -> u32 {
    let mut h = 0;
    let max_list = |l: &[Expr]| l.iter().map(|e| e.height).max().unwrap_or(0);
    let cores = std::iter::once(&s.first).chain(s.compounds.iter().map(|(_, c)| c));
    for core in cores {
        match core {
            SelectCore::Select(ss) => {
                for e in ss.where_.iter().chain(ss.having.iter()) {
                    h = h.max(e.height);
                }
                for c in &ss.columns {
                    if let ResultColumn::Expr { expr, .. } = c {
                        h = h.max(expr.height);
                    }
                }
                h = h.max(max_list(&ss.group_by));
            }
            SelectCore::Values(rows) => {
                for r in rows {
                    h = h.max(max_list(r));
                }
            }
        }
    }
    for t in &s.order_by {
        h = h.max(t.expr.height);
    }
    if let Some(l) = &s.limit {
        h = h.max(l.limit.height);
        if let Some(o) = &l.offset {
            h = h.max(o.height);
        }
    }
    h
}

fn children_height(kind: &ExprKind) -> u32 {
    let list = |l: &[Expr]| l.iter().map(|e| e.height).max().unwrap_or(0);
    match kind {
        ExprKind::Literal(_)
        | ExprKind::Column { .. }
        | ExprKind::Variable { .. }
        | ExprKind::Raise(..) => 0,
        ExprKind::Unary(_, e)
        | ExprKind::Collate(e, _)
        | ExprKind::Cast(e, _)
        | ExprKind::IsNull(e, _) => e.height,
        ExprKind::Binary(_, a, b) => a.height.max(b.height),
        ExprKind::Case {
            operand,
            when_then,
            else_expr,
        } => {
            let mut h = operand.as_ref().map_or(0, |e| e.height);
            for (w, t) in when_then {
                h = h.max(w.height).max(t.height);
            }
            h.max(else_expr.as_ref().map_or(0, |e| e.height))
        }
        ExprKind::Between {
            expr, low, high, ..
        } => expr.height.max(low.height).max(high.height),
        ExprKind::InList { expr, list, .. } => expr.height.max(list_height(list)),
        ExprKind::InSelect { expr, select, .. } => expr.height.max(select_height(select)),
        ExprKind::InTable { expr, args, .. } => expr.height.max(args.as_deref().map_or(0, list)),
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => expr
            .height
            .max(pattern.height)
            .max(escape.as_ref().map_or(0, |e| e.height)),
        ExprKind::Exists(s) | ExprKind::Subquery(s) => select_height(s),
        ExprKind::Row(l) => list(l),
        ExprKind::Function(f) => match &f.args {
            FunctionArgs::Star => 0,
            FunctionArgs::List(l) => list(l),
        },
    }
}

fn list_height(l: &[Expr]) -> u32 {
    l.iter().map(|e| e.height).max().unwrap_or(0)
}

impl Parser<'_> {
    /// Builds an expression node, computing and checking its height.
    pub(crate) fn mk(&self, kind: ExprKind, span: Span) -> PResult<Expr> {
        let height = children_height(&kind) + 1;
        if height > MAX_EXPR_DEPTH {
            return Err(ParseError::Other(format!(
                "Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})"
            )));
        }
        Ok(Expr { kind, span, height })
    }

    /// Parses a full expression (`expr` in parse.y).
    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.expr_bp(0)
    }

    /// Parses `expr, expr, ...` with at least one term (`nexprlist`).
    pub(crate) fn nexprlist(&mut self) -> PResult<Vec<Expr>> {
        let mut list = vec![self.expr()?];
        while self.eat(T::Comma)? {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    /// Parses an expression whose operators all bind at least `min_bp`.
    pub(crate) fn expr_bp(&mut self, min_bp: u8) -> PResult<Expr> {
        let mut lhs = self.prefix()?;
        while let Some(bp) = self.infix_bp() {
            if bp < min_bp {
                break;
            }
            lhs = self.infix(lhs, bp)?;
        }
        Ok(lhs)
    }

    /// The binding power of the current token as an infix/postfix operator.
    fn infix_bp(&mut self) -> Option<u8> {
        Some(match self.kind() {
            T::Keyword(K::Or) => BP_OR,
            T::Keyword(K::And) => BP_AND,
            T::Eq | T::Ne => BP_EQ,
            T::Keyword(K::Is | K::Like | K::Glob | K::Regexp | K::Match | K::Between | K::In) => {
                BP_EQ
            }
            T::Keyword(K::Isnull | K::Notnull) => BP_EQ,
            // SQLite shifts NOT after an expression (for NOT NULL, NOT LIKE,
            // …) and fails at the token after it if nothing fits.
            T::Keyword(K::Not) => BP_EQ,
            T::Lt | T::Le | T::Gt | T::Ge => BP_CMP,
            T::BitAnd | T::BitOr | T::LShift | T::RShift => BP_BIT,
            T::Plus | T::Minus => BP_ADD,
            T::Star | T::Slash | T::Rem => BP_MUL,
            T::Concat | T::Ptr => BP_CONCAT,
            T::Keyword(K::Collate) => BP_COLLATE,
            _ => return None,
        })
    }

    fn binary(&mut self, lhs: Expr, op: BinaryOp, bp: u8) -> PResult<Expr> {
        self.enter(2)?;
        let rhs = self.expr_bp(bp + 1)?;
        self.leave(2);
        let span = (lhs.span.0, rhs.span.1);
        if op == BinaryOp::And
            && (literal_truth(&lhs) == Some(false) || literal_truth(&rhs) == Some(false))
        {
            // `sqlite3ExprAnd`: AND with a literal 0 is the literal 0 (the
            // other operand is never evaluated).
            return self.mk(ExprKind::Literal(Literal::Integer("0".into())), span);
        }
        self.mk(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)
    }

    fn infix(&mut self, lhs: Expr, bp: u8) -> PResult<Expr> {
        let t = self.bump()?;
        let op = match t.kind {
            T::Keyword(K::Or) => BinaryOp::Or,
            T::Keyword(K::And) => BinaryOp::And,
            T::Eq => BinaryOp::Eq,
            T::Ne => BinaryOp::Ne,
            T::Lt => BinaryOp::Lt,
            T::Le => BinaryOp::Le,
            T::Gt => BinaryOp::Gt,
            T::Ge => BinaryOp::Ge,
            T::BitAnd => BinaryOp::BitAnd,
            T::BitOr => BinaryOp::BitOr,
            T::LShift => BinaryOp::LShift,
            T::RShift => BinaryOp::RShift,
            T::Plus => BinaryOp::Add,
            T::Minus => BinaryOp::Subtract,
            T::Star => BinaryOp::Multiply,
            T::Slash => BinaryOp::Divide,
            T::Rem => BinaryOp::Remainder,
            T::Concat => BinaryOp::Concat,
            T::Ptr if self.text(t) == "->" => BinaryOp::Arrow,
            T::Ptr => BinaryOp::Arrow2,
            T::Keyword(K::Is) => return self.is_op(lhs),
            T::Keyword(K::Isnull) => {
                return self.postfix(ExprKind::IsNull(Box::new(lhs.clone()), false), &lhs)
            }
            T::Keyword(K::Notnull) => {
                return self.postfix(ExprKind::IsNull(Box::new(lhs.clone()), true), &lhs)
            }
            T::Keyword(K::Collate) => {
                let name = self.ids()?;
                return self.postfix(ExprKind::Collate(Box::new(lhs.clone()), name), &lhs);
            }
            T::Keyword(K::Not) => return self.negated_op(lhs),
            T::Keyword(k) => return self.special_op(lhs, k, false),
            _ => return Err(self.error_at(t)),
        };
        self.binary(lhs, op, bp)
    }

    fn postfix(&mut self, kind: ExprKind, lhs: &Expr) -> PResult<Expr> {
        let span = (lhs.span.0, self.prev_end());
        self.mk(kind, span)
    }

    /// After `expr NOT`: NULL, LIKE-family, BETWEEN or IN.
    fn negated_op(&mut self, lhs: Expr) -> PResult<Expr> {
        let t = self.peek();
        match t.kind {
            T::Keyword(K::Null) => {
                self.bump()?;
                let span = (lhs.span.0, t.end);
                self.mk(ExprKind::IsNull(Box::new(lhs), true), span)
            }
            T::Keyword(k @ (K::Like | K::Glob | K::Regexp | K::Match | K::Between | K::In)) => {
                self.bump()?;
                self.special_op(lhs, k, true)
            }
            _ => Err(self.error_at(t)),
        }
    }

    /// `IS [NOT] [DISTINCT FROM] rhs`
    fn is_op(&mut self, lhs: Expr) -> PResult<Expr> {
        let mut negated = self.eat_kw(K::Not)?;
        if self.eat_kw(K::Distinct)? {
            self.expect_kw(K::From)?;
            negated = !negated;
        }
        let op = if negated {
            BinaryOp::IsNot
        } else {
            BinaryOp::Is
        };
        let e = self.binary(lhs, op, BP_EQ)?;
        // `x IS NULL` becomes ISNULL, as SQLite's binaryToUnaryIfNull does.
        if let ExprKind::Binary(op, l, r) = &e.kind {
            if matches!(r.kind, ExprKind::Literal(Literal::Null)) {
                let kind = ExprKind::IsNull(l.clone(), *op == BinaryOp::IsNot);
                return self.mk(kind, e.span);
            }
        }
        Ok(e)
    }

    /// LIKE/GLOB/REGEXP/MATCH, BETWEEN, IN after their keyword.
    fn special_op(&mut self, lhs: Expr, k: K, negated: bool) -> PResult<Expr> {
        let like = match k {
            K::Like => LikeOp::Like,
            K::Glob => LikeOp::Glob,
            K::Regexp => LikeOp::Regexp,
            K::Match => LikeOp::Match,
            K::Between => return self.between(lhs, negated),
            K::In => return self.in_op(lhs, negated),
            _ => {
                let t = self.peek_at(0);
                return Err(self.error_at(t));
            }
        };
        self.enter(2)?;
        let pattern = self.expr_bp(BP_EQ + 1)?;
        let escape = if self.eat_kw(K::Escape)? {
            Some(Box::new(self.expr_bp(BP_EQ + 1)?))
        } else {
            None
        };
        self.leave(2);
        let end = escape.as_ref().map_or(pattern.span.1, |e| e.span.1);
        let span = (lhs.span.0, end);
        let kind = ExprKind::Like {
            op: like,
            negated,
            expr: Box::new(lhs),
            pattern: Box::new(pattern),
            escape,
        };
        self.mk(kind, span)
    }

    fn between(&mut self, lhs: Expr, negated: bool) -> PResult<Expr> {
        self.enter(2)?;
        let low = self.expr_bp(BP_EQ)?;
        self.expect_kw(K::And)?;
        let high = self.expr_bp(BP_EQ + 1)?;
        self.leave(2);
        let span = (lhs.span.0, high.span.1);
        self.mk(
            ExprKind::Between {
                expr: Box::new(lhs),
                negated,
                low: Box::new(low),
                high: Box::new(high),
            },
            span,
        )
    }

    fn in_op(&mut self, lhs: Expr, negated: bool) -> PResult<Expr> {
        let expr = Box::new(lhs);
        if self.eat(T::LParen)? {
            self.enter(3)?;
            let kind = if self.at_select_start() {
                let select = Box::new(self.select()?);
                ExprKind::InSelect {
                    expr,
                    negated,
                    select,
                }
            } else if self.kind() == T::RParen {
                ExprKind::InList {
                    expr,
                    negated,
                    list: Vec::new(),
                }
            } else {
                ExprKind::InList {
                    expr,
                    negated,
                    list: self.nexprlist()?,
                }
            };
            self.leave(3);
            let end = self.expect(T::RParen)?.end;
            let start = match &kind {
                ExprKind::InList { expr, .. } | ExprKind::InSelect { expr, .. } => expr.span.0,
                _ => end,
            };
            return self.mk(kind, (start, end));
        }
        let start = expr.span.0;
        let table = self.fullname()?;
        let args = if self.eat(T::LParen)? {
            let list = if self.kind() == T::RParen {
                Vec::new()
            } else {
                self.nexprlist()?
            };
            self.expect(T::RParen)?;
            Some(list)
        } else {
            None
        };
        let end = self.prev_end();
        self.mk(
            ExprKind::InTable {
                expr,
                negated,
                table,
                args,
            },
            (start, end),
        )
    }

    /// True if the current token starts a SELECT (`SELECT`, `VALUES`, `WITH`).
    pub(crate) fn at_select_start(&mut self) -> bool {
        matches!(self.kind(), T::Keyword(K::Select | K::Values | K::With))
    }

    fn prefix(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let unary = match t.kind {
            T::Minus => Some(UnaryOp::Negate),
            T::Plus => Some(UnaryOp::Plus),
            T::BitNot => Some(UnaryOp::BitNot),
            T::Keyword(K::Not) => Some(UnaryOp::Not),
            _ => None,
        };
        if let Some(op) = unary {
            self.bump()?;
            self.enter(1)?;
            let bp = if op == UnaryOp::Not { BP_NOT } else { BP_UNARY };
            let operand = self.expr_bp(bp)?;
            self.leave(1);
            let span = (t.start, operand.span.1);
            return self.mk(ExprKind::Unary(op, Box::new(operand)), span);
        }
        self.primary()
    }

    fn literal(&mut self, lit: Literal) -> PResult<Expr> {
        let t = self.bump()?;
        self.mk(ExprKind::Literal(lit), (t.start, t.end))
    }

    fn primary(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let text = self.text(t);
        match t.kind {
            T::Integer => self.literal(Literal::Integer(text.to_string())),
            T::Float => self.literal(Literal::Real(text.to_string())),
            T::String if self.kind_at(1) != T::Dot => self.literal(Literal::String(dequote(text))),
            T::Blob => self.literal(Literal::Blob(decode_blob(text))),
            T::Keyword(K::Null) => self.literal(Literal::Null),
            T::Keyword(K::CurrentTime) => self.literal(Literal::CurrentTime),
            T::Keyword(K::CurrentDate) => self.literal(Literal::CurrentDate),
            T::Keyword(K::CurrentTimestamp) => self.literal(Literal::CurrentTimestamp),
            T::Variable => {
                self.bump()?;
                let (index, name) = self.assign_variable(t)?;
                self.mk(ExprKind::Variable { index, name }, (t.start, t.end))
            }
            T::LParen => self.paren(),
            T::Keyword(K::Cast) => self.cast(),
            T::Keyword(K::Case) => self.case(),
            T::Keyword(K::Exists) => {
                self.bump()?;
                self.expect(T::LParen)?;
                self.enter(1)?;
                let s = self.subselect()?;
                self.leave(1);
                let end = self.expect(T::RParen)?.end;
                self.mk(ExprKind::Exists(Box::new(s)), (t.start, end))
            }
            T::Keyword(K::Raise) => self.raise(),
            _ if self.at_nm() => self.name_expr(),
            _ => Err(self.error_here()),
        }
    }

    /// A subquery inside parentheses, charged to the stack estimate.
    pub(crate) fn subselect(&mut self) -> PResult<Select> {
        self.enter(5)?;
        let s = self.select()?;
        self.leave(5);
        Ok(s)
    }

    fn paren(&mut self) -> PResult<Expr> {
        let lp = self.bump()?;
        if self.at_select_start() {
            let s = self.subselect()?;
            let end = self.expect(T::RParen)?.end;
            return self.mk(ExprKind::Subquery(Box::new(s)), (lp.start, end));
        }
        self.enter(1)?;
        let first = self.expr()?;
        if self.kind() != T::Comma {
            self.leave(1);
            let end = self.expect(T::RParen)?.end;
            return Ok(Expr {
                span: (lp.start, end),
                ..first
            });
        }
        let mut list = vec![first];
        self.enter(2)?;
        while self.eat(T::Comma)? {
            list.push(self.expr()?);
        }
        self.leave(3);
        let end = self.expect(T::RParen)?.end;
        self.mk(ExprKind::Row(list), (lp.start, end))
    }

    fn cast(&mut self) -> PResult<Expr> {
        let start = self.bump()?.start;
        self.expect(T::LParen)?;
        self.enter(2)?;
        let e = self.expr()?;
        self.expect_kw(K::As)?;
        self.enter(3)?;
        let ty = self.type_name(false)?;
        self.leave(5);
        let end = self.expect(T::RParen)?.end;
        self.mk(ExprKind::Cast(Box::new(e), ty), (start, end))
    }

    fn case(&mut self) -> PResult<Expr> {
        let start = self.bump()?.start;
        self.enter(5)?;
        let operand = if self.at_kw(K::When) {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut when_then = Vec::new();
        while self.eat_kw(K::When)? {
            let w = self.expr()?;
            self.expect_kw(K::Then)?;
            when_then.push((w, self.expr()?));
        }
        if when_then.is_empty() {
            return Err(self.error_here());
        }
        let else_expr = if self.eat_kw(K::Else)? {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        let end = self.expect_kw(K::End)?.end;
        self.leave(5);
        self.mk(
            ExprKind::Case {
                operand,
                when_then,
                else_expr,
            },
            (start, end),
        )
    }

    fn raise(&mut self) -> PResult<Expr> {
        let start = self.bump()?.start;
        self.expect(T::LParen)?;
        let t = self.peek();
        let action = match t.kind {
            T::Keyword(K::Ignore) => RaiseAction::Ignore,
            T::Keyword(K::Rollback) => RaiseAction::Rollback,
            T::Keyword(K::Abort) => RaiseAction::Abort,
            T::Keyword(K::Fail) => RaiseAction::Fail,
            _ => return Err(self.error_at(t)),
        };
        self.bump()?;
        let msg = if action == RaiseAction::Ignore {
            None
        } else {
            self.expect(T::Comma)?;
            Some(self.nm()?)
        };
        let end = self.expect(T::RParen)?.end;
        self.mk(ExprKind::Raise(action, msg), (start, end))
    }

    /// A column reference `[[schema.]table.]column` or a function call.
    fn name_expr(&mut self) -> PResult<Expr> {
        let t = self.bump()?;
        if self.kind() == T::LParen && t.kind != T::String {
            return self.function_call(t);
        }
        let first = dequote(self.text(t));
        if self.kind() != T::Dot {
            if t.kind == T::String {
                return self.mk(ExprKind::Literal(Literal::String(first)), (t.start, t.end));
            }
            let double_quoted = self.text(t).starts_with('"');
            let kind = ExprKind::Column {
                schema: None,
                table: None,
                column: first,
                double_quoted,
            };
            return self.mk(kind, (t.start, t.end));
        }
        self.bump()?;
        let second = self.nm()?;
        let kind = if self.eat(T::Dot)? {
            let third = self.nm()?;
            ExprKind::Column {
                schema: Some(first),
                table: Some(second),
                column: third,
                double_quoted: false,
            }
        } else {
            ExprKind::Column {
                schema: None,
                table: Some(first),
                column: second,
                double_quoted: false,
            }
        };
        let end = self.prev_end();
        self.mk(kind, (t.start, end))
    }
}

/// Decodes the hex digits of a validated `X'..'` token.
fn decode_blob(text: &str) -> Vec<u8> {
    let hex = text
        .get(2..text.len().saturating_sub(1))
        .unwrap_or("")
        .as_bytes();
    hex.chunks(2)
        .map(|p| {
            let d = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            d(p.first().copied().unwrap_or(b'0')) << 4 | d(p.get(1).copied().unwrap_or(b'0'))
        })
        .collect()
}

/// The value of an integer literal's text when it fits a positive 32-bit
/// int (`sqlite3GetInt32`: decimal with leading zeros, or 0x hex).
fn int32_literal(text: &str) -> Option<i32> {
    let v = match text.get(..2) {
        Some("0x" | "0X") => i64::from_str_radix(text.get(2..)?, 16).ok()?,
        _ => text.parse::<i64>().ok()?,
    };
    i32::try_from(v).ok()
}

/// SQLite's EP_IsTrue / EP_IsFalse of an integer literal that fits 32
/// bits: Some(true) when nonzero, Some(false) when zero, None for any
/// other expression.
pub(crate) fn literal_truth(e: &Expr) -> Option<bool> {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(t)) => int32_literal(t).map(|v| v != 0),
        _ => None,
    }
}
