//! The schema of WITHOUT ROWID tables: which b-tree holds the rows, in what
//! column order, and what their secondary indexes store after the key.
//!
//! SQLite counterpart: `convertToWithoutRowidTable`, `sqlite3PrimaryKeyIndex`
//! and `isDupColumn` in build.c; fileformat2.html "Representation Of SQL
//! Tables" and withoutrowid.html.
//!
//! Invariants:
//! 1. A WITHOUT ROWID table has a PRIMARY KEY; its automatic index
//!    `sqlite_autoindex_<t>_<n>` has no row in `sqlite_schema`: its root page
//!    is the table's own root, an index b-tree.
//! 2. Every PRIMARY KEY column is NOT NULL; a column named twice in the key
//!    counts once.
//! 3. A table record holds the key columns first (in key order), then the
//!    other columns in table order:
//!
//!    | record fields | content |
//!    |---|---|
//!    | 0 .. n_pk | PRIMARY KEY columns, key order |
//!    | n_pk .. n | remaining columns, table order (no VIRTUAL ones) |
//!
//! 4. A secondary index entry holds the index's own key columns, then each
//!    PRIMARY KEY column the index does not already hold with the same
//!    collation (key order, the key's collation and sort order), instead
//!    of a rowid.

use super::schema::{Index, IndexColumn, Table};

/// Completes a WITHOUT ROWID table after its keys became indexes
/// (invariants 1 and 2).
pub(crate) fn finish_without_rowid(t: &mut Table) -> Result<(), String> {
    let root = t.root;
    let Some(pk) = t.indexes.iter_mut().find(|i| i.is_primary_key) else {
        return Err(format!("PRIMARY KEY missing on table {}", t.name));
    };
    pk.root = root;
    let mut seen: Vec<usize> = Vec::new();
    pk.columns.retain(|c| match c.column {
        Some(ci) if seen.contains(&ci) => false,
        Some(ci) => {
            seen.push(ci);
            true
        }
        None => true,
    });
    for ci in seen {
        if let Some(col) = t.columns.get_mut(ci) {
            col.notnull = true;
        }
    }
    Ok(())
}

/// SQLite's message for AUTOINCREMENT on a key that cannot have it: an
/// INTEGER PRIMARY KEY of a WITHOUT ROWID table, or any other key.
pub(crate) fn autoinc_error(t: &Table, key: &[(usize, Option<String>, bool)]) -> String {
    let integer = match key {
        [(ci, _, _)] => t
            .columns
            .get(*ci)
            .and_then(|c| c.decltype.as_deref())
            .is_some_and(|d| d.eq_ignore_ascii_case("integer")),
        _ => false,
    };
    if t.without_rowid && integer {
        "AUTOINCREMENT not allowed on WITHOUT ROWID tables".to_string()
    } else {
        "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY".to_string()
    }
}

/// The PRIMARY KEY index of a WITHOUT ROWID table.
pub fn pk_index(t: &Table) -> Option<&Index> {
    if !t.without_rowid {
        return None;
    }
    t.indexes.iter().find(|i| i.is_primary_key)
}

/// True when `idx` is the PRIMARY KEY of a WITHOUT ROWID table (the table
/// b-tree itself, written with the row).
pub fn is_table_key(t: &Table, idx: &Index) -> bool {
    t.without_rowid && idx.is_primary_key
}

/// The PRIMARY KEY columns, in key order.
pub fn pk_columns(t: &Table) -> Vec<usize> {
    pk_index(t)
        .map(|pk| pk.columns.iter().filter_map(|c| c.column).collect())
        .unwrap_or_default()
}

/// Table columns in record order (invariant 3); VIRTUAL generated
/// columns have no field.
pub fn storage_order(t: &Table) -> Vec<usize> {
    let mut order = pk_columns(t);
    for (c, col) in t.columns.iter().enumerate() {
        if !order.contains(&c) && !col.is_virtual() {
            order.push(c);
        }
    }
    order
}

/// Table column number → record field (inverse of [`storage_order`]).
/// A VIRTUAL column maps past the record's last field (it is computed,
/// never read; a stray read sees NULL rather than another column).
pub fn storage_fields(t: &Table) -> Vec<usize> {
    let order = storage_order(t);
    (0..t.columns.len())
        .map(|c| {
            order
                .iter()
                .position(|&o| o == c)
                .unwrap_or(t.columns.len() + c)
        })
        .collect()
}

/// The columns stored after `idx`'s key columns in place of the rowid
/// (invariant 4); empty for rowid tables and for the key itself.
pub fn index_suffix(t: &Table, idx: &Index) -> Vec<IndexColumn> {
    let Some(pk) = pk_index(t) else {
        return Vec::new();
    };
    if idx.is_primary_key {
        return Vec::new();
    }
    pk.columns
        .iter()
        .filter(|k| {
            !idx.columns.iter().any(|c| {
                c.column.is_some()
                    && c.column == k.column
                    && c.collation.eq_ignore_ascii_case(&k.collation)
            })
        })
        .cloned()
        .collect()
}

/// Record fields of `idx` entries that hold the PRIMARY KEY columns, in
/// key order.
pub fn index_pk_fields(t: &Table, idx: &Index) -> Vec<usize> {
    let n = idx.columns.len();
    let suffix = index_suffix(t, idx);
    let mut out = Vec::new();
    for k in pk_index(t).map(|p| p.columns.as_slice()).unwrap_or(&[]) {
        let own = idx.columns.iter().position(|c| {
            c.column.is_some()
                && c.column == k.column
                && c.collation.eq_ignore_ascii_case(&k.collation)
        });
        let at = match own {
            Some(p) => p,
            None => {
                let s = suffix.iter().position(|c| c.column == k.column);
                n + s.unwrap_or(0)
            }
        };
        out.push(at);
    }
    out
}
