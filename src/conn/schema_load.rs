//! Opening targets, schema loading and the default busy handler.
//!
//! SQLite counterpart: `sqlite3ParseUri()` and `sqliteDefaultBusyCallback()`
//! in main.c; `sqlite3InitOne()` in prepare.c.
//!
//! Invariants:
//! 1. Loading the schema reads `sqlite_schema` inside a read transaction
//!    and ends that transaction again if the connection was idle, so no
//!    lock is held between statements in autocommit mode.
//! 2. A `file:` URI is decoded only when the caller allowed URIs.
//! 3. File names are bytes end to end: a name (or a `%XX`-decoded URI
//!    path) that is not UTF-8 opens the file of exactly those bytes.
//! 4. The rows of `sqlite_stat1`, when the database has that table, are
//!    read in the same read transaction and become the schema's
//!    statistics (`sqlite3AnalysisLoad` at schema load).
//! 5. A reload after a schema change (this connection's DDL or another's)
//!    re-reads every row but parses only the objects whose rows changed
//!    (`Schema::from_rows_reusing`), as SQLite's `OP_ParseSchema` parses
//!    only the new rows after a CREATE.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::error::ConnError;
use super::mode::OpenOptions;
use crate::btree::{Btree, TreeKind};
use crate::pager::{Pager, TxnState};
use crate::record::{RecordHeader, ValueRef};
use crate::sql::schema_stat::Stat1Row;
use crate::sql::{Schema, SchemaRow};
use crate::vdbe::ConnState;

/// Where and how a connection opens its main database.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct OpenTarget {
    /// The file name's bytes (invariant 3).
    pub path: PathBuf,
    pub memory: bool,
    pub readonly: bool,
    pub create: bool,
}

/// Interprets the file name (and a `file:` URI when allowed).
pub(crate) fn parse_target(path: &[u8], opts: &OpenOptions) -> Result<OpenTarget, ConnError> {
    let mut t = OpenTarget {
        path: bytes_path(path),
        memory: opts.memory || path.is_empty() || path == b":memory:",
        readonly: false,
        create: opts.create,
    };
    if opts.uri {
        if let Some(rest) = path.strip_prefix(b"file:") {
            apply_uri(&mut t, rest)?;
        }
    }
    Ok(t)
}

/// The path whose bytes are `b`.
fn bytes_path(b: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(b))
}

/// `b` up to (not including) the first `stop` byte.
fn until(b: &[u8], stop: u8) -> &[u8] {
    b.split(|&c| c == stop).next().unwrap_or(b)
}

fn apply_uri(t: &mut OpenTarget, rest: &[u8]) -> Result<(), ConnError> {
    let rest = until(rest, b'#');
    let (file, query) = match rest.iter().position(|&c| c == b'?') {
        Some(q) => (&rest[..q], &rest[q + 1..]),
        None => (rest, &[][..]),
    };
    let file = file
        .strip_prefix(b"//localhost")
        .or_else(|| file.strip_prefix(b"//"))
        .unwrap_or(file);
    let decoded = percent_decode(file);
    t.memory = t.memory || decoded.is_empty() || decoded == b":memory:";
    t.path = bytes_path(&decoded);
    for pair in query.split(|&c| c == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&c| c == b'=') {
            Some(e) => (&pair[..e], &pair[e + 1..]),
            None => (pair, &[][..]),
        };
        let (k, v) = (percent_decode(k), percent_decode(v));
        match (&k[..], &v[..]) {
            (b"mode", b"ro") => {
                t.readonly = true;
                t.create = false;
            }
            (b"mode", b"rw") => t.create = false,
            (b"mode", b"rwc") => {}
            (b"mode", b"memory") => t.memory = true,
            (b"mode", other) => {
                return Err(ConnError::Unsupported(format!(
                    "no such access mode: {}",
                    String::from_utf8_lossy(other)
                )));
            }
            (b"immutable", b"1") => t.readonly = true,
            _ => {}
        }
    }
    Ok(())
}

