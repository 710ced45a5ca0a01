//! Parser for sqllogictest scripts (`*.test`).
//!
//! SQLite counterpart: the script reader of sqllogictest's C driver
//! (described in tests/sqllogictest/corpus/README.md).
//!
//! Invariants:
//! 1. A trailing `\r` is stripped from every line, then lines starting with
//!    `#` are dropped before records are split, so a comment never
//!    separates two records.
//! 2. Records are separated by blank lines; `skipif`/`onlyif` lines prefix
//!    the record they belong to and are evaluated for the engine "sqlite".
//! 3. Every record carries the 1-based line number of its command line
//!    (`statement …`, `query …`, `hash-threshold …`, `halt`), which is the
//!    key of the expected-failure list.

/// How a query's result is ordered before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum SortMode {
    NoSort,
    RowSort,
    ValueSort,
}

/// What a record asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `statement ok` (`expect_ok`) or `statement error`.
    Statement { sql: String, expect_ok: bool },
    /// `query <types> <sort> [label]`, SQL, then the expected lines.
    Query {
        sql: String,
        types: String,
        sort: SortMode,
        label: Option<String>,
        expected: Vec<String>,
    },
    /// `hash-threshold N`.
    HashThreshold(usize),
    /// `halt`: stop reading the script.
    Halt,
}

/// One record of a script.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line number of the command line.
    pub line: usize,
    /// False when a `skipif sqlite` / `onlyif <other>` condition excludes it.
    pub runs: bool,
    pub command: Command,
}

/// The engine name the conditions are evaluated against.
const ENGINE: &str = "sqlite";

/// Splits `text` into records. Unknown record kinds are an error naming the line.
pub fn parse_script(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if !block.is_empty() {
                records.push(parse_record(&block)?);
                block.clear();
            }
            continue;
        }
        block.push((i + 1, line));
    }
    if !block.is_empty() {
        records.push(parse_record(&block)?);
    }
    Ok(records)
}

/// Parses one blank-line-delimited block (comments already removed).
fn parse_record(block: &[(usize, &str)]) -> Result<Record, String> {
    let mut runs = true;
    let mut rest = block;
    while let Some(&(lno, line)) = rest.first() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("skipif") => {
                if words.next().is_some_and(|w| w.eq_ignore_ascii_case(ENGINE)) {
                    runs = false;
                }
            }
            Some("onlyif") => {
                if !words.next().is_some_and(|w| w.eq_ignore_ascii_case(ENGINE)) {
                    runs = false;
                }
            }
            _ => {
                let command = parse_command(lno, line, &rest[1..])?;
                return Ok(Record {
                    line: lno,
                    runs,
                    command,
                });
            }
        }
        rest = &rest[1..];
    }
    let lno = block.first().map_or(0, |b| b.0);
    Err(format!("line {lno}: condition without a record"))
}

/// Parses the command line `line` and its body lines.
fn parse_command(lno: usize, line: &str, body: &[(usize, &str)]) -> Result<Command, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.first().copied() {
        Some("statement") => {
            let expect_ok = match words.get(1).copied() {
                Some("ok") => true,
                Some("error") => false,
                other => return Err(format!("line {lno}: bad statement mode {other:?}")),
            };
            Ok(Command::Statement {
                sql: join_lines(body),
                expect_ok,
            })
        }
        Some("query") => parse_query(lno, &words, body),
        Some("hash-threshold") => words
            .get(1)
            .and_then(|w| w.parse().ok())
            .map(Command::HashThreshold)
            .ok_or_else(|| format!("line {lno}: bad hash-threshold")),
        Some("halt") => Ok(Command::Halt),
        _ => Err(format!("line {lno}: unknown record {line:?}")),
    }
}

fn parse_query(lno: usize, words: &[&str], body: &[(usize, &str)]) -> Result<Command, String> {
    let types = words
        .get(1)
        .ok_or_else(|| format!("line {lno}: query without types"))?
        .to_string();
    let sort = match words.get(2).copied() {
        None | Some("nosort") => SortMode::NoSort,
        Some("rowsort") => SortMode::RowSort,
        Some("valuesort") => SortMode::ValueSort,
        Some(other) => return Err(format!("line {lno}: bad sort mode {other:?}")),
    };
    let label = words.get(3).map(|s| s.to_string());
    let split = body.iter().position(|(_, l)| *l == "----");
    let (sql_lines, expected) = match split {
        Some(p) => (
            &body[..p],
            body[p + 1..].iter().map(|(_, l)| l.to_string()).collect(),
        ),
        None => (body, Vec::new()),
    };
    Ok(Command::Query {
        sql: join_lines(sql_lines),
        types,
        sort,
        label,
        expected,
    })
}

fn join_lines(lines: &[(usize, &str)]) -> String {
    let parts: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_conditions_and_comments() {
        let text = "hash-threshold 8\r\n\r\nstatement ok\r\nCREATE TABLE t(a)\r\n# c\r\n\r\n\
                    skipif sqlite\nquery I rowsort lbl\nSELECT a\nFROM t\n----\n1\n2\n\n\
                    onlyif SQLite\nstatement error\nBAD\n\nonlyif mssql\nhalt\n";
        let r = parse_script(text).unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].command, Command::HashThreshold(8));
        assert_eq!(r[1].line, 3);
        assert!(
            matches!(&r[1].command, Command::Statement { sql, expect_ok: true } if sql == "CREATE TABLE t(a)")
        );
        assert!(!r[2].runs);
        match &r[2].command {
            Command::Query {
                sql,
                types,
                sort,
                label,
                expected,
            } => {
                assert_eq!(sql, "SELECT a\nFROM t");
                assert_eq!(types, "I");
                assert_eq!(*sort, SortMode::RowSort);
                assert_eq!(label.as_deref(), Some("lbl"));
                assert_eq!(expected, &["1", "2"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(r[3].runs);
        assert!(!r[4].runs);
        assert_eq!(r[4].command, Command::Halt);
    }
}
