"""OverflowModal: page or grep one archived tool output, read back from SQLite."""

from __future__ import annotations

from typing import ClassVar, Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Log

from zeph_tui.core.store.overflow import OverflowInfo, OverflowPage
from zeph_tui.ui.format import human_bytes

__all__ = ["OverflowModal", "OverflowReader", "latest_archive"]


class OverflowReader(Protocol):
    """What the modal needs of the archive (``runtime.store.archive``)."""

    async def read(
        self, overflow_id: str, *, offset: int = 0, limit: int = 200, grep: str | None = None
    ) -> OverflowPage: ...


class ArchiveLister(Protocol):
    """Listing archives by session (``runtime.store.archive``)."""

    async def list(
        self, limit: int = 50, *, session_id: str | None = None
    ) -> list[OverflowInfo]: ...


async def latest_archive(archive: ArchiveLister, session_id: str) -> str | None:
    """The newest stored archive of ``session_id`` (F4 after ``--resume``), or None."""
    found = await archive.list(1, session_id=session_id)
    return found[0].id if found else None


class OverflowModal(ModalScreen[None]):
    """Shows ``page_lines`` lines at a time with their line numbers (from 1).

    Keys: PageDown/``n`` next page, PageUp/``p`` previous, ``/`` grep (a
    Python regex; empty clears), ``g`` first page, Escape closes.
    """

    DEFAULT_CSS = """
    OverflowModal { align: center middle; }
    OverflowModal > Vertical {
        width: 95%; height: 90%; border: thick $accent; background: $surface; padding: 0 1;
    }
    OverflowModal Label { width: 1fr; color: $text-muted; }
    OverflowModal .overflow--title { color: $text; text-style: bold; }
    OverflowModal Log { height: 1fr; background: $panel; }
    OverflowModal Input { display: none; }
    OverflowModal.-grep Input { display: block; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "close", "Close"),
        Binding("pagedown,n", "page(1)", "Next page"),
        Binding("pageup,p", "page(-1)", "Previous page"),
        Binding("g", "first", "First page"),
        Binding("slash", "grep", "Grep"),
    ]

    def __init__(self, reader: OverflowReader, overflow_id: str, *, page_lines: int = 500) -> None:
        super().__init__()
        self.reader = reader
        self.overflow_id = overflow_id
        self.page_lines = page_lines
        self.offsets: list[int] = [0]  # start offsets of the pages seen (for "previous")
        self.next_offset: int | None = None
        self.grep: str | None = None
        self.page: OverflowPage | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Full output {self.overflow_id}", classes="overflow--title")
            yield Label("loading…", id="overflow-info")
            yield Input(placeholder="grep regex (Enter to apply, empty to clear)", id="grep")
            yield Log(max_lines=self.page_lines + 1, auto_scroll=False)

    def on_mount(self) -> None:
        self.load(0)

    @work(exclusive=True, group="overflow-page")
    async def load(self, offset: int) -> None:
        """Read one page at ``offset`` (lines to skip) and show it, numbered from 1."""
        from zeph_tui.core import ZephError

        try:
            page = await self.reader.read(
                self.overflow_id, offset=offset, limit=self.page_lines, grep=self.grep
            )
        except ZephError as exc:
            self.query_one("#overflow-info", Label).update(str(exc))
            return
        self.page = page
        self.next_offset = page.next_offset
        width = len(str(page.info.total_lines))
        log = self.query_one(Log)
        log.clear()
        log.write_lines(f"{n + 1:>{width}}  {text}" for n, text in page.lines)
        log.scroll_home(animate=False)
        first = page.lines[0][0] + 1 if page.lines else offset
        last = page.lines[-1][0] + 1 if page.lines else offset
        more = "n/PageDown: next page" if page.next_offset is not None else "end of output"
        grep = f" · grep /{self.grep}/ · {len(page.lines)} matches" if self.grep else ""
        self.query_one("#overflow-info", Label).update(
            f"lines {first}–{last} of {page.info.total_lines} · "
            f"{human_bytes(page.info.total_bytes)}{grep} · {more}"
        )

    def action_page(self, step: int) -> None:
        if step > 0 and self.next_offset is not None:
            self.offsets.append(self.next_offset)
            self.load(self.next_offset)
        elif step < 0 and len(self.offsets) > 1:
            self.offsets.pop()
            self.load(self.offsets[-1])

    def action_first(self) -> None:
        self.offsets = [0]
        self.load(0)

    def action_grep(self) -> None:
        self.add_class("-grep")
        field = self.query_one("#grep", Input)
        field.value = ""
        field.focus()

    @on(Input.Submitted, "#grep")
    def _grep_submitted(self, event: Input.Submitted) -> None:
        # the "/" that opened the field may land in it as well: it never starts a regex here
        self.grep = event.value.removeprefix("/") or None
        self.remove_class("-grep")
        self.action_first()

    def action_close(self) -> None:
        if self.has_class("-grep"):
            self.remove_class("-grep")
            return
        self.dismiss(None)
