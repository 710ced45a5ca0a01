//! The parser's token cursor, name rules, parameter numbering and limits.
//!
//! SQLite counterpart: the token loop of `sqlite3RunParser` (tokenize.c),
//! the window-keyword analysis (`analyzeWindowKeyword` & co.), the `nm`,
//! `ids`, `id` nonterminals and `%fallback ID` of parse.y, and
//! `sqlite3ExprAssignVarNumber` (expr.c).
//!
//! Invariants:
//! 1. Tokens are read lazily, so a bad token after the end of the first
//!    statement is never seen.
//! 2. When the current token becomes an illegal token, [`Parser::bump`]
//!    fails with `unrecognized token` — SQLite reports a bad token before
//!    the grammar sees it — except after a `;`, where the statement may be
//!    complete.
//! 3. End of input is a token of kind [`EOF`] with an empty span at the end
//!    of the text; a syntax error there is `incomplete input`.
//! 4. WINDOW, OVER and FILTER are keywords only where SQLite's tokenizer
//!    makes them keywords; elsewhere they are identifiers.

use super::error::{PResult, ParseError};
use crate::sql::lexer::{dequote, next_token};
use crate::sql::token::{Keyword, Token, TokenKind};

/// The kind used for the end-of-input pseudo token.
pub(crate) const EOF: TokenKind = TokenKind::Space;

/// SQLite's `SQLITE_MAX_VARIABLE_NUMBER` as the system library is built.
pub const MAX_VARIABLE_NUMBER: u32 = 250_000;
/// SQLite's `SQLITE_MAX_EXPR_DEPTH`.
pub const MAX_EXPR_DEPTH: u32 = 1000;
/// SQLite's `SQLITE_MAX_COMPOUND_SELECT`.
pub const MAX_COMPOUND_SELECT: usize = 500;
/// Lemon's parser stack size (`YYSTACKDEPTH`); nesting deeper than this
/// (in SQLite's stack units, approximated) is `parser stack overflow`.
const STACK_DEPTH: u32 = 100;

/// A recursive-descent parser over one SQL text.
#[derive(Debug)]
pub(crate) struct Parser<'a> {
    /// The SQL text.
    pub(crate) sql: &'a str,
    z: &'a [u8],
    /// Tokens read so far (no whitespace); the last may be [`EOF`].
    toks: Vec<Token>,
    /// Index of the current token in `toks`.
    pos: usize,
    /// Byte offset where the lexer continues.
    lex_pos: usize,
    /// Parameter names by index - 1.
    pub(crate) params: Vec<Option<String>>,
    /// Approximate Lemon stack usage.
    depth: u32,
    /// Parsing a trigger body.
    pub(crate) in_trigger: bool,
}

