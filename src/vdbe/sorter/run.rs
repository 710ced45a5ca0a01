//! Sorted runs on a temporary file and their k-way merge.
//!
//! SQLite counterpart: the PMA ("packed memory array") writer and the
//! merge tree of vdbesort.c (`vdbeSorterListToPMA`, `vdbePmaReaderNext`,
//! `vdbeMergeEngineStep`).
//!
//! All runs of one sorter go to one temporary file opened through the VFS
//! with an empty path (a fresh file in the OS temp directory, deleted on
//! close). A run is a sequence of records, each prefixed by its length:
//!
//! | bytes | content                                   |
//! |-------|-------------------------------------------|
//! | 1..9  | varint: n, the record's length in bytes   |
//! | n     | the record, in SQLite record format       |
//!
//! Invariants:
//! 1. Runs are appended back to back; [`Run`] holds each one's byte range,
//!    and runs are numbered in insertion order.
//! 2. The merge yields the smallest current record; among equal keys the
//!    one from the lower-numbered run, so the overall sort is stable.
//! 3. A reader never reads past its run's end, so no short read occurs on
//!    a well-formed file; a malformed length is a CORRUPT record error.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::pager::PagerError;
use crate::record::{compare_records_prefix, get_varint, put_varint, KeyInfo};
use crate::vdbe::VdbeError;
use crate::vfs::{FileKind, OpenFlags, Vfs, VfsFile};

/// Bytes gathered before each write to the temporary file.
const WRITE_CHUNK: usize = 256 * 1024;

/// The byte range of one sorted run in the temporary file.
#[derive(Clone, Copy, Debug)]
pub(super) struct Run {
    start: u64,
    end: u64,
}

/// The temporary file holding the runs.
#[derive(Debug)]
pub(super) struct RunFile {
    file: Box<dyn VfsFile>,
    end: u64,
    pub runs: Vec<Run>,
}

fn vfs_err(e: crate::vfs::VfsError) -> VdbeError {
    VdbeError::Pager(PagerError::from(e))
}

impl RunFile {
    /// Opens a fresh temporary file through `vfs`.
    pub fn create(vfs: &Arc<dyn Vfs>) -> Result<RunFile, VdbeError> {
        let flags = OpenFlags {
            read_only: false,
            create: true,
            exclusive: true,
            delete_on_close: true,
            kind: FileKind::TempJournal,
        };
        let file = vfs.open("", flags).map_err(vfs_err)?;
        Ok(RunFile {
            file,
            end: 0,
            runs: Vec::new(),
        })
    }

    /// Appends the records (already sorted) as a new run.
    pub fn write_run<'r>(
        &mut self,
        records: impl Iterator<Item = &'r [u8]>,
    ) -> Result<(), VdbeError> {
        let start = self.end;
        let mut buf = Vec::with_capacity(WRITE_CHUNK + 64);
        for r in records {
            put_varint(&mut buf, r.len() as u64);
            buf.extend_from_slice(r);
            if buf.len() >= WRITE_CHUNK {
                self.flush(&mut buf)?;
            }
        }
        self.flush(&mut buf)?;
        self.runs.push(Run {
            start,
            end: self.end,
        });
        Ok(())
    }

    fn flush(&mut self, buf: &mut Vec<u8>) -> Result<(), VdbeError> {
        if !buf.is_empty() {
            self.file.write(buf, self.end).map_err(vfs_err)?;
            self.end += buf.len() as u64;
            buf.clear();
        }
        Ok(())
    }
}

/// Reads one run record by record through a buffer.
#[derive(Debug)]
struct RunReader {
    next: u64,
    end: u64,
    buf: Vec<u8>,
    /// Unconsumed bytes of `buf` start here.
    at: usize,
    /// The current record (empty once the run is exhausted).
    current: Vec<u8>,
    done: bool,
}

impl RunReader {
    /// Loads the next record into `current`; false at the end of the run.
    fn step(&mut self, file: &mut dyn VfsFile, chunk: usize) -> Result<bool, VdbeError> {
        if self.buf.len() - self.at < 9 {
            self.refill(file, chunk, 9)?;
        }
        if self.at >= self.buf.len() {
            self.done = true;
            self.current.clear();
            return Ok(false);
        }
        let (len, n) = get_varint(&self.buf[self.at..]).ok_or(bad_run())?;
        let len = usize::try_from(len).map_err(|_| bad_run())?;
        self.at += n;
        if self.buf.len() - self.at < len {
            self.refill(file, chunk, len)?;
        }
        let rec = self.buf.get(self.at..self.at + len).ok_or(bad_run())?;
        self.current.clear();
        self.current.extend_from_slice(rec);
        self.at += len;
        Ok(true)
    }

