//! Tests of the schema reload that shares unchanged tables
//! (`Schema::from_rows_reusing`, schema.rs invariant 6).
//!
//! SQLite counterpart: none (test code).
//!
//! Invariants:
//! 1. Whatever the previous schema was, a reload describes exactly what a
//!    fresh load of the same rows describes (compared via `Debug`).
//! 2. Tables whose rows did not change are the previous `Arc`s.

use std::sync::Arc;

use crate::sql::{Schema, SchemaRow};

fn row(kind: &str, name: &str, tbl: &str, root: u32, sql: Option<&str>) -> SchemaRow {
    SchemaRow {
        kind: kind.to_string(),
        name: name.to_string(),
        tbl_name: tbl.to_string(),
        rootpage: root,
        sql: sql.map(str::to_string),
    }
}

fn base_rows() -> Vec<SchemaRow> {
    vec![
        row(
            "table",
            "t1",
            "t1",
            2,
            Some("CREATE TABLE t1(a TEXT PRIMARY KEY, b INT)"),
        ),
        row("index", "sqlite_autoindex_t1_1", "t1", 3, None),
        row(
            "table",
            "T2",
            "T2",
            4,
            Some("CREATE TABLE T2(x INTEGER PRIMARY KEY, y)"),
        ),
        row("index", "i2", "T2", 5, Some("CREATE INDEX i2 ON T2(y)")),
        row("table", "t3", "t3", 6, Some("CREATE TABLE t3(z)")),
    ]
}

fn fresh(rows: &[SchemaRow]) -> Schema {
    match Schema::from_rows(7, rows.to_vec()) {
        Ok(s) => s,
        Err(e) => panic!("fresh load: {e}"),
    }
}

fn reload(rows: &[SchemaRow], prev: &Schema) -> Schema {
    match Schema::from_rows_reusing(7, rows.to_vec(), Some(prev)) {
        Ok(s) => s,
        Err(e) => panic!("reload: {e}"),
    }
}

/// Invariant 1 for `rows` after `prev`; returns the reloaded schema.
fn check_same(rows: &[SchemaRow], prev: &Schema) -> Schema {
    let want = fresh(rows);
    let got = reload(rows, prev);
    assert_eq!(
        format!("{:?}", got.tables()),
        format!("{:?}", want.tables())
    );
    for r in rows.iter().filter(|r| r.kind == "index") {
        let a = got.index(&r.name).map(|(t, i)| (t.name.clone(), i.root));
        let b = want.index(&r.name).map(|(t, i)| (t.name.clone(), i.root));
        assert_eq!(a, b, "{}", r.name);
        assert!(a.is_some(), "{}", r.name);
    }
    got
}

fn same_arc(a: &Schema, b: &Schema, name: &str) -> bool {
    match (a.table(name), b.table(name)) {
        (Some(x), Some(y)) => Arc::ptr_eq(&x, &y),
        _ => false,
    }
}

#[test]
fn unchanged_rows_share_every_table() {
    let rows = base_rows();
    let prev = fresh(&rows);
    let got = check_same(&rows, &prev);
    for n in ["t1", "t2", "t3"] {
        assert!(same_arc(&prev, &got, n), "{n}");
    }
}

#[test]
fn a_new_table_or_index_rebuilds_only_its_table() {
    let prev = fresh(&base_rows());
    let mut rows = base_rows();
    rows.push(row("table", "t4", "t4", 7, Some("CREATE TABLE t4(q, r)")));
    rows.push(row(
        "index",
        "i3",
        "t3",
        8,
        Some("CREATE INDEX i3 ON t3(z)"),
    ));
    let got = check_same(&rows, &prev);
    assert!(same_arc(&prev, &got, "t1") && same_arc(&prev, &got, "t2"));
    assert!(!same_arc(&prev, &got, "t3"));
    assert_eq!(got.index("i3").map(|(_, i)| i.root), Some(8));
    assert_eq!(got.table("t4").map(|t| t.columns.len()), Some(2));
}

#[test]
fn changed_roots_texts_and_drops_are_seen() {
    let prev = fresh(&base_rows());
    // An automatic index moved (VACUUM may renumber pages).
    let mut rows = base_rows();
    rows[1].rootpage = 9;
    let got = check_same(&rows, &prev);
    assert_eq!(
        got.index("sqlite_autoindex_t1_1").map(|(_, i)| i.root),
        Some(9)
    );
    // An explicit index moved, then was dropped.
    let mut rows = base_rows();
    rows[3].rootpage = 10;
    check_same(&rows, &prev);
    let mut rows = base_rows();
    rows.remove(3);
    let got = check_same(&rows, &prev);
    assert!(got.index("i2").is_none());
    assert_eq!(got.table("T2").map(|t| t.indexes.len()), Some(0));
    // The index was re-created with other columns.
    let mut rows = base_rows();
    rows[3].sql = Some("CREATE INDEX i2 ON T2(x, y)".into());
    let got = check_same(&rows, &prev);
    assert_eq!(got.index("i2").map(|(_, i)| i.columns.len()), Some(2));
    // ALTER TABLE ADD COLUMN rewrote the text; a table moved.
    let mut rows = base_rows();
    rows[4].sql = Some("CREATE TABLE t3(z, w DEFAULT 1)".into());
    rows[0].rootpage = 11;
    let got = check_same(&rows, &prev);
    assert_eq!(got.table("t3").map(|t| t.columns.len()), Some(2));
    assert_eq!(got.table("t1").map(|t| t.root), Some(11));
    // A table was dropped (with its index).
    let rows: Vec<SchemaRow> = base_rows().into_iter().skip(2).collect();
    let got = check_same(&rows, &prev);
    assert!(got.table("t1").is_none() && got.index("sqlite_autoindex_t1_1").is_none());
}

#[test]
fn a_name_reused_for_another_table_is_parsed_again() {
    let prev = fresh(&base_rows());
    let mut rows = base_rows();
    rows[2].sql = Some("CREATE TABLE T2(x TEXT PRIMARY KEY, y)".into());
    rows.insert(3, row("index", "sqlite_autoindex_T2_1", "T2", 12, None));
    let got = check_same(&rows, &prev);
    assert_eq!(got.table("t2").and_then(|t| t.ipk), None);
    assert_eq!(got.table("t2").map(|t| t.indexes.len()), Some(2));
}