/// Decodes `%XX` escapes to the bytes they stand for (which need not be
/// UTF-8: `file:%FF.db` names the one-byte-prefixed file, as in C).
fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| char::from(c).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let esc = match (c, b.get(i + 1), b.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match esc {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Reads every row of `sqlite_schema` and builds the schema; also returns
/// the database's text encoding. Tables of `prev` (the schema this one
/// replaces) whose rows did not change are shared, not parsed again
/// (invariant 5).
pub(crate) fn load_schema(
    bt: &mut Btree<Pager>,
    state: &mut ConnState,
    prev: Option<&Schema>,
) -> Result<(Schema, crate::record::TextEncoding), ConnError> {
    let started = bt.pager().txn_state() == TxnState::None;
    if started {
        bt.begin_read()?;
    }
    let result = read_schema_rows(bt).and_then(|(cookie, rows, enc)| {
        let stat_root = rows
            .iter()
            .find(|r| r.kind == "table" && r.name.eq_ignore_ascii_case("sqlite_stat1"))
            .map(|r| r.rootpage);
        let stats = match stat_root {
            Some(root) if root > 1 => read_stat1_rows(bt, root)?,
            _ => Vec::new(),
        };
        Ok((cookie, rows, stats, enc))
    });
    if started && state.autocommit && state.active_vms == 0 {
        bt.end_read();
    }
    let (cookie, rows, stats, enc) = result?;
    let mut schema = Schema::from_rows_reusing(cookie, rows, prev).map_err(ConnError::Compile)?;
    schema.load_stat1(&stats);
    Ok((schema, enc))
}

/// Reads (tbl, idx, stat) of every `sqlite_stat1` row, in rowid order,
/// text columns only (anything else reads as NULL, as SQLite's loader
/// skips such rows).
fn read_stat1_rows(bt: &mut Btree<Pager>, root: u32) -> Result<Vec<Stat1Row>, ConnError> {
    let enc = bt.text_encoding()?;
    let mut cur = bt.cursor(root, TreeKind::Table, None)?;
    let mut rows = Vec::new();
    let mut scratch = Vec::new();
    let mut more = bt.first(&mut cur)?;
    while more {
        let payload = bt.payload(&cur, &mut scratch)?;
        let hdr = RecordHeader::parse(payload).map_err(crate::vdbe::VdbeError::from)?;
        let text = |i: usize| -> Option<String> {
            match hdr.column(payload, i).ok()? {
                ValueRef::Text(t) => {
                    Some(String::from_utf8_lossy(&crate::record::decode_text(t, enc)).into_owned())
                }
                ValueRef::Integer(n) => Some(n.to_string()),
                _ => None,
            }
        };
        rows.push((text(0), text(1), text(2)));
        more = bt.next(&mut cur)?;
    }
    Ok(rows)
}

type SchemaRows = (u32, Vec<SchemaRow>, crate::record::TextEncoding);

fn read_schema_rows(bt: &mut Btree<Pager>) -> Result<SchemaRows, ConnError> {
    if bt.pager().page_count() == 0 {
        return Ok((0, Vec::new(), bt.text_encoding()?));
    }
    let cookie = bt.get_meta(1)?;
    let enc = bt.text_encoding()?;
    let mut cur = bt.cursor(1, TreeKind::Table, None)?;
    let mut rows = Vec::new();
    let mut scratch = Vec::new();
    let mut hdr = RecordHeader::default();
    let mut more = bt.first(&mut cur)?;
    while more {
        let payload = bt.payload(&cur, &mut scratch)?;
        rows.push(decode_schema_row(payload, enc, &mut hdr)?);
        more = bt.next(&mut cur)?;
    }
    Ok((cookie, rows, enc))
}

/// One `sqlite_schema` row; `hdr` is reused from row to row.
fn decode_schema_row(
    payload: &[u8],
    enc: crate::record::TextEncoding,
    hdr: &mut RecordHeader,
) -> Result<SchemaRow, ConnError> {
    hdr.parse_into(payload)
        .map_err(crate::vdbe::VdbeError::from)?;
    let hdr = &*hdr;
    let text = |i: usize| -> Result<Option<String>, ConnError> {
        Ok(
            match hdr
                .column(payload, i)
                .map_err(crate::vdbe::VdbeError::from)?
            {
                ValueRef::Text(t) if enc.is_utf8() => Some(text_string(t)),
                ValueRef::Text(t) => Some(text_string(&crate::record::decode_text(t, enc))),
                ValueRef::Blob(t) => Some(text_string(t)),
                _ => None,
            },
        )
    };
    let root = match hdr
        .column(payload, 3)
        .map_err(crate::vdbe::VdbeError::from)?
    {
        ValueRef::Integer(n) => u32::try_from(n).unwrap_or(0),
        _ => 0,
    };
    Ok(SchemaRow {
        kind: text(0)?.unwrap_or_default(),
        name: text(1)?.unwrap_or_default(),
        tbl_name: text(2)?.unwrap_or_default(),
        rootpage: root,
        sql: text(4)?,
    })
}

/// `b` as a string: copied once when it is UTF-8 (the usual case),
/// invalid sequences replaced otherwise.
fn text_string(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// SQLite's default busy handler for `busy_timeout(ms)`: sleeps 1, 2, 5,
/// 10, 15, 20, 25, 25, 25, 50, 50, 100 ms … until `ms` have passed.
pub(crate) fn busy_timeout_handler(ms: i32) -> Option<Box<dyn FnMut(u32) -> bool + Send>> {
    if ms <= 0 {
        return None;
    }
    const DELAYS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let limit = ms as u64;
    Some(Box::new(move |count: u32| {
        let n = count as usize;
        let (delay, prior) = match DELAYS.get(n) {
            Some(&d) => (d, DELAYS[..n].iter().sum::<u64>()),
            None => (
                100,
                DELAYS.iter().sum::<u64>() + 100 * (n - DELAYS.len()) as u64,
            ),
        };
        if prior >= limit {
            return false;
        }
        let delay = delay.min(limit - prior);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        true
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_targets() {
        let opts = OpenOptions {
            uri: true,
            ..OpenOptions::default()
        };
        let t = parse_target(b"file:data%20x.db?mode=ro&cache=shared", &opts).unwrap_or_default();
        assert_eq!(t.path, PathBuf::from("data x.db"));
        assert!(t.readonly && !t.create && !t.memory);
        let t = parse_target(b"file::memory:", &opts).unwrap_or_default();
        assert!(t.memory);
        let plain = OpenOptions::default();
        let t = parse_target(b"file:x.db", &plain).unwrap_or_default();
        assert_eq!(t.path, PathBuf::from("file:x.db"));
        let t = parse_target(b"file:a%FF%fe.db?mode=r%77c", &opts).unwrap_or_default();
        assert_eq!(t.path.as_os_str().as_bytes(), b"a\xff\xfe.db");
        assert!(t.create && !t.readonly);
    }
}
