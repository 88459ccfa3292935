"""Run `cashier-refund` as a real process, with its own home folder and a test keyring file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        CASHIER_GUI_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
        PYTHONPATH=str(ROOT),
    )


def run_cli(
    env: dict[str, str], *args: str, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_gui.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
