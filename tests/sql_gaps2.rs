//! SQL that loom used to refuse or answer differently from C SQLite
//! 3.40.1, differential against C (rusqlite, the system library):
//! parenthesized joins in FROM (rows, column names, USING/NATURAL across
//! the parentheses, `*` and `t.*`), the build-information functions
//! (`sqlite_compileoption_used/get`, `PRAGMA compile_options`), `soundex`
//! and `load_extension`, VALUES followed by ORDER BY/LIMIT (a syntax
//! error in C). Scripted cases, then random nested joins from a
//! deterministic generator.
//!
//! SQLite counterpart: lang_select.html (join-clause), lang_corefunc.html,
//! pragma.html#pragma_compile_options.
//!
//! Invariants:
//! 1. Both engines run the same statements, in the same order, each on its
//!    own files (`{dir}` in a statement names the engine's own folder).
//! 2. Every statement gives the same rows (REAL by bits) and, when it
//!    succeeds, the same column names; or the same extended error code and
//!    message. Random joins compare their rows as multisets.
//! 3. The harness prints `N passed, N failed` and fails on any failure.

#[path = "support/oracle.rs"]
mod oracle;
#[path = "support/storage.rs"]
mod storage;

use loomdb::api::{open_readwrite, Database};
use oracle::{same, Outcome, Pair};
use storage::{Rng, TempDir};

fn loom_names(db: &Database, sql: &str) -> Option<Vec<String>> {
    let st = db.prepare(sql).ok()?;
    Some(
        (0..st.column_count())
            .map(|i| st.column_name(i).unwrap_or("").to_string())
            .collect(),
    )
}

fn c_names(c: &rusqlite::Connection, sql: &str) -> Option<Vec<String>> {
    let st = c.prepare(sql).ok()?;
    Some(st.column_names().iter().map(|s| s.to_string()).collect())
}

fn sorted(o: Outcome) -> Outcome {
    o.map(|mut rows| {
        rows.sort_by_key(|r| format!("{r:?}"));
        rows
    })
}

/// Runs `sql` on both engines and compares rows (as multisets when
/// `unordered`) or errors, and for a SELECT also the column names.
fn compare(p: &mut Pair, sql: &str, unordered: bool) {
    let (ls, cs) = p.texts(sql);
    let (mut a, mut b) = p.run(sql);
    if unordered {
        a = sorted(a);
        b = sorted(b);
    }
    let mut ok = same(&a, &b);
    let mut names = String::new();
    if ok && a.is_ok() && sql.trim_start().to_ascii_uppercase().starts_with("SELECT") {
        let (x, y) = (loom_names(&p.loom, &ls), c_names(&p.c, &cs));
        if x != y {
            ok = false;
            names = format!("\n   names loom {x:?} C {y:?}");
        }
    }
    p.tally_statement(sql, ok, || format!("loom: {a:?}\n   C:    {b:?}{names}"));
}

fn check(p: &mut Pair, sql: &str) {
    compare(p, sql, false);
}

fn script(p: &mut Pair, sqls: &[&str]) {
    for s in sqls {
        check(p, s);
    }
}

const JOIN_SETUP: &[&str] = &[
    "CREATE TABLE m(x, y)",
    "CREATE TABLE a(x, p)",
    "CREATE TABLE b(x, q)",
    "CREATE TABLE c(x, r)",
    "INSERT INTO m VALUES (1,'m1'),(2,'m2'),(3,'m3')",
    "INSERT INTO a VALUES (1,'a1'),(2,'a2'),(4,'a4')",
    "INSERT INTO b VALUES (1,'b1'),(4,'b4'),(5,'b5')",
    "INSERT INTO c VALUES (1,'c1'),(5,'c5')",
];

