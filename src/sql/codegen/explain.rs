//! EXPLAIN: a program that lists another program's instructions.
//!
//! SQLite counterpart: the `explain` mode of `sqlite3VdbeList` (vdbeaux.c).
//!
//! Invariants:
//! 1. The columns are SQLite's: addr, opcode, p1, p2, p3, p4, p5, comment.

use std::sync::Arc;

use crate::record::Value;
use crate::vdbe::{ColumnInfo, Insn, Program};

/// Builds the EXPLAIN program for `inner`.
pub(super) fn explain_program(
    inner: &Program,
    params: Vec<Option<String>>,
    explain: u8,
) -> Result<Program, String> {
    let mut b = super::Builder::new();
    let names = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"];
    b.columns = names
        .iter()
        .map(|n| ColumnInfo {
            name: n.to_string(),
            ..ColumnInfo::default()
        })
        .collect();
    for row in crate::vdbe::explain_rows(inner) {
        let start = b.alloc_regs(8);
        for (i, v) in row.into_iter().enumerate() {
            let dest = start + i;
            b.emit(match v {
                Value::Null => Insn::Null { dest, count: 1 },
                Value::Integer(value) => Insn::Integer { value, dest },
                Value::Real(value) => Insn::Real { value, dest },
                Value::Text(t) => Insn::String8 {
                    value: Arc::from(t.as_slice()),
                    dest,
                },
                Value::Blob(t) => Insn::Blob {
                    value: Arc::from(t.as_slice()),
                    dest,
                },
            });
        }
        b.emit(Insn::ResultRow { start, count: 8 });
    }
    b.emit(Insn::Halt {
        rc: crate::rc::ResultCode::OK,
        on_error: Default::default(),
        msg: None,
    });
    b.finish(params, explain)
}
