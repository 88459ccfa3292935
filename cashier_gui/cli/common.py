"""What every `cashier-refund` command shares: the one set of exit codes (the package's
docstring says what each means), the usage error and the language its messages speak."""

from __future__ import annotations

from cashier_gui.config import ConfigError
from cashier_gui.errors import UserFacing
from cashier_gui.gateways.base import InvalidInput, NotConfigured, OutcomeUnknown, Rejected
from cashier_gui.journal import State
from cashier_gui.money import MoneyError
from cashier_gui.operators import OperatorError

# EXIT_OUTSIDE: `reconcile` found a refund made outside this app that no manager acknowledged.
EXIT_OK, EXIT_OTHER, EXIT_INPUT, EXIT_REFUSED, EXIT_UNKNOWN, EXIT_NOT_SENT, EXIT_OUTSIDE = range(7)


class Usage(UserFacing):
    """Bad input: exit 2, nothing sent."""


class LookupFailed(UserFacing):
    """The lookup before a refund failed: nothing was sent, nothing refunded (exit 1)."""


def exit_code_for(exc: BaseException) -> int:
    if isinstance(
        exc, InvalidInput | NotConfigured | Usage | MoneyError | ConfigError | OperatorError
    ):
        return EXIT_INPUT
    if isinstance(exc, Rejected):
        return EXIT_REFUSED
    if isinstance(exc, OutcomeUnknown):
        return EXIT_UNKNOWN
    return EXIT_OTHER  # LookupFailed, JournalError, ConnectFailed outside a refund, …


def exit_code_for_state(state: State) -> int:
    return {
        State.APPROVED: EXIT_OK,
        State.DECLINED: EXIT_REFUSED,
        State.FAILED: EXIT_REFUSED,
        State.PENDING: EXIT_UNKNOWN,
        State.UNKNOWN: EXIT_UNKNOWN,
        State.SENT: EXIT_UNKNOWN,
        State.PREPARED: EXIT_UNKNOWN,
        State.NOT_SENT: EXIT_NOT_SENT,
        State.CANCELLED: EXIT_NOT_SENT,
    }[state]


def speak_configured_language() -> str:
    """Every message of this command in the `language` setting's language, else the
    environment's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); English without a catalogue."""
    from cashier_gui import i18n
    from cashier_gui.config import Paths, load_settings

    try:
        setting = load_settings(Paths.default()).language
    except (ConfigError, OSError):
        setting = ""  # the command itself says what is wrong with the settings
    return i18n.install(i18n.choose_language(setting))
