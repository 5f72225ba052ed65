"""The one event model: frozen dataclasses shaped like ACP ``session/update``.

Every face consumes these: the ACP driver maps them 1:1 onto the
``update`` field of a ``session/update`` notification, the dashboard renders
them, and ``zeph-tui run --json`` prints ``event.to_acp()`` one per line.

Spec: https://agentclientprotocol.com/protocol/v1/prompt-turn (SessionUpdate),
https://agentclientprotocol.com/protocol/v1/tool-calls (ToolCall, ToolCallUpdate,
ToolCallContent, ToolKind, ToolCallStatus).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from zeph_tui.core.providers.ledger import ModelTotal

__all__ = [
    "AgentMessageChunk",
    "AgentThoughtChunk",
    "AvailableCommand",
    "AvailableCommandsUpdate",
    "CurrentModeUpdate",
    "DiffContent",
    "Event",
    "Location",
    "Plan",
    "PlanEntry",
    "SessionInfoUpdate",
    "StopReason",
    "TerminalContent",
    "TextContent",
    "ToolCall",
    "ToolCallContent",
    "ToolCallStatus",
    "ToolCallUpdate",
    "ToolKind",
    "UsageUpdate",
    "UserMessageChunk",
]

ToolKind = Literal[
    "read", "edit", "delete", "move", "search", "execute", "think", "fetch", "switch_mode", "other"
]
ToolCallStatus = Literal["pending", "in_progress", "completed", "failed"]
StopReason = Literal["end_turn", "max_tokens", "max_turn_requests", "refusal", "cancelled"]


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True, slots=True)
class Location:
    """A file location a tool call touches (ACP ToolCallLocation).

    Attributes:
        path: absolute path.
        line: 1-based line, or None for the whole file.
    """

    path: str
    line: int | None = None

    def to_acp(self) -> dict[str, Any]:
        return _drop_none({"path": self.path, "line": self.line})


@dataclass(frozen=True, slots=True)
class TextContent:
    """Plain text produced by a tool call (ACP ToolCallContent ``content``)."""

    text: str

    def to_acp(self) -> dict[str, Any]:
        return {"type": "content", "content": {"type": "text", "text": self.text}}


@dataclass(frozen=True, slots=True)
class DiffContent:
    """A file modification (ACP ToolCallContent ``diff``).

    Attributes:
        path: absolute path of the file.
        old_text: previous content, None for a new file.
        new_text: content after the change.
    """

    path: str
    old_text: str | None
    new_text: str

    def to_acp(self) -> dict[str, Any]:
        return {
            "type": "diff",
            "path": self.path,
            "oldText": self.old_text,
            "newText": self.new_text,
        }


@dataclass(frozen=True, slots=True)
class TerminalContent:
    """A client-side terminal embedded in a tool call (ACP ToolCallContent ``terminal``)."""

    terminal_id: str

    def to_acp(self) -> dict[str, Any]:
        return {"type": "terminal", "terminalId": self.terminal_id}


ToolCallContent = TextContent | DiffContent | TerminalContent


@dataclass(frozen=True, slots=True)
class AgentMessageChunk:
    """A piece of the model's visible reply, in stream order."""

    text: str
    message_id: str | None = None

    def to_acp(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sessionUpdate": "agent_message_chunk",
                "content": {"type": "text", "text": self.text},
                "messageId": self.message_id,
            }
        )


@dataclass(frozen=True, slots=True)
class AgentThoughtChunk:
    """A piece of the model's reasoning (extended thinking)."""

    text: str
    message_id: str | None = None

    def to_acp(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sessionUpdate": "agent_thought_chunk",
                "content": {"type": "text", "text": self.text},
                "messageId": self.message_id,
            }
        )


