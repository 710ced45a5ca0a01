//! The authorizer: the application's veto over what a statement may do.
//!
//! SQLite counterpart: auth.c (`sqlite3_set_authorizer`, `sqlite3AuthCheck`,
//! `sqlite3AuthReadCol`) and the `SQLITE_*` action codes of sqlite.h.
//!
//! SQLite asks the authorizer from inside the compiler, once per action
//! (one statement-level action, one `SQLITE_READ` per column referenced,
//! one `SQLITE_FUNCTION` per function called, …). loom's compiler (L5) does
//! not call it yet, so the connection runs two checks it can make itself,
//! both on real information:
//!
//! 1. **Statement level** — from the parsed statement, before code
//!    generation: the action of the statement kind (`SQLITE_SELECT`,
//!    `SQLITE_INSERT` + table, `SQLITE_UPDATE` + table + each assigned
//!    column, `SQLITE_CREATE_TABLE` + name, `SQLITE_TRANSACTION` +
//!    "BEGIN"/"COMMIT"/"ROLLBACK", `SQLITE_PRAGMA` + name + value, …).
//! 2. **Program level** — from the compiled program, before it runs:
//!    `SQLITE_READ` (table, column) for every column the program reads
//!    through a table or index cursor, and `SQLITE_FUNCTION` for every
//!    function it calls. `SQLITE_IGNORE` on a read replaces the read by a
//!    NULL, as SQLite does.
//!
//! What is NOT checked until the compiler calls [`Authorizer`] itself:
//! columns referenced but never read through a cursor (e.g. a rowid alias
//! answered by `Rowid`), reads inside views and triggers attributed to the
//! view/trigger (`trigger` argument), `SQLITE_INSERT`/`SQLITE_DELETE` on
//! `sqlite_schema` during DDL, `SQLITE_RECURSIVE`, `SQLITE_ATTACH` file
//! names. See the capi2 report for the exact call sites.
//!
//! Invariants:
//! 1. A `Deny` anywhere fails the prepare with SQLITE_AUTH ("not
//!    authorized", or "access to T.C is prohibited" for a read); nothing
//!    has run.
//! 2. A `Deny` or `Ignore` answer is never cached across prepares: the
//!    authorizer is asked again each time a statement is (re)compiled.
//! 3. A statement-level `Ignore` compiles the statement to a program that
//!    does nothing (SQLite's compiler abandons the statement silently).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::error::ConnError;
use crate::sql::ast::{ObjectKind, QualifiedName, Stmt};
use crate::sql::{Parsed, Schema};
use crate::vdbe::{Insn, Program, RootPage};

/// Action codes (`SQLITE_CREATE_INDEX` … `SQLITE_RECURSIVE`).
pub mod action {
    pub const CREATE_INDEX: i32 = 1;
    pub const CREATE_TABLE: i32 = 2;
    pub const CREATE_TEMP_TABLE: i32 = 4;
    pub const CREATE_TEMP_VIEW: i32 = 6;
    pub const CREATE_TRIGGER: i32 = 7;
    pub const CREATE_VIEW: i32 = 8;
    pub const DELETE: i32 = 9;
    pub const DROP_INDEX: i32 = 10;
    pub const DROP_TABLE: i32 = 11;
    pub const DROP_TRIGGER: i32 = 16;
    pub const DROP_VIEW: i32 = 17;
    pub const INSERT: i32 = 18;
    pub const PRAGMA: i32 = 19;
    pub const READ: i32 = 20;
    pub const SELECT: i32 = 21;
    pub const TRANSACTION: i32 = 22;
    pub const UPDATE: i32 = 23;
    pub const ATTACH: i32 = 24;
    pub const DETACH: i32 = 25;
    pub const ALTER_TABLE: i32 = 26;
    pub const REINDEX: i32 = 27;
    pub const ANALYZE: i32 = 28;
    pub const FUNCTION: i32 = 31;
    pub const SAVEPOINT: i32 = 32;
}

/// The authorizer's answer (`SQLITE_OK`, `SQLITE_DENY`, `SQLITE_IGNORE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthResult {
    Ok,
    Deny,
    Ignore,
    /// Any other value: SQLite reports "authorizer malfunction".
    Malfunction,
}

/// One authorization request (the five arguments of SQLite's callback).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthRequest<'a> {
    pub action: i32,
    pub arg1: Option<&'a str>,
    pub arg2: Option<&'a str>,
    pub db: Option<&'a str>,
    pub trigger: Option<&'a str>,
}

/// The application's authorizer (`sqlite3_set_authorizer`).
pub trait Authorizer: Send + Sync {
    fn authorize(&self, req: &AuthRequest) -> AuthResult;
}

