"""GitPane: ``git status`` and the diff of the working tree."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

__all__ = ["GitPane"]


class GitPane(VerticalScroll):
    """Attribute down: :meth:`set_state` (status text, unified diff text)."""

    DEFAULT_CSS = """
    GitPane { padding: 0 1; }
    GitPane > Static { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view = Static(Text("Press F5 to refresh.", style="dim"))
        self.status_text = ""
        self.diff_text = ""

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._view

    def set_state(self, status: str, diff: str) -> None:
        self.status_text, self.diff_text = status, diff
        body = Text()
        for line in diff.splitlines():
            style = (
                "bold"
                if line.startswith(("diff ", "+++", "---", "index "))
                else "cyan"
                if line.startswith("@@")
                else "green"
                if line.startswith("+")
                else "red"
                if line.startswith("-")
                else ""
            )
            body.append(line + "\n", style=style)
        head = Text(status + "\n\n" if status else "clean\n\n", style="bold")
        self._view.update(Group(head, body if diff else Text("No changes.", style="dim")))
