//! Whether a program needs a statement savepoint (statement journal).
//!
//! SQLite counterpart: `usesStmtJournal`, set in vdbeaux.c's
//! `sqlite3VdbeMakeReady` from the parser's `isMultiWrite && mayAbort`.
//! A statement journal exists only so that a statement failing part-way
//! can undo its own earlier writes while the transaction continues. A
//! program that cannot fail part-way (no constraint, trigger, foreign key,
//! function or other instruction that raises an ordinary error) needs none.
//!
//! Invariants:
//! 1. The decision is conservative: any instruction not in the allow-list
//!    below makes the program use a statement savepoint, as before.
//! 2. Errors the allow-listed instructions can still raise (I/O, out of
//!    memory, disk full, interrupt) are "special" and roll back the whole
//!    transaction (`VdbeError::is_special`), so no partial statement
//!    survives them; corruption errors behave as in SQLite, which opens no
//!    statement journal for such programs either.

use super::insn::Insn;
use crate::rc::ResultCode;

/// True when `insns` may raise an ordinary (non-special) error after a
/// write, so Transaction must open a statement savepoint.
pub(crate) fn uses_stmt_journal(insns: &[Insn]) -> bool {
    insns.iter().any(|i| !cannot_abort(i))
}

/// Instructions that never raise an ordinary error of their own.
fn cannot_abort(insn: &Insn) -> bool {
    use Insn::*;
    match insn {
        Halt { rc, .. } => *rc == ResultCode::OK,
        NewRowid { autoinc_reg, .. } => autoinc_reg.is_none(),
        Init { .. } | Goto { .. } | Transaction { .. } | Noop => true,
        OpenRead { .. } | OpenWrite { .. } | Close { .. } => true,
        Variable { .. } | SCopy { .. } | Copy { .. } | Integer { .. } | Real { .. } => true,
        Null { .. } | Column { .. } | Rowid { .. } | IdxRowid { .. } => true,
        SeekRowid { .. } | NotExists { .. } | SeekGE { .. } | SeekGT { .. } => true,
        SeekLE { .. } | SeekLT { .. } | IdxGE { .. } | IdxGT { .. } | IdxLE { .. } => true,
        IdxLT { .. } | Rewind { .. } | Last { .. } | Next { .. } | Prev { .. } => true,
        Compare { .. } | IsNull { .. } | NotNull { .. } | If { .. } | IfNot { .. } => true,
        Affinity { .. } | RealAffinity { .. } | Arith { .. } | MakeRecord { .. } => true,
        RowSetAdd { .. } | RowSetRead { .. } => true,
        Insert { .. } | Delete { .. } | IdxInsert { .. } | IdxDelete { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vdbe::insn::{InsertFlags, OnError};

    fn insert_program(tail: Insn) -> Vec<Insn> {
        vec![
            Insn::Init { target: 5 },
            Insn::NewRowid {
                cursor: 0,
                dest: 1,
                autoinc_reg: None,
            },
            Insn::Insert {
                cursor: 0,
                record: 2,
                rowid: 1,
                flags: InsertFlags::default(),
            },
            tail,
            Insn::Halt {
                rc: ResultCode::OK,
                on_error: OnError::Abort,
                msg: None,
            },
            Insn::Goto { target: 1 },
        ]
    }

    #[test]
    fn plain_insert_needs_no_statement_journal() {
        assert!(!uses_stmt_journal(&insert_program(Insn::Noop)));
    }

    #[test]
    fn constraint_halt_needs_statement_journal() {
        let halt = Insn::Halt {
            rc: ResultCode::CONSTRAINT_PRIMARYKEY,
            on_error: OnError::Abort,
            msg: Some("UNIQUE constraint failed: t.id".into()),
        };
        assert!(uses_stmt_journal(&insert_program(halt)));
    }

    #[test]
    fn autoincrement_needs_statement_journal() {
        let prog = vec![Insn::NewRowid {
            cursor: 0,
            dest: 1,
            autoinc_reg: Some(3),
        }];
        assert!(uses_stmt_journal(&prog));
    }
}
