//! One statement on loom and on C SQLite (rusqlite, the oracle), and the
//! comparison of what each produced: the shared core of the differential
//! suites that run statements side by side (without_rowid, onepass_dml,
//! rowid_range, utf16_semantics, json, sql_diffs, sql_gaps, sql_gaps2),
//! and [`Pair`], both engines with the tally those suites keep.
//!
//! SQLite counterpart: none; the harness idea of SQLite's own tests, which
//! compare a query's rows with the expected ones.
//!
//! Invariants:
//! 1. An outcome is the rows (values with their storage class) or the
//!    error as (extended result code, message); C errors that are not
//!    SQLite failures get code -1.
//! 2. Rows compare exactly: REAL values by their bits (so -0.0 and 0.0
//!    differ, as `hex()` would show), everything else by value.
//! 3. Nothing here reads outside the repository.
//! 4. A [`Pair`] counts every difference, but describes only the first
//!    [`MAX_SHOWN`] of them.
#![allow(dead_code)]

use loomdb::api::{open_memory_db, open_readwrite, Database, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// Result rows of one statement.
pub type Rows = Vec<Vec<Value>>;

/// What a statement produced: rows, or (extended code, message).
pub type Outcome = Result<Rows, (i32, String)>;

/// Runs `sql` with `params` bound to `?1..` on loom.
pub fn run_loom(db: &Database, sql: &str, params: &[Value]) -> Outcome {
    db.query_all(sql, params)
        .map_err(|e| (e.code().0, e.to_string()))
}

fn to_c(v: &Value) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match v {
        Value::Null => ValueRef::Null,
        Value::Integer(i) => ValueRef::Integer(*i),
        Value::Real(r) => ValueRef::Real(*r),
        Value::Text(t) => ValueRef::Text(t),
        Value::Blob(b) => ValueRef::Blob(b),
    })
}

fn from_c(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(t.to_vec()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Runs `sql` with `params` bound to `?1..` on C SQLite.
pub fn run_c(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Outcome {
    let err = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, m) => (f.extended_code, m.unwrap_or_default()),
        other => (-1, other.to_string()),
    };
    let mut st = c.prepare(sql).map_err(err)?;
    let n = st.column_count();
    let ps: Vec<ToSqlOutput> = params.iter().map(to_c).collect();
    let mut q = st
        .query(rusqlite::params_from_iter(ps.iter()))
        .map_err(err)?;
    let mut rows = Vec::new();
    while let Some(r) = q.next().map_err(err)? {
        let row = (0..n)
            .map(|i| r.get_ref(i).map(from_c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        rows.push(row);
    }
    Ok(rows)
}

/// Rows equal under invariant 2.
pub fn same_rows(x: &Rows, y: &Rows) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(r, s)| {
            r.len() == s.len()
                && r.iter().zip(s).all(|(u, v)| match (u, v) {
                    (Value::Real(p), Value::Real(q)) => p.to_bits() == q.to_bits(),
                    _ => u == v,
                })
        })
}

/// Same rows, or the same extended code and message.
pub fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => same_rows(x, y),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

/// Same rows, or errors with the same primary result code (the message
/// and extended code may differ).
pub fn same_primary(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => same_rows(x, y),
        (Err(x), Err(y)) => x.0 & 0xff == y.0 & 0xff,
        _ => false,
    }
}

/// How many differences a [`Pair`] describes (it counts them all).
pub const MAX_SHOWN: usize = 200;

/// Both engines side by side, and the tally of their agreement.
pub struct Pair {
    pub loom: Database,
    pub c: rusqlite::Connection,
    /// The folders `{dir}` in a statement stands for (loom's, C's).
    dirs: Option<(String, String)>,
    pub passed: usize,
    pub failed: usize,
    /// The first [`MAX_SHOWN`] differences, described.
    pub failures: Vec<String>,
    /// The statement checked before the current one (shown on failure).
    last: String,
}

impl Pair {
    /// Both engines on an in-memory database.
    pub fn memory() -> Pair {
        let loom = open_memory_db().expect("loom opens :memory:");
        let c = rusqlite::Connection::open_in_memory().expect("C opens :memory:");
        Pair::from_parts(loom, c, None)
    }

