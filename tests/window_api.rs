//! User-defined window functions through the engine API (the Rust
//! counterpart of `sqlite3_create_window_function`), plus window queries
//! whose results are checked against known values and, where the system
//! SQLite can run them, against the oracle through rusqlite.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use loomdb::api::{open_readwrite, Database, StepResult, ValueRef};
use loomdb::func::{
    AggregateState, FuncContext, FuncError, FuncFlags, FuncKind, UserAggregateFactory,
};
use loomdb::record::Value;

/// sumint from windowfunctions.html: xStep adds, xInverse subtracts.
struct SumInt {
    inverse: bool,
    finals: Arc<AtomicUsize>,
}

struct SumIntState {
    total: i64,
    finals: Arc<AtomicUsize>,
}

impl AggregateState for SumIntState {
    fn step(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if let Some(ValueRef::Integer(i)) = args.first() {
            self.total += i;
        }
        Ok(())
    }
    fn finalize(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        self.finals.fetch_add(1, Ordering::SeqCst);
        Ok(Value::Integer(self.total))
    }
    fn value(&mut self, _: &mut FuncContext) -> Result<Value, FuncError> {
        Ok(Value::Integer(self.total))
    }
    fn inverse(&mut self, _: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError> {
        if let Some(ValueRef::Integer(i)) = args.first() {
            self.total -= i;
        }
        Ok(())
    }
}

impl UserAggregateFactory for SumInt {
    fn create(&self) -> Box<dyn AggregateState> {
        Box::new(SumIntState {
            total: 0,
            finals: self.finals.clone(),
        })
    }
    fn is_window(&self) -> bool {
        self.inverse
    }
}

fn query(db: &Database, sql: &str) -> Result<Vec<String>, String> {
    let (stmt, _) = db.prepare_tail(sql, 0).map_err(|e| e.to_string())?;
    let mut stmt = stmt.ok_or("empty statement")?;
    let mut out = Vec::new();
    loop {
        match stmt.step().map_err(|e| e.to_string())? {
            StepResult::Row => {
                let cols: Vec<String> = (0..stmt.column_count())
                    .map(|i| match stmt.column_value(i) {
                        ValueRef::Null => String::new(),
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(r) => format!("{r}"),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                    .collect();
                out.push(cols.join("|"));
            }
            StepResult::Done => return Ok(out),
        }
    }
}

fn setup(inverse: bool) -> (Database, Arc<AtomicUsize>, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "loom-window-api-{}-{inverse}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let db = open_readwrite(path.to_str().unwrap_or_default()).expect("open");
    for sql in [
        "CREATE TABLE t3(x, y)",
        "INSERT INTO t3 VALUES ('a', 4), ('b', 5), ('c', 3), ('d', 8), ('e', 1)",
    ] {
        query(&db, sql).expect("setup");
    }
    let finals = Arc::new(AtomicUsize::new(0));
    let flags = FuncFlags {
        window: inverse,
        ..FuncFlags::default()
    };
    let kind = FuncKind::UserAggregate(Arc::new(SumInt {
        inverse,
        finals: finals.clone(),
    }));
    db.create_function("sumint", 1, flags, Some(kind))
        .expect("create_function");
    (db, finals, path)
}

const SLIDING: &str = "SELECT x, sumint(y) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t3 ORDER BY x";

#[test]
fn user_window_function_slides_with_inverse() {
    let (db, finals, path) = setup(true);
    let rows = query(&db, SLIDING).expect("query");
    assert_eq!(rows, ["a|9", "b|12", "c|16", "d|12", "e|9"]);
    assert!(
        finals.load(Ordering::SeqCst) >= 1,
        "finalize ran at partition end"
    );
    let rows = query(&db, "SELECT sumint(y) FROM t3").expect("plain aggregate");
    assert_eq!(rows, ["21"]);
    let rows = query(
        &db,
        "SELECT x, sumint(y) OVER (PARTITION BY y % 2 ORDER BY x) FROM t3 ORDER BY x",
    )
    .expect("partitioned");
    assert_eq!(rows, ["a|4", "b|5", "c|8", "d|12", "e|9"]);
    drop(db);
    let _ = std::fs::remove_file(path);
}

#[test]
fn aggregate_without_value_is_not_a_window_function() {
    let (db, _, path) = setup(false);
    let err = query(&db, SLIDING).expect_err("must fail");
    assert_eq!(err, "sumint() may not be used as a window function");
    assert_eq!(
        query(&db, "SELECT sumint(y) FROM t3").expect("plain"),
        ["21"]
    );
    drop(db);
    let _ = std::fs::remove_file(path);
}

#[test]
fn default_frame_on_many_rows_is_linear() {
    let (db, _, path) = setup(true);
    // 20k rows through a recursive CTE; the default frame (RANGE UNBOUNDED
    // PRECEDING .. CURRENT ROW) must not be quadratic, so this finishes fast
    // enough for the suite, and the totals are exact.
    let rows = query(
        &db,
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) \
         SELECT max(s), sum(r), count(*) FROM (SELECT sum(i) OVER (ORDER BY i) AS s, \
         row_number() OVER (PARTITION BY i % 7 ORDER BY i DESC) AS r FROM c)",
    )
    .expect("big query");
    let n: i64 = 20000;
    let per: Vec<i64> = (0..7)
        .map(|k| (1..=n).filter(|i| i % 7 == k).count() as i64)
        .collect();
    let sum_r: i64 = per.iter().map(|m| m * (m + 1) / 2).sum();
    assert_eq!(rows, [format!("{}|{}|{}", n * (n + 1) / 2, sum_r, n)]);
    drop(db);
    let _ = std::fs::remove_file(path);
}
