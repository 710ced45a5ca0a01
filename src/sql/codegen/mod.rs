//! Code generation: from a parsed statement to a VDBE [`Program`].
//!
//! SQLite counterpart: select.c, insert.c, update.c, delete.c, build.c,
//! expr.c, where.c — the code generators that run inside the parser's
//! actions. Here they run after parsing, on the AST.
//!
//! Every program has SQLite's shape: `Init` jumps to a prologue at the end
//! that starts the transactions the statement needs (`Transaction` with the
//! schema cookie it was compiled against), then jumps back to the body.
//!
//! Invariants:
//! 1. The program never assumes more about the schema than the cookie it
//!    checks in its `Transaction` instruction.
//! 2. `Program::readonly` is true only when no instruction writes.
//! 3. Errors are SQLite's messages (`no such table: t`, …).

mod agg;
mod alter;
mod alter_sql;
mod analyze;
mod attach;
mod autoinc;
mod builder;
mod columns_read;
mod compound;
mod cte;
mod ddl;
mod dml_limit;
mod eqp;
mod error_offset;
mod explain;
mod expr;
mod expr_jump;
mod exprcmp;
mod fkey;
mod fkey_action;
mod fkey_pragma;
mod from;
mod from_nested;
mod gencol;
mod index_row;
mod indexed_by;
mod insert;
mod join_outer;
mod join_right;
mod modify;
mod nulls_order;
mod onepass;
mod planner;
mod planner_cost;
mod planner_in;
mod planner_loops;
mod planner_or;
mod planner_path;
mod planner_stat;
mod planner_terms;
mod pragma;
mod pragma_xinfo;
mod reindex;
mod returning;
mod select;
mod sort_block;
mod subquery;
mod trigger;
mod txn;
mod update_from;
mod update_rowvalue;
mod upsert;
mod vacuum;
mod view_trigger;
mod vtab;
mod vtab_dml;
mod window;
mod window_spec;
mod without_rowid;

use std::sync::Arc;

pub use builder::{Builder, Label};
pub use error_offset::compile_at;
pub(crate) use planner::walk as walk_expr;

use super::ast::{Explain, Stmt};
use super::parser::Parsed;
use super::schema::{Schema, Table};
use crate::func::Registry;
use crate::record::{Collation, Value};
use crate::vdbe::{Insn, Program};

/// What the compiler may consult.
#[derive(Debug)]
pub struct CompileEnv<'a> {
    /// Schemas by database index (0 = main).
    pub schemas: &'a [Arc<Schema>],
    pub db_names: &'a [String],
    /// File names by database index ("" for in-memory databases).
    pub db_files: &'a [std::path::PathBuf],
    /// The temp database (index 1) is in use: `PRAGMA database_list`
    /// lists it.
    pub temp_open: bool,
    /// Set while a statement is compiled for the database of this index
    /// with that database's schema in slot 0 (codegen/attach.rs).
    pub routed_db: Option<usize>,
    pub registry: &'a Registry,
    pub collations: &'a [Arc<dyn Collation>],
    /// The connection's virtual-table modules and connected tables.
    pub vtabs: &'a Arc<crate::vtab::VTabRegistry>,
    /// PRAGMA foreign_keys: code foreign key checks and actions.
    pub foreign_keys: bool,
    /// PRAGMA defer_foreign_keys (changes RESTRICT and DROP TABLE code).
    pub defer_foreign_keys: bool,
    /// SQLITE_DBCONFIG_ENABLE_TRIGGER: when false, no trigger fires.
    pub enable_triggers: bool,
    /// SQLITE_DBCONFIG_ENABLE_VIEW: when false, reading a view is an error.
    pub enable_views: bool,
}

/// The broad kind of a statement, for the connection-mode check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StmtClass {
    /// Reads only (SELECT, EXPLAIN, read-only PRAGMA).
    Read,
    /// Changes rows (INSERT, UPDATE, DELETE).
    Write,
    /// Changes the schema or the file (DDL, VACUUM, ATTACH, writing PRAGMAs).
    Schema,
    /// BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE.
    Transaction,
}

