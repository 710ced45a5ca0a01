//! Deterministic random SQL for the differential test.
//!
//! SQLite counterpart: none; it plays the role of SQLite's fuzzers
//! (sqlsmith-like generators) on a deliberately small, well-typed grammar.
//!
//! Invariants:
//! 1. Everything derives from one `u64` seed through [`Rng`] (splitmix64),
//!    so a seed reproduces a run exactly.
//! 2. Generated statements are deterministic in SQLite: no random(), no
//!    clock, and every query either orders by all its output columns (when
//!    LIMIT/OFFSET makes order matter) or is compared as a multiset of rows.
//! 3. Column references are always qualified with their table name, so a
//!    statement never depends on name-resolution ambiguity.
//! 4. Order-dependent aggregates under GROUP BY (group_concat) are wrapped
//!    in length(), which does not depend on the order of the rows.

/// splitmix64: small, fast, good enough for test-case generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < pct as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A generated table: name, declared column types, column constraints.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// Column names `c0..`.
    pub cols: Vec<String>,
    /// True when `c0` is an INTEGER PRIMARY KEY.
    pub ipk: bool,
}

const DECL_TYPES: &[&str] = &[
    "INTEGER",
    "REAL",
    "TEXT",
    "BLOB",
    "NUMERIC",
    "",
    "INT",
    "VARCHAR(10)",
    "FLOAT",
    "BOOLEAN",
];

