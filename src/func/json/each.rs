//! `json_each(X[,P])` and `json_tree(X[,P])`: eponymous table-valued
//! virtual tables over a JSON document.
//!
//! SQLite counterpart: the `json_each` / `json_tree` modules of json.c
//! (3.40.1): `jsonEachBestIndex`, `jsonEachFilter`, `jsonEachNext`,
//! `jsonEachColumn`, `jsonEachComputePath`.
//!
//! Invariants:
//! 1. The document is flattened into C's node array (a container, then
//!    its elements; an object member is a label slot then its value), so
//!    `id` and `parent` are C's node numbers.
//! 2. json_each visits the direct children of the root (or the root
//!    itself when it is a scalar); json_tree visits every value in document
//!    order, an object member's label and value as one row.
//! 3. `fullkey` of json_each is the root path plus `[k]` or `.label` (the
//!    label bare when it is an ASCII identifier, else with its quotes and
//!    escapes as written); json_tree builds it from `$` through the
//!    parents, using each array ancestor's current position (0 for
//!    ancestors above the walk's root, as in C).
//! 4. Without a `json` argument the table is empty; malformed JSON and bad
//!    paths are errors with the scalar functions' messages.

use std::sync::Arc;

use super::parse::{parse, Kind, Label, Node};
use super::path::{lookup, node_at, Found};
use super::render::{node_value, Args, JSON_SUBTYPE};
use crate::record::Value;
use crate::vtab::{
    ConstraintOp, IndexInfo, VTab, VTabCursor, VTabError, VTabModule, VTabRegistry, VTabResult,
};

const SCHEMA: &str =
    "CREATE TABLE x(key,value,type,atom,id,parent,fullkey,path,json HIDDEN,root HIDDEN)";
/// Column number of the hidden `json` column (`root` follows it).
const COL_JSON: i32 = 8;

/// Registers both modules on a connection's registry.
pub fn register_vtabs(reg: &VTabRegistry) {
    reg.register("json_each", Some(Arc::new(EachModule { tree: false })));
    reg.register("json_tree", Some(Arc::new(EachModule { tree: true })));
}

struct EachModule {
    tree: bool,
}

impl VTabModule for EachModule {
    fn create(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        self.connect(args)
    }
    fn connect(&self, _: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        Ok((SCHEMA.to_string(), Box::new(EachTable { tree: self.tree })))
    }
    fn eponymous_only(&self) -> bool {
        true
    }
    fn eponymous(&self) -> bool {
        true
    }
}

struct EachTable {
    tree: bool,
}

impl VTab for EachTable {
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()> {
        let mut at = [None, None];
        let (mut unusable, mut used) = (0u8, 0u8);
        for (i, c) in info.constraints.iter().enumerate() {
            let Ok(col) = usize::try_from(c.column - COL_JSON) else {
                continue;
            };
            let mask = 1u8 << col.min(1);
            if !c.usable {
                unusable |= mask;
            } else if c.op == ConstraintOp::Eq {
                if let Some(slot) = at.get_mut(col) {
                    *slot = Some(i);
                }
                used |= mask;
            }
        }
        if unusable & !used != 0 {
            return Err(VTabError::new("json_each: unusable JSON argument"));
        }
        let Some(j) = at[0] else {
            info.idx_num = 0;
            return Ok(());
        };
        info.estimated_cost = 1.0;
        if let Some(u) = info.usage.get_mut(j) {
            u.argv_index = 1;
            u.omit = true;
        }
        info.idx_num = 1;
        if let Some(r) = at[1] {
            if let Some(u) = info.usage.get_mut(r) {
                u.argv_index = 2;
                u.omit = true;
            }
            info.idx_num = 3;
        }
        Ok(())
    }

    fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
        Ok(Box::new(EachCursor {
            tree: self.tree,
            ..EachCursor::default()
        }))
    }
}

/// One slot of C's node array.
#[derive(Debug, Default)]
struct Slot {
    /// True for an object label slot.
    label: bool,
    /// For a label: its literal bytes with quotes.
    label_raw: Vec<u8>,
    /// Slots in this node's subtree after it.
    n: usize,
    /// The parent container's slot.
    up: usize,
    /// Where the node is in the tree (labels: their value's trail).
    trail: Vec<usize>,
    /// True for arrays, false otherwise; objects are `object`.
    array: bool,
    object: bool,
}

fn flatten(node: &Node, up: usize, trail: &mut Vec<usize>, out: &mut Vec<Slot>) {
    let me = out.len();
    out.push(Slot {
        up,
        trail: trail.clone(),
        array: matches!(node.kind, Kind::Array(_)),
        object: matches!(node.kind, Kind::Object(_)),
        ..Slot::default()
    });
    match &node.kind {
        Kind::Array(elems) => {
            for (k, e) in elems.iter().enumerate() {
                trail.push(k);
                flatten(e, me, trail, out);
                trail.pop();
            }
        }
        Kind::Object(members) => {
            for (k, (label, v)) in members.iter().enumerate() {
                trail.push(k);
                let raw = match label {
                    Label::Raw(r) | Label::Plain(r) => r.clone(),
                };
                out.push(Slot {
                    label: true,
                    label_raw: raw,
                    up: me,
                    trail: trail.clone(),
                    ..Slot::default()
                });
                flatten(v, me, trail, out);
                trail.pop();
            }
        }
        _ => {}
    }
    let n = out.len() - me - 1;
    if let Some(s) = out.get_mut(me) {
        s.n = n;
    }
}

