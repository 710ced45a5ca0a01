//! [`MockVfs`]: a [`MemVfs`] with fault injection, a call counter/trace and
//! a power-failure model, for crash and I/O-error tests.
//!
//! SQLite counterpart: the test VFSes of SQLite's test suite (test_vfs.c,
//! test6.c's crash simulation, test_devsym.c) — the idea only.
//!
//! Faults ([`MockFault`]): an I/O error after a countdown of I/O calls
//! (once or persistently), an error on the n-th call of one kind
//! ([`MockOp`]: read, short read, write, truncate, sync, file size, lock,
//! open, delete) optionally only on the journal or only on the database,
//! failing fsyncs, a short (torn) write, and a power cut after a countdown
//! (every later call fails and changes nothing).
//!
//! Power failure model (atomiccommit.html section 2, "Hardware
//! Assumptions"): [`MockVfs::crash`] throws away every write not covered by
//! a sync; [`MockVfs::crash_torn`] instead replays each unsynced write or
//! truncate at random: fully, not at all, or torn (only a prefix or a
//! suffix of its bytes — a linear sector write interrupted); a lost append
//! may leave the file extended with garbage (the size reached the disk,
//! the data did not). Unlink is atomic and durable at once (as with
//! `synchronous=EXTRA`'s directory sync).
//!
//! Invariants:
//! 1. A file's "durable image" is its content at its last successful sync
//!    (or at [`MockVfs::mark_all_synced`]); the writes and truncates since
//!    are kept, in order, as its pending operations.
//! 2. `crash`/`crash_torn` rebuild every file from its durable image and
//!    (for `crash_torn`) a random choice of its pending operations; a file
//!    never synced starts from empty, or disappears.
//! 3. Every counted call bumps [`MockVfs::ops`] before it runs; the trace
//!    (when enabled) records it too.
//! 4. Files are named by the UTF-8 (lossy) form of the path they were
//!    opened with: fault targets match text, so names that are not UTF-8
//!    share a key with their replacement-character spelling.
#![deny(unsafe_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::{IoOp, VfsError};
use super::file::{LockLevel, OpenFlags, SyncFlags, Vfs, VfsFile};
use super::mem::MemVfs;

/// The kinds of calls [`MockFault::OpError`] can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MockOp {
    /// `read` fails with an I/O error.
    Read,
    /// `read` returns only half its bytes (`VfsError::ShortRead`).
    ShortRead,
    /// `write` fails.
    Write,
    /// `truncate` fails.
    Truncate,
    /// `sync` fails.
    Sync,
    /// `file_size` fails (SQLITE_IOERR_FSTAT).
    FileSize,
    /// `lock` fails (SQLITE_IOERR_LOCK).
    Lock,
    /// `open` fails (SQLITE_CANTOPEN).
    Open,
    /// `delete` fails (SQLITE_IOERR_DELETE).
    Delete,
}

/// Which files a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MockTarget {
    /// Every file.
    Any,
    /// Files whose name does not end in `-journal`.
    Db,
    /// Files whose name ends in `-journal`.
    Journal,
}

impl MockTarget {
    fn matches(self, path: &str) -> bool {
        match self {
            MockTarget::Any => true,
            MockTarget::Db => !path.ends_with("-journal"),
            MockTarget::Journal => path.ends_with("-journal"),
        }
    }
}

/// A fault to inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MockFault {
    /// After `countdown` successful I/O calls (read, write, truncate, sync, delete),
    /// the next one fails; with `persistent`, all later ones fail too.
    IoErrorAfter {
        /// Calls that still succeed.
        countdown: u32,
        /// Keep failing after the first failure.
        persistent: bool,
    },
    /// After `countdown` matching calls of kind `op` on `target`, the next
    /// one fails; with `persistent`, all later ones fail too.
    OpError {
        /// The kind of call.
        op: MockOp,
        /// The files concerned.
        target: MockTarget,
        /// Matching calls that still succeed.
        countdown: u32,
        /// Keep failing after the first failure.
        persistent: bool,
    },
    /// After `countdown` counted calls the power goes: that call and every
    /// later one (open and lock included) fails without effect, until
    /// [`MockVfs::clear_faults`].
    PowerCutAfter {
        /// Calls that still succeed.
        countdown: u32,
    },
    /// Every sync fails with `SQLITE_IOERR_FSYNC`.
    FsyncFail,
    /// The next write stores only the first half of its bytes, then fails.
    ShortWrite,
}

