//! The date and time SQL functions: date, time, datetime, julianday,
//! unixepoch, strftime.
//!
//! SQLite counterpart: date.c (`isDate`, `juliandayFunc`, `unixepochFunc`,
//! `datetimeFunc`, `timeFunc`, `dateFunc`, `strftimeFunc`), specified by
//! lang_datefunc.html.
//!
//! Invariants:
//! 1. With no arguments the time value is 'now': the statement time from
//!    [`FuncEnv::now_julian_ms`](super::FuncEnv::now_julian_ms), constant
//!    within one step.
//! 2. Any unparsable time value or modifier, a NULL argument, or a result
//!    outside 0000-01-01..9999-12-31 (Julian day 0 to 5373484.5) gives NULL.
//! 3. Years below zero print as `-YYYY`; numeric fields use SQLite's printf
//!    (`%02d`, `%06.3f`, `%.16g`).

use super::context::{FuncContext, FuncEnv, FuncError, ScalarFn};
use super::core::SqlPrintfArgs;
use super::datetime::{apply_modifier, DateTime};
use crate::record::{value_to_f64, value_to_text, Value, ValueRef};

/// Name, arity, implementation.
pub(crate) const TABLE: &[(&str, i32, ScalarFn)] = &[
    ("julianday", -1, julianday),
    ("unixepoch", -1, unixepoch),
    ("date", -1, date),
    ("time", -1, time),
    ("datetime", -1, datetime),
    ("strftime", -1, strftime),
    // CURRENT_TIME / CURRENT_DATE / CURRENT_TIMESTAMP, also callable by name.
    ("current_time", 0, time),
    ("current_date", 0, date),
    ("current_timestamp", 0, datetime),
];

fn until_nul(s: &[u8]) -> &[u8] {
    &s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())]
}

/// `isDate`: builds the DateTime from a time value and modifiers;
/// `Ok(None)` means the result is NULL.
fn is_date(env: &mut dyn FuncEnv, args: &[ValueRef]) -> Result<Option<DateTime>, FuncError> {
    let mut p = DateTime::default();
    let Some(first) = args.first() else {
        return Ok(p.set_now(env).then_some(p));
    };
    match first {
        ValueRef::Integer(_) | ValueRef::Real(_) => p.set_raw_number(value_to_f64(first)),
        ValueRef::Null => return Ok(None),
        v => {
            let t = value_to_text(v);
            if p.parse_text(until_nul(&t), env) {
                return Ok(None);
            }
        }
    }
    for (i, a) in args.iter().enumerate().skip(1) {
        if a.is_null() {
            return Ok(None);
        }
        let t = value_to_text(a);
        match apply_modifier(&mut p, until_nul(&t), i, env) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(msg) => return Err(FuncError::Error(msg)),
        }
    }
    p.compute_jd();
    Ok(p.is_valid().then_some(p))
}

/// `julianday(...)`: REAL.
fn julianday(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(match is_date(ctx.env, args)? {
        Some(p) => Value::Real(p.ijd as f64 / 86400000.0),
        None => Value::Null,
    })
}

/// `unixepoch(...)`: INTEGER seconds.
fn unixepoch(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    Ok(match is_date(ctx.env, args)? {
        Some(p) => Value::Integer(p.ijd / 1000 - 21086676 * 10000),
        None => Value::Null,
    })
}

/// `YYYY-MM-DD`, with a leading `-` for negative years.
fn push_date(out: &mut Vec<u8>, p: &DateTime) {
    if p.y < 0 {
        out.push(b'-');
    }
    let y = p.y.unsigned_abs();
    out.extend_from_slice(format!("{:04}-{:02}-{:02}", y % 10000, p.m, p.d).as_bytes());
}

fn push_time(out: &mut Vec<u8>, p: &DateTime) {
    out.extend_from_slice(format!("{:02}:{:02}:{:02}", p.h, p.mi, p.s as i32).as_bytes());
}

fn render(
    ctx: &mut FuncContext,
    args: &[ValueRef],
    date: bool,
    time: bool,
) -> Result<Value, FuncError> {
    let Some(mut p) = is_date(ctx.env, args)? else {
        return Ok(Value::Null);
    };
    p.compute_ymd_hms();
    let mut out = Vec::with_capacity(20);
    if date {
        push_date(&mut out, &p);
    }
    if date && time {
        out.push(b' ');
    }
    if time {
        push_time(&mut out, &p);
    }
    Ok(Value::Text(out))
}

/// `date(...)`.
fn date(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    render(ctx, args, true, false)
}

/// `time(...)`.
fn time(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    render(ctx, args, false, true)
}

/// `datetime(...)`.
fn datetime(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    render(ctx, args, true, true)
}

/// SQLite's printf over one value.
fn printf1(fmt: &str, v: ValueRef) -> Vec<u8> {
    let vals = [v];
    crate::printf::format(fmt.as_bytes(), &mut SqlPrintfArgs::new(&vals), true)
}

fn int2(v: i32) -> Vec<u8> {
    printf1("%02d", ValueRef::Integer(i64::from(v)))
}

/// `strftime(FORMAT, ...)`.
fn strftime(ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError> {
    let Some(fmt) = args.first() else {
        return Ok(Value::Null);
    };
    if fmt.is_null() {
        return Ok(Value::Null);
    }
    let fmt = value_to_text(fmt);
    let fmt = until_nul(&fmt);
    let Some(mut x) = is_date(ctx.env, &args[1..])? else {
        return Ok(Value::Null);
    };
    x.compute_jd();
    x.compute_ymd_hms();
    let mut out = Vec::with_capacity(fmt.len() + 16);
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        let Some(piece) = strftime_conv(&x, fmt.get(i + 1).copied().unwrap_or(0)) else {
            return Ok(Value::Null);
        };
        out.extend_from_slice(&piece);
        i += 2;
    }
    if out.len() > ctx.env.max_length() {
        return Err(FuncError::TooBig);
    }
    Ok(Value::Text(out))
}

/// One `%X` of strftime; `None` for an unknown conversion.
fn strftime_conv(x: &DateTime, c: u8) -> Option<Vec<u8>> {
    Some(match c {
        b'd' => int2(x.d),
        b'f' => printf1("%06.3f", ValueRef::Real(x.s.min(59.999))),
        b'H' => int2(x.h),
        b'W' | b'j' => {
            let mut y = *x;
            y.set_calendar_start_of_year();
            y.compute_jd();
            let n_day = (x.ijd - y.ijd + 43200000) / 86400000;
            if c == b'W' {
                let wd = ((x.ijd + 43200000) / 86400000) % 7;
                printf1("%02d", ValueRef::Integer((n_day + 7 - wd) / 7))
            } else {
                printf1("%03d", ValueRef::Integer(n_day + 1))
            }
        }
        b'J' => printf1("%.16g", ValueRef::Real(x.ijd as f64 / 86400000.0)),
        b'm' => int2(x.m),
        b'M' => int2(x.mi),
        b's' => (x.ijd / 1000 - 21086676 * 10000).to_string().into_bytes(),
        b'S' => int2(x.s as i32),
        b'w' => vec![b'0' + (((x.ijd + 129600000) / 86400000) % 7) as u8],
        b'Y' => printf1("%04d", ValueRef::Integer(i64::from(x.y))),
        b'%' => b"%".to_vec(),
        _ => return None,
    })
}
