//! `Database::table_column_metadata`: what the schema says about one
//! column of one table.
//!
//! SQLite counterpart: `sqlite3_table_column_metadata` (main.c);
//! c3ref/table_column_metadata.html.
//!
//! Invariants:
//! 1. Views are not tables: asking about one is "no such table column".
//! 2. With no column name, only the table's existence is checked; a rowid
//!    alias name (`rowid`, `oid`, `_rowid_`) of a table without an INTEGER
//!    PRIMARY KEY describes the implicit rowid ("INTEGER", primary key).

use super::database::Database;
use super::error::DbError;

/// Facts about one column (`sqlite3_table_column_metadata`'s outputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMetadata {
    /// Declared type ("" if none).
    pub decltype: Option<String>,
    /// Collation name.
    pub collation: String,
    pub not_null: bool,
    pub primary_key: bool,
    pub autoincrement: bool,
}

fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// `sqlite_schema` / `sqlite_master`.
fn is_schema_table(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_schema") || name.eq_ignore_ascii_case("sqlite_master")
}

/// `sqlite_temp_schema` / `sqlite_temp_master`.
fn is_temp_schema_table(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_temp_schema")
        || name.eq_ignore_ascii_case("sqlite_temp_master")
}

/// A declared type as SQLite reports it: the standard names upper-cased.
fn standard_type(t: &str) -> String {
    const STD: [&str; 6] = ["ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT"];
    match STD.iter().find(|s| s.eq_ignore_ascii_case(t)) {
        Some(s) => s.to_string(),
        None => t.to_string(),
    }
}

impl Database {
    /// Metadata of `table.column` in database `schema` (`None`: search
    /// all); `column = None` checks the table only.
    pub fn table_column_metadata(
        &self,
        schema: Option<&str>,
        table: &str,
        column: Option<&str>,
    ) -> Result<ColumnMetadata, DbError> {
        let missing = || {
            DbError::CompileError(format!(
                "no such table column: {table}.{}",
                column.unwrap_or("(null)")
            ))
        };
        self.with(|c| {
            c.ensure_schema().map_err(DbError::from)?;
            let temp_schema_name = is_schema_table(table) || is_temp_schema_table(table);
            let i = match schema {
                // loom's "temp" database is always empty: only its schema
                // table exists, and reads like sqlite_schema.
                Some(s) if s.eq_ignore_ascii_case("temp") && temp_schema_name => 0,
                None if is_temp_schema_table(table) => 0,
                Some(s) if s.eq_ignore_ascii_case("temp") => return Err(missing()),
                None => 0,
                Some(s) => c.db_index(s).ok_or_else(missing)?,
            };
            let lookup = if is_temp_schema_table(table) {
                if schema.is_some_and(|s| !s.eq_ignore_ascii_case("temp")) {
                    return Err(missing());
                }
                "sqlite_schema"
            } else {
                table
            };
            let t = c.schemas.get(i).and_then(|s| s.table(lookup));
            let t = t.ok_or_else(missing)?;
            let binary = || "BINARY".to_string();
            let Some(col) = column else {
                // As SQLite: a table-only query reports the implicit rowid.
                return Ok(ColumnMetadata {
                    decltype: Some("INTEGER".into()),
                    collation: binary(),
                    not_null: false,
                    primary_key: true,
                    autoincrement: false,
                });
            };
            let idx = match t.column_index(col) {
                Some(i) => Some(i),
                None if !t.without_rowid && is_rowid_name(col) => t.ipk,
                None => return Err(missing()),
            };
            Ok(match idx.and_then(|i| t.columns.get(i).map(|c| (i, c))) {
                Some((i, c)) => ColumnMetadata {
                    decltype: c.decltype.as_deref().map(standard_type),
                    collation: c.collation.clone(),
                    not_null: c.notnull,
                    primary_key: c.primary_key || t.ipk == Some(i),
                    autoincrement: t.autoincrement && t.ipk == Some(i),
                },
                None => ColumnMetadata {
                    decltype: Some("INTEGER".into()),
                    collation: binary(),
                    not_null: false,
                    primary_key: true,
                    autoincrement: false,
                },
            })
        })?
    }
}
