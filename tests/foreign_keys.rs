//! FOREIGN KEY enforcement, differential against C SQLite (rusqlite).
//!
//! SQLite counterpart: foreignkeys.html, the fkey*.test scripts' subjects.
//!
//! Each case is a script run statement by statement on loom and on C
//! SQLite with PRAGMA foreign_keys = ON; after every statement the rows,
//! error code and message must match, and a final dump of every table must
//! match too. A random phase runs a few hundred generated DML statements
//! over parent / child / grandchild tables (composite keys, a
//! self-referencing table). Prints `N passed, N failed`.

mod support;

use support::engine::{CSqlite, Engine, Loom, QueryOutcome};

const SCHEMA: &str = "
CREATE TABLE p(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c INT, d INT, UNIQUE(c, d));
CREATE TABLE c1(x INTEGER REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE, y UNIQUE);
CREATE TABLE c2(x TEXT REFERENCES p(b) ON DELETE SET NULL ON UPDATE SET NULL);
CREATE TABLE c3(m INT DEFAULT 1, n INT DEFAULT 1, FOREIGN KEY(m, n) REFERENCES p(c, d)
  ON DELETE SET DEFAULT ON UPDATE RESTRICT);
CREATE TABLE c4(x REFERENCES p(a) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE g1(z REFERENCES c1(y) ON DELETE CASCADE);
CREATE TABLE s(id INTEGER PRIMARY KEY, up REFERENCES s(id) ON DELETE CASCADE, v);
CREATE TABLE r(x REFERENCES p(a) ON DELETE RESTRICT);
";

/// Scripted cases: (name, statements separated by ';;').
const CASES: &[(&str, &str)] = &[
    ("pragma", "PRAGMA foreign_keys;; PRAGMA foreign_keys = OFF;; PRAGMA foreign_keys;; PRAGMA foreign_keys = ON;; PRAGMA foreign_keys;; BEGIN;; PRAGMA foreign_keys = OFF;; PRAGMA foreign_keys;; COMMIT;; PRAGMA defer_foreign_keys;; PRAGMA defer_foreign_keys = 1;; PRAGMA defer_foreign_keys"),
    ("insert child", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a');; INSERT INTO c1 VALUES(2, 'b');; INSERT INTO c1 VALUES(NULL, 'c');; INSERT INTO c1 VALUES('1', 'd');; INSERT INTO c1 VALUES(1.0, 'e');; SELECT * FROM c1"),
    ("multi row", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a'), (5, 'b');; SELECT * FROM c1;; INSERT INTO s VALUES(1, 2, 'x'), (2, 1, 'y');; INSERT INTO s VALUES(3, 3, 'self');; SELECT * FROM s"),
    ("cascade delete", "INSERT INTO p VALUES(1, 'one', 1, 1), (2, 'two', 2, 2);; INSERT INTO c1 VALUES(1, 'a'), (2, 'b'), (1, 'c');; DELETE FROM p WHERE a = 1;; SELECT * FROM c1;; DELETE FROM p;; SELECT count(*) FROM c1"),
    ("cascade update", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a');; UPDATE p SET a = 10;; SELECT * FROM c1;; UPDATE p SET b = 'x';; SELECT * FROM c1"),
    ("set null", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c2 VALUES('one'), ('one'), (NULL);; UPDATE p SET b = 'uno';; SELECT * FROM c2;; INSERT INTO c2 VALUES('uno');; DELETE FROM p;; SELECT * FROM c2"),
    ("set default", "INSERT INTO p VALUES(1, 'one', 1, 1), (2, 'two', 2, 2);; INSERT INTO c3 VALUES(2, 2);; DELETE FROM p WHERE a = 2;; SELECT * FROM c3;; DELETE FROM p;; SELECT * FROM c3"),
    ("restrict", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO r VALUES(1);; DELETE FROM p;; INSERT INTO c3 VALUES(1, 1);; UPDATE p SET c = 5;; UPDATE p SET b = 'x';; SELECT * FROM p"),
    ("no action", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO g1 VALUES('a');; INSERT INTO c1 VALUES(1, 'a');; INSERT INTO g1 VALUES('a');; DELETE FROM c1;; UPDATE c1 SET x = 7;; SELECT * FROM g1"),
    ("deferred", "BEGIN;; INSERT INTO c4 VALUES(5);; SELECT * FROM c4;; COMMIT;; INSERT INTO p VALUES(5, 'five', 5, 5);; COMMIT;; SELECT * FROM c4"),
    ("deferred rollback", "BEGIN;; INSERT INTO c4 VALUES(5);; COMMIT;; ROLLBACK;; SELECT * FROM c4;; INSERT INTO c4 VALUES(6);; SELECT * FROM c4"),
    ("savepoint", "BEGIN;; SAVEPOINT a;; INSERT INTO c4 VALUES(9);; ROLLBACK TO a;; COMMIT;; SELECT * FROM c4"),
    ("savepoint release", "SAVEPOINT a;; INSERT INTO c4 VALUES(9);; RELEASE a;; ROLLBACK;; SAVEPOINT b;; INSERT INTO c4 VALUES(9);; DELETE FROM c4;; RELEASE b;; SELECT * FROM c4"),
    ("defer pragma", "BEGIN;; PRAGMA defer_foreign_keys = ON;; INSERT INTO c1 VALUES(7, 'x');; SELECT * FROM c1;; COMMIT;; INSERT INTO p VALUES(7, 's', 7, 7);; COMMIT;; PRAGMA defer_foreign_keys;; SELECT * FROM c1"),
    ("self cascade", "INSERT INTO s VALUES(1, NULL, 'root');; INSERT INTO s VALUES(2, 1, 'a'), (3, 2, 'b'), (4, 3, 'c'), (5, 1, 'd');; DELETE FROM s WHERE id = 2;; SELECT * FROM s"),
    ("deep chain", "INSERT INTO s SELECT i, CASE WHEN i > 1 THEN i - 1 END, 'v' FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i FROM n);; SELECT count(*) FROM s;; DELETE FROM s WHERE id = 3;; SELECT count(*) FROM s;; DELETE FROM s;; SELECT count(*) FROM s"),
    ("restrict deferred pragma", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO r VALUES(1);; BEGIN;; PRAGMA defer_foreign_keys = 1;; DELETE FROM p;; SELECT count(*) FROM p;; COMMIT;; ROLLBACK;; SELECT * FROM p"),
    ("upsert", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a');; INSERT INTO p VALUES(1, 'x', 1, 1) ON CONFLICT(a) DO UPDATE SET a = 20;; SELECT * FROM c1;; UPDATE OR REPLACE p SET a = 20;; SELECT * FROM c1"),
    ("trigger cascade", "CREATE TABLE log(m);; CREATE TRIGGER tr AFTER DELETE ON c1 BEGIN INSERT INTO log VALUES(old.y); END;; INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a'), (1, 'b');; INSERT INTO g1 VALUES('a');; DELETE FROM p;; SELECT * FROM log;; SELECT * FROM g1"),
    ("collation", "CREATE TABLE pn(k TEXT COLLATE NOCASE PRIMARY KEY);; CREATE TABLE cn(k REFERENCES pn ON UPDATE CASCADE);; INSERT INTO pn VALUES('Abc');; INSERT INTO cn VALUES('aBC');; INSERT INTO cn VALUES('x');; UPDATE pn SET k = 'z';; SELECT * FROM cn"),
    ("affinity", "CREATE TABLE pt(k TEXT UNIQUE);; CREATE TABLE ct(k INTEGER REFERENCES pt(k));; INSERT INTO pt VALUES('12');; INSERT INTO ct VALUES(12);; INSERT INTO ct VALUES('12');; DELETE FROM pt;; SELECT * FROM ct"),
    ("composite", "CREATE TABLE pc(a, b, PRIMARY KEY(b, a));; CREATE TABLE cc(x, y, FOREIGN KEY(x, y) REFERENCES pc(a, b) ON DELETE CASCADE);; INSERT INTO pc VALUES(1, 2);; INSERT INTO cc VALUES(1, 2);; INSERT INTO cc VALUES(2, 1);; INSERT INTO cc VALUES(1, NULL);; DELETE FROM pc;; SELECT * FROM cc"),
    ("create errors", "CREATE TABLE e1(a, FOREIGN KEY(a, b) REFERENCES p);; CREATE TABLE e2(a, FOREIGN KEY(a) REFERENCES p(a, b))"),
    ("fk check", "PRAGMA foreign_keys = OFF;; INSERT INTO c1 VALUES(3, 'x'), (NULL, 'n');; INSERT INTO c4 VALUES(8);; INSERT INTO s VALUES(1, 99, 'x');; PRAGMA foreign_keys = ON;; PRAGMA foreign_key_check(c1);; PRAGMA foreign_key_check(c4);; PRAGMA foreign_key_check(s);; PRAGMA foreign_key_check(p);; SELECT * FROM pragma_foreign_key_check('c1')"),
    ("fk list", "PRAGMA foreign_key_list(c3);; PRAGMA foreign_key_list(c1);; PRAGMA foreign_key_list(p);; SELECT * FROM pragma_foreign_key_list('s')"),
    ("drop table", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO r VALUES(1);; DROP TABLE p;; DELETE FROM r;; INSERT INTO c1 VALUES(1, 'a');; DROP TABLE g1;; DROP TABLE c1;; SELECT * FROM p"),
    ("drop child deferred", "BEGIN;; INSERT INTO c4 VALUES(3);; DROP TABLE c4;; COMMIT"),
    ("replace", "INSERT INTO p VALUES(1, 'one', 1, 1);; INSERT INTO c1 VALUES(1, 'a');; INSERT OR REPLACE INTO p VALUES(1, 'uno', 1, 1);; SELECT * FROM c1;; SELECT * FROM p"),
    ("mismatch", "CREATE TABLE bad(z REFERENCES p(d));; INSERT INTO p VALUES(1, 'one', 1, 1);; UPDATE p SET b = 'x';; UPDATE p SET d = 3;; INSERT INTO bad VALUES(1);; DELETE FROM p;; INSERT INTO p VALUES(5, 'five', 5, 5), (6, 'six', 6, 6);; INSERT INTO p SELECT 7, 'seven', 7, 7;; INSERT INTO p VALUES(8, 'eight', 8, 8);; DROP TABLE bad;; DELETE FROM p"),
    ("missing parent", "CREATE TABLE orphan(z REFERENCES nothere);; INSERT INTO orphan VALUES(NULL);; INSERT INTO orphan VALUES(1);; PRAGMA foreign_key_check(orphan)"),
    ("off", "PRAGMA foreign_keys = OFF;; INSERT INTO c1 VALUES(42, 'x');; DELETE FROM p;; SELECT * FROM c1"),
    ("alter rename", "INSERT INTO p VALUES(1, 'one', 1, 1);; ALTER TABLE p RENAME TO pp;; INSERT INTO c1 VALUES(2, 'x');; INSERT INTO c1 VALUES(1, 'y');; DELETE FROM pp;; SELECT * FROM c1;; SELECT sql FROM sqlite_schema WHERE name = 'c1'"),
];

fn open_pair() -> (Loom, CSqlite) {
    let mut l = Loom::open();
    let mut c = CSqlite::open();
    for e in [&mut l as &mut dyn Engine, &mut c as &mut dyn Engine] {
        e.exec_batch(SCHEMA).expect("schema");
        e.exec_batch("PRAGMA foreign_keys = ON").expect("pragma");
    }
    (l, c)
}

fn same(a: &QueryOutcome, b: &QueryOutcome) -> bool {
    a.rows == b.rows
        && a.error.as_ref().map(|e| (e.code, e.msg.clone()))
            == b.error.as_ref().map(|e| (e.code, e.msg.clone()))
}

/// Runs `sql` on both; records a failure description if they differ.
fn step(l: &mut Loom, c: &mut CSqlite, sql: &str, fails: &mut Vec<String>, ctx: &str) -> bool {
    let a = l.query(sql);
    let b = c.query(sql);
    if same(&a, &b) {
        return true;
    }
    fails.push(format!(
        "[{ctx}] {sql}\n  loom:   {:?} {:?}\n  sqlite: {:?} {:?}",
        a.rows, a.error, b.rows, b.error
    ));
    false
}

const TABLES: &[&str] = &["p", "c1", "c2", "c3", "c4", "g1", "s", "r"];

fn dump_matches(l: &mut Loom, c: &mut CSqlite, fails: &mut Vec<String>, ctx: &str) -> bool {
    let mut ok = true;
    for t in TABLES {
        let sql = format!("SELECT rowid, * FROM {t} ORDER BY rowid");
        let a = l.query(&sql);
        let b = c.query(&sql);
        if b.error.is_some() {
            continue;
        }
        ok &= step_pair(a, b, &sql, fails, ctx);
    }
    ok
}

fn step_pair(
    a: QueryOutcome,
    b: QueryOutcome,
    sql: &str,
    fails: &mut Vec<String>,
    ctx: &str,
) -> bool {
    if same(&a, &b) {
        return true;
    }
    fails.push(format!(
        "[{ctx}] {sql}\n  loom:   {:?} {:?}\n  sqlite: {:?} {:?}",
        a.rows, a.error, b.rows, b.error
    ));
    false
}

/// A tiny deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_stmt(r: &mut Rng) -> String {
    let k = |r: &mut Rng| r.below(6) + 1;
    let nk = |r: &mut Rng| {
        if r.below(5) == 0 {
            "NULL".to_string()
        } else {
            (r.below(6) + 1).to_string()
        }
    };
    match r.below(16) {
        0 => format!(
            "INSERT INTO p VALUES({}, 'k{}', {}, {})",
            k(r),
            k(r),
            k(r),
            k(r)
        ),
        1 => format!(
            "INSERT OR REPLACE INTO p VALUES({}, 'k{}', {}, {})",
            k(r),
            k(r),
            k(r),
            k(r)
        ),
        2 => format!("INSERT INTO c1 VALUES({}, {})", nk(r), k(r)),
        3 => format!("INSERT INTO c2 VALUES('k{}')", k(r)),
        4 => format!("INSERT INTO c3 VALUES({}, {})", nk(r), nk(r)),
        5 => format!("INSERT INTO c4 VALUES({})", nk(r)),
        6 => format!("INSERT INTO g1 VALUES({})", nk(r)),
        7 => format!("INSERT INTO s VALUES({}, {}, 'v')", k(r), nk(r)),
        8 => format!("DELETE FROM p WHERE a = {}", k(r)),
        9 => format!("UPDATE p SET a = {} WHERE a = {}", k(r) + 6, k(r)),
        10 => format!("UPDATE p SET b = 'k{}' WHERE a = {}", k(r), k(r)),
        11 => format!("UPDATE p SET c = {}, d = {} WHERE a = {}", k(r), k(r), k(r)),
        12 => format!("DELETE FROM s WHERE id = {}", k(r)),
        13 => format!("UPDATE c1 SET x = {} WHERE rowid = {}", nk(r), k(r)),
        14 => [
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "SAVEPOINT sp",
            "ROLLBACK TO sp",
            "RELEASE sp",
        ][r.below(6) as usize]
            .to_string(),
        _ => format!("DELETE FROM c1 WHERE y = {}", k(r)),
    }
}

#[test]
fn foreign_keys_differential() {
    let mut passed = 0;
    let mut failed = 0;
    let mut fails = Vec::new();
    for (name, script) in CASES {
        let (mut l, mut c) = open_pair();
        let mut ok = true;
        for sql in script.split(";;").map(str::trim).filter(|s| !s.is_empty()) {
            ok &= step(&mut l, &mut c, sql, &mut fails, name);
        }
        ok &= dump_matches(&mut l, &mut c, &mut fails, name);
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    for seed in 1..=6u64 {
        let (mut l, mut c) = open_pair();
        let mut r = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
        let ctx = format!("random seed {seed}");
        for _ in 0..100 {
            let sql = random_stmt(&mut r);
            if step(&mut l, &mut c, &sql, &mut fails, &ctx)
                && dump_matches(&mut l, &mut c, &mut fails, &ctx)
            {
                passed += 1;
            } else {
                failed += 1;
                break;
            }
        }
    }
    for f in fails.iter().take(30) {
        eprintln!("{f}");
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "foreign key differential failures");
}
