//! L4 — the VDBE, the register bytecode machine that runs statements.
//!
//! SQLite counterpart: vdbe.c, vdbeaux.c, vdbemem.c, vdbesort.c.
//!
//! Codegen (L5) builds a [`Program`] of [`Insn`]s; the connection (L6)
//! wraps it in a [`Vdbe`] and calls [`Vdbe::step`] with a [`VdbeEnv`] that
//! lends the VM its databases and the connection state.
//!
//! | file | job |
//! |---|---|
//! | `insn.rs` | the instruction set (SQLite's opcodes, typed) |
//! | `program.rs` | a compiled statement |
//! | `env.rs` | what the VM borrows from its connection |
//! | `vm.rs` | `Vdbe`: state machine, step loop, the dispatch `match` |
//! | `mem.rs` | `Mem`, the register type; rowid sets |
//! | `arith.rs`, `compare.rs` | value semantics of operators and comparisons |
//! | `exec_control.rs` | jumps, halts, register moves |
//! | `exec_value.rs` | arithmetic, logic, comparison, affinity opcodes |
//! | `exec_cursor.rs` | opening, moving and reading cursors; sorter opcodes |
//! | `exec_write.rs` | records, inserts, deletes |
//! | `exec_wr.rs` | WITHOUT ROWID table cursors |
//! | `exec_func.rs` | scalar functions and aggregates; the PRNG |
//! | `exec_window.rs`, `window.rs` | window-function buffers and evaluator |
//! | `exec_txn.rs` | transactions, savepoints, schema opcodes, halting |
//! | `exec_vacuum.rs` | VACUUM and VACUUM INTO |
//! | `insn_vtab.rs`, `exec_vtab.rs` | virtual-table opcodes and cursors |
//! | `cursor.rs` | `VdbeCursor`: one interface over every cursor kind |
//! | `ephemeral.rs` | in-memory temporary tables and indexes |
//! | `sorter.rs` | the sorter (in memory; spill design documented) |
//! | `explain.rs`, `explain_ops.rs` | EXPLAIN rows |
//! | `error.rs` | `VdbeError` → `ResultCode` |

pub mod env;
mod exec_pragma;
pub mod insn;
pub mod insn_vtab;
pub mod program;

mod arith;
mod compare;
mod cursor;
mod ephemeral;
mod error;
mod exec_attach;
mod exec_control;
mod exec_cursor;
mod exec_fkey;
mod exec_func;
mod exec_txn;
mod exec_vacuum;
mod exec_value;
mod exec_vtab;
mod exec_window;
mod exec_wr;
mod exec_write;
mod explain;
mod explain_ops;
mod mem;
mod sorter;
mod stmt_journal;
mod vm;
pub mod window;

#[cfg(test)]
mod tests;

pub use arith::{and_or, arith, bit_not, negate, not};
pub use compare::{apply_cmp_affinity, compare_regs, mem_compare, CmpOutcome};
pub use env::{
    install_callback_lender, install_sql_runner, CallbackLender, CommitFn, ConnState, Hooks,
    ProgressFn, Published, RollbackFn, SchemaLog, SchemaLogEntry, SqlRunner, UpdateFn, UpdateKind,
    VdbeEnv,
};
pub use ephemeral::{EphemeralTable, SeekMode};
pub use error::VdbeError;
pub use exec_attach::AttachRequest;
pub use exec_fkey::FkState;
pub use exec_func::{random_bytes, random_i64};
pub use exec_wr::WrLayout;
pub use explain::{explain_rows, ExplainOperands};
pub use insn::{
    Addr, ArithOp, CmpFlags, CmpOp, CursorId, InsertFlags, Insn, OnError, PragmaOp, Reg, RootPage,
    SavepointOp,
};
pub use mem::{Mem, RowSet};
pub use program::{ColumnInfo, Program};
pub use sorter::Sorter;
pub use vm::{StepResult, Vdbe, INTERRUPT_PERIOD};
