//! Index maintenance and lookup over the shadow tables: writing a row's
//! terms as a new level-0 segment, merging full levels, and reading a
//! term's doclist across every segment.
//!
//! SQLite counterpart: fts3_write.c (pending terms, `fts3SegmentMerge`,
//! segment readers) and the doclist merging of fts3.c; behaviour from
//! fts3.html appendix "Data Structures".
//!
//! Invariants:
//! 1. Every xUpdate writes its terms (and deletion markers) as one new
//!    segment before it returns, so content is never stored without its
//!    index, whatever happens to the transaction afterwards.
//! 2. A level holds at most 16 segments (FTS3_MERGE_COUNT as C): writing
//!    a 17th first merges the 16 into one segment of the next level.
//! 3. Segment age: a lower level is newer; within a level a higher idx is
//!    newer. For one term and docid the newest entry wins; an empty
//!    position list means "deleted". Markers are dropped when a merge
//!    produces the oldest segment of the index.
//! 4. `%_segdir.end_block` is written as C writes it, the text
//!    "<end block> <leaf bytes>"; readers take its leading integer.

use std::collections::BTreeMap;

use super::doclist::{decode, encode, DocMap};
use super::query::{TermSource, Word};
use super::segment::{self, SegInfo};
use super::table::Shape;
use crate::record::Value;
use crate::vtab::{VTabError, VTabHost, VTabResult};

/// Segments per level before a merge (invariant 2).
const MERGE_COUNT: i64 = 16;

fn ferr(m: String) -> VTabError {
    VTabError {
        code: crate::rc::ResultCode::CORRUPT_VTAB,
        msg: m,
    }
}

fn int(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Integer(i)) => *i,
        Some(Value::Real(r)) => *r as i64,
        Some(Value::Text(t)) => {
            let t = String::from_utf8_lossy(t);
            let t = t.trim_start();
            let end = t
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                .map_or(t.len(), |(i, _)| i);
            t.get(..end).and_then(|s| s.parse().ok()).unwrap_or(0)
        }
        _ => 0,
    }
}