/// A write or truncate not yet covered by a sync.
#[derive(Debug, Clone)]
enum Pending {
    Write { offset: u64, data: Vec<u8> },
    Truncate(u64),
}

#[derive(Debug, Clone, Copy)]
struct OpFault {
    op: MockOp,
    target: MockTarget,
    countdown: u32,
    persistent: bool,
    armed: bool,
}

#[derive(Debug, Default)]
struct MockState {
    countdown: Option<(u32, bool)>,
    op_fault: Option<OpFault>,
    power_cut: Option<u32>,
    powered_off: bool,
    fired: u64,
    fsync_fail: bool,
    short_write: bool,
    ops: u64,
    tracing: bool,
    trace: Vec<String>,
    durable: HashMap<String, Vec<u8>>,
    pending: HashMap<String, Vec<Pending>>,
}

impl MockState {
    /// Consumes one step of the countdown; true if this call must fail.
    fn tick(&mut self) -> bool {
        match self.countdown {
            Some((0, persistent)) => {
                if !persistent {
                    self.countdown = None;
                }
                true
            }
            Some((n, p)) => {
                self.countdown = Some((n - 1, p));
                false
            }
            None => false,
        }
    }

    /// Counts a call; true if the power is (now) off.
    fn power_tick(&mut self) -> bool {
        self.ops += 1;
        if self.powered_off {
            return true;
        }
        match self.power_cut {
            Some(0) => {
                self.powered_off = true;
                true
            }
            Some(n) => {
                self.power_cut = Some(n - 1);
                false
            }
            None => false,
        }
    }

    /// True if the armed [`MockFault::OpError`] fires on this call.
    fn op_fires(&mut self, op: MockOp, path: &str) -> bool {
        let Some(f) = self.op_fault.as_mut() else {
            return false;
        };
        if !f.armed || f.op != op || !f.target.matches(path) {
            return false;
        }
        if f.countdown > 0 {
            f.countdown -= 1;
            return false;
        }
        if !f.persistent {
            f.armed = false;
        }
        self.fired += 1;
        true
    }

    fn log(&mut self, line: impl FnOnce() -> String) {
        if self.tracing {
            self.trace.push(line());
        }
    }
}

/// A tiny deterministic generator (xorshift64*) for `crash_torn`.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// The fault-injecting VFS.
#[derive(Debug, Clone)]
pub struct MockVfs {
    inner: MemVfs,
    state: Arc<Mutex<MockState>>,
}

impl Default for MockVfs {
    fn default() -> MockVfs {
        MockVfs::new()
    }
}

