//! The JSON1 functions of SQLite 3.40.1 (built in since 3.38).
//!
//! SQLite counterpart: json.c (3.40.1, before JSON5 and JSONB).
//!
//! | file | job |
//! |---|---|
//! | `parse.rs` | JSON text → [`parse::Node`] tree (RFC 8259, depth limit 2000) |
//! | `path.rs` | path lookup and the appends of json_set/json_insert |
//! | `render.rs` | minified output, SQL values as JSON, node → SQL value |
//! | `merge.rs` | json_patch (RFC 7396) |
//! | `scalar.rs` | the scalar functions and `->` / `->>` |
//! | `each.rs` | the json_each and json_tree table-valued functions |
//! | `agg.rs` | json_group_array, json_group_object (also window functions) |
//!
//! Invariants:
//! 1. The scalars are registered as [`FuncKind::UserScalar`] so that the VM
//!    hands them their arguments' subtypes and keeps their result's
//!    subtype (SQLite's `JSON_SUBTYPE`, 'J').
//! 2. Every function is deterministic and innocuous, as in C.

mod agg;
mod each;
mod merge;
mod parse;
mod path;
mod render;
mod scalar;

use std::sync::Arc;

use super::context::{
    AggregateFactory, FuncContext, FuncDef, FuncError, FuncFlags, FuncKind, UserScalar,
};
use super::registry::{Registry, DET};
use crate::record::{Value, ValueRef};

pub use each::register_vtabs;
pub use render::JSON_SUBTYPE;

/// A JSON scalar: arguments with subtypes in, value and subtype out.
type JsonFn = fn(&mut FuncContext, &[ValueRef], &[u8]) -> scalar::JsonResult;

/// Adapts a [`JsonFn`] to the user-scalar interface (invariant 1).
struct JsonScalar(JsonFn);

impl UserScalar for JsonScalar {
    fn call(&self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
        (self.0)(ctx, args, &[]).map(|(v, _)| v)
    }

    fn call_subtyped(
        &self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(Value, u8), FuncError> {
        (self.0)(ctx, args, subtypes)
    }
}

const SCALARS: &[(&str, i32, JsonFn)] = &[
    ("json", 1, scalar::json),
    ("json_array", -1, scalar::array),
    ("json_array_length", 1, scalar::array_length),
    ("json_array_length", 2, scalar::array_length),
    ("json_extract", -1, scalar::extract),
    ("->", 2, scalar::arrow),
    ("->>", 2, scalar::arrow2),
    ("json_insert", -1, scalar::insert),
    ("json_object", -1, scalar::object),
    ("json_patch", 2, scalar::patch),
    ("json_quote", 1, scalar::quote),
    ("json_remove", -1, scalar::remove),
    ("json_replace", -1, scalar::replace),
    ("json_set", -1, scalar::set),
    ("json_type", 1, scalar::json_type),
    ("json_type", 2, scalar::json_type),
    ("json_valid", 1, scalar::valid),
];

const AGGREGATES: &[(&str, i32, AggregateFactory)] = &[
    ("json_group_array", 1, agg::new_group_array),
    ("json_group_object", 2, agg::new_group_object),
];

/// Adds the JSON functions to `r`.
pub fn register(r: &mut Registry) {
    for &(name, n, f) in SCALARS {
        r.register(FuncDef {
            name: name.to_string(),
            n_args: n,
            flags: DET,
            kind: FuncKind::UserScalar(Arc::new(JsonScalar(f))),
        });
    }
    for &(name, n, f) in AGGREGATES {
        r.register(FuncDef {
            name: name.to_string(),
            n_args: n,
            flags: FuncFlags {
                window: true,
                ..DET
            },
            kind: FuncKind::Aggregate(f),
        });
    }
}
