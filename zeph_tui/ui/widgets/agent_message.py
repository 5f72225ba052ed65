"""AgentMessage: the model's reply, streamed as Markdown."""

from __future__ import annotations

from textual.widgets import Markdown

__all__ = ["AgentMessage"]


class AgentMessage(Markdown):
    """A :class:`~textual.widgets.Markdown` fed by :meth:`append_text`.

    Fragments that arrive while the previous append is still being parsed are
    joined and appended together (like Textual's ``MarkdownStream``), so a
    fast stream costs one parse per frame, not one per chunk.
    """

    DEFAULT_CSS = """
    AgentMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, message_id: str | None = None, text: str = "") -> None:
        super().__init__(text)
        self.message_id = message_id
        self._pending: list[str] = []
        self._appending = False

    @property
    def text(self) -> str:
        """Everything appended so far (pending fragments included)."""
        return self.source + "".join(self._pending)

    def append_text(self, fragment: str) -> None:
        if not fragment:
            return
        self._pending.append(fragment)
        if not self._appending:
            self._appending = True
            self.run_worker(self._drain(), group="markdown-append", exit_on_error=False)

    async def _drain(self) -> None:
        try:
            while self._pending:
                chunk = "".join(self._pending)
                self._pending.clear()
                await self.append(chunk)
        finally:
            self._appending = False
