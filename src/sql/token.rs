//! Token kinds and the keyword table of SQLite's SQL dialect.
//!
//! SQLite counterpart: the `TK_*` codes of parse.y, `keywordhash.h` (built by
//! mkkeywordhash.c) and the `%fallback ID` list of parse.y.
//!
//! Invariants:
//! 1. Keyword recognition is ASCII case-insensitive and only applies to bare
//!    words: a quoted word (`"select"`, `[from]`) is always [`TokenKind::Id`].
//! 2. [`Keyword::falls_back_to_id`] is true exactly for the keywords that
//!    SQLite's grammar lets stand for an identifier when the keyword has no
//!    meaning at that point of the grammar.
//! 3. A [`Token`]'s span is a half-open byte range `[start, end)` of the SQL
//!    text it was read from.
//! 4. Keyword lookup neither allocates nor upper-cases a copy of the word:
//!    it hashes the first and last bytes (case-folded) and the length into
//!    a compile-time table, then compares case-insensitively.

/// Open-addressing table of keyword numbers + 1 (0 = empty slot).
static KW_SLOTS: [u8; 512] = kw_slots();

/// The hash [`Keyword::lookup`] starts probing at.
const fn kw_hash(first: u8, last: u8, len: usize) -> usize {
    let a = first.to_ascii_uppercase() as usize;
    let b = last.to_ascii_uppercase() as usize;
    (a * 31 + b * 7 + len * 3) % 512
}

const fn kw_slots() -> [u8; 512] {
    let mut t = [0u8; 512];
    let mut i = 0;
    while i < Keyword::ALL.len() {
        let w = Keyword::ALL[i].text().as_bytes();
        let mut h = kw_hash(w[0], w[w.len() - 1], w.len());
        while t[h] != 0 {
            h = (h + 1) % 512;
        }
        t[h] = (i + 1) as u8;
        i += 1;
    }
    t
}

/// One token: what it is and where it is in the SQL text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token's kind.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
}

/// The kind of a token, SQLite's `TK_*` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An identifier: bare word, `"quoted"`, `[bracketed]` or `` `backticked` ``.
    Id,
    /// A `'string'` literal.
    String,
    /// A decimal or `0x` hexadecimal integer literal.
    Integer,
    /// A real literal such as `1.5`, `.5`, `1e10`.
    Float,
    /// A blob literal `X'ABCD'`.
    Blob,
    /// A parameter: `?`, `?NNN`, `:name`, `@name`, `$name`, `#name`.
    Variable,
    /// A keyword.
    Keyword(Keyword),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `;`
    Semi,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Rem,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `~`
    BitNot,
    /// `||`
    Concat,
    /// `->` or `->>`
    Ptr,
    /// Whitespace or a comment.
    Space,
    /// Text that is no token: reported as `unrecognized token`.
    Illegal,
}

macro_rules! keywords {
    ($($name:ident = $text:literal,)*) => {
        /// A SQL keyword (lang_keywords.html lists them all).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Keyword { $(#[doc = $text] $name,)* }

        impl Keyword {
            /// The keyword's canonical upper-case spelling.
            pub const fn text(self) -> &'static str {
                match self { $(Keyword::$name => $text,)* }
            }

            /// Every keyword, in alphabetical order.
            pub const ALL: &'static [Keyword] = &[$(Keyword::$name,)*];
        }
    };
}

