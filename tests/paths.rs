//! Database file names that are not UTF-8, end to end through the Rust
//! API: opening by bytes and by `file:` URI with `%XX` escapes, the
//! journal, WAL and shm files named from those bytes, ATTACH, PRAGMA
//! database_list, `db_filename`, a multi-file commit (super-journal) and
//! VACUUM INTO, with C SQLite (rusqlite) reading the files back.
//!
//! Invariants:
//! 1. Every file a test creates lives in its own scratch directory, which
//!    is removed afterwards.
//! 2. Each test prints `N passed, N failed` (its checks).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use loomdb::api::Database;
use loomdb::conn::OpenOptions;
use loomdb::record::Value;

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("loom-paths-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }

    /// The full name of `name` (raw bytes) in this directory, as bytes.
    fn bytes(&self, name: &[u8]) -> Vec<u8> {
        let mut b = self.0.as_os_str().as_bytes().to_vec();
        b.push(b'/');
        b.extend_from_slice(name);
        b
    }

    /// Names of the files in this directory, as raw bytes, sorted.
    fn listing(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = std::fs::read_dir(&self.0)
            .expect("read_dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().as_bytes().to_vec())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn path(b: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(b))
}

/// Counts checks; panics with every failed one at the end.
#[derive(Default)]
struct Tally {
    pass: usize,
    fail: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.pass += 1;
        } else {
            self.fail.push(what.to_string());
        }
    }

    fn finish(self) {
        eprintln!("{} passed, {} failed", self.pass, self.fail.len());
        assert!(self.fail.is_empty(), "failed: {:?}", self.fail);
    }
}

fn uri_opts() -> OpenOptions {
    OpenOptions {
        uri: true,
        ..OpenOptions::default()
    }
}

/// The rows of `sql` whose single column is an integer.
fn ints(db: &Database, sql: &str) -> Vec<i64> {
    db.query_all(sql, &[])
        .expect(sql)
        .into_iter()
        .filter_map(|r| match r.first() {
            Some(Value::Integer(i)) => Some(*i),
            _ => None,
        })
        .collect()
}

/// C SQLite's view of table `t` (column x) in the file `name`.
fn oracle_rows(name: &[u8]) -> Vec<i64> {
    let c = rusqlite::Connection::open(path(name)).expect("oracle open");
    let mut st = c
        .prepare("SELECT x FROM t ORDER BY x")
        .expect("oracle prepare");
    let rows = st
        .query_map([], |r| r.get::<_, i64>(0))
        .expect("oracle query");
    rows.filter_map(Result::ok).collect()
}

#[test]
fn open_write_reopen_by_bytes() {
    let dir = Scratch::new("bytes");
    let mut t = Tally::default();
    let name = dir.bytes(b"db-\xff\xfe.db");
    let db = Database::open_bytes(&name, OpenOptions::default()).expect("open");
    t.check(
        path(&name).exists(),
        "the database file has the exact bytes",
    );
    db.execute_batch("PRAGMA journal_mode=PERSIST; CREATE TABLE t(x); INSERT INTO t VALUES(1)")
        .expect("write");
    let journal = b"db-\xff\xfe.db-journal".to_vec();
    t.check(
        dir.listing().contains(&journal),
        "the rollback journal is <bytes>-journal",
    );
    t.check(
        db.filename_bytes().as_deref() == Some(&name[..]),
        "filename_bytes is the name's bytes",
    );
    t.check(
        db.db_filename_bytes("main").as_deref() == Some(&name[..]),
        "db_filename_bytes(main)",
    );
    let list = db.query_all("PRAGMA database_list", &[]).expect("list");
    let file = list.first().and_then(|r| r.get(2)).cloned();
    t.check(
        file == Some(Value::Text(name.clone())),
        "database_list shows the bytes as text",
    );
    db.close().expect("close");
    let db = Database::open_bytes(&name, OpenOptions::default()).expect("reopen");
    db.execute_batch("PRAGMA journal_mode=WAL; INSERT INTO t VALUES(2)")
        .expect("wal write");
    let listing = dir.listing();
    t.check(
        listing.contains(&b"db-\xff\xfe.db-wal".to_vec()),
        "the WAL is <bytes>-wal",
    );
    t.check(
        listing.contains(&b"db-\xff\xfe.db-shm".to_vec()),
        "the wal-index is <bytes>-shm",
    );
    t.check(
        ints(&db, "SELECT x FROM t ORDER BY x") == [1, 2],
        "rows in WAL mode",
    );
    db.close().expect("close");
    t.check(oracle_rows(&name) == [1, 2], "C SQLite reads the file");
    t.check(
        !path(&name).with_extension("db-wal").exists(),
        "the WAL is gone after the last close",
    );
    t.finish();
}

