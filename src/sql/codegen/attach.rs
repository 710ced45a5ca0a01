//! ATTACH / DETACH code generation and routing a statement to the database
//! it names (`aux.t`, `temp.t`, TEMP objects, unqualified lookup).
//!
//! SQLite counterpart: `sqlite3Attach` / `sqlite3Detach` (attach.c) and the
//! schema part of name resolution (`sqlite3LocateTable`,
//! `sqlite3TwoPartName`, `sqlite3FixSrcList` in build.c / attach.c).
//!
//! Routing: the code generators compile against `schemas[0]` and emit
//! `db: 0`. A statement whose tables all live in one database `d` is
//! compiled with `d`'s schema in slot 0, with the schema qualifiers and
//! TEMP flags stripped from its AST, and every `db` operand of the program
//! is then rewritten to `d` ([`retarget`]).
//!
//! Invariants:
//! 1. Unqualified names resolve temp → main → attached databases in the
//!    order they were attached, as SQLite's `sqlite3FindTable`.
//! 2. A statement that names tables of several databases is compiled
//!    against the routed database's schema merged with those tables
//!    ([`merged_schema`]); a name used in two databases is keyed by its
//!    qualifier, or by [`UNQUALIFIED`] for the unqualified use.
//! 3. CREATE TEMP … and `temp.` objects go to database 1; a qualified
//!    CREATE goes to the named database, "unknown database x" otherwise.
//! 4. Temp views and temp triggers may name tables of any database: a
//!    statement reading a temp view, or writing a table with temp
//!    triggers on it, also routes the tables their texts name.

use std::borrow::Cow;
use std::sync::Arc;

use super::{CompileEnv, Gen};
use crate::sql::ast::{Expr, ExprKind, Literal, QualifiedName};
use crate::sql::ast_ddl::ObjectKind;
use crate::sql::ast_stmt::Stmt;
use crate::sql::lexer::{dequote, next_token};
use crate::sql::parser::Parsed;
use crate::sql::token::TokenKind;
use crate::sql::Schema;
use crate::vdbe::{Insn, Program};

/// Index of the temp database.
const TEMP: usize = 1;

/// The schema-key prefix (`<mark>.name`) of another database's table that
/// the statement names unqualified while naming the routed database's
/// table of the same name qualified (`INSERT INTO aux.t SELECT * FROM t`).
/// No identifier can be a NUL, so the key names no real schema.
pub(crate) const UNQUALIFIED: &str = "\u{0}";

impl Gen<'_> {
    /// `ATTACH file AS name [KEY key]` (the key is evaluated and ignored).
    pub(super) fn attach(&mut self, file: &Expr, schema: &Expr) -> Result<(), String> {
        let args = self.b.alloc_regs(2);
        let scope = self.base_scope();
        self.expr_into(&name_as_string(file), &scope, args)?;
        self.expr_into(&name_as_string(schema), &scope, args + 1)?;
        self.b.readonly = false;
        self.b.emit(Insn::AttachDb {
            args,
            detach: false,
        });
        Ok(())
    }

    /// `DETACH name`.
    pub(super) fn detach(&mut self, schema: &Expr) -> Result<(), String> {
        let args = self.b.alloc_reg();
        let scope = self.base_scope();
        self.expr_into(&name_as_string(schema), &scope, args)?;
        self.b.readonly = false;
        self.b.emit(Insn::AttachDb { args, detach: true });
        Ok(())
    }
}

/// A bare identifier operand of ATTACH/DETACH is a string, as in SQLite.
fn name_as_string(e: &Expr) -> Expr {
    match &e.kind {
        ExprKind::Column {
            schema: None,
            table: None,
            column,
            ..
        } => Expr {
            kind: ExprKind::Literal(Literal::String(column.clone())),
            ..e.clone()
        },
        _ => e.clone(),
    }
}

/// Where a statement runs: its database and the AST with qualifiers
/// stripped; `qualified` = the qualifier as written, for error texts.
#[derive(Debug)]
pub(super) struct Route {
    pub db: usize,
    /// The statement with qualifiers and TEMP stripped (`None`: as parsed).
    pub parsed: Option<Parsed>,
    pub qualified: Option<(String, String)>,
    /// Tables of other databases the statement reads.
    pub others: Vec<Ref>,
}

