//! UPDATE ... FROM: an UPDATE whose SET and WHERE see other tables.
//!
//! SQLite counterpart: `updateFromSelect` (update.c). The target table is
//! joined with the FROM list under the WHERE clause; each target row that
//! joins at least once is updated once, with the values of the last join
//! row found for it (SQLite calls the choice arbitrary; its ephemeral
//! table keeps the last one, and so does this).
//!
//! First pass: the join runs into an ephemeral table keyed by the target's
//! rowid, each record holding every column of every FROM source. Second
//! pass: for each entry, in rowid order, the FROM row is loaded into
//! registers that back the FROM sources' names, and the row is updated as
//! a plain UPDATE's.
//!
//! Invariants:
//! 1. The target's name or alias may not name a FROM item
//!    (`target object/alias may not appear in FROM clause: t`).
//! 2. No target row changes during the first pass.
//! 3. With ORDER BY/LIMIT, the rows to change are first chosen by
//!    `SELECT <target identity> FROM target, <FROM> WHERE .. GROUP BY
//!    <target identity> ORDER BY .. LIMIT ..` (SQLite's `updateFromSelect`
//!    groups the same way); the join pass then skips the others.
//! 4. For a WITHOUT ROWID target the ephemeral table is itself keyed like
//!    the target's PRIMARY KEY: its records are the key columns followed
//!    by the FROM columns, and a later join row replaces an earlier one.

use super::dml_limit::{column_ref, rowid_name};
use super::expr::Source;
use super::modify::UpdateCtx;
use super::Gen;
use crate::sql::ast::{FromClause, FromItem, JoinOperator, QualifiedName, TableSource, Update};
use crate::vdbe::{Insn, Reg};

