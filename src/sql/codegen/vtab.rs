//! Virtual tables in FROM, CREATE VIRTUAL TABLE and DROP TABLE of one.
//!
//! SQLite counterpart: vtab.c (`sqlite3VtabBeginParse`…`FinishParse`,
//! `sqlite3VtabCallConnect`), where.c's `whereLoopAddVirtual` (building
//! `sqlite3_index_info` and reading its answer) and the OP_VFilter loop.
//!
//! Invariants:
//! 1. A virtual table's columns come from the schema its module declared;
//!    HIDDEN in a declared type hides the column from `*` and is removed
//!    from the type; a declared PRIMARY KEY is not a rowid alias.
//! 2. Only WHERE terms of the form `column OP value` (or `value OP column`)
//!    whose value is computable at this loop are offered to xBestIndex, all
//!    as usable; terms it marks `omit` are not checked again.
//! 3. A table-valued function's arguments constrain its hidden columns, in
//!    order, by equality.

use std::sync::Arc;

use super::expr::{Scope, Source};
use super::{Gen, Label};
use crate::sql::ast::{BinaryOp, CreateVirtualTable, Expr, ExprKind, Stmt};
use crate::sql::schema::{build_table, Table};
use crate::vdbe::insn_vtab::{VCreateArgs, VtabOp};
use crate::vdbe::{Insn, Reg};
use crate::vtab::{ConstraintOp, IndexConstraint, IndexInfo, VTabInstance, VTabSpec};

/// A virtual-table source of the statement being compiled.
#[derive(Clone, Debug)]
pub(crate) struct VtabSource {
    pub cursor: usize,
    pub vtab: Arc<VTabInstance>,
    pub hidden: Vec<bool>,
    /// Table-function arguments: (hidden column, value).
    pub args: Vec<(usize, Expr)>,
}

/// One constraint offered to xBestIndex: the term it came from (None for
/// a table-function argument) and the value expression.
struct Offer {
    term: Option<usize>,
    value: Expr,
}

/// Builds a table from a module's declared schema (invariant 1).
pub(crate) fn declared_table(name: &str, declared: &str) -> Result<(Table, Vec<bool>), String> {
    let parsed = crate::sql::parse_one(declared, 0).map_err(|e| e.to_string())?;
    let Some(Stmt::CreateTable(ct)) = parsed.0.map(|p| p.stmt) else {
        return Err(format!("vtable constructor did not declare schema: {name}"));
    };
    let mut t = build_table(&ct, 0, Arc::from(declared))?;
    t.name = name.to_string();
    t.ipk = None;
    t.indexes.clear();
    let mut hidden = Vec::with_capacity(t.columns.len());
    for c in &mut t.columns {
        let (ty, h) = strip_hidden(c.decltype.as_deref().unwrap_or(""));
        if h {
            c.decltype = if ty.is_empty() {
                None
            } else {
                Some(ty.clone())
            };
            c.affinity = crate::record::affinity_of_decltype(&ty);
        }
        hidden.push(h);
    }
    Ok((t, hidden))
}

/// Removes the word HIDDEN from a declared type.
fn strip_hidden(ty: &str) -> (String, bool) {
    let words: Vec<&str> = ty.split_whitespace().collect();
    if !words.iter().any(|w| w.eq_ignore_ascii_case("hidden")) {
        return (ty.to_string(), false);
    }
    let kept: Vec<&str> = words
        .into_iter()
        .filter(|w| !w.eq_ignore_ascii_case("hidden"))
        .collect();
    (kept.join(" "), true)
}

fn vtab_err(e: crate::vtab::VTabError) -> String {
    e.msg
}

