//! JSON paths: `$`, `.key`, `."quoted key"`, `[N]`, `[#]`, `[#-N]`.
//!
//! SQLite counterpart: `jsonLookup`, `jsonLookupStep`, `jsonLookupAppend`
//! and `jsonPathSyntaxError` (json.c, 3.40.1).
//!
//! Invariants:
//! 1. A path must start with `$`; otherwise the error points at its start.
//! 2. Steps are taken left to right and a step that does not apply to the
//!    node's type (`.k` on a non-object, `[N]` on a non-array, any step
//!    into a node already replaced by an SQL value) ends the lookup with
//!    "not found" *before* the rest of the path is checked, exactly as C
//!    does: `json_extract('[1]', '$.')` is NULL, `json_extract('{}', '$.')`
//!    an error.
//! 3. Object keys compare with the label's bytes between its quotes,
//!    escapes undecoded; the first matching member wins.
//! 4. Removed array elements do not count when indexing; removed object
//!    members still match (C keeps them in the node array).
//! 5. In append mode (json_set, json_insert) a missing last key of an
//!    object, or index `[#]`/`[N]` equal to the length of an array, adds the
//!    members needed: `.k` creates objects, `[0]` arrays, down to the leaf.
//! 6. An error carries the byte offset of the rest of the path that is
//!    reported ("JSON path error near '<rest>'").

use super::parse::{Kind, Label, Node};

/// The result of a lookup.
#[derive(Debug)]
pub enum Found {
    /// The node at this trail of child indices (member index for objects,
    /// element index for arrays).
    At(Vec<usize>),
    /// The path was missing and a new branch ending in the leaf was added.
    Appended,
    /// No such node.
    Missing,
}

/// A path syntax error: the offset in the path where the reported text
/// starts.
#[derive(Debug, Clone, Copy)]
pub struct PathError(pub usize);

impl PathError {
    /// SQLite's message for this error in `path`.
    pub fn message(self, path: &[u8]) -> String {
        let rest = path.get(self.0..).unwrap_or(&[]);
        let rest = String::from_utf8_lossy(rest).replace('\'', "''");
        format!("JSON path error near '{rest}'")
    }
}

/// Looks `path` up in `root`. With `leaf`, a missing node is appended
/// where invariant 5 allows, holding the leaf.
pub fn lookup(root: &mut Node, path: &[u8], leaf: Option<Node>) -> Result<Found, PathError> {
    if path.first() != Some(&b'$') {
        return Err(PathError(0));
    }
    let mut trail = Vec::new();
    let mut leaf = leaf;
    step(root, path, 1, &mut leaf, &mut trail)
}

/// The node at `trail` below `root`.
pub fn node_at<'a>(root: &'a Node, trail: &[usize]) -> Option<&'a Node> {
    let mut n = root;
    for &i in trail {
        n = match &n.kind {
            Kind::Array(v) => v.get(i)?,
            Kind::Object(m) => &m.get(i)?.1,
            _ => return None,
        };
    }
    Some(n)
}

/// The node at `trail` below `root`, mutably.
pub fn node_at_mut<'a>(root: &'a mut Node, trail: &[usize]) -> Option<&'a mut Node> {
    let mut n = root;
    for &i in trail {
        n = match &mut n.kind {
            Kind::Array(v) => v.get_mut(i)?,
            Kind::Object(m) => &mut m.get_mut(i)?.1,
            _ => return None,
        };
    }
    Some(n)
}

/// A parsed `.key` step: the key bytes and the offset after the step.
fn parse_key(path: &[u8], pos: usize) -> Result<(&[u8], usize), PathError> {
    let at = |k: usize| path.get(k).copied().unwrap_or(0);
    if at(pos) == b'"' {
        let mut i = pos + 1;
        while at(i) != 0 && at(i) != b'"' {
            i += 1;
        }
        if at(i) == 0 {
            return Err(PathError(pos));
        }
        Ok((path.get(pos + 1..i).unwrap_or(&[]), i + 1))
    } else {
        let mut i = pos;
        while at(i) != 0 && at(i) != b'.' && at(i) != b'[' {
            i += 1;
        }
        if i == pos {
            return Err(PathError(pos));
        }
        Ok((path.get(pos..i).unwrap_or(&[]), i))
    }
}

fn is_digit(path: &[u8], k: usize) -> bool {
    path.get(k).is_some_and(u8::is_ascii_digit)
}

fn live_len(elems: &[Node]) -> i64 {
    elems.iter().filter(|n| !n.removed).count() as i64
}

