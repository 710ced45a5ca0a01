//! Parenthesized joins in FROM that the parser could not flatten:
//! `m JOIN (a JOIN b ON …) ON …`, `m LEFT JOIN (a, b) USING (x)`.
//!
//! SQLite counterpart: the `seltablist ::= stl_prefix LP seltablist RP …`
//! rule of parse.y (a nested FROM list becomes a subquery flagged
//! SF_NestedFrom), `selectExpander`'s nested-FROM expansion and the
//! nested-FROM branch of `lookupName` (resolve.c).
//!
//! The nested list is materialized, like a subquery in FROM, by a SELECT
//! whose result is every column of every nested table, USING/NATURAL
//! duplicates included. Each column remembers the table it came from
//! ([`NestedCol`]), so that the enclosing query can name it `a.x`.
//!
//! Invariants:
//! 1. `t.c` outside the parentheses finds the column `c` of nested table
//!    `t` (at any depth); unqualified `c` finds the nested columns named
//!    `c` except the right-hand duplicates of a nested USING/NATURAL join,
//!    and two such columns are ambiguous.
//! 2. The materialized columns are named as SQLite names a subquery's
//!    columns: a repeated name gets `:N` appended (N counting repeats in
//!    the list), which is what `*` shows; the hidden duplicates of
//!    invariant 1 are left out of `*`.
//! 3. `alias.c` names a materialized column by its `:N` name; `alias.*`
//!    is "no such table", `t.*` expands nested table `t`'s columns.

use std::cell::RefCell;

use super::expr::{Scope, Source};
use super::select::OutCol;
use super::Gen;
use crate::sql::ast::{
    Expr, ExprKind, FromClause, ResultColumn, Select, SelectCore, SimpleSelect, TableSource,
};
use crate::vdbe::ColumnInfo;

/// The `t.*` result-column marker of a nested FROM's own SELECT (no
/// identifier contains a NUL).
pub(crate) const NESTED_STAR: &str = "\u{0}nested";

/// One column of a materialized nested FROM list.
#[derive(Clone, Debug)]
pub struct NestedCol {
    /// The name (alias) of the nested table it came from.
    pub table: String,
    /// Its name in that table.
    pub column: String,
    /// A right-hand duplicate of a USING/NATURAL join: not found
    /// unqualified, not shown by `*` (invariant 1).
    pub hidden: bool,
}

/// The nested sources of a statement, by cursor, and the columns the
/// nested SELECT being compiled expanded.
#[derive(Debug, Default)]
pub struct NestedState {
    pub by_cursor: Vec<(usize, Vec<NestedCol>)>,
    pub slot: RefCell<Option<Vec<NestedCol>>>,
}

