//! The `fts3` and `fts4` modules: table creation and removal, xBestIndex,
//! cursors (full scan, docid lookup, full-text query) and xUpdate.
//!
//! SQLite counterpart: fts3.c (`fts3InitVtab`, `fts3BestIndexMethod`,
//! `fts3FilterMethod`, `fts3UpdateMethod`, `fts3DestroyMethod`); table
//! layout from fts3.html §1 and the appendix "Data Structures".
//!
//! ## Shadow tables (DDL text exactly as C creates them)
//! | table | columns |
//! |---|---|
//! | `%_content` | `docid INTEGER PRIMARY KEY, 'c0<col>', ...` |
//! | `%_segments` | `blockid INTEGER PRIMARY KEY, block BLOB` |
//! | `%_segdir` | `level, idx, start_block, leaves_end_block, end_block, root`, key (level, idx) |
//! | `%_docsize` (fts4) | `docid INTEGER PRIMARY KEY, size BLOB`: varint token count per column |
//! | `%_stat` (fts4) | `id INTEGER PRIMARY KEY, value BLOB`: row 0 = varints: documents, tokens per column, total bytes of text |
//!
//! ## Declared schema
//! The user columns, then the hidden columns `<table>` (MATCH target,
//! reads as NULL), `docid` and `__langid` (always 0).
//!
//! Invariants:
//! 1. Plans: idx_num 1 = docid lookup (argv 1), 2 + c = full-text query
//!    on column c (c = number of columns: every column), 0 = full scan;
//!    idx_str "DESC" when the plan returns docids descending.
//! 2. Every result comes out in docid order (as the plan says).
//! 3. Unsupported options, tokenizers and commands fail with an error
//!    naming them, before anything is written.

use std::sync::Arc;

use super::index;
use super::query;
use crate::record::Value;
use crate::vtab::{
    ConflictMode, ConstraintOp, IndexInfo, VTab, VTabCursor, VTabError, VTabHost, VTabModule,
    VTabResult,
};

/// The `fts3` (`fts4` = false) or `fts4` module.
#[derive(Debug)]
pub struct Fts3Module {
    pub fts4: bool,
}

/// What a table is: names, columns, kind.
#[derive(Debug, Clone)]
pub struct Shape {
    pub db: String,
    pub name: String,
    pub cols: Vec<String>,
    pub fts4: bool,
}

fn quote_id(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Shape {
    /// The qualified name of shadow table `%_<suffix>`.
    pub fn shadow(&self, suffix: &str) -> String {
        format!(
            "{}.{}",
            quote_id(&self.db),
            quote_id(&format!("{}_{suffix}", self.name))
        )
    }

    /// Node size of new segments: the page size less 35 (as C).
    pub fn node_size(&self, host: &mut dyn VTabHost) -> VTabResult<usize> {
        let rows = host.exec(&format!("PRAGMA {}.page_size", quote_id(&self.db)), &[])?;
        let ps = match rows.first().and_then(|r| r.first()) {
            Some(Value::Integer(i)) => usize::try_from(*i).unwrap_or(4096),
            _ => 4096,
        };
        Ok(ps.saturating_sub(35).max(64))
    }

    fn declared(&self) -> String {
        let mut s = String::from("CREATE TABLE x(");
        for c in &self.cols {
            s.push_str(&quote_str(c));
            s.push_str(", ");
        }
        s.push_str(&format!(
            "{} HIDDEN, docid HIDDEN, '__langid' HIDDEN)",
            quote_str(&self.name)
        ));
        s
    }

    fn ddl(&self) -> Vec<String> {
        let q = |suffix: &str| {
            format!(
                "{}.{}",
                quote_str(&self.db),
                quote_str(&format!("{}_{suffix}", self.name))
            )
        };
        let cols: String = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!(", {}", quote_str(&format!("c{i}{c}"))))
            .collect();
        let mut v = vec![
            format!("CREATE TABLE {}(docid INTEGER PRIMARY KEY{cols})", q("content")),
            format!("CREATE TABLE {}(blockid INTEGER PRIMARY KEY, block BLOB)", q("segments")),
            format!(
                "CREATE TABLE {}(level INTEGER,idx INTEGER,start_block INTEGER,leaves_end_block INTEGER,end_block INTEGER,root BLOB,PRIMARY KEY(level, idx))",
                q("segdir")
            ),
        ];
        if self.fts4 {
            v.push(format!(
                "CREATE TABLE {}(docid INTEGER PRIMARY KEY, size BLOB)",
                q("docsize")
            ));
            v.push(format!(
                "CREATE TABLE {}(id INTEGER PRIMARY KEY, value BLOB)",
                q("stat")
            ));
        }
        v
    }

    pub fn suffixes(&self) -> &'static [&'static str] {
        if self.fts4 {
            &["content", "segments", "segdir", "docsize", "stat"]
        } else {
            &["content", "segments", "segdir"]
        }
    }
}

