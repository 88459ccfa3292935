"""The catalogues: complete German, up to date with the source, compiled files matching their
sources, and static checks that converted modules hand no bare English to the cashier."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import cashier_gui
from cashier_gui import i18n

PACKAGE = Path(cashier_gui.__file__).parent
I18N = PACKAGE.parent / "resources" / "i18n"
TS = I18N / "cashier_gui_de.ts"
QM = I18N / "cashier_gui_de.qm"
PO = I18N / "de" / "LC_MESSAGES" / "cashier_gui.po"
MO = PO.with_suffix(".mo")
BIN = Path(sys.executable).parent

#: Messages whose German is the same as the English (names, codes, formats).
SAME_IN_GERMAN = {
    "{key}.{currency}: {problem} ({fix})",
    "Trace ID",
    "trace ID",
    "TRAINING",
    "{app} — TRAINING",
    "Terminal {terminal}",
    "Terminal",
    "Port",
    "Status",
    "Status     {status}",
    "VIOPAY_SIM_MSK: {exc}",
    "  cashier-refund operator add NAME --role manager",
    " s",
    "Name",
    "&Name",
    "PIN",
    "OK",
    "Problem",
    "{name} — {role}",
}

#: ui/ modules whose strings go through tr()/translate. Phase 2 adds the rest until this
#: covers every file in cashier_gui/ui/ (test_every_ui_module_is_listed_or_pending says which).
UI_CONVERTED = [
    "ui/resolve.py",
    "ui/widgets.py",
    "ui/states.py",
    "ui/selfcheck.py",
    "app.py",
    "ui/banner.py",
    "ui/outside.py",
    "ui/main_window.py",
    "ui/people.py",
    "ui/session.py",
    "ui/signin.py",
    "ui/window_actions.py",
    "ui/printing.py",
    "ui/report_dialog.py",
    "ui/counter_settings.py",
    "ui/policy_settings.py",
    "ui/pdf.py",
    "ui/settings.py",
    "ui/settings_backends.py",
    "ui/history.py",
    "ui/reader.py",
    "ui/shop_settings.py",
    "ui/ops.py",
    "ui/refund_panel.py",
    "ui/refund/base.py",
    "ui/refund/cards.py",
    "ui/refund/form.py",
    "ui/refund/outcome.py",
    "ui/refund/sending.py",
    "ui/refund/words.py",
    "ui/start_page.py",
]
UI_PENDING: list[str] = []
#: Core modules whose UserFacing errors are wrapped in _() — the same kind of list.
CORE_CONVERTED = [
    "money.py",
    "refunds.py",
    "policy.py",
    "operators.py",
    "journal.py",
    "secrets.py",
    "gateways/base.py",
    "gateways/viopay.py",
    "gateways/viopay_answers.py",
    "gateways/poynt.py",
    "gateways/poynt_answers.py",
    "gateways/factory.py",
    "simulators/practice.py",
    "paper/escpos.py",
    "paper/receipt.py",
    "paper/report.py",
    "paper/settings.py",
    "cli",  # the package: every module of the command line
    "diagnose.py",
]

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# ---- (a) complete German -------------------------------------------------------------------


def ts_messages(path: Path = TS) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()  # noqa: S314 — our own catalogue, not untrusted input
    return [
        (ctx.findtext("name") or "", msg.findtext("source") or "", msg)
        for ctx in root.iter("context")
        for msg in ctx.iter("message")
    ]


def untranslated_ts(path: Path) -> list[str]:
    bad = []
    for ctx, source, msg in ts_messages(path):
        tr = msg.find("translation")
        where = f"{ctx}: {source!r}"
        if tr is None or (tr.get("type") in ("unfinished", "vanished", "obsolete")):
            bad.append(f"{where} is unfinished")
        elif not (tr.text or "").strip():
            bad.append(f"{where} has no German")
        elif tr.text == source and source not in SAME_IN_GERMAN:
            bad.append(f"{where} is still English")
        elif placeholders(tr.text or "") != placeholders(source):
            bad.append(f"{where}: placeholders differ in {tr.text!r}")
        elif source.count("&") != (tr.text or "").count("&"):
            bad.append(f"{where}: the keyboard shortcut (&) is lost in {tr.text!r}")
    return bad


def untranslated_po(path: Path) -> list[str]:
    with path.open("rb") as f:
        catalog = read_po(f)
    bad = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        raw = m.string if isinstance(m.string, tuple | list) else (m.string,)
        strings = [str(x or "") for x in raw]
        where = repr(ids[0])
        if m.fuzzy:
            bad.append(f"{where} is fuzzy")
        elif not all(s.strip() for s in strings):
            bad.append(f"{where} has no German")
        elif any(s == ids[0] for s in strings) and ids[0] not in SAME_IN_GERMAN:
            bad.append(f"{where} is still English")
        elif any(placeholders(s) != placeholders(str(ids[-1])) for s in strings):
            bad.append(f"{where}: placeholders differ")
    return bad


def test_every_window_message_has_finished_german() -> None:
    assert len(ts_messages()) > 50
    assert untranslated_ts(TS) == []


def test_every_core_message_has_finished_german() -> None:
    assert untranslated_po(PO) == []


def test_the_completeness_checks_catch_each_kind_of_gap(tmp_path: Path) -> None:
    ts = tmp_path / "x.ts"
    ts.write_text(
        '<TS version="2.1" language="de"><context><name>C</name>'
        '<message><source>Close</source><translation type="unfinished"></translation></message>'
        "<message><source>Refund</source><translation></translation></message>"
        "<message><source>Approved</source><translation>Approved</translation></message>"
        "<message><source>At most {amount}</source><translation>Höchstens</translation>"
        "</message><message><source>&amp;Name</source><translation>Name</translation></message>"
        "<message><source>Trace ID</source><translation>Trace ID</translation></message>"
        "</context></TS>",
        encoding="utf-8",
    )
    assert len(untranslated_ts(ts)) == 5
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Close"\nmsgstr ""\n\n'
        'msgid "Refund"\nmsgstr "Refund"\n\n'
        '#, fuzzy\nmsgid "Other"\nmsgstr "Sonstiges"\n\n'
        'msgid "At most {amount}"\nmsgstr "Höchstens {betrag}"\n\n'
        'msgid "Trace ID"\nmsgstr "Trace ID"\n',
        encoding="utf-8",
    )
    assert len(untranslated_po(po)) == 4


# ---- the catalogues are up to date and their compiled files match ----------------------------


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it ships with PySide6-Essentials)")
    return found


def sources() -> list[str]:
    return sorted(str(p) for p in PACKAGE.rglob("*.py"))


def test_the_window_catalogue_holds_every_message_in_the_source(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [tool("pyside6-lupdate"), "-silent", "-locations", "none", *sources(), "-ts", str(fresh)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    wanted = {(c, s) for c, s, _ in ts_messages(fresh)}
    have = {(c, s) for c, s, _ in ts_messages()}
    assert sorted(wanted - have) == [], "run scripts/i18n, then translate the new entries"
    assert sorted(have - wanted) == [], "run scripts/i18n: the catalogue holds stale entries"


def test_the_core_catalogue_holds_every_message_in_the_source() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "N_": None, "ngettext": (1, 2)}
    wanted = Catalog()
    for path in sources():
        for _line, message, _comments, _ctx in extract_from_file("python", path, keywords=keywords):
            wanted.add(message)
    with PO.open("rb") as f:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in wanted if m.id}
    assert sorted(ids - have) == [], "run scripts/i18n, then translate the new entries"
    assert sorted(have - ids) == [], "run scripts/i18n: the catalogue holds stale entries"


def test_the_committed_mo_is_the_po_compiled() -> None:
    with PO.open("rb") as f:
        catalog = read_po(f)
    out = io.BytesIO()
    write_mo(out, catalog)
    assert MO.read_bytes() == out.getvalue(), "run scripts/i18n to compile the .po"


def test_the_committed_qm_is_the_ts_compiled(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.qm"
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(fresh)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert QM.read_bytes() == fresh.read_bytes(), "run scripts/i18n to compile the .ts"


# ---- (b) the window hands Qt no bare English ---------------------------------------------------

#: Calls that put text in front of the cashier: Qt's setters and constructors, and our helpers.
TEXT_TAKERS = {
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setWhatsThis",
    "setPlaceholderText", "setAccessibleName", "setAccessibleDescription", "setTitle",
    "setInformativeText", "setDetailedText", "setLabelText", "setTabText", "setItemText",
    "setHeaderLabels", "setHorizontalHeaderLabels", "showMessage", "addAction", "addMenu",
    "addTab", "addItem", "addItems", "insertItem", "addButton", "setSuffix", "setPrefix",
    "QLabel", "QPushButton", "QRadioButton", "QCheckBox", "QGroupBox", "QAction", "QMenu",
    "QMessageBox", "QListWidgetItem", "QTableWidgetItem", "information", "warning",
    "critical", "question", "label", "MessageBox", "CopyRow", "show_message",
}  # fmt: skip
WORDS = re.compile(r"[A-Za-z]{2,}")


def literal_text(node: ast.expr) -> str | None:
    """The English a node carries as it stands: a string literal, an f-string's literal parts,
    a concatenation's literal side."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(node, ast.BinOp):
        return (literal_text(node.left) or "") + (literal_text(node.right) or "")
    if isinstance(node, ast.IfExp):
        return (literal_text(node.body) or "") + (literal_text(node.orelse) or "")
    return None


