//! Integrity check (placeholder, filled in below).
