//! xUpdate of fts3/fts4 tables: INSERT, DELETE and UPDATE keep `%_content`,
//! the full-text index and (fts4) `%_docsize` / `%_stat` in step.
//!
//! SQLite counterpart: `sqlite3Fts3UpdateMethod` and the docsize / doctotal
//! code of fts3_write.c; formats from fts3.html appendix "Data
//! Structures".
//!
//! ## `%_stat` row 0 (fts4)
//! | varint | meaning |
//! |---|---|
//! | 1 | number of documents |
//! | one per column | tokens in that column over all documents |
//! | last | bytes of text over all documents and columns |
//!
//! ## `%_docsize` (fts4)
//! One varint per column: the row's token count in that column.
//!
//! Invariants:
//! 1. xUpdate arguments: `[old docid]` for DELETE; otherwise old docid
//!    (NULL for INSERT), new docid, the column values, then the hidden
//!    columns `<table>`, `docid`, `__langid`.
//! 2. Content is written first (a failing constraint leaves nothing
//!    behind), then docsize/stat, then the index (`index.rs` invariant 1).
//! 3. A non-NULL value in the `<table>` column of an INSERT is a special
//!    command (`command.rs`).

use super::doclist::{get_varint, put_varint};
use super::index::{self, Pending};
use super::table::Shape;
use crate::rc::ResultCode;
use crate::record::Value;
use crate::vtab::{ConflictMode, VTabError, VTabHost, VTabResult};

pub(super) fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(r) => Some(crate::record::real_to_text(*r)),
        Value::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

fn docid_of(v: &Value) -> VTabResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Integer(i) => Ok(Some(*i)),
        _ => Err(VTabError {
            code: ResultCode::MISMATCH,
            msg: "datatype mismatch".into(),
        }),
    }
}

/// The terms one xUpdate writes, flushed early as C flushes its pending
/// terms: when a docid comes that is lower than the previous one, or equal
/// to it and the previous was no deletion (so segments match C's).
#[derive(Default)]
struct Batch {
    terms: Pending,
    prev: Option<(i64, bool)>,
}

impl Batch {
    fn docid(
        &mut self,
        t: &Shape,
        docid: i64,
        delete: bool,
        host: &mut dyn VTabHost,
    ) -> VTabResult<()> {
        if let Some((p, was_delete)) = self.prev {
            if docid < p || (docid == p && !was_delete) {
                self.flush(t, host)?;
            }
        }
        self.prev = Some((docid, delete));
        Ok(())
    }

    fn flush(&mut self, t: &Shape, host: &mut dyn VTabHost) -> VTabResult<()> {
        index::flush(host, t, &std::mem::take(&mut self.terms))
    }
}

/// xUpdate (invariant 1).
pub fn update(
    t: &Shape,
    args: &[Value],
    on_conflict: ConflictMode,
    host: &mut dyn VTabHost,
) -> VTabResult<Option<i64>> {
    let n = t.cols.len();
    let old = match args.first() {
        Some(v) => docid_of(v)?,
        None => None,
    };
    if args.len() == 1 {
        let mut p = Batch::default();
        if let Some(d) = old {
            delete_row(t, d, &mut p, host)?;
        }
        p.flush(t, host)?;
        return Ok(None);
    }
    if let Some(cmd) = args.get(2 + n).filter(|v| !matches!(v, Value::Null)) {
        if old.is_none() {
            let text = as_text(cmd).unwrap_or_default();
            return super::command::run(t, &text, host).map(|()| None);
        }
    }
    // The docid column, when set, wins over the rowid argument (as C).
    let mut new = docid_of(args.get(3 + n).unwrap_or(&Value::Null))?;
    if new.is_none() {
        new = docid_of(args.get(1).unwrap_or(&Value::Null))?;
    }
    let values: Vec<Value> = (0..n)
        .map(|i| args.get(2 + i).cloned().unwrap_or(Value::Null))
        .collect();
    let mut p = Batch::default();
    if let Some(o) = old {
        delete_row(t, o, &mut p, host)?;
    }
    if let (Some(d), true) = (new, on_conflict == ConflictMode::Replace || old.is_some()) {
        if Some(d) != old {
            delete_row(t, d, &mut p, host)?;
        }
    }
    let docid = insert_row(t, new, &values, &mut p, host)?;
    p.flush(t, host)?;
    Ok(Some(docid))
}

/// Reads the stored columns of `docid`, if the row exists.
fn stored(t: &Shape, docid: i64, host: &mut dyn VTabHost) -> VTabResult<Option<Vec<Value>>> {
    let sql = format!("SELECT * FROM {} WHERE docid = ?1", t.shadow("content"));
    let rows = host.exec(&sql, &[Value::Integer(docid)])?;
    Ok(rows.into_iter().next().map(|mut r| {
        r.remove(0);
        r
    }))
}