LOGGERS = {"log", "logger", "logging", "warnings"}


def call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def bare_text_in_qt_calls(source: str, filename: str = "<src>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and call_name(node) in TEXT_TAKERS:
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if isinstance(receiver, ast.Name) and receiver.id in LOGGERS:
                continue  # the log is for support, in English
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg != "role")]:
                text = literal_text(arg)
                if text and WORDS.search(text):
                    found.append(f"{filename}:{node.lineno} {call_name(node)}({text!r})")
    return found


def test_converted_ui_modules_hand_qt_no_bare_english() -> None:
    found = []
    for name in UI_CONVERTED:
        found += bare_text_in_qt_calls((PACKAGE / name).read_text(encoding="utf-8"), name)
    assert found == [], "wrap these in self.tr() / QCoreApplication.translate()"


def test_the_ui_check_catches_bare_text() -> None:
    src = (
        "b = QPushButton('Copy')\n"
        "w.setWindowTitle(f'Refund {n}')\n"
        "box.setText('Total: ' + amount)\n"
        "lay.addWidget(label('Refunds without an answer', role='title'))\n"
        "w.setToolTip(self.tr('Fine'))\n"
        "w.setText('')\n"
        "w.setText(QCoreApplication.translate('ctx', 'Fine too'))\n"
        "w.setText('—')\n"
        "log.warning('translation %s could not be loaded', name)\n"
    )
    assert len(bare_text_in_qt_calls(src)) == 4


