//! Parses a vendored sample of SQLite's sqllogictest corpus.
//!
//! SQLite counterpart: none (test data: `data/sql_corpus.txt`).
//!
//! Invariants:
//! 1. Every line of the sample is accepted by SQLite 3.40.1, so every line
//!    must parse here too.

use crate::sql::parser::parse_all;

const CORPUS: &str = include_str!("data/sql_corpus.txt");

#[test]
fn sqllogictest_sample_parses() {
    let mut passed = 0;
    let mut failed = Vec::new();
    for line in CORPUS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let sql = line.replace("\\n", "\n");
        match parse_all(&sql) {
            Ok(stmts) if stmts.len() == 1 => passed += 1,
            Ok(stmts) => failed.push(format!("{sql:?}: {} statements", stmts.len())),
            Err(e) => failed.push(format!("{sql:?}: {e}")),
        }
    }
    println!("{passed} passed, {} failed", failed.len());
    assert!(passed > 500);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
