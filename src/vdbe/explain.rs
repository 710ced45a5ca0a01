//! EXPLAIN output: each instruction as SQLite's eight columns.
//!
//! SQLite counterpart: `sqlite3VdbeList` and `displayP4` (vdbeaux.c) and
//! the opcode names of opcodes.c.
//!
//! Columns: `addr, opcode, p1, p2, p3, p4, p5, comment`, with the operand
//! conventions of opcode.html (p2 is the jump target, cursors in p1, …).
//!
//! Invariants:
//! 1. `Insn::name` returns SQLite's opcode name for every variant (our
//!    `Negative` and `IsTrue` have no exact SQLite twin and keep their own).
//! 2. Unused operands are 0 and an absent p4 is NULL, as in SQLite.

use super::insn::{ArithOp, CmpOp, Insn, RootPage};
use super::program::Program;
use crate::record::{Affinity, KeyInfo, Value};

/// The operands of one instruction in SQLite's p1..p5 form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExplainOperands {
    pub p1: i64,
    pub p2: i64,
    pub p3: i64,
    pub p4: Option<String>,
    pub p5: i64,
    pub comment: Option<String>,
}

pub(super) fn ops(p1: usize, p2: usize, p3: usize) -> ExplainOperands {
    ExplainOperands {
        p1: p1 as i64,
        p2: p2 as i64,
        p3: p3 as i64,
        ..Default::default()
    }
}

pub(super) fn with_p4(mut o: ExplainOperands, p4: impl Into<String>) -> ExplainOperands {
    o.p4 = Some(p4.into());
    o
}

pub(super) fn affinity_string(affs: &[Affinity]) -> String {
    affs.iter().map(|a| a.code() as char).collect()
}

pub(super) fn key_info_p4(ki: &KeyInfo) -> String {
    let cols: Vec<String> = ki
        .collations
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let desc = if ki.desc.get(i).copied().unwrap_or(false) {
                "-"
            } else {
                ""
            };
            format!("{desc}{}", c.name())
        })
        .collect();
    format!("k({},{})", cols.len(), cols.join(","))
}

pub(super) fn root_of(r: RootPage) -> (usize, u16) {
    match r {
        RootPage::Page(p) => (p as usize, 0),
        RootPage::Reg(reg) => (reg, 2),
    }
}

pub(super) fn value_p4(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => crate::printf::render_real(*r),
        Value::Text(t) => String::from_utf8_lossy(t).into_owned(),
        Value::Blob(b) => format!(
            "x'{}'",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
    }
}

