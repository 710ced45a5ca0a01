//! One interface over the two engines the tests compare: loom and C SQLite.
//!
//! SQLite counterpart: the `sqlite3_prepare`/`sqlite3_step`/`sqlite3_column_*`
//! loop of a test driver. C SQLite is reached through rusqlite (a test-only
//! dev-dependency); loom through `loomdb::api`.
//!
//! Invariants:
//! 1. [`Engine::query`] prepares only the first statement of its text and
//!    returns the rows produced before any error; a prepare error gives no
//!    rows and `prepared == false`.
//! 2. [`Engine::exec_batch`] runs every statement in turn and stops at the
//!    first error, like `sqlite3_exec`.
//! 3. A panic inside loom is caught and reported as an error with code -2,
//!    so one bad record never aborts a whole run.
//! 4. With a watchdog ([`Loom::open_with_timeout`]) a call running longer
//!    than the limit is interrupted (`sqlite3_interrupt`) and its error
//!    message becomes `timed out after <N>s`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use loomdb::api::{open_memory_db, Database, DbError, StepResult, ValueRef};

/// One result value, owned and engine-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// An error: extended result code (or -1 for a non-SQLite error, -2 for a
/// panic) and message text.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineError {
    pub code: i32,
    pub msg: String,
}

/// What running a query produced.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutcome {
    /// False when the statement failed to prepare.
    pub prepared: bool,
    pub columns: usize,
    pub rows: Vec<Vec<Cell>>,
    /// The error that ended preparing or stepping, if any.
    pub error: Option<EngineError>,
}

/// A database engine under test.
pub trait Engine {
    /// Runs every statement of `sql`, discarding rows.
    fn exec_batch(&mut self, sql: &str) -> Result<(), EngineError>;
    /// Prepares the first statement of `sql` and steps it to the end.
    fn query(&mut self, sql: &str) -> QueryOutcome;
}

/// loom through its safe API.
pub struct Loom {
    db: Database,
    watchdog: Option<Watchdog>,
}

/// A thread that interrupts the connection when one call runs too long.
struct Watchdog {
    limit: Duration,
    base: Instant,
    /// Milliseconds since `base` after which to interrupt; 0 when idle.
    deadline_ms: Arc<AtomicU64>,
    fired: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(db: Database, limit: Duration) -> Watchdog {
        let base = Instant::now();
        let deadline_ms = Arc::new(AtomicU64::new(0));
        let fired = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (d, f, s) = (deadline_ms.clone(), fired.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                let due = d.load(Ordering::Relaxed);
                let now = base.elapsed().as_millis() as u64;
                if due != 0 && now > due && !f.swap(true, Ordering::Relaxed) {
                    db.interrupt();
                }
            }
        });
        Watchdog {
            limit,
            base,
            deadline_ms,
            fired,
            stop,
            handle: Some(handle),
        }
    }

    fn arm(&self) {
        self.fired.store(false, Ordering::Relaxed);
        let due = (self.base.elapsed() + self.limit).as_millis() as u64;
        self.deadline_ms.store(due.max(1), Ordering::Relaxed);
    }

    /// Disarms; true when the watchdog fired during the call.
    fn disarm(&self) -> bool {
        self.deadline_ms.store(0, Ordering::Relaxed);
        self.fired.load(Ordering::Relaxed)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Loom {
    /// A fresh in-memory loom database.
    pub fn open() -> Loom {
        Loom {
            db: open_memory_db().expect("loom opens an in-memory database"),
            watchdog: None,
        }
    }

    /// A fresh database whose every call is interrupted after `limit`.
    pub fn open_with_timeout(limit: Duration) -> Loom {
        let mut l = Loom::open();
        l.watchdog = Some(Watchdog::start(l.db.clone(), limit));
        l
    }

    /// Runs `f` under the watchdog; a fired watchdog turns the error into
    /// a `timed out` one.
    fn guarded<R>(
        &mut self,
        f: impl FnOnce(&mut Loom) -> R,
        err: impl FnOnce(&mut R) -> Option<&mut EngineError>,
    ) -> R {
        if let Some(w) = &self.watchdog {
            w.arm();
        }
        let mut r = f(self);
        let fired = self.watchdog.as_ref().is_some_and(Watchdog::disarm);
        if fired {
            if let Some(e) = err(&mut r) {
                let secs = self
                    .watchdog
                    .as_ref()
                    .map_or(0.0, |w| w.limit.as_secs_f64());
                e.msg = format!("timed out after {secs}s");
            }
        }
        r
    }
}

fn loom_err(e: &DbError) -> EngineError {
    EngineError {
        code: e.code().0,
        msg: e.to_string(),
    }
}

fn panic_err(p: Box<dyn std::any::Any + Send>) -> EngineError {
    let msg = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string());
    EngineError {
        code: -2,
        msg: format!("panic: {msg}"),
    }
}

