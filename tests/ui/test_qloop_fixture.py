"""The qloop fixture itself: an exception on the event loop that nobody awaited fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")


def test_a_task_that_dies_unawaited_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(
        test_dies="""
        import asyncio
        import gc

        def test_dies(qloop, qtbot):
            async def boom():
                raise RuntimeError("lost in a task")

            task = qloop.create_task(boom())
            qtbot.waitUntil(task.done)
            del task
            gc.collect()  # the task's finalizer reports the exception nobody retrieved

        def test_quiet(qloop, qtbot):
            qloop.call_soon(lambda: None)
            qtbot.wait(50)
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*exceptions on the event loop*", "*never retrieved*"])
