"""Where the resident memory is, at four stages of a training start and ten refunds (the flow of
bench/ui_stall.py, simulator in-process): after the imports, at the first paint, when the
window is ready, after the ten refunds.

    DISPLAY=:99 python bench/memory.py [--maps N] [--tracemalloc]   (or QT_QPA_PLATFORM=offscreen)

Linux only (/proc/self/smaps_rollup and smaps). For each stage: resident (Rss), anonymous vs
file-backed, and the top N mappings by resident size grouped by file (libraries, fonts) or kind
([heap], anonymous: Python objects, malloc arenas, scrypt or Qt's buffers). --tracemalloc also
traces Python's allocations (it costs memory and time itself: compare stages, not runs).
"""

from __future__ import annotations

import asyncio
import collections
import os
import resource
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("CASHIER_GUI_HOME", tempfile.mkdtemp(prefix="cashier-bench-"))

TRACE = "--tracemalloc" in sys.argv
if TRACE:
    import tracemalloc

    tracemalloc.start(1)

MAPS = int(sys.argv[sys.argv.index("--maps") + 1]) if "--maps" in sys.argv else 12


def rollup() -> dict[str, int]:
    """kB fields of /proc/self/smaps_rollup."""
    out: dict[str, int] = {}
    with open("/proc/self/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def by_mapping() -> collections.Counter[str]:
    """Resident kB per file (a library, a font) or per kind of anonymous mapping."""
    sizes: collections.Counter[str] = collections.Counter()
    name = ""
    with open("/proc/self/smaps") as fh:
        for line in fh:
            first = line.split(None, 1)[0]
            if "-" in first and not first.endswith(":"):
                fields = line.split()
                name = fields[5] if len(fields) > 5 else "[anonymous]"
                if name.startswith("/"):
                    base = os.path.basename(name)
                    name = base if ".so" in base else name.rsplit("/", 2)[-2] + "/" + base
            elif first == "Rss:":
                sizes[name] += int(line.split()[1])
    return sizes


def stage(label: str, rows: list[tuple[str, dict[str, int], collections.Counter[str]]]) -> None:
    rows.append((label, rollup(), by_mapping()))
    if TRACE:
        current, _peak = tracemalloc.get_traced_memory()
        rows[-1][1]["Python (tracemalloc)"] = current // 1024


def report(rows: list[tuple[str, dict[str, int], collections.Counter[str]]]) -> None:
    def mib(kb: float) -> str:
        return f"{kb / 1024:6.1f}"

    print(f"{'stage':<22}{'Rss':>8}{'anon':>8}{'file':>8}{'Python':>8}   (MiB)")
    for label, roll, _maps in rows:
        anon = roll.get("Anonymous", 0)
        py = mib(roll["Python (tracemalloc)"]) if "Python (tracemalloc)" in roll else "   -  "
        print(f"{label:<22}{mib(roll['Rss'])}  {mib(anon)}  {mib(roll['Rss'] - anon)}  {py}")
    for label, _roll, maps in rows:
        print(f"\n{label}: the {MAPS} largest resident mappings (MiB)")
        for name, kb in maps.most_common(MAPS):
            print(f"  {mib(kb)}  {name}")
    if len(rows) >= 2:
        first, last = rows[0][2], rows[-1][2]
        grown = collections.Counter({k: last[k] - first.get(k, 0) for k in last})
        print(f"\ngrown from '{rows[0][0]}' to '{rows[-1][0]}' (MiB)")
        for name, kb in grown.most_common(MAPS):
            print(f"  {mib(kb)}  {name}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.1f} MiB")
    if TRACE:
        snap = tracemalloc.take_snapshot()
        print("\nPython allocations by file, now (MiB):")
        stats: collections.Counter[str] = collections.Counter()
        for stat in snap.statistics("filename"):
            path = stat.traceback[0].filename
            key = (
                path.split("site-packages/")[-1].split("/")[0]
                if "site-packages" in path
                else ("cashier_gui" if "cashier_gui" in path else "stdlib/other")
            )
            stats[key] += stat.size
        for key, size in stats.most_common(MAPS):
            print(f"  {size / 2**20:6.1f}  {key}")


def main() -> None:
    rows: list[tuple[str, dict[str, int], collections.Counter[str]]] = []
    from PySide6.QtCore import QTimer
    from ui_stall import drive

    from cashier_gui.app import (
        default_runtime_factory,
        drop_source_lines,
        freeze_startup_objects,
        hold_collection_for_startup,
        make_application,
        use_worker_threads_on_demand,
    )
    from cashier_gui.ui.main_window import MainWindow

    stage("after import", rows)
    hold_collection_for_startup()
    app = make_application([sys.argv[0]])
    import qasync

    loop = qasync.QEventLoop(app)
    use_worker_threads_on_demand(loop)  # as app.run does
    asyncio.set_event_loop(loop)
    factory: Any = default_runtime_factory
    w = MainWindow(factory, training=True)
    w.resize(1024, 768)
    w.ready.connect(freeze_startup_objects)
    w.ready.connect(lambda: QTimer.singleShot(0, lambda: stage("ready", rows)))
    w.show()
    app.processEvents()  # the first paint, before the runtime starts (as app.run does)
    stage("first paint", rows)
    drop_source_lines()  # as app.run does
    w.start()
    gaps: list[float] = []
    idle: list[float] = []
    beats: list[float] = []
    with loop:
        loop.run_until_complete(drive(w, gaps, beats, idle))
        stage("after ten refunds", rows)
        loop.run_until_complete(w.shutdown())
    report(rows)


if __name__ == "__main__":
    main()