keywords! {
    Abort = "ABORT", Action = "ACTION", Add = "ADD", After = "AFTER", All = "ALL",
    Alter = "ALTER", Always = "ALWAYS", Analyze = "ANALYZE", And = "AND", As = "AS",
    Asc = "ASC", Attach = "ATTACH", Autoincrement = "AUTOINCREMENT", Before = "BEFORE",
    Begin = "BEGIN", Between = "BETWEEN", By = "BY", Cascade = "CASCADE", Case = "CASE",
    Cast = "CAST", Check = "CHECK", Collate = "COLLATE", Column = "COLUMN",
    Commit = "COMMIT", Conflict = "CONFLICT", Constraint = "CONSTRAINT",
    Create = "CREATE", Cross = "CROSS", Current = "CURRENT", CurrentDate = "CURRENT_DATE",
    CurrentTime = "CURRENT_TIME", CurrentTimestamp = "CURRENT_TIMESTAMP",
    Database = "DATABASE", Default = "DEFAULT", Deferrable = "DEFERRABLE",
    Deferred = "DEFERRED", Delete = "DELETE", Desc = "DESC", Detach = "DETACH",
    Distinct = "DISTINCT", Do = "DO", Drop = "DROP", Each = "EACH", Else = "ELSE",
    End = "END", Escape = "ESCAPE", Except = "EXCEPT", Exclude = "EXCLUDE",
    Exclusive = "EXCLUSIVE", Exists = "EXISTS", Explain = "EXPLAIN", Fail = "FAIL",
    Filter = "FILTER", First = "FIRST", Following = "FOLLOWING", For = "FOR",
    Foreign = "FOREIGN", From = "FROM", Full = "FULL", Generated = "GENERATED",
    Glob = "GLOB", Group = "GROUP", Groups = "GROUPS", Having = "HAVING", If = "IF",
    Ignore = "IGNORE", Immediate = "IMMEDIATE", In = "IN", Index = "INDEX",
    Indexed = "INDEXED", Initially = "INITIALLY", Inner = "INNER", Insert = "INSERT",
    Instead = "INSTEAD", Intersect = "INTERSECT", Into = "INTO", Is = "IS",
    Isnull = "ISNULL", Join = "JOIN", Key = "KEY", Last = "LAST", Left = "LEFT",
    Like = "LIKE", Limit = "LIMIT", Match = "MATCH", Materialized = "MATERIALIZED",
    Natural = "NATURAL", No = "NO", Not = "NOT", Nothing = "NOTHING", Notnull = "NOTNULL",
    Null = "NULL", Nulls = "NULLS", Of = "OF", Offset = "OFFSET", On = "ON", Or = "OR",
    Order = "ORDER", Others = "OTHERS", Outer = "OUTER", Over = "OVER",
    Partition = "PARTITION", Plan = "PLAN", Pragma = "PRAGMA", Preceding = "PRECEDING",
    Primary = "PRIMARY", Query = "QUERY", Raise = "RAISE", Range = "RANGE",
    Recursive = "RECURSIVE", References = "REFERENCES", Regexp = "REGEXP",
    Reindex = "REINDEX", Release = "RELEASE", Rename = "RENAME", Replace = "REPLACE",
    Restrict = "RESTRICT", Returning = "RETURNING", Right = "RIGHT",
    Rollback = "ROLLBACK", Row = "ROW", Rows = "ROWS", Savepoint = "SAVEPOINT",
    Select = "SELECT", Set = "SET", Table = "TABLE", Temp = "TEMP",
    Temporary = "TEMPORARY", Then = "THEN", Ties = "TIES", To = "TO",
    Transaction = "TRANSACTION", Trigger = "TRIGGER", Unbounded = "UNBOUNDED",
    Union = "UNION", Unique = "UNIQUE", Update = "UPDATE", Using = "USING",
    Vacuum = "VACUUM", Values = "VALUES", View = "VIEW", Virtual = "VIRTUAL",
    When = "WHEN", Where = "WHERE", Window = "WINDOW", With = "WITH", Without = "WITHOUT",
}

impl Keyword {
    /// Looks a bare word up, ignoring ASCII case.
    /// (Invariant 4: one hash of first byte, last byte and length, then
    /// linear probing in a table built at compile time.)
    pub fn lookup(word: &[u8]) -> Option<Keyword> {
        let (&first, &last) = (word.first()?, word.last()?);
        if word.len() < 2 || word.len() > 17 {
            return None;
        }
        let mut h = kw_hash(first, last, word.len());
        loop {
            let slot = KW_SLOTS.get(h).copied().unwrap_or(0);
            let k = Keyword::ALL.get(usize::from(slot).checked_sub(1)?)?;
            if k.text().as_bytes().eq_ignore_ascii_case(word) {
                return Some(*k);
            }
            h = (h + 1) % KW_SLOTS.len();
        }
    }

