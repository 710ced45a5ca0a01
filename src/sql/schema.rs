//! The in-memory schema: tables, columns and indexes, built from `sqlite_schema`.
//!
//! SQLite counterpart: `Table`, `Column`, `Index` of sqliteInt.h as built by
//! build.c (`sqlite3StartTable`, `sqlite3AddPrimaryKey`,
//! `sqlite3CreateIndex`) while prepare.c reads `sqlite_schema`.
//!
//! Invariants:
//! 1. Names are looked up case-insensitively (ASCII), as SQLite does.
//! 2. `Table::ipk` is the INTEGER PRIMARY KEY column (the rowid alias):
//!    declared type exactly "INTEGER" (any case) and not `DESC`.
//! 3. Every PRIMARY KEY (other than an ipk) and UNIQUE constraint has an
//!    automatic index `sqlite_autoindex_<table>_<n>`, numbered in the order
//!    the constraints appear; its `sql` in sqlite_schema is NULL.
//! 4. `sqlite_schema` (alias `sqlite_master`) is always present, root page 1.
//! 5. Loading a schema allocates little per object: the parsed statement's
//!    names, types and text move into the [`Table`]; the name maps are
//!    sized once for all rows.
//! 6. A schema reloaded after a change keeps (shares) every table of the
//!    previous one whose `sqlite_schema` rows are byte-identical: same
//!    CREATE TABLE text and root page, same automatic index roots, same
//!    explicit indexes (text and root, in row order). Anything else is
//!    parsed again, so a script of n CREATE statements costs O(n) parses.
//! 7. `row_ids[i]` is the rowid of `rows[i]` when the schema was read from
//!    a file (ascending, the b-tree's order); empty otherwise. A trigger's
//!    `seq` is its row's rowid then (its position otherwise): both order
//!    triggers by creation. `schema_edit.rs` edits a schema with row ids
//!    in place after this connection's own CREATE/DROP.

use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{
    ColumnConstraintKind, ColumnDef, ConflictAction, CreateIndex, CreateTable, CreateTableBody,
    Stmt, TableConstraintKind,
};
use super::ast::{Expr, ExprKind, FkAction, ForeignKeyClause, OrderingTerm, SortOrder};
use crate::pager::Pgno;
use crate::record::{affinity_of_decltype, Affinity};

#[path = "schema_edit.rs"]
mod edit;
pub use edit::RowEdit;

/// One row of `sqlite_schema`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaRow {
    pub kind: String,
    pub name: String,
    pub tbl_name: String,
    pub rootpage: Pgno,
    pub sql: Option<String>,
}

/// A table column.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    /// Declared type as written (`sqlite3_column_decltype`).
    pub decltype: Option<String>,
    pub affinity: Affinity,
    pub notnull: bool,
    pub notnull_conflict: Option<ConflictAction>,
    pub default: Option<Expr>,
    /// Collating sequence name (BINARY when not declared).
    pub collation: String,
    pub primary_key: bool,
    /// `AS (expr) [VIRTUAL|STORED]` (see `schema_gen`).
    pub generated: Option<super::schema_gen::Generated>,
}

/// One column of an index key.
#[derive(Clone, Debug)]
pub struct IndexColumn {
    /// Table column number; `None` for an expression.
    pub column: Option<usize>,
    pub expr: Option<Expr>,
    pub collation: String,
    pub desc: bool,
}

/// An index b-tree.
#[derive(Clone, Debug)]
pub struct Index {
    pub name: String,
    pub table: String,
    pub root: Pgno,
    pub columns: Vec<IndexColumn>,
    pub unique: bool,
    pub on_conflict: Option<ConflictAction>,
    /// Created for a PRIMARY KEY/UNIQUE constraint (sql is NULL).
    pub auto: bool,
    pub is_primary_key: bool,
    pub partial: Option<Expr>,
    pub sql: Option<String>,
}

