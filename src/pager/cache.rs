//! The page cache: an arena of fixed-size frames found through a hash map.
//!
//! SQLite counterpart: pcache.c and pcache1.c.
//!
//! A [`PageRef`] names a frame and the frame's generation when the handle was
//! made. Whenever a frame is evicted, reused, dropped or the cache is reset,
//! its generation is bumped, so an old handle fails with
//! `PagerError::StaleHandle` instead of reading another page's bytes.
//!
//! Invariants:
//! 1. `map[pgno] == i` iff `frames[i].pgno == pgno` and `pgno != 0`; frames
//!    with `pgno == 0` are exactly those on the `free` list.
//! 2. Dirty frames are never evicted; clean frames are evicted (clock
//!    algorithm) once more than `capacity` frames are in use.
//! 3. `n_dirty` equals the number of frames with `dirty` set.
//! 4. Every frame buffer is exactly `page_size` bytes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::error::PagerError;

/// A page number (1-based; 0 means "no page").
pub type Pgno = u32;

/// A handle to a cached page: a frame index plus the frame's generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRef {
    frame: u32,
    generation: u32,
}

/// A small multiplicative hasher for page numbers (FxHash-style).
#[derive(Default, Clone, Copy, Debug)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.add(u64::from(*b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FxHasher`]s.
pub type FxBuild = BuildHasherDefault<FxHasher>;
/// A map keyed by page number.
pub type PgnoMap<V> = HashMap<Pgno, V, FxBuild>;

/// One cache slot.
#[derive(Debug)]
pub(super) struct Frame {
    pub data: Box<[u8]>,
    pub pgno: Pgno,
    pub generation: u32,
    pub dirty: bool,
    referenced: bool,
    /// Serial of the newest savepoint that holds this page's original.
    pub sp_serial: u32,
}

/// The page cache (SQLite's `PCache`).
#[derive(Debug)]
pub(super) struct PCache {
    frames: Vec<Frame>,
    map: PgnoMap<u32>,
    free: Vec<u32>,
    /// Eviction candidates in clock order: frames that were clean when
    /// queued. Entries are checked lazily (a queued frame may since have
    /// become dirty or been released), so a miss never scans dirty frames.
    clean: std::collections::VecDeque<u32>,
    page_size: usize,
    capacity: usize,
    n_dirty: usize,
    /// Frame of the last successful lookup (a hint, checked before use).
    last: u32,
    /// Cache hits since the pager opened.
    pub hits: u64,
    /// Cache misses since the pager opened.
    pub misses: u64,
}