/// The installed authorizer, with a `Debug` the connection can derive.
#[derive(Clone)]
pub struct AuthorizerSlot(pub Arc<dyn Authorizer>);

impl std::fmt::Debug for AuthorizerSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authorizer")
    }
}

fn ask(
    auth: &dyn Authorizer,
    action: i32,
    a1: Option<&str>,
    a2: Option<&str>,
    db: Option<&str>,
) -> Result<AuthResult, ConnError> {
    let r = auth.authorize(&AuthRequest {
        action,
        arg1: a1,
        arg2: a2,
        db,
        trigger: None,
    });
    match r {
        AuthResult::Deny => Err(ConnError::NotAuthorized),
        AuthResult::Malfunction => Err(ConnError::Compile("authorizer malfunction".into())),
        AuthResult::Ok | AuthResult::Ignore => Ok(r),
    }
}

fn schema_of(q: &QualifiedName) -> &str {
    q.schema.as_deref().unwrap_or("main")
}

/// Check 1 of the module doc. `Ok(true)` means "ignore the statement".
pub(crate) fn check_statement(auth: &dyn Authorizer, p: &Parsed) -> Result<bool, ConnError> {
    use action as A;
    let r = match &p.stmt {
        Stmt::Select(_) => ask(auth, A::SELECT, None, None, None)?,
        Stmt::Insert(i) => ask(
            auth,
            A::INSERT,
            Some(&i.table.name),
            None,
            Some(schema_of(&i.table)),
        )?,
        Stmt::Update(u) => {
            let db = Some(schema_of(&u.table));
            let mut r = AuthResult::Ok;
            for c in u.sets.iter().flat_map(|s| s.columns.iter()) {
                if ask(auth, A::UPDATE, Some(&u.table.name), Some(c), db)? == AuthResult::Ignore {
                    r = AuthResult::Ignore;
                }
            }
            r
        }
        Stmt::Delete(d) => ask(
            auth,
            A::DELETE,
            Some(&d.table.name),
            None,
            Some(schema_of(&d.table)),
        )?,
        Stmt::CreateTable(c) => {
            let code = if c.temp {
                A::CREATE_TEMP_TABLE
            } else {
                A::CREATE_TABLE
            };
            ask(
                auth,
                code,
                Some(&c.name.name),
                None,
                Some(schema_of(&c.name)),
            )?
        }
        Stmt::CreateIndex(c) => ask(
            auth,
            A::CREATE_INDEX,
            Some(&c.name.name),
            Some(&c.table),
            Some(schema_of(&c.name)),
        )?,
        Stmt::CreateView(c) => {
            let code = if c.temp {
                A::CREATE_TEMP_VIEW
            } else {
                A::CREATE_VIEW
            };
            ask(
                auth,
                code,
                Some(&c.name.name),
                None,
                Some(schema_of(&c.name)),
            )?
        }
        Stmt::CreateTrigger(c) => ask(
            auth,
            A::CREATE_TRIGGER,
            Some(&c.name.name),
            Some(&c.table.name),
            Some(schema_of(&c.name)),
        )?,
        Stmt::Drop(d) => {
            let code = match d.kind {
                ObjectKind::Table => A::DROP_TABLE,
                ObjectKind::Index => A::DROP_INDEX,
                ObjectKind::View => A::DROP_VIEW,
                ObjectKind::Trigger => A::DROP_TRIGGER,
            };
            ask(
                auth,
                code,
                Some(&d.name.name),
                None,
                Some(schema_of(&d.name)),
            )?
        }
        Stmt::AlterTable(a) => ask(
            auth,
            A::ALTER_TABLE,
            Some(schema_of(&a.table)),
            Some(&a.table.name),
            None,
        )?,
        Stmt::Begin(_) => ask(auth, A::TRANSACTION, Some("BEGIN"), None, None)?,
        Stmt::Commit => ask(auth, A::TRANSACTION, Some("COMMIT"), None, None)?,
        Stmt::Rollback { savepoint: None } => {
            ask(auth, A::TRANSACTION, Some("ROLLBACK"), None, None)?
        }
        Stmt::Rollback {
            savepoint: Some(name),
        } => ask(auth, A::SAVEPOINT, Some("ROLLBACK"), Some(name), None)?,
        Stmt::Savepoint(name) => ask(auth, A::SAVEPOINT, Some("BEGIN"), Some(name), None)?,
        Stmt::Release(name) => ask(auth, A::SAVEPOINT, Some("RELEASE"), Some(name), None)?,
        Stmt::Pragma(pr) => ask(
            auth,
            A::PRAGMA,
            Some(&pr.name.name),
            pr.value.as_deref(),
            pr.name.schema.as_deref(),
        )?,
        Stmt::Attach { .. } => ask(auth, A::ATTACH, None, None, None)?,
        Stmt::Detach(_) => ask(auth, A::DETACH, None, None, None)?,
        Stmt::Analyze(q) => ask(
            auth,
            A::ANALYZE,
            q.as_ref().map(|q| q.name.as_str()),
            None,
            None,
        )?,
        Stmt::Reindex(q) => ask(
            auth,
            A::REINDEX,
            q.as_ref().map(|q| q.name.as_str()),
            None,
            None,
        )?,
        _ => AuthResult::Ok,
    };
    Ok(r == AuthResult::Ignore)
}

