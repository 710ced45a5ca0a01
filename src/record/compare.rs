//! Value and record comparison: the sort order of SQL values and of index
//! keys.
//!
//! SQLite counterpart: `sqlite3MemCompare`, `sqlite3IntFloatCompare`,
//! `sqlite3VdbeRecordCompare` and `KeyInfo` (vdbeaux.c, sqliteInt.h).
//!
//! Invariants:
//! 1. NULL < INTEGER/REAL < TEXT < BLOB; two NULLs compare equal.
//! 2. INTEGER vs REAL is compared exactly (no rounding of large integers).
//! 3. TEXT uses the column's collation; BLOB is `memcmp` then length.
//! 4. A DESC key column reverses that column's order only.
//! 5. Record comparison stops at the first unequal column; when every
//!    compared column is equal the result is `Equal` (callers that need a
//!    tie-break, such as seeks, apply their own bias).

use std::cmp::Ordering;
use std::sync::Arc;

use super::collation::{Binary, Collation};
use super::error::RecordError;
use super::serial::RecordFields;
use super::value::ValueRef;

/// Sort information for the columns of an index key (SQLite's `KeyInfo`).
/// Columns beyond the vectors' lengths use BINARY, ascending.
#[derive(Debug, Clone, Default)]
pub struct KeyInfo {
    /// Collation of each key column.
    pub collations: Vec<Arc<dyn Collation>>,
    /// True where the key column is sorted DESC.
    pub desc: Vec<bool>,
}

impl KeyInfo {
    /// A KeyInfo of `n` BINARY ascending columns.
    pub fn binary(n: usize) -> KeyInfo {
        KeyInfo {
            collations: (0..n)
                .map(|_| Arc::new(Binary) as Arc<dyn Collation>)
                .collect(),
            desc: vec![false; n],
        }
    }

    fn collation(&self, i: usize) -> &dyn Collation {
        match self.collations.get(i) {
            Some(c) => c.as_ref(),
            None => &Binary,
        }
    }

    fn is_desc(&self, i: usize) -> bool {
        self.desc.get(i).copied().unwrap_or(false)
    }
}

/// Exact comparison of an integer with a real (`sqlite3IntFloatCompare`).
pub fn compare_int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    if r >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    let y = r as i64;
    match i.cmp(&y) {
        Ordering::Equal => {}
        o => return o,
    }
    let s = i as f64;
    s.partial_cmp(&r).unwrap_or(Ordering::Equal)
}

fn class(v: &ValueRef) -> u8 {
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(_) | ValueRef::Real(_) => 1,
        ValueRef::Text(_) => 2,
        ValueRef::Blob(_) => 3,
    }
}