#[test]
fn open_by_uri_with_escapes() {
    let dir = Scratch::new("uri");
    let mut t = Tally::default();
    let mut uri = b"file:".to_vec();
    uri.extend_from_slice(&dir.bytes(b"u%FF%fe%20x.db?mode=rwc"));
    let db = Database::open_bytes(&uri, uri_opts()).expect("open uri");
    db.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES(7)")
        .expect("write");
    let name = dir.bytes(b"u\xff\xfe x.db");
    t.check(
        path(&name).exists(),
        "%FF%fe%20 decode to the bytes ff fe 20",
    );
    t.check(
        db.filename_bytes().as_deref() == Some(&name[..]),
        "filename is the decoded bytes",
    );
    db.close().expect("close");
    t.check(oracle_rows(&name) == [7], "C SQLite reads the file");
    let mut ro = b"file:".to_vec();
    ro.extend_from_slice(&dir.bytes(b"u%ff%FE x.db?mode=ro"));
    let db = Database::open_bytes(&ro, uri_opts()).expect("open ro");
    t.check(
        ints(&db, "SELECT x FROM t") == [7],
        "reopened read-only by URI",
    );
    t.check(
        db.execute_batch("INSERT INTO t VALUES(8)").is_err(),
        "mode=ro holds",
    );
    let mut missing = b"file:".to_vec();
    missing.extend_from_slice(&dir.bytes(b"none%FF.db?mode=rw"));
    t.check(
        Database::open_bytes(&missing, uri_opts()).is_err(),
        "mode=rw does not create the file",
    );
    t.check(
        !path(&dir.bytes(b"none\xff.db")).exists(),
        "no file was created",
    );
    t.finish();
}

/// `CAST(x'..' AS TEXT)` spelling the bytes of `b`.
fn text_literal(b: &[u8]) -> String {
    let hex: String = b.iter().map(|c| format!("{c:02x}")).collect();
    format!("CAST(x'{hex}' AS TEXT)")
}

#[test]
fn attach_commit_and_vacuum_into() {
    let dir = Scratch::new("attach");
    let mut t = Tally::default();
    let main = dir.bytes(b"m\xe9.db");
    let aux = dir.bytes(b"a\x80\xff.db");
    let db = Database::open_bytes(&main, OpenOptions::default()).expect("open");
    db.execute_batch(&format!(
        "ATTACH {} AS aux; CREATE TABLE t(x); CREATE TABLE aux.t(x)",
        text_literal(&aux)
    ))
    .expect("attach");
    t.check(path(&aux).exists(), "ATTACH created the file of the bytes");
    t.check(
        db.db_filename_bytes("aux").as_deref() == Some(&aux[..]),
        "db_filename_bytes(aux)",
    );
    let list = db.query_all("PRAGMA database_list", &[]).expect("list");
    let files: Vec<Value> = list.iter().filter_map(|r| r.get(2).cloned()).collect();
    t.check(
        files == [Value::Text(main.clone()), Value::Text(aux.clone())],
        "database_list shows both names' bytes",
    );
    // One transaction over two files: a super-journal named from main's bytes.
    db.execute_batch("BEGIN; INSERT INTO t VALUES(1); INSERT INTO aux.t VALUES(2); COMMIT")
        .expect("multi-file commit");
    let leftovers: Vec<Vec<u8>> = dir
        .listing()
        .into_iter()
        .filter(|n| n.windows(3).any(|w| w == b"-mj") || n.ends_with(b"-journal"))
        .collect();
    t.check(leftovers.is_empty(), "no journal or super-journal is left");
    let copy = dir.bytes(b"copy\xff.db");
    db.execute_batch(&format!("VACUUM aux INTO {}", text_literal(&copy)))
        .expect("vacuum into");
    db.close().expect("close");
    t.check(oracle_rows(&main) == [1], "C SQLite reads main");
    t.check(oracle_rows(&aux) == [2], "C SQLite reads aux");
    t.check(
        oracle_rows(&copy) == [2],
        "C SQLite reads the VACUUM INTO copy",
    );
    t.finish();
}

