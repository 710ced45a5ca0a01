//! Hand-assembled programs: control flow, errors, bindings, transaction
//! opcodes that need no database, EXPLAIN.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::harness::{i, program, run, run_with, t};
use crate::btree::Btree;
use crate::rc::ResultCode;
use crate::record::Value;
use crate::vdbe::{explain_rows, ConnState, Insn, OnError, SavepointOp, StepResult, Vdbe, VdbeEnv};

fn halt() -> Insn {
    Insn::Halt {
        rc: ResultCode::OK,
        on_error: OnError::Abort,
        msg: None,
    }
}

/// LIMIT 2 OFFSET 1 over 1..=5 using IfPos / DecrJumpZero, a Gosub'd
/// subroutine and Once.
#[test]
fn limit_offset_gosub_once() {
    let p = program(
        vec![
            /* 0 */ Insn::Integer { value: 2, dest: 1 }, // limit
            /* 1 */ Insn::Integer { value: 1, dest: 2 }, // offset
            /* 2 */ Insn::Integer { value: 0, dest: 3 }, // loop value
            /* 3 */ Insn::Integer { value: 0, dest: 6 }, // Once counter
            /* 4 */ Insn::Integer { value: 1, dest: 7 },
            /* 5 */
            Insn::Arith {
                op: crate::vdbe::ArithOp::Add,
                lhs: 3,
                rhs: 7,
                dest: 3,
            },
            /* 6 */ Insn::Once { target: 8 },
            /* 7 */
            Insn::Arith {
                op: crate::vdbe::ArithOp::Add,
                lhs: 6,
                rhs: 7,
                dest: 6,
            },
            /* 8 */
            Insn::IfPos {
                reg: 2,
                target: 5,
                decrement: 1,
            },
            /* 9 */ Insn::Gosub { reg: 4, target: 13 },
            /* 10 */ Insn::DecrJumpZero { reg: 1, target: 16 },
            /* 11 */ Insn::Goto { target: 5 },
            /* 12 */ Insn::Noop,
            /* 13 */
            Insn::Copy {
                src: 3,
                dest: 5,
                count: 1,
            },
            /* 14 */ Insn::ResultRow { start: 5, count: 2 },
            /* 15 */ Insn::Return { reg: 4 },
            /* 16 */ halt(),
        ],
        8,
        0,
    );
    let rows = run(p).unwrap();
    assert_eq!(rows, vec![vec![i(2), i(1)], vec![i(3), i(1)]]);
}

#[test]
fn offset_limit_and_must_be_int() {
    let p = program(
        vec![
            Insn::Integer { value: 10, dest: 1 },
            Insn::Integer { value: 5, dest: 2 },
            Insn::OffsetLimit {
                limit: 1,
                dest: 3,
                offset: 2,
            },
            Insn::Integer { value: 0, dest: 4 },
            Insn::OffsetLimit {
                limit: 4,
                dest: 5,
                offset: 2,
            },
            Insn::String8 {
                value: Arc::from(&b" 42 "[..]),
                dest: 6,
            },
            Insn::MustBeInt {
                reg: 6,
                target: None,
            },
            Insn::Real {
                value: 2.5,
                dest: 7,
            },
            Insn::MustBeInt {
                reg: 7,
                target: Some(10),
            },
            Insn::Integer { value: 99, dest: 7 },
            Insn::ResultRow { start: 3, count: 5 },
            Insn::String8 {
                value: Arc::from(&b"x"[..]),
                dest: 1,
            },
            Insn::MustBeInt {
                reg: 1,
                target: None,
            },
            halt(),
        ],
        8,
        0,
    );
    let mut conn = ConnState::default();
    let mut vm = Vdbe::new(p);
    let mut dbs: Vec<Btree> = Vec::new();
    let mut env = VdbeEnv {
        dbs: &mut dbs,
        conn: &mut conn,
        host: None,
    };
    assert_eq!(vm.step(&mut env).unwrap(), StepResult::Row);
    let row: Vec<Value> = (0..5).map(|k| vm.column(k).to_owned()).collect();
    assert_eq!(row, vec![i(15), i(0), i(-1), i(42), Value::Real(2.5)]);
    let e = vm.step(&mut env).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::MISMATCH);
    assert_eq!(e.to_string(), "datatype mismatch");
    assert!(!vm.is_running());
    assert_eq!(env.conn.active_vms, 0);
}