/// A table reference: name, database, schema qualifier as written when
/// the name alone is ambiguous in the statement.
pub(super) type Ref = (String, usize, Option<String>);

/// What routing decided: (database, qualifier as written, tables of
/// other databases).
type Target = (usize, Option<(String, String)>, Vec<Ref>);

/// Decides which database `parsed` works on; `None` = main as is.
pub(super) fn route(parsed: &Parsed, sql: &str, env: &CompileEnv) -> Result<Option<Route>, String> {
    if env.schemas.len() <= 1 {
        return Ok(None);
    }
    let r = Resolver { env };
    if let Stmt::Insert(_) | Stmt::Update(_) | Stmt::Delete(_) | Stmt::Select(_) = &parsed.stmt {
        // Compiled as parsed: the code generators ignore FROM qualifiers.
        let (db, qualified, others) = r.scan_target(&parsed.stmt, statement_text(parsed, sql))?;
        if db == 0 && qualified.is_none() && others.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Route {
            db,
            parsed: None,
            qualified,
            others,
        }));
    }
    let mut p = parsed.clone();
    let (db, qualified, others) = match &mut p.stmt {
        Stmt::CreateTable(ct) => {
            let mut t = one(r.create_target(&mut ct.name, ct.temp, None)?);
            ct.temp = false;
            if matches!(ct.body, crate::sql::ast_ddl::CreateTableBody::AsSelect(_)) {
                let (mut refs, mut q) = (Vec::new(), None);
                r.scan_refs(statement_text(parsed, sql), &mut refs, &mut q);
                t.2 = others_of(&refs, t.0)?;
            }
            t
        }
        Stmt::CreateView(cv) => {
            let t = one(r.create_target(&mut cv.name, cv.temp, None)?);
            cv.temp = false;
            t
        }
        Stmt::CreateIndex(ci) => {
            let owner = r.lookup(&ci.table, Kind::Table);
            let q = ci.name.schema.clone().map(|s| (s, ci.table.clone()));
            let (db, _) = r.create_target(&mut ci.name, false, owner)?;
            (db, q, Vec::new())
        }
        Stmt::CreateTrigger(ct) => {
            let owner = match ct.table.schema.take() {
                Some(s) => Some(r.db_named(&s).ok_or(format!("unknown database {s}"))?),
                None => r.lookup(&ct.table.name, Kind::Any),
            };
            // A TEMP trigger on another database's table lives in temp
            // and sees that table through the merged schema.
            let table_db = owner.filter(|&d| ct.temp && d != TEMP);
            let owner = if ct.temp { Some(TEMP) } else { owner };
            let mut t = one(r.create_target(&mut ct.name, ct.temp, owner)?);
            if let Some(d) = table_db {
                t.2 = vec![(ct.table.name.clone(), d, None)];
            }
            ct.temp = false;
            t
        }
        Stmt::Drop(d) => {
            let kind = match d.kind {
                ObjectKind::Index => Kind::Index,
                ObjectKind::Trigger => Kind::Trigger,
                ObjectKind::View => Kind::View,
                ObjectKind::Table => Kind::Table,
            };
            one(r.named_target(&mut d.name, kind)?)
        }
        Stmt::AlterTable(a) => one(r.named_target(&mut a.table, Kind::Table)?),
        Stmt::Reindex(Some(q)) => one(r.reindex_target(q)?),
        Stmt::Pragma(pr) => one(r.pragma_target(pr)?),
        Stmt::Vacuum {
            schema: Some(s), ..
        } => match r.db_named(s) {
            Some(db) => (db, None, Vec::new()),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    if db == 0 && qualified.is_none() && others.is_empty() && p == *parsed {
        return Ok(None);
    }
    Ok(Some(Route {
        db,
        parsed: Some(p),
        qualified,
        others,
    }))
}

/// The text of the statement (the whole text when the span is stale).
fn statement_text<'s>(parsed: &Parsed, sql: &'s str) -> &'s str {
    sql.get(parsed.sql_span.0..parsed.sql_span.1).unwrap_or(sql)
}

fn one((db, q): (usize, Option<(String, String)>)) -> Target {
    (db, q, Vec::new())
}