/// Parenthesized joins.
const NESTED: &[&str] = &[
    "SELECT * FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x",
    "SELECT * FROM m LEFT JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x ORDER BY m.x",
    "SELECT * FROM m JOIN (a JOIN b USING(x)) USING(x)",
    "SELECT x FROM m JOIN (a JOIN b USING(x)) USING(x)",
    "SELECT x FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x",
    "SELECT a.*, m.y FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x",
    "SELECT b.* FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x",
    "SELECT * FROM m NATURAL JOIN (a NATURAL JOIN b)",
    "SELECT * FROM (a JOIN b USING(x)) JOIN m USING(x)",
    "SELECT * FROM m, (a, b) WHERE m.x=a.x AND a.x=b.x",
    "SELECT * FROM m JOIN (a JOIN b USING(x)) AS n ON n.x=m.x",
    "SELECT n.* FROM m JOIN (a JOIN b USING(x)) AS n ON n.x=m.x",
    "SELECT * FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=b.x WHERE b.q > 'a'",
    "SELECT * FROM m JOIN (a) ON m.x=a.x",
    "SELECT m.x, a.x, b.x FROM m LEFT JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x ORDER BY m.x",
    "SELECT * FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=c.x",
    "SELECT * FROM m JOIN (a JOIN b ON m.x=b.x) ON m.x=a.x",
    "SELECT count(*) FROM m JOIN (a CROSS JOIN b)",
    "SELECT a.rowid FROM m JOIN (a JOIN b ON a.x=b.x) ON 1",
    "SELECT * FROM m LEFT JOIN (a LEFT JOIN b USING(x)) USING (x) ORDER BY m.x",
    "SELECT * FROM m LEFT JOIN (a JOIN b ON a.x=b.x JOIN c ON c.x=a.x) ON 1 ORDER BY 1",
    "SELECT c.r FROM m LEFT JOIN (a JOIN b ON a.x=b.x JOIN c ON c.x=a.x) ON 1 ORDER BY 1",
    "SELECT * FROM m LEFT JOIN (a JOIN b USING(x) JOIN c USING(x)) ON 1 ORDER BY 1",
    "SELECT * FROM m LEFT JOIN (a JOIN (b JOIN c USING(x)) USING(x)) ON 1 ORDER BY 1",
    "SELECT * FROM m LEFT JOIN (a LEFT JOIN (b JOIN c USING(x)) USING(x)) USING(x) ORDER BY 1",
    "SELECT b.x, c.x FROM m JOIN (a LEFT JOIN (b JOIN c ON b.x=c.x) ON a.x=b.x) ON a.x=m.x",
    "SELECT * FROM m JOIN (a JOIN b USING(x)) ON 1 ORDER BY 1, 3",
    "SELECT a.p, x FROM m JOIN (a JOIN b USING(x)) ON 1 LIMIT 1",
    "SELECT m.y, b.q FROM m JOIN (a RIGHT JOIN b ON a.x=b.x) ON m.x=b.x OR b.x > 4",
    "SELECT * FROM m JOIN (a FULL JOIN b ON a.x=b.x) ON 1 WHERE m.x=1 ORDER BY a.x, b.x",
    "SELECT * FROM m JOIN (SELECT * FROM a JOIN b USING(x)) USING (x)",
    "SELECT * FROM m JOIN ((SELECT x AS x, p FROM a) AS s JOIN b ON s.x=b.x) ON m.x=s.x",
    "SELECT s.p FROM m JOIN ((SELECT x, p FROM a) AS s JOIN b ON s.x=b.x) ON m.x=s.x",
    "SELECT (SELECT count(*) FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x)",
    "SELECT * FROM m WHERE x IN (SELECT a.x FROM c JOIN (a JOIN b USING(x)) ON 1)",
    "CREATE VIEW nv AS SELECT m.y, a.p, b.q FROM m LEFT JOIN (a JOIN b USING(x)) USING(x)",
    "SELECT * FROM nv ORDER BY y",
    "SELECT main.a.x FROM m JOIN (a JOIN b USING(x)) USING(x)",
    "SELECT * FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x JOIN c ON c.x=b.x",
    "SELECT q FROM m JOIN (a JOIN b ON a.x=b.x) ON m.x=a.x",
    "SELECT * FROM m JOIN (a JOIN b ON a.x=b.x) USING (x)",
    "SELECT * FROM m NATURAL JOIN (a JOIN b ON a.x=b.x)",
    "SELECT c.* FROM c FULL JOIN b USING(x)",
    "SELECT b.* FROM c FULL JOIN b USING(x)",
    "SELECT c.*, b.* FROM c RIGHT JOIN b USING(x)",
    "SELECT c.* FROM c LEFT JOIN b USING(x)",
    "SELECT x, y, p, q FROM m FULL JOIN c USING (x)",
    "SELECT * FROM m NATURAL JOIN (a JOIN b ON a.x = m.x) ON 1",
];

