//! The virtual-table opcodes, as one [`super::Insn::Vtab`] variant.
//!
//! SQLite counterpart: OP_VBegin, OP_VCreate, OP_VDestroy, OP_VOpen,
//! OP_VFilter, OP_VColumn, OP_VNext, OP_VRowid, OP_VUpdate, OP_VRename of
//! vdbe.c (opcode.html). Column, Rowid, Next, Rewind, NullRow and Close on
//! a virtual-table cursor behave as VColumn, VRowid, VNext, an argument-less
//! VFilter, a null row and xClose (exec_vtab.rs), so the loops that codegen
//! builds for ordinary tables work unchanged.
//!
//! Invariants:
//! 1. Every operand that names a table carries the connected
//!    [`VTabInstance`] (or the registry it is found in), so the VM never
//!    looks a table up by name at run time.

use std::sync::Arc;

use super::insn::{Addr, CursorId, Reg};
use crate::vtab::{ConflictMode, VTabInstance, VTabRegistry, VTabSpec};

/// `CREATE VIRTUAL TABLE` / DROP operands: the registry and the table.
#[derive(Clone, Debug)]
pub struct VCreateArgs {
    pub registry: Arc<VTabRegistry>,
    pub spec: VTabSpec,
}

/// One virtual-table instruction.
#[derive(Clone, Debug)]
pub enum VtabOp {
    /// xBegin on `vtab` unless it is already in a transaction.
    VBegin { vtab: Arc<VTabInstance> },
    /// xCreate (CREATE VIRTUAL TABLE).
    VCreate(Box<VCreateArgs>),
    /// xDestroy (DROP TABLE); connects first if needed.
    VDestroy(Box<VCreateArgs>),
    /// xOpen into cursor `cursor`.
    VOpen {
        cursor: CursorId,
        vtab: Arc<VTabInstance>,
    },
    /// xFilter with `n_args` arguments from `args`; jump to `if_empty`
    /// when the scan is empty.
    VFilter {
        cursor: CursorId,
        idx_num: i32,
        idx_str: Option<String>,
        args: Reg,
        n_args: usize,
        if_empty: Addr,
    },
    /// xUpdate with `n_args` arguments from `args` (see [`crate::vtab::VTab::update`]).
    VUpdate {
        vtab: Arc<VTabInstance>,
        args: Reg,
        n_args: usize,
        on_conflict: ConflictMode,
    },
}

impl VtabOp {
    /// SQLite's opcode name.
    pub fn name(&self) -> &'static str {
        match self {
            VtabOp::VBegin { .. } => "VBegin",
            VtabOp::VCreate(_) => "VCreate",
            VtabOp::VDestroy(_) => "VDestroy",
            VtabOp::VOpen { .. } => "VOpen",
            VtabOp::VFilter { .. } => "VFilter",
            VtabOp::VUpdate { .. } => "VUpdate",
        }
    }

    /// p1, p2, p3 for EXPLAIN.
    pub fn operands(&self) -> (usize, usize, usize) {
        match self {
            VtabOp::VBegin { .. } | VtabOp::VCreate(_) | VtabOp::VDestroy(_) => (0, 0, 0),
            VtabOp::VOpen { cursor, .. } => (*cursor, 0, 0),
            VtabOp::VFilter {
                cursor,
                args,
                if_empty,
                ..
            } => (*cursor, *if_empty, *args),
            VtabOp::VUpdate { args, n_args, .. } => (0, *n_args, *args),
        }
    }
}
