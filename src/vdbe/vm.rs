//! The virtual machine: state, the step loop and the opcode dispatch.
//!
//! SQLite counterpart: `struct Vdbe` (vdbeInt.h), `sqlite3VdbeExec`
//! (vdbe.c), `sqlite3VdbeReset` / `sqlite3VdbeHalt` (vdbeaux.c) and the
//! `sqlite3_step` / `sqlite3_bind_*` entry points (vdbeapi.c).
//!
//! State machine:
//!
//! ```text
//!            step (first)              ResultRow
//!   Ready ────────────────▶ Running ◀──────────▶ (row returned)
//!     ▲                      │  │ Halt / error
//!     │ reset                │  ▼
//!     └──────────────────  Halted   (step again = reset + run)
//! ```
//!
//! | from | event | to | effect |
//! |---|---|---|---|
//! | Ready | step | Running | `active_vms += 1` (and `active_writers`) |
//! | Running | ResultRow | Running | row readable through `column` |
//! | Running | Halt / error | Halted | `finish`: commit / roll back, counters down |
//! | Running | BUSY (begin / commit) | Running | pc kept: stepping again retries |
//! | Running | reset | Ready | `finish` as if halted (BUSY pending = error) |
//! | Halted | reset | Ready | registers and cursors cleared |
//!
//! Invariants:
//! 1. The dispatch is one `match`; each arm calls one short function in an
//!    `exec_*.rs` file and returns a [`Flow`].
//! 2. `active_vms`/`active_writers` are incremented exactly once per run
//!    and decremented exactly once (in `finish`).
//! 3. Bindings survive `reset`; registers, cursors and Once flags do not.
//!    A closed b-tree cursor is only *parked* (`parked`, by cursor number):
//!    the next run's OpenRead/OpenWrite of the same tree reopens it as a
//!    brand-new cursor (unpositioned, nothing cached, root page checked
//!    again) but keeps its buffers, so a re-executed statement allocates
//!    no cursors; a different tree in that slot opens a new cursor.
//! 4. The interrupt flag is checked every [`INTERRUPT_PERIOD`] instructions
//!    and at every Next/Prev/SorterNext; whether a progress handler is
//!    installed is read once per step (as SQLite reads `db->xProgress`
//!    when `sqlite3VdbeExec` starts), and it is then consulted before
//!    every instruction.

use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;

use super::cursor::VdbeCursor;
use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::insn::{CursorId, Insn, OnError, Reg};
use super::mem::Mem;
use super::program::Program;
use crate::record::{Value, ValueRef};

/// Instructions between two checks of the interrupt flag.
pub const INTERRUPT_PERIOD: u32 = 100;

/// What `step` produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// A result row is available through [`Vdbe::column`].
    Row,
    /// The statement ran to completion.
    Done,
}

/// Where the VM goes after one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Next,
    Jump(usize),
    Row,
    Halt,
}

/// Run state (see the module diagram).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunState {
    Ready,
    Running,
    Halted,
}

/// The error of a register number outside the program's registers (a
/// codegen bug), built off the hot path.
#[cold]
#[inline(never)]
fn bad_register(r: Reg) -> VdbeError {
    internal(format!("register {r} out of range"))
}

/// A statement savepoint opened for this VM on one database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StmtSavepoint {
    pub db: usize,
    pub depth: u32,
}

