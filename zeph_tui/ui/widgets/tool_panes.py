"""ToolPanes: the scrolling column of live :class:`ToolPane` widgets."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static

from zeph_tui.ui.widgets.tool_pane import ToolPane

__all__ = ["ToolPanes"]


class ToolPanes(VerticalScroll):
    """One :class:`ToolPane` per tool call, newest at the bottom; at most
    ``max_panes`` are kept (the output of older ones stays in the archive)."""

    DEFAULT_CSS = """
    ToolPanes { padding: 0 1; }
    ToolPanes > .tool-panes--empty { color: $text-muted; }
    """

    def __init__(
        self, *, max_panes: int = 50, max_lines: int = 2000, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.max_panes = max_panes
        self.max_lines = max_lines
        self.panes: dict[str, ToolPane] = {}

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("No tool calls yet.", classes="tool-panes--empty")

    def on_mount(self) -> None:
        self.anchor()

    def add(self, tool_call_id: str, title: str) -> ToolPane:
        """Mount a pane for a new call (or return the existing one)."""
        pane = self.panes.get(tool_call_id)
        if pane is not None:
            return pane
        for empty in self.query(".tool-panes--empty"):
            empty.remove()
        pane = ToolPane(tool_call_id, title, max_lines=self.max_lines)
        self.panes[tool_call_id] = pane
        self.mount(pane)
        if len(self.panes) > self.max_panes:
            oldest = next(iter(self.panes))
            self.panes.pop(oldest).remove()
        return pane

    def clear(self) -> None:
        self.panes.clear()
        self.remove_children()
        self.mount(Static("No tool calls yet.", classes="tool-panes--empty"))
