"""Run `cashier-refund` as a real process, with its own home folder and a test keyring file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# As the installed `cashier-refund` starts it (its entry point hands in the PDF drawing).
CLI = [
    sys.executable,
    "-c",
    "import sys; from cashier_gui.__main__ import refund_main; sys.exit(refund_main())",
]
Run = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        CASHIER_GUI_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
        PYTHONPATH=str(ROOT),
        LANGUAGE="en",  # the tests read English (a German test sets LANGUAGE=de itself)
    )


def run_cli(
    env: dict[str, str], *args: str, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def start_sim(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Start `… sim viopay|poynt …` and wait for its URL. Returns the process (the caller ends
    it), the URL and the lines it printed before it."""
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Listening on "):
            return proc, line.split()[2], lines
    proc.kill()
    _, err = proc.communicate(timeout=10)
    raise RuntimeError(f"the simulator did not start: {err[-2000:]}")


def configure_viopay(
    run: Run, url: str, hmac_secret: str, msk_hex: str
) -> subprocess.CompletedProcess[str]:
    """`setup viopay` with the training terminal and key IDs, then both secrets through stdin.
    Returns the answer to `secret set viopay-msk` (it prints the key check value)."""
    from cashier_gui.simulators import viopay as vsim

    setup = run(
        "setup",
        "viopay",
        "--base-url",
        url,
        "--terminal-id",
        vsim.TRAINING_TERMINAL_ID,
        "--key-id",
        vsim.TRAINING_KEY_ID,
        "--test-counter",  # the simulator is on this PC: only a test counter may send there
    )
    assert setup.returncode == 0, setup.stderr
    secret = run("secret", "set", "viopay-hmac-secret", stdin=hmac_secret + "\n")
    assert secret.returncode == 0, secret.stderr
    msk = run("secret", "set", "viopay-msk", stdin=msk_hex + "\n")
    assert msk.returncode == 0, msk.stderr
    return msk
