//! Execution of the virtual-table opcodes and of the ordinary cursor
//! opcodes on virtual-table cursors.
//!
//! SQLite counterpart: the OP_V* cases of vdbe.c and the `CURTYPE_VTAB`
//! branches of OP_Column, OP_Rowid, OP_Next, OP_NullRow and OP_Close.
//!
//! Invariants:
//! 1. A virtual-table cursor lives in `Vdbe::vcursors[c]`; `cursors[c]`
//!    stays empty, so every b-tree opcode on it fails cleanly instead of
//!    misreading it.
//! 2. A module error becomes the statement's error with the module's code
//!    and message.
//! 3. Tables written in an autocommit statement get xSync + xCommit when
//!    the statement succeeds and xRollback when it fails; inside an
//!    explicit transaction they wait for its end (`ConnState::vtab_txn`).
//! 4. Every call into a module method made while the statement runs goes
//!    through `lend_env`, so the method may run SQL on its own connection
//!    (re-entrant SQL, `env.rs` invariant 4).

use std::sync::Arc;

use super::env::{lend_env, EnvHost, VdbeEnv};
use super::error::{internal, VdbeError};
use super::insn::{CursorId, Insn, Reg};
use super::insn_vtab::{VCreateArgs, VtabOp};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::record::Value;
use crate::vtab::{VTabCursor, VTabError, VTabInstance};

/// An open virtual-table cursor.
pub(crate) struct VCursor {
    cur: Box<dyn VTabCursor>,
    /// Keeps the table connected while the cursor is open.
    _vtab: Arc<VTabInstance>,
    null_row: bool,
}

impl std::fmt::Debug for VCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VCursor")
            .field("null_row", &self.null_row)
            .finish()
    }
}

fn verr(e: VTabError) -> VdbeError {
    VdbeError::Halt {
        code: e.code,
        msg: e.msg,
    }
}

impl Vdbe {
    /// Runs `insn` if it is a cursor opcode aimed at a virtual-table cursor.
    pub(crate) fn vtab_intercept(
        &mut self,
        env: &mut VdbeEnv,
        insn: &Insn,
    ) -> Option<Result<Flow, VdbeError>> {
        use Insn as I;
        let c = match insn {
            I::Column { cursor, .. }
            | I::Rowid { cursor, .. }
            | I::Next { cursor, .. }
            | I::Rewind { cursor, .. }
            | I::NullRow { cursor }
            | I::Close { cursor } => *cursor,
            _ => return None,
        };
        if !matches!(self.vcursors.get(c), Some(Some(_))) {
            return None;
        }
        Some(match insn {
            I::Column { column, dest, .. } => self.v_column(env, c, *column, *dest),
            I::Rowid { dest, .. } => self.v_rowid(env, c, *dest),
            I::Next { target, .. } => self.v_next(env, c, *target),
            I::Rewind { if_empty, .. } => self.v_filter(env, c, (0, None), &[], *if_empty),
            I::NullRow { .. } => self.vcursor(c).map(|v| {
                v.null_row = true;
                Flow::Next
            }),
            _ => {
                if let Some(slot) = self.vcursors.get_mut(c) {
                    *slot = None;
                }
                Ok(Flow::Next)
            }
        })
    }

    fn vcursor(&mut self, c: CursorId) -> Result<&mut VCursor, VdbeError> {
        self.vcursors
            .get_mut(c)
            .and_then(|s| s.as_mut())
            .ok_or_else(|| internal(format!("virtual cursor {c} is not open")))
    }

    /// One `Insn::Vtab` instruction.
    pub(crate) fn exec_vtab(&mut self, env: &mut VdbeEnv, op: &VtabOp) -> Result<Flow, VdbeError> {
        match op {
            VtabOp::VBegin { vtab } => v_begin(env, vtab),
            VtabOp::VCreate(a) => v_create(env, a),
            VtabOp::VDestroy(a) => {
                env.conn.vdestroy_depth += 1;
                let r = v_destroy(env, a);
                env.conn.vdestroy_depth = env.conn.vdestroy_depth.saturating_sub(1);
                r
            }
            VtabOp::VOpen { cursor, vtab } => self.v_open(env, *cursor, vtab),
            VtabOp::VFilter {
                cursor,
                idx_num,
                idx_str,
                args,
                n_args,
                if_empty,
            } => {
                let argv = self.values(*args, *n_args)?;
                let idx = (*idx_num, idx_str.as_deref());
                self.v_filter(env, *cursor, idx, &argv, *if_empty)
            }
            VtabOp::VUpdate {
                vtab,
                args,
                n_args,
                on_conflict,
            } => {
                let argv = self.values(*args, *n_args)?;
                let mut host = EnvHost { env: &mut *env };
                match vtab.vtab.update_in(&argv, *on_conflict, &mut host) {
                    Ok(rowid) => {
                        if let (Some(r), Some(Value::Null)) = (rowid, argv.first()) {
                            env.conn.last_insert_rowid = r;
                        }
                        self.n_change += 1;
                        Ok(Flow::Next)
                    }
                    Err(e)
                        if *on_conflict == crate::vtab::ConflictMode::Ignore
                            && e.code.primary() == crate::rc::ResultCode::CONSTRAINT =>
                    {
                        Ok(Flow::Next)
                    }
                    Err(e) => Err(verr(e)),
                }
            }
        }
    }