impl MockVfs {
    /// A new mock VFS with an empty file namespace (tracing on).
    pub fn new() -> MockVfs {
        let state = MockState {
            tracing: true,
            ..MockState::default()
        };
        MockVfs {
            inner: MemVfs::new(),
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Turns the call trace on or off (off is faster for long runs).
    pub fn set_tracing(&self, on: bool) {
        self.state.lock().tracing = on;
    }

    /// Arms a fault.
    pub fn inject(&self, fault: MockFault) {
        let mut s = self.state.lock();
        match fault {
            MockFault::IoErrorAfter {
                countdown,
                persistent,
            } => s.countdown = Some((countdown, persistent)),
            MockFault::OpError {
                op,
                target,
                countdown,
                persistent,
            } => {
                s.op_fault = Some(OpFault {
                    op,
                    target,
                    countdown,
                    persistent,
                    armed: true,
                })
            }
            MockFault::PowerCutAfter { countdown } => s.power_cut = Some(countdown),
            MockFault::FsyncFail => s.fsync_fail = true,
            MockFault::ShortWrite => s.short_write = true,
        }
    }

    /// Disarms every fault and restores power.
    pub fn clear_faults(&self) {
        let mut s = self.state.lock();
        s.countdown = None;
        s.op_fault = None;
        s.power_cut = None;
        s.powered_off = false;
        s.fsync_fail = false;
        s.short_write = false;
    }

    /// True once an armed power cut has happened.
    pub fn powered_off(&self) -> bool {
        self.state.lock().powered_off
    }

    /// How many times an [`MockFault::OpError`] fired.
    pub fn faults_fired(&self) -> u64 {
        self.state.lock().fired
    }

    /// Counted calls so far (read, write, truncate, sync, delete, open,
    /// file size, lock).
    pub fn ops(&self) -> u64 {
        self.state.lock().ops
    }

    /// The calls made so far, one line each (`"write /db 0 4096"`, ...).
    pub fn trace(&self) -> Vec<String> {
        self.state.lock().trace.clone()
    }

    /// The current content of file `path`, if it exists.
    pub fn file_bytes(&self, path: &str) -> Option<Vec<u8>> {
        self.inner.shared(path).map(|f| f.data.lock().clone())
    }

    /// Replaces the content of file `path` (created if missing), durably.
    pub fn set_file_bytes(&self, path: &str, bytes: &[u8]) {
        if self.inner.shared(path).is_none() {
            drop(self.inner.open(path, OpenFlags::main_db()));
        }
        if let Some(f) = self.inner.shared(path) {
            *f.data.lock() = bytes.to_vec();
        }
        let mut s = self.state.lock();
        s.durable.insert(path.to_string(), bytes.to_vec());
        s.pending.remove(path);
    }

    /// Writes of file `path` not yet covered by a sync (what a power
    /// failure could lose or tear now; pending truncates are not counted).
    pub fn pending_writes(&self, path: &str) -> usize {
        self.state.lock().pending.get(path).map_or(0, |ops| {
            ops.iter()
                .filter(|p| matches!(p, Pending::Write { .. }))
                .count()
        })
    }

    /// Treats the current content of every file as durable.
    pub fn mark_all_synced(&self) {
        let mut s = self.state.lock();
        for name in self.inner.names() {
            let name = name.to_string_lossy().into_owned();
            if let Some(f) = self.inner.shared(&name) {
                s.durable.insert(name.clone(), f.data.lock().clone());
                s.pending.remove(&name);
            }
        }
    }

    /// Simulates a power failure: every file loses its unsynced writes.
    pub fn crash(&self) {
        self.rebuild(None);
    }

    /// Simulates a power failure in which each unsynced write or truncate
    /// reached the disk fully, not at all, or torn, chosen by `seed`.
    pub fn crash_torn(&self, seed: u64) {
        let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        self.rebuild(Some(&mut rng));
    }

    fn rebuild(&self, mut rng: Option<&mut XorShift>) {
        let mut s = self.state.lock();
        s.log(|| "crash".to_string());
        let pending = std::mem::take(&mut s.pending);
        for name in self.inner.names() {
            let name = name.to_string_lossy().into_owned();
            let Some(f) = self.inner.shared(&name) else {
                continue;
            };
            let durable = s.durable.get(&name).cloned();
            let image = match (durable, rng.as_deref_mut()) {
                (Some(image), None) => image,
                (None, None) => {
                    self.inner.remove(&name);
                    continue;
                }
                (durable, Some(rng)) => {
                    if durable.is_none() && rng.below(4) == 0 {
                        self.inner.remove(&name);
                        continue;
                    }
                    let mut image = durable.unwrap_or_default();
                    for p in pending.get(&name).map(Vec::as_slice).unwrap_or(&[]) {
                        replay_torn(&mut image, p, rng);
                    }
                    image
                }
            };
            *f.data.lock() = image.clone();
            // Shared memory does not survive a power failure.
            *f.shm.lock() = super::heap_shm::HeapShm::default();
            s.durable.insert(name, image);
        }
        s.durable
            .retain(|name, _| self.inner.shared(name).is_some());
    }

    /// Counts a call and applies the power-cut and countdown faults.
    fn gate(&self, op: IoOp, counted: bool, line: impl FnOnce() -> String) -> Result<(), VfsError> {
        let mut s = self.state.lock();
        s.log(line);
        if s.power_tick() {
            return Err(VfsError::Io { op, errno: 0 });
        }
        if counted && s.tick() {
            return Err(VfsError::Io { op, errno: 0 });
        }
        Ok(())
    }

    fn op_fires(&self, op: MockOp, path: &str) -> bool {
        self.state.lock().op_fires(op, path)
    }

    fn record(&self, path: &str, p: Pending) {
        self.state
            .lock()
            .pending
            .entry(path.to_string())
            .or_default()
            .push(p);
    }
}

/// Applies one pending operation to `image` fully, partly or not at all.
fn replay_torn(image: &mut Vec<u8>, p: &Pending, rng: &mut XorShift) {
    match p {
        Pending::Truncate(size) => {
            if rng.below(2) == 0 {
                image.resize(*size as usize, 0);
            }
        }
        Pending::Write { offset, data } => {
            let off = *offset as usize;
            let end = off + data.len();
            let (from, to) = match rng.below(8) {
                0..=3 => (0, data.len()),
                4 | 5 => (0, 0),
                6 => (0, rng.below(data.len() as u64 + 1) as usize),
                _ => (rng.below(data.len() as u64 + 1) as usize, data.len()),
            };
            if end > image.len() {
                // The size may have reached the disk before the data.
                let garbage = rng.below(2) == 0;
                let old = image.len();
                image.resize(end, 0);
                if garbage {
                    for b in &mut image[old..end] {
                        *b = rng.next() as u8;
                    }
                }
            }
            image[off + from..off + to].copy_from_slice(&data[from..to]);
        }
    }
}

impl Vfs for MockVfs {
    fn name(&self) -> &str {
        "mock"
    }

    fn open_path(&self, path: &Path, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        let path = &*path.to_string_lossy();
        self.gate(IoOp::Access, false, || format!("open {path}"))?;
        if self.op_fires(MockOp::Open, path) {
            return Err(VfsError::CantOpen {
                path: path.to_string(),
                errno: 0,
            });
        }
        let inner = self.inner.open(path, flags)?;
        Ok(Box::new(MockFile {
            inner,
            path: path.to_string(),
            vfs: self.clone(),
        }))
    }

    fn delete_path(&self, path: &Path, sync_dir: bool) -> Result<(), VfsError> {
        let path = &*path.to_string_lossy();
        self.gate(IoOp::Delete, true, || format!("delete {path}"))?;
        if self.op_fires(MockOp::Delete, path) {
            return Err(VfsError::Io {
                op: IoOp::Delete,
                errno: 0,
            });
        }
        self.inner.delete(path, sync_dir)?;
        let mut s = self.state.lock();
        s.durable.remove(path);
        s.pending.remove(path);
        Ok(())
    }

    fn exists_path(&self, path: &Path) -> Result<bool, VfsError> {
        let path = &*path.to_string_lossy();
        self.gate(IoOp::Access, false, || format!("access {path}"))?;
        self.inner.exists(path)
    }

    fn full_path(&self, path: &Path) -> Result<PathBuf, VfsError> {
        self.inner.full_path(path)
    }

    fn randomness(&self, buf: &mut [u8]) {
        self.inner.randomness(buf)
    }

    fn sleep_micros(&self, micros: u64) {
        self.state.lock().log(|| format!("sleep {micros}"));
    }
}

/// An open file of [`MockVfs`].
#[derive(Debug)]
pub struct MockFile {
    inner: Box<dyn VfsFile>,
    path: String,
    vfs: MockVfs,
}

impl MockFile {
    fn fault(&self, op: IoOp, mop: MockOp, line: impl FnOnce() -> String) -> Result<(), VfsError> {
        self.vfs.gate(op, true, line)?;
        let mut s = self.vfs.state.lock();
        if s.op_fires(mop, &self.path) || (op == IoOp::Fsync && s.fsync_fail) {
            return Err(VfsError::Io { op, errno: 0 });
        }
        Ok(())
    }
}

impl VfsFile for MockFile {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<(), VfsError> {
        let len = buf.len();
        self.fault(IoOp::Read, MockOp::Read, || {
            format!("read {} {offset} {len}", self.path)
        })?;
        if self.vfs.op_fires(MockOp::ShortRead, &self.path) {
            let half = len / 2;
            let r = self.inner.read(&mut buf[..half], offset);
            buf[half..].fill(0);
            return match r {
                Ok(()) | Err(VfsError::ShortRead) => Err(VfsError::ShortRead),
                Err(e) => Err(e),
            };
        }
        self.inner.read(buf, offset)
    }

    fn write(&mut self, buf: &[u8], offset: u64) -> Result<(), VfsError> {
        self.fault(IoOp::Write, MockOp::Write, || {
            format!("write {} {offset} {}", self.path, buf.len())
        })?;
        let short = std::mem::take(&mut self.vfs.state.lock().short_write);
        let data = if short { &buf[..buf.len() / 2] } else { buf };
        self.inner.write(data, offset)?;
        self.vfs.record(
            &self.path,
            Pending::Write {
                offset,
                data: data.to_vec(),
            },
        );
        if short {
            return Err(VfsError::Io {
                op: IoOp::Write,
                errno: 0,
            });
        }
        Ok(())
    }

    fn truncate(&mut self, size: u64) -> Result<(), VfsError> {
        self.fault(IoOp::Truncate, MockOp::Truncate, || {
            format!("truncate {} {size}", self.path)
        })?;
        self.inner.truncate(size)?;
        self.vfs.record(&self.path, Pending::Truncate(size));
        Ok(())
    }

    fn sync(&mut self, flags: SyncFlags) -> Result<(), VfsError> {
        self.fault(IoOp::Fsync, MockOp::Sync, || {
            format!("sync {} {flags:?}", self.path)
        })?;
        self.inner.sync(flags)?;
        if let Some(f) = self.vfs.inner.shared(&self.path) {
            let image = f.data.lock().clone();
            let mut s = self.vfs.state.lock();
            s.durable.insert(self.path.clone(), image);
            s.pending.remove(&self.path);
        }
        Ok(())
    }

    fn file_size(&mut self) -> Result<u64, VfsError> {
        self.vfs
            .gate(IoOp::Fstat, false, || format!("size {}", self.path))?;
        if self.vfs.op_fires(MockOp::FileSize, &self.path) {
            return Err(VfsError::Io {
                op: IoOp::Fstat,
                errno: 0,
            });
        }
        self.inner.file_size()
    }

    fn lock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.vfs.gate(IoOp::Lock, false, || {
            format!("lock {} {level:?}", self.path)
        })?;
        if level > self.inner.lock_level() && self.vfs.op_fires(MockOp::Lock, &self.path) {
            return Err(VfsError::Io {
                op: IoOp::Lock,
                errno: 0,
            });
        }
        self.inner.lock(level)
    }

    fn unlock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.vfs
            .state
            .lock()
            .log(|| format!("unlock {} {level:?}", self.path));
        self.inner.unlock(level)
    }

