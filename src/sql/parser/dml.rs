//! INSERT, REPLACE, UPDATE and DELETE, with upsert and RETURNING; also the
//! restricted forms allowed inside trigger bodies.
//!
//! SQLite counterpart: parse.y's `insert_cmd`, `upsert`, `returning`,
//! `setlist`, `xfullname`, `where_opt_ret`, `trigger_cmd`, `trnm`,
//! `tridxby` rules; `sqlite3ExprListAppendVector`'s arity check;
//! `sqlite3AddReturning`'s trigger check.
//!
//! Invariants:
//! 1. Only the last ON CONFLICT clause may omit its conflict target.
//! 2. Inside a trigger body, table names may not be qualified, INDEXED BY /
//!    NOT INDEXED are refused and RETURNING is refused, with SQLite's
//!    messages.
//! 3. `(a, b) = expr` with a non-subquery right side must have as many
//!    values as columns (`2 columns assigned 3 values`).

use super::core::Parser;
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::token::{Keyword as K, TokenKind as T};

const TRIGGER_QUALIFIED: &str =
    "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers";

impl Parser<'_> {
    /// `OR ROLLBACK|ABORT|REPLACE|FAIL|IGNORE` after INSERT/UPDATE.
    fn or_conflict(&mut self) -> PResult<Option<ConflictAction>> {
        if self.eat_kw(K::Or)? {
            return Ok(Some(self.resolve_type()?));
        }
        Ok(None)
    }

    /// `ROLLBACK|ABORT|FAIL|IGNORE|REPLACE` (`resolvetype`).
    pub(crate) fn resolve_type(&mut self) -> PResult<ConflictAction> {
        let t = self.peek();
        let action = match t.kind {
            T::Keyword(K::Rollback) => ConflictAction::Rollback,
            T::Keyword(K::Abort) => ConflictAction::Abort,
            T::Keyword(K::Fail) => ConflictAction::Fail,
            T::Keyword(K::Ignore) => ConflictAction::Ignore,
            T::Keyword(K::Replace) => ConflictAction::Replace,
            _ => return Err(self.error_at(t)),
        };
        self.bump()?;
        Ok(action)
    }

    /// The target table of a DML statement: `xfullname` at top level
    /// (`[schema.]name [AS alias]`), `trnm` inside triggers.
    fn dml_table(&mut self) -> PResult<(QualifiedName, Option<String>)> {
        let name = self.fullname()?;
        if self.in_trigger {
            if name.schema.is_some() {
                return Err(ParseError::Other(TRIGGER_QUALIFIED.into()));
            }
            return Ok((name, None));
        }
        let alias = if self.eat_kw(K::As)? {
            Some(self.nm()?)
        } else {
            None
        };
        Ok((name, alias))
    }

    fn dml_indexed(&mut self) -> PResult<Option<IndexedBy>> {
        let ix = self.indexed_opt()?;
        if self.in_trigger {
            if let Some(ix) = ix {
                let which = match ix {
                    IndexedBy::Index(_) => "INDEXED BY",
                    IndexedBy::NotIndexed => "NOT INDEXED",
                };
                return Err(ParseError::Other(format!(
                    "the {which} clause is not allowed on UPDATE or DELETE statements within triggers"
                )));
            }
        }
        Ok(ix)
    }

    fn returning(&mut self) -> PResult<Vec<ResultColumn>> {
        if !self.eat_kw(K::Returning)? {
            return Ok(Vec::new());
        }
        let cols = self.result_columns()?;
        if self.in_trigger {
            return Err(ParseError::Other(
                "cannot use RETURNING in a trigger".into(),
            ));
        }
        Ok(cols)
    }

    /// INSERT/REPLACE; the current token is INSERT or REPLACE.
    pub(crate) fn insert(&mut self, with: Option<With>) -> PResult<Insert> {
        let or_conflict = if self.eat_kw(K::Replace)? {
            Some(ConflictAction::Replace)
        } else {
            self.expect_kw(K::Insert)?;
            self.or_conflict()?
        };
        self.expect_kw(K::Into)?;
        let (table, alias) = self.dml_table()?;
        let columns = if self.kind() == T::LParen {
            self.paren_idlist()?
        } else {
            Vec::new()
        };
        if !self.in_trigger && self.at_kw(K::Default) {
            self.bump()?;
            self.expect_kw(K::Values)?;
            let returning = self.returning()?;
            let source = InsertSource::DefaultValues;
            return Ok(Insert {
                with,
                or_conflict,
                table,
                alias,
                columns,
                source,
                upsert: Vec::new(),
                returning,
            });
        }
        let select = self.select()?;
        let (upsert, returning) = self.upsert_clauses()?;
        let source = InsertSource::Select(Box::new(select));
        Ok(Insert {
            with,
            or_conflict,
            table,
            alias,
            columns,
            source,
            upsert,
            returning,
        })
    }

    fn upsert_clauses(&mut self) -> PResult<(Vec<Upsert>, Vec<ResultColumn>)> {
        let mut upserts = Vec::new();
        while self.at_kw(K::On) {
            self.bump()?;
            self.expect_kw(K::Conflict)?;
            let mut target = Vec::new();
            let mut target_where = None;
            let has_target = self.kind() == T::LParen;
            if has_target {
                self.bump()?;
                target = self.index_sortlist()?;
                self.expect(T::RParen)?;
                target_where = self.where_opt()?;
            }
            self.expect_kw(K::Do)?;
            let action = if self.eat_kw(K::Nothing)? {
                UpsertAction::Nothing
            } else {
                self.expect_kw(K::Update)?;
                self.expect_kw(K::Set)?;
                let sets = self.set_list()?;
                let where_ = self.where_opt()?;
                UpsertAction::Update { sets, where_ }
            };
            upserts.push(Upsert {
                target,
                target_where,
                action,
            });
            if !has_target {
                break;
            }
        }
        Ok((upserts, self.returning()?))
    }

    /// `col = expr, (a, b) = expr, ...` (`setlist`).
    pub(crate) fn set_list(&mut self) -> PResult<Vec<SetClause>> {
        let mut sets = Vec::new();
        loop {
            let paren = self.kind() == T::LParen;
            let columns = if paren {
                self.paren_idlist()?
            } else {
                vec![self.nm()?]
            };
            self.expect(T::Eq)?;
            let mut expr = self.expr()?;
            if paren && columns.len() == 1 && matches!(expr.kind, ExprKind::Subquery(_)) {
                // `(a) = (SELECT ...)` takes the first row's columns, as a
                // list does; a one-element row marks it for codegen.
                let span = expr.span;
                expr = self.mk(ExprKind::Row(vec![expr]), span)?;
            }
            if paren {
                let n = match &expr.kind {
                    ExprKind::Subquery(_) => columns.len(),
                    ExprKind::Row(v) if matches!(v.as_slice(), [e] if matches!(e.kind, ExprKind::Subquery(_))) => {
                        1
                    }
                    ExprKind::Row(v) => v.len(),
                    _ => 1,
                };
                if n != columns.len() {
                    return Err(ParseError::Other(format!(
                        "{} columns assigned {} values",
                        columns.len(),
                        n
                    )));
                }
            }
            sets.push(SetClause { columns, expr });
            if !self.eat(T::Comma)? {
                return Ok(sets);
            }
        }
    }

    /// UPDATE; the current token is UPDATE.
    pub(crate) fn update(&mut self, with: Option<With>) -> PResult<Update> {
        self.expect_kw(K::Update)?;
        let or_conflict = self.or_conflict()?;
        let (table, alias) = self.dml_table()?;
        let indexed = self.dml_indexed()?;
        self.expect_kw(K::Set)?;
        let sets = self.set_list()?;
        let from = if self.eat_kw(K::From)? {
            Some(self.seltablist()?)
        } else {
            None
        };
        let where_ = self.where_opt()?;
        let (returning, order_by, limit) = self.dml_tail()?;
        Ok(Update {
            with,
            or_conflict,
            table,
            alias,
            indexed,
            sets,
            from,
            where_,
            returning,
            order_by,
            limit,
        })
    }

    /// `[RETURNING ..] [ORDER BY ..] [LIMIT ..]` (the last two not in triggers).
    fn dml_tail(&mut self) -> PResult<(Vec<ResultColumn>, Vec<OrderingTerm>, Option<Limit>)> {
        if self.in_trigger {
            return Ok((Vec::new(), Vec::new(), None));
        }
        let returning = self.returning()?;
        let order_by = self.order_by_opt()?;
        let limit = self.limit_opt()?;
        Ok((returning, order_by, limit))
    }

    /// DELETE; the current token is DELETE.
    pub(crate) fn delete(&mut self, with: Option<With>) -> PResult<Delete> {
        self.expect_kw(K::Delete)?;
        self.expect_kw(K::From)?;
        let (table, alias) = self.dml_table()?;
        let indexed = self.dml_indexed()?;
        let where_ = self.where_opt()?;
        let (returning, order_by, limit) = self.dml_tail()?;
        Ok(Delete {
            with,
            table,
            alias,
            indexed,
            where_,
            returning,
            order_by,
            limit,
        })
    }

    /// One statement of a trigger body (without its `;`).
    pub(crate) fn trigger_stmt(&mut self) -> PResult<TriggerStmt> {
        Ok(match self.kind() {
            T::Keyword(K::Insert | K::Replace) => TriggerStmt::Insert(Box::new(self.insert(None)?)),
            T::Keyword(K::Update) => TriggerStmt::Update(Box::new(self.update(None)?)),
            T::Keyword(K::Delete) => TriggerStmt::Delete(Box::new(self.delete(None)?)),
            _ => TriggerStmt::Select(Box::new(self.select()?)),
        })
    }
}
