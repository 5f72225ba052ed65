"""ChatItem: one chat block as plain data, for the part of the chat not mounted.

A long chat keeps only its newest blocks as widgets; the older ones (a resumed
session's history, blocks dropped off the top) wait as :class:`ChatItem`
values, searchable by find and turned into widgets on demand by
:func:`build_widget`. :func:`item_of` goes the other way for a block that
leaves the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

from textual.widget import Widget
from textual.widgets import Static

from zeph_tui.core.events import DiffContent, ToolCall, ToolCallStatus
from zeph_tui.ui.widgets.agent_message import AgentMessage, StoredReply
from zeph_tui.ui.widgets.thought_block import ThoughtBlock
from zeph_tui.ui.widgets.tool_block import ToolBlock
from zeph_tui.ui.widgets.user_message import UserMessage

__all__ = ["ChatItem", "ItemKind", "build_widget", "item_of", "text_of"]

ItemKind = Literal["user", "agent", "thought", "tool", "notice", "reply"]

NOTICE_CLASS = "chat-log--notice"
REPLY_CLASS = "chat-log--reply"


@dataclass(eq=False, slots=True)
class ChatItem:
    """One block of the chat, not mounted.

    Attributes:
        kind: what it shows (a prompt, a reply, a thought, a tool call, a
            notice or a slash command's reply).
        text: the prompt, reply, thought or notice text; for a tool call its
            result text.
        message_id: the reply's or thought's message id (``None`` otherwise).
        call: the tool call (``kind == "tool"`` only).
        diffs: a tool call's edit diffs, in order.
        widget: the widget made by :func:`build_widget`, once it is mounted.
    """

    kind: ItemKind
    text: str = ""
    message_id: str | None = None
    call: ToolCall | None = None
    diffs: tuple[DiffContent, ...] = ()
    widget: Widget | None = field(default=None, repr=False)

    @property
    def searchable(self) -> str:
        """What find looks in (the same text as :func:`text_of` of its widget)."""
        if self.kind == "tool" and self.call is not None:
            return f"{self.call.title}\n{self.text}"
        return "" if self.kind == "thought" else self.text


def build_widget(item: ChatItem, workspace: Path | None) -> Widget:
    """The widget showing ``item`` (a reply is a cheap :class:`StoredReply`);
    also kept as ``item.widget``."""
    widget: Widget
    if item.kind == "user":
        widget = UserMessage(item.text)
    elif item.kind == "agent":
        widget = StoredReply(item.message_id, item.text)
    elif item.kind == "thought":
        widget = ThoughtBlock(item.message_id, item.text)
    elif item.kind == "tool" and item.call is not None:
        block = ToolBlock(replace(item.call, content=()), workspace)
        for diff in item.diffs:
            block.add_diff(diff)
        block.set_status(item.call.status)
        if item.text:
            block.set_result(item.text)
        widget = block
    else:
        css = NOTICE_CLASS if item.kind == "notice" else REPLY_CLASS
        widget = Static(item.text, classes=css, markup=False)
    item.widget = widget
    return widget


def item_of(widget: Widget) -> ChatItem | None:
    """``widget`` as data (``None`` for a widget the chat does not know)."""
    if isinstance(widget, UserMessage):
        return ChatItem("user", widget.text)
    if isinstance(widget, AgentMessage | StoredReply):
        return ChatItem("agent", widget.text, widget.message_id)
    if isinstance(widget, ThoughtBlock):
        return ChatItem("thought", widget.text, widget.message_id)
    if isinstance(widget, ToolBlock):
        call = replace(widget.call, status=cast("ToolCallStatus", widget.status))
        return ChatItem("tool", widget.result_text, call=call, diffs=tuple(widget.diffs))
    if isinstance(widget, Static):
        kind: ItemKind = "notice" if widget.has_class(NOTICE_CLASS) else "reply"
        return ChatItem(kind, str(widget.content))
    return None


def text_of(widget: Widget) -> str:
    """What a chat block says: a message's text, a reply's, a tool call's title and result."""
    if isinstance(widget, UserMessage | AgentMessage | StoredReply):
        return widget.text
    if isinstance(widget, ToolBlock):
        return f"{widget.call.title}\n{widget.result_text}"
    if isinstance(widget, ThoughtBlock):
        return ""
    if isinstance(widget, Static):
        return str(widget.content)
    return ""
