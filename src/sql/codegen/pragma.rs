//! PRAGMA statements.
//!
//! SQLite counterpart: pragma.c (`sqlite3Pragma`) and the pragma table of
//! pragma.h.
//!
//! Invariants:
//! 1. An unknown PRAGMA is a silent no-op, as in SQLite.
//! 2. A known PRAGMA loom cannot honour (e.g. turning recursive_triggers ON) is
//!    an error naming it, never a silent acceptance; settings that are
//!    already in force (turning OFF what loom never does) are accepted.
//! 3. Result column names are SQLite's.

use std::sync::Arc;

use super::Gen;
use crate::record::Value;
use crate::sql::ast::Pragma;
use crate::sql::schema::Table;
use crate::vdbe::{ColumnInfo, Insn, PragmaOp};

/// PRAGMAs SQLite knows that loom does not implement yet.
const UNSUPPORTED: &[&str] = &[
    "busy_timeout",
    "cell_size_check",
    "data_version",
    "function_list",
    "hard_heap_limit",
    "ignore_check_constraints",
    "journal_size_limit",
    "legacy_alter_table",
    "pragma_list",
    "soft_heap_limit",
    "threads",
    "trusted_schema",
    "writable_schema",
];

/// PRAGMAs whose only value loom supports is "off"; reading them gives 0.
const OFF_ONLY: &[&str] = &[
    "recursive_triggers",
    "case_sensitive_like",
    "read_uncommitted",
    "query_only",
    "reverse_unordered_selects",
    "secure_delete",
    "automatic_index",
    "checkpoint_fullfsync",
    "fullfsync",
    "cache_spill",
];

/// The argument of a PRAGMA, unquoted.
fn arg(p: &Pragma) -> Option<String> {
    let v = p.value.as_deref()?.trim();
    let v = v
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(v);
    let v = v
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v);
    Some(v.to_string())
}

/// SQLite's boolean reading of a PRAGMA argument (`sqlite3GetBoolean`).
fn boolean(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "on" | "true" | "yes" => Some(true),
        "0" | "off" | "false" | "no" => Some(false),
        other => other.parse::<i64>().ok().map(|n| n != 0),
    }
}

fn int_arg(v: &str) -> i64 {
    match crate::record::text_to_numeric(v.as_bytes()).0 {
        Value::Integer(i) => i,
        Value::Real(r) => r as i64,
        _ => 0,
    }
}

