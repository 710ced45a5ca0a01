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
        let set = self.b.alloc_reg();
        self.b.emit(Insn::Null {
            dest: set,
            count: 1,
        });
        let keys = self.wr_keys_open(tg.table)?;
        let eph = self.limited_select(tg, &[], at)?;
        self.limited_drain(tg.table, eph, |g, v| match keys {
            Some(k) => {
                g.wr_keys_add(k, v);
            }
            None => {
                g.b.emit(Insn::RowSetAdd { set, value: v });
            }
        });
        if let Some(k) = keys {
            self.wr_keys_drain(k, set);
        }
        Ok(set)
    }

    /// Runs `SELECT <row identity> FROM t, <extra> WHERE .. [GROUP BY
    /// <row identity>] ORDER BY .. LIMIT ..` into a new ephemeral table and
    /// returns its cursor. The row identity is the rowid, or the PRIMARY
    /// KEY columns of a WITHOUT ROWID table; GROUP BY is added when
    /// `extra` (an UPDATE's FROM list) is not empty, so each target row is
    /// counted once, as SQLite's `updateFromSelect` does.
    pub(super) fn limited_select(
        &mut self,
        tg: &LimitedTarget,
        extra: &[FromItem],
        at: &Expr,
    ) -> Result<usize, String> {
        let t = tg.table;
        let name = tg.alias.unwrap_or(&t.name).to_string();
        let ident: Vec<Expr> = match t.without_rowid {
            true => crate::sql::schema_wr::pk_columns(t)
                .into_iter()
                .filter_map(|c| t.columns.get(c))
                .map(|c| column_ref(&name, &c.name, at))
                .collect(),
            false => vec![column_ref(&name, rowid_name(t), at)],
        };
        let mut items = vec![FromItem {
            join: None,
            source: crate::sql::ast::TableSource::Table(QualifiedName {
                schema: None,
                name: t.name.clone(),
            }),
            alias: tg.alias.map(str::to_string),
            indexed: tg.indexed.cloned(),
            constraint: None,
        }];
        items.extend(extra.iter().cloned());
        let core = SimpleSelect {
            distinct: false,
            columns: ident
                .iter()
                .map(|e| ResultColumn::Expr {
                    expr: e.clone(),
                    alias: None,
                    span_name: String::new(),
                })
                .collect(),
            from: Some(FromClause { items }),
            where_: tg.where_.cloned(),
            group_by: if extra.is_empty() {
                Vec::new()
            } else {
                ident.clone()
            },
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
            n_cols: ident.len(),
            key_info: None,
        });
        let saved_cols = std::mem::take(&mut self.b.columns);
        let r = self.select(&sel, &Dest::EphTable { cursor: eph });
        self.b.columns = saved_cols;
        r?;
        Ok(eph)
    }

    /// Loops over the rows of `eph` (from [`Gen::limited_select`]) and
    /// hands `each` a register with the row's identity: the rowid, or the
    /// key blob of a WITHOUT ROWID row.
    pub(super) fn limited_drain(
        &mut self,
        t: &Table,
        eph: usize,
        mut each: impl FnMut(&mut Self, Reg),
    ) {
        let n = match t.without_rowid {
            true => crate::sql::schema_wr::pk_columns(t).len(),
            false => 1,
        };
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let v = self.b.alloc_regs(n.max(1));
        for i in 0..n {
            self.b.emit(Insn::Column {
                cursor: eph,
                column: i,
                dest: v + i,
                default: None,
            });
        }
        let id = match t.without_rowid {
            true => {
                let key = self.b.alloc_reg();
                self.b.emit(Insn::MakeRecord {
                    start: v,
                    count: n,
                    dest: key,
                    affinities: None,
                });
                key
            }
            false => v,
        };
        each(self, id);
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
    }
}
