//! Segment b-trees: building one from sorted terms and reading terms back.
//!
//! SQLite counterpart: the segment writer and reader of fts3_write.c
//! (`SegmentWriter`, `Fts3SegReader`); format from fts3.html appendix
//! "Data Structures" (no code taken from it).
//!
//! ## Leaf node
//! | item | encoding |
//! |---|---|
//! | height | varint 0 |
//! | first term | varint(length), bytes |
//! | its doclist | varint(length), doclist bytes |
//! | each later term | varint(prefix shared with previous term), varint(suffix length), suffix |
//! | its doclist | varint(length), doclist bytes |
//!
//! ## Interior node
//! | item | encoding |
//! |---|---|
//! | height | varint > 0 |
//! | left child | varint blockid of the first child |
//! | terms | as in a leaf, without doclists |
//!
//! Child i+1 (blockid left + i + 1) holds terms >= term i. Leaves of a
//! segment have consecutive blockids `start_block..=leaves_end_block` in
//! `%_segments`; a segment small enough for one node keeps its only leaf
//! as `root` in `%_segdir` with all three block numbers 0.
//!
//! Invariants:
//! 1. A node holds at least one term; a term is added to a non-empty node
//!    only while the node stays within the node size (as C).
//! 2. Terms of a segment are strictly ascending (byte order).
//! 3. Readers never panic on malformed nodes; they return an error.

use super::doclist::{get_len, put_varint};

/// A `%_segdir` row.
#[derive(Clone, Debug, Default)]
pub struct SegInfo {
    pub level: i64,
    pub idx: i64,
    pub start: i64,
    pub leaves_end: i64,
    pub end: i64,
    pub root: Vec<u8>,
}

/// A built segment: `%_segments` blocks, `%_segdir` numbers and root.
#[derive(Debug, Default)]
pub struct Built {
    pub blocks: Vec<(i64, Vec<u8>)>,
    pub start: i64,
    pub leaves_end: i64,
    pub end: i64,
    pub root: Vec<u8>,
    /// Total bytes of leaf data (the second number of `end_block`).
    pub leaf_bytes: usize,
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn varint_len(v: usize) -> usize {
    let mut b = Vec::new();
    put_varint(&mut b, v as u64);
    b.len()
}

/// A node being filled: its bytes, first term, last term.
struct Node {
    data: Vec<u8>,
    first: Vec<u8>,
    last: Vec<u8>,
}

impl Node {
    fn new(height: u64, left: Option<i64>) -> Node {
        let mut data = Vec::new();
        put_varint(&mut data, height);
        if let Some(l) = left {
            put_varint(&mut data, l as u64);
        }
        Node {
            data,
            first: Vec::new(),
            last: Vec::new(),
        }
    }

    /// Bytes needed to add `term` (and a payload of `payload` bytes).
    fn need(&self, term: &[u8], empty: bool, payload: Option<usize>) -> usize {
        let pre = if empty {
            0
        } else {
            common_prefix(&self.last, term)
        };
        let suffix = term.len() - pre;
        let head = if empty {
            varint_len(term.len())
        } else {
            varint_len(pre) + varint_len(suffix)
        };
        head + suffix + payload.map_or(0, |n| varint_len(n) + n)
    }

    fn push(&mut self, term: &[u8], empty: bool, payload: Option<&[u8]>) {
        if empty {
            put_varint(&mut self.data, term.len() as u64);
            self.data.extend_from_slice(term);
            self.first = term.to_vec();
        } else {
            let pre = common_prefix(&self.last, term);
            put_varint(&mut self.data, pre as u64);
            put_varint(&mut self.data, (term.len() - pre) as u64);
            self.data
                .extend_from_slice(term.get(pre..).unwrap_or_default());
        }
        if let Some(p) = payload {
            put_varint(&mut self.data, p.len() as u64);
            self.data.extend_from_slice(p);
        }
        self.last = term.to_vec();
    }
}

/// Builds a segment from `terms` (ascending, invariant 2), numbering new
/// blocks from `next_block`, with nodes of at most `node_size` bytes
/// (invariant 1).
pub fn build(terms: &[(Vec<u8>, Vec<u8>)], next_block: i64, node_size: usize) -> Built {
    let mut leaves: Vec<Node> = Vec::new();
    let mut cur = Node::new(0, None);
    let mut fresh = true;
    for (term, doclist) in terms {
        let need = cur.need(term, fresh, Some(doclist.len()));
        if !fresh && cur.data.len() + need > node_size {
            leaves.push(std::mem::replace(&mut cur, Node::new(0, None)));
            fresh = true;
        }
        cur.push(term, fresh, Some(doclist));
        fresh = false;
    }
    leaves.push(cur);
    let leaf_bytes = leaves.iter().map(|n| n.data.len()).sum();
    if leaves.len() == 1 {
        let root = leaves.pop().map(|n| n.data).unwrap_or_default();
        return Built {
            root,
            leaf_bytes,
            ..Built::default()
        };
    }
    let mut out = Built {
        start: next_block,
        leaf_bytes,
        ..Built::default()
    };
    let mut id = next_block;
    let mut level: Vec<(i64, Node)> = Vec::new();
    for n in leaves {
        level.push((id, n));
        id += 1;
    }
    out.leaves_end = id - 1;
    let mut height = 1u64;
    loop {
        let parents = build_interior(&level, height, node_size);
        for (bid, n) in level {
            out.blocks.push((bid, n.data));
        }
        if parents.len() == 1 {
            out.end = id - 1;
            out.root = parents
                .into_iter()
                .next()
                .map(|n| n.data)
                .unwrap_or_default();
            return out;
        }
        level = Vec::new();
        for n in parents {
            level.push((id, n));
            id += 1;
        }
        height += 1;
    }
}

/// The interior nodes of height `height` over `children`.
fn build_interior(children: &[(i64, Node)], height: u64, node_size: usize) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cur: Option<Node> = None;
    let mut prev_last: &[u8] = &[];
    for (bid, child) in children {
        match cur.as_mut() {
            None => {
                let mut n = Node::new(height, Some(*bid));
                n.first = child.first.clone();
                cur = Some(n);
            }
            Some(n) => {
                // The shortest prefix of the child's first term that is
                // greater than everything in the previous child.
                let keep = (common_prefix(prev_last, &child.first) + 1).min(child.first.len());
                let sep = child.first.get(..keep).unwrap_or_default();
                let fresh = n.last.is_empty();
                if n.data.len() + n.need(sep, fresh, None) > node_size && !fresh {
                    out.extend(cur.take());
                    let mut m = Node::new(height, Some(*bid));
                    m.first = child.first.clone();
                    cur = Some(m);
                } else {
                    n.push(sep, fresh, None);
                }
            }
        }
        prev_last = &child.last;
    }
    out.extend(cur);
    out
}