/// A parsed `[...]` step: the index (or `None` when it is out of range
/// below zero) and the offset after the `]`. `elems` is the array (`None`
/// for a non-array, which makes `[#...]` "not found").
fn parse_index(
    path: &[u8],
    pos: usize,
    elems: Option<&[Node]>,
) -> Result<Option<(i64, usize)>, PathError> {
    let mut i: i64 = 0;
    let mut j = pos + 1;
    while is_digit(path, j) {
        let d = i64::from(path.get(j).copied().unwrap_or(b'0') - b'0');
        i = i.saturating_mul(10).saturating_add(d);
        j += 1;
    }
    if j >= pos + 2 && path.get(j) == Some(&b']') {
        return Ok(Some((i, j + 1)));
    }
    if path.get(pos + 1) != Some(&b'#') {
        return Err(PathError(pos));
    }
    let Some(elems) = elems else {
        return Ok(None);
    };
    let mut i = live_len(elems);
    let mut j = pos + 2;
    if path.get(j) == Some(&b'-') && is_digit(path, j + 1) {
        let mut x: i64 = 0;
        j += 1;
        while is_digit(path, j) {
            let d = i64::from(path.get(j).copied().unwrap_or(b'0') - b'0');
            x = x.saturating_mul(10).saturating_add(d);
            j += 1;
        }
        if x > i {
            return Ok(None);
        }
        i -= x;
    }
    if path.get(j) != Some(&b']') {
        return Err(PathError(pos));
    }
    Ok(Some((i, j + 1)))
}

fn step(
    node: &mut Node,
    path: &[u8],
    pos: usize,
    leaf: &mut Option<Node>,
    trail: &mut Vec<usize>,
) -> Result<Found, PathError> {
    let Some(&c) = path.get(pos) else {
        return Ok(Found::At(std::mem::take(trail)));
    };
    if matches!(node.kind, Kind::Sql(_)) {
        return Ok(Found::Missing);
    }
    match c {
        b'.' => {
            let Kind::Object(members) = &mut node.kind else {
                return Ok(Found::Missing);
            };
            let (key, next) = parse_key(path, pos + 1)?;
            if let Some(k) = members.iter().position(|(l, _)| l.matches(key)) {
                trail.push(k);
                let child = members.get_mut(k).map(|m| &mut m.1);
                return match child {
                    Some(ch) => step(ch, path, next, leaf, trail),
                    None => Ok(Found::Missing),
                };
            }
            if leaf.is_none() {
                return Ok(Found::Missing);
            }
            match append_branch(path, next, leaf)? {
                Some(v) => {
                    members.push((Label::Plain(key.to_vec()), v));
                    Ok(Found::Appended)
                }
                None => Ok(Found::Missing),
            }
        }
        b'[' => {
            let elems = match &node.kind {
                Kind::Array(v) => Some(v.as_slice()),
                _ => None,
            };
            let Some((mut i, next)) = parse_index(path, pos, elems)? else {
                return Ok(Found::Missing);
            };
            let Kind::Array(elems) = &mut node.kind else {
                return Ok(Found::Missing);
            };
            let mut k = 0;
            while k < elems.len() && (i > 0 || elems.get(k).is_some_and(|n| n.removed)) {
                if !elems.get(k).is_some_and(|n| n.removed) {
                    i -= 1;
                }
                k += 1;
            }
            if let Some(ch) = elems.get_mut(k) {
                trail.push(k);
                return step(ch, path, next, leaf, trail);
            }
            if i != 0 || leaf.is_none() {
                return Ok(Found::Missing);
            }
            match append_branch(path, next, leaf)? {
                Some(v) => {
                    elems.push(v);
                    Ok(Found::Appended)
                }
                None => Ok(Found::Missing),
            }
        }
        _ => Err(PathError(pos)),
    }
}

/// SQLite's `jsonLookupAppend`: the new value for the rest of the path
/// (from `pos`), or `None` when the rest cannot be created.
fn append_branch(
    path: &[u8],
    pos: usize,
    leaf: &mut Option<Node>,
) -> Result<Option<Node>, PathError> {
    let rest = path.get(pos..).unwrap_or(&[]);
    if rest.is_empty() {
        return Ok(leaf.take());
    }
    let mut fresh = if rest.first() == Some(&b'.') {
        Node::new(Kind::Object(Vec::new()))
    } else if rest.starts_with(b"[0]") {
        Node::new(Kind::Array(Vec::new()))
    } else {
        return Ok(None);
    };
    let mut trail = Vec::new();
    match step(&mut fresh, path, pos, leaf, &mut trail)? {
        Found::Appended => Ok(Some(fresh)),
        Found::At(_) | Found::Missing => Ok(None),
    }
}
