//! ANALYZE: gather index statistics into `sqlite_stat1`.
//!
//! SQLite counterpart: analyze.c (`sqlite3Analyze`, `analyzeDatabase`,
//! `analyzeTable`, `analyzeOneTable`, `openStatTable`) for the stat1 part
//! (this build, like Debian's SQLite, has no STAT4).
//!
//! `ANALYZE` covers every table of every database but temp; `ANALYZE db`
//! (`main`, `temp` or an attached name) every table of that database;
//! `ANALYZE [db.]name` index `name`, else table `name` (a view is a silent
//! no-op, anything else `no such table: [db.]name`). Each database gets
//! its own `sqlite_stat1`.
//!
//! `sqlite_stat1` row layout (fileformat2.html, "The sqlite_stat1 table"):
//!
//! | column | value                                                      |
//! |--------|------------------------------------------------------------|
//! | tbl    | the table's name as stored in `sqlite_schema`              |
//! | idx    | the index's name; NULL for the table's own row-count row   |
//! | stat   | TEXT: `N a1 a2 ... ak` (N entries, ai = avg rows per prefix)|
//!
//! Invariants:
//! 1. `sqlite_stat1` is created on first use by the same statement, with
//!    the text `CREATE TABLE sqlite_stat1(tbl,idx,stat)` (SQLite's).
//! 2. Old rows of what is analyzed are removed first: all rows for the
//!    whole database, `tbl = name` for a table, `idx = name` for an index.
//! 3. An index gets a row only when it has entries; N is its entry count
//!    (a partial index counts its own entries) and, for each of its k key
//!    columns (never the appended rowid/PRIMARY KEY suffix), with D the
//!    number of distinct prefixes (NULLs equal, the column's collation),
//!    ai = (N + D - 1) / D, lowered to 1 when it is 2 and 10*N <= 11*D.
//! 4. A non-empty table gets an `idx = NULL` row with its row count only
//!    when it has no index other than partial ones (and only when the
//!    table, not one index, is analyzed).
//! 5. The PRIMARY KEY of a WITHOUT ROWID table is listed under the
//!    table's name (as SQLite does), not its `sqlite_autoindex_*` name.
//! 6. Tables named `sqlite_*`, views and virtual tables get no rows.
//! 7. An unqualified name is looked up as an index, then as a table, in
//!    temp, main and then attached databases (SQLite's order); the rows go
//!    to the `sqlite_stat1` of the object's own database.
//! 8. A statement that analyzed something ends with `ParseSchema`, so the
//!    next statement is planned with the new statistics.

use std::sync::Arc;

use super::Gen;
use crate::btree::TreeKind;
use crate::record::Affinity;
use crate::sql::ast::QualifiedName;
use crate::sql::schema::{Index, Table};
use crate::sql::Schema;
use crate::vdbe::{ArithOp, CmpFlags, CmpOp, InsertFlags, Insn, Reg, RootPage};

/// The definition SQLite stores for the statistics table.
pub(crate) const STAT1_SQL: &str = "CREATE TABLE sqlite_stat1(tbl,idx,stat)";

/// Index of the temp database.
const TEMP_DB: usize = 1;

/// What one ANALYZE statement covers in one database.
enum Target {
    /// Every table of the database.
    All,
    /// One table, all of its indexes.
    Table(Arc<Table>),
    /// One index of a table.
    Index(Arc<Table>, Box<Index>),
    /// An internal `sqlite_*` table: the stat table is created, no rows.
    Internal,
    /// A view or virtual table: nothing at all.
    Nothing,
}

/// Where `sqlite_stat1` lives while the statement runs.
struct StatTable {
    cursor: usize,
}

