//! CREATE INDEX / VIEW / TRIGGER / VIRTUAL TABLE, DROP and ALTER TABLE.
//!
//! SQLite counterpart: parse.y's `create_index`, `create_view`,
//! `trigger_decl`, `trigger_cmd_list`, `create_vtab`/`vtabarg`, `DROP`,
//! `ALTER TABLE` rules, and the statement texts `sqlite3CreateIndex`,
//! `sqlite3CreateView`, `sqlite3FinishTrigger`, `sqlite3VtabFinishParse`
//! write into `sqlite_schema`.
//!
//! Invariants (stored `sql` texts, as SQLite 3.40 writes them):
//! 1. Index: `CREATE [UNIQUE ]INDEX ` + source from the index name through
//!    the token after the statement, minus a final `;`.
//! 2. View: `CREATE VIEW ` + source from the view name up to the token
//!    after the statement, trailing whitespace removed.
//! 3. Trigger: `CREATE TRIGGER ` + source from the trigger name through END.
//! 4. Virtual table: `CREATE VIRTUAL TABLE ` + source from the table name
//!    through the module name or the closing `)` of its arguments.

use super::core::{Parser, EOF};
use super::error::PResult;
use crate::sql::ast::*;
use crate::sql::token::{Keyword as K, TokenKind as T};