impl Gen<'_> {
    pub(super) fn pragma(&mut self, p: &Pragma) -> Result<(), String> {
        if p.name
            .schema
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("main"))
        {
            return Err("PRAGMA on attached or temp schemas is not supported by loom yet".into());
        }
        let name = p.name.name.to_ascii_lowercase();
        let value = arg(p);
        let meta = match name.as_str() {
            "user_version" => Some(6),
            "schema_version" => Some(1),
            "application_id" => Some(8),
            _ => None,
        };
        if let Some(idx) = meta {
            return self.pragma_meta(&name, idx, value.as_deref());
        }
        if let Some(op) = self.pager_pragma(&name, value.as_deref())? {
            return self.run_pager_pragma(&name, op);
        }
        match name.as_str() {
            "table_info" | "table_xinfo" => self.pragma_table_info(&name, value.as_deref()),
            "index_list" => self.pragma_index_list(value.as_deref()),
            "index_info" => self.pragma_index_info(value.as_deref()),
            "index_xinfo" => self.pragma_index_xinfo(value.as_deref()),
            "database_list" => {
                let env = self.env;
                let rows = (env.db_names.iter().zip(env.db_files).enumerate())
                    .filter(|(i, _)| *i != 1 || env.temp_open)
                    .map(|(i, (n, f))| {
                        // The file name's bytes, UTF-8 or not (as C shows them).
                        use std::os::unix::ffi::OsStrExt;
                        let f = Value::Text(f.as_os_str().as_bytes().to_vec());
                        vec![Value::Integer(i as i64), text(n), f]
                    })
                    .collect();
                self.rows(&["seq", "name", "file"], rows)
            }
            "table_list" => self.pragma_table_list(),
            // No virtual-table modules exist in loom yet: an empty list.
            "module_list" => self.rows(&["name"], Vec::new()),
            "collation_list" => {
                let rows = self
                    .env
                    .collations
                    .iter()
                    .rev()
                    .enumerate()
                    .map(|(i, c)| vec![Value::Integer(i as i64), text(c.name())])
                    .collect();
                self.rows(&["seq", "name"], rows)
            }
            "temp_store" | "mmap_size" => match value {
                Some(_) if name == "mmap_size" => {
                    self.rows(&["mmap_size"], vec![vec![Value::Integer(0)]])
                }
                Some(_) => Ok(()),
                None => self.rows(&[name.as_str()], vec![vec![Value::Integer(0)]]),
            },
            "compile_options" => {
                let rows = crate::func::COMPILE_OPTIONS
                    .iter()
                    .map(|o| vec![text(o)])
                    .collect();
                self.rows(&["compile_options"], rows)
            }
            // ANALYZE always scans whole indexes: only the unlimited
            // setting (0) exists; SQLite ignores negative values.
            "analysis_limit" => match value.as_deref().map(int_arg) {
                Some(n) if n > 0 => {
                    Err("PRAGMA analysis_limit = N is not supported by loom yet".into())
                }
                _ => self.rows(&[name.as_str()], vec![vec![Value::Integer(0)]]),
            },
            // SQLite's optimize analyzes tables this connection queried that
            // need it; loom keeps no such usage record, so it does nothing.
            "optimize" | "shrink_memory" => Ok(()),
            "foreign_keys" | "defer_foreign_keys" => {
                let set = value.as_deref().map(|v| boolean(v).unwrap_or(false));
                self.pragma_fk_flag(&name, set)
            }
            "foreign_key_list" => self.pragma_fk_list(value.as_deref()),
            "foreign_key_check" => self.pragma_fk_check(value.as_deref()),
            n if OFF_ONLY.contains(&n) => match value.as_deref().map(boolean) {
                Some(Some(true)) | Some(None) => {
                    Err(format!("PRAGMA {n} = ON is not supported by loom yet"))
                }
                Some(Some(false)) => Ok(()),
                None => self.rows(&[n], vec![vec![Value::Integer(0)]]),
            },
            n if UNSUPPORTED.contains(&n) => {
                Err(format!("PRAGMA {n} is not supported by loom yet"))
            }
            _ => Ok(()),
        }
    }

    /// The pager/b-tree PRAGMAs the VM runs with `Insn::Pragma`.
    fn pager_pragma(&self, name: &str, value: Option<&str>) -> Result<Option<PragmaOp>, String> {
        Ok(Some(match name {
            "page_size" => PragmaOp::PageSize(value.map(int_arg)),
            "page_count" => PragmaOp::PageCount,
            "freelist_count" => PragmaOp::FreelistCount,
            "journal_mode" => PragmaOp::JournalMode(value.map(str::to_ascii_lowercase)),
            "wal_checkpoint" => PragmaOp::WalCheckpoint(value.map(str::to_ascii_lowercase)),
            "wal_autocheckpoint" => PragmaOp::WalAutocheckpoint(value.map(int_arg)),
            "cache_size" | "default_cache_size" => PragmaOp::CacheSize(value.map(int_arg)),
            "max_page_count" => PragmaOp::MaxPageCount(value.map(int_arg)),
            "auto_vacuum" => {
                PragmaOp::AutoVacuum(value.map(|v| match v.to_ascii_lowercase().as_str() {
                    "none" => 0,
                    "full" => 1,
                    "incremental" => 2,
                    other => match int_arg(other) {
                        n @ 0..=2 => n,
                        _ => 0,
                    },
                }))
            }
            "encoding" => match value {
                Some(v) if crate::record::TextEncoding::parse(v).is_none() => {
                    return Err(format!("unsupported encoding: {v}"))
                }
                v => PragmaOp::Encoding(v.map(str::to_string)),
            },
            "incremental_vacuum" => PragmaOp::IncrementalVacuum(value.map_or(0, int_arg)),
            "locking_mode" => PragmaOp::LockingMode(value.map(str::to_ascii_lowercase)),
            "synchronous" => {
                PragmaOp::Synchronous(value.map(|v| match v.to_ascii_lowercase().as_str() {
                    "off" => 0,
                    "normal" => 1,
                    "full" => 2,
                    "extra" => 3,
                    other => other.parse().unwrap_or(2),
                }))
            }
            "integrity_check" | "quick_check" => {
                let max = value.map_or(100, |v| int_arg(v).max(1) as usize);
                let mut roots = vec![1];
                for t in self.main_schema().tables() {
                    roots.push(t.root);
                    roots.extend(t.indexes.iter().map(|i| i.root).filter(|&r| r != t.root));
                }
                PragmaOp::IntegrityCheck {
                    roots,
                    max_errors: max,
                }
            }
            _ => return Ok(None),
        }))
    }

    fn run_pager_pragma(&mut self, name: &str, op: PragmaOp) -> Result<(), String> {
        let setting = matches!(
            &op,
            PragmaOp::PageSize(Some(_))
                | PragmaOp::CacheSize(Some(_))
                | PragmaOp::Synchronous(Some(_))
                | PragmaOp::AutoVacuum(Some(_))
                | PragmaOp::IncrementalVacuum(_)
                | PragmaOp::Encoding(Some(_))
        );
        let write = matches!(
            &op,
            PragmaOp::AutoVacuum(Some(1 | 2)) | PragmaOp::IncrementalVacuum(_)
        );
        self.use_db(write);
        let names: &[&str] = if matches!(op, PragmaOp::WalCheckpoint(_)) {
            &["busy", "log", "checkpointed"]
        } else {
            &[name]
        };
        let dest = self.b.alloc_regs(names.len());
        self.b.emit(Insn::Pragma { db: 0, op, dest });
        if !setting {
            self.b.columns = (names.iter())
                .map(|n| ColumnInfo {
                    name: n.to_string(),
                    ..ColumnInfo::default()
                })
                .collect();
            self.pragma_row(dest, names.len());
        }
        Ok(())
    }

    /// Sends one result row to the PRAGMA's destination.
    pub(super) fn pragma_row(&mut self, start: crate::vdbe::Reg, count: usize) {
        let dest = self.pragma_dest.clone();
        self.emit_row(&dest, start, count);
    }

    /// Emits constant result rows under the given column names.
    pub(super) fn rows(&mut self, names: &[&str], rows: Vec<Vec<Value>>) -> Result<(), String> {
        self.b.columns = names
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                ..ColumnInfo::default()
            })
            .collect();
        for row in rows {
            let start = self.b.alloc_regs(row.len());
            for (i, v) in row.into_iter().enumerate() {
                let dest = start + i;
                self.b.emit(match v {
                    Value::Null => Insn::Null { dest, count: 1 },
                    Value::Integer(value) => Insn::Integer { value, dest },
                    Value::Real(value) => Insn::Real { value, dest },
                    Value::Text(t) => Insn::String8 {
                        value: Arc::from(t.as_slice()),
                        dest,
                    },
                    Value::Blob(t) => Insn::Blob {
                        value: Arc::from(t.as_slice()),
                        dest,
                    },
                });
            }
            self.pragma_row(start, names.len());
        }
        Ok(())
    }

    /// PRAGMA user_version / schema_version / application_id.
    fn pragma_meta(&mut self, name: &str, idx: usize, value: Option<&str>) -> Result<(), String> {
        match value {
            Some(v) => {
                self.use_db(true);
                self.b.emit(Insn::SetCookie {
                    db: 0,
                    idx,
                    value: int_arg(v),
                });
                if idx == 1 {
                    self.b.emit(Insn::ParseSchema { db: 0 });
                }
            }
            None => {
                self.use_db(false);
                let dest = self.b.alloc_reg();
                self.b.emit(Insn::ReadCookie { db: 0, dest, idx });
                self.pragma_row(dest, 1);
                self.b.columns = vec![ColumnInfo {
                    name: name.to_string(),
                    ..ColumnInfo::default()
                }];
            }
        }
        Ok(())
    }

    /// PRAGMA table_info(t) / table_xinfo(t).
    fn pragma_table_info(&mut self, name: &str, value: Option<&str>) -> Result<(), String> {
        let mut names = vec!["cid", "name", "type", "notnull", "dflt_value", "pk"];
        if name == "table_xinfo" {
            names.push("hidden");
        }
        let Some(t) = value.and_then(|v| self.main_schema().table(v)) else {
            return self.rows(&names, Vec::new());
        };
        let pk_cols = primary_key_columns(&t);
        let xinfo = name == "table_xinfo";
        let rows = t
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| xinfo || c.generated.is_none())
            .enumerate()
            .map(|(cid, (i, c))| {
                let dflt = c.default.as_ref().map_or(Value::Null, |d| {
                    text(t.source.get(d.span.0..d.span.1).unwrap_or(""))
                });
                let pk = pk_cols
                    .iter()
                    .position(|&p| p == i)
                    .map_or(0, |p| p as i64 + 1);
                let mut row = vec![
                    Value::Integer(cid as i64),
                    text(&c.name),
                    text(c.decltype.as_deref().unwrap_or("")),
                    Value::Integer(i64::from(c.notnull)),
                    dflt,
                    Value::Integer(pk),
                ];
                if xinfo {
                    let hidden = c.generated.as_ref().map_or(0, |g| 2 + i64::from(g.stored));
                    row.push(Value::Integer(hidden));
                }
                row
            })
            .collect();
        self.rows(&names, rows)
    }

    fn pragma_index_list(&mut self, value: Option<&str>) -> Result<(), String> {
        let names = ["seq", "name", "unique", "origin", "partial"];
        let Some(t) = value.and_then(|v| self.main_schema().table(v)) else {
            return self.rows(&names, Vec::new());
        };
        let rows = t
            .indexes
            .iter()
            .rev()
            .enumerate()
            .map(|(i, ix)| {
                let origin = if ix.is_primary_key {
                    "pk"
                } else if ix.auto {
                    "u"
                } else {
                    "c"
                };
                vec![
                    Value::Integer(i as i64),
                    text(&ix.name),
                    Value::Integer(i64::from(ix.unique)),
                    text(origin),
                    Value::Integer(i64::from(ix.partial.is_some())),
                ]
            })
            .collect();
        self.rows(&names, rows)
    }

    fn pragma_index_info(&mut self, value: Option<&str>) -> Result<(), String> {
        let names = ["seqno", "cid", "name"];
        let Some((t, ix)) = value.and_then(|v| self.main_schema().index(v)) else {
            return self.rows(&names, Vec::new());
        };
        let rows = ix
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| match c.column {
                Some(ci) => vec![
                    Value::Integer(i as i64),
                    Value::Integer(ci as i64),
                    text(&t.columns[ci].name),
                ],
                None => vec![Value::Integer(i as i64), Value::Integer(-2), Value::Null],
            })
            .collect();
        self.rows(&names, rows)
    }

    fn pragma_table_list(&mut self) -> Result<(), String> {
        let names = ["schema", "name", "type", "ncol", "wr", "strict"];
        let env = self.env;
        // Every database in index order, or the one the PRAGMA names.
        let dbs: Vec<(usize, &crate::sql::Schema)> = match env.routed_db {
            Some(d) => vec![(d, self.main_schema())],
            None => (env.schemas.iter().enumerate())
                .filter(|(i, _)| *i != 1 || env.temp_open)
                .map(|(i, s)| (i, &**s))
                .collect(),
        };
        let mut rows: Vec<Vec<Value>> = Vec::new();
        for (i, schema) in dbs {
            let db = env.db_names.get(i).map_or("main", String::as_str);
            rows.extend(schema.tables().iter().map(|t| {
                vec![
                    text(db),
                    text(&t.name),
                    text("table"),
                    Value::Integer(t.columns.len() as i64),
                    Value::Integer(i64::from(t.without_rowid)),
                    Value::Integer(i64::from(t.strict)),
                ]
            }));
            let master = if i == 1 {
                "sqlite_temp_schema"
            } else {
                "sqlite_schema"
            };
            rows.push(vec![
                text(db),
                text(master),
                text("table"),
                Value::Integer(5),
                Value::Integer(0),
                Value::Integer(0),
            ]);
        }
        self.rows(&names, rows)
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// The PRIMARY KEY columns of a table, in key order.
fn primary_key_columns(t: &Table) -> Vec<usize> {
    match t.ipk {
        Some(c) => vec![c],
        None => t
            .indexes
            .iter()
            .find(|i| i.is_primary_key)
            .map(|i| i.columns.iter().filter_map(|c| c.column).collect())
            .unwrap_or_default(),
    }
}
