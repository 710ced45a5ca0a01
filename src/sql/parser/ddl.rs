//! CREATE TABLE: column definitions, type names, column and table
//! constraints, table options.
//!
//! SQLite counterpart: parse.y's `create_table`, `create_table_args`,
//! `columnname`, `typetoken`, `carglist`/`ccons`, `conslist`/`tcons`,
//! `refargs`, `defer_subclause`, `table_option_set` rules, and the parts of
//! build.c they call that only look at tokens (`sqlite3AddColumn`'s type
//! text, `sqlite3AddDefaultValue`'s span, table option checks).
//!
//! Invariants:
//! 1. The stored statement text is `CREATE TABLE ` followed by the source
//!    from the (unqualified) table name to the closing `)`, or, when table
//!    options follow, up to the next token (a final `;` excluded) — exactly
//!    the text SQLite writes into `sqlite_schema.sql`.
//! 2. A type name is a run of `ids` tokens, optionally followed by one or
//!    two signed numbers in parentheses; in a column definition it stops at
//!    a keyword that can start a column constraint.
//! 3. `CONSTRAINT name` names the constraint that follows it; a trailing
//!    one names nothing.

use super::core::{Parser, EOF};
use super::error::{PResult, ParseError};
use crate::sql::ast::*;
use crate::sql::lexer::dequote;
use crate::sql::token::{Keyword as K, Token, TokenKind as T};

