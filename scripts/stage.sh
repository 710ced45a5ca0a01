#!/bin/sh
# Builds loom's C library in release mode and stages a drop-in SQLite tree:
#   target/loom/lib/libsqlite3.so.0        (SONAME libsqlite3.so.0)
#   target/loom/lib/libsqlite3.so -> libsqlite3.so.0
#   target/loom/lib/libsqlite3.a
#   target/loom/lib/pkgconfig/sqlite3.pc
#   target/loom/include/sqlite3.h
# Works from any directory. Honors CARGO_TARGET_DIR (where cargo builds) and
# LOOM_STAGE_DIR (where to stage; default <repo>/target/loom).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
STAGE=${LOOM_STAGE_DIR:-$ROOT/target/loom}

(cd "$ROOT" && cargo build --release -p loomdb-capi)

mkdir -p "$STAGE/lib/pkgconfig" "$STAGE/include"
rm -f "$STAGE/lib/libsqlite3.so" "$STAGE/lib/libsqlite3.so.0" "$STAGE/lib/libsqlite3.a"
cp "$BUILD_DIR/release/libsqlite3.so" "$STAGE/lib/libsqlite3.so.0"
ln -s libsqlite3.so.0 "$STAGE/lib/libsqlite3.so"
cp "$BUILD_DIR/release/libsqlite3.a" "$STAGE/lib/libsqlite3.a"
cp "$ROOT/include/sqlite3.h" "$STAGE/include/sqlite3.h"
sed "s|@PREFIX@|$STAGE|" "$ROOT/pkgconfig/sqlite3.pc.in" > "$STAGE/lib/pkgconfig/sqlite3.pc"

echo "staged loom libsqlite3 in $STAGE"
echo "  lib:     $STAGE/lib/libsqlite3.so.0 (+ libsqlite3.so, libsqlite3.a)"
echo "  include: $STAGE/include/sqlite3.h"
echo "  pkg-config: PKG_CONFIG_PATH=$STAGE/lib/pkgconfig pkg-config --cflags --libs sqlite3"
