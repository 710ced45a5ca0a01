//! `INDEXED BY name` and `NOT INDEXED` on a FROM item or DML target.
//!
//! SQLite counterpart: `sqlite3IndexedByLookup` (select.c) and the
//! `pIBIndex` / `fg.notIndexed` checks of where.c's `whereLoopAddBtree`;
//! lang_indexedby.html.
//!
//! The planner sees a restricted copy of the table: NOT INDEXED leaves it
//! no secondary index (rowid lookups stay allowed), INDEXED BY leaves it the
//! named index only, and that index is then used even when no WHERE term
//! constrains it (a full index scan), as SQLite does.
//!
//! Invariants:
//! 1. A WITHOUT ROWID table keeps its PRIMARY KEY index (its storage): only
//!    secondary indexes are removed.
//! 2. An unknown index name is SQLite's error `no such index: name`.
//! 3. The forced index is recorded by cursor, so a table that appears twice
//!    in one statement is forced only where the clause was written.

use std::sync::Arc;

use super::planner_cost::Probe;
use super::Gen;
use crate::sql::ast::IndexedBy;
use crate::sql::schema::Table;

/// The table as the planner may use it under `indexed`, and what is forced:
/// `None` without a clause, `Some(None)` for NOT INDEXED, `Some(Some(i))`
/// for INDEXED BY (the index's position in the returned table).
pub(super) fn restrict(
    table: &Arc<Table>,
    indexed: Option<&IndexedBy>,
) -> Result<(Arc<Table>, Option<Option<usize>>), String> {
    let Some(how) = indexed else {
        return Ok((table.clone(), None));
    };
    let storage = |i: &crate::sql::schema::Index| i.root == table.root;
    let keep: Vec<_> = match how {
        IndexedBy::NotIndexed => table
            .indexes
            .iter()
            .filter(|i| storage(i))
            .cloned()
            .collect(),
        IndexedBy::Index(name) => {
            if !table
                .indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(name))
            {
                return Err(format!("no such index: {name}"));
            }
            (table.indexes.iter())
                .filter(|i| storage(i) || i.name.eq_ignore_ascii_case(name))
                .cloned()
                .collect()
        }
    };
    let forced = match how {
        IndexedBy::Index(name) => keep.iter().position(|i| i.name.eq_ignore_ascii_case(name)),
        IndexedBy::NotIndexed => None,
    };
    let forced = Some(forced);
    let mut t = (**table).clone();
    t.indexes = keep;
    Ok((Arc::new(t), forced))
}

/// Checks an INDEXED BY name on a DML target (the error SQLite gives even
/// when no loop is built).
pub(super) fn check(table: &Table, indexed: Option<&IndexedBy>) -> Result<(), String> {
    match indexed {
        Some(IndexedBy::Index(name))
            if !table
                .indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(name)) =>
        {
            Err(format!("no such index: {name}"))
        }
        _ => Ok(()),
    }
}

impl Gen<'_> {
    /// `probe` for the source on `cursor`, replaced by a full scan of the
    /// INDEXED BY index when it does not use that index already.
    pub(super) fn force_indexed_by(
        &self,
        cursor: usize,
        probe: (Probe, Option<usize>),
    ) -> (Probe, Option<usize>) {
        let Some(&(_, forced)) = self.indexed_by.iter().find(|(c, _)| *c == cursor) else {
            return probe;
        };
        let Some(idx) = forced else {
            // NOT INDEXED: no automatic index either.
            return match probe.0 {
                Probe::AutoIndex { .. } => (Probe::Scan, None),
                _ => probe,
            };
        };
        let uses = match &probe.0 {
            Probe::Index { idx: i, .. }
            | Probe::IndexIn { idx: i, .. }
            | Probe::IndexNull { idx: i }
            | Probe::IndexScan { idx: i, .. } => *i == idx,
            _ => false,
        };
        if uses {
            return probe;
        }
        (Probe::IndexScan { idx, rev: false }, None)
    }
}
