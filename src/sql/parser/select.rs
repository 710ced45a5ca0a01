//! SELECT parsing: WITH, compound selects, result columns, FROM/joins,
//! WHERE, GROUP BY, HAVING, WINDOW, ORDER BY, LIMIT.
//!
//! SQLite counterpart: parse.y's `select`, `oneselect`, `values`,
//! `selcollist`, `seltablist`, `joinop`, `with` rules; `sqlite3JoinType`,
//! `parserDoubleLinkSelect`, `sqlite3SrcListAppendFromTerm` (their
//! parse-time checks).
//!
//! Invariants:
//! 1. ORDER BY/LIMIT written before a compound operator is an error
//!    (`ORDER BY clause should come after UNION not before`), reported
//!    after the whole compound is parsed, as SQLite does.
//! 2. A VALUES list takes no ORDER BY or LIMIT of its own.
//! 3. A parenthesized join is flattened into the enclosing FROM list when
//!    SQLite does so (it is the first item and has no alias/constraint, or
//!    it holds a single item); otherwise it is [`TableSource::Nested`].

use super::core::{Parser, MAX_COMPOUND_SELECT};
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::lexer::is_space;
use crate::sql::token::{Keyword as K, Token, TokenKind as T};

/// One parsed `oneselect` with its own (possibly misplaced) ORDER BY/LIMIT.
struct CorePart {
    core: SelectCore,
    order_by: Vec<OrderingTerm>,
    limit: Option<Limit>,
}

fn op_name(op: CompoundOp) -> &'static str {
    match op {
        CompoundOp::Union => "UNION",
        CompoundOp::UnionAll => "UNION ALL",
        CompoundOp::Intersect => "INTERSECT",
        CompoundOp::Except => "EXCEPT",
    }
}

