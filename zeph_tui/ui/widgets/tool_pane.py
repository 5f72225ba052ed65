"""ToolPane: the live output of one tool call, bounded to its last lines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from zeph_tui.core.text import plural
from zeph_tui.ui.feed import OutputTail
from zeph_tui.ui.format import human_bytes
from zeph_tui.ui.widgets.tail_view import TailView

__all__ = ["ToolPane"]

_STATUS_ICONS = {"pending": "…", "in_progress": "●", "completed": "✓", "failed": "✗"}


class ToolPane(Vertical):
    """Header (title, status), a :class:`~textual.widgets.Log` holding at most
    ``max_lines`` lines, and a footer with byte/line totals and the archive marker
    ``archived 104.9 MB, overflow_id=ovf_…`` once the output is archived.

    Attributes down: :meth:`append` (one frame of output), :attr:`status`,
    :meth:`set_archive`. Message up: :class:`ToolPane.OpenRequested`.
    """

    DEFAULT_CSS = """
    ToolPane {
        height: auto;
        max-height: 24;
        border: round $panel;
        margin: 0 0 1 0;
    }
    ToolPane.-completed { border: round $success 50%; }
    ToolPane.-failed { border: round $error; }
    ToolPane .tool-pane--header {
        color: $text; text-style: bold; height: 1; width: 1fr; text-overflow: ellipsis;
        text-wrap: nowrap;
    }
    ToolPane > Horizontal { height: auto; }
    ToolPane .tool-pane--marker {
        color: $text-muted; width: 1fr; height: 2; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ToolPane Button { margin: 0 0 0 1; }
    ToolPane Button:disabled { display: none; }
    """

    status: reactive[str] = reactive("pending")
    heading: reactive[str] = reactive("")

    class OpenRequested(Message):
        """The person asked to page the full output archived as ``overflow_id``."""

        def __init__(self, pane: ToolPane, overflow_id: str) -> None:
            super().__init__()
            self.pane = pane
            self.overflow_id = overflow_id

    def __init__(self, tool_call_id: str, title: str, *, max_lines: int = 2000) -> None:
        super().__init__(id=None)
        self.tool_call_id = tool_call_id
        self.max_lines = max_lines
        self.total_bytes = 0
        self.total_lines = 0
        self.open_line = False  # the output so far ends inside a line (it counts as one)
        self.overflow_id: str | None = None
        self.archived_bytes = 0
        self.set_reactive(ToolPane.heading, title)
        self._header = Static(self._header_text(), classes="tool-pane--header", markup=False)
        self._log = TailView(max_lines=max_lines)
        self._marker = Static("", classes="tool-pane--marker", markup=False)
        self._open = Button(
            "open full output (f4)", id="open", variant="primary", disabled=True, compact=True
        )
        self._unwritten = OutputTail(max_lines)
        self._ready = False  # set once on_mount has written what came before

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield self._header
            yield self._open
        yield self._log
        yield self._marker

    def on_mount(self) -> None:
        self.add_class(f"-{self.status}")
        if self._unwritten.chunks:
            self._log.append(self._unwritten.text)
            self._unwritten = OutputTail(self.max_lines)
        self._ready = True

    @property
    def shown_text(self) -> str:
        """The lines the pane holds now (at most ``max_lines``)."""
        return "\n".join(self._log.lines) if self._ready else self._unwritten.text

    def _header_text(self) -> str:
        return f"{_STATUS_ICONS.get(self.status, '?')} {self.heading}"

    def watch_status(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")
        self._refresh_header()

    def watch_heading(self) -> None:
        self._refresh_header()

    def _refresh_header(self) -> None:
        header = getattr(self, "_header", None)  # watchers may run before __init__ ends
        if header is not None:
            header.update(self._header_text(), layout=False)  # one fixed-size line

    def append(self, tail: OutputTail) -> None:
        """Write one frame of output (already trimmed to ``max_lines``)."""
        self.total_bytes += tail.total_bytes
        self.total_lines += tail.total_lines
        text = tail.text
        if text:
            self.open_line = not text.endswith("\n")
        if self._ready:
            self._log.append(text)
        else:
            self._unwritten.add(text)
        self._refresh_marker()

    def append_text(self, text: str) -> None:
        """Write plain text (e.g. a result with no streamed output)."""
        tail = OutputTail(self.max_lines)
        tail.add(text)
        self.append(tail)

    def set_archive(self, overflow_id: str, total_bytes: int) -> None:
        """Show the archive marker and enable "open full output"."""
        self.overflow_id = overflow_id
        self.archived_bytes = total_bytes
        self._refresh_marker()
        self._open.disabled = False

    def _refresh_marker(self) -> None:
        lines = self.total_lines + self.open_line
        shown = min(lines, self.max_lines)
        text = f"{plural(lines, 'line')}, {human_bytes(self.total_bytes)}"
        if lines > self.max_lines:
            text += f" · showing last {shown}"
        if self.overflow_id:
            text += f"\narchived {human_bytes(self.archived_bytes)}, overflow_id={self.overflow_id}"
        self._marker.update(text, layout=False)  # fixed height: no re-layout per frame

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open" and self.overflow_id:
            self.post_message(self.OpenRequested(self, self.overflow_id))
