"""A resumed session's stored history as chat blocks (data first, widgets on demand)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from zeph_tui.core.events import ToolCall, ToolCallStatus
from zeph_tui.core.providers.base import (
    Message,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from zeph_tui.ui.widgets.chat_item import ChatItem
from zeph_tui.ui.widgets.chat_log import ChatLog

__all__ = ["history_items", "render_history"]


def render_history(chat: ChatLog, history: Sequence[Message]) -> None:
    """Show ``history`` in ``chat``: its last :attr:`ChatLog.page` blocks
    mounted, the earlier ones loaded on demand (find searches them all)."""
    chat.show_history(history_items(history))


def history_items(history: Sequence[Message]) -> list[ChatItem]:
    """One :class:`ChatItem` per block of ``history``, oldest first: user text,
    replies (a message's text parts joined), thoughts, and tool calls carrying
    their results (status ``failed`` for an error result)."""
    items: list[ChatItem] = []
    tools: dict[str, ChatItem] = {}
    for index, message in enumerate(history):
        mid = f"history-{index}"
        for part in message.parts:
            last = items[-1] if items else None
            if isinstance(part, TextPart) and part.text.strip():
                if message.role == "user":
                    items.append(ChatItem("user", part.text))
                elif last is not None and last.kind == "agent" and last.message_id == mid:
                    last.text += part.text
                else:
                    items.append(ChatItem("agent", part.text, mid))
            elif isinstance(part, ThinkingPart) and part.text.strip():
                if last is not None and last.kind == "thought" and last.message_id == mid:
                    last.text += part.text
                else:
                    items.append(ChatItem("thought", part.text, mid))
            elif isinstance(part, ToolUsePart):
                call = ToolCall(
                    part.id,
                    title=_title(part),
                    status="completed",
                    raw_input=dict(part.input),
                    name=part.name,
                )
                tools[part.id] = item = ChatItem("tool", call=call)
                items.append(item)
            elif isinstance(part, ToolResultPart):
                tool = tools.get(part.tool_use_id)
                if tool is not None and tool.call is not None:
                    tool.text = part.content
                    status: ToolCallStatus = "failed" if part.is_error else "completed"
                    tool.call = replace(tool.call, status=status)
    return items


def _title(part: ToolUsePart) -> str:
    for key in ("command", "path", "pattern", "query", "id", "name"):
        value = part.input.get(key)
        if isinstance(value, str) and value:
            short = value if len(value) <= 60 else value[:57] + "..."
            return f"{part.name} {short}"
    return part.name
