//! Function calls, window specifications and ORDER BY terms.
//!
//! SQLite counterpart: parse.y's `expr ::= idj LP distinct exprlist RP
//! filter_over`, `filter_over`, `window`, `frame_opt`, `sortlist`,
//! `windowdefn_list` rules and `sqlite3WindowAlloc` (window.c).
//!
//! Invariants:
//! 1. A frame whose start is CURRENT ROW and end is PRECEDING, or whose
//!    start is FOLLOWING and end is PRECEDING or CURRENT ROW, is rejected
//!    with `unsupported frame specification`, as SQLite does.
//! 2. `ORDER BY` inside a function's arguments (a SQLite 3.44 addition)
//!    is a syntax error at ORDER, as in 3.40; [`FunctionCall::order_by`]
//!    stays empty.

use super::core::Parser;
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::lexer::dequote;
use crate::sql::token::{Keyword as K, Token, TokenKind as T};

impl Parser<'_> {
    /// `name ( [DISTINCT|ALL] args | * ) [FILTER (WHERE ..)] [OVER ..]`;
    /// `name` has been consumed and the current token is `(`.
    pub(crate) fn function_call(&mut self, name_tok: Token) -> PResult<Expr> {
        self.expect(T::LParen)?;
        self.enter(3)?;
        let name = dequote(self.text(name_tok));
        let mut distinct = false;
        let order_by = Vec::new();
        let args = if self.kind() == T::Star {
            self.bump()?;
            FunctionArgs::Star
        } else {
            if self.eat_kw(K::Distinct)? {
                distinct = true;
            } else {
                self.eat_kw(K::All)?;
            }
            let list = if self.kind() == T::RParen {
                Vec::new()
            } else {
                self.nexprlist()?
            };
            // SQLite 3.40 has no ORDER BY inside an aggregate's arguments:
            // `f(a ORDER BY b)` is a syntax error at ORDER.
            FunctionArgs::List(list)
        };
        self.expect(T::RParen)?;
        let filter = if self.at_kw(K::Filter) {
            self.bump()?;
            self.expect(T::LParen)?;
            self.expect_kw(K::Where)?;
            let e = self.expr()?;
            self.expect(T::RParen)?;
            Some(Box::new(e))
        } else {
            None
        };
        let over = if self.eat_kw(K::Over)? {
            if self.eat(T::LParen)? {
                let w = self.window()?;
                self.expect(T::RParen)?;
                Some(Over::Window(Box::new(w)))
            } else {
                Some(Over::Name(self.nm()?))
            }
        } else {
            None
        };
        self.leave(3);
        let end = self.prev_end();
        let call = FunctionCall {
            name,
            distinct,
            args,
            order_by,
            filter,
            over,
        };
        self.mk(ExprKind::Function(Box::new(call)), (name_tok.start, end))
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST], ...` (`sortlist`).
    pub(crate) fn sortlist(&mut self) -> PResult<Vec<OrderingTerm>> {
        let mut terms = vec![self.ordering_term()?];
        while self.eat(T::Comma)? {
            terms.push(self.ordering_term()?);
        }
        Ok(terms)
    }

    /// A `sortlist` that indexes a table (CREATE INDEX, PRIMARY KEY and
    /// UNIQUE constraints, upsert targets): SQLite refuses NULLS FIRST/LAST
    /// there with "unsupported use of NULLS ...".
    pub(crate) fn index_sortlist(&mut self) -> PResult<Vec<OrderingTerm>> {
        let terms = self.sortlist()?;
        match terms.iter().find_map(|t| t.nulls) {
            Some(n) => Err(ParseError::Other(format!(
                "unsupported use of NULLS {}",
                if n == NullsOrder::First {
                    "FIRST"
                } else {
                    "LAST"
                }
            ))),
            None => Ok(terms),
        }
    }

    fn ordering_term(&mut self) -> PResult<OrderingTerm> {
        let expr = self.expr()?;
        let order = self.sort_order()?;
        let nulls = if self.eat_kw(K::Nulls)? {
            if self.eat_kw(K::First)? {
                Some(NullsOrder::First)
            } else {
                self.expect_kw(K::Last)?;
                Some(NullsOrder::Last)
            }
        } else {
            None
        };
        Ok(OrderingTerm { expr, order, nulls })
    }

    /// `[ASC|DESC]`
    pub(crate) fn sort_order(&mut self) -> PResult<Option<SortOrder>> {
        Ok(if self.eat_kw(K::Asc)? {
            Some(SortOrder::Asc)
        } else if self.eat_kw(K::Desc)? {
            Some(SortOrder::Desc)
        } else {
            None
        })
    }

    /// The inside of `( ... )` of a window: `[base] [PARTITION BY ..]
    /// [ORDER BY ..] [frame]`.
    pub(crate) fn window(&mut self) -> PResult<Window> {
        let base = match self.kind() {
            T::Keyword(K::Partition | K::Order | K::Range | K::Rows | K::Groups) => None,
            _ if self.at_nm() => Some(self.nm()?),
            _ => None,
        };
        let mut partition_by = Vec::new();
        if self.eat_kw(K::Partition)? {
            self.expect_kw(K::By)?;
            partition_by = self.nexprlist()?;
        }
        let mut order_by = Vec::new();
        if self.eat_kw(K::Order)? {
            self.expect_kw(K::By)?;
            order_by = self.sortlist()?;
        }
        let frame = self.frame_spec()?;
        Ok(Window {
            base,
            partition_by,
            order_by,
            frame,
        })
    }

    fn frame_spec(&mut self) -> PResult<Option<FrameSpec>> {
        let unit = match self.kind() {
            T::Keyword(K::Rows) => FrameUnit::Rows,
            T::Keyword(K::Range) => FrameUnit::Range,
            T::Keyword(K::Groups) => FrameUnit::Groups,
            _ => return Ok(None),
        };
        self.bump()?;
        let (start, end) = if self.eat_kw(K::Between)? {
            let start = self.frame_bound(true)?;
            self.expect_kw(K::And)?;
            (start, self.frame_bound(false)?)
        } else {
            (self.frame_bound(true)?, FrameBound::CurrentRow)
        };
        let exclude = if self.eat_kw(K::Exclude)? {
            let t = self.peek();
            self.bump()?;
            Some(match t.kind {
                T::Keyword(K::No) => {
                    self.expect_kw(K::Others)?;
                    FrameExclude::NoOthers
                }
                T::Keyword(K::Current) => {
                    self.expect_kw(K::Row)?;
                    FrameExclude::CurrentRow
                }
                T::Keyword(K::Group) => FrameExclude::Group,
                T::Keyword(K::Ties) => FrameExclude::Ties,
                _ => return Err(self.error_at(t)),
            })
        } else {
            None
        };
        let bad = matches!(
            (&start, &end),
            (FrameBound::CurrentRow, FrameBound::Preceding(_))
                | (
                    FrameBound::Following(_),
                    FrameBound::Preceding(_) | FrameBound::CurrentRow
                )
        );
        if bad {
            return Err(ParseError::Other("unsupported frame specification".into()));
        }
        Ok(Some(FrameSpec {
            unit,
            start,
            end,
            exclude,
        }))
    }

    fn frame_bound(&mut self, is_start: bool) -> PResult<FrameBound> {
        if self.at_kw(K::Unbounded) {
            self.bump()?;
            if is_start {
                self.expect_kw(K::Preceding)?;
                return Ok(FrameBound::UnboundedPreceding);
            }
            self.expect_kw(K::Following)?;
            return Ok(FrameBound::UnboundedFollowing);
        }
        if self.at_kw(K::Current) {
            self.bump()?;
            self.expect_kw(K::Row)?;
            return Ok(FrameBound::CurrentRow);
        }
        let e = Box::new(self.expr()?);
        if self.eat_kw(K::Preceding)? {
            Ok(FrameBound::Preceding(e))
        } else {
            self.expect_kw(K::Following)?;
            Ok(FrameBound::Following(e))
        }
    }

    /// `WINDOW name AS (window), ...`; WINDOW has been consumed.
    pub(crate) fn window_defs(&mut self) -> PResult<Vec<WindowDef>> {
        let mut defs = Vec::new();
        loop {
            let name = self.nm()?;
            self.expect_kw(K::As)?;
            self.expect(T::LParen)?;
            let window = self.window()?;
            self.expect(T::RParen)?;
            defs.push(WindowDef { name, window });
            if !self.eat(T::Comma)? {
                return Ok(defs);
            }
        }
    }
}
