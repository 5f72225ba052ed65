"""Render a resumed session's stored history into the chat log."""

from __future__ import annotations

from collections.abc import Sequence

from zeph_tui.core.events import ToolCall
from zeph_tui.core.providers.base import (
    Message,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from zeph_tui.ui.widgets.chat_log import ChatLog

__all__ = ["render_history"]


def render_history(chat: ChatLog, history: Sequence[Message], *, max_messages: int = 200) -> None:
    """Show the last ``max_messages`` messages of ``history`` (user text, replies,
    thoughts, tool calls as compact blocks with their results)."""
    skipped = max(0, len(history) - max_messages)
    if skipped:
        chat.add_notice(f"{skipped} earlier messages not shown")
    for index, message in enumerate(history[skipped:]):
        mid = f"history-{skipped + index}"
        for part in message.parts:
            if isinstance(part, TextPart) and part.text.strip():
                if message.role == "user":
                    chat.add_user(part.text)
                else:
                    chat.append_agent(part.text, mid)
            elif isinstance(part, ThinkingPart) and part.text.strip():
                chat.append_thought(part.text, mid)
            elif isinstance(part, ToolUsePart):
                chat.add_tool(
                    ToolCall(
                        part.id,
                        title=_title(part),
                        status="completed",
                        raw_input=dict(part.input),
                        name=part.name,
                    )
                )
            elif isinstance(part, ToolResultPart):
                block = chat.tool_blocks.get(part.tool_use_id)
                if block is not None:
                    block.set_status("failed" if part.is_error else "completed")
                    block.set_result(part.content)


def _title(part: ToolUsePart) -> str:
    for key in ("command", "path", "pattern", "query", "id", "name"):
        value = part.input.get(key)
        if isinstance(value, str) and value:
            short = value if len(value) <= 60 else value[:57] + "..."
            return f"{part.name} {short}"
    return part.name
