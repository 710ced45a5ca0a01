//! Table-driven tests of the printf engine against SQLite 3.40.1.
//!
//! Every expected output below was produced by the system SQLite 3.40.1
//! (`select printf(?, ...)` through python3's sqlite3 module, see
//! `gen_oracle.py`) and is hard-coded; the tests never run the oracle.
//!
//! Invariants:
//! 1. [`TArg`] converts arguments as SQL `printf()` does for the simple
//!    cases used here (integers, reals, text, blobs, NULL).

mod cases_a;
mod cases_b;

use super::{format, format_limited, format_sql, render_real, PrintfArgs, PrintfError};

/// One oracle case: format, arguments, expected result (None = NULL).
pub(super) type Case = (&'static [u8], &'static [TArg], Option<&'static [u8]>);

/// A SQL argument for the test argument source.
#[derive(Debug, Clone, Copy)]
pub(super) enum TArg {
    I(i64),
    F(f64),
    S(&'static [u8]),
    B(&'static [u8]),
    N,
}

struct SqlArgs<'a> {
    args: &'a [TArg],
    next: usize,
}

impl SqlArgs<'_> {
    fn take(&mut self) -> Option<TArg> {
        let a = self.args.get(self.next).copied();
        self.next += 1;
        a
    }
}

fn leading_int(s: &[u8]) -> i64 {
    let t = std::str::from_utf8(s).unwrap_or("").trim();
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse().unwrap_or(0)
}

impl PrintfArgs for SqlArgs<'_> {
    fn next_int(&mut self) -> i64 {
        match self.take() {
            Some(TArg::I(v)) => v,
            Some(TArg::F(v)) => v as i64,
            Some(TArg::S(s)) | Some(TArg::B(s)) => leading_int(s),
            Some(TArg::N) | None => 0,
        }
    }
    fn next_double(&mut self) -> f64 {
        match self.take() {
            Some(TArg::I(v)) => v as f64,
            Some(TArg::F(v)) => v,
            Some(TArg::S(s)) | Some(TArg::B(s)) => std::str::from_utf8(s)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0.0),
            Some(TArg::N) | None => 0.0,
        }
    }
    fn next_str(&mut self) -> Option<Vec<u8>> {
        match self.take() {
            Some(TArg::I(v)) => Some(v.to_string().into_bytes()),
            Some(TArg::F(v)) => Some(render_real(v).into_bytes()),
            Some(TArg::S(s)) | Some(TArg::B(s)) => Some(s.to_vec()),
            Some(TArg::N) | None => None,
        }
    }
    fn next_ptr(&mut self) -> usize {
        self.next_int() as usize
    }
}

fn show(b: Option<&[u8]>) -> String {
    b.map_or("NULL".to_string(), |b| {
        String::from_utf8_lossy(b).into_owned()
    })
}

