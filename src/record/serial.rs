//! Serial types, record encoding and lazy record-header parsing.
//!
//! SQLite counterpart: `sqlite3VdbeSerialType`, `sqlite3VdbeSerialGet`,
//! `OP_MakeRecord` and `sqlite3VdbeRecordUnpack` (vdbeaux.c, vdbe.c).
//!
//! Record layout (fileformat2.html §2.1):
//!
//! | part | content |
//! |---|---|
//! | header size | varint: bytes of the header, this varint included |
//! | serial types | one varint per column |
//! | body | each column's bytes, in column order, no padding |
//!
//! Serial types:
//!
//! | type | size | meaning |
//! |---|---|---|
//! | 0 | 0 | NULL |
//! | 1..=6 | 1,2,3,4,6,8 | big-endian two's-complement integer |
//! | 7 | 8 | big-endian IEEE 754 double |
//! | 8, 9 | 0 | integer 0, 1 (schema format 4 only) |
//! | 10, 11 | — | reserved: corrupt |
//! | N≥12 even | (N-12)/2 | BLOB |
//! | N≥13 odd | (N-13)/2 | TEXT |
//!
//! Invariants:
//! 1. `encode_record` produces the shortest serial type for each value and a
//!    minimal header-size varint, exactly as SQLite does.
//! 2. Decoding never reads outside the payload; violations are
//!    [`RecordError`]s.
//! 3. A column index past the header's last column reads as NULL (columns
//!    added by ALTER TABLE ADD COLUMN).

use super::error::RecordError;
use super::value::ValueRef;
use super::varint::{get_varint, put_varint, varint_len};

/// The serial type SQLite would use for `v` in a database whose schema
/// format number is `file_format` (types 8/9 need format 4).
#[inline]
pub fn serial_type_of(v: &ValueRef, file_format: u32) -> u64 {
    match *v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => {
            let u = if i < 0 { !(i as u64) } else { i as u64 };
            if u <= 127 {
                if (i == 0 || i == 1) && file_format >= 4 {
                    8 + i as u64
                } else {
                    1
                }
            } else if u <= 32767 {
                2
            } else if u <= 8_388_607 {
                3
            } else if u <= 2_147_483_647 {
                4
            } else if u <= 0x7fff_ffff_ffff {
                5
            } else {
                6
            }
        }
        ValueRef::Real(_) => 7,
        ValueRef::Text(t) => 13 + 2 * t.len() as u64,
        ValueRef::Blob(b) => 12 + 2 * b.len() as u64,
    }
}

/// Body sizes of the fixed-size serial types 0..=11 (10 and 11 are
/// reserved and read as 0 here).
const FIXED_SIZES: [u8; 12] = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0];

/// Body size in bytes of serial type `t` (0 for the reserved 10 and 11).
#[inline]
pub fn serial_type_size(t: u64) -> usize {
    match FIXED_SIZES.get(t as usize) {
        Some(&n) if t < 12 => usize::from(n),
        _ => usize::try_from((t - 12) / 2).unwrap_or(usize::MAX),
    }
}

/// Decodes the body bytes of one column of serial type `t`; `bytes` must
/// hold at least `serial_type_size(t)` bytes (extra bytes are ignored).
#[inline(always)]
pub fn decode_serial(t: u64, bytes: &[u8]) -> Result<ValueRef<'_>, RecordError> {
    // One arm per type, each with its own bounds check: no size lookup and
    // no byte loop on the hot integer types.
    let short = |size: usize| RecordError::BodyOverrun {
        column: 0,
        end: size as u64,
        payload: bytes.len(),
    };
    Ok(match t {
        0 => ValueRef::Null,
        1 => ValueRef::Integer(i64::from(*bytes.first().ok_or_else(|| short(1))? as i8)),
        2 => ValueRef::Integer(i64::from(i16::from_be_bytes(
            fixed(bytes).ok_or_else(|| short(2))?,
        ))),
        3 => {
            let b: [u8; 3] = fixed(bytes).ok_or_else(|| short(3))?;
            ValueRef::Integer(i64::from(i32::from_be_bytes([b[0], b[1], b[2], 0]) >> 8))
        }
        4 => ValueRef::Integer(i64::from(i32::from_be_bytes(
            fixed(bytes).ok_or_else(|| short(4))?,
        ))),
        5 => {
            let b: [u8; 6] = fixed(bytes).ok_or_else(|| short(6))?;
            ValueRef::Integer(i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], 0, 0]) >> 16)
        }
        6 => ValueRef::Integer(i64::from_be_bytes(fixed(bytes).ok_or_else(|| short(8))?)),
        7 => {
            let r = f64::from_be_bytes(fixed(bytes).ok_or_else(|| short(8))?);
            if r.is_nan() {
                ValueRef::Null
            } else {
                ValueRef::Real(r)
            }
        }
        8 => ValueRef::Integer(0),
        9 => ValueRef::Integer(1),
        10 | 11 => return Err(RecordError::ReservedSerialType { serial_type: t }),
        _ => {
            let size = serial_type_size(t);
            let body = bytes.get(..size).ok_or_else(|| short(size))?;
            if t & 1 == 0 {
                ValueRef::Blob(body)
            } else {
                ValueRef::Text(body)
            }
        }
    })
}