/// Classifies a statement (EXPLAIN of anything is a read).
pub fn classify(p: &Parsed) -> StmtClass {
    if p.explain.is_some() {
        return StmtClass::Read;
    }
    match &p.stmt {
        Stmt::Select(_) => StmtClass::Read,
        Stmt::Pragma(pr) if pr.value.is_none() => StmtClass::Read,
        Stmt::Insert(_) | Stmt::Update(_) | Stmt::Delete(_) => StmtClass::Write,
        Stmt::Begin(_)
        | Stmt::Commit
        | Stmt::Rollback { .. }
        | Stmt::Savepoint(_)
        | Stmt::Release(_) => StmtClass::Transaction,
        _ => StmtClass::Schema,
    }
}

/// The code generator's state for one statement.
#[derive(Debug)]
pub(crate) struct Gen<'a> {
    pub b: Builder,
    pub env: &'a CompileEnv<'a>,
    /// The statement's SQL text (spans in the AST index into it).
    #[allow(dead_code)]
    pub sql: &'a str,
    /// `Some(write)` once the statement needs a transaction on main.
    pub txn: Option<bool>,
    /// BEGIN EXCLUSIVE: the write transaction takes the EXCLUSIVE lock.
    pub txn_exclusive: bool,
    /// Set when a column resolves to an enclosing query (correlation).
    pub correlated: std::cell::Cell<bool>,
    /// Sources of the enclosing queries while a subquery is compiled.
    pub outer: Vec<expr::Source>,
    /// Outer columns redirected to a GROUP BY sorter row while a subquery
    /// of the aggregate's output is compiled (see `Scope::remap`).
    pub outer_remap: Option<std::collections::HashMap<expr::ColumnKey, (usize, usize)>>,
    /// Common table expressions in scope, innermost last.
    pub ctes: Vec<crate::sql::ast::Cte>,
    /// Register-backed rows (a trigger's NEW and OLD) every scope sees.
    pub trigger_rows: Vec<(usize, Vec<crate::vdbe::Reg>, crate::vdbe::Reg)>,
    /// Triggers being expanded (a trigger does not fire itself again).
    pub active_triggers: Vec<String>,
    /// AUTOINCREMENT sequences of the INSERTs being compiled (table name,
    /// value and row-id registers): an INSERT in a trigger body shares its
    /// table's with the statement that fired it, as SQLite's do.
    pub autoinc_live: Vec<(String, (crate::vdbe::Reg, crate::vdbe::Reg))>,
    /// LIMIT/OFFSET counters an aggregate SELECT (keyed by its address)
    /// computed before its loops, for its output step to reuse.
    pub early_limits: Vec<(usize, select::LimitRegs)>,
    /// Inside a trigger body: where RAISE(IGNORE) jumps.
    pub raise_target: Option<crate::vdbe::Addr>,
    /// Where PRAGMA rows go (a `pragma_xxx` table function materializes them).
    pub pragma_dest: select::Dest,
    /// Per table cursor of the query: every column it reads (`None` =
    /// rowid); lets a loop use a covering index, as SQLite's planner does.
    pub covering_hint: Option<Vec<(usize, Vec<Option<usize>>)>>,
    /// Open covering-index loops; the table's column reads use the index.
    pub covering_remap: Vec<CoveringRemap>,
    /// A full scan may use the covering index of `covering_hint` (not
    /// with ORDER BY, whose sort avoidance assumes rowid order).
    pub covering_scan: bool,
    /// The scan order `scan_delivers_order` chose for a table cursor: the
    /// rowid (None) or index `idx`, backwards when `rev` (planner_cost.rs).
    pub order_scan: Option<(usize, Option<(usize, bool)>)>,
    /// Per table cursor of a cost-planned join: rows (LogEst) of the loops
    /// outside it (planner_stat.rs).
    pub plan_rows: Vec<(usize, i16)>,
    /// INDEXED BY / NOT INDEXED by cursor (indexed_by.rs): the forced index,
    /// `None` for NOT INDEXED.
    pub indexed_by: Vec<(usize, Option<usize>)>,
    /// EXPLAIN QUERY PLAN rows recorded while compiling.
    pub(crate) eqp: eqp::Eqp,
    /// CTEs being materialized (a reference back to one is circular).
    pub cte_active: Vec<String>,
    /// Recursive selects' current-row tables, by synthetic name (cte.rs).
    pub rec_tables: Vec<(String, expr::Source)>,
    /// Virtual-table sources by cursor, with their table-function
    /// arguments (hidden column, value) (vtab.rs).
    pub vtab_cursors: Vec<vtab::VtabSource>,
    /// Row-value SET subqueries waiting for the UPDATE's row loop.
    pub row_value_sets: Vec<update_rowvalue::RowValueSet>,
    /// Instructions hoisted out of the body into the prologue, run once
    /// per execution (SQLite's constant factoring): loads of parameters
    /// and literals that are operands of comparisons, arithmetic and
    /// function calls, which only read them (`Gen::hoisted_operand`).
    pub hoisted: Vec<Insn>,
    /// Parenthesized FROM lists materialized as sources (from_nested.rs).
    pub nested: from_nested::NestedState,
}

