//! The JSON scalar functions: json, json_array, json_array_length,
//! json_extract, `->`, `->>`, json_insert, json_replace, json_set,
//! json_object, json_patch, json_remove, json_type, json_valid, json_quote.
//!
//! SQLite counterpart: the `json*Func` implementations of json.c (3.40.1).
//!
//! Invariants:
//! 1. A NULL JSON argument gives NULL (json_valid: 0); malformed JSON is
//!    the error "malformed JSON"; a bad path "JSON path error near '...'".
//! 2. Results that are JSON text carry [`JSON_SUBTYPE`]; arguments with
//!    that subtype are embedded as JSON, not quoted.
//! 3. `->` and `->>` accept `$`-paths, a label (`'a'` = `$.a`), an integer
//!    (`0` = `$[0]`) and a bracket step (`'[0]'` = `$[0]`); `->` returns JSON
//!    text, `->>` an SQL value.
//! 4. Paths and JSON input end at their first NUL byte (C strings).

use super::merge::merge_patch;
use super::parse::{parse, Kind, Node};
use super::path::{lookup, node_at, node_at_mut, Found};
use super::render::{
    append_string, append_value, node_value, to_json, Args, BLOB_ERROR, JSON_SUBTYPE,
};
use crate::func::context::{FuncContext, FuncError};
use crate::func::core::text_of;
use crate::record::{Value, ValueRef};

/// What a JSON scalar returns: a value and its subtype.
pub type JsonResult = Result<(Value, u8), FuncError>;

fn malformed() -> FuncError {
    FuncError::msg("malformed JSON")
}

fn blob_error(_: ()) -> FuncError {
    FuncError::msg(BLOB_ERROR)
}

fn null() -> JsonResult {
    Ok((Value::Null, 0))
}

fn json_text(out: Vec<u8>) -> JsonResult {
    Ok((Value::Text(out), JSON_SUBTYPE))
}

fn arg<'v>(args: &[ValueRef<'v>], i: usize) -> ValueRef<'v> {
    args.get(i).copied().unwrap_or(ValueRef::Null)
}

/// The C-string text of a value: `None` for NULL, else cut at a NUL.
fn c_text(ctx: &FuncContext, v: ValueRef) -> Option<Vec<u8>> {
    if matches!(v, ValueRef::Null) {
        return None;
    }
    let mut t = text_of(ctx, &v);
    if let Some(end) = t.iter().position(|&c| c == 0) {
        t.truncate(end);
    }
    Some(t)
}

/// Parses argument `i` as JSON: `Ok(None)` for NULL (invariant 1).
fn parse_arg(ctx: &FuncContext, args: &[ValueRef], i: usize) -> Result<Option<Node>, FuncError> {
    match c_text(ctx, arg(args, i)) {
        None => Ok(None),
        Some(t) => parse(&t).map(Some).ok_or_else(malformed),
    }
}

/// Looks a path argument up: `Ok(None)` for a NULL path or a missing node.
fn find_node<'n>(
    ctx: &FuncContext,
    root: &'n mut Node,
    path: ValueRef,
) -> Result<Option<&'n Node>, FuncError> {
    let Some(p) = c_text(ctx, path) else {
        return Ok(None);
    };
    find_path(root, &p)
}

fn find_path<'n>(root: &'n mut Node, p: &[u8]) -> Result<Option<&'n Node>, FuncError> {
    match lookup(root, p, None) {
        Ok(Found::At(trail)) => Ok(node_at(root, &trail)),
        Ok(Found::Appended | Found::Missing) => Ok(None),
        Err(e) => Err(FuncError::Error(e.message(p))),
    }
}

/// `json(X)`.
pub fn json(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    remove(ctx, args, subs)
}

/// `json_valid(X)`.
pub fn valid(ctx: &mut FuncContext, args: &[ValueRef], _: &[u8]) -> JsonResult {
    let ok = c_text(ctx, arg(args, 0)).is_some_and(|t| parse(&t).is_some());
    Ok((Value::Integer(i64::from(ok)), 0))
}