/// A table.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub root: Pgno,
    pub columns: Vec<Column>,
    /// The INTEGER PRIMARY KEY column (rowid alias), if any.
    pub ipk: Option<usize>,
    pub ipk_conflict: Option<ConflictAction>,
    pub autoincrement: bool,
    pub without_rowid: bool,
    pub strict: bool,
    pub checks: Vec<Expr>,
    pub indexes: Vec<Index>,
    pub sql: Option<String>,
    /// The CREATE TABLE text the expressions' spans refer to.
    pub source: Arc<str>,
    /// FOREIGN KEY constraints where this table is the child, newest first
    /// (SQLite's `Table.u.tab.pFKey` order).
    pub fkeys: Vec<ForeignKey>,
}

/// One FOREIGN KEY constraint of a child table (SQLite's `FKey`).
#[derive(Clone, Debug)]
pub struct ForeignKey {
    /// Child columns, by index into the child's columns.
    pub from: Vec<usize>,
    /// Parent table name, as written.
    pub table: String,
    /// Parent columns as written (empty: the parent's primary key).
    pub to: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    pub deferred: bool,
}

impl Table {
    /// The column numbered by `name` (case-insensitive).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// A trigger: its name, table and parsed definition.
#[derive(Clone, Debug)]
pub struct Trigger {
    pub name: String,
    pub table: String,
    pub def: Arc<super::ast::CreateTrigger>,
    /// Position of its row in sqlite_schema: SQLite fires the triggers of
    /// a table latest-created first.
    pub seq: usize,
}

/// A view: its name and definition.
#[derive(Clone, Debug)]
pub struct View {
    pub name: String,
    pub sql: String,
}

/// A virtual table as recorded in sqlite_schema (rootpage 0).
#[derive(Clone, Debug)]
pub struct VTableDef {
    pub name: String,
    pub module: String,
    pub args: Vec<String>,
    /// The CREATE VIRTUAL TABLE text, verbatim.
    pub sql: String,
}

/// The schema of one database.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub cookie: u32,
    tables: HashMap<String, Arc<Table>>,
    /// Lower-case index name → lower-case table name.
    index_owner: HashMap<String, String>,
    views: HashMap<String, View>,
    triggers: HashMap<String, Trigger>,
    /// Virtual tables by lower-case name.
    vtables: HashMap<String, VTableDef>,
    /// Every row, in file order (for DROP and for `sqlite_schema` reads).
    pub rows: Vec<SchemaRow>,
    /// The rowid of each of `rows` (invariant 7).
    pub row_ids: Vec<i64>,
    /// The temp database's schema: its schema table is also called
    /// `sqlite_temp_schema` / `sqlite_temp_master`.
    pub temp: bool,
    /// Statistics loaded from `sqlite_stat1`, by lower-case table name
    /// (only tables `sqlite_stat1` names; see `schema_stat`).
    pub stat1: HashMap<String, super::schema_stat::TableStat>,
}

impl Schema {
    /// Replaces the statistics by those of `rows` (the rows of this
    /// database's `sqlite_stat1`, in table order).
    pub fn load_stat1(&mut self, rows: &[super::schema_stat::Stat1Row]) {
        let tables = &self.tables;
        let find = |n: &str| with_lower(n, |l| tables.get(l).cloned());
        self.stat1 = super::schema_stat::build_stats(rows, &find);
    }

    /// Builds the schema from the rows of `sqlite_schema`.
    pub fn from_rows(cookie: u32, rows: Vec<SchemaRow>) -> Result<Schema, String> {
        Schema::from_rows_reusing(cookie, rows, None)
    }

    /// [`Schema::from_rows`], taking the tables of `prev` (the schema
    /// loaded before) whose rows did not change instead of parsing them
    /// again (invariant 6).
    pub fn from_rows_reusing(
        cookie: u32,
        rows: Vec<SchemaRow>,
        prev: Option<&Schema>,
    ) -> Result<Schema, String> {
        Schema::from_rows_with_ids(cookie, rows, Vec::new(), prev)
    }

