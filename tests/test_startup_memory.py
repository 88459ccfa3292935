"""What start-up leaves in memory for good: the source lines PySide6's import hook reads into
linecache are dropped once the window is ready (app.freeze_startup_objects)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_source_lines_pyside_reads_at_each_import_are_dropped_when_ready(
    tmp_path: Path,
) -> None:
    (tmp_path / "importer.py").write_text("import fractions  # any import\n", encoding="utf-8")
    code = f"""
import linecache, sys
sys.path.insert(0, {str(tmp_path)!r})
import PySide6.QtCore  # installs the __feature__ import hook
import importer
assert any(name.endswith("importer.py") for name in linecache.cache), sorted(linecache.cache)
from cashier_gui.app import freeze_startup_objects
freeze_startup_objects()  # in a process of its own: it freezes the garbage collector too
assert not linecache.cache, sorted(linecache.cache)
# A traceback still shows its source lines: linecache reads the file again.
assert linecache.getline({str(tmp_path / "importer.py")!r}, 1).startswith("import fractions")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
