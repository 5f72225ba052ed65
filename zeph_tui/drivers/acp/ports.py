"""The core's ports implemented over ACP client calls.

- :class:`AcpSink` (``EventSink``): each core event becomes one ``session/update``
  (spec: /prompt-turn#3-agent-reports-output); the core's ``accept-edits`` mode
  is shown to the client as ``code``.
- :class:`AcpApprover` (``Approver``): ``session/request_permission`` with the
  four option kinds (spec: /tool-calls#requesting-permission).
- :class:`AcpFS` (``WorkspaceFS``): ``fs/read_text_file`` / ``fs/write_text_file``
  so the agent sees unsaved buffers and its edits land in them (spec: /file-system).
- :class:`AcpTerminal` (``ClientTerminal``): ``terminal/*`` (spec: /terminals).
- :class:`AcpAsker` (``Asker``): ``elicitation/create`` in form mode (spec:
  /rfds/elicitation), offered only when the client advertises ``elicitation.form``.
- :class:`ReadOnlyClientFS`: client reads, local writes (no ``fs/write_text_file``).

Imported lazily (on the first session), never on the ``initialize`` path.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import acp
from acp import messages as m
from zeph_tui.core.errors import ToolError
from zeph_tui.core.events import CurrentModeUpdate, Event
from zeph_tui.core.ports import (
    Elicitation,
    ElicitationAnswer,
    PermissionOutcome,
    PermissionRequest,
    TerminalExit,
    TerminalOutput,
)
from zeph_tui.drivers.acp.modes import to_acp_mode

__all__ = [
    "PERMISSION_OPTIONS",
    "AcpApprover",
    "AcpAsker",
    "AcpFS",
    "AcpSink",
    "AcpTerminal",
    "ReadOnlyClientFS",
]

log = logging.getLogger(__name__)

PERMISSION_OPTIONS: tuple[tuple[str, str, PermissionOutcome], ...] = (
    ("allow_once", "Allow once", "allow_once"),
    ("allow_always", "Always allow", "allow_always"),
    ("reject_once", "Reject", "reject_once"),
    ("reject_always", "Always reject", "reject_always"),
)
"""``(optionId, label, outcome)``: the options offered for every permission request."""


def update_payload(event: Event) -> dict[str, Any]:
    """The ACP ``update`` payload of a core event (modes in ACP ids)."""
    if isinstance(event, CurrentModeUpdate):
        return {"sessionUpdate": "current_mode_update", "currentModeId": to_acp_mode(event.mode_id)}
    return event.to_acp()


class AcpSink:
    """Sends a session's events as ``session/update`` notifications, in order.

    A client that went away does not break the turn: the failure is logged and
    the event dropped.
    """

    def __init__(self, client: acp.Client, session_id: str) -> None:
        self.client = client
        self.session_id = session_id

    async def __call__(self, event: Event) -> None:
        await self.send(update_payload(event))

    async def send(self, update: dict[str, Any]) -> None:
        """Send one raw ``update`` payload (``$defs/SessionUpdate``)."""
        try:
            await self.client.session_update(self.session_id, update)
        except acp.ConnectionClosedError as exc:
            log.debug("dropping session/update: %s", exc)


class AcpApprover:
    """Asks the client's user to approve a tool call (``session/request_permission``).

    Returns the outcome the core's PermissionLayer acts on (it remembers
    ``*_always`` per session, scoped to the tool and path or command prefix).
    A client error or a closed connection counts as ``cancelled``.
    """

    def __init__(self, client: acp.Client, session_id: str) -> None:
        self.client = client
        self.session_id = session_id

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        tool_call = {
            k: v for k, v in request.tool_call.to_acp().items() if k not in ("sessionUpdate",)
        }
        if request.preview:
            tool_call["content"] = [c.to_acp() for c in request.preview]
        scope = f" ({request.scope})" if request.scope else ""
        options: list[m.PermissionOption] = [
            {
                "optionId": option_id,
                "name": label + (scope if "always" in option_id else ""),
                "kind": outcome,  # type: ignore[typeddict-item]
            }
            for option_id, label, outcome in PERMISSION_OPTIONS
        ]
        try:
            answer = await self.client.request_permission(self.session_id, tool_call, options)
        except acp.AcpError as exc:
            log.warning("permission request failed, treating as cancelled: %s", exc)
            return "cancelled"
        outcome = answer.get("outcome") if isinstance(answer, dict) else None
        if not isinstance(outcome, dict) or outcome.get("outcome") != "selected":
            return "cancelled"
        chosen = outcome.get("optionId")
        for option_id, _label, mapped in PERMISSION_OPTIONS:
            if chosen == option_id:
                return mapped
        log.warning("unknown permission optionId %r, treating as rejected", chosen)
        return "reject_once"


class AcpAsker:
    """Asks the client's user through a form (``elicitation/create``, form mode).

    A client error or a closed connection is a :class:`ToolError` the model reads;
    an action other than ``accept`` / ``decline`` counts as ``cancel``.
    """

    def __init__(self, client: acp.Client) -> None:
        self.client = client

    async def elicit(self, request: Elicitation) -> ElicitationAnswer:
        params = {
            "sessionId": request.session_id,
            "toolCallId": request.tool_call_id,
            "mode": "form",
            "message": request.message,
            "requestedSchema": dict(request.requested_schema),
        }
        try:
            result = await self.client.create_elicitation(params)
        except acp.AcpError as exc:
            raise ToolError(f"ask_user: the editor could not ask: {exc}") from exc
        action = result.get("action")
        content = result.get("content")
        if action == "accept":
            return ElicitationAnswer("accept", content if isinstance(content, dict) else None)
        return ElicitationAnswer("decline" if action == "decline" else "cancel")


class AcpFS:
    """Text files through the client (editor buffers, unsaved changes included).

    ``read_text`` raises ``FileNotFoundError`` when the client cannot read a
    path that does not exist on disk, ``OSError`` for other client errors.
    """

    def __init__(self, client: acp.Client, session_id: str) -> None:
        self.client = client
        self.session_id = session_id

    async def read_text(self, path: Path) -> str:
        try:
            return await self.client.read_text_file(self.session_id, str(path))
        except acp.RequestError as exc:
            if not await asyncio.to_thread(path.exists):
                raise FileNotFoundError(str(path)) from exc
            if await asyncio.to_thread(path.is_dir):
                raise IsADirectoryError(str(path)) from exc
            raise OSError(f"client could not read {path}: {exc.message}") from exc
        except acp.AcpError as exc:
            raise OSError(f"client could not read {path}: {exc}") from exc

    async def write_text(self, path: Path, text: str) -> None:
        try:
            await self.client.write_text_file(self.session_id, str(path), text)
        except acp.AcpError as exc:
            raise OSError(f"client could not write {path}: {exc}") from exc


class ReadOnlyClientFS:
    """Reads through the client (buffers), writes to local disk (no ``writeTextFile``)."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self._reader = reader
        self._writer = writer

    async def read_text(self, path: Path) -> str:
        text: str = await self._reader.read_text(path)
        return text

    async def write_text(self, path: Path, text: str) -> None:
        await self._writer.write_text(path, text)