    fn check_reserved_lock(&mut self) -> Result<bool, VfsError> {
        self.inner.check_reserved_lock()
    }

    fn lock_level(&self) -> LockLevel {
        self.inner.lock_level()
    }

    fn sector_size(&self) -> u32 {
        self.inner.sector_size()
    }

    fn device_characteristics(&self) -> u32 {
        self.inner.device_characteristics()
    }

    fn is_read_only(&self) -> bool {
        self.inner.is_read_only()
    }

    fn shm_map(&mut self, region: usize, size: usize, extend: bool) -> Result<bool, VfsError> {
        self.inner.shm_map(region, size, extend)
    }

    fn shm_read(&mut self, region: usize, offset: usize, buf: &mut [u8]) -> Result<(), VfsError> {
        self.inner.shm_read(region, offset, buf)
    }

    fn shm_write(&mut self, region: usize, offset: usize, data: &[u8]) -> Result<(), VfsError> {
        self.inner.shm_write(region, offset, data)
    }

    fn shm_lock(
        &mut self,
        slot: usize,
        n: usize,
        mode: crate::vfs::ShmLockMode,
    ) -> Result<(), VfsError> {
        self.inner.shm_lock(slot, n, mode)
    }

    fn shm_barrier(&mut self) {
        self.inner.shm_barrier();
    }