#[test]
fn oracle_table() {
    let mut failed = Vec::new();
    let all = cases_a::CASES.iter().chain(cases_b::CASES.iter());
    let mut total = 0;
    for (fmt, args, want) in all {
        total += 1;
        let mut src = SqlArgs { args, next: 0 };
        let got = format_sql(fmt, &mut src, 1_000_000_000).expect("no limit reached");
        if got.as_deref() != *want {
            failed.push(format!(
                "printf({:?}, {:?}): got {:?} want {:?}",
                String::from_utf8_lossy(fmt),
                args,
                show(got.as_deref()),
                show(*want)
            ));
        }
    }
    println!(
        "printf oracle: {} passed, {} failed",
        total - failed.len(),
        failed.len()
    );
    assert!(total >= 150);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// A C-mode source: ints are raw 64-bit slots.
struct CArgs(Vec<i64>, usize);

impl PrintfArgs for CArgs {
    fn next_int(&mut self) -> i64 {
        let v = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        v
    }
    fn next_double(&mut self) -> f64 {
        f64::from_bits(self.next_int() as u64)
    }
    fn next_str(&mut self) -> Option<Vec<u8>> {
        None
    }
    fn next_ptr(&mut self) -> usize {
        self.next_int() as usize
    }
}

#[test]
fn c_mode_int_width_and_char() {
    let run = |fmt: &str, args: Vec<i64>| {
        String::from_utf8(format(fmt.as_bytes(), &mut CArgs(args, 0), false)).unwrap()
    };
    // Without `l`/`ll` the argument is a C int: the upper half is ignored.
    assert_eq!(run("%d", vec![0x1_0000_0005]), "5");
    assert_eq!(run("%d", vec![0xffff_ffff]), "-1");
    assert_eq!(run("%u", vec![-1]), "4294967295");
    assert_eq!(run("%lld|%llu", vec![-1, -1]), "-1|18446744073709551615");
    assert_eq!(run("%ld", vec![1 << 40]), "1099511627776");
    assert_eq!(run("%x", vec![-1]), "ffffffff");
    assert_eq!(run("%p", vec![0x00de_adbe_ef00]), "DEADBEEF00");
    assert_eq!(run("%c%c", vec![0x41, 0x20ac]), "A\u{20ac}");
    assert_eq!(run("%.3c", vec![0x1f600]), "\u{1f600}".repeat(3));
}

#[test]
fn c_mode_percent_n_reports_count() {
    struct Counter(Option<usize>);
    impl PrintfArgs for Counter {
        fn next_int(&mut self) -> i64 {
            7
        }
        fn next_double(&mut self) -> f64 {
            0.0
        }
        fn next_str(&mut self) -> Option<Vec<u8>> {
            None
        }
        fn next_ptr(&mut self) -> usize {
            0
        }
        fn store_count(&mut self, n: usize) {
            self.0 = Some(n);
        }
    }
    let mut c = Counter(None);
    assert_eq!(format(b"ab%dc%n|", &mut c, false), b"ab7c|");
    assert_eq!(c.0, Some(4));
    let mut c = Counter(None);
    format(b"ab%n", &mut c, true);
    assert_eq!(c.0, None, "SQL mode ignores %n");
}

#[test]
fn length_limit_is_too_big() {
    let mut a = SqlArgs {
        args: &[TArg::I(1)],
        next: 0,
    };
    assert_eq!(
        format_limited(b"%100d", &mut a, true, 50),
        Err(PrintfError::TooBig)
    );
    let mut a = SqlArgs {
        args: &[TArg::I(1)],
        next: 0,
    };
    assert_eq!(format_limited(b"%10d", &mut a, true, 50).unwrap().len(), 10);
    let mut a = SqlArgs {
        args: &[TArg::S(b"x"), TArg::I(5)],
        next: 0,
    };
    assert_eq!(
        format_sql(
            b"%.*c",
            &mut SqlArgs {
                args: &[TArg::I(2_000_000_000), TArg::S(b"x")],
                next: 0
            },
            1_000_000_000
        ),
        Err(PrintfError::TooBig)
    );
    assert_eq!(format_sql(b"%s%d", &mut a, 100), Ok(Some(b"x5".to_vec())));
    assert_eq!(
        format_sql(
            b"%.1000000000f",
            &mut SqlArgs {
                args: &[TArg::F(1.0)],
                next: 0
            },
            1000
        ),
        Err(PrintfError::TooBig)
    );
}

#[test]
fn render_real_agrees_with_engine() {
    let values = [
        0.1,
        1.0 / 3.0,
        1e15,
        1e14,
        123456789012345678.0,
        4.9e-324,
        2.5e-5,
        99999999999999.99,
        0.30000000000000004,
        1e308,
        -7.25,
        1234.5678e-10,
    ];
    for v in values {
        let mut a = SqlArgs {
            args: &[TArg::F(v)],
            next: 0,
        };
        let engine = format(b"%!.15g", &mut a, true);
        assert_eq!(render_real(v).as_bytes(), engine.as_slice(), "{v:e}");
    }
}
