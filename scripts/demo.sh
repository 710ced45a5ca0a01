#!/usr/bin/env bash
# Builds loom's libsqlite3.so.0 and runs an unchanged Python program on it:
# CPython's own sqlite3 module, with LD_LIBRARY_PATH pointing at loom.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/stage.sh" >/dev/null
LD_LIBRARY_PATH="$ROOT/target/loom/lib" exec python3 "$ROOT/examples/demo.py" "${1:-:memory:}"
