"""CompletionList: the suggestions shown above the prompt (slash commands, @paths)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

__all__ = ["CompletionList"]


class CompletionList(OptionList):
    """Hidden while empty. The app fills it (:meth:`show`) and reads
    :attr:`chosen` when the person accepts with Tab or Enter.

    Labels are plain text (``/model [ID]`` keeps its brackets). At most
    :attr:`VISIBLE_ROWS` rows show; a longer list says how many it holds and
    that it scrolls in its border subtitle (``12 · ↑↓ scroll``).
    """

    VISIBLE_ROWS = 8

    DEFAULT_CSS = """
    CompletionList {
        display: none;
        height: auto;
        max-height: 10;  /* VISIBLE_ROWS + the border */
        border: round $accent;
        background: $surface;
    }
    CompletionList.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_focus = False
        self.values: list[str] = []

    def show(self, items: Sequence[tuple[str, str]]) -> None:
        """``items``: (text to insert, label); empty hides the list."""
        self.clear_options()
        self.values = [value for value, _ in items]
        if not items:
            self.remove_class("-shown")
            return
        self.add_options([Option(Text(label)) for _, label in items])
        self.highlighted = 0
        many = len(items) > self.VISIBLE_ROWS
        self.border_subtitle = f"{len(items)} · ↑↓ scroll" if many else ""
        self.add_class("-shown")

    def hide(self) -> None:
        if self.values or self.shown:  # already hidden: no class change, no re-layout
            self.show(())

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    def move(self, step: int) -> None:
        if self.values:
            current = self.highlighted or 0
            self.highlighted = (current + step) % len(self.values)

    @property
    def chosen(self) -> str | None:
        if not self.values or self.highlighted is None:
            return None
        return self.values[self.highlighted]