impl PCache {
    pub fn new(page_size: usize, capacity: usize) -> PCache {
        PCache {
            frames: Vec::new(),
            map: PgnoMap::default(),
            free: Vec::new(),
            clean: std::collections::VecDeque::new(),
            page_size,
            capacity: capacity.max(1),
            n_dirty: 0,
            last: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// Sets the capacity, evicting clean pages beyond it.
    pub fn set_capacity(&mut self, pages: usize) {
        self.capacity = pages.max(1);
        while self.in_use() > self.capacity {
            match self.evict_one() {
                Some(i) => self.free.push(i as u32),
                None => break,
            }
        }
    }

    pub fn n_dirty(&self) -> usize {
        self.n_dirty
    }

    /// The number of pages kept before clean ones are evicted.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Frames allocated (the cache's memory, in pages; never shrinks).
    pub fn resident(&self) -> usize {
        self.frames.len()
    }

    /// Marks a dirty frame clean after its page was written (spill); it
    /// becomes an eviction candidate.
    pub fn mark_clean(&mut self, idx: usize) {
        if let Some(f) = self.frames.get_mut(idx) {
            if f.dirty {
                f.dirty = false;
                self.n_dirty -= 1;
                self.clean.push_back(idx as u32);
            }
        }
    }

    fn in_use(&self) -> usize {
        self.frames.len() - self.free.len()
    }

    fn handle(&self, idx: u32) -> PageRef {
        let generation = self.frames.get(idx as usize).map_or(0, |f| f.generation);
        PageRef {
            frame: idx,
            generation,
        }
    }

    /// The handle of a cached page (marks it recently used).
    pub fn lookup(&mut self, pgno: Pgno) -> Option<PageRef> {
        // The last page looked up is asked for again most of the time
        // (binary searches, cell reads); by invariant 1 a frame holding
        // `pgno` is the map's answer, so the hash probe can be skipped.
        let idx = match self.frames.get(self.last as usize) {
            Some(f) if f.pgno == pgno && pgno != 0 => self.last,
            _ => {
                let i = *self.map.get(&pgno)?;
                self.last = i;
                i
            }
        };
        if let Some(f) = self.frames.get_mut(idx as usize) {
            f.referenced = true;
        }
        self.hits += 1;
        Some(self.handle(idx))
    }

    /// The frame index of `pgno` if it is cached (marks it recently
    /// used): [`PCache::lookup`] without building a handle.
    #[inline]
    pub fn find(&mut self, pgno: Pgno) -> Option<usize> {
        let hint = self.last as usize;
        let idx = match self.frames.get_mut(hint) {
            Some(f) if f.pgno == pgno && pgno != 0 => {
                f.referenced = true;
                hint
            }
            _ => {
                let i = *self.map.get(&pgno)?;
                self.last = i;
                let f = self.frames.get_mut(i as usize)?;
                f.referenced = true;
                i as usize
            }
        };
        self.hits += 1;
        Some(idx)
    }

    /// Frame index of a valid handle.
    pub fn check(&self, r: PageRef) -> Result<usize, PagerError> {
        match self.frames.get(r.frame as usize) {
            Some(f) if f.generation == r.generation && f.pgno != 0 => Ok(r.frame as usize),
            _ => Err(PagerError::StaleHandle),
        }
    }

    pub fn frame(&self, idx: usize) -> Option<&Frame> {
        self.frames.get(idx)
    }

    pub fn frame_mut(&mut self, idx: usize) -> Option<&mut Frame> {
        self.frames.get_mut(idx)
    }

    /// A frame for `pgno` (not yet cached); its content is unspecified.
    pub fn insert(&mut self, pgno: Pgno) -> (usize, PageRef) {
        self.misses += 1;
        let evicted = if self.in_use() >= self.capacity {
            self.evict_one()
        } else {
            None
        };
        let idx = match evicted.or_else(|| self.free.pop().map(|i| i as usize)) {
            Some(i) => i,
            None => {
                self.frames.push(Frame {
                    data: vec![0u8; self.page_size].into_boxed_slice(),
                    pgno: 0,
                    generation: 1,
                    dirty: false,
                    referenced: false,
                    sp_serial: 0,
                });
                self.frames.len() - 1
            }
        };
        let f = &mut self.frames[idx];
        f.generation = f.generation.wrapping_add(1);
        f.pgno = pgno;
        f.dirty = false;
        f.referenced = true;
        f.sp_serial = 0;
        self.map.insert(pgno, idx as u32);
        self.clean.push_back(idx as u32);
        (idx, self.handle(idx as u32))
    }

    /// Evicts one clean frame if the cache is at capacity; returns its index.
    fn evict_one(&mut self) -> Option<usize> {
        // Each queued clean frame gets one second chance; dirty or released
        // frames leave the queue for good (they are queued again when they
        // become clean pages again).
        for _ in 0..2 * self.clean.len() {
            let i = self.clean.pop_front()? as usize;
            let Some(f) = self.frames.get_mut(i) else {
                continue;
            };
            if f.pgno == 0 || f.dirty {
                continue;
            }
            if f.referenced {
                f.referenced = false;
                self.clean.push_back(i as u32);
                continue;
            }
            self.map.remove(&f.pgno);
            f.pgno = 0;
            f.generation = f.generation.wrapping_add(1);
            return Some(i);
        }
        None
    }

    /// Releases a frame (its handles become stale).
    pub fn release(&mut self, idx: usize) {
        if let Some(f) = self.frames.get_mut(idx) {
            if f.pgno == 0 {
                return;
            }
            self.map.remove(&f.pgno);
            if f.dirty {
                self.n_dirty -= 1;
            }
            f.pgno = 0;
            f.dirty = false;
            f.generation = f.generation.wrapping_add(1);
            self.free.push(idx as u32);
        }
    }

    pub fn set_dirty(&mut self, idx: usize) {
        if let Some(f) = self.frames.get_mut(idx) {
            if !f.dirty && f.pgno != 0 {
                f.dirty = true;
                self.n_dirty += 1;
            }
        }
    }

    /// Dirty pages, sorted by page number, as (pgno, frame index).
    pub fn dirty_pages(&self) -> Vec<(Pgno, usize)> {
        let mut v: Vec<(Pgno, usize)> = (self.frames.iter().enumerate())
            .filter(|(_, f)| f.dirty && f.pgno != 0)
            .map(|(i, f)| (f.pgno, i))
            .collect();
        v.sort_unstable();
        v
    }

    /// Marks every page clean (after commit).
    pub fn clean_all(&mut self) {
        self.clean.clear();
        for (i, f) in self.frames.iter_mut().enumerate() {
            f.dirty = false;
            f.sp_serial = 0;
            if f.pgno != 0 {
                self.clean.push_back(i as u32);
            }
        }
        self.n_dirty = 0;
    }

    /// Drops every dirty page (rollback when the file is unchanged).
    pub fn discard_dirty(&mut self) {
        for (_, idx) in self.dirty_pages() {
            self.release(idx);
        }
        for f in &mut self.frames {
            f.sp_serial = 0;
        }
    }

    /// Drops every page with a number above `n`.
    pub fn drop_above(&mut self, n: Pgno) {
        let doomed: Vec<usize> = (self.frames.iter().enumerate())
            .filter(|(_, f)| f.pgno > n)
            .map(|(i, _)| i)
            .collect();
        for idx in doomed {
            self.release(idx);
        }
    }

    /// Cached page numbers above `n` with their frame index.
    pub fn pages_above(&self, n: Pgno) -> Vec<(Pgno, usize)> {
        (self.frames.iter().enumerate())
            .filter(|(_, f)| f.pgno > n)
            .map(|(i, f)| (f.pgno, i))
            .collect()
    }

    /// Drops every page; with a new page size, frames are reallocated.
    pub fn reset(&mut self, page_size: usize) {
        for idx in 0..self.frames.len() {
            self.release(idx);
        }
        if page_size != self.page_size {
            self.page_size = page_size;
            for f in &mut self.frames {
                f.data = vec![0u8; page_size].into_boxed_slice();
            }
        }
    }

    /// Debug check of the invariants in the module doc.
    pub fn check_invariants(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        let dirty = self.frames.iter().filter(|f| f.dirty).count();
        debug_assert_eq!(dirty, self.n_dirty, "n_dirty out of sync");
        for (pgno, idx) in &self.map {
            debug_assert_eq!(self.frames[*idx as usize].pgno, *pgno, "map/frame mismatch");
        }
        debug_assert_eq!(self.map.len() + self.free.len(), self.frames.len());
        debug_assert!(self.frames.iter().all(|f| f.data.len() == self.page_size));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_makes_handles_stale_but_keeps_dirty_pages() {
        let mut c = PCache::new(512, 2);
        let (i1, r1) = c.insert(1);
        c.set_dirty(i1);
        let (_, r2) = c.insert(2);
        let (_, r3) = c.insert(3); // evicts page 2 (page 1 is dirty)
        assert!(c.check(r1).is_ok());
        assert_eq!(c.check(r2), Err(PagerError::StaleHandle));
        assert!(c.check(r3).is_ok());
        assert!(c.lookup(2).is_none());
        assert_eq!(c.dirty_pages(), vec![(1, i1)]);
        c.reset(1024);
        assert_eq!(c.check(r1), Err(PagerError::StaleHandle));
        assert_eq!(c.n_dirty(), 0);
        c.check_invariants();
    }

    #[test]
    fn spilled_page_becomes_evictable_and_its_old_handle_stale() {
        let mut c = PCache::new(512, 2);
        let (i1, r1) = c.insert(1);
        c.set_dirty(i1);
        let (i2, _) = c.insert(2);
        c.set_dirty(i2);
        assert_eq!((c.n_dirty(), c.capacity(), c.resident()), (2, 2, 2));
        // Both dirty: nothing is evictable, the cache grows.
        let (_, r3) = c.insert(3);
        assert_eq!(c.resident(), 3);
        c.mark_clean(i1);
        c.mark_clean(i2);
        assert_eq!(c.n_dirty(), 0);
        // Frames are reused now, and reuse bumps the generation.
        let (_, r4) = c.insert(4);
        let (_, r5) = c.insert(5);
        assert_eq!(c.resident(), 3);
        assert_eq!(c.check(r1), Err(PagerError::StaleHandle));
        assert!(c.check(r4).is_ok() && c.check(r5).is_ok());
        assert!(c.lookup(3).is_none() || c.check(r3).is_ok());
        c.check_invariants();
    }
}
