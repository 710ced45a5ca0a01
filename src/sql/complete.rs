//! `sqlite3_complete`: does this text end with a complete SQL statement?
//!
//! SQLite counterpart: complete.c (`sqlite3_complete`).
//!
//! The text is complete when its last token that is not whitespace or a
//! comment is a `;` that ends a statement. Semicolons inside string
//! literals, quoted identifiers and comments do not count, and inside the
//! body of `CREATE [TEMP] TRIGGER ... BEGIN ... END` a `;` only ends the
//! statement when it follows the closing `END`.
//!
//! Invariants:
//! 1. An unterminated quote, `[` identifier or `/*` comment makes the text
//!    incomplete.
//! 2. The scanner is a small state machine over coarse token classes; it
//!    never fails on any byte sequence.

use super::lexer::{is_id_char, is_space};

/// Coarse token classes the state machine reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Semi,
    Space,
    Other,
    Explain,
    Create,
    Temp,
    Trigger,
    End,
}

/// Where the scanner is within the current statement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Nothing seen yet.
    Empty,
    /// Just after a statement-ending `;` (possibly followed by whitespace).
    Start,
    /// Inside an ordinary statement.
    Normal,
    /// After a leading EXPLAIN.
    Explain,
    /// After CREATE (and maybe TEMP).
    Create,
    /// Inside a trigger definition.
    Trigger,
    /// After a `;` inside a trigger body.
    TriggerSemi,
    /// After `; END` inside a trigger body.
    TriggerEnd,
}

fn step(state: State, class: Class) -> State {
    use Class as C;
    use State as S;
    match (state, class) {
        (S::Empty | S::Start | S::Normal | S::Explain | S::Create | S::TriggerEnd, C::Semi) => {
            S::Start
        }
        (S::Trigger | S::TriggerSemi, C::Semi) => S::TriggerSemi,
        (s, C::Space) => s,
        (S::Empty | S::Start, C::Explain) => S::Explain,
        (S::Empty | S::Start | S::Explain, C::Create) => S::Create,
        (S::Explain, C::Other) => S::Explain,
        (S::Create, C::Temp) => S::Create,
        (S::Create, C::Trigger) => S::Trigger,
        (S::TriggerSemi, C::End) => S::TriggerEnd,
        (S::Trigger | S::TriggerSemi | S::TriggerEnd, _) => S::Trigger,
        _ => S::Normal,
    }
}

/// Returns true if `sql` ends with a complete SQL statement
/// (`sqlite3_complete` semantics). The text ends at its first NUL byte.
pub fn complete(sql: &[u8]) -> bool {
    let end = sql.iter().position(|&b| b == 0).unwrap_or(sql.len());
    let z = sql.get(..end).unwrap_or(&[]);
    let mut state = State::Empty;
    let mut i = 0;
    while i < z.len() {
        let Some((class, n)) = classify(z, i) else {
            return false;
        };
        state = step(state, class);
        i += n.max(1);
    }
    state == State::Start
}

/// Classifies the token at `z[i]`; `None` if it is unterminated.
fn classify(z: &[u8], i: usize) -> Option<(Class, usize)> {
    let rest = z.get(i..)?;
    let c = *rest.first()?;
    let at = |k: usize| rest.get(k).copied().unwrap_or(0);
    match c {
        b';' => Some((Class::Semi, 1)),
        _ if is_space(c) => Some((Class::Space, 1)),
        b'/' if at(1) == b'*' => {
            let close = rest.windows(2).skip(2).position(|w| w == b"*/")?;
            Some((Class::Space, close + 4))
        }
        b'-' if at(1) == b'-' => {
            let n = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| p + 1);
            Some((Class::Space, n))
        }
        b'[' => {
            let close = rest.iter().position(|&b| b == b']')?;
            Some((Class::Other, close + 1))
        }
        b'`' | b'"' | b'\'' => {
            let close = rest.iter().skip(1).position(|&b| b == c)?;
            Some((Class::Other, close + 2))
        }
        _ if is_id_char(c) => {
            let n = rest.iter().take_while(|&&b| is_id_char(b)).count();
            Some((word_class(rest.get(..n)?), n))
        }
        _ => Some((Class::Other, 1)),
    }
}

fn word_class(word: &[u8]) -> Class {
    let is = |k: &str| word.eq_ignore_ascii_case(k.as_bytes());
    if is("create") {
        Class::Create
    } else if is("trigger") {
        Class::Trigger
    } else if is("temp") || is("temporary") {
        Class::Temp
    } else if is("end") {
        Class::End
    } else if is("explain") {
        Class::Explain
    } else {
        Class::Other
    }
}

#[cfg(test)]
mod tests {
    use super::complete;

    #[test]
    fn basic_statements() {
        for (sql, want) in [
            ("", false),
            (";", true),
            ("select 1", false),
            ("select 1;", true),
            ("select 1; ", true),
            ("select 1; -- c", true),
            ("select 1; /* c */", true),
            ("select 1; /* c", false),
            ("select ';'", false),
            ("select ';';", true),
            ("select \"a;\";", true),
            ("select [a;", false),
            ("select 1 -- ;", false),
            ("select 1; select 2", false),
            ("explain select 1;", true),
        ] {
            assert_eq!(complete(sql.as_bytes()), want, "{sql:?}");
        }
    }

    #[test]
    fn triggers() {
        let body = "create trigger t after insert on x begin select 1; select 2;";
        assert!(!complete(body.as_bytes()));
        assert!(!complete(format!("{body} end").as_bytes()));
        assert!(complete(format!("{body} end;").as_bytes()));
        assert!(complete(format!("{body} END ;  ").as_bytes()));
        assert!(!complete(
            b"create temp trigger t before delete on x begin delete from y; end"
        ));
        assert!(complete(
            b"CREATE TEMPORARY TRIGGER t before delete on x begin delete from y; end;"
        ));
        // A table named "trigger" is not a trigger definition.
        assert!(complete(b"create table trigger(a);"));
        assert!(complete(b"create table x(trigger);"));
        assert!(complete(
            b"explain create trigger t after insert on x begin select 1; end;"
        ));
    }
}