/// What a cursor of the program reads: a table, or an index of a table.
struct CursorSource {
    db: String,
    table: Arc<crate::sql::schema::Table>,
    /// For an index cursor: index column i → table column.
    index_map: Option<Vec<Option<usize>>>,
}

fn cursor_sources(
    program: &Program,
    schemas: &[Arc<Schema>],
    db_names: &[String],
) -> HashMap<usize, CursorSource> {
    let mut by_root: HashMap<(usize, u32), (Arc<crate::sql::schema::Table>, Option<usize>)> =
        HashMap::new();
    let mut out = HashMap::new();
    for insn in &program.insns {
        let (cursor, db, root) = match insn {
            Insn::OpenRead {
                cursor,
                db,
                root: RootPage::Page(pg),
                ..
            }
            | Insn::OpenWrite {
                cursor,
                db,
                root: RootPage::Page(pg),
                ..
            } => (*cursor, *db, *pg),
            _ => continue,
        };
        if by_root.is_empty() {
            for (i, s) in schemas.iter().enumerate() {
                for t in s.tables() {
                    for (k, ix) in t.indexes.iter().enumerate() {
                        by_root.insert((i, ix.root), (t.clone(), Some(k)));
                    }
                    by_root.insert((i, t.root), (t.clone(), None));
                }
            }
        }
        let Some((table, index)) = by_root.get(&(db, root)) else {
            continue;
        };
        let index_map = index.and_then(|k| table.indexes.get(k)).map(|ix| {
            ix.columns
                .iter()
                .map(|c| if c.expr.is_some() { None } else { c.column })
                .collect()
        });
        out.insert(
            cursor,
            CursorSource {
                db: db_names.get(db).cloned().unwrap_or_else(|| "main".into()),
                table: table.clone(),
                index_map,
            },
        );
    }
    out
}

/// The table column a `Column` instruction reads, if it reads one.
fn column_name(src: &CursorSource, column: usize) -> Option<&str> {
    let tc = match &src.index_map {
        Some(map) => (*map.get(column)?)?,
        None => column,
    };
    src.table.columns.get(tc).map(|c| c.name.as_str())
}

/// Check 2 of the module doc; rewrites ignored reads to NULL.
pub(crate) fn check_program(
    auth: &dyn Authorizer,
    program: &mut Program,
    schemas: &[Arc<Schema>],
    db_names: &[String],
) -> Result<(), ConnError> {
    let sources = cursor_sources(program, schemas, db_names);
    let mut decided: HashMap<(String, String, String), AuthResult> = HashMap::new();
    let mut functions: BTreeSet<String> = BTreeSet::new();
    for insn in program.insns.iter_mut() {
        match insn {
            Insn::Column {
                cursor,
                column,
                dest,
                ..
            } => {
                let Some(src) = sources.get(cursor) else {
                    continue;
                };
                let Some(col) = column_name(src, *column) else {
                    continue;
                };
                let key = (src.db.clone(), src.table.name.clone(), col.to_string());
                let r = match decided.get(&key) {
                    Some(r) => *r,
                    None => {
                        let r = read_check(auth, &key)?;
                        decided.insert(key, r);
                        r
                    }
                };
                if r == AuthResult::Ignore {
                    *insn = Insn::Null {
                        dest: *dest,
                        count: 1,
                    };
                }
            }
            Insn::Function { func, .. } | Insn::AggStep { func, .. } => {
                functions.insert(func.name.clone());
            }
            _ => {}
        }
    }
    for f in &functions {
        ask(auth, action::FUNCTION, None, Some(f), None)?;
    }
    Ok(())
}

fn read_check(
    auth: &dyn Authorizer,
    (db, table, col): &(String, String, String),
) -> Result<AuthResult, ConnError> {
    let r = auth.authorize(&AuthRequest {
        action: action::READ,
        arg1: Some(table),
        arg2: Some(col),
        db: Some(db),
        trigger: None,
    });
    match r {
        AuthResult::Deny => Err(ConnError::Prohibited(format!(
            "access to {table}.{col} is prohibited"
        ))),
        AuthResult::Malfunction => Err(ConnError::Compile("authorizer malfunction".into())),
        AuthResult::Ok | AuthResult::Ignore => Ok(r),
    }
}
