//! ALTER TABLE: RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN.
//!
//! SQLite counterpart: alter.c (`sqlite3AlterRenameTable`,
//! `sqlite3AlterRenameColumn`, `sqlite3AlterFinishAddColumn`,
//! `sqlite3AlterDropColumn`), with `legacy_alter_table=OFF` behaviour:
//! references in indexes, triggers, views and foreign keys follow the
//! renamed table or column.
//!
//! Invariants:
//! 1. Every `sqlite_schema` row keeps its rowid and root page; only its
//!    name, tbl_name and sql change (rewritten in place), then the schema
//!    cookie is bumped and the schema re-read, so prepared statements
//!    re-prepare.
//! 2. SQL texts are rewritten token by token (see [`super::alter_sql`]):
//!    everything but the renamed identifiers stays byte-for-byte.
//! 3. ADD COLUMN never touches table rows: records written before it are
//!    shorter and read the column's constant DEFAULT. DROP COLUMN rewrites
//!    every row without the column.

use std::sync::Arc;

use super::alter_sql::{self as rw, Quote};
use super::Gen;
use crate::sql::ast::{
    AlterAction, AlterTable, ColumnConstraintKind, ColumnDef, CreateTableBody, Stmt,
};
use crate::sql::schema::Table;
use crate::vdbe::{InsertFlags, Insn, RootPage};

/// One in-place change of a `sqlite_schema` row (matched by name).
struct SchemaEdit {
    name: String,
    new_name: String,
    new_tbl: String,
    new_sql: Option<String>,
}

