//! Re-entrant SQL through the C API: user functions (scalar, aggregate,
//! window) that prepare and step statements on their own connection while
//! a statement of that connection is running, compared line by line with
//! the system SQLite 3.40.1 (the oracle, through python3's sqlite3 module
//! running the same script), plus the known gap (collation callbacks).
//!
//! Prints "N passed, N failed".

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::process::Command;
use std::ptr;

use ::sqlite3::bind::sqlite3_bind_int64;
use ::sqlite3::collation::sqlite3_create_collation_v2;
use ::sqlite3::column::{sqlite3_column_count, sqlite3_column_text};
use ::sqlite3::connection::{
    sqlite3 as Db, sqlite3_close, sqlite3_errmsg, sqlite3_extended_errcode, sqlite3_open,
};
use ::sqlite3::function::{
    sqlite3_context, sqlite3_context_db_handle, sqlite3_create_function_v2,
    sqlite3_create_window_function,
};
use ::sqlite3::result::{sqlite3_result_error, sqlite3_result_int64, sqlite3_result_text};
use ::sqlite3::statement::{sqlite3_finalize, sqlite3_prepare_v2, sqlite3_step, sqlite3_stmt};
use ::sqlite3::value::{sqlite3_value, sqlite3_value_text};

const ROW: c_int = 100;
const DONE: c_int = 101;
const UTF8: c_int = 1;

fn transient() -> Option<unsafe extern "C" fn(*mut c_void)> {
    // SAFETY: SQLITE_TRANSIENT is the destructor value -1 by definition.
    unsafe { std::mem::transmute::<isize, Option<unsafe extern "C" fn(*mut c_void)>>(-1) }
}

/// Runs `sql` on `db` and renders the outcome as the oracle script does:
/// "ok " + rows (columns joined by ',', rows by ';') or "err CODE MSG".
fn run(db: *mut Db, sql: &str) -> String {
    let z = CString::new(sql).unwrap_or_default();
    let mut st: *mut sqlite3_stmt = ptr::null_mut();
    // SAFETY: valid db, NUL-terminated SQL, valid out-pointer.
    let rc = unsafe { sqlite3_prepare_v2(db, z.as_ptr(), -1, &mut st, ptr::null_mut()) };
    if rc != 0 {
        return err_line(db);
    }
    let mut rows = Vec::new();
    loop {
        let rc = sqlite3_step(st);
        if rc == ROW {
            let n = sqlite3_column_count(st);
            let cols: Vec<String> = (0..n)
                .map(|i| text_of(sqlite3_column_text(st, i)))
                .collect();
            rows.push(cols.join(","));
        } else if rc == DONE {
            sqlite3_finalize(st);
            return format!("ok {}", rows.join(";"));
        } else {
            let line = err_line(db);
            sqlite3_finalize(st);
            return line;
        }
    }
}

fn text_of(p: *const u8) -> String {
    if p.is_null() {
        return "NULL".into();
    }
    // SAFETY: column text is NUL-terminated and valid until the next step.
    unsafe { CStr::from_ptr(p.cast::<c_char>()) }
        .to_string_lossy()
        .into_owned()
}

fn err_line(db: *mut Db) -> String {
    let code = sqlite3_extended_errcode(db);
    format!("err {} {}", code, text_of(sqlite3_errmsg(db).cast::<u8>()))
}

fn set_text(ctx: *mut sqlite3_context, s: &str) {
    let z = CString::new(s).unwrap_or_default();
    sqlite3_result_text(ctx, z.as_ptr(), -1, transient());
}

fn arg_text(argv: *mut *mut sqlite3_value, i: usize) -> String {
    // SAFETY: the engine passes `argc` valid values.
    let v = unsafe { *argv.add(i) };
    text_of(sqlite3_value_text(v))
}

/// nest(sql): runs `sql` on the function's own connection.
unsafe extern "C" fn nest(ctx: *mut sqlite3_context, _n: c_int, argv: *mut *mut sqlite3_value) {
    let db = sqlite3_context_db_handle(ctx);
    let out = run(db, &arg_text(argv, 0));
    set_text(ctx, &out);
}

