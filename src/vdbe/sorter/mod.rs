//! The sorter behind ORDER BY, GROUP BY and CREATE INDEX.
//!
//! SQLite counterpart: vdbesort.c (`sqlite3VdbeSorterInit`, `…Write`,
//! `…Rewind`, `…Next`, `…Rowkey`) and its limit (`nLimit`) handling.
//!
//! Records are appended to an in-memory batch (one contiguous arena plus
//! spans). When the batch's bytes exceed the memory budget, it is sorted
//! by `compare_records_prefix` under the sorter's [`KeyInfo`] and written
//! as one run to a temporary file ([`run`]). `sort` then either sorts the
//! batch in memory (nothing spilled) or spills it too and k-way merges all
//! runs while reading.
//!
//! With a limit (`ORDER BY … LIMIT n`), only the n smallest records are
//! kept: a max-heap of n entries, so memory is O(n) and time O(N log n).
//!
//! Invariants:
//! 1. Before `sort`, the sorter is in the Building state: `next`/`data`
//!    see nothing. After `sort`, an insert starts a new, empty batch.
//! 2. Sorting is stable: records comparing equal keep insertion order
//!    (within a batch by stable sort, across runs by run number, in the
//!    top-n heap by a sequence number).
//! 3. A record that fails to decode makes `sort` (or the merge) return the
//!    error; no partial order is exposed.
//! 4. Memory held by the batch stays under the budget plus one record;
//!    with a limit, spilling never happens.

mod exec;
mod run;
mod topn;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::record::{compare_records_with_heads, record_head, KeyInfo, RecordError, ValueRef};
use crate::vdbe::VdbeError;
use crate::vfs::{PosixVfs, Vfs};
use run::{Merger, RunFile};
use topn::TopN;

/// The smallest memory budget, whatever the cache size.
pub const MIN_SORTER_BUDGET: usize = 8 << 20;

/// Bookkeeping bytes counted per record besides its payload.
const PER_RECORD: usize = 16;

/// Unsorted records in one allocation.
#[derive(Debug, Default)]
struct Batch {
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Batch {
    fn get(&self, span: (usize, usize)) -> &[u8] {
        self.bytes.get(span.0..span.0 + span.1).unwrap_or(&[])
    }

    fn held(&self) -> usize {
        self.bytes.len() + self.spans.len() * PER_RECORD
    }

    /// Sorts the spans stably by key. Each record's leading key column is
    /// decoded once up front, so most comparisons touch no record header.
    fn sort(&mut self, ki: &KeyInfo) -> Result<(), RecordError> {
        let n = ki.collations.len();
        let bytes = &self.bytes;
        let get = |s: &(usize, usize)| bytes.get(s.0..s.0 + s.1).unwrap_or(&[]);
        let mut keyed = Vec::with_capacity(self.spans.len());
        for s in &self.spans {
            keyed.push((record_head(get(s))?, *s));
        }
        let mut err = None;
        let desc0 = ki.desc.first().copied().unwrap_or(false);
        keyed.sort_by(|(ha, a), (hb, b)| {
            // Two integer heads that differ decide without a call.
            if let (Some(ValueRef::Integer(x)), Some(ValueRef::Integer(y))) = (ha, hb) {
                if x != y && n > 0 {
                    let o = x.cmp(y);
                    return if desc0 { o.reverse() } else { o };
                }
            }
            compare_records_with_heads((ha.as_ref(), get(a)), (hb.as_ref(), get(b)), ki, n)
                .unwrap_or_else(|e| {
                    err.get_or_insert(e);
                    Ordering::Equal
                })
        });
        if let Some(e) = err {
            return Err(e);
        }
        let sorted: Vec<(usize, usize)> = keyed.into_iter().map(|(_, s)| s).collect();
        self.spans = sorted;
        Ok(())
    }
}

/// Where sorted records are read from.
#[derive(Debug)]
enum SortedSource {
    /// All records in memory, sorted; `pos` is the current one.
    Memory { batch: Batch, pos: usize },
    /// Runs on a temporary file, merged as they are read.
    Merge(Box<Merger>),
}

/// The sorter's state machine: Building -(sort)-> Reading.
#[derive(Debug)]
enum State {
    Building,
    Reading(SortedSource),
}

/// A VDBE sorter (SQLite's `VdbeSorter`).
#[derive(Debug)]
pub struct Sorter {
    key_info: Arc<KeyInfo>,
    state: State,
    batch: Batch,
    budget: usize,
    vfs: Option<Arc<dyn Vfs>>,
    runs: Option<RunFile>,
    spilled: usize,
    topn: Option<TopN>,
}

impl Sorter {
    /// An empty sorter ordering records by `key_info`, with the minimum
    /// memory budget and temporary files of the POSIX VFS.
    pub fn new(key_info: Arc<KeyInfo>) -> Sorter {
        Sorter::with_budget(key_info, MIN_SORTER_BUDGET, None)
    }

