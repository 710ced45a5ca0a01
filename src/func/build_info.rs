//! Functions about the library build and its extension mechanism:
//! `sqlite_compileoption_used`, `sqlite_compileoption_get`,
//! `load_extension`, and `soundex` (a build option of SQLite's that the
//! system library has on).
//!
//! SQLite counterpart: func.c (`compileoptionusedFunc`,
//! `compileoptiongetFunc`, `loadExt`, `soundexFunc`) and ctime.c (the
//! option list).
//!
//! Invariants:
//! 1. [`COMPILE_OPTIONS`] is the one list of compile-time options loom
//!    reports, without the `SQLITE_` prefix, sorted: the list of the
//!    system SQLite 3.40.1 it stands in for, minus the options
//!    whose feature loom lacks
//!    (an application that checks an option before using its feature must
//!    not be told it is there); `PRAGMA compile_options` and the C API's
//!    `sqlite3_compileoption_used/get` read it too.
//! 2. An option name matches with or without `SQLITE_`, case-insensitively,
//!    when the listed option continues with a non-identifier character or
//!    ends (`THREADSAFE` and `THREADSAFE=1` match `THREADSAFE=1`).
//! 3. `load_extension` says "not authorized" unless the connection enabled
//!    it; enabled, loom loads nothing and names the missing feature.
//! 4. `soundex` reads the text's bytes with the top bit dropped, as the
//!    original does, so non-ASCII bytes code as the ASCII letter they mask.

use super::context::{FuncContext, FuncError};
use super::core::{arg, text_of};
use crate::record::{value_to_i64, Value, ValueRef};

/// The compile-time options, as `PRAGMA compile_options` lists them.
///
/// The system SQLite also lists ENABLE_DBSTAT_VTAB, ENABLE_FTS5,
/// ENABLE_LOAD_EXTENSION, ENABLE_PREUPDATE_HOOK, ENABLE_RTREE,
/// ENABLE_SESSION and ENABLE_STMTVTAB; loom lacks those features, so they
/// are left out (tests/sql_gaps2.rs checks the difference is exactly these).
pub const COMPILE_OPTIONS: &[&str] = &[
    "ATOMIC_INTRINSICS=1",
    "COMPILER=gcc-12.2.0",
    "DEFAULT_AUTOVACUUM",
    "DEFAULT_CACHE_SIZE=-2000",
    "DEFAULT_FILE_FORMAT=4",
    "DEFAULT_JOURNAL_SIZE_LIMIT=-1",
    "DEFAULT_MMAP_SIZE=0",
    "DEFAULT_PAGE_SIZE=4096",
    "DEFAULT_PCACHE_INITSZ=20",
    "DEFAULT_RECURSIVE_TRIGGERS",
    "DEFAULT_SECTOR_SIZE=4096",
    "DEFAULT_SYNCHRONOUS=2",
    "DEFAULT_WAL_AUTOCHECKPOINT=1000",
    "DEFAULT_WAL_SYNCHRONOUS=2",
    "DEFAULT_WORKER_THREADS=0",
    "ENABLE_COLUMN_METADATA",
    "ENABLE_FTS3",
    "ENABLE_FTS3_PARENTHESIS",
    "ENABLE_FTS3_TOKENIZER",
    "ENABLE_FTS4",
    "ENABLE_MATH_FUNCTIONS",
    "ENABLE_UNLOCK_NOTIFY",
    "ENABLE_UPDATE_DELETE_LIMIT",
    "HAVE_ISNAN",
    "LIKE_DOESNT_MATCH_BLOBS",
    "MALLOC_SOFT_LIMIT=1024",
    "MAX_ATTACHED=10",
    "MAX_COLUMN=2000",
    "MAX_COMPOUND_SELECT=500",
    "MAX_DEFAULT_PAGE_SIZE=32768",
    "MAX_EXPR_DEPTH=1000",
    "MAX_FUNCTION_ARG=127",
    "MAX_LENGTH=1000000000",
    "MAX_LIKE_PATTERN_LENGTH=50000",
    "MAX_MMAP_SIZE=0x7fff0000",
    "MAX_PAGE_COUNT=1073741823",
    "MAX_PAGE_SIZE=65536",
    "MAX_SCHEMA_RETRY=25",
    "MAX_SQL_LENGTH=1000000000",
    "MAX_TRIGGER_DEPTH=1000",
    "MAX_VARIABLE_NUMBER=250000",
    "MAX_VDBE_OP=250000000",
    "MAX_WORKER_THREADS=8",
    "MUTEX_PTHREADS",
    "OMIT_LOOKASIDE",
    "SECURE_DELETE",
    "SOUNDEX",
    "SYSTEM_MALLOC",
    "TEMP_STORE=1",
    "THREADSAFE=1",
    "USE_URI",
];

