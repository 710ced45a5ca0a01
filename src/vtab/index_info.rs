//! `IndexInfo`: what the planner tells xBestIndex and what it answers.
//!
//! SQLite counterpart: `sqlite3_index_info` with its `aConstraint`,
//! `aOrderBy` and `aConstraintUsage` arrays (sqlite3.h, vtab.html §2.3).
//!
//! Invariants:
//! 1. `usage` has exactly one entry per constraint.
//! 2. A constraint's `column` is -1 for the rowid, else a column number of
//!    the declared schema.
//! 3. After xBestIndex, the `argv_index` values in use are 1..=n with no gap
//!    (checked by [`IndexInfo::filter_args`]).

use super::{VTabError, VTabResult};

/// A constraint operator (`SQLITE_INDEX_CONSTRAINT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintOp {
    Eq,
    Gt,
    Le,
    Lt,
    Ge,
    Match,
    Like,
    Glob,
    Regexp,
    Ne,
    IsNot,
    IsNotNull,
    IsNull,
    Is,
}

impl ConstraintOp {
    /// The C code of the operator (SQLITE_INDEX_CONSTRAINT_EQ = 2, …).
    pub fn code(self) -> u8 {
        match self {
            ConstraintOp::Eq => 2,
            ConstraintOp::Gt => 4,
            ConstraintOp::Le => 8,
            ConstraintOp::Lt => 16,
            ConstraintOp::Ge => 32,
            ConstraintOp::Match => 64,
            ConstraintOp::Like => 65,
            ConstraintOp::Glob => 66,
            ConstraintOp::Regexp => 67,
            ConstraintOp::Ne => 68,
            ConstraintOp::IsNot => 69,
            ConstraintOp::IsNotNull => 70,
            ConstraintOp::IsNull => 71,
            ConstraintOp::Is => 72,
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    pub fn commuted(self) -> ConstraintOp {
        match self {
            ConstraintOp::Gt => ConstraintOp::Lt,
            ConstraintOp::Lt => ConstraintOp::Gt,
            ConstraintOp::Ge => ConstraintOp::Le,
            ConstraintOp::Le => ConstraintOp::Ge,
            other => other,
        }
    }
}

/// One WHERE-clause constraint offered to xBestIndex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexConstraint {
    /// Column constrained (-1 = rowid).
    pub column: i32,
    pub op: ConstraintOp,
    /// False when the right-hand side is not available at this loop.
    pub usable: bool,
    /// Collating sequence of the comparison (`sqlite3_vtab_collation`).
    pub collation: String,
}

/// One ORDER BY term offered to xBestIndex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexOrderBy {
    pub column: i32,
    pub desc: bool,
}

/// xBestIndex's answer for one constraint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConstraintUsage {
    /// 1-based position in xFilter's argv; 0 = not passed.
    pub argv_index: i32,
    /// True when the VM need not re-check the constraint.
    pub omit: bool,
}

/// The in/out structure of xBestIndex.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexInfo {
    pub constraints: Vec<IndexConstraint>,
    pub order_by: Vec<IndexOrderBy>,
    pub usage: Vec<ConstraintUsage>,
    pub idx_num: i32,
    pub idx_str: Option<String>,
    pub order_by_consumed: bool,
    pub estimated_cost: f64,
    pub estimated_rows: i64,
    /// SQLITE_INDEX_SCAN_UNIQUE (1) and friends.
    pub idx_flags: i32,
    /// Bit i set when column i is used (bit 63: any column >= 63).
    pub col_used: u64,
}

impl IndexInfo {
    /// The inputs; outputs at SQLite's defaults (cost 5e98 rows 25).
    pub fn new(constraints: Vec<IndexConstraint>, order_by: Vec<IndexOrderBy>) -> IndexInfo {
        let usage = vec![ConstraintUsage::default(); constraints.len()];
        IndexInfo {
            constraints,
            order_by,
            usage,
            idx_num: 0,
            idx_str: None,
            order_by_consumed: false,
            estimated_cost: 5e98,
            estimated_rows: 25,
            idx_flags: 0,
            col_used: u64::MAX,
        }
    }

    /// The constraints passed to xFilter, in argv order: `(constraint
    /// number, omit)` for argv 1, 2, … (invariant 3).
    pub fn filter_args(&self) -> VTabResult<Vec<(usize, bool)>> {
        let mut out: Vec<Option<(usize, bool)>> = Vec::new();
        for (i, u) in self.usage.iter().enumerate() {
            if u.argv_index <= 0 {
                continue;
            }
            let usable = self.constraints.get(i).is_some_and(|c| c.usable);
            let pos = usize::try_from(u.argv_index - 1).unwrap_or(usize::MAX);
            if !usable || pos >= self.usage.len() {
                return Err(bad_plan());
            }
            if out.len() <= pos {
                out.resize(pos + 1, None);
            }
            if out[pos].is_some() {
                return Err(bad_plan());
            }
            out[pos] = Some((i, u.omit));
        }
        out.into_iter().map(|o| o.ok_or_else(bad_plan)).collect()
    }
}

fn bad_plan() -> VTabError {
    VTabError::new("xBestIndex malfunction")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(column: i32, usable: bool) -> IndexConstraint {
        IndexConstraint {
            column,
            op: ConstraintOp::Eq,
            usable,
            collation: "BINARY".into(),
        }
    }

    #[test]
    fn filter_args_orders_by_argv_index() {
        let mut info = IndexInfo::new(vec![c(0, true), c(1, true), c(2, true)], vec![]);
        info.usage[0].argv_index = 2;
        info.usage[2] = ConstraintUsage {
            argv_index: 1,
            omit: true,
        };
        assert_eq!(info.filter_args().unwrap(), vec![(2, true), (0, false)]);
    }

    #[test]
    fn filter_args_rejects_gaps_duplicates_and_unusable() {
        let mut info = IndexInfo::new(vec![c(0, true), c(1, false)], vec![]);
        info.usage[0].argv_index = 2;
        assert!(info.filter_args().is_err());
        info.usage[0].argv_index = 1;
        info.usage[1].argv_index = 1;
        assert!(info.filter_args().is_err());
        info.usage[1].argv_index = 2;
        assert!(info.filter_args().is_err(), "constraint 1 is not usable");
        info.usage[1].argv_index = 0;
        assert_eq!(info.filter_args().unwrap(), vec![(0, false)]);
    }

    #[test]
    fn commuted_swaps_inequalities_only() {
        assert_eq!(ConstraintOp::Lt.commuted(), ConstraintOp::Gt);
        assert_eq!(ConstraintOp::Ge.commuted(), ConstraintOp::Le);
        assert_eq!(ConstraintOp::Eq.commuted(), ConstraintOp::Eq);
        assert_eq!(ConstraintOp::Like.code(), 65);
    }
}
