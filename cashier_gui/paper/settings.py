"""Settings for paper: the shop's name and address on every receipt (`[shop]`), and where
receipts go (`[printer]`).

    [shop]
    name = "Müller Schuhe"
    address = ["Hauptstraße 5", "10115 Berlin"]   # up to 4 lines

    [printer]
    kind = "escpos-network"   # none | system | escpos-network | escpos-usb | escpos-file
    target = "192.168.1.50:9100"  # host[:port] / vendor:product (hex) / a file or device path
    auto_print = true         # print the receipt as soon as a refund has its answer
    width = 42                # characters per line on the receipt printer: 32, 42 or 48

Decisions: `system` prints through the operating system's printer (Qt's print dialog, or the
default printer without a dialog when printing automatically); `target` is not used for it.
The network port defaults to 9100 (the raw-printing port receipt printers listen on). Nothing
here is secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cashier_gui.errors import UserFacing
from cashier_gui.i18n import _
from cashier_gui.safetext import printable

PRINTER_KINDS = ("none", "system", "escpos-network", "escpos-usb", "escpos-file")
WIDTHS = (32, 42, 48)
MAX_ADDRESS_LINES = 4
MAX_LINE = 48
MAX_TARGET = 255  # a device or file path may be long
_HOST_PORT = re.compile(
    r"(?P<host>[A-Za-z0-9.\-]{1,253}|\[[0-9A-Fa-f:]+\])(?::(?P<port>[0-9]{1,5}))?"
)
_USB = re.compile(r"(?P<vendor>[0-9A-Fa-f]{4}):(?P<product>[0-9A-Fa-f]{4})")


class PaperSettingsError(UserFacing, ValueError):
    """A `[shop]` or `[printer]` value that cannot be used; `str()` names the key and the fix."""


def _fix() -> str:
    return _("a manager fixes it in Counter → Settings → Receipts, or in the settings file")


def _line(key: str, value: object, limit: int = MAX_LINE) -> str:
    if not isinstance(value, str):
        raise PaperSettingsError(_("{key} must be text: {fix}").format(key=key, fix=_fix()))
    shown = printable(value, limit + 1)
    if shown != value.strip() or len(value.strip()) > limit:
        raise PaperSettingsError(
            _("{key} must be one line of at most {limit} printable characters: {fix}").format(
                key=key, limit=MAX_LINE, fix=_fix()
            )
        )
    return value.strip()


@dataclass(frozen=True)
class ShopSettings:
    name: str = ""
    address: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _line("shop.name", self.name))
        if isinstance(self.address, str) or not isinstance(self.address, list | tuple):
            raise PaperSettingsError(
                _(
                    'shop.address must be a list of lines, e.g. ["Main St 5", "Springfield"]: {fix}'
                ).format(fix=_fix())
            )
        if len(self.address) > MAX_ADDRESS_LINES:
            raise PaperSettingsError(
                _("shop.address has at most {count} lines: {fix}").format(
                    count=MAX_ADDRESS_LINES, fix=_fix()
                )
            )
        lines = tuple(_line("shop.address", line) for line in self.address)
        object.__setattr__(self, "address", tuple(line for line in lines if line))


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = "none"
    target: str = ""
    auto_print: bool = False
    width: int = 42

    def __post_init__(self) -> None:
        if self.kind not in PRINTER_KINDS:
            raise PaperSettingsError(
                _("printer.kind must be one of {kinds}: {fix}").format(
                    kinds=", ".join(PRINTER_KINDS), fix=_fix()
                )
            )
        if not isinstance(self.auto_print, bool):
            raise PaperSettingsError(
                _("printer.auto_print must be true or false: {fix}").format(fix=_fix())
            )
        if isinstance(self.width, bool) or self.width not in WIDTHS:
            raise PaperSettingsError(
                _("printer.width must be 32, 42 or 48 characters: {fix}").format(fix=_fix())
            )
        target = _line("printer.target", self.target, MAX_TARGET)
        object.__setattr__(self, "target", target)
        if self.kind.startswith("escpos-") and not target:
            raise PaperSettingsError(
                _("printer.target is needed for {kind}: {fix}").format(kind=self.kind, fix=_fix())
            )
        if self.kind == "escpos-network":
            self.network_address()
        if self.kind == "escpos-usb":
            self.usb_ids()

    def network_address(self) -> tuple[str, int]:
        match = _HOST_PORT.fullmatch(self.target)
        port = int(match.group("port") or 9100) if match else 0
        if match is None or not 1 <= port <= 65535:
            raise PaperSettingsError(
                _(
                    "printer.target for a network printer is its address, e.g. 192.168.1.50 "
                    "or 192.168.1.50:9100: {fix}"
                ).format(fix=_fix())
            )
        return match.group("host").strip("[]"), port

    def usb_ids(self) -> tuple[int, int]:
        match = _USB.fullmatch(self.target)
        if match is None:
            raise PaperSettingsError(
                _(
                    "printer.target for a USB printer is vendor:product in hex, e.g. 04b8:0202 "
                    "(lsusb shows it): {fix}"
                ).format(fix=_fix())
            )
        return int(match.group("vendor"), 16), int(match.group("product"), 16)


@dataclass(frozen=True)
class PaperSettings:
    shop: ShopSettings = field(default_factory=ShopSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)

    @classmethod
    def from_toml(cls, shop: object, printer: object) -> PaperSettings:
        return cls(_table("shop", shop, ShopSettings), _table("printer", printer, PrinterSettings))

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.shop != ShopSettings():
            out["shop"] = {"name": self.shop.name, "address": list(self.shop.address)}
        if self.printer != PrinterSettings():
            out["printer"] = {
                "kind": self.printer.kind,
                "target": self.printer.target,
                "auto_print": self.printer.auto_print,
                "width": self.printer.width,
            }
        return out


def _table(name: str, data: object, kind: type[Any]) -> Any:
    if data is None:
        return kind()
    if not isinstance(data, dict):
        raise PaperSettingsError(
            _("{name} must be a table ([{name}]): {fix}").format(name=name, fix=_fix())
        )
    known = set(kind.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise PaperSettingsError(
            _("{name}.{key} is not a setting: {fix}").format(
                name=name, key=printable(unknown[0], 40), fix=_fix()
            )
        )
    values = dict(data)
    if "address" in values and isinstance(values["address"], list):
        values["address"] = tuple(values["address"])
    return kind(**values)
