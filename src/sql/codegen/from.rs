//! FROM-clause sources: tables, views, subqueries and common table expressions.
//!
//! SQLite counterpart: `sqlite3SrcListLookup`/`selectExpander` and the
//! subquery materialization of select.c (`sqlite3Select`'s "generate code
//! for all sub-queries in the FROM clause"), `sqlite3WithAdd` for CTEs.
//!
//! A view, a subquery in FROM or a CTE is materialized once into an
//! ephemeral rowid table before the loops start, and then scanned like a
//! table through a synthetic [`Table`] describing its columns.
//!
//! Invariants:
//! 1. A materialized source's column names are the subquery's result
//!    column names (or the names listed by the view/CTE), its column
//!    affinities come from the declared types of direct column references.
//! 2. CTE names shadow tables and views; an inner WITH shadows an outer one.

use std::sync::Arc;

use super::expr::Source;
use super::select::Dest;
use super::Gen;
use crate::record::{affinity_of_decltype, Affinity};
use crate::sql::ast::{FromItem, Select, Stmt, TableSource};
use crate::sql::schema::{Column, Table};
use crate::vdbe::{Insn, RootPage};

impl Gen<'_> {
    /// Opens one FROM item as a source.
    pub(crate) fn open_source(&mut self, item: &FromItem) -> Result<Source, String> {
        match &item.source {
            TableSource::Table(q) => {
                let alias = item.alias.clone();
                if let Some(src) = self.current_row_source(&q.name, alias.as_deref()) {
                    return Ok(src);
                }
                if let Some(cte) = self
                    .ctes
                    .iter()
                    .rev()
                    .find(|c| c.name.eq_ignore_ascii_case(&q.name))
                    .cloned()
                {
                    let name = alias.unwrap_or_else(|| cte.name.clone());
                    return self.open_cte(&cte, &name, None);
                }
                if let Some(s) = q.schema.as_deref() {
                    let known = self.env.db_names.iter().any(|n| n.eq_ignore_ascii_case(s));
                    let temp_only =
                        is_temp_schema_table(&q.name) && !s.eq_ignore_ascii_case("temp");
                    if !known || temp_only {
                        return Err(format!("no such table: {s}.{}", q.name));
                    }
                }
                if let Some(view) = self.main_schema().view(&q.name) {
                    if !self.env.enable_views {
                        return Err(format!("access to view \"{}\" prohibited", view.name));
                    }
                    let (select, columns) = parse_view(&view.sql)?;
                    let name = alias.unwrap_or_else(|| view.name.clone());
                    return self.materialize(&select, &name, &columns);
                }
                if q.name.to_ascii_lowercase().starts_with("pragma_")
                    && self.main_schema().table(&q.name).is_none()
                {
                    let name = alias.unwrap_or_else(|| q.name.clone());
                    return self.pragma_source(&q.name["pragma_".len()..], &[], &name);
                }
                if is_temp_schema_table(&q.name) && self.main_schema().table(&q.name).is_none() {
                    // The "temp" database is always empty in loom: its
                    // schema table reads as an empty sqlite_schema.
                    let (select, columns) = parse_view(EMPTY_TEMP_SCHEMA)?;
                    let name = alias.unwrap_or_else(|| q.name.clone());
                    return self.materialize(&select, &name, &columns);
                }
                if let Some(src) = self.open_vtab_source(&q.name, alias.as_deref(), &[])? {
                    return Ok(src);
                }
                // Another database's table of a name the statement also
                // uses elsewhere is keyed `schema.name` (codegen/attach.rs).
                let s = q.schema.as_deref().unwrap_or(super::attach::UNQUALIFIED);
                let qualified = self.main_schema().table(&format!("{s}.{}", q.name));
                let table = match qualified {
                    Some(t) => t,
                    None => self.table(&q.name)?,
                };
                let (table, forced) = super::indexed_by::restrict(&table, item.indexed.as_ref())?;
                let cursor = self.b.alloc_cursor();
                if let Some(f) = forced {
                    self.indexed_by.push((cursor, f));
                }
                self.use_db(false);
                self.b.emit(Insn::OpenRead {
                    cursor,
                    db: 0,
                    root: RootPage::Page(table.root),
                    n_cols: table.columns.len(),
                    key_info: self.table_key_info(&table)?,
                });
                self.mark_table_cursor(&table, cursor);
                let name = alias.unwrap_or_else(|| table.name.clone());
                Ok(Source {
                    table,
                    name,
                    cursor,
                })
            }
            TableSource::Subquery(sel) => {
                let name = item
                    .alias
                    .clone()
                    .unwrap_or_else(|| format!("(subquery-{})", self.b.here()));
                self.materialize(sel, &name, &[])
            }
            TableSource::Function(q, args)
                if q.name.to_ascii_lowercase().starts_with("pragma_") =>
            {
                let name = item.alias.clone().unwrap_or_else(|| q.name.clone());
                self.pragma_source(&q.name["pragma_".len()..], args, &name)
            }
            TableSource::Function(q, args) => {
                match self.open_vtab_source(&q.name, item.alias.as_deref(), args)? {
                    Some(src) => Ok(src),
                    None => Err(format!("no such table: {}", q.name)),
                }
            }
            TableSource::Nested(inner) => self.open_nested(inner, item.alias.as_deref()),
        }
    }

    /// `pragma_xxx(arg)` in FROM: the PRAGMA's rows as a table.
    fn pragma_source(
        &mut self,
        pragma: &str,
        args: &[crate::sql::ast::Expr],
        name: &str,
    ) -> Result<Source, String> {
        use crate::sql::ast::{ExprKind, Literal};
        let value = match args.first().map(|e| &e.kind) {
            None => None,
            Some(ExprKind::Literal(Literal::String(s) | Literal::Integer(s))) => Some(s.clone()),
            Some(_) => {
                return Err(
                    "non-constant pragma function arguments are not supported by loom yet".into(),
                )
            }
        };
        let cursor = self.b.alloc_cursor();
        let open_at = self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: 0,
            key_info: None,
        });
        let saved_cols = std::mem::take(&mut self.b.columns);
        let saved_dest = std::mem::replace(&mut self.pragma_dest, Dest::EphTable { cursor });
        let p = crate::sql::ast::Pragma {
            name: crate::sql::ast::QualifiedName {
                schema: None,
                name: pragma.to_string(),
            },
            value,
        };
        let r = self.pragma(&p);
        self.pragma_dest = saved_dest;
        let infos = std::mem::replace(&mut self.b.columns, saved_cols);
        r?;
        if infos.is_empty() {
            return Err(format!("no such table: pragma_{pragma}"));
        }
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_at) {
            *n_cols = infos.len();
        }
        Ok(self.ephemeral_source(cursor, name, &infos, &[]))
    }

    /// Runs `sel` into a new ephemeral table and describes it as a table.
    pub(crate) fn materialize(
        &mut self,
        sel: &Select,
        name: &str,
        names: &[String],
    ) -> Result<Source, String> {
        let (cursor, infos) = self.materialize_raw(sel, name)?;
        if !names.is_empty() && names.len() != infos.len() {
            return Err(format!(
                "table {} has {} values for {} columns",
                name,
                infos.len(),
                names.len()
            ));
        }
        Ok(self.ephemeral_source(cursor, name, &infos, names))
    }

    /// Runs `sel` into a new ephemeral table: (cursor, column infos).
    pub(crate) fn materialize_raw(
        &mut self,
        sel: &Select,
        name: &str,
    ) -> Result<(usize, Vec<crate::vdbe::ColumnInfo>), String> {
        let cursor = self.b.alloc_cursor();
        let open_at = self.b.emit(Insn::OpenEphemeral {
            cursor,
            n_cols: 0,
            key_info: None,
        });
        let saved_cols = std::mem::take(&mut self.b.columns);
        let saved_outer = std::mem::take(&mut self.outer);
        let eqp_saved = self.eqp.open(|| format!("MATERIALIZE {name}"));
        let r = self.select(sel, &Dest::EphTable { cursor });
        self.eqp.close(eqp_saved);
        let infos = std::mem::replace(&mut self.b.columns, saved_cols);
        self.outer = saved_outer;
        r?;
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_at) {
            *n_cols = infos.len();
        }
        Ok((cursor, infos))
    }

    /// Describes ephemeral table `cursor` with columns `infos` as a source.
    pub(crate) fn ephemeral_source(
        &self,
        cursor: usize,
        name: &str,
        infos: &[crate::vdbe::ColumnInfo],
        names: &[String],
    ) -> Source {
        let columns = infos
            .iter()
            .enumerate()
            .map(|(i, info)| Column {
                name: names.get(i).cloned().unwrap_or_else(|| info.name.clone()),
                affinity: info
                    .decltype
                    .as_deref()
                    .map_or(Affinity::Blob, affinity_of_decltype),
                decltype: info.decltype.clone(),
                notnull: false,
                notnull_conflict: None,
                default: None,
                collation: info
                    .collation
                    .clone()
                    .unwrap_or_else(|| "BINARY".to_string()),
                primary_key: false,
                generated: None,
            })
            .collect();
        let table = Table {
            name: name.to_string(),
            root: 0,
            columns,
            ipk: None,
            ipk_conflict: None,
            autoincrement: false,
            without_rowid: false,
            strict: false,
            checks: Vec::new(),
            indexes: Vec::new(),
            sql: None,
            source: Arc::from(""),
            fkeys: Vec::new(),
        };
        Source {
            table: Arc::new(table),
            name: name.to_string(),
            cursor,
        }
    }
}

/// The SELECT and column names of a view's CREATE VIEW text.
/// `sqlite_temp_schema` as an empty view (see `is_temp_schema_table`).
const EMPTY_TEMP_SCHEMA: &str = "CREATE VIEW sqlite_temp_schema AS SELECT \
    NULL AS type, NULL AS name, NULL AS tbl_name, NULL AS rootpage, NULL AS sql WHERE 0";

/// True for the names of the temp database's schema table.
fn is_temp_schema_table(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_temp_schema")
        || name.eq_ignore_ascii_case("sqlite_temp_master")
}

pub(crate) fn parse_view(sql: &str) -> Result<(Select, Vec<String>), String> {
    match crate::sql::parse_one(sql, 0)
        .map_err(|e| e.to_string())?
        .0
        .map(|p| p.stmt)
    {
        Some(Stmt::CreateView(cv)) => Ok((*cv.select, cv.columns)),
        _ => Err("malformed database schema".to_string()),
    }
}