/// `json_quote(X)`.
pub fn quote(_: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    let mut out = Vec::new();
    append_value(&mut out, arg(args, 0), subs.first().copied().unwrap_or(0)).map_err(blob_error)?;
    json_text(out)
}

/// `json_array(...)`.
pub fn array(_: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    let mut out = vec![b'['];
    for (i, v) in args.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        append_value(&mut out, *v, subs.get(i).copied().unwrap_or(0)).map_err(blob_error)?;
    }
    out.push(b']');
    json_text(out)
}

/// `json_object(...)`.
pub fn object(_: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    if !args.len().is_multiple_of(2) {
        return Err(FuncError::msg(
            "json_object() requires an even number of arguments",
        ));
    }
    let mut out = vec![b'{'];
    let mut blob = false;
    for (i, pair) in args.chunks(2).enumerate() {
        let ValueRef::Text(label) = arg(pair, 0) else {
            return Err(FuncError::msg("json_object() labels must be TEXT"));
        };
        if i > 0 {
            out.push(b',');
        }
        append_string(&mut out, label);
        out.push(b':');
        let st = subs.get(2 * i + 1).copied().unwrap_or(0);
        blob |= append_value(&mut out, arg(pair, 1), st).is_err();
    }
    if blob {
        return Err(FuncError::msg(BLOB_ERROR));
    }
    out.push(b'}');
    json_text(out)
}

/// `json_array_length(X[,P])`.
pub fn array_length(ctx: &mut FuncContext, args: &[ValueRef], _: &[u8]) -> JsonResult {
    let Some(mut root) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    let node = if args.len() >= 2 {
        find_node(ctx, &mut root, arg(args, 1))?
    } else {
        Some(&root)
    };
    Ok(match node {
        None => (Value::Null, 0),
        Some(n) => match &n.kind {
            Kind::Array(v) => (Value::Integer(v.len() as i64), 0),
            _ => (Value::Integer(0), 0),
        },
    })
}

/// `json_type(X[,P])`.
pub fn json_type(ctx: &mut FuncContext, args: &[ValueRef], _: &[u8]) -> JsonResult {
    let Some(mut root) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    let node = if args.len() >= 2 {
        find_node(ctx, &mut root, arg(args, 1))?
    } else {
        Some(&root)
    };
    Ok(match node {
        None => (Value::Null, 0),
        Some(n) => (Value::Text(n.type_name().as_bytes().to_vec()), 0),
    })
}

/// How an extraction reports its result.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extract {
    /// `json_extract`.
    Function,
    /// `->`: JSON text.
    Arrow,
    /// `->>`: an SQL value.
    Arrow2,
}

/// `json_extract(X,P,...)`.
pub fn extract(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    extract_as(ctx, args, subs, Extract::Function)
}

/// `X -> P`.
pub fn arrow(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    extract_as(ctx, args, subs, Extract::Arrow)
}

/// `X ->> P`.
pub fn arrow2(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    extract_as(ctx, args, subs, Extract::Arrow2)
}

/// The full path an abbreviated `->` operand stands for (invariant 3).
fn abbreviated(p: Vec<u8>) -> Vec<u8> {
    match p.first() {
        Some(b'$') => p,
        Some(c) if c.is_ascii_digit() => [b"$[".as_slice(), &p, b"]"].concat(),
        Some(b'[') => [b"$".as_slice(), &p].concat(),
        _ => [b"$.".as_slice(), &p].concat(),
    }
}

