//! What a SQL function sees and returns: its context, errors, and the shapes
//! of scalar, aggregate and user-defined functions.
//!
//! SQLite counterpart: `sqlite3_context` and the `sqlite3_result_*` /
//! `sqlite3_aggregate_context` machinery (vdbeapi.c), `FuncDef` (sqliteInt.h).
//!
//! Invariants:
//! 1. A function never reaches its connection except through [`FuncEnv`];
//!    the VM (L4) implements it over the connection (L6), so no layer calls
//!    upward directly.
//! 2. Every [`FuncError`] maps to exactly one result code (exhaustive match).
//! 3. An aggregate's `finalize` may be called without any `step` (empty
//!    group) and must then return the aggregate's empty-input value.
//! 4. [`FuncEnv::reentry`] hands out a reborrow of the environment the VM
//!    was lent for the step, never a fresh borrow of the connection: a
//!    nested statement runs on exactly the borrows the outer step holds,
//!    and the outer frames do not touch them until the callback returns
//!    (the lending protocol of `conn/view.rs`).

use std::sync::Arc;

use crate::rc::ResultCode;
use crate::record::{Collation, Value, ValueRef};

/// What a function may ask of its connection.
pub trait FuncEnv {
    /// `sqlite3_last_insert_rowid`.
    fn last_insert_rowid(&self) -> i64;
    /// `sqlite3_changes64`.
    fn changes(&self) -> i64;
    /// `sqlite3_total_changes64`.
    fn total_changes(&self) -> i64;
    /// Fills `buf` from the connection's PRNG (`sqlite3_randomness`).
    fn random_bytes(&mut self, buf: &mut [u8]);
    /// The statement's current time as a Julian day number times 86400000
    /// (`sqlite3StmtCurrentTime`): constant within one statement step.
    fn now_julian_ms(&mut self) -> i64;
    /// `SQLITE_LIMIT_LENGTH`: results longer than this are `SQLITE_TOOBIG`.
    fn max_length(&self) -> usize {
        1_000_000_000
    }
    /// `SQLITE_LIMIT_LIKE_PATTERN_LENGTH`.
    fn like_pattern_limit(&self) -> usize {
        50_000
    }
    /// `sqlite3_enable_load_extension(db, 1)` was called: the
    /// `load_extension()` SQL function may run.
    fn load_extension_enabled(&self) -> bool {
        false
    }
    /// `PRAGMA case_sensitive_like`.
    fn case_sensitive_like(&self) -> bool {
        false
    }
    /// The main database's text encoding (`ENC(db)`): a BLOB read as TEXT
    /// is decoded from it and TEXT read as bytes is encoded in it.
    fn encoding(&self) -> crate::record::TextEncoding {
        crate::record::TextEncoding::Utf8
    }
    /// Seconds to add to a UTC unix time to get local time (the
    /// `localtime` modifier); `Err` text becomes the function's error.
    /// The default treats local time as UTC.
    fn local_offset_secs(&mut self, _utc_unix_secs: i64) -> Result<i64, String> {
        Ok(0)
    }
    /// A reborrow of the running VM's whole environment, for a callback
    /// that runs SQL on its own connection (invariant 4). `None` when the
    /// function is not called by a VM of a connection.
    fn reentry(&mut self) -> Option<crate::vdbe::VdbeEnv<'_>> {
        None
    }
}

/// The context of one function call (SQLite's `sqlite3_context`).
pub struct FuncContext<'a> {
    /// The connection, through the layer-neutral trait.
    pub env: &'a mut dyn FuncEnv,
    /// The collating sequence resolved for the call (functions flagged
    /// `needs_collation`: min, max, nullif); BINARY otherwise.
    pub collation: &'a dyn Collation,
}

impl std::fmt::Debug for FuncContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuncContext")
            .field("collation", &self.collation.name())
            .finish()
    }
}

/// Why a function failed (`sqlite3_result_error*`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FuncError {
    /// `sqlite3_result_error(ctx, text)`: SQLITE_ERROR with this message.
    #[error("{0}")]
    Error(String),
    /// `sqlite3_result_error_toobig`.
    #[error("string or blob too big")]
    TooBig,
    /// `sqlite3_result_error_nomem`.
    #[error("out of memory")]
    NoMem,
    /// `sqlite3_result_error_code` (plus an optional message from a user
    /// function): any other result code.
    #[error("{message}")]
    Code {
        /// The (extended) result code.
        code: ResultCode,
        /// The message (`sqlite3_errstr(code)` when the function gave none).
        message: String,
    },
}

impl FuncError {
    /// The result code the statement fails with.
    pub fn result_code(&self) -> ResultCode {
        match self {
            FuncError::Error(_) => ResultCode::ERROR,
            FuncError::TooBig => ResultCode::TOOBIG,
            FuncError::NoMem => ResultCode::NOMEM,
            FuncError::Code { code, .. } => *code,
        }
    }

    /// A plain error with a message.
    pub fn msg(text: &str) -> FuncError {
        FuncError::Error(text.to_string())
    }
}

impl From<crate::printf::PrintfError> for FuncError {
    fn from(e: crate::printf::PrintfError) -> FuncError {
        match e {
            crate::printf::PrintfError::TooBig => FuncError::TooBig,
        }
    }
}

/// A built-in scalar function.
pub type ScalarFn = fn(&mut FuncContext, &[ValueRef]) -> Result<Value, FuncError>;

