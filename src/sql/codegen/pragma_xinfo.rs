//! PRAGMA index_xinfo: every field of an index entry, key and auxiliary.
//!
//! SQLite counterpart: the `index_xinfo` branch of `sqlite3Pragma`
//! (pragma.c), pragma.html "index_xinfo".
//!
//! Invariants:
//! 1. One row per field of an entry: the index's key columns (`key` = 1),
//!    then the auxiliary fields (`key` = 0): the rowid (cid -1) for a
//!    rowid table; for a WITHOUT ROWID table, the PRIMARY KEY columns the
//!    index lacks (secondary index) or every non-key column (the PRIMARY
//!    KEY itself, with collation BINARY).
//! 2. An expression column has cid -2 and a NULL name.
//! 3. An unknown index gives no rows.

use super::Gen;
use crate::record::Value;
use crate::sql::schema::{IndexColumn, Table};
use crate::sql::schema_wr;

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// One index_xinfo row.
fn row(seq: usize, t: &Table, c: &IndexColumn, key: bool) -> Vec<Value> {
    let (cid, name) = match c.column {
        Some(ci) => (
            ci as i64,
            t.columns.get(ci).map_or(Value::Null, |col| text(&col.name)),
        ),
        None => (-2, Value::Null),
    };
    vec![
        Value::Integer(seq as i64),
        Value::Integer(cid),
        name,
        Value::Integer(i64::from(c.desc)),
        text(&c.collation),
        Value::Integer(i64::from(key)),
    ]
}

impl Gen<'_> {
    /// PRAGMA index_xinfo(name).
    pub(super) fn pragma_index_xinfo(&mut self, value: Option<&str>) -> Result<(), String> {
        let names = ["seqno", "cid", "name", "desc", "coll", "key"];
        let Some((t, ix)) = value.and_then(|v| self.main_schema().index(v)) else {
            return self.rows(&names, Vec::new());
        };
        let mut rows: Vec<Vec<Value>> = (ix.columns.iter().enumerate())
            .map(|(i, c)| row(i, &t, c, true))
            .collect();
        let aux: Vec<IndexColumn> = if !t.without_rowid {
            Vec::new()
        } else if ix.is_primary_key {
            let pk = schema_wr::pk_columns(&t);
            (0..t.columns.len())
                .filter(|c| !pk.contains(c))
                .map(|c| IndexColumn {
                    column: Some(c),
                    expr: None,
                    collation: "BINARY".to_string(),
                    desc: false,
                })
                .collect()
        } else {
            schema_wr::index_suffix(&t, &ix)
        };
        for c in &aux {
            rows.push(row(rows.len(), &t, c, false));
        }
        if !t.without_rowid {
            rows.push(vec![
                Value::Integer(rows.len() as i64),
                Value::Integer(-1),
                Value::Null,
                Value::Integer(0),
                text("BINARY"),
                Value::Integer(0),
            ]);
        }
        self.rows(&names, rows)
    }
}
