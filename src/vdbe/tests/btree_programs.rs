//! Programs over a real b-tree on an in-memory pager.

use std::sync::Arc;

use super::harness::{i, t};
use crate::btree::{Btree, TreeKind};
use crate::pager::{Pager, TxnState};
use crate::rc::ResultCode;
use crate::record::Value;
use crate::vdbe::{
    ConnState, InsertFlags, Insn, OnError, Program, RootPage, StepResult, Vdbe, VdbeEnv, VdbeError,
};

fn run_on(
    dbs: &mut [Btree],
    conn: &mut ConnState,
    p: Program,
) -> Result<Vec<Vec<Value>>, VdbeError> {
    let mut vm = Vdbe::new(Arc::new(p));
    let mut env = VdbeEnv {
        dbs,
        conn,
        host: None,
    };
    let mut rows = Vec::new();
    while vm.step(&mut env)? == StepResult::Row {
        rows.push(
            (0..vm.column_count())
                .map(|k| vm.column(k).to_owned())
                .collect(),
        );
    }
    Ok(rows)
}

fn write_prog(insns: Vec<Insn>) -> Program {
    Program {
        insns,
        n_regs: 8,
        n_cursors: 2,
        readonly: false,
        ..Default::default()
    }
}

fn insert_rows(root: u32, vals: &[&str], fail_after: bool) -> Program {
    let flags = InsertFlags {
        count_change: true,
        set_last_rowid: true,
        ..Default::default()
    };
    let mut insns = vec![
        Insn::Transaction {
            db: 0,
            write: true,
            exclusive: false,
            schema_cookie: None,
        },
        Insn::OpenWrite {
            cursor: 0,
            db: 0,
            root: RootPage::Page(root),
            n_cols: 1,
            key_info: None,
        },
    ];
    for v in vals {
        insns.push(Insn::NewRowid {
            cursor: 0,
            dest: 1,
            autoinc_reg: None,
        });
        insns.push(Insn::String8 {
            value: Arc::from(v.as_bytes()),
            dest: 2,
        });
        insns.push(Insn::MakeRecord {
            start: 2,
            count: 1,
            dest: 3,
            affinities: None,
        });
        insns.push(Insn::Insert {
            cursor: 0,
            record: 3,
            rowid: 1,
            flags: flags.clone(),
        });
    }
    insns.push(if fail_after {
        Insn::Halt {
            rc: ResultCode::CONSTRAINT_CHECK,
            on_error: OnError::Abort,
            msg: Some("CHECK constraint failed: x".into()),
        }
    } else {
        Insn::Halt {
            rc: ResultCode::OK,
            on_error: OnError::Abort,
            msg: None,
        }
    });
    write_prog(insns)
}

fn scan(root: u32) -> Program {
    Program {
        insns: vec![
            Insn::Transaction {
                db: 0,
                write: false,
                exclusive: false,
                schema_cookie: None,
            },
            Insn::OpenRead {
                cursor: 0,
                db: 0,
                root: RootPage::Page(root),
                n_cols: 1,
                key_info: None,
            },
            Insn::Rewind {
                cursor: 0,
                if_empty: 7,
            },
            Insn::Rowid { cursor: 0, dest: 1 },
            Insn::Column {
                cursor: 0,
                column: 0,
                dest: 2,
                default: None,
            },
            Insn::ResultRow { start: 1, count: 2 },
            Insn::Next {
                cursor: 0,
                target: 3,
            },
            Insn::Halt {
                rc: ResultCode::OK,
                on_error: OnError::Abort,
                msg: None,
            },
        ],
        n_regs: 3,
        n_cursors: 1,
        readonly: true,
        ..Default::default()
    }
}

fn setup() -> (Vec<Btree>, ConnState, u32) {
    let mut dbs = vec![Btree::new(Pager::open_memory().unwrap())];
    let mut conn = ConnState::default();
    let p = write_prog(vec![
        Insn::Transaction {
            db: 0,
            write: true,
            exclusive: false,
            schema_cookie: None,
        },
        Insn::CreateBtree {
            db: 0,
            dest: 1,
            kind: TreeKind::Table,
        },
        Insn::ResultRow { start: 1, count: 1 },
        Insn::Halt {
            rc: ResultCode::OK,
            on_error: OnError::Abort,
            msg: None,
        },
    ]);
    let rows = run_on(&mut dbs, &mut conn, p).unwrap();
    let Value::Integer(root) = rows[0][0] else {
        panic!("root {rows:?}")
    };
    (dbs, conn, root as u32)
}

#[test]
fn autocommit_insert_then_scan() {
    let (mut dbs, mut conn, root) = setup();
    run_on(
        &mut dbs,
        &mut conn,
        insert_rows(root, &["a", "b", "c"], false),
    )
    .unwrap();
    assert_eq!(conn.changes, 3);
    assert_eq!(conn.last_insert_rowid, 3);
    assert_eq!(
        dbs[0].pager().txn_state(),
        TxnState::None,
        "committed and read lock released"
    );
    let rows = run_on(&mut dbs, &mut conn, scan(root)).unwrap();
    assert_eq!(
        rows,
        vec![vec![i(1), t("a")], vec![i(2), t("b")], vec![i(3), t("c")]]
    );
    assert_eq!(conn.active_vms, 0);
}

#[test]
fn abort_in_autocommit_rolls_back_statement() {
    let (mut dbs, mut conn, root) = setup();
    run_on(&mut dbs, &mut conn, insert_rows(root, &["a"], false)).unwrap();
    let e = run_on(&mut dbs, &mut conn, insert_rows(root, &["b", "c"], true)).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CONSTRAINT_CHECK);
    let rows = run_on(&mut dbs, &mut conn, scan(root)).unwrap();
    assert_eq!(rows, vec![vec![i(1), t("a")]]);
}

#[test]
fn abort_in_explicit_txn_keeps_earlier_statements() {
    let (mut dbs, mut conn, root) = setup();
    let begin = write_prog(vec![Insn::AutoCommit {
        autocommit: false,
        rollback: false,
    }]);
    let mut begin = begin;
    begin.readonly = true;
    run_on(&mut dbs, &mut conn, begin).unwrap();
    run_on(&mut dbs, &mut conn, insert_rows(root, &["a"], false)).unwrap();
    assert_eq!(dbs[0].pager().txn_state(), TxnState::Write);
    let e = run_on(&mut dbs, &mut conn, insert_rows(root, &["b"], true)).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CONSTRAINT_CHECK);
    assert!(!conn.autocommit, "the transaction stays open");
    let mut commit = write_prog(vec![Insn::AutoCommit {
        autocommit: true,
        rollback: false,
    }]);
    commit.readonly = true;
    run_on(&mut dbs, &mut conn, commit).unwrap();
    assert_eq!(dbs[0].pager().txn_state(), TxnState::None);
    let rows = run_on(&mut dbs, &mut conn, scan(root)).unwrap();
    assert_eq!(rows, vec![vec![i(1), t("a")]]);
}