/// The first `N` bytes of `bytes` as an array, if there are that many.
#[inline(always)]
fn fixed<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.get(..N).and_then(|b| b.try_into().ok())
}

/// Appends the body bytes of `v` encoded as serial type `t`.
fn encode_body(v: &ValueRef, t: u64, out: &mut Vec<u8>) {
    match *v {
        ValueRef::Integer(i) => {
            let n = serial_type_size(t);
            let bytes = i.to_be_bytes();
            out.extend_from_slice(bytes.get(8 - n..).unwrap_or(&[]));
        }
        ValueRef::Real(r) => out.extend_from_slice(&r.to_be_bytes()),
        ValueRef::Text(b) | ValueRef::Blob(b) => out.extend_from_slice(b),
        ValueRef::Null => {}
    }
}

/// Appends the record of `values` (schema format 4) to `out`.
pub fn encode_record(values: &[ValueRef], out: &mut Vec<u8>) {
    encode_record_format(values, 4, out);
}

/// Appends the record of `values` for schema format `file_format`.
pub fn encode_record_format(values: &[ValueRef], file_format: u32, out: &mut Vec<u8>) {
    // Serial types are computed once (on the stack for up to 16 columns).
    let mut small = [0u64; 16];
    let mut big = Vec::new();
    let types: &mut [u64] = match small.get_mut(..values.len()) {
        Some(t) => t,
        None => {
            big.resize(values.len(), 0);
            &mut big
        }
    };
    let mut types_len = 0usize;
    let mut body_len = 0usize;
    for (t, v) in types.iter_mut().zip(values) {
        *t = serial_type_of(v, file_format);
        types_len += varint_len(*t);
        body_len += serial_type_size(*t);
    }
    // The header size counts its own varint, whose length depends on it.
    let mut own = 1;
    while varint_len((types_len + own) as u64) != own {
        own = varint_len((types_len + own) as u64);
    }
    let hdr = types_len + own;
    out.reserve(hdr + body_len);
    put_varint(out, hdr as u64);
    for &t in types.iter() {
        match u8::try_from(t) {
            Ok(b) if b < 0x80 => out.push(b),
            _ => {
                put_varint(out, t);
            }
        }
    }
    for (v, &t) in values.iter().zip(types.iter()) {
        encode_body(v, t, out);
    }
}

/// Size in bytes of the record `encode_record` would produce.
pub fn record_size(values: &[ValueRef]) -> usize {
    let mut out = Vec::new();
    encode_record(values, &mut out);
    out.len()
}

/// Streams the columns of a record without allocating: the header is
/// decoded one serial type at a time (SQLite's `sqlite3VdbeRecordCompare`
/// walks records the same way).
#[derive(Debug, Clone)]
pub struct RecordFields<'a> {
    rec: &'a [u8],
    hdr_pos: usize,
    hdr_end: usize,
    body: usize,
    column: usize,
}

