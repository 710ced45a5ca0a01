//! The JSON text parser: RFC 8259 text into a [`Node`] tree.
//!
//! SQLite counterpart: `jsonParse` / `jsonParseValue` (json.c, 3.40.1,
//! before JSON5 support).
//!
//! Invariants:
//! 1. The grammar is SQLite 3.40's: whitespace is space, tab, LF and CR;
//!    no leading zeros, no leading `+`, no `.5`/`5.`, no trailing commas,
//!    control characters below U+0020 are refused inside strings, `null`,
//!    `true` and `false` must not run into a letter or digit.
//! 2. Numbers and strings keep their input bytes (`raw`): rendering copies
//!    them back unchanged, so escapes and number spellings survive.
//! 3. Nesting deeper than [`MAX_DEPTH`] arrays/objects is malformed.
//! 4. The input ends at its first NUL byte, as C reads it as a C string.
//! 5. Nothing here panics on hostile input: every byte access is checked.

/// The deepest nesting of arrays and objects accepted (`JSON_MAX_DEPTH`).
pub const MAX_DEPTH: usize = 2000;

/// A member label of an object.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// Parsed from JSON text: the string literal with its quotes and escapes.
    Raw(Vec<u8>),
    /// Added by a path (`json_set('{}','$.k',..)`): plain bytes, rendered
    /// with escaping (SQLite's `JNODE_RAW` label).
    Plain(Vec<u8>),
}

