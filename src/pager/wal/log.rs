//! [`Wal`]: one connection's view of a write-ahead log — read snapshots
//! (read marks), the write lock, appending frames, and recovery of the
//! wal-index from the WAL file.
//!
//! SQLite counterpart: `sqlite3WalOpen`, `walIndexReadHdr`,
//! `walIndexRecover`, `walTryBeginRead`, `sqlite3WalBeginReadTransaction`,
//! `sqlite3WalEndReadTransaction`, `sqlite3WalFindFrame`,
//! `sqlite3WalReadFrame`, `sqlite3WalBeginWriteTransaction`,
//! `walRestartLog`, `walRestartHdr`, `sqlite3WalFrames` in wal.c; wal.html.
//!
//! Invariants:
//! 1. While `read_lock >= 0` the connection holds READ(`read_lock`) shared
//!    and `hdr` is its snapshot: frames `min_frame..=hdr.mx_frame` of the
//!    WAL are valid for it (none when `read_lock == 0`).
//! 2. `write_lock` implies the WRITE slot is held exclusively and `hdr`
//!    equals the published header (no newer commit exists).
//! 3. Recovery runs holding WRITE, CKPT and RECOVER and publishes only
//!    frames up to the last valid commit frame.

use std::sync::Arc;

use crate::vfs::{FileKind, OpenFlags, SyncFlags, Vfs, VfsError, VfsFile};

use super::format::{
    decode_frame, encode_frame, native_magic, WalHeader, FRAME_HDR_SIZE, WAL_HDR_SIZE,
};
use super::index::{
    read_lock, IndexHdr, Shm, CKPT_LOCK, NREADER, READMARK_NOT_USED, RECOVER_LOCK, WRITE_LOCK,
};
use crate::pager::error::PagerError;

/// The outcome of one attempt to start a read (SQLite's `WAL_RETRY`).
pub(super) enum Attempt {
    Done(bool),
    Retry,
}

/// One connection's handle on a WAL (SQLite's `Wal`).
pub struct Wal {
    pub(super) vfs: Arc<dyn Vfs>,
    pub(super) path: std::path::PathBuf,
    pub(super) fd: Box<dyn VfsFile>,
    pub(super) hdr: IndexHdr,
    /// The raw bytes `hdr` was read from or published as.
    pub(super) hdr_bytes: [u8; 48],
    pub(super) read_lock: i32,
    pub(super) min_frame: u32,
    pub(super) write_lock: bool,
    pub(super) ckpt_seq: u32,
    pub(super) page_size: u32,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal")
            .field("path", &self.path)
            .field("hdr", &self.hdr)
            .field("read_lock", &self.read_lock)
            .finish_non_exhaustive()
    }
}

