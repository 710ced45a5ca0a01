//! B-tree tests on an in-memory page store, including files checked by the
//! system `sqlite3` shell (the test-time oracle).

use std::process::Command;
use std::sync::Arc;

use super::store::MemStore;
use super::*;
use crate::record::{encode_record, KeyInfo, NoCase, RecordHeader, Value, ValueRef};

type Bt = Btree<MemStore>;

fn new_db(page_size: usize) -> Bt {
    let mut bt = Btree::new(MemStore::new(page_size, 0));
    bt.begin_write(false).unwrap();
    bt
}

/// Deterministic pseudo-random numbers (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn rec(vals: &[Value]) -> Vec<u8> {
    let refs: Vec<ValueRef> = vals.iter().map(|v| v.as_ref()).collect();
    let mut out = Vec::new();
    encode_record(&refs, &mut out);
    out
}

fn row_record(a: i64, len: usize) -> Vec<u8> {
    let text = vec![b'a' + a.rem_euclid(26) as u8; len];
    rec(&[Value::Integer(a), Value::Text(text)])
}

fn assert_intact<S: PageStore>(bt: &mut Btree<S>, roots: &[Pgno]) {
    let mut all = vec![1];
    all.extend_from_slice(roots);
    assert_eq!(bt.integrity_check(&all, 20).unwrap(), Vec::<String>::new());
}

fn scan_rowids<S: PageStore>(bt: &mut Btree<S>, root: Pgno) -> Vec<i64> {
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    let mut out = Vec::new();
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        out.push(bt.rowid(&c).unwrap());
        ok = bt.next(&mut c).unwrap();
    }
    out
}

#[test]
fn sequential_and_random_table_inserts() {
    for page_size in [512, 4096] {
        let mut bt = new_db(page_size);
        let root = bt.create_tree(TreeKind::Table).unwrap();
        let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
        for i in 1..=3000 {
            bt.insert(&mut c, i, &row_record(i, (i % 50) as usize))
                .unwrap();
        }
        let mut rng = Rng(7);
        let mut expect: Vec<i64> = (1..=3000).collect();
        for _ in 0..1000 {
            let k = (rng.next() % 1_000_000) as i64 + 5000;
            bt.insert(&mut c, k, &row_record(k, (k % 300) as usize))
                .unwrap();
            expect.push(k);
        }
        expect.sort();
        expect.dedup();
        assert_eq!(scan_rowids(&mut bt, root), expect, "page size {page_size}");
        assert_intact(&mut bt, &[root]);
        assert_eq!(bt.count(&mut c).unwrap(), expect.len() as i64);
        assert_eq!(bt.max_rowid(root).unwrap(), *expect.last().unwrap());
        // Payloads read back intact.
        let mut scratch = Vec::new();
        for &k in expect.iter().step_by(97) {
            assert_eq!(bt.seek_rowid(&mut c, k).unwrap(), SeekResult::Found);
            let len = if k <= 3000 { k % 50 } else { k % 300 } as usize;
            assert_eq!(bt.payload(&c, &mut scratch).unwrap(), row_record(k, len));
        }
        // Fill factor: sequential inserts should pack leaves well.
        let pages = bt.pager().page_count();
        assert!(pages < 400 * 4096 / page_size as u32, "{pages} pages");
    }
}

#[test]
fn seek_rowid_results() {
    let mut bt = new_db(512);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    assert_eq!(bt.seek_rowid(&mut c, 5).unwrap(), SeekResult::Empty);
    assert!(Bt::is_eof(&c));
    for i in (10..=1000).step_by(10) {
        bt.insert(&mut c, i, &row_record(i, 20)).unwrap();
    }
    assert_eq!(bt.seek_rowid(&mut c, 500).unwrap(), SeekResult::Found);
    assert_eq!(bt.rowid(&c).unwrap(), 500);
    match bt.seek_rowid(&mut c, 505).unwrap() {
        SeekResult::Before => assert_eq!(bt.rowid(&c).unwrap(), 500),
        SeekResult::After => assert_eq!(bt.rowid(&c).unwrap(), 510),
        r => panic!("unexpected {r:?}"),
    }
    assert_eq!(bt.seek_rowid(&mut c, 1).unwrap(), SeekResult::After);
    assert_eq!(bt.rowid(&c).unwrap(), 10);
    assert_eq!(bt.seek_rowid(&mut c, 5000).unwrap(), SeekResult::Before);
    assert_eq!(bt.rowid(&c).unwrap(), 1000);
    assert!(!bt.next(&mut c).unwrap());
    assert!(bt.last(&mut c).unwrap());
    let mut back = Vec::new();
    loop {
        back.push(bt.rowid(&c).unwrap());
        if !bt.prev(&mut c).unwrap() {
            break;
        }
    }
    assert_eq!(back, (1..=100).rev().map(|i| i * 10).collect::<Vec<i64>>());
}

