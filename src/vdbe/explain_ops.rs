//! The p1..p5 operands of each instruction for EXPLAIN.
//!
//! SQLite counterpart: the operand layout of each opcode in opcode.html
//! (for example "Add: P3 = P2 + P1", "Eq: jump to P2 if r[P3] == r[P1]").
//!
//! Invariants:
//! 1. Jump targets are in p2, cursors in p1, as SQLite lays them out.
//! 2. Binary operators put the left operand where SQLite's formula has it
//!    (`Subtract`: P3 = P2 - P1, so lhs is p2) and comparisons put lhs in
//!    p3 (`Lt`: jump if r[P3] < r[P1]).

use super::explain::{
    affinity_string, key_info_p4, ops, root_of, value_p4, with_p4, ExplainOperands,
};
use super::insn::{Insn, OnError, SavepointOp};
use crate::btree::TreeKind;

fn oe_code(oe: OnError) -> usize {
    match oe {
        OnError::Rollback => 1,
        OnError::Abort => 2,
        OnError::Fail => 3,
    }
}

fn func_p4(name: &str, n: usize) -> String {
    format!("{name}({n})")
}

impl Insn {
    /// The operands in SQLite's p1..p5 form (see `explain_rows`).
    pub fn explain_operands(&self) -> ExplainOperands {
        use Insn as I;
        match self {
            I::Init { target } | I::Goto { target } | I::Once { target } => ops(0, *target, 0),
            I::Gosub { reg, target } => ops(*reg, *target, 0),
            I::Return { reg } => ops(*reg, 0, 0),
            I::Halt { rc, on_error, msg } => {
                let o = ops(rc.0 as usize, oe_code(*on_error), 0);
                match msg {
                    Some(m) => with_p4(o, m.clone()),
                    None => o,
                }
            }
            I::HaltIfNull {
                reg,
                rc,
                on_error,
                msg,
            } => with_p4(ops(rc.0 as usize, oe_code(*on_error), *reg), msg.clone()),
            I::If {
                reg,
                target,
                jump_if_null,
            }
            | I::IfNot {
                reg,
                target,
                jump_if_null,
            } => ops(*reg, *target, usize::from(*jump_if_null)),
            I::FkCounter { deferred, delta } => {
                let mut o = ops(usize::from(*deferred), 0, 0);
                o.p2 = *delta;
                o
            }
            I::FkIfZero { deferred, target } => ops(usize::from(*deferred), *target, 0),
            I::IsNull { reg, target }
            | I::NotNull { reg, target }
            | I::DecrJumpZero { reg, target } => ops(*reg, *target, 0),
            I::IfPos {
                reg,
                target,
                decrement,
            } => {
                let mut o = ops(*reg, *target, 0);
                o.p3 = *decrement;
                o
            }
            I::MustBeInt { reg, target } => ops(*reg, target.unwrap_or(0), 0),
            I::OffsetLimit {
                limit,
                dest,
                offset,
            } => ops(*limit, *dest, *offset),
            I::Noop => ops(0, 0, 0),
            I::ChangeCountSave { dest } => ops(*dest, 0, 0),
            I::ChangeCountRestore { saved } => ops(*saved, 0, 0),
            I::Pragma { db, dest, .. } => ops(*db, *dest, 0),
            I::Transaction {
                db,
                write,
                exclusive,
                schema_cookie,
            } => {
                let mut o = ops(
                    *db,
                    usize::from(*write) + usize::from(*write && *exclusive),
                    schema_cookie.unwrap_or(0) as usize,
                );
                o.p5 = i64::from(schema_cookie.is_some());
                o
            }
            I::AutoCommit {
                autocommit,
                rollback,
            } => ops(usize::from(*autocommit), usize::from(*rollback), 0),
            I::Savepoint { op, name } => {
                let code = match op {
                    SavepointOp::Begin => 0,
                    SavepointOp::Release => 1,
                    SavepointOp::Rollback => 2,
                };
                with_p4(ops(code, 0, 0), name.clone())
            }
            I::ReadCookie { db, dest, idx } => ops(*db, *dest, *idx),
            I::SetCookie { db, idx, value } => {
                let mut o = ops(*db, *idx, 0);
                o.p3 = *value;
                o
            }
            I::CreateBtree { db, dest, kind } => {
                let flag = match kind {
                    TreeKind::Table => 1,
                    TreeKind::Index => 2,
                };
                ops(*db, *dest, flag)
            }
            I::Destroy { db, root } => ops(*root as usize, 0, *db),
            I::Vacuum { db, into } => ops(*db, into.unwrap_or(0), 0),
            I::Clear {
                db,
                root,
                count_change,
            } => ops(*root as usize, *db, usize::from(*count_change)),
            I::ParseSchema { db } => ops(*db, 0, 0),
            I::AttachDb { args, detach } => ops(usize::from(!*detach), *args, 0),
            I::OpenRead {
                cursor,
                db,
                root,
                n_cols,
                key_info,
            }
            | I::OpenWrite {
                cursor,
                db,
                root,
                n_cols,
                key_info,
            } => {
                let (r, p5) = root_of(*root);
                let mut o = ops(*cursor, r, *db);
                o.p5 = i64::from(p5);
                match key_info {
                    Some(ki) => with_p4(o, key_info_p4(ki)),
                    None => with_p4(o, n_cols.to_string()),
                }
            }
            I::OpenEphemeral {
                cursor,
                n_cols,
                key_info,
            } => {
                let o = ops(*cursor, *n_cols, 0);
                match key_info {
                    Some(ki) => with_p4(o, key_info_p4(ki)),
                    None => o,
                }
            }
            I::OpenPseudo {
                cursor,
                reg,
                n_cols,
            } => ops(*cursor, *reg, *n_cols),
            I::Close { cursor } | I::NullRow { cursor } => ops(*cursor, 0, 0),
            I::Rewind { cursor, if_empty } | I::Last { cursor, if_empty } => {
                ops(*cursor, *if_empty, 0)
            }
            I::Next { cursor, target }
            | I::Prev { cursor, target }
            | I::SorterNext { cursor, target } => ops(*cursor, *target, 0),
            I::Column {
                cursor,
                column,
                dest,
                default,
            } => {
                let o = ops(*cursor, *column, *dest);
                match default {
                    Some(v) => with_p4(o, value_p4(v)),
                    None => o,
                }
            }
            I::Rowid { cursor, dest }
            | I::IdxRowid { cursor, dest }
            | I::Count { cursor, dest } => ops(*cursor, *dest, 0),
            I::SeekRowid {
                cursor,
                rowid,
                not_found,
            }
            | I::NotExists {
                cursor,
                rowid,
                not_found,
            } => ops(*cursor, *not_found, *rowid),
            I::SeekGE {
                cursor,
                key,
                n_keys,
                not_found,
            }
            | I::SeekGT {
                cursor,
                key,
                n_keys,
                not_found,
            }
            | I::SeekLE {
                cursor,
                key,
                n_keys,
                not_found,
            }
            | I::SeekLT {
                cursor,
                key,
                n_keys,
                not_found,
            } => with_p4(ops(*cursor, *not_found, *key), n_keys.to_string()),
            I::IdxGE {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::IdxGT {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::IdxLE {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::IdxLT {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::Found {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::NotFound {
                cursor,
                key,
                n_keys,
                target,
            }
            | I::NoConflict {
                cursor,
                key,
                n_keys,
                target,
            } => with_p4(ops(*cursor, *target, *key), n_keys.to_string()),
            I::NewRowid {
                cursor,
                dest,
                autoinc_reg,
            } => ops(*cursor, *dest, autoinc_reg.unwrap_or(0)),
            I::Insert {
                cursor,
                record,
                rowid,
                flags,
            } => {
                let mut o = ops(*cursor, *record, *rowid);
                o.p5 = i64::from(flags.count_change)
                    | (i64::from(flags.is_update) << 2)
                    | (i64::from(flags.set_last_rowid) << 5);
                match &flags.table {
                    Some(t) => with_p4(o, t.clone()),
                    None => o,
                }
            }
            I::Delete {
                cursor,
                count_change,
                table,
            } => {
                let o = ops(*cursor, usize::from(*count_change), 0);
                match table {
                    Some(t) => with_p4(o, t.clone()),
                    None => o,
                }
            }
            I::IdxInsert { cursor, key } => ops(*cursor, *key, 0),
            I::IdxDelete {
                cursor,
                key,
                n_keys,
            } => ops(*cursor, *key, *n_keys),
            I::MakeRecord {
                start,
                count,
                dest,
                affinities,
            } => {
                let o = ops(*start, *count, *dest);
                match affinities {
                    Some(a) => with_p4(o, affinity_string(a)),
                    None => o,
                }
            }
            _ => self.explain_value_operands(),
        }
    }

    /// Operands of the register and value opcodes.
    fn explain_value_operands(&self) -> ExplainOperands {
        use Insn as I;
        match self {
            I::Integer { value, dest } => {
                let mut o = ops(0, *dest, 0);
                o.p1 = *value;
                o
            }
            I::Real { value, dest } => {
                with_p4(ops(0, *dest, 0), crate::printf::render_real(*value))
            }
            I::String8 { value, dest } => with_p4(
                ops(0, *dest, 0),
                String::from_utf8_lossy(value).into_owned(),
            ),
            I::Blob { value, dest } => with_p4(
                ops(value.len(), *dest, 0),
                value_p4(&crate::record::Value::Blob(value.to_vec())),
            ),
            I::Null { dest, count } => ops(0, *dest, dest + count.saturating_sub(1)),
            I::Variable { index, dest } => ops(*index, *dest, 0),
            I::Copy { src, dest, count } => ops(*src, *dest, count.saturating_sub(1)),
            I::SCopy { src, dest } => ops(*src, *dest, 0),
            I::Move { src, dest, count } => ops(*src, *dest, *count),
            I::ResultRow { start, count } => ops(*start, *count, 0),
            I::Affinity {
                start,
                count,
                affinities,
            } => with_p4(ops(*start, *count, 0), affinity_string(affinities)),
            I::Cast { reg, affinity } => ops(*reg, usize::from(affinity.code()), 0),
            I::RealAffinity { reg } => ops(*reg, 0, 0),
            I::Arith { lhs, rhs, dest, .. } => ops(*rhs, *lhs, *dest),
            I::Not { src, dest } | I::BitNot { src, dest } | I::Negative { src, dest } => {
                ops(*src, *dest, 0)
            }
            I::And { lhs, rhs, dest } | I::Or { lhs, rhs, dest } => ops(*lhs, *rhs, *dest),
            I::Compare {
                lhs,
                rhs,
                target,
                flags,
                ..
            } => {
                let mut o = ops(*rhs, *target, *lhs);
                o.p5 = i64::from(flags.affinity.code())
                    | (i64::from(flags.jump_if_null) << 4)
                    | (i64::from(flags.null_eq) << 7);
                if let Some(s) = flags.store {
                    o.comment = Some(format!("r[{s}]=result"));
                }
                match &flags.collation {
                    Some(c) => with_p4(o, c.name().to_string()),
                    None => o,
                }
            }
            I::IsTrue {
                src,
                dest,
                null_value,
                invert,
            } => {
                let mut o = ops(*src, *dest, usize::from(*null_value));
                o.p4 = Some(usize::from(*invert).to_string());
                o
            }
            I::Function {
                func,
                args,
                n_args,
                dest,
                ..
            } => {
                let mut o = with_p4(ops(0, *args, *dest), func_p4(&func.name, *n_args));
                o.p5 = *n_args as i64;
                o
            }
            I::AggStep {
                func,
                args,
                n_args,
                acc,
                ..
            } => {
                let mut o = with_p4(ops(0, *args, *acc), func_p4(&func.name, *n_args));
                o.p5 = *n_args as i64;
                o
            }
            I::AggFinal { func, acc, n_args } => {
                with_p4(ops(*acc, *n_args, 0), func_p4(&func.name, *n_args))
            }
            I::SorterOpen {
                cursor,
                n_cols,
                key_info,
            } => with_p4(ops(*cursor, *n_cols, 0), key_info_p4(key_info)),
            I::SorterInsert { cursor, record } => ops(*cursor, *record, 0),
            I::SorterTopCheck {
                cursor,
                key,
                n_keys,
                target,
            } => with_p4(ops(*cursor, *target, *key), n_keys.to_string()),
            I::SorterLimit {
                cursor,
                limit,
                offset,
            } => ops(*cursor, *limit, offset.unwrap_or(0)),
            I::SorterSort { cursor, if_empty } => ops(*cursor, *if_empty, 0),
            I::SorterData {
                cursor,
                dest,
                pseudo,
            } => ops(*cursor, *dest, *pseudo),
            I::WinOpen { cursor } => ops(*cursor, 0, 0),
            I::WinAppend {
                cursor,
                start,
                count,
            } => ops(*cursor, *start, *count),
            I::WinCompute {
                cursor,
                offsets,
                n_offsets,
                ..
            } => ops(*cursor, *offsets, *n_offsets),
            I::WinRow {
                cursor,
                dest,
                if_done,
                ..
            } => ops(*cursor, *if_done, *dest),
            I::RowSetAdd { set, value } => ops(*set, *value, 0),
            I::RowSetRead { set, dest, if_done } => ops(*set, *if_done, *dest),
            I::Vtab(op) => {
                let (p1, p2, p3) = op.operands();
                ops(p1, p2, p3)
            }
            _ => ops(0, 0, 0),
        }
    }
}
