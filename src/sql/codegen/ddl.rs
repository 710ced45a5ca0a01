//! CREATE TABLE, CREATE INDEX, DROP: b-tree allocation and `sqlite_schema` rows.
//!
//! SQLite counterpart: build.c (`sqlite3EndTable`, `sqlite3CreateIndex`,
//! `sqlite3DropTable`, `destroyTable`, `sqlite3ChangeCookie`).
//!
//! Invariants:
//! 1. Every schema change writes `sqlite_schema`, bumps the schema cookie
//!    (meta 1) by one and ends with `ParseSchema`, so every connection —
//!    loom's or SQLite's — sees the change on its next statement.
//! 2. The statement is validated completely at prepare time (the table is
//!    built from its AST), so a bad definition fails before any write.

use std::sync::Arc;

use super::Gen;
use crate::btree::TreeKind;
use crate::sql::ast::{
    CreateIndex, CreateTable, CreateView, DropStmt, ExprKind, FunctionArgs, ObjectKind,
};
use crate::sql::schema::{build_index, build_table};
use crate::vdbe::{InsertFlags, Insn, Reg, RootPage};

/// The cursor number used for `sqlite_schema` writes.
pub(super) struct SchemaWriter {
    cursor: usize,
}

impl Gen<'_> {
    pub(super) fn open_schema_writer(&mut self) -> SchemaWriter {
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Page(1),
            n_cols: 5,
            key_info: None,
        });
        SchemaWriter { cursor }
    }

    /// Appends a row (type, name, tbl_name, rootpage from `root`, sql) to sqlite_schema.
    pub(super) fn schema_row(
        &mut self,
        w: &SchemaWriter,
        kind: &str,
        name: &str,
        tbl: &str,
        root: Reg,
        sql: Option<&str>,
    ) {
        let start = self.b.alloc_regs(5);
        let text = |s: &str| Arc::from(s.as_bytes());
        self.b.emit(Insn::String8 {
            value: text(kind),
            dest: start,
        });
        self.b.emit(Insn::String8 {
            value: text(name),
            dest: start + 1,
        });
        self.b.emit(Insn::String8 {
            value: text(tbl),
            dest: start + 2,
        });
        self.b.emit(Insn::SCopy {
            src: root,
            dest: start + 3,
        });
        match sql {
            Some(s) => self.b.emit(Insn::String8 {
                value: text(s),
                dest: start + 4,
            }),
            None => self.b.emit(Insn::Null {
                dest: start + 4,
                count: 1,
            }),
        };
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::NewRowid {
            cursor: w.cursor,
            dest: rowid,
            autoinc_reg: None,
        });
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start,
            count: 5,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor: w.cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
    }

    /// Appends one sqlite_schema row and bumps the schema cookie.
    pub(crate) fn insert_schema_row(
        &mut self,
        kind: &str,
        name: &str,
        tbl: &str,
        root: Reg,
        sql: Option<&str>,
    ) {
        let w = self.open_schema_writer();
        self.schema_row(&w, kind, name, tbl, root, sql);
        self.change_cookie();
    }

    /// Bumps the schema cookie and asks for a schema reload.
    pub(super) fn change_cookie(&mut self) {
        let value = i64::from(self.main_schema().cookie) + 1;
        self.b.emit(Insn::SetCookie {
            db: 0,
            idx: 1,
            value,
        });
        self.b.emit(Insn::ParseSchema { db: 0 });
    }

    pub(super) fn check_new_name(&self, name: &str, what: &str) -> Result<(), String> {
        if name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(format!("object name reserved for internal use: {name}"));
        }
        if self.main_schema().name_in_use(name) {
            let schema = self.main_schema();
            let kind = if schema.table(name).is_some() {
                "table"
            } else if schema.view(name).is_some() {
                "view"
            } else if schema.index(name).is_some() {
                "index"
            } else {
                what
            };
            return Err(format!("{kind} {name} already exists"));
        }
        Ok(())
    }

    pub(super) fn create_table(&mut self, ct: &CreateTable) -> Result<(), String> {
        if ct.temp
            || ct
                .name
                .schema
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err("TEMP tables and attached schemas are not supported by loom yet".into());
        }
        if ct.if_not_exists && self.main_schema().name_in_use(&ct.name.name) {
            return Ok(());
        }
        self.check_new_name(&ct.name.name, "table")?;
        if let crate::sql::ast::CreateTableBody::AsSelect(sel) = &ct.body {
            return self.create_table_as(&ct.name.name, sel);
        }
        let table = build_table(ct, 0, Arc::from(ct.sql.as_str()))?;
        self.use_db(true);
        let root = self.b.alloc_reg();
        self.b.emit(Insn::CreateBtree {
            db: 0,
            dest: root,
            kind: if table.without_rowid {
                TreeKind::Index
            } else {
                TreeKind::Table
            },
        });
        let own: Vec<_> = (table.indexes.iter())
            .filter(|i| !crate::sql::schema_wr::is_table_key(&table, i))
            .collect();
        let mut index_roots = Vec::new();
        for _ in &own {
            let r = self.b.alloc_reg();
            self.b.emit(Insn::CreateBtree {
                db: 0,
                dest: r,
                kind: TreeKind::Index,
            });
            index_roots.push(r);
        }
        let w = self.open_schema_writer();
        self.schema_row(&w, "table", &table.name, &table.name, root, Some(&ct.sql));
        for (idx, r) in own.iter().zip(index_roots) {
            self.schema_row(&w, "index", &idx.name, &table.name, r, None);
        }
        self.change_cookie();
        if table.autoincrement {
            self.ensure_sequence_table();
        }
        Ok(())
    }

    /// CREATE TABLE name AS SELECT: the select runs into an ephemeral
    /// table first; the new table's columns are its result columns (names
    /// made unique with `:N`, declared types from their affinities, no
    /// constraints), as `sqlite3EndTable` with a SELECT does.
    fn create_table_as(&mut self, name: &str, sel: &crate::sql::ast::Select) -> Result<(), String> {
        self.use_db(true);
        let src = self.materialize(sel, name, &[])?;
        let types = ctas_types(sel, &src.table.columns);
        let sql = ctas_sql(name, &src.table.columns, &types);
        let parsed = crate::sql::parse_one(&sql, 0)
            .map_err(|e| format!("internal error: {e:?}"))?
            .0
            .ok_or("internal error: empty CREATE TABLE")?;
        let crate::sql::ast::Stmt::CreateTable(ct) = parsed.stmt else {
            return Err("internal error: malformed CREATE TABLE".into());
        };
        build_table(&ct, 0, Arc::from(sql.as_str()))?;
        let root = self.b.alloc_reg();
        self.b.emit(Insn::CreateBtree {
            db: 0,
            dest: root,
            kind: TreeKind::Table,
        });
        let n = src.table.columns.len();
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: RootPage::Reg(root),
            n_cols: n,
            key_info: None,
        });
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: src.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let regs = self.b.alloc_regs(n.max(1));
        for i in 0..n {
            self.b.emit(Insn::Column {
                cursor: src.cursor,
                column: i,
                dest: regs + i,
                default: None,
            });
        }
        let (rec, rowid) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: n,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::NewRowid {
            cursor,
            dest: rowid,
            autoinc_reg: None,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
        self.b.emit(Insn::Next {
            cursor: src.cursor,
            target: top,
        });
        self.b.resolve(done);
        self.b.emit(Insn::Close { cursor });
        let w = self.open_schema_writer();
        self.schema_row(&w, "table", name, name, root, Some(&sql));
        self.change_cookie();
        Ok(())
    }

    pub(super) fn create_view(&mut self, cv: &CreateView) -> Result<(), String> {
        if cv.temp
            || cv
                .name
                .schema
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err("TEMP views and attached schemas are not supported by loom yet".into());
        }
        if cv.if_not_exists && self.main_schema().name_in_use(&cv.name.name) {
            return Ok(());
        }
        self.check_new_name(&cv.name.name, "view")?;
        self.use_db(true);
        let root = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: root,
        });
        let w = self.open_schema_writer();
        self.schema_row(
            &w,
            "view",
            &cv.name.name,
            &cv.name.name,
            root,
            Some(&cv.sql),
        );
        self.change_cookie();
        Ok(())
    }

    pub(super) fn create_index(&mut self, ci: &CreateIndex) -> Result<(), String> {
        if ci.if_not_exists && self.main_schema().name_in_use(&ci.name.name) {
            return Ok(());
        }
        let t = self.table(&ci.table)?;
        if t.name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(format!("table {} may not be indexed", t.name));
        }
        self.check_new_name(&ci.name.name, "index")?;
        let index = build_index(ci, &t, 0)?;
        self.check_index_functions(&index)?;
        self.use_db(true);
        let root = self.b.alloc_reg();
        self.b.emit(Insn::CreateBtree {
            db: 0,
            dest: root,
            kind: TreeKind::Index,
        });
        let w = self.open_schema_writer();
        self.schema_row(&w, "index", &index.name, &t.name, root, Some(&ci.sql));
        self.fill_index(&t, &index, root)?;
        self.change_cookie();
        Ok(())
    }

    /// SQLite's prepare-time rule for index expressions and partial-index
    /// WHERE clauses: every function must exist and be deterministic (the
    /// date functions, constant within a statement, are allowed here).
    fn check_index_functions(&self, index: &crate::sql::schema::Index) -> Result<(), String> {
        let exprs = (index.columns.iter().filter_map(|c| c.expr.as_ref()))
            .map(|e| (e, "index expressions"));
        let partial = index
            .partial
            .iter()
            .map(|e| (e, "partial index WHERE clauses"));
        let mut err = None;
        for (e, place) in exprs.chain(partial) {
            crate::sql::codegen::walk_expr(e, &mut |x| {
                let ExprKind::Function(call) = &x.kind else {
                    return;
                };
                let n = match &call.args {
                    FunctionArgs::Star => 0,
                    FunctionArgs::List(a) => a.len(),
                };
                let msg = match self.env.registry.find(&call.name, n) {
                    Some(d) if d.flags.deterministic || d.flags.slow_change => return,
                    Some(_) => format!("non-deterministic functions prohibited in {place}"),
                    None if self.env.registry.has_name(&call.name) => {
                        format!("wrong number of arguments to function {}()", call.name)
                    }
                    None => format!("no such function: {}", call.name),
                };
                err.get_or_insert(msg);
            });
        }
        err.map_or(Ok(()), Err)
    }

    /// Adds an entry for every existing row to a new index.
    pub(super) fn fill_index(
        &mut self,
        t: &crate::sql::schema::Table,
        index: &crate::sql::schema::Index,
        root: Reg,
    ) -> Result<(), String> {
        let tc = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor: tc,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, tc);
        let ic = self.b.alloc_cursor();
        let key_info = self.index_key_info(index)?;
        let n = index.columns.len();
        self.b.emit(Insn::OpenWrite {
            cursor: ic,
            db: 0,
            root: RootPage::Reg(root),
            n_cols: super::without_rowid::index_key_len(t, index),
            key_info: Some(key_info),
        });
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: tc,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor: tc,
            dest: rowid,
        });
        let regs = self.b.alloc_regs(t.columns.len());
        let all = index.partial.is_some() || index.columns.iter().any(|c| c.expr.is_some());
        let mut used: Vec<usize> = if all {
            (0..t.columns.len()).filter(|&c| t.ipk != Some(c)).collect()
        } else {
            index.columns.iter().filter_map(|c| c.column).collect()
        };
        used.extend(crate::sql::schema_wr::pk_columns(t));
        used.sort_unstable();
        used.dedup();
        for c in used {
            self.table_column(t, tc, c, regs + c);
        }
        let regs_v: Vec<Reg> = (0..t.columns.len()).map(|c| regs + c).collect();
        let next = self.b.new_label();
        self.partial_skip(t, index, &regs_v, rowid, next.addr())?;
        let key = self.index_key(t, index, &regs_v, rowid)?;
        if index.unique {
            let ok = self.b.new_label();
            self.b.emit(Insn::NoConflict {
                cursor: ic,
                key,
                n_keys: n,
                target: ok.addr(),
            });

            self.b.emit(Insn::Halt {
                rc: crate::rc::ResultCode::CONSTRAINT_UNIQUE,
                on_error: Default::default(),
                msg: Some(super::index_row::unique_failed(t, index)),
            });
            self.b.resolve(ok);
        }
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: key,
            count: super::without_rowid::index_key_len(t, index),
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::IdxInsert {
            cursor: ic,
            key: rec,
        });
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor: tc,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }

    pub(super) fn drop(&mut self, d: &DropStmt) -> Result<(), String> {
        let name = &d.name.name;
        if d.kind == ObjectKind::Table && self.main_schema().vtable(name).is_some() {
            return self.drop_vtable(name);
        }
        let (roots, schema_names): (Vec<u32>, Vec<String>) = match d.kind {
            ObjectKind::Table => match self.main_schema().table(name) {
                Some(t)
                    if t.name.to_ascii_lowercase().starts_with("sqlite_")
                        && !t.name.to_ascii_lowercase().starts_with("sqlite_stat") =>
                {
                    return Err(format!("table {} may not be dropped", t.name));
                }
                Some(t) => {
                    let mut roots = vec![t.root];
                    roots.extend(t.indexes.iter().map(|i| i.root));
                    let mut names = vec![t.name.clone()];
                    names.extend(t.indexes.iter().map(|i| i.name.clone()));
                    names.extend(
                        self.main_schema()
                            .triggers_on(&t.name)
                            .into_iter()
                            .map(|x| x.name),
                    );
                    (roots, names)
                }
                None if self.main_schema().view(name).is_some() => {
                    return Err(format!("use DROP VIEW to delete view {name}"));
                }
                None if d.if_exists => return Ok(()),
                None => return Err(format!("no such table: {name}")),
            },
            ObjectKind::Index => {
                match self.main_schema().index(name) {
                    Some((_, idx)) if idx.auto => {
                        return Err("index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped".into());
                    }
                    Some((_, idx)) => (vec![idx.root], vec![idx.name.clone()]),
                    None if d.if_exists => return Ok(()),
                    None => return Err(format!("no such index: {name}")),
                }
            }
            ObjectKind::View => match self.main_schema().view(name) {
                Some(v) => {
                    let mut names = vec![v.name.clone()];
                    // Its INSTEAD OF triggers go with it.
                    let trigs = self.main_schema().triggers_on(&v.name);
                    names.extend(trigs.into_iter().map(|x| x.name));
                    (Vec::new(), names)
                }
                None if self.main_schema().table(name).is_some() => {
                    return Err(format!("use DROP TABLE to delete table {name}"));
                }
                None if d.if_exists => return Ok(()),
                None => return Err(format!("no such view: {name}")),
            },
            ObjectKind::Trigger => match self.main_schema().trigger(name) {
                Some(t) => (Vec::new(), vec![t.name.clone()]),
                None if d.if_exists => return Ok(()),
                None => return Err(format!("no such trigger: {name}")),
            },
        };
        self.use_db(true);
        if d.kind == ObjectKind::Table {
            self.fk_drop_table(name)?;
        }
        // Largest root first: in an auto-vacuum database each Destroy may
        // move the last root into the freed slot, which must not be one of
        // the roots still to drop.
        let mut roots = roots;
        roots.sort_unstable_by(|a, b| b.cmp(a));
        roots.dedup();
        for r in roots {
            self.b.emit(Insn::Destroy { db: 0, root: r });
        }
        self.delete_schema_rows(&schema_names);
        if d.kind == ObjectKind::Table {
            self.drop_temp_triggers(name);
        }
        if let (ObjectKind::Table, Some(seq)) =
            (d.kind, self.main_schema().table("sqlite_sequence"))
        {
            if self
                .main_schema()
                .table(name)
                .is_some_and(|t| t.autoincrement)
            {
                self.delete_named_rows(seq.root, 0, &schema_names[..1]);
            }
        }
        self.change_cookie();
        Ok(())
    }

    /// Deletes the sqlite_schema rows whose `name` is one of `names`.
    pub(super) fn delete_schema_rows(&mut self, names: &[String]) {
        self.delete_named_rows(1, 1, names);
    }

    /// DROP TABLE of another database's table: the temp triggers on it go
    /// too (their sqlite_temp_schema rows, then temp's schema reloads).
    fn drop_temp_triggers(&mut self, table: &str) {
        const TEMP: usize = 1;
        let names: Vec<String> = self
            .temp_triggers_on(table)
            .into_iter()
            .map(|t| t.name)
            .collect();
        if names.is_empty() {
            return;
        }
        let cookie = self.env.schemas.get(TEMP).map_or(0, |s| s.cookie);
        self.b.emit(Insn::Transaction {
            db: TEMP,
            write: true,
            exclusive: false,
            schema_cookie: None,
        });
        self.delete_named_rows_in(TEMP, 1, 1, &names);
        self.b.emit(Insn::SetCookie {
            db: TEMP,
            idx: 1,
            value: i64::from(cookie) + 1,
        });
        self.b.emit(Insn::ParseSchema { db: TEMP });
    }

    /// Deletes the rows of the table rooted at `root` whose column `column`
    /// equals one of `names`.
    pub(super) fn delete_named_rows(&mut self, root: u32, column: usize, names: &[String]) {
        self.delete_named_rows_in(0, root, column, names);
    }

    /// [`Gen::delete_named_rows`] in database `db`.
    fn delete_named_rows_in(&mut self, db: usize, root: u32, column: usize, names: &[String]) {
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db,
            root: RootPage::Page(root),
            n_cols: column + 1,
            key_info: None,
        });
        let w = SchemaWriter { cursor };
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: w.cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let next = self.b.new_label();
        let name = self.b.alloc_reg();
        self.b.emit(Insn::Column {
            cursor: w.cursor,
            column,
            dest: name,
            default: None,
        });
        let del = self.b.new_label();
        for n in names {
            let r = self.b.alloc_reg();
            self.b.emit(Insn::String8 {
                value: Arc::from(n.as_bytes()),
                dest: r,
            });
            let flags = crate::vdbe::CmpFlags {
                affinity: crate::record::Affinity::Blob,
                jump_if_null: false,
                null_eq: false,
                store: None,
                collation: None,
            };
            self.b.emit(Insn::Compare {
                op: crate::vdbe::CmpOp::Eq,
                lhs: name,
                rhs: r,
                target: del.addr(),
                flags,
            });
        }
        self.b.emit(Insn::Goto {
            target: next.addr(),
        });
        self.b.resolve(del);
        self.b.emit(Insn::Delete {
            cursor: w.cursor,
            count_change: false,
            table: None,
        });
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor: w.cursor,
            target: top,
        });
        self.b.resolve(done);
    }
}

