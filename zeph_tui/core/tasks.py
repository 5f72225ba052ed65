"""``BackgroundTasks``: the owner of a component's fire-and-forget asyncio tasks.

Every background task has an owner that cancels and awaits it (STYLE.md,
Async). A finished task leaves the set by itself; a failure is logged, never
lost silently. Standard library only: cheap to import on any start-up path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["BackgroundTasks"]

T = TypeVar("T")


class BackgroundTasks:
    """A set of running tasks: :meth:`spawn` adds one, :meth:`cancel_all` ends them all.

    Args:
        log: where a task's failure is reported.
        level: the logging level of that report (``logging.DEBUG``, ``logging.WARNING``...).
        what: the report's wording, e.g. ``"code intel task failed"``.
    """

    def __init__(self, log: logging.Logger, level: int, what: str) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._log = log
        self._level = level
        self._what = what

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` in the running loop as a task owned here; returns the task."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._reap)
        return task

    def _reap(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._log.log(self._level, "%s: %s", self._what, task.exception())

    async def cancel_all(self) -> None:
        """Cancel every task and wait until each has ended (their errors are swallowed)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
