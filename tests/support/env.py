"""What some tests need from outside: a package build, an Xvfb display (scripts/test and
.ci/run provide them). Missing in CI: the test fails; elsewhere: it is skipped, saying how."""

from __future__ import annotations

import os

import pytest


def from_env(name: str, how: str) -> str:
    value = os.environ.get(name)
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"CI must set {name}: {how}")
        pytest.skip(f"{name} is not set: {how}")
    return value


def xvfb_display() -> str:
    return from_env("CASHIER_TEST_XVFB_DISPLAY", "run the tests through scripts/test (starts Xvfb)")
