//! Virtual tables through the Rust API: a `series` table-valued function
//! (best_index on equality of hidden columns) and a writable key/value
//! table (xUpdate), with xBestIndex and transaction calls logged.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use loomdb::api::{open_memory_db, Database, Value};
use loomdb::vtab::{
    ConflictMode, ConstraintOp, IndexInfo, VTab, VTabCursor, VTabError, VTabModule, VTabResult,
};

type Log = Arc<Mutex<Vec<String>>>;

struct Series;
struct SeriesTab;
struct SeriesCur {
    v: i64,
    stop: i64,
}

impl VTabModule for Series {
    fn create(&self, a: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        self.connect(a)
    }
    fn connect(&self, _: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        Ok((
            "CREATE TABLE x(value, start HIDDEN, stop HIDDEN)".into(),
            Box::new(SeriesTab),
        ))
    }
    fn eponymous(&self) -> bool {
        true
    }
}

impl VTab for SeriesTab {
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()> {
        let mut n = 0;
        for col in [1, 2] {
            for i in 0..info.constraints.len() {
                let c = &info.constraints[i];
                if c.usable && c.op == ConstraintOp::Eq && c.column == col {
                    n += 1;
                    info.usage[i].argv_index = n;
                    info.usage[i].omit = true;
                    info.idx_num |= col;
                    break;
                }
            }
        }
        if info.idx_num != 3 {
            return Err(VTabError::new("series needs start and stop"));
        }
        info.estimated_cost = 10.0;
        Ok(())
    }
    fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
        Ok(Box::new(SeriesCur { v: 1, stop: 0 }))
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Integer(i) => *i,
        _ => 0,
    }
}

impl VTabCursor for SeriesCur {
    fn filter(&mut self, _: i32, _: Option<&str>, args: &[Value]) -> VTabResult<()> {
        self.v = args.first().map_or(0, int);
        self.stop = args.get(1).map_or(0, int);
        Ok(())
    }
    fn next(&mut self) -> VTabResult<()> {
        self.v += 1;
        Ok(())
    }
    fn eof(&self) -> bool {
        self.v > self.stop
    }
    fn column(&mut self, i: usize, _: bool) -> VTabResult<Value> {
        Ok(Value::Integer(if i == 0 { self.v } else { 0 }))
    }
    fn rowid(&mut self) -> VTabResult<i64> {
        Ok(self.v)
    }
}

/// Key/value store: rows by rowid (k, v).
type Rows = Arc<Mutex<BTreeMap<i64, (Value, Value)>>>;
struct Kv {
    rows: Rows,
    log: Log,
}
struct KvTab {
    rows: Rows,
    log: Log,
}
struct KvCur {
    snapshot: Vec<(i64, (Value, Value))>,
    pos: usize,
}

impl VTabModule for Kv {
    fn create(&self, a: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        self.log
            .lock()
            .unwrap()
            .push(format!("create {}", a.join(",")));
        self.connect(a)
    }
    fn connect(&self, _: &[String]) -> VTabResult<(String, Box<dyn VTab>)> {
        Ok((
            "CREATE TABLE x(k TEXT, v)".into(),
            Box::new(KvTab {
                rows: self.rows.clone(),
                log: self.log.clone(),
            }),
        ))
    }
}

impl VTab for KvTab {
    fn best_index(&self, info: &mut IndexInfo) -> VTabResult<()> {
        let ops: Vec<String> = info
            .constraints
            .iter()
            .map(|c| format!("{}:{}", c.column, c.op.code()))
            .collect();
        self.log
            .lock()
            .unwrap()
            .push(format!("best_index {}", ops.join(" ")));
        Ok(())
    }
    fn open(&self) -> VTabResult<Box<dyn VTabCursor>> {
        let snapshot = self
            .rows
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        Ok(Box::new(KvCur { snapshot, pos: 0 }))
    }
    fn destroy(&self) -> VTabResult<()> {
        self.log.lock().unwrap().push("destroy".into());
        Ok(())
    }
    fn writable(&self) -> bool {
        true
    }
    fn update(&self, args: &[Value], m: ConflictMode) -> VTabResult<Option<i64>> {
        let mut rows = self.rows.lock().unwrap();
        let old = args.first().filter(|v| !matches!(v, Value::Null)).map(int);
        if let Some(o) = old {
            rows.remove(&o);
        }
        if args.len() == 1 {
            return Ok(None);
        }
        let new = match &args[1] {
            Value::Null => rows.keys().next_back().map_or(1, |k| k + 1),
            v => int(v),
        };
        if old != Some(new) && rows.contains_key(&new) && m != ConflictMode::Replace {
            return Err(VTabError {
                code: loomdb::rc::ResultCode::CONSTRAINT,
                msg: "duplicate rowid".into(),
            });
        }
        rows.insert(new, (args[2].clone(), args[3].clone()));
        Ok(Some(new))
    }
    fn begin(&self) -> VTabResult<()> {
        self.log.lock().unwrap().push("begin".into());
        Ok(())
    }
    fn commit(&self) -> VTabResult<()> {
        self.log.lock().unwrap().push("commit".into());
        Ok(())
    }
    fn rollback(&self) -> VTabResult<()> {
        self.log.lock().unwrap().push("rollback".into());
        Ok(())
    }
}