/// A table scanned through a covering index: (table cursor, index cursor,
/// (table column, index field) pairs).
pub type CoveringRemap = (usize, usize, Vec<(usize, usize)>);

/// Compiles one parsed statement of `sql`, against the database its names
/// route it to (attach.rs).
pub fn compile(parsed: &Parsed, sql: &str, env: &CompileEnv) -> Result<Program, String> {
    attach::compile_routed(parsed, sql, env, compile_one)
}

fn compile_one(parsed: &Parsed, sql: &str, env: &CompileEnv) -> Result<Program, String> {
    let mut g = Gen {
        b: Builder::new(),
        env,
        sql,
        txn: None,
        txn_exclusive: false,
        correlated: Default::default(),
        outer: Vec::new(),
        outer_remap: None,
        ctes: Vec::new(),
        trigger_rows: Vec::new(),
        active_triggers: Vec::new(),
        autoinc_live: Vec::new(),
        early_limits: Vec::new(),
        raise_target: None,
        pragma_dest: select::Dest::Output,
        covering_hint: None,
        covering_remap: Vec::new(),
        covering_scan: false,
        order_scan: None,
        plan_rows: Vec::new(),
        indexed_by: Vec::new(),
        eqp: eqp::Eqp::new(parsed.explain == Some(Explain::QueryPlan)),
        cte_active: Vec::new(),
        rec_tables: Vec::new(),
        vtab_cursors: Vec::new(),
        row_value_sets: Vec::new(),
        hoisted: Vec::new(),
        nested: Default::default(),
    };
    let init = g.b.emit(Insn::Init { target: 0 });
    g.statement(&parsed.stmt)?;
    g.b.emit(Insn::Halt {
        rc: crate::rc::ResultCode::OK,
        on_error: Default::default(),
        msg: None,
    });
    g.prologue(init);
    let explain = match parsed.explain {
        None => 0,
        Some(Explain::Explain) => 1,
        Some(Explain::QueryPlan) => 2,
    };
    let program = g.b.finish(parsed.params.clone(), 0)?;
    match parsed.explain {
        None => Ok(program),
        Some(Explain::Explain) => {
            explain::explain_program(&program, parsed.params.clone(), explain)
        }
        Some(Explain::QueryPlan) => eqp::eqp_program(g.eqp.rows(), parsed.params.clone()),
    }
}

impl<'a> Gen<'a> {
    fn statement(&mut self, stmt: &Stmt) -> Result<(), String> {
        match stmt {
            Stmt::Select(s) => self.select_statement(s),
            Stmt::Insert(i) => self.with_ctes(i.with.as_ref(), |g| g.insert(i)),
            Stmt::Update(u) => self.with_ctes(u.with.as_ref(), |g| g.update(u)),
            Stmt::Delete(d) => self.with_ctes(d.with.as_ref(), |g| g.delete(d)),
            Stmt::CreateTable(ct) => self.create_table(ct),
            Stmt::CreateIndex(ci) => self.create_index(ci),
            Stmt::Drop(d) => self.drop(d),
            Stmt::Begin(kind) => self.begin(*kind),
            Stmt::Commit => self.commit(),
            Stmt::Rollback { savepoint } => self.rollback(savepoint.as_deref()),
            Stmt::Savepoint(name) => self.savepoint(crate::vdbe::SavepointOp::Begin, name),
            Stmt::Release(name) => self.savepoint(crate::vdbe::SavepointOp::Release, name),
            Stmt::Pragma(p) => self.pragma(p),
            Stmt::CreateView(cv) => self.create_view(cv),
            Stmt::CreateTrigger(ct) => self.create_trigger(ct),
            Stmt::CreateVirtualTable(cv) => self.create_vtable(cv),
            Stmt::AlterTable(a) => self.alter_table(a),
            Stmt::Attach { file, schema, .. } => self.attach(file, schema),
            Stmt::Detach(schema) => self.detach(schema),
            Stmt::Analyze(n) => self.analyze(n.as_ref()),
            Stmt::Vacuum { schema, into } => self.vacuum(schema.as_deref(), into.as_ref()),
            Stmt::Reindex(n) => self.reindex(n.as_ref()),
        }
    }

