//! Ephemeral (temporary) tables and indexes, held in memory.
//!
//! SQLite counterpart: the b-trees `OP_OpenEphemeral` creates in a private
//! temporary database (vdbe.c, `sqlite3BtreeOpen` with an in-memory pager).
//!
//! This is an interim substitute: entries live in a sorted `Vec` owned by
//! the cursor, searched by binary search. A rowid table is ordered by rowid;
//! an index by its key records under the cursor's [`KeyInfo`]. Inserting is
//! O(n) in the worst case (O(1) when keys arrive in order, as is common);
//! large ephemeral tables should later move to a real b-tree on a temporary
//! pager that can spill to disk, behind the same methods.
//!
//! Invariants:
//! 1. `rows` is strictly increasing by rowid; `keys` is non-decreasing under
//!    `compare_records` and never holds two keys that compare equal
//!    (inserting an equal key replaces the old one, as a b-tree does).
//! 2. `pos` is `None` (no current entry / EOF) or a valid index.
//! 3. After a delete, the cursor points at the entry that followed the
//!    deleted one and `skip_next` makes the following `next` stay there, so
//!    "delete then Next" visits every remaining entry once.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::record::{compare_record_to_key, compare_records, KeyInfo, RecordError, ValueRef};

/// An in-memory table or index with one cursor position.
#[derive(Debug)]
pub struct EphemeralTable {
    /// Rowid-table entries (rowid, record), when `key_info` is `None`.
    rows: Vec<(i64, Vec<u8>)>,
    /// Index keys, when `key_info` is set.
    keys: Vec<Vec<u8>>,
    key_info: Option<Arc<KeyInfo>>,
    pos: Option<usize>,
    skip_next: bool,
}

/// Where an index seek should land relative to entries equal to the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekMode {
    /// First entry >= key.
    Ge,
    /// First entry > key.
    Gt,
    /// Last entry <= key.
    Le,
    /// Last entry < key.
    Lt,
}

impl EphemeralTable {
    /// An empty rowid table (`key_info` None) or index.
    pub fn new(key_info: Option<Arc<KeyInfo>>) -> EphemeralTable {
        EphemeralTable {
            rows: Vec::new(),
            keys: Vec::new(),
            key_info,
            pos: None,
            skip_next: false,
        }
    }

    /// True for an index (entries are key records).
    pub fn is_index(&self) -> bool {
        self.key_info.is_some()
    }

    fn len(&self) -> usize {
        if self.is_index() {
            self.keys.len()
        } else {
            self.rows.len()
        }
    }

    /// Number of entries.
    pub fn count(&self) -> i64 {
        self.len() as i64
    }

    fn set_pos(&mut self, p: Option<usize>) -> bool {
        self.skip_next = false;
        self.pos = p.filter(|&i| i < self.len());
        self.pos.is_some()
    }

    /// Moves to the first entry; false when empty.
    pub fn first(&mut self) -> bool {
        self.set_pos(Some(0))
    }

    /// Moves to the last entry; false when empty.
    pub fn last(&mut self) -> bool {
        let n = self.len();
        self.set_pos(n.checked_sub(1))
    }

    /// Advances; false at the end.
    pub fn step_next(&mut self) -> bool {
        let Some(p) = self.pos else { return false };
        let to = if self.skip_next { p } else { p + 1 };
        self.set_pos(Some(to))
    }

    /// Steps back; false at the beginning.
    pub fn prev(&mut self) -> bool {
        let Some(p) = self.pos else { return false };
        self.set_pos(p.checked_sub(1))
    }

    /// True when the cursor is on an entry.
    pub fn is_valid(&self) -> bool {
        self.pos.is_some()
    }

    /// Rowid of the current row (table) — None at EOF or for an index.
    pub fn rowid(&self) -> Option<i64> {
        self.rows.get(self.pos?).map(|r| r.0)
    }

    /// The current record (table row or index key).
    pub fn payload(&self) -> Option<&[u8]> {
        let p = self.pos?;
        if self.is_index() {
            self.keys.get(p).map(|k| k.as_slice())
        } else {
            self.rows.get(p).map(|r| r.1.as_slice())
        }
    }

    /// Positions on `rowid`; true when it exists. Otherwise the cursor is
    /// left on the first larger rowid (or EOF).
    pub fn seek_rowid(&mut self, rowid: i64) -> bool {
        let r = self.rows.binary_search_by(|e| e.0.cmp(&rowid));
        match r {
            Ok(i) => self.set_pos(Some(i)),
            Err(i) => {
                self.set_pos(Some(i));
                false
            }
        }
    }

    /// Inserts or replaces a table row and positions on it.
    pub fn insert_row(&mut self, rowid: i64, record: Vec<u8>) {
        let i = match self.rows.binary_search_by(|e| e.0.cmp(&rowid)) {
            Ok(i) => {
                if let Some(slot) = self.rows.get_mut(i) {
                    slot.1 = record;
                }
                i
            }
            Err(i) => {
                self.rows.insert(i, (rowid, record));
                i
            }
        };
        self.set_pos(Some(i));
    }

