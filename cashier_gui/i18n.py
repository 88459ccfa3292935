"""Languages: which one the app speaks, and the catalogues that say it.

Two catalogues, one language choice:

- **Core and command line** (Qt-free modules: money, refunds, policy, operators, journal,
  gateways, secrets, …) use gettext. Mark a message with `_()` from this module; a message with
  values uses named placeholders, formatted after translation::

      raise RefundBlocked(_("The note is too long: {limit} characters at most.").format(limit=n))

  never concatenation (a translator must see the whole sentence). `ngettext(one, many, n)` for
  counts; `N_()` marks a message kept untranslated for now (a table built at import time:
  `refunds.REASONS`, a gateway's "may or may not have gone through" sentence) so that it is
  extracted, and `_()` translates it where it is used (`refunds.reason_label`). The journal
  stores the app's own reasons as codes (`journal.reasons`): their words are made when shown,
  in the reader's language, so counters in two languages can share one history. A back end's
  error keeps its code and its sentence as written; rows from before codes keep theirs. Babel extracts them
  (`pybabel extract -k _ -k N_ -k ngettext:1,2`) into resources/i18n/cashier_gui.pot, the German
  catalogue is resources/i18n/de/LC_MESSAGES/cashier_gui.po, compiled to cashier_gui.mo.
- **The window** (cashier_gui/ui/, app.py) uses Qt's translation: `self.tr("…")` in a QObject
  subclass, or `QCoreApplication.translate("Context", "…")` elsewhere (a module-level table:
  `QT_TRANSLATE_NOOP("Context", "…")` and translate where it is shown). `pyside6-lupdate` extracts
  them into resources/i18n/cashier_gui_de.ts, `pyside6-lrelease` builds cashier_gui_de.qm. Qt's
  own qtbase_de.qm (standard dialog buttons: "Abbrechen", "Ja") is loaded beside it from PySide6.

`scripts/i18n` re-extracts both and compiles both; run it after wrapping strings, translate the
new entries (Qt Linguist: `pyside6-linguist`, or any .po editor), run it again, commit all four
files. The compiled .qm and .mo are committed (the package build, the tests and a source checkout
need no tool); tests/test_i18n.py fails when they are stale, when an entry has no German, or when
a converted module hands a literal to a Qt text setter or a UserFacing error.

Which language: the `language` setting ("en", "de") when set; else the OS — LANGUAGE, LC_ALL,
LC_MESSAGES, LANG for the command line (gettext's order) and Qt's `QLocale.system()` for the
window (the same variables on Linux, the user's UI language on Windows and macOS), which then
installs the same language here so the core's messages agree with the window. A language without
a catalogue falls back to English, the source language. Dates and amounts do not follow this
choice: they keep following the locale (Babel, `money.display_locale`) — a German-speaking
cashier in Switzerland still sees "CHF 120.00".

This module stays Qt-free (tests/test_architecture.py): the Qt half (`QTranslator`s on the
application) is `cashier_gui.app.install_translators`, which asks `qt_catalogues()` here.
"""

from __future__ import annotations

import gettext
import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

from cashier_gui.resources import resource

#: The languages the app ships, source language first.
LANGUAGES: tuple[str, ...] = ("en", "de")
SOURCE_LANGUAGE = "en"
DOMAIN = "cashier_gui"
#: Environment variables naming the message language, in gettext's order of precedence.
ENV_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def catalogue_dir() -> Path:
    """resources/i18n: the .ts/.po sources and the compiled .qm/.mo (in the bundle too)."""
    return resource("i18n")


def language_of(name: str | None) -> str | None:
    """The shipped language a locale name means ("de_DE.UTF-8" → "de", "en-GB" → "en"), None
    for one the app does not ship or for "C"/"POSIX"/empty."""
    if not name:
        return None
    code = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def language_from_env(env: Mapping[str, str] | None = None) -> str:
    """The language the OS asks for, as gettext reads it: the first of LANGUAGE (a colon list),
    LC_ALL, LC_MESSAGES, LANG that is set decides; English when it names no shipped language."""
    env = os.environ if env is None else env
    for var in ENV_VARIABLES:
        value = env.get(var, "")
        if not value:
            continue
        if var == "LANGUAGE":
            # GNU: LANGUAGE is a preference list, ignored when the locale is "C".
            for item in value.split(":"):
                found = language_of(item)
                if found:
                    return found
            continue
        return language_of(value) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def choose_language(setting: str | None, os_language: str | None = None) -> str:
    """The language to speak: the setting when it names a shipped language, else `os_language`
    (Qt's idea of the system's for the window), else the environment's."""
    chosen = language_of(setting)
    if chosen:
        return chosen
    if os_language is not None:
        return language_of(os_language) or SOURCE_LANGUAGE
    return language_from_env()


def install(language: str) -> str:
    """Speak `language` from now on in every core message (`_()`); returns the language
    installed — English when there is no catalogue for it (a damaged or missing .mo included)."""
    global _translation, _language
    code = language_of(language) or SOURCE_LANGUAGE
    translation: gettext.NullTranslations = gettext.NullTranslations()
    if code != SOURCE_LANGUAGE:
        try:
            translation = gettext.translation(DOMAIN, str(catalogue_dir()), languages=[code])
        except OSError:
            code = SOURCE_LANGUAGE
    _translation, _language = translation, code
    return code


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the installed language (itself when there is no translation)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message that fits `n`, in the installed language."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now; translate it with `_()` where
    it is shown."""
    return message


def qt_catalogues(language: str) -> list[Path]:
    """The .qm files the window loads for `language`, those that exist: Qt's own qtbase (dialog
    buttons) from PySide6 or the bundle, then the app's. Empty for English."""
    code = language_of(language)
    if not code or code == SOURCE_LANGUAGE:
        return []
    found = [path for path in _qtbase_candidates(code) if path.is_file()][:1]
    app = catalogue_dir() / f"{DOMAIN}_{code}.qm"
    if app.is_file():
        found.append(app)
    return found


def _qtbase_candidates(code: str) -> list[Path]:
    name = f"qtbase_{code}.qm"
    places = [catalogue_dir() / name]  # the package ships it here (packaging/cashier_gui.spec)
    spec = importlib.util.find_spec("PySide6")
    if spec is not None and spec.origin:
        places.append(Path(spec.origin).parent / "Qt" / "translations" / name)
    return places


__all__ = [
    "LANGUAGES",
    "N_",
    "SOURCE_LANGUAGE",
    "_",
    "catalogue_dir",
    "choose_language",
    "current_language",
    "install",
    "language_from_env",
    "language_of",
    "ngettext",
    "qt_catalogues",
]