/// Compiles `parsed` routed to its database (see the module doc).
pub(super) fn compile_routed(
    parsed: &Parsed,
    sql: &str,
    env: &CompileEnv,
    compile: impl Fn(&Parsed, &str, &CompileEnv) -> Result<Program, String>,
) -> Result<Program, String> {
    if let Stmt::Begin(kind) = &parsed.stmt {
        use crate::sql::ast::TransactionKind;
        if *kind != TransactionKind::Deferred && env.schemas.len() > 2 {
            // BEGIN IMMEDIATE / EXCLUSIVE reserves every attached database.
            let mut program = compile(parsed, sql, env)?;
            let dbs: Vec<(usize, bool)> = (2..env.schemas.len()).map(|d| (d, true)).collect();
            add_transactions(&mut program, env, &dbs, *kind == TransactionKind::Exclusive);
            return Ok(program);
        }
    }
    let Some(route) = route(parsed, sql, env)? else {
        return compile(parsed, sql, env);
    };
    let mut schemas: Vec<Arc<Schema>> = env.schemas.to_vec();
    schemas.swap(0, route.db);
    if !route.others.is_empty() {
        schemas[0] = Arc::new(merged_schema(env, route.db, &route.others)?);
    }
    let env2 = CompileEnv {
        schemas: &schemas,
        routed_db: Some(route.db),
        ..*env
    };
    let mut program =
        compile(route.parsed.as_ref().unwrap_or(parsed), sql, &env2).map_err(|e| {
            match &route.qualified {
                Some((schema, name)) if e == format!("no such table: {name}") => {
                    format!("no such table: {schema}.{name}")
                }
                _ => e,
            }
        })?;
    retarget(&mut program, route.db);
    if !route.others.is_empty() {
        retarget_tagged(&mut program, env);
    }
    Ok(program)
}

/// Bits of a root page number that carry a database tag (see
/// [`merged_schema`]); real roots stay below 2^24.
const TAG_SHIFT: u32 = 24;

/// The schema of `db` plus the tables of other databases the statement
/// reads, their root pages tagged with `database + 1` in the high bits.
fn merged_schema(env: &CompileEnv, db: usize, others: &[Ref]) -> Result<Schema, String> {
    let base = env.schemas.get(db).ok_or("no such database")?;
    let mut s: Schema = (**base).clone();
    for (name, d, schema) in others {
        let Some(t) = env.schemas.get(*d).and_then(|sch| sch.table(name)) else {
            // A temp view the statement reads (invariant 4).
            if let (TEMP, None, Some(v)) = (
                *d,
                schema,
                env.schemas.get(*d).and_then(|sch| sch.view(name)),
            ) {
                s.put_view(v.clone());
            }
            continue;
        };
        let tag = (*d as u32 + 1) << TAG_SHIFT;
        let mut t = (*t).clone();
        let too_big =
            t.root >> TAG_SHIFT != 0 || t.indexes.iter().any(|i| i.root >> TAG_SHIFT != 0);
        if too_big || *d >= 255 {
            return Err("statements over several databases with tables beyond page 16777215 are not supported by loom yet".into());
        }
        t.root |= tag;
        for i in &mut t.indexes {
            i.root |= tag;
        }
        match schema {
            Some(q) => s.put_table(&format!("{q}.{name}"), Arc::new(t)),
            None => s.put_table(name, Arc::new(t)),
        }
    }
    Ok(s)
}

/// Gives every tagged root page its database back, and starts a
/// transaction on each of those databases in the prologue.
fn retarget_tagged(program: &mut Program, env: &CompileEnv) {
    let mut used: Vec<(usize, bool)> = Vec::new();
    for insn in &mut program.insns {
        let (d, root, write) = match insn {
            Insn::OpenRead {
                db,
                root: crate::vdbe::RootPage::Page(r),
                ..
            } => (db, r, false),
            Insn::OpenWrite {
                db,
                root: crate::vdbe::RootPage::Page(r),
                ..
            } => (db, r, true),
            _ => continue,
        };
        let tag = (*root >> TAG_SHIFT) as usize;
        if tag == 0 {
            continue;
        }
        *d = tag - 1;
        *root &= (1 << TAG_SHIFT) - 1;
        match used.iter_mut().find(|u| u.0 == tag - 1) {
            Some(u) => u.1 |= write,
            None => used.push((tag - 1, write)),
        }
    }
    add_transactions(program, env, &used, false);
}

