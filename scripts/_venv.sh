# Sourced by the scripts: make sure .venv exists and matches requirements-dev.lock (hashes
# required), then use it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CASHIER_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.lock-installed"
if [ ! -f "$STAMP" ] || ! cmp -s "$ROOT/requirements-dev.lock" "$STAMP"; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes \
        -r "$ROOT/requirements-dev.lock"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$ROOT"
    cp "$ROOT/requirements-dev.lock" "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
