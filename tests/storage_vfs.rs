//! Tests of the POSIX and memory VFSes: file I/O, SQLite-compatible locks
//! within one process (per-inode table) and against the `sqlite3` shell.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use loomdb::rc::ResultCode;
use loomdb::vfs::{LockLevel, OpenFlags, PosixVfs, SyncFlags, Vfs, VfsError};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("loom-vfs-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn have_sqlite3() -> bool {
    Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn posix_read_write_truncate_size() {
    let d = TempDir::new("rw");
    let vfs = PosixVfs::new();
    let path = d.file("a.db");
    assert!(!vfs.exists(&path).unwrap());
    let mut f = vfs.open(&path, OpenFlags::main_db()).unwrap();
    assert!(vfs.exists(&path).unwrap());
    f.write(b"hello world", 4096).unwrap();
    assert_eq!(f.file_size().unwrap(), 4096 + 11);
    let mut buf = [7u8; 5];
    f.read(&mut buf, 4102).unwrap();
    assert_eq!(&buf, b"world");
    let mut buf = [7u8; 8];
    assert_eq!(f.read(&mut buf, 4102), Err(VfsError::ShortRead));
    assert_eq!(&buf, b"world\0\0\0");
    f.truncate(100).unwrap();
    assert_eq!(f.file_size().unwrap(), 100);
    f.sync(SyncFlags::Full).unwrap();
    f.sync(SyncFlags::DataOnly).unwrap();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o644);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let jflags = OpenFlags::main_db().with_kind(loomdb::vfs::FileKind::MainJournal);
    let j = vfs.open(&format!("{path}-journal"), jflags).unwrap();
    drop(j);
    let jmeta = std::fs::metadata(format!("{path}-journal")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&jmeta.permissions()) & 0o777,
        0o640
    );
    drop(f);
    vfs.delete(&path, true).unwrap();
    assert!(!vfs.exists(&path).unwrap());
    let e = vfs.delete(&path, false).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::IOERR_DELETE_NOENT);
}

#[test]
fn posix_open_errors_and_full_pathname() {
    let d = TempDir::new("open");
    let vfs = PosixVfs::new();
    let e = vfs
        .open(d.0.to_str().unwrap(), OpenFlags::main_db())
        .unwrap_err();
    assert_eq!(e.result_code().primary(), ResultCode::CANTOPEN);
    let missing = d.file("nope/x.db");
    let e = vfs.open(&missing, OpenFlags::main_db()).unwrap_err();
    assert_eq!(e.result_code(), ResultCode::CANTOPEN);
    let ro = OpenFlags {
        read_only: true,
        create: false,
        ..OpenFlags::main_db()
    };
    assert!(vfs.open(&d.file("absent.db"), ro).is_err());
    let full = vfs.full_pathname(&d.file("x.db")).unwrap();
    assert!(full.starts_with('/') && full.ends_with("/x.db"));
    let canon = std::fs::canonicalize(&d.0).unwrap();
    assert_eq!(full, canon.join("x.db").to_str().unwrap());
    let mut t = vfs.open("", OpenFlags::main_db()).unwrap();
    t.write(b"temp", 0).unwrap();
    assert_eq!(t.file_size().unwrap(), 4);
    let mut r = [0u8; 32];
    vfs.randomness(&mut r);
    assert!(r.iter().any(|b| *b != 0));
}

#[test]
fn posix_locks_between_handles_of_one_process() {
    let d = TempDir::new("locks");
    let vfs = PosixVfs::new();
    let path = d.file("l.db");
    let mut a = vfs.open(&path, OpenFlags::main_db()).unwrap();
    let mut b = vfs.open(&path, OpenFlags::main_db()).unwrap();
    let mut c = vfs.open(&path, OpenFlags::main_db()).unwrap();
    a.lock(LockLevel::Shared).unwrap();
    b.lock(LockLevel::Shared).unwrap();
    assert!(!a.check_reserved_lock().unwrap());
    a.lock(LockLevel::Reserved).unwrap();
    assert!(b.check_reserved_lock().unwrap());
    assert_eq!(b.lock(LockLevel::Reserved), Err(VfsError::Busy));
    // EXCLUSIVE needs b's SHARED gone; a is left at PENDING.
    assert_eq!(a.lock(LockLevel::Exclusive), Err(VfsError::Busy));
    assert_eq!(a.lock_level(), LockLevel::Pending);
    // PENDING keeps new readers out.
    assert_eq!(c.lock(LockLevel::Shared), Err(VfsError::Busy));
    b.unlock(LockLevel::None).unwrap();
    a.lock(LockLevel::Exclusive).unwrap();
    assert_eq!(a.lock_level(), LockLevel::Exclusive);
    assert_eq!(c.lock(LockLevel::Shared), Err(VfsError::Busy));
    a.unlock(LockLevel::Shared).unwrap();
    c.lock(LockLevel::Shared).unwrap();
    assert!(!c.check_reserved_lock().unwrap());
    a.unlock(LockLevel::None).unwrap();
    c.lock(LockLevel::Exclusive).unwrap();
    c.unlock(LockLevel::None).unwrap();
    assert_eq!(c.lock_level(), LockLevel::None);
}

