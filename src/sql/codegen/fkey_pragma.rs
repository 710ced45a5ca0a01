//! The foreign key PRAGMAs: foreign_keys, defer_foreign_keys,
//! foreign_key_list(t) and foreign_key_check[(t)].
//!
//! SQLite counterpart: the PragTyp_FLAG entries for SQLITE_ForeignKeys and
//! SQLITE_DeferFKs, and PragTyp_FOREIGN_KEY_LIST / PragTyp_FOREIGN_KEY_CHECK
//! of pragma.c; pragma.html.
//!
//! Invariants:
//! 1. Setting foreign_keys inside a transaction does nothing; changing it
//!    expires prepared statements (they are compiled with or without the
//!    checks), see vdbe/exec_fkey.rs.
//! 2. foreign_key_list lists constraints newest first (id 0 = the last
//!    declared), one row per column.
//! 3. foreign_key_check reports, per child row in rowid order and per
//!    constraint in id order, the rows whose parent key is missing (every
//!    row with a non-NULL key when the parent table does not exist).

use super::fkey::col_reg;
use super::Gen;
use crate::record::Value;
use crate::sql::ast::FkAction;
use crate::sql::schema::Table;
use crate::vdbe::{ColumnInfo, Insn, PragmaOp, RootPage};

fn action_name(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "NO ACTION",
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

impl Gen<'_> {
    /// PRAGMA foreign_keys / defer_foreign_keys [= bool].
    pub(super) fn pragma_fk_flag(&mut self, name: &str, set: Option<bool>) -> Result<(), String> {
        let op = if name == "foreign_keys" {
            PragmaOp::ForeignKeys(set)
        } else {
            PragmaOp::DeferForeignKeys(set)
        };
        let dest = self.b.alloc_reg();
        self.b.emit(Insn::Pragma { db: 0, op, dest });
        if set.is_none() {
            self.b.columns = vec![ColumnInfo {
                name: name.to_string(),
                ..ColumnInfo::default()
            }];
            self.pragma_row(dest, 1);
        }
        Ok(())
    }

    /// PRAGMA foreign_key_list(t).
    pub(super) fn pragma_fk_list(&mut self, value: Option<&str>) -> Result<(), String> {
        let names = [
            "id",
            "seq",
            "table",
            "from",
            "to",
            "on_update",
            "on_delete",
            "match",
        ];
        let Some(t) = value.and_then(|v| self.main_schema().table(v)) else {
            return Ok(());
        };
        let mut rows = Vec::new();
        for (id, fk) in t.fkeys.iter().enumerate() {
            for (seq, &c) in fk.from.iter().enumerate() {
                rows.push(vec![
                    Value::Integer(id as i64),
                    Value::Integer(seq as i64),
                    text(&fk.table),
                    text(t.columns.get(c).map_or("", |c| c.name.as_str())),
                    fk.to.get(seq).map_or(Value::Null, |s| text(s)),
                    text(action_name(fk.on_update)),
                    text(action_name(fk.on_delete)),
                    text("NONE"),
                ]);
            }
        }
        self.rows(&names, rows)
    }

    /// PRAGMA foreign_key_check[(t)].
    pub(super) fn pragma_fk_check(&mut self, value: Option<&str>) -> Result<(), String> {
        let tables: Vec<std::sync::Arc<Table>> = match value {
            Some(v) => vec![self
                .main_schema()
                .table(v)
                .ok_or_else(|| format!("no such table: {v}"))?],
            None => self.main_schema().tables(),
        };
        self.b.columns = ["table", "rowid", "parent", "fkid"]
            .iter()
            .map(|n| ColumnInfo {
                name: n.to_string(),
                ..ColumnInfo::default()
            })
            .collect();
        self.use_db(false);
        for t in tables {
            if !t.fkeys.is_empty() {
                self.fk_check_table(&t)?;
            }
        }
        Ok(())
    }

    /// Reports the rows of `t` with a missing parent.
    fn fk_check_table(&mut self, t: &std::sync::Arc<Table>) -> Result<(), String> {
        let mut keys = Vec::new();
        for fk in &t.fkeys {
            keys.push(self.fk_locate(t, fk)?);
        }
        let cursor = self.b.alloc_cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: 0,
            root: RootPage::Page(t.root),
            n_cols: t.columns.len(),
            key_info: self.table_key_info(t)?,
        });
        self.mark_table_cursor(t, cursor);
        let done = self.b.new_label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: done.addr(),
        });
        let top = self.b.here();
        let n = t.columns.len();
        let regs = self.b.alloc_regs(n);
        let rowid = self.b.alloc_reg();
        self.b.emit(Insn::Rowid {
            cursor,
            dest: rowid,
        });
        for c in 0..n {
            self.table_column(t, cursor, c, regs + c);
        }
        let row = ((0..n).map(|c| regs + c).collect::<Vec<_>>(), rowid);
        for (id, (fk, pk)) in t.fkeys.iter().zip(keys).enumerate() {
            let out = self.b.alloc_regs(4);
            let report = self.b.new_label();
            let ok = self.b.new_label();
            match pk {
                Some(pk) => {
                    self.fk_probe_parent(t, fk, &pk, &row, ok.addr(), report.addr())?;
                }
                None => {
                    for &c in &fk.from {
                        let reg = col_reg(t, &row, c);
                        self.b.emit(Insn::IsNull {
                            reg,
                            target: ok.addr(),
                        });
                    }
                }
            }
            self.b.resolve(report);
            self.b.emit(Insn::String8 {
                value: std::sync::Arc::from(t.name.as_bytes()),
                dest: out,
            });
            self.b.emit(Insn::SCopy {
                src: rowid,
                dest: out + 1,
            });
            self.b.emit(Insn::String8 {
                value: std::sync::Arc::from(fk.table.as_bytes()),
                dest: out + 2,
            });
            self.b.emit(Insn::Integer {
                value: id as i64,
                dest: out + 3,
            });
            self.pragma_row(out, 4);
            self.b.resolve(ok);
        }
        self.b.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.b.resolve(done);
        Ok(())
    }
}
