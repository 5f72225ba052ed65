"""PendingPrompts: the prompts waiting to be sent, between the chat and the input.

It shows the controller's :class:`~zeph_tui.ui.prompt_queue.PromptQueue`
(given down at construction; the widget follows it through the queue's
``on_change``): one line per prompt, oldest first, under a hint line. A click
on a prompt removes it from the queue; :meth:`PendingPrompts.take_back` (the
app's Up on an empty input) moves the newest one back into the input. Hidden
while nothing waits.
"""

from __future__ import annotations

from textual import events
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea

from zeph_tui.ui.prompt_queue import PromptQueue

__all__ = ["PendingPrompt", "PendingPrompts"]

_SHOWN_CHARS = 200


class PendingPrompt(Static):
    """One waiting prompt (its first line); a click asks to remove it."""

    class Clicked(Message):
        """The person clicked the prompt at ``index`` (0 = oldest)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, text: str) -> None:
        lines = text.splitlines() or [""]
        label = lines[0][:_SHOWN_CHARS]
        if len(lines) > 1:
            more = len(lines) - 1
            label += f"  (+{more} line{'s' if more > 1 else ''})"
        super().__init__(f"◌ {label}", markup=False, classes="pending-prompt")
        self.index = index
        self.text = text

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self.index))


class PendingPrompts(Vertical):
    """The queue's prompts, one :class:`PendingPrompt` each, under a hint line.

    Args:
        queue: the prompts to show; the widget sets its ``on_change``.
    """

    DEFAULT_CSS = """
    PendingPrompts {
        height: auto;
        max-height: 8;
        padding: 0 1;
        display: none;
        border-top: hkey $primary 40%;
    }
    PendingPrompts.-shown { display: block; }
    PendingPrompts > .pending-prompts--hint {
        color: $text-muted; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    PendingPrompts > PendingPrompt {
        color: $text; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    PendingPrompts > PendingPrompt:hover { background: $boost; text-style: strike; }
    """

    def __init__(self, queue: PromptQueue, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue = queue

    def on_mount(self) -> None:
        self.queue.on_change = self._show
        self._show(self.queue.items)

    @property
    def prompts(self) -> list[str]:
        """The prompts shown, oldest first."""
        return [row.text for row in self.query(PendingPrompt)]

    def _show(self, prompts: list[str]) -> None:
        self.remove_children()
        self.set_class(bool(prompts), "-shown")
        if not prompts:
            return
        hint = f"queued ({len(prompts)}) · click removes · ↑ edits the last"
        self.mount(
            Static(hint, markup=False, classes="pending-prompts--hint"),
            *(PendingPrompt(i, text) for i, text in enumerate(prompts)),
        )

    def on_pending_prompt_clicked(self, message: PendingPrompt.Clicked) -> None:
        message.stop()
        self.queue.remove(message.index)

    def take_back(self, prompt: TextArea) -> bool:
        """Move the newest waiting prompt into ``prompt`` when it is empty.

        Returns:
            False (nothing changed) when ``prompt`` has text or nothing waits.
        """
        if prompt.text or not self.queue:
            return False
        text = self.queue.take_last()
        if text is None:
            return False
        prompt.load_text(text)
        prompt.move_cursor(prompt.document.end)
        return True