impl Gen<'_> {
    /// Opens a parenthesized FROM list as a materialized source.
    pub(crate) fn open_nested(
        &mut self,
        inner: &FromClause,
        alias: Option<&str>,
    ) -> Result<Source, String> {
        let sel = Select {
            with: None,
            first: SelectCore::Select(Box::new(SimpleSelect {
                distinct: false,
                columns: vec![ResultColumn::TableStar(NESTED_STAR.into())],
                from: Some(inner.clone()),
                where_: None,
                group_by: Vec::new(),
                having: None,
                windows: Vec::new(),
            })),
            compounds: Vec::new(),
            order_by: Vec::new(),
            limit: None,
            span: (0, 0),
        };
        let name = alias
            .map(str::to_string)
            .unwrap_or_else(|| format!("(subquery-{})", self.b.here()));
        let saved = self.nested.slot.borrow_mut().take();
        let r = self.materialize_raw(&sel, &name);
        let cols = std::mem::replace(&mut *self.nested.slot.borrow_mut(), saved);
        let (cursor, infos) = r?;
        let cols = cols.unwrap_or_default();
        let names = unique_names(&infos);
        let src = self.ephemeral_source(cursor, &name, &infos, &names);
        self.nested.by_cursor.push((cursor, cols));
        Ok(src)
    }

    /// The nested columns of the source read through `cursor`, if nested.
    pub(crate) fn nested_cols(&self, cursor: usize) -> Option<&[NestedCol]> {
        self.nested
            .by_cursor
            .iter()
            .find(|(c, _)| *c == cursor)
            .map(|(_, v)| v.as_slice())
    }

    /// Whether column `ci` of the source read through `cursor` is a hidden
    /// nested duplicate (invariant 2).
    pub(crate) fn is_nested_hidden(&self, cursor: usize, ci: usize) -> bool {
        self.nested_cols(cursor)
            .and_then(|v| v.get(ci))
            .is_some_and(|c| c.hidden)
    }

    /// The result of a nested FROM's own SELECT: every column of every
    /// source, remembering where each came from (for [`Gen::open_nested`]).
    pub(crate) fn nested_star_columns(&self, scope: &Scope) -> Vec<OutCol> {
        let mut out = Vec::new();
        let mut cols = Vec::new();
        for (si, s) in scope.sources.iter().enumerate() {
            let nested = self.nested_cols(s.cursor);
            for (ci, c) in s.table.columns.iter().enumerate() {
                if self.is_hidden_column(s.cursor, ci) {
                    continue;
                }
                let merged = merged_at(scope, si, &c.name);
                let mut origin = match nested.and_then(|v| v.get(ci)) {
                    Some(nc) => NestedCol {
                        hidden: nc.hidden || merged,
                        ..nc.clone()
                    },
                    None => NestedCol {
                        table: s.name.clone(),
                        column: c.name.clone(),
                        hidden: merged,
                    },
                };
                let mut col = column_out(s, &c.name, c.decltype.clone());
                let carrier = !origin.hidden
                    && (si + 1..scope.sources.len()).any(|sj| merged_at(scope, sj, &c.name));
                if carrier {
                    // The USING column itself, then the table's own column
                    // (invariant 1).
                    let mut merged_col = col.clone();
                    if let Some(e) = self.using_coalesce(scope, &c.name) {
                        merged_col.expr = e;
                    }
                    out.push(merged_col);
                    cols.push(NestedCol {
                        table: String::new(),
                        column: origin.column.clone(),
                        hidden: false,
                    });
                    origin.hidden = true;
                }
                cols.push(origin);
                col.info.name = c.name.clone();
                out.push(col);
            }
        }
        *self.nested.slot.borrow_mut() = Some(cols);
        out
    }

    /// `t.*` naming a table inside a nested source (invariant 3).
    pub(crate) fn nested_table_star(&self, scope: &Scope, t: &str) -> Option<Vec<OutCol>> {
        for s in &scope.sources {
            let Some(nested) = self.nested_cols(s.cursor) else {
                continue;
            };
            let out: Vec<OutCol> = nested
                .iter()
                .zip(s.table.columns.iter())
                .filter(|(nc, _)| nc.table.eq_ignore_ascii_case(t))
                .map(|(_, c)| column_out(s, &c.name, c.decltype.clone()))
                .collect();
            if !out.is_empty() {
                return Some(out);
            }
        }
        None
    }

    /// Finds `table.column` / `column` among nested source `s`'s columns
    /// (invariant 1): the matching column indexes.
    pub(crate) fn nested_lookup(
        &self,
        s: &Source,
        table: Option<&str>,
        column: &str,
    ) -> Option<Vec<usize>> {
        let nested = self.nested_cols(s.cursor)?;
        let hits = nested
            .iter()
            .zip(s.table.columns.iter())
            .enumerate()
            .filter(|(_, (nc, c))| match table {
                Some(t) => {
                    (nc.table.eq_ignore_ascii_case(t) && nc.column.eq_ignore_ascii_case(column))
                        || (s.name.eq_ignore_ascii_case(t) && c.name.eq_ignore_ascii_case(column))
                }
                None => !nc.hidden && nc.column.eq_ignore_ascii_case(column),
            })
            .map(|(ci, _)| ci)
            .collect();
        Some(hits)
    }
}

/// SQLite refuses NATURAL with ON/USING while it expands the FROM clause,
/// before it resolves any name of a nested list: checked first here when
/// the list has nested parts.
pub(crate) fn check_nested_natural(from: &FromClause) -> Result<(), String> {
    if !from
        .items
        .iter()
        .any(|it| matches!(it.source, TableSource::Nested(_)))
    {
        return Ok(());
    }
    check_natural(from)
}

fn check_natural(from: &FromClause) -> Result<(), String> {
    for item in &from.items {
        if item.join.is_some_and(|j| j.natural) && item.constraint.is_some() {
            return Err("a NATURAL join may not have an ON or USING clause".into());
        }
        if let TableSource::Nested(inner) = &item.source {
            check_natural(inner)?;
        }
    }
    Ok(())
}

/// Whether USING/NATURAL merges column `name` of source `si` into an
/// earlier source.
fn merged_at(scope: &Scope, si: usize, name: &str) -> bool {
    scope
        .using
        .iter()
        .any(|(u, names)| *u == si && names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// A result column reading column `name` of source `s`.
fn column_out(s: &Source, name: &str, decltype: Option<String>) -> OutCol {
    let collation = s
        .table
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .map(|c| c.collation.clone());
    OutCol {
        expr: Expr {
            kind: ExprKind::Column {
                schema: None,
                table: Some(s.name.clone()),
                column: name.to_string(),
                double_quoted: false,
            },
            span: (0, 0),
            height: 1,
        },
        info: ColumnInfo {
            name: name.to_string(),
            decltype,
            database: Some("main".into()),
            table: Some(s.table.name.clone()),
            origin: Some(name.to_string()),
            collation,
        },
    }
}

/// SQLite's subquery column names: a name equal (ignoring case) to an
/// earlier one loses any `:digits` suffix and gets `:N`, N counting the
/// renames so far, until it is unique (invariant 2).
fn unique_names(infos: &[ColumnInfo]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(infos.len());
    let mut count = 0u32;
    for info in infos {
        let mut name = info.name.clone();
        while out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            let base = match name.rfind(':') {
                Some(p) if name[p + 1..].bytes().all(|b| b.is_ascii_digit()) => &name[..p],
                _ => name.as_str(),
            };
            count += 1;
            name = format!("{base}:{count}");
        }
        out.push(name);
    }
    out
}
