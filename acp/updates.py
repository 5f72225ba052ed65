"""Builders for ``session/update`` payloads and content blocks (ACP v1).

Each returns a plain dict shaped like the schema's ``$defs/SessionUpdate``
variant (or ``$defs/ContentBlock``), ready for
:meth:`acp.client.Client.session_update`. Optional fields are omitted when
``None``. Spec: https://agentclientprotocol.com/protocol/v1/prompt-turn and
/tool-calls, /agent-plan, /session-modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from acp.messages import ContentBlock, SessionUpdate

__all__ = [
    "agent_message_chunk",
    "agent_thought_chunk",
    "current_mode_update",
    "diff_content",
    "plan",
    "plan_entry",
    "terminal_content",
    "text_block",
    "tool_call",
    "tool_call_update",
    "tool_content",
    "usage_update",
    "user_message_chunk",
]

ToolKind = Literal[
    "read", "edit", "delete", "move", "search", "execute", "think", "fetch", "switch_mode", "other"
]
ToolCallStatus = Literal["pending", "in_progress", "completed", "failed"]


def text_block(text: str) -> ContentBlock:
    """``{"type": "text", "text": text}``."""
    return {"type": "text", "text": text}


def _chunk(kind: str, content: ContentBlock | str, message_id: str | None) -> SessionUpdate:
    block = text_block(content) if isinstance(content, str) else content
    update: SessionUpdate = {"sessionUpdate": kind, "content": block}
    if message_id is not None:
        update["messageId"] = message_id
    return update


def agent_message_chunk(
    content: ContentBlock | str, message_id: str | None = None
) -> SessionUpdate:
    """A chunk of the agent's reply; a ``str`` becomes a text block."""
    return _chunk("agent_message_chunk", content, message_id)


def agent_thought_chunk(
    content: ContentBlock | str, message_id: str | None = None
) -> SessionUpdate:
    """A chunk of the agent's reasoning; a ``str`` becomes a text block."""
    return _chunk("agent_thought_chunk", content, message_id)


def user_message_chunk(content: ContentBlock | str, message_id: str | None = None) -> SessionUpdate:
    """A chunk of the user's message (used when replaying history in ``session/load``)."""
    return _chunk("user_message_chunk", content, message_id)


def tool_content(content: ContentBlock | str) -> dict[str, Any]:
    """Tool call content of type ``content`` wrapping a content block."""
    block = text_block(content) if isinstance(content, str) else content
    return {"type": "content", "content": block}


def diff_content(path: str, new_text: str, old_text: str | None = None) -> dict[str, Any]:
    """Tool call content of type ``diff``; ``path`` is absolute, ``old_text`` None for a new file."""
    return {"type": "diff", "path": path, "oldText": old_text, "newText": new_text}


def terminal_content(terminal_id: str) -> dict[str, Any]:
    """Tool call content embedding a client terminal."""
    return {"type": "terminal", "terminalId": terminal_id}


def _tool_fields(
    kind: ToolKind | None,
    status: ToolCallStatus | None,
    content: Sequence[dict[str, Any]] | None,
    locations: Sequence[dict[str, Any]] | None,
    raw_input: Any,
    raw_output: Any,
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if kind is not None:
        fields["kind"] = kind
    if status is not None:
        fields["status"] = status
    if content is not None:
        fields["content"] = list(content)
    if locations is not None:
        fields["locations"] = list(locations)
    if raw_input is not None:
        fields["rawInput"] = raw_input
    if raw_output is not None:
        fields["rawOutput"] = raw_output
    return fields


def tool_call(
    tool_call_id: str,
    title: str,
    *,
    kind: ToolKind | None = None,
    status: ToolCallStatus | None = None,
    content: Sequence[dict[str, Any]] | None = None,
    locations: Sequence[dict[str, Any]] | None = None,
    raw_input: Any = None,
) -> SessionUpdate:
    """A new tool call (``sessionUpdate: "tool_call"``).

    ``locations`` items are ``{"path": abs_path, "line": int | None}`` (1-based lines).
    """
    update: SessionUpdate = {
        "sessionUpdate": "tool_call",
        "toolCallId": tool_call_id,
        "title": title,
    }
    update.update(_tool_fields(kind, status, content, locations, raw_input, None))
    return update


def tool_call_update(
    tool_call_id: str,
    *,
    title: str | None = None,
    kind: ToolKind | None = None,
    status: ToolCallStatus | None = None,
    content: Sequence[dict[str, Any]] | None = None,
    locations: Sequence[dict[str, Any]] | None = None,
    raw_input: Any = None,
    raw_output: Any = None,
) -> SessionUpdate:
    """An update to a tool call; only the given fields change (``content`` replaces)."""
    update: SessionUpdate = {"sessionUpdate": "tool_call_update", "toolCallId": tool_call_id}
    if title is not None:
        update["title"] = title
    update.update(_tool_fields(kind, status, content, locations, raw_input, raw_output))
    return update


def plan_entry(
    content: str,
    *,
    priority: Literal["high", "medium", "low"] = "medium",
    status: Literal["pending", "in_progress", "completed"] = "pending",
) -> dict[str, Any]:
    """One entry of an agent plan."""
    return {"content": content, "priority": priority, "status": status}


def plan(entries: Sequence[dict[str, Any]]) -> SessionUpdate:
    """The full current plan (each update replaces the previous one)."""
    return {"sessionUpdate": "plan", "entries": list(entries)}


def current_mode_update(mode_id: str) -> SessionUpdate:
    """The session's mode changed to ``mode_id``."""
    return {"sessionUpdate": "current_mode_update", "currentModeId": mode_id}


def usage_update(used_tokens: int, size_tokens: int) -> SessionUpdate:
    """Context window use: ``used_tokens`` of ``size_tokens``."""
    return {"sessionUpdate": "usage_update", "used": used_tokens, "size": size_tokens}