@dataclass(frozen=True, slots=True)
class UserMessageChunk:
    """A piece of the user's message (replayed on session/load)."""

    text: str
    message_id: str | None = None

    def to_acp(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sessionUpdate": "user_message_chunk",
                "content": {"type": "text", "text": self.text},
                "messageId": self.message_id,
            }
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model requested, announced before it runs.

    Attributes:
        tool_call_id: unique within the session.
        title: human-readable, e.g. ``Read src/app.py``.
        kind: ACP ToolKind.
        status: usually ``pending`` (awaiting approval) or ``in_progress``.
        locations: files touched.
        raw_input: the parsed arguments, or ``{"_raw": str}`` when unparsable.
        name: the tool's programmatic name.
    """

    tool_call_id: str
    title: str
    kind: ToolKind = "other"
    status: ToolCallStatus = "pending"
    locations: tuple[Location, ...] = ()
    raw_input: dict[str, Any] | None = None
    name: str | None = None
    content: tuple[ToolCallContent, ...] = ()

    def to_acp(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sessionUpdate": "tool_call",
                "toolCallId": self.tool_call_id,
                "title": self.title,
                "name": self.name,
                "kind": self.kind,
                "status": self.status,
                "locations": [loc.to_acp() for loc in self.locations],
                "rawInput": self.raw_input,
                "content": [c.to_acp() for c in self.content],
            }
        )


@dataclass(frozen=True, slots=True)
class ToolCallUpdate:
    """A change to a running tool call; only changed fields are set.

    ``content`` carries only *new* output (an appended chunk for live
    output), never the whole output again; faces append it.
    """

    tool_call_id: str
    status: ToolCallStatus | None = None
    content: tuple[ToolCallContent, ...] | None = None
    locations: tuple[Location, ...] | None = None
    title: str | None = None
    raw_output: dict[str, Any] | None = None

    def to_acp(self) -> dict[str, Any]:
        return _drop_none(
            {
                "sessionUpdate": "tool_call_update",
                "toolCallId": self.tool_call_id,
                "status": self.status,
                "title": self.title,
                "content": None if self.content is None else [c.to_acp() for c in self.content],
                "locations": None
                if self.locations is None
                else [loc.to_acp() for loc in self.locations],
                "rawOutput": self.raw_output,
            }
        )


@dataclass(frozen=True, slots=True)
class PlanEntry:
    content: str
    priority: Literal["high", "medium", "low"] = "medium"
    status: Literal["pending", "in_progress", "completed"] = "pending"


@dataclass(frozen=True, slots=True)
class Plan:
    """The agent's plan; each update replaces the whole plan (ACP Plan)."""

    entries: tuple[PlanEntry, ...]

    def to_acp(self) -> dict[str, Any]:
        return {
            "sessionUpdate": "plan",
            "entries": [
                {"content": e.content, "priority": e.priority, "status": e.status}
                for e in self.entries
            ],
        }


@dataclass(frozen=True, slots=True)
class UsageUpdate:
    """Context fill and cost (ACP UsageUpdate).

    Attributes:
        used_tokens: tokens currently in the context window.
        size_tokens: context window size.
        cost_usd: cumulative session cost in US dollars.
        input_tokens / output_tokens: cumulative session totals.
        turn_input_tokens / turn_output_tokens / turn_cost_usd: the current
            prompt turn only (all its model calls).
        models / turn_models: per-model totals (session, current turn), see
            :class:`~zeph_tui.core.providers.ledger.ModelTotal`.
        model: the model that answered last (``route:model`` when routed).
    """

    used_tokens: int
    size_tokens: int
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    turn_input_tokens: int = 0
    turn_output_tokens: int = 0
    turn_cost_usd: float = 0.0
    models: tuple[ModelTotal, ...] = ()
    turn_models: tuple[ModelTotal, ...] = ()
    model: str = ""

    @property
    def fill_percent(self) -> float:
        return 100.0 * self.used_tokens / self.size_tokens if self.size_tokens else 0.0

    def to_acp(self) -> dict[str, Any]:
        return {
            "sessionUpdate": "usage_update",
            "used": self.used_tokens,
            "size": self.size_tokens,
            "cost": {"amount": round(self.cost_usd, 6), "currency": "USD"},
            "_meta": {
                "inputTokens": self.input_tokens,
                "outputTokens": self.output_tokens,
                "turn": {
                    "inputTokens": self.turn_input_tokens,
                    "outputTokens": self.turn_output_tokens,
                    "costUsd": round(self.turn_cost_usd, 6),
                    "models": [m.to_json() for m in self.turn_models],
                },
                "model": self.model,
                "models": [m.to_json() for m in self.models],
            },
        }


@dataclass(frozen=True, slots=True)
class CurrentModeUpdate:
    mode_id: str

    def to_acp(self) -> dict[str, Any]:
        return {"sessionUpdate": "current_mode_update", "currentModeId": self.mode_id}


@dataclass(frozen=True, slots=True)
class SessionInfoUpdate:
    title: str

    def to_acp(self) -> dict[str, Any]:
        return {"sessionUpdate": "session_info_update", "title": self.title}


@dataclass(frozen=True, slots=True)
class AvailableCommand:
    name: str
    description: str
    input_hint: str | None = None


@dataclass(frozen=True, slots=True)
class AvailableCommandsUpdate:
    commands: tuple[AvailableCommand, ...] = field(default_factory=tuple)

    def to_acp(self) -> dict[str, Any]:
        out = []
        for c in self.commands:
            item: dict[str, Any] = {"name": c.name, "description": c.description}
            if c.input_hint:
                item["input"] = {"hint": c.input_hint}
            out.append(item)
        return {"sessionUpdate": "available_commands_update", "availableCommands": out}


Event = (
    AgentMessageChunk
    | AgentThoughtChunk
    | UserMessageChunk
    | ToolCall
    | ToolCallUpdate
    | Plan
    | UsageUpdate
    | CurrentModeUpdate
    | SessionInfoUpdate
    | AvailableCommandsUpdate
)
