//! Window-function opcodes: buffer the rows of a windowed query, compute
//! the window functions over them, and hand the rows back one at a time.
//!
//! SQLite counterpart: the ephemeral-table buffering of window.c
//! (`sqlite3WindowCodeInit`, `sqlite3WindowCodeStep`); loom keeps the
//! buffer in memory and runs the evaluator of window.rs instead of
//! generated frame-walking bytecode.
//!
//! Program shape (see codegen/window.rs):
//! `WinOpen c` · loop { `WinAppend c, row` } · `WinCompute c, spec` ·
//! loop { `WinRow c → record` ; read it through a pseudo cursor }.
//!
//! Invariants:
//! 1. A buffer lives in `Vdbe::windows[c]` from `WinOpen` until the VM is
//!    reset; `WinOpen` on an open buffer empties it.
//! 2. Every buffered row is `spec.width` values wide once `WinCompute` ran;
//!    result slots are NULL until their pass writes them.
//! 3. Buffered rows hold text as UTF-8 (like registers); `WinRow` builds
//!    its record with text in the database encoding, as every record is,
//!    because the pseudo cursor reading it decodes from that encoding.
//! 4. BINARY comparisons (PARTITION BY, ORDER BY, min/max) order text as
//!    the database stores it: `memcmp` of its UTF-16 bytes on a UTF-16
//!    database ([`binary_in`]).

use std::sync::Arc;

use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::exec_func::VmFuncEnv;
use super::insn::{Addr, CursorId, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use super::window::{run_pass, WinSpec};
use crate::func::{FuncContext, FuncKind};
use crate::record::{
    binary_in, encode_record, value_to_encoding, Collation, TextEncoding, Value, ValueRef,
};

/// The rows of one windowed query.
#[derive(Debug, Default)]
pub struct WinBuffer {
    rows: Vec<Vec<Value>>,
    /// Next row `WinRow` returns.
    pos: usize,
}

impl Vdbe {
    fn win_buf(&mut self, c: CursorId) -> Result<&mut WinBuffer, VdbeError> {
        self.windows
            .get_mut(c)
            .and_then(Option::as_mut)
            .ok_or_else(|| internal("window buffer not open"))
    }

    pub(crate) fn op_win_open(&mut self, c: CursorId) -> Result<Flow, VdbeError> {
        if self.windows.len() <= c {
            self.windows.resize_with(c + 1, || None);
        }
        self.windows[c] = Some(WinBuffer::default());
        Ok(Flow::Next)
    }

    pub(crate) fn op_win_append(
        &mut self,
        c: CursorId,
        start: Reg,
        count: usize,
    ) -> Result<Flow, VdbeError> {
        let row: Vec<Value> = self
            .reg_range(start, count)?
            .iter()
            .map(Mem::to_value)
            .collect();
        self.win_buf(c)?.rows.push(row);
        Ok(Flow::Next)
    }

    pub(crate) fn op_win_compute(
        &mut self,
        env: &mut VdbeEnv,
        c: CursorId,
        spec: &Arc<WinSpec>,
        offsets: Reg,
        n_offsets: usize,
    ) -> Result<Flow, VdbeError> {
        let offs: Vec<Value> = self
            .reg_range(offsets, n_offsets)?
            .iter()
            .map(Mem::to_value)
            .collect();
        let spec = &spec_for_encoding(spec, self.enc);
        let mut buf = std::mem::take(self.win_buf(c)?);
        for r in &mut buf.rows {
            r.resize(spec.width, Value::Null);
        }
        let user = spec.passes.iter().flat_map(|p| &p.funcs).any(|f| {
            matches!(&f.kind, super::window::WinFuncKind::Agg(d)
                if matches!(d.kind, FuncKind::UserAggregate(_)))
        });
        if user {
            env.conn.publish();
        }
        let mut fenv = VmFuncEnv {
            env: &mut *env,
            now: &mut self.now_ms,
        };
        let binary = binary_in(self.enc);
        let mut ctx = FuncContext {
            env: &mut fenv,
            collation: &*binary,
        };
        let mut result = Ok(());
        // SQLite nests one sub-select per distinct window, the first window
        // outermost: the last one is computed first.
        for pass in spec.passes.iter().rev() {
            result = run_pass(&mut buf.rows, pass, &offs, &mut ctx);
            if result.is_err() {
                break;
            }
        }
        buf.pos = 0;
        *self.win_buf(c)? = buf;
        result?;
        Ok(Flow::Next)
    }

    /// Loads the next buffered row as a record into `dest` (read through
    /// pseudo cursor `pseudo`), or jumps to `if_done`.
    pub(crate) fn op_win_row(
        &mut self,
        c: CursorId,
        dest: Reg,
        pseudo: CursorId,
        if_done: Addr,
    ) -> Result<Flow, VdbeError> {
        let enc = self.enc;
        let buf = self.win_buf(c)?;
        let Some(row) = buf.rows.get(buf.pos) else {
            return Ok(Flow::Jump(if_done));
        };
        buf.pos += 1;
        let mut rec = Vec::new();
        if enc.is_utf8() {
            let refs: Vec<ValueRef> = row.iter().map(Value::as_ref).collect();
            encode_record(&refs, &mut rec);
        } else {
            // The pseudo cursor decodes text from the database encoding
            // (invariant 3), so the record must hold it in that encoding.
            let owned: Vec<Value> = row
                .iter()
                .map(|v| value_to_encoding(&v.as_ref(), enc))
                .collect();
            let refs: Vec<ValueRef> = owned.iter().map(Value::as_ref).collect();
            encode_record(&refs, &mut rec);
        }
        self.set_reg(dest, Mem::Blob(rec))?;
        if let Some(Some(p)) = self.cursors.get_mut(pseudo) {
            p.null_row = false;
            p.invalidate();
        }
        Ok(Flow::Next)
    }
}

/// `spec` with every BINARY collation replaced by the database
/// encoding's (invariant 4); `spec` itself on a UTF-8 database.
fn spec_for_encoding(spec: &Arc<WinSpec>, enc: TextEncoding) -> Arc<WinSpec> {
    if enc.is_utf8() {
        return Arc::clone(spec);
    }
    let binary = binary_in(enc);
    let fix = |c: &mut Arc<dyn Collation>| {
        if c.name().eq_ignore_ascii_case("BINARY") {
            *c = Arc::clone(&binary);
        }
    };
    let mut out = WinSpec::clone(spec);
    for pass in &mut out.passes {
        pass.partition.iter_mut().for_each(|(_, c)| fix(c));
        pass.order.iter_mut().for_each(|(_, _, c)| fix(c));
        for f in &mut pass.funcs {
            if let Some(c) = f.collation.as_mut() {
                fix(c);
            }
        }
    }
    Arc::new(out)
}
