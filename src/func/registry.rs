//! The function registry: lookup by name and argument count.
//!
//! SQLite counterpart: `sqlite3FindFunction`, `sqlite3RegisterBuiltinFunctions`
//! (callback.c, func.c) and the `FuncDefHash`.
//!
//! Invariants:
//! 1. Names compare ASCII case-insensitively.
//! 2. `find(name, n)` prefers a definition with exactly `n` arguments over a
//!    variadic (`-1`) one, as SQLite's `matchQuality` does; that is how
//!    `max(x)` (aggregate) and `max(x, y)` (scalar) coexist.
//! 3. `register` replaces a definition with the same name and arity.

use std::collections::HashMap;

use super::context::{AggregateFactory, FuncDef, FuncFlags, FuncKind, ScalarFn};
use super::{aggregate, build_info, core, date, math, pattern, text};

/// All functions known to a connection.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    by_name: HashMap<String, Vec<FuncDef>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The registry with every built-in function of SQLite 3.40.1 that loom
    /// implements.
    pub fn builtins() -> Registry {
        let mut r = Registry::new();
        for (name, n, flags, f) in scalar_table() {
            r.register(FuncDef {
                name: name.to_string(),
                n_args: n,
                flags,
                kind: FuncKind::Scalar(f),
            });
        }
        for (name, n, flags, f) in aggregate::TABLE {
            r.register(FuncDef {
                name: name.to_string(),
                n_args: *n,
                flags: *flags,
                kind: FuncKind::Aggregate(*f as AggregateFactory),
            });
        }
        // MATCH outside a full-text query and the FTS auxiliary functions.
        for (name, n, f) in crate::fts3::FUNCTIONS {
            r.register(FuncDef {
                name: name.to_string(),
                n_args: n,
                flags: DET,
                kind: FuncKind::Scalar(f),
            });
        }
        super::json::register(&mut r);
        for n in [0, 1] {
            r.register(FuncDef {
                name: "coalesce".to_string(),
                n_args: n,
                flags: FuncFlags::default(),
                kind: FuncKind::WrongArgCount,
            });
        }
        r
    }

    /// Adds or replaces a definition.
    pub fn register(&mut self, def: FuncDef) {
        let list = self
            .by_name
            .entry(def.name.to_ascii_lowercase())
            .or_default();
        list.retain(|d| d.n_args != def.n_args);
        list.push(def);
    }

    /// Removes the definition with this name and arity; true if one existed.
    pub fn unregister(&mut self, name: &str, n_args: i32) -> bool {
        let Some(list) = self.by_name.get_mut(&name.to_ascii_lowercase()) else {
            return false;
        };
        let before = list.len();
        list.retain(|d| d.n_args != n_args);
        before != list.len()
    }

    /// The definition to call for `name(...)` with `n_args` arguments.
    pub fn find(&self, name: &str, n_args: usize) -> Option<&FuncDef> {
        let list = self.by_name.get(&name.to_ascii_lowercase())?;
        let exact = list
            .iter()
            .find(|d| usize::try_from(d.n_args).is_ok_and(|n| n == n_args));
        exact.or_else(|| list.iter().find(|d| d.n_args < 0))
    }

    /// True when some definition has this name (any arity): the resolver's
    /// "wrong number of arguments" versus "no such function" distinction.
    pub fn has_name(&self, name: &str) -> bool {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .is_some_and(|l| !l.is_empty())
    }
}

/// Flag presets.
pub(crate) const DET: FuncFlags = FuncFlags {
    deterministic: true,
    innocuous: true,
    slow_change: false,
    needs_collation: false,
    inline: false,
    minmax: false,
    count: false,
    length_arg: false,
    typeof_arg: false,
    window: false,
    direct_only: false,
};
const NONDET: FuncFlags = FuncFlags {
    deterministic: false,
    ..DET
};
const NEEDCOLL: FuncFlags = FuncFlags {
    needs_collation: true,
    ..DET
};
const INLINE: FuncFlags = FuncFlags {
    inline: true,
    ..DET
};
const DATE: FuncFlags = FuncFlags {
    deterministic: false,
    slow_change: true,
    ..DET
};

type Entry = (&'static str, i32, FuncFlags, ScalarFn);

fn scalar_table() -> Vec<Entry> {
    let mut t: Vec<Entry> = vec![
        ("abs", 1, DET, core::abs),
        ("coalesce", -1, INLINE, core::coalesce),
        ("ifnull", 2, INLINE, core::coalesce),
        ("iif", 3, INLINE, core::iif),
        ("likely", 1, INLINE, core::first_arg),
        ("unlikely", 1, INLINE, core::first_arg),
        ("likelihood", 2, INLINE, core::first_arg),
        ("nullif", 2, NEEDCOLL, core::nullif),
        ("max", -1, NEEDCOLL, core::max_scalar),
        ("min", -1, NEEDCOLL, core::min_scalar),
        (
            "typeof",
            1,
            FuncFlags {
                typeof_arg: true,
                ..DET
            },
            core::type_of,
        ),
        ("quote", 1, DET, core::quote),
        ("hex", 1, DET, core::hex),
        ("round", 1, DET, core::round),
        ("round", 2, DET, core::round),
        ("random", 0, NONDET, core::random),
        ("randomblob", 1, NONDET, core::randomblob),
        ("zeroblob", 1, DET, core::zeroblob),
        ("changes", 0, NONDET, core::changes),
        ("total_changes", 0, NONDET, core::total_changes),
        ("last_insert_rowid", 0, NONDET, core::last_insert_rowid),
        ("sqlite_version", 0, DET, core::sqlite_version),
        ("sqlite_source_id", 0, DET, core::sqlite_source_id),
        ("printf", -1, DET, core::printf),
        ("format", -1, DET, core::printf),
        (
            "length",
            1,
            FuncFlags {
                length_arg: true,
                ..DET
            },
            text::length,
        ),
        ("lower", 1, DET, text::lower),
        ("upper", 1, DET, text::upper),
        ("ltrim", 1, DET, text::ltrim),
        ("ltrim", 2, DET, text::ltrim),
        ("rtrim", 1, DET, text::rtrim),
        ("rtrim", 2, DET, text::rtrim),
        ("trim", 1, DET, text::trim),
        ("trim", 2, DET, text::trim),
        ("substr", 2, DET, text::substr),
        ("substr", 3, DET, text::substr),
        ("substring", 2, DET, text::substr),
        ("substring", 3, DET, text::substr),
        ("replace", 3, DET, text::replace),
        ("instr", 2, DET, text::instr),
        ("char", -1, DET, text::char),
        ("unicode", 1, DET, text::unicode),
        ("like", 2, DET, pattern::like),
        ("like", 3, DET, pattern::like),
        ("glob", 2, DET, pattern::glob),
        (
            "sqlite_compileoption_used",
            1,
            DATE,
            build_info::compileoption_used,
        ),
        (
            "sqlite_compileoption_get",
            1,
            DATE,
            build_info::compileoption_get,
        ),
        ("soundex", 1, DET, build_info::soundex),
        ("load_extension", 1, NONDET, build_info::load_extension),
        ("load_extension", 2, NONDET, build_info::load_extension),
    ];
    t.extend(math::TABLE.iter().copied());
    t.extend(date::TABLE.iter().map(|&(n, a, f)| (n, a, DATE, f)));
    t
}
