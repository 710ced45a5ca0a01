#!/bin/sh
# Proves include/sqlite3.h is source-compatible with the system SQLite 3.40.1
# header (/usr/include/sqlite3.h, read here as the test oracle only):
#   (a) every numeric/string #define SQLITE_* of the oracle has the same value
#       in ours (a generated C program prints each value; built once per header);
#   (b) every function and data object the oracle declares is declared by ours;
#   (c) each function, assigned to a pointer of the oracle's exact prototype,
#       compiles with -Werror against ours (C and C++);
#   (d) every public struct has the oracle's size and field offsets.
# Prints one ok/FAIL line per check and "N passed, N failed"; exit 1 on failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ORACLE=${ORACLE_HEADER:-/usr/include/sqlite3.h}
OURS="$ROOT/include"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CC=${CC:-cc}
DEFS="-DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_NORMALIZE -DSQLITE_ENABLE_CEROD"
mkdir -p "$WORK/oracle" && cp "$ORACLE" "$WORK/oracle/sqlite3.h"

python3 "$HERE/gen_header_checks.py" "$ORACLE" "$WORK" || { echo "FAIL generator"; echo "0 passed, 1 failed"; exit 1; }

pass=0; fail=0
ok()   { echo "ok   $1"; pass=$((pass+1)); }
bad()  { echo "FAIL $1"; fail=$((fail+1)); }

# (a) constant values
if $CC $DEFS -I"$WORK/oracle" "$WORK/values.c" -o "$WORK/values_oracle" 2>"$WORK/a1.err" &&
   $CC $DEFS -I"$OURS" "$WORK/values.c" -o "$WORK/values_ours" 2>"$WORK/a2.err"; then
  "$WORK/values_oracle" > "$WORK/values_oracle.txt"
  "$WORK/values_ours" > "$WORK/values_ours.txt"
  n=$(wc -l < "$WORK/values_oracle.txt")
  if diff "$WORK/values_oracle.txt" "$WORK/values_ours.txt" > "$WORK/a.diff"; then
    ok "(a) $n #define values match"
  else
    bad "(a) #define values differ:"; cat "$WORK/a.diff"
  fi
else
  bad "(a) value program does not compile"; head -30 "$WORK/a1.err" "$WORK/a2.err"
fi

# (b) declared names: every oracle name appears as a declared identifier in ours
$CC $DEFS -E -I"$OURS" "$WORK/names.c" > "$WORK/ours.i" 2>"$WORK/b.err"
missing=0
while read -r name; do
  if ! grep -Eq "[^A-Za-z0-9_]$name[^A-Za-z0-9_]" "$WORK/ours.i"; then
    echo "  missing: $name"; missing=$((missing+1))
  fi
done < "$WORK/names.txt"
n=$(wc -l < "$WORK/names.txt")
if [ "$missing" -eq 0 ]; then ok "(b) all $n declared names present"; else bad "(b) $missing of $n names missing"; fi

# (c) exact prototypes
if $CC $DEFS -std=c99 -Wall -Wextra -Werror -Wno-unused-variable -Wno-deprecated-declarations \
     -c -I"$OURS" "$WORK/protos.c" -o "$WORK/protos.o" 2>"$WORK/c.err"; then
  ok "(c) $(grep -c '= sqlite3' "$WORK/protos.c") prototypes match exactly (C, -Werror)"
else
  bad "(c) prototype mismatches (C)"; head -40 "$WORK/c.err"
fi
if command -v c++ >/dev/null 2>&1; then
  if c++ $DEFS -Wall -Werror -Wno-unused-variable -Wno-deprecated-declarations \
       -x c++ -c -I"$OURS" "$WORK/protos.c" -o "$WORK/protos_cxx.o" 2>"$WORK/cxx.err"; then
    ok "(c) prototypes match exactly (C++, extern \"C\" guards)"
  else
    bad "(c) prototype mismatches (C++)"; head -40 "$WORK/cxx.err"
  fi
fi

# (d) struct layouts
if $CC $DEFS -I"$WORK/oracle" "$WORK/layout.c" -o "$WORK/layout_oracle" 2>"$WORK/d1.err" &&
   $CC $DEFS -I"$OURS" "$WORK/layout.c" -o "$WORK/layout_ours" 2>"$WORK/d2.err"; then
  "$WORK/layout_oracle" > "$WORK/layout_oracle.txt"
  "$WORK/layout_ours" > "$WORK/layout_ours.txt"
  n=$(wc -l < "$WORK/layout_oracle.txt")
  if diff "$WORK/layout_oracle.txt" "$WORK/layout_ours.txt" > "$WORK/d.diff"; then
    ok "(d) $n struct sizes/offsets match"
  else
    bad "(d) struct layouts differ:"; cat "$WORK/d.diff"
  fi
else
  bad "(d) layout program does not compile"; head -30 "$WORK/d1.err" "$WORK/d2.err"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