impl Gen<'_> {
    /// ANALYZE [[schema.]name].
    pub(super) fn analyze(&mut self, name: Option<&QualifiedName>) -> Result<(), String> {
        let work: Vec<(usize, Target)> = match name {
            // Every database but temp (invariant 7).
            None => (0..self.env.schemas.len())
                .filter(|&d| d != TEMP_DB)
                .map(|d| (d, Target::All))
                .collect(),
            Some(q) => vec![self.analyze_target(q)?],
        };
        let mut wrote = false;
        for (db, target) in work {
            wrote |= self.analyze_db(db, target)?;
        }
        if wrote {
            // Reload the schema and with it the statistics (invariant 8).
            self.b.emit(Insn::ParseSchema { db: 0 });
        }
        Ok(())
    }

    /// Emits the ANALYZE of `target` in database `db`: coded against
    /// database 0, then the section's database operands are retargeted.
    fn analyze_db(&mut self, db: usize, target: Target) -> Result<bool, String> {
        let Some(schema) = self.env.schemas.get(db).cloned() else {
            return Ok(false);
        };
        let tables: Vec<(Arc<Table>, Option<Index>)> = match &target {
            Target::Nothing => return Ok(false),
            Target::All => (schema.tables().into_iter()).map(|t| (t, None)).collect(),
            Target::Table(t) => vec![(t.clone(), None)],
            Target::Index(t, i) => vec![(t.clone(), Some((**i).clone()))],
            Target::Internal => Vec::new(),
        };
        let start = self.b.here();
        if db == 0 {
            self.use_db(true);
        } else {
            self.b.readonly = false;
            self.b.emit(Insn::Transaction {
                db: 0,
                write: true,
                exclusive: false,
                schema_cookie: Some(schema.cookie),
            });
        }
        let stat = self.open_stat_table(&schema, &target);
        for (t, only) in tables {
            if analyzable(&t) {
                self.analyze_table(&stat, &t, only.as_ref())?;
            }
        }
        if db != 0 {
            self.retarget_section(start, db, schema.cookie);
        }
        Ok(true)
    }

    /// Rewrites the database operands 0 of the instructions from `start`
    /// on to `db`, and a schema cookie bump to `db`'s cookie.
    fn retarget_section(&mut self, start: usize, db: usize, cookie: u32) {
        for a in start..self.b.here() {
            match self.b.insn_mut(a) {
                Some(Insn::SetCookie { db: d, idx, value }) if *d == 0 => {
                    *d = db;
                    if *idx == 1 {
                        *value = i64::from(cookie) + 1;
                    }
                }
                Some(
                    Insn::Transaction { db: d, .. }
                    | Insn::CreateBtree { db: d, .. }
                    | Insn::Clear { db: d, .. }
                    | Insn::OpenRead { db: d, .. }
                    | Insn::OpenWrite { db: d, .. },
                ) if *d == 0 => *d = db,
                _ => {}
            }
        }
    }

    /// Resolves `ANALYZE name` / `ANALYZE schema.name` to a database and
    /// what to analyze there (invariant 7).
    fn analyze_target(&self, q: &QualifiedName) -> Result<(usize, Target), String> {
        let known = |s: &str| {
            self.env
                .db_names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(s))
        };
        let name = q.name.as_str();
        let dbs: Vec<usize> = match q.schema.as_deref() {
            None => {
                if let Some(d) = known(name) {
                    return Ok((d, Target::All));
                }
                let lower = name.to_ascii_lowercase();
                if lower == "sqlite_schema" || lower == "sqlite_master" {
                    return Ok((0, Target::Internal));
                }
                // Unqualified: temp, main, then attached databases.
                let n = self.env.schemas.len();
                let mut v: Vec<usize> = (0..n).collect();
                if n > TEMP_DB {
                    v.swap(0, TEMP_DB);
                }
                v
            }
            Some(s) => vec![known(s).ok_or_else(|| format!("unknown database {s}"))?],
        };
        for &d in &dbs {
            if let Some((t, idx)) = self.env.schemas.get(d).and_then(|s| s.index(name)) {
                return Ok((d, Target::Index(t, Box::new(idx))));
            }
        }
        for &d in &dbs {
            let Some(schema) = self.env.schemas.get(d) else {
                continue;
            };
            if let Some(t) = schema.table(name) {
                return Ok((d, Target::Table(t)));
            }
            let lower = name.to_ascii_lowercase();
            let internal = match d {
                TEMP_DB => ["sqlite_temp_schema", "sqlite_temp_master"],
                _ => ["sqlite_schema", "sqlite_master"],
            };
            if internal.contains(&lower.as_str()) {
                return Ok((d, Target::Internal));
            }
            if schema.view(name).is_some() || schema.vtable(name).is_some() {
                return Ok((d, Target::Nothing));
            }
        }
        Err(match &q.schema {
            Some(s) => format!("no such table: {s}.{name}"),
            None => format!("no such table: {name}"),
        })
    }

    /// Creates `sqlite_stat1` if needed, removes the rows about to be
    /// rebuilt (invariant 2) and opens a write cursor on it.
    fn open_stat_table(&mut self, schema: &Schema, target: &Target) -> StatTable {
        let existing = schema.table("sqlite_stat1");
        let root_reg = self.b.alloc_reg();
        let root = match &existing {
            Some(t) => {
                match target {
                    Target::All => {
                        self.b.emit(Insn::Clear {
                            db: 0,
                            root: t.root,
                            count_change: false,
                        });
                    }
                    Target::Table(tab) => {
                        self.delete_named_rows(t.root, 0, std::slice::from_ref(&tab.name))
                    }
                    Target::Index(_, i) => {
                        self.delete_named_rows(t.root, 1, std::slice::from_ref(&i.name))
                    }
                    Target::Internal | Target::Nothing => {}
                }
                Some(t.root)
            }
            None => {
                self.b.emit(Insn::CreateBtree {
                    db: 0,
                    dest: root_reg,
                    kind: TreeKind::Table,
                });
                self.insert_schema_row(
                    "table",
                    "sqlite_stat1",
                    "sqlite_stat1",
                    root_reg,
                    Some(STAT1_SQL),
                );
                None
            }
        };
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: 0,
            root: root.map_or(RootPage::Reg(root_reg), RootPage::Page),
            n_cols: 3,
            key_info: None,
        });
        StatTable { cursor }
    }

    /// The rows of one table: each (or the one) index, then the table's
    /// own row count when invariant 4 asks for it.
    fn analyze_table(
        &mut self,
        stat: &StatTable,
        t: &Table,
        only: Option<&Index>,
    ) -> Result<(), String> {
        let indexes: Vec<&Index> = match only {
            Some(i) => vec![i],
            None => t.indexes.iter().collect(),
        };
        for idx in &indexes {
            self.analyze_index(stat, t, idx)?;
        }
        if only.is_none() && t.indexes.iter().all(|i| i.partial.is_some()) {
            self.table_count_row(stat, t)?;
        }
        Ok(())
    }

    /// `tbl | NULL | row count` for a non-empty table.
    fn table_count_row(&mut self, stat: &StatTable, t: &Table) -> Result<(), String> {
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        let count = self.b.alloc_reg();
        self.b.emit(Insn::Count {
            cursor,
            dest: count,
        });
        let skip = self.b.new_label();
        self.b.emit(Insn::IfNot {
            reg: count,
            target: skip.addr(),
            jump_if_null: true,
        });
        self.b.emit(Insn::Cast {
            reg: count,
            affinity: Affinity::Text,
        });
        self.stat_row(stat, &t.name, None, count);
        self.b.resolve(skip);
        self.b.emit(Insn::Close { cursor });
        Ok(())
    }

    /// Scans one index counting entries and distinct key prefixes
    /// (invariant 3), then writes its row.
    fn analyze_index(&mut self, stat: &StatTable, t: &Table, idx: &Index) -> Result<(), String> {
        let k = idx.columns.len();
        let table_key = crate::sql::schema_wr::is_table_key(t, idx);
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: 0,
            root: RootPage::Page(if table_key { t.root } else { idx.root }),
            n_cols: if table_key {
                t.columns.len()
            } else {
                super::without_rowid::index_key_len(t, idx)
            },
            key_info: Some(self.index_key_info(idx)?),
        });
        let mut flags = Vec::with_capacity(k);
        for c in &idx.columns {
            flags.push(CmpFlags {
                affinity: Affinity::Blob,
                jump_if_null: false,
                null_eq: true,
                store: None,
                collation: Some(self.collation(&c.collation)?),
            });
        }
        let (nrow, one) = (self.int_reg(0), self.int_reg(1));
        let distinct = self.b.alloc_regs(k);
        for i in 0..k {
            self.b.emit(Insn::Integer {
                value: 0,
                dest: distinct + i,
            });
        }
        let prev = self.b.alloc_regs(k);
        let tmp = self.b.alloc_reg();
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let diffs: Vec<_> = (0..k).map(|_| self.b.new_label()).collect();
        if let Some(first) = diffs.first() {
            self.b.emit(Insn::Goto {
                target: first.addr(),
            });
        }
        let top = self.b.here();
        let next = self.b.new_label();
        for (i, (diff, f)) in diffs.iter().zip(flags).enumerate() {
            self.column(cursor, i, tmp);
            self.b.emit(Insn::Compare {
                op: CmpOp::Ne,
                lhs: tmp,
                rhs: prev + i,
                target: diff.addr(),
                flags: f,
            });
        }
        self.b.emit(Insn::Goto {
            target: next.addr(),
        });
        // A row first differing from the previous one at column i starts a
        // new distinct prefix of every length > i.
        for (i, diff) in diffs.into_iter().enumerate() {
            self.b.resolve(diff);
            self.arith(ArithOp::Add, distinct + i, one, distinct + i);
            self.column(cursor, i, prev + i);
        }
        self.b.resolve(next);
        self.arith(ArithOp::Add, nrow, one, nrow);
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        let text = self.stat_text(nrow, distinct, k);
        // SQLite names a WITHOUT ROWID table's PRIMARY KEY by the table.
        let name = if table_key { &t.name } else { &idx.name };
        self.stat_row(stat, &t.name, Some(name), text);
        self.b.resolve(done);
        self.b.emit(Insn::Close { cursor });
        Ok(())
    }

    /// Builds `N a1 .. ak` from the counters (invariant 3).
    fn stat_text(&mut self, nrow: Reg, distinct: Reg, k: usize) -> Reg {
        let text = self.b.alloc_reg();
        self.b.emit(Insn::Copy {
            src: nrow,
            dest: text,
            count: 1,
        });
        self.b.emit(Insn::Cast {
            reg: text,
            affinity: Affinity::Text,
        });
        let (one, two) = (self.int_reg(1), self.int_reg(2));
        let (ten, eleven) = (self.int_reg(10), self.int_reg(11));
        let space = self.b.alloc_reg();
        self.b.emit(Insn::String8 {
            value: Arc::from(&b" "[..]),
            dest: space,
        });
        let (avg, lhs, rhs) = (self.b.alloc_reg(), self.b.alloc_reg(), self.b.alloc_reg());
        for i in 0..k {
            let d = distinct + i;
            self.arith(ArithOp::Add, nrow, d, avg);
            self.arith(ArithOp::Subtract, avg, one, avg);
            self.arith(ArithOp::Divide, avg, d, avg);
            let keep = self.b.new_label();
            self.b.emit(Insn::Compare {
                op: CmpOp::Ne,
                lhs: avg,
                rhs: two,
                target: keep.addr(),
                flags: plain(),
            });
            self.arith(ArithOp::Multiply, nrow, ten, lhs);
            self.arith(ArithOp::Multiply, d, eleven, rhs);
            self.b.emit(Insn::Compare {
                op: CmpOp::Gt,
                lhs,
                rhs,
                target: keep.addr(),
                flags: plain(),
            });
            self.b.emit(Insn::Integer {
                value: 1,
                dest: avg,
            });
            self.b.resolve(keep);
            self.arith(ArithOp::Concat, text, space, text);
            self.arith(ArithOp::Concat, text, avg, text);
        }
        text
    }

    /// Appends (tbl, idx, stat) to `sqlite_stat1`.
    fn stat_row(&mut self, stat: &StatTable, tbl: &str, idx: Option<&str>, value: Reg) {
        let start = self.b.alloc_regs(3);
        self.b.emit(Insn::String8 {
            value: Arc::from(tbl.as_bytes()),
            dest: start,
        });
        match idx {
            Some(i) => self.b.emit(Insn::String8 {
                value: Arc::from(i.as_bytes()),
                dest: start + 1,
            }),
            None => self.b.emit(Insn::Null {
                dest: start + 1,
                count: 1,
            }),
        };
        self.b.emit(Insn::Copy {
            src: value,
            dest: start + 2,
            count: 1,
        });
        let (rec, rowid) = (self.b.alloc_reg(), self.b.alloc_reg());
        self.b.emit(Insn::MakeRecord {
            start,
            count: 3,
            dest: rec,
            affinities: None,
        });
        self.b.emit(Insn::NewRowid {
            cursor: stat.cursor,
            dest: rowid,
            autoinc_reg: None,
        });
        self.b.emit(Insn::Insert {
            cursor: stat.cursor,
            record: rec,
            rowid,
            flags: InsertFlags::default(),
        });
    }

    fn int_reg(&mut self, value: i64) -> Reg {
        let r = self.b.alloc_reg();
        self.b.emit(Insn::Integer { value, dest: r });
        r
    }

    fn column(&mut self, cursor: usize, column: usize, dest: Reg) {
        self.b.emit(Insn::Column {
            cursor,
            column,
            dest,
            default: None,
        });
    }

    fn arith(&mut self, op: ArithOp, lhs: Reg, rhs: Reg, dest: Reg) {
        self.b.emit(Insn::Arith { op, lhs, rhs, dest });
    }
}

/// Tables ANALYZE writes rows for (invariant 6).
fn analyzable(t: &Table) -> bool {
    !t.name.to_ascii_lowercase().starts_with("sqlite_")
}

fn plain() -> CmpFlags {
    CmpFlags {
        affinity: Affinity::Blob,
        jump_if_null: true,
        null_eq: false,
        store: None,
        collation: None,
    }
}
