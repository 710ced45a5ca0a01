//! Opcodes that call SQL functions: scalar calls and aggregates.
//!
//! SQLite counterpart: OP_Function, OP_AggStep, OP_AggFinal in vdbe.c,
//! `sqlite3_randomness` (random.c) for the PRNG, and the
//! `sqlite3_context` handed to function implementations.
//!
//! Invariants:
//! 1. An aggregate's accumulator lives in its register as `Mem::Agg`; it is
//!    created by the first AggStep, and AggFinal on a register that never
//!    saw a step finalizes a fresh accumulator (so `count()` of no rows is 0).
//! 2. With a `distinct` cursor, AggStep records each argument tuple in that
//!    ephemeral index and skips tuples already present.
//! 3. A register's subtype (`Vdbe::subtypes`) is set only by a function
//!    call whose result carries one; every other write of the register
//!    forgets it, a copy or move carries it along (as SQLite 3.40 does),
//!    and records never store it.
//! 4. Random bytes come from one process-wide PRNG, seeded once from the
//!    operating system's randomness (through std's `RandomState`).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use parking_lot::Mutex;

use super::env::VdbeEnv;
use super::error::{internal, VdbeError};
use super::exec_value::check_length;
use super::insn::{CursorId, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::func::{AggregateState, FuncContext, FuncDef, FuncEnv, FuncKind};
use crate::record::{encode_record, Binary, Collation, Value, ValueRef};

/// The process-wide PRNG state (splitmix64), seeded lazily.
static PRNG: Mutex<Option<u64>> = Mutex::new(None);

fn os_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish()
}

/// The next 64 random bits.
pub fn random_u64() -> u64 {
    let mut g = PRNG.lock();
    let s = g.get_or_insert_with(os_seed);
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random signed 64-bit integer.
pub fn random_i64() -> i64 {
    random_u64() as i64
}

/// Fills `out` with random bytes.
pub fn random_bytes(out: &mut [u8]) {
    for chunk in out.chunks_mut(8) {
        let r = random_u64().to_be_bytes();
        chunk.copy_from_slice(r.get(..chunk.len()).unwrap_or(&[]));
    }
}

/// What a function sees of the connection while the VM runs.
pub(super) struct VmFuncEnv<'a, 'e> {
    /// The step's environment (reborrowed; see `FuncEnv::reentry`).
    pub(super) env: &'a mut VdbeEnv<'e>,
    /// The statement time of this step, fixed on first use.
    pub(super) now: &'a mut Option<i64>,
}

/// Julian day number of the Unix epoch, in milliseconds.
const UNIX_EPOCH_JULIAN_MS: i64 = 210_866_760_000_000;

fn now_julian_ms() -> i64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    UNIX_EPOCH_JULIAN_MS.saturating_add(ms)
}

impl FuncEnv for VmFuncEnv<'_, '_> {
    fn last_insert_rowid(&self) -> i64 {
        self.env.conn.last_insert_rowid
    }
    fn changes(&self) -> i64 {
        self.env.conn.changes
    }
    fn total_changes(&self) -> i64 {
        self.env.conn.total_changes
    }
    fn reentry(&mut self) -> Option<VdbeEnv<'_>> {
        Some(self.env.reborrow())
    }
    fn random_bytes(&mut self, out: &mut [u8]) {
        random_bytes(out)
    }
    fn now_julian_ms(&mut self) -> i64 {
        *self.now.get_or_insert_with(now_julian_ms)
    }
    fn encoding(&self) -> crate::record::TextEncoding {
        self.env.conn.enc
    }
    fn load_extension_enabled(&self) -> bool {
        self.env.conn.load_extension
    }
}

fn new_accumulator(func: &FuncDef) -> Result<Box<dyn AggregateState>, VdbeError> {
    match &func.kind {
        FuncKind::Aggregate(factory) => Ok(factory()),
        FuncKind::UserAggregate(factory) => Ok(factory.create()),
        FuncKind::Scalar(_) | FuncKind::UserScalar(_) | FuncKind::WrongArgCount => {
            Err(internal(format!("{} is not an aggregate", func.name)))
        }
    }
}