#: Functions that translate a text from a QT_TRANSLATE_NOOP table (so not a literal at the call).
NOOP_LOOKUPS = {"state_word", "tr_resolve", "translations", "shortcuts", "flow_help"}


def unextractable_translations(source: str, filename: str = "<src>") -> list[str]:
    """tr()/translate() calls whose text is not a literal: lupdate cannot see those, so they
    would never be translated (unless the text comes from a QT_TRANSLATE_NOOP table)."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and call_name(node) in ("tr", "translate"):
            index = 0 if call_name(node) == "tr" else 1
            arg = node.args[index] if len(node.args) > index else None
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if not literal and function not in NOOP_LOOKUPS:
                found.append(f"{filename}:{node.lineno} {ast.unparse(node)[:60]}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def test_converted_ui_modules_translate_only_what_lupdate_can_see() -> None:
    found = []
    for name in UI_CONVERTED:
        found += unextractable_translations((PACKAGE / name).read_text(encoding="utf-8"), name)
    assert found == [], "pass the literal to tr()/translate(), or mark a table QT_TRANSLATE_NOOP"


def test_the_extraction_check_catches_a_variable_text() -> None:
    src = (
        "def f(text):\n"
        "    a = QCoreApplication.translate('ctx', text)\n"
        "    b = self.tr(text)\n"
        "    c = self.tr('Fine')\n"
        "def state_word(s):\n"
        "    return QCoreApplication.translate('states', LABELS[s])\n"
    )
    assert len(unextractable_translations(src)) == 2


def test_every_ui_module_is_listed_converted_or_pending() -> None:
    """Phase 2 moves files from UI_PENDING to UI_CONVERTED; a new ui module must be listed."""
    ui = {p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "ui").rglob("*.py")}
    ui -= {"ui/__init__.py"}
    listed = set(UI_CONVERTED) | set(UI_PENDING)
    assert (
        sorted(
            ui
            - listed
            - {
                "ui/refund/__init__.py",
                "ui/refund/flow.py",
                "ui/refund/keys.py",
                "ui/scan.py",
                "ui/qt_features.py",  # no words: it switches a PySide6 scan off
            }
        )
        == []
    )


# ---- (c) the core raises no bare English ---------------------------------------------------------


def user_facing_classes() -> set[str]:
    """Names of every class in the package that derives from errors.UserFacing."""
    bases: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")
                    for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"UserFacing"}
    grew = True
    while grew:
        more = {name for name, parents in bases.items() if parents & found} - found
        found |= more
        grew = bool(more)
    return found


def bare_user_facing(source: str, classes: set[str], filename: str = "<src>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and call_name(node) in classes and node.args:
            text = literal_text(node.args[0])
            if text and WORDS.search(text):
                found.append(f"{filename}:{node.lineno} {call_name(node)}({text!r})")
    return found


def test_user_facing_errors_are_a_known_tree() -> None:
    classes = user_facing_classes()
    assert {"MoneyError", "RefundBlocked", "PolicyError", "JournalBusy", "TimedOut"} <= classes


def test_converted_core_modules_raise_no_bare_english() -> None:
    classes = user_facing_classes()
    found = []
    for name in CORE_CONVERTED:
        package = PACKAGE / name.removesuffix(".py")
        paths = sorted(package.rglob("*.py")) if package.is_dir() else [PACKAGE / name]
        for path in paths:  # a module split into a package keeps its rule
            rel = path.relative_to(PACKAGE).as_posix()
            found += bare_user_facing(path.read_text(encoding="utf-8"), classes, rel)
    assert found == [], "wrap these in _() with named placeholders"


def test_the_core_check_catches_bare_text() -> None:
    classes = user_facing_classes()
    src = (
        "raise MoneyError('Type an amount.')\n"
        "raise RefundBlocked(f'At most {x} left.')\n"
        "odd = TimedOut('Too slow. ' + what)\n"
        "raise MoneyError(_('Type an amount.'))\n"
        "raise ValueError('not an object')\n"
    )
    assert len(bare_user_facing(src, classes)) == 3


# ---- language choice ------------------------------------------------------------------------------


@pytest.fixture
def german() -> Iterator[None]:
    assert i18n.install("de") == "de"
    yield
    i18n.install("en")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "de_CH.UTF-8"}, "de"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:de", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_follows_the_environment_as_gettext_reads_it(
    env: dict[str, str], expected: str
) -> None:
    assert i18n.language_from_env(env) == expected


def test_the_setting_overrides_the_system() -> None:
    assert i18n.choose_language("de", "en-US") == "de"
    assert i18n.choose_language("en", "de-DE") == "en"
    assert i18n.choose_language("", "de-DE") == "de"
    assert i18n.choose_language(None, "C") == "en"


def test_a_missing_catalogue_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "catalogue_dir", lambda: Path("/nonexistent"))
    try:
        assert i18n.install("de") == "en"
        assert i18n._("Type an amount, e.g. 15.50.") == "Type an amount, e.g. 15.50."
    finally:
        monkeypatch.undo()
        i18n.install("en")


def test_the_language_setting_is_checked_and_saved(tmp_path: Path) -> None:
    from cashier_gui.config import ConfigError, Settings

    assert Settings.from_toml({"language": "de"}).language == "de"
    assert Settings.from_toml({}).language == ""
    assert Settings(language="de").to_toml()["language"] == "de"
    assert "language" not in Settings().to_toml()
    with pytest.raises(ConfigError, match="language must be “en” or “de”"):
        Settings.from_toml({"language": "klingon"})
    with pytest.raises(ConfigError, match="language must be"):
        Settings.from_toml({"language": 7})


# ---- (d) German at the counter (core half; the window half is tests/ui/test_i18n_window.py) ----


def test_money_input_errors_come_out_in_german(german: None) -> None:
    from cashier_gui.money import MoneyError, parse_amount

    with pytest.raises(MoneyError) as e:
        parse_amount("", "EUR")
    assert str(e.value) == "Geben Sie einen Betrag ein, z. B. 15,50."
    with pytest.raises(MoneyError) as e:
        parse_amount("zwölf", "EUR")
    assert str(e.value) == "„zwölf“ ist kein Betrag. Geben Sie Ziffern ein, z. B. 15,50."
    with pytest.raises(MoneyError) as e:
        parse_amount("1.234", "EUR")
    assert "ist für EUR nicht eindeutig" in str(e.value) and "1.23" in str(e.value)
    with pytest.raises(
        MoneyError, match=re.escape("hat höchstens 2 Nachkommastellen: „1.2345“ hat 4")
    ):
        parse_amount("1.2345", "EUR")


def test_refund_rules_and_policy_come_out_in_german(german: None) -> None:
    from cashier_gui.gateways.base import Charge, ChargeStatus
    from cashier_gui.money import Money
    from cashier_gui.policy import Policy

    charge = Charge("ch_1", ChargeStatus.DECLINED, Money(1000, "EUR"), Money(0, "EUR"))
    assert (
        charge.why_not_refundable()
        == "Diese Zahlung wurde abgelehnt: Es wurde kein Geld abgebucht."
    )
    why = Policy.from_toml({"refunds_per_day": 1}).reasons(
        kind="refund", amount=Money(500, "EUR"), has_lookup=True, sale_date=None, refunds_today=1
    )
    assert why == [
        "Sie haben heute 1 Rückerstattung gemacht; mehr als 1 muss die Filialleitung freigeben."
    ]


def test_amounts_keep_following_the_locale_not_the_language(german: None) -> None:
    from cashier_gui.money import Money

    assert Money(12000, "EUR").format("de_DE") == "120,00\xa0€"
    assert Money(12000, "EUR").format("en_US") == "€120.00"
