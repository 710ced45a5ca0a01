//! Transaction statements and PRAGMA.
//!
//! SQLite counterpart: `sqlite3BeginTransaction`, `sqlite3EndTransaction`,
//! `sqlite3Savepoint` (build.c).
//!
//! Invariants:
//! 1. Transaction-control statements are read-only in the sense of
//!    `sqlite3_stmt_readonly` (they change no content themselves).

use super::Gen;
use crate::sql::ast::TransactionKind;
use crate::vdbe::{Insn, SavepointOp};

impl Gen<'_> {
    pub(super) fn begin(&mut self, kind: TransactionKind) -> Result<(), String> {
        if kind != TransactionKind::Deferred {
            self.use_db(true);
        }
        self.txn_exclusive = kind == TransactionKind::Exclusive;
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
}
