"""UserMessage: one prompt the person sent, as shown in the chat."""

from __future__ import annotations

from textual.widgets import Static

__all__ = ["UserMessage"]


class UserMessage(Static):
    """The person's prompt (plain text, no markup)."""

    DEFAULT_CSS = """
    UserMessage {
        background: $boost;
        border-left: thick $primary;
        padding: 0 1;
        margin: 1 0 0 0;
        color: $text;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(text, markup=False)
        self.text = text
