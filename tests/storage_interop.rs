//! Interoperability of loom's pager with C SQLite (the `sqlite3` shell and
//! python3's `sqlite3` module, both linked to the system libsqlite3):
//! databases and hot journals written by one are read or rolled back by the
//! other. Skipped (with a message) when the tools are missing.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use loomdb::pager::{JournalMode, Pager, Synchronous};
use loomdb::vfs::{OpenFlags, PosixVfs, Vfs};

#[path = "support/storage.rs"]
mod storage;
use storage::{shell, tools_present, TempDir};

fn posix() -> Arc<dyn Vfs> {
    Arc::new(PosixVfs::new())
}

const SETUP: &str = "PRAGMA page_size=1024; CREATE TABLE t(id INTEGER PRIMARY KEY, x); \
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<300) \
    INSERT INTO t SELECT i, randomblob(200) FROM c; \
    CREATE INDEX tx ON t(x); PRAGMA user_version=7;";

#[test]
fn loom_hot_journal_is_rolled_back_by_sqlite3() {
    if !tools_present() {
        return;
    }
    let d = TempDir::new("loom2c");
    for sync in [Synchronous::Off, Synchronous::Normal, Synchronous::Full] {
        let path = d.file(&format!("a-{sync:?}.db"));
        loom_crash_then_sqlite3_recovers(&path, sync);
    }
}

fn loom_crash_then_sqlite3_recovers(path: &str, sync: Synchronous) {
    let path = path.to_string();
    shell(&path, SETUP);
    let original = std::fs::read(&path).unwrap();
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.set_synchronous(sync);
    assert_eq!(p.page_size(), 1024);
    p.begin_write(false).unwrap();
    let n = p.page_count();
    assert!(n > 50);
    let r = p.get(1).unwrap();
    p.data_mut(r).unwrap()[60..64].copy_from_slice(&99u32.to_be_bytes());
    for pgno in 2..=n {
        let r = p.get(pgno).unwrap();
        p.data_mut(r).unwrap().fill(0xAA);
    }
    p.truncate_to(n - 5).unwrap();
    for _ in 0..8 {
        let (_, r) = p.allocate().unwrap();
        p.data_mut(r).unwrap().fill(0x55);
    }
    p.crash_before_journal_finalize().unwrap();
    let jpath = format!("{path}-journal");
    assert!(Path::new(&jpath).exists());
    assert_ne!(
        std::fs::read(&path).unwrap(),
        original,
        "the crash left a damaged db"
    );
    assert_eq!(shell(&path, "PRAGMA integrity_check;"), "ok");
    assert_eq!(
        shell(
            &path,
            "SELECT count(*), sum(length(x)) FROM t; PRAGMA user_version;"
        ),
        "300|60000\n7"
    );
    assert!(
        !Path::new(&jpath).exists(),
        "sqlite3 deleted the hot journal"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        original,
        "byte-identical after rollback"
    );
}

#[test]
fn sqlite_hot_journal_is_rolled_back_by_loom() {
    if !tools_present() {
        return;
    }
    let d = TempDir::new("c2loom");
    let path = d.file("b.db");
    shell(&path, SETUP);
    let original = std::fs::read(&path).unwrap();
    // A C SQLite writer spills its cache into the database mid-transaction
    // and is then killed (os._exit skips every cleanup).
    let script = format!(
        "import sqlite3, os\n\
         c = sqlite3.connect({path:?}, isolation_level=None)\n\
         c.execute('PRAGMA cache_size=5')\n\
         c.execute('BEGIN')\n\
         c.execute('UPDATE t SET x = randomblob(300)')\n\
         c.execute('INSERT INTO t(x) SELECT randomblob(500) FROM t')\n\
         c.execute('PRAGMA user_version=42')\n\
         os._exit(0)\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jpath = format!("{path}-journal");
    let journal = std::fs::read(&jpath).unwrap();
    assert_eq!(
        &journal[..8],
        &[0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7],
        "journal is hot"
    );
    assert_ne!(
        std::fs::read(&path).unwrap(),
        original,
        "SQLite spilled into the db"
    );
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.begin_read().unwrap();
    let r = p.get(1).unwrap();
    assert_eq!(&p.data(r).unwrap()[60..64], &7u32.to_be_bytes());
    p.end_read();
    drop(p);
    assert!(!Path::new(&jpath).exists(), "loom deleted the hot journal");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        original,
        "byte-identical after rollback"
    );
    assert_eq!(shell(&path, "PRAGMA integrity_check;"), "ok");
    assert_eq!(
        shell(&path, "SELECT count(*) FROM t; PRAGMA user_version;"),
        "300\n7"
    );
}

