//! UPSERT: `INSERT … ON CONFLICT (target) DO NOTHING | DO UPDATE`.
//!
//! SQLite counterpart: upsert.c (`sqlite3UpsertAnalyzeTarget`,
//! `sqlite3UpsertDoUpdate`) and the upsert parts of
//! `sqlite3GenerateConstraintChecks` in insert.c.
//!
//! Invariants:
//! 1. Every ON CONFLICT clause with a target names the columns of the
//!    INTEGER PRIMARY KEY or of a UNIQUE index (same set of columns, same
//!    collations where written); otherwise the statement does not compile
//!    ("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE
//!    constraint"). A clause without a target (only the last one) covers
//!    every uniqueness constraint no earlier clause names.
//! 2. Only uniqueness constraints are affected: NOT NULL and CHECK keep the
//!    statement's normal conflict handling.
//! 3. Check order: the indexes named by clauses, in clause order; then the
//!    rowid; then the remaining UNIQUE indexes newest first.
//! 4. DO UPDATE is an UPDATE of the conflicting row with ABORT conflict
//!    handling: UPDATE triggers fire, indexes are maintained, the change is
//!    counted; `excluded.col` reads the row that was to be inserted. The
//!    row is then not inserted.

use std::sync::Arc;

use super::expr::Source;
use super::insert::WriteCursors;
use super::modify::UpdateCtx;
use super::Gen;
use crate::sql::ast::{ConflictAction, Expr, ExprKind, Insert, Upsert, UpsertAction};
use crate::sql::schema::Table;
use crate::vdbe::{Insn, Reg};

/// What an ON CONFLICT clause covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// The rowid / INTEGER PRIMARY KEY.
    Rowid,
    /// Index `i` of the table.
    Index(usize),
    /// No target: every uniqueness constraint.
    Any,
}

/// The analyzed ON CONFLICT clauses of one INSERT.
#[derive(Clone, Debug)]
pub(crate) struct UpsertPlan {
    clauses: Vec<Upsert>,
    targets: Vec<Target>,
    /// The name DO UPDATE expressions use for the table (alias or name).
    name: String,
    /// A cursor number the `excluded` row's registers attach to.
    excluded_cursor: usize,
}

/// How one uniqueness conflict is resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Resolve<'p> {
    /// The constraint's (or statement's) conflict action.
    Action(ConflictAction),
    /// Clause `k` of the upsert plan.
    Upsert(&'p UpsertPlan, usize),
}

impl UpsertPlan {
    /// The clause handling a conflict on `t`'s index `i`, if any.
    fn clause_for(&self, want: Target) -> Option<usize> {
        self.targets
            .iter()
            .position(|&x| x == want || x == Target::Any)
    }
}