/// The column name an argument declares: its first word, dequoted.
fn column_name(arg: &str) -> String {
    let a = arg.trim();
    let mut chars = a.chars();
    let close = match chars.next() {
        Some('"') => '"',
        Some('\'') => '\'',
        Some('`') => '`',
        Some('[') => ']',
        _ => {
            let end = a
                .find(|c: char| c.is_whitespace() || c == '=' || c == '(')
                .unwrap_or(a.len());
            return a.get(..end).unwrap_or(a).to_string();
        }
    };
    let mut out = String::new();
    let mut it = a.chars().skip(1).peekable();
    while let Some(c) = it.next() {
        if c == close {
            if close != ']' && it.peek() == Some(&close) {
                it.next();
                out.push(c);
                continue;
            }
            break;
        }
        out.push(c);
    }
    out
}

/// `key=value` of an fts4 option argument, or `tokenize name` forms.
fn option(arg: &str) -> Option<(String, String)> {
    let a = arg.trim();
    if let Some((k, v)) = a.split_once('=') {
        let k = k.trim();
        if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some((k.to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let lower = a.to_ascii_lowercase();
    if lower.starts_with("tokenize") && lower.get(8..9).is_some_and(|c| c.trim().is_empty()) {
        return Some((
            "tokenize".into(),
            a.get(9..).unwrap_or("").trim().to_string(),
        ));
    }
    None
}

fn check_tokenizer(spec: &str) -> VTabResult<()> {
    let name = column_name(spec).to_ascii_lowercase();
    match name.as_str() {
        "" | "simple" => Ok(()),
        "porter" | "unicode61" | "icu" => Err(VTabError::new(format!(
            "fts4 tokenizer {name} is not supported by loom yet"
        ))),
        _ => Err(VTabError::new(format!(
            "unknown tokenizer: {}",
            column_name(spec)
        ))),
    }
}

impl Fts3Module {
    fn shape(&self, args: &[String]) -> VTabResult<Shape> {
        let db = args.get(1).cloned().unwrap_or_else(|| "main".into());
        let name = args.get(2).cloned().unwrap_or_default();
        let mut cols = Vec::new();
        for a in args.iter().skip(3) {
            match option(a) {
                Some((k, v)) if k == "tokenize" => check_tokenizer(&v)?,
                Some((k, _)) if self.fts4 => {
                    const KNOWN: [&str; 8] = [
                        "compress",
                        "uncompress",
                        "content",
                        "languageid",
                        "matchinfo",
                        "notindexed",
                        "order",
                        "prefix",
                    ];
                    if KNOWN.contains(&k.as_str()) {
                        return Err(VTabError::new(format!(
                            "fts4 option {k} is not supported by loom yet"
                        )));
                    }
                    return Err(VTabError::new(format!(
                        "unrecognized parameter: {}",
                        a.trim()
                    )));
                }
                _ => cols.push(column_name(a)),
            }
        }
        if cols.is_empty() {
            cols.push("content".into());
        }
        Ok(Shape {
            db,
            name,
            cols,
            fts4: self.fts4,
        })
    }
}

impl VTabModule for Fts3Module {
    fn create(&self, _args: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        Err(VTabError::new(
            "fts4 tables can only be created inside a statement",
        ))
    }

    fn create_in(
        &self,
        args: &[String],
        host: &mut dyn VTabHost,
    ) -> VTabResult<(String, Box<dyn VTab>)> {
        let shape = self.shape(args)?;
        for ddl in shape.ddl() {
            host.exec(&ddl, &[])?;
        }
        Ok((
            shape.declared(),
            Box::new(Fts3Table {
                shape: Arc::new(shape),
            }),
        ))
    }

    fn connect(&self, args: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        let shape = self.shape(args)?;
        Ok((
            shape.declared(),
            Box::new(Fts3Table {
                shape: Arc::new(shape),
            }),
        ))
    }
}

/// A connected fts3/fts4 table.
#[derive(Debug)]
pub struct Fts3Table {
    shape: Arc<Shape>,
}

/// Plan numbers (invariant 1).
const PLAN_SCAN: i32 = 0;
const PLAN_DOCID: i32 = 1;
const PLAN_MATCH: i32 = 2;

impl VTab for Fts3Table {
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()> {
        let n = self.shape.cols.len() as i32;
        let mut chosen = None;
        info.idx_num = PLAN_SCAN;
        info.estimated_cost = 500_000.0;
        for (i, c) in info.constraints.iter().enumerate() {
            if !c.usable {
                continue;
            }
            let docid = c.column < 0 || c.column == n + 1;
            if chosen.is_none() && c.op == ConstraintOp::Eq && docid {
                info.idx_num = PLAN_DOCID;
                info.estimated_cost = 1.0;
                chosen = Some(i);
            }
            if c.op == ConstraintOp::Match && c.column >= 0 && c.column <= n {
                info.idx_num = PLAN_MATCH + c.column;
                info.estimated_cost = 2.0;
                chosen = Some(i);
            }
        }
        if let Some(u) = chosen.and_then(|i| info.usage.get_mut(i)) {
            u.argv_index = 1;
            u.omit = true;
        }
        if let [ob] = info.order_by.as_slice() {
            if ob.column < 0 || ob.column == n + 1 {
                info.idx_str = Some(if ob.desc { "DESC" } else { "ASC" }.into());
                info.order_by_consumed = true;
            }
        }
        Ok(())
    }

    fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
        Ok(Box::new(Fts3Cursor {
            shape: self.shape.clone(),
            rows: Vec::new(),
            at: 0,
        }))
    }

    fn destroy(&self) -> VTabResult<()> {
        Err(VTabError::new(
            "fts4 tables can only be dropped inside a statement",
        ))
    }

    fn destroy_in(&self, host: &mut dyn VTabHost) -> VTabResult<()> {
        for s in self.shape.suffixes() {
            host.exec(
                &format!("DROP TABLE IF EXISTS {}", self.shape.shadow(s)),
                &[],
            )?;
        }
        Ok(())
    }

    fn writable(&self) -> bool {
        true
    }

    fn update(&self, _args: &[Value], _oc: ConflictMode) -> VTabResult<Option<i64>> {
        Err(VTabError::new(
            "fts4 writes outside a statement are not supported by loom yet",
        ))
    }

    fn update_in(
        &self,
        args: &[Value],
        on_conflict: ConflictMode,
        host: &mut dyn VTabHost,
    ) -> VTabResult<Option<i64>> {
        super::write::update(&self.shape, args, on_conflict, host)
    }

    fn rename(&self, _new_name: &str) -> VTabResult<()> {
        Err(VTabError::new("fts4 rename is not supported by loom yet"))
    }
}

/// One row of a result: docid and the column values.
type Row = (i64, Vec<Value>);

/// A cursor: the rows of the scan, loaded by xFilter.
struct Fts3Cursor {
    shape: Arc<Shape>,
    rows: Vec<Row>,
    at: usize,
}

fn text_arg(v: Option<&Value>) -> String {
    match v {
        Some(Value::Text(t)) => String::from_utf8_lossy(t).into_owned(),
        Some(Value::Integer(i)) => i.to_string(),
        Some(Value::Real(r)) => r.to_string(),
        Some(Value::Blob(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

impl Fts3Cursor {
    fn content(
        &self,
        host: &mut dyn VTabHost,
        filter: &str,
        args: &[Value],
    ) -> VTabResult<Vec<Row>> {
        let sql = format!("SELECT * FROM {} {filter}", self.shape.shadow("content"));
        let rows = host.exec(&sql, args)?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                let docid = match r.first() {
                    Some(Value::Integer(i)) => *i,
                    _ => 0,
                };
                r.remove(0);
                (docid, r)
            })
            .collect())
    }

    fn full_text(&self, host: &mut dyn VTabHost, col: i32, q: &str) -> VTabResult<Vec<Row>> {
        let mut cols: Vec<String> = self.shape.cols.clone();
        let restrict = usize::try_from(col).ok().filter(|&c| c < cols.len());
        let Some(mut expr) = query::parse(q, &cols).map_err(VTabError::new)? else {
            return Ok(Vec::new());
        };
        if let Some(c) = restrict {
            restrict_column(&mut expr, c as u32);
        }
        cols.clear();
        let segs = index::segments(host, &self.shape)?;
        let docids = {
            let mut r = index::Reader {
                host: &mut *host,
                shape: &self.shape,
                segs,
            };
            query::eval(&expr, &mut r).map_err(VTabError::new)?
        };
        let mut out = Vec::new();
        for d in docids {
            out.extend(self.content(host, "WHERE docid = ?1", &[Value::Integer(d)])?);
        }
        Ok(out)
    }
}

/// Gives every phrase of `e` without a column filter column `c` (a
/// `col MATCH` query: an explicit `other:` filter in the query wins, as C).
fn restrict_column(e: &mut query::Expr, c: u32) {
    match e {
        query::Expr::Phrase { col, .. } => {
            col.get_or_insert(c);
        }
        query::Expr::And(l, r) | query::Expr::Or(l, r) | query::Expr::Not(l, r) => {
            restrict_column(l, c);
            restrict_column(r, c);
        }
    }
}

impl VTabCursor for Fts3Cursor {
    fn filter(&mut self, _: i32, _: Option<&str>, _: &[Value]) -> VTabResult<()> {
        Err(VTabError::new(
            "fts4 scans outside a statement are not supported by loom yet",
        ))
    }

    fn filter_in(
        &mut self,
        idx_num: i32,
        idx_str: Option<&str>,
        args: &[Value],
        host: &mut dyn VTabHost,
    ) -> VTabResult<()> {
        self.at = 0;
        self.rows = match idx_num {
            PLAN_SCAN => self.content(host, "ORDER BY docid", &[])?,
            PLAN_DOCID => {
                self.content(host, "WHERE docid = ?1", args.get(..1).unwrap_or_default())?
            }
            n => {
                let q = text_arg(args.first());
                if matches!(args.first(), None | Some(Value::Null)) {
                    Vec::new()
                } else {
                    self.full_text(host, n - PLAN_MATCH, &q)?
                }
            }
        };
        if idx_str == Some("DESC") {
            self.rows.reverse();
        }
        Ok(())
    }

    fn next(&mut self) -> VTabResult<()> {
        self.at += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.at >= self.rows.len()
    }

    fn column(&mut self, i: usize, _nochange: bool) -> VTabResult<Value> {
        let n = self.shape.cols.len();
        let Some((docid, vals)) = self.rows.get(self.at) else {
            return Ok(Value::Null);
        };
        Ok(if i < n {
            vals.get(i).cloned().unwrap_or(Value::Null)
        } else if i == n + 1 {
            Value::Integer(*docid)
        } else if i == n + 2 {
            Value::Integer(0)
        } else {
            Value::Null
        })
    }

    fn rowid(&mut self) -> VTabResult<i64> {
        Ok(self.rows.get(self.at).map_or(0, |r| r.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_columns_and_options() {
        let m = Fts3Module { fts4: true };
        let a = |v: &[&str]| {
            let mut x = vec!["fts4".to_string(), "main".into(), "t".into()];
            x.extend(v.iter().map(|s| s.to_string()));
            m.shape(&x)
        };
        assert_eq!(
            a(&["a INTEGER", "\"x y\"", "tokenize=simple"])
                .unwrap()
                .cols,
            vec!["a", "x y"]
        );
        assert_eq!(a(&[]).unwrap().cols, vec!["content"]);
        assert_eq!(
            a(&["a", "tokenize=foo"]).unwrap_err().msg,
            "unknown tokenizer: foo"
        );
        assert_eq!(
            a(&["a", "tokenize foo"]).unwrap_err().msg,
            "unknown tokenizer: foo"
        );
        assert_eq!(
            a(&["a", "bogus=1"]).unwrap_err().msg,
            "unrecognized parameter: bogus=1"
        );
        let m3 = Fts3Module { fts4: false };
        let x: Vec<String> = ["fts3", "main", "t", "a", "bogus=1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(m3.shape(&x).unwrap().cols, vec!["a", "bogus"]);
    }
}
