"""ThoughtBlock: the model's reasoning, collapsed by default."""

from __future__ import annotations

from textual.widgets import Collapsible, Static

__all__ = ["ThoughtBlock"]


class ThoughtBlock(Collapsible):
    """A :class:`~textual.widgets.Collapsible` titled "Thinking" holding plain text."""

    DEFAULT_CSS = """
    ThoughtBlock { margin: 1 0 0 0; background: $surface; border-top: none; padding: 0; }
    ThoughtBlock .thought-body { color: $text-muted; text-style: italic; }
    """

    def __init__(self, message_id: str | None = None, text: str = "") -> None:
        self._body = Static(text, markup=False, classes="thought-body")
        super().__init__(self._body, title="Thinking", collapsed=True)
        self.message_id = message_id
        self.text = text

    def append_text(self, fragment: str) -> None:
        self.text += fragment
        self._body.update(self.text)
