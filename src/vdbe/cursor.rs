//! VM cursors: one interface over b-tree, ephemeral, pseudo and sorter
//! cursors, with a per-cursor cache of the current row.
//!
//! SQLite counterpart: `VdbeCursor` (vdbeInt.h) and the row cache of
//! OP_Column (`cacheStatus`, `aType`, `aOffset`) in vdbe.c.
//!
//! Every call into the b-tree layer made for a cursor lives in this file,
//! so the VM's dependency on the b-tree API is in one place.
//!
//! Invariants:
//! 1. The row cache (payload copy + parsed header) is valid only while the
//!    cursor stays on the row it was filled from: every method that moves
//!    or modifies the cursor calls `invalidate`.
//! 2. `null_row` (set by OP_NullRow) makes every column and the rowid read
//!    as NULL until the cursor is moved again.
//! 3. Pseudo cursors hold no data; they read the record in their register.

use std::cmp::Ordering;
use std::sync::Arc;

use super::ephemeral::{EphemeralTable, SeekMode};
use super::error::{internal, VdbeError};
use super::insn::Reg;
use super::sorter::Sorter;
use crate::btree::{BtCursor, Btree, SeekBias, SeekResult, TreeKind};
use crate::pager::{Pager, Pgno};
use crate::record::{KeyInfo, RecordHeader, ValueRef};

/// What a cursor reads.
#[derive(Debug)]
pub enum CursorKind {
    /// A table or index b-tree of database `db`.
    Btree {
        db: usize,
        root: Pgno,
        cur: BtCursor,
        writable: bool,
    },
    /// An in-memory temporary table or index.
    Ephemeral(EphemeralTable),
    /// Reads the record held in a register.
    Pseudo { reg: Reg },
    /// A sorter (ORDER BY / GROUP BY).
    Sorter(Sorter),
}

/// The current row's payload and parsed header.
#[derive(Debug, Default)]
struct RowCache {
    valid: bool,
    /// The row is the index cursor's own key copy (`BtCursor`'s saved key),
    /// read in place; `payload` is unused then.
    in_key: bool,
    payload: Vec<u8>,
    header: RecordHeader,
    scratch: Vec<u8>,
    /// Header bytes and length of the pseudo-cursor record `header` was
    /// parsed from (meaningful while `valid` is false).
    pseudo_header: Vec<u8>,
    pseudo_len: usize,
}

/// One open cursor of the VM (SQLite's `VdbeCursor`).
#[derive(Debug)]
pub struct VdbeCursor {
    pub kind: CursorKind,
    /// Key comparison info for index cursors (None for tables).
    pub key_info: Option<Arc<KeyInfo>>,
    /// OP_NullRow is in effect.
    pub null_row: bool,
    /// The cursor is positioned on an entry.
    pub valid: bool,
    /// Set by OP_WithoutRowid: the cursor reads a WITHOUT ROWID table or
    /// one of its indexes (see exec_wr.rs).
    pub wr: Option<Arc<super::exec_wr::WrLayout>>,
    cache: RowCache,
}

/// The bytes of the cached row: the index key held by the b-tree cursor,
/// or the cache's own copy of the payload.
#[inline]
fn row_bytes<'a>(kind: &'a CursorKind, in_key: bool, payload: &'a [u8]) -> &'a [u8] {
    match kind {
        CursorKind::Btree { cur, .. } if in_key => Btree::<Pager>::index_key(cur).unwrap_or(&[]),
        _ => payload,
    }
}

fn db_mut(dbs: &mut [Btree], db: usize) -> Result<&mut Btree, VdbeError> {
    dbs.get_mut(db)
        .ok_or_else(|| internal(format!("no database {db}")))
}