#[test]
fn delete_while_scanning_and_merge() {
    let mut bt = new_db(512);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    for i in 1..=4000 {
        bt.insert(&mut c, i, &row_record(i, 30)).unwrap();
    }
    let full_pages = bt.pager().page_count();
    // Delete every odd row during a forward scan.
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        let r = bt.rowid(&c).unwrap();
        if r % 2 == 1 {
            bt.delete(&mut c).unwrap();
        }
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(
        scan_rowids(&mut bt, root),
        (2..=4000).step_by(2).collect::<Vec<i64>>()
    );
    assert_intact(&mut bt, &[root]);
    // prev after delete goes to the entry before the deleted one.
    assert_eq!(bt.seek_rowid(&mut c, 2000).unwrap(), SeekResult::Found);
    bt.delete(&mut c).unwrap();
    assert!(bt.prev(&mut c).unwrap());
    assert_eq!(bt.rowid(&c).unwrap(), 1998);
    // A second cursor sees consistent data after another cursor deletes.
    let mut c2 = bt.cursor(root, TreeKind::Table, None).unwrap();
    assert_eq!(bt.seek_rowid(&mut c2, 3000).unwrap(), SeekResult::Found);
    assert_eq!(bt.seek_rowid(&mut c, 3002).unwrap(), SeekResult::Found);
    bt.delete(&mut c).unwrap();
    assert!(bt.next(&mut c2).unwrap());
    assert_eq!(bt.rowid(&c2).unwrap(), 3004);
    // Delete everything: pages go back to the freelist.
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        bt.delete(&mut c).unwrap();
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(scan_rowids(&mut bt, root), Vec::<i64>::new());
    let free = bt.get_meta(0).unwrap();
    assert!(free + 3 >= full_pages - 1, "free {free} of {full_pages}");
    // Freed pages are reused.
    for i in 1..=1000 {
        bt.insert(&mut c, i, &row_record(i, 30)).unwrap();
    }
    assert_eq!(bt.pager().page_count(), full_pages);
    assert_intact(&mut bt, &[root]);
    assert_eq!(bt.clear_tree(root).unwrap(), 1000);
    assert_eq!(bt.max_rowid(root).unwrap(), 0);
}

#[test]
fn overflow_payloads() {
    let mut bt = new_db(1024);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    let sizes = [0usize, 1, 990, 991, 1500, 5000, 100_000, 1 << 20];
    for (i, &s) in sizes.iter().enumerate() {
        let blob: Vec<u8> = (0..s).map(|k| (k * 7 + i) as u8).collect();
        bt.insert(&mut c, i as i64, &rec(&[Value::Blob(blob)]))
            .unwrap();
    }
    let mut scratch = Vec::new();
    for (i, &s) in sizes.iter().enumerate() {
        assert_eq!(bt.seek_rowid(&mut c, i as i64).unwrap(), SeekResult::Found);
        let p = bt.payload(&c, &mut scratch).unwrap().to_vec();
        let h = RecordHeader::parse(&p).unwrap();
        let v = h.column(&p, 0).unwrap().to_owned();
        let blob: Vec<u8> = (0..s).map(|k| (k * 7 + i) as u8).collect();
        assert_eq!(v, Value::Blob(blob), "size {s}");
    }
    let before = bt.pager().page_count();
    // Replacing a big row frees its chain; dropping the tree frees all.
    bt.insert(&mut c, 7, &rec(&[Value::Integer(1)])).unwrap();
    assert!(bt.get_meta(0).unwrap() > 1000);
    bt.drop_tree(root).unwrap();
    assert_eq!(bt.get_meta(0).unwrap(), before - 1);
    assert_intact(&mut bt, &[]);
    // A page referenced twice is reported.
    let t2 = bt.create_tree(TreeKind::Table).unwrap();
    let msgs = bt.integrity_check(&[1, t2, t2], 20).unwrap();
    assert!(msgs.iter().any(|m| m.contains("2nd reference")), "{msgs:?}");
    let msgs = bt.integrity_check(&[1], 20).unwrap();
    assert_eq!(msgs, vec![format!("Page {t2} is never used")]);
}

fn ki_nocase() -> Arc<KeyInfo> {
    Arc::new(KeyInfo {
        collations: vec![Arc::new(NoCase)],
        desc: vec![false],
    })
}