/// C SQLite writes a database at a non-UTF-8 name (with a hot journal
/// left behind by a transaction it never finished), loom rolls it back.
#[test]
fn oracle_written_file_and_hot_journal() {
    let dir = Scratch::new("oracle");
    let mut t = Tally::default();
    let name = dir.bytes(b"o\xff.db");
    {
        let c = rusqlite::Connection::open(path(&name)).expect("oracle open");
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES(5)")
            .expect("oracle write");
    }
    let db = Database::open_bytes(&name, OpenOptions::default()).expect("open");
    t.check(ints(&db, "SELECT x FROM t") == [5], "loom reads C's file");
    // A hot journal: loom's own transaction, the journal copied aside while
    // it is live, then put back after the process "crashed".
    let orig = std::fs::read(path(&name)).expect("db file");
    db.execute_batch(
        "PRAGMA journal_mode=PERSIST; PRAGMA cache_size=2; BEGIN; UPDATE t SET x = 6; \
         CREATE TABLE big(y); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 \
         FROM c WHERE i < 300) INSERT INTO big SELECT zeroblob(5000) FROM c",
    )
    .expect("a transaction larger than the cache");
    let jname = dir.bytes(b"o\xff.db-journal");
    let journal = std::fs::read(path(&jname)).expect("journal exists while writing");
    let image = std::fs::read(path(&name)).expect("db image");
    t.check(
        image != orig,
        "the transaction spilled into the database file",
    );
    db.execute_batch("ROLLBACK").expect("rollback");
    db.close().expect("close");
    std::fs::write(path(&name), &image).expect("restore image");
    std::fs::write(path(&jname), &journal).expect("restore journal");
    let db = Database::open_bytes(&name, OpenOptions::default()).expect("reopen");
    t.check(
        ints(&db, "SELECT x FROM t") == [5],
        "the hot journal at <bytes>-journal was rolled back",
    );
    db.close().expect("close");
    t.check(oracle_rows(&name) == [5], "C SQLite agrees");
    t.finish();
}

/// `PRAGMA database_list` and `db_filename` show the VFS's full path
/// name, `.` and `..` resolved, exactly as C SQLite shows it.
#[test]
fn full_path_names_match_c() {
    let dir = Scratch::new("full");
    let mut t = Tally::default();
    std::fs::create_dir_all(path(&dir.bytes(b"sub\xfe"))).expect("subdir");
    let name = dir.bytes(b"sub\xfe/./../f\xff.db");
    let attached = dir.bytes(b"sub\xfe/../a\xff.db");
    let sql = format!("ATTACH {} AS a", text_literal(&attached));
    let db = Database::open_bytes(&name, OpenOptions::default()).expect("open");
    db.execute_batch(&sql).expect("attach");
    let ours: Vec<Value> = db
        .query_all("PRAGMA database_list", &[])
        .expect("list")
        .into_iter()
        .filter_map(|r| r.get(2).cloned())
        .collect();
    let c = rusqlite::Connection::open(path(&name)).expect("oracle open");
    c.execute_batch(&sql).expect("oracle attach");
    let mut st = c.prepare("PRAGMA database_list").expect("prepare");
    let theirs: Vec<Value> = st
        .query_map([], |r| Ok(Value::Text(r.get_ref(2)?.as_bytes()?.to_vec())))
        .expect("query")
        .filter_map(Result::ok)
        .collect();
    t.check(ours == theirs, "database_list equals C's");
    t.check(
        ours.first() == Some(&Value::Text(dir.bytes(b"f\xff.db"))),
        "main is shown by its full path",
    );
    t.check(
        db.db_filename_bytes("a") == Some(dir.bytes(b"a\xff.db")),
        "db_filename_bytes(a) is the full path",
    );
    t.finish();
}