/// nest_or_fail(sql): as nest, but a nested error becomes the function's.
unsafe extern "C" fn nest_or_fail(
    ctx: *mut sqlite3_context,
    _n: c_int,
    argv: *mut *mut sqlite3_value,
) {
    let db = sqlite3_context_db_handle(ctx);
    let out = run(db, &arg_text(argv, 0));
    if let Some(rest) = out.strip_prefix("err ") {
        let msg = rest.split_once(' ').map_or(rest, |(_, m)| m);
        let z = CString::new(msg).unwrap_or_default();
        // SAFETY: valid context and NUL-terminated message.
        unsafe { sqlite3_result_error(ctx, z.as_ptr(), -1) };
    } else {
        set_text(ctx, &out);
    }
}

/// agg_log(x): xStep inserts x into dst; xFinal counts dst's rows.
unsafe extern "C" fn agg_step(ctx: *mut sqlite3_context, _n: c_int, argv: *mut *mut sqlite3_value) {
    let db = sqlite3_context_db_handle(ctx);
    let _ = run(
        db,
        &format!("insert into dst values('{}')", arg_text(argv, 0)),
    );
}

unsafe extern "C" fn agg_final(ctx: *mut sqlite3_context) {
    let db = sqlite3_context_db_handle(ctx);
    let out = run(db, "select count(*) from dst");
    set_text(ctx, &out);
}

/// win_count(x) OVER (...): xValue counts src rows <= the last x seen via
/// a nested prepared statement with a bound parameter.
unsafe extern "C" fn win_step(ctx: *mut sqlite3_context, n: c_int, argv: *mut *mut sqlite3_value) {
    let _ = (ctx, n, argv);
}

unsafe extern "C" fn win_value(ctx: *mut sqlite3_context) {
    let db = sqlite3_context_db_handle(ctx);
    let z = CString::new("select count(*) from src where a <= ?").unwrap_or_default();
    let mut st: *mut sqlite3_stmt = ptr::null_mut();
    // SAFETY: valid db, NUL-terminated SQL, valid out-pointer.
    let rc = unsafe { sqlite3_prepare_v2(db, z.as_ptr(), -1, &mut st, ptr::null_mut()) };
    if rc != 0 {
        set_text(ctx, &err_line(db));
        return;
    }
    sqlite3_bind_int64(st, 1, 2);
    let n = if sqlite3_step(st) == ROW {
        text_of(sqlite3_column_text(st, 0))
    } else {
        err_line(db)
    };
    sqlite3_finalize(st);
    set_text(ctx, &format!("w{n}"));
}

unsafe extern "C" fn win_final(ctx: *mut sqlite3_context) {
    // SAFETY: forwarded call shape.
    unsafe { win_value(ctx) }
}

unsafe extern "C" fn win_inverse(
    _ctx: *mut sqlite3_context,
    _n: c_int,
    _argv: *mut *mut sqlite3_value,
) {
}

/// A collation that asks its connection something (the known gap).
static COLL_RC: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

unsafe extern "C" fn coll_cmp(
    arg: *mut c_void,
    n1: c_int,
    a: *const c_void,
    n2: c_int,
    b: *const c_void,
) -> c_int {
    let db = arg.cast::<Db>();
    let z = CString::new("select 1").unwrap_or_default();
    let mut st: *mut sqlite3_stmt = ptr::null_mut();
    // SAFETY: valid db, NUL-terminated SQL, valid out-pointer.
    let rc = unsafe { sqlite3_prepare_v2(db, z.as_ptr(), -1, &mut st, ptr::null_mut()) };
    COLL_RC.store(rc, std::sync::atomic::Ordering::SeqCst);
    sqlite3_finalize(st);
    // SAFETY: the engine passes n1/n2 readable bytes.
    let (x, y) = unsafe {
        (
            std::slice::from_raw_parts(a.cast::<u8>(), usize::try_from(n1).unwrap_or(0)),
            std::slice::from_raw_parts(b.cast::<u8>(), usize::try_from(n2).unwrap_or(0)),
        )
    };
    x.cmp(y) as c_int
}

