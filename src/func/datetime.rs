//! The `DateTime` value of the date functions: parsing time values,
//! Julian-day arithmetic, and the modifiers.
//!
//! SQLite counterpart: date.c (`DateTime`, `getDigits`, `parseTimezone`,
//! `parseHhMmSs`, `parseYyyyMmDd`, `computeJD`, `computeYMD`, `computeHMS`,
//! `parseDateOrTime`, `parseModifier`, `toLocaltime`).
//!
//! A date is held as any combination of a Julian day in milliseconds
//! (`ijd`), a calendar date (`y m d`), a time of day (`h mi s`) and a
//! timezone offset, each with a validity flag; conversions fill in the
//! missing forms on demand, exactly as SQLite does (so its rounding and its
//! normalization of out-of-range dates such as 2000-02-30 are reproduced).
//!
//! Invariants:
//! 1. `ijd` is milliseconds since the Julian epoch (-4713-11-24 12:00 UTC);
//!    a usable result lies in `0..=464269060799999` (up to 9999-12-31).
//! 2. All integer divisions truncate toward zero as in C.
//! 3. A parse or range failure makes the whole function return NULL.

use super::context::FuncEnv;
use crate::record::{text_to_numeric, Value};

/// Largest valid `ijd` (9999-12-31 23:59:59.999).
const MAX_IJD: i64 = 464_269_060_799_999;

/// SQLite's `DateTime`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateTime {
    pub ijd: i64,
    pub y: i32,
    pub m: i32,
    pub d: i32,
    pub h: i32,
    pub mi: i32,
    pub s: f64,
    tz: i32,
    valid_jd: bool,
    raw_s: bool,
    valid_ymd: bool,
    valid_hms: bool,
    valid_tz: bool,
    tz_set: bool,
    pub is_error: bool,
}

fn is_space(c: u8) -> bool {
    c == b' ' || (0x09..=0x0d).contains(&c)
}

fn at(z: &[u8], i: usize) -> u8 {
    z.get(i).copied().unwrap_or(0)
}

/// Parses fixed-width digit groups: each spec is (digits, min, max,
/// separator that must follow, 0 for none). Returns the values parsed before
/// the first failure.
fn get_digits(z: &[u8], specs: &[(usize, i32, i32, u8)]) -> Vec<i32> {
    let mut out = Vec::with_capacity(specs.len());
    let mut i = 0;
    for &(n, min, max, next) in specs {
        let mut val = 0i32;
        for _ in 0..n {
            let c = at(z, i);
            if !c.is_ascii_digit() {
                return out;
            }
            val = val * 10 + i32::from(c - b'0');
            i += 1;
        }
        if val < min || val > max || (next != 0 && next != at(z, i)) {
            return out;
        }
        out.push(val);
        i += 1;
    }
    out
}

/// The number a text denotes when the whole text is numeric.
pub(crate) fn atof_strict(z: &[u8]) -> Option<f64> {
    match text_to_numeric(z) {
        (Value::Integer(i), true) => Some(i as f64),
        (Value::Real(r), true) => Some(r),
        _ => None,
    }
}