impl Label {
    /// SQLite's `jsonLabelCompare`: a raw label compares its text between
    /// the quotes byte for byte (escapes are not decoded).
    pub fn matches(&self, key: &[u8]) -> bool {
        match self {
            Label::Plain(p) => p == key,
            Label::Raw(r) => r.len() == key.len() + 2 && r.get(1..r.len() - 1) == Some(key),
        }
    }
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true`.
    True,
    /// `false`.
    False,
    /// An integer literal, as written.
    Int(Vec<u8>),
    /// A literal with a fraction or exponent, as written.
    Real(Vec<u8>),
    /// A string literal with its quotes, as written; `escaped` when it
    /// contains a backslash escape.
    Str {
        /// The literal bytes including both quotes.
        raw: Vec<u8>,
        /// True when some `\` escape occurs.
        escaped: bool,
    },
    /// An array.
    Array(Vec<Node>),
    /// An object; members in input order, duplicates kept.
    Object(Vec<(Label, Node)>),
    /// Replaced by SQL argument number `n` of the function call
    /// (`JNODE_REPLACE`): json_set, json_insert, json_replace.
    Sql(usize),
}

/// One JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Deleted by json_remove / json_patch (`JNODE_REMOVE`).
    pub removed: bool,
    /// Replaced as a whole by json_patch (`JNODE_PATCH`).
    pub patched: bool,
    /// A member value json_patch appended to its object (C's append chain).
    pub appended: bool,
}

impl Node {
    /// A node with no flags.
    pub fn new(kind: Kind) -> Node {
        Node {
            kind,
            removed: false,
            patched: false,
            appended: false,
        }
    }

    /// SQLite's type name of the node (`json_type`).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null | Kind::Sql(_) => "null",
            Kind::True => "true",
            Kind::False => "false",
            Kind::Int(_) => "integer",
            Kind::Real(_) => "real",
            Kind::Str { .. } => "text",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
        }
    }
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Parses a whole JSON text; `None` when it is malformed.
pub fn parse(text: &[u8]) -> Option<Node> {
    let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
    let mut p = Parser {
        z: text.get(..end)?,
        depth: 0,
    };
    let (node, mut i) = p.value(0).ok()?;
    while p.at(i).is_some_and(is_ws) {
        i += 1;
    }
    if i < p.z.len() {
        return None;
    }
    Some(node)
}

/// Why `value` stopped without a value.
enum Stop {
    /// A `}` where a value was expected (at this offset).
    CloseBrace,
    /// A `]` where a value was expected.
    CloseBracket,
    /// Anything else: malformed.
    Bad,
}

struct Parser<'a> {
    z: &'a [u8],
    depth: usize,
}

impl Parser<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.z.get(i).copied()
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_ws) {
            i += 1;
        }
        i
    }

    /// Parses one value starting at `i` (after optional whitespace);
    /// returns it and the offset just past it.
    fn value(&mut self, i: usize) -> Result<(Node, usize), Stop> {
        let i = self.skip_ws(i);
        match self.at(i) {
            Some(b'{') => self.object(i),
            Some(b'[') => self.array(i),
            Some(b'"') => self.string(i),
            Some(b'n') => self.word(i, b"null", Kind::Null),
            Some(b't') => self.word(i, b"true", Kind::True),
            Some(b'f') => self.word(i, b"false", Kind::False),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(i),
            Some(b'}') => Err(Stop::CloseBrace),
            Some(b']') => Err(Stop::CloseBracket),
            _ => Err(Stop::Bad),
        }
    }

    fn word(&self, i: usize, w: &[u8], kind: Kind) -> Result<(Node, usize), Stop> {
        let end = i + w.len();
        if self.z.get(i..end) == Some(w) && !self.at(end).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            Ok((Node::new(kind), end))
        } else {
            Err(Stop::Bad)
        }
    }

    fn enter(&mut self) -> Result<(), Stop> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Stop::Bad)
        } else {
            Ok(())
        }
    }

    fn object(&mut self, i: usize) -> Result<(Node, usize), Stop> {
        self.enter()?;
        let mut members = Vec::new();
        let mut j = i + 1;
        loop {
            let label = match self.value(j) {
                Ok((n, next)) => {
                    j = next;
                    match n.kind {
                        Kind::Str { raw, .. } => raw,
                        _ => return Err(Stop::Bad),
                    }
                }
                Err(Stop::CloseBrace) if members.is_empty() => {
                    self.depth -= 1;
                    return Ok((Node::new(Kind::Object(members)), self.skip_ws(j) + 1));
                }
                Err(_) => return Err(Stop::Bad),
            };
            j = self.skip_ws(j);
            if self.at(j) != Some(b':') {
                return Err(Stop::Bad);
            }
            let (v, next) = self.value(j + 1).map_err(|_| Stop::Bad)?;
            members.push((Label::Raw(label), v));
            j = self.skip_ws(next);
            match self.at(j) {
                Some(b',') => j += 1,
                Some(b'}') => break,
                _ => return Err(Stop::Bad),
            }
        }
        self.depth -= 1;
        Ok((Node::new(Kind::Object(members)), j + 1))
    }

    fn array(&mut self, i: usize) -> Result<(Node, usize), Stop> {
        self.enter()?;
        let mut elems = Vec::new();
        let mut j = i + 1;
        loop {
            match self.value(j) {
                Ok((n, next)) => {
                    elems.push(n);
                    j = next;
                }
                Err(Stop::CloseBracket) if elems.is_empty() => {
                    self.depth -= 1;
                    return Ok((Node::new(Kind::Array(elems)), self.skip_ws(j) + 1));
                }
                Err(_) => return Err(Stop::Bad),
            }
            j = self.skip_ws(j);
            match self.at(j) {
                Some(b',') => j += 1,
                Some(b']') => break,
                _ => return Err(Stop::Bad),
            }
        }
        self.depth -= 1;
        Ok((Node::new(Kind::Array(elems)), j + 1))
    }

    fn string(&self, i: usize) -> Result<(Node, usize), Stop> {
        let mut j = i + 1;
        let mut escaped = false;
        loop {
            let c = self.at(j).ok_or(Stop::Bad)?;
            if c < 0x20 {
                return Err(Stop::Bad);
            }
            if c == b'\\' {
                j += 1;
                let e = self.at(j).ok_or(Stop::Bad)?;
                let ok = match e {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => true,
                    b'u' => self
                        .z
                        .get(j + 1..j + 5)
                        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                    _ => false,
                };
                if !ok {
                    return Err(Stop::Bad);
                }
                escaped = true;
            } else if c == b'"' {
                break;
            }
            j += 1;
        }
        let raw = self.z.get(i..=j).ok_or(Stop::Bad)?.to_vec();
        Ok((Node::new(Kind::Str { raw, escaped }), j + 1))
    }

    fn number(&self, i: usize) -> Result<(Node, usize), Stop> {
        let digit = |k: usize| self.at(k).is_some_and(|c| c.is_ascii_digit());
        let first = if self.at(i) == Some(b'-') { i + 1 } else { i };
        if self.at(first) == Some(b'0') && digit(first + 1) {
            return Err(Stop::Bad);
        }
        let below_zero = |k: usize| self.at(k).is_none_or(|c| c < b'0');
        let (mut seen_dp, mut seen_e) = (false, false);
        let mut j = i + 1;
        loop {
            match self.at(j) {
                Some(c) if c.is_ascii_digit() => {}
                Some(b'.') => {
                    if self.at(j - 1) == Some(b'-') || seen_dp {
                        return Err(Stop::Bad);
                    }
                    seen_dp = true;
                }
                Some(b'e' | b'E') => {
                    if below_zero(j - 1) || seen_e {
                        return Err(Stop::Bad);
                    }
                    seen_dp = true;
                    seen_e = true;
                    if matches!(self.at(j + 1), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    if !digit(j + 1) {
                        return Err(Stop::Bad);
                    }
                }
                _ => break,
            }
            j += 1;
        }
        if below_zero(j - 1) {
            return Err(Stop::Bad);
        }
        let raw = self.z.get(i..j).ok_or(Stop::Bad)?.to_vec();
        let kind = if seen_dp {
            Kind::Real(raw)
        } else {
            Kind::Int(raw)
        };
        Ok((Node::new(kind), j))
    }
}
