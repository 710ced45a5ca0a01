//! [`MockVfs`]: a [`MemVfs`] with fault injection and a call trace, for
//! crash and I/O-error tests.
//!
//! SQLite counterpart: the test VFSes of SQLite's test suite (test_vfs.c,
//! test_devsym.c) — the idea only.
//!
//! Faults ([`MockFault`]): an I/O error after a countdown of I/O calls
//! (once or persistently), failing fsyncs, a short (torn) write, and
//! [`MockVfs::crash`], which throws away every write not yet covered by a
//! sync, as a power failure would.
//!
//! Invariants:
//! 1. A file's "durable image" is its content at its last successful sync
//!    (or at [`MockVfs::mark_all_synced`]); `crash` restores every file to it
//!    and removes files that were never synced.
//! 2. Every VFS and file call is appended to the trace before it runs.
#![deny(unsafe_code)]

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::{IoOp, VfsError};
use super::file::{LockLevel, OpenFlags, SyncFlags, Vfs, VfsFile};
use super::mem::MemVfs;

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
    /// Every sync fails with `SQLITE_IOERR_FSYNC`.
    FsyncFail,
    /// The next write stores only the first half of its bytes, then fails.
    ShortWrite,
}

#[derive(Debug, Default)]
struct MockState {
    countdown: Option<(u32, bool)>,
    fsync_fail: bool,
    short_write: bool,
    trace: Vec<String>,
    durable: HashMap<String, Vec<u8>>,
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
}

/// The fault-injecting VFS.
#[derive(Debug, Clone, Default)]
pub struct MockVfs {
    inner: MemVfs,
    state: Arc<Mutex<MockState>>,
}

impl MockVfs {
    /// A new mock VFS with an empty file namespace.
    pub fn new() -> MockVfs {
        MockVfs::default()
    }

    /// Arms a fault.
    pub fn inject(&self, fault: MockFault) {
        let mut s = self.state.lock();
        match fault {
            MockFault::IoErrorAfter {
                countdown,
                persistent,
            } => s.countdown = Some((countdown, persistent)),
            MockFault::FsyncFail => s.fsync_fail = true,
            MockFault::ShortWrite => s.short_write = true,
        }
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        let mut s = self.state.lock();
        s.countdown = None;
        s.fsync_fail = false;
        s.short_write = false;
    }

    /// The calls made so far, one line each (`"write /db 0 4096"`, ...).
    pub fn trace(&self) -> Vec<String> {
        self.state.lock().trace.clone()
    }

    /// Treats the current content of every file as durable.
    pub fn mark_all_synced(&self) {
        let mut s = self.state.lock();
        for name in self.inner.names() {
            if let Some(f) = self.inner.shared(&name) {
                s.durable.insert(name, f.data.lock().clone());
            }
        }
    }

    /// Simulates a power failure: every file loses its unsynced writes.
    pub fn crash(&self) {
        let mut s = self.state.lock();
        s.trace.push("crash".to_string());
        for name in self.inner.names() {
            match (s.durable.get(&name), self.inner.shared(&name)) {
                (Some(image), Some(f)) => {
                    *f.data.lock() = image.clone();
                    // Shared memory does not survive a power failure.
                    *f.shm.lock() = super::heap_shm::HeapShm::default();
                }
                _ => {
                    self.inner.remove(&name);
                }
            }
        }
        s.durable
            .retain(|name, _| self.inner.shared(name).is_some());
    }

    fn log(&self, line: String) {
        self.state.lock().trace.push(line);
    }
}

impl Vfs for MockVfs {
    fn name(&self) -> &str {
        "mock"
    }

    fn open(&self, path: &str, flags: OpenFlags) -> Result<Box<dyn VfsFile>, VfsError> {
        self.log(format!("open {path}"));
        let inner = self.inner.open(path, flags)?;
        Ok(Box::new(MockFile {
            inner,
            path: path.to_string(),
            vfs: self.clone(),
        }))
    }

    fn delete(&self, path: &str, sync_dir: bool) -> Result<(), VfsError> {
        {
            let mut s = self.state.lock();
            s.trace.push(format!("delete {path}"));
            if s.tick() {
                return Err(VfsError::Io {
                    op: IoOp::Delete,
                    errno: 0,
                });
            }
        }
        self.inner.delete(path, sync_dir)?;
        self.state.lock().durable.remove(path);
        Ok(())
    }

    fn exists(&self, path: &str) -> Result<bool, VfsError> {
        self.inner.exists(path)
    }

    fn full_pathname(&self, path: &str) -> Result<String, VfsError> {
        self.inner.full_pathname(path)
    }

    fn randomness(&self, buf: &mut [u8]) {
        self.inner.randomness(buf)
    }

    fn sleep_micros(&self, micros: u64) {
        self.log(format!("sleep {micros}"));
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
    fn fault(&self, op: IoOp, line: String) -> Result<(), VfsError> {
        let mut s = self.vfs.state.lock();
        s.trace.push(line);
        if s.tick() || (op == IoOp::Fsync && s.fsync_fail) {
            return Err(VfsError::Io { op, errno: 0 });
        }
        Ok(())
    }
}

impl VfsFile for MockFile {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<(), VfsError> {
        self.fault(
            IoOp::Read,
            format!("read {} {offset} {}", self.path, buf.len()),
        )?;
        self.inner.read(buf, offset)
    }

    fn write(&mut self, buf: &[u8], offset: u64) -> Result<(), VfsError> {
        self.fault(
            IoOp::Write,
            format!("write {} {offset} {}", self.path, buf.len()),
        )?;
        let short = std::mem::take(&mut self.vfs.state.lock().short_write);
        if short {
            self.inner.write(&buf[..buf.len() / 2], offset)?;
            return Err(VfsError::Io {
                op: IoOp::Write,
                errno: 0,
            });
        }
        self.inner.write(buf, offset)
    }

    fn truncate(&mut self, size: u64) -> Result<(), VfsError> {
        self.fault(IoOp::Truncate, format!("truncate {} {size}", self.path))?;
        self.inner.truncate(size)
    }

    fn sync(&mut self, flags: SyncFlags) -> Result<(), VfsError> {
        self.fault(IoOp::Fsync, format!("sync {} {flags:?}", self.path))?;
        self.inner.sync(flags)?;
        if let Some(f) = self.vfs.inner.shared(&self.path) {
            let image = f.data.lock().clone();
            self.vfs
                .state
                .lock()
                .durable
                .insert(self.path.clone(), image);
        }
        Ok(())
    }

    fn file_size(&mut self) -> Result<u64, VfsError> {
        self.inner.file_size()
    }

    fn lock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.vfs.log(format!("lock {} {level:?}", self.path));
        self.inner.lock(level)
    }

    fn unlock(&mut self, level: LockLevel) -> Result<(), VfsError> {
        self.vfs.log(format!("unlock {} {level:?}", self.path));
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
}