    fn values(&self, start: Reg, n: usize) -> Result<Vec<Value>, VdbeError> {
        Ok(self
            .reg_range(start, n)?
            .iter()
            .map(Mem::to_value)
            .collect())
    }

    fn v_open(
        &mut self,
        env: &mut VdbeEnv,
        c: CursorId,
        vtab: &Arc<VTabInstance>,
    ) -> Result<Flow, VdbeError> {
        let cur = lend_env(env, || vtab.vtab.open().map_err(verr))?;
        if self.vcursors.len() <= c {
            self.vcursors.resize_with(c + 1, || None);
        }
        if let Some(slot) = self.vcursors.get_mut(c) {
            *slot = Some(VCursor {
                cur,
                _vtab: vtab.clone(),
                null_row: false,
            });
        }
        Ok(Flow::Next)
    }

    fn v_filter(
        &mut self,
        env: &mut VdbeEnv,
        c: CursorId,
        (idx_num, idx_str): (i32, Option<&str>),
        argv: &[Value],
        if_empty: usize,
    ) -> Result<Flow, VdbeError> {
        let v = self.vcursor(c)?;
        v.null_row = false;
        let mut host = EnvHost { env };
        v.cur
            .filter_in(idx_num, idx_str, argv, &mut host)
            .map_err(verr)?;
        Ok(if v.cur.eof() {
            Flow::Jump(if_empty)
        } else {
            Flow::Next
        })
    }

    fn v_next(&mut self, env: &mut VdbeEnv, c: CursorId, target: usize) -> Result<Flow, VdbeError> {
        let v = self.vcursor(c)?;
        lend_env(env, || v.cur.next().map_err(verr))?;
        Ok(if v.cur.eof() {
            Flow::Next
        } else {
            Flow::Jump(target)
        })
    }

    fn v_column(
        &mut self,
        env: &mut VdbeEnv,
        c: CursorId,
        col: usize,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let v = self.vcursor(c)?;
        let (value, subtype) = if v.null_row {
            (Value::Null, 0)
        } else {
            let value = lend_env(env, || v.cur.column(col, false).map_err(verr))?;
            (value, v.cur.column_subtype())
        };
        self.set_reg(dest, Mem::from(value))?;
        self.set_subtype(dest, subtype);
        Ok(Flow::Next)
    }

    fn v_rowid(&mut self, env: &mut VdbeEnv, c: CursorId, dest: Reg) -> Result<Flow, VdbeError> {
        let v = self.vcursor(c)?;
        let m = if v.null_row {
            Mem::Null
        } else {
            Mem::Int(lend_env(env, || v.cur.rowid().map_err(verr))?)
        };
        self.set_reg(dest, m)?;
        Ok(Flow::Next)
    }
}

fn v_begin(env: &mut VdbeEnv, vtab: &Arc<VTabInstance>) -> Result<Flow, VdbeError> {
    use std::sync::atomic::Ordering;
    if !vtab.in_txn.swap(true, Ordering::AcqRel) {
        if let Err(e) = lend_env(env, || vtab.vtab.begin().map_err(verr)) {
            vtab.in_txn.store(false, Ordering::Release);
            return Err(e);
        }
        env.conn.vtab_txn.push(vtab.clone());
    }
    Ok(Flow::Next)
}

fn v_create(env: &mut VdbeEnv, a: &VCreateArgs) -> Result<Flow, VdbeError> {
    let mut host = EnvHost { env };
    a.registry
        .instance_in(&a.spec, true, &mut host)
        .map_err(verr)?;
    Ok(Flow::Next)
}

fn v_destroy(env: &mut VdbeEnv, a: &VCreateArgs) -> Result<Flow, VdbeError> {
    let s = &a.spec;
    let mut host = EnvHost { env };
    let inst = match a.registry.forget(s.db, &s.name) {
        Some(i) => i,
        None => a.registry.instance_in(s, false, &mut host).map_err(verr)?,
    };
    a.registry.forget(s.db, &s.name);
    inst.destroy_in(&mut host).map_err(verr)?;
    Ok(Flow::Next)
}

/// ROLLBACK: xRollback on every table of the transaction.
pub(crate) fn rollback_txn(env: &mut VdbeEnv) -> Result<(), VdbeError> {
    let saved = env.conn.autocommit;
    env.conn.autocommit = true;
    let r = settle_txn(env, false);
    env.conn.autocommit = saved;
    r
}

/// Ends the virtual-table transactions once the connection is back in
/// autocommit mode (invariant 3): commit when `ok`, else roll back.
pub(crate) fn settle_txn(env: &mut VdbeEnv, ok: bool) -> Result<(), VdbeError> {
    use std::sync::atomic::Ordering;
    if !env.conn.autocommit || env.conn.vtab_txn.is_empty() {
        return Ok(());
    }
    let mut first_err = None;
    for v in std::mem::take(&mut env.conn.vtab_txn) {
        v.in_txn.store(false, Ordering::Release);
        let r = lend_env(env, || {
            Ok(if ok {
                v.vtab.sync().and_then(|()| v.vtab.commit())
            } else {
                v.vtab.rollback()
            })
        })
        .and_then(|r| r.map_err(verr));
        if let Err(e) = r {
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}