/// A virtual machine executing one [`Program`] (SQLite's `Vdbe`).
#[derive(Debug)]
pub struct Vdbe {
    pub(crate) program: Arc<Program>,
    /// The program opens a transaction (SQLite's `bIsReader`): it counts
    /// in `ConnState::active_readers` while it runs.
    pub(crate) is_reader: bool,
    pub(crate) pc: usize,
    pub(crate) regs: Vec<Mem>,
    pub(crate) cursors: Vec<Option<VdbeCursor>>,
    /// B-tree cursors of the previous run, by cursor number, reopened by
    /// the next run's OpenRead/OpenWrite on the same tree (no allocation).
    pub(crate) parked: Vec<Option<VdbeCursor>>,
    /// Byte buffers (records, text, blobs) of the previous run, reused by
    /// MakeRecord and by Variable/Copy/SCopy of text or blob values.
    pub(crate) spare_records: Vec<Vec<u8>>,
    pub(crate) bindings: Vec<Option<Value>>,
    pub(crate) state: RunState,
    /// Registers of the current result row.
    pub(crate) row: Option<(Reg, usize)>,
    /// Rows changed by this run (`sqlite3_changes` once it halts).
    pub(crate) n_change: i64,
    /// The program contains a change-counting write.
    pub(crate) counts_changes: bool,
    /// `Once` flags, by instruction address.
    pub(crate) once: Vec<bool>,
    /// Statement savepoints opened by Transaction.
    pub(crate) stmt_savepoints: Vec<StmtSavepoint>,
    /// The program can fail part-way, so a write Transaction opens a
    /// statement savepoint (SQLite's `usesStmtJournal`; stmt_journal.rs).
    pub(crate) uses_stmt_journal: bool,
    /// Text encoding of the main database (records hold text in it).
    pub(crate) enc: crate::record::TextEncoding,
    /// A BUSY error left the VM retryable at `pc`.
    pub(crate) busy_pending: bool,
    /// Instructions since the interrupt flag was last checked.
    pub(crate) since_interrupt_check: u32,
    /// Instructions since the progress handler was last called.
    pub(crate) since_progress: u32,
    /// Conflict resolution of an error Halt being raised.
    pub(crate) pending_on_error: Option<OnError>,
    /// `finish_*` already ended this run's transaction work.
    pub(crate) finished: bool,
    /// Statement time for date functions, fixed for one step.
    pub(crate) now_ms: Option<i64>,
    /// Window-function row buffers, by cursor number (exec_window.rs).
    pub(crate) windows: Vec<Option<super::exec_window::WinBuffer>>,
    /// Virtual-table cursors, by cursor number (exec_vtab.rs).
    pub(crate) vcursors: Vec<Option<super::exec_vtab::VCursor>>,
    /// Foreign key counters of this run (exec_fkey.rs).
    pub(crate) fk: super::exec_fkey::FkRun,
    /// Subtypes of registers last written by a function call that set one
    /// (`sqlite3_result_subtype`); any other write forgets the entry.
    pub(crate) subtypes: Vec<(Reg, u8)>,
}

impl Vdbe {
    /// A VM ready to run `program`.
    pub fn new(program: Arc<Program>) -> Vdbe {
        let counts_changes = program.insns.iter().any(|i| match i {
            Insn::Insert { flags, .. } => flags.count_change,
            Insn::Delete { count_change, .. } | Insn::Clear { count_change, .. } => *count_change,
            Insn::Vtab(super::insn_vtab::VtabOp::VUpdate { .. }) => true,
            // A trigger body: DML on a view reports 0 changes.
            Insn::ChangeCountRestore { .. } => true,
            _ => false,
        });
        let uses_stmt_journal = super::stmt_journal::uses_stmt_journal(&program.insns);
        let is_reader = program.insns.iter().any(|i| {
            matches!(
                i,
                Insn::Transaction { .. } | Insn::AutoCommit { .. } | Insn::Savepoint { .. }
            )
        });
        let mut vm = Vdbe {
            is_reader,
            regs: Vec::new(),
            cursors: Vec::new(),
            parked: Vec::new(),
            spare_records: Vec::new(),
            bindings: vec![None; program.params.len()],
            once: Vec::new(),
            program,
            pc: 0,
            state: RunState::Ready,
            row: None,
            n_change: 0,
            counts_changes,
            stmt_savepoints: Vec::new(),
            uses_stmt_journal,
            enc: crate::record::TextEncoding::Utf8,
            busy_pending: false,
            since_interrupt_check: 0,
            since_progress: 0,
            pending_on_error: None,
            finished: false,
            now_ms: None,
            windows: Vec::new(),
            vcursors: Vec::new(),
            fk: Default::default(),
            subtypes: Vec::new(),
        };
        vm.clear_state();
        vm
    }