    /// Largest rowid, if any.
    pub fn max_rowid(&self) -> Option<i64> {
        self.rows.last().map(|r| r.0)
    }

    fn key_info(&self) -> Arc<KeyInfo> {
        self.key_info.clone().unwrap_or_default()
    }

    /// Inserts an index key (replacing an equal one) and positions on it.
    pub fn insert_key(&mut self, key: Vec<u8>) -> Result<(), RecordError> {
        let ki = self.key_info();
        let mut err = None;
        let r = self.keys.binary_search_by(|e| {
            compare_records(e, &key, &ki).unwrap_or_else(|e| {
                err = Some(e);
                Ordering::Less
            })
        });
        if let Some(e) = err {
            return Err(e);
        }
        let i = match r {
            Ok(i) => {
                if let Some(slot) = self.keys.get_mut(i) {
                    *slot = key;
                }
                i
            }
            Err(i) => {
                self.keys.insert(i, key);
                i
            }
        };
        self.set_pos(Some(i));
        Ok(())
    }

    /// Index seek on an unpacked key prefix; true when positioned.
    pub fn seek_key(&mut self, key: &[ValueRef], mode: SeekMode) -> Result<bool, RecordError> {
        let ki = self.key_info();
        let mut err = None;
        let mut cmp = |e: &Vec<u8>| {
            compare_record_to_key(e, key, &ki).unwrap_or_else(|x| {
                err = Some(x);
                Ordering::Equal
            })
        };
        // Index of the first entry >= key and of the first entry > key.
        let ge = self.keys.partition_point(|e| cmp(e) == Ordering::Less);
        let gt = self.keys.partition_point(|e| cmp(e) != Ordering::Greater);
        if let Some(e) = err {
            return Err(e);
        }
        let target = match mode {
            SeekMode::Ge => Some(ge),
            SeekMode::Gt => Some(gt),
            SeekMode::Le => gt.checked_sub(1),
            SeekMode::Lt => ge.checked_sub(1),
        };
        Ok(self.set_pos(target))
    }

    /// Compares the current index entry with a key prefix.
    pub fn compare_current(&self, key: &[ValueRef]) -> Result<Option<Ordering>, RecordError> {
        let ki = self.key_info();
        match self.payload() {
            Some(p) if self.is_index() => compare_record_to_key(p, key, &ki).map(Some),
            _ => Ok(None),
        }
    }

    /// Deletes the current entry (see invariant 3).
    pub fn delete(&mut self) {
        let Some(p) = self.pos else { return };
        if self.is_index() {
            if p < self.keys.len() {
                self.keys.remove(p);
            }
        } else if p < self.rows.len() {
            self.rows.remove(p);
        }
        let keep = self.set_pos(Some(p));
        self.skip_next = keep;
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.keys.clear();
        self.set_pos(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::encode_record;

    fn rec(vals: &[ValueRef]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_record(vals, &mut out);
        out
    }

    #[test]
    fn index_seeks_and_dedup() {
        let mut t = EphemeralTable::new(Some(Arc::new(KeyInfo::binary(2))));
        for (a, b) in [(3, 1), (1, 1), (2, 5), (2, 1), (1, 1)] {
            t.insert_key(rec(&[ValueRef::Integer(a), ValueRef::Integer(b)]))
                .unwrap();
        }
        assert_eq!(t.count(), 4);
        assert!(t.seek_key(&[ValueRef::Integer(2)], SeekMode::Ge).unwrap());
        assert_eq!(
            t.payload().unwrap(),
            rec(&[ValueRef::Integer(2), ValueRef::Integer(1)])
        );
        assert!(t.seek_key(&[ValueRef::Integer(2)], SeekMode::Le).unwrap());
        assert_eq!(
            t.payload().unwrap(),
            rec(&[ValueRef::Integer(2), ValueRef::Integer(5)])
        );
        assert!(t.seek_key(&[ValueRef::Integer(2)], SeekMode::Gt).unwrap());
        assert_eq!(
            t.payload().unwrap(),
            rec(&[ValueRef::Integer(3), ValueRef::Integer(1)])
        );
        assert!(!t.seek_key(&[ValueRef::Integer(1)], SeekMode::Lt).unwrap());
        assert!(!t.seek_key(&[ValueRef::Integer(4)], SeekMode::Ge).unwrap());
    }

    #[test]
    fn delete_while_iterating_visits_all() {
        let mut t = EphemeralTable::new(None);
        for r in [5, 1, 3, 2, 4] {
            t.insert_row(r, vec![]);
        }
        let mut seen = vec![];
        let mut ok = t.first();
        while ok {
            let r = t.rowid().unwrap();
            seen.push(r);
            if r % 2 == 0 {
                t.delete();
            }
            ok = t.step_next();
        }
        assert_eq!(seen, vec![1, 2, 3, 4, 5]);
        assert_eq!(t.count(), 3);
        assert!(t.seek_rowid(3));
        assert!(!t.seek_rowid(4));
        assert_eq!(t.rowid(), Some(5));
        assert_eq!(t.max_rowid(), Some(5));
    }
}