impl<'a> RecordFields<'a> {
    /// Starts reading `rec`; fails if its header size is impossible.
    pub fn new(rec: &'a [u8]) -> Result<RecordFields<'a>, RecordError> {
        let bad = |size| RecordError::BadHeaderSize {
            size,
            payload: rec.len(),
        };
        let (size, pos) = get_varint(rec).ok_or(bad(0))?;
        if size < pos as u64 || size > rec.len() as u64 {
            return Err(bad(size));
        }
        let size = size as usize;
        Ok(RecordFields {
            rec,
            hdr_pos: pos,
            hdr_end: size,
            body: size,
            column: 0,
        })
    }

    /// The next column, `None` after the last one.
    #[inline(always)]
    pub fn next_field(&mut self) -> Option<Result<ValueRef<'a>, RecordError>> {
        if self.hdr_pos >= self.hdr_end {
            return None;
        }
        // `hdr_end <= rec.len()` (checked by `new`), so a one-byte serial
        // type needs no further bound.
        let t = match self.rec.get(self.hdr_pos) {
            Some(&b) if b < 0x80 => {
                self.hdr_pos += 1;
                u64::from(b)
            }
            _ => {
                let hdr = self.rec.get(self.hdr_pos..self.hdr_end).unwrap_or(&[]);
                let Some((t, n)) = get_varint(hdr) else {
                    self.hdr_pos = self.hdr_end;
                    return Some(Err(RecordError::TruncatedHeader {
                        offset: self.hdr_pos,
                    }));
                };
                self.hdr_pos += n;
                t
            }
        };
        let size = serial_type_size(t);
        let end = self.body.saturating_add(size);
        let column = self.column;
        self.column += 1;
        let Some(bytes) = self.rec.get(self.body..end) else {
            self.hdr_pos = self.hdr_end;
            return Some(Err(RecordError::BodyOverrun {
                column,
                end: end as u64,
                payload: self.rec.len(),
            }));
        };
        self.body = end;
        Some(decode_serial(t, bytes))
    }
}

/// A parsed record header: each column's serial type and body offset.
/// Reusable: [`RecordHeader::parse_into`] refills it without allocating
/// once it has grown. It can also be parsed lazily (SQLite's `aOffset` /
/// `nHdrParsed`): [`RecordHeader::start`] reads only the header size and
/// [`RecordHeader::parse_to`] parses serial types up to the column asked
/// for, so a row whose first columns are read costs no full header walk.
#[derive(Debug, Clone, Default)]
pub struct RecordHeader {
    cols: Vec<(u64, usize)>,
    header_size: usize,
    /// Next header byte to parse (== `header_size` once complete).
    pos: usize,
    /// Body offset of the next column to parse.
    body: usize,
}

impl RecordHeader {
    /// Parses the header of `payload`.
    pub fn parse(payload: &[u8]) -> Result<RecordHeader, RecordError> {
        let mut h = RecordHeader::default();
        h.parse_into(payload)?;
        Ok(h)
    }

    /// Parses the header of `payload` into `self`, replacing its contents.
    pub fn parse_into(&mut self, payload: &[u8]) -> Result<(), RecordError> {
        self.start(payload)?;
        self.parse_to(payload, usize::MAX)?;
        Ok(())
    }

    /// Starts a lazy parse of `payload`: checks the header size only.
    #[inline]
    pub fn start(&mut self, payload: &[u8]) -> Result<(), RecordError> {
        self.cols.clear();
        let (size, pos) = match payload.first() {
            Some(&b) if b < 0x80 => (u64::from(b), 1),
            _ => get_varint(payload).ok_or(RecordError::BadHeaderSize {
                size: 0,
                payload: payload.len(),
            })?,
        };
        if size < pos as u64 || size > payload.len() as u64 {
            return Err(RecordError::BadHeaderSize {
                size,
                payload: payload.len(),
            });
        }
        self.header_size = size as usize;
        self.pos = pos;
        self.body = size as usize;
        Ok(())
    }

    /// True when every column of the header has been parsed.
    #[inline]
    pub fn is_complete(&self) -> bool {
        self.pos >= self.header_size
    }

    /// Continues a lazy parse of `payload` (the payload given to
    /// [`RecordHeader::start`]) until column `i` is parsed or the header
    /// ends; true when column `i` exists.
    #[inline]
    pub fn parse_to(&mut self, payload: &[u8], i: usize) -> Result<bool, RecordError> {
        if i < self.cols.len() {
            return Ok(true);
        }
        self.parse_more(payload, i)
    }