#[test]
fn constraint_errors() {
    let p = program(
        vec![
            Insn::Null { dest: 1, count: 1 },
            Insn::HaltIfNull {
                reg: 1,
                rc: ResultCode::CONSTRAINT_NOTNULL,
                on_error: OnError::Abort,
                msg: "t.c".into(),
            },
            halt(),
        ],
        2,
        0,
    );
    let e = run(p).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CONSTRAINT_NOTNULL);
    assert_eq!(e.to_string(), "NOT NULL constraint failed: t.c");
    let p = program(
        vec![Insn::Halt {
            rc: ResultCode::CONSTRAINT_UNIQUE,
            on_error: OnError::Abort,
            msg: Some("UNIQUE constraint failed: t.a".into()),
        }],
        1,
        0,
    );
    let e = run(p).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CONSTRAINT_UNIQUE);
    assert_eq!(e.to_string(), "UNIQUE constraint failed: t.a");
}

#[test]
fn bindings_survive_reset() {
    let p = Arc::new(crate::vdbe::Program {
        insns: vec![
            Insn::Variable { index: 1, dest: 1 },
            Insn::Variable { index: 2, dest: 2 },
            Insn::ResultRow { start: 1, count: 2 },
            halt(),
        ],
        n_regs: 3,
        params: vec![None, Some(":b".into())],
        ..Default::default()
    });
    let mut vm = Vdbe::new(p);
    vm.bind(1, t("x")).unwrap();
    assert!(vm.bind(0, i(1)).is_err());
    let mut conn = ConnState::default();
    assert_eq!(
        run_with(&mut vm, &mut conn).unwrap(),
        vec![vec![t("x"), Value::Null]]
    );
    vm.bind(2, i(7)).unwrap();
    let mut dbs: Vec<Btree> = Vec::new();
    vm.reset(&mut VdbeEnv {
        dbs: &mut dbs,
        conn: &mut conn,
        host: None,
    });
    assert_eq!(
        run_with(&mut vm, &mut conn).unwrap(),
        vec![vec![t("x"), i(7)]]
    );
    assert_eq!(vm.binding(2), Some(&i(7)));
    vm.clear_bindings();
    assert_eq!(
        run_with(&mut vm, &mut conn).unwrap(),
        vec![vec![Value::Null, Value::Null]]
    );
}

#[test]
fn reset_mid_run_releases_the_vm() {
    let p = program(
        vec![
            Insn::Integer { value: 1, dest: 1 },
            Insn::ResultRow { start: 1, count: 1 },
            Insn::Goto { target: 1 },
        ],
        2,
        0,
    );
    let mut conn = ConnState::default();
    let mut dbs: Vec<Btree> = Vec::new();
    let mut vm = Vdbe::new(p);
    let mut env = VdbeEnv {
        dbs: &mut dbs,
        conn: &mut conn,
        host: None,
    };
    assert_eq!(vm.step(&mut env).unwrap(), StepResult::Row);
    assert!(vm.is_running());
    assert_eq!(env.conn.active_vms, 1);
    vm.reset(&mut env);
    assert_eq!(env.conn.active_vms, 0);
    assert!(!vm.is_running());
}

#[test]
fn interrupt_stops_a_loop() {
    let p = program(vec![Insn::Goto { target: 0 }], 1, 0);
    let mut conn = ConnState::default();
    conn.interrupt.store(true, Ordering::Relaxed);
    let e = run_with(&mut Vdbe::new(p), &mut conn).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::INTERRUPT);
    assert_eq!(e.to_string(), "interrupted");
    assert_eq!(conn.active_vms, 0);
}

#[test]
fn transaction_control_messages() {
    let begin = program(
        vec![Insn::AutoCommit {
            autocommit: false,
            rollback: false,
        }],
        1,
        0,
    );
    let commit = program(
        vec![Insn::AutoCommit {
            autocommit: true,
            rollback: false,
        }],
        1,
        0,
    );
    let rollback = program(
        vec![Insn::AutoCommit {
            autocommit: true,
            rollback: true,
        }],
        1,
        0,
    );
    let mut conn = ConnState::default();
    let e = run_with(&mut Vdbe::new(commit.clone()), &mut conn).unwrap_err();
    assert_eq!(e.to_string(), "cannot commit - no transaction is active");
    let e = run_with(&mut Vdbe::new(rollback.clone()), &mut conn).unwrap_err();
    assert_eq!(e.to_string(), "cannot rollback - no transaction is active");
    run_with(&mut Vdbe::new(begin.clone()), &mut conn).unwrap();
    assert!(!conn.autocommit);
    let e = run_with(&mut Vdbe::new(begin), &mut conn).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::ERROR);
    assert_eq!(
        e.to_string(),
        "cannot start a transaction within a transaction"
    );
    run_with(&mut Vdbe::new(commit), &mut conn).unwrap();
    assert!(conn.autocommit);
}