    /// True for SQLite's `JOIN_KW` class: CROSS FULL INNER LEFT NATURAL OUTER RIGHT.
    pub fn is_join_kw(self) -> bool {
        use Keyword::*;
        matches!(self, Cross | Full | Inner | Left | Natural | Outer | Right)
    }

    /// True for the keywords parse.y's `%fallback ID` lets act as identifiers.
    /// (WINDOW, OVER and FILTER are not listed: the tokenizer turns them into
    /// identifiers itself where they are not keywords.)
    pub fn falls_back_to_id(self) -> bool {
        use Keyword::*;
        matches!(
            self,
            Abort
                | Action
                | After
                | Analyze
                | Asc
                | Attach
                | Before
                | Begin
                | By
                | Cascade
                | Cast
                | Column
                | Conflict
                | Database
                | Deferred
                | Desc
                | Detach
                | Do
                | Each
                | End
                | Exclusive
                | Explain
                | Fail
                | For
                | Ignore
                | Immediate
                | Initially
                | Instead
                | Like
                | Glob
                | Regexp
                | Match
                | No
                | Plan
                | Query
                | Key
                | Of
                | Offset
                | Pragma
                | Raise
                | Recursive
                | Release
                | Replace
                | Restrict
                | Row
                | Rows
                | Rollback
                | Savepoint
                | Temp
                | Temporary
                | Trigger
                | Vacuum
                | View
                | Virtual
                | With
                | Without
                | Nulls
                | First
                | Last
                | Current
                | Following
                | Partition
                | Preceding
                | Range
                | Unbounded
                | Exclude
                | Groups
                | Others
                | Ties
                | Generated
                | Always
                | Materialized
                | Reindex
                | Rename
                | CurrentTime
                | CurrentDate
                | CurrentTimestamp
                | If
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_table_is_sorted_and_complete() {
        let all = Keyword::ALL;
        assert_eq!(all.len(), 147);
        for w in all.windows(2) {
            assert!(w[0].text() < w[1].text(), "{:?} {:?}", w[0], w[1]);
        }
        assert_eq!(Keyword::lookup(b"sElEcT"), Some(Keyword::Select));
        assert_eq!(
            Keyword::lookup(b"current_timestamp"),
            Some(Keyword::CurrentTimestamp)
        );
        assert_eq!(Keyword::lookup(b"rowid"), None);
        assert_eq!(Keyword::lookup(b"a"), None);
    }

    #[test]
    fn every_keyword_hashes_to_itself() {
        for &k in Keyword::ALL {
            let up = k.text();
            assert_eq!(Keyword::lookup(up.as_bytes()), Some(k), "{up}");
            let low = up.to_ascii_lowercase();
            assert_eq!(Keyword::lookup(low.as_bytes()), Some(k), "{low}");
            // One byte more or less is no keyword (unless it is another one).
            let longer = format!("{up}X");
            let got = Keyword::lookup(longer.as_bytes());
            assert!(got.is_none_or(|g| g.text() == longer), "{longer}");
            let shorter = &up[..up.len() - 1];
            let got = Keyword::lookup(shorter.as_bytes());
            assert!(got.is_none_or(|g| g.text() == shorter), "{shorter}");
        }
        for w in [
            "", "t0", "id", "integer", "text1", "b", "x\u{e9}", "selectt", "tabl",
        ] {
            let want = Keyword::ALL
                .iter()
                .copied()
                .find(|k| k.text().eq_ignore_ascii_case(w));
            assert_eq!(Keyword::lookup(w.as_bytes()), want, "{w}");
        }
        assert_eq!(Keyword::lookup(&[0xff, 0x80]), None);
    }
}
