//! Statement dispatch, the public entry points, and the small statements:
//! transactions, savepoints, PRAGMA, ATTACH/DETACH, ANALYZE, VACUUM,
//! REINDEX, EXPLAIN.
//!
//! SQLite counterpart: `sqlite3RunParser` (tokenize.c) driving parse.y's
//! `input`/`cmdlist`/`ecmd`/`cmdx`/`cmd` rules.
//!
//! Invariants:
//! 1. [`parse_one`] skips empty statements (`;`, whitespace, comments)
//!    before the statement, and returns `None` if nothing else is left.
//! 2. The returned tail offset is just past the statement's `;`, or the end
//!    of input when there is none (SQLite's `pzTail`).
//! 3. Nothing after the first statement's `;` is tokenized.

use super::core::{Parser, EOF};
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::token::{Keyword as K, TokenKind as T};

/// One parsed statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The statement.
    pub stmt: Stmt,
    /// EXPLAIN / EXPLAIN QUERY PLAN prefix.
    pub explain: Option<Explain>,
    /// Parameter names by index - 1 (`None` for `?` and unnamed gaps).
    /// Its length is the statement's highest parameter index.
    pub params: Vec<Option<String>>,
    /// Byte span of the statement text (from its first token to its last,
    /// without the `;`).
    pub sql_span: (usize, usize),
}

/// Parses the first statement of `sql[offset..]`.
///
/// Returns the statement (`None` if only whitespace, comments and `;`
/// remain) and the offset just past it and its `;` (the tail).
pub fn parse_one(sql: &str, offset: usize) -> Result<(Option<Parsed>, usize), ParseError> {
    let mut p = Parser::new(sql, offset);
    loop {
        match p.kind() {
            T::Semi => {
                p.bump()?;
            }
            EOF => return Ok((None, p.peek().end)),
            T::Illegal => return Err(p.error_here()),
            _ => break,
        }
    }
    let start = p.scan_point();
    p.reset_depth(7);
    let explain = p.explain()?;
    let stmt = p.statement()?;
    let end = p.prev_end();
    let tail = match p.kind() {
        T::Semi => p.bump()?.end,
        EOF => p.peek().end,
        _ => return Err(p.error_here()),
    };
    let params = std::mem::take(&mut p.params);
    Ok((
        Some(Parsed {
            stmt,
            explain,
            params,
            sql_span: (start, end),
        }),
        tail,
    ))
}

/// Parses every statement of `sql`, stopping at the first error.
pub fn parse_all(sql: &str) -> Result<Vec<Parsed>, ParseError> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (parsed, tail) = parse_one(sql, offset)?;
        match parsed {
            Some(p) => out.push(p),
            None => return Ok(out),
        }
        if tail <= offset {
            return Ok(out);
        }
        offset = tail;
    }
}

