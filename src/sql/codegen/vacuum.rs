//! VACUUM and VACUUM INTO.
//!
//! SQLite counterpart: `sqlite3Vacuum` (vacuum.c), which codes OP_Vacuum;
//! the work itself happens in the VM (see `vdbe/exec_vacuum.rs`).
//!
//! Invariants:
//! 1. Only the main schema is vacuumed; `VACUUM temp` is a no-op and any
//!    other schema name is "unknown database".
//! 2. Plain VACUUM runs in a write transaction (it overwrites the file);
//!    VACUUM INTO only reads the main database.

use super::Gen;
use crate::sql::ast::Expr;
use crate::vdbe::Insn;

impl<'a> Gen<'a> {
    pub(super) fn vacuum(
        &mut self,
        schema: Option<&str>,
        into: Option<&Expr>,
    ) -> Result<(), String> {
        let db = match schema {
            None => 0,
            Some(s) if s.eq_ignore_ascii_case("temp") && into.is_none() => return Ok(()),
            Some(s) => self
                .env
                .db_names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(s))
                .ok_or_else(|| format!("unknown database {s}"))?,
        };
        let into = match into {
            Some(e) => {
                let scope = self.base_scope();
                Some(self.expr(e, &scope)?)
            }
            None => None,
        };
        self.use_db(into.is_none());
        self.b.emit(Insn::Vacuum { db, into });
        Ok(())
    }
}
