"""A turn that fails on a :class:`~zeph_tui.core.errors.ZephError`: one message, no call left open.

A full disk, a read-only database or a provider that gave up can end a turn
from deep inside a tool batch, wrapped in an ``ExceptionGroup``. Every face
ends such a turn the same way: :func:`user_message` finds the ZephError and
gives its one-line message; :func:`end_failed_turn` also ends every tool call
the session announced and never finished (``Session.open_tool_calls``) with a ``failed``
``tool_call_update`` (ACP ``session/update``), so a client never shows a call
running forever. The face then reports stop reason ``refusal`` (ACP: the turn
is not continued) with the message.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from zeph_tui.core.errors import ZephError
from zeph_tui.core.events import ToolCallUpdate

if TYPE_CHECKING:
    from zeph_tui.core.session.session import Session

__all__ = ["end_failed_turn", "find_error", "user_message"]


def find_error(exc: BaseException) -> ZephError | None:
    """``exc`` itself if it is a ZephError, else the first one inside an exception group."""
    if isinstance(exc, ZephError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = find_error(inner)
            if found is not None:
                return found
    return None


def user_message(exc: BaseException) -> str | None:
    """The one-line message of the ZephError in ``exc`` (see :func:`find_error`), else None."""
    found = find_error(exc)
    return None if found is None else " ".join(str(found).split())


async def end_failed_turn(session: Session, exc: BaseException) -> str | None:
    """End the tool calls a failed turn left open; return the one-line message.

    Returns:
        ``None`` when ``exc`` holds no ZephError (a bug: the caller re-raises),
        else the message. Each still-open call gets ``ToolCallUpdate(status=
        "failed", raw_output={"text": message, "isError": True})`` through the
        session's sink, and is marked failed in the store when the store can
        still write (on a full disk it cannot; the row stays ``in_progress``).
    """
    message = user_message(exc)
    if message is None:
        return None
    sessions = session.store.sessions
    open_calls = sorted(session.open_tool_calls)
    session.open_tool_calls.clear()
    for call_id in open_calls:
        raw = {"text": message, "isError": True}
        with contextlib.suppress(Exception):  # a client gone away must not hide the message
            await session.sink(ToolCallUpdate(call_id, status="failed", raw_output=raw))
        with contextlib.suppress(ZephError):
            await sessions.finish_tool_call(
                session.id, call_id, status="failed", result_text=message, is_error=True
            )
    return message