    /// The scope a new query level starts from: enclosing sources and the
    /// trigger rows.
    pub(crate) fn base_scope(&self) -> expr::Scope {
        expr::Scope {
            outer: self.outer.clone(),
            row_regs: self.trigger_rows.clone(),
            remap: self.outer_remap.clone(),
            ..Default::default()
        }
    }

    /// The schema of the main database.
    pub(crate) fn main_schema(&self) -> &'a Schema {
        &self.env.schemas[0]
    }

    /// The triggers on table or view `name` that may fire: none while
    /// SQLITE_DBCONFIG_ENABLE_TRIGGER is off, except the TEMP triggers on
    /// another database's table, which SQLite still fires then.
    pub(crate) fn live_triggers(&self, name: &str) -> Vec<crate::sql::schema::Trigger> {
        let mut v = self.temp_triggers_on(name);
        if self.env.enable_triggers {
            v.extend(self.main_schema().triggers_on(name));
        }
        v
    }

    /// Looks up a table of the main database, as `no such table: x` if absent.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>, String> {
        self.main_schema().table(name).ok_or_else(|| {
            if self.main_schema().view(name).is_some() {
                format!("cannot modify {name} because it is a view")
            } else {
                format!("no such table: {name}")
            }
        })
    }

    /// Notes that the statement reads (or writes) the main database.
    pub(crate) fn use_db(&mut self, write: bool) {
        self.txn = Some(self.txn.unwrap_or(false) || write);
        if write {
            self.b.readonly = false;
        }
    }

    /// Emits the transaction prologue and points `Init` at it.
    fn prologue(&mut self, init: usize) {
        if self.txn.is_none() && self.hoisted.is_empty() {
            if let Some(Insn::Init { target }) = self.b.insn_mut(init) {
                *target = init + 1;
            }
            return;
        }
        let start = self.b.here();
        if let Some(Insn::Init { target }) = self.b.insn_mut(init) {
            *target = start;
        }
        if let Some(write) = self.txn {
            let cookie = Some(self.main_schema().cookie);
            self.b.emit(Insn::Transaction {
                db: 0,
                write,
                exclusive: self.txn_exclusive,
                schema_cookie: cookie,
            });
        }
        for insn in std::mem::take(&mut self.hoisted) {
            self.b.emit(insn);
        }
        self.b.emit(Insn::Goto { target: init + 1 });
    }
}

/// `sqlite3_expanded_sql`: the SQL with each parameter replaced by its
/// bound value as a literal. `params` are the statement's parameter names
/// by index-1 (as the parser assigned them).
pub fn expand_sql(
    sql: &str,
    params: &[Option<String>],
    binding: &dyn Fn(usize) -> Option<Value>,
) -> String {
    use super::token::TokenKind;
    let z = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut pos, mut next_index) = (0usize, 1usize);
    while let Some((kind, len)) = super::lexer::next_token(z, pos) {
        let text = sql.get(pos..pos + len.max(1)).unwrap_or("");
        if kind == TokenKind::Variable {
            let index = if text == "?" {
                next_index
            } else if let Some(n) = text.strip_prefix('?') {
                n.parse().unwrap_or(next_index)
            } else {
                params
                    .iter()
                    .position(|p| p.as_deref() == Some(text))
                    .map_or(next_index, |i| i + 1)
            };
            next_index = next_index.max(index + 1);
            out.push_str(&literal_text(binding(index).unwrap_or(Value::Null)));
        } else {
            out.push_str(text);
        }
        pos += len.max(1);
    }
    out
}

fn literal_text(v: Value) -> String {
    match v {
        Value::Null => "NULL".to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => crate::printf::render_real(r),
        Value::Text(t) => format!("'{}'", String::from_utf8_lossy(&t).replace('\'', "''")),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            format!("x'{hex}'")
        }
    }
}
