//! Helpers shared by the storage acceptance suites (tests/storage_*.rs):
//! a deterministic generator, canonical database dumps, temp dirs and the
//! C SQLite oracle (python3's sqlite3 module).
//!
//! SQLite counterpart: the harness pieces of SQLite's own crash and I/O
//! error tests (test6.c, malloc/ioerr loops in tester.tcl) — the idea only.
//!
//! Invariants:
//! 1. [`Rng`] is xorshift64*: the same seed always yields the same stream,
//!    so every failure is reproducible from the seed printed with it.
//! 2. [`dump`] is canonical: tables in name order, rows in rowid (or key)
//!    order, values with their storage class, so two dumps are equal
//!    exactly when the visible contents are.
//! 3. Nothing here reads /work/shared; C SQLite is reached only as an
//!    external `python3` process.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use loomdb::api::{Database, DbError, Value};

/// xorshift64* — tiny, deterministic, good enough for test workloads.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0xd1b5_4a32_d192_ed03 | 1)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// 64-bit FNV-1a.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Appends the canonical rendering of one value (storage class + value or hash).
pub fn render(v: &Value, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Null => out.push('N'),
        Value::Integer(i) => {
            let _ = write!(out, "I{i}");
        }
        Value::Real(r) => {
            let _ = write!(out, "R{:016x}", r.to_bits());
        }
        Value::Text(t) => {
            let _ = write!(out, "T{}:{:016x}", t.len(), fnv(t));
        }
        Value::Blob(b) => {
            let _ = write!(out, "B{}:{:016x}", b.len(), fnv(b));
        }
    }
}

/// A canonical dump of every table of `db` (schema included).
pub fn dump(db: &Database) -> Result<String, DbError> {
    let mut out = String::new();
    let schema = db.query_all(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
        &[],
    )?;
    let mut tables = Vec::new();
    for row in &schema {
        for v in row {
            render(v, &mut out);
            out.push(',');
        }
        out.push('\n');
        if let (Value::Text(t), Value::Text(n)) = (&row[0], &row[1]) {
            if t == b"table" {
                tables.push(String::from_utf8_lossy(n).into_owned());
            }
        }
    }
    for t in tables {
        out.push_str(&format!("== {t}\n"));
        let q = format!("SELECT * FROM \"{t}\" ORDER BY 1, 2");
        for row in db.query_all(&q, &[])? {
            for v in &row {
                render(v, &mut out);
                out.push(',');
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// `PRAGMA integrity_check` as one string ("ok" when sound).
pub fn integrity(db: &Database) -> Result<String, DbError> {
    let rows = db.query_all("PRAGMA integrity_check", &[])?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(Value::Text(t)) = r.first() {
            out.push(String::from_utf8_lossy(t).into_owned());
        }
    }
    Ok(out.join("\n"))
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory tagged `tag`.
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("loom-st-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    /// The path of `name` inside the directory.
    pub fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// True when the oracle tools (the `sqlite3` shell and python3) are
/// installed; prints why an interop test is skipped otherwise.
pub fn tools_present() -> bool {
    let ok = |c: &str, a: &str| {
        Command::new(c)
            .arg(a)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let present = ok("sqlite3", "-version") && ok("python3", "--version");
    if !present {
        eprintln!("sqlite3 or python3 missing; interop test skipped");
    }
    present
}

/// Runs `sql` on `db` with the system `sqlite3` shell; its trimmed output.
pub fn shell(db: &str, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell (the oracle) must be installed");
    assert!(
        out.status.success(),
        "sqlite3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `script` with python3 (`args` become sys.argv[1:]); returns
/// (success, stdout, stderr).
pub fn python(script: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 (the C SQLite oracle) must be installed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// True if `path` exists.
pub fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

/// Prints the harness summary line and fails the test if anything failed.
pub fn summary(suite: &str, passed: usize, failures: &[String]) {
    for f in failures.iter().take(20) {
        eprintln!("{suite}: FAIL {f}");
    }
    println!("{suite}: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{suite}: {} failures", failures.len());
}

/// A long-lived python3 process answering requests, so that a suite pays
/// the interpreter's start-up once rather than per check. `script` must
/// define `handle(arg: str) -> str`; each [`PyServer::ask`] sends one line
/// and reads the reply up to a line holding only `\x01END`.
pub struct PyServer {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

const PY_LOOP: &str = r#"
import sys
for _line in sys.stdin:
    try:
        _out = handle(_line.rstrip("\n"))
    except Exception as e:
        _out = "EXCEPTION " + type(e).__name__ + ": " + str(e)
    sys.stdout.write(_out + "\n\x01END\n")
    sys.stdout.flush()
"#;

impl PyServer {
    /// Starts python3 with `script` plus the request loop.
    pub fn new(script: &str) -> PyServer {
        use std::process::Stdio;
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(format!("{script}\n{PY_LOOP}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 (the C SQLite oracle) must be installed");
        let stdin = child.stdin.take().expect("stdin pipe");
        let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout pipe"));
        PyServer {
            child,
            stdin,
            stdout,
        }
    }
    /// Sends `arg` (one line) and returns the reply (without the marker);
    /// Err if the process died.
    pub fn ask(&mut self, arg: &str) -> Result<String, String> {
        use std::io::{BufRead, Write};
        writeln!(self.stdin, "{arg}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("python3 oracle gone: {e}"))?;
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            match self.stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return Err("python3 oracle died".into()),
                Ok(_) => {}
            }
            if line == "\x01END\n" {
                if reply.ends_with('\n') {
                    reply.pop();
                }
                return Ok(reply);
            }
            reply.push_str(&line);
        }
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
