//! Hand-assembled programs: table loops, sorting, aggregates.

use std::sync::Arc;

use super::harness::{i, program, run, run_with, t};
use crate::func::{AggregateState, FuncContext, FuncDef, FuncError, FuncFlags, FuncKind};
use crate::rc::ResultCode;
use crate::record::{Affinity, Binary, Collation, KeyInfo, NoCase, Value, ValueRef};
use crate::vdbe::{ConnState, InsertFlags, Insn, OnError, Vdbe};

fn halt() -> Insn {
    Insn::Halt {
        rc: ResultCode::OK,
        on_error: OnError::Abort,
        msg: None,
    }
}

fn s8(s: &str, dest: usize) -> Insn {
    Insn::String8 {
        value: Arc::from(s.as_bytes()),
        dest,
    }
}

/// INSERT five rows into an ephemeral table, then scan it:
/// rowid, column 0, column 1 (with a default for the missing column).
#[test]
fn insert_and_scan_loop() {
    let flags = InsertFlags {
        count_change: true,
        set_last_rowid: true,
        ..Default::default()
    };
    let p = program(
        vec![
            /* 0 */
            Insn::OpenEphemeral {
                cursor: 0,
                n_cols: 2,
                key_info: None,
            },
            /* 1 */ Insn::Integer { value: 5, dest: 1 },
            /* 2 */
            Insn::NewRowid {
                cursor: 0,
                dest: 2,
                autoinc_reg: None,
            },
            /* 3 */
            Insn::Arith {
                op: crate::vdbe::ArithOp::Multiply,
                lhs: 1,
                rhs: 1,
                dest: 3,
            },
            /* 4 */
            Insn::MakeRecord {
                start: 3,
                count: 1,
                dest: 4,
                affinities: Some(vec![Affinity::Text]),
            },
            /* 5 */
            Insn::Insert {
                cursor: 0,
                record: 4,
                rowid: 2,
                flags: flags.clone(),
            },
            /* 6 */ Insn::DecrJumpZero { reg: 1, target: 8 },
            /* 7 */ Insn::Goto { target: 2 },
            /* 8 */
            Insn::Rewind {
                cursor: 0,
                if_empty: 14,
            },
            /* 9 */ Insn::Rowid { cursor: 0, dest: 5 },
            /* 10 */
            Insn::Column {
                cursor: 0,
                column: 0,
                dest: 6,
                default: None,
            },
            /* 11 */
            Insn::Column {
                cursor: 0,
                column: 1,
                dest: 7,
                default: Some(Value::Integer(-1)),
            },
            /* 12 */ Insn::ResultRow { start: 5, count: 3 },
            /* 13 */
            Insn::Next {
                cursor: 0,
                target: 9,
            },
            /* 14 */ halt(),
        ],
        8,
        1,
    );
    let mut conn = ConnState::default();
    let mut vm = Vdbe::new(p);
    let rows = run_with(&mut vm, &mut conn).unwrap();
    let want: Vec<Vec<Value>> = (1..=5)
        .map(|k| {
            let v = 6 - k; // the counter counts down 5..1
            vec![i(k), t(&(v * v).to_string()), i(-1)]
        })
        .collect();
    assert_eq!(rows, want);
    assert_eq!(vm.changes(), 5);
    assert_eq!(conn.changes, 5);
    assert_eq!(conn.total_changes, 5);
    assert_eq!(conn.last_insert_rowid, 5);
    assert_eq!(conn.active_vms, 0);
    assert!(!vm.is_running());
}