/// Borrows registers as call arguments: into the stack array `small` when
/// there are few (no allocation per call), else into `heap`.
fn arg_refs<'a>(
    regs: &'a [Mem],
    small: &'a mut [ValueRef<'a>; 4],
    heap: &'a mut Vec<ValueRef<'a>>,
) -> &'a [ValueRef<'a>] {
    match small.get_mut(..regs.len()) {
        Some(slots) => {
            for (slot, m) in slots.iter_mut().zip(regs) {
                *slot = m.as_value_ref();
            }
            slots
        }
        None => {
            heap.extend(regs.iter().map(Mem::as_value_ref));
            heap
        }
    }
}

/// A TEXT result goes through the database encoding as in SQLite, which
/// turns surrogate code points into U+FFFD, unless it is one of the
/// arguments passed through (`sqlite3_result_value` copies untranslated).
fn translate_result(v: Value, argv: &[ValueRef], enc: crate::record::TextEncoding) -> Value {
    if enc.is_utf8() {
        return v;
    }
    match v {
        Value::Text(t) if !argv.contains(&ValueRef::Text(&t)) => {
            Value::Text(crate::record::translated_result(&t, enc).unwrap_or(t))
        }
        other => other,
    }
}

fn subtype_in(subtypes: &[(Reg, u8)], r: Reg) -> u8 {
    subtypes
        .iter()
        .find(|&&(x, _)| x == r)
        .map_or(0, |&(_, st)| st)
}

impl Vdbe {
    pub(crate) fn op_function(
        &mut self,
        env: &mut VdbeEnv,
        func: &Arc<FuncDef>,
        args: Reg,
        n_args: usize,
        dest: Reg,
        collation: &Option<Arc<dyn Collation>>,
    ) -> Result<Flow, VdbeError> {
        let regs = self
            .regs
            .get(args..args + n_args)
            .ok_or_else(|| internal("Function arguments out of range"))?;
        let (mut small, mut heap) = ([ValueRef::Null; 4], Vec::new());
        let argv = arg_refs(regs, &mut small, &mut heap);
        if matches!(func.kind, FuncKind::UserScalar(_)) {
            env.conn.publish();
        }
        let mut fenv = VmFuncEnv {
            env: &mut *env,
            now: &mut self.now_ms,
        };
        let enc_binary;
        let coll: &dyn Collation = match collation.as_deref() {
            Some(c) if self.enc.is_utf8() || !c.name().eq_ignore_ascii_case("BINARY") => c,
            None if self.enc.is_utf8() => &Binary,
            _ => {
                enc_binary = crate::record::binary_in(self.enc);
                &*enc_binary
            }
        };
        let mut ctx = FuncContext {
            env: &mut fenv,
            collation: coll,
        };
        let (v, subtype) = match &func.kind {
            FuncKind::Scalar(f) => (f(&mut ctx, argv)?, 0),
            FuncKind::UserScalar(f) => {
                let subs: Vec<u8> = (args..args + n_args)
                    .map(|r| subtype_in(&self.subtypes, r))
                    .collect();
                f.call_subtyped(&mut ctx, argv, &subs)?
            }
            FuncKind::Aggregate(_) | FuncKind::UserAggregate(_) | FuncKind::WrongArgCount => {
                return Err(internal(format!("{} is not a scalar function", func.name)))
            }
        };
        let v = translate_result(v, argv, self.enc);
        let m = Mem::from(v);
        check_length(&m)?;
        self.set_reg(dest, m)?;
        self.set_subtype(dest, subtype);
        Ok(Flow::Next)
    }

    /// The subtype of register `r` (0: none).
    pub(crate) fn subtype_of(&self, r: Reg) -> u8 {
        subtype_in(&self.subtypes, r)
    }

    /// Gives register `r` subtype `st` (0 forgets it).
    pub(crate) fn set_subtype(&mut self, r: Reg, st: u8) {
        self.forget_subtype(r);
        if st != 0 {
            self.subtypes.push((r, st));
        }
    }

    /// Register `r` was overwritten: it has no subtype any more.
    #[inline]
    pub(crate) fn forget_subtype(&mut self, r: Reg) {
        if !self.subtypes.is_empty() {
            self.subtypes.retain(|&(x, _)| x != r);
        }
    }