    fn shm_unmap(&mut self, delete: bool) -> Result<(), VfsError> {
        self.inner.shm_unmap(delete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_drops_unsynced_writes() {
        let vfs = MockVfs::new();
        let mut f = vfs.open("db", OpenFlags::main_db()).unwrap();
        f.write(b"old", 0).unwrap();
        f.sync(SyncFlags::Normal).unwrap();
        f.write(b"new", 0).unwrap();
        let mut g = vfs.open("tmp", OpenFlags::main_db()).unwrap();
        g.write(b"x", 0).unwrap();
        vfs.crash();
        let mut buf = [0u8; 3];
        f.read(&mut buf, 0).unwrap();
        assert_eq!(&buf, b"old");
        assert!(!vfs.exists("tmp").unwrap());
        assert!(vfs.trace().iter().any(|l| l == "sync db Normal"));
    }

    #[test]
    fn countdown_and_fsync_faults() {
        let vfs = MockVfs::new();
        let mut f = vfs.open("db", OpenFlags::main_db()).unwrap();
        vfs.inject(MockFault::IoErrorAfter {
            countdown: 1,
            persistent: false,
        });
        f.write(b"a", 0).unwrap();
        let e = f.write(b"b", 1).unwrap_err();
        assert_eq!(e.result_code(), crate::rc::ResultCode::IOERR_WRITE);
        f.write(b"c", 1).unwrap();
        vfs.inject(MockFault::FsyncFail);
        let e = f.sync(SyncFlags::Full).unwrap_err();
        assert_eq!(e.result_code(), crate::rc::ResultCode::IOERR_FSYNC);
        vfs.clear_faults();
        vfs.inject(MockFault::ShortWrite);
        assert!(f.write(b"wxyz", 0).is_err());
        let mut buf = [0u8; 4];
        f.read(&mut buf, 0).unwrap_err();
        assert_eq!(&buf[..2], b"wx");
        assert_eq!(buf[2], 0);
    }

    #[test]
    fn torn_crash_keeps_synced_bytes_and_mixes_the_rest() {
        let mut seen_old = false;
        let mut seen_new = false;
        for seed in 0..64 {
            let vfs = MockVfs::new();
            let mut f = vfs.open("db", OpenFlags::main_db()).unwrap();
            f.write(&[1u8; 64], 0).unwrap();
            f.sync(SyncFlags::Full).unwrap();
            f.write(&[2u8; 64], 0).unwrap();
            vfs.crash_torn(seed);
            let img = vfs.file_bytes("db").unwrap();
            assert_eq!(img.len(), 64);
            assert!(img.iter().all(|&b| b == 1 || b == 2));
            seen_old |= img[0] == 1;
            seen_new |= img[0] == 2;
        }
        assert!(seen_old && seen_new);
    }

    #[test]
    fn power_cut_and_op_faults() {
        let vfs = MockVfs::new();
        let mut f = vfs.open("x-journal", OpenFlags::main_db()).unwrap();
        vfs.inject(MockFault::OpError {
            op: MockOp::Sync,
            target: MockTarget::Journal,
            countdown: 0,
            persistent: false,
        });
        let e = f.sync(SyncFlags::Full).unwrap_err();
        assert_eq!(e.result_code(), crate::rc::ResultCode::IOERR_FSYNC);
        f.sync(SyncFlags::Full).unwrap();
        vfs.inject(MockFault::PowerCutAfter { countdown: 1 });
        f.write(b"a", 0).unwrap();
        assert!(f.write(b"b", 1).is_err());
        assert!(vfs.open("y", OpenFlags::main_db()).is_err());
        assert!(vfs.powered_off());
        vfs.clear_faults();
        f.write(b"c", 1).unwrap();
    }
}
