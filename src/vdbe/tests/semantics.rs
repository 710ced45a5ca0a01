//! Arithmetic and comparison semantics, checked against the oracle.

use std::sync::Arc;

use super::harness::{i, program, run, t};
use crate::record::{Affinity, Collation, NoCase, Value};
use crate::vdbe::{arith, compare_regs, ArithOp, CmpFlags, CmpOp, CmpOutcome, Insn, Mem};

fn m(v: Value) -> Mem {
    Mem::from(v)
}

fn r(v: f64) -> Value {
    Value::Real(v)
}

#[test]
fn arithmetic_matches_oracle() {
    use ArithOp as A;
    const MAX: i64 = i64::MAX;
    const MIN: i64 = i64::MIN;
    // sqlite3 :memory: "select 1+'2', 5/2, 5/0, 9223372036854775807+1, 5%0, 5.5%2,
    //   -9223372036854775808/-1, '1.0'+1, '3x'*2, 'abc'+1, x'31'+1, 7%-1, -7%3,
    //   7.0/2, 1||2.5, NULL||'a', 1<<63, 1<<64, -1>>70, 8>>-1, 1<<-1,
    //   -9223372036854775808 % -1, ~5, 10-'2.5', 2*4611686018427387904,
    //   '  12  '+0, 1e308*10, 3&6, 3|4, -8>>1, 0.0/0, 6/3.0, 1.5||''"
    let cases: Vec<(A, Value, Value, Value)> = vec![
        (A::Add, i(1), t("2"), i(3)),
        (A::Divide, i(5), i(2), i(2)),
        (A::Divide, i(5), i(0), Value::Null),
        (A::Add, i(MAX), i(1), r(9.223_372_036_854_776e18)),
        (A::Remainder, i(5), i(0), Value::Null),
        (A::Remainder, r(5.5), i(2), r(1.0)),
        (A::Divide, i(MIN), i(-1), r(9.223_372_036_854_776e18)),
        (A::Add, t("1.0"), i(1), r(2.0)),
        (A::Multiply, t("3x"), i(2), i(6)),
        (A::Add, t("abc"), i(1), i(1)),
        (A::Add, Value::Blob(b"1".to_vec()), i(1), i(2)),
        (A::Remainder, i(7), i(-1), i(0)),
        (A::Remainder, i(-7), i(3), i(-1)),
        (A::Divide, r(7.0), i(2), r(3.5)),
        (A::Concat, i(1), r(2.5), t("12.5")),
        (A::Concat, Value::Null, t("a"), Value::Null),
        (A::ShiftLeft, i(1), i(63), i(MIN)),
        (A::ShiftLeft, i(1), i(64), i(0)),
        (A::ShiftRight, i(-1), i(70), i(-1)),
        (A::ShiftRight, i(8), i(-1), i(16)),
        (A::ShiftLeft, i(1), i(-1), i(0)),
        (A::Remainder, i(MIN), i(-1), i(0)),
        (A::Subtract, i(10), t("2.5"), r(7.5)),
        (
            A::Multiply,
            i(2),
            i(4_611_686_018_427_387_904),
            r(9.223_372_036_854_776e18),
        ),
        (A::Add, t("  12  "), i(0), i(12)),
        (A::Multiply, r(1e308), i(10), r(f64::INFINITY)),
        (A::BitAnd, i(3), i(6), i(2)),
        (A::BitOr, i(3), i(4), i(7)),
        (A::ShiftRight, i(-8), i(1), i(-4)),
        (A::Divide, r(0.0), i(0), Value::Null),
        (A::Divide, i(6), r(3.0), r(2.0)),
        (A::Concat, r(1.5), t(""), t("1.5")),
        (A::Add, Value::Null, i(1), Value::Null),
        (A::BitAnd, Value::Null, i(1), Value::Null),
    ];
    for (op, a, b, want) in cases {
        let got = arith(op, &m(a.clone()), &m(b.clone())).to_value();
        assert_eq!(got, want, "{a:?} {op:?} {b:?}");
    }
}

#[test]
fn unary_operators() {
    use crate::vdbe::{bit_not, negate, not};
    assert_eq!(
        negate(&Mem::Int(i64::MIN)).to_value(),
        r(9.223_372_036_854_776e18)
    );
    assert_eq!(negate(&Mem::Text(b"abc".to_vec())).to_value(), i(0));
    assert_eq!(negate(&Mem::Null).to_value(), Value::Null);
    assert_eq!(bit_not(&Mem::Int(5)).to_value(), i(-6));
    assert_eq!(not(&Mem::Real(0.5)).to_value(), i(0));
    assert_eq!(not(&Mem::Null).to_value(), Value::Null);
}

#[test]
fn three_valued_and_or() {
    use crate::vdbe::and_or;
    let (n, f, tr) = (Mem::Null, Mem::Int(0), Mem::Int(1));
    assert_eq!(and_or(true, &n, &f).to_value(), i(0));
    assert_eq!(and_or(true, &n, &tr).to_value(), Value::Null);
    assert_eq!(and_or(true, &tr, &tr).to_value(), i(1));
    assert_eq!(and_or(false, &n, &tr).to_value(), i(1));
    assert_eq!(and_or(false, &n, &f).to_value(), Value::Null);
    assert_eq!(and_or(false, &f, &f).to_value(), i(0));
}