/// Whether `name` (bytes, optionally `SQLITE_`-prefixed) names a compile
/// option (invariant 2).
pub fn compile_option_used(name: &[u8]) -> bool {
    let n = match name.get(..7) {
        Some(p) if p.eq_ignore_ascii_case(b"SQLITE_") => &name[7..],
        _ => name,
    };
    COMPILE_OPTIONS.iter().any(|o| {
        let o = o.as_bytes();
        o.get(..n.len()).is_some_and(|p| p.eq_ignore_ascii_case(n))
            && !o
                .get(n.len())
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
    })
}

/// The `n`-th compile option (0-based), if any.
pub fn compile_option_get(n: i64) -> Option<&'static str> {
    usize::try_from(n)
        .ok()
        .and_then(|i| COMPILE_OPTIONS.get(i).copied())
}

/// `sqlite_compileoption_used(X)`.
pub(crate) fn compileoption_used(
    ctx: &mut FuncContext,
    args: &[ValueRef],
) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    if x.is_null() {
        return Ok(Value::Null);
    }
    let name = text_of(ctx, &x);
    Ok(Value::Integer(i64::from(compile_option_used(&name))))
}

/// `sqlite_compileoption_get(N)`: N is read as a C `int`.
pub(crate) fn compileoption_get(
    _: &mut FuncContext,
    args: &[ValueRef],
) -> Result<Value, FuncError> {
    let n = value_to_i64(&arg(args, 0)) as i32;
    Ok(compile_option_get(i64::from(n)).map_or(Value::Null, |o| Value::Text(o.into())))
}

/// `load_extension(X[, Y])` (invariant 3).
pub(crate) fn load_extension(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    if !ctx.env.load_extension_enabled() {
        return Err(FuncError::Error("not authorized".into()));
    }
    if arg(args, 0).is_null() {
        return Ok(Value::Null);
    }
    Err(FuncError::Error(
        "loading extensions is not supported by loom yet".into(),
    ))
}

/// The soundex digit of an ASCII letter (either case), 0 for vowels, H, W,
/// Y and every other byte.
fn soundex_code(b: u8) -> u8 {
    match b.to_ascii_uppercase() {
        b'B' | b'F' | b'P' | b'V' => 1,
        b'C' | b'G' | b'J' | b'K' | b'Q' | b'S' | b'X' | b'Z' => 2,
        b'D' | b'T' => 3,
        b'L' => 4,
        b'M' | b'N' => 5,
        b'R' => 6,
        _ => 0,
    }
}

/// `soundex(X)`: the letter-and-three-digits code, `?000` when X has no
/// ASCII letter (invariant 4).
pub(crate) fn soundex(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    let text = if x.is_null() {
        Vec::new()
    } else {
        text_of(ctx, &x)
    };
    let text = &text[..text.iter().position(|&b| b == 0).unwrap_or(text.len())];
    let Some(start) = text.iter().position(u8::is_ascii_alphabetic) else {
        return Ok(Value::Text(b"?000".to_vec()));
    };
    let first = text[start];
    let mut out = vec![first.to_ascii_uppercase()];
    let mut prev = soundex_code(first & 0x7f);
    for &b in &text[start + 1..] {
        if out.len() == 4 {
            break;
        }
        let code = soundex_code(b & 0x7f);
        if code == 0 {
            prev = 0;
        } else if code != prev {
            prev = code;
            out.push(b'0' + code);
        }
    }
    out.resize(4, b'0');
    Ok(Value::Text(out))
}