impl Gen<'_> {
    /// Analyzes the ON CONFLICT clauses of `ins` against table `t`.
    pub(crate) fn upsert_plan(
        &mut self,
        t: &Table,
        ins: &Insert,
    ) -> Result<Option<Arc<UpsertPlan>>, String> {
        if ins.upsert.is_empty() {
            return Ok(None);
        }
        let mut targets = Vec::new();
        for up in &ins.upsert {
            targets.push(match_target(t, up)?);
        }
        Ok(Some(Arc::new(UpsertPlan {
            clauses: ins.upsert.clone(),
            targets,
            name: ins.alias.clone().unwrap_or_else(|| t.name.clone()),
            excluded_cursor: self.b.alloc_cursor(),
        })))
    }

    /// The uniqueness checks of an INSERT with ON CONFLICT clauses.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn upsert_checks(
        &mut self,
        plan: &UpsertPlan,
        t: &Arc<Table>,
        cur: &WriteCursors,
        regs: &[Reg],
        rowid: Reg,
        conflict: Option<ConflictAction>,
        skip: usize,
        check_rowid: bool,
    ) -> Result<(), String> {
        let mut first: Vec<usize> = Vec::new();
        for tg in &plan.targets {
            if let Target::Index(i) = *tg {
                if !first.contains(&i) {
                    first.push(i);
                }
            }
        }
        for &i in &first {
            let k = plan.clause_for(Target::Index(i)).unwrap_or(0);
            self.check_one_unique(t, cur, i, regs, rowid, Resolve::Upsert(plan, k), skip, None)?;
        }
        if check_rowid {
            let up = plan.clause_for(Target::Rowid).map(|k| (plan, k));
            let up = up.map(|(p, k)| (p, k, regs));
            self.check_rowid_unique(t, cur, rowid, conflict, skip, None, up)?;
        }
        for i in (0..t.indexes.len()).rev() {
            let idx = &t.indexes[i];
            if !idx.unique || first.contains(&i) {
                continue;
            }
            let how = match plan.clause_for(Target::Index(i)) {
                Some(k) => Resolve::Upsert(plan, k),
                None => Resolve::Action(
                    conflict
                        .or(idx.on_conflict)
                        .unwrap_or(ConflictAction::Abort),
                ),
            };
            self.check_one_unique(t, cur, i, regs, rowid, how, skip, None)?;
        }
        Ok(())
    }

    /// Codes clause `k`'s action for a conflict with the row whose rowid is
    /// in `other`; the new row (`regs`, `rowid`) is then skipped.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn upsert_action(
        &mut self,
        plan: &UpsertPlan,
        k: usize,
        t: &Arc<Table>,
        cur: &WriteCursors,
        regs: &[Reg],
        rowid: Reg,
        other: Reg,
        skip: usize,
    ) -> Result<(), String> {
        let Some(UpsertAction::Update { sets, where_ }) = plan.clauses.get(k).map(|c| &c.action)
        else {
            self.b.emit(Insn::Goto { target: skip });
            return Ok(());
        };
        self.b.emit(Insn::NotExists {
            cursor: cur.table,
            rowid: other,
            not_found: skip,
        });
        let excluded = Source {
            table: t.clone(),
            name: "excluded".into(),
            cursor: plan.excluded_cursor,
        };
        let ctx = UpdateCtx {
            name: plan.name.clone(),
            conflict: None,
            extra: vec![(excluded, regs.to_vec(), rowid)],
        };
        if let Some(w) = where_ {
            let scope = self.update_scope(t, &ctx, cur.table);
            self.jump_if_false(w, skip, &scope)?;
        }
        let resolved = self.resolve_sets(t, sets)?;
        self.update_row(t, &ctx, cur, &resolved, other, skip)?;
        self.b.emit(Insn::Goto { target: skip });
        Ok(())
    }
}

/// The constraint an ON CONFLICT clause names.
fn match_target(t: &Table, up: &Upsert) -> Result<Target, String> {
    if up.target.is_empty() {
        return Ok(Target::Any);
    }
    const NO_MATCH: &str = "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint";
    let mut terms: Vec<(Option<usize>, Option<String>)> = Vec::new();
    for term in &up.target {
        let (name, coll) = column_term(&term.expr).ok_or(NO_MATCH)?;
        let col = match t.column_index(name) {
            Some(c) if t.ipk == Some(c) => None,
            Some(c) => Some(c),
            None if is_rowid(name) => None,
            None => return Err(format!("no such column: {name}")),
        };
        terms.push((col, coll));
    }
    if terms.len() == 1 && terms[0].0.is_none() {
        return Ok(Target::Rowid);
    }
    for (i, idx) in t.indexes.iter().enumerate() {
        if !idx.unique || idx.columns.len() != terms.len() {
            continue;
        }
        if !partial_matches(idx.partial.as_ref(), up.target_where.as_ref()) {
            continue;
        }
        let all = idx.columns.iter().all(|ic| {
            terms.iter().any(|(c, coll)| {
                ic.column.is_some()
                    && *c == ic.column
                    && coll
                        .as_ref()
                        .is_none_or(|x| x.eq_ignore_ascii_case(&ic.collation))
            })
        });
        if all {
            return Ok(Target::Index(i));
        }
    }
    Err(NO_MATCH.into())
}

/// A full index matches whatever the target WHERE; a partial index only a
/// target WHERE that is the same expression as its own.
fn partial_matches(index: Option<&Expr>, target: Option<&Expr>) -> bool {
    match (index, target) {
        (None, _) => true,
        (Some(a), Some(b)) => super::exprcmp::same_expr(a, b),
        (Some(_), None) => false,
    }
}

/// `col` or `col COLLATE name`: the column name and the collation.
fn column_term(e: &Expr) -> Option<(&str, Option<String>)> {
    match &e.kind {
        ExprKind::Column {
            table: None,
            column,
            ..
        } => Some((column.as_str(), None)),
        ExprKind::Collate(inner, coll) => column_term(inner).map(|(n, _)| (n, Some(coll.clone()))),
        _ => None,
    }
}

fn is_rowid(n: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(n))
}
