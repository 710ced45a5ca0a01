//! A compiled statement: the instruction list plus what the API reports about it.
//!
//! SQLite counterpart: the `Vdbe` fields filled by codegen (aOp, nMem,
//! nCursor, aColName, readOnly, explain) in vdbeaux.c.
//!
//! Invariants:
//! 1. `n_regs` exceeds every register number used by `insns`; `n_cursors`
//!    exceeds every cursor number.
//! 2. `columns.len()` is the number of values each `ResultRow` yields.
//! 3. A `Program` is immutable and shared (`Arc`) between executions.

use super::insn::Insn;

/// What the API reports about one result column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnInfo {
    /// `sqlite3_column_name`: the alias, the column name or the expression text.
    pub name: String,
    /// `sqlite3_column_decltype`: declared type of a direct column reference.
    pub decltype: Option<String>,
    /// `sqlite3_column_database_name` / `_table_name` / `_origin_name`.
    pub database: Option<String>,
    pub table: Option<String>,
    pub origin: Option<String>,
    /// The collating sequence the column carries when the statement is used
    /// as a subquery, view or CTE (`None`: BINARY).
    pub collation: Option<String>,
}

/// A compiled statement.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub insns: Vec<Insn>,
    /// Number of registers (register 0 unused).
    pub n_regs: usize,
    pub n_cursors: usize,
    pub columns: Vec<ColumnInfo>,
    /// Parameter names by index-1 (`None` for `?` / `?NNN`).
    pub params: Vec<Option<String>>,
    /// True when the statement never writes the database (`sqlite3_stmt_readonly`).
    pub readonly: bool,
    /// 0 normal, 1 EXPLAIN, 2 EXPLAIN QUERY PLAN (`sqlite3_stmt_isexplain`).
    pub explain: u8,
}