/// Appends `Transaction` instructions for `dbs` to the prologue: the
/// prologue's closing `Goto` jumps to them, and they jump back.
fn add_transactions(
    program: &mut Program,
    env: &CompileEnv,
    dbs: &[(usize, bool)],
    exclusive: bool,
) {
    let n = program.insns.len();
    // The prologue starts at Init's target and ends with the `Goto` back
    // to the instruction after Init (hoisted constants may sit between
    // its Transaction and that Goto).
    let Some(&Insn::Init { target: start }) = program.insns.first() else {
        return;
    };
    if start <= 1 {
        return; // no prologue
    }
    let Some(goto_at) =
        (start..n).find(|&i| matches!(program.insns.get(i), Some(Insn::Goto { target: 1 })))
    else {
        return;
    };
    let Some(Insn::Goto { target }) = program.insns.get(goto_at).cloned() else {
        return;
    };
    if let Some(Insn::Goto { target: t }) = program.insns.get_mut(goto_at) {
        *t = n;
    }
    for &(db, write) in dbs {
        program.insns.push(Insn::Transaction {
            db,
            write,
            exclusive,
            schema_cookie: env.schemas.get(db).map(|s| s.cookie),
        });
    }
    program.insns.push(Insn::Goto { target });
}

/// Rewrites every database operand 0 of `program` to `db`.
pub(super) fn retarget(program: &mut Program, db: usize) {
    if db == 0 {
        return;
    }
    for insn in &mut program.insns {
        match insn {
            Insn::Transaction { db: d, .. }
            | Insn::ReadCookie { db: d, .. }
            | Insn::SetCookie { db: d, .. }
            | Insn::CreateBtree { db: d, .. }
            | Insn::Destroy { db: d, .. }
            | Insn::Clear { db: d, .. }
            | Insn::Pragma { db: d, .. }
            | Insn::ParseSchema { db: d }
            | Insn::OpenRead { db: d, .. }
            | Insn::OpenWrite { db: d, .. }
                if *d == 0 =>
            {
                *d = db
            }
            _ => {}
        }
    }
}

/// What kind of object a name is looked up as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Table,
    View,
    Index,
    Trigger,
    /// A table or a view (FROM items).
    Any,
}

struct Resolver<'a, 'b> {
    env: &'a CompileEnv<'b>,
}

