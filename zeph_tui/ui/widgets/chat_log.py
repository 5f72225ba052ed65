"""ChatLog: the conversation, newest at the bottom; older blocks load on demand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from zeph_tui.core.events import ToolCall
from zeph_tui.core.text import plural
from zeph_tui.ui.widgets.agent_message import AgentMessage, StoredReply
from zeph_tui.ui.widgets.chat_item import (
    NOTICE_CLASS,
    REPLY_CLASS,
    ChatItem,
    build_widget,
    item_of,
    text_of,
)
from zeph_tui.ui.widgets.thought_block import ThoughtBlock
from zeph_tui.ui.widgets.tool_block import ToolBlock
from zeph_tui.ui.widgets.user_message import UserMessage

__all__ = ["ChatLog", "ChatMatch", "LoadEarlier", "earlier_summary"]

ChatMatch = Widget | ChatItem
"""A find hit: a mounted block, or an earlier one not mounted yet."""


def earlier_summary(items: Sequence[ChatItem]) -> str:
    """What is not mounted yet, as people count it: ``"12 earlier messages, 3 tool calls"``.

    Messages are prompts and replies (a reply's thoughts belong to it); notices
    and command replies count as messages too; tool calls are counted apart.
    """
    calls = sum(item.kind == "tool" for item in items)
    messages = sum(item.kind not in ("tool", "thought") for item in items)
    parts = [plural(messages, "earlier message")] if messages else []
    if calls:
        parts.append(plural(calls, "tool call") if parts else plural(calls, "earlier tool call"))
    return ", ".join(parts) or plural(len(items), "earlier block")


class LoadEarlier(Static):
    """The top line while earlier blocks are not mounted:
    ``12 earlier messages, 3 tool calls · load more (click, Home or scroll up)``."""

    DEFAULT_CSS = """
    LoadEarlier { color: $text-muted; text-align: center; width: 1fr; }
    LoadEarlier:hover { color: $text; text-style: underline; }
    """

    def on_click(self, event: events.Click) -> None:
        event.stop()
        parent = self.parent
        if isinstance(parent, ChatLog):
            parent.load_earlier()


class ChatLog(VerticalScroll):
    """Holds :class:`UserMessage`, :class:`AgentMessage` (streaming),
    :class:`StoredReply`, :class:`ThoughtBlock` and :class:`ToolBlock`
    widgets, anchored to the bottom while streaming.

    Only the newest blocks are widgets: at most ``max_blocks`` (older ones
    leave the screen as :class:`ChatItem` data), and a resumed history mounts
    its last ``page`` blocks. The earlier ones wait in :attr:`earlier`: the
    :class:`LoadEarlier` line on top (a click), Home, or scrolling to the top
    mounts the next ``page`` of them; :meth:`find` searches them too and
    :meth:`reveal` mounts down to a hit.
    """

    DEFAULT_CSS = f"""
    ChatLog {{ padding: 0 1; }}
    ChatLog > .{NOTICE_CLASS} {{ color: $text-muted; text-align: center; }}
    ChatLog > .{REPLY_CLASS} {{ color: $text-muted; padding: 0 0 1 2; }}
    ChatLog > .-found {{ outline: heavy $accent; }}
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("home", "load_earlier_or_home", "Load earlier / top", show=False),
    ]

    def __init__(
        self,
        *,
        workspace: Path | None = None,
        max_blocks: int = 300,
        page: int = 50,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.max_blocks = max_blocks
        self.page = page
        self.tool_blocks: dict[str, ToolBlock] = {}
        self.earlier: list[ChatItem] = []
        self._more: LoadEarlier | None = None

    def on_mount(self) -> None:
        self.anchor()

    @property
    def blocks(self) -> list[Widget]:
        """The mounted blocks, oldest first (the "load more" line left out)."""
        return [c for c in self.children if not isinstance(c, LoadEarlier)]

    def _add(self, widget: Widget) -> None:
        self.mount(widget)
        self._track(widget)
        blocks = self.blocks
        excess = len(blocks) - self.max_blocks
        if excess > 0:
            self._unmount_oldest(blocks[:excess])

    def _track(self, widget: Widget) -> None:
        if isinstance(widget, ToolBlock):
            self.tool_blocks[widget.call.tool_call_id] = widget

    def _unmount_oldest(self, old: Sequence[Widget]) -> None:
        for child in old:
            item = item_of(child)
            if item is not None:
                self.earlier.append(item)
            if isinstance(child, ToolBlock):
                self.tool_blocks.pop(child.call.tool_call_id, None)
        self.remove_children(old)
        self._update_more()

    def _update_more(self) -> None:
        if not self.earlier:
            if self._more is not None:
                self._more.remove()
                self._more = None
            return
        text = f"{earlier_summary(self.earlier)} · load more (click, Home or scroll up)"
        if self._more is None:
            self._more = LoadEarlier(text, markup=False)
            first = self.children[0] if self.children else None
            self.mount(self._more, before=first)
        else:
            self._more.update(text)

    # ------------------------------------------------------------------ history

    def show_history(self, items: Sequence[ChatItem]) -> None:
        """Show a resumed session: the last :attr:`page` items mounted in one
        batch, the rest in :attr:`earlier`."""
        keep = min(len(items), self.page)
        self.earlier.extend(items[: len(items) - keep])
        widgets = [build_widget(item, self.workspace) for item in items[len(items) - keep :]]
        if widgets:
            self.mount_all(widgets)
            for widget in widgets:
                self._track(widget)
        self._update_more()
        self.anchor()

    def load_earlier(self, count: int | None = None) -> list[Widget]:
        """Mount the newest ``count`` (default :attr:`page`) earlier blocks above
        the oldest mounted one, keeping what the view shows in place.

        Returns:
            The widgets mounted, oldest first (``[]`` when nothing is earlier).
        """
        n = min(len(self.earlier), self.page if count is None else count)
        if n <= 0:
            return []
        items = self.earlier[len(self.earlier) - n :]
        del self.earlier[len(self.earlier) - n :]
        widgets = [build_widget(item, self.workspace) for item in items]
        blocks = self.blocks
        anchor_widget = blocks[0] if blocks else None
        at_bottom = not self._anchor_released
        if anchor_widget is not None:
            self.mount_all(widgets, before=anchor_widget)
        else:
            self.mount_all(widgets)
        for widget in widgets:
            self._track(widget)
        self._update_more()
        if anchor_widget is not None and not at_bottom:
            self.call_after_refresh(self._keep_in_view, anchor_widget)
        return widgets

    def _keep_in_view(self, widget: Widget) -> None:
        if widget.is_attached:
            self.scroll_to_widget(widget, animate=False, top=True, immediate=True)

    def action_load_earlier_or_home(self) -> None:
        if self.earlier:
            self.release_anchor()
            self.load_earlier()
        else:
            self.scroll_home(animate=False)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.earlier and self._anchor_released and new_value <= 0 < old_value:
            self.call_after_refresh(self.load_earlier)

    # ------------------------------------------------------------------ blocks

    def add_user(self, text: str) -> UserMessage:
        widget = UserMessage(text)
        self._add(widget)
        self.anchor()
        return widget

    def add_notice(self, text: str) -> None:
        self._add(Static(text, classes=NOTICE_CLASS, markup=False))

    def add_reply(self, text: str) -> None:
        """A slash command's reply: left-aligned, kept as typed (tables, paths)."""
        self._add(Static(text, classes=REPLY_CLASS, markup=False))
        self.anchor()

    def append_agent(self, text: str, message_id: str | None) -> AgentMessage | StoredReply:
        """Append to the current reply, or start a new (streaming) one."""
        last = self.children[-1] if self.children else None
        if isinstance(last, AgentMessage | StoredReply) and last.message_id == message_id:
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
        self._add(block)
        return block

    # ------------------------------------------------------------------ find

    def find(self, query: str) -> list[ChatMatch]:
        """The blocks whose text holds ``query`` (case-insensitive), oldest first,
        earlier (unmounted) ones included as :class:`ChatItem`; ``[]`` for ``""``."""
        needle = query.casefold()
        if not needle:
            return []
        hits: list[ChatMatch] = [i for i in self.earlier if needle in i.searchable.casefold()]
        hits.extend(w for w in self.blocks if needle in text_of(w).casefold())
        return hits

    def reveal(self, match: ChatMatch) -> Widget | None:
        """The widget of ``match``, mounting the earlier blocks down to it when
        it is a :class:`ChatItem` not mounted yet; ``None`` when it is gone."""
        if isinstance(match, Widget):
            return match if match.is_attached else None
        if match.widget is not None:
            return match.widget if match.widget.is_attached else None
        index = next((i for i, item in enumerate(self.earlier) if item is match), None)
        if index is None:
            return None
        self.release_anchor()
        self.load_earlier(len(self.earlier) - index)
        return match.widget

    def clear(self) -> None:
        self.tool_blocks.clear()
        self.earlier.clear()
        self._more = None
        self.remove_children()