impl Insn {
    /// SQLite's name for this opcode.
    pub fn name(&self) -> &'static str {
        use Insn as I;
        match self {
            I::Vtab(op) => op.name(),
            I::Init { .. } => "Init",
            I::Goto { .. } => "Goto",
            I::Gosub { .. } => "Gosub",
            I::Return { .. } => "Return",
            I::Once { .. } => "Once",
            I::Halt { .. } => "Halt",
            I::HaltIfNull { .. } => "HaltIfNull",
            I::If { .. } => "If",
            I::IfNot { .. } => "IfNot",
            I::IsNull { .. } => "IsNull",
            I::NotNull { .. } => "NotNull",
            I::IfPos { .. } => "IfPos",
            I::DecrJumpZero { .. } => "DecrJumpZero",
            I::MustBeInt { .. } => "MustBeInt",
            I::OffsetLimit { .. } => "OffsetLimit",
            I::Noop => "Noop",
            I::FkCounter { .. } => "FkCounter",
            I::FkIfZero { .. } => "FkIfZero",
            I::ChangeCountSave { .. } => "ChangeCountSave",
            I::ChangeCountRestore { .. } => "ChangeCountRestore",
            I::Pragma { .. } => "Pragma",
            I::Transaction { .. } => "Transaction",
            I::AutoCommit { .. } => "AutoCommit",
            I::Savepoint { .. } => "Savepoint",
            I::ReadCookie { .. } => "ReadCookie",
            I::SetCookie { .. } => "SetCookie",
            I::CreateBtree { .. } => "CreateBtree",
            I::Destroy { .. } => "Destroy",
            I::Vacuum { .. } => "Vacuum",
            I::Clear { .. } => "Clear",
            I::ParseSchema { .. } => "ParseSchema",
            I::AttachDb { .. } => "Function",
            I::OpenRead { .. } => "OpenRead",
            I::OpenWrite { .. } => "OpenWrite",
            I::OpenEphemeral { .. } => "OpenEphemeral",
            I::OpenPseudo { .. } => "OpenPseudo",
            I::Close { .. } => "Close",
            I::WithoutRowid { .. } => "Noop",
            I::Rewind { .. } => "Rewind",
            I::Last { .. } => "Last",
            I::Next { .. } => "Next",
            I::Prev { .. } => "Prev",
            I::Column { .. } => "Column",
            I::Rowid { .. } => "Rowid",
            I::NullRow { .. } => "NullRow",
            I::SeekRowid { .. } => "SeekRowid",
            I::NotExists { .. } => "NotExists",
            I::SeekGE { .. } => "SeekGE",
            I::SeekGT { .. } => "SeekGT",
            I::SeekLE { .. } => "SeekLE",
            I::SeekLT { .. } => "SeekLT",
            I::IdxGE { .. } => "IdxGE",
            I::IdxGT { .. } => "IdxGT",
            I::IdxLE { .. } => "IdxLE",
            I::IdxLT { .. } => "IdxLT",
            I::IdxRowid { .. } => "IdxRowid",
            I::Found { .. } => "Found",
            I::NotFound { .. } => "NotFound",
            I::NoConflict { .. } => "NoConflict",
            I::Count { .. } => "Count",
            I::NewRowid { .. } => "NewRowid",
            I::Insert { .. } => "Insert",
            I::Delete { .. } => "Delete",
            I::IdxInsert { .. } => "IdxInsert",
            I::IdxDelete { .. } => "IdxDelete",
            I::MakeRecord { .. } => "MakeRecord",
            I::Integer { .. } => "Integer",
            I::Real { .. } => "Real",
            I::String8 { .. } => "String8",
            I::Blob { .. } => "Blob",
            I::Null { .. } => "Null",
            I::Variable { .. } => "Variable",
            I::Copy { .. } => "Copy",
            I::SCopy { .. } => "SCopy",
            I::Move { .. } => "Move",
            I::ResultRow { .. } => "ResultRow",
            I::Affinity { .. } => "Affinity",
            I::Cast { .. } => "Cast",
            I::RealAffinity { .. } => "RealAffinity",
            I::Arith { op, .. } => arith_name(*op),
            I::Not { .. } => "Not",
            I::BitNot { .. } => "BitNot",
            I::Negative { .. } => "Negative",
            I::And { .. } => "And",
            I::Or { .. } => "Or",
            I::Compare { op, .. } => cmp_name(*op),
            I::IsTrue { .. } => "IsTrue",
            I::Function { .. } => "Function",
            I::AggStep { .. } => "AggStep",
            I::AggFinal { .. } => "AggFinal",
            I::SorterOpen { .. } => "SorterOpen",
            I::WinOpen { .. } => "WinOpen",
            I::WinAppend { .. } => "WinAppend",
            I::WinCompute { .. } => "WinCompute",
            I::WinRow { .. } => "WinRow",
            I::SorterInsert { .. } => "SorterInsert",
            I::SorterLimit { .. } => "SorterLimit",
            I::SorterTopCheck { .. } => "SorterTopCheck",
            I::SorterSort { .. } => "SorterSort",
            I::SorterData { .. } => "SorterData",
            I::SorterNext { .. } => "SorterNext",
            I::RowSetAdd { .. } => "RowSetAdd",
            I::RowSetRead { .. } => "RowSetRead",
        }
    }
}

fn arith_name(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "Add",
        ArithOp::Subtract => "Subtract",
        ArithOp::Multiply => "Multiply",
        ArithOp::Divide => "Divide",
        ArithOp::Remainder => "Remainder",
        ArithOp::BitAnd => "BitAnd",
        ArithOp::BitOr => "BitOr",
        ArithOp::ShiftLeft => "ShiftLeft",
        ArithOp::ShiftRight => "ShiftRight",
        ArithOp::Concat => "Concat",
    }
}

fn cmp_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "Eq",
        CmpOp::Ne => "Ne",
        CmpOp::Lt => "Lt",
        CmpOp::Le => "Le",
        CmpOp::Gt => "Gt",
        CmpOp::Ge => "Ge",
    }
}

/// One EXPLAIN row per instruction: addr, opcode, p1, p2, p3, p4, p5, comment.
pub fn explain_rows(program: &Program) -> Vec<[Value; 8]> {
    program
        .insns
        .iter()
        .enumerate()
        .map(|(addr, insn)| {
            let o = insn.explain_operands();
            [
                Value::Integer(addr as i64),
                Value::Text(insn.name().as_bytes().to_vec()),
                Value::Integer(o.p1),
                Value::Integer(o.p2),
                Value::Integer(o.p3),
                o.p4.map_or(Value::Null, |s| Value::Text(s.into_bytes())),
                Value::Integer(o.p5),
                o.comment
                    .map_or(Value::Null, |s| Value::Text(s.into_bytes())),
            ]
        })
        .collect()
}
