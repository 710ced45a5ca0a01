//! Whole statements for the differential test: SELECTs of several shapes
//! and INSERT/UPDATE/DELETE, on top of the expression generator.
//!
//! SQLite counterpart: none (test-case generation).
//!
//! Invariants:
//! 1. A [`GenStmt`] says whether its rows come in a defined order
//!    (`ordered`): true only when ORDER BY lists every output column; the
//!    differential test compares unordered results as multisets.
//! 2. Data-changing statements touch only the generated tables and are
//!    followed by the checking SELECT in [`GenStmt::check`].
//! 3. The `feature` of a statement names the shape it exercises, for the
//!    unsupported-feature tally.

use super::sqlgen::Gen;

/// One generated statement.
#[derive(Debug, Clone)]
pub struct GenStmt {
    pub sql: String,
    /// True when the result order is fully defined by ORDER BY.
    pub ordered: bool,
    /// A SELECT to run after a data-changing statement.
    pub check: Option<String>,
    /// The statement shape, e.g. "select", "group by", "left join".
    pub kind: &'static str,
}

impl GenStmt {
    fn query(sql: String, ordered: bool, kind: &'static str) -> GenStmt {
        GenStmt {
            sql,
            ordered,
            check: None,
            kind,
        }
    }
}

const AGGS: &[&str] = &["count", "sum", "total", "avg", "min", "max"];

impl Gen {
    /// A random statement of any shape.
    pub fn statement(&mut self) -> GenStmt {
        let n = self.tables.len();
        match self.rng.below(20) {
            0..=3 => self.select_no_from(),
            4..=8 => {
                let t = self.rng.below(n);
                self.select_simple(vec![t], "select")
            }
            9 | 10 => self.select_aggregate(),
            11 | 12 if self.features.group_by => self.select_group_by(),
            11 | 12 => self.select_aggregate(),
            13 | 14 => self.select_join(),
            15 => self.insert_stmt(),
            16 | 17 if self.features.modify => self.update_stmt(),
            _ if self.features.modify => self.delete_stmt(),
            _ => self.insert_stmt(),
        }
    }

    /// `SELECT e, e, …` over literals only: expression semantics.
    fn select_no_from(&mut self) -> GenStmt {
        let n = 1 + self.rng.below(3);
        let cols: Vec<String> = (0..n).map(|_| self.expr(&[], 4)).collect();
        GenStmt::query(format!("SELECT {}", cols.join(", ")), true, "expression")
    }

    /// Result columns, WHERE, DISTINCT, ORDER BY, LIMIT over `scope`.
    fn select_simple(&mut self, scope: Vec<usize>, kind: &'static str) -> GenStmt {
        let from = self.join_clause(&scope, kind);
        let n = 1 + self.rng.below(4);
        let cols: Vec<String> = (0..n).map(|_| self.expr(&scope, 3)).collect();
        let distinct = if self.rng.chance(15) { "DISTINCT " } else { "" };
        let mut sql = format!("SELECT {distinct}{} FROM {from}", cols.join(", "));
        if self.rng.chance(70) {
            let w = self.condition(&scope, 3);
            sql.push_str(&format!(" WHERE {w}"));
        }
        let ordered = self.order_and_limit(&mut sql, n, false);
        GenStmt::query(sql, ordered, kind)
    }

    /// Appends ORDER BY all `n` columns and maybe LIMIT/OFFSET; returns
    /// whether the order is defined. `aggregate` marks an aggregate query.
    fn order_and_limit(&mut self, sql: &mut String, n: usize, aggregate: bool) -> bool {
        if !self.rng.chance(50) {
            return false;
        }
        let keys: Vec<String> = (1..=n)
            .map(|i| format!("{i}{}", if self.rng.chance(30) { " DESC" } else { "" }))
            .collect();
        sql.push_str(&format!(" ORDER BY {}", keys.join(", ")));
        if self.rng.chance(50) {
            let mut limit = self.rng.below(6) as i64 - 1;
            if limit == 0 && aggregate && !self.features.limit_zero_aggregate {
                limit = 1;
            }
            sql.push_str(&format!(" LIMIT {limit}"));
            if self.rng.chance(50) {
                sql.push_str(&format!(" OFFSET {}", self.rng.below(4)));
            }
        }
        true
    }

    /// The FROM clause joining `scope` in the style `kind` names.
    fn join_clause(&mut self, scope: &[usize], kind: &str) -> String {
        let names: Vec<String> = scope.iter().map(|&t| self.tables[t].name.clone()).collect();
        match (kind, names.as_slice()) {
            ("comma join", _) => names.join(", "),
            ("inner join" | "left join", [a, b]) => {
                let on = self.condition(scope, 2);
                let j = if kind == "left join" {
                    "LEFT JOIN"
                } else {
                    "JOIN"
                };
                format!("{a} {j} {b} ON {on}")
            }
            _ => names.join(", "),
        }
    }