    /// The program this VM runs.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// Binds parameter `idx` (1-based).
    pub fn bind(&mut self, idx: usize, v: Value) -> Result<(), VdbeError> {
        if idx == 0 {
            return Err(VdbeError::Misuse("bind index out of range".into()));
        }
        if self.bindings.len() < idx {
            self.bindings.resize(idx, None);
        }
        if let Some(slot) = self.bindings.get_mut(idx - 1) {
            *slot = Some(v);
        }
        Ok(())
    }

    /// Sets every parameter back to NULL.
    pub fn clear_bindings(&mut self) {
        for b in &mut self.bindings {
            *b = None;
        }
    }

    /// The value bound to parameter `idx` (1-based), if any.
    pub fn binding(&self, idx: usize) -> Option<&Value> {
        self.bindings.get(idx.checked_sub(1)?)?.as_ref()
    }

    /// True between the first step and the halt (or reset).
    pub fn is_running(&self) -> bool {
        self.state == RunState::Running
    }

    /// Rows changed by the last completed run.
    pub fn changes(&self) -> i64 {
        self.n_change
    }

    /// Column `i` of the current result row (NULL when there is none).
    pub fn column(&self, i: usize) -> ValueRef<'_> {
        match self.row {
            Some((start, n)) if i < n => self
                .regs
                .get(start + i)
                .map_or(ValueRef::Null, |m| m.as_value_ref()),
            _ => ValueRef::Null,
        }
    }

    /// Number of values in the current result row.
    pub fn column_count(&self) -> usize {
        self.row.map_or(0, |r| r.1)
    }

    fn clear_state(&mut self) {
        let p = &self.program;
        // Reuses the vectors (a reset per statement execution is common).
        let n_regs = p.n_regs.max(1);
        self.regs.truncate(n_regs);
        for r in &mut self.regs {
            if !matches!(r, Mem::Null) {
                if let Mem::Blob(b) | Mem::Text(b) = std::mem::take(r) {
                    super::exec_write::keep_record_buffer(&mut self.spare_records, b);
                }
            }
        }
        self.regs.resize_with(n_regs, Mem::default);
        let n_cursors = p.n_cursors;
        self.park_cursors(n_cursors);
        self.subtypes.clear();
        self.windows.clear();
        self.vcursors.clear();
        let n_insns = self.program.insns.len();
        if self.once.len() == n_insns {
            self.once.fill(false);
        } else {
            self.once.clear();
            self.once.resize(n_insns, false);
        }
        self.pc = 0;
        self.row = None;
        self.stmt_savepoints.clear();
        self.busy_pending = false;
        self.since_interrupt_check = 0;
        self.pending_on_error = None;
        self.finished = false;
    }

    /// Closes every cursor (all slots `None`, `n` of them), keeping the
    /// b-tree ones in `parked` for the next run.
    fn park_cursors(&mut self, n: usize) {
        if self.parked.len() < n {
            self.parked.resize_with(n, || None);
        }
        for (slot, spare) in self.cursors.iter_mut().zip(self.parked.iter_mut()) {
            if let Some(c) = slot.take() {
                *spare = c.park();
            }
        }
        // Every slot is `None` now: only the length may need adjusting.
        self.cursors.truncate(n);
        self.cursors.resize_with(n, || None);
    }

    /// OP_OpenRead/OpenWrite: the parked cursor of slot `cursor`, reopened,
    /// if it was on this very tree (see `VdbeCursor::reopen_parked`).
    pub(crate) fn unpark_cursor(
        &mut self,
        dbs: &mut [crate::btree::Btree],
        cursor: CursorId,
        db: usize,
        root: crate::pager::Pgno,
        key_info: &Option<Arc<crate::record::KeyInfo>>,
        writable: bool,
    ) -> Result<Option<VdbeCursor>, VdbeError> {
        let Some(spare) = self.parked.get_mut(cursor) else {
            return Ok(None);
        };
        let Some(c) = spare.as_mut() else {
            return Ok(None);
        };
        if !c.reopen_parked(dbs, db, root, key_info, writable)? {
            return Ok(None);
        }
        Ok(spare.take())
    }

    /// Stops a running VM (ending its transaction work as a halt would)
    /// and makes it ready to run again; bindings are kept.
    pub fn reset(&mut self, env: &mut VdbeEnv) {
        if self.state == RunState::Running {
            let err = self.busy_pending;
            // A failure here cannot be reported through reset; the
            // connection sees the transaction state it leaves.
            let _ = if err {
                self.finish_error(env, &VdbeError::Error("reset".into()), Default::default())
            } else {
                self.finish_ok(env)
            };
        }
        self.state = RunState::Ready;
        self.clear_state();
    }

    /// Runs until the next result row or the end of the program.
    pub fn step(&mut self, env: &mut VdbeEnv) -> Result<StepResult, VdbeError> {
        match self.state {
            RunState::Halted => {
                self.reset(env);
                self.start(env);
            }
            RunState::Ready => self.start(env),
            RunState::Running => {}
        }
        self.row = None;
        self.busy_pending = false;
        self.now_ms = None;
        // One reference count per step, not per instruction.
        let program = Arc::clone(&self.program);
        // Whether a progress handler is installed is read once per step,
        // as SQLite does (`db->xProgress` at the start of sqlite3VdbeExec).
        let progress = env.conn.hooks.progress.is_some();
        // Instructions left before the next periodic checks; one counter
        // in a local, so the hot loop pays a decrement and a test.
        let period = if progress { 1 } else { INTERRUPT_PERIOD };
        let mut countdown = INTERRUPT_PERIOD
            .saturating_sub(self.since_interrupt_check)
            .clamp(1, period);
        let insns: &[Insn] = &program.insns;
        // The program counter lives in a local; `self.pc` is written
        // before each instruction (Gosub and Once read it, and a BUSY
        // error leaves it on the instruction to retry).
        let mut pc = self.pc;
        loop {
            countdown -= 1;
            if countdown == 0 {
                countdown = period;
                if let Err(e) = self.periodic_checks(env, progress) {
                    return Err(self.fail(env, e));
                }
            }
            self.pc = pc;
            let r = match insns.get(pc) {
                Some(insn) => self.dispatch(env, insn),
                // Falling off the end is an implied "Halt 0".
                None => self.op_halt_ok(env),
            };
            match r {
                Ok(Flow::Next) => pc += 1,
                Ok(Flow::Jump(t)) => pc = t,
                Ok(Flow::Row) => {
                    self.pc = pc + 1;
                    if !progress {
                        self.since_interrupt_check = INTERRUPT_PERIOD - countdown;
                    }
                    return Ok(StepResult::Row);
                }
                Ok(Flow::Halt) => {
                    self.state = RunState::Halted;
                    return Ok(StepResult::Done);
                }
                Err(e) => return Err(self.fail(env, e)),
            }
        }
    }

    fn start(&mut self, env: &mut VdbeEnv) {
        env.conn.active_vms += 1;
        env.conn.active_readers += usize::from(self.is_reader);
        if !self.program.readonly {
            env.conn.active_writers += 1;
        }
        self.n_change = 0;
        self.enc = env.conn.enc;
        self.finished = false;
        self.state = RunState::Running;
        self.fk_start(env);
    }

    /// Handles an error raised by an instruction: BUSY from a transaction
    /// start or commit leaves the VM retryable; anything else halts it.
    fn fail(&mut self, env: &mut VdbeEnv, e: VdbeError) -> VdbeError {
        if e.is_busy() && self.busy_pending {
            return e;
        }
        let on_error = self.pending_on_error.take().unwrap_or_default();
        let _ = self.finish_error(env, &e, on_error);
        self.state = RunState::Halted;
        e
    }

    /// The checks made between instructions, off the hot path: the
    /// interrupt flag every [`INTERRUPT_PERIOD`] instructions and the
    /// progress handler when one is installed.
    #[cold]
    #[inline(never)]
    fn periodic_checks(&mut self, env: &VdbeEnv, progress: bool) -> Result<(), VdbeError> {
        if !progress {
            return self.check_interrupt(env);
        }
        // With a progress handler this runs before every instruction.
        self.since_interrupt_check += 1;
        if self.since_interrupt_check >= INTERRUPT_PERIOD {
            self.check_interrupt(env)?;
        }
        self.check_progress(env)
    }

    /// Fails with SQLITE_INTERRUPT if the connection was interrupted.
    pub(crate) fn check_interrupt(&mut self, env: &VdbeEnv) -> Result<(), VdbeError> {
        self.since_interrupt_check = 0;
        if env.conn.interrupt.load(AtomicOrdering::Relaxed) {
            return Err(VdbeError::Interrupted);
        }
        Ok(())
    }

    /// Calls the progress handler every N instructions; a true answer
    /// interrupts the statement (SQLITE_INTERRUPT), as in SQLite.
    fn check_progress(&mut self, env: &VdbeEnv) -> Result<(), VdbeError> {
        let Some((n, f)) = env.conn.hooks.progress.clone() else {
            return Ok(());
        };
        self.since_progress += 1;
        if self.since_progress < n.max(1) {
            return Ok(());
        }
        self.since_progress = 0;
        env.conn.publish();
        if f() {
            return Err(VdbeError::Interrupted);
        }
        Ok(())
    }

    // ---- register and cursor access ----

    #[inline]
    pub(crate) fn reg(&self, r: Reg) -> Result<&Mem, VdbeError> {
        self.regs.get(r).ok_or_else(|| bad_register(r))
    }

    #[inline]
    pub(crate) fn reg_mut(&mut self, r: Reg) -> Result<&mut Mem, VdbeError> {
        self.forget_subtype(r);
        self.regs.get_mut(r).ok_or_else(|| bad_register(r))
    }

    #[inline]
    pub(crate) fn set_reg(&mut self, r: Reg, m: Mem) -> Result<(), VdbeError> {
        self.reg_mut(r)?.assign(m);
        Ok(())
    }

    /// Sets register `r` to INTEGER `i` (in place when it is one).
    #[inline]
    pub(crate) fn set_reg_int(&mut self, r: Reg, i: i64) -> Result<(), VdbeError> {
        self.reg_mut(r)?.set_int(i);
        Ok(())
    }

    /// Registers `start..start+n`.
    pub(crate) fn reg_range(&self, start: Reg, n: usize) -> Result<&[Mem], VdbeError> {
        self.regs
            .get(start..start.saturating_add(n))
            .ok_or_else(|| internal(format!("registers {start}..+{n} out of range")))
    }

    pub(crate) fn cursor_mut(&mut self, c: CursorId) -> Result<&mut VdbeCursor, VdbeError> {
        self.cursors
            .get_mut(c)
            .and_then(|c| c.as_mut())
            .ok_or_else(|| internal(format!("cursor {c} is not open")))
    }

    pub(crate) fn set_cursor(&mut self, c: CursorId, cur: VdbeCursor) -> Result<(), VdbeError> {
        let slot = self
            .cursors
            .get_mut(c)
            .ok_or_else(|| internal(format!("cursor {c} out of range")))?;
        *slot = Some(cur);
        Ok(())
    }

    /// True when cursor `c` is an open virtual-table cursor.
    #[inline]
    fn is_vcursor(&self, c: CursorId) -> bool {
        !self.vcursors.is_empty() && matches!(self.vcursors.get(c), Some(Some(_)))
    }

    /// A cursor opcode on a virtual-table cursor (off the hot path).
    #[cold]
    #[inline(never)]
    fn vtab_dispatch(&mut self, env: &mut VdbeEnv, insn: &Insn) -> Result<Flow, VdbeError> {
        self.vtab_intercept(env, insn)
            .unwrap_or_else(|| Err(internal("virtual-table cursor lost")))
    }

    /// The one dispatch `match` (invariant 1).
    fn dispatch(&mut self, env: &mut VdbeEnv, insn: &Insn) -> Result<Flow, VdbeError> {
        use Insn as I;
        match insn {
            // Cursor opcodes check for a virtual-table cursor inside their
            // own arm (a guard arm here would be tested before every jump
            // through the opcode table).
            I::Vtab(op) => self.exec_vtab(env, op),
            I::Init { target } | I::Goto { target } => Ok(Flow::Jump(*target)),
            I::Gosub { reg, target } => self.op_gosub(*reg, *target),
            I::Return { reg } => self.op_return(*reg),
            I::Once { target } => self.op_once(*target),
            I::Halt { rc, on_error, msg } => self.op_halt(env, *rc, *on_error, msg.as_deref()),
            I::HaltIfNull {
                reg,
                rc,
                on_error,
                msg,
            } => self.op_halt_if_null(env, *reg, *rc, *on_error, msg),
            I::If {
                reg,
                target,
                jump_if_null,
            } => self.op_if(*reg, *target, *jump_if_null, true),
            I::IfNot {
                reg,
                target,
                jump_if_null,
            } => self.op_if(*reg, *target, *jump_if_null, false),
            I::IsNull { reg, target } => self.op_is_null(*reg, *target, true),
            I::NotNull { reg, target } => self.op_is_null(*reg, *target, false),
            I::IfPos {
                reg,
                target,
                decrement,
            } => self.op_if_pos(*reg, *target, *decrement),
            I::DecrJumpZero { reg, target } => self.op_decr_jump_zero(*reg, *target),
            I::FkCounter { deferred, delta } => self.op_fk_counter(env, *deferred, *delta),
            I::FkIfZero { deferred, target } => self.op_fk_if_zero(env, *deferred, *target),
            I::MustBeInt { reg, target } => self.op_must_be_int(*reg, *target),
            I::OffsetLimit {
                limit,
                dest,
                offset,
            } => self.op_offset_limit(*limit, *dest, *offset),
            I::Noop => Ok(Flow::Next),
            I::ChangeCountSave { dest } => self
                .set_reg(*dest, Mem::Int(self.n_change))
                .map(|_| Flow::Next),
            I::ChangeCountRestore { saved } => {
                let saved = self.reg(*saved)?.int_value();
                env.conn.total_changes += self.n_change - saved;
                self.n_change = saved;
                Ok(Flow::Next)
            }
            I::Transaction {
                db,
                write,
                exclusive,
                schema_cookie,
            } => self.op_transaction(env, *db, (*write, *exclusive), *schema_cookie),
            I::AutoCommit {
                autocommit,
                rollback,
            } => {
                if *rollback && !env.conn.autocommit {
                    super::exec_vtab::rollback_txn(env)?;
                }
                self.op_autocommit(env, *autocommit, *rollback)
            }
            I::Savepoint { op, name } => self.op_savepoint(env, *op, name),
            I::ReadCookie { db, dest, idx } => self.op_read_cookie(env, *db, *dest, *idx),
            I::Pragma { db, op, dest } => self.op_pragma(env, *db, op, *dest),
            I::SetCookie { db, idx, value } => self.op_set_cookie(env, *db, *idx, *value),
            I::CreateBtree { db, dest, kind } => self.op_create_btree(env, *db, *dest, *kind),
            I::Destroy { db, root } => self.op_destroy(env, *db, *root),
            I::Vacuum { db, into } => self.op_vacuum(env, *db, *into),
            I::Clear {
                db,
                root,
                count_change,
            } => self.op_clear(env, *db, *root, *count_change),
            I::ParseSchema { .. } => self.op_parse_schema(env),
            I::AttachDb { args, detach } => self.op_attach(env, *args, *detach),
            I::OpenRead {
                cursor,
                db,
                root,
                key_info,
                ..
            } => self.op_open(env, *cursor, *db, *root, key_info, false),
            I::OpenWrite {
                cursor,
                db,
                root,
                key_info,
                ..
            } => self.op_open(env, *cursor, *db, *root, key_info, true),
            I::OpenEphemeral {
                cursor, key_info, ..
            } => self.op_open_ephemeral(*cursor, key_info),
            I::OpenPseudo { cursor, reg, .. } => self.op_open_pseudo(*cursor, *reg),
            I::Close { cursor } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_close(*cursor)
            }
            I::Rewind { cursor, if_empty } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_rewind(env, *cursor, *if_empty, true)
            }
            I::Last { cursor, if_empty } => self.op_rewind(env, *cursor, *if_empty, false),
            I::Next { cursor, target } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_next(env, *cursor, *target, true)
            }
            I::Prev { cursor, target } => self.op_next(env, *cursor, *target, false),
            I::Column {
                cursor,
                column,
                dest,
                default,
            } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_column(env, *cursor, *column, *dest, default.as_ref())
            }
            I::Rowid { cursor, dest } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_rowid(env, *cursor, *dest)
            }
            I::NullRow { cursor } => {
                if self.is_vcursor(*cursor) {
                    return self.vtab_dispatch(env, insn);
                }
                self.op_null_row(*cursor)
            }
            I::SeekRowid {
                cursor,
                rowid,
                not_found,
            } => self.op_seek_rowid(env, *cursor, *rowid, *not_found, true),
            I::NotExists {
                cursor,
                rowid,
                not_found,
            } => self.op_seek_rowid(env, *cursor, *rowid, *not_found, false),
            I::SeekGE {
                cursor,
                key,
                n_keys,
                not_found,
            } => self.op_seek(
                env,
                *cursor,
                *key,
                *n_keys,
                *not_found,
                super::ephemeral::SeekMode::Ge,
            ),
            I::SeekGT {
                cursor,
                key,
                n_keys,
                not_found,
            } => self.op_seek(
                env,
                *cursor,
                *key,
                *n_keys,
                *not_found,
                super::ephemeral::SeekMode::Gt,
            ),
            I::SeekLE {
                cursor,
                key,
                n_keys,
                not_found,
            } => self.op_seek(
                env,
                *cursor,
                *key,
                *n_keys,
                *not_found,
                super::ephemeral::SeekMode::Le,
            ),
            I::SeekLT {
                cursor,
                key,
                n_keys,
                not_found,
            } => self.op_seek(
                env,
                *cursor,
                *key,
                *n_keys,
                *not_found,
                super::ephemeral::SeekMode::Lt,
            ),
            I::IdxGE {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_idx_cmp(env, *cursor, *key, *n_keys, *target, |o| o.is_ge()),
            I::IdxGT {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_idx_cmp(env, *cursor, *key, *n_keys, *target, |o| o.is_gt()),
            I::IdxLE {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_idx_cmp(env, *cursor, *key, *n_keys, *target, |o| o.is_le()),
            I::IdxLT {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_idx_cmp(env, *cursor, *key, *n_keys, *target, |o| o.is_lt()),
            I::IdxRowid { cursor, dest } => self.op_idx_rowid(env, *cursor, *dest),
            I::Found {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_found(
                env,
                *cursor,
                *key,
                *n_keys,
                *target,
                super::exec_cursor::FoundKind::Found,
            ),
            I::NotFound {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_found(
                env,
                *cursor,
                *key,
                *n_keys,
                *target,
                super::exec_cursor::FoundKind::NotFound,
            ),
            I::NoConflict {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_found(
                env,
                *cursor,
                *key,
                *n_keys,
                *target,
                super::exec_cursor::FoundKind::NoConflict,
            ),
            I::Count { cursor, dest } => self.op_count(env, *cursor, *dest),
            I::NewRowid {
                cursor,
                dest,
                autoinc_reg,
            } => self.op_new_rowid(env, *cursor, *dest, *autoinc_reg),
            I::Insert {
                cursor,
                record,
                rowid,
                flags,
            } => self.op_insert(env, *cursor, *record, *rowid, flags),
            I::Delete {
                cursor,
                count_change,
                table,
            } => self.op_delete(env, *cursor, *count_change, table.as_deref()),
            I::IdxInsert { cursor, key } => self.op_idx_insert(env, *cursor, *key),
            I::IdxDelete {
                cursor,
                key,
                n_keys,
            } => self.op_idx_delete(env, *cursor, *key, *n_keys),
            I::MakeRecord {
                start,
                count,
                dest,
                affinities,
            } => self.op_make_record(*start, *count, *dest, affinities.as_deref()),
            I::Integer { value, dest } => self.set_reg_int(*dest, *value).map(|_| Flow::Next),
            I::Real { value, dest } => self.set_reg(*dest, Mem::Real(*value)).map(|_| Flow::Next),
            I::String8 { value, dest } => {
                // A literal is translated to the database encoding.
                let t = crate::record::translated_result(value, self.enc);
                let v = t.as_deref().unwrap_or(value);
                self.reg_mut(*dest)?.set_from_ref(ValueRef::Text(v));
                Ok(Flow::Next)
            }
            I::Blob { value, dest } => {
                self.reg_mut(*dest)?.set_from_ref(ValueRef::Blob(value));
                Ok(Flow::Next)
            }
            I::Null { dest, count } => self.op_null(*dest, *count),
            I::Variable { index, dest } => self.op_variable(*index, *dest),
            I::Copy { src, dest, count } => self.op_copy(*src, *dest, *count),
            I::SCopy { src, dest } => self.op_copy(*src, *dest, 1),
            I::Move { src, dest, count } => self.op_move(*src, *dest, *count),
            I::ResultRow { start, count } => self.op_result_row(*start, *count),
            I::Affinity {
                start,
                count,
                affinities,
            } => self.op_affinity(*start, *count, affinities),
            I::Cast { reg, affinity } => self.op_cast(*reg, *affinity),
            I::RealAffinity { reg } => self.op_real_affinity(*reg),
            I::Arith { op, lhs, rhs, dest } => self.op_arith(*op, *lhs, *rhs, *dest),
            I::Not { src, dest } => self.op_unary(*src, *dest, super::arith::not),
            I::BitNot { src, dest } => self.op_unary(*src, *dest, super::arith::bit_not),
            I::Negative { src, dest } => self.op_unary(*src, *dest, super::arith::negate),
            I::And { lhs, rhs, dest } => self.op_and_or(true, *lhs, *rhs, *dest),
            I::Or { lhs, rhs, dest } => self.op_and_or(false, *lhs, *rhs, *dest),
            I::Compare {
                op,
                lhs,
                rhs,
                target,
                flags,
            } => self.op_compare(*op, *lhs, *rhs, *target, flags),
            I::IsTrue {
                src,
                dest,
                null_value,
                invert,
            } => self.op_is_true(*src, *dest, *null_value, *invert),
            I::Function {
                func,
                args,
                n_args,
                dest,
                collation,
            } => self.op_function(env, func, *args, *n_args, *dest, collation),
            I::AggStep {
                func,
                args,
                n_args,
                acc,
                distinct,
                collation,
                hit,
            } => self.op_agg_step(
                env,
                func,
                (*args, *n_args),
                (*acc, *hit),
                *distinct,
                collation,
            ),
            I::AggFinal { func, acc, .. } => self.op_agg_final(env, func, *acc),
            I::SorterOpen {
                cursor, key_info, ..
            } => self.op_sorter_open(env, *cursor, key_info),
            I::SorterInsert { cursor, record } => self.op_sorter_insert(*cursor, *record),
            I::SorterTopCheck {
                cursor,
                key,
                n_keys,
                target,
            } => self.op_sorter_top_check(*cursor, *key, *n_keys, *target),
            I::SorterLimit {
                cursor,
                limit,
                offset,
            } => self.op_sorter_limit(*cursor, *limit, *offset),
            I::SorterSort { cursor, if_empty } => self.op_sorter_sort(*cursor, *if_empty),
            I::SorterData {
                cursor,
                dest,
                pseudo,
            } => self.op_sorter_data(*cursor, *dest, *pseudo),
            I::SorterNext { cursor, target } => self.op_sorter_next(env, *cursor, *target),
            I::WinOpen { cursor } => self.op_win_open(*cursor),
            I::WinAppend {
                cursor,
                start,
                count,
            } => self.op_win_append(*cursor, *start, *count),
            I::WinCompute {
                cursor,
                spec,
                offsets,
                n_offsets,
            } => self.op_win_compute(env, *cursor, spec, *offsets, *n_offsets),
            I::WinRow {
                cursor,
                dest,
                pseudo,
                if_done,
            } => self.op_win_row(*cursor, *dest, *pseudo, *if_done),
            I::WithoutRowid { cursor, layout } => self.op_without_rowid(*cursor, layout),
            I::RowSetAdd { set, value } => self.op_rowset_add(*set, *value),
            I::RowSetRead { set, dest, if_done } => self.op_rowset_read(*set, *dest, *if_done),
        }
    }
}
