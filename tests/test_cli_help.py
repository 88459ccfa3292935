"""Every option of every command says what it is for (`cashier-refund … --help`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_gui.cli import build_parser


def commands(
    parser: argparse.ArgumentParser, path: str = "cashier-refund"
) -> Iterator[tuple[str, argparse.ArgumentParser, dict[str, str | None]]]:
    """(command path, parser, help of each subcommand) for the parser and all below it."""
    helps: dict[str, str | None] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                helps[choice.dest] = choice.help
            for name, sub in action.choices.items():
                yield from commands(sub, f"{path} {name}")
    yield path, parser, helps


def test_every_option_and_command_has_help() -> None:
    missing = []
    seen = 0
    for path, parser, sub_helps in commands(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._VersionAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                for name in action.choices:
                    if not sub_helps.get(name):
                        missing.append(f"{path} {name}")
                continue
            seen += 1
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert seen > 40  # the walk really reached the subcommands' options
    assert missing == []


def test_setup_poynt_takes_the_shops_currency() -> None:
    args = build_parser().parse_args(["setup", "poynt", "--host", "10.0.0.5", "--currency", "usd"])
    assert args.currency == "usd" and args.port == 55555


def test_setup_poynt_saves_the_currency_once(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cashier_gui.cli import main
    from cashier_gui.config import Paths, load_settings

    assert main(["setup", "poynt", "--host", "10.0.0.5"]) == 0
    assert "--currency USD" in capsys.readouterr().err  # told to set it once
    assert main(["setup", "poynt", "--host", "10.0.0.5", "--currency", "usd"]) == 0
    settings = load_settings(Paths.default())
    assert settings.default_currency == "USD" and settings.provider == "poynt"
    assert main(["setup", "poynt", "--host", "10.0.0.5", "--currency", "dollars"]) != 0
    assert load_settings(Paths.default()).default_currency == "USD"  # unchanged