fn flags(aff: Affinity) -> CmpFlags {
    CmpFlags {
        affinity: aff,
        jump_if_null: false,
        null_eq: false,
        store: None,
        collation: None,
    }
}

#[test]
fn comparison_affinity_matches_oracle() {
    // create table t(i integer, s text, b blob, n); insert into t values(9,'9','10','abc');
    // select i<'10', s<10, b>9, n>1, i='9', s=9 from t;  →  1|0|1|1|1|1
    let cases: Vec<(CmpOp, Value, Value, Affinity, bool)> = vec![
        (CmpOp::Lt, i(9), t("10"), Affinity::Numeric, true),
        (CmpOp::Lt, t("9"), i(10), Affinity::Text, false),
        (CmpOp::Gt, t("10"), i(9), Affinity::Blob, true),
        (CmpOp::Gt, t("abc"), i(1), Affinity::Blob, true),
        (CmpOp::Eq, i(9), t("9"), Affinity::Numeric, true),
        (CmpOp::Eq, t("9"), i(9), Affinity::Text, true),
        (
            CmpOp::Lt,
            t("abc"),
            Value::Blob(vec![0]),
            Affinity::Blob,
            true,
        ),
        (CmpOp::Eq, t("1e3"), i(1000), Affinity::Numeric, true),
        (CmpOp::Ne, t("1x"), i(1), Affinity::Numeric, true),
        (CmpOp::Le, r(2.0), i(2), Affinity::Blob, true),
        (
            CmpOp::Ge,
            i(9_007_199_254_740_993),
            r(9_007_199_254_740_992.0),
            Affinity::Blob,
            true,
        ),
        (
            CmpOp::Gt,
            i(9_007_199_254_740_992),
            r(9_007_199_254_740_992.0),
            Affinity::Blob,
            false,
        ),
    ];
    for (op, a, b, aff, want) in cases {
        let (mut x, mut y) = (m(a.clone()), m(b.clone()));
        let got = compare_regs(op, &mut x, &mut y, &flags(aff));
        let want = if want {
            CmpOutcome::True
        } else {
            CmpOutcome::False
        };
        assert_eq!(got, want, "{a:?} {op:?} {b:?} with {aff:?}");
    }
}

#[test]
fn comparison_nulls_and_collation() {
    let mut f = flags(Affinity::Blob);
    let (mut a, mut b) = (Mem::Null, Mem::Int(1));
    assert_eq!(
        compare_regs(CmpOp::Eq, &mut a, &mut b, &f),
        CmpOutcome::Null
    );
    f.null_eq = true;
    assert_eq!(
        compare_regs(CmpOp::Eq, &mut a, &mut b, &f),
        CmpOutcome::False
    );
    assert_eq!(
        compare_regs(CmpOp::Ne, &mut a, &mut b, &f),
        CmpOutcome::True
    );
    let mut b2 = Mem::Null;
    assert_eq!(
        compare_regs(CmpOp::Eq, &mut a, &mut b2, &f),
        CmpOutcome::True
    );
    let mut nc = flags(Affinity::Blob);
    nc.collation = Some(Arc::new(NoCase) as Arc<dyn Collation>);
    let (mut x, mut y) = (Mem::Text(b"A".to_vec()), Mem::Text(b"a".to_vec()));
    assert_eq!(
        compare_regs(CmpOp::Eq, &mut x, &mut y, &nc),
        CmpOutcome::True
    );
    assert_eq!(
        compare_regs(CmpOp::Eq, &mut x, &mut y, &flags(Affinity::Blob)),
        CmpOutcome::False
    );
}

#[test]
fn comparison_conversion_is_stored_back() {
    let (mut a, mut b) = (Mem::Int(10), Mem::Text(b"9".to_vec()));
    compare_regs(CmpOp::Lt, &mut a, &mut b, &flags(Affinity::Text));
    assert_eq!(a.to_value(), t("10"));
    let (mut c, mut d) = (Mem::Text(b" 7 ".to_vec()), Mem::Int(1));
    compare_regs(CmpOp::Lt, &mut c, &mut d, &flags(Affinity::Integer));
    assert_eq!(c.to_value(), i(7));
}

#[test]
fn arithmetic_through_the_vm() {
    let p = program(
        vec![
            Insn::Integer { value: 1, dest: 1 },
            Insn::String8 {
                value: Arc::from(&b"2"[..]),
                dest: 2,
            },
            Insn::Arith {
                op: ArithOp::Add,
                lhs: 1,
                rhs: 2,
                dest: 3,
            },
            Insn::Real {
                value: 7.0,
                dest: 4,
            },
            Insn::Arith {
                op: ArithOp::Divide,
                lhs: 4,
                rhs: 3,
                dest: 5,
            },
            Insn::Arith {
                op: ArithOp::Subtract,
                lhs: 1,
                rhs: 3,
                dest: 6,
            },
            Insn::Negative { src: 6, dest: 7 },
            Insn::Cast {
                reg: 2,
                affinity: Affinity::Integer,
            },
            Insn::ResultRow { start: 3, count: 5 },
            Insn::ResultRow { start: 2, count: 1 },
            Insn::Halt {
                rc: crate::rc::ResultCode::OK,
                on_error: Default::default(),
                msg: None,
            },
        ],
        8,
        0,
    );
    let rows = run(p).unwrap();
    assert_eq!(rows[0], vec![i(3), r(7.0), r(7.0 / 3.0), i(-2), i(2)]);
    assert_eq!(rows[1], vec![i(2)]);
}