    fn parse_more(&mut self, payload: &[u8], i: usize) -> Result<bool, RecordError> {
        let hdr = payload.get(..self.header_size).unwrap_or(&[]);
        let (mut pos, mut body) = (self.pos, self.body);
        while self.cols.len() <= i {
            let Some(&b) = hdr.get(pos) else { break };
            let (t, n, size) = if b < 12 {
                let size = FIXED_SIZES.get(usize::from(b)).copied().unwrap_or(0);
                (u64::from(b), 1, usize::from(size))
            } else if b < 0x80 {
                (u64::from(b), 1, usize::from((b - 12) / 2))
            } else {
                match get_varint(hdr.get(pos..).unwrap_or(&[])) {
                    Some((t, n)) => (t, n, serial_type_size(t)),
                    None => return Err(RecordError::TruncatedHeader { offset: pos }),
                }
            };
            let end = body.saturating_add(size);
            if t == 10 || t == 11 || end > payload.len() {
                if t == 10 || t == 11 {
                    return Err(RecordError::ReservedSerialType { serial_type: t });
                }
                return Err(RecordError::BodyOverrun {
                    column: self.cols.len(),
                    end: end as u64,
                    payload: payload.len(),
                });
            }
            pos += n;
            self.cols.push((t, body));
            body = end;
        }
        self.pos = pos;
        self.body = body;
        Ok(i < self.cols.len())
    }

    /// Number of columns in the record (parsed so far, for a lazy parse).
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// True when the record has no columns.
    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    /// Size of the header in bytes.
    pub fn header_size(&self) -> usize {
        self.header_size
    }

    /// Serial type of column `i` (0, i.e. NULL, past the end).
    pub fn serial_type(&self, i: usize) -> u64 {
        self.cols.get(i).map_or(0, |c| c.0)
    }