fn cell_from_loom(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(t.to_vec()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

impl Loom {
    fn query_inner(&mut self, sql: &str) -> QueryOutcome {
        let mut out = QueryOutcome {
            prepared: false,
            columns: 0,
            rows: Vec::new(),
            error: None,
        };
        let mut stmt = match self.db.prepare_tail(sql, 0) {
            Ok((Some(stmt), _)) => stmt,
            Ok((None, _)) => {
                out.prepared = true;
                return out;
            }
            Err(e) => {
                out.error = Some(loom_err(&e));
                return out;
            }
        };
        out.prepared = true;
        out.columns = stmt.column_count();
        loop {
            match stmt.step() {
                Ok(StepResult::Row) => out.rows.push(
                    (0..out.columns)
                        .map(|i| cell_from_loom(stmt.column_value(i)))
                        .collect(),
                ),
                Ok(StepResult::Done) => break,
                Err(e) => {
                    out.error = Some(loom_err(&e));
                    break;
                }
            }
        }
        out
    }
}

impl Engine for Loom {
    fn exec_batch(&mut self, sql: &str) -> Result<(), EngineError> {
        self.guarded(
            |l| match catch_unwind(AssertUnwindSafe(|| l.db.execute_batch(sql))) {
                Ok(r) => r.map_err(|e| loom_err(&e)),
                Err(p) => Err(panic_err(p)),
            },
            |r| r.as_mut().err(),
        )
    }

    fn query(&mut self, sql: &str) -> QueryOutcome {
        self.guarded(
            |l| match catch_unwind(AssertUnwindSafe(|| l.query_inner(sql))) {
                Ok(o) => o,
                Err(p) => QueryOutcome {
                    prepared: false,
                    columns: 0,
                    rows: Vec::new(),
                    error: Some(panic_err(p)),
                },
            },
            |o| o.error.as_mut(),
        )
    }
}

/// C SQLite through rusqlite.
pub struct CSqlite {
    conn: rusqlite::Connection,
}

impl CSqlite {
    /// A fresh in-memory C SQLite database.
    pub fn open() -> CSqlite {
        CSqlite {
            conn: rusqlite::Connection::open_in_memory().expect("C SQLite opens :memory:"),
        }
    }

    /// The C library's version string (`sqlite3_libversion`).
    pub fn version() -> &'static str {
        rusqlite::version()
    }
}

fn c_err(e: rusqlite::Error) -> EngineError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => EngineError {
            code: f.extended_code,
            msg: msg.unwrap_or_else(|| f.to_string()),
        },
        other => EngineError {
            code: -1,
            msg: other.to_string(),
        },
    }
}

fn cell_from_c(v: rusqlite::types::ValueRef<'_>) -> Cell {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Cell::Null,
        V::Integer(i) => Cell::Int(i),
        V::Real(r) => Cell::Real(r),
        V::Text(t) => Cell::Text(t.to_vec()),
        V::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

impl Engine for CSqlite {
    fn exec_batch(&mut self, sql: &str) -> Result<(), EngineError> {
        self.conn.execute_batch(sql).map_err(c_err)
    }

    fn query(&mut self, sql: &str) -> QueryOutcome {
        let mut out = QueryOutcome {
            prepared: false,
            columns: 0,
            rows: Vec::new(),
            error: None,
        };
        let mut stmt = match self.conn.prepare(sql) {
            Ok(s) => s,
            Err(e) => {
                out.error = Some(c_err(e));
                return out;
            }
        };
        out.prepared = true;
        out.columns = stmt.column_count();
        let mut rows = stmt.raw_query();
        loop {
            match rows.next() {
                Ok(Some(row)) => out.rows.push(
                    (0..out.columns)
                        .map(|i| row.get_ref(i).map_or(Cell::Null, cell_from_c))
                        .collect(),
                ),
                Ok(None) => break,
                Err(e) => {
                    out.error = Some(c_err(e));
                    break;
                }
            }
        }
        out
    }
}

/// The (depth, detail) tree of an EXPLAIN QUERY PLAN result.
pub fn plan_tree(out: &QueryOutcome) -> Result<Vec<(usize, String)>, String> {
    if let Some(e) = &out.error {
        return Err(e.msg.clone());
    }
    let mut ids: Vec<(i64, usize)> = Vec::new();
    let mut tree = Vec::new();
    for row in &out.rows {
        let [Cell::Int(id), Cell::Int(parent), _, Cell::Text(detail)] = row.as_slice() else {
            return Err(format!("malformed EQP row {row:?}"));
        };
        let depth = if *parent == 0 {
            0
        } else {
            match ids.iter().find(|(i, _)| i == parent) {
                Some((_, d)) => d + 1,
                None => return Err(format!("parent {parent} of row {id} not seen before")),
            }
        };
        ids.push((*id, depth));
        tree.push((depth, String::from_utf8_lossy(detail).into_owned()));
    }
    Ok(tree)
}
