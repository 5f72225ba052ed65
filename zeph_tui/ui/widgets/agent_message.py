"""AgentMessage: the model's reply, streamed as Markdown; StoredReply: a finished one."""

from __future__ import annotations

from rich.markdown import Markdown as RichMarkdown
from textual.widgets import Markdown, Static

__all__ = ["AgentMessage", "StoredReply"]

_CSS = """
{name} {{
    margin: 1 0 0 0;
    padding: 0 1;
    background: $surface;
}}
"""


class AgentMessage(Markdown):
    """A :class:`~textual.widgets.Markdown` fed by :meth:`append_text`.

    Fragments that arrive while the previous append is still being parsed are
    joined and appended together (like Textual's ``MarkdownStream``), so a
    fast stream costs one parse per frame, not one per chunk.
    """

    DEFAULT_CSS = _CSS.format(name="AgentMessage")

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


class StoredReply(Static):
    """A finished reply (a resumed session's, or one loaded back from earlier):
    one widget rendering the text with Rich's Markdown, instead of the
    :class:`AgentMessage` tree of one widget per Markdown block (a resumed
    chat of 1,000 replies was ~28,000 widgets to lay out).

    ``append_text`` works too (re-renders the whole text), so a stored reply
    that a stream continues still shows everything.
    """

    DEFAULT_CSS = _CSS.format(name="StoredReply")

    def __init__(self, message_id: str | None = None, text: str = "") -> None:
        super().__init__(_markdown(text))
        self.message_id = message_id
        self.text = text

    def append_text(self, fragment: str) -> None:
        if fragment:
            self.text += fragment
            self.update(_markdown(self.text))


def _markdown(text: str) -> RichMarkdown:
    return RichMarkdown(text, code_theme="ansi_dark", hyperlinks=False)