    /// [`Schema::from_rows_reusing`] for rows read from a file, with their
    /// rowids (invariant 7; `row_ids` is ignored unless one per row).
    pub fn from_rows_with_ids(
        cookie: u32,
        rows: Vec<SchemaRow>,
        row_ids: Vec<i64>,
        prev: Option<&Schema>,
    ) -> Result<Schema, String> {
        let row_ids = if row_ids.len() == rows.len() {
            row_ids
        } else {
            Vec::new()
        };
        let mut s = Schema {
            cookie,
            tables: HashMap::with_capacity(rows.len()),
            ..Schema::default()
        };
        let mut auto_roots: HashMap<String, Pgno> = HashMap::new();
        let mut explicit: Vec<(&SchemaRow, String)> = Vec::new();
        let mut reused: Vec<(String, &SchemaRow)> = Vec::new();
        for (seq, row) in rows.iter().enumerate() {
            match (row.kind.as_str(), &row.sql) {
                ("table", Some(sql)) => match prev.and_then(|p| p.unchanged_table(row)) {
                    Some(t) => {
                        let key = t.name.to_ascii_lowercase();
                        s.tables.insert(key.clone(), t);
                        reused.push((key, row));
                    }
                    None => s.add_table_from_sql(sql, row.rootpage)?,
                },
                ("index", None) => {
                    auto_roots.insert(row.name.to_ascii_lowercase(), row.rootpage);
                }
                ("index", Some(sql)) => explicit.push((row, sql.clone())),
                ("trigger", Some(sql)) => {
                    let seq = row_ids.get(seq).map_or(seq, |&id| trigger_seq(id));
                    s.add_trigger(row, sql, seq);
                }
                ("view", Some(sql)) => s.add_view(row, sql),
                _ => {}
            }
        }
        let kept = s.check_reused(&reused, &auto_roots, &explicit)?;
        s.attach_auto_roots(&auto_roots);
        for (row, sql) in explicit {
            if !kept.contains(&row.tbl_name.to_ascii_lowercase()) {
                s.add_index_from_sql(&sql, row.rootpage)?;
            }
        }
        s.rows = rows;
        s.row_ids = row_ids;
        Ok(s)
    }

    /// Adds the trigger `row` defines (a text that does not parse as a
    /// CREATE TRIGGER is skipped, as at load).
    fn add_trigger(&mut self, row: &SchemaRow, sql: &str, seq: usize) {
        if let Ok((Some(p), _)) = super::parse_one(sql, 0) {
            if let Stmt::CreateTrigger(ct) = p.stmt {
                let t = Trigger {
                    name: row.name.clone(),
                    table: row.tbl_name.clone(),
                    def: Arc::new(*ct),
                    seq,
                };
                self.triggers.insert(row.name.to_ascii_lowercase(), t);
            }
        }
    }

    fn add_view(&mut self, row: &SchemaRow, sql: &str) {
        let v = View {
            name: row.name.clone(),
            sql: sql.to_string(),
        };
        self.views.insert(row.name.to_ascii_lowercase(), v);
    }

    /// This schema's table for `row` if it was built from exactly the same
    /// text and root page.
    fn unchanged_table(&self, row: &SchemaRow) -> Option<Arc<Table>> {
        let t = with_lower(&row.name, |l| self.tables.get(l))?;
        (t.root == row.rootpage && t.sql.is_some() && t.sql == row.sql).then(|| t.clone())
    }