fn blob(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::Blob(b)) => b.to_vec(),
        Some(Value::Text(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

/// Pending changes of one xUpdate: term -> docid -> positions.
pub type Pending = BTreeMap<Vec<u8>, DocMap>;

/// Adds the tokens of `values` (one per column) for `docid` to `p`;
/// returns the token count of every column.
pub fn add_doc(p: &mut Pending, docid: i64, values: &[Option<String>]) -> Vec<u64> {
    let mut counts = Vec::new();
    for (col, v) in values.iter().enumerate() {
        let toks = v
            .as_deref()
            .map(|s| super::tokenizer::tokenize(s.as_bytes()))
            .unwrap_or_default();
        counts.push(toks.len() as u64);
        for t in toks {
            let pl = p.entry(t.text).or_default().entry(docid).or_default();
            pl.push((col as u32, t.pos));
        }
    }
    for docs in p.values_mut() {
        if let Some(pl) = docs.get_mut(&docid) {
            pl.sort_unstable();
        }
    }
    counts
}

/// Adds deletion markers for the tokens of `values` (the old row).
pub fn delete_doc(p: &mut Pending, docid: i64, values: &[Option<String>]) {
    for v in values.iter().flatten() {
        for t in super::tokenizer::tokenize(v.as_bytes()) {
            p.entry(t.text).or_default().entry(docid).or_default();
        }
    }
}

/// Every segment, oldest first (invariant 3).
pub fn segments(host: &mut dyn VTabHost, t: &Shape) -> VTabResult<Vec<SegInfo>> {
    let sql = format!(
        "SELECT level, idx, start_block, leaves_end_block, end_block, root FROM {} ORDER BY level DESC, idx ASC",
        t.shadow("segdir")
    );
    Ok(host
        .exec(&sql, &[])?
        .iter()
        .map(|r| SegInfo {
            level: int(r.first()),
            idx: int(r.get(1)),
            start: int(r.get(2)),
            leaves_end: int(r.get(3)),
            end: int(r.get(4)),
            root: blob(r.get(5)),
        })
        .collect())
}

fn load_block(host: &mut dyn VTabHost, t: &Shape, id: i64) -> VTabResult<Vec<u8>> {
    let sql = format!(
        "SELECT block FROM {} WHERE blockid = ?1",
        t.shadow("segments")
    );
    let rows = host.exec(&sql, &[Value::Integer(id)])?;
    match rows.first() {
        Some(r) => Ok(blob(r.first())),
        None => Err(ferr(format!("fts: missing segment block {id}"))),
    }
}

/// Calls `visit` with the leaf entries of `seg` from the leaf that may
/// hold `from` on (all leaves when `from` is empty) until it returns false.
pub(super) fn scan_segment(
    host: &mut dyn VTabHost,
    t: &Shape,
    seg: &SegInfo,
    from: &[u8],
    visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
) -> VTabResult<()> {
    let h = segment::node_height(&seg.root).map_err(ferr)?;
    let mut leaf_id = None;
    let mut node = seg.root.clone();
    if h > 0 {
        let mut depth = h;
        loop {
            let child = segment::child_for(&node, from).map_err(ferr)?;
            depth -= 1;
            if depth == 0 {
                leaf_id = Some(child);
                break;
            }
            node = load_block(host, t, child)?;
        }
    }
    let Some(mut id) = leaf_id else {
        for (term, dl) in segment::parse_leaf(&seg.root).map_err(ferr)? {
            if !visit(&term, &dl) {
                break;
            }
        }
        return Ok(());
    };
    while id <= seg.leaves_end {
        let leaf = load_block(host, t, id)?;
        for (term, dl) in segment::parse_leaf(&leaf).map_err(ferr)? {
            if !visit(&term, &dl) {
                return Ok(());
            }
        }
        id += 1;
    }
    Ok(())
}

/// Applies the entries of doclist `dl` to `into` (newer wins).
pub(super) fn apply(into: &mut DocMap, dl: &[u8]) -> VTabResult<()> {
    for (docid, pl) in decode(dl).map_err(ferr)? {
        into.insert(docid, pl);
    }
    Ok(())
}

/// A term source over the shadow tables.
pub struct Reader<'h> {
    pub host: &'h mut dyn VTabHost,
    pub shape: &'h Shape,
    pub segs: Vec<SegInfo>,
}

impl Reader<'_> {
    /// Merged entries of every term equal to `w` (or starting with it for
    /// a prefix), per term, deletions removed.
    fn lookup(&mut self, w: &Word) -> VTabResult<DocMap> {
        let mut per_term: BTreeMap<Vec<u8>, DocMap> = BTreeMap::new();
        for seg in &self.segs {
            let mut err = None;
            scan_segment(self.host, self.shape, seg, &w.text, &mut |term, dl| {
                if term < w.text.as_slice() {
                    return true;
                }
                let hit = if w.prefix {
                    term.starts_with(&w.text)
                } else {
                    term == w.text.as_slice()
                };
                if !hit {
                    return false;
                }
                if let Err(e) = apply(per_term.entry(term.to_vec()).or_default(), dl) {
                    err = Some(e);
                    return false;
                }
                true
            })?;
            if let Some(e) = err {
                return Err(e);
            }
        }
        let mut out = DocMap::new();
        for docs in per_term.into_values() {
            for (docid, pl) in docs {
                if !pl.is_empty() {
                    let e = out.entry(docid).or_default();
                    e.extend(pl);
                    e.sort_unstable();
                }
            }
        }
        Ok(out)
    }
}

impl TermSource for Reader<'_> {
    fn doclist(&mut self, word: &Word) -> Result<DocMap, String> {
        self.lookup(word).map_err(|e| e.msg)
    }
}

/// Writes `p` as a new level-0 segment (invariants 1 and 2).
pub fn flush(host: &mut dyn VTabHost, t: &Shape, p: &Pending) -> VTabResult<()> {
    if p.is_empty() {
        return Ok(());
    }
    let terms: Vec<(Vec<u8>, Vec<u8>)> = p.iter().map(|(k, d)| (k.clone(), encode(d))).collect();
    let idx = next_idx(host, t, 0)?;
    write_segment(host, t, 0, idx, &terms)
}