impl Gen<'_> {
    pub(super) fn alter_table(&mut self, a: &AlterTable) -> Result<(), String> {
        if a.table
            .schema
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err(
                "ALTER TABLE on attached or temp schemas is not supported by loom yet".into(),
            );
        }
        let name = &a.table.name;
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("sqlite_") {
            let shown = if lower == "sqlite_schema" {
                "sqlite_master"
            } else {
                name
            };
            return Err(format!("table {shown} may not be altered"));
        }
        if self.main_schema().view(name).is_some() {
            return Err(format!("view {name} may not be altered"));
        }
        let t = self
            .main_schema()
            .table(name)
            .ok_or_else(|| format!("no such table: {name}"))?;
        match &a.action {
            AlterAction::RenameTable(new) => self.rename_table(&t, new),
            AlterAction::RenameColumn { old, new } => self.rename_column(&t, old, new),
            AlterAction::AddColumn { column, sql } => self.add_column(&t, column, sql),
            AlterAction::DropColumn(col) => self.drop_column(&t, col),
        }
    }

    fn rename_table(&mut self, t: &Arc<Table>, new: &str) -> Result<(), String> {
        let schema = self.main_schema();
        if schema.name_in_use(new) {
            return Err(format!(
                "there is already another table or index with this name: {new}"
            ));
        }
        if new.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(format!("object name reserved for internal use: {new}"));
        }
        let mut edits = Vec::new();
        for row in &schema.rows {
            let on_t = row.tbl_name.eq_ignore_ascii_case(&t.name);
            let new_sql = match &row.sql {
                Some(sql) => {
                    let out = rw::rename_table_refs(sql, &t.name, new);
                    (out != *sql).then_some(out)
                }
                None => None,
            };
            if !on_t && new_sql.is_none() {
                continue;
            }
            if let Some(s) = &new_sql {
                check_parses(s, &row.kind, &row.name, "rename")?;
            }
            let mut new_name = row.name.clone();
            if row.name.eq_ignore_ascii_case(&t.name) {
                new_name = new.to_string();
            } else if let Some(rest) = autoindex_suffix(&row.name, &t.name) {
                new_name = format!("sqlite_autoindex_{new}_{rest}");
            }
            let new_tbl = if on_t {
                new.to_string()
            } else {
                row.tbl_name.clone()
            };
            edits.push(SchemaEdit {
                name: row.name.clone(),
                new_name,
                new_tbl,
                new_sql,
            });
        }
        self.use_db(true);
        self.apply_schema_edits(&edits);
        if t.autoincrement {
            if let Some(seq) = self.main_schema().table("sqlite_sequence") {
                self.rename_sequence_row(seq.root, &t.name, new);
            }
        }
        self.bump_schema_cookie();
        Ok(())
    }

    fn rename_column(&mut self, t: &Arc<Table>, old: &str, new: &str) -> Result<(), String> {
        let Some(ci) = t.column_index(old) else {
            return Err(format!("no such column: \"{old}\""));
        };
        let col_name = t.columns[ci].name.clone();
        if t.column_index(new).is_some_and(|c| c != ci) {
            return Err(format!(
                "error in table {} after rename: duplicate column name: {new}",
                t.name
            ));
        }
        let quote = if rw::needs_quotes(new) || rw::written_quoted(self.sql, new) {
            Quote::Always
        } else {
            Quote::AsOriginal
        };
        let mut edits = Vec::new();
        for row in &self.main_schema().rows {
            let Some(sql) = &row.sql else { continue };
            let own = row.kind == "table" && row.name.eq_ignore_ascii_case(&t.name);
            let on_t = row.tbl_name.eq_ignore_ascii_case(&t.name);
            let out = if own {
                rw::rename_column_in_table(sql, &t.name, &col_name, new, quote)
            } else if row.kind == "index" && on_t {
                rw::rename_column_in_index(sql, &col_name, new, quote)
            } else {
                rw::rename_column_elsewhere(sql, &t.name, &col_name, new, quote, on_t)
            };
            if out != *sql {
                check_parses(&out, &row.kind, &row.name, "rename")?;
                edits.push(SchemaEdit {
                    name: row.name.clone(),
                    new_name: row.name.clone(),
                    new_tbl: row.tbl_name.clone(),
                    new_sql: Some(out),
                });
            }
        }
        self.use_db(true);
        self.apply_schema_edits(&edits);
        self.bump_schema_cookie();
        Ok(())
    }

    fn add_column(&mut self, t: &Arc<Table>, col: &ColumnDef, text: &str) -> Result<(), String> {
        if t.column_index(&col.name).is_some() {
            return Err(format!("duplicate column name: {}", col.name));
        }
        let mut notnull = false;
        let mut default = None;
        for c in &col.constraints {
            match &c.kind {
                ColumnConstraintKind::PrimaryKey { .. } => {
                    return Err("Cannot add a PRIMARY KEY column".into())
                }
                ColumnConstraintKind::Unique(_) => return Err("Cannot add a UNIQUE column".into()),
                ColumnConstraintKind::NotNull(_) => notnull = true,
                ColumnConstraintKind::Default(d) => default = Some(&d.expr),
                ColumnConstraintKind::Generated { stored: true, .. } => {
                    return Err("cannot add a STORED column".into())
                }
                _ => {}
            }
        }
        if let Some(d) = default {
            if !rw::is_constant_default(d) {
                return Err("Cannot add a column with non-constant default".into());
            }
        }
        let null_default = default.is_none_or(|d| {
            matches!(
                d.kind,
                crate::sql::ast::ExprKind::Literal(crate::sql::ast::Literal::Null)
            )
        });
        if notnull && null_default {
            return Err("Cannot add a NOT NULL column with default value NULL".into());
        }
        let sql = t.sql.clone().unwrap_or_default();
        let def = text.trim_end_matches([';', ' ', '\t', '\n', '\r']);
        let new_sql = append_column(&sql, def)?;
        self.check_table_sql(&new_sql)?;
        self.use_db(true);
        self.apply_schema_edits(&[SchemaEdit {
            name: t.name.clone(),
            new_name: t.name.clone(),
            new_tbl: t.name.clone(),
            new_sql: Some(new_sql),
        }]);
        self.bump_schema_cookie();
        Ok(())
    }

    fn drop_column(&mut self, t: &Arc<Table>, name: &str) -> Result<(), String> {
        let Some(ci) = t.column_index(name) else {
            return Err(format!("no such column: \"{name}\""));
        };
        let col = &t.columns[ci];
        if col.primary_key || t.ipk == Some(ci) {
            return Err(format!("cannot drop PRIMARY KEY column: \"{}\"", col.name));
        }
        if t.indexes
            .iter()
            .any(|ix| ix.auto && ix.columns.iter().any(|c| c.column == Some(ci)))
        {
            return Err(format!("cannot drop UNIQUE column: \"{}\"", col.name));
        }
        if t.columns.len() == 1 {
            return Err(format!(
                "cannot drop column \"{}\": no other columns exist",
                col.name
            ));
        }
        let sql = t.sql.clone().unwrap_or_default();
        let new_sql = remove_column_def(&sql, ci)?;
        for row in &self.main_schema().rows {
            let Some(text) = &row.sql else { continue };
            let what = match row.kind.as_str() {
                "index" if row.tbl_name.eq_ignore_ascii_case(&t.name) => "index",
                "view" | "trigger" => row.kind.as_str(),
                _ => continue,
            };
            let on_t = row.tbl_name.eq_ignore_ascii_case(&t.name);
            let uses = if what == "index" {
                rw::index_uses_column(text, &col.name).then(|| col.name.clone())
            } else {
                rw::mentions_column(text, &t.name, &col.name, on_t)
            };
            if let Some(shown) = uses {
                return Err(format!(
                    "error in {what} {} after drop column: no such column: {shown}",
                    row.name
                ));
            }
        }
        self.check_table_sql(&new_sql)
            .map_err(|e| format!("error in table {} after drop column: {e}", t.name))?;
        self.use_db(true);
        self.apply_schema_edits(&[SchemaEdit {
            name: t.name.clone(),
            new_name: t.name.clone(),
            new_tbl: t.name.clone(),
            new_sql: Some(new_sql),
        }]);
        if !col.is_virtual() {
            // A VIRTUAL column has no record field: the rows stay as they are.
            self.rewrite_rows_without(t, ci)?;
        }
        self.bump_schema_cookie();
        Ok(())
    }

    /// Parses and builds a rewritten CREATE TABLE, as SQLite re-parses.
    fn check_table_sql(&self, sql: &str) -> Result<(), String> {
        let parsed = crate::sql::parse_one(sql, 0).map_err(|e| e.to_string())?.0;
        match parsed.map(|p| p.stmt) {
            Some(Stmt::CreateTable(ct)) => {
                if let CreateTableBody::Columns { .. } = ct.body {
                    crate::sql::schema::build_table(&ct, 0, Arc::from(sql)).map(|_| ())
                } else {
                    Ok(())
                }
            }
            _ => Err("internal error: malformed CREATE TABLE".into()),
        }
    }

    /// Rewrites every row of `t` without column `ci`.
    fn rewrite_rows_without(&mut self, t: &Table, ci: usize) -> Result<(), String> {
        let cursor = self.b.alloc_cursor();
        let n = t.columns.len();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: n,
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, cursor);
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        // Stored columns in record order (key columns first in a WITHOUT
        // ROWID table, no VIRTUAL ones), the dropped one left out.
        let order: Vec<usize> = match t.without_rowid {
            true => crate::sql::schema_wr::storage_order(t),
            false => (0..n).filter(|&c| !t.columns[c].is_virtual()).collect(),
        };
        let kept: Vec<usize> = order.into_iter().filter(|&c| c != ci).collect();
        let regs = self.b.alloc_regs(kept.len().max(1));
        for (k, &c) in kept.iter().enumerate() {
            if t.ipk == Some(c) {
                self.b.emit(Insn::Null {
                    dest: regs + k,
                    count: 1,
                });
            } else {
                let default = self.column_default(t, c);
                // A WITHOUT ROWID cursor maps table columns to fields itself.
                let column = match t.without_rowid {
                    true => c,
                    false => t.storage_index(c),
                };
                self.b.emit(Insn::Column {
                    cursor,
                    column,
                    dest: regs + k,
                    default,
                });
            }
        }
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor,
            dest: rowid,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: kept.len(),
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }

    /// Rewrites the `sqlite_schema` rows named in `edits`, in place.
    fn apply_schema_edits(&mut self, edits: &[SchemaEdit]) {
        if edits.is_empty() {
            return;
        }
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Page(1),
            n_cols: 5,
            key_info: None,
        });
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let next = self.b.new_label();
        let name = self.b.alloc_reg();
        self.b.emit(Insn::Column {
            cursor,
            column: 1,
            dest: name,
            default: None,
        });
        let targets: Vec<_> = edits.iter().map(|_| self.b.new_label()).collect();
        for (e, l) in edits.iter().zip(&targets) {
            let r = self.text_reg(&e.name);
            self.b.emit(Insn::Compare {
                op: crate::vdbe::CmpOp::Eq,
                lhs: name,
                rhs: r,
                target: l.addr(),
                flags: binary_cmp(),
            });
        }
        self.b.emit(Insn::Goto {
            target: next.addr(),
        });
        for (e, l) in edits.iter().zip(targets) {
            self.b.resolve(l);
            self.rewrite_schema_row(cursor, e);
            self.b.emit(Insn::Goto {
                target: next.addr(),
            });
        }
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.b.resolve(done);
    }

    fn rewrite_schema_row(&mut self, cursor: usize, e: &SchemaEdit) {
        let start = self.b.alloc_regs(5);
        for (col, dest) in [(0, start), (3, start + 3), (4, start + 4)] {
            self.b.emit(Insn::Column {
                cursor,
                column: col,
                dest,
                default: None,
            });
        }
        self.text_into(&e.new_name, start + 1);
        self.text_into(&e.new_tbl, start + 2);
        if let Some(sql) = &e.new_sql {
            self.text_into(sql, start + 4);
        }
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor,
            dest: rowid,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count: 5,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
    }

    /// `UPDATE sqlite_sequence SET name = new WHERE name = old`.
    fn rename_sequence_row(&mut self, root: u32, old: &str, new: &str) {
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Page(root),
            n_cols: 2,
            key_info: None,
        });
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let next = self.b.new_label();
        let regs = self.b.alloc_regs(2);
        self.b.emit(Insn::Column {
            cursor,
            column: 0,
            dest: regs,
            default: None,
        });
        let r = self.text_reg(old);
        let hit = self.b.new_label();
        self.b.emit(Insn::Compare {
            op: crate::vdbe::CmpOp::Eq,
            lhs: regs,
            rhs: r,
            target: hit.addr(),
            flags: binary_cmp(),
        });
        self.b.emit(Insn::Goto {
            target: next.addr(),
        });
        self.b.resolve(hit);
        self.text_into(new, regs);
        self.b.emit(Insn::Column {
            cursor,
            column: 1,
            dest: regs + 1,
            default: None,
        });
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor,
            dest: rowid,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: 2,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.b.resolve(done);
    }

    fn text_reg(&mut self, s: &str) -> crate::vdbe::Reg {
        let r = self.b.alloc_reg();
        self.text_into(s, r);
        r
    }

    fn text_into(&mut self, s: &str, dest: crate::vdbe::Reg) {
        self.b.emit(Insn::String8 {
            value: Arc::from(s.as_bytes()),
            dest,
        });
    }

    fn bump_schema_cookie(&mut self) {
        let value = i64::from(self.main_schema().cookie) + 1;
        self.b.emit(Insn::SetCookie {
            db: 0,
            idx: 1,
            value,
        });
        self.b.emit(Insn::ParseSchema { db: 0 });
    }
}

