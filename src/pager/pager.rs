//! The [`Pager`]: opening a database file, the read side of transactions,
//! page access, configuration and hot-journal recovery.
//!
//! SQLite counterpart: pager.c (`sqlite3PagerOpen`, `sqlite3PagerSharedLock`,
//! `hasHotJournal`, `pager_playback`, `sqlite3PagerGet`).
//!
//! Database header fields the pager reads or writes (big-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 16 | "SQLite format 3\0" |
//! | 16 | 2  | page size (1 means 65536) |
//! | 18 | 1  | write version (2 = WAL) |
//! | 19 | 1  | read version (2 = WAL) |
//! | 20 | 1  | reserved bytes at the end of each page |
//! | 24 | 4  | file change counter |
//! | 28 | 4  | database size in pages |
//! | 92 | 4  | version-valid-for (= change counter) |
//! | 96 | 4  | `SQLITE_VERSION_NUMBER` of the last writer |
//!
//! Invariants:
//! 1. Outside a transaction the pager holds no lock; in a read transaction
//!    at least SHARED; in a write transaction at least RESERVED.
//! 2. The cache is trusted across transactions only while the 16 bytes at
//!    offset 24 of the file are unchanged.
//! 3. A hot journal is rolled back before any page is read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::vfs::{
    path_with_suffix, FileKind, LockLevel, MemVfs, OpenFlags, Vfs, VfsError, VfsFile,
};

use super::cache::{FxBuild, PCache, PageRef, Pgno, PgnoMap};
use super::error::{from_vfs, PagerError};
use super::journal::lock_byte_page;

/// The 16-byte magic at the start of every database file.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The largest page number (SQLite's default `max_page_count`).
pub const MAX_PAGE_COUNT: Pgno = 0xffff_fffe;
const DEFAULT_PAGE_SIZE: usize = 4096;
const DEFAULT_CACHE_KIB: usize = 2000;
const MIN_CACHE_PAGES: usize = 10;

/// Journal modes (`PRAGMA journal_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalMode {
    /// Delete the journal at commit.
    Delete,
    /// Truncate the journal to zero bytes at commit.
    Truncate,
    /// Zero the journal header at commit.
    Persist,
    /// Keep the journal in memory.
    Memory,
    /// No journal (no crash safety).
    Off,
    /// Write-ahead log.
    Wal,
}

/// `PRAGMA synchronous` levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Synchronous {
    /// Never fsync.
    Off,
    /// fsync the journal once and the database at commit.
    Normal,
    /// fsync the journal before and after writing its record count.
    Full,
    /// As Full, and also fsync the directory after deleting the journal.
    Extra,
}

/// The transaction a pager has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnState {
    /// No transaction, no lock.
    None,
    /// A read transaction (SHARED lock).
    Read,
    /// A write transaction (RESERVED lock or more).
    Write,
}

/// The rollback journal of the open write transaction.
#[derive(Debug, Default)]
pub(super) struct JournalState {
    /// The open journal file (file-based modes only).
    pub file: Option<Box<dyn VfsFile>>,
    pub nonce: u32,
    pub nrec: u32,
    /// Offset of the next record.
    pub offset: u64,
    pub sector_size: u32,
    /// The header already says "to end of file" (synchronous=OFF).
    pub header_final: bool,
    /// Offset of the current segment's header (0 for the first).
    pub hdr_offset: u64,
    /// The current segment's header holds its final record count and no
    /// record was added since (the next record starts a new segment).
    pub seg_synced: bool,
    /// Pages whose original is in the journal.
    pub journaled: std::collections::HashSet<Pgno, FxBuild>,
    /// Originals kept in memory (journal_mode=MEMORY).
    pub originals: PgnoMap<Box<[u8]>>,
    /// The journal ends with a super-journal pointer (super_journal.rs).
    pub has_super: bool,
    /// Commit phase one is done: the database file holds the new content
    /// and only the journal's finalization remains.
    pub phase_one_done: bool,
}

/// A statement or SAVEPOINT sub-transaction.
#[derive(Debug)]
pub(super) struct Savepoint {
    pub db_size: Pgno,
    pub originals: PgnoMap<Box<[u8]>>,
    pub serial: u32,
}

/// The busy handler: called with the number of retries so far; retry while true.
pub type BusyHandler = Box<dyn FnMut(u32) -> bool + Send>;

