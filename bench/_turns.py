"""What ran in the event loop's longest turns (bench/ui_stall.py --turns).

Between two heartbeats of the bench's 1 ms timer, every event Qt delivers on the GUI thread
passes through `TimedApplication.notify`: the outermost ones (and those nested inside them, a
few levels deep) are timed in wall and in the GUI thread's own CPU time (time.thread_time), and
so is every asyncio callback qasync runs. A heartbeat gap whose wall time is much more than its
CPU time waited — for the GIL (the in-process simulator, the runtime's worker thread) or for the
OS scheduler — rather than worked; the other threads' CPU time in the same gap says which.

With `--turns=py` a profile hook also names every Python function Qt calls into (slots,
overridden event handlers, eventFilters) with its own time: slower (a few µs a Python call),
so its wall figures are inflated; use it to name the work, the plain mode to size it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

_wall = time.perf_counter
_cpu = time.thread_time
_proc = time.process_time


class Record:
    __slots__ = ("cpu", "depth", "start", "wall", "what")

    def __init__(self, depth: int, what: str, start: float) -> None:
        self.depth, self.what, self.start = depth, what, start
        self.wall = self.cpu = 0.0


class Turns:
    """Per heartbeat gap: wall, GUI-thread CPU, other threads' CPU, and what ran."""

    def __init__(self, threshold_ms: float = 6.0, max_depth: int = 3, min_ms: float = 0.2) -> None:
        self.threshold = threshold_ms / 1000
        self.max_depth = max_depth
        self.min_s = min_ms / 1000
        self.depth = 0
        self.small = [0, 0.0, 0.0]  # outermost events under min_ms: count, wall, CPU
        self.records: list[Record] = []
        self.long: list[tuple[float, float, float, float, list[Record], list[float]]] = []
        self.all_gaps: list[tuple[float, float, float]] = []  # wall, gui cpu, others' cpu
        self.last = (_wall(), _cpu(), _proc())
        self.enabled = False
        self.started = 0.0
        self.sort_by = 1  # 0: by wall time, 1: by the GUI thread's CPU time
        self.profiles: list[tuple[float, str, Any]] = []
        self.keep_all = False  # every gap with what ran in it, for timeline()
        self.every: list[tuple[float, float, float, float, list[Record], list[float]]] = []

    def beat(self) -> None:
        now = (_wall(), _cpu(), _proc())
        wall, cpu = now[0] - self.last[0], now[1] - self.last[1]
        others = (now[2] - self.last[2]) - cpu
        if self.enabled:
            self.all_gaps.append((wall, cpu, others))
            if self.keep_all:
                self.every.append((wall, cpu, others, self.last[0], self.records, self.small))
            if wall >= self.threshold or cpu >= self.threshold / 2:
                self.long.append((wall, cpu, others, self.last[0], self.records, self.small))
        self.records = []
        self.small = [0, 0.0, 0.0]
        self.last = (_wall(), _cpu(), _proc())

    def enter(self, what: str) -> Record | None:
        self.depth += 1
        if self.depth > self.max_depth:
            return None
        rec = Record(self.depth, what, _wall())
        rec.cpu = _cpu()
        self.records.append(rec)
        return rec

    def leave(self, rec: Record | None) -> None:
        self.depth -= 1
        if rec is None:
            return
        rec.wall = _wall() - rec.start
        rec.cpu = _cpu() - rec.cpu
        if rec.wall < self.min_s and rec in self.records:  # keep the list short
            self.records.remove(rec)
            if rec.depth == 1:
                self.small[0] += 1
                self.small[1] += rec.wall
                self.small[2] += rec.cpu

    def report(self, top: int = 12, out: Callable[[str], None] = print) -> None:
        import io
        import pstats

        for wall, what, profiler in sorted(self.profiles, key=lambda p: -p[0])[:top]:
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("cumulative").print_stats(40)
            out(f"== profile of {what} ({wall * 1000:.1f} ms CPU under cProfile)")
            out("\n".join(text.getvalue().splitlines()[6:]))
        gaps = self.all_gaps
        if not gaps:
            return
        self.causes(out)
        over6 = [g for g in gaps if g[0] > 0.006]
        cpus = sorted(g[1] * 1000 for g in gaps)
        out(
            f"turns by GUI-thread CPU time (less load-dependent than wall; inflated at load > 2): longest {cpus[-1]:.1f} ms, then "
            f"{', '.join(f'{c:.1f}' for c in cpus[-2:-6:-1])}; {sum(c > 6 for c in cpus)} over 6 ms; "
            f"the 10 longest {sum(cpus[-10:]) / 10:.2f} ms on average; GUI CPU in all "
            f"{sum(cpus):.0f} ms"
        )
        out(
            f"turns: {len(gaps)} heartbeat gaps, {len(over6)} over 6 ms; of those, GUI CPU "
            f"{sum(g[1] for g in over6) * 1000:.1f} ms of {sum(g[0] for g in over6) * 1000:.1f} "
            f"ms wall, other threads' CPU {sum(g[2] for g in over6) * 1000:.1f} ms"
        )
        t0 = self.started
        by_wall = self.sort_by == 0
        for wall, cpu, others, start, records, small in sorted(
            self.long, key=lambda x: -(x[0] if by_wall else x[1])
        )[:top]:
            outer = sum(r.wall for r in records if r.depth == 1) + small[1]
            out(
                f"- gap {wall * 1000:.1f} ms at +{start - t0:.3f} s: GUI thread CPU "
                f"{cpu * 1000:.1f} ms, other threads' CPU {others * 1000:.1f} ms; "
                f"{small[0]} short events {small[1] * 1000:.2f} ms wall "
                f"{small[2] * 1000:.2f} ms CPU; outside any event {(wall - outer) * 1000:.1f} ms"
            )
            for r in records:
                out(
                    f"    {'  ' * (r.depth - 1)}{r.what}: {r.wall * 1000:.2f} ms wall, "
                    f"{r.cpu * 1000:.2f} ms CPU (+{(r.start - start) * 1000:.1f})"
                )

    def timeline(self, since_s: float, until_s: float, out: Callable[[str], None] = print) -> None:
        """Every gap from `since_s` to `until_s` after the refunds began, with what ran."""
        for wall, cpu, others, start, records, small in self.every:
            at = start - self.started
            if since_s <= at <= until_s:
                out(
                    f"+{at * 1000:8.1f} ms: gap {wall * 1000:5.1f} ms wall, GUI CPU "
                    f"{cpu * 1000:4.1f}, others {others * 1000:4.1f}"
                    + (
                        f"; {small[0]} short events {small[2] * 1000:.2f} ms CPU"
                        if small[0]
                        else ""
                    )
                )
                for r in records:
                    if r.what.startswith("Timer → QTimer") and r.cpu < 0.0002:
                        continue
                    out(
                        f"      {'  ' * (r.depth - 1)}{r.what}: {r.wall * 1000:.2f} wall, {r.cpu * 1000:.2f} CPU"
                    )

    def causes(self, out: Callable[[str], None], over_ms: float = 3.0) -> None:
        """In the gaps with more than `over_ms` of GUI CPU: what took the CPU, by name (an
        asyncio callback under its qasync timer event counts under its own name)."""
        by: dict[str, list[float]] = {}
        for _wall, cpu, _others, _start, records, _small in self.long:
            if cpu * 1000 < over_ms:
                continue
            for i, r in enumerate(records):
                if r.depth != 1:
                    continue
                inner = records[i + 1] if i + 1 < len(records) else None
                name = r.what
                if inner is not None and inner.depth == 2 and inner.what.startswith("asyncio"):
                    name = inner.what
                by.setdefault(name, []).append(r.cpu * 1000)
        rows = sorted(by.items(), key=lambda kv: -sum(kv[1]))[:10]
        out(f"in the gaps with over {over_ms:g} ms of GUI CPU, the CPU went to:")
        for name, cpus in rows:
            out(f"  {sum(cpus):6.1f} ms in {len(cpus):3d}× (longest {max(cpus):.1f}) {name}")


