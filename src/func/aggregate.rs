//! Built-in aggregate functions: count, sum, total, avg, min, max,
//! group_concat, each usable as a window function.
//!
//! SQLite counterpart: func.c (`countStep`, `sumStep`/`sumFinalize`/
//! `totalFinalize`/`avgFinalize`/`sumInverse`, `minmaxStep`/`minMaxValue`,
//! `groupConcatStep`/`groupConcatInverse`/`groupConcatValue`).
//!
//! Invariants:
//! 1. NULL inputs are ignored by every aggregate except `count(*)`.
//! 2. sum/avg/total accumulate an exact i64 while every input is an
//!    integer and no overflow happened, and a plain (non-compensated) f64
//!    sum always; `sum` of integers that overflows is the error
//!    "integer overflow", as in 3.40.
//! 3. Text inputs to sum/avg/total count as INTEGER or REAL only when the
//!    whole text is a number (`sqlite3_value_numeric_type`); otherwise they
//!    add their numeric prefix as a REAL.
//! 4. min/max keep the first of equal values and report through
//!    `skip_accumulator_load` whether the last row changed the result (the
//!    VM uses it for bare columns in `SELECT a, max(b)`).

use std::collections::VecDeque;

use super::context::{AggregateFactory, AggregateState, FuncContext, FuncError, FuncFlags};
use super::core::arg;
use super::registry::DET;
use crate::record::{compare_values, text_to_numeric, value_to_f64, Value, ValueRef};

const AGG: FuncFlags = FuncFlags {
    window: true,
    ..DET
};

/// The built-in aggregates: name, arity, flags, factory.
pub(crate) const TABLE: &[(&str, i32, FuncFlags, AggregateFactory)] = &[
    ("avg", 1, AGG, new_avg),
    ("count", 0, FuncFlags { count: true, ..AGG }, new_count),
    ("count", 1, AGG, new_count),
    ("group_concat", 1, AGG, new_group_concat),
    ("group_concat", 2, AGG, new_group_concat),
    (
        "max",
        1,
        FuncFlags {
            minmax: true,
            needs_collation: true,
            ..AGG
        },
        new_max,
    ),
    (
        "min",
        1,
        FuncFlags {
            minmax: true,
            needs_collation: true,
            ..AGG
        },
        new_min,
    ),
    ("sum", 1, AGG, new_sum),
    ("total", 1, AGG, new_total),
];

fn new_count() -> Box<dyn AggregateState> {
    Box::new(Count(0))
}
fn new_sum() -> Box<dyn AggregateState> {
    Box::new(Sum::new(SumKind::Sum))
}
fn new_total() -> Box<dyn AggregateState> {
    Box::new(Sum::new(SumKind::Total))
}
fn new_avg() -> Box<dyn AggregateState> {
    Box::new(Sum::new(SumKind::Avg))
}
fn new_max() -> Box<dyn AggregateState> {
    Box::new(MinMax {
        best: None,
        is_max: true,
        skip: false,
        subtype: 0,
    })
}
fn new_min() -> Box<dyn AggregateState> {
    Box::new(MinMax {
        best: None,
        is_max: false,
        skip: false,
        subtype: 0,
    })
}
fn new_group_concat() -> Box<dyn AggregateState> {
    Box::new(GroupConcat::default())
}

/// `count(*)` (no arguments: every row) and `count(X)` (non-NULL X).
struct Count(i64);

