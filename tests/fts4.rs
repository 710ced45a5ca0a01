//! FTS3/FTS4 interop: loom and C SQLite (rusqlite, the oracle) write and
//! query the same full-text tables.

use loomdb::api::{Database, OpenOptions, Value};

fn open_loom(path: &str) -> Database {
    Database::open(path, OpenOptions::default()).expect("open loom")
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("loom-fts4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p.to_string_lossy().into_owned()
}

fn c_rows(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let mut q = st.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = q.next().unwrap() {
        let cells: Vec<String> = (0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect();
        out.push(cells.join("|"));
    }
    out
}

#[test]
fn shadow_tables_match_c_bytes() {
    let (a, b) = (tmp("a.db"), tmp("b.db"));
    let script = "CREATE VIRTUAL TABLE t USING fts4(a,b);
        INSERT INTO t VALUES('hello world','foo bar hello');
        INSERT INTO t VALUES('Hello again', NULL);
        INSERT INTO t(docid, a) VALUES(10, 'x y z');
        DELETE FROM t WHERE docid = 1;
        UPDATE t SET b = 'new words' WHERE docid = 2;";
    let l = open_loom(&a);
    l.execute_batch(script).unwrap();
    drop(l);
    let c = rusqlite::Connection::open(&b).unwrap();
    c.execute_batch(script).unwrap();
    let lc = rusqlite::Connection::open(&a).unwrap();
    for q in [
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
        "SELECT level, idx, start_block, leaves_end_block, end_block, hex(root) FROM t_segdir",
        "SELECT docid, hex(size) FROM t_docsize",
        "SELECT id, hex(value) FROM t_stat",
        "SELECT * FROM t_content",
        "SELECT docid, * FROM t WHERE t MATCH 'hello OR words'",
    ] {
        assert_eq!(c_rows(&lc, q), c_rows(&c, q), "{q}");
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A word of a skewed vocabulary of `n` words (low numbers common).
    fn word(&mut self, n: u64) -> String {
        let a = self.below(n);
        let b = self.below(n);
        format!("w{}", a.min(b))
    }
    fn doc(&mut self, vocab: u64) -> String {
        let len = 1 + self.below(12);
        let words: Vec<String> = (0..len).map(|_| self.word(vocab)).collect();
        let seps = [" ", " ", ", ", "-", ". "];
        let mut s = String::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                s.push_str(seps[self.below(seps.len() as u64) as usize]);
            }
            if self.below(5) == 0 {
                s.push_str(&w.to_uppercase());
            } else {
                s.push_str(w);
            }
        }
        s
    }
    fn leaf(&mut self, vocab: u64) -> String {
        match self.below(6) {
            0 => format!("{}*", &self.word(vocab)[..2]),
            1 => format!("\"{} {}\"", self.word(vocab), self.word(vocab)),
            2 => format!(
                "{}:{}",
                ["a", "b"][self.below(2) as usize],
                self.word(vocab)
            ),
            _ => self.word(vocab),
        }
    }
    fn query(&mut self, vocab: u64, depth: u32) -> String {
        if depth == 0 || self.below(3) == 0 {
            return self.leaf(vocab);
        }
        let l = self.query(vocab, depth - 1);
        let r = self.query(vocab, depth - 1);
        match self.below(5) {
            0 => format!("{l} OR {r}"),
            1 => format!("{l} AND {r}"),
            2 => format!("{l} NOT {r}"),
            3 => format!("({l} OR {r})"),
            _ => format!("{l} {r}"),
        }
    }
}

fn loom_strings(db: &Database, sql: &str, params: &[Value]) -> Result<Vec<String>, String> {
    db.query_all(sql, params)
        .map(|rows| rows.iter().map(|r| format!("{r:?}")).collect())
        .map_err(|e| e.to_string())
}

fn c_strings(c: &rusqlite::Connection, sql: &str, q: &str) -> Result<Vec<String>, String> {
    let mut st = c.prepare(sql).map_err(|e| e.to_string())?;
    let rows = st
        .query_map([q], |r| r.get::<_, i64>(0))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for r in rows {
        out.push(format!(
            "{:?}",
            [Value::Integer(r.map_err(|e| e.to_string())?)]
        ));
    }
    Ok(out)
}

/// Random queries on loom and on C against the same file; returns
/// (passed, failed).
fn compare_queries(path: &str, rng: &mut Rng, vocab: u64, n: usize) -> (usize, usize) {
    let l = open_loom(path);
    let c = rusqlite::Connection::open(path).unwrap();
    let (mut pass, mut fail) = (0, 0);
    for i in 0..n {
        let q = rng.query(vocab, 3);
        let sql = if i % 5 == 4 {
            "SELECT docid FROM t WHERE b MATCH ?1"
        } else {
            "SELECT docid FROM t WHERE t MATCH ?1"
        };
        let lr = loom_strings(&l, sql, &[Value::Text(q.clone().into_bytes())]);
        let cr = c_strings(&c, sql, &q);
        if lr.is_ok() && lr == cr {
            pass += 1;
        } else {
            fail += 1;
            if fail <= 5 {
                let short = |r: &Result<Vec<String>, String>| match r {
                    Ok(v) => format!(
                        "{} rows {:?}",
                        v.len(),
                        v.iter().take(8).collect::<Vec<_>>()
                    ),
                    Err(e) => e.clone(),
                };
                eprintln!(
                    "MISMATCH {sql} [{q}]\n loom {}\n C    {}",
                    short(&lr),
                    short(&cr)
                );
            }
        }
    }
    (pass, fail)
}

fn c_integrity(path: &str) -> String {
    let c = rusqlite::Connection::open(path).unwrap();
    let r = c.execute("INSERT INTO t(t) VALUES('integrity-check')", []);
    let ic: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    format!("{r:?} {ic}")
}

#[test]
fn interop_random_documents_and_queries() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut pass, mut fail) = (0, 0);
    let mut tally = |what: &str, (p, f): (usize, usize)| {
        eprintln!("{what}: {p} passed, {f} failed");
        pass += p;
        fail += f;
    };
    // loom writes: one segment per row, merges, deletes and updates.
    let a = tmp("loom-writes.db");
    let l = open_loom(&a);
    l.execute_batch("CREATE VIRTUAL TABLE t USING fts4(a, b)")
        .unwrap();
    for i in 0..400 {
        let (x, y) = (rng.doc(60), rng.doc(60));
        l.execute(
            "INSERT INTO t(a, b) VALUES(?1, ?2)",
            &[Value::Text(x.into_bytes()), Value::Text(y.into_bytes())],
        )
        .unwrap();
        if i % 7 == 3 {
            let d = 1 + rng.below(i + 1) as i64;
            l.execute("DELETE FROM t WHERE docid = ?1", &[Value::Integer(d)])
                .unwrap();
        }
        if i % 11 == 5 {
            let d = 1 + rng.below(i + 1) as i64;
            let x = rng.doc(60);
            l.execute(
                "UPDATE t SET a = ?2 WHERE docid = ?1",
                &[Value::Integer(d), Value::Text(x.into_bytes())],
            )
            .unwrap();
        }
    }
    drop(l);
    assert_eq!(c_integrity(&a), "Ok(1) ok", "C checks loom's index");
    tally(
        "loom writes, both query",
        compare_queries(&a, &mut rng, 60, 200),
    );
    // C writes: big transactions (multi-leaf segments with interior
    // nodes), then many small ones (several levels), then deletes.
    let b = tmp("c-writes.db");
    {
        let c = rusqlite::Connection::open(&b).unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE t USING fts4(a, b)")
            .unwrap();
        for round in 0..3 {
            c.execute_batch("BEGIN").unwrap();
            for _ in 0..700 {
                let (x, y) = (rng.doc(3000), rng.doc(3000));
                c.execute("INSERT INTO t(a, b) VALUES(?1, ?2)", [x, y])
                    .unwrap();
            }
            c.execute_batch("COMMIT").unwrap();
            for _ in 0..(if round == 0 { 40 } else { 5 }) {
                let (x, y) = (rng.doc(3000), rng.doc(3000));
                c.execute("INSERT INTO t(a, b) VALUES(?1, ?2)", [x, y])
                    .unwrap();
                let d = 1 + rng.below(2000) as i64;
                c.execute("DELETE FROM t WHERE docid = ?1", [d]).unwrap();
            }
        }
        let levels: i64 = c
            .query_row("SELECT count(DISTINCT level) FROM t_segdir", [], |r| {
                r.get(0)
            })
            .unwrap();
        let blocks: i64 = c
            .query_row("SELECT count(*) FROM t_segments", [], |r| r.get(0))
            .unwrap();
        assert!(
            levels >= 2 && blocks > 10,
            "levels {levels} blocks {blocks}"
        );
    }
    tally(
        "C writes, both query",
        compare_queries(&b, &mut rng, 3000, 200),
    );
    // loom adds to C's index, C checks and both query again.
    {
        let l = open_loom(&b);
        for _ in 0..40 {
            let (x, y) = (rng.doc(3000), rng.doc(3000));
            l.execute(
                "INSERT INTO t(a, b) VALUES(?1, ?2)",
                &[Value::Text(x.into_bytes()), Value::Text(y.into_bytes())],
            )
            .unwrap();
            let d = 1 + rng.below(2000) as i64;
            l.execute("DELETE FROM t WHERE docid = ?1", &[Value::Integer(d)])
                .unwrap();
        }
    }
    assert_eq!(c_integrity(&b), "Ok(1) ok", "C checks the mixed index");
    tally(
        "mixed writers, both query",
        compare_queries(&b, &mut rng, 3000, 100),
    );
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}

