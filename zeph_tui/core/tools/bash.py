"""The ``bash`` tool: a command in its own process group, output streamed.

Output path (DESIGN.md, "Tool output path"): stdout+stderr chunks go (a) to
events for live panes, (b) into the SQLite overflow archive as they arrive,
(c) into the model's copy, head + tail within a byte budget with a notice
carrying ``overflow_id=<id>``. A timeout or a cancelled turn kills the whole
process group (SIGTERM, then SIGKILL after a grace period).

When the face offers client terminals (ACP ``terminal/*``), the command runs
there instead, and its output is still archived.

Commands run inside the shell sandbox (:class:`~zeph_tui.core.safety.sandbox.Sandbox`,
bubblewrap) when it is available and enabled: the workspace and a private
``/tmp`` writable, the rest read-only, ``ZEPH_HOME`` hidden. Client terminals
run ``exec bwrap ... bash -c COMMAND`` the same way. Permission rules
(destructive commands) are checked before, as for any tool.

Secrets are redacted before (a), (b) and (c): output is cut at line ends and
each block of whole lines passes ``ctx.redact`` (the session's
redactor) first; a line longer than 64 KiB is redacted in 64 KiB pieces.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
from collections.abc import Callable, Mapping
from typing import Any

from zeph_tui.core.errors import ToolError, ToolInputError
from zeph_tui.core.events import TerminalContent, TextContent, ToolCallUpdate
from zeph_tui.core.safety.sandbox import Sandbox
from zeph_tui.core.store.overflow import OverflowWriter
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult
from zeph_tui.core.tools.output import HeadTail

__all__ = ["Bash", "kill_process_group"]

_DEFAULT_TIMEOUT_S = 120.0
_MAX_TIMEOUT_S = 3600.0
_READ_BYTES = 64 * 1024
_KILL_GRACE_S = 1.0
_POLL_INTERVAL_S = 0.1


async def kill_process_group(
    proc: asyncio.subprocess.Process, grace_s: float = _KILL_GRACE_S
) -> None:
    """SIGTERM the process group, then SIGKILL it if still alive after ``grace_s``."""
    if proc.returncode is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # stray children of a finished leader
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            async with asyncio.timeout(grace_s):
                await proc.wait()
            break
        except TimeoutError:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _drain(stream: asyncio.StreamReader, grace_s: float = _KILL_GRACE_S) -> None:
    """Read ``stream`` to EOF (within ``grace_s``) so its pipe transport closes now.

    A command stopped early (a timeout, a full disk) leaves unread output; an
    unclosed transport would be closed by the garbage collector after the event
    loop ends, printing an ``Event loop is closed`` traceback.
    """
    with contextlib.suppress(TimeoutError, OSError, ValueError):
        async with asyncio.timeout(grace_s):
            while await stream.read(_READ_BYTES):
                pass


class Bash(Tool, name="bash", kind="execute", read_only=False):
    def __init__(self, sandbox: Sandbox | None = None) -> None:
        """Args: sandbox: confinement; None = the default (on, ``ZEPH_HOME`` hidden)."""
        self.sandbox = sandbox

    def _sandbox(self) -> Sandbox:
        if self.sandbox is None:
            from zeph_tui.core.config import zeph_home

            self.sandbox = Sandbox(hidden=(zeph_home(),))
        return self.sandbox

    def title(self, args: Mapping[str, Any]) -> str:
        command = str(args.get("command", "?"))
        return f"Run `{command if len(command) <= 80 else command[:77] + '...'}`"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    def target_command(self, args: Mapping[str, Any]) -> str | None:
        command = args.get("command")
        return command if isinstance(command, str) else None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        command: str = args["command"]
        if not command.strip():
            raise ToolInputError("command is empty")
        timeout_s = float(args.get("timeout_s") or _DEFAULT_TIMEOUT_S)
        if not 0 < timeout_s <= _MAX_TIMEOUT_S:
            raise ToolInputError(f"timeout_s must be in (0, {_MAX_TIMEOUT_S:.0f}]")
        model_copy = HeadTail(ctx.model_copy_limit_bytes)
        sandbox = self._sandbox()
        await asyncio.to_thread(sandbox.status)  # the first call probes bwrap
        argv = sandbox.wrap(["bash", "-c", command], ctx.workspace)
        writer = await ctx.archive.writer(ctx.session_id, ctx.tool_call_id)
        async with writer:
            if ctx.terminal is not None:
                client_command = command if argv[0] == "bash" else "exec " + shlex.join(argv)
                exit_text, timed_out = await self._run_client(
                    client_command, timeout_s, ctx, writer, model_copy
                )
            else:
                exit_text, timed_out = await self._run_local(
                    argv, timeout_s, ctx, writer, model_copy
                )
        overflow_id = writer.id if model_copy.truncated else None
        body = model_copy.render(overflow_id)
        text = f"{exit_text}\n{body}" if body else exit_text
        if ctx.code_intel is not None:
            await ctx.code_intel.files_changed([])
        if timed_out:
            raise ToolError(f"command timed out after {timeout_s:g} s and was killed\n{text}")
        return ToolResult(text, is_error=not exit_text.startswith("exit code 0"))

    async def _run_local(
        self,
        argv: list[str],
        timeout_s: float,
        ctx: ToolContext,
        writer: OverflowWriter,
        model_copy: HeadTail,
    ) -> tuple[str, bool]:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=ctx.workspace,
            env=dict(ctx.env) if ctx.env else None,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        assert proc.stdout is not None
        timed_out = False
        pending = b""
        redact = _redactor(ctx)

        async def publish(block: bytes) -> None:
            block = redact(block)
            model_copy.feed(block)
            await writer.write(block)
            await (ctx.emit_redacted or ctx.emit)(
                _output_update(ctx, block.decode("utf-8", "replace"))
            )

        try:
            async with asyncio.timeout(timeout_s):
                while data := await proc.stdout.read(_READ_BYTES):
                    pending += data
                    cut = pending.rfind(b"\n") + 1
                    if not cut and len(pending) >= _READ_BYTES:
                        cut = len(pending)  # one very long line: redact it in pieces
                    if cut:
                        block, pending = pending[:cut], pending[cut:]
                        await publish(block)
                await proc.wait()
        except TimeoutError:
            timed_out = True
        finally:
            await kill_process_group(proc)
            await _drain(proc.stdout)
        if pending:
            await publish(pending)
        if timed_out:
            return "exit code: killed (timeout)", True
        code = proc.returncode
        if code is not None and code < 0:
            return f"exit code {code} (signal {signal.Signals(-code).name})", False
        return f"exit code {code}", False

    async def _run_client(
        self,
        command: str,
        timeout_s: float,
        ctx: ToolContext,
        writer: OverflowWriter,
        model_copy: HeadTail,
    ) -> tuple[str, bool]:
        assert ctx.terminal is not None
        terminal = ctx.terminal
        terminal_id = await terminal.create(command, ctx.workspace, ctx.env, 64 * 1024 * 1024)
        seen_chars = 0
        timed_out = False
        redact = _redactor(ctx)

        async def drain() -> None:
            nonlocal seen_chars
            snapshot = await terminal.output(terminal_id)
            new = snapshot.output[seen_chars:]
            seen_chars = len(snapshot.output)
            if new:
                data = redact(new.encode())
                model_copy.feed(data)
                await writer.write(data)

        try:
            await ctx.emit(
                ToolCallUpdate(ctx.tool_call_id, content=(TerminalContent(terminal_id),))
            )
            waiter = asyncio.ensure_future(terminal.wait_for_exit(terminal_id))
            try:
                async with asyncio.timeout(timeout_s):
                    while not waiter.done():
                        await asyncio.wait({waiter}, timeout=_POLL_INTERVAL_S)
                        await drain()
            except TimeoutError:
                timed_out = True
                await terminal.kill(terminal_id)
            finally:
                if not waiter.done():
                    waiter.cancel()
                    await terminal.kill(terminal_id)
            await drain()
            exit_status = None if timed_out else waiter.result()
        finally:
            with contextlib.suppress(Exception):
                await terminal.release(terminal_id)
        if timed_out or exit_status is None:
            return "exit code: killed (timeout)", True
        if exit_status.signal:
            return f"exit code {exit_status.exit_code} (signal {exit_status.signal})", False
        return f"exit code {exit_status.exit_code}", False


def _redactor(ctx: ToolContext) -> Callable[[bytes], bytes]:
    """Bytes -> bytes redaction with ``ctx.redact`` (identity without one)."""
    redact_text = ctx.redact
    if redact_text is None:
        return lambda data: data

    def redact(data: bytes) -> bytes:
        text = data.decode("utf-8", "surrogateescape")  # round-trips undecodable bytes
        out = redact_text(text)
        return data if out == text else out.encode("utf-8", "surrogateescape")

    return redact


def _output_update(ctx: ToolContext, text: str) -> ToolCallUpdate:
    return ToolCallUpdate(ctx.tool_call_id, content=(TextContent(text),))