/// The pager (SQLite's `Pager`). See the module docs of [`crate::pager`] for
/// the state diagram.
pub struct Pager {
    pub(super) vfs: Arc<dyn Vfs>,
    pub(super) journal_path: PathBuf,
    pub(super) fd: Box<dyn VfsFile>,
    pub(super) read_only: bool,
    pub(super) memory: bool,
    pub(super) page_size: usize,
    pub(super) reserved: u8,
    pub(super) cache: PCache,
    pub(super) txn: TxnState,
    /// Pages in the database as this transaction sees it.
    pub(super) db_size: Pgno,
    /// Pages in the database when the write transaction began.
    pub(super) db_orig_size: Pgno,
    /// Pages in the file (reads beyond return zeros).
    pub(super) db_file_size: Pgno,
    pub(super) file_vers: [u8; 16],
    pub(super) journal_mode: JournalMode,
    pub(super) sync: Synchronous,
    pub(super) jrnl: JournalState,
    pub(super) savepoints: Vec<Savepoint>,
    pub(super) next_serial: u32,
    pub(super) busy: Option<BusyHandler>,
    /// Sticky error of a failed write; cleared by rollback.
    pub(super) error: Option<PagerError>,
    /// The database file was modified by this transaction's commit.
    pub(super) db_written: bool,
    /// Page 1's change counter was already bumped by this transaction.
    pub(super) counter_bumped: bool,
    /// `PRAGMA max_page_count`.
    pub(super) max_page_count: Pgno,
    /// `PRAGMA locking_mode=EXCLUSIVE`: locks are kept between transactions.
    pub(super) exclusive_mode: bool,
    /// The open write-ahead log (WAL mode).
    pub(super) wal: Option<Box<super::wal::Wal>>,
    /// `PRAGMA wal_autocheckpoint` (frames; 0 = off).
    pub(super) wal_autockpt: u32,
    /// A commit crossed the auto-checkpoint threshold.
    pub(super) wal_ckpt_due: bool,
    /// Frames in the WAL after the last commit, not yet reported to the
    /// connection's WAL hook (SQLite's `iCallback`); 0 = nothing to report.
    pub(super) wal_callback: u32,
    /// Cache spills since the pager opened (see `spill.rs`).
    pub(super) spills: u64,
    /// An application WAL hook replaced the auto-checkpoint for this
    /// database (`sqlite3_wal_hook`); cleared by `PRAGMA wal_autocheckpoint=N`.
    pub(super) wal_hook_custom: bool,
    /// Do not switch to WAL mode (while leaving it).
    pub(super) no_wal: bool,
}

impl std::fmt::Debug for Pager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("journal_path", &self.journal_path)
            .field("txn", &self.txn)
            .field("page_size", &self.page_size)
            .field("db_size", &self.db_size)
            .field("journal_mode", &self.journal_mode)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

/// Page size and reserved bytes from a database header.
pub(super) fn parse_header(h: &[u8; 100]) -> Result<(usize, u8), PagerError> {
    if &h[0..16] != SQLITE_MAGIC {
        return Err(PagerError::NotADatabase);
    }
    let raw = u16::from_be_bytes([h[16], h[17]]);
    let page_size = if raw == 1 { 65536 } else { usize::from(raw) };
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(PagerError::NotADatabase);
    }
    if h[18] > 2 || h[19] > 2 {
        return Err(PagerError::NotADatabase);
    }
    if usize::from(h[20]) + 480 > page_size {
        return Err(PagerError::NotADatabase);
    }
    Ok((page_size, h[20]))
}

impl Pager {
    /// Opens the database file `path` through `vfs`. An empty path opens a
    /// private temporary database, kept in memory as [`Pager::open_memory`].
    pub fn open(vfs: Arc<dyn Vfs>, path: &str, flags: OpenFlags) -> Result<Pager, PagerError> {
        Pager::open_path(vfs, Path::new(path), flags)
    }

