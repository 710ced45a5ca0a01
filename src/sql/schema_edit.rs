//! Editing a loaded schema in place with the rows one statement wrote to
//! or deleted from `sqlite_schema`, instead of reading every row again.
//!
//! SQLite counterpart: `OP_ParseSchema` with a WHERE clause (only the new
//! rows go through `sqlite3InitCallback`) and `OP_DropTable` /
//! `OP_DropIndex` / `OP_DropTrigger` (`sqlite3UnlinkAndDeleteTable` …),
//! which a CREATE or DROP ends with.
//!
//! Invariants:
//! 1. After [`Schema::apply_row_edits`] succeeds, the schema equals what
//!    [`Schema::from_rows_with_ids`] builds from the edited rows
//!    ([`Schema::canonical`] of both is the same; the connection checks
//!    this after every edit when `LOOM_SCHEMA_VERIFY` is set).
//! 2. Only the objects whose rows changed are touched: a view or trigger
//!    by its name, a table (with all its indexes) by its name. A table is
//!    rebuilt from the rows naming it; the `Table` itself is shared with
//!    the previous schema when its own row did not change.
//! 3. `Err` means "reload instead": the schema is then left half-edited
//!    and must be replaced by a full load. Edits that would need the
//!    statistics of `sqlite_stat1` recomputed refuse (`Err`).

use std::collections::HashSet;
use std::sync::Arc;

use super::{trigger_seq, Schema, SchemaRow, Table};

/// One change to a row of `sqlite_schema`, by rowid.
#[derive(Clone, Debug)]
pub enum RowEdit {
    /// The row `rowid` now holds this (inserted or overwritten).
    Put(i64, SchemaRow),
    /// The row `rowid` was deleted.
    Delete(i64),
}

/// Lower-case name of the statistics table (its rows feed `Schema::stat1`).
const STAT1: &str = "sqlite_stat1";

