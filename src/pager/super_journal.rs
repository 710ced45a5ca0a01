//! Super-journals: atomic commit of one transaction across several
//! database files (the main database and ATTACHed ones).
//!
//! SQLite counterpart: `vdbeCommit` (vdbeaux.c, the multi-file branch),
//! `writeSuperJournal`, `readSuperJournal`, `pager_delsuper` (pager.c);
//! atomiccommit.html section 5 "Multi-file Commit".
//!
//! The super-journal file `<main db>-mjXXXXXX9XX` (random hex; the third
//! character from the end is always `9`) holds the full path of every
//! child rollback journal, each followed by a NUL byte.
//!
//! The super-journal pointer appended to each child journal (big-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0     | 4 | the lock-byte page number (`PENDING_BYTE / page size + 1`) |
//! | 4     | N | the super-journal path, no terminator |
//! | 4+N   | 4 | N |
//! | 8+N   | 4 | checksum: the sum of the name's bytes as signed chars |
//! | 12+N  | 8 | the journal magic `d9 d5 05 f9 20 a1 63 d7` |
//!
//! It is read back from the end of the journal file, so the journal must
//! end right after it (a PERSIST journal is truncated there).
//!
//! Commit protocol (driven from the VDBE's `commit_all`):
//! 1. write the super-journal, fsync it (and its directory, the VFS does
//!    that at the first sync of a new journal file);
//! 2. each child: append the pointer, sync the journal, write and sync the
//!    database file ([`Pager::commit_phase_one`]);
//! 3. delete the super-journal (directory synced): the commit point;
//! 4. each child: finalize its journal ([`Pager::commit_phase_two`]).
//!
//! Invariants:
//! 1. A journal whose pointer names a super-journal that does not exist
//!    belongs to a committed transaction: it is finalized, not played back.
//! 2. A super-journal is deleted only when no existing child journal
//!    points to it (`delete_super_if_unreferenced`).
//! 3. Names longer than `MAX_PATHNAME` bytes, empty names, names holding a
//!    NUL byte or with a bad checksum are no pointer at all.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::vfs::{FileKind, OpenFlags, SyncFlags, Vfs, VfsError, VfsFile};

use super::error::PagerError;
use super::journal::{lock_byte_page, playback, JOURNAL_MAGIC};
use super::pager::Pager;

/// The longest path a super-journal pointer may hold (the unix VFS's
/// `mxPathname`).
const MAX_PATHNAME: u32 = 512;
/// Attempts to find an unused super-journal name.
const NAME_TRIES: usize = 100;

/// The pointer's checksum: the name's bytes added as signed chars.
fn name_checksum(name: &[u8]) -> u32 {
    name.iter()
        .fold(0u32, |s, &b| s.wrapping_add(i32::from(b as i8) as u32))
}

/// The super-journal pointer record for `name` (module table).
pub(super) fn encode_pointer(name: &Path, page_size: usize) -> Vec<u8> {
    let n = name.as_os_str().as_bytes();
    let mut rec = Vec::with_capacity(n.len() + 20);
    rec.extend_from_slice(&lock_byte_page(page_size).to_be_bytes());
    rec.extend_from_slice(n);
    rec.extend_from_slice(&(n.len() as u32).to_be_bytes());
    rec.extend_from_slice(&name_checksum(n).to_be_bytes());
    rec.extend_from_slice(&JOURNAL_MAGIC);
    rec
}

