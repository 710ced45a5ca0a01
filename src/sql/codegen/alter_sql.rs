//! Token-level rewriting of schema SQL texts for ALTER TABLE.
//!
//! SQLite counterpart: the rename machinery of alter.c (`renameEditSql`,
//! `sqlite_rename_table`, `sqlite_rename_column`), which re-parses each
//! schema object, finds the tokens naming the renamed table or column and
//! substitutes the new name, leaving every other byte alone.
//!
//! Invariants:
//! 1. Only identifier tokens are replaced; whitespace, comments, keywords
//!    and literals are copied unchanged.
//! 2. A renamed table is always written double-quoted (`"new"`); a renamed
//!    column is written bare unless the original token or the new name in
//!    the ALTER statement was quoted.
//! 3. The positions treated as table references are the ones after
//!    TABLE/FROM/JOIN/INTO/UPDATE/ON/REFERENCES (and a comma inside FROM)
//!    and qualifiers before a dot; this is a lexical approximation of
//!    SQLite's name resolution and can miss exotic references.

use crate::sql::ast::{Expr, ExprKind, UnaryOp};
use crate::sql::lexer::{dequote, next_token};
use crate::sql::token::{Keyword as K, TokenKind as T};

/// How a renamed column is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quote {
    /// Quoted only when the token it replaces was.
    AsOriginal,
    /// Always double-quoted.
    Always,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: T,
    start: usize,
    end: usize,
}

fn tokens(sql: &str) -> Vec<Tok> {
    let z = sql.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((kind, len)) = next_token(z, pos) {
        let len = len.max(1);
        if kind != T::Space {
            out.push(Tok {
                kind,
                start: pos,
                end: pos + len,
            });
        }
        pos += len;
    }
    out
}

fn is_ident(t: &Tok) -> bool {
    matches!(t.kind, T::Id | T::Keyword(_))
}

fn ident_text(sql: &str, t: &Tok) -> String {
    dequote(sql.get(t.start..t.end).unwrap_or(""))
}

fn is_name(sql: &str, t: &Tok, name: &str) -> bool {
    is_ident(t) && ident_text(sql, t).eq_ignore_ascii_case(name)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn kw(t: Option<&Tok>, k: K) -> bool {
    t.is_some_and(|t| t.kind == T::Keyword(k))
}

/// Applies `(start, end, text)` replacements (sorted, non-overlapping).
fn splice(sql: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(sql.len() + 16);
    let mut at = 0;
    for (s, e, text) in edits {
        if s < at {
            continue;
        }
        out.push_str(sql.get(at..s).unwrap_or(""));
        out.push_str(&text);
        at = e;
    }
    out.push_str(sql.get(at..).unwrap_or(""));
    out
}

/// Indexes of the tokens that name a table, by position.
fn table_ref_positions(sql: &str, toks: &[Tok]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut from_depth: Option<i32> = None;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            T::LParen => depth += 1,
            T::RParen => {
                depth -= 1;
                if from_depth.is_some_and(|d| depth < d) {
                    from_depth = None;
                }
            }
            T::Keyword(K::From | K::Join) => from_depth = Some(depth),
            T::Keyword(
                K::Where
                | K::Group
                | K::Order
                | K::Having
                | K::Limit
                | K::On
                | K::Using
                | K::Select
                | K::Values
                | K::Set
                | K::Window
                | K::Union
                | K::Except
                | K::Intersect,
            )
            | T::Semi
                if from_depth == Some(depth) =>
            {
                from_depth = None;
            }
            _ => {}
        }
        if !is_ident(t) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let next = toks.get(i + 1);
        let after_schema = prev.is_some_and(|p| p.kind == T::Dot)
            && i >= 2
            && toks.get(i - 2).is_some_and(|s| {
                let n = ident_text(sql, s);
                n.eq_ignore_ascii_case("main") || n.eq_ignore_ascii_case("temp")
            });
        let qualifier = next.is_some_and(|n| n.kind == T::Dot)
            && prev.is_none_or(|p| p.kind != T::Dot)
            && !toks.get(i + 2).is_some_and(|x| x.kind == T::Dot);
        let keyword_pos = [
            K::Table,
            K::From,
            K::Join,
            K::Into,
            K::Update,
            K::On,
            K::References,
            K::Exists,
        ]
        .iter()
        .any(|&k| kw(prev, k));
        let from_list = prev.is_some_and(|p| p.kind == T::Comma) && from_depth == Some(depth);
        if after_schema || qualifier || keyword_pos || from_list {
            out.push(i);
        }
    }
    out
}

