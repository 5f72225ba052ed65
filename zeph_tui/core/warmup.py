"""``Warmup``: the owner of the background work that follows a session's answer.

DESIGN.md, "Session open path": a session answers with what is known at
once (store row, modes, models, commands); the provider SDK or local model,
the skills index, the repo map and the language-server bridge are prepared
behind the answer by tasks this supervisor starts, names (``provider:<id>``,
``skills:<workspace>``, ...), reports on and, on :meth:`Warmup.aclose`,
cancels and awaits. A prompt awaits only the keys it needs, optionally within
a bound (:meth:`Warmup.wait`). A failing warm-up never raises here: it is
recorded (:meth:`Warmup.status`) and the real call repeats the work and
raises its own error.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable

__all__ = ["WARMING", "Warmup"]

WARMING: contextvars.ContextVar[str | None] = contextvars.ContextVar("zeph_warming", default=None)
"""The key of the warm-up the current code runs for (``None`` outside warm-ups).

Copied into worker threads by ``asyncio.to_thread``, so logs and the
import-cost tests can tell warm-up work from the critical path.
"""

log = logging.getLogger(__name__)


class Warmup:
    """Background warm-up tasks, one per key, owned until :meth:`aclose`."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._errors: dict[str, str] = {}
        self._closed = False

    def start(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work()`` in the background unless ``key`` already ran or runs.

        The task yields once before ``work`` starts, so a response written in
        the same step as this call goes out first.
        """
        if self._closed or key in self._tasks:
            return
        self._tasks[key] = asyncio.create_task(self._guarded(key, work), name=f"warmup:{key}")

    async def _guarded(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        WARMING.set(key)  # this task's own context copy
        await asyncio.sleep(0)
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # recorded; the real call raises its own error
            self._errors[key] = f"{type(exc).__name__}: {exc}"
            log.info("warm-up %s failed: %s", key, exc)

    async def wait(self, key: str, timeout_s: float | None = None) -> bool:
        """Wait for the warm-up of ``key``; never cancels it, never raises its error.

        Args:
            key: a key given to :meth:`start`.
            timeout_s: longest wait in seconds (``None``: until done).

        Returns:
            True when it is done (also when it failed or was never started),
            False when ``timeout_s`` passed first.
        """
        task = self._tasks.get(key)
        if task is None or task.done():
            return True
        done, _ = await asyncio.wait({task}, timeout=timeout_s)
        return bool(done)

    def status(self) -> dict[str, str]:
        """``{key: "warming" | "ready" | "failed: <reason>" | "cancelled"}`` for the status bar."""
        out: dict[str, str] = {}
        for key, task in self._tasks.items():
            if not task.done():
                out[key] = "warming"
            elif task.cancelled():
                out[key] = "cancelled"
            elif key in self._errors:
                out[key] = f"failed: {self._errors[key]}"
            else:
                out[key] = "ready"
        return out

    def pending(self) -> list[str]:
        """Keys still warming."""
        return [key for key, task in self._tasks.items() if not task.done()]

    async def cancel(self, prefix: str) -> None:
        """Cancel and await the warm-ups whose key starts with ``prefix`` (one session's)."""
        await self._cancel([k for k in self._tasks if k.startswith(prefix)])

    async def aclose(self) -> None:
        """Cancel and await every warm-up; later :meth:`start` calls do nothing."""
        self._closed = True
        await self._cancel(list(self._tasks))

    async def _cancel(self, keys: list[str]) -> None:
        tasks = [self._tasks.pop(k) for k in keys]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
