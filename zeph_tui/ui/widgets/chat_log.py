"""ChatLog: the conversation, newest at the bottom, bounded in widgets."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from zeph_tui.core.events import ToolCall
from zeph_tui.ui.widgets.agent_message import AgentMessage
from zeph_tui.ui.widgets.thought_block import ThoughtBlock
from zeph_tui.ui.widgets.tool_block import ToolBlock
from zeph_tui.ui.widgets.user_message import UserMessage

__all__ = ["ChatLog"]


class ChatLog(VerticalScroll):
    """Holds :class:`UserMessage`, :class:`AgentMessage`, :class:`ThoughtBlock`
    and :class:`ToolBlock` widgets, anchored to the bottom while streaming.

    At most ``max_blocks`` widgets are kept; older ones are removed (the
    history stays in SQLite), so a 1,000-message session costs the same to
    lay out as a 300-message one.
    """

    DEFAULT_CSS = """
    ChatLog { padding: 0 1; }
    ChatLog > .chat-log--notice { color: $text-muted; text-align: center; }
    ChatLog > .chat-log--reply { color: $text-muted; padding: 0 0 1 2; }
    ChatLog > .-found { outline: heavy $accent; }
    """

    def __init__(
        self, *, workspace: Path | None = None, max_blocks: int = 300, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.max_blocks = max_blocks
        self.tool_blocks: dict[str, ToolBlock] = {}
        self.dropped_blocks = 0

    def on_mount(self) -> None:
        self.anchor()

    def _add(self, widget: Widget) -> None:
        self.mount(widget)
        excess = len(self.children) - self.max_blocks
        if excess > 0:
            old = list(self.children[:excess])
            self.dropped_blocks += excess
            for child in old:
                if isinstance(child, ToolBlock):
                    self.tool_blocks.pop(child.call.tool_call_id, None)
            self.remove_children(old)

    def add_user(self, text: str) -> UserMessage:
        widget = UserMessage(text)
        self._add(widget)
        self.anchor()
        return widget

    def add_notice(self, text: str) -> None:
        self._add(Static(text, classes="chat-log--notice", markup=False))

    def add_reply(self, text: str) -> None:
        """A slash command's reply: left-aligned, kept as typed (tables, paths)."""
        self._add(Static(text, classes="chat-log--reply", markup=False))
        self.anchor()

    def append_agent(self, text: str, message_id: str | None) -> AgentMessage:
        """Append to the current reply, or start a new one."""
        last = self.children[-1] if self.children else None
        if isinstance(last, AgentMessage) and last.message_id == message_id:
            last.append_text(text)
            return last
        widget = AgentMessage(message_id, text)
        self._add(widget)
        return widget

    def append_thought(self, text: str, message_id: str | None) -> ThoughtBlock:
        last = self.children[-1] if self.children else None
        if isinstance(last, ThoughtBlock) and last.message_id == message_id:
            last.append_text(text)
            return last
        widget = ThoughtBlock(message_id, text)
        self._add(widget)
        return widget

    def add_tool(self, call: ToolCall) -> ToolBlock:
        block = ToolBlock(call, self.workspace)
        self.tool_blocks[call.tool_call_id] = block
        self._add(block)
        return block

    def find(self, query: str) -> list[Widget]:
        """The blocks whose text holds ``query`` (case-insensitive), oldest first; ``[]`` for ``""``."""
        needle = query.casefold()
        if not needle:
            return []
        return [child for child in self.children if needle in _text_of(child).casefold()]

    def clear(self) -> None:
        self.tool_blocks.clear()
        self.dropped_blocks = 0
        self.remove_children()


def _text_of(widget: Widget) -> str:
    """What a chat block says: a message's text, a reply's, a tool call's title and result."""
    if isinstance(widget, UserMessage | AgentMessage):
        return widget.text
    if isinstance(widget, ToolBlock):
        return f"{widget.call.title}\n{widget.result_text}"
    if isinstance(widget, ThoughtBlock):
        return ""
    if isinstance(widget, Static):
        return str(widget.content)
    return ""