    /// Keeps the reused tables whose indexes are exactly those the rows
    /// describe (same automatic index roots, same explicit index texts and
    /// roots in the same order); parses the others again. Returns the
    /// lower-case names of the tables kept.
    fn check_reused(
        &mut self,
        reused: &[(String, &SchemaRow)],
        auto_roots: &HashMap<String, Pgno>,
        explicit: &[(&SchemaRow, String)],
    ) -> Result<std::collections::HashSet<String>, String> {
        let mut kept = std::collections::HashSet::new();
        if reused.is_empty() {
            return Ok(kept);
        }
        let mut by_table: HashMap<String, Vec<(&SchemaRow, &str)>> = HashMap::new();
        for (r, sql) in explicit {
            by_table
                .entry(r.tbl_name.to_ascii_lowercase())
                .or_default()
                .push((r, sql));
        }
        for (lower, row) in reused {
            let Some(t) = self.tables.get(lower) else {
                continue;
            };
            let autos_same = t.indexes.iter().filter(|i| i.auto).all(|i| {
                auto_roots
                    .get(&i.name.to_ascii_lowercase())
                    .copied()
                    .unwrap_or(0)
                    == i.root
            });
            let mine = by_table.get(lower).map_or(&[][..], |v| v.as_slice());
            let theirs = t.indexes.iter().filter(|i| !i.auto);
            let explicit_same = mine
                .iter()
                .map(Some)
                .chain(std::iter::once(None))
                .zip(theirs.map(Some).chain(std::iter::once(None)))
                .all(|pair| match pair {
                    (Some((r, sql)), Some(i)) => {
                        i.root == r.rootpage && i.sql.as_deref() == Some(*sql)
                    }
                    (None, None) => true,
                    _ => false,
                });
            if autos_same && explicit_same {
                kept.insert(lower.clone());
            } else if let Some(sql) = &row.sql {
                self.tables.remove(lower);
                self.add_table_from_sql(sql, row.rootpage)?;
            }
        }
        Ok(kept)
    }

    fn add_table_from_sql(&mut self, sql: &str, root: Pgno) -> Result<(), String> {
        let parsed =
            super::parse_one(sql, 0).map_err(|e| format!("malformed database schema - {e}"))?;
        match parsed.0.map(|p| p.stmt) {
            Some(Stmt::CreateTable(ct)) => {
                let table = build_table_owned(*ct, root, Arc::from(sql))?;
                self.tables
                    .insert(table.name.to_ascii_lowercase(), Arc::new(table));
                Ok(())
            }
            Some(Stmt::CreateVirtualTable(cv)) => {
                let def = VTableDef {
                    name: cv.name.name.clone(),
                    module: cv.module.clone(),
                    args: cv.args.clone(),
                    sql: sql.to_string(),
                };
                self.vtables.insert(def.name.to_ascii_lowercase(), def);
                Ok(())
            }
            _ => Err("malformed database schema".to_string()),
        }
    }

    fn attach_auto_roots(&mut self, roots: &HashMap<String, Pgno>) {
        for t in self.tables.values_mut() {
            if t.indexes.is_empty() {
                continue;
            }
            let new_root = |idx: &Index| {
                roots
                    .get(&idx.name.to_ascii_lowercase())
                    .copied()
                    .filter(|&r| r != idx.root)
            };
            if t.indexes.iter().any(|i| new_root(i).is_some()) {
                let t = Arc::make_mut(t);
                for idx in &mut t.indexes {
                    if let Some(r) = new_root(idx) {
                        idx.root = r;
                    }
                }
            }
            let owner = t.name.to_ascii_lowercase();
            for idx in &t.indexes {
                self.index_owner
                    .insert(idx.name.to_ascii_lowercase(), owner.clone());
            }
        }
    }

    fn add_index_from_sql(&mut self, sql: &str, root: Pgno) -> Result<(), String> {
        let parsed =
            super::parse_one(sql, 0).map_err(|e| format!("malformed database schema - {e}"))?;
        let Some(Stmt::CreateIndex(ci)) = parsed.0.map(|p| p.stmt) else {
            return Err("malformed database schema".to_string());
        };
        let key = ci.table.to_ascii_lowercase();
        let Some(table) = self.tables.get_mut(&key) else {
            return Ok(());
        };
        let index = build_index(&ci, table, root)?;
        self.index_owner
            .insert(index.name.to_ascii_lowercase(), key);
        Arc::make_mut(table).indexes.push(index);
        Ok(())
    }

