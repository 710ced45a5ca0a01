//! REINDEX: rebuild indexes from their tables.
//!
//! SQLite counterpart: `sqlite3Reindex` and `reindexDatabases` (build.c).
//!
//! `REINDEX` rebuilds every index; `REINDEX name` rebuilds the indexes
//! using collation `name` if one by that name exists (unqualified names
//! only), else every index of table `name`, else index `name`; anything
//! else is `unable to identify the object to be reindexed`.
//!
//! A name qualified with another database is routed to it
//! (codegen/attach.rs); an unqualified one names main's objects only (as
//! in SQLite 3.40); plain `REINDEX` and `REINDEX collation` rebuild the
//! main database's indexes.
//!
//! Invariants:
//! 1. A rebuilt index is emptied (`Clear`) and refilled from its table as
//!    CREATE INDEX fills a new one; UNIQUE violations fail the statement.
//! 2. The change counters are not touched.
//! 3. The PRIMARY KEY of a WITHOUT ROWID table is its table b-tree, already
//!    in key order: REINDEX leaves it alone (clearing it would lose rows).

use super::Gen;
use crate::sql::ast::QualifiedName;
use crate::sql::schema::{Index, Table};
use crate::vdbe::Insn;
use std::sync::Arc;

impl Gen<'_> {
    /// REINDEX [name].
    pub(super) fn reindex(&mut self, name: Option<&QualifiedName>) -> Result<(), String> {
        let tables = self.main_schema().tables();
        let all = |f: &dyn Fn(&Table, &Index) -> bool| -> Vec<(Arc<Table>, Index)> {
            tables
                .iter()
                .flat_map(|t| {
                    // A WITHOUT ROWID table's PRIMARY KEY index is the
                    // table b-tree itself: never cleared (invariant 3).
                    t.indexes
                        .iter()
                        .filter(|i| !(t.without_rowid && i.root == t.root))
                        .filter(|i| f(t, i))
                        .map(move |i| (t.clone(), i.clone()))
                })
                .collect()
        };
        let targets = match name {
            None => all(&|_, _| true),
            Some(q) => {
                let n = q.name.as_str();
                if q.schema.is_none() && self.collation(n).is_ok() {
                    all(&|_, i| {
                        i.columns
                            .iter()
                            .any(|c| c.collation.eq_ignore_ascii_case(n))
                    })
                } else if tables.iter().any(|t| t.name.eq_ignore_ascii_case(n)) {
                    all(&|t, _| t.name.eq_ignore_ascii_case(n))
                } else {
                    let found = all(&|_, i| i.name.eq_ignore_ascii_case(n));
                    if found.is_empty() {
                        return Err("unable to identify the object to be reindexed".into());
                    }
                    found
                }
            }
        };
        if targets.is_empty() {
            return Ok(());
        }
        self.use_db(true);
        for (t, idx) in targets {
            self.b.emit(Insn::Clear {
                db: 0,
                root: idx.root,
                count_change: false,
            });
            let root = self.b.alloc_reg();
            self.b.emit(Insn::Integer {
                value: i64::from(idx.root),
                dest: root,
            });
            self.fill_index(&t, &idx, root)?;
        }
        Ok(())
    }
}