impl Gen<'_> {
    /// UPDATE with a FROM clause.
    pub(super) fn update_from(&mut self, u: &Update) -> Result<(), String> {
        let Some(from) = &u.from else {
            return self.update(u);
        };
        let t = self.table(&u.table.name)?;
        super::dml_limit::check_order_limit(&u.order_by, u.limit.as_ref(), "UPDATE")?;
        let name = u.alias.clone().unwrap_or_else(|| t.name.clone());
        for item in &from.items {
            let item_name = match (&item.alias, &item.source) {
                (Some(a), _) => Some(a.as_str()),
                (None, TableSource::Table(q)) => Some(q.name.as_str()),
                _ => None,
            };
            if item_name.is_some_and(|n| n.eq_ignore_ascii_case(&name)) {
                return Err(format!(
                    "target object/alias may not appear in FROM clause: {name}"
                ));
            }
        }
        let assignments = self.resolve_sets(&t, &u.sets)?;
        self.use_db(true);
        let returning = self.returning_begin(&t, &u.returning)?;
        let (eph, sources) = self.join_into_ephemeral(u, from, &name)?;
        let mut cur = self.open_write_cursors(&t)?;
        cur.returning = returning;
        let width: usize = sources.iter().map(|s| s.table.columns.len()).sum();
        let npk = pk_width(&t);
        let old_rowid = self.b.alloc_reg();
        let done = self.b.new_label();
        let next = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor: eph,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        self.b.emit(Insn::Rowid {
            cursor: eph,
            dest: old_rowid,
        });
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid: old_rowid,
            not_found: next.addr(),
        });
        let regs = self.b.alloc_regs(width.max(1));
        for i in 0..width {
            self.b.emit(Insn::Column {
                cursor: eph,
                column: npk + i,
                dest: regs + i,
                default: None,
            });
        }
        let ctx = UpdateCtx {
            name,
            conflict: u.or_conflict,
            extra: self.row_sources_of_from(&sources, regs),
        };
        self.update_row(&t, &ctx, &cur, &assignments, old_rowid, next.addr())?;
        self.b.resolve(next);
        self.b.emit(Insn::Next {
            cursor: eph,
            target: top,
        });
        self.b.resolve(done);
        self.returning_end(cur.returning);
        Ok(())
    }

    /// First pass: `target JOIN from WHERE ..` into an ephemeral table
    /// keyed by the target's rowid (a later join row replaces an earlier
    /// one). Returns the table's cursor and the FROM sources.
    fn join_into_ephemeral(
        &mut self,
        u: &Update,
        from: &FromClause,
        name: &str,
    ) -> Result<(usize, Vec<Source>), String> {
        let t = self.table(&u.table.name)?;
        let chosen = self.update_from_chosen(u, from, &t)?;
        let eph = self.b.alloc_cursor();
        let open_at = self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            n_cols: 0,
            key_info: self.table_key_info(&t)?,
        });
        let npk = pk_width(&t);
        if npk > 0 {
            self.b.emit(Insn::WithoutRowid {
                cursor: eph,
                layout: std::sync::Arc::new(crate::vdbe::WrLayout {
                    storage: Vec::new(),
                    pk: (0..npk).collect(),
                }),
            });
        }
        let target = FromItem {
            join: None,
            source: TableSource::Table(QualifiedName {
                schema: None,
                name: t.name.clone(),
            }),
            alias: u.alias.clone(),
            indexed: u.indexed.clone(),
            constraint: None,
        };
        let comma = Some(JoinOperator {
            comma: true,
            natural: false,
            left: false,
            right: false,
            cross: false,
        });
        // SQLite joins the target with the FROM list as a whole; with a
        // RIGHT/FULL join in it the target must come last to keep that.
        let target_last = from.items.iter().any(|it| it.join.is_some_and(|j| j.right));
        let mut items = Vec::new();
        if !target_last {
            items.push(target.clone());
        }
        for (i, item) in from.items.iter().enumerate() {
            let mut item = item.clone();
            if i == 0 && !target_last {
                item.join = comma;
            }
            items.push(item);
        }
        if target_last {
            items.push(FromItem {
                join: comma,
                ..target
            });
        }
        let joined = FromClause { items };
        let scope = self.open_sources(Some(&joined))?;
        let sources: Vec<Source> = match target_last {
            true => scope
                .sources
                .iter()
                .take(from.items.len())
                .cloned()
                .collect(),
            false => scope.sources.iter().skip(1).cloned().collect(),
        };
        let lp = self.begin_loops(&scope, u.where_.as_ref(), Some(&joined))?;
        let at = u
            .sets
            .first()
            .map(|s| s.expr.clone())
            .ok_or("no SET clause")?;
        let key = self.b.alloc_reg();
        let width: usize = npk + sources.iter().map(|s| s.table.columns.len()).sum::<usize>();
        let row = self.b.alloc_regs(width.max(1));
        if npk == 0 {
            self.expr_into(&column_ref(name, rowid_name(&t), &at), &scope, key)?;
        } else {
            let pk = crate::sql::schema_wr::pk_columns(&t);
            for (k, c) in pk.iter().filter_map(|&c| t.columns.get(c)).enumerate() {
                self.expr_into(&column_ref(name, &c.name, &at), &scope, row + k)?;
            }
            self.b.emit(Insn::MakeRecord {
                start: row,
                count: npk,
                dest: key,
                affinities: None,
            });
        }
        if let Some(ch) = chosen {
            self.b.emit(Insn::NotExists {
                cursor: ch,
                rowid: key,
                not_found: lp.cont.addr(),
            });
        }
        let mut k = npk;
        for s in &sources {
            for c in &s.table.columns {
                self.expr_into(&column_ref(&s.name, &c.name, &at), &scope, row + k)?;
                k += 1;
            }
        }
        let rec = self.b.alloc_reg();
        self.b.emit(Insn::MakeRecord {
            start: row,
            count: width,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::Insert {
            cursor: eph,
            record: rec,
            rowid: key,
            flags: Default::default(),
        });
        self.end_loops(lp);
        if let Some(Insn::OpenEphemeral { n_cols, .. }) = self.b.insn_mut(open_at) {
            *n_cols = width;
        }
        Ok((eph, sources))
    }

    /// With ORDER BY/LIMIT (invariant 3): an ephemeral table holding the
    /// identities of the target rows to change, keyed so `NotExists` finds
    /// them (an integer-keyed table, or an index marked like the target's
    /// PRIMARY KEY). `None` without ORDER BY/LIMIT.
    fn update_from_chosen(
        &mut self,
        u: &Update,
        from: &FromClause,
        t: &std::sync::Arc<crate::sql::schema::Table>,
    ) -> Result<Option<usize>, String> {
        let at = u.limit.as_ref().map(|l| &l.limit);
        let Some(at) = at.or_else(|| u.order_by.first().map(|o| &o.expr)) else {
            return Ok(None);
        };
        let mut extra = from.items.clone();
        if let Some(first) = extra.first_mut() {
            first.join = Some(JoinOperator {
                comma: true,
                natural: false,
                left: false,
                right: false,
                cross: false,
            });
        }
        let tg = super::dml_limit::LimitedTarget {
            table: t,
            alias: u.alias.as_deref(),
            indexed: u.indexed.as_ref(),
            where_: u.where_.as_ref(),
            order_by: &u.order_by,
            limit: u.limit.as_ref(),
        };
        let sel = self.limited_select(&tg, &extra, at)?;
        let chosen = match self.wr_keys_open(t)? {
            Some(k) => k,
            None => {
                let c = self.b.alloc_cursor();
                self.b.emit(Insn::OpenEphemeral {
                    cursor: c,
                    n_cols: 0,
                    key_info: None,
                });
                c
            }
        };
        let wr = t.without_rowid;
        self.limited_drain(t, sel, |g, id| {
            if wr {
                g.wr_keys_add(chosen, id);
            } else {
                let rec = g.b.alloc_reg();
                g.b.emit(Insn::Null {
                    dest: rec,
                    count: 1,
                });
                g.b.emit(Insn::MakeRecord {
                    start: rec,
                    count: 0,
                    dest: rec,
                    affinities: None,
                });
                g.b.emit(Insn::Insert {
                    cursor: chosen,
                    record: rec,
                    rowid: id,
                    flags: Default::default(),
                });
            }
        });
        Ok(Some(chosen))
    }

    /// The FROM sources as register-backed rows over `regs` (their columns
    /// in order, source after source), for the second pass's scope.
    fn row_sources_of_from(
        &mut self,
        sources: &[Source],
        regs: Reg,
    ) -> Vec<(Source, Vec<Reg>, Reg)> {
        let mut out = Vec::new();
        let mut k = regs;
        for s in sources {
            let n = s.table.columns.len();
            let rowid = self.b.alloc_reg();
            self.b.emit(Insn::Null {
                dest: rowid,
                count: 1,
            });
            let src = Source {
                cursor: self.b.alloc_cursor(),
                ..s.clone()
            };
            out.push((src, (k..k + n).collect(), rowid));
            k += n;
        }
        out
    }
}

/// Number of leading PRIMARY KEY fields in the first pass's records: the
/// key columns of a WITHOUT ROWID target, none for a rowid table.
fn pk_width(t: &crate::sql::schema::Table) -> usize {
    match t.without_rowid {
        true => crate::sql::schema_wr::pk_columns(t).len(),
        false => 0,
    }
}