    /// The table called `name` (including `sqlite_schema`/`sqlite_master`).
    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        with_lower(name, |lower| {
            if let Some(t) = self.tables.get(lower) {
                return Some(t.clone());
            }
            match lower {
                "sqlite_schema" | "sqlite_master" => Some(Arc::new(schema_table())),
                "sqlite_temp_schema" | "sqlite_temp_master" if self.temp => {
                    Some(Arc::new(schema_table()))
                }
                _ => None,
            }
        })
    }

    /// The index called `name` and the table it belongs to.
    pub fn index(&self, name: &str) -> Option<(Arc<Table>, Index)> {
        let owner = with_lower(name, |lower| self.index_owner.get(lower))?;
        let t = self.tables.get(owner)?.clone();
        let idx = t
            .indexes
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))?
            .clone();
        Some((t, idx))
    }

    /// The trigger called `name`.
    pub fn trigger(&self, name: &str) -> Option<&Trigger> {
        with_lower(name, |l| self.triggers.get(l))
    }

    /// The triggers defined on `table`, latest-created first (firing order).
    pub fn triggers_on(&self, table: &str) -> Vec<Trigger> {
        let mut v: Vec<Trigger> = self
            .triggers
            .values()
            .filter(|t| t.table.eq_ignore_ascii_case(table))
            .cloned()
            .collect();
        v.sort_by_key(|t| std::cmp::Reverse(t.seq));
        v
    }

    /// The virtual table called `name`.
    pub fn vtable(&self, name: &str) -> Option<&VTableDef> {
        with_lower(name, |l| self.vtables.get(l))
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        with_lower(name, |l| self.views.get(l))
    }

    /// True if any table, index or view has this name.
    pub fn name_in_use(&self, name: &str) -> bool {
        with_lower(name, |lower| {
            self.tables.contains_key(lower)
                || self.index_owner.contains_key(lower)
                || self.views.contains_key(lower)
                || self.vtables.contains_key(lower)
        })
    }

    /// Adds (or replaces) `t` under `name`, with its indexes: how a
    /// statement over several databases sees the tables of the others
    /// (codegen/attach.rs).
    pub fn put_table(&mut self, name: &str, t: Arc<Table>) {
        let lower = name.to_ascii_lowercase();
        for idx in &t.indexes {
            self.index_owner
                .insert(idx.name.to_ascii_lowercase(), lower.clone());
        }
        self.views.remove(&lower);
        self.tables.insert(lower, t);
    }

    /// Adds (or replaces) view `v`: how a statement over several
    /// databases sees a temp view (codegen/attach.rs).
    pub fn put_view(&mut self, v: View) {
        let lower = v.name.to_ascii_lowercase();
        self.tables.remove(&lower);
        self.views.insert(lower, v);
    }

    /// Tables in name order.
    pub fn tables(&self) -> Vec<Arc<Table>> {
        let mut v: Vec<_> = self.tables.values().cloned().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }
}

/// A trigger's `seq` from its row's rowid (invariant 7).
fn trigger_seq(rowid: i64) -> usize {
    usize::try_from(rowid).unwrap_or(0)
}

/// Runs `f` on the ASCII-lower-case form of `name` (the maps' keys),
/// without allocating when `name` is lower case already or short.
fn with_lower<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(name);
    }
    let mut buf = [0u8; 64];
    if let Some(dst) = buf.get_mut(..name.len()) {
        for (d, s) in dst.iter_mut().zip(name.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        if let Ok(l) = std::str::from_utf8(dst) {
            return f(l);
        }
    }
    f(&name.to_ascii_lowercase())
}

/// The built-in description of `sqlite_schema`.
fn schema_table() -> Table {
    let col = |name: &str, ty: &str| Column {
        name: name.to_string(),
        decltype: Some(ty.to_string()),
        affinity: affinity_of_decltype(ty),
        notnull: false,
        notnull_conflict: None,
        default: None,
        collation: "BINARY".to_string(),
        primary_key: false,
        generated: None,
    };
    Table {
        name: "sqlite_schema".to_string(),
        root: 1,
        columns: vec![
            col("type", "text"),
            col("name", "text"),
            col("tbl_name", "text"),
            col("rootpage", "int"),
            col("sql", "text"),
        ],
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
    }
}