/// The running state of one aggregate (one group, or one window).
pub trait AggregateState {
    /// Adds one row (`xStep`).
    fn step(&mut self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<(), FuncError>;
    /// `step` seeing the arguments' subtypes (`subtypes[i]` for `args[i]`;
    /// missing entries are 0). Only the JSON aggregates care.
    fn step_subtyped(
        &mut self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(), FuncError> {
        let _ = subtypes;
        self.step(ctx, args)
    }
    /// The subtype of the result (`sqlite3_result_subtype`; 0 for none).
    fn result_subtype(&self) -> u8 {
        0
    }
    /// The final result (`xFinal`); also called for an empty group.
    fn finalize(&mut self, ctx: &mut FuncContext) -> Result<Value, FuncError>;
    /// The current result of a window without ending it (`xValue`).
    fn value(&mut self, ctx: &mut FuncContext) -> Result<Value, FuncError> {
        self.finalize(ctx)
    }
    /// Removes the oldest row of a window (`xInverse`). Aggregates without
    /// an inverse (min, max) report an error; the window code must
    /// recompute them instead, as SQLite does.
    fn inverse(&mut self, _ctx: &mut FuncContext, _args: &[ValueRef]) -> Result<(), FuncError> {
        Err(FuncError::msg("this aggregate has no inverse"))
    }
    /// True when the last `step` did not change the result, so the VM need
    /// not reload bare columns (`sqlite3SkipAccumulatorLoad`; min/max only).
    fn skip_accumulator_load(&self) -> bool {
        false
    }
}

/// Creates a fresh aggregate state for a built-in aggregate.
pub type AggregateFactory = fn() -> Box<dyn AggregateState>;

/// A user-defined scalar function (`sqlite3_create_function` xFunc).
pub trait UserScalar: Send + Sync {
    /// Computes the result.
    fn call(&self, ctx: &mut FuncContext, args: &[ValueRef]) -> Result<Value, FuncError>;

    /// Computes the result seeing the arguments' subtypes (`subtypes[i]`
    /// for `args[i]`, 0 for none) and returning the result's subtype
    /// (`sqlite3_value_subtype` / `sqlite3_result_subtype`; 0 for none).
    fn call_subtyped(
        &self,
        ctx: &mut FuncContext,
        args: &[ValueRef],
        subtypes: &[u8],
    ) -> Result<(Value, u8), FuncError> {
        let _ = subtypes;
        self.call(ctx, args).map(|v| (v, 0))
    }
}

/// A user-defined aggregate (`xStep`/`xFinal`, optionally `xValue`/
/// `xInverse`): creates one state per group.
pub trait UserAggregateFactory: Send + Sync {
    /// A fresh state.
    fn create(&self) -> Box<dyn AggregateState>;
    /// Whether the states implement `value`/`inverse` (a window function).
    fn is_window(&self) -> bool {
        false
    }
}

/// How a function is implemented.
#[derive(Clone)]
pub enum FuncKind {
    /// A built-in scalar.
    Scalar(ScalarFn),
    /// A built-in aggregate.
    Aggregate(AggregateFactory),
    /// A user scalar from the C or Rust API.
    UserScalar(Arc<dyn UserScalar>),
    /// A user aggregate from the C or Rust API.
    UserAggregate(Arc<dyn UserAggregateFactory>),
    /// A name/arity registered only so that the resolver reports
    /// "wrong number of arguments to function NAME()" (SQLite registers
    /// `coalesce` with 0 and 1 arguments and no implementation).
    WrongArgCount,
}

impl std::fmt::Debug for FuncKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FuncKind::Scalar(_) => "Scalar",
            FuncKind::Aggregate(_) => "Aggregate",
            FuncKind::UserScalar(_) => "UserScalar",
            FuncKind::UserAggregate(_) => "UserAggregate",
            FuncKind::WrongArgCount => "WrongArgCount",
        })
    }
}

/// Properties of a function the compiler and planner use (`SQLITE_FUNC_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FuncFlags {
    /// Same arguments give the same result (`SQLITE_DETERMINISTIC`).
    pub deterministic: bool,
    /// Constant within one statement but not across statements (the date
    /// functions with 'now': `SQLITE_FUNC_SLOCHNG`).
    pub slow_change: bool,
    /// Uses the collating sequence of its arguments (`SQLITE_FUNC_NEEDCOLL`).
    pub needs_collation: bool,
    /// Compiled inline by the code generator, which evaluates arguments
    /// lazily (coalesce, ifnull, iif, likely, unlikely, likelihood).
    pub inline: bool,
    /// min()/max() with one argument: an aggregate the planner may answer
    /// from an index (`SQLITE_FUNC_MINMAX`).
    pub minmax: bool,
    /// count(): the planner may answer count(*) from the b-tree size.
    pub count: bool,
    /// length(): may read only the value's size (`OPFLAG_LENGTHARG`).
    pub length_arg: bool,
    /// typeof(): may read only the value's type (`OPFLAG_TYPEOFARG`).
    pub typeof_arg: bool,
    /// Usable as a window function (has `value`/`inverse`).
    pub window: bool,
    /// Safe in schema and triggers regardless of trust (`SQLITE_INNOCUOUS`).
    pub innocuous: bool,
    /// Only usable from top-level SQL (`SQLITE_DIRECTONLY`).
    pub direct_only: bool,
}

/// One registered function: a name and arity with its implementation.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// The name, as registered (lookup is ASCII case-insensitive).
    pub name: String,
    /// Exact argument count, or -1 for any.
    pub n_args: i32,
    /// Properties.
    pub flags: FuncFlags,
    /// The implementation.
    pub kind: FuncKind,
}

impl FuncDef {
    /// True for aggregates (built-in or user).
    pub fn is_aggregate(&self) -> bool {
        matches!(
            self.kind,
            FuncKind::Aggregate(_) | FuncKind::UserAggregate(_)
        )
    }
}
