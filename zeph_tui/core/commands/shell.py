"""``!cmd``: a person's own shell command, run by the core ``bash`` tool.

The same path as the model's commands (:class:`~zeph_tui.core.tools.bash.Bash`):
own process group killed on cancel (SIGTERM, then SIGKILL), output redacted,
archived in SQLite as it arrives (``zeph-tui overflow``) and streamed as
``tool_call_update`` events through the session's sink. The call is recorded in
the session's tool calls. It is the person's command, so no permission is
asked and the model does not see it.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from zeph_tui.core.errors import ToolError
from zeph_tui.core.events import ToolCall, ToolCallStatus, ToolCallUpdate
from zeph_tui.core.tools.base import ToolResult

if TYPE_CHECKING:
    from zeph_tui.core.session.session import Session

__all__ = ["SHELL_TIMEOUT_S", "run_shell"]

SHELL_TIMEOUT_S = 3600.0
"""A person's command may run for an hour (the model's default is 120 s); Esc stops it."""
_RESULT_CHARS = 4000


async def run_shell(session: Session, command: str, *, call_id: str) -> ToolResult:
    """Run ``command`` with bash in the session's workspace; returns the bash tool's result.

    Events: a ``ToolCall`` (kind ``execute``), output updates, a final update
    with ``raw_output = {"text", "isError"}``; the result text starts with
    ``exit code N``. Cancelling the caller kills the process group and ends
    the call ``failed``.
    """
    from zeph_tui.core.tools.bash import Bash

    args = {"command": command, "timeout_s": SHELL_TIMEOUT_S}
    call = ToolCall(call_id, f"$ {command}", "execute", "in_progress", raw_input=args, name="bash")
    await session.sink(call)
    calls = session.store.sessions
    await calls.record_tool_call(session.id, call_id, "bash", json.dumps(args))
    try:
        result = await Bash().run(args, session.tool_context(call_id))
    except ToolError as exc:
        result = ToolResult(str(exc), is_error=True)
    except asyncio.CancelledError:
        await session.sink(ToolCallUpdate(call_id, status="failed"))
        await calls.finish_tool_call(
            session.id, call_id, status="failed", result_text="cancelled", is_error=True
        )
        raise
    status: ToolCallStatus = "failed" if result.is_error else "completed"
    raw_output = {"text": result.text[:_RESULT_CHARS], "isError": result.is_error}
    await session.sink(ToolCallUpdate(call_id, status=status, raw_output=raw_output))
    await calls.finish_tool_call(
        session.id, call_id, status=status, result_text=result.text, is_error=result.is_error
    )
    return result