    /// Decodes column `i` of `payload` (the payload this header was parsed
    /// from); NULL past the last column.
    #[inline]
    pub fn column<'a>(&self, payload: &'a [u8], i: usize) -> Result<ValueRef<'a>, RecordError> {
        let Some(&(t, off)) = self.cols.get(i) else {
            return Ok(ValueRef::Null);
        };
        let bytes = payload.get(off..).ok_or(RecordError::BodyOverrun {
            column: i,
            end: off as u64,
            payload: payload.len(),
        })?;
        decode_serial(t, bytes).map_err(|e| match e {
            RecordError::BodyOverrun { end, payload, .. } => RecordError::BodyOverrun {
                column: i,
                end,
                payload,
            },
            other => other,
        })
    }

    /// Decodes every column into owned values.
    pub fn values(&self, payload: &[u8]) -> Result<Vec<super::value::Value>, RecordError> {
        (0..self.len())
            .map(|i| self.column(payload, i).map(|v| v.to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_types_of_integers() {
        let cases: &[(i64, u64)] = &[
            (0, 8),
            (1, 9),
            (2, 1),
            (-1, 1),
            (127, 1),
            (-128, 1),
            (128, 2),
            (-129, 2),
            (32767, 2),
            (32768, 3),
            (8_388_607, 3),
            (8_388_608, 4),
            (2_147_483_647, 4),
            (2_147_483_648, 5),
            (-2_147_483_649, 5),
            (0x7fff_ffff_ffff, 5),
            (0x8000_0000_0000, 6),
            (i64::MAX, 6),
            (i64::MIN, 6),
        ];
        for &(i, t) in cases {
            assert_eq!(serial_type_of(&ValueRef::Integer(i), 4), t, "{i}");
            let mut out = Vec::new();
            encode_body(&ValueRef::Integer(i), t, &mut out);
            assert_eq!(out.len(), serial_type_size(t));
            assert_eq!(decode_serial(t, &out), Ok(ValueRef::Integer(i)), "{i}");
        }
        assert_eq!(serial_type_of(&ValueRef::Integer(0), 1), 1);
        assert_eq!(serial_type_of(&ValueRef::Integer(1), 3), 1);
    }

    #[test]
    fn other_serial_types() {
        assert_eq!(serial_type_of(&ValueRef::Null, 4), 0);
        assert_eq!(serial_type_of(&ValueRef::Real(1.5), 4), 7);
        assert_eq!(serial_type_of(&ValueRef::Text(b"abc"), 4), 19);
        assert_eq!(serial_type_of(&ValueRef::Blob(b"abc"), 4), 18);
        assert_eq!(serial_type_size(19), 3);
        assert_eq!(serial_type_size(18), 3);
        assert_eq!(serial_type_size(12), 0);
        assert_eq!(serial_type_size(13), 0);
        assert_eq!(
            decode_serial(10, &[]),
            Err(RecordError::ReservedSerialType { serial_type: 10 })
        );
        assert!(decode_serial(6, &[1, 2, 3]).is_err());
        assert_eq!(
            decode_serial(7, &2.5f64.to_be_bytes()),
            Ok(ValueRef::Real(2.5))
        );
    }

    #[test]
    fn record_roundtrip() {
        let big = vec![b'x'; 300];
        let vals = [
            ValueRef::Null,
            ValueRef::Integer(0),
            ValueRef::Integer(-300),
            ValueRef::Real(-0.25),
            ValueRef::Text(b"hello"),
            ValueRef::Blob(&big),
            ValueRef::Integer(i64::MIN),
        ];
        let mut rec = Vec::new();
        encode_record(&vals, &mut rec);
        assert_eq!(record_size(&vals), rec.len());
        let h = RecordHeader::parse(&rec).unwrap();
        assert_eq!(h.len(), vals.len());
        for (i, v) in vals.iter().enumerate() {
            assert_eq!(h.column(&rec, i).unwrap(), *v, "column {i}");
        }
        assert_eq!(h.column(&rec, 99).unwrap(), ValueRef::Null);
    }

    #[test]
    fn known_bytes() {
        // ('table', 1): header 3 bytes, text len 5 -> type 23, integer 1 -> type 9.
        let mut rec = Vec::new();
        encode_record(&[ValueRef::Text(b"table"), ValueRef::Integer(1)], &mut rec);
        assert_eq!(rec, [3, 23, 9, b't', b'a', b'b', b'l', b'e']);
    }

    #[test]
    fn header_size_varint_boundary() {
        // Enough columns that the header crosses 127 bytes.
        for n in 120..135 {
            let vals = vec![ValueRef::Null; n];
            let mut rec = Vec::new();
            encode_record(&vals, &mut rec);
            let h = RecordHeader::parse(&rec).unwrap();
            assert_eq!(h.len(), n);
            assert_eq!(h.header_size(), rec.len());
        }
    }

    #[test]
    fn streaming_fields_match_header() {
        let vals = [
            ValueRef::Integer(7),
            ValueRef::Text(b"abc"),
            ValueRef::Null,
            ValueRef::Real(0.5),
        ];
        let mut rec = Vec::new();
        encode_record(&vals, &mut rec);
        let mut f = RecordFields::new(&rec).unwrap();
        for v in vals {
            assert_eq!(f.next_field().unwrap().unwrap(), v);
        }
        assert!(f.next_field().is_none());
        let mut f = RecordFields::new(&[2, 6, 0]).unwrap();
        assert!(f.next_field().unwrap().is_err());
        assert!(RecordFields::new(&[9]).is_err());
    }

    #[test]
    fn corrupt_headers() {
        assert!(RecordHeader::parse(&[]).is_err());
        assert!(RecordHeader::parse(&[5, 1]).is_err()); // header past end
        assert!(RecordHeader::parse(&[0]).is_err()); // header size < its varint
        assert!(RecordHeader::parse(&[2, 6, 0]).is_err()); // body overrun
        assert!(RecordHeader::parse(&[2, 10]).is_err()); // reserved type
        assert!(RecordHeader::parse(&[3, 0x81]).is_err()); // truncated varint
        assert!(RecordHeader::parse(&[3, 0x81, 0x00]).is_err()); // type 128 blob 58 bytes
        assert_eq!(RecordHeader::parse(&[1]).unwrap().len(), 0);
    }
}
