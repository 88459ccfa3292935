"""heap.trim: scrypt's working memory goes back to the OS after a PIN check (glibc), and the
call does nothing where there is no glibc (Windows, macOS)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from cashier_gui import heap
from cashier_gui.operators import OperatorStore, Role, WrongPin

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.parametrize("name", ["win32", "darwin", "cygwin"])
def test_trim_does_nothing_without_glibc(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", name)
    try:
        assert heap.trim() is False
    finally:
        heap._malloc_trim.cache_clear()


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc_trim")
def test_a_second_pin_check_leaves_8_mib_resident_unless_trimmed() -> None:
    """In a fresh process (the heap's state is the process's history): the second scrypt of
    8 MiB stays resident after it is freed; heap.trim gives it back."""
    code = """
import sys
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cashier_gui import heap
from cashier_gui.operators import SCRYPT_N, SCRYPT_P, SCRYPT_R

def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20

start = resident()
for _ in range(2):
    Scrypt(salt=b"s" * 16, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(b"1234")
kept = resident() - start
assert heap.trim() is True
print(kept, resident() - start)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    kept, after = map(float, out.split())
    assert kept >= 6, kept  # 128·n·r = 8 MiB, left in the heap
    assert after <= kept - 6, (kept, after)


def test_every_pin_check_and_new_pin_trims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def spy() -> bool:
        calls.append(True)
        return True

    monkeypatch.setattr(heap, "trim", spy)
    store = OperatorStore(tmp_path / "operators.json")
    store.add("Maria", Role.MANAGER, "4711")
    assert len(calls) == 1
    store.verify("Maria", "4711")
    with pytest.raises(WrongPin):
        store.verify("Maria", "0000")
    store.set_pin("Maria", "1357")
    assert len(calls) == 4
