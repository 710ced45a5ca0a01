//! WITH before INSERT/UPDATE/DELETE, and ORDER BY/LIMIT/OFFSET on UPDATE
//! and DELETE (SQLITE_ENABLE_UPDATE_DELETE_LIMIT, on in Debian's build).
//!
//! SQLite counterpart: `sqlite3WithPush` for DML and `sqlite3LimitWhere`
//! (delete.c), which turns `... WHERE w ORDER BY o LIMIT l` into
//! `WHERE rowid IN (SELECT rowid FROM t WHERE w ORDER BY o LIMIT l)`.
//!
//! Here the first pass of a limited UPDATE/DELETE runs that SELECT into an
//! ephemeral table and moves its rowids into the statement's RowSet, so
//! the second pass is the unlimited one's.
//!
//! Invariants:
//! 1. The CTEs of a DML statement's WITH are visible to every SELECT the
//!    statement runs (its source, WHERE subqueries, SET expressions) and
//!    are dropped when the statement is compiled.
//! 2. ORDER BY without LIMIT is refused as SQLite does
//!    (`ORDER BY without LIMIT on UPDATE`).
//! 3. The rows changed are those the SELECT returns; they are changed in
//!    rowid order.

use std::sync::Arc;

use super::select::Dest;
use super::Gen;
use crate::sql::ast::{
    Expr, ExprKind, FromClause, FromItem, IndexedBy, Limit, OrderingTerm, QualifiedName,
    ResultColumn, Select, SelectCore, SimpleSelect, With,
};
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

/// The name that reads a table's rowid (`rowid`, `_rowid_` or `oid`,
/// whichever no column shadows).
pub(super) fn rowid_name(t: &Table) -> &'static str {
    ["rowid", "_rowid_", "oid"]
        .into_iter()
        .find(|n| t.column_index(n).is_none())
        .unwrap_or("rowid")
}

/// Refuses ORDER BY without LIMIT, as SQLite's parser does.
pub(super) fn check_order_limit(
    order_by: &[OrderingTerm],
    limit: Option<&Limit>,
    verb: &str,
) -> Result<(), String> {
    if !order_by.is_empty() && limit.is_none() {
        return Err(format!("ORDER BY without LIMIT on {verb}"));
    }
    Ok(())
}

/// A column reference `table.column`.
pub(super) fn column_ref(table: &str, column: &str, at: &Expr) -> Expr {
    Expr {
        kind: ExprKind::Column {
            schema: None,
            table: Some(table.to_string()),
            column: column.to_string(),
            double_quoted: false,
        },
        span: at.span,
        height: 1,
    }
}

/// What the first pass of a limited UPDATE/DELETE selects.
pub(super) struct LimitedTarget<'a> {
    pub table: &'a Arc<Table>,
    pub alias: Option<&'a str>,
    pub indexed: Option<&'a IndexedBy>,
    pub where_: Option<&'a Expr>,
    pub order_by: &'a [OrderingTerm],
    pub limit: Option<&'a Limit>,
}

impl Gen<'_> {
    /// Compiles `body` with `with`'s CTEs in scope.
    pub(super) fn with_ctes(
        &mut self,
        with: Option<&With>,
        body: impl FnOnce(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        let depth = self.ctes.len();
        if let Some(w) = with {
            self.ctes.extend(w.ctes.iter().cloned());
        }
        let r = body(self);
        self.ctes.truncate(depth);
        r
    }

    /// First pass of an UPDATE/DELETE: the rowids of the rows it changes,
    /// in a RowSet register.
    pub(super) fn target_rowids(&mut self, tg: &LimitedTarget) -> Result<Reg, String> {
        let at = tg
            .limit
            .map(|l| &l.limit)
            .or_else(|| tg.order_by.first().map(|o| &o.expr));
        let Some(at) = at else {
            return self.collect_rowids(tg.table, tg.alias, tg.where_, tg.indexed);
        };
        if tg.table.without_rowid {
            return Err(
                "ORDER BY and LIMIT on a WITHOUT ROWID table are not supported by loom yet".into(),
            );
        }
        let set = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: set,
            count: 1,
        });
        self.limited_rowids(tg, set, at)?;
        Ok(set)
    }

    /// `SELECT rowid FROM t WHERE .. ORDER BY .. LIMIT ..` into RowSet `set`.
    fn limited_rowids(&mut self, tg: &LimitedTarget, set: Reg, at: &Expr) -> Result<(), String> {
        let t = tg.table;
        let name = tg.alias.unwrap_or(&t.name).to_string();
        let core = SimpleSelect {
            distinct: false,
            columns: vec![ResultColumn::Expr {
                expr: column_ref(&name, rowid_name(t), at),
                alias: None,
                span_name: String::new(),
            }],
            from: Some(FromClause {
                items: vec![FromItem {
                    join: None,
                    source: crate::sql::ast::TableSource::Table(QualifiedName {
                        schema: None,
                        name: t.name.clone(),
                    }),
                    alias: tg.alias.map(str::to_string),
                    indexed: tg.indexed.cloned(),
                    constraint: None,
                }],
            }),
            where_: tg.where_.cloned(),
            group_by: Vec::new(),
            having: None,
            windows: Vec::new(),
        };
        let sel = Select {
            with: None,
            first: SelectCore::Select(Box::new(core)),
            compounds: Vec::new(),
            order_by: tg.order_by.to_vec(),
            limit: tg.limit.cloned(),
            span: at.span,
        };
        let eph = self.b.alloc_cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: 1,
            key_info: None,
        });
        let saved_cols = std::mem::take(&mut self.b.columns);
        let r = self.select(&sel, &Dest::EphTable { cursor: eph });
        self.b.columns = saved_cols;
        r?;
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let v = self.b.alloc_reg();
        self.b.emit(Insn::Column {
            cursor: eph,
            column: 0,
            dest: v,
            default: None,
        });
        self.b.emit(Insn::RowSetAdd { set, value: v });
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }
}
