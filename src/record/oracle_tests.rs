//! Differential tests of conversions, affinity and CAST against the system
//! `sqlite3` shell (the test-time oracle).

use std::process::Command;

use super::*;

/// SQL rendering matching [`quote`].
fn q_sql(e: &str) -> String {
    format!("(CASE typeof({e}) WHEN 'real' THEN 'r' || CAST({e} AS TEXT) ELSE quote({e}) END)")
}

/// Runs `sql` in the shell; returns the output rows (rows end with "#\n").
fn shell_rows(sql: &str) -> Vec<String> {
    let out = Command::new("sqlite3")
        .args(["-newline", "#\n", ":memory:", sql])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_terminator("#\n")
        .map(|s| s.to_string())
        .collect()
}

/// Renders a value as the SQL expression `Q(v)` below does: `quote()`,
/// except that REALs are shown as `r` + their text conversion.
fn quote(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => format!("r{}", real_to_text(*r)),
        Value::Text(t) => format!("'{}'", String::from_utf8_lossy(t).replace('\'', "''")),
        Value::Blob(b) => format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
    }
}

fn typeof_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Text(_) => "text",
        Value::Blob(_) => "blob",
    }
}

const INPUTS: &[&str] = &[
    "12",
    " 12 ",
    "\t7\n",
    "1e3",
    "1E+3",
    "1e-3",
    "0x10",
    "-0x1",
    "1.5x",
    "12abc",
    "abc",
    "",
    "-",
    "+",
    ".",
    ".5",
    "5.",
    "-.5e1",
    "1e",
    "1e+",
    "1.5e",
    "e3",
    "00012",
    "-0",
    "-0.0",
    "+0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "123456789012345678901234567890",
    "9223372036854775807.0",
    "1e19",
    "1e400",
    "-1e400",
    "1e-400",
    "3.0e+5",
    "2.5",
    "1 2",
    "0.1",
    "100000000000000000000.5",
    "4503599627370496.5",
    "2251799813685248",
    "2251799813685249.0",
    " +3.25 ",
    "١٢",
    "1_000",
    "0e0",
    "-0e5",
    "1.0000000000000002",
];

#[test]
fn cast_and_affinity_match_sqlite() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        return;
    }
    let mut sql = String::from("CREATE TABLE t(n NUMERIC, i INTEGER, r REAL, x TEXT, b BLOB);");
    for s in INPUTS {
        let q = quote(&Value::Text(s.as_bytes().to_vec()));
        sql.push_str(&format!("INSERT INTO t VALUES({q},{q},{q},{q},{q});"));
        let cols = [
            format!("CAST({q} AS NUMERIC)"),
            format!("CAST({q} AS INTEGER)"),
            format!("CAST({q} AS REAL)"),
            format!("{q}+0"),
        ]
        .map(|e| q_sql(&e))
        .join(",");
        sql.push_str(&format!("SELECT {cols};"));
    }
    let cols = ["n", "i", "r", "x", "b"].map(q_sql).join(",");
    sql.push_str(&format!("SELECT {cols} FROM t;"));
    let lines = shell_rows(&sql);
    assert_eq!(lines.len(), 2 * INPUTS.len());
    let mut failures = Vec::new();
    for (k, s) in INPUTS.iter().enumerate() {
        let t = Value::Text(s.as_bytes().to_vec());
        let casts = format!(
            "{}|{}|{}|{}",
            quote(&cast(t.clone(), Affinity::Numeric)),
            quote(&cast(t.clone(), Affinity::Integer)),
            quote(&cast(t.clone(), Affinity::Real)),
            quote(&text_to_numeric(s.as_bytes()).0),
        );
        if casts != lines[k] {
            failures.push(format!("cast {s:?}: loom {casts} sqlite {}", lines[k]));
        }
        let stored = [
            Affinity::Numeric,
            Affinity::Integer,
            Affinity::Real,
            Affinity::Text,
            Affinity::Blob,
        ]
        .map(|a| quote(&apply_affinity(t.clone(), a)))
        .join("|");
        let theirs = &lines[INPUTS.len() + k];
        if &stored != theirs {
            failures.push(format!("store {s:?}: loom {stored} sqlite {theirs}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn stored_numbers_match_sqlite() {
    if Command::new("sqlite3").arg("-version").output().is_err() {
        return;
    }
    let vals = [
        Value::Integer(3),
        Value::Real(3.0),
        Value::Real(3.5),
        Value::Real(-0.0),
        Value::Real(1e20),
        Value::Real(9.223_372_036_854_776e18),
        Value::Integer(i64::MIN),
        Value::Blob(b"12".to_vec()),
    ];
    let mut sql = String::from("CREATE TABLE t(n NUMERIC, i INTEGER, r REAL, x TEXT, b BLOB);");
    for v in &vals {
        let q = match v {
            Value::Real(r) => format!("{r:e}"),
            other => quote(other),
        };
        sql.push_str(&format!("INSERT INTO t VALUES({q},{q},{q},{q},{q});"));
    }
    let cols = ["n", "i", "r", "x", "b"]
        .map(|c| format!("typeof({c})||{}", q_sql(c)))
        .join(",");
    sql.push_str(&format!("SELECT {cols} FROM t;"));
    let lines = shell_rows(&sql);
    assert_eq!(lines.len(), vals.len());
    let mut failures = Vec::new();
    for (v, line) in vals.iter().zip(lines.iter()) {
        let ours = [
            Affinity::Numeric,
            Affinity::Integer,
            Affinity::Real,
            Affinity::Text,
            Affinity::Blob,
        ]
        .map(|a| {
            let s = apply_affinity(v.clone(), a);
            format!("{}{}", typeof_name(&s), quote(&s))
        })
        .join("|");
        if &ours != line {
            failures.push(format!("{v:?}: loom {ours} sqlite {line}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
