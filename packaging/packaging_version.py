"""Helpers for the spec: the version (defined once, in pyproject.toml) and the Windows version
resource."""

from __future__ import annotations

import tomllib
from pathlib import Path


def read_version(pyproject: Path) -> str:
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


def write_windows_version_file(version: str, target: Path) -> str:
    parts = [int(p) for p in version.split("+")[0].split(".")[:4] if p.isdigit()]
    numbers = tuple(([*parts, 0, 0, 0, 0])[:4])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'cashier_gui'),
      StringStruct('FileDescription', 'Cashier Refunds'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('ProductName', 'Cashier Refunds'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])]
)
""",
        encoding="utf-8",
    )
    return str(target)