    /// `dest` takes the subtype of `src` (a register copy).
    pub(crate) fn copy_subtype(&mut self, src: Reg, dest: Reg) {
        if !self.subtypes.is_empty() {
            let st = self.subtype_of(src);
            self.set_subtype(dest, st);
        }
    }

    pub(crate) fn op_agg_step(
        &mut self,
        env: &mut VdbeEnv,
        func: &Arc<FuncDef>,
        (args, n_args): (Reg, usize),
        (acc, hit): (Reg, Option<Reg>),
        distinct: Option<CursorId>,
        collation: &Option<Arc<dyn Collation>>,
    ) -> Result<Flow, VdbeError> {
        if let Some(dc) = distinct {
            if self.seen_before(env, dc, args, n_args)? {
                return Ok(Flow::Next);
            }
        }
        let mut state = match std::mem::take(self.reg_mut(acc)?) {
            Mem::Agg(s) => s,
            _ => new_accumulator(func)?,
        };
        let regs = self
            .regs
            .get(args..args + n_args)
            .ok_or_else(|| internal("AggStep arguments out of range"))?;
        let (mut small, mut heap) = ([ValueRef::Null; 4], Vec::new());
        let argv = arg_refs(regs, &mut small, &mut heap);
        if matches!(func.kind, FuncKind::UserAggregate(_)) {
            env.conn.publish();
        }
        let mut fenv = VmFuncEnv {
            env: &mut *env,
            now: &mut self.now_ms,
        };
        let enc_binary;
        let coll: &dyn Collation = match collation.as_deref() {
            Some(c) if self.enc.is_utf8() || !c.name().eq_ignore_ascii_case("BINARY") => c,
            None if self.enc.is_utf8() => &Binary,
            _ => {
                enc_binary = crate::record::binary_in(self.enc);
                &*enc_binary
            }
        };
        let mut ctx = FuncContext {
            env: &mut fenv,
            collation: coll,
        };
        let r = if self.subtypes.is_empty() {
            state.step(&mut ctx, argv)
        } else {
            let subs: Vec<u8> = (args..args + n_args)
                .map(|r| subtype_in(&self.subtypes, r))
                .collect();
            state.step_subtyped(&mut ctx, argv, &subs)
        };
        if let Some(h) = hit {
            self.set_reg_int(h, i64::from(state.skip_accumulator_load()))?;
        }
        self.set_reg(acc, Mem::Agg(state))?;
        r?;
        Ok(Flow::Next)
    }

    /// DISTINCT aggregates: true when this argument tuple was seen before;
    /// otherwise remembers it.
    fn seen_before(
        &mut self,
        env: &mut VdbeEnv,
        dc: CursorId,
        args: Reg,
        n_args: usize,
    ) -> Result<bool, VdbeError> {
        let vals: Vec<Value> = self
            .reg_range(args, n_args)?
            .iter()
            .map(|m| crate::record::value_to_encoding(&m.as_value_ref(), self.enc))
            .collect();
        if self.key_exists(env, dc, &vals)? {
            return Ok(true);
        }
        let refs: Vec<ValueRef> = vals.iter().map(Value::as_ref).collect();
        let mut rec = Vec::new();
        encode_record(&refs, &mut rec);
        self.cursor_mut(dc)?.insert_key(env.dbs, &rec)?;
        Ok(false)
    }

    pub(crate) fn op_agg_final(
        &mut self,
        env: &mut VdbeEnv,
        func: &Arc<FuncDef>,
        acc: Reg,
    ) -> Result<Flow, VdbeError> {
        let mut state = match std::mem::take(self.reg_mut(acc)?) {
            Mem::Agg(s) => s,
            _ => new_accumulator(func)?,
        };
        if matches!(func.kind, FuncKind::UserAggregate(_)) {
            env.conn.publish();
        }
        let mut fenv = VmFuncEnv {
            env: &mut *env,
            now: &mut self.now_ms,
        };
        let mut ctx = FuncContext {
            env: &mut fenv,
            collation: &Binary,
        };
        let v = state.finalize(&mut ctx)?;
        let m = Mem::from(v);
        check_length(&m)?;
        self.set_reg(acc, m)?;
        self.set_subtype(acc, state.result_subtype());
        Ok(Flow::Next)
    }
}
