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

use super::error::ConnError;
use super::mode::OpenOptions;
use crate::btree::{Btree, TreeKind};
use crate::pager::{Pager, TxnState};
use crate::record::{RecordHeader, ValueRef};
use crate::sql::{Schema, SchemaRow};
use crate::vdbe::ConnState;

/// Where and how a connection opens its main database.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct OpenTarget {
    pub path: String,
    pub memory: bool,
    pub readonly: bool,
    pub create: bool,
}

/// Interprets the file name (and a `file:` URI when allowed).
pub(crate) fn parse_target(path: &str, opts: &OpenOptions) -> Result<OpenTarget, ConnError> {
    let mut t = OpenTarget {
        path: path.to_string(),
        memory: opts.memory || path.is_empty() || path == ":memory:",
        readonly: false,
        create: opts.create,
    };
    if opts.uri {
        if let Some(rest) = path.strip_prefix("file:") {
            apply_uri(&mut t, rest)?;
        }
    }
    Ok(t)
}

fn apply_uri(t: &mut OpenTarget, rest: &str) -> Result<(), ConnError> {
    let (file, query) = rest.split_once('?').unwrap_or((rest, ""));
    let file = file.split('#').next().unwrap_or("");
    let file = file
        .strip_prefix("//localhost")
        .or_else(|| file.strip_prefix("//"))
        .unwrap_or(file);
    t.path = percent_decode(file);
    t.memory = t.memory || t.path.is_empty() || t.path == ":memory:";
    for pair in query
        .split('#')
        .next()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (k, v) {
            ("mode", "ro") => {
                t.readonly = true;
                t.create = false;
            }
            ("mode", "rw") => t.create = false,
            ("mode", "rwc") => {}
            ("mode", "memory") => t.memory = true,
            ("mode", other) => {
                return Err(ConnError::Unsupported(format!(
                    "no such access mode: {other}"
                )));
            }
            ("immutable", "1") => t.readonly = true,
            _ => {}
        }
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads every row of `sqlite_schema` and builds the schema; also returns
/// the database's text encoding.
pub(crate) fn load_schema(
    bt: &mut Btree<Pager>,
    state: &mut ConnState,
) -> Result<(Schema, crate::record::TextEncoding), ConnError> {
    let started = bt.pager().txn_state() == TxnState::None;
    if started {
        bt.begin_read()?;
    }
    let result = read_schema_rows(bt);
    if started && state.autocommit && state.active_vms == 0 {
        bt.end_read();
    }
    let (cookie, rows, enc) = result?;
    let schema = Schema::from_rows(cookie, rows).map_err(ConnError::Compile)?;
    Ok((schema, enc))
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
    let mut more = bt.first(&mut cur)?;
    while more {
        let payload = bt.payload(&cur, &mut scratch)?;
        rows.push(decode_schema_row(payload, enc)?);
        more = bt.next(&mut cur)?;
    }
    Ok((cookie, rows, enc))
}

fn decode_schema_row(
    payload: &[u8],
    enc: crate::record::TextEncoding,
) -> Result<SchemaRow, ConnError> {
    let hdr = RecordHeader::parse(payload).map_err(crate::vdbe::VdbeError::from)?;
    let text = |i: usize| -> Result<Option<String>, ConnError> {
        Ok(
            match hdr
                .column(payload, i)
                .map_err(crate::vdbe::VdbeError::from)?
            {
                ValueRef::Text(t) => {
                    Some(String::from_utf8_lossy(&crate::record::decode_text(t, enc)).into_owned())
                }
                ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
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
        let t = parse_target("file:data%20x.db?mode=ro&cache=shared", &opts).unwrap_or_default();
        assert_eq!(t.path, "data x.db");
        assert!(t.readonly && !t.create && !t.memory);
        let t = parse_target("file::memory:", &opts).unwrap_or_default();
        assert!(t.memory);
        let plain = OpenOptions::default();
        let t = parse_target("file:x.db", &plain).unwrap_or_default();
        assert_eq!(t.path, "file:x.db");
    }
}
