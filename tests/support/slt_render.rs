//! Rendering query results the way sqllogictest's reference driver does.
//!
//! SQLite counterpart: the result formatting of sqllogictest's C driver on
//! top of `sqlite3_column_int` / `_double` / `_text`.
//!
//! Invariants:
//! 1. NULL is `NULL` whatever the type letter.
//! 2. `I` is `sqlite3_column_int`: the 64-bit integer value truncated to 32
//!    bits; text gives its leading integer; a real is cut towards zero
//!    (saturating at the i64 range).
//! 3. `R` is `sqlite3_column_double` printed as `%.3f` with at most 16
//!    significant digits (SQLite 3.43+ rounding, which the corpus uses).
//! 4. `T` is `sqlite3_column_text`; an empty string is `(empty)` and every
//!    byte outside 0x20..=0x7E is `@`.
//! 5. Results with more values than a non-zero hash threshold become the
//!    single line `<n> values hashing to <md5>`, the md5 taken over every
//!    value followed by `\n`, after sorting.

use super::engine::Cell;
use super::md5::Md5;
use super::slt_parse::SortMode;

/// The leading integer of `bytes` (sqlite3Atoi64: spaces, sign, digits),
/// saturating on overflow.
fn leading_int(bytes: &[u8]) -> i64 {
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = match bytes.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut acc: i128 = 0;
    while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
        acc = (acc * 10 + i128::from(d - b'0')).min(i128::from(u64::MAX));
        i += 1;
    }
    let v = if neg { -acc } else { acc };
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The longest prefix of `bytes` that reads as a real number, or 0.0.
fn leading_real(bytes: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim_start();
    let mut best = 0.0;
    for end in (1..=t.len()).rev() {
        if !t.is_char_boundary(end) {
            continue;
        }
        let p = &t[..end];
        if p.ends_with(|c: char| c.is_ascii_digit() || c == '.') {
            if let Ok(v) = p.parse::<f64>() {
                best = v;
                break;
            }
        }
    }
    best
}

/// `sqlite3_column_int64` of `cell`.
fn as_i64(cell: &Cell) -> i64 {
    match cell {
        Cell::Null => 0,
        Cell::Int(i) => *i,
        Cell::Real(r) => *r as i64,
        Cell::Text(t) | Cell::Blob(t) => leading_int(t),
    }
}

/// `sqlite3_column_double` of `cell`.
fn as_f64(cell: &Cell) -> f64 {
    match cell {
        Cell::Null => 0.0,
        Cell::Int(i) => *i as f64,
        Cell::Real(r) => *r,
        Cell::Text(t) | Cell::Blob(t) => leading_real(t),
    }
}

/// `printf("%.3f", v)` keeping at most 16 significant digits.
pub fn fixed3(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let plain = format!("{v:.3}");
    let sig = plain
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|b| *b == b'0')
        .count();
    if sig <= 16 {
        return plain;
    }
    let sci = format!("{v:.15e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: usize = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let int_len = exp + 1;
    let (int_part, frac) = if int_len >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(int_len - digits.len())),
            String::new(),
        )
    } else {
        (digits[..int_len].to_string(), digits[int_len..].to_string())
    };
    let frac = format!("{frac:0<3}");
    format!("{}{int_part}.{}", if neg { "-" } else { "" }, &frac[..3])
}

/// `sqlite3_column_text` bytes of `cell`.
fn as_text(cell: &Cell) -> Vec<u8> {
    match cell {
        Cell::Null => Vec::new(),
        Cell::Int(i) => i.to_string().into_bytes(),
        Cell::Real(r) => loomdb::printf::render_real(*r).into_bytes(),
        Cell::Text(t) | Cell::Blob(t) => t.clone(),
    }
}

/// Renders one value for type letter `ty`.
pub fn render_value(cell: &Cell, ty: u8) -> String {
    if *cell == Cell::Null {
        return "NULL".into();
    }
    match ty {
        b'I' => (as_i64(cell) as i32).to_string(),
        b'R' => fixed3(as_f64(cell)),
        _ => {
            let bytes = as_text(cell);
            if bytes.is_empty() {
                return "(empty)".into();
            }
            bytes
                .iter()
                .map(|&b| {
                    if (0x20..=0x7e).contains(&b) {
                        b as char
                    } else {
                        '@'
                    }
                })
                .collect()
        }
    }
}

/// The lines a query result is compared by: the values one per line, or
/// the hash line when there are more than `threshold` values.
pub fn result_lines(
    rows: &[Vec<Cell>],
    types: &str,
    sort: SortMode,
    threshold: usize,
) -> Vec<String> {
    let ty = types.as_bytes();
    let mut rendered: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, c)| render_value(c, ty.get(i).copied().unwrap_or(b'T')))
                .collect()
        })
        .collect();
    if sort == SortMode::RowSort {
        rendered.sort();
    }
    let mut values: Vec<String> = rendered.into_iter().flatten().collect();
    if sort == SortMode::ValueSort {
        values.sort();
    }
    if threshold > 0 && values.len() > threshold {
        let mut h = Md5::default();
        for v in &values {
            h.update(v.as_bytes());
            h.update(b"\n");
        }
        return vec![format!("{} values hashing to {}", values.len(), h.hex())];
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_rules() {
        assert_eq!(render_value(&Cell::Null, b'I'), "NULL");
        assert_eq!(render_value(&Cell::Text(b"12abc".to_vec()), b'I'), "12");
        assert_eq!(render_value(&Cell::Real(-2.9), b'I'), "-2");
        assert_eq!(render_value(&Cell::Int(1 << 32 | 5), b'I'), "5");
        assert_eq!(render_value(&Cell::Int(2), b'R'), "2.000");
        assert_eq!(render_value(&Cell::Text(Vec::new()), b'T'), "(empty)");
        assert_eq!(render_value(&Cell::Text("é\tx".into()), b'T'), "@@@x");
        assert_eq!(fixed3(-9223372036854775808.0), "-9223372036854776000.000");
        assert_eq!(fixed3(1.0005), "1.000");
        assert_eq!(fixed3(123456789012.3456), "123456789012.346");
    }
}