impl Resolver<'_, '_> {
    /// Index of the database called `name`.
    fn db_named(&self, name: &str) -> Option<usize> {
        self.env
            .db_names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The search order of unqualified names (invariant 1).
    fn order(&self) -> impl Iterator<Item = usize> {
        let n = self.env.schemas.len();
        [TEMP, 0].into_iter().chain(2..n).filter(move |&i| i < n)
    }

    fn has(&self, db: usize, name: &str, kind: Kind) -> bool {
        let Some(s) = self.env.schemas.get(db) else {
            return false;
        };
        // An empty temp schema holds only its schema table: other names
        // need no probe (the common case).
        if db == TEMP && s.rows.is_empty() && !is_temp_schema_name(name) && !is_schema_name(name) {
            return false;
        }
        match kind {
            Kind::Table => s.table(name).is_some(),
            Kind::View => s.view(name).is_some(),
            Kind::Index => s.index(name).is_some(),
            Kind::Trigger => s.trigger(name).is_some(),
            Kind::Any => s.table(name).is_some() || s.view(name).is_some(),
        }
    }

    /// The first database holding `name` (invariant 1).
    fn lookup(&self, name: &str, kind: Kind) -> Option<usize> {
        if kind == Kind::Any && is_temp_schema_name(name) {
            return Some(TEMP);
        }
        self.order()
            .find(|&db| (db != TEMP || !is_schema_name(name)) && self.has(db, name, kind))
    }

    /// CREATE [TEMP] x: strips the qualifier, returns the database.
    fn create_target(
        &self,
        name: &mut QualifiedName,
        temp: bool,
        owner: Option<usize>,
    ) -> Result<(usize, Option<(String, String)>), String> {
        let db = match name.schema.take() {
            Some(s) => {
                let db = self.db_named(&s).ok_or(format!("unknown database {s}"))?;
                if temp && db != TEMP {
                    return Err("temporary table name must be unqualified".into());
                }
                db
            }
            None if temp => TEMP,
            None => owner.unwrap_or(0),
        };
        Ok((db, None))
    }

    /// DROP / ALTER of `[schema.]name`.
    fn named_target(
        &self,
        name: &mut QualifiedName,
        kind: Kind,
    ) -> Result<(usize, Option<(String, String)>), String> {
        match name.schema.take() {
            Some(s) => {
                let q = Some((s.clone(), name.name.clone()));
                match self.db_named(&s) {
                    Some(db) => Ok((db, q)),
                    None => Err(format!("no such {}: {s}.{}", kind_word(kind), name.name)),
                }
            }
            None => Ok((self.lookup(&name.name, kind).unwrap_or(0), None)),
        }
    }

    /// REINDEX [schema.]name: the named database (the qualifier becomes
    /// `main`, so the name is still not taken for a collation); an
    /// unqualified name is looked up in main only, as SQLite 3.40 does.
    fn reindex_target(
        &self,
        q: &mut QualifiedName,
    ) -> Result<(usize, Option<(String, String)>), String> {
        if let Some(s) = q.schema.as_mut() {
            let db = self.db_named(s).ok_or(format!("unknown database {s}"))?;
            *s = "main".to_string();
            return Ok((db, None));
        }
        Ok((0, None))
    }

    /// PRAGMA [schema.]name[(arg)]: unqualified table pragmas follow the
    /// table's database.
    fn pragma_target(
        &self,
        pr: &mut crate::sql::ast_ddl::Pragma,
    ) -> Result<(usize, Option<(String, String)>), String> {
        if let Some(s) = pr.name.schema.take() {
            let db = self.db_named(&s).ok_or(format!("unknown database {s}"))?;
            return Ok((db, None));
        }
        let lower = pr.name.name.to_ascii_lowercase();
        let arg = pr.value.as_deref().map(dequote).unwrap_or_default();
        let db = match lower.as_str() {
            "table_info" | "table_xinfo" | "index_list" | "foreign_key_list" => {
                self.lookup(&arg, Kind::Any)
            }
            "index_info" | "index_xinfo" => self.lookup(&arg, Kind::Index),
            _ => None,
        };
        Ok((db.unwrap_or(0), None))
    }

    /// SELECT / INSERT / UPDATE / DELETE: the databases of every table
    /// the text names (invariant 2).
    fn scan_target(&self, stmt: &Stmt, text: &str) -> Result<Target, String> {
        let mut refs: Vec<Ref> = Vec::new();
        let mut qualified = None;
        if let Some(t) = dml_target(stmt) {
            if let Some(s) = &t.schema {
                let db = self
                    .db_named(s)
                    .ok_or(format!("no such table: {s}.{}", t.name))?;
                qualified = Some((s.clone(), t.name.clone()));
                refs.push((t.name.clone(), db, None));
            } else if let Some(db) = self.lookup(&t.name, Kind::Any) {
                refs.push((t.name.clone(), db, None));
            }
        }
        self.scan_refs(text, &mut refs, &mut qualified);
        self.scan_temp_objects(&mut refs);
        let Some(&(_, primary, _)) = refs.first() else {
            return Ok((0, None, Vec::new()));
        };
        let others = others_of(&refs, primary)?;
        let toks = tokens(text);
        for (name, _, schema) in &others {
            if schema.as_deref() == Some(UNQUALIFIED) && names_column_of(&toks, name) {
                // Column references do not carry their database here, so
                // `db.t.col` could bind to the wrong one of the two tables.
                return Err(format!(
                    "one statement naming {name} in two databases with db.{name}.column references is not supported by loom yet"
                ));
            }
        }
        let qualified = qualified.filter(|_| others.is_empty());
        Ok((primary, qualified, others))
    }

    /// Adds the tables named inside the temp views the statement reads and
    /// inside the temp triggers on the table it writes (first ref): TEMP
    /// objects may name the tables of every database (invariant 4).
    fn scan_temp_objects(&self, refs: &mut Vec<Ref>) {
        let Some(temp) = self.env.schemas.get(TEMP).filter(|s| !s.rows.is_empty()) else {
            return;
        };
        let mut texts: Vec<String> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        // Refs from index `from_triggers` on were named by trigger bodies:
        // the tables they write may have temp triggers too.
        let mut from_triggers = refs.len();
        if let Some((name, db, _)) = refs.first() {
            if *db != TEMP {
                seen.push(name.clone());
                texts.extend(temp_trigger_texts(temp, name));
                from_triggers = refs.len();
            }
        }
        let mut i = 0;
        loop {
            while let Some(text) = texts.pop() {
                let mut q = None;
                self.scan_refs(&text, refs, &mut q);
            }
            let Some((name, db, _)) = refs.get(i).cloned() else {
                break;
            };
            i += 1;
            if seen.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
                continue;
            }
            if db == TEMP {
                if let Some(v) = temp.view(&name) {
                    seen.push(name);
                    texts.push(v.sql.clone());
                }
            } else if i > from_triggers {
                let more = temp_trigger_texts(temp, &name);
                if !more.is_empty() {
                    seen.push(name);
                    texts.extend(more);
                }
            }
        }
    }

