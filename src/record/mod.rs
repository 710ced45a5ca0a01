//! L2 — varints, serial types, records, values, affinity, collations.
//!
//! SQLite counterpart: vdbeaux.c (records), vdbemem.c (values), utf.c.
//!
//! Everything here is pure computation over byte slices: no I/O, no state.
//! Records are decoded lazily and in place ([`RecordHeader`] plus
//! [`ValueRef`] borrowing the payload); only the VDBE's registers own
//! [`Value`]s.
//!
//! | file | job |
//! |---|---|
//! | `varint.rs` | SQLite varints |
//! | `value.rs` | `Value`/`ValueRef` and conversions to INTEGER, REAL, TEXT |
//! | `numeric.rs` | text → number (`sqlite3AtoF`, `sqlite3Atoi64`) |
//! | `affinity.rs` | column affinity, store coercion, CAST |
//! | `serial.rs` | serial types, record encoding, header parsing |
//! | `collation.rs` | the `Collation` trait, BINARY/NOCASE/RTRIM |
//! | `compare.rs` | value and record ordering, `KeyInfo` |
//! | `encoding.rs` | UTF-8/UTF-16 text encodings of a database |
//! | `error.rs` | `RecordError` → `ResultCode` |

mod affinity;
mod collation;
mod compare;
mod encoding;
mod error;
mod numeric;
mod serial;
mod value;
mod varint;

#[cfg(test)]
mod oracle_tests;

pub use affinity::{affinity_of_decltype, apply_affinity, cast, cast_in, Affinity};
pub use collation::{Binary, Collation, NoCase, Rtrim};
pub use compare::{
    compare_int_real, compare_record_to_key, compare_records, compare_records_prefix,
    compare_records_with_heads, compare_values, record_head, unpack_record, KeyInfo,
};
pub(crate) use encoding::push_utf8;
pub use encoding::{
    binary_in, concat_encoded, decode_text, decode_utf8_lenient, encode_text, translated_result,
    value_to_encoding, TextEncoding,
};
pub use error::RecordError;
pub use numeric::text_to_numeric;
pub use serial::{
    decode_serial, encode_record, encode_record_format, record_size, serial_type_of,
    serial_type_size, RecordFields, RecordHeader,
};
pub use value::{
    real_to_text, value_to_f64, value_to_i64, value_to_text, Value, ValueRef, ValueType,
};
pub use varint::{get_varint, get_varint32, put_varint, varint_len, write_varint};
