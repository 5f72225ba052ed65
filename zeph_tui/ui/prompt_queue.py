"""``PromptQueue``: prompts the person sent that wait for the session or for the running turn.

DESIGN.md, "Session open path": nothing a person types before a session is
ready is dropped. The dashboard puts every prompt here first; the
controller's deliverer (:meth:`~zeph_tui.ui.controller.DashboardController.
deliver`) takes them out one at a time, oldest first, once the session is
open and the previous turn has ended. While they wait the person can remove
one (a click on it in the pending-prompts widget) or take the newest back
into the input (Up on an empty prompt). Escape cancels the running turn,
not the queue: the next prompt is sent when the cancelled turn has ended.

No Textual, no asyncio: the view learns of every change through
``on_change``.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["PromptQueue"]


class PromptQueue:
    """A FIFO of prompt texts with a change callback.

    Args:
        on_change: called with the waiting prompts (oldest first) after every
            change; the dashboard redraws its pending-prompts widget.
    """

    def __init__(self, on_change: Callable[[list[str]], None] | None = None) -> None:
        self._items: list[str] = []
        self.on_change = on_change

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[str]:
        """The waiting prompts, oldest first (a copy)."""
        return list(self._items)

    def push(self, text: str) -> None:
        """Queue ``text`` behind the others."""
        self._items.append(text)
        self._changed()

    def pop_first(self) -> str | None:
        """Take out the oldest prompt to send it; None when nothing waits."""
        if not self._items:
            return None
        text = self._items.pop(0)
        self._changed()
        return text

    def remove(self, index: int) -> str | None:
        """Drop the prompt at ``index`` (0 = oldest); None when there is none there."""
        if not 0 <= index < len(self._items):
            return None
        text = self._items.pop(index)
        self._changed()
        return text

    def take_last(self) -> str | None:
        """Take the newest prompt back (to edit it in the input); None when nothing waits."""
        return self.remove(len(self._items) - 1)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.items)
