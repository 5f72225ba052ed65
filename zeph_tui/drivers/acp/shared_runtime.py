"""``SharedRuntime``: the process's one core Runtime, started on the first session request.

Shared by every ACP connection of the process (stdio, or many network
connections). Imports only :mod:`acp` and the standard library at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import acp
from acp import RequestError

if TYPE_CHECKING:
    from zeph_tui.core import Runtime

__all__ = ["SharedRuntime"]

log = logging.getLogger(__name__)


class SharedRuntime:
    """The process's one :class:`Runtime`, started on first use (shared by network connections).

    Args:
        provider / model: command-line overrides of the provider resolution.
    """

    def __init__(self, provider: str | None = None, model: str | None = None) -> None:
        self._provider = provider
        self._model = model
        self._runtime: Runtime | None = None
        self._lock = asyncio.Lock()
        self._prestart: asyncio.Task[None] | None = None

    def prestart(self) -> None:
        """Start the runtime now, in a task, ahead of the first session request.

        For a client that answered ``initialize`` and opens a session later:
        ``session/new`` then finds the runtime started (or awaits the start
        under way). A failure is not raised here: :meth:`get` starts again and
        the session request gets the error. Call it from the event loop.
        """
        if self._prestart is None and self._runtime is None:

            async def start() -> None:
                with contextlib.suppress(RequestError):
                    runtime = await self.get()
                    if runtime.sandbox is not None:  # the probe (cached) session/new reports
                        await asyncio.to_thread(runtime.sandbox.status)

            self._prestart = asyncio.get_running_loop().create_task(start())

    async def get(self) -> Runtime:
        """The runtime (started once). Raises ``RequestError`` -32603 when it cannot start."""
        async with self._lock:
            if self._runtime is None:
                from zeph_tui.core import Runtime, ZephError

                try:
                    self._runtime = await Runtime.start(provider=self._provider, model=self._model)
                except ZephError as exc:
                    log.error("runtime start failed: %s", exc)
                    raise RequestError(acp.ErrorCode.INTERNAL_ERROR, str(exc)) from exc
            return self._runtime

    async def aclose(self) -> None:
        """Close the runtime (after a :meth:`prestart` under way has finished)."""
        if self._prestart is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._prestart
        if self._runtime is not None:
            await self._runtime.aclose()
            self._runtime = None