/// The script both engines run (statement per line, run at top level).
const SCRIPT: &[&str] = &[
    "create table src(a)",
    "insert into src values(1),(2),(3)",
    "create table dst(b)",
    "select a, nest('insert into dst values(' || a || ')') from src",
    "select count(*), sum(b) from dst",
    "select nest('select changes(), last_insert_rowid(), total_changes()')",
    "select a, nest('select count(*) from dst where b <= ' || a) from src",
    "select nest('insert into src values(99)') from src limit 1",
    "select count(*) from src",
    "begin",
    "select nest('commit') from src limit 1",
    "select nest('select 1')",
    "begin",
    "insert into dst select nest('commit') from src limit 1",
    "select b from dst where b like 'err%'",
    "rollback",
    "select nest('drop table src') from src limit 1",
    "select nest('select * from nosuch')",
    "select nest('select nest(''select 7'')')",
    "select nest('begin'), nest('insert into dst values(5)'), nest('rollback')",
    "select count(*) from dst",
    "select nest('create table made(x)'), nest('insert into made values(1)')",
    "select * from made",
    "select nest('drop table made')",
    "select count(*) from sqlite_schema where name='made'",
    "select nest('update src set a = a + 100 where a = 99'), (select max(a) from src)",
    "select agg_log(a) from src",
    "select count(*) from dst",
    "select a, win_count(a) over (order by a) from src",
    "select a, nest('select a from src where a > ' || a || ' order by a limit 1') from src",
];

const ORACLE: &str = r#"
import sqlite3, sys
con = sqlite3.connect(":memory:", isolation_level=None)
def fmt(v): return "NULL" if v is None else str(v)
def rows_of(sql):
    rows = con.execute(sql).fetchall()
    return "ok " + ";".join(",".join(fmt(v) for v in r) for r in rows)
def nest(sql):
    try:
        return rows_of(sql)
    except sqlite3.Error as e:
        return "err %d %s" % (e.sqlite_errorcode, e)
con.create_function("nest", 1, nest)
class Agg:
    def step(self, x): nest("insert into dst values('%s')" % x)
    def finalize(self): return nest("select count(*) from dst")
con.create_aggregate("agg_log", 1, Agg)
class Win:
    def step(self, x): pass
    def inverse(self, x): pass
    def value(self):
        r = con.execute("select count(*) from src where a <= ?", (2,)).fetchone()
        return "w%s" % r[0]
    def finalize(self): return self.value()
con.create_window_function("win_count", 1, Win)
for line in sys.stdin.read().split("\n"):
    if line:
        print(nest(line))
"#;