    /// Both engines on `main.db` in a folder of their own (created here),
    /// which `{dir}` in a statement names.
    pub fn on_files(loom_dir: String, c_dir: String) -> Pair {
        std::fs::create_dir_all(&loom_dir).expect("loom folder");
        std::fs::create_dir_all(&c_dir).expect("C folder");
        let loom = open_readwrite(&format!("{loom_dir}/main.db")).expect("loom db");
        let c = rusqlite::Connection::open(format!("{c_dir}/main.db")).expect("C db");
        Pair::from_parts(loom, c, Some((loom_dir, c_dir)))
    }

    /// Both engines as opened by the caller (no `{dir}`).
    pub fn of(loom: Database, c: rusqlite::Connection) -> Pair {
        Pair::from_parts(loom, c, None)
    }

    fn from_parts(loom: Database, c: rusqlite::Connection, dirs: Option<(String, String)>) -> Pair {
        Pair {
            loom,
            c,
            dirs,
            passed: 0,
            failed: 0,
            failures: Vec::new(),
            last: String::new(),
        }
    }

    /// `sql` as each engine runs it (`{dir}` replaced by its folder).
    pub fn texts(&self, sql: &str) -> (String, String) {
        match &self.dirs {
            Some((l, c)) => (sql.replace("{dir}", l), sql.replace("{dir}", c)),
            None => (sql.to_string(), sql.to_string()),
        }
    }

    /// Runs `sql` on both engines.
    pub fn run(&self, sql: &str) -> (Outcome, Outcome) {
        let (l, c) = self.texts(sql);
        (run_loom(&self.loom, &l, &[]), run_c(&self.c, &c, &[]))
    }

    /// Counts one comparison; a difference is described by `describe`
    /// while fewer than [`MAX_SHOWN`] are. Returns `ok`.
    pub fn tally(&mut self, ok: bool, describe: impl FnOnce() -> String) -> bool {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            if self.failures.len() < MAX_SHOWN {
                self.failures.push(describe());
            }
        }
        ok
    }

    /// Runs `sql` on both engines and compares the outcomes with `eq`.
    pub fn check_with(&mut self, sql: &str, eq: fn(&Outcome, &Outcome) -> bool) {
        let (a, b) = self.run(sql);
        let ok = eq(&a, &b);
        self.tally_statement(sql, ok, || format!("loom: {a:?}\n   C:    {b:?}"));
    }

    /// [`Pair::tally`] for statement `sql`, described with the statement
    /// before it and `detail`.
    pub fn tally_statement(&mut self, sql: &str, ok: bool, detail: impl FnOnce() -> String) {
        let last = std::mem::replace(&mut self.last, sql.to_string());
        self.tally(ok, || format!("`{sql}` (after `{last}`)\n   {}", detail()));
    }

    /// [`Pair::check_with`] with [`same`]: rows or the same error.
    pub fn check(&mut self, sql: &str) {
        self.check_with(sql, same);
    }

    /// Checks each statement in order.
    pub fn script(&mut self, sqls: &[&str]) {
        for s in sqls {
            self.check(s);
        }
    }

    /// Adds `other`'s tally to this one, its descriptions prefixed.
    pub fn absorb(&mut self, other: Pair, prefix: &str) {
        self.passed += other.passed;
        self.failed += other.failed;
        let room = MAX_SHOWN.saturating_sub(self.failures.len());
        let shown = other.failures.into_iter().take(room);
        self.failures.extend(shown.map(|f| format!("{prefix}{f}")));
    }

    /// Prints the differences and `N passed, N failed` (after `what: `),
    /// and fails the test on any difference.
    pub fn finish(&self, what: &str) {
        for f in &self.failures {
            eprintln!("DIFF {f}");
        }
        println!("{what}: {} passed, {} failed", self.passed, self.failed);
        assert_eq!(
            self.failed, 0,
            "{what}: {} statements differ from C SQLite",
            self.failed
        );
    }
}