class AcpTerminal:
    """Commands run in client terminals: ``bash -c COMMAND``.

    The bash tool releases every terminal it creates (``terminal/release``).
    Client errors surface as ``OSError`` (the tool reports them to the model).
    """

    def __init__(self, client: acp.Client, session_id: str) -> None:
        self.client = client
        self.session_id = session_id

    async def create(
        self, command: str, cwd: Path, env: Mapping[str, str], output_byte_limit: int
    ) -> str:
        # Only what the core changed: the client runs commands in its own environment.
        extra = {k: v for k, v in env.items() if os.environ.get(k) != v}
        try:
            return await self.client.create_terminal(
                self.session_id,
                "bash",
                args=["-c", command],
                env=extra or None,
                cwd=str(cwd),
                output_byte_limit=output_byte_limit,
            )
        except acp.AcpError as exc:
            raise OSError(f"client could not start a terminal: {exc}") from exc

    async def output(self, terminal_id: str) -> TerminalOutput:
        result = await self.client.terminal_output(self.session_id, terminal_id)
        status = result.get("exitStatus")
        exit_ = (
            TerminalExit(status.get("exitCode"), status.get("signal"))
            if isinstance(status, dict)
            else None
        )
        return TerminalOutput(str(result.get("output", "")), bool(result.get("truncated")), exit_)

    async def wait_for_exit(self, terminal_id: str) -> TerminalExit:
        result = await self.client.wait_for_terminal_exit(self.session_id, terminal_id)
        return TerminalExit(result.get("exitCode"), result.get("signal"))

    async def kill(self, terminal_id: str) -> None:
        await self.client.kill_terminal(self.session_id, terminal_id)

    async def release(self, terminal_id: str) -> None:
        await self.client.release_terminal(self.session_id, terminal_id)
