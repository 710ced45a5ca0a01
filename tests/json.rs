//! The JSON1 functions (`json`, `json_extract`, `->`, `->>`, `json_set`,
//! `json_patch`, `json_group_array`, ...) on loom against C SQLite 3.40.1
//! (rusqlite, the system library): value and storage class of every
//! result, or the same error code and message.
//!
//! SQLite counterpart: json1.html; json.c's behaviour is the oracle.
//!
//! Invariants:
//! 1. Every case runs on both engines, each with the same schema and data;
//!    rows compare exactly (REAL by bits, TEXT by bytes).
//! 2. The hand-written corpus covers every function, path form, error
//!    text and the JSON subtype through nesting; the generated part builds
//!    random JSON documents (nesting, escapes, numbers, whitespace, some
//!    corrupted) and random paths from a fixed seed.
//! 3. The harness prints `N passed, N failed` and fails on any failure.

#[path = "support/oracle.rs"]
mod oracle;
#[path = "support/storage.rs"]
mod storage;

use oracle::Pair;
use storage::Rng;

#[path = "support/json_cases.rs"]
mod cases;

/// Both engines after `prelude` (e.g. a PRAGMA encoding), then SETUP,
/// each statement compared.
fn pair(prelude: &[&str]) -> Pair {
    let mut p = Pair::memory();
    for s in prelude.iter().chain(cases::SETUP) {
        p.check(s);
    }
    p
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[test]
fn hand_written_corpus() {
    let mut p = pair(&[]);
    for e in cases::EXPRS {
        p.check(&format!("SELECT {e}"));
        p.check(&format!("SELECT typeof({e})"));
    }
    for s in cases::STATEMENTS {
        p.check(s);
    }
    p.finish("json corpus");
}

/// The corpus again on a UTF-16le database (text crosses the encoding,
/// window functions and U+FFFE/U+FFFF included).
#[test]
fn utf16_database() {
    let mut p = pair(&["PRAGMA encoding = 'UTF-16le'"]);
    for e in cases::EXPRS {
        p.check(&format!("SELECT {e}, typeof({e})"));
    }
    for s in cases::STATEMENTS.iter().chain(cases::EACH) {
        p.check(s);
    }
    p.finish("json utf-16");
}

#[test]
fn json_each_and_json_tree() {
    let mut p = pair(&[]);
    for s in cases::EACH {
        p.check(s);
    }
    p.finish("json_each/json_tree");
}

/// A random JSON document; `ws` sprinkles whitespace.
fn gen_json(r: &mut Rng, depth: u32, out: &mut String) {
    let ws = |r: &mut Rng, out: &mut String| {
        if r.chance(1, 6) {
            out.push_str([" ", "\n", "\t", "\r\n  "][r.below(4) as usize]);
        }
    };
    ws(r, out);
    let pick = if depth > 4 { r.below(6) } else { r.below(9) };
    match pick {
        0 => out.push_str(["null", "true", "false"][r.below(3) as usize]),
        1 | 2 => out.push_str(gen_number(r).as_str()),
        3..=5 => out.push_str(&gen_string(r)),
        6 | 7 => {
            out.push('[');
            let n = r.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                gen_json(r, depth + 1, out);
            }
            ws(r, out);
            out.push(']');
        }
        _ => {
            out.push('{');
            let n = r.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                ws(r, out);
                out.push_str(&gen_key(r));
                ws(r, out);
                out.push(':');
                gen_json(r, depth + 1, out);
            }
            ws(r, out);
            out.push('}');
        }
    }
    ws(r, out);
}

fn gen_key(r: &mut Rng) -> String {
    match r.below(8) {
        0 => gen_string(r),
        k => format!(
            "\"{}\"",
            ["a", "b", "c", "a b", "x.y", "k1", "é"][k as usize - 1]
        ),
    }
}

fn gen_number(r: &mut Rng) -> String {
    let forms = [
        "0",
        "-0",
        "1",
        "-1",
        "42",
        "0.5",
        "-0.25",
        "1e3",
        "1E-3",
        "2.5e+10",
        "1e400",
        "-1e400",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "3.14159265358979323846",
        "1.0",
        "100",
        "0.000001",
        "5e-324",
    ];
    if r.chance(1, 3) {
        format!("{}", r.next() as i64 >> r.below(60))
    } else {
        forms[r.below(forms.len() as u64) as usize].to_string()
    }
}