impl VdbeCursor {
    /// Opens a b-tree cursor on `root` of database `db`.
    pub fn open_btree(
        dbs: &mut [Btree],
        db: usize,
        root: Pgno,
        key_info: Option<Arc<KeyInfo>>,
        writable: bool,
    ) -> Result<VdbeCursor, VdbeError> {
        let kind = if key_info.is_some() {
            TreeKind::Index
        } else {
            TreeKind::Table
        };
        let cur = db_mut(dbs, db)?.cursor(root, kind, key_info.clone())?;
        Ok(VdbeCursor::with_kind(
            CursorKind::Btree {
                db,
                root,
                cur,
                writable,
            },
            key_info,
        ))
    }

    /// OP_OpenRead/OpenWrite on a slot that already holds this very b-tree
    /// cursor (a subquery or trigger body run again): the cursor is kept,
    /// as SQLite does, only its VM-level position is forgotten. The b-tree
    /// position stays as a hint for the next seek. False (nothing changed)
    /// when the slot holds anything else.
    pub fn reopen_same(
        &mut self,
        db: usize,
        root: Pgno,
        key_info: &Option<Arc<KeyInfo>>,
        writable: bool,
    ) -> bool {
        let CursorKind::Btree {
            db: d,
            root: r,
            writable: w,
            ..
        } = &self.kind
        else {
            return false;
        };
        let same_ki = match (&self.key_info, key_info) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if *d != db || *r != root || *w != writable || !same_ki || self.wr.is_some() {
            return false;
        }
        self.moved(false);
        true
    }

    /// Payload buffers larger than this are not kept by a parked cursor.
    const PARK_MAX_PAYLOAD: usize = 1 << 16;

    /// A b-tree cursor kept after its run ended, for the next run of the
    /// same program; `None` for other kinds (they are dropped).
    pub fn park(self) -> Option<VdbeCursor> {
        if !matches!(self.kind, CursorKind::Btree { .. }) {
            return None;
        }
        let mut c = self;
        if c.cache.payload.capacity() > Self::PARK_MAX_PAYLOAD {
            c.cache.payload = Vec::new();
        }
        if c.cache.scratch.capacity() > Self::PARK_MAX_PAYLOAD {
            c.cache.scratch = Vec::new();
        }
        c.moved(false);
        Some(c)
    }

    /// OP_OpenRead/OpenWrite in a new run finding the slot's parked cursor:
    /// when it is on the same tree (same database, root, key info and
    /// mode) it becomes exactly a newly opened cursor (b-tree cursor
    /// unpositioned, no row cache, no WITHOUT ROWID layout) keeping its
    /// buffers. `Ok(false)` (nothing changed) for any other tree.
    pub fn reopen_parked(
        &mut self,
        dbs: &mut [Btree],
        db: usize,
        root: Pgno,
        key_info: &Option<Arc<KeyInfo>>,
        writable: bool,
    ) -> Result<bool, VdbeError> {
        let same_ki = match (&self.key_info, key_info) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        let CursorKind::Btree {
            db: d,
            root: r,
            writable: w,
            cur,
        } = &mut self.kind
        else {
            return Ok(false);
        };
        if *d != db || *r != root || *w != writable || !same_ki {
            return Ok(false);
        }
        db_mut(dbs, db)?.reopen_cursor(cur)?;
        self.wr = None;
        self.cache.in_key = false;
        self.moved(false);
        Ok(true)
    }

    /// A cursor of any other kind.
    pub fn with_kind(kind: CursorKind, key_info: Option<Arc<KeyInfo>>) -> VdbeCursor {
        VdbeCursor {
            kind,
            key_info,
            null_row: false,
            valid: false,
            wr: None,
            cache: RowCache::default(),
        }
    }

    /// True for index cursors (entries are key records).
    pub fn is_index(&self) -> bool {
        self.key_info.is_some()
    }

    fn moved(&mut self, valid: bool) -> bool {
        self.cache.valid = false;
        self.null_row = false;
        self.valid = valid;
        valid
    }