impl<'a> Parser<'a> {
    /// A parser positioned at byte `offset` of `sql`.
    pub(crate) fn new(sql: &'a str, offset: usize) -> Parser<'a> {
        // About one token per 3 bytes, within bounds: one allocation for
        // most statements instead of a chain of regrowths.
        let guess = (sql.len().saturating_sub(offset) / 3).clamp(8, 64);
        Parser {
            sql,
            z: sql.as_bytes(),
            toks: Vec::with_capacity(guess),
            pos: 0,
            lex_pos: offset.min(sql.len()),
            params: Vec::new(),
            depth: 0,
            in_trigger: false,
        }
    }

    fn lex_raw(&self, mut at: usize) -> Token {
        loop {
            match next_token(self.z, at) {
                None => {
                    let end = self
                        .z
                        .iter()
                        .skip(at)
                        .position(|&b| b == 0)
                        .map_or(self.z.len(), |p| at + p);
                    return Token {
                        kind: EOF,
                        start: end,
                        end,
                    };
                }
                Some((TokenKind::Space, n)) => at += n,
                Some((kind, n)) => {
                    return Token {
                        kind,
                        start: at,
                        end: at + n,
                    }
                }
            }
        }
    }

    #[inline]
    fn is_name_like(kind: TokenKind) -> bool {
        match kind {
            TokenKind::Id | TokenKind::String => true,
            TokenKind::Keyword(k) => k.is_join_kw() || k.falls_back_to_id(),
            _ => false,
        }
    }

    fn is_window_name(kind: TokenKind) -> bool {
        Self::is_name_like(kind)
            || matches!(
                kind,
                TokenKind::Keyword(Keyword::Window | Keyword::Over | Keyword::Filter)
            )
    }

    /// Applies the tokenizer's WINDOW/OVER/FILTER rules to `t`.
    fn analyze_window_keyword(&self, t: Token, prev: Option<TokenKind>) -> Token {
        let kw = match t.kind {
            TokenKind::Keyword(k @ (Keyword::Window | Keyword::Over | Keyword::Filter)) => k,
            _ => return t,
        };
        let n1 = self.lex_raw(t.end);
        let keep = match kw {
            Keyword::Window => {
                Self::is_window_name(n1.kind)
                    && self.lex_raw(n1.end).kind == TokenKind::Keyword(Keyword::As)
            }
            Keyword::Over => {
                prev == Some(TokenKind::RParen)
                    && (n1.kind == TokenKind::LParen || Self::is_window_name(n1.kind))
            }
            _ => prev == Some(TokenKind::RParen) && n1.kind == TokenKind::LParen,
        };
        if keep {
            t
        } else {
            Token {
                kind: TokenKind::Id,
                ..t
            }
        }
    }

    fn fill(&mut self, n: usize) {
        while self.toks.len() <= self.pos + n {
            if self.toks.last().is_some_and(|t| t.kind == EOF) {
                let last = self.toks.last().copied();
                if let Some(t) = last {
                    self.toks.push(t);
                }
                continue;
            }
            let t = self.lex_raw(self.lex_pos);
            let t = self.analyze_window_keyword(t, self.toks.last().map(|t| t.kind));
            self.lex_pos = t.end;
            self.toks.push(t);
        }
    }

    /// The token `n` places ahead of the current one (0 = current).
    #[inline(always)]
    pub(crate) fn peek_at(&mut self, n: usize) -> Token {
        match self.toks.get(self.pos + n) {
            Some(t) => *t,
            None => self.peek_new(n),
        }
    }

    /// [`Parser::peek_at`] when the token is not read yet.
    #[inline(never)]
    fn peek_new(&mut self, n: usize) -> Token {
        self.fill(n);
        self.toks.get(self.pos + n).copied().unwrap_or(Token {
            kind: EOF,
            start: self.z.len(),
            end: self.z.len(),
        })
    }

    /// The current token.
    #[inline]
    pub(crate) fn peek(&mut self) -> Token {
        self.peek_at(0)
    }

    /// The current token's kind.
    #[inline]
    pub(crate) fn kind(&mut self) -> TokenKind {
        self.peek().kind
    }

    /// The kind of the token `n` ahead.
    #[inline]
    pub(crate) fn kind_at(&mut self, n: usize) -> TokenKind {
        self.peek_at(n).kind
    }

    /// True if the current token is keyword `k`.
    #[inline]
    pub(crate) fn at_kw(&mut self, k: Keyword) -> bool {
        self.kind() == TokenKind::Keyword(k)
    }

    /// The source text of a token.
    #[inline]
    pub(crate) fn text(&self, t: Token) -> &'a str {
        self.sql.get(t.start..t.end).unwrap_or("")
    }

    /// Consumes the current token and returns it.
    pub(crate) fn bump(&mut self) -> PResult<Token> {
        let t = self.peek();
        if t.kind != EOF {
            self.pos += 1;
        }
        if t.kind != TokenKind::Semi {
            let next = self.peek();
            if next.kind == TokenKind::Illegal {
                return Err(self.unrecognized(next));
            }
        }
        Ok(t)
    }

    /// Consumes the current token if it has kind `k`.
    #[inline]
    pub(crate) fn eat(&mut self, k: TokenKind) -> PResult<bool> {
        if self.kind() == k {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes keyword `k` if it is current.
    #[inline]
    pub(crate) fn eat_kw(&mut self, k: Keyword) -> PResult<bool> {
        self.eat(TokenKind::Keyword(k))
    }

    /// Consumes a token of kind `k` or fails with a syntax error.
    pub(crate) fn expect(&mut self, k: TokenKind) -> PResult<Token> {
        if self.kind() == k {
            self.bump()
        } else {
            Err(self.error_here())
        }
    }

    /// Consumes keyword `k` or fails.
    pub(crate) fn expect_kw(&mut self, k: Keyword) -> PResult<Token> {
        self.expect(TokenKind::Keyword(k))
    }

    fn unrecognized(&self, t: Token) -> ParseError {
        ParseError::Unrecognized {
            token: self.text(t).to_string(),
            offset: t.start,
        }
    }

    /// The error for failing at the current token.
    pub(crate) fn error_here(&mut self) -> ParseError {
        let t = self.peek();
        self.error_at(t)
    }

    /// The error for failing at token `t`.
    pub(crate) fn error_at(&self, t: Token) -> ParseError {
        match t.kind {
            EOF => ParseError::Incomplete,
            TokenKind::Illegal => self.unrecognized(t),
            _ => ParseError::Syntax {
                near: self.text(t).to_string(),
                offset: t.start,
            },
        }
    }

    /// Byte offset where the current token starts (SQLite's `scanpt`).
    #[inline]
    pub(crate) fn scan_point(&mut self) -> usize {
        self.peek().start
    }

    /// End offset of the last consumed token.
    pub(crate) fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.end)
    }

