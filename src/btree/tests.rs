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
    let text = vec![b'a' + (a % 26) as u8; len];
    rec(&[Value::Integer(a), Value::Text(text)])
}

fn scan_rowids(bt: &mut Bt, root: Pgno) -> Vec<i64> {
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
        for _ in 0..3000 {
            let k = (rng.next() % 1_000_000) as i64 + 5000;
            bt.insert(&mut c, k, &row_record(k, (k % 300) as usize))
                .unwrap();
            expect.push(k);
        }
        expect.sort();
        expect.dedup();
        assert_eq!(scan_rowids(&mut bt, root), expect, "page size {page_size}");
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
        let word = format!("{}key{:04}", if n % 2 == 0 { "K" } else { "k" }, n);
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

fn tmp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("loom-btree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

fn schema_row(bt: &mut Bt, rowid: i64, kind: &str, name: &str, tbl: &str, root: Pgno, sql: &str) {
    let mut c = bt.cursor(1, TreeKind::Table, None).unwrap();
    let r = rec(&[
        Value::Text(kind.into()),
        Value::Text(name.into()),
        Value::Text(tbl.into()),
        Value::Integer(root as i64),
        Value::Text(sql.into()),
    ]);
    bt.insert(&mut c, rowid, &r).unwrap();
}

#[test]
fn oracle_accepts_written_file() {
    if !sqlite3_available() {
        return;
    }
    let mut bt = new_db(4096);
    let t = bt.create_tree(TreeKind::Table).unwrap();
    let ix = bt.create_tree(TreeKind::Index).unwrap();
    schema_row(&mut bt, 1, "table", "t", "t", t, "CREATE TABLE t(a,b)");
    schema_row(
        &mut bt,
        2,
        "index",
        "tb",
        "t",
        ix,
        "CREATE INDEX tb ON t(b)",
    );
    bt.set_meta(1, 1).unwrap();
    let mut c = bt.cursor(t, TreeKind::Table, None).unwrap();
    let mut ic = bt
        .cursor(ix, TreeKind::Index, Some(Arc::new(KeyInfo::binary(2))))
        .unwrap();
    let mut rng = Rng(12345);
    let mut rows = std::collections::BTreeMap::new();
    for i in 0..100_000i64 {
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
            let key = rec(&[Value::Text(old.1), Value::Integer(rowid)]);
            let r = bt.seek_key(&mut ic, &[ValueRef::Text(&key)], SeekBias::Ge);
            let _ = r;
            // Remove the stale index entry by exact seek.
            let h = RecordHeader::parse(&key).unwrap();
            let k0 = h.column(&key, 0).unwrap();
            let k1 = h.column(&key, 1).unwrap();
            assert_eq!(
                bt.seek_key(&mut ic, &[k0, k1], SeekBias::Ge).unwrap(),
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
    let path = tmp_path("written.db");
    std::fs::write(&path, bt.pager().to_bytes()).unwrap();
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
    let mut bt = Btree::new(MemStore::from_bytes(&std::fs::read(&path).unwrap()));
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
    std::fs::write(&path, bt.pager().to_bytes()).unwrap();
    let out = sqlite3(
        &path,
        "PRAGMA integrity_check; SELECT count(*) FROM t WHERE b LIKE 'new%';",
    );
    assert_eq!(out, "ok\n2000\n");
}
