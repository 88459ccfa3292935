"""The longest event-loop stall while the window looks up and refunds (a 1 ms heartbeat timer),
and peak RSS after ten refunds. Training mode: the simulator runs in a thread of this process,
so its memory is counted too.

    DISPLAY=:99 python bench/ui_stall.py [--external]    (or QT_QPA_PLATFORM=offscreen)

--external runs the simulator as its own process, as a real gateway would be: then the app's
GUI thread does not share the GIL with the simulator's request handling. --gc-as-before leaves
garbage collection on during start-up (before app.hold_collection_for_startup).
--turns lists the longest heartbeat gaps during the refunds with what ran in them (each Qt event
and asyncio callback, wall and GUI-thread CPU time, the other threads' CPU time: bench/_turns.py);
--turns=py also names the Python functions Qt called, --turns=profile profiles each asyncio
callback over 2 ms (both slower: for names, not for figures); --turns=cpu only times each gap
(wall, GUI-thread CPU, other threads' CPU), without the per-event hook's own cost.

Every garbage collection is timed (gc.callbacks), per phase (start-up until the window is ready,
then the refunds) and thread: a collection on a worker thread holds the GIL, so the GUI waits too.

Goals: longest stall ≤ 8 ms; no collection over 8 ms; peak RSS ≤ 120 MiB. For scale, the bench also reports the longest stall of the same
window sitting idle for as long (this machine's scheduling jitter: 5–9 ms on the 2-core VM).
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests.support
os.environ.setdefault("CASHIER_GUI_HOME", tempfile.mkdtemp(prefix="cashier-bench-"))

import itertools

from PySide6.QtCore import Qt, QTimer

from cashier_gui.app import (
    default_runtime_factory,
    drop_source_lines,
    freeze_startup_objects,
    hold_collection_for_startup,
    make_application,
    use_worker_threads_on_demand,
)
from cashier_gui.ui.main_window import MainWindow

CHARGES = ["ch_train_eur_4990", "ch_train_eur_partly", "ch_train_jpy_12800", "ch_train_kwd_12345"]


async def until(check: object) -> None:
    while not check():  # type: ignore[operator]
        await asyncio.sleep(0.001)


async def painted_or_late(painted: Any, give_up: float) -> None:
    """Until the result and the practice list are painted (2 s at most: the list may not
    change)."""
    await until(lambda: painted() or time.perf_counter() > give_up)


async def drive(
    w: MainWindow,
    gaps: list[float],
    beats: list[float],
    idle: list[float],
    turns: Any = None,
    answers: list[tuple[float, float]] | None = None,
) -> None:
    """A fast cashier: every key press or click is its own event, as real input is (20 ms
    apart: the scanner's Enter, the cashier's clicks); the bench waits for the answers."""

    async def act(action: object) -> None:
        action()  # type: ignore[operator]
        await asyncio.sleep(0.02)

    await until(lambda: w.runtime is not None)
    await asyncio.sleep(0.3)
    p = w.panel
    painted = watch_answers(p, answers if answers is not None else [])
    beats.clear()
    if turns is not None:
        turns.beat()
        turns.enabled, turns.started = True, time.perf_counter()
    for i in range(10):
        await act(p.new_refund)
        await act(lambda: p.charge_edit.setText(CHARGES[i % len(CHARGES)]))  # noqa: B023
        await act(p.lookup)
        await until(lambda: p.stage == "charge")
        await act(lambda: p.partial_radio.setChecked(True))
        await act(lambda: p.amount_edit.setText("1"))
        await act(p.action_button.click)
        await act(p.confirm_button.click)
        await until(lambda: p.stage == "result")
        await painted_or_late(painted, time.perf_counter() + 2.0)
    await asyncio.sleep(0.05)
    if turns is not None:
        turns.enabled = False
    gaps.extend(b - a for a, b in itertools.pairwise(beats))
    beats.clear()  # the same window, idle, for as long: this machine's own jitter
    await asyncio.sleep(max(2.0, sum(gaps)))
    idle.extend(b - a for a, b in itertools.pairwise(beats))


def watch_answers(p: Any, answers: list[tuple[float, float]]) -> Any:
    """Per refund, from its answer reaching the GUI thread (the panel's _show_result): ms until
    the result card is painted, and until the practice list is painted with what is left.
    Returns a check: both painted for the last answer."""
    from PySide6.QtCore import QEvent, QObject

    state: dict[str, float | None] = {"answer": None, "result": None, "list": None}
    words: list[list[str]] = [[]]  # the practice list's lines when the answer came
    show_result = p._show_result

    def timed_show_result(attempt: object) -> None:
        flush()
        state.update(answer=time.perf_counter(), result=None, list=None)
        words[0] = [p.practice.item(i).text() for i in range(p.practice.count())]
        show_result(attempt)

    def flush() -> None:
        a, r, lst = state["answer"], state["result"], state["list"]
        if a is not None and r is not None and lst is not None:
            answers.append(((r - a) * 1000, (lst - a) * 1000))
            state["answer"] = None

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and state["answer"] is not None:
                now = time.perf_counter()
                if obj is p.result_card and state["result"] is None:
                    state["result"] = now
                elif obj is p.practice.viewport() and state["list"] is None:
                    listed = [p.practice.item(i).text() for i in range(p.practice.count())]
                    if listed != words[0]:  # painted with what is left now
                        state["list"] = now
            return False

    p._show_result = timed_show_result
    watcher = Painted(p)
    p.result_card.installEventFilter(watcher)
    p.practice.viewport().installEventFilter(watcher)

    def done() -> bool:
        if state["answer"] is None or (state["result"] is not None and state["list"] is not None):
            flush()
            return True
        return False

    return done


def external_factory() -> tuple[object, object]:
    """A runtime talking to `cashier-refund sim viopay` in another process."""

    from cashier_gui.config import Paths, Settings
    from cashier_gui.gateways.viopay import ViopayClient
    from cashier_gui.refunds import RefundService
    from cashier_gui.runtime import JournalHome, Runtime, warm_up
    from cashier_gui.simulators import viopay as vsim
    from tests.support.cli import CLI, start_sim

    proc, url, _ = start_sim([*CLI, "sim", "viopay", "--port", "0"])

    def factory(training: bool, provider: str) -> Runtime:
        paths = Paths.default()
        client = ViopayClient(
            base_url=url,
            terminal_id=vsim.TRAINING_TERMINAL_ID,
            key_id=vsim.TRAINING_KEY_ID,
            hmac_secret=vsim.TRAINING_HMAC_SECRET,
            msk=bytes.fromhex(vsim.TRAINING_MSK_HEX),
        )
        service = RefundService(
            client, JournalHome(paths.journal).open(), terminal="T", operator="bench"
        )
        warm_up(Settings())
        home = JournalHome(paths.journal)
        return Runtime(paths, Settings(), service, False, "Viopay (simulator process)", "T", home)

    return factory, proc


def watch_gc(phase: list[str]) -> list[tuple[int, float, str, str]]:
    """(generation, ms, thread, phase) of every garbage collection: the usual suspect for an
    outlier. A collection on any thread holds the GIL: the GUI thread waits for it too."""
    import threading

    pauses: list[tuple[int, float, str, str]] = []
    started = [0.0]

    def callback(kind: str, info: dict[str, int]) -> None:
        if kind == "start":
            started[0] = time.perf_counter()
        else:
            ms = (time.perf_counter() - started[0]) * 1000
            where = "GUI" if threading.current_thread() is threading.main_thread() else "worker"
            pauses.append((info["generation"], ms, where, phase[0]))

    gc.callbacks.append(callback)
    return pauses


def main() -> None:
    if "--gc-as-before" not in sys.argv:
        hold_collection_for_startup()  # as app.run does
    turns: Any = None
    turn_args = [a for a in sys.argv if a.startswith("--turns")]
    if turn_args:
        import _turns  # bench/_turns.py

        turns = _turns.Turns(min_ms=float(os.environ.get("TURNS_MIN_MS", "0.2")))
        turns.keep_all = bool(os.environ.get("TURNS_TIMELINE"))
        over = 2.0 if turn_args[0] == "--turns=profile" else None
        if turn_args[0] == "--turns=profile":  # no per-event hook: its calls would count
            _turns.time_asyncio(turns, over)
        elif turn_args[0] != "--turns=cpu":
            _turns.timed_application(turns, [sys.argv[0]])  # make_application takes it
        if turn_args[0] == "--turns=py":
            _turns.name_python_entries(turns)
    app = make_application([sys.argv[0]])
    import qasync

    loop = qasync.QEventLoop(app)
    use_worker_threads_on_demand(loop)  # as app.run does
    asyncio.set_event_loop(loop)
    factory: Any = default_runtime_factory
    proc: Any = None
    if "--external" in sys.argv:
        factory, proc = external_factory()
    w = MainWindow(factory, training=True)
    w.resize(1024, 768)
    w.ready.connect(freeze_startup_objects)  # as app.run does
    w.show()
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    if turns is None:
        heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    else:

        def beat() -> None:
            beats.append(time.perf_counter())
            turns.beat()

        heartbeat.timeout.connect(beat)
    heartbeat.start(1)
    phase = ["start-up"]
    pauses = watch_gc(phase)
    w.ready.connect(lambda: phase.__setitem__(0, "refunds"))
    drop_source_lines()  # as app.run does before the runtime starts
    w.start()
    gaps: list[float] = []
    idle: list[float] = []
    answers: list[tuple[float, float]] = []
    with loop:
        loop.run_until_complete(drive(w, gaps, beats, idle, turns, answers))
        heartbeat.stop()
        loop.run_until_complete(w.shutdown())
    if proc is not None:
        proc.terminate()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    now = resident_mib()
    gaps_ms = sorted(g * 1000 for g in gaps)
    print(
        f"10 lookups + refunds: {len(gaps)} heartbeats, longest stall {gaps_ms[-1]:.1f} ms, "
        f"p99 {gaps_ms[int(len(gaps_ms) * 0.99)]:.1f} ms, median {statistics.median(gaps_ms):.2f} ms, "
        f"{sum(g > 8 for g in gaps_ms)} over 8 ms"
    )
    idle_ms = sorted(g * 1000 for g in idle)
    print(
        f"the same window idle (no refunds), as long: longest stall {idle_ms[-1]:.1f} ms, "
        f"p99 {idle_ms[int(len(idle_ms) * 0.99)]:.1f} ms, {sum(g > 8 for g in idle_ms)} over 8 ms"
    )
    if answers:
        to_result = sorted(a[0] for a in answers)
        to_list = sorted(a[1] for a in answers)
        print(
            f"answer → result painted: median {statistics.median(to_result):.1f} ms, longest "
            f"{to_result[-1]:.1f} ms; → practice list painted with what is left: median "
            f"{statistics.median(to_list):.1f} ms, longest {to_list[-1]:.1f} ms ({len(answers)} refunds)"
        )
    for name in ("start-up", "refunds"):
        mine = [p for p in pauses if p[3] == name]
        worst = max(mine, key=lambda p: p[1], default=(0, 0.0, "-", name))
        print(
            f"garbage collections during {name}: {len(mine)}, longest {worst[1]:.1f} ms "
            f"(generation {worst[0]}, {worst[2]} thread), "
            f"{sum(p[1] > 8 for p in mine)} over 8 ms"
        )
    print(
        f"peak RSS after ten refunds: {rss:.0f} MiB; resident now: {now:.0f} MiB "
        "(bench/memory.py breaks it down)"
    )
    if turns is not None:
        turns.report()
        window = os.environ.get("TURNS_TIMELINE")  # "from,to" in s after the refunds began
        if window:
            since, until_s = (float(x) for x in window.split(","))
            turns.timeline(since, until_s)


def resident_mib() -> float:
    """The resident set now (Linux: /proc/self/statm), beside the peak getrusage gives."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


if __name__ == "__main__":
    main()