fn read_or_eof(f: &mut dyn VfsFile, buf: &mut [u8], off: u64) -> Result<bool, PagerError> {
    match f.read(buf, off) {
        Ok(()) => Ok(true),
        Err(VfsError::ShortRead) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

impl Wal {
    /// Opens (creating if needed) the WAL file `<db>-wal`.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        db_path: &std::path::Path,
        page_size: u32,
    ) -> Result<Wal, PagerError> {
        let path = crate::vfs::path_with_suffix(db_path, "-wal");
        let fd = vfs.open_path(&path, OpenFlags::main_db().with_kind(FileKind::Wal))?;
        Ok(Wal {
            vfs,
            path,
            fd,
            hdr: IndexHdr::default(),
            hdr_bytes: [0; 48],
            read_lock: -1,
            min_frame: 0,
            write_lock: false,
            ckpt_seq: 0,
            page_size,
        })
    }

    /// Byte offset of frame `frame` (1-based) in the WAL file.
    pub(super) fn frame_offset(&self, frame: u32) -> u64 {
        WAL_HDR_SIZE + u64::from(frame - 1) * (self.page_size as u64 + FRAME_HDR_SIZE as u64)
    }

    /// Reads the published header; recovers the index if it is unusable.
    /// Returns true if the snapshot changed. Err(Busy) = retry later.
    fn read_hdr(&mut self, db: &mut dyn VfsFile) -> Result<bool, PagerError> {
        let mut shm = Shm { db };
        shm.map(0)?;
        if let Some(changed) = self.try_hdr(&mut shm)? {
            return Ok(changed);
        }
        if let Err(e) = shm.lock(WRITE_LOCK, 1, true) {
            // Another connection holds the writer lock: if it is running
            // recovery (RECOVER held), say so, as SQLite's walTryBeginRead.
            if matches!(e, PagerError::Busy) {
                match shm.lock(RECOVER_LOCK, 1, false) {
                    Ok(()) => shm.unlock(RECOVER_LOCK, 1, false),
                    Err(PagerError::Busy) => return Err(PagerError::BusyRecovery),
                    Err(other) => return Err(other),
                }
            }
            return Err(e);
        }
        let r = match self.try_hdr(&mut shm) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => self.recover(&mut shm).map(|()| true),
            Err(e) => Err(e),
        };
        shm.unlock(WRITE_LOCK, 1, true);
        r
    }

    fn try_hdr(&mut self, shm: &mut Shm<'_>) -> Result<Option<bool>, PagerError> {
        let (a, b) = shm.read_hdr_copies()?;
        if a != b {
            return Ok(None);
        }
        let Some(h) = IndexHdr::decode(&a) else {
            return Ok(None);
        };
        if h.page_size != 0 && h.page_size != self.page_size {
            if !(h.page_size.is_power_of_two() && (512..=65536).contains(&h.page_size)) {
                return Ok(None);
            }
            self.page_size = h.page_size;
        }
        let changed = a != self.hdr_bytes;
        self.hdr = h;
        self.hdr_bytes = a;
        Ok(Some(changed))
    }

    /// Rebuilds the wal-index from the WAL file (SQLite's `walIndexRecover`).
    fn recover(&mut self, shm: &mut Shm<'_>) -> Result<(), PagerError> {
        shm.lock(CKPT_LOCK, RECOVER_LOCK - CKPT_LOCK + 1, true)?;
        let r = self.recover_locked(shm);
        shm.unlock(CKPT_LOCK, RECOVER_LOCK - CKPT_LOCK + 1, true);
        r
    }

    fn recover_locked(&mut self, shm: &mut Shm<'_>) -> Result<(), PagerError> {
        tracing::debug!(wal = %self.path.display(), "recovering wal-index");
        let mut hdr = IndexHdr {
            big_end_cksum: cfg!(target_endian = "big"),
            page_size: self.page_size,
            ..IndexHdr::default()
        };
        let size = self.fd.file_size()?;
        let mut hb = [0u8; 32];
        let wh = if size >= WAL_HDR_SIZE && read_or_eof(self.fd.as_mut(), &mut hb, 0)? {
            WalHeader::decode(&hb)
        } else {
            None
        };
        if let Some(wh) = wh {
            self.page_size = wh.page_size;
            self.ckpt_seq = wh.ckpt_seq;
            hdr = IndexHdr {
                big_end_cksum: wh.big_endian,
                page_size: wh.page_size,
                salt: wh.salt,
                frame_cksum: wh.cksum,
                ..hdr
            };
            self.scan_frames(shm, &wh, size, &mut hdr)?;
        }
        hdr.is_init = true;
        hdr.change = self.hdr.change.wrapping_add(1);
        shm.write_hdr(&hdr)?;
        self.hdr = hdr;
        self.hdr_bytes = hdr.encode();
        shm.set_n_backfill(0)?;
        shm.set_backfill_attempted(hdr.mx_frame)?;
        shm.set_read_mark(0, 0)?;
        for i in 1..NREADER {
            match shm.lock(read_lock(i), 1, true) {
                Ok(()) => {
                    let v = if i == 1 && hdr.mx_frame > 0 {
                        hdr.mx_frame
                    } else {
                        READMARK_NOT_USED
                    };
                    shm.set_read_mark(i, v)?;
                    shm.unlock(read_lock(i), 1, true);
                }
                Err(PagerError::Busy) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Indexes every valid frame; `hdr` ends at the last commit frame.
    fn scan_frames(
        &mut self,
        shm: &mut Shm<'_>,
        wh: &WalHeader,
        size: u64,
        hdr: &mut IndexHdr,
    ) -> Result<(), PagerError> {
        let ps = wh.page_size as usize;
        let mut buf = vec![0u8; FRAME_HDR_SIZE + ps];
        let mut ck = wh.cksum;
        let mut frame = 1u32;
        loop {
            let off = self.frame_offset(frame);
            if off + buf.len() as u64 > size || !read_or_eof(self.fd.as_mut(), &mut buf, off)? {
                break;
            }
            let (h, page) = buf.split_at(FRAME_HDR_SIZE);
            let Some((pgno, commit, nck)) = decode_frame(wh.big_endian, &wh.salt, ck, h, page)
            else {
                break;
            };
            ck = nck;
            shm.append(frame, pgno, hdr.mx_frame)?;
            if commit != 0 {
                hdr.mx_frame = frame;
                hdr.n_page = commit;
                hdr.frame_cksum = ck;
            }
            frame += 1;
        }
        Ok(())
    }

    /// Starts a read snapshot (SQLite's `walTryBeginRead` loop). Returns
    /// true if the snapshot differs from the previous one.
    pub fn begin_read(&mut self, db: &mut dyn VfsFile) -> Result<bool, PagerError> {
        let mut changed = false;
        for n in 0..100u32 {
            match self.try_begin_read(db, false) {
                Ok(Attempt::Done(c)) => return Ok(changed || c),
                Ok(Attempt::Retry) | Err(PagerError::Busy) => changed = true,
                Err(e) => return Err(e),
            }
            if n > 5 {
                self.vfs.sleep_micros(u64::from(n) * 100);
            }
        }
        Err(PagerError::Busy)
    }

    fn try_begin_read(
        &mut self,
        db: &mut dyn VfsFile,
        use_wal: bool,
    ) -> Result<Attempt, PagerError> {
        let changed = if use_wal { false } else { self.read_hdr(db)? };
        let mut shm = Shm { db };
        let backfill = shm.n_backfill()?;
        let mx = self.hdr.mx_frame;
        if backfill == mx && !use_wal {
            shm.lock(read_lock(0), 1, false)?;
            if !self.hdr_unchanged(&mut shm)? {
                shm.unlock(read_lock(0), 1, false);
                return Ok(Attempt::Retry);
            }
            self.read_lock = 0;
            self.min_frame = mx + 1;
            return Ok(Attempt::Done(changed));
        }
        let (mut best, mut best_i) = (0u32, 0usize);
        for i in 1..NREADER {
            let m = shm.read_mark(i)?;
            if best <= m && m <= mx {
                best = m;
                best_i = i;
            }
        }
        if best < mx || best_i == 0 {
            for i in 1..NREADER {
                match shm.lock(read_lock(i), 1, true) {
                    Ok(()) => {
                        shm.set_read_mark(i, mx)?;
                        shm.unlock(read_lock(i), 1, true);
                        best = mx;
                        best_i = i;
                        break;
                    }
                    Err(PagerError::Busy) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if best_i == 0 {
            return Ok(Attempt::Retry);
        }
        shm.lock(read_lock(best_i), 1, false)?;
        self.min_frame = shm.n_backfill()? + 1;
        if shm.read_mark(best_i)? != best || !self.hdr_unchanged(&mut shm)? {
            shm.unlock(read_lock(best_i), 1, false);
            return Ok(Attempt::Retry);
        }
        self.read_lock = best_i as i32;
        Ok(Attempt::Done(changed))
    }

    fn hdr_unchanged(&self, shm: &mut Shm<'_>) -> Result<bool, PagerError> {
        let (a, _) = shm.read_hdr_copies()?;
        Ok(a == self.hdr_bytes)
    }

    /// Ends the read snapshot.
    pub fn end_read(&mut self, db: &mut dyn VfsFile) {
        if self.read_lock >= 0 {
            Shm { db }.unlock(read_lock(self.read_lock as usize), 1, false);
            self.read_lock = -1;
        }
    }

    /// Database size in pages of the snapshot (0 = use the file size).
    pub fn db_size(&self) -> u32 {
        if self.read_lock >= 0 {
            self.hdr.n_page
        } else {
            0
        }
    }

    /// The frame holding `pgno` in the snapshot, if any.
    pub fn find_frame(
        &mut self,
        db: &mut dyn VfsFile,
        pgno: u32,
    ) -> Result<Option<u32>, PagerError> {
        if self.read_lock <= 0 {
            return Ok(None);
        }
        Shm { db }.find_frame(pgno, self.min_frame.max(1), self.hdr.mx_frame)
    }

    /// Reads the page of frame `frame` into `buf`.
    pub fn read_frame(&mut self, frame: u32, buf: &mut [u8]) -> Result<(), PagerError> {
        let off = self.frame_offset(frame) + FRAME_HDR_SIZE as u64;
        match self.fd.read(buf, off) {
            Ok(()) | Err(VfsError::ShortRead) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes the WRITE lock (SQLite's `sqlite3WalBeginWriteTransaction`);
    /// Busy if another writer holds it, BusySnapshot if another connection
    /// committed since this snapshot began.
    pub fn begin_write(&mut self, db: &mut dyn VfsFile) -> Result<(), PagerError> {
        if self.write_lock {
            return Ok(());
        }
        let mut shm = Shm { db };
        shm.lock(WRITE_LOCK, 1, true)?;
        if !self.hdr_unchanged(&mut shm)? {
            shm.unlock(WRITE_LOCK, 1, true);
            return Err(PagerError::BusySnapshot);
        }
        self.write_lock = true;
        Ok(())
    }

    /// Releases the WRITE lock.
    pub fn end_write(&mut self, db: &mut dyn VfsFile) {
        if self.write_lock {
            Shm { db }.unlock(WRITE_LOCK, 1, true);
            self.write_lock = false;
        }
    }

    /// Restarts the log at frame 1 when it is fully checkpointed and no
    /// reader uses it (SQLite's `walRestartLog`).
    fn restart_if_possible(&mut self, db: &mut dyn VfsFile) -> Result<(), PagerError> {
        if self.read_lock != 0 {
            return Ok(());
        }
        let mut shm = Shm { db };
        if shm.n_backfill()? > 0 {
            match shm.lock(read_lock(1), NREADER - 1, true) {
                Ok(()) => {
                    let r = self.restart_hdr(&mut shm);
                    shm.unlock(read_lock(1), NREADER - 1, true);
                    r?;
                }
                Err(PagerError::Busy) => {}
                Err(e) => return Err(e),
            }
        }
        shm.unlock(read_lock(0), 1, false);
        self.read_lock = -1;
        for n in 0..100u32 {
            match self.try_begin_read(shm.db, true)? {
                Attempt::Done(_) => return Ok(()),
                Attempt::Retry => self.vfs.sleep_micros(u64::from(n) * 50),
            }
        }
        Err(PagerError::Busy)
    }

    /// Starts a new WAL generation (SQLite's `walRestartHdr`).
    pub(super) fn restart_hdr(&mut self, shm: &mut Shm<'_>) -> Result<(), PagerError> {
        let mut rnd = [0u8; 4];
        self.vfs.randomness(&mut rnd);
        self.ckpt_seq = self.ckpt_seq.wrapping_add(1);
        let s1 = u32::from_be_bytes([
            self.hdr.salt[0],
            self.hdr.salt[1],
            self.hdr.salt[2],
            self.hdr.salt[3],
        ]);
        self.hdr.salt[0..4].copy_from_slice(&s1.wrapping_add(1).to_be_bytes());
        self.hdr.salt[4..8].copy_from_slice(&rnd);
        self.hdr.mx_frame = 0;
        self.hdr.change = self.hdr.change.wrapping_add(1);
        self.hdr.is_init = true;
        shm.write_hdr(&self.hdr)?;
        self.hdr_bytes = self.hdr.encode();
        shm.set_n_backfill(0)?;
        shm.set_backfill_attempted(0)?;
        shm.set_read_mark(1, 0)?;
        for i in 2..NREADER {
            shm.set_read_mark(i, READMARK_NOT_USED)?;
        }
        Ok(())
    }

    /// Appends `pages` as frames, the last one a commit frame recording
    /// `db_size`, then publishes the new header (SQLite's `sqlite3WalFrames`).
    pub fn write_frames(
        &mut self,
        db: &mut dyn VfsFile,
        pages: &[(u32, &[u8])],
        db_size: u32,
        sync: Option<SyncFlags>,
    ) -> Result<(), PagerError> {
        if !self.write_lock {
            return Err(PagerError::Misuse("WAL write without the write lock"));
        }
        self.restart_if_possible(db)?;
        let big = self.hdr.big_end_cksum;
        let mut frame = self.hdr.mx_frame;
        let mut ck = self.hdr.frame_cksum;
        if frame == 0 {
            ck = self.write_wal_header(sync)?;
        }
        let first = frame + 1;
        let n = pages.len();
        let mut index = Vec::with_capacity(n);
        for (i, (pgno, data)) in pages.iter().enumerate() {
            frame += 1;
            let commit = if i + 1 == n { db_size } else { 0 };
            let (h, nck) = encode_frame(big, *pgno, commit, &self.hdr.salt, ck, data);
            ck = nck;
            let off = self.frame_offset(frame);
            self.fd.write(&h, off)?;
            self.fd.write(data, off + FRAME_HDR_SIZE as u64)?;
            index.push((frame, *pgno));
        }
        if let Some(flags) = sync {
            self.fd.sync(flags)?;
        }
        let mut shm = Shm { db };
        for (f, pgno) in index {
            shm.append(f, pgno, first - 1)?;
        }
        self.hdr.mx_frame = frame;
        self.hdr.n_page = db_size;
        self.hdr.frame_cksum = ck;
        self.hdr.change = self.hdr.change.wrapping_add(1);
        self.hdr.is_init = true;
        shm.write_hdr(&self.hdr)?;
        self.hdr_bytes = self.hdr.encode();
        Ok(())
    }

    /// Writes the WAL header for a new generation; returns its checksum.
    fn write_wal_header(&mut self, sync: Option<SyncFlags>) -> Result<[u32; 2], PagerError> {
        if self.hdr.salt == [0u8; 8] {
            self.vfs.randomness(&mut self.hdr.salt);
        }
        self.hdr.big_end_cksum = native_magic() & 1 == 1;
        self.hdr.page_size = self.page_size;
        let wh = WalHeader {
            big_endian: self.hdr.big_end_cksum,
            page_size: self.page_size,
            ckpt_seq: self.ckpt_seq,
            salt: self.hdr.salt,
            cksum: [0, 0],
        };
        let b = wh.encode();
        self.fd.write(&b, 0)?;
        if let Some(flags) = sync {
            self.fd.sync(flags)?;
        }
        Ok(WalHeader::decode(&b).map_or([0, 0], |h| h.cksum))
    }
}
