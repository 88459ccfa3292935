# Sourced by the scripts: make sure their venv exists with its lock (hashes required) and the app
# (editable) installed, then use it. Two venvs, so that running never needs the dev tools:
#   CASHIER_RUNTIME_ONLY=1  .venv-run  requirements.lock      (./scripts/training)
#   otherwise               .venv      requirements-dev.lock  (./scripts/test, building, linting)
# Installed again when the lock or pyproject.toml changes (its packages, entry points, resources).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${CASHIER_RUNTIME_ONLY:-}" = "1" ]; then
    LOCK="$ROOT/requirements.lock"
    VENV="${CASHIER_RUN_VENV:-$ROOT/.venv-run}"
else
    LOCK="$ROOT/requirements-dev.lock"
    VENV="${CASHIER_VENV:-$ROOT/.venv}"
fi
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.lock-installed"
WANT="$(cat "$LOCK" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$LOCK"
    # The lock's setuptools builds it (nothing unpinned is fetched for the build); should a lock
    # ever come without setuptools, pip fetches one for the build as usual.
    ISOLATION=()
    "$VENV/bin/python" -c "import setuptools" 2>/dev/null && ISOLATION=(--no-build-isolation)
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        ${ISOLATION[@]+"${ISOLATION[@]}"} -e "$ROOT"
    echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