/// Temp views and temp triggers over tables of main and attached databases.
const TEMP_OBJECTS: &[&str] = &[
    "CREATE TABLE m(a, b)",
    "INSERT INTO m VALUES (1,2),(3,4)",
    "CREATE TEMP VIEW v AS SELECT * FROM m",
    "SELECT * FROM v",
    "SELECT * FROM temp.v",
    "CREATE TEMP VIEW v2 AS SELECT a * 10 AS t FROM v WHERE b > 2",
    "SELECT * FROM v2",
    "SELECT v.a, v2.t FROM v JOIN v2 ON v.a * 10 = v2.t",
    "SELECT * FROM m WHERE a IN (SELECT a FROM v)",
    "CREATE TEMP TABLE log(x)",
    "CREATE TEMP TRIGGER tr AFTER INSERT ON m BEGIN INSERT INTO log VALUES (new.a); END",
    "INSERT INTO m VALUES (5,6)",
    "SELECT * FROM log",
    "UPDATE m SET a = 7 WHERE a = 5",
    "CREATE TEMP TRIGGER tu AFTER UPDATE ON m BEGIN INSERT INTO log VALUES ('u' || new.a); END",
    "CREATE TEMP TRIGGER td BEFORE DELETE ON main.m BEGIN INSERT INTO log VALUES ('d' || old.a); END",
    "CREATE TEMP TRIGGER tw AFTER INSERT ON m WHEN new.a > 100 BEGIN UPDATE m SET b = -1 WHERE a = new.a; END",
    "UPDATE m SET a = 8 WHERE a = 7",
    "DELETE FROM m WHERE a = 1",
    "INSERT INTO m VALUES (101, 0)",
    "SELECT * FROM log",
    "SELECT * FROM m ORDER BY a",
    "SELECT type, name, tbl_name FROM sqlite_temp_master ORDER BY name",
    "CREATE TABLE z(q)",
    "INSERT INTO m VALUES (9, 9)",
    "SELECT * FROM log",
    "ATTACH '{dir}/aux.db' AS aux",
    "CREATE TABLE aux.at(k, v)",
    "CREATE TEMP TRIGGER ta AFTER INSERT ON at BEGIN INSERT INTO log VALUES ('a' || new.k); INSERT INTO m VALUES (new.k, new.v); END",
    "INSERT INTO aux.at VALUES (20, 21)",
    "INSERT INTO at VALUES (30, 31)",
    "SELECT * FROM log",
    "SELECT * FROM m ORDER BY a",
    "CREATE TEMP VIEW av AS SELECT k, a FROM at JOIN m ON a = k",
    "SELECT * FROM av ORDER BY k",
    "DROP TABLE m",
    "SELECT type, name, tbl_name FROM sqlite_temp_master ORDER BY name",
    "SELECT * FROM v",
    "INSERT INTO at VALUES (40, 41)",
    "CREATE TABLE m(a, b)",
    "INSERT INTO m VALUES (1, 1)",
    "SELECT * FROM log",
    "DROP TABLE aux.at",
    "SELECT type, name, tbl_name FROM sqlite_temp_master ORDER BY name",
];