    /// [`Pager::open`] for a file name of any bytes (not only UTF-8); the
    /// journal, WAL and shm files are named by appending to those bytes.
    pub fn open_path(
        vfs: Arc<dyn Vfs>,
        path: &Path,
        flags: OpenFlags,
    ) -> Result<Pager, PagerError> {
        if path.as_os_str().is_empty() {
            return Pager::open_memory();
        }
        let full = vfs.full_path(path)?;
        let fd = vfs.open_path(&full, flags)?;
        let read_only = flags.read_only || fd.is_read_only();
        let journal = path_with_suffix(&full, "-journal");
        let mut pager = Pager::with_file(vfs, journal, fd, false);
        pager.read_only = read_only;
        pager.read_header_unlocked()?;
        Ok(pager)
    }

    /// Opens a private in-memory database (`:memory:`) with an in-memory journal.
    pub fn open_memory() -> Result<Pager, PagerError> {
        let vfs: Arc<dyn Vfs> = Arc::new(MemVfs::new());
        let fd = vfs.open("", OpenFlags::main_db())?;
        let mut pager = Pager::with_file(vfs, PathBuf::new(), fd, true);
        pager.journal_mode = JournalMode::Memory;
        Ok(pager)
    }

    fn with_file(
        vfs: Arc<dyn Vfs>,
        journal_path: PathBuf,
        fd: Box<dyn VfsFile>,
        memory: bool,
    ) -> Pager {
        Pager {
            vfs,
            journal_path,
            fd,
            read_only: false,
            memory,
            page_size: DEFAULT_PAGE_SIZE,
            reserved: 0,
            cache: PCache::new(
                DEFAULT_PAGE_SIZE,
                DEFAULT_CACHE_KIB * 1024 / DEFAULT_PAGE_SIZE,
            ),
            txn: TxnState::None,
            db_size: 0,
            db_orig_size: 0,
            db_file_size: 0,
            file_vers: [0; 16],
            journal_mode: JournalMode::Delete,
            sync: Synchronous::Full,
            jrnl: JournalState::default(),
            savepoints: Vec::new(),
            next_serial: 1,
            busy: None,
            error: None,
            db_written: false,
            counter_bumped: false,
            max_page_count: MAX_PAGE_COUNT,
            exclusive_mode: false,
            wal: None,
            wal_autockpt: 1000,
            wal_ckpt_due: false,
            wal_callback: 0,
            spills: 0,
            wal_hook_custom: false,
            no_wal: false,
        }
    }

    /// Reads the header of an existing file at open (no lock needed: it
    /// is re-read under SHARED by every `begin_read`).
    fn read_header_unlocked(&mut self) -> Result<(), PagerError> {
        let size = self.fd.file_size()?;
        if size == 0 {
            return Ok(());
        }
        let mut h = [0u8; 100];
        match self.fd.read(&mut h, 0) {
            Ok(()) | Err(VfsError::ShortRead) => {}
            Err(e) => return Err(e.into()),
        }
        // An unreadable header is not an error yet: a hot journal may
        // repair it, and `begin_read` checks it again under SHARED.
        if let Ok((ps, reserved)) = parse_header(&h) {
            self.set_geometry(ps, reserved);
            if h[18] == 2 || h[19] == 2 {
                self.journal_mode = JournalMode::Wal;
            }
        }
        self.db_file_size = size.div_ceil(self.page_size as u64) as Pgno;
        Ok(())
    }

    pub(super) fn set_geometry(&mut self, page_size: usize, reserved: u8) {
        if page_size != self.page_size {
            self.page_size = page_size;
            self.cache.reset(page_size);
        }
        self.reserved = reserved;
    }

    /// Bytes per page.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// Bytes per page available to the b-tree (page size minus reserved bytes).
    pub fn usable_size(&self) -> usize {
        self.page_size - usize::from(self.reserved)
    }

    /// Sets the page size; only while the database has no pages.
    pub fn set_page_size(&mut self, n: usize) -> Result<(), PagerError> {
        if !n.is_power_of_two() || !(512..=65536).contains(&n) {
            return Err(PagerError::Misuse(
                "page size must be a power of two in 512..=65536",
            ));
        }
        if self.db_size != 0 || self.db_file_size != 0 || self.cache.n_dirty() != 0 {
            return Err(PagerError::Misuse(
                "page size can only change while the database is empty",
            ));
        }
        self.set_geometry(n, self.reserved);
        Ok(())
    }