    /// Keeps the unconsumed bytes and reads more, at least `want` bytes
    /// in all when the run has them.
    fn refill(
        &mut self,
        file: &mut dyn VfsFile,
        chunk: usize,
        want: usize,
    ) -> Result<(), VdbeError> {
        self.buf.drain(..self.at);
        self.at = 0;
        let have = self.buf.len();
        let left = self.end - self.next;
        let n = (chunk.max(want) as u64).min(left) as usize;
        if n == 0 {
            return Ok(());
        }
        self.buf.resize(have + n, 0);
        file.read(&mut self.buf[have..], self.next)
            .map_err(vfs_err)?;
        self.next += n as u64;
        Ok(())
    }
}

fn bad_run() -> VdbeError {
    VdbeError::Internal("sorter run file is malformed".into())
}

/// The k-way merge of every run of a [`RunFile`].
#[derive(Debug)]
pub(super) struct Merger {
    file: RunFile,
    readers: Vec<RunReader>,
    /// Min-heap of reader numbers (invariant 2).
    heap: Vec<usize>,
    key_info: Arc<KeyInfo>,
    chunk: usize,
}

impl Merger {
    /// Starts merging; `memory` bounds the readers' buffers in total.
    pub fn new(file: RunFile, key_info: Arc<KeyInfo>, memory: usize) -> Result<Merger, VdbeError> {
        let k = file.runs.len().max(1);
        let chunk = (memory / k).clamp(4096, 1 << 20);
        let mut m = Merger {
            readers: file
                .runs
                .iter()
                .map(|r| RunReader {
                    next: r.start,
                    end: r.end,
                    buf: Vec::new(),
                    at: 0,
                    current: Vec::new(),
                    done: false,
                })
                .collect(),
            file,
            heap: Vec::new(),
            key_info,
            chunk,
        };
        for i in 0..m.readers.len() {
            if m.readers[i].step(m.file.file.as_mut(), chunk)? {
                m.push(i)?;
            }
        }
        Ok(m)
    }

    /// The smallest current record.
    pub fn current(&self) -> Option<&[u8]> {
        let &top = self.heap.first()?;
        Some(self.readers[top].current.as_slice())
    }

    /// Moves past the current record; false when all runs are exhausted.
    pub fn advance(&mut self) -> Result<bool, VdbeError> {
        let Some(&top) = self.heap.first() else {
            return Ok(false);
        };
        if self.readers[top].step(self.file.file.as_mut(), self.chunk)? {
            self.sift_down(0)?;
        } else {
            let last = self.heap.len() - 1;
            self.heap.swap(0, last);
            self.heap.pop();
            if !self.heap.is_empty() {
                self.sift_down(0)?;
            }
        }
        Ok(!self.heap.is_empty())
    }

    /// True if reader `a`'s record sorts before reader `b`'s.
    fn less(&self, a: usize, b: usize) -> Result<bool, VdbeError> {
        let ki = &self.key_info;
        let (ra, rb) = (&self.readers[a].current, &self.readers[b].current);
        Ok(
            match compare_records_prefix(ra, rb, ki, ki.collations.len())? {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => a < b,
            },
        )
    }

    fn push(&mut self, reader: usize) -> Result<(), VdbeError> {
        self.heap.push(reader);
        let mut i = self.heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if !self.less(self.heap[i], self.heap[parent])? {
                break;
            }
            self.heap.swap(i, parent);
            i = parent;
        }
        Ok(())
    }

    fn sift_down(&mut self, mut i: usize) -> Result<(), VdbeError> {
        let n = self.heap.len();
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut min = i;
            if l < n && self.less(self.heap[l], self.heap[min])? {
                min = l;
            }
            if r < n && self.less(self.heap[r], self.heap[min])? {
                min = r;
            }
            if min == i {
                return Ok(());
            }
            self.heap.swap(i, min);
            i = min;
        }
    }
}