/// Build information, soundex, load_extension, VALUES with ORDER BY.
const FUNCS: &[&str] = &[
    "SELECT sqlite_compileoption_used('SQLITE_THREADSAFE'), sqlite_compileoption_used('threadsafe=1')",
    "SELECT sqlite_compileoption_used('COMPILER=gcc'), sqlite_compileoption_used(NULL)",
    "SELECT sqlite_compileoption_used(''), sqlite_compileoption_used('ENABLE_FTS'), sqlite_compileoption_used('MAX_PAGE')",
    "SELECT sqlite_compileoption_used('sqlite_enable_fts4'), sqlite_compileoption_used(1), typeof(sqlite_compileoption_used(1))",
    "SELECT sqlite_compileoption_get(0), sqlite_compileoption_get(-1), sqlite_compileoption_get(100)",
    "SELECT sqlite_compileoption_get('3'), sqlite_compileoption_get(NULL), sqlite_compileoption_get(2.7)",
    "SELECT sqlite_compileoption_get(10), sqlite_compileoption_get(15), sqlite_compileoption_get(4294967296)",
    "SELECT sqlite_compileoption_get()",
    "SELECT soundex('Robert'), soundex(''), soundex(NULL), soundex('123'), soundex('Tymczak')",
    "SELECT soundex('Pfister'), soundex('Ashcraft'), soundex('  hello'), soundex('é'), soundex(x'41c3a9'), soundex(12.5)",
    "SELECT soundex('Lloyd'), soundex('aaaa'), soundex('Bbbbbb'), soundex('Honeyman'), soundex('a-b-c'), soundex('x'), soundex('Rupert')",
    "SELECT soundex('abc', 1)",
    "SELECT load_extension('x')",
    "SELECT load_extension('x', 'y')",
    "SELECT load_extension(NULL)",
    "SELECT load_extension()",
    "VALUES (1),(3),(2) ORDER BY 1",
    "VALUES (1),(3),(2) LIMIT 1",
    "SELECT 2 UNION VALUES(1) ORDER BY 1",
    "VALUES(1) UNION SELECT 2 ORDER BY 1",
    "SELECT * FROM (VALUES (1),(3),(2) ORDER BY 1 DESC LIMIT 2)",
    "CREATE TABLE m(a, b)",
    "SELECT 'a' IN pragma_table_info('m')",
    "SELECT 'THREADSAFE=1' IN pragma_compile_options()",
    "SELECT 'THREADSAFE=1' IN pragma_compile_options",
    "SELECT 'x' NOT IN pragma_compile_options()",
    "SELECT 1 IN pragma_table_info",
    "SELECT name FROM pragma_table_info('m') WHERE 'b' IN pragma_index_list('m')",
    "SELECT 'a' IN nosuch(1)",
    "SELECT count(*) FROM m WHERE a NOT IN pragma_compile_options()",
    "INSERT INTO m VALUES ('SOUNDEX', 1), ('NOPE', 2)",
    "SELECT b FROM m WHERE a IN pragma_compile_options() ORDER BY b",
    "SELECT b, a IN pragma_compile_options() FROM m ORDER BY b",
];

/// One random FROM item: a table, or a parenthesized join of two or three.
fn random_item(rng: &mut Rng, used: &mut Vec<&'static str>, depth: u32) -> String {
    const TABLES: [&str; 4] = ["m", "a", "b", "c"];
    let free: Vec<&'static str> = TABLES.into_iter().filter(|t| !used.contains(t)).collect();
    if depth > 0 && free.len() >= 2 && rng.below(3) == 0 {
        let l = random_item(rng, used, 0);
        let r = random_item(rng, used, depth - 1);
        return format!("({l} {} {r}{})", join_op(rng), constraint(rng, used));
    }
    let t = free[rng.below(free.len() as u64) as usize];
    used.push(t);
    t.to_string()
}

thread_local! {
    /// How many of [`join_op`]'s operators the generator uses.
    static JOIN_KINDS: std::cell::Cell<u64> = const { std::cell::Cell::new(7) };
}

fn join_op(rng: &mut Rng) -> &'static str {
    [
        "JOIN",
        "LEFT JOIN",
        "CROSS JOIN",
        "NATURAL JOIN",
        ",",
        "RIGHT JOIN",
        "FULL JOIN",
    ][rng.below(JOIN_KINDS.with(|k| k.get())) as usize]
}

fn constraint(rng: &mut Rng, used: &[&str]) -> String {
    let pick = |rng: &mut Rng| used[rng.below(used.len() as u64) as usize];
    match rng.below(3) {
        0 => format!(" ON {}.x = {}.x", pick(rng), pick(rng)),
        1 => " USING (x)".to_string(),
        _ => String::new(),
    }
}

/// Random queries over parenthesized joins; rows compared as multisets.
fn random_nested(p: &mut Pair, seed: u64, rounds: usize) {
    let mut rng = Rng::new(seed);
    for _ in 0..rounds {
        let mut used = Vec::new();
        let l = random_item(&mut rng, &mut used, 1);
        let r = random_item(&mut rng, &mut used, 2);
        let cols = match rng.below(4) {
            0 => "*".to_string(),
            1 => "count(*), sum(x)".to_string(),
            2 => format!("{}.*", used[rng.below(used.len() as u64) as usize]),
            _ => format!("{}.x, y, p, q", used[rng.below(used.len() as u64) as usize]),
        };
        let sql = format!(
            "SELECT {cols} FROM {l} {} {r}{}",
            join_op(&mut rng),
            constraint(&mut rng, &used)
        );
        compare(p, &sql, true);
    }
}

