//! SQL scripts run on loom and on the system `sqlite3` shell (the oracle);
//! their outputs must be identical.
//!
//! Each `tests/sql_compat/*.sql` script runs statement by statement on a
//! fresh file database; rows print in the shell's list mode and errors as
//! `Error: <message>`. The shell's error lines are normalized to the same
//! form (its "near line N" prefix and code suffix removed).

use std::path::{Path, PathBuf};
use std::process::Command;

use loomdb::api::{open_readwrite, StepResult, ValueRef};

fn render(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => loomdb::printf::render_real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

fn run_loom(db: &Path, sql: &str) -> Vec<String> {
    let db = open_readwrite(db.to_str().unwrap_or_default()).expect("open");
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < sql.len() {
        match db.prepare_tail(sql, offset) {
            Ok((Some(mut stmt), tail)) => {
                loop {
                    match stmt.step() {
                        Ok(StepResult::Row) => {
                            let cols: Vec<String> = (0..stmt.column_count())
                                .map(|i| render(stmt.column_value(i)))
                                .collect();
                            out.push(cols.join("|"));
                        }
                        Ok(StepResult::Done) => break,
                        Err(e) => {
                            out.push(format!("Error: {e}"));
                            break;
                        }
                    }
                }
                offset = tail;
            }
            Ok((None, _)) => break,
            Err(e) => {
                out.push(format!("Error: {e}"));
                match loomdb::sql::parse_one(sql, offset) {
                    Ok((_, tail)) if tail > offset => offset = tail,
                    _ => match sql[offset..].find(';') {
                        Some(i) => offset += i + 1,
                        None => break,
                    },
                }
            }
        }
    }
    out
}

fn run_shell(db: &Path, script: &Path) -> Vec<String> {
    let input = std::fs::File::open(script).expect("script");
    // Errors go to stderr: merge it into stdout so they stay in order.
    let out = Command::new("sh")
        .arg("-c")
        .arg("exec sqlite3 \"$0\" 2>&1")
        .arg(db)
        .stdin(input)
        .output()
        .expect("sqlite3 shell");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .filter(|l| !l.starts_with("  "))
        .map(|l| {
            for prefix in ["Runtime error near line ", "Parse error near line "] {
                if let Some(rest) = l.strip_prefix(prefix) {
                    let msg = rest.split_once(": ").map_or(rest, |x| x.1);
                    let msg = match msg.rsplit_once(" (") {
                        Some((m, code))
                            if code.ends_with(')')
                                && code[..code.len() - 1].parse::<i32>().is_ok() =>
                        {
                            m
                        }
                        _ => msg,
                    };
                    return format!("Error: {msg}");
                }
            }
            l.to_string()
        })
        .collect()
}

#[test]
fn scripts_match_sqlite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql_compat");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/sql_compat")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    scripts.sort();
    let tmp = std::env::temp_dir().join(format!("loom-sqlcompat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let (mut passed, mut failed) = (0, 0);
    for script in &scripts {
        let name = script
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let sql = std::fs::read_to_string(script).expect("read script");
        let ours = run_loom(&tmp.join(format!("{name}.loom.db")), &sql);
        let theirs = run_shell(&tmp.join(format!("{name}.c.db")), script);
        if ours == theirs {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("MISMATCH in {name}");
            for (i, (a, b)) in theirs.iter().zip(ours.iter()).enumerate() {
                if a != b {
                    eprintln!("  line {i}: sqlite={a:?} loom={b:?}");
                }
            }
            eprintln!("  lines: sqlite={} loom={}", theirs.len(), ours.len());
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} scripts differ from SQLite");
    assert!(passed >= 8, "expected the vendored scripts to run");
}
