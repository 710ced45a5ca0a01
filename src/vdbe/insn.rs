//! The VDBE instruction set: a typed enum with SQLite's opcode names.
//!
//! SQLite counterpart: the opcodes of vdbe.c, documented in opcode.html.
//!
//! Each variant is one SQLite opcode; its fields are SQLite's P1..P5 given
//! names and types. `EXPLAIN` prints [`Insn::name`] and the operands mapped
//! back to p1..p5 by [`Insn::explain_operands`] (in explain.rs).
//!
//! Invariants:
//! 1. Jump targets (`target`, `if_empty`, `not_found`, …) are instruction
//!    addresses inside the same [`crate::vdbe::Program`]; codegen resolves
//!    every label before the program is handed to the VM.
//! 2. Register numbers are indexes into the VM's register file, 1-based as
//!    in SQLite (register 0 is never used); cursor numbers are 0-based.
//! 3. Instructions are immutable once built; run-time state lives in the
//!    VM, so one program can be executed many times (reset + step).

use std::sync::Arc;

use crate::btree::TreeKind;
use crate::func::FuncDef;
use crate::pager::Pgno;
use crate::rc::ResultCode;
use crate::record::{Affinity, Collation, KeyInfo, Value};

/// A register number (1-based).
pub type Reg = usize;
/// An instruction address.
pub type Addr = usize;
/// A cursor number.
pub type CursorId = usize;

/// How a comparison treats NULL operands and what it produces.
#[derive(Clone, Debug)]
pub struct CmpFlags {
    /// Affinity applied to the operands before comparing (SQLITE_AFF_MASK).
    pub affinity: Affinity,
    /// Jump when either operand is NULL (SQLITE_JUMPIFNULL).
    pub jump_if_null: bool,
    /// `IS` / `IS NOT`: NULLs compare equal to each other (SQLITE_NULLEQ).
    pub null_eq: bool,
    /// Store the boolean result (0, 1 or NULL) in this register instead of
    /// jumping (SQLITE_STOREP2).
    pub store: Option<Reg>,
    /// Collating sequence for text comparison; BINARY when `None`.
    pub collation: Option<Arc<dyn Collation>>,
}

impl PartialEq for CmpFlags {
    /// Collations compare by name (a `dyn Collation` has no `PartialEq`).
    fn eq(&self, other: &CmpFlags) -> bool {
        self.affinity == other.affinity
            && self.jump_if_null == other.jump_if_null
            && self.null_eq == other.null_eq
            && self.store == other.store
            && self.collation.as_ref().map(|c| c.name().to_string())
                == other.collation.as_ref().map(|c| c.name().to_string())
    }
}

/// The comparison operator of a [`Insn::Compare`]-family jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Binary arithmetic and bit operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    BitAnd,
    BitOr,
    ShiftLeft,
    ShiftRight,
    Concat,
}

/// Where an OpenRead/OpenWrite finds the root page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootPage {
    /// A fixed page number known at compile time.
    Page(Pgno),
    /// Read the root page number from this register at run time (used
    /// right after `CreateBtree`, e.g. CREATE INDEX filling a new index).
    Reg(Reg),
}

/// What `OP_Insert` should also do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InsertFlags {
    /// Count the row in `sqlite3_changes()` (OPFLAG_NCHANGE).
    pub count_change: bool,
    /// Set `last_insert_rowid` (OPFLAG_LASTROWID).
    pub set_last_rowid: bool,
    /// This insert is the second half of an UPDATE (OPFLAG_ISUPDATE).
    pub is_update: bool,
    /// The table's name, for the update hook and error messages.
    pub table: Option<String>,
}

/// The conflict resolution of a `Halt` raised by a constraint (OE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnError {
    /// Undo the current statement, keep the transaction (OE_Abort).
    #[default]
    Abort,
    /// Undo the whole transaction (OE_Rollback).
    Rollback,
    /// Keep the statement's earlier changes (OE_Fail).
    Fail,
}