fn binary_cmp() -> crate::vdbe::CmpFlags {
    crate::vdbe::CmpFlags {
        affinity: crate::record::Affinity::Blob,
        jump_if_null: false,
        null_eq: false,
        store: None,
        collation: None,
    }
}

/// A rewritten schema text must still parse, or the ALTER fails with
/// SQLite's "error in KIND NAME after WHAT: message".
fn check_parses(sql: &str, kind: &str, name: &str, what: &str) -> Result<(), String> {
    match crate::sql::parse_one(sql, 0) {
        Ok((Some(_), _)) => Ok(()),
        Ok((None, _)) => Err(format!(
            "error in {kind} {name} after {what}: incomplete input"
        )),
        Err(e) => Err(format!("error in {kind} {name} after {what}: {e}")),
    }
}

/// `sqlite_autoindex_<table>_N` → `N`.
fn autoindex_suffix<'a>(index: &'a str, table: &str) -> Option<&'a str> {
    let prefix = format!("sqlite_autoindex_{table}_");
    if index.len() > prefix.len() && index[..prefix.len()].eq_ignore_ascii_case(&prefix) {
        index.get(prefix.len()..)
    } else {
        None
    }
}

/// The CREATE TABLE text with `, def` inserted after the last column
/// definition (before any table constraint).
fn append_column(sql: &str, def: &str) -> Result<String, String> {
    let columns = column_defs(sql)?;
    let end = columns
        .last()
        .map(|c| c.span.1)
        .ok_or("internal error: no columns")?;
    let mut out = String::with_capacity(sql.len() + def.len() + 2);
    out.push_str(sql.get(..end).unwrap_or(""));
    out.push_str(", ");
    out.push_str(def);
    out.push_str(sql.get(end..).unwrap_or(""));
    Ok(out)
}

