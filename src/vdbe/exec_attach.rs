//! The ATTACH / DETACH request opcode.
//!
//! SQLite counterpart: ATTACH and DETACH compile to an OP_Function call of
//! the internal `sqlite_attach` / `sqlite_detach` functions (attach.c).
//! Here the opcode only records the request in [`ConnState`]: the VM
//! borrows a fixed slice of the connection's databases, so the connection
//! (L6) opens or closes the file once the step returns.
//!
//! Invariants:
//! 1. A NULL operand reads as the empty string, as SQLite's text conversion
//!    of the function arguments does (`ATTACH NULL AS x` attaches a
//!    private in-memory database).
//! 2. At most one request is pending; the connection takes it after the
//!    step that recorded it.
//!
//! [`ConnState`]: super::env::ConnState

use super::env::VdbeEnv;
use super::error::VdbeError;
use super::insn::Reg;
use super::vm::{Flow, Vdbe};

/// What an ATTACH or DETACH statement asks of its connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachRequest {
    /// `ATTACH file AS name`; `file` is the operand's bytes (a file name
    /// need not be UTF-8).
    Attach { file: Vec<u8>, name: String },
    /// `DETACH name`.
    Detach { name: String },
}

impl Vdbe {
    /// Records ATTACH (`args` = file, name) or DETACH (`args` = name).
    pub(crate) fn op_attach(
        &mut self,
        env: &mut VdbeEnv,
        args: Reg,
        detach: bool,
    ) -> Result<Flow, VdbeError> {
        let text = |m: &super::mem::Mem| String::from_utf8_lossy(&m.text_value()).into_owned();
        let req = if detach {
            AttachRequest::Detach {
                name: text(self.reg(args)?),
            }
        } else {
            AttachRequest::Attach {
                file: self.reg(args)?.text_value().to_vec(),
                name: text(self.reg(args + 1)?),
            }
        };
        env.conn.pending_attach = Some(req);
        Ok(Flow::Next)
    }
}