/// Deletes row `docid` (if present): content, docsize, stat, and
/// deletion markers in `p`.
fn delete_row(t: &Shape, docid: i64, p: &mut Batch, host: &mut dyn VTabHost) -> VTabResult<()> {
    let Some(vals) = stored(t, docid, host)? else {
        return Ok(());
    };
    let texts: Vec<Option<String>> = vals.iter().map(as_text).collect();
    p.docid(t, docid, true, host)?;
    index::delete_doc(&mut p.terms, docid, &texts);
    let sql = format!("DELETE FROM {} WHERE docid = ?1", t.shadow("content"));
    host.exec(&sql, &[Value::Integer(docid)])?;
    if t.fts4 {
        let sql = format!("DELETE FROM {} WHERE docid = ?1", t.shadow("docsize"));
        host.exec(&sql, &[Value::Integer(docid)])?;
        let counts = token_counts(&texts);
        adjust_stat(t, -1, &counts, bytes(&texts), host)?;
    }
    Ok(())
}

fn token_counts(texts: &[Option<String>]) -> Vec<u64> {
    texts
        .iter()
        .map(|v| {
            v.as_deref()
                .map_or(0, |s| super::tokenizer::tokenize(s.as_bytes()).len() as u64)
        })
        .collect()
}

fn bytes(texts: &[Option<String>]) -> u64 {
    texts.iter().flatten().map(|s| s.len() as u64).sum()
}

/// Inserts a row (invariant 2) and returns its docid.
fn insert_row(
    t: &Shape,
    docid: Option<i64>,
    values: &[Value],
    p: &mut Batch,
    host: &mut dyn VTabHost,
) -> VTabResult<i64> {
    let marks: Vec<String> = (1..=values.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} VALUES({}) RETURNING docid",
        t.shadow("content"),
        marks.join(", ")
    );
    let mut params = vec![docid.map_or(Value::Null, Value::Integer)];
    params.extend(values.iter().cloned());
    let rows = host.exec(&sql, &params).map_err(|e| {
        if e.code.primary() == ResultCode::CONSTRAINT {
            VTabError {
                code: ResultCode::CONSTRAINT,
                msg: "constraint failed".into(),
            }
        } else {
            e
        }
    })?;
    let docid = match rows.first().and_then(|r| r.first()) {
        Some(Value::Integer(i)) => *i,
        _ => return Err(VTabError::new("fts4: no docid for the new row")),
    };
    let texts: Vec<Option<String>> = values.iter().map(as_text).collect();
    p.docid(t, docid, false, host)?;
    let counts = index::add_doc(&mut p.terms, docid, &texts);
    if t.fts4 {
        let mut size = Vec::new();
        for c in &counts {
            put_varint(&mut size, *c);
        }
        let sql = format!("REPLACE INTO {} VALUES(?1, ?2)", t.shadow("docsize"));
        host.exec(&sql, &[Value::Integer(docid), Value::Blob(size)])?;
        adjust_stat(t, 1, &counts, bytes(&texts), host)?;
    }
    Ok(docid)
}

/// Adds (`sign` 1) or removes (-1) a document's totals in `%_stat`.
fn adjust_stat(
    t: &Shape,
    sign: i64,
    counts: &[u64],
    nbytes: u64,
    host: &mut dyn VTabHost,
) -> VTabResult<()> {
    let sql = format!("SELECT value FROM {} WHERE id = 0", t.shadow("stat"));
    let rows = host.exec(&sql, &[])?;
    let old = match rows.first().and_then(|r| r.first()) {
        Some(Value::Blob(b)) => b.to_vec(),
        _ => Vec::new(),
    };
    let n = t.cols.len() + 2;
    let mut vals = Vec::with_capacity(n);
    let mut at = 0;
    for _ in 0..n {
        vals.push(if at < old.len() {
            get_varint(&old, &mut at).unwrap_or(0)
        } else {
            0
        });
    }
    let mut deltas = vec![1u64];
    deltas.extend(counts.iter().copied());
    deltas.push(nbytes);
    let mut out = Vec::new();
    for (i, v) in vals.iter().enumerate() {
        let d = deltas.get(i).copied().unwrap_or(0);
        let nv = if sign > 0 {
            v.wrapping_add(d)
        } else {
            v.saturating_sub(d)
        };
        put_varint(&mut out, nv);
    }
    let sql = format!("REPLACE INTO {} VALUES(0, ?1)", t.shadow("stat"));
    host.exec(&sql, &[Value::Blob(out)])?;
    Ok(())
}