/// One group of checks on its own pair of databases.
type Run = dyn Fn(&mut Pair);

#[test]
fn sql_gaps2() {
    let dir = TempDir::new("sql_gaps2");
    let mut all = Pair::memory();
    let runs: [(&str, &Run); 4] = [
        ("nested", &|p: &mut Pair| {
            script(p, JOIN_SETUP);
            script(p, NESTED);
        }),
        ("rnested", &|p: &mut Pair| {
            script(p, JOIN_SETUP);
            random_nested(p, 5, 400);
        }),
        ("funcs", &|p: &mut Pair| script(p, FUNCS)),
        ("temp", &|p: &mut Pair| script(p, TEMP_OBJECTS)),
    ];
    for (tag, run) in runs {
        let mut p = Pair::on_files(
            dir.file(&format!("loom-{tag}")),
            dir.file(&format!("c-{tag}")),
        );
        run(&mut p);
        all.absorb(p, &format!("[{tag}] "));
    }
    all.finish("sql_gaps2");
}

/// `PRAGMA compile_options` is C's list without the options whose feature
/// loom lacks, and `sqlite_compileoption_get` walks the same list.
#[test]
fn compile_options_are_c_minus_missing_features() {
    let dir = TempDir::new("sql_gaps2_opts");
    let db = open_readwrite(&dir.file("x.db")).expect("loom db");
    let c = rusqlite::Connection::open_in_memory().expect("C db");
    let missing = [
        "ENABLE_DBSTAT_VTAB",
        "ENABLE_FTS5",
        "ENABLE_LOAD_EXTENSION",
        "ENABLE_PREUPDATE_HOOK",
        "ENABLE_RTREE",
        "ENABLE_SESSION",
        "ENABLE_STMTVTAB",
    ];
    let want: Vec<Vec<loomdb::api::Value>> = oracle::run_c(&c, "PRAGMA compile_options", &[])
        .expect("C pragma")
        .into_iter()
        .filter(|r| !matches!(&r[0], loomdb::api::Value::Text(t) if missing.iter().any(|m| m.as_bytes() == t.as_slice())))
        .collect();
    let got = oracle::run_loom(&db, "PRAGMA compile_options", &[]).expect("loom pragma");
    assert_eq!(got, want);
    let n = want.len() as i64;
    let last = oracle::run_loom(
        &db,
        &format!("SELECT sqlite_compileoption_get({})", n - 1),
        &[],
    );
    assert_eq!(last, Ok(vec![want[want.len() - 1].clone()]));
    let past = oracle::run_loom(&db, &format!("SELECT sqlite_compileoption_get({n})"), &[]);
    assert_eq!(past, Ok(vec![vec![loomdb::api::Value::Null]]));
    for m in missing {
        let used = oracle::run_loom(
            &db,
            &format!("SELECT sqlite_compileoption_used('{m}')"),
            &[],
        );
        assert_eq!(used, Ok(vec![vec![loomdb::api::Value::Integer(0)]]), "{m}");
    }
}

/// `load_extension()` once the connection enables it: loom loads nothing
/// and says so (C would try to open the file); a NULL file is a no-op.
#[test]
fn load_extension_enabled() {
    let dir = TempDir::new("sql_gaps2_ext");
    let db = open_readwrite(&dir.file("x.db")).expect("loom db");
    let off = oracle::run_loom(&db, "SELECT load_extension('x')", &[]);
    assert_eq!(off, Err((1, "not authorized".to_string())));
    db.enable_load_extension(true).expect("enable");
    let on = oracle::run_loom(&db, "SELECT load_extension('x', 'init')", &[]);
    assert_eq!(
        on,
        Err((
            1,
            "loading extensions is not supported by loom yet".to_string()
        ))
    );
    let null = oracle::run_loom(&db, "SELECT load_extension(NULL)", &[]);
    assert_eq!(null, Ok(vec![vec![loomdb::api::Value::Null]]));
    db.enable_load_extension(false).expect("disable");
    let off = oracle::run_loom(&db, "SELECT load_extension(NULL)", &[]);
    assert_eq!(off, Err((1, "not authorized".to_string())));
}