impl Parser<'_> {
    /// `[IF NOT EXISTS]`
    pub(crate) fn if_not_exists(&mut self) -> PResult<bool> {
        if self.at_kw(K::If) {
            self.bump()?;
            self.expect_kw(K::Not)?;
            self.expect_kw(K::Exists)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `nm [DOT nm]`, also returning the token of the unqualified name.
    pub(crate) fn name_with_token(&mut self) -> PResult<(QualifiedName, Token)> {
        let first = self.nm_token()?;
        if self.eat(T::Dot)? {
            let second = self.nm_token()?;
            let name = QualifiedName {
                schema: Some(dequote(self.text(first))),
                name: dequote(self.text(second)),
            };
            return Ok((name, second));
        }
        Ok((
            QualifiedName {
                schema: None,
                name: dequote(self.text(first)),
            },
            first,
        ))
    }

    /// CREATE [TEMP] TABLE, after `CREATE [TEMP] TABLE`.
    pub(crate) fn create_table(&mut self, temp: bool) -> PResult<CreateTable> {
        let if_not_exists = self.if_not_exists()?;
        let (name, name_tok) = self.name_with_token()?;
        if self.eat_kw(K::As)? {
            let select = self.select()?;
            let end = self.prev_end();
            let sql = format!(
                "CREATE TABLE {}",
                self.sql.get(name_tok.start..end).unwrap_or("")
            );
            return Ok(CreateTable {
                temp,
                if_not_exists,
                name,
                body: CreateTableBody::AsSelect(Box::new(select)),
                sql,
            });
        }
        self.expect(T::LParen)?;
        let mut columns = Vec::with_capacity(8);
        columns.push(self.column_def()?);
        let mut constraints = Vec::new();
        while self.eat(T::Comma)? {
            if self.at_table_constraint() {
                constraints = self.table_constraints()?;
                break;
            }
            columns.push(self.column_def()?);
        }
        let rparen = self.expect(T::RParen)?;
        let (without_rowid, strict) = self.table_options()?;
        let end = if without_rowid || strict {
            let t = self.peek();
            if t.kind == T::Semi {
                t.start
            } else {
                t.end
            }
        } else {
            rparen.end
        };
        let sql = format!(
            "CREATE TABLE {}",
            self.sql.get(name_tok.start..end).unwrap_or("")
        );
        let body = CreateTableBody::Columns {
            columns,
            constraints,
            without_rowid,
            strict,
        };
        Ok(CreateTable {
            temp,
            if_not_exists,
            name,
            body,
            sql,
        })
    }

    fn table_options(&mut self) -> PResult<(bool, bool)> {
        let (mut without_rowid, mut strict) = (false, false);
        if !(self.at_kw(K::Without) || self.at_nm()) {
            return Ok((false, false));
        }
        loop {
            if self.eat_kw(K::Without)? {
                let t = self.nm_token()?;
                let raw = self.text(t);
                if !raw.eq_ignore_ascii_case("rowid") {
                    return Err(ParseError::Other(format!("unknown table option: {raw}")));
                }
                without_rowid = true;
            } else {
                let t = self.nm_token()?;
                let raw = self.text(t);
                if !raw.eq_ignore_ascii_case("strict") {
                    return Err(ParseError::Other(format!("unknown table option: {raw}")));
                }
                strict = true;
            }
            if !self.eat(T::Comma)? {
                return Ok((without_rowid, strict));
            }
        }
    }

    fn at_table_constraint(&mut self) -> bool {
        matches!(
            self.kind(),
            T::Keyword(K::Constraint | K::Primary | K::Unique | K::Check | K::Foreign)
        )
    }

    /// `name [type] [constraints]` (`columnname carglist`).
    pub(crate) fn column_def(&mut self) -> PResult<ColumnDef> {
        let start = self.scan_point();
        let name = self.nm()?;
        let type_name = self.type_name(true)?;
        let constraints = self.column_constraints(&name)?;
        let span = (start, self.prev_end());
        Ok(ColumnDef {
            name,
            type_name,
            constraints,
            span,
        })
    }

    /// A type name (`typetoken`); `in_column` stops it at GENERATED.
    pub(crate) fn type_name(&mut self, in_column: bool) -> PResult<Option<String>> {
        let start = self.scan_point();
        let mut any = false;
        while self.at_ids() && !(in_column && self.at_kw(K::Generated)) {
            self.bump()?;
            any = true;
        }
        if !any {
            return Ok(None);
        }
        if self.eat(T::LParen)? {
            self.signed_number()?;
            if self.eat(T::Comma)? {
                self.signed_number()?;
            }
            self.expect(T::RParen)?;
        }
        let end = self.prev_end();
        Ok(Some(dequote(self.sql.get(start..end).unwrap_or(""))))
    }

    /// `[+|-] INTEGER|FLOAT`; returns its text with the sign (`-5`).
    pub(crate) fn signed_number(&mut self) -> PResult<String> {
        let neg = if self.eat(T::Minus)? {
            true
        } else {
            self.eat(T::Plus)?;
            false
        };
        let t = self.peek();
        if !matches!(t.kind, T::Integer | T::Float) {
            return Err(self.error_at(t));
        }
        self.bump()?;
        let text = self.text(t);
        Ok(if neg {
            format!("-{text}")
        } else {
            text.to_string()
        })
    }

    /// `[ON CONFLICT resolvetype]` (`onconf`).
    pub(crate) fn on_conflict(&mut self) -> PResult<Option<ConflictAction>> {
        if self.at_kw(K::On) {
            self.bump()?;
            self.expect_kw(K::Conflict)?;
            return Ok(Some(self.resolve_type()?));
        }
        Ok(None)
    }

    fn column_constraints(&mut self, column: &str) -> PResult<Vec<ColumnConstraint>> {
        let mut out: Vec<ColumnConstraint> = Vec::new();
        let mut name = None;
        loop {
            if self.eat_kw(K::Constraint)? {
                name = Some(self.nm()?);
                continue;
            }
            let kind = match self.kind() {
                T::Keyword(K::Default) => ColumnConstraintKind::Default(self.default_value()?),
                T::Keyword(K::Null) => {
                    self.bump()?;
                    ColumnConstraintKind::Null(self.on_conflict()?)
                }
                T::Keyword(K::Not) if self.kind_at(1) == T::Keyword(K::Null) => {
                    self.bump()?;
                    self.bump()?;
                    ColumnConstraintKind::NotNull(self.on_conflict()?)
                }
                T::Keyword(K::Primary) => {
                    self.bump()?;
                    self.expect_kw(K::Key)?;
                    let order = self.sort_order()?;
                    let conflict = self.on_conflict()?;
                    let autoincrement = self.eat_kw(K::Autoincrement)?;
                    ColumnConstraintKind::PrimaryKey {
                        order,
                        conflict,
                        autoincrement,
                    }
                }
                T::Keyword(K::Unique) => {
                    self.bump()?;
                    ColumnConstraintKind::Unique(self.on_conflict()?)
                }
                T::Keyword(K::Check) => {
                    self.bump()?;
                    self.expect(T::LParen)?;
                    let e = self.expr()?;
                    self.expect(T::RParen)?;
                    ColumnConstraintKind::Check(e)
                }
                T::Keyword(K::References) => ColumnConstraintKind::ForeignKey(self.references()?),
                T::Keyword(K::Deferrable) | T::Keyword(K::Not) => {
                    let deferred = self.defer_subclause()?;
                    let last_fk = out.iter_mut().rev().find_map(|c| match &mut c.kind {
                        ColumnConstraintKind::ForeignKey(fk) => Some(fk),
                        _ => None,
                    });
                    if let Some(fk) = last_fk {
                        fk.deferred = deferred;
                    }
                    name = None;
                    continue;
                }
                T::Keyword(K::Collate) => {
                    self.bump()?;
                    ColumnConstraintKind::Collate(self.ids()?)
                }
                T::Keyword(K::Generated | K::As) => self.generated(column)?,
                _ => return Ok(out),
            };
            out.push(ColumnConstraint {
                name: name.take(),
                kind,
            });
        }
    }

    fn generated(&mut self, column: &str) -> PResult<ColumnConstraintKind> {
        if self.eat_kw(K::Generated)? {
            self.expect_kw(K::Always)?;
        }
        self.expect_kw(K::As)?;
        self.expect(T::LParen)?;
        let expr = self.expr()?;
        self.expect(T::RParen)?;
        let mut stored = false;
        let is_id = match self.kind() {
            T::Id => true,
            T::Keyword(k) => k.falls_back_to_id(),
            _ => false,
        };
        if is_id {
            let t = self.bump()?;
            let w = self.text(t);
            if w.eq_ignore_ascii_case("stored") {
                stored = true;
            } else if !w.eq_ignore_ascii_case("virtual") {
                return Err(ParseError::Other(format!(
                    "error in generated column \"{column}\""
                )));
            }
        }
        Ok(ColumnConstraintKind::Generated { expr, stored })
    }

    /// `DEFAULT literal | (expr) | +num | -num | name`.
    fn default_value(&mut self) -> PResult<DefaultValue> {
        self.expect_kw(K::Default)?;
        let t = self.peek();
        if t.kind == T::LParen {
            self.bump()?;
            let expr = self.expr()?;
            let rp = self.expect(T::RParen)?;
            let text = self.span_text(t.end, rp.start);
            return Ok(DefaultValue { expr, text });
        }
        if matches!(t.kind, T::Plus | T::Minus) {
            self.bump()?;
            let operand = self.default_term()?;
            let span = (t.start, operand.span.1);
            let op = if t.kind == T::Minus {
                UnaryOp::Negate
            } else {
                UnaryOp::Plus
            };
            let text = self.span_text(span.0, span.1);
            let expr = self.mk(ExprKind::Unary(op, Box::new(operand)), span)?;
            return Ok(DefaultValue { expr, text });
        }
        let is_name = matches!(t.kind, T::Id | T::Keyword(K::Indexed))
            || matches!(t.kind, T::Keyword(k) if k.falls_back_to_id()
                && !matches!(k, K::CurrentTime | K::CurrentDate | K::CurrentTimestamp));
        if is_name {
            self.bump()?;
            let raw = self.text(t);
            let lit = if raw.eq_ignore_ascii_case("true") {
                Literal::True
            } else if raw.eq_ignore_ascii_case("false") {
                Literal::False
            } else {
                Literal::String(dequote(raw))
            };
            let expr = self.mk(ExprKind::Literal(lit), (t.start, t.end))?;
            return Ok(DefaultValue {
                expr,
                text: raw.to_string(),
            });
        }
        let expr = self.default_term()?;
        let text = self.span_text(expr.span.0, expr.span.1);
        Ok(DefaultValue { expr, text })
    }

    /// `term`: a literal (NULL, number, string, blob, CURRENT_*).
    fn default_term(&mut self) -> PResult<Expr> {
        let t = self.peek();
        match t.kind {
            T::Integer | T::Float | T::String | T::Blob => self.expr_bp(u8::MAX),
            T::Keyword(K::Null | K::CurrentTime | K::CurrentDate | K::CurrentTimestamp) => {
                self.expr_bp(u8::MAX)
            }
            _ => Err(self.error_at(t)),
        }
    }

    /// `REFERENCES table [(cols)] [refargs] [defer]`; REFERENCES is current.
    fn references(&mut self) -> PResult<ForeignKeyClause> {
        self.expect_kw(K::References)?;
        let table = self.nm()?;
        let columns = self.eidlist_opt()?;
        let mut fk = ForeignKeyClause {
            table,
            columns,
            on_delete: None,
            on_update: None,
            match_name: None,
            deferred: false,
        };
        loop {
            if self.eat_kw(K::Match)? {
                fk.match_name = Some(self.nm()?);
            } else if self.at_kw(K::On) {
                self.bump()?;
                let t = self.peek();
                self.bump()?;
                let action = self.fk_action()?;
                match t.kind {
                    T::Keyword(K::Delete) => fk.on_delete = Some(action),
                    T::Keyword(K::Update) => fk.on_update = Some(action),
                    T::Keyword(K::Insert) => {}
                    _ => return Err(self.error_at(t)),
                }
            } else {
                return Ok(fk);
            }
        }
    }

    fn fk_action(&mut self) -> PResult<FkAction> {
        let t = self.peek();
        self.bump()?;
        Ok(match t.kind {
            T::Keyword(K::Set) => {
                if self.eat_kw(K::Null)? {
                    FkAction::SetNull
                } else {
                    self.expect_kw(K::Default)?;
                    FkAction::SetDefault
                }
            }
            T::Keyword(K::Cascade) => FkAction::Cascade,
            T::Keyword(K::Restrict) => FkAction::Restrict,
            T::Keyword(K::No) => {
                self.expect_kw(K::Action)?;
                FkAction::NoAction
            }
            _ => return Err(self.error_at(t)),
        })
    }

    /// `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]`; true if deferred.
    fn defer_subclause(&mut self) -> PResult<bool> {
        let not = self.eat_kw(K::Not)?;
        self.expect_kw(K::Deferrable)?;
        let mut deferred = false;
        if self.eat_kw(K::Initially)? {
            if self.eat_kw(K::Deferred)? {
                deferred = true;
            } else {
                self.expect_kw(K::Immediate)?;
            }
        }
        Ok(deferred && !not)
    }

    fn table_constraints(&mut self) -> PResult<Vec<TableConstraint>> {
        let mut out = Vec::new();
        let mut name = None;
        loop {
            let kind = match self.kind() {
                T::Keyword(K::Constraint) => {
                    self.bump()?;
                    name = Some(self.nm()?);
                    None
                }
                T::Keyword(K::Primary) => {
                    self.bump()?;
                    self.expect_kw(K::Key)?;
                    self.expect(T::LParen)?;
                    let columns = self.index_sortlist()?;
                    let autoincrement = self.eat_kw(K::Autoincrement)?;
                    self.expect(T::RParen)?;
                    let conflict = self.on_conflict()?;
                    Some(TableConstraintKind::PrimaryKey {
                        columns,
                        autoincrement,
                        conflict,
                    })
                }
                T::Keyword(K::Unique) => {
                    self.bump()?;
                    self.expect(T::LParen)?;
                    let columns = self.index_sortlist()?;
                    self.expect(T::RParen)?;
                    Some(TableConstraintKind::Unique {
                        columns,
                        conflict: self.on_conflict()?,
                    })
                }
                T::Keyword(K::Check) => {
                    self.bump()?;
                    self.expect(T::LParen)?;
                    let e = self.expr()?;
                    self.expect(T::RParen)?;
                    self.on_conflict()?;
                    Some(TableConstraintKind::Check(e))
                }
                T::Keyword(K::Foreign) => {
                    self.bump()?;
                    self.expect_kw(K::Key)?;
                    let columns = self.eidlist_opt_required()?;
                    let mut clause = self.references()?;
                    if self.at_kw(K::Deferrable)
                        || (self.at_kw(K::Not) && self.kind_at(1) == T::Keyword(K::Deferrable))
                    {
                        clause.deferred = self.defer_subclause()?;
                    }
                    Some(TableConstraintKind::ForeignKey { columns, clause })
                }
                _ => return Err(self.error_here()),
            };
            if let Some(kind) = kind {
                out.push(TableConstraint {
                    name: name.take(),
                    kind,
                });
            }
            if self.kind() == T::RParen || self.kind() == EOF {
                return Ok(out);
            }
            self.eat(T::Comma)?;
        }
    }

    fn eidlist_opt_required(&mut self) -> PResult<Vec<String>> {
        if self.kind() != T::LParen {
            return Err(self.error_here());
        }
        self.eidlist_opt()
    }
}