    /// An empty sorter spilling runs once its batch holds more than
    /// `budget` bytes, to temporary files of `vfs` (POSIX when `None`).
    pub fn with_budget(key_info: Arc<KeyInfo>, budget: usize, vfs: Option<Arc<dyn Vfs>>) -> Sorter {
        Sorter {
            key_info,
            state: State::Building,
            batch: Batch::default(),
            budget,
            vfs,
            runs: None,
            spilled: 0,
            topn: None,
        }
    }

    /// The budget for a connection with `PRAGMA cache_size = cache_size`
    /// and pages of `page_size` bytes (negative sizes are KiB), at least
    /// [`MIN_SORTER_BUDGET`].
    pub fn budget_for(cache_size: i64, page_size: usize) -> usize {
        let bytes = if cache_size < 0 {
            cache_size.unsigned_abs().saturating_mul(1024)
        } else {
            (cache_size as u64).saturating_mul(page_size as u64)
        };
        usize::try_from(bytes)
            .unwrap_or(usize::MAX)
            .max(MIN_SORTER_BUDGET)
    }

    /// Keeps only the `limit` smallest records from now on (ORDER BY …
    /// LIMIT); `None` keeps all.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.topn = limit.map(TopN::new);
    }

    /// True when a record whose leading fields are `key` would be dropped
    /// by the top-n heap (see exec.rs); false without a limit or while
    /// reading.
    pub fn topn_rejects(&self, key: &[ValueRef]) -> Result<bool, VdbeError> {
        match (&self.topn, &self.state) {
            (Some(t), State::Building) => Ok(t.rejects(key, &self.key_info)?),
            _ => Ok(false),
        }
    }

    /// How many runs have been written to the temporary file.
    pub fn spilled_runs(&self) -> usize {
        self.spilled
    }

    /// Adds a record (OP_SorterInsert). After `sort`, starts a new batch.
    pub fn insert(&mut self, record: &[u8]) -> Result<(), VdbeError> {
        if matches!(self.state, State::Reading(_)) {
            self.state = State::Building;
            self.batch = Batch::default();
            self.runs = None;
            if let Some(t) = &mut self.topn {
                t.clear();
            }
        }
        if let Some(t) = &mut self.topn {
            return Ok(t.insert(record, &self.key_info)?);
        }
        let start = self.batch.bytes.len();
        self.batch.bytes.extend_from_slice(record);
        self.batch.spans.push((start, record.len()));
        if self.batch.held() > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Sorts the batch and writes it as a run to the temporary file.
    fn spill(&mut self) -> Result<(), VdbeError> {
        self.batch.sort(&self.key_info)?;
        if self.runs.is_none() {
            let vfs = self
                .vfs
                .get_or_insert_with(|| Arc::new(PosixVfs::new()) as Arc<dyn Vfs>);
            self.runs = Some(RunFile::create(vfs)?);
        }
        let batch = std::mem::take(&mut self.batch);
        if let Some(runs) = &mut self.runs {
            runs.write_run(batch.spans.iter().map(|s| batch.get(*s)))?;
        }
        self.spilled += 1;
        Ok(())
    }

    /// Sorts what was inserted (OP_SorterSort); false when empty.
    pub fn sort(&mut self) -> Result<bool, VdbeError> {
        // Sorting again without inserts re-reads an in-memory result.
        if let State::Reading(SortedSource::Memory { batch, .. }) =
            std::mem::replace(&mut self.state, State::Building)
        {
            self.batch = batch;
        }
        if let Some(t) = &mut self.topn {
            self.batch = t.take_batch();
        }
        let source = match self.runs.take() {
            None => {
                let mut batch = std::mem::take(&mut self.batch);
                batch.sort(&self.key_info)?;
                SortedSource::Memory { batch, pos: 0 }
            }
            Some(runs) => {
                self.runs = Some(runs);
                if !self.batch.spans.is_empty() {
                    self.spill()?;
                }
                let runs = self
                    .runs
                    .take()
                    .ok_or_else(|| VdbeError::Internal("sorter lost its runs".into()))?;
                let merger = Merger::new(runs, Arc::clone(&self.key_info), self.budget)?;
                SortedSource::Merge(Box::new(merger))
            }
        };
        let nonempty = match &source {
            SortedSource::Memory { batch, .. } => !batch.spans.is_empty(),
            SortedSource::Merge(m) => m.current().is_some(),
        };
        self.state = State::Reading(source);
        Ok(nonempty)
    }

    /// The current record (OP_SorterData), if any.
    pub fn data(&self) -> Option<&[u8]> {
        match &self.state {
            State::Reading(SortedSource::Memory { batch, pos }) => {
                batch.spans.get(*pos).map(|s| batch.get(*s))
            }
            State::Reading(SortedSource::Merge(m)) => m.current(),
            State::Building => None,
        }
    }

    /// Advances (OP_SorterNext); false past the last record.
    pub fn advance(&mut self) -> Result<bool, VdbeError> {
        match &mut self.state {
            State::Reading(SortedSource::Memory { batch, pos }) => {
                if *pos < batch.spans.len() {
                    *pos += 1;
                }
                Ok(*pos < batch.spans.len())
            }
            State::Reading(SortedSource::Merge(m)) => m.advance(),
            State::Building => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests;
