"""An owner for background tasks: spawn, wait with a grace period, cancel all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["TaskSupervisor"]

_log = logging.getLogger("acp.supervisor")
_T = TypeVar("_T")


class TaskSupervisor:
    """Owns a set of asyncio tasks; :meth:`close` cancels and awaits every one.

    Task failures other than cancellation are logged (with traceback, to the
    ``acp`` logger, hence stderr) and otherwise swallowed: a failing task must
    not take the connection down.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has started (no new tasks accepted)."""
        return self._closed

    def spawn(self, coro: Coroutine[Any, Any, _T], *, name: str | None = None) -> asyncio.Task[_T]:
        """Start ``coro`` as a task owned by this supervisor.

        Raises:
            RuntimeError: if the supervisor is closed (``coro`` is closed unrun).
        """
        if self._closed:
            coro.close()
            raise RuntimeError("TaskSupervisor is closed")
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._on_done)
        return task

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _log.error("task %s failed", task.get_name(), exc_info=exc)

    async def wait(self, timeout_s: float | None) -> None:
        """Wait until every owned task is done, or ``timeout_s`` seconds pass."""
        current = asyncio.current_task()
        pending = {task for task in self._tasks if task is not current}
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)

    async def close(self) -> None:
        """Cancel every owned task (except the caller's own) and await them all."""
        self._closed = True
        current = asyncio.current_task()
        while pending := [task for task in self._tasks if task is not current]:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