    /// Enters a nested construct costing `cost` Lemon stack entries.
    pub(crate) fn enter(&mut self, cost: u32) -> PResult<()> {
        self.depth += cost;
        if self.depth > STACK_DEPTH {
            return Err(ParseError::Other("parser stack overflow".into()));
        }
        Ok(())
    }

    /// Leaves a nested construct entered with [`Parser::enter`].
    pub(crate) fn leave(&mut self, cost: u32) {
        self.depth = self.depth.saturating_sub(cost);
    }

    /// Resets the stack estimate at the start of a statement.
    pub(crate) fn reset_depth(&mut self, base: u32) {
        self.depth = base;
    }

    // ---- names -------------------------------------------------------

    /// True if the current token can be an `nm` (ID, STRING, JOIN_KW,
    /// INDEXED or a fallback keyword).
    #[inline]
    pub(crate) fn at_nm(&mut self) -> bool {
        match self.kind() {
            TokenKind::Keyword(Keyword::Indexed) => true,
            k => Self::is_name_like(k),
        }
    }

    /// True if the current token can be an `ids` (ID, STRING or a fallback keyword).
    #[inline]
    pub(crate) fn at_ids(&mut self) -> bool {
        match self.kind() {
            TokenKind::Id | TokenKind::String => true,
            TokenKind::Keyword(k) => k.falls_back_to_id(),
            _ => false,
        }
    }

    /// Parses an `nm` and returns it dequoted.
    pub(crate) fn nm(&mut self) -> PResult<String> {
        if !self.at_nm() {
            return Err(self.error_here());
        }
        let t = self.bump()?;
        Ok(dequote(self.text(t)))
    }

    /// Parses an `nm` and returns its token.
    pub(crate) fn nm_token(&mut self) -> PResult<Token> {
        if !self.at_nm() {
            return Err(self.error_here());
        }
        self.bump()
    }

    /// Parses an `ids` and returns it dequoted.
    pub(crate) fn ids(&mut self) -> PResult<String> {
        if !self.at_ids() {
            return Err(self.error_here());
        }
        let t = self.bump()?;
        Ok(dequote(self.text(t)))
    }

    /// `nm [DOT nm]` as a qualified name.
    pub(crate) fn fullname(&mut self) -> PResult<crate::sql::ast::QualifiedName> {
        let first = self.nm()?;
        if self.eat(TokenKind::Dot)? {
            let name = self.nm()?;
            Ok(crate::sql::ast::QualifiedName {
                schema: Some(first),
                name,
            })
        } else {
            Ok(crate::sql::ast::QualifiedName {
                schema: None,
                name: first,
            })
        }
    }

    // ---- parameters --------------------------------------------------

    /// Assigns the parameter index of a VARIABLE token, as SQLite does.
    pub(crate) fn assign_variable(&mut self, t: Token) -> PResult<(u32, Option<String>)> {
        let text = self.text(t);
        let bytes = text.as_bytes();
        if bytes.first() == Some(&b'#') && bytes.get(1).is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.error_at(t));
        }
        let range_err = || {
            ParseError::Other(format!(
                "variable number must be between ?1 and ?{MAX_VARIABLE_NUMBER}"
            ))
        };
        let index = if text == "?" {
            self.params.push(None);
            self.params.len() as u32
        } else if bytes.first() == Some(&b'?') {
            let digits = text.get(1..).unwrap_or("");
            let n: u64 = digits.parse().map_err(|_| range_err())?;
            if n == 0 || n > u64::from(MAX_VARIABLE_NUMBER) {
                return Err(range_err());
            }
            let n = n as usize;
            if self.params.len() < n {
                self.params.resize(n, None);
            }
            if let Some(slot @ None) = self.params.get_mut(n - 1) {
                *slot = Some(text.to_string());
            }
            n as u32
        } else if let Some(i) = self.params.iter().position(|p| p.as_deref() == Some(text)) {
            i as u32 + 1
        } else {
            self.params.push(Some(text.to_string()));
            self.params.len() as u32
        };
        if index > MAX_VARIABLE_NUMBER {
            return Err(ParseError::Other("too many SQL variables".into()));
        }
        let name = if text == "?" {
            None
        } else {
            Some(text.to_string())
        };
        Ok((index, name))
    }
}