/// One term of a leaf with its doclist bytes.
pub type LeafEntry = (Vec<u8>, Vec<u8>);

/// The height of a node (its first varint).
pub fn node_height(node: &[u8]) -> Result<usize, String> {
    get_len(node, &mut 0)
}

/// Parses a leaf node into its terms and doclists (invariant 3).
pub fn parse_leaf(node: &[u8]) -> Result<Vec<LeafEntry>, String> {
    let mut at = 0;
    if get_len(node, &mut at)? != 0 {
        return Err("fts: not a leaf node".into());
    }
    let mut out: Vec<LeafEntry> = Vec::new();
    let mut term: Vec<u8> = Vec::new();
    while at < node.len() {
        let (pre, n) = if out.is_empty() {
            (0, get_len(node, &mut at)?)
        } else {
            (get_len(node, &mut at)?, get_len(node, &mut at)?)
        };
        let suffix = node.get(at..at + n).ok_or("fts: truncated term")?;
        at += n;
        term.truncate(pre);
        if term.len() != pre {
            return Err("fts: bad term prefix".into());
        }
        term.extend_from_slice(suffix);
        let dl = get_len(node, &mut at)?;
        let doclist = node.get(at..at + dl).ok_or("fts: truncated doclist")?;
        at += dl;
        out.push((term.clone(), doclist.to_vec()));
    }
    Ok(out)
}

/// The blockid of the child of interior `node` whose range holds `key`.
pub fn child_for(node: &[u8], key: &[u8]) -> Result<i64, String> {
    let mut at = 0;
    get_len(node, &mut at)?;
    let left = super::doclist::get_varint(node, &mut at)? as i64;
    let mut child = left;
    let mut term: Vec<u8> = Vec::new();
    let mut first = true;
    while at < node.len() {
        let (pre, n) = if first {
            (0, get_len(node, &mut at)?)
        } else {
            (get_len(node, &mut at)?, get_len(node, &mut at)?)
        };
        first = false;
        let suffix = node.get(at..at + n).ok_or("fts: truncated term")?;
        at += n;
        term.truncate(pre);
        term.extend_from_slice(suffix);
        if term.as_slice() > key {
            break;
        }
        child += 1;
    }
    Ok(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_segment_is_a_root_leaf() {
        let terms = vec![
            (b"bar".to_vec(), vec![1, 1, 1, 3, 0]),
            (b"foo".to_vec(), vec![1, 0]),
        ];
        let b = build(&terms, 1, 4061);
        assert!(b.blocks.is_empty());
        assert_eq!(
            b.root,
            vec![0, 3, b'b', b'a', b'r', 5, 1, 1, 1, 3, 0, 0, 3, b'f', b'o', b'o', 2, 1, 0]
        );
        assert_eq!(parse_leaf(&b.root).unwrap(), terms);
    }

    #[test]
    fn big_segment_has_interior_nodes() {
        let terms: Vec<_> = (0..2000)
            .map(|i| (format!("term{i:05}").into_bytes(), vec![1, 2, 0]))
            .collect();
        let b = build(&terms, 7, 100);
        assert_eq!(b.start, 7);
        assert!(b.leaves_end > 7 && b.end > b.leaves_end);
        let blocks: std::collections::HashMap<i64, Vec<u8>> = b.blocks.iter().cloned().collect();
        let mut all = Vec::new();
        for id in b.start..=b.leaves_end {
            all.extend(parse_leaf(&blocks[&id]).unwrap());
        }
        assert_eq!(all, terms);
        // Descending from the root finds the leaf of every term.
        for (i, (t, _)) in terms.iter().enumerate().step_by(97) {
            let mut node = b.root.clone();
            while node_height(&node).unwrap() > 0 {
                node = blocks[&child_for(&node, t).unwrap()].clone();
            }
            assert!(
                parse_leaf(&node).unwrap().iter().any(|e| &e.0 == t),
                "term {i}"
            );
        }
    }
}
