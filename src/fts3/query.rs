//! The full-text query language (MATCH right-hand side) and its
//! evaluation over term doclists.
//!
//! SQLite counterpart: fts3_expr.c (parser, built with
//! SQLITE_ENABLE_FTS3_PARENTHESIS: the "enhanced query syntax") and the
//! expression evaluation of fts3.c; semantics from fts3.html §3.
//!
//! Grammar (enhanced syntax): terms, `term*` prefixes, `"phrases"`
//! (a `*` after the last word makes it a prefix), `column:term` and
//! `column:"phrase"`, parentheses, and the operators, upper case only,
//! `NOT` (binds tightest), `AND` or juxtaposition, then `OR` (loosest).
//!
//! Invariants:
//! 1. A malformed query is an error "malformed MATCH expression: [q]"
//!    (C's text); nothing is evaluated.
//! 2. Results are docids in ascending order.
//! 3. A phrase matches a document when its words occur at consecutive
//!    positions of one column (restricted to the phrase's column when it
//!    has one).

use std::collections::{BTreeSet, HashSet};

use super::doclist::DocMap;
use super::tokenizer::tokenize;

/// One word of a phrase: folded token, prefix flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: Vec<u8>,
    pub prefix: bool,
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Words at consecutive positions (one word: a term query); `col`
    /// restricts it to one column.
    Phrase {
        words: Vec<Word>,
        col: Option<u32>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Near,
    Phrase(Expr),
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b'(' || b == b')' || b == b'"'
}

/// A keyword at `q[at..]` when followed by a delimiter or the end.
fn keyword(q: &[u8], at: usize) -> Option<(Tok, usize)> {
    for (kw, tok) in [
        (&b"AND"[..], Tok::And),
        (b"OR", Tok::Or),
        (b"NOT", Tok::Not),
        (b"NEAR", Tok::Near),
    ] {
        let end = at + kw.len();
        if q.get(at..end) == Some(kw) {
            let next = q.get(end).copied();
            if next.is_none_or(|b| is_delim(b) || (tok == Tok::Near && b == b'/')) {
                return Some((tok, end));
            }
        }
    }
    None
}