impl Parser<'_> {
    fn explain(&mut self) -> PResult<Option<Explain>> {
        if !self.eat_kw(K::Explain)? {
            return Ok(None);
        }
        if self.at_kw(K::Query) {
            self.bump()?;
            self.expect_kw(K::Plan)?;
            return Ok(Some(Explain::QueryPlan));
        }
        Ok(Some(Explain::Explain))
    }

    /// One `cmd`.
    pub(crate) fn statement(&mut self) -> PResult<Stmt> {
        let t = self.peek();
        let kw = match t.kind {
            T::Keyword(k) => k,
            _ => return Err(self.error_at(t)),
        };
        Ok(match kw {
            K::Select | K::Values => Stmt::Select(Box::new(self.select()?)),
            K::With => {
                let with = Some(self.with_clause()?);
                self.after_with(with, t.start)?
            }
            K::Insert | K::Replace => Stmt::Insert(Box::new(self.insert(None)?)),
            K::Update => Stmt::Update(Box::new(self.update(None)?)),
            K::Delete => Stmt::Delete(Box::new(self.delete(None)?)),
            K::Create => self.create()?,
            K::Drop => {
                self.bump()?;
                Stmt::Drop(self.drop_stmt()?)
            }
            K::Alter => {
                self.bump()?;
                Stmt::AlterTable(Box::new(self.alter_table()?))
            }
            K::Begin => self.begin()?,
            K::Commit | K::End => {
                self.bump()?;
                self.trans_opt()?;
                Stmt::Commit
            }
            K::Rollback => self.rollback()?,
            K::Savepoint => {
                self.bump()?;
                Stmt::Savepoint(self.nm()?)
            }
            K::Release => {
                self.bump()?;
                if self.at_kw(K::Savepoint) && self.kind_at(1) != EOF && self.kind_at(1) != T::Semi
                {
                    self.bump()?;
                }
                Stmt::Release(self.nm()?)
            }
            K::Pragma => self.pragma()?,
            K::Attach => self.attach()?,
            K::Detach => {
                self.bump()?;
                self.eat_kw(K::Database)?;
                Stmt::Detach(self.expr()?)
            }
            K::Analyze | K::Reindex => {
                self.bump()?;
                let name = if self.at_nm() {
                    Some(self.fullname()?)
                } else {
                    None
                };
                if kw == K::Analyze {
                    Stmt::Analyze(name)
                } else {
                    Stmt::Reindex(name)
                }
            }
            K::Vacuum => {
                self.bump()?;
                let schema = if self.at_nm() { Some(self.nm()?) } else { None };
                let into = if self.eat_kw(K::Into)? {
                    Some(self.expr()?)
                } else {
                    None
                };
                Stmt::Vacuum { schema, into }
            }
            _ => return Err(self.error_at(t)),
        })
    }

    fn after_with(&mut self, with: Option<With>, start: usize) -> PResult<Stmt> {
        Ok(match self.kind() {
            T::Keyword(K::Insert | K::Replace) => Stmt::Insert(Box::new(self.insert(with)?)),
            T::Keyword(K::Update) => Stmt::Update(Box::new(self.update(with)?)),
            T::Keyword(K::Delete) => Stmt::Delete(Box::new(self.delete(with)?)),
            _ => Stmt::Select(Box::new(self.select_body(with, start)?)),
        })
    }

    fn create(&mut self) -> PResult<Stmt> {
        self.expect_kw(K::Create)?;
        let temp = self.eat_kw(K::Temp)? || self.eat_kw(K::Temporary)?;
        let t = self.peek();
        match t.kind {
            T::Keyword(K::Table) => {
                self.bump()?;
                Ok(Stmt::CreateTable(Box::new(self.create_table(temp)?)))
            }
            T::Keyword(K::View) => {
                self.bump()?;
                Ok(Stmt::CreateView(Box::new(self.create_view(temp)?)))
            }
            T::Keyword(K::Trigger) => {
                self.bump()?;
                Ok(Stmt::CreateTrigger(Box::new(self.create_trigger(temp)?)))
            }
            T::Keyword(K::Unique | K::Index) if !temp => {
                let unique = self.eat_kw(K::Unique)?;
                self.expect_kw(K::Index)?;
                Ok(Stmt::CreateIndex(Box::new(self.create_index(unique)?)))
            }
            T::Keyword(K::Virtual) if !temp => {
                self.bump()?;
                self.expect_kw(K::Table)?;
                Ok(Stmt::CreateVirtualTable(Box::new(
                    self.create_virtual_table()?,
                )))
            }
            _ => Err(self.error_at(t)),
        }
    }

    /// `[TRANSACTION [name]]`
    fn trans_opt(&mut self) -> PResult<()> {
        if self.eat_kw(K::Transaction)? && self.at_nm() {
            self.nm()?;
        }
        Ok(())
    }

    fn begin(&mut self) -> PResult<Stmt> {
        self.expect_kw(K::Begin)?;
        let kind = if self.eat_kw(K::Deferred)? {
            TransactionKind::Deferred
        } else if self.eat_kw(K::Immediate)? {
            TransactionKind::Immediate
        } else if self.eat_kw(K::Exclusive)? {
            TransactionKind::Exclusive
        } else {
            TransactionKind::Deferred
        };
        self.trans_opt()?;
        Ok(Stmt::Begin(kind))
    }

    fn rollback(&mut self) -> PResult<Stmt> {
        self.expect_kw(K::Rollback)?;
        if self.eat_kw(K::Transaction)? && self.at_nm() && !self.at_kw(K::To) {
            self.nm()?;
        }
        if !self.eat_kw(K::To)? {
            return Ok(Stmt::Rollback { savepoint: None });
        }
        if self.at_kw(K::Savepoint) && self.kind_at(1) != EOF && self.kind_at(1) != T::Semi {
            self.bump()?;
        }
        Ok(Stmt::Rollback {
            savepoint: Some(self.nm()?),
        })
    }

    fn pragma(&mut self) -> PResult<Stmt> {
        self.expect_kw(K::Pragma)?;
        let name = self.fullname()?;
        let value = if self.eat(T::Eq)? {
            Some(self.pragma_value()?)
        } else if self.eat(T::LParen)? {
            let v = self.pragma_value()?;
            self.expect(T::RParen)?;
            Some(v)
        } else {
            None
        };
        Ok(Stmt::Pragma(Pragma { name, value }))
    }

    /// `nmnum | minus_num`: the value text SQLite hands to the pragma.
    fn pragma_value(&mut self) -> PResult<String> {
        let t = self.peek();
        match t.kind {
            T::Plus | T::Minus | T::Integer | T::Float => self.signed_number(),
            T::Keyword(K::On | K::Delete | K::Default) => {
                self.bump()?;
                Ok(self.text(t).to_string())
            }
            _ if self.at_nm() => self.nm(),
            _ => Err(self.error_at(t)),
        }
    }

    fn attach(&mut self) -> PResult<Stmt> {
        self.expect_kw(K::Attach)?;
        self.eat_kw(K::Database)?;
        let file = self.expr()?;
        self.expect_kw(K::As)?;
        let schema = self.expr()?;
        let key = if self.eat_kw(K::Key)? {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Stmt::Attach { file, schema, key })
    }
}