    /// Sets the reserved bytes per page (a new, empty database only).
    pub fn set_reserved_bytes(&mut self, n: u8) {
        if self.db_size == 0 && self.db_file_size == 0 && usize::from(n) + 480 <= self.page_size {
            self.reserved = n;
        }
    }

    /// Pages in the database (valid inside a transaction).
    pub fn page_count(&self) -> Pgno {
        self.db_size
    }

    /// The open transaction.
    pub fn txn_state(&self) -> TxnState {
        self.txn
    }

    /// True if the database cannot be written.
    pub fn is_readonly(&self) -> bool {
        self.read_only
    }

    /// Sets `PRAGMA synchronous`.
    pub fn set_synchronous(&mut self, s: Synchronous) {
        self.sync = s;
    }

    /// Sets the number of clean pages kept in the cache (at least 10).
    pub fn set_cache_size(&mut self, pages: usize) {
        self.cache.set_capacity(pages.max(MIN_CACHE_PAGES));
    }

    /// Installs (or removes) the busy handler.
    pub fn set_busy_handler(&mut self, h: Option<BusyHandler>) {
        self.busy = h;
    }

    /// Cache (hits, misses) since the pager opened.
    pub fn cache_stats(&self) -> (u64, u64) {
        (self.cache.hits, self.cache.misses)
    }

    /// The journal mode.
    pub fn journal_mode(&self) -> JournalMode {
        self.journal_mode
    }

    /// Runs `f` until it stops returning `Busy` or the busy handler gives up.
    pub(super) fn retry_busy<T>(
        &mut self,
        mut f: impl FnMut(&mut Pager) -> Result<T, PagerError>,
    ) -> Result<T, PagerError> {
        let mut n = 0u32;
        loop {
            match f(self) {
                Err(e) if e.is_busy() => {
                    let again = self.busy.as_mut().is_some_and(|h| h(n));
                    if !again {
                        return Err(e);
                    }
                    n = n.saturating_add(1);
                }
                r => return r,
            }
        }
    }

    /// Starts a read transaction: SHARED lock, hot-journal recovery, and a
    /// cache flush if another connection changed the file.
    pub fn begin_read(&mut self) -> Result<(), PagerError> {
        if self.txn != TxnState::None {
            return Ok(());
        }
        self.retry_busy(|p| {
            let r = p.try_begin_read();
            if r.is_err() {
                p.unlock_after_failure();
            }
            r
        })?;
        self.txn = TxnState::Read;
        self.check_invariants();
        Ok(())
    }

    pub(super) fn try_begin_read(&mut self) -> Result<(), PagerError> {
        self.fd.lock(LockLevel::Shared).map_err(from_vfs)?;
        if !self.memory {
            self.recover_hot_journal()?;
            if self.wal_begin_read_if_wal()? {
                return Ok(());
            }
        }
        self.refresh_after_lock()
    }

    /// Re-reads size and header under SHARED; drops the cache on change.
    fn refresh_after_lock(&mut self) -> Result<(), PagerError> {
        let size = self.fd.file_size()?;
        let mut vers = [0u8; 16];
        if size > 0 {
            let mut h = [0u8; 100];
            match self.fd.read(&mut h, 0) {
                Ok(()) | Err(VfsError::ShortRead) => {}
                Err(e) => return Err(e.into()),
            }
            let (ps, reserved) = parse_header(&h)?;
            self.set_geometry(ps, reserved);
            vers.copy_from_slice(&h[24..40]);
        }
        if vers != self.file_vers {
            self.cache.reset(self.page_size);
            self.file_vers = vers;
        }
        self.db_file_size = size.div_ceil(self.page_size as u64) as Pgno;
        self.db_size = self.db_file_size;
        Ok(())
    }

    /// Ends a read transaction (no-op inside a write transaction).
    pub fn end_read(&mut self) {
        if self.txn == TxnState::Read {
            if self.wal.is_some() {
                self.wal_end_read();
            } else if !self.exclusive_mode {
                let _ = self.fd.unlock(LockLevel::None);
            }
            self.txn = TxnState::None;
            self.savepoints.clear();
        }
        self.check_invariants();
    }

    /// `PRAGMA max_page_count`: sets the limit (never below the current
    /// size; 0 only queries) and returns the limit in effect.
    pub fn set_max_page_count(&mut self, n: Pgno) -> Pgno {
        if n != 0 {
            self.max_page_count = n.max(self.db_size).min(MAX_PAGE_COUNT);
        }
        self.max_page_count
    }