impl Parser<'_> {
    /// CREATE [UNIQUE] INDEX, after `INDEX`.
    pub(crate) fn create_index(&mut self, unique: bool) -> PResult<CreateIndex> {
        let if_not_exists = self.if_not_exists()?;
        let (name, name_tok) = self.name_with_token()?;
        self.expect_kw(K::On)?;
        let table = self.nm()?;
        self.expect(T::LParen)?;
        let columns = self.index_sortlist()?;
        self.expect(T::RParen)?;
        let where_ = self.where_opt()?;
        let last = self.peek();
        let end = if last.kind == T::Semi {
            last.start
        } else {
            last.end
        };
        let kw = if unique {
            "CREATE UNIQUE INDEX"
        } else {
            "CREATE INDEX"
        };
        let sql = format!("{kw} {}", self.sql.get(name_tok.start..end).unwrap_or(""));
        Ok(CreateIndex {
            unique,
            if_not_exists,
            name,
            table,
            columns,
            where_,
            sql,
        })
    }

    /// CREATE [TEMP] VIEW, after `VIEW`.
    pub(crate) fn create_view(&mut self, temp: bool) -> PResult<CreateView> {
        let if_not_exists = self.if_not_exists()?;
        let (name, name_tok) = self.name_with_token()?;
        let columns = self.eidlist_opt()?;
        self.expect_kw(K::As)?;
        let select = Box::new(self.select()?);
        let end = self.scan_point();
        let text = self.span_text(name_tok.start, end);
        let sql = format!("CREATE VIEW {text}");
        Ok(CreateView {
            temp,
            if_not_exists,
            name,
            columns,
            select,
            sql,
        })
    }

    /// CREATE [TEMP] TRIGGER, after `TRIGGER`.
    pub(crate) fn create_trigger(&mut self, temp: bool) -> PResult<CreateTrigger> {
        let if_not_exists = self.if_not_exists()?;
        let (name, name_tok) = self.name_with_token()?;
        let time = match self.kind() {
            T::Keyword(K::Before) => {
                self.bump()?;
                Some(TriggerTime::Before)
            }
            T::Keyword(K::After) => {
                self.bump()?;
                Some(TriggerTime::After)
            }
            T::Keyword(K::Instead) => {
                self.bump()?;
                self.expect_kw(K::Of)?;
                Some(TriggerTime::InsteadOf)
            }
            _ => None,
        };
        let t = self.peek();
        let event = match t.kind {
            T::Keyword(K::Delete) => TriggerEvent::Delete,
            T::Keyword(K::Insert) => TriggerEvent::Insert,
            T::Keyword(K::Update) => TriggerEvent::Update(Vec::new()),
            _ => return Err(self.error_at(t)),
        };
        self.bump()?;
        let event = if matches!(event, TriggerEvent::Update(_)) && self.eat_kw(K::Of)? {
            let mut cols = vec![self.nm()?];
            while self.eat(T::Comma)? {
                cols.push(self.nm()?);
            }
            TriggerEvent::Update(cols)
        } else {
            event
        };
        self.expect_kw(K::On)?;
        let table = self.fullname()?;
        let mut for_each_row = false;
        if self.eat_kw(K::For)? {
            self.expect_kw(K::Each)?;
            self.expect_kw(K::Row)?;
            for_each_row = true;
        }
        let when = if self.eat_kw(K::When)? {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_kw(K::Begin)?;
        let body = self.trigger_body()?;
        let end = self.expect_kw(K::End)?.end;
        let sql = format!(
            "CREATE TRIGGER {}",
            self.sql.get(name_tok.start..end).unwrap_or("")
        );
        Ok(CreateTrigger {
            temp,
            if_not_exists,
            name,
            time,
            event,
            table,
            for_each_row,
            when,
            body,
            sql,
        })
    }

    fn trigger_body(&mut self) -> PResult<Vec<TriggerStmt>> {
        let saved = self.in_trigger;
        self.in_trigger = true;
        let mut body = Vec::new();
        let result = loop {
            match self.trigger_stmt() {
                Ok(s) => body.push(s),
                Err(e) => break Err(e),
            }
            if let Err(e) = self.expect(T::Semi) {
                break Err(e);
            }
            if self.kind() == T::Illegal {
                break Err(self.error_here());
            }
            if self.at_kw(K::End) {
                break Ok(body);
            }
        };
        self.in_trigger = saved;
        result
    }

    /// CREATE VIRTUAL TABLE, after `TABLE`.
    pub(crate) fn create_virtual_table(&mut self) -> PResult<CreateVirtualTable> {
        let if_not_exists = self.if_not_exists()?;
        let (name, name_tok) = self.name_with_token()?;
        self.expect_kw(K::Using)?;
        let module = self.nm()?;
        let mut end = self.prev_end();
        let mut args = Vec::new();
        if self.eat(T::LParen)? {
            let mut depth = 0usize;
            let mut arg_start: Option<usize> = None;
            let mut arg_end = 0;
            loop {
                let t = self.peek();
                match t.kind {
                    EOF => return Err(self.error_here()),
                    T::RParen | T::Comma if depth == 0 => {
                        if let Some(s) = arg_start.take() {
                            args.push(self.span_text(s, arg_end));
                        }
                        self.bump()?;
                        if t.kind == T::RParen {
                            end = t.end;
                            break;
                        }
                        continue;
                    }
                    T::LParen => depth += 1,
                    T::RParen => depth -= 1,
                    _ => {}
                }
                arg_start.get_or_insert(t.start);
                arg_end = t.end;
                self.bump()?;
            }
        }
        let sql = format!(
            "CREATE VIRTUAL TABLE {}",
            self.sql.get(name_tok.start..end).unwrap_or("")
        );
        Ok(CreateVirtualTable {
            if_not_exists,
            name,
            module,
            args,
            sql,
        })
    }

    /// DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name, after `DROP`.
    pub(crate) fn drop_stmt(&mut self) -> PResult<DropStmt> {
        let t = self.peek();
        let kind = match t.kind {
            T::Keyword(K::Table) => ObjectKind::Table,
            T::Keyword(K::Index) => ObjectKind::Index,
            T::Keyword(K::View) => ObjectKind::View,
            T::Keyword(K::Trigger) => ObjectKind::Trigger,
            _ => return Err(self.error_at(t)),
        };
        self.bump()?;
        let mut if_exists = false;
        if self.at_kw(K::If) {
            self.bump()?;
            self.expect_kw(K::Exists)?;
            if_exists = true;
        }
        let name = self.fullname()?;
        Ok(DropStmt {
            kind,
            if_exists,
            name,
        })
    }

    /// ALTER TABLE, after `ALTER`.
    pub(crate) fn alter_table(&mut self) -> PResult<AlterTable> {
        self.expect_kw(K::Table)?;
        let table = self.fullname()?;
        let t = self.peek();
        let action = match t.kind {
            T::Keyword(K::Rename) => {
                self.bump()?;
                if self.eat_kw(K::To)? {
                    AlterAction::RenameTable(self.nm()?)
                } else {
                    self.eat_kw(K::Column)?;
                    let old = self.nm()?;
                    self.expect_kw(K::To)?;
                    AlterAction::RenameColumn {
                        old,
                        new: self.nm()?,
                    }
                }
            }
            T::Keyword(K::Add) => {
                self.bump()?;
                self.eat_kw(K::Column)?;
                let column = self.column_def()?;
                let last = self.peek();
                let text = self.sql.get(column.span.0..last.end).unwrap_or("");
                let sql = text
                    .trim_end_matches(|c: char| c == ';' || c.is_ascii_whitespace())
                    .to_string();
                AlterAction::AddColumn { column, sql }
            }
            T::Keyword(K::Drop) => {
                self.bump()?;
                self.eat_kw(K::Column)?;
                AlterAction::DropColumn(self.nm()?)
            }
            _ => return Err(self.error_at(t)),
        };
        Ok(AlterTable { table, action })
    }
}
