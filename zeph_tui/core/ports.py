"""Ports: the small interfaces a face implements for the core.

The dashboard, the ACP driver and the headless CLI each provide an
:class:`EventSink`, an :class:`Approver` and an :class:`Asker` (the ``ask_user``
tool's way to the person); the ACP driver may also provide a
:class:`WorkspaceFS` (so the agent reads unsaved editor buffers and its edits
land in them) and a :class:`ClientTerminal` (so commands run in the editor's
terminal). Without them the core works locally.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from zeph_tui.core.events import Event, ToolCall, ToolCallContent

__all__ = [
    "Approver",
    "Asker",
    "ClientTerminal",
    "Elicitation",
    "ElicitationAction",
    "ElicitationAnswer",
    "EventSink",
    "LocalFS",
    "PermissionOutcome",
    "PermissionRequest",
    "TerminalExit",
    "TerminalOutput",
    "WorkspaceFS",
]

PermissionOutcome = Literal[
    "allow_once", "allow_always", "reject_once", "reject_always", "cancelled"
]


class EventSink(Protocol):
    """Receives every event of a session, in order."""

    async def __call__(self, event: Event) -> None: ...


@dataclass(frozen=True, slots=True)
class PermissionRequest:
    """A tool call that needs the user's approval.

    Attributes:
        tool_call: the announced call (title, kind, locations, raw input).
        tool_name: programmatic name, e.g. ``bash``.
        reason: why we ask, e.g. ``edits need approval in ask mode``.
        preview: a diff or the command, for the modal.
        scope: what "always" would cover, e.g. ``bash: git status`` or
            ``edit_file on src/app.py`` (never "everything").
    """

    tool_call: ToolCall
    tool_name: str
    reason: str
    preview: tuple[ToolCallContent, ...] = ()
    scope: str = ""


class Approver(Protocol):
    """Asks the person (modal, ACP session/request_permission, or a CLI policy)."""

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome: ...


ElicitationAction = Literal["accept", "decline", "cancel"]
"""ACP ``CreateElicitationResponse.action``: answered, refused, or dismissed/cancelled."""


@dataclass(frozen=True, slots=True)
class Elicitation:
    """A question to the person mid-turn (ACP ``elicitation/create``, form mode).

    Spec: https://agentclientprotocol.com/rfds/elicitation (``ElicitationFormMode``).

    Attributes:
        message: the question, shown as is.
        requested_schema: the form, an ACP ``ElicitationSchema``:
            ``{"type": "object", "properties": {NAME: FIELD}, "required": [NAME...]}``
            where FIELD is ``{"type": "string" | "number" | "integer" | "boolean",
            "title"?, "description"?, "default"?}``, a string with ``enum`` being
            a single choice.
        session_id: the session asking.
        tool_call_id: the ``ask_user`` call asking.
    """

    message: str
    requested_schema: Mapping[str, Any]
    session_id: str
    tool_call_id: str


@dataclass(frozen=True, slots=True)
class ElicitationAnswer:
    """The person's answer: ``content`` maps field names to values when ``accept``."""

    action: ElicitationAction
    content: Mapping[str, str | int | float | bool] | None = None


class Asker(Protocol):
    """Asks the person a question (a modal, ACP ``elicitation/create``), or says it cannot."""

    async def elicit(self, request: Elicitation) -> ElicitationAnswer:
        """The person's answer.

        Raises:
            ToolError: nobody can be asked here; the message says why and is what
                the model reads (e.g. ``zeph-tui run`` is non-interactive).
        """
        ...


class WorkspaceFS(Protocol):
    """Text file access; paths are absolute and already confined."""

    async def read_text(self, path: Path) -> str:
        """Raises FileNotFoundError when missing, UnicodeDecodeError for binary files."""
        ...

    async def write_text(self, path: Path, text: str) -> None: ...


class LocalFS:
    """The local disk as a :class:`WorkspaceFS` (UTF-8, newline preserved)."""

    async def read_text(self, path: Path) -> str:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()

    async def write_text(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(text)


@dataclass(frozen=True, slots=True)
class TerminalExit:
    exit_code: int | None
    signal: str | None = None


@dataclass(frozen=True, slots=True)
class TerminalOutput:
    output: str
    truncated: bool
    exit: TerminalExit | None


class ClientTerminal(Protocol):
    """Terminals run by the client (ACP ``terminal/*``)."""

    async def create(
        self, command: str, cwd: Path, env: Mapping[str, str], output_byte_limit: int
    ) -> str:
        """Start ``bash -c command``; returns the terminal id."""
        ...

    async def output(self, terminal_id: str) -> TerminalOutput: ...

    async def wait_for_exit(self, terminal_id: str) -> TerminalExit: ...

    async def kill(self, terminal_id: str) -> None: ...

    async def release(self, terminal_id: str) -> None: ...