    /// `PRAGMA locking_mode`: with `on`, locks are kept after transactions
    /// end (SQLite's exclusive locking mode); turning it off releases them
    /// at once when no transaction is open.
    pub fn set_exclusive_mode(&mut self, on: bool) {
        self.exclusive_mode = on;
        if !on && self.txn == TxnState::None {
            let _ = self.fd.unlock(LockLevel::None);
        }
    }

    /// The handle of page `pgno` if it is in the cache (no I/O).
    pub fn lookup(&mut self, pgno: Pgno) -> Option<PageRef> {
        if self.txn == TxnState::None || self.error.is_some() {
            return None;
        }
        self.cache.lookup(pgno)
    }

    /// The handle of page `pgno` (1..=page_count), reading it on a miss.
    pub fn get(&mut self, pgno: Pgno) -> Result<PageRef, PagerError> {
        if self.txn == TxnState::None {
            return Err(PagerError::Misuse("no read transaction"));
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        // The lock-byte page lies past PENDING_BYTE: test that with a
        // multiply before paying for the division.
        let past_pending = u64::from(pgno) * self.page_size as u64 > crate::vfs::PENDING_BYTE;
        if pgno == 0
            || pgno > self.db_size
            || (past_pending && pgno == lock_byte_page(self.page_size))
        {
            return Err(PagerError::corrupt(pgno));
        }
        if let Some(r) = self.cache.lookup(pgno) {
            return Ok(r);
        }
        let _span = tracing::trace_span!("pager.read", pgno).entered();
        self.spill_if_full()?;
        let (idx, r) = self.cache.insert(pgno);
        let in_file = pgno <= self.db_file_size;
        let offset = u64::from(pgno - 1) * self.page_size as u64;
        let Some(frame) = self.cache.frame_mut(idx) else {
            return Err(PagerError::StaleHandle);
        };
        let res =
            match super::wal::read_from_wal(&mut self.wal, self.fd.as_mut(), pgno, &mut frame.data)
            {
                Ok(true) => Ok(()),
                Err(e) => Err(e),
                Ok(false) if in_file => match self.fd.read(&mut frame.data, offset) {
                    Ok(()) | Err(VfsError::ShortRead) => Ok(()),
                    Err(e) => Err(PagerError::from(e)),
                },
                Ok(false) => {
                    frame.data.fill(0);
                    Ok(())
                }
            };
        if let Err(e) = res {
            self.cache.release(idx);
            return Err(e);
        }
        Ok(r)
    }

    /// The bytes of page `pgno` (1..=page_count), reading it on a miss:
    /// [`Pager::get`] then [`Pager::data`], with a cache hit answered by
    /// one lookup (the b-tree's read path).
    #[inline]
    pub fn read_page(&mut self, pgno: Pgno) -> Result<&[u8], PagerError> {
        let fast = self.txn != TxnState::None
            && self.error.is_none()
            && pgno != 0
            && pgno <= self.db_size
            && u64::from(pgno) * (self.page_size as u64) <= crate::vfs::PENDING_BYTE;
        if fast {
            if let Some(idx) = self.cache.find(pgno) {
                return self
                    .cache
                    .frame(idx)
                    .map(|f| &f.data[..])
                    .ok_or(PagerError::StaleHandle);
            }
        }
        let r = self.get(pgno)?;
        self.data(r)
    }

    /// The bytes of a page.
    pub fn data(&self, r: PageRef) -> Result<&[u8], PagerError> {
        let idx = self.cache.check(r)?;
        self.cache
            .frame(idx)
            .map(|f| &f.data[..])
            .ok_or(PagerError::StaleHandle)
    }

    /// Sets the journal mode; returns the mode in effect afterwards.
    pub fn set_journal_mode(&mut self, m: JournalMode) -> Result<JournalMode, PagerError> {
        if self.memory && m == JournalMode::Wal {
            return Ok(self.journal_mode);
        }
        if m == JournalMode::Wal || self.wal.is_some() {
            if self.txn == TxnState::Write || (m == JournalMode::Wal) == self.wal.is_some() {
                return Ok(self.journal_mode);
            }
            if m == JournalMode::Wal {
                self.enter_wal()?;
            } else {
                self.leave_wal(m)?;
            }
            return Ok(self.journal_mode);
        }
        if self.memory && !matches!(m, JournalMode::Memory | JournalMode::Off) {
            return Ok(self.journal_mode);
        }
        let journal_open = self.jrnl.file.is_some() || !self.jrnl.originals.is_empty();
        if self.txn == TxnState::Write && journal_open {
            return Ok(self.journal_mode);
        }
        let old = self.journal_mode;
        self.journal_mode = m;
        if matches!(old, JournalMode::Persist | JournalMode::Truncate)
            && m == JournalMode::Delete
            && self.txn == TxnState::None
        {
            self.delete_stale_journal();
        }
        Ok(m)
    }

    /// Deletes a leftover (non-hot) journal when leaving PERSIST/TRUNCATE.
    fn delete_stale_journal(&mut self) {
        if self.fd.lock(LockLevel::Shared).is_ok()
            && self.fd.lock(LockLevel::Reserved).is_ok()
            && self.vfs.exists_path(&self.journal_path).unwrap_or(false)
        {
            let _ = self.vfs.delete_path(&self.journal_path, false);
        }
        let _ = self.fd.unlock(LockLevel::None);
    }

    /// Rolls back a hot journal left by a crashed writer (any process).
    fn recover_hot_journal(&mut self) -> Result<(), PagerError> {
        if !self.is_journal_hot()? {
            return Ok(());
        }
        if self.read_only {
            return Err(PagerError::ReadOnlyRollback);
        }
        self.fd.lock(LockLevel::Exclusive).map_err(from_vfs)?;
        if !self.vfs.exists_path(&self.journal_path)? {
            self.fd.unlock(LockLevel::Shared)?;
            return Ok(());
        }
        let flags = OpenFlags {
            create: false,
            ..OpenFlags::main_db()
        };
        let mut jfd = self
            .vfs
            .open_path(&self.journal_path, flags.with_kind(FileKind::MainJournal))?;
        let release = self.playback_unless_committed(jfd.as_mut(), true)?;
        if self.sync != Synchronous::Off {
            self.fd.sync(self.db_sync_flags())?;
        }
        self.finalize_journal_file(jfd)?;
        self.jrnl.has_super = false;
        if let Some(name) = release {
            self.release_super_journal(&name)?;
        }
        self.cache.reset(self.page_size);
        self.file_vers = [0xff; 16];
        self.fd.unlock(LockLevel::Shared)?;
        Ok(())
    }

    /// Invariant 1 of the journal module: exists, non-empty, first byte
    /// non-zero, and no RESERVED lock on the database.
    fn is_journal_hot(&mut self) -> Result<bool, PagerError> {
        if !self.vfs.exists_path(&self.journal_path)? || self.fd.check_reserved_lock()? {
            return Ok(false);
        }
        let flags = OpenFlags {
            read_only: true,
            create: false,
            ..OpenFlags::main_db()
        };
        let Ok(mut j) = self
            .vfs
            .open_path(&self.journal_path, flags.with_kind(FileKind::MainJournal))
        else {
            return Ok(false);
        };
        if j.file_size()? == 0 {
            return Ok(false);
        }
        let mut first = [0u8; 1];
        match j.read(&mut first, 0) {
            Ok(()) => Ok(first[0] != 0),
            Err(VfsError::ShortRead) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Debug-only consistency check run at every state transition.
    pub fn check_invariants(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        self.cache.check_invariants();
        let lock = self.fd.lock_level();
        match self.txn {
            TxnState::None => {
                debug_assert!(
                    self.exclusive_mode || self.wal.is_some() || lock == LockLevel::None,
                    "lock held"
                );
                debug_assert_eq!(self.cache.n_dirty(), 0, "dirty pages outside a txn");
                debug_assert!(self.savepoints.is_empty());
            }
            TxnState::Read => {
                debug_assert!(lock >= LockLevel::Shared, "read txn without SHARED");
                debug_assert_eq!(self.cache.n_dirty(), 0, "dirty pages in a read txn");
            }
            TxnState::Write => {
                debug_assert!(
                    lock >= LockLevel::Reserved || self.wal.is_some(),
                    "write txn without RESERVED"
                );
                debug_assert!(!self.read_only);
            }
        }
    }
}