/// Builds a [`Table`] from its CREATE TABLE statement (build.c's job).
pub fn build_table(ct: &CreateTable, root: Pgno, source: Arc<str>) -> Result<Table, String> {
    build_table_owned(ct.clone(), root, source)
}

/// [`build_table`] consuming the statement: its names, declared types
/// and text move into the [`Table`] instead of being copied (the schema
/// loader's path, invariant 5).
pub fn build_table_owned(
    mut ct: CreateTable,
    root: Pgno,
    source: Arc<str>,
) -> Result<Table, String> {
    let name = std::mem::take(&mut ct.name.name);
    let sql = std::mem::take(&mut ct.sql);
    let CreateTableBody::Columns {
        columns,
        constraints,
        without_rowid,
        strict,
    } = &mut ct.body
    else {
        return Err("CREATE TABLE ... AS SELECT is not supported by loom yet".to_string());
    };
    let mut t = Table {
        name,
        root,
        columns: Vec::with_capacity(columns.len()),
        ipk: None,
        ipk_conflict: None,
        autoincrement: false,
        without_rowid: *without_rowid,
        strict: *strict,
        checks: Vec::new(),
        indexes: Vec::new(),
        sql: Some(sql),
        source,
        fkeys: Vec::new(),
    };
    let mut keys: Vec<KeySpec> = Vec::new();
    let mut fkeys = Vec::new();
    for def in columns.iter_mut() {
        add_column(&mut t, def, &mut keys)?;
        let ci = t.columns.len().saturating_sub(1);
        for c in &def.constraints {
            if let ColumnConstraintKind::ForeignKey(clause) = &c.kind {
                fkeys.push(foreign_key(vec![ci], clause)?);
            }
        }
    }
    for c in constraints.iter() {
        match &c.kind {
            TableConstraintKind::PrimaryKey {
                columns,
                autoincrement,
                conflict,
            } => {
                keys.push(KeySpec::from_terms(
                    &t,
                    columns,
                    true,
                    *conflict,
                    *autoincrement,
                )?);
            }
            TableConstraintKind::Unique { columns, conflict } => {
                keys.push(KeySpec::from_terms(&t, columns, false, *conflict, false)?);
            }
            TableConstraintKind::Check(e) => t.checks.push(e.clone()),
            TableConstraintKind::ForeignKey { columns, clause } => {
                let mut from = Vec::new();
                for c in columns {
                    from.push(t.column_index(c).ok_or_else(|| {
                        format!("unknown column \"{c}\" in foreign key definition")
                    })?);
                }
                fkeys.push(foreign_key(from, clause)?);
            }
        }
    }
    if keys.iter().filter(|k| k.primary).count() > 1 {
        return Err(format!(
            "table \"{}\" has more than one primary key",
            t.name
        ));
    }
    finish_keys(&mut t, keys)?;
    super::schema_gen::check_table(&t)?;
    fkeys.reverse();
    t.fkeys = fkeys;
    Ok(t)
}

/// A [`ForeignKey`] from its clause; the parent column count must match.
fn foreign_key(from: Vec<usize>, clause: &ForeignKeyClause) -> Result<ForeignKey, String> {
    if !clause.columns.is_empty() && clause.columns.len() != from.len() {
        return Err(
            "number of columns in foreign key does not match the number of columns in the referenced table"
                .to_string(),
        );
    }
    Ok(ForeignKey {
        from,
        table: clause.table.clone(),
        to: clause.columns.clone(),
        on_delete: clause.on_delete.unwrap_or(FkAction::NoAction),
        on_update: clause.on_update.unwrap_or(FkAction::NoAction),
        deferred: clause.deferred,
    })
}

/// A PRIMARY KEY or UNIQUE constraint before it becomes an index.
struct KeySpec {
    columns: Vec<(usize, Option<String>, bool)>,
    primary: bool,
    conflict: Option<ConflictAction>,
    autoinc: bool,
}