    /// Forgets the cached row (after a write through this cursor).
    pub fn invalidate(&mut self) {
        self.cache.valid = false;
    }

    /// Moves to the first entry (OP_Rewind); false when empty.
    pub fn first(&mut self, dbs: &mut [Btree]) -> Result<bool, VdbeError> {
        let ok = match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => db_mut(dbs, *db)?.first(cur)?,
            CursorKind::Ephemeral(t) => t.first(),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Rewind on a pseudo or sorter cursor"))
            }
        };
        Ok(self.moved(ok))
    }

    /// Moves to the last entry (OP_Last); false when empty.
    pub fn last(&mut self, dbs: &mut [Btree]) -> Result<bool, VdbeError> {
        let ok = match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => db_mut(dbs, *db)?.last(cur)?,
            CursorKind::Ephemeral(t) => t.last(),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Last on a pseudo or sorter cursor"))
            }
        };
        Ok(self.moved(ok))
    }

    /// Advances (`forward`) or steps back; false when no entry is there.
    pub fn advance(&mut self, dbs: &mut [Btree], forward: bool) -> Result<bool, VdbeError> {
        if !self.valid {
            return Ok(self.moved(false));
        }
        let ok = match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => {
                let bt = db_mut(dbs, *db)?;
                if forward {
                    bt.next(cur)?
                } else {
                    bt.prev(cur)?
                }
            }
            CursorKind::Ephemeral(t) => {
                if forward {
                    t.step_next()
                } else {
                    t.prev()
                }
            }
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Next on a pseudo or sorter cursor"))
            }
        };
        Ok(self.moved(ok))
    }

    /// Positions a table cursor on `rowid`; true when that row exists.
    pub fn seek_rowid(&mut self, dbs: &mut [Btree], rowid: i64) -> Result<bool, VdbeError> {
        // On a miss the cursor may still rest on a neighbouring row, which
        // range seeks (`SeekGE` on a rowid) use.
        let (found, valid) = match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => {
                let r = db_mut(dbs, *db)?.seek_rowid(cur, rowid)?;
                (r == SeekResult::Found, !Btree::<Pager>::is_eof(cur))
            }
            CursorKind::Ephemeral(t) => (t.seek_rowid(rowid), t.is_valid()),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("SeekRowid on a pseudo or sorter cursor"))
            }
        };
        self.moved(valid);
        Ok(found)
    }

    /// Index seek on a key prefix; true when positioned on an entry.
    pub fn seek_key(
        &mut self,
        dbs: &mut [Btree],
        key: &[ValueRef],
        mode: SeekMode,
    ) -> Result<bool, VdbeError> {
        let ok = match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => {
                let bias = match mode {
                    SeekMode::Ge => SeekBias::Ge,
                    SeekMode::Gt => SeekBias::Gt,
                    SeekMode::Le => SeekBias::Le,
                    SeekMode::Lt => SeekBias::Lt,
                };
                db_mut(dbs, *db)?.seek_key(cur, key, bias)? != SeekResult::Empty
            }
            CursorKind::Ephemeral(t) => t.seek_key(key, mode)?,
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Seek on a pseudo or sorter cursor"))
            }
        };
        Ok(self.moved(ok))
    }

    /// Rowid of the current table row; None on a NULL row.
    pub fn rowid(&mut self, dbs: &mut [Btree]) -> Result<Option<i64>, VdbeError> {
        if self.null_row || !self.valid {
            return Ok(None);
        }
        match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => match cur.table_rowid() {
                Some(r) => Ok(Some(r)),
                None => Ok(Some(db_mut(dbs, *db)?.rowid(cur)?)),
            },
            CursorKind::Ephemeral(t) => Ok(t.rowid()),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                Err(internal("Rowid on a pseudo or sorter cursor"))
            }
        }
    }

    /// Loads the current entry's payload and header into the row cache.
    #[inline]
    fn ensure_row(&mut self, dbs: &mut [Btree]) -> Result<bool, VdbeError> {
        if self.cache.valid {
            return Ok(true);
        }
        self.load_row(dbs)
    }

    /// The slow half of [`VdbeCursor::ensure_row`]: fills the row cache.
    #[inline(never)]
    fn load_row(&mut self, dbs: &mut [Btree]) -> Result<bool, VdbeError> {
        if !self.valid || self.null_row {
            return Ok(false);
        }
        let c = &mut self.cache;
        c.in_key = false;
        c.pseudo_header.clear();
        match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => {
                if Btree::<Pager>::index_key(cur).is_some() {
                    c.in_key = true;
                } else {
                    c.payload.clear();
                    let bt = db_mut(dbs, *db)?;
                    let p = bt.payload(cur, &mut c.scratch)?;
                    c.payload.extend_from_slice(p);
                }
            }
            CursorKind::Ephemeral(t) => {
                c.payload.clear();
                c.payload.extend_from_slice(t.payload().unwrap_or(&[]));
            }
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("row cache on a pseudo or sorter cursor"))
            }
        }
        // Lazy: serial types are parsed as far as columns are asked for.
        let row = row_bytes(&self.kind, self.cache.in_key, &self.cache.payload);
        self.cache.header.start(row)?;
        let c = &mut self.cache;
        c.valid = true;
        Ok(true)
    }

    /// Column `i` of the current entry: `Ok(None)` when the row is a NULL
    /// row or the record has fewer columns (the caller applies the default).
    pub fn column(
        &mut self,
        dbs: &mut [Btree],
        i: usize,
    ) -> Result<Option<ValueRef<'_>>, VdbeError> {
        if !self.ensure_row(dbs)? {
            return Ok(Some(ValueRef::Null));
        }
        let row = row_bytes(&self.kind, self.cache.in_key, &self.cache.payload);
        let h = &mut self.cache.header;
        if !h.parse_to(row, i)? {
            return Ok(None);
        }
        Ok(Some(h.column(row, i)?))
    }

    /// Column `i` of `rec`, the record in a pseudo cursor's register: the
    /// header is parsed into this cursor's reusable header buffer. `None`
    /// when the record has fewer columns.
    pub fn record_column<'r>(
        &mut self,
        rec: &'r [u8],
        i: usize,
    ) -> Result<Option<ValueRef<'r>>, VdbeError> {
        let c = &mut self.cache;
        // The parsed offsets depend only on the header bytes and the
        // record length: a record with the same header as the last one
        // read (the next column of the same sorter row, most often)
        // reuses the parse.
        let same = !c.valid
            && c.pseudo_len == rec.len()
            && rec.get(..c.header.header_size()) == Some(c.pseudo_header.as_slice())
            && !c.pseudo_header.is_empty();
        c.valid = false;
        if !same {
            c.pseudo_header.clear();
            c.header.start(rec)?;
            c.pseudo_header
                .extend_from_slice(rec.get(..c.header.header_size()).unwrap_or(&[]));
            c.pseudo_len = rec.len();
        }
        let h = &mut c.header;
        if !h.parse_to(rec, i)? {
            return Ok(None);
        }
        Ok(Some(h.column(rec, i)?))
    }

    /// The header parsed by the last [`VdbeCursor::record_column`].
    pub fn cached_header(&self) -> &RecordHeader {
        &self.cache.header
    }

    /// Number of columns in the current record (0 on a NULL row).
    pub fn n_fields(&mut self, dbs: &mut [Btree]) -> Result<usize, VdbeError> {
        if !self.ensure_row(dbs)? {
            return Ok(0);
        }
        let row = row_bytes(&self.kind, self.cache.in_key, &self.cache.payload);
        let h = &mut self.cache.header;
        h.parse_to(row, usize::MAX)?;
        Ok(h.len())
    }

    /// Compares the current index entry's key prefix with `key`.
    pub fn compare_key(
        &mut self,
        dbs: &mut [Btree],
        key: &[ValueRef],
    ) -> Result<Ordering, VdbeError> {
        if !self.ensure_row(dbs)? {
            return Err(internal("index compare with no current entry"));
        }
        let default_ki;
        let ki = match self.key_info.as_deref() {
            Some(ki) => ki,
            None => {
                default_ki = KeyInfo::default();
                &default_ki
            }
        };
        Ok(crate::record::compare_record_to_key(
            row_bytes(&self.kind, self.cache.in_key, &self.cache.payload),
            key,
            ki,
        )?)
    }

    /// Writes a table row (OP_Insert) and stays on it.
    pub fn insert_row(
        &mut self,
        dbs: &mut [Btree],
        rowid: i64,
        record: &[u8],
    ) -> Result<(), VdbeError> {
        match &mut self.kind {
            CursorKind::Btree {
                db, cur, writable, ..
            } => {
                if !*writable {
                    return Err(internal("Insert on a read-only cursor"));
                }
                db_mut(dbs, *db)?.insert(cur, rowid, record)?;
            }
            CursorKind::Ephemeral(t) => t.insert_row(rowid, record.to_vec()),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Insert on a pseudo or sorter cursor"))
            }
        }
        self.moved(true);
        Ok(())
    }

    /// Writes an index key (OP_IdxInsert).
    pub fn insert_key(&mut self, dbs: &mut [Btree], key: &[u8]) -> Result<(), VdbeError> {
        match &mut self.kind {
            CursorKind::Btree {
                db, cur, writable, ..
            } => {
                if !*writable {
                    return Err(internal("IdxInsert on a read-only cursor"));
                }
                db_mut(dbs, *db)?.insert_index(cur, key)?;
            }
            CursorKind::Ephemeral(t) => t.insert_key(key.to_vec())?,
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("IdxInsert on a pseudo or sorter cursor"))
            }
        }
        self.moved(true);
        Ok(())
    }

    /// Deletes the current entry; the cursor stays usable for Next.
    pub fn delete(&mut self, dbs: &mut [Btree]) -> Result<(), VdbeError> {
        if !self.valid {
            return Err(internal("Delete with no current entry"));
        }
        match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => db_mut(dbs, *db)?.delete(cur)?,
            CursorKind::Ephemeral(t) => t.delete(),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                return Err(internal("Delete on a pseudo or sorter cursor"))
            }
        }
        self.invalidate();
        Ok(())
    }

    /// Largest rowid in the table (for NewRowid).
    pub fn max_rowid(&mut self, dbs: &mut [Btree]) -> Result<Option<i64>, VdbeError> {
        match &mut self.kind {
            CursorKind::Btree { db, root, cur, .. } => {
                debug_assert_eq!(cur.root(), *root);
                let bt = db_mut(dbs, *db)?;
                // The cursor itself moves to the last row (as SQLite's
                // NewRowid does); no temporary cursor is built.
                self.cache.valid = false;
                self.null_row = false;
                if !bt.last(cur)? {
                    self.valid = false;
                    return Ok(None);
                }
                self.valid = true;
                Ok(Some(bt.rowid(cur)?))
            }
            CursorKind::Ephemeral(t) => Ok(t.max_rowid()),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                Err(internal("NewRowid on a pseudo or sorter cursor"))
            }
        }
    }

    /// Number of entries (OP_Count).
    pub fn count(&mut self, dbs: &mut [Btree]) -> Result<i64, VdbeError> {
        match &mut self.kind {
            CursorKind::Btree { db, cur, .. } => Ok(db_mut(dbs, *db)?.count(cur)?),
            CursorKind::Ephemeral(t) => Ok(t.count()),
            CursorKind::Pseudo { .. } | CursorKind::Sorter(_) => {
                Err(internal("Count on a pseudo or sorter cursor"))
            }
        }
    }
}
