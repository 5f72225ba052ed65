"""Coalesces a turn's events into the compact list stored for replay.

``session/load`` (ACP) and the dashboard's resume replay a session as
``session/update`` payloads. Storing every streamed chunk would be wasteful
(a command may print millions of lines, already in the overflow archive),
so the recorder keeps: the user's text, each agent message and thought as
one chunk, each tool call merged with its final status and content.
"""

from __future__ import annotations

from typing import Any

from zeph_tui.core.events import (
    AgentMessageChunk,
    AgentThoughtChunk,
    Event,
    Plan,
    ToolCall,
    ToolCallUpdate,
    UserMessageChunk,
)

__all__ = ["ReplayRecorder"]


class ReplayRecorder:
    """Collects events of one turn; :meth:`flush` returns ACP update payloads."""

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._text_kind: str | None = None
        self._text: list[str] = []
        self._calls: dict[str, dict[str, Any]] = {}

    def user(self, text: str) -> None:
        self._close_text()
        self._items.append(UserMessageChunk(text).to_acp())

    def add(self, event: Event) -> None:
        if isinstance(event, AgentMessageChunk | AgentThoughtChunk):
            kind = (
                "agent_message_chunk"
                if isinstance(event, AgentMessageChunk)
                else "agent_thought_chunk"
            )
            if self._text_kind != kind:
                self._close_text()
                self._text_kind = kind
            self._text.append(event.text)
            return
        self._close_text()
        if isinstance(event, ToolCall):
            payload = event.to_acp()
            self._calls[event.tool_call_id] = payload
            self._items.append(payload)
        elif isinstance(event, ToolCallUpdate) and event.status in ("completed", "failed"):
            merged = self._calls.get(event.tool_call_id)
            if merged is not None:
                update = event.to_acp()
                merged["status"] = event.status
                for key in ("content", "locations", "rawOutput"):
                    if key in update:
                        merged[key] = update[key]
        elif isinstance(event, Plan):
            self._items.append(event.to_acp())

    def _close_text(self) -> None:
        if self._text_kind and self._text:
            self._items.append(
                {
                    "sessionUpdate": self._text_kind,
                    "content": {"type": "text", "text": "".join(self._text)},
                }
            )
        self._text_kind, self._text = None, []

    def flush(self) -> list[dict[str, Any]]:
        self._close_text()
        items, self._items, self._calls = self._items, [], {}
        return items