#[derive(Default)]
struct EachCursor {
    tree: bool,
    doc: Option<Node>,
    json: Vec<u8>,
    root: Option<Vec<u8>>,
    slots: Vec<Slot>,
    /// Current position within each array slot (`u.iKey`).
    keys: Vec<i64>,
    i: usize,
    begin: usize,
    end: usize,
    /// The subtype of the last `column` result.
    last_subtype: u8,
    /// The parent kind of the current row: b'a' array, b'o' object, 0 else.
    parent_kind: u8,
    rowid: i64,
}

fn kind_of(s: Option<&Slot>) -> u8 {
    match s {
        Some(s) if s.array => b'a',
        Some(s) if s.object => b'o',
        _ => 0,
    }
}

/// The text a value reads as, cut at its first NUL (a C string).
fn c_text(v: &Value) -> Option<Vec<u8>> {
    let mut t = match v {
        Value::Null => return None,
        other => crate::record::value_to_text(&other.as_ref()),
    };
    if let Some(end) = t.iter().position(|&c| c == 0) {
        t.truncate(end);
    }
    Some(t)
}

impl EachCursor {
    fn reset(&mut self) {
        let tree = self.tree;
        *self = EachCursor {
            tree,
            ..EachCursor::default()
        };
    }

    fn slot(&self, i: usize) -> Option<&Slot> {
        self.slots.get(i)
    }

    /// The slot index of the node at `trail`.
    fn slot_of(&self, trail: &[usize]) -> Option<usize> {
        self.slots.iter().position(|s| !s.label && s.trail == trail)
    }

    fn start(&mut self, idx_num: i32, args: &[Value]) -> VTabResult<()> {
        let Some(text) = args.first().and_then(c_text) else {
            return Ok(());
        };
        let Some(mut doc) = parse(&text) else {
            return Err(VTabError::new("malformed JSON"));
        };
        let mut start = 0;
        if idx_num == 3 {
            let Some(root) = args.get(1).and_then(c_text) else {
                return Ok(());
            };
            match lookup(&mut doc, &root, None) {
                Ok(Found::At(trail)) => {
                    self.json = text;
                    let mut flat = Vec::new();
                    flatten(&doc, 0, &mut Vec::new(), &mut flat);
                    self.slots = flat;
                    start = self.slot_of(&trail).unwrap_or(0);
                }
                Ok(_) => return Ok(()),
                Err(e) => return Err(VTabError::new(e.message(&root))),
            }
            self.root = Some(root);
        } else {
            self.json = text;
            let mut flat = Vec::new();
            flatten(&doc, 0, &mut Vec::new(), &mut flat);
            self.slots = flat;
        }
        self.doc = Some(doc);
        self.keys = vec![0; self.slots.len()];
        self.begin = start;
        self.i = start;
        let Some(s) = self.slot(start) else {
            return Ok(());
        };
        let (n, up, container) = (s.n, s.up, s.array || s.object);
        self.parent_kind = kind_of(Some(s));
        if container {
            self.end = start + n + 1;
            if self.tree {
                self.parent_kind = kind_of(self.slot(up));
                if start > 0 && self.slot(start - 1).is_some_and(|l| l.label) {
                    self.i -= 1;
                }
            } else {
                self.i += 1;
            }
        } else {
            self.end = start + 1;
        }
        Ok(())
    }

    /// The value slot of the current row (past a label).
    fn value_slot(&self) -> usize {
        if self.slot(self.i).is_some_and(|s| s.label) {
            self.i + 1
        } else {
            self.i
        }
    }

    fn node(&self, slot: usize) -> Option<&Node> {
        let s = self.slot(slot)?;
        node_at(self.doc.as_ref()?, &s.trail)
    }

    fn path_of(&self, i: usize, out: &mut Vec<u8>) {
        if i == 0 {
            out.push(b'$');
            return;
        }
        let Some(s) = self.slot(i) else {
            return;
        };
        let up = s.up;
        self.path_of(up, out);
        if kind_of(self.slot(up)) == b'a' {
            let k = self.keys.get(up).copied().unwrap_or(0);
            out.extend_from_slice(format!("[{k}]").as_bytes());
        } else {
            let label = if s.label { i } else { i.saturating_sub(1) };
            push_label(out, self.slot(label));
        }
    }
}

