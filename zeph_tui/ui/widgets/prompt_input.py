"""PromptInput: the multi-line prompt editor with history.

Enter sends, Ctrl+J (or Shift+Enter where the terminal reports it) inserts a
newline, Up/Down on the first/last line walk the history, Tab accepts the
highlighted completion. Completion itself is the app's job: this widget
posts :class:`PromptInput.Changed`-like messages up and takes the chosen
text down through :meth:`replace_current_token`.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

__all__ = ["PromptInput"]


class PromptInput(TextArea):
    """A :class:`~textual.widgets.TextArea` that submits on Enter."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: tall $primary 40%;
    }
    PromptInput:focus { border: tall $primary; }
    """

    class Submitted(Message):
        """The person sent ``text`` (stripped, non-empty)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class CompletionKey(Message):
        """A key while completions are shown: ``tab``, ``enter``, ``up`` or ``down``.

        The app accepts the highlighted completion on ``tab``; on ``enter`` it
        accepts it, or submits (:meth:`PromptInput.submit`) when the word typed
        already is the completion (``/undo`` + Enter runs ``/undo``).
        """

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class HelpRequested(Message):
        """``?`` typed on an empty prompt: the app shows the key help."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.prompt_history: list[str] = []
        self._history_index: int | None = None
        self.completing = False
        """Set by the app while a completion list is shown (Tab/Up/Down go to it)."""

    def add_history(self, text: str) -> None:
        if text and (not self.prompt_history or self.prompt_history[-1] != text):
            self.prompt_history.append(text)
        self._history_index = None

    def replace_current_token(self, replacement: str) -> None:
        """Replace the word under the cursor (back to the previous space) with ``replacement``."""
        row, col = self.cursor_location
        line = self.document.get_line(row)
        start = line.rfind(" ", 0, col) + 1
        self.replace(replacement, (row, start), (row, col))

    def current_token(self) -> str:
        """The text from the previous space (or line start) to the cursor."""
        row, col = self.cursor_location
        line = self.document.get_line(row)
        return line[line.rfind(" ", 0, col) + 1 : col]

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        if self.completing and key in ("tab", "up", "down"):
            event.stop()
            event.prevent_default()
            self.post_message(self.CompletionKey(key))
            return
        if key == "enter":
            event.stop()
            event.prevent_default()
            if self.completing:
                self.post_message(self.CompletionKey("enter"))
                return
            self.submit()
            return
        if key == "question_mark" and not self.text:
            event.stop()
            event.prevent_default()
            self.post_message(self.HelpRequested())
            return
        if key in ("ctrl+j", "shift+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if key == "up" and self.cursor_location[0] == 0 and self.prompt_history:
            event.stop()
            event.prevent_default()
            self._walk_history(-1)
            return
        if (
            key == "down"
            and self._history_index is not None
            and (self.cursor_location[0] == self.document.line_count - 1)
        ):
            event.stop()
            event.prevent_default()
            self._walk_history(+1)
            return
        await super()._on_key(event)

    def submit(self) -> None:
        """Send the prompt text (stripped) as :class:`Submitted` and clear; nothing when empty."""
        text = self.text.strip()
        if text:
            self.add_history(text)
            self.clear()
            self.post_message(self.Submitted(text))

    def _walk_history(self, step: int) -> None:
        index = len(self.prompt_history) if self._history_index is None else self._history_index
        index = max(0, min(len(self.prompt_history), index + step))
        self._history_index = index if index < len(self.prompt_history) else None
        self.load_text(self.prompt_history[index] if index < len(self.prompt_history) else "")
        self.move_cursor(self.document.end)