impl VTabCursor for KvCur {
    fn filter(&mut self, _: i32, _: Option<&str>, _: &[Value]) -> VTabResult<()> {
        Ok(())
    }
    fn next(&mut self) -> VTabResult<()> {
        self.pos += 1;
        Ok(())
    }
    fn eof(&self) -> bool {
        self.pos >= self.snapshot.len()
    }
    fn column(&mut self, i: usize, _: bool) -> VTabResult<Value> {
        let r = &self.snapshot[self.pos].1;
        Ok(if i == 0 { r.0.clone() } else { r.1.clone() })
    }
    fn rowid(&mut self) -> VTabResult<i64> {
        Ok(self.snapshot[self.pos].0)
    }
}

fn rows(db: &Database, sql: &str) -> String {
    match db.query_all(sql, &[]) {
        Ok(r) => r
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_string(),
                        Value::Integer(i) => i.to_string(),
                        Value::Real(f) => f.to_string(),
                        Value::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        Value::Blob(b) => format!("blob{}", b.len()),
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(e) => format!("error: {e}"),
    }
}

fn setup() -> (Database, Rows, Log) {
    let db = open_memory_db().unwrap();
    let store: Rows = Arc::default();
    let log: Log = Arc::default();
    db.create_module("series", Some(Arc::new(Series))).unwrap();
    let kv = Kv {
        rows: store.clone(),
        log: log.clone(),
    };
    db.create_module("kv", Some(Arc::new(kv))).unwrap();
    (db, store, log)
}

#[test]
fn series_table_valued_function() {
    let (db, _, _) = setup();
    assert_eq!(rows(&db, "SELECT * FROM series(1, 5)"), "1 2 3 4 5");
    assert_eq!(
        rows(&db, "SELECT value FROM series WHERE start = 3 AND stop = 4"),
        "3 4"
    );
    assert_eq!(
        rows(
            &db,
            "SELECT sum(value), count(*) FROM series(1, 100) WHERE value % 2 = 0"
        ),
        "2550|50"
    );
    assert_eq!(
        rows(
            &db,
            "SELECT a.value, b.value FROM series(1,2) a, series(a.value, 2) b"
        ),
        "1|1 1|2 2|2"
    );
    assert_eq!(
        rows(&db, "SELECT * FROM series"),
        "error: series needs start and stop"
    );
    // A term the module does not consume is checked by the VM.
    assert_eq!(
        rows(&db, "SELECT value FROM series(1, 10) WHERE value > 8"),
        "9 10"
    );
    assert!(
        rows(&db, "EXPLAIN QUERY PLAN SELECT * FROM series(1, 2)")
            .ends_with("SCAN series VIRTUAL TABLE INDEX 3:"),
        "{}",
        rows(&db, "EXPLAIN QUERY PLAN SELECT * FROM series(1, 2)")
    );
    assert_eq!(
        rows(&db, "SELECT * FROM series(1, 2, 3)"),
        "error: too many arguments on series() - max 2"
    );
    assert_eq!(
        rows(&db, "INSERT INTO series VALUES (1)"),
        "error: table series may not be modified"
    );
    assert_eq!(
        rows(&db, "SELECT * FROM nosuch(1)"),
        "error: no such table: nosuch"
    );
}

#[test]
fn kv_create_write_read_drop() {
    let (db, store, log) = setup();
    db.execute_batch("CREATE VIRTUAL TABLE t USING kv(a, 'b c')")
        .unwrap();
    assert_eq!(
        rows(&db, "SELECT type, name, rootpage, sql FROM sqlite_schema"),
        "table|t|0|CREATE VIRTUAL TABLE t USING kv(a, 'b c')"
    );
    db.execute_batch(
        "INSERT INTO t VALUES ('x', 1), ('y', 2); INSERT INTO t(v, k) VALUES (3, 'z')",
    )
    .unwrap();
    assert_eq!(db.last_insert_rowid(), 3);
    assert_eq!(rows(&db, "SELECT rowid, * FROM t"), "1|x|1 2|y|2 3|z|3");
    db.execute_batch("UPDATE t SET v = v * 10 WHERE k >= 'y'")
        .unwrap();
    assert_eq!(db.changes(), 2);
    db.execute_batch("DELETE FROM t WHERE k = 'x'").unwrap();
    assert_eq!(rows(&db, "SELECT k, v FROM t ORDER BY v DESC"), "z|30 y|20");
    assert_eq!(
        rows(&db, "INSERT INTO t(rowid, k, v) VALUES (2, 'dup', 0)"),
        "error: duplicate rowid"
    );
    db.execute_batch("INSERT OR IGNORE INTO t(rowid, k, v) VALUES (2, 'dup', 0)")
        .unwrap();
    assert_eq!(store.lock().unwrap().len(), 2);
    db.execute_batch("BEGIN; INSERT INTO t VALUES ('w', 4); ROLLBACK")
        .unwrap();
    db.execute_batch("DROP TABLE t").unwrap();
    assert_eq!(rows(&db, "SELECT count(*) FROM sqlite_schema"), "0");
    let l = log.lock().unwrap().join(";");
    assert!(l.starts_with("create kv,main,t,a,'b c'"), "{l}");
    assert!(l.contains("best_index 0:32"), "k >= 'y' offered: {l}");
    assert!(l.contains("begin;commit"), "{l}");
    assert!(l.contains("begin;rollback"), "{l}");
    assert!(l.ends_with("destroy"), "{l}");
    assert_eq!(
        rows(&db, "CREATE VIRTUAL TABLE u USING nomod"),
        "error: no such module: nomod"
    );
}
