"""The dashboard's side of the core ports: an event sink and an approver.

:class:`UiSink` queues events into an :class:`~zeph_tui.ui.feed.EventFeed`
and wakes the app's frame timer; it never updates a widget itself.
:class:`UiApprover` follows Toad's pattern: it posts a
:class:`PermissionRequested` message carrying an :class:`asyncio.Future`,
and the permission modal resolves that future with the person's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.message import Message

from zeph_tui.core.events import Event, ToolCall
from zeph_tui.core.ports import PermissionOutcome, PermissionRequest
from zeph_tui.ui.feed import EventFeed

__all__ = ["EDITING_KINDS", "PermissionRequested", "UiApprover", "UiSink"]

EDITING_KINDS = frozenset({"edit", "delete", "move", "execute"})
"""Tool kinds that may change the working tree (a checkpoint is taken before the first)."""


class UiSink:
    """An :class:`~zeph_tui.core.ports.EventSink` for the dashboard.

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
        await asyncio.sleep(0)  # let the app breathe between chunks of a fast producer


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
