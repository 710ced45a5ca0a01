//! `Database::serialize` / `Database::deserialize`: a database as one
//! byte image.
//!
//! SQLite counterpart: memdb.c (`sqlite3_serialize`, `sqlite3_deserialize`);
//! c3ref/serialize.html, c3ref/deserialize.html.
//!
//! Invariants:
//! 1. `serialize` returns exactly the bytes the database file would hold
//!    (page count × page size), read through the pager, so it also works
//!    for file databases and sees the connection's own uncommitted pages.
//! 2. `deserialize` replaces the database with a private in-memory copy of
//!    the image; the connection's schema is reloaded before the next
//!    prepare. It fails (SQLITE_BUSY) while the database is in a
//!    transaction or a statement runs.

use super::database::Database;
use super::error::DbError;

impl Database {
    /// The image of database `schema` ("main", attached names); `None`
    /// for an unknown name.
    pub fn serialize(&self, schema: &str) -> Result<Option<Vec<u8>>, DbError> {
        self.with(|c| {
            // ("temp" is never opened in loom: like SQLite's unopened
            // temp database, it has no image.)
            let Some(i) = c.db_index(schema) else {
                return Ok(None);
            };
            c.serialize_db(Some(i)).map(Some).map_err(DbError::from)
        })?
    }

    /// Replaces database `schema` with the image `data`. `max_bytes`
    /// (0: unlimited) bounds its growth; `readonly` refuses writes.
    pub fn deserialize(
        &self,
        schema: &str,
        data: &[u8],
        max_bytes: u64,
        readonly: bool,
    ) -> Result<(), DbError> {
        self.with(|c| {
            let Some(i) = c.db_index(schema) else {
                return Err(DbError::CompileError(format!("unknown database {schema}")));
            };
            let max_pages = page_limit(data, max_bytes);
            c.deserialize_db(i, data, max_pages, readonly)
                .map_err(DbError::from)
        })?
    }
}

/// Pages that fit in `max_bytes`, by the image's page size (0: no limit).
fn page_limit(data: &[u8], max_bytes: u64) -> u32 {
    if max_bytes == 0 {
        return 0;
    }
    let raw = data
        .get(16..18)
        .map_or(4096, |b| u32::from(u16::from_be_bytes([b[0], b[1]])));
    let ps = match raw {
        1 => 65536,
        n if n >= 512 && n.is_power_of_two() => n,
        _ => 4096,
    };
    u32::try_from(max_bytes / u64::from(ps))
        .unwrap_or(u32::MAX)
        .max(1)
}