/// ORDER BY a COLLATE NOCASE, b DESC through the sorter and a pseudo cursor.
#[test]
fn sorter_orders_with_desc_and_collation() {
    let ki = Arc::new(KeyInfo {
        collations: vec![Arc::new(NoCase) as Arc<dyn Collation>, Arc::new(Binary)],
        desc: vec![false, true],
    });
    let data = [("b", 1), ("A", 2), ("a", 3), ("B", 0), ("c", 9)];
    let mut insns = vec![Insn::SorterOpen {
        cursor: 0,
        n_cols: 2,
        key_info: ki,
    }];
    for (s, n) in data {
        insns.push(s8(s, 1));
        insns.push(Insn::Integer { value: n, dest: 2 });
        insns.push(Insn::MakeRecord {
            start: 1,
            count: 2,
            dest: 3,
            affinities: None,
        });
        insns.push(Insn::SorterInsert {
            cursor: 0,
            record: 3,
        });
    }
    let sort_at = insns.len();
    insns.extend([
        Insn::OpenPseudo {
            cursor: 1,
            reg: 4,
            n_cols: 2,
        },
        Insn::SorterSort {
            cursor: 0,
            if_empty: sort_at + 7,
        },
        Insn::SorterData {
            cursor: 0,
            dest: 4,
            pseudo: 1,
        },
        Insn::Column {
            cursor: 1,
            column: 0,
            dest: 5,
            default: None,
        },
        Insn::Column {
            cursor: 1,
            column: 1,
            dest: 6,
            default: None,
        },
        Insn::ResultRow { start: 5, count: 2 },
        Insn::SorterNext {
            cursor: 0,
            target: sort_at + 2,
        },
        halt(),
    ]);
    let rows = run(program(insns, 7, 2)).unwrap();
    let got: Vec<(Value, Value)> = rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (t("a"), i(3)),
            (t("A"), i(2)),
            (t("b"), i(1)),
            (t("B"), i(0)),
            (t("c"), i(9))
        ]
    );
}

