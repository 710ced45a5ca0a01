//! The statement half of the AST: SELECT, DML, DDL and utility statements.
//!
//! SQLite counterpart: `Select`, `SrcList`, `Upsert`, `Table`/`Column` (as
//! build.c receives them from parse.y), `Trigger`/`TriggerStep`.
//!
//! Invariants:
//! 1. Names are dequoted, original case (see [`super::ast`]).
//! 2. `sql` fields of CREATE statements hold the statement text exactly as
//!    SQLite stores it in `sqlite_schema.sql`: from the `CREATE` keyword to
//!    the end of the statement, without the `;` and trailing whitespace.

use super::ast::{Expr, OrderingTerm, QualifiedName, Span, WindowDef};

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// SELECT / VALUES (with WITH, compounds, ORDER BY, LIMIT).
    Select(Box<Select>),
    /// INSERT / REPLACE
    Insert(Box<Insert>),
    /// UPDATE
    Update(Box<Update>),
    /// DELETE
    Delete(Box<Delete>),
    /// CREATE TABLE
    CreateTable(Box<CreateTable>),
    /// CREATE [UNIQUE] INDEX
    CreateIndex(Box<CreateIndex>),
    /// CREATE VIEW
    CreateView(Box<CreateView>),
    /// CREATE TRIGGER
    CreateTrigger(Box<CreateTrigger>),
    /// CREATE VIRTUAL TABLE
    CreateVirtualTable(Box<CreateVirtualTable>),
    /// DROP TABLE|INDEX|VIEW|TRIGGER
    Drop(DropStmt),
    /// ALTER TABLE
    AlterTable(Box<AlterTable>),
    /// BEGIN [kind] [TRANSACTION [name]]
    Begin(TransactionKind),
    /// COMMIT / END [TRANSACTION]
    Commit,
    /// ROLLBACK [TRANSACTION] [TO [SAVEPOINT] name]
    Rollback {
        /// The savepoint of ROLLBACK TO.
        savepoint: Option<String>,
    },
    /// SAVEPOINT name
    Savepoint(String),
    /// RELEASE [SAVEPOINT] name
    Release(String),
    /// PRAGMA
    Pragma(Pragma),
    /// ATTACH [DATABASE] file AS name [KEY key]
    Attach {
        /// The file name expression.
        file: Expr,
        /// The schema name expression (usually a bare name).
        schema: Expr,
        /// The KEY expression.
        key: Option<Expr>,
    },
    /// DETACH [DATABASE] name
    Detach(Expr),
    /// ANALYZE [[schema.]name]
    Analyze(Option<QualifiedName>),
    /// VACUUM [schema] [INTO file]
    Vacuum {
        /// Schema to vacuum.
        schema: Option<String>,
        /// INTO file expression.
        into: Option<Expr>,
    },
    /// REINDEX [[schema.]name]
    Reindex(Option<QualifiedName>),
}

/// `EXPLAIN` or `EXPLAIN QUERY PLAN` before a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explain {
    /// `EXPLAIN`
    Explain,
    /// `EXPLAIN QUERY PLAN`
    QueryPlan,
}

/// `WITH [RECURSIVE] cte, ...`
#[derive(Clone, Debug, PartialEq)]
pub struct With {
    /// RECURSIVE was written.
    pub recursive: bool,
    /// The common table expressions, in order.
    pub ctes: Vec<Cte>,
}

/// `[NOT] MATERIALIZED` hint of a CTE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Materialized {
    /// No hint.
    Any,
    /// `AS MATERIALIZED`
    Yes,
    /// `AS NOT MATERIALIZED`
    No,
}

/// One common table expression `name[(cols)] AS [hint] (select)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cte {
    /// The CTE's name.
    pub name: String,
    /// Its column names (empty when not given).
    pub columns: Vec<String>,
    /// The materialization hint.
    pub materialized: Materialized,
    /// Its query.
    pub select: Box<Select>,
}