impl KeySpec {
    fn from_terms(
        t: &Table,
        terms: &[OrderingTerm],
        primary: bool,
        conflict: Option<ConflictAction>,
        autoinc: bool,
    ) -> Result<KeySpec, String> {
        let mut columns = Vec::new();
        for term in terms {
            let (name, coll) = term_column(&term.expr).ok_or_else(|| {
                "expressions prohibited in PRIMARY KEY and UNIQUE constraints".to_string()
            })?;
            let i = t
                .column_index(&name)
                .ok_or_else(|| format!("no such column: {name}"))?;
            columns.push((i, coll, term.order == Some(SortOrder::Desc)));
        }
        Ok(KeySpec {
            columns,
            primary,
            conflict,
            autoinc,
        })
    }
}

/// The column name (and COLLATE) of an indexed-column term.
/// An index key column computed by an expression (`COLLATE` outermost
/// gives its collation); only the table's own columns may appear in it.
fn expression_column(e: &Expr, t: &Table, desc: bool) -> Result<IndexColumn, String> {
    let (inner, collation) = match &e.kind {
        ExprKind::Collate(inner, c) => (inner.as_ref(), c.clone()),
        _ => (e, "BINARY".to_string()),
    };
    check_index_expr(inner, t)?;
    Ok(IndexColumn {
        column: None,
        expr: Some(inner.clone()),
        collation,
        desc,
    })
}

/// Columns of an index expression must exist; subqueries are refused.
pub(crate) fn check_index_expr(e: &Expr, t: &Table) -> Result<(), String> {
    let mut err = None;
    crate::sql::codegen::walk_expr(e, &mut |x| match &x.kind {
        ExprKind::Column { column, .. } => {
            let rowid = ["rowid", "oid", "_rowid_"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(column));
            if t.column_index(column).is_none() && !rowid && err.is_none() {
                err = Some(format!("no such column: {column}"));
            }
        }
        ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. } => {
            err.get_or_insert_with(|| "subqueries prohibited in index expressions".to_string());
        }
        _ => {}
    });
    err.map_or(Ok(()), Err)
}

fn term_column(e: &Expr) -> Option<(String, Option<String>)> {
    match &e.kind {
        ExprKind::Column {
            table: None,
            schema: None,
            column,
            ..
        } => Some((column.clone(), None)),
        ExprKind::Literal(super::ast::Literal::String(s)) => Some((s.clone(), None)),
        ExprKind::Collate(inner, coll) => term_column(inner).map(|(n, _)| (n, Some(coll.clone()))),
        _ => None,
    }
}

/// SQLite stores the six standard type names in upper case (sqlite3StdType).
fn std_type(t: String) -> String {
    const STD: [&str; 6] = ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];
    match STD.iter().find(|s| s.eq_ignore_ascii_case(&t)) {
        Some(s) if **s != *t => s.to_string(),
        _ => t,
    }
}

/// The affinity of a declared type, without the general rule's
/// upper-casing for the standard names (which are upper case here).
fn decl_affinity(decl: Option<&str>) -> Affinity {
    match decl {
        Some("INTEGER" | "INT") => Affinity::Integer,
        Some("TEXT") => Affinity::Text,
        Some("REAL") => Affinity::Real,
        Some("BLOB") | None => Affinity::Blob,
        Some(d) => affinity_of_decltype(d),
    }
}