/// Splits `q` into tokens; `cols` are the column names for `col:` filters.
fn lex(q: &[u8], cols: &[String]) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < q.len() {
        let b = q.get(i).copied().unwrap_or(b' ');
        match b {
            b'(' => {
                out.push(Tok::Open);
                i += 1;
                continue;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if let Some((t, end)) = keyword(q, i) {
            out.push(t);
            i = end;
            continue;
        }
        let mut col = None;
        if let Some(colon) = q
            .get(i..)
            .and_then(|r| r.iter().position(|&c| c == b':' || is_delim(c)))
        {
            if q.get(i + colon) == Some(&b':') {
                let name = String::from_utf8_lossy(q.get(i..i + colon).unwrap_or_default());
                if let Some(c) = cols.iter().position(|c| c.eq_ignore_ascii_case(&name)) {
                    col = u32::try_from(c).ok();
                    i += colon + 1;
                }
            }
        }
        let (words, next) = if q.get(i) == Some(&b'"') {
            let close = q.get(i + 1..)?.iter().position(|&c| c == b'"')?;
            let inner = q.get(i + 1..i + 1 + close).unwrap_or_default();
            let mut words: Vec<Word> = tokenize(inner)
                .into_iter()
                .map(|t| Word {
                    text: t.text,
                    prefix: false,
                })
                .collect();
            let mut next = i + close + 2;
            if q.get(next) == Some(&b'*') {
                if let Some(w) = words.last_mut() {
                    w.prefix = true;
                }
                next += 1;
            }
            (words, next)
        } else {
            bareword(q, i)
        };
        i = next;
        if words.is_empty() && col.is_none() {
            continue;
        }
        out.push(Tok::Phrase(Expr::Phrase { words, col }));
    }
    Some(out)
}

/// The first token of the bareword at `q[at..]` and where lexing goes on.
fn bareword(q: &[u8], at: usize) -> (Vec<Word>, usize) {
    let mut end = at;
    while q.get(end).is_some_and(|&c| !is_delim(c)) {
        end += 1;
    }
    let chunk = q.get(at..end).unwrap_or_default();
    match tokenize(chunk).into_iter().next() {
        None => (Vec::new(), end),
        Some(t) => {
            let mut next = at + t.end;
            let prefix = q.get(next) == Some(&b'*');
            if prefix {
                next += 1;
            }
            (
                vec![Word {
                    text: t.text,
                    prefix,
                }],
                next,
            )
        }
    }
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.not()?;
        loop {
            match self.peek() {
                Some(Tok::And) => self.at += 1,
                Some(Tok::Open) | Some(Tok::Phrase(_)) => {}
                _ => return Ok(l),
            }
            let r = self.not()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
    }

    fn not(&mut self) -> Result<Expr, String> {
        let mut l = self.primary()?;
        while self.peek() == Some(&Tok::Not) {
            self.at += 1;
            let r = self.primary()?;
            l = Expr::Not(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        match t {
            Some(Tok::Phrase(e)) => {
                if self.peek() == Some(&Tok::Near) {
                    return Err("fts4 NEAR queries are not supported by loom yet".into());
                }
                Ok(e)
            }
            Some(Tok::Open) => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(String::new());
                }
                self.at += 1;
                Ok(e)
            }
            Some(Tok::Near) => Err("fts4 NEAR queries are not supported by loom yet".into()),
            _ => Err(String::new()),
        }
    }
}

/// Parses query `q` against columns `cols` (invariant 1). `Ok(None)` is
/// the empty query (matches nothing).
pub fn parse(q: &str, cols: &[String]) -> Result<Option<Expr>, String> {
    let malformed = || format!("malformed MATCH expression: [{q}]");
    let toks = lex(q.as_bytes(), cols).ok_or_else(malformed)?;
    if toks.is_empty() {
        return Ok(None);
    }
    let mut p = Parser { toks, at: 0 };
    let e = match p.or() {
        Ok(e) => e,
        Err(m) if m.is_empty() => return Err(malformed()),
        Err(m) => return Err(m),
    };
    if p.at != p.toks.len() {
        return Err(malformed());
    }
    Ok(Some(e))
}

/// Where evaluation gets a word's merged doclist (deleted entries gone).
pub trait TermSource {
    fn doclist(&mut self, word: &Word) -> Result<DocMap, String>;
}

/// The docids matching `e` (invariant 2).
pub fn eval(e: &Expr, src: &mut dyn TermSource) -> Result<BTreeSet<i64>, String> {
    Ok(match e {
        Expr::Phrase { words, col } => phrase(words, *col, src)?,
        Expr::And(l, r) => {
            let a = eval(l, src)?;
            let b = eval(r, src)?;
            a.intersection(&b).copied().collect()
        }
        Expr::Or(l, r) => {
            let mut a = eval(l, src)?;
            a.extend(eval(r, src)?);
            a
        }
        Expr::Not(l, r) => {
            let a = eval(l, src)?;
            let b = eval(r, src)?;
            a.difference(&b).copied().collect()
        }
    })
}

fn phrase(
    words: &[Word],
    col: Option<u32>,
    src: &mut dyn TermSource,
) -> Result<BTreeSet<i64>, String> {
    let mut lists = Vec::new();
    for w in words {
        let mut d = src.doclist(w)?;
        if let Some(c) = col {
            for pl in d.values_mut() {
                pl.retain(|p| p.0 == c);
            }
            d.retain(|_, pl| !pl.is_empty());
        }
        lists.push(d);
    }
    let Some((first, rest)) = lists.split_first() else {
        return Ok(BTreeSet::new());
    };
    let mut out = BTreeSet::new();
    for (docid, pl) in first {
        let others: Option<Vec<HashSet<(u32, u32)>>> = rest
            .iter()
            .map(|d| d.get(docid).map(|p| p.iter().copied().collect()))
            .collect();
        let Some(others) = others else { continue };
        let hit = pl.iter().any(|&(c, p)| {
            others
                .iter()
                .enumerate()
                .all(|(k, set)| set.contains(&(c, p.wrapping_add(k as u32 + 1))))
        });
        if hit {
            out.insert(*docid);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(q: &str) -> String {
        match parse(q, &["a".into(), "b".into()]) {
            Ok(Some(e)) => fmt(&e),
            Ok(None) => "none".into(),
            Err(m) => m,
        }
    }

    fn fmt(e: &Expr) -> String {
        match e {
            Expr::Phrase { words, col } => {
                let w: Vec<String> = words
                    .iter()
                    .map(|w| {
                        format!(
                            "{}{}",
                            String::from_utf8_lossy(&w.text),
                            if w.prefix { "*" } else { "" }
                        )
                    })
                    .collect();
                format!(
                    "{}{}",
                    col.map_or(String::new(), |c| format!("{c}:")),
                    w.join("_")
                )
            }
            Expr::And(l, r) => format!("({} AND {})", fmt(l), fmt(r)),
            Expr::Or(l, r) => format!("({} OR {})", fmt(l), fmt(r)),
            Expr::Not(l, r) => format!("({} NOT {})", fmt(l), fmt(r)),
        }
    }

    #[test]
    fn parses_precedence_and_forms() {
        assert_eq!(show("x y OR z"), "((x AND y) OR z)");
        assert_eq!(show("x OR y z"), "(x OR (y AND z))");
        assert_eq!(show("x NOT y z"), "((x NOT y) AND z)");
        assert_eq!(show("b:Foo* \"a B\"*"), "(1:foo* AND a_b*)");
        assert_eq!(show("(x OR y) AND z"), "((x OR y) AND z)");
        assert_eq!(show("hello-world"), "(hello AND world)");
        assert_eq!(show(""), "none");
        assert_eq!(show("x OR"), "malformed MATCH expression: [x OR]");
        assert_eq!(show("(x"), "malformed MATCH expression: [(x]");
        assert_eq!(show("\"x"), "malformed MATCH expression: [\"x]");
    }
}
