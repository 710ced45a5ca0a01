//! Transaction statements and PRAGMA.
//!
//! SQLite counterpart: `sqlite3BeginTransaction`, `sqlite3EndTransaction`,
//! `sqlite3Savepoint` (build.c) and pragma.c.
//!
//! Invariants:
//! 1. Transaction-control statements are read-only in the sense of
//!    `sqlite3_stmt_readonly` (they change no content themselves).
//! 2. An unknown PRAGMA is silently a no-op, as in SQLite; a known one
//!    loom does not implement is an error naming it.

use std::sync::Arc;

use super::Gen;
use crate::sql::ast::{Pragma, TransactionKind};
use crate::vdbe::{ColumnInfo, Insn, SavepointOp};

/// PRAGMAs SQLite knows that loom does not implement yet.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "analysis_limit",
    "auto_vacuum",
    "automatic_index",
    "busy_timeout",
    "cache_size",
    "cache_spill",
    "case_sensitive_like",
    "cell_size_check",
    "checkpoint_fullfsync",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "defer_foreign_keys",
    "encoding",
    "foreign_key_check",
    "foreign_key_list",
    "foreign_keys",
    "freelist_count",
    "fullfsync",
    "function_list",
    "hard_heap_limit",
    "ignore_check_constraints",
    "incremental_vacuum",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "journal_mode",
    "journal_size_limit",
    "legacy_alter_table",
    "locking_mode",
    "max_page_count",
    "mmap_size",
    "module_list",
    "optimize",
    "page_count",
    "page_size",
    "pragma_list",
    "query_only",
    "quick_check",
    "read_uncommitted",
    "recursive_triggers",
    "reverse_unordered_selects",
    "secure_delete",
    "shrink_memory",
    "soft_heap_limit",
    "synchronous",
    "table_list",
    "table_xinfo",
    "temp_store",
    "threads",
    "trusted_schema",
    "wal_autocheckpoint",
    "wal_checkpoint",
    "writable_schema",
];

impl Gen<'_> {
    pub(super) fn begin(&mut self, kind: TransactionKind) -> Result<(), String> {
        if kind != TransactionKind::Deferred {
            self.use_db(true);
        }
        self.b.emit(Insn::AutoCommit {
            autocommit: false,
            rollback: false,
        });
        self.b.readonly = true;
        Ok(())
    }

    pub(super) fn commit(&mut self) -> Result<(), String> {
        self.b.emit(Insn::AutoCommit {
            autocommit: true,
            rollback: false,
        });
        Ok(())
    }

    pub(super) fn rollback(&mut self, savepoint: Option<&str>) -> Result<(), String> {
        match savepoint {
            Some(name) => self.savepoint(SavepointOp::Rollback, name),
            None => {
                self.b.emit(Insn::AutoCommit {
                    autocommit: true,
                    rollback: true,
                });
                Ok(())
            }
        }
    }

    pub(super) fn savepoint(&mut self, op: SavepointOp, name: &str) -> Result<(), String> {
        self.b.emit(Insn::Savepoint {
            op,
            name: name.to_string(),
        });
        Ok(())
    }

    pub(super) fn pragma(&mut self, p: &Pragma) -> Result<(), String> {
        let name = p.name.name.to_ascii_lowercase();
        let meta = match name.as_str() {
            "user_version" => Some(6),
            "schema_version" => Some(1),
            "application_id" => Some(8),
            _ => None,
        };
        if let Some(idx) = meta {
            return self.pragma_meta(&name, idx, p.value.as_deref());
        }
        match name.as_str() {
            "table_info" => self.pragma_table_info(p.value.as_deref()),
            n if KNOWN_UNSUPPORTED.contains(&n) => {
                Err(format!("PRAGMA {n} is not supported by loom yet"))
            }
            _ => Ok(()),
        }
    }

    /// PRAGMA user_version / schema_version / application_id.
    fn pragma_meta(&mut self, name: &str, idx: usize, value: Option<&str>) -> Result<(), String> {
        match value {
            Some(v) => {
                let value = parse_pragma_int(v);
                self.use_db(true);
                self.b.emit(Insn::SetCookie { db: 0, idx, value });
                if idx == 1 {
                    self.b.emit(Insn::ParseSchema { db: 0 });
                }
            }
            None => {
                self.use_db(false);
                let dest = self.b.alloc_reg();
                self.b.emit(Insn::ReadCookie { db: 0, dest, idx });
                self.b.emit(Insn::ResultRow {
                    start: dest,
                    count: 1,
                });
                self.b.columns = vec![ColumnInfo {
                    name: name.to_string(),
                    ..ColumnInfo::default()
                }];
            }
        }
        Ok(())
    }

    /// PRAGMA table_info(t): cid, name, type, notnull, dflt_value, pk.
    fn pragma_table_info(&mut self, value: Option<&str>) -> Result<(), String> {
        let names = ["cid", "name", "type", "notnull", "dflt_value", "pk"];
        self.b.columns = names
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                ..ColumnInfo::default()
            })
            .collect();
        let Some(t) = value.and_then(|v| {
            self.main_schema()
                .table(v.trim_matches(|c| c == '\'' || c == '"'))
        }) else {
            return Ok(());
        };
        let pk_cols: Vec<usize> = match t.ipk {
            Some(c) => vec![c],
            None => t
                .indexes
                .iter()
                .find(|i| i.is_primary_key)
                .map(|i| i.columns.iter().filter_map(|c| c.column).collect())
                .unwrap_or_default(),
        };
        for (i, c) in t.columns.iter().enumerate() {
            let start = self.b.alloc_regs(6);
            let text = |s: &str| Arc::from(s.as_bytes());
            self.b.emit(Insn::Integer {
                value: i as i64,
                dest: start,
            });
            self.b.emit(Insn::String8 {
                value: text(&c.name),
                dest: start + 1,
            });
            self.b.emit(Insn::String8 {
                value: text(c.decltype.as_deref().unwrap_or("")),
                dest: start + 2,
            });
            self.b.emit(Insn::Integer {
                value: i64::from(c.notnull),
                dest: start + 3,
            });
            match &c.default {
                Some(d) => {
                    let s = t.source.get(d.span.0..d.span.1).unwrap_or("").to_string();
                    self.b.emit(Insn::String8 {
                        value: text(&s),
                        dest: start + 4,
                    })
                }
                None => self.b.emit(Insn::Null {
                    dest: start + 4,
                    count: 1,
                }),
            };
            let pk = pk_cols
                .iter()
                .position(|&p| p == i)
                .map_or(0, |p| p as i64 + 1);
            self.b.emit(Insn::Integer {
                value: pk,
                dest: start + 5,
            });
            self.b.emit(Insn::ResultRow { start, count: 6 });
        }
        Ok(())
    }
}

/// SQLite's `sqlite3Atoi`-style reading of a PRAGMA argument.
fn parse_pragma_int(v: &str) -> i64 {
    let v = v.trim().trim_matches(|c| c == '\'' || c == '"');
    match crate::record::text_to_numeric(v.as_bytes()).0 {
        crate::record::Value::Integer(i) => i,
        crate::record::Value::Real(r) => r as i64,
        _ => 0,
    }
}
