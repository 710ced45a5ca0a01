//! The DDL and utility part of the AST: CREATE/DROP/ALTER, triggers,
//! transactions, PRAGMA.
//!
//! SQLite counterpart: the arguments parse.y hands to build.c
//! (`sqlite3StartTable`, `sqlite3AddColumn`, `sqlite3AddPrimaryKey`,
//! `sqlite3CreateIndex`, `sqlite3CreateForeignKey`, …), trigger.c and
//! `sqlite3Pragma`.
//!
//! Invariants:
//! 1. Checks SQLite performs in build.c (duplicate columns, more than one
//!    primary key, AUTOINCREMENT placement, non-constant defaults, NULLS
//!    FIRST/LAST in indexes, …) are NOT done by the parser; the AST keeps
//!    everything written so the builder can report them.
//! 2. `sql` holds the statement's text as stored in `sqlite_schema`.

use super::ast::{Expr, OrderingTerm, QualifiedName, SortOrder, Span};
use super::ast_stmt::{ConflictAction, Delete, Insert, Select, Update};

/// CREATE [TEMP] TABLE.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    /// TEMP / TEMPORARY
    pub temp: bool,
    /// IF NOT EXISTS
    pub if_not_exists: bool,
    /// The table's name.
    pub name: QualifiedName,
    /// Columns and constraints, or AS SELECT.
    pub body: CreateTableBody,
    /// The statement text for `sqlite_schema.sql`.
    pub sql: String,
}

/// The body of CREATE TABLE.
#[derive(Clone, Debug, PartialEq)]
pub enum CreateTableBody {
    /// `(columns, constraints) [options]`
    Columns {
        /// Column definitions, at least one.
        columns: Vec<ColumnDef>,
        /// Table constraints.
        constraints: Vec<TableConstraint>,
        /// WITHOUT ROWID
        without_rowid: bool,
        /// STRICT
        strict: bool,
    },
    /// `AS select`
    AsSelect(Box<Select>),
}

/// One column definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    /// Column name.
    pub name: String,
    /// Declared type, as SQLite stores it (the source text of the type
    /// tokens; dequoted if it starts with a quote), `None` when absent.
    pub type_name: Option<String>,
    /// Column constraints, in order.
    pub constraints: Vec<ColumnConstraint>,
    /// Source span of the whole definition (used by ALTER TABLE ADD COLUMN).
    pub span: Span,
}

/// A named or unnamed column constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnConstraint {
    /// `CONSTRAINT name`
    pub name: Option<String>,
    /// The constraint.
    pub kind: ColumnConstraintKind,
}

/// Column constraints.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnConstraintKind {
    /// `PRIMARY KEY [ASC|DESC] [ON CONFLICT ..] [AUTOINCREMENT]`
    PrimaryKey {
        /// ASC/DESC
        order: Option<SortOrder>,
        /// ON CONFLICT action.
        conflict: Option<ConflictAction>,
        /// AUTOINCREMENT
        autoincrement: bool,
    },
    /// `NOT NULL [ON CONFLICT ..]`
    NotNull(Option<ConflictAction>),
    /// `NULL [ON CONFLICT ..]` (no effect)
    Null(Option<ConflictAction>),
    /// `UNIQUE [ON CONFLICT ..]`
    Unique(Option<ConflictAction>),
    /// `CHECK (expr)`
    Check(Expr),
    /// `DEFAULT ...`
    Default(DefaultValue),
    /// `COLLATE name`
    Collate(String),
    /// `REFERENCES ...`
    ForeignKey(ForeignKeyClause),
    /// `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`
    Generated {
        /// The expression.
        expr: Expr,
        /// STORED (false means VIRTUAL, the default).
        stored: bool,
    },
}

/// A column's DEFAULT.
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultValue {
    /// The value expression. `DEFAULT name` is a string literal (or
    /// TRUE/FALSE), `DEFAULT -5` is `Unary(Negate, 5)`.
    pub expr: Expr,
    /// The text SQLite keeps for `PRAGMA table_info.dflt_value`: the
    /// literal as written (with sign), or the expression inside `( )`.
    pub text: String,
}

/// A table constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct TableConstraint {
    /// `CONSTRAINT name`
    pub name: Option<String>,
    /// The constraint.
    pub kind: TableConstraintKind,
}

/// Table constraints.
#[derive(Clone, Debug, PartialEq)]
pub enum TableConstraintKind {
    /// `PRIMARY KEY (cols [AUTOINCREMENT]) [ON CONFLICT ..]`
    PrimaryKey {
        /// Indexed columns.
        columns: Vec<OrderingTerm>,
        /// AUTOINCREMENT
        autoincrement: bool,
        /// ON CONFLICT action.
        conflict: Option<ConflictAction>,
    },
    /// `UNIQUE (cols) [ON CONFLICT ..]`
    Unique {
        /// Indexed columns.
        columns: Vec<OrderingTerm>,
        /// ON CONFLICT action.
        conflict: Option<ConflictAction>,
    },
    /// `CHECK (expr) [ON CONFLICT ..]` (the conflict clause is ignored).
    Check(Expr),
    /// `FOREIGN KEY (cols) REFERENCES ...`
    ForeignKey {
        /// Child columns.
        columns: Vec<String>,
        /// The reference.
        clause: ForeignKeyClause,
    },
}

