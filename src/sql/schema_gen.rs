//! Generated columns in the schema: `col AS (expr) [VIRTUAL|STORED]`.
//!
//! SQLite counterpart: build.c's `sqlite3AddGenerated` and
//! `sqlite3TableColumnToStorage`, the `COLFLAG_VIRTUAL`/`COLFLAG_STORED`
//! flags, and the CREATE TABLE checks of resolve.c for generated columns.
//!
//! Invariants:
//! 1. A VIRTUAL column has no field in the table's record: the record holds
//!    the other columns in declaration order, so column `c` is field
//!    [`Table::storage_index`]`(c)` = the number of non-virtual columns
//!    declared before it.
//! 2. A STORED column is an ordinary record field whose value INSERT and
//!    UPDATE compute from the row.
//! 3. [`Table::generated_order`] lists the generated columns so that each
//!    comes after every generated column its expression reads. As in
//!    SQLite, a cycle is accepted by CREATE TABLE and refused by the
//!    statements that would compute it ("generated column loop on ...").
//! 4. A generated column is never part of the PRIMARY KEY, has no DEFAULT,
//!    and its expression has no subquery, parameter or non-deterministic
//!    function.
//!
//! Record layout of a row of `t(a, b AS (a*2), c AS (a+1) STORED, d)`:
//!
//! | field | column | kind              |
//! |-------|--------|-------------------|
//! | 0     | a      | ordinary          |
//! | -     | b      | VIRTUAL (no field)|
//! | 1     | c      | STORED            |
//! | 2     | d      | ordinary          |

use super::ast::{ColumnConstraintKind, ColumnDef, Expr, ExprKind};
use super::schema::{Column, Table};

/// The definition of a generated column.
#[derive(Clone, Debug)]
pub struct Generated {
    pub expr: Expr,
    /// STORED (a record field) rather than VIRTUAL.
    pub stored: bool,
}

/// Builtin functions whose result may change between calls.
const NON_DETERMINISTIC: [&str; 5] = [
    "random",
    "randomblob",
    "changes",
    "total_changes",
    "last_insert_rowid",
];

impl Column {
    /// True for a VIRTUAL generated column (no record field).
    pub fn is_virtual(&self) -> bool {
        self.generated.as_ref().is_some_and(|g| !g.stored)
    }
}

impl Table {
    /// True when some column is VIRTUAL.
    pub fn has_virtual(&self) -> bool {
        self.columns.iter().any(Column::is_virtual)
    }

    /// The record field of column `c` (invariant 1).
    pub fn storage_index(&self, c: usize) -> usize {
        self.columns
            .iter()
            .take(c)
            .filter(|col| !col.is_virtual())
            .count()
    }

    /// The number of fields in a record of this table.
    pub fn n_stored(&self) -> usize {
        self.columns.iter().filter(|c| !c.is_virtual()).count()
    }

    /// The generated columns, dependencies first (invariant 3).
    pub fn generated_order(&self) -> Result<Vec<usize>, String> {
        order(self)
    }
}

