"""``!cmd``: run a shell command directly (not through the model), streamed like a tool call.

The command runs with bash in the workspace, in its own process group, stdout
and stderr merged and drained; its output reaches a tool pane through the
same :class:`~zeph_tui.core.ports.EventSink` the session uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping
from pathlib import Path

from zeph_tui.core import EventSink
from zeph_tui.core.events import TextContent, ToolCall, ToolCallUpdate

__all__ = ["run_shell"]

_READ_BYTES = 64 * 1024


async def run_shell(
    command: str,
    *,
    call_id: str,
    cwd: Path,
    sink: EventSink,
    env: Mapping[str, str] | None = None,
    kill_grace_s: float = 1.0,
) -> int:
    """Run ``command``; emit a ToolCall, output chunks, and a final update.

    Returns:
        The exit code (negative: killed by that signal). Cancelling the
        caller kills the whole process group (SIGTERM, then SIGKILL).
    """
    await sink(
        ToolCall(
            call_id,
            f"$ {command}",
            "execute",
            "in_progress",
            raw_input={"command": command},
            name="shell",
        )
    )
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        command,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    pending = b""
    try:
        while data := await proc.stdout.read(_READ_BYTES):
            cut = data.rfind(b"\n") + 1
            if cut:
                chunk, pending = pending + data[:cut], data[cut:]
                await sink(
                    ToolCallUpdate(
                        call_id, content=(TextContent(chunk.decode("utf-8", "replace")),)
                    )
                )
            else:
                pending += data
        code = await proc.wait()
    finally:
        if proc.returncode is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
                try:
                    async with asyncio.timeout(kill_grace_s):
                        await proc.wait()
                    break
                except TimeoutError:
                    continue
    if pending:
        await sink(
            ToolCallUpdate(call_id, content=(TextContent(pending.decode("utf-8", "replace")),))
        )
    await sink(
        ToolCallUpdate(
            call_id,
            status="completed" if code == 0 else "failed",
            raw_output={"text": f"exit code {code}", "isError": code != 0},
        )
    )
    return code
