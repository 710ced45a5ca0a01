//! REAL-to-text rendering with SQLite's `"%!.15g"` rules.
//!
//! SQLite counterpart: the `etGENERIC` branch of `sqlite3_str_vappendf` in
//! printf.c, with the alternate-form-2 (`!`) flag, as used by
//! `sqlite3VdbeMemStringify`.
//!
//! Invariants:
//! 1. This is the general float conversion of the engine with the spec
//!    `%!.15g` filled in directly (no format parsing), so the two can never
//!    disagree.
//! 2. The output always parses back as a REAL in SQL: it contains a `.` or
//!    is `Inf`/`-Inf`/`NaN`.

use super::float::{render_float, FloatKind, FloatSpec};

/// The spec of `%!.15g`.
const REAL_SPEC: FloatSpec = FloatSpec {
    kind: FloatKind::Generic,
    exp_char: b'e',
    precision: 15,
    width: 0,
    flag_prefix: None,
    alt: false,
    alt2: true,
    zeropad: false,
    left: false,
};

/// Renders `v` as SQLite renders a REAL as TEXT.
pub fn render_real(v: f64) -> String {
    let bytes = render_float(&REAL_SPEC, v);
    // The float conversion emits ASCII only.
    bytes.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::render_real;

    #[test]
    fn matches_sqlite_3_40_1() {
        // Expected texts read from the system sqlite3 3.40.1 shell.
        let cases: &[(f64, &str)] = &[
            (-0.0, "0.0"),
            (1e15, "1.0e+15"),
            (1e14, "100000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-05"),
            (123456789012345678.0, "1.23456789012346e+17"),
            (1e100, "1.0e+100"),
            (1e-100, "1.0e-100"),
            (f64::INFINITY, "Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (0.1 + 0.2, "0.3"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.333333333333333"),
            (4.9e-324, "4.94065645841247e-324"),
            (100.0, "100.0"),
            (-12.75, "-12.75"),
        ];
        for &(v, want) in cases {
            assert_eq!(render_real(v), want, "rendering {v:e}");
        }
    }
}
