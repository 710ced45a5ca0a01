//! The sorter behind ORDER BY, GROUP BY and CREATE INDEX.
//!
//! SQLite counterpart: vdbesort.c (`sqlite3VdbeSorterInit`, `…Write`,
//! `…Rewind`, `…Next`, `…Rowkey`).
//!
//! Records are appended unsorted, then sorted once by `compare_records`
//! under the sorter's [`KeyInfo`] (per-column collation and DESC), then
//! read in order.
//!
//! Design for spilling (not yet implemented): `insert` tracks the bytes
//! held; when a threshold is passed, the in-memory batch is sorted and
//! written to a temporary file as one run of length-prefixed records. `sort`
//! then sorts the last batch and, if runs exist, merges all runs with a
//! k-way merge (a binary heap of run readers ordered by `compare_records`).
//! Reading (`data` / `next`) already goes through the `SortedSource` seam,
//! so only that enum gains a `Merge` variant.
//!
//! Invariants:
//! 1. Before `sort`, the sorter is in the Building state: `next`/`data`
//!    see nothing. After `sort`, no more records are accepted until reset.
//! 2. Sorting is stable: records comparing equal keep insertion order.
//! 3. A record that fails to decode makes `sort` return the error; no
//!    partial order is exposed.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::record::{compare_records_prefix, KeyInfo, RecordError};

/// Where sorted records are read from.
#[derive(Debug)]
enum SortedSource {
    /// All records in memory, sorted; `pos` is the current one.
    Memory { records: Vec<Vec<u8>>, pos: usize },
}

/// The sorter's state machine: Building -(sort)-> Reading.
#[derive(Debug)]
enum State {
    Building(Vec<Vec<u8>>),
    Reading(SortedSource),
}

/// A VDBE sorter (SQLite's `VdbeSorter`).
#[derive(Debug)]
pub struct Sorter {
    key_info: Arc<KeyInfo>,
    state: State,
}

impl Sorter {
    /// An empty sorter ordering records by `key_info`.
    pub fn new(key_info: Arc<KeyInfo>) -> Sorter {
        Sorter {
            key_info,
            state: State::Building(Vec::new()),
        }
    }

    /// Adds a record (OP_SorterInsert). After `sort`, starts a new batch.
    pub fn insert(&mut self, record: Vec<u8>) {
        match &mut self.state {
            State::Building(v) => v.push(record),
            State::Reading(_) => self.state = State::Building(vec![record]),
        }
    }

    /// Sorts what was inserted (OP_SorterSort); false when empty.
    pub fn sort(&mut self) -> Result<bool, RecordError> {
        let records = match std::mem::replace(&mut self.state, State::Building(Vec::new())) {
            State::Building(v) => v,
            State::Reading(SortedSource::Memory { records, .. }) => records,
        };
        let mut records = records;
        let mut err = None;
        let ki = &self.key_info;
        records.sort_by(|a, b| {
            // Only the key columns order records; ties keep insertion order.
            compare_records_prefix(a, b, ki, ki.collations.len()).unwrap_or_else(|e| {
                err.get_or_insert(e);
                Ordering::Equal
            })
        });
        if let Some(e) = err {
            return Err(e);
        }
        let nonempty = !records.is_empty();
        self.state = State::Reading(SortedSource::Memory { records, pos: 0 });
        Ok(nonempty)
    }

    /// The current record (OP_SorterData), if any.
    pub fn data(&self) -> Option<&[u8]> {
        match &self.state {
            State::Reading(SortedSource::Memory { records, pos }) => {
                records.get(*pos).map(|r| r.as_slice())
            }
            State::Building(_) => None,
        }
    }

    /// Advances (OP_SorterNext); false past the last record.
    pub fn advance(&mut self) -> bool {
        match &mut self.state {
            State::Reading(SortedSource::Memory { records, pos }) => {
                if *pos < records.len() {
                    *pos += 1;
                }
                *pos < records.len()
            }
            State::Building(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{encode_record, Binary, Collation, NoCase, RecordHeader, Value, ValueRef};

    fn rec(vals: &[ValueRef]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_record(vals, &mut out);
        out
    }

    fn drain(s: &mut Sorter) -> Vec<Vec<Value>> {
        let mut out = vec![];
        while let Some(d) = s.data() {
            out.push(RecordHeader::parse(d).unwrap().values(d).unwrap());
            s.advance();
        }
        out
    }

    #[test]
    fn desc_and_collation_order() {
        let ki = KeyInfo {
            collations: vec![Arc::new(NoCase) as Arc<dyn Collation>, Arc::new(Binary)],
            desc: vec![false, true],
        };
        let mut s = Sorter::new(Arc::new(ki));
        for (t, n) in [("b", 1), ("A", 2), ("a", 3), ("B", 0), ("c", 9)] {
            s.insert(rec(&[ValueRef::Text(t.as_bytes()), ValueRef::Integer(n)]));
        }
        assert!(s.sort().unwrap());
        let got: Vec<i64> = drain(&mut s)
            .iter()
            .map(|r| match r[1] {
                Value::Integer(i) => i,
                _ => -1,
            })
            .collect();
        // NOCASE groups a/A and b/B; within a group, column 2 descends.
        assert_eq!(got, vec![3, 2, 1, 0, 9]);
    }

    #[test]
    fn empty_and_mixed_types() {
        let mut s = Sorter::new(Arc::new(KeyInfo::binary(1)));
        assert!(!s.sort().unwrap());
        assert!(s.data().is_none());
        for v in [
            ValueRef::Text(b"x"),
            ValueRef::Null,
            ValueRef::Real(1.5),
            ValueRef::Integer(1),
        ] {
            s.insert(rec(&[v]));
        }
        assert!(s.sort().unwrap());
        let got = drain(&mut s);
        assert_eq!(got[0], vec![Value::Null]);
        assert_eq!(got[1], vec![Value::Integer(1)]);
        assert_eq!(got[2], vec![Value::Real(1.5)]);
        assert_eq!(got[3], vec![Value::Text(b"x".to_vec())]);
    }
}
