//! Helpers to assemble and run programs in tests.

use std::sync::Arc;

use crate::btree::Btree;
use crate::record::Value;
use crate::vdbe::{ConnState, Insn, Program, StepResult, Vdbe, VdbeEnv, VdbeError};

/// A program with `n_regs` registers and `n_cursors` cursors.
pub fn program(insns: Vec<Insn>, n_regs: usize, n_cursors: usize) -> Arc<Program> {
    Arc::new(Program {
        insns,
        n_regs,
        n_cursors,
        ..Default::default()
    })
}

/// Steps `vm` to completion, collecting every result row.
pub fn run_with(vm: &mut Vdbe, conn: &mut ConnState) -> Result<Vec<Vec<Value>>, VdbeError> {
    let mut dbs: Vec<Btree> = Vec::new();
    let mut env = VdbeEnv {
        dbs: &mut dbs,
        conn,
        host: None,
    };
    let mut rows = Vec::new();
    loop {
        match vm.step(&mut env)? {
            StepResult::Row => {
                rows.push(
                    (0..vm.column_count())
                        .map(|i| vm.column(i).to_owned())
                        .collect(),
                );
            }
            StepResult::Done => return Ok(rows),
        }
    }
}

/// Runs a program once on a fresh connection state.
pub fn run(p: Arc<Program>) -> Result<Vec<Vec<Value>>, VdbeError> {
    let mut conn = ConnState::default();
    run_with(&mut Vdbe::new(p), &mut conn)
}

/// Text value shorthand.
pub fn t(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// Integer value shorthand.
pub fn i(v: i64) -> Value {
    Value::Integer(v)
}