/// Runs the sqlite3 shell on `db` and returns (success, stdout+stderr).
fn shell(db: &str, sql: &str) -> (bool, String) {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && !text.contains("locked"), text)
}

#[test]
fn closing_one_handle_keeps_another_handles_lock() {
    if !have_sqlite3() {
        eprintln!("sqlite3 not found; skipped");
        return;
    }
    let d = TempDir::new("close");
    let path = d.file("c.db");
    assert!(shell(&path, "CREATE TABLE t(x);").0);
    let vfs = PosixVfs::new();
    let mut a = vfs.open(&path, OpenFlags::main_db()).unwrap();
    a.lock(LockLevel::Shared).unwrap();
    a.lock(LockLevel::Reserved).unwrap();
    // Another handle on the same inode opens, locks, and closes.
    let mut b = vfs.open(&path, OpenFlags::main_db()).unwrap();
    b.lock(LockLevel::Shared).unwrap();
    b.unlock(LockLevel::None).unwrap();
    drop(b);
    let (ok, text) = shell(&path, "BEGIN IMMEDIATE; COMMIT;");
    assert!(!ok, "sqlite3 got RESERVED while loom holds it: {text}");
    assert!(text.contains("database is locked"), "{text}");
    drop(a);
    let (ok, text) = shell(&path, "BEGIN IMMEDIATE; COMMIT;");
    assert!(ok, "{text}");
}

#[test]
fn sqlite3_shell_lock_is_seen_across_processes() {
    if !have_sqlite3() {
        eprintln!("sqlite3 not found; skipped");
        return;
    }
    let d = TempDir::new("xproc");
    let path = d.file("x.db");
    assert!(shell(&path, "CREATE TABLE t(x); INSERT INTO t VALUES(1);").0);
    let vfs = PosixVfs::new();
    for (sql, reserved_only) in [("BEGIN IMMEDIATE;", true), ("BEGIN EXCLUSIVE;", false)] {
        let mut child = Command::new("sqlite3")
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{sql}\nSELECT 'ready';").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        let mut f = vfs.open(&path, OpenFlags::main_db()).unwrap();
        if reserved_only {
            f.lock(LockLevel::Shared).unwrap();
            assert!(f.check_reserved_lock().unwrap());
            assert_eq!(f.lock(LockLevel::Reserved), Err(VfsError::Busy));
        } else {
            assert_eq!(f.lock(LockLevel::Shared), Err(VfsError::Busy));
            assert_eq!(f.lock_level(), LockLevel::None);
        }
        drop(f);
        drop(stdin);
        child.kill().ok();
        child.wait().unwrap();
        // After the shell exits the locks are gone.
        let mut f = vfs.open(&path, OpenFlags::main_db()).unwrap();
        f.lock(LockLevel::Shared).unwrap();
        f.lock(LockLevel::Exclusive).unwrap();
    }
}

#[test]
fn loom_exclusive_lock_blocks_sqlite3_shell() {
    if !have_sqlite3() {
        eprintln!("sqlite3 not found; skipped");
        return;
    }
    let d = TempDir::new("block");
    let path = d.file("b.db");
    assert!(shell(&path, "CREATE TABLE t(x);").0);
    let vfs = PosixVfs::new();
    let mut f = vfs.open(&path, OpenFlags::main_db()).unwrap();
    f.lock(LockLevel::Shared).unwrap();
    let (ok, _) = shell(&path, "SELECT count(*) FROM t;");
    assert!(ok, "readers coexist with SHARED");
    f.lock(LockLevel::Exclusive).unwrap();
    let (ok, text) = shell(&path, "SELECT count(*) FROM t;");
    assert!(!ok && text.contains("locked"), "{text}");
    f.unlock(LockLevel::Shared).unwrap();
    assert!(shell(&path, "SELECT count(*) FROM t;").0);
}