#[path = "support/oracle.rs"]
mod oracle;

/// Statements run one by one on loom and on C (each on its own file);
/// every outcome (rows or error text) must agree.
#[test]
fn statements_agree_with_c() {
    let script = [
        "CREATE VIRTUAL TABLE t USING fts4(a, b)",
        "CREATE VIRTUAL TABLE bad USING fts4(a, tokenize=nosuch)",
        "CREATE VIRTUAL TABLE bad USING fts4(a, bogus=1)",
        "CREATE VIRTUAL TABLE f3 USING fts3(x, y=1)",
        "SELECT name, sql FROM sqlite_master ORDER BY name",
        "INSERT INTO t VALUES('the quick brown fox', 'jumps over the lazy dog')",
        "INSERT INTO t VALUES('Lorem ipsum dolor', 'sit amet, consectetur')",
        "INSERT INTO t(docid, a, b) VALUES(100, 'quick quick', NULL)",
        "INSERT INTO t(rowid, a) VALUES(7, 'seven')",
        "INSERT INTO t(docid, a) VALUES(7, 'dup')",
        "INSERT OR REPLACE INTO t(docid, a) VALUES(7, 'replaced seven')",
        "INSERT INTO f3 VALUES('alpha beta', 'gamma')",
        "INSERT INTO f3(x) SELECT a FROM t",
        "SELECT docid, * FROM t",
        "SELECT rowid, a FROM t WHERE docid = 100",
        "SELECT docid FROM t WHERE rowid = 2",
        "SELECT docid FROM t ORDER BY docid DESC",
        "SELECT docid FROM t WHERE t MATCH 'quick' ORDER BY docid DESC",
        "SELECT docid, a FROM t WHERE t MATCH 'quick'",
        "SELECT docid FROM t WHERE a MATCH 'dog'",
        "SELECT docid FROM t WHERE b MATCH 'dog'",
        "SELECT docid FROM t WHERE t MATCH 'qu* OR dol*'",
        "SELECT docid FROM t WHERE t MATCH '\"lazy dog\"'",
        "SELECT docid FROM t WHERE t MATCH '\"dog lazy\"'",
        "SELECT docid FROM t WHERE t MATCH 'quick NOT fox'",
        "SELECT docid FROM t WHERE t MATCH 'b:sit OR a:seven'",
        "SELECT docid FROM t WHERE t MATCH 'quick AND'",
        "SELECT docid FROM t WHERE t MATCH '(quick'",
        "SELECT docid FROM t WHERE t MATCH ''",
        "SELECT docid FROM t WHERE t MATCH NULL",
        "SELECT docid FROM t WHERE t MATCH 'quick' AND docid > 1",
        "SELECT docid FROM t WHERE t MATCH 'quick' AND docid = 100",
        "SELECT rowid FROM f3 WHERE f3 MATCH 'quick'",
        "SELECT typeof(t), typeof(docid) FROM t WHERE docid = 1",
        "UPDATE t SET a = 'slow brown fox' WHERE docid = 1",
        "SELECT docid FROM t WHERE t MATCH 'quick'",
        "SELECT docid FROM t WHERE t MATCH 'slow'",
        "UPDATE t SET docid = 50 WHERE docid = 100",
        "SELECT docid FROM t WHERE t MATCH 'quick'",
        "DELETE FROM t WHERE t MATCH 'fox'",
        "SELECT docid, a FROM t",
        "BEGIN",
        "INSERT INTO t VALUES('rolled back', 'words')",
        "ROLLBACK",
        "SELECT docid FROM t WHERE t MATCH 'rolled'",
        "SELECT level, idx, start_block, leaves_end_block, end_block, hex(root) FROM t_segdir",
        "SELECT id, hex(value) FROM t_stat",
        "SELECT docid, hex(size) FROM t_docsize",
        "INSERT INTO t(t) VALUES('nonsense')",
        "INSERT INTO t(t) VALUES('integrity-check')",
        "INSERT INTO t(t) VALUES('optimize')",
        "SELECT level, idx, start_block, leaves_end_block, end_block, hex(root) FROM t_segdir",
        "INSERT INTO t(t) VALUES('rebuild')",
        "SELECT level, idx, start_block, leaves_end_block, end_block, hex(root) FROM t_segdir",
        "SELECT id, hex(value) FROM t_stat",
        "SELECT docid FROM t WHERE t MATCH 'brown OR seven'",
        "SELECT 'a' MATCH 'b'",
        "SELECT docid FROM t WHERE t MATCH 'quick' AND t MATCH 'quick'",
        "DROP TABLE t",
        "SELECT name FROM sqlite_master ORDER BY name",
        "DROP TABLE f3",
        "SELECT name FROM sqlite_master ORDER BY name",
    ];
    let (a, b) = (tmp("stmts-loom.db"), tmp("stmts-c.db"));
    let l = open_loom(&a);
    let c = rusqlite::Connection::open(&b).unwrap();
    let (mut pass, mut fail) = (0, 0);
    for sql in script {
        let lo = oracle::run_loom(&l, sql, &[]);
        let co = oracle::run_c(&c, sql, &[]);
        let same = match (&lo, &co) {
            (Ok(x), Ok(y)) => oracle::same_rows(x, y),
            (Err((_, m)), Err((_, n))) => m == n,
            _ => false,
        };
        if same {
            pass += 1;
        } else {
            fail += 1;
            eprintln!("DIFF {sql}\n loom {lo:?}\n C    {co:?}");
        }
    }
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}