/// Appends the column `def` defines, moving its name and type out of it.
fn add_column(t: &mut Table, def: &mut ColumnDef, keys: &mut Vec<KeySpec>) -> Result<(), String> {
    if t.column_index(&def.name).is_some() {
        return Err(format!("duplicate column name: {}", def.name));
    }
    let decl = def.type_name.take().map(std_type);
    let mut col = Column {
        name: std::mem::take(&mut def.name),
        affinity: decl_affinity(decl.as_deref()),
        decltype: decl,
        notnull: false,
        notnull_conflict: None,
        default: None,
        collation: "BINARY".to_string(),
        primary_key: false,
        generated: None,
    };
    super::schema_gen::add_generated(&mut col, def)?;
    let idx = t.columns.len();
    for c in &def.constraints {
        match &c.kind {
            ColumnConstraintKind::PrimaryKey {
                order,
                conflict,
                autoincrement,
            } => {
                col.primary_key = true;
                let desc = *order == Some(SortOrder::Desc);
                keys.push(KeySpec {
                    columns: vec![(idx, None, desc)],
                    primary: true,
                    conflict: *conflict,
                    autoinc: *autoincrement,
                });
            }
            ColumnConstraintKind::NotNull(conflict) => {
                col.notnull = true;
                col.notnull_conflict = *conflict;
            }
            ColumnConstraintKind::Unique(conflict) => keys.push(KeySpec {
                columns: vec![(idx, None, false)],
                primary: false,
                conflict: *conflict,
                autoinc: false,
            }),
            ColumnConstraintKind::Check(e) => t.checks.push(e.clone()),
            ColumnConstraintKind::Default(d) => col.default = Some(d.expr.clone()),
            ColumnConstraintKind::Collate(name) => col.collation = name.clone(),
            ColumnConstraintKind::Null(_) | ColumnConstraintKind::ForeignKey(_) => {}
            ColumnConstraintKind::Generated { .. } => {}
        }
    }
    t.columns.push(col);
    Ok(())
}

/// Turns PRIMARY KEY/UNIQUE constraints into the ipk or automatic indexes.
fn finish_keys(t: &mut Table, keys: Vec<KeySpec>) -> Result<(), String> {
    let mut n = 0;
    for k in keys {
        if k.primary && k.columns.len() == 1 && !t.without_rowid {
            let (ci, _, desc) = k.columns[0];
            let is_integer = t.columns[ci]
                .decltype
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case("integer"));
            if is_integer && !desc {
                t.ipk = Some(ci);
                t.ipk_conflict = k.conflict;
                t.autoincrement = k.autoinc;
                continue;
            }
        }
        if k.autoinc {
            return Err(super::schema_wr::autoinc_error(t, &k.columns));
        }
        if k.primary {
            for &(ci, _, _) in &k.columns {
                t.columns[ci].primary_key = true;
            }
        }
        n += 1;
        let columns = k
            .columns
            .iter()
            .map(|(ci, coll, desc)| IndexColumn {
                column: Some(*ci),
                expr: None,
                collation: coll
                    .clone()
                    .unwrap_or_else(|| t.columns[*ci].collation.clone()),
                desc: *desc,
            })
            .collect();
        t.indexes.push(Index {
            name: format!("sqlite_autoindex_{}_{}", t.name, n),
            table: t.name.clone(),
            root: 0,
            columns,
            unique: true,
            on_conflict: k.conflict,
            auto: true,
            is_primary_key: k.primary,
            partial: None,
            sql: None,
        });
    }
    if t.without_rowid {
        super::schema_wr::finish_without_rowid(t)?;
    }
    Ok(())
}

/// Builds an [`Index`] from CREATE INDEX (build.c's `sqlite3CreateIndex`).
pub fn build_index(ci: &CreateIndex, t: &Table, root: Pgno) -> Result<Index, String> {
    let mut columns = Vec::new();
    for term in &ci.columns {
        let desc = term.order == Some(SortOrder::Desc);
        match term_column(&term.expr).and_then(|(n, c)| t.column_index(&n).map(|i| (i, c))) {
            Some((i, coll)) => columns.push(IndexColumn {
                column: Some(i),
                expr: None,
                collation: coll.unwrap_or_else(|| t.columns[i].collation.clone()),
                desc,
            }),
            None => match &term.expr.kind {
                ExprKind::Column { column, .. } => return Err(format!("no such column: {column}")),
                _ => columns.push(expression_column(&term.expr, t, desc)?),
            },
        }
    }
    if let Some(w) = &ci.where_ {
        check_index_expr(w, t)?;
    }
    Ok(Index {
        name: ci.name.name.clone(),
        table: t.name.clone(),
        root,
        columns,
        unique: ci.unique,
        on_conflict: None,
        auto: false,
        is_primary_key: false,
        partial: ci.where_.clone(),
        sql: Some(ci.sql.clone()),
    })
}
