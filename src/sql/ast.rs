//! The abstract syntax tree the parser builds.
//!
//! SQLite counterpart: the `Expr`, `ExprList`, `Select`, `SrcList`, `IdList`,
//! `Upsert`, `Window`, `Trigger`/`TriggerStep` structures of sqliteInt.h as
//! parse.y's actions build them (before name resolution).
//!
//! Invariants:
//! 1. Every name (`String` fields naming tables, columns, collations,
//!    aliases …) is already dequoted and keeps its original case.
//! 2. Every [`Expr`] carries the byte span `[start, end)` of its source text
//!    in the SQL string the statement was parsed from (`sql[start..end]`).
//! 3. `Box` is used only where the tree recurses; lists are `Vec`s and
//!    optional parts are `Option`s. Nothing is resolved yet: column
//!    references are names, `*` is [`ResultColumn::Star`].
//! 4. Bare `true`/`false` are parsed as column references, as SQLite does;
//!    the resolver turns them into [`Literal::True`]/[`Literal::False`] when
//!    no column has that name (see [`Expr::true_false`]).

/// A half-open byte range `[start, end)` of the SQL text.
pub type Span = (usize, usize);

/// A name with an optional schema qualifier: `[schema.]name`.
#[derive(Clone, Debug, PartialEq)]
pub struct QualifiedName {
    /// The schema (`main`, `temp`, an attached name), if given.
    pub schema: Option<String>,
    /// The object name.
    pub name: String,
}

/// An expression with its source span and tree height.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is in the SQL text.
    pub span: Span,
    /// Height of the tree rooted here (leaf = 1), as SQLite's `Expr.nHeight`.
    pub height: u32,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// An integer literal's text, e.g. `"42"` or `"0x1F"` (sign not included).
    Integer(String),
    /// A real literal's text, e.g. `"1.5e3"` or `".5"`.
    Real(String),
    /// A string literal, dequoted.
    String(String),
    /// A blob literal's bytes.
    Blob(Vec<u8>),
    /// `NULL`
    Null,
    /// `CURRENT_TIME`
    CurrentTime,
    /// `CURRENT_DATE`
    CurrentDate,
    /// `CURRENT_TIMESTAMP`
    CurrentTimestamp,
    /// `TRUE` (produced by the parser only for `DEFAULT true`).
    True,
    /// `FALSE` (produced by the parser only for `DEFAULT false`).
    False,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Negate,
    /// `+x`
    Plus,
    /// `~x`
    BitNot,
    /// `NOT x`
    Not,
}

/// Infix operators (LIKE-family, BETWEEN and IN have their own nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `IS` and `IS NOT DISTINCT FROM`
    Is,
    /// `IS NOT` and `IS DISTINCT FROM`
    IsNot,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Remainder,
    /// `||`
    Concat,
    /// `->` (calls the `->` function: JSON extraction as JSON)
    Arrow,
    /// `->>` (calls the `->>` function: JSON extraction as SQL value)
    Arrow2,
}

/// The pattern-matching operators; each is a call of the function of the
/// same name (`like(pattern, x [, escape])`, `glob`, `regexp`, `match`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LikeOp {
    /// `LIKE`
    Like,
    /// `GLOB`
    Glob,
    /// `REGEXP`
    Regexp,
    /// `MATCH`
    Match,
}

/// The first argument of `RAISE(...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaiseAction {
    /// `RAISE(IGNORE)`
    Ignore,
    /// `RAISE(ROLLBACK, msg)`
    Rollback,
    /// `RAISE(ABORT, msg)`
    Abort,
    /// `RAISE(FAIL, msg)`
    Fail,
}

/// The arguments of a function call.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionArgs {
    /// `f(*)`
    Star,
    /// `f(a, b, ...)` (possibly empty: `f()`).
    List(Vec<Expr>),
}

/// A function call, aggregate or window function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionCall {
    /// The function name as written (original case).
    pub name: String,
    /// `f(DISTINCT x)`
    pub distinct: bool,
    /// The arguments.
    pub args: FunctionArgs,
    /// `group_concat(x ORDER BY y)` (empty when absent).
    pub order_by: Vec<OrderingTerm>,
    /// `FILTER (WHERE expr)`
    pub filter: Option<Box<Expr>>,
    /// `OVER (...)` or `OVER name`.
    pub over: Option<Over>,
}

