"""The dashboard's side of the core ports: an event sink and an approver.

:class:`UiSink` queues events into an :class:`~zeph_tui.ui.feed.EventFeed`
and wakes the app's frame timer; it never updates a widget itself.
:class:`UiApprover` follows Toad's pattern: it posts a
:class:`PermissionRequested` message carrying an :class:`asyncio.Future`,
and the permission modal resolves that future with the person's answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from textual.message import Message

from zeph_tui.core import PermissionOutcome, PermissionRequest
from zeph_tui.core.events import Event, TextContent, ToolCall, ToolCallUpdate
from zeph_tui.ui.feed import EventFeed

__all__ = ["EDITING_KINDS", "PermissionRequested", "UiApprover", "UiSink"]

PRODUCER_SLICE_S = 0.002
"""Work a streaming producer may do between two events before it is paused (seconds)."""
MAX_PAUSE_S = 0.02
"""Longest pause given to a streaming producer at one event (seconds)."""

EDITING_KINDS = frozenset({"edit", "delete", "move", "execute"})
"""Tool kinds that may change the working tree (a checkpoint is taken before the first)."""


class UiSink:
    """An :class:`~zeph_tui.core.ports.EventSink` for the dashboard.

    Pacing: the session's producers run on the dashboard's event loop, and a
    command printing as fast as it can keeps a chunk of work (read 64 KiB,
    redact it, archive it, emit it) ready at every loop iteration. A key press
    needs a dozen iterations to reach the screen, so each of them would wait
    for one chunk. When a tool-output update arrives after the producer
    worked longer than :data:`PRODUCER_SLICE_S` since its previous event, the
    sink pauses it for as long as it worked (at most :data:`MAX_PAUSE_S`):
    the producer gets about half of the loop, input and frames the rest (the
    command blocks on its pipe meanwhile; nothing is dropped).

    Args:
        feed: where events are queued.
        wake: called (synchronously) after each push so the app schedules a flush.
        before_edit: awaited once per turn, before the first tool call that
            may edit files runs (the session awaits the sink before running a
            tool, so the checkpoint is taken before any change).
    """

    def __init__(
        self,
        feed: EventFeed,
        wake: Callable[[], None],
        before_edit: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.feed = feed
        self.wake = wake
        self.before_edit = before_edit
        self._edit_seen = False
        self._edit_lock = asyncio.Lock()  # concurrent edits wait for the one checkpoint
        self._returned_at = 0.0  # perf_counter() when the last call returned to its producer
        self.paused_s = 0.0  # total pacing pause so far (seconds; for benches and tests)

    def new_turn(self) -> None:
        """Arm the before-edit hook for the next turn."""
        self._edit_seen = False

    async def __call__(self, event: Event) -> None:
        if (
            isinstance(event, ToolCall)
            and event.kind in EDITING_KINDS
            and self.before_edit is not None
        ):
            async with self._edit_lock:
                if not self._edit_seen:
                    await self.before_edit()
                    self._edit_seen = True
        self.feed.push(event)
        self.wake()
        worked_s = time.perf_counter() - self._returned_at
        if _is_output(event) and worked_s > PRODUCER_SLICE_S:
            pause_s = min(worked_s, MAX_PAUSE_S)
            self.paused_s += pause_s
            await asyncio.sleep(pause_s)
        else:
            await asyncio.sleep(0)  # let the app breathe between chunks of a fast producer
        self._returned_at = time.perf_counter()


def _is_output(event: Event) -> bool:
    """A streamed tool-output update (text content and nothing else)."""
    return (
        isinstance(event, ToolCallUpdate)
        and event.status is None
        and bool(event.content)
        and all(isinstance(c, TextContent) for c in event.content or ())
    )


class PermissionRequested(Message):
    """A tool call waits for the person; resolve ``future`` with a PermissionOutcome."""

    def __init__(
        self, request: PermissionRequest, future: asyncio.Future[PermissionOutcome]
    ) -> None:
        super().__init__()
        self.request = request
        self.future = future


class UiApprover:
    """An :class:`~zeph_tui.core.ports.Approver` that asks through a modal.

    Args:
        post: the app's ``post_message``.
    """

    def __init__(self, post: Callable[[Message], bool]) -> None:
        self.post = post

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        """Post :class:`PermissionRequested` and wait for the modal's answer.

        Returns ``cancelled`` when the turn is cancelled while waiting.
        """
        future: asyncio.Future[PermissionOutcome] = asyncio.get_running_loop().create_future()
        self.post(PermissionRequested(request, future))
        try:
            return await future
        except asyncio.CancelledError:
            if not future.done():
                future.cancel()
            raise
