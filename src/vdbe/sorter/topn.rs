//! The top-n sorter: keeps only the n smallest records (ORDER BY … LIMIT).
//!
//! SQLite counterpart: the sorter-with-limit of select.c
//! (`pushOntoSorter` with `iLimit`: once the sorter holds LIMIT+OFFSET
//! rows, each new row either replaces the largest or is dropped).
//!
//! Invariants:
//! 1. At most `n` records are held; they are the n smallest seen so far
//!    under the key, ties broken by arrival (earlier is smaller), so the
//!    kept set is exactly the prefix a full stable sort would give.
//! 2. The heap is a max-heap on (key, arrival number).

use std::cmp::Ordering;

use super::Batch;
use crate::record::{
    compare_record_to_key, compare_records_prefix, KeyInfo, RecordError, ValueRef,
};

/// The n smallest records seen so far.
#[derive(Debug)]
pub(super) struct TopN {
    n: usize,
    seq: u64,
    /// Max-heap of (record, arrival number).
    heap: Vec<(Vec<u8>, u64)>,
}

impl TopN {
    pub fn new(n: usize) -> TopN {
        TopN {
            n,
            seq: 0,
            heap: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.seq = 0;
    }

    /// Offers one record.
    pub fn insert(&mut self, record: &[u8], ki: &KeyInfo) -> Result<(), RecordError> {
        self.seq += 1;
        if self.n == 0 {
            return Ok(());
        }
        if self.heap.len() < self.n {
            self.heap.push((record.to_vec(), self.seq));
            let mut i = self.heap.len() - 1;
            while i > 0 {
                let parent = (i - 1) / 2;
                if greater(&self.heap[i], &self.heap[parent], ki)? {
                    self.heap.swap(i, parent);
                    i = parent;
                } else {
                    break;
                }
            }
            return Ok(());
        }
        let Some(top) = self.heap.first() else {
            return Ok(());
        };
        // A later record equal to the largest is larger (invariant 1).
        if compare_records_prefix(record, &top.0, ki, ki.collations.len())? != Ordering::Less {
            return Ok(());
        }
        if let Some(top) = self.heap.first_mut() {
            top.0.clear();
            top.0.extend_from_slice(record);
            top.1 = self.seq;
        }
        self.sift_down(ki)
    }

    /// True when `insert` of a record whose leading fields are `key` would
    /// drop it: the heap is full and its largest key is not greater.
    pub fn rejects(&self, key: &[ValueRef], ki: &KeyInfo) -> Result<bool, RecordError> {
        if self.n == 0 {
            return Ok(true);
        }
        match self.heap.first() {
            Some(top) if self.heap.len() >= self.n => {
                Ok(compare_record_to_key(&top.0, key, ki)? != Ordering::Greater)
            }
            _ => Ok(false),
        }
    }

    fn sift_down(&mut self, ki: &KeyInfo) -> Result<(), RecordError> {
        let (mut i, n) = (0, self.heap.len());
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut max = i;
            if l < n && greater(&self.heap[l], &self.heap[max], ki)? {
                max = l;
            }
            if r < n && greater(&self.heap[r], &self.heap[max], ki)? {
                max = r;
            }
            if max == i {
                return Ok(());
            }
            self.heap.swap(i, max);
            i = max;
        }
    }

    /// The kept records in arrival order, as a batch to sort stably.
    pub fn take_batch(&mut self) -> Batch {
        let mut kept = std::mem::take(&mut self.heap);
        kept.sort_by_key(|e| e.1);
        let mut batch = Batch::default();
        for (r, _) in kept {
            let start = batch.bytes.len();
            batch.bytes.extend_from_slice(&r);
            batch.spans.push((start, r.len()));
        }
        batch
    }
}

/// True if `a` sorts after `b` (key, then arrival).
fn greater(a: &(Vec<u8>, u64), b: &(Vec<u8>, u64), ki: &KeyInfo) -> Result<bool, RecordError> {
    Ok(
        match compare_records_prefix(&a.0, &b.0, ki, ki.collations.len())? {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => a.1 > b.1,
        },
    )
}