const INT_LITS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "7",
    "10",
    "-25",
    "100",
    "1000000",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "0x10",
];
const REAL_LITS: &[&str] = &[
    "0.5", "1.0", "-2.5", "1e10", "3.14159", "0.1", "-0.0", "1e300", "2.5e-3", "100.0",
];
const TEXT_LITS: &[&str] = &[
    "'a'",
    "'abc'",
    "'ABC'",
    "''",
    "'12'",
    "'3.5'",
    "' 7 '",
    "'1e2'",
    "'x%y'",
    "'0x10'",
    "'hello world'",
    "'-4'",
    "'a_c'",
    "'Abc'",
    "'9223372036854775808'",
];
const BLOB_LITS: &[&str] = &["x''", "x'00'", "x'4142'", "x'ff00'", "x'31'"];
const PATTERNS: &[&str] = &[
    "'a%'", "'%b%'", "'_b_'", "'%'", "''", "'A%'", "'1%'", "'%c'", "'x\\%y'",
];
const GLOBS: &[&str] = &[
    "'a*'", "'*b*'", "'?b?'", "'*'", "'[a-c]*'", "'A*'", "'1*'", "'*[0-9]'",
];
const CAST_TYPES: &[&str] = &["INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "INT", "FLOAT"];
const BIN_OPS: &[&str] = &[
    "+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "==", "!=", "AND", "OR", "IS",
    "IS NOT", "&", "|", "<<", ">>",
];

/// Which optional constructs the generator may use; each flag exists so a
/// known loom bug or missing feature can be switched off with a reason.
#[derive(Debug, Clone)]
pub struct Features {
    pub collate: bool,
    /// `count(DISTINCT x)` and friends (known bug 4 when off).
    pub distinct_agg: bool,
    pub like_escape: bool,
    /// WHERE/ON conjuncts without a column reference (known bug 1 when
    /// off: each WHERE is then wrapped so no AND-term is constant).
    pub const_where_terms: bool,
    /// GROUP BY keys that are integer literals, i.e. column ordinals
    /// (known bug 2 when off).
    pub group_by_ordinal: bool,
    /// LIMIT 0 on aggregate queries (known bug 3 when off).
    pub limit_zero_aggregate: bool,
    /// BLOB literals and data (known bugs 6 and 7 when off).
    pub blobs: bool,
    /// `x IN (list)` (known bug 8 when off).
    pub in_lists: bool,
    /// GROUP BY queries (off: group keys that compare equal but differ in
    /// type, like 0 and 0.0, make the shown key depend on the row order).
    pub group_by: bool,
    /// DELETE/UPDATE statements.
    pub modify: bool,
    /// `x BETWEEN a AND b` (known bug 9 when off).
    pub between: bool,
    /// `abs(-9223372036854775808)` written as a constant (C SQLite's
    /// constant folding of AND/OR decides whether it is ever evaluated).
    pub abs_min_constant: bool,
    /// `replace(X, ...)` with any X (off: X is cast to TEXT, avoiding the
    /// known bug of a number returned by replace() with an empty pattern).
    pub replace_numeric: bool,
}

impl Features {
    /// Everything on: what loom should eventually pass.
    pub fn all() -> Features {
        Features {
            collate: true,
            distinct_agg: true,
            like_escape: true,
            const_where_terms: true,
            group_by_ordinal: true,
            limit_zero_aggregate: true,
            blobs: true,
            in_lists: true,
            group_by: true,
            modify: true,
            between: true,
            abs_min_constant: true,
            replace_numeric: true,
        }
    }
}

/// The SQL generator: an RNG plus the current schema.
pub struct Gen {
    pub rng: Rng,
    pub tables: Vec<Table>,
    pub features: Features,
}

impl Gen {
    pub fn new(seed: u64, features: Features) -> Gen {
        Gen {
            rng: Rng::new(seed),
            tables: Vec::new(),
            features,
        }
    }

    /// A literal of any type (NULL included).
    pub fn literal(&mut self) -> String {
        match self.rng.below(10) {
            0 => "NULL".into(),
            1..=3 => self.rng.pick(INT_LITS).to_string(),
            4 | 5 => self.rng.pick(REAL_LITS).to_string(),
            6..=8 => self.rng.pick(TEXT_LITS).to_string(),
            _ => self.blob_or_text(),
        }
    }

    /// A BLOB literal, or a text one when blobs are off.
    fn blob_or_text(&mut self) -> String {
        if self.features.blobs {
            self.rng.pick(BLOB_LITS).to_string()
        } else {
            self.rng.pick(TEXT_LITS).to_string()
        }
    }

    /// A small value for table data (small ints dominate, to make duplicates).
    fn data_value(&mut self) -> String {
        match self.rng.below(12) {
            0..=4 => (self.rng.below(7) as i64 - 2).to_string(),
            5 => self.literal(),
            6 => "NULL".into(),
            7 => self.rng.pick(REAL_LITS).to_string(),
            8 | 9 => self.rng.pick(TEXT_LITS).to_string(),
            10 => self.blob_or_text(),
            _ => self.rng.pick(INT_LITS).to_string(),
        }
    }

    /// `CREATE TABLE` for table number `i`; records it in the schema.
    pub fn create_table(&mut self, i: usize) -> String {
        let name = format!("t{i}");
        let ncols = 2 + self.rng.below(4);
        let ipk = self.rng.chance(25);
        let mut defs = Vec::new();
        let mut cols = Vec::new();
        for c in 0..ncols {
            let col = format!("c{c}");
            let mut def = if c == 0 && ipk {
                format!("{col} INTEGER PRIMARY KEY")
            } else {
                format!("{col} {}", self.rng.pick(DECL_TYPES))
            };
            if c > 0 {
                match self.rng.below(12) {
                    0 => def.push_str(" NOT NULL"),
                    1 => def.push_str(" UNIQUE"),
                    2 => def.push_str(&format!(" DEFAULT {}", self.literal())),
                    3 if self.features.collate => def.push_str(" COLLATE NOCASE"),
                    _ => {}
                }
            }
            defs.push(def.trim_end().to_string());
            cols.push(col);
        }
        self.tables.push(Table {
            name: name.clone(),
            cols,
            ipk,
        });
        format!("CREATE TABLE {name}({})", defs.join(", "))
    }

    /// An `INSERT` of 1..=6 random rows into `t` (all columns).
    pub fn insert(&mut self, t: usize) -> String {
        let table = self.tables[t].clone();
        let nrows = 1 + self.rng.below(6);
        let mut rows = Vec::new();
        for _ in 0..nrows {
            let vals: Vec<String> = (0..table.cols.len())
                .map(|c| {
                    // Never i64::MAX in an INTEGER PRIMARY KEY: the next
                    // automatic rowid would then be random.
                    if c == 0 && table.ipk && self.rng.chance(50) {
                        "NULL".into()
                    } else if c == 0 && table.ipk {
                        (self.rng.below(40) as i64 - 10).to_string()
                    } else {
                        self.data_value()
                    }
                })
                .collect();
            rows.push(format!("({})", vals.join(", ")));
        }
        let or = *self.rng.pick(&["", "", "", " OR IGNORE", " OR REPLACE"]);
        format!("INSERT{or} INTO {} VALUES {}", table.name, rows.join(", "))
    }

    /// A column reference `t.c` from the tables in `scope`.
    fn column(&mut self, scope: &[usize]) -> Option<String> {
        let t = *self.rng.pick(scope);
        let table = &self.tables[t];
        let c = self.rng.below(table.cols.len());
        Some(format!("{}.{}", table.name, table.cols[c]))
    }

    /// A leaf: a column of `scope` (if any) or a literal.
    fn leaf(&mut self, scope: &[usize]) -> String {
        if !scope.is_empty() && self.rng.chance(60) {
            if let Some(c) = self.column(scope) {
                return c;
            }
        }
        self.literal()
    }

    /// A WHERE or ON condition over `scope` (non-empty). Without
    /// `const_where_terms` it is wrapped as `coalesce(e, t.c0 AND 0)`,
    /// which has the same truth value but no constant AND-term.
    pub fn condition(&mut self, scope: &[usize], depth: u32) -> String {
        let e = self.expr(scope, depth);
        if self.features.const_where_terms {
            return e;
        }
        let t = &self.tables[scope[0]];
        format!("coalesce({e}, {}.c0 AND 0)", t.name)
    }

    /// A GROUP BY key over `scope`.
    pub fn group_key(&mut self, scope: &[usize]) -> String {
        loop {
            let k = self.expr(scope, 1);
            let bare = k.trim_matches(|c| c == '(' || c == ')' || c == '+' || c == '-');
            let ordinal = bare.parse::<i64>().is_ok() || bare.starts_with("0x");
            if self.features.group_by_ordinal || !ordinal {
                return k;
            }
        }
    }

    /// A random scalar expression over `scope` with nesting at most `depth`.
    pub fn expr(&mut self, scope: &[usize], depth: u32) -> String {
        if depth == 0 || self.rng.chance(30) {
            return self.leaf(scope);
        }
        let d = depth - 1;
        match self.rng.below(20) {
            0..=5 => {
                let op = *self.rng.pick(BIN_OPS);
                format!("({} {op} {})", self.expr(scope, d), self.expr(scope, d))
            }
            6 => {
                let op = *self.rng.pick(&["-", "+", "NOT ", "~"]);
                format!("({op}{})", self.expr(scope, d))
            }
            7 => self.case_expr(scope, d),
            8 => format!(
                "CAST({} AS {})",
                self.expr(scope, d),
                self.rng.pick(CAST_TYPES)
            ),
            9 if self.features.between => {
                let not = if self.rng.chance(30) { "NOT " } else { "" };
                format!(
                    "({} {not}BETWEEN {} AND {})",
                    self.expr(scope, d),
                    self.expr(scope, d),
                    self.expr(scope, d)
                )
            }
            10 if self.features.in_lists => self.in_list(scope, d),
            11 => self.like(scope, d),
            12 => {
                let post = *self
                    .rng
                    .pick(&["IS NULL", "IS NOT NULL", "NOTNULL", "ISNULL"]);
                format!("({} {post})", self.expr(scope, d))
            }
            13 if self.features.collate => {
                let coll = *self.rng.pick(&["NOCASE", "BINARY", "RTRIM"]);
                let op = *self.rng.pick(&["=", "<", ">", "<>"]);
                format!(
                    "({} COLLATE {coll} {op} {})",
                    self.expr(scope, d),
                    self.expr(scope, d)
                )
            }
            _ => self.function(scope, d),
        }
    }

    fn case_expr(&mut self, scope: &[usize], d: u32) -> String {
        let mut s = String::from("CASE");
        let simple = self.rng.chance(40);
        if simple {
            s.push(' ');
            s.push_str(&self.expr(scope, d));
        }
        for _ in 0..1 + self.rng.below(3) {
            let when = self.expr(scope, d);
            let then = self.expr(scope, d);
            s.push_str(&format!(" WHEN {when} THEN {then}"));
        }
        if self.rng.chance(60) {
            let e = self.expr(scope, d);
            s.push_str(&format!(" ELSE {e}"));
        }
        s.push_str(" END");
        s
    }

    fn in_list(&mut self, scope: &[usize], d: u32) -> String {
        let lhs = self.expr(scope, d);
        let n = self.rng.below(5);
        let items: Vec<String> = (0..n).map(|_| self.expr(scope, d.min(1))).collect();
        let not = if self.rng.chance(30) { "NOT " } else { "" };
        format!("({lhs} {not}IN ({}))", items.join(", "))
    }

    fn like(&mut self, scope: &[usize], d: u32) -> String {
        let lhs = self.expr(scope, d);
        let not = if self.rng.chance(25) { "NOT " } else { "" };
        if self.rng.chance(50) {
            let pat = self.rng.pick(GLOBS).to_string();
            return format!("({lhs} {not}GLOB {pat})");
        }
        let pat = if self.rng.chance(80) {
            self.rng.pick(PATTERNS).to_string()
        } else {
            self.expr(scope, d)
        };
        if self.features.like_escape && pat.contains('\\') {
            return format!("({lhs} {not}LIKE {pat} ESCAPE '\\')");
        }
        format!("({lhs} {not}LIKE {pat})")
    }

    /// A call of a scalar built-in.
    fn function(&mut self, scope: &[usize], d: u32) -> String {
        let a = |g: &mut Gen| g.expr(scope, d);
        match self.rng.below(22) {
            0 => {
                let arg = a(self);
                if !self.features.abs_min_constant
                    && arg.trim_matches(['(', ')', ' ']) == "-9223372036854775808"
                {
                    "abs(-9223372036854775807)".to_string()
                } else {
                    format!("abs({arg})")
                }
            }
            1 => format!("length({})", a(self)),
            2 => format!("substr({}, {})", a(self), self.small_int()),
            3 => format!(
                "substr({}, {}, {})",
                a(self),
                self.small_int(),
                self.small_int()
            ),
            4 => format!("upper({})", a(self)),
            5 => format!("lower({})", a(self)),
            6 => format!("coalesce({}, {}, {})", a(self), a(self), a(self)),
            7 => format!("nullif({}, {})", a(self), a(self)),
            8 => format!("ifnull({}, {})", a(self), a(self)),
            9 => format!("typeof({})", a(self)),
            10 => format!("round({})", a(self)),
            11 => format!("round({}, {})", a(self), self.small_int()),
            12 => format!("hex({})", a(self)),
            13 => format!("quote({})", a(self)),
            14 => format!("min({}, {})", a(self), a(self)),
            15 => format!("max({}, {}, {})", a(self), a(self), a(self)),
            16 => format!("instr({}, {})", a(self), a(self)),
            17 if self.features.replace_numeric => {
                format!("replace({}, {}, {})", a(self), a(self), a(self))
            }
            17 => format!(
                "replace(CAST({} AS TEXT), {}, {})",
                a(self),
                a(self),
                a(self)
            ),
            18 => format!("trim({})", a(self)),
            19 => format!(
                "{}({}, {})",
                self.rng.pick(&["ltrim", "rtrim", "trim"]),
                a(self),
                a(self)
            ),
            20 => format!("iif({}, {}, {})", a(self), a(self), a(self)),
            21 if self.features.blobs && self.rng.chance(20) => {
                format!("zeroblob({})", self.small_int())
            }
            _ => format!(
                "{}({})",
                self.rng.pick(&["unicode", "char", "likely", "unlikely"]),
                a(self)
            ),
        }
    }

    fn small_int(&mut self) -> String {
        (self.rng.below(9) as i64 - 3).to_string()
    }
}