/// Renames table `old` to `new` wherever the text names it.
pub(crate) fn rename_table_refs(sql: &str, old: &str, new: &str) -> String {
    let toks = tokens(sql);
    let edits = table_ref_positions(sql, &toks)
        .into_iter()
        .filter_map(|i| toks.get(i))
        .filter(|t| is_name(sql, t, old))
        .map(|t| (t.start, t.end, quoted(new)))
        .collect();
    splice(sql, edits)
}

/// True when the text refers to table `table` in a table position.
fn refers_to_table(sql: &str, toks: &[Tok], table: &str) -> bool {
    table_ref_positions(sql, toks)
        .into_iter()
        .filter_map(|i| toks.get(i))
        .any(|t| is_name(sql, t, table))
}

fn column_text(sql: &str, t: &Tok, new: &str, quote: Quote) -> String {
    let orig_quoted = matches!(
        sql.as_bytes().get(t.start),
        Some(b'"' | b'[' | b'`' | b'\'')
    );
    if quote == Quote::Always || orig_quoted {
        quoted(new)
    } else {
        new.to_string()
    }
}

/// Which identifier tokens equal to column `old` refer to `table`'s
/// column. `all_unqualified`: unqualified names count (the object reads
/// only that table, or is its own definition).
fn column_positions(
    sql: &str,
    toks: &[Tok],
    table: &str,
    old: &str,
    all_unqualified: bool,
) -> Vec<usize> {
    let tables = table_ref_positions(sql, toks);
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if !is_name(sql, t, old) || tables.contains(&i) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let next = toks.get(i + 1);
        if next.is_some_and(|n| n.kind == T::LParen) || kw(prev, K::As) {
            continue;
        }
        if prev.is_some_and(|p| p.kind == T::Dot) {
            let q = i.checked_sub(2).and_then(|p| toks.get(p));
            let ok = q.is_some_and(|q| {
                let n = ident_text(sql, q);
                n.eq_ignore_ascii_case(table)
                    || n.eq_ignore_ascii_case("new")
                    || n.eq_ignore_ascii_case("old")
            });
            if ok {
                out.push(i);
            }
            continue;
        }
        if all_unqualified {
            out.push(i);
        }
    }
    out
}

/// RENAME COLUMN inside the table's own CREATE TABLE: every column-name
/// use except inside `REFERENCES other(...)` of another table.
pub(crate) fn rename_column_in_table(
    sql: &str,
    table: &str,
    old: &str,
    new: &str,
    quote: Quote,
) -> String {
    let toks = tokens(sql);
    let mut skip = vec![false; toks.len()];
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            T::LParen => depth += 1,
            T::RParen => depth -= 1,
            _ => {}
        }
        if depth == 0 && is_ident(t) {
            skip[i] = true;
        }
        if t.kind == T::Keyword(K::References) {
            let other = toks.get(i + 1).is_some_and(|p| !is_name(sql, p, table));
            if other && toks.get(i + 2).is_some_and(|p| p.kind == T::LParen) {
                let mut j = i + 3;
                while let Some(x) = toks.get(j) {
                    if x.kind == T::RParen {
                        break;
                    }
                    if let Some(s) = skip.get_mut(j) {
                        *s = true;
                    }
                    j += 1;
                }
            }
        }
    }
    let edits = column_positions(sql, &toks, table, old, true)
        .into_iter()
        .filter(|&i| !skip.get(i).copied().unwrap_or(true))
        .filter_map(|i| toks.get(i))
        .map(|t| (t.start, t.end, column_text(sql, t, new, quote)))
        .collect();
    splice(sql, edits)
}

/// RENAME COLUMN inside an index of the table: names after the first `(`.
pub(crate) fn rename_column_in_index(sql: &str, old: &str, new: &str, quote: Quote) -> String {
    let toks = tokens(sql);
    let open = toks
        .iter()
        .position(|t| t.kind == T::LParen)
        .unwrap_or(toks.len());
    let edits = toks
        .iter()
        .enumerate()
        .skip(open)
        .filter(|(i, t)| {
            is_name(sql, t, old) && !toks.get(i + 1).is_some_and(|n| n.kind == T::LParen)
        })
        .map(|(_, t)| (t.start, t.end, column_text(sql, t, new, quote)))
        .collect();
    splice(sql, edits)
}