    /// Every `[schema.]table` the text names that exists somewhere, with
    /// its database; `qualified` = the first qualified one as written.
    fn scan_refs(&self, text: &str, refs: &mut Vec<Ref>, qualified: &mut Option<(String, String)>) {
        let toks = tokens(text);
        let mut looked_up: Vec<(&str, Option<usize>)> = Vec::new();
        for (i, (kind, word)) in toks.iter().enumerate() {
            let prev_dot = i > 0 && matches!(toks.get(i - 1), Some((TokenKind::Dot, _)));
            let next = toks.get(i + 1).map(|t| t.0);
            let named = matches!(kind, TokenKind::Id | TokenKind::Keyword(_));
            if !named || prev_dot {
                continue;
            }
            if next == Some(TokenKind::Dot) {
                let after = toks.get(i + 2);
                let third = toks.get(i + 3).map(|t| t.0);
                if let (Some(db), Some((TokenKind::Id | TokenKind::Keyword(_), n))) =
                    (self.db_named(word), after)
                {
                    if third != Some(TokenKind::Dot) || self.has(db, n, Kind::Any) {
                        qualified.get_or_insert((word.to_string(), n.to_string()));
                        refs.push((n.to_string(), db, Some(word.to_string())));
                    }
                }
                continue;
            }
            if *kind == TokenKind::Id && next != Some(TokenKind::LParen) {
                // Column names repeat: each distinct word is looked up once.
                let found = match looked_up.iter().find(|(w, _)| *w == word.as_ref()) {
                    Some(&(_, db)) => db,
                    None => {
                        let db = self.lookup(word, Kind::Any);
                        looked_up.push((word.as_ref(), db));
                        db
                    }
                };
                if let Some(db) = found {
                    refs.push((word.to_string(), db, None));
                }
            }
        }
    }
}

/// The CREATE TRIGGER texts of the temp triggers on a table `name`.
fn temp_trigger_texts(temp: &Schema, name: &str) -> Vec<String> {
    temp.rows
        .iter()
        .filter(|r| r.kind == "trigger" && r.tbl_name.eq_ignore_ascii_case(name))
        .filter_map(|r| r.sql.clone())
        .collect()
}