/// Reads the AS clause of a column definition into `col` (build.c's
/// `sqlite3AddGenerated`).
pub(super) fn add_generated(col: &mut Column, def: &ColumnDef) -> Result<(), String> {
    for c in &def.constraints {
        match &c.kind {
            ColumnConstraintKind::Generated { expr, stored } => {
                col.generated = Some(Generated {
                    expr: expr.clone(),
                    stored: *stored,
                });
            }
            ColumnConstraintKind::PrimaryKey { .. } if is_generated(def) => {
                return Err("generated columns cannot be part of the PRIMARY KEY".into());
            }
            ColumnConstraintKind::Default(_) if is_generated(def) => {
                return Err("cannot use DEFAULT on a generated column".into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_generated(def: &ColumnDef) -> bool {
    def.constraints
        .iter()
        .any(|c| matches!(c.kind, ColumnConstraintKind::Generated { .. }))
}

/// The whole-table checks once every column is known (invariant 4).
pub(super) fn check_table(t: &Table) -> Result<(), String> {
    if !t.columns.iter().any(|c| c.generated.is_some()) {
        return Ok(());
    }
    if t.columns.iter().all(|c| c.generated.is_some()) {
        return Err("must have at least one non-generated column".into());
    }
    for col in &t.columns {
        if let Some(g) = &col.generated {
            if col.primary_key {
                return Err("generated columns cannot be part of the PRIMARY KEY".into());
            }
            check_expr(&g.expr, t)?;
        }
    }
    Ok(())
}

fn check_expr(e: &Expr, t: &Table) -> Result<(), String> {
    let mut err = None;
    crate::sql::codegen::walk_expr(e, &mut |x| {
        let msg = match &x.kind {
            ExprKind::Column { column, .. } => {
                let rowid = ["rowid", "oid", "_rowid_"]
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(column));
                (t.column_index(column).is_none() && !rowid)
                    .then(|| format!("no such column: {column}"))
            }
            ExprKind::Exists(_) | ExprKind::Subquery(_) | ExprKind::InSelect { .. } => {
                Some("subqueries prohibited in generated columns".into())
            }
            ExprKind::Variable { .. } => Some("parameters prohibited in generated columns".into()),
            ExprKind::Function(f)
                if NON_DETERMINISTIC
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&f.name)) =>
            {
                Some("non-deterministic functions prohibited in generated columns".into())
            }
            _ => None,
        };
        if err.is_none() {
            err = msg;
        }
    });
    err.map_or(Ok(()), Err)
}

/// The generated columns of `t` in the order INSERT computes them: passes
/// over the columns in declaration order, each computing every column whose
/// expression reads no column still to compute; a pass computing nothing
/// names the last column left ("generated column loop").
fn order(t: &Table) -> Result<Vec<usize>, String> {
    let deps = dependencies(t);
    let mut pending: Vec<usize> = (0..t.columns.len())
        .filter(|&c| t.columns[c].generated.is_some())
        .collect();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut left = Vec::new();
        for &c in &pending {
            let blocked = deps[c]
                .iter()
                .any(|d| pending.contains(d) && !out.contains(d));
            if blocked {
                left.push(c);
            } else {
                out.push(c);
            }
        }
        if left.len() == before {
            let last = left.last().map_or("", |&c| t.columns[c].name.as_str());
            return Err(format!("generated column loop on \"{last}\""));
        }
        pending = left;
    }
    Ok(out)
}

/// Per column, the columns its generating expression reads.
fn dependencies(t: &Table) -> Vec<Vec<usize>> {
    t.columns
        .iter()
        .map(|c| match &c.generated {
            Some(g) => reads(&g.expr, t),
            None => Vec::new(),
        })
        .collect()
}

/// Reading VIRTUAL column `c` loops back to a column being computed: the
/// error names the first column met twice (depth first from `c`).
pub fn virtual_loop(t: &Table, c: usize) -> Result<(), String> {
    let deps = dependencies(t);
    let mut path = Vec::new();
    walk_virtual(t, &deps, c, &mut path)
}

fn walk_virtual(
    t: &Table,
    deps: &[Vec<usize>],
    c: usize,
    path: &mut Vec<usize>,
) -> Result<(), String> {
    if !t.columns.get(c).is_some_and(|x| x.is_virtual()) {
        return Ok(());
    }
    if path.contains(&c) {
        return Err(format!(
            "generated column loop on \"{}\"",
            t.columns[c].name
        ));
    }
    path.push(c);
    for &d in &deps[c] {
        walk_virtual(t, deps, d, path)?;
    }
    path.pop();
    Ok(())
}

/// The columns of `t` an expression reads.
fn reads(e: &Expr, t: &Table) -> Vec<usize> {
    let mut out = Vec::new();
    crate::sql::codegen::walk_expr(e, &mut |x| {
        if let ExprKind::Column { column, .. } = &x.kind {
            if let Some(c) = t.column_index(column) {
                out.push(c);
            }
        }
    });
    out
}
