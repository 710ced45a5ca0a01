//! `sqlite3_index_info`: the C layout of xBestIndex's argument, filled from
//! and read back into the engine's [`IndexInfo`].
//!
//! SQLite counterpart: `sqlite3_index_info` (sqlite3.h) as built by
//! where.c's `allocateIndexInfo` and read by `whereLoopAddVirtualOne`.
//!
//! Layout (x86-64 / aarch64 LP64, C alignment rules):
//!
//! | struct | field | type |
//! |---|---|---|
//! | sqlite3_index_constraint | iColumn, op, usable, iTermOffset | int, u8, u8, int |
//! | sqlite3_index_orderby | iColumn, desc | int, u8 |
//! | sqlite3_index_constraint_usage | argvIndex, omit | int, u8 |
//! | sqlite3_index_info | nConstraint, aConstraint, nOrderBy, aOrderBy, aConstraintUsage, idxNum, idxStr, needToFreeIdxStr, orderByConsumed, estimatedCost, estimatedRows, idxFlags, colUsed | int, ptr, int, ptr, ptr, int, char*, int, int, double, i64, int, u64 |
//!
//! Invariants:
//! 1. The arrays live in [`CIndexInfo`] for the duration of one xBestIndex
//!    call; the C struct points into them and is never used afterwards.
//! 2. `idxStr` is copied out, then freed with `sqlite3_free` when
//!    `needToFreeIdxStr` is set.

use std::ffi::{c_char, c_int, c_uchar, CStr};

use loomdb::vtab::{ConstraintUsage, IndexInfo};

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sqlite3_index_constraint {
    pub i_column: c_int,
    pub op: c_uchar,
    pub usable: c_uchar,
    pub i_term_offset: c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sqlite3_index_orderby {
    pub i_column: c_int,
    pub desc: c_uchar,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct sqlite3_index_constraint_usage {
    pub argv_index: c_int,
    pub omit: c_uchar,
}

#[repr(C)]
pub struct sqlite3_index_info {
    pub n_constraint: c_int,
    pub a_constraint: *mut sqlite3_index_constraint,
    pub n_order_by: c_int,
    pub a_order_by: *mut sqlite3_index_orderby,
    pub a_constraint_usage: *mut sqlite3_index_constraint_usage,
    pub idx_num: c_int,
    pub idx_str: *mut c_char,
    pub need_to_free_idx_str: c_int,
    pub order_by_consumed: c_int,
    pub estimated_cost: f64,
    pub estimated_rows: i64,
    pub idx_flags: c_int,
    pub col_used: u64,
}

/// The C structure and the arrays it points into (invariant 1).
pub(crate) struct CIndexInfo {
    constraints: Vec<sqlite3_index_constraint>,
    order_by: Vec<sqlite3_index_orderby>,
    usage: Vec<sqlite3_index_constraint_usage>,
    pub(crate) info: sqlite3_index_info,
}

impl CIndexInfo {
    /// The C form of `info`'s inputs, outputs at their defaults.
    pub(crate) fn new(info: &IndexInfo) -> Box<CIndexInfo> {
        let constraints: Vec<_> = info
            .constraints
            .iter()
            .enumerate()
            .map(|(i, c)| sqlite3_index_constraint {
                i_column: c.column,
                op: c.op.code(),
                usable: c_uchar::from(c.usable),
                i_term_offset: i as c_int,
            })
            .collect();
        let order_by: Vec<_> = info
            .order_by
            .iter()
            .map(|o| sqlite3_index_orderby {
                i_column: o.column,
                desc: c_uchar::from(o.desc),
            })
            .collect();
        let usage = vec![sqlite3_index_constraint_usage::default(); constraints.len()];
        let mut b = Box::new(CIndexInfo {
            constraints,
            order_by,
            usage,
            info: sqlite3_index_info {
                n_constraint: info.constraints.len() as c_int,
                a_constraint: std::ptr::null_mut(),
                n_order_by: info.order_by.len() as c_int,
                a_order_by: std::ptr::null_mut(),
                a_constraint_usage: std::ptr::null_mut(),
                idx_num: 0,
                idx_str: std::ptr::null_mut(),
                need_to_free_idx_str: 0,
                order_by_consumed: 0,
                estimated_cost: info.estimated_cost,
                estimated_rows: info.estimated_rows,
                idx_flags: 0,
                col_used: info.col_used,
            },
        });
        b.info.a_constraint = b.constraints.as_mut_ptr();
        b.info.a_order_by = b.order_by.as_mut_ptr();
        b.info.a_constraint_usage = b.usage.as_mut_ptr();
        b
    }

    /// Copies xBestIndex's answers into `info` and frees `idxStr` when the
    /// module asked for it (invariant 2).
    pub(crate) fn read_back(&mut self, info: &mut IndexInfo) {
        for (u, c) in info.usage.iter_mut().zip(self.usage.iter()) {
            *u = ConstraintUsage {
                argv_index: c.argv_index,
                omit: c.omit != 0,
            };
        }
        let i = &self.info;
        info.idx_num = i.idx_num;
        info.order_by_consumed = i.order_by_consumed != 0;
        info.estimated_cost = i.estimated_cost;
        info.estimated_rows = i.estimated_rows;
        info.idx_flags = i.idx_flags;
        info.idx_str = if i.idx_str.is_null() {
            None
        } else {
            // SAFETY: a non-NULL idxStr is a NUL-terminated string the
            // module owns until we free it (or forever, if not ours).
            Some(
                unsafe { CStr::from_ptr(i.idx_str) }
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        if i.need_to_free_idx_str != 0 && !i.idx_str.is_null() {
            // SAFETY: needToFreeIdxStr says idxStr came from sqlite3_malloc.
            unsafe { crate::memory::sqlite3_free(i.idx_str.cast()) };
        }
        self.info.idx_str = std::ptr::null_mut();
    }
}
