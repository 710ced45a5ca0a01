//! FTS varints and doclists.
//!
//! SQLite counterpart: the varint and doclist helpers of fts3.c and
//! fts3_write.c; format from fts3.html appendix "Data Structures".
//!
//! ## Varint
//! Little-endian base 128: each byte carries 7 bits, low groups first; the
//! high bit is set on every byte but the last. A 64-bit value takes 1 to
//! 10 bytes. (Not the big-endian varint of the record format.)
//!
//! ## Doclist (one term)
//! | item | encoding |
//! |---|---|
//! | docid | varint: the first absolute, later ones the delta from the previous docid |
//! | position list | see below, ends with byte 0x00 |
//!
//! A position list lists the term's positions in column 0 first; byte
//! 0x01 followed by a varint column number switches column. Each position
//! is varint(pos - previous + 2), the previous position starting at 0 in
//! every column. An empty position list (just 0x00) marks the document as
//! deleted for this term (it hides older segments' entries).
//!
//! Invariants:
//! 1. Docids of a doclist are strictly ascending; positions of a list are
//!    ascending by (column, position).
//! 2. Decoding never panics: malformed input is an error.

use std::collections::BTreeMap;

/// Positions of a term in one document: (column, token position), sorted.
pub type PosList = Vec<(u32, u32)>;

/// A decoded doclist: docid -> positions (empty = deleted, module docs).
pub type DocMap = BTreeMap<i64, PosList>;

/// Appends `v` as an FTS varint.
pub fn put_varint(out: &mut Vec<u8>, v: u64) {
    let mut v = v;
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Reads an FTS varint at `*at`, advancing it.
pub fn get_varint(buf: &[u8], at: &mut usize) -> Result<u64, String> {
    let mut v: u64 = 0;
    for shift in (0..70).step_by(7) {
        let b = *buf.get(*at).ok_or("fts: truncated varint")?;
        *at += 1;
        v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("fts: varint too long".into())
}

/// Reads a varint that must fit a `usize` length.
pub fn get_len(buf: &[u8], at: &mut usize) -> Result<usize, String> {
    usize::try_from(get_varint(buf, at)?).map_err(|_| "fts: length out of range".into())
}

/// Appends the encoding of one position list (with its 0x00 end).
pub fn put_poslist(out: &mut Vec<u8>, pl: &[(u32, u32)]) {
    let mut col = 0u32;
    let mut prev = 0u32;
    for &(c, p) in pl {
        if c != col {
            out.push(1);
            put_varint(out, u64::from(c));
            col = c;
            prev = 0;
        }
        put_varint(out, u64::from(p.wrapping_sub(prev)) + 2);
        prev = p;
    }
    out.push(0);
}

/// Encodes a whole doclist (invariant 1: the map is ordered).
pub fn encode(docs: &DocMap) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev: Option<i64> = None;
    for (&docid, pl) in docs {
        let delta = match prev {
            None => docid as u64,
            Some(p) => docid.wrapping_sub(p) as u64,
        };
        put_varint(&mut out, delta);
        put_poslist(&mut out, pl);
        prev = Some(docid);
    }
    out
}

/// Decodes one position list starting at `*at`.
fn get_poslist(buf: &[u8], at: &mut usize) -> Result<PosList, String> {
    let mut pl = Vec::new();
    let mut col = 0u32;
    let mut prev = 0u32;
    loop {
        match get_varint(buf, at)? {
            0 => return Ok(pl),
            1 => {
                col = u32::try_from(get_varint(buf, at)?).map_err(|_| "fts: bad column")?;
                prev = 0;
            }
            v => {
                let d = u32::try_from(v - 2).map_err(|_| "fts: bad position")?;
                prev = prev.wrapping_add(d);
                pl.push((col, prev));
            }
        }
    }
}

/// Decodes a doclist into (docid, positions) entries in stored order.
pub fn decode(buf: &[u8]) -> Result<Vec<(i64, PosList)>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut docid = 0i64;
    while at < buf.len() {
        let d = get_varint(buf, &mut at)? as i64;
        docid = if out.is_empty() {
            d
        } else {
            docid.wrapping_add(d)
        };
        out.push((docid, get_poslist(buf, &mut at)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u64::MAX, 1 << 35] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut at = 0;
            assert_eq!(get_varint(&b, &mut at).unwrap(), v);
            assert_eq!(at, b.len());
        }
        assert!(get_varint(&[0x80], &mut 0).is_err());
    }

    #[test]
    fn doclist_matches_c_bytes() {
        // "hello" in docid 1: column 0 position 0, column 1 position 2 (as
        // C wrote it for ('hello world','foo bar hello')).
        let mut m = DocMap::new();
        m.insert(1, vec![(0, 0), (1, 2)]);
        m.insert(5, vec![]);
        let b = encode(&m);
        assert_eq!(b, vec![1, 2, 1, 1, 4, 0, 4, 0]);
        assert_eq!(
            decode(&b).unwrap(),
            vec![(1, vec![(0, 0), (1, 2)]), (5, vec![])]
        );
        assert!(decode(&[1, 2]).is_err());
    }
}
