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
//! 5. A reload after a schema change (another connection's DDL, a
//!    rollback, ALTER, VACUUM …) re-reads every row but parses only the
//!    objects whose rows changed (`Schema::from_rows_reusing`).
//! 6. After this connection's own CREATE or DROP (and nothing else), the
//!    rows the statement wrote to schema tables (`ConnState::schema_log`)
//!    are applied to the in-memory schema instead ([`apply_schema_log`]),
//!    as SQLite's `OP_ParseSchema` parses only the new rows. That happens
//!    only when the log is complete (`!broken`), the statement succeeded,
//!    no other statement is running, and every database's cookie chain in
//!    the log starts at the cookie its schema was loaded at; otherwise the
//!    schema is marked unloaded and fully reloaded before the next prepare.
//! 7. With `LOOM_SCHEMA_VERIFY` set in the environment, every in-place
//!    edit is compared with a full reload ([`Schema::canonical`]); a
//!    difference is reported as an internal error of the statement.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::error::ConnError;
use super::mode::OpenOptions;
use crate::btree::{Btree, TreeKind};
use crate::pager::{Pager, TxnState};
use crate::record::{RecordHeader, ValueRef};
use crate::sql::schema_stat::Stat1Row;
use crate::sql::{RowEdit, Schema, SchemaRow};
use crate::vdbe::{ConnState, SchemaLogEntry};
use std::sync::Arc;

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
        let stat_root = (rows.0)
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
    let (cookie, (rows, ids), stats, enc) = result?;
    let mut schema =
        Schema::from_rows_with_ids(cookie, rows, ids, prev).map_err(ConnError::Compile)?;
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

type SchemaRows = (u32, (Vec<SchemaRow>, Vec<i64>), crate::record::TextEncoding);

fn read_schema_rows(bt: &mut Btree<Pager>) -> Result<SchemaRows, ConnError> {
    if bt.pager().page_count() == 0 {
        return Ok((0, (Vec::new(), Vec::new()), bt.text_encoding()?));
    }
    let cookie = bt.get_meta(1)?;
    let enc = bt.text_encoding()?;
    let mut cur = bt.cursor(1, TreeKind::Table, None)?;
    let (mut rows, mut ids) = (Vec::new(), Vec::new());
    let mut scratch = Vec::new();
    let mut hdr = RecordHeader::default();
    let mut more = bt.first(&mut cur)?;
    while more {
        ids.push(bt.rowid(&cur)?);
        let payload = bt.payload(&cur, &mut scratch)?;
        rows.push(decode_schema_row(payload, enc, &mut hdr)?);
        more = bt.next(&mut cur)?;
    }
    Ok((cookie, (rows, ids), enc))
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

/// The edits of one database collected from a schema log.
#[derive(Default)]
struct DbEdits {
    rows: Vec<RowEdit>,
    /// The cookie before the first change and after the last one.
    cookie: Option<(u32, u32)>,
    /// The cookie chain in the log is not continuous.
    gap: bool,
}

/// Applies a statement's schema-table changes to `schemas` in place
/// (invariant 6); every database has the main database's text encoding
/// `enc`. Returns the databases edited, or `None` when that is not
/// possible: the caller must then reload every schema (some may be
/// half-edited).
pub(crate) fn apply_schema_log(
    enc: crate::record::TextEncoding,
    schemas: &mut [Arc<Schema>],
    edits: Vec<SchemaLogEntry>,
) -> Option<Vec<usize>> {
    let mut per_db: Vec<DbEdits> = Vec::new();
    per_db.resize_with(schemas.len(), DbEdits::default);
    let mut hdr = RecordHeader::default();
    for e in edits {
        let db = match &e {
            SchemaLogEntry::Put { db, .. }
            | SchemaLogEntry::Delete { db, .. }
            | SchemaLogEntry::Cookie { db, .. } => *db,
        };
        let slot = per_db.get_mut(db)?;
        match e {
            SchemaLogEntry::Put { rowid, record, .. } => {
                match decode_schema_row(&record, enc, &mut hdr) {
                    Ok(row) => slot.rows.push(RowEdit::Put(rowid, row)),
                    Err(_) => return None,
                }
            }
            SchemaLogEntry::Delete { rowid, .. } => slot.rows.push(RowEdit::Delete(rowid)),
            SchemaLogEntry::Cookie { old, new, .. } => {
                slot.gap |= slot.cookie.is_some_and(|(_, last)| last != old);
                slot.cookie = Some((slot.cookie.map_or(old, |(first, _)| first), new));
            }
        }
    }
    let mut done = Vec::new();
    for (i, (edits, schema)) in per_db.into_iter().zip(schemas.iter_mut()).enumerate() {
        let Some((first, last)) = edits.cookie else {
            if edits.rows.is_empty() {
                continue;
            }
            return None;
        };
        if edits.gap || first != schema.cookie {
            return None;
        }
        let s = Arc::make_mut(schema);
        if s.apply_row_edits(edits.rows).is_err() {
            return None;
        }
        s.cookie = last;
        done.push(i);
    }
    Some(done)
}

/// True when some database's schema cookie on file differs from the one
/// its in-memory schema was loaded at (SQLite's `schemaIsValid`). A
/// database that cannot be read now (locked) counts as up to date.
pub(crate) fn schemas_stale(
    dbs: &mut [Btree<Pager>],
    state: &ConnState,
    schemas: &[Arc<Schema>],
) -> bool {
    dbs.iter_mut().zip(schemas).any(|(bt, s)| {
        let started = bt.pager().txn_state() == TxnState::None;
        if started && bt.begin_read().is_err() {
            return false;
        }
        let cookie = bt.get_meta(1);
        if started && state.autocommit && state.active_vms == 0 {
            bt.end_read();
        }
        cookie.is_ok_and(|c| c != s.cookie)
    })
}

/// True when `LOOM_SCHEMA_VERIFY` is set (invariant 7); read once.
pub(crate) fn verify_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("LOOM_SCHEMA_VERIFY").is_some_and(|v| v != "0"))
}

/// Compares the schemas of databases `which` with a fresh load of each
/// (invariant 7). (Only those: a file attached twice has a second schema
/// that goes stale, as in SQLite, until a cookie check reloads it.)
pub(crate) fn verify_schemas(
    dbs: &mut [Btree<Pager>],
    state: &mut ConnState,
    schemas: &[Arc<Schema>],
    which: &[usize],
) -> Result<(), ConnError> {
    for (i, (bt, have)) in dbs.iter_mut().zip(schemas).enumerate() {
        if !which.contains(&i) {
            continue;
        }
        let (mut fresh, _) = load_schema(bt, state, None)?;
        fresh.temp = have.temp;
        let (a, b) = (have.canonical(), fresh.canonical());
        if a != b {
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let near = |t: &str| {
                t.get(at.saturating_sub(80)..(at + 160).min(t.len()))
                    .map(str::to_string)
            };
            return Err(ConnError::Unsupported(format!(
                "internal error: schema {i} edited in place differs from a reload: {:?} vs {:?}",
                near(&a),
                near(&b)
            )));
        }
    }
    Ok(())
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