/// The column definitions of a CREATE TABLE text.
fn column_defs(sql: &str) -> Result<Vec<ColumnDef>, String> {
    let parsed = crate::sql::parse_one(sql, 0).map_err(|e| e.to_string())?.0;
    let Some(Stmt::CreateTable(ct)) = parsed.map(|p| p.stmt) else {
        return Err("internal error: malformed CREATE TABLE".into());
    };
    match ct.body {
        CreateTableBody::Columns { columns, .. } => Ok(columns),
        CreateTableBody::AsSelect(_) => Err("internal error: malformed CREATE TABLE".into()),
    }
}

/// The CREATE TABLE text without the definition of column `ci`: from the
/// end of the previous definition to the end of this one (for the first
/// column: from its start to the start of the next).
fn remove_column_def(sql: &str, ci: usize) -> Result<String, String> {
    let columns = column_defs(sql)?;
    let span = |i: usize| columns.get(i).map(|c| c.span);
    let this = span(ci).ok_or("internal error: no such column")?;
    let (from, to) = if ci == 0 {
        (this.0, span(1).map_or(this.1, |s| s.0))
    } else {
        (span(ci - 1).map_or(this.0, |s| s.1), this.1)
    };
    let mut out = String::with_capacity(sql.len());
    out.push_str(sql.get(..from).unwrap_or(""));
    out.push_str(sql.get(to..).unwrap_or(""));
    Ok(out)
}