/// RENAME COLUMN in views, triggers and other tables' foreign keys.
pub(crate) fn rename_column_elsewhere(
    sql: &str,
    table: &str,
    old: &str,
    new: &str,
    quote: Quote,
    on_table: bool,
) -> String {
    let toks = tokens(sql);
    if !on_table && !refers_to_table(sql, &toks, table) {
        return sql.to_string();
    }
    let mut edits = Vec::new();
    // REFERENCES table(cols)
    for (i, t) in toks.iter().enumerate() {
        if t.kind == T::Keyword(K::References)
            && toks.get(i + 1).is_some_and(|p| is_name(sql, p, table))
            && toks.get(i + 2).is_some_and(|p| p.kind == T::LParen)
        {
            let mut j = i + 3;
            while let Some(x) = toks.get(j) {
                if x.kind == T::RParen {
                    break;
                }
                if is_name(sql, x, old) {
                    edits.push((x.start, x.end, column_text(sql, x, new, quote)));
                }
                j += 1;
            }
        }
    }
    let is_table = kw(toks.first(), K::Create) && kw(toks.get(1), K::Table);
    if !is_table {
        for i in column_positions(sql, &toks, table, old, true) {
            if let Some(t) = toks.get(i) {
                edits.push((t.start, t.end, column_text(sql, t, new, quote)));
            }
        }
    }
    edits.dedup_by_key(|e| e.0);
    splice(sql, edits)
}

/// The first reference of a view or trigger text to column `col` of
/// `table`, as written (`col` or `qualifier.col`).
pub(crate) fn mentions_column(sql: &str, table: &str, col: &str, on_table: bool) -> Option<String> {
    let toks = tokens(sql);
    if !on_table && !refers_to_table(sql, &toks, table) {
        return None;
    }
    let i = *column_positions(sql, &toks, table, col, true).first()?;
    let name = ident_text(sql, toks.get(i)?);
    let qualified = i >= 2 && toks.get(i - 1).is_some_and(|d| d.kind == T::Dot);
    match toks.get(i.wrapping_sub(2)).filter(|_| qualified) {
        Some(q) => Some(format!("{}.{name}", ident_text(sql, q))),
        None => Some(name),
    }
}

/// Whether an index definition names column `col` (after its first `(`).
pub(crate) fn index_uses_column(sql: &str, col: &str) -> bool {
    let toks = tokens(sql);
    let open = toks
        .iter()
        .position(|t| t.kind == T::LParen)
        .unwrap_or(toks.len());
    toks.iter()
        .enumerate()
        .skip(open)
        .any(|(i, t)| is_name(sql, t, col) && !toks.get(i + 1).is_some_and(|n| n.kind == T::LParen))
}

/// Whether a name must be quoted to read back as one identifier: a
/// keyword, or anything but letters, digits and `_` (not leading digit).
pub(crate) fn needs_quotes(name: &str) -> bool {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c >= 0x80)
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80);
    !plain || matches!(next_token(name.as_bytes(), 0), Some((T::Keyword(_), _)))
}

/// Whether the statement text writes `name` quoted somewhere (the ALTER's
/// new name written as `"name"`, `[name]` or `` `name` ``).
pub(crate) fn written_quoted(stmt: &str, name: &str) -> bool {
    let toks = tokens(stmt);
    toks.iter().any(|t| {
        t.kind == T::Id
            && matches!(stmt.as_bytes().get(t.start), Some(b'"' | b'[' | b'`'))
            && ident_text(stmt, t) == name
    })
}

/// A DEFAULT ADD COLUMN accepts: no column references, no
/// CURRENT_TIME/DATE/TIMESTAMP, no functions or subqueries.
pub(crate) fn is_constant_default(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(l) => !matches!(
            l,
            crate::sql::ast::Literal::CurrentTime
                | crate::sql::ast::Literal::CurrentDate
                | crate::sql::ast::Literal::CurrentTimestamp
        ),
        ExprKind::Unary(UnaryOp::Negate | UnaryOp::Plus | UnaryOp::BitNot, x) => {
            is_constant_default(x)
        }
        ExprKind::Binary(_, l, r) => is_constant_default(l) && is_constant_default(r),
        ExprKind::Cast(x, _) | ExprKind::Collate(x, _) => is_constant_default(x),
        ExprKind::Column { .. } => e.true_false().is_some(),
        _ => false,
    }
}