/// Appends `.label` to a path: bare when the label is an ASCII letter
/// followed by letters and digits, else with its quotes, as written.
fn push_label(out: &mut Vec<u8>, s: Option<&Slot>) {
    let raw = s.map_or(&[][..], |s| s.label_raw.as_slice());
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or(&[]);
    let bare = inner.first().is_some_and(u8::is_ascii_alphabetic)
        && inner.iter().all(u8::is_ascii_alphanumeric);
    out.push(b'.');
    out.extend_from_slice(if bare { inner } else { raw });
}

fn scalar(node: Option<&Node>) -> Value {
    let none = Args {
        vals: &[],
        subs: &[],
    };
    node.and_then(|n| node_value(n, none).ok())
        .map_or(Value::Null, |(v, _)| v)
}

impl VTabCursor for EachCursor {
    fn filter(&mut self, idx_num: i32, _: Option<&str>, args: &[Value]) -> VTabResult<()> {
        self.reset();
        if idx_num == 0 {
            return Ok(());
        }
        let r = self.start(idx_num, args);
        if r.is_err() {
            self.reset();
        }
        r
    }

    fn next(&mut self) -> VTabResult<()> {
        if self.tree {
            if self.slot(self.i).is_some_and(|s| s.label) {
                self.i += 1;
            }
            self.i += 1;
            self.rowid += 1;
            if self.i < self.end {
                let up = self.slot(self.i).map_or(0, |s| s.up);
                self.parent_kind = kind_of(self.slot(up));
                if self.parent_kind == b'a' {
                    if let Some(k) = self.keys.get_mut(up) {
                        *k = if up + 1 == self.i { 0 } else { *k + 1 };
                    }
                }
            }
            return Ok(());
        }
        match self.parent_kind {
            b'a' => {
                self.i += self.slot(self.i).map_or(1, |s| s.n + 1);
                self.rowid += 1;
            }
            b'o' => {
                self.i += 1 + self.slot(self.i + 1).map_or(1, |s| s.n + 1);
                self.rowid += 1;
            }
            _ => self.i = self.end,
        }
        Ok(())
    }

    fn eof(&self) -> bool {
        self.i >= self.end
    }

    fn column(&mut self, col: usize, _: bool) -> VTabResult<Value> {
        let vs = self.value_slot();
        self.last_subtype = match (col, self.node(vs)) {
            (1, Some(n)) if matches!(n.kind, Kind::Array(_) | Kind::Object(_)) => JSON_SUBTYPE,
            _ => 0,
        };
        let root_text = || Value::Text(self.root.clone().unwrap_or_else(|| b"$".to_vec()));
        Ok(match col {
            0 => self.key(),
            1 => scalar(self.node(vs)),
            2 => Value::Text(
                self.node(vs)
                    .map_or("null", Node::type_name)
                    .as_bytes()
                    .to_vec(),
            ),
            3 => match self.node(vs) {
                Some(n) if matches!(n.kind, Kind::Array(_) | Kind::Object(_)) => Value::Null,
                n => scalar(n),
            },
            4 => Value::Integer(vs as i64),
            5 if self.tree && self.i > self.begin => {
                Value::Integer(self.slot(self.i).map_or(0, |s| s.up) as i64)
            }
            5 => Value::Null,
            6 => Value::Text(self.full_key()),
            7 if self.tree => {
                let mut out = Vec::new();
                self.path_of(self.slot(self.i).map_or(0, |s| s.up), &mut out);
                Value::Text(out)
            }
            8 => Value::Text(self.json.clone()),
            _ => root_text(),
        })
    }

    fn rowid(&mut self) -> VTabResult<i64> {
        Ok(self.rowid)
    }

    fn column_subtype(&self) -> u8 {
        self.last_subtype
    }
}

impl EachCursor {
    fn key(&self) -> Value {
        if self.i == 0 {
            return Value::Null;
        }
        match self.parent_kind {
            b'o' => scalar(self.label_node().as_ref()),
            b'a' if self.tree => {
                if self.rowid == 0 {
                    return Value::Null;
                }
                let up = self.slot(self.i).map_or(0, |s| s.up);
                Value::Integer(self.keys.get(up).copied().unwrap_or(0))
            }
            b'a' => Value::Integer(self.rowid),
            _ => Value::Null,
        }
    }

    /// The current label as a string node (for `key`).
    fn label_node(&self) -> Option<Node> {
        let s = self.slot(self.i)?;
        if !s.label {
            return None;
        }
        let escaped = s.label_raw.contains(&b'\\');
        Some(Node::new(Kind::Str {
            raw: s.label_raw.clone(),
            escaped,
        }))
    }

    fn full_key(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.tree {
            self.path_of(self.i, &mut out);
            return out;
        }
        out.extend_from_slice(self.root.as_deref().unwrap_or(b"$"));
        match self.parent_kind {
            b'a' => out.extend_from_slice(format!("[{}]", self.rowid).as_bytes()),
            b'o' => push_label(&mut out, self.slot(self.i)),
            _ => {}
        }
        out
    }
}