/// Orders two values as SQLite's `sqlite3MemCompare` does, using `coll` for
/// TEXT.
pub fn compare_values(a: &ValueRef, b: &ValueRef, coll: &dyn Collation) -> Ordering {
    match (*a, *b) {
        (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(&y),
        (ValueRef::Real(x), ValueRef::Real(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (ValueRef::Integer(x), ValueRef::Real(y)) => compare_int_real(x, y),
        (ValueRef::Real(x), ValueRef::Integer(y)) => compare_int_real(y, x).reverse(),
        (ValueRef::Text(x), ValueRef::Text(y)) => coll.compare(x, y),
        (ValueRef::Blob(x), ValueRef::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// Compares the first `key.len()` columns of `record` with `key` under
/// `ki` (index seeks). A record with fewer columns than the key compares
/// equal on the missing ones. Only the columns compared are decoded.
#[inline]
pub fn compare_record_to_key(
    record: &[u8],
    key: &[ValueRef],
    ki: &KeyInfo,
) -> Result<Ordering, RecordError> {
    match first_field_differs(record, key, ki) {
        Some(o) => Ok(o),
        None => compare_record_to_key_all(record, key, ki),
    }
}

/// [`compare_record_to_key`] column by column.
#[inline(never)]
fn compare_record_to_key_all(
    record: &[u8],
    key: &[ValueRef],
    ki: &KeyInfo,
) -> Result<Ordering, RecordError> {
    let mut fields = RecordFields::new(record)?;
    for (i, k) in key.iter().enumerate() {
        let Some(v) = fields.next_field() else {
            break;
        };
        let o = match (v?, k) {
            (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(y),
            (v, k) => compare_values(&v, k, ki.collation(i)),
        };
        if o != Ordering::Equal {
            return Ok(if ki.is_desc(i) { o.reverse() } else { o });
        }
    }
    Ok(Ordering::Equal)
}

/// The fast path of [`compare_record_to_key`] (SQLite's
/// `vdbeRecordCompareInt`/`vdbeRecordCompareString`): when the record's
/// header size and first serial type are one byte each and the first field
/// and key column are both INTEGER, or both TEXT under BINARY, the first
/// column is compared in place. `Some` when it decides the order; `None`
/// (equal first columns, other types, unusual layouts) leaves the answer
/// to the general loop.
#[inline(always)]
fn first_field_differs(record: &[u8], key: &[ValueRef], ki: &KeyInfo) -> Option<Ordering> {
    let (&[h, t, ..], Some(k)) = (record, key.first()) else {
        return None;
    };
    let (h, t) = (usize::from(h), usize::from(t));
    if !(2..0x80).contains(&h) || t >= 0x80 {
        return None;
    }
    let o = match *k {
        ValueRef::Integer(y) if (1..=6).contains(&t) => {
            let size = match t {
                5 => 6,
                6 => 8,
                n => n,
            };
            let body = record.get(h..h + size)?;
            let mut x: i64 = if body.first().is_some_and(|b| b & 0x80 != 0) {
                -1
            } else {
                0
            };
            for &b in body {
                x = (x << 8) | i64::from(b);
            }
            x.cmp(&y)
        }
        ValueRef::Text(y) if t >= 13 && t % 2 == 1 && ki.collation(0).is_binary() => {
            let x = record.get(h..h + (t - 13) / 2)?;
            x.cmp(y)
        }
        _ => return None,
    };
    match o {
        Ordering::Equal => None,
        o if ki.is_desc(0) => Some(o.reverse()),
        o => Some(o),
    }
}

/// Decodes every field of `rec` into `out` (SQLite's unpacked record), so a
/// search that compares it with many records decodes it once. Returns the
/// number of fields, or `None` when `rec` has more fields than `out` holds
/// (or is malformed; the caller then compares the record itself, which
/// reports the error).
pub fn unpack_record<'a>(rec: &'a [u8], out: &mut [ValueRef<'a>]) -> Option<usize> {
    let mut fields = RecordFields::new(rec).ok()?;
    let mut n = 0;
    while let Some(v) = fields.next_field() {
        *out.get_mut(n)? = v.ok()?;
        n += 1;
    }
    Some(n)
}

/// Compares two records column by column over their common columns.
pub fn compare_records(a: &[u8], b: &[u8], ki: &KeyInfo) -> Result<Ordering, RecordError> {
    compare_records_prefix(a, b, ki, usize::MAX)
}

/// Like [`compare_records`], but only the first `n` fields take part (a
/// sorter's key columns; the rest of the record is its payload).
pub fn compare_records_prefix(
    a: &[u8],
    b: &[u8],
    ki: &KeyInfo,
    n: usize,
) -> Result<Ordering, RecordError> {
    let mut fa = RecordFields::new(a)?;
    let mut fb = RecordFields::new(b)?;
    for i in 0..n {
        let (Some(va), Some(vb)) = (fa.next_field(), fb.next_field()) else {
            break;
        };
        let o = match (va?, vb?) {
            (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(&y),
            (va, vb) => compare_values(&va, &vb, ki.collation(i)),
        };
        if o != Ordering::Equal {
            return Ok(if ki.is_desc(i) { o.reverse() } else { o });
        }
    }
    Ok(Ordering::Equal)
}

/// The first field of `record` (a sorter's leading key column), decoded
/// once so a sort can compare it without re-parsing the record; `None` for
/// a record with no fields.
pub fn record_head(record: &[u8]) -> Result<Option<ValueRef<'_>>, RecordError> {
    RecordFields::new(record)?.next_field().transpose()
}

/// Orders two records whose first fields are `ha` and `hb` (from
/// [`record_head`]) on their first `n` key columns: the heads decide unless
/// they are equal, then the whole records are compared.
pub fn compare_records_with_heads(
    (ha, a): (Option<&ValueRef>, &[u8]),
    (hb, b): (Option<&ValueRef>, &[u8]),
    ki: &KeyInfo,
    n: usize,
) -> Result<Ordering, RecordError> {
    if let (Some(x), Some(y)) = (ha, hb) {
        if n > 0 {
            let o = compare_values(x, y, ki.collation(0));
            if o != Ordering::Equal {
                return Ok(if ki.is_desc(0) { o.reverse() } else { o });
            }
            if n == 1 {
                return Ok(Ordering::Equal);
            }
        }
    }
    compare_records_prefix(a, b, ki, n)
}

#[cfg(test)]
mod tests {
    use super::super::collation::NoCase;
    use super::super::serial::encode_record;
    use super::*;

    #[test]
    fn cross_type_order() {
        let order = [
            ValueRef::Null,
            ValueRef::Integer(i64::MIN),
            ValueRef::Real(-1.5),
            ValueRef::Integer(-1),
            ValueRef::Real(0.5),
            ValueRef::Integer(1),
            ValueRef::Real(1e300),
            ValueRef::Text(b""),
            ValueRef::Text(b"A"),
            ValueRef::Text(b"a"),
            ValueRef::Blob(b""),
            ValueRef::Blob(b"\x00"),
        ];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                assert_eq!(compare_values(a, b, &Binary), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn exact_int_real() {
        let big = 9_007_199_254_740_993i64; // 2^53 + 1, not representable
        assert_eq!(
            compare_int_real(big, 9_007_199_254_740_992.0),
            Ordering::Greater
        );
        assert_eq!(
            compare_int_real(big - 1, 9_007_199_254_740_992.0),
            Ordering::Equal
        );
        assert_eq!(
            compare_int_real(i64::MAX, 9.223_372_036_854_776e18),
            Ordering::Less
        );
        assert_eq!(
            compare_int_real(i64::MIN, -9.223_372_036_854_776e18),
            Ordering::Equal
        );
        assert_eq!(compare_int_real(3, 3.0), Ordering::Equal);
        assert_eq!(compare_int_real(-3, -2.5), Ordering::Less);
        assert_eq!(
            compare_values(&ValueRef::Null, &ValueRef::Null, &Binary),
            Ordering::Equal
        );
        assert_eq!(
            compare_values(&ValueRef::Text(b"ABC"), &ValueRef::Text(b"abc"), &NoCase),
            Ordering::Equal
        );
    }

    #[test]
    fn records() {
        let mut a = Vec::new();
        encode_record(&[ValueRef::Text(b"b"), ValueRef::Integer(5)], &mut a);
        let mut b = Vec::new();
        encode_record(&[ValueRef::Text(b"B"), ValueRef::Integer(7)], &mut b);
        let bin = KeyInfo::binary(2);
        assert_eq!(compare_records(&a, &b, &bin), Ok(Ordering::Greater));
        let nocase = KeyInfo {
            collations: vec![Arc::new(NoCase), Arc::new(Binary)],
            desc: vec![false, false],
        };
        assert_eq!(compare_records(&a, &b, &nocase), Ok(Ordering::Less));
        let desc = KeyInfo {
            collations: nocase.collations.clone(),
            desc: vec![false, true],
        };
        assert_eq!(compare_records(&a, &b, &desc), Ok(Ordering::Greater));
        assert_eq!(
            compare_record_to_key(&a, &[ValueRef::Text(b"b")], &bin),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare_record_to_key(&a, &[ValueRef::Text(b"c")], &bin),
            Ok(Ordering::Less)
        );
        assert_eq!(
            compare_record_to_key(&a, &[ValueRef::Text(b"b"), ValueRef::Integer(4)], &bin),
            Ok(Ordering::Greater)
        );
        assert!(compare_record_to_key(&[9, 9], &[ValueRef::Null], &bin).is_err());
    }

    #[test]
    fn unpacked_record_orders_like_the_record() {
        let rows: [&[ValueRef]; 5] = [
            &[ValueRef::Integer(3), ValueRef::Integer(1)],
            &[ValueRef::Integer(3), ValueRef::Integer(2)],
            &[ValueRef::Real(2.5), ValueRef::Text(b"x")],
            &[ValueRef::Null, ValueRef::Blob(b"\x01")],
            &[ValueRef::Text(b"a"), ValueRef::Integer(-7), ValueRef::Null],
        ];
        let recs: Vec<Vec<u8>> = rows
            .iter()
            .map(|r| {
                let mut v = Vec::new();
                encode_record(r, &mut v);
                v
            })
            .collect();
        let ki = KeyInfo {
            collations: vec![Arc::new(NoCase), Arc::new(Binary)],
            desc: vec![false, true],
        };
        for a in &recs {
            for b in &recs {
                let mut buf = [ValueRef::Null; 4];
                let n = unpack_record(b, &mut buf).expect("fits");
                assert_eq!(
                    compare_record_to_key(a, &buf[..n], &ki),
                    compare_records(a, b, &ki)
                );
            }
        }
        let mut small = [ValueRef::Null; 2];
        assert_eq!(unpack_record(&recs[4], &mut small), None);
        assert_eq!(unpack_record(&[9, 9], &mut small), None);
    }
}
