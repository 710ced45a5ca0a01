//! Rendering: a [`Node`] tree or an SQL value as minified JSON text, and a
//! node as the SQL value `json_extract` returns.
//!
//! SQLite counterpart: `jsonRenderNode`, `jsonAppendValue`,
//! `jsonAppendString`, `jsonReturn` (json.c, 3.40.1).
//!
//! Invariants:
//! 1. Output is minified: no whitespace; numbers and strings from parsed
//!    text are copied as written (escapes and spellings kept).
//! 2. An SQL TEXT value is quoted with `\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
//!    `\t` escapes and `\u00xx` (lower-case hex) for other bytes below
//!    0x20; `/` and non-ASCII bytes are copied. A TEXT value with the JSON
//!    subtype is copied verbatim. Numbers use SQLite's text conversion
//!    (REAL as `%!.15g`, so `Inf`/`-Inf` for infinities), NULL is `null`,
//!    and a BLOB is an error ("JSON cannot hold BLOB values").
//! 3. Removed array elements and removed object members are skipped.
//! 4. `json_extract` of a string decodes escapes: `\uXXXX` to UTF-8,
//!    surrogate pairs to one 4-byte sequence, a lone surrogate to its
//!    3-byte form; `\u0000` ends the string. Integers too large for i64
//!    become REAL, except `-9223372036854775808`.

use super::parse::{Kind, Label, Node};
use crate::record::{real_to_text, value_to_f64, Value, ValueRef};

/// SQLite's JSON subtype (`JSON_SUBTYPE`, 'J').
pub const JSON_SUBTYPE: u8 = 74;

/// The message for a BLOB inside JSON.
pub const BLOB_ERROR: &str = "JSON cannot hold BLOB values";

/// The arguments of the call, for nodes replaced by SQL values.
#[derive(Clone, Copy)]
pub struct Args<'a, 'v> {
    /// The argument values.
    pub vals: &'a [ValueRef<'v>],
    /// Their subtypes (0 when absent).
    pub subs: &'a [u8],
}

impl<'v> Args<'_, 'v> {
    /// Argument `i` and its subtype.
    pub fn get(&self, i: usize) -> (ValueRef<'v>, u8) {
        (
            self.vals.get(i).copied().unwrap_or(ValueRef::Null),
            self.subs.get(i).copied().unwrap_or(0),
        )
    }
}

/// Appends `s` as a JSON string literal (invariant 2).
pub fn append_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', c]),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            c if c < 0x20 => {
                let hex = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(b'0' + (c >> 4));
                out.push(hex.get(usize::from(c & 0xf)).copied().unwrap_or(b'0'));
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

/// Appends an SQL value as JSON (invariant 2); `Err` for a BLOB.
pub fn append_value(out: &mut Vec<u8>, v: ValueRef, subtype: u8) -> Result<(), ()> {
    match v {
        ValueRef::Null => out.extend_from_slice(b"null"),
        ValueRef::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        ValueRef::Real(r) => out.extend_from_slice(real_to_text(r).as_bytes()),
        ValueRef::Text(t) if subtype == JSON_SUBTYPE => out.extend_from_slice(t),
        ValueRef::Text(t) => append_string(out, t),
        ValueRef::Blob(_) => return Err(()),
    }
    Ok(())
}