impl Gen<'_> {
    /// The temp triggers on table `name` of the database the statement
    /// works on, when that is not temp itself (SQLite lists them before
    /// the table's own triggers).
    pub(crate) fn temp_triggers_on(&self, name: &str) -> Vec<crate::sql::schema::Trigger> {
        let routed = self.env.routed_db.unwrap_or(0);
        if routed == TEMP {
            return Vec::new();
        }
        // A table of another database in a merged schema carries its
        // database in its root page's tag.
        let table_db = match self.main_schema().table(name) {
            Some(t) if t.root >> TAG_SHIFT != 0 => (t.root >> TAG_SHIFT) as usize - 1,
            _ => routed,
        };
        if table_db == TEMP {
            return Vec::new();
        }
        // Slot of database `d` after routing swapped `routed` into 0.
        let slot = |d: usize| match d {
            d if d == routed => 0,
            0 => routed,
            d => d,
        };
        let Some(temp) = self.env.schemas.get(TEMP) else {
            return Vec::new();
        };
        if !temp.rows.iter().any(|r| r.kind == "trigger") || temp.table(name).is_some() {
            return Vec::new();
        }
        let schema_has = |d: usize| {
            self.env
                .schemas
                .get(slot(d))
                .is_some_and(|s| s.table(name).is_some())
        };
        temp.triggers_on(name)
            .into_iter()
            .filter(|t| {
                let target = match t.def.table.schema.as_deref() {
                    Some(s) => self
                        .env
                        .db_names
                        .iter()
                        .position(|n| n.eq_ignore_ascii_case(s)),
                    None => std::iter::once(0)
                        .chain(2..self.env.schemas.len())
                        .find(|&d| schema_has(d)),
                };
                target == Some(table_db)
            })
            .rev()
            .collect()
    }
}

/// The references of `refs` outside database `primary`, once each.
/// A name used for tables of two databases is allowed only when every
/// use outside `primary` is schema-qualified: those are looked up by
/// their qualified key (`aux.t`, see [`merged_schema`]).
fn others_of(refs: &[Ref], primary: usize) -> Result<Vec<Ref>, String> {
    let mut others: Vec<Ref> = Vec::new();
    for (name, db, schema) in refs {
        let clash = refs
            .iter()
            .any(|(n, d, _)| d != db && n.eq_ignore_ascii_case(name));
        if *db == primary {
            continue;
        }
        // An unqualified use of a clashing name resolves (temp, main, then
        // attached) to another database than the statement's: it is keyed
        // with the UNQUALIFIED mark so FROM finds it before `primary`'s.
        let schema = match (clash, schema) {
            (true, Some(s)) => Some(s.clone()),
            (true, None) => Some(UNQUALIFIED.to_string()),
            (false, _) => None,
        };
        let seen = others
            .iter()
            .any(|(n, _, s)| n.eq_ignore_ascii_case(name) && *s == schema);
        if !seen {
            others.push((name.clone(), *db, schema));
        }
    }
    Ok(others)
}

/// True when the tokens hold a three-part reference `db.name.column`.
fn names_column_of(toks: &[(TokenKind, Cow<'_, str>)], name: &str) -> bool {
    toks.windows(4).any(|w| match w {
        [(_, _), (TokenKind::Dot, _), (_, n), (TokenKind::Dot, _)] => n.eq_ignore_ascii_case(name),
        _ => false,
    })
}

/// The table an INSERT/UPDATE/DELETE writes.
fn dml_target(stmt: &Stmt) -> Option<&QualifiedName> {
    match stmt {
        Stmt::Insert(i) => Some(&i.table),
        Stmt::Update(u) => Some(&u.table),
        Stmt::Delete(d) => Some(&d.table),
        _ => None,
    }
}

/// The statement's tokens (spaces dropped): names (identifiers and
/// keywords) carry their dequoted text, other tokens an empty string, so
/// only the words the scan may look up are copied.
fn tokens(text: &str) -> Vec<(TokenKind, Cow<'_, str>)> {
    let z = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((kind, len)) = next_token(z, pos) {
        let len = len.max(1);
        if kind != TokenKind::Space {
            let word = match kind {
                TokenKind::Id | TokenKind::Keyword(_) => {
                    let raw = text.get(pos..pos + len).unwrap_or("");
                    match raw.as_bytes().first() {
                        Some(b'\'' | b'"' | b'`' | b'[') => Cow::Owned(dequote(raw)),
                        _ => Cow::Borrowed(raw),
                    }
                }
                _ => Cow::Borrowed(""),
            };
            out.push((kind, word));
        }
        pos += len;
    }
    out
}

fn is_temp_schema_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_temp_master")
        || name.eq_ignore_ascii_case("sqlite_temp_schema")
}

fn is_schema_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_master") || name.eq_ignore_ascii_case("sqlite_schema")
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Table | Kind::Any => "table",
        Kind::View => "view",
        Kind::Index => "index",
        Kind::Trigger => "trigger",
    }
}