fn read_exact(f: &mut dyn VfsFile, buf: &mut [u8], off: u64) -> Result<bool, VfsError> {
    match f.read(buf, off) {
        Ok(()) => Ok(true),
        Err(VfsError::ShortRead) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The super-journal named at the end of journal `j`, if any (invariant 3).
pub(super) fn read_pointer(j: &mut dyn VfsFile) -> Result<Option<PathBuf>, VfsError> {
    let size = j.file_size()?;
    if size < 16 {
        return Ok(None);
    }
    let mut tail = [0u8; 16];
    if !read_exact(j, &mut tail, size - 16)? || tail[8..16] != JOURNAL_MAGIC {
        return Ok(None);
    }
    let len = u32::from_be_bytes([tail[0], tail[1], tail[2], tail[3]]);
    let sum = u32::from_be_bytes([tail[4], tail[5], tail[6], tail[7]]);
    if len == 0 || len > MAX_PATHNAME || u64::from(len) > size - 16 {
        return Ok(None);
    }
    let mut name = vec![0u8; len as usize];
    if !read_exact(j, &mut name, size - 16 - u64::from(len))? {
        return Ok(None);
    }
    if name_checksum(&name) != sum || name.contains(&0) {
        return Ok(None);
    }
    Ok(Some(PathBuf::from(OsStr::from_bytes(&name))))
}

/// Opens an existing file read-only.
fn open_existing(
    vfs: &Arc<dyn Vfs>,
    path: &Path,
    kind: FileKind,
) -> Result<Box<dyn VfsFile>, VfsError> {
    let flags = OpenFlags {
        read_only: true,
        create: false,
        ..OpenFlags::main_db()
    };
    vfs.open_path(path, flags.with_kind(kind))
}

/// Deletes super-journal `name` unless an existing child journal still
/// points to it (SQLite's `pager_delsuper`; invariant 2).
pub(super) fn delete_super_if_unreferenced(
    vfs: &Arc<dyn Vfs>,
    name: &Path,
) -> Result<(), PagerError> {
    if !vfs.exists_path(name)? {
        return Ok(());
    }
    let mut sj = open_existing(vfs, name, FileKind::SuperJournal)?;
    let size = sj.file_size()?;
    let mut body = vec![0u8; usize::try_from(size).unwrap_or(0)];
    if !body.is_empty() {
        read_exact(sj.as_mut(), &mut body, 0)?;
    }
    drop(sj);
    for child in body.split(|&b| b == 0).filter(|c| !c.is_empty()) {
        let child = Path::new(OsStr::from_bytes(child));
        if !vfs.exists_path(child)? {
            continue;
        }
        let mut j = open_existing(vfs, child, FileKind::MainJournal)?;
        if read_pointer(j.as_mut())?.as_deref() == Some(name) {
            return Ok(());
        }
    }
    match vfs.delete_path(name, false) {
        Ok(()) | Err(VfsError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl Pager {
    /// The path of this database's rollback journal, listed in a
    /// super-journal; `None` for in-memory and temporary databases.
    pub fn journal_name(&self) -> Option<&Path> {
        (!self.memory && !self.journal_path.as_os_str().is_empty())
            .then_some(self.journal_path.as_path())
    }

    /// True if this database, writing, needs a super-journal to commit
    /// atomically with others: a file database with a file journal (not
    /// WAL, MEMORY or OFF) and `synchronous` not OFF.
    pub fn wants_super_journal(&self) -> bool {
        use super::pager::{JournalMode, Synchronous};
        self.journal_name().is_some()
            && self.wal.is_none()
            && self.sync != Synchronous::Off
            && matches!(
                self.journal_mode,
                JournalMode::Delete | JournalMode::Truncate | JournalMode::Persist
            )
    }

    /// True if this pager's `synchronous` setting asks for syncs.
    pub fn syncs(&self) -> bool {
        self.sync != super::pager::Synchronous::Off
    }

    /// Step 1 of a multi-file commit, called on the main database's pager:
    /// creates `<db>-mjXXXXXX9XX` listing `children` (NUL-terminated) and,
    /// with `sync`, makes it durable. Returns its path.
    pub fn create_super_journal(
        &self,
        children: &[PathBuf],
        sync: bool,
    ) -> Result<PathBuf, PagerError> {
        let db = self
            .journal_name()
            .and_then(|j| j.as_os_str().as_bytes().strip_suffix(b"-journal"));
        let Some(db) = db.map(|d| Path::new(OsStr::from_bytes(d))) else {
            return Err(PagerError::Misuse("super-journal of an in-memory database"));
        };
        let mut name = None;
        for _ in 0..NAME_TRIES {
            let mut r = [0u8; 4];
            self.vfs.randomness(&mut r);
            let v = u32::from_be_bytes(r);
            let tail = format!("-mj{:06X}9{:02X}", (v >> 8) & 0xff_ffff, v & 0xff);
            let cand = crate::vfs::path_with_suffix(db, &tail);
            if !self.vfs.exists_path(&cand)? {
                name = Some(cand);
                break;
            }
        }
        let Some(name) = name else {
            return Err(PagerError::Misuse("no free super-journal name"));
        };
        let flags = OpenFlags {
            exclusive: true,
            ..OpenFlags::main_db()
        };
        let mut f = self
            .vfs
            .open_path(&name, flags.with_kind(FileKind::SuperJournal))?;
        let mut body = Vec::new();
        for c in children {
            body.extend_from_slice(c.as_os_str().as_bytes());
            body.push(0);
        }
        let written = f.write(&body, 0).and_then(|()| {
            if sync {
                f.sync(SyncFlags::Normal)
            } else {
                Ok(())
            }
        });
        drop(f);
        if let Err(e) = written {
            let _ = self.vfs.delete_path(&name, false);
            return Err(e.into());
        }
        Ok(name)
    }

    /// Step 3 of a multi-file commit: deletes the super-journal and syncs
    /// its directory. Once this returns, the transaction is committed.
    pub fn delete_super_journal(&self, name: &Path) -> Result<(), PagerError> {
        match self.vfs.delete_path(name, true) {
            Ok(()) | Err(VfsError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes super-journal `name` if no child journal points to it any
    /// more (cleanup after a failed multi-file commit).
    pub fn release_super_journal(&self, name: &Path) -> Result<(), PagerError> {
        delete_super_if_unreferenced(&self.vfs, name)
    }

    /// Plays journal `j` back unless it points to a super-journal that no
    /// longer exists (invariant 1). Sets `jrnl.has_super` when it has a
    /// pointer; returns the super-journal to release after the journal is
    /// finalized (the one it points to, when played back).
    pub(super) fn playback_unless_committed(
        &mut self,
        j: &mut dyn VfsFile,
        is_hot: bool,
    ) -> Result<Option<PathBuf>, PagerError> {
        let sup = read_pointer(j)?;
        self.jrnl.has_super |= sup.is_some();
        if let Some(name) = &sup {
            if !self.vfs.exists_path(name)? {
                tracing::debug!(super_journal = %name.display(), "journal of a committed multi-file transaction");
                return Ok(None);
            }
        }
        if is_hot {
            tracing::debug!(journal = %self.journal_path.display(), "rolling back hot journal");
        }
        playback(j, self.fd.as_mut(), is_hot)?;
        Ok(sup)
    }

    /// Appends the super-journal pointer to the open journal (commit step
    /// 2), then cuts the file there so the pointer ends it.
    pub(super) fn write_super_pointer(&mut self, name: &Path) -> Result<(), PagerError> {
        if self.jrnl.has_super {
            return Ok(());
        }
        let ss = u64::from(self.jrnl.sector_size.max(1));
        let at = if self.sync >= super::pager::Synchronous::Full {
            self.jrnl.offset.div_ceil(ss) * ss
        } else {
            self.jrnl.offset
        };
        let rec = encode_pointer(name, self.page_size);
        let Some(j) = self.jrnl.file.as_mut() else {
            return Ok(());
        };
        j.write(&rec, at)?;
        let end = at + rec.len() as u64;
        if j.file_size()? > end {
            j.truncate(end)?;
        }
        self.jrnl.offset = end;
        self.jrnl.has_super = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::MemVfs;

    #[test]
    fn pointer_round_trip_and_rejects() {
        let vfs: Arc<dyn Vfs> = Arc::new(MemVfs::new());
        let mut j = vfs.open("/j", OpenFlags::main_db()).unwrap();
        j.write(&[7u8; 600], 0).unwrap();
        assert_eq!(read_pointer(j.as_mut()).unwrap(), None);
        let rec = encode_pointer(Path::new("/d/main.db-mj01234596A"), 4096);
        assert_eq!(&rec[0..4], &262_145u32.to_be_bytes());
        assert_eq!(rec.len(), 22 + 20);
        j.write(&rec, 600).unwrap();
        assert_eq!(
            read_pointer(j.as_mut()).unwrap().as_deref(),
            Some(Path::new("/d/main.db-mj01234596A"))
        );
        // A corrupt checksum is no pointer.
        let mut bad = rec.clone();
        let n = bad.len();
        bad[n - 9] ^= 1;
        j.write(&bad, 600).unwrap();
        assert_eq!(read_pointer(j.as_mut()).unwrap(), None);
    }

    #[test]
    fn checksum_uses_signed_chars() {
        assert_eq!(name_checksum(b"ab"), 97 + 98);
        assert_eq!(name_checksum(&[0xff, 2]), 1);
    }

    #[test]
    fn delsuper_keeps_referenced_super_journal() {
        let vfs: Arc<dyn Vfs> = Arc::new(MemVfs::new());
        let mut sj = vfs.open("/m-mj1", OpenFlags::main_db()).unwrap();
        sj.write(b"/a-journal\0/b-journal\0", 0).unwrap();
        drop(sj);
        let mut a = vfs.open("/a-journal", OpenFlags::main_db()).unwrap();
        a.write(&encode_pointer(Path::new("/m-mj1"), 1024), 512)
            .unwrap();
        drop(a);
        delete_super_if_unreferenced(&vfs, Path::new("/m-mj1")).unwrap();
        assert!(vfs.exists("/m-mj1").unwrap());
        vfs.delete("/a-journal", false).unwrap();
        delete_super_if_unreferenced(&vfs, Path::new("/m-mj1")).unwrap();
        assert!(!vfs.exists("/m-mj1").unwrap());
    }
}
