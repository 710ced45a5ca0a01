//! Unit tests of the sorter: ordering, stability, spilling and top-n.

use super::*;
use crate::record::{encode_record, Binary, Collation, NoCase, RecordHeader, Value, ValueRef};

fn rec(vals: &[ValueRef]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_record(vals, &mut out);
    out
}

fn drain(s: &mut Sorter) -> Vec<Vec<Value>> {
    let mut out = vec![];
    while let Some(d) = s.data() {
        out.push(RecordHeader::parse(d).unwrap().values(d).unwrap());
        s.advance().unwrap();
    }
    out
}

#[test]
fn desc_and_collation_order() {
    let ki = KeyInfo {
        collations: vec![Arc::new(NoCase) as Arc<dyn Collation>, Arc::new(Binary)],
        desc: vec![false, true],
    };
    let mut s = Sorter::new(Arc::new(ki));
    for (t, n) in [("b", 1), ("A", 2), ("a", 3), ("B", 0), ("c", 9)] {
        s.insert(&rec(&[ValueRef::Text(t.as_bytes()), ValueRef::Integer(n)]))
            .unwrap();
    }
    assert!(s.sort().unwrap());
    let got: Vec<i64> = drain(&mut s)
        .iter()
        .map(|r| match r[1] {
            Value::Integer(i) => i,
            _ => -1,
        })
        .collect();
    // NOCASE groups a/A and b/B; within a group, column 2 descends.
    assert_eq!(got, vec![3, 2, 1, 0, 9]);
}

#[test]
fn empty_and_mixed_types() {
    let mut s = Sorter::new(Arc::new(KeyInfo::binary(1)));
    assert!(!s.sort().unwrap());
    assert!(s.data().is_none());
    for v in [
        ValueRef::Text(b"x"),
        ValueRef::Null,
        ValueRef::Real(1.5),
        ValueRef::Integer(1),
    ] {
        s.insert(&rec(&[v])).unwrap();
    }
    assert!(s.sort().unwrap());
    let got = drain(&mut s);
    assert_eq!(got[0], vec![Value::Null]);
    assert_eq!(got[1], vec![Value::Integer(1)]);
    assert_eq!(got[2], vec![Value::Real(1.5)]);
    assert_eq!(got[3], vec![Value::Text(b"x".to_vec())]);
}

/// A pseudo-random text of 4..28 letters from `seed`.
fn text(seed: &mut u64) -> Vec<u8> {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    let len = 4 + (*seed % 24) as usize;
    (0..len)
        .map(|i| b'a' + (((*seed >> (i % 8 * 8)) as u8).wrapping_add(i as u8)) % 26)
        .collect()
}

#[test]
fn spills_runs_and_merges_in_order() {
    // 300,000 records under a 1 MiB budget: many runs, then a k-way merge.
    let mut s = Sorter::with_budget(Arc::new(KeyInfo::binary(1)), 1 << 20, None);
    let mut seed = 0x2545_f491_4f6c_dd1d;
    let mut expect = Vec::new();
    for i in 0..300_000i64 {
        let t = text(&mut seed);
        s.insert(&rec(&[ValueRef::Text(&t), ValueRef::Integer(i)]))
            .unwrap();
        expect.push((t, i));
    }
    assert!(s.sort().unwrap());
    assert!(s.spilled_runs() > 5, "only {} runs", s.spilled_runs());
    // Stable: equal texts keep insertion order.
    expect.sort_by(|a, b| a.0.cmp(&b.0));
    let mut n = 0;
    while let Some(d) = s.data() {
        let v = RecordHeader::parse(d).unwrap().values(d).unwrap();
        assert_eq!(v[0], Value::Text(expect[n].0.clone()), "record {n}");
        assert_eq!(v[1], Value::Integer(expect[n].1), "record {n}");
        n += 1;
        s.advance().unwrap();
    }
    assert_eq!(n, expect.len());
}

#[test]
fn top_n_keeps_the_smallest_stably() {
    let ki = Arc::new(KeyInfo {
        collations: vec![Arc::new(Binary) as Arc<dyn Collation>],
        desc: vec![true],
    });
    let mut s = Sorter::new(ki);
    s.set_limit(Some(10));
    let mut all = Vec::new();
    for i in 0..10_000i64 {
        let k = (i * 7919) % 1000;
        s.insert(&rec(&[ValueRef::Integer(k), ValueRef::Integer(i)]))
            .unwrap();
        all.push((k, i));
    }
    assert!(s.sort().unwrap());
    all.sort_by_key(|e| std::cmp::Reverse(e.0));
    let got: Vec<(i64, i64)> = drain(&mut s)
        .iter()
        .map(|r| match (&r[0], &r[1]) {
            (Value::Integer(a), Value::Integer(b)) => (*a, *b),
            _ => (-1, -1),
        })
        .collect();
    assert_eq!(got, all[..10].to_vec());
    assert_eq!(s.spilled_runs(), 0);
}