/// One VDBE instruction. `repr(u8)` gives the enum a plain tag byte, so
/// the dispatch reads the opcode with one load (no niche decoding).
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum Insn {
    /// A virtual-table opcode (insn_vtab.rs).
    Vtab(super::insn_vtab::VtabOp),
    // ---- control flow ----
    /// Program entry: jump to `target` (where transactions start).
    Init {
        target: Addr,
    },
    Goto {
        target: Addr,
    },
    /// Jump to `target` and store the return address in `reg`.
    Gosub {
        reg: Reg,
        target: Addr,
    },
    /// Jump to the address held in `reg`.
    Return {
        reg: Reg,
    },
    /// Fall through the first time, then jump to `target` every later time.
    Once {
        target: Addr,
    },
    /// Stop. `rc` OK ends normally; otherwise an error with `msg`.
    Halt {
        rc: ResultCode,
        on_error: OnError,
        msg: Option<String>,
    },
    /// If `reg` is NULL, halt with a NOT NULL constraint error naming `msg`.
    HaltIfNull {
        reg: Reg,
        rc: ResultCode,
        on_error: OnError,
        msg: String,
    },
    /// Jump if the register is true (non-zero); NULL jumps iff `jump_if_null`.
    If {
        reg: Reg,
        target: Addr,
        jump_if_null: bool,
    },
    /// Jump if the register is false (zero); NULL jumps iff `jump_if_null`.
    IfNot {
        reg: Reg,
        target: Addr,
        jump_if_null: bool,
    },
    IsNull {
        reg: Reg,
        target: Addr,
    },
    NotNull {
        reg: Reg,
        target: Addr,
    },
    /// If reg > 0: reg -= decrement, jump. (LIMIT/OFFSET counters.)
    IfPos {
        reg: Reg,
        target: Addr,
        decrement: i64,
    },
    /// reg -= 1; jump if the result is zero.
    DecrJumpZero {
        reg: Reg,
        target: Addr,
    },
    /// Force reg to an integer or jump to `target` (0 = raise "datatype mismatch").
    MustBeInt {
        reg: Reg,
        target: Option<Addr>,
    },
    /// dest = (limit_reg <= 0 ? -1 : limit + max(offset, 0)) (OP_OffsetLimit).
    OffsetLimit {
        limit: Reg,
        dest: Reg,
        offset: Reg,
    },
    Noop,
    /// OP_FkCounter: add `delta` to the statement's foreign key violation
    /// counter, or to the connection's deferred counter when `deferred` (or
    /// PRAGMA defer_foreign_keys) is in force.
    FkCounter {
        deferred: bool,
        delta: i64,
    },
    /// OP_FkIfZero: jump when the deferred (or statement) counter is zero.
    FkIfZero {
        deferred: bool,
        target: Addr,
    },
    /// `dest` = the statement's change count so far (entering a trigger
    /// body, whose changes count only in `total_changes`).
    ChangeCountSave {
        dest: Reg,
    },
    /// Leaving a trigger body: the changes made since `saved` move from
    /// the statement's count to the connection's `total_changes`.
    ChangeCountRestore {
        saved: Reg,
    },

    // ---- transactions and schema ----
    /// Start a read (write=false) or write transaction on database `db`;
    /// if `schema_cookie` is set and differs from the file's, fail with
    /// SQLITE_SCHEMA so the statement is re-prepared. `exclusive` (BEGIN
    /// EXCLUSIVE) makes a write transaction take the EXCLUSIVE lock.
    Transaction {
        db: usize,
        write: bool,
        exclusive: bool,
        schema_cookie: Option<u32>,
    },
    /// BEGIN / COMMIT / ROLLBACK: set autocommit, committing or rolling back.
    AutoCommit {
        autocommit: bool,
        rollback: bool,
    },
    /// SAVEPOINT name / RELEASE name / ROLLBACK TO name.
    Savepoint {
        op: SavepointOp,
        name: String,
    },
    /// dest = meta value `idx` of database `db` (schema cookie = 1, …).
    ReadCookie {
        db: usize,
        dest: Reg,
        idx: usize,
    },
    /// meta value `idx` of database `db` = value.
    SetCookie {
        db: usize,
        idx: usize,
        value: i64,
    },
    /// Allocate a new b-tree; its root page number goes to `dest`.
    CreateBtree {
        db: usize,
        dest: Reg,
        kind: TreeKind,
    },
    /// Rebuild database `db` (VACUUM), or write a vacuumed copy to the
    /// file named by register `into` (VACUUM INTO).
    Vacuum {
        db: usize,
        into: Option<Reg>,
    },
    /// Delete a whole b-tree (DROP TABLE/INDEX).
    Destroy {
        db: usize,
        root: Pgno,
    },
    /// Delete every row of a b-tree; add the count to changes if `count_change`.
    Clear {
        db: usize,
        root: Pgno,
        count_change: bool,
    },
    /// Runs a pager/b-tree PRAGMA on database `db`; its result goes to `dest`.
    Pragma {
        db: usize,
        op: PragmaOp,
        dest: Reg,
    },
    /// ATTACH (registers `args`, `args+1` = file, name) or DETACH
    /// (`args` = name): a request the connection carries out.
    AttachDb {
        args: Reg,
        detach: bool,
    },
    /// The schema of `db` changed: the connection reloads it after this statement.
    ParseSchema {
        db: usize,
    },

    // ---- cursors ----
    OpenRead {
        cursor: CursorId,
        db: usize,
        root: RootPage,
        n_cols: usize,
        key_info: Option<Arc<KeyInfo>>,
    },
    OpenWrite {
        cursor: CursorId,
        db: usize,
        root: RootPage,
        n_cols: usize,
        key_info: Option<Arc<KeyInfo>>,
    },
    /// A temporary b-tree (index if `key_info` is set, else a rowid table).
    OpenEphemeral {
        cursor: CursorId,
        n_cols: usize,
        key_info: Option<Arc<KeyInfo>>,
    },
    /// A cursor that reads the record held in register `reg`.
    OpenPseudo {
        cursor: CursorId,
        reg: Reg,
        n_cols: usize,
    },
    Close {
        cursor: CursorId,
    },
    /// Marks `cursor` as reading a WITHOUT ROWID table or an index of one
    /// (see exec_wr.rs); emitted right after its OpenRead/OpenWrite.
    WithoutRowid {
        cursor: CursorId,
        layout: Arc<super::exec_wr::WrLayout>,
    },
    /// Move to the first row; jump to `if_empty` when there is none.
    Rewind {
        cursor: CursorId,
        if_empty: Addr,
    },
    Last {
        cursor: CursorId,
        if_empty: Addr,
    },
    /// Advance; jump to `target` if a row is there (loop back).
    Next {
        cursor: CursorId,
        target: Addr,
    },
    Prev {
        cursor: CursorId,
        target: Addr,
    },
    /// dest = column `column` of the current row; `default` when the record
    /// is shorter (columns added by ALTER TABLE ADD COLUMN).
    Column {
        cursor: CursorId,
        column: usize,
        dest: Reg,
        default: Option<Value>,
    },
    Rowid {
        cursor: CursorId,
        dest: Reg,
    },
    /// Set dest to NULL and mark the cursor as on a NULL row (LEFT JOIN).
    NullRow {
        cursor: CursorId,
    },
    /// Seek the table cursor to the rowid in `rowid`; jump to `not_found` if absent.
    SeekRowid {
        cursor: CursorId,
        rowid: Reg,
        not_found: Addr,
    },
    /// Like SeekRowid, but the register is known to be an integer.
    NotExists {
        cursor: CursorId,
        rowid: Reg,
        not_found: Addr,
    },
    /// Index seeks: position on the first entry that is >= (GE), > (GT),
    /// <= (LE, from the end), < (LT) the key in `key..key+n_keys`.
    SeekGE {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        not_found: Addr,
    },
    SeekGT {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        not_found: Addr,
    },
    SeekLE {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        not_found: Addr,
    },
    SeekLT {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        not_found: Addr,
    },
    /// Index range ends: jump to `target` if the entry is >= / > / <= / < the key.
    IdxGE {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    IdxGT {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    IdxLE {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    IdxLT {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    /// dest = rowid stored at the end of the current index entry.
    IdxRowid {
        cursor: CursorId,
        dest: Reg,
    },
    /// Jump to `target` if an entry with the key prefix exists (Found) / is
    /// absent (NotFound / NoConflict; NoConflict also when the key has a NULL).
    Found {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    NotFound {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    NoConflict {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    /// dest = number of rows in the b-tree.
    Count {
        cursor: CursorId,
        dest: Reg,
    },

    // ---- writes ----
    /// dest = a new rowid for the table (max+1, random if max is i64::MAX);
    /// with `autoinc_reg`, not below the value held there.
    NewRowid {
        cursor: CursorId,
        dest: Reg,
        autoinc_reg: Option<Reg>,
    },
    /// Write the record in `record` with rowid `rowid` into the table.
    Insert {
        cursor: CursorId,
        record: Reg,
        rowid: Reg,
        flags: InsertFlags,
    },
    /// Delete the row under the cursor.
    Delete {
        cursor: CursorId,
        count_change: bool,
        table: Option<String>,
    },
    /// Insert the index key record in `key` (index cursor).
    IdxInsert {
        cursor: CursorId,
        key: Reg,
    },
    /// Delete the index entry whose key is `key..key+n_keys`.
    IdxDelete {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
    },
    /// dest = record made of registers start..start+count, after applying
    /// `affinities` (one per column) when given.
    MakeRecord {
        start: Reg,
        count: usize,
        dest: Reg,
        affinities: Option<Vec<Affinity>>,
    },

    // ---- registers and values ----
    Integer {
        value: i64,
        dest: Reg,
    },
    Real {
        value: f64,
        dest: Reg,
    },
    String8 {
        value: Arc<[u8]>,
        dest: Reg,
    },
    Blob {
        value: Arc<[u8]>,
        dest: Reg,
    },
    /// Set registers dest..=dest+count-1 to NULL (count >= 1).
    Null {
        dest: Reg,
        count: usize,
    },
    /// dest = bound parameter `index` (1-based).
    Variable {
        index: usize,
        dest: Reg,
    },
    /// Deep copies of count registers.
    Copy {
        src: Reg,
        dest: Reg,
        count: usize,
    },
    /// Shallow copy of one register (a copy is fine in Rust).
    SCopy {
        src: Reg,
        dest: Reg,
    },
    /// Move count registers (source becomes NULL).
    Move {
        src: Reg,
        dest: Reg,
        count: usize,
    },
    /// Make registers start..start+count the current result row and yield.
    ResultRow {
        start: Reg,
        count: usize,
    },
    /// Apply affinities to count registers in place.
    Affinity {
        start: Reg,
        count: usize,
        affinities: Vec<Affinity>,
    },
    /// CAST(reg AS affinity).
    Cast {
        reg: Reg,
        affinity: Affinity,
    },
    /// If reg is an integer, convert it to REAL.
    RealAffinity {
        reg: Reg,
    },
    /// dest = lhs OP rhs (note SQLite's operand order: `dest = rhs - lhs` for
    /// Subtract etc.; here it is the natural `lhs OP rhs`).
    Arith {
        op: ArithOp,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    /// dest = NOT src (three-valued).
    Not {
        src: Reg,
        dest: Reg,
    },
    /// dest = ~src.
    BitNot {
        src: Reg,
        dest: Reg,
    },
    /// dest = -src (SQLite codes this as 0 - src; kept separate for clarity).
    Negative {
        src: Reg,
        dest: Reg,
    },
    /// dest = lhs AND rhs / lhs OR rhs (three-valued).
    And {
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    Or {
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    /// Compare lhs with rhs and jump to `target` when the comparison holds
    /// (or store the result, see [`CmpFlags::store`]).
    Compare {
        op: CmpOp,
        lhs: Reg,
        rhs: Reg,
        target: Addr,
        flags: CmpFlags,
    },
    /// dest = (reg IS TRUE/ IS FALSE ...): SQLite's OP_IsTrue.
    IsTrue {
        src: Reg,
        dest: Reg,
        null_value: bool,
        invert: bool,
    },
    /// Call a scalar function: dest = f(args..args+n_args).
    Function {
        func: Arc<FuncDef>,
        args: Reg,
        n_args: usize,
        dest: Reg,
        collation: Option<Arc<dyn Collation>>,
    },
    /// Aggregate step: accumulate args into the accumulator in `acc`.
    AggStep {
        func: Arc<FuncDef>,
        args: Reg,
        n_args: usize,
        acc: Reg,
        distinct: Option<CursorId>,
        /// The collation min()/max() compare with (BINARY when `None`).
        collation: Option<Arc<dyn Collation>>,
        /// min()/max(): register set to 1 when this step left the result
        /// unchanged, else 0 (OP_CollSeq's P1 register in SQLite).
        hit: Option<Reg>,
    },
    /// Aggregate final: replace the accumulator in `acc` by the result.
    AggFinal {
        func: Arc<FuncDef>,
        acc: Reg,
        n_args: usize,
    },

    // ---- sorter (ORDER BY, GROUP BY) ----
    SorterOpen {
        cursor: CursorId,
        n_cols: usize,
        key_info: Arc<KeyInfo>,
    },
    /// Add the record in `record` to the sorter.
    SorterInsert {
        cursor: CursorId,
        record: Reg,
    },
    /// Top-n sorter: jump to `target` when a row whose sort key is in
    /// `key..key+n_keys` would not be kept (the sorter already holds its
    /// limit of rows, all sorting before or equal to the key), so the row's
    /// record need not be built (SQLite's IdxLE against the sorter's last
    /// entry before OP_SorterInsert).
    SorterTopCheck {
        cursor: CursorId,
        key: Reg,
        n_keys: usize,
        target: Addr,
    },
    /// Keep only the first `limit` + `offset` rows in sort order (a
    /// negative limit keeps all): loom's top-n sorter for ORDER BY … LIMIT.
    SorterLimit {
        cursor: CursorId,
        limit: Reg,
        offset: Option<Reg>,
    },
    /// Sort; jump to `if_empty` when the sorter is empty.
    SorterSort {
        cursor: CursorId,
        if_empty: Addr,
    },
    /// dest = the current sorted record (read it with an OpenPseudo cursor).
    SorterData {
        cursor: CursorId,
        dest: Reg,
        pseudo: CursorId,
    },
    SorterNext {
        cursor: CursorId,
        target: Addr,
    },

    // ---- window functions (see exec_window.rs) ----
    /// Open (or empty) the in-memory row buffer `cursor`.
    WinOpen {
        cursor: CursorId,
    },
    /// Append registers start..start+count as one buffered row.
    WinAppend {
        cursor: CursorId,
        start: Reg,
        count: usize,
    },
    /// Sort the buffer and compute its window functions; frame offsets are
    /// in registers offsets..offsets+n_offsets.
    WinCompute {
        cursor: CursorId,
        spec: Arc<super::window::WinSpec>,
        offsets: Reg,
        n_offsets: usize,
    },
    /// dest = the next buffered row as a record (for pseudo cursor
    /// `pseudo`); jump to `if_done` when there is none.
    WinRow {
        cursor: CursorId,
        dest: Reg,
        pseudo: CursorId,
        if_done: Addr,
    },

    // ---- rowid sets (two-pass UPDATE/DELETE) ----
    /// Add the integer in `value` to the rowid set held in `set`.
    RowSetAdd {
        set: Reg,
        value: Reg,
    },
    /// dest = next rowid of the set in `set`, jumping to `if_done` when exhausted.
    RowSetRead {
        set: Reg,
        dest: Reg,
        if_done: Addr,
    },
}

/// A PRAGMA that reads or changes pager or b-tree settings (see exec_pragma.rs).
#[derive(Clone, Debug, PartialEq)]
pub enum PragmaOp {
    PageSize(Option<i64>),
    PageCount,
    FreelistCount,
    /// Set to the named mode (lower case) when given; result is the mode.
    JournalMode(Option<String>),
    /// `wal_checkpoint(mode)`: three result registers (busy, log, checkpointed).
    WalCheckpoint(Option<String>),
    /// `wal_autocheckpoint = N`; result is the threshold.
    WalAutocheckpoint(Option<i64>),
    CacheSize(Option<i64>),
    Synchronous(Option<i64>),
    MaxPageCount(Option<i64>),
    /// EXCLUSIVE / NORMAL; result is the mode.
    LockingMode(Option<String>),
    /// 0 NONE, 1 FULL, 2 INCREMENTAL; result is the mode.
    AutoVacuum(Option<i64>),
    /// Removes up to N free pages (all when N ≤ 0).
    IncrementalVacuum(i64),
    /// Text encoding: set (name) for a new database; result is the name.
    Encoding(Option<String>),
    /// Checks the b-trees rooted at `roots` (and the freelist); the result
    /// is "ok" or the messages joined by newlines.
    IntegrityCheck {
        roots: Vec<Pgno>,
        max_errors: usize,
    },
    /// PRAGMA foreign_keys [= bool] (a no-op inside a transaction).
    ForeignKeys(Option<bool>),
    /// PRAGMA defer_foreign_keys [= bool].
    DeferForeignKeys(Option<bool>),
}

/// The three savepoint operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SavepointOp {
    Begin,
    Release,
    Rollback,
}