fn eq_ic(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

impl DateTime {
    fn error(&mut self) {
        *self = DateTime {
            is_error: true,
            ..DateTime::default()
        };
    }

    fn clear_ymd_hms_tz(&mut self) {
        self.valid_ymd = false;
        self.valid_hms = false;
        self.valid_tz = false;
    }

    /// `[+-]HH:MM` or `Z` after a time; true on failure.
    fn parse_timezone(&mut self, z: &[u8]) -> bool {
        let mut i = 0;
        while is_space(at(z, i)) {
            i += 1;
        }
        self.tz = 0;
        let sgn = match at(z, i) {
            b'-' => -1,
            b'+' => 1,
            b'Z' | b'z' => 0,
            c => return c != 0,
        };
        i += 1;
        if sgn != 0 {
            let v = get_digits(&z[i.min(z.len())..], &[(2, 0, 14, b':'), (2, 0, 59, 0)]);
            if v.len() != 2 {
                return true;
            }
            i += 5;
            self.tz = sgn * (v[1] + v[0] * 60);
        }
        while is_space(at(z, i)) {
            i += 1;
        }
        self.tz_set = true;
        at(z, i) != 0
    }

    /// `HH:MM[:SS[.FFF]][tz]`; true on failure.
    fn parse_hms(&mut self, z: &[u8]) -> bool {
        let v = get_digits(z, &[(2, 0, 24, b':'), (2, 0, 59, 0)]);
        if v.len() != 2 {
            return true;
        }
        let mut i = 5;
        let mut s = 0;
        let mut ms = 0.0f64;
        if at(z, i) == b':' {
            i += 1;
            let sv = get_digits(&z[i.min(z.len())..], &[(2, 0, 59, 0)]);
            if sv.len() != 1 {
                return true;
            }
            s = sv[0];
            i += 2;
            if at(z, i) == b'.' && at(z, i + 1).is_ascii_digit() {
                let mut scale = 1.0f64;
                i += 1;
                while at(z, i).is_ascii_digit() {
                    ms = ms * 10.0 + f64::from(at(z, i) - b'0');
                    scale *= 10.0;
                    i += 1;
                }
                ms /= scale;
            }
        }
        self.valid_jd = false;
        self.raw_s = false;
        self.valid_hms = true;
        self.h = v[0];
        self.mi = v[1];
        self.s = f64::from(s) + ms;
        if self.parse_timezone(&z[i.min(z.len())..]) {
            return true;
        }
        self.valid_tz = self.tz != 0;
        false
    }

    /// `[-]YYYY-MM-DD[ |T][time]`; true on failure.
    fn parse_ymd(&mut self, z: &[u8]) -> bool {
        let (neg, z) = match z.first() {
            Some(b'-') => (true, &z[1..]),
            _ => (false, z),
        };
        let v = get_digits(z, &[(4, 0, 14712, b'-'), (2, 1, 12, b'-'), (2, 1, 31, 0)]);
        if v.len() != 3 {
            return true;
        }
        let mut i = 10;
        while is_space(at(z, i)) || at(z, i) == b'T' {
            i += 1;
        }
        let rest = &z[i.min(z.len())..];
        if !self.parse_hms(rest) {
            // got the time too
        } else if at(z, i) != 0 {
            return true;
        }
        self.valid_jd = false;
        self.valid_ymd = true;
        self.y = if neg { -v[0] } else { v[0] };
        self.m = v[1];
        self.d = v[2];
        if self.valid_tz {
            self.compute_jd();
        }
        false
    }

    /// A number: a Julian day unless a modifier says otherwise.
    pub(crate) fn set_raw_number(&mut self, r: f64) {
        self.s = r;
        self.raw_s = true;
        if (0.0..5373484.5).contains(&r) {
            self.ijd = (r * 86400000.0 + 0.5) as i64;
            self.valid_jd = true;
        }
    }

    /// Sets the statement time; false when unavailable.
    pub(crate) fn set_now(&mut self, env: &mut dyn FuncEnv) -> bool {
        self.ijd = env.now_julian_ms();
        self.valid_jd = self.ijd > 0;
        self.valid_jd
    }

    /// `parseDateOrTime`; true on failure.
    pub(crate) fn parse_text(&mut self, z: &[u8], env: &mut dyn FuncEnv) -> bool {
        if !self.parse_ymd(z) {
            return false;
        }
        *self = DateTime::default();
        if !self.parse_hms(z) {
            return false;
        }
        *self = DateTime::default();
        if eq_ic(z, "now") {
            return !self.set_now(env);
        }
        match atof_strict(z) {
            Some(r) => {
                self.set_raw_number(r);
                false
            }
            None => true,
        }
    }

    /// `computeJD`.
    pub(crate) fn compute_jd(&mut self) {
        if self.valid_jd {
            return;
        }
        let (mut y, mut m, d) = if self.valid_ymd {
            (self.y, self.m, self.d)
        } else {
            (2000, 1, 1)
        };
        if !(-4713..=9999).contains(&y) || self.raw_s {
            self.error();
            return;
        }
        if m <= 2 {
            y -= 1;
            m += 12;
        }
        let a = y / 100;
        let b = 2 - a + a / 4;
        let x1 = 36525 * (y + 4716) / 100;
        let x2 = 306001 * (m + 1) / 10000;
        self.ijd = ((f64::from(x1 + x2 + d + b) - 1524.5) * 86400000.0) as i64;
        self.valid_jd = true;
        if self.valid_hms {
            self.ijd += i64::from(self.h) * 3600000
                + i64::from(self.mi) * 60000
                + (self.s * 1000.0 + 0.5) as i64;
            if self.valid_tz {
                self.ijd -= i64::from(self.tz) * 60000;
                self.valid_ymd = false;
                self.valid_hms = false;
                self.valid_tz = false;
            }
        }
    }

    /// `computeYMD`.
    pub(crate) fn compute_ymd(&mut self) {
        if self.valid_ymd {
            return;
        }
        if !self.valid_jd {
            self.y = 2000;
            self.m = 1;
            self.d = 1;
        } else if !(0..=MAX_IJD).contains(&self.ijd) {
            self.error();
            return;
        } else {
            let z = ((self.ijd + 43200000) / 86400000) as i32;
            let a = ((f64::from(z) - 1867216.25) / 36524.25) as i32;
            let a = z + 1 + a - a / 4;
            let b = a + 1524;
            let c = ((f64::from(b) - 122.1) / 365.25) as i32;
            let d = (36525 * (c & 32767)) / 100;
            let e = (f64::from(b - d) / 30.6001) as i32;
            let x1 = (30.6001 * f64::from(e)) as i32;
            self.d = b - d - x1;
            self.m = if e < 14 { e - 1 } else { e - 13 };
            self.y = if self.m > 2 { c - 4716 } else { c - 4715 };
        }
        self.valid_ymd = true;
    }

    /// `computeHMS`.
    pub(crate) fn compute_hms(&mut self) {
        if self.valid_hms {
            return;
        }
        self.compute_jd();
        let ms = ((self.ijd + 43200000) % 86400000) as i32;
        let secs = f64::from(ms) / 1000.0;
        let whole = secs as i32;
        self.h = whole / 3600;
        let rem = whole - self.h * 3600;
        self.mi = rem / 60;
        self.s = secs - f64::from(whole) + f64::from(rem - self.mi * 60);
        self.raw_s = false;
        self.valid_hms = true;
    }

    pub(crate) fn compute_ymd_hms(&mut self) {
        self.compute_ymd();
        self.compute_hms();
    }

    /// Moves the calendar date to January 1st of its year (for `%j`/`%W`).
    pub(crate) fn set_calendar_start_of_year(&mut self) {
        self.valid_jd = false;
        self.m = 1;
        self.d = 1;
    }

    /// True when the final value is usable.
    pub(crate) fn is_valid(&self) -> bool {
        !self.is_error && (0..=MAX_IJD).contains(&self.ijd)
    }

    /// Converts a UTC value to local time (`toLocaltime`); dates outside
    /// 1970..2038 are shifted into that range by whole leap cycles first.
    fn shift_to_localtime(&mut self, env: &mut dyn FuncEnv) -> Result<(), String> {
        self.compute_jd();
        let (t, year_diff) = if self.ijd < 2108667600 * 100000 || self.ijd > 2130141456 * 100000 {
            let mut x = *self;
            x.compute_ymd_hms();
            let diff = (2000 + x.y % 4) - x.y;
            x.y += diff;
            x.valid_jd = false;
            x.compute_jd();
            (x.ijd / 1000 - 21086676 * 10000, diff)
        } else {
            (self.ijd / 1000 - 21086676 * 10000, 0)
        };
        let off = env.local_offset_secs(t)?;
        let mut l = DateTime {
            ijd: (t + off) * 1000 + 210866760000000,
            valid_jd: true,
            ..DateTime::default()
        };
        l.compute_ymd_hms();
        self.y = l.y - year_diff;
        self.m = l.m;
        self.d = l.d;
        self.h = l.h;
        self.mi = l.mi;
        self.s = f64::from(l.s as i32) + (self.ijd % 1000) as f64 * 0.001;
        self.valid_ymd = true;
        self.valid_hms = true;
        self.valid_jd = false;
        self.raw_s = false;
        self.valid_tz = false;
        self.is_error = false;
        Ok(())
    }

    /// The `utc` modifier: finds the UTC time whose local time is this one.
    fn shift_to_utc(&mut self, env: &mut dyn FuncEnv) -> Result<(), String> {
        if self.tz_set {
            return Ok(());
        }
        self.compute_jd();
        let orig = self.ijd;
        let mut guess = orig;
        let mut err = 0i64;
        let mut cnt = 0;
        loop {
            guess -= err;
            let mut new = DateTime {
                ijd: guess,
                valid_jd: true,
                ..DateTime::default()
            };
            new.shift_to_localtime(env)?;
            new.compute_jd();
            err = new.ijd - orig;
            if err == 0 || cnt >= 3 {
                break;
            }
            cnt += 1;
        }
        *self = DateTime {
            ijd: guess,
            valid_jd: true,
            tz_set: true,
            ..DateTime::default()
        };
        Ok(())
    }
}

/// Modifier names, their limits and their lengths in seconds
/// (SQLite's `aXformType`; the limits are C `float`s).
const XFORMS: [(&str, f32, f64); 6] = [
    ("second", 4.6427e+14, 1.0),
    ("minute", 7.7379e+12, 60.0),
    ("hour", 1.2897e+11, 3600.0),
    ("day", 5373485.0, 86400.0),
    ("month", 176546.0, 2592000.0),
    ("year", 14713.0, 31536000.0),
];

/// Outcome of a modifier: `Ok(true)` applied, `Ok(false)` not understood
/// (the function returns NULL), `Err` an error message.
pub(crate) type ModResult = Result<bool, String>;

/// Applies modifier `z` (the `idx`-th argument after the time value).
pub(crate) fn apply_modifier(
    p: &mut DateTime,
    z: &[u8],
    idx: usize,
    env: &mut dyn FuncEnv,
) -> ModResult {
    match z.first().map(u8::to_ascii_lowercase) {
        Some(b'a') if eq_ic(z, "auto") => Ok(idx <= 1 && modifier_auto(p)),
        Some(b'j') if eq_ic(z, "julianday") => {
            if idx > 1 || !(p.valid_jd && p.raw_s) {
                return Ok(false);
            }
            p.raw_s = false;
            Ok(true)
        }
        Some(b'l') if eq_ic(z, "localtime") => {
            p.shift_to_localtime(env)?;
            Ok(true)
        }
        Some(b'u') if eq_ic(z, "unixepoch") && p.raw_s => {
            if idx > 1 {
                return Ok(false);
            }
            let r = p.s * 1000.0 + 210866760000000.0;
            if !(0.0..464269060800000.0).contains(&r) {
                return Ok(false);
            }
            p.clear_ymd_hms_tz();
            p.ijd = (r + 0.5) as i64;
            p.valid_jd = true;
            p.raw_s = false;
            Ok(true)
        }
        Some(b'u') if eq_ic(z, "utc") => {
            p.shift_to_utc(env)?;
            Ok(true)
        }
        Some(b'w') => Ok(modifier_weekday(p, z)),
        Some(b's') => Ok(modifier_start_of(p, z)),
        Some(b'+' | b'-' | b'0'..=b'9') => Ok(modifier_amount(p, z)),
        _ => Ok(false),
    }
}

fn modifier_auto(p: &mut DateTime) -> bool {
    if !p.raw_s || p.valid_jd {
        p.raw_s = false;
        return true;
    }
    if p.s >= -210866760000.0 && p.s <= 253402300799.0 {
        let r = p.s * 1000.0 + 210866760000000.0;
        p.clear_ymd_hms_tz();
        p.ijd = (r + 0.5) as i64;
        p.valid_jd = true;
        p.raw_s = false;
        return true;
    }
    false
}

fn modifier_weekday(p: &mut DateTime, z: &[u8]) -> bool {
    if z.len() < 8 || !eq_ic(&z[..8], "weekday ") {
        return false;
    }
    let Some(r) = atof_strict(&z[8..]) else {
        return false;
    };
    let n = r as i32;
    if f64::from(n) != r || n < 0 || r >= 7.0 {
        return false;
    }
    p.compute_ymd_hms();
    p.valid_tz = false;
    p.valid_jd = false;
    p.compute_jd();
    let mut wd = ((p.ijd + 129600000) / 86400000) % 7;
    if wd > i64::from(n) {
        wd -= 7;
    }
    p.ijd += (i64::from(n) - wd) * 86400000;
    p.clear_ymd_hms_tz();
    true
}

fn modifier_start_of(p: &mut DateTime, z: &[u8]) -> bool {
    if z.len() < 9 || !eq_ic(&z[..9], "start of ") {
        return false;
    }
    if !p.valid_jd && !p.valid_ymd && !p.valid_hms {
        return false;
    }
    let unit = &z[9..];
    p.compute_ymd();
    p.valid_hms = true;
    p.h = 0;
    p.mi = 0;
    p.s = 0.0;
    p.raw_s = false;
    p.valid_tz = false;
    p.valid_jd = false;
    if eq_ic(unit, "month") {
        p.d = 1;
        true
    } else if eq_ic(unit, "year") {
        p.m = 1;
        p.d = 1;
        true
    } else {
        eq_ic(unit, "day")
    }
}

/// `+HH:MM[:SS.FFF]` or `NNN unit[s]`.
fn modifier_amount(p: &mut DateTime, z: &[u8]) -> bool {
    let mut n = 1;
    while n < z.len() && z[n] != b':' && !is_space(z[n]) {
        n += 1;
    }
    let Some(r) = atof_strict(&z[..n]) else {
        return false;
    };
    if at(z, n) == b':' {
        let z2 = if z[0].is_ascii_digit() { z } else { &z[1..] };
        let mut tx = DateTime::default();
        if tx.parse_hms(z2) {
            return false;
        }
        tx.compute_jd();
        tx.ijd -= 43200000;
        let day = tx.ijd / 86400000;
        tx.ijd -= day * 86400000;
        if z[0] == b'-' {
            tx.ijd = -tx.ijd;
        }
        p.compute_jd();
        p.clear_ymd_hms_tz();
        p.ijd += tx.ijd;
        return true;
    }
    let mut i = n;
    while is_space(at(z, i)) {
        i += 1;
    }
    let mut unit = &z[i.min(z.len())..];
    if unit.len() > 10 || unit.len() < 3 {
        return false;
    }
    if unit.last().is_some_and(|c| c.eq_ignore_ascii_case(&b's')) {
        unit = &unit[..unit.len() - 1];
    }
    p.compute_jd();
    let mut applied = false;
    let rounder = if r < 0.0 { -0.5 } else { 0.5 };
    for (k, &(name, limit, xform)) in XFORMS.iter().enumerate() {
        let limit = f64::from(limit);
        if !(eq_ic(unit, name) && r > -limit && r < limit) {
            continue;
        }
        let mut r = r;
        if k == 4 {
            p.compute_ymd_hms();
            p.m += r as i32;
            let x = if p.m > 0 {
                (p.m - 1) / 12
            } else {
                (p.m - 12) / 12
            };
            p.y += x;
            p.m -= x * 12;
            p.valid_jd = false;
            r -= f64::from(r as i32);
        } else if k == 5 {
            p.compute_ymd_hms();
            p.y += r as i32;
            p.valid_jd = false;
            r -= f64::from(r as i32);
        }
        p.compute_jd();
        p.ijd += (r * 1000.0 * xform + rounder) as i64;
        applied = true;
        break;
    }
    p.clear_ymd_hms_tz();
    applied
}
