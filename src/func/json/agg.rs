//! The JSON aggregates: `json_group_array(X)` and `json_group_object(N,V)`,
//! usable as window functions.
//!
//! SQLite counterpart: `jsonArrayStep`/`jsonArrayCompute`,
//! `jsonObjectStep`/`jsonObjectCompute`, `jsonGroupInverse` (json.c,
//! 3.40.1).
//!
//! Invariants:
//! 1. The state is the JSON text built so far, without its closing
//!    bracket; an empty group gives `[]` / `{}`.
//! 2. Values are appended as `jsonAppendValue` does (JSON-subtype text
//!    verbatim, BLOB an error); a `json_group_object` label is the text of
//!    any value, and a NULL label adds nothing (C appends no label).
//! 3. `inverse` drops the first element by scanning the text for the first
//!    comma outside strings and brackets, as C does.
//! 4. Results carry the JSON subtype.

use super::render::{append_string, append_value, BLOB_ERROR, JSON_SUBTYPE};
use crate::func::context::{AggregateState, FuncContext, FuncError};
use crate::func::core::text_of;
use crate::record::{Value, ValueRef};

/// The running text of a JSON aggregate.
#[derive(Debug, Default)]
pub struct JsonGroup {
    /// `[` or `{` then the members so far; empty before the first step.
    buf: Vec<u8>,
    /// b'[' for arrays, b'{' for objects.
    open: u8,
}

/// A fresh `json_group_array` state.
pub fn new_group_array() -> Box<dyn AggregateState> {
    Box::new(JsonGroup {
        buf: Vec::new(),
        open: b'[',
    })
}

/// A fresh `json_group_object` state.
pub fn new_group_object() -> Box<dyn AggregateState> {
    Box::new(JsonGroup {
        buf: Vec::new(),
        open: b'{',
    })
}

impl JsonGroup {
    fn result(&self) -> Value {
        let mut out = if self.buf.is_empty() {
            vec![self.open]
        } else {
            self.buf.clone()
        };
        out.push(if self.open == b'[' { b']' } else { b'}' });
        Value::Text(out)
    }

    fn add(&mut self, ctx: &FuncContext, args: &[ValueRef], subs: &[u8]) -> Result<(), FuncError> {
        if self.buf.is_empty() {
            self.buf.push(self.open);
        } else if self.buf.len() > 1 {
            self.buf.push(b',');
        }
        let value_at = if self.open == b'{' {
            match args.first() {
                Some(ValueRef::Null) | None => {}
                Some(label) => append_string(&mut self.buf, &text_of(ctx, label)),
            }
            self.buf.push(b':');
            1
        } else {
            0
        };
        let v = args.get(value_at).copied().unwrap_or(ValueRef::Null);
        let st = subs.get(value_at).copied().unwrap_or(0);
        append_value(&mut self.buf, v, st).map_err(|()| FuncError::msg(BLOB_ERROR))
    }
}

impl AggregateState for JsonGroup {
    fn step(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        self.add(ctx, args, &[])
    }

    fn step_subtyped(
        &mut self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(), FuncError> {
        self.add(ctx, args, subtypes)
    }

    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(self.result())
    }

    fn value(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(self.result())
    }

    fn inverse(&mut self, _: &mut FuncContext, _: &[ValueRef]) -> Result<(), FuncError> {
        let z = &self.buf;
        let (mut in_str, mut nest) = (false, 0i64);
        let mut i = 1;
        while let Some(&c) = z.get(i) {
            if c == b',' && !in_str && nest == 0 {
                break;
            }
            if c == b'"' {
                in_str = !in_str;
            } else if c == b'\\' {
                i += 1;
            } else if !in_str {
                match c {
                    b'{' | b'[' => nest += 1,
                    b']' | b'}' => nest -= 1,
                    _ => {}
                }
            }
            i += 1;
        }
        if i < self.buf.len() {
            self.buf.drain(1..=i);
        } else {
            self.buf.truncate(1);
        }
        Ok(())
    }

    fn result_subtype(&self) -> u8 {
        JSON_SUBTYPE
    }
}