/// A full query: WITH, compound body, ORDER BY, LIMIT.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// The WITH clause.
    pub with: Option<With>,
    /// The first simple select.
    pub first: SelectCore,
    /// Further `op core` terms of a compound select, left-associative.
    pub compounds: Vec<(CompoundOp, SelectCore)>,
    /// ORDER BY of the whole query.
    pub order_by: Vec<OrderingTerm>,
    /// LIMIT/OFFSET of the whole query.
    pub limit: Option<Limit>,
    /// Source span of the query (from WITH or SELECT/VALUES to its end).
    pub span: Span,
}

/// Compound operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompoundOp {
    /// `UNION`
    Union,
    /// `UNION ALL`
    UnionAll,
    /// `INTERSECT`
    Intersect,
    /// `EXCEPT`
    Except,
}

/// `LIMIT limit [OFFSET offset]`; `LIMIT offset, limit` is stored the same.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    /// Maximum number of rows.
    pub limit: Expr,
    /// Rows to skip.
    pub offset: Option<Expr>,
}

/// One simple SELECT or a VALUES list.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectCore {
    /// `SELECT ...`
    Select(Box<SimpleSelect>),
    /// `VALUES (..), (..)`: rows of expressions.
    Values(Vec<Vec<Expr>>),
}

/// `SELECT [DISTINCT|ALL] cols [FROM] [WHERE] [GROUP BY] [HAVING] [WINDOW]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleSelect {
    /// DISTINCT was written.
    pub distinct: bool,
    /// The result columns.
    pub columns: Vec<ResultColumn>,
    /// The FROM clause.
    pub from: Option<FromClause>,
    /// WHERE
    pub where_: Option<Expr>,
    /// GROUP BY terms.
    pub group_by: Vec<Expr>,
    /// HAVING
    pub having: Option<Expr>,
    /// WINDOW definitions.
    pub windows: Vec<WindowDef>,
}

/// A result column (also used by RETURNING).
#[derive(Clone, Debug, PartialEq)]
pub enum ResultColumn {
    /// `*`
    Star,
    /// `table.*`
    TableStar(String),
    /// `expr [[AS] alias]`
    Expr {
        /// The expression.
        expr: Expr,
        /// The alias, dequoted.
        alias: Option<String>,
        /// The name SQLite gives the column when there is no alias: the
        /// source text from the expression's first token up to the next
        /// token, trimmed of surrounding whitespace (comments kept).
        span_name: String,
    },
}

/// A FROM clause: a flat list of joined table references, as SQLite's
/// `SrcList`. Item 0 has no join operator; item `i > 0` is joined to the
/// items before it by `items[i].join`.
#[derive(Clone, Debug, PartialEq)]
pub struct FromClause {
    /// The items.
    pub items: Vec<FromItem>,
}

/// One table reference in a FROM clause.
#[derive(Clone, Debug, PartialEq)]
pub struct FromItem {
    /// How this item joins to the ones before (None for the first item).
    pub join: Option<JoinOperator>,
    /// What is read.
    pub source: TableSource,
    /// `AS alias`
    pub alias: Option<String>,
    /// `INDEXED BY` / `NOT INDEXED`
    pub indexed: Option<IndexedBy>,
    /// `ON expr` / `USING (cols)`
    pub constraint: Option<JoinConstraint>,
}

/// The source of a FROM item.
#[derive(Clone, Debug, PartialEq)]
pub enum TableSource {
    /// `[schema.]table`
    Table(QualifiedName),
    /// `[schema.]func(args)`: a table-valued function.
    Function(QualifiedName, Vec<Expr>),
    /// `(select)`
    Subquery(Box<Select>),
    /// `(join-clause)`: a parenthesized FROM list.
    Nested(FromClause),
}

/// `INDEXED BY name` / `NOT INDEXED`.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexedBy {
    /// `INDEXED BY name`
    Index(String),
    /// `NOT INDEXED`
    NotIndexed,
}

/// A join operator, decoded as SQLite's `sqlite3JoinType` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JoinOperator {
    /// Written as `,`.
    pub comma: bool,
    /// NATURAL
    pub natural: bool,
    /// LEFT (or FULL): rows of the left side are kept.
    pub left: bool,
    /// RIGHT (or FULL): rows of the right side are kept.
    pub right: bool,
    /// CROSS (join order is fixed).
    pub cross: bool,
}