#[test]
fn index_order_seek_and_delete() {
    let mut bt = new_db(512);
    let root = bt.create_tree(TreeKind::Index).unwrap();
    let mut c = bt.cursor(root, TreeKind::Index, Some(ki_nocase())).unwrap();
    let mut rng = Rng(99);
    let mut keys = Vec::new();
    for rowid in 1..=3000i64 {
        let n = rng.next() % 500;
        let word = format!("{}key{:04}", if n.is_multiple_of(2) { "K" } else { "k" }, n);
        let pad = "x".repeat((n % 40) as usize);
        let text = format!("{word}{pad}");
        bt.insert_index(
            &mut c,
            &rec(&[
                Value::Text(text.clone().into_bytes()),
                Value::Integer(rowid),
            ]),
        )
        .unwrap();
        keys.push((text.to_lowercase(), rowid));
    }
    keys.sort();
    let mut got = Vec::new();
    let mut ok = bt.first(&mut c).unwrap();
    let mut scratch = Vec::new();
    while ok {
        let p = bt.payload(&c, &mut scratch).unwrap().to_vec();
        let h = RecordHeader::parse(&p).unwrap();
        let t = match h.column(&p, 0).unwrap() {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap().to_lowercase(),
            v => panic!("{v:?}"),
        };
        got.push((t, bt.rowid(&c).unwrap()));
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(got, keys);
    // Seeks with each bias on a key prefix.
    let probe = keys[1500].0.clone();
    let key = [ValueRef::Text(probe.as_bytes())];
    let first_eq = keys.iter().position(|k| k.0 == probe).unwrap();
    let last_eq = keys.iter().rposition(|k| k.0 == probe).unwrap();
    assert_eq!(
        bt.seek_key(&mut c, &key, SeekBias::Ge).unwrap(),
        SeekResult::Found
    );
    assert_eq!(bt.rowid(&c).unwrap(), keys[first_eq].1);
    assert_eq!(
        bt.seek_key(&mut c, &key, SeekBias::Le).unwrap(),
        SeekResult::Found
    );
    assert_eq!(bt.rowid(&c).unwrap(), keys[last_eq].1);
    assert_eq!(
        bt.seek_key(&mut c, &key, SeekBias::Gt).unwrap(),
        SeekResult::After
    );
    assert_eq!(bt.rowid(&c).unwrap(), keys[last_eq + 1].1);
    assert_eq!(
        bt.seek_key(&mut c, &key, SeekBias::Lt).unwrap(),
        SeekResult::Before
    );
    assert_eq!(bt.rowid(&c).unwrap(), keys[first_eq - 1].1);
    let hi = [ValueRef::Text(b"zzz")];
    assert_eq!(
        bt.seek_key(&mut c, &hi, SeekBias::Ge).unwrap(),
        SeekResult::Empty
    );
    assert_eq!(
        bt.seek_key(&mut c, &hi, SeekBias::Lt).unwrap(),
        SeekResult::Before
    );
    assert_eq!(bt.rowid(&c).unwrap(), keys.last().unwrap().1);
    // Delete two thirds of the entries through the cursor (this removes
    // entries on interior pages too), then check the order again.
    let mut ok = bt.first(&mut c).unwrap();
    let mut kept = Vec::new();
    let mut i = 0;
    while ok {
        if i % 3 != 0 {
            bt.delete(&mut c).unwrap();
        } else {
            kept.push(keys[i].1);
        }
        i += 1;
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(i, keys.len());
    let mut got = Vec::new();
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        got.push(bt.rowid(&c).unwrap());
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(got, kept);
    assert_eq!(bt.count(&mut c).unwrap(), kept.len() as i64);
    assert_intact(&mut bt, &[root]);
}

#[test]
fn corrupt_pages_are_errors() {
    let mut bt = new_db(512);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    for i in 1..=500 {
        bt.insert(&mut c, i, &row_record(i, 30)).unwrap();
    }
    // Child pointer beyond the end of the file.
    let mut bad = bt.pager().clone();
    let n = bad.pages.len() as u32;
    let r = (root - 1) as usize;
    let ro = bad.pages[r][8..12].to_vec();
    bad.pages[r][8..12].copy_from_slice(&(n + 5).to_be_bytes());
    let mut b2 = Btree::new(bad.clone());
    let mut c2 = b2.cursor(root, TreeKind::Table, None).unwrap();
    assert!(matches!(b2.last(&mut c2), Err(BtreeError::Corrupt { .. })));
    // A cycle: the root's right child points to the root.
    bad.pages[r][8..12].copy_from_slice(&root.to_be_bytes());
    let mut b3 = Btree::new(bad.clone());
    let mut c3 = b3.cursor(root, TreeKind::Table, None).unwrap();
    assert!(b3.last(&mut c3).is_err());
    // Wrong page type.
    bad.pages[r][8..12].copy_from_slice(&ro);
    bad.pages[r][0] = 3;
    let mut b4 = Btree::new(bad);
    let mut c4 = b4.cursor(root, TreeKind::Table, None).unwrap();
    assert!(b4.first(&mut c4).is_err());
}

// ---------------------------------------------------------------------
// Oracle tests: files checked by the system sqlite3 shell.

fn sqlite3_available() -> bool {
    Command::new("sqlite3").arg("-version").output().is_ok()
}

fn sqlite3(path: &std::path::Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(path).arg(sql).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A scratch database file that is deleted (with its journal and WAL and,
/// when it is the last one, its directory) when the test ends, pass or fail.
struct TmpDb(std::path::PathBuf);

impl std::ops::Deref for TmpDb {
    type Target = std::path::PathBuf;
    fn deref(&self) -> &std::path::PathBuf {
        &self.0
    }
}

impl Drop for TmpDb {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn tmp_path(name: &str) -> TmpDb {
    let dir = std::env::temp_dir().join(format!("loom-btree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    TmpDb(p)
}

fn open_file_btree(path: &std::path::Path) -> Btree {
    let vfs: Arc<dyn crate::vfs::Vfs> = Arc::new(crate::vfs::PosixVfs::new());
    let pager = crate::pager::Pager::open(
        vfs,
        path.to_str().unwrap(),
        crate::vfs::OpenFlags::main_db(),
    )
    .unwrap();
    Btree::new(pager)
}

#[test]
fn oracle_accepts_written_file() {
    if !sqlite3_available() {
        return;
    }
    let path = tmp_path("written.db");
    let mut bt = open_file_btree(&path);
    bt.begin_write(false).unwrap();
    let t = bt.create_tree(TreeKind::Table).unwrap();
    let ix = bt.create_tree(TreeKind::Index).unwrap();
    let mut c = bt.cursor(1, TreeKind::Table, None).unwrap();
    for (rowid, kind, name, root, sql) in [
        (1, "table", "t", t, "CREATE TABLE t(a,b)"),
        (2, "index", "tb", ix, "CREATE INDEX tb ON t(b)"),
    ] {
        let r = rec(&[
            Value::Text(kind.into()),
            Value::Text(name.into()),
            Value::Text("t".into()),
            Value::Integer(root as i64),
            Value::Text(sql.into()),
        ]);
        bt.insert(&mut c, rowid, &r).unwrap();
    }
    bt.set_meta(1, 1).unwrap();
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    let mut ic = bt
        .cursor(ix, TreeKind::Index, Some(Arc::new(KeyInfo::binary(2))))
        .unwrap();
    let mut rng = Rng(12345);
    let mut rows = std::collections::BTreeMap::new();
    for i in 0..100_000i64 {
        if i % 5_000 == 4_999 {
            bt.commit().unwrap();
            bt.begin_write(false).unwrap();
        }
        let rowid = if i < 50_000 {
            i + 1
        } else {
            (rng.next() % (1 << 40)) as i64 + 100_000
        };
        let blen = match rng.next() % 1000 {
            0 => (rng.next() % (1 << 20)) as usize,
            1..=20 => 3000 + (rng.next() % 10_000) as usize,
            _ => (rng.next() % 60) as usize,
        };
        let b: Vec<u8> = (0..blen)
            .map(|k| b'a' + ((k as i64 + rowid) % 26) as u8)
            .collect();
        if let Some(old) = rows.insert(rowid, (i, b.clone())) {
            // Replacing a row: remove its stale index entry first.
            let key = [ValueRef::Text(&old.1), ValueRef::Integer(rowid)];
            assert_eq!(
                bt.seek_key(&mut ic, &key, SeekBias::Ge).unwrap(),
                SeekResult::Found
            );
            bt.delete(&mut ic).unwrap();
        }
        bt.insert(
            &mut c,
            rowid,
            &rec(&[Value::Integer(i), Value::Text(b.clone())]),
        )
        .unwrap();
        bt.insert_index(&mut ic, &rec(&[Value::Text(b), Value::Integer(rowid)]))
            .unwrap();
    }
    // Delete half of the rows (and their index entries).
    let victims: Vec<i64> = rows.keys().copied().filter(|r| r % 2 == 0).collect();
    for r in victims {
        let (_, b) = rows.remove(&r).unwrap();
        assert_eq!(bt.seek_rowid(&mut c, r).unwrap(), SeekResult::Found);
        bt.delete(&mut c).unwrap();
        let key = [ValueRef::Text(&b), ValueRef::Integer(r)];
        assert_eq!(
            bt.seek_key(&mut ic, &key, SeekBias::Ge).unwrap(),
            SeekResult::Found
        );
        bt.delete(&mut ic).unwrap();
    }
    bt.commit().unwrap();
    assert!(
        bt.get_meta(0).unwrap() > 0,
        "deletes should leave free pages"
    );
    let problems = bt.integrity_check(&[1, t, ix], 10).unwrap();
    assert_eq!(problems, Vec::<String>::new());
    bt.end_read();
    drop(bt);
    let sum: i64 = rows.values().map(|v| v.0).sum();
    let out = sqlite3(
        &path,
        "PRAGMA integrity_check; SELECT count(*), sum(a) FROM t;",
    );
    assert_eq!(out, format!("ok\n{}|{}\n", rows.len(), sum));
    let out = sqlite3(&path, "SELECT count(*) FROM t INDEXED BY tb WHERE b > '';");
    let nonempty = rows.values().filter(|v| !v.1.is_empty()).count();
    assert_eq!(out, format!("{nonempty}\n"));
}

#[test]
fn reads_file_written_by_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let path = tmp_path("shell.db");
    let sql = "PRAGMA page_size=1024; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c); \
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<5000) \
        INSERT INTO t SELECT i*3, printf('row%05d', (i*7919)%5000), \
        CASE WHEN i%100=0 THEN zeroblob(3000+i) ELSE i*1.5 END FROM n; \
        CREATE INDEX tb ON t(b); DELETE FROM t WHERE a%9=0;";
    let out = sqlite3(&path, sql);
    assert_eq!(out, "");
    let expect = sqlite3(&path, "SELECT a, length(c) FROM t ORDER BY a;");
    let expect_idx = sqlite3(&path, "SELECT b, a FROM t ORDER BY b, a;");
    let roots = sqlite3(&path, "SELECT rootpage FROM sqlite_schema ORDER BY name;");
    let roots: Vec<Pgno> = roots.lines().map(|l| l.parse().unwrap()).collect();
    let (t, ix) = (roots[0], roots[1]);
    let mut bt = open_file_btree(&path);
    bt.begin_read().unwrap();
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    let mut got = String::new();
    let mut ok = bt.first(&mut c).unwrap();
    let mut scratch = Vec::new();
    while ok {
        let rowid = bt.rowid(&c).unwrap();
        let p = bt.payload(&c, &mut scratch).unwrap().to_vec();
        let h = RecordHeader::parse(&p).unwrap();
        let len = match h.column(&p, 2).unwrap() {
            ValueRef::Blob(b) => b.len().to_string(),
            ValueRef::Real(r) => crate::record::real_to_text(r).len().to_string(),
            v => panic!("{v:?}"),
        };
        got.push_str(&format!("{rowid}|{len}\n"));
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(got, expect);
    let mut ic = bt
        .cursor(ix, TreeKind::Index, Some(Arc::new(KeyInfo::binary(2))))
        .unwrap();
    let mut got = String::new();
    let mut ok = bt.first(&mut ic).unwrap();
    while ok {
        let p = bt.payload(&ic, &mut scratch).unwrap().to_vec();
        let h = RecordHeader::parse(&p).unwrap();
        let b = match h.column(&p, 0).unwrap() {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
            v => panic!("{v:?}"),
        };
        got.push_str(&format!("{b}|{}\n", bt.rowid(&ic).unwrap()));
        ok = bt.next(&mut ic).unwrap();
    }
    assert_eq!(got, expect_idx);
    // Modify the shell's file with loom and let the shell check it.
    bt.begin_write(false).unwrap();
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    for i in 0..2000i64 {
        let r = rec(&[
            Value::Null,
            Value::Text(format!("new{i}").into_bytes()),
            Value::Integer(i),
        ]);
        bt.insert(&mut c, 100_000 + i, &r).unwrap();
        let k = rec(&[
            Value::Text(format!("new{i}").into_bytes()),
            Value::Integer(100_000 + i),
        ]);
        bt.insert_index(&mut ic, &k).unwrap();
    }
    bt.commit().unwrap();
    bt.end_read();
    drop(bt);
    let out = sqlite3(
        &path,
        "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b LIKE 'new%';",
    );
    assert_eq!(out, "ok\n2000\n");
}

#[test]
fn random_ops_match_a_model() {
    for page_size in [512usize, 1024] {
        let mut bt = new_db(page_size);
        let root = bt.create_tree(TreeKind::Table).unwrap();
        let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
        let mut reader = bt.cursor(root, TreeKind::Table, None).unwrap();
        let mut model = std::collections::BTreeMap::new();
        let mut rng = Rng(4242 + page_size as u64);
        let mut scratch = Vec::new();
        assert!(!bt.first(&mut reader).unwrap());
        for step in 0..20_000 {
            let k = (rng.next() % 3000) as i64;
            match rng.next() % 10 {
                0..=5 => {
                    let len = match rng.next() % 20 {
                        0 => (rng.next() % 5000) as usize,
                        _ => (rng.next() % 100) as usize,
                    };
                    let r = row_record(k, len);
                    bt.insert(&mut c, k, &r).unwrap();
                    model.insert(k, r);
                }
                6..=8 => {
                    if bt.seek_rowid(&mut c, k).unwrap() == SeekResult::Found {
                        bt.delete(&mut c).unwrap();
                        assert!(model.remove(&k).is_some());
                    } else {
                        assert!(!model.contains_key(&k));
                    }
                }
                _ => {
                    // The long-lived reader keeps walking despite changes.
                    if Bt::is_eof(&reader) || !bt.next(&mut reader).unwrap() {
                        bt.first(&mut reader).unwrap();
                    }
                    if !Bt::is_eof(&reader) {
                        let id = bt.rowid(&reader).unwrap();
                        let p = bt.payload(&reader, &mut scratch).unwrap().to_vec();
                        assert_eq!(Some(&p), model.get(&id), "step {step} row {id}");
                    }
                }
            }
        }
        let keys: Vec<i64> = model.keys().copied().collect();
        assert_eq!(scan_rowids(&mut bt, root), keys);
        assert_intact(&mut bt, &[root]);
    }
}

#[test]
fn schema_root_on_page_one_splits_and_shrinks() {
    let mut bt = new_db(512);
    let mut c = bt.cursor(1, TreeKind::Table, None).unwrap();
    for i in 1..=2000 {
        bt.insert(&mut c, i, &row_record(i, 40)).unwrap();
    }
    assert_intact(&mut bt, &[]);
    assert_eq!(scan_rowids(&mut bt, 1), (1..=2000).collect::<Vec<i64>>());
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        if bt.rowid(&c).unwrap() != 1000 {
            bt.delete(&mut c).unwrap();
        }
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(scan_rowids(&mut bt, 1), vec![1000]);
    assert_intact(&mut bt, &[]);
    // Everything but page 1 is free again.
    assert_eq!(bt.get_meta(0).unwrap() + 1, bt.pager().page_count());
}

#[test]
fn real_pager_commit_and_rollback() {
    let mut bt: Btree = Btree::new(crate::pager::Pager::open_memory().unwrap());
    bt.begin_write(false).unwrap();
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    for i in 1..=500 {
        bt.insert(&mut c, i, &row_record(i, 60)).unwrap();
    }
    bt.set_meta(6, 77).unwrap();
    bt.commit().unwrap();
    bt.begin_write(false).unwrap();
    for i in 501..=1000 {
        bt.insert(&mut c, i, &row_record(i, 60)).unwrap();
    }
    bt.clear_tree(root).unwrap();
    assert_eq!(bt.max_rowid(root).unwrap(), 0);
    bt.rollback().unwrap();
    assert_eq!(bt.get_meta(6).unwrap(), 77);
    assert_eq!(scan_rowids(&mut bt, root), (1..=500).collect::<Vec<i64>>());
    // Savepoints roll back a part of a transaction.
    bt.begin_write(false).unwrap();
    bt.insert(&mut c, 9000, &row_record(1, 1)).unwrap();
    let sp = bt.savepoint_open().unwrap();
    bt.insert(&mut c, 9001, &row_record(1, 1)).unwrap();
    bt.savepoint_rollback(sp).unwrap();
    assert_eq!(bt.max_rowid(root).unwrap(), 9000);
    bt.commit().unwrap();
    assert_intact(&mut bt, &[root]);
}

#[test]
fn oracle_index_with_collation_and_desc() {
    if !sqlite3_available() {
        return;
    }
    let path = tmp_path("coll.db");
    let mut bt = open_file_btree(&path);
    bt.begin_write(false).unwrap();
    let t = bt.create_tree(TreeKind::Table).unwrap();
    let ix = bt.create_tree(TreeKind::Index).unwrap();
    let mut c = bt.cursor(1, TreeKind::Table, None).unwrap();
    for (rowid, kind, name, root, sql) in [
        (1, "table", "t", t, "CREATE TABLE t(a,b)"),
        (
            2,
            "index",
            "ti",
            ix,
            "CREATE INDEX ti ON t(b COLLATE NOCASE DESC, a)",
        ),
    ] {
        let r = rec(&[
            Value::Text(kind.into()),
            Value::Text(name.into()),
            Value::Text("t".into()),
            Value::Integer(root as i64),
            Value::Text(sql.into()),
        ]);
        bt.insert(&mut c, rowid, &r).unwrap();
    }
    bt.set_meta(1, 1).unwrap();
    let ki = Arc::new(KeyInfo {
        collations: vec![Arc::new(NoCase), Arc::new(crate::record::Binary)],
        desc: vec![true, false],
    });
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    let mut ic = bt.cursor(ix, TreeKind::Index, Some(ki)).unwrap();
    let mut rng = Rng(5);
    for rowid in 1..=3000i64 {
        let b = match rng.next() % 6 {
            0 => Value::Null,
            1 => Value::Integer((rng.next() % 100) as i64 - 50),
            2 => Value::Real((rng.next() % 1000) as f64 / 7.0),
            3 => Value::Blob(vec![(rng.next() % 256) as u8; (rng.next() % 5) as usize]),
            _ => {
                let s: String = (0..(rng.next() % 6))
                    .map(|_| b"aAbBzZ_~"[(rng.next() % 8) as usize] as char)
                    .collect();
                Value::Text(s.into_bytes())
            }
        };
        let a = Value::Integer((rng.next() % 10) as i64);
        bt.insert(&mut c, rowid, &rec(&[a.clone(), b.clone()]))
            .unwrap();
        bt.insert_index(&mut ic, &rec(&[b, a, Value::Integer(rowid)]))
            .unwrap();
    }
    bt.commit().unwrap();
    bt.end_read();
    drop(bt);
    let out = sqlite3(&path, "PRAGMA integrity_check; SELECT count(*) FROM t;");
    assert_eq!(out, "ok\n3000\n");
    // The shell walks our index in its order and agrees with ORDER BY.
    let by_index = sqlite3(
        &path,
        "SELECT rowid FROM t INDEXED BY ti ORDER BY b COLLATE NOCASE DESC, a;",
    );
    let sorted = sqlite3(
        &path,
        "SELECT rowid FROM t NOT INDEXED ORDER BY b COLLATE NOCASE DESC, a, rowid;",
    );
    assert_eq!(by_index, sorted);
}

#[test]
fn sequential_fill_close_to_sqlite() {
    if !sqlite3_available() {
        return;
    }
    let path = tmp_path("fill.db");
    let sql = "CREATE TABLE t(a,b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n \
        WHERE i<30000) INSERT INTO t SELECT i, printf('%.30c', 'x') FROM n; PRAGMA page_count;";
    let theirs: u32 = sqlite3(&path, sql).trim().parse().unwrap();
    let mut bt = new_db(4096);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    for i in 1..=30000 {
        bt.insert(
            &mut c,
            i,
            &rec(&[Value::Integer(i), Value::Text(vec![b'x'; 30])]),
        )
        .unwrap();
    }
    let ours = bt.pager().page_count();
    assert!(
        ours <= theirs + theirs / 10,
        "loom {ours} pages, sqlite {theirs}"
    );
}

/// Exercises every read and write path on a corrupted copy of `base`;
/// only errors are acceptable, never a panic or a hang.
fn poke_corrupt(base: &MemStore, roots: &[(Pgno, TreeKind)], rng: &mut Rng) {
    let mut store = base.clone();
    let flips = 1 + rng.next() % 8;
    for _ in 0..flips {
        let pg = (rng.next() % store.pages.len() as u64) as usize;
        let page_len = store.pages[pg].len() as u64;
        let hdr = if pg == 0 { 100 } else { 0 };
        let at = match rng.next() % 4 {
            // The b-tree header and the start of the cell pointer array.
            0 | 1 => (rng.next() % 24) as usize + hdr,
            _ => (rng.next() % page_len) as usize,
        };
        store.pages[pg][at] = rng.next() as u8;
    }
    let mut bt = Btree::new(store);
    bt.begin_write(false).unwrap();
    let all: Vec<Pgno> = roots.iter().map(|r| r.0).collect();
    let _ = bt.integrity_check(&all, 50);
    let mut scratch = Vec::new();
    for &(root, kind) in roots {
        let ki = Some(Arc::new(KeyInfo::binary(2)));
        let Ok(mut c) = bt.cursor(root, kind, ki) else {
            continue;
        };
        let mut steps = 0;
        let mut ok = bt.first(&mut c).unwrap_or(false);
        while ok && steps < 100_000 {
            let _ = bt.payload(&c, &mut scratch);
            let _ = bt.rowid(&c);
            ok = bt.next(&mut c).unwrap_or(false);
            steps += 1;
        }
        let _ = bt.last(&mut c);
        let _ = bt.prev(&mut c);
        let _ = bt.count(&mut c);
        for k in 0..20i64 {
            let key = (rng.next() % 3000) as i64;
            match kind {
                TreeKind::Table => {
                    let _ = bt.seek_rowid(&mut c, key);
                    if k % 2 == 0 {
                        let _ = bt.insert(&mut c, key, &row_record(key, (key % 700) as usize));
                    } else if bt.seek_rowid(&mut c, key).is_ok() && !Bt::is_eof(&c) {
                        let _ = bt.delete(&mut c);
                    }
                }
                TreeKind::Index => {
                    let t = format!("k{key}");
                    let probe = [ValueRef::Text(t.as_bytes())];
                    let _ = bt.seek_key(&mut c, &probe, SeekBias::Ge);
                    let r = rec(&[Value::Text(t.clone().into_bytes()), Value::Integer(key)]);
                    if k % 2 == 0 {
                        let _ = bt.insert_index(&mut c, &r);
                    } else if !Bt::is_eof(&c) {
                        let _ = bt.delete(&mut c);
                    }
                }
            }
        }
        let _ = bt.clear_tree(root);
    }
    let _ = bt.integrity_check(&all, 50);
}

#[test]
fn corrupt_files_never_panic() {
    let mut bt = new_db(512);
    let t = bt.create_tree(TreeKind::Table).unwrap();
    let ix = bt.create_tree(TreeKind::Index).unwrap();
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    let mut ic = bt
        .cursor(ix, TreeKind::Index, Some(Arc::new(KeyInfo::binary(2))))
        .unwrap();
    for i in 1..=600i64 {
        bt.insert(&mut c, i * 5, &row_record(i, (i * 13 % 900) as usize))
            .unwrap();
        let r = rec(&[
            Value::Text(format!("k{}", i * 7 % 1000).into_bytes()),
            Value::Integer(i),
        ]);
        bt.insert_index(&mut ic, &r).unwrap();
    }
    for i in (1..=600i64).step_by(3) {
        assert_eq!(bt.seek_rowid(&mut c, i * 5).unwrap(), SeekResult::Found);
        bt.delete(&mut c).unwrap();
    }
    bt.commit().unwrap();
    let base = bt.into_pager();
    let mut rng = Rng(0x5eed);
    for _ in 0..1000 {
        poke_corrupt(
            &base,
            &[
                (1, TreeKind::Table),
                (t, TreeKind::Table),
                (ix, TreeKind::Index),
            ],
            &mut rng,
        );
    }
}

/// A larger workload on one store: sequential table inserts, random index
/// inserts, a full scan and deleting every other row leave both trees
/// intact with the expected contents.
#[test]
fn bulk_insert_scan_delete_keeps_trees_intact() {
    const N: i64 = 20_000;
    let mut bt = new_db(4096);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let ix = bt.create_tree(TreeKind::Index).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    let mut ic = bt
        .cursor(ix, TreeKind::Index, Some(Arc::new(KeyInfo::binary(2))))
        .unwrap();
    for i in 1..=N {
        bt.insert(&mut c, i, &row_record(i, 40)).unwrap();
    }
    let mut rng = Rng(1);
    for i in 0..N {
        let k = (rng.next() >> 20) as i64;
        bt.insert_index(&mut ic, &rec(&[Value::Integer(k), Value::Integer(i)]))
            .unwrap();
    }
    let (mut rows, mut ok) = (0, bt.first(&mut c).unwrap());
    let mut scratch = Vec::new();
    while ok {
        assert_eq!(
            bt.payload(&c, &mut scratch).unwrap(),
            row_record(rows + 1, 40)
        );
        rows += 1;
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(rows, N);
    for i in (1..=N).step_by(2) {
        bt.seek_rowid(&mut c, i).unwrap();
        bt.delete(&mut c).unwrap();
    }
    let (mut left, mut ok) = (0, bt.first(&mut c).unwrap());
    while ok {
        assert_eq!(bt.rowid(&c).unwrap() % 2, 0);
        left += 1;
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(left, N / 2);
    assert_intact(&mut bt, &[root, ix]);
}

#[test]
fn reads_without_rowid_table_written_by_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let path = tmp_path("wr.db");
    let sql = "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID; \
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000) \
        INSERT INTO w SELECT printf('key%06d', (i*7919)%100000), \
        CASE WHEN i%50=0 THEN randomblob(2000) ELSE i END FROM n;";
    assert_eq!(sqlite3(&path, sql), "");
    let expect = sqlite3(&path, "SELECT k, typeof(v), length(v) FROM w ORDER BY k;");
    let root: Pgno = sqlite3(&path, "SELECT rootpage FROM sqlite_schema WHERE name='w';")
        .trim()
        .parse()
        .unwrap();
    let mut bt = open_file_btree(&path);
    bt.begin_read().unwrap();
    let mut c = bt
        .cursor(root, TreeKind::Index, Some(Arc::new(KeyInfo::binary(1))))
        .unwrap();
    let mut got = String::new();
    let mut scratch = Vec::new();
    let mut ok = bt.first(&mut c).unwrap();
    while ok {
        let p = bt.payload(&c, &mut scratch).unwrap().to_vec();
        let h = RecordHeader::parse(&p).unwrap();
        let k = match h.column(&p, 0).unwrap() {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
            v => panic!("{v:?}"),
        };
        let (ty, len) = match h.column(&p, 1).unwrap() {
            ValueRef::Integer(i) => ("integer", i.to_string().len()),
            ValueRef::Blob(b) => ("blob", b.len()),
            v => panic!("{v:?}"),
        };
        got.push_str(&format!("{k}|{ty}|{len}\n"));
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(got, expect);
    // Point lookups by primary key.
    let key = [ValueRef::Text(b"key007919")];
    assert_eq!(
        bt.seek_key(&mut c, &key, SeekBias::Ge).unwrap(),
        SeekResult::Found
    );
    let missing = [ValueRef::Text(b"key000000x")];
    assert_ne!(
        bt.seek_key(&mut c, &missing, SeekBias::Ge).unwrap(),
        SeekResult::Found
    );
}

#[test]
fn index_appends_replacements_and_inner_inserts() {
    for page_size in [512, 4096] {
        let mut bt = new_db(page_size);
        let root = bt.create_tree(TreeKind::Index).unwrap();
        let ki = Arc::new(KeyInfo::binary(2));
        let mut c = bt.cursor(root, TreeKind::Index, Some(ki.clone())).unwrap();
        let key = |k: i64, r: i64| rec(&[Value::Integer(k), Value::Integer(r)]);
        let mut expect = Vec::new();
        let mut rng = Rng(11);
        for i in 0..3000i64 {
            // Ascending keys take the append path; every 7th insert goes
            // into the middle, every 50th re-inserts an existing key.
            let (k, r) = if i % 50 == 49 {
                expect[(rng.next() % expect.len() as u64) as usize]
            } else if i % 7 == 6 {
                ((rng.next() % 1000) as i64 * 2 + 1, i)
            } else {
                (1_000_000 + i, i)
            };
            bt.insert_index(&mut c, &key(k, r)).unwrap();
            expect.push((k, r));
        }
        expect.sort();
        expect.dedup();
        let mut s = bt.cursor(root, TreeKind::Index, Some(ki)).unwrap();
        let mut got = Vec::new();
        let mut ok = bt.first(&mut s).unwrap();
        while ok {
            let h = RecordHeader::parse(Btree::<MemStore>::index_key(&s).unwrap()).unwrap();
            let p = Btree::<MemStore>::index_key(&s).unwrap();
            match (h.column(p, 0).unwrap(), h.column(p, 1).unwrap()) {
                (ValueRef::Integer(k), ValueRef::Integer(r)) => got.push((k, r)),
                other => panic!("unexpected key {other:?}"),
            }
            ok = bt.next(&mut s).unwrap();
        }
        assert_eq!(got, expect, "page size {page_size}");
        assert_intact(&mut bt, &[root]);
    }
}

#[test]
fn reopened_cursor_resumes_last_only_while_unchanged() {
    let mut bt = new_db(512);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    for i in 1..=500 {
        let next = if bt.last(&mut c).unwrap() {
            bt.rowid(&c).unwrap() + 1
        } else {
            1
        };
        assert_eq!(next, i);
        bt.insert(&mut c, next, &row_record(i, 20)).unwrap();
        bt.reopen_cursor(&mut c).unwrap();
        assert!(bt.rowid(&c).is_err(), "a reopened cursor is unpositioned");
    }
    assert!(bt.last(&mut c).unwrap());
    assert_eq!(bt.rowid(&c).unwrap(), 500);
    // Another cursor appends: the hint must not be used.
    bt.reopen_cursor(&mut c).unwrap();
    let mut d = bt.cursor(root, TreeKind::Table, None).unwrap();
    bt.insert(&mut d, 501, &row_record(501, 20)).unwrap();
    assert!(bt.last(&mut c).unwrap());
    assert_eq!(bt.rowid(&c).unwrap(), 501);
    // Invalidation (savepoint rollback, another process) drops it too.
    bt.reopen_cursor(&mut c).unwrap();
    let mut d = bt.cursor(root, TreeKind::Table, None).unwrap();
    assert!(bt.seek_rowid(&mut d, 501).unwrap() == SeekResult::Found);
    bt.delete(&mut d).unwrap();
    bt.invalidate_cursors();
    assert!(bt.last(&mut c).unwrap());
    assert_eq!(bt.rowid(&c).unwrap(), 500);
    assert_eq!(scan_rowids(&mut bt, root), (1..=500).collect::<Vec<_>>());
    assert_intact(&mut bt, &[root]);
}

/// Deletes through a cursor followed by `next`, `prev` or a change made
/// through a second cursor land where a re-seek of the deleted key would
/// (modify.rs invariant 3, cursor.rs invariant 5), in table and index
/// trees, checked against a sorted model.
#[test]
fn delete_then_move_matches_a_model() {
    for (kind, page_size) in [
        (TreeKind::Table, 512),
        (TreeKind::Index, 512),
        (TreeKind::Table, 4096),
    ] {
        let mut bt = new_db(page_size);
        let root = bt.create_tree(kind).unwrap();
        let ki = (kind == TreeKind::Index).then(ki_nocase);
        let mut c = bt.cursor(root, kind, ki.clone()).unwrap();
        let mut c2 = bt.cursor(root, kind, ki.clone()).unwrap();
        let put = |bt: &mut Bt, c: &mut BtCursor, k: i64| match kind {
            TreeKind::Table => bt.insert(c, k, &row_record(k, 20)).unwrap(),
            TreeKind::Index => bt
                .insert_index(c, &rec(&[Value::Integer(k / 3), Value::Integer(k)]))
                .unwrap(),
        };
        let mut model = std::collections::BTreeSet::new();
        for k in (1..=6000).step_by(2) {
            put(&mut bt, &mut c, k);
            model.insert(k);
        }
        let mut rng = Rng(4242);
        for round in 0..400 {
            let target = (rng.next() % 6200) as i64;
            // Position on the first entry >= target (rowid = the entry's key).
            let found = match kind {
                TreeKind::Table => bt.seek_rowid(&mut c, target).unwrap() != SeekResult::Empty,
                TreeKind::Index => {
                    bt.seek_key(&mut c, &[ValueRef::Integer(target / 3)], SeekBias::Ge)
                        .unwrap()
                        != SeekResult::Empty
                }
            };
            if !found || Btree::<MemStore>::is_eof(&c) {
                continue;
            }
            let mut k = bt.rowid(&c).unwrap();
            // Delete a run of entries, moving after each delete.
            for _ in 0..(rng.next() % 40) {
                bt.delete(&mut c).unwrap();
                assert!(model.remove(&k), "round {round}: deleted {k} twice");
                let forward = !rng.next().is_multiple_of(4);
                if rng.next().is_multiple_of(5) {
                    let fresh = (rng.next() % 3000) as i64 * 2 + 2;
                    put(&mut bt, &mut c2, fresh);
                    model.insert(fresh);
                }
                let moved = if forward {
                    bt.next(&mut c)
                } else {
                    bt.prev(&mut c)
                }
                .unwrap();
                let want = if forward {
                    model.range(k + 1..).next().copied()
                } else {
                    model.range(..k).next_back().copied()
                };
                let got = moved.then(|| bt.rowid(&c).unwrap());
                assert_eq!(got, want, "{kind:?} round {round} after deleting {k}");
                match got {
                    Some(g) => k = g,
                    None => break,
                }
            }
        }
        let mut all = Vec::new();
        let mut ok = bt.first(&mut c).unwrap();
        while ok {
            all.push(bt.rowid(&c).unwrap());
            ok = bt.next(&mut c).unwrap();
        }
        assert_eq!(all, model.iter().copied().collect::<Vec<_>>(), "{kind:?}");
        assert_intact(&mut bt, &[root]);
    }
}

/// Replacing rows by records of the same, a shorter and a longer length
/// (including ones that spill to overflow pages) keeps the tree intact,
/// the cursor on the row and a second cursor reading the new contents.
#[test]
fn replace_rows_in_place_and_resized() {
    let mut bt = new_db(1024);
    let root = bt.create_tree(TreeKind::Table).unwrap();
    let mut c = bt.cursor(root, TreeKind::Table, None).unwrap();
    let mut c2 = bt.cursor(root, TreeKind::Table, None).unwrap();
    let mut model = std::collections::BTreeMap::new();
    for k in 1..=800 {
        let r = row_record(k, 30);
        bt.insert(&mut c, k, &r).unwrap();
        model.insert(k, r);
    }
    let mut rng = Rng(77);
    let mut scratch = Vec::new();
    for i in 0..3000 {
        let k = (rng.next() % 800) as i64 + 1;
        let len = match i % 4 {
            0 | 1 => 30,
            2 => (rng.next() % 60) as usize,
            _ => (rng.next() % 3000) as usize,
        };
        let r = row_record(k + i, len);
        assert_eq!(bt.seek_rowid(&mut c2, k).unwrap(), SeekResult::Found);
        bt.insert(&mut c, k, &r).unwrap();
        assert_eq!(bt.rowid(&c).unwrap(), k);
        assert_eq!(bt.payload(&c, &mut scratch).unwrap(), &r[..]);
        assert_eq!(bt.payload(&c2, &mut scratch).unwrap(), &r[..]);
        model.insert(k, r);
    }
    let mut ok = bt.first(&mut c).unwrap();
    let mut seen = 0;
    while ok {
        let k = bt.rowid(&c).unwrap();
        assert_eq!(
            bt.payload(&c, &mut scratch).unwrap(),
            &model[&k][..],
            "row {k}"
        );
        seen += 1;
        ok = bt.next(&mut c).unwrap();
    }
    assert_eq!(seen, model.len());
    assert_intact(&mut bt, &[root]);
}