impl AggregateState for Count {
    fn step(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if args.is_empty() || !arg(args, 0).is_null() {
            self.0 += 1;
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(Value::Integer(self.0))
    }
    fn inverse(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if args.is_empty() || !arg(args, 0).is_null() {
            self.0 -= 1;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SumKind {
    Sum,
    Total,
    Avg,
}

/// SQLite's `SumCtx`.
struct Sum {
    kind: SumKind,
    r_sum: f64,
    i_sum: i64,
    cnt: i64,
    overflow: bool,
    approx: bool,
}

/// The numeric class of a value as `sqlite3_value_numeric_type` sees it:
/// `Some(Ok(i))` integer, `Some(Err(r))` other non-NULL, `None` NULL.
fn numeric(v: &ValueRef) -> Option<Result<i64, f64>> {
    match *v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Ok(i)),
        ValueRef::Text(t) => match text_to_numeric(t) {
            (Value::Integer(i), true) => Some(Ok(i)),
            (Value::Real(r), true) => Some(Err(r)),
            _ => Some(Err(value_to_f64(v))),
        },
        other => Some(Err(value_to_f64(&other))),
    }
}

impl Sum {
    fn new(kind: SumKind) -> Sum {
        Sum {
            kind,
            r_sum: 0.0,
            i_sum: 0,
            cnt: 0,
            overflow: false,
            approx: false,
        }
    }

    fn current(&self) -> Result<Value, FuncError> {
        match self.kind {
            SumKind::Total => Ok(Value::Real(self.r_sum)),
            _ if self.cnt <= 0 => Ok(Value::Null),
            SumKind::Avg => Ok(Value::Real(self.r_sum / self.cnt as f64)),
            SumKind::Sum if self.overflow => Err(FuncError::msg("integer overflow")),
            SumKind::Sum if self.approx => Ok(Value::Real(self.r_sum)),
            SumKind::Sum => Ok(Value::Integer(self.i_sum)),
        }
    }
}

impl AggregateState for Sum {
    fn step(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        match numeric(&arg(args, 0)) {
            None => {}
            Some(Ok(i)) => {
                self.cnt += 1;
                self.r_sum += i as f64;
                if !(self.approx || self.overflow) {
                    match self.i_sum.checked_add(i) {
                        Some(s) => self.i_sum = s,
                        None => {
                            self.approx = true;
                            self.overflow = true;
                        }
                    }
                }
            }
            Some(Err(r)) => {
                self.cnt += 1;
                self.r_sum += r;
                self.approx = true;
            }
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        self.current()
    }
    fn value(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        self.current()
    }
    fn inverse(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        match numeric(&arg(args, 0)) {
            None => {}
            Some(Ok(i)) => {
                self.cnt -= 1;
                self.r_sum -= i as f64;
                if !self.approx {
                    self.i_sum = self.i_sum.wrapping_sub(i);
                }
            }
            Some(Err(r)) => {
                self.cnt -= 1;
                self.r_sum -= r;
            }
        }
        Ok(())
    }
}

/// `min(X)` / `max(X)` aggregates.
struct MinMax {
    best: Option<Value>,
    is_max: bool,
    skip: bool,
    /// The subtype of the argument `best` came from (SQLite copies the
    /// whole value, subtype included).
    subtype: u8,
}

impl AggregateState for MinMax {
    fn step(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        let v = arg(args, 0);
        self.skip = false;
        if v.is_null() {
            self.skip = self.best.is_some();
            return Ok(());
        }
        let better = match &self.best {
            None => true,
            Some(b) => {
                // Two numbers of one kind need no collation or dispatch.
                let c = match (b, &v) {
                    (Value::Integer(x), ValueRef::Integer(y)) => x.cmp(y),
                    (Value::Real(x), ValueRef::Real(y)) => match x.partial_cmp(y) {
                        Some(o) => o,
                        None => compare_values(&b.as_ref(), &v, ctx.collation),
                    },
                    _ => compare_values(&b.as_ref(), &v, ctx.collation),
                };
                if self.is_max {
                    c.is_lt()
                } else {
                    c.is_gt()
                }
            }
        };
        if better {
            store_reusing(&mut self.best, v);
            self.subtype = 0;
        } else {
            self.skip = true;
        }
        Ok(())
    }
    fn step_subtyped(
        &mut self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(), FuncError> {
        self.step(ctx, args)?;
        if !self.skip && self.best.is_some() {
            self.subtype = subtypes.first().copied().unwrap_or(0);
        }
        Ok(())
    }
    fn result_subtype(&self) -> u8 {
        self.subtype
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(self.best.clone().unwrap_or(Value::Null))
    }
    fn skip_accumulator_load(&self) -> bool {
        self.skip
    }
}

/// Sets `slot` to `v`, refilling the text or blob buffer it already holds
/// instead of allocating a new one.
fn store_reusing(slot: &mut Option<Value>, v: ValueRef) {
    match (slot.as_mut(), v) {
        (Some(Value::Text(buf)), ValueRef::Text(b))
        | (Some(Value::Blob(buf)), ValueRef::Blob(b)) => {
            buf.clear();
            buf.extend_from_slice(b);
        }
        _ => *slot = Some(v.to_owned()),
    }
}

/// `group_concat(X)` / `group_concat(X, SEP)`.
#[derive(Default)]
struct GroupConcat {
    /// (separator placed before the value, value) for each non-NULL row.
    items: VecDeque<(Vec<u8>, Vec<u8>)>,
    len: usize,
    started: bool,
}

impl GroupConcat {
    fn text(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for (i, (sep, val)) in self.items.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            out.extend_from_slice(val);
        }
        out
    }
}

impl AggregateState for GroupConcat {
    fn step(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        let v = arg(args, 0);
        if v.is_null() {
            return Ok(());
        }
        self.started = true;
        let sep = if args.len() == 1 {
            b",".to_vec()
        } else {
            match arg(args, 1) {
                ValueRef::Null => Vec::new(),
                s => super::core::text_of(ctx, &s),
            }
        };
        let val = super::core::text_of(ctx, &v);
        let added = val.len() + if self.items.is_empty() { 0 } else { sep.len() };
        self.len += added;
        self.items.push_back((sep, val));
        if self.len >= ctx.env.max_length() {
            return Err(FuncError::TooBig);
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        if !self.started {
            return Ok(Value::Null);
        }
        Ok(Value::Text(self.text()))
    }
    fn value(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        let t = self.text();
        Ok(if t.is_empty() {
            Value::Null
        } else {
            Value::Text(t)
        })
    }
    fn inverse(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if arg(args, 0).is_null() {
            return Ok(());
        }
        if let Some((_, val)) = self.items.pop_front() {
            self.len -= val.len();
            if let Some((sep, _)) = self.items.front_mut() {
                self.len -= sep.len();
                sep.clear();
            }
        }
        Ok(())
    }
}