/// `ON expr` or `USING (cols)`.
#[derive(Clone, Debug, PartialEq)]
pub enum JoinConstraint {
    /// `ON expr`
    On(Expr),
    /// `USING (a, b)`
    Using(Vec<String>),
}

/// `OR ROLLBACK|ABORT|REPLACE|FAIL|IGNORE` and `ON CONFLICT ...` actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictAction {
    /// ROLLBACK
    Rollback,
    /// ABORT
    Abort,
    /// FAIL
    Fail,
    /// IGNORE
    Ignore,
    /// REPLACE
    Replace,
}

/// INSERT / REPLACE.
#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    /// WITH clause.
    pub with: Option<With>,
    /// `OR action`; `REPLACE INTO` gives `Some(Replace)`.
    pub or_conflict: Option<ConflictAction>,
    /// Target table.
    pub table: QualifiedName,
    /// `AS alias` on the target.
    pub alias: Option<String>,
    /// Column list (empty when not given).
    pub columns: Vec<String>,
    /// The rows.
    pub source: InsertSource,
    /// ON CONFLICT clauses, in order.
    pub upsert: Vec<Upsert>,
    /// RETURNING columns (empty when absent).
    pub returning: Vec<ResultColumn>,
}

/// Where INSERT's rows come from.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    /// `VALUES ...` or `SELECT ...`.
    Select(Box<Select>),
    /// `DEFAULT VALUES`
    DefaultValues,
}

/// `ON CONFLICT [(target) [WHERE]] DO NOTHING | DO UPDATE SET ... [WHERE]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Upsert {
    /// The conflict target (indexed columns) if given.
    pub target: Vec<OrderingTerm>,
    /// WHERE of the target.
    pub target_where: Option<Expr>,
    /// What to do.
    pub action: UpsertAction,
}

/// The DO part of an upsert.
#[derive(Clone, Debug, PartialEq)]
pub enum UpsertAction {
    /// `DO NOTHING`
    Nothing,
    /// `DO UPDATE SET ... [WHERE ...]`
    Update {
        /// The assignments.
        sets: Vec<SetClause>,
        /// The WHERE.
        where_: Option<Expr>,
    },
}

/// `col = expr` or `(a, b) = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetClause {
    /// The columns assigned (one unless written as a list).
    pub columns: Vec<String>,
    /// The value (a row value or subquery when `columns.len() > 1`).
    pub expr: Expr,
}

/// UPDATE.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// WITH clause.
    pub with: Option<With>,
    /// `OR action`
    pub or_conflict: Option<ConflictAction>,
    /// Target table.
    pub table: QualifiedName,
    /// `AS alias`
    pub alias: Option<String>,
    /// INDEXED BY / NOT INDEXED.
    pub indexed: Option<IndexedBy>,
    /// SET assignments.
    pub sets: Vec<SetClause>,
    /// FROM clause.
    pub from: Option<FromClause>,
    /// WHERE
    pub where_: Option<Expr>,
    /// RETURNING columns.
    pub returning: Vec<ResultColumn>,
    /// ORDER BY (SQLITE_ENABLE_UPDATE_DELETE_LIMIT).
    pub order_by: Vec<OrderingTerm>,
    /// LIMIT (SQLITE_ENABLE_UPDATE_DELETE_LIMIT).
    pub limit: Option<Limit>,
}

/// DELETE.
#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    /// WITH clause.
    pub with: Option<With>,
    /// Target table.
    pub table: QualifiedName,
    /// `AS alias`
    pub alias: Option<String>,
    /// INDEXED BY / NOT INDEXED.
    pub indexed: Option<IndexedBy>,
    /// WHERE
    pub where_: Option<Expr>,
    /// RETURNING columns.
    pub returning: Vec<ResultColumn>,
    /// ORDER BY
    pub order_by: Vec<OrderingTerm>,
    /// LIMIT
    pub limit: Option<Limit>,
}

pub use super::ast_ddl::*;
