"""The language read before the first paint (app.configured_language, tomllib alone) is the one
the full settings give, from the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashier_gui.app import configured_language
from cashier_gui.config import ConfigError, Paths, load_settings


def full_language() -> str:
    try:
        return load_settings(Paths.default()).language
    except (ConfigError, OSError):
        return ""


@pytest.mark.parametrize(
    "text",
    [
        None,
        'language = "de"\n',
        'language = "en"\n',
        'language = "xx"\n',
        "language = 3\n",
        "not toml [",
        'provider = "viopay"\n',
    ],
)
def test_same_language_as_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | None
) -> None:
    monkeypatch.setenv("CASHIER_GUI_HOME", str(tmp_path))
    if text is not None:
        Paths.default().settings.write_text(text, encoding="utf-8")
    assert configured_language() == full_language()


def test_same_file_without_a_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASHIER_GUI_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings = Paths.default().settings
    settings.parent.mkdir(parents=True)
    settings.write_text('language = "de"\n', encoding="utf-8")
    assert configured_language() == "de"