/// The window of a window-function call.
#[derive(Clone, Debug, PartialEq)]
pub enum Over {
    /// `OVER name`
    Name(String),
    /// `OVER (window-spec)`
    Window(Box<Window>),
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// `[schema.][table.]column`.
    Column {
        /// Schema qualifier.
        schema: Option<String>,
        /// Table qualifier.
        table: Option<String>,
        /// Column name.
        column: String,
        /// The bare name was written `"like this"`: if no column matches,
        /// SQLite treats it as a string literal.
        double_quoted: bool,
    },
    /// A bound parameter.
    Variable {
        /// 1-based parameter index, assigned as SQLite does.
        index: u32,
        /// The parameter text (`?1`, `:name`, …); `None` for a bare `?`.
        name: Option<String>,
    },
    /// A prefix operator.
    Unary(UnaryOp, Box<Expr>),
    /// An infix operator.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `expr COLLATE name`
    Collate(Box<Expr>, String),
    /// `CAST(expr AS type)`; the type text as SQLite stores column types.
    Cast(Box<Expr>, Option<String>),
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`
    Case {
        /// The optional operand after CASE.
        operand: Option<Box<Expr>>,
        /// (WHEN, THEN) pairs, at least one.
        when_then: Vec<(Expr, Expr)>,
        /// The ELSE result.
        else_expr: Option<Box<Expr>>,
    },
    /// `expr [NOT] BETWEEN low AND high`
    Between {
        /// The tested value.
        expr: Box<Expr>,
        /// NOT BETWEEN.
        negated: bool,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
    },
    /// `expr [NOT] IN (list)` (the list may be empty).
    InList {
        /// The tested value.
        expr: Box<Expr>,
        /// NOT IN.
        negated: bool,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `expr [NOT] IN (select)`
    InSelect {
        /// The tested value.
        expr: Box<Expr>,
        /// NOT IN.
        negated: bool,
        /// The subquery.
        select: Box<Select>,
    },
    /// `expr [NOT] IN [schema.]table` or `IN table_function(args)`.
    InTable {
        /// The tested value.
        expr: Box<Expr>,
        /// NOT IN.
        negated: bool,
        /// The table or table-valued function.
        table: QualifiedName,
        /// Arguments when written as a table-valued function call.
        args: Option<Vec<Expr>>,
    },
    /// `expr [NOT] LIKE|GLOB|REGEXP|MATCH pattern [ESCAPE e]`
    Like {
        /// Which operator.
        op: LikeOp,
        /// NOT LIKE etc.
        negated: bool,
        /// The left operand (the string tested).
        expr: Box<Expr>,
        /// The right operand (the pattern).
        pattern: Box<Expr>,
        /// The ESCAPE expression.
        escape: Option<Box<Expr>>,
    },
    /// `expr ISNULL` and `expr IS NULL` (negated = false); `expr NOTNULL`,
    /// `expr NOT NULL` and `expr IS NOT NULL` (negated = true).
    IsNull(Box<Expr>, bool),
    /// `EXISTS (select)` (`NOT EXISTS` is `Unary(Not, Exists)`).
    Exists(Box<Select>),
    /// `(select)` used as a value.
    Subquery(Box<Select>),
    /// A row value `(a, b, ...)` with at least two terms.
    Row(Vec<Expr>),
    /// A function call.
    Function(Box<FunctionCall>),
    /// `RAISE(action[, message])`
    Raise(RaiseAction, Option<String>),
}

impl Expr {
    /// The text of this expression in `sql` (the string it was parsed from).
    pub fn text<'a>(&self, sql: &'a str) -> &'a str {
        sql.get(self.span.0..self.span.1).unwrap_or("")
    }

    /// `Some(true|false)` if this is a bare, unquoted `true`/`false` name
    /// that the resolver should read as a boolean literal when no column of
    /// that name exists (SQLite's `sqlite3ExprIdToTrueFalse`).
    pub fn true_false(&self) -> Option<bool> {
        match &self.kind {
            ExprKind::Column {
                schema: None,
                table: None,
                column,
                double_quoted: false,
            } => {
                if column.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if column.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// `ASC` / `DESC`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

/// `NULLS FIRST` / `NULLS LAST`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsOrder {
    /// `NULLS FIRST`
    First,
    /// `NULLS LAST`
    Last,
}

/// One ORDER BY term; also an indexed column of an index or of a
/// PRIMARY KEY/UNIQUE constraint or an upsert target.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderingTerm {
    /// The expression (a COLLATE, if written, is part of it).
    pub expr: Expr,
    /// ASC/DESC if written.
    pub order: Option<SortOrder>,
    /// NULLS FIRST/LAST if written.
    pub nulls: Option<NullsOrder>,
}

/// `WINDOW name AS (window)` in a SELECT.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowDef {
    /// The window's name.
    pub name: String,
    /// Its definition.
    pub window: Window,
}

/// A window specification.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// The base window this one extends, if named.
    pub base: Option<String>,
    /// PARTITION BY terms.
    pub partition_by: Vec<Expr>,
    /// ORDER BY terms.
    pub order_by: Vec<OrderingTerm>,
    /// The frame, if given.
    pub frame: Option<FrameSpec>,
}

/// `RANGE|ROWS|GROUPS` in a frame specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnit {
    /// `ROWS`
    Rows,
    /// `RANGE`
    Range,
    /// `GROUPS`
    Groups,
}

/// One end of a window frame.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `expr PRECEDING`
    Preceding(Box<Expr>),
    /// `CURRENT ROW`
    CurrentRow,
    /// `expr FOLLOWING`
    Following(Box<Expr>),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// `EXCLUDE ...` in a frame specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameExclude {
    /// `EXCLUDE NO OTHERS`
    NoOthers,
    /// `EXCLUDE CURRENT ROW`
    CurrentRow,
    /// `EXCLUDE GROUP`
    Group,
    /// `EXCLUDE TIES`
    Ties,
}

/// A window frame. Without BETWEEN, `end` is [`FrameBound::CurrentRow`].
#[derive(Clone, Debug, PartialEq)]
pub struct FrameSpec {
    /// The unit.
    pub unit: FrameUnit,
    /// Frame start.
    pub start: FrameBound,
    /// Frame end.
    pub end: FrameBound,
    /// EXCLUDE clause, if any.
    pub exclude: Option<FrameExclude>,
}

pub use super::ast_stmt::*;