fn oracle(script: &[&str]) -> Option<Vec<String>> {
    use std::io::Write;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(ORACLE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()?
        .write_all(script.join("\n").as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.lines().map(str::to_string).collect())
}

fn open() -> *mut Db {
    let mut db: *mut Db = ptr::null_mut();
    let name = CString::new(":memory:").unwrap_or_default();
    // SAFETY: NUL-terminated name, valid out-pointer.
    assert_eq!(unsafe { sqlite3_open(name.as_ptr(), &mut db) }, 0);
    db
}

fn register(db: *mut Db) {
    let reg =
        |name: &str,
         n: c_int,
         f: unsafe extern "C" fn(*mut sqlite3_context, c_int, *mut *mut sqlite3_value)| {
            let z = CString::new(name).unwrap_or_default();
            // SAFETY: valid db and callbacks of the right shapes.
            let rc = unsafe {
                sqlite3_create_function_v2(
                    db,
                    z.as_ptr(),
                    n,
                    UTF8,
                    ptr::null_mut(),
                    Some(f),
                    None,
                    None,
                    None,
                )
            };
            assert_eq!(rc, 0);
        };
    reg("nest", 1, nest);
    reg("nest_or_fail", 1, nest_or_fail);
    let agg = CString::new("agg_log").unwrap_or_default();
    let win = CString::new("win_count").unwrap_or_default();
    // SAFETY: valid db and callbacks of the right shapes.
    unsafe {
        assert_eq!(
            sqlite3_create_function_v2(
                db,
                agg.as_ptr(),
                1,
                UTF8,
                ptr::null_mut(),
                None,
                Some(agg_step),
                Some(agg_final),
                None
            ),
            0
        );
        assert_eq!(
            sqlite3_create_window_function(
                db,
                win.as_ptr(),
                1,
                UTF8,
                ptr::null_mut(),
                Some(win_step),
                Some(win_final),
                Some(win_value),
                Some(win_inverse),
                None
            ),
            0
        );
    }
}

#[test]
fn reentrant_sql_matches_the_oracle() {
    let db = open();
    register(db);
    let ours: Vec<String> = SCRIPT.iter().map(|s| run(db, s)).collect();
    let (mut pass, mut fail) = (0, 0);
    match oracle(SCRIPT) {
        Some(theirs) if theirs.len() == SCRIPT.len() => {
            for ((sql, a), b) in SCRIPT.iter().zip(&ours).zip(&theirs) {
                if a == b {
                    pass += 1;
                } else {
                    fail += 1;
                    eprintln!("MISMATCH {sql}\n  loom:   {a}\n  sqlite: {b}");
                }
            }
        }
        _ => eprintln!("python3 oracle unavailable: comparing fixed expectations only"),
    }
    // Fixed expectations (from SQLite 3.40.1), checked even without python3.
    let fixed = [
        (3, "ok 1,ok ;2,ok ;3,ok "),
        (
            14,
            "ok err 5 cannot commit transaction - SQL statements in progress",
        ),
        (16, "ok err 6 database table is locked"),
        (17, "ok err 1 no such table: nosuch"),
        (18, "ok ok ok 7"),
    ];
    for (i, want) in fixed {
        if ours.get(i).map(String::as_str) == Some(want) {
            pass += 1;
        } else {
            fail += 1;
            eprintln!("FIXED {i}: got {:?}, want {want:?}", ours.get(i));
        }
    }
    // An error inside the nested statement becomes the outer one's.
    let got = run(db, "select nest_or_fail('select * from nosuch')");
    if got == "err 1 no such table: nosuch" {
        pass += 1;
    } else {
        fail += 1;
        eprintln!("nest_or_fail: {got}");
    }
    assert_eq!(sqlite3_close(db), 0);
    println!("{pass} passed, {fail} failed");
    assert_eq!(fail, 0);
}

/// The CPython regression test's shape: the first step of a SELECT calls a
/// function that inserts into the table being read, inside an implicit
/// transaction; the cursor is dropped, the table dropped and committed.
#[test]
fn cpython_table_lock_shape() {
    let db = open();
    register(db);
    for s in [
        "create table t(t)",
        "insert into t values(0),(1),(2),(3),(4)",
        "begin",
    ] {
        assert!(run(db, s).starts_with("ok"), "{s}");
    }
    let z =
        CString::new("select nest('insert into t values(' || t || ')') from t").unwrap_or_default();
    let mut st: *mut sqlite3_stmt = ptr::null_mut();
    // SAFETY: valid db, NUL-terminated SQL, valid out-pointer.
    assert_eq!(
        unsafe { sqlite3_prepare_v2(db, z.as_ptr(), -1, &mut st, ptr::null_mut()) },
        0
    );
    assert_eq!(sqlite3_step(st), ROW);
    assert_eq!(text_of(sqlite3_column_text(st, 0)), "ok ");
    assert_eq!(run(db, "drop table t"), "err 6 database table is locked");
    sqlite3_finalize(st);
    assert_eq!(run(db, "select count(*) from t"), "ok 6");
    assert_eq!(run(db, "drop table t"), "ok ");
    assert_eq!(run(db, "commit"), "ok ");
    assert_eq!(sqlite3_close(db), 0);
    println!("1 passed, 0 failed");
}

/// Known gap: a collation callback cannot yet run SQL on its connection
/// (C SQLite allows it); loom reports SQLITE_MISUSE cleanly instead.
#[test]
fn collation_reentry_is_a_clean_misuse() {
    let db = open();
    let name = CString::new("probe").unwrap_or_default();
    // SAFETY: valid db, callback of the right shape, `db` outlives it.
    let rc = unsafe {
        sqlite3_create_collation_v2(
            db,
            name.as_ptr(),
            UTF8,
            db.cast::<c_void>(),
            Some(coll_cmp),
            None,
        )
    };
    assert_eq!(rc, 0);
    let out = run(db, "select 'b' < 'a' collate probe");
    assert_eq!(out, "ok 0");
    assert_eq!(COLL_RC.load(std::sync::atomic::Ordering::SeqCst), 21);
    let _ = sqlite3_result_int64;
    assert_eq!(sqlite3_close(db), 0);
    println!("1 passed, 0 failed");
}
