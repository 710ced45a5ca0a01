//! Hand-written tests of the function API: registry lookup, window
//! inverses, 'now', errors and limits, and the public matchers.

use super::TestEnv;
use crate::func::{
    glob_match, like_match, FuncContext, FuncDef, FuncEnv, FuncError, FuncFlags, FuncKind,
    Registry, UserScalar,
};
use crate::rc::ResultCode;
use crate::record::{Binary, NoCase, Value, ValueRef};
use std::sync::Arc;

fn call(
    reg: &Registry,
    env: &mut dyn FuncEnv,
    name: &str,
    args: &[ValueRef],
) -> Result<Value, FuncError> {
    let def = reg.find(name, args.len()).expect("function exists");
    let mut ctx = FuncContext {
        env,
        collation: &Binary,
    };
    match &def.kind {
        FuncKind::Scalar(f) => f(&mut ctx, args),
        FuncKind::UserScalar(u) => u.call(&mut ctx, args),
        other => panic!("not a scalar: {other:?}"),
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

#[test]
fn registry_prefers_exact_arity_and_ignores_case() {
    let reg = Registry::builtins();
    assert!(reg.find("MAX", 1).unwrap().is_aggregate());
    assert!(!reg.find("max", 2).unwrap().is_aggregate());
    assert!(!reg.find("Max", 5).unwrap().is_aggregate());
    assert!(reg.find("substr", 1).is_none());
    assert!(reg.has_name("substr"));
    assert!(reg.find("no_such_fn", 1).is_none());
    assert!(matches!(
        reg.find("coalesce", 1).unwrap().kind,
        FuncKind::WrongArgCount
    ));
    assert!(matches!(
        reg.find("coalesce", 3).unwrap().kind,
        FuncKind::Scalar(_)
    ));
    assert!(reg.find("count", 0).unwrap().flags.count);
    assert!(reg.find("min", 1).unwrap().flags.minmax);
    assert!(!reg.find("random", 0).unwrap().flags.deterministic);
    assert!(reg.find("date", 0).unwrap().flags.slow_change);
}

struct Twice;
impl UserScalar for Twice {
    fn call(&self, _: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
        match args.first() {
            Some(ValueRef::Integer(i)) => Ok(Value::Integer(i * 2)),
            _ => Err(FuncError::Code {
                code: ResultCode::MISMATCH,
                message: "want an integer".into(),
            }),
        }
    }
}

#[test]
fn user_functions_override_builtins() {
    let mut reg = Registry::builtins();
    let mut env = TestEnv { seed: 3 };
    reg.register(FuncDef {
        name: "ABS".into(),
        n_args: 1,
        flags: FuncFlags::default(),
        kind: FuncKind::UserScalar(Arc::new(Twice)),
    });
    assert_eq!(
        call(&reg, &mut env, "abs", &[ValueRef::Integer(-4)]),
        Ok(Value::Integer(-8))
    );
    let err = call(&reg, &mut env, "abs", &[ValueRef::Null]).unwrap_err();
    assert_eq!(err.result_code(), ResultCode::MISMATCH);
    assert!(reg.unregister("abs", 1));
    assert!(reg.find("abs", 1).is_none());
}

#[test]
fn now_uses_the_statement_time() {
    let reg = Registry::builtins();
    let mut env = TestEnv { seed: 1 };
    assert_eq!(call(&reg, &mut env, "date", &[]), Ok(text("2023-06-15")));
    assert_eq!(
        call(&reg, &mut env, "datetime", &[ValueRef::Text(b"NOW")]),
        Ok(text("2023-06-15 12:34:56"))
    );
    assert_eq!(
        call(&reg, &mut env, "unixepoch", &[]),
        Ok(Value::Integer(1686832496))
    );
    let f = call(
        &reg,
        &mut env,
        "strftime",
        &[ValueRef::Text(b"%f|%w|%j"), ValueRef::Text(b"now")],
    );
    assert_eq!(f, Ok(text("56.789|4|166")));
    let d = call(
        &reg,
        &mut env,
        "date",
        &[
            ValueRef::Text(b"now"),
            ValueRef::Text(b"start of month"),
            ValueRef::Text(b"+1 month"),
            ValueRef::Text(b"-1 day"),
        ],
    );
    assert_eq!(d, Ok(text("2023-06-30")));
}

#[test]
fn errors_map_to_result_codes() {
    let reg = Registry::builtins();
    let mut env = TestEnv { seed: 1 };
    let e = call(&reg, &mut env, "abs", &[ValueRef::Integer(i64::MIN)]).unwrap_err();
    assert_eq!(
        (e.to_string().as_str(), e.result_code()),
        ("integer overflow", ResultCode::ERROR)
    );
    let e = call(
        &reg,
        &mut env,
        "zeroblob",
        &[ValueRef::Integer(2_000_000_000)],
    )
    .unwrap_err();
    assert_eq!(e.result_code(), ResultCode::TOOBIG);
    let e = call(
        &reg,
        &mut env,
        "printf",
        &[ValueRef::Text(b"%2000000000d"), ValueRef::Integer(1)],
    )
    .unwrap_err();
    assert_eq!(e, FuncError::TooBig);
    let e = call(
        &reg,
        &mut env,
        "like",
        &[
            ValueRef::Text(b"a"),
            ValueRef::Text(b"a"),
            ValueRef::Text(b"ab"),
        ],
    );
    assert_eq!(
        e,
        Err(FuncError::msg(
            "ESCAPE expression must be a single character"
        ))
    );
    assert_eq!(FuncError::NoMem.result_code(), ResultCode::NOMEM);
}

#[test]
fn random_values() {
    let reg = Registry::builtins();
    let mut env = TestEnv { seed: 99 };
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        match call(&reg, &mut env, "random", &[]) {
            Ok(Value::Integer(i)) => {
                assert_ne!(i, i64::MIN);
                seen.insert(i);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(seen.len() > 40);
    match call(&reg, &mut env, "randomblob", &[ValueRef::Integer(0)]) {
        Ok(Value::Blob(b)) => assert_eq!(b.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn window_inverse_and_value() {
    let reg = Registry::builtins();
    let mut env = TestEnv { seed: 1 };
    let mut ctx = FuncContext {
        env: &mut env,
        collation: &Binary,
    };
    let agg = |name: &str, n: usize| match reg.find(name, n).unwrap().kind {
        FuncKind::Aggregate(f) => f(),
        _ => panic!("{name}"),
    };
    let mut sum = agg("sum", 1);
    for i in [1, 2, 3] {
        sum.step(&mut ctx, &[ValueRef::Integer(i)]).unwrap();
    }
    sum.inverse(&mut ctx, &[ValueRef::Integer(1)]).unwrap();
    assert_eq!(sum.value(&mut ctx), Ok(Value::Integer(5)));
    sum.inverse(&mut ctx, &[ValueRef::Integer(2)]).unwrap();
    sum.inverse(&mut ctx, &[ValueRef::Integer(3)]).unwrap();
    assert_eq!(sum.value(&mut ctx), Ok(Value::Null));

    let mut gc = agg("group_concat", 2);
    for (v, sep) in [("a", "-"), ("b", "+"), ("c", "*")] {
        gc.step(
            &mut ctx,
            &[ValueRef::Text(v.as_bytes()), ValueRef::Text(sep.as_bytes())],
        )
        .unwrap();
    }
    assert_eq!(gc.value(&mut ctx), Ok(text("a+b*c")));
    gc.inverse(&mut ctx, &[ValueRef::Text(b"a"), ValueRef::Text(b"-")])
        .unwrap();
    assert_eq!(gc.value(&mut ctx), Ok(text("b*c")));

    let mut count = agg("count", 0);
    count.step(&mut ctx, &[]).unwrap();
    count.step(&mut ctx, &[]).unwrap();
    count.inverse(&mut ctx, &[]).unwrap();
    assert_eq!(count.finalize(&mut ctx), Ok(Value::Integer(1)));

    let mut mx = agg("max", 1);
    mx.step(&mut ctx, &[ValueRef::Integer(3)]).unwrap();
    assert!(!mx.skip_accumulator_load());
    mx.step(&mut ctx, &[ValueRef::Integer(2)]).unwrap();
    assert!(mx.skip_accumulator_load());
    mx.step(&mut ctx, &[ValueRef::Integer(7)]).unwrap();
    assert!(!mx.skip_accumulator_load());
    assert!(mx.inverse(&mut ctx, &[ValueRef::Integer(3)]).is_err());
    assert_eq!(mx.finalize(&mut ctx), Ok(Value::Integer(7)));
}

#[test]
fn min_max_use_the_call_collation() {
    let reg = Registry::builtins();
    let mut env = TestEnv { seed: 1 };
    let mut ctx = FuncContext {
        env: &mut env,
        collation: &NoCase,
    };
    let FuncKind::Scalar(max) = reg.find("max", 2).unwrap().kind else {
        panic!()
    };
    let r = max(&mut ctx, &[ValueRef::Text(b"B"), ValueRef::Text(b"a")]);
    assert_eq!(r, Ok(text("B")));
    let FuncKind::Scalar(nullif) = reg.find("nullif", 2).unwrap().kind else {
        panic!()
    };
    assert_eq!(
        nullif(&mut ctx, &[ValueRef::Text(b"x"), ValueRef::Text(b"X")]),
        Ok(Value::Null)
    );
}

#[test]
fn public_matchers() {
    assert!(like_match(b"a%c", b"ABBC", None, false));
    assert!(!like_match(b"a%c", b"ABBC", None, true));
    assert!(like_match(b"100!%", b"100%", Some(u32::from(b'!')), false));
    assert!(!like_match(b"100!%", b"1000", Some(u32::from(b'!')), false));
    assert!(like_match(b"_\xc3\xa9", b"x\xc3\xa9", None, false));
    assert!(glob_match(b"*.rs", b"main.rs"));
    assert!(!glob_match(b"*.rs", b"main.RS"));
    assert!(glob_match(b"[0-9][!-z]", b"7!"));
    assert!(glob_match(b"a[^b]c", b"axc"));
    // Text ends at NUL, as C strings do.
    assert!(glob_match(b"ab", b"ab\0cd"));
}
