"""PlanPane: the agent's current plan (ACP Plan), replaced on every update."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from zeph_tui.core.events import PlanEntry

__all__ = ["PlanPane"]

_MARKS = {"pending": "☐", "in_progress": "◐", "completed": "☑"}


class PlanPane(Static):
    """Attribute down: :meth:`set_plan`."""

    DEFAULT_CSS = """
    PlanPane { padding: 0 1; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("No plan yet.", id=id)
        self.entries: tuple[PlanEntry, ...] = ()

    def set_plan(self, entries: Sequence[PlanEntry]) -> None:
        self.entries = tuple(entries)
        if not self.entries:
            self.update("No plan yet.")
            return
        text = Text()
        for entry in self.entries:
            style = (
                "strike dim"
                if entry.status == "completed"
                else ("bold" if entry.status == "in_progress" else "")
            )
            text.append(f"{_MARKS.get(entry.status, '?')} ", style="bold")
            text.append(entry.content, style=style)
            if entry.priority == "high":
                text.append("  !", style="bold")
            text.append("\n")
        self.update(text)
