//! Special INSERT commands: `INSERT INTO t(t) VALUES('optimize')`,
//! `'rebuild'` and `'integrity-check'`.
//!
//! SQLite counterpart: `fts3SpecialInsert`, `fts3DoOptimize`,
//! `fts3DoRebuild` and `fts3DoIntegrityCheck` of fts3_write.c; behaviour
//! from fts3.html §7.
//!
//! Invariants:
//! 1. optimize merges every segment into one (deletion markers dropped)
//!    at the highest level in use, idx 0, as C does.
//! 2. rebuild recreates the index, `%_docsize` and `%_stat` from
//!    `%_content` alone.
//! 3. integrity-check changes nothing; when the index disagrees with the
//!    content it fails with SQLITE_CORRUPT_VTAB.
//! 4. Other known commands are refused as not supported; unknown ones
//!    fail as in C ("SQL logic error").

use super::doclist::{encode, put_varint};
use super::index::{self, Pending};
use super::table::Shape;
use crate::rc::ResultCode;
use crate::record::Value;
use crate::vtab::{VTabError, VTabHost, VTabResult};

/// Runs the command `cmd` (invariant 4).
pub fn run(t: &Shape, cmd: &str, host: &mut dyn VTabHost) -> VTabResult<()> {
    let name = cmd
        .split('=')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match cmd.trim() {
        "optimize" => return optimize(t, host),
        "rebuild" => return rebuild(t, host),
        "integrity-check" => return integrity_check(t, host),
        _ => {}
    }
    const KNOWN: [&str; 5] = [
        "merge",
        "automerge",
        "nodesize",
        "maxpending",
        "test-no-incr-doclist",
    ];
    if KNOWN.contains(&name.as_str()) {
        return Err(VTabError::new(format!(
            "fts4 command {name} is not supported by loom yet"
        )));
    }
    Err(VTabError::new("SQL logic error"))
}

fn optimize(t: &Shape, host: &mut dyn VTabHost) -> VTabResult<()> {
    let segs = index::segments(host, t)?;
    let Some(level) = segs.iter().map(|s| s.level).max() else {
        return Ok(());
    };
    let terms = index::merged_terms(host, t, &segs, true)?;
    index::remove_segments(host, t, &segs)?;
    if terms.is_empty() {
        return Ok(());
    }
    index::write_segment(host, t, level, 0, &terms)
}

/// Every content row: docid and its column texts.
fn content(t: &Shape, host: &mut dyn VTabHost) -> VTabResult<Vec<(i64, Vec<Option<String>>)>> {
    let sql = format!("SELECT * FROM {} ORDER BY docid", t.shadow("content"));
    Ok(host
        .exec(&sql, &[])?
        .into_iter()
        .map(|r| {
            let docid = match r.first() {
                Some(Value::Integer(i)) => *i,
                _ => 0,
            };
            (docid, r.iter().skip(1).map(super::write::as_text).collect())
        })
        .collect())
}

fn rebuild(t: &Shape, host: &mut dyn VTabHost) -> VTabResult<()> {
    for s in t.suffixes().iter().filter(|s| **s != "content") {
        host.exec(&format!("DELETE FROM {}", t.shadow(s)), &[])?;
    }
    let rows = content(t, host)?;
    let mut p = Pending::new();
    let mut totals = vec![0u64; t.cols.len() + 2];
    for (docid, texts) in &rows {
        let counts = index::add_doc(&mut p, *docid, texts);
        if !t.fts4 {
            continue;
        }
        let mut size = Vec::new();
        for (i, c) in counts.iter().enumerate() {
            put_varint(&mut size, *c);
            if let Some(x) = totals.get_mut(i + 1) {
                *x += c;
            }
        }
        if let Some(x) = totals.first_mut() {
            *x += 1;
        }
        if let Some(x) = totals.last_mut() {
            *x += texts.iter().flatten().map(|s| s.len() as u64).sum::<u64>();
        }
        let sql = format!("INSERT INTO {} VALUES(?1, ?2)", t.shadow("docsize"));
        host.exec(&sql, &[Value::Integer(*docid), Value::Blob(size)])?;
    }
    if t.fts4 {
        let mut stat = Vec::new();
        for v in &totals {
            put_varint(&mut stat, *v);
        }
        let sql = format!("INSERT INTO {} VALUES(0, ?1)", t.shadow("stat"));
        host.exec(&sql, &[Value::Blob(stat)])?;
    }
    index::flush(host, t, &p)
}

fn integrity_check(t: &Shape, host: &mut dyn VTabHost) -> VTabResult<()> {
    let mut expected = Pending::new();
    for (docid, texts) in content(t, host)? {
        index::add_doc(&mut expected, docid, &texts);
    }
    let want: Vec<(Vec<u8>, Vec<u8>)> = expected
        .iter()
        .map(|(k, d)| (k.clone(), encode(d)))
        .collect();
    let segs = index::segments(host, t)?;
    let have = index::merged_terms(host, t, &segs, true)?;
    if want == have {
        Ok(())
    } else {
        Err(VTabError {
            code: ResultCode::CORRUPT_VTAB,
            msg: "database disk image is malformed".into(),
        })
    }
}