    fn select_join(&mut self) -> GenStmt {
        let n = self.tables.len();
        let a = self.rng.below(n);
        let b = self.rng.below(n);
        if a == b {
            return self.select_simple(vec![a], "select");
        }
        let kind = *self.rng.pick(&["comma join", "inner join", "left join"]);
        self.select_simple(vec![a, b], kind)
    }

    /// An aggregate call over `scope`; `grouped` wraps order-dependent ones.
    fn aggregate(&mut self, scope: &[usize], grouped: bool) -> String {
        let arg = self.expr(scope, 2);
        match self.rng.below(10) {
            0 => "count(*)".into(),
            1 if grouped => format!("length(group_concat({arg}))"),
            1 => format!("group_concat({arg})"),
            2 if !grouped => format!("group_concat({arg}, '|')"),
            3 if self.features.distinct_agg => {
                let f = *self.rng.pick(&["count", "sum", "min", "max", "total"]);
                format!("{f}(DISTINCT {arg})")
            }
            _ => format!("{}({arg})", self.rng.pick(AGGS)),
        }
    }

    /// Aggregates without GROUP BY: exactly one row.
    fn select_aggregate(&mut self) -> GenStmt {
        let t = self.rng.below(self.tables.len());
        let scope = [t];
        let n = 1 + self.rng.below(3);
        let cols: Vec<String> = (0..n).map(|_| self.aggregate(&scope, false)).collect();
        let mut sql = format!("SELECT {} FROM {}", cols.join(", "), self.tables[t].name);
        if self.rng.chance(50) {
            let w = self.condition(&scope, 2);
            sql.push_str(&format!(" WHERE {w}"));
        }
        self.order_and_limit(&mut sql, n, true);
        GenStmt::query(sql, true, "aggregate")
    }

    /// GROUP BY with aggregates and maybe HAVING.
    fn select_group_by(&mut self) -> GenStmt {
        let t = self.rng.below(self.tables.len());
        let scope = [t];
        let nkeys = 1 + self.rng.below(2);
        let keys: Vec<String> = (0..nkeys).map(|_| self.group_key(&scope)).collect();
        let naggs = 1 + self.rng.below(3);
        let mut cols = keys.clone();
        cols.extend((0..naggs).map(|_| self.aggregate(&scope, true)));
        let mut sql = format!("SELECT {} FROM {}", cols.join(", "), self.tables[t].name);
        if self.rng.chance(40) {
            let w = self.condition(&scope, 2);
            sql.push_str(&format!(" WHERE {w}"));
        }
        sql.push_str(&format!(" GROUP BY {}", keys.join(", ")));
        if self.rng.chance(30) {
            let agg = self.aggregate(&scope, true);
            let rhs = self.literal();
            sql.push_str(&format!(" HAVING {agg} > {rhs}"));
        }
        let ordered = self.order_and_limit(&mut sql, cols.len(), true);
        GenStmt::query(sql, ordered, "group by")
    }

    /// The SELECT that shows a table's whole content after a change.
    fn check_table(&self, t: usize) -> String {
        format!("SELECT rowid, * FROM {}", self.tables[t].name)
    }

    fn insert_stmt(&mut self) -> GenStmt {
        let t = self.rng.below(self.tables.len());
        GenStmt {
            sql: self.insert(t),
            ordered: false,
            check: Some(self.check_table(t)),
            kind: "insert",
        }
    }

    fn update_stmt(&mut self) -> GenStmt {
        let t = self.rng.below(self.tables.len());
        let scope = [t];
        let table = self.tables[t].clone();
        let nset = 1 + self.rng.below(2);
        let sets: Vec<String> = (0..nset)
            .map(|_| {
                // An INTEGER PRIMARY KEY is not updated (it could become
                // i64::MAX, making the next automatic rowid random).
                let first = usize::from(table.ipk);
                let c = table.cols[first + self.rng.below(table.cols.len() - first)].clone();
                format!("{c} = {}", self.expr(&scope, 2))
            })
            .collect();
        let or = *self.rng.pick(&["", "", "", " OR IGNORE", " OR REPLACE"]);
        let mut sql = format!("UPDATE{or} {} SET {}", table.name, sets.join(", "));
        if self.rng.chance(70) {
            let w = self.condition(&scope, 2);
            sql.push_str(&format!(" WHERE {w}"));
        }
        GenStmt {
            sql,
            ordered: false,
            check: Some(self.check_table(t)),
            kind: "update",
        }
    }

    fn delete_stmt(&mut self) -> GenStmt {
        let t = self.rng.below(self.tables.len());
        let w = self.condition(&[t], 2);
        GenStmt {
            sql: format!("DELETE FROM {} WHERE {w}", self.tables[t].name),
            ordered: false,
            check: Some(self.check_table(t)),
            kind: "delete",
        }
    }
}