/// `REFERENCES table [(cols)] [actions] [DEFERRABLE ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeyClause {
    /// Parent table.
    pub table: String,
    /// Parent columns (empty: the parent's primary key).
    pub columns: Vec<String>,
    /// ON DELETE action.
    pub on_delete: Option<FkAction>,
    /// ON UPDATE action.
    pub on_update: Option<FkAction>,
    /// `MATCH name` (parsed, ignored by SQLite).
    pub match_name: Option<String>,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    pub deferred: bool,
}

/// Foreign key actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkAction {
    /// SET NULL
    SetNull,
    /// SET DEFAULT
    SetDefault,
    /// CASCADE
    Cascade,
    /// RESTRICT
    Restrict,
    /// NO ACTION
    NoAction,
}

/// CREATE [UNIQUE] INDEX.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateIndex {
    /// UNIQUE
    pub unique: bool,
    /// IF NOT EXISTS
    pub if_not_exists: bool,
    /// Index name (the schema goes here: `CREATE INDEX s.i ON t(..)`).
    pub name: QualifiedName,
    /// The table (unqualified).
    pub table: String,
    /// Indexed columns/expressions.
    pub columns: Vec<OrderingTerm>,
    /// Partial index WHERE.
    pub where_: Option<Expr>,
    /// Statement text.
    pub sql: String,
}

/// CREATE [TEMP] VIEW.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateView {
    /// TEMP
    pub temp: bool,
    /// IF NOT EXISTS
    pub if_not_exists: bool,
    /// The view's name.
    pub name: QualifiedName,
    /// Column names (empty when not given).
    pub columns: Vec<String>,
    /// The query.
    pub select: Box<Select>,
    /// Statement text.
    pub sql: String,
}

/// BEFORE / AFTER / INSTEAD OF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerTime {
    /// BEFORE (also the default when nothing is written)
    Before,
    /// AFTER
    After,
    /// INSTEAD OF
    InsteadOf,
}

/// The event that fires a trigger.
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerEvent {
    /// DELETE
    Delete,
    /// INSERT
    Insert,
    /// UPDATE [OF cols] (empty: any column)
    Update(Vec<String>),
}

/// CREATE [TEMP] TRIGGER.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTrigger {
    /// TEMP
    pub temp: bool,
    /// IF NOT EXISTS
    pub if_not_exists: bool,
    /// Trigger name.
    pub name: QualifiedName,
    /// BEFORE/AFTER/INSTEAD OF; `None` when not written (acts as BEFORE).
    pub time: Option<TriggerTime>,
    /// The event.
    pub event: TriggerEvent,
    /// The table or view.
    pub table: QualifiedName,
    /// FOR EACH ROW was written.
    pub for_each_row: bool,
    /// WHEN expr
    pub when: Option<Expr>,
    /// The body statements (INSERT/UPDATE/DELETE/SELECT, unqualified names).
    pub body: Vec<TriggerStmt>,
    /// Statement text.
    pub sql: String,
}

/// One statement of a trigger body.
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerStmt {
    /// INSERT
    Insert(Box<Insert>),
    /// UPDATE
    Update(Box<Update>),
    /// DELETE
    Delete(Box<Delete>),
    /// SELECT
    Select(Box<Select>),
}

/// CREATE VIRTUAL TABLE.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateVirtualTable {
    /// IF NOT EXISTS
    pub if_not_exists: bool,
    /// Table name.
    pub name: QualifiedName,
    /// Module name.
    pub module: String,
    /// Module arguments: raw source text of each comma-separated argument,
    /// trimmed; empty arguments are dropped.
    pub args: Vec<String>,
    /// Statement text.
    pub sql: String,
}

/// The kind of object DROP removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// TABLE
    Table,
    /// INDEX
    Index,
    /// VIEW
    View,
    /// TRIGGER
    Trigger,
}

/// DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name.
#[derive(Clone, Debug, PartialEq)]
pub struct DropStmt {
    /// What is dropped.
    pub kind: ObjectKind,
    /// IF EXISTS
    pub if_exists: bool,
    /// The object.
    pub name: QualifiedName,
}

/// ALTER TABLE.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterTable {
    /// The table.
    pub table: QualifiedName,
    /// The change.
    pub action: AlterAction,
}

/// What ALTER TABLE does.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterAction {
    /// RENAME TO new
    RenameTable(String),
    /// RENAME [COLUMN] old TO new
    RenameColumn {
        /// Old name.
        old: String,
        /// New name.
        new: String,
    },
    /// ADD [COLUMN] def; `sql` is the definition's source text.
    AddColumn {
        /// The column.
        column: ColumnDef,
        /// Its source text.
        sql: String,
    },
    /// DROP [COLUMN] name
    DropColumn(String),
}

/// BEGIN's transaction kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionKind {
    /// DEFERRED (default)
    Deferred,
    /// IMMEDIATE
    Immediate,
    /// EXCLUSIVE
    Exclusive,
}

/// `PRAGMA [schema.]name [= value | (value)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pragma {
    /// The pragma (schema and name).
    pub name: QualifiedName,
    /// The value as SQLite passes it to the pragma: dequoted name or
    /// number text, with a leading `-` for negative numbers.
    pub value: Option<String>,
}