impl Gen<'_> {
    /// The connected instance of virtual table `name` of main, or of the
    /// eponymous module `name` when `eponymous`.
    pub(crate) fn vtab_instance(
        &self,
        name: &str,
        eponymous: bool,
    ) -> Result<Option<Arc<VTabInstance>>, String> {
        if let Some(def) = self.main_schema().vtable(name) {
            let i = self
                .env
                .vtabs
                .instance(&spec_of(def), false)
                .map_err(vtab_err)?;
            return Ok(Some(i));
        }
        if !eponymous || self.main_schema().table(name).is_some() {
            return Ok(None);
        }
        match self.env.vtabs.module(name) {
            Some(m) if m.eponymous() => {
                let spec = VTabSpec {
                    db_name: "main".into(),
                    name: name.into(),
                    module: name.into(),
                    ..VTabSpec::default()
                };
                let i = self.env.vtabs.instance(&spec, false).map_err(vtab_err)?;
                Ok(Some(i))
            }
            _ => Ok(None),
        }
    }

    /// Opens virtual table (or table-valued function) `name` as a source;
    /// `None` when `name` is no virtual table.
    pub(crate) fn open_vtab_source(
        &mut self,
        name: &str,
        alias: Option<&str>,
        args: &[Expr],
    ) -> Result<Option<Source>, String> {
        let fn_call = !args.is_empty();
        let Some(vtab) = self.vtab_instance(name, true)? else {
            return Ok(None);
        };
        let (table, hidden) = declared_table(&vtab.name, &vtab.declared)?;
        let hidden_cols: Vec<usize> = (0..hidden.len()).filter(|&i| hidden[i]).collect();
        if args.len() > hidden_cols.len() {
            return Err(format!(
                "too many arguments on {}() - max {}",
                name,
                hidden_cols.len()
            ));
        }
        let _ = fn_call;
        let cursor = self.b.alloc_cursor();
        self.use_db(false);
        self.b.emit(Insn::Vtab(VtabOp::VOpen {
            cursor,
            vtab: vtab.clone(),
        }));
        self.vtab_cursors.push(VtabSource {
            cursor,
            vtab,
            hidden,
            args: hidden_cols.into_iter().zip(args.iter().cloned()).collect(),
        });
        Ok(Some(Source {
            table: Arc::new(table),
            name: alias.unwrap_or(name).to_string(),
            cursor,
        }))
    }

    /// True when column `col` of the source on `cursor` is HIDDEN.
    pub(crate) fn is_hidden_column(&self, cursor: usize, col: usize) -> bool {
        self.vtab_cursors
            .iter()
            .find(|v| v.cursor == cursor)
            .is_some_and(|v| v.hidden.get(col).copied().unwrap_or(false))
    }

    /// Opens the loop over virtual-table source `si` (xBestIndex at compile
    /// time, VFilter at run time); returns the loop's top address, or
    /// `None` when `si` is no virtual table.
    pub(crate) fn open_vtab_level(
        &mut self,
        si: usize,
        scope: &Scope,
        terms: &mut [(Expr, bool)],
        avail: &dyn Fn(usize) -> bool,
        exit: Label,
    ) -> Result<Option<usize>, String> {
        let cursor = scope.sources[si].cursor;
        let Some(v) = self
            .vtab_cursors
            .iter()
            .find(|v| v.cursor == cursor)
            .cloned()
        else {
            return Ok(None);
        };
        let mut offers = Vec::new();
        let mut constraints = Vec::new();
        for (col, e) in &v.args {
            constraints.push(constraint(*col as i32, ConstraintOp::Eq));
            offers.push(Offer {
                term: None,
                value: e.clone(),
            });
        }
        for (ti, (t, used)) in terms.iter().enumerate() {
            if *used {
                continue;
            }
            if let Some((col, op, value)) = self.vtab_term(t, si, scope, avail)? {
                constraints.push(constraint(col, op));
                offers.push(Offer {
                    term: Some(ti),
                    value,
                });
            }
        }
        let mut info = IndexInfo::new(constraints, Vec::new());
        v.vtab.vtab.best_index(&mut info).map_err(vtab_err)?;
        let plan = info.filter_args().map_err(vtab_err)?;
        let n_args = plan.len();
        let args: Reg = self.b.alloc_regs(n_args.max(1));
        for (k, (ci, omit)) in plan.iter().enumerate() {
            let Some(o) = offers.get(*ci) else { continue };
            self.expr_into(&o.value, scope, args + k)?;
            if let (true, Some(ti)) = (*omit, o.term) {
                if let Some(t) = terms.get_mut(ti) {
                    t.1 = true;
                }
            }
        }
        // Table-function arguments the module did not take are errors in
        // SQLite only when unusable; loom checks them as equality terms.
        let name = scope.sources[si].name.clone();
        let idx = info.idx_str.clone().unwrap_or_default();
        let idx_num = info.idx_num;
        self.eqp
            .add(|| format!("SCAN {name} VIRTUAL TABLE INDEX {idx_num}:{idx}"));
        self.b.emit(Insn::Vtab(VtabOp::VFilter {
            cursor,
            idx_num: info.idx_num,
            idx_str: info.idx_str.clone(),
            args,
            n_args,
            if_empty: exit.addr(),
        }));
        Ok(Some(self.b.here()))
    }

    /// `column OP value` (either way round) on source `si` (invariant 2).
    fn vtab_term(
        &self,
        t: &Expr,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Option<(i32, ConstraintOp, Expr)>, String> {
        if let ExprKind::Like {
            op,
            negated: false,
            expr,
            pattern,
            escape: None,
        } = &t.kind
        {
            // `column MATCH value` (also LIKE, GLOB, REGEXP), column on
            // the left as SQLite offers them.
            let op = match op {
                crate::sql::ast::LikeOp::Match => ConstraintOp::Match,
                crate::sql::ast::LikeOp::Like => ConstraintOp::Like,
                crate::sql::ast::LikeOp::Glob => ConstraintOp::Glob,
                crate::sql::ast::LikeOp::Regexp => ConstraintOp::Regexp,
            };
            return self.vtab_side(expr, pattern, op, si, scope, avail);
        }
        let ExprKind::Binary(op, l, r) = &t.kind else {
            return Ok(None);
        };
        let op = match op {
            BinaryOp::Eq => ConstraintOp::Eq,
            BinaryOp::Lt => ConstraintOp::Lt,
            BinaryOp::Le => ConstraintOp::Le,
            BinaryOp::Gt => ConstraintOp::Gt,
            BinaryOp::Ge => ConstraintOp::Ge,
            BinaryOp::Ne => ConstraintOp::Ne,
            BinaryOp::Is => ConstraintOp::Is,
            BinaryOp::IsNot => ConstraintOp::IsNot,
            _ => return Ok(None),
        };
        for (c, value, op) in [(l, r, op), (r, l, op.commuted())] {
            if let Some(found) = self.vtab_side(c, value, op, si, scope, avail)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// `c OP value` when `c` is a column of source `si` and `value` can be
    /// computed before the scan.
    fn vtab_side(
        &self,
        c: &Expr,
        value: &Expr,
        op: ConstraintOp,
        si: usize,
        scope: &Scope,
        avail: &dyn Fn(usize) -> bool,
    ) -> Result<Option<(i32, ConstraintOp, Expr)>, String> {
        let ExprKind::Column { table, column, .. } = &c.kind else {
            return Ok(None);
        };
        let Some((s, col)) = self.resolve_column(scope, table.as_deref(), column)? else {
            return Ok(None);
        };
        if s != si || self.refs_source(value, scope, si)? {
            return Ok(None);
        }
        if self.computable(value, scope, avail)? {
            let col = col.map_or(-1, |c| c as i32);
            return Ok(Some((col, op, value.clone())));
        }
        Ok(None)
    }

    /// True when `e` names a column of source `si`.
    fn refs_source(&self, e: &Expr, scope: &Scope, si: usize) -> Result<bool, String> {
        let mut found = false;
        let mut err = None;
        super::walk_expr(e, &mut |x| {
            if let ExprKind::Column { table, column, .. } = &x.kind {
                match self.resolve_column(scope, table.as_deref(), column) {
                    Ok(Some((s, _))) if s == si => found = true,
                    Ok(_) => {}
                    Err(e) => err = Some(e),
                }
            }
        });
        err.map_or(Ok(found), Err)
    }

    /// CREATE VIRTUAL TABLE: the sqlite_schema row (rootpage 0, the text
    /// verbatim), then xCreate.
    pub(super) fn create_vtable(&mut self, cv: &CreateVirtualTable) -> Result<(), String> {
        if cv
            .name
            .schema
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err("attached schemas are not supported by loom yet".into());
        }
        let name = &cv.name.name;
        if cv.if_not_exists && self.main_schema().name_in_use(name) {
            return Ok(());
        }
        self.check_new_name(name, "table")?;
        match self.env.vtabs.module(&cv.module) {
            None => return Err(format!("no such module: {}", cv.module)),
            Some(m) if m.eponymous_only() => {
                return Err(format!("no such module: {}", cv.module));
            }
            Some(_) => {}
        }
        self.use_db(true);
        let root = self.b.alloc_reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: root,
        });
        let w = self.open_schema_writer();
        self.schema_row(&w, "table", name, name, root, Some(&cv.sql));
        self.change_cookie();
        let spec = VTabSpec {
            db: 0,
            db_name: "main".into(),
            name: name.clone(),
            module: cv.module.clone(),
            args: cv.args.clone(),
            sql: cv.sql.clone(),
        };
        let registry = self.env.vtabs.clone();
        let op = VtabOp::VCreate(Box::new(VCreateArgs { registry, spec }));
        self.b.emit(Insn::Vtab(op));
        Ok(())
    }

    /// DROP TABLE of a virtual table: xDestroy, then the schema row.
    pub(super) fn drop_vtable(&mut self, name: &str) -> Result<(), String> {
        let Some(def) = self.main_schema().vtable(name).cloned() else {
            return Err(format!("no such table: {name}"));
        };
        self.use_db(true);
        let registry = self.env.vtabs.clone();
        let spec = spec_of(&def);
        let op = VtabOp::VDestroy(Box::new(VCreateArgs { registry, spec }));
        self.b.emit(Insn::Vtab(op));
        self.delete_schema_rows(std::slice::from_ref(&def.name));
        self.change_cookie();
        Ok(())
    }
}

/// The registry key of a virtual table of main.
fn spec_of(def: &crate::sql::schema::VTableDef) -> VTabSpec {
    VTabSpec {
        db: 0,
        db_name: "main".into(),
        name: def.name.clone(),
        module: def.module.clone(),
        args: def.args.clone(),
        sql: def.sql.clone(),
    }
}

fn constraint(column: i32, op: ConstraintOp) -> IndexConstraint {
    IndexConstraint {
        column,
        op,
        usable: true,
        collation: "BINARY".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_schema_hides_columns_and_drops_rowid_alias() {
        let (t, hidden) = declared_table(
            "s",
            "CREATE TABLE x(value INTEGER PRIMARY KEY, start HIDDEN, stop integer hidden)",
        )
        .unwrap();
        assert_eq!(t.name, "s");
        assert_eq!(hidden, vec![false, true, true]);
        assert_eq!(t.ipk, None);
        assert_eq!(t.columns[1].decltype, None);
        assert_eq!(t.columns[2].decltype.as_deref(), Some("integer"));
        let e = declared_table("s", "SELECT 1").unwrap_err();
        assert_eq!(e, "vtable constructor did not declare schema: s");
    }
}