fn extract_as(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8], how: Extract) -> JsonResult {
    if args.len() < 2 {
        return null();
    }
    let Some(mut root) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    let none = Args {
        vals: &[],
        subs: &[],
    };
    if args.len() == 2 {
        let Some(mut p) = c_text(ctx, arg(args, 1)) else {
            return null();
        };
        if how != Extract::Function {
            p = abbreviated(p);
        }
        let Some(node) = find_path(&mut root, &p)? else {
            return null();
        };
        return match how {
            Extract::Arrow => json_text(to_json(node, none).map_err(blob_error)?),
            Extract::Arrow2 => Ok((node_value(node, none).map_err(blob_error)?.0, 0)),
            Extract::Function => node_value(node, none).map_err(blob_error),
        };
    }
    let _ = subs;
    let mut out = vec![b'['];
    for (i, path) in args.iter().enumerate().skip(1) {
        if i > 1 {
            out.push(b',');
        }
        match find_node(ctx, &mut root, *path)? {
            Some(n) => out.extend(to_json(n, none).map_err(blob_error)?),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b']');
    json_text(out)
}

/// `json_remove(X,P,...)` (and `json(X)`).
pub fn remove(ctx: &mut FuncContext, args: &[ValueRef], _: &[u8]) -> JsonResult {
    if args.is_empty() {
        return null();
    }
    let Some(mut root) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    for path in args.iter().skip(1) {
        let Some(p) = c_text(ctx, *path) else {
            return null();
        };
        match lookup(&mut root, &p, None) {
            Ok(Found::At(trail)) => {
                if let Some(n) = node_at_mut(&mut root, &trail) {
                    n.removed = true;
                }
            }
            Ok(Found::Appended | Found::Missing) => {}
            Err(e) => return Err(FuncError::Error(e.message(&p))),
        }
    }
    if root.removed {
        return null();
    }
    let none = Args {
        vals: &[],
        subs: &[],
    };
    json_text(to_json(&root, none).map_err(blob_error)?)
}

/// What an edit does with a path that exists / does not exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// json_insert: only adds.
    Insert,
    /// json_replace: only overwrites.
    Replace,
    /// json_set: both.
    Set,
}

/// `json_insert(X,P,V,...)`.
pub fn insert(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    edit(ctx, args, subs, Edit::Insert)
}

/// `json_replace(X,P,V,...)`.
pub fn replace(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    edit(ctx, args, subs, Edit::Replace)
}

/// `json_set(X,P,V,...)`.
pub fn set(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8]) -> JsonResult {
    edit(ctx, args, subs, Edit::Set)
}

fn edit(ctx: &mut FuncContext, args: &[ValueRef], subs: &[u8], how: Edit) -> JsonResult {
    if args.is_empty() {
        return null();
    }
    if args.len().is_multiple_of(2) {
        let name = match how {
            Edit::Insert => "insert",
            Edit::Replace => "replace",
            Edit::Set => "set",
        };
        return Err(FuncError::Error(format!(
            "json_{name}() needs an odd number of arguments"
        )));
    }
    let Some(mut root) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    for i in (1..args.len()).step_by(2) {
        let Some(p) = c_text(ctx, arg(args, i)) else {
            continue;
        };
        let leaf = (how != Edit::Replace).then(|| Node::new(Kind::Sql(i + 1)));
        match lookup(&mut root, &p, leaf) {
            Ok(Found::At(trail)) if how != Edit::Insert => {
                if let Some(n) = node_at_mut(&mut root, &trail) {
                    n.kind = Kind::Sql(i + 1);
                }
            }
            Ok(_) => {}
            Err(e) => return Err(FuncError::Error(e.message(&p))),
        }
    }
    let all = Args { vals: args, subs };
    if let Kind::Sql(i) = root.kind {
        let (v, st) = all.get(i);
        return Ok((v.to_owned(), st));
    }
    json_text(to_json(&root, all).map_err(blob_error)?)
}

/// `json_patch(T,P)`.
pub fn patch(ctx: &mut FuncContext, args: &[ValueRef], _: &[u8]) -> JsonResult {
    let Some(target) = parse_arg(ctx, args, 0)? else {
        return null();
    };
    let Some(p) = parse_arg(ctx, args, 1)? else {
        return null();
    };
    let merged = merge_patch(target, &p);
    let none = Args {
        vals: &[],
        subs: &[],
    };
    json_text(to_json(&merged, none).map_err(blob_error)?)
}