impl Parser<'_> {
    /// `[WITH ...] select-core [compound ...] [ORDER BY] [LIMIT]`.
    pub(crate) fn select(&mut self) -> PResult<Select> {
        let start = self.scan_point();
        let with = if self.at_kw(K::With) {
            Some(self.with_clause()?)
        } else {
            None
        };
        self.select_body(with, start)
    }

    /// The rest of a SELECT after its (already parsed) WITH clause.
    pub(crate) fn select_body(&mut self, with: Option<With>, start: usize) -> PResult<Select> {
        let mut parts = vec![self.core_part()?];
        let mut ops = Vec::new();
        while let Some(op) = self.compound_op()? {
            ops.push(op);
            parts.push(self.core_part()?);
        }
        self.check_compound(&parts, &ops)?;
        let mut parts = parts.into_iter();
        let Some(first) = parts.next() else {
            return Err(self.error_here());
        };
        let (mut order_by, mut limit) = (first.order_by, first.limit);
        let mut compounds = Vec::new();
        for (op, part) in ops.into_iter().zip(parts) {
            order_by = part.order_by;
            limit = part.limit;
            compounds.push((op, part.core));
        }
        let span = (start, self.prev_end());
        Ok(Select {
            with,
            first: first.core,
            compounds,
            order_by,
            limit,
            span,
        })
    }

    fn check_compound(&self, parts: &[CorePart], ops: &[CompoundOp]) -> PResult<()> {
        let mut err = None;
        for i in (0..parts.len().saturating_sub(1)).rev() {
            let (Some(p), Some(op)) = (parts.get(i), ops.get(i)) else {
                continue;
            };
            if !p.order_by.is_empty() || p.limit.is_some() {
                let what = if p.order_by.is_empty() {
                    "LIMIT"
                } else {
                    "ORDER BY"
                };
                err = Some(format!(
                    "{what} clause should come after {} not before",
                    op_name(*op)
                ));
                break;
            }
        }
        if parts.len() > MAX_COMPOUND_SELECT {
            err = Some("too many terms in compound SELECT".into());
        }
        match err {
            Some(m) => Err(ParseError::Other(m)),
            None => Ok(()),
        }
    }

    fn compound_op(&mut self) -> PResult<Option<CompoundOp>> {
        let op = match self.kind() {
            T::Keyword(K::Union) => {
                self.bump()?;
                if self.eat_kw(K::All)? {
                    CompoundOp::UnionAll
                } else {
                    CompoundOp::Union
                }
            }
            T::Keyword(K::Intersect) => {
                self.bump()?;
                CompoundOp::Intersect
            }
            T::Keyword(K::Except) => {
                self.bump()?;
                CompoundOp::Except
            }
            _ => return Ok(None),
        };
        Ok(Some(op))
    }

    fn core_part(&mut self) -> PResult<CorePart> {
        if self.at_kw(K::Values) {
            self.bump()?;
            let mut rows = Vec::new();
            loop {
                self.expect(T::LParen)?;
                rows.push(self.nexprlist()?);
                self.expect(T::RParen)?;
                if !self.eat(T::Comma)? {
                    break;
                }
            }
            return Ok(CorePart {
                core: SelectCore::Values(rows),
                order_by: Vec::new(),
                limit: None,
            });
        }
        self.expect_kw(K::Select)?;
        let core = self.simple_select()?;
        let order_by = self.order_by_opt()?;
        let limit = self.limit_opt()?;
        Ok(CorePart {
            core: SelectCore::Select(Box::new(core)),
            order_by,
            limit,
        })
    }

    fn simple_select(&mut self) -> PResult<SimpleSelect> {
        let distinct = if self.eat_kw(K::Distinct)? {
            true
        } else {
            self.eat_kw(K::All)?;
            false
        };
        let columns = self.result_columns()?;
        let from = if self.eat_kw(K::From)? {
            Some(self.seltablist()?)
        } else {
            None
        };
        let where_ = self.where_opt()?;
        let mut group_by = Vec::new();
        if self.eat_kw(K::Group)? {
            self.expect_kw(K::By)?;
            group_by = self.nexprlist()?;
        }
        let having = if self.eat_kw(K::Having)? {
            Some(self.expr()?)
        } else {
            None
        };
        let windows = if self.eat_kw(K::Window)? {
            self.window_defs()?
        } else {
            Vec::new()
        };
        Ok(SimpleSelect {
            distinct,
            columns,
            from,
            where_,
            group_by,
            having,
            windows,
        })
    }

    /// `[WHERE expr]`
    pub(crate) fn where_opt(&mut self) -> PResult<Option<Expr>> {
        if self.eat_kw(K::Where)? {
            Ok(Some(self.expr()?))
        } else {
            Ok(None)
        }
    }

    /// `[ORDER BY sortlist]`
    pub(crate) fn order_by_opt(&mut self) -> PResult<Vec<OrderingTerm>> {
        if self.eat_kw(K::Order)? {
            self.expect_kw(K::By)?;
            self.sortlist()
        } else {
            Ok(Vec::new())
        }
    }

    /// `[LIMIT expr [OFFSET expr | , expr]]`
    pub(crate) fn limit_opt(&mut self) -> PResult<Option<Limit>> {
        if !self.eat_kw(K::Limit)? {
            return Ok(None);
        }
        let first = self.expr()?;
        if self.eat_kw(K::Offset)? {
            let offset = self.expr()?;
            Ok(Some(Limit {
                limit: first,
                offset: Some(offset),
            }))
        } else if self.eat(T::Comma)? {
            let limit = self.expr()?;
            Ok(Some(Limit {
                limit,
                offset: Some(first),
            }))
        } else {
            Ok(Some(Limit {
                limit: first,
                offset: None,
            }))
        }
    }

    /// `WITH [RECURSIVE] name[(cols)] AS [[NOT] MATERIALIZED] (select), ...`
    pub(crate) fn with_clause(&mut self) -> PResult<With> {
        self.expect_kw(K::With)?;
        let recursive = self.eat_kw(K::Recursive)?;
        let mut ctes = Vec::new();
        loop {
            let name = self.nm()?;
            let columns = self.eidlist_opt()?;
            self.expect_kw(K::As)?;
            let materialized = if self.eat_kw(K::Materialized)? {
                Materialized::Yes
            } else if self.at_kw(K::Not) {
                self.bump()?;
                self.expect_kw(K::Materialized)?;
                Materialized::No
            } else {
                Materialized::Any
            };
            self.expect(T::LParen)?;
            let select = Box::new(self.subselect()?);
            self.expect(T::RParen)?;
            ctes.push(Cte {
                name,
                columns,
                materialized,
                select,
            });
            if !self.eat(T::Comma)? {
                return Ok(With { recursive, ctes });
            }
        }
    }

    /// `[(name [COLLATE x] [ASC|DESC], ...)]` where COLLATE and ASC/DESC are
    /// errors (`eidlist_opt`).
    pub(crate) fn eidlist_opt(&mut self) -> PResult<Vec<String>> {
        if self.kind() != T::LParen {
            return Ok(Vec::new());
        }
        self.bump()?;
        let mut names = Vec::new();
        loop {
            let t = self.nm_token()?;
            let mut extra = false;
            if self.eat_kw(K::Collate)? {
                self.ids()?;
                extra = true;
            }
            extra |= self.sort_order()?.is_some();
            if extra {
                let raw = self.text(t);
                return Err(ParseError::Other(format!(
                    "syntax error after column name \"{raw}\""
                )));
            }
            names.push(crate::sql::lexer::dequote(self.text(t)));
            if !self.eat(T::Comma)? {
                break;
            }
        }
        self.expect(T::RParen)?;
        Ok(names)
    }

    /// `(name, ...)` (`idlist` in parentheses); `(` is current.
    pub(crate) fn paren_idlist(&mut self) -> PResult<Vec<String>> {
        self.expect(T::LParen)?;
        let mut names = vec![self.nm()?];
        while self.eat(T::Comma)? {
            names.push(self.nm()?);
        }
        self.expect(T::RParen)?;
        Ok(names)
    }

    /// Result columns (`selcollist`), also used by RETURNING.
    pub(crate) fn result_columns(&mut self) -> PResult<Vec<ResultColumn>> {
        let mut cols = vec![self.result_column()?];
        while self.eat(T::Comma)? {
            cols.push(self.result_column()?);
        }
        Ok(cols)
    }

    fn result_column(&mut self) -> PResult<ResultColumn> {
        if self.eat(T::Star)? {
            return Ok(ResultColumn::Star);
        }
        if self.at_nm() && self.kind_at(1) == T::Dot && self.kind_at(2) == T::Star {
            let name = self.nm()?;
            self.bump()?;
            self.bump()?;
            return Ok(ResultColumn::TableStar(name));
        }
        let start = self.scan_point();
        let expr = self.expr()?;
        let end = self.scan_point();
        let span_name = self.span_text(start, end);
        let alias = self.alias_opt()?;
        Ok(ResultColumn::Expr {
            expr,
            alias,
            span_name,
        })
    }

    /// `[AS nm | ids]`
    pub(crate) fn alias_opt(&mut self) -> PResult<Option<String>> {
        if self.eat_kw(K::As)? {
            return Ok(Some(self.nm()?));
        }
        if self.at_ids() {
            return Ok(Some(self.ids()?));
        }
        Ok(None)
    }

    /// `sql[start..end]` trimmed of whitespace (SQLite's `sqlite3DbSpanDup`).
    pub(crate) fn span_text(&self, start: usize, end: usize) -> String {
        let bytes = self.sql.as_bytes();
        let (mut s, mut e) = (start.min(bytes.len()), end.min(bytes.len()));
        while s < e && bytes.get(s).copied().is_some_and(is_space) {
            s += 1;
        }
        while e > s && bytes.get(e - 1).copied().is_some_and(is_space) {
            e -= 1;
        }
        self.sql.get(s..e).unwrap_or("").to_string()
    }

    /// `seltablist`: table references joined by commas and JOINs.
    pub(crate) fn seltablist(&mut self) -> PResult<FromClause> {
        let mut items: Vec<FromItem> = Vec::new();
        let mut join = None;
        loop {
            self.seltab_item(&mut items, join)?;
            join = self.join_op()?;
            if join.is_none() {
                return Ok(FromClause { items });
            }
        }
    }

    fn seltab_item(
        &mut self,
        items: &mut Vec<FromItem>,
        join: Option<JoinOperator>,
    ) -> PResult<()> {
        let source = if self.eat(T::LParen)? {
            if self.at_select_start() {
                let s = self.subselect()?;
                self.expect(T::RParen)?;
                TableSource::Subquery(Box::new(s))
            } else {
                self.enter(2)?;
                let inner = self.seltablist()?;
                self.leave(2);
                self.expect(T::RParen)?;
                TableSource::Nested(inner)
            }
        } else {
            let name = self.fullname()?;
            if self.eat(T::LParen)? {
                let args = if self.kind() == T::RParen {
                    Vec::new()
                } else {
                    self.nexprlist()?
                };
                self.expect(T::RParen)?;
                TableSource::Function(name, args)
            } else {
                TableSource::Table(name)
            }
        };
        let alias = self.alias_opt()?;
        let indexed = match &source {
            TableSource::Table(_) => self.indexed_opt()?,
            _ => None,
        };
        let constraint = self.join_constraint()?;
        if items.is_empty() {
            if let Some(c) = &constraint {
                if !self.at_from_follower() {
                    return Err(self.error_here());
                }
                let what = if matches!(c, JoinConstraint::On(_)) {
                    "ON"
                } else {
                    "USING"
                };
                return Err(ParseError::Other(format!(
                    "a JOIN clause is required before {what}"
                )));
            }
        }
        let item = FromItem {
            join,
            source,
            alias,
            indexed,
            constraint,
        };
        push_flattened(items, item);
        Ok(())
    }

    /// True if the current token may follow a FROM item (so SQLite would
    /// reduce the item and run its checks before any syntax error).
    fn at_from_follower(&mut self) -> bool {
        match self.kind() {
            T::Comma | T::RParen | T::Semi | crate::sql::parser::core::EOF => true,
            T::Keyword(k) => {
                k.is_join_kw()
                    || matches!(
                        k,
                        K::Join
                            | K::Where
                            | K::Group
                            | K::Having
                            | K::Window
                            | K::Order
                            | K::Limit
                            | K::Union
                            | K::Intersect
                            | K::Except
                            | K::Returning
                            | K::On
                            | K::Using
                    )
            }
            _ => false,
        }
    }

    /// `[INDEXED BY name | NOT INDEXED]`
    pub(crate) fn indexed_opt(&mut self) -> PResult<Option<IndexedBy>> {
        if self.at_kw(K::Indexed) {
            self.bump()?;
            self.expect_kw(K::By)?;
            return Ok(Some(IndexedBy::Index(self.nm()?)));
        }
        if self.at_kw(K::Not) && self.kind_at(1) == T::Keyword(K::Indexed) {
            self.bump()?;
            self.bump()?;
            return Ok(Some(IndexedBy::NotIndexed));
        }
        Ok(None)
    }

    fn join_constraint(&mut self) -> PResult<Option<JoinConstraint>> {
        if self.eat_kw(K::On)? {
            return Ok(Some(JoinConstraint::On(self.expr()?)));
        }
        if self.eat_kw(K::Using)? {
            return Ok(Some(JoinConstraint::Using(self.paren_idlist()?)));
        }
        Ok(None)
    }

    /// `joinop`: `,` | `[kw [kw [kw]]] JOIN`; None when no join follows.
    fn join_op(&mut self) -> PResult<Option<JoinOperator>> {
        if self.eat(T::Comma)? {
            let op = JoinOperator {
                comma: true,
                natural: false,
                left: false,
                right: false,
                cross: false,
            };
            return Ok(Some(op));
        }
        if self.eat_kw(K::Join)? {
            return Ok(Some(JoinOperator {
                comma: false,
                natural: false,
                left: false,
                right: false,
                cross: false,
            }));
        }
        if !matches!(self.kind(), T::Keyword(k) if k.is_join_kw()) {
            return Ok(None);
        }
        let mut words = vec![self.bump()?];
        while words.len() < 3 && !self.at_kw(K::Join) {
            words.push(self.nm_token()?);
        }
        self.expect_kw(K::Join)?;
        self.join_type(&words).map(Some)
    }

    fn join_type(&self, words: &[Token]) -> PResult<JoinOperator> {
        let mut op = JoinOperator {
            comma: false,
            natural: false,
            left: false,
            right: false,
            cross: false,
        };
        let (mut inner, mut outer, mut error) = (false, false, false);
        for t in words {
            let w = self.text(*t).to_ascii_lowercase();
            match w.as_str() {
                "natural" => op.natural = true,
                "left" => (op.left, outer) = (true, true),
                "outer" => outer = true,
                "right" => (op.right, outer) = (true, true),
                "full" => (op.left, op.right, outer) = (true, true, true),
                "inner" => inner = true,
                "cross" => (inner, op.cross) = (true, true),
                _ => error = true,
            }
        }
        if (inner && outer) || error || (outer && !op.left && !op.right) {
            let text: Vec<&str> = words.iter().map(|t| self.text(*t)).collect();
            return Err(ParseError::Other(format!(
                "unknown join type: {}",
                text.join(" ")
            )));
        }
        Ok(op)
    }
}

/// Appends `item`, flattening a parenthesized join as SQLite does.
fn push_flattened(items: &mut Vec<FromItem>, mut item: FromItem) {
    if let TableSource::Nested(inner) = &mut item.source {
        if items.is_empty() && item.alias.is_none() && item.constraint.is_none() {
            items.append(&mut inner.items);
            return;
        }
        if inner.items.len() == 1 {
            if let Some(mut single) = inner.items.pop() {
                single.join = item.join;
                if item.alias.is_some() {
                    single.alias = item.alias;
                }
                single.constraint = item.constraint;
                items.push(single);
                return;
            }
        }
    }
    items.push(item);
}