impl Schema {
    /// Applies `edits` (in order) to the rows and then to the objects they
    /// describe (module invariants).
    pub fn apply_row_edits(&mut self, edits: Vec<RowEdit>) -> Result<(), String> {
        if self.row_ids.len() != self.rows.len() || self.tables.contains_key(STAT1) {
            return Err("schema needs a reload".into());
        }
        let mut old_rows = Vec::new();
        let mut touched = Vec::new();
        for e in edits {
            match e {
                RowEdit::Put(id, row) => {
                    match self.row_ids.binary_search(&id) {
                        Ok(i) => old_rows.extend(
                            self.rows
                                .get_mut(i)
                                .map(|slot| std::mem::replace(slot, row)),
                        ),
                        Err(i) => {
                            self.row_ids.insert(i, id);
                            self.rows.insert(i, row);
                        }
                    }
                    touched.push(id);
                }
                RowEdit::Delete(id) => {
                    if let Ok(i) = self.row_ids.binary_search(&id) {
                        self.row_ids.remove(i);
                        old_rows.push(self.rows.remove(i));
                    }
                }
            }
        }
        let mut dirty = HashSet::new();
        for row in &old_rows {
            self.unlink_row(row, &mut dirty);
        }
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            let Ok(i) = self.row_ids.binary_search(&id) else {
                continue;
            };
            let Some(row) = self.rows.get(i).cloned() else {
                continue;
            };
            self.link_row(&row, id, &mut dirty);
        }
        if dirty.contains(STAT1) {
            return Err("schema needs a reload".into());
        }
        let mut dirty: Vec<String> = dirty.into_iter().collect();
        dirty.sort_unstable();
        for name in dirty {
            self.rebuild_table(&name)?;
        }
        Ok(())
    }

    /// Forgets the view or trigger `row` defined; a table or index row
    /// marks its table for rebuilding.
    fn unlink_row(&mut self, row: &SchemaRow, dirty: &mut HashSet<String>) {
        let lower = row.name.to_ascii_lowercase();
        match row.kind.as_str() {
            "view" => {
                self.views.remove(&lower);
            }
            "trigger" => {
                self.triggers.remove(&lower);
            }
            "table" => {
                dirty.insert(lower);
            }
            "index" => {
                dirty.insert(row.tbl_name.to_ascii_lowercase());
            }
            _ => {}
        }
    }

    /// Adds the view or trigger `row` (of rowid `id`) defines; a table or
    /// index row marks its table for rebuilding.
    fn link_row(&mut self, row: &SchemaRow, id: i64, dirty: &mut HashSet<String>) {
        match (row.kind.as_str(), &row.sql) {
            ("view", Some(sql)) => self.add_view(row, sql),
            ("trigger", Some(sql)) => self.add_trigger(row, sql, trigger_seq(id)),
            ("table", _) => {
                dirty.insert(row.name.to_ascii_lowercase());
            }
            ("index", _) => {
                dirty.insert(row.tbl_name.to_ascii_lowercase());
            }
            _ => {}
        }
    }

    /// Builds table `lower` (lower-case name) and its indexes again from
    /// the rows that name it, as a full load would (invariant 2).
    fn rebuild_table(&mut self, lower: &str) -> Result<(), String> {
        let old = self.tables.remove(lower);
        self.vtables.remove(lower);
        if let Some(t) = &old {
            for idx in &t.indexes {
                self.index_owner.remove(&idx.name.to_ascii_lowercase());
            }
        }
        let mine: Vec<SchemaRow> = self
            .rows
            .iter()
            .filter(|r| {
                r.tbl_name.eq_ignore_ascii_case(lower)
                    || (r.kind == "table" && r.name.eq_ignore_ascii_case(lower))
            })
            .cloned()
            .collect();
        let Some(trow) = mine
            .iter()
            .find(|r| r.kind == "table" && r.name.eq_ignore_ascii_case(lower))
        else {
            return Ok(());
        };
        let Some(sql) = &trow.sql else {
            return Ok(());
        };
        match old.filter(|t| t.root == trow.rootpage && t.sql.as_deref() == Some(sql)) {
            Some(mut t) => {
                let tm = Arc::make_mut(&mut t);
                tm.indexes.retain(|i| i.auto);
                let key = tm.name.to_ascii_lowercase();
                self.tables.insert(key, t);
            }
            None => self.add_table_from_sql(sql, trow.rootpage)?,
        }
        self.set_auto_roots(lower, &mine);
        for r in mine.iter().filter(|r| r.kind == "index") {
            if let Some(sql) = &r.sql {
                self.add_index_from_sql(sql, r.rootpage)?;
            }
        }
        Ok(())
    }

    /// Gives table `lower`'s automatic indexes the roots of their rows
    /// (an index without a row, such as a WITHOUT ROWID table's primary
    /// key, keeps the root it was built with) and registers them.
    fn set_auto_roots(&mut self, lower: &str, rows: &[SchemaRow]) {
        let Some(t) = self.tables.get_mut(lower) else {
            return;
        };
        let root_of = |idx: &super::Index| {
            rows.iter()
                .find(|r| {
                    r.kind == "index" && r.sql.is_none() && r.name.eq_ignore_ascii_case(&idx.name)
                })
                .map_or(idx.root, |r| r.rootpage)
        };
        if t.indexes.iter().any(|i| i.auto && i.root != root_of(i)) {
            let tm = Arc::make_mut(t);
            for idx in tm.indexes.iter_mut().filter(|i| i.auto) {
                idx.root = root_of(idx);
            }
        }
        let owner = t.name.to_ascii_lowercase();
        let names: Vec<String> = t
            .indexes
            .iter()
            .map(|i| i.name.to_ascii_lowercase())
            .collect();
        for n in names {
            self.index_owner.insert(n, owner.clone());
        }
    }

    /// A deterministic description of everything the schema holds (maps in
    /// key order), for comparing an edited schema with a reloaded one.
    pub fn canonical(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(out, "cookie {} temp {}", self.cookie, self.temp);
        let _ = writeln!(out, "rows {:?}\nids {:?}", self.rows, self.row_ids);
        let mut tables: Vec<(&String, &Arc<Table>)> = self.tables.iter().collect();
        tables.sort_by(|a, b| a.0.cmp(b.0));
        for (k, t) in tables {
            let _ = writeln!(out, "table {k}: {t:?}");
        }
        let sorted = |v: Vec<String>| {
            let mut v = v;
            v.sort();
            v.join("\n")
        };
        let owners = self.index_owner.iter().map(|(k, v)| format!("{k}->{v}"));
        let _ = writeln!(out, "{}", sorted(owners.collect()));
        let views = self.views.iter().map(|(k, v)| format!("view {k}: {v:?}"));
        let _ = writeln!(out, "{}", sorted(views.collect()));
        let trigs = self
            .triggers
            .iter()
            .map(|(k, v)| format!("trigger {k}: {v:?}"));
        let _ = writeln!(out, "{}", sorted(trigs.collect()));
        let vts = self.vtables.iter().map(|(k, v)| format!("vtab {k}: {v:?}"));
        let _ = writeln!(out, "{}", sorted(vts.collect()));
        let stats = self.stat1.iter().map(|(k, v)| format!("stat {k}: {v:?}"));
        let _ = writeln!(out, "{}", sorted(stats.collect()));
        out
    }
}