/// The idx for a new segment at `level`, merging the level first when it
/// is full (invariant 2).
fn next_idx(host: &mut dyn VTabHost, t: &Shape, level: i64) -> VTabResult<i64> {
    let sql = format!(
        "SELECT max(idx) FROM {} WHERE level = ?1",
        t.shadow("segdir")
    );
    let rows = host.exec(&sql, &[Value::Integer(level)])?;
    let next = match rows.first().and_then(|r| r.first()) {
        Some(Value::Null) | None => 0,
        v => int(v) + 1,
    };
    if next < MERGE_COUNT {
        return Ok(next);
    }
    merge_level(host, t, level)?;
    Ok(0)
}

pub(super) fn write_segment(
    host: &mut dyn VTabHost,
    t: &Shape,
    level: i64,
    idx: i64,
    terms: &[(Vec<u8>, Vec<u8>)],
) -> VTabResult<()> {
    let sql = format!("SELECT max(blockid) FROM {}", t.shadow("segments"));
    let rows = host.exec(&sql, &[])?;
    let next_block = int(rows.first().and_then(|r| r.first())) + 1;
    let node_size = t.node_size(host)?;
    let built = segment::build(terms, next_block, node_size);
    let ins = format!(
        "INSERT INTO {}(blockid, block) VALUES(?1, ?2)",
        t.shadow("segments")
    );
    for (id, data) in built.blocks {
        host.exec(&ins, &[Value::Integer(id), Value::Blob(data)])?;
    }
    let sql = format!(
        "INSERT INTO {} VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        t.shadow("segdir")
    );
    let end = format!("{} {}", built.end, built.leaf_bytes);
    host.exec(
        &sql,
        &[
            Value::Integer(level),
            Value::Integer(idx),
            Value::Integer(built.start),
            Value::Integer(built.leaves_end),
            Value::Text(end.into()),
            Value::Blob(built.root),
        ],
    )?;
    Ok(())
}

/// Merges every segment of `level` into one new segment of `level + 1`
/// (invariants 2 and 3).
fn merge_level(host: &mut dyn VTabHost, t: &Shape, level: i64) -> VTabResult<()> {
    let all = segments(host, t)?;
    let oldest = !all.iter().any(|s| s.level > level);
    let segs: Vec<SegInfo> = all.into_iter().filter(|s| s.level == level).collect();
    let terms = merged_terms(host, t, &segs, oldest)?;
    remove_segments(host, t, &segs)?;
    if terms.is_empty() {
        return Ok(());
    }
    let idx = next_idx(host, t, level + 1)?;
    write_segment(host, t, level + 1, idx, &terms)
}

/// The terms of `segs` (oldest first) merged into one sorted list of
/// (term, doclist); deletion markers dropped when `drop_deleted`.
pub(super) fn merged_terms(
    host: &mut dyn VTabHost,
    t: &Shape,
    segs: &[SegInfo],
    drop_deleted: bool,
) -> VTabResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut merged: BTreeMap<Vec<u8>, DocMap> = BTreeMap::new();
    for seg in segs {
        let mut err = None;
        scan_segment(host, t, seg, &[], &mut |term, dl| {
            if let Err(e) = apply(merged.entry(term.to_vec()).or_default(), dl) {
                err = Some(e);
                return false;
            }
            true
        })?;
        if let Some(e) = err {
            return Err(e);
        }
    }
    let mut terms = Vec::new();
    for (term, mut docs) in merged {
        if drop_deleted {
            docs.retain(|_, pl| !pl.is_empty());
        }
        if !docs.is_empty() {
            terms.push((term, encode(&docs)));
        }
    }
    Ok(terms)
}

/// Deletes the `%_segdir` rows and `%_segments` blocks of `segs`.
pub(super) fn remove_segments(
    host: &mut dyn VTabHost,
    t: &Shape,
    segs: &[SegInfo],
) -> VTabResult<()> {
    let del_blocks = format!(
        "DELETE FROM {} WHERE blockid BETWEEN ?1 AND ?2",
        t.shadow("segments")
    );
    let del_dir = format!(
        "DELETE FROM {} WHERE level = ?1 AND idx = ?2",
        t.shadow("segdir")
    );
    for s in segs {
        if s.start > 0 {
            let last = s.end.max(s.leaves_end);
            host.exec(
                &del_blocks,
                &[Value::Integer(s.start), Value::Integer(last)],
            )?;
        }
        host.exec(&del_dir, &[Value::Integer(s.level), Value::Integer(s.idx)])?;
    }
    Ok(())
}
