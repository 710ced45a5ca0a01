//! A tiny SQL runner over the Rust API: `cargo run --example sql -- DB "SQL"`.
//!
//! Prints rows like the `sqlite3` shell's default list mode (`|` between
//! columns) and errors as `Error: <message>`, so outputs can be compared
//! with the shell's line by line.

use loomdb::api::{open_readwrite, StepResult, ValueRef};

fn render(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => loomdb::printf::render_real(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, sql) = match args.as_slice() {
        [_, p, s] => (p.as_str(), s.clone()),
        [_, p] => (
            p.as_str(),
            std::io::read_to_string(std::io::stdin()).unwrap_or_default(),
        ),
        _ => {
            eprintln!("usage: sql DB [SQL]");
            std::process::exit(2);
        }
    };
    let db = match open_readwrite(path) {
        Ok(db) => db,
        Err(e) => {
            println!("Error: {e}");
            std::process::exit(1);
        }
    };
    let mut offset = 0;
    while offset < sql.len() {
        match db.prepare_tail(&sql, offset) {
            Ok((Some(mut stmt), tail)) => {
                loop {
                    match stmt.step() {
                        Ok(StepResult::Row) => {
                            let cols: Vec<String> = (0..stmt.column_count())
                                .map(|i| render(stmt.column_value(i)))
                                .collect();
                            println!("{}", cols.join("|"));
                        }
                        Ok(StepResult::Done) => break,
                        Err(e) => {
                            println!("Error: {e}");
                            break;
                        }
                    }
                }
                offset = tail;
            }
            Ok((None, _)) => break,
            Err(e) => {
                println!("Error: {e}");
                // Skip to the next statement, as the shell does.
                match loomdb::sql::parse_one(&sql, offset) {
                    Ok((_, tail)) if tail > offset => offset = tail,
                    _ => match sql[offset..].find(';') {
                        Some(i) => offset += i + 1,
                        None => break,
                    },
                }
            }
        }
    }
}