def _describe(receiver: QObject, event: QEvent) -> str:
    try:
        kind = event.type().name
    except Exception:  # a user event type without a name
        kind = str(int(event.type()))
    name = receiver.objectName()
    return f"{kind} → {type(receiver).__name__}{'#' + name if name else ''}"


def timed_application(turns: Turns, argv: list[str]) -> QApplication:
    """A QApplication that times every event it delivers; make it before make_application."""

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(  # as make_application does, before
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )

    class TimedApplication(QApplication):
        def notify(self, receiver: QObject, event: QEvent) -> bool:
            if turns.depth >= turns.max_depth:
                turns.depth += 1
                try:
                    return super().notify(receiver, event)
                finally:
                    turns.depth -= 1
            rec = turns.enter(_describe(receiver, event))
            try:
                return super().notify(receiver, event)
            finally:
                turns.leave(rec)

    app = TimedApplication(argv)
    time_asyncio(turns)
    return app


def time_asyncio(turns: Turns, profile_over_ms: float | None = None) -> None:
    """Every asyncio callback qasync runs, by name (a task's step names its coroutine).
    `profile_over_ms`: run each under cProfile and keep the profiles of those that took longer
    (--turns=profile; cProfile slows Python down, so only the names and shares count)."""
    import threading

    run = asyncio.events.Handle._run
    gui = threading.main_thread().ident

    def timed_run(handle: Any) -> None:
        if threading.get_ident() != gui:  # the simulator's own loop, in its thread
            run(handle)
            return
        cb = handle._callback
        owner = getattr(cb, "__self__", None)
        if isinstance(owner, asyncio.Task):
            coro = owner.get_coro()
            what = f"asyncio task {getattr(coro, '__qualname__', coro)}"
            frame = getattr(coro, "cr_frame", None)
            then = frame.f_locals.get("on_success") if frame is not None else None
            if then is not None:  # Operations.run: what it shows when the work is done
                what += f" (on_success={getattr(then, '__qualname__', then)})"
        else:
            what = f"asyncio {getattr(cb, '__qualname__', cb)}"
        rec = turns.enter(what)
        profiler = None
        if profile_over_ms is not None and turns.enabled:
            import cProfile

            profiler = cProfile.Profile(time.thread_time)  # CPU: no waiting counted
            profiler.enable()
        try:
            run(handle)
        finally:
            if profiler is not None:
                profiler.disable()
            turns.leave(rec)
            if (
                profiler is not None
                and rec is not None
                and profile_over_ms is not None
                and rec.cpu * 1000 > profile_over_ms
            ):
                turns.profiles.append((rec.cpu, what, profiler))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign,assignment]


def name_python_entries(turns: Turns) -> None:
    """--turns=py: a profile hook that times each Python function Qt calls (its caller's
    frame is this module's notify or asyncio wrapper, or none)."""
    here = __file__
    open_records: dict[int, Record | None] = {}

    def profile(frame: Any, event: str, _arg: object) -> None:
        if event == "call":
            code = frame.f_code
            if code.co_filename == here:
                return
            back = frame.f_back
            if back is None or (back.f_code.co_filename == here and back.f_code.co_name != "beat"):
                if code.co_name == "_run" and code.co_filename.endswith("asyncio/events.py"):
                    return  # named by the asyncio wrapper already
                open_records[id(frame)] = turns.enter(
                    f"py {code.co_qualname} ({code.co_filename.rsplit('/', 1)[-1]}:"
                    f"{code.co_firstlineno})"
                )
        elif event == "return":
            rec = open_records.pop(id(frame), False)
            if rec is not False:
                turns.leave(rec)  # type: ignore[arg-type]

    sys.setprofile(profile)
