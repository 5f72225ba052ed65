"""FindBar: find text in the conversation (Ctrl+F), next and previous match."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from zeph_tui.ui.widgets.chat_log import ChatLog, ChatMatch

__all__ = ["FindBar"]


class FindBar(Input):
    """A one-line search field over a :class:`ChatLog`.

    Typing searches (case-insensitive) the chat's messages, replies and tool
    calls, those not mounted yet included (going to one mounts the earlier
    blocks down to it, :meth:`ChatLog.reveal`); Enter or Ctrl+F goes to the next match, Shift+Enter or ↑ to the
    previous one (wrapping). The current match is scrolled into view and
    marked (class ``-found``); the border says ``2/5``. Escape closes the bar
    and gives the prompt back its focus.
    """

    DEFAULT_CSS = """
    FindBar { display: none; border: tall $accent; height: 3; }
    FindBar.-shown { display: block; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "close", "Close find", show=False),
        Binding("ctrl+f,down", "step(1)", "Next match", show=False),
        Binding("shift+enter,up", "step(-1)", "Previous match", show=False),
    ]

    def __init__(self, chat: ChatLog, *, id: str | None = None) -> None:
        super().__init__(placeholder="find in the conversation", id=id)
        self.chat = chat
        self.matches: list[ChatMatch] = []
        self.index = -1

    def open(self) -> None:
        """Show the bar and focus it (the last query stays, selected)."""
        self.add_class("-shown")
        self.focus()
        self.select_all()

    def action_close(self) -> None:
        self._mark(None)
        self.remove_class("-shown")
        self.matches, self.index = [], -1
        self.border_subtitle = ""
        self.post_message(self.Closed())

    class Closed(Message):
        """The bar was closed (the app focuses the prompt again)."""

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.matches = self.chat.find(self.value)
        self.index = -1
        self.action_step(1)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_step(1)

    def action_step(self, step: int) -> None:
        """Go to the next (``1``) or previous (``-1``) match."""
        if not self.matches:
            self._mark(None)
            self.border_subtitle = "no match" if self.value else ""
            return
        self.index = (self.index + step) % len(self.matches)
        mounted = isinstance(self.matches[self.index], Widget)
        current = self.chat.reveal(self.matches[self.index])
        if current is None:  # it left the screen since: search again, same place
            index = self.index
            self.matches = self.chat.find(self.value)
            self.index = min(index, len(self.matches)) - step
            self.action_step(step)
            return
        self._mark(current)
        if mounted:
            self.chat.scroll_to_widget(current, animate=False, center=True)
        else:  # just mounted: scroll once it has a place
            self.chat.call_after_refresh(
                self.chat.scroll_to_widget, current, animate=False, center=True
            )
        self.border_subtitle = f"{self.index + 1}/{len(self.matches)}"

    def _mark(self, widget: Widget | None) -> None:
        for child in self.chat.query(".-found"):
            child.remove_class("-found")
        if widget is not None:
            widget.add_class("-found")
