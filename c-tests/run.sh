#!/bin/sh
# Runs loom's C tests: every c-tests/*.c program, compiled against
# include/sqlite3.h and linked twice, (a) statically with
# target/loom/lib/libsqlite3.a and (b) dynamically with libsqlite3.so
# (rpath), plus a check that armor_all.c (gen_armor.py) calls every
# exported function, the header compatibility check (check_header.sh) and the
# export check (scripts/check_exports.sh: SONAME, only sqlite3* symbols).
# Each "ok - ..." / "FAIL - ..." line counts; a program that crashes or
# exits non-zero without printing a FAIL line counts one failure.
# Prints "N passed, N failed" last; exits non-zero on any failure.
#
#   c-tests/run.sh              stage loom (scripts/stage.sh) and test it
#   ORACLE=1 c-tests/run.sh     same programs against the system SQLite,
#                               to check the tests themselves
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIB="$ROOT/target/loom/lib"
CC=${CC:-cc}
BUILD="$HERE/build"
mkdir -p "$BUILD"
if [ "${ORACLE:-0}" = 0 ]; then
  "$ROOT/scripts/stage.sh" >/dev/null || { echo "FAIL - staging"; echo "0 passed, 1 failed"; exit 1; }
fi

pass=0; fail=0
tally() { # $1 = label, $2 = output file, $3 = exit status
  p=$(grep -c '^ok - ' "$2"); f=$(grep -c '^FAIL - ' "$2")
  grep '^FAIL - ' "$2" | sed "s|^|[$1] |"
  if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "[$1] FAIL - exited with status $3"; f=1
  fi
  echo "[$1] $p passed, $f failed"
  pass=$((pass + p)); fail=$((fail + f))
}

for src in "$HERE"/*.c; do
  name=$(basename "$src" .c)
  if [ "${ORACLE:-0}" != 0 ]; then
    variants="oracle"
  else
    variants="static shared"
  fi
  for v in $variants; do
    exe="$BUILD/$name-$v"
    case $v in
      static) link="$LIB/libsqlite3.a -lpthread -ldl -lm" ;;
      shared) link="-L$LIB -Wl,-rpath,$LIB -lsqlite3" ;;
      oracle) link="-lsqlite3" ;;
    esac
    if ! $CC -Wall -Werror -I"$ROOT/include" "$src" -o "$exe" $link 2>"$exe.err"; then
      echo "[$name/$v] FAIL - does not compile or link:"; head -20 "$exe.err"
      fail=$((fail + 1)); continue
    fi
    "$exe" > "$exe.out" 2>&1; st=$?
    tally "$name/$v" "$exe.out" "$st"
  done
done

# Sub-suites that print their own "N passed, N failed" line.
suite() { # $1 = label, rest = command
  label=$1; shift
  "$@" > "$BUILD/$label.out" 2>&1
  sp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$BUILD/$label.out")
  sf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$BUILD/$label.out")
  grep '^FAIL' "$BUILD/$label.out" | sed "s|^|[$label] |"
  echo "[$label] ${sp:-0} passed, ${sf:-1} failed"
  pass=$((pass + ${sp:-0})); fail=$((fail + ${sf:-1}))
}
# armor_all.c must cover every function the staged library exports.
armor_current() {
  nm -D --defined-only "$LIB/libsqlite3.so.0" | awk '{print $3}' | grep '^sqlite3' > "$BUILD/exports.txt" &&
  python3 "$HERE/gen_armor.py" "$ROOT/include/sqlite3.h" "$BUILD/exports.txt" "$BUILD/armor_all.c" >/dev/null &&
  cmp -s "$BUILD/armor_all.c" "$HERE/armor_all.c" &&
  echo "1 passed, 0 failed" || { echo "FAIL - armor_all.c is stale: run c-tests/gen_armor.py"; echo "0 passed, 1 failed"; }
}
if [ "${ORACLE:-0}" = 0 ] && command -v python3 >/dev/null; then
  suite armor_current armor_current
fi
suite check_header "$HERE/check_header.sh"
if [ "${ORACLE:-0}" = 0 ] && [ -x "$ROOT/scripts/check_exports.sh" ]; then
  suite check_exports "$ROOT/scripts/check_exports.sh" "$LIB/libsqlite3.so.0"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