#[derive(Default)]
struct Count(i64);
impl AggregateState for Count {
    fn step(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if args.first().is_none_or(|a| !a.is_null()) {
            self.0 += 1;
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(Value::Integer(self.0))
    }
}

#[derive(Default)]
struct Sum(Option<i64>);
impl AggregateState for Sum {
    fn step(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if let Some(ValueRef::Integer(v)) = args.first() {
            let s = self
                .0
                .unwrap_or(0)
                .checked_add(*v)
                .ok_or(FuncError::msg("integer overflow"))?;
            self.0 = Some(s);
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(self.0.map_or(Value::Null, Value::Integer))
    }
}

fn agg(name: &str, kind: FuncKind) -> Arc<FuncDef> {
    Arc::new(FuncDef {
        name: name.into(),
        n_args: 1,
        flags: FuncFlags::default(),
        kind,
    })
}

fn count_def() -> Arc<FuncDef> {
    agg("count", FuncKind::Aggregate(|| Box::new(Count::default())))
}

fn sum_def() -> Arc<FuncDef> {
    agg("sum", FuncKind::Aggregate(|| Box::new(Sum::default())))
}

/// count(x), sum(x), sum(DISTINCT x) over 1, 2, 2, NULL, 3; then the same
/// aggregates over no rows.
#[test]
fn aggregates_count_sum_distinct() {
    let vals = [Some(1), Some(2), Some(2), None, Some(3)];
    let mut insns = vec![Insn::OpenEphemeral {
        cursor: 0,
        n_cols: 1,
        key_info: Some(Arc::new(KeyInfo::binary(1))),
    }];
    for v in vals {
        insns.push(match v {
            Some(n) => Insn::Integer { value: n, dest: 1 },
            None => Insn::Null { dest: 1, count: 1 },
        });
        insns.push(Insn::AggStep {
            func: count_def(),
            args: 1,
            n_args: 1,
            acc: 2,
            distinct: None,
            collation: None,
            hit: None,
        });
        insns.push(Insn::AggStep {
            func: sum_def(),
            args: 1,
            n_args: 1,
            acc: 3,
            distinct: None,
            collation: None,
            hit: None,
        });
        insns.push(Insn::AggStep {
            func: sum_def(),
            args: 1,
            n_args: 1,
            acc: 4,
            distinct: Some(0),
            collation: None,
            hit: None,
        });
    }
    insns.extend([
        Insn::AggFinal {
            func: count_def(),
            acc: 2,
            n_args: 1,
        },
        Insn::AggFinal {
            func: sum_def(),
            acc: 3,
            n_args: 1,
        },
        Insn::AggFinal {
            func: sum_def(),
            acc: 4,
            n_args: 1,
        },
        Insn::ResultRow { start: 2, count: 3 },
        Insn::AggFinal {
            func: count_def(),
            acc: 5,
            n_args: 1,
        },
        Insn::AggFinal {
            func: sum_def(),
            acc: 6,
            n_args: 1,
        },
        Insn::ResultRow { start: 5, count: 2 },
        halt(),
    ]);
    let rows = run(program(insns, 7, 1)).unwrap();
    assert_eq!(rows, vec![vec![i(4), i(8), i(6)], vec![i(0), Value::Null]]);
}

/// A scalar function call sees its arguments and the collation.
#[test]
fn scalar_function_call() {
    fn concat_coll(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
        let mut out = ctx.collation.name().as_bytes().to_vec();
        for a in args {
            if let ValueRef::Text(s) = a {
                out.extend_from_slice(s);
            }
        }
        Ok(Value::Text(out))
    }
    fn fail(_: &mut FuncContext, _: &[ValueRef]) -> Result<Value, FuncError> {
        Err(FuncError::msg("boom"))
    }
    let f = Arc::new(FuncDef {
        name: "f".into(),
        n_args: 2,
        flags: FuncFlags::default(),
        kind: FuncKind::Scalar(concat_coll),
    });
    let p = program(
        vec![
            s8(":a", 1),
            s8(":b", 2),
            Insn::Function {
                func: f,
                args: 1,
                n_args: 2,
                dest: 3,
                collation: Some(Arc::new(NoCase)),
            },
            Insn::ResultRow { start: 3, count: 1 },
            halt(),
        ],
        4,
        0,
    );
    assert_eq!(run(p).unwrap(), vec![vec![t("NOCASE:a:b")]]);
    let g = Arc::new(FuncDef {
        name: "g".into(),
        n_args: 0,
        flags: FuncFlags::default(),
        kind: FuncKind::Scalar(fail),
    });
    let p = program(
        vec![
            Insn::Function {
                func: g,
                args: 1,
                n_args: 0,
                dest: 1,
                collation: None,
            },
            halt(),
        ],
        2,
        0,
    );
    let e = run(p).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::ERROR);
    assert_eq!(e.to_string(), "boom");
}

/// SELECT DISTINCT through an ephemeral index with NotFound + IdxInsert,
/// then a range scan with SeekGE / IdxGT.
#[test]
fn ephemeral_index_distinct_and_range() {
    let ki = Arc::new(KeyInfo::binary(1));
    let mut insns = vec![Insn::OpenEphemeral {
        cursor: 0,
        n_cols: 1,
        key_info: Some(ki),
    }];
    for v in [5, 3, 5, 8, 1, 3] {
        let here = insns.len();
        insns.extend([
            Insn::Integer { value: v, dest: 1 },
            Insn::Found {
                cursor: 0,
                key: 1,
                n_keys: 1,
                target: here + 4,
            },
            Insn::MakeRecord {
                start: 1,
                count: 1,
                dest: 2,
                affinities: None,
            },
            Insn::IdxInsert { cursor: 0, key: 2 },
        ]);
    }
    let scan = insns.len();
    insns.extend([
        Insn::Integer { value: 2, dest: 3 },
        Insn::Integer { value: 5, dest: 4 },
        Insn::SeekGE {
            cursor: 0,
            key: 3,
            n_keys: 1,
            not_found: scan + 8,
        },
        Insn::IdxGT {
            cursor: 0,
            key: 4,
            n_keys: 1,
            target: scan + 8,
        },
        Insn::Column {
            cursor: 0,
            column: 0,
            dest: 5,
            default: None,
        },
        Insn::ResultRow { start: 5, count: 1 },
        Insn::Next {
            cursor: 0,
            target: scan + 3,
        },
        Insn::Noop,
        Insn::Count { cursor: 0, dest: 6 },
        Insn::ResultRow { start: 6, count: 1 },
        halt(),
    ]);
    let rows = run(program(insns, 7, 1)).unwrap();
    assert_eq!(rows, vec![vec![i(3)], vec![i(5)], vec![i(4)]]);
}