#[test]
fn loom_commits_are_read_by_sqlite3_in_every_journal_mode() {
    if !tools_present() {
        return;
    }
    let d = TempDir::new("commit");
    let modes = [
        JournalMode::Delete,
        JournalMode::Truncate,
        JournalMode::Persist,
        JournalMode::Memory,
        JournalMode::Off,
    ];
    for (i, mode) in modes.into_iter().enumerate() {
        let path = d.file(&format!("c{i}.db"));
        shell(&path, SETUP);
        let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
        p.set_journal_mode(mode).unwrap();
        p.begin_write(false).unwrap();
        let r = p.get(1).unwrap();
        let before = u32::from_be_bytes(p.data(r).unwrap()[24..28].try_into().unwrap());
        p.data_mut(r).unwrap()[60..64].copy_from_slice(&(100 + i as u32).to_be_bytes());
        p.commit().unwrap();
        let r = p.get(1).unwrap();
        let after = u32::from_be_bytes(p.data(r).unwrap()[24..28].try_into().unwrap());
        assert_eq!(after, before + 1);
        p.end_read();
        assert_eq!(
            shell(&path, "PRAGMA user_version;"),
            (100 + i).to_string(),
            "{mode:?}"
        );
        assert_eq!(shell(&path, "PRAGMA integrity_check;"), "ok");
        // And loom sees the change SQLite makes next (cache invalidated by
        // the change counter).
        p.begin_read().unwrap();
        let r = p.get(1).unwrap();
        let _ = p.data(r).unwrap();
        p.end_read();
        shell(&path, "PRAGMA user_version=5;");
        p.begin_read().unwrap();
        let r = p.get(1).unwrap();
        assert_eq!(&p.data(r).unwrap()[60..64], &5u32.to_be_bytes(), "{mode:?}");
        p.end_read();
    }
}

/// A loom pager and a python3/C-SQLite process increment `user_version`
/// concurrently; locks and change-counter cache invalidation must make
/// every increment count.
#[test]
fn concurrent_increments_with_c_sqlite_process() {
    if !tools_present() {
        return;
    }
    let d = TempDir::new("race");
    let path = d.file("r.db");
    shell(&path, SETUP);
    shell(&path, "PRAGMA user_version=0;");
    const N: u32 = 100;
    let script = format!(
        "import sqlite3\n\
         c = sqlite3.connect({path:?}, timeout=60, isolation_level=None)\n\
         for i in range({N}):\n\
         \x20   c.execute('BEGIN IMMEDIATE')\n\
         \x20   v = c.execute('PRAGMA user_version').fetchone()[0]\n\
         \x20   c.execute('PRAGMA user_version=%d' % (v + 1))\n\
         \x20   c.execute('COMMIT')\n"
    );
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .spawn()
        .unwrap();
    let mut p = Pager::open(posix(), &path, OpenFlags::main_db()).unwrap();
    p.set_busy_handler(Some(Box::new(|n| {
        std::thread::sleep(std::time::Duration::from_micros(500));
        n < 100_000
    })));
    let mut done = 0;
    while done < N {
        p.begin_write(false).unwrap();
        let r = p.get(1).unwrap();
        let page = p.data_mut(r).unwrap();
        let v = u32::from_be_bytes(page[60..64].try_into().unwrap());
        page[60..64].copy_from_slice(&(v + 1).to_be_bytes());
        p.commit().unwrap();
        p.end_read();
        done += 1;
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(shell(&path, "PRAGMA user_version;"), (2 * N).to_string());
    assert_eq!(shell(&path, "PRAGMA integrity_check;"), "ok");
}