fn gen_string(r: &mut Rng) -> String {
    let parts = [
        "a",
        "b",
        "xyz",
        " ",
        "\\\"",
        "\\\\",
        "\\/",
        "\\b",
        "\\f",
        "\\n",
        "\\r",
        "\\t",
        "\\u0041",
        "\\u00e9",
        "\\u20AC",
        "\\ud83d\\ude00",
        "\\uD834\\uDD1E",
        "\\ud800",
        "\\udc00x",
        "é",
        "日本",
        "😀",
        "'",
        "$",
        ".",
        "[",
        "]",
    ];
    let mut s = String::from("\"");
    for _ in 0..r.below(4) {
        s.push_str(parts[r.below(parts.len() as u64) as usize]);
    }
    s.push('"');
    s
}

fn gen_path(r: &mut Rng) -> String {
    let mut p = String::from("$");
    for _ in 0..r.below(4) {
        match r.below(10) {
            0..=3 => p.push_str(&format!(".{}", ["a", "b", "c", "k1"][r.below(4) as usize])),
            4 => p.push_str(&format!(
                ".\"{}\"",
                ["a b", "x.y", "é", "a"][r.below(4) as usize]
            )),
            5..=7 => p.push_str(&format!("[{}]", r.below(5))),
            8 => p.push_str(["[#]", "[#-1]", "[#-2]", "[#-9]"][r.below(4) as usize]),
            _ => p.push_str(["[", ".", "x", "[-1]", "[#+1]", "[1"][r.below(6) as usize]),
        }
    }
    p
}

fn corrupt(r: &mut Rng, s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    if b.is_empty() {
        return s.to_string();
    }
    let i = r.below(b.len() as u64) as usize;
    match r.below(3) {
        0 => {
            b.remove(i);
        }
        1 => b.insert(i, b",]}:\"x0-."[r.below(9) as usize]),
        _ => b.truncate(i),
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn gen_value(r: &mut Rng) -> String {
    match r.below(8) {
        0 => "NULL".into(),
        1 => format!("{}", r.next() as i64 >> 40),
        2 => "1.5e300".into(),
        3 => "'te\"xt\\n'".into(),
        4 => "json('[1,{\"z\":2}]')".into(),
        5 => "json_object('q',1)".into(),
        6 => "-0.0".into(),
        _ => "'{\"not\":\"json\"}'".into(),
    }
}

#[test]
fn random_documents() {
    let mut p = pair(&[]);
    let mut r = Rng::new(0x4a53_4f4e);
    for _ in 0..700 {
        let mut doc = String::new();
        gen_json(&mut r, 0, &mut doc);
        if r.chance(1, 8) {
            doc = corrupt(&mut r, &doc);
        }
        let d = quote(&doc);
        let (p1, p2) = (quote(&gen_path(&mut r)), quote(&gen_path(&mut r)));
        let mut other = String::new();
        gen_json(&mut r, 2, &mut other);
        let o = quote(&other);
        let (v1, v2) = (gen_value(&mut r), gen_value(&mut r));
        let exprs = [
            format!("json({d})"),
            format!("json_valid({d})"),
            format!("json_type({d})"),
            format!("json_type({d}, {p1})"),
            format!("json_extract({d}, {p1})"),
            format!("json_extract({d}, {p1}, {p2})"),
            format!("{d} -> {p1}"),
            format!("{d} ->> {p2}"),
            format!("json_array_length({d}, {p1})"),
            format!("json_set({d}, {p1}, {v1}, {p2}, {v2})"),
            format!("json_insert({d}, {p1}, {v1})"),
            format!("json_replace({d}, {p1}, {v1}, {p2}, {v2})"),
            format!("json_remove({d}, {p1}, {p2})"),
            format!("json_patch({d}, {o})"),
            format!("json_quote({d})"),
            format!("json_array({d}, json({o}))"),
        ];
        for e in &exprs {
            p.check(&format!("SELECT {e}, typeof({e})"));
        }
    }
    p.finish("json random");
}
