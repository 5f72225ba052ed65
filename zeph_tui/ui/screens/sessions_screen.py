"""SessionsScreen: the sessions of this workspace, to resume one or start anew."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar, Protocol

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from zeph_tui.ui.format import human_count

__all__ = ["SessionRow", "SessionsScreen"]


class SessionRow(Protocol):
    """The fields shown (a :class:`~zeph_tui.core.store.sessions.SessionRecord` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def updated_at(self) -> float: ...
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float: ...


def _age(updated_at: float, now: float) -> str:
    seconds = max(0.0, now - updated_at)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f}{unit} ago"
    return "just now"


class SessionsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen session id, ``""`` for a new session, None to go back.

    Args:
        sessions: most recent first.
        now: the time ages are measured from (fixed in snapshot tests).
        current_id: marked with ``●``.
    """

    DEFAULT_CSS = """
    SessionsScreen { align: center middle; }
    SessionsScreen > Vertical {
        width: 90%; max-width: 130; height: 80%; border: thick $primary; background: $surface;
        padding: 0 1;
    }
    SessionsScreen .sessions--title { text-style: bold; }
    SessionsScreen .sessions--hint { color: $text-muted; }
    SessionsScreen DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "new", "New session"),
    ]

    def __init__(
        self, sessions: Sequence[SessionRow], *, now: float | None = None, current_id: str = ""
    ) -> None:
        super().__init__()
        self.sessions = list(sessions)
        self.now = time.time() if now is None else now
        self.current_id = current_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"Sessions in this workspace ({len(self.sessions)})", classes="sessions--title"
            )
            yield Label("Enter: resume · n: new session · Esc: back", classes="sessions--hint")
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(" ", "Title", "Updated", "Model", "Tokens", "Cost", "Id")
        for record in self.sessions:
            table.add_row(
                "●" if record.id == self.current_id else " ",
                record.title or "(untitled)",
                _age(record.updated_at, self.now),
                record.model,
                human_count(record.input_tokens + record.output_tokens),
                f"${record.cost_usd:.4f}",
                record.id,
                key=record.id,
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(str(event.row_key.value))

    def action_new(self) -> None:
        self.dismiss("")

    def action_back(self) -> None:
        self.dismiss(None)