/// The declared type CREATE TABLE AS SELECT gives each result column: the
/// name of its affinity ("" for BLOB / none), from the column's declared
/// type or a top-level CAST.
fn ctas_types(
    sel: &crate::sql::ast::Select,
    cols: &[crate::sql::schema::Column],
) -> Vec<&'static str> {
    use crate::record::{affinity_of_decltype, Affinity};
    use crate::sql::ast::{ExprKind, ResultColumn, SelectCore};
    let casts: Vec<Option<Affinity>> = match &sel.first {
        SelectCore::Select(core) if sel.compounds.is_empty() => core
            .columns
            .iter()
            .flat_map(|rc| match rc {
                ResultColumn::Expr { expr, .. } => match &expr.kind {
                    ExprKind::Cast(_, ty) => {
                        vec![Some(affinity_of_decltype(ty.as_deref().unwrap_or("")))]
                    }
                    _ => vec![None],
                },
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let plain = sel.compounds.is_empty()
        && matches!(&sel.first, SelectCore::Select(c)
            if c.columns.iter().all(|rc| matches!(rc, ResultColumn::Expr { .. })));
    cols.iter()
        .enumerate()
        .map(|(i, c)| {
            let cast = if plain {
                casts.get(i).copied().flatten()
            } else {
                None
            };
            let aff = cast.or_else(|| c.decltype.as_deref().map(affinity_of_decltype));
            match aff {
                Some(Affinity::Text) => "TEXT",
                Some(Affinity::Numeric) => "NUM",
                Some(Affinity::Integer) => "INT",
                Some(Affinity::Real) => "REAL",
                _ => "",
            }
        })
        .collect()
}

/// The CREATE TABLE text SQLite writes for CREATE TABLE AS SELECT.
fn ctas_sql(name: &str, cols: &[crate::sql::schema::Column], types: &[&str]) -> String {
    let ident = |n: &str| {
        if super::alter_sql::needs_quotes(n) {
            format!("\"{}\"", n.replace('"', "\"\""))
        } else {
            n.to_string()
        }
    };
    // Identifier length as SQLite measures it: characters, doubled
    // quotes, plus 2 for the quotes themselves.
    let ident_len = |n: &str| n.chars().count() + n.matches('"').count() + 2;
    let mut seen: Vec<String> = Vec::new();
    for c in cols {
        let mut col = c.name.clone();
        let mut k = 0;
        while seen.iter().any(|s| s.eq_ignore_ascii_case(&col)) {
            k += 1;
            col = format!("{}:{k}", c.name);
        }
        seen.push(col);
    }
    let total: usize = ident_len(name) + seen.iter().map(|c| ident_len(c) + 5).sum::<usize>();
    let (first, sep, end) = if total < 50 {
        ("", ",", ")")
    } else {
        ("\n  ", ",\n  ", "\n)")
    };
    let mut out = format!("CREATE TABLE {}(", ident(name));
    for (i, col) in seen.iter().enumerate() {
        out.push_str(if i == 0 { first } else { sep });
        out.push_str(&ident(col));
        if let Some(t) = types.get(i).filter(|t| !t.is_empty()) {
            out.push(' ');
            out.push_str(t);
        }
    }
    out.push_str(end);
    out
}