/// Renders `node` (invariants 1 and 3); `Err` when a replaced value is a
/// BLOB.
pub fn render(node: &Node, out: &mut Vec<u8>, args: Args) -> Result<(), ()> {
    match &node.kind {
        Kind::Null => out.extend_from_slice(b"null"),
        Kind::True => out.extend_from_slice(b"true"),
        Kind::False => out.extend_from_slice(b"false"),
        Kind::Int(raw) | Kind::Real(raw) | Kind::Str { raw, .. } => out.extend_from_slice(raw),
        Kind::Sql(i) => {
            let (v, st) = args.get(*i);
            append_value(out, v, st)?;
        }
        Kind::Array(elems) => {
            out.push(b'[');
            let mut first = true;
            for e in elems.iter().filter(|e| !e.removed) {
                if !first {
                    out.push(b',');
                }
                first = false;
                render(e, out, args)?;
            }
            out.push(b']');
        }
        Kind::Object(members) => {
            out.push(b'{');
            let mut first = true;
            for (label, v) in members.iter().filter(|(_, v)| !v.removed) {
                if !first {
                    out.push(b',');
                }
                first = false;
                match label {
                    Label::Raw(r) => out.extend_from_slice(r),
                    Label::Plain(p) => append_string(out, p),
                }
                out.push(b':');
                render(v, out, args)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Renders `node` to a fresh buffer.
pub fn to_json(node: &Node, args: Args) -> Result<Vec<u8>, ()> {
    let mut out = Vec::new();
    render(node, &mut out, args)?;
    Ok(out)
}

/// The SQL value of a JSON node (`jsonReturn`) and its subtype: scalars
/// become SQL scalars, arrays and objects JSON text with the JSON subtype.
pub fn node_value(node: &Node, args: Args) -> Result<(Value, u8), ()> {
    Ok(match &node.kind {
        Kind::Null => (Value::Null, 0),
        Kind::True => (Value::Integer(1), 0),
        Kind::False => (Value::Integer(0), 0),
        Kind::Int(raw) => (int_value(raw), 0),
        Kind::Real(raw) => (Value::Real(value_to_f64(&ValueRef::Text(raw))), 0),
        Kind::Str { raw, escaped } => {
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or(&[]);
            let text = if *escaped {
                unescape(inner)
            } else {
                inner.to_vec()
            };
            (Value::Text(text), 0)
        }
        Kind::Sql(i) => {
            let (v, st) = args.get(*i);
            (v.to_owned(), st)
        }
        Kind::Array(_) | Kind::Object(_) => (Value::Text(to_json(node, args)?), JSON_SUBTYPE),
    })
}

/// An integer literal as i64, or as REAL when it does not fit.
fn int_value(raw: &[u8]) -> Value {
    let (neg, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    let mut mag: u64 = 0;
    for &d in digits.iter().take_while(|d| d.is_ascii_digit()) {
        match mag
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(d - b'0')))
        {
            Some(m) => mag = m,
            None => return Value::Real(value_to_f64(&ValueRef::Text(raw))),
        }
    }
    if neg && mag == 1u64 << 63 {
        return Value::Integer(i64::MIN);
    }
    match i64::try_from(mag) {
        Ok(m) => Value::Integer(if neg { -m } else { m }),
        Err(_) => Value::Real(value_to_f64(&ValueRef::Text(raw))),
    }
}

fn hex4(s: &[u8]) -> u32 {
    s.iter().take(4).fold(0u32, |acc, &c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        };
        acc * 16 + u32::from(d)
    })
}

/// Appends code point `v` (possibly a surrogate) as UTF-8-style bytes.
fn push_code(out: &mut Vec<u8>, v: u32) {
    if v <= 0x7f {
        out.push(v as u8);
    } else if v <= 0x7ff {
        out.push(0xc0 | (v >> 6) as u8);
        out.push(0x80 | (v & 0x3f) as u8);
    } else if v <= 0xffff {
        out.push(0xe0 | (v >> 12) as u8);
        out.push(0x80 | ((v >> 6) & 0x3f) as u8);
        out.push(0x80 | (v & 0x3f) as u8);
    } else {
        out.push(0xf0 | (v >> 18) as u8);
        out.push(0x80 | ((v >> 12) & 0x3f) as u8);
        out.push(0x80 | ((v >> 6) & 0x3f) as u8);
        out.push(0x80 | (v & 0x3f) as u8);
    }
}

/// Decodes the escapes of a string literal's body (invariant 4).
fn unescape(z: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(z.len());
    let mut i = 0;
    while let Some(&c) = z.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let e = z.get(i).copied().unwrap_or(0);
        i += 1;
        if e != b'u' {
            out.push(match e {
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                other => other,
            });
            continue;
        }
        let v = hex4(z.get(i..).unwrap_or(&[]));
        i += 4;
        if v == 0 {
            break;
        }
        if v & 0xfc00 == 0xd800 && z.get(i) == Some(&b'\\') && z.get(i + 1) == Some(&b'u') {
            let lo = hex4(z.get(i + 2..).unwrap_or(&[]));
            if lo & 0xfc00 == 0xdc00 {
                i += 6;
                push_code(&mut out, ((v & 0x3ff) << 10) + (lo & 0x3ff) + 0x10000);
                continue;
            }
        }
        push_code(&mut out, v);
    }
    out
}