#[test]
fn savepoints_without_databases() {
    let sp = |op, name: &str| {
        program(
            vec![
                Insn::Savepoint {
                    op,
                    name: name.into(),
                },
                halt(),
            ],
            1,
            0,
        )
    };
    let mut conn = ConnState::default();
    let e = run_with(&mut Vdbe::new(sp(SavepointOp::Release, "x")), &mut conn).unwrap_err();
    assert_eq!(e.to_string(), "no such savepoint: x");
    run_with(&mut Vdbe::new(sp(SavepointOp::Begin, "a")), &mut conn).unwrap();
    assert!(!conn.autocommit && conn.savepoint_began_txn);
    run_with(&mut Vdbe::new(sp(SavepointOp::Begin, "b")), &mut conn).unwrap();
    run_with(&mut Vdbe::new(sp(SavepointOp::Rollback, "A")), &mut conn).unwrap();
    assert_eq!(conn.savepoints.len(), 1, "ROLLBACK TO keeps the savepoint");
    run_with(&mut Vdbe::new(sp(SavepointOp::Release, "a")), &mut conn).unwrap();
    assert!(conn.autocommit && conn.savepoints.is_empty());
}

#[test]
fn rowset_returns_sorted_unique() {
    let mut insns = Vec::new();
    for v in [4, 2, 9, 2] {
        insns.push(Insn::Integer { value: v, dest: 2 });
        insns.push(Insn::RowSetAdd { set: 1, value: 2 });
    }
    let read = insns.len();
    insns.extend([
        Insn::RowSetRead {
            set: 1,
            dest: 3,
            if_done: read + 3,
        },
        Insn::ResultRow { start: 3, count: 1 },
        Insn::Goto { target: read },
        halt(),
    ]);
    let rows = run(program(insns, 4, 0)).unwrap();
    assert_eq!(rows, vec![vec![i(2)], vec![i(4)], vec![i(9)]]);
}

#[test]
fn explain_reads_like_sqlite() {
    let p = program(
        vec![
            Insn::Init { target: 3 },
            Insn::Compare {
                op: crate::vdbe::CmpOp::Eq,
                lhs: 1,
                rhs: 2,
                target: 2,
                flags: crate::vdbe::CmpFlags {
                    affinity: crate::record::Affinity::Blob,
                    jump_if_null: true,
                    null_eq: false,
                    store: None,
                    collation: None,
                },
            },
            Insn::Arith {
                op: crate::vdbe::ArithOp::Subtract,
                lhs: 1,
                rhs: 2,
                dest: 3,
            },
            Insn::Transaction {
                db: 0,
                write: false,
                exclusive: false,
                schema_cookie: Some(7),
            },
            Insn::Goto { target: 1 },
        ],
        4,
        0,
    );
    let rows = explain_rows(&p);
    let names: Vec<Value> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(
        names,
        vec![
            t("Init"),
            t("Eq"),
            t("Subtract"),
            t("Transaction"),
            t("Goto")
        ]
    );
    assert_eq!(rows[0][3], i(3));
    // Eq: jump to p2 if r[p3] == r[p1]; p5 carries affinity 'A' and JUMPIFNULL.
    assert_eq!(
        (rows[1][2].clone(), rows[1][3].clone(), rows[1][4].clone()),
        (i(2), i(2), i(1))
    );
    assert_eq!(rows[1][6], i(0x41 | 0x10));
    // Subtract: P3 = P2 - P1.
    assert_eq!(
        (rows[2][2].clone(), rows[2][3].clone(), rows[2][4].clone()),
        (i(2), i(1), i(3))
    );
    assert_eq!((rows[3][4].clone(), rows[3][6].clone()), (i(7), i(1)));
    assert_eq!(rows[4][5], Value::Null);
}
