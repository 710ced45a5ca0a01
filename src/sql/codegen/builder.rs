//! The program builder: registers, cursors, labels and instruction emission.
//!
//! SQLite counterpart: `sqlite3VdbeAddOp*`, `sqlite3VdbeMakeLabel`,
//! `sqlite3VdbeResolveLabel` and `resolveP2Values()` in vdbeaux.c.
//!
//! Invariants:
//! 1. A label is a placeholder address `LABEL_BASE + n`; every jump target
//!    that still holds a placeholder when [`Builder::finish`] runs must have
//!    been resolved with [`Builder::resolve`], or `finish` fails.
//! 2. Registers are handed out monotonically from 1; cursors from 0.

use crate::vdbe::{Addr, ColumnInfo, Insn, Program, Reg};

/// Jump placeholders live above this address; real programs never get here.
const LABEL_BASE: usize = usize::MAX / 2;

/// A forward-declared jump target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(usize);

impl Label {
    /// The placeholder address to write into a jump field.
    pub fn addr(self) -> Addr {
        LABEL_BASE + self.0
    }
}

/// Accumulates a program.
#[derive(Debug, Default)]
pub struct Builder {
    insns: Vec<Insn>,
    labels: Vec<Option<Addr>>,
    n_regs: usize,
    n_cursors: usize,
    pub columns: Vec<ColumnInfo>,
    pub readonly: bool,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            readonly: true,
            ..Builder::default()
        }
    }

    /// Appends `insn`, returning its address.
    pub fn emit(&mut self, insn: Insn) -> Addr {
        self.insns.push(insn);
        self.insns.len() - 1
    }

    /// The address the next instruction will get.
    pub fn here(&self) -> Addr {
        self.insns.len()
    }

    pub fn alloc_reg(&mut self) -> Reg {
        self.n_regs += 1;
        self.n_regs
    }

    /// Allocates `n` consecutive registers, returning the first.
    pub fn alloc_regs(&mut self, n: usize) -> Reg {
        let first = self.n_regs + 1;
        self.n_regs += n.max(1);
        first
    }

    /// The register the next `alloc_reg` will return.
    pub fn next_reg(&self) -> Reg {
        self.n_regs + 1
    }

    /// When the instructions from `at` on are exactly a load into the
    /// fresh register `r` (`Column`/`Rowid`/`IdxRowid`/`Variable`, a
    /// column optionally followed by `RealAffinity`), makes them write `dest` instead and returns true,
    /// so the caller needs no `SCopy` (SQLite's codegen targets the final
    /// register directly).
    pub fn retarget_load(&mut self, at: Addr, r: Reg, dest: Reg) -> bool {
        let Some(tail) = self.insns.get_mut(at..) else {
            return false;
        };
        let (load, rest) = match tail {
            [load] => (load, None),
            [load, Insn::RealAffinity { reg }] if *reg == r => (load, Some(reg)),
            _ => return false,
        };
        match load {
            Insn::Column { dest: d, .. }
            | Insn::Rowid { dest: d, .. }
            | Insn::IdxRowid { dest: d, .. }
            | Insn::Variable { dest: d, .. }
                if *d == r =>
            {
                *d = dest
            }
            _ => return false,
        }
        if let Some(reg) = rest {
            *reg = dest;
        }
        true
    }

    pub fn alloc_cursor(&mut self) -> usize {
        self.n_cursors += 1;
        self.n_cursors - 1
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// Binds `label` to the next instruction's address.
    pub fn resolve(&mut self, label: Label) {
        let here = self.here();
        if let Some(slot) = self.labels.get_mut(label.0) {
            *slot = Some(here);
        }
    }

    /// Mutable access to an emitted instruction (to patch a jump).
    pub fn insn_mut(&mut self, addr: Addr) -> Option<&mut Insn> {
        self.insns.get_mut(addr)
    }

    /// Resolves every label and produces the program.
    pub fn finish(mut self, params: Vec<Option<String>>, explain: u8) -> Result<Program, String> {
        let labels = std::mem::take(&mut self.labels);
        for insn in &mut self.insns {
            for target in jump_targets(insn) {
                if *target >= LABEL_BASE {
                    let resolved = labels.get(*target - LABEL_BASE).copied().flatten();
                    *target =
                        resolved.ok_or_else(|| "internal error: unresolved label".to_string())?;
                }
            }
        }
        Ok(Program {
            insns: self.insns,
            n_regs: self.n_regs + 1,
            n_cursors: self.n_cursors,
            columns: self.columns,
            params,
            readonly: self.readonly,
            explain,
        })
    }
}

/// Every jump-target field of an instruction.
fn jump_targets(insn: &mut Insn) -> Vec<&mut Addr> {
    use Insn::*;
    match insn {
        Init { target } | Goto { target } | Once { target } => vec![target],
        Gosub { target, .. } | If { target, .. } | IfNot { target, .. } => vec![target],
        IsNull { target, .. } | NotNull { target, .. } | IfPos { target, .. } => vec![target],
        DecrJumpZero { target, .. } | Next { target, .. } | Prev { target, .. } => vec![target],
        FkIfZero { target, .. } => vec![target],
        MustBeInt {
            target: Some(t), ..
        } => vec![t],
        Rewind { if_empty, .. } | Last { if_empty, .. } | SorterSort { if_empty, .. } => {
            vec![if_empty]
        }
        SeekRowid { not_found, .. } | NotExists { not_found, .. } => vec![not_found],
        SeekGE { not_found, .. } | SeekGT { not_found, .. } => vec![not_found],
        SeekLE { not_found, .. } | SeekLT { not_found, .. } => vec![not_found],
        IdxGE { target, .. } | IdxGT { target, .. } | IdxLE { target, .. } => vec![target],
        IdxLT { target, .. } | Found { target, .. } | NotFound { target, .. } => vec![target],
        NoConflict { target, .. } | Compare { target, .. } | SorterNext { target, .. } => {
            vec![target]
        }
        RowSetRead { if_done, .. } | WinRow { if_done, .. } => vec![if_done],
        SorterTopCheck { target, .. } => vec![target],
        Vtab(crate::vdbe::insn_vtab::VtabOp::VFilter { if_empty, .. }) => vec![if_empty],
        _ => Vec::new(),
    }
}
